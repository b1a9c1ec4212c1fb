/*
 * fake_api.c - the fake API table for the Win32 collector tests: an
 * in-memory registry and SCM with failure injection (see fake_api.h).
 */
#include "fake_api.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bw_str.h"
#include "fake_common.h"

/* ---- the model ------------------------------------------------------------ */

typedef struct fval {
    uint16_t *name;
    size_t name_len;
    DWORD type;
    unsigned char *data;
    DWORD size;
    DWORD error;   /* RegQueryValueExW fails with this */
    unsigned grow; /* size queries left that make the value grow */
} fval;

typedef struct fkey {
    uint16_t *name;
    size_t name_len;
    struct fkey *parent;
    struct fkey **kids;
    size_t n_kids;
    fval *vals;
    size_t n_vals;
    DWORD deny;                     /* RegOpenKeyExW of this key fails with this */
    uint64_t written;               /* last write time: ticks up when a subkey comes or goes */
    unsigned churn_at, churn_times; /* fake_reg_churn */
} fkey;

/* A file or directory of the fake file system. */
typedef struct fnode {
    uint16_t *path; /* full path, no trailing backslash */
    size_t path_len;
    bool dir;
    unsigned char *data;
    size_t size;
    uint64_t mtime; /* FILETIME ticks */
    DWORD deny;     /* CreateFileW (file) / FindFirstFileW (directory) fails */
    DWORD read_error;
} fnode;

typedef struct fenv {
    uint16_t *name, *value;
    size_t name_len, value_len;
} fenv;

enum { H_KEY, H_SCM, H_FILE, H_FIND, H_PROC };

/* A process of the fake. */
typedef struct fproc {
    DWORD pid;
    uint16_t *image;
    size_t image_len;
    DWORD deny;        /* OpenProcess fails with this */
    DWORD image_error; /* QueryFullProcessImageNameW fails with this */
} fproc;

typedef struct fhandle {
    fc_handle base; /* first */
    fkey *key;
    fnode *node;        /* H_FILE */
    size_t pos;         /* H_FILE: read position; H_FIND: next entry */
    const fnode **list; /* H_FIND: the matching entries */
    size_t n_list;
    DWORD pid; /* H_PROC */
} fhandle;

typedef struct fsvc {
    uint16_t *name;
    uint16_t *display; /* may be NULL */
    DWORD type, state;
} fsvc;

static struct {
    fkey *hklm, *hku;
    bool no_wow64;
    fc_handles handles;
    fsvc *svcs;
    size_t n_svcs;
    DWORD scm_open_error;
    size_t scm_page;
    char *dns, *netbios;
    uint64_t filetime;
    fnode **nodes;
    size_t n_nodes;
    fenv *env;
    size_t n_env;
    MIB_TCPROW_OWNER_PID *tcp4;
    size_t n_tcp4;
    MIB_TCP6ROW_OWNER_PID *tcp6;
    size_t n_tcp6;
    unsigned tcp_grow_times;
    size_t tcp_grow_rows;
    bool tcp6_unsupported;
    fproc *procs;
    size_t n_procs;
    fkey **deleted; /* subkeys fake_reg_churn took away, freed at reset */
    size_t n_deleted;
    unsigned calls[FAKE_FN_COUNT];
    struct {
        fake_fn fn;
        unsigned nth;
        DWORD err;
    } inj[32];
    size_t n_inj;
} F;

static void key_free(fkey *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n_kids; i++)
        key_free(k->kids[i]);
    for (size_t i = 0; i < k->n_vals; i++) {
        free(k->vals[i].name);
        free(k->vals[i].data);
    }
    free(k->kids);
    free(k->vals);
    free(k->name);
    free(k);
}

static fkey *kid(const fkey *k, const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < k->n_kids; i++)
        if (fc_name_eq(k->kids[i]->name, k->kids[i]->name_len, name, n))
            return k->kids[i];
    return NULL;
}

static fkey *add_kid(fkey *k, const uint16_t *name, size_t n)
{
    fkey *c = kid(k, name, n);
    if (c)
        return c;
    c = fc_xcalloc(1, sizeof *c);
    c->name = fc_xcalloc(n + 1, sizeof *c->name);
    memcpy(c->name, name, n * sizeof *name);
    c->name_len = n;
    c->parent = k;
    k->kids = realloc(k->kids, (k->n_kids + 1) * sizeof *k->kids);
    assert_non_null(k->kids);
    k->kids[k->n_kids++] = c;
    k->written++;
    return c;
}

static void ensure_roots(void)
{
    if (!F.hklm)
        F.hklm = fc_xcalloc(1, sizeof *F.hklm);
    if (!F.hku)
        F.hku = fc_xcalloc(1, sizeof *F.hku);
}

/* Builder paths: "HKLM\a\b" or "HKU\a\b", UTF-8; creates what is missing. */
static fkey *build_path(const char *path)
{
    ensure_roots();
    fkey *k;
    const char *p;
    if (strncmp(path, "HKLM", 4) == 0) {
        k = F.hklm;
        p = path + 4;
    } else if (strncmp(path, "HKU", 3) == 0) {
        k = F.hku;
        p = path + 3;
    } else {
        fail_msg("fake registry path must start with HKLM or HKU: %s", path);
        return NULL;
    }
    while (*p == '\\')
        p++;
    while (*p) {
        const char *e = strchr(p, '\\');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *part = bw_strndup(p, n);
        size_t wn;
        uint16_t *w = fc_wdup(part, &wn);
        k = add_kid(k, w, wn);
        free(w);
        free(part);
        p += n;
        while (*p == '\\')
            p++;
    }
    return k;
}

static fval *find_val(fkey *k, const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < k->n_vals; i++)
        if (fc_name_eq(k->vals[i].name, k->vals[i].name_len, name, n))
            return &k->vals[i];
    return NULL;
}

static fval *build_val(const char *path, const char *name)
{
    fkey *k = build_path(path);
    size_t n;
    uint16_t *w = fc_wdup(name, &n);
    fval *v = find_val(k, w, n);
    if (v) {
        free(w);
        return v;
    }
    k->vals = realloc(k->vals, (k->n_vals + 1) * sizeof *k->vals);
    assert_non_null(k->vals);
    v = &k->vals[k->n_vals++];
    memset(v, 0, sizeof *v);
    v->name = w;
    v->name_len = n;
    return v;
}

static void set_data(fval *v, DWORD type, const void *data, size_t size)
{
    free(v->data);
    v->type = type;
    v->data = fc_xcalloc(size + 1, 1);
    if (size)
        memcpy(v->data, data, size);
    v->size = (DWORD)size;
}

/* ---- builders ----------------------------------------------------------- */

void fake_reg_key(const char *path)
{
    build_path(path);
}

void fake_reg_churn(const char *path, unsigned at, unsigned times)
{
    fkey *k = build_path(path);
    k->churn_at = at;
    k->churn_times = times;
}

void fake_reg_key_units(const char *parent, const uint16_t *name, size_t n_units)
{
    add_kid(build_path(parent), name, n_units);
}

static void reg_string(const char *path, const char *name, DWORD type, const char *s)
{
    size_t n;
    uint16_t *w = fc_wdup(s, &n);
    set_data(build_val(path, name), type, w, (n + 1) * sizeof *w);
    free(w);
}

void fake_reg_sz(const char *path, const char *name, const char *s)
{
    reg_string(path, name, REG_SZ, s);
}

void fake_reg_expand_sz(const char *path, const char *name, const char *s)
{
    reg_string(path, name, REG_EXPAND_SZ, s);
}

void fake_reg_dword(const char *path, const char *name, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    set_data(build_val(path, name), REG_DWORD, b, sizeof b);
}

void fake_reg_multi_sz(const char *path, const char *name, const char *const *items, size_t n,
                       bool double_nul)
{
    bw_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        size_t wn;
        uint16_t *w = fc_wdup(items[i], &wn);
        bw_buf_append(&b, (const char *)w, (wn + 1) * sizeof *w);
        free(w);
    }
    if (double_nul)
        bw_buf_append(&b, "\0\0", 2);
    set_data(build_val(path, name), REG_MULTI_SZ, b.data, b.len);
    bw_buf_free(&b);
}

void fake_reg_raw(const char *path, const char *name, uint32_t type, const void *data,
                  size_t size)
{
    set_data(build_val(path, name), type, data, size);
}

void fake_reg_deny(const char *path, uint32_t err)
{
    build_path(path)->deny = err;
}

void fake_reg_value_error(const char *path, const char *name, uint32_t err)
{
    build_val(path, name)->error = err;
}

void fake_reg_value_grows(const char *path, const char *name, unsigned times)
{
    build_val(path, name)->grow = times;
}

void fake_set_wow64(bool on)
{
    F.no_wow64 = !on;
}

void fake_svc(const char *name, const char *display, uint32_t type, uint32_t state)
{
    F.svcs = realloc(F.svcs, (F.n_svcs + 1) * sizeof *F.svcs);
    assert_non_null(F.svcs);
    fsvc *s = &F.svcs[F.n_svcs++];
    s->name = fc_wdup(name, NULL);
    s->display = display ? fc_wdup(display, NULL) : NULL;
    s->type = type;
    s->state = state;
}

void fake_scm_open_error(uint32_t err)
{
    F.scm_open_error = err;
}

void fake_scm_page(size_t n)
{
    F.scm_page = n;
}

void fake_set_computer_name(const char *dns_hostname, const char *netbios)
{
    free(F.dns);
    free(F.netbios);
    F.dns = dns_hostname ? bw_strdup(dns_hostname) : NULL;
    F.netbios = netbios ? bw_strdup(netbios) : NULL;
}

void fake_set_filetime(uint64_t ticks)
{
    F.filetime = ticks;
}

void fake_fail(fake_fn fn, unsigned nth, uint32_t err)
{
    assert_true(F.n_inj < sizeof F.inj / sizeof F.inj[0]);
    F.inj[F.n_inj].fn = fn;
    F.inj[F.n_inj].nth = nth;
    F.inj[F.n_inj].err = err;
    F.n_inj++;
}

unsigned fake_calls(fake_fn fn)
{
    return F.calls[fn];
}

size_t fake_open_handles(void)
{
    return F.handles.n;
}

void fake_assert_no_leaks(void)
{
    if (F.handles.n)
        fail_msg("%lu handle(s) left open", (unsigned long)F.handles.n);
}

static void fs_free(void);
static void fs_defaults(void);

/* What a handle holds: a find handle's list. */
static void handle_release(void *h)
{
    free(((fhandle *)h)->list);
}

void fake_reset(void)
{
    fc_handles_free(&F.handles, handle_release);
    fs_free();
    key_free(F.hklm);
    key_free(F.hku);
    for (size_t i = 0; i < F.n_svcs; i++) {
        free(F.svcs[i].name);
        free(F.svcs[i].display);
    }
    free(F.svcs);
    free(F.dns);
    free(F.netbios);
    free(F.tcp4);
    free(F.tcp6);
    for (size_t i = 0; i < F.n_procs; i++)
        free(F.procs[i].image);
    free(F.procs);
    for (size_t i = 0; i < F.n_deleted; i++)
        key_free(F.deleted[i]);
    free(F.deleted);
    memset(&F, 0, sizeof F);
    ensure_roots();
    F.dns = bw_strdup("host.example.test");
    F.netbios = bw_strdup("HOST");
    F.filetime = 133720416000000000ULL; /* 2024-09-29T00:00:00Z */
    fs_defaults();
}

/* ---- calls ------------------------------------------------------------------ */

/* Counts the call; returns the injected error for it, or 0. */
static DWORD enter(fake_fn fn)
{
    unsigned n = ++F.calls[fn];
    for (size_t i = 0; i < F.n_inj; i++)
        if (F.inj[i].fn == fn && F.inj[i].nth == n)
            return F.inj[i].err;
    return 0;
}

static fhandle *new_handle(int kind, fkey *key)
{
    fhandle *h = fc_handle_open(&F.handles, sizeof *h, kind);
    h->key = key;
    return h;
}

static fhandle *live_handle(const void *p, int kind)
{
    return fc_handle_live(&F.handles, p, kind);
}

static bool close_handle(const void *p, int kind)
{
    return fc_handle_close(&F.handles, p, kind);
}

static fkey *key_of(HKEY h)
{
    if (h == HKEY_LOCAL_MACHINE)
        return F.hklm;
    if (h == HKEY_USERS)
        return F.hku;
    fhandle *fh = live_handle(h, H_KEY);
    if (!fh)
        fail_msg("invalid or closed registry handle %p", (void *)h);
    return fh->key;
}

static const uint16_t WOW[] = {'W', 'O', 'W', '6', '4', '3', '2', 'N', 'o', 'd', 'e'};
static const uint16_t SOFTWARE[] = {'S', 'O', 'F', 'T', 'W', 'A', 'R', 'E'};

static bool is_hklm_software(const fkey *k)
{
    return k->parent == F.hklm && fc_name_eq(k->name, k->name_len, SOFTWARE, 8);
}

static LSTATUS WINAPI f_RegOpenKeyExW(HKEY parent, LPCWSTR sub, DWORD opts, REGSAM sam, PHKEY out)
{
    DWORD inj = enter(FAKE_RegOpenKeyExW);
    assert_non_null(out);
    assert_int_equal(opts, 0);
    if (sam &
        (KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_CREATE_LINK | DELETE | WRITE_DAC | WRITE_OWNER))
        fail_msg("registry opened with write access (0x%lx)", (unsigned long)sam);
    *out = NULL;
    fkey *k = key_of(parent);
    if (inj)
        return (LSTATUS)inj;
    bool redirect = (sam & KEY_WOW64_32KEY) && !F.no_wow64;
    const uint16_t *p = (const uint16_t *)sub;
    size_t n = fc_wlen(sub), i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '\\')
            j++;
        if (j > i) {
            /* 32-bit view: HKLM\SOFTWARE\x is HKLM\SOFTWARE\WOW6432Node\x. */
            if (redirect && is_hklm_software(k) && !fc_name_eq(p + i, j - i, WOW, 11)) {
                k = kid(k, WOW, 11);
                if (!k)
                    return ERROR_FILE_NOT_FOUND;
            }
            k = kid(k, p + i, j - i);
            if (!k)
                return ERROR_FILE_NOT_FOUND;
        }
        i = j + 1;
    }
    if (redirect && is_hklm_software(k)) {
        k = kid(k, WOW, 11);
        if (!k)
            return ERROR_FILE_NOT_FOUND;
    }
    if (k->deny)
        return (LSTATUS)k->deny;
    *out = (HKEY)new_handle(H_KEY, k);
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegCloseKey(HKEY h)
{
    DWORD inj = enter(FAKE_RegCloseKey);
    if (h == HKEY_LOCAL_MACHINE || h == HKEY_USERS)
        return ERROR_SUCCESS;
    if (!close_handle(h, H_KEY))
        fail_msg("RegCloseKey of an invalid or closed handle %p", (void *)h);
    return (LSTATUS)inj;
}

/* Copies a name into a caller's buffer with RegEnum* semantics: *len is
 * the buffer size in units including the NUL, and becomes the length. */
static LSTATUS copy_name(const uint16_t *name, size_t n, LPWSTR buf, LPDWORD len)
{
    assert_non_null(buf);
    assert_non_null(len);
    if (*len < n + 1)
        return ERROR_MORE_DATA;
    memcpy(buf, name, n * sizeof *name);
    buf[n] = 0;
    *len = (DWORD)n;
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegEnumKeyExW(HKEY h, DWORD i, LPWSTR name, LPDWORD len, LPDWORD res,
                                      LPWSTR cls, LPDWORD cls_len, PFILETIME ft)
{
    DWORD inj = enter(FAKE_RegEnumKeyExW);
    fkey *k = key_of(h);
    assert_null(res);
    (void)cls;
    (void)cls_len;
    (void)ft;
    if (inj)
        return (LSTATUS)inj;
    if (k->deny)
        return (LSTATUS)k->deny;
    if (k->churn_times && i == k->churn_at && k->n_kids) {
        /* another program deletes the first subkey (kept until reset: a
         * handle may still point at it) */
        k->churn_times--;
        F.deleted = realloc(F.deleted, (F.n_deleted + 1) * sizeof *F.deleted);
        assert_non_null(F.deleted);
        F.deleted[F.n_deleted++] = k->kids[0];
        memmove(&k->kids[0], &k->kids[1], --k->n_kids * sizeof *k->kids);
        k->written++;
    }
    if (i >= k->n_kids)
        return ERROR_NO_MORE_ITEMS;
    return copy_name(k->kids[i]->name, k->kids[i]->name_len, name, len);
}

/* Makes a value grow by "XY", before the terminator of a string. */
static void grow_value(fval *v)
{
    static const uint16_t xy[] = {'X', 'Y'};
    unsigned char *d = fc_xcalloc(v->size + sizeof xy + 1, 1);
    DWORD at = v->size;
    bool str = v->type == REG_SZ || v->type == REG_EXPAND_SZ;
    if (str && v->size >= 2 && v->data[v->size - 1] == 0 && v->data[v->size - 2] == 0)
        at = v->size - 2;
    memcpy(d, v->data, at);
    memcpy(d + at, xy, sizeof xy);
    memcpy(d + at + sizeof xy, v->data + at, v->size - at);
    free(v->data);
    v->data = d;
    v->size += sizeof xy;
}

/* RegQueryValueExW/RegEnumValueW data semantics. */
static LSTATUS give_data(fval *v, LPDWORD type, LPBYTE data, LPDWORD cb)
{
    if (type)
        *type = v->type;
    if (!data) {
        if (cb)
            *cb = v->size;
        if (v->grow) {
            v->grow--;
            grow_value(v);
        }
        return ERROR_SUCCESS;
    }
    if (!cb)
        return ERROR_INVALID_PARAMETER;
    if (*cb < v->size) {
        *cb = v->size;
        return ERROR_MORE_DATA;
    }
    memcpy(data, v->data, v->size);
    *cb = v->size;
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegQueryValueExW(HKEY h, LPCWSTR name, LPDWORD res, LPDWORD type,
                                         LPBYTE data, LPDWORD cb)
{
    DWORD inj = enter(FAKE_RegQueryValueExW);
    fkey *k = key_of(h);
    assert_null(res);
    if (inj)
        return (LSTATUS)inj;
    fval *v = find_val(k, (const uint16_t *)name, fc_wlen(name));
    if (!v)
        return ERROR_FILE_NOT_FOUND;
    if (v->error)
        return (LSTATUS)v->error;
    return give_data(v, type, data, cb);
}

static LSTATUS WINAPI f_RegEnumValueW(HKEY h, DWORD i, LPWSTR name, LPDWORD len, LPDWORD res,
                                      LPDWORD type, LPBYTE data, LPDWORD cb)
{
    DWORD inj = enter(FAKE_RegEnumValueW);
    fkey *k = key_of(h);
    assert_null(res);
    if (inj)
        return (LSTATUS)inj;
    if (i >= k->n_vals)
        return ERROR_NO_MORE_ITEMS;
    fval *v = &k->vals[i];
    LSTATUS rc = copy_name(v->name, v->name_len, name, len);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (!data && !type && !cb)
        return ERROR_SUCCESS;
    return give_data(v, type, data, cb);
}

/* Only what a key's listing needs: the subkey count and the last write
 * time; the other outputs read 0. */
static LSTATUS WINAPI f_RegQueryInfoKeyW(HKEY h, LPWSTR cls, LPDWORD cls_len, LPDWORD res,
                                         LPDWORD n_subkeys, LPDWORD max_subkey, LPDWORD max_class,
                                         LPDWORD n_values, LPDWORD max_value, LPDWORD max_data,
                                         LPDWORD sd_len, PFILETIME written)
{
    DWORD inj = enter(FAKE_RegQueryInfoKeyW);
    fkey *k = key_of(h);
    assert_null(cls);
    assert_null(cls_len);
    assert_null(res);
    if (inj)
        return (LSTATUS)inj;
    LPDWORD zero[] = {max_subkey, max_class, n_values, max_value, max_data, sd_len};
    for (size_t x = 0; x < sizeof zero / sizeof zero[0]; x++)
        if (zero[x])
            *zero[x] = 0;
    if (n_subkeys)
        *n_subkeys = (DWORD)k->n_kids;
    if (written) {
        uint64_t t = F.filetime + k->written;
        written->dwLowDateTime = (DWORD)t;
        written->dwHighDateTime = (DWORD)(t >> 32);
    }
    return ERROR_SUCCESS;
}

static SC_HANDLE WINAPI f_OpenSCManagerW(LPCWSTR machine, LPCWSTR db, DWORD access)
{
    DWORD inj = enter(FAKE_OpenSCManagerW);
    assert_null(machine);
    assert_null(db);
    if (access & ~(DWORD)(SC_MANAGER_ENUMERATE_SERVICE | SC_MANAGER_CONNECT))
        fail_msg("SCM opened with more access than enumeration (0x%lx)", (unsigned long)access);
    DWORD err = inj ? inj : F.scm_open_error;
    if (err) {
        SetLastError(err);
        return NULL;
    }
    return (SC_HANDLE)new_handle(H_SCM, NULL);
}

static size_t entry_bytes(const fsvc *s)
{
    return sizeof(ENUM_SERVICE_STATUS_PROCESSW) + (fc_wlen(s->name) + 1) * 2 +
           (s->display ? (fc_wlen(s->display) + 1) * 2 : 0);
}

static BOOL WINAPI f_EnumServicesStatusExW(SC_HANDLE scm, SC_ENUM_TYPE level, DWORD types,
                                           DWORD states, LPBYTE buf, DWORD cb, LPDWORD needed,
                                           LPDWORD returned, LPDWORD resume, LPCWSTR group)
{
    DWORD inj = enter(FAKE_EnumServicesStatusExW);
    if (!live_handle(scm, H_SCM))
        fail_msg("EnumServicesStatusExW on an invalid SCM handle");
    assert_int_equal(level, SC_ENUM_PROCESS_INFO);
    assert_int_equal(states, SERVICE_STATE_ALL);
    assert_null(group);
    assert_non_null(needed);
    assert_non_null(returned);
    *needed = 0;
    *returned = 0;
    if (inj) {
        SetLastError(inj);
        return FALSE;
    }
    size_t start = resume ? *resume : 0;
    /* The services of the requested types from `start` on. */
    size_t *pick = fc_xcalloc(F.n_svcs, sizeof *pick), n = 0;
    for (size_t i = 0; i < F.n_svcs; i++)
        if (F.svcs[i].type & types)
            pick[n++] = i;
    /* Structures from the front of the buffer, strings from the back. */
    ENUM_SERVICE_STATUS_PROCESSW *ent = (ENUM_SERVICE_STATUS_PROCESSW *)buf;
    size_t used = 0, k = start, count = 0;
    BYTE *strings = buf ? buf + cb : NULL;
    while (k < n && (!F.scm_page || count < F.scm_page)) {
        const fsvc *s = &F.svcs[pick[k]];
        size_t need = entry_bytes(s);
        if (!buf || used + need > cb)
            break;
        size_t nb = (fc_wlen(s->name) + 1) * 2;
        strings -= nb;
        memcpy(strings, s->name, nb);
        ent[count].lpServiceName = (LPWSTR)strings;
        ent[count].lpDisplayName = NULL;
        if (s->display) {
            size_t db = (fc_wlen(s->display) + 1) * 2;
            strings -= db;
            memcpy(strings, s->display, db);
            ent[count].lpDisplayName = (LPWSTR)strings;
        }
        memset(&ent[count].ServiceStatusProcess, 0, sizeof ent[count].ServiceStatusProcess);
        ent[count].ServiceStatusProcess.dwServiceType = s->type;
        ent[count].ServiceStatusProcess.dwCurrentState = s->state;
        used += need;
        count++;
        k++;
    }
    *returned = (DWORD)count;
    if (k >= n) {
        if (resume)
            *resume = 0;
        free(pick);
        return TRUE;
    }
    size_t rest = 0;
    for (size_t r = k; r < n; r++)
        rest += entry_bytes(&F.svcs[pick[r]]);
    free(pick);
    *needed = (DWORD)rest;
    if (resume)
        *resume = (DWORD)k;
    SetLastError(ERROR_MORE_DATA);
    return FALSE;
}

static BOOL WINAPI f_CloseServiceHandle(SC_HANDLE h)
{
    DWORD inj = enter(FAKE_CloseServiceHandle);
    if (!close_handle(h, H_SCM))
        fail_msg("CloseServiceHandle of an invalid or closed handle");
    if (inj) {
        SetLastError(inj);
        return FALSE;
    }
    return TRUE;
}

static BOOL WINAPI f_GetComputerNameExW(COMPUTER_NAME_FORMAT fmt, LPWSTR buf, LPDWORD size)
{
    DWORD inj = enter(FAKE_GetComputerNameExW);
    assert_non_null(size);
    if (inj) {
        SetLastError(inj);
        return FALSE;
    }
    const char *name = fmt == ComputerNameDnsHostname ? F.dns
                       : fmt == ComputerNameNetBIOS   ? F.netbios
                                                      : NULL;
    if (!name) {
        SetLastError(ERROR_FILE_NOT_FOUND);
        return FALSE;
    }
    size_t n;
    uint16_t *w = fc_wdup(name, &n);
    if (!buf || *size < n + 1) {
        *size = (DWORD)(n + 1);
        free(w);
        SetLastError(ERROR_MORE_DATA);
        return FALSE;
    }
    memcpy(buf, w, (n + 1) * sizeof *w);
    *size = (DWORD)n;
    free(w);
    return TRUE;
}

static VOID WINAPI f_GetSystemTimeAsFileTime(LPFILETIME ft)
{
    ft->dwLowDateTime = (DWORD)F.filetime;
    ft->dwHighDateTime = (DWORD)(F.filetime >> 32);
}

/* ---- the file system and the environment ------------------------------------ */

static const uint16_t BSL = '\\';

/* Length without trailing backslashes. */
static size_t strip_len(const uint16_t *p, size_t n)
{
    while (n && p[n - 1] == BSL)
        n--;
    return n;
}

static fnode *find_node(const uint16_t *p, size_t n)
{
    n = strip_len(p, n);
    for (size_t i = 0; i < F.n_nodes; i++)
        if (fc_name_eq(F.nodes[i]->path, F.nodes[i]->path_len, p, n))
            return F.nodes[i];
    return NULL;
}

/* Length of the parent's path (up to the last backslash), or 0. */
static size_t parent_len(const uint16_t *p, size_t n)
{
    while (n && p[n - 1] != BSL)
        n--;
    return n ? n - 1 : 0;
}

static fnode *add_node(const uint16_t *p, size_t n, bool dir)
{
    n = strip_len(p, n);
    assert_true(n > 0);
    fnode *node = find_node(p, n);
    if (node) {
        if (node->dir != dir)
            fail_msg("fake file system: a file and a directory share a path");
        return node;
    }
    size_t pl = parent_len(p, n);
    if (pl)
        add_node(p, pl, true);
    node = fc_xcalloc(1, sizeof *node);
    node->path = fc_xcalloc(n + 1, sizeof *node->path);
    memcpy(node->path, p, n * sizeof *p);
    node->path_len = n;
    node->dir = dir;
    F.nodes = realloc(F.nodes, (F.n_nodes + 1) * sizeof *F.nodes);
    assert_non_null(F.nodes);
    F.nodes[F.n_nodes++] = node;
    return node;
}

static fnode *build_node(const char *path, bool dir)
{
    size_t n;
    uint16_t *w = fc_wdup(path, &n);
    fnode *node = add_node(w, n, dir);
    free(w);
    return node;
}

static fnode *existing_node(const char *path)
{
    size_t n;
    uint16_t *w = fc_wdup(path, &n);
    fnode *node = find_node(w, n);
    free(w);
    if (!node)
        fail_msg("fake file system: no such file or directory: %s", path);
    return node;
}

void fake_dir(const char *path)
{
    build_node(path, true);
}

void fake_file(const char *path, const void *data, size_t size, uint64_t mtime)
{
    fnode *node = build_node(path, false);
    free(node->data);
    node->data = fc_xcalloc(size + 1, 1);
    if (size)
        memcpy(node->data, data, size);
    node->size = size;
    node->mtime = mtime;
}

void fake_fs_deny(const char *path, uint32_t err)
{
    existing_node(path)->deny = err;
}

void fake_file_read_error(const char *path, uint32_t err)
{
    existing_node(path)->read_error = err;
}

void fake_env(const char *name, const char *value)
{
    size_t n;
    uint16_t *w = fc_wdup(name, &n);
    for (size_t i = 0; i < F.n_env; i++) {
        if (fc_name_eq(F.env[i].name, F.env[i].name_len, w, n)) {
            free(w);
            free(F.env[i].name);
            free(F.env[i].value);
            F.env[i] = F.env[--F.n_env];
            if (value)
                fake_env(name, value);
            return;
        }
    }
    if (!value) {
        free(w);
        return;
    }
    F.env = realloc(F.env, (F.n_env + 1) * sizeof *F.env);
    assert_non_null(F.env);
    fenv *e = &F.env[F.n_env++];
    e->name = w;
    e->name_len = n;
    e->value = fc_wdup(value, &e->value_len);
}

static void fs_free(void)
{
    for (size_t i = 0; i < F.n_nodes; i++) {
        free(F.nodes[i]->path);
        free(F.nodes[i]->data);
        free(F.nodes[i]);
    }
    free(F.nodes);
    for (size_t i = 0; i < F.n_env; i++) {
        free(F.env[i].name);
        free(F.env[i].value);
    }
    free(F.env);
}

static void fs_defaults(void)
{
    fake_env("ProgramData", "C:\\ProgramData");
    fake_env("ALLUSERSPROFILE", "C:\\ProgramData");
    fake_env("SystemDrive", "C:");
}

static HANDLE WINAPI f_CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition, DWORD flags,
                                   HANDLE tmpl)
{
    DWORD inj = enter(FAKE_CreateFileW);
    (void)share;
    assert_non_null(path);
    assert_null(sa);
    assert_null(tmpl);
    if (access & ~(DWORD)(GENERIC_READ | FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE))
        fail_msg("file opened with more than read access (0x%lx)", (unsigned long)access);
    if (disposition != OPEN_EXISTING)
        fail_msg("file opened with disposition %lu, not OPEN_EXISTING",
                 (unsigned long)disposition);
    if (inj) {
        SetLastError(inj);
        return INVALID_HANDLE_VALUE;
    }
    const uint16_t *p = (const uint16_t *)path;
    size_t n = fc_wlen(path);
    fnode *node = find_node(p, n);
    DWORD err = 0;
    if (!node) {
        fnode *parent = find_node(p, parent_len(p, strip_len(p, n)));
        err = parent && parent->dir ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND;
    } else if (node->deny) {
        err = node->deny;
    } else if (node->dir && !(flags & FILE_FLAG_BACKUP_SEMANTICS)) {
        err = ERROR_ACCESS_DENIED; /* as Windows does for a directory */
    }
    if (err) {
        SetLastError(err);
        return INVALID_HANDLE_VALUE;
    }
    fhandle *h = new_handle(H_FILE, NULL);
    h->node = node;
    return (HANDLE)h;
}

static fhandle *file_handle(HANDLE h, const char *fn)
{
    fhandle *fh = live_handle(h, H_FILE);
    if (!fh)
        fail_msg("%s on an invalid or closed file handle %p", fn, (void *)h);
    return fh;
}

static BOOL WINAPI f_ReadFile(HANDLE h, LPVOID buf, DWORD want, LPDWORD got, LPOVERLAPPED ov)
{
    DWORD inj = enter(FAKE_ReadFile);
    fhandle *fh = file_handle(h, "ReadFile");
    assert_non_null(got);
    assert_null(ov);
    *got = 0;
    DWORD err = inj ? inj : fh->node->read_error;
    if (err) {
        SetLastError(err);
        return FALSE;
    }
    size_t left = fh->node->size > fh->pos ? fh->node->size - fh->pos : 0;
    size_t n = want < left ? want : left;
    if (n) {
        assert_non_null(buf);
        memcpy(buf, fh->node->data + fh->pos, n);
    }
    fh->pos += n;
    *got = (DWORD)n;
    return TRUE;
}

static BOOL WINAPI f_GetFileSizeEx(HANDLE h, PLARGE_INTEGER size)
{
    DWORD inj = enter(FAKE_GetFileSizeEx);
    fhandle *fh = file_handle(h, "GetFileSizeEx");
    assert_non_null(size);
    if (inj) {
        SetLastError(inj);
        return FALSE;
    }
    size->QuadPart = (LONGLONG)fh->node->size;
    return TRUE;
}

static BOOL WINAPI f_CloseHandle(HANDLE h)
{
    if (!close_handle(h, H_FILE) && !close_handle(h, H_PROC))
        fail_msg("CloseHandle of an invalid or closed file or process handle %p", (void *)h);
    return TRUE;
}

/* ---- TCP connections and processes ------------------------------------------ */

static DWORD net_port(uint16_t port)
{
    return (DWORD)(((port & 0xFFu) << 8) | (port >> 8));
}

static DWORD net_ip4(uint32_t host_order)
{
    DWORD d;
    unsigned char b[4] = {(unsigned char)(host_order >> 24), (unsigned char)(host_order >> 16),
                          (unsigned char)(host_order >> 8), (unsigned char)host_order};
    memcpy(&d, b, sizeof d);
    return d;
}

void fake_tcp4(uint32_t local, uint16_t local_port, uint32_t remote, uint16_t remote_port,
               uint32_t state, uint32_t pid)
{
    MIB_TCPROW_OWNER_PID *p = realloc(F.tcp4, (F.n_tcp4 + 1) * sizeof *p);
    assert_non_null(p);
    F.tcp4 = p;
    p[F.n_tcp4++] = (MIB_TCPROW_OWNER_PID){.dwState = state,
                                           .dwLocalAddr = net_ip4(local),
                                           .dwLocalPort = net_port(local_port),
                                           .dwRemoteAddr = net_ip4(remote),
                                           .dwRemotePort = net_port(remote_port),
                                           .dwOwningPid = pid};
}

void fake_tcp6(const uint8_t local[16], uint16_t local_port, const uint8_t remote[16],
               uint16_t remote_port, uint32_t state, uint32_t pid)
{
    MIB_TCP6ROW_OWNER_PID *p = realloc(F.tcp6, (F.n_tcp6 + 1) * sizeof *p);
    assert_non_null(p);
    F.tcp6 = p;
    MIB_TCP6ROW_OWNER_PID *r = &p[F.n_tcp6++];
    memset(r, 0, sizeof *r);
    memcpy(r->ucLocalAddr, local, 16);
    memcpy(r->ucRemoteAddr, remote, 16);
    r->dwLocalPort = net_port(local_port);
    r->dwRemotePort = net_port(remote_port);
    r->dwState = state;
    r->dwOwningPid = pid;
}

void fake_tcp_grow(unsigned times, size_t rows)
{
    F.tcp_grow_times = times;
    F.tcp_grow_rows = rows;
}

void fake_tcp6_unsupported(void)
{
    F.tcp6_unsupported = true;
}

static fproc *find_proc(DWORD pid)
{
    for (size_t i = 0; i < F.n_procs; i++)
        if (F.procs[i].pid == pid)
            return &F.procs[i];
    return NULL;
}

static fproc *build_proc(uint32_t pid)
{
    fproc *p = find_proc(pid);
    if (p)
        return p;
    fproc *a = realloc(F.procs, (F.n_procs + 1) * sizeof *a);
    assert_non_null(a);
    F.procs = a;
    p = &a[F.n_procs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    return p;
}

void fake_process(uint32_t pid, const char *image)
{
    fproc *p = build_proc(pid);
    free(p->image);
    p->image = fc_wdup(image, &p->image_len);
}

void fake_process_deny(uint32_t pid, uint32_t err)
{
    build_proc(pid)->deny = err;
}

void fake_process_image_error(uint32_t pid, uint32_t err)
{
    build_proc(pid)->image_error = err;
}

static DWORD WINAPI f_GetExtendedTcpTable(PVOID buf, PDWORD size, BOOL order, ULONG af,
                                          TCP_TABLE_CLASS cls, ULONG reserved)
{
    (void)order;
    if (reserved != 0 || (af != 2 && af != 23) ||
        (cls != TCP_TABLE_OWNER_PID_ALL && cls != TCP_TABLE_OWNER_PID_CONNECTIONS))
        fail_msg("GetExtendedTcpTable: unexpected family %lu or class %d", (unsigned long)af,
                 (int)cls);
    DWORD err = enter(FAKE_GetExtendedTcpTable);
    if (err)
        return err;
    bool v6 = af == 23;
    if (v6 && F.tcp6_unsupported)
        return ERROR_NOT_SUPPORTED;
    size_t head =
        v6 ? offsetof(MIB_TCP6TABLE_OWNER_PID, table) : offsetof(MIB_TCPTABLE_OWNER_PID, table);
    size_t row = v6 ? sizeof(MIB_TCP6ROW_OWNER_PID) : sizeof(MIB_TCPROW_OWNER_PID);
    size_t n = v6 ? F.n_tcp6 : F.n_tcp4;
    size_t need = head + n * row;
    if (!buf || *size < need) {
        *size = (DWORD)need;
        if (!v6 && F.tcp_grow_times && F.n_tcp4) {
            F.tcp_grow_times--;
            for (size_t i = 0; i < F.tcp_grow_rows; i++) {
                MIB_TCPROW_OWNER_PID last = F.tcp4[F.n_tcp4 - 1];
                MIB_TCPROW_OWNER_PID *p = realloc(F.tcp4, (F.n_tcp4 + 1) * sizeof *p);
                assert_non_null(p);
                F.tcp4 = p;
                last.dwLocalPort = net_port((uint16_t)(40000 + F.n_tcp4 % 20000));
                p[F.n_tcp4++] = last;
            }
        }
        return ERROR_INSUFFICIENT_BUFFER;
    }
    DWORD count = (DWORD)n;
    memcpy(buf, &count, sizeof count);
    if (n)
        memcpy((char *)buf + head, v6 ? (const void *)F.tcp6 : (const void *)F.tcp4, n * row);
    return NO_ERROR;
}

static HANDLE WINAPI f_OpenProcess(DWORD access, BOOL inherit, DWORD pid)
{
    if (access != PROCESS_QUERY_LIMITED_INFORMATION || inherit)
        fail_msg("OpenProcess(%lu) asks for more than PROCESS_QUERY_LIMITED_INFORMATION",
                 (unsigned long)pid);
    DWORD err = enter(FAKE_OpenProcess);
    fproc *p = find_proc(pid);
    if (!err && !p)
        err = ERROR_INVALID_PARAMETER;
    if (!err && p->deny)
        err = p->deny;
    if (err) {
        SetLastError(err);
        return NULL;
    }
    fhandle *h = new_handle(H_PROC, NULL);
    h->pid = pid;
    return (HANDLE)h;
}

static BOOL WINAPI f_QueryFullProcessImageNameW(HANDLE h, DWORD flags, LPWSTR buf, PDWORD size)
{
    fhandle *fh = live_handle(h, H_PROC);
    if (!fh)
        fail_msg("QueryFullProcessImageNameW on an invalid or closed handle %p", (void *)h);
    if (flags != 0)
        fail_msg("QueryFullProcessImageNameW: flags %lu (want the Win32 path form)",
                 (unsigned long)flags);
    DWORD err = enter(FAKE_QueryFullProcessImageNameW);
    fproc *p = find_proc(fh->pid);
    if (!err && p->image_error)
        err = p->image_error;
    if (!err && !p->image)
        err = ERROR_GEN_FAILURE;
    if (!err && *size <= p->image_len)
        err = ERROR_INSUFFICIENT_BUFFER;
    if (err) {
        SetLastError(err);
        return FALSE;
    }
    memcpy(buf, p->image, p->image_len * sizeof *p->image);
    buf[p->image_len] = 0;
    *size = (DWORD)p->image_len;
    return TRUE;
}

/* Case-insensitive match of a name against a pattern with '*' and '?'. */
static bool wild_match(const uint16_t *pat, size_t np, const uint16_t *s, size_t ns)
{
    if (np == 0)
        return ns == 0;
    if (pat[0] == '*') {
        for (size_t k = 0; k <= ns; k++)
            if (wild_match(pat + 1, np - 1, s + k, ns - k))
                return true;
        return false;
    }
    if (ns == 0)
        return false;
    if (pat[0] != '?' && fc_fold(pat[0]) != fc_fold(s[0]))
        return false;
    return wild_match(pat + 1, np - 1, s + 1, ns - 1);
}

static const uint16_t DOT[] = {'.'}, DOTDOT[] = {'.', '.'};
static const fnode dot_node = {(uint16_t *)DOT, 1, true, NULL, 0, 0, 0, 0};
static const fnode dotdot_node = {(uint16_t *)DOTDOT, 2, true, NULL, 0, 0, 0, 0};

static void fill_find(const fnode *node, LPWIN32_FIND_DATAW data)
{
    memset(data, 0, sizeof *data);
    size_t pl = parent_len(node->path, node->path_len);
    const uint16_t *name = node->path + (pl ? pl + 1 : 0);
    size_t n = node->path_len - (pl ? pl + 1 : 0);
    if (node == &dot_node || node == &dotdot_node) {
        name = node->path;
        n = node->path_len;
    }
    assert_true(n < MAX_PATH);
    data->dwFileAttributes = node->dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
    FILETIME ft = {(DWORD)node->mtime, (DWORD)(node->mtime >> 32)};
    data->ftCreationTime = data->ftLastAccessTime = data->ftLastWriteTime = ft;
    data->nFileSizeHigh = (DWORD)((uint64_t)node->size >> 32);
    data->nFileSizeLow = (DWORD)node->size;
    memcpy(data->cFileName, name, n * sizeof *name);
    data->cFileName[n] = 0;
}

static HANDLE WINAPI f_FindFirstFileW(LPCWSTR pattern, LPWIN32_FIND_DATAW data)
{
    DWORD inj = enter(FAKE_FindFirstFileW);
    assert_non_null(pattern);
    assert_non_null(data);
    if (inj) {
        SetLastError(inj);
        return INVALID_HANDLE_VALUE;
    }
    const uint16_t *p = (const uint16_t *)pattern;
    size_t n = fc_wlen(pattern);
    size_t dl = parent_len(p, n);
    if (!dl)
        fail_msg("FindFirstFileW needs a full path");
    const uint16_t *pat = p + dl + 1;
    size_t np = n - dl - 1;
    fnode *dir = find_node(p, dl);
    DWORD err = 0;
    if (!dir)
        err = ERROR_PATH_NOT_FOUND;
    else if (!dir->dir)
        err = ERROR_INVALID_NAME; /* what Wine 8 gives for "<file>\\*" */
    else if (dir->deny)
        err = dir->deny;
    if (err) {
        SetLastError(err);
        return INVALID_HANDLE_VALUE;
    }
    bool wild = false;
    for (size_t i = 0; i < np; i++)
        wild = wild || pat[i] == '*' || pat[i] == '?';
    const fnode **list = fc_xcalloc(F.n_nodes + 2, sizeof *list);
    size_t count = 0;
    if (wild) {
        if (wild_match(pat, np, DOT, 1))
            list[count++] = &dot_node;
        if (wild_match(pat, np, DOTDOT, 2))
            list[count++] = &dotdot_node;
    }
    for (size_t i = 0; i < F.n_nodes; i++) {
        const fnode *c = F.nodes[i];
        if (c->path_len <= dl + 1 || parent_len(c->path, c->path_len) != dl ||
            !fc_name_eq(c->path, dl, p, dl))
            continue;
        const uint16_t *name = c->path + dl + 1;
        size_t nn = c->path_len - dl - 1;
        if (wild ? wild_match(pat, np, name, nn) : fc_name_eq(pat, np, name, nn))
            list[count++] = c;
    }
    if (!count) {
        free(list);
        SetLastError(ERROR_FILE_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    fhandle *h = new_handle(H_FIND, NULL);
    h->list = list;
    h->n_list = count;
    fill_find(list[0], data);
    h->pos = 1;
    return (HANDLE)h;
}

static BOOL WINAPI f_FindNextFileW(HANDLE h, LPWIN32_FIND_DATAW data)
{
    DWORD inj = enter(FAKE_FindNextFileW);
    fhandle *fh = live_handle(h, H_FIND);
    if (!fh)
        fail_msg("FindNextFileW on an invalid or closed find handle %p", (void *)h);
    assert_non_null(data);
    if (inj) {
        SetLastError(inj);
        return FALSE;
    }
    if (fh->pos >= fh->n_list) {
        SetLastError(ERROR_NO_MORE_FILES);
        return FALSE;
    }
    fill_find(fh->list[fh->pos++], data);
    return TRUE;
}

static BOOL WINAPI f_FindClose(HANDLE h)
{
    fhandle *fh = live_handle(h, H_FIND);
    if (!fh)
        fail_msg("FindClose of an invalid or closed find handle %p", (void *)h);
    free(fh->list);
    fh->list = NULL;
    close_handle(h, H_FIND);
    return TRUE;
}

/* %NAME% is replaced by the variable's value; an unknown name stays as it
 * is. Returns the length needed including the NUL, as Windows does. */
static DWORD WINAPI f_ExpandEnvironmentStringsW(LPCWSTR src, LPWSTR dst, DWORD size)
{
    DWORD inj = enter(FAKE_ExpandEnvironmentStringsW);
    assert_non_null(src);
    if (inj) {
        SetLastError(inj);
        return 0;
    }
    const uint16_t *s = (const uint16_t *)src;
    size_t n = fc_wlen(src);
    bw_buf b = {0};
    for (size_t i = 0; i < n;) {
        if (s[i] == '%') {
            size_t j = i + 1;
            while (j < n && s[j] != '%')
                j++;
            const fenv *e = NULL;
            for (size_t k = 0; j < n && k < F.n_env && !e; k++)
                if (fc_name_eq(F.env[k].name, F.env[k].name_len, s + i + 1, j - i - 1))
                    e = &F.env[k];
            if (e) {
                bw_buf_append(&b, (const char *)e->value, e->value_len * 2);
                i = j + 1;
                continue;
            }
        }
        bw_buf_append(&b, (const char *)(s + i), 2);
        i++;
    }
    assert_false(b.failed);
    DWORD need = (DWORD)(b.len / 2 + 1);
    if (dst && size >= need) {
        if (b.len)
            memcpy(dst, b.data, b.len);
        dst[b.len / 2] = 0;
    }
    bw_buf_free(&b);
    return need;
}

/* The collectors wait out a busy service control manager or network
 * store: the fake records the time asked for and returns at once. */
static unsigned long slept_ms;

static VOID WINAPI f_Sleep(DWORD ms)
{
    slept_ms += ms;
}

unsigned long fake_slept_ms(void)
{
    return slept_ms;
}

/* Entries the collectors have no business calling fail the test; entries
 * not listed here stay NULL, so calling one crashes the test, which cmocka
 * reports as a failure. */
static const bw_api fake_table = {
    .RegOpenKeyExW = f_RegOpenKeyExW,
    .RegCloseKey = f_RegCloseKey,
    .RegEnumKeyExW = f_RegEnumKeyExW,
    .RegQueryValueExW = f_RegQueryValueExW,
    .RegEnumValueW = f_RegEnumValueW,
    .RegQueryInfoKeyW = f_RegQueryInfoKeyW,
    .OpenSCManagerW = f_OpenSCManagerW,
    .EnumServicesStatusExW = f_EnumServicesStatusExW,
    .CloseServiceHandle = f_CloseServiceHandle,
    .GetComputerNameExW = f_GetComputerNameExW,
    .GetSystemTimeAsFileTime = f_GetSystemTimeAsFileTime,
    .CreateFileW = f_CreateFileW,
    .ReadFile = f_ReadFile,
    .GetFileSizeEx = f_GetFileSizeEx,
    .CloseHandle = f_CloseHandle,
    .ExpandEnvironmentStringsW = f_ExpandEnvironmentStringsW,
    .FindFirstFileW = f_FindFirstFileW,
    .FindNextFileW = f_FindNextFileW,
    .FindClose = f_FindClose,
    .GetExtendedTcpTable = f_GetExtendedTcpTable,
    .OpenProcess = f_OpenProcess,
    .QueryFullProcessImageNameW = f_QueryFullProcessImageNameW,
    .Sleep = f_Sleep,
};

const bw_api *fake_api(void)
{
    return &fake_table;
}

int fake_setup(void **state)
{
    (void)state;
    slept_ms = 0;
    fake_reset();
    return 0;
}

int fake_teardown(void **state)
{
    (void)state;
    fake_reset();
    return 0;
}
