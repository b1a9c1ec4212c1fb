/* bw_names.c - names and paths as the detection rules compare them
 * (portable core, pure). */
#include "bw_names.h"

#include <stdlib.h>
#include <string.h>

#include "bw_str.h"

/* ---- companies ------------------------------------------------------------ */

/* Quote characters of every kind, after bw_quote_fold (which already maps
 * the typographic double and single quotes to '"' and '\''). */
static bool is_quote(uint32_t c)
{
    switch (c) {
    case '"':
    case '\'':
    case '`':
    case 0x00B4: /* acute accent used as a quote */
    case 0x2039:
    case 0x203A: /* ‹ › */
    case 0x300C:
    case 0x300D:
    case 0x300E:
    case 0x300F: /* 「 」 『 』 */ return true;
    default: return false;
    }
}

/* Punctuation that separates words in a company name. */
static bool is_separator(uint32_t c)
{
    if (c <= ' ')
        return true;
    if (c < 0x80)
        return strchr(",;:!?()[]{}<>/\\|-_+&*#@~=^", (int)c) != NULL;
    return c == 0x2013 || c == 0x2014 || c == 0x00B7 || c == 0x3001 || c == 0x3002 ||
           c == 0xFF0C || c == 0xFF08 || c == 0xFF09;
}

/* Legal forms, as keys (case-folded, dots removed). */
static const char *const legal_forms[] = {
    "ao",
    "zao",
    "oao",
    "pao",
    "jsc",
    "ojsc",
    "cjsc",
    "ooo",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "sa",
    "srl",
    "sas",
    "sarl",
    "bv",
    "nv",
    "kk",
    "pty",
    "oy",
    "ab",
    "spa",
    "\xd0\xb0\xd0\xbe",         /* ао */
    "\xd0\xb7\xd0\xb0\xd0\xbe", /* зао */
    "\xd0\xbe\xd0\xb0\xd0\xbe", /* оао */
    "\xd0\xbf\xd0\xb0\xd0\xbe", /* пао */
    "\xd0\xbe\xd0\xbe\xd0\xbe", /* ооо */
};

static bool is_legal_form(const char *word, size_t n)
{
    for (size_t i = 0; i < sizeof legal_forms / sizeof legal_forms[0]; i++)
        if (strlen(legal_forms[i]) == n && memcmp(legal_forms[i], word, n) == 0)
            return true;
    return false;
}

/* Appends the word [w, w+n) to b unless it is a legal form. */
static void put_word(bw_buf *b, const char *w, size_t n)
{
    if (!n || is_legal_form(w, n))
        return;
    if (b->len)
        bw_buf_putc(b, ' ');
    bw_buf_append(b, w, n);
}

char *bw_company_key(const char *name)
{
    if (!name)
        return NULL;
    const char *p = name, *end = name + strlen(name);
    bw_buf out = {0}, word = {0};
    char tmp[4];
    bool raw_last = false; /* the word ends in an invalid byte */
    bool dropped = false;  /* a dot or quote was dropped after it */
    while (p < end) {
        const char *start = p;
        int32_t cp = bw_utf8_next(&p, end);
        if (cp < 0) {
            /* Invalid bytes are kept as they are. A dot or quote dropped
             * between two of them separates words instead: dropping it
             * must not join them into a character (the key of a key is
             * the key). */
            if (raw_last && dropped) {
                put_word(&out, word.data, word.len);
                word.len = 0;
            }
            bw_buf_putc(&word, *start);
            raw_last = true;
            dropped = false;
            continue;
        }
        uint32_t c = bw_quote_fold(bw_casefold((uint32_t)cp));
        if (c == '.' || is_quote(c)) {
            dropped = true;
            continue;
        }
        raw_last = dropped = false;
        if (is_separator(c)) {
            put_word(&out, word.data, word.len);
            word.len = 0;
            continue;
        }
        bw_buf_append(&word, tmp, bw_utf8_put(tmp, c));
    }
    put_word(&out, word.data, word.len);
    bool failed = word.failed;
    bw_buf_free(&word);
    if (failed)
        out.failed = true;
    if (!out.failed && !out.data)
        bw_buf_puts(&out, "");
    return bw_buf_take(&out);
}

bool bw_company_blank(const char *name)
{
    if (!name)
        return true;
    char *k = bw_company_key(name);
    if (!k)
        return false; /* out of memory: not known to be blank */
    static const char *const blanks[] = {"",     "n a",           "na",       "unknown", "none",
                                         "null", "not available", "publisher"};
    bool blank = false;
    for (size_t i = 0; !blank && i < sizeof blanks / sizeof blanks[0]; i++)
        blank = strcmp(k, blanks[i]) == 0;
    free(k);
    return blank;
}

/* ---- image paths ------------------------------------------------------------ */

/* True if p (at a '.') is followed by the 3-letter extension ext in any
 * ASCII case. */
static bool has_ext(const char *p, const char *ext)
{
    for (int i = 0; i < 3; i++) {
        char c = p[1 + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != ext[i])
            return false;
    }
    return true;
}

/* The path part of an ImagePath/UninstallString/DisplayIcon: [*start, *end). */
static bool path_part(const char *path, const char **start, const char **end)
{
    const char *s = path, *e;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '"') {
        s++;
        e = strchr(s, '"');
        if (!e)
            e = s + strlen(s);
    } else {
        /* Unquoted: the path ends after the last ".exe"/".sys"/".dll". */
        e = NULL;
        for (const char *p = s; *p; p++)
            if (p[0] == '.' && (has_ext(p, "exe") || has_ext(p, "sys") || has_ext(p, "dll")) &&
                (p[4] == '\0' || p[4] == ' ' || p[4] == ','))
                e = p + 4;
        if (!e) {
            e = strchr(s, ',');
            if (!e)
                e = s + strlen(s);
        }
    }
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *start = s;
    *end = e;
    return e > s;
}

char *bw_image_file(const char *path)
{
    const char *s, *e;
    if (!path || !path_part(path, &s, &e))
        return NULL;
    const char *base = s;
    for (const char *p = s; p < e; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    return base < e ? bw_strndup(base, (size_t)(e - base)) : NULL;
}

/* True if the case-folded text starts with the ASCII prefix. */
static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The canonical, case-folded form of the whole path part (file included). */
static char *canonical(const char *path)
{
    const char *s, *e;
    if (!path || !path_part(path, &s, &e))
        return NULL;
    char *raw = bw_strndup(s, (size_t)(e - s));
    char *low = raw ? bw_normalize(raw) : NULL;
    free(raw);
    if (!low)
        return NULL;
    for (char *p = low; *p; p++)
        if (*p == '/')
            *p = '\\';
    const char *rest = low;
    if (starts(rest, "\\??\\") || starts(rest, "\\\\?\\"))
        rest += 4;
    static const struct {
        const char *from;
        const char *to;
    } windows[] = {
        {"\\systemroot\\", "%systemroot%\\"},       {"%systemroot%\\", "%systemroot%\\"},
        {"%windir%\\", "%systemroot%\\"},           {"c:\\windows\\", "%systemroot%\\"},
        {"system32\\", "%systemroot%\\system32\\"}, {"syswow64\\", "%systemroot%\\syswow64\\"},
    };
    char *out = NULL;
    for (size_t i = 0; i < sizeof windows / sizeof windows[0] && !out; i++)
        if (starts(rest, windows[i].from))
            out = bw_strfmt("%s%s", windows[i].to, rest + strlen(windows[i].from));
    if (!out)
        out = bw_strdup(rest);
    free(low);
    return out;
}

char *bw_image_folder(const char *path)
{
    char *c = canonical(path);
    if (!c)
        return NULL;
    char *slash = strrchr(c, '\\');
    if (!slash || slash == c) {
        free(c);
        return NULL;
    }
    *slash = '\0';
    return c;
}

bool bw_folder_shared(const char *f)
{
    if (!f)
        return true;
    static const char *const shared[] = {
        "%systemroot%",
        "%systemroot%\\system32",
        "%systemroot%\\system32\\drivers",
        "%systemroot%\\syswow64",
        "%systemroot%\\syswow64\\drivers",
        "%programfiles%",
        "%programfiles(x86)%",
        "%programdata%",
    };
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        if (strcmp(f, shared[i]) == 0)
            return true;
    /* "c:", "c:\program files", "c:\program files (x86)", "c:\programdata" */
    const char *p = f;
    if (p[0] && p[1] == ':') {
        p += 2;
        if (!*p)
            return true;
        return strcmp(p, "\\program files") == 0 || strcmp(p, "\\program files (x86)") == 0 ||
               strcmp(p, "\\programdata") == 0;
    }
    return false;
}

/* True if the canonical path has a component equal to name. */
static bool has_component(const char *c, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = c; (p = strstr(p, name)) != NULL; p++) {
        bool left = p == c || p[-1] == '\\';
        bool right = p[n] == '\0' || p[n] == '\\';
        if (left && right)
            return true;
    }
    return false;
}

bool bw_path_user_writable(const char *path)
{
    char *c = canonical(path);
    if (!c)
        return false;
    bool w = false;
    static const char *const vars[] = {"%temp%",        "%tmp%",    "%appdata%", "%localappdata%",
                                       "%userprofile%", "%public%", "%homepath%"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !w; i++)
        w = starts(c, vars[i]);
    if (!w)
        w = has_component(c, "appdata") || has_component(c, "temp") || has_component(c, "tmp");
    if (!w && c[0] && c[1] == ':' && c[2] == '\\') {
        /* The first folder under a drive's root. */
        const char *first = c + 3;
        const char *slash = strchr(first, '\\');
        if (slash) { /* a file directly in the root is not judged */
            size_t n = (size_t)(slash - first);
            static const char *const system[] = {"windows", "program files",
                                                 "program files (x86)", "programdata"};
            bool sys = false;
            for (size_t i = 0; i < sizeof system / sizeof system[0] && !sys; i++)
                sys = strlen(system[i]) == n && strncmp(first, system[i], n) == 0;
            w = !sys; /* "users" and every other folder an ordinary user may make */
        }
    }
    free(c);
    return w;
}
