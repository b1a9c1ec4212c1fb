/* test_appender.c - the rotating append-only files (bw_appender.c), on real
 * files through the system API table (run under Wine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_api.h"
#include "bw_appender.h"
#include "bw_winerr.h"

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void cleanup(const char *base)
{
    char name[64];
    remove(base);
    for (int i = 1; i <= 5; i++) {
        snprintf(name, sizeof name, "%s.%d", base, i);
        remove(name);
    }
}

static void test_append_and_rotate(void **state)
{
    (void)state;
    const char *base = "appender-test.log";
    cleanup(base);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(&bw_api_system, base, 100, 2, &a, &syserr), BW_OK);
    const char line[] = "0123456789012345678901234567890123456789\n"; /* 41 bytes */
    for (int i = 0; i < 2; i++)
        assert_int_equal(bw_appender_write(a, line, sizeof line - 1), BW_OK);
    assert_int_equal(file_size(base), 82);
    assert_int_equal(file_size("appender-test.log.1"), -1);
    /* the third line would pass 100 bytes: the file rotates first */
    assert_int_equal(bw_appender_write(a, line, sizeof line - 1), BW_OK);
    assert_int_equal(file_size(base), 41);
    assert_int_equal(file_size("appender-test.log.1"), 82);
    for (int i = 0; i < 4; i++)
        assert_int_equal(bw_appender_write(a, line, sizeof line - 1), BW_OK);
    /* keep = 2: .1 and .2 exist, never .3 */
    assert_true(file_size("appender-test.log.1") > 0);
    assert_true(file_size("appender-test.log.2") > 0);
    assert_int_equal(file_size("appender-test.log.3"), -1);
    bw_appender_close(a);

    /* reopening appends to what is there */
    long before = file_size(base);
    assert_int_equal(bw_appender_open(&bw_api_system, base, 1000, 2, &a, &syserr), BW_OK);
    assert_int_equal(bw_appender_write(a, "x\n", 2), BW_OK);
    bw_appender_close(a);
    assert_int_equal(file_size(base), before + 2);
    cleanup(base);
}

static void write_raw(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The tail is the end of what was written, the last rotation's end before
 * the live file's when that holds less; after a crash that cut a line, the
 * next line starts on a line of its own. */
static void test_tail_and_torn_line(void **state)
{
    (void)state;
    const char *base = "appender-tail.log";
    cleanup(base);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    bw_buf t = {0};
    assert_int_equal(bw_appender_open(&bw_api_system, base, 20, 2, &a, &syserr), BW_OK);
    assert_int_equal(bw_appender_tail(a, 100, &t), BW_OK); /* an empty file */
    assert_int_equal(t.len, 0);
    assert_int_equal(bw_appender_write(a, "first-line\n", 11), BW_OK);
    assert_int_equal(bw_appender_write(a, "second\n", 7), BW_OK);
    assert_int_equal(bw_appender_tail(a, 100, &t), BW_OK);
    assert_string_equal(t.data, "first-line\nsecond\n");
    bw_buf_free(&t);
    assert_int_equal(bw_appender_tail(a, 4, &t), BW_OK);
    assert_string_equal(t.data, "ond\n");
    bw_buf_free(&t);
    /* the next line rotates: the tail reaches back into .1 */
    assert_int_equal(bw_appender_write(a, "third\n", 6), BW_OK);
    assert_string_equal(read_all("appender-tail.log.1"), "first-line\nsecond\n");
    assert_int_equal(bw_appender_tail(a, 10, &t), BW_OK);
    assert_string_equal(t.data, "ond\nthird\n");
    bw_buf_free(&t);
    bw_appender_close(a);

    /* a line cut short (the process was killed in the middle of a write) */
    write_raw(base, "{\"event_id\":100}\n{\"event_id\":2");
    assert_int_equal(bw_appender_open(&bw_api_system, base, 1000, 2, &a, &syserr), BW_OK);
    assert_int_equal(bw_appender_write(a, "{\"event_id\":101}\n", 17), BW_OK);
    assert_int_equal(bw_appender_write(a, "{\"event_id\":102}\n", 17), BW_OK);
    bw_appender_close(a);
    assert_string_equal(read_all(base),
                        "{\"event_id\":100}\n{\"event_id\":2\n{\"event_id\":101}\n"
                        "{\"event_id\":102}\n");
    /* a whole last line gets nothing added */
    assert_int_equal(bw_appender_open(&bw_api_system, base, 1000, 2, &a, &syserr), BW_OK);
    assert_int_equal(bw_appender_write(a, "x\n", 2), BW_OK);
    bw_appender_close(a);
    assert_string_equal(read_all(base),
                        "{\"event_id\":100}\n{\"event_id\":2\n{\"event_id\":101}\n"
                        "{\"event_id\":102}\nx\n");
    cleanup(base);
}

/* ---- failures through the API table ------------------------------------------ */

/* The system table, with WriteFile failing on demand (after writing
 * `partial` bytes of the call, as a disk that fills up mid-line does). */
static bw_api flaky;
static struct {
    DWORD write_error;
    DWORD partial;
} inj;

static BOOL WINAPI flaky_WriteFile(HANDLE h, LPCVOID p, DWORD n, LPDWORD done, LPOVERLAPPED ov)
{
    if (!inj.write_error)
        return bw_api_system.WriteFile(h, p, n, done, ov);
    DWORD part = 0;
    if (inj.partial && inj.partial < n)
        bw_api_system.WriteFile(h, p, inj.partial, &part, ov);
    *done = part;
    SetLastError(inj.write_error);
    return FALSE;
}

static const bw_api *flaky_api(void)
{
    flaky = bw_api_system;
    flaky.WriteFile = flaky_WriteFile;
    memset(&inj, 0, sizeof inj);
    return &flaky;
}

/* What the appender told (bw_appender_on_trouble). */
static struct {
    unsigned calls;
    char path[128];
    unsigned long error, lost;
} told;

static void on_trouble(void *ctx, const bw_appender_trouble *t)
{
    assert_ptr_equal(ctx, &told);
    told.calls++;
    snprintf(told.path, sizeof told.path, "%s", t->path);
    told.error = t->error;
    told.lost = t->lost;
}

/* A full disk, a write-protected one, access denied: no line is half
 * there, the failure is told once however many writes fail, and writing
 * resumes by itself when it clears, telling how many lines were lost. */
static void test_write_failures_told_once(void **state)
{
    (void)state;
    static const DWORD errors[] = {ERROR_DISK_FULL, ERROR_WRITE_PROTECT, ERROR_ACCESS_DENIED};
    const char *base = "appender-fail.log";
    for (size_t k = 0; k < sizeof errors / sizeof errors[0]; k++) {
        cleanup(base);
        memset(&told, 0, sizeof told);
        bw_appender *a = NULL;
        unsigned long syserr = 0;
        assert_int_equal(bw_appender_open(flaky_api(), base, 1000, 2, &a, &syserr), BW_OK);
        bw_appender_on_trouble(a, on_trouble, &told);
        assert_int_equal(bw_appender_write(a, "before\n", 7), BW_OK);
        assert_int_equal(told.calls, 0);
        inj.write_error = errors[k];
        for (int i = 0; i < 5; i++)
            assert_int_equal(bw_appender_write(a, "lost\n", 5), BW_EIO);
        assert_int_equal(told.calls, 1);
        assert_string_equal(told.path, base);
        assert_int_equal(told.error, errors[k]);
        assert_int_equal(told.lost, 0);
        inj.write_error = 0;
        assert_int_equal(bw_appender_write(a, "after\n", 6), BW_OK);
        assert_int_equal(told.calls, 2);
        assert_int_equal(told.error, 0);
        assert_int_equal(told.lost, 5);
        assert_int_equal(bw_appender_write(a, "again\n", 6), BW_OK);
        assert_int_equal(told.calls, 2);
        bw_appender_close(a);
        assert_string_equal(read_all(base), "before\nafter\nagain\n");
    }
    cleanup(base);
    /* what 906 says about them */
    char why[64];
    bw_win_error_text(ERROR_DISK_FULL, why, sizeof why);
    assert_string_equal(why, "the disk is full (112)");
    bw_win_error_text(ERROR_HANDLE_DISK_FULL, why, sizeof why);
    assert_string_equal(why, "the disk is full (39)");
    bw_win_error_text(ERROR_WRITE_PROTECT, why, sizeof why);
    assert_string_equal(why, "the disk is write-protected (19)");
    bw_win_error_text(ERROR_ACCESS_DENIED, why, sizeof why);
    assert_string_equal(why, "access denied (5)");
    assert_int_equal(bw_win_error(ERROR_DISK_FULL), BW_EIO);
    assert_int_equal(bw_win_error(ERROR_WRITE_PROTECT), BW_EIO);
}

/* The disk fills in the middle of a line: what went stays on a line of its
 * own, the next line is whole. */
static void test_write_cut_short(void **state)
{
    (void)state;
    const char *base = "appender-cut.log";
    cleanup(base);
    memset(&told, 0, sizeof told);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(flaky_api(), base, 1000, 2, &a, &syserr), BW_OK);
    bw_appender_on_trouble(a, on_trouble, &told);
    inj.write_error = ERROR_DISK_FULL;
    inj.partial = 10;
    assert_int_equal(bw_appender_write(a, "{\"event_id\":200,\"name\":\"x\"}\n", 30), BW_EIO);
    inj.write_error = 0;
    assert_int_equal(bw_appender_write(a, "{\"event_id\":101}\n", 17), BW_OK);
    bw_appender_close(a);
    assert_string_equal(read_all(base), "{\"event_id\n{\"event_id\":101}\n");
    assert_int_equal(told.calls, 2);
    assert_int_equal(told.lost, 1);
    cleanup(base);
}

static void test_open_failure(void **state)
{
    (void)state;
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(&bw_api_system, "no-such-dir\\x.log", 100, 1, &a, &syserr),
                     BW_ENOTFOUND);
    assert_null(a);
    assert_int_equal(syserr, ERROR_PATH_NOT_FOUND);
    bw_appender_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_rotate),
        cmocka_unit_test(test_tail_and_torn_line),
        cmocka_unit_test(test_write_failures_told_once),
        cmocka_unit_test(test_write_cut_short),
        cmocka_unit_test(test_open_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
