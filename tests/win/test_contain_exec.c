/*
 * test_contain_exec.c - the containment effects (bw_contain_exec.c) against the fake
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

#include "contain/bw_contain_exec.h"
#include "fake_scm.h"

#define T0 INT64_C(1727600000)
#define T1 (T0 + 3600)

/* The vendor's services, as on a machine with Kaspersky Endpoint Security
 * and its Network Agent. */
#define AVP            "AVP21.3"
#define AVP_DISPLAY    "Kaspersky Endpoint Security Service"
#define NAGENT         "klnagent"
#define NAGENT_DISPLAY "Kaspersky Security Center Network Agent"
#define KSDE           "KSDE5.4"
#define KSDE_DISPLAY   "Kaspersky Secure Connection Service 5.4"
#define KSDE_UI        "KSDEUI"
#define KLIF           "klif"
#define KLIF_DISPLAY   "Kaspersky Lab Driver"

/* The plan carries start types and states as the scan saw them (BW_START_*,
 * BW_STATE_*): the Win32 values, so a fake service's can be used as they
 * are. */
_Static_assert(BW_START_BOOT == SERVICE_BOOT_START && BW_START_AUTO == SERVICE_AUTO_START &&
                   BW_START_DEMAND == SERVICE_DEMAND_START &&
                   BW_STATE_STOPPED == SERVICE_STOPPED && BW_STATE_RUNNING == SERVICE_RUNNING,
               "BW_START_* and BW_STATE_* are the Win32 values");

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

/* An outcome a test expects: the outcome, service and kind always; the
 * rest only when given: the action and display name (not NULL), a part of
 * the detail (not NULL), the Win32 error (not 0), the prior start type and
 * state (PRIOR). */
typedef struct want {
    bw_contain_outcome outcome;
    const char *name, *kind;
    const char *action, *display_name, *detail;
    uint32_t error;
    bool prior;
    uint32_t prior_start, prior_state;
} want;

/* The kind of service, in a want or a want_record. */
#define AS_SERVICE   .kind = "service"
#define AS_DEPENDENT .kind = "dependent"
#define AS_DRIVER    .kind = "driver"

/* The prior start type and state, in a want or a want_record. */
#define PRIOR(start, state) .prior = true, .prior_start = (start), .prior_state = (state)

static void expect_outcomes_(const want *w, size_t n)
{
    expect_events(n);
    for (size_t i = 0; i < n; i++) {
        const seen *e = expect_event(i, w[i].outcome, w[i].name, w[i].kind);
        if (w[i].action)
            assert_string_equal(e->action, w[i].action);
        if (w[i].display_name)
            assert_string_equal(e->display_name, w[i].display_name);
        if (w[i].detail)
            expect_detail(e, w[i].detail);
        if (w[i].error)
            assert_int_equal(e->error, w[i].error);
        if (w[i].prior) {
            assert_true(e->has_prior);
            assert_int_equal(e->prior_start, w[i].prior_start);
            assert_int_equal(e->prior_state, w[i].prior_state);
        }
    }
}

/* Exactly these outcomes were reported, in this order; each a want, e.g.
 * {BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .action = "stop"}. */
#define EXPECT_OUTCOMES(...)                      \
    expect_outcomes_((const want[]){__VA_ARGS__}, \
                     sizeof((const want[]){__VA_ARGS__}) / sizeof(want))

/* n outcomes were reported, each of them o. */
static void expect_all_outcomes(size_t n, bw_contain_outcome o)
{
    expect_events(n);
    for (size_t i = 0; i < NEV; i++)
        assert_int_equal(EV[i].outcome, o);
}

/* ---- the plan -------------------------------------------------------------- */

static bw_contain_target TG[16];
static bw_contain_plan PLAN;

/* Another anti-virus remains (the default). */
static void plan_protected(void)
{
    PLAN.other_av = true;
    PLAN.other_av_text = (char *)"WinDefend (Microsoft Defender Antivirus), automatic start";
    PLAN.hold = false;
}

/* No other anti-virus remains; hold: containment.allow_unprotected is
 * false. */
static void plan_unprotected(bool hold)
{
    PLAN.other_av = false;
    PLAN.other_av_text = (char *)"none: WinDefend is disabled (Start 4)";
    PLAN.hold = hold;
}

static void plan_clear(void)
{
    memset(TG, 0, sizeof TG);
    memset(&PLAN, 0, sizeof PLAN);
    PLAN.items = TG;
    PLAN.cap = sizeof TG / sizeof TG[0];
    plan_protected();
}

/* Adds a finding to the plan; start and state are what the scan saw. */
static void target(const char *name, const char *display, bool driver, bw_contain_decision d,
                   uint32_t start, uint32_t state)
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
    snprintf(f->path, sizeof f->path, "test_contain_exec-%lu-%u.db",
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

/* ---- running the effects ------------------------------------------------------ */

static bw_contain_opts opts(bw_mode mode)
{
    bw_contain_opts o;
    memset(&o, 0, sizeof o);
    o.mode = mode;
    o.stop_timeout_ms = 10000;
    o.stop_dependents = false;
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

/* Runs the plan in enforce mode with the default options. */
static bw_contain_summary enforce(bw_store *st)
{
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    return run(st, &o);
}

/* The next scan, an hour later, has nothing new to report: its outcomes
 * are recorded, not reported again. */
static bw_contain_summary rescan_quietly(bw_store *st, bw_contain_opts *o)
{
    o->now += 3600;
    bw_contain_summary s = run(st, o);
    expect_events(0);
    return s;
}

/* The run's counts, but for `unchanged`, are those of w, e.g.
 * COUNTS(.disabled = 1, .stopped = 1). */
#define COUNTS(...) ((bw_contain_summary){__VA_ARGS__})

static void expect_summary(const bw_contain_summary *s, bw_contain_summary w)
{
    assert_int_equal(s->would_disable, w.would_disable);
    assert_int_equal(s->disabled, w.disabled);
    assert_int_equal(s->stopped, w.stopped);
    assert_int_equal(s->blocked, w.blocked);
    assert_int_equal(s->failed, w.failed);
    assert_int_equal(s->held, w.held);
}

/* Nothing failed or was blocked, by the counts and by the outcomes. */
static void expect_no_failure(const bw_contain_summary *s)
{
    assert_int_equal(s->blocked, 0);
    assert_int_equal(s->failed, 0);
    for (size_t i = 0; i < NEV; i++)
        assert_true(EV[i].outcome != BW_OUTCOME_FAILED && EV[i].outcome != BW_OUTCOME_BLOCKED);
}

/* Restores (the outcomes land in EV) and checks that it went through with
 * these counts of restored and failed services. */
static void expect_restore(bw_store *st, const char *only, bool start, size_t n_ok, size_t n_fail)
{
    bw_restore_opts o;
    memset(&o, 0, sizeof o);
    o.only = only;
    o.start = start;
    o.start_timeout_ms = 10000;
    o.now = T1;
    events_clear();
    size_t ok = 12345, bad = 12345;
    assert_int_equal(bw_win_restore(fscm_api(), st, &o, on_result, EV, &ok, &bad), BW_OK);
    fscm_assert_no_leaks();
    if (ok != n_ok || bad != n_fail)
        events_dump();
    assert_int_equal(ok, n_ok);
    assert_int_equal(bad, n_fail);
}

/* A restore of `only`, which names no service banwatch changed: nothing is
 * done or reported. */
static void expect_restore_unknown(bw_store *st, const char *only)
{
    bw_restore_opts o;
    memset(&o, 0, sizeof o);
    o.only = only;
    o.start = true;
    o.start_timeout_ms = 10000;
    o.now = T1;
    events_clear();
    size_t ok, bad;
    assert_int_equal(bw_win_restore(fscm_api(), st, &o, on_result, EV, &ok, &bad), BW_ENOTFOUND);
    fscm_assert_no_leaks();
    expect_events(0);
}

/* ---- the state database ---------------------------------------------------------- */

/* What a test expects of a service's record: whether banwatch changed it
 * (and has not restored it) always; the rest only when given: the last
 * outcome's name and the kind (not NULL), the prior start type and state
 * (PRIOR), the Win32 error (not 0), the times (not 0; NEVER: 0 in the
 * record). Written as CHANGED(...) or UNCHANGED(...). */
typedef struct want_record {
    bool changed;
    const char *outcome, *kind;
    bool prior;
    uint32_t prior_start, prior_state;
    uint32_t error;
    int64_t changed_at, restored_at;
} want_record;

#define NEVER          INT64_C(-1)
#define CHANGED(...)   ((want_record){.changed = true, __VA_ARGS__})
#define UNCHANGED(...) ((want_record){.changed = false, __VA_ARGS__})

static void expect_time(int64_t got, int64_t w)
{
    if (w)
        assert_int_equal(got, w == NEVER ? 0 : w);
}

static void expect_record(bw_store *st, const char *name, want_record w)
{
    bw_contain_record r;
    memset(&r, 0, sizeof r);
    bw_err e = bw_store_contain_get(st, name, &r);
    if (e != BW_OK)
        fail_msg("no containment record for %s (%s)", name, bw_strerror(e));
    assert_int_equal(r.changed, w.changed);
    if (w.outcome)
        assert_string_equal(bw_contain_outcome_name(r.outcome), w.outcome);
    if (w.kind)
        assert_string_equal(r.kind, w.kind);
    if (w.prior) {
        assert_true(r.has_prior);
        assert_int_equal(r.prior_start, w.prior_start);
        assert_int_equal(r.prior_state, w.prior_state);
    }
    if (w.error)
        assert_int_equal(r.error, w.error);
    expect_time(r.changed_at, w.changed_at);
    expect_time(r.restored_at, w.restored_at);
    bw_contain_record_free(&r);
}

static void expect_no_record(bw_store *st, const char *name)
{
    bw_contain_record r;
    memset(&r, 0, sizeof r);
    assert_int_equal(bw_store_contain_get(st, name, &r), BW_ENOTFOUND);
}

/* ---- the services -------------------------------------------------------------- */

/* The service's start type and state in the fake SCM. */
static void expect_service(const char *name, uint32_t start, uint32_t state)
{
    assert_int_equal(fscm_start_type(name), start);
    assert_int_equal(fscm_state(name), state);
}

/* How often the service was asked to change, stop (or be interrogated) and
 * start. */
static void expect_calls(const char *name, unsigned change, unsigned control, unsigned start)
{
    assert_int_equal(fscm_calls(name, FSCM_ChangeServiceConfigW), change);
    assert_int_equal(fscm_calls(name, FSCM_ControlService), control);
    assert_int_equal(fscm_calls(name, FSCM_StartServiceW), start);
}

/* Nothing was changed in the service: no change, stop or start asked, and
 * its start type and state are as given. */
static void expect_untouched(const char *name, uint32_t start, uint32_t state)
{
    expect_calls(name, 0, 0, 0);
    expect_service(name, start, state);
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

/* A service (or driver) of the vendor in the fake SCM, and its finding in
 * the plan with decision d, as the scan saw it. */
static void vendor_service(const char *name, const char *display, uint32_t type, uint32_t start,
                           uint32_t state, bw_contain_decision d)
{
    fscm_service(name, display, type, start, state, 0);
    target(name, display, (type & (SERVICE_KERNEL_DRIVER | SERVICE_FILE_SYSTEM_DRIVER)) != 0, d,
           start, state);
}

/* AVP, running with an automatic start, a target; wait_hint_ms is reported
 * while it stops. */
static void seed_avp(uint32_t wait_hint_ms)
{
    fscm_service(AVP, AVP_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_RUNNING,
                 wait_hint_ms);
    target(AVP, AVP_DISPLAY, false, BW_CONTAIN_ACT, BW_START_AUTO, BW_STATE_RUNNING);
}

/* The driver, running with a boot start. */
static void seed_klif(bw_contain_decision d)
{
    vendor_service(KLIF, KLIF_DISPLAY, SERVICE_KERNEL_DRIVER, SERVICE_BOOT_START, SERVICE_RUNNING,
                   d);
}

/* AVP and the Network Agent, both running with an automatic start, both
 * targets. */
static void seed_two(void)
{
    seed_avp(0);
    vendor_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                   SERVICE_RUNNING, BW_CONTAIN_ACT);
}

/* Both services of seed_two had outcome o, AVP first. */
static void expect_two_outcomes(bw_contain_outcome o)
{
    EXPECT_OUTCOMES({o, AVP, AS_SERVICE}, {o, NAGENT, AS_SERVICE});
}

/* Both services of seed_two are as they were. */
static void expect_two_untouched(void)
{
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_untouched(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
}

/* AVP with a running dependent (KSDE), which has its own (KSDEUI). */
static void seed_dependents(void)
{
    seed_avp(0);
    fscm_service(KSDE, KSDE_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_RUNNING, 0);
    fscm_service(KSDE_UI, NULL, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_RUNNING,
                 0);
    fscm_depends(KSDE, AVP);
    fscm_depends(KSDE_UI, KSDE);
}

/* The run disabled and stopped AVP, and did nothing else. */
static void expect_avp_contained(const bw_contain_summary *s)
{
    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_STOPPED, AVP, AS_SERVICE});
    expect_summary(s, COUNTS(.disabled = 1, .stopped = 1));
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
}

/* ---- 1. audit ---------------------------------------------------------------- */

static void test_audit_reports_once_changes_nothing(void **state)
{
    fx *f = *state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_AUDIT);
    bw_contain_summary s = run(f->store, &o);

    EXPECT_OUTCOMES({BW_OUTCOME_WOULD_DISABLE, AVP, AS_SERVICE, .display_name = AVP_DISPLAY},
                    {BW_OUTCOME_WOULD_DISABLE, NAGENT, AS_SERVICE});
    assert_int_equal(EV[0].error, 0);
    expect_summary(&s, COUNTS(.would_disable = 2));
    expect_two_untouched();
    expect_record(f->store, AVP, UNCHANGED(.outcome = "would-disable"));
    expect_record(f->store, NAGENT, UNCHANGED(.outcome = "would-disable"));

    /* The next scan: the same outcome is recorded, not reported again. */
    rescan_quietly(f->store, &o);
    expect_two_untouched();
    expect_record(
        f->store, AVP,
        UNCHANGED(.outcome = "would-disable", .changed_at = NEVER, .restored_at = NEVER));
    expect_record(f->store, NAGENT, UNCHANGED(.outcome = "would-disable"));
    fscm_assert_no_leaks();
}

/* Audit mode without a database: everything is reported, nothing changed. */
static void test_audit_without_store(void **state)
{
    (void)state;
    seed_two();
    bw_contain_opts o = opts(BW_MODE_AUDIT);
    bw_contain_summary s = run(NULL, &o);
    expect_two_outcomes(BW_OUTCOME_WOULD_DISABLE);
    expect_summary(&s, COUNTS(.would_disable = 2));
    run(NULL, &o);
    expect_events(2);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 2. enforce ---------------------------------------------------------------- */

static void test_enforce_disables_and_stops(void **state)
{
    fx *f = *state;
    seed_avp(0);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE, .action = "disable",
                     .display_name = AVP_DISPLAY, PRIOR(BW_START_AUTO, BW_STATE_RUNNING)},
                    {BW_OUTCOME_STOPPED, AVP, AS_SERVICE, .action = "stop"});
    assert_int_equal(EV[0].error, 0);
    assert_int_equal(EV[1].error, 0);
    expect_summary(&s, COUNTS(.disabled = 1, .stopped = 1));
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    expect_calls(AVP, 1, 1, 0);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), AS_SERVICE, .changed_at = T0,
                          .restored_at = NEVER));

    /* Windows (or an administrator) cannot start it again. */
    assert_int_equal(try_start(L"AVP21.3"), ERROR_SERVICE_DISABLED);
    assert_int_equal(fscm_state(AVP), SERVICE_STOPPED);

    /* The next scan finds it as banwatch left it: the recorded prior start
     * type and state (what a restore puts back) must not be overwritten
     * with banwatch's own doing. */
    o.now = T1;
    s = run(f->store, &o);
    expect_no_failure(&s);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .changed_at = T0));
    fscm_assert_no_leaks();
}

/* A service that is already stopped is disabled, and not stopped again. */
static void test_enforce_stopped_service(void **state)
{
    fx *f = *state;
    vendor_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                   SERVICE_STOPPED, BW_CONTAIN_ACT);
    bw_contain_summary s = enforce(f->store);
    EXPECT_OUTCOMES(
        {BW_OUTCOME_DISABLED, NAGENT, AS_SERVICE, PRIOR(BW_START_DEMAND, BW_STATE_STOPPED)});
    expect_summary(&s, COUNTS(.disabled = 1));
    expect_service(NAGENT, SERVICE_DISABLED, SERVICE_STOPPED);
    assert_int_equal(fscm_calls(NAGENT, FSCM_ControlService), 0);
    expect_record(f->store, NAGENT, CHANGED(PRIOR(BW_START_DEMAND, BW_STATE_STOPPED)));
    fscm_assert_no_leaks();
}

/* Windows 7 and Wine know no launch protection (ERROR_INVALID_LEVEL): that
 * is not a reason to leave the service alone. */
static void test_enforce_without_launch_protection_level(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_config2_unsupported(AVP);
    bw_contain_summary s = enforce(f->store);
    expect_avp_contained(&s);
    fscm_assert_no_leaks();
}

/* ---- 3. non-targets ------------------------------------------------------------ */

static void test_non_targets_never_touched(void **state)
{
    fx *f = *state;
    vendor_service(NAGENT, NAGENT_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                   SERVICE_RUNNING, BW_CONTAIN_SKIP_ALLOWLIST);
    seed_avp(0);
    vendor_service(KSDE, KSDE_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                   SERVICE_RUNNING, BW_CONTAIN_SKIP_NOT_ONLY);
    seed_klif(BW_CONTAIN_SKIP_DRIVER);
    target("kavfsslp", NULL, false, BW_CONTAIN_SKIP_NOT_SCM, BW_START_AUTO, BW_STATE_UNKNOWN);
    static const struct {
        const char *name;
        uint32_t start;
    } skipped[] = {
        {NAGENT, SERVICE_AUTO_START}, {KSDE, SERVICE_AUTO_START}, {KLIF, SERVICE_BOOT_START}};

    for (int mode = 0; mode < 2; mode++) {
        bw_contain_opts o = opts(mode ? BW_MODE_ENFORCE : BW_MODE_AUDIT);
        bw_contain_summary s = run(f->store, &o);
        expect_events(mode ? 2 : 1);
        for (size_t i = 0; i < NEV; i++)
            assert_string_equal(EV[i].name, AVP);
        expect_summary(&s,
                       mode ? COUNTS(.disabled = 1, .stopped = 1) : COUNTS(.would_disable = 1));
        for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
            assert_int_equal(fscm_calls(skipped[i].name, FSCM_OpenServiceW), 0);
            expect_untouched(skipped[i].name, skipped[i].start, SERVICE_RUNNING);
            expect_no_record(f->store, skipped[i].name);
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
    seed_avp(0);
    fscm_open_deny(AVP, SERVICE_CHANGE_CONFIG | SERVICE_STOP, ERROR_ACCESS_DENIED);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    EXPECT_OUTCOMES({BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .error = ERROR_ACCESS_DENIED,
                     .detail = "password"});
    expect_summary(&s, COUNTS(.blocked = 1));
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    /* No step is retried in a loop. */
    assert_true(fscm_calls(AVP, FSCM_OpenServiceW) <= 2);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "blocked", .error = ERROR_ACCESS_DENIED));

    /* The next scan: blocked again, recorded, not reported again. */
    s = rescan_quietly(f->store, &o);
    assert_int_equal(s.blocked, 1);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "blocked"));
    fscm_assert_no_leaks();
}

/* Opening for change is refused and the service is launch-protected: the
 * report names the protection, not self-defense. */
static void test_protected_denied_at_open(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_open_deny(AVP, SERVICE_CHANGE_CONFIG | SERVICE_STOP, ERROR_ACCESS_DENIED);
    fscm_launch_protected(AVP, 3);
    bw_contain_summary s = enforce(f->store);
    EXPECT_OUTCOMES(
        {BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .error = ERROR_ACCESS_DENIED, .detail = "AM-PPL"});
    expect_summary(&s, COUNTS(.blocked = 1));
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* The service opens, but the change is refused. */
static void test_change_denied_blocks(void **state)
{
    fx *f = *state;
    seed_two();
    fscm_change_error(AVP, ERROR_ACCESS_DENIED);
    bw_contain_summary s = enforce(f->store);

    EXPECT_OUTCOMES(
        {BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .action = "disable", .error = ERROR_ACCESS_DENIED},
        /* The other service is still handled. */
        {BW_OUTCOME_DISABLED, NAGENT, AS_SERVICE}, {BW_OUTCOME_STOPPED, NAGENT, AS_SERVICE});
    expect_summary(&s, COUNTS(.disabled = 1, .stopped = 1, .blocked = 1));
    /* Asked once, not retried; not stopped when it could not be disabled
     * (it would only start again). */
    expect_calls(AVP, 1, 0, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    /* Nothing was changed, so nothing is to be restored (and a restore
     * without a callback says so). */
    expect_record(
        f->store, AVP,
        UNCHANGED(.outcome = "blocked", .error = ERROR_ACCESS_DENIED, .changed_at = NEVER));
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
    seed_avp(0);
    fscm_change_error(AVP, ERROR_SERVICE_MARKED_FOR_DELETE);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    EXPECT_OUTCOMES({BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "disable",
                     .error = ERROR_SERVICE_MARKED_FOR_DELETE});
    expect_summary(&s, COUNTS(.failed = 1));
    expect_calls(AVP, 1, 0, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "failed"));
    /* The same failure on the next scan is not reported again. */
    rescan_quietly(f->store, &o);
    fscm_assert_no_leaks();
}

/* Disabled, but the stop request is refused (self-defense guarding the
 * process rather than the configuration). */
static void test_stop_denied_blocks(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_control_error(AVP, ERROR_ACCESS_DENIED);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .action = "stop",
                     .error = ERROR_ACCESS_DENIED, .detail = "password"});
    expect_summary(&s, COUNTS(.disabled = 1, .blocked = 1));
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_RUNNING);
    /* The start type was changed: the record keeps what to put back. */
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "blocked"));
    /* The next scan: refused again, not reported again. */
    rescan_quietly(f->store, &o);
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    fscm_assert_no_leaks();
}

/* A protected (antimalware-light) service: not even tried. */
static void test_launch_protected_blocks(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_launch_protected(AVP, SERVICE_LAUNCH_PROTECTED_ANTIMALWARE_LIGHT);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    EXPECT_OUTCOMES({BW_OUTCOME_BLOCKED, AVP, AS_SERVICE, .detail = "protect"});
    expect_summary(&s, COUNTS(.blocked = 1));
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    assert_true(fscm_calls(AVP, FSCM_QueryServiceConfig2W) >= 1);
    /* Not touched: no prior recorded, nothing to roll back. */
    expect_record(f->store, AVP, UNCHANGED(.outcome = "blocked", .changed_at = NEVER));

    rescan_quietly(f->store, &o);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 7, 8. stopping takes time -------------------------------------------------- */

static void test_never_stops_times_out(void **state)
{
    fx *f = *state;
    seed_avp(2000);
    fscm_stop_behaviour(AVP, FSCM_STOP_NEVER, 0);
    bw_contain_summary s = enforce(f->store);

    EXPECT_OUTCOMES(
        {BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
        {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "stop", .detail = "did not stop"});
    expect_summary(&s, COUNTS(.disabled = 1, .failed = 1));
    /* The timeout is honoured, in steps of (a part of) the wait hint. */
    uint64_t waited = fscm_elapsed_ms();
    if (waited < 10000 || waited >= 20000)
        fail_msg("waited %llu ms for a stop with a 10000 ms timeout", (unsigned long long)waited);
    assert_true(fscm_total_calls(FSCM_Sleep) >= 5);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOP_PENDING);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "failed"));
    fscm_assert_no_leaks();
}

/* banwatch itself stopping: a wait on the cancel event. The fake clock
 * advances while "waiting"; the event is signalled from the
 * cancel_after-th wait on. */
#define CANCEL_EVENT ((HANDLE)(uintptr_t)0xCA4CE1)
static unsigned cancel_waits, cancel_after;

static DWORD WINAPI cancel_wait(DWORD n, const HANDLE *h, BOOL all, DWORD ms)
{
    assert_int_equal(n, 1);
    assert_ptr_equal(h[0], CANCEL_EVENT);
    assert_false(all);
    if (++cancel_waits >= cancel_after)
        return WAIT_OBJECT_0;
    if (ms)
        fscm_api()->Sleep(ms);
    return WAIT_TIMEOUT;
}

static void test_stopping_banwatch_ends_the_wait(void **state)
{
    fx *f = *state;
    seed_two();
    fscm_stop_behaviour(AVP, FSCM_STOP_NEVER, 0);
    bw_api table = *fscm_api();
    table.WaitForMultipleObjects = cancel_wait;
    cancel_waits = 0;
    cancel_after = 4; /* the check before AVP, then three polls */
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.cancel = CANCEL_EVENT;
    bw_contain_summary sum;
    events_clear();
    assert_int_equal(bw_win_contain(&table, f->store, &PLAN, &o, on_result, EV, &sum), BW_OK);
    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "stop",
                     .detail = "banwatch itself was stopping"});
    expect_summary(&sum, COUNTS(.disabled = 1, .failed = 1));
    /* the wait ended long before the 10 s timeout; no further target */
    assert_true(fscm_elapsed_ms() < 2000);
    assert_int_equal(fscm_calls(NAGENT, FSCM_ChangeServiceConfigW), 0);
    expect_service(NAGENT, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOP_PENDING);
    fscm_assert_no_leaks();
}

static void test_slow_stop(void **state)
{
    fx *f = *state;
    seed_avp(1000);
    fscm_stop_behaviour(AVP, FSCM_STOP_AFTER_POLLS, 3);
    bw_contain_summary s = enforce(f->store);

    expect_avp_contained(&s);
    assert_int_equal(fscm_calls(AVP, FSCM_ControlService), 1);
    assert_true(fscm_calls(AVP, FSCM_QueryServiceStatusEx) >= 4);
    assert_true(fscm_elapsed_ms() < 10000);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "stopped"));
    fscm_assert_no_leaks();
}

/* The stop fails on one scan and succeeds on the next: the outcome then
 * reported carries the start type and state from before banwatch acted
 * (what the record keeps), not the disabled state banwatch made. */
static void test_retry_reports_recorded_prior(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_control_error(AVP, ERROR_SERVICE_REQUEST_TIMEOUT);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "stop",
                     .error = ERROR_SERVICE_REQUEST_TIMEOUT});
    expect_summary(&s, COUNTS(.disabled = 1, .failed = 1));

    fscm_control_error(AVP, 0);
    o.now = T1;
    s = run(f->store, &o);
    EXPECT_OUTCOMES(
        {BW_OUTCOME_STOPPED, AVP, AS_SERVICE, PRIOR(BW_START_AUTO, BW_STATE_RUNNING)});
    expect_summary(&s, COUNTS(.stopped = 1));
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 1);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .changed_at = T0));
    fscm_assert_no_leaks();
}

/* ---- 9. dependents --------------------------------------------------------------- */

static void test_dependents_left_running(void **state)
{
    fx *f = *state;
    seed_dependents();
    bw_contain_summary s = enforce(f->store);

    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "stop", .detail = "depend"});
    expect_detail(&EV[1], KSDE);
    expect_summary(&s, COUNTS(.disabled = 1, .failed = 1));
    expect_service(AVP, SERVICE_DISABLED, SERVICE_RUNNING);
    expect_untouched(KSDE, SERVICE_DEMAND_START, SERVICE_RUNNING);
    expect_untouched(KSDE_UI, SERVICE_DEMAND_START, SERVICE_RUNNING);
    expect_no_record(f->store, KSDE);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "failed"));
    fscm_assert_no_leaks();
}

static void test_dependents_stopped_first(void **state)
{
    fx *f = *state;
    seed_dependents();
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.stop_dependents = true;
    bw_contain_summary s = run(f->store, &o);

    EXPECT_OUTCOMES(
        {BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
        /* The dependents in the order Windows gives: a
         * dependent's own dependents first. */
        {BW_OUTCOME_STOPPED, KSDE_UI, AS_DEPENDENT, PRIOR(BW_START_DEMAND, BW_STATE_RUNNING)},
        {BW_OUTCOME_STOPPED, KSDE, AS_DEPENDENT}, {BW_OUTCOME_STOPPED, AVP, AS_SERVICE});
    expect_summary(&s, COUNTS(.disabled = 1, .stopped = 3));
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    /* Dependents are stopped, not disabled. */
    expect_service(KSDE, SERVICE_DEMAND_START, SERVICE_STOPPED);
    expect_service(KSDE_UI, SERVICE_DEMAND_START, SERVICE_STOPPED);
    assert_int_equal(fscm_calls(KSDE, FSCM_ChangeServiceConfigW), 0);
    expect_record(f->store, KSDE,
                  CHANGED(PRIOR(BW_START_DEMAND, BW_STATE_RUNNING), AS_DEPENDENT));
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "stopped"));
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
    expect_no_failure(&s);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    expect_service(KSDE, SERVICE_DISABLED, SERVICE_STOPPED);
    assert_int_equal(fscm_start_type(KSDE_UI), SERVICE_DEMAND_START);
    expect_record(f->store, KSDE, CHANGED(PRIOR(BW_START_DEMAND, BW_STATE_RUNNING)));

    expect_restore(f->store, NULL, true, 3, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_service(KSDE, SERVICE_DEMAND_START, SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* A running dependent that is a target itself is stopped first even when
 * stop_dependents is false: it is being contained anyway. */
static void test_dependent_targets_stopped_first(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_service(KSDE, KSDE_DISPLAY, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                 SERVICE_RUNNING, 0);
    fscm_depends(KSDE, AVP);
    target(KSDE, KSDE_DISPLAY, false, BW_CONTAIN_ACT, BW_START_DEMAND, BW_STATE_RUNNING);
    bw_contain_summary s = enforce(f->store); /* stop_dependents false */

    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE},
                    {BW_OUTCOME_STOPPED, KSDE, AS_SERVICE, .detail = "contained itself"},
                    {BW_OUTCOME_STOPPED, AVP, AS_SERVICE},
                    {BW_OUTCOME_DISABLED, KSDE, AS_SERVICE});
    expect_summary(&s, COUNTS(.disabled = 2, .stopped = 2));
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    expect_service(KSDE, SERVICE_DISABLED, SERVICE_STOPPED);
    expect_record(f->store, KSDE, CHANGED(PRIOR(BW_START_DEMAND, BW_STATE_RUNNING)));
    expect_restore(f->store, NULL, true, 2, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_service(KSDE, SERVICE_DEMAND_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* ---- 10. no other anti-virus -------------------------------------------------------- */

static void test_hold_without_other_av(void **state)
{
    fx *f = *state;
    seed_two();
    plan_unprotected(true);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);

    expect_two_outcomes(BW_OUTCOME_HELD);
    expect_summary(&s, COUNTS(.held = 2));
    expect_two_untouched();
    expect_record(f->store, AVP, UNCHANGED(.outcome = "held"));
    expect_record(f->store, NAGENT, UNCHANGED(.outcome = "held"));

    /* Held again on the next scan: recorded, not reported again. */
    rescan_quietly(f->store, &o);
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);

    /* Audit mode says what it would do, hold or not. */
    o.mode = BW_MODE_AUDIT;
    s = run(f->store, &o);
    expect_two_outcomes(BW_OUTCOME_WOULD_DISABLE);
    expect_summary(&s, COUNTS(.would_disable = 2));
    expect_untouched(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);

    /* Another anti-virus is installed: the plan no longer holds and
     * enforcement acts. */
    plan_protected();
    o.mode = BW_MODE_ENFORCE;
    s = run(f->store, &o);
    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, AVP, AS_SERVICE}, {BW_OUTCOME_STOPPED, AVP, AS_SERVICE},
                    {BW_OUTCOME_DISABLED, NAGENT, AS_SERVICE},
                    {BW_OUTCOME_STOPPED, NAGENT, AS_SERVICE});
    expect_summary(&s, COUNTS(.disabled = 2, .stopped = 2));
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
    plan_unprotected(false);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    bw_contain_summary s = run(f->store, &o);
    assert_int_equal(s.disabled, 2);
    assert_int_equal(s.stopped, 2);
    expect_no_failure(&s);
    size_t changes = 0;
    for (size_t i = 0; i < NEV; i++) {
        if (EV[i].outcome == BW_OUTCOME_HELD)
            assert_string_not_equal(EV[i].action, "none");
        else
            changes++;
    }
    assert_int_equal(changes, 4);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    assert_int_equal(fscm_state(NAGENT), SERVICE_STOPPED);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .outcome = "stopped"));
    fscm_assert_no_leaks();
}

/* A service left running (its dependents run) is re-tried on every scan;
 * the same outcome is not reported again, also when acting unprotected. */
static void test_repeat_not_reported_when_unprotected(void **state)
{
    fx *f = *state;
    seed_dependents();
    plan_unprotected(false);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    expect_service(AVP, SERVICE_DISABLED, SERVICE_RUNNING);
    rescan_quietly(f->store, &o);
    rescan_quietly(f->store, &o);
    fscm_assert_no_leaks();
}

/* ---- 11. drivers ------------------------------------------------------------------ */

static void test_driver_disabled_only(void **state)
{
    fx *f = *state;
    seed_klif(BW_CONTAIN_ACT);
    bw_contain_summary s = enforce(f->store);

    EXPECT_OUTCOMES({BW_OUTCOME_DISABLED, KLIF, AS_DRIVER, .detail = "next boot",
                     PRIOR(BW_START_BOOT, BW_STATE_RUNNING)});
    expect_summary(&s, COUNTS(.disabled = 1));
    expect_service(KLIF, SERVICE_DISABLED, SERVICE_RUNNING);
    assert_int_equal(fscm_calls(KLIF, FSCM_ControlService), 0);
    expect_record(f->store, KLIF, CHANGED(PRIOR(BW_START_BOOT, BW_STATE_RUNNING), AS_DRIVER));
    fscm_assert_no_leaks();
}

/* ---- 12. no database ----------------------------------------------------------------- */

static void test_enforce_without_store_fails(void **state)
{
    (void)state;
    seed_two();
    bw_contain_summary s = enforce(NULL);
    expect_two_outcomes(BW_OUTCOME_FAILED);
    expect_detail(&EV[0], "database");
    expect_summary(&s, COUNTS(.failed = 2));
    expect_two_untouched();
    fscm_assert_no_leaks();
}

/* ---- 13. restore ------------------------------------------------------------------- */

static void test_restore_after_enforce(void **state)
{
    fx *f = *state;
    seed_avp(0);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    run(f->store, &o);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    fscm_clear_calls();

    /* Only a service banwatch changed can be named. */
    expect_restore_unknown(f->store, "nope");
    assert_int_equal(fscm_total_calls(FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);

    expect_restore(f->store, "avp21.3", true, 1, 0);
    EXPECT_OUTCOMES({BW_OUTCOME_RESTORED, AVP, AS_SERVICE});
    assert_int_equal(EV[0].error, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 1);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "restored", .restored_at = T1));

    /* Nothing left to restore. */
    fscm_clear_calls();
    expect_restore(f->store, NULL, true, 0, 0);
    expect_events(0);
    assert_int_equal(fscm_total_calls(FSCM_ChangeServiceConfigW), 0);
    assert_int_equal(fscm_total_calls(FSCM_StartServiceW), 0);
    expect_restore_unknown(f->store, AVP);

    /* Contained again: the prior start type is recorded anew. */
    o.now = T1 + 60;
    run(f->store, &o);
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    expect_record(f->store, AVP, CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING)));
    fscm_assert_no_leaks();
}

static void test_restore_without_start(void **state)
{
    fx *f = *state;
    seed_two();
    enforce(f->store);
    fscm_clear_calls();
    expect_restore(f->store, NULL, false, 2, 0);
    expect_all_outcomes(2, BW_OUTCOME_RESTORED);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_STOPPED);
    assert_int_equal(fscm_start_type(NAGENT), SERVICE_AUTO_START);
    assert_int_equal(fscm_total_calls(FSCM_StartServiceW), 0);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "restored"));
    expect_record(f->store, NAGENT, UNCHANGED(.outcome = "restored"));
    fscm_assert_no_leaks();
}

static void test_restore_denied(void **state)
{
    fx *f = *state;
    seed_avp(0);
    enforce(f->store);
    fscm_change_error(AVP, ERROR_ACCESS_DENIED);
    fscm_clear_calls();

    expect_restore(f->store, NULL, true, 0, 1);
    EXPECT_OUTCOMES(
        {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "restore", .error = ERROR_ACCESS_DENIED});
    expect_service(AVP, SERVICE_DISABLED, SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 0);
    expect_record(f->store, AVP,
                  CHANGED(PRIOR(BW_START_AUTO, BW_STATE_RUNNING), .restored_at = NEVER));

    /* Once allowed, the restore goes through. */
    fscm_change_error(AVP, 0);
    expect_restore(f->store, NULL, true, 1, 0);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    fscm_assert_no_leaks();
}

/* Uninstalled between the scan and containment: nothing to do, nothing
 * to report. */
static void test_target_uninstalled_since_scan(void **state)
{
    fx *f = *state;
    seed_avp(0);
    fscm_open_deny(AVP, SERVICE_ALL_ACCESS, ERROR_SERVICE_DOES_NOT_EXIST);
    bw_contain_summary s = enforce(f->store);
    expect_events(0);
    expect_summary(&s, COUNTS(.unchanged = 1));
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 0);
    bw_contain_record rec;
    assert_int_equal(bw_store_contain_get(f->store, AVP, &rec), BW_ENOTFOUND);
    fscm_assert_no_leaks();
}

/* The service was uninstalled after containment: nothing to put back, the
 * record is closed (a later restore does not fail on it again). */
static void test_restore_uninstalled(void **state)
{
    fx *f = *state;
    seed_avp(0);
    enforce(f->store);
    fscm_open_deny(AVP, SERVICE_ALL_ACCESS, ERROR_SERVICE_DOES_NOT_EXIST);
    fscm_clear_calls();

    expect_restore(f->store, NULL, true, 1, 0);
    EXPECT_OUTCOMES({BW_OUTCOME_RESTORED, AVP, AS_SERVICE, .action = "restore",
                     .detail = "no longer exists"});
    assert_int_equal(fscm_calls(AVP, FSCM_ChangeServiceConfigW), 0);
    expect_record(f->store, AVP, UNCHANGED(.outcome = "restored"));
    expect_restore(f->store, NULL, true, 0, 0);
    fscm_assert_no_leaks();
}

/* The start fails: the start type is back, the start is reported failed. */
static void test_restore_start_fails(void **state)
{
    fx *f = *state;
    seed_avp(0);
    enforce(f->store);
    fscm_start_error(AVP, ERROR_SERVICE_LOGON_FAILED);

    expect_restore(f->store, NULL, true, 1, 1);
    /* The start type is back (405), the start failed (404, "start"). */
    EXPECT_OUTCOMES({BW_OUTCOME_RESTORED, AVP, AS_SERVICE, .action = "restore"},
                    {BW_OUTCOME_FAILED, AVP, AS_SERVICE, .action = "start",
                     .error = ERROR_SERVICE_LOGON_FAILED});
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_STOPPED);
    assert_int_equal(fscm_calls(AVP, FSCM_StartServiceW), 1);
    expect_record(f->store, AVP, UNCHANGED(.restored_at = T1));
    fscm_assert_no_leaks();
}

/* Dependents stopped by banwatch are started again; a driver (never
 * stopped) gets its start type back and is not started twice. */
static void test_restore_dependents_and_driver(void **state)
{
    fx *f = *state;
    seed_dependents();
    seed_klif(BW_CONTAIN_ACT);
    bw_contain_opts o = opts(BW_MODE_ENFORCE);
    o.stop_dependents = true;
    run(f->store, &o);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_STOPPED);
    assert_int_equal(fscm_start_type(KLIF), SERVICE_DISABLED);
    fscm_clear_calls();

    expect_restore(f->store, NULL, true, 4, 0);
    expect_all_outcomes(4, BW_OUTCOME_RESTORED);
    expect_service(AVP, SERVICE_AUTO_START, SERVICE_RUNNING);
    expect_service(KSDE, SERVICE_DEMAND_START, SERVICE_RUNNING);
    expect_service(KLIF, SERVICE_BOOT_START, SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    expect_record(f->store, KSDE_UI, UNCHANGED(.outcome = "restored"));
    expect_record(f->store, KLIF, UNCHANGED(.outcome = "restored"));
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

/* Where the last expect_mode found the mode. */
static char SRC[256];

/* With the policy file's mode `policy`, the mode in force is `expected`,
 * and its source (in SRC) mentions `part` (unless NULL). */
static void expect_mode(bw_mode policy, bw_mode expected, const char *part)
{
    assert_int_equal(mode_of(policy, SRC, sizeof SRC), expected);
    if (part)
        expect_source(SRC, part);
}

/* The Group Policy value is not a valid mode: audit, and the source says
 * so. */
static void expect_mode_invalid(void)
{
    expect_mode(BW_MODE_ENFORCE, BW_MODE_AUDIT, "Group Policy");
    if (!bw_icontains(SRC, "invalid") && !bw_icontains(SRC, "not \"audit\" or \"enforce\""))
        fail_msg("mode source does not say the value is invalid: %s", SRC);
}

static void test_mode_from_policy(void **state)
{
    (void)state;
    /* No key. */
    expect_mode(BW_MODE_AUDIT, BW_MODE_AUDIT, "policy");
    expect_mode(BW_MODE_ENFORCE, BW_MODE_ENFORCE, "policy");
    /* The key without the value. */
    fscm_gp_key();
    expect_mode(BW_MODE_ENFORCE, BW_MODE_ENFORCE, "policy");
    assert_false(bw_icontains(SRC, "Group Policy"));
}

static void test_mode_from_group_policy(void **state)
{
    (void)state;
    fscm_gp_sz("enforce");
    expect_mode(BW_MODE_AUDIT, BW_MODE_ENFORCE, "Group Policy");
    expect_source(SRC, "ContainmentMode");
    fscm_gp_sz("audit");
    expect_mode(BW_MODE_ENFORCE, BW_MODE_AUDIT, "Group Policy");
    /* A string written without its terminator. */
    static const uint16_t enforce_w[] = {'e', 'n', 'f', 'o', 'r', 'c', 'e'};
    fscm_gp_value(REG_SZ, enforce_w, sizeof enforce_w);
    expect_mode(BW_MODE_AUDIT, BW_MODE_ENFORCE, NULL);
    /* A source longer than the buffer is cut, and terminated. */
    char tiny[8];
    assert_int_equal(mode_of(BW_MODE_AUDIT, tiny, sizeof tiny), BW_MODE_ENFORCE);
}

static void test_mode_broken_group_policy(void **state)
{
    (void)state;
    fscm_gp_sz("bogus");
    expect_mode_invalid();
    expect_source(SRC, "bogus");

    DWORD one = 1;
    fscm_gp_value(REG_DWORD, &one, sizeof one);
    expect_mode_invalid();

    fscm_gp_sz("");
    expect_mode_invalid();

    fscm_reset();
    fscm_gp_open_error(ERROR_ACCESS_DENIED);
    expect_mode(BW_MODE_ENFORCE, BW_MODE_AUDIT, "Group Policy");
    expect_source(SRC, "denied");

    fscm_reset();
    fscm_gp_sz("enforce");
    fscm_gp_query_error(ERROR_ACCESS_DENIED);
    expect_mode(BW_MODE_ENFORCE, BW_MODE_AUDIT, "denied");
}

/* ---- the fake itself ---------------------------------------------------------------- */

/* The call failed (FALSE or NULL) with this last error. */
static void expect_fail(bool ok, DWORD err)
{
    assert_false(ok);
    assert_int_equal(GetLastError(), err);
}

/* Sets the start type and nothing else, as the effects do. */
static BOOL set_start(const bw_api *a, SC_HANDLE h, DWORD start)
{
    return a->ChangeServiceConfigW(h, SERVICE_NO_CHANGE, start, SERVICE_NO_CHANGE, NULL, NULL,
                                   NULL, NULL, NULL, NULL, NULL);
}

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
    expect_fail(a->OpenServiceW(scm, L"nope", SERVICE_QUERY_STATUS),
                ERROR_SERVICE_DOES_NOT_EXIST);

    /* A handle without the rights a call needs. */
    SC_HANDLE h = a->OpenServiceW(scm, L"avp21.3", SERVICE_QUERY_STATUS);
    assert_non_null(h);
    SERVICE_STATUS ss;
    DWORD need = 0, n = 0;
    expect_fail(set_start(a, h, SERVICE_DISABLED), ERROR_ACCESS_DENIED);
    expect_fail(a->ControlService(h, SERVICE_CONTROL_STOP, &ss), ERROR_ACCESS_DENIED);
    expect_fail(a->StartServiceW(h, 0, NULL), ERROR_ACCESS_DENIED);
    expect_fail(a->QueryServiceConfigW(h, NULL, 0, &need), ERROR_ACCESS_DENIED);
    expect_fail(a->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &n),
                ERROR_ACCESS_DENIED);
    a->CloseServiceHandle(h);
    assert_int_equal(fscm_start_type(AVP), SERVICE_AUTO_START);

    /* Self-defense: denied for change, allowed for queries; MAXIMUM_ALLOWED
     * opens without the denied rights. */
    expect_fail(a->OpenServiceW(scm, L"klnagent", SERVICE_ALL_ACCESS), ERROR_ACCESS_DENIED);
    assert_null(a->OpenServiceW(scm, L"klnagent", GENERIC_WRITE));
    h = a->OpenServiceW(scm, L"klnagent", MAXIMUM_ALLOWED);
    assert_non_null(h);
    expect_fail(set_start(a, h, SERVICE_DISABLED), ERROR_ACCESS_DENIED);
    a->CloseServiceHandle(h);

    /* Dependents: sized with ERROR_MORE_DATA, a dependent's own first. */
    h = a->OpenServiceW(scm, L"AVP21.3", SERVICE_ALL_ACCESS);
    assert_non_null(h);
    expect_fail(a->EnumDependentServicesW(h, SERVICE_ACTIVE, NULL, 0, &need, &n),
                ERROR_MORE_DATA);
    assert_int_equal(n, 0);
    assert_true(need > 2 * sizeof(ENUM_SERVICE_STATUSW));
    ENUM_SERVICE_STATUSW *list = malloc(need);
    assert_non_null(list);
    DWORD need2 = 0;
    expect_fail(a->EnumDependentServicesW(h, SERVICE_ACTIVE, list, need - 1, &need2, &n),
                ERROR_MORE_DATA);
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
    expect_fail(a->ControlService(h, SERVICE_CONTROL_STOP, &ss),
                ERROR_DEPENDENT_SERVICES_RUNNING);
    SC_HANDLE d1 = a->OpenServiceW(scm, L"KSDEUI", SERVICE_STOP | SERVICE_START);
    SC_HANDLE d2 = a->OpenServiceW(scm, L"KSDE5.4", SERVICE_STOP);
    assert_true(a->ControlService(d1, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(ss.dwCurrentState, SERVICE_STOPPED);
    assert_true(a->ControlService(d2, SERVICE_CONTROL_STOP, &ss));
    expect_fail(a->ControlService(d2, SERVICE_CONTROL_STOP, &ss), ERROR_SERVICE_NOT_ACTIVE);

    /* A slow stop: pending for two polls, the check point rising. */
    fscm_stop_behaviour(AVP, FSCM_STOP_AFTER_POLLS, 2);
    assert_true(a->ControlService(h, SERVICE_CONTROL_STOP, &ss));
    assert_int_equal(ss.dwCurrentState, SERVICE_STOP_PENDING);
    assert_int_equal(ss.dwCheckPoint, 1);
    expect_fail(a->ControlService(h, SERVICE_CONTROL_STOP, &ss),
                ERROR_SERVICE_CANNOT_ACCEPT_CTRL);
    SERVICE_STATUS_PROCESS sp;
    DWORD cp = 1;
    for (int i = 0; i < 2; i++) {
        assert_true(
            a->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp, &need));
        assert_int_equal(sp.dwCurrentState, SERVICE_STOP_PENDING);
        assert_true(sp.dwCheckPoint > cp);
        cp = sp.dwCheckPoint;
    }
    assert_true(
        a->QueryServiceStatusEx(h, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp, &need));
    assert_int_equal(sp.dwCurrentState, SERVICE_STOPPED);

    /* Starting a dependent starts what it needs; disabled, it cannot. */
    assert_true(a->StartServiceW(d1, 0, NULL));
    assert_int_equal(fscm_state(KSDE_UI), SERVICE_RUNNING);
    assert_int_equal(fscm_state(KSDE), SERVICE_RUNNING);
    assert_int_equal(fscm_state(AVP), SERVICE_RUNNING);
    expect_fail(a->StartServiceW(d1, 0, NULL), ERROR_SERVICE_ALREADY_RUNNING);
    assert_true(set_start(a, h, SERVICE_DISABLED));
    assert_int_equal(fscm_start_type(AVP), SERVICE_DISABLED);
    expect_fail(set_start(a, h, SERVICE_BOOT_START), ERROR_INVALID_PARAMETER);
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
    expect_fail(a->QueryServiceConfig2W(h, SERVICE_CONFIG_LAUNCH_PROTECTED, (LPBYTE)&level,
                                        sizeof level, &need),
                ERROR_INVALID_LEVEL);
    /* The configuration, sized by a first call. */
    expect_fail(a->QueryServiceConfigW(h, NULL, 0, &need), ERROR_INSUFFICIENT_BUFFER);
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

/* A test with a fresh fake and state database (fx), or with the fake only. */
#define FX_TEST(t)   cmocka_unit_test_setup_teardown(t, setup, teardown)
#define FAKE_TEST(t) cmocka_unit_test_setup_teardown(t, fscm_setup, fscm_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_audit_reports_once_changes_nothing),
        FX_TEST(test_audit_without_store),
        FX_TEST(test_enforce_disables_and_stops),
        FX_TEST(test_enforce_stopped_service),
        FX_TEST(test_enforce_without_launch_protection_level),
        FX_TEST(test_non_targets_never_touched),
        FX_TEST(test_self_defense_blocks),
        FX_TEST(test_protected_denied_at_open),
        FX_TEST(test_change_denied_blocks),
        FX_TEST(test_change_fails),
        FX_TEST(test_stop_denied_blocks),
        FX_TEST(test_launch_protected_blocks),
        FX_TEST(test_never_stops_times_out),
        FX_TEST(test_slow_stop),
        FX_TEST(test_stopping_banwatch_ends_the_wait),
        FX_TEST(test_retry_reports_recorded_prior),
        FX_TEST(test_dependents_left_running),
        FX_TEST(test_dependents_stopped_first),
        FX_TEST(test_target_that_is_a_dependent),
        FX_TEST(test_dependent_targets_stopped_first),
        FX_TEST(test_hold_without_other_av),
        FX_TEST(test_allow_unprotected_acts),
        FX_TEST(test_repeat_not_reported_when_unprotected),
        FX_TEST(test_driver_disabled_only),
        FX_TEST(test_enforce_without_store_fails),
        FX_TEST(test_restore_after_enforce),
        FX_TEST(test_restore_without_start),
        FX_TEST(test_restore_denied),
        FX_TEST(test_restore_uninstalled),
        FX_TEST(test_target_uninstalled_since_scan),
        FX_TEST(test_restore_start_fails),
        FX_TEST(test_restore_dependents_and_driver),
        FAKE_TEST(test_mode_from_policy),
        FAKE_TEST(test_mode_from_group_policy),
        FAKE_TEST(test_mode_broken_group_policy),
        FAKE_TEST(test_fake_scm_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
