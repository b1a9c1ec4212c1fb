/* fuzz_support.c - what the fuzz targets share (test code only). See
 * fuzz_support.h. */
#include "fuzz_support.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- failing a run ------------------------------------------------------ */

void fz_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\n==== property failed at %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

void *fz_need(void *p)
{
    if (!p) {
        fprintf(stderr, "fuzz: out of memory\n");
        abort();
    }
    return p;
}

/* ---- reading the input --------------------------------------------------- */

uint8_t fz_u8(fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

uint16_t fz_u16(fz_in *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

uint32_t fz_u32(fz_in *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(fz_in *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

bool fz_bool(fz_in *in)
{
    return fz_u8(in) & 1;
}

size_t fz_range(fz_in *in, size_t lo, size_t hi)
{
    if (hi <= lo)
        return lo;
    size_t span = hi - lo + 1;
    size_t v = span <= 256 ? fz_u8(in) : span <= 65536 ? fz_u16(in) : fz_u32(in);
    return lo + v % span;
}

char *fz_str(fz_in *in, size_t max, size_t *len)
{
    size_t k = 0;
    while (k < in->n && k < max && in->p[k] != 0)
        k++;
    char *s = fz_need(malloc(k + 1));
    memcpy(s, in->p, k);
    s[k] = '\0';
    in->p += k;
    in->n -= k;
    if (in->n && k < max) { /* the NUL that ended it */
        in->p++;
        in->n--;
    }
    if (len)
        *len = k;
    return s;
}

char *fz_rest(fz_in *in, size_t *len)
{
    char *s = fz_need(malloc(in->n + 1));
    memcpy(s, in->p, in->n);
    s[in->n] = '\0';
    if (len)
        *len = in->n;
    in->p += in->n;
    in->n = 0;
    return s;
}

/* ---- UTF-8 (reference) ---------------------------------------------------- */

static bool between(uint8_t b, uint8_t lo, uint8_t hi)
{
    return b >= lo && b <= hi;
}

/* The Unicode Standard, Table 3-7 (Well-Formed UTF-8 Byte Sequences). */
size_t fz_utf8_seq(const uint8_t *s, size_t n)
{
    if (n == 0)
        return 0;
    uint8_t b = s[0];
    if (b <= 0x7F)
        return 1;
    uint8_t lo = 0x80, hi = 0xBF;
    size_t len;
    if (between(b, 0xC2, 0xDF)) {
        len = 2;
    } else if (b == 0xE0) {
        len = 3;
        lo = 0xA0;
    } else if (between(b, 0xE1, 0xEC) || between(b, 0xEE, 0xEF)) {
        len = 3;
    } else if (b == 0xED) {
        len = 3;
        hi = 0x9F;
    } else if (b == 0xF0) {
        len = 4;
        lo = 0x90;
    } else if (between(b, 0xF1, 0xF3)) {
        len = 4;
    } else if (b == 0xF4) {
        len = 4;
        hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || !between(s[1], lo, hi))
        return 0;
    for (size_t i = 2; i < len; i++)
        if (!between(s[i], 0x80, 0xBF))
            return 0;
    return len;
}

size_t fz_utf8_prefix(const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i = 0;
    while (i < n) {
        size_t k = fz_utf8_seq(s + i, n - i);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

bool fz_utf8_valid(const void *s, size_t n)
{
    return fz_utf8_prefix(s, n) == n;
}

char *fz_utf8_replace(const char *s, size_t n, size_t *len)
{
    char *out = fz_need(malloc(3 * n + 1));
    size_t o = 0, i = 0;
    const uint8_t *u = (const uint8_t *)s;
    while (i < n) {
        size_t k = fz_utf8_seq(u + i, n - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static void show_line(const char *what, const char *s, size_t n, size_t at)
{
    size_t from = at, to = at;
    while (from > 0 && s[from - 1] != '\n')
        from--;
    while (to < n && s[to] != '\n')
        to++;
    fprintf(stderr, "%s, the line of offset %zu:\n", what, at);
    for (size_t i = from; i < to; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 0x20 && c < 0x7F)
            fputc(c, stderr);
        else
            fprintf(stderr, "<%02X>", c);
    }
    fputc('\n', stderr);
}

void fz_check_terminal_text(const char *what, const char *s, size_t n)
{
    size_t bad = fz_utf8_prefix(s, n);
    if (bad != n) {
        show_line(what, s, n, bad);
        fz_fail(__FILE__, __LINE__, "%s is not UTF-8 (offset %zu)", what, bad);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        bool c1 =
            c == 0xC2 && i + 1 < n && (uint8_t)s[i + 1] >= 0x80 && (uint8_t)s[i + 1] <= 0x9F;
        if ((c < 0x20 && c != '\n') || c == 0x7F || c1) {
            show_line(what, s, n, i);
            fz_fail(__FILE__, __LINE__, "%s holds control character 0x%02X (offset %zu)", what,
                    c1 ? (uint8_t)s[i + 1] : c, i);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------ */

#define FZ_JSON_MAX_DEPTH 64

typedef struct jp {
    const char *s;
    size_t n, i;
    int flags;
    char *err;
    size_t errlen;
    bool failed;
} jp;

static bool jfail(jp *p, const char *why)
{
    if (!p->failed && p->err && p->errlen)
        snprintf(p->err, p->errlen, "at offset %zu: %s", p->i, why);
    p->failed = true;
    return false;
}

static int jpeek(const jp *p)
{
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static void jspace(jp *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->i++;
    }
}

static bool jlit(jp *p, const char *lit)
{
    size_t k = strlen(lit);
    if (p->n - p->i < k || memcmp(p->s + p->i, lit, k) != 0)
        return jfail(p, "unknown literal");
    p->i += k;
    return true;
}

static void jappend(char **buf, size_t *len, size_t *cap, const void *b, size_t k)
{
    if (*len + k + 1 > *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        while (nc < *len + k + 1)
            nc *= 2;
        *buf = fz_need(realloc(*buf, nc));
        *cap = nc;
    }
    memcpy(*buf + *len, b, k);
    *len += k;
    (*buf)[*len] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool jhex4(jp *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(jpeek(p));
        if (h < 0)
            return jfail(p, "bad \\u escape");
        v = v * 16 + (unsigned)h;
        p->i++;
    }
    *out = v;
    return true;
}

static size_t put_utf8(char out[4], unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
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

/* A string at the opening quote, decoded into *out (malloc'd). */
static bool jstring(jp *p, char **out, size_t *outlen)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    p->i++; /* the quote */
    jappend(&buf, &len, &cap, "", 0);
    for (;;) {
        int c = jpeek(p);
        if (c < 0) {
            free(buf);
            return jfail(p, "string not closed");
        }
        if (c == '"') {
            p->i++;
            break;
        }
        if (c < 0x20) {
            free(buf);
            return jfail(p, "control character in a string");
        }
        if (c != '\\') {
            size_t k = fz_utf8_seq((const uint8_t *)p->s + p->i, p->n - p->i);
            if (!k) {
                free(buf);
                return jfail(p, "invalid UTF-8 in a string");
            }
            jappend(&buf, &len, &cap, p->s + p->i, k);
            p->i += k;
            continue;
        }
        p->i++;
        c = jpeek(p);
        const char *simple = NULL;
        switch (c) {
        case '"': simple = "\""; break;
        case '\\': simple = "\\"; break;
        case '/': simple = "/"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        case 'u': break;
        default: free(buf); return jfail(p, "unknown escape");
        }
        p->i++;
        if (simple) {
            jappend(&buf, &len, &cap, simple, 1);
            continue;
        }
        unsigned cp;
        if (!jhex4(p, &cp)) {
            free(buf);
            return false;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            free(buf);
            return jfail(p, "unpaired low surrogate escape");
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (jpeek(p) != '\\' || p->i + 1 >= p->n || p->s[p->i + 1] != 'u') {
                free(buf);
                return jfail(p, "unpaired high surrogate escape");
            }
            p->i += 2;
            if (!jhex4(p, &lo)) {
                free(buf);
                return false;
            }
            if (lo < 0xDC00 || lo > 0xDFFF) {
                free(buf);
                return jfail(p, "high surrogate escape without its low half");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        char tmp[4];
        jappend(&buf, &len, &cap, tmp, put_utf8(tmp, cp));
    }
    *out = buf;
    *outlen = len;
    return true;
}

static bool digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool jnumber(jp *p, fz_jval *v)
{
    size_t start = p->i;
    if (jpeek(p) == '-')
        p->i++;
    if (jpeek(p) == '0') {
        p->i++;
    } else if (digit(jpeek(p))) {
        while (digit(jpeek(p)))
            p->i++;
    } else {
        return jfail(p, "bad number");
    }
    if (jpeek(p) == '.') {
        p->i++;
        if (!digit(jpeek(p)))
            return jfail(p, "no digit after the decimal point");
        while (digit(jpeek(p)))
            p->i++;
    }
    if (jpeek(p) == 'e' || jpeek(p) == 'E') {
        p->i++;
        if (jpeek(p) == '+' || jpeek(p) == '-')
            p->i++;
        if (!digit(jpeek(p)))
            return jfail(p, "no digit in the exponent");
        while (digit(jpeek(p)))
            p->i++;
    }
    v->type = FZ_JNUM;
    v->len = p->i - start;
    v->text = fz_need(malloc(v->len + 1));
    memcpy(v->text, p->s + start, v->len);
    v->text[v->len] = '\0';
    return true;
}

static void jgrow(fz_jval *c)
{
    if (c->n < c->cap)
        return;
    size_t nc = c->cap ? c->cap * 2 : 4;
    c->items = fz_need(realloc(c->items, nc * sizeof *c->items));
    if (c->type == FZ_JOBJ) {
        c->keys = fz_need(realloc(c->keys, nc * sizeof *c->keys));
        c->key_lens = fz_need(realloc(c->key_lens, nc * sizeof *c->key_lens));
    }
    c->cap = nc;
}

static bool jvalue(jp *p, fz_jval *v, int depth);

static bool jcontainer(jp *p, fz_jval *v, int depth, bool object)
{
    v->type = object ? FZ_JOBJ : FZ_JARR;
    char close = object ? '}' : ']';
    if (depth >= FZ_JSON_MAX_DEPTH)
        return jfail(p, "nested too deep");
    p->i++;
    jspace(p);
    if (jpeek(p) == close) {
        p->i++;
        return true;
    }
    for (;;) {
        jspace(p);
        char *key = NULL;
        size_t key_len = 0;
        if (object) {
            if (jpeek(p) != '"')
                return jfail(p, "expected a key");
            if (!jstring(p, &key, &key_len))
                return false;
            if (!(p->flags & FZ_JSON_DUP_KEYS)) {
                for (size_t k = 0; k < v->n; k++) {
                    if (v->key_lens[k] == key_len && !memcmp(v->keys[k], key, key_len)) {
                        free(key);
                        return jfail(p, "duplicate key");
                    }
                }
            }
            jspace(p);
            if (jpeek(p) != ':') {
                free(key);
                return jfail(p, "expected ':'");
            }
            p->i++;
        }
        jgrow(v);
        fz_jval *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (object) {
            v->keys[v->n] = key;
            v->key_lens[v->n] = key_len;
        }
        v->n++;
        if (!jvalue(p, item, depth + 1))
            return false;
        jspace(p);
        int c = jpeek(p);
        if (c == ',') {
            p->i++;
            jspace(p);
            if (jpeek(p) == close)
                return jfail(p, "trailing comma");
            continue;
        }
        if (c == close) {
            p->i++;
            return true;
        }
        return jfail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool jvalue(jp *p, fz_jval *v, int depth)
{
    jspace(p);
    int c = jpeek(p);
    switch (c) {
    case '{': return jcontainer(p, v, depth, true);
    case '[': return jcontainer(p, v, depth, false);
    case '"': v->type = FZ_JSTR; return jstring(p, &v->text, &v->len);
    case 't':
        v->type = FZ_JBOOL;
        v->b = true;
        return jlit(p, "true");
    case 'f': v->type = FZ_JBOOL; return jlit(p, "false");
    case 'n': v->type = FZ_JNULL; return jlit(p, "null");
    case -1: return jfail(p, "expected a value, got the end");
    default:
        if (c == '-' || digit(c))
            return jnumber(p, v);
        return jfail(p, "expected a value");
    }
}

bool fz_json_parse(const char *s, size_t n, int flags, fz_jval *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    jp p = {.s = s, .n = n, .flags = flags, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = '\0';
    size_t bad = fz_utf8_prefix(s, n);
    if (bad != n) {
        p.i = bad;
        jfail(&p, "invalid UTF-8");
        return false;
    }
    bool ok = jvalue(&p, out, 0);
    if (ok) {
        jspace(&p);
        if (p.i != n)
            ok = jfail(&p, "text after the value");
    }
    if (!ok)
        fz_json_free(out);
    return ok;
}

void fz_json_free(fz_jval *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        fz_json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->key_lens);
    free(v->text);
    memset(v, 0, sizeof *v);
}

const fz_jval *fz_json_get(const fz_jval *obj, const char *key)
{
    if (!obj || obj->type != FZ_JOBJ)
        return NULL;
    size_t k = strlen(key);
    for (size_t i = 0; i < obj->n; i++)
        if (obj->key_lens[i] == k && !memcmp(obj->keys[i], key, k))
            return &obj->items[i];
    return NULL;
}

bool fz_json_equal(const fz_jval *a, const fz_jval *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case FZ_JNULL: return true;
    case FZ_JBOOL: return a->b == b->b;
    case FZ_JNUM:
    case FZ_JSTR: return a->len == b->len && !memcmp(a->text, b->text, a->len);
    case FZ_JARR:
    case FZ_JOBJ:
        if (a->n != b->n)
            return false;
        for (size_t i = 0; i < a->n; i++) {
            if (a->type == FZ_JOBJ && (a->key_lens[i] != b->key_lens[i] ||
                                       memcmp(a->keys[i], b->keys[i], a->key_lens[i]) != 0))
                return false;
            if (!fz_json_equal(&a->items[i], &b->items[i]))
                return false;
        }
        return true;
    }
    return false;
}

void fz_json_must_parse(const char *what, const char *s, size_t n, int flags, fz_jval *out)
{
    char err[128];
    fz_jval tmp;
    if (!out)
        out = &tmp;
    if (!fz_json_parse(s, n, flags, out, err, sizeof err)) {
        size_t show = n < 4000 ? n : 4000;
        fprintf(stderr, "%s is not JSON (%s):\n%.*s\n", what, err, (int)show, s);
        fz_fail(__FILE__, __LINE__, "%s is not JSON: %s", what, err);
    }
    if (out == &tmp)
        fz_json_free(&tmp);
}

void fz_jset_str(fz_jval *v, const char *s, size_t n)
{
    memset(v, 0, sizeof *v);
    v->type = FZ_JSTR;
    v->text = fz_need(malloc(n + 1));
    memcpy(v->text, s, n);
    v->text[n] = '\0';
    v->len = n;
}

fz_jval *fz_jpush(fz_jval *c, const char *key, size_t key_len)
{
    jgrow(c);
    fz_jval *item = &c->items[c->n];
    memset(item, 0, sizeof *item);
    if (c->type == FZ_JOBJ) {
        c->keys[c->n] = fz_need(malloc(key_len + 1));
        memcpy(c->keys[c->n], key, key_len);
        c->keys[c->n][key_len] = '\0';
        c->key_lens[c->n] = key_len;
    }
    c->n++;
    return item;
}

/* ---- files ----------------------------------------------------------------- */

static char tmpdir[512];

static void tmpdir_remove(void)
{
    fz_tmpdir_clear();
    rmdir(tmpdir);
}

const char *fz_tmpdir(void)
{
    if (tmpdir[0])
        return tmpdir;
    const char *base = getenv("TMPDIR");
    struct stat st;
    if (!base || !*base)
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/bw-fuzz-%d", base, (int)getpid());
    if (mkdir(tmpdir, 0700) != 0) {
        perror(tmpdir);
        abort();
    }
    atexit(tmpdir_remove);
    return tmpdir;
}

void fz_tmpdir_clear(void)
{
    DIR *d = opendir(fz_tmpdir());
    if (!d)
        return;
    struct dirent *e;
    char p[1024];
    for (e = readdir(d); e; e = readdir(d)) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        remove(p);
    }
    closedir(d);
}

void fz_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}
