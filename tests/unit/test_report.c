/* test_report.c - unit tests for the JSON and text reports (bw_report.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_report.h"

static void test_format_utc(void **state)
{
    (void)state;
    char b[21];
    bw_format_utc(0, b);
    assert_string_equal(b, "1970-01-01T00:00:00Z");
    bw_format_utc(1727582400, b); /* the ban's update cutoff */
    assert_string_equal(b, "2024-09-29T04:00:00Z");
    bw_format_utc(951782400, b); /* leap day 2000 */
    assert_string_equal(b, "2000-02-29T00:00:00Z");
    bw_format_utc(-1, b);
    assert_string_equal(b, "1969-12-31T23:59:59Z");
    bw_format_utc(INT64_C(253402300800), b); /* year 10000: clamped */
    assert_string_equal(b, "9999-12-31T23:59:59Z");
}

static void test_json_string(void **state)
{
    (void)state;
    bw_buf b = {0};
    bw_json_string(&b, "a\"b\\c\n\t\x01\x7f Касперский");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f Касперский\"");
    bw_buf_free(&b);
    bw_json_string(&b, NULL);
    assert_string_equal(b.data, "null");
    bw_buf_free(&b);
}

static void test_json_document(void **state)
{
    (void)state;
    bw_policy pol = {.name = "kaspersky", .version = "2024.11.1", .vendor = "Kaspersky"};
    bw_snapshot *s = bw_snapshot_new();
    s->host = bw_strdup("WS-01");
    s->taken_at = 1727582400;
    assert_int_equal(bw_snapshot_add_gap(s, "HKLM\\X", "access denied (%d)", 5), BW_OK);
    bw_findings f = {0};
    f.items = calloc(1, sizeof *f.items);
    f.n = f.cap = 1;
    bw_finding *x = &f.items[0];
    x->kind = BW_KIND_DRIVER;
    x->name = bw_strdup("klif");
    x->source = bw_strdup("HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif");
    x->rule = bw_strdup("vendor.drivers[klif]");
    x->has_service_info = true;
    x->service_type = BW_SVC_FS_DRIVER;
    x->start = BW_START_BOOT;
    x->state = BW_STATE_RUNNING;
    bw_strlist_add(&x->signals, "altitude:320400");

    bw_buf b = {0};
    assert_int_equal(bw_report_json(s, &pol, &f, NULL, NULL, &b), BW_OK);
    const char *expect[] = {
        "\"schema\": \"banwatch.scan/1\"",
        "\"host\": \"WS-01\"",
        "\"scan_time\": \"2024-09-29T04:00:00Z\"",
        "\"incomplete\": true",
        "{\"where\": \"HKLM\\\\X\", \"reason\": \"access denied (5)\"}",
        "\"summary\": {\"findings\": 1, \"product\": 0, \"service\": 0, \"driver\": 1,",
        "\"kind\": \"driver\"",
        "\"name\": \"klif\"",
        "\"display_name\": null",
        "\"source\": \"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\klif\"",
        "\"service_type\": \"file-system-driver\"",
        "\"start\": \"boot\"",
        "\"state\": \"running\"",
        "\"rule\": \"vendor.drivers[klif]\"",
        "\"signals\": [\"altitude:320400\"]",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        if (!strstr(b.data, expect[i]))
            fail_msg("missing %s in:\n%s", expect[i], b.data);
    }
    bw_buf_free(&b);

    assert_int_equal(bw_report_text(s, &pol, &f, NULL, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "[driver] klif"));
    assert_non_null(strstr(b.data, "Incomplete scan: 1 item could not be read"));
    bw_buf_free(&b);

    bw_findings_free(&f);
    bw_findings empty = {0};
    assert_int_equal(bw_report_json(s, &pol, &empty, NULL, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "\"findings\": []"));
    bw_buf_free(&b);
    bw_snapshot_free(s);
}

static void test_containment_section(void **state)
{
    (void)state;
    bw_policy pol = {.name = "kaspersky", .version = "1", .vendor = "Kaspersky"};
    bw_snapshot *s = bw_snapshot_new();
    s->host = bw_strdup("WS-01");
    bw_findings f = {0};
    bw_contain_target t[2] = {
        {.name = "AVP", .decision = BW_CONTAIN_ACT, .start = BW_START_AUTO, .has_start = true,
         .state = BW_STATE_RUNNING},
        {.name = "klif", .driver = true, .decision = BW_CONTAIN_SKIP_DRIVER,
         .start = BW_START_BOOT, .has_start = true, .state = BW_STATE_UNKNOWN}};
    bw_contain_plan plan = {.items = t, .n = 2, .n_act = 1, .other_av = false,
                            .other_av_text = "none: WinDefend is disabled (Start 4)",
                            .hold = true};
    bw_report_contain rc = {.plan = &plan, .mode = BW_MODE_AUDIT, .mode_source = "policy file"};
    bw_buf b = {0};
    assert_int_equal(bw_report_json(s, &pol, &f, NULL, &rc, &b), BW_OK);
    const char *want =
        "  \"containment\": {\"mode\": \"audit\", \"mode_source\": \"policy file\", "
        "\"other_antivirus\": false, \"other_antivirus_detail\": \"none: WinDefend is disabled "
        "(Start 4)\", \"would_hold\": true, \"targets\": [\n"
        "    {\"name\": \"AVP\", \"kind\": \"service\", \"decision\": \"act\", "
        "\"start_type\": \"automatic\", \"state\": \"running\"},\n"
        "    {\"name\": \"klif\", \"kind\": \"driver\", \"decision\": "
        "\"driver-not-included\", \"start_type\": \"boot\", \"state\": \"unknown\"}\n"
        "  ]},\n"
        "  \"findings\": [";
    if (!strstr(b.data, want))
        fail_msg("containment section missing or different:\n%s", b.data);
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &f, NULL, &rc, &b), BW_OK);
    assert_non_null(strstr(b.data, "Containment (audit mode, from policy file): enforce would "
                                   "stop and disable\n"
                                   "  target    AVP (automatic, running)\n"
                                   "  left      klif (boot, unknown): driver-not-included\n"
                                   "  another anti-virus: none: WinDefend is disabled (Start 4)\n"
                                   "  HOLD: "));
    bw_buf_free(&b);
    /* no plan: no section */
    assert_int_equal(bw_report_json(s, &pol, &f, NULL, NULL, &b), BW_OK);
    assert_null(strstr(b.data, "containment"));
    bw_buf_free(&b);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_containment_section),
        cmocka_unit_test(test_format_utc),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_json_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
