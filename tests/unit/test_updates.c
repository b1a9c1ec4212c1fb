/* test_updates.c - judging update evidence per product (bw_updates.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_evidence.h"
#include "bw_report.h"
#include "bw_updates.h"

#define CUTOFF INT64_C(1727582400) /* 2024-09-29T04:00:00Z */
#define DAY    INT64_C(86400)

static bw_policy *policy(void)
{
    char msg[256];
    bw_policy *p = NULL;
    const char *y = "policy: t\nversion: \"1\"\nvendor:\n  name: V\n"
                    "updates:\n  stale_after_days: 7\n"
                    "  cutoff_overrides:\n    'KES*': 2024-10-01T00:00:00Z\n";
    assert_int_equal(bw_policy_parse(y, strlen(y), "t.yaml", &p, msg, sizeof msg), BW_OK);
    return p;
}

static void text_evidence(bw_snapshot *s, bw_evidence_kind kind, const char *product,
                          const char *source, const char *raw)
{
    bw_evidence_entry *e;
    assert_int_equal(bw_snapshot_add_evidence(s, &e), BW_OK);
    e->kind = kind;
    e->product = product ? bw_strdup(product) : NULL;
    e->source = bw_strdup(source);
    e->raw = bw_strdup(raw);
    e->raw_len = strlen(raw);
}

static void dword_evidence(bw_snapshot *s, const char *product, uint32_t v)
{
    bw_evidence_entry *e;
    assert_int_equal(bw_snapshot_add_evidence(s, &e), BW_OK);
    e->kind = BW_EVIDENCE_LAST_UPDATE;
    e->product = bw_strdup(product);
    e->source =
        bw_strfmt("HKLM\\SOFTWARE\\KasperskyLab\\%s\\Data\\LastSuccessfulUpdate", product);
    e->reg_type = BW_REG_DWORD;
    e->number = v;
}

/* A registry time of any type, as collect_evidence.c records it. */
static void reg_evidence(bw_snapshot *s, bw_evidence_kind kind, const char *product,
                         uint32_t type, uint64_t number, const char *text)
{
    bw_evidence_entry *e;
    assert_int_equal(bw_snapshot_add_evidence(s, &e), BW_OK);
    e->kind = kind;
    e->product = bw_strdup(product);
    e->source = bw_strfmt("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\%s\\Data\\...", product);
    e->reg_type = type;
    e->number = number;
    if (text) {
        e->raw = bw_strdup(text);
        e->raw_len = strlen(text);
    }
}

static const bw_update_status *find(const bw_updates *u, const char *product)
{
    for (size_t i = 0; i < u->n; i++)
        if ((!product && !u->items[i].product) ||
            (product && u->items[i].product && !strcmp(product, u->items[i].product)))
            return &u->items[i];
    fail_msg("no status for %s", product ? product : "(none)");
    return NULL;
}

static void test_newest_wins_and_cutoff(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    /* AVP21.3: index before the cutoff, registry after it: activity */
    text_evidence(s, BW_EVIDENCE_BASES_INDEX, "AVP21.3", "C:\\Bases\\u0607g.xml",
                  "<Index UpdateDate=\"28092024 2300\"/>");
    dword_evidence(s, "AVP21.3", (uint32_t)(CUTOFF + 3600));
    /* KES: updated 2024-09-30 but its own cutoff is 2024-10-01: no activity */
    text_evidence(s, BW_EVIDENCE_BASES_INDEX, "KES", "C:\\KES\\Bases\\index.xml",
                  "<Update CompID=\"KDBEFI\" Date=\"30092024 1200\"/>");
    int64_t now = CUTOFF + 30 * DAY;
    bw_updates u = {0};
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, now, &u), BW_OK);
    assert_int_equal(u.n, 2);
    const bw_update_status *a = find(&u, "AVP21.3");
    assert_true(a->has_date);
    assert_true(a->newest == CUTOFF + 3600);
    assert_int_equal(a->newest_kind, BW_EVIDENCE_LAST_UPDATE);
    assert_true(a->after_cutoff);
    assert_int_equal(a->age_days, 29);
    assert_true(a->stale);
    assert_int_equal(a->n_evidence, 2);
    const bw_update_status *k = find(&u, "KES");
    assert_false(k->after_cutoff);
    assert_true(k->cutoff == INT64_C(1727740800));
    assert_string_equal(k->newest_source, "C:\\KES\\Bases\\index.xml");
    bw_updates_free(&u);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void test_boundary_and_staleness(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    dword_evidence(s, "AVP21.3", (uint32_t)(CUTOFF - 1));
    bw_updates u = {0};
    /* one second before the cutoff: no activity; 7 days old: not yet stale */
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF - 1 + 7 * DAY, &u), BW_OK);
    assert_false(u.items[0].after_cutoff);
    assert_int_equal(u.items[0].age_days, 7);
    assert_false(u.items[0].stale);
    bw_updates_free(&u);
    /* 8 days old: stale */
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF - 1 + 8 * DAY, &u), BW_OK);
    assert_true(u.items[0].stale);
    bw_updates_free(&u);
    bw_snapshot_free(s);
    /* exactly at the cutoff: activity */
    s = bw_snapshot_new();
    dword_evidence(s, "AVP21.3", (uint32_t)CUTOFF);
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF, &u), BW_OK);
    assert_true(u.items[0].after_cutoff);
    assert_int_equal(u.items[0].age_days, 0);
    bw_updates_free(&u);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void test_never_future_and_unreadable(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    dword_evidence(s, "PURE3.0", 0xFFFFFFFFu);
    text_evidence(s, BW_EVIDENCE_KDB_STT, "WSEE", "C:\\Bases\\Current\\Stat\\kdb.stt",
                  "1;209901010000\r\n");
    text_evidence(s, BW_EVIDENCE_BASES_INDEX, NULL, "C:\\Bases\\bad.xml",
                  "<Index UpdateDate=\"31042024 1200\"/>");
    text_evidence(s, BW_EVIDENCE_BASES_DATE, NULL, "HKLM\\...\\Protection_BasesDate",
                  "yesterday");
    bw_updates u = {0};
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF, &u), BW_OK);
    const bw_update_status *p = find(&u, "PURE3.0");
    assert_true(p->never);
    assert_false(p->has_date);
    assert_false(p->after_cutoff);
    const bw_update_status *w = find(&u, "WSEE");
    assert_true(w->future);
    assert_false(w->stale);
    assert_true(w->after_cutoff);
    /* the two bad entries are listed with their reason, never as dates */
    assert_int_equal(u.n_bad, 2);
    assert_string_equal(u.bad[0].source, "C:\\Bases\\bad.xml");
    assert_non_null(strstr(u.bad[0].reason, "parse-error"));
    const bw_update_status *none = find(&u, NULL);
    assert_false(none->has_date);
    assert_int_equal(none->n_evidence, 2);
    /* ordered by product, the product-less group last */
    assert_null(u.items[u.n - 1].product);

    bw_buf b = {0};
    bw_judgement j = {0};
    s->taken_at = CUTOFF;
    j.updates = u;
    assert_int_equal(bw_verdict_make(s, pol, &j.findings, &j.updates, NULL, &j.verdict), BW_OK);
    assert_int_equal(bw_report_json(s, pol, &j, NULL, &b), BW_OK);
    assert_non_null(strstr(b.data, "{\"product\": \"PURE3.0\", \"newest_update\": null"));
    assert_non_null(strstr(b.data, "\"never_updated\": true"));
    assert_non_null(
        strstr(b.data, "\"newest_update\": \"2099-01-01T00:00:00Z\", \"evidence\": \"kdb.stt\""));
    assert_non_null(strstr(
        b.data, "\"unreadable_evidence\": [\n    {\"product\": null, \"kind\": \"bases-index\""));
    bw_buf_free(&b);
    bw_judgement_free(&j); /* frees u */
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

/* The three registry times of a real 21.x install, in their real types:
 * LastSuccessfulUpdate and UpdateState\LastUpdate as REG_QWORD FILETIMEs,
 * Statistics\InstalledUpdateDate as "DDMMYYYY HHMM"; the newest wins. */
static void test_21x_registry_times(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    const uint64_t ft_2020 = UINT64_C(132538865392017081); /* 2020-12-31T11:08:59Z */
    const uint64_t ft_after =
        (uint64_t)(CUTOFF + 2 * DAY) * 10000000u + UINT64_C(116444736000000000);
    reg_evidence(s, BW_EVIDENCE_LAST_UPDATE, "AVP21.2", BW_REG_QWORD, ft_2020, NULL);
    reg_evidence(s, BW_EVIDENCE_UPDATE_STATE, "AVP21.2", BW_REG_QWORD, ft_after, NULL);
    reg_evidence(s, BW_EVIDENCE_INSTALLED_UPDATE, "AVP21.2", BW_REG_SZ, 0, "31122020 1103");
    bw_updates u = {0};
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF + 10 * DAY, &u), BW_OK);
    assert_int_equal(u.n_bad, 0);
    const bw_update_status *a = find(&u, "AVP21.2");
    assert_int_equal(a->n_evidence, 3);
    assert_true(a->has_date);
    assert_int_equal(a->newest, CUTOFF + 2 * DAY);
    assert_int_equal(a->newest_kind, BW_EVIDENCE_UPDATE_STATE);
    assert_true(a->after_cutoff);
    assert_int_equal(a->age_days, 8);
    assert_true(a->stale);
    bw_updates_free(&u);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

static void test_install_date(void **state)
{
    (void)state;
    bw_policy *pol = policy();
    bw_snapshot *s = bw_snapshot_new();
    const char *dates[] = {"20241002", "20240915", "2024-10-02", "20240931"};
    bw_findings f = {0};
    f.items = calloc(4, sizeof *f.items);
    f.n = f.cap = 4;
    for (int i = 0; i < 4; i++) {
        bw_product_entry *p;
        assert_int_equal(bw_snapshot_add_product(s, &p), BW_OK);
        p->key_name = bw_strfmt("{P%d}", i);
        p->source = bw_strfmt("HKLM\\Uninstall\\{P%d}", i);
        p->install_date = bw_strdup(dates[i]);
        f.items[i].kind = BW_KIND_PRODUCT;
        f.items[i].name = bw_strdup(p->key_name);
        f.items[i].source = bw_strdup(p->source);
    }
    bw_updates u = {0};
    assert_int_equal(bw_evaluate_updates(s, pol, &f, CUTOFF + 400 * DAY, &u), BW_OK);
    const bw_update_status *a = find(&u, "{P0}");
    assert_true(a->after_cutoff);
    assert_int_equal(a->newest_kind, BW_EVIDENCE_INSTALL_DATE);
    assert_string_equal(a->newest_source, "HKLM\\Uninstall\\{P0}\\InstallDate");
    assert_false(a->stale); /* an install date says nothing about signatures */
    assert_false(find(&u, "{P1}")->after_cutoff);
    assert_int_equal(u.n_bad, 2);
    assert_non_null(strstr(u.bad[0].reason, "InstallDate"));
    /* without findings, install dates are not read */
    bw_updates_free(&u);
    assert_int_equal(bw_evaluate_updates(s, pol, NULL, CUTOFF, &u), BW_OK);
    assert_int_equal(u.n, 0);
    bw_updates_free(&u);
    bw_findings_free(&f);
    bw_snapshot_free(s);
    bw_policy_free(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_wins_and_cutoff),
        cmocka_unit_test(test_boundary_and_staleness),
        cmocka_unit_test(test_never_future_and_unreadable),
        cmocka_unit_test(test_install_date),
        cmocka_unit_test(test_21x_registry_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
