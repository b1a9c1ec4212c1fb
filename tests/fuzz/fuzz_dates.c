/*
 * fuzz_dates.c - every date parser and the calendar beneath them. The first
 * byte picks one:
 *   0 registry times (bw_evidence_registry_time: DWORD, QWORD, BINARY,
 *     strings, other types)
 *   1 InstalledUpdateDate "DDMMYYYY HHMM" (bw_evidence_parse_ddmmyyyy)
 *   2 Protection_BasesDate "dd-MM-yyyy HH-mm-ss" (bw_evidence_parse_bases_date)
 *   3 the civil validator (bw_civil_to_unix)
 *   4 FILETIME (bw_evidence_filetime_to_unix)
 *   5 the policy's cutoff and cutoff_overrides timestamps (ISO 8601)
 *   6 every kind of evidence entry through the update judgement
 *     (bw_evaluate_updates; InstallDate "YYYYMMDD" is read only there)
 *   7 formatting (bw_format_utc, bw_format_date, bw_civil_from_days) and
 *     bw_evidence_age_days
 * Properties: a date is in range; a text that parses is the one way of
 * writing that date (formatting the result gives the text back); the
 * calendar functions are each other's inverse.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_evidence.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_time.h"
#include "bw_updates.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bw_policy *default_policy;

static void check_result(const bw_evidence_time *t, bw_err r)
{
    FZ_CHECK(r == t->err, "returned %d, result says %d", (int)r, (int)t->err);
    FZ_CHECK(memchr(t->reason, '\0', sizeof t->reason) != NULL, "reason not terminated");
    for (const char *c = t->reason; *c; c++)
        FZ_CHECK(*c >= 0x20 && *c < 0x7F, "reason holds byte 0x%02X", (unsigned)(uint8_t)*c);
    if (r == BW_OK && !t->never) {
        FZ_CHECK(t->found == 1, "one date, found %u", t->found);
        FZ_CHECK(t->when >= BW_EVIDENCE_MIN_TIME && t->when <= BW_EVIDENCE_MAX_TIME,
                 "date %lld out of range", (long long)t->when);
    }
    if (t->never)
        FZ_CHECK(r == BW_OK && t->when == 0, "never with a date or an error");
    if (r != BW_OK)
        FZ_CHECK(t->when == 0, "an error with a date");
}

/* The text without surrounding white space, up to a NUL. */
static size_t trimmed(const char *s, size_t len, const char **start)
{
    size_t k = 0;
    while (k < len && s[k])
        k++;
    while (k && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r' || s[k - 1] == '\n'))
        k--;
    while (k && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        k--;
    }
    *start = s;
    return k;
}

/* A parsed time written back in the parser's pattern ("DDMMYYYY hhmm" ...). */
static void write_back(int64_t t, const char *pat, char *out)
{
    char iso[21];
    bw_format_utc(t, iso); /* YYYY-MM-DDThh:mm:ssZ */
    const char *at[128] = {0};
    at['Y'] = iso;
    at['M'] = iso + 5;
    at['D'] = iso + 8;
    at['h'] = iso + 11;
    at['m'] = iso + 14;
    at['s'] = iso + 17;
    for (; *pat; pat++, out++) {
        const char *src = at[(unsigned char)*pat];
        if (src) {
            *out = *src;
            at[(unsigned char)*pat]++;
        } else {
            *out = *pat;
        }
    }
    *out = '\0';
}

static void text_parser(const char *s, size_t len, bool bases)
{
    bw_evidence_time t;
    memset(&t, 0xA5, sizeof t);
    bw_err r =
        bases ? bw_evidence_parse_bases_date(s, len, &t) : bw_evidence_parse_ddmmyyyy(s, len, &t);
    check_result(&t, r);
    FZ_CHECK(!t.never, "a date text cannot say never");
    if (r != BW_OK)
        return;
    const char *start;
    size_t n = trimmed(s, len, &start);
    char back[32];
    write_back(t.when, bases ? "DD-MM-YYYY hh-mm-ss" : "DDMMYYYY hhmm", back);
    FZ_CHECK(n == strlen(back) && !memcmp(start, back, n), "\"%.*s\" read as \"%s\"", (int)n,
             start, back);
    FZ_CHECK(bases || t.when % 60 == 0, "no seconds in DDMMYYYY hhmm");
}

static void registry(fz_in *in)
{
    static const uint32_t types[] = {
        BW_REG_SZ, BW_REG_EXPAND_SZ, BW_REG_BINARY, BW_REG_DWORD, BW_REG_QWORD, 0, 7, 0xFFFFFFFF};
    uint8_t sel = fz_u8(in);
    uint32_t type = sel & 0x80 ? fz_u32(in) : types[sel % 8];
    uint64_t value = fz_u64(in);
    if (type == BW_REG_DWORD && !(sel & 0x40))
        value &= 0xFFFFFFFFu;
    size_t len;
    char *text = fz_rest(in, &len);
    bool no_text = sel & 0x20;
    bw_evidence_time t;
    memset(&t, 0xA5, sizeof t);
    bw_err r =
        bw_evidence_registry_time(type, value, no_text ? NULL : text, no_text ? 0 : len, &t);
    check_result(&t, r);
    if (type == BW_REG_DWORD && r == BW_OK && !t.never)
        FZ_CHECK(t.when == (int64_t)value, "DWORD %" PRIu64 " read as %lld", value,
                 (long long)t.when);
    if ((type == BW_REG_QWORD || type == BW_REG_BINARY) && r == BW_OK && !t.never) {
        uint64_t ticks = (uint64_t)t.when * 10000000u + BW_FILETIME_UNIX_EPOCH;
        FZ_CHECK(ticks <= value && value - ticks < 10000000u, "FILETIME %" PRIu64, value);
    }
    if (type != BW_REG_SZ && type != BW_REG_EXPAND_SZ && type != BW_REG_DWORD &&
        type != BW_REG_QWORD && type != BW_REG_BINARY)
        FZ_CHECK(r == BW_EINVAL, "type %u is not a time", (unsigned)type);
    free(text);
}

static void civil(fz_in *in)
{
    int64_t year = (int64_t)fz_u64(in);
    uint8_t narrow = fz_u8(in);
    if (narrow & 1)
        year = 1900 + (int64_t)(fz_u16(in) % 8200);
    int f[5];
    for (int i = 0; i < 5; i++)
        f[i] = narrow & 2 ? (int)(fz_u8(in) % 64) - 2 : (int)fz_u32(in);
    int64_t t = -7;
    const char *why = NULL;
    bw_err r = bw_civil_to_unix(year, f[0], f[1], f[2], f[3], f[4], &t, &why);
    FZ_CHECK(why != NULL, "no reason");
    bool valid = f[0] >= 1 && f[0] <= 12 && f[1] >= 1 &&
                 f[1] <= (int)bw_days_in_month(year, (unsigned)f[0]) && f[2] >= 0 && f[2] <= 23 &&
                 f[3] >= 0 && f[3] <= 59 && f[4] >= 0 && f[4] <= 59;
    if (!valid) {
        FZ_CHECK(r == BW_EPARSE, "invalid fields accepted (%d)", (int)r);
        return;
    }
    if (year < 1970 || year > 9999) {
        FZ_CHECK(r == BW_ERANGE, "year %lld accepted", (long long)year);
        return;
    }
    FZ_CHECK(r == BW_OK && !*why, "valid date refused: %s", why);
    char iso[21], want[32];
    bw_format_utc(t, iso);
    snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, f[0], f[1], f[2],
             f[3], f[4]);
    FZ_CHECK(!strcmp(iso, want), "%s written as %s", want, iso);
}

static void filetime(fz_in *in)
{
    uint64_t ft = fz_u64(in);
    if (fz_bool(in)) /* near the interesting range */
        ft = BW_FILETIME_UNIX_EPOCH + ft % (UINT64_C(253402300800) * 10000000u + 20000000u) -
             10000000u;
    int64_t t = -7;
    bw_err r = bw_evidence_filetime_to_unix(ft, &t);
    bool in_range = ft >= BW_FILETIME_UNIX_EPOCH &&
                    (ft - BW_FILETIME_UNIX_EPOCH) / 10000000u <= (uint64_t)BW_EVIDENCE_MAX_TIME;
    FZ_CHECK((r == BW_OK) == in_range, "FILETIME %" PRIu64 ": %d", ft, (int)r);
    if (r == BW_OK)
        FZ_CHECK((uint64_t)t * 10000000u + BW_FILETIME_UNIX_EPOCH <= ft &&
                     ft - ((uint64_t)t * 10000000u + BW_FILETIME_UNIX_EPOCH) < 10000000u,
                 "FILETIME %" PRIu64 " read as %lld", ft, (long long)t);
}

/* A YAML double-quoted scalar of any bytes. */
static void yaml_quoted(bw_buf *b, const char *s, size_t n)
{
    bw_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            bw_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            bw_buf_printf(b, "\\x%02X", c);
        else
            bw_buf_putc(b, (char)c);
    }
    bw_buf_putc(b, '"');
}

static void policy_time(fz_in *in)
{
    bool override = fz_bool(in);
    size_t len;
    char *text = fz_rest(in, &len);
    bw_buf y = {0};
    bw_buf_puts(&y, "policy: t\nversion: \"1\"\nvendor:\n  name: V\n");
    if (override) {
        bw_buf_puts(&y, "updates:\n  cutoff_overrides:\n    \"AVP*\": ");
        yaml_quoted(&y, text, len);
        bw_buf_puts(&y, "\n");
    } else {
        bw_buf_puts(&y, "cutoff: ");
        yaml_quoted(&y, text, len);
        bw_buf_puts(&y, "\n");
    }
    FZ_CHECK(!y.failed, "out of memory");
    char err[512];
    bw_policy *p = NULL;
    bw_err r = bw_policy_parse(y.data, y.len, "cutoff.yaml", &p, err, sizeof err);
    if (r == BW_OK) {
        int64_t t = override ? bw_policy_cutoff_for(p, "AVP21.3") : p->cutoff;
        /* a "Z" time is the one way of writing it */
        if (len == 20 && text[19] == 'Z') {
            char iso[21];
            bw_format_utc(t, iso);
            FZ_CHECK(!memcmp(iso, text, 20), "\"%s\" read as %s", text, iso);
        }
        FZ_CHECK(len >= 20, "a short timestamp was accepted: \"%s\"", text);
    }
    bw_policy_free(p);
    bw_buf_free(&y);
    free(text);
}

/* Each kind of evidence entry, judged as the service judges it. */
static void judged(fz_in *in)
{
    bw_snapshot *s = fz_need(bw_snapshot_new());
    for (int i = 0; i < 8 && in->n; i++) {
        bw_evidence_entry *e;
        fz_need(bw_snapshot_add_evidence(s, &e) == BW_OK ? e : NULL);
        e->kind = (bw_evidence_kind)(fz_u8(in) % 9);
        e->product = fz_bool(in) ? fz_need(strdup("AVP21.3")) : NULL;
        e->source = fz_need(strdup("fuzz"));
        static const uint32_t types[] = {0, BW_REG_SZ, BW_REG_DWORD, BW_REG_QWORD, BW_REG_BINARY,
                                         9};
        e->reg_type = types[fz_u8(in) % 6];
        e->number = fz_u64(in);
        e->mtime = (int64_t)fz_u64(in);
        if (fz_bool(in))
            e->raw = fz_str(in, 64, &e->raw_len);
    }
    int64_t now = BW_EVIDENCE_CUTOFF + (int64_t)(fz_u32(in) % 100000000) - 50000000;
    bw_updates u = {0};
    FZ_CHECK(bw_evaluate_updates(s, default_policy, NULL, now, &u) == BW_OK, "evaluate failed");
    for (size_t i = 0; i < u.n; i++) {
        const bw_update_status *st = &u.items[i];
        if (!st->has_date)
            continue;
        FZ_CHECK(st->newest >= BW_EVIDENCE_MIN_TIME && st->newest <= BW_EVIDENCE_MAX_TIME,
                 "newest %lld out of range", (long long)st->newest);
        FZ_CHECK(st->after_cutoff == (st->newest >= st->cutoff), "after_cutoff");
        FZ_CHECK(st->future ==
                     (st->has_signature ? st->newest_signature > now : st->newest > now),
                 "future");
    }
    for (size_t i = 0; i < u.n_bad; i++)
        FZ_CHECK(u.bad[i].reason != NULL, "unreadable evidence without a reason");
    bw_updates_free(&u);
    bw_snapshot_free(s);
}

static void formatting(fz_in *in)
{
    int64_t t = (int64_t)fz_u64(in);
    char iso[21], day[11];
    memset(iso, 'x', sizeof iso);
    bw_format_utc(t, iso);
    FZ_CHECK(strlen(iso) == 20 && iso[4] == '-' && iso[7] == '-' && iso[10] == 'T' &&
                 iso[13] == ':' && iso[16] == ':' && iso[19] == 'Z',
             "bad shape: %.21s", iso);
    bw_format_date(t, day);
    FZ_CHECK(strlen(day) == 10 && !memcmp(day, iso, 10), "date %s of %s", day, iso);
    if (t >= BW_EVIDENCE_MIN_TIME && t <= BW_EVIDENCE_MAX_TIME) {
        int y, mo, d, h, mi, se;
        FZ_CHECK(sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) == 6, "%s",
                 iso);
        int64_t back = -1;
        FZ_CHECK(bw_civil_to_unix(y, mo, d, h, mi, se, &back, NULL) == BW_OK && back == t,
                 "%lld -> %s -> %lld", (long long)t, iso, (long long)back);
    }
    /* days <-> civil, within 2^40 years either way */
    int64_t days = (int64_t)(fz_u64(in) % (UINT64_C(1) << 44)) - (INT64_C(1) << 43);
    int64_t y;
    unsigned m, dd;
    bw_civil_from_days(days, &y, &m, &dd);
    FZ_CHECK(m >= 1 && m <= 12 && dd >= 1 && dd <= bw_days_in_month(y, m),
             "day %lld is %lld-%u-%u", (long long)days, (long long)y, m, dd);
    FZ_CHECK(bw_days_from_civil(y, m, dd) == days, "day %lld round trip", (long long)days);

    int64_t when = (int64_t)fz_u64(in), now = (int64_t)fz_u64(in);
    if (fz_bool(in)) {
        when = (int64_t)((uint64_t)when % (uint64_t)(BW_EVIDENCE_MAX_TIME + 1));
        now = (int64_t)((uint64_t)now % (uint64_t)(BW_EVIDENCE_MAX_TIME + 1));
    }
    int64_t age = 0;
    bool future = false;
    bw_err r = bw_evidence_age_days(when, now, &age, &future);
    bool in_range =
        when >= 0 && when <= BW_EVIDENCE_MAX_TIME && now >= 0 && now <= BW_EVIDENCE_MAX_TIME;
    FZ_CHECK((r == BW_OK) == in_range, "age_days %d", (int)r);
    if (r == BW_OK) {
        FZ_CHECK(age * 86400 <= now - when && now - when < (age + 1) * 86400, "age %lld",
                 (long long)age);
        FZ_CHECK(future == (when > now), "future");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!default_policy) {
        char err[512];
        FZ_CHECK(bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "default",
                                 &default_policy, err, sizeof err) == BW_OK,
                 "default policy: %s", err);
    }
    fz_in in = {data, size};
    uint8_t which = fz_u8(&in);
    switch (which % 8) {
    case 0: registry(&in); break;
    case 1:
    case 2: {
        /* exactly sized, not NUL-terminated */
        size_t len = in.n;
        char *s = fz_need(malloc(len ? len : 1));
        memcpy(s, in.p, len);
        text_parser(s, len, which % 8 == 2);
        free(s);
        break;
    }
    case 3: civil(&in); break;
    case 4: filetime(&in); break;
    case 5: policy_time(&in); break;
    case 6: judged(&in); break;
    default: formatting(&in); break;
    }
    return 0;
}
