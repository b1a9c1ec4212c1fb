/*
 * bw_str.h - strings for the portable core: a growable byte buffer, string
 * lists, UTF-8 validation, Unicode-aware case-insensitive comparison and
 * glob matching, and UTF-16 <-> UTF-8 conversion.
 *
 * All text inside banwatch is UTF-8. Conversion from and to UTF-16 happens
 * only at the Win32 edge (service/win), with the functions declared here so
 * that they are tested natively. Invalid sequences are rejected, never
 * replaced.
 */
#ifndef BW_STR_H
#define BW_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"

/* printf-style format checking; MinGW's default "printf" archetype is the
 * Microsoft one, which rejects %zu although banwatch builds with the C99
 * conforming stdio (__USE_MINGW_ANSI_STDIO). */
#if defined(__MINGW32__)
#define BW_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define BW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

/* ---- growable buffer ------------------------------------------------- */

/* A byte buffer that is always NUL-terminated once anything was added.
 * Zero-initialise it ({0}); release with bw_buf_free. After an allocation
 * failure the buffer keeps its content and sets `failed`; later appends do
 * nothing, so callers may check once at the end. */
typedef struct bw_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} bw_buf;

bw_err bw_buf_append(bw_buf *b, const char *s, size_t n);
bw_err bw_buf_puts(bw_buf *b, const char *s);
bw_err bw_buf_putc(bw_buf *b, char c);
bw_err bw_buf_printf(bw_buf *b, const char *fmt, ...) BW_PRINTF(2, 3);
bw_err bw_buf_vprintf(bw_buf *b, const char *fmt, va_list ap) BW_PRINTF(2, 0);
/* Hands the (NUL-terminated, possibly empty) text to the caller, who frees
 * it; the buffer is empty afterwards. NULL if the buffer failed. */
char *bw_buf_take(bw_buf *b);
void bw_buf_free(bw_buf *b);

/* ---- small helpers ---------------------------------------------------- */

/* Makes room for one more item in a typed array: items_ptr is the address
 * of the array pointer (e.g. &list->items), which holds n items of `size`
 * bytes with capacity *cap (doubling, from 8). BW_ENOMEM leaves the array
 * as it was. */
bw_err bw_grow(void *items_ptr, size_t *cap, size_t n, size_t size);

/* malloc'd copy; NULL for NULL input or on allocation failure. */
char *bw_strdup(const char *s);
char *bw_strndup(const char *s, size_t n);
/* malloc'd printf result, NULL on failure. */
char *bw_strfmt(const char *fmt, ...) BW_PRINTF(1, 2);

/* A list of owned strings. Zero-initialise; release with bw_strlist_free. */
typedef struct bw_strlist {
    char **items;
    size_t n;
    size_t cap;
} bw_strlist;

/* Appends a copy of s. */
bw_err bw_strlist_add(bw_strlist *l, const char *s);
/* Appends s itself, taking ownership (frees it on failure). */
bw_err bw_strlist_add_owned(bw_strlist *l, char *s);
void bw_strlist_free(bw_strlist *l);

/* ---- UTF-8 and Unicode -------------------------------------------------- */

/* True if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool bw_utf8_valid(const char *s, size_t n);

/* Length of the longest well-formed UTF-8 prefix of s[0..n): n when all of
 * it is valid, else the offset of the first byte of the first invalid
 * sequence (overlong, surrogate, above U+10FFFF, stray continuation byte,
 * truncated). */
size_t bw_utf8_valid_prefix(const char *s, size_t n);

/* Decodes one code point at *p (bounded by end), advancing *p. Returns the
 * code point, or -1 for an invalid sequence (then *p moves by one byte). */
int32_t bw_utf8_next(const char **p, const char *end);

/* Simple Unicode case folding of one code point (Latin-1, Latin Extended-A,
 * Greek, Cyrillic and the other bicameral blocks banwatch meets in product
 * and publisher names). Code points without a folding map to themselves. */
uint32_t bw_casefold(uint32_t cp);

/* Encodes one code point (at most U+10FFFF) as UTF-8 into out; returns
 * the number of bytes (1..4). */
size_t bw_utf8_put(char out[4], uint32_t cp);

/* Maps the typographic double quotes (« » “ ” „ ‟ ″ 〝 〞 ＂) to '"', the
 * single ones (‘ ’ ‚ ‛ ′) to '\'', and the Unicode spaces (no-break, en,
 * em, thin, ideographic ...) to ' '; other code points map to themselves. */
uint32_t bw_quote_fold(uint32_t c);

/* Case-insensitive, Unicode-aware equality of two UTF-8 strings. Invalid
 * bytes compare as themselves. NULL equals only NULL. */
bool bw_ieq(const char *a, const char *b);

/* Case-insensitive substring search: true if needle occurs in hay. */
bool bw_icontains(const char *hay, const char *needle);

/* Edit distance (insertions, deletions, substitutions) of two short names,
 * ASCII case-insensitive; 99 when either is longer than 31 bytes. For "did
 * you mean" hints. */
size_t bw_edit_distance(const char *a, const char *b);

/* Case-insensitive glob match of the whole text: '*' matches any run of
 * code points (also empty), '?' exactly one code point, '[a-z]' one code
 * point of a class ('[!...]' negates; a ']' first in the class is literal).
 * There is no escape character, so Windows paths such as "*\Kaspersky
 * Lab\*" are written as they are; "[*]" matches a literal '*'. */
bool bw_glob(const char *pattern, const char *text);

/* Normalised copy for comparing names: case-folded, runs of white space
 * turned into one space, leading and trailing space removed, and the
 * typographic quotes (« » “ ” „ ‘ ’) mapped to ASCII quotes. */
char *bw_normalize(const char *s);

/* ---- text for a terminal ----------------------------------------------- */

/* Text read from the machine or the state database may hold bytes that
 * drive a terminal (ESC starts a control sequence, CR rewrites the line,
 * U+009B is a one-character CSI) or break a line. These write such values
 * so that they stay inside their line: every byte of a C0 control
 * character (TAB, CR and LF included), of DEL, of a C1 control character
 * (U+0080 .. U+009F) or of a sequence that is not valid UTF-8 is written as
 * "\xHH" (lower-case hex); everything else as it is. */

/* True if s needs no such escape (NULL: true). */
bool bw_text_plain(const char *s);

/* Appends s with those bytes escaped; NULL appends nothing. BW_ENOMEM if
 * the buffer failed. */
bw_err bw_buf_put_text(bw_buf *b, const char *s);

/* ---- UTF-16 <-> UTF-8 -------------------------------------------------- */

/* Registry key names are UTF-16 that Windows does not check: a name may
 * hold an unpaired surrogate or a NUL, which has no UTF-8 form. Such a
 * name is written with each of those units as "\uXXXX" (upper-case hex),
 * the rest as UTF-8 (*escaped, optional, says whether any was). A key name
 * cannot contain a backslash, so the escaped form is unambiguous and
 * bw_name_to_utf16 turns it back into the exact units. Converts all n
 * units (a NUL does not end the name). */
bw_err bw_utf16_to_utf8_escaped(const uint16_t *s, size_t n, char **out, bool *escaped);

/* The UTF-16 units of a name written by bw_utf16_to_utf8_escaped (or any
 * UTF-8 name without a backslash). BW_EENCODING for a backslash that does
 * not start "\uXXXX", or invalid UTF-8. *out_len (optional) counts units
 * without the terminator (the name may hold NUL units). */
bw_err bw_name_to_utf16(const char *s, uint16_t **out, size_t *out_len);

/* Converts n UTF-16 code units (stopping early at a NUL) to a malloc'd
 * UTF-8 string. BW_EENCODING for an unpaired surrogate. */
bw_err bw_utf16_to_utf8(const uint16_t *s, size_t n, char **out);

/* Converts a NUL-terminated UTF-8 string to malloc'd, NUL-terminated
 * UTF-16. BW_EENCODING for invalid UTF-8. *out_len (optional) receives the
 * number of code units without the terminator. */
bw_err bw_utf8_to_utf16(const char *s, uint16_t **out, size_t *out_len);

#endif
