/*
 * bw_report.c - the scan as JSON (docs/scan-json.md) and as text
 * (portable core).
 */
#include "bw_report.h"

#include "bw_json.h"

#include <stdio.h>
#include <string.h>

#include "bw_version.h"

#define BW_SCAN_SCHEMA "banwatch.scan/2"

static const char *view_name(bw_view v)
{
    switch (v) {
    case BW_VIEW_64: return "64";
    case BW_VIEW_32: return "32";
    case BW_VIEW_USER: return "user";
    default: return NULL;
    }
}

/* A finding's start type (bw_start_type_shown), NULL when not read. */
static const char *start_name(const bw_finding *x)
{
    return x->start <= BW_START_DISABLED ? bw_start_type_shown(x->start, x->delayed_auto) : NULL;
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

static const char *mode_name(bw_mode m)
{
    return m == BW_MODE_ENFORCE ? "enforce" : "audit";
}

/* Text read from the machine, made safe for a terminal (bw_buf_put_text:
 * control characters and invalid UTF-8 as \xHH, so a value can neither
 * drive the terminal nor start a line of its own). The copy lives in *keep
 * until the report is done; NULL stays NULL. */
static const char *tx(bw_strlist *keep, const char *s)
{
    if (bw_text_plain(s))
        return s;
    bw_buf b = {0};
    bw_buf_put_text(&b, s);
    char *t = bw_buf_take(&b);
    if (!t || bw_strlist_add_owned(keep, t) != BW_OK)
        return "(out of memory)";
    return t;
}

/* The containment plan as text. */
static void text_contain(const bw_judgement *j, const char *mode_source, bw_buf *out,
                         bw_strlist *k)
{
    const bw_contain_plan *p = &j->plan;
    if (!p->n)
        return;
    bw_buf_printf(out, "\nContainment (%s mode%s%s): %s\n", mode_name(j->mode),
                  mode_source ? ", from " : "", mode_source ? tx(k, mode_source) : "",
                  j->mode == BW_MODE_ENFORCE ? "the service stops and disables"
                                             : "enforce would stop and disable");
    for (size_t i = 0; i < p->n; i++) {
        const bw_contain_target *t = &p->items[i];
        bool act = t->decision == BW_CONTAIN_ACT;
        bw_buf_printf(out, "  %-9s %s (%s, %s)%s%s%s\n", act ? "target" : "left", tx(k, t->name),
                      t->has_start ? bw_start_type_name(t->start) : "unknown start",
                      bw_service_state_name(t->state), act ? "" : ": ",
                      act ? "" : bw_contain_decision_name(t->decision),
                      act && t->non_protecting ? " protects nothing: never held" : "");
    }
    bw_buf_printf(out, "  another anti-virus: %s\n",
                  p->other_av_text ? tx(k, p->other_av_text) : "-");
    if (p->hold && p->n_protect)
        bw_buf_printf(out,
                      "  HOLD: enforcement changes none of the services that protect the "
                      "machine while no other anti-virus would remain "
                      "(containment.allow_unprotected)%s\n",
                      p->n_protect < p->n_act ? "; those that protect nothing "
                                                "(containment.non_protecting) are contained"
                                              : "");
}

/* A time member: UTC text, or null without one. */
static void json_time(bw_json *j, const char *key, bool has, int64_t t)
{
    char when[21];
    bw_format_utc(t, when);
    bw_json_str(j, key, has ? when : NULL);
}

/* "updates" and "unreadable_evidence" (docs/scan-json.md). */
static void json_updates(bw_json *j, const bw_updates *u)
{
    bw_json_array(j, "updates", BW_JSON_BLOCK);
    for (size_t i = 0; i < u->n; i++) {
        const bw_update_status *st = &u->items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "product", st->product);
        json_time(j, "newest_update", st->has_date, st->newest);
        bw_json_str(j, "evidence", st->has_date ? bw_evidence_kind_name(st->newest_kind) : NULL);
        bw_json_str(j, "source", st->has_date ? st->newest_source : NULL);
        json_time(j, "cutoff", true, st->cutoff);
        bw_json_bool(j, "after_cutoff", st->after_cutoff);
        if (st->has_date)
            bw_json_int(j, "age_days", st->age_days);
        else
            bw_json_null(j, "age_days");
        bw_json_bool(j, "stale", st->stale);
        bw_json_bool(j, "future", st->future);
        bw_json_bool(j, "never_updated", st->never);
        bw_json_uint(j, "evidence_read", st->n_evidence);
        bw_json_end(j);
    }
    bw_json_end(j);
    bw_json_array(j, "unreadable_evidence", BW_JSON_BLOCK);
    for (size_t i = 0; i < u->n_bad; i++) {
        const bw_unreadable_evidence *b = &u->bad[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "product", b->product);
        bw_json_str(j, "kind", bw_evidence_kind_name(b->kind));
        bw_json_str(j, "source", b->source);
        bw_json_str(j, "reason", b->reason);
        bw_json_end(j);
    }
    bw_json_end(j);
}

/* "containment": the plan (docs/scan-json.md). */
static void json_contain(bw_json *j, const bw_judgement *jd, const char *mode_source)
{
    const bw_contain_plan *p = &jd->plan;
    bw_json_object(j, "containment", BW_JSON_INLINE);
    bw_json_str(j, "mode", mode_name(jd->mode));
    bw_json_str(j, "mode_source", mode_source);
    bw_json_bool(j, "other_antivirus", p->other_av);
    bw_json_str(j, "other_antivirus_detail", p->other_av_text);
    bw_json_bool(j, "would_hold", p->hold && p->n_protect);
    bw_json_array(j, "targets", BW_JSON_BLOCK);
    for (size_t i = 0; i < p->n; i++) {
        const bw_contain_target *t = &p->items[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "name", t->name);
        bw_json_str(j, "kind", t->driver ? "driver" : "service");
        bw_json_str(j, "decision", bw_contain_decision_name(t->decision));
        bw_json_bool(j, "protecting", !t->non_protecting);
        bw_json_str(j, "start_type", t->has_start ? bw_start_type_name(t->start) : NULL);
        bw_json_str(j, "state", bw_service_state_name(t->state));
        bw_json_end(j);
    }
    bw_json_end(j);
    bw_json_end(j);
}

/* "verdict": the host's verdict (docs/scan-json.md). */
static void json_verdict(bw_json *j, const bw_verdict *v, const bw_policy *pol)
{
    bw_json_object(j, "verdict", BW_JSON_BLOCK);
    bw_json_str(j, "present", v->counts ? bw_tier_name(v->present) : "no");
    bw_json_bool(j, "counts", v->counts);
    bw_json_array(j, "counted_tiers", BW_JSON_INLINE);
    unsigned counted = bw_tiers_counted(pol->count_tiers);
    for (int t = BW_TIER_CONFIRMED; t > BW_TIER_NONE; t--)
        if (counted & BW_TIER_BIT(t))
            bw_json_str(j, NULL, bw_tier_name((bw_tier)t));
    bw_json_end(j);
    bw_json_uint(j, "findings_counted", v->n_counted);
    bw_json_uint(j, "findings_for_review", v->n_review);
    bw_json_bool(j, "incomplete", v->incomplete);
    bw_json_array(j, "products", BW_JSON_BLOCK);
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "name", p->name);
        bw_json_str(j, "version", p->version);
        bw_json_str(j, "install_date", p->install_date);
        bw_json_str(j, "uninstall_key", p->uninstall_key);
        bw_json_str(j, "vendor_key", p->vendor_key);
        bw_json_str(j, "tier", bw_tier_name(p->tier));
        bw_json_bool(j, "per_user", p->per_user);
        bw_json_str(j, "updated_after_cutoff", bw_tri_name(p->updated_after_cutoff));
        json_time(j, "newest_update", p->has_update, p->newest_update);
        bw_json_str(j, "update_evidence", p->has_update ? p->update_evidence : NULL);
        bw_json_str(j, "update_source", p->has_update ? p->update_source : NULL);
        bw_json_str(j, "stale", bw_tri_name(p->stale));
        bw_json_end(j);
    }
    bw_json_end(j);
    bw_json_str(j, "updated_after_cutoff", bw_tri_name(v->updated_after_cutoff));
    json_time(j, "newest_update", v->has_update, v->newest_update);
    bw_json_str(j, "update_evidence", v->has_update ? v->update_evidence : NULL);
    bw_json_str(j, "update_source", v->has_update ? v->update_source : NULL);
    bw_json_str(j, "stale", bw_tri_name(v->stale));
    bw_json_str(j, "ksn", bw_ksn_state_name(v->ksn));
    bw_json_str(j, "containment", v->containment);
    bw_json_str(j, "headline", v->headline);
    bw_json_str(j, "next_step", v->next_step);
    bw_json_end(j);
}

static void json_finding(bw_json *j, const bw_finding *x, unsigned counted)
{
    bw_json_object(j, NULL, BW_JSON_BLOCK);
    bw_json_str(j, "kind", bw_kind_name(x->kind));
    bw_json_str(j, "name", bw_finding_shown_name(x->kind, x->name, x->display_name));
    bw_json_str(j, "key", x->name);
    bw_json_str(j, "tier", bw_tier_name(x->tier));
    bw_json_bool(j, "counts", counted & BW_TIER_BIT(x->tier));
    bw_json_str(j, "display_name", x->display_name);
    bw_json_str(j, "publisher", x->publisher);
    bw_json_str(j, "version", x->version);
    bw_json_str(j, "path", x->path);
    bw_json_str(j, "source", x->source);
    bw_json_str(j, "view", view_name(x->view));
    bw_json_bool(j, "user_writable", x->user_writable);
    if (x->kind == BW_KIND_PRODUCT)
        bw_json_str(j, "user_sid", x->user_sid);
    if (x->has_service_info) {
        bw_json_str(j, "service_type", type_name(x->service_type));
        bw_json_str(j, "start", start_name(x));
        bw_json_str(j, "state", bw_service_state_name(x->state));
    }
    bw_json_str(j, "rule", x->rule);
    bw_json_array(j, "signals", BW_JSON_INLINE);
    for (size_t k = 0; k < x->signals.n; k++)
        bw_json_str(j, NULL, x->signals.items[k]);
    bw_json_end(j);
    bw_json_end(j);
}

bw_err bw_report_json(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *jd,
                      const char *mode_source, bw_buf *out)
{
    bw_report_source src = {.mode_source = mode_source};
    return bw_report_json_src(snap, pol, jd, &src, out);
}

bw_err bw_report_json_src(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *jd,
                          const bw_report_source *src, bw_buf *out)
{
    const char *mode_source = src->mode_source;
    bw_json jw, *j = &jw;
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_json_init(j, out);
    bw_json_object(j, NULL, BW_JSON_BLOCK);
    bw_json_str(j, "schema", BW_SCAN_SCHEMA);
    bw_json_str(j, "banwatch_version", BW_VERSION);
    bw_json_str(j, "host", snap->host);
    bw_json_str(j, "scan_time", when);
    json_verdict(j, &jd->verdict, pol);
    bw_json_object(j, "policy", BW_JSON_BLOCK);
    bw_json_str(j, "name", pol->name);
    bw_json_str(j, "version", pol->version);
    bw_json_str(j, "vendor", pol->vendor);
    json_time(j, "cutoff", true, pol->cutoff);
    if (src->origin) {
        bw_json_str(j, "origin", src->origin);
        bw_json_str(j, "from_group_policy",
                    src->from_group_policy ? src->from_group_policy : "-");
    }
    bw_json_end(j);
    bw_json_bool(j, "incomplete", snap->n_gaps > 0);
    bw_json_array(j, "incomplete_reasons", BW_JSON_BLOCK);
    for (size_t i = 0; i < snap->n_gaps; i++) {
        bw_json_object(j, NULL, BW_JSON_INLINE);
        bw_json_str(j, "where", snap->gaps[i].where);
        bw_json_str(j, "reason", snap->gaps[i].reason);
        bw_json_array(j, "may_hide", BW_JSON_INLINE);
        for (int k = 0; k < BW_KINDS; k++)
            if (snap->gaps[i].hides & (1u << k))
                bw_json_str(j, NULL, bw_kind_name((bw_kind)k));
        bw_json_end(j);
        bw_json_end(j);
    }
    bw_json_end(j);

    size_t counts[BW_KINDS] = {0};
    for (size_t i = 0; i < jd->counted.n; i++)
        if ((unsigned)jd->counted.items[i].kind < BW_KINDS)
            counts[jd->counted.items[i].kind]++;
    bw_json_object(j, "summary", BW_JSON_INLINE);
    bw_json_uint(j, "findings", jd->counted.n);
    bw_json_uint(j, "for_review", jd->review.n);
    for (int k = 0; k < BW_KINDS; k++)
        bw_json_uint(j, bw_kind_name((bw_kind)k), counts[k]);
    bw_json_end(j);

    json_updates(j, &jd->updates);
    json_contain(j, jd, mode_source);
    unsigned counted = bw_tiers_counted(pol->count_tiers);
    bw_json_array(j, "findings", BW_JSON_BLOCK);
    for (size_t i = 0; i < jd->findings.n; i++)
        json_finding(j, &jd->findings.items[i], counted);
    bw_json_end(j);
    bw_json_end(j);
    return bw_json_done(j, true);
}

static void text_field(bw_buf *out, const char *label, const char *v)
{
    if (v && *v) {
        bw_buf_printf(out, "    %-13s ", label);
        bw_buf_put_text(out, v);
        bw_buf_putc(out, '\n');
    }
}

static void text_finding(bw_buf *out, const bw_finding *x, bw_strlist *k)
{
    bw_buf_printf(out, "\n[%s] %s (%s)\n", bw_kind_name(x->kind), tx(k, x->name),
                  bw_tier_name(x->tier));
    text_field(out, "display name", x->display_name);
    text_field(out, "publisher", x->publisher);
    text_field(out, "version", x->version);
    text_field(out, "path", x->path);
    if (x->has_service_info) {
        text_field(out, "start", start_name(x));
        text_field(out, "state", bw_service_state_name(x->state));
    }
    text_field(out, "source", x->source);
    text_field(out, "rule", x->rule);
    bw_buf_puts(out, "    why          ");
    for (size_t i = 0; i < x->signals.n; i++) {
        if (i)
            bw_buf_puts(out, ", ");
        bw_buf_put_text(out, x->signals.items[i]);
    }
    bw_buf_puts(out, "\n");
}

bw_err bw_report_text(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                      const char *mode_source, bw_buf *out)
{
    bw_report_source src = {.mode_source = mode_source};
    return bw_report_text_src(snap, pol, j, &src, out);
}

bw_err bw_report_text_src(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                          const bw_report_source *src, bw_buf *out)
{
    const char *mode_source = src->mode_source;
    const bw_verdict *v = &j->verdict;
    const bw_updates *updates = &j->updates;
    bw_strlist k = {0}; /* the escaped copies of machine text, freed at the end */
    char when[21];
    bw_format_utc(snap->taken_at, when);
    bw_buf_printf(out, "%s\n%s\n\n", tx(&k, v->headline), tx(&k, v->next_step));
    bw_buf_printf(out, "banwatch scan of %s at %s (policy %s %s)\n",
                  snap->host ? tx(&k, snap->host) : "(unknown host)", when, tx(&k, pol->name),
                  tx(&k, pol->version));
    if (src->origin)
        bw_buf_printf(out, "Policy from %s; settings from Group Policy: %s\n",
                      tx(&k, src->origin),
                      src->from_group_policy ? tx(&k, src->from_group_policy) : "-");
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_buf_printf(out, "%s  %s%s%s (%s%s%s%s)\n", i ? "" : "Products:\n", tx(&k, p->name),
                      p->version ? " " : "", p->version ? tx(&k, p->version) : "",
                      bw_tier_name(p->tier), p->install_date ? ", installed " : "",
                      p->install_date ? tx(&k, p->install_date) : "",
                      p->per_user ? ", per-user" : "");
    }
    if (j->counted.n == 0)
        bw_buf_printf(out, "No %s software found.\n", tx(&k, pol->vendor));
    else
        bw_buf_printf(out, "%zu finding%s:\n", j->counted.n, j->counted.n == 1 ? "" : "s");
    for (size_t i = 0; i < j->counted.n; i++)
        text_finding(out, &j->counted.items[i], &k);
    if (j->review.n)
        bw_buf_printf(out, "\nFor review (%zu finding%s of tiers that do not count):\n",
                      j->review.n, j->review.n == 1 ? "" : "s");
    for (size_t i = 0; i < j->review.n; i++)
        text_finding(out, &j->review.items[i], &k);
    for (size_t i = 0; i < updates->n; i++) {
        const bw_update_status *st = &updates->items[i];
        char newest[21];
        if (i == 0)
            bw_buf_puts(out, "\nUpdate evidence:\n");
        bw_buf_printf(out, "  %s: ", st->product ? tx(&k, st->product) : "(no single product)");
        if (!st->has_date) {
            bw_buf_puts(out, st->never ? "never updated\n" : "no readable date\n");
            continue;
        }
        bw_format_utc(st->newest, newest);
        bw_buf_printf(
            out, "newest %s (%s), %lld day%s old%s%s%s\n", newest,
            bw_evidence_kind_name(st->newest_kind), (long long)st->age_days,
            st->age_days == 1 ? "" : "s", st->after_cutoff ? ", UPDATED AFTER THE CUTOFF" : "",
            st->stale ? ", STALE PROTECTION" : "", st->future ? ", DATED IN THE FUTURE" : "");
        bw_buf_printf(out, "    from %s\n", tx(&k, st->newest_source));
    }
    for (size_t i = 0; i < updates->n_bad; i++)
        bw_buf_printf(out, "%s  unreadable %s evidence %s: %s\n", i == 0 ? "\n" : "",
                      bw_evidence_kind_name(updates->bad[i].kind), tx(&k, updates->bad[i].source),
                      tx(&k, updates->bad[i].reason));
    text_contain(j, mode_source, out, &k);
    if (snap->n_gaps) {
        bw_buf_printf(out, "\nIncomplete scan: %zu item%s could not be read:\n", snap->n_gaps,
                      snap->n_gaps == 1 ? "" : "s");
        for (size_t i = 0; i < snap->n_gaps; i++)
            bw_buf_printf(out, "  %s: %s\n", tx(&k, snap->gaps[i].where),
                          tx(&k, snap->gaps[i].reason));
    }
    bw_strlist_free(&k);
    return out->failed ? BW_ENOMEM : BW_OK;
}
