/* test_str.c - unit tests for service/core/bw_str.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_str.h"

static void test_buf(void **state)
{
    (void)state;
    bw_buf b = {0};
    assert_int_equal(bw_buf_puts(&b, "abc"), BW_OK);
    assert_int_equal(bw_buf_printf(&b, "-%d-%s", 42, "x"), BW_OK);
    for (int i = 0; i < 1000; i++)
        bw_buf_putc(&b, 'z');
    assert_int_equal(b.len, 3 + 5 + 1000);
    assert_memory_equal(b.data, "abc-42-xzz", 10);
    char *s = bw_buf_take(&b);
    assert_non_null(s);
    assert_int_equal(strlen(s), 1008);
    assert_null(b.data);
    free(s);
    bw_buf empty = {0};
    s = bw_buf_take(&empty);
    assert_string_equal(s, "");
    free(s);
}

static void test_strlist(void **state)
{
    (void)state;
    bw_strlist l = {0};
    for (int i = 0; i < 20; i++)
        assert_int_equal(bw_strlist_add(&l, "x"), BW_OK);
    assert_int_equal(bw_strlist_add_owned(&l, NULL), BW_ENOMEM);
    assert_int_equal(l.n, 20);
    bw_strlist_free(&l);
    assert_int_equal(l.n, 0);
    bw_strlist_free(&l); /* twice is fine */
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(bw_utf8_valid("plain", 5));
    assert_true(bw_utf8_valid("Лаборатория", strlen("Лаборатория")));
    assert_false(bw_utf8_valid("\xC0\xAF", 2));         /* overlong '/' */
    assert_false(bw_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(bw_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(bw_utf8_valid("\xE2\x82", 2));         /* truncated */
    assert_false(bw_utf8_valid("\x80", 1));
}

static void test_utf8_valid_prefix(void **state)
{
    (void)state;
    assert_int_equal(bw_utf8_valid_prefix("", 0), 0);
    assert_int_equal(bw_utf8_valid_prefix("plain", 5), 5);
    assert_int_equal(bw_utf8_valid_prefix("é\xF0\x9F\x98\x80", 6), 6);
    /* the offset of the sequence's first byte, not of the byte that breaks it */
    assert_int_equal(bw_utf8_valid_prefix("ab\xE2\x82x", 5), 2);
    assert_int_equal(bw_utf8_valid_prefix("é\xC3\"", 4), 2);           /* truncated */
    assert_int_equal(bw_utf8_valid_prefix("x\xC0\xAF", 3), 1);         /* overlong '/' */
    assert_int_equal(bw_utf8_valid_prefix("\xED\xA0\x80", 3), 0);      /* surrogate */
    assert_int_equal(bw_utf8_valid_prefix("a\xF4\x90\x80\x80", 5), 1); /* > U+10FFFF */
    assert_int_equal(bw_utf8_valid_prefix("ab\x80", 3), 2);            /* stray continuation */
    assert_int_equal(bw_utf8_valid_prefix("ab\xFF", 3), 2);
    /* bounded by n: a sequence cut off by the bound is invalid */
    assert_int_equal(bw_utf8_valid_prefix("a\xD0\x9A", 2), 1);
    assert_int_equal(bw_utf8_valid_prefix("a\xD0\x9A", 3), 3);
}

static void test_casefold(void **state)
{
    (void)state;
    assert_int_equal(bw_casefold('K'), 'k');
    assert_int_equal(bw_casefold(0x00C9), 0x00E9); /* É */
    assert_int_equal(bw_casefold(0x00D7), 0x00D7); /* multiplication sign */
    assert_int_equal(bw_casefold(0x0141), 0x0142); /* Ł */
    assert_int_equal(bw_casefold(0x0178), 0x00FF); /* Ÿ */
    assert_int_equal(bw_casefold(0x041A), 0x043A); /* К */
    assert_int_equal(bw_casefold(0x0401), 0x0451); /* Ё */
    assert_int_equal(bw_casefold(0x0490), 0x0491); /* Ґ */
    assert_int_equal(bw_casefold(0x03A3), 0x03C3); /* Σ */
    assert_int_equal(bw_casefold(0x03C2), 0x03C3); /* ς */
    assert_int_equal(bw_casefold(0x1E9E), 0x00DF); /* ẞ */
    assert_int_equal(bw_casefold(0xFF2B), 0xFF4B); /* fullwidth K */
    assert_int_equal(bw_casefold(0x043A), 0x043A); /* already lower */
}

static void test_ieq(void **state)
{
    (void)state;
    assert_true(bw_ieq("Kaspersky Lab", "KASPERSKY LAB"));
    assert_true(bw_ieq("ЛАБОРАТОРИЯ КАСПЕРСКОГО", "лаборатория касперского"));
    assert_true(bw_ieq("Agent d'ADMINISTRATION", "agent d'administration"));
    assert_true(bw_ieq("ÉCOLE", "école"));
    assert_false(bw_ieq("Kaspersky", "Kaspersk"));
    assert_false(bw_ieq("école", "ecole")); /* folding is not accent stripping */
    assert_true(bw_ieq(NULL, NULL));
    assert_false(bw_ieq("a", NULL));
    /* invalid bytes compare only with themselves */
    assert_true(bw_ieq("a\xFF", "A\xFF"));
    assert_false(bw_ieq("a\xFF", "a\xFE"));
}

static void test_icontains(void **state)
{
    (void)state;
    assert_true(bw_icontains("Kaspersky Anti-Virus Driver", "kaspersky"));
    assert_true(bw_icontains("Служба Антивируса Касперского", "касперск"));
    assert_false(bw_icontains("Kasper Backup", "kaspersky"));
    assert_true(bw_icontains("anything", ""));
    assert_false(bw_icontains(NULL, "x"));
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(bw_glob("Kaspersky *", "kaspersky total security"));
    assert_false(bw_glob("Kaspersky *", "Kasper Backup"));
    assert_true(bw_glob("AVP[0-9]*", "AVP21.3"));
    assert_true(bw_glob("avp[0-9]*", "AVP16.0.0"));
    assert_false(bw_glob("AVP[0-9]*", "AVPlayerService"));
    assert_true(bw_glob("AVP[!a-z]*", "AVP21"));
    assert_true(bw_glob("klif", "KLIF"));
    assert_false(bw_glob("klif", "klifks"));
    assert_true(bw_glob("kl?f", "klif"));
    assert_true(bw_glob("*\\Kaspersky Lab\\*",
                        "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12\\avp.exe"));
    assert_false(bw_glob("*\\Kaspersky Lab\\*", "C:\\Program Files\\Kaspersky Labs\\x.exe"));
    assert_true(bw_glob("a[*]b", "a*b"));
    assert_false(bw_glob("a[*]b", "axb"));
    assert_true(bw_glob("a\\b*", "A\\Bcd"));
    assert_true(bw_glob("Антивирус Касперского*", "АНТИВИРУС КАСПЕРСКОГО 2024"));
    assert_true(bw_glob("*", ""));
    assert_false(bw_glob("?", ""));
    assert_true(bw_glob("MSSQL$KAV_CS_ADMIN_KIT", "mssql$kav_cs_admin_kit"));
    assert_true(bw_glob("a*b*c", "a-b-b-c"));
    assert_false(bw_glob("a*b*c", "a-b-b-"));
    assert_true(bw_glob("[é]cole", "École"));
    assert_false(bw_glob(NULL, "x"));
}

static void test_normalize(void **state)
{
    (void)state;
    char *a = bw_normalize("  АО «Лаборатория   Касперского» ");
    char *b = bw_normalize("АО \"лаборатория касперского\"");
    assert_non_null(a);
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = bw_normalize("AO\xC2\xA0Kaspersky\tLab");
    assert_string_equal(a, "ao kaspersky lab");
    free(a);
    assert_null(bw_normalize(NULL));
    /* invalid bytes stay where they were, spaces between them too: two of
     * them never join into a character (U+013F here) that a second pass
     * would fold, so normalising twice changes nothing */
    a = bw_normalize("\xC4\n\xBF?");
    assert_string_equal(a, "\xC4 \xBF?");
    b = bw_normalize(a);
    assert_string_equal(b, a);
    free(a);
    free(b);
    a = bw_normalize("  \xC3  \x89  x ");
    assert_string_equal(a, "\xC3 \x89 x");
    free(a);
}

static void test_utf16(void **state)
{
    (void)state;
    const uint16_t k[] = {0x041A, 'a', 0xD83D, 0xDE00, 0};
    char *s = NULL;
    assert_int_equal(bw_utf16_to_utf8(k, 5, &s), BW_OK);
    assert_string_equal(s, "Кa\xF0\x9F\x98\x80");
    uint16_t *w = NULL;
    size_t n = 0;
    assert_int_equal(bw_utf8_to_utf16(s, &w, &n), BW_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(w, k, 5 * sizeof *w);
    free(w);
    free(s);

    const uint16_t lone_high[] = {'a', 0xD800, 'b'};
    assert_int_equal(bw_utf16_to_utf8(lone_high, 3, &s), BW_EENCODING);
    assert_null(s);
    const uint16_t lone_low[] = {0xDC00};
    assert_int_equal(bw_utf16_to_utf8(lone_low, 1, &s), BW_EENCODING);
    const uint16_t high_at_end[] = {'x', 0xD801};
    assert_int_equal(bw_utf16_to_utf8(high_at_end, 2, &s), BW_EENCODING);
    /* stops at an embedded NUL, length bounded by n without a terminator */
    const uint16_t emb[] = {'a', 0, 'b'};
    assert_int_equal(bw_utf16_to_utf8(emb, 3, &s), BW_OK);
    assert_string_equal(s, "a");
    free(s);
    const uint16_t unterminated[] = {'a', 'b'};
    assert_int_equal(bw_utf16_to_utf8(unterminated, 2, &s), BW_OK);
    assert_string_equal(s, "ab");
    free(s);
    assert_int_equal(bw_utf8_to_utf16("\xC3\x28", &w, NULL), BW_EENCODING);
    assert_null(w);
}

/* Values for a terminal: control characters, C1 controls and invalid bytes
 * are written as \xHH, so that a value cannot move the cursor, recolour,
 * rewrite or break its line. */
/* Key names that are not valid UTF-16 are written escaped and read back to
 * the exact units. */
static void escaped_round_trip(const uint16_t *units, size_t n, const char *want, bool esc)
{
    char *s = NULL;
    bool escaped = !esc;
    assert_int_equal(bw_utf16_to_utf8_escaped(units, n, &s, &escaped), BW_OK);
    assert_string_equal(s, want);
    assert_true(escaped == esc);
    uint16_t *back = NULL;
    size_t len = 0;
    assert_int_equal(bw_name_to_utf16(s, &back, &len), BW_OK);
    assert_int_equal(len, n);
    assert_memory_equal(back, units, n * sizeof *units);
    assert_int_equal(back[len], 0);
    free(back);
    free(s);
}

static void test_escaped_names(void **state)
{
    (void)state;
    const uint16_t plain[] = {'K', 'E', 'S', 0x0416};
    escaped_round_trip(plain, 4, "KES\xd0\x96", false);
    const uint16_t lone_low[] = {'x', 0xDC00};
    escaped_round_trip(lone_low, 2, "x\\uDC00", true);
    const uint16_t lone_high[] = {0xD83D, 'a', 0xD800};
    escaped_round_trip(lone_high, 3, "\\uD83Da\\uD800", true);
    const uint16_t pair[] = {0xD83D, 0xDE00, '1'};
    escaped_round_trip(pair, 3,
                       "\xf0\x9f\x98\x80"
                       "1",
                       false);
    const uint16_t nul[] = {'A', 0, 'B'};
    escaped_round_trip(nul, 3, "A\\u0000B", true);
    /* a backslash that does not start \uXXXX: not a name this wrote */
    uint16_t *w = NULL;
    assert_int_equal(bw_name_to_utf16("a\\x", &w, NULL), BW_EENCODING);
    assert_int_equal(bw_name_to_utf16("a\\u12", &w, NULL), BW_EENCODING);
    assert_int_equal(bw_name_to_utf16("a\\u12G4", &w, NULL), BW_EENCODING);
    assert_int_equal(bw_name_to_utf16("\xff", &w, NULL), BW_EENCODING);
    assert_null(w);
    assert_int_equal(bw_name_to_utf16("\\uabcd", &w, NULL), BW_OK);
    assert_int_equal(w[0], 0xABCD);
    free(w);
}

static void test_text(void **state)
{
    (void)state;
    assert_true(bw_text_plain(NULL));
    assert_true(bw_text_plain(""));
    assert_true(bw_text_plain("HKLM\\SOFTWARE\\KasperskyLab \"AVP\" Касперский €"));
    assert_false(bw_text_plain("a\x1b[2Jb"));
    assert_false(bw_text_plain("a\tb"));
    assert_false(bw_text_plain("\x7f"));
    assert_false(bw_text_plain("\xc2\x9b"
                               "31m")); /* U+009B, CSI */
    assert_false(bw_text_plain("\xff"));
    assert_false(bw_text_plain("\xe2\x82")); /* truncated */

    bw_buf b = {0};
    assert_int_equal(bw_buf_put_text(&b, "plain Лаборатория \\ \xc2\xa0"), BW_OK);
    assert_string_equal(b.data, "plain Лаборатория \\ \xc2\xa0");
    bw_buf_free(&b);
    assert_int_equal(bw_buf_put_text(&b, "\x1b]0;pwned\x07x\r\n\tend\x7f"), BW_OK);
    assert_string_equal(b.data, "\\x1b]0;pwned\\x07x\\x0d\\x0a\\x09end\\x7f");
    bw_buf_free(&b);
    assert_int_equal(bw_buf_put_text(&b, "\xc2\x9b"
                                         "2J \xc2\x85|\xff\xc3(\xed\xa0\x80"),
                     BW_OK);
    assert_string_equal(b.data, "\\xc2\\x9b2J \\xc2\\x85|\\xff\\xc3(\\xed\\xa0\\x80");
    bw_buf_free(&b);
    assert_int_equal(bw_buf_put_text(&b, NULL), BW_OK);
    assert_int_equal(b.len, 0);
    bw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),        cmocka_unit_test(test_strlist),
        cmocka_unit_test(test_utf8_valid), cmocka_unit_test(test_utf8_valid_prefix),
        cmocka_unit_test(test_casefold),   cmocka_unit_test(test_ieq),
        cmocka_unit_test(test_icontains),  cmocka_unit_test(test_glob),
        cmocka_unit_test(test_normalize),  cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_text),       cmocka_unit_test(test_escaped_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
