/*
 * fake_scm.c - the fake service control manager for the containment
 * effect tests: services, access rights, stops that take time, a fake
 * clock and the Group Policy value (see fake_scm.h).
 */
#include "fake_scm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bw_str.h"

/* ---- the model ------------------------------------------------------------ */

#define HANDLE_MAGIC 0x53434d46u
enum { H_SCM, H_SVC, H_KEY };

typedef struct fhandle {
    unsigned magic;
    int kind;
    size_t svc;   /* H_SVC: index into F.svcs */
    DWORD access; /* H_SVC: the rights granted */
    struct fhandle *next;
} fhandle;

typedef struct fsvc {
    uint16_t *name, *display; /* display may be NULL */
    size_t name_len;
    DWORD type, start, state, wait_hint, checkpoint, pid;
    DWORD protection;
    bool config2_unsupported;
    DWORD deny_access, deny_err;
    DWORD change_err, control_err, start_err;
    fscm_stop stop;
    unsigned stop_polls, start_polls;
    unsigned pending_left; /* polls left before a pending state ends */
    size_t *deps;          /* indices of the services it depends on */
    size_t n_deps;
    unsigned calls[FSCM_FN_COUNT];
} fsvc;

#define CLOCK0 UINT64_C(86400000) /* a machine up for a day */
#define CLOCK_LIMIT_MS UINT64_C(3600000)
#define CALL_LIMIT 100000u

static struct {
    fsvc *svcs;
    size_t n_svcs;
    fhandle *handles;
    size_t n_handles;
    DWORD scm_open_error;
    struct {
        bool key, value;
        DWORD type;
        unsigned char *data;
        DWORD size;
        DWORD open_err, query_err;
    } gp;
    uint64_t clock, filetime;
    unsigned calls[FSCM_FN_COUNT];  /* clearable */
    unsigned counted[FSCM_FN_COUNT]; /* for the injections */
    struct {
        fscm_fn fn;
        unsigned nth;
        DWORD err;
    } inj[32];
    size_t n_inj;
} F;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    assert_non_null(p);
    return p;
}

static uint16_t *wdup(const char *s, size_t *len)
{
    uint16_t *w = NULL;
    assert_int_equal(bw_utf8_to_utf16(s, &w, len), BW_OK);
    return w;
}

static size_t wlen(const uint16_t *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    return n;
}

static uint16_t fold(uint16_t c)
{
    if (c >= 0xD800 && c <= 0xDFFF)
        return c;
    uint32_t f = bw_casefold(c);
    return f <= 0xFFFF ? (uint16_t)f : c;
}

static bool name_eq(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return true;
}

static fsvc *find_svc(const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < F.n_svcs; i++)
        if (name_eq(F.svcs[i].name, F.svcs[i].name_len, name, n))
            return &F.svcs[i];
    return NULL;
}

/* A service named by a builder or an inspector; fails the test if absent. */
static fsvc *svc(const char *name)
{
    size_t n;
    uint16_t *w = wdup(name, &n);
    fsvc *s = find_svc(w, n);
    free(w);
    if (!s)
        fail_msg("fake SCM: no service %s", name);
    return s;
}

static size_t svc_index(const fsvc *s)
{
    return (size_t)(s - F.svcs);
}

static bool active(const fsvc *s)
{
    return s->state != SERVICE_STOPPED;
}

/* ---- builders ----------------------------------------------------------- */

void fscm_service(const char *name, const char *display, uint32_t type, uint32_t start,
                  uint32_t state, uint32_t wait_hint_ms)
{
    size_t n;
    uint16_t *w = wdup(name, &n);
    if (find_svc(w, n))
        fail_msg("fake SCM: service %s added twice", name);
    fsvc *a = realloc(F.svcs, (F.n_svcs + 1) * sizeof *a);
    assert_non_null(a);
    F.svcs = a;
    fsvc *s = &a[F.n_svcs++];
    memset(s, 0, sizeof *s);
    s->name = w;
    s->name_len = n;
    s->display = display ? wdup(display, NULL) : NULL;
    s->type = type;
    s->start = start;
    s->state = state;
    s->wait_hint = wait_hint_ms;
    s->pid = state == SERVICE_STOPPED ? 0 : (DWORD)(1000 + 4 * F.n_svcs);
    assert_true(start <= SERVICE_DISABLED);
    assert_true(state == SERVICE_RUNNING || state == SERVICE_STOPPED);
}

void fscm_depends(const char *dependent, const char *on)
{
    fsvc *d = svc(dependent);
    size_t o = svc_index(svc(on));
    size_t *a = realloc(d->deps, (d->n_deps + 1) * sizeof *a);
    assert_non_null(a);
    d->deps = a;
    d->deps[d->n_deps++] = o;
}

void fscm_launch_protected(const char *name, uint32_t level)
{
    svc(name)->protection = level;
}

void fscm_config2_unsupported(const char *name)
{
    svc(name)->config2_unsupported = true;
}

void fscm_open_deny(const char *name, uint32_t access, uint32_t err)
{
    fsvc *s = svc(name);
    s->deny_access = access;
    s->deny_err = err;
}

void fscm_change_error(const char *name, uint32_t err)
{
    svc(name)->change_err = err;
}

void fscm_control_error(const char *name, uint32_t err)
{
    svc(name)->control_err = err;
}

void fscm_start_error(const char *name, uint32_t err)
{
    svc(name)->start_err = err;
}

void fscm_stop_behaviour(const char *name, fscm_stop how, unsigned polls)
{
    fsvc *s = svc(name);
    s->stop = how;
    s->stop_polls = polls;
}

void fscm_start_polls(const char *name, unsigned polls)
{
    svc(name)->start_polls = polls;
}

void fscm_scm_open_error(uint32_t err)
{
    F.scm_open_error = err;
}

void fscm_gp_key(void)
{
    F.gp.key = true;
}

void fscm_gp_value(uint32_t type, const void *data, size_t size)
{
    F.gp.key = true;
    F.gp.value = true;
    F.gp.type = type;
    free(F.gp.data);
    F.gp.data = xcalloc(size + 1, 1);
    if (size)
        memcpy(F.gp.data, data, size);
    F.gp.size = (DWORD)size;
}

void fscm_gp_sz(const char *s)
{
    size_t n;
    uint16_t *w = wdup(s, &n);
    fscm_gp_value(REG_SZ, w, (n + 1) * sizeof *w);
    free(w);
}

void fscm_gp_open_error(uint32_t err)
{
    F.gp.key = true;
    F.gp.open_err = err;
}

void fscm_gp_query_error(uint32_t err)
{
    F.gp.key = true;
    F.gp.query_err = err;
}

void fscm_set_filetime(uint64_t ticks)
{
    F.filetime = ticks;
}

uint64_t fscm_elapsed_ms(void)
{
    return F.clock - CLOCK0;
}

/* ---- inspection and accounting -------------------------------------------- */

uint32_t fscm_start_type(const char *name)
{
    return svc(name)->start;
}

uint32_t fscm_state(const char *name)
{
    return svc(name)->state;
}

unsigned fscm_calls(const char *name, fscm_fn fn)
{
    assert_true(fn < FSCM_FN_COUNT);
    return svc(name)->calls[fn];
}

unsigned fscm_total_calls(fscm_fn fn)
{
    assert_true(fn < FSCM_FN_COUNT);
    return F.calls[fn];
}

void fscm_clear_calls(void)
{
    memset(F.calls, 0, sizeof F.calls);
    for (size_t i = 0; i < F.n_svcs; i++)
        memset(F.svcs[i].calls, 0, sizeof F.svcs[i].calls);
}

void fscm_fail(fscm_fn fn, unsigned nth, uint32_t err)
{
    assert_true(F.n_inj < sizeof F.inj / sizeof F.inj[0]);
    F.inj[F.n_inj].fn = fn;
    F.inj[F.n_inj].nth = nth;
    F.inj[F.n_inj].err = err;
    F.n_inj++;
}

size_t fscm_open_handles(void)
{
    return F.n_handles;
}

void fscm_assert_no_leaks(void)
{
    if (F.n_handles)
        fail_msg("fake SCM: %lu handle(s) left open", (unsigned long)F.n_handles);
}

void fscm_reset(void)
{
    while (F.handles) {
        fhandle *h = F.handles;
        F.handles = h->next;
        free(h);
    }
    for (size_t i = 0; i < F.n_svcs; i++) {
        free(F.svcs[i].name);
        free(F.svcs[i].display);
        free(F.svcs[i].deps);
    }
    free(F.svcs);
    free(F.gp.data);
    memset(&F, 0, sizeof F);
    F.clock = CLOCK0;
    F.filetime = 133720416000000000ULL; /* 2024-09-29T00:00:00Z */
}

int fscm_setup(void **state)
{
    (void)state;
    fscm_reset();
    return 0;
}

int fscm_teardown(void **state)
{
    (void)state;
    fscm_reset();
    return 0;
}

/* ---- handles ------------------------------------------------------------- */

/* Counts a call (in all, and for the service when s is given); returns the
 * injected error for it, or 0. */
static DWORD enter(fscm_fn fn, fsvc *s)
{
    F.calls[fn]++;
    if (s)
        s->calls[fn]++;
    unsigned n = ++F.counted[fn];
    for (size_t i = 0; i < F.n_inj; i++)
        if (F.inj[i].fn == fn && F.inj[i].nth == n)
            return F.inj[i].err;
    return 0;
}

static fhandle *new_handle(int kind)
{
    fhandle *h = xcalloc(1, sizeof *h);
    h->magic = HANDLE_MAGIC;
    h->kind = kind;
    h->next = F.handles;
    F.handles = h;
    F.n_handles++;
    return h;
}

static fhandle *live(const void *p, int kind)
{
    for (fhandle *h = F.handles; h; h = h->next)
        if (h == p && h->kind == kind && h->magic == HANDLE_MAGIC)
            return h;
    return NULL;
}

/* The service of a live service handle; fails the test otherwise. */
static fsvc *svc_of(SC_HANDLE h, const char *fn)
{
    fhandle *fh = live(h, H_SVC);
    if (!fh)
        fail_msg("%s on an invalid, closed or SCM handle %p", fn, (void *)h);
    return &F.svcs[fh->svc];
}

static bool granted(SC_HANDLE h, DWORD right)
{
    return (live(h, H_SVC)->access & right) == right;
}

static BOOL fail_with(DWORD err)
{
    SetLastError(err);
    return FALSE;
}

/* ---- the service control manager -------------------------------------------- */

static SC_HANDLE WINAPI f_OpenSCManagerW(LPCWSTR machine, LPCWSTR db, DWORD access)
{
    DWORD err = enter(FSCM_OpenSCManagerW, NULL);
    (void)access; /* SC_MANAGER_CONNECT is implied, and enough */
    if (machine)
        fail_msg("OpenSCManagerW of a remote machine");
    if (db && !name_eq((const uint16_t *)db, wlen((const uint16_t *)db),
                       (const uint16_t *)SERVICES_ACTIVE_DATABASEW,
                       wlen((const uint16_t *)SERVICES_ACTIVE_DATABASEW)))
        fail_msg("OpenSCManagerW of another database than the active one");
    if (!err)
        err = F.scm_open_error;
    if (err) {
        SetLastError(err);
        return NULL;
    }
    return (SC_HANDLE)new_handle(H_SCM);
}

/* Generic rights mapped to a service's specific rights, as the SCM does. */
static DWORD map_access(DWORD a, const fsvc *s)
{
    DWORD m = a & ~(DWORD)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL |
                           MAXIMUM_ALLOWED);
    if (a & GENERIC_READ)
        m |= STANDARD_RIGHTS_READ | SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS |
             SERVICE_INTERROGATE | SERVICE_ENUMERATE_DEPENDENTS;
    if (a & GENERIC_WRITE)
        m |= STANDARD_RIGHTS_WRITE | SERVICE_CHANGE_CONFIG;
    if (a & GENERIC_EXECUTE)
        m |= STANDARD_RIGHTS_EXECUTE | SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE |
             SERVICE_USER_DEFINED_CONTROL;
    if (a & GENERIC_ALL)
        m |= SERVICE_ALL_ACCESS;
    if (a & MAXIMUM_ALLOWED)
        m |= SERVICE_ALL_ACCESS & ~s->deny_access;
    return m;
}

static SC_HANDLE WINAPI f_OpenServiceW(SC_HANDLE scm, LPCWSTR name, DWORD access)
{
    if (!live(scm, H_SCM))
        fail_msg("OpenServiceW on an invalid or closed SCM handle %p", (void *)scm);
    assert_non_null(name);
    fsvc *s = find_svc((const uint16_t *)name, wlen((const uint16_t *)name));
    DWORD err = enter(FSCM_OpenServiceW, s);
    if (!err && !s)
        err = ERROR_SERVICE_DOES_NOT_EXIST;
    DWORD want = s ? map_access(access, s) : 0;
    if (!err && (want & s->deny_access))
        err = s->deny_err;
    if (err) {
        SetLastError(err);
        return NULL;
    }
    fhandle *h = new_handle(H_SVC);
    h->svc = svc_index(s);
    h->access = want;
    return (SC_HANDLE)h;
}

static BOOL WINAPI f_CloseServiceHandle(SC_HANDLE h)
{
    fhandle *fh = live(h, H_SVC);
    if (!fh)
        fh = live(h, H_SCM);
    if (!fh)
        fail_msg("CloseServiceHandle of an invalid or closed handle %p", (void *)h);
    DWORD err = enter(FSCM_CloseServiceHandle, fh->kind == H_SVC ? &F.svcs[fh->svc] : NULL);
    for (fhandle **pp = &F.handles; *pp; pp = &(*pp)->next) {
        if (*pp == fh) {
            *pp = fh->next;
            fh->magic = 0;
            free(fh);
            F.n_handles--;
            break;
        }
    }
    return err ? fail_with(err) : TRUE;
}

/* One poll of a service: a pending state moves on. */
static void poll_svc(fsvc *s)
{
    if (s->state == SERVICE_STOP_PENDING && s->stop == FSCM_STOP_AFTER_POLLS) {
        if (s->pending_left) {
            s->pending_left--;
            s->checkpoint++;
        } else {
            s->state = SERVICE_STOPPED;
            s->checkpoint = 0;
            s->pid = 0;
        }
    } else if (s->state == SERVICE_START_PENDING) {
        if (s->pending_left) {
            s->pending_left--;
            s->checkpoint++;
        } else {
            s->state = SERVICE_RUNNING;
            s->checkpoint = 0;
        }
    }
}

static bool pending(const fsvc *s)
{
    return s->state == SERVICE_STOP_PENDING || s->state == SERVICE_START_PENDING ||
           s->state == SERVICE_CONTINUE_PENDING || s->state == SERVICE_PAUSE_PENDING;
}

static void fill_status(const fsvc *s, SERVICE_STATUS *st)
{
    memset(st, 0, sizeof *st);
    st->dwServiceType = s->type;
    st->dwCurrentState = s->state;
    if (s->state == SERVICE_RUNNING && s->stop != FSCM_STOP_REFUSED)
        st->dwControlsAccepted = SERVICE_ACCEPT_STOP;
    st->dwCheckPoint = pending(s) ? s->checkpoint : 0;
    st->dwWaitHint = pending(s) ? s->wait_hint : 0;
}

static BOOL WINAPI f_QueryServiceStatusEx(SC_HANDLE h, SC_STATUS_TYPE level, LPBYTE buf,
                                          DWORD cb, LPDWORD needed)
{
    fsvc *s = svc_of(h, "QueryServiceStatusEx");
    DWORD err = enter(FSCM_QueryServiceStatusEx, s);
    if (F.calls[FSCM_QueryServiceStatusEx] > CALL_LIMIT)
        fail_msg("QueryServiceStatusEx called %u times: a wait loop that never ends",
                 CALL_LIMIT);
    if (level != SC_STATUS_PROCESS_INFO)
        fail_msg("QueryServiceStatusEx level %d, not SC_STATUS_PROCESS_INFO", (int)level);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_QUERY_STATUS))
        return fail_with(ERROR_ACCESS_DENIED);
    if (!buf || cb < sizeof(SERVICE_STATUS_PROCESS)) {
        *needed = sizeof(SERVICE_STATUS_PROCESS);
        return fail_with(ERROR_INSUFFICIENT_BUFFER);
    }
    poll_svc(s);
    SERVICE_STATUS st;
    fill_status(s, &st);
    SERVICE_STATUS_PROCESS *p = (SERVICE_STATUS_PROCESS *)buf;
    memset(p, 0, sizeof *p);
    p->dwServiceType = st.dwServiceType;
    p->dwCurrentState = st.dwCurrentState;
    p->dwControlsAccepted = st.dwControlsAccepted;
    p->dwCheckPoint = st.dwCheckPoint;
    p->dwWaitHint = st.dwWaitHint;
    p->dwProcessId = s->state == SERVICE_STOPPED ? 0 : s->pid;
    *needed = sizeof(SERVICE_STATUS_PROCESS);
    return TRUE;
}

static bool is_driver(const fsvc *s)
{
    return (s->type & (SERVICE_KERNEL_DRIVER | SERVICE_FILE_SYSTEM_DRIVER)) != 0;
}

/* The strings of QueryServiceConfigW, as UTF-16 with their NULs. */
typedef struct cfg_strings {
    bw_buf path, deps, account, display;
} cfg_strings;

static void buf_w(bw_buf *b, const uint16_t *s, size_t n)
{
    bw_buf_append(b, (const char *)s, n * sizeof *s);
    bw_buf_append(b, "\0", 2);
}

static void buf_u8(bw_buf *b, const char *s)
{
    size_t n;
    uint16_t *w = wdup(s, &n);
    buf_w(b, w, n);
    free(w);
}

static void cfg_make(const fsvc *s, cfg_strings *c)
{
    memset(c, 0, sizeof *c);
    char *name = NULL;
    assert_int_equal(bw_utf16_to_utf8(s->name, s->name_len, &name), BW_OK);
    char *path = is_driver(s) ? bw_strfmt("\\SystemRoot\\System32\\drivers\\%s.sys", name)
                              : bw_strfmt("\"C:\\Program Files (x86)\\Vendor\\%s.exe\"", name);
    buf_u8(&c->path, path);
    free(path);
    free(name);
    for (size_t i = 0; i < s->n_deps; i++) {
        const fsvc *d = &F.svcs[s->deps[i]];
        buf_w(&c->deps, d->name, d->name_len);
    }
    bw_buf_append(&c->deps, "\0", 2);
    buf_u8(&c->account, is_driver(s) ? "" : "LocalSystem");
    if (s->display)
        buf_w(&c->display, s->display, wlen(s->display));
    else
        buf_w(&c->display, s->name, s->name_len);
    assert_false(c->path.failed || c->deps.failed || c->account.failed || c->display.failed);
}

static void cfg_free(cfg_strings *c)
{
    bw_buf_free(&c->path);
    bw_buf_free(&c->deps);
    bw_buf_free(&c->account);
    bw_buf_free(&c->display);
}

static LPWSTR put(BYTE **at, const bw_buf *b)
{
    LPWSTR p = (LPWSTR)*at;
    memcpy(*at, b->data, b->len);
    *at += b->len;
    return p;
}

static const uint16_t EMPTY_W[1] = {0};

static BOOL WINAPI f_QueryServiceConfigW(SC_HANDLE h, LPQUERY_SERVICE_CONFIGW cfg, DWORD cb,
                                         LPDWORD needed)
{
    fsvc *s = svc_of(h, "QueryServiceConfigW");
    DWORD err = enter(FSCM_QueryServiceConfigW, s);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_QUERY_CONFIG))
        return fail_with(ERROR_ACCESS_DENIED);
    cfg_strings c;
    cfg_make(s, &c);
    size_t need = sizeof *cfg + c.path.len + sizeof EMPTY_W + c.deps.len + c.account.len +
                  c.display.len;
    if (!cfg || cb < need) {
        *needed = (DWORD)need;
        cfg_free(&c);
        return fail_with(ERROR_INSUFFICIENT_BUFFER);
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->dwServiceType = s->type;
    cfg->dwStartType = s->start;
    cfg->dwErrorControl = SERVICE_ERROR_NORMAL;
    BYTE *at = (BYTE *)(cfg + 1);
    cfg->lpBinaryPathName = put(&at, &c.path);
    cfg->lpLoadOrderGroup = (LPWSTR)at;
    memcpy(at, EMPTY_W, sizeof EMPTY_W);
    at += sizeof EMPTY_W;
    cfg->dwTagId = 0;
    cfg->lpDependencies = put(&at, &c.deps);
    cfg->lpServiceStartName = put(&at, &c.account);
    cfg->lpDisplayName = put(&at, &c.display);
    *needed = (DWORD)need;
    cfg_free(&c);
    return TRUE;
}

static BOOL WINAPI f_QueryServiceConfig2W(SC_HANDLE h, DWORD level, LPBYTE buf, DWORD cb,
                                          LPDWORD needed)
{
    fsvc *s = svc_of(h, "QueryServiceConfig2W");
    DWORD err = enter(FSCM_QueryServiceConfig2W, s);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_QUERY_CONFIG))
        return fail_with(ERROR_ACCESS_DENIED);
    if (s->config2_unsupported)
        return fail_with(ERROR_INVALID_LEVEL);
    if (level != SERVICE_CONFIG_LAUNCH_PROTECTED)
        fail_msg("QueryServiceConfig2W level %lu: containment reads only the launch "
                 "protection (%d)",
                 (unsigned long)level, SERVICE_CONFIG_LAUNCH_PROTECTED);
    /* SERVICE_LAUNCH_PROTECTED_INFO: one DWORD, dwLaunchProtected. */
    DWORD v = s->protection;
    *needed = sizeof v;
    if (!buf || cb < sizeof v)
        return fail_with(ERROR_INSUFFICIENT_BUFFER);
    memcpy(buf, &v, sizeof v);
    return TRUE;
}

static BOOL WINAPI f_ChangeServiceConfigW(SC_HANDLE h, DWORD type, DWORD start, DWORD errctl,
                                          LPCWSTR path, LPCWSTR group, LPDWORD tag,
                                          LPCWSTR deps, LPCWSTR account, LPCWSTR password,
                                          LPCWSTR display)
{
    fsvc *s = svc_of(h, "ChangeServiceConfigW");
    DWORD err = enter(FSCM_ChangeServiceConfigW, s);
    if (type != SERVICE_NO_CHANGE)
        fail_msg("ChangeServiceConfigW changes the service type (0x%lx)", (unsigned long)type);
    if (errctl != SERVICE_NO_CHANGE)
        fail_msg("ChangeServiceConfigW changes the error control (%lu)", (unsigned long)errctl);
    if (path || group || tag || deps || account || password || display)
        fail_msg("ChangeServiceConfigW changes more than the start type (path %p, group %p, "
                 "tag %p, dependencies %p, account %p, password %p, display name %p)",
                 (const void *)path, (const void *)group, (const void *)tag,
                 (const void *)deps, (const void *)account, (const void *)password,
                 (const void *)display);
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_CHANGE_CONFIG))
        return fail_with(ERROR_ACCESS_DENIED);
    if (s->change_err)
        return fail_with(s->change_err);
    if (start == SERVICE_NO_CHANGE)
        return TRUE;
    if (start > SERVICE_DISABLED || (start < SERVICE_AUTO_START && !is_driver(s)))
        return fail_with(ERROR_INVALID_PARAMETER);
    s->start = start;
    return TRUE;
}

static BOOL WINAPI f_ControlService(SC_HANDLE h, DWORD control, LPSERVICE_STATUS st)
{
    fsvc *s = svc_of(h, "ControlService");
    DWORD err = enter(FSCM_ControlService, s);
    assert_non_null(st);
    if (control != SERVICE_CONTROL_STOP && control != SERVICE_CONTROL_INTERROGATE)
        fail_msg("ControlService with control %lu: containment only stops services",
                 (unsigned long)control);
    if (err)
        return fail_with(err);
    DWORD right = control == SERVICE_CONTROL_STOP ? SERVICE_STOP : SERVICE_INTERROGATE;
    if (!granted(h, right))
        return fail_with(ERROR_ACCESS_DENIED);
    if (control == SERVICE_CONTROL_INTERROGATE) {
        fill_status(s, st);
        if (s->state == SERVICE_STOPPED)
            return fail_with(ERROR_SERVICE_NOT_ACTIVE);
        return TRUE;
    }
    if (s->control_err)
        return fail_with(s->control_err);
    /* The errors for which Windows also returns the status. */
    DWORD status_err = 0;
    if (s->state == SERVICE_STOPPED)
        status_err = ERROR_SERVICE_NOT_ACTIVE;
    else if (pending(s))
        status_err = ERROR_SERVICE_CANNOT_ACCEPT_CTRL;
    else if (s->stop == FSCM_STOP_REFUSED)
        status_err = ERROR_INVALID_SERVICE_CONTROL;
    if (status_err) {
        fill_status(s, st);
        return fail_with(status_err);
    }
    for (size_t i = 0; i < F.n_svcs; i++) {
        const fsvc *d = &F.svcs[i];
        for (size_t k = 0; k < d->n_deps; k++)
            if (d->deps[k] == svc_index(s) && active(d))
                return fail_with(ERROR_DEPENDENT_SERVICES_RUNNING);
    }
    switch (s->stop) {
    case FSCM_STOP_AT_ONCE:
        s->state = SERVICE_STOPPED;
        s->pid = 0;
        s->checkpoint = 0;
        break;
    case FSCM_STOP_AFTER_POLLS:
    case FSCM_STOP_NEVER:
        s->state = SERVICE_STOP_PENDING;
        s->checkpoint = 1;
        s->pending_left = s->stop_polls;
        break;
    case FSCM_STOP_REFUSED:
        break;
    }
    fill_status(s, st);
    return TRUE;
}

/* Starts a service and, first, what it depends on; 0 or the error. */
static DWORD start_svc(fsvc *s, unsigned depth)
{
    if (depth > F.n_svcs)
        fail_msg("fake SCM: circular dependencies");
    if (s->start == SERVICE_DISABLED)
        return ERROR_SERVICE_DISABLED;
    for (size_t i = 0; i < s->n_deps; i++) {
        fsvc *d = &F.svcs[s->deps[i]];
        if (d->state == SERVICE_RUNNING)
            continue;
        if (d->state != SERVICE_STOPPED || d->start_err || start_svc(d, depth + 1))
            return ERROR_SERVICE_DEPENDENCY_FAIL;
    }
    s->pid = (DWORD)(1000 + 4 * (svc_index(s) + 1));
    if (s->start_polls) {
        s->state = SERVICE_START_PENDING;
        s->checkpoint = 1;
        s->pending_left = s->start_polls;
    } else {
        s->state = SERVICE_RUNNING;
        s->checkpoint = 0;
    }
    return 0;
}

static BOOL WINAPI f_StartServiceW(SC_HANDLE h, DWORD argc, LPCWSTR *argv)
{
    fsvc *s = svc_of(h, "StartServiceW");
    DWORD err = enter(FSCM_StartServiceW, s);
    (void)argv;
    if (argc)
        fail_msg("StartServiceW with %lu arguments: a restored service starts as Windows "
                 "would start it",
                 (unsigned long)argc);
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_START))
        return fail_with(ERROR_ACCESS_DENIED);
    if (s->start_err)
        return fail_with(s->start_err);
    if (s->start == SERVICE_DISABLED)
        return fail_with(ERROR_SERVICE_DISABLED);
    if (s->state != SERVICE_STOPPED)
        return fail_with(ERROR_SERVICE_ALREADY_RUNNING);
    err = start_svc(s, 0);
    return err ? fail_with(err) : TRUE;
}

/* Appends the dependents of s (theirs first) to list, each once. */
static void dependents(size_t s, size_t *list, size_t *n, bool *seen, unsigned depth)
{
    if (depth > F.n_svcs)
        fail_msg("fake SCM: circular dependencies");
    for (size_t i = 0; i < F.n_svcs; i++) {
        const fsvc *d = &F.svcs[i];
        for (size_t k = 0; k < d->n_deps; k++) {
            if (d->deps[k] != s || seen[i])
                continue;
            dependents(i, list, n, seen, depth + 1);
            if (!seen[i]) {
                seen[i] = true;
                list[(*n)++] = i;
            }
        }
    }
}

static size_t enum_entry_bytes(const fsvc *s)
{
    const uint16_t *disp = s->display ? s->display : s->name;
    return sizeof(ENUM_SERVICE_STATUSW) + (s->name_len + 1) * 2 + (wlen(disp) + 1) * 2;
}

static BOOL WINAPI f_EnumDependentServicesW(SC_HANDLE h, DWORD states,
                                            LPENUM_SERVICE_STATUSW buf, DWORD cb,
                                            LPDWORD needed, LPDWORD returned)
{
    fsvc *s = svc_of(h, "EnumDependentServicesW");
    DWORD err = enter(FSCM_EnumDependentServicesW, s);
    assert_non_null(needed);
    assert_non_null(returned);
    *needed = 0;
    *returned = 0;
    if (err)
        return fail_with(err);
    if (!granted(h, SERVICE_ENUMERATE_DEPENDENTS))
        return fail_with(ERROR_ACCESS_DENIED);
    if (states != SERVICE_ACTIVE && states != SERVICE_INACTIVE && states != SERVICE_STATE_ALL)
        return fail_with(ERROR_INVALID_PARAMETER);
    size_t *all = xcalloc(F.n_svcs, sizeof *all), n_all = 0;
    bool *seen = xcalloc(F.n_svcs, sizeof *seen);
    dependents(svc_index(s), all, &n_all, seen, 0);
    free(seen);
    size_t *pick = xcalloc(F.n_svcs, sizeof *pick), n = 0, need = 0;
    for (size_t i = 0; i < n_all; i++) {
        const fsvc *d = &F.svcs[all[i]];
        bool on = active(d);
        if ((on && (states & SERVICE_ACTIVE)) || (!on && (states & SERVICE_INACTIVE))) {
            pick[n++] = all[i];
            need += enum_entry_bytes(d);
        }
    }
    free(all);
    if (n && (!buf || cb < need)) {
        free(pick);
        *needed = (DWORD)need;
        return fail_with(ERROR_MORE_DATA);
    }
    /* The array at the front, the strings from the back (2-byte aligned). */
    BYTE *strings = n ? (BYTE *)buf + (cb & ~(DWORD)1) : NULL;
    for (size_t i = 0; i < n; i++) {
        const fsvc *d = &F.svcs[pick[i]];
        const uint16_t *disp = d->display ? d->display : d->name;
        size_t nb = (d->name_len + 1) * 2, db = (wlen(disp) + 1) * 2;
        strings -= nb;
        memcpy(strings, d->name, nb);
        buf[i].lpServiceName = (LPWSTR)strings;
        strings -= db;
        memcpy(strings, disp, db);
        buf[i].lpDisplayName = (LPWSTR)strings;
        fill_status(d, &buf[i].ServiceStatus);
    }
    free(pick);
    *returned = (DWORD)n;
    return TRUE;
}

/* ---- the clock ----------------------------------------------------------- */

static ULONGLONG WINAPI f_GetTickCount64(void)
{
    return F.clock;
}

static VOID WINAPI f_Sleep(DWORD ms)
{
    enter(FSCM_Sleep, NULL);
    if (ms == INFINITE)
        fail_msg("Sleep(INFINITE)");
    F.clock += ms;
    if (F.calls[FSCM_Sleep] > CALL_LIMIT)
        fail_msg("Sleep called %u times: a wait loop that never ends", CALL_LIMIT);
    if (F.clock - CLOCK0 > CLOCK_LIMIT_MS)
        fail_msg("the fake clock ran an hour: a wait loop that never ends");
}

static VOID WINAPI f_GetSystemTimeAsFileTime(LPFILETIME ft)
{
    ft->dwLowDateTime = (DWORD)F.filetime;
    ft->dwHighDateTime = (DWORD)(F.filetime >> 32);
}

/* ---- the Group Policy key ---------------------------------------------------- */

static bool w_eq(LPCWSTR a, const wchar_t *b)
{
    return a && name_eq((const uint16_t *)a, wlen((const uint16_t *)a), (const uint16_t *)b,
                        wlen((const uint16_t *)b));
}

static LSTATUS WINAPI f_RegOpenKeyExW(HKEY parent, LPCWSTR sub, DWORD opts, REGSAM sam,
                                      PHKEY out)
{
    DWORD err = enter(FSCM_RegOpenKeyExW, NULL);
    assert_non_null(out);
    assert_int_equal(opts, 0);
    *out = NULL;
    if (sam & (KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_CREATE_LINK | DELETE | WRITE_DAC |
               WRITE_OWNER))
        fail_msg("registry opened with write access (0x%lx)", (unsigned long)sam);
    if (parent != HKEY_LOCAL_MACHINE)
        fail_msg("RegOpenKeyExW under another root than HKLM");
    if (err)
        return (LSTATUS)err;
    if (!w_eq(sub, L"SOFTWARE\\Policies\\banwatch") || !F.gp.key)
        return ERROR_FILE_NOT_FOUND;
    if (F.gp.open_err)
        return (LSTATUS)F.gp.open_err;
    *out = (HKEY)new_handle(H_KEY);
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegCloseKey(HKEY h)
{
    fhandle *fh = live(h, H_KEY);
    if (!fh)
        fail_msg("RegCloseKey of an invalid or closed handle %p", (void *)h);
    for (fhandle **pp = &F.handles; *pp; pp = &(*pp)->next) {
        if (*pp == fh) {
            *pp = fh->next;
            fh->magic = 0;
            free(fh);
            F.n_handles--;
            break;
        }
    }
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegQueryValueExW(HKEY h, LPCWSTR name, LPDWORD res, LPDWORD type,
                                         LPBYTE data, LPDWORD cb)
{
    DWORD err = enter(FSCM_RegQueryValueExW, NULL);
    if (!live(h, H_KEY))
        fail_msg("RegQueryValueExW on an invalid or closed handle %p", (void *)h);
    assert_null(res);
    if (err)
        return (LSTATUS)err;
    if (F.gp.query_err)
        return (LSTATUS)F.gp.query_err;
    if (!w_eq(name, L"ContainmentMode") || !F.gp.value)
        return ERROR_FILE_NOT_FOUND;
    if (type)
        *type = F.gp.type;
    if (!data) {
        if (cb)
            *cb = F.gp.size;
        return ERROR_SUCCESS;
    }
    if (!cb)
        return ERROR_INVALID_PARAMETER;
    if (*cb < F.gp.size) {
        *cb = F.gp.size;
        return ERROR_MORE_DATA;
    }
    memcpy(data, F.gp.data, F.gp.size);
    *cb = F.gp.size;
    return ERROR_SUCCESS;
}

/* Only what the containment effects use; every other entry is NULL. */
static const bw_api fscm_table = {
    .RegOpenKeyExW = f_RegOpenKeyExW,
    .RegCloseKey = f_RegCloseKey,
    .RegQueryValueExW = f_RegQueryValueExW,
    .OpenSCManagerW = f_OpenSCManagerW,
    .CloseServiceHandle = f_CloseServiceHandle,
    .GetSystemTimeAsFileTime = f_GetSystemTimeAsFileTime,
    .OpenServiceW = f_OpenServiceW,
    .ChangeServiceConfigW = f_ChangeServiceConfigW,
    .ControlService = f_ControlService,
    .QueryServiceStatusEx = f_QueryServiceStatusEx,
    .QueryServiceConfigW = f_QueryServiceConfigW,
    .QueryServiceConfig2W = f_QueryServiceConfig2W,
    .StartServiceW = f_StartServiceW,
    .EnumDependentServicesW = f_EnumDependentServicesW,
    .GetTickCount64 = f_GetTickCount64,
    .Sleep = f_Sleep,
};

const bw_api *fscm_api(void)
{
    return &fscm_table;
}
