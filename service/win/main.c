/*
 * main.c - banwatch.exe entry point: the command-line tool (Win32 layer).
 *
 *   banwatch scan [--json] [--policy FILE]   scan this machine
 *   banwatch install [--no-start] | uninstall
 *                                            register and start / remove the service
 *   banwatch reload                          the service re-reads its policy
 *   banwatch status [--json]                 the service and its database
 *   banwatch restore [--service NAME] [--start] [--force]
 *                                            undo containment
 *   banwatch run                             the service's loop in a console
 *   banwatch service                         (what the SCM starts)
 *   banwatch version                         print the version
 *   banwatch help [COMMAND]                  usage (also COMMAND --help)
 *
 * The commands, their options and help texts are one table in
 * core/bw_cli.c, which also parses the arguments; this file runs them.
 *
 * Exit codes of `scan` (docs/scan-json.md): 0 nothing found and the scan
 * was complete, 1 findings, 2 error (bad usage, unreadable or invalid
 * policy, out of memory), 4 nothing found but parts of the machine could
 * not be read (incomplete). 3 is avoided on purpose: the C runtime's
 * abort() exits with 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_agent.h"
#include "bw_api.h"
#include "collect/bw_collect.h"
#include "bw_scm.h"
#include "install/bw_install.h"
#include "contain/bw_contain_exec.h"
#include "bw_console.h"
#include "bw_datadir.h"
#include "bw_policyload.h"
#include "bw_winhost.h"
#include "sink/bw_sink.h"
#include "../core/bw_alert.h"
#include "../core/bw_cli.h"
#include "../core/bw_store.h"
#include "../core/bw_eval.h"
#include "../core/bw_judge.h"
#include "../core/bw_policy.h"
#include "../core/bw_report.h"
#include "../core/bw_status.h"
#include "../core/bw_str.h"

#include "bw_version.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2, EXIT_INCOMPLETE = 4 };

static const bw_api *api = &bw_api_system;

static void out(const char *s)
{
    bw_win_write_std(api, STD_OUTPUT_HANDLE, s, strlen(s));
}

static void err(const char *fmt, ...) BW_PRINTF(1, 2);
static void err(const char *fmt, ...)
{
    bw_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    bw_buf_puts(&b, "banwatch: ");
    bw_buf_vprintf(&b, fmt, ap);
    bw_buf_putc(&b, '\n');
    va_end(ap);
    if (!b.failed)
        bw_win_write_std(api, STD_ERROR_HANDLE, b.data, b.len);
    bw_buf_free(&b);
}

/* The overview, or one command's help, on stdout. */
static void help(bool overview, bw_cmd cmd)
{
    bw_buf b = {0};
    bw_err e = overview ? bw_cli_help_overview(&b) : bw_cli_help_command(cmd, &b);
    if (e == BW_OK)
        bw_win_write_std(api, STD_OUTPUT_HANDLE, b.data, b.len);
    bw_buf_free(&b);
}

/* The policy scan uses: the file given, else the service's (its policy
 * file when present and trusted, else the built-in one), with Group
 * Policy's values over it. Errors and what was not used go to stderr. */
static bw_policy *scan_policy(const char *path, bw_policy_in_force *in)
{
    char msg[1024] = "";
    bw_err e = bw_win_policy_in_force(api, path, in, msg, sizeof msg);
    if (e == BW_ENOTFOUND && path)
        err("cannot read policy %s: file not found", path);
    else if (e)
        err("%s%s", path ? "invalid policy: " : "policy: ", msg[0] ? msg : bw_strerror(e));
    if (e)
        return NULL;
    if (in->src.file_err == BW_EACCES)
        err("warning: refusing %s: %s; the built-in policy is used",
            in->src.refused ? in->src.refused : in->src.path, in->src.why);
    else if (in->src.file_err != BW_OK && in->src.file_err != BW_ENOTFOUND)
        err("warning: invalid policy: %s; the built-in policy is used", in->src.why);
    for (size_t i = 0; i < in->applied.errors.n; i++)
        err("warning: %s (not applied)", in->applied.errors.items[i]);
    return in->src.pol;
}

static int cmd_scan(const bw_cli_args *a)
{
    bool json = bw_cli_flag(a, "--json");
    const char *policy_path = bw_cli_value(a, "--policy");

    int rc = EXIT_ERROR;
    bw_snapshot *snap = NULL;
    bw_judgement j = {0};
    bw_buf report = {0};
    bw_policy_in_force in = {0};
    bw_policy *pol = scan_policy(policy_path, &in);
    if (!pol)
        goto out;
    snap = bw_snapshot_new();
    if (!snap ||
        bw_win_collect_all(api, &pol->registry_roots, &pol->bases_paths, snap) != BW_OK) {
        err("scan: out of memory while collecting");
        goto out;
    }
    /* The one judgement, in the containment mode in force: the policy given
     * (or the service's) with Group Policy's values over it. */
    if (bw_judge(snap, pol, snap->taken_at, pol->mode, &j) != BW_OK) {
        err("scan: out of memory while judging");
        goto out;
    }
    bw_report_source src = {in.applied.mode_source, in.src.origin, in.from_gp};
    bw_err e = json ? bw_report_json_src(snap, pol, &j, &src, &report)
                    : bw_report_text_src(snap, pol, &j, &src, &report);
    if (e) {
        err("scan: out of memory while writing the report");
        goto out;
    }
    if (bw_win_write_std(api, STD_OUTPUT_HANDLE, report.data, report.len) != BW_OK) {
        err("scan: cannot write the report to standard output");
        goto out;
    }
    switch (bw_judgement_outcome(&j)) {
    case BW_SCAN_FINDINGS: rc = EXIT_FINDINGS; break;
    case BW_SCAN_INCOMPLETE: rc = EXIT_INCOMPLETE; break;
    default: rc = EXIT_CLEAN; break;
    }
out:
    bw_buf_free(&report);
    bw_judgement_free(&j);
    bw_snapshot_free(snap);
    bw_policy_in_force_free(&in);
    return rc;
}

/* install: registers the service, then starts it (unless start is false:
 * the MSI starts it itself). Registered but not started: exit 1. */
static int cmd_install(bool install, bool start)
{
    char msg[1024] = "";
    bw_err e;
    if (install) {
        wchar_t exe[MAX_PATH];
        DWORD n = api->GetModuleFileNameW(NULL, exe, MAX_PATH);
        if (n == 0 || n >= MAX_PATH) {
            err("install: cannot find the path of banwatch.exe");
            return EXIT_ERROR;
        }
        e = bw_win_service_install(api, exe, msg, sizeof msg);
    } else {
        e = bw_win_service_uninstall(api, 20000, msg, sizeof msg);
    }
    if (e) {
        err("%s", msg);
        return EXIT_ERROR;
    }
    out(msg);
    out("\n");
    if (!install)
        return 0;
    if (!start) {
        out("not started (--no-start): start it with 'net start banwatch'\n");
        return 0;
    }
    e = bw_win_service_start(api, 30000, msg, sizeof msg);
    if (e) {
        err("install: %s", msg);
        return EXIT_FINDINGS; /* 1: registered, not started */
    }
    out(msg);
    out("\n");
    return 0;
}

/* Console mode: the same loop as the service; Ctrl+C or Ctrl+Break stop it. */
static HANDLE console_stop;
static BOOL WINAPI on_console_ctrl(DWORD type)
{
    (void)type;
    api->SetEvent(console_stop);
    return TRUE;
}

static int cmd_run(void)
{
    console_stop = api->CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE reload = api->CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!console_stop || !reload) {
        err("run: cannot create events");
        return EXIT_ERROR;
    }
    api->SetConsoleCtrlHandler(on_console_ctrl, TRUE);
    bw_err e = bw_agent_run(api, console_stop, reload, NULL);
    api->CloseHandle(console_stop);
    api->CloseHandle(reload);
    if (e) {
        err("run: %s", bw_strerror(e));
        return EXIT_ERROR;
    }
    return 0;
}

static int cmd_service(void)
{
    unsigned long syserr = 0;
    if (bw_win_service_run(api, &syserr) != BW_OK) {
        if (syserr == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            err("service: not started by the service control manager "
                "(use 'banwatch install', or 'banwatch run' in a console)");
        else
            err("service: cannot connect to the service control manager (error %lu)", syserr);
        return EXIT_ERROR;
    }
    return 0;
}

/* The containment mode in force for the service: its policy (the file
 * Group Policy names or the data folder's policy.yaml, the built-in policy
 * when there is none or it is refused or invalid), overridden by Group
 * Policy. */
static bw_mode mode_in_force(const bw_datadir *dd, char *source, size_t srclen)
{
    (void)dd;
    char msg[1024];
    bw_policy_in_force in;
    bw_mode m = BW_MODE_AUDIT;
    if (bw_win_policy_in_force(api, NULL, &in, msg, sizeof msg) == BW_OK) {
        m = in.src.pol->mode;
        snprintf(source, srclen, "%s", in.applied.mode_source);
    } else {
        snprintf(source, srclen, "the policy cannot be loaded: audit");
    }
    bw_policy_in_force_free(&in);
    return m;
}

/* The data folder and the path of the state database in it, for the command
 * cmd, with the folder made safe and the database's files checked
 * (core/bw_trust.h). On failure says why on stderr and returns false. */
static bool open_data(const char *cmd, bw_datadir *dd, char **db_path)
{
    unsigned long syserr = 0;
    *db_path = NULL;
    bw_err e = bw_win_data_dir_open(api, dd, &syserr);
    if (e == BW_EACCES) {
        err("%s: the data folder %s cannot be trusted: %s", cmd, dd->path, dd->found);
        return false;
    }
    if (e) {
        err("%s: cannot find or create the data folder (error %lu)", cmd, syserr);
        return false;
    }
    static const char *const files[] = {"state.db", "state.db-journal", "state.db-wal",
                                        "state.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char why[320];
        e = bw_datadir_file_trusted(api, dd, files[i], why, sizeof why);
        if (e != BW_OK && e != BW_ENOTFOUND) {
            err("%s: refusing %s\\%s: %s (an administrator should delete it)", cmd, dd->path,
                files[i], why);
            return false;
        }
    }
    *db_path = bw_strfmt("%s\\state.db", dd->path);
    if (!*db_path)
        err("%s: out of memory", cmd);
    return *db_path != NULL;
}

/* A read that may find nothing: BW_ENOTFOUND is no failure, *has says
 * whether there was something. */
static bw_err found(bw_err e, bool *has)
{
    *has = e == BW_OK;
    return e == BW_ENOTFOUND ? BW_OK : e;
}

/* Gathers what status shows: the service's state, the state database's
 * records and the containment mode in force. A failure is reported on
 * stderr (with what the service's state means, when it is not running). */
static bool status_gather(bw_status *s)
{
    char msg[1024] = "", source[256] = "";
    if (bw_win_service_query(api, &s->service) != BW_OK) {
        err("status: out of memory");
        return false;
    }
    bw_datadir dd;
    bool ok = open_data("status", &dd, &s->database);
    if (ok)
        s->mode = mode_in_force(&dd, source, sizeof source);
    bw_datadir_free(&dd);
    const char *advice = bw_status_service_advice(&s->service);
    if (!ok && advice)
        err("status: %s", advice);
    if (!ok)
        return false;
    s->mode_source = bw_strdup(source);
    if (!s->mode_source) {
        err("status: out of memory");
        return false;
    }
    bw_store *st = NULL;
    if (bw_store_open(s->database, &st, NULL, msg, sizeof msg) != BW_OK) {
        err("status: %s", msg);
        return false;
    }
    bw_err e = bw_store_contain_list(st, &s->containment);
    if (e == BW_OK)
        e = found(bw_store_verdict_last(st, &s->verdict), &s->has_verdict);
    if (e == BW_OK)
        e = found(bw_store_last_scan(st, &s->last_scan), &s->has_last_scan);
    if (e == BW_OK)
        e = bw_store_current_findings(st, &s->findings);
    if (e == BW_OK)
        e = bw_store_recent_alerts(st, BW_STATUS_RECENT_ALERTS, &s->alerts);
    if (e == BW_OK)
        e = bw_store_update_status(st, &s->updates);
    if (e != BW_OK)
        err("status: %s", bw_store_errmsg(st));
    bw_store_close(st);
    return e == BW_OK;
}

/* status: gathered here, rendered by the report module (bw_report_status.c). */
static int cmd_status(const bw_cli_args *a)
{
    bool json = bw_cli_flag(a, "--json");
    int rc = EXIT_ERROR;
    bw_status s = {0};
    bw_buf b = {0};
    if (status_gather(&s)) {
        bw_err e = json ? bw_report_status_json(&s, &b) : bw_report_status_text(&s, &b);
        if (e != BW_OK) {
            err("status: out of memory");
        } else {
            bw_win_write_std(api, STD_OUTPUT_HANDLE, b.data, b.len);
            rc = 0;
        }
    }
    bw_buf_free(&b);
    bw_status_free(&s);
    return rc;
}

/* ---- restore ---------------------------------------------------------------------- */

typedef struct restore_ctx {
    bw_sinks sinks;
    bw_store *store;
    char *host;
} restore_ctx;

static void on_restore(void *ctx, const bw_contain_result *r)
{
    restore_ctx *rc = ctx;
    bw_buf line = {0};
    bw_buf_printf(&line, "%s %s: %s%s%s\n", r->kind ? r->kind : "service", r->name,
                  bw_contain_outcome_name(r->outcome), r->detail ? ": " : "",
                  r->detail ? r->detail : "");
    if (!line.failed)
        bw_win_write_std(api,
                         r->outcome == BW_OUTCOME_RESTORED ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE,
                         line.data, line.len);
    bw_buf_free(&line);
    bw_alert al = {0};
    if (bw_alert_contain(r, rc->host, &al) != BW_OK)
        return;
    int64_t now = bw_win_now(api);
    bw_sinks_emit(&rc->sinks, &al, now, NULL);
    bw_buf fields = {0};
    if (bw_alert_fields_json(&al, &fields) == BW_OK)
        bw_store_record_alert(rc->store, 0, (int)al.event_id, fields.data, now, NULL);
    bw_buf_free(&fields);
    bw_alert_clear(&al);
}

/* While enforce is in force the service would disable everything again:
 * restore refuses unless forced (core/bw_cli.c says why and what to do). */
static bool restore_refused(const bw_datadir *dd, bool force, char *source, size_t srclen)
{
    bw_mode mode = mode_in_force(dd, source, srclen);
    char *policy = bw_strfmt("%s\\policy.yaml", dd->path);
    char msg[1024];
    bool refused = bw_cli_restore_refused(mode, source, force, policy, msg, sizeof msg);
    free(policy);
    if (refused)
        bw_win_write_std(api, STD_ERROR_HANDLE, msg, strlen(msg));
    return refused;
}

static int cmd_restore(const bw_cli_args *a)
{
    bw_restore_opts o = {.start_timeout_ms = 30000,
                         .start = bw_cli_flag(a, "--start"),
                         .only = bw_cli_value(a, "--service")};
    char *path = NULL, msg[1024] = "", source[256] = "";
    int rc = EXIT_ERROR;
    restore_ctx ctx = {0};
    bw_datadir dd;
    if (!open_data("restore", &dd, &path))
        goto out;
    if (restore_refused(&dd, bw_cli_flag(a, "--force"), source, sizeof source))
        goto out;
    if (bw_store_open(path, &ctx.store, NULL, msg, sizeof msg) != BW_OK) {
        err("restore: %s", msg);
        goto out;
    }
    bw_sink_env env = {.api = api, .data_dir = dd.path, .self_sid = dd.self_sid};
    if (bw_sinks_open(&env, &ctx.sinks, msg, sizeof msg) == BW_ENOMEM) {
        err("restore: out of memory");
        goto out;
    }
    {
        char why[256];
        bw_win_host_name(api, &ctx.host, why, sizeof why);
    }
    o.now = bw_win_now(api);
    size_t ok = 0, bad = 0;
    bw_err e = bw_win_restore(api, ctx.store, &o, on_restore, &ctx, &ok, &bad);
    if (e == BW_ENOTFOUND) {
        err("restore: no service named '%s' was changed by banwatch (see banwatch status)",
            o.only);
        goto out;
    }
    if (e) {
        err("restore: %s", e == BW_ENOMEM ? "out of memory" : bw_store_errmsg(ctx.store));
        goto out;
    }
    char line[160];
    snprintf(line, sizeof line, "restore: %zu restored, %zu failed\n", ok, bad);
    out(line);
    /* Forced while enforce is in force: the agent acts again at its next
     * scan. Say so. */
    if (ok && mode_in_force(&dd, source, sizeof source) == BW_MODE_ENFORCE)
        err("warning: the containment mode in force is enforce (%s): the service disables "
            "these services again at its next scan unless the mode is audit or they are in "
            "containment.allowlist",
            source);
    rc = bad ? EXIT_ERROR : 0;
out:
    bw_sinks_close(&ctx.sinks);
    bw_store_close(ctx.store);
    free(ctx.host);
    free(path);
    bw_datadir_free(&dd);
    return rc;
}

static int cmd_reload(void)
{
    char msg[512] = "";
    if (bw_win_service_reload(api, msg, sizeof msg) != BW_OK) {
        err("reload: %s", msg);
        return EXIT_ERROR;
    }
    out(msg);
    out("\n");
    return 0;
}

/* Parses the arguments (after the program's name) and runs the command. */
static int run_command(int argc, char **argv)
{
    bw_cli_args a;
    char msg[512];
    if (bw_cli_parse(argc, argv, &a, msg, sizeof msg) != BW_OK) {
        bw_win_write_std(api, STD_ERROR_HANDLE, msg, strlen(msg));
        return EXIT_ERROR;
    }
    if (a.help || a.usage_error) {
        help(a.overview || a.usage_error, a.cmd);
        return a.usage_error ? EXIT_ERROR : 0;
    }
    switch (a.cmd) {
    case BW_CMD_SCAN: return cmd_scan(&a);
    case BW_CMD_STATUS: return cmd_status(&a);
    case BW_CMD_INSTALL: return cmd_install(true, !bw_cli_flag(&a, "--no-start"));
    case BW_CMD_UNINSTALL: return cmd_install(false, false);
    case BW_CMD_RELOAD: return cmd_reload();
    case BW_CMD_RESTORE: return cmd_restore(&a);
    case BW_CMD_RUN: return cmd_run();
    case BW_CMD_SERVICE: return cmd_service();
    case BW_CMD_VERSION: out("banwatch " BW_VERSION "\n"); return 0;
    default: help(true, a.cmd); return 0;
    }
}

int wmain(int argc, wchar_t **wargv);
int wmain(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    int rc = EXIT_ERROR;
    if (!argv)
        return EXIT_ERROR;
    for (int i = 0; i < argc; i++) {
        if (bw_utf16_to_utf8((const uint16_t *)wargv[i], wcslen(wargv[i]), &argv[i]) != BW_OK) {
            err("argument %d is not valid UTF-16", i);
            goto out;
        }
    }
    rc = run_command(argc - 1, argv + 1);
out:
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}
