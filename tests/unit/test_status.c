/* test_status.c - unit tests for `banwatch status` as text and JSON
 * (bw_report_status.c): the exact output for a filled state, and values a
 * tampered state database could hold (control characters, invalid UTF-8,
 * alert fields that are not what banwatch stores). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_alert.h"
#include "bw_report.h"
#include "bw_status.h"

#define T0  INT64_C(1727600000) /* 2024-09-29T08:53:20Z */
#define DAY INT64_C(86400)

#define S(x) bw_strdup(x)

/* n zeroed items for an array the status owns. */
static void *items(size_t n, size_t size)
{
    void *p = calloc(n, size);
    assert_non_null(p);
    return p;
}

static void render(const bw_status *s, bool json, const char *expect)
{
    bw_buf b = {0};
    bw_err e = json ? bw_report_status_json(s, &b) : bw_report_status_text(s, &b);
    assert_int_equal(e, BW_OK);
    if (strcmp(b.data, expect) != 0)
        fprintf(stderr, "got:\n%s\n", b.data);
    assert_string_equal(b.data, expect);
    bw_buf_free(&b);
}

/* Before the service's first scan: nothing but the database and the mode. */
static void test_empty(void **state)
{
    (void)state;
    bw_status s = {.database = S("C:\\ProgramData\\banwatch\\state.db"),
                   .service = {.queried = true, .installed = false},
                   .mode = BW_MODE_AUDIT,
                   .mode_source = S("built-in policy")};
    render(&s, false,
           "WARNING: the banwatch service is not installed: nothing watches this machine and "
           "no alert is raised; run banwatch install from an elevated prompt.\n"
           "\n"
           "No verdict yet: the service has not completed a scan.\n"
           "\n"
           "banwatch state (C:\\ProgramData\\banwatch\\state.db)\n"
           "service: not installed\n"
           "last scan: never\n"
           "findings present: 0\n"
           "containment mode: audit (built-in policy)\n"
           "containment: 0 service(s) changed by banwatch\n"
           "recent alerts: 0\n");
    render(&s, true,
           "{\n"
           "  \"service\": {\"installed\": false, \"state\": null, \"start_type\": null, "
           "\"advice\": \"the banwatch service is not installed: nothing watches this machine "
           "and no alert is raised; run banwatch install from an elevated prompt\", "
           "\"error\": null},\n"
           "  \"database\": \"C:\\\\ProgramData\\\\banwatch\\\\state.db\",\n"
           "  \"verdict\": null,\n"
           "  \"last_scan\": null,\n"
           "  \"findings\": [],\n"
           "  \"updates\": [],\n"
           "  \"containment_mode\": {\"mode\": \"audit\", \"source\": \"built-in policy\"},\n"
           "  \"containment\": [],\n"
           "  \"recent_alerts\": []\n"
           "}\n");
    bw_status_free(&s);
    assert_null(s.database);
    bw_status_free(&s); /* twice is fine */
    bw_status_free(NULL);
}

/* What each state of the service means, and what to do. */
static void test_service_advice(void **state)
{
    (void)state;
    static const struct {
        bw_status_service sv;
        const char *state, *advice;
    } cases[] = {
        {{.queried = false}, "unknown", "could not be asked"},
        {{.queried = true}, "not installed", "not installed: nothing watches this machine"},
        {{.queried = true,
          .installed = true,
          .state = BW_STATE_STOPPED,
          .start = BW_START_AUTO,
          .has_start = true},
         "stopped",
         "not running: nothing watches this machine and no alert is raised until it runs; "
         "start it with net start banwatch"},
        {{.queried = true,
          .installed = true,
          .state = BW_STATE_STOPPED,
          .start = BW_START_DISABLED,
          .has_start = true},
         "stopped",
         "disabled: it does not run and will not start; run banwatch install"},
        {{.queried = true, .installed = true, .state = BW_STATE_START_PENDING},
         "start-pending",
         "starting"},
        {{.queried = true, .installed = true, .state = BW_STATE_STOP_PENDING},
         "stop-pending",
         "stopping"},
        {{.queried = true, .installed = true, .state = BW_STATE_PAUSED}, "paused", "neither"},
        {{.queried = true,
          .installed = true,
          .state = BW_STATE_RUNNING,
          .start = BW_START_DEMAND,
          .has_start = true},
         "running",
         "does not start by itself at the next boot"},
        {{.queried = true,
          .installed = true,
          .state = BW_STATE_RUNNING,
          .start = BW_START_AUTO,
          .has_start = true},
         "running",
         NULL},
        /* a start type that could not be read says nothing against it */
        {{.queried = true, .installed = true, .state = BW_STATE_RUNNING}, "running", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *advice = bw_status_service_advice(&cases[i].sv);
        assert_string_equal(bw_status_service_state(&cases[i].sv), cases[i].state);
        if (!cases[i].advice) {
            assert_null(advice);
            continue;
        }
        if (!advice || !strstr(advice, cases[i].advice))
            fail_msg("case %zu: advice '%s' does not say '%s'", i, advice ? advice : "(none)",
                     cases[i].advice);
    }
}

/* A host with Kaspersky: every section filled. */
static void fill(bw_status *s)
{
    memset(s, 0, sizeof *s);
    s->service = (bw_status_service){.queried = true,
                                     .installed = true,
                                     .state = BW_STATE_RUNNING,
                                     .start = BW_START_AUTO,
                                     .has_start = true};
    s->database = S("C:\\ProgramData\\banwatch\\state.db");
    s->mode = BW_MODE_ENFORCE;
    s->mode_source = S("Group Policy (HKLM\\SOFTWARE\\Policies\\banwatch\\ContainmentMode)");

    s->has_verdict = true;
    bw_verdict_record *v = &s->verdict;
    v->at = T0;
    v->present = S("confirmed");
    v->products = S("Kaspersky Endpoint Security 12.3.0.493");
    v->updated_after_cutoff = S("yes");
    v->newest_update = S("2024-09-30T00:00:00Z");
    v->update_evidence = S("last-successful-update");
    v->stale = S("no");
    v->ksn = S("none");
    v->containment = S("enforce: 1 service disabled");
    v->headline = S("Kaspersky: PRESENT (confirmed)");
    v->next_step = S("Next: remove it.");

    s->has_last_scan = true;
    bw_scan_record *r = &s->last_scan;
    r->finished_at = T0 + 60;
    r->host = S("WS-01");
    r->policy_name = S("kaspersky");
    r->policy_version = S("7");
    r->complete = true;
    r->n_findings = 2;

    s->findings.items = items(2, sizeof *s->findings.items);
    s->findings.n = s->findings.cap = 2;
    bw_stored_finding *f = s->findings.items;
    f[0].kind = BW_KIND_DRIVER;
    f[0].name = S("klif");
    f[0].display_name = S("Kaspersky Lab Driver");
    f[0].source = S("HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif");
    f[0].first_seen = T0;
    f[0].last_seen = T0 + 60;
    f[1].kind = BW_KIND_REGISTRY;
    f[1].name = S("AVP21.3");
    f[1].version = S("21.3.10.391");
    f[1].source = S("HKLM\\SOFTWARE\\KasperskyLab\\AVP21.3");
    f[1].first_seen = T0 - DAY;
    f[1].last_seen = 0;

    s->updates.items = items(2, sizeof *s->updates.items);
    s->updates.n = s->updates.cap = 2;
    bw_stored_update *u = s->updates.items;
    u[0].product = S("AVP21.19");
    u[0].has_date = true;
    u[0].newest = T0 + DAY;
    u[0].evidence = S("last-successful-update");
    u[0].source = S("HKLM\\SOFTWARE\\KasperskyLab\\AVP21.19\\Data");
    u[0].after_cutoff = true;
    u[0].age_days = 40;
    u[0].stale = true;
    u[1].never_updated = true;

    s->containment.items = items(3, sizeof *s->containment.items);
    s->containment.n = s->containment.cap = 3;
    bw_contain_record *c = s->containment.items;
    c[0].name = S("AVP");
    c[0].kind = S("service");
    c[0].display_name = S("Kaspersky Anti-Virus Service");
    c[0].changed = true;
    c[0].has_prior = true;
    c[0].prior_start = BW_START_AUTO;
    c[0].prior_state = BW_STATE_RUNNING;
    c[0].outcome = BW_OUTCOME_STOPPED;
    c[0].action = S("stop");
    c[0].changed_at = T0;
    c[0].outcome_at = T0 + 5;
    c[1].name = S("klnagent");
    c[1].kind = S("dependent");
    c[1].outcome = BW_OUTCOME_RESTORED;
    c[1].action = S("restore");
    c[1].outcome_at = T0 + 10;
    c[1].restored_at = T0 + 10;
    c[2].name = S("klif");
    c[2].outcome = BW_OUTCOME_BLOCKED;
    c[2].error = 5;
    c[2].detail = S("access denied (self-defense)");
    c[2].outcome_at = T0 + 7;

    s->alerts.items = items(3, sizeof *s->alerts.items);
    s->alerts.n = s->alerts.cap = 3;
    bw_alert_record *a = s->alerts.items;
    a[0].event_id = 202;
    a[0].raised_at = T0;
    a[0].fields_json =
        S("{\"kind\":\"driver\",\"name\":\"klif\",\"path\":null,"
          "\"source\":\"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\klif\"}");
    a[1].event_id = 100;
    a[1].raised_at = T0 - 60;
    a[1].fields_json = S("{}");
    a[2].event_id = 777;
    a[2].raised_at = T0 - 120;
}

static void test_filled_text(void **state)
{
    (void)state;
    bw_status s;
    fill(&s);
    render(&s, false,
           "Kaspersky: PRESENT (confirmed)\n"
           "Next: remove it.\n"
           "(verdict since 2024-09-29T08:53:20Z)\n"
           "\n"
           "banwatch state (C:\\ProgramData\\banwatch\\state.db)\n"
           "service: running (automatic start)\n"
           "last scan: 2024-09-29T08:54:20Z (complete, policy kaspersky 7)\n"
           "findings present: 2\n"
           "  [driver] klif (Kaspersky Lab Driver) since 2024-09-29T08:53:20Z\n"
           "  [registry] AVP21.3 since 2024-09-28T08:53:20Z\n"
           "update AVP21.19: newest 2024-09-30T08:53:20Z (last-successful-update), 40 days old, "
           "AFTER CUTOFF, STALE\n"
           "update (no product): no update date, never updated\n"
           "containment mode: enforce (Group Policy "
           "(HKLM\\SOFTWARE\\Policies\\banwatch\\ContainmentMode))\n"
           "containment: 1 service(s) changed by banwatch ('banwatch restore' puts them back)\n"
           "  service AVP: stopped at 2024-09-29T08:53:25Z; changed since 2024-09-29T08:53:20Z, "
           "was automatic and running\n"
           "  dependent klnagent: restored at 2024-09-29T08:53:30Z; restored at "
           "2024-09-29T08:53:30Z\n"
           "  service klif: blocked at 2024-09-29T08:53:27Z\n"
           "recent alerts: 3\n"
           "  2024-09-29T08:53:20Z 202 new-driver\n"
           "  2024-09-29T08:52:20Z 100 agent-started\n"
           "  2024-09-29T08:51:20Z 777 unknown\n");
    bw_status_free(&s);
}

static void test_filled_json(void **state)
{
    (void)state;
    bw_status s;
    fill(&s);
    render(
        &s, true,
        "{\n"
        "  \"service\": {\"installed\": true, \"state\": \"running\", \"start_type\": "
        "\"automatic\", \"advice\": null, \"error\": null},\n"
        "  \"database\": \"C:\\\\ProgramData\\\\banwatch\\\\state.db\",\n"
        "  \"verdict\": {\"since\": \"2024-09-29T08:53:20Z\", \"present\": \"confirmed\", "
        "\"products\": \"Kaspersky Endpoint Security 12.3.0.493\", "
        "\"updated_after_cutoff\": \"yes\", \"newest_update\": \"2024-09-30T00:00:00Z\", "
        "\"update_evidence\": \"last-successful-update\", \"stale\": \"no\", "
        "\"ksn\": \"none\", \"containment\": \"enforce: 1 service disabled\", "
        "\"headline\": \"Kaspersky: PRESENT (confirmed)\", \"next_step\": \"Next: remove "
        "it.\"},\n"
        "  \"last_scan\": {\"finished_at\": \"2024-09-29T08:54:20Z\", \"host\": \"WS-01\", "
        "\"policy\": \"kaspersky\", \"policy_version\": \"7\", \"complete\": true, "
        "\"findings\": 2},\n"
        "  \"findings\": [\n"
        "    {\"kind\": \"driver\", \"name\": \"klif\", \"key\": \"klif\", \"display_name\": "
        "\"Kaspersky Lab "
        "Driver\", "
        "\"version\": null, "
        "\"source\": \"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\klif\", "
        "\"first_seen\": \"2024-09-29T08:53:20Z\", \"last_seen\": \"2024-09-29T08:54:20Z\"},\n"
        "    {\"kind\": \"registry\", \"name\": \"AVP21.3\", \"key\": \"AVP21.3\", "
        "\"display_name\": null, "
        "\"version\": \"21.3.10.391\", \"source\": "
        "\"HKLM\\\\SOFTWARE\\\\KasperskyLab\\\\AVP21.3\", "
        "\"first_seen\": \"2024-09-28T08:53:20Z\", \"last_seen\": null}\n"
        "  ],\n"
        "  \"updates\": [\n"
        "    {\"product\": \"AVP21.19\", \"newest_update\": \"2024-09-30T08:53:20Z\", "
        "\"evidence\": \"last-successful-update\", "
        "\"source\": \"HKLM\\\\SOFTWARE\\\\KasperskyLab\\\\AVP21.19\\\\Data\", "
        "\"after_cutoff\": true, \"age_days\": 40, \"stale\": true, \"never_updated\": false},\n"
        "    {\"product\": null, \"newest_update\": null, \"evidence\": null, \"source\": null, "
        "\"after_cutoff\": false, \"age_days\": null, \"stale\": false, \"never_updated\": "
        "true}\n"
        "  ],\n"
        "  \"containment_mode\": {\"mode\": \"enforce\", \"source\": \"Group Policy "
        "(HKLM\\\\SOFTWARE\\\\Policies\\\\banwatch\\\\ContainmentMode)\"},\n"
        "  \"containment\": [\n"
        "    {\"name\": \"AVP\", \"kind\": \"service\", "
        "\"display_name\": \"Kaspersky Anti-Virus Service\", \"outcome\": \"stopped\", "
        "\"action\": \"stop\", \"changed\": true, \"prior_start_type\": \"automatic\", "
        "\"prior_state\": \"running\", \"changed_at\": \"2024-09-29T08:53:20Z\", "
        "\"outcome_at\": \"2024-09-29T08:53:25Z\", \"restored_at\": null, \"error_code\": 0, "
        "\"detail\": null},\n"
        "    {\"name\": \"klnagent\", \"kind\": \"dependent\", \"display_name\": null, "
        "\"outcome\": \"restored\", \"action\": \"restore\", \"changed\": false, "
        "\"prior_start_type\": null, \"prior_state\": null, \"changed_at\": null, "
        "\"outcome_at\": \"2024-09-29T08:53:30Z\", \"restored_at\": \"2024-09-29T08:53:30Z\", "
        "\"error_code\": 0, \"detail\": null},\n"
        "    {\"name\": \"klif\", \"kind\": null, \"display_name\": null, "
        "\"outcome\": \"blocked\", \"action\": null, \"changed\": false, "
        "\"prior_start_type\": null, \"prior_state\": null, \"changed_at\": null, "
        "\"outcome_at\": \"2024-09-29T08:53:27Z\", \"restored_at\": null, \"error_code\": 5, "
        "\"detail\": \"access denied (self-defense)\"}\n"
        "  ],\n"
        "  \"recent_alerts\": [\n"
        "    {\"event_id\": 202, \"event\": \"new-driver\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", \"fields\": {\"kind\":\"driver\","
        "\"name\":\"klif\",\"path\":null,"
        "\"source\":\"HKLM\\\\SYSTEM\\\\CurrentControlSet\\\\Services\\\\klif\"}},\n"
        "    {\"event_id\": 100, \"event\": \"agent-started\", "
        "\"raised_at\": \"2024-09-29T08:52:20Z\", \"fields\": {}},\n"
        "    {\"event_id\": 777, \"event\": \"unknown\", "
        "\"raised_at\": \"2024-09-29T08:51:20Z\", \"fields\": null}\n"
        "  ]\n"
        "}\n");
    bw_status_free(&s);
}

/* What a tampered database could hold: text that drives a terminal, bytes
 * that are not UTF-8, and alert fields that try to change the document. */
static void hostile(bw_status *s)
{
    memset(s, 0, sizeof *s);
    s->service.error = S("access\x1b[2J denied (5)"); /* not queried */
    s->database = S("C:\\db\x1b[2J");
    s->mode_source = S("policy\rOK");
    s->has_verdict = true;
    s->verdict.at = T0;
    s->verdict.headline = S("\x1b[32mKaspersky: not present\x1b[0m\x1b]0;title\x07");
    s->verdict.next_step = S("Nothing\nto do\xc2\x9b"
                             "2J");
    s->has_last_scan = true;
    s->last_scan.finished_at = T0;
    s->last_scan.policy_name = S("kasp\xff"
                                 "ersky");
    s->last_scan.policy_version = S("1\t2");
    s->findings.items = items(1, sizeof *s->findings.items);
    s->findings.n = s->findings.cap = 1;
    s->findings.items[0].kind = (bw_kind)99;
    s->findings.items[0].name = S("klif\r\n  [driver] fake since 2024");
    s->findings.items[0].display_name = S("\"},\"x\":1,{\"");
    s->findings.items[0].first_seen = T0;
    s->updates.items = items(1, sizeof *s->updates.items);
    s->updates.n = s->updates.cap = 1;
    s->updates.items[0].product = S("AVP\x7f");
    s->containment.items = items(1, sizeof *s->containment.items);
    s->containment.n = s->containment.cap = 1;
    s->containment.items[0].name = S("AVP\x1b[1A");
    s->containment.items[0].kind = S("drv\x08");
    s->containment.items[0].outcome = (bw_contain_outcome)42;
    s->containment.items[0].outcome_at = T0;
    s->alerts.items = items(6, sizeof *s->alerts.items);
    s->alerts.n = s->alerts.cap = 6;
    bw_alert_record *a = s->alerts.items;
    for (size_t i = 0; i < 6; i++) {
        a[i].event_id = 200;
        a[i].raised_at = T0;
    }
    /* structure after the object */
    a[0].fields_json = S("{\"name\":\"a\"},\"x\":1,\"y\":{\"z\":2}");
    /* a value that closes the string and the object */
    a[1].fields_json = S("\"},\"x\":1");
    /* not JSON at all, with a control character and an invalid byte */
    a[2].fields_json = S("DROP\x1b TABLE\xff");
    /* JSON, but not what banwatch stores: nested, a number */
    a[3].fields_json = S("{\"name\":{\"x\":1},\"n\":2}");
    /* what banwatch stores, values that are hostile once decoded */
    a[4].fields_json = S("{\"name\":\"\\u001b[2J\\\"},\\\"x\\\":1\",\"k\\\"ey\":null,"
                         "\"sep\":\"\\u2028\"}");
    /* a repeated key */
    a[5].fields_json = S("{\"name\":\"a\",\"name\":\"b\"}");
}

static void test_hostile_text(void **state)
{
    (void)state;
    bw_status s;
    hostile(&s);
    render(&s, false,
           "WARNING: whether the banwatch service runs is not known: the service control "
           "manager could not be asked (run status from an elevated prompt).\n"
           "\n"
           "\\x1b[32mKaspersky: not present\\x1b[0m\\x1b]0;title\\x07\n"
           "Nothing\\x0ato do\\xc2\\x9b2J\n"
           "(verdict since 2024-09-29T08:53:20Z)\n"
           "\n"
           "banwatch state (C:\\db\\x1b[2J)\n"
           "service: unknown (access\\x1b[2J denied (5))\n"
           "last scan: 2024-09-29T08:53:20Z (INCOMPLETE, policy kasp\\xffersky 1\\x092)\n"
           "findings present: 1\n"
           "  [unknown] klif\\x0d\\x0a  [driver] fake since 2024 (\"},\"x\":1,{\") since "
           "2024-09-29T08:53:20Z\n"
           "update AVP\\x7f: no update date\n"
           "containment mode: audit (policy\\x0dOK)\n"
           "containment: 0 service(s) changed by banwatch\n"
           "  drv\\x08 AVP\\x1b[1A: unknown at 2024-09-29T08:53:20Z\n"
           "recent alerts: 6\n"
           "  2024-09-29T08:53:20Z 200 new-product\n"
           "  2024-09-29T08:53:20Z 200 new-product\n"
           "  2024-09-29T08:53:20Z 200 new-product\n"
           "  2024-09-29T08:53:20Z 200 new-product\n"
           "  2024-09-29T08:53:20Z 200 new-product\n"
           "  2024-09-29T08:53:20Z 200 new-product\n");
    bw_status_free(&s);
}

static void test_hostile_json(void **state)
{
    (void)state;
    bw_status s;
    hostile(&s);
    render(
        &s, true,
        "{\n"
        "  \"service\": {\"installed\": null, \"state\": null, \"start_type\": null, "
        "\"advice\": \"whether the banwatch service runs is not known: the service control "
        "manager could not be asked (run status from an elevated prompt)\", \"error\": "
        "\"access\\u001b[2J denied (5)\"},\n"
        "  \"database\": \"C:\\\\db\\u001b[2J\",\n"
        "  \"verdict\": {\"since\": \"2024-09-29T08:53:20Z\", \"present\": null, "
        "\"products\": null, \"updated_after_cutoff\": null, \"newest_update\": null, "
        "\"update_evidence\": null, \"stale\": null, \"ksn\": null, \"containment\": null, "
        "\"headline\": \"\\u001b[32mKaspersky: not present\\u001b[0m\\u001b]0;title\\u0007\", "
        "\"next_step\": \"Nothing\\nto do\\u009b2J\"},\n"
        "  \"last_scan\": {\"finished_at\": \"2024-09-29T08:53:20Z\", \"host\": null, "
        "\"policy\": \"kasp\\ufffdersky\", \"policy_version\": \"1\\t2\", \"complete\": false, "
        "\"findings\": 0},\n"
        "  \"findings\": [\n"
        "    {\"kind\": \"unknown\", \"name\": \"klif\\r\\n  [driver] fake since 2024\", "
        "\"key\": \"klif\\r\\n  [driver] fake since 2024\", "
        "\"display_name\": \"\\\"},\\\"x\\\":1,{\\\"\", \"version\": null, \"source\": null, "
        "\"first_seen\": \"2024-09-29T08:53:20Z\", \"last_seen\": null}\n"
        "  ],\n"
        "  \"updates\": [\n"
        "    {\"product\": \"AVP\\u007f\", \"newest_update\": null, \"evidence\": null, "
        "\"source\": null, \"after_cutoff\": false, \"age_days\": null, \"stale\": false, "
        "\"never_updated\": false}\n"
        "  ],\n"
        "  \"containment_mode\": {\"mode\": \"audit\", \"source\": \"policy\\rOK\"},\n"
        "  \"containment\": [\n"
        "    {\"name\": \"AVP\\u001b[1A\", \"kind\": \"drv\\u0008\", \"display_name\": null, "
        "\"outcome\": \"unknown\", \"action\": null, \"changed\": false, "
        "\"prior_start_type\": null, \"prior_state\": null, \"changed_at\": null, "
        "\"outcome_at\": \"2024-09-29T08:53:20Z\", \"restored_at\": null, \"error_code\": 0, "
        "\"detail\": null}\n"
        "  ],\n"
        "  \"recent_alerts\": [\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", "
        "\"fields\": \"{\\\"name\\\":\\\"a\\\"},\\\"x\\\":1,\\\"y\\\":{\\\"z\\\":2}\"},\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", \"fields\": \"\\\"},\\\"x\\\":1\"},\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", \"fields\": \"DROP\\u001b TABLE\\ufffd\"},\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", "
        "\"fields\": \"{\\\"name\\\":{\\\"x\\\":1},\\\"n\\\":2}\"},\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", "
        "\"fields\": {\"name\":\"\\u001b[2J\\\"},\\\"x\\\":1\",\"k\\\"ey\":null,"
        "\"sep\":\"\\u2028\"}},\n"
        "    {\"event_id\": 200, \"event\": \"new-product\", "
        "\"raised_at\": \"2024-09-29T08:53:20Z\", "
        "\"fields\": \"{\\\"name\\\":\\\"a\\\",\\\"name\\\":\\\"b\\\"}\"}\n"
        "  ]\n"
        "}\n");
    bw_status_free(&s);
}

/* The store keeps an alert's fields as bw_alert_fields_json writes them:
 * status writes them back unchanged. (Only a U+FFFD the writer put for an
 * invalid byte comes back as the character itself, not as \ufffd.) */
static void test_alert_fields_round_trip(void **state)
{
    (void)state;
    bw_alert al = {0};
    assert_int_equal(bw_alert_error(BW_EVENT_POLICY_INVALID, "WS-\x1b",
                                    "policy.yaml:3:1: \"bad\"\tkey \\ \xe2\x80\xa8 \xc3\xa9",
                                    &al),
                     BW_OK);
    bw_buf stored = {0};
    assert_int_equal(bw_alert_fields_json(&al, &stored), BW_OK);
    bw_alert_clear(&al);

    bw_status s = {0};
    s.alerts.items = items(1, sizeof *s.alerts.items);
    s.alerts.n = s.alerts.cap = 1;
    s.alerts.items[0].event_id = BW_EVENT_POLICY_INVALID;
    s.alerts.items[0].raised_at = T0;
    s.alerts.items[0].fields_json = bw_buf_take(&stored);
    bw_buf b = {0};
    assert_int_equal(bw_report_status_json(&s, &b), BW_OK);
    char *expect = bw_strfmt("\"fields\": %s}\n  ]\n}\n", s.alerts.items[0].fields_json);
    assert_non_null(expect);
    assert_non_null(strstr(b.data, expect));
    free(expect);
    bw_buf_free(&b);
    bw_status_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_service_advice),
        cmocka_unit_test(test_filled_text),
        cmocka_unit_test(test_filled_json),
        cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_hostile_json),
        cmocka_unit_test(test_alert_fields_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
