/*
 * bw_contain_exec.c - containment effects (Win32 layer): stop and disable the
 * targets of a containment plan, put them back, and decide the mode. Each
 * service is handled by core's steps (bw_cstep.h), carried out here
 * through the API table; the order of the steps and why is in
 * bw_contain_exec.h.
 */
#include "bw_contain_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bw_gpread.h"
#include "../bw_winerr.h"
#include "../bw_winreg.h"
#include "../../core/bw_cstep.h"
#include "../../core/bw_str.h"

#ifndef SERVICE_CONFIG_LAUNCH_PROTECTED
#define SERVICE_CONFIG_LAUNCH_PROTECTED 12
#endif
/* SERVICE_LAUNCH_PROTECTED_INFO (winsvc.h of newer SDKs than MinGW's). */
typedef struct launch_protected_info {
    DWORD dwLaunchProtected;
} launch_protected_info;

#define MAX_CONFIG_BYTES     (64u * 1024u)
#define MAX_DEPENDENTS_BYTES (256u * 1024u)

/* ---- the mode ------------------------------------------------------------------ */

bw_mode bw_win_contain_mode(const bw_api *api, const bw_policy *pol, char *source, size_t srclen)
{
    char dummy[8];
    if (!source || !srclen) {
        source = dummy;
        srclen = sizeof dummy;
    }
    /* Group Policy's values over a flat copy of the policy: only the mode
     * is kept (bw_gpo.h says which broken values give audit). */
    bw_policy p;
    memset(&p, 0, sizeof p);
    if (pol)
        p = *pol;
    bw_gp_values v;
    bw_gp_applied a;
    if (bw_win_gp_read(api, &v) != BW_OK || bw_gp_apply(&v, &p, false, &a) != BW_OK) {
        bw_gp_values_free(&v);
        snprintf(source, srclen,
                 "Group Policy cannot be read (out of memory): audit, nothing "
                 "is changed");
        return BW_MODE_AUDIT;
    }
    snprintf(source, srclen, "%s", a.mode_source);
    bw_gp_applied_free(&a);
    bw_gp_values_free(&v);
    return p.mode;
}

/* ---- small SCM helpers ----------------------------------------------------------- */

_Static_assert(BW_WERR_ACCESS_DENIED == ERROR_ACCESS_DENIED &&
                   BW_WERR_SERVICE_ALREADY_RUNNING == ERROR_SERVICE_ALREADY_RUNNING &&
                   BW_WERR_SERVICE_DOES_NOT_EXIST == ERROR_SERVICE_DOES_NOT_EXIST &&
                   BW_WERR_SERVICE_CANNOT_ACCEPT_CTRL == ERROR_SERVICE_CANNOT_ACCEPT_CTRL &&
                   BW_WERR_SERVICE_NOT_ACTIVE == ERROR_SERVICE_NOT_ACTIVE,
               "the Win32 errors core tells apart");
_Static_assert(BW_START_DISABLED == SERVICE_DISABLED && BW_STATE_STOPPED == SERVICE_STOPPED &&
                   BW_STATE_RUNNING == SERVICE_RUNNING &&
                   BW_STATE_START_PENDING == SERVICE_START_PENDING &&
                   BW_SVC_KERNEL_DRIVER == SERVICE_KERNEL_DRIVER &&
                   BW_SVC_FS_DRIVER == SERVICE_FILE_SYSTEM_DRIVER &&
                   BW_SVC_RECOGNIZER_DRIVER == SERVICE_RECOGNIZER_DRIVER &&
                   BW_SVC_WIN32_OWN == SERVICE_WIN32_OWN_PROCESS &&
                   BW_SVC_WIN32_SHARE == SERVICE_WIN32_SHARE_PROCESS,
               "BW_START_*, BW_STATE_* and BW_SVC_* are the Win32 values");

/* The state and wait hint (QueryServiceStatusEx); false with *err if it fails. */
static bool query_status(const bw_api *api, SC_HANDLE h, SERVICE_STATUS_PROCESS *ss,
                         uint32_t *err)
{
    DWORD need = 0;
    if (!api->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)ss, sizeof *ss, &need)) {
        *err = GetLastError();
        return false;
    }
    return true;
}

/* Start type and type (QueryServiceConfigW, sized by a first call), then
 * the state. */
static bw_err query(const bw_api *api, SC_HANDLE h, bw_cstep_feed *fb)
{
    DWORD need = 0;
    if (api->QueryServiceConfigW(h, NULL, 0, &need) ||
        GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        fb->error = GetLastError() ? GetLastError() : ERROR_INVALID_DATA;
        return BW_ESYS;
    }
    if (need < sizeof(QUERY_SERVICE_CONFIGW) || need > MAX_CONFIG_BYTES) {
        fb->error = ERROR_INVALID_DATA;
        return BW_ESYS;
    }
    QUERY_SERVICE_CONFIGW *c = malloc(need);
    if (!c)
        return BW_ENOMEM;
    bw_err e = BW_OK;
    SERVICE_STATUS_PROCESS ss;
    if (!api->QueryServiceConfigW(h, c, need, &need)) {
        fb->error = GetLastError();
        e = BW_ESYS;
        goto out;
    }
    fb->start = c->dwStartType;
    fb->type = c->dwServiceType;
    if (!query_status(api, h, &ss, &fb->error)) {
        e = BW_ESYS;
        goto out;
    }
    fb->state = ss.dwCurrentState;
out:
    free(c);
    return e;
}

static void query_protection(const bw_api *api, SC_HANDLE h, bw_cstep_feed *fb)
{
    launch_protected_info info = {0};
    DWORD need = 0;
    if (api->QueryServiceConfig2W(h, SERVICE_CONFIG_LAUNCH_PROTECTED, (LPBYTE)&info, sizeof info,
                                  &need)) {
        fb->protection = info.dwLaunchProtected;
        fb->protection_known = true;
    }
    /* Not supported (before Windows 8.1, or Wine): unknown; an actual
     * refusal later is still reported as blocked. */
}

static DWORD access_rights(bw_cstep_access a)
{
    DWORD query = SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS;
    switch (a) {
    case BW_ACCESS_INSPECT: return query;
    case BW_ACCESS_CONTAIN:
        return query | SERVICE_CHANGE_CONFIG | SERVICE_STOP | SERVICE_ENUMERATE_DEPENDENTS;
    case BW_ACCESS_STOP: return query | SERVICE_STOP;
    case BW_ACCESS_RESTORE: return query | SERVICE_CHANGE_CONFIG | SERVICE_START;
    }
    return query;
}

static SC_HANDLE open_service(const bw_api *api, SC_HANDLE scm, const char *name, DWORD access,
                              uint32_t *err)
{
    uint16_t *w = NULL;
    if (bw_utf8_to_utf16(name, &w, NULL) != BW_OK) {
        *err = ERROR_INVALID_NAME;
        return NULL;
    }
    SC_HANDLE h = api->OpenServiceW(scm, (LPCWSTR)w, access);
    if (!h)
        *err = GetLastError();
    free(w);
    return h;
}

/* Pauses for ms, or until `cancel` (may be NULL) is signalled: then true. */
static bool pause_ms(const bw_api *api, HANDLE cancel, DWORD ms)
{
    if (!cancel) {
        api->Sleep(ms);
        return false;
    }
    return api->WaitForMultipleObjects(1, &cancel, FALSE, ms) == WAIT_OBJECT_0;
}

/* Polls the service until core's bw_cstep_poll ends the wait for `want`
 * or `cancel` is signalled; fb->state is the last state read, fb->error
 * the error of a query that failed. */
static bw_wait_end wait_state(const bw_api *api, HANDLE cancel, SC_HANDLE h, uint32_t want,
                              unsigned timeout_ms, bw_cstep_feed *fb)
{
    ULONGLONG deadline = api->GetTickCount64() + timeout_ms;
    for (;;) {
        SERVICE_STATUS_PROCESS ss;
        if (!query_status(api, h, &ss, &fb->error))
            return BW_WAIT_FAILED;
        fb->state = ss.dwCurrentState;
        bw_wait_end end = BW_WAIT_REACHED;
        unsigned ms =
            bw_cstep_poll(want, fb->state, ss.dwWaitHint, api->GetTickCount64(), deadline, &end);
        if (!ms)
            return end;
        if (pause_ms(api, cancel, ms))
            return BW_WAIT_CANCELLED;
    }
}

/* The running services that depend on h (EnumDependentServicesW), in the
 * order Windows gives (a dependent's own dependents first). */
static bw_err running_dependents(const bw_api *api, SC_HANDLE h, bw_strlist *out)
{
    DWORD need = 0, count = 0;
    if (api->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &count))
        return BW_OK; /* none */
    if (GetLastError() != ERROR_MORE_DATA || need == 0 || need > MAX_DEPENDENTS_BYTES)
        return BW_ESYS;
    ENUM_SERVICE_STATUSW *list = malloc(need);
    if (!list)
        return BW_ENOMEM;
    bw_err e = BW_OK;
    if (!api->EnumDependentServicesW(h, SERVICE_ACTIVE, list, need, &need, &count))
        e = BW_ESYS;
    for (DWORD i = 0; e == BW_OK && i < count; i++) {
        char *name = NULL;
        if (!list[i].lpServiceName)
            continue;
        bw_err c = bw_utf16_to_utf8((const uint16_t *)list[i].lpServiceName,
                                    wcslen(list[i].lpServiceName), &name);
        if (c == BW_ENOMEM)
            e = c;
        else if (c == BW_OK && bw_strlist_add_owned(out, name) != BW_OK)
            e = BW_ENOMEM;
    }
    free(list);
    return e;
}

/* ---- one run ------------------------------------------------------------------------ */

typedef struct run {
    const bw_api *api;
    bw_store *store;
    const bw_contain_opts *o;
    bw_contain_report_fn report;
    void *ctx;
    bw_contain_summary *sum;
    size_t restored; /* outcomes RESTORED, for a restore's count */
} run;

/* Records an outcome and reports it unless it only repeats the last one
 * (actual changes are always reported). */
static void emit(run *r, const bw_contain_result *res)
{
    bool repeat = false;
    if (r->store && bw_store_contain_outcome(r->store, res, r->o->now, &repeat) != BW_OK)
        repeat = false; /* cannot tell: report */
    bool change = res->outcome == BW_OUTCOME_DISABLED || res->outcome == BW_OUTCOME_STOPPED ||
                  res->outcome == BW_OUTCOME_RESTORED;
    switch (res->outcome) {
    case BW_OUTCOME_WOULD_DISABLE: r->sum->would_disable++; break;
    case BW_OUTCOME_DISABLED: r->sum->disabled++; break;
    case BW_OUTCOME_STOPPED: r->sum->stopped++; break;
    case BW_OUTCOME_BLOCKED: r->sum->blocked++; break;
    case BW_OUTCOME_HELD: r->sum->held++; break;
    case BW_OUTCOME_RESTORED: r->restored++; break;
    default: r->sum->failed++; break;
    }
    if ((change || !repeat) && r->report)
        r->report(r->ctx, res);
}

/* The database's record of a service, as READ_RECORD feeds it. */
static void read_record(bw_store *store, const char *name, bw_cstep_feed *fb)
{
    bw_contain_record rec = {0};
    if (store && bw_store_contain_get(store, name, &rec) == BW_OK) {
        fb->changed = rec.changed;
        fb->has_prior = rec.has_prior;
        fb->prior_start = rec.prior_start;
        fb->prior_state = rec.prior_state;
    }
    bw_contain_record_free(&rec);
}

/* Carries out one step; h holds the handles of the service and of the
 * dependent being stopped. */
static void perform(run *r, SC_HANDLE scm, SC_HANDLE h[BW_CSTEP_SUBJECTS], const bw_cstep_step *s,
                    bw_cstep_feed *fb)
{
    const bw_api *api = r->api;
    SC_HANDLE *hp = &h[s->subject];
    SERVICE_STATUS ss;
    switch (s->op) {
    case BW_CSTEP_OPEN:
        *hp = open_service(api, scm, s->name, access_rights(s->access), &fb->error);
        break;
    case BW_CSTEP_QUERY: fb->nomem = query(api, *hp, fb) == BW_ENOMEM; break;
    case BW_CSTEP_PROTECTION: query_protection(api, *hp, fb); break;
    case BW_CSTEP_READ_RECORD: read_record(r->store, s->name, fb); break;
    case BW_CSTEP_RECORD_PRIOR:
        if (bw_store_contain_prior(r->store, s->name, s->kind, s->display_name, s->start,
                                   s->state, r->o->now) != BW_OK)
            fb->store_error = bw_store_errmsg(r->store);
        break;
    case BW_CSTEP_UNMARK: bw_store_contain_unmark(r->store, s->name); break;
    case BW_CSTEP_SET_START:
        if (!api->ChangeServiceConfigW(*hp, SERVICE_NO_CHANGE, s->start, SERVICE_NO_CHANGE, NULL,
                                       NULL, NULL, NULL, NULL, NULL, NULL))
            fb->error = GetLastError();
        break;
    case BW_CSTEP_DEPENDENTS:
        fb->nomem = running_dependents(api, *hp, &fb->dependents) == BW_ENOMEM;
        break;
    case BW_CSTEP_STOP:
        if (!api->ControlService(*hp, SERVICE_CONTROL_STOP, &ss))
            fb->error = GetLastError();
        break;
    case BW_CSTEP_START:
        if (!api->StartServiceW(*hp, 0, NULL))
            fb->error = GetLastError();
        break;
    case BW_CSTEP_WAIT:
        fb->wait = wait_state(api, r->o->cancel, *hp, s->want, s->timeout_ms, fb);
        break;
    case BW_CSTEP_CLOSE:
        api->CloseServiceHandle(*hp);
        *hp = NULL;
        break;
    case BW_CSTEP_REPORT: emit(r, s->result); break;
    case BW_CSTEP_NOTICE:
        if (r->report)
            r->report(r->ctx, s->result);
        break;
    case BW_CSTEP_DONE: break;
    }
    if (fb->error)
        bw_win_error_text(fb->error, fb->error_text, sizeof fb->error_text);
}

/* Carries out a machine's steps from `s` until it is done, then closes
 * what is still open. BW_ENOMEM when the machine ran out of memory. */
static bw_err drive(run *r, SC_HANDLE scm, bw_cstep *m, bw_cstep_step s)
{
    SC_HANDLE h[BW_CSTEP_SUBJECTS] = {NULL, NULL};
    while (s.op != BW_CSTEP_DONE) {
        bw_cstep_feed fb;
        memset(&fb, 0, sizeof fb);
        perform(r, scm, h, &s, &fb);
        s = bw_cstep_next(m, &fb);
        bw_strlist_free(&fb.dependents);
    }
    if (s.unchanged)
        r->sum->unchanged++;
    for (size_t i = 0; i < BW_CSTEP_SUBJECTS; i++)
        if (h[i])
            r->api->CloseServiceHandle(h[i]);
    bw_cstep_free(m);
    return s.err;
}

/* Disables and stops one target, as core's steps say. */
static bw_err contain_one(run *r, SC_HANDLE scm, const bw_contain_plan *plan,
                          const bw_contain_target *t)
{
    bw_cstep m;
    bw_cstep_contain_in in = {.plan = plan,
                              .target = t,
                              .enforce = r->o->mode == BW_MODE_ENFORCE,
                              .stop_dependents = r->o->stop_dependents,
                              .have_store = r->store != NULL,
                              .stop_timeout_ms = r->o->stop_timeout_ms};
    return drive(r, scm, &m, bw_cstep_contain(&m, &in));
}

bw_err bw_win_contain(const bw_api *api, bw_store *store, const bw_contain_plan *plan,
                      const bw_contain_opts *o, bw_contain_report_fn report, void *ctx,
                      bw_contain_summary *sum)
{
    bw_contain_summary local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof *sum);
    if (!plan->n_act)
        return BW_OK;
    run r = {api, store, o, report, ctx, sum, 0};
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm) {
        DWORD err = GetLastError();
        char t[96], detail[256];
        bw_win_error_text(err, t, sizeof t);
        for (size_t i = 0; i < plan->n; i++) {
            if (plan->items[i].decision != BW_CONTAIN_ACT)
                continue;
            bw_contain_result res = bw_cstep_contain_scm_failed(
                &plan->items[i], o->mode == BW_MODE_ENFORCE, err, t, detail, sizeof detail);
            emit(&r, &res);
        }
        return BW_OK;
    }
    bw_err e = BW_OK;
    for (size_t i = 0; i < plan->n && e == BW_OK; i++) {
        /* banwatch is stopping: start nothing new (the next run goes on) */
        if (o->cancel && api->WaitForMultipleObjects(1, &o->cancel, FALSE, 0) == WAIT_OBJECT_0)
            break;
        if (plan->items[i].decision == BW_CONTAIN_ACT)
            e = contain_one(&r, scm, plan, &plan->items[i]);
    }
    api->CloseServiceHandle(scm);
    return e;
}

/* ---- restore --------------------------------------------------------------------------- */

/* Puts one service back, as core's steps say. */
static void restore_one(run *r, SC_HANDLE scm, const bw_restore_opts *o,
                        const bw_contain_record *rec)
{
    bw_cstep m;
    bw_cstep_restore_in in = {
        .rec = rec, .start = o->start, .start_timeout_ms = o->start_timeout_ms};
    drive(r, scm, &m, bw_cstep_restore(&m, &in));
}

bw_err bw_win_restore(const bw_api *api, bw_store *store, const bw_restore_opts *o,
                      bw_contain_report_fn report, void *ctx, size_t *n_restored,
                      size_t *n_failed)
{
    bw_contain_summary sum = {0};
    bw_contain_opts copts = {.mode = BW_MODE_ENFORCE, .now = o->now};
    run r = {api, store, &copts, report, ctx, &sum, 0};
    bw_contain_records recs = {0};
    bw_err e = bw_store_contain_list(store, &recs);
    if (e)
        return e;
    size_t wanted = 0;
    SC_HANDLE scm = NULL;
    for (unsigned pass = 1; pass <= 2; pass++) {
        for (size_t i = 0; i < recs.n; i++) {
            const bw_contain_record *rec = &recs.items[i];
            if (bw_cstep_restore_pass(rec, o->only) != pass)
                continue;
            wanted++;
            if (!scm)
                scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
            if (!scm) {
                DWORD err = GetLastError();
                char t[96], detail[256];
                bw_win_error_text(err, t, sizeof t);
                bw_contain_result res =
                    bw_cstep_restore_scm_failed(rec, err, t, detail, sizeof detail);
                emit(&r, &res);
                continue;
            }
            restore_one(&r, scm, o, rec);
        }
    }
    if (scm)
        api->CloseServiceHandle(scm);
    bw_contain_records_free(&recs);
    if (n_restored)
        *n_restored = r.restored;
    if (n_failed)
        *n_failed = sum.failed;
    return o->only && !wanted ? BW_ENOTFOUND : BW_OK;
}
