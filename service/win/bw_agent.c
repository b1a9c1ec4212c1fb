/*
 * bw_agent.c - the resident agent's loop (Win32 layer).
 *
 * Start: data directory, log, sinks, policy, state database; raise what a
 * previous run left pending; scan; report running. Then wait, using no CPU,
 * on: the stop event, the policy-reload event, registry change watches on
 * the Uninstall and Services keys, and a timeout for the next due work
 * (debounced quick rescan, full rescan, heartbeat).
 */
#include "bw_agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_appender.h"
#include "bw_collect.h"
#include "bw_dirwatch.h"
#include "bw_evsink.h"
#include "bw_regwatch.h"
#include "bw_svcfx.h"
#include "bw_winio.h"
#include "../core/bw_alert.h"
#include "../core/bw_contain.h"
#include "../core/bw_eval.h"
#include "../core/bw_report.h"
#include "../core/bw_store.h"
#include "../core/bw_updates.h"

#ifndef BW_VERSION
#define BW_VERSION "0.1.0"
#endif

#define LOG_MAX_BYTES (1u << 20)
#define LOG_KEEP 3
#define MAX_WATCHES 5     /* Uninstall (2 views), Services, vendor roots (2 views) */
#define MAX_DIR_WATCHES 16 /* signature bases folders */

typedef struct agent {
    const bw_api *api;
    HANDLE stop_event; /* manual-reset: containment waits end early on it */
    char *data_dir;
    bw_appender *log;
    bw_evsink *sink;
    bw_store *store;
    char *store_path;
    bw_policy *pol;
    char *host;
    char *last_gaps;   /* detail of the last 902 raised: raise again only on change */
    char *last_db_error; /* detail of the last 903 raised: likewise */
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

/* Raises one alert on every sink; for a change, records it so it is never
 * raised again. */
static void raise_alert(agent *a, bw_alert *al)
{
    int64_t now = bw_win_now(a->api);
    if (a->sink && bw_evsink_emit(a->sink, al, now) != BW_OK)
        logf_(a, "ERROR", "event %d: a sink failed to take it", (int)al->event_id);
    logf_(a, "EVENT", "%d %s %s", (int)al->event_id, bw_event_name(al->event_id),
          bw_alert_get(al, "name") ? bw_alert_get(al, "name") : "");
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

static void raise_error(agent *a, bw_event_id id, const char *detail)
{
    bw_alert al = {0};
    logf_(a, "ERROR", "%s", detail);
    if (bw_alert_error(id, a->host, detail, &al) == BW_OK)
        raise_alert(a, &al);
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
        if (a->store && bw_store_alert_raised(a->store, alerts.items[i].change_id, &raised) ==
                            BW_OK && raised) {
            bw_alert_clear(&alerts.items[i]);
            continue;
        }
        raise_alert(a, &alerts.items[i]);
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

/* Loads <data_dir>\policy.yaml when it exists, else the built-in policy.
 * An invalid file is reported (901) and the current policy (or, at start,
 * the built-in one) stays in force. */
static void load_policy(agent *a, bool reload)
{
    char *path = bw_strfmt("%s\\policy.yaml", a->data_dir);
    char msg[1024] = "";
    bw_policy *pol = NULL;
    const char *origin = "built-in";
    bw_err e = path ? bw_win_policy_load(a->api, path, &pol, msg, sizeof msg) : BW_ENOMEM;
    if (e == BW_OK)
        origin = path;
    else if (e != BW_ENOTFOUND)
        raise_error(a, BW_EVENT_POLICY_INVALID, msg[0] ? msg : "policy.yaml: out of memory");
    if (!pol && a->pol && reload) {
        free(path);
        return; /* keep the policy in force */
    }
    if (!pol && bw_win_policy_load(a->api, NULL, &pol, msg, sizeof msg) != BW_OK) {
        logf_(a, "ERROR", "built-in policy: %s", msg);
        free(path);
        return;
    }
    bw_policy_free(a->pol);
    a->pol = pol;
    /* The event shows the containment mode in force and where it comes from. */
    char source[256];
    bw_policy shown = *a->pol;
    shown.mode = bw_win_contain_mode(a->api, a->pol, source, sizeof source);
    char *detail = bw_strfmt("%s from %s; containment mode from %s",
                             reload ? "reloaded" : "loaded", origin, source);
    bw_alert al = {0};
    if (bw_alert_policy_loaded(a->host, &shown, detail, &al) == BW_OK)
        raise_alert(a, &al);
    free(detail);
    free(path);
}

/* ---- state database -------------------------------------------------------------- */

static void open_store(agent *a)
{
    char msg[1024] = "";
    bool recreated = false;
    bw_store_close(a->store);
    a->store = NULL;
    if (bw_store_open(a->store_path, &a->store, &recreated, msg, sizeof msg) != BW_OK) {
        /* Raised when the reason changes, not at every retry (each scan). */
        if (!a->last_db_error || strcmp(a->last_db_error, msg) != 0) {
            raise_error(a, BW_EVENT_STATE_DB_UNAVAILABLE, msg);
            free(a->last_db_error);
            a->last_db_error = bw_strdup(msg);
        } else {
            logf_(a, "ERROR", "%s (still)", msg);
        }
        return;
    }
    free(a->last_db_error);
    a->last_db_error = NULL;
    if (recreated)
        raise_error(a, BW_EVENT_STATE_DB_RECREATED, msg);
}

/* ---- scanning ------------------------------------------------------------------ */

static void ensure_watches(agent *a);

/* False only when the vendor's services are all known to be stopped or
 * disabled: then no protection is claimed and stale signatures mislead no
 * one. With no service found, or a state the SCM does not know (a key
 * added after it started), the product may run: warn. */
static bool vendor_may_run(const bw_findings *f)
{
    bool any = false;
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        if (x->kind != BW_KIND_SERVICE && x->kind != BW_KIND_KSN)
            continue;
        any = true;
        if (x->state != BW_STATE_STOPPED)
            return true;
    }
    return !any;
}

/* Raises 300 for update evidence after the cutoff that was not reported
 * yet (the newest date reported per product is kept in the database, so
 * evidence that appeared while the service was not running is reported
 * once at the next start), and 301 when a still-installed product's newest
 * signatures pass the staleness threshold (once per newest date). */
static void raise_updates(agent *a, const bw_updates *u, const bw_findings *f)
{
    if (!a->store)
        return;
    for (size_t i = 0; i < u->n; i++) {
        const bw_update_status *st = &u->items[i];
        if (!st->has_date || !st->product)
            continue;
        char *key_after = bw_strfmt("update-after-cutoff:%s", st->product);
        char *key_stale = bw_strfmt("stale-protection:%s", st->product);
        int64_t seen = 0;
        if (key_after && st->after_cutoff &&
            (bw_store_meta_get(a->store, key_after, &seen) != BW_OK || st->newest > seen)) {
            bw_alert al = {0};
            if (bw_alert_update(BW_EVENT_UPDATE_AFTER_CUTOFF, a->host, st, a->pol->stale_after_days,
                                &al) == BW_OK)
                raise_alert(a, &al);
            bw_store_meta_set(a->store, key_after, st->newest);
        }
        /* Installed: the product's own registry key is still a finding. */
        bool installed = false;
        for (size_t j = 0; j < f->n && !installed; j++)
            installed = f->items[j].kind == BW_KIND_REGISTRY && bw_ieq(f->items[j].name, st->product);
        if (key_stale && st->stale && installed && vendor_may_run(f) &&
            (bw_store_meta_get(a->store, key_stale, &seen) != BW_OK || seen != st->newest)) {
            bw_alert al = {0};
            if (bw_alert_update(BW_EVENT_STALE_PROTECTION, a->host, st, a->pol->stale_after_days,
                                &al) == BW_OK)
                raise_alert(a, &al);
            bw_store_meta_set(a->store, key_stale, st->newest);
        }
        free(key_after);
        free(key_stale);
    }
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

/* Runs containment on what the scan found, in the mode in force. */
static void contain(agent *a, const bw_snapshot *snap, const bw_findings *f)
{
    bw_contain_plan plan = {0};
    if (bw_contain_plan_make(snap, a->pol, f, &plan) != BW_OK) {
        logf_(a, "ERROR", "containment: out of memory");
        return;
    }
    if (plan.n_act) {
        char source[256];
        bw_contain_opts o = {.mode = bw_win_contain_mode(a->api, a->pol, source, sizeof source),
                             .stop_timeout_ms = a->pol->contain_stop_timeout * 1000u,
                             .stop_dependents = a->pol->contain_stop_dependents,
                             .now = bw_win_now(a->api),
                             .cancel = a->stop_event};
        bw_contain_summary sum;
        if (bw_win_contain(a->api, a->store, &plan, &o, on_contain, a, &sum) != BW_OK)
            logf_(a, "ERROR", "containment: out of memory");
        logf_(a, "INFO", "containment (%s mode, from %s; other anti-virus: %s): %zu target(s), "
              "%zu would be disabled, %zu disabled, %zu stopped, %zu blocked, %zu held, "
              "%zu failed, %zu already contained",
              o.mode == BW_MODE_ENFORCE ? "enforce" : "audit", source,
              plan.other_av_text ? plan.other_av_text : "-", plan.n_act, sum.would_disable,
              sum.disabled, sum.stopped, sum.blocked, sum.held, sum.failed, sum.unchanged);
    }
    bw_contain_plan_free(&plan);
}

static void scan(agent *a, const char *why)
{
    ULONGLONG t0 = a->api->GetTickCount64();
    bw_snapshot *snap = bw_snapshot_new();
    bw_findings f = {0};
    bw_changes ch = {0};
    bw_updates u = {0};
    if (!snap ||
        bw_win_collect_all(a->api, &a->pol->registry_roots, &a->pol->bases_paths, snap) !=
            BW_OK ||
        bw_evaluate(snap, a->pol, &f) != BW_OK ||
        bw_evaluate_updates(snap, a->pol, &f, snap->taken_at, &u) != BW_OK) {
        logf_(a, "ERROR", "scan (%s): out of memory", why);
        goto out;
    }
    if (snap->host && (!a->host || strcmp(a->host, snap->host) != 0)) {
        free(a->host);
        a->host = bw_strdup(snap->host);
    }
    int64_t now = bw_win_now(a->api);
    if (!a->store)
        open_store(a);
    if (a->store) {
        bw_scan_meta meta;
        bw_scan_meta_init(&meta, snap, a->pol, now);
        int64_t scan_id = 0;
        if (bw_store_apply_scan(a->store, &meta, &f, now, &ch, &scan_id) != BW_OK) {
            logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
            if (bw_store_corrupt(a->store))
                open_store(a); /* moves the damaged file aside */
        } else {
            if (bw_store_set_update_status(a->store, &u, scan_id, now) != BW_OK)
                logf_(a, "ERROR", "%s", bw_store_errmsg(a->store));
            raise_changes(a, &ch);
            raise_updates(a, &u, &f);
        }
    }
    contain(a, snap, &f);
    update_dir_watches(a, snap);
    ensure_watches(a);
    if (snap->n_gaps) {
        /* Raised when what cannot be read changes, not on every scan. */
        bw_buf d = {0};
        bw_buf_printf(&d, "%zu item(s) could not be read", snap->n_gaps);
        for (size_t i = 0; i < snap->n_gaps && i < 5; i++)
            bw_buf_printf(&d, "; %s: %s", snap->gaps[i].where, snap->gaps[i].reason);
        if (!d.failed && (!a->last_gaps || strcmp(a->last_gaps, d.data) != 0)) {
            raise_error(a, BW_EVENT_SCAN_INCOMPLETE, d.data);
            free(a->last_gaps);
            a->last_gaps = bw_buf_take(&d);
        }
        bw_buf_free(&d);
    } else {
        free(a->last_gaps);
        a->last_gaps = NULL;
    }
    logf_(a, "INFO", "scan (%s): %zu finding(s), %zu change(s), %zu evidence, %zu gap(s), %llu ms",
          why, f.n, ch.n, snap->n_evidence, snap->n_gaps,
          (unsigned long long)(a->api->GetTickCount64() - t0));
out:
    bw_updates_free(&u);
    bw_changes_free(&ch);
    bw_findings_free(&f);
    bw_snapshot_free(snap);
}

static void heartbeat(agent *a)
{
    if (!a->store)
        return;
    bw_scan_record last = {0};
    bw_stored_findings cur = {0};
    bw_heartbeat hb = {.host = a->host, .policy_name = a->pol->name,
                       .policy_version = a->pol->version};
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
        bw_err e = bw_regwatch_open(a->api, fixed[i].path, fixed[i].view, &a->watches[i], &syserr);
        if (e == BW_ENOTFOUND) /* not there yet: watch its parent for its creation */
            e = bw_regwatch_open(a->api, L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion",
                                 fixed[i].view, &a->watches[i], &syserr);
        if (e != BW_OK)
            logf_(a, "WARN", "cannot watch registry key %d for changes (error %lu): "
                  "only periodic scans will see its changes", (int)i, syserr);
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

/* ---- the loop ---------------------------------------------------------------------- */

static DWORD ms_until(ULONGLONG now, ULONGLONG due)
{
    return due <= now ? 0 : (due - now > 0x7FFFFFFF ? 0x7FFFFFFF : (DWORD)(due - now));
}

bw_err bw_agent_run(const bw_api *api, HANDLE stop_event, HANDLE reload_event,
                    const bw_agent_hooks *hooks)
{
    agent a = {.api = api, .stop_event = stop_event};
    unsigned long syserr = 0;
    bw_err e = bw_win_data_dir(api, &a.data_dir, &syserr);
    if (e)
        return e;
    {   /* the host name, for the events raised before the first scan */
        bw_snapshot *hs = bw_snapshot_new();
        if (hs && bw_win_collect_host(api, hs) == BW_OK && hs->host)
            a.host = bw_strdup(hs->host);
        bw_snapshot_free(hs);
    }
    char *log_path = bw_strfmt("%s\\banwatch.log", a.data_dir);
    a.store_path = bw_strfmt("%s\\state.db", a.data_dir);
    if (!log_path || !a.store_path) {
        free(log_path);
        free(a.data_dir);
        free(a.store_path);
        return BW_ENOMEM;
    }
    bw_appender_open(api, log_path, LOG_MAX_BYTES, LOG_KEEP, &a.log, &syserr);
    free(log_path);
    logf_(&a, "INFO", "banwatch %s starting, data in %s", BW_VERSION, a.data_dir);

    char msg[512] = "";
    if (bw_evsink_open(api, a.data_dir, &a.sink, msg, sizeof msg) != BW_OK || msg[0])
        logf_(&a, "ERROR", "%s", msg);
    if (hooks && hooks->starting)
        hooks->starting(hooks->ctx, 10000);

    /* The database first, so that every event, these included, is recorded. */
    open_store(&a);
    {
        bw_alert al = {0};
        if (bw_alert_lifecycle(BW_EVENT_SERVICE_STARTED, a.host, BW_VERSION, "started", &al) ==
            BW_OK)
            raise_alert(&a, &al);
    }
    load_policy(&a, false);
    if (!a.pol) {
        e = BW_EINVAL;
        goto out;
    }
    if (a.store) { /* what a previous run found but did not get to raise */
        bw_changes pending = {0};
        if (bw_store_pending_changes(a.store, &pending) == BW_OK)
            raise_changes(&a, &pending);
        bw_changes_free(&pending);
    }
    scan(&a, "start");
    if (hooks && hooks->running)
        hooks->running(hooks->ctx);

    ULONGLONG now = api->GetTickCount64();
    ULONGLONG next_full = now + (ULONGLONG)a.pol->scan_interval * 1000u;
    ULONGLONG next_heartbeat = now + (ULONGLONG)a.pol->heartbeat_interval * 1000u;
    int64_t last_hb = 0;
    if (a.store && bw_store_meta_get(a.store, "last_heartbeat", &last_hb) == BW_OK) {
        /* Keep the rhythm across restarts: a service restarted more often
         * than the interval still sends its heartbeat. */
        int64_t due = last_hb + (int64_t)a.pol->heartbeat_interval - bw_win_now(api);
        if (due < (int64_t)a.pol->heartbeat_interval)
            next_heartbeat = now + (ULONGLONG)(due > 0 ? due : 0) * 1000u;
    }
    ULONGLONG quick_due = 0; /* 0: no change pending */
    for (;;) {
        /* stop, reload, then every armed registry and folder watch */
        HANDLE handles[2 + MAX_WATCHES + MAX_DIR_WATCHES] = {stop_event, reload_event};
        bw_regwatch *reg_of[2 + MAX_WATCHES + MAX_DIR_WATCHES] = {0};
        bw_dirwatch *dir_of[2 + MAX_WATCHES + MAX_DIR_WATCHES] = {0};
        DWORD n = 2;
        for (size_t i = 0; i < MAX_WATCHES; i++)
            if (a.watches[i]) {
                reg_of[n] = a.watches[i];
                handles[n++] = bw_regwatch_event(a.watches[i]);
            }
        for (size_t i = 0; i < a.n_dirs; i++) {
            dir_of[n] = a.dirs[i];
            handles[n++] = bw_dirwatch_event(a.dirs[i]);
        }
        now = api->GetTickCount64();
        DWORD wait = ms_until(now, next_full);
        if (ms_until(now, next_heartbeat) < wait)
            wait = ms_until(now, next_heartbeat);
        if (quick_due && ms_until(now, quick_due) < wait)
            wait = ms_until(now, quick_due);
        DWORD r = api->WaitForMultipleObjects(n, handles, FALSE, wait);
        now = api->GetTickCount64();
        if (r == WAIT_OBJECT_0)
            break;
        if (r == WAIT_OBJECT_0 + 1) {
            load_policy(&a, true);
            scan(&a, "policy reloaded");
            next_full = now + (ULONGLONG)a.pol->scan_interval * 1000u;
            next_heartbeat = now + (ULONGLONG)a.pol->heartbeat_interval * 1000u;
            continue;
        }
        if (r >= WAIT_OBJECT_0 + 2 && r < WAIT_OBJECT_0 + n) {
            DWORD k = r - WAIT_OBJECT_0;
            if (reg_of[k] && bw_regwatch_rearm(reg_of[k], &syserr) != BW_OK)
                logf_(&a, "WARN", "cannot re-arm a registry watch (error %lu)", syserr);
            if (dir_of[k] && bw_dirwatch_rearm(dir_of[k], &syserr) != BW_OK)
                logf_(&a, "WARN", "cannot re-arm the watch of %s (error %lu)",
                      bw_dirwatch_path(dir_of[k]), syserr);
            /* Debounce: an installer or an update writes many values and
             * files; scan once after the first change settles. */
            if (!quick_due)
                quick_due = now + a.pol->change_debounce_ms;
            continue;
        }
        if (r == WAIT_FAILED) {
            logf_(&a, "ERROR", "wait failed (error %lu); stopping", (unsigned long)GetLastError());
            e = BW_ESYS;
            break;
        }
        /* timeout: whatever is due */
        if (quick_due && now >= quick_due) {
            quick_due = 0;
            scan(&a, "change");
        }
        if (now >= next_full) {
            scan(&a, "interval");
            next_full = now + (ULONGLONG)a.pol->scan_interval * 1000u;
        }
        if (now >= next_heartbeat) {
            heartbeat(&a);
            next_heartbeat = now + (ULONGLONG)a.pol->heartbeat_interval * 1000u;
        }
    }
    {
        bw_alert al = {0};
        if (bw_alert_lifecycle(BW_EVENT_SERVICE_STOPPED, a.host, BW_VERSION, "stopped", &al) ==
            BW_OK)
            raise_alert(&a, &al);
    }
    logf_(&a, "INFO", "banwatch stopped");
out:
    for (size_t i = 0; i < MAX_WATCHES; i++)
        bw_regwatch_close(a.watches[i]);
    for (size_t i = 0; i < a.n_dirs; i++)
        bw_dirwatch_close(a.dirs[i]);
    bw_store_close(a.store);
    bw_evsink_close(a.sink);
    bw_policy_free(a.pol);
    bw_appender_close(a.log);
    free(a.host);
    free(a.last_gaps);
    free(a.last_db_error);
    free(a.store_path);
    free(a.data_dir);
    return e;
}
