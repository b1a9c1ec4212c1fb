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
static void json_contain(const bw_judgement *j, const char *mode_source, bw_buf *out)
{
    const bw_contain_plan *p = &j->plan;
    bw_buf_printf(out, "  \"containment\": {\"mode\": \"%s\", \"mode_source\": ",
                  mode_name(j->mode));
    bw_json_string(out, mode_source);
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
static void text_contain(const bw_judgement *j, const char *mode_source, bw_buf *out)
{
    const bw_contain_plan *p = &j->plan;
    if (!p->n)
        return;
    bw_buf_printf(out, "\nContainment (%s mode%s%s): %s\n", mode_name(j->mode),
                  mode_source ? ", from " : "", mode_source ? mode_source : "",
                  j->mode == BW_MODE_ENFORCE ? "the service stops and disables"
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

static void json_tri(bw_buf *out, const char *key, bw_tri t)
{
    bw_buf_printf(out, "\"%s\": \"%s\"", key, bw_tri_name(t));
}

static void json_time(bw_buf *out, const char *key, bool has, int64_t t)
{
    char when[21];
    bw_format_utc(t, when);
    bw_buf_printf(out, "\"%s\": ", key);
    bw_json_string(out, has ? when : NULL);
}

/* "verdict": the host's verdict (docs/scan-json.md). */
static void json_verdict(const bw_verdict *v, const bw_policy *pol, bw_buf *out)
{
    bw_buf_printf(out, "  \"verdict\": {\n    \"present\": \"%s\", \"counts\": %s, "
                       "\"counted_tiers\": [",
                  v->counts ? bw_tier_name(v->present) : "no",
                  v->counts ? "true" : "false");
    unsigned counted = bw_tiers_counted(pol->count_tiers);
    bool first = true;
    for (int t = BW_TIER_CONFIRMED; t > BW_TIER_NONE; t--)
        if (counted & BW_TIER_BIT(t)) {
            bw_buf_printf(out, "%s\"%s\"", first ? "" : ", ", bw_tier_name((bw_tier)t));
            first = false;
        }
    bw_buf_printf(out, "],\n    \"findings_counted\": %zu, \"findings_for_review\": %zu, "
                       "\"incomplete\": %s,\n    \"products\": [",
                  v->n_counted, v->n_review, v->incomplete ? "true" : "false");
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_buf_puts(out, i ? ",\n      {\"name\": " : "\n      {\"name\": ");
        bw_json_string(out, p->name);
        bw_buf_puts(out, ", \"version\": ");
        bw_json_string(out, p->version);
        bw_buf_puts(out, ", \"install_date\": ");
        bw_json_string(out, p->install_date);
        bw_buf_puts(out, ", \"uninstall_key\": ");
        bw_json_string(out, p->uninstall_key);
        bw_buf_puts(out, ", \"vendor_key\": ");
        bw_json_string(out, p->vendor_key);
        bw_buf_printf(out, ", \"tier\": \"%s\", \"per_user\": %s, ", bw_tier_name(p->tier),
                      p->per_user ? "true" : "false");
        json_tri(out, "updated_after_cutoff", p->updated_after_cutoff);
        bw_buf_puts(out, ", ");
        json_time(out, "newest_update", p->has_update, p->newest_update);
        bw_buf_puts(out, ", \"update_evidence\": ");
        bw_json_string(out, p->has_update ? p->update_evidence : NULL);
        bw_buf_puts(out, ", \"update_source\": ");
        bw_json_string(out, p->has_update ? p->update_source : NULL);
        bw_buf_puts(out, ", ");
        json_tri(out, "stale", p->stale);
        bw_buf_puts(out, "}");
    }
    bw_buf_puts(out, v->n_products ? "\n    ],\n    " : "],\n    ");
    json_tri(out, "updated_after_cutoff", v->updated_after_cutoff);
    bw_buf_puts(out, ", ");
    json_time(out, "newest_update", v->has_update, v->newest_update);
    bw_buf_puts(out, ", \"update_evidence\": ");
    bw_json_string(out, v->has_update ? v->update_evidence : NULL);
    bw_buf_puts(out, ", \"update_source\": ");
    bw_json_string(out, v->has_update ? v->update_source : NULL);
    bw_buf_puts(out, ",\n    ");
    json_tri(out, "stale", v->stale);
    bw_buf_printf(out, ", \"ksn\": \"%s\", \"containment\": ", bw_ksn_state_name(v->ksn));
    bw_json_string(out, v->containment);
    bw_buf_puts(out, ",\n    \"headline\": ");
    bw_json_string(out, v->headline);
    bw_buf_puts(out, ",\n    \"next_step\": ");
    bw_json_string(out, v->next_step);
    bw_buf_puts(out, "\n  },\n");
}

bw_err bw_report_json(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                      const char *mode_source, bw_buf *out)
{
    const bw_findings *f = &j->findings;
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_buf_puts(out, "{\n");
    kv(out, "  ", "schema", BW_SCAN_SCHEMA, true);
    kv(out, "  ", "banwatch_version", BW_VERSION, true);
    kv(out, "  ", "host", snap->host, true);
    kv(out, "  ", "scan_time", when, true);
    json_verdict(&j->verdict, pol, out);
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
        bw_buf_puts(out, ", \"may_hide\": [");
        bool first = true;
        for (int k = 0; k < BW_KINDS; k++)
            if (snap->gaps[i].hides & (1u << k)) {
                bw_buf_printf(out, "%s\"%s\"", first ? "" : ", ", bw_kind_name((bw_kind)k));
                first = false;
            }
        bw_buf_puts(out, "]}");
    }
    bw_buf_puts(out, snap->n_gaps ? "\n  ],\n" : "],\n");

    size_t counts[BW_KINDS] = {0};
    for (size_t i = 0; i < j->counted.n; i++)
        if ((unsigned)j->counted.items[i].kind < BW_KINDS)
            counts[j->counted.items[i].kind]++;
    bw_buf_printf(out, "  \"summary\": {\"findings\": %zu, \"for_review\": %zu", j->counted.n,
                  j->review.n);
    for (int k = 0; k < BW_KINDS; k++)
        bw_buf_printf(out, ", \"%s\": %zu", bw_kind_name((bw_kind)k), counts[k]);
    bw_buf_puts(out, "},\n");

    json_updates(&j->updates, out);
    json_contain(j, mode_source, out);
    bw_buf_puts(out, "  \"findings\": [");
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        bw_buf_puts(out, i ? ",\n    {\n" : "\n    {\n");
        const char *in = "      ";
        kv(out, in, "kind", bw_kind_name(x->kind), true);
        kv(out, in, "name", x->name, true);
        kv(out, in, "tier", bw_tier_name(x->tier), true);
        bw_buf_printf(out, "%s\"counts\": %s,\n", in,
                      bw_tiers_counted(pol->count_tiers) & BW_TIER_BIT(x->tier) ? "true"
                                                                                 : "false");
        kv(out, in, "display_name", x->display_name, true);
        kv(out, in, "publisher", x->publisher, true);
        kv(out, in, "version", x->version, true);
        kv(out, in, "path", x->path, true);
        kv(out, in, "source", x->source, true);
        kv(out, in, "view", view_name(x->view), true);
        bw_buf_printf(out, "%s\"user_writable\": %s,\n", in,
                      x->user_writable ? "true" : "false");
        if (x->kind == BW_KIND_PRODUCT)
            kv(out, in, "user_sid", x->user_sid, true);
        if (x->has_service_info) {
            kv(out, in, "service_type", type_name(x->service_type), true);
            kv(out, in, "start", start_name(x->start), true);
            kv(out, in, "state", state_name(x->state), true);
        }
        kv(out, in, "rule", x->rule, true);
        bw_buf_printf(out, "%s\"signals\": [", in);
        for (size_t k = 0; k < x->signals.n; k++) {
            if (k)
                bw_buf_puts(out, ", ");
            bw_json_string(out, x->signals.items[k]);
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

static void text_finding(bw_buf *out, const bw_finding *x)
{
    bw_buf_printf(out, "\n[%s] %s (%s)\n", bw_kind_name(x->kind), x->name, bw_tier_name(x->tier));
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
    for (size_t k = 0; k < x->signals.n; k++)
        bw_buf_printf(out, "%s%s", k ? ", " : "", x->signals.items[k]);
    bw_buf_puts(out, "\n");
}

bw_err bw_report_text(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                      const char *mode_source, bw_buf *out)
{
    const bw_verdict *v = &j->verdict;
    const bw_updates *updates = &j->updates;
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_buf_printf(out, "%s\n%s\n\n", v->headline, v->next_step);
    bw_buf_printf(out, "banwatch scan of %s at %s (policy %s %s)\n",
                  snap->host ? snap->host : "(unknown host)", when, pol->name, pol->version);
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_buf_printf(out, "%s  %s%s%s (%s%s%s%s)\n", i ? "" : "Products:\n", p->name,
                      p->version ? " " : "", p->version ? p->version : "", bw_tier_name(p->tier),
                      p->install_date ? ", installed " : "",
                      p->install_date ? p->install_date : "", p->per_user ? ", per-user" : "");
    }
    if (j->counted.n == 0)
        bw_buf_printf(out, "No %s software found.\n", pol->vendor);
    else
        bw_buf_printf(out, "%zu finding%s:\n", j->counted.n, j->counted.n == 1 ? "" : "s");
    for (size_t i = 0; i < j->counted.n; i++)
        text_finding(out, &j->counted.items[i]);
    if (j->review.n)
        bw_buf_printf(out, "\nFor review (%zu finding%s of tiers that do not count):\n",
                      j->review.n, j->review.n == 1 ? "" : "s");
    for (size_t i = 0; i < j->review.n; i++)
        text_finding(out, &j->review.items[i]);
    for (size_t i = 0; i < updates->n; i++) {
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
    for (size_t i = 0; i < updates->n_bad; i++)
        bw_buf_printf(out, "%s  unreadable %s evidence %s: %s\n",
                      i == 0 ? "\n" : "", bw_evidence_kind_name(updates->bad[i].kind),
                      updates->bad[i].source, updates->bad[i].reason);
    text_contain(j, mode_source, out);
    if (snap->n_gaps) {
        bw_buf_printf(out, "\nIncomplete scan: %zu item%s could not be read:\n",
                      snap->n_gaps, snap->n_gaps == 1 ? "" : "s");
        for (size_t i = 0; i < snap->n_gaps; i++)
            bw_buf_printf(out, "  %s: %s\n", snap->gaps[i].where, snap->gaps[i].reason);
    }
    return out->failed ? BW_ENOMEM : BW_OK;
}
