/*
 * test_policy.c - unit tests of the policy loader (service/core/bw_policy.c)
 * and of the shipped default policy (policies/kaspersky.yaml).
 *
 * Error cases assert the exact "<origin>:<line>:<column>: <path>: <reason>"
 * text, so a message that points at the wrong node fails. Run natively under
 * ASan+UBSan (leaks included) and cross-compiled under Wine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_names.h"
#include "bw_policy.h"
#include "bw_str.h"

/* A minimal valid policy; extra lines start at line 5 and may continue the
 * vendor mapping (two-space indent) or add top-level keys. */
#define HEAD "policy: t\nversion: \"1\"\nvendor:\n  name: V\n"

static bw_policy *parse_ok(const char *yaml)
{
    char err[512];
    bw_policy *p = NULL;
    bw_err e = bw_policy_parse(yaml, strlen(yaml), "t.yaml", &p, err, sizeof err);
    if (e != BW_OK)
        print_error("unexpected error: %s\n", err);
    assert_int_equal(e, BW_OK);
    assert_non_null(p);
    assert_string_equal(err, "");
    return p;
}

/* Asserts that yaml fails with a message that starts with `want` (or is
 * exactly `want`). */
static void expect_error(const char *yaml, size_t len, const char *want, bool exact)
{
    char err[512];
    bw_policy *p = (bw_policy *)&err; /* must be reset to NULL */
    bw_err e = bw_policy_parse(yaml, len, "t.yaml", &p, err, sizeof err);
    assert_int_equal(e, BW_EPARSE);
    assert_null(p);
    if (exact ? strcmp(err, want) != 0 : strncmp(err, want, strlen(want)) != 0) {
        print_error("got:  %s\nwant: %s...\n", err, want);
        fail();
    }
}

#define EXPECT(yaml, want)       expect_error((yaml), strlen(yaml), (want), false)
#define EXPECT_EXACT(yaml, want) expect_error((yaml), strlen(yaml), (want), true)

static bool has(const bw_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

static long glob_any(const bw_strlist *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++)
        if (bw_glob(l->items[i], text))
            return (long)i;
    return -1;
}

/* ---- the shipped default policy ------------------------------------------ */

static bw_policy *load_default(void)
{
    char err[512];
    bw_policy *p = NULL;
    bw_err e = bw_policy_parse(bw_default_policy_text, bw_default_policy_len,
                               "policies/kaspersky.yaml", &p, err, sizeof err);
    if (e != BW_OK)
        print_error("%s\n", err);
    assert_int_equal(e, BW_OK);
    return p;
}

static void default_policy_parses(void **state)
{
    (void)state;
    assert_int_equal(strlen(bw_default_policy_text), bw_default_policy_len);
    bw_policy *p = load_default();
    assert_string_equal(p->name, "kaspersky");
    assert_string_equal(p->version, "2024.11.1");
    assert_non_null(p->description);
    assert_int_equal(p->cutoff, 1727582400);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    assert_string_equal(p->vendor, "Kaspersky");
    assert_int_equal(p->publishers.n, 4);
    assert_int_equal(p->products.n, 32);
    assert_int_equal(p->markers.n, 7);
    assert_int_equal(p->others.n, 10);
    assert_int_equal(p->paths.n, 3);
    assert_int_equal(p->binaries.n, 57);
    assert_int_equal(p->services.n, 20);
    assert_int_equal(p->drivers.n, 52);
    assert_int_equal(p->generic_names.n, 3);
    assert_int_equal(p->name_suffixes.n, 4);
    assert_int_equal(p->count_tiers,
                     BW_TIER_BIT(BW_TIER_CONFIRMED) | BW_TIER_BIT(BW_TIER_LIKELY));
    assert_non_null(p->removal);
    assert_int_equal(p->altitudes.n, 26);
    assert_int_equal(p->class_filters.n, 4);
    assert_int_equal(p->registry_roots.n, 2);
    assert_int_equal(p->bases_paths.n, 3);
    assert_string_equal(p->bases_paths.items[0], "%ProgramData%\\Kaspersky Lab\\AVP21.3\\Bases");
    assert_int_equal(p->registry_products.n, 9);
    assert_int_equal(p->ksn_services.n, 1);
    assert_int_equal(p->n_ksn_ports, 3);
    assert_int_equal(p->ksn_ports[0], 13111);
    assert_int_equal(p->ksn_ports[1], 15111);
    assert_int_equal(p->ksn_ports[2], 17111);
    assert_int_equal(p->ksn_hosts.n, 3);
    assert_int_equal(p->scan_interval, 3600);
    assert_int_equal(p->heartbeat_interval, 3600);
    assert_int_equal(p->change_debounce_ms, 500);
    bw_policy_free(p);
}

static void default_policy_values(void **state)
{
    (void)state;
    bw_policy *p = load_default();
    assert_true(has(&p->publishers, "Kaspersky Lab"));
    assert_true(has(&p->publishers, "Kaspersky"));
    assert_true(has(&p->publishers, "Лаборатория Касперского"));
    assert_true(has(&p->markers, "Kaspersky"));
    assert_true(has(&p->markers, "Касперск"));
    static const char *const alts[] = {
        "389510", "389500", "385815", "385810", "362902", "362901", "362900", "328650", "320450",
        "320350", "320440", "320430", "320420", "320410", "320401", "320400", "288900", "268300",
        "221500", "148810", "44900",  "148800", "138100", "100800", "44890",  "87200"};
    for (size_t i = 0; i < sizeof alts / sizeof alts[0]; i++)
        assert_true(has(&p->altitudes, alts[i]));
    assert_true(has(&p->class_filters, "klkbdflt"));
    assert_true(has(&p->class_filters, "klmouflt"));
    assert_true(has(&p->class_filters, "klfltdev"));
    assert_true(has(&p->registry_roots, "HKLM\\SOFTWARE\\KasperskyLab"));
    assert_true(has(&p->binaries, "avp.exe"));
    assert_true(has(&p->binaries, "klnagent.exe"));
    assert_true(has(&p->binaries, "vssbridge64.exe"));
    assert_true(has(&p->ksn_services, "ksnproxy"));
    /* No bare kl* driver glob among the distinctive names: other vendors
     * ship kl* drivers; the prefix is a generic name. */
    assert_false(has(&p->drivers, "kl*"));
    assert_true(has(&p->generic_names, "kl*"));
    assert_true(has(&p->name_suffixes, ".K4W-*"));
    assert_true(has(&p->others, "Kingsoft"));
    /* the Network Agent and the KSN proxy protect nothing: never held */
    assert_true(has(&p->contain_non_protecting, "klnagent"));
    assert_true(has(&p->contain_non_protecting, "ksnproxy"));
    /* ... but the anti-virus itself is no such service */
    for (size_t i = 0; i < p->contain_non_protecting.n; i++)
        assert_false(bw_glob(p->contain_non_protecting.items[i], "AVP.KES.12.3.0"));
    bw_policy_free(p);
}

/* The default policy's patterns, through bw_glob / bw_normalize as the
 * detection engine uses them. */
static void default_policy_matches(void **state)
{
    (void)state;
    bw_policy *p = load_default();
    static const char *const products_yes[] = {
        "Kaspersky",
        "Kaspersky Total Security 21.2",
        "Kaspersky Internet Security",
        "Kaspersky Anti-Virus",
        "Kaspersky Security Cloud - Free",
        "Kaspersky Standard",
        "Kaspersky Premium",
        "Kaspersky VPN Secure Connection",
        "Kaspersky Password Manager",
        "Kaspersky Safe Kids",
        "Kaspersky Small Office Security",
        "Kaspersky Endpoint Security for Windows",
        "Kaspersky Endpoint Security для Windows",
        "Kaspersky Security Center Network Agent",
        "Kaspersky Security Center 14 Administration Server",
        "Kaspersky Endpoint Agent",
        "Kaspersky Security for Windows Server",
        "Kaspersky Security 11.0.1 for Windows Server",
        "Kaspersky Security 11 for Windows Server Administration Tools",
        "Консоль администрирования Kaspersky Security Center 14.2.0.26967",
        "Kaspersky Endpoint Security 10 для Windows",
        "Parallels Internet Security Powered by Kaspersky",
        "Антивирус Касперского",
        "KAV for Windows File Servers",
        "Агент администрирования Kaspersky Security Center 14",
        "Agent d'administration de Kaspersky Security Center",
        "KASPERSKY ENDPOINT SECURITY FOR WINDOWS",
    };
    for (size_t i = 0; i < sizeof products_yes / sizeof products_yes[0]; i++) {
        if (glob_any(&p->products, products_yes[i]) < 0) {
            print_error("no product glob matches \"%s\"\n", products_yes[i]);
            fail();
        }
    }
    static const char *const products_no[] = {
        "Kasper Backup",
        "Kaspersky Removal Helper",
        "UltraAV",
        "UltraVPN",
        "Kasperskyish Tool",
        "My Kaspersky Notes",
        "Microsoft Defender Antivirus",
    };
    for (size_t i = 0; i < sizeof products_no / sizeof products_no[0]; i++) {
        long g = glob_any(&p->products, products_no[i]);
        if (g >= 0) {
            print_error("\"%s\" matches product glob \"%s\"\n", products_no[i],
                        p->products.items[g]);
            fail();
        }
    }

    /* Publishers compare by company key: quotes of every kind, legal forms,
     * punctuation, case, spaces. */
    static const char *const publishers_yes[] = {"AO Kaspersky Lab",
                                                 "Kaspersky Lab",
                                                 "Kaspersky Lab JSC",
                                                 "Kaspersky Lab ZAO",
                                                 "Kaspersky Lab.",
                                                 "  kaspersky  LAB ",
                                                 "Kaspersky",
                                                 "ZAO \"Kaspersky Lab\"",
                                                 "АО «Лаборатория Касперского»",
                                                 "АО \"Лаборатория Касперского\"",
                                                 "\"Лаборатория Касперского\"",
                                                 "ЗАО \"Лаборатория Касперского\"",
                                                 "„Лаборатория Касперского“"};
    for (size_t k = 0; k < sizeof publishers_yes / sizeof publishers_yes[0]; k++) {
        char *want = bw_company_key(publishers_yes[k]);
        bool found = false;
        for (size_t i = 0; i < p->publishers.n; i++) {
            char *n = bw_company_key(p->publishers.items[i]);
            found = found || (n && want && !strcmp(n, want));
            free(n);
        }
        if (!found) {
            print_error("publisher \"%s\" (key \"%s\") is not the vendor's\n", publishers_yes[k],
                        want ? want : "?");
            fail();
        }
        free(want);
    }
    for (size_t i = 0; i < p->publishers.n; i++) {
        assert_false(bw_icontains(p->publishers.items[i], "Pango"));
        assert_false(bw_icontains(p->publishers.items[i], "Ultra"));
    }

    static const char *const services_yes[] = {
        "AVP21.3",
        "AVP21.24",
        "AVP16.0.0",
        "AVP1",
        "AVP.KES.12",
        "avpsus.KES.12",
        "avpsus",
        "KSDE1.0.0",
        "KSDE2.0.0",
        "KAVFS",
        "KAVFSGT",
        "kavfsslp",
        "klnagent",
        "kladminserver",
        "klwebsrv",
        "KSCWebConsole",
        "KSCWebConsoleManagement",
        "MSSQL$KAV_CS_ADMIN_KIT",
        "AVP.KES.14.1",
        "avpsus.KES.14.1",
        "AVP21.25",
        "KSDE4.0",
        "klvssbridge64_21.25",
        "klnagent_klfoc",
        "klactprx",
    };
    for (size_t i = 0; i < sizeof services_yes / sizeof services_yes[0]; i++) {
        if (glob_any(&p->services, services_yes[i]) < 0) {
            print_error("no service glob matches \"%s\"\n", services_yes[i]);
            fail();
        }
    }
    static const char *const services_no[] = {"AVPX", "wuauserv", "klmyservice", "ksnproxy"};
    for (size_t i = 0; i < sizeof services_no / sizeof services_no[0]; i++)
        assert_true(glob_any(&p->services, services_no[i]) < 0);

    static const char *const drivers_yes[] = {
        "klif", "KLIF", "klhk", "klflt", "klim6", "klbackupflt", "klupd_klif_arkmon", "cm_km"};
    for (size_t i = 0; i < sizeof drivers_yes / sizeof drivers_yes[0]; i++)
        assert_true(glob_any(&p->drivers, drivers_yes[i]) >= 0);
    static const char *const drivers_no[] = {"klmfilter", "kl3", "klvendorx", "disk"};
    for (size_t i = 0; i < sizeof drivers_no / sizeof drivers_no[0]; i++)
        assert_true(glob_any(&p->drivers, drivers_no[i]) < 0);

    static const char *const keys_yes[] = {"AVP21.3",  "AVP",     "KES",   "KES11",
                                           "KES.11.6", "PURE3.0", "KSVLA", "WSEE"};
    for (size_t i = 0; i < sizeof keys_yes / sizeof keys_yes[0]; i++)
        assert_true(glob_any(&p->registry_products, keys_yes[i]) >= 0);
    static const char *const keys_no[] = {"Components", "protected", "AVPX", "KESTREL"};
    for (size_t i = 0; i < sizeof keys_no / sizeof keys_no[0]; i++)
        assert_true(glob_any(&p->registry_products, keys_no[i]) < 0);

    assert_true(glob_any(&p->paths, "\"C:\\Program Files (x86)\\Kaspersky Lab\\"
                                    "Kaspersky Total Security 21.2\\avp.exe\" -r") >= 0);
    assert_true(glob_any(&p->paths, "C:\\ProgramData\\KasperskyLab\\adminkit\\1103\\") >= 0);
    assert_true(glob_any(&p->paths, "C:\\Program Files\\Kasper Backup\\kb.exe") < 0);
    assert_true(glob_any(&p->ksn_hosts, "ksn-file-geo.kaspersky-labs.com") >= 0);
    assert_true(glob_any(&p->ksn_hosts, "dc1-3.ksn.kaspersky-labs.com") >= 0);
    assert_true(glob_any(&p->ksn_hosts, "www.kaspersky.com") < 0);
    bw_policy_free(p);
}

/* ---- successful parses ------------------------------------------------------ */

static void minimal_defaults(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD);
    assert_string_equal(p->name, "t");
    assert_string_equal(p->version, "1");
    assert_null(p->description);
    assert_int_equal(p->cutoff, 1727582400);
    assert_int_equal(p->mode, BW_MODE_AUDIT);
    assert_string_equal(p->vendor, "V");
    assert_int_equal(p->publishers.n, 0);
    assert_int_equal(p->ksn_services.n, 0);
    assert_null(p->ksn_ports);
    assert_int_equal(p->n_ksn_ports, 0);
    assert_int_equal(p->scan_interval, 3600);
    assert_int_equal(p->heartbeat_interval, 3600);
    assert_int_equal(p->change_debounce_ms, 500);
    bw_policy_free(p);
}

static void updates_section(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD);
    assert_int_equal(p->stale_after_days, 7);
    assert_int_equal(p->cutoff_products.n, 0);
    assert_true(bw_policy_cutoff_for(p, "AVP21.3") == INT64_C(1727582400));
    bw_policy_free(p);
    p = parse_ok(HEAD "updates:\n  stale_after_days: 14\n  cutoff_overrides:\n"
                      "    'KES*': 2024-10-01T00:00:00Z\n"
                      "    AVP21.3: 2024-09-30T00:00:00-04:00\n");
    assert_int_equal(p->stale_after_days, 14);
    assert_true(bw_policy_cutoff_for(p, "KES.12.3.0") == INT64_C(1727740800));
    assert_true(bw_policy_cutoff_for(p, "avp21.3") == INT64_C(1727668800));
    assert_true(bw_policy_cutoff_for(p, "PURE3.0") == INT64_C(1727582400));
    assert_true(bw_policy_cutoff_for(p, NULL) == INT64_C(1727582400));
    bw_policy_free(p);
    EXPECT(HEAD "updates:\n  stale_after_days: 0\n",
           "t.yaml:6:21: updates.stale_after_days: value 0 is out of range 1..3650");
    EXPECT(HEAD "updates:\n  cutoff_overrides:\n    KES: yesterday\n",
           "t.yaml:7:10: updates.cutoff_overrides.KES: invalid timestamp \"yesterday\"");
    EXPECT(HEAD "updates:\n  cutoff_overrides:\n    'KES[': 2024-10-01T00:00:00Z\n",
           "t.yaml:7:5: updates.cutoff_overrides.KES[: invalid pattern: unterminated '['");
    EXPECT(HEAD "updates:\n  cutoff_overrides: [KES]\n",
           "t.yaml:6:21: updates.cutoff_overrides: expected a mapping");
    EXPECT(HEAD "updates:\n  stale_days: 3\n", "t.yaml:6:3: updates.stale_days: unknown key");
}

static void service_timings(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD "service:\n  scan_interval: 600\n  heartbeat_interval: 86400\n"
                                 "  change_debounce_ms: 0\n");
    assert_int_equal(p->scan_interval, 600);
    assert_int_equal(p->heartbeat_interval, 86400);
    assert_int_equal(p->change_debounce_ms, 0);
    bw_policy_free(p);
    p = parse_ok(HEAD "service: {scan_interval: 5}\n");
    assert_int_equal(p->scan_interval, 5);
    assert_int_equal(p->heartbeat_interval, 3600);
    assert_int_equal(p->change_debounce_ms, 500);
    bw_policy_free(p);
    EXPECT(HEAD "service:\n  scan_interval: 0\n",
           "t.yaml:6:18: service.scan_interval: value 0 is out of range 1..604800");
    EXPECT(HEAD "service:\n  heartbeat_interval: 604801\n",
           "t.yaml:6:23: service.heartbeat_interval: value 604801 is out of range 1..604800");
    EXPECT(HEAD "service:\n  change_debounce_ms: 60001\n",
           "t.yaml:6:23: service.change_debounce_ms: value 60001 is out of range 0..60000");
    EXPECT(HEAD "service:\n  scan_interval: \"600\"\n",
           "t.yaml:6:18: service.scan_interval: expected an integer, got a string");
    EXPECT(HEAD "service:\n  scan_interval: 1h\n",
           "t.yaml:6:18: service.scan_interval: expected an integer, got a string");
    EXPECT(HEAD "service:\n  scan_intervall: 60\n",
           "t.yaml:6:3: service.scan_intervall: unknown key (did you mean \"scan_interval\"?)");
    EXPECT(HEAD "service: []\n", "t.yaml:5:10: service: expected a mapping, got a list");
    EXPECT(HEAD "service: {}\n", "t.yaml:5:10: service: empty mapping");
}

static void detection_section(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD);
    assert_int_equal(p->count_tiers, BW_TIERS_DEFAULT);
    bw_policy_free(p);
    p = parse_ok(HEAD "detection:\n  count_tiers: [possible, confirmed]\n");
    assert_int_equal(p->count_tiers,
                     BW_TIER_BIT(BW_TIER_CONFIRMED) | BW_TIER_BIT(BW_TIER_POSSIBLE));
    bw_policy_free(p);
    EXPECT_EXACT(HEAD "detection:\n  count_tiers: []\n",
                 "t.yaml:6:16: detection.count_tiers: expected a non-empty list of tiers "
                 "(confirmed, likely, possible), got an empty list");
    EXPECT_EXACT(HEAD "detection:\n  count_tiers: confirmed\n",
                 "t.yaml:6:16: detection.count_tiers: expected a non-empty list of tiers "
                 "(confirmed, likely, possible), got a string");
    EXPECT_EXACT(HEAD "detection:\n  count_tiers: [confirmed, maybe]\n",
                 "t.yaml:6:28: detection.count_tiers[1]: expected confirmed, likely or possible, "
                 "got \"maybe\"");
    EXPECT_EXACT(HEAD "detection:\n  count_tiers: [confirmed, 3]\n",
                 "t.yaml:6:28: detection.count_tiers[1]: expected confirmed, likely or possible, "
                 "got an integer");
    EXPECT_EXACT(HEAD "detection:\n  count_tiers: [confirmed, likely, confirmed]\n",
                 "t.yaml:6:36: detection.count_tiers[2]: \"confirmed\" is listed twice");
    EXPECT_EXACT(
        HEAD "detection:\n  count_tiers: [likely, possible]\n",
        "t.yaml:6:16: detection.count_tiers: must include confirmed (a confirmed finding "
        "always counts)");
    EXPECT_EXACT(HEAD "detection: {}\n",
                 "t.yaml:5:12: detection: empty mapping (leave the key out instead)");
}

static void containment_section(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD);
    assert_int_equal(p->contain_av_services.n, 1);
    assert_string_equal(p->contain_av_services.items[0], "WinDefend");
    assert_int_equal(p->contain_stop_timeout, 30);
    assert_false(p->contain_allow_unprotected);
    assert_false(p->contain_stop_dependents);
    assert_int_equal(p->contain_allowlist.n, 0);
    bw_policy_free(p);
    /* a given list replaces the default */
    p = parse_ok(HEAD
                 "containment:\n  antivirus_services: [ekrn, 'AVG*']\n"
                 "  allow_unprotected: true\n  stop_dependents: True\n  stop_timeout: 600\n");
    assert_int_equal(p->contain_av_services.n, 2);
    assert_string_equal(p->contain_av_services.items[0], "ekrn");
    assert_string_equal(p->contain_av_services.items[1], "AVG*");
    assert_true(p->contain_allow_unprotected);
    assert_true(p->contain_stop_dependents);
    assert_int_equal(p->contain_stop_timeout, 600);
    bw_policy_free(p);
    EXPECT_EXACT(HEAD "containment:\n  antivirus_services: []\n",
                 "t.yaml:6:23: containment.antivirus_services: empty list");
    EXPECT_EXACT(HEAD "containment:\n  stop_dependents: 1\n",
                 "t.yaml:6:20: containment.stop_dependents: expected true or false, got an "
                 "integer");
    EXPECT_EXACT(HEAD "containment:\n  stop_timeout: 601\n",
                 "t.yaml:6:17: containment.stop_timeout: value 601 is out of range 1..600");
    EXPECT_EXACT(HEAD "updates:\n  stale_after_days: 3651\n",
                 "t.yaml:6:21: updates.stale_after_days: value 3651 is out of range 1..3650");
}

/* The order of the checks (docs/policy.md, "Error messages"): within a
 * mapping the keys, then the required keys, then the values in the order
 * of the schema's tables, whatever the order in the document. */
static void check_order(void **state)
{
    (void)state;
    /* vendor: requires name, so an empty vendor mapping misses it */
    EXPECT_EXACT("policy: t\nversion: x\nvendor: {}\n",
                 "t.yaml:3:9: vendor: missing required key \"name\"");
    EXPECT_EXACT("{}\n", "t.yaml:1:1: missing required key \"policy\"");
    EXPECT_EXACT("policy: ~\nversion: x\n", "t.yaml:1:1: missing required key \"vendor\"");
    EXPECT_EXACT("policy: t\nversion: x\nvendor: {drivers: [], name: ~}\n",
                 "t.yaml:3:29: vendor.name: expected a string, got null");
    EXPECT_EXACT(HEAD "ksn: {ports: []}\nmode: x\n",
                 "t.yaml:6:7: mode: expected \"audit\" or \"enforce\", got \"x\"");
    EXPECT_EXACT(HEAD "containment: {stop_timeout: 0}\nservice: {scan_interval: 0}\n",
                 "t.yaml:6:26: service.scan_interval: value 0 is out of range 1..604800");
    EXPECT_EXACT(HEAD "updates:\n  cutoff_overrides:\n    KES: 2024-10-01T00:00:00Z\n"
                      "    'KES': 2024-10-02T00:00:00Z\n",
                 "t.yaml:8:5: updates.cutoff_overrides.KES: duplicate key (first at 7:5)");
    EXPECT_EXACT(HEAD "updates:\n  cutoff_overrides:\n    [KES]: 2024-10-01T00:00:00Z\n",
                 "t.yaml:7:5: updates.cutoff_overrides: expected a product pattern, got a list");
    EXPECT_EXACT(HEAD "updates:\n  cutoff_overrides: {}\n",
                 "t.yaml:6:21: updates.cutoff_overrides: empty mapping (leave the key out "
                 "instead)");
}

static const char block_style[] = "policy: k\n"
                                  "version: \"2.0\"\n"
                                  "mode: enforce\n"
                                  "vendor:\n"
                                  "  name: Kaspersky\n"
                                  "  publishers:\n"
                                  "    - AO Kaspersky Lab\n"
                                  "    - АО \"Лаборатория Касперского\"\n"
                                  "  services:\n"
                                  "    - AVP[0-9]*\n"
                                  "    - klnagent\n"
                                  "  altitudes:\n"
                                  "    - 320400\n"
                                  "    - \"389510\"\n"
                                  "  registry_roots:\n"
                                  "    - HKLM\\SOFTWARE\\KasperskyLab\n"
                                  "ksn:\n"
                                  "  ports:\n"
                                  "    - 13111\n"
                                  "    - 15111\n"
                                  "  hosts:\n"
                                  "    - ksn-*-geo.kaspersky-labs.com\n";

static const char flow_style[] =
    "{policy: k, version: '2.0', mode: enforce,\n"
    " vendor: {name: Kaspersky,\n"
    "          publishers: [AO Kaspersky Lab, 'АО \"Лаборатория Касперского\"'],\n"
    "          services: ['AVP[0-9]*', klnagent], altitudes: [320400, '389510'],\n"
    "          registry_roots: ['HKLM\\SOFTWARE\\KasperskyLab']},\n"
    " ksn: {ports: [13111, 15111], hosts: [ksn-*-geo.kaspersky-labs.com]}}\n";

static void check_styled(const bw_policy *p)
{
    assert_string_equal(p->name, "k");
    assert_string_equal(p->version, "2.0");
    assert_int_equal(p->mode, BW_MODE_ENFORCE);
    assert_string_equal(p->vendor, "Kaspersky");
    assert_int_equal(p->publishers.n, 2);
    assert_string_equal(p->publishers.items[0], "AO Kaspersky Lab");
    assert_string_equal(p->publishers.items[1], "АО \"Лаборатория Касперского\"");
    assert_int_equal(p->services.n, 2);
    assert_string_equal(p->services.items[0], "AVP[0-9]*");
    assert_string_equal(p->services.items[1], "klnagent");
    assert_int_equal(p->altitudes.n, 2);
    assert_string_equal(p->altitudes.items[0], "320400");
    assert_string_equal(p->altitudes.items[1], "389510");
    assert_int_equal(p->registry_roots.n, 1);
    assert_string_equal(p->registry_roots.items[0], "HKLM\\SOFTWARE\\KasperskyLab");
    assert_int_equal(p->n_ksn_ports, 2);
    assert_int_equal(p->ksn_ports[0], 13111);
    assert_int_equal(p->ksn_ports[1], 15111);
    assert_int_equal(p->ksn_hosts.n, 1);
    assert_string_equal(p->ksn_hosts.items[0], "ksn-*-geo.kaspersky-labs.com");
}

static void flow_and_block_styles(void **state)
{
    (void)state;
    bw_policy *b = parse_ok(block_style);
    check_styled(b);
    bw_policy_free(b);
    bw_policy *f = parse_ok(flow_style);
    check_styled(f);
    bw_policy_free(f);
}

static void non_ascii_survives(void **state)
{
    (void)state;
    bw_policy *p =
        parse_ok(HEAD "  products: [\"Агент администрирования Kaspersky Security Center*\",\n"
                      "             'Agent d''administration de Kaspersky Security Center*']\n"
                      "  markers: [Касперск, \"\\u041a\\u0430\"]\n"
                      "description: |\n"
                      "  Ligne 1 — «citation»\n"
                      "  日本語\n");
    assert_string_equal(p->products.items[0],
                        "Агент администрирования Kaspersky Security Center*");
    assert_string_equal(p->products.items[1],
                        "Agent d'administration de Kaspersky Security Center*");
    assert_string_equal(p->markers.items[0], "Касперск");
    assert_string_equal(p->markers.items[1], "Ка");
    assert_string_equal(p->description, "Ligne 1 — «citation»\n日本語\n");
    bw_policy_free(p);
}

static int64_t cutoff_of(const char *value)
{
    char yaml[256];
    snprintf(yaml, sizeof yaml, HEAD "cutoff: %s\n", value);
    bw_policy *p = parse_ok(yaml);
    int64_t t = p->cutoff;
    bw_policy_free(p);
    return t;
}

static void cutoff_values(void **state)
{
    (void)state;
    assert_int_equal(cutoff_of("2024-09-29T04:00:00Z"), 1727582400);
    assert_int_equal(cutoff_of("\"2024-09-29T04:00:00Z\""), 1727582400);
    assert_int_equal(cutoff_of("2024-09-29T00:00:00-04:00"), 1727582400);
    assert_int_equal(cutoff_of("2024-09-29T07:30:00+03:30"), 1727582400);
    assert_int_equal(cutoff_of("2024-09-29T04:00:00+00:00"), 1727582400);
    assert_int_equal(cutoff_of("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(cutoff_of("2024-02-29T00:00:00Z"), 1709164800);
    assert_int_equal(cutoff_of("2000-03-01T00:00:00Z"), 951868800);
    assert_int_equal(cutoff_of("2024-12-31T23:59:59Z"), 1735689599);
    /* an offset can move the date across a day and a year */
    assert_int_equal(cutoff_of("2025-01-01T01:00:00+02:00"), 1735686000);
}

static void numbers_as_text(void **state)
{
    (void)state;
    bw_policy *p =
        parse_ok("policy: t\nversion: 1.2\nvendor: {name: V, altitudes: [320400, 385100.5]}\n");
    assert_string_equal(p->version, "1.2");
    assert_string_equal(p->altitudes.items[0], "320400");
    assert_string_equal(p->altitudes.items[1], "385100.5");
    bw_policy_free(p);
    p = parse_ok("policy: t\nversion: 3\nvendor: {name: V}\n");
    assert_string_equal(p->version, "3");
    bw_policy_free(p);
    p = parse_ok("policy: t\nversion: !!str 1.10\nvendor: {name: V}\n");
    assert_string_equal(p->version, "1.10");
    bw_policy_free(p);
    /* a port written in hex is still a port */
    p = parse_ok(HEAD "ksn: {ports: [0x3333, 65535, 1]}\n");
    assert_int_equal(p->ksn_ports[0], 13107);
    assert_int_equal(p->ksn_ports[1], 65535);
    assert_int_equal(p->ksn_ports[2], 1);
    bw_policy_free(p);
}

/* A bare ".nan" is a number and a signed one is text (YAML core schema);
 * telling them apart must not read the byte before the value (it was a
 * heap under-read for ".nan" alone). */
static void nan_without_sign(void **state)
{
    (void)state;
    EXPECT(HEAD "description: .nan\n",
           "t.yaml:5:14: description: expected a string, got a number");
    EXPECT(HEAD "description: .NaN\n",
           "t.yaml:5:14: description: expected a string, got a number");
    EXPECT(HEAD "description: !!float .NAN\n",
           "t.yaml:5:14: description: expected a string, got a number");
    bw_policy *p = parse_ok(HEAD "description: -.nan\n");
    assert_string_equal(p->description, "-.nan");
    bw_policy_free(p);
    p = parse_ok(HEAD "description: +.NaN\n");
    assert_string_equal(p->description, "+.NaN");
    bw_policy_free(p);
    EXPECT(HEAD "description: !!float -.nan\n",
           "t.yaml:5:14: value \"-.nan\" does not fit its tag !!float");
}

static void registry_roots_normalised(void **state)
{
    (void)state;
    bw_policy *p = parse_ok(HEAD "  registry_roots:\n"
                                 "    - HKEY_LOCAL_MACHINE\\SOFTWARE\\KasperskyLab\n"
                                 "    - hklm\\SOFTWARE\\KasperskyLab\\protected\n"
                                 "    - HKEY_USERS\\.DEFAULT\\Software\\KasperskyLab\n"
                                 "    - HKU\\S-1-5-18\\Software\\KasperskyLab\n"
                                 "    - HKEY_USERS\\*\\Software\\KasperskyLab\n");
    assert_string_equal(p->registry_roots.items[0], "HKLM\\SOFTWARE\\KasperskyLab");
    assert_string_equal(p->registry_roots.items[1], "HKLM\\SOFTWARE\\KasperskyLab\\protected");
    assert_string_equal(p->registry_roots.items[2], "HKU\\.DEFAULT\\Software\\KasperskyLab");
    assert_string_equal(p->registry_roots.items[3], "HKU\\S-1-5-18\\Software\\KasperskyLab");
    /* every user's hive */
    assert_string_equal(p->registry_roots.items[4], "HKU\\*\\Software\\KasperskyLab");
    bw_policy_free(p);
}

static void globs_accepted(void **state)
{
    (void)state;
    bw_policy *p =
        parse_ok(HEAD "  paths: ['*\\Kaspersky Lab\\*', 'C:\\x\\[ab]\\y', '\\*literal\\?']\n"
                      "  services: ['AVP[0-9]*', 'k[!a-c]x', 'x[]]y', 'a[-z]', "
                      "'[Кк]асп*', 'MSSQL$KAV_CS_ADMIN_KIT']\n");
    assert_int_equal(p->paths.n, 3);
    assert_int_equal(p->services.n, 6);
    bw_policy_free(p);
}

static void bom_and_comments(void **state)
{
    (void)state;
    bw_policy *p = parse_ok("\xEF\xBB\xBF# comment\n" HEAD "# trailing\n");
    assert_string_equal(p->name, "t");
    bw_policy_free(p);
    /* positions after a BOM are not shifted */
    EXPECT_EXACT("\xEF\xBB\xBF" HEAD "bogus: 1\n", "t.yaml:5:1: bogus: unknown key");
}

static void explicit_document_markers(void **state)
{
    (void)state;
    bw_policy *p = parse_ok("%YAML 1.1\n---\n" HEAD "...\n");
    assert_string_equal(p->vendor, "V");
    bw_policy_free(p);
}

/* ---- errors: exact origin:line:column ----------------------------------- */

static void error_syntax(void **state)
{
    (void)state;
    EXPECT("policy: [a, b\nversion: x\n",
           "t.yaml:2:8: syntax error: did not find expected ',' or ']' (while parsing a flow "
           "sequence at 1:9)");
    EXPECT(HEAD "  drivers: klif\n   bad: x\n",
           "t.yaml:6:7: syntax error: mapping values are not allowed in this context");
    EXPECT("policy: \"open\nversion: x\n",
           "t.yaml:3:1: syntax error: found unexpected end of stream (while scanning a quoted "
           "scalar at 1:9)");
}

/* A tab in indentation: the hint, at the tab, whatever libyaml calls it. */
static void error_tab_indent(void **state)
{
    (void)state;
    EXPECT_EXACT("policy: t\n\tversion: x\n",
                 "t.yaml:2:1: tabs are not allowed in YAML indentation; use spaces (syntax "
                 "error: found a tab character that violates indentation)");
    EXPECT(HEAD "  drivers:\n  \t- klif\n",
           "t.yaml:6:3: tabs are not allowed in YAML indentation; use spaces");
    EXPECT(HEAD "\tmarkers: [x]\n",
           "t.yaml:5:1: tabs are not allowed in YAML indentation; use spaces");
    EXPECT("policy: t\r\nversion: \"1\"\r\nvendor:\r\n \tname: V\r\n",
           "t.yaml:4:2: tabs are not allowed in YAML indentation; use spaces");
    /* a tab elsewhere is no indentation: the plain syntax error */
    EXPECT("policy: [a,\tb\nversion: x\n", "t.yaml:2:8: syntax error: did not find");
}

static void error_unknown_keys(void **state)
{
    (void)state;
    EXPECT(HEAD "vendr: x\n", "t.yaml:5:1: vendr: unknown key (did you mean \"vendor\"?)");
    EXPECT_EXACT(HEAD "colour: red\n", "t.yaml:5:1: colour: unknown key");
    EXPECT(HEAD "  drivres: [klif]\n",
           "t.yaml:5:3: vendor.drivres: unknown key (did you mean \"drivers\"?)");
    EXPECT(HEAD "ksn:\n  port: [13111]\n",
           "t.yaml:6:3: ksn.port: unknown key (did you mean \"ports\"?)");
    EXPECT(HEAD "  Name: W\n", "t.yaml:5:3: vendor.Name: unknown key (did you mean \"name\"?)");
    EXPECT(HEAD "  [a]: b\n", "t.yaml:5:3: vendor: expected a key name, got a list");
}

static void error_wrong_types(void **state)
{
    (void)state;
    EXPECT(HEAD "  drivers:\n    klif: x\n",
           "t.yaml:6:5: vendor.drivers: expected a list of strings, got a mapping");
    EXPECT(HEAD "  drivers: klif\n",
           "t.yaml:5:12: vendor.drivers: expected a list of strings, got a string");
    EXPECT(HEAD "  drivers:\n",
           "t.yaml:5:11: vendor.drivers: expected a list of strings, got null");
    EXPECT("policy: [a]\nversion: x\nvendor: {name: V}\n",
           "t.yaml:1:9: policy: expected a string, got a list");
    EXPECT("policy: t\nversion: true\nvendor: {name: V}\n",
           "t.yaml:2:10: version: expected a string, got a boolean");
    EXPECT("policy: t\nversion: x\nvendor: [a]\n",
           "t.yaml:3:9: vendor: expected a mapping, got a list");
    EXPECT(HEAD "  drivers: [a, [b]]\n",
           "t.yaml:5:16: vendor.drivers[1]: expected a string, got a list");
    EXPECT(HEAD "  drivers:\n    - a\n    - {b: c}\n",
           "t.yaml:7:7: vendor.drivers[1]: expected a string, got a mapping");
    EXPECT(HEAD "  publishers: [Kaspersky, 42]\n",
           "t.yaml:5:27: vendor.publishers[1]: expected a string, got an integer");
    EXPECT(HEAD "ksn: [13111]\n", "t.yaml:5:6: ksn: expected a mapping, got a list");
    EXPECT(HEAD "ksn: {}\n", "t.yaml:5:6: ksn: empty mapping");
    EXPECT(HEAD "description: 12\n",
           "t.yaml:5:14: description: expected a string, got an integer");
    EXPECT(HEAD "mode: ~\n", "t.yaml:5:7: mode: expected a string, got null");
    EXPECT("- a\n- b\n", "t.yaml:1:1: expected a mapping at the top level, got a list");
    EXPECT("just text\n", "t.yaml:1:1: expected a mapping at the top level, got a string");
    EXPECT("", "t.yaml:1:1: empty policy");
    EXPECT("# only a comment\n", "t.yaml:1:1: empty policy");
}

static void error_ports(void **state)
{
    (void)state;
    EXPECT(HEAD "ksn:\n  ports: [13111, \"15111\", 17111]\n",
           "t.yaml:6:18: ksn.ports[1]: expected a port number, got a string");
    EXPECT(HEAD "ksn:\n  ports: [0]\n",
           "t.yaml:6:11: ksn.ports[0]: port 0 is out of range 1..65535");
    EXPECT(HEAD "ksn:\n  ports:\n    - 443\n    - 65536\n",
           "t.yaml:8:7: ksn.ports[1]: port 65536 is out of range 1..65535");
    EXPECT(HEAD "ksn:\n  ports: [-1]\n", "t.yaml:6:11: ksn.ports[0]: port -1 is out of range");
    EXPECT(HEAD "ksn:\n  ports: [99999999999999999999]\n",
           "t.yaml:6:11: ksn.ports[0]: port 99999999999999999999 is out of range");
    EXPECT(HEAD "ksn:\n  ports: [13111.5]\n",
           "t.yaml:6:11: ksn.ports[0]: expected a port number, got a number");
    EXPECT(HEAD "ksn:\n  ports: 13111\n",
           "t.yaml:6:10: ksn.ports: expected a list of port numbers, got an integer");
    EXPECT(HEAD "ksn:\n  ports: []\n", "t.yaml:6:10: ksn.ports: empty list");
}

static void error_empty_values(void **state)
{
    (void)state;
    EXPECT(HEAD "  drivers: []\n", "t.yaml:5:12: vendor.drivers: empty list");
    EXPECT(HEAD "  drivers: [klif, \"\"]\n", "t.yaml:5:19: vendor.drivers[1]: empty string");
    EXPECT(HEAD "  markers: ['  ']\n", "t.yaml:5:13: vendor.markers[0]: empty string");
    EXPECT(HEAD "  drivers:\n    - klif\n    -\n",
           "t.yaml:7:6: vendor.drivers[1]: expected a string, got null");
    EXPECT("policy: ''\nversion: x\nvendor: {name: V}\n", "t.yaml:1:9: policy: empty string");
    EXPECT("policy: t\nversion: x\nvendor: {name: \"\"}\n",
           "t.yaml:3:16: vendor.name: empty string");
    EXPECT(HEAD "  drivers: [\"kl\\tif\"]\n",
           "t.yaml:5:13: vendor.drivers[0]: control character U+0009 in a string");
}

static void error_duplicate_keys(void **state)
{
    (void)state;
    EXPECT("policy: a\npolicy: b\nversion: x\nvendor: {name: V}\n",
           "t.yaml:2:1: policy: duplicate key (first at 1:1)");
    EXPECT(HEAD "  drivers: [a]\n  drivers: [b]\n",
           "t.yaml:6:3: vendor.drivers: duplicate key (first at 5:3)");
    EXPECT(HEAD "ksn: {ports: [1], hosts: [h], ports: [2]}\n",
           "t.yaml:5:31: ksn.ports: duplicate key (first at 5:7)");
    /* a quoted key names the same key */
    EXPECT(HEAD "\"mode\": audit\nmode: enforce\n",
           "t.yaml:6:1: mode: duplicate key (first at 5:1)");
}

static void error_cutoff(void **state)
{
    (void)state;
    EXPECT(HEAD "cutoff: 2024-09-29 04:00:00Z\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-09-29 04:00:00Z\": expected "
           "YYYY-MM-DDTHH:MM:SS followed by Z or an offset");
    EXPECT(HEAD "cutoff: 2024-09-29T04:00:00\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-09-29T04:00:00\": expected");
    EXPECT(HEAD "cutoff: 2024-09-29T04:00:00+0400\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-09-29T04:00:00+0400\": expected Z or an "
           "offset");
    EXPECT(HEAD "cutoff: 2024-13-29T04:00:00Z\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-13-29T04:00:00Z\": the month is out of "
           "range");
    EXPECT(HEAD "cutoff: 2023-02-29T04:00:00Z\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2023-02-29T04:00:00Z\": the day is out of "
           "range");
    EXPECT(HEAD "cutoff: 2024-09-29T24:00:00Z\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-09-29T24:00:00Z\": the time of day");
    EXPECT(HEAD "cutoff: 2024-09-29T04:00:00+24:00\n",
           "t.yaml:5:9: cutoff: invalid timestamp \"2024-09-29T04:00:00+24:00\": the offset");
    EXPECT(HEAD "cutoff: 2024-09-29T04:00:00.5Z\n", "t.yaml:5:9: cutoff: invalid timestamp");
    EXPECT(HEAD "cutoff: 1727582400\n", "t.yaml:5:9: cutoff: expected a string, got an integer");
}

static void error_mode(void **state)
{
    (void)state;
    EXPECT(HEAD "mode: Enforce\n",
           "t.yaml:5:7: mode: expected \"audit\" or \"enforce\", got \"Enforce\"");
    EXPECT(HEAD "mode: [audit]\n", "t.yaml:5:7: mode: expected a string, got a list");
}

static void error_utf8(void **state)
{
    (void)state;
    EXPECT(HEAD "description: \"ab\xff\"\n", "t.yaml:5:17: invalid UTF-8 (byte 0xFF)");
    /* columns count characters: é is one column */
    EXPECT(HEAD "description: \"é\xc3\"\n", "t.yaml:5:16: invalid UTF-8 (byte 0xC3)");
    /* overlong encoding of '/' and an encoded surrogate */
    EXPECT("policy: \xc0\xaf\n", "t.yaml:1:9: invalid UTF-8 (byte 0xC0)");
    EXPECT("policy: t\r\nversion: \xed\xa0\x80\r\n", "t.yaml:2:10: invalid UTF-8 (byte 0xED)");
    /* NEL, LS and PS end a line as libyaml counts them */
    EXPECT(HEAD "description: \"a\xc2\x85"
                "b\xff\"\n",
           "t.yaml:6:2: invalid UTF-8 (byte 0xFF)");
    EXPECT(HEAD "description: \"a\xe2\x80\xa8\xe2\x80\xa9"
                "bc\xf5\"\n",
           "t.yaml:7:3: invalid UTF-8 (byte 0xF5)");
    /* a NUL byte in the text, and one made by an escape */
    static const char nul[] = "policy: t\nversion: a\0b\nvendor: {name: V}\n";
    expect_error(nul, sizeof nul - 1,
                 "t.yaml:2:11: invalid input: control characters are not allowed", true);
    EXPECT(HEAD "  markers: [\"a\\0b\"]\n", "t.yaml:5:13: NUL character in a value");
}

static void error_missing_required(void **state)
{
    (void)state;
    EXPECT("version: x\nvendor: {name: V}\n", "t.yaml:1:1: missing required key \"policy\"");
    EXPECT("# header\n\npolicy: t\nvendor: {name: V}\n",
           "t.yaml:3:1: missing required key \"version\"");
    EXPECT("policy: t\nversion: x\n", "t.yaml:1:1: missing required key \"vendor\"");
    EXPECT("policy: t\nversion: x\nvendor:\n  publishers: [Kaspersky]\n",
           "t.yaml:4:3: vendor: missing required key \"name\"");
    EXPECT("policy: t\nversion: x\nvendor: {publishers: [Kaspersky]}\n",
           "t.yaml:3:9: vendor: missing required key \"name\"");
}

static void error_registry_roots(void **state)
{
    (void)state;
    EXPECT(HEAD "  registry_roots: ['HKCU\\Software\\KasperskyLab']\n",
           "t.yaml:5:20: vendor.registry_roots[0]: \"HKCU\\Software\\KasperskyLab\" must start "
           "with HKLM\\ or HKU\\");
    EXPECT(HEAD "  registry_roots:\n    - SOFTWARE\\KasperskyLab\n",
           "t.yaml:6:7: vendor.registry_roots[0]: \"SOFTWARE\\KasperskyLab\" must start");
    EXPECT(HEAD "  registry_roots: ['HKLM\\']\n",
           "t.yaml:5:20: vendor.registry_roots[0]: \"HKLM\\\" has an empty key name");
    EXPECT(
        HEAD "  registry_roots: ['HKLM\\SOFTWARE\\\\KasperskyLab']\n",
        "t.yaml:5:20: vendor.registry_roots[0]: \"HKLM\\SOFTWARE\\\\KasperskyLab\" has an empty");
    EXPECT(
        HEAD "  registry_roots: ['HKU\\S-1-*\\Software\\KasperskyLab']\n",
        "t.yaml:5:20: vendor.registry_roots[0]: \"HKU\\S-1-*\\Software\\KasperskyLab\" is a key "
        "path, not a pattern");
    EXPECT(
        HEAD "  registry_roots: ['HKLM\\*\\KasperskyLab']\n",
        "t.yaml:5:20: vendor.registry_roots[0]: \"HKLM\\*\\KasperskyLab\" is a key path, not a "
        "pattern");
    EXPECT(HEAD "  registry_roots: ['HKU\\*\\Software\\Kasper*']\n",
           "t.yaml:5:20: vendor.registry_roots[0]: \"HKU\\*\\Software\\Kasper*\" is a key path, "
           "not a pattern");
}

static void error_globs(void **state)
{
    (void)state;
    EXPECT(HEAD "  services: [klnagent, 'AVP[0-9']\n",
           "t.yaml:5:24: vendor.services[1]: invalid pattern \"AVP[0-9\": unterminated '['");
    EXPECT(HEAD "  services:\n    - klnagent\n    - AVP[0-9\n",
           "t.yaml:7:7: vendor.services[1]: invalid pattern \"AVP[0-9\": unterminated '['");
    EXPECT(HEAD "  products: ['Kaspersky [z-a]']\n",
           "t.yaml:5:14: vendor.products[0]: invalid pattern \"Kaspersky [z-a]\": range in "
           "'[...]' goes backwards");
    EXPECT(HEAD "  drivers: ['kl[]']\n",
           "t.yaml:5:13: vendor.drivers[0]: invalid pattern \"kl[]\": unterminated");
    EXPECT(
        HEAD "  paths: ['*\\Kaspersky Lab\\x[']\n",
        "t.yaml:5:11: vendor.paths[0]: invalid pattern \"*\\Kaspersky Lab\\x[\": unterminated");
    /* there is no escape character: '\' before '[' does not hide the class */
    EXPECT(
        HEAD "  paths: ['*\\Kaspersky Lab\\[x']\n",
        "t.yaml:5:11: vendor.paths[0]: invalid pattern \"*\\Kaspersky Lab\\[x\": unterminated");
    /* a literal '[' is a one-character class */
    bw_policy *p = parse_ok(HEAD "  paths: ['*\\Kaspersky Lab\\[[]x']\n");
    assert_string_equal(p->paths.items[0], "*\\Kaspersky Lab\\[[]x");
    bw_policy_free(p);
    EXPECT(
        HEAD "  registry_products: ['AVP[']\n",
        "t.yaml:5:23: vendor.registry_products[0]: invalid pattern \"AVP[\": unterminated '['");
    EXPECT(HEAD "ksn:\n  hosts: ['ksn-[a.kaspersky.com']\n",
           "t.yaml:6:11: ksn.hosts[0]: invalid pattern");
    EXPECT(HEAD "ksn:\n  services: ['ksn[']\n", "t.yaml:6:14: ksn.services[0]: invalid pattern");
}

static void error_names_and_altitudes(void **state)
{
    (void)state;
    EXPECT(HEAD "  binaries: [avp.exe, 'C:\\x\\avp.exe']\n",
           "t.yaml:5:23: vendor.binaries[1]: \"C:\\x\\avp.exe\": expected a file name without a "
           "directory");
    EXPECT(HEAD "  binaries: ['avp*.exe']\n",
           "t.yaml:5:14: vendor.binaries[0]: \"avp*.exe\": expected a name, not a pattern");
    EXPECT(HEAD "  class_filters: ['kl*']\n",
           "t.yaml:5:19: vendor.class_filters[0]: \"kl*\": expected a name, not a pattern");
    EXPECT(HEAD "  altitudes: [320400, abc]\n",
           "t.yaml:5:23: vendor.altitudes[1]: \"abc\" is not an altitude");
    EXPECT(HEAD "  altitudes: [-5]\n",
           "t.yaml:5:15: vendor.altitudes[0]: \"-5\" is not an altitude");
    EXPECT(HEAD "  altitudes: [true]\n",
           "t.yaml:5:15: vendor.altitudes[0]: expected a string, got a boolean");
}

static void error_yaml_features(void **state)
{
    (void)state;
    EXPECT(HEAD "  markers: &m [Kaspersky]\n  publishers: *m\n",
           "t.yaml:6:15: aliases (*m) are not supported");
    EXPECT(HEAD "---\npolicy: u\n", "t.yaml:5:1: only one YAML document is allowed");
    EXPECT("policy: !custom t\nversion: x\nvendor: {name: V}\n",
           "t.yaml:1:9: unsupported tag \"!custom\"");
    EXPECT("policy: t\nversion: !!int x\nvendor: {name: V}\n",
           "t.yaml:2:10: value \"x\" does not fit its tag !!int");
    EXPECT(HEAD "  drivers: !!map [a]\n",
           "t.yaml:5:12: unsupported tag \"tag:yaml.org,2002:map\"");
    char deep[256] = HEAD "  drivers: ";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    strcat(deep, "\n");
    EXPECT(deep, "t.yaml:5:");
    char *hit = NULL;
    char err[512];
    bw_policy *p = NULL;
    assert_int_equal(bw_policy_parse(deep, strlen(deep), "t.yaml", &p, err, sizeof err),
                     BW_EPARSE);
    hit = strstr(err, "nested too deeply");
    assert_non_null(hit);
}

/* ---- API edges -------------------------------------------------------------- */

static void api_edges(void **state)
{
    (void)state;
    bw_policy_free(NULL);

    /* errlen 0: nothing is written */
    char err[8] = "xxxxxxx";
    bw_policy *p = NULL;
    assert_int_equal(bw_policy_parse("x: 1\n", 5, "t.yaml", &p, err, 0), BW_EPARSE);
    assert_string_equal(err, "xxxxxxx");
    assert_null(p);

    /* a short buffer is truncated, still terminated */
    assert_int_equal(bw_policy_parse("x: 1\n", 5, "t.yaml", &p, err, sizeof err), BW_EPARSE);
    assert_string_equal(err, "t.yaml:");

    /* the origin defaults; the text needs no terminator */
    char big[256];
    assert_int_equal(bw_policy_parse("x: 1\nGARBAGE", 5, NULL, &p, big, sizeof big), BW_EPARSE);
    assert_string_equal(big, "<policy>:1:1: x: unknown key");

    assert_int_equal(bw_policy_parse(NULL, 3, "t", &p, big, sizeof big), BW_EINVAL);
    assert_int_equal(bw_policy_parse(HEAD, strlen(HEAD), "t", NULL, big, sizeof big), BW_EINVAL);
    assert_int_equal(bw_policy_parse(NULL, 0, "t", &p, big, sizeof big), BW_EPARSE);
    assert_string_equal(big, "t:1:1: empty policy: expected a mapping with the keys policy, "
                             "version and vendor");
}

/* ---- fixture files ------------------------------------------------------------ */

static char *read_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/policies/%s", BW_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        print_error("cannot open %s\n", path);
        return NULL;
    }
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static void fixture_files(void **state)
{
    (void)state;
    size_t len;
    char err[512];
    bw_policy *p = NULL;

    char *text = read_fixture("good-flow.yaml", &len);
    assert_non_null(text);
    assert_int_equal(bw_policy_parse(text, len, "good-flow.yaml", &p, err, sizeof err), BW_OK);
    assert_string_equal(p->name, "flow-example");
    assert_int_equal(p->mode, BW_MODE_ENFORCE);
    assert_int_equal(p->cutoff, 1727582400);
    assert_int_equal(p->n_ksn_ports, 1);
    assert_string_equal(p->publishers.items[1], "АО \"Лаборатория Касперского\"");
    bw_policy_free(p);
    free(text);

    text = read_fixture("bad-driver-map.yaml", &len);
    assert_non_null(text);
    assert_int_equal(bw_policy_parse(text, len, "bad-driver-map.yaml", &p, err, sizeof err),
                     BW_EPARSE);
    assert_string_equal(err, "bad-driver-map.yaml:12:5: vendor.drivers: expected a list of "
                             "strings, got a mapping");
    free(text);

    text = read_fixture("bad-glob.yaml", &len);
    assert_non_null(text);
    assert_int_equal(bw_policy_parse(text, len, "bad-glob.yaml", &p, err, sizeof err), BW_EPARSE);
    assert_string_equal(err, "bad-glob.yaml:9:7: vendor.services[2]: invalid pattern "
                             "\"KSDE[0-9*\": unterminated '['");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_policy_parses),
        cmocka_unit_test(default_policy_values),
        cmocka_unit_test(default_policy_matches),
        cmocka_unit_test(minimal_defaults),
        cmocka_unit_test(updates_section),
        cmocka_unit_test(service_timings),
        cmocka_unit_test(detection_section),
        cmocka_unit_test(containment_section),
        cmocka_unit_test(check_order),
        cmocka_unit_test(flow_and_block_styles),
        cmocka_unit_test(non_ascii_survives),
        cmocka_unit_test(cutoff_values),
        cmocka_unit_test(numbers_as_text),
        cmocka_unit_test(nan_without_sign),
        cmocka_unit_test(registry_roots_normalised),
        cmocka_unit_test(globs_accepted),
        cmocka_unit_test(bom_and_comments),
        cmocka_unit_test(explicit_document_markers),
        cmocka_unit_test(error_syntax),
        cmocka_unit_test(error_tab_indent),
        cmocka_unit_test(error_unknown_keys),
        cmocka_unit_test(error_wrong_types),
        cmocka_unit_test(error_ports),
        cmocka_unit_test(error_empty_values),
        cmocka_unit_test(error_duplicate_keys),
        cmocka_unit_test(error_cutoff),
        cmocka_unit_test(error_mode),
        cmocka_unit_test(error_utf8),
        cmocka_unit_test(error_missing_required),
        cmocka_unit_test(error_registry_roots),
        cmocka_unit_test(error_globs),
        cmocka_unit_test(error_names_and_altitudes),
        cmocka_unit_test(error_yaml_features),
        cmocka_unit_test(api_edges),
        cmocka_unit_test(fixture_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
