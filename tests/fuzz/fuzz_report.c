/*
 * fuzz_report.c - the report and alert writers from a hostile snapshot.
 *
 * A snapshot is derived from the input (fuzz_snapshot.c), judged with the
 * built-in default policy (some of its settings varied by the input), and
 * everything the scan and the service write from a judgement is rendered:
 * the scan report as JSON and text, and the alerts made from changes of
 * the findings, the update statuses, the gaps, the verdict, containment
 * outcomes, the heartbeat and the lifecycle and error events. Every JSON
 * output must be one strict JSON document (no key twice); the alert
 * records must carry each field's value back (invalid bytes as U+FFFD);
 * the text report is valid UTF-8 without control characters other than
 * line feeds, whatever bytes the snapshot holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_alert.h"
#include "bw_evidence.h"
#include "bw_judge.h"
#include "bw_report.h"
#include "fuzz_alert.h"
#include "fuzz_snapshot.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bw_policy *pol;

/* ---- alerts ------------------------------------------------------------------ */

/* What a store would have remembered, read from the input. */
typedef struct memory {
    fz_in *in;
} memory;

static bool memory_get(void *ctx, const char *key, int64_t *value)
{
    memory *m = ctx;
    (void)key;
    uint8_t b = fz_u8(m->in);
    if (b < 0x80)
        return false;
    *value = b & 1 ? (int64_t)fz_u64(m->in) : BW_EVIDENCE_CUTOFF + (int64_t)(b & 0x3F) * 86400;
    return true;
}

static void change_alerts(fz_in *in, const bw_judgement *j, const char *host, int64_t now)
{
    bw_changes ch = {0};
    for (size_t i = 0; i < j->counted.n + 1 && ch.n < 32; i++) {
        FZ_CHECK(bw_grow(&ch.items, &ch.cap, ch.n, sizeof *ch.items) == BW_OK, "memory");
        bw_change *c = &ch.items[ch.n++];
        memset(c, 0, sizeof *c);
        c->id = (int64_t)i + 1;
        c->scan_id = 7;
        c->at = now - (int64_t)fz_u8(in) * 3600;
        c->change = (bw_change_kind)(fz_u8(in) % 3 + 1);
        c->reappeared = fz_bool(in);
        if (i < j->counted.n) {
            FZ_CHECK(bw_finding_desc_copy(&c->desc, &j->counted.items[i].desc) == BW_OK,
                     "memory");
        } else { /* one made up of input bytes */
            c->kind = (bw_kind)(fz_u8(in) % BW_KINDS);
            c->name = fz_vocab_str(in, FZ_V_KEY, false, false);
            c->display_name = fz_vocab_str(in, FZ_V_NAME, false, true);
            c->version = fz_vocab_str(in, FZ_V_VERSION, false, true);
            c->source = fz_vocab_str(in, FZ_V_SOURCE, false, false);
            c->rule = fz_vocab_str(in, FZ_V_MISC, false, true);
            c->tier = (bw_tier)(fz_u8(in) % 3 + 1);
        }
        if (c->change == BW_CHANGE_CHANGED) {
            c->old_tier = (bw_tier)(fz_u8(in) % BW_TIERS);
            c->old_version = fz_vocab_str(in, FZ_V_VERSION, false, true);
            c->old_display_name = fz_vocab_str(in, FZ_V_NAME, false, true);
            c->old_path = fz_vocab_str(in, FZ_V_PATH, false, true);
        }
    }
    bw_alerts al = {0};
    FZ_CHECK(bw_alert_from_changes(&ch, host, &al) == BW_OK, "bw_alert_from_changes failed");
    FZ_CHECK(al.n == ch.n, "%zu alerts for %zu changes", al.n, ch.n);
    fz_check_alerts(&al, now);
    bool first = fz_bool(in);
    for (size_t i = 0; i < ch.n; i++) {
        bw_alert a;
        bw_err e = bw_alert_change_activity(
            &ch.items[i], host, bw_policy_cutoff_for(pol, ch.items[i].name), first, &a);
        if (e == BW_OK) {
            fz_check_alert(&a, now);
            bw_alert_clear(&a);
        } else {
            FZ_CHECK(e == BW_ENOTFOUND, "bw_alert_change_activity: %d", (int)e);
        }
    }
    bw_changes_free(&ch);
}

static void status_alerts(fz_in *in, const bw_snapshot *snap, const bw_judgement *j,
                          const char *host, int64_t now)
{
    for (size_t i = 0; i < j->updates.n; i++) {
        for (int id = BW_EVENT_UPDATE_AFTER_CUTOFF; id <= BW_EVENT_STALE_PROTECTION; id++) {
            bw_alert a;
            bw_err e = bw_alert_update((bw_event_id)id, host, &j->updates.items[i], host,
                                       pol->stale_after_days, &a);
            if (e == BW_OK) {
                fz_check_alert(&a, now);
                bw_alert_clear(&a);
            }
        }
    }
    memory m = {in};
    bw_due_alerts due = {0};
    FZ_CHECK(bw_alert_updates_due(&j->updates, &j->counted, host, pol->stale_after_days,
                                  memory_get, &m, &due) == BW_OK,
             "bw_alert_updates_due failed");
    for (size_t i = 0; i < due.n; i++) {
        FZ_CHECK(due.items[i].memory_key != NULL, "a due alert without its memory key");
        fz_check_alert(&due.items[i].alert, now);
    }
    bw_due_alerts_free(&due);

    char *last = fz_bool(in) ? fz_vocab_str(in, FZ_V_MISC, false, true) : NULL;
    bw_alert a;
    char *digest = NULL;
    bw_err e = bw_alert_gaps_due(snap, host, last, &a, &digest);
    if (e == BW_OK) {
        fz_check_alert(&a, now);
        bw_alert_clear(&a);
    } else {
        FZ_CHECK(e == BW_ENOTFOUND, "bw_alert_gaps_due: %d", (int)e);
    }
    FZ_CHECK((digest != NULL) == (snap->n_gaps > 0), "a gaps digest %s gaps",
             digest ? "without" : "missing with");
    /* the same digest again: nothing is due */
    if (digest) {
        char *again = NULL;
        FZ_CHECK(bw_alert_gaps_due(snap, host, digest, &a, &again) == BW_ENOTFOUND,
                 "the same gaps raised twice");
        free(again);
    }
    free(digest);
    digest = NULL;
    e = bw_alert_verdict_due(&j->verdict, host, last, &a, &digest);
    if (e == BW_OK) {
        fz_check_alert(&a, now);
        bw_alert_clear(&a);
        char *again = NULL;
        FZ_CHECK(digest &&
                     bw_alert_verdict_due(&j->verdict, host, digest, &a, &again) == BW_ENOTFOUND,
                 "the same verdict raised twice");
        free(again);
    }
    free(digest);
    free(last);
}

static void contain_alerts(fz_in *in, const bw_judgement *j, const char *host, int64_t now)
{
    static const char *const kinds[] = {"service", "driver", "dependent"};
    static const char *const actions[] = {"disable", "stop", "restore",
                                          "start",   "none", "inspect"};
    for (size_t i = 0; i < j->plan.n; i++) {
        const bw_contain_target *t = &j->plan.items[i];
        char *detail = fz_vocab_str(in, FZ_V_MISC, false, true);
        bw_contain_result r = {
            .outcome = (bw_contain_outcome)(fz_u8(in) % BW_CONTAIN_OUTCOMES),
            .name = t->name,
            .display_name = t->display_name,
            .kind = kinds[fz_u8(in) % 3],
            .action = actions[fz_u8(in) % 6],
            .has_prior = fz_bool(in),
            .prior_start = fz_u8(in) % 6,
            .prior_state = fz_u8(in) % 9,
            .error = fz_u32(in),
            .detail = detail,
        };
        bw_alert a;
        bw_err e = bw_alert_contain(&r, host, &a);
        if (e == BW_OK) {
            fz_check_alert(&a, now);
            bw_alert_clear(&a);
        } else {
            FZ_CHECK(e == BW_EINVAL && !r.name, "bw_alert_contain: %d", (int)e);
        }
        free(detail);
    }
}

static void service_alerts(fz_in *in, const bw_judgement *j, const char *host, int64_t now)
{
    bw_alert a;
    char *detail = fz_vocab_str(in, FZ_V_MISC, false, true);
    bw_prev_stop prev = (bw_prev_stop)(fz_u8(in) % 4); /* 3: a value no run gives */
    FZ_CHECK(bw_alert_agent_started(host, "0.1.0", prev, now - 60, &a) == BW_OK, "started");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);
    FZ_CHECK(bw_alert_lifecycle(BW_EVENT_AGENT_STOPPED, host, "0.1.0", detail, &a) == BW_OK,
             "lifecycle");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);
    FZ_CHECK(bw_alert_write_failed(host, detail, detail, detail, &a) == BW_OK, "write-failed");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);
    bw_err due = bw_alert_db_unavailable_due(host, fz_bool(in) ? detail : NULL, detail, &a);
    FZ_CHECK(due == BW_OK || due == BW_ENOTFOUND, "db-unavailable-due: %d", (int)due);
    if (due == BW_OK)
        fz_check_alert(&a, now);
    bw_alert_clear(&a);
    FZ_CHECK(bw_alert_policy_loaded(host, pol, detail, detail, &a) == BW_OK, "policy-loaded");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);
    bw_event_id errs[] = {BW_EVENT_STATE_DB_RECREATED, BW_EVENT_POLICY_INVALID,
                          BW_EVENT_SCAN_INCOMPLETE, BW_EVENT_STATE_DB_UNAVAILABLE};
    FZ_CHECK(bw_alert_error(errs[fz_u8(in) % 4], host, detail, &a) == BW_OK, "error event");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);

    bw_heartbeat hb = {.host = host,
                       .policy_name = pol->name,
                       .policy_version = pol->version,
                       .last_scan = fz_bool(in) ? now - 60 : 0,
                       .last_scan_complete = fz_bool(in),
                       .verdict = fz_bool(in) ? &j->verdict : NULL};
    for (size_t i = 0; i < j->counted.n; i++)
        hb.by_kind[j->counted.items[i].kind % BW_STORE_KINDS]++;
    FZ_CHECK(bw_alert_heartbeat(&hb, &a) == BW_OK, "heartbeat");
    fz_check_alert(&a, now);
    bw_alert_clear(&a);
    free(detail);
}

/* ---- the reports ----------------------------------------------------------------- */

static void reports(const bw_snapshot *snap, const bw_judgement *j, const char *mode_source)
{
    bw_buf b = {0};
    FZ_CHECK(bw_report_json(snap, pol, j, mode_source, &b) == BW_OK, "bw_report_json failed");
    FZ_CHECK(b.len > 0 && b.data[b.len - 1] == '\n', "the report does not end in a newline");
    fz_jval doc;
    fz_json_must_parse("the scan report", b.data, b.len, 0, &doc);
    FZ_CHECK(doc.type == FZ_JOBJ, "the report is not an object");
    fz_json_free(&doc);
    bw_buf_free(&b);

    FZ_CHECK(bw_report_text(snap, pol, j, mode_source, &b) == BW_OK, "bw_report_text failed");
    fz_check_terminal_text("the text report", b.data, b.len);
    bw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pol) {
        char err[512];
        FZ_CHECK(bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "default", &pol,
                                 err, sizeof err) == BW_OK,
                 "default policy: %s", err);
    }
    fz_in in = {data, size};
    /* settings of the policy the input varies, restored at the end */
    uint8_t knobs = fz_u8(&in);
    bw_policy saved = *pol;
    static const unsigned tiers[] = {0, BW_TIERS_DEFAULT, BW_TIER_BIT(BW_TIER_CONFIRMED),
                                     BW_TIER_BIT(BW_TIER_CONFIRMED) |
                                         BW_TIER_BIT(BW_TIER_LIKELY) |
                                         BW_TIER_BIT(BW_TIER_POSSIBLE)};
    pol->count_tiers = tiers[knobs & 3];
    pol->contain_allow_unprotected = knobs & 4;
    pol->stale_after_days = knobs & 8 ? 1 : pol->stale_after_days;
    bw_mode mode = knobs & 16 ? BW_MODE_ENFORCE : BW_MODE_AUDIT;
    bool valid_utf8 = !(knobs & 32);
    /* the clock: anywhere a FILETIME can be (1601..30828), mostly near now */
    int64_t now = knobs & 64 ? (int64_t)(fz_u64(&in) % UINT64_C(922337203685)) - 11644473600
                             : BW_EVIDENCE_CUTOFF + (int64_t)(fz_u32(&in) % 200000000);

    bw_snapshot *snap = fz_snapshot_from(&in, valid_utf8);
    bw_judgement j = {0};
    FZ_CHECK(bw_judge(snap, pol, now, mode, &j) == BW_OK, "bw_judge failed");
    bw_scan_outcome o = bw_judgement_outcome(&j);
    FZ_CHECK(o == BW_SCAN_CLEAN || o == BW_SCAN_FINDINGS || o == BW_SCAN_INCOMPLETE, "outcome %d",
             (int)o);
    const char *host = snap->host;
    reports(snap, &j, knobs & 128 ? "group policy" : NULL);
    change_alerts(&in, &j, host, now);
    status_alerts(&in, snap, &j, host, now);
    contain_alerts(&in, &j, host, now);
    service_alerts(&in, &j, host, now);

    bw_judgement_free(&j);
    bw_snapshot_free(snap);
    *pol = saved;
    return 0;
}
