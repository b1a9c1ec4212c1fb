/* test_contain.c - unit tests for the containment plan (service/core/bw_contain.c):
 * targets, allowlist / only / drivers, and whether another anti-virus remains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_contain.h"

static const char base_policy[] = "policy: t\n"
                                  "version: 1\n"
                                  "vendor:\n"
                                  "  name: Kaspersky\n"
                                  "  services: [AVP*, klnagent]\n";

/* The base policy plus `extra` (YAML appended at the top level). */
static bw_policy *policy(const char *extra)
{
    char *text = bw_strfmt("%s%s", base_policy, extra ? extra : "");
    char err[512];
    bw_policy *p = NULL;
    assert_non_null(text);
    if (bw_policy_parse(text, strlen(text), "t.yaml", &p, err, sizeof err) != BW_OK)
        fail_msg("policy: %s", err);
    free(text);
    return p;
}

static bw_service_entry *svc(bw_snapshot *s, const char *name, uint32_t type, uint32_t start,
                             uint32_t state)
{
    bw_service_entry *v;
    assert_int_equal(bw_snapshot_add_service(s, &v), BW_OK);
    v->name = bw_strdup(name);
    v->display_name = bw_strfmt("%s display", name);
    v->type = type;
    v->has_type = true;
    v->start = start;
    v->has_start = true;
    v->state = state;
    v->in_scm = true;
    v->in_registry = true;
    return v;
}

static void finding(bw_findings *f, bw_kind kind, const char *name)
{
    assert_int_equal(bw_grow(&f->items, &f->cap, f->n, sizeof *f->items), BW_OK);
    bw_finding *x = &f->items[f->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->name = bw_strdup(name);
    x->display_name = bw_strfmt("%s display", name);
}

/* A machine with the vendor's services AVP (running), klnagent (running),
 * ksnproxy (stopped), the driver klif, and WinDefend as given. */
typedef struct machine {
    bw_snapshot *snap;
    bw_findings f;
} machine;

static void machine_init(machine *m, bool defender, uint32_t defender_start)
{
    m->snap = bw_snapshot_new();
    memset(&m->f, 0, sizeof m->f);
    assert_non_null(m->snap);
    svc(m->snap, "AVP", BW_SVC_WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    svc(m->snap, "klnagent", BW_SVC_WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    svc(m->snap, "ksnproxy", BW_SVC_WIN32_OWN, BW_START_DEMAND, BW_STATE_STOPPED);
    svc(m->snap, "klif", BW_SVC_FS_DRIVER, BW_START_SYSTEM, BW_STATE_RUNNING);
    svc(m->snap, "Spooler", BW_SVC_WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    if (defender)
        svc(m->snap, "WinDefend", BW_SVC_WIN32_SHARE, defender_start, BW_STATE_STOPPED);
    finding(&m->f, BW_KIND_PRODUCT, "{KES-GUID}");
    finding(&m->f, BW_KIND_SERVICE, "AVP");
    finding(&m->f, BW_KIND_SERVICE, "klnagent");
    finding(&m->f, BW_KIND_DRIVER, "klif");
    finding(&m->f, BW_KIND_KSN, "ksnproxy");
    finding(&m->f, BW_KIND_REGISTRY, "KES.12.0");
}

static void machine_free(machine *m)
{
    bw_findings_free(&m->f);
    bw_snapshot_free(m->snap);
}

static const bw_contain_target *target(const bw_contain_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].name, name))
            return &p->items[i];
    fail_msg("no plan item %s", name);
    return NULL;
}

static void test_targets_default(void **state)
{
    (void)state;
    machine m;
    machine_init(&m, true, BW_START_AUTO);
    bw_policy *p = policy(NULL);
    bw_contain_plan plan;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    /* services, drivers and KSN components; never products or registry keys */
    assert_int_equal(plan.n, 4);
    assert_int_equal(plan.n_act, 3);
    assert_int_equal(target(&plan, "AVP")->decision, BW_CONTAIN_ACT);
    assert_int_equal(target(&plan, "klnagent")->decision, BW_CONTAIN_ACT);
    assert_int_equal(target(&plan, "ksnproxy")->decision, BW_CONTAIN_ACT);
    /* a driver only when containment.drivers includes it */
    assert_int_equal(target(&plan, "klif")->decision, BW_CONTAIN_SKIP_DRIVER);
    assert_true(target(&plan, "klif")->driver);
    assert_false(target(&plan, "AVP")->driver);
    assert_int_equal(target(&plan, "AVP")->start, BW_START_AUTO);
    assert_int_equal(target(&plan, "AVP")->state, BW_STATE_RUNNING);
    assert_string_equal(target(&plan, "AVP")->display_name, "AVP display");
    /* Defender, stopped but automatic: it comes back when the AV goes */
    assert_true(plan.other_av);
    assert_false(plan.hold);
    assert_non_null(strstr(plan.other_av_text, "WinDefend"));
    assert_non_null(strstr(plan.other_av_text, "automatic"));
    bw_contain_plan_free(&plan);
    assert_null(plan.items);
    bw_policy_free(p);
    machine_free(&m);
}

static void test_allowlist_only_drivers(void **state)
{
    (void)state;
    machine m;
    machine_init(&m, true, BW_START_DEMAND);
    bw_policy *p = policy("containment:\n"
                          "  allowlist: [KLNAGENT]\n"
                          "  only: ['AVP*', klif, klnagent]\n"
                          "  drivers: [kl?f]\n");
    bw_contain_plan plan;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_int_equal(target(&plan, "AVP")->decision, BW_CONTAIN_ACT);
    /* the allowlist wins over `only`, case-insensitively */
    assert_int_equal(target(&plan, "klnagent")->decision, BW_CONTAIN_SKIP_ALLOWLIST);
    assert_int_equal(target(&plan, "ksnproxy")->decision, BW_CONTAIN_SKIP_NOT_ONLY);
    assert_int_equal(target(&plan, "klif")->decision, BW_CONTAIN_ACT);
    assert_int_equal(plan.n_act, 2);
    assert_string_equal(bw_contain_decision_name(BW_CONTAIN_SKIP_ALLOWLIST), "allowlisted");
    bw_contain_plan_free(&plan);
    bw_policy_free(p);
    machine_free(&m);
}

/* Whatever the policy matched, banwatch itself and Windows' own security and
 * core services and drivers are never targets. */
static void test_never_touched(void **state)
{
    (void)state;
    machine m;
    machine_init(&m, true, BW_START_AUTO);
    svc(m.snap, "FltMgr", BW_SVC_FS_DRIVER, BW_START_BOOT, BW_STATE_RUNNING);
    svc(m.snap, "EventLog", BW_SVC_WIN32_SHARE, BW_START_AUTO, BW_STATE_RUNNING);
    finding(&m.f, BW_KIND_SERVICE, "windefend");
    finding(&m.f, BW_KIND_DRIVER, "FltMgr");
    finding(&m.f, BW_KIND_KSN, "EventLog");
    bw_policy *p = policy("containment:\n  only: ['*']\n  drivers: ['*']\n");
    bw_contain_plan plan;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_int_equal(target(&plan, "windefend")->decision, BW_CONTAIN_SKIP_BUILTIN);
    assert_int_equal(target(&plan, "FltMgr")->decision, BW_CONTAIN_SKIP_BUILTIN);
    assert_int_equal(target(&plan, "EventLog")->decision, BW_CONTAIN_SKIP_BUILTIN);
    assert_int_equal(target(&plan, "AVP")->decision, BW_CONTAIN_ACT);
    assert_int_equal(target(&plan, "klif")->decision, BW_CONTAIN_ACT);
    assert_string_equal(bw_contain_decision_name(BW_CONTAIN_SKIP_BUILTIN), "never-touched");
    bw_contain_plan_free(&plan);
    bw_policy_free(p);
    machine_free(&m);
    assert_true(bw_contain_never_touch("BANWATCH"));
    assert_true(bw_contain_never_touch("mpssvc"));
    assert_false(bw_contain_never_touch("AVP"));
    assert_false(bw_contain_never_touch(NULL));
}

static void test_not_in_scm(void **state)
{
    (void)state;
    machine m;
    machine_init(&m, true, BW_START_AUTO);
    bw_snapshot_find_service(m.snap, "AVP")->in_scm = false; /* registry only */
    bw_policy *p = policy(NULL);
    bw_contain_plan plan;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_int_equal(target(&plan, "AVP")->decision, BW_CONTAIN_SKIP_NOT_SCM);
    bw_contain_plan_free(&plan);
    bw_policy_free(p);
    machine_free(&m);
}

static void test_no_other_av(void **state)
{
    (void)state;
    bw_contain_plan plan;
    bw_policy *p = policy(NULL);
    /* none installed */
    machine m;
    machine_init(&m, false, 0);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_true(plan.hold);
    assert_non_null(strstr(plan.other_av_text, "none"));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    /* Defender disabled */
    machine_init(&m, true, BW_START_DISABLED);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_true(plan.hold);
    assert_non_null(strstr(plan.other_av_text, "WinDefend is disabled"));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    /* Defender turned off by Group Policy */
    machine_init(&m, true, BW_START_AUTO);
    m.snap->defender_off = true;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_non_null(strstr(plan.other_av_text, "Group Policy"));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
    /* allow_unprotected: no hold, still no other AV */
    p = policy("containment:\n  allow_unprotected: true\n");
    machine_init(&m, false, 0);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_false(plan.hold);
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
}

/* containment.non_protecting: the management agent and the KSN proxy
 * protect nothing, so no hold applies to them. */
static void test_non_protecting(void **state)
{
    (void)state;
    bw_contain_plan plan;
    machine m;
    bw_policy *p = policy("containment:\n  non_protecting: [klnagent, KSN*]\n");
    assert_int_equal(p->contain_non_protecting.n, 2);
    machine_init(&m, false, 0);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_true(plan.hold);
    assert_int_equal(plan.n_act, 3);
    assert_int_equal(plan.n_protect, 1); /* AVP */
    assert_true(bw_contain_held(&plan, target(&plan, "AVP")));
    assert_false(bw_contain_held(&plan, target(&plan, "klnagent")));
    assert_false(bw_contain_held(&plan, target(&plan, "ksnproxy"))); /* globs, any case */
    assert_true(target(&plan, "ksnproxy")->non_protecting);
    assert_false(target(&plan, "AVP")->non_protecting);
    /* the allowlist still wins: non_protecting is no reason to act */
    bw_contain_plan_free(&plan);
    bw_policy_free(p);
    p = policy("containment:\n  non_protecting: [klnagent]\n  allowlist: [klnagent]\n");
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_int_equal(target(&plan, "klnagent")->decision, BW_CONTAIN_SKIP_ALLOWLIST);
    assert_int_equal(plan.n_act, 2);
    assert_int_equal(plan.n_protect, 2);
    bw_contain_plan_free(&plan);
    machine_free(&m);
    /* with another anti-virus nothing is held */
    machine_init(&m, true, BW_START_AUTO);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(bw_contain_held(&plan, target(&plan, "AVP")));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
    /* none by default: every target is held */
    p = policy(NULL);
    assert_int_equal(p->contain_non_protecting.n, 0);
    machine_init(&m, false, 0);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_int_equal(plan.n_protect, plan.n_act);
    assert_true(bw_contain_held(&plan, target(&plan, "klnagent")));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
}

static void test_vendor_service_is_not_another_av(void **state)
{
    (void)state;
    /* A policy that lists the vendor's own service as an anti-virus must
     * not count it: it is the one being disabled. */
    bw_policy *p = policy("containment:\n  antivirus_services: [AVP, ekrn]\n");
    machine m;
    machine_init(&m, true, BW_START_AUTO);
    bw_contain_plan plan;
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av); /* WinDefend is not in this policy's list */
    assert_true(plan.hold);
    bw_contain_plan_free(&plan);
    svc(m.snap, "ekrn", BW_SVC_WIN32_OWN, BW_START_AUTO, BW_STATE_RUNNING);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_true(plan.other_av);
    assert_non_null(strstr(plan.other_av_text, "ekrn"));
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
}

static void av(bw_snapshot *s, const char *name, bw_av_state state)
{
    bw_av_entry *a;
    assert_int_equal(bw_snapshot_add_av(s, &a), BW_OK);
    a->name = bw_strdup(name);
    a->state = state;
    s->av_center = true;
}

static void test_security_center(void **state)
{
    (void)state;
    bw_policy *p = policy("  markers: [Kaspersky]\n  products: ['Kaspersky *']\n");
    machine m;
    machine_init(&m, false, 0);
    bw_contain_plan plan;
    /* no Security Center: said so */
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_non_null(strstr(plan.other_av_text, "Security Center not available"));
    bw_contain_plan_free(&plan);
    /* the vendor's own product, and another one that is off, do not count */
    av(m.snap, "Kaspersky Endpoint Security for Windows", BW_AV_ON);
    av(m.snap, "ESET Security", BW_AV_OFF);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_false(plan.other_av);
    assert_true(plan.hold);
    assert_non_null(strstr(plan.other_av_text, "ESET Security is off"));
    assert_null(strstr(plan.other_av_text, "Security Center not available"));
    bw_contain_plan_free(&plan);
    /* another vendor's product that is on counts */
    av(m.snap, "Sophos Anti-Virus", BW_AV_ON);
    assert_int_equal(bw_contain_plan_make(m.snap, p, &m.f, &plan), BW_OK);
    assert_true(plan.other_av);
    assert_false(plan.hold);
    assert_string_equal(plan.other_av_text, "Security Center: Sophos Anti-Virus (on)");
    bw_contain_plan_free(&plan);
    machine_free(&m);
    bw_policy_free(p);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const outcomes[] = {"would-disable", "disabled", "stopped", "blocked",
                                           "failed",        "restored", "held"};
    for (int i = 0; i < BW_CONTAIN_OUTCOMES; i++) {
        bw_contain_outcome o;
        assert_string_equal(bw_contain_outcome_name((bw_contain_outcome)i), outcomes[i]);
        assert_true(bw_contain_outcome_parse(outcomes[i], &o));
        assert_int_equal(o, i);
    }
    bw_contain_outcome o;
    assert_false(bw_contain_outcome_parse("bogus", &o));
    assert_false(bw_contain_outcome_parse(NULL, &o));
    assert_string_equal(bw_contain_outcome_name((bw_contain_outcome)99), "unknown");
    assert_string_equal(bw_start_type_name(BW_START_AUTO), "automatic");
    assert_string_equal(bw_start_type_name(BW_START_DEMAND), "manual");
    assert_string_equal(bw_start_type_name(BW_START_DISABLED), "disabled");
    assert_string_equal(bw_start_type_name(9), "unknown");
    /* one table: a delayed automatic start has its own word, no other */
    assert_string_equal(bw_start_type_shown(BW_START_AUTO, true), "delayed-automatic");
    assert_string_equal(bw_start_type_shown(BW_START_AUTO, false), "automatic");
    assert_string_equal(bw_start_type_shown(BW_START_DEMAND, true), "manual");
    assert_string_equal(bw_start_type_shown(9, true), "unknown");
    assert_string_equal(bw_service_state_name(BW_STATE_RUNNING), "running");
    assert_string_equal(bw_service_state_name(BW_STATE_STOP_PENDING), "stop-pending");
    assert_string_equal(bw_service_state_name(42), "unknown");
}

static void test_policy_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"containment: []\n", "t.yaml:6:14: containment: expected a mapping"},
        {"containment: {}\n", "containment: empty mapping"},
        {"containment:\n  allow_unprotected: yes\n",
         "t.yaml:7:22: containment.allow_unprotected: "
         "expected true or false"},
        {"containment:\n  stop_timeout: 0\n",
         "containment.stop_timeout: value 0 is out of range"},
        {"containment:\n  stop_timeout: 601\n", "out of range 1..600"},
        {"containment:\n  allowlist: []\n", "containment.allowlist: empty list"},
        {"containment:\n  drivers: ['kl[if']\n", "invalid pattern"},
        {"containment:\n  alowlist: [x]\n", "did you mean \"allowlist\""},
        {"containment:\n  non_protecting: []\n", "containment.non_protecting: empty list"},
        {"containment:\n  non_protecting: klnagent\n",
         "containment.non_protecting: expected a list"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = bw_strfmt("%s%s", base_policy, bad[i].yaml);
        char err[512] = "";
        bw_policy *p = NULL;
        assert_int_equal(bw_policy_parse(text, strlen(text), "t.yaml", &p, err, sizeof err),
                         BW_EPARSE);
        assert_null(p);
        if (!strstr(err, bad[i].want))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, bad[i].want);
        free(text);
    }
    /* defaults */
    bw_policy *p = policy(NULL);
    assert_int_equal(p->contain_stop_timeout, 30);
    assert_false(p->contain_allow_unprotected);
    assert_false(p->contain_stop_dependents);
    assert_int_equal(p->contain_av_services.n, 1);
    assert_string_equal(p->contain_av_services.items[0], "WinDefend");
    assert_int_equal(p->contain_allowlist.n, 0);
    bw_policy_free(p);
    p = policy("containment:\n  stop_dependents: true\n  stop_timeout: 5\n"
               "  antivirus_services: [ekrn]\n");
    assert_true(p->contain_stop_dependents);
    assert_int_equal(p->contain_stop_timeout, 5);
    assert_int_equal(p->contain_av_services.n, 1); /* replaces the default */
    assert_string_equal(p->contain_av_services.items[0], "ekrn");
    bw_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets_default),
        cmocka_unit_test(test_allowlist_only_drivers),
        cmocka_unit_test(test_never_touched),
        cmocka_unit_test(test_not_in_scm),
        cmocka_unit_test(test_no_other_av),
        cmocka_unit_test(test_non_protecting),
        cmocka_unit_test(test_vendor_service_is_not_another_av),
        cmocka_unit_test(test_security_center),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_policy_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
