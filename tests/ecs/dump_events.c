/*
 * dump_events.c - writes JSON-lines records of every banwatch event, built
 * by the same alert functions and the same writer (bw_alert_json) the
 * agent's events.jsonl sink uses, for tests/ecs/validate.js to check
 * against ECS (tests/ecs/README.md).
 *
 *   dump_events FILE
 *
 * Each Event ID appears at least once, the finding events for every kind,
 * with and without optional values (a missing host, publisher, version,
 * old values, a verdict before the first scan). Exits 1 when an alert
 * cannot be built or written, or an Event ID of bw_event_ids is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_alert.h"

#define T0 1764500000 /* 2025-11-30T10:53:20Z */

typedef struct out {
    FILE *f;
    int failures;
    int seen[1000];
} out;

static void put(out *o, bw_err e, bw_alert *a, const char *what)
{
    bw_buf b = {0};
    if (e == BW_OK)
        e = bw_alert_json(a, T0 + 60, &b);
    if (e != BW_OK) {
        fprintf(stderr, "dump_events: %s: error %d\n", what, (int)e);
        o->failures++;
    } else {
        fwrite(b.data, 1, b.len, o->f);
        if ((unsigned)a->event_id < 1000)
            o->seen[a->event_id]++;
    }
    bw_buf_free(&b);
    bw_alert_clear(a);
}

static bw_change change(bw_change_kind what, bw_kind kind)
{
    static const char *const names[] = {"{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}",
                                        "klnagent",
                                        "klif",
                                        "ksnproxy",
                                        "klkbdflt",
                                        "KES.11.6",
                                        "avp.exe->10.20.0.5:13111"};
    static const char *const shown[] = {"Kaspersky Endpoint Security for Windows",
                                        "Kaspersky Security Center Network Agent",
                                        "Kaspersky Lab Driver",
                                        "Kaspersky Security Center KSN Proxy",
                                        "Keyboard",
                                        "Kaspersky Endpoint Security for Windows",
                                        "KSN connection"};
    bw_change c = {.id = 7, .change = what, .kind = kind, .at = T0, .tier = BW_TIER_CONFIRMED};
    c.name = (char *)names[kind];
    c.display_name = (char *)shown[kind];
    c.publisher = kind == BW_KIND_PRODUCT ? "AO Kaspersky Lab" : NULL;
    c.version = kind == BW_KIND_PRODUCT || kind == BW_KIND_REGISTRY ? "12.1.0.506" : NULL;
    c.path = kind == BW_KIND_FILTER ? NULL : "C:\\Program Files (x86)\\Kaspersky Lab\\x.exe";
    c.source = kind == BW_KIND_KSN_CONNECTION ? "TCP 10.20.0.5:13111"
                                              : "HKLM\\SYSTEM\\CurrentControlSet\\Services\\x";
    c.rule = "vendor.publishers";
    if (what == BW_CHANGE_CHANGED) {
        c.old_version = "11.6.0.394";
        c.old_display_name = "Kaspersky Endpoint Security 11";
        c.old_path = "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\";
        c.old_tier = BW_TIER_LIKELY;
    }
    return c;
}

static void findings(out *o)
{
    bw_alert a;
    for (int k = 0; k < BW_STORE_KINDS; k++) {
        for (int w = BW_CHANGE_NEW; w <= BW_CHANGE_CHANGED; w++) {
            bw_change c = change((bw_change_kind)w, (bw_kind)k);
            put(o, bw_alert_from_change(&c, "ws-0142", &a), &a, "a finding");
        }
    }
    bw_change c = change(BW_CHANGE_NEW, BW_KIND_PRODUCT);
    c.display_name = NULL; /* named by its key */
    c.publisher = NULL;
    put(o, bw_alert_from_change(&c, NULL, &a), &a, "a product without a name");
    c = change(BW_CHANGE_CHANGED, BW_KIND_REGISTRY);
    c.at = T0 + 10;
    put(o, bw_alert_change_activity(&c, "ws-0142", T0 - 86400, false, &a), &a, "300 version");
    c = change(BW_CHANGE_NEW, BW_KIND_PRODUCT);
    put(o, bw_alert_change_activity(&c, "ws-0142", T0 - 86400, false, &a), &a, "300 new");
    c = change(BW_CHANGE_NEW, BW_KIND_DRIVER);
    put(o, bw_alert_change_activity(&c, "ws-0142", T0 - 86400, false, &a), &a, "300 driver");
}

static void verdicts(out *o)
{
    bw_alert a;
    bw_verdict_product p = {.name = "Kaspersky Total Security", .version = "21.3.10.391"};
    bw_verdict v = {.present = BW_TIER_CONFIRMED,
                    .counts = true,
                    .products = &p,
                    .n_products = 1,
                    .updated_after_cutoff = BW_TRI_YES,
                    .has_update = true,
                    .newest_update = T0 - 86400 * 400,
                    .update_evidence = "bases-index",
                    .stale = BW_TRI_NO,
                    .ksn = BW_KSN_ACTIVE,
                    .containment = "audit: enforce would disable 2 services",
                    .headline = "Kaspersky: PRESENT (confirmed): Kaspersky Total Security",
                    .next_step = "Next: remove it and install a supported anti-virus."};
    char *digest = NULL;
    put(o, bw_alert_verdict_due(&v, "ws-0142", NULL, &a, &digest), &a, "230");
    free(digest);
    bw_verdict none = {.updated_after_cutoff = BW_TRI_UNKNOWN,
                       .stale = BW_TRI_UNKNOWN,
                       .containment = "none: no vendor service to contain",
                       .headline = "Kaspersky: not found",
                       .next_step = "Nothing to do."};
    put(o, bw_alert_verdict_due(&none, "ws-0142", NULL, &a, &digest), &a, "230 none");
    free(digest);
    bw_heartbeat hb = {.host = "ws-0142",
                       .policy_name = "kaspersky",
                       .policy_version = "2024.11.1",
                       .last_scan = T0,
                       .last_scan_complete = true,
                       .by_kind = {1, 1, 1, 0, 1, 1, 0},
                       .verdict = &v};
    put(o, bw_alert_heartbeat(&hb, &a), &a, "110");
    bw_heartbeat first = {.host = "ws-0142", .policy_name = "kaspersky", .policy_version = "1"};
    put(o, bw_alert_heartbeat(&first, &a), &a, "110 before a scan");
}

static void lifecycle(out *o)
{
    bw_alert a;
    put(o, bw_alert_agent_started("ws-0142", "0.1.0", BW_PREV_STOP_CLEAN, 0, &a), &a, "100");
    put(o, bw_alert_agent_started("ws-0142", "0.1.0", BW_PREV_STOP_UNCLEAN, T0 - 3600, &a), &a,
        "100 unclean");
    put(o, bw_alert_lifecycle(BW_EVENT_AGENT_STOPPED, "ws-0142", "0.1.0", "stopped", &a), &a,
        "101");
    bw_policy pol = {.name = "kaspersky", .version = "2024.11.1", .mode = BW_MODE_ENFORCE};
    put(o, bw_alert_policy_loaded("ws-0142", &pol, "loaded from built-in", NULL, &a), &a, "102");
    put(o,
        bw_alert_policy_loaded("ws-0142", &pol,
                               "reloaded after a Group Policy change: policy from "
                               "C:\\ProgramData\\banwatch\\policy.yaml",
                               "mode,service.heartbeat_interval", &a),
        &a, "102 from Group Policy");
    for (int id = BW_EVENT_STATE_DB_RECREATED; id <= BW_EVENT_STATE_DB_UNAVAILABLE; id++)
        put(o, bw_alert_error((bw_event_id)id, "ws-0142", "state.db: open: locked (5)", &a), &a,
            "9xx");
    put(o,
        bw_alert_data_dir("ws-0142", "C:\\ProgramData\\banwatch", "moved-aside",
                          "it is owned by S-1-5-21-1-2-3-1001",
                          "C:\\ProgramData\\banwatch.untrusted-1764500000", &a),
        &a, "904");
    put(o,
        bw_alert_untrusted("ws-0142", "C:\\ProgramData\\banwatch\\policy.yaml",
                           "it has 2 names (hard links)", "the built-in policy is used", &a),
        &a, "905");
    put(o,
        bw_alert_write_failed("ws-0142", "C:\\ProgramData\\banwatch\\events.jsonl",
                              "the disk is full (112)", "events are not written to this file",
                              &a),
        &a, "906");
}

static void updates_and_containment(out *o)
{
    bw_alert a;
    bw_update_status st = {.product = "AVP21.3",
                           .has_date = true,
                           .newest = T0 - 86400 * 404,
                           .newest_kind = BW_EVIDENCE_BASES_INDEX,
                           .newest_source = "C:\\ProgramData\\Kaspersky Lab\\AVP21.3\\u0607g.xml",
                           .cutoff = 1727582400,
                           .after_cutoff = true,
                           .stale = true,
                           .age_days = 404};
    put(o,
        bw_alert_update(BW_EVENT_UPDATE_AFTER_CUTOFF, "ws-0142", &st, "Kaspersky Anti-Virus", 7,
                        &a),
        &a, "300");
    put(o,
        bw_alert_update(BW_EVENT_STALE_PROTECTION, "ws-0142", &st, "Kaspersky Anti-Virus", 7, &a),
        &a, "301");
    for (int k = 0; k < BW_CONTAIN_OUTCOMES; k++) {
        bw_contain_result r = {.outcome = (bw_contain_outcome)k,
                               .name = "AVP",
                               .display_name = "Kaspersky Endpoint Security Service",
                               .kind = k == BW_OUTCOME_STOPPED ? "dependent" : "service",
                               .action = "disable",
                               .has_prior = k != BW_OUTCOME_FAILED,
                               .prior_start = 2,
                               .prior_state = 4,
                               .error = k == BW_OUTCOME_BLOCKED ? 5 : 0,
                               .detail = "Enforce mode would set its start type to disabled."};
        put(o, bw_alert_contain(&r, "ws-0142", &a), &a, "4xx");
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dump_events FILE\n");
        return 2;
    }
    out o = {.f = fopen(argv[1], "wb")};
    if (!o.f) {
        perror(argv[1]);
        return 1;
    }
    lifecycle(&o);
    verdicts(&o);
    findings(&o);
    updates_and_containment(&o);
    if (fclose(o.f) != 0) {
        perror(argv[1]);
        return 1;
    }
    for (size_t i = 0; i < bw_n_event_ids; i++)
        if (!o.seen[bw_event_ids[i]]) {
            fprintf(stderr, "dump_events: no record of event %d\n", (int)bw_event_ids[i]);
            o.failures++;
        }
    return o.failures ? 1 : 0;
}
