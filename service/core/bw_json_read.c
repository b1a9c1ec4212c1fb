/*
 * bw_json_read.c - reading the flat JSON objects banwatch stores (portable
 * core, pure). See bw_json.h.
 *
 * A strict reader: it accepts what bw_alert_fields_json writes (and the
 * same with any JSON white space) and refuses everything else, so that its
 * caller can fall back to showing the text as one escaped string.
 */
#include "bw_json.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const char *p;
    const char *end;
} reader;

static void skip_space(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

/* The value of the four hex digits at p, or -1. */
static int32_t hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A \u escape at r->p (just after the backslash and the 'u'), a surrogate
 * pair as one: the code point, or -1. */
static int32_t read_u_escape(reader *r)
{
    int32_t hi = hex4(r->p, r->end);
    if (hi < 0)
        return -1;
    r->p += 4;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return -1;
    if (hi < 0xD800 || hi > 0xDBFF)
        return hi;
    if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
        return -1;
    int32_t lo = hex4(r->p + 2, r->end);
    if (lo < 0xDC00 || lo > 0xDFFF)
        return -1;
    r->p += 6;
    return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* One escape at r->p (just after the backslash) appended to b. */
static bw_err read_escape(reader *r, bw_buf *b)
{
    if (r->p >= r->end)
        return BW_EINVAL;
    char c = *r->p++;
    switch (c) {
    case '"': return bw_buf_putc(b, '"');
    case '\\': return bw_buf_putc(b, '\\');
    case '/': return bw_buf_putc(b, '/');
    case 'b': return bw_buf_putc(b, '\b');
    case 'f': return bw_buf_putc(b, '\f');
    case 'n': return bw_buf_putc(b, '\n');
    case 'r': return bw_buf_putc(b, '\r');
    case 't': return bw_buf_putc(b, '\t');
    case 'u': break;
    default: return BW_EINVAL;
    }
    int32_t cp = read_u_escape(r);
    if (cp <= 0)
        return BW_EINVAL; /* invalid, or U+0000, which a C string cannot hold */
    char u[4];
    return bw_buf_append(b, u, bw_utf8_put(u, (uint32_t)cp));
}

/* A string literal at r->p into a malloc'd *out. */
static bw_err read_string(reader *r, char **out)
{
    *out = NULL;
    if (r->p >= r->end || *r->p != '"')
        return BW_EINVAL;
    r->p++;
    bw_buf b = {0};
    bw_err e = BW_OK;
    bool closed = false;
    while (e == BW_OK && !closed && r->p < r->end) {
        unsigned char c = (unsigned char)*r->p;
        const char *start = r->p;
        if (c == '"') {
            r->p++;
            closed = true;
        } else if (c == '\\') {
            r->p++;
            e = read_escape(r, &b);
        } else if (c < 0x20 || bw_utf8_next(&r->p, r->end) < 0) {
            e = BW_EINVAL;
        } else {
            bw_buf_append(&b, start, (size_t)(r->p - start));
        }
    }
    if (e == BW_OK && !closed)
        e = BW_EINVAL;
    if (e == BW_OK) {
        *out = bw_buf_take(&b); /* "" for an empty string; NULL if b failed */
        if (!*out)
            e = BW_ENOMEM;
    }
    bw_buf_free(&b);
    return e;
}

/* A value at r->p: a string into *out, or null (*out NULL). */
static bw_err read_value(reader *r, char **out)
{
    *out = NULL;
    if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        return BW_OK;
    }
    return read_string(r, out);
}

static bool has_key(const bw_json_members *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0)
            return true;
    return false;
}

/* One "key": value member at r->p appended to *out. */
static bw_err read_member(reader *r, size_t max_members, bw_json_members *out)
{
    char *key = NULL, *value = NULL;
    bw_err e = read_string(r, &key);
    if (e == BW_OK) {
        skip_space(r);
        if (r->p < r->end && *r->p == ':') {
            r->p++;
            skip_space(r);
            e = read_value(r, &value);
        } else {
            e = BW_EINVAL;
        }
    }
    if (e == BW_OK && (out->n >= max_members || has_key(out, key)))
        e = BW_EINVAL;
    if (e == BW_OK)
        e = bw_grow(&out->items, &out->cap, out->n, sizeof *out->items);
    if (e != BW_OK) {
        free(key);
        free(value);
        return e;
    }
    out->items[out->n].key = key;
    out->items[out->n].value = value;
    out->n++;
    return BW_OK;
}

static bw_err read_object(reader *r, size_t max_members, bw_json_members *out)
{
    skip_space(r);
    if (r->p >= r->end || *r->p != '{')
        return BW_EINVAL;
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return BW_OK;
    }
    for (;;) {
        bw_err e = read_member(r, max_members, out);
        if (e != BW_OK)
            return e;
        skip_space(r);
        if (r->p >= r->end)
            return BW_EINVAL;
        char c = *r->p++;
        if (c == '}')
            return BW_OK;
        if (c != ',')
            return BW_EINVAL;
        skip_space(r);
    }
}

bw_err bw_json_read_flat(const char *text, size_t max_members, bw_json_members *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return BW_EINVAL;
    reader r = {text, text + strlen(text)};
    bw_err e = read_object(&r, max_members, out);
    if (e == BW_OK) {
        skip_space(&r);
        if (r.p != r.end)
            e = BW_EINVAL;
    }
    if (e != BW_OK)
        bw_json_members_free(out);
    return e;
}

void bw_json_members_free(bw_json_members *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}
