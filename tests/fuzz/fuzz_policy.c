/*
 * fuzz_policy.c - the policy loader on arbitrary bytes (bw_policy_parse).
 *
 * A load either fails with a message "fuzz.yaml:<line>:<col>: ..." and no
 * policy, or gives a policy whose required fields are set and whose
 * strings are non-empty valid UTF-8. A policy that loads is then used as
 * the service would use it: judged against a fixed machine, reported as
 * JSON (which must parse), and asked for per-product cutoffs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_judge.h"
#include "bw_policy.h"
#include "bw_report.h"
#include "fuzz_snapshot.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bw_snapshot *machine;

static void check_list(const char *what, const bw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        FZ_CHECK(l->items[i] != NULL, "%s[%zu] is NULL", what, i);
        FZ_CHECK(fz_utf8_valid(l->items[i], strlen(l->items[i])), "%s[%zu] is not UTF-8", what,
                 i);
    }
}

static void check_policy(const bw_policy *p)
{
    FZ_CHECK(p->name && *p->name, "no policy name");
    FZ_CHECK(p->version && *p->version, "no version");
    FZ_CHECK(p->vendor && *p->vendor, "no vendor name");
    FZ_CHECK(fz_utf8_valid(p->name, strlen(p->name)), "name is not UTF-8");
    FZ_CHECK(fz_utf8_valid(p->vendor, strlen(p->vendor)), "vendor is not UTF-8");
    FZ_CHECK(p->mode == BW_MODE_AUDIT || p->mode == BW_MODE_ENFORCE, "mode %d", (int)p->mode);
    FZ_CHECK(p->stale_after_days >= 1, "stale_after_days %u", (unsigned)p->stale_after_days);
    const struct {
        const char *what;
        const bw_strlist *l;
    } lists[] = {
        {"publishers", &p->publishers},
        {"products", &p->products},
        {"markers", &p->markers},
        {"paths", &p->paths},
        {"binaries", &p->binaries},
        {"services", &p->services},
        {"drivers", &p->drivers},
        {"generic_names", &p->generic_names},
        {"others", &p->others},
        {"name_suffixes", &p->name_suffixes},
        {"altitudes", &p->altitudes},
        {"class_filters", &p->class_filters},
        {"registry_roots", &p->registry_roots},
        {"registry_products", &p->registry_products},
        {"bases_paths", &p->bases_paths},
        {"ksn_services", &p->ksn_services},
        {"ksn_hosts", &p->ksn_hosts},
        {"cutoff_products", &p->cutoff_products},
        {"contain_allowlist", &p->contain_allowlist},
        {"contain_only", &p->contain_only},
        {"contain_drivers", &p->contain_drivers},
        {"contain_av_services", &p->contain_av_services},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        check_list(lists[i].what, lists[i].l);
    for (size_t i = 0; i < p->n_ksn_ports; i++)
        FZ_CHECK(p->ksn_ports[i] != 0, "port 0 at %zu", i);
    /* the first override whose glob matches the product wins */
    for (size_t i = 0; i < p->cutoff_products.n; i++) {
        const char *product = p->cutoff_products.items[i];
        int64_t want = p->cutoff;
        for (size_t k = 0; k < p->cutoff_products.n; k++) {
            if (bw_glob(p->cutoff_products.items[k], product)) {
                want = p->cutoff_times[k];
                break;
            }
        }
        FZ_CHECK(bw_policy_cutoff_for(p, product) == want, "cutoff of override %zu", i);
    }
    (void)bw_policy_cutoff_for(p, NULL);
    (void)bw_policy_cutoff_for(p, "AVP21.3");
}

/* The policy at work on a fixed machine. */
static void use_policy(const bw_policy *p)
{
    bw_judgement j = {0};
    FZ_CHECK(bw_judge(machine, p, 1727700000, p->mode, &j) == BW_OK, "judge failed");
    bw_buf out = {0};
    FZ_CHECK(bw_report_json(machine, p, &j, "policy", &out) == BW_OK, "report failed");
    fz_json_must_parse("the scan report", out.data, out.len, 0, NULL);
    bw_buf_free(&out);
    bw_judgement_free(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!machine)
        machine = fz_snapshot_sample();
    /* an exactly sized copy without a NUL after it: a read past the end is
     * caught */
    char *text = fz_need(malloc(size ? size : 1));
    memcpy(text, data, size);
    char err[600];
    /* a short message buffer now and then: the message is cut, not overrun */
    size_t errlen = size % 7 == 3 ? 9 : 512;
    memset(err, 'x', sizeof err);
    bw_policy *p = (bw_policy *)&err;
    bw_err e = bw_policy_parse(text, size, "fuzz.yaml", &p, err, errlen);
    if (e == BW_OK) {
        FZ_CHECK(p != NULL, "BW_OK without a policy");
        FZ_CHECK(err[0] == '\0', "BW_OK with a message: %.*s", (int)errlen, err);
        check_policy(p);
        use_policy(p);
        bw_policy_free(p);
    } else {
        FZ_CHECK(e == BW_EPARSE || e == BW_ENOMEM, "unexpected error %d", (int)e);
        FZ_CHECK(p == NULL, "a failed load left a policy");
        FZ_CHECK(memchr(err, '\0', errlen) != NULL, "the message is not terminated");
        FZ_CHECK(errlen < 10 || strncmp(err, "fuzz.yaml:", 10) == 0,
                 "the message does not name the file: %s", err);
        FZ_CHECK(err[errlen] == 'x', "the message overran its buffer");
    }
    free(text);
    return 0;
}
