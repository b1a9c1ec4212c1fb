/*
 * bw_report.c - the scan as JSON (docs/scan-json.md) and as text
 * (portable core).
 */
#include "bw_report.h"

#include <stdio.h>
#include <string.h>

#ifndef BW_VERSION
#define BW_VERSION "0.1.0"
#endif

#define BW_SCAN_SCHEMA "banwatch.scan/1"

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

void bw_format_utc(int64_t t, char buf[21])
{
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, 21, "%s", y < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
        return;
    }
    /* The "% 100" bounds are no-ops that let the compiler see the fields fit. */
    snprintf(buf, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u, m % 100u,
             d % 100u, (unsigned)(rem / 3600) % 100u, (unsigned)(rem % 3600 / 60) % 100u,
             (unsigned)(rem % 60) % 100u);
}

bw_err bw_json_string(bw_buf *out, const char *s)
{
    if (!s)
        return bw_buf_puts(out, "null");
    bw_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': bw_buf_puts(out, "\\\""); break;
        case '\\': bw_buf_puts(out, "\\\\"); break;
        case '\n': bw_buf_puts(out, "\\n"); break;
        case '\r': bw_buf_puts(out, "\\r"); break;
        case '\t': bw_buf_puts(out, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                bw_buf_printf(out, "\\u%04x", *p);
            else
                bw_buf_putc(out, (char)*p);
        }
    }
    bw_buf_putc(out, '"');
    return out->failed ? BW_ENOMEM : BW_OK;
}

static const char *view_name(bw_view v)
{
    switch (v) {
    case BW_VIEW_64: return "64";
    case BW_VIEW_32: return "32";
    case BW_VIEW_USER: return "user";
    default: return NULL;
    }
}

static const char *start_name(uint32_t s)
{
    static const char *const names[] = {"boot", "system", "auto", "demand", "disabled"};
    return s < 5 ? names[s] : NULL;
}

static const char *state_name(uint32_t s)
{
    static const char *const names[] = {"unknown", "stopped", "start-pending",
                                        "stop-pending", "running", "continue-pending",
                                        "pause-pending", "paused"};
    return s < 8 ? names[s] : "unknown";
}

static const char *type_name(uint32_t t)
{
    if (t & BW_SVC_FS_DRIVER)
        return "file-system-driver";
    if (t & BW_SVC_KERNEL_DRIVER)
        return "kernel-driver";
    if (t & BW_SVC_WIN32_OWN)
        return "own-process";
    if (t & BW_SVC_WIN32_SHARE)
        return "share-process";
    return NULL;
}

static void kv(bw_buf *out, const char *indent, const char *key, const char *val, bool comma)
{
    bw_buf_printf(out, "%s\"%s\": ", indent, key);
    bw_json_string(out, val);
    bw_buf_puts(out, comma ? ",\n" : "\n");
}

static void json_updates(const bw_updates *u, bw_buf *out)
{
    char when[21];
    bw_buf_puts(out, "  \"updates\": [");
    for (size_t i = 0; u && i < u->n; i++) {
        const bw_update_status *st = &u->items[i];
        bw_buf_puts(out, i ? ",\n    {" : "\n    {");
        bw_buf_puts(out, "\"product\": ");
        bw_json_string(out, st->product);
        bw_buf_puts(out, ", \"newest_update\": ");
        bw_format_utc(st->newest, when);
        bw_json_string(out, st->has_date ? when : NULL);
        bw_buf_puts(out, ", \"evidence\": ");
        bw_json_string(out, st->has_date ? bw_evidence_kind_name(st->newest_kind) : NULL);
        bw_buf_puts(out, ", \"source\": ");
        bw_json_string(out, st->has_date ? st->newest_source : NULL);
        bw_format_utc(st->cutoff, when);
        bw_buf_printf(out, ", \"cutoff\": \"%s\", \"after_cutoff\": %s, ", when,
                      st->after_cutoff ? "true" : "false");
        if (st->has_date)
            bw_buf_printf(out, "\"age_days\": %lld, ", (long long)st->age_days);
        else
            bw_buf_puts(out, "\"age_days\": null, ");
        bw_buf_printf(out, "\"stale\": %s, \"future\": %s, \"never_updated\": %s, "
                           "\"evidence_read\": %u}",
                      st->stale ? "true" : "false", st->future ? "true" : "false",
                      st->never ? "true" : "false", st->n_evidence);
    }
    bw_buf_puts(out, u && u->n ? "\n  ],\n" : "],\n");
    bw_buf_puts(out, "  \"unreadable_evidence\": [");
    for (size_t i = 0; u && i < u->n_bad; i++) {
        const bw_unreadable_evidence *b = &u->bad[i];
        bw_buf_puts(out, i ? ",\n    {\"product\": " : "\n    {\"product\": ");
        bw_json_string(out, b->product);
        bw_buf_printf(out, ", \"kind\": \"%s\", \"source\": ", bw_evidence_kind_name(b->kind));
        bw_json_string(out, b->source);
        bw_buf_puts(out, ", \"reason\": ");
        bw_json_string(out, b->reason);
        bw_buf_puts(out, "}");
    }
    bw_buf_puts(out, u && u->n_bad ? "\n  ],\n" : "],\n");
}

static const char *mode_name(bw_mode m)
{
    return m == BW_MODE_ENFORCE ? "enforce" : "audit";
}

/* "containment": the plan (docs/scan-json.md). */
static void json_contain(const bw_report_contain *c, bw_buf *out)
{
    if (!c || !c->plan)
        return;
    const bw_contain_plan *p = c->plan;
    bw_buf_printf(out, "  \"containment\": {\"mode\": \"%s\", \"mode_source\": ",
                  mode_name(c->mode));
    bw_json_string(out, c->mode_source);
    bw_buf_printf(out, ", \"other_antivirus\": %s, \"other_antivirus_detail\": ",
                  p->other_av ? "true" : "false");
    bw_json_string(out, p->other_av_text);
    bw_buf_printf(out, ", \"would_hold\": %s, \"targets\": [", p->hold ? "true" : "false");
    for (size_t i = 0; i < p->n; i++) {
        const bw_contain_target *t = &p->items[i];
        bw_buf_puts(out, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        bw_json_string(out, t->name);
        bw_buf_printf(out, ", \"kind\": \"%s\", \"decision\": \"%s\", \"start_type\": ",
                      t->driver ? "driver" : "service", bw_contain_decision_name(t->decision));
        bw_json_string(out, t->has_start ? bw_start_type_name(t->start) : NULL);
        bw_buf_printf(out, ", \"state\": \"%s\"}", bw_service_state_name(t->state));
    }
    bw_buf_puts(out, p->n ? "\n  ]},\n" : "]},\n");
}

/* The containment plan as text. */
static void text_contain(const bw_report_contain *c, bw_buf *out)
{
    if (!c || !c->plan || !c->plan->n)
        return;
    const bw_contain_plan *p = c->plan;
    bw_buf_printf(out, "\nContainment (%s mode%s%s): %s\n", mode_name(c->mode),
                  c->mode_source ? ", from " : "", c->mode_source ? c->mode_source : "",
                  c->mode == BW_MODE_ENFORCE ? "the service stops and disables"
                                             : "enforce would stop and disable");
    for (size_t i = 0; i < p->n; i++) {
        const bw_contain_target *t = &p->items[i];
        bw_buf_printf(out, "  %-9s %s (%s, %s)%s%s\n",
                      t->decision == BW_CONTAIN_ACT ? "target" : "left",
                      t->name, t->has_start ? bw_start_type_name(t->start) : "unknown start",
                      bw_service_state_name(t->state),
                      t->decision == BW_CONTAIN_ACT ? "" : ": ",
                      t->decision == BW_CONTAIN_ACT ? "" : bw_contain_decision_name(t->decision));
    }
    bw_buf_printf(out, "  another anti-virus: %s\n",
                  p->other_av_text ? p->other_av_text : "-");
    if (p->hold && p->n_act)
        bw_buf_puts(out, "  HOLD: enforcement changes nothing while no other anti-virus would "
                         "remain (containment.allow_unprotected)\n");
}

bw_err bw_report_json(const bw_snapshot *snap, const bw_policy *pol,
                      const bw_findings *f, const bw_updates *updates,
                      const bw_report_contain *contain, bw_buf *out)
{
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_buf_puts(out, "{\n");
    kv(out, "  ", "schema", BW_SCAN_SCHEMA, true);
    kv(out, "  ", "banwatch_version", BW_VERSION, true);
    kv(out, "  ", "host", snap->host, true);
    kv(out, "  ", "scan_time", when, true);
    bw_buf_puts(out, "  \"policy\": {\n");
    kv(out, "    ", "name", pol->name, true);
    kv(out, "    ", "version", pol->version, true);
    kv(out, "    ", "vendor", pol->vendor, true);
    char cutoff[21];
    bw_format_utc(pol->cutoff, cutoff);
    kv(out, "    ", "cutoff", cutoff, false);
    bw_buf_puts(out, "  },\n");
    bw_buf_printf(out, "  \"incomplete\": %s,\n", snap->n_gaps ? "true" : "false");
    bw_buf_puts(out, "  \"incomplete_reasons\": [");
    for (size_t i = 0; i < snap->n_gaps; i++) {
        bw_buf_puts(out, i ? ",\n    {\"where\": " : "\n    {\"where\": ");
        bw_json_string(out, snap->gaps[i].where);
        bw_buf_puts(out, ", \"reason\": ");
        bw_json_string(out, snap->gaps[i].reason);
        bw_buf_puts(out, "}");
    }
    bw_buf_puts(out, snap->n_gaps ? "\n  ],\n" : "],\n");

    size_t counts[BW_KINDS] = {0};
    for (size_t i = 0; i < f->n; i++)
        if ((unsigned)f->items[i].kind < BW_KINDS)
            counts[f->items[i].kind]++;
    bw_buf_printf(out, "  \"summary\": {\"findings\": %zu", f->n);
    for (int k = 0; k < BW_KINDS; k++)
        bw_buf_printf(out, ", \"%s\": %zu", bw_kind_name((bw_kind)k), counts[k]);
    bw_buf_puts(out, "},\n");

    json_updates(updates, out);
    json_contain(contain, out);
    bw_buf_puts(out, "  \"findings\": [");
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        bw_buf_puts(out, i ? ",\n    {\n" : "\n    {\n");
        const char *in = "      ";
        kv(out, in, "kind", bw_kind_name(x->kind), true);
        kv(out, in, "name", x->name, true);
        kv(out, in, "display_name", x->display_name, true);
        kv(out, in, "publisher", x->publisher, true);
        kv(out, in, "version", x->version, true);
        kv(out, in, "path", x->path, true);
        kv(out, in, "source", x->source, true);
        kv(out, in, "view", view_name(x->view), true);
        if (x->kind == BW_KIND_PRODUCT)
            kv(out, in, "user_sid", x->user_sid, true);
        if (x->has_service_info) {
            kv(out, in, "service_type", type_name(x->service_type), true);
            kv(out, in, "start", start_name(x->start), true);
            kv(out, in, "state", state_name(x->state), true);
        }
        kv(out, in, "rule", x->rule, true);
        bw_buf_printf(out, "%s\"signals\": [", in);
        for (size_t j = 0; j < x->signals.n; j++) {
            if (j)
                bw_buf_puts(out, ", ");
            bw_json_string(out, x->signals.items[j]);
        }
        bw_buf_puts(out, "]\n    }");
    }
    bw_buf_puts(out, f->n ? "\n  ]\n}\n" : "]\n}\n");
    return out->failed ? BW_ENOMEM : BW_OK;
}

static void text_field(bw_buf *out, const char *label, const char *v)
{
    if (v && *v)
        bw_buf_printf(out, "    %-13s %s\n", label, v);
}

bw_err bw_report_text(const bw_snapshot *snap, const bw_policy *pol,
                      const bw_findings *f, const bw_updates *updates,
                      const bw_report_contain *contain, bw_buf *out)
{
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_buf_printf(out, "banwatch scan of %s at %s (policy %s %s)\n",
                  snap->host ? snap->host : "(unknown host)", when,
                  pol->name, pol->version);
    if (f->n == 0)
        bw_buf_printf(out, "No %s software found.\n", pol->vendor);
    else
        bw_buf_printf(out, "%zu finding%s:\n", f->n, f->n == 1 ? "" : "s");
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        bw_buf_printf(out, "\n[%s] %s\n", bw_kind_name(x->kind), x->name);
        text_field(out, "display name", x->display_name);
        text_field(out, "publisher", x->publisher);
        text_field(out, "version", x->version);
        text_field(out, "path", x->path);
        if (x->has_service_info) {
            text_field(out, "start", start_name(x->start));
            text_field(out, "state", state_name(x->state));
        }
        text_field(out, "source", x->source);
        text_field(out, "rule", x->rule);
        bw_buf_puts(out, "    why          ");
        for (size_t j = 0; j < x->signals.n; j++)
            bw_buf_printf(out, "%s%s", j ? ", " : "", x->signals.items[j]);
        bw_buf_puts(out, "\n");
    }
    for (size_t i = 0; updates && i < updates->n; i++) {
        const bw_update_status *st = &updates->items[i];
        char newest[21];
        if (i == 0)
            bw_buf_puts(out, "\nUpdate evidence:\n");
        bw_buf_printf(out, "  %s: ", st->product ? st->product : "(no single product)");
        if (!st->has_date) {
            bw_buf_puts(out, st->never ? "never updated\n" : "no readable date\n");
            continue;
        }
        bw_format_utc(st->newest, newest);
        bw_buf_printf(out, "newest %s (%s), %lld day%s old%s%s%s\n", newest,
                      bw_evidence_kind_name(st->newest_kind), (long long)st->age_days,
                      st->age_days == 1 ? "" : "s",
                      st->after_cutoff ? ", UPDATED AFTER THE CUTOFF" : "",
                      st->stale ? ", STALE PROTECTION" : "",
                      st->future ? ", DATED IN THE FUTURE" : "");
        bw_buf_printf(out, "    from %s\n", st->newest_source);
    }
    for (size_t i = 0; updates && i < updates->n_bad; i++)
        bw_buf_printf(out, "%s  unreadable %s evidence %s: %s\n",
                      i == 0 ? "\n" : "", bw_evidence_kind_name(updates->bad[i].kind),
                      updates->bad[i].source, updates->bad[i].reason);
    text_contain(contain, out);
    if (snap->n_gaps) {
        bw_buf_printf(out, "\nIncomplete scan: %zu item%s could not be read:\n",
                      snap->n_gaps, snap->n_gaps == 1 ? "" : "s");
        for (size_t i = 0; i < snap->n_gaps; i++)
            bw_buf_printf(out, "  %s: %s\n", snap->gaps[i].where, snap->gaps[i].reason);
    }
    return out->failed ? BW_ENOMEM : BW_OK;
}
