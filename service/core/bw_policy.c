/*
 * bw_policy.c - the policy loader: YAML text -> bw_policy (portable core).
 *
 * Two passes. First the libyaml event stream is turned into a small tree of
 * nodes, each with its 1-based position and its resolved scalar type (the
 * YAML 1.2 core schema: null, bool, int, float, string). Then the tree is
 * checked against the schema of docs/policy.md and copied into a bw_policy.
 * Building a tree first keeps the schema code free of event bookkeeping and
 * lets every message point at the exact node it is about.
 *
 * The schema is a table per mapping (`field`: key, value type, place in
 * bw_policy, default, limits; a nested mapping names its own table), walked
 * by one function, load_fields; the same tables give the defaults
 * (set_defaults) and free the policy (free_fields). A new key is one table
 * entry, its bw_policy field and its row in docs/policy.md. A value no
 * value type describes has a custom loader in its entry.
 *
 * The loader is deliberately strict: anything it does not understand is an
 * error, because a policy that silently means less than its author intended
 * would miss the very software it is meant to find. The first problem found
 * is reported as "<origin>:<line>:<column>: <path>: <reason>"; the structure
 * of a mapping (duplicate and unknown keys) is checked before its values.
 *
 * Aliases are rejected (a policy has no use for them, and expanding them is
 * the classic way to make a small file very expensive), as are documents
 * nested deeper than MAX_DEPTH and streams with more than one document.
 */
#include "bw_policy.h"

#include "bw_evidence.h"
#include "bw_time.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* 2024-09-29T04:00:00Z: 00:00 EDT, the BIS Final Determination's cutoff. */
#define DEFAULT_CUTOFF INT64_C(1727582400)

/* The schema is three levels deep; anything much deeper is not a policy. */
#define MAX_DEPTH 16

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---- the node tree ---------------------------------------------------- */

typedef enum ntype { N_NULL, N_BOOL, N_INT, N_FLOAT, N_STR, N_SEQ, N_MAP } ntype;

typedef struct node {
    ntype type;
    char *text;         /* scalars: the value, NUL-terminated */
    size_t len;         /* scalars: bytes in text */
    size_t line, col;   /* 1-based position of the node's first character */
    struct node **kids; /* N_SEQ: items; N_MAP: key, value, key, value ... */
    size_t n, cap;
} node;

static void node_free(node *nd)
{
    if (!nd)
        return;
    for (size_t i = 0; i < nd->n; i++)
        node_free(nd->kids[i]);
    free(nd->kids);
    free(nd->text);
    free(nd);
}

static bw_err node_add(node *parent, node *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        node **k = realloc(parent->kids, cap * sizeof *k);
        if (!k)
            return BW_ENOMEM;
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return BW_OK;
}

static const char *type_name(ntype t)
{
    switch (t) {
    case N_NULL: return "null";
    case N_BOOL: return "a boolean";
    case N_INT: return "an integer";
    case N_FLOAT: return "a number";
    case N_STR: return "a string";
    case N_SEQ: return "a list";
    case N_MAP: return "a mapping";
    }
    return "a value";
}

/* ---- error reporting -------------------------------------------------- */

typedef struct ctx {
    const char *origin;
    char *errbuf;
    size_t errlen;
} ctx;

static bw_err failv(ctx *c, size_t line, size_t col, const char *fmt, va_list ap) BW_PRINTF(4, 0);

static bw_err failv(ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
{
    if (c->errlen == 0)
        return BW_EPARSE;
    /* A value given apart from any text (bw_policy_set) has no position. */
    int k = line ? snprintf(c->errbuf, c->errlen, "%s:%zu:%zu: ", c->origin, line, col)
                 : snprintf(c->errbuf, c->errlen, "%s: ", c->origin);
    if (k >= 0 && (size_t)k < c->errlen)
        vsnprintf(c->errbuf + k, c->errlen - (size_t)k, fmt, ap);
    return BW_EPARSE;
}

/* Records a parse error at a 1-based position; returns BW_EPARSE. */
static bw_err fail_at(ctx *c, size_t line, size_t col, const char *fmt, ...) BW_PRINTF(4, 5);

static bw_err fail_at(ctx *c, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bw_err e = failv(c, line, col, fmt, ap);
    va_end(ap);
    return e;
}

/* Records a parse error at a node. */
static bw_err fail(ctx *c, const node *nd, const char *fmt, ...) BW_PRINTF(3, 4);

static bw_err fail(ctx *c, const node *nd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bw_err e = failv(c, nd->line, nd->col, fmt, ap);
    va_end(ap);
    return e;
}

static bw_err fail_nomem(ctx *c)
{
    if (c->errlen)
        snprintf(c->errbuf, c->errlen, "%s: out of memory", c->origin);
    return BW_ENOMEM;
}

/* ---- UTF-8 and positions ---------------------------------------------- */

/* 1-based line and column of byte offset `off`, counted the way libyaml
 * counts marks: CR, LF, CRLF, NEL, LS and PS end a line; columns count
 * characters, not bytes. Invalid bytes count as one character each. */
static void position_of(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    const char *s = text, *end = text + (off < len ? off : len);
    size_t ln = 1, cl = 1;
    while (s < end) {
        int32_t cp = bw_utf8_next(&s, text + len);
        if (cp == '\r' && s < text + len && *s == '\n')
            s++;
        if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
            ln++;
            cl = 1;
        } else {
            cl++;
        }
    }
    *line = ln;
    *col = cl;
}

/* ---- scalar resolution (YAML 1.2 core schema) -------------------------- */

static bool all_digits(const char *s, const char *digits)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(digits, *s))
            return false;
    return true;
}

static bool is_null(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static bool is_bool(const char *s)
{
    return !strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
           !strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE");
}

static bool is_int(const char *s)
{
    if (s[0] == '0' && s[1] == 'o')
        return all_digits(s + 2, "01234567");
    if (s[0] == '0' && s[1] == 'x')
        return all_digits(s + 2, "0123456789abcdefABCDEF");
    if (*s == '-' || *s == '+')
        s++;
    return all_digits(s, "0123456789");
}

static bool is_float(const char *s)
{
    bool sign = *s == '-' || *s == '+';
    if (sign)
        s++;
    if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF"))
        return true;
    /* .nan takes no sign in the core schema */
    if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return !sign;
    size_t before = 0, after = 0;
    while (*s >= '0' && *s <= '9') {
        s++;
        before++;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            after++;
        }
    }
    if (before + after == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static ntype resolve_plain(const char *s)
{
    if (is_null(s))
        return N_NULL;
    if (is_bool(s))
        return N_BOOL;
    if (is_int(s))
        return N_INT;
    if (is_float(s))
        return N_FLOAT;
    return N_STR;
}

/* Type of a scalar event, honouring the core-schema tags (!!str, !!int ...).
 * Other tags are errors. */
static bw_err scalar_type(ctx *c, const yaml_event_t *ev, const char *text, const node *nd,
                          ntype *out)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    if (!tag) {
        *out = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? resolve_plain(text) : N_STR;
        return BW_OK;
    }
    if (!strcmp(tag, "!") || !strcmp(tag, TAG_PREFIX "str")) {
        *out = N_STR;
        return BW_OK;
    }
    struct {
        const char *name;
        ntype type;
        bool (*ok)(const char *);
    } tags[] = {
        {TAG_PREFIX "null", N_NULL, is_null},
        {TAG_PREFIX "bool", N_BOOL, is_bool},
        {TAG_PREFIX "int", N_INT, is_int},
        {TAG_PREFIX "float", N_FLOAT, is_float},
    };
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        if (strcmp(tag, tags[i].name))
            continue;
        if (!tags[i].ok(text) && !(tags[i].type == N_FLOAT && is_int(text)))
            return fail(c, nd, "value \"%s\" does not fit its tag !!%s", text,
                        tag + strlen(TAG_PREFIX));
        *out = tags[i].type;
        return BW_OK;
    }
    return fail(c, nd, "unsupported tag \"%s\"", tag);
}

static bw_err collection_tag(ctx *c, const yaml_char_t *tag_u, const char *want, const node *nd)
{
    const char *tag = (const char *)tag_u;
    if (!tag || !strcmp(tag, "!") || !strcmp(tag, want))
        return BW_OK;
    return fail(c, nd, "unsupported tag \"%s\"", tag);
}

/* ---- YAML events -> node tree ------------------------------------------- */

/* The 1-based column of the first tab in the indentation (the leading
 * spaces and tabs) of 0-based line `line` of text, or 0 when it has none.
 * Lines end as position_of counts them (CR, LF, CRLF; the others cannot
 * precede a tab that libyaml trips on). */
static size_t indent_tab(const char *text, size_t len, size_t line)
{
    size_t i = 0;
    for (size_t ln = 0; ln < line && i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            i++;
        if (text[i] == '\n' || text[i] == '\r')
            ln++;
    }
    for (size_t col = 1; i < len && (text[i] == ' ' || text[i] == '\t'); i++, col++)
        if (text[i] == '\t')
            return col;
    return 0;
}

/* A syntax error on a line indented with a tab (libyaml says "found a tab
 * character that violates indentation" or "found character that cannot
 * start any token"): the hint an administrator needs, at the tab. The
 * error may be reported at the start of the next line. */
static bw_err tab_error(ctx *c, const yaml_parser_t *p, const char *text, size_t len,
                        const char *problem)
{
    size_t line = p->problem_mark.line;
    size_t col = indent_tab(text, len, line);
    if (!col && line > 0 && p->problem_mark.column == 0)
        col = indent_tab(text, len, --line);
    if (!col)
        return BW_OK;
    return fail_at(c, line + 1, col,
                   "tabs are not allowed in YAML indentation; use spaces (syntax error: %s)",
                   problem);
}

static bw_err syntax_error(ctx *c, const yaml_parser_t *p, const char *text, size_t len)
{
    size_t line, col;
    switch (p->error) {
    case YAML_MEMORY_ERROR: return fail_nomem(c);
    case YAML_READER_ERROR:
        position_of(text, len, p->problem_offset, &line, &col);
        return fail_at(c, line, col, "invalid input: %s",
                       p->problem ? p->problem : "unreadable character");
    default: break;
    }
    line = p->problem_mark.line + 1;
    col = p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (tab_error(c, p, text, len, problem))
        return BW_EPARSE;
    if (p->context)
        return fail_at(c, line, col, "syntax error: %s (%s at %zu:%zu)", problem, p->context,
                       p->context_mark.line + 1, p->context_mark.column + 1);
    return fail_at(c, line, col, "syntax error: %s", problem);
}

/* Turns the event stream into a tree. *root is NULL for an empty stream. */
static bw_err build_tree(ctx *c, const char *text, size_t len, node **root)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    node *stack[MAX_DEPTH];
    size_t depth = 0, docs = 0;
    bw_err e = BW_OK;
    bool done = false;

    *root = NULL;
    if (!yaml_parser_initialize(&parser))
        return fail_nomem(c);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    while (!done && !e) {
        if (!yaml_parser_parse(&parser, &ev)) {
            e = syntax_error(c, &parser, text, len);
            break;
        }
        node *nd = NULL;
        size_t line = ev.start_mark.line + 1, col = ev.start_mark.column + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            if (docs++ > 0)
                e = fail_at(c, line, col, "only one YAML document is allowed");
            break;
        case YAML_ALIAS_EVENT:
            e = fail_at(c, line, col, "aliases (*%s) are not supported",
                        (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            nd = calloc(1, sizeof *nd);
            if (!nd) {
                e = fail_nomem(c);
                break;
            }
            nd->line = line;
            nd->col = col;
            if (ev.type == YAML_SCALAR_EVENT) {
                nd->len = ev.data.scalar.length;
                nd->text = malloc(nd->len + 1);
                if (!nd->text) {
                    e = fail_nomem(c);
                } else {
                    memcpy(nd->text, ev.data.scalar.value, nd->len);
                    nd->text[nd->len] = '\0';
                    if (memchr(nd->text, '\0', nd->len))
                        e = fail(c, nd, "NUL character in a value");
                    else
                        e = scalar_type(c, &ev, nd->text, nd, &nd->type);
                }
            } else if (ev.type == YAML_SEQUENCE_START_EVENT) {
                nd->type = N_SEQ;
                e = collection_tag(c, ev.data.sequence_start.tag, TAG_PREFIX "seq", nd);
            } else {
                nd->type = N_MAP;
                e = collection_tag(c, ev.data.mapping_start.tag, TAG_PREFIX "map", nd);
            }
            if (!e && nd->type >= N_SEQ && depth == MAX_DEPTH)
                e = fail(c, nd, "nested too deeply (more than %d levels)", MAX_DEPTH);
            if (e) {
                node_free(nd);
                break;
            }
            if (depth == 0) {
                *root = nd; /* a single document has a single root */
            } else if (node_add(stack[depth - 1], nd)) {
                node_free(nd);
                e = fail_nomem(c);
                break;
            }
            if (nd->type >= N_SEQ)
                stack[depth++] = nd;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        default: /* stream start, document end */ break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (e) {
        node_free(*root);
        *root = NULL;
    }
    return e;
}

/* ---- schema checks ------------------------------------------------------- */

static void join(char *out, size_t n, const char *path, const char *key)
{
    if (*path)
        snprintf(out, n, "%s.%s", path, key);
    else
        snprintf(out, n, "%s", key);
}

/* What a string may contain, beyond being non-empty UTF-8. */
enum {
    S_NUMBER = 1, /* a bare number is accepted as its text */
    S_TEXT = 2    /* free text: tabs and line breaks allowed */
};

/* Checks a string-valued node. On success *out (optional) gets a copy. */
static bw_err get_string(ctx *c, const node *nd, const char *path, int flags, char **out)
{
    bool number = nd->type == N_INT || nd->type == N_FLOAT;
    if (nd->type != N_STR && !(number && (flags & S_NUMBER)))
        return fail(c, nd, "%s: expected a string, got %s", path, type_name(nd->type));
    bool blank = true;
    for (const unsigned char *s = (const unsigned char *)nd->text; *s; s++) {
        bool space = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (!space)
            blank = false;
        if ((*s < 0x20 || *s == 0x7F) && !((flags & S_TEXT) && space))
            return fail(c, nd, "%s: control character U+%04X in a string", path, (unsigned)*s);
    }
    if (blank)
        return fail(c, nd, "%s: empty string", path);
    if (out) {
        *out = bw_strdup(nd->text);
        if (!*out)
            return fail_nomem(c);
    }
    return BW_OK;
}

/* Validates glob syntax (docs/policy.md, "Patterns"). Returns NULL if the
 * pattern is well formed, else the reason. */
static const char *glob_problem(const char *p)
{
    const char *end = p + strlen(p);
    while (*p) {
        if (*p != '[') {
            (void)bw_utf8_next(&p, end);
            continue;
        }
        const char *q = p + 1;
        if (*q == '!' || *q == '^')
            q++;
        const char *first = q;
        while (*q && (*q != ']' || q == first)) {
            int32_t lo = bw_utf8_next(&q, end);
            if (q[0] == '-' && q[1] && q[1] != ']') {
                q++;
                int32_t hi = bw_utf8_next(&q, end);
                if (hi < lo)
                    return "range in '[...]' goes backwards";
            }
        }
        if (!*q)
            return "unterminated '['";
        p = q + 1;
    }
    return NULL;
}

static bool has_any(const char *s, const char *chars)
{
    return strpbrk(s, chars) != NULL;
}

/* How the items of a string list are checked. */
typedef enum item_kind {
    I_TEXT,     /* literal text (publishers, markers) */
    I_GLOB,     /* a pattern */
    I_FILE,     /* a literal file name: no wildcard, no directory */
    I_NAME,     /* a literal name: no wildcard */
    I_ALTITUDE, /* digits, optionally a fraction; bare numbers accepted */
    I_REGROOT   /* HKLM\... or HKU\... key path */
} item_kind;

static bool is_altitude(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot)
        return all_digits(s, "0123456789");
    char buf[64];
    size_t n = (size_t)(dot - s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return all_digits(buf, "0123456789") && all_digits(dot + 1, "0123456789");
}

static bool iprefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s;
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 'a' + 'A');
        if (a != *prefix)
            return false;
    }
    return true;
}

/* Checks a registry root and returns it with the short hive name. */
static bw_err registry_root(ctx *c, const node *nd, const char *path, char **out)
{
    static const struct {
        const char *prefix, *hive;
    } hives[] = {{"HKLM\\", "HKLM"},
                 {"HKEY_LOCAL_MACHINE\\", "HKLM"},
                 {"HKU\\", "HKU"},
                 {"HKEY_USERS\\", "HKU"}};
    const char *s = nd->text, *rest = NULL, *hive = NULL;
    for (size_t i = 0; i < sizeof hives / sizeof hives[0] && !rest; i++) {
        if (iprefix(s, hives[i].prefix)) {
            rest = s + strlen(hives[i].prefix);
            hive = hives[i].hive;
        }
    }
    if (!rest)
        return fail(c, nd,
                    "%s: \"%s\" must start with HKLM\\ or HKU\\ (or HKEY_LOCAL_MACHINE\\, "
                    "HKEY_USERS\\)",
                    path, s);
    size_t n = strlen(rest);
    if (n == 0 || rest[0] == '\\' || rest[n - 1] == '\\' || strstr(rest, "\\\\"))
        return fail(c, nd, "%s: \"%s\" has an empty key name", path, s);
    /* "HKU\*\..." stands for every user's hive; no other pattern. */
    const char *check = rest;
    if (!strcmp(hive, "HKU") && !strncmp(rest, "*\\", 2) && rest[2])
        check = rest + 2;
    if (has_any(check, "*?["))
        return fail(c, nd,
                    "%s: \"%s\" is a key path, not a pattern (only HKU\\*\\... "
                    "stands for every user's hive)",
                    path, s);
    *out = bw_strfmt("%s\\%s", hive, rest);
    return *out ? BW_OK : fail_nomem(c);
}

/* Checks a non-empty list of strings and appends its items to *out. */
static bw_err get_strlist(ctx *c, const node *nd, const char *path, item_kind kind,
                          bw_strlist *out)
{
    if (nd->type != N_SEQ)
        return fail(c, nd, "%s: expected a list of strings, got %s", path, type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "%s: empty list", path);
    for (size_t i = 0; i < nd->n; i++) {
        const node *it = nd->kids[i];
        char where[160];
        snprintf(where, sizeof where, "%s[%zu]", path, i);
        char *s = NULL;
        bw_err e = get_string(c, it, where, kind == I_ALTITUDE ? S_NUMBER : 0, NULL);
        if (e)
            return e;
        const char *t = it->text, *why;
        switch (kind) {
        case I_GLOB:
            why = glob_problem(t);
            if (why != NULL)
                return fail(c, it, "%s: invalid pattern \"%s\": %s", where, t, why);
            break;
        case I_FILE:
            if (has_any(t, "\\/:"))
                return fail(c, it, "%s: \"%s\": expected a file name without a directory", where,
                            t);
            /* fall through */
        case I_NAME:
            if (has_any(t, "*?["))
                return fail(c, it, "%s: \"%s\": expected a name, not a pattern", where, t);
            break;
        case I_ALTITUDE:
            if (!is_altitude(t))
                return fail(c, it, "%s: \"%s\" is not an altitude (digits, e.g. \"320400\")",
                            where, t);
            break;
        case I_REGROOT:
            e = registry_root(c, it, where, &s);
            if (e != BW_OK)
                return e;
            break;
        case I_TEXT: break;
        }
        if (s)
            e = bw_strlist_add_owned(out, s);
        else
            e = bw_strlist_add(out, t);
        if (e)
            return fail_nomem(c);
    }
    return BW_OK;
}

/* Reads an integer node into min..max. `what` names the value in messages
 * ("port", "value"); `path` is the node's key path. */
static bw_err get_uint(ctx *c, const node *nd, const char *path, const char *what,
                       unsigned long min, unsigned long max, unsigned long *out)
{
    if (nd->type != N_INT)
        return fail(c, nd, "%s: expected %s, got %s", path,
                    strcmp(what, "port") ? "an integer" : "a port number", type_name(nd->type));
    const char *t = nd->text;
    bool neg = *t == '-';
    if (*t == '-' || *t == '+')
        t++;
    unsigned base = 10;
    if (t[0] == '0' && (t[1] == 'x' || t[1] == 'o')) {
        base = t[1] == 'x' ? 16 : 8;
        t += 2;
    }
    unsigned long v = 0;
    bool big = false;
    for (; *t; t++) {
        unsigned d = *t <= '9'   ? (unsigned)(*t - '0')
                     : *t <= 'F' ? (unsigned)(*t - 'A' + 10)
                                 : (unsigned)(*t - 'a' + 10);
        if (v > (max + 1) / base + 1)
            big = true; /* keep scanning, never overflow */
        else
            v = v * base + d;
    }
    if ((neg && (v != 0 || min > 0)) || big || v < min || v > max)
        return fail(c, nd, "%s: %s %s is out of range %lu..%lu", path, what, nd->text, min, max);
    *out = v;
    return BW_OK;
}

/* Checks a non-empty list of port numbers 1..65535. */
static bw_err get_ports(ctx *c, const node *nd, const char *path, uint16_t **ports, size_t *n)
{
    if (nd->type != N_SEQ)
        return fail(c, nd, "%s: expected a list of port numbers, got %s", path,
                    type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "%s: empty list", path);
    *ports = calloc(nd->n, sizeof **ports);
    if (!*ports)
        return fail_nomem(c);
    for (size_t i = 0; i < nd->n; i++) {
        char where[96];
        unsigned long v;
        snprintf(where, sizeof where, "%s[%zu]", path, i);
        bw_err e = get_uint(c, nd->kids[i], where, "port", 1, 65535, &v);
        if (e)
            return e;
        (*ports)[i] = (uint16_t)v;
        (*n)++;
    }
    return BW_OK;
}

static bool digits_at(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Parses YYYY-MM-DDTHH:MM:SS followed by Z or +HH:MM / -HH:MM. Returns
 * NULL on success, else the reason. */
static const char *parse_time(const char *s, int64_t *out)
{
    unsigned y, mo, d, h, mi, se, oh = 0, om = 0;
    if (strlen(s) < 20 || !digits_at(s, 4, &y) || s[4] != '-' || !digits_at(s + 5, 2, &mo) ||
        s[7] != '-' || !digits_at(s + 8, 2, &d) || s[10] != 'T' || !digits_at(s + 11, 2, &h) ||
        s[13] != ':' || !digits_at(s + 14, 2, &mi) || s[16] != ':' || !digits_at(s + 17, 2, &se))
        return "expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset";
    const char *z = s + 19;
    int sign = 0;
    if (!strcmp(z, "Z")) {
        sign = 0;
    } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && digits_at(z + 1, 2, &oh) &&
               z[3] == ':' && digits_at(z + 4, 2, &om)) {
        sign = z[0] == '+' ? 1 : -1;
    } else {
        return "expected Z or an offset like +03:00 after the time";
    }
    if (y < 1970)
        return "the year is before 1970";
    if (mo < 1 || mo > 12)
        return "the month is out of range";
    if (d < 1 || d > bw_days_in_month(y, mo))
        return "the day is out of range";
    if (h > 23 || mi > 59 || se > 59)
        return "the time of day is out of range";
    if (oh > 23 || om > 59)
        return "the offset is out of range";
    int64_t t = bw_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
    /* local = UTC + offset, so UTC = local - offset */
    t -= (int64_t)sign * ((int64_t)oh * 3600 + om * 60);
    *out = t;
    return NULL;
}

/* ---- value checks ------------------------------------------------------- */

/* A true/false node. */
static bw_err get_bool(ctx *c, const node *nd, const char *path, bool *out)
{
    if (nd->type != N_BOOL)
        return fail(c, nd, "%s: expected true or false, got %s", path, type_name(nd->type));
    *out = !strcmp(nd->text, "true") || !strcmp(nd->text, "True") || !strcmp(nd->text, "TRUE");
    return BW_OK;
}

/* A cutoff timestamp node -> Unix seconds, with the error naming `path`. */
static bw_err get_time(ctx *c, const node *nd, const char *path, int64_t *out)
{
    bw_err e = get_string(c, nd, path, 0, NULL);
    if (e)
        return e;
    const char *why = parse_time(nd->text, out);
    if (why)
        return fail(c, nd,
                    "%s: invalid timestamp \"%s\": %s (e.g. 2024-09-29T04:00:00Z or "
                    "2024-09-29T00:00:00-04:00)",
                    path, nd->text, why);
    return BW_OK;
}

/* audit | enforce, lower case only. */
static bw_err get_mode(ctx *c, const node *nd, const char *path, bw_mode *out)
{
    bw_err e = get_string(c, nd, path, 0, NULL);
    if (e)
        return e;
    if (!strcmp(nd->text, "audit"))
        *out = BW_MODE_AUDIT;
    else if (!strcmp(nd->text, "enforce"))
        *out = BW_MODE_ENFORCE;
    else
        return fail(c, nd, "%s: expected \"audit\" or \"enforce\", got \"%s\"", path, nd->text);
    return BW_OK;
}

/* A non-empty list of confidence tiers (confirmed, likely, possible), each
 * once and confirmed among them, as a BW_TIER_BIT set. */
static bw_err get_tiers(ctx *c, const node *l, const char *path, unsigned *out)
{
    if (l->type != N_SEQ || l->n == 0)
        return fail(c, l,
                    "%s: expected a non-empty list of tiers (confirmed, likely, possible), "
                    "got %s",
                    path, l->type == N_SEQ ? "an empty list" : type_name(l->type));
    unsigned tiers = 0;
    for (size_t i = 0; i < l->n; i++) {
        const node *it = l->kids[i];
        bw_tier t;
        if (it->type != N_STR || !bw_tier_parse(it->text, &t) || t == BW_TIER_NONE)
            return fail(c, it, "%s[%zu]: expected confirmed, likely or possible, got %s%s%s",
                        path, i, it->type == N_STR ? "\"" : "",
                        it->type == N_STR ? it->text : type_name(it->type),
                        it->type == N_STR ? "\"" : "");
        if (tiers & BW_TIER_BIT(t))
            return fail(c, it, "%s[%zu]: \"%s\" is listed twice", path, i, it->text);
        tiers |= BW_TIER_BIT(t);
    }
    if (!(tiers & BW_TIER_BIT(BW_TIER_CONFIRMED)))
        return fail(c, l, "%s: must include confirmed (a confirmed finding always counts)", path);
    *out = tiers;
    return BW_OK;
}

/* The key of `map` before kids[i] with the same text as kids[i], or NULL. */
static const node *earlier_key(const node *map, size_t i)
{
    for (size_t j = 0; j < i; j += 2)
        if (!strcmp(map->kids[j]->text, map->kids[i]->text))
            return map->kids[j];
    return NULL;
}

/* updates.cutoff_overrides: {<product pattern>: <timestamp>}, kept in
 * document order in p->cutoff_products and, same index, p->cutoff_times. */
static bw_err load_cutoff_overrides(ctx *c, const node *ov, const char *path, bw_policy *p)
{
    if (ov->type != N_MAP)
        return fail(c, ov, "%s: expected a mapping of product patterns to timestamps, got %s",
                    path, type_name(ov->type));
    if (ov->n == 0)
        return fail(c, ov, "%s: empty mapping (leave the key out instead)", path);
    p->cutoff_times = calloc(ov->n / 2 + 1, sizeof *p->cutoff_times);
    if (!p->cutoff_times)
        return fail_nomem(c);
    for (size_t i = 0; i + 1 < ov->n; i += 2) {
        const node *k = ov->kids[i];
        char where[160];
        if (k->type >= N_SEQ || k->type == N_NULL)
            return fail(c, k, "%s: expected a product pattern, got %s", path, type_name(k->type));
        join(where, sizeof where, path, k->text);
        const node *prev = earlier_key(ov, i);
        if (prev)
            return fail(c, k, "%s: duplicate key (first at %zu:%zu)", where, prev->line,
                        prev->col);
        const char *why = *k->text ? glob_problem(k->text) : "empty pattern";
        if (why)
            return fail(c, k, "%s: invalid pattern: %s", where, why);
        bw_err e = get_time(c, ov->kids[i + 1], where, &p->cutoff_times[i / 2]);
        if (e)
            return e;
        if (bw_strlist_add(&p->cutoff_products, k->text) != BW_OK)
            return fail_nomem(c);
    }
    return BW_OK;
}

/* ---- binding keys to fields ------------------------------------------------ */

/* What a key's value is: how it is checked and what it is stored as. */
typedef enum vtype {
    V_STRING, /* char *: a string */
    V_TEXT,   /* char *: free text, tabs and line breaks allowed */
    V_NUMSTR, /* char *: a string; a bare number is taken as written */
    V_TIME,   /* int64_t: a timestamp, as Unix seconds */
    V_BOOL,   /* bool: true or false */
    V_UINT,   /* uint32_t: an integer in min..max */
    V_MODE,   /* bw_mode: audit or enforce */
    V_TIERS,  /* unsigned: a list of confidence tiers, as a BW_TIER_BIT set */
    V_LIST,   /* bw_strlist: a non-empty list of strings of one item kind */
    V_PORTS,  /* uint16_t *, with a size_t count: a non-empty list of ports */
    V_MAP,    /* nothing of its own: a nested mapping with its own table */
    V_CUSTOM  /* whatever `load` checks and stores */
} vtype;

/* Checks a value that no vtype describes (node nd at key path `path`) and
 * stores it in p. */
typedef bw_err custom_loader(ctx *c, const node *nd, const char *path, bw_policy *p);

/* One key of a mapping. A mapping's table lists its keys in the order
 * their values are checked and ends with an entry whose key is NULL. */
typedef struct field {
    const char *key;
    vtype type;
    size_t off;              /* the field in bw_policy (not V_MAP, V_CUSTOM) */
    bool required;           /* the key must be given */
    int64_t def;             /* V_TIME, V_BOOL, V_UINT, V_MODE, V_TIERS: default */
    const char *def_item;    /* V_LIST: one-item default, replaced by the key */
    unsigned long min, max;  /* V_UINT: the range */
    item_kind item;          /* V_LIST: how the items are checked */
    size_t count_off;        /* V_PORTS: the size_t count in bw_policy */
    const struct field *sub; /* V_MAP: the nested mapping's table */
    custom_loader *load;     /* V_CUSTOM */
} field;

#define AT(member) offsetof(bw_policy, member)

/* The service: timings. A week bounds the periods so that a typo (an extra
 * digit or two) cannot silence the agent for months; a minute bounds the
 * debounce so that a change is never held back for long. */
#define MAX_INTERVAL    604800u
#define MAX_DEBOUNCE_MS 60000u

/* containment: how long to wait for a service to stop (a service's own
 * wait hints are honoured within it), and the service that counts as
 * another anti-virus when the policy does not say. */
#define MAX_STOP_TIMEOUT   600u
#define DEFAULT_AV_SERVICE "WinDefend"

static const field vendor_fields[] = {
    {"name", V_STRING, .off = AT(vendor), .required = true},
    {"removal", V_TEXT, .off = AT(removal)},
    {"publishers", V_LIST, .off = AT(publishers), .item = I_TEXT},
    {"products", V_LIST, .off = AT(products), .item = I_GLOB},
    {"markers", V_LIST, .off = AT(markers), .item = I_TEXT},
    {"paths", V_LIST, .off = AT(paths), .item = I_GLOB},
    {"binaries", V_LIST, .off = AT(binaries), .item = I_FILE},
    {"services", V_LIST, .off = AT(services), .item = I_GLOB},
    {"drivers", V_LIST, .off = AT(drivers), .item = I_GLOB},
    {"generic_names", V_LIST, .off = AT(generic_names), .item = I_GLOB},
    {"name_suffixes", V_LIST, .off = AT(name_suffixes), .item = I_GLOB},
    {"others", V_LIST, .off = AT(others), .item = I_TEXT},
    {"altitudes", V_LIST, .off = AT(altitudes), .item = I_ALTITUDE},
    {"class_filters", V_LIST, .off = AT(class_filters), .item = I_NAME},
    {"registry_roots", V_LIST, .off = AT(registry_roots), .item = I_REGROOT},
    {"registry_products", V_LIST, .off = AT(registry_products), .item = I_GLOB},
    {"bases_paths", V_LIST, .off = AT(bases_paths), .item = I_TEXT},
    {.key = NULL},
};

static const field ksn_fields[] = {
    {"services", V_LIST, .off = AT(ksn_services), .item = I_GLOB},
    {"ports", V_PORTS, .off = AT(ksn_ports), .count_off = AT(n_ksn_ports)},
    {"hosts", V_LIST, .off = AT(ksn_hosts), .item = I_GLOB},
    {.key = NULL},
};

static const field detection_fields[] = {
    {"count_tiers", V_TIERS, .off = AT(count_tiers), .def = BW_TIERS_DEFAULT},
    {.key = NULL},
};

static const field updates_fields[] = {
    {"stale_after_days", V_UINT, .off = AT(stale_after_days), .min = 1, .max = 3650, .def = 7},
    {"cutoff_overrides", V_CUSTOM, .load = load_cutoff_overrides},
    {.key = NULL},
};

static const field service_fields[] = {
    {"scan_interval", V_UINT, .off = AT(scan_interval), .min = 1, .max = MAX_INTERVAL,
     .def = 3600},
    {"heartbeat_interval", V_UINT, .off = AT(heartbeat_interval), .min = 1, .max = MAX_INTERVAL,
     .def = 3600},
    {"change_debounce_ms", V_UINT, .off = AT(change_debounce_ms), .min = 0,
     .max = MAX_DEBOUNCE_MS, .def = 500},
    {.key = NULL},
};

static const field containment_fields[] = {
    {"allowlist", V_LIST, .off = AT(contain_allowlist), .item = I_GLOB},
    {"only", V_LIST, .off = AT(contain_only), .item = I_GLOB},
    {"drivers", V_LIST, .off = AT(contain_drivers), .item = I_GLOB},
    {"antivirus_services", V_LIST, .off = AT(contain_av_services), .item = I_GLOB,
     .def_item = DEFAULT_AV_SERVICE},
    {"non_protecting", V_LIST, .off = AT(contain_non_protecting), .item = I_GLOB},
    {"allow_unprotected", V_BOOL, .off = AT(contain_allow_unprotected)},
    {"stop_dependents", V_BOOL, .off = AT(contain_stop_dependents)},
    {"stop_timeout", V_UINT, .off = AT(contain_stop_timeout), .min = 1, .max = MAX_STOP_TIMEOUT,
     .def = 30},
    {.key = NULL},
};

/* The top level. */
static const field policy_fields[] = {
    {"policy", V_STRING, .off = AT(name), .required = true},
    {"version", V_NUMSTR, .off = AT(version), .required = true},
    {"description", V_TEXT, .off = AT(description)},
    {"cutoff", V_TIME, .off = AT(cutoff), .def = DEFAULT_CUTOFF},
    {"mode", V_MODE, .off = AT(mode), .def = BW_MODE_AUDIT},
    {"vendor", V_MAP, .required = true, .sub = vendor_fields},
    {"ksn", V_MAP, .sub = ksn_fields},
    {"detection", V_MAP, .sub = detection_fields},
    {"updates", V_MAP, .sub = updates_fields},
    {"service", V_MAP, .sub = service_fields},
    {"containment", V_MAP, .sub = containment_fields},
    {.key = NULL},
};

/* The first key of `fields` at most two edits away from `key`, or NULL. */
static const char *closest_key(const field *fields, const char *key)
{
    const char *best = NULL;
    size_t dist = 3;
    for (const field *f = fields; f->key; f++) {
        size_t d = bw_edit_distance(key, f->key);
        if (d < dist) {
            dist = d;
            best = f->key;
        }
    }
    return best;
}

/* Checks the keys of `map` in document order: each a scalar, named in
 * `fields` and given once. `path` names the mapping ("" at the top). */
static bw_err check_keys(ctx *c, const node *map, const char *path, const field *fields)
{
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const node *k = map->kids[i];
        char where[160];
        if (k->type >= N_SEQ || k->type == N_NULL)
            return fail(c, k, "%s%sexpected a key name, got %s", path, *path ? ": " : "",
                        type_name(k->type));
        join(where, sizeof where, path, k->text);
        const node *prev = earlier_key(map, i);
        if (prev)
            return fail(c, k, "%s: duplicate key (first at %zu:%zu)", where, prev->line,
                        prev->col);
        const field *f = fields;
        while (f->key && strcmp(f->key, k->text))
            f++;
        if (f->key)
            continue;
        const char *near = closest_key(fields, k->text);
        if (near)
            return fail(c, k, "%s: unknown key (did you mean \"%s\"?)", where, near);
        return fail(c, k, "%s: unknown key", where);
    }
    return BW_OK;
}

/* The value of `key` in `map`, or NULL when the key is not given. */
static const node *value_of(const node *map, const char *key)
{
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (!strcmp(map->kids[i]->text, key))
            return map->kids[i + 1];
    return NULL;
}

static bw_err load_value(ctx *c, const node *nd, const char *path, const field *f, bw_policy *p);

/* Loads the mapping `map` (path `path`, "" at the top) by its table, in the
 * order docs/policy.md promises: the keys, then the required keys, then
 * the values in table order. */
static bw_err load_fields(ctx *c, const node *map, const char *path, const field *fields,
                          bw_policy *p)
{
    bw_err e = check_keys(c, map, path, fields);
    if (e)
        return e;
    for (const field *f = fields; f->key; f++)
        if (f->required && !value_of(map, f->key))
            return fail(c, map, "%s%smissing required key \"%s\"", path, *path ? ": " : "",
                        f->key);
    for (const field *f = fields; f->key; f++) {
        const node *v = value_of(map, f->key);
        char where[160];
        if (!v)
            continue;
        join(where, sizeof where, path, f->key);
        e = load_value(c, v, where, f, p);
        if (e)
            return e;
        if (f->type != V_MAP && bw_strlist_add(&p->given, where) != BW_OK)
            return fail_nomem(c);
    }
    return BW_OK;
}

static bool any_required(const field *fields)
{
    for (const field *f = fields; f->key; f++)
        if (f->required)
            return true;
    return false;
}

/* Checks the value nd of the key `f` (at key path `path`) and stores it in
 * p. A given list replaces the list's default. */
static bw_err load_value(ctx *c, const node *nd, const char *path, const field *f, bw_policy *p)
{
    void *at = (char *)p + f->off;
    unsigned long n;
    bw_err e;
    switch (f->type) {
    case V_STRING: return get_string(c, nd, path, 0, at);
    case V_TEXT: return get_string(c, nd, path, S_TEXT, at);
    case V_NUMSTR: return get_string(c, nd, path, S_NUMBER, at);
    case V_TIME: return get_time(c, nd, path, at);
    case V_BOOL: return get_bool(c, nd, path, at);
    case V_UINT:
        e = get_uint(c, nd, path, "value", f->min, f->max, &n);
        if (!e)
            *(uint32_t *)at = (uint32_t)n;
        return e;
    case V_MODE: return get_mode(c, nd, path, at);
    case V_TIERS: return get_tiers(c, nd, path, at);
    case V_LIST: bw_strlist_free(at); return get_strlist(c, nd, path, f->item, at);
    case V_PORTS: return get_ports(c, nd, path, at, (size_t *)((char *)p + f->count_off));
    case V_MAP:
        if (nd->type != N_MAP)
            return fail(c, nd, "%s: expected a mapping, got %s", path, type_name(nd->type));
        /* where nothing is required, an empty mapping says nothing */
        if (nd->n == 0 && !any_required(f->sub))
            return fail(c, nd, "%s: empty mapping (leave the key out instead)", path);
        return load_fields(c, nd, path, f->sub, p);
    case V_CUSTOM: return f->load(c, nd, path, p);
    }
    return BW_OK;
}

/* Gives the fields of the table (and of its nested tables) their defaults. */
static bw_err set_defaults(const field *fields, bw_policy *p)
{
    for (const field *f = fields; f->key; f++) {
        void *at = (char *)p + f->off;
        bw_err e = BW_OK;
        switch (f->type) {
        case V_TIME: *(int64_t *)at = f->def; break;
        case V_BOOL: *(bool *)at = f->def != 0; break;
        case V_UINT: *(uint32_t *)at = (uint32_t)f->def; break;
        case V_MODE: *(bw_mode *)at = (bw_mode)f->def; break;
        case V_TIERS: *(unsigned *)at = (unsigned)f->def; break;
        case V_LIST:
            if (f->def_item)
                e = bw_strlist_add(at, f->def_item);
            break;
        case V_MAP: e = set_defaults(f->sub, p); break;
        default: /* strings and ports: none; custom values: zero */ break;
        }
        if (e)
            return e;
    }
    return BW_OK;
}

/* Frees what the fields of the table (and of its nested tables) own. */
static void free_fields(const field *fields, bw_policy *p)
{
    for (const field *f = fields; f->key; f++) {
        void *at = (char *)p + f->off;
        switch (f->type) {
        case V_STRING:
        case V_TEXT:
        case V_NUMSTR: free(*(char **)at); break;
        case V_LIST: bw_strlist_free(at); break;
        case V_PORTS: free(*(uint16_t **)at); break;
        case V_MAP: free_fields(f->sub, p); break;
        default: /* nothing owned; custom values are freed by bw_policy_free */ break;
        }
    }
}

static bw_err load_policy(ctx *c, const node *root, bw_policy *p)
{
    if (!root)
        return fail_at(c, 1, 1,
                       "empty policy: expected a mapping with the keys policy, "
                       "version and vendor");
    if (root->type != N_MAP)
        return fail(c, root, "expected a mapping at the top level, got %s",
                    type_name(root->type));
    return load_fields(c, root, "", policy_fields, p);
}

/* ---- public API ----------------------------------------------------------- */

bw_err bw_policy_parse(const char *text, size_t len, const char *origin, bw_policy **out,
                       char *errbuf, size_t errlen)
{
    ctx c = {origin ? origin : "<policy>", errbuf, errlen};
    node *root = NULL;
    bw_policy *p = NULL;
    bw_err e;

    if (errlen)
        errbuf[0] = '\0';
    if (!out || (!text && len))
        return BW_EINVAL;
    *out = NULL;
    if (!text)
        text = "";

    /* A UTF-8 byte order mark is allowed and not counted as a column. */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    /* Invalid UTF-8 is reported with its own position before libyaml sees
     * it (libyaml's reader reports byte offsets of its own buffer). */
    size_t valid = bw_utf8_valid_prefix(text, len);
    if (valid < len) {
        size_t line, col;
        position_of(text, len, valid, &line, &col);
        return fail_at(&c, line, col, "invalid UTF-8 (byte 0x%02X)",
                       (unsigned)(unsigned char)text[valid]);
    }

    e = build_tree(&c, text, len, &root);
    if (e)
        goto out;
    p = calloc(1, sizeof *p);
    if (!p || set_defaults(policy_fields, p) != BW_OK) {
        e = fail_nomem(&c);
        goto out;
    }
    e = load_policy(&c, root, p);
    if (e)
        goto out;
    *out = p;
    p = NULL;
out:
    bw_policy_free(p);
    node_free(root);
    return e;
}

void bw_policy_free(bw_policy *p)
{
    if (!p)
        return;
    free_fields(policy_fields, p);
    bw_strlist_free(&p->given);
    /* what load_cutoff_overrides stores */
    bw_strlist_free(&p->cutoff_products);
    free(p->cutoff_times);
    free(p);
}

int64_t bw_policy_cutoff_for(const bw_policy *p, const char *product)
{
    for (size_t i = 0; product && i < p->cutoff_products.n; i++)
        if (bw_glob(p->cutoff_products.items[i], product))
            return p->cutoff_times[i];
    return p->cutoff;
}

/* ---- one value from elsewhere ------------------------------------------------ */

/* The entry of the key path `key` ("service.scan_interval") in the tables. */
static const field *field_of(const char *key)
{
    const field *fields = policy_fields;
    for (;;) {
        const char *dot = strchr(key, '.');
        size_t n = dot ? (size_t)(dot - key) : strlen(key);
        const field *f = fields;
        while (f->key && (strlen(f->key) != n || strncmp(f->key, key, n) != 0))
            f++;
        if (!f->key)
            return NULL;
        if (!dot)
            return f->type == V_MAP ? NULL : f;
        if (f->type != V_MAP)
            return NULL;
        fields = f->sub;
        key = dot + 1;
    }
}

bool bw_policy_key_given(const bw_policy *p, const char *key)
{
    for (size_t i = 0; p && i < p->given.n; i++)
        if (strcmp(p->given.items[i], key) == 0)
            return true;
    return false;
}

bw_err bw_policy_set(bw_policy *p, const char *key, const bw_policy_value *v, const char *origin,
                     char *errbuf, size_t errlen)
{
    ctx c = {origin ? origin : "<value>", errbuf, errlen};
    if (errlen)
        errbuf[0] = '\0';
    const field *f = key ? field_of(key) : NULL;
    if (!p || !v || !f ||
        (f->type != V_UINT && f->type != V_TIME && f->type != V_MODE && f->type != V_TIERS &&
         f->type != V_BOOL) ||
        (v->kind == BW_PV_LIST && v->n_items > BW_POLICY_SET_MAX_ITEMS))
        return BW_EINVAL;
    char number[24];
    node items[BW_POLICY_SET_MAX_ITEMS], *kids[BW_POLICY_SET_MAX_ITEMS];
    node nd = {.type = N_STR, .text = (char *)(v->text ? v->text : "")};
    switch (v->kind) {
    case BW_PV_NUMBER:
        snprintf(number, sizeof number, "%lu", (unsigned long)v->number);
        nd.type = N_INT;
        nd.text = number;
        break;
    case BW_PV_TEXT: break;
    case BW_PV_LIST:
        nd.type = N_SEQ;
        nd.text = NULL;
        for (size_t i = 0; i < v->n_items; i++) {
            items[i] = (node){.type = N_STR, .text = (char *)v->items[i]};
            items[i].len = strlen(items[i].text);
            kids[i] = &items[i];
        }
        nd.kids = kids;
        nd.n = v->n_items;
        break;
    }
    if (nd.text)
        nd.len = strlen(nd.text);
    /* Checked into a copy: p is changed only when the value is valid. The
     * types allowed here own no memory, so a flat copy is enough. */
    bw_policy tmp = *p;
    bw_err e = load_value(&c, &nd, key, f, &tmp);
    if (e == BW_OK)
        *p = tmp;
    return e;
}
