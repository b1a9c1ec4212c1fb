/* test_messages.c - every Event ID of bw_alert.h has a message in the table
 * linked into banwatch.exe, and FormatMessageW renders it with the alert's
 * insertion strings in order (run under Wine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_api.h"
#include "sink/bw_sink.h"
#include "../core/bw_alert.h"

/* Renders event `id` with the given insertion strings (UTF-8), as Event
 * Viewer does, and returns UTF-8 text or NULL if there is no message. */
static char *render(DWORD full_id, const char *const *strs, size_t n)
{
    DWORD_PTR args[BW_ALERT_MAX_FIELDS];
    uint16_t *w[BW_ALERT_MAX_FIELDS] = {0};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(bw_utf8_to_utf16(strs[i], &w[i], NULL), BW_OK);
        args[i] = (DWORD_PTR)w[i];
    }
    wchar_t *buf = NULL;
    DWORD len =
        FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                           FORMAT_MESSAGE_ARGUMENT_ARRAY,
                       GetModuleHandleW(NULL), full_id, 0x409, (LPWSTR)&buf, 0, (va_list *)args);
    for (size_t i = 0; i < n; i++)
        free(w[i]);
    if (len == 0)
        return NULL;
    char *out = NULL;
    assert_int_equal(bw_utf16_to_utf8((const uint16_t *)buf, len, &out), BW_OK);
    LocalFree(buf);
    return out;
}

/* An alert of each kind, built by the same code the agent uses. */
static void build(bw_event_id id, bw_alert *a)
{
    memset(a, 0, sizeof *a);
    if (id == BW_EVENT_AGENT_STARTED) {
        assert_int_equal(
            bw_alert_agent_started("WS-01", "0.1.0", BW_PREV_STOP_UNCLEAN, 1727582400, a), BW_OK);
    } else if (id == BW_EVENT_AGENT_STOPPED) {
        assert_int_equal(bw_alert_lifecycle(id, "WS-01", "0.1.0", "detail text", a), BW_OK);
    } else if (id == BW_EVENT_POLICY_LOADED) {
        bw_policy p = {.name = "kaspersky", .version = "2024.11.1", .mode = BW_MODE_AUDIT};
        assert_int_equal(bw_alert_policy_loaded("WS-01", &p, "loaded from built-in", "mode", a),
                         BW_OK);
    } else if (id == BW_EVENT_HEARTBEAT) {
        bw_heartbeat hb = {.host = "WS-01",
                           .policy_name = "kaspersky",
                           .policy_version = "1",
                           .last_scan = 1727582400,
                           .last_scan_complete = true,
                           .by_kind = {1, 2, 3, 4, 5, 6, 7}};
        bw_verdict v = {.present = BW_TIER_LIKELY,
                        .counts = true,
                        .updated_after_cutoff = BW_TRI_UNKNOWN,
                        .stale = BW_TRI_YES,
                        .containment = "none: no vendor service to contain"};
        hb.verdict = &v;
        assert_int_equal(bw_alert_heartbeat(&hb, a), BW_OK);
    } else if (id == BW_EVENT_UPDATE_AFTER_CUTOFF || id == BW_EVENT_STALE_PROTECTION) {
        bw_update_status st = {.product = "AVP21.3",
                               .has_date = true,
                               .newest = 1728964800,
                               .newest_kind = BW_EVIDENCE_BASES_INDEX,
                               .newest_source =
                                   "C:\\ProgramData\\Kaspersky Lab\\AVP21.3\\Bases\\u0607g.xml",
                               .cutoff = 1727582400,
                               .after_cutoff = true,
                               .age_days = 404};
        assert_int_equal(bw_alert_update(id, "WS-01", &st, "Kaspersky Anti-Virus", 7, a), BW_OK);
    } else if (id >= 400 && id <= 406) {
        bw_contain_result r = {.outcome = (bw_contain_outcome)(id - 400),
                               .name = "AVP",
                               .display_name = "Kaspersky Endpoint Security Service",
                               .kind = "service",
                               .action = "disable",
                               .has_prior = true,
                               .prior_start = 2,
                               .prior_state = 4,
                               .error = 5,
                               .detail = "Служба защищена: détail"};
        assert_int_equal(bw_alert_contain(&r, "WS-01", a), BW_OK);
        assert_int_equal(a->event_id, id);
    } else if (id == BW_EVENT_DATA_DIR_SECURED) {
        assert_int_equal(bw_alert_data_dir("WS-01", "C:\\ProgramData\\banwatch", "moved-aside",
                                           "it is owned by S-1-5-21-1-2-3-1001",
                                           "C:\\ProgramData\\banwatch.untrusted-1", a),
                         BW_OK);
    } else if (id == BW_EVENT_UNTRUSTED_DATA) {
        assert_int_equal(bw_alert_untrusted("WS-01", "C:\\ProgramData\\banwatch\\policy.yaml",
                                            "it has 2 names (hard links)",
                                            "the built-in policy is used", a),
                         BW_OK);
    } else if (id == BW_EVENT_WRITE_FAILED) {
        assert_int_equal(bw_alert_write_failed("WS-01", "C:\\ProgramData\\banwatch\\banwatch.log",
                                               "the disk is full (112)",
                                               "the service log is not written", a),
                         BW_OK);
    } else if (id >= 900) {
        assert_int_equal(bw_alert_error(id, "WS-01", "Ошибка: détail", a), BW_OK);
    } else if (id == BW_EVENT_HOST_VERDICT) {
        bw_verdict_product p = {.name = "Kaspersky Total Security", .version = "21.3.10.391"};
        bw_verdict v = {.present = BW_TIER_CONFIRMED,
                        .counts = true,
                        .products = &p,
                        .n_products = 1,
                        .updated_after_cutoff = BW_TRI_YES,
                        .has_update = true,
                        .newest_update = 1728964800,
                        .update_evidence = "bases-index",
                        .stale = BW_TRI_NO,
                        .ksn = BW_KSN_ACTIVE,
                        .containment = "audit: enforce would disable 2",
                        .headline = "Kaspersky: PRESENT (confirmed)",
                        .next_step = "Next: remove it (Kaspersky Security Center)."};
        char *digest = NULL;
        assert_int_equal(bw_alert_verdict_due(&v, "WS-01", NULL, a, &digest), BW_OK);
        free(digest);
    } else {
        bw_change c = {.id = 7,
                       .kind = BW_KIND_DRIVER,
                       .name = "klif",
                       .tier = BW_TIER_LIKELY,
                       .display_name = "Касперский klif",
                       .version = "12.3",
                       .path = "system32\\drivers\\klif.sys",
                       .source = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif",
                       .rule = "vendor.drivers[klif]"};
        c.change = id == BW_EVENT_FINDING_RESOLVED  ? BW_CHANGE_RESOLVED
                   : id == BW_EVENT_FINDING_CHANGED ? BW_CHANGE_CHANGED
                                                    : BW_CHANGE_NEW;
        c.kind = id >= 200 && id <= 206 ? (bw_kind)(id - 200) : BW_KIND_DRIVER;
        if (c.change == BW_CHANGE_CHANGED) {
            c.old_version = "12.2";
            c.old_tier = BW_TIER_CONFIRMED;
        }
        assert_int_equal(bw_alert_from_change(&c, "WS-01", a), BW_OK);
        assert_int_equal(a->event_id, id);
    }
}

static void test_every_event_renders(void **state)
{
    (void)state;
    for (size_t i = 0; i < bw_n_event_ids; i++) {
        bw_alert a;
        build(bw_event_ids[i], &a);
        const char *strs[BW_ALERT_MAX_FIELDS];
        size_t n = bw_alert_strings(&a, strs, BW_ALERT_MAX_FIELDS);
        char *text = render(bw_sink_eventlog_message_id(&a), strs, n);
        if (!text)
            fail_msg("event %d has no message (id 0x%08lx)", (int)a.event_id,
                     (unsigned long)bw_sink_eventlog_message_id(&a));
        /* every field appears as key=value with its own value */
        for (size_t f = 0; f < a.n_fields; f++) {
            char *kv = bw_strfmt("%s=%s", a.fields[f].name, strs[f]);
            if (!strstr(text, kv))
                fail_msg("event %d: missing '%s' in:\n%s", (int)a.event_id, kv, text);
            free(kv);
        }
        /* its first line is the message of the JSON-lines record (230: the
         * first two, headline and next step, joined by a space); each line
         * of the table ends with %n and a line break */
        bw_buf msg = {0}, first = {0};
        assert_int_equal(bw_alert_message(&a, &msg), BW_OK);
        size_t want = a.event_id == BW_EVENT_HOST_VERDICT ? 2 : 1;
        char *save = NULL;
        char *line = strtok_r(text, "\r\n", &save);
        for (size_t k = 0; k < want && line; k++) {
            bw_buf_printf(&first, "%s%s", k ? " " : "", line);
            line = strtok_r(NULL, "\r\n", &save);
        }
        if (!first.data || strcmp(first.data, msg.data) != 0)
            fail_msg("event %d: the message table says\n%s\nbw_alert_message says\n%s",
                     (int)a.event_id, first.data ? first.data : "", msg.data);
        bw_buf_free(&first);
        bw_buf_free(&msg);
        free(text);
        bw_alert_clear(&a);
    }
}

static void test_severity_bits(void **state)
{
    (void)state;
    bw_alert a;
    build(BW_EVENT_NEW_DRIVER, &a);
    assert_int_equal(bw_sink_eventlog_message_id(&a), 0x800000CAu);
    bw_alert_clear(&a);
    build(BW_EVENT_AGENT_STARTED, &a);
    assert_int_equal(bw_sink_eventlog_message_id(&a), 0x40000064u);
    bw_alert_clear(&a);
    build(BW_EVENT_POLICY_INVALID, &a);
    assert_int_equal(bw_sink_eventlog_message_id(&a), 0xC0000385u);
    bw_alert_clear(&a);
    /* an ID that is not in the table renders nothing */
    const char *one[] = {"x"};
    assert_null(render(0x40000309u, one, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_event_renders),
        cmocka_unit_test(test_severity_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
