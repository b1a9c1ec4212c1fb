/* test_alert.c - unit tests for the alert decisions and their rendering
 * (bw_alert.c): Event IDs, severities, insertion strings, JSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_alert.h"
#include "bw_version.h"

static void test_ids_and_severities(void **state)
{
    (void)state;
    static const struct {
        int id;
        const char *name;
        bw_severity sev;
    } want[] = {
        {100, "agent-started", BW_SEVERITY_INFORMATION},
        {101, "agent-stopped", BW_SEVERITY_INFORMATION},
        {102, "policy-loaded", BW_SEVERITY_INFORMATION},
        {110, "heartbeat", BW_SEVERITY_INFORMATION},
        {200, "new-product", BW_SEVERITY_WARNING},
        {201, "new-service", BW_SEVERITY_WARNING},
        {202, "new-driver", BW_SEVERITY_WARNING},
        {203, "new-ksn-component", BW_SEVERITY_WARNING},
        {204, "new-class-filter", BW_SEVERITY_WARNING},
        {205, "new-registry-footprint", BW_SEVERITY_WARNING},
        {206, "new-ksn-connection", BW_SEVERITY_WARNING},
        {210, "finding-resolved", BW_SEVERITY_INFORMATION},
        {220, "finding-changed", BW_SEVERITY_WARNING},
        {230, "host-verdict", BW_SEVERITY_WARNING},
        {300, "update-after-cutoff", BW_SEVERITY_WARNING},
        {301, "stale-protection", BW_SEVERITY_WARNING},
        {400, "would-disable", BW_SEVERITY_INFORMATION},
        {401, "service-disabled", BW_SEVERITY_WARNING},
        {402, "service-stopped", BW_SEVERITY_WARNING},
        {403, "containment-blocked", BW_SEVERITY_WARNING},
        {404, "containment-failed", BW_SEVERITY_ERROR},
        {405, "service-restored", BW_SEVERITY_INFORMATION},
        {406, "containment-held", BW_SEVERITY_WARNING},
        {900, "state-db-recreated", BW_SEVERITY_ERROR},
        {901, "policy-invalid", BW_SEVERITY_ERROR},
        {902, "scan-incomplete", BW_SEVERITY_ERROR},
        {903, "state-db-unavailable", BW_SEVERITY_ERROR},
        {904, "data-dir-secured", BW_SEVERITY_WARNING},
        {905, "untrusted-data", BW_SEVERITY_ERROR},
        {906, "write-failed", BW_SEVERITY_ERROR},
    };
    size_t n = sizeof want / sizeof want[0];
    assert_int_equal(bw_n_event_ids, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bw_event_ids[i], want[i].id);
        assert_true(bw_event_known(want[i].id));
        assert_string_equal(bw_event_name((bw_event_id)want[i].id), want[i].name);
        assert_int_equal(bw_event_severity((bw_event_id)want[i].id), want[i].sev);
    }
    /* a SIEM keys on the name: no two events share one */
    for (size_t i = 0; i < bw_n_event_ids; i++)
        for (size_t k = i + 1; k < bw_n_event_ids; k++)
            assert_string_not_equal(bw_event_name(bw_event_ids[i]),
                                    bw_event_name(bw_event_ids[k]));
    assert_false(bw_event_known(0));
    assert_false(bw_event_known(207));
    assert_string_equal(bw_event_name((bw_event_id)999), "unknown");
    assert_int_equal(bw_event_severity((bw_event_id)999), BW_SEVERITY_ERROR);
    assert_string_equal(bw_severity_name(BW_SEVERITY_INFORMATION), "information");
    assert_string_equal(bw_severity_name(BW_SEVERITY_WARNING), "warning");
    assert_string_equal(bw_severity_name(BW_SEVERITY_ERROR), "error");
}

static void test_update_alerts(void **state)
{
    (void)state;
    bw_update_status st = {
        .product = "AVP21.3",
        .has_date = true,
        .newest = 1728964800,
        .newest_kind = BW_EVIDENCE_LAST_UPDATE,
        .newest_source = "HKLM\\SOFTWARE\\KasperskyLab\\AVP21.3\\Data\\LastSuccessfulUpdate",
        .cutoff = 1727582400,
        .after_cutoff = true,
        .age_days = 404};
    bw_alert a;
    assert_int_equal(bw_alert_update(BW_EVENT_UPDATE_AFTER_CUTOFF, "WS-01", &st,
                                     "Kaspersky Anti-Virus", 7, &a),
                     BW_OK);
    assert_int_equal(a.severity, BW_SEVERITY_WARNING);
    bw_buf b = {0};
    assert_int_equal(bw_alert_json(&a, 1760000000, &b), BW_OK);
    assert_string_equal(
        b.data,
        "{\"@timestamp\":\"2025-10-09T08:53:20Z\",\"message\":\"Banned software was updated "
        "after the cutoff: product AVP21.3 (Kaspersky Anti-Virus) has update evidence dated "
        "2024-10-15T04:00:00Z (last-successful-update, "
        "HKLM\\\\SOFTWARE\\\\KasperskyLab\\\\AVP21.3\\\\Data\\\\LastSuccessfulUpdate), at or "
        "after the cutoff 2024-09-29T04:00:00Z.\",\"event\":{\"code\":\"300\",\"action\":"
        "\"update-after-cutoff\",\"kind\":\"alert\",\"category\":[\"package\"],\"type\":"
        "[\"change\"],\"severity\":2,\"provider\":\"banwatch\",\"dataset\":\"banwatch.events\","
        "\"module\":\"banwatch\"},\"log\":{\"level\":\"warning\"},\"host\":{\"name\":\"WS-01\"},"
        "\"agent\":{\"type\":\"banwatch\",\"version\":\"" BW_VERSION "\"},"
        "\"package\":{\"name\":\"Kaspersky Anti-Virus\"},\"banwatch\":{\"finding\":{\"key\":"
        "\"AVP21.3\"},\"evidence_date\":\"2024-10-15T04:00:00Z\",\"evidence\":"
        "\"last-successful-update\",\"evidence_source\":"
        "\"HKLM\\\\SOFTWARE\\\\KasperskyLab\\\\AVP21.3\\\\Data\\\\LastSuccessfulUpdate\","
        "\"cutoff\":\"2024-09-29T04:00:00Z\",\"age_days\":404,\"threshold_days\":7}}\n");
    bw_buf_free(&b);
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_update(BW_EVENT_STALE_PROTECTION, NULL, &st, NULL, 7, &a), BW_OK);
    assert_string_equal(bw_alert_get(&a, "age_days"), "404");
    bw_alert_clear(&a);
    st.has_date = false;
    assert_int_equal(bw_alert_update(BW_EVENT_STALE_PROTECTION, NULL, &st, NULL, 7, &a),
                     BW_EINVAL);
    st.has_date = true;
    assert_int_equal(bw_alert_update(BW_EVENT_NEW_PRODUCT, NULL, &st, NULL, 7, &a), BW_EINVAL);
}

static bw_change sample_change(bw_change_kind what, bw_kind kind);

static void test_change_activity(void **state)
{
    (void)state;
    const int64_t cutoff = 1727582400;
    bw_alert a;
    bw_change c = sample_change(BW_CHANGE_CHANGED, BW_KIND_PRODUCT);
    c.at = cutoff; /* exactly at the cutoff counts */
    assert_int_equal(bw_alert_change_activity(&c, "WS-01", cutoff, false, &a), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_UPDATE_AFTER_CUTOFF);
    assert_int_equal(a.change_id, 7);
    assert_string_equal(bw_alert_get(&a, "evidence"), "version-change");
    assert_string_equal(bw_alert_get(&a, "newest_update"), "2024-09-29T04:00:00Z");
    assert_string_equal(bw_alert_get(&a, "product"), "{KES-11}");
    bw_alert_clear(&a);
    c.at = cutoff - 1; /* before the cutoff: not activity */
    assert_int_equal(bw_alert_change_activity(&c, "WS-01", cutoff, false, &a), BW_ENOTFOUND);
    c.at = cutoff + 10;
    c.old_version = "12.1.0.506"; /* same version: only the path or name changed */
    assert_int_equal(bw_alert_change_activity(&c, "WS-01", cutoff, false, &a), BW_ENOTFOUND);
    bw_change n = sample_change(BW_CHANGE_NEW, BW_KIND_DRIVER);
    n.at = cutoff + 10;
    assert_int_equal(bw_alert_change_activity(&n, NULL, cutoff, true, &a), BW_ENOTFOUND);
    assert_int_equal(bw_alert_change_activity(&n, NULL, cutoff, false, &a), BW_OK);
    assert_string_equal(bw_alert_get(&a, "evidence"), "new-component");
    bw_alert_clear(&a);
    n.kind = BW_KIND_FILTER; /* a filter entry alone is not a new component */
    assert_int_equal(bw_alert_change_activity(&n, NULL, cutoff, false, &a), BW_ENOTFOUND);
    bw_change r = sample_change(BW_CHANGE_RESOLVED, BW_KIND_PRODUCT);
    r.at = cutoff + 10;
    assert_int_equal(bw_alert_change_activity(&r, NULL, cutoff, false, &a), BW_ENOTFOUND);
}

static bw_change sample_change(bw_change_kind what, bw_kind kind)
{
    bw_change c = {0};
    c.id = 7;
    c.scan_id = 3;
    c.change = what;
    c.kind = kind;
    c.name = "{KES-11}";
    c.display_name = "Kaspersky Endpoint Security for Windows";
    c.publisher = "AO Kaspersky Lab";
    c.version = "12.1.0.506";
    c.path = "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0\\";
    c.source =
        "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{KES-11}";
    c.tier = BW_TIER_CONFIRMED;
    c.rule = "vendor.publishers";
    /* old values are set for every kind of change: only 220 may show them */
    c.old_version = "11.11.0.452";
    c.old_path = "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.11.0\\";
    c.old_display_name = "Kaspersky Endpoint Security 11";
    return c;
}

static void test_change_to_event(void **state)
{
    (void)state;
    bw_alert a;
    for (int k = 0; k < BW_STORE_KINDS; k++) {
        bw_change c = sample_change(BW_CHANGE_NEW, (bw_kind)k);
        assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
        assert_int_equal(a.event_id, 200 + k);
        assert_int_equal(a.severity, BW_SEVERITY_WARNING);
        assert_int_equal(a.change_id, 7);
        assert_string_equal(bw_alert_get(&a, "kind"), bw_kind_name((bw_kind)k));
        bw_alert_clear(&a);
    }
    bw_change c = sample_change(BW_CHANGE_NEW, BW_KIND_DRIVER);
    c.reappeared = true; /* back after being resolved: new again */
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_NEW_DRIVER);
    bw_alert_clear(&a);

    c = sample_change(BW_CHANGE_RESOLVED, BW_KIND_SERVICE);
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_FINDING_RESOLVED);
    assert_int_equal(a.severity, BW_SEVERITY_INFORMATION);
    assert_null(bw_alert_get(&a, "old_version"));
    assert_null(bw_alert_get(&a, "old_display_name"));
    assert_null(bw_alert_get(&a, "old_path"));
    bw_alert_clear(&a);

    c = sample_change(BW_CHANGE_CHANGED, BW_KIND_PRODUCT);
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_FINDING_CHANGED);
    assert_int_equal(a.severity, BW_SEVERITY_WARNING);
    assert_string_equal(bw_alert_get(&a, "version"), "12.1.0.506");
    assert_string_equal(bw_alert_get(&a, "old_version"), "11.11.0.452");
    bw_alert_clear(&a);

    c.change = (bw_change_kind)0;
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_EINVAL);
    c = sample_change(BW_CHANGE_NEW, (bw_kind)9);
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_EINVAL);
    bw_alert_clear(NULL);
    bw_alerts_free(NULL);
}

static void test_insertion_strings(void **state)
{
    (void)state;
    bw_change c = sample_change(BW_CHANGE_CHANGED, BW_KIND_PRODUCT);
    c.publisher = NULL;
    bw_alert a;
    assert_int_equal(bw_alert_from_change(&c, NULL, &a), BW_OK);
    static const char *const names[] = {
        "host",        "kind", "name",   "key",  "display_name", "publisher",        "version",
        "old_version", "path", "source", "rule", "tier",         "old_display_name", "old_path",
        "old_tier"};
    assert_int_equal(a.n_fields, 15);
    for (size_t i = 0; i < 15; i++)
        assert_string_equal(a.fields[i].name, names[i]);
    const char *v[BW_ALERT_MAX_FIELDS];
    assert_int_equal(bw_alert_strings(&a, v, BW_ALERT_MAX_FIELDS), 15);
    assert_string_equal(v[0], "-"); /* the host, always %1 */
    assert_string_equal(v[1], "product");
    /* a product's name is its display name; its Uninstall key is the key */
    assert_string_equal(v[2], "Kaspersky Endpoint Security for Windows");
    assert_string_equal(v[3], "{KES-11}");
    assert_string_equal(v[4], "Kaspersky Endpoint Security for Windows");
    assert_string_equal(v[5], "-");
    assert_string_equal(v[6], "12.1.0.506");
    assert_string_equal(v[7], "11.11.0.452");
    assert_string_equal(v[8], "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0\\");
    assert_string_equal(v[10], "vendor.publishers");
    assert_string_equal(v[11], "confirmed");
    assert_string_equal(v[12], "Kaspersky Endpoint Security 11");
    assert_string_equal(v[13], "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.11.0\\");
    assert_string_equal(v[14], "-"); /* the tier did not change */
    /* a short array gets the first fields; the count is still all */
    const char *two[2];
    assert_int_equal(bw_alert_strings(&a, two, 2), 15);
    assert_string_equal(two[1], "product");
    bw_alert_clear(&a);
    /* a product without a display name is named by its key; other kinds by
     * their key name */
    c.display_name = NULL;
    assert_int_equal(bw_alert_from_change(&c, NULL, &a), BW_OK);
    assert_string_equal(bw_alert_get(&a, "name"), "{KES-11}");
    bw_alert_clear(&a);
    c = sample_change(BW_CHANGE_NEW, BW_KIND_SERVICE);
    c.name = "AVP";
    assert_int_equal(bw_alert_from_change(&c, NULL, &a), BW_OK);
    assert_string_equal(bw_alert_get(&a, "name"), "AVP");
    assert_string_equal(bw_alert_get(&a, "key"), "AVP");
    assert_string_equal(a.fields[2].path, "service.name");
    assert_string_equal(a.fields[8].path, "banwatch.finding.path");
    bw_alert_clear(&a);
}

static void test_json_line_exact(void **state)
{
    (void)state;
    bw_change c = sample_change(BW_CHANGE_CHANGED, BW_KIND_PRODUCT);
    c.display_name = "Kaspersky \"KES\"\tx";
    c.old_tier = BW_TIER_LIKELY;
    bw_alert a;
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
    bw_buf b = {0};
    assert_int_equal(bw_alert_json(&a, 1727582400, &b), BW_OK);
    assert_string_equal(
        b.data,
        "{\"@timestamp\":\"2024-09-29T04:00:00Z\",\"message\":\"Banned software changed: product "
        "Kaspersky \\\"KES\\\"\\tx (Kaspersky \\\"KES\\\"\\tx; key {KES-11}) is now version "
        "12.1.0.506 (was 11.11.0.452).\",\"event\":{\"code\":\"220\",\"action\":"
        "\"finding-changed\",\"kind\":\"alert\",\"category\":[\"package\"],\"type\":"
        "[\"change\"],\"severity\":2,\"provider\":\"banwatch\",\"dataset\":\"banwatch.events\","
        "\"module\":\"banwatch\"},\"log\":{\"level\":\"warning\"},\"host\":{\"name\":\"WS-01\"},"
        "\"agent\":{\"type\":\"banwatch\",\"version\":\"" BW_VERSION "\"},"
        "\"package\":{\"name\":\"Kaspersky \\\"KES\\\"\\tx\",\"version\":\"12.1.0.506\","
        "\"path\":\"C:\\\\Program Files (x86)\\\\Kaspersky Lab\\\\KES.12.1.0\\\\\"},"
        "\"rule\":{\"name\":\"vendor.publishers\"},\"banwatch\":{\"kind\":\"product\","
        "\"finding\":{\"key\":\"{KES-11}\",\"display_name\":\"Kaspersky \\\"KES\\\"\\tx\","
        "\"publisher\":\"AO Kaspersky Lab\",\"source\":\"HKLM\\\\SOFTWARE\\\\WOW6432Node\\\\"
        "Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\{KES-11}\"},\"old\":{"
        "\"version\":\"11.11.0.452\",\"display_name\":\"Kaspersky Endpoint Security 11\","
        "\"path\":\"C:\\\\Program Files (x86)\\\\Kaspersky Lab\\\\KES.11.11.0\\\\\","
        "\"tier\":\"likely\"},\"tier\":\"confirmed\"}}\n");
    /* exactly one line */
    assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1);
    bw_buf_free(&b);

    assert_int_equal(bw_alert_fields_json(&a, &b), BW_OK);
    assert_int_equal(strncmp(b.data, "{\"host\":\"WS-01\",\"kind\":\"product\",\"name\":", 40),
                     0);
    assert_non_null(strstr(b.data, ",\"key\":\"{KES-11}\","));
    bw_buf_free(&b);
    bw_alert_clear(&a);

    /* a missing host is left out (so is the host object) */
    assert_int_equal(
        bw_alert_error(BW_EVENT_POLICY_INVALID, NULL, "policy.yaml:3:1: unknown key", &a), BW_OK);
    assert_int_equal(bw_alert_json(&a, 0, &b), BW_OK);
    assert_string_equal(
        b.data, "{\"@timestamp\":\"1970-01-01T00:00:00Z\",\"message\":\"The banwatch policy is "
                "invalid and was not applied: policy.yaml:3:1: unknown key\",\"event\":{\"code\":"
                "\"901\",\"action\":\"policy-invalid\",\"kind\":\"event\",\"category\":"
                "[\"configuration\"],\"type\":[\"error\"],\"severity\":3,\"provider\":"
                "\"banwatch\",\"dataset\":\"banwatch.events\",\"module\":\"banwatch\"},\"log\":{"
                "\"level\":\"error\"},\"agent\":{\"type\":\"banwatch\",\"version\":\"" BW_VERSION
                "\"},\"banwatch\":{\"detail\":\"policy.yaml:3:1: unknown key\"}}\n");
    bw_buf_free(&b);
    bw_alert_clear(&a);
}

/* The message is the event's text with the insertion strings put in ("-"
 * for a missing value; 230: headline and next step). */
static void test_message_text(void **state)
{
    (void)state;
    bw_change c = sample_change(BW_CHANGE_RESOLVED, BW_KIND_DRIVER);
    c.name = "klif";
    c.display_name = NULL;
    bw_alert a;
    assert_int_equal(bw_alert_from_change(&c, "WS-01", &a), BW_OK);
    bw_buf b = {0};
    assert_int_equal(bw_alert_message(&a, &b), BW_OK);
    assert_string_equal(b.data, "Banned software no longer present: driver klif (-; key klif).");
    bw_buf_free(&b);
    bw_alert_clear(&a);
    bw_verdict v = {.updated_after_cutoff = BW_TRI_NO,
                    .stale = BW_TRI_NO,
                    .containment = "none",
                    .headline = "Kaspersky: not found",
                    .next_step = "Nothing to do."};
    char *digest = NULL;
    assert_int_equal(bw_alert_verdict_due(&v, "WS-01", NULL, &a, &digest), BW_OK);
    free(digest);
    assert_int_equal(bw_alert_message(&a, &b), BW_OK);
    assert_string_equal(b.data, "Kaspersky: not found Nothing to do.");
    bw_buf_free(&b);
    /* 230 is information when nothing counts */
    assert_int_equal(bw_alert_json(&a, 0, &b), BW_OK);
    assert_non_null(strstr(b.data, "\"kind\":\"state\",\"category\":[\"host\"],"
                                   "\"type\":[\"info\"],\"severity\":1,"));
    assert_non_null(strstr(b.data, "\"log\":{\"level\":\"information\"}"));
    bw_buf_free(&b);
    bw_alert_clear(&a);
    for (size_t i = 0; i < bw_n_event_ids; i++) {
        assert_non_null(bw_event_text(bw_event_ids[i]));
        assert_non_null(bw_event_ecs_of(bw_event_ids[i]).kind);
    }
    assert_null(bw_event_text((bw_event_id)999));
    assert_null(bw_event_ecs_of((bw_event_id)999).kind);
}

/* The record's shape comes from the paths: a path that would be both a
 * value and an object is refused, not written half. */
static void test_json_shape_refused(void **state)
{
    (void)state;
    bw_alert a = {
        .event_id = BW_EVENT_POLICY_INVALID, .severity = BW_SEVERITY_ERROR, .n_fields = 2};
    a.fields[0] = (bw_alert_field){"a", "banwatch.x", BW_FIELD_TEXT, (char *)"1"};
    a.fields[1] = (bw_alert_field){"b", "banwatch.x.y", BW_FIELD_TEXT, (char *)"2"};
    bw_buf b = {0};
    assert_int_equal(bw_alert_json(&a, 0, &b), BW_EINVAL);
    bw_buf_free(&b);
    /* an unknown event has no record */
    a.event_id = (bw_event_id)999;
    a.n_fields = 0;
    assert_int_equal(bw_alert_json(&a, 0, &b), BW_EINVAL);
    bw_buf_free(&b);
}

static void test_from_changes(void **state)
{
    (void)state;
    bw_change items[3] = {sample_change(BW_CHANGE_NEW, BW_KIND_KSN),
                          sample_change(BW_CHANGE_RESOLVED, BW_KIND_FILTER),
                          sample_change(BW_CHANGE_CHANGED, BW_KIND_REGISTRY)};
    items[1].id = 8;
    items[2].id = 9;
    bw_changes c = {.items = items, .n = 3, .cap = 3};
    bw_alerts al;
    assert_int_equal(bw_alert_from_changes(&c, "WS-01", &al), BW_OK);
    assert_int_equal(al.n, 3);
    assert_int_equal(al.items[0].event_id, BW_EVENT_NEW_KSN);
    assert_int_equal(al.items[1].event_id, BW_EVENT_FINDING_RESOLVED);
    assert_int_equal(al.items[2].event_id, BW_EVENT_FINDING_CHANGED);
    assert_int_equal(al.items[1].change_id, 8);
    assert_string_equal(bw_alert_get(&al.items[1], "kind"), "filter");
    assert_string_equal(bw_alert_get(&al.items[2], "host"), "WS-01");
    bw_alerts_free(&al);
    assert_int_equal(al.n, 0);

    bw_changes none = {0};
    assert_int_equal(bw_alert_from_changes(&none, "WS-01", &al), BW_OK);
    assert_int_equal(al.n, 0);
    assert_null(al.items);

    items[1].kind = (bw_kind)42; /* a bad change fails the whole list */
    assert_int_equal(bw_alert_from_changes(&c, "WS-01", &al), BW_EINVAL);
    assert_int_equal(al.n, 0);
    assert_null(al.items);
}

/* 100 says how the previous run ended: a clean stop (or no record) is
 * "started", an unclean one "recovered after an unclean stop" with the
 * time that run began. */
static void test_agent_started(void **state)
{
    (void)state;
    const int64_t t = 1727582400;
    bw_alert a;
    assert_int_equal(bw_alert_agent_started("WS-01", "0.2.0", BW_PREV_STOP_CLEAN, t, &a), BW_OK);
    assert_int_equal(a.event_id, 100);
    assert_int_equal(a.severity, BW_SEVERITY_INFORMATION);
    assert_int_equal(a.change_id, 0);
    const char *v[BW_ALERT_MAX_FIELDS];
    assert_int_equal(bw_alert_strings(&a, v, BW_ALERT_MAX_FIELDS), 5);
    assert_string_equal(a.fields[3].name, "previous_stop");
    assert_string_equal(a.fields[4].name, "previous_start");
    assert_string_equal(v[0], "WS-01");
    assert_string_equal(v[1], "0.2.0");
    assert_string_equal(v[2], "started");
    assert_string_equal(v[3], "clean");
    assert_string_equal(v[4], "-"); /* only an unclean stop names the run */
    bw_alert_clear(&a);

    assert_int_equal(bw_alert_agent_started("WS-01", "0.2.0", BW_PREV_STOP_UNKNOWN, 0, &a),
                     BW_OK);
    assert_string_equal(bw_alert_get(&a, "detail"), "started");
    assert_string_equal(bw_alert_get(&a, "previous_stop"), "unknown");
    assert_null(bw_alert_get(&a, "previous_start"));
    bw_alert_clear(&a);

    assert_int_equal(bw_alert_agent_started("WS-01", "0.2.0", BW_PREV_STOP_UNCLEAN, t, &a),
                     BW_OK);
    assert_string_equal(bw_alert_get(&a, "detail"), "recovered after an unclean stop");
    assert_string_equal(bw_alert_get(&a, "previous_stop"), "unclean");
    assert_string_equal(bw_alert_get(&a, "previous_start"), "2024-09-29T04:00:00Z");
    bw_buf j = {0};
    assert_int_equal(bw_alert_json(&a, t + 60, &j), BW_OK);
    /* program_version is agent.version */
    assert_string_equal(
        j.data,
        "{\"@timestamp\":\"2024-09-29T04:01:00Z\",\"message\":\"The banwatch service "
        "started (version 0.2.0): recovered after an unclean stop; previous stop: "
        "unclean.\",\"event\":{\"code\":\"100\",\"action\":\"agent-started\",\"kind\":"
        "\"event\",\"category\":[\"process\"],\"type\":[\"start\"],\"severity\":1,"
        "\"provider\":\"banwatch\",\"dataset\":\"banwatch.events\",\"module\":"
        "\"banwatch\"},\"log\":{\"level\":\"information\"},\"host\":{\"name\":\"WS-01\"},"
        "\"agent\":{\"type\":\"banwatch\",\"version\":\"0.2.0\"},\"banwatch\":{\"detail\":"
        "\"recovered after an unclean stop\",\"previous_stop\":\"unclean\","
        "\"previous_start\":\"2024-09-29T04:00:00Z\"}}\n");
    bw_buf_free(&j);
    bw_alert_clear(&a);
}

/* A record is found again in the tail of events.jsonl by its hash: whole
 * lines only, the first one too; not one without its newline. */
static void test_line_hash(void **state)
{
    (void)state;
    bw_alert a;
    assert_int_equal(bw_alert_lifecycle(BW_EVENT_AGENT_STOPPED, "WS-01", "0.2.0", "stopped", &a),
                     BW_OK);
    bw_buf line = {0};
    assert_int_equal(bw_alert_json(&a, 1727582400, &line), BW_OK);
    bw_alert_clear(&a);
    uint64_t h = bw_alert_line_hash(line.data, line.len);
    assert_true(h != 0);
    /* the newline is not part of it */
    assert_true(bw_alert_line_hash(line.data, line.len - 1) == h);
    assert_true(bw_alert_line_hash("", 0) != 0);
    assert_true(bw_alert_line_hash("a", 1) != bw_alert_line_hash("b", 1));

    bw_buf tail = {0};
    bw_buf_printf(&tail, "ial\"}\n{\"event_id\":100}\n%s{\"event_id\":110}\n", line.data);
    assert_true(bw_alert_line_in(tail.data, tail.len, h));
    assert_false(bw_alert_line_in(tail.data, tail.len, h + 1));
    /* the record first in the text */
    assert_true(bw_alert_line_in(line.data, line.len, h));
    /* cut short: its newline missing, or a byte of it */
    assert_false(bw_alert_line_in(line.data, line.len - 1, h));
    assert_false(bw_alert_line_in(line.data + 1, line.len - 1, h));
    assert_false(bw_alert_line_in("", 0, h));
    bw_buf_free(&tail);
    bw_buf_free(&line);
}

/* 903 once per reason: again when the reason changes, or after it was
 * cleared (the database worked in between). */
static void test_db_unavailable_due(void **state)
{
    (void)state;
    const char *full = "state.db: apply scan: commit: database or disk is full (13)";
    bw_alert a;
    assert_int_equal(bw_alert_db_unavailable_due("WS-01", NULL, full, &a), BW_OK);
    assert_int_equal(a.event_id, 903);
    assert_int_equal(a.severity, BW_SEVERITY_ERROR);
    assert_string_equal(bw_alert_get(&a, "detail"), full);
    assert_string_equal(bw_alert_get(&a, "host"), "WS-01");
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_db_unavailable_due("WS-01", full, full, &a), BW_ENOTFOUND);
    assert_int_equal(a.n_fields, 0);
    assert_int_equal(bw_alert_db_unavailable_due(
                         "WS-01", full, "state.db: open: unable to open database file (14)", &a),
                     BW_OK);
    assert_int_equal(a.event_id, 903);
    bw_alert_clear(&a);
}

static void test_lifecycle_and_errors(void **state)
{
    (void)state;
    bw_alert a;
    assert_int_equal(bw_alert_lifecycle(BW_EVENT_AGENT_STOPPED, "WS-01", "0.2.0", NULL, &a),
                     BW_OK);
    assert_int_equal(a.event_id, 101);
    assert_int_equal(a.severity, BW_SEVERITY_INFORMATION);
    assert_int_equal(a.change_id, 0);
    assert_int_equal(a.n_fields, 3);
    assert_string_equal(a.fields[1].name, "program_version");
    assert_string_equal(a.fields[1].value, "0.2.0");
    assert_null(a.fields[2].value);
    bw_alert_clear(&a);
    /* 100 has its own builder */
    assert_int_equal(bw_alert_lifecycle(BW_EVENT_AGENT_STARTED, "WS-01", "0.2.0", NULL, &a),
                     BW_EINVAL);
    assert_int_equal(bw_alert_lifecycle(BW_EVENT_HEARTBEAT, "WS-01", "0.2.0", NULL, &a),
                     BW_EINVAL);

    bw_policy pol = {.name = "kaspersky", .version = "2024.11.1", .mode = BW_MODE_ENFORCE};
    assert_int_equal(bw_alert_policy_loaded("WS-01", &pol, "reloaded", NULL, &a), BW_OK);
    assert_int_equal(a.event_id, 102);
    const char *v[BW_ALERT_MAX_FIELDS];
    assert_int_equal(bw_alert_strings(&a, v, BW_ALERT_MAX_FIELDS), 6);
    assert_string_equal(v[0], "WS-01");
    assert_string_equal(v[1], "kaspersky");
    assert_string_equal(v[2], "2024.11.1");
    assert_string_equal(v[3], "enforce");
    assert_string_equal(v[4], "reloaded");
    assert_string_equal(v[5], "-");
    assert_string_equal(a.fields[5].name, "from_group_policy");
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_policy_loaded("WS-01", &pol, "reloaded after a Group Policy change",
                                            "mode,service.scan_interval", &a),
                     BW_OK);
    assert_int_equal(bw_alert_strings(&a, v, BW_ALERT_MAX_FIELDS), 6);
    assert_string_equal(v[5], "mode,service.scan_interval");
    bw_alert_clear(&a);
    /* "-" (bw_gp_from_list's none) is a missing value: "-" in the Event Log,
     * no banwatch.policy.from_group_policy in JSON */
    assert_int_equal(bw_alert_policy_loaded("WS-01", &pol, "loaded", "-", &a), BW_OK);
    assert_int_equal(bw_alert_strings(&a, v, BW_ALERT_MAX_FIELDS), 6);
    assert_string_equal(v[5], "-");
    bw_buf gj = {0};
    assert_int_equal(bw_alert_json(&a, 0, &gj), BW_OK);
    assert_null(strstr(gj.data, "from_group_policy"));
    assert_non_null(strstr(gj.data, "\"mode\":\"enforce\""));
    bw_buf_free(&gj);
    bw_alert_clear(&a);

    assert_int_equal(bw_alert_error(BW_EVENT_STATE_DB_RECREATED, "WS-01", "moved", &a), BW_OK);
    assert_int_equal(a.event_id, 900);
    assert_int_equal(a.severity, BW_SEVERITY_ERROR);
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_error(BW_EVENT_SCAN_INCOMPLETE, "WS-01", "HKLM\\X: denied", &a),
                     BW_OK);
    assert_int_equal(a.event_id, 902);
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_error(BW_EVENT_NEW_DRIVER, "WS-01", "x", &a), BW_EINVAL);

    /* the data folder repaired, a file refused */
    const char *v2[BW_ALERT_MAX_FIELDS];
    assert_int_equal(bw_alert_data_dir("WS-01", "C:\\ProgramData\\banwatch", "moved-aside",
                                       "it is owned by S-1-5-21-1-2-3-1001",
                                       "C:\\ProgramData\\banwatch.untrusted-1", &a),
                     BW_OK);
    assert_int_equal(a.event_id, 904);
    assert_int_equal(a.severity, BW_SEVERITY_WARNING);
    assert_int_equal(bw_alert_strings(&a, v2, BW_ALERT_MAX_FIELDS), 5);
    assert_string_equal(v2[2], "moved-aside");
    assert_string_equal(bw_alert_get(&a, "moved_to"), "C:\\ProgramData\\banwatch.untrusted-1");
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_untrusted("WS-01", "C:\\ProgramData\\banwatch\\policy.yaml",
                                        "it has 2 names (hard links)",
                                        "the built-in policy is used", &a),
                     BW_OK);
    assert_int_equal(a.event_id, 905);
    assert_int_equal(a.severity, BW_SEVERITY_ERROR);
    assert_int_equal(bw_alert_strings(&a, v2, BW_ALERT_MAX_FIELDS), 4);
    assert_string_equal(v2[0], "WS-01");
    assert_string_equal(v2[2], "it has 2 names (hard links)");
    assert_string_equal(v2[3], "the built-in policy is used");
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_write_failed("WS-01", "C:\\ProgramData\\banwatch\\events.jsonl",
                                           "the disk is full (112)",
                                           "events are not written to this file", &a),
                     BW_OK);
    assert_int_equal(a.event_id, 906);
    assert_int_equal(a.severity, BW_SEVERITY_ERROR);
    assert_int_equal(bw_alert_strings(&a, v2, BW_ALERT_MAX_FIELDS), 4);
    assert_string_equal(a.fields[2].name, "error");
    assert_string_equal(v2[2], "the disk is full (112)");
    assert_string_equal(bw_alert_get(&a, "effect"), "events are not written to this file");
    bw_alert_clear(&a);
}

static void test_heartbeat(void **state)
{
    (void)state;
    bw_stored_finding items[4] = {{.kind = BW_KIND_PRODUCT},
                                  {.kind = BW_KIND_DRIVER},
                                  {.kind = BW_KIND_DRIVER},
                                  {.kind = BW_KIND_KSN_CONNECTION}};
    bw_stored_findings cur = {.items = items, .n = 4, .cap = 4};
    bw_heartbeat hb = {.host = "WS-01",
                       .policy_name = "kaspersky",
                       .policy_version = "2024.11.1",
                       .last_scan = 1727582400,
                       .last_scan_complete = true};
    hb.by_kind[BW_KIND_KSN] = 5; /* replaced by the count */
    bw_heartbeat_count(&hb, &cur);
    assert_int_equal(hb.by_kind[BW_KIND_KSN], 0);
    assert_int_equal(hb.by_kind[BW_KIND_DRIVER], 2);

    bw_alert a;
    assert_int_equal(bw_alert_heartbeat(&hb, &a), BW_OK);
    assert_int_equal(a.event_id, 110);
    assert_int_equal(a.severity, BW_SEVERITY_INFORMATION);
    bw_buf b = {0};
    assert_int_equal(bw_alert_json(&a, 1727586000, &b), BW_OK);
    /* numbers and booleans are JSON numbers and booleans; the verdict is
     * missing before the first scan */
    assert_string_equal(
        b.data,
        "{\"@timestamp\":\"2024-09-29T05:00:00Z\",\"message\":\"banwatch heartbeat: 4 "
        "finding(s) of policy kaspersky 2024.11.1 present; last scan 2024-09-29T04:00:00Z "
        "(complete: true). Vendor present: -; updated after the cutoff: -; stale protection: "
        "-.\",\"event\":{\"code\":\"110\",\"action\":\"heartbeat\",\"kind\":\"state\","
        "\"category\":[\"process\"],\"type\":[\"info\"],\"severity\":1,\"provider\":"
        "\"banwatch\",\"dataset\":\"banwatch.events\",\"module\":\"banwatch\"},\"log\":{"
        "\"level\":\"information\"},\"host\":{\"name\":\"WS-01\"},\"agent\":{\"type\":"
        "\"banwatch\",\"version\":\"" BW_VERSION "\"},\"banwatch\":{\"policy\":{\"name\":"
        "\"kaspersky\",\"version\":\"2024.11.1\"},\"last_scan\":\"2024-09-29T04:00:00Z\","
        "\"last_scan_complete\":true,\"counts\":{\"findings\":4,\"product\":1,\"service\":0,"
        "\"driver\":2,\"ksn\":0,\"filter\":0,\"registry\":0,\"ksn_connection\":1}}}\n");
    bw_buf_free(&b);
    bw_alert_clear(&a);

    /* with the last verdict */
    bw_verdict_product p = {.name = "Kaspersky Total Security", .version = "21.3.10.391"};
    bw_verdict v = {.present = BW_TIER_CONFIRMED,
                    .counts = true,
                    .products = &p,
                    .n_products = 1,
                    .updated_after_cutoff = BW_TRI_YES,
                    .stale = BW_TRI_NO,
                    .ksn = BW_KSN_PRESENT,
                    .containment = "audit: enforce would disable 2 services"};
    hb.verdict = &v;
    assert_int_equal(bw_alert_heartbeat(&hb, &a), BW_OK);
    assert_int_equal(a.n_fields, 19);
    assert_string_equal(bw_alert_get(&a, "present"), "confirmed");
    assert_string_equal(bw_alert_get(&a, "products"), "Kaspersky Total Security 21.3.10.391");
    assert_string_equal(bw_alert_get(&a, "updated_after_cutoff"), "yes");
    assert_string_equal(bw_alert_get(&a, "stale"), "no");
    assert_string_equal(bw_alert_get(&a, "ksn_state"), "present");
    assert_string_equal(bw_alert_get(&a, "containment"),
                        "audit: enforce would disable 2 services");
    bw_alert_clear(&a);

    bw_heartbeat never = {.host = "WS-01"};
    assert_int_equal(bw_alert_heartbeat(&never, &a), BW_OK);
    assert_null(bw_alert_get(&a, "last_scan"));
    assert_null(bw_alert_get(&a, "last_scan_complete"));
    assert_string_equal(bw_alert_get(&a, "findings"), "0");
    bw_alert_clear(&a);
}

/* A memory for the due-alert decisions: a few keys and values. */
typedef struct memory {
    const char *keys[4];
    int64_t values[4];
} memory;

static bool memory_get(void *ctx, const char *key, int64_t *value)
{
    const memory *m = ctx;
    for (int i = 0; i < 4 && m->keys[i]; i++)
        if (!strcmp(m->keys[i], key)) {
            *value = m->values[i];
            return true;
        }
    return false;
}

static void test_updates_due(void **state)
{
    (void)state;
    const int64_t cutoff = 1727582400, newest = cutoff + 86400;
    bw_update_status st[2] = {{.product = "AVP21.3",
                               .has_date = true,
                               .newest = newest,
                               .after_cutoff = true,
                               .stale = true,
                               .has_signature = true,
                               .cutoff = cutoff},
                              {.product = "KES", .has_date = false}};
    bw_updates u = {.items = st, .n = 2};
    /* the product's registry key is installed; its service runs */
    bw_finding items[2] = {
        {.kind = BW_KIND_REGISTRY, .name = "AVP21.3"},
        {.kind = BW_KIND_SERVICE, .name = "AVP21.3", .state = BW_STATE_RUNNING}};
    bw_findings counted = {.items = items, .n = 2};
    memory none = {{NULL}, {0}};
    bw_due_alerts d = {0};
    assert_int_equal(bw_alert_updates_due(&u, &counted, "WS-01", 7, memory_get, &none, &d),
                     BW_OK);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.items[0].alert.event_id, BW_EVENT_UPDATE_AFTER_CUTOFF);
    assert_string_equal(d.items[0].memory_key, "update-after-cutoff:AVP21.3");
    assert_int_equal(d.items[0].memory_value, newest);
    assert_int_equal(d.items[1].alert.event_id, BW_EVENT_STALE_PROTECTION);
    assert_string_equal(d.items[1].memory_key, "stale-protection:AVP21.3");
    bw_due_alerts_free(&d);
    /* remembered: nothing again; a newer date after the cutoff is raised */
    memory seen = {{"update-after-cutoff:AVP21.3", "stale-protection:AVP21.3", NULL, NULL},
                   {newest, newest, 0, 0}};
    assert_int_equal(bw_alert_updates_due(&u, &counted, "WS-01", 7, memory_get, &seen, &d),
                     BW_OK);
    assert_int_equal(d.n, 0);
    st[0].newest = newest + 60;
    assert_int_equal(bw_alert_updates_due(&u, &counted, "WS-01", 7, memory_get, &seen, &d),
                     BW_OK);
    assert_int_equal(d.n, 2);
    bw_due_alerts_free(&d);
    /* every vendor service stopped: stale signatures protect no one */
    items[1].state = BW_STATE_STOPPED;
    assert_int_equal(bw_alert_updates_due(&u, &counted, "WS-01", 7, memory_get, &none, &d),
                     BW_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].alert.event_id, BW_EVENT_UPDATE_AFTER_CUTOFF);
    bw_due_alerts_free(&d);
    /* uninstalled (no registry key): no stale protection either */
    items[1].state = BW_STATE_RUNNING;
    items[0].kind = BW_KIND_DRIVER;
    assert_int_equal(bw_alert_updates_due(&u, &counted, "WS-01", 7, memory_get, &none, &d),
                     BW_OK);
    assert_int_equal(d.n, 1);
    bw_due_alerts_free(&d);
}

static void test_gaps_and_verdict_due(void **state)
{
    (void)state;
    bw_snapshot *s = bw_snapshot_new();
    bw_alert a;
    char *digest = (char *)"x";
    /* no gap: nothing due, nothing to remember */
    assert_int_equal(bw_alert_gaps_due(s, "WS-01", "old", &a, &digest), BW_ENOTFOUND);
    assert_null(digest);
    assert_int_equal(bw_snapshot_add_gap(s, "HKLM\\X", "access denied (5)"), BW_OK);
    assert_int_equal(bw_alert_gaps_due(s, "WS-01", NULL, &a, &digest), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_SCAN_INCOMPLETE);
    assert_string_equal(bw_alert_get(&a, "detail"),
                        "1 item(s) could not be read; HKLM\\X: access denied (5)");
    bw_alert_clear(&a);
    char *again = NULL;
    assert_int_equal(bw_alert_gaps_due(s, "WS-01", digest, &a, &again), BW_ENOTFOUND);
    assert_string_equal(again, digest);
    free(again);
    free(digest);
    bw_snapshot_free(s);

    bw_verdict v = {.present = BW_TIER_LIKELY,
                    .counts = true,
                    .containment = "none",
                    .headline = "h",
                    .next_step = "n"};
    assert_int_equal(bw_alert_verdict_due(&v, "WS-01", NULL, &a, &digest), BW_OK);
    assert_int_equal(a.event_id, BW_EVENT_HOST_VERDICT);
    assert_int_equal(a.severity, BW_SEVERITY_WARNING);
    assert_string_equal(bw_alert_get(&a, "present"), "likely");
    assert_string_equal(bw_alert_get(&a, "headline"), "h");
    bw_alert_clear(&a);
    assert_int_equal(bw_alert_verdict_due(&v, "WS-01", digest, &a, &again), BW_ENOTFOUND);
    free(again);
    /* a verdict that says something else is due again; nothing present is information */
    v.counts = false;
    v.present = BW_TIER_NONE;
    assert_int_equal(bw_alert_verdict_due(&v, "WS-01", digest, &a, &again), BW_OK);
    assert_int_equal(a.severity, BW_SEVERITY_INFORMATION);
    assert_string_equal(bw_alert_get(&a, "present"), "no");
    bw_alert_clear(&a);
    free(again);
    free(digest);
}

static void test_contain_alerts(void **state)
{
    (void)state;
    bw_contain_result r = {.outcome = BW_OUTCOME_BLOCKED,
                           .name = "AVP",
                           .display_name = "Kaspersky Endpoint Security Service",
                           .kind = "service",
                           .action = "disable",
                           .has_prior = true,
                           .prior_start = BW_START_AUTO,
                           .prior_state = BW_STATE_RUNNING,
                           .error = 5,
                           .detail = "protected"};
    bw_alert a;
    assert_int_equal(bw_alert_contain(&r, "WS-01", &a), BW_OK);
    assert_int_equal(a.event_id, 403);
    assert_int_equal(a.severity, BW_SEVERITY_WARNING);
    static const char *const names[] = {
        "host",        "service", "display_name", "kind",  "action", "prior_start_type",
        "prior_state", "result",  "error_code",   "detail"};
    static const char *const values[] = {
        "WS-01",    "AVP",     "Kaspersky Endpoint Security Service",
        "service",  "disable", "automatic",
        "running",  "blocked", "5",
        "protected"};
    assert_int_equal(a.n_fields, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(a.fields[i].name, names[i]);
        assert_string_equal(a.fields[i].value, values[i]);
    }
    bw_alert_clear(&a);
    /* every outcome has its event, 400 + outcome; no prior: null fields */
    r.has_prior = false;
    for (int o = 0; o < BW_CONTAIN_OUTCOMES; o++) {
        r.outcome = (bw_contain_outcome)o;
        assert_int_equal(bw_alert_contain(&r, NULL, &a), BW_OK);
        assert_int_equal(a.event_id, 400 + o);
        assert_true(bw_event_known(a.event_id));
        assert_null(bw_alert_get(&a, "prior_start_type"));
        assert_null(bw_alert_get(&a, "host"));
        assert_string_equal(bw_alert_get(&a, "result"),
                            bw_contain_outcome_name((bw_contain_outcome)o));
        bw_alert_clear(&a);
    }
    r.outcome = (bw_contain_outcome)BW_CONTAIN_OUTCOMES;
    assert_int_equal(bw_alert_contain(&r, "WS-01", &a), BW_EINVAL);
    r.outcome = BW_OUTCOME_FAILED;
    r.name = NULL;
    assert_int_equal(bw_alert_contain(&r, "WS-01", &a), BW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_and_severities),   cmocka_unit_test(test_update_alerts),
        cmocka_unit_test(test_change_activity),      cmocka_unit_test(test_change_to_event),
        cmocka_unit_test(test_insertion_strings),    cmocka_unit_test(test_message_text),
        cmocka_unit_test(test_json_shape_refused),   cmocka_unit_test(test_json_line_exact),
        cmocka_unit_test(test_from_changes),         cmocka_unit_test(test_lifecycle_and_errors),
        cmocka_unit_test(test_agent_started),        cmocka_unit_test(test_line_hash),
        cmocka_unit_test(test_db_unavailable_due),   cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_contain_alerts),       cmocka_unit_test(test_updates_due),
        cmocka_unit_test(test_gaps_and_verdict_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
