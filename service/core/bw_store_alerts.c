/*
 * bw_store_alerts.c - the alerts of the state database (portable core):
 * recording that an alert was raised, once per change; the outbox that
 * keeps a change's alert from being lost or repeated across a crash; and
 * reading the recent ones back.
 */
#include "bw_store_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

bw_err bw_store_alert_raised(bw_store *s, int64_t change_id, bool *raised)
{
    sqlite3_stmt *st = NULL;
    const char *op = "check alert";
    *raised = false;
    bws_clear_err(s);
    bw_err e = bws_prep(s, "SELECT 1 FROM alerts WHERE change_id = ?", &st, op);
    if (e)
        return e;
    sqlite3_bind_int64(st, 1, change_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *raised = true;
    else if (rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

/* Inserts one alert row (op names the operation in errors). A second row
 * for the same change is not written: *inserted false. */
static bw_err insert_alert(bw_store *s, const char *op, int64_t change_id, int event_id,
                           const char *fields_json, int64_t raised_at, bool sent,
                           uint64_t line_hash, int64_t *alert_id, bool *inserted)
{
    /* The identity columns are copied from the change so that the alerts
     * table reads on its own; OR IGNORE makes a second record for the same
     * change a no-op (change_id is UNIQUE; NULLs never conflict). */
    static const char sql[] =
        "INSERT OR IGNORE INTO alerts (raised_at, event_id, change_id, kind, source,"
        " name, change, version, fields, sent, line_hash)"
        " SELECT ?1, ?2, ?3, c.kind, c.source, c.name, c.change, c.version, ?4, ?5, ?6"
        " FROM (SELECT 1) LEFT JOIN changes c ON c.id = ?3"
        " WHERE ?3 IS NULL OR c.id IS NOT NULL";
    sqlite3_stmt *st = NULL;
    *alert_id = 0;
    *inserted = false;
    bws_clear_err(s);
    bw_err e = bws_begin(s, op);
    if (e)
        return e;
    e = bws_prep(s, sql, &st, op);
    if (e)
        goto out;
    sqlite3_bind_int64(st, 1, raised_at);
    sqlite3_bind_int(st, 2, event_id);
    if (change_id > 0)
        sqlite3_bind_int64(st, 3, change_id);
    else
        sqlite3_bind_null(st, 3);
    bws_bind_text(st, 4, fields_json ? fields_json : "{}");
    sqlite3_bind_int(st, 5, sent ? 1 : 0);
    if (line_hash)
        sqlite3_bind_int64(st, 6, (sqlite3_int64)line_hash);
    else
        sqlite3_bind_null(st, 6);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        e = bws_fail(s, op, rc);
        goto out;
    }
    if (sqlite3_changes(s->db) == 0 && change_id > 0) {
        /* Either already recorded (fine) or no such change (a caller bug). */
        bool raised = false;
        sqlite3_finalize(st);
        st = NULL;
        e = bw_store_alert_raised(s, change_id, &raised);
        if (e)
            goto out;
        if (!raised) {
            e = bws_fail_msg(s, BW_ENOTFOUND, op, "no such change");
            goto out;
        }
    } else {
        *alert_id = sqlite3_last_insert_rowid(s->db);
        *inserted = true;
    }
    sqlite3_finalize(st);
    st = NULL;
    e = bws_commit(s, op);
out:
    sqlite3_finalize(st);
    if (e) {
        bws_rollback(s);
        *alert_id = 0;
        *inserted = false;
    }
    return e;
}

bw_err bw_store_record_alert(bw_store *s, int64_t change_id, int event_id,
                             const char *fields_json, int64_t raised_at, int64_t *alert_id)
{
    int64_t id = 0;
    bool inserted = false;
    bw_err e = insert_alert(s, "record alert", change_id, event_id, fields_json, raised_at, true,
                            0, &id, &inserted);
    if (alert_id)
        *alert_id = id;
    return e;
}

bw_err bw_store_alert_begin(bw_store *s, int64_t change_id, int event_id, const char *fields_json,
                            int64_t raised_at, uint64_t line_hash, int64_t *alert_id)
{
    bool inserted = false;
    return insert_alert(s, "begin alert", change_id, event_id, fields_json, raised_at, false,
                        line_hash, alert_id, &inserted);
}

bw_err bw_store_alert_sent(bw_store *s, int64_t alert_id)
{
    sqlite3_stmt *st = NULL;
    const char *op = "mark alert sent";
    bws_clear_err(s);
    bw_err e = bws_prep(s, "UPDATE alerts SET sent = 1 WHERE id = ?", &st, op);
    if (e)
        return e;
    sqlite3_bind_int64(st, 1, alert_id);
    return bws_step_final(s, st, op);
}

bw_err bw_store_alert_settle(bw_store *s, int64_t alert_id, bool delivered)
{
    const char *op = delivered ? "settle alert (delivered)" : "settle alert (taken back)";
    if (delivered)
        return bw_store_alert_sent(s, alert_id);
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    bw_err e = bws_begin(s, op);
    if (e)
        return e;
    static const char *const sql[] = {"DELETE FROM verdicts WHERE alert_id = ?",
                                      "DELETE FROM alerts WHERE id = ? AND sent = 0"};
    for (size_t i = 0; !e && i < sizeof sql / sizeof sql[0]; i++) {
        e = bws_prep(s, sql[i], &st, op);
        if (e)
            break;
        sqlite3_bind_int64(st, 1, alert_id);
        e = bws_step_final(s, st, op);
    }
    if (!e)
        e = bws_commit(s, op);
    if (e)
        bws_rollback(s);
    return e;
}

void bw_alert_records_free(bw_alert_records *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i].fields_json);
    free(r->items);
    memset(r, 0, sizeof *r);
}

static bw_err alert_row(sqlite3_stmt *st, void *item, const char **why)
{
    (void)why;
    bw_alert_record *r = item;
    r->id = sqlite3_column_int64(st, 0);
    r->raised_at = sqlite3_column_int64(st, 1);
    r->event_id = sqlite3_column_int(st, 2);
    r->change_id = sqlite3_column_int64(st, 3);
    r->sent = sqlite3_column_int(st, 5) != 0;
    r->line_hash = (uint64_t)sqlite3_column_int64(st, 6);
    return bws_col_dup(st, 4, &r->fields_json) ? BW_OK : BW_ENOMEM;
}

#define ALERT_COLUMNS "id, raised_at, event_id, change_id, fields, sent, line_hash"

bw_err bw_store_alerts_in_doubt(bw_store *s, bw_alert_records *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(
        s, "SELECT " ALERT_COLUMNS " FROM alerts WHERE sent = 0 ORDER BY id", "alerts in doubt",
        NULL, &out->items, &out->n, &out->cap, sizeof *out->items, alert_row);
    if (e)
        bw_alert_records_free(out);
    return e;
}

bw_err bw_store_recent_alerts(bw_store *s, size_t limit, bw_alert_records *out)
{
    static const char sql[] = "SELECT " ALERT_COLUMNS " FROM alerts"
                              " ORDER BY raised_at DESC, id DESC LIMIT ?";
    int64_t lim = limit > INT64_MAX ? INT64_MAX : (int64_t)limit;
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s, sql, "recent alerts", &lim, &out->items, &out->n, &out->cap,
                              sizeof *out->items, alert_row);
    if (e)
        bw_alert_records_free(out);
    return e;
}
