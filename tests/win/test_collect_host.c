/*
 * test_collect_host.c - the host collector against the fake API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/bw_collect.h"
#include "fake_api.h"

static bw_snapshot *collect(void)
{
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_host(fake_api(), snap), BW_OK);
    fake_assert_no_leaks();
    return snap;
}

static void test_dns_name(void **state)
{
    (void)state;
    fake_set_computer_name("ws-042.corp.example", "WS-042");
    fake_set_filetime(133720416000000000ULL + 12345678ULL); /* + 1.2 s */
    bw_snapshot *s = collect();
    assert_string_equal(s->host, "ws-042.corp.example");
    assert_int_equal(s->taken_at, 1727568001); /* 2024-09-29T00:00:01Z */
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_fallback_and_long(void **state)
{
    (void)state;
    fake_set_computer_name(NULL, "ПОЧТА-É");
    bw_snapshot *s = collect();
    assert_string_equal(s->host, "ПОЧТА-É");
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);

    fake_reset(); /* a name longer than the first buffer: ERROR_MORE_DATA */
    char name[301];
    memset(name, 'h', 300);
    name[300] = '\0';
    fake_set_computer_name("", name); /* empty DNS name: fall back */
    s = collect();
    assert_string_equal(s->host, name);
    assert_int_equal(fake_calls(FAKE_GetComputerNameExW), 3);
    bw_snapshot_free(s);
}

static void test_no_name(void **state)
{
    (void)state;
    fake_set_computer_name(NULL, NULL);
    fake_set_filetime(116444736000000000ULL); /* the Unix epoch */
    bw_snapshot *s = collect();
    assert_null(s->host);
    assert_int_equal(s->taken_at, 0);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "computer name");
    assert_string_equal(s->gaps[0].reason,
                        "DNS host name: not found (2); NetBIOS name: not found (2)");
    bw_snapshot_free(s);

    fake_reset();
    fake_fail(FAKE_GetComputerNameExW, 1, ERROR_ACCESS_DENIED);
    s = collect();
    assert_string_equal(s->host, "HOST");
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dns_name, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_fallback_and_long, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_no_name, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
