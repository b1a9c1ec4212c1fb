/* bw_json.c - writing JSON (portable core, pure). See bw_json.h. */
#include "bw_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bw_err bw_json_string(bw_buf *out, const char *s)
{
    if (!s)
        return bw_buf_puts(out, "null");
    bw_buf_putc(out, '"');
    const char *p = s, *end = s + strlen(s);
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) {
            switch (c) {
            case '"': bw_buf_puts(out, "\\\""); break;
            case '\\': bw_buf_puts(out, "\\\\"); break;
            case '\n': bw_buf_puts(out, "\\n"); break;
            case '\r': bw_buf_puts(out, "\\r"); break;
            case '\t': bw_buf_puts(out, "\\t"); break;
            default:
                if (c < 0x20 || c == 0x7F)
                    bw_buf_printf(out, "\\u%04x", c);
                else
                    bw_buf_putc(out, (char)c);
            }
            p++;
            continue;
        }
        const char *start = p;
        int32_t cp = bw_utf8_next(&p, end);
        if (cp < 0)
            bw_buf_puts(out, "\\ufffd");                     /* one per invalid byte */
        else if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029) /* C1 controls, separators */
            bw_buf_printf(out, "\\u%04x", (unsigned)cp);
        else
            bw_buf_append(out, start, (size_t)(p - start));
    }
    bw_buf_putc(out, '"');
    return out->failed ? BW_ENOMEM : BW_OK;
}

void bw_json_init(bw_json *j, bw_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

/* Block containers enclosing level `upto` (inclusive): the indentation. */
static int blocks(const bw_json *j, int upto)
{
    int n = 0;
    for (int i = 1; i <= upto; i++)
        n += j->style[i] == BW_JSON_BLOCK;
    return n;
}

static void indent(bw_json *j, int n)
{
    for (int i = 0; i < n; i++)
        bw_buf_puts(j->out, "  ");
}

/* Starts a member of the current container: separator, indentation, key. */
static void member(bw_json *j, const char *key)
{
    int d = j->depth;
    if (d > 0) {
        if (j->style[d] == BW_JSON_BLOCK) {
            bw_buf_puts(j->out, j->any[d] ? ",\n" : "\n");
            indent(j, blocks(j, d));
        } else if (j->any[d]) {
            bw_buf_puts(j->out, j->style[d] == BW_JSON_COMPACT ? "," : ", ");
        }
        j->any[d] = true;
        if (!j->array[d]) {
            bw_json_string(j->out, key ? key : "");
            bw_buf_puts(j->out, j->style[d] == BW_JSON_COMPACT ? ":" : ": ");
        } else if (key) {
            j->out->failed = true; /* a key inside an array */
        }
    } else if (key) {
        j->out->failed = true; /* a key at the top */
    }
}

static void open(bw_json *j, const char *key, bw_json_style style, bool array)
{
    member(j, key);
    if (j->depth + 1 >= BW_JSON_MAX_DEPTH) {
        j->out->failed = true;
        return;
    }
    j->depth++;
    j->style[j->depth] = style;
    j->array[j->depth] = array;
    j->any[j->depth] = false;
    bw_buf_putc(j->out, array ? '[' : '{');
}

void bw_json_object(bw_json *j, const char *key, bw_json_style style)
{
    open(j, key, style, false);
}

void bw_json_array(bw_json *j, const char *key, bw_json_style style)
{
    open(j, key, style, true);
}

void bw_json_end(bw_json *j)
{
    int d = j->depth;
    if (d <= 0) {
        j->out->failed = true;
        return;
    }
    if (j->style[d] == BW_JSON_BLOCK && j->any[d]) {
        bw_buf_putc(j->out, '\n');
        indent(j, blocks(j, d - 1));
    }
    bw_buf_putc(j->out, j->array[d] ? ']' : '}');
    j->depth--;
}

void bw_json_str(bw_json *j, const char *key, const char *value)
{
    member(j, key);
    bw_json_string(j->out, value);
}

void bw_json_int(bw_json *j, const char *key, int64_t value)
{
    member(j, key);
    bw_buf_printf(j->out, "%" PRId64, value);
}

void bw_json_uint(bw_json *j, const char *key, uint64_t value)
{
    member(j, key);
    bw_buf_printf(j->out, "%" PRIu64, value);
}

void bw_json_bool(bw_json *j, const char *key, bool value)
{
    member(j, key);
    bw_buf_puts(j->out, value ? "true" : "false");
}

void bw_json_null(bw_json *j, const char *key)
{
    member(j, key);
    bw_buf_puts(j->out, "null");
}

bw_err bw_json_done(bw_json *j, bool newline)
{
    if (j->depth != 0)
        j->out->failed = true;
    if (newline)
        bw_buf_putc(j->out, '\n');
    return j->out->failed ? BW_ENOMEM : BW_OK;
}
