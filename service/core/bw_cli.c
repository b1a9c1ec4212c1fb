/*
 * bw_cli.c - the command line of banwatch.exe (portable core): the table of
 * commands and their texts, parsing and help. See bw_cli.h.
 */
#include "bw_cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The one table: every command, its options and its texts. */
static const bw_cli_cmd commands[BW_CMD_COUNT] = {
    [BW_CMD_SCAN] =
        {.name = "scan",
         .synopsis = "scan [--json] [--policy FILE]",
         .summary = "scan this machine for the policy's vendor and print a report",
         .text = "Scans this machine once (installed products, services and drivers, class\n"
                 "filters, the vendor's registry keys, KSN components and connections, update\n"
                 "evidence) and prints the verdict, the findings and the containment plan.\n"
                 "It uses the policy the service uses (the file Group Policy names, else\n"
                 "%ProgramData%\\banwatch\\policy.yaml, else the built-in one, with Group\n"
                 "Policy's values over it) and says which. It changes nothing and writes\n"
                 "no state.",
         .opts = {{"--json", NULL, NULL, "print one JSON document (docs/scan-json.md)"},
                  {"--policy", "FILE", "a file name",
                   "use this policy file instead of the service's policy"}},
         .exits = "0  nothing found, and the whole machine could be read\n"
                  "1  findings of a tier the policy counts\n"
                  "2  an error (bad usage, an unreadable or invalid policy, out of memory)\n"
                  "4  nothing found, but parts of the machine could not be read",
         .example = "banwatch scan --json --policy C:\\ProgramData\\banwatch\\policy.yaml"},
    [BW_CMD_STATUS] =
        {.name = "status",
         .synopsis = "status [--json]",
         .summary = "the endpoint's state: the service, verdict, findings, containment",
         .text = "Shows whether the banwatch service is installed and running, and what it\n"
                 "recorded in its state database: the host verdict, the last scan, the\n"
                 "findings present, update status, what containment did (and the mode in\n"
                 "force) and the most recent alerts.",
         .opts = {{"--json", NULL, NULL, "print one JSON document"}},
         .exits = "0  shown (also when the service is not installed or not running)\n"
                  "2  an error (bad usage, the data folder or database cannot be read)",
         .example = "banwatch status --json"},
    [BW_CMD_INSTALL] =
        {.name = "install",
         .synopsis = "install [--no-start]",
         .summary = "register and start the banwatch service (elevated prompt)",
         .text = "Registers the banwatch service (LocalSystem, automatic delayed start,\n"
                 "restarted on failure) to run this program, and its Event Log source, then\n"
                 "starts it. Safe to run again: an existing registration is brought up to\n"
                 "date. Run it from an elevated (administrator) prompt, with the program in a\n"
                 "folder only administrators can change (Program Files; the MSI puts it there).",
         .opts = {{"--no-start", NULL, NULL,
                   "register only; start it later (net start banwatch)"}},
         .exits = "0  registered (and running, unless --no-start)\n"
                  "1  registered, but the service did not start (the message says why)\n"
                  "2  an error (bad usage, not elevated, the registration failed)",
         .example = "banwatch install"},
    [BW_CMD_UNINSTALL] =
        {.name = "uninstall",
         .synopsis = "uninstall",
         .summary = "stop and remove the service and its Event Log source (elevated)",
         .text = "Stops the banwatch service (waiting up to 20 s), removes it and its Event\n"
                 "Log source. The data folder (%ProgramData%\\banwatch) stays. Not installed\n"
                 "is no error.",
         .exits = "0  removed, or it was not installed\n"
                  "2  an error (bad usage, not elevated, the removal failed)",
         .example = "banwatch uninstall"},
    [BW_CMD_RELOAD] =
        {.name = "reload",
         .synopsis = "reload",
         .summary = "ask the running service to read its policy again",
         .text = "Asks the running service to read its policy (and the Group Policy values)\n"
                 "again and to scan at once. An invalid policy is reported by the service\n"
                 "(event 901), which keeps the one it had.",
         .exits = "0  the service was asked\n"
                  "2  an error (bad usage, not installed, not running, access denied)",
         .example = "banwatch reload"},
    [BW_CMD_RESTORE] =
        {.name = "restore",
         .synopsis = "restore [--service NAME] [--start] [--force]",
         .summary = "undo containment: put back the start types banwatch changed",
         .text = "Puts back the start type of every service containment disabled (or of one),\n"
                 "from the state database, services before the dependents stopped for them.\n"
                 "While the containment mode in force is enforce, the service would disable\n"
                 "them again at its next scan: restore then refuses unless --force is given.\n"
                 "Switch to audit first (mode: audit in the policy, or the Group Policy\n"
                 "value), then run banwatch reload and banwatch restore.",
         .opts = {{"--service", "NAME", "a service name", "only this service"},
                  {"--start", NULL, NULL, "also start what was running before"},
                  {"--force", NULL, NULL, "restore even while the mode in force is enforce"}},
         .exits = "0  everything was restored\n"
                  "2  an error (bad usage, refused in enforce mode, a service banwatch did not\n"
                  "   change, or a service that could not be restored)",
         .example = "banwatch restore --service AVP21.3 --start"},
    [BW_CMD_RUN] =
        {.name = "run",
         .synopsis = "run",
         .summary = "run the service's loop in this console (Ctrl+C stops it)",
         .text = "Runs what the service runs (scans, watches, alerts, containment) in this\n"
                 "console, for trying a policy out. Ctrl+C or Ctrl+Break stops it.",
         .exits = "0  stopped by Ctrl+C\n"
                  "2  an error (bad usage, the agent could not start)",
         .example = "banwatch run"},
    [BW_CMD_SERVICE] =
        {.name = "service",
         .synopsis = "service",
         .summary = "what the service control manager starts (not for a console)",
         .text = "The entry point the service control manager runs. From a console it only\n"
                 "says so: use banwatch install, or banwatch run.",
         .exits = "0  the service stopped\n"
                  "2  not started by the service control manager, or bad usage",
         .example = "sc start banwatch"},
    [BW_CMD_VERSION] = {.name = "version",
                        .synopsis = "version",
                        .summary = "print the version",
                        .text = "Prints the program's version (also --version).",
                        .exits = "0  printed\n"
                                 "2  bad usage",
                        .example = "banwatch version"},
    [BW_CMD_HELP] = {.name = "help",
                     .synopsis = "help [COMMAND]",
                     .summary = "this overview, or one command's help",
                     .text =
                         "Prints the list of commands, or the usage, options, exit codes and an\n"
                         "example of one command (the same as banwatch COMMAND --help).",
                     .operand = "COMMAND",
                     .exits = "0  printed\n"
                              "2  an unknown command, or bad usage",
                     .example = "banwatch help restore"},
};

const bw_cli_cmd *bw_cli_command(bw_cmd c)
{
    return (unsigned)c < BW_CMD_COUNT ? &commands[c] : NULL;
}

/* ---- parsing ---------------------------------------------------------------- */

static bool is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "/?");
}

/* The message: one line, then the pointer to the help. */
static bw_err usage(char *msg, size_t len, const char *cmd, const char *fmt, ...) BW_PRINTF(4, 5);
static bw_err usage(char *msg, size_t len, const char *cmd, const char *fmt, ...)
{
    if (!len)
        return BW_EINVAL;
    int k = snprintf(msg, len, "banwatch%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    if (k >= 0 && (size_t)k < len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + k, len - (size_t)k, fmt, ap);
        va_end(ap);
    }
    size_t n = strlen(msg);
    snprintf(msg + n, len - n, "\nsee 'banwatch %s%s'\n", cmd ? cmd : "help",
             cmd ? " --help" : "");
    return BW_EINVAL;
}

/* The command of that name (or --version), or BW_CMD_COUNT. */
static bw_cmd find_command(const char *name)
{
    if (!strcmp(name, "--version"))
        return BW_CMD_VERSION;
    if (is_help(name))
        return BW_CMD_HELP;
    for (int i = 0; i < BW_CMD_COUNT; i++)
        if (!strcmp(commands[i].name, name))
            return (bw_cmd)i;
    return BW_CMD_COUNT;
}

/* The command name at most two edits from name, or NULL. */
static const char *closest_command(const char *name)
{
    const char *best = NULL;
    size_t dist = 3;
    for (int i = 0; i < BW_CMD_COUNT; i++) {
        size_t d = bw_edit_distance(name, commands[i].name);
        if (d < dist) {
            dist = d;
            best = commands[i].name;
        }
    }
    return best;
}

/* The option of cmd whose name is the first n bytes of arg, or -1. */
static int find_opt(const bw_cli_cmd *c, const char *arg, size_t n)
{
    for (int i = 0; i < BW_CLI_MAX_OPTS && c->opts[i].name; i++)
        if (strlen(c->opts[i].name) == n && !strncmp(c->opts[i].name, arg, n))
            return i;
    return -1;
}

static bw_err unknown_option(const bw_cli_cmd *c, const char *arg, char *msg, size_t len)
{
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
    const char *best = NULL;
    size_t dist = 3;
    for (int i = 0; i < BW_CLI_MAX_OPTS && c->opts[i].name; i++) {
        size_t d = bw_edit_distance(name, c->opts[i].name);
        if (d < dist) {
            dist = d;
            best = c->opts[i].name;
        }
    }
    if (best)
        return usage(msg, len, c->name, "unknown option '%s' (did you mean %s?)", name, best);
    if (!c->opts[0].name)
        return usage(msg, len, c->name, "unknown option '%s' (%s takes no options)", name,
                     c->name);
    return usage(msg, len, c->name, "unknown option '%s'", name);
}

/* One option at argv[*i]; *i is moved past its value. */
static bw_err take_option(const bw_cli_cmd *c, int argc, char *const *argv, int *i,
                          bw_cli_args *out, char *msg, size_t len)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    int k = find_opt(c, arg, eq ? (size_t)(eq - arg) : strlen(arg));
    if (k < 0)
        return unknown_option(c, arg, msg, len);
    const bw_cli_opt *o = &c->opts[k];
    if (out->given[k])
        return usage(msg, len, c->name, "%s is given twice", o->name);
    out->given[k] = true;
    if (!o->arg) {
        if (eq)
            return usage(msg, len, c->name, "%s takes no value", o->name);
        return BW_OK;
    }
    const char *v = eq ? eq + 1 : NULL;
    if (!eq && *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0)
        v = argv[++*i];
    if (!v || !*v)
        return usage(msg, len, c->name, "%s needs %s", o->name, o->what);
    out->values[k] = v;
    return BW_OK;
}

/* The arguments of command c. */
static bw_err parse_args(const bw_cli_cmd *c, int argc, char *const *argv, bw_cli_args *out,
                         char *msg, size_t len)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bw_err e = BW_OK;
        if (a[0] == '-' && a[1])
            e = take_option(c, argc, argv, &i, out, msg, len);
        else if (c->operand && !out->operand)
            out->operand = a;
        else
            e = usage(msg, len, c->name, "unexpected argument '%s'", a);
        if (e)
            return e;
    }
    return BW_OK;
}

bw_err bw_cli_parse(int argc, char *const *argv, bw_cli_args *out, char *msg, size_t len)
{
    memset(out, 0, sizeof *out);
    if (len)
        msg[0] = '\0';
    out->cmd = BW_CMD_HELP;
    if (argc < 1) {
        out->usage_error = true;
        return BW_OK;
    }
    bw_cmd c = find_command(argv[0]);
    if (c == BW_CMD_COUNT) {
        const char *near = closest_command(argv[0]);
        if (near)
            return usage(msg, len, NULL, "unknown command '%s' (did you mean %s?)", argv[0],
                         near);
        return usage(msg, len, NULL, "unknown command '%s'", argv[0]);
    }
    out->cmd = c;
    for (int i = 1; i < argc; i++)
        if (is_help(argv[i])) {
            out->help = true;
            return BW_OK;
        }
    bw_err e = parse_args(&commands[c], argc - 1, argv + 1, out, msg, len);
    if (e || c != BW_CMD_HELP)
        return e;
    /* help [COMMAND]: that command's help, or the overview */
    out->help = true;
    out->overview = !out->operand;
    if (out->operand) {
        bw_cmd of = find_command(out->operand);
        if (of == BW_CMD_COUNT) {
            const char *near = closest_command(out->operand);
            return usage(msg, len, "help", "unknown command '%s'%s%s%s", out->operand,
                         near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        }
        out->cmd = of;
    }
    return BW_OK;
}

static int opt_index(const bw_cli_args *a, const char *name)
{
    const bw_cli_cmd *c = &commands[a->cmd];
    for (int i = 0; i < BW_CLI_MAX_OPTS && c->opts[i].name; i++)
        if (!strcmp(c->opts[i].name, name))
            return i;
    return -1;
}

bool bw_cli_flag(const bw_cli_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 && a->given[i];
}

const char *bw_cli_value(const bw_cli_args *a, const char *name)
{
    int i = opt_index(a, name);
    return i >= 0 ? a->values[i] : NULL;
}

/* ---- help ------------------------------------------------------------------- */

/* text, each line indented by two spaces. */
static void indented(bw_buf *out, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        bw_buf_printf(out, "  %.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

bw_err bw_cli_help_overview(bw_buf *out)
{
    bw_buf_puts(out, "usage: banwatch <command> [options]\n"
                     "\n"
                     "Finds software of a banned vendor (Kaspersky, by the built-in policy),\n"
                     "reports it and, in enforce mode, contains its services.\n"
                     "\n"
                     "commands:\n");
    for (int i = 0; i < BW_CMD_COUNT; i++)
        bw_buf_printf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    bw_buf_puts(out, "\n"
                     "'banwatch help COMMAND' or 'banwatch COMMAND --help' shows a command's\n"
                     "options, exit codes and an example. Exit code 2 means an error or bad\n"
                     "usage for every command.\n");
    return out->failed ? BW_ENOMEM : BW_OK;
}

bw_err bw_cli_help_command(bw_cmd cmd, bw_buf *out)
{
    const bw_cli_cmd *c = bw_cli_command(cmd);
    if (!c)
        return BW_EINVAL;
    bw_buf_printf(out, "usage: banwatch %s\n\n%s\n", c->synopsis, c->summary);
    bw_buf_puts(out, "\n");
    indented(out, c->text);
    if (c->opts[0].name) {
        bw_buf_puts(out, "\noptions:\n");
        for (int i = 0; i < BW_CLI_MAX_OPTS && c->opts[i].name; i++) {
            char left[40];
            snprintf(left, sizeof left, "%s%s%s", c->opts[i].name, c->opts[i].arg ? " " : "",
                     c->opts[i].arg ? c->opts[i].arg : "");
            bw_buf_printf(out, "  %-16s %s\n", left, c->opts[i].help);
        }
    }
    bw_buf_puts(out, "\nexit codes:\n");
    indented(out, c->exits);
    bw_buf_puts(out, "\nexample:\n");
    indented(out, c->example);
    return out->failed ? BW_ENOMEM : BW_OK;
}

/* ---- restore --------------------------------------------------------------------- */

bool bw_cli_restore_refused(bw_mode mode, const char *mode_source, bool force,
                            const char *policy_path, char *msg, size_t len)
{
    if (len)
        msg[0] = '\0';
    if (mode != BW_MODE_ENFORCE || force)
        return false;
    snprintf(msg, len,
             "banwatch restore: refused: the containment mode in force is enforce (%s), so the "
             "service would disable these services again at its next scan.\n"
             "Switch to audit first: set mode: audit in %s (and, when Group Policy sets it, "
             "HKLM\\SOFTWARE\\Policies\\banwatch\\ContainmentMode to audit), run banwatch "
             "reload, then banwatch restore. Or list the services under "
             "containment.allowlist.\n"
             "To restore now anyway, run banwatch restore --force.\n",
             mode_source && *mode_source ? mode_source : "the policy",
             policy_path && *policy_path ? policy_path : "the service's policy.yaml");
    return true;
}
