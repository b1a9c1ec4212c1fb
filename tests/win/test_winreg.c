/*
 * test_winreg.c - the registry helpers (bw_winreg.c) against the fake API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bw_winreg.h"
#include "fake_api.h"

#define K "HKLM\\SOFTWARE\\T"

static HKEY open_t(void)
{
    HKEY h = NULL;
    bw_win_status st;
    assert_int_equal(
        bw_win_reg_open(fake_api(), HKEY_LOCAL_MACHINE, "SOFTWARE\\T", KEY_WOW64_64KEY, &h, &st),
        BW_OK);
    assert_non_null(h);
    return h;
}

/* Reads string value `name` of K; returns the bw_err, *out the string. */
static bw_err read_str(const char *name, char **out, bw_win_status *st)
{
    HKEY h = open_t();
    bw_err err = bw_win_reg_string(fake_api(), h, name, out, st);
    bw_win_reg_close(fake_api(), h);
    fake_assert_no_leaks();
    return err;
}

static void test_error_map(void **state)
{
    (void)state;
    assert_int_equal(bw_win_error(ERROR_SUCCESS), BW_OK);
    assert_int_equal(bw_win_error(ERROR_FILE_NOT_FOUND), BW_ENOTFOUND);
    assert_int_equal(bw_win_error(ERROR_PATH_NOT_FOUND), BW_ENOTFOUND);
    assert_int_equal(bw_win_error(ERROR_SERVICE_DOES_NOT_EXIST), BW_ENOTFOUND);
    assert_int_equal(bw_win_error(ERROR_ACCESS_DENIED), BW_EACCES);
    assert_int_equal(bw_win_error(ERROR_NOT_ENOUGH_MEMORY), BW_ENOMEM);
    assert_int_equal(bw_win_error(ERROR_OUTOFMEMORY), BW_ENOMEM);
    assert_int_equal(bw_win_error(ERROR_INVALID_PARAMETER), BW_EINVAL);
    assert_int_equal(bw_win_error(ERROR_INVALID_HANDLE), BW_EINVAL);
    assert_int_equal(bw_win_error(ERROR_MORE_DATA), BW_ERANGE);
    assert_int_equal(bw_win_error(ERROR_INSUFFICIENT_BUFFER), BW_ERANGE);
    assert_int_equal(bw_win_error(ERROR_NO_UNICODE_TRANSLATION), BW_EENCODING);
    assert_int_equal(bw_win_error(ERROR_SHARING_VIOLATION), BW_EBUSY);
    assert_int_equal(bw_win_error(ERROR_REGISTRY_CORRUPT), BW_EIO);
    assert_int_equal(bw_win_error(12345), BW_ESYS);

    bw_win_status st;
    assert_int_equal(bw_win_status_set(&st, ERROR_ACCESS_DENIED), BW_EACCES);
    assert_int_equal(st.code, 5);
    assert_string_equal(st.reason, "access denied (5)");
    assert_int_equal(bw_win_status_set(&st, 12345), BW_ESYS);
    assert_string_equal(st.reason, "system error (12345)");
    assert_int_equal(bw_win_status_set(NULL, ERROR_FILE_NOT_FOUND), BW_ENOTFOUND);
}

static void test_path(void **state)
{
    (void)state;
    char *p;
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_64KEY, "SOFTWARE\\KasperskyLab");
    assert_string_equal(p, "HKLM\\SOFTWARE\\KasperskyLab");
    free(p);
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, "SOFTWARE\\KasperskyLab");
    assert_string_equal(p, "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab");
    free(p);
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, "Software");
    assert_string_equal(p, "HKLM\\Software\\WOW6432Node");
    free(p);
    /* Not under SOFTWARE, or already spelled out: unchanged. */
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, "SYSTEM\\CurrentControlSet");
    assert_string_equal(p, "HKLM\\SYSTEM\\CurrentControlSet");
    free(p);
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, "SOFTWAREX\\A");
    assert_string_equal(p, "HKLM\\SOFTWAREX\\A");
    free(p);
    p = bw_win_reg_path(HKEY_LOCAL_MACHINE, KEY_WOW64_32KEY, "SOFTWARE\\Wow6432Node\\A");
    assert_string_equal(p, "HKLM\\SOFTWARE\\Wow6432Node\\A");
    free(p);
    p = bw_win_reg_path(HKEY_USERS, KEY_WOW64_32KEY, "S-1-5-18\\Software");
    assert_string_equal(p, "HKU\\S-1-5-18\\Software");
    free(p);
    p = bw_win_reg_path(HKEY_USERS, 0, NULL);
    assert_string_equal(p, "HKU");
    free(p);
}

static void test_parse_root(void **state)
{
    (void)state;
    HKEY root = NULL;
    const char *rest = NULL;
    assert_int_equal(bw_win_reg_parse_root("HKLM\\SOFTWARE\\KasperskyLab", &root, &rest), BW_OK);
    assert_true(root == HKEY_LOCAL_MACHINE);
    assert_string_equal(rest, "SOFTWARE\\KasperskyLab");
    assert_int_equal(bw_win_reg_parse_root("hkey_local_machine\\SOFTWARE\\X", &root, &rest),
                     BW_OK);
    assert_true(root == HKEY_LOCAL_MACHINE);
    assert_string_equal(rest, "SOFTWARE\\X");
    assert_int_equal(bw_win_reg_parse_root("HKU\\S-1-5-18\\Software", &root, &rest), BW_OK);
    assert_true(root == HKEY_USERS);
    assert_string_equal(rest, "S-1-5-18\\Software");
    assert_int_equal(bw_win_reg_parse_root("HKEY_USERS\\.DEFAULT", &root, &rest), BW_OK);
    assert_true(root == HKEY_USERS);
    assert_int_equal(bw_win_reg_parse_root("HKCU\\Software", &root, &rest), BW_EINVAL);
    assert_int_equal(bw_win_reg_parse_root("HKLM\\", &root, &rest), BW_EINVAL);
    assert_int_equal(bw_win_reg_parse_root("HKLM", &root, &rest), BW_EINVAL);
    assert_int_equal(bw_win_reg_parse_root("HKLMX\\A", &root, &rest), BW_EINVAL);
    assert_int_equal(bw_win_reg_parse_root("SOFTWARE\\A", &root, &rest), BW_EINVAL);
    assert_int_equal(bw_win_reg_parse_root(NULL, &root, &rest), BW_EINVAL);
}

static void test_open(void **state)
{
    (void)state;
    bw_win_status st;
    HKEY h = (HKEY)1;
    fake_reg_key(K "\\Denied");
    fake_reg_deny(K "\\Denied", ERROR_ACCESS_DENIED);
    assert_int_equal(bw_win_reg_open(fake_api(), HKEY_LOCAL_MACHINE, "SOFTWARE\\Nope",
                                     KEY_WOW64_64KEY, &h, &st),
                     BW_ENOTFOUND);
    assert_null(h);
    assert_int_equal(st.code, ERROR_FILE_NOT_FOUND);
    assert_int_equal(bw_win_reg_open(fake_api(), HKEY_LOCAL_MACHINE, "SOFTWARE\\T\\Denied",
                                     KEY_WOW64_64KEY, &h, &st),
                     BW_EACCES);
    assert_string_equal(st.reason, "access denied (5)");
    /* Names are case-insensitive, as in the registry. */
    assert_int_equal(bw_win_reg_open(fake_api(), HKEY_LOCAL_MACHINE, "software\\t\\DENIED",
                                     KEY_WOW64_64KEY, &h, &st),
                     BW_EACCES);
    bw_win_reg_close(fake_api(), NULL);
    fake_assert_no_leaks();
}

static void test_string_plain(void **state)
{
    (void)state;
    char *s = NULL;
    bw_win_status st;
    fake_reg_sz(K, "A", "Kaspersky Endpoint Security");
    fake_reg_expand_sz(K, "E", "%ProgramFiles%\\Kaspersky Lab");
    fake_reg_sz(K, "Ru", "АО \"Лаборатория Касперского\"");
    fake_reg_sz(K, "Fr", "Agent d'administration de Kaspersky Security Center é");
    fake_reg_sz(K, "", "default");
    fake_reg_sz(K, "Empty", "");
    fake_reg_raw(K, "Zero", REG_SZ, "", 0);
    assert_int_equal(read_str("A", &s, &st), BW_OK);
    assert_string_equal(s, "Kaspersky Endpoint Security");
    free(s);
    assert_int_equal(read_str("E", &s, &st), BW_OK); /* not expanded */
    assert_string_equal(s, "%ProgramFiles%\\Kaspersky Lab");
    free(s);
    assert_int_equal(read_str("Ru", &s, &st), BW_OK);
    assert_string_equal(s, "АО \"Лаборатория Касперского\"");
    free(s);
    assert_int_equal(read_str("fr", &s, &st), BW_OK);
    assert_string_equal(s, "Agent d'administration de Kaspersky Security Center é");
    free(s);
    assert_int_equal(read_str(NULL, &s, &st), BW_OK);
    assert_string_equal(s, "default");
    free(s);
    assert_int_equal(read_str("Empty", &s, &st), BW_OK);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(read_str("Zero", &s, &st), BW_OK);
    assert_string_equal(s, "");
    free(s);
}

static void test_string_malformed(void **state)
{
    (void)state;
    char *s = NULL;
    bw_win_status st;
    const uint16_t nonul[] = {'a', 'b', 'c'};
    const unsigned char odd[] = {'a', 0, 'b', 0, 'c'}; /* 5 bytes: a stray byte */
    const uint16_t embedded[] = {'a', 'b', 0, 'c', 'd', 0};
    const uint16_t lone[] = {'a', 0xD800, 'b', 0};
    const uint16_t lone_low[] = {0xDC00, 0};
    const uint16_t pair[] = {'x', 0xD83D, 0xDE00, 0};   /* U+1F600 */
    const uint16_t after_nul[] = {'o', 'k', 0, 0xD800}; /* bad data after the end */
    fake_reg_raw(K, "NoNul", REG_SZ, nonul, sizeof nonul);
    fake_reg_raw(K, "Odd", REG_EXPAND_SZ, odd, sizeof odd);
    fake_reg_raw(K, "Embedded", REG_SZ, embedded, sizeof embedded);
    fake_reg_raw(K, "Lone", REG_SZ, lone, sizeof lone);
    fake_reg_raw(K, "LoneLow", REG_SZ, lone_low, sizeof lone_low);
    fake_reg_raw(K, "Pair", REG_SZ, pair, sizeof pair);
    fake_reg_raw(K, "AfterNul", REG_SZ, after_nul, sizeof after_nul);
    fake_reg_raw(K, "Bin", REG_BINARY, "abcd", 4);
    fake_reg_dword(K, "Dw", 7);
    fake_reg_raw(K, "Weird", 0x1234, "ab", 2);

    assert_int_equal(read_str("NoNul", &s, &st), BW_OK);
    assert_string_equal(s, "abc");
    free(s);
    assert_int_equal(read_str("Odd", &s, &st), BW_OK);
    assert_string_equal(s, "ab");
    free(s);
    assert_int_equal(read_str("Embedded", &s, &st), BW_OK);
    assert_string_equal(s, "ab");
    free(s);
    assert_int_equal(read_str("Pair", &s, &st), BW_OK);
    assert_string_equal(s, "x\xF0\x9F\x98\x80");
    free(s);
    assert_int_equal(read_str("AfterNul", &s, &st), BW_OK);
    assert_string_equal(s, "ok");
    free(s);

    s = (char *)1;
    assert_int_equal(read_str("Lone", &s, &st), BW_EENCODING);
    assert_null(s);
    assert_string_equal(st.reason, "invalid UTF-16");
    assert_int_equal(read_str("LoneLow", &s, &st), BW_EENCODING);
    assert_int_equal(read_str("Bin", &s, &st), BW_EINVAL);
    assert_null(s);
    assert_string_equal(st.reason, "wrong value type REG_BINARY");
    assert_int_equal(st.code, 0);
    assert_int_equal(read_str("Dw", &s, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type REG_DWORD");
    assert_int_equal(read_str("Weird", &s, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type 0x1234");
    assert_int_equal(read_str("Missing", &s, &st), BW_ENOTFOUND);
    assert_int_equal(st.code, ERROR_FILE_NOT_FOUND);
}

static void test_string_limits(void **state)
{
    (void)state;
    char *s = NULL;
    bw_win_status st;
    size_t n = BW_WIN_MAX_VALUE_BYTES / 2; /* exactly the limit, with the NUL */
    uint16_t *big = calloc(n + 1, sizeof *big);
    assert_non_null(big);
    for (size_t i = 0; i + 1 < n; i++)
        big[i] = 'a';
    fake_reg_raw(K, "Max", REG_SZ, big, n * 2);
    big[n - 1] = 'a';
    fake_reg_raw(K, "TooBig", REG_SZ, big, n * 2 + 2);
    free(big);
    assert_int_equal(read_str("Max", &s, &st), BW_OK);
    assert_int_equal(strlen(s), n - 1);
    free(s);
    assert_int_equal(read_str("TooBig", &s, &st), BW_ERANGE);
    assert_null(s);
    assert_string_equal(st.reason, "value too large (65538 bytes)");
}

static void test_string_errors(void **state)
{
    (void)state;
    char *s = NULL;
    bw_win_status st;
    fake_reg_sz(K, "Denied", "x");
    fake_reg_value_error(K, "Denied", ERROR_ACCESS_DENIED);
    fake_reg_sz(K, "Grows", "abc");
    fake_reg_value_grows(K, "Grows", 2);
    fake_reg_sz(K, "Forever", "abc");
    fake_reg_value_grows(K, "Forever", 1000);
    fake_reg_sz(K, "Flaky", "flaky");

    assert_int_equal(read_str("Denied", &s, &st), BW_EACCES);
    assert_null(s);
    assert_string_equal(st.reason, "access denied (5)");
    assert_int_equal(st.code, ERROR_ACCESS_DENIED);

    /* The value grows between size query and read, twice: read again. */
    unsigned before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(read_str("Grows", &s, &st), BW_OK);
    assert_string_equal(s, "abcXYXY");
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 6);

    /* ... and forever: give up after a bounded number of attempts. */
    before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(read_str("Forever", &s, &st), BW_EBUSY);
    assert_null(s);
    assert_string_equal(st.reason, "value keeps changing size (234)");
    assert_int_equal(st.code, ERROR_MORE_DATA);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 2 * BW_WIN_MAX_RETRIES);

    /* ERROR_MORE_DATA from the size query itself, then from the read. */
    before = fake_calls(FAKE_RegQueryValueExW);
    fake_fail(FAKE_RegQueryValueExW, before + 1, ERROR_MORE_DATA);
    fake_fail(FAKE_RegQueryValueExW, before + 3, ERROR_MORE_DATA);
    assert_int_equal(read_str("Flaky", &s, &st), BW_OK);
    assert_string_equal(s, "flaky");
    free(s);

    /* Any other error of the read is reported with its code. */
    before = fake_calls(FAKE_RegQueryValueExW);
    fake_fail(FAKE_RegQueryValueExW, before + 2, ERROR_REGISTRY_IO_FAILED);
    assert_int_equal(read_str("Flaky", &s, &st), BW_EIO);
    assert_null(s);
    assert_string_equal(st.reason, "input/output error (1016)");
}

static void test_dword(void **state)
{
    (void)state;
    bw_win_status st;
    uint32_t v = 99;
    fake_reg_dword(K, "One", 1);
    fake_reg_dword(K, "Big", 0xFFFFFFFFu);
    fake_reg_raw(K, "Short", REG_DWORD, "\x01\x00", 2);
    fake_reg_raw(K, "Long", REG_DWORD, "\x01\0\0\0\0\0\0\0\0\0", 10);
    fake_reg_raw(K, "Eight", REG_DWORD, "\x01\0\0\0\0\0\0\0", 8);
    fake_reg_sz(K, "Str", "1");
    fake_reg_raw(K, "Q", REG_QWORD, "\x01\0\0\0\0\0\0\0", 8);
    fake_reg_dword(K, "Denied", 1);
    fake_reg_value_error(K, "Denied", ERROR_ACCESS_DENIED);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    assert_int_equal(bw_win_reg_dword(api, h, "One", &v, &st), BW_OK);
    assert_int_equal(v, 1);
    assert_int_equal(bw_win_reg_dword(api, h, "Big", &v, &st), BW_OK);
    assert_int_equal(v, 0xFFFFFFFFu);
    assert_int_equal(bw_win_reg_dword(api, h, "Short", &v, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value size 2 for REG_DWORD");
    assert_int_equal(v, 0);
    assert_int_equal(bw_win_reg_dword(api, h, "Long", &v, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value size for REG_DWORD (over 8 bytes)");
    assert_int_equal(bw_win_reg_dword(api, h, "Eight", &v, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value size 8 for REG_DWORD");
    assert_int_equal(bw_win_reg_dword(api, h, "Str", &v, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type REG_SZ");
    assert_int_equal(bw_win_reg_dword(api, h, "Q", &v, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type REG_QWORD");
    assert_int_equal(bw_win_reg_dword(api, h, "Denied", &v, &st), BW_EACCES);
    assert_int_equal(bw_win_reg_dword(api, h, "Missing", &v, &st), BW_ENOTFOUND);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

static void test_multi_sz(void **state)
{
    (void)state;
    bw_win_status st;
    const char *three[] = {"klkbdflt", "kbdclass", "ähnlich"};
    const uint16_t no_final[] = {'a', 0, 'b'};
    const uint16_t stop_empty[] = {'a', 0, 0, 'b', 0, 0};
    const uint16_t bad[] = {'a', 0, 0xDBFF, 0, 0};
    fake_reg_multi_sz(K, "Three", three, 3, true);
    fake_reg_multi_sz(K, "NoDouble", three, 2, false);
    fake_reg_raw(K, "NoFinal", REG_MULTI_SZ, no_final, sizeof no_final);
    fake_reg_raw(K, "StopEmpty", REG_MULTI_SZ, stop_empty, sizeof stop_empty);
    fake_reg_raw(K, "Bad", REG_MULTI_SZ, bad, sizeof bad);
    fake_reg_raw(K, "Empty", REG_MULTI_SZ, "\0\0", 2);
    fake_reg_sz(K, "Sz", "klmouflt");
    fake_reg_sz(K, "SzEmpty", "");
    fake_reg_dword(K, "Dw", 1);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_strlist l = {0};

    assert_int_equal(bw_win_reg_multi_sz(api, h, "Three", false, &l, &st), BW_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0], "klkbdflt");
    assert_string_equal(l.items[1], "kbdclass");
    assert_string_equal(l.items[2], "ähnlich");
    bw_strlist_free(&l);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "NoDouble", false, &l, &st), BW_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[1], "kbdclass");
    bw_strlist_free(&l);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "NoFinal", false, &l, &st), BW_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0], "a");
    assert_string_equal(l.items[1], "b");
    bw_strlist_free(&l);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "StopEmpty", false, &l, &st), BW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "a");
    bw_strlist_free(&l);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Empty", false, &l, &st), BW_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Bad", false, &l, &st), BW_EENCODING);
    assert_string_equal(st.reason, "invalid UTF-16");
    assert_int_equal(l.n, 0); /* unchanged on failure */
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Sz", false, &l, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type REG_SZ");
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Sz", true, &l, &st), BW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "klmouflt");
    bw_strlist_free(&l);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "SzEmpty", true, &l, &st), BW_OK);
    assert_int_equal(l.n, 0);
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Dw", true, &l, &st), BW_EINVAL);
    assert_string_equal(st.reason, "wrong value type REG_DWORD");
    assert_int_equal(bw_win_reg_multi_sz(api, h, "Missing", true, &l, &st), BW_ENOTFOUND);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

static void test_subkeys(void **state)
{
    (void)state;
    bw_win_status st;
    const uint16_t lone[] = {'b', 'a', 'd', 0xD801};
    const uint16_t withnul[] = {'n', 0, 'l'};
    char longname[301];
    memset(longname, 'L', 300);
    longname[300] = '\0';
    char path[400];
    fake_reg_key(K "\\Alpha");
    fake_reg_key(K "\\Сервис");
    fake_reg_key_units(K, lone, 4);
    fake_reg_key_units(K, withnul, 3);
    snprintf(path, sizeof path, K "\\%s", longname);
    fake_reg_key(path);
    fake_reg_key(K "\\Omega");

    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_strlist l = {0};
    size_t bad = 99;
    assert_int_equal(bw_win_reg_subkeys(api, h, &l, &bad, &st), BW_OK);
    assert_int_equal(bad, 2);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.items[0], "Alpha");
    assert_string_equal(l.items[1], "Сервис");
    assert_string_equal(l.items[2], longname); /* longer than the first buffer */
    assert_string_equal(l.items[3], "Omega");
    bw_strlist_free(&l);

    /* A spurious ERROR_MORE_DATA grows the buffer and retries the index. */
    unsigned c = fake_calls(FAKE_RegEnumKeyExW);
    fake_fail(FAKE_RegEnumKeyExW, c + 1, ERROR_MORE_DATA);
    assert_int_equal(bw_win_reg_subkeys(api, h, &l, NULL, &st), BW_OK);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.items[0], "Alpha");
    bw_strlist_free(&l);

    /* An error part way keeps what was read. */
    c = fake_calls(FAKE_RegEnumKeyExW);
    fake_fail(FAKE_RegEnumKeyExW, c + 2, ERROR_ACCESS_DENIED);
    assert_int_equal(bw_win_reg_subkeys(api, h, &l, NULL, &st), BW_EACCES);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "Alpha");
    assert_string_equal(st.reason, "access denied (5)");
    bw_strlist_free(&l);

    /* ERROR_MORE_DATA forever: bounded. */
    c = fake_calls(FAKE_RegEnumKeyExW);
    for (unsigned i = 1; i <= 20; i++)
        fake_fail(FAKE_RegEnumKeyExW, c + i, ERROR_MORE_DATA);
    assert_int_equal(bw_win_reg_subkeys(api, h, &l, NULL, &st), BW_ERANGE);
    assert_int_equal(l.n, 0);
    assert_true(fake_calls(FAKE_RegEnumKeyExW) - c <= 20);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

static void test_value_names(void **state)
{
    (void)state;
    bw_win_status st;
    fake_reg_sz(K, "ProductName", "x");
    fake_reg_dword(K, "Ёлка", 1);
    fake_reg_sz(K, "", "default");
    HKEY h = open_t();
    bw_strlist l = {0};
    size_t bad = 9;
    assert_int_equal(bw_win_reg_value_names(fake_api(), h, &l, &bad, &st), BW_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0], "ProductName");
    assert_string_equal(l.items[1], "Ёлка");
    assert_string_equal(l.items[2], "");
    bw_strlist_free(&l);
    bw_win_reg_close(fake_api(), h);
    fake_assert_no_leaks();
}

static void test_views(void **state)
{
    (void)state;
    bw_win_status st;
    char *s = NULL;
    HKEY h = NULL;
    fake_reg_sz("HKLM\\SOFTWARE\\V", "Which", "64");
    fake_reg_sz("HKLM\\SOFTWARE\\WOW6432Node\\V", "Which", "32");
    const bw_api *api = fake_api();
    assert_true(bw_win_reg_has_wow64(api));
    assert_int_equal(
        bw_win_reg_open(api, HKEY_LOCAL_MACHINE, "SOFTWARE\\V", KEY_WOW64_32KEY, &h, &st), BW_OK);
    assert_int_equal(bw_win_reg_string(api, h, "Which", &s, &st), BW_OK);
    assert_string_equal(s, "32");
    free(s);
    bw_win_reg_close(api, h);
    assert_int_equal(
        bw_win_reg_open(api, HKEY_LOCAL_MACHINE, "SOFTWARE\\V", KEY_WOW64_64KEY, &h, &st), BW_OK);
    assert_int_equal(bw_win_reg_string(api, h, "Which", &s, &st), BW_OK);
    assert_string_equal(s, "64");
    free(s);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();

    fake_reset();
    fake_reg_key("HKLM\\SOFTWARE\\V");
    assert_false(bw_win_reg_has_wow64(api));
    fake_assert_no_leaks();
}

static void test_fields(void **state)
{
    (void)state;
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    fake_reg_sz(K, "Good", "g");
    fake_reg_raw(K, "Bin", REG_BINARY, "x", 1);
    fake_reg_dword(K, "D", 3);
    fake_reg_raw(K, "DBad", REG_SZ, "1\0", 2);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    char *a = NULL, *b = NULL, *c = NULL;
    uint32_t d = 0, e = 0;
    bool has_d = false, has_e = false;
    assert_int_equal(bw_win_reg_string_field(api, h, "HKLM\\SOFTWARE\\T", "Good", &a, snap),
                     BW_OK);
    assert_int_equal(bw_win_reg_string_field(api, h, "HKLM\\SOFTWARE\\T", "Bin", &b, snap),
                     BW_OK);
    assert_int_equal(bw_win_reg_string_field(api, h, "HKLM\\SOFTWARE\\T", "None", &c, snap),
                     BW_OK);
    assert_int_equal(bw_win_reg_dword_field(api, h, "HKLM\\SOFTWARE\\T", "D", &d, &has_d, snap),
                     BW_OK);
    assert_int_equal(
        bw_win_reg_dword_field(api, h, "HKLM\\SOFTWARE\\T", "DBad", &e, &has_e, snap), BW_OK);
    bw_win_reg_close(api, h);
    assert_string_equal(a, "g");
    assert_null(b);
    assert_null(c);
    assert_true(has_d);
    assert_int_equal(d, 3);
    assert_false(has_e);
    assert_int_equal(snap->n_gaps, 2);
    assert_string_equal(snap->gaps[0].where, "HKLM\\SOFTWARE\\T\\Bin");
    assert_string_equal(snap->gaps[0].reason, "wrong value type REG_BINARY");
    assert_string_equal(snap->gaps[1].where, "HKLM\\SOFTWARE\\T\\DBad");
    assert_string_equal(snap->gaps[1].reason, "wrong value type REG_SZ");
    free(a);
    bw_snapshot_free(snap);
    fake_assert_no_leaks();
}

/* ---- reads through a reused buffer (bw_win_regbuf) ------------------------ */

/* A UTF-8 string of n 'a' .. 'z' characters (caller frees). */
static char *long_text(size_t n)
{
    char *t = malloc(n + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        t[i] = (char)('a' + i % 26);
    t[n] = '\0';
    return t;
}

/* Each value is read with one call into the same buffer; what a longer
 * value left in it never shows in a shorter one read after it. */
static void test_buffer_reuse(void **state)
{
    (void)state;
    bw_win_status st;
    const uint16_t nonul[] = {'x', 'y'};
    const unsigned char odd[] = {'o', 0, 'k', 0, '!'};
    fake_reg_sz(K, "Long", "Kaspersky Endpoint Security for Windows");
    fake_reg_raw(K, "NoNul", REG_SZ, nonul, sizeof nonul);
    fake_reg_raw(K, "Odd", REG_SZ, odd, sizeof odd);
    fake_reg_raw(K, "Zero", REG_SZ, "", 0);
    fake_reg_raw(K, "Bin", REG_BINARY, "abcd", 4);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_win_regbuf buf = {0};
    char *s = NULL;

    unsigned before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(bw_win_reg_string_in(api, h, "Long", &buf, &s, &st), BW_OK);
    assert_string_equal(s, "Kaspersky Endpoint Security for Windows");
    free(s);
    assert_int_equal(buf.cap, BW_WIN_REGBUF_FIRST);
    const uint16_t *first = buf.units;
    assert_int_equal(bw_win_reg_string_in(api, h, "NoNul", &buf, &s, &st), BW_OK);
    assert_string_equal(s, "xy"); /* NUL from the byte count, not the old data */
    free(s);
    assert_int_equal(bw_win_reg_string_in(api, h, "Odd", &buf, &s, &st), BW_OK);
    assert_string_equal(s, "ok"); /* the odd byte dropped */
    free(s);
    assert_int_equal(bw_win_reg_string_in(api, h, "Zero", &buf, &s, &st), BW_OK);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 4);
    assert_ptr_equal(buf.units, first);
    assert_int_equal(buf.cap, BW_WIN_REGBUF_FIRST);

    /* Failures leave the buffer as it was, and *out NULL. */
    s = (char *)1;
    assert_int_equal(bw_win_reg_string_in(api, h, "Bin", &buf, &s, &st), BW_EINVAL);
    assert_null(s);
    assert_string_equal(st.reason, "wrong value type REG_BINARY");
    assert_int_equal(bw_win_reg_string_in(api, h, "Missing", &buf, &s, &st), BW_ENOTFOUND);
    assert_int_equal(st.code, ERROR_FILE_NOT_FOUND);
    assert_int_equal(buf.cap, BW_WIN_REGBUF_FIRST);

    /* NULL: a one-off read, the size asked first. */
    before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(bw_win_reg_string_in(api, h, "Long", NULL, &s, &st), BW_OK);
    assert_string_equal(s, "Kaspersky Endpoint Security for Windows");
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 2);

    bw_win_regbuf_free(&buf);
    assert_null(buf.units);
    assert_int_equal(buf.cap, 0);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

/* A value larger than the buffer: the read says ERROR_MORE_DATA, the size
 * is asked, the buffer grows to it and the value is read again; the grown
 * buffer then takes values of that size in one call. Sizes stay bounded. */
static void test_buffer_larger(void **state)
{
    (void)state;
    bw_win_status st;
    size_t n = BW_WIN_REGBUF_FIRST; /* 2n + 2 bytes in UTF-16 */
    char *big = long_text(n), *big2 = long_text(n - 1);
    fake_reg_sz(K, "Big", big);
    fake_reg_sz(K, "Big2", big2);
    size_t m = BW_WIN_MAX_VALUE_BYTES / 2; /* exactly the limit, with the NUL */
    char *max = long_text(m - 1), *over = long_text(m);
    fake_reg_sz(K, "Max", max);
    fake_reg_sz(K, "TooBig", over);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_win_regbuf buf = {0};
    char *s = NULL;

    unsigned before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(bw_win_reg_string_in(api, h, "Big", &buf, &s, &st), BW_OK);
    assert_string_equal(s, big);
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 3);
    assert_int_equal(buf.cap, 2 * n + 2);

    before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(bw_win_reg_string_in(api, h, "Big2", &buf, &s, &st), BW_OK);
    assert_string_equal(s, big2);
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 1);

    assert_int_equal(bw_win_reg_string_in(api, h, "Max", &buf, &s, &st), BW_OK);
    assert_int_equal(strlen(s), m - 1);
    free(s);
    assert_int_equal(buf.cap, BW_WIN_MAX_VALUE_BYTES);
    s = (char *)1;
    assert_int_equal(bw_win_reg_string_in(api, h, "TooBig", &buf, &s, &st), BW_ERANGE);
    assert_null(s);
    assert_string_equal(st.reason, "value too large (65538 bytes)");
    assert_int_equal(buf.cap, BW_WIN_MAX_VALUE_BYTES);

    bw_win_regbuf_free(&buf);
    free(big);
    free(big2);
    free(max);
    free(over);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

/* A value larger than the buffer that grows between the size query and the
 * read, twice: read again each time; forever: a bounded number of calls. */
static void test_buffer_grows(void **state)
{
    (void)state;
    bw_win_status st;
    char *big = long_text(BW_WIN_REGBUF_FIRST);
    fake_reg_sz(K, "Grows", big);
    fake_reg_value_grows(K, "Grows", 2);
    fake_reg_sz(K, "Forever", big);
    fake_reg_value_grows(K, "Forever", 1000);
    fake_reg_sz(K, "Flaky", "flaky");
    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_win_regbuf buf = {0};
    char *s = NULL;

    unsigned before = fake_calls(FAKE_RegQueryValueExW);
    assert_int_equal(bw_win_reg_string_in(api, h, "Grows", &buf, &s, &st), BW_OK);
    assert_int_equal(strlen(s), strlen(big) + 4);
    assert_memory_equal(s, big, strlen(big));
    assert_string_equal(s + strlen(big), "XYXY");
    free(s);
    /* read (too large), size, read (grew), size, read (grew), size, read */
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 7);

    bw_win_regbuf_free(&buf);
    before = fake_calls(FAKE_RegQueryValueExW);
    s = (char *)1;
    assert_int_equal(bw_win_reg_string_in(api, h, "Forever", &buf, &s, &st), BW_EBUSY);
    assert_null(s);
    assert_string_equal(st.reason, "value keeps changing size (234)");
    assert_int_equal(st.code, ERROR_MORE_DATA);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 2 * BW_WIN_MAX_RETRIES - 1);
    assert_true(buf.cap <= BW_WIN_MAX_VALUE_BYTES);

    /* ERROR_MORE_DATA from the first read, then from the size query. */
    before = fake_calls(FAKE_RegQueryValueExW);
    fake_fail(FAKE_RegQueryValueExW, before + 1, ERROR_MORE_DATA);
    fake_fail(FAKE_RegQueryValueExW, before + 2, ERROR_MORE_DATA);
    assert_int_equal(bw_win_reg_string_in(api, h, "Flaky", &buf, &s, &st), BW_OK);
    assert_string_equal(s, "flaky");
    free(s);
    assert_int_equal(fake_calls(FAKE_RegQueryValueExW) - before, 4);

    bw_win_regbuf_free(&buf);
    free(big);
    bw_win_reg_close(api, h);
    fake_assert_no_leaks();
}

/* The collector helper through a buffer: absent is no gap, a bad value is. */
static void test_buffer_fields(void **state)
{
    (void)state;
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    fake_reg_sz(K, "Good", "g");
    fake_reg_raw(K, "Bin", REG_BINARY, "x", 1);
    HKEY h = open_t();
    const bw_api *api = fake_api();
    bw_win_regbuf buf = {0};
    char *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(
        bw_win_reg_string_field_in(api, h, "HKLM\\SOFTWARE\\T", "Good", &buf, &a, snap), BW_OK);
    assert_int_equal(
        bw_win_reg_string_field_in(api, h, "HKLM\\SOFTWARE\\T", "Bin", &buf, &b, snap), BW_OK);
    assert_int_equal(
        bw_win_reg_string_field_in(api, h, "HKLM\\SOFTWARE\\T", "None", &buf, &c, snap), BW_OK);
    bw_win_reg_close(api, h);
    assert_string_equal(a, "g");
    assert_null(b);
    assert_null(c);
    assert_int_equal(snap->n_gaps, 1);
    assert_string_equal(snap->gaps[0].where, "HKLM\\SOFTWARE\\T\\Bin");
    assert_string_equal(snap->gaps[0].reason, "wrong value type REG_BINARY");
    free(a);
    bw_win_regbuf_free(&buf);
    bw_snapshot_free(snap);
    fake_assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_error_map, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_path, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_parse_root, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_open, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_string_plain, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_string_malformed, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_string_limits, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_string_errors, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_dword, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_multi_sz, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_subkeys, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_value_names, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_views, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_fields, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_buffer_reuse, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_buffer_larger, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_buffer_grows, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_buffer_fields, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
