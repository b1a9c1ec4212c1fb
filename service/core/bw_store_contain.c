/*
 * bw_store_contain.c - the containment records of the state database
 * (portable core): per service, what banwatch changed and what to put
 * back, and the last outcome of acting on it.
 */
#include "bw_store_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bw_contain.h"

void bw_contain_record_free(bw_contain_record *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->kind);
    free(r->display_name);
    free(r->action);
    free(r->detail);
    memset(r, 0, sizeof *r);
}

void bw_contain_records_free(bw_contain_records *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        bw_contain_record_free(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof *r);
}

#define CONTAIN_COLUMNS                                                                     \
    "name, kind, display_name, changed, prior_start, prior_state, outcome, action, detail," \
    " error, changed_at, outcome_at, restored_at"

/* Reads one row selected with CONTAIN_COLUMNS (a bws_row_reader). */
static bw_err contain_row(sqlite3_stmt *st, void *item, const char **why)
{
    (void)why;
    bw_contain_record *r = item;
    r->changed = sqlite3_column_int(st, 3) != 0;
    r->has_prior = sqlite3_column_type(st, 4) != SQLITE_NULL;
    r->prior_start = (uint32_t)sqlite3_column_int64(st, 4);
    r->prior_state = (uint32_t)sqlite3_column_int64(st, 5);
    const char *o = (const char *)sqlite3_column_text(st, 6);
    if (!bw_contain_outcome_parse(o, &r->outcome))
        r->outcome = BW_OUTCOME_FAILED; /* a value this build does not know */
    r->error = (uint32_t)sqlite3_column_int64(st, 9);
    r->changed_at = sqlite3_column_int64(st, 10);
    r->outcome_at = sqlite3_column_int64(st, 11);
    r->restored_at = sqlite3_column_int64(st, 12);
    return bws_col_dup(st, 0, &r->name) && bws_col_dup(st, 1, &r->kind) &&
                   bws_col_dup(st, 2, &r->display_name) && bws_col_dup(st, 7, &r->action) &&
                   bws_col_dup(st, 8, &r->detail)
               ? BW_OK
               : BW_ENOMEM;
}

bw_err bw_store_contain_get(bw_store *s, const char *name, bw_contain_record *out)
{
    const char *op = "read containment record";
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    bws_clear_err(s);
    bw_err e = bws_prep(s, "SELECT " CONTAIN_COLUMNS " FROM containment WHERE name = ?", &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (contain_row(st, out, NULL) != BW_OK) {
            bw_contain_record_free(out);
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
        }
    } else if (rc == SQLITE_DONE) {
        e = bws_fail_msg(s, BW_ENOTFOUND, op, "no such service");
    } else {
        e = bws_fail(s, op, rc);
    }
    sqlite3_finalize(st);
    return e;
}

bw_err bw_store_contain_prior(bw_store *s, const char *name, const char *kind,
                              const char *display_name, uint32_t start, uint32_t state,
                              int64_t now)
{
    /* A row already marked changed keeps its prior values and first change
     * time: the service's present state is banwatch's own doing. */
    static const char sql[] =
        "INSERT INTO containment (name, kind, display_name, changed, prior_start, prior_state,"
        " outcome, changed_at, outcome_at)"
        " VALUES (?1, ?2, ?3, 1, ?4, ?5, 'failed', ?6, ?6)"
        " ON CONFLICT(name) DO UPDATE SET"
        "  kind = excluded.kind,"
        "  display_name = COALESCE(excluded.display_name, display_name),"
        "  prior_start = CASE WHEN changed THEN prior_start ELSE excluded.prior_start END,"
        "  prior_state = CASE WHEN changed THEN prior_state ELSE excluded.prior_state END,"
        "  changed_at = CASE WHEN changed THEN changed_at ELSE excluded.changed_at END,"
        "  changed = 1";
    const char *op = "record the state before containment";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    if (!name || !kind)
        return bws_fail_msg(s, BW_EINVAL, op, "no service name");
    bw_err e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    bws_bind_text(st, 2, kind);
    bws_bind_text(st, 3, display_name);
    sqlite3_bind_int64(st, 4, start);
    sqlite3_bind_int64(st, 5, state);
    sqlite3_bind_int64(st, 6, now);
    return bws_step_final(s, st, op);
}

bw_err bw_store_contain_unmark(bw_store *s, const char *name)
{
    const char *op = "take back a containment record";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    bw_err e = bws_prep(s, "UPDATE containment SET changed = 0, changed_at = NULL WHERE name = ?",
                        &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    return bws_step_final(s, st, op);
}

bw_err bw_store_contain_outcome(bw_store *s, const bw_contain_result *r, int64_t now,
                                bool *repeat)
{
    static const char sql_same[] =
        "SELECT 1 FROM containment WHERE name = ? AND outcome = ? AND action IS ?";
    static const char sql[] =
        "INSERT INTO containment (name, kind, display_name, outcome, action, detail, error,"
        " outcome_at, restored_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?9 THEN ?8 END)"
        " ON CONFLICT(name) DO UPDATE SET"
        "  kind = CASE WHEN changed THEN kind ELSE excluded.kind END,"
        "  display_name = COALESCE(excluded.display_name, display_name),"
        "  outcome = excluded.outcome, action = excluded.action, detail = excluded.detail,"
        "  error = excluded.error, outcome_at = excluded.outcome_at,"
        "  restored_at = CASE WHEN ?9 THEN ?8 ELSE restored_at END,"
        "  changed = CASE WHEN ?9 THEN 0 ELSE changed END";
    const char *op = "record a containment outcome";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    if (repeat)
        *repeat = false;
    if (!r || !r->name || !r->kind)
        return bws_fail_msg(s, BW_EINVAL, op, "no service name");
    const char *outcome = bw_contain_outcome_name(r->outcome);
    bw_err e = bws_prep(s, sql_same, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, r->name);
    bws_bind_text(st, 2, outcome);
    bws_bind_text(st, 3, r->action);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && repeat)
        *repeat = true;
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    st = NULL;
    if (!e)
        e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, r->name);
    bws_bind_text(st, 2, r->kind);
    bws_bind_text(st, 3, r->display_name);
    bws_bind_text(st, 4, outcome);
    bws_bind_text(st, 5, r->action);
    bws_bind_text(st, 6, r->detail);
    sqlite3_bind_int64(st, 7, r->error);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int(st, 9, r->outcome == BW_OUTCOME_RESTORED);
    return bws_step_final(s, st, op);
}

bw_err bw_store_contain_list(bw_store *s, bw_contain_records *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s,
                              "SELECT " CONTAIN_COLUMNS " FROM containment"
                              " ORDER BY changed DESC, name",
                              "list containment records", NULL, &out->items, &out->n, &out->cap,
                              sizeof *out->items, contain_row);
    if (e)
        bw_contain_records_free(out);
    return e;
}
