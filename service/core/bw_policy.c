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

static bw_err failv(ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
    BW_PRINTF(4, 0);

static bw_err failv(ctx *c, size_t line, size_t col, const char *fmt, va_list ap)
{
    if (c->errlen == 0)
        return BW_EPARSE;
    int k = snprintf(c->errbuf, c->errlen, "%s:%zu:%zu: ", c->origin, line, col);
    if (k >= 0 && (size_t)k < c->errlen)
        vsnprintf(c->errbuf + k, c->errlen - (size_t)k, fmt, ap);
    return BW_EPARSE;
}

/* Records a parse error at a 1-based position; returns BW_EPARSE. */
static bw_err fail_at(ctx *c, size_t line, size_t col, const char *fmt, ...)
    BW_PRINTF(4, 5);

static bw_err fail_at(ctx *c, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bw_err e = failv(c, line, col, fmt, ap);
    va_end(ap);
    return e;
}

/* Records a parse error at a node. */
static bw_err fail(ctx *c, const node *nd, const char *fmt, ...)
    BW_PRINTF(3, 4);

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
    if (*s == '-' || *s == '+')
        s++;
    if (!strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF"))
        return true;
    if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return s[-1] != '-' && s[-1] != '+';
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

static bw_err syntax_error(ctx *c, const yaml_parser_t *p, const char *text, size_t len)
{
    size_t line, col;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        return fail_nomem(c);
    case YAML_READER_ERROR:
        position_of(text, len, p->problem_offset, &line, &col);
        return fail_at(c, line, col, "invalid input: %s",
                       p->problem ? p->problem : "unreadable character");
    default:
        break;
    }
    line = p->problem_mark.line + 1;
    col = p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "malformed YAML";
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
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
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
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        default: /* stream start, document end */
            break;
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

/* Edit distance of two short ASCII key names (case-insensitive), capped. */
static size_t key_distance(const char *a, const char *b)
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
            char ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z')
                ca = (char)(ca - 'A' + 'a');
            size_t best = diag + (ca != cb);
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

static void join(char *out, size_t n, const char *path, const char *key)
{
    if (*path)
        snprintf(out, n, "%s.%s", path, key);
    else
        snprintf(out, n, "%s", key);
}

/* Checks that `map` is a mapping whose keys are all in keys[0..nkeys), each
 * at most once, and points vals[i] at the value of keys[i] (NULL if
 * absent). `path` names the mapping in messages ("" for the top level). */
static bw_err walk_map(ctx *c, const node *map, const char *path, const char *const *keys,
                       size_t nkeys, const node **vals)
{
    for (size_t i = 0; i < nkeys; i++)
        vals[i] = NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const node *k = map->kids[i];
        char where[160];
        if (k->type >= N_SEQ || k->type == N_NULL)
            return fail(c, k, "%s%sexpected a key name, got %s", path, *path ? ": " : "",
                        type_name(k->type));
        join(where, sizeof where, path, k->text);
        for (size_t j = 0; j < i; j += 2) {
            const node *prev = map->kids[j];
            if (!strcmp(prev->text, k->text))
                return fail(c, k, "%s: duplicate key (first at %zu:%zu)", where, prev->line,
                            prev->col);
        }
        size_t w = 0;
        while (w < nkeys && strcmp(keys[w], k->text))
            w++;
        if (w == nkeys) {
            size_t best = 0, dist = 99;
            for (size_t j = 0; j < nkeys; j++) {
                size_t d = key_distance(k->text, keys[j]);
                if (d < dist) {
                    dist = d;
                    best = j;
                }
            }
            if (dist <= 2)
                return fail(c, k, "%s: unknown key (did you mean \"%s\"?)", where, keys[best]);
            return fail(c, k, "%s: unknown key", where);
        }
        vals[w] = map->kids[i + 1];
    }
    return BW_OK;
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
    I_TEXT,      /* literal text (publishers, markers) */
    I_GLOB,      /* a pattern */
    I_FILE,      /* a literal file name: no wildcard, no directory */
    I_NAME,      /* a literal name: no wildcard */
    I_ALTITUDE,  /* digits, optionally a fraction; bare numbers accepted */
    I_REGROOT    /* HKLM\... or HKU\... key path */
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
        return fail(c, nd, "%s: \"%s\" is a key path, not a pattern (only HKU\\*\\... "
                           "stands for every user's hive)", path, s);
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
            if ((why = glob_problem(t)) != NULL)
                return fail(c, it, "%s: invalid pattern \"%s\": %s", where, t, why);
            break;
        case I_FILE:
            if (has_any(t, "\\/:"))
                return fail(c, it, "%s: \"%s\": expected a file name without a directory",
                            where, t);
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
            if ((e = registry_root(c, it, where, &s)) != BW_OK)
                return e;
            break;
        case I_TEXT:
            break;
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
        unsigned d = *t <= '9' ? (unsigned)(*t - '0')
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
        s[13] != ':' || !digits_at(s + 14, 2, &mi) || s[16] != ':' ||
        !digits_at(s + 17, 2, &se))
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
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970)
        return "the year is before 1970";
    if (mo < 1 || mo > 12)
        return "the month is out of range";
    if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return "the day is out of range";
    if (h > 23 || mi > 59 || se > 59)
        return "the time of day is out of range";
    if (oh > 23 || om > 59)
        return "the offset is out of range";
    int64_t t = bw_evidence_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
    /* local = UTC + offset, so UTC = local - offset */
    t -= (int64_t)sign * ((int64_t)oh * 3600 + om * 60);
    *out = t;
    return NULL;
}

/* ---- the schema --------------------------------------------------------- */

enum {
    T_POLICY, T_VERSION, T_DESCRIPTION, T_CUTOFF, T_MODE, T_VENDOR, T_KSN, T_DETECTION,
    T_UPDATES, T_SERVICE, T_CONTAINMENT, T_N
};
static const char *const top_keys[T_N] = {"policy",    "version", "description", "cutoff",
                                          "mode",      "vendor",  "ksn",         "detection",
                                          "updates",   "service", "containment"};

#define DEFAULT_STALE_AFTER_DAYS 7u
#define MAX_STALE_AFTER_DAYS 3650u

/* Defaults and limits of the service: timings. A week bounds the periods
 * so that a typo (an extra digit or two) cannot silence the agent for
 * months; a minute bounds the debounce so that a change is never held
 * back for long. */
#define DEFAULT_SCAN_INTERVAL 3600u
#define DEFAULT_HEARTBEAT_INTERVAL 3600u
#define DEFAULT_CHANGE_DEBOUNCE_MS 500u
#define MAX_INTERVAL 604800u

/* Containment: how long to wait for a service to stop (a service's own
 * wait hints are honoured within it), and the services that count as
 * another anti-virus when the policy does not say. */
#define DEFAULT_STOP_TIMEOUT 30u
#define MAX_STOP_TIMEOUT 600u
static const char *const default_av_services[] = {"WinDefend"};
#define MAX_DEBOUNCE_MS 60000u

/* vendor: list keys, in the order of bw_policy's fields. */
static const struct {
    const char *key;
    item_kind kind;
    size_t offset;
} vendor_lists[] = {
    {"publishers", I_TEXT, offsetof(bw_policy, publishers)},
    {"products", I_GLOB, offsetof(bw_policy, products)},
    {"markers", I_TEXT, offsetof(bw_policy, markers)},
    {"paths", I_GLOB, offsetof(bw_policy, paths)},
    {"binaries", I_FILE, offsetof(bw_policy, binaries)},
    {"services", I_GLOB, offsetof(bw_policy, services)},
    {"drivers", I_GLOB, offsetof(bw_policy, drivers)},
    {"generic_names", I_GLOB, offsetof(bw_policy, generic_names)},
    {"name_suffixes", I_GLOB, offsetof(bw_policy, name_suffixes)},
    {"others", I_TEXT, offsetof(bw_policy, others)},
    {"altitudes", I_ALTITUDE, offsetof(bw_policy, altitudes)},
    {"class_filters", I_NAME, offsetof(bw_policy, class_filters)},
    {"registry_roots", I_REGROOT, offsetof(bw_policy, registry_roots)},
    {"registry_products", I_GLOB, offsetof(bw_policy, registry_products)},
    {"bases_paths", I_TEXT, offsetof(bw_policy, bases_paths)},
};
#define N_VENDOR_LISTS (sizeof vendor_lists / sizeof vendor_lists[0])

static bw_err load_vendor(ctx *c, const node *nd, bw_policy *p)
{
    const char *keys[2 + N_VENDOR_LISTS];
    const node *vals[2 + N_VENDOR_LISTS];
    keys[0] = "name";
    keys[1] = "removal";
    for (size_t i = 0; i < N_VENDOR_LISTS; i++)
        keys[2 + i] = vendor_lists[i].key;
    if (nd->type != N_MAP)
        return fail(c, nd, "vendor: expected a mapping, got %s", type_name(nd->type));
    bw_err e = walk_map(c, nd, "vendor", keys, 2 + N_VENDOR_LISTS, vals);
    if (e)
        return e;
    if (!vals[0])
        return fail(c, nd, "vendor: missing required key \"name\"");
    if ((e = get_string(c, vals[0], "vendor.name", 0, &p->vendor)) != BW_OK)
        return e;
    if (vals[1] && (e = get_string(c, vals[1], "vendor.removal", S_TEXT, &p->removal)) != BW_OK)
        return e;
    for (size_t i = 0; i < N_VENDOR_LISTS; i++) {
        if (!vals[2 + i])
            continue;
        char where[64];
        join(where, sizeof where, "vendor", vendor_lists[i].key);
        bw_strlist *l = (bw_strlist *)((char *)p + vendor_lists[i].offset);
        if ((e = get_strlist(c, vals[2 + i], where, vendor_lists[i].kind, l)) != BW_OK)
            return e;
    }
    return BW_OK;
}

static bw_err load_ksn(ctx *c, const node *nd, bw_policy *p)
{
    static const char *const keys[] = {"services", "ports", "hosts"};
    const node *vals[3];
    if (nd->type != N_MAP)
        return fail(c, nd, "ksn: expected a mapping, got %s", type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "ksn: empty mapping (leave the key out instead)");
    bw_err e = walk_map(c, nd, "ksn", keys, 3, vals);
    if (!e && vals[0])
        e = get_strlist(c, vals[0], "ksn.services", I_GLOB, &p->ksn_services);
    if (!e && vals[1])
        e = get_ports(c, vals[1], "ksn.ports", &p->ksn_ports, &p->n_ksn_ports);
    if (!e && vals[2])
        e = get_strlist(c, vals[2], "ksn.hosts", I_GLOB, &p->ksn_hosts);
    return e;
}

static bw_err load_service(ctx *c, const node *nd, bw_policy *p)
{
    static const char *const keys[] = {"scan_interval", "heartbeat_interval",
                                       "change_debounce_ms"};
    static const unsigned long min[] = {1, 1, 0};
    static const unsigned long max[] = {MAX_INTERVAL, MAX_INTERVAL, MAX_DEBOUNCE_MS};
    uint32_t *field[] = {&p->scan_interval, &p->heartbeat_interval, &p->change_debounce_ms};
    const node *vals[3];
    if (nd->type != N_MAP)
        return fail(c, nd, "service: expected a mapping, got %s", type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "service: empty mapping (leave the key out instead)");
    bw_err e = walk_map(c, nd, "service", keys, 3, vals);
    for (size_t i = 0; !e && i < 3; i++) {
        if (!vals[i])
            continue;
        char where[64];
        unsigned long v;
        join(where, sizeof where, "service", keys[i]);
        if ((e = get_uint(c, vals[i], where, "value", min[i], max[i], &v)) == BW_OK)
            *field[i] = (uint32_t)v;
    }
    return e;
}

/* detection: {count_tiers: [confirmed, likely]} (docs/policy.md). */
static bw_err load_detection(ctx *c, const node *nd, bw_policy *p)
{
    static const char *const keys[] = {"count_tiers"};
    const node *v[1];
    if (nd->type != N_MAP)
        return fail(c, nd, "detection: expected a mapping, got %s", type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "detection: empty mapping (leave the key out instead)");
    bw_err e = walk_map(c, nd, "detection", keys, 1, v);
    if (e || !v[0])
        return e;
    const node *l = v[0];
    if (l->type != N_SEQ || l->n == 0)
        return fail(c, l, "detection.count_tiers: expected a non-empty list of tiers "
                          "(confirmed, likely, possible), got %s",
                    l->type == N_SEQ ? "an empty list" : type_name(l->type));
    unsigned tiers = 0;
    for (size_t i = 0; i < l->n; i++) {
        const node *it = l->kids[i];
        bw_tier t;
        if (it->type != N_STR || !bw_tier_parse(it->text, &t) || t == BW_TIER_NONE)
            return fail(c, it, "detection.count_tiers[%zu]: expected confirmed, likely or "
                               "possible, got %s%s%s", i, it->type == N_STR ? "\"" : "",
                        it->type == N_STR ? it->text : type_name(it->type),
                        it->type == N_STR ? "\"" : "");
        if (tiers & BW_TIER_BIT(t))
            return fail(c, it, "detection.count_tiers[%zu]: \"%s\" is listed twice", i,
                        it->text);
        tiers |= BW_TIER_BIT(t);
    }
    if (!(tiers & BW_TIER_BIT(BW_TIER_CONFIRMED)))
        return fail(c, l, "detection.count_tiers: must include confirmed (a confirmed "
                          "finding always counts)");
    p->count_tiers = tiers;
    return BW_OK;
}

/* A true/false node. */
static bw_err get_bool(ctx *c, const node *nd, const char *path, bool *out)
{
    if (nd->type != N_BOOL)
        return fail(c, nd, "%s: expected true or false, got %s", path, type_name(nd->type));
    *out = !strcmp(nd->text, "true") || !strcmp(nd->text, "True") || !strcmp(nd->text, "TRUE");
    return BW_OK;
}

/* containment: what enforcement may touch (docs/policy.md). */
static bw_err load_containment(ctx *c, const node *nd, bw_policy *p)
{
    enum { C_ALLOW, C_ONLY, C_DRIVERS, C_AV, C_UNPROT, C_DEPS, C_TIMEOUT, C_N };
    static const char *const keys[C_N] = {"allowlist",         "only",
                                          "drivers",           "antivirus_services",
                                          "allow_unprotected", "stop_dependents",
                                          "stop_timeout"};
    const node *v[C_N];
    if (nd->type != N_MAP)
        return fail(c, nd, "containment: expected a mapping, got %s", type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "containment: empty mapping (leave the key out instead)");
    bw_err e = walk_map(c, nd, "containment", keys, C_N, v);
    if (!e && v[C_ALLOW])
        e = get_strlist(c, v[C_ALLOW], "containment.allowlist", I_GLOB, &p->contain_allowlist);
    if (!e && v[C_ONLY])
        e = get_strlist(c, v[C_ONLY], "containment.only", I_GLOB, &p->contain_only);
    if (!e && v[C_DRIVERS])
        e = get_strlist(c, v[C_DRIVERS], "containment.drivers", I_GLOB, &p->contain_drivers);
    if (!e && v[C_AV]) {
        bw_strlist_free(&p->contain_av_services); /* replaces the default */
        e = get_strlist(c, v[C_AV], "containment.antivirus_services", I_GLOB,
                        &p->contain_av_services);
    }
    if (!e && v[C_UNPROT])
        e = get_bool(c, v[C_UNPROT], "containment.allow_unprotected",
                     &p->contain_allow_unprotected);
    if (!e && v[C_DEPS])
        e = get_bool(c, v[C_DEPS], "containment.stop_dependents", &p->contain_stop_dependents);
    if (!e && v[C_TIMEOUT]) {
        unsigned long t;
        if ((e = get_uint(c, v[C_TIMEOUT], "containment.stop_timeout", "value", 1,
                          MAX_STOP_TIMEOUT, &t)) == BW_OK)
            p->contain_stop_timeout = (uint32_t)t;
    }
    return e;
}

/* A cutoff timestamp node -> Unix seconds, with the error naming `where`. */
static bw_err get_time(ctx *c, const node *nd, const char *where, int64_t *out)
{
    bw_err e = get_string(c, nd, where, 0, NULL);
    if (e)
        return e;
    const char *why = parse_time(nd->text, out);
    if (why)
        return fail(c, nd,
                    "%s: invalid timestamp \"%s\": %s (e.g. 2024-09-29T04:00:00Z or "
                    "2024-09-29T00:00:00-04:00)",
                    where, nd->text, why);
    return BW_OK;
}

/* updates: {stale_after_days: N, cutoff_overrides: {<product glob>: <time>}} */
static bw_err load_updates(ctx *c, const node *nd, bw_policy *p)
{
    static const char *const keys[] = {"stale_after_days", "cutoff_overrides"};
    const node *vals[2];
    if (nd->type != N_MAP)
        return fail(c, nd, "updates: expected a mapping, got %s", type_name(nd->type));
    if (nd->n == 0)
        return fail(c, nd, "updates: empty mapping (leave the key out instead)");
    bw_err e = walk_map(c, nd, "updates", keys, 2, vals);
    if (e)
        return e;
    if (vals[0]) {
        unsigned long v;
        if ((e = get_uint(c, vals[0], "updates.stale_after_days", "value", 1,
                          MAX_STALE_AFTER_DAYS, &v)) != BW_OK)
            return e;
        p->stale_after_days = (uint32_t)v;
    }
    const node *ov = vals[1];
    if (!ov)
        return BW_OK;
    if (ov->type != N_MAP)
        return fail(c, ov, "updates.cutoff_overrides: expected a mapping of product "
                           "patterns to timestamps, got %s", type_name(ov->type));
    if (ov->n == 0)
        return fail(c, ov, "updates.cutoff_overrides: empty mapping (leave the key out instead)");
    p->cutoff_times = calloc(ov->n / 2 + 1, sizeof *p->cutoff_times);
    if (!p->cutoff_times)
        return fail_nomem(c);
    for (size_t i = 0; i + 1 < ov->n; i += 2) {
        const node *k = ov->kids[i], *val = ov->kids[i + 1];
        char where[160];
        if (k->type >= N_SEQ || k->type == N_NULL)
            return fail(c, k, "updates.cutoff_overrides: expected a product pattern, got %s",
                        type_name(k->type));
        for (size_t j = 0; j < i; j += 2)
            if (!strcmp(ov->kids[j]->text, k->text))
                return fail(c, k, "updates.cutoff_overrides.%s: duplicate key (first at %zu:%zu)",
                            k->text, ov->kids[j]->line, ov->kids[j]->col);
        snprintf(where, sizeof where, "updates.cutoff_overrides.%s", k->text);
        const char *why = *k->text ? glob_problem(k->text) : "empty pattern";
        if (why)
            return fail(c, k, "%s: invalid pattern: %s", where, why);
        if ((e = get_time(c, val, where, &p->cutoff_times[i / 2])) != BW_OK)
            return e;
        if (bw_strlist_add(&p->cutoff_products, k->text) != BW_OK)
            return fail_nomem(c);
    }
    return BW_OK;
}

static bw_err load_policy(ctx *c, const node *root, bw_policy *p)
{
    const node *v[T_N];
    if (!root)
        return fail_at(c, 1, 1, "empty policy: expected a mapping with the keys policy, "
                                "version and vendor");
    if (root->type != N_MAP)
        return fail(c, root, "expected a mapping at the top level, got %s",
                    type_name(root->type));
    bw_err e = walk_map(c, root, "", top_keys, T_N, v);
    if (e)
        return e;
    static const int required[] = {T_POLICY, T_VERSION, T_VENDOR};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!v[required[i]])
            return fail(c, root, "missing required key \"%s\"", top_keys[required[i]]);

    if ((e = get_string(c, v[T_POLICY], "policy", 0, &p->name)) ||
        (e = get_string(c, v[T_VERSION], "version", S_NUMBER, &p->version)))
        return e;
    if (v[T_DESCRIPTION] &&
        (e = get_string(c, v[T_DESCRIPTION], "description", S_TEXT, &p->description)))
        return e;
    if (v[T_CUTOFF] && (e = get_time(c, v[T_CUTOFF], "cutoff", &p->cutoff)) != BW_OK)
        return e;
    if (v[T_MODE]) {
        const node *nd = v[T_MODE];
        if ((e = get_string(c, nd, "mode", 0, NULL)) != BW_OK)
            return e;
        if (!strcmp(nd->text, "audit"))
            p->mode = BW_MODE_AUDIT;
        else if (!strcmp(nd->text, "enforce"))
            p->mode = BW_MODE_ENFORCE;
        else
            return fail(c, nd, "mode: expected \"audit\" or \"enforce\", got \"%s\"", nd->text);
    }
    if ((e = load_vendor(c, v[T_VENDOR], p)) != BW_OK)
        return e;
    if (v[T_KSN] && (e = load_ksn(c, v[T_KSN], p)) != BW_OK)
        return e;
    if (v[T_DETECTION] && (e = load_detection(c, v[T_DETECTION], p)) != BW_OK)
        return e;
    if (v[T_UPDATES] && (e = load_updates(c, v[T_UPDATES], p)) != BW_OK)
        return e;
    if (v[T_SERVICE] && (e = load_service(c, v[T_SERVICE], p)) != BW_OK)
        return e;
    if (v[T_CONTAINMENT] && (e = load_containment(c, v[T_CONTAINMENT], p)) != BW_OK)
        return e;
    return BW_OK;
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

    if ((e = build_tree(&c, text, len, &root)) != BW_OK)
        goto out;
    p = calloc(1, sizeof *p);
    if (!p) {
        e = fail_nomem(&c);
        goto out;
    }
    p->cutoff = DEFAULT_CUTOFF;
    p->mode = BW_MODE_AUDIT;
    p->scan_interval = DEFAULT_SCAN_INTERVAL;
    p->heartbeat_interval = DEFAULT_HEARTBEAT_INTERVAL;
    p->change_debounce_ms = DEFAULT_CHANGE_DEBOUNCE_MS;
    p->stale_after_days = DEFAULT_STALE_AFTER_DAYS;
    p->count_tiers = BW_TIERS_DEFAULT;
    p->contain_stop_timeout = DEFAULT_STOP_TIMEOUT;
    for (size_t i = 0; i < sizeof default_av_services / sizeof *default_av_services; i++)
        if (bw_strlist_add(&p->contain_av_services, default_av_services[i]) != BW_OK) {
            e = fail_nomem(&c);
            goto out;
        }
    if ((e = load_policy(&c, root, p)) != BW_OK)
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
    free(p->name);
    free(p->version);
    free(p->description);
    free(p->vendor);
    free(p->removal);
    for (size_t i = 0; i < N_VENDOR_LISTS; i++)
        bw_strlist_free((bw_strlist *)((char *)p + vendor_lists[i].offset));
    bw_strlist_free(&p->ksn_services);
    free(p->ksn_ports);
    bw_strlist_free(&p->ksn_hosts);
    bw_strlist_free(&p->cutoff_products);
    free(p->cutoff_times);
    bw_strlist_free(&p->contain_allowlist);
    bw_strlist_free(&p->contain_only);
    bw_strlist_free(&p->contain_drivers);
    bw_strlist_free(&p->contain_av_services);
    free(p);
}

int64_t bw_policy_cutoff_for(const bw_policy *p, const char *product)
{
    for (size_t i = 0; product && i < p->cutoff_products.n; i++)
        if (bw_glob(p->cutoff_products.items[i], product))
            return p->cutoff_times[i];
    return p->cutoff;
}
