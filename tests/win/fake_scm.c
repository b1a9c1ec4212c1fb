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
#include "fake_common.h"

/* ---- the model ------------------------------------------------------------ */

enum { H_SCM, H_SVC, H_KEY };

typedef struct fhandle {
    fc_handle base; /* first */
    size_t svc;     /* H_SVC: index into F.svcs */
    DWORD access;   /* H_SVC: the rights granted */
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

#define CLOCK0         UINT64_C(86400000) /* a machine up for a day */
#define CLOCK_LIMIT_MS UINT64_C(3600000)
#define CALL_LIMIT     100000u

static struct {
    fsvc *svcs;
    size_t n_svcs;
    fc_handles handles;
    DWORD scm_open_error;
    struct {
        bool key, value;
        DWORD type;
        unsigned char *data;
        DWORD size;
        DWORD open_err, query_err;
    } gp;
    uint64_t clock, filetime;
    unsigned calls[FSCM_FN_COUNT];   /* clearable */
    unsigned counted[FSCM_FN_COUNT]; /* for the injections */
    struct {
        fscm_fn fn;
        unsigned nth;
        DWORD err;
    } inj[32];
    size_t n_inj;
} F;

static fsvc *find_svc(const uint16_t *name, size_t n)
{
    for (size_t i = 0; i < F.n_svcs; i++)
        if (fc_name_eq(F.svcs[i].name, F.svcs[i].name_len, name, n))
            return &F.svcs[i];
    return NULL;
}

/* A service named by a builder or an inspector; fails the test if absent. */
static fsvc *svc(const char *name)
{
    size_t n;
    uint16_t *w = fc_wdup(name, &n);
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

/* The display name, or the key name when it has none (as Windows shows it). */
static const uint16_t *display_of(const fsvc *s)
{
    return s->display ? s->display : s->name;
}

/* ---- builders ----------------------------------------------------------- */

void fscm_service(const char *name, const char *display, uint32_t type, uint32_t start,
                  uint32_t state, uint32_t wait_hint_ms)
{
    size_t n;
    uint16_t *w = fc_wdup(name, &n);
    if (find_svc(w, n))
        fail_msg("fake SCM: service %s added twice", name);
    fsvc *a = realloc(F.svcs, (F.n_svcs + 1) * sizeof *a);
    assert_non_null(a);
    F.svcs = a;
    fsvc *s = &a[F.n_svcs++];
    memset(s, 0, sizeof *s);
    s->name = w;
    s->name_len = n;
    s->display = display ? fc_wdup(display, NULL) : NULL;
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
    F.gp.data = fc_xcalloc(size + 1, 1);
    if (size)
        memcpy(F.gp.data, data, size);
    F.gp.size = (DWORD)size;
}

void fscm_gp_sz(const char *s)
{
    size_t n;
    uint16_t *w = fc_wdup(s, &n);
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
    return F.handles.n;
}

void fscm_assert_no_leaks(void)
{
    if (F.handles.n)
        fail_msg("fake SCM: %lu handle(s) left open", (unsigned long)F.handles.n);
}

void fscm_reset(void)
{
    fc_handles_free(&F.handles, NULL);
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
    return fc_handle_open(&F.handles, sizeof(fhandle), kind);
}

static fhandle *live(const void *p, int kind)
{
    return fc_handle_live(&F.handles, p, kind);
}

/* How each call on a service handle begins: fails the test unless h is a
 * live service handle, sets *s to its service and counts the call; returns
 * the injected error, else ERROR_ACCESS_DENIED when the handle was not
 * granted `right`, else 0. (SVC_ENTER names the entry once.) */
static DWORD svc_enter(SC_HANDLE h, fscm_fn fn, const char *name, DWORD right, fsvc **s)
{
    fhandle *fh = live(h, H_SVC);
    if (!fh)
        fail_msg("%s on an invalid, closed or SCM handle %p", name, (void *)h);
    *s = &F.svcs[fh->svc];
    DWORD err = enter(fn, *s);
    if (!err && (fh->access & right) != right)
        err = ERROR_ACCESS_DENIED;
    return err;
}

#define SVC_ENTER(h, fn, right, s) svc_enter((h), FSCM_##fn, #fn, (right), (s))

static BOOL fail_with(DWORD err)
{
    SetLastError(err);
    return FALSE;
}

static bool w_eq(LPCWSTR a, const wchar_t *b)
{
    return a && fc_name_eq(a, fc_wlen(a), b, fc_wlen(b));
}

/* ---- the service control manager -------------------------------------------- */

static SC_HANDLE WINAPI f_OpenSCManagerW(LPCWSTR machine, LPCWSTR db, DWORD access)
{
    DWORD err = enter(FSCM_OpenSCManagerW, NULL);
    (void)access; /* SC_MANAGER_CONNECT is implied, and enough */
    if (machine)
        fail_msg("OpenSCManagerW of a remote machine");
    if (db && !w_eq(db, SERVICES_ACTIVE_DATABASEW))
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
    fsvc *s = find_svc(name, fc_wlen(name));
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
    int kind = fh->base.kind;
    DWORD err = enter(FSCM_CloseServiceHandle, kind == H_SVC ? &F.svcs[fh->svc] : NULL);
    fc_handle_close(&F.handles, fh, kind);
    return err ? fail_with(err) : TRUE;
}

/* The service enters a pending state that ends after `polls` polls. */
static void begin_pending(fsvc *s, DWORD state, unsigned polls)
{
    s->state = state;
    s->checkpoint = 1;
    s->pending_left = polls;
}

/* The service is in a settled state (the process ends with a stop). */
static void settle(fsvc *s, DWORD state)
{
    s->state = state;
    s->checkpoint = 0;
    if (state == SERVICE_STOPPED)
        s->pid = 0;
}

/* One poll of a service: a pending state moves on (one that never ends,
 * FSCM_STOP_NEVER, stays as it is). */
static void poll_svc(fsvc *s)
{
    bool stopping = s->state == SERVICE_STOP_PENDING && s->stop == FSCM_STOP_AFTER_POLLS;
    if (!stopping && s->state != SERVICE_START_PENDING)
        return;
    if (s->pending_left) {
        s->pending_left--;
        s->checkpoint++;
    } else {
        settle(s, stopping ? SERVICE_STOPPED : SERVICE_RUNNING);
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

static BOOL WINAPI f_QueryServiceStatusEx(SC_HANDLE h, SC_STATUS_TYPE level, LPBYTE buf, DWORD cb,
                                          LPDWORD needed)
{
    fsvc *s;
    DWORD err = SVC_ENTER(h, QueryServiceStatusEx, SERVICE_QUERY_STATUS, &s);
    if (F.calls[FSCM_QueryServiceStatusEx] > CALL_LIMIT)
        fail_msg("QueryServiceStatusEx called %u times: a wait loop that never ends", CALL_LIMIT);
    if (level != SC_STATUS_PROCESS_INFO)
        fail_msg("QueryServiceStatusEx level %d, not SC_STATUS_PROCESS_INFO", (int)level);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
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
    uint16_t *w = fc_wdup(s, &n);
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
    buf_w(&c->display, display_of(s), fc_wlen(display_of(s)));
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
    fsvc *s;
    DWORD err = SVC_ENTER(h, QueryServiceConfigW, SERVICE_QUERY_CONFIG, &s);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
    cfg_strings c;
    cfg_make(s, &c);
    size_t need =
        sizeof *cfg + c.path.len + sizeof EMPTY_W + c.deps.len + c.account.len + c.display.len;
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
    fsvc *s;
    DWORD err = SVC_ENTER(h, QueryServiceConfig2W, SERVICE_QUERY_CONFIG, &s);
    assert_non_null(needed);
    if (err)
        return fail_with(err);
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
                                          LPCWSTR path, LPCWSTR group, LPDWORD tag, LPCWSTR deps,
                                          LPCWSTR account, LPCWSTR password, LPCWSTR display)
{
    fsvc *s;
    DWORD err = SVC_ENTER(h, ChangeServiceConfigW, SERVICE_CHANGE_CONFIG, &s);
    if (type != SERVICE_NO_CHANGE)
        fail_msg("ChangeServiceConfigW changes the service type (0x%lx)", (unsigned long)type);
    if (errctl != SERVICE_NO_CHANGE)
        fail_msg("ChangeServiceConfigW changes the error control (%lu)", (unsigned long)errctl);
    if (path || group || tag || deps || account || password || display)
        fail_msg("ChangeServiceConfigW changes more than the start type (path %p, group %p, "
                 "tag %p, dependencies %p, account %p, password %p, display name %p)",
                 (const void *)path, (const void *)group, (const void *)tag, (const void *)deps,
                 (const void *)account, (const void *)password, (const void *)display);
    if (err)
        return fail_with(err);
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
    DWORD right = control == SERVICE_CONTROL_STOP ? SERVICE_STOP : SERVICE_INTERROGATE;
    fsvc *s;
    DWORD err = SVC_ENTER(h, ControlService, right, &s);
    assert_non_null(st);
    if (control != SERVICE_CONTROL_STOP && control != SERVICE_CONTROL_INTERROGATE)
        fail_msg("ControlService with control %lu: containment only stops services",
                 (unsigned long)control);
    if (err)
        return fail_with(err);
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
    case FSCM_STOP_AT_ONCE: settle(s, SERVICE_STOPPED); break;
    case FSCM_STOP_AFTER_POLLS:
    case FSCM_STOP_NEVER: begin_pending(s, SERVICE_STOP_PENDING, s->stop_polls); break;
    case FSCM_STOP_REFUSED: break;
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
    if (s->start_polls)
        begin_pending(s, SERVICE_START_PENDING, s->start_polls);
    else
        settle(s, SERVICE_RUNNING);
    return 0;
}

static BOOL WINAPI f_StartServiceW(SC_HANDLE h, DWORD argc, LPCWSTR *argv)
{
    fsvc *s;
    DWORD err = SVC_ENTER(h, StartServiceW, SERVICE_START, &s);
    (void)argv;
    if (argc)
        fail_msg("StartServiceW with %lu arguments: a restored service starts as Windows "
                 "would start it",
                 (unsigned long)argc);
    if (err)
        return fail_with(err);
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
    return sizeof(ENUM_SERVICE_STATUSW) + (s->name_len + 1) * 2 +
           (fc_wlen(display_of(s)) + 1) * 2;
}

static BOOL WINAPI f_EnumDependentServicesW(SC_HANDLE h, DWORD states, LPENUM_SERVICE_STATUSW buf,
                                            DWORD cb, LPDWORD needed, LPDWORD returned)
{
    fsvc *s;
    DWORD err = SVC_ENTER(h, EnumDependentServicesW, SERVICE_ENUMERATE_DEPENDENTS, &s);
    assert_non_null(needed);
    assert_non_null(returned);
    *needed = 0;
    *returned = 0;
    if (err)
        return fail_with(err);
    if (states != SERVICE_ACTIVE && states != SERVICE_INACTIVE && states != SERVICE_STATE_ALL)
        return fail_with(ERROR_INVALID_PARAMETER);
    size_t *all = fc_xcalloc(F.n_svcs, sizeof *all), n_all = 0;
    bool *seen = fc_xcalloc(F.n_svcs, sizeof *seen);
    dependents(svc_index(s), all, &n_all, seen, 0);
    free(seen);
    size_t *pick = fc_xcalloc(F.n_svcs, sizeof *pick), n = 0, need = 0;
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
        const uint16_t *disp = display_of(d);
        size_t nb = (d->name_len + 1) * 2, db = (fc_wlen(disp) + 1) * 2;
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

static LSTATUS WINAPI f_RegOpenKeyExW(HKEY parent, LPCWSTR sub, DWORD opts, REGSAM sam, PHKEY out)
{
    DWORD err = enter(FSCM_RegOpenKeyExW, NULL);
    assert_non_null(out);
    assert_int_equal(opts, 0);
    *out = NULL;
    if (sam &
        (KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_CREATE_LINK | DELETE | WRITE_DAC | WRITE_OWNER))
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
    if (!fc_handle_close(&F.handles, h, H_KEY))
        fail_msg("RegCloseKey of an invalid or closed handle %p", (void *)h);
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
