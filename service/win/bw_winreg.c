/*
 * bw_winreg.c - safe registry reading for the collectors (Win32 layer).
 * See bw_winreg.h for the rules applied to what the registry returns.
 */
#include "bw_winreg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A failure about the data rather than the call. */
static bw_err status_data(bw_win_status *st, bw_err err, const char *reason)
{
    if (st) {
        st->code = 0;
        snprintf(st->reason, sizeof st->reason, "%s", reason);
    }
    return err;
}

static void status_clear(bw_win_status *st)
{
    if (st) {
        st->code = 0;
        st->reason[0] = '\0';
    }
}

const char *bw_win_reg_type_name(DWORD type)
{
    switch (type) {
    case REG_NONE: return "REG_NONE";
    case REG_SZ: return "REG_SZ";
    case REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case REG_BINARY: return "REG_BINARY";
    case REG_DWORD: return "REG_DWORD";
    case REG_DWORD_BIG_ENDIAN: return "REG_DWORD_BIG_ENDIAN";
    case REG_LINK: return "REG_LINK";
    case REG_MULTI_SZ: return "REG_MULTI_SZ";
    case REG_RESOURCE_LIST: return "REG_RESOURCE_LIST";
    case REG_FULL_RESOURCE_DESCRIPTOR: return "REG_FULL_RESOURCE_DESCRIPTOR";
    case REG_RESOURCE_REQUIREMENTS_LIST: return "REG_RESOURCE_REQUIREMENTS_LIST";
    case REG_QWORD: return "REG_QWORD";
    default: return NULL;
    }
}

static bw_err status_type(bw_win_status *st, DWORD type)
{
    if (st) {
        const char *n = bw_win_reg_type_name(type);
        st->code = 0;
        if (n)
            snprintf(st->reason, sizeof st->reason, "wrong value type %s", n);
        else
            snprintf(st->reason, sizeof st->reason, "wrong value type 0x%lx",
                     (unsigned long)type);
    }
    return BW_EINVAL;
}

/* ---- opening and enumerating ------------------------------------------ */

/* A name or path converted for a call. Short ASCII names (every value
 * name the collectors ask for, most key names) are widened into the
 * struct itself; others are converted into a malloc'd copy. */
#define SHORT_NAME_UNITS 128
typedef struct wide {
    uint16_t small[SHORT_NAME_UNITS];
    uint16_t *heap;
    LPCWSTR w; /* small or heap */
} wide;

/* Widens s into w->small when it is ASCII, fits, and (for an escaped key
 * name, where a backslash starts an escape) holds no backslash. */
static bool wide_ascii(const char *s, bool escaped, wide *w)
{
    w->heap = NULL;
    size_t i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || i + 1 >= SHORT_NAME_UNITS || (escaped && c == '\\'))
            return false;
        w->small[i] = c;
    }
    w->small[i] = 0;
    w->w = (LPCWSTR)w->small;
    return true;
}

static void wide_free(wide *w)
{
    free(w->heap);
    w->heap = NULL;
}

/* name NULL means "" (the default value, or the key itself). */
static bw_err to_wide(const char *name, wide *w, bw_win_status *st)
{
    if (wide_ascii(name ? name : "", false, w))
        return BW_OK;
    bw_err err = bw_utf8_to_utf16(name ? name : "", &w->heap, NULL);
    if (err == BW_EENCODING)
        return status_data(st, err, "invalid UTF-8 name");
    if (err != BW_OK)
        return status_data(st, err, bw_strerror(err));
    w->w = (LPCWSTR)w->heap;
    return BW_OK;
}

bw_err bw_win_reg_open(const bw_api *api, HKEY parent, const char *path, REGSAM view, HKEY *out,
                       bw_win_status *st)
{
    *out = NULL;
    status_clear(st);
    wide w;
    bw_err err = to_wide(path, &w, st);
    if (err != BW_OK)
        return err;
    HKEY h = NULL;
    LSTATUS rc =
        api->RegOpenKeyExW(parent, w.w, 0, KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | view, &h);
    wide_free(&w);
    if (rc != ERROR_SUCCESS)
        return bw_win_status_set(st, (DWORD)rc);
    *out = h;
    return BW_OK;
}

bw_err bw_win_reg_open_name(const bw_api *api, HKEY parent, const char *name, REGSAM view,
                            HKEY *out, bw_win_status *st)
{
    *out = NULL;
    status_clear(st);
    wide w;
    if (!wide_ascii(name, true, &w)) {
        size_t n = 0;
        bw_err err = bw_name_to_utf16(name, &w.heap, &n);
        if (err == BW_EENCODING)
            return status_data(st, err, "invalid name");
        if (err != BW_OK)
            return status_data(st, err, bw_strerror(err));
        /* A NUL inside: RegOpenKeyExW reads up to it, so the key cannot be
         * opened through this API. */
        for (size_t i = 0; i < n; i++)
            if (w.heap[i] == 0) {
                wide_free(&w);
                return status_data(st, BW_EENCODING, "a NUL in the key name");
            }
        w.w = (LPCWSTR)w.heap;
    }
    HKEY h = NULL;
    LSTATUS rc =
        api->RegOpenKeyExW(parent, w.w, 0, KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | view, &h);
    wide_free(&w);
    if (rc != ERROR_SUCCESS)
        return bw_win_status_set(st, (DWORD)rc);
    *out = h;
    return BW_OK;
}

void bw_win_reg_close(const bw_api *api, HKEY key)
{
    if (key)
        api->RegCloseKey(key);
}

/* One enumerator for subkey and value names: both calls take the index, a
 * name buffer and its size in units (including the NUL) and return the
 * length without it. */
static LSTATUS enum_name(const bw_api *api, HKEY key, bool values, DWORD i, uint16_t *name,
                         DWORD *len)
{
    if (values)
        return api->RegEnumValueW(key, i, (LPWSTR)name, len, NULL, NULL, NULL, NULL);
    return api->RegEnumKeyExW(key, i, (LPWSTR)name, len, NULL, NULL, NULL, NULL);
}

/* escaped: names that are not valid UTF-16 are kept, escaped
 * (bw_utf16_to_utf8_escaped), instead of counted in *n_bad. */
static bw_err enum_names(const bw_api *api, HKEY key, bool values, bool escaped, bw_strlist *out,
                         size_t *n_bad, bw_win_status *st)
{
    status_clear(st);
    if (n_bad)
        *n_bad = 0;
    const DWORD max_items = values ? BW_WIN_MAX_VALUES : BW_WIN_MAX_SUBKEYS;
    DWORD cap = 256;
    uint16_t *name = malloc(cap * sizeof *name);
    if (!name)
        return BW_ENOMEM;
    bw_err err = BW_OK;
    unsigned grows = 0;
    for (DWORD i = 0;;) {
        if (i >= max_items) {
            err = status_data(st, BW_ERANGE, values ? "too many values" : "too many subkeys");
            break;
        }
        DWORD len = cap;
        LSTATUS rc = enum_name(api, key, values, i, name, &len);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc == ERROR_MORE_DATA) {
            /* The name does not fit: grow (bounded), retry the same index. */
            if (cap >= BW_WIN_MAX_NAME_UNITS || ++grows > 16) {
                err = bw_win_status_set(st, (DWORD)rc);
                break;
            }
            DWORD ncap = cap * 2 > BW_WIN_MAX_NAME_UNITS ? BW_WIN_MAX_NAME_UNITS : cap * 2;
            uint16_t *nn = realloc(name, ncap * sizeof *nn);
            if (!nn) {
                err = BW_ENOMEM;
                break;
            }
            name = nn;
            cap = ncap;
            continue;
        }
        if (rc != ERROR_SUCCESS) {
            err = bw_win_status_set(st, (DWORD)rc);
            break;
        }
        if (len >= cap) /* never trust a returned length */
            len = cap - 1;
        bool bad = false;
        for (DWORD k = 0; k < len && !bad; k++)
            bad = name[k] == 0;
        char *u8 = NULL;
        bw_err e = BW_EENCODING;
        if (escaped)
            e = bw_utf16_to_utf8_escaped(name, len, &u8, NULL);
        else if (!bad)
            e = bw_utf16_to_utf8(name, len, &u8);
        if (e == BW_ENOMEM) {
            err = BW_ENOMEM;
            break;
        }
        if (e != BW_OK) {
            if (n_bad)
                (*n_bad)++;
        } else if (bw_strlist_add_owned(out, u8) != BW_OK) {
            err = BW_ENOMEM;
            break;
        }
        i++;
    }
    free(name);
    return err;
}

bw_err bw_win_reg_subkeys(const bw_api *api, HKEY key, bw_strlist *out, size_t *n_bad,
                          bw_win_status *st)
{
    return enum_names(api, key, false, false, out, n_bad, st);
}

bw_err bw_win_reg_subkeys_escaped(const bw_api *api, HKEY key, bw_strlist *out, bw_win_status *st)
{
    return enum_names(api, key, false, true, out, NULL, st);
}

bw_err bw_win_reg_value_names(const bw_api *api, HKEY key, bw_strlist *out, size_t *n_bad,
                              bw_win_status *st)
{
    return enum_names(api, key, true, false, out, n_bad, st);
}

/* ---- values ------------------------------------------------------------ */

#define TYPE_BIT(t)  (1u << (t))
#define STRING_TYPES (TYPE_BIT(REG_SZ) | TYPE_BIT(REG_EXPAND_SZ))

static bool type_ok(DWORD type, uint32_t mask)
{
    return type < 32 && (mask & TYPE_BIT(type));
}

void bw_win_regbuf_free(bw_win_regbuf *buf)
{
    free(buf->units);
    buf->units = NULL;
    buf->cap = 0;
}

/* Makes room for `size` bytes (at most BW_WIN_MAX_VALUE_BYTES, checked by
 * the caller): the data, one more unit for an odd byte and one for the NUL.
 * Never shrinks. */
static bw_err regbuf_reserve(bw_win_regbuf *buf, DWORD size)
{
    if (buf->units && size <= buf->cap)
        return BW_OK;
    uint16_t *n = realloc(buf->units, (size / 2 + 2) * sizeof *n);
    if (!n)
        return BW_ENOMEM;
    buf->units = n;
    buf->cap = size;
    return BW_OK;
}

/* Reads the raw data of a value of one of the types in `mask` into buf as
 * UTF-16 units: *units is the byte count halved (an odd last byte is
 * dropped) and buf->units[*units] is a zero unit.
 *
 * size_first: ask the value's size before reading (a one-off read into a
 * buffer of that size); otherwise read straight into buf (given
 * BW_WIN_REGBUF_FIRST bytes if it has none). Either way ERROR_MORE_DATA
 * from a read (the value is larger than the buffer, or grew since its size
 * was asked) asks the size again and reads again into a buffer that large,
 * at most BW_WIN_MAX_RETRIES times. */
static bw_err read_raw(const bw_api *api, HKEY key, const char *name, uint32_t mask,
                       bw_win_regbuf *buf, bool size_first, size_t *units, DWORD *out_type,
                       bw_win_status *st)
{
    *units = 0;
    status_clear(st);
    wide wname;
    bw_err err = to_wide(name, &wname, st);
    if (err != BW_OK)
        return err;
    bool ask = size_first;
    if (!ask && regbuf_reserve(buf, BW_WIN_REGBUF_FIRST) != BW_OK) {
        err = BW_ENOMEM;
        goto out;
    }
    for (int attempt = 0; attempt < BW_WIN_MAX_RETRIES; attempt++) {
        DWORD type = REG_NONE, size = 0;
        LSTATUS rc;
        if (ask) {
            rc = api->RegQueryValueExW(key, wname.w, NULL, &type, NULL, &size);
            if (rc == ERROR_MORE_DATA)
                continue;
            if (rc != ERROR_SUCCESS) {
                err = bw_win_status_set(st, (DWORD)rc);
                goto out;
            }
            if (!type_ok(type, mask)) {
                err = status_type(st, type);
                goto out;
            }
            if (size > BW_WIN_MAX_VALUE_BYTES) {
                char why[64];
                snprintf(why, sizeof why, "value too large (%lu bytes)", (unsigned long)size);
                err = status_data(st, BW_ERANGE, why);
                goto out;
            }
            if (regbuf_reserve(buf, size) != BW_OK) {
                err = BW_ENOMEM;
                goto out;
            }
        }
        /* A one-off read offers the size it was told; a reused buffer all
         * of itself. */
        const DWORD cap = ask && size_first ? size : buf->cap;
        DWORD got = cap;
        type = REG_NONE;
        rc = api->RegQueryValueExW(key, wname.w, NULL, &type, (LPBYTE)buf->units, &got);
        if (rc == ERROR_MORE_DATA) { /* larger than the buffer, or it grew */
            ask = true;
            continue;
        }
        if (rc != ERROR_SUCCESS) {
            err = bw_win_status_set(st, (DWORD)rc);
            goto out;
        }
        if (!type_ok(type, mask)) {
            err = status_type(st, type);
            goto out;
        }
        if (got > cap) /* never trust a returned size */
            got = cap;
        buf->units[got / 2] = 0;
        *units = got / 2;
        if (out_type)
            *out_type = type;
        err = BW_OK;
        goto out;
    }
    if (st) {
        st->code = ERROR_MORE_DATA;
        snprintf(st->reason, sizeof st->reason, "value keeps changing size (%lu)",
                 (unsigned long)ERROR_MORE_DATA);
    }
    err = BW_EBUSY;
out:
    wide_free(&wname);
    return err;
}

static bw_err units_to_utf8(const uint16_t *s, size_t n, char **out, bw_win_status *st)
{
    bw_err err = bw_utf16_to_utf8(s, n, out);
    if (err == BW_EENCODING)
        return status_data(st, err, "invalid UTF-16");
    return err;
}

bw_err bw_win_reg_string_in(const bw_api *api, HKEY key, const char *name, bw_win_regbuf *buf,
                            char **out, bw_win_status *st)
{
    *out = NULL;
    bw_win_regbuf once = {0};
    size_t n;
    bw_err err =
        read_raw(api, key, name, STRING_TYPES, buf ? buf : &once, buf == NULL, &n, NULL, st);
    if (err == BW_OK) /* stops at the first NUL */
        err = units_to_utf8(buf ? buf->units : once.units, n, out, st);
    bw_win_regbuf_free(&once);
    return err;
}

bw_err bw_win_reg_string(const bw_api *api, HKEY key, const char *name, char **out,
                         bw_win_status *st)
{
    return bw_win_reg_string_in(api, key, name, NULL, out, st);
}

bw_err bw_win_reg_dword(const bw_api *api, HKEY key, const char *name, uint32_t *out,
                        bw_win_status *st)
{
    *out = 0;
    status_clear(st);
    wide wname;
    bw_err err = to_wide(name, &wname, st);
    if (err != BW_OK)
        return err;
    /* One read into a buffer larger than a DWORD tells type and size. */
    BYTE data[8] = {0};
    DWORD type = REG_NONE, size = sizeof data;
    LSTATUS rc = api->RegQueryValueExW(key, wname.w, NULL, &type, data, &size);
    wide_free(&wname);
    if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA)
        return bw_win_status_set(st, (DWORD)rc);
    if (type != REG_DWORD) {
        if (rc == ERROR_MORE_DATA && type == REG_NONE) /* nothing known about it */
            return bw_win_status_set(st, (DWORD)rc);
        return status_type(st, type);
    }
    if (rc == ERROR_MORE_DATA)
        return status_data(st, BW_EINVAL, "wrong value size for REG_DWORD (over 8 bytes)");
    if (size != 4) {
        char why[64];
        snprintf(why, sizeof why, "wrong value size %lu for REG_DWORD", (unsigned long)size);
        return status_data(st, BW_EINVAL, why);
    }
    *out = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
           (uint32_t)data[3] << 24;
    return BW_OK;
}

bw_err bw_win_reg_multi_sz(const bw_api *api, HKEY key, const char *name, bool accept_sz,
                           bw_strlist *out, bw_win_status *st)
{
    bw_win_regbuf once = {0};
    size_t n;
    DWORD type = REG_NONE;
    uint32_t mask = TYPE_BIT(REG_MULTI_SZ) | (accept_sz ? STRING_TYPES : 0);
    bw_err err = read_raw(api, key, name, mask, &once, true, &n, &type, st);
    if (err != BW_OK) {
        bw_win_regbuf_free(&once);
        return err;
    }
    const uint16_t *buf = once.units;
    bw_strlist tmp = {0};
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && buf[j])
            j++;
        if (j == i) /* empty string: the end of the list */
            break;
        char *s = NULL;
        err = units_to_utf8(buf + i, j - i, &s, st);
        if (err == BW_OK)
            err = bw_strlist_add_owned(&tmp, s);
        if (err != BW_OK)
            goto out;
        if (type != REG_MULTI_SZ) /* a plain string: one name */
            break;
        i = j + 1;
    }
    for (i = 0; i < tmp.n && err == BW_OK; i++)
        err = bw_strlist_add(out, tmp.items[i]);
out:
    bw_strlist_free(&tmp);
    bw_win_regbuf_free(&once);
    return err;
}

/* ---- paths -------------------------------------------------------------- */

/* ASCII case-insensitive prefix test. */
static bool ascii_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s, b = *prefix;
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 'a' + 'A');
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 'a' + 'A');
        if (a != b)
            return false;
    }
    return true;
}

static const char *root_name(HKEY root)
{
    if (root == HKEY_LOCAL_MACHINE)
        return "HKLM";
    if (root == HKEY_USERS)
        return "HKU";
    if (root == HKEY_CURRENT_USER)
        return "HKCU";
    if (root == HKEY_CLASSES_ROOT)
        return "HKCR";
    if (root == HKEY_CURRENT_CONFIG)
        return "HKCC";
    return "?";
}

char *bw_win_reg_path(HKEY root, REGSAM view, const char *path)
{
    const char *r = root_name(root);
    if (!path || !*path)
        return bw_strdup(r);
    if (root == HKEY_LOCAL_MACHINE && (view & KEY_WOW64_32KEY) &&
        ascii_prefix(path, "SOFTWARE") && (path[8] == '\0' || path[8] == '\\') &&
        !ascii_prefix(path + 8, "\\WOW6432Node")) {
        return bw_strfmt("%s\\%.8s\\WOW6432Node%s", r, path, path + 8);
    }
    return bw_strfmt("%s\\%s", r, path);
}

bw_err bw_win_reg_parse_root(const char *text, HKEY *root, const char **rest)
{
    static const struct {
        const char *prefix;
        HKEY key;
    } roots[] = {
        {"HKLM\\", HKEY_LOCAL_MACHINE},
        {"HKEY_LOCAL_MACHINE\\", HKEY_LOCAL_MACHINE},
        {"HKU\\", HKEY_USERS},
        {"HKEY_USERS\\", HKEY_USERS},
    };
    if (!text)
        return BW_EINVAL;
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (ascii_prefix(text, roots[i].prefix)) {
            const char *p = text + strlen(roots[i].prefix);
            if (!*p || *p == '\\')
                return BW_EINVAL;
            *root = roots[i].key;
            *rest = p;
            return BW_OK;
        }
    }
    return BW_EINVAL;
}

bool bw_win_reg_has_wow64(const bw_api *api)
{
    HKEY h = NULL;
    bw_err err = bw_win_reg_open(api, HKEY_LOCAL_MACHINE, "SOFTWARE\\WOW6432Node",
                                 KEY_WOW64_64KEY, &h, NULL);
    bw_win_reg_close(api, h);
    return err != BW_ENOTFOUND;
}

bw_err bw_win_reg_scalar(const bw_api *api, HKEY key, const char *name, bw_win_scalar *out,
                         bw_win_status *st)
{
    memset(out, 0, sizeof *out);
    status_clear(st);
    wide wname;
    bw_err err = to_wide(name, &wname, st);
    if (err != BW_OK)
        return err;
    /* One read into a small buffer: numbers and short strings need no
     * second call; a longer string is read again by bw_win_reg_string. */
    uint16_t small[130];
    DWORD type = REG_NONE, size = sizeof small - sizeof small[0];
    LSTATUS rc = api->RegQueryValueExW(key, wname.w, NULL, &type, (LPBYTE)small, &size);
    wide_free(&wname);
    if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA)
        return bw_win_status_set(st, (DWORD)rc);
    out->type = (uint32_t)type;
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
        if (rc == ERROR_MORE_DATA)
            return bw_win_reg_string(api, key, name, &out->text, st);
        if (size > sizeof small - sizeof small[0]) /* never trust a returned size */
            size = sizeof small - sizeof small[0];
        small[size / 2] = 0;
        return units_to_utf8(small, size / 2, &out->text, st);
    }
    if (type != REG_DWORD && type != REG_QWORD && type != REG_BINARY)
        return status_type(st, type);
    DWORD want = type == REG_DWORD ? 4 : 8;
    if (rc == ERROR_MORE_DATA || size != want) {
        char why[80];
        if (rc == ERROR_MORE_DATA)
            snprintf(why, sizeof why, "wrong value size (over 258 bytes) for %s",
                     bw_win_reg_type_name(type));
        else
            snprintf(why, sizeof why, "wrong value size %lu for %s", (unsigned long)size,
                     bw_win_reg_type_name(type));
        return status_data(st, BW_EINVAL, why);
    }
    const unsigned char *b = (const unsigned char *)small;
    for (DWORD i = want; i-- > 0;)
        out->number = out->number << 8 | b[i];
    return BW_OK;
}

bool bw_win_reg_classes_hive(const char *name)
{
    static const char suffix[] = "_classes";
    size_t n = strlen(name), k = sizeof suffix - 1;
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        char c = name[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

/* ---- collector helpers ------------------------------------------------- */

bw_err bw_win_gap(bw_snapshot *snap, const char *where, const bw_win_status *st)
{
    return bw_snapshot_add_gap(snap, where, "%s", st->reason[0] ? st->reason : "unknown error");
}

static bw_err value_gap(bw_snapshot *snap, const char *where, const char *name,
                        const bw_win_status *st)
{
    char *w = bw_strfmt("%s\\%s", where, name);
    if (!w)
        return BW_ENOMEM;
    bw_err err = bw_win_gap(snap, w, st);
    free(w);
    return err;
}

/* The end of a value read that failed with err: running out of memory
 * stops, a missing value is fine, anything else is a gap on the value. */
static bw_err value_failed(bw_snapshot *snap, const char *where, const char *name, bw_err err,
                           const bw_win_status *st)
{
    if (err == BW_ENOMEM)
        return err;
    if (err == BW_ENOTFOUND)
        return BW_OK;
    return value_gap(snap, where, name, st);
}

bw_err bw_win_reg_open_field(const bw_api *api, HKEY parent, const char *path, REGSAM view,
                             HKEY *key, const char *where, bw_snapshot *snap)
{
    bw_win_status st;
    bw_err err = bw_win_reg_open(api, parent, path, view, key, &st);
    if (err == BW_OK || err == BW_ENOTFOUND)
        return BW_OK;
    return err == BW_ENOMEM ? err : bw_win_gap(snap, where, &st);
}

bw_err bw_win_reg_string_field(const bw_api *api, HKEY key, const char *where, const char *name,
                               char **field, bw_snapshot *snap)
{
    return bw_win_reg_string_field_in(api, key, where, name, NULL, field, snap);
}

bw_err bw_win_reg_string_field_in(const bw_api *api, HKEY key, const char *where,
                                  const char *name, bw_win_regbuf *buf, char **field,
                                  bw_snapshot *snap)
{
    bw_win_status st;
    char *s = NULL;
    bw_err err = bw_win_reg_string_in(api, key, name, buf, &s, &st);
    if (err == BW_OK) {
        free(*field);
        *field = s;
        return BW_OK;
    }
    return value_failed(snap, where, name, err, &st);
}

bw_err bw_win_reg_dword_field(const bw_api *api, HKEY key, const char *where, const char *name,
                              uint32_t *field, bool *has, bw_snapshot *snap)
{
    bw_win_status st;
    uint32_t v = 0;
    bw_err err = bw_win_reg_dword(api, key, name, &v, &st);
    if (err == BW_OK) {
        *field = v;
        if (has)
            *has = true;
        return BW_OK;
    }
    return value_failed(snap, where, name, err, &st);
}

bw_err bw_win_reg_subkeys_field(const bw_api *api, HKEY key, const char *where, bw_strlist *out,
                                bw_snapshot *snap)
{
    bw_win_status st;
    size_t n_bad = 0;
    bw_err err = bw_win_reg_subkeys(api, key, out, &n_bad, &st);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK) {
        err = bw_win_gap(snap, where, &st);
        if (err != BW_OK)
            return err;
    }
    if (n_bad)
        return bw_snapshot_add_gap(snap, where, "%lu subkey names are not valid UTF-16",
                                   (unsigned long)n_bad);
    return BW_OK;
}
