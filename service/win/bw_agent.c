/*
 * bw_agent.c - the resident agent's loop (Win32 layer).
 *
 * Start: data directory, log, Group Policy, sinks, policy, state database;
 * raise what a previous run left pending; scan; report running. Then wait,
 * using no CPU, on: the stop event, the policy-reload event, registry
 * change watches on the Uninstall and Services keys and on Group Policy's
 * key (HKLM\SOFTWARE\Policies\banwatch, or HKLM\SOFTWARE\Policies until it
 * exists), and a timeout for the next due work (debounced quick rescan,
 * Group Policy change, full rescan, heartbeat).
 *
 * The policy in force is the policy file (or the built-in policy) with
 * Group Policy's values over it (core/bw_gpo.h). Group Policy is read again
 * when its key changes and before every scan, and a change is put in force
 * (and raised as 102) before that scan judges or contains anything.
 */
#include "bw_agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_appender.h"
#include "collect/bw_collect.h"
#include "bw_dirwatch.h"
#include "bw_regwatch.h"
#include "contain/bw_contain_exec.h"
#include "sink/bw_sink.h"
#include "bw_datadir.h"
#include "bw_gpread.h"
#include "bw_policyload.h"
#include "bw_sqlheap.h"
#include "bw_winerr.h"
#include "bw_winhost.h"
#include "../core/bw_alert.h"
#include "../core/bw_contain.h"
#include "../core/bw_eval.h"
#include "../core/bw_gpo.h"
#include "../core/bw_judge.h"
#include "../core/bw_report.h"
#include "../core/bw_store.h"
#include "../core/bw_updates.h"

#include "bw_version.h"

#define TAIL_BYTES      (256u << 10) /* of events.jsonl read to settle alerts in doubt */
#define LOG_MAX_BYTES   (1u << 20)
#define LOG_KEEP        3
#define MAX_WATCHES     5  /* Uninstall (2 views), Services, vendor roots (2 views) */
#define MAX_DIR_WATCHES 16 /* signature bases folders */

typedef struct agent {
    const bw_api *api;
    HANDLE stop_event; /* manual-reset: containment waits end early on it */
    bw_datadir dir;
    bw_err dir_err; /* opening the data folder: BW_OK, or why it is refused */
    char *data_dir; /* dir.path when the folder may be used, else NULL */
    char *log_path;
    bw_err log_err; /* the log's trust: BW_OK, BW_ENOTFOUND (new), else refused */
    char log_why[320];
    bw_strlist refused; /* "path: why" of every 905 raised, to raise each once */
    bw_appender *log;
    bw_sinks sinks;
    bw_store *store;
    char *store_path;
    bw_policy *pol;        /* the policy in force: &in_force once one is loaded */
    bw_policy *base;       /* the policy as loaded (a file or the built-in one) */
    bw_policy in_force;    /* a flat copy of *base with Group Policy's values over
                              it (shares base's memory: never freed itself) */
    char *origin;          /* base's file, or "built-in" */
    bool from_file;        /* base is a file's */
    bw_gp_values gp;       /* Group Policy's values as last read */
    char *gp_digest;       /* ... and their digest, to tell a change */
    bw_gp_applied applied; /* what they gave (mode source, outputs, errors) */
    bw_strlist gp_errors;  /* the errors of values not applied, as last raised */
    char *settings;        /* the settings in force, as last raised in 102 */
    bool retime;           /* the intervals changed: timers start again */
    bool jsonl_off;        /* what the sinks were opened with */
    char *jsonl_path;
    bw_regwatch *gp_watch; /* Group Policy's key, or its parent until it exists */
    bool gp_watch_parent;
    char *host;
    char *last_gaps;     /* digest of the last 902 raised (also kept in the store) */
    char *last_db_error; /* detail of the last 903 raised: raise again only on change */
    /* The log or events.jsonl stopped or resumed taking lines
     * (bw_appender_on_trouble), told one at a time (file_trouble). */
    struct {
        char *path;
        unsigned long error, lost;
        bool rotation;
    } trouble[4];
    size_t n_trouble;
    bool in_trouble;
    bw_verdict verdict;  /* the last scan's host verdict (for the heartbeat), a flat copy
                            in verdict_block (bw_verdict_copy_flat) */
    void *verdict_block; /* in keep_heap */
    HANDLE keep_heap;    /* a private heap for what is kept between scans */
    bool has_verdict;
    bw_regwatch *watches[MAX_WATCHES];
    bw_dirwatch *dirs[MAX_DIR_WATCHES];
    size_t n_dirs;
} agent;

static void logf_(agent *a, const char *level, const char *fmt, ...) BW_PRINTF(3, 4);
static void logf_(agent *a, const char *level, const char *fmt, ...)
{
    if (!a->log)
        return;
    char when[21];
    bw_format_utc(bw_win_now(a->api), when);
    bw_buf b = {0};
    bw_buf_printf(&b, "%s %-5s ", when, level);
    va_list ap;
    va_start(ap, fmt);
    bw_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    bw_buf_putc(&b, '\n');
    if (!b.failed)
        bw_appender_write(a->log, b.data, b.len);
    bw_buf_free(&b);
}

static void emit(agent *a, const bw_alert *al, int64_t now)
{
    const char *failed = NULL;
    if (bw_sinks_emit(&a->sinks, al, now, &failed) != BW_OK && failed)
        logf_(a, "ERROR",
              "event %d: the %s sink failed to take it (said once until it takes one again)",
              (int)al->event_id, failed);
}

/* Raises one alert on every sink and records it. For the alerts that must
 * go out once (a change's, a verdict's), outbox_begin and outbox_send. */
static void raise_alert(agent *a, bw_alert *al)
{
    int64_t now = bw_win_now(a->api);
    emit(a, al, now);
    if (a->store) {
        bw_buf fields = {0};
        if (bw_alert_fields_json(al, &fields) != BW_OK ||
            bw_store_record_alert(a->store, al->change_id, (int)al->event_id, fields.data, now,
                                  NULL) != BW_OK)
            logf_(a, "ERROR", "cannot record alert %d: %s", (int)al->event_id,
                  bw_store_errmsg(a->store));
        bw_buf_free(&fields);
    }
    bw_alert_clear(al);
}

/* The outbox (bw_store.h): the alert is recorded, unsent, with the hash of
 * its JSON-lines record for the time `now`, before any sink gets it.
 * False when the store says it was raised already (its change has an
 * alert): then it must not be raised. *id is its row, 0 when it could not
 * be recorded (it is raised anyway: never lost). */
static bool outbox_begin(agent *a, const bw_alert *al, int64_t now, int64_t *id)
{
    *id = 0;
    if (!a->store)
        return true;
    bw_buf line = {0}, fields = {0};
    bw_err e = bw_alert_json(al, now, &line);
    if (!e)
        e = bw_alert_fields_json(al, &fields);
    if (!e) {
        e = bw_store_alert_begin(a->store, al->change_id, (int)al->event_id, fields.data, now,
                                 bw_alert_line_hash(line.data, line.len), id);
        if (e)
            logf_(a, "ERROR", "cannot record alert %d before raising it: %s", (int)al->event_id,
                  bw_store_errmsg(a->store));
    }
    bw_buf_free(&line);
    bw_buf_free(&fields);
    return e != BW_OK || *id != 0;
}

/* Raises an alert begun in the outbox, at the same `now`, and marks it
 * sent. */
static void outbox_send(agent *a, bw_alert *al, int64_t now, int64_t id)
{
    emit(a, al, now);
    if (id && bw_store_alert_sent(a->store, id) != BW_OK)
        logf_(a, "ERROR", "cannot mark alert %d sent: %s", (int)al->event_id,
              bw_store_errmsg(a->store));
    bw_alert_clear(al);
}

/* Raises a change's alert once: through the outbox. */
static void raise_once(agent *a, bw_alert *al)
{
    int64_t now = bw_win_now(a->api), id = 0;
    if (outbox_begin(a, al, now, &id))
        outbox_send(a, al, now, id);
    else
        bw_alert_clear(al);
}

static void raise_error(agent *a, bw_event_id id, const char *detail)
{
    bw_alert al = {0};
    logf_(a, "ERROR", "%s", detail);
    if (bw_alert_error(id, a->host, detail, &al) == BW_OK)
        raise_alert(a, &al);
}

/* Writing the log or events.jsonl started failing (error set) or works
 * again: 906 once per failure, a log line when it ends. Told from inside a
 * write, which the 906 itself may be (or make fail): queued and told one at
 * a time. */
static void file_trouble(void *ctx, const bw_appender_trouble *t)
{
    agent *a = ctx;
    size_t cap = sizeof a->trouble / sizeof a->trouble[0];
    if (a->n_trouble < cap) {
        a->trouble[a->n_trouble].path = bw_strdup(t->path);
        a->trouble[a->n_trouble].error = t->error;
        a->trouble[a->n_trouble].lost = t->lost;
        a->trouble[a->n_trouble].rotation = t->rotation;
        a->n_trouble++;
    }
    if (a->in_trouble)
        return;
    a->in_trouble = true;
    while (a->n_trouble) {
        char *p = a->trouble[0].path;
        unsigned long err = a->trouble[0].error, n = a->trouble[0].lost;
        bool rotation = a->trouble[0].rotation;
        memmove(&a->trouble[0], &a->trouble[1], --a->n_trouble * sizeof a->trouble[0]);
        if (!p)
            continue;
        if (err) {
            char code[96], why[256];
            bw_win_error_text(err, code, sizeof code);
            if (rotation)
                snprintf(why, sizeof why,
                         "it reached twice its size limit and cannot be rotated (%s): another "
                         "program holds it or an older copy open without FILE_SHARE_DELETE",
                         code);
            else
                snprintf(why, sizeof why, "%s", code);
            const char *effect =
                a->log_path && strcmp(p, a->log_path) == 0
                    ? "the service log is not written until this clears (each line tries again)"
                    : "events are not written to this file until this clears (each event tries "
                      "again; the Event Log gets every event)";
            logf_(a, "ERROR", "cannot write %s: %s; %s", p, why, effect);
            bw_alert al = {0};
            if (bw_alert_write_failed(a->host, p, why, effect, &al) == BW_OK)
                raise_alert(a, &al);
        } else {
            logf_(a, "INFO", "%s is written again; %lu line(s) could not be written", p, n);
        }
        free(p);
    }
    a->in_trouble = false;
}

/* 905 for a file or folder banwatch will not use, once per path and reason. */
static void refuse(agent *a, const char *path, const char *why, const char *effect)
{
    char *key = bw_strfmt("%s: %s", path, why);
    logf_(a, "ERROR", "refusing %s: %s; %s", path, why, effect);
    if (!key)
        return;
    for (size_t i = 0; i < a->refused.n; i++)
        if (strcmp(a->refused.items[i], key) == 0) {
            free(key);
            return;
        }
    bw_strlist_add_owned(&a->refused, key);
    bw_alert al = {0};
    if (bw_alert_untrusted(a->host, path, why, effect, &al) == BW_OK)
        raise_alert(a, &al);
}

/* Whether the file `name` of the data folder may be used: it is absent or
 * trusted (core/bw_trust.h). If not, 905 says what banwatch does without it. */
static bool data_file_ok(agent *a, const char *name, const char *effect)
{
    if (!a->data_dir)
        return false;
    char why[320];
    bw_err e = bw_datadir_file_trusted(a->api, &a->dir, name, why, sizeof why);
    if (e == BW_OK || e == BW_ENOTFOUND)
        return true;
    if (e == BW_ENOMEM)
        return false;
    char *path = bw_strfmt("%s\\%s", a->data_dir, name);
    refuse(a, path ? path : name, why, effect);
    free(path);
    return false;
}

/* A file sink refused its file (bw_sink_env.refused). */
static void sink_refused(void *ctx, const char *path, const char *why)
{
    refuse(ctx, path, why, "events are not written to this file (the other sinks get them)");
}

static void raise_changes(agent *a, const bw_changes *ch)
{
    bw_alerts alerts = {0};
    if (bw_alert_from_changes(ch, a->host, &alerts) != BW_OK) {
        logf_(a, "ERROR", "out of memory building alerts");
        return;
    }
    for (size_t i = 0; i < alerts.n; i++) {
        bool raised = false;
        if (a->store &&
            bw_store_alert_raised(a->store, alerts.items[i].change_id, &raised) == BW_OK &&
            raised) {
            bw_alert_clear(&alerts.items[i]);
            continue;
        }
        raise_once(a, &alerts.items[i]);
        /* A product change after the cutoff is update activity too. The
         * first scan of a database is the inventory, not activity. */
        const bw_change *c = &ch->items[i];
        bw_alert act = {0};
        if (bw_alert_change_activity(c, a->host, bw_policy_cutoff_for(a->pol, c->name),
                                     c->scan_id <= 1, &act) == BW_OK)
            raise_alert(a, &act);
    }
    bw_alerts_free(&alerts);
}

/* ---- policy ------------------------------------------------------------------ */

/* Why the policy is (re)loaded. */
typedef enum load_why {
    LOAD_START,  /* the service starts */
    LOAD_RELOAD, /* banwatch reload */
    LOAD_GP      /* Group Policy's values changed */
} load_why;

/* Reads Group Policy's values into a->gp; true when they differ from those
 * read before (or cannot be compared). */
static bool gp_refresh(agent *a)
{
    bw_gp_values v;
    if (bw_win_gp_read(a->api, &v) != BW_OK) {
        logf_(a, "ERROR", "reading Group Policy: out of memory");
        return false;
    }
    char *d = bw_gp_values_digest(&v);
    bool changed = !d || !a->gp_digest || strcmp(d, a->gp_digest) != 0;
    bw_gp_values_free(&a->gp);
    a->gp = v;
    free(a->gp_digest);
    a->gp_digest = d;
    return changed;
}

static void open_sinks(agent *a)
{
    char msg[1024] = "";
    bw_sink_env env = {.api = a->api,
                       .data_dir = a->data_dir,
                       .self_sid = a->dir.self_sid,
                       .jsonl_off = a->jsonl_off,
                       .jsonl_path = a->jsonl_path,
                       .log = a->log,
                       .refused = sink_refused,
                       .trouble = file_trouble,
                       .ctx = a};
    if (bw_sinks_open(&env, &a->sinks, msg, sizeof msg) == BW_ENOMEM)
        logf_(a, "ERROR", "opening the sinks: out of memory");
    else if (msg[0])
        logf_(a, "ERROR", "%s", msg);
}

/* Takes the JSON-lines output Group Policy sets (on or off, its file):
 * the sinks are opened again when it changed. */
static void sinks_follow(agent *a, const bw_gp_applied *ap)
{
    bool off = !ap->jsonl;
    const char *path = ap->jsonl_path;
    bool same_path =
        (!path && !a->jsonl_path) || (path && a->jsonl_path && strcmp(path, a->jsonl_path) == 0);
    if (off == a->jsonl_off && same_path && a->sinks.n)
        return;
    bw_sinks_close(&a->sinks);
    a->jsonl_off = off;
    free(a->jsonl_path);
    a->jsonl_path = path ? bw_strdup(path) : NULL;
    open_sinks(a);
    if (off)
        logf_(a, "INFO", "events are not written as JSON lines (Group Policy)");
    else
        logf_(a, "INFO", "events are written as JSON lines to %s",
              a->jsonl_path ? a->jsonl_path : "events.jsonl in the data folder");
}

/* Loads the policy file (or the built-in policy) as bw_win_policy_source
 * finds it. A file refused (905) or invalid (901) leaves the policy in
 * force when there is one, else the built-in policy is used; so does a
 * policy.yaml removed before a reload (it is taken at the next start).
 * True when a newly loaded policy was put in place. */
static bool load_base(agent *a, load_why why)
{
    bw_policy_source src;
    bool took = false;
    const char *effect = a->base ? "the policy in force stays" : "the built-in policy is used";
    if (bw_win_policy_source(a->api, a->data_dir, a->dir.self_sid, &a->gp, &src) != BW_OK) {
        logf_(a, "ERROR", "loading the policy: out of memory");
    } else {
        if (src.file_err == BW_EACCES)
            refuse(a, src.refused ? src.refused : src.path, src.why, effect);
        else if (src.file_err != BW_OK && src.file_err != BW_ENOTFOUND)
            raise_error(a, BW_EVENT_POLICY_INVALID, src.why);
        took =
            !a->base || src.file_err == BW_OK || (why == LOAD_GP && src.file_err == BW_ENOTFOUND);
    }
    if (took) {
        bw_policy_free(a->base);
        free(a->origin);
        a->base = src.pol;
        a->origin = src.origin;
        a->from_file = src.from_file;
        src.pol = NULL;
        src.origin = NULL;
    }
    bw_policy_source_free(&src);
    return took;
}

/* Raises the errors of Group Policy values not applied (901): all at start
 * and on a reload, only new ones on a change of Group Policy. */
static void raise_gp_errors(agent *a, load_why why)
{
    for (size_t i = 0; i < a->applied.errors.n; i++) {
        const char *err = a->applied.errors.items[i];
        bool known = false;
        for (size_t j = 0; j < a->gp_errors.n && !known; j++)
            known = strcmp(a->gp_errors.items[j], err) == 0;
        if (why != LOAD_GP || !known)
            raise_error(a, BW_EVENT_POLICY_INVALID, err);
    }
    bw_strlist_free(&a->gp_errors);
    for (size_t i = 0; i < a->applied.errors.n; i++)
        bw_strlist_add(&a->gp_errors, a->applied.errors.items[i]);
}

/* The settings in force as one text: the policy, its origin and each
 * setting Group Policy can set, with where it came from. */
static char *settings_text(agent *a)
{
    bw_buf b = {0};
    bw_buf_printf(&b, "policy=%s %s (%s)\n", a->pol->name, a->pol->version, a->origin);
    bw_gp_settings_text(a->pol, &a->applied, &b);
    return bw_buf_take(&b);
}

/* Puts the policy in force: the file (or built-in) policy with Group
 * Policy's values (a->gp, read by the caller) over it. 102 says so at
 * start, after a reload that loaded a policy, and whenever the settings
 * in force changed (a Group Policy change among them). */
static void load_policy(agent *a, load_why why)
{
    bool took = load_base(a, why);
    if (!a->base) {
        logf_(a, "ERROR", "no policy could be loaded");
        return;
    }
    uint32_t scan_interval = a->pol ? a->pol->scan_interval : 0;
    uint32_t heartbeat_interval = a->pol ? a->pol->heartbeat_interval : 0;
    a->in_force = *a->base;
    a->pol = &a->in_force;
    bw_gp_applied_free(&a->applied);
    if (bw_gp_apply(&a->gp, a->pol, a->from_file, &a->applied) != BW_OK)
        logf_(a, "ERROR", "applying Group Policy: out of memory");
    raise_gp_errors(a, why);
    sinks_follow(a, &a->applied);
    a->retime = a->pol->scan_interval != scan_interval ||
                a->pol->heartbeat_interval != heartbeat_interval;
    char *settings = settings_text(a);
    bool changed = !settings || !a->settings || strcmp(settings, a->settings) != 0;
    free(a->settings);
    a->settings = settings;
    if (!(why == LOAD_START || (why == LOAD_RELOAD && took) || changed))
        return;
    char *from = bw_gp_from_list(&a->applied);
    char *detail =
        bw_strfmt("%s from %s; containment mode from %s",
                  why == LOAD_START    ? "loaded"
                  : why == LOAD_RELOAD ? "reloaded"
                                       : "reloaded after a Group Policy change: policy",
                  a->origin, a->applied.mode_source);
    logf_(a, "INFO", "policy: %s; settings from Group Policy: %s", detail ? detail : "?",
          from ? from : "?");
    bw_alert al = {0};
    if (bw_alert_policy_loaded(a->host, a->pol, detail, from, &al) == BW_OK)
        raise_alert(a, &al);
    free(detail);
    free(from);
}

/* ---- state database -------------------------------------------------------------- */

/* The alerts a run that ended without stopping had begun and not marked
 * sent (bw_store_alerts_in_doubt): each whose record is in the end of
 * events.jsonl went out, the others are taken back and raised again (their
 * changes are pending again, a verdict is raised by the next scan). Without
 * the JSON-lines file there is no telling: they are raised again. */
static void settle_in_doubt(agent *a)
{
    bw_alert_records doubt = {0};
    if (bw_store_alerts_in_doubt(a->store, &doubt) != BW_OK) {
        logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
        return;
    }
    bw_buf tail = {0};
    bool have_tail = doubt.n && bw_sinks_tail(&a->sinks, TAIL_BYTES, &tail) == BW_OK;
    for (size_t i = 0; i < doubt.n; i++) {
        const bw_alert_record *r = &doubt.items[i];
        bool delivered = have_tail && r->line_hash && tail.len &&
                         bw_alert_line_in(tail.data, tail.len, r->line_hash);
        if (bw_store_alert_settle(a->store, r->id, delivered) != BW_OK) {
            logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
            continue;
        }
        logf_(a, "WARN", "event %d begun by a run that ended without stopping: %s", r->event_id,
              delivered ? "its record is in events.jsonl, it was raised"
                        : "its record is not in events.jsonl, it is raised again");
    }
    bw_buf_free(&tail);
    bw_alert_records_free(&doubt);
}

/* 903 when the state database cannot be used (opened, or written): raised
 * when the reason changes, not at every retry (each scan). The store is
 * closed before: a database that cannot be written is opened again at the
 * next scan (a read-only connection stays read-only), and the event is not
 * recorded in it. */
static void db_unavailable(agent *a, const char *msg)
{
    bw_store_close(a->store);
    a->store = NULL;
    bw_alert al = {0};
    bw_err e = bw_alert_db_unavailable_due(a->host, a->last_db_error, msg, &al);
    if (e == BW_OK) {
        logf_(a, "ERROR", "%s", msg);
        raise_alert(a, &al);
        free(a->last_db_error);
        a->last_db_error = bw_strdup(msg);
    } else if (e == BW_ENOTFOUND) {
        logf_(a, "ERROR", "%s (still)", msg);
    }
}

static void open_store(agent *a)
{
    char msg[1024] = "";
    bool recreated = false;
    bw_store_close(a->store);
    a->store = NULL;
    static const char *const files[] = {"state.db", "state.db-journal", "state.db-wal",
                                        "state.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (!data_file_ok(a, files[i],
                          "the state is not kept: alerts may repeat and containment changes "
                          "nothing; an administrator should delete the file"))
            return;
    if (bw_store_open(a->store_path, &a->store, &recreated, msg, sizeof msg) != BW_OK) {
        db_unavailable(a, msg);
        return;
    }
    if (recreated)
        raise_error(a, BW_EVENT_STATE_DB_RECREATED, msg);
    settle_in_doubt(a);
}

/* ---- scanning ------------------------------------------------------------------ */

static void ensure_watches(agent *a);

/* The store's memory of raised update alerts, for bw_alert_updates_due. */
static bool meta_get(void *ctx, const char *key, int64_t *value)
{
    return bw_store_meta_get(ctx, key, value) == BW_OK;
}

/* Raises the update alerts that are due (bw_alert_updates_due) and
 * remembers each. */
static void raise_updates(agent *a, const bw_judgement *j)
{
    if (!a->store)
        return;
    bw_due_alerts due = {0};
    if (bw_alert_updates_due(&j->updates, &j->counted, a->host, a->pol->stale_after_days,
                             meta_get, a->store, &due) != BW_OK) {
        logf_(a, "ERROR", "out of memory deciding update alerts");
        return;
    }
    for (size_t i = 0; i < due.n; i++) {
        raise_alert(a, &due.items[i].alert);
        bw_store_meta_set(a->store, due.items[i].memory_key, due.items[i].memory_value);
    }
    bw_due_alerts_free(&due);
}

/* 902 when what cannot be read changes (not on every scan, nor after a
 * restart: the digest is kept in the store when there is one). */
static void raise_gaps(agent *a, const bw_snapshot *snap)
{
    char *stored = NULL, *digest = NULL;
    if (!a->last_gaps && a->store &&
        bw_store_state_get(a->store, "gaps-digest", &stored) == BW_OK)
        a->last_gaps = stored;
    bw_alert al = {0};
    bw_err e = bw_alert_gaps_due(snap, a->host, a->last_gaps, &al, &digest);
    if (e == BW_OK) {
        logf_(a, "ERROR", "%s", bw_alert_get(&al, "detail"));
        raise_alert(a, &al);
    } else if (e == BW_ENOMEM) {
        logf_(a, "ERROR", "out of memory deciding the scan-incomplete alert");
        return;
    }
    bool changed = (digest == NULL) != (a->last_gaps == NULL) ||
                   (digest && strcmp(digest, a->last_gaps) != 0);
    if (changed && a->store)
        bw_store_state_set(a->store, "gaps-digest", digest, bw_win_now(a->api));
    free(a->last_gaps);
    a->last_gaps = digest;
}

/* 230 when the host's verdict changes; the verdicts are recorded. */
static void raise_verdict(agent *a, const bw_verdict *v, int64_t scan_id)
{
    bw_verdict_record last = {0};
    bool has_last = a->store && bw_store_verdict_last(a->store, &last) == BW_OK;
    char *digest = NULL;
    bw_alert al = {0};
    bw_err e = bw_alert_verdict_due(v, a->host, has_last ? last.digest : NULL, &al, &digest);
    int64_t now = bw_win_now(a->api), id = 0;
    if (e == BW_OK && !outbox_begin(a, &al, now, &id)) {
        bw_alert_clear(&al);
        e = BW_ENOTFOUND;
    }
    if (e == BW_OK) {
        /* The record keeps the event's own values (what status shows), and
         * the alert that raises it: taken back after a crash with it. */
        bw_verdict_record r = {.at = now,
                               .alert_id = id,
                               .scan_id = scan_id,
                               .digest = digest,
                               .present = (char *)bw_alert_get(&al, "present"),
                               .products = (char *)bw_alert_get(&al, "products"),
                               .updated_after_cutoff =
                                   (char *)bw_alert_get(&al, "updated_after_cutoff"),
                               .newest_update = (char *)bw_alert_get(&al, "newest_update"),
                               .update_evidence = (char *)bw_alert_get(&al, "update_evidence"),
                               .stale = (char *)bw_alert_get(&al, "stale"),
                               .ksn = (char *)bw_alert_get(&al, "ksn_state"),
                               .containment = (char *)bw_alert_get(&al, "containment"),
                               .headline = (char *)bw_alert_get(&al, "headline"),
                               .next_step = (char *)bw_alert_get(&al, "next_step")};
        if (a->store && bw_store_verdict_add(a->store, &r) != BW_OK)
            logf_(a, "ERROR", "cannot record the verdict: %s", bw_store_errmsg(a->store));
        logf_(a, "INFO", "verdict: %s", v->headline);
        outbox_send(a, &al, now, id);
    } else if (e == BW_ENOMEM) {
        logf_(a, "ERROR", "out of memory deciding the verdict alert");
    }
    free(digest);
    bw_verdict_record_free(&last);
}

/* The folder an evidence entry lives in (a bases folder), malloc'd. */
static char *evidence_folder(const bw_evidence_entry *ev)
{
    if (!ev->source)
        return NULL;
    if (ev->kind == BW_EVIDENCE_FILE_MTIME)
        return bw_strdup(ev->source);
    if (ev->kind != BW_EVIDENCE_BASES_INDEX && ev->kind != BW_EVIDENCE_KDB_STT)
        return NULL;
    const char *slash = strrchr(ev->source, '\\');
    return slash ? bw_strndup(ev->source, (size_t)(slash - ev->source)) : NULL;
}

/* Keeps a change watch on every bases folder the last scan read. */
static void update_dir_watches(agent *a, const bw_snapshot *snap)
{
    bw_strlist want = {0};
    for (size_t i = 0; i < snap->n_evidence; i++) {
        char *dir = evidence_folder(&snap->evidence[i]);
        if (!dir)
            continue;
        bool dup = false;
        for (size_t j = 0; j < want.n && !dup; j++)
            dup = bw_ieq(want.items[j], dir) ||
                  /* a subfolder of a watched folder is covered by it */
                  (strlen(dir) > strlen(want.items[j]) &&
                   !strncmp(dir, want.items[j], strlen(want.items[j])) &&
                   dir[strlen(want.items[j])] == '\\');
        if (dup)
            free(dir);
        else
            bw_strlist_add_owned(&want, dir);
    }
    /* close the watches no longer wanted */
    for (size_t i = 0; i < a->n_dirs;) {
        bool keep = false;
        for (size_t j = 0; j < want.n && !keep; j++)
            keep = bw_ieq(want.items[j], bw_dirwatch_path(a->dirs[i]));
        if (keep) {
            i++;
            continue;
        }
        bw_dirwatch_close(a->dirs[i]);
        a->dirs[i] = a->dirs[--a->n_dirs];
    }
    /* open the new ones */
    for (size_t j = 0; j < want.n; j++) {
        bool have = false;
        for (size_t i = 0; i < a->n_dirs && !have; i++)
            have = bw_ieq(want.items[j], bw_dirwatch_path(a->dirs[i]));
        if (have)
            continue;
        if (a->n_dirs == MAX_DIR_WATCHES) {
            logf_(a, "WARN", "too many bases folders to watch; %s is read on each scan only",
                  want.items[j]);
            continue;
        }
        unsigned long syserr = 0;
        bw_dirwatch *w = NULL;
        if (bw_dirwatch_open(a->api, want.items[j], &w, &syserr) == BW_OK) {
            a->dirs[a->n_dirs++] = w;
            logf_(a, "INFO", "watching bases folder %s", want.items[j]);
        } else {
            logf_(a, "WARN", "cannot watch bases folder %s (error %lu)", want.items[j], syserr);
        }
    }
    bw_strlist_free(&want);
}

/* ---- containment ---------------------------------------------------------------- */

static void on_contain(void *ctx, const bw_contain_result *r)
{
    agent *a = ctx;
    bw_alert al = {0};
    logf_(a, "INFO", "containment: %s %s: %s (%s)", r->kind, r->name,
          bw_contain_outcome_name(r->outcome), r->detail ? r->detail : "");
    if (bw_alert_contain(r, a->host, &al) == BW_OK)
        raise_alert(a, &al);
}

/* Runs containment on what the scan found, in the mode the judgement was
 * made with, and states the outcome in the verdict. */
static void contain(agent *a, bw_judgement *j, const char *mode_source)
{
    const bw_contain_plan *plan = &j->plan;
    if (!plan->n_act)
        return;
    bw_contain_opts o = {.mode = j->mode,
                         .stop_timeout_ms = a->pol->contain_stop_timeout * 1000u,
                         .stop_dependents = a->pol->contain_stop_dependents,
                         .now = bw_win_now(a->api),
                         .cancel = a->stop_event};
    bw_contain_summary sum = {0};
    if (bw_win_contain(a->api, a->store, plan, &o, on_contain, a, &sum) != BW_OK)
        logf_(a, "ERROR", "containment: out of memory");
    logf_(a, "INFO",
          "containment (%s mode, from %s; other anti-virus: %s): %zu target(s), "
          "%zu would be disabled, %zu disabled, %zu stopped, %zu blocked, %zu held, "
          "%zu failed, %zu already contained",
          o.mode == BW_MODE_ENFORCE ? "enforce" : "audit", mode_source,
          plan->other_av_text ? plan->other_av_text : "-", plan->n_act, sum.would_disable,
          sum.disabled, sum.stopped, sum.blocked, sum.held, sum.failed, sum.unchanged);
    bw_verdict_contain c = j->verdict.contain;
    c.acted = true;
    c.disabled = sum.disabled + sum.unchanged;
    c.blocked = sum.blocked;
    c.failed = sum.failed;
    c.would_disable = sum.would_disable;
    if (bw_verdict_set_contain(&j->verdict, &c) != BW_OK)
        logf_(a, "ERROR", "containment: out of memory");
}

static void *keep_alloc(void *ctx, size_t size)
{
    agent *a = ctx;
    return a->api->HeapAlloc(a->keep_heap, 0, size);
}

/* Keeps the verdict for the heartbeat in a heap of its own: a block kept
 * from the C heap would land among the next scan's memory and keep the
 * heap from giving that back to the system once it is freed (Wine's heap
 * returns only free memory at the end of a region). */
static void keep_verdict(agent *a, const bw_verdict *v)
{
    if (!a->keep_heap)
        a->keep_heap = a->api->HeapCreate(0, 0, 0);
    void *old = a->verdict_block;
    a->verdict_block = NULL;
    a->has_verdict = a->keep_heap && bw_verdict_copy_flat(v, keep_alloc, a, &a->verdict,
                                                          &a->verdict_block) == BW_OK;
    if (!a->has_verdict)
        logf_(a, "ERROR", "out of memory keeping the verdict");
    if (old)
        a->api->HeapFree(a->keep_heap, 0, old);
}

static void scan(agent *a, const char *why)
{
    ULONGLONG t0 = a->api->GetTickCount64();
    bw_snapshot *snap = bw_snapshot_new();
    bw_judgement j = {0};
    bw_changes ch = {0};
    bw_verdict kept = {0};
    bool has_kept = false;
    int64_t scan_id = 0;
    /* Group Policy first: a change not yet seen (its watch may not have
     * fired yet, or there is none) is put in force, and raised, before
     * anything is judged or contained under it. */
    if (gp_refresh(a))
        load_policy(a, LOAD_GP);
    const char *mode_source = a->applied.mode_source;
    /* Armed before reading: a change made while this scan runs starts the
     * next one, instead of waiting for the interval. */
    ensure_watches(a);
    if (!snap || bw_win_collect_all(a->api, &a->pol->registry_roots, &a->pol->bases_paths,
                                    snap) != BW_OK) {
        logf_(a, "ERROR", "scan (%s): out of memory", why);
        goto out;
    }
    if (bw_judge(snap, a->pol, snap->taken_at, a->pol->mode, &j) != BW_OK) {
        logf_(a, "ERROR", "scan (%s): out of memory", why);
        goto out;
    }
    if (snap->host && (!a->host || strcmp(a->host, snap->host) != 0)) {
        free(a->host);
        a->host = bw_strdup(snap->host);
    }
    int64_t now = bw_win_now(a->api);
    bool stored = false;
    if (!a->store)
        open_store(a);
    if (a->store) {
        bw_scan_meta meta;
        bw_scan_meta_init(&meta, snap, a->pol, now);
        meta.uncounted = &j.review;
        if (bw_store_apply_scan(a->store, &meta, &j.counted, now, &ch, &scan_id) != BW_OK) {
            char *msg = bw_strdup(bw_store_errmsg(a->store));
            if (bw_store_corrupt(a->store)) {
                logf_(a, "ERROR", "%s", msg ? msg : "state.db: apply scan: corrupt");
                open_store(a); /* moves the damaged file aside */
            } else {
                /* A full or read-only disk, an I/O error, a lock held too
                 * long: nothing of the scan was stored, so its changes are
                 * found again by the first scan that can be. */
                db_unavailable(a, msg ? msg : "state.db: apply scan: out of memory");
            }
            free(msg);
        } else {
            stored = true;
            if (a->last_db_error) {
                logf_(a, "INFO", "the state database works again (was: %s)", a->last_db_error);
                free(a->last_db_error);
                a->last_db_error = NULL;
            }
            if (bw_store_set_update_status(a->store, &j.updates, scan_id, now) != BW_OK)
                logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
            raise_changes(a, &ch);
            raise_updates(a, &j);
        }
    }
    contain(a, &j, mode_source);
    /* Like the changes, the verdict is raised against the stored state: not
     * while the scan cannot be stored (it would repeat at every scan). */
    if (stored)
        raise_verdict(a, &j.verdict, scan_id);
    update_dir_watches(a, snap);
    ensure_watches(a);
    raise_gaps(a, snap);
    logf_(a, "INFO",
          "scan (%s): %zu finding(s) (%zu for review), %zu change(s), %zu evidence, "
          "%zu gap(s), %llu ms",
          why, j.counted.n, j.review.n, ch.n, snap->n_evidence, snap->n_gaps,
          (unsigned long long)(a->api->GetTickCount64() - t0));
    kept = j.verdict;
    memset(&j.verdict, 0, sizeof j.verdict);
    has_kept = true;
out:
    bw_changes_free(&ch);
    bw_judgement_free(&j);
    bw_snapshot_free(snap);
    if (has_kept)
        keep_verdict(a, &kept);
    bw_verdict_free(&kept);
}

static void heartbeat(agent *a)
{
    if (!a->store)
        return;
    bw_scan_record last = {0};
    bw_stored_findings cur = {0};
    bw_heartbeat hb = {.host = a->host,
                       .policy_name = a->pol->name,
                       .policy_version = a->pol->version,
                       .verdict = a->has_verdict ? &a->verdict : NULL};
    if (bw_store_last_scan(a->store, &last) == BW_OK) {
        hb.last_scan = last.finished_at;
        hb.last_scan_complete = last.complete;
    }
    if (bw_store_current_findings(a->store, &cur) == BW_OK)
        bw_heartbeat_count(&hb, &cur);
    bw_alert al = {0};
    if (bw_alert_heartbeat(&hb, &al) == BW_OK)
        raise_alert(a, &al);
    bw_store_meta_set(a->store, "last_heartbeat", bw_win_now(a->api));
    bw_stored_findings_free(&cur);
    bw_scan_record_free(&last);
}

/* ---- watches ---------------------------------------------------------------------- */

/* The registry keys whose changes start a quick rescan: the Uninstall keys
 * (both views), the Services key, and the policy's vendor roots under HKLM
 * (both views). A vendor root that does not exist yet is tried again after
 * each scan. */
static void ensure_watches(agent *a)
{
    static const struct {
        const wchar_t *path;
        REGSAM view;
    } fixed[3] = {
        {L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall", KEY_WOW64_64KEY},
        {L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall", KEY_WOW64_32KEY},
        {L"SYSTEM\\CurrentControlSet\\Services", 0},
    };
    unsigned long syserr = 0;
    for (size_t i = 0; i < 3; i++) {
        if (a->watches[i])
            continue;
        bw_err e =
            bw_regwatch_open(a->api, fixed[i].path, fixed[i].view, &a->watches[i], &syserr);
        if (e == BW_ENOTFOUND) /* not there yet: watch its parent for its creation */
            e = bw_regwatch_open(a->api, L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion",
                                 fixed[i].view, &a->watches[i], &syserr);
        if (e != BW_OK)
            logf_(a, "WARN",
                  "cannot watch registry key %d for changes (error %lu): "
                  "only periodic scans will see its changes",
                  (int)i, syserr);
    }
    size_t slot = 3;
    for (size_t r = 0; r < a->pol->registry_roots.n && slot < MAX_WATCHES; r++) {
        const char *root = a->pol->registry_roots.items[r];
        if (strncmp(root, "HKLM\\", 5) != 0)
            continue; /* user hives come and go: periodic scans cover them */
        uint16_t *wpath = NULL;
        if (bw_utf8_to_utf16(root + 5, &wpath, NULL) != BW_OK)
            continue;
        static const REGSAM views[2] = {KEY_WOW64_64KEY, KEY_WOW64_32KEY};
        for (size_t v = 0; v < 2 && slot < MAX_WATCHES; v++, slot++)
            if (!a->watches[slot])
                bw_regwatch_open(a->api, (const wchar_t *)wpath, views[v], &a->watches[slot],
                                 &syserr);
        free(wpath);
    }
}

/* The watch on Group Policy's key, HKLM\SOFTWARE\Policies\banwatch (64-bit
 * view); while it does not exist, on HKLM\SOFTWARE\Policies for its
 * creation. Without either, the check before each scan still sees every
 * change. */
static void ensure_gp_watch(agent *a)
{
    unsigned long syserr = 0;
    if (a->gp_watch && !a->gp_watch_parent)
        return;
    bw_regwatch *w = NULL;
    bw_err e =
        bw_regwatch_open(a->api, L"SOFTWARE\\Policies\\banwatch", KEY_WOW64_64KEY, &w, &syserr);
    if (e == BW_OK) {
        bw_regwatch_close(a->gp_watch);
        a->gp_watch = w;
        a->gp_watch_parent = false;
        return;
    }
    if (a->gp_watch)
        return;
    e = bw_regwatch_open(a->api, L"SOFTWARE\\Policies", KEY_WOW64_64KEY, &a->gp_watch, &syserr);
    a->gp_watch_parent = e == BW_OK;
    if (e != BW_OK)
        logf_(a, "WARN",
              "cannot watch Group Policy's key for changes (error %lu): they are seen at "
              "each scan",
              syserr);
}

/* ---- the loop ---------------------------------------------------------------------- */

static DWORD ms_until(ULONGLONG now, ULONGLONG due)
{
    return due <= now ? 0 : (due - now > 0x7FFFFFFF ? 0x7FFFFFFF : (DWORD)(due - now));
}

/* Start: the data folder (made safe, or refused: then nothing is kept on
 * disk and the Event Log still gets every event), the log and the sinks.
 * Only running out of memory fails. */
static bw_err agent_open(agent *a)
{
    unsigned long syserr = 0;
    a->dir_err = bw_win_data_dir_open(a->api, &a->dir, &syserr);
    if (a->dir_err == BW_ENOMEM)
        return a->dir_err;
    if (a->dir_err == BW_OK)
        a->data_dir = a->dir.path;
    char why[256];
    bw_win_host_name(a->api, &a->host, why, sizeof why); /* for the first events */
    if (a->data_dir) {
        a->log_path = bw_strfmt("%s\\banwatch.log", a->data_dir);
        a->store_path = bw_strfmt("%s\\state.db", a->data_dir);
        if (!a->log_path || !a->store_path)
            return BW_ENOMEM;
        a->log_err = bw_datadir_file_trusted(a->api, &a->dir, "banwatch.log", a->log_why,
                                             sizeof a->log_why);
        if ((a->log_err == BW_OK || a->log_err == BW_ENOTFOUND) &&
            bw_appender_open(a->api, a->log_path, LOG_MAX_BYTES, LOG_KEEP, &a->log, &syserr) ==
                BW_OK)
            bw_appender_on_trouble(a->log, file_trouble, a);
    }
    logf_(a, "INFO", "banwatch %s starting, data in %s", BW_VERSION, a->data_dir);
    /* Group Policy before the sinks: it may turn events.jsonl off or put it
     * elsewhere. Its errors are raised with the policy's (load_policy). */
    gp_refresh(a);
    bw_gp_applied outputs;
    if (bw_gp_apply(&a->gp, NULL, false, &outputs) != BW_OK)
        return BW_ENOMEM;
    sinks_follow(a, &outputs);
    bw_gp_applied_free(&outputs);
    return BW_OK;
}

/* What start-up found about the data folder and the log: 904 when the
 * folder was repaired, 905 for what is refused. */
static void report_data(agent *a)
{
    if (a->dir_err != BW_OK) {
        refuse(a, a->dir.path ? a->dir.path : "the data folder",
               a->dir.found[0] ? a->dir.found : bw_strerror(a->dir_err),
               "nothing is kept on disk: no state, log or events file; the Event Log still "
               "gets every event");
        return;
    }
    if (a->dir.action == BW_DATADIR_RESET || a->dir.action == BW_DATADIR_MOVED_ASIDE) {
        const char *action = bw_datadir_action_name(a->dir.action);
        bw_alert al = {0};
        logf_(a, "WARN", "data folder %s: %s (%s)", a->dir.path, action, a->dir.found);
        if (bw_alert_data_dir(a->host, a->dir.path, action, a->dir.found, a->dir.aside, &al) ==
            BW_OK)
            raise_alert(a, &al);
    }
    if (a->log_err != BW_OK && a->log_err != BW_ENOTFOUND)
        refuse(a, a->log_path, a->log_why, "no service log is written");
}

static void raise_lifecycle(agent *a, bw_event_id id, const char *detail)
{
    bw_alert al = {0};
    if (bw_alert_lifecycle(id, a->host, BW_VERSION, detail, &al) == BW_OK)
        raise_alert(a, &al);
}

/* 100, saying how the previous run ended (the store marks each run; a mark
 * still set is a run that ended without stopping: a crash, a kill, a power
 * cut). */
static void raise_started(agent *a)
{
    bw_prev_stop prev = BW_PREV_STOP_UNKNOWN;
    int64_t prev_started = 0;
    if (a->store &&
        bw_store_run_begin(a->store, bw_win_now(a->api), &prev, &prev_started) != BW_OK)
        logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
    if (prev == BW_PREV_STOP_UNCLEAN) {
        char when[21];
        bw_format_utc(prev_started, when);
        logf_(a, "WARN", "the previous run (started %s) ended without stopping; recovering",
              when);
    }
    bw_alert al = {0};
    if (bw_alert_agent_started(a->host, BW_VERSION, prev, prev_started, &al) == BW_OK)
        raise_alert(a, &al);
}

/* When the timed work is next due (GetTickCount64 milliseconds). */
typedef struct timers {
    ULONGLONG full, heartbeat, quick; /* quick 0: no change pending */
    ULONGLONG gp;                     /* 0: no Group Policy change pending */
} timers;

/* Group Policy's key changed a moment ago: its values are read once the
 * writes settle (an update writes several). */
#define GP_SETTLE_MS 250u

static void timers_reset(const agent *a, timers *t, ULONGLONG now)
{
    t->full = now + (ULONGLONG)a->pol->scan_interval * 1000u;
    t->heartbeat = now + (ULONGLONG)a->pol->heartbeat_interval * 1000u;
}

/* The first heartbeat keeps the rhythm across restarts: a service restarted
 * more often than the interval still sends its heartbeat. */
static void timers_resume(agent *a, timers *t, ULONGLONG now)
{
    int64_t last_hb = 0;
    if (!a->store || bw_store_meta_get(a->store, "last_heartbeat", &last_hb) != BW_OK)
        return;
    int64_t due = last_hb + (int64_t)a->pol->heartbeat_interval - bw_win_now(a->api);
    if (due < (int64_t)a->pol->heartbeat_interval)
        t->heartbeat = now + (ULONGLONG)(due > 0 ? due : 0) * 1000u;
}

/* The handles to wait on: stop, reload, then every armed registry and folder
 * watch (reg_of / dir_of say which watch a handle is). */
#define MAX_HANDLES (3 + MAX_WATCHES + MAX_DIR_WATCHES)
static DWORD wait_list(const agent *a, HANDLE reload_event, HANDLE *handles, bw_regwatch **reg_of,
                       bw_dirwatch **dir_of)
{
    DWORD n = 0;
    handles[n++] = a->stop_event;
    handles[n++] = reload_event;
    if (a->gp_watch) {
        reg_of[n] = a->gp_watch;
        handles[n++] = bw_regwatch_event(a->gp_watch);
    }
    for (size_t i = 0; i < MAX_WATCHES; i++)
        if (a->watches[i]) {
            reg_of[n] = a->watches[i];
            handles[n++] = bw_regwatch_event(a->watches[i]);
        }
    for (size_t i = 0; i < a->n_dirs; i++) {
        dir_of[n] = a->dirs[i];
        handles[n++] = bw_dirwatch_event(a->dirs[i]);
    }
    return n;
}

static DWORD wait_ms(const timers *t, ULONGLONG now)
{
    DWORD wait = ms_until(now, t->full);
    if (ms_until(now, t->heartbeat) < wait)
        wait = ms_until(now, t->heartbeat);
    if (t->quick && ms_until(now, t->quick) < wait)
        wait = ms_until(now, t->quick);
    if (t->gp && ms_until(now, t->gp) < wait)
        wait = ms_until(now, t->gp);
    return wait;
}

/* Group Policy's key (or its parent) changed: the watch is opened again by
 * its path, so that a key deleted (whose handle would wait for nothing) is
 * followed by its parent's watch, and a key created is watched itself. The
 * values are read after this (GP_SETTLE_MS), so nothing in between is lost. */
static void gp_watch_fired(agent *a)
{
    bw_regwatch_close(a->gp_watch);
    a->gp_watch = NULL;
    ensure_gp_watch(a);
}

/* Waits, using no CPU, and does what is due until the stop event. */
static bw_err agent_loop(agent *a, HANDLE reload_event)
{
    timers t = {0};
    ULONGLONG now = a->api->GetTickCount64();
    timers_reset(a, &t, now);
    timers_resume(a, &t, now);
    for (;;) {
        if (a->retime) { /* Group Policy changed an interval */
            a->retime = false;
            timers_reset(a, &t, a->api->GetTickCount64());
        }
        HANDLE handles[MAX_HANDLES];
        bw_regwatch *reg_of[MAX_HANDLES] = {0};
        bw_dirwatch *dir_of[MAX_HANDLES] = {0};
        DWORD n = wait_list(a, reload_event, handles, reg_of, dir_of);
        DWORD r = a->api->WaitForMultipleObjects(n, handles, FALSE,
                                                 wait_ms(&t, a->api->GetTickCount64()));
        now = a->api->GetTickCount64();
        if (r == WAIT_OBJECT_0)
            return BW_OK;
        if (r == WAIT_OBJECT_0 + 1) {
            gp_refresh(a);
            load_policy(a, LOAD_RELOAD);
            scan(a, "policy reloaded");
            timers_reset(a, &t, now);
            continue;
        }
        if (r >= WAIT_OBJECT_0 + 2 && r < WAIT_OBJECT_0 + n &&
            reg_of[r - WAIT_OBJECT_0] == a->gp_watch) {
            gp_watch_fired(a);
            if (!t.gp)
                t.gp = now + GP_SETTLE_MS;
            continue;
        }
        if (r >= WAIT_OBJECT_0 + 2 && r < WAIT_OBJECT_0 + n) {
            DWORD k = r - WAIT_OBJECT_0;
            unsigned long syserr = 0;
            if (reg_of[k] && bw_regwatch_rearm(reg_of[k], &syserr) != BW_OK)
                logf_(a, "WARN", "cannot re-arm a registry watch (error %lu)", syserr);
            if (dir_of[k] && bw_dirwatch_rearm(dir_of[k], &syserr) != BW_OK)
                logf_(a, "WARN", "cannot re-arm the watch of %s (error %lu)",
                      bw_dirwatch_path(dir_of[k]), syserr);
            /* Debounce: an installer or an update writes many values and
             * files; scan once after the first change settles. */
            if (!t.quick)
                t.quick = now + a->pol->change_debounce_ms;
            continue;
        }
        if (r == WAIT_FAILED) {
            logf_(a, "ERROR", "wait failed (error %lu); stopping", (unsigned long)GetLastError());
            return BW_ESYS;
        }
        /* timeout: whatever is due */
        if (t.gp && now >= t.gp) {
            t.gp = 0;
            /* again once the writes settled: a key deleted while its
             * watch was opened again is then followed by its parent's */
            gp_watch_fired(a);
            if (gp_refresh(a)) {
                load_policy(a, LOAD_GP);
                scan(a, "Group Policy changed");
            }
        }
        if (t.quick && now >= t.quick) {
            t.quick = 0;
            scan(a, "change");
        }
        if (now >= t.full) {
            scan(a, "interval");
            t.full = now + (ULONGLONG)a->pol->scan_interval * 1000u;
        }
        if (now >= t.heartbeat) {
            heartbeat(a);
            t.heartbeat = now + (ULONGLONG)a->pol->heartbeat_interval * 1000u;
        }
    }
}

static void agent_close(agent *a)
{
    for (size_t i = 0; i < MAX_WATCHES; i++)
        bw_regwatch_close(a->watches[i]);
    bw_regwatch_close(a->gp_watch);
    for (size_t i = 0; i < a->n_dirs; i++)
        bw_dirwatch_close(a->dirs[i]);
    bw_store_close(a->store);
    bw_sinks_close(&a->sinks);
    bw_policy_free(a->base); /* a->pol is a flat copy of it */
    free(a->origin);
    bw_gp_values_free(&a->gp);
    free(a->gp_digest);
    bw_gp_applied_free(&a->applied);
    bw_strlist_free(&a->gp_errors);
    free(a->settings);
    free(a->jsonl_path);
    bw_appender_close(a->log);
    free(a->host);
    if (a->verdict_block) /* a flat copy: its block, not bw_verdict_free */
        a->api->HeapFree(a->keep_heap, 0, a->verdict_block);
    free(a->last_gaps);
    free(a->last_db_error);
    for (size_t i = 0; i < a->n_trouble; i++)
        free(a->trouble[i].path);
    free(a->store_path);
    free(a->log_path);
    bw_strlist_free(&a->refused);
    bw_datadir_free(&a->dir);
}

bw_err bw_agent_run(const bw_api *api, HANDLE stop_event, HANDLE reload_event,
                    const bw_agent_hooks *hooks)
{
    agent a = {.api = api, .stop_event = stop_event};
    /* The state database's memory apart from the scans' (bw_sqlheap.h). */
    bw_win_sqlite_heap(api);
    bw_err e = agent_open(&a);
    if (e != BW_OK)
        goto out;
    if (hooks && hooks->starting)
        hooks->starting(hooks->ctx, 10000);
    /* The database first, so that every event, these included, is recorded. */
    if (a.data_dir)
        open_store(&a);
    report_data(&a);
    raise_started(&a);
    load_policy(&a, LOAD_START);
    if (!a.pol) {
        e = BW_EINVAL;
        goto out;
    }
    if (a.store) { /* what a previous run found but did not get to raise */
        bw_changes pending = {0};
        if (bw_store_pending_changes(a.store, &pending) == BW_OK && pending.n) {
            logf_(&a, "INFO", "raising %zu change(s) a previous run stored but did not raise",
                  pending.n);
            raise_changes(&a, &pending);
        }
        bw_changes_free(&pending);
    }
    /* Watches first: a change during the first scan is seen, and what
     * they allocate stays below the scan's memory. */
    ensure_watches(&a);
    ensure_gp_watch(&a);
    scan(&a, "start");
    if (hooks && hooks->running)
        hooks->running(hooks->ctx);
    e = agent_loop(&a, reload_event);
    raise_lifecycle(&a, BW_EVENT_AGENT_STOPPED, "stopped");
    /* Last: a run killed before this line is reported unclean at the next start. */
    if (a.store && bw_store_run_end(a.store) != BW_OK)
        logf_(&a, "ERROR", "%s", bw_store_errmsg(a.store));
    logf_(&a, "INFO", "banwatch stopped");
out:
    agent_close(&a);
    return e;
}
