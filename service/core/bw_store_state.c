/*
 * bw_store_state.c - the small state of the state database (portable
 * core): integer settings (meta), short texts (state) kept across
 * restarts, and the host verdicts as they changed.
 */
#include "bw_store_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* Reads the value column of the row sql selects for key (its one
 * parameter): into *num, or a malloc'd copy into *text when text is given.
 * BW_ENOTFOUND if there is no such row; failures are recorded under op. */
static bw_err read_value(bw_store *s, const char *sql, const char *op, const char *key,
                         int64_t *num, char **text)
{
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    bw_err e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && text)
        e = bws_col_dup(st, 0, text) ? BW_OK : bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
    else if (rc == SQLITE_ROW)
        *num = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        e = bws_fail_msg(s, BW_ENOTFOUND, op, "no such key");
    else
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

/* ---- meta ---------------------------------------------------------------------- */

bw_err bw_store_meta_get(bw_store *s, const char *key, int64_t *value)
{
    return read_value(s, "SELECT value FROM meta WHERE key = ?", "read meta", key, value, NULL);
}

bw_err bw_store_meta_set(bw_store *s, const char *key, int64_t value)
{
    sqlite3_stmt *st = NULL;
    const char *op = "write meta";
    bws_clear_err(s);
    /* One statement is its own transaction (autocommit). */
    bw_err e = bws_prep(s, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, value);
    return bws_step_final(s, st, op);
}

/* ---- runs of the service -------------------------------------------------------- */

#define RUN_KEY "run_started_at" /* when the current run began; 0 after a clean stop */

const char *bw_prev_stop_name(bw_prev_stop p)
{
    switch (p) {
    case BW_PREV_STOP_CLEAN: return "clean";
    case BW_PREV_STOP_UNCLEAN: return "unclean";
    default: return "unknown";
    }
}

bw_err bw_store_run_begin(bw_store *s, int64_t now, bw_prev_stop *prev, int64_t *prev_started)
{
    const char *op = "mark the run";
    int64_t started = 0;
    *prev = BW_PREV_STOP_UNKNOWN;
    if (prev_started)
        *prev_started = 0;
    bws_clear_err(s);
    bw_err e = bws_begin(s, op);
    if (e)
        return e;
    bw_prev_stop p = BW_PREV_STOP_UNKNOWN;
    e = bw_store_meta_get(s, RUN_KEY, &started);
    if (e == BW_OK)
        p = started > 0 ? BW_PREV_STOP_UNCLEAN : BW_PREV_STOP_CLEAN;
    else if (e == BW_ENOTFOUND)
        e = BW_OK;
    if (!e)
        e = bw_store_meta_set(s, RUN_KEY, now > 0 ? now : 1);
    if (!e)
        e = bws_commit(s, op);
    if (e) {
        bws_rollback(s);
        return e;
    }
    *prev = p;
    if (prev_started && p == BW_PREV_STOP_UNCLEAN)
        *prev_started = started;
    return BW_OK;
}

bw_err bw_store_run_end(bw_store *s)
{
    return bw_store_meta_set(s, RUN_KEY, 0);
}

/* ---- state ----------------------------------------------------------------------- */

bw_err bw_store_state_get(bw_store *s, const char *key, char **value)
{
    *value = NULL;
    return read_value(s, "SELECT value FROM state WHERE key = ?", "read state", key, NULL, value);
}

bw_err bw_store_state_set(bw_store *s, const char *key, const char *value, int64_t now)
{
    sqlite3_stmt *st = NULL;
    const char *op = "write state";
    const char *sql = value ? "INSERT OR REPLACE INTO state (key, value, updated_at)"
                              " VALUES (?, ?, ?)"
                            : "DELETE FROM state WHERE key = ?";
    bws_clear_err(s);
    bw_err e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, key);
    if (value) {
        bws_bind_text(st, 2, value);
        sqlite3_bind_int64(st, 3, now);
    }
    return bws_step_final(s, st, op);
}

/* ---- host verdicts ------------------------------------------------------------------ */

void bw_verdict_record_free(bw_verdict_record *r)
{
    if (!r)
        return;
    char **text[] = {
        &r->digest,        &r->present,         &r->products, &r->updated_after_cutoff,
        &r->newest_update, &r->update_evidence, &r->stale,    &r->ksn,
        &r->containment,   &r->headline,        &r->next_step};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        free(*text[i]);
    memset(r, 0, sizeof *r);
}

#define VERDICT_COLUMNS                                                                \
    "digest, present, products, updated_after_cutoff, newest_update, update_evidence," \
    " stale, ksn, containment, headline, next_step"

bw_err bw_store_verdict_add(bw_store *s, const bw_verdict_record *r)
{
    sqlite3_stmt *st = NULL;
    const char *op = "record verdict";
    bws_clear_err(s);
    bw_err e = bws_prep(s,
                        "INSERT INTO verdicts (at, scan_id, " VERDICT_COLUMNS ", alert_id)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st, op);
    if (e)
        return e;
    sqlite3_bind_int64(st, 1, r->at);
    if (r->scan_id > 0)
        sqlite3_bind_int64(st, 2, r->scan_id);
    else
        sqlite3_bind_null(st, 2);
    const char *text[] = {r->digest ? r->digest : "",
                          r->present,
                          r->products,
                          r->updated_after_cutoff,
                          r->newest_update,
                          r->update_evidence,
                          r->stale,
                          r->ksn,
                          r->containment,
                          r->headline,
                          r->next_step};
    for (int i = 0; i < 11; i++)
        bws_bind_text(st, 3 + i, text[i]);
    if (r->alert_id > 0)
        sqlite3_bind_int64(st, 14, r->alert_id);
    else
        sqlite3_bind_null(st, 14);
    return bws_step_final(s, st, op);
}

static bw_err verdict_row(sqlite3_stmt *st, void *item, const char **why)
{
    bw_verdict_record *r = item;
    (void)why;
    r->id = sqlite3_column_int64(st, 0);
    r->at = sqlite3_column_int64(st, 1);
    r->scan_id = sqlite3_column_int64(st, 2);
    char **text[] = {
        &r->digest,        &r->present,         &r->products, &r->updated_after_cutoff,
        &r->newest_update, &r->update_evidence, &r->stale,    &r->ksn,
        &r->containment,   &r->headline,        &r->next_step};
    for (int i = 0; i < 11; i++)
        if (!bws_col_dup(st, 3 + i, text[i]))
            return BW_ENOMEM;
    r->alert_id = sqlite3_column_int64(st, 14);
    return BW_OK;
}

bw_err bw_store_verdict_last(bw_store *s, bw_verdict_record *out)
{
    bw_verdict_record *rows = NULL;
    size_t n = 0, cap = 0;
    memset(out, 0, sizeof *out);
    bw_err e =
        bws_query_rows(s,
                       "SELECT id, at, scan_id, " VERDICT_COLUMNS ", alert_id FROM verdicts"
                       " ORDER BY id DESC LIMIT 1",
                       "last verdict", NULL, &rows, &n, &cap, sizeof *rows, verdict_row);
    if (e == BW_OK && n == 0)
        e = bws_fail_msg(s, BW_ENOTFOUND, "last verdict", "no verdict recorded");
    if (e == BW_OK)
        *out = rows[0];
    else
        for (size_t i = 0; i < n; i++)
            bw_verdict_record_free(&rows[i]);
    free(rows);
    return e;
}
