/*
 * bw_store.h - the state database (portable core): what banwatch found
 * before, so that it alerts on change and not on every scan.
 *
 * One SQLite file (on Windows %ProgramData%\banwatch\state.db) holds the
 * scans, the findings with their first/last-seen times, the changes each
 * scan produced and the alerts raised for them. The schema, its versions
 * and the handling of a corrupt file are described in docs/state-db.md.
 *
 * The flow is one-directional:
 *
 *     findings + state  -> bw_store_apply_scan -> changes (recorded, pending)
 *     changes           -> bw_alert_from_changes (pure) -> alerts
 *     alert             -> bw_store_alert_begin -> raised -> bw_store_alert_sent
 *
 * Changes are written in the same transaction as the scan that found them
 * and stay pending until an alert is recorded for them. A service that
 * stops (or crashes) between the two raises them after the restart
 * (bw_store_pending_changes); a change that already has an alert is never
 * raised again. Re-applying the same state after a restart produces no
 * changes, because the findings it compares with are stored.
 *
 * The alert of a change (and of a verdict) is recorded before it is raised
 * and marked sent after (bw_store_alert_begin, bw_store_alert_sent): after
 * a crash in between, the caller settles it (bw_store_alerts_in_doubt,
 * bw_store_alert_settle) by whether its record reached events.jsonl. So
 * an alert is neither lost nor written twice to that file.
 *
 * No SQLite type leaves the bw_store*.c files (each section below names
 * the one that keeps it): results are plain structs with free
 * functions. Every fallible function returns a bw_err; the text of the last
 * failure ("state.db: <operation>: <sqlite message> (<code>)") and the raw
 * SQLite code are kept in the store (bw_store_errmsg, bw_store_errcode).
 * A store is used by one thread at a time.
 */
#ifndef BW_STORE_H
#define BW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_contain.h"
#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_updates.h"

/* The schema version this build creates and understands
 * (PRAGMA user_version). */
#define BW_STORE_SCHEMA_VERSION 6

/* Number of finding kinds (bw_kind values 0 .. BW_STORE_KINDS - 1). */
#define BW_STORE_KINDS 7

typedef struct bw_store bw_store;

/* ---- opening (bw_store.c) ------------------------------------------------ */

/* Opens (creating if needed) the database at the UTF-8 path, checks it
 * (PRAGMA quick_check), applies the forward migrations, and sets WAL mode,
 * a 5 s busy timeout, foreign keys and synchronous=NORMAL.
 *
 * A file that is not a database or is corrupt is closed and moved aside to
 * "<path>.corrupt-<YYYYMMDDTHHMMSSZ>" (its -wal and -shm files too, as
 * "<path>.corrupt-<ts>-wal" / "-shm"), and a new database is created in its
 * place. That is a success: *recreated (optional) is set to true and errbuf
 * receives a message naming the new location, for an error event.
 *
 * A database whose schema is newer than BW_STORE_SCHEMA_VERSION is refused
 * with BW_EINVAL and is not changed. Other failures: BW_EIO, BW_EACCES,
 * BW_EBUSY, BW_ENOMEM. On failure errbuf (errlen bytes, may be 0) receives
 * "state.db: <operation>: <reason> (<code>)" and *out is NULL. On success
 * *out owns the store (close with bw_store_close). */
bw_err bw_store_open(const char *path, bw_store **out, bool *recreated, char *errbuf,
                     size_t errlen);

/* Closes the database. NULL-safe. */
void bw_store_close(bw_store *s);

/* The message of the last failure of a function on this store ("" if
 * none), valid until the next call. */
const char *bw_store_errmsg(const bw_store *s);

/* The raw (extended) SQLite result code of the last failure, 0 if none. */
int bw_store_errcode(const bw_store *s);

/* True if the last failure was SQLite reporting a corrupt database; the
 * caller should close the store and open it again, which moves the file
 * aside if the check finds the damage. */
bool bw_store_corrupt(const bw_store *s);

/* ---- applying a scan (bw_store_scans.c) ---------------------------------- */

/* What the scan was. Strings and the gap array are borrowed for the call. */
typedef struct bw_scan_meta {
    const char *host;
    const char *policy_name;
    const char *policy_version;
    int64_t started_at; /* Unix seconds, UTC */
    int64_t finished_at;
    /* False if any source could not be read (recorded with the scan). */
    bool complete;
    /* Why it is incomplete (may be NULL). A gap holds back the resolution
     * of what its own source could have found (bw_store_held_back), and
     * nothing else: an unreadable piece of update evidence resolves
     * nothing away, and keeps nothing from resolving. */
    const bw_gap *gaps;
    size_t n_gaps;
    /* The findings the scan saw at tiers that are not stored (may be NULL):
     * while a gap could hide what vouched for one of them, its absence
     * from the stored ones is no evidence either. */
    const bw_findings *uncounted;
} bw_scan_meta;

/* Fills *m from a snapshot and the policy (borrowing their strings):
 * started_at = snap->taken_at, finished_at = now, complete when the
 * snapshot has no gaps, uncounted NULL. pol may be NULL. */
void bw_scan_meta_init(bw_scan_meta *m, const bw_snapshot *snap, const bw_policy *pol,
                       int64_t now);

/* True if a stored finding that the scan did not see must stay unresolved:
 * a gap whose source could have found it (its `hides` has the finding's
 * kind, and its registry path is the finding's source, lies under it or
 * above it; a gap at no registry path covers every finding of its kinds),
 * or the finding is among meta->uncounted while any gap that can hide
 * findings exists. */
bool bw_store_held_back(const bw_scan_meta *meta, bw_kind kind, const char *source,
                        const char *name);

typedef enum bw_change_kind {
    BW_CHANGE_NEW = 1,  /* first seen, or present again after being resolved */
    BW_CHANGE_RESOLVED, /* present before, absent now, and no gap holds it back */
    BW_CHANGE_CHANGED   /* same identity, other version, display name, path or tier */
} bw_change_kind;

/* "new", "resolved", "changed" ("unknown" for other values). */
const char *bw_change_kind_name(bw_change_kind c);

/* One change. A finding's identity is (kind, source, name): the registry
 * path read plus the key name (several class filters share one class key).
 * For RESOLVED the fields are the last ones stored. */
typedef struct bw_change {
    int64_t id;      /* the change's row: the key its alert is kept by */
    int64_t scan_id; /* the scan that found it */
    int64_t at;      /* when (the `now` of that scan) */
    bw_change_kind change;
    bool reappeared; /* NEW for a finding that had been resolved */
    /* the finding (RESOLVED: as last stored) */
    BW_FINDING_DESC_UNION;
    /* CHANGED only: the values before (NULL / NONE otherwise, or when
     * absent). */
    bw_tier old_tier;
    char *old_version;
    char *old_display_name;
    char *old_path;
} bw_change;

typedef struct bw_changes {
    bw_change *items;
    size_t n, cap;
} bw_changes;

/* NULL-safe; leaves *c empty. */
void bw_changes_free(bw_changes *c);

/* In one transaction: records the scan, upserts the findings (new ->
 * first_seen = now; present -> last_seen = now; previously resolved ->
 * present again with first_seen = now) and marks the unresolved findings
 * the scan did not see as resolved at `now`, except those
 * bw_store_held_back keeps. The findings given are those the policy
 * counts (bw_judgement.counted): a finding that drops to a tier that does
 * not count is resolved, one that rises to one is new. The
 * changes this produced are recorded as pending and returned in *out
 * (which must be zeroed or freed before; ordered: NEW and CHANGED in the
 * order of f, then RESOLVED). A finding listed twice in f counts once.
 * *scan_id (optional) receives the scan's id. On failure nothing is
 * written and *out is empty. */
bw_err bw_store_apply_scan(bw_store *s, const bw_scan_meta *meta, const bw_findings *f,
                           int64_t now, bw_changes *out, int64_t *scan_id);

/* ---- changes, findings and scans as stored (bw_store_scans.c) ------------ */

/* The changes that have no alert recorded yet, oldest first (*out zeroed
 * or freed before). After a restart these are the alerts the previous run
 * did not get to raise. */
bw_err bw_store_pending_changes(bw_store *s, bw_changes *out);

/* A finding as stored. */
typedef struct bw_stored_finding {
    BW_FINDING_DESC_UNION;
    int64_t first_seen; /* start of the current presence */
    int64_t last_seen;
    int64_t resolved_at; /* 0 while present */
    int64_t last_scan_id;
} bw_stored_finding;

typedef struct bw_stored_findings {
    bw_stored_finding *items;
    size_t n, cap;
} bw_stored_findings;

void bw_stored_findings_free(bw_stored_findings *f);

/* The unresolved findings, ordered by kind, name, source. */
bw_err bw_store_current_findings(bw_store *s, bw_stored_findings *out);

/* One recorded scan. */
typedef struct bw_scan_record {
    int64_t id;
    int64_t started_at;
    int64_t finished_at;
    char *host;
    char *policy_name;
    char *policy_version;
    bool complete;
    char *incomplete_reasons;       /* "where: reason" lines, NULL if complete */
    size_t n_findings;              /* findings seen by the scan */
    size_t by_kind[BW_STORE_KINDS]; /* of which, per bw_kind */
    size_t n_new, n_resolved, n_changed;
} bw_scan_record;

/* NULL-safe; leaves *r zeroed. */
void bw_scan_record_free(bw_scan_record *r);

/* The most recent scan into *out (zeroed or freed before); BW_ENOTFOUND
 * if there has been none. */
bw_err bw_store_last_scan(bw_store *s, bw_scan_record *out);

/* ---- alerts (bw_store_alerts.c) ------------------------------------------ */

/* *raised = true if an alert was already recorded for the change with this
 * id (a change is one identity, one kind of change and one version, found
 * by one scan). */
bw_err bw_store_alert_raised(bw_store *s, int64_t change_id, bool *raised);

/* Records that an alert was raised: event_id, the change it was for
 * (change_id, or 0 for lifecycle and error events), its fields as a JSON
 * object (bw_alert_fields_json) and the time. Recording a second alert for
 * the same change is a no-op (BW_OK). *alert_id (optional) receives the
 * row id (0 for the no-op). */
bw_err bw_store_record_alert(bw_store *s, int64_t change_id, int event_id,
                             const char *fields_json, int64_t raised_at, int64_t *alert_id);

/* One recorded alert. */
typedef struct bw_alert_record {
    int64_t id;
    int64_t raised_at;
    int event_id;
    int64_t change_id;  /* 0 for lifecycle and error events */
    char *fields_json;  /* the JSON object recorded */
    bool sent;          /* false between bw_store_alert_begin and bw_store_alert_sent */
    uint64_t line_hash; /* bw_alert_line_hash of its JSON-lines record; 0 if not kept */
} bw_alert_record;

typedef struct bw_alert_records {
    bw_alert_record *items;
    size_t n, cap;
} bw_alert_records;

void bw_alert_records_free(bw_alert_records *r);

/* Up to `limit` most recent alerts, newest first. */
bw_err bw_store_recent_alerts(bw_store *s, size_t limit, bw_alert_records *out);

/* ---- the alert outbox (bw_store_alerts.c) ---------------------------------
 * An alert that must be raised once (a change's, and the host verdict's
 * 230) is recorded before it is raised, with the hash of its JSON-lines
 * record, and marked sent after:
 *
 *     bw_store_alert_begin -> the sinks -> bw_store_alert_sent
 *
 * A process killed in between leaves it unsent: in doubt. At the next start
 * the caller looks for the record in the tail of events.jsonl and settles
 * each one (bw_store_alert_settle): delivered, it is marked sent; not, it is
 * taken back, so that its change is pending again (a verdict's row goes
 * with it, so that the next scan raises the verdict again). */

/* Records that the alert for change_id (0: none, e.g. a verdict) is about
 * to be raised, unsent, and returns its row in *alert_id. When the change
 * already has an alert (raised, or in doubt) nothing is written and
 * *alert_id is 0: do not raise it. BW_ENOTFOUND for a change that does not
 * exist. */
bw_err bw_store_alert_begin(bw_store *s, int64_t change_id, int event_id, const char *fields_json,
                            int64_t raised_at, uint64_t line_hash, int64_t *alert_id);

/* Marks the alert sent: every sink had its turn. */
bw_err bw_store_alert_sent(bw_store *s, int64_t alert_id);

/* The alerts begun and not marked sent, oldest first (*out zeroed or freed
 * before). */
bw_err bw_store_alerts_in_doubt(bw_store *s, bw_alert_records *out);

/* Settles an alert in doubt: delivered marks it sent; otherwise, in one
 * transaction, it is deleted with any verdict recorded for it, so that its
 * change is pending again (bw_store_pending_changes) and the next scan
 * records and raises the verdict again. */
bw_err bw_store_alert_settle(bw_store *s, int64_t alert_id, bool delivered);

/* ---- update status (bw_store_updates.c) ---------------------------------- */

/* In one transaction, replaces the stored update statuses with u's items:
 * one row per product (the product-less group, product NULL, is stored
 * under ''), products u no longer lists are deleted. scan_id is the scan
 * that computed them (bw_store_apply_scan), now the time of writing. A
 * product listed twice counts once (the last one). On failure nothing is
 * written. */
bw_err bw_store_set_update_status(bw_store *s, const bw_updates *u, int64_t scan_id, int64_t now);

/* One product's update status as stored. */
typedef struct bw_stored_update {
    char *product;  /* vendor key; NULL for the product-less group */
    bool has_date;  /* some evidence gave a date */
    int64_t newest; /* Unix seconds, UTC, if has_date (0 otherwise) */
    char *evidence; /* bw_evidence_kind_name of the newest date; NULL
                       without a date */
    char *source;   /* where the newest date was read; NULL without one */
    int64_t cutoff; /* the cutoff that applied */
    bool after_cutoff;
    int64_t age_days; /* if has_date (0 otherwise) */
    bool stale;
    bool never_updated; /* the product says it never updated */
    int64_t scan_id;    /* the scan that computed it */
    int64_t updated_at; /* when it was written */
} bw_stored_update;

typedef struct bw_stored_updates {
    bw_stored_update *items;
    size_t n, cap;
} bw_stored_updates;

/* NULL-safe; leaves *u empty. */
void bw_stored_updates_free(bw_stored_updates *u);

/* The stored update statuses into *out (zeroed or freed before), ordered
 * by product, the product-less group last (as bw_updates orders them). */
bw_err bw_store_update_status(bw_store *s, bw_stored_updates *out);

/* ---- meta (bw_store_state.c) --------------------------------------------- */

/* A small integer setting kept across restarts (e.g. "last_heartbeat").
 * get: BW_ENOTFOUND if unset. */
bw_err bw_store_meta_get(bw_store *s, const char *key, int64_t *value);
bw_err bw_store_meta_set(bw_store *s, const char *key, int64_t value);

/* ---- runs of the service (bw_store_state.c) ------------------------------- */

/* How the previous run of the service ended, as the store remembers it. */
typedef enum bw_prev_stop {
    BW_PREV_STOP_UNKNOWN = 0, /* no run recorded: the first start with this database */
    BW_PREV_STOP_CLEAN,       /* it stopped on request (bw_store_run_end) */
    BW_PREV_STOP_UNCLEAN      /* it ended without stopping: a crash, a kill, a power cut */
} bw_prev_stop;

/* "unknown", "clean", "unclean". */
const char *bw_prev_stop_name(bw_prev_stop p);

/* Marks a run as begun at `now` (meta "run_started_at") and says how the
 * previous one ended: UNCLEAN when its mark is still set (*prev_started,
 * optional, then receives when that run began; 0 otherwise), CLEAN when
 * bw_store_run_end cleared it, UNKNOWN when no run was ever marked. One
 * transaction: on failure nothing is written and *prev is UNKNOWN. */
bw_err bw_store_run_begin(bw_store *s, int64_t now, bw_prev_stop *prev, int64_t *prev_started);

/* Clears the mark: the run is stopping on request. A run that never gets
 * here (killed, crashed) is reported UNCLEAN by the next bw_store_run_begin. */
bw_err bw_store_run_end(bw_store *s);

/* ---- state (bw_store_state.c) -------------------------------------------- */

/* A small text kept across restarts (e.g. "gaps-digest", the last 902
 * raised). get: *value is a malloc'd copy, BW_ENOTFOUND if unset. set with
 * value NULL deletes the key. */
bw_err bw_store_state_get(bw_store *s, const char *key, char **value);
bw_err bw_store_state_set(bw_store *s, const char *key, const char *value, int64_t now);

/* ---- host verdicts (bw_store_state.c) ------------------------------------ */

/* One host verdict as it was recorded when it changed: the fields of
 * event 230 (bw_alert.h), as text. */
typedef struct bw_verdict_record {
    int64_t id;
    int64_t at;
    int64_t scan_id;            /* 0 if none */
    char *digest;               /* bw_verdict_digest */
    char *present;              /* "confirmed", "likely", "possible" or "no" */
    char *products;             /* "name version; name version" */
    char *updated_after_cutoff; /* "yes", "no", "unknown" */
    char *newest_update;        /* "YYYY-MM-DDTHH:MM:SSZ" or NULL */
    char *update_evidence;
    char *stale; /* "yes", "no", "unknown" */
    char *ksn;   /* "none", "present", "active" */
    char *containment;
    char *headline;
    char *next_step;
    int64_t alert_id; /* the 230 that raised it (bw_store_alert_begin); 0 if none */
} bw_verdict_record;

/* NULL-safe; leaves *r zeroed. */
void bw_verdict_record_free(bw_verdict_record *r);

/* Records a verdict (one row per change); r->id is ignored. */
bw_err bw_store_verdict_add(bw_store *s, const bw_verdict_record *r);

/* The newest recorded verdict into *out (zeroed or freed before);
 * BW_ENOTFOUND if none. */
bw_err bw_store_verdict_last(bw_store *s, bw_verdict_record *out);

/* ---- containment (bw_store_contain.c) ------------------------------------ */

/* What banwatch did to one service, kept per service name
 * (case-insensitive). */
typedef struct bw_contain_record {
    char *name;
    char *kind;                 /* "service", "driver" or "dependent" */
    char *display_name;         /* may be NULL */
    bool changed;               /* banwatch changed it and has not restored it:
                                   prior_start/prior_state are what to put back */
    bool has_prior;             /* prior_start/prior_state were recorded */
    uint32_t prior_start;       /* BW_START_* before the first change */
    uint32_t prior_state;       /* BW_STATE_* before the first change */
    bw_contain_outcome outcome; /* the last outcome */
    char *action;               /* of the last outcome; may be NULL */
    char *detail;               /* of the last outcome; may be NULL */
    uint32_t error;             /* Win32 error of the last outcome, 0 if none */
    int64_t changed_at;         /* when banwatch first changed it; 0 if never */
    int64_t outcome_at;         /* when the last outcome was recorded */
    int64_t restored_at;        /* when it was last restored; 0 if never */
} bw_contain_record;

typedef struct bw_contain_records {
    bw_contain_record *items;
    size_t n, cap;
} bw_contain_records;

/* NULL-safe; leave the record / list zeroed. */
void bw_contain_record_free(bw_contain_record *r);
void bw_contain_records_free(bw_contain_records *r);

/* The record of one service into *out (zeroed or freed before);
 * BW_ENOTFOUND if there is none. */
bw_err bw_store_contain_get(bw_store *s, const char *name, bw_contain_record *out);

/* Records a service's start type and state before banwatch changes it and
 * marks it changed (changed_at = now unless already changed). When it is
 * already marked changed, the prior values are kept: what the service
 * looks like now is banwatch's own doing. Must succeed before the change
 * is made. */
bw_err bw_store_contain_prior(bw_store *s, const char *name, const char *kind,
                              const char *display_name, uint32_t start, uint32_t state,
                              int64_t now);

/* Takes back a bw_store_contain_prior whose change was not made, for a
 * service banwatch had not changed before: clears `changed` and
 * changed_at, so that restore leaves it alone. */
bw_err bw_store_contain_unmark(bw_store *s, const char *name);

/* Records an outcome as the service's last one (creating the record if
 * needed). A RESTORED outcome also clears `changed` and sets restored_at.
 * *repeat (optional) is set when the record already held the same outcome
 * and action (nothing new to report). */
bw_err bw_store_contain_outcome(bw_store *s, const bw_contain_result *r, int64_t now,
                                bool *repeat);

/* Every record, changed ones first, then by name (*out zeroed or freed
 * before). */
bw_err bw_store_contain_list(bw_store *s, bw_contain_records *out);

#endif
