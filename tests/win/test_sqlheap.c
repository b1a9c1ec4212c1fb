/*
 * test_sqlheap.c - SQLite's memory in a heap of its own (bw_sqlheap.c),
 * under Wine: configured before SQLite starts, a database works, and
 * SQLite's memory is counted in its own heap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "bw_sqlheap.h"

/* The real table, counting the heap calls. */
static bw_api table;
static int creates, allocs, frees;

static HANDLE WINAPI c_HeapCreate(DWORD f, SIZE_T a, SIZE_T b)
{
    creates++;
    return bw_api_system.HeapCreate(f, a, b);
}
static LPVOID WINAPI c_HeapAlloc(HANDLE h, DWORD f, SIZE_T n)
{
    allocs++;
    return bw_api_system.HeapAlloc(h, f, n);
}
static BOOL WINAPI c_HeapFree(HANDLE h, DWORD f, LPVOID p)
{
    frees++;
    return bw_api_system.HeapFree(h, f, p);
}

static void test_private_heap(void **state)
{
    (void)state;
    table = bw_api_system;
    table.HeapCreate = c_HeapCreate;
    table.HeapAlloc = c_HeapAlloc;
    table.HeapFree = c_HeapFree;
    assert_int_equal(bw_win_sqlite_heap(&table), BW_OK);
    assert_int_equal(bw_win_sqlite_heap(&table), BW_OK); /* once is enough */

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(creates, 1);
    char *err = NULL;
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                  "FROM n WHERE i < 2000) "
                                  "INSERT INTO t SELECT i, printf('row %d', i) FROM n;",
                                  NULL, NULL, &err),
                     SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), max(b) FROM t", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2000);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "row 999");
    sqlite3_finalize(st);
    assert_true(allocs > 0);
    assert_true(sqlite3_memory_used() > 0);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_true(frees > 0);
    assert_int_equal(creates, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
