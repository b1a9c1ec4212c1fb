/*
 * bw_json.h - writing JSON (portable core, pure): string literals from any
 * bytes, and a writer that builds objects and arrays from values, placing
 * the commas, the line breaks and the indentation.
 *
 * Every JSON banwatch writes (the scan report, status, the JSON-lines
 * events, the alert fields the store keeps) goes through here, so that a
 * value read from the machine or the database can never change the shape
 * of the document: strings are escaped, and the structure comes from the
 * calls, never from stored text.
 *
 * Reading (bw_json_read.c) is limited to what banwatch itself stores as
 * JSON: the flat objects of string values bw_alert_fields_json writes. A
 * stored document is read into values and written again through the
 * writer, never copied.
 */
#ifndef BW_JSON_H
#define BW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_str.h"

/* Appends s as a JSON string literal, quotes included; NULL gives null.
 * '"', '\\' and the control characters are escaped (\n, \r, \t, else
 * \u00XX, DEL and the C1 controls U+0080 .. U+009F included, so that no
 * value reaches a terminal as a control sequence); a byte sequence that is
 * not valid UTF-8 is replaced by U+FFFD, one per invalid byte, so the
 * output is always valid UTF-8; U+2028 and U+2029 are escaped (JavaScript
 * readers). BW_ENOMEM if the buffer failed. */
bw_err bw_json_string(bw_buf *out, const char *s);

/* How a container lays out its members. */
typedef enum bw_json_style {
    BW_JSON_INLINE = 0, /* members on one line: {"a": 1, "b": 2} */
    BW_JSON_BLOCK,      /* one member a line, indented two spaces a level */
    BW_JSON_COMPACT     /* no spaces at all: {"a":1,"b":2} (JSON lines) */
} bw_json_style;

#define BW_JSON_MAX_DEPTH 16

/* A writer into a buffer. Zero-initialise with bw_json_init; open
 * containers with bw_json_object/bw_json_array and close them with
 * bw_json_end; add members with the value functions. A key is given for a
 * member of an object and NULL for an item of an array or the top value.
 * Misuse (closing more than was opened, nesting deeper than
 * BW_JSON_MAX_DEPTH) marks the buffer failed, as running out of memory
 * does; check bw_json_done once at the end. */
typedef struct bw_json {
    bw_buf *out;
    int depth;
    bw_json_style style[BW_JSON_MAX_DEPTH];
    bool array[BW_JSON_MAX_DEPTH];
    bool any[BW_JSON_MAX_DEPTH]; /* a member was written at that level */
} bw_json;

void bw_json_init(bw_json *j, bw_buf *out);

void bw_json_object(bw_json *j, const char *key, bw_json_style style);
void bw_json_array(bw_json *j, const char *key, bw_json_style style);
/* Closes the innermost container; an empty one is written "{}" / "[]". */
void bw_json_end(bw_json *j);

void bw_json_str(bw_json *j, const char *key, const char *value); /* NULL: null */
void bw_json_int(bw_json *j, const char *key, int64_t value);
void bw_json_uint(bw_json *j, const char *key, uint64_t value);
void bw_json_bool(bw_json *j, const char *key, bool value);
void bw_json_null(bw_json *j, const char *key);

/* BW_OK when every container was closed and nothing failed; the buffer
 * then holds the document, followed by a newline when `newline`. */
bw_err bw_json_done(bw_json *j, bool newline);

/* ---- reading (bw_json_read.c) ---------------------------------------------------- */

/* One member of a flat object: its key, and its value as text (NULL for
 * null). */
typedef struct bw_json_member {
    char *key;
    char *value;
} bw_json_member;

typedef struct bw_json_members {
    bw_json_member *items;
    size_t n, cap;
} bw_json_members;

/* NULL-safe; leaves *m empty. */
void bw_json_members_free(bw_json_members *m);

/* Reads text that is exactly one JSON object whose values are strings or
 * null, with at most max_members members, into *out (zeroed or freed
 * before), in order, the escapes decoded. White space is allowed where JSON
 * allows it. Anything else is BW_EINVAL and leaves *out empty: other value
 * types, nesting, a repeated key, text after the object, a string with a
 * raw control character, bytes that are not valid UTF-8, \u0000 or an
 * unpaired surrogate escape. BW_ENOMEM when memory runs out. */
bw_err bw_json_read_flat(const char *text, size_t max_members, bw_json_members *out);

#endif
