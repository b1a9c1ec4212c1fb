/*
 * fuzz_text.c - UTF-8 and UTF-16 conversions, case folding, name
 * normalisation and the name and path helpers (bw_str.h, bw_names.h,
 * bw_expand.h) on arbitrary bytes.
 *
 * Properties:
 *   - bw_utf8_valid and bw_utf8_valid_prefix agree with a reference
 *     validator written from the Unicode standard's table;
 *   - UTF-8 -> UTF-16 succeeds exactly for valid UTF-8, gives the
 *     reference encoding, and UTF-16 -> UTF-8 gives the text back;
 *   - UTF-16 -> UTF-8 succeeds exactly without an unpaired surrogate, gives
 *     valid UTF-8, and converting back gives the same code units;
 *   - bw_casefold, bw_normalize and bw_company_key are idempotent
 *     (f(f(x)) == f(x)), and keep valid text valid;
 *   - bw_ieq and bw_icontains see a text equal to and inside itself, and a
 *     text without glob characters matches itself as a glob;
 *   - key names of any UTF-16 units come back exactly through
 *     bw_utf16_to_utf8_escaped and bw_name_to_utf16;
 *   - bw_buf_put_text lets no control character, DEL, C1 character or
 *     invalid byte through, changes nothing else (bw_text_plain agrees),
 *     and its \xHH escapes decode back;
 *   - bw_image_file names a file without a folder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_expand.h"
#include "bw_names.h"
#include "bw_str.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference UTF-8 -> UTF-16 of a valid text. */
static uint16_t *ref_utf16(const char *s, size_t n, size_t *units)
{
    uint16_t *w = fz_need(malloc((n + 1) * sizeof *w));
    size_t k = 0, i = 0;
    const uint8_t *u = (const uint8_t *)s;
    while (i < n) {
        size_t len = fz_utf8_seq(u + i, n - i);
        uint32_t cp = len == 1 ? u[i] : (uint32_t)(u[i] & (0xFF >> (len + 1)));
        for (size_t j = 1; j < len; j++)
            cp = cp << 6 | (u[i + j] & 0x3F);
        if (cp >= 0x10000) {
            w[k++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            w[k++] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            w[k++] = (uint16_t)cp;
        }
        i += len;
    }
    w[k] = 0;
    *units = k;
    return w;
}

static void utf8_checks(const char *raw, size_t size, const char *s, size_t n)
{
    FZ_CHECK(bw_utf8_valid(raw, size) == fz_utf8_valid(raw, size), "bw_utf8_valid disagrees");
    FZ_CHECK(bw_utf8_valid_prefix(raw, size) == fz_utf8_prefix(raw, size),
             "valid prefix %zu, reference %zu", bw_utf8_valid_prefix(raw, size),
             fz_utf8_prefix(raw, size));
    /* bw_utf8_next: one code point per well-formed sequence, -1 and one byte
     * for anything else */
    const char *p = raw, *end = raw + size;
    while (p < end) {
        size_t want = fz_utf8_seq((const uint8_t *)p, (size_t)(end - p));
        const char *at = p;
        int32_t cp = bw_utf8_next(&p, end);
        if (want) {
            FZ_CHECK(cp >= 0 && (size_t)(p - at) == want, "bw_utf8_next took %zu, want %zu",
                     (size_t)(p - at), want);
            char enc[4];
            FZ_CHECK(bw_utf8_put(enc, (uint32_t)cp) == want && !memcmp(enc, at, want),
                     "bw_utf8_put of U+%04X", (unsigned)cp);
        } else {
            FZ_CHECK(cp == -1 && p == at + 1, "bw_utf8_next accepted an ill-formed sequence");
        }
    }

    bool valid = bw_utf8_valid(s, n);
    uint16_t *w = NULL;
    size_t units = 12345;
    bw_err e = bw_utf8_to_utf16(s, &w, &units);
    FZ_CHECK((e == BW_OK) == valid, "UTF-8 -> UTF-16 gave %d for %s text", (int)e,
             valid ? "valid" : "invalid");
    if (e != BW_OK) {
        FZ_CHECK(e == BW_EENCODING && w == NULL, "a failed conversion left %p", (void *)w);
        return;
    }
    size_t ref_units;
    uint16_t *ref = ref_utf16(s, n, &ref_units);
    FZ_CHECK(units == ref_units && !memcmp(w, ref, (units + 1) * sizeof *w),
             "UTF-16 differs from the reference");
    free(ref);
    char *back = NULL;
    FZ_CHECK(bw_utf16_to_utf8(w, units, &back) == BW_OK, "UTF-16 -> UTF-8 of a valid text");
    FZ_CHECK(strlen(back) == n && !memcmp(back, s, n), "the round trip changed the text");
    free(back);
    free(w);
}

static void utf16_checks(const uint8_t *data, size_t size)
{
    size_t m = size / 2;
    uint16_t *u = fz_need(malloc((m + 1) * sizeof *u));
    for (size_t i = 0; i < m; i++)
        u[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
    /* reference: the units up to a NUL, and whether a surrogate is unpaired */
    size_t len = 0;
    while (len < m && u[len])
        len++;
    bool paired = true;
    for (size_t i = 0; i < len && paired; i++) {
        if (u[i] >= 0xD800 && u[i] <= 0xDBFF) {
            paired = i + 1 < len && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF;
            i++;
        } else if (u[i] >= 0xDC00 && u[i] <= 0xDFFF) {
            paired = false;
        }
    }
    char *s = NULL;
    bw_err e = bw_utf16_to_utf8(u, m, &s);
    FZ_CHECK((e == BW_OK) == paired, "UTF-16 -> UTF-8 gave %d, paired %d", (int)e, paired);
    if (e == BW_OK) {
        size_t n = strlen(s);
        FZ_CHECK(fz_utf8_valid(s, n), "UTF-16 -> UTF-8 gave invalid UTF-8");
        uint16_t *w = NULL;
        size_t units = 0;
        FZ_CHECK(bw_utf8_to_utf16(s, &w, &units) == BW_OK, "back to UTF-16 failed");
        FZ_CHECK(units == len && !memcmp(w, u, len * sizeof *w), "UTF-16 round trip differs");
        free(w);
    } else {
        FZ_CHECK(e == BW_EENCODING && s == NULL, "a failed conversion left a string");
    }
    free(s);
    free(u);
}

/* Key names: any UTF-16 units, unpaired surrogates and NULs included,
 * written with those as \uXXXX, come back exactly. */
static void escaped_name_checks(const uint8_t *data, size_t size)
{
    size_t m = size / 2;
    uint16_t *u = fz_need(malloc((m + 1) * sizeof *u));
    bool backslash = false, odd_units = false;
    for (size_t i = 0; i < m; i++) {
        u[i] = (uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
        backslash = backslash || u[i] == '\\';
    }
    for (size_t i = 0; i < m; i++) {
        if (u[i] == 0 || (u[i] >= 0xDC00 && u[i] <= 0xDFFF)) {
            odd_units = true;
        } else if (u[i] >= 0xD800 && u[i] <= 0xDBFF) {
            if (i + 1 < m && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF)
                i++;
            else
                odd_units = true;
        }
    }
    char *s = NULL;
    bool escaped = !odd_units;
    FZ_CHECK(bw_utf16_to_utf8_escaped(u, m, &s, &escaped) == BW_OK, "escaped conversion failed");
    size_t n = strlen(s);
    FZ_CHECK(fz_utf8_valid(s, n), "the escaped name is not UTF-8");
    FZ_CHECK(escaped == odd_units, "escaped says %d, the units %d", escaped, odd_units);
    if (!backslash) {
        uint16_t *w = NULL;
        size_t units = 0;
        FZ_CHECK(bw_name_to_utf16(s, &w, &units) == BW_OK, "the escaped name does not read back");
        FZ_CHECK(units == m && !memcmp(w, u, m * sizeof *w), "the name's units differ");
        free(w);
        if (!odd_units) {
            char *plain = NULL;
            FZ_CHECK(bw_utf16_to_utf8(u, m, &plain) == BW_OK && !strcmp(plain, s),
                     "a name without odd units is written differently");
            free(plain);
        }
    }
    free(s);
    free(u);
    /* the reverse on the bytes as text: whatever reads, converts back */
    char *t = fz_need(strndup((const char *)data, size));
    uint16_t *w = NULL;
    size_t units = 0;
    if (bw_name_to_utf16(t, &w, &units) == BW_OK) {
        char *back = NULL;
        FZ_CHECK(bw_utf16_to_utf8_escaped(w, units, &back, NULL) == BW_OK, "back to a name");
        uint16_t *w2 = NULL;
        size_t units2 = 0;
        FZ_CHECK(bw_name_to_utf16(back, &w2, &units2) == BW_OK && units2 == units &&
                     !memcmp(w, w2, units * sizeof *w),
                 "a name read, written and read again changed");
        free(w2);
        free(back);
    }
    free(w);
    free(t);
}

/* Text for a terminal: no control character, DEL, C1 or invalid byte
 * survives, and nothing else changes. */
static void terminal_checks(const char *s, size_t n)
{
    bw_buf b = {0};
    FZ_CHECK(bw_buf_put_text(&b, s) == BW_OK, "bw_buf_put_text failed");
    const char *out = b.data ? b.data : "";
    size_t len = b.len;
    FZ_CHECK(fz_utf8_valid(out, len), "terminal text is not UTF-8");
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)out[i];
        FZ_CHECK(c >= 0x20 && c != 0x7F, "byte 0x%02X reaches the terminal", c);
        FZ_CHECK(!(c == 0xC2 && i + 1 < len && (uint8_t)out[i + 1] >= 0x80 &&
                   (uint8_t)out[i + 1] <= 0x9F),
                 "a C1 control character reaches the terminal");
    }
    FZ_CHECK(bw_text_plain(s) == (len == n && !memcmp(out, s, n)),
             "bw_text_plain disagrees with bw_buf_put_text");
    /* without a backslash in the text, undoing \xHH gives it back */
    if (!memchr(s, '\\', n)) {
        char *undo = fz_need(malloc(len + 1));
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (out[i] == '\\' && i + 3 < len && out[i + 1] == 'x') {
                unsigned v = 0;
                for (int d = 2; d < 4; d++) {
                    char h = out[i + d];
                    v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h - '0');
                }
                undo[k++] = (char)v;
                i += 3;
            } else {
                undo[k++] = out[i];
            }
        }
        FZ_CHECK(k == n && !memcmp(undo, s, n), "escaped terminal text does not decode back");
        free(undo);
    }
    bw_buf_free(&b);
}

static void casefold_checks(const char *s, size_t n, uint32_t extra)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        int32_t cp = bw_utf8_next(&p, end);
        if (cp < 0)
            continue;
        uint32_t f = bw_casefold((uint32_t)cp);
        FZ_CHECK(f <= 0x10FFFF && !(f >= 0xD800 && f <= 0xDFFF), "U+%04X folds to %X",
                 (unsigned)cp, (unsigned)f);
        FZ_CHECK(bw_casefold(f) == f, "U+%04X folds to U+%04X, which folds to U+%04X",
                 (unsigned)cp, (unsigned)f, (unsigned)bw_casefold(f));
        uint32_t q = bw_quote_fold(f);
        FZ_CHECK(bw_quote_fold(q) == q, "quote fold of U+%04X", (unsigned)f);
    }
    uint32_t c = extra % 0x110000;
    uint32_t f = bw_casefold(c);
    FZ_CHECK(bw_casefold(f) == f, "U+%04X folds to U+%04X, which folds again", (unsigned)c,
             (unsigned)f);
}

static void idempotent(const char *what, char *(*fn)(const char *), const char *s, size_t n)
{
    char *once = fn(s);
    FZ_CHECK(once != NULL, "%s gave NULL", what);
    char *twice = fn(once);
    FZ_CHECK(twice != NULL && !strcmp(once, twice), "%s is not idempotent: \"%s\" -> \"%s\"",
             what, once, twice ? twice : "(null)");
    if (fz_utf8_valid(s, n))
        FZ_CHECK(fz_utf8_valid(once, strlen(once)), "%s made valid text invalid", what);
    free(once);
    free(twice);
}

static void compare_checks(const char *s, size_t n)
{
    FZ_CHECK(bw_ieq(s, s), "a text differs from itself");
    FZ_CHECK(bw_icontains(s, s), "a text is not inside itself");
    FZ_CHECK(bw_icontains(s, ""), "the empty text is not inside");
    if (!strpbrk(s, "*?["))
        FZ_CHECK(bw_glob(s, s), "a text without glob characters does not match itself");
    FZ_CHECK(bw_glob("*", s), "'*' does not match");
    /* split in two: pattern and text, each way (crashes and time only) */
    size_t half = n / 2;
    char *a = fz_need(strndup(s, half));
    const char *b = s + half;
    (void)bw_glob(a, b);
    (void)bw_glob(b, a);
    bool eq = bw_ieq(a, b);
    FZ_CHECK(eq == bw_ieq(b, a), "bw_ieq is not symmetric");
    if (eq)
        FZ_CHECK(bw_icontains(a, b) && bw_icontains(b, a),
                 "equal texts do not contain each other");
    (void)bw_icontains(a, b);
    free(a);
}

static void name_checks(const char *s)
{
    char *file = bw_image_file(s);
    if (file) {
        FZ_CHECK(*file && !strpbrk(file, "\\/"), "image file \"%s\"", file);
        free(file);
    }
    char *folder = bw_image_folder(s);
    (void)bw_folder_shared(folder);
    free(folder);
    (void)bw_path_user_writable(s);
    (void)bw_company_blank(s);
}

/* The text split at newlines into Name=value pairs and the last line, which
 * is expanded. */
static void expand_checks(const char *s)
{
    bw_kv env[8];
    size_t n_env = 0;
    char *copy = fz_need(strdup(s));
    char *line = copy, *raw = copy;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (!nl || n_env == 8) {
            raw = line;
            break;
        }
        *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            env[n_env].name = line;
            env[n_env].value = eq + 1;
            n_env++;
        }
        line = nl + 1;
    }
    char *out = (char *)1;
    char why[64];
    bw_err e = bw_expand_vendor_vars(env, n_env, raw, &out, why, sizeof why);
    if (e == BW_OK) {
        FZ_CHECK(out != NULL && strlen(out) <= BW_EXPAND_MAX_LEN, "expansion too long");
        free(out);
    } else {
        FZ_CHECK(out == NULL, "a failed expansion left a string");
        FZ_CHECK(memchr(why, '\0', sizeof why) != NULL, "reason not terminated");
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the bytes as a C string: up to the first NUL */
    size_t n = strnlen((const char *)data, size);
    char *s = fz_need(strndup((const char *)data, n));

    utf8_checks((const char *)data, size, s, n);
    utf16_checks(data, size);
    escaped_name_checks(data, size);
    terminal_checks(s, n);
    casefold_checks(s, n, size >= 4 ? (uint32_t)(data[0] | data[1] << 8 | data[2] << 16) : 0);
    idempotent("bw_normalize", bw_normalize, s, n);
    idempotent("bw_company_key", bw_company_key, s, n);
    compare_checks(s, n);
    name_checks(s);
    expand_checks(s);
    free(s);
    return 0;
}
