/* test_store.c - unit tests for the state database (bw_store*.c): changes
 * between scans, incomplete scans, alerts across restarts, corrupt and
 * newer databases. Files live in a directory the test creates (under
 * TMPDIR or /tmp natively, under the working directory on Windows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define make_dir(p) _mkdir(p)
#define pid()       _getpid()
#else
#include <unistd.h>
#define make_dir(p) mkdir((p), 0700)
#define pid()       getpid()
#endif

#include <sqlite3.h>

#include "bw_alert.h"
#include "bw_store.h"

static char dir[512];

#define T0 INT64_C(1727600000)

static int setup_dir(void **state)
{
    (void)state;
#ifdef _WIN32
    const char *base = ".";
#else
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
#endif
    snprintf(dir, sizeof dir, "%s/bw-test-store-%d", base, (int)pid());
    return make_dir(dir) == 0 ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

/* What schemas 6 and 5 added, so that older databases can be made from a
 * new one. */
#define UNDO_V6                                                                   \
    "DROP INDEX alerts_unsent; ALTER TABLE alerts DROP COLUMN sent;"              \
    " ALTER TABLE alerts DROP COLUMN line_hash; ALTER TABLE verdicts DROP COLUMN" \
    " alert_id;"
#define UNDO_V5                                                                    \
    UNDO_V6                                                                        \
    "ALTER TABLE findings DROP COLUMN tier; ALTER TABLE changes DROP COLUMN tier;" \
    " ALTER TABLE changes DROP COLUMN old_tier; DROP TABLE state; DROP TABLE verdicts;"

/* A fresh database path for one test. */
static const char *db_path(const char *name)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/%s.db", dir, name);
    return p;
}

/* Number of files in the directory whose name starts with prefix. */
static int count_files(const char *prefix)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static bw_store *open_ok(const char *path)
{
    bw_store *s = NULL;
    bool recreated = true;
    char err[512];
    bw_err e = bw_store_open(path, &s, &recreated, err, sizeof err);
    if (e != BW_OK)
        print_error("open: %s\n", err);
    assert_int_equal(e, BW_OK);
    assert_non_null(s);
    assert_false(recreated);
    assert_string_equal(err, "");
    return s;
}

static void add_finding(bw_findings *f, bw_kind kind, const char *name, const char *version,
                        const char *display_name)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->items = realloc(f->items, f->cap * sizeof *f->items);
        assert_non_null(f->items);
    }
    bw_finding *x = &f->items[f->n++];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->name = bw_strdup(name);
    x->display_name = bw_strdup(display_name);
    x->publisher = kind == BW_KIND_PRODUCT ? bw_strdup("AO Kaspersky Lab") : NULL;
    x->version = bw_strdup(version);
    x->source =
        kind == BW_KIND_PRODUCT
            ? bw_strfmt("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\%s", name)
            : bw_strfmt("HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", name);
    x->rule = bw_strfmt("rule[%s]", name);
    x->tier = BW_TIER_CONFIRMED;
}

/* The three findings most tests start from. */
static void base_findings(bw_findings *f)
{
    memset(f, 0, sizeof *f);
    add_finding(f, BW_KIND_PRODUCT, "{KES-11}", "11.11.0.452",
                "Kaspersky Endpoint Security for Windows");
    add_finding(f, BW_KIND_SERVICE, "AVP", NULL, "Kaspersky Endpoint Security Service");
    add_finding(f, BW_KIND_DRIVER, "klif", NULL, "Kaspersky Lab Driver");
}

static bw_scan_meta meta(bool complete)
{
    static const bw_gap gap = {.where = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif",
                               .reason = "access denied (5)",
                               .hides = BW_HIDES_SERVICES};
    bw_scan_meta m = {.host = "WS-01",
                      .policy_name = "kaspersky",
                      .policy_version = "2024.11.1",
                      .started_at = T0,
                      .finished_at = T0,
                      .complete = complete};
    if (!complete) {
        m.gaps = &gap;
        m.n_gaps = 1;
    }
    return m;
}

static void apply(bw_store *s, const bw_findings *f, bool complete, int64_t now, bw_changes *c)
{
    bw_scan_meta m = meta(complete);
    m.started_at = m.finished_at = now;
    bw_err e = bw_store_apply_scan(s, &m, f, now, c, NULL);
    if (e)
        print_error("apply: %s\n", bw_store_errmsg(s));
    assert_int_equal(e, BW_OK);
}

/* A store at path holding the base findings, applied by a complete scan at
 * T0 (its changes already dealt with). *f receives the findings. */
static bw_store *seeded(const char *path, bw_findings *f)
{
    bw_store *s = open_ok(path);
    base_findings(f);
    bw_changes c = {0};
    apply(s, f, true, T0, &c);
    bw_changes_free(&c);
    return s;
}

static void test_first_scan_all_new(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("first"));
    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    bw_scan_meta m = meta(true);
    int64_t scan_id = 0;
    assert_int_equal(bw_store_apply_scan(s, &m, &f, T0, &c, &scan_id), BW_OK);
    assert_true(scan_id > 0);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.items[i].change, BW_CHANGE_NEW);
        assert_false(c.items[i].reappeared);
        assert_true(c.items[i].id > 0);
        assert_int_equal(c.items[i].scan_id, scan_id);
        assert_int_equal(c.items[i].at, T0);
        assert_string_equal(c.items[i].name, f.items[i].name);
        assert_string_equal(c.items[i].source, f.items[i].source);
        assert_int_equal(c.items[i].kind, f.items[i].kind);
        assert_null(c.items[i].old_version);
    }
    assert_string_equal(c.items[0].version, "11.11.0.452");
    assert_string_equal(c.items[0].publisher, "AO Kaspersky Lab");
    assert_null(c.items[1].version);

    bw_scan_record r;
    assert_int_equal(bw_store_last_scan(s, &r), BW_OK);
    assert_int_equal(r.id, scan_id);
    assert_string_equal(r.host, "WS-01");
    assert_string_equal(r.policy_name, "kaspersky");
    assert_string_equal(r.policy_version, "2024.11.1");
    assert_true(r.complete);
    assert_null(r.incomplete_reasons);
    assert_int_equal(r.n_findings, 3);
    assert_int_equal(r.by_kind[BW_KIND_PRODUCT], 1);
    assert_int_equal(r.by_kind[BW_KIND_SERVICE], 1);
    assert_int_equal(r.by_kind[BW_KIND_DRIVER], 1);
    assert_int_equal(r.by_kind[BW_KIND_KSN], 0);
    assert_int_equal(r.n_new, 3);
    assert_int_equal(r.n_resolved, 0);
    bw_scan_record_free(&r);

    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 3);
    assert_int_equal(cur.items[0].kind, BW_KIND_PRODUCT);
    assert_string_equal(cur.items[0].name, "{KES-11}");
    assert_int_equal(cur.items[0].first_seen, T0);
    assert_int_equal(cur.items[0].last_seen, T0);
    assert_int_equal(cur.items[0].resolved_at, 0);
    assert_int_equal(cur.items[2].kind, BW_KIND_DRIVER);
    bw_stored_findings_free(&cur);

    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_same_again_no_changes(void **state)
{
    (void)state;
    bw_findings f;
    bw_store *s = seeded(db_path("same"), &f);
    bw_changes c = {0};
    apply(s, &f, true, T0 + 3600, &c);
    assert_int_equal(c.n, 0);
    assert_null(c.items);

    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 3);
    assert_int_equal(cur.items[0].first_seen, T0);
    assert_int_equal(cur.items[0].last_seen, T0 + 3600);
    bw_stored_findings_free(&cur);
    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_removed_is_resolved(void **state)
{
    (void)state;
    bw_findings f;
    bw_store *s = seeded(db_path("resolved"), &f);
    bw_changes c = {0};

    /* drop the service */
    bw_findings one = {0};
    add_finding(&one, BW_KIND_PRODUCT, "{KES-11}", "11.11.0.452",
                "Kaspersky Endpoint Security for Windows");
    add_finding(&one, BW_KIND_DRIVER, "klif", NULL, "Kaspersky Lab Driver");
    apply(s, &one, true, T0 + 60, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].change, BW_CHANGE_RESOLVED);
    assert_int_equal(c.items[0].kind, BW_KIND_SERVICE);
    assert_string_equal(c.items[0].name, "AVP");
    assert_string_equal(c.items[0].display_name, "Kaspersky Endpoint Security Service");
    assert_string_equal(c.items[0].source, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP");
    assert_string_equal(c.items[0].rule, "rule[AVP]");
    assert_int_equal(c.items[0].at, T0 + 60);
    bw_changes_free(&c);

    /* resolved stays resolved: no second RESOLVED */
    apply(s, &one, true, T0 + 120, &c);
    assert_int_equal(c.n, 0);

    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 2);
    assert_string_equal(cur.items[0].name, "{KES-11}");
    assert_string_equal(cur.items[1].name, "klif");
    bw_stored_findings_free(&cur);

    bw_scan_record r;
    assert_int_equal(bw_store_last_scan(s, &r), BW_OK);
    assert_int_equal(r.n_findings, 2);
    assert_int_equal(r.n_resolved, 0);
    bw_scan_record_free(&r);

    bw_findings_free(&one);
    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_version_changed(void **state)
{
    (void)state;
    bw_findings f;
    bw_store *s = seeded(db_path("changed"), &f);
    bw_changes c = {0};

    free(f.items[0].version);
    f.items[0].version = bw_strdup("12.1.0.506");
    apply(s, &f, true, T0 + 60, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].change, BW_CHANGE_CHANGED);
    assert_string_equal(c.items[0].version, "12.1.0.506");
    assert_string_equal(c.items[0].old_version, "11.11.0.452");
    assert_string_equal(c.items[0].old_display_name, "Kaspersky Endpoint Security for Windows");
    bw_changes_free(&c);

    /* a display-name change of a service without a version */
    free(f.items[1].display_name);
    f.items[1].display_name = bw_strdup("Kaspersky Security Service");
    apply(s, &f, true, T0 + 120, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].change, BW_CHANGE_CHANGED);
    assert_null(c.items[0].version);
    assert_null(c.items[0].old_version);
    assert_string_equal(c.items[0].old_display_name, "Kaspersky Endpoint Security Service");
    assert_string_equal(c.items[0].display_name, "Kaspersky Security Service");
    bw_changes_free(&c);

    /* unchanged afterwards, and first_seen kept */
    apply(s, &f, true, T0 + 180, &c);
    assert_int_equal(c.n, 0);
    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_string_equal(cur.items[0].version, "12.1.0.506");
    assert_int_equal(cur.items[0].first_seen, T0);
    bw_stored_findings_free(&cur);

    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_removed_then_back_is_new(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("back"));
    bw_findings f;
    base_findings(&f);
    bw_findings none = {0};
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    bw_changes_free(&c);
    apply(s, &none, true, T0 + 60, &c);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(c.items[i].change, BW_CHANGE_RESOLVED);
    bw_changes_free(&c);

    apply(s, &f, true, T0 + 120, &c);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.items[i].change, BW_CHANGE_NEW);
        assert_true(c.items[i].reappeared);
    }
    bw_changes_free(&c);

    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 3);
    assert_int_equal(cur.items[0].first_seen, T0 + 120);
    assert_int_equal(cur.items[0].resolved_at, 0);
    bw_stored_findings_free(&cur);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* A gap holds back what its own source could have found, and nothing
 * else: an unreadable driver key keeps that driver from resolving, not the
 * product or the other service that are gone. */
static void test_gap_holds_back_its_own_source(void **state)
{
    (void)state;
    bw_findings f;
    bw_store *s = seeded(db_path("incomplete"), &f);
    bw_changes c = {0};

    /* the incomplete scan sees only a new KSN component */
    bw_findings part = {0};
    add_finding(&part, BW_KIND_KSN, "KSNProxy", NULL, "Kaspersky Security Network Proxy");
    apply(s, &part, false, T0 + 60, &c);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.items[0].change, BW_CHANGE_NEW);
    assert_int_equal(c.items[0].kind, BW_KIND_KSN);
    assert_int_equal(c.items[1].change, BW_CHANGE_RESOLVED);
    assert_string_equal(c.items[1].name, "{KES-11}");
    assert_int_equal(c.items[2].change, BW_CHANGE_RESOLVED);
    assert_string_equal(c.items[2].name, "AVP");
    bw_changes_free(&c);

    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 2); /* klif is held back, KSNProxy is new */
    assert_string_equal(cur.items[0].name, "klif");
    bw_stored_findings_free(&cur);

    bw_scan_record r;
    assert_int_equal(bw_store_last_scan(s, &r), BW_OK);
    assert_false(r.complete);
    assert_string_equal(r.incomplete_reasons,
                        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif: access denied (5)");
    bw_scan_record_free(&r);

    /* a later complete scan resolves what is gone */
    apply(s, &part, true, T0 + 120, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].change, BW_CHANGE_RESOLVED);
    assert_string_equal(c.items[0].name, "klif");
    bw_changes_free(&c);

    bw_findings_free(&part);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* What each kind of gap holds back (bw_store_held_back). */
static void test_held_back(void **state)
{
    (void)state;
    const char *svc = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif";
    const char *prod = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{KES}";
    bw_gap g = {.where = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
                .reason = "access denied (5)",
                .hides = BW_HIDES_PRODUCT};
    bw_scan_meta m = {.gaps = &g, .n_gaps = 1};
    /* the Uninstall key could not be listed: its products, nothing else */
    assert_true(bw_store_held_back(&m, BW_KIND_PRODUCT, prod, "{KES}"));
    assert_false(bw_store_held_back(&m, BW_KIND_DRIVER, svc, "klif"));
    assert_false(bw_store_held_back(&m, BW_KIND_PRODUCT,
                                    "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\"
                                    "CurrentVersion\\Uninstall\\{KES}",
                                    "{KES}"));
    /* a value of the finding's own key (the gap lies under its source);
     * a sibling key whose name only starts the same is not covered */
    g.where = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif\\ImagePath";
    g.hides = BW_HIDES_SERVICES;
    assert_true(bw_store_held_back(&m, BW_KIND_DRIVER, svc, "klif"));
    assert_false(bw_store_held_back(&m, BW_KIND_DRIVER,
                                    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif2", "klif2"));
    /* a source read as a whole ("service control manager") covers its kinds */
    g.where = "service control manager";
    assert_true(bw_store_held_back(&m, BW_KIND_SERVICE,
                                   "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP", "AVP"));
    assert_false(bw_store_held_back(&m, BW_KIND_PRODUCT, prod, "{KES}"));
    /* unreadable update evidence holds back nothing */
    g.where = "C:\\ProgramData\\Kaspersky Lab\\AVP21.3\\Bases\\u0607g.xml";
    g.hides = 0;
    for (int k = 0; k < BW_STORE_KINDS; k++)
        assert_false(bw_store_held_back(&m, (bw_kind)k, svc, "klif"));
    /* seen at a tier that does not count while a gap could hide what
     * vouched for it: held; without such a gap: not */
    bw_findings low = {0};
    add_finding(&low, BW_KIND_DRIVER, "klif", NULL, NULL);
    low.items[0].tier = BW_TIER_POSSIBLE;
    m.uncounted = &low;
    assert_false(bw_store_held_back(&m, BW_KIND_DRIVER, svc, "klif"));
    g.where = "HKLM\\SOFTWARE\\KasperskyLab";
    g.hides = BW_HIDES_REGISTRY;
    assert_true(bw_store_held_back(&m, BW_KIND_DRIVER, svc, "klif"));
    assert_false(bw_store_held_back(&m, BW_KIND_DRIVER,
                                    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klhk", "klhk"));
    bw_findings_free(&low);
}

/* A finding whose tier changes is a change; one that drops out of the
 * counted tiers is resolved by the next scan (the store keeps what counts). */
static void test_tier_changes(void **state)
{
    (void)state;
    bw_findings f;
    bw_store *s = seeded(db_path("tiers"), &f);
    bw_changes c = {0};
    f.items[2].tier = BW_TIER_LIKELY; /* klif */
    apply(s, &f, true, T0 + 60, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.items[0].change, BW_CHANGE_CHANGED);
    assert_int_equal(c.items[0].tier, BW_TIER_LIKELY);
    assert_int_equal(c.items[0].old_tier, BW_TIER_CONFIRMED);
    bw_changes_free(&c);
    bw_changes pend = {0};
    assert_int_equal(bw_store_pending_changes(s, &pend), BW_OK);
    assert_int_equal(pend.items[pend.n - 1].tier, BW_TIER_LIKELY);
    assert_int_equal(pend.items[pend.n - 1].old_tier, BW_TIER_CONFIRMED);
    bw_changes_free(&pend);
    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.items[cur.n - 1].tier, BW_TIER_LIKELY);
    bw_stored_findings_free(&cur);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* The text state and the verdict history. */
static void test_state_and_verdicts(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("state"));
    char *v = NULL;
    assert_int_equal(bw_store_state_get(s, "gaps-digest", &v), BW_ENOTFOUND);
    assert_null(v);
    assert_int_equal(bw_store_state_set(s, "gaps-digest", "1 item(s)", T0), BW_OK);
    assert_int_equal(bw_store_state_get(s, "gaps-digest", &v), BW_OK);
    assert_string_equal(v, "1 item(s)");
    free(v);
    assert_int_equal(bw_store_state_set(s, "gaps-digest", NULL, T0), BW_OK);
    assert_int_equal(bw_store_state_get(s, "gaps-digest", &v), BW_ENOTFOUND);

    bw_verdict_record r;
    assert_int_equal(bw_store_verdict_last(s, &r), BW_ENOTFOUND);
    bw_verdict_record a = {.at = T0,
                           .scan_id = 1,
                           .digest = "present=likely",
                           .present = "likely",
                           .headline = "Kaspersky: PRESENT (likely)"};
    assert_int_equal(bw_store_verdict_add(s, &a), BW_OK);
    bw_verdict_record b = {.at = T0 + 5,
                           .digest = "present=confirmed",
                           .present = "confirmed",
                           .products = "Kaspersky Total Security 21.3",
                           .updated_after_cutoff = "yes",
                           .newest_update = "2024-10-01T00:00:00Z",
                           .update_evidence = "bases-index",
                           .stale = "no",
                           .ksn = "active",
                           .containment = "none",
                           .headline = "h\"\n",
                           .next_step = "n"};
    assert_int_equal(bw_store_verdict_add(s, &b), BW_OK);
    assert_int_equal(bw_store_verdict_last(s, &r), BW_OK);
    assert_string_equal(r.digest, "present=confirmed");
    assert_string_equal(r.present, "confirmed");
    assert_string_equal(r.products, "Kaspersky Total Security 21.3");
    assert_string_equal(r.updated_after_cutoff, "yes");
    assert_string_equal(r.newest_update, "2024-10-01T00:00:00Z");
    assert_string_equal(r.update_evidence, "bases-index");
    assert_string_equal(r.stale, "no");
    assert_string_equal(r.ksn, "active");
    assert_string_equal(r.containment, "none");
    assert_string_equal(r.headline, "h\"\n");
    assert_string_equal(r.next_step, "n");
    assert_int_equal(r.at, T0 + 5);
    assert_int_equal(r.scan_id, 0);
    bw_verdict_record_free(&r);
    bw_store_close(s);
}

/* A version-4 database (findings without tiers) is migrated; its findings
 * read as confirmed and stay the same findings. */
static void test_migrate_v4_tiers(void **state)
{
    (void)state;
    const char *p = db_path("v4");
    bw_findings f;
    bw_store *s = seeded(p, &f);
    bw_store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, UNDO_V5 " PRAGMA user_version = 4;", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    s = open_ok(p);
    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 3);
    for (size_t i = 0; i < cur.n; i++)
        assert_int_equal(cur.items[i].tier, BW_TIER_CONFIRMED);
    bw_stored_findings_free(&cur);
    bw_changes c = {0};
    apply(s, &f, true, T0 + 60, &c);
    assert_int_equal(c.n, 0); /* confirmed then, confirmed now: no change */
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_duplicate_in_one_scan(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("dup"));
    bw_findings f = {0};
    add_finding(&f, BW_KIND_FILTER, "klkbdflt", NULL, "Keyboard");
    /* listed again, e.g. also in LowerFilters: must not read as a change */
    add_finding(&f, BW_KIND_FILTER, "klkbdflt", NULL, "Keyboard (lower)");
    add_finding(&f, BW_KIND_FILTER, "kneps", NULL, "Keyboard");
    /* same class key for all three (filters share their class key) */
    for (size_t i = 0; i < f.n; i++) {
        free(f.items[i].source);
        f.items[i].source =
            bw_strdup("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4D36E96B}");
    }
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[0].name, "klkbdflt");
    assert_string_equal(c.items[1].name, "kneps");
    bw_changes_free(&c);
    apply(s, &f, true, T0 + 1, &c);
    assert_int_equal(c.n, 0);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* Raises (records) an alert for every change, as the service does. */
static void record_all(bw_store *s, const bw_changes *c, int64_t now)
{
    bw_alerts al = {0};
    assert_int_equal(bw_alert_from_changes(c, "WS-01", &al), BW_OK);
    for (size_t i = 0; i < al.n; i++) {
        bool raised = true;
        assert_int_equal(bw_store_alert_raised(s, al.items[i].change_id, &raised), BW_OK);
        assert_false(raised);
        bw_buf b = {0};
        assert_int_equal(bw_alert_fields_json(&al.items[i], &b), BW_OK);
        int64_t id = 0;
        assert_int_equal(bw_store_record_alert(s, al.items[i].change_id,
                                               (int)al.items[i].event_id, b.data, now, &id),
                         BW_OK);
        assert_true(id > 0);
        bw_buf_free(&b);
    }
    bw_alerts_free(&al);
}

static void test_restart_no_duplicates(void **state)
{
    (void)state;
    const char *p = db_path("restart");
    bw_store *s = open_ok(p);
    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    record_all(s, &c, T0);

    /* recording the same change again is a no-op */
    int64_t id = 1;
    assert_int_equal(bw_store_record_alert(s, c.items[0].id, 200, "{}", T0 + 1, &id), BW_OK);
    assert_int_equal(id, 0);
    bw_changes_free(&c);
    bw_store_close(s);

    /* the service restarts and sees the same machine */
    s = open_ok(p);
    assert_int_equal(bw_store_pending_changes(s, &c), BW_OK);
    assert_int_equal(c.n, 0);
    apply(s, &f, true, T0 + 600, &c);
    assert_int_equal(c.n, 0);

    bw_alert_records ar;
    assert_int_equal(bw_store_recent_alerts(s, 10, &ar), BW_OK);
    assert_int_equal(ar.n, 3);
    /* newest first; same time, so by id descending */
    assert_true(ar.items[0].id > ar.items[1].id);
    assert_int_equal(ar.items[2].event_id, 200);
    assert_int_equal(ar.items[1].event_id, 201);
    assert_int_equal(ar.items[0].event_id, 202);
    assert_int_equal(ar.items[2].raised_at, T0);
    assert_true(ar.items[2].change_id > 0);
    assert_string_equal(ar.items[0].fields_json,
                        "{\"host\":\"WS-01\",\"kind\":\"driver\",\"name\":\"klif\",\"key\":"
                        "\"klif\",\"display_name\":\"Kaspersky Lab Driver\",\"publisher\":null,"
                        "\"version\":null,\"old_version\":null,\"path\":null,\"source\":"
                        "\"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\klif\",\"rule\":"
                        "\"rule[klif]\",\"tier\":\"confirmed\",\"old_display_name\":null,"
                        "\"old_path\":null,\"old_tier\":null}");
    bw_alert_records_free(&ar);
    assert_int_equal(bw_store_recent_alerts(s, 1, &ar), BW_OK);
    assert_int_equal(ar.n, 1);
    bw_alert_records_free(&ar);

    bw_findings_free(&f);
    bw_store_close(s);
}

static void test_pending_after_crash(void **state)
{
    (void)state;
    const char *p = db_path("crash");
    bw_store *s = open_ok(p);
    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    /* only the first alert made it before the "crash" */
    bw_changes first = {.items = c.items, .n = 1, .cap = 1};
    record_all(s, &first, T0);
    int64_t second = c.items[1].id;
    bw_changes_free(&c);
    bw_store_close(s);

    s = open_ok(p);
    apply(s, &f, true, T0 + 600, &c);
    assert_int_equal(c.n, 0);
    assert_int_equal(bw_store_pending_changes(s, &c), BW_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.items[0].id, second);
    assert_int_equal(c.items[0].change, BW_CHANGE_NEW);
    assert_int_equal(c.items[0].kind, BW_KIND_SERVICE);
    assert_string_equal(c.items[0].name, "AVP");
    assert_int_equal(c.items[0].at, T0);
    assert_string_equal(c.items[1].name, "klif");
    record_all(s, &c, T0 + 601);
    bw_changes_free(&c);
    assert_int_equal(bw_store_pending_changes(s, &c), BW_OK);
    assert_int_equal(c.n, 0);

    bw_findings_free(&f);
    bw_store_close(s);
}

/* The outbox: an alert begun and killed before it was marked sent is in
 * doubt after the restart. Settled as delivered, it is sent and its change
 * is done; taken back, its change is pending again, and a verdict recorded
 * for it goes too. A change in flight is not begun twice. */
static void test_outbox_in_doubt(void **state)
{
    (void)state;
    const char *p = db_path("outbox");
    bw_store *s = open_ok(p);
    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    assert_int_equal(c.n, 3);
    int64_t a0 = 0, a1 = 0, a2 = 0, again = 1, v = 0;
    /* the first alert went through the whole outbox */
    assert_int_equal(bw_store_alert_begin(s, c.items[0].id, 200, "{}", T0, 11, &a0), BW_OK);
    assert_true(a0 > 0);
    assert_int_equal(bw_store_alert_sent(s, a0), BW_OK);
    /* the second and third were begun, then the process was killed */
    assert_int_equal(bw_store_alert_begin(s, c.items[1].id, 201, "{}", T0, 22, &a1), BW_OK);
    assert_int_equal(bw_store_alert_begin(s, c.items[2].id, 202, "{}", T0, 0, &a2), BW_OK);
    assert_true(a1 > a0 && a2 > a1);
    /* in flight: not begun twice */
    assert_int_equal(bw_store_alert_begin(s, c.items[1].id, 201, "{}", T0 + 1, 22, &again),
                     BW_OK);
    assert_int_equal(again, 0);
    /* a verdict raised once, begun with its 230 */
    assert_int_equal(bw_store_alert_begin(s, 0, 230, "{}", T0, 33, &v), BW_OK);
    bw_verdict_record vr = {.at = T0, .digest = "present=confirmed", .alert_id = v};
    assert_int_equal(bw_store_verdict_add(s, &vr), BW_OK);
    assert_int_equal(bw_store_alert_begin(s, 4242, 200, "{}", T0, 44, &again), BW_ENOTFOUND);
    assert_int_equal(again, 0);
    bw_changes_free(&c);
    bw_store_close(s);

    s = open_ok(p);
    bw_alert_records doubt;
    assert_int_equal(bw_store_alerts_in_doubt(s, &doubt), BW_OK);
    assert_int_equal(doubt.n, 3);
    assert_int_equal(doubt.items[0].id, a1);
    assert_false(doubt.items[0].sent);
    assert_true(doubt.items[0].line_hash == 22);
    assert_int_equal(doubt.items[1].id, a2);
    assert_true(doubt.items[1].line_hash == 0);
    assert_int_equal(doubt.items[2].id, v);
    assert_int_equal(doubt.items[2].change_id, 0);
    bw_alert_records_free(&doubt);
    /* nothing is pending while they are in doubt */
    assert_int_equal(bw_store_pending_changes(s, &c), BW_OK);
    assert_int_equal(c.n, 0);
    bw_verdict_record last;
    assert_int_equal(bw_store_verdict_last(s, &last), BW_OK);
    assert_int_equal(last.alert_id, v);
    bw_verdict_record_free(&last);

    /* a1's record was found in events.jsonl, a2's and the verdict's not */
    assert_int_equal(bw_store_alert_settle(s, a1, true), BW_OK);
    assert_int_equal(bw_store_alert_settle(s, a2, false), BW_OK);
    assert_int_equal(bw_store_alert_settle(s, v, false), BW_OK);
    assert_int_equal(bw_store_alerts_in_doubt(s, &doubt), BW_OK);
    assert_int_equal(doubt.n, 0);
    bw_alert_records_free(&doubt);
    assert_int_equal(bw_store_pending_changes(s, &c), BW_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0].name, "klif");
    bool raised = true;
    assert_int_equal(bw_store_alert_raised(s, c.items[0].id, &raised), BW_OK);
    assert_false(raised);
    bw_changes_free(&c);
    assert_int_equal(bw_store_verdict_last(s, &last), BW_ENOTFOUND);
    /* a sent alert is not taken back */
    assert_int_equal(bw_store_alert_settle(s, a0, false), BW_OK);
    bw_alert_records ar;
    assert_int_equal(bw_store_recent_alerts(s, 10, &ar), BW_OK);
    assert_int_equal(ar.n, 2);
    for (size_t i = 0; i < ar.n; i++)
        assert_true(ar.items[i].sent);
    bw_alert_records_free(&ar);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* A version-5 database keeps its alerts, as sent, and its verdicts. */
static void test_migrate_v5_outbox(void **state)
{
    (void)state;
    const char *p = db_path("v5");
    bw_store *s = open_ok(p);
    int64_t id = 0;
    assert_int_equal(bw_store_record_alert(s, 0, 100, "{}", T0, &id), BW_OK);
    bw_verdict_record vr = {.at = T0, .digest = "d"};
    assert_int_equal(bw_store_verdict_add(s, &vr), BW_OK);
    bw_store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, UNDO_V6 " PRAGMA user_version = 5;", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    s = open_ok(p);
    bw_alert_records ar;
    assert_int_equal(bw_store_recent_alerts(s, 10, &ar), BW_OK);
    assert_int_equal(ar.n, 1);
    assert_true(ar.items[0].sent);
    assert_true(ar.items[0].line_hash == 0);
    bw_alert_records_free(&ar);
    assert_int_equal(bw_store_alerts_in_doubt(s, &ar), BW_OK);
    assert_int_equal(ar.n, 0);
    bw_verdict_record last;
    assert_int_equal(bw_store_verdict_last(s, &last), BW_OK);
    assert_string_equal(last.digest, "d");
    assert_int_equal(last.alert_id, 0);
    bw_verdict_record_free(&last);
    bw_store_close(s);
}

static void test_other_alerts_and_meta(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("meta"));
    int64_t id = 0, v = 0;
    /* lifecycle events have no change and may repeat */
    assert_int_equal(bw_store_record_alert(s, 0, 100, "{\"host\":\"WS-01\"}", T0, &id), BW_OK);
    assert_true(id > 0);
    assert_int_equal(bw_store_record_alert(s, 0, 100, "{\"host\":\"WS-01\"}", T0 + 1, &id),
                     BW_OK);
    assert_true(id > 0);
    /* an alert for a change that does not exist is a caller error */
    assert_int_equal(bw_store_record_alert(s, 4242, 200, "{}", T0, &id), BW_ENOTFOUND);
    assert_int_equal(id, 0);
    bw_alert_records ar;
    assert_int_equal(bw_store_recent_alerts(s, 10, &ar), BW_OK);
    assert_int_equal(ar.n, 2);
    assert_int_equal(ar.items[0].change_id, 0);
    assert_int_equal(ar.items[0].raised_at, T0 + 1);
    bw_alert_records_free(&ar);

    assert_int_equal(bw_store_meta_get(s, "last_heartbeat", &v), BW_ENOTFOUND);
    assert_int_equal(bw_store_meta_set(s, "last_heartbeat", T0), BW_OK);
    assert_int_equal(bw_store_meta_set(s, "last_heartbeat", T0 + 5), BW_OK);
    assert_int_equal(bw_store_meta_get(s, "last_heartbeat", &v), BW_OK);
    assert_int_equal(v, T0 + 5);

    bw_scan_record r;
    assert_int_equal(bw_store_last_scan(s, &r), BW_ENOTFOUND);
    bw_store_close(s);
}

/* A run that is never ended (killed) is reported unclean by the next one,
 * with when it began; an ended one clean; the first one unknown. The mark
 * lives in the file, across connections. */
static void test_runs_clean_and_unclean(void **state)
{
    (void)state;
    const char *path = db_path("runs");
    bw_store *s = open_ok(path);
    bw_prev_stop prev = BW_PREV_STOP_CLEAN;
    int64_t started = -1;
    assert_int_equal(bw_store_run_begin(s, T0, &prev, &started), BW_OK);
    assert_int_equal(prev, BW_PREV_STOP_UNKNOWN);
    assert_int_equal(started, 0);
    bw_store_close(s); /* the process dies: no bw_store_run_end */

    s = open_ok(path);
    assert_int_equal(bw_store_run_begin(s, T0 + 60, &prev, &started), BW_OK);
    assert_int_equal(prev, BW_PREV_STOP_UNCLEAN);
    assert_int_equal(started, T0);
    assert_string_equal(bw_prev_stop_name(prev), "unclean");
    assert_int_equal(bw_store_run_end(s), BW_OK);
    bw_store_close(s);

    s = open_ok(path);
    assert_int_equal(bw_store_run_begin(s, T0 + 120, &prev, NULL), BW_OK);
    assert_int_equal(prev, BW_PREV_STOP_CLEAN);
    assert_string_equal(bw_prev_stop_name(prev), "clean");
    /* killed again: unclean, with this run's start */
    bw_store_close(s);
    s = open_ok(path);
    assert_int_equal(bw_store_run_begin(s, T0 + 180, &prev, &started), BW_OK);
    assert_int_equal(prev, BW_PREV_STOP_UNCLEAN);
    assert_int_equal(started, T0 + 120);
    assert_string_equal(bw_prev_stop_name(BW_PREV_STOP_UNKNOWN), "unknown");
    assert_string_equal(bw_prev_stop_name((bw_prev_stop)42), "unknown");
    bw_store_close(s);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static long file_size(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fclose(fp);
    return n;
}

static void truncate_file(const char *path, long n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    write_file(path, buf, (size_t)n);
    free(buf);
}

/* Opens a damaged file: it must be moved aside and a working database
 * created. prefix is the file name of path, for counting. */
static void expect_recreated(const char *path, const char *name)
{
    bw_store *s = NULL;
    bool recreated = false;
    char err[512];
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s.db.corrupt-", name);
    assert_int_equal(count_files(prefix), 0);
    assert_int_equal(bw_store_open(path, &s, &recreated, err, sizeof err), BW_OK);
    assert_non_null(s);
    assert_true(recreated);
    assert_non_null(strstr(err, "state.db: the database was damaged"));
    assert_non_null(strstr(err, ".corrupt-"));
    assert_true(count_files(prefix) >= 1);

    /* the new database works */
    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    assert_int_equal(c.n, 3);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);

    /* and opens cleanly afterwards */
    s = open_ok(path);
    bw_store_close(s);
}

static void test_corrupt_garbage(void **state)
{
    (void)state;
    const char *p = db_path("garbage");
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 13);
    write_file(p, junk, sizeof junk);
    expect_recreated(p, "garbage");
}

static void test_corrupt_truncated(void **state)
{
    (void)state;
    const char *p = db_path("truncated");
    bw_store *s = open_ok(p);
    /* enough rows for many pages */
    bw_findings f = {0};
    char name[64];
    for (int i = 0; i < 400; i++) {
        snprintf(name, sizeof name, "{%04d-0000-0000-0000-KASPERSKY-LAB-PRODUCT}", i);
        add_finding(&f, BW_KIND_PRODUCT, name, "21.3.10.391",
                    "Kaspersky Total Security with a rather long display name");
    }
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s); /* checkpoints the WAL into the file */

    long n = file_size(p);
    assert_true(n > 16 * 4096);
    truncate_file(p, n / 2);
    expect_recreated(p, "truncated");
}

static void test_corrupt_tiny(void **state)
{
    (void)state;
    const char *p = db_path("tiny");
    bw_store *s = open_ok(p);
    bw_store_close(s);
    truncate_file(p, 50); /* shorter than the header */
    expect_recreated(p, "tiny");
}

/* A file whose pages are sound but whose quick check reports a problem:
 * a NULL in a NOT NULL column, made by editing the schema behind SQLite's
 * back. */
static void test_corrupt_quick_check(void **state)
{
    (void)state;
    const char *p = db_path("check");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE t (x TEXT); INSERT INTO t VALUES (NULL);"
                     "PRAGMA writable_schema = ON;"
                     "UPDATE sqlite_master SET sql = 'CREATE TABLE t (x TEXT NOT NULL)'"
                     " WHERE name = 't';"
                     "PRAGMA writable_schema = OFF;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    expect_recreated(p, "check");
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    const char *p = db_path("newer");
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    bw_store *s = (bw_store *)1;
    bool recreated = true;
    char err[512];
    assert_int_equal(bw_store_open(p, &s, &recreated, err, sizeof err), BW_EINVAL);
    assert_null(s);
    assert_false(recreated);
    assert_string_equal(err, "state.db: open: schema version 99 is newer than this banwatch "
                             "supports (6); the database was left unchanged");

    /* untouched: same version, no tables of ours, not moved */
    assert_int_equal(count_files("newer.db.corrupt-"), 0);
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 99);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A version-1 database (no n_ksn_connection column, no update_status
 * table) is migrated, and a scan with a live KSN connection is counted in
 * its own column. */
static void test_migrate_v1_ksn_connection(void **state)
{
    (void)state;
    const char *p = db_path("v1");
    bw_store_close(open_ok(p));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  UNDO_V5 " ALTER TABLE scans DROP COLUMN n_ksn_connection;"
                                          " DROP TABLE update_status;"
                                          " DROP TABLE containment;"
                                          " PRAGMA user_version = 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    bw_store *s = open_ok(p);
    bw_findings f;
    base_findings(&f);
    add_finding(&f, BW_KIND_KSN_CONNECTION, "avp.exe->10.0.0.1:13111", NULL, "KSN connection");
    bw_changes c = {0};
    apply(s, &f, true, T0, &c);
    assert_int_equal(c.n, 4);
    bw_scan_record r;
    assert_int_equal(bw_store_last_scan(s, &r), BW_OK);
    assert_int_equal(r.n_findings, 4);
    assert_int_equal(r.by_kind[BW_KIND_KSN_CONNECTION], 1);
    assert_int_equal(r.by_kind[BW_KIND_REGISTRY], 0);
    assert_int_equal(r.by_kind[BW_KIND_PRODUCT], 1);
    assert_int_equal(r.n_new, 4);
    assert_int_equal(r.n_resolved, 0);
    assert_int_equal(r.n_changed, 0);
    bw_scan_record_free(&r);
    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    bool seen = false;
    for (size_t i = 0; i < cur.n; i++)
        seen |= cur.items[i].kind == BW_KIND_KSN_CONNECTION;
    assert_true(seen);
    bw_stored_findings_free(&cur);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* ---- update status ------------------------------------------------------------- */

static bw_update_status *push_update(bw_updates *u, const char *product)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 4;
        u->items = realloc(u->items, u->cap * sizeof *u->items);
        assert_non_null(u->items);
    }
    bw_update_status *x = &u->items[u->n++];
    memset(x, 0, sizeof *x);
    x->product = product ? bw_strdup(product) : NULL;
    return x;
}

/* AVP21.19 updated after the cutoff, KES11 stale, and the product-less
 * group without any date (never updated). */
static void sample_updates(bw_updates *u, bool with_kes)
{
    memset(u, 0, sizeof *u);
    bw_update_status *x = push_update(u, "AVP21.19");
    x->has_date = true;
    x->newest = T0 - 86400 * 3;
    x->newest_kind = BW_EVIDENCE_BASES_INDEX;
    x->newest_source = bw_strdup("C:\\ProgramData\\Kaspersky Lab\\AVP21.19\\Bases\\u1313g.xml");
    x->cutoff = T0 - 86400 * 30;
    x->after_cutoff = true;
    x->age_days = 3;
    x->has_signature = true;
    x->newest_signature = x->newest;
    x->n_evidence = 2;
    if (with_kes) {
        x = push_update(u, "KES11");
        x->has_date = true;
        x->newest = T0 - 86400 * 100;
        x->newest_kind = BW_EVIDENCE_LAST_UPDATE;
        x->newest_source = bw_strdup("HKLM\\SOFTWARE\\KasperskyLab\\KES11\\LastSuccessfulUpdate");
        x->cutoff = T0 - 86400 * 30;
        x->age_days = 100;
        x->stale = true;
        x->has_signature = true;
        x->newest_signature = x->newest;
        x->n_evidence = 1;
    }
    x = push_update(u, NULL);
    x->never = true;
    x->cutoff = T0 - 86400 * 30;
}

static void test_update_status_roundtrip(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("updates"));
    bw_stored_updates got = {0};
    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 0);
    bw_stored_updates_free(&got);

    bw_findings f;
    base_findings(&f);
    bw_changes c = {0};
    bw_scan_meta m = meta(true);
    int64_t scan_id = 0;
    assert_int_equal(bw_store_apply_scan(s, &m, &f, T0, &c, &scan_id), BW_OK);
    assert_true(scan_id > 0);

    bw_updates u;
    sample_updates(&u, true);
    bw_err e = bw_store_set_update_status(s, &u, scan_id, T0 + 5);
    if (e)
        print_error("set update status: %s\n", bw_store_errmsg(s));
    assert_int_equal(e, BW_OK);
    assert_string_equal(bw_store_errmsg(s), "");

    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 3);
    const bw_stored_update *a = &got.items[0];
    assert_string_equal(a->product, "AVP21.19");
    assert_true(a->has_date);
    assert_int_equal(a->newest, T0 - 86400 * 3);
    assert_string_equal(a->evidence, "bases-index");
    assert_string_equal(a->source, "C:\\ProgramData\\Kaspersky Lab\\AVP21.19\\Bases\\u1313g.xml");
    assert_int_equal(a->cutoff, T0 - 86400 * 30);
    assert_true(a->after_cutoff);
    assert_int_equal(a->age_days, 3);
    assert_false(a->stale);
    assert_false(a->never_updated);
    assert_int_equal(a->scan_id, scan_id);
    assert_int_equal(a->updated_at, T0 + 5);

    const bw_stored_update *k = &got.items[1];
    assert_string_equal(k->product, "KES11");
    assert_true(k->has_date);
    assert_int_equal(k->newest, T0 - 86400 * 100);
    assert_string_equal(k->evidence, "last-successful-update");
    assert_string_equal(k->source, "HKLM\\SOFTWARE\\KasperskyLab\\KES11\\LastSuccessfulUpdate");
    assert_false(k->after_cutoff);
    assert_int_equal(k->age_days, 100);
    assert_true(k->stale);
    assert_false(k->never_updated);

    const bw_stored_update *n = &got.items[2];
    assert_null(n->product);
    assert_false(n->has_date);
    assert_int_equal(n->newest, 0);
    assert_null(n->evidence);
    assert_null(n->source);
    assert_int_equal(n->cutoff, T0 - 86400 * 30);
    assert_false(n->after_cutoff);
    assert_int_equal(n->age_days, 0);
    assert_false(n->stale);
    assert_true(n->never_updated);
    assert_int_equal(n->scan_id, scan_id);
    bw_stored_updates_free(&got);

    /* stored as '' with NULL date columns */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(db_path("updates"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM update_status WHERE product = ''"
                                        " AND newest IS NULL AND evidence IS NULL"
                                        " AND age_days IS NULL",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);

    bw_updates_free(&u);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* A second set without KES11 deletes its row and replaces the others. */
static void test_update_status_replaced(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("updates2"));
    bw_updates u;
    sample_updates(&u, true);
    assert_int_equal(bw_store_set_update_status(s, &u, 1, T0), BW_OK);
    bw_updates_free(&u);

    sample_updates(&u, false);
    u.items[0].age_days = 4;
    u.items[1].never = false;
    assert_int_equal(bw_store_set_update_status(s, &u, 2, T0 + 86400), BW_OK);
    bw_updates_free(&u);

    bw_stored_updates got = {0};
    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.items[0].product, "AVP21.19");
    assert_int_equal(got.items[0].age_days, 4);
    assert_int_equal(got.items[0].scan_id, 2);
    assert_int_equal(got.items[0].updated_at, T0 + 86400);
    assert_null(got.items[1].product);
    assert_false(got.items[1].never_updated);
    assert_int_equal(got.items[1].scan_id, 2);
    bw_stored_updates_free(&got);

    /* an empty set empties the table */
    bw_updates none = {0};
    assert_int_equal(bw_store_set_update_status(s, &none, 3, T0 + 2 * 86400), BW_OK);
    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 0);
    bw_stored_updates_free(&got);
    bw_stored_updates_free(NULL);
    bw_store_close(s);
}

/* A version-2 database (no update_status table) is migrated to 3, keeping
 * its findings, and can store update statuses. */
static void test_migrate_v2_update_status(void **state)
{
    (void)state;
    const char *p = db_path("v2");
    bw_findings f;
    bw_store *s = seeded(p, &f);
    bw_store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  UNDO_V5 " DROP TABLE update_status; DROP TABLE containment;"
                                          " PRAGMA user_version = 2;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    s = open_ok(p);
    bw_stored_findings cur;
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 3);
    bw_stored_findings_free(&cur);
    bw_stored_updates got = {0};
    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 0);
    bw_updates u;
    sample_updates(&u, false);
    assert_int_equal(bw_store_set_update_status(s, &u, 1, T0), BW_OK);
    assert_int_equal(bw_store_update_status(s, &got), BW_OK);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.items[0].product, "AVP21.19");
    assert_true(got.items[0].after_cutoff);
    bw_stored_updates_free(&got);
    bw_updates_free(&u);
    bw_store_close(s);

    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), BW_STORE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_close(db);
    bw_findings_free(&f);
}

static void test_schema_version_set(void **state)
{
    (void)state;
    const char *p = db_path("version");
    bw_store *s = open_ok(p);
    bw_store_close(s);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), BW_STORE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_open_errors(void **state)
{
    (void)state;
    bw_store *s = (bw_store *)1;
    char err[512];
    /* a directory cannot be opened as a database, and is not moved */
    assert_int_equal(bw_store_open(dir, &s, NULL, err, sizeof err), BW_EIO);
    assert_null(s);
    assert_non_null(strstr(err, "state.db: open: "));
    /* SQLITE_CANTOPEN (14), extended on Windows to CANTOPEN_ISDIR (526) */
    const char *code = strrchr(err, '(');
    assert_non_null(code);
    assert_int_equal(atoi(code + 1) & 0xFF, 14);

    char missing[700];
    snprintf(missing, sizeof missing, "%s/no-such-dir/state.db", dir);
    assert_int_equal(bw_store_open(missing, &s, NULL, err, sizeof err), BW_EIO);
    assert_null(s);
    assert_int_equal(bw_store_open("", &s, NULL, err, 0), BW_EINVAL);
    bw_store_close(NULL);
    bw_changes_free(NULL);
    bw_stored_findings_free(NULL);
    bw_scan_record_free(NULL);
    bw_alert_records_free(NULL);
}

/* ---- containment ------------------------------------------------------------- */

static void test_contain_prior_kept(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("contain"));
    bw_contain_record r;
    assert_int_equal(bw_store_contain_get(s, "AVP", &r), BW_ENOTFOUND);
    /* the state before the first change */
    assert_int_equal(bw_store_contain_prior(s, "AVP", "service", "Kaspersky", BW_START_AUTO,
                                            BW_STATE_RUNNING, T0),
                     BW_OK);
    bw_contain_result res = {.outcome = BW_OUTCOME_DISABLED,
                             .name = "avp",
                             .kind = "service",
                             .action = "disable",
                             .detail = "done"};
    bool repeat = true;
    assert_int_equal(bw_store_contain_outcome(s, &res, T0, &repeat), BW_OK);
    assert_false(repeat);
    /* a second change (the product turned itself back on): banwatch's own
     * doing is not what to put back */
    assert_int_equal(bw_store_contain_prior(s, "Avp", "service", NULL, BW_START_DISABLED,
                                            BW_STATE_STOPPED, T0 + 60),
                     BW_OK);
    assert_int_equal(bw_store_contain_get(s, "AVP", &r), BW_OK);
    assert_string_equal(r.name, "AVP");
    assert_string_equal(r.kind, "service");
    assert_string_equal(r.display_name, "Kaspersky");
    assert_true(r.changed);
    assert_true(r.has_prior);
    assert_int_equal(r.prior_start, BW_START_AUTO);
    assert_int_equal(r.prior_state, BW_STATE_RUNNING);
    assert_int_equal(r.changed_at, T0);
    assert_int_equal(r.outcome, BW_OUTCOME_DISABLED);
    assert_string_equal(r.action, "disable");
    assert_string_equal(r.detail, "done");
    bw_contain_record_free(&r);
    /* the same outcome again is a repeat; another one is not */
    assert_int_equal(bw_store_contain_outcome(s, &res, T0 + 60, &repeat), BW_OK);
    assert_true(repeat);
    res.outcome = BW_OUTCOME_STOPPED;
    res.action = "stop";
    assert_int_equal(bw_store_contain_outcome(s, &res, T0 + 60, &repeat), BW_OK);
    assert_false(repeat);
    /* restored: no longer changed; a later change records a new prior */
    res.outcome = BW_OUTCOME_RESTORED;
    res.action = "restore";
    assert_int_equal(bw_store_contain_outcome(s, &res, T0 + 120, &repeat), BW_OK);
    assert_int_equal(bw_store_contain_get(s, "AVP", &r), BW_OK);
    assert_false(r.changed);
    assert_int_equal(r.restored_at, T0 + 120);
    assert_int_equal(r.outcome, BW_OUTCOME_RESTORED);
    bw_contain_record_free(&r);
    assert_int_equal(bw_store_contain_prior(s, "AVP", "service", NULL, BW_START_DEMAND,
                                            BW_STATE_STOPPED, T0 + 180),
                     BW_OK);
    assert_int_equal(bw_store_contain_get(s, "AVP", &r), BW_OK);
    assert_true(r.changed);
    assert_int_equal(r.prior_start, BW_START_DEMAND);
    assert_int_equal(r.changed_at, T0 + 180);
    bw_contain_record_free(&r);
    bw_store_close(s);
}

static void test_contain_unmark_and_list(void **state)
{
    (void)state;
    bw_store *s = open_ok(db_path("contain-list"));
    /* audit: an outcome without a change */
    bw_contain_result res = {.outcome = BW_OUTCOME_WOULD_DISABLE,
                             .name = "ksnproxy",
                             .kind = "service",
                             .action = "disable",
                             .has_prior = true,
                             .prior_start = BW_START_DEMAND,
                             .prior_state = BW_STATE_STOPPED};
    assert_int_equal(bw_store_contain_outcome(s, &res, T0, NULL), BW_OK);
    /* a change that could not be made is taken back */
    assert_int_equal(
        bw_store_contain_prior(s, "klif", "driver", NULL, BW_START_SYSTEM, BW_STATE_RUNNING, T0),
        BW_OK);
    assert_int_equal(bw_store_contain_unmark(s, "klif"), BW_OK);
    assert_int_equal(
        bw_store_contain_prior(s, "AVP", "service", NULL, BW_START_AUTO, BW_STATE_RUNNING, T0),
        BW_OK);
    bw_contain_records l;
    assert_int_equal(bw_store_contain_list(s, &l), BW_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].name, "AVP"); /* changed first */
    assert_true(l.items[0].changed);
    assert_string_equal(l.items[1].name, "klif");
    assert_false(l.items[1].changed);
    assert_int_equal(l.items[1].changed_at, 0);
    assert_string_equal(l.items[2].name, "ksnproxy");
    assert_false(l.items[2].changed);
    assert_false(l.items[2].has_prior); /* audit records no prior */
    assert_int_equal(l.items[2].outcome, BW_OUTCOME_WOULD_DISABLE);
    bw_contain_records_free(&l);
    assert_null(l.items);
    /* bad input is refused, not stored */
    assert_int_equal(bw_store_contain_prior(s, NULL, "service", NULL, 0, 0, T0), BW_EINVAL);
    res.name = NULL;
    assert_int_equal(bw_store_contain_outcome(s, &res, T0, NULL), BW_EINVAL);
    bw_store_close(s);
}

static void test_migrate_v3_containment(void **state)
{
    (void)state;
    const char *p = db_path("v3");
    bw_store_close(open_ok(p));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, UNDO_V5 " DROP TABLE containment; PRAGMA user_version = 3;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    bw_store *s = open_ok(p);
    assert_int_equal(
        bw_store_contain_prior(s, "AVP", "service", NULL, BW_START_AUTO, BW_STATE_RUNNING, T0),
        BW_OK);
    bw_contain_records l;
    assert_int_equal(bw_store_contain_list(s, &l), BW_OK);
    assert_int_equal(l.n, 1);
    bw_contain_records_free(&l);
    bw_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_scan_all_new),
        cmocka_unit_test(test_same_again_no_changes),
        cmocka_unit_test(test_removed_is_resolved),
        cmocka_unit_test(test_version_changed),
        cmocka_unit_test(test_removed_then_back_is_new),
        cmocka_unit_test(test_gap_holds_back_its_own_source),
        cmocka_unit_test(test_held_back),
        cmocka_unit_test(test_tier_changes),
        cmocka_unit_test(test_state_and_verdicts),
        cmocka_unit_test(test_migrate_v4_tiers),
        cmocka_unit_test(test_duplicate_in_one_scan),
        cmocka_unit_test(test_restart_no_duplicates),
        cmocka_unit_test(test_pending_after_crash),
        cmocka_unit_test(test_outbox_in_doubt),
        cmocka_unit_test(test_migrate_v5_outbox),
        cmocka_unit_test(test_other_alerts_and_meta),
        cmocka_unit_test(test_runs_clean_and_unclean),
        cmocka_unit_test(test_corrupt_garbage),
        cmocka_unit_test(test_corrupt_truncated),
        cmocka_unit_test(test_corrupt_tiny),
        cmocka_unit_test(test_corrupt_quick_check),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_schema_version_set),
        cmocka_unit_test(test_migrate_v1_ksn_connection),
        cmocka_unit_test(test_migrate_v2_update_status),
        cmocka_unit_test(test_update_status_roundtrip),
        cmocka_unit_test(test_update_status_replaced),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_contain_prior_kept),
        cmocka_unit_test(test_contain_unmark_and_list),
        cmocka_unit_test(test_migrate_v3_containment),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
