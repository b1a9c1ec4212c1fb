/* test_report.c - unit tests for the JSON and text reports (bw_report.c) and
 * the JSON writer and reader (bw_json.c, bw_json_read.c). */
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
    /* invalid UTF-8 never reaches the output: one U+FFFD per bad byte;
     * ESC and the JavaScript line separators are escaped */
    bw_json_string(&b, "a\xff\xc3"
                       "b\x1b[31m\xe2\x80\xa8\xed\xa0\x80");
    assert_string_equal(b.data, "\"a\\ufffd\\ufffdb\\u001b[31m\\u2028\\ufffd\\ufffd\\ufffd\"");
    bw_buf_free(&b);
    /* the C1 controls (U+009B is a one-character CSI) too; U+00A0 is text */
    bw_json_string(&b, "\xc2\x80\xc2\x9b"
                       "2J\xc2\x9f\xc2\xa0");
    assert_string_equal(b.data, "\"\\u0080\\u009b2J\\u009f\xc2\xa0\"");
    bw_buf_free(&b);
}

/* The writer places commas, line breaks and indentation; misuse fails. */
static void test_json_writer(void **state)
{
    (void)state;
    bw_buf b = {0};
    bw_json j;
    bw_json_init(&j, &b);
    bw_json_object(&j, NULL, BW_JSON_BLOCK);
    bw_json_str(&j, "a", "x");
    bw_json_object(&j, "in", BW_JSON_INLINE);
    bw_json_int(&j, "n", -3);
    bw_json_array(&j, "list", BW_JSON_BLOCK);
    bw_json_bool(&j, NULL, true);
    bw_json_null(&j, NULL);
    bw_json_end(&j);
    bw_json_end(&j);
    bw_json_array(&j, "empty", BW_JSON_BLOCK);
    bw_json_end(&j);
    bw_json_uint(&j, "u", 18446744073709551615u);
    bw_json_end(&j);
    assert_int_equal(bw_json_done(&j, true), BW_OK);
    assert_string_equal(b.data,
                        "{\n  \"a\": \"x\",\n  \"in\": {\"n\": -3, \"list\": [\n    true,\n"
                        "    null\n  ]},\n  \"empty\": [],\n  \"u\": 18446744073709551615\n}\n");
    bw_buf_free(&b);
    /* a container left open, a key in an array, closing too much */
    bw_json_init(&j, &b);
    bw_json_array(&j, NULL, BW_JSON_INLINE);
    assert_int_equal(bw_json_done(&j, false), BW_ENOMEM);
    bw_buf_free(&b);
    bw_json_init(&j, &b);
    bw_json_array(&j, NULL, BW_JSON_INLINE);
    bw_json_str(&j, "k", "v");
    bw_json_end(&j);
    assert_int_equal(bw_json_done(&j, false), BW_ENOMEM);
    bw_buf_free(&b);
    bw_json_init(&j, &b);
    bw_json_end(&j);
    assert_int_equal(bw_json_done(&j, false), BW_ENOMEM);
    bw_buf_free(&b);
    /* compact: no spaces, nested containers too */
    bw_json_init(&j, &b);
    bw_json_object(&j, NULL, BW_JSON_COMPACT);
    bw_json_str(&j, "k", "v");
    bw_json_array(&j, "a", BW_JSON_COMPACT);
    bw_json_int(&j, NULL, 1);
    bw_json_int(&j, NULL, 2);
    bw_json_end(&j);
    bw_json_end(&j);
    assert_int_equal(bw_json_done(&j, false), BW_OK);
    assert_string_equal(b.data, "{\"k\":\"v\",\"a\":[1,2]}");
    bw_buf_free(&b);
}

/* bw_json_read_flat reads back what bw_alert_fields_json writes, and refuses
 * anything else. */
static void refused(const char *text)
{
    bw_json_members m = {0};
    assert_int_equal(bw_json_read_flat(text, 8, &m), BW_EINVAL);
    assert_int_equal(m.n, 0);
    assert_null(m.items);
}

static void test_json_read_flat(void **state)
{
    (void)state;
    bw_json_members m = {0};
    /* what the writer makes, escapes decoded */
    assert_int_equal(bw_json_read_flat("{\"kind\":\"driver\",\"path\":null,"
                                       "\"source\":\"HKLM\\\\SYSTEM\\\\x\",\"q\":\"a\\\"b\\/\","
                                       "\"c\":\"\\b\\f\\n\\r\\t\\u001b\\u00e9\\ud83d\\ude00\","
                                       "\"u\":\"Касперский\",\"e\":\"\"}",
                                       8, &m),
                     BW_OK);
    assert_int_equal(m.n, 7);
    assert_string_equal(m.items[0].key, "kind");
    assert_string_equal(m.items[0].value, "driver");
    assert_string_equal(m.items[1].key, "path");
    assert_null(m.items[1].value);
    assert_string_equal(m.items[2].value, "HKLM\\SYSTEM\\x");
    assert_string_equal(m.items[3].value, "a\"b/");
    assert_string_equal(m.items[4].value, "\b\f\n\r\t\x1b\xc3\xa9\xf0\x9f\x98\x80");
    assert_string_equal(m.items[5].value, "Касперский");
    assert_string_equal(m.items[6].value, "");
    bw_json_members_free(&m);
    assert_null(m.items);
    bw_json_members_free(&m); /* twice is fine */
    /* white space, the empty object */
    assert_int_equal(bw_json_read_flat(" \r\n{ \"a\" :\t\"1\" ,\n\"b\": null }\n ", 8, &m),
                     BW_OK);
    assert_int_equal(m.n, 2);
    bw_json_members_free(&m);
    assert_int_equal(bw_json_read_flat("{}", 8, &m), BW_OK);
    assert_int_equal(m.n, 0);
    bw_json_members_free(&m);

    refused(NULL);
    refused("");
    refused("not json");
    refused("null");
    refused("[\"a\"]");
    refused("\"a\"");
    refused("{\"a\":\"b\""); /* unterminated */
    refused("{\"a\":\"b}");
    refused("{\"a\":\"b\",}"); /* trailing comma */
    refused("{,}");
    refused("{\"a\" \"b\"}");
    refused("{a:\"b\"}");
    refused("{\"a\":\"b\"}{\"c\":\"d\"}"); /* text after the object */
    refused("{\"a\":\"b\"},\"x\":1");
    refused("{\"a\":1}"); /* other value types */
    refused("{\"a\":true}");
    refused("{\"a\":nul}");
    refused("{\"a\":{\"b\":\"c\"}}"); /* nesting */
    refused("{\"a\":[\"b\"]}");
    refused("{\"a\":\"1\",\"a\":\"2\"}"); /* a repeated key */
    refused("{\"a\":\"x\ty\"}");          /* a raw control character */
    refused("{\"a\":\"\xff\"}");          /* invalid UTF-8 */
    refused("{\"a\":\"\\u0000\"}");
    refused("{\"a\":\"\\ud800\"}"); /* unpaired surrogates */
    refused("{\"a\":\"\\udc00\\ud800\"}");
    refused("{\"a\":\"\\ud800\\u0041\"}");
    refused("{\"a\":\"\\u12\"}");
    refused("{\"a\":\"\\x41\"}");
    refused("{\"a\":\"\\");
    /* at most max_members */
    assert_int_equal(bw_json_read_flat("{\"a\":null,\"b\":null}", 2, &m), BW_OK);
    bw_json_members_free(&m);
    assert_int_equal(bw_json_read_flat("{\"a\":null,\"b\":null,\"c\":null}", 2, &m), BW_EINVAL);
    assert_int_equal(m.n, 0);
}

/* A judgement of the findings f (taken over), as bw_judge would make it. */
static void judge_findings(const bw_snapshot *s, const bw_policy *pol, bw_findings *f,
                           bw_judgement *j)
{
    memset(j, 0, sizeof *j);
    j->findings = *f;
    memset(f, 0, sizeof *f);
    unsigned counted = bw_tiers_counted(pol->count_tiers);
    assert_int_equal(bw_findings_select(&j->findings, counted, &j->counted), BW_OK);
    assert_int_equal(
        bw_findings_select(&j->findings, BW_TIER_BIT(BW_TIER_POSSIBLE) & ~counted, &j->review),
        BW_OK);
    assert_int_equal(bw_verdict_make(s, pol, &j->findings, &j->updates, NULL, &j->verdict),
                     BW_OK);
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
    x->tier = BW_TIER_CONFIRMED;
    x->has_service_info = true;
    x->service_type = BW_SVC_FS_DRIVER;
    x->start = BW_START_BOOT;
    x->state = BW_STATE_RUNNING;
    bw_strlist_add(&x->signals, "altitude:320400");
    bw_judgement j;
    judge_findings(s, &pol, &f, &j);

    bw_buf b = {0};
    assert_int_equal(bw_report_json(s, &pol, &j, NULL, &b), BW_OK);
    const char *expect[] = {
        "\"schema\": \"banwatch.scan/2\"",
        "\"host\": \"WS-01\"",
        "\"scan_time\": \"2024-09-29T04:00:00Z\"",
        "\"verdict\": {\n    \"present\": \"confirmed\",\n    \"counts\": true,\n"
        "    \"counted_tiers\": [\"confirmed\", \"likely\"]",
        "\"headline\": \"Kaspersky: PRESENT (confirmed): 1 component, no installed product",
        "\"incomplete\": true",
        "{\"where\": \"HKLM\\\\X\", \"reason\": \"access denied (5)\", \"may_hide\": "
        "[\"product\", \"service\", \"driver\", \"ksn\", \"filter\", \"registry\", "
        "\"ksn-connection\"]}",
        "\"summary\": {\"findings\": 1, \"for_review\": 0, \"product\": 0, \"service\": 0, "
        "\"driver\": 1,",
        "\"kind\": \"driver\"",
        "\"name\": \"klif\"",
        "\"key\": \"klif\"",
        "\"tier\": \"confirmed\"",
        "\"counts\": true",
        "\"user_writable\": false",
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

    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    /* The answer first: what is here, then what to do. */
    const char *head = "Kaspersky: PRESENT (confirmed): 1 component, no installed product; "
                       "updated after the cutoff: unknown; stale protection: unknown; KSN: none\n"
                       "Next: leftovers without an installed product: remove them (the "
                       "vendor's removal tool); ";
    if (strncmp(b.data, head, strlen(head)) != 0)
        fail_msg("the text does not start with the verdict:\n%s", b.data);
    assert_non_null(strstr(b.data, "[driver] klif (confirmed)"));
    assert_non_null(strstr(b.data, "Incomplete scan: 1 item could not be read"));
    bw_buf_free(&b);

    /* an automatic start that is delayed has its own word, in both forms */
    /* (the JSON lists every finding, the text the counted ones: copies) */
    j.findings.items[0].start = j.counted.items[0].start = BW_START_AUTO;
    j.findings.items[0].delayed_auto = j.counted.items[0].delayed_auto = true;
    assert_int_equal(bw_report_json(s, &pol, &j, NULL, &b), BW_OK);
    if (!strstr(b.data, "\"start\": \"delayed-automatic\""))
        fail_msg("no delayed-automatic start in:\n%s", b.data);
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "delayed-automatic"));
    bw_buf_free(&b);
    bw_judgement_free(&j);

    bw_findings empty = {0};
    judge_findings(s, &pol, &empty, &j);
    assert_int_equal(bw_report_json(s, &pol, &j, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "\"findings\": []"));
    assert_non_null(strstr(b.data, "\"present\": \"no\""));
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    const char *clean = "Kaspersky: not found; the scan was INCOMPLETE\n"
                        "Next: parts of the machine could not be read (see 'Incomplete scan'): "
                        "fix access and scan again.\n";
    if (strncmp(b.data, clean, strlen(clean)) != 0)
        fail_msg("the text does not start with the verdict:\n%s", b.data);
    bw_buf_free(&b);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
}

/* Values from the machine cannot drive the terminal or start a line of their
 * own in the text report: control characters and invalid UTF-8 are \xHH. */
static void test_text_hostile_values(void **state)
{
    (void)state;
    bw_policy pol = {.name = "kaspersky", .version = "1", .vendor = "Kaspersky"};
    bw_snapshot *s = bw_snapshot_new();
    s->host = bw_strdup("WS\x1b]0;owned\x07");
    assert_int_equal(
        bw_snapshot_add_gap(s, "HKLM\\X\r\nNo Kaspersky software found.", "%s", "denied\xc2\x9b"),
        BW_OK);
    bw_findings f = {0};
    f.items = calloc(1, sizeof *f.items);
    f.n = f.cap = 1;
    bw_finding *x = &f.items[0];
    x->kind = BW_KIND_DRIVER;
    x->name = bw_strdup("klif\x1b[2J");
    x->display_name = bw_strdup("Kaspersky\nNo Kaspersky software found.");
    x->path = bw_strdup("C:\\x\xff\tq");
    x->source = bw_strdup("HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif");
    x->rule = bw_strdup("vendor.drivers[klif]");
    x->tier = BW_TIER_CONFIRMED;
    bw_strlist_add(&x->signals, "image:\x1b[31m");
    bw_judgement j;
    judge_findings(s, &pol, &f, &j);
    bw_buf b = {0};
    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0xff)
            fail_msg("raw byte 0x%02x at %zu in:\n%s", c, i, b.data);
    }
    const char *expect[] = {
        "banwatch scan of WS\\x1b]0;owned\\x07 at",
        "[driver] klif\\x1b[2J (confirmed)",
        "display name  Kaspersky\\x0aNo Kaspersky software found.\n",
        "path          C:\\x\\xff\\x09q\n",
        "why          image:\\x1b[31m\n",
        "  HKLM\\X\\x0d\\x0aNo Kaspersky software found.: denied\\xc2\\x9b\n",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!strstr(b.data, expect[i]))
            fail_msg("missing %s in:\n%s", expect[i], b.data);
    /* the only line that says so is not there */
    assert_null(strstr(b.data, "\nNo Kaspersky software found."));
    bw_buf_free(&b);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
}

/* Where the policy came from: in the policy object and under the first
 * line; absent when the caller does not say (the plain functions). */
static void test_policy_source(void **state)
{
    (void)state;
    bw_policy pol = {.name = "kaspersky", .version = "1", .vendor = "Kaspersky"};
    bw_snapshot *s = bw_snapshot_new();
    s->host = bw_strdup("WS-01");
    bw_findings f = {0};
    bw_judgement j;
    judge_findings(s, &pol, &f, &j);
    bw_report_source src = {.mode_source = "Group Policy value X",
                            .origin = "C:\\ProgramData\\banwatch\\policy.yaml",
                            .from_group_policy = "mode,service.scan_interval"};
    bw_buf b = {0};
    assert_int_equal(bw_report_json_src(s, &pol, &j, &src, &b), BW_OK);
    if (!strstr(b.data, "\"cutoff\": \"1970-01-01T00:00:00Z\",\n"
                        "    \"origin\": \"C:\\\\ProgramData\\\\banwatch\\\\policy.yaml\",\n"
                        "    \"from_group_policy\": \"mode,service.scan_interval\"\n  },"))
        fail_msg("policy object:\n%s", b.data);
    bw_buf_free(&b);
    assert_int_equal(bw_report_text_src(s, &pol, &j, &src, &b), BW_OK);
    if (!strstr(b.data,
                "(policy kaspersky 1)\nPolicy from C:\\ProgramData\\banwatch\\policy.yaml; "
                "settings from Group Policy: mode,service.scan_interval\n"))
        fail_msg("text:\n%s", b.data);
    bw_buf_free(&b);
    /* nothing from Group Policy: "-" */
    src.from_group_policy = NULL;
    assert_int_equal(bw_report_json_src(s, &pol, &j, &src, &b), BW_OK);
    assert_non_null(strstr(b.data, "\"from_group_policy\": \"-\""));
    bw_buf_free(&b);
    /* the plain functions say nothing of it */
    assert_int_equal(bw_report_json(s, &pol, &j, NULL, &b), BW_OK);
    assert_null(strstr(b.data, "\"origin\""));
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    assert_null(strstr(b.data, "Policy from"));
    bw_buf_free(&b);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
}

static void test_containment_section(void **state)
{
    (void)state;
    bw_policy pol = {.name = "kaspersky", .version = "1", .vendor = "Kaspersky"};
    bw_snapshot *s = bw_snapshot_new();
    s->host = bw_strdup("WS-01");
    bw_findings f = {0};
    bw_judgement j;
    judge_findings(s, &pol, &f, &j);
    bw_contain_target t[3] = {{.name = "AVP",
                               .decision = BW_CONTAIN_ACT,
                               .start = BW_START_AUTO,
                               .has_start = true,
                               .state = BW_STATE_RUNNING},
                              {.name = "klif",
                               .driver = true,
                               .decision = BW_CONTAIN_SKIP_DRIVER,
                               .start = BW_START_BOOT,
                               .has_start = true,
                               .state = BW_STATE_UNKNOWN},
                              {.name = "klnagent",
                               .non_protecting = true,
                               .decision = BW_CONTAIN_ACT,
                               .start = BW_START_AUTO,
                               .has_start = true,
                               .state = BW_STATE_RUNNING}};
    bw_contain_plan plan = {.items = t,
                            .n = 3,
                            .n_act = 2,
                            .n_protect = 1,
                            .other_av = false,
                            .other_av_text = "none: WinDefend is disabled (Start 4)",
                            .hold = true};
    j.plan = plan;
    j.mode = BW_MODE_AUDIT;
    bw_buf b = {0};
    assert_int_equal(bw_report_json(s, &pol, &j, "policy file", &b), BW_OK);
    const char *want =
        "  \"containment\": {\"mode\": \"audit\", \"mode_source\": \"policy file\", "
        "\"other_antivirus\": false, \"other_antivirus_detail\": \"none: WinDefend is disabled "
        "(Start 4)\", \"would_hold\": true, \"targets\": [\n"
        "    {\"name\": \"AVP\", \"kind\": \"service\", \"decision\": \"act\", "
        "\"protecting\": true, \"start_type\": \"automatic\", \"state\": \"running\"},\n"
        "    {\"name\": \"klif\", \"kind\": \"driver\", \"decision\": "
        "\"driver-not-included\", \"protecting\": true, \"start_type\": \"boot\", "
        "\"state\": \"unknown\"},\n"
        "    {\"name\": \"klnagent\", \"kind\": \"service\", \"decision\": \"act\", "
        "\"protecting\": false, \"start_type\": \"automatic\", \"state\": \"running\"}\n"
        "  ]},\n"
        "  \"findings\": [";
    if (!strstr(b.data, want))
        fail_msg("containment section missing or different:\n%s", b.data);
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &j, "policy file", &b), BW_OK);
    assert_non_null(strstr(b.data, "Containment (audit mode, from policy file): enforce would "
                                   "stop and disable\n"
                                   "  target    AVP (automatic, running)\n"
                                   "  left      klif (boot, unknown): driver-not-included\n"
                                   "  target    klnagent (automatic, running) protects nothing: "
                                   "never held\n"
                                   "  another anti-virus: none: WinDefend is disabled (Start 4)\n"
                                   "  HOLD: enforcement changes none of the services that "
                                   "protect the machine while no other anti-virus would remain "
                                   "(containment.allow_unprotected); those that protect nothing "
                                   "(containment.non_protecting) are contained\n"));
    bw_buf_free(&b);
    memset(&j.plan, 0, sizeof j.plan); /* the plan's items are the test's */
    /* no target: an empty plan */
    assert_int_equal(bw_report_json(s, &pol, &j, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "\"targets\": []"));
    bw_buf_free(&b);
    assert_int_equal(bw_report_text(s, &pol, &j, NULL, &b), BW_OK);
    assert_null(strstr(b.data, "Containment ("));
    bw_buf_free(&b);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_hostile_values), cmocka_unit_test(test_containment_section),
        cmocka_unit_test(test_policy_source),       cmocka_unit_test(test_format_utc),
        cmocka_unit_test(test_json_string),         cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_json_read_flat),      cmocka_unit_test(test_json_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
