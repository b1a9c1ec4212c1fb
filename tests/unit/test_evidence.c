/* test_evidence.c - unit tests for the update evidence parsers (bw_evidence.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_evidence.h"
#include "bw_time.h"
#include "bw_report.h"

/* 2024-09-29T04:00:00Z and its neighbours */
#define CUTOFF INT64_C(1727582400)

/* Copies text into an exactly sized heap buffer (no NUL after it), so that
 * a read past the end is caught by the address sanitizer. */
static unsigned char *exact(const void *text, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    assert_non_null(b);
    if (n)
        memcpy(b, text, n);
    return b;
}

static bw_err index_str(const char *text, bw_evidence_time *r)
{
    size_t n = strlen(text);
    unsigned char *b = exact(text, n);
    bw_err err = bw_evidence_parse_index(b, n, r);
    free(b);
    assert_int_equal(err, r->err);
    return err;
}

static bw_err stt_str(const char *text, bw_evidence_time *r)
{
    size_t n = strlen(text);
    unsigned char *b = exact(text, n);
    bw_err err = bw_evidence_parse_kdb_stt(b, n, r);
    free(b);
    assert_int_equal(err, r->err);
    return err;
}

static bw_err bases_str(const char *text, bw_evidence_time *r)
{
    size_t n = strlen(text);
    unsigned char *b = exact(text, n);
    bw_err err = bw_evidence_parse_bases_date((const char *)b, n, r);
    free(b);
    assert_int_equal(err, r->err);
    return err;
}

/* ASCII text as UTF-16LE, optionally behind a BOM; *n receives the size. */
static unsigned char *utf16le(const char *text, bool bom, size_t *n)
{
    size_t len = strlen(text), off = bom ? 2 : 0;
    *n = off + 2 * len;
    unsigned char *b = malloc(*n);
    assert_non_null(b);
    if (bom) {
        b[0] = 0xFF;
        b[1] = 0xFE;
    }
    for (size_t i = 0; i < len; i++) {
        b[off + 2 * i] = (unsigned char)text[i];
        b[off + 2 * i + 1] = 0;
    }
    return b;
}

static void assert_when(const bw_evidence_time *r, const char *iso)
{
    char buf[21];
    assert_int_equal(r->err, BW_OK);
    assert_false(r->never);
    bw_format_utc(r->when, buf);
    assert_string_equal(buf, iso);
}

/* ---- calendar ---------------------------------------------------------- */

static void test_calendar(void **state)
{
    (void)state;
    assert_true(bw_leap_year(2024));
    assert_true(bw_leap_year(2000));
    assert_false(bw_leap_year(1900));
    assert_false(bw_leap_year(2023));
    assert_int_equal(bw_days_in_month(2024, 2), 29);
    assert_int_equal(bw_days_in_month(2023, 2), 28);
    assert_int_equal(bw_days_in_month(2024, 4), 30);
    assert_int_equal(bw_days_in_month(2024, 12), 31);
    assert_int_equal(bw_days_in_month(2024, 0), 0);
    assert_int_equal(bw_days_in_month(2024, 13), 0);
    assert_int_equal(bw_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(bw_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(bw_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(bw_days_from_civil(2024, 9, 29) * 86400 + 4 * 3600, CUTOFF);
}

static void test_civil_validator(void **state)
{
    (void)state;
    int64_t t = -1;
    const char *why = NULL;
    assert_int_equal(bw_civil_to_unix(2024, 9, 29, 4, 0, 0, &t, &why), BW_OK);
    assert_int_equal(t, CUTOFF);
    assert_string_equal(why, "");
    assert_int_equal(bw_civil_to_unix(1970, 1, 1, 0, 0, 0, &t, NULL), BW_OK);
    assert_int_equal(t, 0);
    assert_int_equal(bw_civil_to_unix(9999, 12, 31, 23, 59, 59, &t, NULL), BW_OK);
    assert_int_equal(t, BW_EVIDENCE_MAX_TIME);
    /* leap days */
    assert_int_equal(bw_civil_to_unix(2024, 2, 29, 0, 0, 0, &t, NULL), BW_OK);
    assert_int_equal(bw_civil_to_unix(2000, 2, 29, 0, 0, 0, &t, NULL), BW_OK);
    assert_int_equal(bw_civil_to_unix(2023, 2, 29, 0, 0, 0, &t, &why), BW_EPARSE);
    assert_string_equal(why, "no such day in that month");
    assert_int_equal(bw_civil_to_unix(2100, 2, 29, 0, 0, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 4, 31, 0, 0, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 1, 0, 0, 0, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 0, 1, 0, 0, 0, &t, &why), BW_EPARSE);
    assert_string_equal(why, "month not 01-12");
    assert_int_equal(bw_civil_to_unix(2024, 13, 1, 0, 0, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 1, 1, 24, 0, 0, &t, &why), BW_EPARSE);
    assert_string_equal(why, "hour not 00-23");
    assert_int_equal(bw_civil_to_unix(2024, 1, 1, -1, 0, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 1, 1, 0, 60, 0, &t, NULL), BW_EPARSE);
    assert_int_equal(bw_civil_to_unix(2024, 1, 1, 0, 0, 60, &t, NULL), BW_EPARSE);
    /* range */
    assert_int_equal(bw_civil_to_unix(1969, 12, 31, 23, 59, 59, &t, &why), BW_ERANGE);
    assert_string_equal(why, "year before 1970");
    assert_int_equal(bw_civil_to_unix(10000, 1, 1, 0, 0, 0, &t, &why), BW_ERANGE);
    assert_string_equal(why, "year after 9999");
    assert_int_equal(bw_civil_to_unix(INT64_MAX, 1, 1, 0, 0, 0, &t, NULL), BW_ERANGE);
    assert_int_equal(bw_civil_to_unix(INT64_MIN, 1, 1, 0, 0, 0, &t, NULL), BW_ERANGE);
}

/* The converter agrees with bw_format_utc (its inverse) across the range. */
static void test_civil_roundtrip(void **state)
{
    (void)state;
    for (int64_t t = 0; t <= BW_EVIDENCE_MAX_TIME; t += INT64_C(86400) * 3 + 3907) {
        char iso[21];
        bw_format_utc(t, iso);
        int y, mo, d, h, mi, s;
        assert_int_equal(sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &s), 6);
        int64_t back = -1;
        assert_int_equal(bw_civil_to_unix(y, mo, d, h, mi, s, &back, NULL), BW_OK);
        assert_int_equal(back, t);
    }
}

/* ---- bases index XML ---------------------------------------------------- */

static void test_index_update_date(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(index_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                               "<UpdateFiles UpdateDate=\"30092024 1215\" Blob=\"x\">\n"
                               "  <FileDescription Filename=\"a.kdc\"/>\n"
                               "</UpdateFiles>\n",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-09-30T12:15:00Z");
    assert_int_equal(r.found, 1);
    assert_int_equal(r.malformed, 0);
    assert_false(r.truncated);
    assert_string_equal(r.reason, "");

    /* single quotes, white space around '=' and inside the value */
    assert_int_equal(index_str("<Index  UpdateDate = ' 01012024 0000 ' />", &r), BW_OK);
    assert_when(&r, "2024-01-01T00:00:00Z");

    /* attribute names compare case-insensitively */
    assert_int_equal(index_str("<a updatedate=\"02012024 0000\"/>", &r), BW_OK);
    assert_when(&r, "2024-01-02T00:00:00Z");

    /* any element may carry it */
    assert_int_equal(index_str("<r><x><y UpdateDate=\"29022024 2359\"></y></x></r>", &r), BW_OK);
    assert_when(&r, "2024-02-29T23:59:00Z");
}

static void test_index_update_elements(void **state)
{
    (void)state;
    bw_evidence_time r;
    /* KDBEFI entries stand for the bases when present: the newer non-KDBEFI
     * Update is not taken */
    assert_int_equal(index_str("<Updates>"
                               "<Update CompID=\"KDBEFI_A\" Date=\"01102024 0100\"/>"
                               "<Update Date=\"05102024 0100\" CompID=\"KDBEFI_B\"/>"
                               "<Update CompID=\"AVS\" Date=\"01012030 0000\"/>"
                               "</Updates>",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-10-05T01:00:00Z");
    assert_int_equal(r.found, 2);

    /* without KDBEFI, any Update element's Date */
    assert_int_equal(index_str("<Updates><Update CompID='AVS' Date='03102024 0700'/>"
                               "<Update Date='02102024 0700'/></Updates>",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-10-03T07:00:00Z");

    /* Date on other elements does not count; a namespace prefix is ignored */
    assert_int_equal(
        index_str("<File Date=\"01012030 0000\"/><k:Update Date=\"04102024 0000\"/>", &r), BW_OK);
    assert_when(&r, "2024-10-04T00:00:00Z");
    assert_int_equal(index_str("<File Date=\"01012030 0000\"/>", &r), BW_ENOTFOUND);

    /* UpdateDate and Update Date together: the newest */
    assert_int_equal(index_str("<Root UpdateDate=\"01102024 0000\">"
                               "<Update CompID=\"KDBEFI\" Date=\"01102024 0001\"/></Root>",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-10-01T00:01:00Z");
    assert_int_equal(r.found, 2);

    /* a duplicate Date is counted as malformed, the first one is kept */
    assert_int_equal(index_str("<Update Date=\"01102024 0000\" Date=\"01012030 0000\"/>", &r),
                     BW_OK);
    assert_when(&r, "2024-10-01T00:00:00Z");
    assert_int_equal(r.malformed, 1);
}

static void test_index_multiple_newest(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(index_str("<a UpdateDate=\"01102024 0000\"/>"
                               "<b UpdateDate=\"15102024 1200\"/>"
                               "<c UpdateDate=\"10102024 2300\"/>"
                               "<d UpdateDate=\"31042024 0000\"/>"
                               "<e UpdateDate=\"1510202 1200\"/>",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-10-15T12:00:00Z");
    assert_int_equal(r.found, 3);
    assert_int_equal(r.malformed, 2);
    assert_string_equal(
        r.reason, "2 malformed dates ignored; first: UpdateDate: no such day in that month");
}

static void test_index_comments_cdata(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(index_str("<!-- <x UpdateDate=\"01012030 0000\"/> -->"
                               "<![CDATA[ <x UpdateDate=\"01012031 0000\"/> ]]>"
                               "<?pi UpdateDate=\"01012032 0000\"?>"
                               "<!DOCTYPE x [ <!ENTITY e \"UpdateDate='01012033 0000'>\"> ]>"
                               "<r Title=\"a > b UpdateDate='01012034 0000'\" "
                               "UpdateDate=\"01102024 0000\"/>"
                               "</r UpdateDate=\"01012035 0000\">",
                               &r),
                     BW_OK);
    assert_when(&r, "2024-10-01T00:00:00Z");
    assert_int_equal(r.found, 1);
    assert_int_equal(r.malformed, 0);

    /* only a commented-out date: nothing found */
    assert_int_equal(index_str("<!-- <x UpdateDate=\"01012030 0000\"/> --><r/>", &r),
                     BW_ENOTFOUND);
    assert_string_equal(r.reason, "no UpdateDate or Update Date attribute");
}

static void test_index_malformed(void **state)
{
    (void)state;
    bw_evidence_time r;
    /* leap day */
    assert_int_equal(index_str("<r UpdateDate=\"29022024 1200\"/>", &r), BW_OK);
    assert_when(&r, "2024-02-29T12:00:00Z");
    assert_int_equal(index_str("<r UpdateDate=\"29022023 1200\"/>", &r), BW_EPARSE);
    assert_string_equal(r.reason, "UpdateDate: no such day in that month");
    assert_int_equal(r.malformed, 1);
    assert_int_equal(r.when, 0);
    assert_int_equal(index_str("<r UpdateDate=\"31042024 1200\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"01012024 2400\"/>", &r), BW_EPARSE);
    assert_string_equal(r.reason, "UpdateDate: hour not 00-23");
    assert_int_equal(index_str("<r UpdateDate=\"01012024 2360\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"00012024 1200\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"01132024 1200\"/>", &r), BW_EPARSE);
    /* non-digits, wrong separators, wrong lengths */
    assert_int_equal(index_str("<r UpdateDate=\"0101202A 1200\"/>", &r), BW_EPARSE);
    assert_string_equal(r.reason, "UpdateDate: non-digit in date");
    assert_int_equal(index_str("<r UpdateDate=\"+1012024 1200\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"01012024T1200\"/>", &r), BW_EPARSE);
    assert_string_equal(r.reason, "UpdateDate: not in form DDMMYYYY HHMM");
    assert_int_equal(index_str("<r UpdateDate=\"01012024 120\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"01012024 1200 01012024 1200 01012024\"/>", &r),
                     BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=01012024/>", &r), BW_EPARSE);
    assert_string_equal(r.reason, "UpdateDate: value not quoted");
    /* years */
    assert_int_equal(index_str("<r UpdateDate=\"31129999 2359\"/>", &r), BW_OK);
    assert_when(&r, "9999-12-31T23:59:00Z");
    assert_int_equal(index_str("<r UpdateDate=\"010110000 0000\"/>", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=\"31121969 2359\"/>", &r), BW_ERANGE);
    assert_string_equal(r.reason, "UpdateDate: year before 1970");
    assert_int_equal(index_str("<r UpdateDate=\"01010000 0000\"/>", &r), BW_ERANGE);
    /* several bad ones */
    assert_int_equal(index_str("<r UpdateDate=\"x\"/><Update Date=\"y\"/>", &r), BW_EPARSE);
    assert_int_equal(r.malformed, 2);
    assert_string_equal(r.reason, "UpdateDate: not in form DDMMYYYY HHMM (2 malformed)");
}

static void test_index_truncated(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(index_str("<r UpdateDate=\"01012024 12", &r), BW_EPARSE);
    assert_true(r.truncated);
    assert_string_equal(r.reason, "UpdateDate: value not terminated");
    assert_int_equal(index_str("<r UpdateDate=\"01012024 1200\"", &r),
                     BW_OK); /* value complete */
    assert_true(r.truncated);
    assert_string_equal(r.reason, "input ends inside a tag");
    assert_int_equal(index_str("<r a=\"b\"/><!-- x", &r), BW_EPARSE);
    assert_string_equal(r.reason, "truncated: input ends inside a comment");
    assert_int_equal(index_str("<![CDATA[ x", &r), BW_EPARSE);
    assert_int_equal(index_str("<?xml", &r), BW_EPARSE);
    assert_int_equal(index_str("<!DOCTYPE [", &r), BW_EPARSE);
    assert_int_equal(index_str("<r UpdateDate=", &r), BW_EPARSE);
    assert_int_equal(index_str("<", &r), BW_EPARSE);
    assert_int_equal(index_str("</r", &r), BW_EPARSE);
    /* a broken tag does not swallow the next one */
    assert_int_equal(index_str("<a b=\"c\" <r UpdateDate=\"01102024 0000\"/>", &r), BW_OK);
    assert_when(&r, "2024-10-01T00:00:00Z");
    /* not XML at all */
    assert_int_equal(index_str("hello", &r), BW_ENOTFOUND);
}

/* Every prefix of a valid index either yields the right date or an error:
 * never a crash and never another date. */
static void test_index_every_prefix(void **state)
{
    (void)state;
    const char *doc = "\xEF\xBB\xBF<?xml version='1.0'?><!-- c --><Root x='1' "
                      "UpdateDate=\"29092024 0400\"><Update CompID=\"KDBEFI\" "
                      "Date=\"29092024 0400\"/></Root>";
    size_t n = strlen(doc);
    for (size_t k = 0; k <= n; k++) {
        unsigned char *b = exact(doc, k);
        bw_evidence_time r;
        bw_err err = bw_evidence_parse_index(b, k, &r);
        free(b);
        if (err == BW_OK)
            assert_int_equal(r.when, CUTOFF);
        else
            assert_int_equal(r.when, 0);
        assert_true(strlen(r.reason) < sizeof r.reason);
    }
}

static void test_index_encodings(void **state)
{
    (void)state;
    bw_evidence_time r;
    size_t n;
    /* UTF-8 BOM */
    assert_int_equal(index_str("\xEF\xBB\xBF<r UpdateDate=\"01102024 0000\"/>", &r), BW_OK);
    assert_when(&r, "2024-10-01T00:00:00Z");
    /* non-ASCII UTF-8 elsewhere does not matter */
    assert_int_equal(index_str("<r Name=\"Касперский\" UpdateDate=\"01102024 0000\"/>", &r),
                     BW_OK);

    /* UTF-16LE with BOM */
    unsigned char *b = utf16le("<?xml version=\"1.0\" encoding=\"utf-16\"?>"
                               "<r UpdateDate=\"02102024 1030\"/>",
                               true, &n);
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_OK);
    assert_when(&r, "2024-10-02T10:30:00Z");
    /* a non-ASCII unit whose low byte is a digit breaks the date */
    b[n - 10] = '1';
    b[n - 9] = 0x04;
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_EPARSE);
    /* odd length: the dangling byte is noted */
    b[n - 10] = '3';
    b[n - 9] = 0;
    assert_int_equal(bw_evidence_parse_index(b, n - 1, &r), BW_OK);
    assert_true(r.truncated);
    free(b);

    /* UTF-16LE without BOM */
    b = utf16le("<r UpdateDate=\"03102024 1030\"/>", false, &n);
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_OK);
    assert_when(&r, "2024-10-03T10:30:00Z");
    free(b);

    /* rejected encodings */
    static const unsigned char be16[] = {0xFE, 0xFF, 0, '<', 0, 'r', 0, '/', 0, '>'};
    assert_int_equal(bw_evidence_parse_index(be16, sizeof be16, &r), BW_EENCODING);
    assert_string_equal(r.reason, "UTF-16BE text is not supported");
    static const unsigned char be16n[] = {0, '<', 0, 'r', 0, '>'};
    assert_int_equal(bw_evidence_parse_index(be16n, sizeof be16n, &r), BW_EENCODING);
    static const unsigned char le32[] = {0xFF, 0xFE, 0, 0, '<', 0, 0, 0};
    assert_int_equal(bw_evidence_parse_index(le32, sizeof le32, &r), BW_EENCODING);
    assert_string_equal(r.reason, "UTF-32LE text is not supported");
    static const unsigned char le32n[] = {'<', 0, 0, 0, 'r', 0, 0, 0};
    assert_int_equal(bw_evidence_parse_index(le32n, sizeof le32n, &r), BW_EENCODING);
    static const unsigned char be32[] = {0, 0, 0xFE, 0xFF, 0, 0, 0, '<'};
    assert_int_equal(bw_evidence_parse_index(be32, sizeof be32, &r), BW_EENCODING);
    assert_int_equal(r.when, 0);
}

static void test_index_empty_and_args(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(bw_evidence_parse_index(NULL, 0, &r), BW_EPARSE);
    assert_string_equal(r.reason, "empty input");
    assert_int_equal(bw_evidence_parse_index("", 0, &r), BW_EPARSE);
    assert_int_equal(index_str("\xEF\xBB\xBF", &r), BW_EPARSE);
    assert_string_equal(r.reason, "empty input");
    assert_int_equal(bw_evidence_parse_index("\xFF\xFE", 2, &r), BW_EPARSE);
    assert_int_equal(bw_evidence_parse_index(NULL, 5, &r), BW_EINVAL);
    assert_int_equal(bw_evidence_parse_index("<r/>", 4, NULL), BW_EINVAL);
    assert_int_equal(index_str("   \n\t ", &r), BW_ENOTFOUND);
}

static void test_index_huge(void **state)
{
    (void)state;
    bw_evidence_time r;
    /* 8 MiB of markup with the date at the very end */
    const char *tail = "<r UpdateDate=\"01102024 0000\"/>";
    size_t n = (size_t)8 * 1024 * 1024, tn = strlen(tail);
    unsigned char *b = malloc(n);
    assert_non_null(b);
    size_t whole = (n - tn) / 15 * 15; /* do not cut the filler inside a tag */
    for (size_t i = 0; i < whole; i++)
        b[i] = "<a b='c'>x</a>\n"[i % 15];
    memset(b + whole, ' ', n - tn - whole);
    memcpy(b + n - tn, tail, tn);
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_OK);
    assert_when(&r, "2024-10-01T00:00:00Z");
    /* one long unterminated quoted value */
    memset(b, '\'', n);
    b[0] = '<';
    b[1] = 'r';
    b[2] = ' ';
    b[3] = 'x';
    b[4] = '=';
    for (size_t i = 6; i < n; i++)
        b[i] = 'a';
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_EPARSE);
    assert_true(r.truncated);
    /* many tags without a '>' */
    memset(b, '<', n);
    assert_int_equal(bw_evidence_parse_index(b, n, &r), BW_EPARSE);
    free(b);

    /* larger than the limit: refused before reading */
    size_t big = BW_EVIDENCE_MAX_INPUT + 1;
    b = calloc(big, 1);
    assert_non_null(b);
    assert_int_equal(bw_evidence_parse_index(b, big, &r), BW_ERANGE);
    assert_string_equal(r.reason, "input larger than 16 MiB");
    assert_int_equal(bw_evidence_parse_kdb_stt(b, big, &r), BW_ERANGE);
    free(b);
}

/* Random bytes and random markup: no crash, no sanitizer report. */
static void test_index_random(void **state)
{
    (void)state;
    static const char alphabet[] =
        "<>!-[]?/='\" \r\n\tUpdateDCompIKBEF0123456789:\xEF\xBB\xBF\xFF\xFE";
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        unsigned char buf[200];
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % sizeof buf;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = round % 2 ? (unsigned char)(seed >> 16)
                               : (unsigned char)alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        unsigned char *b = exact(buf, n);
        bw_evidence_time r;
        bw_err err = bw_evidence_parse_index(b, n, &r);
        if (err == BW_OK && !r.never)
            assert_true(r.when >= 0 && r.when <= BW_EVIDENCE_MAX_TIME);
        err = bw_evidence_parse_kdb_stt(b, n, &r);
        if (err == BW_OK)
            assert_true(r.when >= 0 && r.when <= BW_EVIDENCE_MAX_TIME);
        bw_evidence_parse_bases_date((const char *)b, n, &r);
        free(b);
    }
}

/* ---- kdb.stt ------------------------------------------------------------ */

static void test_stt_valid(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(stt_str("1234;202410011530", &r), BW_OK);
    assert_when(&r, "2024-10-01T15:30:00Z");
    assert_int_equal(r.found, 1);
    assert_int_equal(stt_str("1234;202410011530\r\n", &r), BW_OK);
    assert_when(&r, "2024-10-01T15:30:00Z");
    assert_int_equal(stt_str("  7 ; 202410011530   \t\r\n\r\n", &r), BW_OK);
    assert_when(&r, "2024-10-01T15:30:00Z");
    assert_int_equal(stt_str("\xEF\xBB\xBF"
                             "7;202402292359\n",
                             &r),
                     BW_OK);
    assert_when(&r, "2024-02-29T23:59:00Z");
    /* several lines, CR only and mixed: the newest wins */
    assert_int_equal(stt_str("1;202409280000\r2;202410020000\n3;202410010000\r\n", &r), BW_OK);
    assert_when(&r, "2024-10-02T00:00:00Z");
    assert_int_equal(r.found, 3);
    /* NUL padding after the line */
    assert_int_equal(bw_evidence_parse_kdb_stt("1;202410011530\0\0\0", 17, &r), BW_OK);
    assert_when(&r, "2024-10-01T15:30:00Z");
    /* UTF-16LE */
    size_t n;
    unsigned char *b = utf16le("5;202410040000\r\n", true, &n);
    assert_int_equal(bw_evidence_parse_kdb_stt(b, n, &r), BW_OK);
    assert_when(&r, "2024-10-04T00:00:00Z");
    free(b);
    /* year 9999 */
    assert_int_equal(stt_str("1;999912312359", &r), BW_OK);
    assert_when(&r, "9999-12-31T23:59:00Z");
}

static void test_stt_bad(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(stt_str("", &r), BW_EPARSE);
    assert_string_equal(r.reason, "empty input");
    assert_int_equal(stt_str("\r\n  \n", &r), BW_ENOTFOUND);
    assert_string_equal(r.reason, "no <n>;YYYYMMDDHHMM line");
    assert_int_equal(stt_str("1;20241001153", &r), BW_EPARSE); /* truncated */
    assert_string_equal(r.reason, "line 1: not in form <n>;YYYYMMDDHHMM");
    assert_int_equal(stt_str("1;2024100115", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;", &r), BW_EPARSE);
    assert_int_equal(stt_str("1", &r), BW_EPARSE);
    assert_int_equal(stt_str(";202410011530", &r), BW_EPARSE);
    assert_int_equal(stt_str("x;202410011530", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;2024100115301", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;2024-1001153", &r), BW_EPARSE);
    assert_string_equal(r.reason, "line 1: non-digit in date");
    assert_int_equal(stt_str("1;202402301200", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;202302291200", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;202404310000", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;202401012400", &r), BW_EPARSE);
    assert_int_equal(stt_str("1;196912312359", &r), BW_ERANGE);
    assert_string_equal(r.reason, "line 1: year before 1970");
    assert_int_equal(stt_str("1;1000001010000", &r), BW_EPARSE); /* year 10000 */
    assert_int_equal(stt_str("1;20241001153012345678901234567890123456789", &r), BW_EPARSE);
    /* a bad line among good ones is counted and named */
    assert_int_equal(stt_str("1;202410011530\n\n2;2024x0011530\n", &r), BW_OK);
    assert_when(&r, "2024-10-01T15:30:00Z");
    assert_int_equal(r.malformed, 1);
    assert_string_equal(r.reason, "1 malformed date ignored; first: line 3: non-digit in date");
}

static void test_stt_every_prefix(void **state)
{
    (void)state;
    const char *doc = "42;202409290400\r\n";
    size_t n = strlen(doc);
    for (size_t k = 0; k <= n; k++) {
        unsigned char *b = exact(doc, k);
        bw_evidence_time r;
        bw_err err = bw_evidence_parse_kdb_stt(b, k, &r);
        free(b);
        assert_int_equal(err, k >= 15 ? BW_OK : BW_EPARSE);
        assert_int_equal(r.when, k >= 15 ? CUTOFF : 0);
    }
}

/* ---- registry values ---------------------------------------------------- */

/* The cutoff second as a FILETIME: 100 ns since 1601. */
#define FT(unix) ((uint64_t)(unix)*10000000u + BW_FILETIME_UNIX_EPOCH)

static bw_err dword_time(uint32_t v, bw_evidence_time *r)
{
    return bw_evidence_registry_time(BW_REG_DWORD, v, NULL, 0, r);
}

static void test_last_successful_update(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(dword_time(UINT32_C(0xFFFFFFFF), &r), BW_OK);
    assert_true(r.never);
    assert_int_equal(r.err, BW_OK);
    assert_int_equal(r.when, 0);
    assert_int_equal(r.found, 0);
    assert_string_equal(r.reason, "never updated (0xFFFFFFFF)");
    assert_int_equal(dword_time(0, &r), BW_OK);
    assert_true(r.never);
    assert_string_equal(r.reason, "never updated (0)");
    assert_int_equal(dword_time(1727582400u, &r), BW_OK);
    assert_false(r.never);
    assert_int_equal(r.when, CUTOFF);
    assert_int_equal(r.found, 1);
    assert_string_equal(r.reason, "");
    assert_int_equal(dword_time(UINT32_C(0xFFFFFFFE), &r), BW_OK);
    assert_when(&r, "2106-02-07T06:28:14Z");
    assert_int_equal(bw_evidence_registry_time(BW_REG_DWORD, 1, NULL, 0, NULL), BW_EINVAL);
}

/* 21.x consumer installs store a FILETIME (REG_QWORD): the value of a real
 * Kaspersky Total Security 21.2 dump, 0, all ones, the cutoff second, the
 * last second of 9999 and beyond, and before 1970. */
static void test_registry_filetime(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(
        bw_evidence_registry_time(BW_REG_QWORD, UINT64_C(132538865392017081), NULL, 0, &r),
        BW_OK);
    assert_when(&r, "2020-12-31T11:08:59Z");
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, 0, NULL, 0, &r), BW_OK);
    assert_true(r.never);
    assert_string_equal(r.reason, "never updated (0)");
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, UINT64_MAX, NULL, 0, &r), BW_OK);
    assert_true(r.never);
    assert_string_equal(r.reason, "never updated (all ones)");
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, FT(CUTOFF), NULL, 0, &r), BW_OK);
    assert_int_equal(r.when, CUTOFF);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    /* one tick before the cutoff is before it (rounded towards the past) */
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, FT(CUTOFF) - 1, NULL, 0, &r), BW_OK);
    assert_int_equal(r.when, CUTOFF - 1);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    /* an 8-byte REG_BINARY is the same FILETIME */
    assert_int_equal(bw_evidence_registry_time(BW_REG_BINARY, FT(CUTOFF), NULL, 0, &r), BW_OK);
    assert_int_equal(r.when, CUTOFF);
    /* far future: the last second of 9999 is accepted, the next one is not */
    assert_int_equal(
        bw_evidence_registry_time(BW_REG_QWORD, FT(BW_EVIDENCE_MAX_TIME), NULL, 0, &r), BW_OK);
    assert_when(&r, "9999-12-31T23:59:59Z");
    assert_int_equal(
        bw_evidence_registry_time(BW_REG_QWORD, FT(BW_EVIDENCE_MAX_TIME + 1), NULL, 0, &r),
        BW_ERANGE);
    assert_int_equal(r.err, BW_ERANGE);
    assert_int_equal(r.when, 0);
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, UINT64_MAX - 1, NULL, 0, &r),
                     BW_ERANGE);
    /* before 1970 */
    assert_int_equal(bw_evidence_registry_time(BW_REG_QWORD, 1, NULL, 0, &r), BW_ERANGE);
    assert_int_equal(
        bw_evidence_registry_time(BW_REG_QWORD, BW_FILETIME_UNIX_EPOCH - 1, NULL, 0, &r),
        BW_ERANGE);
    int64_t t = -1;
    assert_int_equal(bw_evidence_filetime_to_unix(BW_FILETIME_UNIX_EPOCH, &t), BW_OK);
    assert_int_equal(t, 0);
    /* a type that holds no time */
    assert_int_equal(bw_evidence_registry_time(7 /* REG_MULTI_SZ */, 0, "x", 1, &r), BW_EINVAL);
    assert_string_equal(r.reason, "registry type 7 is not a time");
    /* a DWORD wider than 32 bits cannot come from the registry */
    assert_int_equal(bw_evidence_registry_time(BW_REG_DWORD, UINT64_C(0x100000000), NULL, 0, &r),
                     BW_EINVAL);
}

/* Data\Statistics\InstalledUpdateDate "DDMMYYYY HHMM" (and the string forms
 * of the other registry times). */
static void test_registry_text_time(void **state)
{
    (void)state;
    bw_evidence_time r;
    const char *dump = "31122020 1103";
    assert_int_equal(bw_evidence_registry_time(BW_REG_SZ, 0, dump, strlen(dump), &r), BW_OK);
    assert_when(&r, "2020-12-31T11:03:00Z");
    assert_int_equal(bw_evidence_parse_ddmmyyyy(" 29092024 0400 ", 15, &r), BW_OK);
    assert_int_equal(r.when, CUTOFF);
    assert_int_equal(bw_evidence_parse_ddmmyyyy("29092024 0359", 13, &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    /* a day that does not exist, a wrong form, nothing */
    assert_int_equal(bw_evidence_parse_ddmmyyyy("31022024 1200", 13, &r), BW_EPARSE);
    assert_int_equal(r.when, 0);
    assert_int_equal(bw_evidence_parse_ddmmyyyy("2024-09-29", 10, &r), BW_EPARSE);
    assert_string_equal(r.reason, "not in form DDMMYYYY HHMM");
    assert_int_equal(bw_evidence_parse_ddmmyyyy("", 0, &r), BW_EPARSE);
    /* decimal Unix seconds as text; 0 is never */
    assert_int_equal(bw_evidence_registry_time(BW_REG_SZ, 0, "1727582400", 10, &r), BW_OK);
    assert_int_equal(r.when, CUTOFF);
    assert_int_equal(bw_evidence_registry_time(BW_REG_EXPAND_SZ, 0, "0", 1, &r), BW_OK);
    assert_true(r.never);
    /* stops at a NUL inside the bytes given */
    assert_int_equal(bw_evidence_registry_time(BW_REG_SZ, 0, "29092024 0400\0junk", 18, &r),
                     BW_OK);
    assert_int_equal(r.when, CUTOFF);
}

static void test_bases_date(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(bases_str("29-09-2024 04-00-00", &r), BW_OK);
    assert_int_equal(r.when, CUTOFF);
    assert_int_equal(bases_str("  01-10-2024 13-45-07 \r\n", &r), BW_OK);
    assert_when(&r, "2024-10-01T13:45:07Z");
    /* a registry string with its NUL and what follows it */
    assert_int_equal(bw_evidence_parse_bases_date("29-02-2024 23-59-59\0garbage", 27, &r), BW_OK);
    assert_when(&r, "2024-02-29T23:59:59Z");
    assert_int_equal(bases_str("31-12-9999 23-59-59", &r), BW_OK);
    assert_int_equal(r.when, BW_EVIDENCE_MAX_TIME);
    assert_int_equal(bases_str("01-01-1970 00-00-00", &r), BW_OK);
    assert_int_equal(r.when, 0);

    assert_int_equal(bases_str("", &r), BW_EPARSE);
    assert_string_equal(r.reason, "empty value");
    assert_int_equal(bw_evidence_parse_bases_date(NULL, 0, &r), BW_EPARSE);
    assert_int_equal(bw_evidence_parse_bases_date(NULL, 3, &r), BW_EINVAL);
    assert_int_equal(bases_str("29-02-2023 00-00-00", &r), BW_EPARSE);
    assert_string_equal(r.reason, "no such day in that month");
    assert_int_equal(r.malformed, 1);
    assert_int_equal(bases_str("31-04-2024 00-00-00", &r), BW_EPARSE);
    assert_int_equal(bases_str("01-01-2024 24-00-00", &r), BW_EPARSE);
    assert_int_equal(bases_str("01-01-2024 23-60-00", &r), BW_EPARSE);
    assert_int_equal(bases_str("01-01-2024 23-59-60", &r), BW_EPARSE);
    assert_string_equal(r.reason, "second not 00-59");
    assert_int_equal(bases_str("2024-10-01 13:45:07", &r), BW_EPARSE);
    assert_string_equal(r.reason, "not in form dd-MM-yyyy HH-mm-ss");
    assert_int_equal(bases_str("01.10.2024 13-45-07", &r), BW_EPARSE);
    assert_int_equal(bases_str("01-10-2024 13-45", &r), BW_EPARSE);
    assert_int_equal(bases_str("01-10-2024", &r), BW_EPARSE);
    assert_int_equal(bases_str("0a-10-2024 13-45-07", &r), BW_EPARSE);
    assert_string_equal(r.reason, "non-digit in date");
    assert_int_equal(bases_str("01-10-10000 13-45-07", &r), BW_EPARSE);
    assert_int_equal(bases_str("31-12-1969 23-59-59", &r), BW_ERANGE);
    assert_string_equal(r.reason, "year before 1970");
    assert_int_equal(r.when, 0);
    assert_int_equal(bases_str("01-01-0000 00-00-00", &r), BW_ERANGE);
}

/* ---- judgement ------------------------------------------------------------ */

static void test_cutoff_boundary(void **state)
{
    (void)state;
    bw_evidence_time r;
    assert_int_equal(BW_EVIDENCE_CUTOFF, CUTOFF);
    assert_int_equal(bases_str("29-09-2024 03-59-59", &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(bases_str("29-09-2024 04-00-00", &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF)); /* at = after */
    assert_int_equal(bases_str("29-09-2024 04-00-01", &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    /* 00:00 EDT is not 00:00 UTC: a midnight-UTC stamp is before the cutoff */
    assert_int_equal(bases_str("29-09-2024 00-00-00", &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    /* minute-granular sources */
    assert_int_equal(index_str("<r UpdateDate=\"29092024 0359\"/>", &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(index_str("<r UpdateDate=\"29092024 0400\"/>", &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(stt_str("1;202409290359", &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(stt_str("1;202409290401", &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(dword_time(1727582399u, &r), BW_OK);
    assert_false(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(dword_time(1727582400u, &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
    assert_int_equal(dword_time(1727582401u, &r), BW_OK);
    assert_true(bw_evidence_after_cutoff(r.when, BW_EVIDENCE_CUTOFF));
}

static void test_staleness(void **state)
{
    (void)state;
    int64_t days = 99;
    bool future = true;
    const int64_t when = CUTOFF; /* 2024-09-29T04:00:00Z */
    assert_int_equal(bw_evidence_age_days(when, when, &days, &future), BW_OK);
    assert_int_equal(days, 0);
    assert_false(future);
    assert_int_equal(bw_evidence_age_days(when, when + 86399, &days, &future), BW_OK);
    assert_int_equal(days, 0);
    assert_int_equal(bw_evidence_age_days(when, when + 86400, &days, &future), BW_OK);
    assert_int_equal(days, 1);
    assert_false(future);
    /* 2025-09-29T04:00:00Z: one year (365 days) later */
    assert_int_equal(bw_evidence_age_days(when, INT64_C(1759118400), &days, &future), BW_OK);
    assert_int_equal(days, 365);
    /* across the 2028 leap day: 2028-03-01T00:00Z - 2028-02-28T00:00Z = 2 days */
    assert_int_equal(bw_evidence_age_days(INT64_C(1835308800), INT64_C(1835481600), &days, NULL),
                     BW_OK);
    assert_int_equal(days, 2);
    /* future-dated evidence: negative age, flagged */
    assert_int_equal(bw_evidence_age_days(when, when - 1, &days, &future), BW_OK);
    assert_int_equal(days, -1);
    assert_true(future);
    assert_int_equal(bw_evidence_age_days(when + 10 * 86400, when, &days, &future), BW_OK);
    assert_int_equal(days, -10);
    assert_true(future);
    assert_int_equal(bw_evidence_age_days(BW_EVIDENCE_MAX_TIME, when, &days, &future), BW_OK);
    assert_true(future);
    assert_true(days < 0);
    assert_int_equal(bw_evidence_age_days(0, BW_EVIDENCE_MAX_TIME, &days, &future), BW_OK);
    assert_int_equal(days, 2932896);
    assert_false(future);
    /* range */
    assert_int_equal(bw_evidence_age_days(-1, when, &days, &future), BW_ERANGE);
    assert_int_equal(bw_evidence_age_days(when, BW_EVIDENCE_MAX_TIME + 1, &days, &future),
                     BW_ERANGE);
    assert_int_equal(bw_evidence_age_days(INT64_MIN, INT64_MAX, &days, &future), BW_ERANGE);
    assert_int_equal(bw_evidence_age_days(when, when, NULL, &future), BW_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_civil_validator),
        cmocka_unit_test(test_civil_roundtrip),
        cmocka_unit_test(test_index_update_date),
        cmocka_unit_test(test_index_update_elements),
        cmocka_unit_test(test_index_multiple_newest),
        cmocka_unit_test(test_index_comments_cdata),
        cmocka_unit_test(test_index_malformed),
        cmocka_unit_test(test_index_truncated),
        cmocka_unit_test(test_index_every_prefix),
        cmocka_unit_test(test_index_encodings),
        cmocka_unit_test(test_index_empty_and_args),
        cmocka_unit_test(test_index_huge),
        cmocka_unit_test(test_index_random),
        cmocka_unit_test(test_stt_valid),
        cmocka_unit_test(test_stt_bad),
        cmocka_unit_test(test_stt_every_prefix),
        cmocka_unit_test(test_last_successful_update),
        cmocka_unit_test(test_registry_filetime),
        cmocka_unit_test(test_registry_text_time),
        cmocka_unit_test(test_bases_date),
        cmocka_unit_test(test_cutoff_boundary),
        cmocka_unit_test(test_staleness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
