/*
 * fuzz_store.c - the state database from a hostile file.
 *
 * The input is written to a file in a private folder and opened with
 * bw_store_open, which must either refuse it, move it aside and start a
 * new one, or open it. An open store is read with every read function
 * (current findings, pending changes, the last scan, recent alerts,
 * whether an alert was raised, update statuses, containment records one
 * by one and listed, meta values, state texts, the last verdict); what the
 * service makes of the stored rows (the alerts of pending changes, the
 * heartbeat) must render as valid JSON, and what `banwatch status` shows
 * of them as JSON that parses and text safe for a terminal. Then a scan is
 * applied on top of it and its changes are alerted and recorded, as the
 * service would, and everything is read again.
 * Nothing may crash or leak; stored kinds and tiers must be ones banwatch
 * knows (they index arrays further on).
 *
 * Built with FZ_STORE_MUTATE, the target starts from valid databases (the
 * seed corpus comes from make_store_seeds.c) and mutates a small window of
 * bytes at a time, keeping the file's size, so that most inputs stay
 * databases SQLite accepts and the hostile values reach the readers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_alert.h"
#include "bw_judge.h"
#include "bw_report.h"
#include "bw_status.h"
#include "bw_store.h"
#include "fuzz_alert.h"
#include "fuzz_snapshot.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1727700000)

/* A judged sample machine: the findings and statuses written on top. */
static bw_snapshot *machine;
static bw_policy *pol;
static bw_judgement judged;

static void setup(void)
{
    char err[512];
    FZ_CHECK(bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "default", &pol, err,
                             sizeof err) == BW_OK,
             "default policy: %s", err);
    machine = fz_snapshot_sample();
    FZ_CHECK(bw_judge(machine, pol, NOW, BW_MODE_AUDIT, &judged) == BW_OK, "judge failed");
}

static void check_desc(const char *what, const bw_finding_desc *d)
{
    FZ_CHECK((int)d->kind >= 0 && (int)d->kind < BW_KINDS, "%s: kind %d", what, (int)d->kind);
    FZ_CHECK((int)d->tier >= 0 && (int)d->tier < BW_TIERS, "%s: tier %d", what, (int)d->tier);
}

static bool meta_get(void *ctx, const char *key, int64_t *value)
{
    return bw_store_meta_get(ctx, key, value) == BW_OK;
}

static void read_all(bw_store *s)
{
    bw_stored_findings cur = {0};
    if (bw_store_current_findings(s, &cur) == BW_OK) {
        for (size_t i = 0; i < cur.n; i++)
            check_desc("current finding", &cur.items[i].desc);
    }
    bw_scan_record last = {0};
    bool has_last = bw_store_last_scan(s, &last) == BW_OK;
    bw_heartbeat hb = {.host = "WS-01", .policy_name = "p", .policy_version = "1"};
    if (has_last) {
        hb.last_scan = last.finished_at;
        hb.last_scan_complete = last.complete;
    }
    bw_heartbeat_count(&hb, &cur);
    bw_alert a;
    FZ_CHECK(bw_alert_heartbeat(&hb, &a) == BW_OK, "heartbeat");
    fz_check_alert(&a, NOW);
    bw_alert_clear(&a);
    bw_scan_record_free(&last);
    bw_stored_findings_free(&cur);

    bw_changes pend = {0};
    if (bw_store_pending_changes(s, &pend) == BW_OK) {
        for (size_t i = 0; i < pend.n; i++) {
            check_desc("pending change", &pend.items[i].desc);
            bool raised = false;
            (void)bw_store_alert_raised(s, pend.items[i].id, &raised);
        }
        bw_alerts al = {0};
        if (bw_alert_from_changes(&pend, "WS-01", &al) == BW_OK)
            fz_check_alerts(&al, NOW);
        for (size_t i = 0; i < pend.n; i++) {
            if (bw_alert_change_activity(&pend.items[i], "WS-01", pol->cutoff, false, &a) ==
                BW_OK) {
                fz_check_alert(&a, NOW);
                bw_alert_clear(&a);
            }
        }
    }
    bw_changes_free(&pend);
    static const int64_t ids[] = {0, 1, -1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        bool raised = false;
        (void)bw_store_alert_raised(s, ids[i], &raised);
    }

    bw_alert_records rec = {0};
    (void)bw_store_recent_alerts(s, 20, &rec);
    bw_alert_records_free(&rec);
    if (bw_store_alerts_in_doubt(s, &rec) == BW_OK)
        for (size_t i = 0; i < rec.n; i++)
            FZ_CHECK(!rec.items[i].sent, "an alert in doubt that was sent");
    bw_alert_records_free(&rec);

    bw_stored_updates up = {0};
    (void)bw_store_update_status(s, &up);
    bw_stored_updates_free(&up);

    bw_contain_records cl = {0};
    if (bw_store_contain_list(s, &cl) == BW_OK) {
        for (size_t i = 0; i < cl.n; i++) {
            FZ_CHECK((int)cl.items[i].outcome >= 0 && cl.items[i].outcome < BW_CONTAIN_OUTCOMES,
                     "outcome %d", (int)cl.items[i].outcome);
            bw_contain_record r = {0};
            if (cl.items[i].name && bw_store_contain_get(s, cl.items[i].name, &r) == BW_OK)
                FZ_CHECK((int)r.outcome >= 0 && r.outcome < BW_CONTAIN_OUTCOMES, "outcome %d",
                         (int)r.outcome);
            bw_contain_record_free(&r);
        }
    }
    bw_contain_records_free(&cl);
    bw_contain_record r = {0};
    (void)bw_store_contain_get(s, "AVP", &r);
    bw_contain_record_free(&r);

    static const char *const keys[] = {"last_heartbeat", "update-after-cutoff:AVP21.3",
                                       "stale-protection:KES.12.3.0", "gaps-digest", ""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int64_t v = 0;
        (void)bw_store_meta_get(s, keys[i], &v);
        char *text = NULL;
        if (bw_store_state_get(s, keys[i], &text) == BW_OK)
            FZ_CHECK(text != NULL, "state without a value");
        free(text);
    }

    bw_verdict_record vr = {0};
    (void)bw_store_verdict_last(s, &vr);
    bw_verdict_record_free(&vr);
    (void)bw_store_errmsg(s);
    (void)bw_store_corrupt(s);
}

/* What `banwatch status` gathers (as win/main.c does) and shows: the JSON
 * must parse, the text must be safe for a terminal. */
static void status(bw_store *s)
{
    bw_status st = {0};
    st.database = fz_need(strdup("C:\\ProgramData\\banwatch\\state.db"));
    st.mode_source = fz_need(strdup("policy"));
    bw_err e = bw_store_contain_list(s, &st.containment);
    if (e == BW_OK) {
        e = bw_store_verdict_last(s, &st.verdict);
        st.has_verdict = e == BW_OK;
        e = e == BW_ENOTFOUND ? BW_OK : e;
    }
    if (e == BW_OK) {
        e = bw_store_last_scan(s, &st.last_scan);
        st.has_last_scan = e == BW_OK;
        e = e == BW_ENOTFOUND ? BW_OK : e;
    }
    if (e == BW_OK)
        e = bw_store_current_findings(s, &st.findings);
    if (e == BW_OK)
        e = bw_store_recent_alerts(s, BW_STATUS_RECENT_ALERTS, &st.alerts);
    if (e == BW_OK)
        e = bw_store_update_status(s, &st.updates);
    if (e == BW_OK) {
        bw_buf b = {0};
        FZ_CHECK(bw_report_status_json(&st, &b) == BW_OK, "bw_report_status_json failed");
        fz_json_must_parse("the status report", b.data, b.len, 0, NULL);
        bw_buf_free(&b);
        FZ_CHECK(bw_report_status_text(&st, &b) == BW_OK, "bw_report_status_text failed");
        fz_check_terminal_text("the status text", b.data, b.len);
        bw_buf_free(&b);
    }
    bw_status_free(&st);
}

/* What the service does after a scan, on top of what is stored: at start
 * it marks the run and settles the alerts a killed run left in doubt (here
 * found in events.jsonl or not, by turns), then applies the scan and raises
 * its changes through the outbox. */
static void write_scan(bw_store *s)
{
    bw_prev_stop prev = BW_PREV_STOP_CLEAN;
    (void)bw_store_run_begin(s, NOW, &prev, NULL);
    FZ_CHECK((int)prev >= 0 && (int)prev <= BW_PREV_STOP_UNCLEAN, "previous stop %d", (int)prev);
    bw_alert_records doubt = {0};
    if (bw_store_alerts_in_doubt(s, &doubt) == BW_OK)
        for (size_t i = 0; i < doubt.n; i++)
            (void)bw_store_alert_settle(s, doubt.items[i].id, i % 2 == 0);
    bw_alert_records_free(&doubt);
    bw_scan_meta meta;
    bw_scan_meta_init(&meta, machine, pol, NOW);
    meta.uncounted = &judged.review;
    bw_changes ch = {0};
    int64_t scan_id = 0;
    if (bw_store_apply_scan(s, &meta, &judged.counted, NOW, &ch, &scan_id) != BW_OK)
        return;
    bw_alerts al = {0};
    if (bw_alert_from_changes(&ch, "WS-01", &al) == BW_OK) {
        for (size_t i = 0; i < al.n; i++) {
            fz_check_alert(&al.items[i], NOW);
            bw_buf fields = {0};
            int64_t id = 0;
            if (bw_alert_fields_json(&al.items[i], &fields) == BW_OK &&
                bw_store_alert_begin(s, al.items[i].change_id, (int)al.items[i].event_id,
                                     fields.data, NOW, 1 + i, &id) == BW_OK &&
                id)
                (void)bw_store_alert_sent(s, id);
            bw_buf_free(&fields);
        }
        bw_alerts_free(&al);
    }
    bw_changes_free(&ch);
    (void)bw_store_set_update_status(s, &judged.updates, scan_id, NOW);
    bw_due_alerts due = {0};
    if (bw_alert_updates_due(&judged.updates, &judged.counted, "WS-01", pol->stale_after_days,
                             meta_get, s, &due) == BW_OK) {
        for (size_t i = 0; i < due.n; i++)
            (void)bw_store_meta_set(s, due.items[i].memory_key, due.items[i].memory_value);
    }
    bw_due_alerts_free(&due);
    /* the verdict, when it differs from the last one stored */
    bw_verdict_record last = {0};
    bool has_last = bw_store_verdict_last(s, &last) == BW_OK;
    bw_alert a;
    char *digest = NULL;
    if (bw_alert_verdict_due(&judged.verdict, "WS-01", has_last ? last.digest : NULL, &a,
                             &digest) == BW_OK) {
        int64_t id = 0;
        (void)bw_store_alert_begin(s, 0, 230, "{}", NOW, 7, &id);
        bw_verdict_record r = {.at = NOW,
                               .alert_id = id,
                               .scan_id = scan_id,
                               .digest = digest,
                               .present = (char *)bw_alert_get(&a, "present"),
                               .headline = (char *)bw_alert_get(&a, "headline"),
                               .next_step = (char *)bw_alert_get(&a, "next_step")};
        (void)bw_store_verdict_add(s, &r);
        bw_alert_clear(&a);
    }
    free(digest);
    bw_verdict_record_free(&last);
    (void)bw_store_contain_prior(s, "klif", "driver", "Kaspersky Lab KLIF Driver", 0, 4, NOW);
    bw_contain_result cr = {.outcome = BW_OUTCOME_WOULD_DISABLE,
                            .name = "AVP.KES.12.3.0.493",
                            .kind = "service",
                            .action = "disable",
                            .detail = "audit"};
    bool repeat = false;
    (void)bw_store_contain_outcome(s, &cr, NOW, &repeat);
    (void)bw_store_state_set(s, "gaps-digest", NULL, NOW);
    (void)bw_store_run_end(s);
}

static void one_file(const uint8_t *data, size_t size)
{
    char path[600];
    snprintf(path, sizeof path, "%s/state.db", fz_tmpdir());
    fz_write_file(path, data, size);
    bw_store *s = (bw_store *)&path;
    bool recreated = false;
    char err[512];
    memset(err, 'x', sizeof err);
    bw_err e = bw_store_open(path, &s, &recreated, err, sizeof err);
    FZ_CHECK(memchr(err, '\0', sizeof err) != NULL, "open: message not terminated");
    if (e != BW_OK) {
        FZ_CHECK(s == NULL, "a failed open left a store");
        FZ_CHECK(err[0] != '\0', "a failed open without a message");
    } else {
        FZ_CHECK(s != NULL, "an open without a store");
        FZ_CHECK(!recreated || err[0] != '\0', "recreated without a message");
        read_all(s);
        status(s);
        write_scan(s);
        read_all(s);
        status(s);
        bw_store_close(s);
    }
    fz_tmpdir_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!machine)
        setup();
    one_file(data, size);
    return 0;
}

#ifdef FZ_STORE_MUTATE

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* A window of 1..32 bytes, in the 100-byte header a quarter of the time,
 * mutated by libFuzzer in place; the file keeps its size. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (size < 512)
        return LLVMFuzzerMutate(data, size, max_size);
    uint32_t r = seed * 2654435761u + 1;
    size_t pos = (r >> 4) % 4 == 0 ? (r >> 8) % 100 : (r >> 8) % size;
    size_t w = 1 + (r & 31);
    if (pos + w > size)
        w = size - pos;
    uint8_t tmp[32];
    memcpy(tmp, data + pos, w);
    size_t got = LLVMFuzzerMutate(tmp, w, w);
    memcpy(data + pos, tmp, got);
    return size;
}

#endif
