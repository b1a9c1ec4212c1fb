/*
 * collect_services.c - the services and drivers collector (Win32 layer).
 *
 * Two passes merged by name (case-insensitive):
 *  1. the service control manager (EnumServicesStatusExW, all Win32
 *     services and drivers, all states): name, display name, state;
 *  2. the registry, HKLM\SYSTEM\CurrentControlSet\Services: Type, Start,
 *     DelayedAutostart, ImagePath, DisplayName, Description, Group,
 *     Instances\*\Altitude.
 * The registry pass catches drivers the SCM does not list (Wine's SCM, for
 * one, misses keys added after it started). A key without a Type value is
 * not a service unless the SCM lists it. A key that exists but cannot be
 * read is kept by name (with a gap): a self-protecting product may deny
 * access to its own keys, and the name alone still matters.
 * If one pass fails, the gap is recorded and the other still runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_collect.h"
#include "../bw_winreg.h"

#define SERVICES_PATH    "SYSTEM\\CurrentControlSet\\Services"
#define SCM_WHERE        "service control manager"
#define SCM_MAX_BUFFER   (16u * 1024u * 1024u) /* bytes, whatever the SCM asks */
#define SCM_MAX_ROUNDS   10000u
#define SCM_MAX_SERVICES 100000u

/* ---- index of the snapshot's services by folded name ---------------- */

/* Open addressing; a slot holds index + 1, 0 is empty. Hashes fold case
 * the way bw_ieq does, so names equal under bw_ieq share a bucket. */
typedef struct svc_index {
    size_t *slots;
    size_t cap; /* a power of two */
    size_t n;
} svc_index;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    const char *end = s + strlen(s);
    while (s < end) {
        const char *start = s;
        int32_t cp = bw_utf8_next(&s, end);
        uint32_t c = cp < 0 ? 0x110000u + (unsigned char)*start : bw_casefold((uint32_t)cp);
        for (int i = 0; i < 4; i++) {
            h ^= (c >> (8 * i)) & 0xFFu;
            h *= 16777619u;
        }
    }
    return h;
}

static void index_put(svc_index *ix, const bw_snapshot *snap, size_t i)
{
    size_t mask = ix->cap - 1;
    size_t pos = name_hash(snap->services[i].name) & mask;
    while (ix->slots[pos])
        pos = (pos + 1) & mask;
    ix->slots[pos] = i + 1;
    ix->n++;
}

static bw_err index_add(svc_index *ix, const bw_snapshot *snap, size_t i)
{
    if ((ix->n + 1) * 2 > ix->cap) {
        size_t ncap = ix->cap ? ix->cap * 2 : 256;
        size_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return BW_ENOMEM;
        size_t *old = ix->slots, ocap = ix->cap;
        ix->slots = ns;
        ix->cap = ncap;
        ix->n = 0;
        for (size_t k = 0; k < ocap; k++)
            if (old[k])
                index_put(ix, snap, old[k] - 1);
        free(old);
    }
    index_put(ix, snap, i);
    return BW_OK;
}

static bw_service_entry *index_find(const svc_index *ix, bw_snapshot *snap, const char *name)
{
    if (!ix->cap)
        return NULL;
    size_t mask = ix->cap - 1;
    for (size_t pos = name_hash(name) & mask; ix->slots[pos]; pos = (pos + 1) & mask) {
        bw_service_entry *e = &snap->services[ix->slots[pos] - 1];
        if (bw_ieq(e->name, name))
            return e;
    }
    return NULL;
}

/* Adds a service named `name` with its registry source and indexes it. */
static bw_err add_service(svc_index *ix, bw_snapshot *snap, const char *name,
                          bw_service_entry **out)
{
    char *n = bw_strdup(name);
    char *src = bw_strfmt("HKLM\\" SERVICES_PATH "\\%s", name);
    bw_service_entry *e;
    if (!n || !src || bw_snapshot_add_service(snap, &e) != BW_OK) {
        free(n);
        free(src);
        return BW_ENOMEM;
    }
    e->name = n;
    e->source = src;
    e->state = BW_STATE_UNKNOWN;
    *out = e;
    return index_add(ix, snap, snap->n_services - 1);
}

/* ---- pass 1: the SCM ---------------------------------------------------- */

/* A string the SCM put in its buffer: the pointer must lie inside it,
 * aligned, with a NUL before the end. NULL if it does not. */
static char *buffer_string(const BYTE *buf, DWORD cb, LPCWSTR p, bool *bad)
{
    const BYTE *b = (const BYTE *)p;
    if (!p || b < buf || b >= buf + cb || ((uintptr_t)b & 1u)) {
        *bad = true;
        return NULL;
    }
    const uint16_t *s = (const uint16_t *)b;
    size_t max = (size_t)(buf + cb - b) / 2, n = 0;
    while (n < max && s[n])
        n++;
    if (n == max) {
        *bad = true;
        return NULL;
    }
    char *out = NULL;
    if (bw_utf16_to_utf8(s, n, &out) == BW_EENCODING)
        *bad = true;
    return out;
}

static bw_err scm_entries(svc_index *ix, bw_snapshot *snap, const BYTE *buf, DWORD cb,
                          DWORD returned, size_t *total, unsigned long *n_bad)
{
    const ENUM_SERVICE_STATUS_PROCESSW *ent = (const ENUM_SERVICE_STATUS_PROCESSW *)buf;
    DWORD max = cb / sizeof *ent;
    if (returned > max) /* never trust a returned count */
        returned = max;
    for (DWORD i = 0; i < returned && *total < SCM_MAX_SERVICES; i++, (*total)++) {
        bool bad = false;
        char *name = buffer_string(buf, cb, ent[i].lpServiceName, &bad);
        if (!name) {
            if (!bad)
                return BW_ENOMEM;
            (*n_bad)++;
            continue;
        }
        bool dbad = false;
        char *display =
            ent[i].lpDisplayName ? buffer_string(buf, cb, ent[i].lpDisplayName, &dbad) : NULL;
        if (!display && ent[i].lpDisplayName && !dbad) {
            free(name);
            return BW_ENOMEM;
        }
        bw_service_entry *e = index_find(ix, snap, name);
        if (!e && add_service(ix, snap, name, &e) != BW_OK) {
            free(name);
            free(display);
            return BW_ENOMEM;
        }
        free(name);
        if (display && !e->display_name)
            e->display_name = display;
        else
            free(display);
        e->in_scm = true;
        e->state = ent[i].ServiceStatusProcess.dwCurrentState;
        /* The registry's Type, read later, is the authority; this one
         * stands in for services the registry pass does not reach. */
        if (!e->has_type) {
            e->type = ent[i].ServiceStatusProcess.dwServiceType;
            e->has_type = true;
        }
    }
    return BW_OK;
}

/* The service control manager is still starting or too busy to answer
 * (at boot; under Wine while services.exe starts the automatic services):
 * worth asking again shortly. */
#define SCM_BUSY_TRIES   8
#define SCM_BUSY_WAIT_MS 250
static bool scm_busy(DWORD code)
{
    return code == RPC_S_SERVER_UNAVAILABLE || code == RPC_S_SERVER_TOO_BUSY ||
           code == ERROR_SERVICE_DATABASE_LOCKED;
}

static bw_err scm_pass(const bw_api *api, svc_index *ix, bw_snapshot *snap)
{
    bw_win_status st;
    SC_HANDLE scm = NULL;
    unsigned busy = 0; /* transient failures waited out so far */
    for (;;) {
        scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
        DWORD code = scm ? ERROR_SUCCESS : GetLastError();
        if (scm || !scm_busy(code) || busy++ >= SCM_BUSY_TRIES) {
            if (!scm) {
                bw_win_status_set(&st, code);
                return bw_win_gap(snap, SCM_WHERE, &st);
            }
            break;
        }
        api->Sleep(SCM_BUSY_WAIT_MS);
    }
    bw_err err = BW_OK;
    DWORD cb = 64u * 1024u, resume = 0;
    BYTE *buf = malloc(cb);
    size_t total = 0;
    unsigned long n_bad = 0;
    if (!buf) {
        err = BW_ENOMEM;
        goto out;
    }
    for (unsigned round = 0;; round++) {
        if (round >= SCM_MAX_ROUNDS || total >= SCM_MAX_SERVICES) {
            err = bw_snapshot_add_gap(snap, SCM_WHERE, "too many services");
            break;
        }
        DWORD needed = 0, returned = 0;
        BOOL ok = api->EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO,
                                             SERVICE_WIN32 | SERVICE_DRIVER, SERVICE_STATE_ALL,
                                             buf, cb, &needed, &returned, &resume, NULL);
        DWORD code = ok ? ERROR_SUCCESS : GetLastError();
        if (!ok && round == 0 && scm_busy(code) && busy++ < SCM_BUSY_TRIES) {
            api->Sleep(SCM_BUSY_WAIT_MS); /* nothing read yet: ask again */
            round = (unsigned)-1;
            resume = 0;
            continue;
        }
        if (!ok && code != ERROR_MORE_DATA) {
            bw_win_status_set(&st, code);
            err = bw_win_gap(snap, SCM_WHERE, &st);
            break;
        }
        err = scm_entries(ix, snap, buf, cb, returned, &total, &n_bad);
        if (err != BW_OK)
            break;
        if (ok)
            break;
        if (returned == 0) {
            /* Nothing fitted: grow to what the SCM asks for, within reason. */
            if (needed <= cb || cb >= SCM_MAX_BUFFER) {
                bw_win_status_set(&st, code);
                err = bw_win_gap(snap, SCM_WHERE, &st);
                break;
            }
            cb = needed > SCM_MAX_BUFFER ? SCM_MAX_BUFFER : needed;
            BYTE *nb = realloc(buf, cb);
            if (!nb) {
                err = BW_ENOMEM;
                break;
            }
            buf = nb;
        }
    }
    if (err == BW_OK && n_bad)
        err = bw_snapshot_add_gap(snap, SCM_WHERE, "%lu malformed service entries", n_bad);
out:
    free(buf);
    api->CloseServiceHandle(scm);
    return err;
}

/* ---- pass 2: the registry ----------------------------------------------- */

static bw_err read_altitudes(const bw_api *api, HKEY svc, bw_service_entry *e, bw_win_regbuf *buf,
                             bw_snapshot *snap)
{
    bw_win_status st;
    HKEY inst = NULL;
    bw_strlist names = {0};
    char *where = bw_strfmt("%s\\Instances", e->source);
    if (!where)
        return BW_ENOMEM;
    bw_err err =
        bw_win_reg_open_field(api, svc, "Instances", KEY_WOW64_64KEY, &inst, where, snap);
    if (err != BW_OK || !inst)
        goto out;
    err = bw_win_reg_subkeys_field(api, inst, where, &names, snap);
    if (err != BW_OK)
        goto out;
    for (size_t i = 0; i < names.n; i++) {
        HKEY k = NULL;
        char *kwhere = bw_strfmt("%s\\%s", where, names.items[i]);
        if (!kwhere) {
            err = BW_ENOMEM;
            goto out;
        }
        err = bw_win_reg_open(api, inst, names.items[i], KEY_WOW64_64KEY, &k, &st);
        if (err == BW_OK) {
            char *alt = NULL;
            err = bw_win_reg_string_field_in(api, k, kwhere, "Altitude", buf, &alt, snap);
            if (err == BW_OK && alt)
                err = bw_strlist_add_owned(&e->altitudes, alt);
            bw_win_reg_close(api, k);
        } else if (err == BW_ENOTFOUND) {
            err = BW_OK;
        } else if (err != BW_ENOMEM) {
            err = bw_win_gap(snap, kwhere, &st);
        }
        free(kwhere);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_strlist_free(&names);
    bw_win_reg_close(api, inst);
    free(where);
    return err;
}

static bw_err registry_service(const bw_api *api, svc_index *ix, bw_snapshot *snap, HKEY services,
                               const char *name, bw_win_regbuf *buf)
{
    bw_win_status st;
    HKEY key = NULL;
    bw_service_entry *e = NULL;
    char *src = bw_strfmt("HKLM\\" SERVICES_PATH "\\%s", name);
    if (!src)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open(api, services, name, KEY_WOW64_64KEY, &key, &st);
    if (err == BW_ENOTFOUND) { /* deleted since the enumeration */
        err = BW_OK;
        goto out;
    }
    if (err == BW_ENOMEM)
        goto out;
    if (err != BW_OK) {
        /* Unreadable: keep the name, say why. */
        e = index_find(ix, snap, name);
        if (!e) {
            err = add_service(ix, snap, name, &e);
            if (err != BW_OK)
                goto out;
        }
        e->in_registry = true;
        err = bw_win_gap(snap, src, &st);
        goto out;
    }

    uint32_t type = 0;
    bool has_type = false;
    bw_win_status tst;
    bw_err terr = bw_win_reg_dword(api, key, "Type", &type, &tst);
    if (terr == BW_ENOMEM) {
        err = terr;
        goto out;
    }
    has_type = terr == BW_OK;
    e = index_find(ix, snap, name);
    if (terr == BW_ENOTFOUND && !e) /* not a service: a leftover or a parameter key */
        goto out;
    if (!e) {
        err = add_service(ix, snap, name, &e);
        if (err != BW_OK)
            goto out;
    }
    e->in_registry = true;
    free(e->source); /* the key's own spelling of the name */
    e->source = src;
    src = NULL;
    if (has_type) {
        e->type = type;
        e->has_type = true;
    } else if (terr != BW_ENOTFOUND) {
        char *w = bw_strfmt("%s\\Type", e->source);
        if (!w) {
            err = BW_ENOMEM;
            goto out;
        }
        err = bw_win_gap(snap, w, &tst);
        free(w);
        if (err != BW_OK)
            goto out;
    }
    err = bw_win_reg_dword_field(api, key, e->source, "Start", &e->start, &e->has_start, snap);
    if (err != BW_OK)
        goto out;
    uint32_t delayed = 0;
    bool has_delayed = false;
    err = bw_win_reg_dword_field(api, key, e->source, "DelayedAutostart", &delayed, &has_delayed,
                                 snap);
    if (err != BW_OK)
        goto out;
    e->delayed_auto = has_delayed && delayed != 0;
    err = bw_win_reg_string_field_in(api, key, e->source, "ImagePath", buf, &e->image_path, snap);
    if (err != BW_OK)
        goto out;
    err = bw_win_reg_string_field_in(api, key, e->source, "Description", buf, &e->description,
                                     snap);
    if (err != BW_OK)
        goto out;
    err = bw_win_reg_string_field_in(api, key, e->source, "Group", buf, &e->group, snap);
    if (err != BW_OK)
        goto out;
    /* The SCM's display name wins; the value stands in when there is none. */
    if (!e->display_name) {
        err = bw_win_reg_string_field_in(api, key, e->source, "DisplayName", buf,
                                         &e->display_name, snap);
        if (err != BW_OK)
            goto out;
    }
    err = read_altitudes(api, key, e, buf, snap);
out:
    bw_win_reg_close(api, key);
    free(src);
    return err;
}

static bw_err registry_pass(const bw_api *api, svc_index *ix, bw_snapshot *snap)
{
    HKEY services = NULL;
    bw_strlist names = {0};
    bw_win_regbuf buf = {0}; /* every value is read through it: one call each */
    const char *where = "HKLM\\" SERVICES_PATH;
    bw_err err = bw_win_reg_open_field(api, HKEY_LOCAL_MACHINE, SERVICES_PATH, KEY_WOW64_64KEY,
                                       &services, where, snap);
    if (err != BW_OK || !services)
        goto out;
    err = bw_win_reg_subkeys_field(api, services, where, &names, snap);
    if (err != BW_OK)
        goto out;
    for (size_t i = 0; i < names.n; i++) {
        err = registry_service(api, ix, snap, services, names.items[i], &buf);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_strlist_free(&names);
    bw_win_regbuf_free(&buf);
    bw_win_reg_close(api, services);
    return err;
}

bw_err bw_win_collect_services(const bw_api *api, bw_snapshot *snap)
{
    svc_index ix = {0};
    bw_err err = BW_OK;
    /* Services already in the snapshot (an earlier call) merge too. */
    for (size_t i = 0; i < snap->n_services && err == BW_OK; i++)
        if (snap->services[i].name)
            err = index_add(&ix, snap, i);
    if (err == BW_OK)
        err = scm_pass(api, &ix, snap);
    if (err == BW_OK)
        err = registry_pass(api, &ix, snap);
    free(ix.slots);
    return err;
}
