/*
 * test_gpread.c - reading Group Policy's values (bw_gpread.c) against the
 * fake API: every registry type a value may have, values that cannot be
 * read, a key that cannot be opened, the 64-bit view; and what core makes
 * of what was read (bw_gp_apply names each value it does not apply).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bw_gpread.h"
#include "fake_api.h"

#define K "HKLM\\SOFTWARE\\Policies\\banwatch"

static int setup(void **state)
{
    (void)state;
    fake_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_reset();
    return 0;
}

static void read_ok(bw_gp_values *v)
{
    assert_int_equal(bw_win_gp_read(fake_api(), v), BW_OK);
    fake_assert_no_leaks();
}

static void test_no_key(void **state)
{
    (void)state;
    bw_gp_values v;
    read_ok(&v);
    assert_null(v.key_problem);
    for (size_t i = 0; i < BW_GP_COUNT; i++)
        assert_int_equal(v.v[i].kind, BW_GP_ABSENT);
    bw_gp_values_free(&v);
    /* the key without values */
    fake_reg_key(K);
    read_ok(&v);
    assert_null(v.key_problem);
    for (size_t i = 0; i < BW_GP_COUNT; i++)
        assert_int_equal(v.v[i].kind, BW_GP_ABSENT);
    bw_gp_values_free(&v);
}

static void test_values(void **state)
{
    (void)state;
    fake_reg_sz(K, "ContainmentMode", "enforce");
    fake_reg_dword(K, "ScanInterval", 600);
    fake_reg_expand_sz(K, "PolicyFile", "C:\\Policies\\fleet.yaml");
    /* a string written without its terminator */
    static const uint16_t date[] = {'2', '0', '2', '4', '-', '1', '0', '-', '0', '1'};
    fake_reg_raw(K, "Cutoff", REG_SZ, date, sizeof date);
    /* a value of another key is no setting */
    fake_reg_dword(K, "Unknown", 1);
    bw_gp_values v;
    read_ok(&v);
    assert_int_equal(v.v[BW_GP_CONTAINMENT_MODE].kind, BW_GP_SZ);
    assert_string_equal(v.v[BW_GP_CONTAINMENT_MODE].text, "enforce");
    assert_int_equal(v.v[BW_GP_SCAN_INTERVAL].kind, BW_GP_DWORD);
    assert_int_equal(v.v[BW_GP_SCAN_INTERVAL].number, 600);
    assert_int_equal(v.v[BW_GP_POLICY_FILE].kind, BW_GP_SZ); /* not expanded */
    assert_string_equal(v.v[BW_GP_POLICY_FILE].text, "C:\\Policies\\fleet.yaml");
    assert_int_equal(v.v[BW_GP_CUTOFF].kind, BW_GP_SZ);
    assert_string_equal(v.v[BW_GP_CUTOFF].text, "2024-10-01");
    assert_int_equal(v.v[BW_GP_HEARTBEAT_INTERVAL].kind, BW_GP_ABSENT);
    bw_gp_values_free(&v);
}

/* Values of the wrong type or that cannot be read come back as such, and
 * core names each in an error and applies none of them. */
static void test_hostile_values(void **state)
{
    (void)state;
    uint64_t q = 600;
    fake_reg_raw(K, "ScanInterval", REG_QWORD, &q, sizeof q);
    static const char *const items[] = {"confirmed", "likely"};
    fake_reg_multi_sz(K, "CountTiers", items, 2, true);
    uint16_t two = 7;
    fake_reg_raw(K, "StaleAfterDays", REG_DWORD, &two, sizeof two);
    fake_reg_sz(K, "HeartbeatInterval", "60");
    fake_reg_dword(K, "JsonLinesPath", 1);
    fake_reg_raw(K, "JsonLines", REG_BINARY, "\1\0\0\0\0\0\0\0", 8);
    fake_reg_sz(K, "Cutoff", "2024-10-01");
    fake_reg_value_error(K, "Cutoff", ERROR_ACCESS_DENIED);
    static const uint16_t lone[] = {'e', 0xD800, 'x'};
    fake_reg_raw(K, "ContainmentMode", REG_SZ, lone, sizeof lone);
    /* larger than the readers take */
    size_t n = 70000;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, 'a', n);
    huge[n] = '\0';
    fake_reg_sz(K, "PolicyFile", huge);
    free(huge);

    bw_gp_values v;
    read_ok(&v);
    assert_int_equal(v.v[BW_GP_SCAN_INTERVAL].kind, BW_GP_OTHER_TYPE);
    assert_string_equal(v.v[BW_GP_SCAN_INTERVAL].why, "REG_QWORD");
    assert_int_equal(v.v[BW_GP_COUNT_TIERS].kind, BW_GP_OTHER_TYPE);
    assert_string_equal(v.v[BW_GP_COUNT_TIERS].why, "REG_MULTI_SZ");
    assert_int_equal(v.v[BW_GP_STALE_AFTER_DAYS].kind, BW_GP_UNREADABLE);
    assert_non_null(strstr(v.v[BW_GP_STALE_AFTER_DAYS].why, "wrong value size 2"));
    assert_int_equal(v.v[BW_GP_HEARTBEAT_INTERVAL].kind, BW_GP_SZ);
    assert_int_equal(v.v[BW_GP_JSONL_PATH].kind, BW_GP_DWORD);
    assert_int_equal(v.v[BW_GP_JSONL].kind, BW_GP_OTHER_TYPE);
    assert_string_equal(v.v[BW_GP_JSONL].why, "REG_BINARY");
    assert_int_equal(v.v[BW_GP_CUTOFF].kind, BW_GP_UNREADABLE);
    assert_non_null(strstr(v.v[BW_GP_CUTOFF].why, "(5)"));
    assert_int_equal(v.v[BW_GP_CONTAINMENT_MODE].kind, BW_GP_UNREADABLE);
    assert_int_equal(v.v[BW_GP_POLICY_FILE].kind, BW_GP_UNREADABLE);

    bw_gp_applied a;
    assert_int_equal(bw_gp_apply(&v, NULL, false, &a), BW_OK);
    assert_true(a.jsonl);
    assert_null(a.jsonl_path);
    assert_null(a.policy_file);
    bw_gp_applied_free(&a);
    bw_policy p;
    memset(&p, 0, sizeof p);
    p.mode = BW_MODE_ENFORCE;
    p.scan_interval = 3600;
    p.heartbeat_interval = 3600;
    p.stale_after_days = 7;
    assert_int_equal(bw_gp_apply(&v, &p, false, &a), BW_OK);
    assert_int_equal(a.errors.n, 9); /* every value read, none applied */
    for (size_t i = 0; i < a.errors.n; i++)
        assert_true(strncmp(a.errors.items[i], K "\\", strlen(K) + 1) == 0);
    assert_int_equal(p.mode, BW_MODE_AUDIT); /* a broken mode never enforces */
    assert_int_equal(p.scan_interval, 3600);
    assert_int_equal(p.heartbeat_interval, 3600);
    assert_int_equal(p.stale_after_days, 7);
    bw_gp_applied_free(&a);
    bw_gp_values_free(&v);
}

static void test_key_denied(void **state)
{
    (void)state;
    fake_reg_dword(K, "ScanInterval", 60);
    fake_reg_deny(K, ERROR_ACCESS_DENIED);
    bw_gp_values v;
    read_ok(&v);
    assert_non_null(v.key_problem);
    assert_non_null(strstr(v.key_problem, "(5)"));
    assert_int_equal(v.v[BW_GP_SCAN_INTERVAL].kind, BW_GP_ABSENT);
    bw_gp_values_free(&v);
}

/* The 64-bit view: a key only in the 32-bit view is not Group Policy's. */
static void test_64bit_view(void **state)
{
    (void)state;
    fake_reg_dword("HKLM\\SOFTWARE\\WOW6432Node\\Policies\\banwatch", "ScanInterval", 60);
    bw_gp_values v;
    read_ok(&v);
    assert_int_equal(v.v[BW_GP_SCAN_INTERVAL].kind, BW_GP_ABSENT);
    bw_gp_values_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_64bit_view, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
