/*
 * bw_svcfx.c - containment effects (Win32 layer): stop and disable the
 * targets of a containment plan, put them back, and decide the mode. The
 * order of the steps and why is in bw_svcfx.h.
 */
#include "bw_svcfx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_winerr.h"
#include "bw_winreg.h"
#include "../core/bw_str.h"

#ifndef SERVICE_CONFIG_LAUNCH_PROTECTED
#define SERVICE_CONFIG_LAUNCH_PROTECTED 12
#endif
/* SERVICE_LAUNCH_PROTECTED_INFO (winsvc.h of newer SDKs than MinGW's). */
typedef struct launch_protected_info {
    DWORD dwLaunchProtected;
} launch_protected_info;

/* How often a pending stop or start is polled: a tenth of the service's
 * wait hint (Microsoft's sample), within these bounds. */
#define POLL_MIN_MS 250u
#define POLL_MAX_MS 5000u
#define MAX_CONFIG_BYTES (64u * 1024u)
#define MAX_DEPENDENTS_BYTES (256u * 1024u)

/* What an administrator can do when Windows or the product's self-defense
 * refuses the change. */
#define BLOCKED_ADVICE                                                                   \
    "Windows refuses changes to a protected anti-malware service from any other "        \
    "process, SYSTEM included. Instead: turn protection off by policy from the "          \
    "vendor's management console (for Kaspersky: the Security Center / Administration "   \
    "Server policy, self-defense and password protection settings), or uninstall the "    \
    "product with its uninstall password (or the vendor's removal tool)."

/* ---- the mode ------------------------------------------------------------------ */

bw_mode bw_win_contain_mode(const bw_api *api, const bw_policy *pol, char *source,
                            size_t srclen)
{
    static const char where[] = "Group Policy value HKLM\\" BW_GP_KEY "\\" BW_GP_MODE_VALUE;
    char dummy[8];
    if (!source || !srclen) {
        source = dummy;
        srclen = sizeof dummy;
    }
    bw_win_status st = {0};
    HKEY key = NULL;
    char *value = NULL;
    bw_err e = bw_win_reg_open(api, HKEY_LOCAL_MACHINE, BW_GP_KEY, KEY_WOW64_64KEY, &key, &st);
    if (e == BW_OK) {
        e = bw_win_reg_string(api, key, BW_GP_MODE_VALUE, &value, &st);
        bw_win_reg_close(api, key);
    }
    if (e == BW_ENOTFOUND) {
        snprintf(source, srclen, "policy (mode: %s)",
                 pol && pol->mode == BW_MODE_ENFORCE ? "enforce" : "audit");
        return pol ? pol->mode : BW_MODE_AUDIT;
    }
    if (e != BW_OK) {
        snprintf(source, srclen, "%s is invalid or cannot be read (%s): audit, nothing is "
                 "changed", where, e == BW_EINVAL ? "not a string value" : st.reason);
        return BW_MODE_AUDIT;
    }
    bw_mode m = BW_MODE_AUDIT;
    if (bw_ieq(value, "enforce") || bw_ieq(value, "audit")) {
        m = bw_ieq(value, "enforce") ? BW_MODE_ENFORCE : BW_MODE_AUDIT;
        snprintf(source, srclen, "%s", where);
    } else {
        snprintf(source, srclen, "%s is invalid (\"%.40s\", expected \"audit\" or \"enforce\"): "
                 "audit, nothing is changed", where, value);
    }
    free(value);
    return m;
}

/* ---- small SCM helpers ----------------------------------------------------------- */

/* A service as the SCM describes it now. */
typedef struct svc_now {
    DWORD type, start, state, wait_hint, checkpoint;
    DWORD protection;       /* SERVICE_LAUNCH_PROTECTED_*; 0 none */
    bool protection_known;
} svc_now;

static bw_err query_status(const bw_api *api, SC_HANDLE h, svc_now *n, DWORD *err)
{
    SERVICE_STATUS_PROCESS ss;
    DWORD need = 0;
    if (!api->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)&ss, sizeof ss, &need)) {
        *err = GetLastError();
        return BW_ESYS;
    }
    n->state = ss.dwCurrentState;
    n->wait_hint = ss.dwWaitHint;
    n->checkpoint = ss.dwCheckPoint;
    if (!n->type)
        n->type = ss.dwServiceType;
    return BW_OK;
}

/* Start type and type (QueryServiceConfigW, sized by a first call). */
static bw_err query_config(const bw_api *api, SC_HANDLE h, svc_now *n, DWORD *err)
{
    DWORD need = 0;
    if (api->QueryServiceConfigW(h, NULL, 0, &need) || GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
        *err = GetLastError() ? GetLastError() : ERROR_INVALID_DATA;
        return BW_ESYS;
    }
    if (need < sizeof(QUERY_SERVICE_CONFIGW) || need > MAX_CONFIG_BYTES) {
        *err = ERROR_INVALID_DATA;
        return BW_ESYS;
    }
    QUERY_SERVICE_CONFIGW *c = malloc(need);
    if (!c)
        return BW_ENOMEM;
    bw_err e = BW_OK;
    if (!api->QueryServiceConfigW(h, c, need, &need)) {
        *err = GetLastError();
        e = BW_ESYS;
    } else {
        n->start = c->dwStartType;
        n->type = c->dwServiceType;
    }
    free(c);
    return e;
}

static void query_protection(const bw_api *api, SC_HANDLE h, svc_now *n)
{
    launch_protected_info info = {0};
    DWORD need = 0;
    if (api->QueryServiceConfig2W(h, SERVICE_CONFIG_LAUNCH_PROTECTED, (LPBYTE)&info,
                                  sizeof info, &need)) {
        n->protection = info.dwLaunchProtected;
        n->protection_known = true;
    }
    /* Not supported (before Windows 8.1, or Wine): unknown; an actual
     * refusal later is still reported as blocked. */
}

static const char *protection_name(DWORD p)
{
    switch (p) {
    case 1: return "protected (Windows)";
    case 2: return "protected (Windows light)";
    case 3: return "protected (antimalware light, AM-PPL)";
    default: return "protected";
    }
}

static bool is_driver(DWORD type)
{
    return (type & SERVICE_DRIVER) && !(type & SERVICE_WIN32);
}

static SC_HANDLE open_service(const bw_api *api, SC_HANDLE scm, const char *name, DWORD access,
                              DWORD *err)
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

static DWORD clamp_poll(DWORD wait_hint, ULONGLONG left)
{
    DWORD ms = wait_hint / 10;
    if (ms < POLL_MIN_MS)
        ms = POLL_MIN_MS;
    if (ms > POLL_MAX_MS)
        ms = POLL_MAX_MS;
    if (left < ms)
        ms = (DWORD)left;
    return ms ? ms : 1;
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

/* Waits until the service reaches `want` (SERVICE_STOPPED or
 * SERVICE_RUNNING) or timeout_ms pass. BW_OK when reached; BW_EBUSY on
 * timeout (n holds the last state), BW_EINVAL when `cancel` is signalled
 * first; BW_ESYS with *err when a query fails. */
static bw_err wait_state(const bw_api *api, HANDLE cancel, SC_HANDLE h, DWORD want,
                         unsigned timeout_ms, svc_now *n, DWORD *err)
{
    ULONGLONG deadline = api->GetTickCount64() + timeout_ms;
    for (;;) {
        bw_err e = query_status(api, h, n, err);
        if (e)
            return e;
        if (n->state == want)
            return BW_OK;
        if (want == SERVICE_RUNNING && n->state == SERVICE_STOPPED)
            return BW_EBUSY; /* it stopped again: it will not start */
        ULONGLONG now = api->GetTickCount64();
        if (now >= deadline)
            return BW_EBUSY;
        if (pause_ms(api, cancel, clamp_poll(n->wait_hint, deadline - now)))
            return BW_EINVAL;
    }
}

/* ---- one run ------------------------------------------------------------------------ */

typedef struct run {
    const bw_api *api;
    bw_store *store;
    const bw_contain_opts *o;
    bw_contain_report_fn report;
    void *ctx;
    bw_contain_summary *sum;
} run;

/* Records an outcome and reports it unless it only repeats the last one
 * (actual changes are always reported). */
static void emit(run *r, bw_contain_result *res)
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
    default: r->sum->failed++; break;
    }
    if ((change || !repeat) && r->report)
        r->report(r->ctx, res);
}

/* The prior start type and state to report: what the database recorded
 * before banwatch's first change, while that change stands; else what the
 * service looks like now (n). */
static void report_prior(run *r, const char *name, const svc_now *n, bw_contain_result *res)
{
    bw_contain_record rec = {0};
    res->has_prior = true;
    res->prior_start = n->start;
    res->prior_state = n->state;
    if (r->store && bw_store_contain_get(r->store, name, &rec) == BW_OK && rec.changed &&
        rec.has_prior) {
        res->prior_start = rec.prior_start;
        res->prior_state = rec.prior_state;
    }
    bw_contain_record_free(&rec);
}

/* Formats a detail into buf, returns buf. */
static const char *fmt(char *buf, size_t len, const char *f, ...) BW_PRINTF(3, 4);
static const char *fmt(char *buf, size_t len, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
    return buf;
}

/* Stops one service that is already open and waits. BW_OK when stopped;
 * otherwise *why says what happened and *err (may be 0) the error. */
static bw_err stop_and_wait(run *r, SC_HANDLE h, svc_now *n, DWORD *err, char *why,
                            size_t whylen)
{
    const bw_api *api = r->api;
    SERVICE_STATUS ss;
    *err = 0;
    if (!api->ControlService(h, SERVICE_CONTROL_STOP, &ss)) {
        DWORD code = GetLastError();
        if (code == ERROR_SERVICE_NOT_ACTIVE)
            return BW_OK;
        if (code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) { /* not pending: a real refusal */
            char t[96];
            bw_win_error_text(code, t, sizeof t);
            *err = code;
            fmt(why, whylen, "the stop request was refused: %s", t);
            return code == ERROR_ACCESS_DENIED ? BW_EACCES : BW_ESYS;
        }
    }
    bw_err e = wait_state(api, r->o->cancel, h, SERVICE_STOPPED, r->o->stop_timeout_ms, n, err);
    if (e == BW_EBUSY)
        fmt(why, whylen, "it did not stop within %u s (state %s)", r->o->stop_timeout_ms / 1000,
            bw_service_state_name(n->state));
    else if (e == BW_EINVAL)
        fmt(why, whylen, "banwatch itself was stopping, so the wait for it ended (state %s)",
            bw_service_state_name(n->state));
    else if (e)
        fmt(why, whylen, "its state could not be read while stopping");
    return e;
}

/* The running services that depend on h (EnumDependentServicesW). */
static bw_err running_dependents(const bw_api *api, SC_HANDLE h, bw_strlist *out, DWORD *err)
{
    DWORD need = 0, count = 0;
    if (api->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &count))
        return BW_OK; /* none */
    if (GetLastError() != ERROR_MORE_DATA || need == 0 || need > MAX_DEPENDENTS_BYTES) {
        *err = GetLastError();
        return BW_ESYS;
    }
    ENUM_SERVICE_STATUSW *list = malloc(need);
    if (!list)
        return BW_ENOMEM;
    bw_err e = BW_OK;
    if (!api->EnumDependentServicesW(h, SERVICE_ACTIVE, list, need, &need, &count)) {
        *err = GetLastError();
        e = BW_ESYS;
    }
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

/* The plan's target of that name with decision ACT, or NULL. */
static const bw_contain_target *plan_target(const bw_contain_plan *plan, const char *name)
{
    for (size_t i = 0; i < plan->n; i++)
        if (plan->items[i].decision == BW_CONTAIN_ACT && bw_ieq(plan->items[i].name, name))
            return &plan->items[i];
    return NULL;
}

/* True if every name is a target of the plan itself. */
static bool all_targets(const bw_contain_plan *plan, const bw_strlist *names)
{
    for (size_t i = 0; i < names->n; i++)
        if (!plan_target(plan, names->items[i]))
            return false;
    return true;
}

/* Stops the running dependents (recording each first); a dependent that is
 * a target itself is reported as a service (its own turn disables it).
 * BW_OK when all stopped; else *why names the one that did not. */
static bw_err stop_dependents(run *r, SC_HANDLE scm, const bw_contain_plan *plan,
                              const bw_strlist *deps, char *why, size_t whylen, DWORD *err)
{
    for (size_t i = 0; i < deps->n; i++) {
        const char *name = deps->items[i];
        const bw_contain_target *self = plan_target(plan, name);
        svc_now n = {0};
        char detail[512], t[96];
        bw_contain_result res = {.name = name, .kind = self ? "service" : "dependent",
                                 .display_name = self ? self->display_name : NULL,
                                 .action = "stop"};
        SC_HANDLE h = open_service(r->api, scm, name,
                                   SERVICE_STOP | SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG,
                                   err);
        bw_err e = h ? query_config(r->api, h, &n, err) : BW_ESYS;
        if (!e)
            e = query_status(r->api, h, &n, err);
        if (!e) {
            report_prior(r, name, &n, &res);
            if (bw_store_contain_prior(r->store, name, res.kind, res.display_name, n.start,
                                       n.state, r->o->now) != BW_OK) {
                *err = 0;
                e = BW_EIO;
                fmt(why, whylen, "its dependent %s could not be recorded in the state database "
                    "(%s)", name, bw_store_errmsg(r->store));
            } else {
                e = stop_and_wait(r, h, &n, err, detail, sizeof detail);
            }
        } else {
            bw_win_error_text(*err, t, sizeof t);
            fmt(detail, sizeof detail, "it could not be opened or read: %s", t);
        }
        if (h)
            r->api->CloseServiceHandle(h);
        if (e == BW_ENOMEM)
            return e;
        if (e == BW_OK) {
            res.outcome = BW_OUTCOME_STOPPED;
            res.detail = self ? "Stopped first, because it depends on another service being "
                                "contained; it is contained itself in its turn."
                              : "Stopped first, because it depends on a service being "
                                "contained; its start type is unchanged.";
            emit(r, &res);
            continue;
        }
        if (e != BW_EIO)
            fmt(why, whylen, "its dependent %s did not stop: %s", name, detail);
        res.outcome = e == BW_EACCES ? BW_OUTCOME_BLOCKED : BW_OUTCOME_FAILED;
        res.error = *err;
        res.detail = why;
        emit(r, &res);
        return e;
    }
    return BW_OK;
}

/* Reports 406 with action "disable": no other anti-virus remains and the
 * policy allows acting anyway. Returns false (the notice is given once). */
static bool unprotected_notice(run *r, const bw_contain_result *base,
                               const bw_contain_plan *plan)
{
    char detail[512];
    bw_contain_result res = *base;
    res.outcome = BW_OUTCOME_HELD;
    res.action = "disable";
    res.error = 0;
    res.detail = fmt(detail, sizeof detail, "No other anti-virus remains (%s); acting anyway "
                     "because containment.allow_unprotected is true.",
                     plan->other_av_text ? plan->other_av_text : "none");
    if (r->report)
        r->report(r->ctx, &res);
    return false;
}

/* Disables and stops one target. */
static bw_err contain_one(run *r, SC_HANDLE scm, const bw_contain_plan *plan,
                          const bw_contain_target *t)
{
    const bw_api *api = r->api;
    const bw_contain_opts *o = r->o;
    bool enforce = o->mode == BW_MODE_ENFORCE;
    char detail[1024], t1[96];
    DWORD err = 0;
    svc_now n = {0};
    bw_contain_result res = {.name = t->name, .display_name = t->display_name,
                             .kind = t->driver ? "driver" : "service",
                             .action = enforce ? "disable" : "inspect"};
    DWORD access = SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS;
    if (enforce)
        access |= SERVICE_CHANGE_CONFIG | SERVICE_STOP | SERVICE_ENUMERATE_DEPENDENTS;
    SC_HANDLE h = open_service(api, scm, t->name, access, &err);
    if (!h && err == ERROR_ACCESS_DENIED && enforce) {
        /* Self-defense: read what can be read for the report, change nothing. */
        DWORD e2 = 0;
        SC_HANDLE q = open_service(api, scm, t->name, SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS,
                                   &e2);
        if (q && query_config(api, q, &n, &e2) == BW_OK && query_status(api, q, &n, &e2) == BW_OK)
            report_prior(r, t->name, &n, &res);
        if (q) {
            query_protection(api, q, &n);
            api->CloseServiceHandle(q);
        }
        res.outcome = BW_OUTCOME_BLOCKED;
        res.error = err;
        if (n.protection_known && n.protection)
            res.detail = fmt(detail, sizeof detail, "Access to the service was denied: it is %s. "
                             "Nothing was changed. %s", protection_name(n.protection),
                             BLOCKED_ADVICE);
        else
            res.detail = fmt(detail, sizeof detail, "Access to the service was denied: it is "
                             "guarded by the product's self-defense. Nothing was changed. %s",
                             BLOCKED_ADVICE);
        emit(r, &res);
        return BW_OK;
    }
    if (!h && err == ERROR_SERVICE_DOES_NOT_EXIST) {
        r->sum->unchanged++; /* uninstalled since the scan: nothing to contain */
        return BW_OK;
    }
    if (!h) {
        bw_win_error_text(err, t1, sizeof t1);
        res.outcome = BW_OUTCOME_FAILED;
        res.error = err;
        res.detail = fmt(detail, sizeof detail, "The service could not be opened: %s. Nothing "
                         "was changed.", t1);
        emit(r, &res);
        return BW_OK;
    }
    bw_err e = query_config(api, h, &n, &err);
    if (e == BW_OK)
        e = query_status(api, h, &n, &err);
    if (e == BW_ENOMEM)
        goto out;
    if (e) {
        bw_win_error_text(err, t1, sizeof t1);
        res.outcome = err == ERROR_ACCESS_DENIED ? BW_OUTCOME_BLOCKED : BW_OUTCOME_FAILED;
        res.error = err;
        res.detail = fmt(detail, sizeof detail, "Its configuration could not be read: %s. "
                         "Nothing was changed.", t1);
        emit(r, &res);
        e = BW_OK;
        goto out;
    }
    query_protection(api, h, &n);
    bool driver = t->driver || is_driver(n.type);
    res.kind = driver ? "driver" : "service";
    report_prior(r, t->name, &n, &res);
    if (n.start == SERVICE_DISABLED && (driver || n.state == SERVICE_STOPPED)) {
        r->sum->unchanged++; /* contained already (by banwatch or by someone else) */
        goto out;
    }
    bool protect = n.protection_known && n.protection != 0;

    if (!enforce) {
        res.outcome = BW_OUTCOME_WOULD_DISABLE;
        res.action = "disable";
        const char *what = driver ? "would set its start type to disabled (Start=4, effective "
                                    "at the next boot)"
                           : n.state == SERVICE_STOPPED ? "would set its start type to disabled"
                                                       : "would set its start type to disabled "
                                                         "and stop it";
        fmt(detail, sizeof detail, "Enforce mode %s.%s%s%s%s", what,
            protect ? " The service is " : "", protect ? protection_name(n.protection) : "",
            protect ? ": enforcement would be blocked. " BLOCKED_ADVICE : "",
            plan->hold ? " Enforce mode would hold: no other anti-virus would remain." : "");
        res.detail = detail;
        emit(r, &res);
        goto out;
    }
    if (protect) {
        res.outcome = BW_OUTCOME_BLOCKED;
        res.detail = fmt(detail, sizeof detail, "The service is %s; nothing was changed. %s",
                         protection_name(n.protection), BLOCKED_ADVICE);
        emit(r, &res);
        goto out;
    }
    if (plan->hold) {
        res.outcome = BW_OUTCOME_HELD;
        res.action = "none";
        res.detail = fmt(detail, sizeof detail, "Not changed: no other anti-virus would remain "
                         "(%s). Install or enable another anti-virus first, or set "
                         "containment.allow_unprotected: true to act anyway.",
                         plan->other_av_text ? plan->other_av_text : "none");
        emit(r, &res);
        goto out;
    }
    /* With no other anti-virus and allow_unprotected, 406 goes out just
     * before each actual change (not recorded: the change is the outcome). */
    bool notice = !plan->other_av;
    if (!r->store) {
        res.outcome = BW_OUTCOME_FAILED;
        res.detail = "The state database is unavailable: nothing was changed (a change that "
                     "cannot be rolled back is not made).";
        emit(r, &res);
        goto out;
    }
    bw_contain_record before = {0};
    bool was_changed = bw_store_contain_get(r->store, t->name, &before) == BW_OK && before.changed;
    bw_contain_record_free(&before);
    if (bw_store_contain_prior(r->store, t->name, res.kind, t->display_name, n.start, n.state,
                               o->now) != BW_OK) {
        res.outcome = BW_OUTCOME_FAILED;
        res.detail = fmt(detail, sizeof detail, "Its start type could not be recorded for "
                         "rollback (%s): nothing was changed.", bw_store_errmsg(r->store));
        emit(r, &res);
        goto out;
    }
    if (n.start != SERVICE_DISABLED) {
        if (!api->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_DISABLED, SERVICE_NO_CHANGE,
                                       NULL, NULL, NULL, NULL, NULL, NULL, NULL)) {
            err = GetLastError();
            if (!was_changed)
                bw_store_contain_unmark(r->store, t->name);
            bw_win_error_text(err, t1, sizeof t1);
            res.error = err;
            if (err == ERROR_ACCESS_DENIED) {
                res.outcome = BW_OUTCOME_BLOCKED;
                res.detail = fmt(detail, sizeof detail, "Changing its start type was refused "
                                 "(%s): the product's self-defense guards it. Nothing was "
                                 "changed. %s", t1, BLOCKED_ADVICE);
            } else {
                res.outcome = BW_OUTCOME_FAILED;
                res.detail = fmt(detail, sizeof detail, "Its start type could not be changed: "
                                 "%s. Nothing was changed.", t1);
            }
            emit(r, &res);
            goto out;
        }
        if (notice)
            notice = unprotected_notice(r, &res, plan);
        res.outcome = BW_OUTCOME_DISABLED;
        res.detail = fmt(detail, sizeof detail, driver
                         ? "Start=4 takes effect at the next boot; the driver stays loaded "
                           "until then. 'banwatch restore' puts the start type back."
                         : n.state == SERVICE_STOPPED
                             ? "It was not running. 'banwatch restore' puts the start type back."
                             : "It will not start again; stopping it now. 'banwatch restore' "
                               "puts the start type back.");
        emit(r, &res);
    }
    if (driver || n.state == SERVICE_STOPPED)
        goto out;

    /* Stop it: its running dependents first, if the policy allows. */
    res.action = "stop";
    bw_strlist deps = {0};
    DWORD derr = 0;
    bw_err de = running_dependents(api, h, &deps, &derr);
    if (de == BW_ENOMEM) {
        bw_strlist_free(&deps);
        e = de;
        goto out;
    }
    /* Dependents that are targets themselves are stopped first whatever
     * stop_dependents says: they are being contained anyway. */
    if (deps.n && !o->stop_dependents && !all_targets(plan, &deps)) {
        bw_buf names = {0};
        for (size_t i = 0; i < deps.n; i++)
            bw_buf_printf(&names, "%s%s", i ? ", " : "", deps.items[i]);
        res.outcome = BW_OUTCOME_FAILED;
        res.detail = fmt(detail, sizeof detail, "Left running: services that depend on it run "
                         "(%s) and containment.stop_dependents is false. It is disabled and will "
                         "not start at the next boot.", names.data ? names.data : "?");
        bw_buf_free(&names);
        bw_strlist_free(&deps);
        emit(r, &res);
        goto out;
    }
    if (deps.n) {
        char why[600];
        bw_err se = stop_dependents(r, scm, plan, &deps, why, sizeof why, &err);
        bw_strlist_free(&deps);
        if (se == BW_ENOMEM) {
            e = se;
            goto out;
        }
        if (se) {
            res.outcome = BW_OUTCOME_FAILED;
            res.error = err;
            res.detail = fmt(detail, sizeof detail, "Not stopped: %s. It is disabled and will "
                             "not start at the next boot.", why);
            emit(r, &res);
            goto out;
        }
    }
    bw_strlist_free(&deps);
    if (notice)
        notice = unprotected_notice(r, &res, plan);
    char why[256];
    bw_err se = stop_and_wait(r, h, &n, &err, why, sizeof why);
    res.error = err;
    if (se == BW_OK) {
        res.outcome = BW_OUTCOME_STOPPED;
        res.detail = "Stopped; it is disabled and will not start again.";
    } else if (se == BW_EACCES) {
        res.outcome = BW_OUTCOME_BLOCKED;
        res.detail = fmt(detail, sizeof detail, "It is disabled, but stopping it was refused "
                         "(%s): the product's self-defense guards it. %s", why, BLOCKED_ADVICE);
    } else {
        res.outcome = BW_OUTCOME_FAILED;
        res.detail = fmt(detail, sizeof detail, "Not stopped: %s. It is disabled and will not "
                         "start at the next boot.", why);
    }
    emit(r, &res);
out:
    api->CloseServiceHandle(h);
    return e == BW_ENOMEM ? e : BW_OK;
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
    run r = {api, store, o, report, ctx, sum};
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm) {
        DWORD err = GetLastError();
        char t[96], detail[256];
        bw_win_error_text(err, t, sizeof t);
        fmt(detail, sizeof detail, "The service control manager could not be opened (%s): "
            "nothing was changed.%s", t,
            err == ERROR_ACCESS_DENIED ? " banwatch must run as LocalSystem or elevated." : "");
        for (size_t i = 0; i < plan->n; i++) {
            const bw_contain_target *t2 = &plan->items[i];
            if (t2->decision != BW_CONTAIN_ACT)
                continue;
            bw_contain_result res = {.outcome = BW_OUTCOME_FAILED, .name = t2->name,
                                     .display_name = t2->display_name,
                                     .kind = t2->driver ? "driver" : "service",
                                     .action = o->mode == BW_MODE_ENFORCE ? "disable" : "inspect",
                                     .error = err, .detail = detail};
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

static void restore_one(run *r, SC_HANDLE scm, const bw_restore_opts *o,
                        const bw_contain_record *rec, size_t *ok, size_t *bad)
{
    const bw_api *api = r->api;
    char detail[512], t[96];
    DWORD err = 0;
    bool dependent = rec->kind && !strcmp(rec->kind, "dependent");
    bw_contain_result res = {.name = rec->name, .display_name = rec->display_name,
                             .kind = rec->kind ? rec->kind : "service", .action = "restore",
                             .has_prior = rec->has_prior, .prior_start = rec->prior_start,
                             .prior_state = rec->prior_state};
    bool was_running = rec->prior_state == SERVICE_RUNNING ||
                       rec->prior_state == SERVICE_START_PENDING;
    SC_HANDLE h = open_service(api, scm, rec->name,
                               SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG |
                                   SERVICE_QUERY_STATUS | SERVICE_START,
                               &err);
    if (!h && err == ERROR_SERVICE_DOES_NOT_EXIST) {
        /* Uninstalled since: nothing left to put back; the record is closed. */
        res.outcome = BW_OUTCOME_RESTORED;
        res.detail = "The service no longer exists (it was uninstalled): nothing to put back.";
        emit(r, &res);
        (*ok)++;
        return;
    }
    if (!h) {
        bw_win_error_text(err, t, sizeof t);
        res.outcome = BW_OUTCOME_FAILED;
        res.error = err;
        res.detail = fmt(detail, sizeof detail, "The service could not be opened: %s%s", t,
                         err == ERROR_ACCESS_DENIED ? " (run banwatch restore elevated)" : "");
        emit(r, &res);
        (*bad)++;
        return;
    }
    if (!dependent && rec->has_prior &&
        !api->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, rec->prior_start, SERVICE_NO_CHANGE,
                                   NULL, NULL, NULL, NULL, NULL, NULL, NULL)) {
        err = GetLastError();
        bw_win_error_text(err, t, sizeof t);
        res.outcome = BW_OUTCOME_FAILED;
        res.error = err;
        res.detail = fmt(detail, sizeof detail, "The start type could not be put back to %s: %s",
                         bw_start_type_name(rec->prior_start), t);
        emit(r, &res);
        (*bad)++;
        api->CloseServiceHandle(h);
        return;
    }
    const char *started = "";
    bool start_failed = false;
    if (o->start && was_running) {
        svc_now n = {0};
        bw_err e = BW_OK;
        if (!api->StartServiceW(h, 0, NULL) &&
            (err = GetLastError()) != ERROR_SERVICE_ALREADY_RUNNING)
            e = BW_ESYS;
        else
            e = wait_state(api, NULL, h, SERVICE_RUNNING, o->start_timeout_ms, &n, &err);
        if (e) {
            start_failed = true;
            if (e == BW_EBUSY)
                err = 0;
            bw_win_error_text(err, t, sizeof t);
        } else {
            started = " It was running before and has been started again.";
        }
    } else if (was_running) {
        started = " It was running before: it starts at the next boot per its start type, or "
                  "now with 'banwatch restore --start'.";
    }
    res.outcome = BW_OUTCOME_RESTORED;
    if (dependent)
        res.detail = fmt(detail, sizeof detail, "Its start type was not changed.%s", started);
    else
        res.detail = fmt(detail, sizeof detail, "Start type %s put back.%s",
                         bw_start_type_name(rec->prior_start), started);
    emit(r, &res);
    (*ok)++;
    if (start_failed) {
        res.outcome = BW_OUTCOME_FAILED;
        res.action = "start";
        res.error = err;
        res.detail = fmt(detail, sizeof detail, "Its start type was put back, but it did not "
                         "start%s%s.", err ? ": " : " within the timeout", err ? t : "");
        emit(r, &res);
        (*bad)++;
    }
    api->CloseServiceHandle(h);
}

bw_err bw_win_restore(const bw_api *api, bw_store *store, const bw_restore_opts *o,
                      bw_contain_report_fn report, void *ctx, size_t *n_restored,
                      size_t *n_failed)
{
    size_t ok = 0, bad = 0;
    bw_contain_summary sum = {0};
    bw_contain_opts copts = {.mode = BW_MODE_ENFORCE, .now = o->now};
    run r = {api, store, &copts, report, ctx, &sum};
    bw_contain_records recs = {0};
    bw_err e = bw_store_contain_list(store, &recs);
    if (e)
        return e;
    size_t wanted = 0;
    SC_HANDLE scm = NULL;
    /* Services and drivers first, then the dependents that were stopped
     * for them: a dependent cannot start while what it needs is disabled. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < recs.n; i++) {
            const bw_contain_record *rec = &recs.items[i];
            bool dependent = rec->kind && !strcmp(rec->kind, "dependent");
            if (!rec->changed || dependent != (pass == 1) ||
                (o->only && !bw_ieq(o->only, rec->name)))
                continue;
            wanted++;
            if (!scm && !(scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT))) {
                DWORD err = GetLastError();
                char t[96], detail[256];
                bw_win_error_text(err, t, sizeof t);
                bw_contain_result res = {.outcome = BW_OUTCOME_FAILED, .name = rec->name,
                                         .display_name = rec->display_name, .kind = rec->kind,
                                         .action = "restore", .error = err,
                                         .detail = fmt(detail, sizeof detail,
                                                       "The service control manager could not "
                                                       "be opened: %s", t)};
                emit(&r, &res);
                bad++;
                continue;
            }
            restore_one(&r, scm, o, rec, &ok, &bad);
        }
    }
    if (scm)
        api->CloseServiceHandle(scm);
    bw_contain_records_free(&recs);
    if (n_restored)
        *n_restored = ok;
    if (n_failed)
        *n_failed = bad;
    return o->only && !wanted ? BW_ENOTFOUND : BW_OK;
}
