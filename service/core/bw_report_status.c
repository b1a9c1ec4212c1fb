/*
 * bw_report_status.c - `banwatch status` as text and as JSON (portable
 * core). See bw_report.h and bw_status.h.
 *
 * The values come from the state database. The JSON is built with the
 * writer only: an alert's stored fields are read back into values
 * (bw_json_read_flat) and written again, and text that does not read as
 * what banwatch stores is written as one string. The text escapes every
 * value that could drive a terminal (bw_buf_put_text).
 */
#include "bw_report.h"

#include "bw_alert.h"
#include "bw_json.h"
#include "bw_status.h"

#include <stdlib.h>

static const char *mode_name(bw_mode m)
{
    return m == BW_MODE_ENFORCE ? "enforce" : "audit";
}

/* ---- JSON ------------------------------------------------------------------------ */

/* A time member: UTC text, or null for 0 (never). */
static void json_time(bw_json *j, const char *key, int64_t t)
{
    char when[21];
    bw_format_utc(t, when);
    bw_json_str(j, key, t ? when : NULL);
}

static void json_verdict(bw_json *j, const bw_status *s)
{
    if (!s->has_verdict) {
        bw_json_null(j, "verdict");
        return;
    }
    const bw_verdict_record *v = &s->verdict;
    bw_json_object(j, "verdict", BW_JSON_INLINE);
    json_time(j, "since", v->at);
    bw_json_str(j, "present", v->present);
    bw_json_str(j, "products", v->products);
    bw_json_str(j, "updated_after_cutoff", v->updated_after_cutoff);
    bw_json_str(j, "newest_update", v->newest_update);
    bw_json_str(j, "update_evidence", v->update_evidence);
    bw_json_str(j, "stale", v->stale);
    bw_json_str(j, "ksn", v->ksn);
    bw_json_str(j, "containment", v->containment);
    bw_json_str(j, "headline", v->headline);
    bw_json_str(j, "next_step", v->next_step);
    bw_json_end(j);
}

static void json_last_scan(bw_json *j, const bw_status *s)
{
    if (!s->has_last_scan) {
        bw_json_null(j, "last_scan");
        return;
    }
    const bw_scan_record *r = &s->last_scan;
    bw_json_object(j, "last_scan", BW_JSON_INLINE);
    json_time(j, "finished_at", r->finished_at);
    bw_json_str(j, "host", r->host);
    bw_json_str(j, "policy", r->policy_name);
    bw_json_str(j, "policy_version", r->policy_version);
    bw_json_bool(j, "complete", r->complete);
    bw_json_uint(j, "findings", r->n_findings);
    bw_json_end(j);
}

static void json_findings(bw_json *j, const bw_stored_findings *f)
{
    bw_json_array(j, "findings", BW_JSON_BLOCK);
    for (size_t i = 0; i < f->n; i++) {
        const bw_stored_finding *x = &f->items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "kind", bw_kind_name(x->kind));
        bw_json_str(j, "name", bw_finding_shown_name(x->kind, x->name, x->display_name));
        bw_json_str(j, "key", x->name);
        bw_json_str(j, "display_name", x->display_name);
        bw_json_str(j, "version", x->version);
        bw_json_str(j, "source", x->source);
        json_time(j, "first_seen", x->first_seen);
        json_time(j, "last_seen", x->last_seen);
        bw_json_end(j);
    }
    bw_json_end(j);
}

static void json_updates(bw_json *j, const bw_stored_updates *u)
{
    bw_json_array(j, "updates", BW_JSON_BLOCK);
    for (size_t i = 0; i < u->n; i++) {
        const bw_stored_update *x = &u->items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "product", x->product);
        json_time(j, "newest_update", x->has_date ? x->newest : 0);
        bw_json_str(j, "evidence", x->evidence);
        bw_json_str(j, "source", x->source);
        bw_json_bool(j, "after_cutoff", x->after_cutoff);
        if (x->has_date)
            bw_json_int(j, "age_days", x->age_days);
        else
            bw_json_null(j, "age_days");
        bw_json_bool(j, "stale", x->stale);
        bw_json_bool(j, "never_updated", x->never_updated);
        bw_json_end(j);
    }
    bw_json_end(j);
}

static void json_containment(bw_json *j, const bw_status *s)
{
    bw_json_object(j, "containment_mode", BW_JSON_INLINE);
    bw_json_str(j, "mode", mode_name(s->mode));
    bw_json_str(j, "source", s->mode_source);
    bw_json_end(j);
    bw_json_array(j, "containment", BW_JSON_BLOCK);
    for (size_t i = 0; i < s->containment.n; i++) {
        const bw_contain_record *c = &s->containment.items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "name", c->name);
        bw_json_str(j, "kind", c->kind);
        bw_json_str(j, "display_name", c->display_name);
        bw_json_str(j, "outcome", bw_contain_outcome_name(c->outcome));
        bw_json_str(j, "action", c->action);
        bw_json_bool(j, "changed", c->changed);
        bw_json_str(j, "prior_start_type",
                    c->has_prior ? bw_start_type_name(c->prior_start) : NULL);
        bw_json_str(j, "prior_state",
                    c->has_prior ? bw_service_state_name(c->prior_state) : NULL);
        json_time(j, "changed_at", c->changed_at);
        json_time(j, "outcome_at", c->outcome_at);
        json_time(j, "restored_at", c->restored_at);
        bw_json_uint(j, "error_code", c->error);
        bw_json_str(j, "detail", c->detail);
        bw_json_end(j);
    }
    bw_json_end(j);
}

/* "fields": an alert's fields as recorded (bw_alert_fields_json), read
 * into values and written again; stored text that does not read as such
 * an object is written as one string. */
static void json_alert_fields(bw_json *j, const char *stored)
{
    if (!stored) {
        bw_json_null(j, "fields");
        return;
    }
    bw_json_members m = {0};
    bw_err e = bw_json_read_flat(stored, BW_ALERT_MAX_FIELDS, &m);
    if (e == BW_OK) {
        bw_json_object(j, "fields", BW_JSON_COMPACT);
        for (size_t i = 0; i < m.n; i++)
            bw_json_str(j, m.items[i].key, m.items[i].value);
        bw_json_end(j);
    } else if (e == BW_ENOMEM) {
        j->out->failed = true;
    } else {
        bw_json_str(j, "fields", stored);
    }
    bw_json_members_free(&m);
}

static void json_alerts(bw_json *j, const bw_alert_records *a)
{
    bw_json_array(j, "recent_alerts", BW_JSON_BLOCK);
    for (size_t i = 0; i < a->n; i++) {
        const bw_alert_record *r = &a->items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_int(j, "event_id", r->event_id);
        bw_json_str(j, "event", bw_event_name((bw_event_id)r->event_id));
        json_time(j, "raised_at", r->raised_at);
        json_alert_fields(j, r->fields_json);
        bw_json_end(j);
    }
    bw_json_end(j);
}

static void json_service(bw_json *j, const bw_status_service *sv)
{
    bw_json_object(j, "service", BW_JSON_INLINE);
    if (sv->queried)
        bw_json_bool(j, "installed", sv->installed);
    else
        bw_json_null(j, "installed");
    bool known = sv->queried && sv->installed;
    bw_json_str(j, "state", known ? bw_service_state_name(sv->state) : NULL);
    bw_json_str(j, "start_type", known && sv->has_start ? bw_start_type_name(sv->start) : NULL);
    bw_json_str(j, "advice", bw_status_service_advice(sv));
    bw_json_str(j, "error", sv->error);
    bw_json_end(j);
}

bw_err bw_report_status_json(const bw_status *s, bw_buf *out)
{
    bw_json jw, *j = &jw;
    bw_json_init(j, out);
    bw_json_object(j, NULL, BW_JSON_BLOCK);
    json_service(j, &s->service);
    bw_json_str(j, "database", s->database);
    json_verdict(j, s);
    json_last_scan(j, s);
    json_findings(j, &s->findings);
    json_updates(j, &s->updates);
    json_containment(j, s);
    json_alerts(j, &s->alerts);
    bw_json_end(j);
    return bw_json_done(j, true);
}

/* ---- text ------------------------------------------------------------------------ */

/* The text being written, and the escaped copies of the values that needed
 * one (freed at the end). */
typedef struct text_out {
    bw_buf *b;
    bw_strlist kept;
} text_out;

/* v as it can go to a terminal: v itself when nothing in it needs an
 * escape, else an escaped copy (bw_buf_put_text) that lives until the end;
 * `none` when v is NULL. */
static const char *tv(text_out *t, const char *v, const char *none)
{
    if (!v)
        return none;
    if (bw_text_plain(v))
        return v;
    bw_buf e = {0};
    bw_buf_put_text(&e, v);
    char *copy = bw_buf_take(&e);
    if (bw_strlist_add_owned(&t->kept, copy) != BW_OK) {
        t->b->failed = true;
        return "";
    }
    return copy;
}

/* "service: running (automatic start)", and first of all, when the
 * service is not running as it should, what that means. */
static void text_service(text_out *t, const bw_status_service *sv, bool warning)
{
    const char *advice = bw_status_service_advice(sv);
    if (warning) {
        if (advice)
            bw_buf_printf(t->b, "WARNING: %s.\n\n", advice);
        return;
    }
    bw_buf_printf(t->b, "service: %s", bw_status_service_state(sv));
    if (sv->queried && sv->installed && sv->has_start)
        bw_buf_printf(t->b, " (%s start)", bw_start_type_name(sv->start));
    if (sv->error)
        bw_buf_printf(t->b, " (%s)", tv(t, sv->error, ""));
    bw_buf_putc(t->b, '\n');
}

static void text_head(text_out *t, const bw_status *s)
{
    bw_buf *b = t->b;
    text_service(t, &s->service, true);
    if (s->has_verdict) {
        char since[21];
        bw_format_utc(s->verdict.at, since);
        bw_buf_printf(b, "%s\n%s\n(verdict since %s)\n\n", tv(t, s->verdict.headline, "-"),
                      tv(t, s->verdict.next_step, "-"), since);
    } else {
        bw_buf_puts(b, "No verdict yet: the service has not completed a scan.\n\n");
    }
    bw_buf_printf(b, "banwatch state (%s)\n", tv(t, s->database, "-"));
    text_service(t, &s->service, false);
    if (s->has_last_scan) {
        const bw_scan_record *r = &s->last_scan;
        char when[21];
        bw_format_utc(r->finished_at, when);
        bw_buf_printf(b, "last scan: %s (%s, policy %s %s)\n", r->finished_at ? when : "never",
                      r->complete ? "complete" : "INCOMPLETE", tv(t, r->policy_name, "-"),
                      tv(t, r->policy_version, "-"));
    } else {
        bw_buf_puts(b, "last scan: never\n");
    }
}

static void text_findings(text_out *t, const bw_stored_findings *f)
{
    bw_buf_printf(t->b, "findings present: %zu\n", f->n);
    for (size_t i = 0; i < f->n; i++) {
        const bw_stored_finding *x = &f->items[i];
        char since[21];
        bw_format_utc(x->first_seen, since);
        bw_buf_printf(t->b, "  [%s] %s%s%s%s since %s\n", bw_kind_name(x->kind),
                      tv(t, x->name, "-"), x->display_name ? " (" : "",
                      tv(t, x->display_name, ""), x->display_name ? ")" : "", since);
    }
}

static void text_updates(text_out *t, const bw_stored_updates *u)
{
    for (size_t i = 0; i < u->n; i++) {
        const bw_stored_update *x = &u->items[i];
        const char *product = tv(t, x->product, "(no product)");
        if (x->has_date) {
            char when[21];
            bw_format_utc(x->newest, when);
            bw_buf_printf(t->b, "update %s: newest %s (%s), %lld days old%s%s\n", product, when,
                          tv(t, x->evidence, "-"), (long long)x->age_days,
                          x->after_cutoff ? ", AFTER CUTOFF" : "", x->stale ? ", STALE" : "");
        } else {
            bw_buf_printf(t->b, "update %s: no update date%s\n", product,
                          x->never_updated ? ", never updated" : "");
        }
    }
}

static void text_containment(text_out *t, const bw_status *s)
{
    const bw_contain_records *cr = &s->containment;
    size_t n_changed = 0;
    for (size_t i = 0; i < cr->n; i++)
        n_changed += cr->items[i].changed;
    bw_buf_printf(t->b, "containment mode: %s (%s)\n", mode_name(s->mode),
                  tv(t, s->mode_source, "-"));
    bw_buf_printf(t->b, "containment: %zu service(s) changed by banwatch%s\n", n_changed,
                  n_changed ? " ('banwatch restore' puts them back)" : "");
    for (size_t i = 0; i < cr->n; i++) {
        const bw_contain_record *c = &cr->items[i];
        char when[21];
        bw_format_utc(c->outcome_at, when);
        bw_buf_printf(t->b, "  %s %s: %s at %s", tv(t, c->kind, "service"), tv(t, c->name, "-"),
                      bw_contain_outcome_name(c->outcome), when);
        if (c->changed && c->has_prior) {
            char since[21];
            bw_format_utc(c->changed_at, since);
            bw_buf_printf(t->b, "; changed since %s, was %s and %s", since,
                          bw_start_type_name(c->prior_start),
                          bw_service_state_name(c->prior_state));
        } else if (c->restored_at) {
            char at[21];
            bw_format_utc(c->restored_at, at);
            bw_buf_printf(t->b, "; restored at %s", at);
        }
        bw_buf_putc(t->b, '\n');
    }
}

static void text_alerts(text_out *t, const bw_alert_records *a)
{
    bw_buf_printf(t->b, "recent alerts: %zu\n", a->n);
    for (size_t i = 0; i < a->n; i++) {
        char when[21];
        bw_format_utc(a->items[i].raised_at, when);
        bw_buf_printf(t->b, "  %s %d %s\n", when, a->items[i].event_id,
                      bw_event_name((bw_event_id)a->items[i].event_id));
    }
}

bw_err bw_report_status_text(const bw_status *s, bw_buf *out)
{
    text_out t = {.b = out};
    text_head(&t, s);
    text_findings(&t, &s->findings);
    text_updates(&t, &s->updates);
    text_containment(&t, s);
    text_alerts(&t, &s->alerts);
    bw_strlist_free(&t.kept);
    return out->failed ? BW_ENOMEM : BW_OK;
}
