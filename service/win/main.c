/*
 * main.c - banwatch.exe entry point: the command-line tool (Win32 layer).
 *
 *   banwatch scan [--json] [--policy FILE]   scan this machine
 *   banwatch version                         print the version
 *   banwatch help                            usage
 *
 * Exit codes of `scan` (docs/scan-json.md): 0 nothing found and the scan
 * was complete, 1 findings, 2 error (bad usage, unreadable or invalid
 * policy, out of memory), 4 nothing found but parts of the machine could
 * not be read (incomplete). 3 is avoided on purpose: the C runtime's
 * abort() exits with 3.
 */
#include <stdlib.h>
#include <string.h>

#include "bw_api.h"
#include "bw_collect.h"
#include "bw_winio.h"
#include "../core/bw_eval.h"
#include "../core/bw_policy.h"
#include "../core/bw_report.h"
#include "../core/bw_str.h"

#ifndef BW_VERSION
#define BW_VERSION "0.1.0"
#endif

enum {
    EXIT_CLEAN = 0,
    EXIT_FINDINGS = 1,
    EXIT_ERROR = 2,
    EXIT_INCOMPLETE = 4
};

#define POLICY_MAX_BYTES (4u << 20)

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

static void usage(void)
{
    out("usage: banwatch <command> [options]\n"
        "\n"
        "commands:\n"
        "  scan [--json] [--policy FILE]  scan this machine for the policy's vendor\n"
        "                                 (default policy: built-in kaspersky.yaml)\n"
        "  version                        print the version\n"
        "  help                           print this text\n"
        "\n"
        "scan exit codes: 0 clean, 1 findings, 2 error, 4 clean but incomplete\n");
}

/* Loads the policy from a file, or the built-in default when path is NULL.
 * Reports errors on stderr. */
static bw_policy *load_policy(const char *path)
{
    char msg[1024] = "";
    bw_policy *pol = NULL;
    if (!path) {
        if (bw_policy_parse(bw_default_policy_text, bw_default_policy_len,
                            "built-in:kaspersky.yaml", &pol, msg, sizeof msg) != BW_OK) {
            err("built-in policy: %s", msg);
            return NULL;
        }
        return pol;
    }
    char *text = NULL;
    size_t len = 0;
    unsigned long syserr = 0;
    bw_err e = bw_win_read_file(api, path, POLICY_MAX_BYTES, &text, &len, &syserr);
    if (e) {
        char why[128];
        if (e == BW_ERANGE)
            snprintf(why, sizeof why, "larger than %u bytes", POLICY_MAX_BYTES);
        else if (syserr)
            bw_win_error_text(syserr, why, sizeof why);
        else
            snprintf(why, sizeof why, "%s", bw_strerror(e));
        err("cannot read policy %s: %s", path, why);
        return NULL;
    }
    e = bw_policy_parse(text, len, path, &pol, msg, sizeof msg);
    free(text);
    if (e) {
        err("invalid policy: %s", msg);
        return NULL;
    }
    return pol;
}

/* Runs every collector; only running out of memory stops the scan. */
static bw_err collect(const bw_policy *pol, bw_snapshot *snap)
{
    bw_err e = bw_win_collect_host(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_uninstall(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_services(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_class_filters(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_vendor_roots(api, &pol->registry_roots, snap);
    return e;
}

static int cmd_scan(int argc, char **argv)
{
    bool json = false;
    const char *policy_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
            policy_path = argv[++i];
        } else {
            err("scan: unknown or incomplete option '%s' (see banwatch help)", argv[i]);
            return EXIT_ERROR;
        }
    }

    int rc = EXIT_ERROR;
    bw_snapshot *snap = NULL;
    bw_findings findings = {0};
    bw_buf report = {0};
    bw_policy *pol = load_policy(policy_path);
    if (!pol)
        goto out;
    snap = bw_snapshot_new();
    if (!snap || collect(pol, snap) != BW_OK) {
        err("scan: out of memory while collecting");
        goto out;
    }
    if (bw_evaluate(snap, pol, &findings) != BW_OK) {
        err("scan: out of memory while evaluating");
        goto out;
    }
    bw_err e = json ? bw_report_json(snap, pol, &findings, &report)
                    : bw_report_text(snap, pol, &findings, &report);
    if (e) {
        err("scan: out of memory while writing the report");
        goto out;
    }
    if (bw_win_write_std(api, STD_OUTPUT_HANDLE, report.data, report.len) != BW_OK) {
        err("scan: cannot write the report to standard output");
        goto out;
    }
    rc = findings.n ? EXIT_FINDINGS : snap->n_gaps ? EXIT_INCOMPLETE : EXIT_CLEAN;
out:
    bw_buf_free(&report);
    bw_findings_free(&findings);
    bw_snapshot_free(snap);
    bw_policy_free(pol);
    return rc;
}

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
    if (argc < 2) {
        usage();
        goto out;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scan") == 0) {
        rc = cmd_scan(argc - 2, argv + 2);
    } else if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        out("banwatch " BW_VERSION "\n");
        rc = 0;
    } else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage();
        rc = 0;
    } else {
        err("unknown command '%s' (see banwatch help)", cmd);
    }
out:
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}
