/*
 * test_collect_uninstall.c - the Uninstall collector against the fake API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/bw_collect.h"
#include "bw_winreg.h"
#include "fake_api.h"

#define U64 "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define U32 "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define SID "S-1-5-21-1111-2222-3333-1001"
#define UU  "HKU\\" SID "\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"

static bw_snapshot *collect(void)
{
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_uninstall(fake_api(), snap), BW_OK);
    fake_assert_no_leaks();
    return snap;
}

static const bw_product_entry *find(const bw_snapshot *s, bw_view view, const char *key)
{
    for (size_t i = 0; i < s->n_products; i++)
        if (s->products[i].view == view && strcmp(s->products[i].key_name, key) == 0)
            return &s->products[i];
    fail_msg("no product %s in view %d", key, (int)view);
    return NULL;
}

static void test_all_views(void **state)
{
    (void)state;
    const char *kes = U64 "\\{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}";
    fake_reg_sz(kes, "DisplayName", "Kaspersky Endpoint Security for Windows");
    fake_reg_sz(kes, "Publisher", "AO Kaspersky Lab");
    fake_reg_sz(kes, "DisplayVersion", "11.6.0.394");
    fake_reg_sz(kes, "ProductDisplayVersion", "11.6.0.394 (mr1)");
    fake_reg_sz(kes, "InstallLocation", "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\");
    fake_reg_expand_sz(kes, "UninstallString", "MsiExec.exe /X{7EC66A9F}");
    fake_reg_sz(kes, "DisplayIcon", "C:\\x\\avp.exe,0");
    fake_reg_sz(kes, "InstallDate", "20240915");
    fake_reg_dword(kes, "SystemComponent", 0);
    fake_reg_dword(U64 "\\KB123", "SystemComponent", 1); /* no DisplayName: kept */
    fake_reg_sz(U32 "\\AVP21.3", "DisplayName", "Kaspersky Total Security");
    fake_reg_sz(U32 "\\AVP21.3", "Publisher", "АО \"Лаборатория Касперского\"");
    fake_reg_sz(UU "\\KPM", "DisplayName", "Kaspersky Password Manager");
    fake_reg_sz(UU "\\KPM", "Publisher", "Kaspersky");
    fake_reg_key("HKU\\" SID
                 "_Classes\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\X");
    fake_reg_key("HKU\\.DEFAULT\\Software");
    fake_reg_key("HKU\\S-1-5-18");

    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 4);
    assert_int_equal(s->n_gaps, 0);

    const bw_product_entry *e = find(s, BW_VIEW_64, "{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}");
    assert_string_equal(e->display_name, "Kaspersky Endpoint Security for Windows");
    assert_string_equal(e->publisher, "AO Kaspersky Lab");
    assert_string_equal(e->display_version, "11.6.0.394");
    assert_string_equal(e->product_version, "11.6.0.394 (mr1)");
    assert_string_equal(e->install_location,
                        "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\");
    assert_string_equal(e->uninstall_string, "MsiExec.exe /X{7EC66A9F}");
    assert_string_equal(e->display_icon, "C:\\x\\avp.exe,0");
    assert_string_equal(e->install_date, "20240915");
    assert_string_equal(e->source, U64 "\\{7EC66A9F-0A49-4DC0-A9E8-460333EA8013}");
    assert_null(e->user_sid);
    assert_false(e->system_component);

    e = find(s, BW_VIEW_64, "KB123");
    assert_null(e->display_name);
    assert_null(e->publisher);
    assert_true(e->system_component);
    assert_string_equal(e->source, U64 "\\KB123");

    e = find(s, BW_VIEW_32, "AVP21.3");
    assert_string_equal(e->display_name, "Kaspersky Total Security");
    assert_string_equal(e->publisher, "АО \"Лаборатория Касперского\"");
    assert_string_equal(e->source, U32 "\\AVP21.3");
    assert_null(e->display_version);

    e = find(s, BW_VIEW_USER, "KPM");
    assert_string_equal(e->display_name, "Kaspersky Password Manager");
    assert_string_equal(e->user_sid, SID);
    assert_string_equal(e->source, UU "\\KPM");
    bw_snapshot_free(s);
}

static void test_no_wow64(void **state)
{
    (void)state;
    /* A 32-bit system: the 32-bit view is the same key; count it once. */
    fake_set_wow64(false);
    fake_reg_sz(U64 "\\A", "DisplayName", "A");
    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 1);
    assert_int_equal(s->products[0].view, BW_VIEW_64);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_absent(void **state)
{
    (void)state;
    /* No Uninstall key anywhere, WOW6432Node without one: no gap. */
    fake_reg_key("HKLM\\SOFTWARE\\WOW6432Node\\Other");
    fake_reg_key("HKU\\" SID "\\Software");
    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 0);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_bad_values(void **state)
{
    (void)state;
    const uint16_t lone[] = {'K', 0xD800, 0};
    const uint16_t nonul[] = {'1', '.', '0'};
    const unsigned char odd[] = {'2', 0, '0', 0, '2', 0, '4', 0, '!'};
    const uint16_t embedded[] = {'A', 'O', 0, 'X', 0};
    fake_reg_raw(U64 "\\P", "DisplayName", REG_SZ, lone, sizeof lone);
    fake_reg_raw(U64 "\\P", "Publisher", REG_BINARY, "AO", 2);
    fake_reg_raw(U64 "\\P", "DisplayVersion", REG_SZ, nonul, sizeof nonul);
    fake_reg_raw(U64 "\\P", "InstallDate", REG_SZ, odd, sizeof odd);
    fake_reg_raw(U64 "\\P", "DisplayIcon", REG_SZ, embedded, sizeof embedded);
    fake_reg_sz(U64 "\\P", "InstallLocation", "secret");
    fake_reg_value_error(U64 "\\P", "InstallLocation", ERROR_ACCESS_DENIED);
    /* Larger than the collector's first buffer, and it grows between the
     * size query and the read that follow: read again. */
    char uninstall[BW_WIN_REGBUF_FIRST + 8];
    memset(uninstall, 'u', sizeof uninstall - 5);
    memcpy(uninstall + sizeof uninstall - 5, ".exe", 5);
    fake_reg_sz(U64 "\\P", "UninstallString", uninstall);
    fake_reg_value_grows(U64 "\\P", "UninstallString", 1);
    fake_reg_sz(U64 "\\P", "SystemComponent", "1");

    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 1);
    const bw_product_entry *e = &s->products[0];
    assert_null(e->display_name);
    assert_null(e->publisher);
    assert_string_equal(e->display_version, "1.0");
    assert_string_equal(e->install_date, "2024");
    assert_string_equal(e->display_icon, "AO");
    assert_null(e->install_location);
    assert_int_equal(strlen(e->uninstall_string), strlen(uninstall) + 2);
    assert_memory_equal(e->uninstall_string, uninstall, strlen(uninstall));
    assert_string_equal(e->uninstall_string + strlen(uninstall), "XY");
    assert_false(e->system_component);

    assert_int_equal(s->n_gaps, 4);
    assert_string_equal(s->gaps[0].where, U64 "\\P\\DisplayName");
    assert_string_equal(s->gaps[0].reason, "invalid UTF-16");
    assert_string_equal(s->gaps[1].where, U64 "\\P\\Publisher");
    assert_string_equal(s->gaps[1].reason, "wrong value type REG_BINARY");
    assert_string_equal(s->gaps[2].where, U64 "\\P\\InstallLocation");
    assert_string_equal(s->gaps[2].reason, "access denied (5)");
    assert_string_equal(s->gaps[3].where, U64 "\\P\\SystemComponent");
    assert_string_equal(s->gaps[3].reason, "wrong value type REG_SZ");
    bw_snapshot_free(s);
}

static void test_denied_keys(void **state)
{
    (void)state;
    fake_reg_sz(U64 "\\A", "DisplayName", "A");
    fake_reg_sz(U64 "\\Locked", "DisplayName", "hidden");
    fake_reg_deny(U64 "\\Locked", ERROR_ACCESS_DENIED);
    fake_reg_sz(U64 "\\Z", "DisplayName", "Z");
    fake_reg_sz(U32 "\\B", "DisplayName", "B");
    fake_reg_deny(U32, ERROR_ACCESS_DENIED);
    fake_reg_sz(UU "\\C", "DisplayName", "C");

    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 4);
    assert_string_equal(find(s, BW_VIEW_64, "A")->display_name, "A");
    const bw_product_entry *e = find(s, BW_VIEW_64, "Locked");
    assert_null(e->display_name);
    assert_string_equal(e->source, U64 "\\Locked");
    assert_string_equal(find(s, BW_VIEW_64, "Z")->display_name, "Z");
    assert_string_equal(find(s, BW_VIEW_USER, "C")->display_name, "C");
    assert_int_equal(s->n_gaps, 2);
    assert_string_equal(s->gaps[0].where, U64 "\\Locked");
    assert_string_equal(s->gaps[0].reason, "access denied (5)");
    assert_string_equal(s->gaps[1].where, U32);
    assert_string_equal(s->gaps[1].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_enum_failures(void **state)
{
    (void)state;
    const uint16_t bad[] = {'x', 0xDC00};
    fake_reg_sz(U64 "\\A", "DisplayName", "A");
    fake_reg_key_units(U64, bad, 2);
    fake_reg_sz(U64 "\\B", "DisplayName", "B");
    fake_reg_sz(UU "\\C", "DisplayName", "C");
    /* Enumeration calls: U64 x4 (A, bad, B, end), then HKU fails. */
    fake_fail(FAKE_RegEnumKeyExW, 5, ERROR_ACCESS_DENIED);

    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 3);
    assert_string_equal(find(s, BW_VIEW_64, "A")->display_name, "A");
    assert_string_equal(find(s, BW_VIEW_64, "B")->display_name, "B");
    /* a name that is not valid UTF-16 hides nothing: it is read, and
     * reported escaped */
    const bw_product_entry *x = find(s, BW_VIEW_64, "x\\uDC00");
    assert_true(x->name_escaped);
    assert_false(find(s, BW_VIEW_64, "A")->name_escaped);
    assert_string_equal(x->source, U64 "\\x\\uDC00");
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "HKU");
    assert_string_equal(s->gaps[0].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_open_failure_injected(void **state)
{
    (void)state;
    fake_reg_sz(U64 "\\A", "DisplayName", "A");
    fake_fail(FAKE_RegOpenKeyExW, 1, ERROR_REGISTRY_IO_FAILED);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_products, 0);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, U64);
    assert_string_equal(s->gaps[0].reason, "input/output error (1016)");
    bw_snapshot_free(s);
}

/* An uninstaller deletes an entry while the subkeys are listed: the
 * listing sees the key change and lists it again, so no entry still there
 * is missed (it would be resolved, then found again as new). */
static void test_listing_races_a_deletion(void **state)
{
    (void)state;
    const char *names[] = {"A", "B", "C", "D", "E"};
    for (size_t i = 0; i < 5; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s\\%s", U64, names[i]);
        fake_reg_sz(path, "DisplayName", names[i]);
    }
    fake_reg_churn(U64, 2, 1); /* A goes while index 2 is read: C slides to 1 */
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    size_t n64 = 0;
    for (size_t i = 0; i < s->n_products; i++)
        n64 += s->products[i].view == BW_VIEW_64;
    assert_int_equal(n64, 4);
    find(s, BW_VIEW_64, "B");
    find(s, BW_VIEW_64, "C");
    find(s, BW_VIEW_64, "D");
    find(s, BW_VIEW_64, "E");
    assert_true(fake_calls(FAKE_RegQueryInfoKeyW) >= 4);
    bw_snapshot_free(s);
}

/* A key that changes at every listing: what was listed is read, and a gap
 * at the key keeps anything under it from being resolved. */
static void test_listing_keeps_changing(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s\\P%d", U64, i);
        fake_reg_sz(path, "DisplayName", "x");
    }
    fake_reg_churn(U64, 1, 100);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, U64);
    assert_string_equal(s->gaps[0].reason, "its subkeys kept changing while they were read");
    assert_true(s->n_products > 0);
    bw_snapshot_free(s);
}

/* Without the key's stamps (RegQueryInfoKeyW fails) the listing is taken
 * as it is, as before. */
static void test_listing_without_stamps(void **state)
{
    (void)state;
    fake_reg_sz(U64 "\\A", "DisplayName", "a");
    fake_fail(FAKE_RegQueryInfoKeyW, 1, ERROR_ACCESS_DENIED);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    find(s, BW_VIEW_64, "A");
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_views, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_no_wow64, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_absent, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_denied_keys, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_enum_failures, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_open_failure_injected, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_listing_races_a_deletion, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_listing_keeps_changing, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_listing_without_stamps, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
