/*
 * test_collect_connections.c - the TCP connection collector against the
 * fake API: rows, owning processes and their images, protected and exited
 * processes, a table that grows between calls, and handle accounting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/bw_collect.h"
#include "fake_api.h"

#define AVP "C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Total Security 21.3\\avp.exe"

static bw_snapshot *collect(void)
{
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_connections(fake_api(), snap), BW_OK);
    fake_assert_no_leaks();
    return snap;
}

static void test_rows_and_images(void **state)
{
    (void)state;
    fake_process(1200, AVP);
    fake_process(3000, "C:\\Program Files\\Browser\\browser.exe");
    fake_process(4, "System");
    fake_process_deny(4, ERROR_ACCESS_DENIED);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50001, FAKE_IP4(10, 0, 0, 1), 13111, 5, 1200);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50002, FAKE_IP4(10, 0, 0, 1), 13111, 3, 1200);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50003, FAKE_IP4(203, 0, 113, 7), 443, 5, 3000);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 445, FAKE_IP4(10, 0, 0, 9), 50100, 5, 4);
    fake_tcp4(FAKE_IP4(127, 0, 0, 1), 50004, FAKE_IP4(127, 0, 0, 1), 13000, 11, 0);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_connections, 5);

    const bw_connection_entry *c = &s->connections[0];
    assert_int_equal(c->pid, 1200);
    assert_string_equal(c->image, AVP);
    assert_null(c->image_note);
    assert_string_equal(c->local_addr, "10.0.0.5");
    assert_int_equal(c->local_port, 50001);
    assert_string_equal(c->remote_addr, "10.0.0.1");
    assert_int_equal(c->remote_port, 13111);
    assert_int_equal(c->state, BW_TCP_ESTABLISHED);
    assert_false(c->ipv6);
    assert_int_equal(s->connections[1].local_port, 50002);
    assert_int_equal(s->connections[1].state, BW_TCP_SYN_SENT);
    assert_string_equal(s->connections[1].image, AVP);
    assert_string_equal(s->connections[2].image, "C:\\Program Files\\Browser\\browser.exe");
    assert_string_equal(s->connections[2].remote_addr, "203.0.113.7");
    /* a protected or system process: no image, a note, no gap */
    assert_null(s->connections[3].image);
    assert_string_equal(s->connections[3].image_note, "open: access denied (5)");
    /* the idle process is not opened */
    assert_null(s->connections[4].image);
    assert_string_equal(s->connections[4].image_note, "system idle process");
    assert_int_equal(s->connections[4].state, BW_TCP_TIME_WAIT);
    /* each pid is opened once */
    assert_int_equal(fake_calls(FAKE_OpenProcess), 3);
    assert_int_equal(fake_calls(FAKE_QueryFullProcessImageNameW), 2);
    /* IPv4 then IPv6 */
    assert_int_equal(fake_calls(FAKE_GetExtendedTcpTable), 2);
    bw_snapshot_free(s);
}

static void test_empty_tables(void **state)
{
    (void)state;
    bw_snapshot *s = collect();
    assert_int_equal(s->n_connections, 0);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(fake_calls(FAKE_OpenProcess), 0);
    bw_snapshot_free(s);
}

static void test_ipv6(void **state)
{
    (void)state;
    static const uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    static const uint8_t remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0,
                                       0,    0,    0,    0,    0, 0, 0x13, 0x11};
    static const uint8_t loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t any[16] = {0};
    fake_process(1200, AVP);
    fake_tcp6(local, 50010, remote, 13111, 5, 1200);
    fake_tcp6(loop, 50011, any, 0, 8, 1200);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_connections, 2);
    assert_true(s->connections[0].ipv6);
    assert_string_equal(s->connections[0].local_addr, "2001:db8::1:0:0:1");
    assert_string_equal(s->connections[0].remote_addr, "2001:db8::1311");
    assert_int_equal(s->connections[0].remote_port, 13111);
    assert_string_equal(s->connections[0].image, AVP);
    assert_string_equal(s->connections[1].local_addr, "::1");
    assert_string_equal(s->connections[1].remote_addr, "::");
    assert_int_equal(s->connections[1].state, BW_TCP_CLOSE_WAIT);
    assert_int_equal(fake_calls(FAKE_OpenProcess), 1);
    bw_snapshot_free(s);
}

/* More rows than the first buffer holds, and rows added after each of
 * the first two size answers: the collector asks again with room. */
static void test_table_grows(void **state)
{
    (void)state;
    fake_process(1200, AVP);
    for (unsigned i = 0; i < 1000; i++)
        fake_tcp4(FAKE_IP4(10, 0, 0, 5), (uint16_t)(20000 + i), FAKE_IP4(10, 0, 0, 1), 13111, 5,
                  1200);
    fake_tcp_grow(2, 1000);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_connections, 3000);
    assert_int_equal(s->connections[2999].remote_port, 13111);
    assert_string_equal(s->connections[2999].image, AVP);
    assert_int_equal(fake_calls(FAKE_GetExtendedTcpTable), 4 + 1);
    assert_int_equal(fake_calls(FAKE_OpenProcess), 1);
    bw_snapshot_free(s);
}

/* A table that never fits: bounded retries, then a gap; IPv6 still read. */
static void test_table_keeps_growing(void **state)
{
    (void)state;
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    fake_process(1200, AVP);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50001, FAKE_IP4(10, 0, 0, 1), 13111, 5, 1200);
    fake_tcp6(a, 50010, a, 13111, 5, 1200);
    for (unsigned i = 1; i <= 8; i++)
        fake_fail(FAKE_GetExtendedTcpTable, i, ERROR_INSUFFICIENT_BUFFER);
    bw_snapshot *s = collect();
    assert_int_equal(fake_calls(FAKE_GetExtendedTcpTable), 8 + 1);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "TCP table (IPv4)");
    assert_string_equal(s->gaps[0].reason, "table kept growing (8 attempts)");
    assert_int_equal(s->n_connections, 1);
    assert_true(s->connections[0].ipv6);
    bw_snapshot_free(s);
}

static void test_table_errors(void **state)
{
    (void)state;
    fake_fail(FAKE_GetExtendedTcpTable, 1, ERROR_ACCESS_DENIED);
    fake_tcp6_unsupported();
    bw_snapshot *s = collect();
    /* IPv4 unreadable: a gap; no IPv6 stack: nothing to read, no gap */
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "TCP table (IPv4)");
    assert_non_null(strstr(s->gaps[0].reason, "(5)"));
    assert_int_equal(s->n_connections, 0);
    bw_snapshot_free(s);
}

/* The network store not answering yet is asked again after a short wait. */
static void test_table_not_ready(void **state)
{
    (void)state;
    fake_fail(FAKE_GetExtendedTcpTable, 1, ERROR_FILE_NOT_FOUND);
    fake_fail(FAKE_GetExtendedTcpTable, 2, ERROR_FILE_NOT_FOUND);
    fake_tcp6_unsupported();
    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(fake_slept_ms(), 500);
    bw_snapshot_free(s);
}

static void test_process_failures(void **state)
{
    (void)state;
    char longpath[600];
    memset(longpath, 'a', sizeof longpath);
    memcpy(longpath, "C:\\", 3);
    memcpy(longpath + sizeof longpath - 9, "\\avp.exe", 9); /* with the NUL */
    fake_process(10, longpath);
    fake_process(20, "C:\\x\\y.exe");
    fake_process_image_error(20, ERROR_INVALID_HANDLE);
    fake_process(30, "C:\\x\\z.exe");
    fake_process_deny(30, ERROR_NOT_ENOUGH_QUOTA);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50001, FAKE_IP4(10, 0, 0, 1), 13111, 5, 10);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50002, FAKE_IP4(10, 0, 0, 1), 13111, 5, 20);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50003, FAKE_IP4(10, 0, 0, 1), 13111, 5, 30);
    fake_tcp4(FAKE_IP4(10, 0, 0, 5), 50004, FAKE_IP4(10, 0, 0, 1), 13111, 5, 40); /* exited */
    bw_snapshot *s = collect();
    assert_int_equal(s->n_connections, 4);
    /* a path longer than MAX_PATH: read again with a larger buffer */
    assert_string_equal(s->connections[0].image, longpath);
    assert_null(s->connections[1].image);
    assert_null(s->connections[2].image);
    /* gone between the table and the open: a note only */
    assert_null(s->connections[3].image);
    assert_string_equal(s->connections[3].image_note, "process exited (87)");
    /* unexpected failures are gaps at the process */
    assert_int_equal(s->n_gaps, 2);
    assert_string_equal(s->gaps[0].where, "process 20");
    assert_non_null(strstr(s->gaps[0].reason, "image path: "));
    assert_non_null(strstr(s->gaps[0].reason, "(6)"));
    assert_string_equal(s->gaps[1].where, "process 30");
    assert_non_null(strstr(s->gaps[1].reason, "open: "));
    assert_non_null(strstr(s->gaps[1].reason, "(1816)"));
    assert_string_equal(s->connections[1].image_note, s->gaps[0].reason);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_and_images, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_empty_tables, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_table_grows, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_table_keeps_growing, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_table_errors, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_table_not_ready, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_process_failures, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
