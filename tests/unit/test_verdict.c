/* test_verdict.c - unit tests for the host verdict (bw_verdict.c) and the
 * one judgement (bw_judge.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_judge.h"

#define CUTOFF INT64_C(1727582400)
#define DAY    86400

static bw_policy *policy(void)
{
    char msg[256];
    bw_policy *p = NULL;
    const char *y = "policy: t\nversion: \"1\"\n"
                    "vendor:\n  name: Kaspersky\n  removal: kavremover\n"
                    "  publishers: [Kaspersky Lab]\n"
                    "  products: ['*Kaspersky*Total Security*', '*Kaspersky Security Center*']\n"
                    "  markers: [Kaspersky]\n"
                    "  paths: ['*\\Kaspersky Lab\\*']\n"
                    "  services: ['AVP[0-9]*', klnagent]\n"
                    "  drivers: [klif, klhk]\n"
                    "  generic_names: ['kl*']\n"
                    "  registry_roots: ['HKLM\\SOFTWARE\\KasperskyLab']\n"
                    "  registry_products: ['AVP*', KES]\n"
                    "ksn:\n  services: [ksnproxy]\n  ports: [13111]\n"
                    "updates:\n  stale_after_days: 7\n";
    if (bw_policy_parse(y, strlen(y), "t.yaml", &p, msg, sizeof msg) != BW_OK)
        fail_msg("%s", msg);
    return p;
}

static bw_product_entry *product(bw_snapshot *s, const char *key, const char *name,
                                 const char *version, const char *date)
{
    bw_product_entry *p;
    assert_int_equal(bw_snapshot_add_product(s, &p), BW_OK);
    p->key_name = bw_strdup(key);
    p->display_name = bw_strdup(name);
    p->publisher = bw_strdup("AO Kaspersky Lab");
    p->display_version = bw_strdup(version);
    p->install_date = date ? bw_strdup(date) : NULL;
    p->source = bw_strfmt("HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\"
                          "Uninstall\\%s",
                          key);
    p->view = BW_VIEW_32;
    return p;
}

static bw_vendor_key *vkey(bw_snapshot *s, const char *name, const char *const *env)
{
    bw_vendor_key *k;
    assert_int_equal(bw_snapshot_add_vendor_key(s, &k), BW_OK);
    k->root = bw_strdup("HKLM\\SOFTWARE\\KasperskyLab");
    k->key_name = bw_strdup(name);
    k->source = bw_strfmt("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\%s", name);
    k->view = BW_VIEW_32;
    for (size_t i = 0; env && env[i]; i += 2)
        assert_int_equal(bw_vendor_key_add_env(k, env[i], env[i + 1]), BW_OK);
    return k;
}

static void evidence(bw_snapshot *s, const char *product, uint32_t unix_time)
{
    bw_evidence_entry *e;
    assert_int_equal(bw_snapshot_add_evidence(s, &e), BW_OK);
    e->kind = BW_EVIDENCE_LAST_UPDATE;
    e->product = bw_strdup(product);
    e->source = bw_strfmt("HKLM\\...\\%s\\Data\\LastSuccessfulUpdate", product);
    e->reg_type = 4; /* REG_DWORD */
    e->number = unix_time;
}

static void service(bw_snapshot *s, const char *name, uint32_t type, const char *display,
                    uint32_t state)
{
    bw_service_entry *v;
    assert_int_equal(bw_snapshot_add_service(s, &v), BW_OK);
    v->name = bw_strdup(name);
    v->type = type;
    v->has_type = true;
    v->display_name = display ? bw_strdup(display) : NULL;
    v->source = bw_strfmt("HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", name);
    v->state = state;
    v->in_registry = true;
}

/* An Uninstall entry and the vendor key of the same product are one
 * product, tied by ProductCode, by name, by version or by folder; the
 * key's protected\ twin too. */
static void test_products_merge(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    product(s, "InstallWIX_{7A4192A1-84C4-4E90-A31B-B4847CA8E23A}", "Kaspersky Total Security",
            "21.3.10.391", "20240901");
    vkey(s, "AVP21.3",
         (const char *const[]){"ProductCode", "{7a4192a1-84c4-4e90-a31b-b4847ca8e23a}",
                               "ProductName", "Kaspersky Total Security", NULL});
    vkey(s, "protected\\AVP21.3", NULL);
    product(s, "{KSC}", "Kaspersky Security Center Network Agent", "14.2.0.26967", NULL);
    vkey(s, "KES",
         (const char *const[]){"ProductName", "Kaspersky Endpoint Security", "InstallDate",
                               "1727000000", NULL});
    evidence(s, "AVP21.3", (uint32_t)(CUTOFF + 2 * DAY));
    evidence(s, "protected\\AVP21.3", (uint32_t)(CUTOFF - DAY));
    evidence(s, "KES", (uint32_t)(CUTOFF - 30 * DAY));
    bw_judgement j;
    assert_int_equal(bw_judge(s, pol, CUTOFF + 3 * DAY, BW_MODE_AUDIT, &j), BW_OK);
    const bw_verdict *v = &j.verdict;
    assert_int_equal(v->n_products, 3);
    const bw_verdict_product *p = &v->products[0];
    assert_string_equal(p->name, "Kaspersky Total Security");
    assert_string_equal(p->version, "21.3.10.391");
    assert_string_equal(p->install_date, "2024-09-01");
    assert_string_equal(p->vendor_key, "AVP21.3");
    assert_int_equal(p->tier, BW_TIER_CONFIRMED);
    assert_int_equal(p->updated_after_cutoff, BW_TRI_YES);
    assert_int_equal(p->newest_update, CUTOFF + 2 * DAY);
    assert_int_equal(p->stale, BW_TRI_NO);
    /* the Network Agent has no vendor key and no update evidence */
    assert_string_equal(v->products[1].name, "Kaspersky Security Center Network Agent");
    assert_null(v->products[1].vendor_key);
    assert_int_equal(v->products[1].updated_after_cutoff, BW_TRI_UNKNOWN);
    /* a vendor key without an Uninstall entry is a product of its own */
    p = &v->products[2];
    assert_string_equal(p->name, "Kaspersky Endpoint Security");
    assert_null(p->uninstall_key);
    assert_string_equal(p->vendor_key, "KES");
    assert_string_equal(p->install_date, "2024-09-22");
    assert_int_equal(p->updated_after_cutoff, BW_TRI_NO);
    assert_int_equal(p->stale, BW_TRI_YES);
    /* the host: any product updated after the cutoff, any stale */
    assert_int_equal(v->present, BW_TIER_CONFIRMED);
    assert_true(v->counts);
    assert_int_equal(v->updated_after_cutoff, BW_TRI_YES);
    assert_int_equal(v->newest_update, CUTOFF + 2 * DAY);
    assert_string_equal(v->update_product, "Kaspersky Total Security");
    assert_int_equal(v->stale, BW_TRI_YES);
    assert_string_equal(v->headline,
                        "Kaspersky: PRESENT (confirmed): Kaspersky Total Security 21.3.10.391, "
                        "Kaspersky Security Center Network Agent 14.2.0.26967, Kaspersky "
                        "Endpoint Security; updated after the cutoff: YES (newest 2024-10-01, "
                        "last-successful-update); stale protection: YES; KSN: none");
    assert_string_equal(v->next_step,
                        "Next: it received updates after the ban's cutoff: remove it "
                        "(kavremover) and install a supported anti-virus.");
    bw_judgement_free(&j);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void *test_alloc(void *ctx, size_t size)
{
    size_t *calls = ctx;
    (*calls)++;
    return malloc(size);
}

static void *no_alloc(void *ctx, size_t size)
{
    (void)ctx, (void)size;
    return NULL;
}

/* A flat copy says everything the original says, in one block of its own. */
static void test_copy_flat(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    product(s, "{KSC}", "Kaspersky Security Center Network Agent", "14.2.0.26967", "20240901");
    vkey(s, "KES",
         (const char *const[]){"ProductName", "Kaspersky Endpoint Security", "InstallDate",
                               "1727000000", NULL});
    evidence(s, "KES", (uint32_t)(CUTOFF - 30 * DAY));
    bw_judgement j;
    assert_int_equal(bw_judge(s, pol, CUTOFF + 3 * DAY, BW_MODE_AUDIT, &j), BW_OK);
    bw_verdict c;
    void *block = NULL;
    size_t calls = 0;
    assert_int_equal(bw_verdict_copy_flat(&j.verdict, test_alloc, &calls, &c, &block), BW_OK);
    assert_int_equal(calls, 1);
    char *d1 = bw_verdict_digest(&j.verdict);
    bw_judgement_free(&j); /* the copy outlives what it was copied from */
    bw_snapshot_free(s);
    char *d2 = bw_verdict_digest(&c);
    assert_non_null(d1);
    assert_non_null(d2);
    assert_string_equal(d1, d2);
    assert_int_equal(c.n_products, 2);
    assert_ptr_equal(c.products, block);
    assert_string_equal(c.products[0].name, "Kaspersky Security Center Network Agent");
    assert_string_equal(c.products[0].install_date, "2024-09-01");
    assert_string_equal(c.products[1].vendor_key, "KES");
    assert_null(c.products[1].uninstall_key);
    assert_string_equal(c.vendor, "Kaspersky");
    assert_string_equal(c.removal, "kavremover");
    assert_non_null(c.headline);
    assert_non_null(c.next_step);
    free(d1);
    free(d2);
    free(block);
    /* an empty verdict copies as one; no memory: nothing */
    bw_verdict e = {0}, ce;
    assert_int_equal(bw_verdict_copy_flat(&e, test_alloc, &calls, &ce, &block), BW_OK);
    assert_null(ce.products);
    assert_null(ce.headline);
    free(block);
    assert_int_equal(bw_verdict_copy_flat(&e, no_alloc, NULL, &ce, &block), BW_ENOMEM);
    assert_null(block);
    bw_policy_free(pol);
}

static void test_tri_states_and_ksn(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    /* an install date before the cutoff says nothing about later updates */
    product(s, "{TS}", "Kaspersky Total Security", "21.3", "20240101");
    service(s, "ksnproxy", 0x10, "Kaspersky Security Network Proxy", BW_STATE_RUNNING);
    bw_judgement j;
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(j.verdict.updated_after_cutoff, BW_TRI_UNKNOWN);
    assert_int_equal(j.verdict.stale, BW_TRI_UNKNOWN);
    assert_true(j.verdict.has_update); /* the install date is the newest evidence */
    assert_string_equal(j.verdict.update_evidence, "install-date");
    assert_int_equal(j.verdict.ksn, BW_KSN_PRESENT);
    char *d1 = bw_verdict_digest(&j.verdict);
    bw_judgement_free(&j);
    /* a vendor process talking to KSN: active */
    bw_connection_entry *c;
    assert_int_equal(bw_snapshot_add_connection(s, &c), BW_OK);
    c->image = bw_strdup("C:\\Program Files (x86)\\Kaspersky Lab\\KTS\\avp.exe");
    c->remote_addr = bw_strdup("10.0.0.1");
    c->remote_port = 13111;
    c->state = BW_TCP_ESTABLISHED;
    pol->binaries.n = 0;
    assert_int_equal(bw_strlist_add(&pol->binaries, "avp.exe"), BW_OK);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(j.verdict.ksn, BW_KSN_ACTIVE);
    char *d2 = bw_verdict_digest(&j.verdict);
    assert_string_not_equal(d1, d2);
    free(d1);
    free(d2);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

/* What the tiers mean for the verdict, the plan and the exit code. */
static void test_outcomes(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    bw_judgement j;
    /* nothing */
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_CLEAN);
    assert_string_equal(j.verdict.headline, "Kaspersky: not found");
    assert_string_equal(j.verdict.next_step, "Next: nothing to do.");
    assert_int_equal(j.verdict.updated_after_cutoff, BW_TRI_NO);
    bw_judgement_free(&j);
    /* only a generic name: for review, exit clean */
    service(s, "kldbgdrv", 1, NULL, BW_STATE_STOPPED);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(j.findings.n, 1);
    assert_int_equal(j.counted.n, 0);
    assert_int_equal(j.review.n, 1);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_CLEAN);
    assert_false(j.verdict.counts);
    assert_int_equal(j.verdict.present, BW_TIER_NONE);
    assert_string_equal(j.verdict.headline,
                        "Kaspersky: not found (1 possible component for review)");
    bw_judgement_free(&j);
    /* an unreadable update file hides no finding: still clean */
    s->gap_hides = 0;
    assert_int_equal(bw_snapshot_add_gap(s, "C:\\Bases\\u.xml", "sharing violation (32)"), BW_OK);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_CLEAN);
    bw_judgement_free(&j);
    /* a services gap could hide one: incomplete */
    s->gap_hides = BW_HIDES_SERVICES;
    assert_int_equal(bw_snapshot_add_gap(s, "service control manager", "denied (5)"), BW_OK);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_INCOMPLETE);
    assert_true(j.verdict.incomplete);
    bw_judgement_free(&j);
    /* a leftover driver of a distinctive name: findings, a leftover verdict,
     * and no containment target (drivers are not contained by default) */
    service(s, "klhk", 1, NULL, BW_STATE_STOPPED);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_FINDINGS);
    assert_int_equal(j.verdict.present, BW_TIER_LIKELY);
    assert_int_equal(j.plan.n_act, 0);
    assert_string_equal(j.verdict.containment, "none: no vendor service to contain");
    assert_non_null(strstr(j.verdict.next_step, "leftovers without an installed product"));
    bw_judgement_free(&j);
    /* counting confirmed only: the likely driver is for review */
    pol->count_tiers = BW_TIER_BIT(BW_TIER_CONFIRMED);
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(j.counted.n, 0);
    assert_int_equal(j.review.n, 2);
    assert_int_equal(bw_judgement_outcome(&j), BW_SCAN_INCOMPLETE);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void test_containment_lines(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    service(s, "AVP21.3", 0x10, "Kaspersky Anti-Virus Service", BW_STATE_RUNNING);
    s->services[0].in_scm = true;
    bw_judgement j;
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_AUDIT, &j), BW_OK);
    assert_int_equal(j.plan.n_act, 1);
    assert_string_equal(j.verdict.containment,
                        "audit: enforce would disable 1 service (held: no other anti-virus "
                        "would remain)");
    bw_verdict_contain c = j.verdict.contain;
    assert_true(c.hold);
    assert_int_equal(c.held, 1);
    /* held, with targets that protect nothing contained anyway */
    c.mode = BW_MODE_ENFORCE;
    c.targets = 3;
    assert_int_equal(bw_verdict_set_contain(&j.verdict, &c), BW_OK);
    assert_string_equal(j.verdict.containment,
                        "held: enforce changes none of 1 protecting service while no other "
                        "anti-virus would remain, and disables the 2 that protect nothing");
    c.held = 3;
    assert_int_equal(bw_verdict_set_contain(&j.verdict, &c), BW_OK);
    assert_string_equal(j.verdict.containment,
                        "held: enforce changes none of 3 services while no other anti-virus "
                        "would remain");
    c.targets = 1;
    c.hold = false;
    c.acted = true;
    c.disabled = 0;
    c.blocked = 1;
    assert_int_equal(bw_verdict_set_contain(&j.verdict, &c), BW_OK);
    assert_string_equal(j.verdict.containment,
                        "enforce: 0 disabled, 1 blocked by self-defense, 0 failed, of 1 service");
    bw_judgement_free(&j);
    /* a service whose image a user could have planted is no target */
    free(s->services[0].image_path);
    s->services[0].image_path = bw_strdup("C:\\Users\\bob\\AppData\\avp.exe");
    assert_int_equal(bw_judge(s, pol, CUTOFF, BW_MODE_ENFORCE, &j), BW_OK);
    assert_int_equal(j.plan.n, 1);
    assert_int_equal(j.plan.items[0].decision, BW_CONTAIN_SKIP_USER_WRITABLE);
    assert_int_equal(j.plan.n_act, 0);
    bw_judgement_free(&j);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void test_vendor_may_run(void **state)
{
    (void)state;
    bw_finding items[3] = {{.kind = BW_KIND_SERVICE, .state = BW_STATE_STOPPED},
                           {.kind = BW_KIND_KSN, .state = BW_STATE_STOPPED},
                           {.kind = BW_KIND_DRIVER, .state = BW_STATE_RUNNING}};
    bw_findings f = {.items = items, .n = 3};
    assert_false(bw_vendor_may_run(&f)); /* drivers do not count */
    items[1].state = BW_STATE_UNKNOWN;   /* a key the SCM does not know */
    assert_true(bw_vendor_may_run(&f));
    f.n = 0;
    assert_true(bw_vendor_may_run(&f));
    assert_true(bw_vendor_may_run(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products_merge), cmocka_unit_test(test_tri_states_and_ksn),
        cmocka_unit_test(test_outcomes),       cmocka_unit_test(test_containment_lines),
        cmocka_unit_test(test_vendor_may_run), cmocka_unit_test(test_copy_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
