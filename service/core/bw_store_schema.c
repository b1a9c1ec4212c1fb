/*
 * bw_store_schema.c - the schema of the state database (portable core): the
 * migration steps that build it version by version, and running the missing
 * ones at open. The tables are described in docs/state-db.md.
 */
#include "bw_store_int.h"

#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "bw_eval.h"
#include "bw_str.h"

/* Step i takes the schema from version i to i + 1. Steps are only ever
 * appended; a released step never changes. Each runs in its own transaction
 * together with the new user_version. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value INTEGER NOT NULL"
    ");"
    "CREATE TABLE scans ("
    "  id INTEGER PRIMARY KEY,"
    "  started_at INTEGER NOT NULL,"
    "  finished_at INTEGER NOT NULL,"
    "  host TEXT,"
    "  policy_name TEXT,"
    "  policy_version TEXT,"
    "  complete INTEGER NOT NULL,"
    "  incomplete_reasons TEXT,"
    "  n_findings INTEGER NOT NULL,"
    "  n_product INTEGER NOT NULL, n_service INTEGER NOT NULL,"
    "  n_driver INTEGER NOT NULL, n_ksn INTEGER NOT NULL,"
    "  n_filter INTEGER NOT NULL, n_registry INTEGER NOT NULL,"
    "  n_new INTEGER NOT NULL DEFAULT 0,"
    "  n_resolved INTEGER NOT NULL DEFAULT 0,"
    "  n_changed INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE findings ("
    "  kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  display_name TEXT, publisher TEXT, version TEXT, path TEXT, rule TEXT,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  resolved_at INTEGER,"
    "  last_scan_id INTEGER NOT NULL REFERENCES scans(id),"
    "  PRIMARY KEY (kind, source, name)"
    ");"
    "CREATE INDEX findings_unresolved ON findings(resolved_at, last_scan_id);"
    "CREATE TABLE changes ("
    "  id INTEGER PRIMARY KEY,"
    "  scan_id INTEGER NOT NULL REFERENCES scans(id),"
    "  at INTEGER NOT NULL,"
    "  change TEXT NOT NULL CHECK (change IN ('new', 'resolved', 'changed')),"
    "  reappeared INTEGER NOT NULL DEFAULT 0,"
    "  kind TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL,"
    "  display_name TEXT, publisher TEXT, version TEXT, path TEXT, rule TEXT,"
    "  old_version TEXT, old_display_name TEXT, old_path TEXT"
    ");"
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  raised_at INTEGER NOT NULL,"
    "  event_id INTEGER NOT NULL,"
    "  change_id INTEGER UNIQUE REFERENCES changes(id),"
    "  kind TEXT, source TEXT, name TEXT, change TEXT, version TEXT,"
    "  fields TEXT NOT NULL"
    ");"
    "CREATE INDEX alerts_raised ON alerts(raised_at);",
    /* 1 -> 2: live KSN connections (bw_kind 6) */
    "ALTER TABLE scans ADD COLUMN n_ksn_connection INTEGER NOT NULL DEFAULT 0;",
    /* 2 -> 3: per product, the update status the last scan computed
     * ('' is the product-less group) */
    "CREATE TABLE update_status ("
    "  product TEXT NOT NULL PRIMARY KEY,"
    "  newest INTEGER,"
    "  evidence TEXT,"
    "  source TEXT,"
    "  cutoff INTEGER,"
    "  after_cutoff INTEGER,"
    "  age_days INTEGER,"
    "  stale INTEGER,"
    "  never_updated INTEGER,"
    "  scan_id INTEGER,"
    "  updated_at INTEGER"
    ");",
    /* 3 -> 4: containment, one row per service banwatch acted on or
     * reported; prior_* hold what to put back while `changed` is 1 */
    "CREATE TABLE containment ("
    "  name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
    "  kind TEXT NOT NULL,"
    "  display_name TEXT,"
    "  changed INTEGER NOT NULL DEFAULT 0,"
    "  prior_start INTEGER,"
    "  prior_state INTEGER,"
    "  outcome TEXT NOT NULL,"
    "  action TEXT,"
    "  detail TEXT,"
    "  error INTEGER NOT NULL DEFAULT 0,"
    "  changed_at INTEGER,"
    "  outcome_at INTEGER NOT NULL,"
    "  restored_at INTEGER"
    ");",
    /* 4 -> 5: confidence tiers (NULL in rows of older versions: those
     * findings counted, and are read as confirmed), small text state kept
     * across restarts, and the host verdicts as they changed */
    "ALTER TABLE findings ADD COLUMN tier TEXT;"
    "ALTER TABLE changes ADD COLUMN tier TEXT;"
    "ALTER TABLE changes ADD COLUMN old_tier TEXT;"
    "CREATE TABLE state ("
    "  key TEXT NOT NULL PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE verdicts ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  scan_id INTEGER,"
    "  digest TEXT NOT NULL,"
    "  present TEXT, products TEXT, updated_after_cutoff TEXT, newest_update TEXT,"
    "  update_evidence TEXT, stale TEXT, ksn TEXT, containment TEXT, headline TEXT,"
    "  next_step TEXT"
    ");",
    /* 5 -> 6: the alert outbox. An alert raised once (a change's, a
     * verdict's) is recorded with sent 0 before the sinks get it and marked
     * sent after; line_hash identifies its JSON-lines record, so that after
     * a crash the agent can tell whether it reached events.jsonl. Older
     * rows were recorded after raising: sent. A verdict keeps the alert
     * that raised it. */
    "ALTER TABLE alerts ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE alerts ADD COLUMN line_hash INTEGER;"
    "CREATE INDEX alerts_unsent ON alerts(id) WHERE sent = 0;"
    "ALTER TABLE verdicts ADD COLUMN alert_id INTEGER;",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

_Static_assert(BW_STORE_KINDS == BW_KINDS, "the scans table counts every kind");
_Static_assert(N_MIGRATIONS == BW_STORE_SCHEMA_VERSION, "one migration step per schema version");

bw_err bws_migrate(bw_store *s, int from)
{
    char op[64];
    for (int v = from; v < N_MIGRATIONS; v++) {
        snprintf(op, sizeof op, "migrate to schema version %d", v + 1);
        char *set = bw_strfmt("PRAGMA user_version = %d", v + 1);
        if (!set)
            return bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
        bw_err e = bws_begin(s, op);
        if (!e)
            e = bws_exec(s, migrations[v], op);
        if (!e)
            e = bws_exec(s, set, op);
        if (!e)
            e = bws_commit(s, op);
        free(set);
        if (e) {
            bws_rollback(s);
            return e;
        }
    }
    return BW_OK;
}
