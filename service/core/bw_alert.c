/*
 * bw_alert.c - alert decisions and their rendering (portable core, pure).
 * The Event IDs and the fields of each event are listed in bw_alert.h.
 */
#include "bw_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_json.h"
#include "bw_time.h"

/* ---- the event table ----------------------------------------------------- */

typedef struct event_info {
    bw_event_id id;
    const char *name;
    bw_severity severity;
} event_info;

static const event_info events[] = {
    {BW_EVENT_AGENT_STARTED, "agent-started", BW_SEVERITY_INFORMATION},
    {BW_EVENT_AGENT_STOPPED, "agent-stopped", BW_SEVERITY_INFORMATION},
    {BW_EVENT_POLICY_LOADED, "policy-loaded", BW_SEVERITY_INFORMATION},
    {BW_EVENT_HEARTBEAT, "heartbeat", BW_SEVERITY_INFORMATION},
    {BW_EVENT_NEW_PRODUCT, "new-product", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_SERVICE, "new-service", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_DRIVER, "new-driver", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_KSN, "new-ksn-component", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_FILTER, "new-class-filter", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_REGISTRY, "new-registry-footprint", BW_SEVERITY_WARNING},
    {BW_EVENT_NEW_KSN_CONNECTION, "new-ksn-connection", BW_SEVERITY_WARNING},
    {BW_EVENT_FINDING_RESOLVED, "finding-resolved", BW_SEVERITY_INFORMATION},
    {BW_EVENT_FINDING_CHANGED, "finding-changed", BW_SEVERITY_WARNING},
    {BW_EVENT_HOST_VERDICT, "host-verdict", BW_SEVERITY_WARNING},
    {BW_EVENT_UPDATE_AFTER_CUTOFF, "update-after-cutoff", BW_SEVERITY_WARNING},
    {BW_EVENT_STALE_PROTECTION, "stale-protection", BW_SEVERITY_WARNING},
    {BW_EVENT_WOULD_DISABLE, "would-disable", BW_SEVERITY_INFORMATION},
    {BW_EVENT_SERVICE_DISABLED, "service-disabled", BW_SEVERITY_WARNING},
    {BW_EVENT_SERVICE_CONTAINED_STOP, "service-stopped", BW_SEVERITY_WARNING},
    {BW_EVENT_CONTAIN_BLOCKED, "containment-blocked", BW_SEVERITY_WARNING},
    {BW_EVENT_CONTAIN_FAILED, "containment-failed", BW_SEVERITY_ERROR},
    {BW_EVENT_SERVICE_RESTORED, "service-restored", BW_SEVERITY_INFORMATION},
    {BW_EVENT_CONTAIN_HELD, "containment-held", BW_SEVERITY_WARNING},
    {BW_EVENT_STATE_DB_RECREATED, "state-db-recreated", BW_SEVERITY_ERROR},
    {BW_EVENT_POLICY_INVALID, "policy-invalid", BW_SEVERITY_ERROR},
    {BW_EVENT_SCAN_INCOMPLETE, "scan-incomplete", BW_SEVERITY_ERROR},
    {BW_EVENT_STATE_DB_UNAVAILABLE, "state-db-unavailable", BW_SEVERITY_ERROR},
    {BW_EVENT_DATA_DIR_SECURED, "data-dir-secured", BW_SEVERITY_WARNING},
    {BW_EVENT_UNTRUSTED_DATA, "untrusted-data", BW_SEVERITY_ERROR},
    {BW_EVENT_WRITE_FAILED, "write-failed", BW_SEVERITY_ERROR},
};

#define N_EVENTS (sizeof events / sizeof events[0])

const bw_event_id bw_event_ids[] = {
    BW_EVENT_AGENT_STARTED,
    BW_EVENT_AGENT_STOPPED,
    BW_EVENT_POLICY_LOADED,
    BW_EVENT_HEARTBEAT,
    BW_EVENT_NEW_PRODUCT,
    BW_EVENT_NEW_SERVICE,
    BW_EVENT_NEW_DRIVER,
    BW_EVENT_NEW_KSN,
    BW_EVENT_NEW_FILTER,
    BW_EVENT_NEW_REGISTRY,
    BW_EVENT_NEW_KSN_CONNECTION,
    BW_EVENT_FINDING_RESOLVED,
    BW_EVENT_FINDING_CHANGED,
    BW_EVENT_HOST_VERDICT,
    BW_EVENT_UPDATE_AFTER_CUTOFF,
    BW_EVENT_STALE_PROTECTION,
    BW_EVENT_WOULD_DISABLE,
    BW_EVENT_SERVICE_DISABLED,
    BW_EVENT_SERVICE_CONTAINED_STOP,
    BW_EVENT_CONTAIN_BLOCKED,
    BW_EVENT_CONTAIN_FAILED,
    BW_EVENT_SERVICE_RESTORED,
    BW_EVENT_CONTAIN_HELD,
    BW_EVENT_STATE_DB_RECREATED,
    BW_EVENT_POLICY_INVALID,
    BW_EVENT_SCAN_INCOMPLETE,
    BW_EVENT_STATE_DB_UNAVAILABLE,
    BW_EVENT_DATA_DIR_SECURED,
    BW_EVENT_UNTRUSTED_DATA,
    BW_EVENT_WRITE_FAILED,
};
const size_t bw_n_event_ids = sizeof bw_event_ids / sizeof bw_event_ids[0];

_Static_assert(sizeof bw_event_ids / sizeof bw_event_ids[0] == N_EVENTS,
               "every event is listed in both tables");
_Static_assert(BW_EVENT_WOULD_DISABLE + BW_CONTAIN_OUTCOMES - 1 == BW_EVENT_CONTAIN_HELD,
               "every containment outcome has its event, 400 + outcome");
_Static_assert(BW_EVENT_NEW_PRODUCT + BW_STORE_KINDS - 1 == BW_EVENT_NEW_KSN_CONNECTION &&
                   BW_EVENT_NEW_PRODUCT + BW_STORE_KINDS - 1 < BW_EVENT_FINDING_RESOLVED,
               "every kind has its new-finding event, 200 + kind");

/* The heartbeat's count fields, per bw_kind (field names are identifiers:
 * "ksn_connection" where the kind is "ksn-connection"). */
static const char *const heartbeat_fields[] = {"product", "service",  "driver",        "ksn",
                                               "filter",  "registry", "ksn_connection"};
_Static_assert(sizeof heartbeat_fields / sizeof heartbeat_fields[0] == BW_STORE_KINDS,
               "a heartbeat field per kind");
_Static_assert(6 + BW_STORE_KINDS + 6 <= BW_ALERT_MAX_FIELDS, "the heartbeat fits in an alert");

static const event_info *find_event(int id)
{
    for (size_t i = 0; i < N_EVENTS; i++)
        if ((int)events[i].id == id)
            return &events[i];
    return NULL;
}

bool bw_event_known(int id)
{
    return find_event(id) != NULL;
}

const char *bw_event_name(bw_event_id id)
{
    const event_info *e = find_event((int)id);
    return e ? e->name : "unknown";
}

bw_severity bw_event_severity(bw_event_id id)
{
    const event_info *e = find_event((int)id);
    return e ? e->severity : BW_SEVERITY_ERROR;
}

const char *bw_severity_name(bw_severity s)
{
    switch (s) {
    case BW_SEVERITY_INFORMATION: return "information";
    case BW_SEVERITY_WARNING: return "warning";
    default: return "error";
    }
}

/* ---- alerts ------------------------------------------------------------------- */

void bw_alert_clear(bw_alert *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_fields && i < BW_ALERT_MAX_FIELDS; i++)
        free(a->fields[i].value);
    memset(a, 0, sizeof *a);
}

void bw_alerts_free(bw_alerts *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        bw_alert_clear(&a->items[i]);
    free(a->items);
    memset(a, 0, sizeof *a);
}

const char *bw_alert_get(const bw_alert *a, const char *field)
{
    for (size_t i = 0; i < a->n_fields; i++)
        if (strcmp(a->fields[i].name, field) == 0)
            return a->fields[i].value;
    return NULL;
}

static void alert_start(bw_alert *a, bw_event_id id)
{
    memset(a, 0, sizeof *a);
    a->event_id = id;
    a->severity = bw_event_severity(id);
}

/* Appends a field with a copy of value (NULL stays NULL). Once a copy has
 * failed, *ok stays false, so callers check once at the end. */
static void add(bw_alert *a, const char *name, const char *value, bool *ok)
{
    if (a->n_fields >= BW_ALERT_MAX_FIELDS) {
        *ok = false;
        return;
    }
    char *v = NULL;
    if (value) {
        v = bw_strdup(value);
        if (!v)
            *ok = false;
    }
    a->fields[a->n_fields].name = name;
    a->fields[a->n_fields].value = v;
    a->n_fields++;
}

static void add_int(bw_alert *a, const char *name, long long v, bool *ok)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", v);
    add(a, name, b, ok);
}

static bw_err alert_end(bw_alert *a, bool ok)
{
    if (ok)
        return BW_OK;
    bw_alert_clear(a);
    return BW_ENOMEM;
}

static bw_event_id change_event(const bw_change *c)
{
    switch (c->change) {
    case BW_CHANGE_RESOLVED: return BW_EVENT_FINDING_RESOLVED;
    case BW_CHANGE_CHANGED: return BW_EVENT_FINDING_CHANGED;
    default: return (bw_event_id)(BW_EVENT_NEW_PRODUCT + (int)c->kind);
    }
}

bw_err bw_alert_from_change(const bw_change *c, const char *host, bw_alert *out)
{
    bool ok = true;
    if ((unsigned)c->kind >= BW_STORE_KINDS || c->change < BW_CHANGE_NEW ||
        c->change > BW_CHANGE_CHANGED) {
        memset(out, 0, sizeof *out);
        return BW_EINVAL;
    }
    alert_start(out, change_event(c));
    out->change_id = c->id;
    add(out, "kind", bw_kind_name(c->kind), &ok);
    add(out, "name", c->name, &ok);
    add(out, "display_name", c->display_name, &ok);
    add(out, "publisher", c->publisher, &ok);
    add(out, "version", c->version, &ok);
    add(out, "old_version", c->change == BW_CHANGE_CHANGED ? c->old_version : NULL, &ok);
    add(out, "path", c->path, &ok);
    add(out, "source", c->source, &ok);
    add(out, "rule", c->rule, &ok);
    add(out, "host", host, &ok);
    bool changed = c->change == BW_CHANGE_CHANGED;
    add(out, "old_display_name", changed ? c->old_display_name : NULL, &ok);
    add(out, "old_path", changed ? c->old_path : NULL, &ok);
    add(out, "tier", c->tier ? bw_tier_name(c->tier) : NULL, &ok);
    add(out, "old_tier",
        changed && c->old_tier && c->old_tier != c->tier ? bw_tier_name(c->old_tier) : NULL, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_from_changes(const bw_changes *c, const char *host, bw_alerts *out)
{
    bw_err e = BW_OK;
    memset(out, 0, sizeof *out);
    if (c->n == 0)
        return BW_OK;
    out->items = calloc(c->n, sizeof *out->items);
    if (!out->items)
        return BW_ENOMEM;
    out->cap = c->n;
    for (size_t i = 0; i < c->n; i++) {
        e = bw_alert_from_change(&c->items[i], host, &out->items[i]);
        if (e)
            goto out;
        out->n++;
    }
out:
    if (e)
        bw_alerts_free(out);
    return e;
}

bw_err bw_alert_agent_started(const char *host, const char *program_version, bw_prev_stop prev,
                              int64_t prev_started, bw_alert *out)
{
    bool ok = true;
    bool unclean = prev == BW_PREV_STOP_UNCLEAN;
    char when[21];
    alert_start(out, BW_EVENT_AGENT_STARTED);
    add(out, "host", host, &ok);
    add(out, "program_version", program_version, &ok);
    add(out, "detail", unclean ? "recovered after an unclean stop" : "started", &ok);
    add(out, "previous_stop", bw_prev_stop_name(prev), &ok);
    if (unclean && prev_started > 0)
        bw_format_utc(prev_started, when);
    add(out, "previous_start", unclean && prev_started > 0 ? when : NULL, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_lifecycle(bw_event_id id, const char *host, const char *program_version,
                          const char *detail, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    if (id != BW_EVENT_AGENT_STOPPED)
        return BW_EINVAL;
    alert_start(out, id);
    add(out, "host", host, &ok);
    add(out, "program_version", program_version, &ok);
    add(out, "detail", detail, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_policy_loaded(const char *host, const bw_policy *pol, const char *detail,
                              const char *from_group_policy, bw_alert *out)
{
    bool ok = true;
    alert_start(out, BW_EVENT_POLICY_LOADED);
    add(out, "host", host, &ok);
    add(out, "policy", pol ? pol->name : NULL, &ok);
    add(out, "policy_version", pol ? pol->version : NULL, &ok);
    add(out, "mode", pol ? (pol->mode == BW_MODE_ENFORCE ? "enforce" : "audit") : NULL, &ok);
    add(out, "detail", detail, &ok);
    add(out, "from_group_policy",
        from_group_policy && *from_group_policy ? from_group_policy : "-", &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_update(bw_event_id id, const char *host, const bw_update_status *st,
                       unsigned threshold_days, bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if ((id != BW_EVENT_UPDATE_AFTER_CUTOFF && id != BW_EVENT_STALE_PROTECTION) || !st ||
        !st->has_date)
        return BW_EINVAL;
    bool ok = true;
    char newest[21], cutoff[21];
    bw_format_utc(st->newest, newest);
    bw_format_utc(st->cutoff, cutoff);
    alert_start(out, id);
    add(out, "host", host, &ok);
    add(out, "product", st->product, &ok);
    add(out, "newest_update", newest, &ok);
    add(out, "evidence", bw_evidence_kind_name(st->newest_kind), &ok);
    add(out, "source", st->newest_source, &ok);
    add(out, "cutoff", cutoff, &ok);
    add_int(out, "age_days", (long long)st->age_days, &ok);
    add_int(out, "threshold_days", (long long)threshold_days, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_contain(const bw_contain_result *r, const char *host, bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if (!r || !r->name || (unsigned)r->outcome >= BW_CONTAIN_OUTCOMES)
        return BW_EINVAL;
    bool ok = true;
    alert_start(out, (bw_event_id)(BW_EVENT_WOULD_DISABLE + (int)r->outcome));
    add(out, "host", host, &ok);
    add(out, "service", r->name, &ok);
    add(out, "display_name", r->display_name, &ok);
    add(out, "kind", r->kind, &ok);
    add(out, "action", r->action, &ok);
    add(out, "prior_start_type", r->has_prior ? bw_start_type_name(r->prior_start) : NULL, &ok);
    add(out, "prior_state", r->has_prior ? bw_service_state_name(r->prior_state) : NULL, &ok);
    add(out, "result", bw_contain_outcome_name(r->outcome), &ok);
    add_int(out, "error_code", (long long)r->error, &ok);
    add(out, "detail", r->detail, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_change_activity(const bw_change *c, const char *host, int64_t cutoff,
                                bool first_scan, bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if (!c || c->at < cutoff)
        return BW_ENOTFOUND;
    const char *evidence = NULL;
    if (c->change == BW_CHANGE_CHANGED && c->version && c->old_version &&
        strcmp(c->version, c->old_version) != 0)
        evidence = "version-change";
    else if (c->change == BW_CHANGE_NEW && !first_scan &&
             (c->kind == BW_KIND_PRODUCT || c->kind == BW_KIND_SERVICE ||
              c->kind == BW_KIND_DRIVER || c->kind == BW_KIND_KSN))
        evidence = "new-component";
    if (!evidence)
        return BW_ENOTFOUND;
    bool ok = true;
    char at[21], cut[21];
    bw_format_utc(c->at, at);
    bw_format_utc(cutoff, cut);
    alert_start(out, BW_EVENT_UPDATE_AFTER_CUTOFF);
    out->change_id = c->id;
    add(out, "host", host, &ok);
    add(out, "product", c->name, &ok);
    add(out, "newest_update", at, &ok);
    add(out, "evidence", evidence, &ok);
    add(out, "source", c->source, &ok);
    add(out, "cutoff", cut, &ok);
    add(out, "age_days", "0", &ok);
    add(out, "threshold_days", NULL, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_error(bw_event_id id, const char *host, const char *detail, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    if (id != BW_EVENT_STATE_DB_RECREATED && id != BW_EVENT_POLICY_INVALID &&
        id != BW_EVENT_SCAN_INCOMPLETE && id != BW_EVENT_STATE_DB_UNAVAILABLE)
        return BW_EINVAL;
    alert_start(out, id);
    add(out, "host", host, &ok);
    add(out, "detail", detail, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_data_dir(const char *host, const char *path, const char *action,
                         const char *found, const char *moved_to, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    alert_start(out, BW_EVENT_DATA_DIR_SECURED);
    add(out, "host", host, &ok);
    add(out, "path", path, &ok);
    add(out, "action", action, &ok);
    add(out, "found", found, &ok);
    add(out, "moved_to", moved_to, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_untrusted(const char *host, const char *path, const char *reason,
                          const char *effect, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    alert_start(out, BW_EVENT_UNTRUSTED_DATA);
    add(out, "host", host, &ok);
    add(out, "path", path, &ok);
    add(out, "reason", reason, &ok);
    add(out, "effect", effect, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_write_failed(const char *host, const char *path, const char *error,
                             const char *effect, bw_alert *out)
{
    bool ok = true;
    alert_start(out, BW_EVENT_WRITE_FAILED);
    add(out, "host", host, &ok);
    add(out, "path", path, &ok);
    add(out, "error", error, &ok);
    add(out, "effect", effect, &ok);
    return alert_end(out, ok);
}

/* The products of a verdict, "name version; name version". */
static char *product_list(const bw_verdict *v)
{
    bw_buf b = {0};
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_buf_printf(&b, "%s%s%s%s", i ? "; " : "", p->name ? p->name : "-",
                      p->version ? " " : "", p->version ? p->version : "");
    }
    if (!b.data && !b.failed)
        bw_buf_puts(&b, "");
    return bw_buf_take(&b);
}

/* The verdict's fields: present, products, updated_after_cutoff, [newest_update,
 * update_evidence,] stale, ksn_state, containment[, headline, next_step]. */
static void verdict_fields(bw_alert *a, const bw_verdict *v, bool full, bool *ok)
{
    char *products = v ? product_list(v) : NULL;
    if (v && !products)
        *ok = false;
    add(a, "present", v ? (v->counts ? bw_tier_name(v->present) : "no") : NULL, ok);
    add(a, "products", products, ok);
    free(products);
    add(a, "updated_after_cutoff", v ? bw_tri_name(v->updated_after_cutoff) : NULL, ok);
    if (full) {
        char when[21];
        if (v && v->has_update)
            bw_format_utc(v->newest_update, when);
        add(a, "newest_update", v && v->has_update ? when : NULL, ok);
        add(a, "update_evidence", v && v->has_update ? v->update_evidence : NULL, ok);
    }
    add(a, "stale", v ? bw_tri_name(v->stale) : NULL, ok);
    add(a, "ksn_state", v ? bw_ksn_state_name(v->ksn) : NULL, ok);
    add(a, "containment", v ? v->containment : NULL, ok);
    if (full) {
        add(a, "headline", v ? v->headline : NULL, ok);
        add(a, "next_step", v ? v->next_step : NULL, ok);
    }
}

void bw_heartbeat_count(bw_heartbeat *hb, const bw_stored_findings *current)
{
    memset(hb->by_kind, 0, sizeof hb->by_kind);
    for (size_t i = 0; current && i < current->n; i++)
        if ((unsigned)current->items[i].kind < BW_STORE_KINDS)
            hb->by_kind[current->items[i].kind]++;
}

bw_err bw_alert_heartbeat(const bw_heartbeat *hb, bw_alert *out)
{
    bool ok = true;
    char when[21];
    size_t total = 0;
    alert_start(out, BW_EVENT_HEARTBEAT);
    if (hb->last_scan)
        bw_format_utc(hb->last_scan, when);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        total += hb->by_kind[k];
    add(out, "host", hb->host, &ok);
    add(out, "policy", hb->policy_name, &ok);
    add(out, "policy_version", hb->policy_version, &ok);
    add(out, "last_scan", hb->last_scan ? when : NULL, &ok);
    add(out, "last_scan_complete",
        hb->last_scan ? (hb->last_scan_complete ? "true" : "false") : NULL, &ok);
    add_int(out, "findings", (long long)total, &ok);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        add_int(out, heartbeat_fields[k], (long long)hb->by_kind[k], &ok);
    verdict_fields(out, hb->verdict, false, &ok);
    return alert_end(out, ok);
}

/* ---- what is due -------------------------------------------------------------------- */

void bw_due_alerts_free(bw_due_alerts *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        bw_alert_clear(&d->items[i].alert);
        free(d->items[i].memory_key);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

/* Appends a due alert (taking over *a) with its memory. */
static bw_err due(bw_due_alerts *d, bw_alert *a, const char *kind, const char *product,
                  int64_t value)
{
    char *key = bw_strfmt("%s:%s", kind, product);
    if (!key || bw_grow(&d->items, &d->cap, d->n, sizeof *d->items) != BW_OK) {
        free(key);
        bw_alert_clear(a);
        return BW_ENOMEM;
    }
    d->items[d->n].alert = *a;
    d->items[d->n].memory_key = key;
    d->items[d->n].memory_value = value;
    d->n++;
    memset(a, 0, sizeof *a);
    return BW_OK;
}

static bool remembered(bw_memory_get get, void *ctx, const char *kind, const char *product,
                       int64_t *value, bw_err *e)
{
    char *key = bw_strfmt("%s:%s", kind, product);
    *e = key ? BW_OK : BW_ENOMEM;
    bool has = key && get && get(ctx, key, value);
    free(key);
    return has;
}

bw_err bw_alert_updates_due(const bw_updates *u, const bw_findings *counted, const char *host,
                            unsigned threshold_days, bw_memory_get get, void *ctx,
                            bw_due_alerts *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = BW_OK;
    bool may_run = bw_vendor_may_run(counted);
    for (size_t i = 0; u && i < u->n && !e; i++) {
        const bw_update_status *st = &u->items[i];
        if (!st->has_date || !st->product)
            continue;
        int64_t seen = 0;
        bool has = remembered(get, ctx, "update-after-cutoff", st->product, &seen, &e);
        if (!e && st->after_cutoff && (!has || st->newest > seen)) {
            bw_alert al = {0};
            e = bw_alert_update(BW_EVENT_UPDATE_AFTER_CUTOFF, host, st, threshold_days, &al);
            if (e == BW_OK)
                e = due(out, &al, "update-after-cutoff", st->product, st->newest);
        }
        /* Installed: the product's own registry key is still a finding. */
        bool installed = false;
        for (size_t j = 0; counted && j < counted->n && !installed; j++)
            installed = counted->items[j].kind == BW_KIND_REGISTRY &&
                        bw_ieq(counted->items[j].name, st->product);
        if (e || !st->stale || !installed || !may_run)
            continue;
        has = remembered(get, ctx, "stale-protection", st->product, &seen, &e);
        if (!e && (!has || seen != st->newest)) {
            bw_alert al = {0};
            e = bw_alert_update(BW_EVENT_STALE_PROTECTION, host, st, threshold_days, &al);
            if (e == BW_OK)
                e = due(out, &al, "stale-protection", st->product, st->newest);
        }
    }
    if (e)
        bw_due_alerts_free(out);
    return e;
}

bw_err bw_alert_gaps_due(const bw_snapshot *snap, const char *host, const char *last,
                         bw_alert *out, char **digest)
{
    memset(out, 0, sizeof *out);
    *digest = NULL;
    if (!snap->n_gaps)
        return BW_ENOTFOUND;
    bw_buf d = {0};
    bw_buf_printf(&d, "%zu item(s) could not be read", snap->n_gaps);
    for (size_t i = 0; i < snap->n_gaps && i < 5; i++)
        bw_buf_printf(&d, "; %s: %s", snap->gaps[i].where, snap->gaps[i].reason);
    if (d.failed) {
        bw_buf_free(&d);
        return BW_ENOMEM;
    }
    if (last && strcmp(last, d.data) == 0) {
        *digest = bw_buf_take(&d);
        return *digest ? BW_ENOTFOUND : BW_ENOMEM;
    }
    bw_err e = bw_alert_error(BW_EVENT_SCAN_INCOMPLETE, host, d.data, out);
    if (e == BW_OK) {
        *digest = bw_buf_take(&d);
        if (!*digest) {
            bw_alert_clear(out);
            e = BW_ENOMEM;
        }
    }
    bw_buf_free(&d);
    return e;
}

bw_err bw_alert_db_unavailable_due(const char *host, const char *last, const char *detail,
                                   bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if (last && detail && strcmp(last, detail) == 0)
        return BW_ENOTFOUND;
    return bw_alert_error(BW_EVENT_STATE_DB_UNAVAILABLE, host, detail, out);
}

bw_err bw_alert_verdict_due(const bw_verdict *v, const char *host, const char *last,
                            bw_alert *out, char **digest)
{
    memset(out, 0, sizeof *out);
    *digest = bw_verdict_digest(v);
    if (!*digest)
        return BW_ENOMEM;
    if (last && strcmp(last, *digest) == 0)
        return BW_ENOTFOUND;
    bool ok = true;
    alert_start(out, BW_EVENT_HOST_VERDICT);
    if (!v->counts)
        out->severity = BW_SEVERITY_INFORMATION;
    add(out, "host", host, &ok);
    verdict_fields(out, v, true, &ok);
    bw_err e = alert_end(out, ok);
    if (e) {
        free(*digest);
        *digest = NULL;
    }
    return e;
}

/* ---- rendering --------------------------------------------------------------------- */

size_t bw_alert_strings(const bw_alert *a, const char **out, size_t cap)
{
    for (size_t i = 0; i < a->n_fields && i < cap; i++)
        out[i] = a->fields[i].value ? a->fields[i].value : "-";
    return a->n_fields;
}

bw_err bw_alert_fields_json(const bw_alert *a, bw_buf *out)
{
    bw_json j;
    bw_json_init(&j, out);
    bw_json_object(&j, NULL, BW_JSON_COMPACT);
    for (size_t i = 0; i < a->n_fields; i++)
        bw_json_str(&j, a->fields[i].name, a->fields[i].value);
    bw_json_end(&j);
    return bw_json_done(&j, false);
}

bw_err bw_alert_json(const bw_alert *a, int64_t time, bw_buf *out)
{
    char when[21];
    bw_format_utc(time, when);
    bw_json j;
    bw_json_init(&j, out);
    bw_json_object(&j, NULL, BW_JSON_COMPACT);
    bw_json_str(&j, "time", when);
    bw_json_int(&j, "event_id", a->event_id);
    bw_json_str(&j, "event", bw_event_name(a->event_id));
    bw_json_str(&j, "severity", bw_severity_name(a->severity));
    bw_json_str(&j, "host", bw_alert_get(a, "host"));
    for (size_t i = 0; i < a->n_fields; i++)
        if (strcmp(a->fields[i].name, "host") != 0)
            bw_json_str(&j, a->fields[i].name, a->fields[i].value);
    bw_json_end(&j);
    return bw_json_done(&j, true);
}

uint64_t bw_alert_line_hash(const char *line, size_t len)
{
    if (len && line[len - 1] == '\n')
        len--;
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)line[i];
        h *= UINT64_C(1099511628211);
    }
    return h ? h : 1;
}

bool bw_alert_line_in(const char *text, size_t len, uint64_t hash)
{
    /* Every line ended by a newline is compared. The first may be the end
     * of a longer one (the text is a tail): that is no whole record, and
     * matches only by a collision of the hash. */
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\n')
            continue;
        if (bw_alert_line_hash(text + start, i - start) == hash)
            return true;
        start = i + 1;
    }
    return false;
}
