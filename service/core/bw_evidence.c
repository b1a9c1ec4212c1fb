/*
 * bw_evidence.c - update evidence parsers (portable core). See bw_evidence.h.
 *
 * The input is never modified, never read beyond its length and never
 * copied into the reason text. Text is read through a small view that
 * yields one character per code unit: bytes for UTF-8 (and other
 * ASCII-compatible encodings), 16-bit units for UTF-16LE, where every unit
 * outside ASCII reads as 0x80 (no markup or digit is outside ASCII).
 */
#include "bw_evidence.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bw_str.h"
#include "bw_time.h"

/* Parses exactly n characters against a pattern: Y, M, D, h, m, s are
 * digits of year, month, day, hour, minute, second; every other character
 * must appear as it is. `form` names the expected form in reasons. */
static bw_err parse_pattern(const unsigned char *s, size_t n, const char *pat, const char *form,
                            int64_t *t, const char **why)
{
    if (n != strlen(pat)) {
        *why = form;
        return BW_EPARSE;
    }
    int64_t year = 0;
    int month = 0, day = 0, hour = 0, minute = 0, second = 0;
    for (size_t i = 0; i < n; i++) {
        char p = pat[i];
        int *field = NULL;
        switch (p) {
        case 'Y': break;
        case 'M': field = &month; break;
        case 'D': field = &day; break;
        case 'h': field = &hour; break;
        case 'm': field = &minute; break;
        case 's': field = &second; break;
        default:
            if (s[i] != (unsigned char)p) {
                *why = form;
                return BW_EPARSE;
            }
            continue;
        }
        if (s[i] < '0' || s[i] > '9') {
            *why = "non-digit in date";
            return BW_EPARSE;
        }
        int d = s[i] - '0';
        if (field)
            *field = *field * 10 + d;
        else
            year = year * 10 + d;
    }
    return bw_civil_to_unix(year, month, day, hour, minute, second, t, why);
}

/* ---- results ----------------------------------------------------------- */

static void set_reason(bw_evidence_time *r, const char *fmt, ...) BW_PRINTF(2, 3);

static void set_reason(bw_evidence_time *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

static bw_err fail(bw_evidence_time *r, bw_err err, const char *why)
{
    r->err = err;
    r->when = 0;
    r->never = false;
    set_reason(r, "%s", why);
    return err;
}

static void reset(bw_evidence_time *r)
{
    memset(r, 0, sizeof *r);
    r->err = BW_OK;
}

/* Valid and malformed dates of one kind, and the first malformed one. */
typedef struct acc {
    int64_t max;
    unsigned found;
    unsigned malformed;
    size_t first_pos; /* position of the first malformed date */
    bw_err first_err;
    const char *first_why;
    const char *label;   /* "UpdateDate", "Update Date", NULL for lines */
    unsigned first_line; /* kdb.stt: line of the first malformed date */
} acc;

static void acc_add(acc *a, bw_err err, int64_t t, const char *why, size_t pos, unsigned line)
{
    if (err == BW_OK) {
        if (a->found == 0 || t > a->max)
            a->max = t;
        a->found++;
        return;
    }
    if (a->malformed++ == 0) {
        a->first_pos = pos;
        a->first_err = err;
        a->first_why = why;
        a->first_line = line;
    }
}

static void acc_merge(acc *into, const acc *from)
{
    if (from->found && (into->found == 0 || from->max > into->max))
        into->max = from->max;
    into->found += from->found;
    if (from->malformed && (into->malformed == 0 || from->first_pos < into->first_pos)) {
        into->first_pos = from->first_pos;
        into->first_err = from->first_err;
        into->first_why = from->first_why;
        into->label = from->label;
        into->first_line = from->first_line;
    }
    into->malformed += from->malformed;
}

/* Fills the result from the merged accumulator. */
static bw_err finish(bw_evidence_time *r, const acc *a, const char *trunc_in, const char *nothing)
{
    char label[32] = "";
    if (a->malformed) {
        if (a->label)
            snprintf(label, sizeof label, "%s", a->label);
        else
            snprintf(label, sizeof label, "line %u", a->first_line);
    }
    r->found = a->found;
    r->malformed = a->malformed;
    r->truncated = trunc_in != NULL;
    if (a->found) {
        r->err = BW_OK;
        r->when = a->max;
        if (a->malformed)
            set_reason(r, "%u malformed date%s ignored; first: %s: %s", a->malformed,
                       a->malformed == 1 ? "" : "s", label, a->first_why);
        else if (trunc_in)
            set_reason(r, "input ends inside %s", trunc_in);
        return BW_OK;
    }
    if (a->malformed) {
        if (a->malformed > 1)
            set_reason(r, "%s: %s (%u malformed)", label, a->first_why, a->malformed);
        else
            set_reason(r, "%s: %s", label, a->first_why);
        r->err = a->first_err;
        return r->err;
    }
    if (trunc_in) {
        set_reason(r, "truncated: input ends inside %s", trunc_in);
        r->err = BW_EPARSE;
        return BW_EPARSE;
    }
    return fail(r, BW_ENOTFOUND, nothing);
}

/* ---- text view ---------------------------------------------------------- */

typedef struct view {
    const unsigned char *p;
    size_t n;  /* characters (code units) */
    bool wide; /* UTF-16LE */
} view;

#define NPOS ((size_t)-1)

/* The character at i, 0x80 for any non-ASCII UTF-16 unit, -1 past the end. */
static int at(const view *v, size_t i)
{
    if (i >= v->n)
        return -1;
    if (!v->wide)
        return v->p[i];
    unsigned u = (unsigned)v->p[2 * i] | (unsigned)v->p[2 * i + 1] << 8;
    return u < 0x80 ? (int)u : 0x80;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* True if the literal occurs at i. */
static bool match(const view *v, size_t i, const char *lit)
{
    for (size_t k = 0; lit[k]; k++)
        if (at(v, i + k) != (unsigned char)lit[k])
            return false;
    return true;
}

/* First position >= i where lit occurs, or NPOS. */
static size_t find(const view *v, size_t i, const char *lit)
{
    for (; i < v->n; i++)
        if (at(v, i) == (unsigned char)lit[0] && match(v, i, lit))
            return i;
    return NPOS;
}

/* True if [s, e) equals lit, ASCII case-insensitively. */
static bool name_is(const view *v, size_t s, size_t e, const char *lit)
{
    size_t n = strlen(lit);
    if (e - s != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (lower(at(v, s + k)) != lower((unsigned char)lit[k]))
            return false;
    return true;
}

/* Copies [s, e) without surrounding white space into buf (NUL-terminated);
 * false if it does not fit. Non-ASCII characters become 0x80. */
static bool copy_trimmed(const view *v, size_t s, size_t e, unsigned char *buf, size_t cap,
                         size_t *n)
{
    while (s < e && is_space(at(v, s)))
        s++;
    while (e > s && is_space(at(v, e - 1)))
        e--;
    if (e - s >= cap)
        return false;
    for (size_t k = s; k < e; k++)
        buf[k - s] = (unsigned char)at(v, k);
    buf[e - s] = 0;
    *n = e - s;
    return true;
}

/* Checks the byte order mark and sets up the view. */
static bw_err open_view(const void *data, size_t len, view *v, bool *odd, const char **why)
{
    const unsigned char *b = data;
    *odd = false;
    if (!data && len) {
        *why = "no input buffer";
        return BW_EINVAL;
    }
    if (len > BW_EVIDENCE_MAX_INPUT) {
        *why = "input larger than 16 MiB";
        return BW_ERANGE;
    }
    v->p = b;
    v->n = len;
    v->wide = false;
    if (len >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) {
        *why = "UTF-32BE text is not supported";
        return BW_EENCODING;
    }
    if (len >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) {
        *why = "UTF-32LE text is not supported";
        return BW_EENCODING;
    }
    if (len >= 2 && b[0] == 0xFE && b[1] == 0xFF) {
        *why = "UTF-16BE text is not supported";
        return BW_EENCODING;
    }
    if (len >= 2 && b[0] == 0xFF && b[1] == 0xFE) {
        v->p = b + 2;
        v->n = (len - 2) / 2;
        v->wide = true;
        *odd = (len - 2) % 2 != 0;
    } else if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        v->p = b + 3;
        v->n = len - 3;
    } else if (len >= 1 && b[0] == 0) {
        *why = "starts with NUL: UTF-16BE or UTF-32 text is not supported";
        return BW_EENCODING;
    } else if (len >= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0) {
        *why = "UTF-32LE text is not supported";
        return BW_EENCODING;
    } else if (len >= 2 && b[0] < 0x80 && b[1] == 0) {
        /* UTF-16LE without a byte order mark ("<" 00 ...) */
        v->n = len / 2;
        v->wide = true;
        *odd = len % 2 != 0;
    }
    if (v->n == 0) {
        *why = "empty input";
        return BW_EPARSE;
    }
    return BW_OK;
}

/* ---- bases index XML ------------------------------------------------------ */

#define INDEX_FORM "not in form DDMMYYYY HHMM"

typedef struct index_scan {
    const view *v;
    acc update_date; /* UpdateDate attributes of any element */
    acc kdbefi;      /* Date of <Update CompID="KDBEFI...">  */
    acc other;       /* Date of the other <Update> elements */
    const char *trunc_in;
} index_scan;

/* Validates one date attribute value [s, e). */
static void index_date(const view *v, size_t s, size_t e, bool quoted, bool closed, int64_t *t,
                       bw_err *err, const char **why)
{
    unsigned char buf[32];
    size_t n;
    *t = 0;
    if (!closed) {
        *err = BW_EPARSE;
        *why = "value not terminated";
    } else if (!quoted) {
        *err = BW_EPARSE;
        *why = "value not quoted";
    } else if (!copy_trimmed(v, s, e, buf, sizeof buf, &n)) {
        *err = BW_EPARSE;
        *why = INDEX_FORM;
    } else {
        *err = parse_pattern(buf, n, "DDMMYYYY hhmm", INDEX_FORM, t, why);
    }
}

/* True if the CompID value [s, e) starts with KDBEFI (after white space). */
static bool is_kdbefi(const view *v, size_t s, size_t e)
{
    while (s < e && is_space(at(v, s)))
        s++;
    return e - s >= 6 && name_is(v, s, s + 6, "KDBEFI");
}

/* Scans a start tag whose name begins at i; returns where scanning goes on. */
static size_t index_tag(index_scan *sc, size_t i)
{
    const view *v = sc->v;
    size_t ns = i;
    while (i < v->n) {
        int c = at(v, i);
        if (is_space(c) || c == '>' || c == '/' || c == '<' || c == '"' || c == '\'')
            break;
        i++;
    }
    size_t ne = i, local = ns;
    for (size_t k = ns; k < ne; k++)
        if (at(v, k) == ':')
            local = k + 1;
    bool is_update = name_is(v, local, ne, "Update");

    /* the <Update> element's Date waits for its CompID */
    bool has_date = false, kdbefi = false;
    size_t date_pos = 0;
    int64_t date_t = 0;
    bw_err date_err = BW_OK;
    const char *date_why = "";
    unsigned dup = 0;
    size_t dup_pos = 0;

    for (;;) {
        while (i < v->n && is_space(at(v, i)))
            i++;
        int c = at(v, i);
        if (c < 0) {
            sc->trunc_in = "a tag";
            break;
        }
        if (c == '>') {
            i++;
            break;
        }
        if (c == '<') /* broken tag: the next one starts here */
            break;
        if (c == '/' || c == '=') {
            i++;
            continue;
        }
        if (c == '"' || c == '\'') { /* stray quoted text: skip it whole */
            size_t j = i + 1;
            while (j < v->n && at(v, j) != c)
                j++;
            if (j >= v->n) {
                sc->trunc_in = "a quoted value";
                i = v->n;
                break;
            }
            i = j + 1;
            continue;
        }
        size_t as = i;
        while (i < v->n) {
            c = at(v, i);
            if (is_space(c) || c == '=' || c == '>' || c == '/' || c == '<' || c == '"' ||
                c == '\'')
                break;
            i++;
        }
        size_t ae = i;
        while (i < v->n && is_space(at(v, i)))
            i++;
        if (at(v, i) != '=')
            continue; /* attribute without a value */
        i++;
        while (i < v->n && is_space(at(v, i)))
            i++;
        c = at(v, i);
        size_t vs, ve;
        bool quoted = c == '"' || c == '\'', closed = true;
        if (quoted) {
            vs = ++i;
            while (i < v->n && at(v, i) != c)
                i++;
            ve = i;
            if (i >= v->n)
                closed = false;
            else
                i++;
        } else {
            vs = i;
            while (i < v->n) {
                c = at(v, i);
                if (is_space(c) || c == '>' || c == '<' || (c == '/' && at(v, i + 1) == '>'))
                    break;
                i++;
            }
            ve = i;
        }
        if (name_is(v, as, ae, "UpdateDate")) {
            int64_t t;
            bw_err err;
            const char *why;
            index_date(v, vs, ve, quoted, closed, &t, &err, &why);
            acc_add(&sc->update_date, err, t, why, as, 0);
        } else if (is_update && name_is(v, as, ae, "Date")) {
            if (has_date) {
                if (dup++ == 0)
                    dup_pos = as;
            } else {
                has_date = true;
                date_pos = as;
                index_date(v, vs, ve, quoted, closed, &date_t, &date_err, &date_why);
            }
        } else if (is_update && name_is(v, as, ae, "CompID")) {
            kdbefi = kdbefi || is_kdbefi(v, vs, ve);
        }
        if (!closed) {
            sc->trunc_in = "a quoted value";
            break;
        }
    }
    if (has_date) {
        acc *a = kdbefi ? &sc->kdbefi : &sc->other;
        acc_add(a, date_err, date_t, date_why, date_pos, 0);
        for (unsigned k = 0; k < dup; k++)
            acc_add(a, BW_EPARSE, 0, "duplicate Date attribute", dup_pos, 0);
    }
    return i;
}

/* Skips a <!DOCTYPE ...> or other declaration at i, honouring quotes and
 * an internal subset in brackets; NPOS if it does not end. */
static size_t skip_declaration(const view *v, size_t i)
{
    int quote = 0;
    unsigned depth = 0;
    for (i += 2; i < v->n; i++) {
        int c = at(v, i);
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[') {
            depth++;
        } else if (c == ']' && depth) {
            depth--;
        } else if (c == '>' && depth == 0) {
            return i + 1;
        }
    }
    return NPOS;
}

/* The start of each file parser: checks out, resets it and opens the input
 * as text; on failure *out says why. */
static bw_err parse_begin(const void *data, size_t len, bw_evidence_time *out, view *v, bool *odd)
{
    if (!out)
        return BW_EINVAL;
    reset(out);
    const char *why = "";
    bw_err err = open_view(data, len, v, odd, &why);
    return err == BW_OK ? BW_OK : fail(out, err, why);
}

bw_err bw_evidence_parse_index(const void *data, size_t len, bw_evidence_time *out)
{
    view v;
    bool odd;
    bw_err err = parse_begin(data, len, out, &v, &odd);
    if (err != BW_OK)
        return err;

    index_scan sc = {.v = &v};
    sc.update_date.label = "UpdateDate";
    sc.kdbefi.label = sc.other.label = "Update Date";
    /* Markup skipped whole: its text may look like attributes. */
    static const struct {
        const char *open, *close, *what;
    } opaque[] = {{"<!--", "-->", "a comment"},
                  {"<![CDATA[", "]]>", "a CDATA section"},
                  {"<?", "?>", "a processing instruction"}};
    size_t i = 0;
    while (i < v.n && !sc.trunc_in) {
        if (at(&v, i) != '<') {
            i++;
            continue;
        }
        size_t e, k = 0;
        while (k < sizeof opaque / sizeof opaque[0] && !match(&v, i, opaque[k].open))
            k++;
        if (k < sizeof opaque / sizeof opaque[0]) {
            e = find(&v, i + strlen(opaque[k].open), opaque[k].close);
            if (e == NPOS)
                sc.trunc_in = opaque[k].what;
            else
                i = e + strlen(opaque[k].close);
        } else if (match(&v, i, "<!")) {
            e = skip_declaration(&v, i);
            if (e == NPOS)
                sc.trunc_in = "a declaration";
            else
                i = e;
        } else if (match(&v, i, "</")) {
            for (i += 2; i < v.n && at(&v, i) != '>' && at(&v, i) != '<'; i++)
                ;
            if (i >= v.n)
                sc.trunc_in = "an end tag";
            else if (at(&v, i) == '>')
                i++;
        } else {
            i = index_tag(&sc, i + 1);
        }
    }
    if (!sc.trunc_in && odd)
        sc.trunc_in = "a UTF-16 character (odd length)";

    /* KDBEFI entries, when there are any, stand for the bases */
    acc all = sc.update_date;
    const acc *upd = (sc.kdbefi.found || sc.kdbefi.malformed) ? &sc.kdbefi : &sc.other;
    acc_merge(&all, upd);
    return finish(out, &all, sc.trunc_in, "no UpdateDate or Update Date attribute");
}

/* ---- kdb.stt ------------------------------------------------------------- */

#define STT_FORM "not in form <n>;YYYYMMDDHHMM"

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == 0;
}

/* One line [s, e) without its terminator. */
static void stt_line(const view *v, size_t s, size_t e, acc *a, unsigned line)
{
    while (s < e && is_blank(at(v, s)))
        s++;
    while (e > s && is_blank(at(v, e - 1)))
        e--;
    if (s == e)
        return; /* blank line */
    size_t i = s;
    while (i < e && at(v, i) >= '0' && at(v, i) <= '9')
        i++;
    size_t digits = i - s;
    while (i < e && is_blank(at(v, i)))
        i++;
    if (digits == 0 || i >= e || at(v, i) != ';') {
        acc_add(a, BW_EPARSE, 0, STT_FORM, s, line);
        return;
    }
    unsigned char buf[32];
    size_t n;
    int64_t t = 0;
    const char *why = STT_FORM;
    bw_err err = BW_EPARSE;
    if (copy_trimmed(v, i + 1, e, buf, sizeof buf, &n))
        err = parse_pattern(buf, n, "YYYYMMDDhhmm", STT_FORM, &t, &why);
    acc_add(a, err, t, why, s, line);
}

bw_err bw_evidence_parse_kdb_stt(const void *data, size_t len, bw_evidence_time *out)
{
    view v;
    bool odd;
    bw_err err = parse_begin(data, len, out, &v, &odd);
    if (err != BW_OK)
        return err;
    acc a = {0};
    unsigned line = 1;
    size_t s = 0;
    for (size_t i = 0; i <= v.n; i++) {
        int c = at(&v, i);
        if (c != '\n' && c != '\r' && c >= 0)
            continue;
        stt_line(&v, s, i, &a, line);
        if (line < UINT_MAX)
            line++;
        if (c == '\r' && at(&v, i + 1) == '\n')
            i++;
        s = i + 1;
    }
    return finish(out, &a, odd ? "a UTF-16 character (odd length)" : NULL,
                  "no <n>;YYYYMMDDHHMM line");
}

/* ---- registry values -------------------------------------------------- */

bw_err bw_evidence_filetime_to_unix(uint64_t ft, int64_t *out)
{
    /* Ticks before 1970 are out of range; so are those after 9999. */
    if (ft < BW_FILETIME_UNIX_EPOCH)
        return BW_ERANGE;
    uint64_t secs = (ft - BW_FILETIME_UNIX_EPOCH) / UINT64_C(10000000);
    if (secs > (uint64_t)BW_EVIDENCE_MAX_TIME)
        return BW_ERANGE;
    if (out)
        *out = (int64_t)secs;
    return BW_OK;
}

/* Trims white space around the first len bytes of s (up to a NUL). */
static const unsigned char *trim(const char *s, size_t len, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    while (k < len && p[k])
        k++;
    while (k && is_space(p[k - 1]))
        k--;
    while (k && is_space(p[0])) {
        p++;
        k--;
    }
    *n = k;
    return p;
}

/* One date in a fixed pattern, from a registry string. */
static bw_err text_date(const char *s, size_t len, const char *pat, const char *form,
                        bw_evidence_time *out)
{
    if (!out)
        return BW_EINVAL;
    reset(out);
    if (!s && len)
        return fail(out, BW_EINVAL, "no input buffer");
    size_t n;
    const unsigned char *p = trim(s ? s : "", s ? len : 0, &n);
    if (n == 0)
        return fail(out, BW_EPARSE, "empty value");
    int64_t t = 0;
    const char *why = "";
    bw_err err = parse_pattern(p, n, pat, form, &t, &why);
    if (err != BW_OK) {
        out->malformed = 1;
        return fail(out, err, why);
    }
    out->when = t;
    out->found = 1;
    return BW_OK;
}

static bw_err never(bw_evidence_time *out, const char *what)
{
    out->never = true;
    set_reason(out, "never updated (%s)", what);
    return BW_OK;
}

static bw_err found_at(bw_evidence_time *out, int64_t t)
{
    if (t < BW_EVIDENCE_MIN_TIME || t > BW_EVIDENCE_MAX_TIME)
        return fail(out, BW_ERANGE, "time outside 1970..9999");
    out->when = t;
    out->found = 1;
    return BW_OK;
}

#define INSTALLED_FORM "not in form DDMMYYYY HHMM"

bw_err bw_evidence_registry_time(uint32_t reg_type, uint64_t value, const char *text, size_t len,
                                 bw_evidence_time *out)
{
    if (!out)
        return BW_EINVAL;
    reset(out);
    switch (reg_type) {
    case BW_REG_DWORD:
        if (value == 0 || value == UINT64_C(0xFFFFFFFF))
            return never(out, value ? "0xFFFFFFFF" : "0");
        if (value > UINT64_C(0xFFFFFFFF))
            return fail(out, BW_EINVAL, "a DWORD wider than 32 bits");
        return found_at(out, (int64_t)value);
    case BW_REG_QWORD:
    case BW_REG_BINARY: {
        if (value == 0 || value == UINT64_MAX)
            return never(out, value ? "all ones" : "0");
        int64_t t = 0;
        if (bw_evidence_filetime_to_unix(value, &t) != BW_OK)
            return fail(out, BW_ERANGE, "FILETIME outside 1970..9999");
        return found_at(out, t);
    }
    case BW_REG_SZ:
    case BW_REG_EXPAND_SZ: {
        size_t n;
        const unsigned char *p = trim(text ? text : "", text ? len : 0, &n);
        if (n == 0)
            return fail(out, BW_EPARSE, "empty value");
        bool digits = n <= 12;
        for (size_t i = 0; digits && i < n; i++)
            digits = p[i] >= '0' && p[i] <= '9';
        if (!digits)
            return text_date(text, len, "DDMMYYYY hhmm", INSTALLED_FORM, out);
        int64_t t = 0;
        for (size_t i = 0; i < n; i++)
            t = t * 10 + (p[i] - '0');
        if (t == 0 || t == INT64_C(0xFFFFFFFF))
            return never(out, t ? "4294967295" : "0");
        return found_at(out, t);
    }
    default:
        set_reason(out, "registry type %lu is not a time", (unsigned long)reg_type);
        out->err = BW_EINVAL;
        return BW_EINVAL;
    }
}

bw_err bw_evidence_parse_ddmmyyyy(const char *s, size_t len, bw_evidence_time *out)
{
    return text_date(s, len, "DDMMYYYY hhmm", INSTALLED_FORM, out);
}

#define BASES_DATE_FORM "not in form dd-MM-yyyy HH-mm-ss"

bw_err bw_evidence_parse_bases_date(const char *s, size_t len, bw_evidence_time *out)
{
    return text_date(s, len, "DD-MM-YYYY hh-mm-ss", BASES_DATE_FORM, out);
}

/* ---- judgement ------------------------------------------------------------ */

bool bw_evidence_after_cutoff(int64_t t, int64_t cutoff)
{
    return t >= cutoff;
}

bw_err bw_evidence_age_days(int64_t when, int64_t now, int64_t *days, bool *future)
{
    if (!days)
        return BW_EINVAL;
    if (when < BW_EVIDENCE_MIN_TIME || when > BW_EVIDENCE_MAX_TIME ||
        now < BW_EVIDENCE_MIN_TIME || now > BW_EVIDENCE_MAX_TIME)
        return BW_ERANGE;
    int64_t diff = now - when;
    int64_t d = diff / 86400;
    if (diff % 86400 < 0)
        d--;
    *days = d;
    if (future)
        *future = when > now;
    return BW_OK;
}
