/*
 * bw_str.c - buffers, string lists, UTF-8/UTF-16 and Unicode-aware
 * case-insensitive matching (portable core).
 */
#include "bw_str.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable buffer ------------------------------------------------- */

static bw_err buf_reserve(bw_buf *b, size_t extra)
{
    if (b->failed)
        return BW_ENOMEM;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = true;
        return BW_ENOMEM;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BW_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return BW_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return BW_OK;
}

bw_err bw_buf_append(bw_buf *b, const char *s, size_t n)
{
    bw_err e = buf_reserve(b, n);
    if (e)
        return e;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BW_OK;
}

bw_err bw_buf_puts(bw_buf *b, const char *s)
{
    return bw_buf_append(b, s, strlen(s));
}

bw_err bw_buf_putc(bw_buf *b, char c)
{
    return bw_buf_append(b, &c, 1);
}

bw_err bw_buf_vprintf(bw_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = true;
        return BW_EINVAL;
    }
    bw_err e = buf_reserve(b, (size_t)n);
    if (e)
        return e;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return BW_OK;
}

bw_err bw_buf_printf(bw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bw_err e = bw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return e;
}

char *bw_buf_take(bw_buf *b)
{
    if (b->failed) {
        bw_buf_free(b);
        return NULL;
    }
    if (!b->data && buf_reserve(b, 0) != BW_OK)
        return NULL;
    if (b->len == 0)
        b->data[0] = '\0';
    char *s = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void bw_buf_free(bw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

/* ---- small helpers ---------------------------------------------------- */

bw_err bw_grow(void *items_ptr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return BW_OK;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (size == 0 || ncap > SIZE_MAX / size)
        return BW_ENOMEM;
    /* The pointer is read and written through memcpy: the caller's array
     * pointer has its own type (T *), which a void ** must not alias. */
    void *old;
    memcpy(&old, items_ptr, sizeof old);
    void *p = realloc(old, ncap * size);
    if (!p)
        return BW_ENOMEM;
    memcpy(items_ptr, &p, sizeof p);
    *cap = ncap;
    return BW_OK;
}

char *bw_strdup(const char *s)
{
    return s ? bw_strndup(s, strlen(s)) : NULL;
}

char *bw_strndup(const char *s, size_t n)
{
    if (!s || n == SIZE_MAX)
        return NULL;
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *bw_strfmt(const char *fmt, ...)
{
    bw_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    bw_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return bw_buf_take(&b);
}

bw_err bw_strlist_add_owned(bw_strlist *l, char *s)
{
    if (!s)
        return BW_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **p = realloc(l->items, cap * sizeof *p);
        if (!p) {
            free(s);
            return BW_ENOMEM;
        }
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = s;
    return BW_OK;
}

bw_err bw_strlist_add(bw_strlist *l, const char *s)
{
    return bw_strlist_add_owned(l, bw_strdup(s ? s : ""));
}

void bw_strlist_free(bw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* ---- UTF-8 ------------------------------------------------------------- */

int32_t bw_utf8_next(const char **pp, const char *end)
{
    const unsigned char *p = (const unsigned char *)*pp;
    const unsigned char *e = (const unsigned char *)end;
    if (p >= e)
        return -1;
    unsigned c = p[0];
    int len;
    uint32_t cp, min;
    if (c < 0x80) {
        *pp += 1;
        return (int32_t)c;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        *pp += 1;
        return -1;
    }
    if (e - p < len) {
        *pp += 1;
        return -1;
    }
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *pp += 1;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *pp += 1;
        return -1;
    }
    *pp += len;
    return (int32_t)cp;
}

size_t bw_utf8_valid_prefix(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *at = p;
        if (bw_utf8_next(&p, end) < 0)
            return (size_t)(at - s);
    }
    return n;
}

bool bw_utf8_valid(const char *s, size_t n)
{
    return bw_utf8_valid_prefix(s, n) == n;
}

size_t bw_utf8_put(char out[4], uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- case folding ------------------------------------------------------ */

/* Blocks where upper and lower case alternate (even = upper, odd = lower,
 * or the reverse when `odd_upper`). */
static const struct {
    uint16_t first, last;
    bool odd_upper;
} alternating[] = {
    {0x0100, 0x012F, false}, {0x0132, 0x0137, false}, {0x0139, 0x0148, true},
    {0x014A, 0x0177, false}, {0x0179, 0x017E, true},  {0x01CD, 0x01DC, true},
    {0x01DE, 0x01EF, false}, {0x01F8, 0x021F, false}, {0x0222, 0x0233, false},
    {0x03D8, 0x03EF, false}, {0x0460, 0x0481, false}, {0x048A, 0x04BF, false},
    {0x04C1, 0x04CE, true},  {0x04D0, 0x052F, false}, {0x1E00, 0x1E95, false},
    {0x1EA0, 0x1EFF, false}, {0x2C80, 0x2CE3, false}, {0xA640, 0xA66D, false},
    {0xA680, 0xA69B, false}, {0xA722, 0xA72F, false}, {0xA732, 0xA76F, false},
};

uint32_t bw_casefold(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c < 0x100) {
        if (c == 0xB5)
            return 0x3BC; /* micro sign -> Greek mu */
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
            return c + 32;
        return c;
    }
    for (size_t i = 0; i < sizeof alternating / sizeof alternating[0]; i++) {
        if (c >= alternating[i].first && c <= alternating[i].last) {
            bool odd = c & 1;
            return odd == alternating[i].odd_upper ? c + 1 : c;
        }
    }
    switch (c) {
    case 0x0178: return 0x00FF; /* Y with diaeresis */
    case 0x017F: return 's';    /* long s */
    case 0x0386: return 0x03AC;
    case 0x038C: return 0x03CC;
    case 0x038E: return 0x03CD;
    case 0x038F: return 0x03CE;
    case 0x03C2: return 0x03C3; /* final sigma */
    case 0x04C0: return 0x04CF;
    case 0x1E9E: return 0x00DF; /* capital sharp s */
    case 0x2126: return 0x03C9; /* ohm */
    case 0x212A: return 'k';    /* kelvin */
    case 0x212B: return 0x00E5; /* angstrom */
    default: break;
    }
    if (c >= 0x0388 && c <= 0x038A)
        return c + 37;
    if (c >= 0x0391 && c <= 0x03AB && c != 0x03A2)
        return c + 32;
    if (c >= 0x0400 && c <= 0x040F)
        return c + 80;
    if (c >= 0x0410 && c <= 0x042F)
        return c + 32;
    if (c >= 0x0531 && c <= 0x0556)
        return c + 48;
    if (c >= 0x10A0 && c <= 0x10C5)
        return c + 7264; /* Georgian Asomtavruli -> Nuskhuri */
    if (c >= 0x1F08 && c <= 0x1F6F && (c & 0x8) && ((c & 0xFFF0) != 0x1F50 || (c & 1)))
        return c - 8; /* Greek extended, the common pairs */
    if (c >= 0x2160 && c <= 0x216F)
        return c + 16; /* Roman numerals */
    if (c >= 0x24B6 && c <= 0x24CF)
        return c + 26; /* circled letters */
    if (c >= 0x2C00 && c <= 0x2C2F)
        return c + 48; /* Glagolitic */
    if (c >= 0xFF21 && c <= 0xFF3A)
        return c + 32; /* fullwidth Latin */
    if (c >= 0x10400 && c <= 0x10427)
        return c + 40; /* Deseret */
    return c;
}

/* Next folded code point; invalid bytes fold to 0x110000 + byte so that they
 * compare equal only to the same byte. */
static uint32_t next_folded(const char **p, const char *end)
{
    const char *start = *p;
    int32_t cp = bw_utf8_next(p, end);
    if (cp < 0)
        return 0x110000u + (unsigned char)*start;
    return bw_casefold((uint32_t)cp);
}

bool bw_ieq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    const char *ae = a + strlen(a), *be = b + strlen(b);
    while (a < ae && b < be)
        if (next_folded(&a, ae) != next_folded(&b, be))
            return false;
    return a == ae && b == be;
}

static bool prefix_ieq(const char *hay, const char *he, const char *needle, const char *ne)
{
    while (needle < ne) {
        if (hay >= he)
            return false;
        if (next_folded(&hay, he) != next_folded(&needle, ne))
            return false;
    }
    return true;
}

bool bw_icontains(const char *hay, const char *needle)
{
    if (!hay || !needle)
        return false;
    const char *he = hay + strlen(hay), *ne = needle + strlen(needle);
    if (needle == ne)
        return true;
    for (const char *h = hay; h < he;) {
        if (prefix_ieq(h, he, needle, ne))
            return true;
        (void)bw_utf8_next(&h, he);
    }
    return false;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

size_t bw_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (ascii_lower(a[i - 1]) != ascii_lower(b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* ---- glob ------------------------------------------------------------- */

/* Matches one pattern element at *pp against folded code point c, advancing
 * *pp past the element. Returns 1 on match, 0 on no match. */
static int glob_element(const char **pp, const char *pe, uint32_t c)
{
    const char *p = *pp;
    if (*p == '?') {
        *pp = p + 1;
        return 1;
    }
    if (*p == '[') {
        const char *q = p + 1;
        bool negate = false, hit = false;
        if (q < pe && (*q == '!' || *q == '^')) {
            negate = true;
            q++;
        }
        const char *close = NULL;
        for (const char *r = q + (q < pe && *q == ']'); r < pe; r++) {
            if (*r == ']') {
                close = r;
                break;
            }
        }
        if (!close) { /* malformed class: '[' is literal */
            *pp = p + 1;
            return c == '[';
        }
        while (q < close) {
            uint32_t lo = next_folded(&q, close), hi = lo;
            if (q + 1 < close && *q == '-') {
                q++;
                hi = next_folded(&q, close);
            }
            if (c >= lo && c <= hi)
                hit = true;
        }
        *pp = close + 1;
        return hit != negate;
    }
    uint32_t pc = next_folded(&p, pe);
    *pp = p;
    return pc == c;
}

bool bw_glob(const char *pattern, const char *text)
{
    if (!pattern || !text)
        return false;
    const char *p = pattern, *pe = pattern + strlen(pattern);
    const char *t = text, *te = text + strlen(text);
    const char *star_p = NULL, *star_t = NULL;
    while (t < te) {
        if (p < pe && *p == '*') {
            while (p < pe && *p == '*')
                p++;
            star_p = p;
            star_t = t;
            continue;
        }
        if (p < pe) {
            const char *np = p, *nt = t;
            uint32_t c = next_folded(&nt, te);
            if (glob_element(&np, pe, c)) {
                p = np;
                t = nt;
                continue;
            }
        }
        if (!star_p)
            return false;
        /* backtrack: let the last '*' swallow one more code point */
        (void)bw_utf8_next(&star_t, te);
        p = star_p;
        t = star_t;
    }
    while (p < pe && *p == '*')
        p++;
    return p == pe;
}

/* ---- normalisation -------------------------------------------------- */

uint32_t bw_quote_fold(uint32_t c)
{
    switch (c) {
    case 0x00AB:
    case 0x00BB:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x301D:
    case 0x301E:
    case 0xFF02: return '"';
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032: return '\'';
    case 0x00A0:
    case 0x2007:
    case 0x202F:
    case 0x3000:
    case 0x2000:
    case 0x2001:
    case 0x2002:
    case 0x2003:
    case 0x2004:
    case 0x2005:
    case 0x2006:
    case 0x2008:
    case 0x2009:
    case 0x200A: return ' ';
    default: return c;
    }
}

char *bw_normalize(const char *s)
{
    if (!s)
        return NULL;
    const char *end = s + strlen(s);
    bw_buf b = {0};
    bool pending_space = false;
    char tmp[4];
    while (s < end) {
        const char *start = s;
        int32_t cp = bw_utf8_next(&s, end);
        if (cp < 0) {
            /* An invalid byte is kept as it is, after the space before it:
             * dropping that space could join it to the next invalid byte
             * into a character, which a second pass would fold. */
            if (pending_space)
                bw_buf_putc(&b, ' ');
            pending_space = false;
            bw_buf_putc(&b, *start);
            continue;
        }
        uint32_t c = bw_quote_fold(bw_casefold((uint32_t)cp));
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            pending_space = b.len > 0;
            continue;
        }
        if (pending_space)
            bw_buf_putc(&b, ' ');
        pending_space = false;
        bw_buf_append(&b, tmp, bw_utf8_put(tmp, c));
    }
    return bw_buf_take(&b);
}

/* ---- text for a terminal ----------------------------------------------- */

/* The length of the character (or invalid byte) at p, and whether it must
 * be escaped (bw_text_plain). */
static size_t text_unit(const char *p, const char *end, bool *escape)
{
    unsigned char c = (unsigned char)*p;
    if (c < 0x80) {
        *escape = c < 0x20 || c == 0x7F;
        return 1;
    }
    const char *q = p;
    int32_t cp = bw_utf8_next(&q, end);
    *escape = cp < 0 || cp <= 0x9F;
    return (size_t)(q - p);
}

bool bw_text_plain(const char *s)
{
    if (!s)
        return true;
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        bool escape;
        p += text_unit(p, end, &escape);
        if (escape)
            return false;
    }
    return true;
}

bw_err bw_buf_put_text(bw_buf *b, const char *s)
{
    if (!s)
        return b->failed ? BW_ENOMEM : BW_OK;
    const char *p = s, *end = s + strlen(s), *run = s;
    while (p < end) {
        bool escape;
        size_t n = text_unit(p, end, &escape);
        if (escape) {
            bw_buf_append(b, run, (size_t)(p - run));
            for (size_t i = 0; i < n; i++)
                bw_buf_printf(b, "\\x%02x", (unsigned char)p[i]);
            run = p + n;
        }
        p += n;
    }
    bw_buf_append(b, run, (size_t)(p - run));
    return b->failed ? BW_ENOMEM : BW_OK;
}

/* ---- UTF-16 <-> UTF-8 -------------------------------------------------- */

bw_err bw_utf16_to_utf8(const uint16_t *s, size_t n, char **out)
{
    *out = NULL;
    bw_buf b = {0};
    char tmp[4];
    for (size_t i = 0; i < n && s[i]; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 1 >= n || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF) {
                bw_buf_free(&b);
                return BW_EENCODING;
            }
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            bw_buf_free(&b);
            return BW_EENCODING;
        }
        bw_buf_append(&b, tmp, bw_utf8_put(tmp, c));
    }
    *out = bw_buf_take(&b);
    return *out ? BW_OK : BW_ENOMEM;
}

bw_err bw_utf16_to_utf8_escaped(const uint16_t *s, size_t n, char **out, bool *escaped)
{
    *out = NULL;
    if (escaped)
        *escaped = false;
    bw_buf b = {0};
    char tmp[4];
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        bool pair =
            c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF;
        if (pair) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c == 0 || (c >= 0xD800 && c <= 0xDFFF)) {
            bw_buf_printf(&b, "\\u%04X", (unsigned)c);
            if (escaped)
                *escaped = true;
            continue;
        }
        bw_buf_append(&b, tmp, bw_utf8_put(tmp, c));
    }
    *out = bw_buf_take(&b);
    return *out ? BW_OK : BW_ENOMEM;
}

/* The value of four hex digits at s, or -1. */
static long hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

bw_err bw_name_to_utf16(const char *s, uint16_t **out, size_t *out_len)
{
    *out = NULL;
    if (!strchr(s, '\\'))
        return bw_utf8_to_utf16(s, out, out_len);
    /* Split at each "\uXXXX"; the text between is UTF-8. */
    size_t n = strlen(s), len = 0;
    uint16_t *w = malloc((n + 1) * sizeof *w);
    if (!w)
        return BW_ENOMEM;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\\') {
            long v = i + 6 <= n && s[i + 1] == 'u' ? hex4(s + i + 2) : -1;
            if (v < 0) {
                free(w);
                return BW_EENCODING;
            }
            w[len++] = (uint16_t)v;
            i += 6;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != '\\')
            j++;
        char *part = bw_strndup(s + i, j - i);
        uint16_t *pw = NULL;
        size_t pn = 0;
        bw_err e = part ? bw_utf8_to_utf16(part, &pw, &pn) : BW_ENOMEM;
        free(part);
        if (e) {
            free(w);
            return e;
        }
        memcpy(w + len, pw, pn * sizeof *pw);
        len += pn;
        free(pw);
        i = j;
    }
    w[len] = 0;
    *out = w;
    if (out_len)
        *out_len = len;
    return BW_OK;
}

bw_err bw_utf8_to_utf16(const char *s, uint16_t **out, size_t *out_len)
{
    *out = NULL;
    size_t n = strlen(s);
    if (n > (SIZE_MAX / sizeof(uint16_t)) - 1)
        return BW_ERANGE;
    uint16_t *w = malloc((n + 1) * sizeof *w); /* never more units than bytes */
    if (!w)
        return BW_ENOMEM;
    size_t k = 0;
    const char *p = s, *end = s + n;
    while (p < end) {
        int32_t cp = bw_utf8_next(&p, end);
        if (cp < 0) {
            free(w);
            return BW_EENCODING;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            w[k++] = (uint16_t)(0xD800 + (cp >> 10));
            w[k++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            w[k++] = (uint16_t)cp;
        }
    }
    w[k] = 0;
    *out = w;
    if (out_len)
        *out_len = k;
    return BW_OK;
}
