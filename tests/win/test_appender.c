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
    snprintf(name, sizeof name, "%s.rotating", base);
    remove(name);
    snprintf(name, sizeof name, "%s.drop", base);
    remove(name);
}

/* More than any back-off the appender waits (milliseconds). */
#define BACKOFF_WAIT 60000

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
    DWORD move_error; /* MoveFileExW fails with it */
    unsigned moves;   /* MoveFileExW calls */
    ULONGLONG now;    /* GetTickCount64 */
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

static BOOL WINAPI flaky_MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags)
{
    inj.moves++;
    if (inj.move_error) {
        SetLastError(inj.move_error);
        return FALSE;
    }
    return bw_api_system.MoveFileExW(from, to, flags);
}

static ULONGLONG WINAPI flaky_GetTickCount64(void)
{
    return inj.now;
}

static const bw_api *flaky_api(void)
{
    flaky = bw_api_system;
    flaky.WriteFile = flaky_WriteFile;
    flaky.MoveFileExW = flaky_MoveFileExW;
    flaky.GetTickCount64 = flaky_GetTickCount64;
    memset(&inj, 0, sizeof inj);
    inj.now = 1000000;
    return &flaky;
}

/* What the appender told (bw_appender_on_trouble). */
static struct {
    unsigned calls;
    char path[128];
    unsigned long error, lost;
    bool rotation;
} told;

static void on_trouble(void *ctx, const bw_appender_trouble *t)
{
    assert_ptr_equal(ctx, &told);
    told.calls++;
    snprintf(told.path, sizeof told.path, "%s", t->path);
    told.error = t->error;
    told.rotation = t->rotation;
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

/* ---- rotation that another program blocks ----------------------------------------- */

/* Opens path the way a log shipper may: reading, without FILE_SHARE_DELETE,
 * so that it cannot be renamed or deleted while open. */
static HANDLE hold(const char *path)
{
    wchar_t w[128];
    assert_true(MultiByteToWideChar(CP_UTF8, 0, path, -1, w, 128) > 0);
    HANDLE h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    return h;
}

/* n lines of 20 bytes: "<tag>-<i>" padded. */
static void put_lines(bw_appender *a, const char *tag, int n)
{
    for (int i = 0; i < n; i++) {
        char line[21];
        snprintf(line, sizeof line, "%-11s%08d\n", tag, i);
        assert_int_equal(strlen(line), 20);
        assert_int_equal(bw_appender_write(a, line, 20), BW_OK);
    }
}

static char *dup_file(const char *path)
{
    char *s = strdup(read_all(path));
    assert_non_null(s);
    return s;
}

static void assert_file(const char *path, const char *want)
{
    assert_string_equal(read_all(path), want);
}

static void assert_gone(const char *path)
{
    assert_int_equal(file_size(path), -1);
}

/* The live file is held open by a reader: the rotation is refused, the
 * older copies stay as they were, the file grows up to twice its limit and
 * no further (told once), retries wait 1 s, 2 s, ...; once the reader lets
 * go, the next retry rotates and writing resumes. */
static void test_rotation_blocked_by_reader(void **state)
{
    (void)state;
    const char *base = "appender-held.log";
    cleanup(base);
    memset(&told, 0, sizeof told);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(flaky_api(), base, 100, 2, &a, &syserr), BW_OK);
    bw_appender_on_trouble(a, on_trouble, &told);
    put_lines(a, "gen1", 5); /* 100 bytes */
    put_lines(a, "gen2", 5); /* rotated: gen1 in .1 */
    put_lines(a, "gen3", 5); /* gen2 in .1, gen1 in .2 */
    char *one = dup_file("appender-held.log.1"), *two = dup_file("appender-held.log.2");
    assert_non_null(strstr(one, "gen2"));
    assert_non_null(strstr(two, "gen1"));

    HANDLE reader = hold(base);
    unsigned moves = inj.moves;
    put_lines(a, "gen4", 1); /* past the limit: the rotation is refused */
    assert_true(inj.moves > moves);
    assert_int_equal(file_size(base), 120);
    assert_file("appender-held.log.1", one);
    assert_file("appender-held.log.2", two);
    assert_gone("appender-held.log.rotating");
    assert_gone("appender-held.log.drop");
    /* within the back-off no rename is tried, however many lines come */
    moves = inj.moves;
    put_lines(a, "gen4", 4);
    assert_int_equal(inj.moves, moves);
    assert_int_equal(file_size(base), 200);
    assert_int_equal(told.calls, 0);
    /* twice the limit: lines are refused, told once, the file stays */
    for (int i = 0; i < 5; i++)
        assert_int_equal(bw_appender_write(a, "gen5-refused-line..\n", 20), BW_EIO);
    assert_int_equal(told.calls, 1);
    assert_true(told.rotation);
    assert_int_equal(told.error, ERROR_SHARING_VIOLATION);
    assert_int_equal(file_size(base), 200);
    /* 1 s later it is tried again (still held), then only after 2 s more */
    inj.now += 1000;
    moves = inj.moves;
    assert_int_equal(bw_appender_write(a, "gen5-refused-line..\n", 20), BW_EIO);
    assert_true(inj.moves > moves);
    moves = inj.moves;
    inj.now += 1999;
    assert_int_equal(bw_appender_write(a, "gen5-refused-line..\n", 20), BW_EIO);
    assert_int_equal(inj.moves, moves);
    assert_file("appender-held.log.1", one);
    assert_file("appender-held.log.2", two);
    assert_int_equal(told.calls, 1);

    /* the reader lets go: the next retry rotates */
    CloseHandle(reader);
    inj.now += 1;
    assert_int_equal(bw_appender_write(a, "gen6-after.........\n", 20), BW_OK);
    assert_int_equal(told.calls, 2);
    assert_int_equal(told.error, 0);
    assert_true(told.rotation);
    assert_int_equal(told.lost, 7);
    assert_file(base, "gen6-after.........\n");
    assert_int_equal(file_size("appender-held.log.1"), 200); /* the grown file */
    assert_file("appender-held.log.2", one);                 /* gen1 went: the oldest */
    assert_gone("appender-held.log.rotating");
    assert_gone("appender-held.log.drop");
    /* and it rotates at the limit again, at once */
    put_lines(a, "gen7", 4);
    assert_int_equal(file_size(base), 20 + 80);
    put_lines(a, "gen8", 1);
    assert_file(base, "gen8       00000000\n");
    bw_appender_close(a);
    free(one);
    free(two);
    cleanup(base);
}

/* An older copy is held: the shift is undone, every file is as it was, no
 * "<path>.rotating" or "<path>.drop" is left; then it goes through. */
static void test_rotation_blocked_on_older_copy(void **state)
{
    (void)state;
    const char *base = "appender-old.log";
    cleanup(base);
    memset(&told, 0, sizeof told);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(flaky_api(), base, 100, 3, &a, &syserr), BW_OK);
    bw_appender_on_trouble(a, on_trouble, &told);
    put_lines(a, "gen1", 5);
    put_lines(a, "gen2", 5);
    put_lines(a, "gen3", 5);
    put_lines(a, "gen4", 5); /* live gen4, .1 gen3, .2 gen2, .3 gen1 */
    char *live = dup_file(base), *one = dup_file("appender-old.log.1");
    char *two = dup_file("appender-old.log.2"), *three = dup_file("appender-old.log.3");
    HANDLE reader = hold("appender-old.log.1");
    put_lines(a, "gen5", 1);
    assert_int_equal(file_size(base), 120); /* the line went to the live file */
    assert_file("appender-old.log.1", one);
    assert_file("appender-old.log.2", two);
    assert_file("appender-old.log.3", three); /* the oldest was not deleted */
    assert_gone("appender-old.log.rotating");
    assert_gone("appender-old.log.drop");
    assert_int_equal(strncmp(read_all(base), live, 100), 0);
    CloseHandle(reader);
    inj.now += 1000;
    put_lines(a, "gen6", 1);
    assert_file(base, "gen6       00000000\n");
    assert_int_equal(file_size("appender-old.log.1"), 120);
    assert_file("appender-old.log.2", one);
    assert_file("appender-old.log.3", two); /* gen1 went */
    assert_int_equal(told.calls, 0);        /* never at the hard limit: nothing to tell */
    bw_appender_close(a);
    free(live);
    free(one);
    free(two);
    free(three);
    cleanup(base);
}

/* Renames refused for another reason (access denied, through the table):
 * the same, and the error is the one told at the hard limit. */
static void test_rotation_refused(void **state)
{
    (void)state;
    const char *base = "appender-denied.log";
    cleanup(base);
    memset(&told, 0, sizeof told);
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(flaky_api(), base, 100, 2, &a, &syserr), BW_OK);
    bw_appender_on_trouble(a, on_trouble, &told);
    put_lines(a, "gen1", 5);
    put_lines(a, "gen2", 5);
    char *one = dup_file("appender-denied.log.1");
    inj.move_error = ERROR_ACCESS_DENIED;
    put_lines(a, "gen3", 5); /* 200 bytes: up to the hard limit */
    assert_int_equal(bw_appender_write(a, "refused............\n", 20), BW_EIO);
    assert_int_equal(told.calls, 1);
    assert_int_equal(told.error, ERROR_ACCESS_DENIED);
    assert_true(told.rotation);
    assert_file("appender-denied.log.1", one);
    assert_gone("appender-denied.log.2");
    assert_gone("appender-denied.log.rotating");
    inj.move_error = 0;
    inj.now += BACKOFF_WAIT;
    assert_int_equal(bw_appender_write(a, "after..............\n", 20), BW_OK);
    assert_int_equal(told.calls, 2);
    assert_int_equal(told.lost, 1);
    assert_file("appender-denied.log.2", one);
    bw_appender_close(a);
    free(one);
    cleanup(base);
}

/* A rotation a crash cut short ("<path>.rotating" and "<path>.drop" left)
 * is finished when the file is opened again. */
static void test_rotation_finished_after_crash(void **state)
{
    (void)state;
    const char *base = "appender-crash.log";
    cleanup(base);
    write_raw("appender-crash.log.rotating", "staged\n");
    write_raw("appender-crash.log.drop", "oldest\n");
    write_raw("appender-crash.log.1", "one\n");
    write_raw(base, "new\n");
    bw_appender *a = NULL;
    unsigned long syserr = 0;
    assert_int_equal(bw_appender_open(flaky_api(), base, 100, 2, &a, &syserr), BW_OK);
    assert_file("appender-crash.log.1", "staged\n");
    assert_file("appender-crash.log.2", "one\n");
    assert_file(base, "new\n");
    assert_gone("appender-crash.log.rotating");
    assert_gone("appender-crash.log.drop");
    bw_appender_close(a);
    cleanup(base);

    /* cut short after the oldest went to .drop and .2 moved up: the gap
     * at .2 is filled, nothing more is deleted */
    write_raw("appender-crash.log.rotating", "staged\n");
    write_raw("appender-crash.log.drop", "was 3\n");
    write_raw("appender-crash.log.3", "was 2\n");
    write_raw("appender-crash.log.1", "one\n");
    assert_int_equal(bw_appender_open(flaky_api(), base, 100, 3, &a, &syserr), BW_OK);
    assert_file("appender-crash.log.1", "staged\n");
    assert_file("appender-crash.log.2", "one\n");
    assert_file("appender-crash.log.3", "was 2\n");
    assert_gone("appender-crash.log.drop");
    assert_gone("appender-crash.log.rotating");
    bw_appender_close(a);
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
        cmocka_unit_test(test_rotation_blocked_by_reader),
        cmocka_unit_test(test_rotation_blocked_on_older_copy),
        cmocka_unit_test(test_rotation_refused),
        cmocka_unit_test(test_rotation_finished_after_crash),
        cmocka_unit_test(test_open_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
