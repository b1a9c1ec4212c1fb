/*
 * fuzz_json.c - the JSON writer (bw_json.h) driven by fuzz-chosen calls.
 *
 * The input is a program: each step opens an object or an array (in a
 * chosen style), closes one, or writes a string, a number, a boolean or
 * null, under a key read from the input when inside an object. The same
 * steps build the expected document. Sometimes a step misuses the writer
 * (a key in an array or at the top, closing more than was opened, nesting
 * too deep, leaving a container open): then bw_json_done must fail.
 *
 * Otherwise the output must be one strict JSON document, valid UTF-8, with
 * no raw DEL, C1 control character, U+2028 or U+2029; it must decode to
 * the expected document
 * (strings that were valid UTF-8 decode to themselves, every invalid byte
 * to U+FFFD); compact documents hold no white space outside strings and
 * block documents are indented two spaces a level. bw_json_string is also
 * checked alone on the whole input.
 *
 * The reader of flat objects (bw_json_read_flat) takes the input as text
 * and must agree with the strict parser; and a flat object written from
 * the input's strings must read back to those strings.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_json.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- the parser's own check ------------------------------------------------ */

/* The strict parser must be right before it judges the writer. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *const good[] = {
        "0",
        "-0",
        "1.5e-3",
        "\"\"",
        "\"\\u00e9\\ud83d\\ude00\\/\"",
        " [1, {\"a\": null}] ",
        "{\"a\":{\"b\":[true,false]}}",
        "\"\xc3\xa9\xf0\x9f\x98\x80\"",
    };
    static const char *const bad[] = {
        "",
        "01",
        "1.",
        "-",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\x01\"",
        "\"\xc3\"",
        "\"\xed\xa0\x80\"",
        "[1] 2",
        "{\"a\":1,\"a\":2}",
        "tru",
        "'a'",
        "[\"a\\x\"]",
        "\"\\u12g4\"",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fz_jval v;
        char err[128];
        FZ_CHECK(fz_json_parse(good[i], strlen(good[i]), 0, &v, err, sizeof err),
                 "the parser refuses %s: %s", good[i], err);
        fz_json_free(&v);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fz_jval v;
        FZ_CHECK(!fz_json_parse(bad[i], strlen(bad[i]), 0, &v, NULL, 0), "the parser takes %s",
                 bad[i]);
    }
    static const char escapes[] = "\"a\\u00e9\\ud83d\\ude00\"";
    fz_jval v;
    FZ_CHECK(fz_json_parse(escapes, strlen(escapes), 0, &v, NULL, 0) && v.len == 7 &&
                 !memcmp(v.text, "a\xc3\xa9\xf0\x9f\x98\x80", 7),
             "the parser decodes escapes wrongly");
    fz_json_free(&v);
    return 0;
}

/* ---- the program ---------------------------------------------------------- */

typedef struct frame {
    fz_jval *val; /* the expected container */
    bw_json_style style;
} frame;

/* The expected decoding of a string written by bw_json_string. */
static void expect_str(fz_jval *v, const char *s)
{
    size_t n;
    char *want = fz_utf8_replace(s, strlen(s), &n);
    fz_jset_str(v, want, n);
    free(want);
}

static void check_layout(const char *out, size_t len, bool compact_only, bool block_only)
{
    bool in_str = false, esc = false;
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = out[i];
        if (c == 0x7F)
            fz_fail(__FILE__, __LINE__, "raw DEL in the output");
        if (i + 1 < len && (uint8_t)c == 0xC2 && (uint8_t)out[i + 1] >= 0x80 &&
            (uint8_t)out[i + 1] <= 0x9F)
            fz_fail(__FILE__, __LINE__, "raw C1 control character in the output");
        if (i + 2 < len && !memcmp(out + i, "\xE2\x80", 2) &&
            ((uint8_t)out[i + 2] == 0xA8 || (uint8_t)out[i + 2] == 0xA9))
            fz_fail(__FILE__, __LINE__, "raw U+2028/U+2029 in the output");
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (compact_only && (c == ' ' || c == '\n')) {
            fz_fail(__FILE__, __LINE__, "white space in a compact document at %zu", i);
        } else if (block_only && c == '\n') {
            size_t k = i + 1;
            while (k < len && out[k] == ' ')
                k++;
            int level = depth;
            if (k < len && (out[k] == '}' || out[k] == ']'))
                level--;
            FZ_CHECK(k == len || k - (i + 1) == (size_t)(2 * level),
                     "indentation %zu at depth %d (offset %zu)", k - (i + 1), level, i);
        }
    }
}

static void run_program(fz_in *in)
{
    bw_buf out = {0};
    bw_json j;
    bw_json_init(&j, &out);
    fz_jval root;
    memset(&root, 0, sizeof root);
    frame stack[BW_JSON_MAX_DEPTH + 4];
    int depth = 0;
    bool misuse = false, wrote_top = false, compact_only = true, block_only = true;

    for (int step = 0; step < 200 && in->n && !(wrote_top && depth == 0); step++) {
        uint8_t op = fz_u8(in);
        bool in_object = depth > 0 && stack[depth - 1].val->type == FZ_JOBJ;
        /* the key: read inside an object; a rare misuse gives one elsewhere */
        char *kbuf = NULL;
        const char *key = NULL;
        size_t key_len = 0;
        bool bad_key = false;
        if (in_object) {
            if ((op & 0xF0) != 0xF0) { /* else NULL, written as "" */
                kbuf = fz_str(in, 40, &key_len);
                key = kbuf;
            }
        } else if ((op & 0xF8) == 0xF8 && (op & 7) != 2) {
            key = "stray";
            bad_key = true;
        }
        fz_jval *slot = NULL;
        if ((op & 7) != 2 && !bad_key) {
            if (depth == 0) {
                slot = &root;
                wrote_top = true;
            } else {
                char *want_key = NULL;
                size_t want_len = 0;
                if (in_object) {
                    want_key = fz_utf8_replace(key ? key : "", key ? key_len : 0, &want_len);
                }
                slot = fz_jpush(stack[depth - 1].val, want_key ? want_key : "", want_len);
                free(want_key);
            }
        }
        if (bad_key)
            misuse = true;
        switch (op & 7) {
        case 0:
        case 1: {
            bw_json_style style = (bw_json_style)(fz_u8(in) % 3);
            compact_only = compact_only && style == BW_JSON_COMPACT;
            block_only = block_only && style == BW_JSON_BLOCK;
            if ((op & 7) == 0)
                bw_json_object(&j, key, style);
            else
                bw_json_array(&j, key, style);
            if (depth + 1 >= BW_JSON_MAX_DEPTH)
                misuse = true; /* too deep: the writer fails */
            if (misuse)
                break;
            slot->type = (op & 7) == 0 ? FZ_JOBJ : FZ_JARR;
            stack[depth].val = slot;
            stack[depth].style = style;
            depth++;
            break;
        }
        case 2:
            bw_json_end(&j);
            if (depth == 0)
                misuse = true;
            else
                depth--;
            break;
        case 3: {
            bool null = (op & 0x38) == 0x38;
            char *v = null ? NULL : fz_str(in, 200, NULL);
            bw_json_str(&j, key, v);
            if (slot) {
                if (v)
                    expect_str(slot, v);
                else
                    slot->type = FZ_JNULL;
            }
            free(v);
            break;
        }
        case 4: {
            int64_t v = (int64_t)fz_u64(in);
            bw_json_int(&j, key, v);
            if (slot) {
                char num[32];
                snprintf(num, sizeof num, "%" PRId64, v);
                fz_jset_str(slot, num, strlen(num));
                slot->type = FZ_JNUM;
            }
            break;
        }
        case 5: {
            uint64_t v = fz_u64(in);
            bw_json_uint(&j, key, v);
            if (slot) {
                char num[32];
                snprintf(num, sizeof num, "%" PRIu64, v);
                fz_jset_str(slot, num, strlen(num));
                slot->type = FZ_JNUM;
            }
            break;
        }
        case 6: {
            bool v = fz_bool(in);
            bw_json_bool(&j, key, v);
            if (slot) {
                slot->type = FZ_JBOOL;
                slot->b = v;
            }
            break;
        }
        default:
            bw_json_null(&j, key);
            if (slot)
                slot->type = FZ_JNULL;
            break;
        }
        free(kbuf);
        if (misuse)
            break;
    }
    if (depth > 0 && !misuse && fz_bool(in)) {
        while (depth > 0) { /* close what is open */
            bw_json_end(&j);
            depth--;
        }
    }
    if (depth > 0)
        misuse = true; /* left open */
    bool newline = fz_bool(in);
    bw_err e = bw_json_done(&j, newline);
    if (misuse) {
        FZ_CHECK(e != BW_OK, "misuse was not reported");
    } else if (!wrote_top) {
        FZ_CHECK(e == BW_OK, "an empty document failed");
    } else {
        FZ_CHECK(e == BW_OK, "a well-formed program failed");
        size_t len = out.len;
        if (newline) {
            FZ_CHECK(len > 0 && out.data[len - 1] == '\n', "no final newline");
            len--;
        }
        FZ_CHECK(fz_utf8_valid(out.data, out.len), "the output is not UTF-8");
        fz_jval got;
        fz_json_must_parse("the writer's document", out.data, len, FZ_JSON_DUP_KEYS, &got);
        FZ_CHECK(fz_json_equal(&got, &root), "the document differs from the calls:\n%s",
                 out.data);
        fz_json_free(&got);
        check_layout(out.data, len, compact_only, block_only);
    }
    fz_json_free(&root);
    bw_buf_free(&out);
}

/* ---- reading flat objects ------------------------------------------------ */

#define FLAT_MAX 12

/* bw_json_read_flat on any text: it takes exactly the flat objects the
 * strict parser reads (strings and nulls, no key twice, no NUL decoded, at
 * most FLAT_MAX members) and gives their members. */
static void read_flat_any(const char *s, size_t n)
{
    bw_json_members m = {0};
    bw_err e = bw_json_read_flat(s, FLAT_MAX, &m);
    fz_jval v;
    bool flat = fz_json_parse(s, n, 0, &v, NULL, 0); /* empty when it fails */
    if (flat) {
        flat = v.type == FZ_JOBJ && v.n <= FLAT_MAX;
        for (size_t i = 0; flat && i < v.n; i++) {
            const fz_jval *x = &v.items[i];
            flat = (x->type == FZ_JNULL || (x->type == FZ_JSTR && !memchr(x->text, 0, x->len))) &&
                   !memchr(v.keys[i], 0, v.key_lens[i]);
        }
    }
    if (e == BW_OK) {
        FZ_CHECK(flat, "bw_json_read_flat took what is not a flat object: %s", s);
        FZ_CHECK(m.n == v.n, "%zu members read, %zu there", m.n, v.n);
        for (size_t i = 0; i < m.n; i++) {
            FZ_CHECK(m.items[i].key && !strcmp(m.items[i].key, v.keys[i]), "key %zu", i);
            if (v.items[i].type == FZ_JNULL)
                FZ_CHECK(m.items[i].value == NULL, "member %zu is not null", i);
            else
                FZ_CHECK(m.items[i].value && !strcmp(m.items[i].value, v.items[i].text),
                         "member %zu decodes differently", i);
        }
    } else {
        FZ_CHECK(e == BW_EINVAL, "bw_json_read_flat: %d", (int)e);
        FZ_CHECK(!flat, "bw_json_read_flat refused a flat object: %s", s);
        FZ_CHECK(m.n == 0 && m.items == NULL, "a refused object left members");
    }
    fz_json_free(&v);
    bw_json_members_free(&m);
}

/* A flat object written from the input's strings reads back: what the
 * store records and status shows again. */
static void read_flat_round_trip(fz_in *in)
{
    bw_buf out = {0};
    bw_json j;
    bw_json_init(&j, &out);
    bw_json_object(&j, NULL, (bw_json_style)(fz_u8(in) % 3));
    char *keys[FLAT_MAX], *vals[FLAT_MAX];
    size_t n = fz_u8(in) % (FLAT_MAX + 1);
    for (size_t i = 0; i < n; i++) {
        keys[i] = fz_str(in, 24, NULL);
        vals[i] = fz_bool(in) ? NULL : fz_str(in, 64, NULL);
        bw_json_str(&j, keys[i], vals[i]);
    }
    bw_json_end(&j);
    FZ_CHECK(bw_json_done(&j, false) == BW_OK, "a flat object failed");
    /* the keys as the reader will see them: a repeated one is refused */
    char *want_keys[FLAT_MAX];
    bool repeated = false;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        want_keys[i] = fz_utf8_replace(keys[i], strlen(keys[i]), &len);
        for (size_t k = 0; k < i; k++)
            repeated = repeated || !strcmp(want_keys[k], want_keys[i]);
    }
    bw_json_members m = {0};
    bw_err e = bw_json_read_flat(out.data, FLAT_MAX, &m);
    if (repeated) {
        FZ_CHECK(e == BW_EINVAL, "a repeated key was read: %s", out.data);
    } else {
        FZ_CHECK(e == BW_OK && m.n == n, "a written flat object does not read back (%d): %s",
                 (int)e, out.data);
        for (size_t i = 0; i < n; i++) {
            FZ_CHECK(!strcmp(m.items[i].key, want_keys[i]), "key %zu reads back differently", i);
            if (!vals[i]) {
                FZ_CHECK(m.items[i].value == NULL, "value %zu is not null", i);
                continue;
            }
            size_t len;
            char *want = fz_utf8_replace(vals[i], strlen(vals[i]), &len);
            FZ_CHECK(m.items[i].value && !strcmp(m.items[i].value, want),
                     "value %zu reads back differently", i);
            free(want);
        }
    }
    bw_json_members_free(&m);
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
        free(vals[i]);
        free(want_keys[i]);
    }
    bw_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* bw_json_string on the whole input (up to a NUL) */
    char *s = fz_need(strndup((const char *)data, size));
    bw_buf lit = {0};
    FZ_CHECK(bw_json_string(&lit, s) == BW_OK, "bw_json_string failed");
    fz_jval got, want;
    fz_json_must_parse("a string literal", lit.data, lit.len, 0, &got);
    expect_str(&want, s);
    FZ_CHECK(fz_json_equal(&got, &want), "the literal %s does not decode to the input", lit.data);
    check_layout(lit.data, lit.len, false, false);
    fz_json_free(&got);
    fz_json_free(&want);
    bw_buf_free(&lit);
    free(s);

    s = fz_need(strndup((const char *)data, size));
    read_flat_any(s, strlen(s));
    free(s);

    fz_in in = {data, size};
    run_program(&in);
    fz_in again = {data, size};
    read_flat_round_trip(&again);
    return 0;
}
