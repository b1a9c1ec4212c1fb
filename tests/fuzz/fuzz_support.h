/*
 * fuzz_support.h - what the fuzz targets share (test code only): reading
 * values out of the fuzz input, a reference UTF-8 validator written from
 * the Unicode standard's table of well-formed byte sequences (independent
 * of bw_str.c), a strict JSON parser that decodes what it reads, a check
 * that fails the run, and a private temporary folder.
 */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- failing a run ------------------------------------------------------ */

/* Prints where and why, then aborts: libFuzzer records the input as a
 * crash. Used for property failures. */
void fz_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define FZ_CHECK(cond, ...)                           \
    do {                                              \
        if (!(cond))                                  \
            fz_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

/* Aborts when an allocation the target needs failed. */
void *fz_need(void *p);

/* ---- reading the input --------------------------------------------------- */

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

/* Each reader returns 0 (or an empty string) once the input is used up. */
uint8_t fz_u8(fz_in *in);
uint16_t fz_u16(fz_in *in);
uint32_t fz_u32(fz_in *in);
uint64_t fz_u64(fz_in *in);
bool fz_bool(fz_in *in);
/* A number in lo..hi (inclusive). */
size_t fz_range(fz_in *in, size_t lo, size_t hi);
/* The bytes up to the next NUL (consumed) or the end, at most max of them,
 * as a malloc'd NUL-terminated string; *len (optional) gets its length. */
char *fz_str(fz_in *in, size_t max, size_t *len);
/* The rest of the input as a malloc'd NUL-terminated copy. */
char *fz_rest(fz_in *in, size_t *len);

/* ---- UTF-8 (reference) ---------------------------------------------------- */

/* Length of the well-formed sequence at s[0..n) (Unicode Table 3-7), 0 if
 * the bytes there do not start one. */
size_t fz_utf8_seq(const uint8_t *s, size_t n);
bool fz_utf8_valid(const void *s, size_t n);
/* Offset of the first ill-formed sequence, n when there is none. */
size_t fz_utf8_prefix(const void *s, size_t n);
/* s with every byte that does not start a well-formed sequence replaced by
 * U+FFFD, one per byte (malloc'd, NUL-terminated, *len its length). */
char *fz_utf8_replace(const char *s, size_t n, size_t *len);

/* Fails the run (naming `what`, showing the line) unless text for a
 * terminal is valid UTF-8 without control characters other than line
 * feeds: no ESC, CR, TAB, DEL or C1 character that could move the cursor,
 * rewrite a line or start a control sequence. */
void fz_check_terminal_text(const char *what, const char *s, size_t n);

/* ---- JSON ------------------------------------------------------------------ */

typedef enum fz_jtype { FZ_JNULL, FZ_JBOOL, FZ_JNUM, FZ_JSTR, FZ_JARR, FZ_JOBJ } fz_jtype;

typedef struct fz_jval {
    fz_jtype type;
    bool b;
    char *text; /* FZ_JSTR: the decoded bytes; FZ_JNUM: the number as written */
    size_t len;
    struct fz_jval *items; /* FZ_JARR, FZ_JOBJ: the values, in order */
    char **keys;           /* FZ_JOBJ: the decoded keys */
    size_t *key_lens;
    size_t n, cap;
} fz_jval;

enum {
    FZ_JSON_DUP_KEYS = 1 /* accept an object with a key twice */
};

/* Parses exactly one JSON value (RFC 8259, strictly: valid UTF-8, no
 * control characters in strings, paired \u surrogates, no leading zeros,
 * no trailing commas, nothing but white space around the value), nested at
 * most 64 deep. On failure returns false with the reason and its offset in
 * err, and *out is empty. Free with fz_json_free. */
bool fz_json_parse(const char *s, size_t n, int flags, fz_jval *out, char *err, size_t errlen);
void fz_json_free(fz_jval *v);
/* The member of an object by key, or NULL. */
const fz_jval *fz_json_get(const fz_jval *obj, const char *key);
/* Deep equality (members of objects in order). */
bool fz_json_equal(const fz_jval *a, const fz_jval *b);
/* Parses, and fails the run (naming `what` and showing the text) when the
 * text is not one strict JSON document. */
void fz_json_must_parse(const char *what, const char *s, size_t n, int flags, fz_jval *out);

/* Builders for expected values. */
void fz_jset_str(fz_jval *v, const char *s, size_t n);
fz_jval *fz_jpush(fz_jval *container, const char *key, size_t key_len);

/* ---- files ----------------------------------------------------------------- */

/* A folder of this process's own (made once, under TMPDIR or /dev/shm or
 * /tmp), emptied by fz_tmpdir_clear. */
const char *fz_tmpdir(void);
void fz_tmpdir_clear(void);
void fz_write_file(const char *path, const void *data, size_t n);

#endif
