/*
 * test_svcfx.c - the containment effects (bw_svcfx.c) against the fake
 * service control manager (fake_scm.c) and a real state database, under
 * Wine.
 *
 * Each test builds a containment plan by hand, runs the effect and checks
 * four things: the outcomes reported through the callback (in order), the
 * run's summary, the records in the state database, and what the fake SCM
 * holds afterwards (start types, states, the calls made). Every test also
 * checks that no handle was left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "bw_svcfx.h"
#include "fake_scm.h"

#define T0 INT64_C(1727600000)
#define T1 (T0 + 3600)

/* The vendor's services, as on a machine with Kaspersky Endpoint Security
 * and its Network Agent. */
#define AVP "AVP21.3"
#define AVP_DISPLAY "Kaspersky Endpoint Security Service"
#define NAGENT "klnagent"
#define NAGENT_DISPLAY "Kaspersky Security Center Network Agent"
#define KSDE "KSDE5.4"
#define KSDE_DISPLAY "Kaspersky Secure Connection Service 5.4"
#define KSDE_UI "KSDEUI"
#define KLIF "klif"

/* ---- outcomes seen by the callback ----------------------------------------- */

typedef struct seen {
    bw_contain_outcome outcome;
    char *name, *display_name, *kind, *action, *detail;
    bool has_prior;
    uint32_t prior_start, prior_state, error;
} seen;

#define MAX_SEEN 32
static seen EV[MAX_SEEN];
static size_t NEV;

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = bw_strdup(s);
    assert_non_null(d);
    return d;
}

static void on_result(void *ctx, const bw_contain_result *r)
{
    assert_ptr_equal(ctx, EV);
    assert_non_null(r);
    assert_true(NEV < MAX_SEEN);
    /* The strings are borrowed: copy them. */
    seen *e = &EV[NEV++];
    e->outcome = r->outcome;
    assert_non_null(r->name);
    assert_non_null(r->kind);
    assert_non_null(r->action);
    assert_non_null(r->detail);
    e->name = dup_or_null(r->name);
    e->display_name = dup_or_null(r->display_name);
    e->kind = dup_or_null(r->kind);
    e->action = dup_or_null(r->action);
    e->detail = dup_or_null(r->detail);
    e->has_prior = r->has_prior;
    e->prior_start = r->prior_start;
    e->prior_state = r->prior_state;
    e->error = r->error;
}

static void events_clear(void)
{
    for (size_t i = 0; i < NEV; i++) {
        free(EV[i].name);
        free(EV[i].display_name);
        free(EV[i].kind);
        free(EV[i].action);
        free(EV[i].detail);
    }
    memset(EV, 0, sizeof EV);
    NEV = 0;
}

static void events_dump(void)
{
    for (size_t i = 0; i < NEV; i++)
        print_message("  [%lu] %s %s kind=%s action=%s error=%lu prior=%s/%lu/%lu: %s\n",
                      (unsigned long)i, bw_contain_outcome_name(EV[i].outcome), EV[i].name,
                      EV[i].kind, EV[i].action, (unsigned long)EV[i].error,
                      EV[i].has_prior ? "yes" : "no", (unsigned long)EV[i].prior_start,
                      (unsigned long)EV[i].prior_state, EV[i].detail);
}

static void expect_events(size_t n)
{
    if (NEV != n) {
        print_message("expected %lu outcome(s), got %lu:\n", (unsigned long)n,
                      (unsigned long)NEV);
        events_dump();
    }
    assert_int_equal(NEV, n);
}

/* Outcome i is `o` for service `name` of `kind`. */
static const seen *expect_event(size_t i, bw_contain_outcome o, const char *name,
                                const char *kind)
{
    assert_true(i < NEV);
    const seen *e = &EV[i];
    if (e->outcome != o || strcmp(e->name, name) != 0 || strcmp(e->kind, kind) != 0) {
        print_message("outcome %lu: want %s %s (%s); all outcomes:\n", (unsigned long)i,
                      bw_contain_outcome_name(o), name, kind);
        events_dump();
    }
    assert_string_equal(bw_contain_outcome_name(e->outcome), bw_contain_outcome_name(o));
    assert_string_equal(e->name, name);
    assert_string_equal(e->kind, kind);
    return e;
}

static void expect_detail(const seen *e, const char *part)
{
    if (!bw_icontains(e->detail, part))
        fail_msg("detail of %s %s does not mention \"%s\": %s",
                 bw_contain_outcome_name(e->outcome), e->name, part, e->detail);
}

/* ---- the plan -------------------------------------------------------------- */

static bw_contain_target TG[16];
static bw_contain_plan PLAN;

static void plan_clear(void)
{
    memset(TG, 0, sizeof TG);
    memset(&PLAN, 0, sizeof PLAN);
    PLAN.items = TG;
    PLAN.cap = sizeof TG / sizeof TG[0];
    PLAN.other_av = true;
    PLAN.other_av_text = (char *)"WinDefend (Microsoft Defender Antivirus), automatic start";
}

/* Adds a finding to the plan; start and state are what the scan saw. */
static void target(const char *name, const char *display, bool driver,
                   bw_contain_decision d, uint32_t start, uint32_t state)
{
    assert_true(PLAN.n < PLAN.cap);
    bw_contain_target *t = &TG[PLAN.n++];
    t->name = (char *)name;
    t->display_name = (char *)display;
    t->driver = driver;
    t->decision = d;
    t->start = start;
    t->state = state;
    t->has_start = true;
    if (d == BW_CONTAIN_ACT)
        PLAN.n_act++;
}

/* ---- fixture: a fresh fake and a state database per test -------------------- */

typedef struct fx {
    bw_store *store;
    char path[96];
} fx;

static unsigned db_serial;

static void remove_db(const char *path)
{
    char p[128];
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
    snprintf(p, sizeof p, "%s-journal", path);
    remove(p);
}

static int setup(void **state)
{
    fscm_reset();
    events_clear();
    plan_clear();
    fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->path, sizeof f->path, "test_svcfx-%lu-%u.db",
             (unsigned long)GetCurrentProcessId(), ++db_serial);
    remove_db(f->path);
    char err[512] = "";
    if (bw_store_open(f->path, &f->store, NULL, err, sizeof err) != BW_OK) {
        print_error("%s: %s\n", f->path, err);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    bw_store_close(f->store);
    remove_db(f->path);
    free(f);
    events_clear();
    fscm_reset();
    return 0;
}

/* ---- helpers --------------------------------------------------------------- */

static bw_contain_opts opts(bw_mode mode)
{
    bw_contain_opts o;
    memset(&o, 0, sizeof o);
    o.mode = mode;
    o.stop_timeout_ms = 10000;
    o.stop_dependents = false;
    o.allow_unprotected = false;
    o.now = T0;
    return o;
}

/* Runs the plan; the outcomes land in EV (cleared first). */
static bw_contain_summary run(bw_store *st, const bw_contain_opts *o)
{
    bw_contain_summary sum;
    memset(&sum, 0x5a, sizeof sum); /* must be zeroed by the call */
    events_clear();
    assert_int_equal(bw_win_contain(fscm_api(), st, &PLAN, o, on_result, EV, &sum), BW_OK);
    fscm_assert_no_leaks();
    return sum;
}

static void expect_summary(const bw_contain_summary *s, size_t would_disable, size_t disabled,
                           size_t stopped, size_t blocked, size_t failed, size_t held)
{
    assert_int_equal(s->would_disable, would_disable);
    assert_int_equal(s->disabled, disabled);
    assert_int_equal(s->stopped, stopped);
    assert_int_equal(s->blocked, blocked);
    assert_int_equal(s->failed, failed);
    assert_int_equal(s->held, held);
}

static bw_err restore(bw_store *st, const char *only, bool start, size_t *n_ok, size_t *n_fail)
{
    bw_restore_opts o;
    memset(&o, 0, sizeof o);
    o.only = only;
    o.start = start;
    o.start_timeout_ms = 10000;
    o.now = T1;
    events_clear();
    *n_ok = *n_fail = 12345;
    bw_err e = bw_win_restore(fscm_api(), st, &o, on_result, EV, n_ok, n_fail);
    fscm_assert_no_leaks();
    return e;
}

/* The service's record in the database (free with bw_contain_record_free). */
static bw_contain_record record(bw_store *st, const char *name)
{
    bw_contain_record r;
    memset(&r, 0, sizeof r);
    bw_err e = bw_store_contain_get(st, name, &r);
    if (e != BW_OK)
        fail_msg("no containment record for %s (%s)", name, bw_strerror(e));
    return r;
}

static void expect_record(bw_store *st, const char *name, bw_contain_outcome o, bool changed)
{
    bw_contain_record r = record(st, name);
    assert_string_equal(bw_contain_outcome_name(r.outcome), bw_contain_outcome_name(o));
    assert_int_equal(r.changed, changed);
    bw_contain_record_free(&r);
}

static void expect_no_record(bw_store *st, const char *name)
{
    bw_contain_record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(bw_store_contain_get(st, name, &r), BW_ENOTFOUND);
}

/* Nothing was changed in the service: no change, stop or start asked, and
 * its start type and state are as given. */
static void expect_untouched(const char *name, uint32_t start, uint32_t state)
{
    assert_int_equal(fscm_calls(name, FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_calls(name, FSCM_ControlService), 0);
    assert_int_equal(fscm_calls(name, FSCM_StartServiceW), 0);
    assert_int_equal(fscm_start_type(name), start);
    assert_int_equal(fscm_state(name), state);
}

/* Starts a service the way an administrator (or Windows at boot) would;
 * returns 0 or the Win32 error. */
static DWORD try_start(const wchar_t *name)
{
    const bw_api *a = fscm_api();
    SC_HANDLE scm = a->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    assert_non_null(scm);
    SC_HANDLE h = a->OpenServiceW(scm, name, SERVICE_START);
    assert_non_null(h);
    DWORD err = a->StartServiceW(h, 0, NULL) ? 0 : GetLastError();
    a->CloseServiceHandle(h);
    a->CloseServiceHandle(scm);
    return err;
}

static void seed_two(void)
{
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    target(NAGENT, NAGENT_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
}

/* ---- 1. audit ---------------------------------------------------------------- */

static void test_audit_reports_once_changes_nothing(void **state)
{
    fx *f = *state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_AUDIT);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    const seen *e = expect_event(0, BW_OUTCOME_WOULD_DISABLE, AVP, "service");
    assert_string_equal(e->display_name, AVP_DISPLAY);
    assert_int_equal(e->error, 0);
    expect_event(1, BW_OUTCOME_WOULD_DISABLE, NAGENT, "service");
    expect_summary(&s, 2, 0, 0, 0, 0, 0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_untouched(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_record(f->store, AVP, BW_OUTCOME_WOULD_DISABLE, false);
    expect_record(f->store, NAGENT, BW_OUTCOME_WOULD_DISABLE, false);

    /* The next scan: the same outcome is recorded, not reported again. */
    o.now = T1;
    s = run(f->store, &o);
    expect_events(0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_untouched(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
    bw_contain_record r = record(f->store, AVP);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "would-disable");
    assert_false(r.changed);
    assert_int_equal(r.changed_at, 0);
    assert_int_equal(r.restored_at, 0);
    bw_contain_record_free(&r);
    expect_record(f->store, NAGENT, BW_OUTCOME_WOULD_DISABLE, false);
    fscm_assert_no_leaks();
}

/* Audit mode without a database: everything is reported, nothing changed. */
static void test_audit_without_store(void **state)
{
    (void)state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_AUDIT);
    bw_contain_summary s = run(NULL, &o);
    expect_events(2);
    expect_event(0, BW_OUTCOME_WOULD_DISABLE, AVP, "service");
    expect_event(1, BW_OUTCOME_WOULD_DISABLE, NAGENT, "service");
    expect_summary(&s, 2, 0, 0, 0, 0, 0);
    s = run(NULL, &o);
    expect_events(2);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 2. enforce ---------------------------------------------------------------- */

static void test_enforce_disables_and_stops(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    const seen *e = expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    assert_string_equal(e->action, "disable");
    assert_true(e->has_prior);
    assert_int_equal(e->prior_start, BW_START_AUTO);
    assert_int_equal(e->prior_state, BW_STATE_RUNNING);
    assert_int_equal(e->error, 0);
    assert_string_equal(e->display_name, AVP_DISPLAY);
    e = expect_event(1, BW_OUTCOME_STOPPED, AVP, "service");
    assert_string_equal(e->action, "stop");
    assert_int_equal(e->error, 0);
    expect_summary(&s, 0, 1, 1, 0, 0, 0);

    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 0);

    bw_contain_record r = record(f->store, AVP);
    assert_true(r.changed);
    assert_true(r.has_prior);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_int_equal(r.prior_state, BW_STATE_RUNNING);
    assert_string_equal(r.kind, "service");
    assert_int_equal(r.changed_at, T0);
    assert_int_equal(r.restored_at, 0);
    bw_contain_record_free(&r);

    /* Windows (or an administrator) cannot start it again. */
    assert_int_equal(try_start(L"AVP21.3"), ERROR_SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);

    /* The next scan finds it as banwatch left it: the recorded prior start
     * type and state (what a restore puts back) must not be overwritten
     * with banwatch's own doing. */
    o.now = T1;
    s = run(f->store, &o);
    assert_int_equal(s.blocked, 0);
    assert_int_equal(s.failed, 0);
    for (size_t i = 0; i < NEV; i++)
        assert_true(EV[i].outcome != BW_OUTCOME_FAILED && EV[i].outcome != BW_OUTCOME_BLOCKED);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    r = record(f->store, AVP);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_int_equal(r.prior_state, BW_STATE_RUNNING);
    assert_int_equal(r.changed_at, T0);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

/* A service that is already stopped is disabled, and not stopped again. */
static void test_enforce_stopped_service(void **state)
{
    fx *f = *state;
    fscm_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_STOPPED, 0);
    target(NAGENT, NAGENT_DISPLAY, false, BW_CONTAIN_ACT, BW_START_DEMAND, BW_STATE_STOPPED);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_DISABLED, NAGENT, "service");
    assert_true(e->has_prior);
    assert_int_equal(e->prior_start, BW_START_DEMAND);
    assert_int_equal(e->prior_state, BW_STATE_STOPPED);
    expect_summary(&s, 0, 1, 0, 0, 0, 0);
    assert_int_equal(fscm_start_type(NAGENT), SERVICE_DISABLED);
    assert_int_equal(fscm_calls(NAGENT, FSCM_ControlService), 0);
    bw_contain_record r = record(f->store, NAGENT);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_DEMAND);
    assert_int_equal(r.prior_state, BW_STATE_STOPPED);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

/* Windows 7 and Wine know no launch protection (ERROR_INVALID_LEVEL): that
 * is not a reason to leave the service alone. */
static void test_enforce_without_launch_protection_level(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_config2_unsupported(AVP);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    expect_event(1, BW_OUTCOME_STOPPED, AVP, "service");
    expect_summary(&s, 0, 1, 1, 0, 0, 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    fscm_assert_no_leaks();
}

/* ---- 3. non-targets ------------------------------------------------------------ */

static void test_non_targets_never_touched(void **state)
{
    fx *f = *state;
    seed_two();
    PLAN.n = 0;
    PLAN.n_act = 0;
    fscm_service(KSDE, KSDE_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_service(KLIF, "Kaspersky Lab Driver", SERVICE_KERNEL_DRIVER, SERVICE_BOOT_START,
                 SERVICE_RUNNING, 0);
    target(NAGENT, NAGENT_DISPLAY, false, BW_CONTAIN_SKIP_ALLOWLIST, BW_START_AUTO,
           BW_STATE_RUNNING);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    target(KSDE, KSDE_DISPLAY, false, BW_CONTAIN_SKIP_NOT_ONLY, BW_START_AUTO,
           BW_STATE_RUNNING);
    target(KLIF, "Kaspersky Lab Driver", true, BW_CONTAIN_SKIP_DRIVER, BW_START_BOOT,
           BW_STATE_RUNNING);
    target("kavfsslp", NULL, false, BW_CONTAIN_SKIP_NOT_SCM, BW_START_AUTO,
           BW_STATE_UNKNOWN);

    for (int mode = 0; mode < 2; mode++) {
        bw_contain_opts o = opts(mode ? BW_MODE_ENFORCE : BW_MODE_AUDIT);
        bw_contain_summary s = run(f->store, &o);
        expect_events(mode ? 2 : 1);
        for (size_t i = 0; i < NEV; i++)
            assert_string_equal(EV[i].name, AVP);
        if (mode)
            expect_summary(&s, 0, 1, 1, 0, 0, 0);
        else
            expect_summary(&s, 1, 0, 0, 0, 0, 0);
        for (size_t i = 0; i < 3; i++) {
            const char *n = i == 0 ? NAGENT : i == 1 ? KSDE : KLIF;
            assert_int_equal(fscm_calls(n, FSCM_OpenServiceW), 0);
            expect_untouched(n, i == 2 ? SERVICE_BOOT_START : SERVICE_AUTO_START,
                             SERVICE_RUNNING);
            expect_no_record(f->store, n);
        }
        expect_no_record(f->store, "kavfsslp");
    }
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    fscm_assert_no_leaks();
}

/* ---- 4, 5, 6. blocked ------------------------------------------------------------ */

/* Self-defense: the service cannot be opened for change or stop, only for
 * queries. */
static void test_self_defense_blocks(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_open_deny(AVP, SERVICE_CHANGE_CONFIG | SERVICE_STOP, ERROR_ACCESS_DENIED);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_BLOCKED, AVP, "service");
    assert_int_equal(e->error, ERROR_ACCESS_DENIED);
    expect_detail(e, "password");
    expect_summary(&s, 0, 0, 0, 1, 0, 0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    /* No step is retried in a loop. */
    assert_true(fscm_calls(AVP, FSCM_OpenServiceW) <= 2);
    bw_contain_record r = record(f->store, AVP);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "blocked");
    assert_int_equal(r.error, ERROR_ACCESS_DENIED);
    assert_false(r.changed);
    bw_contain_record_free(&r);

    /* The next scan: blocked again, recorded, not reported again. */
    o.now = T1;
    s = run(f->store, &o);
    expect_events(0);
    assert_int_equal(s.blocked, 1);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_record(f->store, AVP, BW_OUTCOME_BLOCKED, false);
    fscm_assert_no_leaks();
}

/* The service opens, but the change is refused. */
static void test_change_denied_blocks(void **state)
{
    fx *f = *state;
    seed_two();
    fscm_change_error(AVP, ERROR_ACCESS_DENIED);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(3);
    const seen *e = expect_event(0, BW_OUTCOME_BLOCKED, AVP, "service");
    assert_int_equal(e->error, ERROR_ACCESS_DENIED);
    assert_string_equal(e->action, "disable");
    /* The other service is still handled. */
    expect_event(1, BW_OUTCOME_DISABLED, NAGENT, "service");
    expect_event(2, BW_OUTCOME_STOPPED, NAGENT, "service");
    expect_summary(&s, 0, 1, 1, 1, 0, 0);
    /* Asked once, not retried; not stopped when it could not be disabled
     * (it would only start again). */
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    /* Nothing was changed, so nothing is to be restored. */
    bw_contain_record r = record(f->store, AVP);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "blocked");
    assert_int_equal(r.error, ERROR_ACCESS_DENIED);
    assert_false(r.changed);
    assert_int_equal(r.changed_at, 0);
    bw_contain_record_free(&r);
    size_t ok, bad;
    bw_restore_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.only = AVP;
    ro.now = T1;
    assert_int_equal(bw_win_restore(fscm_api(), f->store, &ro, NULL, NULL, &ok, &bad),
                     BW_ENOTFOUND);
    fscm_assert_no_leaks();
}

/* The change fails for another reason: failed, not blocked; nothing to
 * restore. */
static void test_change_fails(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_change_error(AVP, ERROR_SERVICE_MARKED_FOR_DELETE);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_FAILED, AVP, "service");
    assert_int_equal(e->error, ERROR_SERVICE_MARKED_FOR_DELETE);
    assert_string_equal(e->action, "disable");
    expect_summary(&s, 0, 0, 0, 0, 1, 0);
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 0);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    expect_record(f->store, AVP, BW_OUTCOME_FAILED, false);
    /* The same failure on the next scan is not reported again. */
    o.now = T1;
    run(f->store, &o);
    expect_events(0);
    fscm_assert_no_leaks();
}

/* Disabled, but the stop request is refused (self-defense guarding the
 * process rather than the configuration). */
static void test_stop_denied_blocks(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_control_error(AVP, ERROR_ACCESS_DENIED);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    const seen *e = expect_event(1, BW_OUTCOME_BLOCKED, AVP, "service");
    assert_string_equal(e->action, "stop");
    assert_int_equal(e->error, ERROR_ACCESS_DENIED);
    expect_detail(e, "password");
    expect_summary(&s, 0, 1, 0, 1, 0, 0);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    /* The start type was changed: the record keeps what to put back. */
    bw_contain_record r = record(f->store, AVP);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "blocked");
    bw_contain_record_free(&r);
    /* The next scan: refused again, not reported again. */
    o.now = T1;
    run(f->store, &o);
    expect_events(0);
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    fscm_assert_no_leaks();
}

/* A protected (antimalware-light) service: not even tried. */
static void test_launch_protected_blocks(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_launch_protected(AVP, SERVICE_LAUNCH_PROTECTED_ANTIMALWARE_LIGHT);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_BLOCKED, AVP, "service");
    expect_detail(e, "protect");
    expect_summary(&s, 0, 0, 0, 1, 0, 0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    assert_true(fscm_calls(AVP, FSCM_QueryServiceConfig2W) >= 1);
    /* Not touched: no prior recorded, nothing to roll back. */
    bw_contain_record r = record(f->store, AVP);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "blocked");
    assert_false(r.changed);
    assert_int_equal(r.changed_at, 0);
    bw_contain_record_free(&r);

    o.now = T1;
    run(f->store, &o);
    expect_events(0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 7, 8. stopping takes time -------------------------------------------------- */

static void test_never_stops_times_out(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 2000);
    fscm_stop_behaviour(AVP, FSCM_STOP_NEVER, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    const seen *e = expect_event(1, BW_OUTCOME_FAILED, AVP, "service");
    assert_string_equal(e->action, "stop");
    expect_detail(e, "did not stop");
    expect_summary(&s, 0, 1, 0, 0, 1, 0);
    /* The timeout is honoured, in steps of (a part of) the wait hint. */
    uint64_t waited = fscm_elapsed_ms();
    if (waited < 10000 || waited >= 20000)
        fail_msg("waited %llu ms for a stop with a 10000 ms timeout",
                 (unsigned long long)waited);
    assert_true(fscm_total_calls(FSCM_Sleep) >= 5);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOP_PENDING);
    bw_contain_record r = record(f->store, AVP);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "failed");
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

static void test_slow_stop(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 1000);
    fscm_stop_behaviour(AVP, FSCM_STOP_AFTER_POLLS, 3);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    expect_event(1, BW_OUTCOME_STOPPED, AVP, "service");
    expect_summary(&s, 0, 1, 1, 0, 0, 0);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    assert_true(fscm_calls(AVP, FSCM_QueryServiceStatusEx) >= 4);
    assert_true(fscm_elapsed_ms() < 10000);
    expect_record(f->store, AVP, BW_OUTCOME_STOPPED, true);
    fscm_assert_no_leaks();
}

/* The stop fails on one scan and succeeds on the next: the outcome then
 * reported carries the start type and state from before banwatch acted
 * (what the record keeps), not the disabled state banwatch made. */
static void test_retry_reports_recorded_prior(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_control_error(AVP, ERROR_SERVICE_REQUEST_TIMEOUT);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    const seen *e = expect_event(1, BW_OUTCOME_FAILED, AVP, "service");
    assert_string_equal(e->action, "stop");
    assert_int_equal(e->error, ERROR_SERVICE_REQUEST_TIMEOUT);
    expect_summary(&s, 0, 1, 0, 0, 1, 0);

    fscm_control_error(AVP, 0);
    o.now = T1;
    s = run(f->store, &o);
    expect_events(1);
    e = expect_event(0, BW_OUTCOME_STOPPED, AVP, "service");
    assert_true(e->has_prior);
    assert_int_equal(e->prior_start, BW_START_AUTO);
    assert_int_equal(e->prior_state, BW_STATE_RUNNING);
    expect_summary(&s, 0, 0, 1, 0, 0, 0);
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    bw_contain_record r = record(f->store, AVP);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_int_equal(r.changed_at, T0);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

/* ---- 9. dependents --------------------------------------------------------------- */

/* AVP with a running dependent (KSDE), which has its own (KSDEUI). */
static void seed_dependents(void)
{
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_service(KSDE, KSDE_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_RUNNING, 0);
    fscm_service(KSDE_UI, NULL, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_RUNNING, 0);
    fscm_depends(KSDE, AVP);
    fscm_depends(KSDE_UI, KSDE);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
}

static void test_dependents_left_running(void **state)
{
    fx *f = *state;
    seed_dependents();
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    const seen *e = expect_event(1, BW_OUTCOME_FAILED, AVP, "service");
    assert_string_equal(e->action, "stop");
    expect_detail(e, "depend");
    expect_detail(e, KSDE);
    expect_summary(&s, 0, 1, 0, 0, 1, 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    expect_untouched(KSDE, SERVICE_DEMAND_START, SERVICE_RUNNING);
    expect_untouched(KSDE_UI, SERVICE_DEMAND_START, SERVICE_RUNNING);
    expect_no_record(f->store, KSDE);
    bw_contain_record r = record(f->store, AVP);
    assert_true(r.changed);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "failed");
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

static void test_dependents_stopped_first(void **state)
{
    fx *f = *state;
    seed_dependents();
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.stop_dependents = true;
    bw_contain_summary s = run(f->store, &o);

    expect_events(4);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    /* The dependents in the order Windows gives: a dependent's own
     * dependents first. */
    const seen *e = expect_event(1, BW_OUTCOME_STOPPED, KSDE_UI, "dependent");
    assert_true(e->has_prior);
    assert_int_equal(e->prior_start, BW_START_DEMAND);
    assert_int_equal(e->prior_state, BW_STATE_RUNNING);
    expect_event(2, BW_OUTCOME_STOPPED, KSDE, "dependent");
    expect_event(3, BW_OUTCOME_STOPPED, AVP, "service");
    expect_summary(&s, 0, 1, 3, 0, 0, 0);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_state(KSDE), SERVICE_STOPPED);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_STOPPED);
    /* Dependents are stopped, not disabled. */
    assert_int_equal(fscm_calls(KSDE, FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_start_type(KSDE), SERVICE_DEMAND_START);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    bw_contain_record r = record(f->store, KSDE);
    assert_string_equal(r.kind, "dependent");
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_DEMAND);
    assert_int_equal(r.prior_state, BW_STATE_RUNNING);
    bw_contain_record_free(&r);
    expect_record(f->store, AVP, BW_OUTCOME_STOPPED, true);
    fscm_assert_no_leaks();
}

/* A dependent that is itself a target: stopped first as a dependent, then
 * disabled as a target. A restore must put its start type back too. */
static void test_target_that_is_a_dependent(void **state)
{
    fx *f = *state;
    seed_dependents();
    target(KSDE, KSDE_DISPLAY, false, BW_CONTAIN_ACT, BW_START_DEMAND, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.stop_dependents = true;
    bw_contain_summary s = run(f->store, &o);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.blocked, 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_start_type(KSDE), SERVICE_DISABLED);
    assert_int_equal(fscm_start_type(KSDE_UI), SERVICE_DEMAND_START);
    assert_int_equal(fscm_state(KSDE), SERVICE_STOPPED);
    bw_contain_record r = record(f->store, KSDE);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_DEMAND);
    assert_int_equal(r.prior_state, BW_STATE_RUNNING);
    bw_contain_record_free(&r);

    size_t ok, bad;
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    if (bad)
        events_dump();
    assert_int_equal(bad, 0);
    assert_int_equal(ok, 3);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_start_type(KSDE), SERVICE_DEMAND_START);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 10. no other anti-virus -------------------------------------------------------- */

static void test_hold_without_other_av(void **state)
{
    fx *f = *state;
    seed_two();
    PLAN.other_av = false;
    PLAN.other_av_text = (char *)"none: WinDefend is disabled (Start 4)";
    PLAN.hold = true;
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(2);
    expect_event(0, BW_OUTCOME_HELD, AVP, "service");
    expect_event(1, BW_OUTCOME_HELD, NAGENT, "service");
    expect_summary(&s, 0, 0, 0, 0, 0, 2);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_untouched(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_record(f->store, AVP, BW_OUTCOME_HELD, false);
    expect_record(f->store, NAGENT, BW_OUTCOME_HELD, false);

    /* Held again on the next scan: recorded, not reported again. */
    o.now = T1;
    run(f->store, &o);
    expect_events(0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);

    /* Audit mode says what it would do, hold or not. */
    o.mode = BW_MODE_AUDIT;
    s = run(f->store, &o);
    expect_events(2);
    expect_event(0, BW_OUTCOME_WOULD_DISABLE, AVP, "service");
    expect_event(1, BW_OUTCOME_WOULD_DISABLE, NAGENT, "service");
    expect_summary(&s, 2, 0, 0, 0, 0, 0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);

    /* Another anti-virus is installed: the plan no longer holds and
     * enforcement acts. */
    PLAN.hold = false;
    PLAN.other_av = true;
    PLAN.other_av_text = (char *)"WinDefend (Microsoft Defender Antivirus), automatic start";
    o.mode = BW_MODE_ENFORCE;
    s = run(f->store, &o);
    expect_events(4);
    expect_event(0, BW_OUTCOME_DISABLED, AVP, "service");
    expect_event(1, BW_OUTCOME_STOPPED, AVP, "service");
    expect_event(2, BW_OUTCOME_DISABLED, NAGENT, "service");
    expect_event(3, BW_OUTCOME_STOPPED, NAGENT, "service");
    expect_summary(&s, 0, 2, 2, 0, 0, 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(NAGENT), SERVICE_STOPPED);
    fscm_assert_no_leaks();
}

/* No other anti-virus, but containment.allow_unprotected: the plan does
 * not hold and enforcement acts. (The effect may warn that the endpoint is
 * left unprotected; it must not hold.) */
static void test_allow_unprotected_acts(void **state)
{
    fx *f = *state;
    seed_two();
    PLAN.other_av = false;
    PLAN.other_av_text = (char *)"none: WinDefend is disabled (Start 4)";
    PLAN.hold = false;
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.allow_unprotected = true;
    bw_contain_summary s = run(f->store, &o);
    assert_int_equal(s.disabled, 2);
    assert_int_equal(s.stopped, 2);
    assert_int_equal(s.failed, 0);
    assert_int_equal(s.blocked, 0);
    size_t changes = 0;
    for (size_t i = 0; i < NEV; i++) {
        if (EV[i].outcome == BW_OUTCOME_HELD)
            assert_string_not_equal(EV[i].action, "none");
        else
            changes++;
    }
    assert_int_equal(changes, 4);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_state(NAGENT), SERVICE_STOPPED);
    expect_record(f->store, AVP, BW_OUTCOME_STOPPED, true);
    fscm_assert_no_leaks();
}

/* A service left running (its dependents run) is re-tried on every scan;
 * the same outcome is not reported again, also when acting unprotected. */
static void test_repeat_not_reported_when_unprotected(void **state)
{
    fx *f = *state;
    seed_dependents();
    PLAN.other_av = false;
    PLAN.other_av_text = (char *)"none: WinDefend is disabled (Start 4)";
    PLAN.hold = false;
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.allow_unprotected = true;
    run(f->store, &o);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    o.now = T1;
    run(f->store, &o);
    expect_events(0);
    o.now = T1 + 3600;
    run(f->store, &o);
    expect_events(0);
    fscm_assert_no_leaks();
}

/* ---- 11. drivers ------------------------------------------------------------------ */

static void test_driver_disabled_only(void **state)
{
    fx *f = *state;
    fscm_service(KLIF, "Kaspersky Lab Driver", SERVICE_KERNEL_DRIVER, SERVICE_BOOT_START,
                 SERVICE_RUNNING, 0);
    target(KLIF, "Kaspersky Lab Driver", true, BW_CONTAIN_ACT, BW_START_BOOT,
           BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_DISABLED, KLIF, "driver");
    assert_true(e->has_prior);
    assert_int_equal(e->prior_start, BW_START_BOOT);
    expect_detail(e, "next boot");
    expect_summary(&s, 0, 1, 0, 0, 0, 0);
    assert_int_equal(fscm_start_type(KLIF), SERVICE_DISABLED);
    assert_int_equal(fscm_state(KLIF), SERVICE_RUNNING);
    assert_int_equal(fscm_calls(KLIF, FSCM_ControlService), 0);
    bw_contain_record r = record(f->store, KLIF);
    assert_string_equal(r.kind, "driver");
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_BOOT);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

/* ---- 12. no database ----------------------------------------------------------------- */

static void test_enforce_without_store_fails(void **state)
{
    (void)state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(NULL, &o);
    expect_events(2);
    const seen *e = expect_event(0, BW_OUTCOME_FAILED, AVP, "service");
    expect_detail(e, "database");
    expect_event(1, BW_OUTCOME_FAILED, NAGENT, "service");
    expect_summary(&s, 0, 0, 0, 0, 2, 0);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_untouched(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 13. restore ------------------------------------------------------------------- */

static void test_restore_after_enforce(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    fscm_clear_calls();

    size_t ok, bad;
    /* Only a service banwatch changed can be named. */
    assert_int_equal(restore(f->store, "nope", true, &ok, &bad), BW_ENOTFOUND);
    expect_events(0);
    assert_int_equal(fscm_total_calls(FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);

    assert_int_equal(restore(f->store, "avp21.3", true, &ok, &bad), BW_OK);
    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_RESTORED, AVP, "service");
    assert_int_equal(e->error, 0);
    assert_int_equal(ok, 1);
    assert_int_equal(bad, 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 1);
    bw_contain_record r = record(f->store, AVP);
    assert_false(r.changed);
    assert_int_equal(r.restored_at, T1);
    assert_string_equal(bw_contain_outcome_name(r.outcome), "restored");
    bw_contain_record_free(&r);

    /* Nothing left to restore. */
    fscm_clear_calls();
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    expect_events(0);
    assert_int_equal(ok, 0);
    assert_int_equal(bad, 0);
    assert_int_equal(fscm_total_calls(FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_total_calls(FSCM_StartServiceW), 0);
    assert_int_equal(restore(f->store, AVP, true, &ok, &bad), BW_ENOTFOUND);

    /* Contained again: the prior start type is recorded anew. */
    o.now = T1 + 60;
    run(f->store, &o);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    r = record(f->store, AVP);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

static void test_restore_without_start(void **state)
{
    fx *f = *state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    fscm_clear_calls();
    size_t ok, bad;
    assert_int_equal(restore(f->store, NULL, false, &ok, &bad), BW_OK);
    expect_events(2);
    assert_int_equal(ok, 2);
    assert_int_equal(bad, 0);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(EV[i].outcome, BW_OUTCOME_RESTORED);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_start_type(NAGENT), SERVICE_AUTO_START);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_total_calls(FSCM_StartServiceW), 0);
    expect_record(f->store, AVP, BW_OUTCOME_RESTORED, false);
    expect_record(f->store, NAGENT, BW_OUTCOME_RESTORED, false);
    fscm_assert_no_leaks();
}

static void test_restore_denied(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    fscm_change_error(AVP, ERROR_ACCESS_DENIED);
    fscm_clear_calls();

    size_t ok, bad;
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    expect_events(1);
    const seen *e = expect_event(0, BW_OUTCOME_FAILED, AVP, "service");
    assert_string_equal(e->action, "restore");
    assert_int_equal(e->error, ERROR_ACCESS_DENIED);
    assert_int_equal(ok, 0);
    assert_int_equal(bad, 1);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 0);
    bw_contain_record r = record(f->store, AVP);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_int_equal(r.restored_at, 0);
    bw_contain_record_free(&r);

    /* Once allowed, the restore goes through. */
    fscm_change_error(AVP, 0);
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    assert_int_equal(ok, 1);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* The start fails: the start type is back, the start is reported failed. */
static void test_restore_start_fails(void **state)
{
    fx *f = *state;
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    fscm_start_error(AVP, ERROR_SERVICE_LOGON_FAILED);

    size_t ok, bad;
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    /* The start type is back (405), the start failed (404, "start"). */
    expect_events(2);
    const seen *e = expect_event(0, BW_OUTCOME_RESTORED, AVP, "service");
    assert_string_equal(e->action, "restore");
    e = expect_event(1, BW_OUTCOME_FAILED, AVP, "service");
    assert_string_equal(e->action, "start");
    assert_int_equal(e->error, ERROR_SERVICE_LOGON_FAILED);
    assert_int_equal(ok, 1);
    assert_int_equal(bad, 1);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 1);
    bw_contain_record r = record(f->store, AVP);
    assert_false(r.changed);
    assert_int_equal(r.restored_at, T1);
    bw_contain_record_free(&r);
    fscm_assert_no_leaks();
}

/* Dependents stopped by banwatch are started again; a driver (never
 * stopped) gets its start type back and is not started twice. */
static void test_restore_dependents_and_driver(void **state)
{
    fx *f = *state;
    seed_dependents();
    fscm_service(KLIF, "Kaspersky Lab Driver", SERVICE_KERNEL_DRIVER, SERVICE_BOOT_START,
                 SERVICE_RUNNING, 0);
    target(KLIF, "Kaspersky Lab Driver", true, BW_CONTAIN_ACT, BW_START_BOOT,
           BW_STATE_RUNNING);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.stop_dependents = true;
    run(f->store, &o);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_STOPPED);
    assert_int_equal(fscm_start_type(KLIF), SERVICE_DISABLED);
    fscm_clear_calls();

    size_t ok, bad;
    assert_int_equal(restore(f->store, NULL, true, &ok, &bad), BW_OK);
    if (bad)
        events_dump();
    assert_int_equal(ok, 4);
    assert_int_equal(bad, 0);
    expect_events(4);
    for (size_t i = 0; i < NEV; i++)
        assert_int_equal(EV[i].outcome, BW_OUTCOME_RESTORED);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);
    assert_int_equal(fscm_start_type(KSDE), SERVICE_DEMAND_START);
    assert_int_equal(fscm_start_type(KLIF), SERVICE_BOOT_START);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KLIF), SERVICE_RUNNING);
    expect_record(f->store, KSDE_UI, BW_OUTCOME_RESTORED, false);
    expect_record(f->store, KLIF, BW_OUTCOME_RESTORED, false);
    fscm_assert_no_leaks();
}

/* ---- 14. the mode and its source --------------------------------------------------- */

static bw_mode mode_of(bw_mode policy_mode, char *src, size_t srclen)
{
    bw_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.mode = policy_mode;
    memset(src, 'x', srclen);
    bw_mode m = bw_win_contain_mode(fscm_api(), &pol, src, srclen);
    assert_true(memchr(src, 0, srclen) != NULL);
    fscm_assert_no_leaks();
    return m;
}

static void expect_source(const char *src, const char *part)
{
    if (!bw_icontains(src, part))
        fail_msg("mode source does not mention \"%s\": %s", part, src);
}

/* The source says the Group Policy value is not a valid mode. */
static void expect_source_invalid(const char *src)
{
    expect_source(src, "Group Policy");
    if (!bw_icontains(src, "invalid") && !bw_icontains(src, "not \"audit\" or \"enforce\""))
        fail_msg("mode source does not say the value is invalid: %s", src);
}

static void test_mode_from_policy(void **state)
{
    (void)state;
    char src[256];
    /* No key. */
    assert_int_equal(mode_of(BW_MODE_AUDIT, src, sizeof src), BW_MODE_AUDIT);
    expect_source(src, "policy");
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_ENFORCE);
    expect_source(src, "policy");
    /* The key without the value. */
    fscm_gp_key();
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_ENFORCE);
    expect_source(src, "policy");
    assert_false(bw_icontains(src, "Group Policy"));
}

static void test_mode_from_group_policy(void **state)
{
    (void)state;
    char src[256];
    fscm_gp_sz("enforce");
    assert_int_equal(mode_of(BW_MODE_AUDIT, src, sizeof src), BW_MODE_ENFORCE);
    expect_source(src, "Group Policy");
    expect_source(src, "ContainmentMode");
    fscm_gp_sz("audit");
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source(src, "Group Policy");
    /* A string written without its terminator. */
    static const uint16_t enforce[] = {'e', 'n', 'f', 'o', 'r', 'c', 'e'};
    fscm_gp_value(REG_SZ, enforce, sizeof enforce);
    assert_int_equal(mode_of(BW_MODE_AUDIT, src, sizeof src), BW_MODE_ENFORCE);
    /* A source longer than the buffer is cut, and terminated. */
    char tiny[8];
    assert_int_equal(mode_of(BW_MODE_AUDIT, tiny, sizeof tiny), BW_MODE_ENFORCE);
}

static void test_mode_broken_group_policy(void **state)
{
    (void)state;
    char src[256];
    fscm_gp_sz("bogus");
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source_invalid(src);
    expect_source(src, "bogus");

    DWORD one = 1;
    fscm_gp_value(REG_DWORD, &one, sizeof one);
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source_invalid(src);

    fscm_gp_sz("");
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source_invalid(src);

    fscm_reset();
    fscm_gp_open_error(ERROR_ACCESS_DENIED);
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source(src, "Group Policy");
    expect_source(src, "denied");

    fscm_reset();
    fscm_gp_sz("enforce");
    fscm_gp_query_error(ERROR_ACCESS_DENIED);
    assert_int_equal(mode_of(BW_MODE_ENFORCE, src, sizeof src), BW_MODE_AUDIT);
    expect_source(src, "denied");
}

/* ---- the fake itself ---------------------------------------------------------------- */

/* The fake behaves as the SCM does where the effects rely on it: rights
 * per handle, dependents in stop order with ERROR_MORE_DATA sizing, stops
 * refused while dependents run, dependencies started first, the clock. */
static void test_fake_scm_model(void **state)
{
    (void)state;
    seed_dependents();
    fscm_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                 SERVICE_RUNNING, 0);
    fscm_open_deny(NAGENT, SERVICE_CHANGE_CONFIG | SERVICE_STOP, ERROR_ACCESS_DENIED);
    const bw_api *a = fscm_api();
    SC_HANDLE scm = a->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    assert_non_null(scm);
    assert_null(a->OpenServiceW(scm, L"nope", SERVICE_QUERY_STATUS));
    assert_int_equal(GetLastError(), ERROR_SERVICE_DOES_NOT_EXIST);

    /* A handle without the rights a call needs. */
    SC_HANDLE h = a->OpenServiceW(scm, L"avp21.3", SERVICE_QUERY_STATUS);
    assert_non_null(h);
    SERVICE_STATUS ss;
    DWORD need = 0, n = 0;
    assert_false(a->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_DISABLED,
                                         SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL, NULL, NULL,
                                         NULL));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_false(a->ControlService(h, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_false(a->StartServiceW(h, 0, NULL));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_false(a->QueryServiceConfigW(h, NULL, 0, &need));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_false(a->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &n));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    a->CloseServiceHandle(h);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);

    /* Self-defense: denied for change, allowed for queries; MAXIMUM_ALLOWED
     * opens without the denied rights. */
    assert_null(a->OpenServiceW(scm, L"klnagent", SERVICE_ALL_ACCESS));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_null(a->OpenServiceW(scm, L"klnagent", GENERIC_WRITE));
    h = a->OpenServiceW(scm, L"klnagent", MAXIMUM_ALLOWED);
    assert_non_null(h);
    assert_false(a->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_DISABLED,
                                         SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL, NULL, NULL,
                                         NULL));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    a->CloseServiceHandle(h);

    /* Dependents: sized with ERROR_MORE_DATA, a dependent's own first. */
    h = a->OpenServiceW(scm, L"AVP21.3", SERVICE_ALL_ACCESS);
    assert_non_null(h);
    assert_false(a->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &n));
    assert_int_equal(GetLastError(), ERROR_MORE_DATA);
    assert_int_equal(n, 0);
    assert_true(need > 2 * sizeof(ENUM_SERVICE_STATUSW));
    ENUM_SERVICE_STATUSW *list = malloc(need);
    assert_non_null(list);
    DWORD need2 = 0;
    assert_false(a->EnumDependentServicesW(h, SERVICE_ACTIVE, list, need - 1, &need2, &n));
    assert_int_equal(GetLastError(), ERROR_MORE_DATA);
    assert_int_equal(need2, need);
    assert_true(a->EnumDependentServicesW(h, SERVICE_STATE_ALL, list, need, &need2, &n));
    assert_int_equal(n, 2);
    assert_true(wcscmp(list[0].lpServiceName, L"KSDEUI") == 0);
    assert_true(wcscmp(list[1].lpServiceName, L"KSDE5.4") == 0);
    assert_true(wcscmp(list[1].lpDisplayName, L"" KSDE_DISPLAY) == 0);
    assert_int_equal(list[1].ServiceStatus.dwCurrentState, SERVICE_RUNNING);
    assert_true(a->EnumDependentServicesW(h, SERVICE_INACTIVE, list, need, &need2, &n));
    assert_int_equal(n, 0);
    free(list);

    /* No stop while a dependent runs. */
    assert_false(a->ControlService(h, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(GetLastError(), ERROR_DEPENDENT_SERVICES_RUNNING);
    SC_HANDLE d1 = a->OpenServiceW(scm, L"KSDEUI", SERVICE_STOP | SERVICE_START);
    SC_HANDLE d2 = a->OpenServiceW(scm, L"KSDE5.4", SERVICE_STOP);
    assert_true(a->ControlService(d1, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(ss.dwCurrentState, SERVICE_STOPPED);
    assert_true(a->ControlService(d2, SERVICE_CONTROL_STOP, &ss));
    assert_false(a->ControlService(d2, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(GetLastError(), ERROR_SERVICE_NOT_ACTIVE);

    /* A slow stop: pending for two polls, the check point rising. */
    fscm_stop_behaviour(AVP, FSCM_STOP_AFTER_POLLS, 2);
    assert_true(a->ControlService(h, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(ss.dwCurrentState, SERVICE_STOP_PENDING);
    assert_int_equal(ss.dwCheckPoint, 1);
    assert_false(a->ControlService(h, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(GetLastError(), ERROR_SERVICE_CANNOT_ACCEPT_CTRL);
    SERVICE_STATUS_PROCESS sp;
    DWORD cp = 1;
    for (int i = 0; i < 2; i++) {
        assert_true(a->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp,
                                            &need));
        assert_int_equal(sp.dwCurrentState, SERVICE_STOP_PENDING);
        assert_true(sp.dwCheckPoint > cp);
        cp = sp.dwCheckPoint;
    }
    assert_true(a->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp,
                                        &need));
    assert_int_equal(sp.dwCurrentState, SERVICE_STOPPED);

    /* Starting a dependent starts what it needs; disabled, it cannot. */
    assert_true(a->StartServiceW(d1, 0, NULL));
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE), SERVICE_RUNNING);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    assert_false(a->StartServiceW(d1, 0, NULL));
    assert_int_equal(GetLastError(), ERROR_SERVICE_ALREADY_RUNNING);
    assert_true(a->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_DISABLED,
                                        SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL, NULL, NULL,
                                        NULL));
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    assert_false(a->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, SERVICE_BOOT_START,
                                         SERVICE_NO_CHANGE, NULL, NULL, NULL, NULL, NULL, NULL,
                                         NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    a->CloseServiceHandle(d2);
    a->CloseServiceHandle(d1);
    a->CloseServiceHandle(h);
    assert_int_equal(fscm_open_handles(), 1);
    a->CloseServiceHandle(scm);

    /* The launch protection level, and its absence on old systems. */
    fscm_launch_protected(KSDE, SERVICE_LAUNCH_PROTECTED_ANTIMALWARE_LIGHT);
    fscm_config2_unsupported(KSDE_UI);
    scm = a->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    h = a->OpenServiceW(scm, L"KSDE5.4", SERVICE_QUERY_CONFIG);
    DWORD level = 0;
    assert_true(a->QueryServiceConfig2W(h, SERVICE_CONFIG_LAUNCH_PROTECTED, (LPBYTE)&level,
                                        sizeof level, &need));
    assert_int_equal(level, SERVICE_LAUNCH_PROTECTED_ANTIMALWARE_LIGHT);
    a->CloseServiceHandle(h);
    h = a->OpenServiceW(scm, L"KSDEUI", SERVICE_QUERY_CONFIG);
    assert_false(a->QueryServiceConfig2W(h, SERVICE_CONFIG_LAUNCH_PROTECTED, (LPBYTE)&level,
                                         sizeof level, &need));
    assert_int_equal(GetLastError(), ERROR_INVALID_LEVEL);
    /* The configuration, sized by a first call. */
    assert_false(a->QueryServiceConfigW(h, NULL, 0, &need));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    QUERY_SERVICE_CONFIGW *cfg = malloc(need);
    assert_non_null(cfg);
    assert_true(a->QueryServiceConfigW(h, cfg, need, &need));
    assert_int_equal(cfg->dwStartType, SERVICE_DEMAND_START);
    assert_true(wcscmp(cfg->lpDependencies, L"KSDE5.4") == 0);
    assert_int_equal(cfg->lpDependencies[wcslen(cfg->lpDependencies) + 1], 0);
    free(cfg);
    a->CloseServiceHandle(h);
    a->CloseServiceHandle(scm);

    /* The clock moves only by Sleep. */
    ULONGLONG t = a->GetTickCount64();
    a->Sleep(1500);
    assert_int_equal(a->GetTickCount64() - t, 1500);
    assert_int_equal(fscm_elapsed_ms(), 1500);
    fscm_assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_reports_once_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_without_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_disables_and_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_stopped_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_without_launch_protection_level, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_non_targets_never_touched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_defense_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_denied_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_denied_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_launch_protected_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_stops_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_reports_recorded_prior, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dependents_left_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dependents_stopped_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_that_is_a_dependent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_without_other_av, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_unprotected_acts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_not_reported_when_unprotected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_driver_disabled_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_without_store_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_after_enforce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_without_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_start_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_dependents_and_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_from_policy, fscm_setup, fscm_teardown),
        cmocka_unit_test_setup_teardown(test_mode_from_group_policy, fscm_setup, fscm_teardown),
        cmocka_unit_test_setup_teardown(test_mode_broken_group_policy, fscm_setup,
                                        fscm_teardown),
        cmocka_unit_test_setup_teardown(test_fake_scm_model, fscm_setup, fscm_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
