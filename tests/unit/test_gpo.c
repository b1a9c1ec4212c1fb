/*
 * test_gpo.c - unit tests of the Group Policy settings (service/core/bw_gpo.c)
 * and of bw_policy_set, which checks each value as the policy loader does.
 *
 * Valid values of every setting, where each setting in force comes from,
 * and hostile values: the wrong registry type, out of range, huge strings,
 * impossible dates, bad tier lists, paths that are relative, on a share, or
 * climb out of a folder. An invalid value is never applied and names its
 * registry value; the others still apply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_gpo.h"
#include "bw_policy.h"
#include "bw_str.h"
#include "bw_tier.h"

#define K "HKLM\\SOFTWARE\\Policies\\banwatch\\"

/* 2024-09-29T04:00:00Z */
#define DEFAULT_CUTOFF INT64_C(1727582400)

static const char FILE_POLICY[] = "policy: t\nversion: \"1\"\nmode: enforce\nvendor:\n  name: V\n"
                                  "service:\n  scan_interval: 900\n";

static bw_policy *load(const char *yaml)
{
    char err[256];
    bw_policy *p = NULL;
    assert_int_equal(bw_policy_parse(yaml, strlen(yaml), "t.yaml", &p, err, sizeof err), BW_OK);
    return p;
}

static bw_policy *load_min(void)
{
    return load("policy: t\nversion: \"1\"\nvendor:\n  name: V\n");
}

static void set_dw(bw_gp_values *v, bw_gp_id i, uint32_t n)
{
    v->v[i].kind = BW_GP_DWORD;
    v->v[i].number = n;
}

static void set_sz(bw_gp_values *v, bw_gp_id i, const char *s)
{
    free(v->v[i].text);
    v->v[i].kind = BW_GP_SZ;
    v->v[i].text = bw_strdup(s);
    assert_non_null(v->v[i].text);
}

static void set_other(bw_gp_values *v, bw_gp_id i, bw_gp_kind kind, const char *why)
{
    v->v[i].kind = kind;
    v->v[i].why = bw_strdup(why);
}

static bool has_error(const bw_gp_applied *a, const char *want)
{
    for (size_t i = 0; i < a->errors.n; i++)
        if (strcmp(a->errors.items[i], want) == 0)
            return true;
    return false;
}

static void expect_error(const bw_gp_applied *a, const char *want)
{
    if (has_error(a, want))
        return;
    for (size_t i = 0; i < a->errors.n; i++)
        print_error("error %u: %s\n", (unsigned)i, a->errors.items[i]);
    fail_msg("no error \"%s\"", want);
}

/* Applies v to a fresh minimal policy: *p and *a for the caller to free. */
static void apply(bw_gp_values *v, bw_policy **p, bw_gp_applied *a)
{
    *p = load_min();
    assert_int_equal(bw_gp_apply(v, *p, false, a), BW_OK);
}

static void expect_from(const bw_gp_applied *a, const char *want)
{
    char *s = bw_gp_from_list(a);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

/* ---- the table ---------------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < BW_GP_COUNT; i++) {
        assert_non_null(bw_gp_settings[i].value);
        assert_non_null(bw_gp_settings[i].setting);
        for (size_t j = 0; j < i; j++) {
            assert_true(strcmp(bw_gp_settings[i].value, bw_gp_settings[j].value) != 0);
            assert_true(strcmp(bw_gp_settings[i].setting, bw_gp_settings[j].setting) != 0);
        }
    }
    assert_string_equal(bw_gp_settings[BW_GP_CONTAINMENT_MODE].value, "ContainmentMode");
    assert_int_equal(bw_gp_settings[BW_GP_SCAN_INTERVAL].type, BW_GP_REG_DWORD);
    assert_int_equal(bw_gp_settings[BW_GP_POLICY_FILE].type, BW_GP_REG_SZ);
    assert_false(bw_gp_settings[BW_GP_JSONL].policy_key);
    assert_string_equal(bw_origin_name(BW_ORIGIN_GP), "group-policy");
    assert_string_equal(bw_origin_name(BW_ORIGIN_FILE), "policy-file");
    assert_string_equal(bw_origin_name(BW_ORIGIN_DEFAULT), "built-in");
}

/* ---- nothing set ------------------------------------------------------------------ */

static void test_nothing_set(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    bw_gp_applied a;
    bw_policy *p = load(FILE_POLICY);
    assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
    assert_int_equal(p->mode, BW_MODE_ENFORCE);
    assert_int_equal(p->scan_interval, 900);
    assert_int_equal(p->heartbeat_interval, 3600);
    assert_int_equal(a.errors.n, 0);
    assert_true(a.jsonl);
    assert_null(a.jsonl_path);
    assert_null(a.policy_file);
    assert_string_equal(a.mode_source, "policy (mode: enforce)");
    /* given in the file: policy-file; left to the default: built-in */
    assert_int_equal(a.origin[BW_GP_CONTAINMENT_MODE], BW_ORIGIN_FILE);
    assert_int_equal(a.origin[BW_GP_SCAN_INTERVAL], BW_ORIGIN_FILE);
    assert_int_equal(a.origin[BW_GP_HEARTBEAT_INTERVAL], BW_ORIGIN_DEFAULT);
    assert_int_equal(a.origin[BW_GP_CUTOFF], BW_ORIGIN_DEFAULT);
    assert_int_equal(a.origin[BW_GP_JSONL], BW_ORIGIN_DEFAULT);
    expect_from(&a, "-");
    bw_gp_applied_free(&a);

    /* the built-in policy: its keys are built-in, not a file's */
    assert_int_equal(bw_gp_apply(&v, p, false, &a), BW_OK);
    assert_int_equal(a.origin[BW_GP_SCAN_INTERVAL], BW_ORIGIN_DEFAULT);
    bw_gp_applied_free(&a);

    /* no policy: only the outputs are decided */
    assert_int_equal(bw_gp_apply(&v, NULL, false, &a), BW_OK);
    assert_true(a.jsonl);
    bw_gp_applied_free(&a);
    bw_policy_free(p);
}

/* ---- every setting, valid -------------------------------------------------------- */

static void test_every_setting(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    bw_gp_applied a;
    bw_policy *p;
    set_sz(&v, BW_GP_CONTAINMENT_MODE, "Enforce");
    set_dw(&v, BW_GP_SCAN_INTERVAL, 600);
    set_dw(&v, BW_GP_HEARTBEAT_INTERVAL, 60);
    set_sz(&v, BW_GP_CUTOFF, "2024-10-01");
    set_dw(&v, BW_GP_STALE_AFTER_DAYS, 14);
    set_sz(&v, BW_GP_COUNT_TIERS, "confirmed");
    set_sz(&v, BW_GP_POLICY_FILE, "C:\\Policies\\banwatch\\fleet.yaml");
    set_dw(&v, BW_GP_JSONL, 0);
    set_sz(&v, BW_GP_JSONL_PATH, "D:\\Logs\\banwatch\\events.jsonl");
    apply(&v, &p, &a);
    assert_int_equal(a.errors.n, 0);
    assert_int_equal(p->mode, BW_MODE_ENFORCE);
    assert_int_equal(p->scan_interval, 600);
    assert_int_equal(p->heartbeat_interval, 60);
    assert_int_equal(p->cutoff, INT64_C(1727740800)); /* 2024-10-01T00:00:00Z */
    assert_int_equal(p->stale_after_days, 14);
    assert_int_equal(p->count_tiers, BW_TIER_BIT(BW_TIER_CONFIRMED));
    assert_string_equal(a.policy_file, "C:\\Policies\\banwatch\\fleet.yaml");
    assert_false(a.jsonl);
    assert_string_equal(a.jsonl_path, "D:\\Logs\\banwatch\\events.jsonl");
    assert_string_equal(a.mode_source, "Group Policy value " K "ContainmentMode");
    for (size_t i = 0; i < BW_GP_COUNT; i++)
        assert_int_equal(a.origin[i], BW_ORIGIN_GP);
    expect_from(&a, "mode,service.scan_interval,service.heartbeat_interval,cutoff,"
                    "updates.stale_after_days,detection.count_tiers,policy_file,events_jsonl,"
                    "events_jsonl_path");

    bw_buf b = {0};
    assert_int_equal(bw_gp_settings_text(p, &a, &b), BW_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, "mode=enforce (group-policy)\n"
                                "service.scan_interval=600 (group-policy)\n"
                                "service.heartbeat_interval=60 (group-policy)\n"
                                "cutoff=2024-10-01T00:00:00Z (group-policy)\n"
                                "updates.stale_after_days=14 (group-policy)\n"
                                "detection.count_tiers=confirmed (group-policy)\n"
                                "policy_file=C:\\Policies\\banwatch\\fleet.yaml (group-policy)\n"
                                "events_jsonl=off (group-policy)\n"
                                "events_jsonl_path=D:\\Logs\\banwatch\\events.jsonl "
                                "(group-policy)\n");
    bw_buf_free(&b);
    bw_gp_applied_free(&a);
    bw_policy_free(p);

    /* other valid forms: audit over a file's enforce, a timestamp with an
     * offset, three tiers with spaces, the bounds of the ranges */
    set_sz(&v, BW_GP_CONTAINMENT_MODE, "audit");
    set_sz(&v, BW_GP_CUTOFF, "2024-09-29T00:00:00-04:00");
    set_sz(&v, BW_GP_COUNT_TIERS, " likely , confirmed,possible ");
    set_dw(&v, BW_GP_SCAN_INTERVAL, 604800);
    set_dw(&v, BW_GP_HEARTBEAT_INTERVAL, 1);
    set_dw(&v, BW_GP_STALE_AFTER_DAYS, 3650);
    set_dw(&v, BW_GP_JSONL, 1);
    p = load(FILE_POLICY);
    assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
    assert_int_equal(a.errors.n, 0);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    assert_int_equal(p->cutoff, DEFAULT_CUTOFF);
    assert_int_equal(p->count_tiers, BW_TIER_BIT(BW_TIER_CONFIRMED) |
                                         BW_TIER_BIT(BW_TIER_LIKELY) |
                                         BW_TIER_BIT(BW_TIER_POSSIBLE));
    assert_int_equal(p->scan_interval, 604800);
    assert_int_equal(p->heartbeat_interval, 1);
    assert_int_equal(p->stale_after_days, 3650);
    assert_true(a.jsonl);
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(&v);
}

/* ---- hostile values -------------------------------------------------------------- */

/* One value set to something invalid: it is not applied (the policy keeps
 * `keep`), and the error is exactly `want`. */
static void expect_rejected(bw_gp_values *v, const char *want)
{
    bw_gp_applied a;
    bw_policy *p;
    apply(v, &p, &a);
    assert_int_equal(a.errors.n, 1);
    expect_error(&a, want);
    /* nothing of the minimal policy changed */
    assert_int_equal(p->scan_interval, 3600);
    assert_int_equal(p->heartbeat_interval, 3600);
    assert_int_equal(p->stale_after_days, 7);
    assert_int_equal(p->cutoff, DEFAULT_CUTOFF);
    assert_int_equal(p->count_tiers, BW_TIERS_DEFAULT);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    assert_null(a.policy_file);
    assert_null(a.jsonl_path);
    assert_true(a.jsonl);
    expect_from(&a, strstr(want, "ContainmentMode") ? "mode" : "-");
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(v);
}

static void test_out_of_range(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    set_dw(&v, BW_GP_SCAN_INTERVAL, 0);
    expect_rejected(&v, K "ScanInterval: service.scan_interval: value 0 is out of range "
                          "1..604800");
    set_dw(&v, BW_GP_SCAN_INTERVAL, 604801);
    expect_rejected(&v, K "ScanInterval: service.scan_interval: value 604801 is out of range "
                          "1..604800");
    set_dw(&v, BW_GP_HEARTBEAT_INTERVAL, 0xFFFFFFFFu);
    expect_rejected(&v, K "HeartbeatInterval: service.heartbeat_interval: value 4294967295 is "
                          "out of range 1..604800");
    set_dw(&v, BW_GP_STALE_AFTER_DAYS, 3651);
    expect_rejected(&v, K "StaleAfterDays: updates.stale_after_days: value 3651 is out of range "
                          "1..3650");
    set_dw(&v, BW_GP_JSONL, 2);
    expect_rejected(&v, K "JsonLines: expected 0 (off) or 1 (on), got 2");
}

static void test_wrong_type(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    set_sz(&v, BW_GP_SCAN_INTERVAL, "600");
    expect_rejected(&v, K "ScanInterval: expected a REG_DWORD value, got REG_SZ");
    set_dw(&v, BW_GP_CUTOFF, 20241001);
    expect_rejected(&v, K "Cutoff: expected a REG_SZ value, got REG_DWORD 20241001");
    set_other(&v, BW_GP_STALE_AFTER_DAYS, BW_GP_OTHER_TYPE, "REG_QWORD");
    expect_rejected(&v, K "StaleAfterDays: expected a REG_DWORD value, got REG_QWORD");
    set_other(&v, BW_GP_JSONL_PATH, BW_GP_OTHER_TYPE, "REG_MULTI_SZ");
    expect_rejected(&v, K "JsonLinesPath: expected a REG_SZ value, got REG_MULTI_SZ");
    set_other(&v, BW_GP_COUNT_TIERS, BW_GP_UNREADABLE, "access denied (5)");
    expect_rejected(&v, K "CountTiers: cannot be read: access denied (5)");
    /* a mode of the wrong type gives audit, whatever the file says */
    set_dw(&v, BW_GP_CONTAINMENT_MODE, 1);
    bw_gp_applied a;
    bw_policy *p = load(FILE_POLICY);
    assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    expect_error(&a, K "ContainmentMode: expected a REG_SZ value, got REG_DWORD 1");
    assert_non_null(strstr(a.mode_source, "invalid"));
    assert_int_equal(a.origin[BW_GP_CONTAINMENT_MODE], BW_ORIGIN_GP);
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(&v);
}

static void test_bad_mode(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    const char *bad[] = {"bogus", "", "enforce ", "en\xc3\xa7orce"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_sz(&v, BW_GP_CONTAINMENT_MODE, bad[i]);
        bw_gp_applied a;
        bw_policy *p = load(FILE_POLICY);
        assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
        assert_int_equal(p->mode, BW_MODE_AUDIT); /* never enforce on a broken value */
        assert_int_equal(a.errors.n, 1);
        if (!strstr(a.errors.items[0], K "ContainmentMode: mode: "))
            fail_msg("error: %s", a.errors.items[0]);
        assert_non_null(strstr(a.mode_source, "invalid"));
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
        assert_non_null(strstr(a.mode_source, quoted));
        bw_gp_applied_free(&a);
        bw_policy_free(p);
    }
    set_sz(&v, BW_GP_CONTAINMENT_MODE, "bogus");
    expect_rejected(&v, K "ContainmentMode: mode: expected \"audit\" or \"enforce\", got "
                          "\"bogus\"");
}

static void test_bad_dates(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"2023-02-29", "invalid timestamp \"2023-02-29T00:00:00Z\": the day is out of range"},
        {"2024-13-01", "invalid timestamp \"2024-13-01T00:00:00Z\": the month is out of range"},
        {"1969-12-31", "invalid timestamp \"1969-12-31T00:00:00Z\": the year is before 1970"},
        {"yesterday", "invalid timestamp \"yesterday\": expected YYYY-MM-DDTHH:MM:SS followed "
                      "by Z or an offset"},
        {"2024-09-29 04:00:00Z", "invalid timestamp \"2024-09-29 04:00:00Z\": expected "
                                 "YYYY-MM-DDTHH:MM:SS followed by Z or an offset"},
        {"2024-09-29T04:00:00", "invalid timestamp \"2024-09-29T04:00:00\": expected "
                                "YYYY-MM-DDTHH:MM:SS followed by Z or an offset"},
        {"2024-09-29T04:00:00+0400", "invalid timestamp \"2024-09-29T04:00:00+0400\": expected "
                                     "Z or an offset like +03:00 after the time"},
        {"2024-9-29", "invalid timestamp \"2024-9-29\": expected YYYY-MM-DDTHH:MM:SS followed "
                      "by Z or an offset"},
        {"", "empty string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bw_gp_values v = {0};
        char want[512];
        set_sz(&v, BW_GP_CUTOFF, cases[i].text);
        snprintf(want, sizeof want, K "Cutoff: cutoff: %s", cases[i].want);
        bw_gp_applied a;
        bw_policy *p;
        apply(&v, &p, &a);
        assert_int_equal(p->cutoff, DEFAULT_CUTOFF);
        assert_int_equal(a.errors.n, 1);
        if (strncmp(a.errors.items[0], want, strlen(want)) != 0)
            fail_msg("got  %s\nwant %s", a.errors.items[0], want);
        bw_gp_applied_free(&a);
        bw_policy_free(p);
        bw_gp_values_free(&v);
    }
}

static void test_bad_tiers(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    set_sz(&v, BW_GP_COUNT_TIERS, "likely");
    expect_rejected(&v, K "CountTiers: detection.count_tiers: must include confirmed (a "
                          "confirmed finding always counts)");
    set_sz(&v, BW_GP_COUNT_TIERS, "confirmed,confirmed");
    expect_rejected(&v, K "CountTiers: detection.count_tiers[1]: \"confirmed\" is listed twice");
    set_sz(&v, BW_GP_COUNT_TIERS, "CONFIRMED");
    expect_rejected(&v, K "CountTiers: detection.count_tiers[0]: expected confirmed, likely or "
                          "possible, got \"CONFIRMED\"");
    set_sz(&v, BW_GP_COUNT_TIERS, "confirmed,,likely");
    expect_rejected(&v, K "CountTiers: detection.count_tiers: expected tiers separated by commas "
                          "(e.g. \"confirmed,likely\"), got an empty item");
    set_sz(&v, BW_GP_COUNT_TIERS, "");
    expect_rejected(&v, K "CountTiers: detection.count_tiers: expected tiers separated by commas "
                          "(e.g. \"confirmed,likely\"), got an empty item");
    set_sz(&v, BW_GP_COUNT_TIERS,
           "confirmed,likely,possible,confirmed,likely,possible,"
           "confirmed,likely,possible");
    expect_rejected(&v, K "CountTiers: detection.count_tiers: too many tiers");
}

static void test_huge_strings(void **state)
{
    (void)state;
    char *huge = malloc(70000);
    assert_non_null(huge);
    memset(huge, 'a', 69999);
    huge[69999] = '\0';
    bw_gp_id ids[] = {BW_GP_CONTAINMENT_MODE, BW_GP_CUTOFF, BW_GP_COUNT_TIERS, BW_GP_POLICY_FILE,
                      BW_GP_JSONL_PATH};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        bw_gp_values v = {0};
        set_sz(&v, ids[i], huge);
        bw_gp_applied a;
        bw_policy *p;
        apply(&v, &p, &a);
        char want[160];
        snprintf(want, sizeof want, K "%s: longer than 1024 bytes (69999)",
                 bw_gp_settings[ids[i]].value);
        expect_error(&a, want);
        assert_int_equal(p->mode, BW_MODE_AUDIT);
        assert_null(a.policy_file);
        assert_null(a.jsonl_path);
        bw_gp_applied_free(&a);
        bw_policy_free(p);
        bw_gp_values_free(&v);
    }
    /* just within the bound: a long but valid path */
    bw_gp_values v = {0};
    memcpy(huge, "C:\\", 3);
    for (size_t i = 3; i < 1024; i++)
        huge[i] = i % 100 == 0 ? '\\' : 'x';
    huge[1024] = '\0';
    set_sz(&v, BW_GP_POLICY_FILE, huge);
    bw_gp_applied a;
    bw_policy *p;
    apply(&v, &p, &a);
    assert_int_equal(a.errors.n, 0);
    assert_string_equal(a.policy_file, huge);
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(&v);
    free(huge);
}

static void test_bad_paths(void **state)
{
    (void)state;
    static const struct {
        const char *path, *why;
    } cases[] = {
        {"policy.yaml", "expected an absolute local path (e.g. C:\\...), not a relative, "
                        "network or device path"},
        {"\\\\server\\share\\p.yaml", "expected an absolute local path (e.g. C:\\...), not a "
                                      "relative, network or device path"},
        {"\\\\?\\C:\\p.yaml", "expected an absolute local path (e.g. C:\\...), not a relative, "
                              "network or device path"},
        {"C:p.yaml", "expected an absolute local path (e.g. C:\\...), not a relative, network "
                     "or device path"},
        {"%ProgramData%\\corp\\p.yaml",
         "environment variables (%...%) are not expanded: give the full path"},
        {"C:/corp/p.yaml", "use backslashes (\\), not /"},
        {"C:\\corp\\..\\Users\\p.yaml", "\".\" and \"..\" are not allowed"},
        {"C:\\corp\\.\\p.yaml", "\".\" and \"..\" are not allowed"},
        {"C:\\corp\\\\p.yaml", "an empty folder name (\\\\)"},
        {"C:\\corp\\", "expected the path of a file, not a folder"},
        {"C:\\", "expected the path of a file, not a folder"},
        {"C:\\corp\\*.yaml", "wildcards and the characters \" < > | : are not allowed after the "
                             "drive"},
        {"C:\\corp\\p.yaml:stream", "wildcards and the characters \" < > | : are not allowed "
                                    "after the drive"},
        {"C:\\corp\\p.yaml ", "a name ending in a space or a dot"},
        {"C:\\corp\\p\n.yaml", "a control character in the path"},
        {"", "empty path"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int which = 0; which < 2; which++) {
            if (which && !cases[i].path[0])
                continue; /* an empty JsonLinesPath is the default (below) */
            bw_gp_values v = {0};
            bw_gp_id id = which ? BW_GP_JSONL_PATH : BW_GP_POLICY_FILE;
            set_sz(&v, id, cases[i].path);
            char want[512];
            snprintf(want, sizeof want, K "%s: %s", bw_gp_settings[id].value, cases[i].why);
            expect_rejected(&v, want);
        }
    }
    /* an empty JsonLinesPath (an empty box in the editor): the default file */
    bw_gp_values v = {0};
    set_sz(&v, BW_GP_JSONL_PATH, "");
    bw_gp_applied a;
    assert_int_equal(bw_gp_apply(&v, NULL, false, &a), BW_OK);
    assert_int_equal(a.errors.n, 0);
    assert_null(a.jsonl_path);
    assert_int_equal(a.origin[BW_GP_JSONL_PATH], BW_ORIGIN_DEFAULT);
    bw_gp_applied_free(&a);
    bw_gp_values_free(&v);

    /* bw_gp_policy_file on its own */
    char *path = NULL, err[256];
    assert_int_equal(bw_gp_policy_file(&v, &path, err, sizeof err), BW_ENOTFOUND);
    assert_null(path);
    set_sz(&v, BW_GP_POLICY_FILE, "relative.yaml");
    assert_int_equal(bw_gp_policy_file(&v, &path, err, sizeof err), BW_EPARSE);
    assert_null(path);
    assert_non_null(strstr(err, K "PolicyFile: expected an absolute local path"));
    set_sz(&v, BW_GP_POLICY_FILE, "C:\\corp\\banwatch.yaml");
    assert_int_equal(bw_gp_policy_file(&v, &path, err, sizeof err), BW_OK);
    assert_string_equal(path, "C:\\corp\\banwatch.yaml");
    free(path);
    bw_gp_values_free(&v);
}

/* ---- the rest still applies ----------------------------------------------------------- */

static void test_rest_applies(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    set_dw(&v, BW_GP_SCAN_INTERVAL, 0);
    set_dw(&v, BW_GP_HEARTBEAT_INTERVAL, 120);
    set_sz(&v, BW_GP_CUTOFF, "2023-02-29");
    set_sz(&v, BW_GP_CONTAINMENT_MODE, "enforce");
    set_sz(&v, BW_GP_POLICY_FILE, "..\\x.yaml");
    set_dw(&v, BW_GP_JSONL, 0);
    bw_gp_applied a;
    bw_policy *p = load(FILE_POLICY);
    assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
    assert_int_equal(a.errors.n, 3);
    assert_int_equal(p->scan_interval, 900); /* the file's */
    assert_int_equal(a.origin[BW_GP_SCAN_INTERVAL], BW_ORIGIN_FILE);
    assert_int_equal(p->heartbeat_interval, 120);
    assert_int_equal(p->cutoff, DEFAULT_CUTOFF);
    assert_int_equal(a.origin[BW_GP_CUTOFF], BW_ORIGIN_DEFAULT);
    assert_int_equal(p->mode, BW_MODE_ENFORCE);
    assert_null(a.policy_file);
    assert_false(a.jsonl);
    expect_from(&a, "mode,service.heartbeat_interval,events_jsonl");
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(&v);
}

/* The key exists but cannot be read: nothing applies, and the mode is
 * audit even where the file says enforce. */
static void test_key_unreadable(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    set_dw(&v, BW_GP_SCAN_INTERVAL, 60);
    v.key_problem = bw_strdup("access denied (5)");
    bw_gp_applied a;
    bw_policy *p = load(FILE_POLICY);
    assert_int_equal(bw_gp_apply(&v, p, true, &a), BW_OK);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    assert_int_equal(p->scan_interval, 900);
    assert_int_equal(a.origin[BW_GP_SCAN_INTERVAL], BW_ORIGIN_FILE);
    expect_error(&a, "HKLM\\SOFTWARE\\Policies\\banwatch: cannot be read (access denied (5)): "
                     "no Group Policy setting is applied; containment mode audit");
    assert_non_null(strstr(a.mode_source, "access denied (5)"));
    expect_from(&a, "mode");
    bw_gp_applied_free(&a);
    bw_policy_free(p);
    bw_gp_values_free(&v);
}

/* ---- digest ------------------------------------------------------------------------ */

static void test_digest(void **state)
{
    (void)state;
    bw_gp_values v = {0};
    char *d0 = bw_gp_values_digest(&v);
    set_dw(&v, BW_GP_SCAN_INTERVAL, 60);
    char *d1 = bw_gp_values_digest(&v);
    set_dw(&v, BW_GP_SCAN_INTERVAL, 61);
    char *d2 = bw_gp_values_digest(&v);
    set_sz(&v, BW_GP_CUTOFF, "2024-10-01");
    char *d3 = bw_gp_values_digest(&v);
    char *d3b = bw_gp_values_digest(&v);
    assert_non_null(d0);
    assert_non_null(d3b);
    assert_string_not_equal(d0, d1);
    assert_string_not_equal(d1, d2);
    assert_string_not_equal(d2, d3);
    assert_string_equal(d3, d3b);
    free(d0);
    free(d1);
    free(d2);
    free(d3);
    free(d3b);
    bw_gp_values_free(&v);
}

/* ---- bw_policy_set and bw_policy_key_given ---------------------------------------- */

static void test_policy_set(void **state)
{
    (void)state;
    bw_policy *p = load(FILE_POLICY);
    char err[256];
    bw_policy_value n = {.kind = BW_PV_NUMBER, .number = 42};
    assert_int_equal(bw_policy_set(p, "containment.stop_timeout", &n, "X", err, sizeof err),
                     BW_OK);
    assert_int_equal(p->contain_stop_timeout, 42);
    n.number = 601;
    assert_int_equal(bw_policy_set(p, "containment.stop_timeout", &n, "X", err, sizeof err),
                     BW_EPARSE);
    assert_string_equal(err, "X: containment.stop_timeout: value 601 is out of range 1..600");
    assert_int_equal(p->contain_stop_timeout, 42);
    /* not a scalar setting, no such key */
    bw_policy_value t = {.kind = BW_PV_TEXT, .text = "x"};
    assert_int_equal(bw_policy_set(p, "vendor.services", &t, "X", err, sizeof err), BW_EINVAL);
    assert_int_equal(bw_policy_set(p, "service", &t, "X", err, sizeof err), BW_EINVAL);
    assert_int_equal(bw_policy_set(p, "service.nope", &t, "X", err, sizeof err), BW_EINVAL);
    assert_int_equal(bw_policy_set(p, "mode.x", &t, "X", err, sizeof err), BW_EINVAL);
    assert_int_equal(bw_policy_set(p, "", &t, "X", err, sizeof err), BW_EINVAL);
    assert_int_equal(bw_policy_set(p, NULL, &t, "X", err, sizeof err), BW_EINVAL);
    /* a number where the loader wants a string, a string where it wants a number */
    assert_int_equal(bw_policy_set(p, "service.scan_interval", &t, "X", err, sizeof err),
                     BW_EPARSE);
    assert_string_equal(err, "X: service.scan_interval: expected an integer, got a string");
    assert_int_equal(bw_policy_set(p, "mode", &n, "X", err, sizeof err), BW_EPARSE);
    bw_policy_value b = {.kind = BW_PV_TEXT, .text = "true"};
    assert_int_equal(bw_policy_set(p, "containment.allow_unprotected", &b, "X", err, sizeof err),
                     BW_EPARSE);
    assert_false(p->contain_allow_unprotected);

    assert_true(bw_policy_key_given(p, "mode"));
    assert_true(bw_policy_key_given(p, "service.scan_interval"));
    assert_true(bw_policy_key_given(p, "vendor.name"));
    assert_false(bw_policy_key_given(p, "service.heartbeat_interval"));
    assert_false(bw_policy_key_given(p, "service"));
    assert_false(bw_policy_key_given(NULL, "mode"));
    bw_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),         cmocka_unit_test(test_nothing_set),
        cmocka_unit_test(test_every_setting), cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_wrong_type),    cmocka_unit_test(test_bad_mode),
        cmocka_unit_test(test_bad_dates),     cmocka_unit_test(test_bad_tiers),
        cmocka_unit_test(test_huge_strings),  cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_rest_applies),  cmocka_unit_test(test_key_unreadable),
        cmocka_unit_test(test_digest),        cmocka_unit_test(test_policy_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
