/*
 * bw_alert.h - alert decisions (portable core): the changes the state store
 * found, and the service's own lifecycle and errors, turned into alerts with
 * a stable Event ID, a severity and an ordered list of fields.
 *
 * Pure: no I/O, no clock (times are passed in), no globals. The same alert
 * feeds every sink: its fields, in order, are the Event Log insertion
 * strings (%1, %2, ... of the message table) and, each at its ECS path with
 * its type, the members of the JSON-lines record (bw_alert_json). The store
 * remembers which changes were alerted (bw_store_record_alert); this file
 * only decides.
 *
 * Event IDs never change meaning once released; new ones are added within
 * their band. Fields per event, in insertion-string order (%1 is always the
 * host):
 *
 *   100 agent-started (information)
 *       host, program_version, detail, previous_stop, previous_start
 *   101 agent-stopped (information)
 *       host, program_version, detail
 *   102 policy-loaded (information)
 *       host, policy, policy_version, mode, detail
 *   110 heartbeat (information)
 *       host, policy, policy_version, last_scan, last_scan_complete,
 *       findings, product, service, driver, ksn, filter, registry,
 *       ksn_connection, present, products, updated_after_cutoff, stale,
 *       ksn_state, containment (the host verdict, bw_verdict.h)
 *   200 new-product, 201 new-service, 202 new-driver, 203 new-ksn-component,
 *   204 new-class-filter, 205 new-registry-footprint,
 *   206 new-ksn-connection (warning),
 *   210 finding-resolved (information), 220 finding-changed (warning)
 *       host, kind, name, key, display_name, publisher, version,
 *       old_version, path, source, rule, tier, old_display_name, old_path,
 *       old_tier (the old_* values on 220 only; name is the display name
 *       for products, the key name for the other kinds)
 *   230 host-verdict (warning when the vendor counts, else information)
 *       host, present, products, updated_after_cutoff, newest_update,
 *       update_evidence, stale, ksn_state, containment, headline, next_step
 *   300 update-after-cutoff (warning), 301 stale-protection (warning)
 *       host, product, newest_update, evidence, source, cutoff, age_days,
 *       threshold_days, display_name
 *   400 would-disable (information), 401 service-disabled (warning),
 *   402 service-stopped (warning), 403 containment-blocked (warning),
 *   404 containment-failed (error), 405 service-restored (information),
 *   406 containment-held (warning): 400 + bw_contain_outcome
 *       host, service, display_name, kind, action, prior_start_type,
 *       prior_state, result, error_code, detail
 *   900 state-db-recreated, 901 policy-invalid, 902 scan-incomplete,
 *   903 state-db-unavailable (error)
 *       host, detail
 *   904 data-dir-secured (warning)
 *       host, path, action, found, moved_to
 *   905 untrusted-data (error)
 *       host, path, reason, effect
 *   906 write-failed (error)
 *       host, path, error, effect
 *
 * A missing value is NULL in the alert, "-" as an insertion string and
 * left out of the JSON record. Values are kept as text (numbers in decimal,
 * booleans "true"/"false", times ISO 8601 UTC): the Event Log gets that
 * text, the JSON record the typed value (docs/events.md, "ECS fields").
 */
#ifndef BW_ALERT_H
#define BW_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_contain.h"
#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_store.h"
#include "bw_str.h"
#include "bw_updates.h"
#include "bw_verdict.h"

typedef enum bw_event_id {
    /* 1xx lifecycle */
    BW_EVENT_AGENT_STARTED = 100,
    BW_EVENT_AGENT_STOPPED = 101,
    BW_EVENT_POLICY_LOADED = 102, /* loaded at start or reloaded */
    BW_EVENT_HEARTBEAT = 110,
    /* 2xx findings: 200 + bw_kind for new findings */
    BW_EVENT_NEW_PRODUCT = 200,
    BW_EVENT_NEW_SERVICE = 201,
    BW_EVENT_NEW_DRIVER = 202,
    BW_EVENT_NEW_KSN = 203,
    BW_EVENT_NEW_FILTER = 204,
    BW_EVENT_NEW_REGISTRY = 205,
    BW_EVENT_NEW_KSN_CONNECTION = 206,
    BW_EVENT_FINDING_RESOLVED = 210,
    BW_EVENT_FINDING_CHANGED = 220,
    BW_EVENT_HOST_VERDICT = 230, /* the host's verdict changed */
    /* 3xx update activity */
    BW_EVENT_UPDATE_AFTER_CUTOFF = 300, /* update evidence dated at/after the cutoff */
    BW_EVENT_STALE_PROTECTION = 301,    /* newest signatures older than the threshold */
    /* 4xx containment: 400 + bw_contain_outcome */
    BW_EVENT_WOULD_DISABLE = 400,          /* audit mode: what enforce would do */
    BW_EVENT_SERVICE_DISABLED = 401,       /* start type set to disabled */
    BW_EVENT_SERVICE_CONTAINED_STOP = 402, /* stopped by containment */
    BW_EVENT_CONTAIN_BLOCKED = 403,        /* refused by self-defense / protection */
    BW_EVENT_CONTAIN_FAILED = 404,         /* another failure */
    BW_EVENT_SERVICE_RESTORED = 405,       /* prior start type put back */
    BW_EVENT_CONTAIN_HELD = 406,           /* no other anti-virus would remain */
    /* 9xx errors */
    BW_EVENT_STATE_DB_RECREATED = 900,
    BW_EVENT_POLICY_INVALID = 901,
    BW_EVENT_SCAN_INCOMPLETE = 902,
    BW_EVENT_STATE_DB_UNAVAILABLE = 903, /* the state database cannot be opened */
    BW_EVENT_DATA_DIR_SECURED = 904,     /* others could change the data folder: repaired */
    BW_EVENT_UNTRUSTED_DATA = 905,       /* a file or the folder is refused: others control it */
    BW_EVENT_WRITE_FAILED = 906          /* the log or events.jsonl cannot be written */
} bw_event_id;

typedef enum bw_severity {
    BW_SEVERITY_INFORMATION = 0,
    BW_SEVERITY_WARNING,
    BW_SEVERITY_ERROR
} bw_severity;

/* Every Event ID above, in ascending order (for tests and the message
 * table check). */
extern const bw_event_id bw_event_ids[];
extern const size_t bw_n_event_ids;

/* True for the IDs listed above. */
bool bw_event_known(int id);

/* Stable lower-case name ("new-driver"), "unknown" for other values. */
const char *bw_event_name(bw_event_id id);

/* Severity of an event: new findings and changes warning, resolved and
 * lifecycle information, 9xx error. Unknown IDs are errors. */
bw_severity bw_event_severity(bw_event_id id);

/* "information", "warning", "error". */
const char *bw_severity_name(bw_severity s);

#define BW_ALERT_MAX_FIELDS 24

/* How a field's text is written in the JSON record. */
typedef enum bw_field_type {
    BW_FIELD_TEXT = 0, /* a JSON string */
    BW_FIELD_INT,      /* decimal text, a JSON number */
    BW_FIELD_BOOL,     /* "true" or "false", a JSON boolean */
    BW_FIELD_DATE      /* "YYYY-MM-DDTHH:MM:SSZ", a JSON string (ECS date) */
} bw_field_type;

typedef struct bw_alert_field {
    const char *name; /* static text: the insertion string's key=value name */
    const char *path; /* static text: where it goes in the JSON record,
                         an ECS field ("package.name") or "banwatch.<...>" */
    bw_field_type type;
    char *value; /* owned; NULL when missing */
} bw_alert_field;

typedef struct bw_alert {
    bw_event_id event_id;
    bw_severity severity;
    int64_t change_id; /* the store's change it is for; 0 for other events */
    size_t n_fields;
    bw_alert_field fields[BW_ALERT_MAX_FIELDS];
} bw_alert;

/* Frees the values; leaves *a zeroed. NULL-safe. */
void bw_alert_clear(bw_alert *a);

typedef struct bw_alerts {
    bw_alert *items;
    size_t n, cap;
} bw_alerts;

/* NULL-safe; leaves *a empty. */
void bw_alerts_free(bw_alerts *a);

/* Value of a field by name, NULL if missing or absent. */
const char *bw_alert_get(const bw_alert *a, const char *field);

/* ---- decisions ------------------------------------------------------------ */

/* The alert for one change: NEW -> 200 + kind (a finding that reappears
 * after being resolved is new again), RESOLVED -> 210, CHANGED -> 220.
 * *out is overwritten (not freed first). host may be NULL. */
bw_err bw_alert_from_change(const bw_change *c, const char *host, bw_alert *out);

/* One alert per change, in the same order, appended to *out (zeroed or
 * freed before). On failure *out is emptied. */
bw_err bw_alert_from_changes(const bw_changes *c, const char *host, bw_alerts *out);

/* 100 agent-started. How the previous run ended (bw_store_run_begin) is
 * in previous_stop ("clean", "unclean" or "unknown") and in the detail:
 * "started", or "recovered after an unclean stop" when it ended without
 * stopping (then previous_start is when that run began, prev_started; it
 * is missing otherwise). */
bw_err bw_alert_agent_started(const char *host, const char *program_version, bw_prev_stop prev,
                              int64_t prev_started, bw_alert *out);

/* 101 (BW_EINVAL for other IDs: 100 is bw_alert_agent_started). detail may
 * be NULL. */
bw_err bw_alert_lifecycle(bw_event_id id, const char *host, const char *program_version,
                          const char *detail, bw_alert *out);

/* 102: the policy now in use (Group Policy's overrides applied); detail
 * e.g. "loaded from <file>"; from_group_policy the settings Group Policy
 * set, comma-separated (bw_gp_from_list), "-" (or NULL) for none. */
bw_err bw_alert_policy_loaded(const char *host, const bw_policy *pol, const char *detail,
                              const char *from_group_policy, bw_alert *out);

/* 900, 901, 902 or 903 (BW_EINVAL for other IDs), with the message to show. */
bw_err bw_alert_error(bw_event_id id, const char *host, const char *detail, bw_alert *out);

/* 904: the data folder at path was repaired; action is
 * bw_datadir_action_name's word, found what was wrong, moved_to where an
 * untrusted folder went (NULL unless moved aside). */
bw_err bw_alert_data_dir(const char *host, const char *path, const char *action,
                         const char *found, const char *moved_to, bw_alert *out);

/* 905: banwatch refuses the file or folder at path (reason: why it cannot
 * be trusted; effect: what banwatch does without it). */
bw_err bw_alert_untrusted(const char *host, const char *path, const char *reason,
                          const char *effect, bw_alert *out);

/* 906: writing the file at path (the service log, events.jsonl) fails
 * (error: the reason with its code); effect: what is lost until it works
 * again. */
bw_err bw_alert_write_failed(const char *host, const char *path, const char *error,
                             const char *effect, bw_alert *out);

/* 300 or 301 for one product's update status (BW_EINVAL for other IDs or
 * a status without a date). threshold_days is the policy's
 * stale_after_days; display_name the product's name as users know it (the
 * vendor key's ProductName; may be NULL). */
bw_err bw_alert_update(bw_event_id id, const char *host, const bw_update_status *st,
                       const char *display_name, unsigned threshold_days, bw_alert *out);

/* 300 for a product change that is itself update activity after the
 * cutoff (docs/events.md): a CHANGED finding whose version changed, or a
 * NEW product, service, driver or KSN component that appeared while
 * banwatch was already watching (first_scan false: the change was not part
 * of the first inventory), when the change happened at or after `cutoff`.
 * The evidence field says "version-change" or "new-component".
 * BW_ENOTFOUND when the change is not such activity (*out is then empty). */
bw_err bw_alert_change_activity(const bw_change *c, const char *host, int64_t cutoff,
                                bool first_scan, bw_alert *out);

/* 400 + r->outcome for one containment outcome (BW_EINVAL for an unknown
 * outcome or a result without a service name). */
bw_err bw_alert_contain(const bw_contain_result *r, const char *host, bw_alert *out);

/* ---- what is due (decisions that remember) ------------------------------------------
 * The service raises some alerts once per state, across restarts. What was
 * raised is kept by the caller (the state database); these decisions read
 * it through a lookup and say what to raise and what to remember. */

/* Reads a remembered number; false when the key is unset. */
typedef bool (*bw_memory_get)(void *ctx, const char *key, int64_t *value);

/* An alert that is due, and what to remember once it is raised. */
typedef struct bw_due_alert {
    bw_alert alert;
    char *memory_key;
    int64_t memory_value;
} bw_due_alert;

typedef struct bw_due_alerts {
    bw_due_alert *items;
    size_t n, cap;
} bw_due_alerts;

/* NULL-safe; leaves *d empty. */
void bw_due_alerts_free(bw_due_alerts *d);

/* The update alerts due for a scan: 300 for each product whose newest
 * update after the cutoff is newer than the one last raised
 * ("update-after-cutoff:<product>"), so evidence that appeared while the
 * service was not running is raised once at the next start; 301 for each
 * still-installed product (its registry key is among `counted`) whose
 * newest signatures passed the threshold, while the vendor may run
 * (bw_vendor_may_run), once per newest date ("stale-protection:<product>").
 * *out zeroed or freed before. BW_ENOMEM only. */
bw_err bw_alert_updates_due(const bw_updates *u, const bw_findings *counted, const char *host,
                            unsigned threshold_days, bw_memory_get get, void *ctx,
                            bw_due_alerts *out);

/* 902 scan-incomplete when what could not be read differs from `last` (the
 * digest last raised, or NULL). *digest receives the new digest, or NULL
 * when the scan had no gap (forget it). Returns BW_ENOTFOUND when nothing
 * is due (then *out is empty). */
bw_err bw_alert_gaps_due(const bw_snapshot *snap, const char *host, const char *last,
                         bw_alert *out, char **digest);

/* 903 state-db-unavailable when the reason (detail, the store's message)
 * differs from `last`, the one last raised (or NULL): a database that stays
 * unusable is reported once, not at every retry. BW_ENOTFOUND when nothing
 * is due (then *out is empty). */
bw_err bw_alert_db_unavailable_due(const char *host, const char *last, const char *detail,
                                   bw_alert *out);

/* 230 host-verdict when the verdict's digest differs from `last` (or NULL);
 * *digest receives it. BW_ENOTFOUND when nothing is due. */
bw_err bw_alert_verdict_due(const bw_verdict *v, const char *host, const char *last,
                            bw_alert *out, char **digest);

/* What a heartbeat summarises. Strings are borrowed. */
typedef struct bw_heartbeat {
    const char *host;
    const char *policy_name;
    const char *policy_version;
    int64_t last_scan; /* finish time of the last scan; 0 if none */
    bool last_scan_complete;
    size_t by_kind[BW_STORE_KINDS]; /* unresolved findings per bw_kind */
    const bw_verdict *verdict;      /* the last one, or NULL before the first scan */
} bw_heartbeat;

/* Sets hb->by_kind from the store's current findings. */
void bw_heartbeat_count(bw_heartbeat *hb, const bw_stored_findings *current);

/* 110. */
bw_err bw_alert_heartbeat(const bw_heartbeat *hb, bw_alert *out);

/* ---- rendering ------------------------------------------------------------------- */

/* The insertion strings, in order: out[i] points at the i-th field's value,
 * or at "-" when it is missing. Returns the number of fields (at most
 * cap are written). The pointers live as long as the alert. */
size_t bw_alert_strings(const bw_alert *a, const char **out, size_t cap);

/* Appends the fields as one flat JSON object of strings,
 * {"name": "value", ...}, by their insertion-string names, in order (no
 * newline). This is what the store records. */
bw_err bw_alert_fields_json(const bw_alert *a, bw_buf *out);

/* The event's one-line text, the first line of its message in the
 * message table (service/messages/banwatch.mc) with the insertion strings
 * put in: what Event Viewer shows above the key=value lines. Appended to
 * *out. */
bw_err bw_alert_message(const bw_alert *a, bw_buf *out);

/* The ECS classification of an event (docs/events.md, "ECS fields"). */
typedef struct bw_event_ecs {
    const char *kind;     /* event.kind: "alert", "state" or "event" */
    const char *category; /* event.category (one value) */
    const char *type;     /* event.type (one value) */
    const char *outcome;  /* event.outcome, or NULL */
} bw_event_ecs;

/* The classification of a known event; all NULL for others. */
bw_event_ecs bw_event_ecs_of(bw_event_id id);

/* The message template of an event (%1 ... as in the message table), NULL
 * for unknown IDs. */
const char *bw_event_text(bw_event_id id);

/* Appends the JSON-lines record: one ECS document on one line, nested
 * objects, then "\n":
 *   {"@timestamp":"2024-10-01T08:00:00Z","message":"...","event":{"code":"200",
 *    "action":"new-product","kind":"alert","category":["package"],...},
 *    "log":{"level":"warning"},"host":{"name":"WS-01"},
 *    "agent":{"type":"banwatch","version":"0.1.0"},"package":{...},...,
 *    "banwatch":{"kind":"product",...}}
 * `time` is the Unix time (UTC) the alert was raised. The same alert and
 * time always give the same bytes (the outbox hashes them). Missing values
 * are left out. */
bw_err bw_alert_json(const bw_alert *a, int64_t time, bw_buf *out);

/* What identifies a JSON-lines record after a crash (the alert outbox,
 * bw_store.h): a 64-bit FNV-1a hash of the line's bytes, without its
 * newline. Never 0 (0 means "no hash" in the store). */
uint64_t bw_alert_line_hash(const char *line, size_t len);

/* True when text (the tail of events.jsonl) holds a whole line, ended by a
 * newline, whose bw_alert_line_hash is `hash`. A line cut at the start of
 * the text or left without its newline (the write was cut short) does not
 * count. */
bool bw_alert_line_in(const char *text, size_t len, uint64_t hash);

#endif
