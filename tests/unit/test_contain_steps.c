/* test_contain_steps.c - unit tests for containment step by step
 * (service/core/bw_cstep.c): each test drives the machine through one
 * decision path, answering each step as the service control manager and
 * the state database would, and checks the steps asked for and the
 * outcomes reported, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_cstep.h"

#define WIN32_OWN         BW_SVC_WIN32_OWN
#define KERNEL_DRIVER     BW_SVC_KERNEL_DRIVER
#define DENIED            BW_WERR_ACCESS_DENIED
#define GONE              BW_WERR_SERVICE_DOES_NOT_EXIST
#define MARKED_FOR_DELETE 1072u
#define LOGON_FAILED      1069u
#define REQUEST_TIMEOUT   1053u

/* ---- the plan ---------------------------------------------------------------- */

static bw_contain_target TG[4];
static bw_contain_plan PLAN;

static const bw_contain_target *add_target(const char *name, const char *display, bool driver)
{
    assert_true(PLAN.n < sizeof TG / sizeof TG[0]);
    bw_contain_target *t = &TG[PLAN.n++];
    memset(t, 0, sizeof *t);
    t->name = (char *)name;
    t->display_name = (char *)display;
    t->driver = driver;
    t->decision = BW_CONTAIN_ACT;
    PLAN.n_act++;
    return t;
}

/* A plan of AVP; another anti-virus remains unless `other_av` is false
 * (then it holds unless allow_unprotected). */
static const bw_contain_target *plan_avp(bool other_av, bool hold)
{
    memset(TG, 0, sizeof TG);
    memset(&PLAN, 0, sizeof PLAN);
    PLAN.items = TG;
    PLAN.cap = sizeof TG / sizeof TG[0];
    PLAN.other_av = other_av;
    PLAN.other_av_text = other_av ? (char *)"WinDefend (Microsoft Defender Antivirus)"
                                  : (char *)"none: WinDefend is disabled (Start 4)";
    PLAN.hold = hold;
    return add_target("AVP", "Kaspersky Endpoint Security Service", false);
}

/* ---- driving the machine ---------------------------------------------------------- */

static bw_cstep M;
static bw_cstep_step S;

static const char *op_name(bw_cstep_op op)
{
    static const char *const names[] = {"OPEN",         "QUERY",  "PROTECTION", "READ_RECORD",
                                        "RECORD_PRIOR", "UNMARK", "SET_START",  "DEPENDENTS",
                                        "STOP",         "START",  "WAIT",       "CLOSE",
                                        "REPORT",       "NOTICE", "DONE"};
    return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

/* The machine asks for `op` now (on the service itself unless a step
 * says otherwise). */
static void expect_op(bw_cstep_op op)
{
    if (S.op != op)
        fail_msg("step %s, expected %s", op_name(S.op), op_name(op));
}

static void expect_subject(bw_cstep_subject who)
{
    assert_int_equal(S.subject, who);
}

/* Answers the current step with fb (NULL: nothing to say). */
static void answer(bw_cstep_feed *fb)
{
    bw_cstep_feed none;
    memset(&none, 0, sizeof none);
    S = bw_cstep_next(&M, fb ? fb : &none);
}

/* The step is `op` and it went through with nothing to say. */
static void ok(bw_cstep_op op)
{
    expect_op(op);
    answer(NULL);
}

/* The step is `op` and it failed with Win32 error err. */
static void fails(bw_cstep_op op, uint32_t err)
{
    expect_op(op);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.error = err;
    snprintf(fb.error_text, sizeof fb.error_text, "error text (%u)", (unsigned)err);
    answer(&fb);
}

static void opens(bw_cstep_access access, const char *name)
{
    expect_op(BW_CSTEP_OPEN);
    assert_int_equal(S.access, access);
    assert_string_equal(S.name, name);
    answer(NULL);
}

static void queried(uint32_t type, uint32_t start, uint32_t state)
{
    expect_op(BW_CSTEP_QUERY);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.type = type;
    fb.start = start;
    fb.state = state;
    answer(&fb);
}

/* PROTECTION: level 0 none, 3 AM-PPL; known false: not supported. */
static void protection(bool known, uint32_t level)
{
    expect_op(BW_CSTEP_PROTECTION);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.protection_known = known;
    fb.protection = level;
    answer(&fb);
}

/* READ_RECORD of name: no record, or one banwatch's change stands in. */
static void no_record(const char *name)
{
    expect_op(BW_CSTEP_READ_RECORD);
    assert_string_equal(S.name, name);
    answer(NULL);
}

static void changed_record(const char *name, uint32_t prior_start, uint32_t prior_state)
{
    expect_op(BW_CSTEP_READ_RECORD);
    assert_string_equal(S.name, name);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.changed = true;
    fb.has_prior = true;
    fb.prior_start = prior_start;
    fb.prior_state = prior_state;
    answer(&fb);
}

/* RECORD_PRIOR of what the service is now; store_error: it failed. */
static void records_prior(const char *name, const char *kind, uint32_t start, uint32_t state,
                          const char *store_error)
{
    expect_op(BW_CSTEP_RECORD_PRIOR);
    assert_string_equal(S.name, name);
    assert_string_equal(S.kind, kind);
    assert_int_equal(S.start, start);
    assert_int_equal(S.state, state);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.store_error = store_error;
    answer(&fb);
}

static void sets_start(uint32_t start)
{
    expect_op(BW_CSTEP_SET_START);
    assert_int_equal(S.start, start);
    answer(NULL);
}

/* DEPENDENTS: the names given, NULL-terminated. */
static void dependents(const char *first, ...)
{
    expect_op(BW_CSTEP_DEPENDENTS);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    va_list ap;
    va_start(ap, first);
    for (const char *n = first; n; n = va_arg(ap, const char *))
        assert_int_equal(bw_strlist_add(&fb.dependents, n), BW_OK);
    va_end(ap);
    answer(&fb);
    assert_int_equal(fb.dependents.n, 0); /* taken by the machine */
}

/* WAIT for `want` at most timeout_ms, ending as `end` in `state`. */
static void waits(uint32_t want, unsigned timeout_ms, bw_wait_end end, uint32_t state)
{
    expect_op(BW_CSTEP_WAIT);
    assert_int_equal(S.want, want);
    assert_int_equal(S.timeout_ms, timeout_ms);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.wait = end;
    fb.state = state;
    answer(&fb);
}

/* The outcome reported now (REPORT, or NOTICE when notice): the outcome,
 * service, kind and action; a part of the detail (unless NULL); the Win32
 * error. Returns it for more checks, valid until the next answer. */
static const bw_contain_result *reports_(bool notice, bw_contain_outcome o, const char *name,
                                         const char *kind, const char *action, const char *detail,
                                         uint32_t error)
{
    expect_op(notice ? BW_CSTEP_NOTICE : BW_CSTEP_REPORT);
    const bw_contain_result *r = S.result;
    assert_non_null(r);
    assert_string_equal(bw_contain_outcome_name(r->outcome), bw_contain_outcome_name(o));
    assert_string_equal(r->name, name);
    assert_string_equal(r->kind, kind);
    assert_string_equal(r->action, action);
    assert_non_null(r->detail);
    if (detail && !bw_icontains(r->detail, detail))
        fail_msg("the detail of %s %s does not say \"%s\": %s", bw_contain_outcome_name(o), name,
                 detail, r->detail);
    assert_int_equal(r->error, error);
    return r;
}

#define REPORTS(o, name, kind, action, detail, error) \
    reports_(false, (o), (name), (kind), (action), (detail), (error))

static void expect_prior(const bw_contain_result *r, uint32_t start, uint32_t state)
{
    assert_true(r->has_prior);
    assert_int_equal(r->prior_start, start);
    assert_int_equal(r->prior_state, state);
}

static void expect_done(bool unchanged, bw_err e)
{
    expect_op(BW_CSTEP_DONE);
    assert_int_equal(S.unchanged, unchanged);
    assert_int_equal(S.err, e);
    /* done stays done */
    answer(NULL);
    expect_op(BW_CSTEP_DONE);
    bw_cstep_free(&M);
}

/* The last outcome is reported now, as REPORTS says; then done. */
static void reports_last(bw_contain_outcome o, const char *name, const char *kind,
                         const char *action, const char *detail, uint32_t error)
{
    REPORTS(o, name, kind, action, detail, error);
    answer(NULL);
    expect_done(false, BW_OK);
}

/* The service itself is stopped and waited for: 402, the last outcome. */
static void stops_last(const char *name)
{
    expect_op(BW_CSTEP_STOP);
    expect_subject(BW_CSTEP_SELF);
    answer(NULL);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_REACHED, BW_STATE_STOPPED);
    reports_last(BW_OUTCOME_STOPPED, name, "service", "stop",
                 "Stopped; it is disabled and will not start again.", 0);
}

/* Starts containing target t. */
static void contain(const bw_contain_target *t, bool enforce, bool stop_dependents,
                    bool have_store)
{
    bw_cstep_contain_in in = {.plan = &PLAN,
                              .target = t,
                              .enforce = enforce,
                              .stop_dependents = stop_dependents,
                              .have_store = have_store,
                              .stop_timeout_ms = 10000};
    S = bw_cstep_contain(&M, &in);
}

/* Audits AVP up to its reading: opened for queries, read as a service of
 * that type, start and state with this launch protection, no record. */
static void audit_read(bool have_store, uint32_t type, uint32_t start, uint32_t state,
                       uint32_t level)
{
    contain(&TG[0], false, false, have_store);
    opens(BW_ACCESS_INSPECT, "AVP");
    queried(type, start, state);
    protection(true, level);
    no_record("AVP");
}

/* Contains AVP in enforce mode, with a store, up to its reading: opened
 * for change, read as start and state with this launch protection (known
 * false: not supported). */
static void avp_read(uint32_t start, uint32_t state, bool known, uint32_t level)
{
    contain(&TG[0], true, false, true);
    opens(BW_ACCESS_CONTAIN, "AVP");
    queried(WIN32_OWN, start, state);
    protection(known, level);
}

/* Contains AVP (automatic start, running) in enforce mode up to its
 * disabling: opened, read, no record, prior recorded, disabled. */
static void avp_disabled(bool stop_dependents)
{
    contain(&TG[0], true, stop_dependents, true);
    opens(BW_ACCESS_CONTAIN, "AVP");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    protection(true, 0);
    no_record("AVP");
    records_prior("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING, NULL);
    sets_start(BW_START_DISABLED);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_DISABLED, "AVP", "service", "disable", "stopping it now", 0);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    assert_string_equal(r->display_name, "Kaspersky Endpoint Security Service");
    answer(NULL);
}

/* ---- audit ----------------------------------------------------------------------- */

static void test_audit(void **state)
{
    (void)state;
    plan_avp(true, false);
    audit_read(true, WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING, 0);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_WOULD_DISABLE, "AVP", "service", "disable",
                "Enforce mode would set its start type to disabled and stop it.", 0);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    assert_false(bw_icontains(r->detail, "protected"));
    assert_false(bw_icontains(r->detail, "hold"));
    answer(NULL);
    expect_done(false, BW_OK);

    /* Stopped: it would only be disabled. Without a store, all the same. */
    audit_read(false, WIN32_OWN, BW_START_DEMAND, BW_STATE_STOPPED, 0);
    reports_last(BW_OUTCOME_WOULD_DISABLE, "AVP", "service", "disable",
                 "would set its start type to disabled.", 0);
}

/* Audit says what enforcement would meet: launch protection, a hold, a
 * driver's next boot. */
static void test_audit_protected_held_driver(void **state)
{
    (void)state;
    plan_avp(false, true);
    audit_read(true, WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING, 3);
    const bw_contain_result *r = REPORTS(BW_OUTCOME_WOULD_DISABLE, "AVP", "service", "disable",
                                         "protected (antimalware light, AM-PPL): enforcement "
                                         "would be blocked.",
                                         0);
    if (!bw_icontains(r->detail, "password") ||
        !bw_icontains(r->detail, "Enforce mode would hold: no other anti-virus would remain."))
        fail_msg("detail: %s", r->detail);
    answer(NULL);
    expect_done(false, BW_OK);

    /* A driver by its type (the plan did not say so). */
    plan_avp(true, false);
    audit_read(true, KERNEL_DRIVER, BW_START_BOOT, BW_STATE_RUNNING, 0);
    reports_last(BW_OUTCOME_WOULD_DISABLE, "AVP", "driver", "disable",
                 "(Start=4, effective at the next boot)", 0);
}

/* Audit cannot open it: failed, action "inspect". */
static void test_audit_open_fails(void **state)
{
    (void)state;
    plan_avp(true, false);
    contain(&TG[0], false, false, true);
    fails(BW_CSTEP_OPEN, DENIED);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "inspect",
                 "The service could not be opened: error text (5). Nothing was changed.", DENIED);
}

/* ---- enforce: left alone ------------------------------------------------------------ */

static void test_hold(void **state)
{
    (void)state;
    plan_avp(false, true);
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    no_record("AVP");
    reports_last(BW_OUTCOME_HELD, "AVP", "service", "none",
                 "Not changed: no other anti-virus would remain (none: WinDefend is disabled "
                 "(Start 4)). Install or enable another anti-virus first",
                 0);
}

/* A hold leaves the services that protect the machine alone; one that
 * protects nothing (containment.non_protecting: the Network Agent) is
 * disabled and stopped all the same, without the 406 notice. */
static void test_hold_non_protecting(void **state)
{
    (void)state;
    plan_avp(false, true);
    bw_contain_target *agent = (bw_contain_target *)add_target("klnagent", NULL, false);
    agent->non_protecting = true;
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    no_record("AVP");
    reports_last(BW_OUTCOME_HELD, "AVP", "service", "none", "no other anti-virus would remain",
                 0);

    contain(agent, true, false, true);
    opens(BW_ACCESS_CONTAIN, "klnagent");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    protection(true, 0);
    no_record("klnagent");
    records_prior("klnagent", "service", BW_START_AUTO, BW_STATE_RUNNING, NULL);
    sets_start(BW_START_DISABLED);
    REPORTS(BW_OUTCOME_DISABLED, "klnagent", "service", "disable", "stopping it now", 0);
    answer(NULL);
    dependents(NULL);
    stops_last("klnagent");

    /* audit says so */
    contain(agent, false, false, true);
    opens(BW_ACCESS_INSPECT, "klnagent");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    protection(true, 0);
    no_record("klnagent");
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_WOULD_DISABLE, "klnagent", "service", "disable",
                "Enforce mode would set its start type to disabled and stop it. It protects "
                "nothing (containment.non_protecting): enforce mode disables it even while no "
                "other anti-virus would remain.",
                0);
    assert_false(bw_icontains(r->detail, "would hold"));
    answer(NULL);
    expect_done(false, BW_OK);
}

static void test_launch_protected(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 3);
    no_record("AVP");
    reports_last(BW_OUTCOME_BLOCKED, "AVP", "service", "disable",
                 "The service is protected (antimalware light, AM-PPL); nothing was changed. "
                 "Windows refuses changes",
                 0);
}

/* Opening for change is refused: read what can be read, report 403. */
static void test_self_defense(void **state)
{
    (void)state;
    plan_avp(true, false);
    contain(&TG[0], true, false, true);
    fails(BW_CSTEP_OPEN, DENIED);
    opens(BW_ACCESS_INSPECT, "AVP");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    no_record("AVP");
    protection(false, 0);
    ok(BW_CSTEP_CLOSE);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_BLOCKED, "AVP", "service", "disable",
                "Access to the service was denied: it is guarded by the product's "
                "self-defense. Nothing was changed. Windows refuses",
                DENIED);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    answer(NULL);
    expect_done(false, BW_OK);

    /* Launch-protected: named. */
    contain(&TG[0], true, false, true);
    fails(BW_CSTEP_OPEN, DENIED);
    opens(BW_ACCESS_INSPECT, "AVP");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    changed_record("AVP", BW_START_DEMAND, BW_STATE_RUNNING);
    protection(true, 3);
    ok(BW_CSTEP_CLOSE);
    r = REPORTS(BW_OUTCOME_BLOCKED, "AVP", "service", "disable",
                "Access to the service was denied: it is protected (antimalware light, "
                "AM-PPL). Nothing was changed.",
                DENIED);
    expect_prior(r, BW_START_DEMAND, BW_STATE_RUNNING); /* the recorded prior */
    answer(NULL);
    expect_done(false, BW_OK);

    /* Not even queries: nothing read, no prior. */
    contain(&TG[0], true, false, true);
    fails(BW_CSTEP_OPEN, DENIED);
    fails(BW_CSTEP_OPEN, DENIED);
    r = REPORTS(BW_OUTCOME_BLOCKED, "AVP", "service", "disable", "self-defense", DENIED);
    assert_false(r->has_prior);
    answer(NULL);
    expect_done(false, BW_OK);

    /* Queries fail: the protection is still read, nothing reported as prior. */
    contain(&TG[0], true, false, true);
    fails(BW_CSTEP_OPEN, DENIED);
    opens(BW_ACCESS_INSPECT, "AVP");
    fails(BW_CSTEP_QUERY, DENIED);
    protection(true, 0);
    ok(BW_CSTEP_CLOSE);
    r = REPORTS(BW_OUTCOME_BLOCKED, "AVP", "service", "disable", "self-defense", DENIED);
    assert_false(r->has_prior);
    answer(NULL);
    expect_done(false, BW_OK);
}

/* Disabled and stopped already (a driver: disabled): nothing to do. */
static void test_already_disabled(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_read(BW_START_DISABLED, BW_STATE_STOPPED, true, 0);
    changed_record("AVP", BW_START_AUTO, BW_STATE_RUNNING);
    expect_done(true, BW_OK);

    const bw_contain_target *klif = add_target("klif", NULL, true);
    contain(klif, true, false, true);
    opens(BW_ACCESS_CONTAIN, "klif");
    queried(KERNEL_DRIVER, BW_START_DISABLED, BW_STATE_RUNNING);
    protection(false, 0);
    no_record("klif");
    expect_done(true, BW_OK);

    /* Disabled but running (banwatch's earlier stop failed): recorded,
     * not disabled again, stopped; reported with the recorded prior. */
    avp_read(BW_START_DISABLED, BW_STATE_RUNNING, true, 0);
    changed_record("AVP", BW_START_AUTO, BW_STATE_RUNNING);
    records_prior("AVP", "service", BW_START_DISABLED, BW_STATE_RUNNING, NULL);
    dependents(NULL);
    ok(BW_CSTEP_STOP);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_REACHED, BW_STATE_STOPPED);
    const bw_contain_result *r = REPORTS(BW_OUTCOME_STOPPED, "AVP", "service", "stop", NULL, 0);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    answer(NULL);
    expect_done(false, BW_OK);
}

/* Uninstalled between the scan and containment: nothing, no event. */
static void test_service_gone(void **state)
{
    (void)state;
    plan_avp(true, false);
    contain(&TG[0], true, false, true);
    fails(BW_CSTEP_OPEN, GONE);
    expect_done(true, BW_OK);
}

static void test_no_store(void **state)
{
    (void)state;
    plan_avp(true, false);
    contain(&TG[0], true, false, false);
    opens(BW_ACCESS_CONTAIN, "AVP");
    queried(WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    protection(true, 0);
    no_record("AVP");
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "disable",
                 "The state database is unavailable: nothing was changed", 0);

    /* The prior state cannot be recorded: nothing changed either. */
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    no_record("AVP");
    records_prior("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING, "disk I/O error");
    reports_last(
        BW_OUTCOME_FAILED, "AVP", "service", "disable",
        "Its start type could not be recorded for rollback (disk I/O error): nothing was "
        "changed.",
        0);
}

/* Reading the configuration fails: 403 when denied, else 404; out of
 * memory ends the run. */
static void test_unreadable(void **state)
{
    (void)state;
    plan_avp(true, false);
    contain(&TG[0], true, false, true);
    opens(BW_ACCESS_CONTAIN, "AVP");
    fails(BW_CSTEP_QUERY, DENIED);
    reports_last(BW_OUTCOME_BLOCKED, "AVP", "service", "disable",
                 "Its configuration could not be read: error text (5). Nothing was changed.",
                 DENIED);

    contain(&TG[0], true, false, true);
    opens(BW_ACCESS_CONTAIN, "AVP");
    fails(BW_CSTEP_QUERY, MARKED_FOR_DELETE);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "disable", NULL, MARKED_FOR_DELETE);

    contain(&TG[0], true, false, true);
    opens(BW_ACCESS_CONTAIN, "AVP");
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.nomem = true;
    answer(&fb);
    expect_done(false, BW_ENOMEM);
}

/* ---- enforce: disabling and stopping ------------------------------------------------ */

static void test_disable_and_stop(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(false);
    dependents(NULL);
    ok(BW_CSTEP_STOP);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_REACHED, BW_STATE_STOPPED);
    const bw_contain_result *r = REPORTS(BW_OUTCOME_STOPPED, "AVP", "service", "stop",
                                         "Stopped; it is disabled and will not start again.", 0);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    answer(NULL);
    expect_done(false, BW_OK);

    /* Stopped in the meantime: no wait. A stop already pending: waited for. */
    avp_disabled(false);
    dependents(NULL);
    fails(BW_CSTEP_STOP, BW_WERR_SERVICE_NOT_ACTIVE);
    reports_last(BW_OUTCOME_STOPPED, "AVP", "service", "stop", NULL, 0);

    avp_disabled(false);
    dependents(NULL);
    fails(BW_CSTEP_STOP, BW_WERR_SERVICE_CANNOT_ACCEPT_CTRL);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_REACHED, BW_STATE_STOPPED);
    reports_last(BW_OUTCOME_STOPPED, "AVP", "service", "stop", NULL, 0);
}

/* A stopped service and a driver are disabled only. */
static void test_disable_only(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_read(BW_START_DEMAND, BW_STATE_STOPPED, true, 0);
    no_record("AVP");
    records_prior("AVP", "service", BW_START_DEMAND, BW_STATE_STOPPED, NULL);
    sets_start(BW_START_DISABLED);
    reports_last(BW_OUTCOME_DISABLED, "AVP", "service", "disable", "It was not running.", 0);

    const bw_contain_target *klif = add_target("klif", "Kaspersky Lab Driver", true);
    contain(klif, true, false, true);
    opens(BW_ACCESS_CONTAIN, "klif");
    queried(KERNEL_DRIVER, BW_START_BOOT, BW_STATE_RUNNING);
    protection(false, 0);
    no_record("klif");
    records_prior("klif", "driver", BW_START_BOOT, BW_STATE_RUNNING, NULL);
    sets_start(BW_START_DISABLED);
    reports_last(BW_OUTCOME_DISABLED, "klif", "driver", "disable",
                 "Start=4 takes effect at the next boot; the driver stays loaded until then.", 0);
}

/* The change is refused: a first record is taken back (restore leaves the
 * service alone), an earlier change's record is kept. */
static void test_change_refused(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    no_record("AVP");
    records_prior("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING, NULL);
    fails(BW_CSTEP_SET_START, DENIED);
    expect_op(BW_CSTEP_UNMARK);
    assert_string_equal(S.name, "AVP");
    answer(NULL);
    reports_last(
        BW_OUTCOME_BLOCKED, "AVP", "service", "disable",
        "Changing its start type was refused (error text (5)): the product's self-defense "
        "guards it. Nothing was changed. Windows refuses",
        DENIED);

    /* Re-enabled by the product after banwatch's change: the record stays. */
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    changed_record("AVP", BW_START_AUTO, BW_STATE_RUNNING);
    records_prior("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING, NULL);
    fails(BW_CSTEP_SET_START, MARKED_FOR_DELETE);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "disable",
                 "Its start type could not be changed: error text (1072). Nothing was changed.",
                 MARKED_FOR_DELETE);
}

static void test_stop_refused(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(false);
    dependents(NULL);
    fails(BW_CSTEP_STOP, DENIED);
    reports_last(
        BW_OUTCOME_BLOCKED, "AVP", "service", "stop",
        "It is disabled, but stopping it was refused (the stop request was refused: error "
        "text (5)): the product's self-defense guards it. Windows refuses",
        DENIED);

    avp_disabled(false);
    dependents(NULL);
    fails(BW_CSTEP_STOP, REQUEST_TIMEOUT);
    reports_last(
        BW_OUTCOME_FAILED, "AVP", "service", "stop",
        "Not stopped: the stop request was refused: error text (1053). It is disabled and "
        "will not start at the next boot.",
        REQUEST_TIMEOUT);
}

static void test_stop_timeout(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(false);
    dependents(NULL);
    ok(BW_CSTEP_STOP);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_TIMEOUT, BW_STATE_STOP_PENDING);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Not stopped: it did not stop within 10 s (state stop-pending). It is disabled "
                 "and will not start at the next boot.",
                 0);

    /* Its state cannot be read while it stops. */
    avp_disabled(false);
    dependents(NULL);
    ok(BW_CSTEP_STOP);
    expect_op(BW_CSTEP_WAIT);
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.wait = BW_WAIT_FAILED;
    fb.error = DENIED;
    answer(&fb);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Not stopped: its state could not be read while stopping.", DENIED);
}

/* banwatch itself stopping ends the wait. */
static void test_cancelled(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(false);
    dependents(NULL);
    ok(BW_CSTEP_STOP);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_CANCELLED, BW_STATE_STOP_PENDING);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Not stopped: banwatch itself was stopping, so the wait for it ended (state "
                 "stop-pending).",
                 0);
}

/* No other anti-virus, allow_unprotected: 406 just before the first
 * change, once, not recorded (a notice). */
static void test_unprotected_notice(void **state)
{
    (void)state;
    plan_avp(false, false);
    avp_read(BW_START_AUTO, BW_STATE_RUNNING, true, 0);
    no_record("AVP");
    records_prior("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING, NULL);
    sets_start(BW_START_DISABLED);
    reports_(true, BW_OUTCOME_HELD, "AVP", "service", "disable",
             "No other anti-virus remains (none: WinDefend is disabled (Start 4)); acting anyway "
             "because containment.allow_unprotected is true.",
             0);
    answer(NULL);
    REPORTS(BW_OUTCOME_DISABLED, "AVP", "service", "disable", NULL, 0);
    answer(NULL);
    dependents(NULL);
    stops_last("AVP");

    /* Disabled already: the notice comes before the stop. */
    avp_read(BW_START_DISABLED, BW_STATE_RUNNING, true, 0);
    changed_record("AVP", BW_START_AUTO, BW_STATE_RUNNING);
    records_prior("AVP", "service", BW_START_DISABLED, BW_STATE_RUNNING, NULL);
    dependents(NULL);
    const bw_contain_result *n =
        reports_(true, BW_OUTCOME_HELD, "AVP", "service", "disable", "acting anyway", 0);
    expect_prior(n, BW_START_AUTO, BW_STATE_RUNNING);
    answer(NULL);
    stops_last("AVP");
}

/* ---- enforce: dependents ---------------------------------------------------------- */

/* Running dependents, not targets, stop_dependents false: left running. */
static void test_dependents_left_running(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(false);
    dependents("KSDEUI", "KSDE", NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Left running: services that depend on it run (KSDEUI, KSDE) and "
                 "containment.stop_dependents is false. It is disabled and will not start at the "
                 "next boot.",
                 0);
}

/* A dependent banwatch never stops (a Windows service made to depend on the
 * vendor's): left running, even with stop_dependents. */
static void test_dependent_never_touched(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(true);
    dependents("KSDE", "EventLog", NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Left running: EventLog depends on it, and banwatch never stops EventLog (a "
                 "Windows or banwatch service). It is disabled and will not start at the next "
                 "boot.",
                 0);
}

/* A running dependent (manual start) is opened to be stopped, read, and
 * its prior state recorded as `kind` (store_error: that failed). */
static void dependent_read(const char *name, const char *kind, const char *store_error)
{
    opens(BW_ACCESS_STOP, name);
    queried(WIN32_OWN, BW_START_DEMAND, BW_STATE_RUNNING);
    no_record(name);
    records_prior(name, kind, BW_START_DEMAND, BW_STATE_RUNNING, store_error);
}

/* One dependent stopped: read, stopped, closed, reported as `kind` with
 * this display name (NULL: none) and a detail saying `detail` (unless
 * NULL). */
static void dependent_stopped(const char *name, const char *kind, const char *display,
                              const char *detail)
{
    dependent_read(name, kind, NULL);
    expect_op(BW_CSTEP_STOP);
    expect_subject(BW_CSTEP_DEPENDENT);
    answer(NULL);
    expect_subject(BW_CSTEP_DEPENDENT);
    waits(BW_STATE_STOPPED, 10000, BW_WAIT_REACHED, BW_STATE_STOPPED);
    expect_op(BW_CSTEP_CLOSE);
    expect_subject(BW_CSTEP_DEPENDENT);
    answer(NULL);
    const bw_contain_result *r = REPORTS(BW_OUTCOME_STOPPED, name, kind, "stop", detail, 0);
    expect_prior(r, BW_START_DEMAND, BW_STATE_RUNNING);
    if (display)
        assert_string_equal(r->display_name, display);
    else
        assert_null(r->display_name);
    answer(NULL);
}

static void test_dependents_stopped_first(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(true);
    dependents("KSDEUI", "KSDE", NULL);
    dependent_stopped("KSDEUI", "dependent", NULL, "its start type is unchanged");
    dependent_stopped("KSDE", "dependent", NULL, NULL);
    stops_last("AVP");
}

/* Dependents that are targets themselves are stopped first whatever
 * stop_dependents says, and reported as services. */
static void test_dependent_targets(void **state)
{
    (void)state;
    plan_avp(true, false);
    add_target("KSDE", "Kaspersky Secure Connection", false);
    avp_disabled(false);
    dependents("ksde", NULL);
    dependent_stopped("ksde", "service", "Kaspersky Secure Connection",
                      "it is contained itself in its turn");
    stops_last("AVP");
}

/* A dependent that does not stop: its own 403/404, then the target's 404. */
static void test_dependent_fails(void **state)
{
    (void)state;
    plan_avp(true, false);
    avp_disabled(true);
    dependents("KSDE", NULL);
    dependent_read("KSDE", "dependent", NULL);
    fails(BW_CSTEP_STOP, DENIED);
    ok(BW_CSTEP_CLOSE);
    REPORTS(BW_OUTCOME_BLOCKED, "KSDE", "dependent", "stop",
            "its dependent KSDE did not stop: the stop request was refused: error text (5)",
            DENIED);
    answer(NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Not stopped: its dependent KSDE did not stop: the stop request was refused: "
                 "error text (5). It is disabled and will not start at the next boot.",
                 DENIED);

    /* It cannot be opened: no handle to close. */
    avp_disabled(true);
    dependents("KSDE", NULL);
    fails(BW_CSTEP_OPEN, DENIED);
    REPORTS(BW_OUTCOME_FAILED, "KSDE", "dependent", "stop",
            "its dependent KSDE did not stop: it could not be opened or read: error text (5)",
            DENIED);
    answer(NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop", "Not stopped: its dependent KSDE",
                 DENIED);

    /* Its state before cannot be recorded: not stopped. */
    avp_disabled(true);
    dependents("KSDE", NULL);
    dependent_read("KSDE", "dependent", "database is locked");
    ok(BW_CSTEP_CLOSE);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_FAILED, "KSDE", "dependent", "stop",
                "its dependent KSDE could not be recorded in the state database (database is "
                "locked)",
                0);
    assert_false(bw_icontains(r->detail, "did not stop"));
    answer(NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "stop",
                 "Not stopped: its dependent KSDE could not be recorded", 0);

    /* Out of memory reading it or listing them ends the run. */
    avp_disabled(true);
    dependents("KSDE", NULL);
    opens(BW_ACCESS_STOP, "KSDE");
    bw_cstep_feed fb;
    memset(&fb, 0, sizeof fb);
    fb.nomem = true;
    answer(&fb);
    expect_done(false, BW_ENOMEM);

    avp_disabled(true);
    expect_op(BW_CSTEP_DEPENDENTS);
    memset(&fb, 0, sizeof fb);
    assert_int_equal(bw_strlist_add(&fb.dependents, "KSDE"), BW_OK);
    fb.nomem = true;
    answer(&fb);
    expect_done(false, BW_ENOMEM);
}

/* ---- restore --------------------------------------------------------------------- */

static bw_contain_record REC;

static void record_of(const char *name, const char *kind, uint32_t prior_start,
                      uint32_t prior_state)
{
    memset(&REC, 0, sizeof REC);
    REC.name = (char *)name;
    REC.kind = (char *)kind;
    REC.display_name = (char *)"display";
    REC.changed = true;
    REC.has_prior = true;
    REC.prior_start = prior_start;
    REC.prior_state = prior_state;
}

static void restore(bool start)
{
    bw_cstep_restore_in in = {.rec = &REC, .start = start, .start_timeout_ms = 30000};
    S = bw_cstep_restore(&M, &in);
}

static void test_restore_with_start(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING);
    restore(true);
    opens(BW_ACCESS_RESTORE, "AVP");
    sets_start(BW_START_AUTO);
    ok(BW_CSTEP_START);
    waits(BW_STATE_RUNNING, 30000, BW_WAIT_REACHED, BW_STATE_RUNNING);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_RESTORED, "AVP", "service", "restore",
                "Start type automatic put back. It was running before and has been started "
                "again.",
                0);
    expect_prior(r, BW_START_AUTO, BW_STATE_RUNNING);
    answer(NULL);
    expect_done(false, BW_OK);

    /* Running already: waited for all the same. */
    restore(true);
    opens(BW_ACCESS_RESTORE, "AVP");
    sets_start(BW_START_AUTO);
    fails(BW_CSTEP_START, BW_WERR_SERVICE_ALREADY_RUNNING);
    waits(BW_STATE_RUNNING, 30000, BW_WAIT_REACHED, BW_STATE_RUNNING);
    reports_last(BW_OUTCOME_RESTORED, "AVP", "service", "restore", "started again", 0);

    /* Not running before: not started. */
    record_of("ksnproxy", NULL, BW_START_DEMAND, BW_STATE_STOPPED);
    restore(true);
    opens(BW_ACCESS_RESTORE, "ksnproxy");
    sets_start(BW_START_DEMAND);
    r = REPORTS(BW_OUTCOME_RESTORED, "ksnproxy", "service", "restore", NULL, 0);
    assert_string_equal(r->detail, "Start type manual put back.");
    answer(NULL);
    expect_done(false, BW_OK);
}

/* The start type is back, the start fails: 405, then 404 "start". */
static void test_restore_start_fails(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_START_PENDING);
    restore(true);
    opens(BW_ACCESS_RESTORE, "AVP");
    sets_start(BW_START_AUTO);
    fails(BW_CSTEP_START, LOGON_FAILED);
    const bw_contain_result *r =
        REPORTS(BW_OUTCOME_RESTORED, "AVP", "service", "restore", NULL, 0);
    assert_string_equal(r->detail, "Start type automatic put back.");
    answer(NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "start",
                 "Its start type was put back, but it did not start: error text (1069).",
                 LOGON_FAILED);

    restore(true);
    opens(BW_ACCESS_RESTORE, "AVP");
    sets_start(BW_START_AUTO);
    ok(BW_CSTEP_START);
    waits(BW_STATE_RUNNING, 30000, BW_WAIT_TIMEOUT, BW_STATE_STOPPED);
    REPORTS(BW_OUTCOME_RESTORED, "AVP", "service", "restore", NULL, 0);
    answer(NULL);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "start",
                 "Its start type was put back, but it did not start within the timeout.", 0);
}

static void test_restore_without_start(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING);
    restore(false);
    opens(BW_ACCESS_RESTORE, "AVP");
    sets_start(BW_START_AUTO);
    reports_last(
        BW_OUTCOME_RESTORED, "AVP", "service", "restore",
        "Start type automatic put back. It was running before: it starts at the next boot "
        "per its start type, or now with 'banwatch restore --start'.",
        0);

    /* A dependent's start type was never changed: only started again. */
    record_of("KSDE", "dependent", BW_START_DEMAND, BW_STATE_RUNNING);
    restore(false);
    opens(BW_ACCESS_RESTORE, "KSDE");
    reports_last(BW_OUTCOME_RESTORED, "KSDE", "dependent", "restore",
                 "Its start type was not changed. It was running before:", 0);

    restore(true);
    opens(BW_ACCESS_RESTORE, "KSDE");
    ok(BW_CSTEP_START);
    waits(BW_STATE_RUNNING, 30000, BW_WAIT_REACHED, BW_STATE_RUNNING);
    reports_last(BW_OUTCOME_RESTORED, "KSDE", "dependent", "restore",
                 "Its start type was not changed. It was running before and has been started "
                 "again.",
                 0);
}

static void test_restore_fails(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING);
    restore(true);
    opens(BW_ACCESS_RESTORE, "AVP");
    fails(BW_CSTEP_SET_START, DENIED);
    reports_last(BW_OUTCOME_FAILED, "AVP", "service", "restore",
                 "The start type could not be put back to automatic: error text (5)", DENIED);

    restore(true);
    fails(BW_CSTEP_OPEN, DENIED);
    reports_last(
        BW_OUTCOME_FAILED, "AVP", "service", "restore",
        "The service could not be opened: error text (5) (run banwatch restore elevated)",
        DENIED);
}

/* Uninstalled since containment: nothing to put back, the record closes. */
static void test_restore_service_gone(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING);
    restore(true);
    fails(BW_CSTEP_OPEN, GONE);
    reports_last(BW_OUTCOME_RESTORED, "AVP", "service", "restore",
                 "The service no longer exists (it was uninstalled): nothing to put back.", 0);
}

static void test_restore_pass(void **state)
{
    (void)state;
    record_of("AVP", "service", BW_START_AUTO, BW_STATE_RUNNING);
    assert_int_equal(bw_cstep_restore_pass(&REC, NULL), 1);
    assert_int_equal(bw_cstep_restore_pass(&REC, "avp"), 1);
    assert_int_equal(bw_cstep_restore_pass(&REC, "klnagent"), 0);
    REC.kind = (char *)"driver";
    assert_int_equal(bw_cstep_restore_pass(&REC, NULL), 1);
    REC.kind = NULL;
    assert_int_equal(bw_cstep_restore_pass(&REC, NULL), 1);
    REC.kind = (char *)"dependent";
    assert_int_equal(bw_cstep_restore_pass(&REC, NULL), 2);
    REC.changed = false;
    assert_int_equal(bw_cstep_restore_pass(&REC, NULL), 0);
}

/* ---- waiting and the service control manager ------------------------------------------ */

static void test_poll(void **state)
{
    (void)state;
    bw_wait_end end = BW_WAIT_FAILED;
    assert_int_equal(bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOPPED, 0, 0, 1000, &end), 0);
    assert_int_equal(end, BW_WAIT_REACHED);
    /* A tenth of the wait hint, within 250 ms and 5 s. */
    assert_int_equal(bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOP_PENDING, 2000, 0, 10000, &end),
                     250);
    assert_int_equal(
        bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOP_PENDING, 30000, 0, 10000, &end), 3000);
    assert_int_equal(
        bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOP_PENDING, 600000, 0, 100000, &end), 5000);
    /* ... and no later than the deadline, never 0 before it. */
    assert_int_equal(
        bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOP_PENDING, 30000, 9900, 10000, &end), 100);
    assert_int_equal(bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_RUNNING, 0, 9999, 10000, &end), 1);
    assert_int_equal(
        bw_cstep_poll(BW_STATE_STOPPED, BW_STATE_STOP_PENDING, 0, 10000, 10000, &end), 0);
    assert_int_equal(end, BW_WAIT_TIMEOUT);
    /* Waiting for a start, a service that stopped again will not start. */
    end = BW_WAIT_REACHED;
    assert_int_equal(bw_cstep_poll(BW_STATE_RUNNING, BW_STATE_STOPPED, 0, 0, 10000, &end), 0);
    assert_int_equal(end, BW_WAIT_TIMEOUT);
    assert_int_equal(bw_cstep_poll(BW_STATE_RUNNING, BW_STATE_START_PENDING, 0, 0, 10000, &end),
                     250);
}

static void test_scm_failed(void **state)
{
    (void)state;
    char detail[256];
    const bw_contain_target *t = plan_avp(true, false);
    bw_contain_result r =
        bw_cstep_contain_scm_failed(t, true, DENIED, "access denied (5)", detail, sizeof detail);
    assert_int_equal(r.outcome, BW_OUTCOME_FAILED);
    assert_string_equal(r.name, "AVP");
    assert_string_equal(r.kind, "service");
    assert_string_equal(r.action, "disable");
    assert_int_equal(r.error, DENIED);
    assert_string_equal(r.detail, "The service control manager could not be opened (access "
                                  "denied (5)): nothing was changed. banwatch must run as "
                                  "LocalSystem or elevated.");
    r = bw_cstep_contain_scm_failed(t, false, 1u, "x (1)", detail, sizeof detail);
    assert_string_equal(r.action, "inspect");
    assert_false(bw_icontains(r.detail, "LocalSystem"));

    record_of("KSDE", "dependent", BW_START_DEMAND, BW_STATE_RUNNING);
    r = bw_cstep_restore_scm_failed(&REC, DENIED, "access denied (5)", detail, sizeof detail);
    assert_int_equal(r.outcome, BW_OUTCOME_FAILED);
    assert_string_equal(r.kind, "dependent");
    assert_string_equal(r.action, "restore");
    assert_string_equal(r.detail,
                        "The service control manager could not be opened: access denied (5)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_audit_protected_held_driver),
        cmocka_unit_test(test_audit_open_fails),
        cmocka_unit_test(test_hold),
        cmocka_unit_test(test_hold_non_protecting),
        cmocka_unit_test(test_launch_protected),
        cmocka_unit_test(test_self_defense),
        cmocka_unit_test(test_already_disabled),
        cmocka_unit_test(test_service_gone),
        cmocka_unit_test(test_no_store),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_disable_and_stop),
        cmocka_unit_test(test_disable_only),
        cmocka_unit_test(test_change_refused),
        cmocka_unit_test(test_stop_refused),
        cmocka_unit_test(test_stop_timeout),
        cmocka_unit_test(test_cancelled),
        cmocka_unit_test(test_unprotected_notice),
        cmocka_unit_test(test_dependents_left_running),
        cmocka_unit_test(test_dependent_never_touched),
        cmocka_unit_test(test_dependents_stopped_first),
        cmocka_unit_test(test_dependent_targets),
        cmocka_unit_test(test_dependent_fails),
        cmocka_unit_test(test_restore_with_start),
        cmocka_unit_test(test_restore_start_fails),
        cmocka_unit_test(test_restore_without_start),
        cmocka_unit_test(test_restore_fails),
        cmocka_unit_test(test_restore_service_gone),
        cmocka_unit_test(test_restore_pass),
        cmocka_unit_test(test_poll),
        cmocka_unit_test(test_scm_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
