/*
 * fuzz_evidence.c - the update evidence file parsers on arbitrary bytes:
 * the bases index XML (bw_evidence_parse_index) or, built with
 * FZ_KDB_STT, kdb.stt (bw_evidence_parse_kdb_stt).
 *
 * Properties: the result agrees with the return value; a date is in the
 * accepted range; the reason is short printable ASCII; and text that is
 * ASCII gives exactly the same result read as UTF-8, behind a UTF-8 byte
 * order mark, and as UTF-16LE behind its byte order mark.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_evidence.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FZ_KDB_STT
#define PARSE bw_evidence_parse_kdb_stt
#else
#define PARSE bw_evidence_parse_index
#endif

static void check_one(const bw_evidence_time *t, bw_err r)
{
    FZ_CHECK(r == t->err, "returned %d, result says %d", (int)r, (int)t->err);
    FZ_CHECK(memchr(t->reason, '\0', sizeof t->reason) != NULL, "reason not terminated");
    for (const char *c = t->reason; *c; c++)
        FZ_CHECK(*c >= 0x20 && *c < 0x7F, "reason holds byte 0x%02X", (unsigned)(uint8_t)*c);
    FZ_CHECK(!t->never, "a file cannot say never");
    if (r == BW_OK) {
        FZ_CHECK(t->found >= 1, "BW_OK without a date");
        FZ_CHECK(t->when >= BW_EVIDENCE_MIN_TIME && t->when <= BW_EVIDENCE_MAX_TIME,
                 "date %lld out of range", (long long)t->when);
    } else {
        FZ_CHECK(r == BW_EPARSE || r == BW_ERANGE || r == BW_EENCODING || r == BW_ENOTFOUND,
                 "unexpected error %d", (int)r);
        FZ_CHECK(t->when == 0 && t->found == 0, "an error with a date");
        FZ_CHECK(t->reason[0] != '\0', "an error without a reason");
    }
}

static void same(const char *how, const bw_evidence_time *a, const bw_evidence_time *b)
{
    FZ_CHECK(a->err == b->err && a->when == b->when && a->found == b->found &&
                 a->malformed == b->malformed && a->truncated == b->truncated &&
                 !strcmp(a->reason, b->reason),
             "%s differs: err %d/%d when %lld/%lld found %u/%u malformed %u/%u truncated "
             "%d/%d reason \"%s\"/\"%s\"",
             how, (int)a->err, (int)b->err, (long long)a->when, (long long)b->when, a->found,
             b->found, a->malformed, b->malformed, a->truncated, b->truncated, a->reason,
             b->reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bw_evidence_time t;
    memset(&t, 0xA5, sizeof t);
    check_one(&t, PARSE(data, size, &t));

    bool ascii = size > 0;
    for (size_t i = 0; i < size && ascii; i++)
        ascii = data[i] > 0 && data[i] < 0x80;
    if (!ascii)
        return 0;

    uint8_t *b = fz_need(malloc(3 + size));
    memcpy(b, "\xEF\xBB\xBF", 3);
    memcpy(b + 3, data, size);
    bw_evidence_time u;
    check_one(&u, PARSE(b, 3 + size, &u));
    same("behind a UTF-8 byte order mark", &t, &u);
    free(b);

    b = fz_need(malloc(2 + 2 * size));
    b[0] = 0xFF;
    b[1] = 0xFE;
    for (size_t i = 0; i < size; i++) {
        b[2 + 2 * i] = data[i];
        b[3 + 2 * i] = 0;
    }
    check_one(&u, PARSE(b, 2 + 2 * size, &u));
    same("as UTF-16LE", &t, &u);
    free(b);
    return 0;
}
