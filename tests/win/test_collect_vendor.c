/*
 * test_collect_vendor.c - the vendor roots collector against the fake API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/bw_collect.h"
#include "fake_api.h"

#define R64 "HKLM\\SOFTWARE\\KasperskyLab"
#define R32 "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab"

static bw_snapshot *collect(const char *const *roots, size_t n)
{
    bw_strlist l = {0};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(bw_strlist_add(&l, roots[i]), BW_OK);
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_vendor_roots(fake_api(), &l, snap), BW_OK);
    bw_strlist_free(&l);
    fake_assert_no_leaks();
    return snap;
}

static void check(const bw_vendor_key *k, const char *root, const char *key_name,
                  const char *source, bw_view view, size_t n_env)
{
    assert_string_equal(k->root, root);
    if (key_name)
        assert_string_equal(k->key_name, key_name);
    else
        assert_null(k->key_name);
    assert_string_equal(k->source, source);
    assert_int_equal(k->view, view);
    assert_int_equal(k->n_env, n_env);
}

static void test_both_views(void **state)
{
    (void)state;
    fake_reg_sz(R32 "\\AVP21.3\\environment", "ProductName", "Kaspersky Total Security");
    fake_reg_sz(R32 "\\AVP21.3\\environment", "ProductVersion", "21.3.10.391");
    fake_reg_expand_sz(R32 "\\AVP21.3\\environment", "DataFolder",
                       "%ProgramData%\\Kaspersky Lab\\AVP21.3\\");
    fake_reg_dword(R32 "\\AVP21.3\\environment", "Flags", 1); /* not a string: left out */
    fake_reg_sz(R32 "\\AVP21.3\\environment", "", "default: left out");
    fake_reg_dword(R32 "\\AVP21.3\\Data", "LastSuccessfulUpdate", 1727900000);
    fake_reg_sz(R32 "\\protected\\AVP21.3\\Environment", "ProductName", "Касперский");
    fake_reg_key(R32 "\\Components");
    fake_reg_sz(R64 "\\KES\\ENVIRONMENT", "ProductDisplayVersion", "12.5.0.539");

    const char *roots[] = {"HKLM\\SOFTWARE\\KasperskyLab"};
    bw_snapshot *s = collect(roots, 1);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_vendor_keys, 7);
    const char *root = roots[0];
    check(&s->vendor_keys[0], root, NULL, R64, BW_VIEW_64, 0);
    check(&s->vendor_keys[1], root, "KES", R64 "\\KES", BW_VIEW_64, 1);
    assert_string_equal(bw_vendor_key_env(&s->vendor_keys[1], "productdisplayversion"),
                        "12.5.0.539");
    check(&s->vendor_keys[2], root, NULL, R32, BW_VIEW_32, 0);
    const bw_vendor_key *k = &s->vendor_keys[3];
    check(k, root, "AVP21.3", R32 "\\AVP21.3", BW_VIEW_32, 3);
    assert_string_equal(k->env[0].name, "ProductName");
    assert_string_equal(k->env[0].value, "Kaspersky Total Security");
    assert_string_equal(k->env[1].name, "ProductVersion");
    assert_string_equal(k->env[1].value, "21.3.10.391");
    assert_string_equal(k->env[2].name, "DataFolder");
    assert_string_equal(k->env[2].value, "%ProgramData%\\Kaspersky Lab\\AVP21.3\\");
    check(&s->vendor_keys[4], root, "protected", R32 "\\protected", BW_VIEW_32, 0);
    check(&s->vendor_keys[5], root, "Components", R32 "\\Components", BW_VIEW_32, 0);
    k = &s->vendor_keys[6];
    check(k, root, "protected\\AVP21.3", R32 "\\protected\\AVP21.3", BW_VIEW_32, 1);
    assert_string_equal(bw_vendor_key_env(k, "ProductName"), "Касперский");
    bw_snapshot_free(s);
}

static void test_absent_and_forms(void **state)
{
    (void)state;
    fake_reg_sz("HKLM\\SOFTWARE\\Other\\X\\environment", "A", "a");
    fake_reg_sz("HKU\\S-1-5-18\\Software\\KasperskyLab\\AVP21.3\\environment", "A", "b");
    const char *roots[] = {"HKLM\\SOFTWARE\\KasperskyLab",
                           "HKEY_LOCAL_MACHINE\\SOFTWARE\\Other\\",
                           "HKU\\S-1-5-18\\Software\\KasperskyLab", "HKCU\\Software\\X"};
    bw_snapshot *s = collect(roots, 4);
    /* Other: only in the 64-bit view (no WOW6432Node at all). */
    assert_int_equal(s->n_vendor_keys, 4);
    check(&s->vendor_keys[0], roots[1], NULL, "HKLM\\SOFTWARE\\Other", BW_VIEW_64, 0);
    check(&s->vendor_keys[1], roots[1], "X", "HKLM\\SOFTWARE\\Other\\X", BW_VIEW_64, 1);
    check(&s->vendor_keys[2], roots[2], NULL, "HKU\\S-1-5-18\\Software\\KasperskyLab",
          BW_VIEW_USER, 0);
    check(&s->vendor_keys[3], roots[2], "AVP21.3",
          "HKU\\S-1-5-18\\Software\\KasperskyLab\\AVP21.3", BW_VIEW_USER, 1);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "HKCU\\Software\\X");
    assert_string_equal(s->gaps[0].reason, "unsupported registry root");
    bw_snapshot_free(s);
}

/* HKU\*\...: the same key in every user hive, classes hives skipped. */
static void test_every_user(void **state)
{
    (void)state;
#define U1 "HKU\\S-1-5-21-1-2-3-1001"
    fake_reg_sz(U1 "\\Software\\KasperskyLab\\AVP21.25\\environment", "ProductName", "Kaspersky");
    fake_reg_key(U1 "_Classes\\Software\\KasperskyLab\\AVP21.25");
    fake_reg_key("HKU\\S-1-5-18\\Software");
    const char *roots[] = {"HKU\\*\\Software\\KasperskyLab"};
    bw_snapshot *s = collect(roots, 1);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_vendor_keys, 2);
    check(&s->vendor_keys[0], roots[0], NULL, U1 "\\Software\\KasperskyLab", BW_VIEW_USER, 0);
    check(&s->vendor_keys[1], roots[0], "AVP21.25", U1 "\\Software\\KasperskyLab\\AVP21.25",
          BW_VIEW_USER, 1);
    bw_snapshot_free(s);
#undef U1
}

/* The server products keep their environment per version: the newest
 * version's is the product key's. */
static void test_versioned_environment(void **state)
{
    (void)state;
    fake_reg_sz(R64 "\\WSEE\\9.0\\Environment", "ProductVersion", "9.0.0.1");
    fake_reg_sz(R64 "\\WSEE\\11.0\\Environment", "ProductVersion", "11.0.1.897");
    fake_reg_sz(R64 "\\WSEE\\11.0\\Environment", "Bases", "C:\\KSWS\\Bases");
    fake_reg_key(R64 "\\WSEE\\12.0\\NoEnvironment");
    fake_reg_key(R64 "\\WSEE\\Settings");
    const char *roots[] = {"HKLM\\SOFTWARE\\KasperskyLab"};
    bw_snapshot *s = collect(roots, 1);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_vendor_keys, 2);
    const bw_vendor_key *k = &s->vendor_keys[1];
    check(k, roots[0], "WSEE", R64 "\\WSEE", BW_VIEW_64, 2);
    assert_string_equal(bw_vendor_key_env(k, "ProductVersion"), "11.0.1.897");
    assert_string_equal(bw_vendor_key_env(k, "Bases"), "C:\\KSWS\\Bases");
    bw_snapshot_free(s);
}

static void test_no_wow64(void **state)
{
    (void)state;
    /* Both views show the same keys: keep the 64-bit listing only. */
    fake_set_wow64(false);
    fake_reg_sz(R64 "\\AVP21.3\\environment", "ProductName", "Kaspersky");
    fake_reg_key(R64 "\\protected\\AVP21.3");
    const char *roots[] = {R64};
    bw_snapshot *s = collect(roots, 1);
    assert_int_equal(s->n_vendor_keys, 4);
    for (size_t i = 0; i < s->n_vendor_keys; i++)
        assert_int_equal(s->vendor_keys[i].view, BW_VIEW_64);
    check(&s->vendor_keys[3], R64, "protected\\AVP21.3", R64 "\\protected\\AVP21.3", BW_VIEW_64,
          0);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_failures(void **state)
{
    (void)state;
    const uint16_t lone[] = {0xD800, 'x', 0};
    fake_reg_sz(R64 "\\AVP21.3\\environment", "ProductName", "Kaspersky");
    fake_reg_raw(R64 "\\AVP21.3\\environment", "Bad", REG_SZ, lone, sizeof lone);
    fake_reg_sz(R64 "\\AVP21.3\\environment", "Secret", "s");
    fake_reg_value_error(R64 "\\AVP21.3\\environment", "Secret", ERROR_ACCESS_DENIED);
    fake_reg_sz(R64 "\\AVP21.3\\environment", "Grows", "g");
    fake_reg_value_grows(R64 "\\AVP21.3\\environment", "Grows", 1);
    fake_reg_sz(R64 "\\KES\\environment", "ProductName", "KES");
    fake_reg_deny(R64 "\\KES\\environment", ERROR_ACCESS_DENIED);
    fake_reg_key(R64 "\\protected");
    fake_reg_deny(R64 "\\protected", ERROR_ACCESS_DENIED);
    fake_reg_key(R32 "\\AVP21.3");
    fake_reg_deny(R32, ERROR_ACCESS_DENIED);
    const char *roots[] = {R64};
    bw_snapshot *s = collect(roots, 1);
    /* root, AVP21.3, KES, protected (listed, unreadable) */
    assert_int_equal(s->n_vendor_keys, 4);
    const bw_vendor_key *k = &s->vendor_keys[1];
    check(k, R64, "AVP21.3", R64 "\\AVP21.3", BW_VIEW_64, 2);
    assert_string_equal(bw_vendor_key_env(k, "ProductName"), "Kaspersky");
    assert_string_equal(bw_vendor_key_env(k, "Grows"), "gXY");
    check(&s->vendor_keys[2], R64, "KES", R64 "\\KES", BW_VIEW_64, 0);
    check(&s->vendor_keys[3], R64, "protected", R64 "\\protected", BW_VIEW_64, 0);
    assert_int_equal(s->n_gaps, 5);
    assert_string_equal(s->gaps[0].where, R64 "\\AVP21.3\\environment\\Bad");
    assert_string_equal(s->gaps[0].reason, "invalid UTF-16");
    assert_string_equal(s->gaps[1].where, R64 "\\AVP21.3\\environment\\Secret");
    assert_string_equal(s->gaps[1].reason, "access denied (5)");
    assert_string_equal(s->gaps[2].where, R64 "\\KES\\environment");
    assert_string_equal(s->gaps[2].reason, "access denied (5)");
    /* (protected\environment is simply absent: no traverse check.) */
    assert_string_equal(s->gaps[3].where, R64 "\\protected");
    assert_string_equal(s->gaps[3].reason, "access denied (5)");
    assert_string_equal(s->gaps[4].where, R32);
    assert_string_equal(s->gaps[4].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_env_cap(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "V%03d", i);
        fake_reg_sz(R64 "\\AVP\\environment", name, "v");
    }
    const char *roots[] = {R64};
    bw_snapshot *s = collect(roots, 1);
    assert_int_equal(s->n_vendor_keys, 2);
    assert_int_equal(s->vendor_keys[1].n_env, 256);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, R64 "\\AVP\\environment");
    assert_string_equal(s->gaps[0].reason, "more than 256 values");
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_both_views, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_absent_and_forms, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_every_user, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_versioned_environment, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_no_wow64, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_failures, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_env_cap, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
