/*
 * make_store_seeds.c - writes the seed databases of the store fuzz targets
 * (tests/fuzz/corpus/store and store_mutate) into a folder:
 *
 *   empty           a new database (the current schema, nothing in it)
 *   one-scan        a scan of the sample machine applied, alerts recorded for
 *                   half of its changes, update statuses, a containment
 *                   record, a verdict, meta and state values
 *   changes         a second scan on top (findings resolved and changed),
 *                   its changes pending
 *   v1, v4          older schema versions, as the store's migrations meet them
 *   hostile         values banwatch never writes: unknown kinds, tiers,
 *                   changes and outcomes, text in number columns, huge and
 *                   negative numbers, invalid UTF-8, embedded NULs, rows
 *                   pointing at nothing
 *   newer           a schema version from the future (refused)
 *   missing         the current version without some of its tables
 *   reshaped        the current version with tables of other columns, and
 *                   a view where a table should be
 *
 * Each database is written by the store itself, then compacted (512-byte
 * pages, rollback journal) so that the seeds stay small.
 *
 *   make_store_seeds <folder>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bw_alert.h"
#include "bw_judge.h"
#include "bw_store.h"
#include "fuzz_snapshot.h"

#define T0 INT64_C(1727700000)

static const char *dir;
static bw_policy *pol;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "make_store_seeds: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

static char *path_of(const char *name)
{
    char *p = bw_strfmt("%s/%s", dir, name);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static bw_store *open_new(const char *name)
{
    char *p = path_of(name);
    remove(p);
    bw_store *s = NULL;
    char err[512];
    if (bw_store_open(p, &s, NULL, err, sizeof err) != BW_OK)
        die(p, err);
    free(p);
    return s;
}

static void sql(const char *name, const char *text)
{
    char *p = path_of(name);
    sqlite3 *db = NULL;
    if (sqlite3_open(p, &db) != SQLITE_OK)
        die(p, sqlite3_errmsg(db));
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
        die(p, msg);
    sqlite3_close(db);
    free(p);
}

/* Small pages and no WAL: the smallest file of the same content. */
static void compact(const char *name)
{
    sql(name, "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;");
}

static void judge(const bw_snapshot *snap, int64_t now, bw_judgement *j)
{
    memset(j, 0, sizeof *j);
    if (bw_judge(snap, pol, now, BW_MODE_AUDIT, j) != BW_OK)
        die("judge", NULL);
}

/* Applies a judgement and records alerts for every other change. */
static int64_t apply(bw_store *s, const bw_snapshot *snap, const bw_judgement *j, int64_t now)
{
    bw_scan_meta meta;
    bw_scan_meta_init(&meta, snap, pol, now);
    meta.uncounted = &j->review;
    bw_changes ch = {0};
    int64_t scan_id = 0;
    if (bw_store_apply_scan(s, &meta, &j->counted, now, &ch, &scan_id) != BW_OK)
        die("apply scan", bw_store_errmsg(s));
    bw_alerts al = {0};
    if (bw_alert_from_changes(&ch, snap->host, &al) != BW_OK)
        die("alerts", NULL);
    /* every other change raised through the outbox, one in two of those
     * left in doubt (a run killed while raising it); the others pending */
    for (size_t i = 0; i < al.n; i += 2) {
        bw_buf fields = {0}, line = {0};
        int64_t id = 0;
        if (bw_alert_fields_json(&al.items[i], &fields) != BW_OK ||
            bw_alert_json(&al.items[i], now, &line) != BW_OK ||
            bw_store_alert_begin(s, al.items[i].change_id, (int)al.items[i].event_id, fields.data,
                                 now, bw_alert_line_hash(line.data, line.len), &id) != BW_OK ||
            (i % 4 == 0 && bw_store_alert_sent(s, id) != BW_OK))
            die("record alert", bw_store_errmsg(s));
        bw_buf_free(&fields);
        bw_buf_free(&line);
    }
    bw_alerts_free(&al);
    bw_changes_free(&ch);
    if (bw_store_set_update_status(s, &j->updates, scan_id, now) != BW_OK)
        die("update status", bw_store_errmsg(s));
    return scan_id;
}

static void state_of_service(bw_store *s, const bw_judgement *j, int64_t scan_id, int64_t now)
{
    if (bw_store_contain_prior(s, "AVP.KES.12.3.0.493", "service",
                               "Kaspersky Endpoint Security Service", 2, 4, now) != BW_OK)
        die("containment", bw_store_errmsg(s));
    bw_contain_result r = {.outcome = BW_OUTCOME_DISABLED,
                           .name = "AVP.KES.12.3.0.493",
                           .kind = "service",
                           .action = "disable",
                           .has_prior = true,
                           .prior_start = 2,
                           .prior_state = 4,
                           .detail = "start type set to disabled"};
    if (bw_store_contain_outcome(s, &r, now, NULL) != BW_OK)
        die("containment outcome", bw_store_errmsg(s));
    r = (bw_contain_result){.outcome = BW_OUTCOME_BLOCKED,
                            .name = "klif",
                            .kind = "driver",
                            .action = "disable",
                            .error = 5,
                            .detail = "self-defense"};
    if (bw_store_contain_outcome(s, &r, now, NULL) != BW_OK)
        die("containment outcome", bw_store_errmsg(s));

    bw_alert a;
    char *digest = NULL;
    int64_t id = 0;
    bw_prev_stop prev;
    if (bw_alert_verdict_due(&j->verdict, "WS-01", NULL, &a, &digest) != BW_OK)
        die("verdict", NULL);
    if (bw_store_alert_begin(s, 0, 230, "{}", now, 230, &id) != BW_OK ||
        bw_store_run_begin(s, now, &prev, NULL) != BW_OK) /* a run, never ended */
        die("verdict alert", bw_store_errmsg(s));
    bw_verdict_record v = {.at = now,
                           .alert_id = id,
                           .scan_id = scan_id,
                           .digest = digest,
                           .present = (char *)bw_alert_get(&a, "present"),
                           .products = (char *)bw_alert_get(&a, "products"),
                           .updated_after_cutoff =
                               (char *)bw_alert_get(&a, "updated_after_cutoff"),
                           .newest_update = (char *)bw_alert_get(&a, "newest_update"),
                           .update_evidence = (char *)bw_alert_get(&a, "update_evidence"),
                           .stale = (char *)bw_alert_get(&a, "stale"),
                           .ksn = (char *)bw_alert_get(&a, "ksn_state"),
                           .containment = (char *)bw_alert_get(&a, "containment"),
                           .headline = (char *)bw_alert_get(&a, "headline"),
                           .next_step = (char *)bw_alert_get(&a, "next_step")};
    if (bw_store_verdict_add(s, &v) != BW_OK)
        die("verdict", bw_store_errmsg(s));
    bw_alert_clear(&a);
    free(digest);
    if (bw_store_meta_set(s, "last_heartbeat", now) != BW_OK ||
        bw_store_meta_set(s, "update-after-cutoff:KES.12.3.0", now - 86400) != BW_OK ||
        bw_store_state_set(s, "gaps-digest", "1 item(s) could not be read; x: y", now) != BW_OK)
        die("meta", bw_store_errmsg(s));
}

/* The sample machine one day later: the Network Agent gone, Endpoint
 * Security updated, the KSN connection closed. */
static bw_snapshot *second_machine(void)
{
    bw_snapshot *snap = fz_snapshot_sample();
    snap->taken_at += 86400;
    free(snap->products[0].display_version);
    snap->products[0].display_version = bw_strdup("12.4.0.1");
    bw_product_entry gone = snap->products[1];
    free(gone.key_name);
    free(gone.display_name);
    free(gone.publisher);
    free(gone.display_version);
    free(gone.source);
    snap->n_products = 1;
    for (size_t i = 0; i < snap->n_connections; i++)
        snap->connections[i].state = BW_TCP_CLOSED;
    return snap;
}

#define UNDO_V6                                                                   \
    "DROP INDEX alerts_unsent; ALTER TABLE alerts DROP COLUMN sent;"              \
    " ALTER TABLE alerts DROP COLUMN line_hash; ALTER TABLE verdicts DROP COLUMN" \
    " alert_id;"
#define UNDO_V5                                                                    \
    UNDO_V6                                                                        \
    "ALTER TABLE findings DROP COLUMN tier; ALTER TABLE changes DROP COLUMN tier;" \
    " ALTER TABLE changes DROP COLUMN old_tier; DROP TABLE state; DROP TABLE verdicts;"

static const char hostile_sql[] =
    "INSERT INTO scans VALUES (-1, -9223372036854775808, 9223372036854775807, X'C3FF',"
    " 'p', 'v', 'yes', CAST(X'610062' AS TEXT), -5, 'a', 'b', 'c', 'd', 'e', 'f', 1e300,"
    " -1, 2.5, 'z');"
    "INSERT INTO scans VALUES (99, 0, 0, NULL, NULL, NULL, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0,"
    " 0, 0, 0);"
    "INSERT INTO findings VALUES ('bogus', 'src', 'name', NULL, NULL, NULL, NULL, NULL, 0, 0,"
    " NULL, 99, 'confirmed');"
    "INSERT INTO findings VALUES ('driver', '', '', CAST(X'EDA080' AS TEXT), X'00', 'v', 'p',"
    " 'r', 'x', 'y', NULL, 12345, 'ultra');"
    "INSERT INTO findings VALUES ('product', 'HKLM\\x', replace(hex(zeroblob(1500)), '0', 'A'), "
    "NULL, NULL,"
    " NULL, NULL, NULL, 1, 1, NULL, -1, NULL);"
    "INSERT INTO changes VALUES (1005, 12345, 'soon', 'new', 7, 'service', 's', 'n', NULL, NULL,"
    " NULL, NULL, NULL, NULL, NULL, NULL, 'likely', 'possible');"
    "INSERT INTO changes VALUES (1006, 99, 1, 'resolved', 0, 'no-such-kind', 's', 'n', NULL, "
    "NULL,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
    "INSERT INTO changes VALUES (1007, 99, 1, 'changed', 0, 'ksn', CAST(X'C0AF' AS TEXT), 'k',"
    " 'd', 'p', 'v', 'p', 'r', 'ov', 'od', 'op', 'none', 'bogus');"
    "INSERT INTO alerts VALUES (1001, 0, 70000, 12345, NULL, NULL, NULL, NULL, NULL, '{not "
    "json', 0, X'00');"
    "INSERT INTO alerts VALUES (1002, -1, -1, NULL, 'k', 's', 'n', 'c', 'v', X'FF', 7, -1);"
    "INSERT OR REPLACE INTO update_status VALUES ('', 'yesterday', 'bases-index', NULL, 'x', 2, "
    "'old',"
    " -1, 3, NULL, NULL);"
    "INSERT OR REPLACE INTO update_status VALUES (X'C3', 253402300800, NULL, NULL, NULL, NULL, "
    "NULL,"
    " NULL, NULL, NULL, NULL);"
    "INSERT INTO containment VALUES ('x', 'driver', NULL, 5, -1, 4294967296, 'exploded', NULL,"
    " NULL, -2, 'then', 0, NULL);"
    "INSERT INTO containment VALUES ('y', '', '', 1, NULL, NULL, 'held', 'none', X'00', 0,"
    " NULL, 0, NULL);"
    "INSERT OR REPLACE INTO meta VALUES ('last_heartbeat', 'tomorrow');"
    "INSERT OR REPLACE INTO state VALUES ('gaps-digest', X'', -1);"
    "INSERT INTO verdicts VALUES (3, 'now', NULL, '', NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL, NULL, 1001);"
    "INSERT INTO verdicts VALUES (-4, 0, -1, X'C3', X'FF', NULL, 'maybe', 'x', 'y', 'z', 'w',"
    " 'q', 'h', 'n', 'x');";

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_store_seeds <folder>\n");
        return 2;
    }
    dir = argv[1];
    char err[512];
    if (bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "default", &pol, err,
                        sizeof err) != BW_OK)
        die("default policy", err);

    bw_store_close(open_new("empty"));
    compact("empty");

    bw_snapshot *snap = fz_snapshot_sample();
    bw_judgement j1;
    judge(snap, T0, &j1);
    static const char *const names[] = {"one-scan", "changes", "v1",      "v4",
                                        "hostile",  "newer",   "missing", "reshaped"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        bw_store *s = open_new(names[i]);
        int64_t id = apply(s, snap, &j1, T0);
        state_of_service(s, &j1, id, T0);
        if (!strcmp(names[i], "changes")) {
            bw_snapshot *snap2 = second_machine();
            bw_judgement j2;
            judge(snap2, T0 + 86400, &j2);
            apply(s, snap2, &j2, T0 + 86400);
            bw_judgement_free(&j2);
            bw_snapshot_free(snap2);
        }
        bw_store_close(s);
    }
    sql("v1", UNDO_V5 " ALTER TABLE scans DROP COLUMN n_ksn_connection;"
                      " DROP TABLE update_status; DROP TABLE containment;"
                      " PRAGMA user_version = 1;");
    sql("v4", UNDO_V5 " PRAGMA user_version = 4;");
    sql("hostile", hostile_sql);
    sql("newer", "PRAGMA user_version = 7;");
    sql("missing", "DROP TABLE verdicts; DROP TABLE state; DROP TABLE containment;"
                   " DROP TABLE update_status;");
    sql("reshaped", "DROP TABLE findings; CREATE TABLE findings (kind, name);"
                    " INSERT INTO findings VALUES ('product', 'x');"
                    " DROP TABLE alerts; CREATE VIEW alerts AS SELECT 1 AS id;"
                    " DROP TABLE meta; CREATE TABLE meta (key TEXT, value TEXT);"
                    " INSERT INTO meta VALUES ('last_heartbeat', X'00');");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        compact(names[i]);

    bw_judgement_free(&j1);
    bw_snapshot_free(snap);
    bw_policy_free(pol);
    return 0;
}
