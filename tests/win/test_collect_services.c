/*
 * test_collect_services.c - the services collector against the fake API.
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

#define SVC "HKLM\\SYSTEM\\CurrentControlSet\\Services"

static bw_snapshot *collect(void)
{
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_services(fake_api(), snap), BW_OK);
    fake_assert_no_leaks();
    return snap;
}

static const bw_service_entry *get(const bw_snapshot *s, const char *name)
{
    const bw_service_entry *e = bw_snapshot_find_service(s, name);
    if (!e)
        fail_msg("no service %s", name);
    return e;
}

/* The usual machine: an AV service known to both, a registry-only driver
 * with altitudes, an SCM-only service, a non-service key. */
static void seed(void)
{
    fake_svc("AVP21.3", "Kaspersky Anti-Virus Service 21.3", SERVICE_WIN32_OWN_PROCESS,
             SERVICE_RUNNING);
    fake_svc("Ghost", "Ghost Service", SERVICE_WIN32_SHARE_PROCESS, SERVICE_STOPPED);
    fake_reg_dword(SVC "\\avp21.3", "Type", 0x10);
    fake_reg_dword(SVC "\\avp21.3", "Start", 2);
    fake_reg_expand_sz(SVC "\\avp21.3", "ImagePath",
                       "\"C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Total Security "
                       "21.3\\avp.exe\" -r");
    fake_reg_sz(SVC "\\avp21.3", "DisplayName", "registry display name");
    fake_reg_sz(SVC "\\avp21.3", "Description", "Защита компьютера");
    fake_reg_dword(SVC "\\klif", "Type", 2);
    fake_reg_dword(SVC "\\klif", "Start", 0);
    fake_reg_expand_sz(SVC "\\klif", "ImagePath", "system32\\DRIVERS\\klif.sys");
    fake_reg_sz(SVC "\\klif", "DisplayName", "Kaspersky Lab Driver");
    fake_reg_sz(SVC "\\klif", "Group", "FSFilter Anti-Virus");
    fake_reg_sz(SVC "\\klif\\Instances\\klif", "Altitude", "320400");
    fake_reg_sz(SVC "\\klif\\Instances\\klif_sec", "Altitude", "320401");
    fake_reg_dword(SVC "\\klif\\Instances\\klif_sec", "Flags", 0);
    fake_reg_key(SVC "\\klif\\Instances\\noalt");
    fake_reg_key(SVC "\\klif\\Parameters");
    fake_reg_sz(SVC "\\EventLog", "Whatever", "not a service");
}

static void test_merge(void **state)
{
    (void)state;
    seed();
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 3);
    assert_int_equal(s->n_gaps, 0);

    const bw_service_entry *e = get(s, "AVP21.3");
    assert_string_equal(e->name, "AVP21.3");
    assert_string_equal(e->display_name, "Kaspersky Anti-Virus Service 21.3");
    assert_string_equal(e->description, "Защита компьютера");
    assert_string_equal(e->image_path, "\"C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky "
                                       "Total Security 21.3\\avp.exe\" -r");
    assert_null(e->group);
    assert_string_equal(e->source, SVC "\\avp21.3");
    assert_true(e->has_type);
    assert_int_equal(e->type, 0x10);
    assert_true(e->has_start);
    assert_int_equal(e->start, BW_START_AUTO);
    assert_int_equal(e->state, BW_STATE_RUNNING);
    assert_true(e->in_scm);
    assert_true(e->in_registry);
    assert_int_equal(e->altitudes.n, 0);

    e = get(s, "klif");
    assert_string_equal(e->display_name, "Kaspersky Lab Driver");
    assert_string_equal(e->image_path, "system32\\DRIVERS\\klif.sys");
    assert_string_equal(e->group, "FSFilter Anti-Virus");
    assert_string_equal(e->source, SVC "\\klif");
    assert_int_equal(e->type, BW_SVC_FS_DRIVER);
    assert_int_equal(e->start, BW_START_BOOT);
    assert_true(e->has_start);
    assert_int_equal(e->state, BW_STATE_UNKNOWN);
    assert_false(e->in_scm);
    assert_true(e->in_registry);
    assert_int_equal(e->altitudes.n, 2);
    assert_string_equal(e->altitudes.items[0], "320400");
    assert_string_equal(e->altitudes.items[1], "320401");

    e = get(s, "Ghost");
    assert_string_equal(e->display_name, "Ghost Service");
    assert_string_equal(e->source, SVC "\\Ghost");
    assert_true(e->in_scm);
    assert_false(e->in_registry);
    assert_int_equal(e->state, BW_STATE_STOPPED);
    assert_true(e->has_type); /* from the SCM */
    assert_int_equal(e->type, SERVICE_WIN32_SHARE_PROCESS);
    assert_false(e->has_start);
    assert_null(e->image_path);

    assert_null(bw_snapshot_find_service(s, "EventLog"));
    bw_snapshot_free(s);
}

static void test_scm_denied(void **state)
{
    (void)state;
    seed();
    fake_scm_open_error(ERROR_ACCESS_DENIED);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "service control manager");
    assert_string_equal(s->gaps[0].reason, "access denied (5)");
    assert_int_equal(s->n_services, 2);
    const bw_service_entry *e = get(s, "avp21.3");
    assert_false(e->in_scm);
    assert_string_equal(e->display_name, "registry display name");
    assert_int_equal(get(s, "klif")->altitudes.n, 2);
    assert_null(bw_snapshot_find_service(s, "Ghost"));
    bw_snapshot_free(s);
}

static void test_registry_denied(void **state)
{
    (void)state;
    seed();
    fake_reg_deny(SVC, ERROR_ACCESS_DENIED);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 2);
    assert_true(get(s, "AVP21.3")->in_scm);
    assert_false(get(s, "AVP21.3")->in_registry);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, SVC);
    assert_string_equal(s->gaps[0].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_enum_failure(void **state)
{
    (void)state;
    seed();
    fake_fail(FAKE_EnumServicesStatusExW, 1, ERROR_INVALID_HANDLE);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 2); /* the registry pass still ran */
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "service control manager");
    assert_string_equal(s->gaps[0].reason, "invalid argument or data (6)");
    bw_snapshot_free(s);
}

/* A service control manager still starting (RPC server unavailable) is
 * asked again after a short wait; one that stays busy is a gap. */
static void test_scm_busy(void **state)
{
    (void)state;
    seed();
    fake_fail(FAKE_OpenSCManagerW, 1, RPC_S_SERVER_UNAVAILABLE);
    fake_fail(FAKE_EnumServicesStatusExW, 1, RPC_S_SERVER_TOO_BUSY);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_true(get(s, "AVP21.3")->in_scm);
    assert_int_equal(fake_slept_ms(), 500);
    bw_snapshot_free(s);
    for (unsigned i = 1; i <= 20; i++)
        fake_fail(FAKE_OpenSCManagerW, 2 + i, RPC_S_SERVER_UNAVAILABLE);
    s = collect();
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "service control manager");
    assert_non_null(strstr(s->gaps[0].reason, "(1722)"));
    assert_int_equal(fake_calls(FAKE_OpenSCManagerW), 2 + 9);
    bw_snapshot_free(s);
}

static void test_paging(void **state)
{
    (void)state;
    char name[32], display[48];
    for (int i = 0; i < 25; i++) {
        snprintf(name, sizeof name, "svc%02d", i);
        snprintf(display, sizeof display, "Service number %d", i);
        fake_svc(name, display, i % 2 ? SERVICE_KERNEL_DRIVER : SERVICE_WIN32_OWN_PROCESS,
                 SERVICE_RUNNING);
    }
    fake_scm_page(4); /* ERROR_MORE_DATA with the resume handle, 7 calls */
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 25);
    assert_int_equal(fake_calls(FAKE_EnumServicesStatusExW), 7);
    for (int i = 0; i < 25; i++) {
        snprintf(name, sizeof name, "SVC%02d", i);
        snprintf(display, sizeof display, "Service number %d", i);
        const bw_service_entry *e = get(s, name);
        assert_string_equal(e->display_name, display);
        assert_true(e->in_scm);
    }
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_buffer_growth(void **state)
{
    (void)state;
    /* A display name too long for the first buffer (64 KiB): the SCM
     * returns nothing and asks for more; the collector grows its buffer. */
    size_t n = 40000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'D', n);
    big[n] = '\0';
    fake_svc("small", "Small", SERVICE_WIN32_OWN_PROCESS, SERVICE_RUNNING);
    fake_svc("huge", big, SERVICE_WIN32_OWN_PROCESS, SERVICE_STOPPED);
    fake_svc("after", NULL, SERVICE_KERNEL_DRIVER, SERVICE_RUNNING);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 3);
    assert_string_equal(get(s, "huge")->display_name, big);
    assert_null(get(s, "after")->display_name);
    assert_string_equal(get(s, "small")->display_name, "Small");
    /* small (more data), huge alone does not fit (grow), huge+after. */
    assert_int_equal(fake_calls(FAKE_EnumServicesStatusExW), 3);
    free(big);
    bw_snapshot_free(s);
}

static void test_registry_only_and_bad_data(void **state)
{
    (void)state;
    const uint16_t bad_alt[] = {'3', 0xD800, 0};
    /* A driver added after the SCM started: only the registry has it. */
    fake_reg_dword(SVC "\\klhk", "Type", 1);
    fake_reg_dword(SVC "\\klhk", "Start", 1);
    fake_reg_raw(SVC "\\klhk", "ImagePath", REG_BINARY, "x", 1);
    fake_reg_raw(SVC "\\klhk", "Start2", REG_DWORD, "\1\0", 2);
    fake_reg_raw(SVC "\\klhk\\Instances\\a", "Altitude", REG_SZ, bad_alt, sizeof bad_alt);
    fake_reg_dword(SVC "\\klhk\\Instances\\b", "Altitude", 320500);
    fake_reg_sz(SVC "\\klhk\\Instances\\c", "Altitude", "320510");
    fake_reg_key(SVC "\\klhk\\Instances\\d");
    fake_reg_deny(SVC "\\klhk\\Instances\\d", ERROR_ACCESS_DENIED);
    /* Type of the wrong type: kept, with a gap. */
    fake_reg_sz(SVC "\\odd", "Type", "16");
    fake_reg_raw(SVC "\\odd", "Start", REG_DWORD, "\3\0\0\0\0\0", 6);
    /* A self-protected key: kept by name. */
    fake_reg_dword(SVC "\\klflt", "Type", 1);
    fake_reg_deny(SVC "\\klflt", ERROR_ACCESS_DENIED);

    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 3);
    const bw_service_entry *e = get(s, "klhk");
    assert_true(e->in_registry);
    assert_false(e->in_scm);
    assert_int_equal(e->type, 1);
    assert_int_equal(e->start, BW_START_SYSTEM);
    assert_null(e->image_path);
    assert_int_equal(e->altitudes.n, 1);
    assert_string_equal(e->altitudes.items[0], "320510");

    e = get(s, "odd");
    assert_false(e->has_type);
    assert_false(e->has_start);
    assert_true(e->in_registry);

    e = get(s, "klflt");
    assert_true(e->in_registry);
    assert_false(e->has_type);
    assert_string_equal(e->source, SVC "\\klflt");

    assert_int_equal(s->n_gaps, 7);
    assert_string_equal(s->gaps[0].where, SVC "\\klhk\\ImagePath");
    assert_string_equal(s->gaps[0].reason, "wrong value type REG_BINARY");
    assert_string_equal(s->gaps[1].where, SVC "\\klhk\\Instances\\a\\Altitude");
    assert_string_equal(s->gaps[1].reason, "invalid UTF-16");
    assert_string_equal(s->gaps[2].where, SVC "\\klhk\\Instances\\b\\Altitude");
    assert_string_equal(s->gaps[2].reason, "wrong value type REG_DWORD");
    assert_string_equal(s->gaps[3].where, SVC "\\klhk\\Instances\\d");
    assert_string_equal(s->gaps[3].reason, "access denied (5)");
    assert_string_equal(s->gaps[4].where, SVC "\\odd\\Type");
    assert_string_equal(s->gaps[4].reason, "wrong value type REG_SZ");
    assert_string_equal(s->gaps[5].where, SVC "\\odd\\Start");
    assert_string_equal(s->gaps[5].reason, "wrong value size 6 for REG_DWORD");
    assert_string_equal(s->gaps[6].where, SVC "\\klflt");
    assert_string_equal(s->gaps[6].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_scm_listed_without_type(void **state)
{
    (void)state;
    /* A key without Type is a service if the SCM lists it. */
    fake_svc("NoType", "Listed", SERVICE_WIN32_OWN_PROCESS, SERVICE_RUNNING);
    fake_reg_sz(SVC "\\notype", "ImagePath", "x.exe");
    fake_reg_sz(SVC "\\notype", "DisplayName", "ignored");
    fake_reg_sz(SVC "\\parameters-only", "ImagePath", "y.exe");
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 1);
    const bw_service_entry *e = get(s, "NoType");
    assert_true(e->in_registry);
    assert_true(e->in_scm);
    assert_string_equal(e->image_path, "x.exe");
    assert_string_equal(e->display_name, "Listed");
    assert_int_equal(e->type, SERVICE_WIN32_OWN_PROCESS);
    assert_string_equal(e->source, SVC "\\notype");
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_many_and_case(void **state)
{
    (void)state;
    /* Enough names to exercise the index's growth; case-insensitive
     * (Unicode-aware) merging. */
    char name[96];
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "Drv%03d", i);
        fake_svc(name, NULL, SERVICE_KERNEL_DRIVER, SERVICE_RUNNING);
        snprintf(name, sizeof name, SVC "\\DRV%03d", i);
        fake_reg_dword(name, "Type", 1);
    }
    fake_svc("Служба", "Кириллица", SERVICE_WIN32_OWN_PROCESS, SERVICE_RUNNING);
    fake_reg_dword(SVC "\\СЛУЖБА", "Type", 16);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_services, 601);
    const bw_service_entry *e = get(s, "drv599");
    assert_true(e->in_scm && e->in_registry);
    e = get(s, "служба");
    assert_true(e->in_scm && e->in_registry);
    assert_string_equal(e->name, "Служба");
    assert_string_equal(e->display_name, "Кириллица");
    assert_string_equal(e->source, SVC "\\СЛУЖБА");
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_scm_denied, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_registry_denied, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_enum_failure, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_scm_busy, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_paging, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_buffer_growth, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_registry_only_and_bad_data, fake_setup,
                                        fake_teardown),
        cmocka_unit_test_setup_teardown(test_scm_listed_without_type, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_many_and_case, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
