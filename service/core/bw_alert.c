/*
 * bw_alert.c - alert decisions and their rendering (portable core, pure).
 * The Event IDs and the fields of each event are listed in bw_alert.h; the
 * JSON-lines record (ECS) and the message text are in bw_alert_ecs.c.
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
    bw_event_ecs ecs; /* event.kind, category, type, outcome */
    /* The first line of its message in service/messages/banwatch.mc (the
     * Wine test test_messages checks that they agree). */
    const char *text;
} event_info;

#define ALERT "alert"
#define STATE "state"
#define EVENT "event"

static const event_info events[] = {
    {BW_EVENT_AGENT_STARTED,
     "agent-started",
     BW_SEVERITY_INFORMATION,
     {EVENT, "process", "start", NULL},
     "The banwatch service started (version %2): %3; previous stop: %4."},
    {BW_EVENT_AGENT_STOPPED,
     "agent-stopped",
     BW_SEVERITY_INFORMATION,
     {EVENT, "process", "end", NULL},
     "The banwatch service stopped (version %2). %3"},
    {BW_EVENT_POLICY_LOADED,
     "policy-loaded",
     BW_SEVERITY_INFORMATION,
     {EVENT, "configuration", "change", NULL},
     "banwatch is using policy %2 version %3 in %4 mode (%5). Settings from Group Policy: %6."},
    {BW_EVENT_HEARTBEAT,
     "heartbeat",
     BW_SEVERITY_INFORMATION,
     {STATE, "process", "info", NULL},
     "banwatch heartbeat: %6 finding(s) of policy %2 %3 present; last scan %4 (complete: %5). "
     "Vendor present: %14; updated after the cutoff: %16; stale protection: %17."},
    {BW_EVENT_NEW_PRODUCT,
     "new-product",
     BW_SEVERITY_WARNING,
     {ALERT, "package", "installation", NULL},
     "Banned software found: product %3 (%4), version %7, publisher %6 (confidence %12)."},
    {BW_EVENT_NEW_SERVICE,
     "new-service",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "creation", NULL},
     "Banned software found: service %3 (%5), image %9 (confidence %12)."},
    {BW_EVENT_NEW_DRIVER,
     "new-driver",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "creation", NULL},
     "Banned software found: kernel driver %3 (%5), image %9 (confidence %12)."},
    {BW_EVENT_NEW_KSN,
     "new-ksn-component",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "creation", NULL},
     "Banned software found: KSN component %3 (%5), image %9 (confidence %12)."},
    {BW_EVENT_NEW_FILTER,
     "new-class-filter",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "creation", NULL},
     "Banned software found: device class filter %3 in the %5 class (confidence %12)."},
    {BW_EVENT_NEW_REGISTRY,
     "new-registry-footprint",
     BW_SEVERITY_WARNING,
     {ALERT, "package", "installation", NULL},
     "Banned software found: vendor registry key %3 (%5), version %7 (confidence %12)."},
    {BW_EVENT_NEW_KSN_CONNECTION,
     "new-ksn-connection",
     BW_SEVERITY_WARNING,
     {ALERT, "network", "connection", NULL},
     "Banned software is talking to KSN: process %9 has a TCP connection to %10 (%3) "
     "(confidence %12)."},
    {BW_EVENT_FINDING_RESOLVED,
     "finding-resolved",
     BW_SEVERITY_INFORMATION,
     {EVENT, "package", "deletion", NULL},
     "Banned software no longer present: %2 %3 (%5; key %4)."},
    {BW_EVENT_FINDING_CHANGED,
     "finding-changed",
     BW_SEVERITY_WARNING,
     {ALERT, "package", "change", NULL},
     "Banned software changed: %2 %3 (%5; key %4) is now version %7 (was %8)."},
    {BW_EVENT_HOST_VERDICT,
     "host-verdict",
     BW_SEVERITY_WARNING,
     {STATE, "host", "info", NULL},
     "%10 %11"},
    {BW_EVENT_UPDATE_AFTER_CUTOFF,
     "update-after-cutoff",
     BW_SEVERITY_WARNING,
     {ALERT, "package", "change", NULL},
     "Banned software was updated after the cutoff: product %2 (%9) has update evidence dated "
     "%3 (%4, %5), at or after the cutoff %6."},
    {BW_EVENT_STALE_PROTECTION,
     "stale-protection",
     BW_SEVERITY_WARNING,
     {ALERT, "package", "info", NULL},
     "Stale protection: the newest signatures of %2 (%9) are from %3, %7 days old (threshold "
     "%8 days); the endpoint is not protected by them."},
    {BW_EVENT_WOULD_DISABLE,
     "would-disable",
     BW_SEVERITY_INFORMATION,
     {EVENT, "configuration", "info", "unknown"},
     "Audit mode: in enforce mode banwatch would disable %4 %2 (%3; start type %6, %7). Nothing "
     "was changed. %10"},
    {BW_EVENT_SERVICE_DISABLED,
     "service-disabled",
     BW_SEVERITY_WARNING,
     {EVENT, "configuration", "change", "success"},
     "banwatch disabled %4 %2 (%3): its start type was %6 and is now disabled. %10"},
    {BW_EVENT_SERVICE_CONTAINED_STOP,
     "service-stopped",
     BW_SEVERITY_WARNING,
     {EVENT, "configuration", "change", "success"},
     "banwatch stopped %4 %2 (%3), which was %7. %10"},
    {BW_EVENT_CONTAIN_BLOCKED,
     "containment-blocked",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "change", "failure"},
     "Containment of %4 %2 (%3) was blocked by the product's self-defense or protection "
     "(error %9); nothing was changed. %10"},
    {BW_EVENT_CONTAIN_FAILED,
     "containment-failed",
     BW_SEVERITY_ERROR,
     {ALERT, "configuration", "change", "failure"},
     "banwatch could not %5 %4 %2 (%3) (error %9). %10"},
    {BW_EVENT_SERVICE_RESTORED,
     "service-restored",
     BW_SEVERITY_INFORMATION,
     {EVENT, "configuration", "change", "success"},
     "banwatch restored %4 %2 (%3): start type %6 put back. %10"},
    {BW_EVENT_CONTAIN_HELD,
     "containment-held",
     BW_SEVERITY_WARNING,
     {ALERT, "configuration", "info", "unknown"},
     "Containment of %4 %2 (%3): no other anti-virus would remain on this endpoint. %10"},
    {BW_EVENT_STATE_DB_RECREATED,
     "state-db-recreated",
     BW_SEVERITY_ERROR,
     {EVENT, "database", "error", NULL},
     "The banwatch state database was unreadable and has been recreated: %2"},
    {BW_EVENT_POLICY_INVALID,
     "policy-invalid",
     BW_SEVERITY_ERROR,
     {EVENT, "configuration", "error", NULL},
     "The banwatch policy is invalid and was not applied: %2"},
    {BW_EVENT_SCAN_INCOMPLETE,
     "scan-incomplete",
     BW_SEVERITY_ERROR,
     {EVENT, "process", "error", NULL},
     "The banwatch scan could not read everything: %2"},
    {BW_EVENT_STATE_DB_UNAVAILABLE,
     "state-db-unavailable",
     BW_SEVERITY_ERROR,
     {EVENT, "database", "error", NULL},
     "The banwatch state database cannot be opened or written: %2. Until it works again, "
     "findings are not alerted and containment changes nothing."},
    {BW_EVENT_DATA_DIR_SECURED,
     "data-dir-secured",
     BW_SEVERITY_WARNING,
     {EVENT, "configuration", "change", NULL},
     "The banwatch data folder %2 could be changed by accounts other than SYSTEM and "
     "Administrators (%4). banwatch made it safe: %3."},
    {BW_EVENT_UNTRUSTED_DATA,
     "untrusted-data",
     BW_SEVERITY_ERROR,
     {EVENT, "file", "error", NULL},
     "banwatch refuses %2: %3. %4."},
    {BW_EVENT_WRITE_FAILED,
     "write-failed",
     BW_SEVERITY_ERROR,
     {EVENT, "file", "error", NULL},
     "banwatch cannot write %2: %3. %4."},
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
 * "ksn_connection" where the kind is "ksn-connection"), and their paths. */
static const char *const heartbeat_fields[] = {"product", "service",  "driver",        "ksn",
                                               "filter",  "registry", "ksn_connection"};
static const char *const heartbeat_paths[] = {
    "banwatch.counts.product",       "banwatch.counts.service", "banwatch.counts.driver",
    "banwatch.counts.ksn",           "banwatch.counts.filter",  "banwatch.counts.registry",
    "banwatch.counts.ksn_connection"};
_Static_assert(sizeof heartbeat_fields / sizeof heartbeat_fields[0] == BW_STORE_KINDS &&
                   sizeof heartbeat_paths / sizeof heartbeat_paths[0] == BW_STORE_KINDS,
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

bw_event_ecs bw_event_ecs_of(bw_event_id id)
{
    const event_info *e = find_event((int)id);
    bw_event_ecs none = {0};
    return e ? e->ecs : none;
}

const char *bw_event_text(bw_event_id id)
{
    const event_info *e = find_event((int)id);
    return e ? e->text : NULL;
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

/* Appends a field with a copy of value (NULL stays NULL), its JSON path
 * and type. Once a copy has failed, *ok stays false, so callers check once
 * at the end. */
static void add_typed(bw_alert *a, const char *name, const char *path, bw_field_type type,
                      const char *value, bool *ok)
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
    a->fields[a->n_fields].path = path;
    a->fields[a->n_fields].type = type;
    a->fields[a->n_fields].value = v;
    a->n_fields++;
}

static void add(bw_alert *a, const char *name, const char *path, const char *value, bool *ok)
{
    add_typed(a, name, path, BW_FIELD_TEXT, value, ok);
}

static void add_int(bw_alert *a, const char *name, const char *path, long long v, bool *ok)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", v);
    add_typed(a, name, path, BW_FIELD_INT, b, ok);
}

/* A time as a date field; missing when `when` is 0 or `has` is false. */
static void add_date(bw_alert *a, const char *name, const char *path, bool has, int64_t when,
                     bool *ok)
{
    char b[21];
    if (has)
        bw_format_utc(when, b);
    add_typed(a, name, path, BW_FIELD_DATE, has ? b : NULL, ok);
}

static void add_host(bw_alert *a, const char *host, bool *ok)
{
    add(a, "host", "host.name", host, ok);
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

/* Where a finding's name, version and path go in the JSON record: a
 * product's in package.*, the service key name of services, drivers, KSN
 * components and class filters in service.name, the rest under
 * banwatch.finding. */
static const char *finding_name_path(bw_kind k)
{
    switch (k) {
    case BW_KIND_PRODUCT: return "package.name";
    case BW_KIND_SERVICE:
    case BW_KIND_DRIVER:
    case BW_KIND_KSN:
    case BW_KIND_FILTER: return "service.name";
    default: return "banwatch.finding.name";
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
    bool product = c->kind == BW_KIND_PRODUCT;
    bool changed = c->change == BW_CHANGE_CHANGED;
    add_host(out, host, &ok);
    add(out, "kind", "banwatch.kind", bw_kind_name(c->kind), &ok);
    add(out, "name", finding_name_path(c->kind),
        bw_finding_shown_name(c->kind, c->name, c->display_name), &ok);
    add(out, "key", "banwatch.finding.key", c->name, &ok);
    add(out, "display_name", "banwatch.finding.display_name", c->display_name, &ok);
    add(out, "publisher", "banwatch.finding.publisher", c->publisher, &ok);
    add(out, "version", product ? "package.version" : "banwatch.finding.version", c->version,
        &ok);
    add(out, "old_version", "banwatch.old.version", changed ? c->old_version : NULL, &ok);
    add(out, "path", product ? "package.path" : "banwatch.finding.path", c->path, &ok);
    add(out, "source", "banwatch.finding.source", c->source, &ok);
    add(out, "rule", "rule.name", c->rule, &ok);
    add(out, "tier", "banwatch.tier", c->tier ? bw_tier_name(c->tier) : NULL, &ok);
    add(out, "old_display_name", "banwatch.old.display_name",
        changed ? c->old_display_name : NULL, &ok);
    add(out, "old_path", "banwatch.old.path", changed ? c->old_path : NULL, &ok);
    add(out, "old_tier", "banwatch.old.tier",
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
    alert_start(out, BW_EVENT_AGENT_STARTED);
    add_host(out, host, &ok);
    add(out, "program_version", "agent.version", program_version, &ok);
    add(out, "detail", "banwatch.detail", unclean ? "recovered after an unclean stop" : "started",
        &ok);
    add(out, "previous_stop", "banwatch.previous_stop", bw_prev_stop_name(prev), &ok);
    add_date(out, "previous_start", "banwatch.previous_start", unclean && prev_started > 0,
             prev_started, &ok);
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
    add_host(out, host, &ok);
    add(out, "program_version", "agent.version", program_version, &ok);
    add(out, "detail", "banwatch.detail", detail, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_policy_loaded(const char *host, const bw_policy *pol, const char *detail,
                              const char *from_group_policy, bw_alert *out)
{
    bool ok = true;
    alert_start(out, BW_EVENT_POLICY_LOADED);
    add_host(out, host, &ok);
    add(out, "policy", "banwatch.policy.name", pol ? pol->name : NULL, &ok);
    add(out, "policy_version", "banwatch.policy.version", pol ? pol->version : NULL, &ok);
    add(out, "mode", "banwatch.policy.mode",
        pol ? (pol->mode == BW_MODE_ENFORCE ? "enforce" : "audit") : NULL, &ok);
    add(out, "detail", "banwatch.detail", detail, &ok);
    add(out, "from_group_policy", "banwatch.policy.from_group_policy",
        from_group_policy && *from_group_policy && strcmp(from_group_policy, "-") != 0
            ? from_group_policy
            : NULL,
        &ok);
    return alert_end(out, ok);
}

/* The fields of 300 and 301, from `product` (the vendor key or the
 * finding's key name) on; age_days and threshold_days may be negative:
 * missing. */
static void update_fields(bw_alert *out, const char *product, int64_t newest,
                          const char *evidence, const char *source, int64_t cutoff,
                          long long age_days, long long threshold_days, const char *display_name,
                          bool *ok)
{
    add(out, "product", "banwatch.finding.key", product, ok);
    add_date(out, "newest_update", "banwatch.evidence_date", true, newest, ok);
    add(out, "evidence", "banwatch.evidence", evidence, ok);
    add(out, "source", "banwatch.evidence_source", source, ok);
    add_date(out, "cutoff", "banwatch.cutoff", true, cutoff, ok);
    if (age_days >= 0)
        add_int(out, "age_days", "banwatch.age_days", age_days, ok);
    else
        add_typed(out, "age_days", "banwatch.age_days", BW_FIELD_INT, NULL, ok);
    if (threshold_days >= 0)
        add_int(out, "threshold_days", "banwatch.threshold_days", threshold_days, ok);
    else
        add_typed(out, "threshold_days", "banwatch.threshold_days", BW_FIELD_INT, NULL, ok);
    add(out, "display_name", "package.name", display_name, ok);
}

bw_err bw_alert_update(bw_event_id id, const char *host, const bw_update_status *st,
                       const char *display_name, unsigned threshold_days, bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if ((id != BW_EVENT_UPDATE_AFTER_CUTOFF && id != BW_EVENT_STALE_PROTECTION) || !st ||
        !st->has_date)
        return BW_EINVAL;
    bool ok = true;
    alert_start(out, id);
    add_host(out, host, &ok);
    update_fields(out, st->product, st->newest, bw_evidence_kind_name(st->newest_kind),
                  st->newest_source, st->cutoff, (long long)st->age_days,
                  (long long)threshold_days, display_name, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_contain(const bw_contain_result *r, const char *host, bw_alert *out)
{
    memset(out, 0, sizeof *out);
    if (!r || !r->name || (unsigned)r->outcome >= BW_CONTAIN_OUTCOMES)
        return BW_EINVAL;
    bool ok = true;
    alert_start(out, (bw_event_id)(BW_EVENT_WOULD_DISABLE + (int)r->outcome));
    add_host(out, host, &ok);
    add(out, "service", "service.name", r->name, &ok);
    add(out, "display_name", "banwatch.containment.display_name", r->display_name, &ok);
    add(out, "kind", "banwatch.kind", r->kind, &ok);
    add(out, "action", "banwatch.containment.action", r->action, &ok);
    add(out, "prior_start_type", "banwatch.containment.prior_start_type",
        r->has_prior ? bw_start_type_name(r->prior_start) : NULL, &ok);
    add(out, "prior_state", "banwatch.containment.prior_state",
        r->has_prior ? bw_service_state_name(r->prior_state) : NULL, &ok);
    add(out, "result", "banwatch.containment.result", bw_contain_outcome_name(r->outcome), &ok);
    add_int(out, "error_code", "banwatch.containment.error_code", (long long)r->error, &ok);
    add(out, "detail", "banwatch.detail", r->detail, &ok);
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
    alert_start(out, BW_EVENT_UPDATE_AFTER_CUTOFF);
    out->change_id = c->id;
    add_host(out, host, &ok);
    update_fields(out, c->name, c->at, evidence, c->source, cutoff, 0, -1,
                  c->kind == BW_KIND_PRODUCT ? c->display_name : NULL, &ok);
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
    add_host(out, host, &ok);
    add(out, "detail", "banwatch.detail", detail, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_data_dir(const char *host, const char *path, const char *action,
                         const char *found, const char *moved_to, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    alert_start(out, BW_EVENT_DATA_DIR_SECURED);
    add_host(out, host, &ok);
    add(out, "path", "file.path", path, &ok);
    add(out, "action", "banwatch.data_dir.action", action, &ok);
    add(out, "found", "banwatch.data_dir.found", found, &ok);
    add(out, "moved_to", "banwatch.data_dir.moved_to", moved_to, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_untrusted(const char *host, const char *path, const char *reason,
                          const char *effect, bw_alert *out)
{
    bool ok = true;
    memset(out, 0, sizeof *out);
    alert_start(out, BW_EVENT_UNTRUSTED_DATA);
    add_host(out, host, &ok);
    add(out, "path", "file.path", path, &ok);
    add(out, "reason", "banwatch.reason", reason, &ok);
    add(out, "effect", "banwatch.effect", effect, &ok);
    return alert_end(out, ok);
}

bw_err bw_alert_write_failed(const char *host, const char *path, const char *error,
                             const char *effect, bw_alert *out)
{
    bool ok = true;
    alert_start(out, BW_EVENT_WRITE_FAILED);
    add_host(out, host, &ok);
    add(out, "path", "file.path", path, &ok);
    add(out, "error", "error.message", error, &ok);
    add(out, "effect", "banwatch.effect", effect, &ok);
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
    add(a, "present", "banwatch.verdict.present",
        v ? (v->counts ? bw_tier_name(v->present) : "no") : NULL, ok);
    add(a, "products", "banwatch.verdict.products", products, ok);
    free(products);
    add(a, "updated_after_cutoff", "banwatch.verdict.updated_after_cutoff",
        v ? bw_tri_name(v->updated_after_cutoff) : NULL, ok);
    if (full) {
        add_date(a, "newest_update", "banwatch.verdict.newest_update", v && v->has_update,
                 v ? v->newest_update : 0, ok);
        add(a, "update_evidence", "banwatch.verdict.update_evidence",
            v && v->has_update ? v->update_evidence : NULL, ok);
    }
    add(a, "stale", "banwatch.verdict.stale", v ? bw_tri_name(v->stale) : NULL, ok);
    add(a, "ksn_state", "banwatch.verdict.ksn_state", v ? bw_ksn_state_name(v->ksn) : NULL, ok);
    add(a, "containment", "banwatch.verdict.containment", v ? v->containment : NULL, ok);
    if (full) {
        add(a, "headline", "banwatch.verdict.headline", v ? v->headline : NULL, ok);
        add(a, "next_step", "banwatch.verdict.next_step", v ? v->next_step : NULL, ok);
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
    size_t total = 0;
    alert_start(out, BW_EVENT_HEARTBEAT);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        total += hb->by_kind[k];
    add_host(out, hb->host, &ok);
    add(out, "policy", "banwatch.policy.name", hb->policy_name, &ok);
    add(out, "policy_version", "banwatch.policy.version", hb->policy_version, &ok);
    add_date(out, "last_scan", "banwatch.last_scan", hb->last_scan != 0, hb->last_scan, &ok);
    add_typed(out, "last_scan_complete", "banwatch.last_scan_complete", BW_FIELD_BOOL,
              hb->last_scan ? (hb->last_scan_complete ? "true" : "false") : NULL, &ok);
    add_int(out, "findings", "banwatch.counts.findings", (long long)total, &ok);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        add_int(out, heartbeat_fields[k], heartbeat_paths[k], (long long)hb->by_kind[k], &ok);
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

/* The product's own registry key among the counted findings (it is still
 * installed), or NULL. */
static const bw_finding *product_key(const bw_findings *counted, const char *product)
{
    for (size_t j = 0; counted && j < counted->n; j++)
        if (counted->items[j].kind == BW_KIND_REGISTRY && bw_ieq(counted->items[j].name, product))
            return &counted->items[j];
    return NULL;
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
        const bw_finding *key = product_key(counted, st->product);
        const char *shown = key ? key->display_name : NULL;
        int64_t seen = 0;
        bool has = remembered(get, ctx, "update-after-cutoff", st->product, &seen, &e);
        if (!e && st->after_cutoff && (!has || st->newest > seen)) {
            bw_alert al = {0};
            e = bw_alert_update(BW_EVENT_UPDATE_AFTER_CUTOFF, host, st, shown, threshold_days,
                                &al);
            if (e == BW_OK)
                e = due(out, &al, "update-after-cutoff", st->product, st->newest);
        }
        if (e || !st->stale || !key || !may_run)
            continue;
        has = remembered(get, ctx, "stale-protection", st->product, &seen, &e);
        if (!e && (!has || seen != st->newest)) {
            bw_alert al = {0};
            e = bw_alert_update(BW_EVENT_STALE_PROTECTION, host, st, shown, threshold_days, &al);
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
    add_host(out, host, &ok);
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
