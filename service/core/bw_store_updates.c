/*
 * bw_store_updates.c - the update status of the state database (portable
 * core): per product, what the last scan computed (bw_updates), replaced
 * as a whole and read back for status.
 */
#include "bw_store_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bw_updates.h"

bw_err bw_store_set_update_status(bw_store *s, const bw_updates *u, int64_t scan_id, int64_t now)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO update_status (product, newest, evidence, source, cutoff,"
        " after_cutoff, age_days, stale, never_updated, scan_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const char *op = "set update status";
    sqlite3_stmt *st = NULL;
    bw_err e;
    bws_clear_err(s);
    e = bws_begin(s, op);
    if (e)
        return e;
    e = bws_exec(s, "DELETE FROM update_status", op);
    if (!e)
        e = bws_prep(s, sql, &st, op);
    if (e)
        goto out;
    for (size_t i = 0; i < u->n; i++) {
        const bw_update_status *x = &u->items[i];
        bws_bind_text(st, 1, x->product ? x->product : "");
        if (x->has_date) {
            sqlite3_bind_int64(st, 2, x->newest);
            bws_bind_text(st, 3, bw_evidence_kind_name(x->newest_kind));
            bws_bind_text(st, 4, x->newest_source);
            sqlite3_bind_int64(st, 7, x->age_days);
        }
        sqlite3_bind_int64(st, 5, x->cutoff);
        sqlite3_bind_int(st, 6, x->after_cutoff ? 1 : 0);
        sqlite3_bind_int(st, 8, x->stale ? 1 : 0);
        sqlite3_bind_int(st, 9, x->never ? 1 : 0);
        sqlite3_bind_int64(st, 10, scan_id);
        sqlite3_bind_int64(st, 11, now);
        e = bws_step_done(s, st, op);
        if (e)
            goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    e = bws_commit(s, op);
out:
    sqlite3_finalize(st);
    if (e)
        bws_rollback(s);
    return e;
}

void bw_stored_updates_free(bw_stored_updates *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++) {
        free(u->items[i].product);
        free(u->items[i].evidence);
        free(u->items[i].source);
    }
    free(u->items);
    memset(u, 0, sizeof *u);
}

static bw_err update_row(sqlite3_stmt *st, void *item, const char **why)
{
    (void)why;
    bw_stored_update *x = item;
    x->has_date = sqlite3_column_type(st, 1) != SQLITE_NULL;
    x->newest = sqlite3_column_int64(st, 1);
    x->cutoff = sqlite3_column_int64(st, 4);
    x->after_cutoff = sqlite3_column_int(st, 5) != 0;
    x->age_days = sqlite3_column_int64(st, 6);
    x->stale = sqlite3_column_int(st, 7) != 0;
    x->never_updated = sqlite3_column_int(st, 8) != 0;
    x->scan_id = sqlite3_column_int64(st, 9);
    x->updated_at = sqlite3_column_int64(st, 10);
    return bws_col_dup(st, 0, &x->product) && bws_col_dup(st, 2, &x->evidence) &&
                   bws_col_dup(st, 3, &x->source)
               ? BW_OK
               : BW_ENOMEM;
}

bw_err bw_store_update_status(bw_store *s, bw_stored_updates *out)
{
    static const char sql[] =
        "SELECT NULLIF(product, ''), newest, evidence, source, cutoff, after_cutoff,"
        " age_days, stale, never_updated, scan_id, updated_at"
        " FROM update_status ORDER BY product = '', product";
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s, sql, "update status", NULL, &out->items, &out->n, &out->cap,
                              sizeof *out->items, update_row);
    if (e)
        bw_stored_updates_free(out);
    return e;
}
