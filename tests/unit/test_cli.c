/*
 * test_cli.c - unit tests of the command line (service/core/bw_cli.c): the
 * table, parsing, the messages for bad usage, the help texts and restore's
 * refusal in enforce mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_cli.h"

static char MSG[512];
static bw_cli_args A;

/* Parses the arguments (NULL-terminated) and returns the result. */
static bw_err parse(const char *first, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        assert_true(argc < 16);
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    return bw_cli_parse(argc, argv, &A, MSG, sizeof MSG);
}

#define OK(...)                                    \
    do {                                           \
        bw_err e_ = parse(__VA_ARGS__, NULL);      \
        if (e_ != BW_OK)                           \
            fail_msg("unexpected error: %s", MSG); \
        assert_string_equal(MSG, "");              \
    } while (0)

/* Bad usage: exactly this message (the pointer to the help follows). */
#define BAD(want, ...)                                         \
    do {                                                       \
        assert_int_equal(parse(__VA_ARGS__, NULL), BW_EINVAL); \
        assert_string_equal(MSG, want);                        \
    } while (0)

static void test_commands(void **state)
{
    (void)state;
    OK("scan");
    assert_int_equal(A.cmd, BW_CMD_SCAN);
    assert_false(A.help);
    assert_false(bw_cli_flag(&A, "--json"));
    assert_null(bw_cli_value(&A, "--policy"));
    OK("scan", "--policy", "p.yaml", "--json");
    assert_true(bw_cli_flag(&A, "--json"));
    assert_string_equal(bw_cli_value(&A, "--policy"), "p.yaml");
    OK("scan", "--policy=C:\\a b\\p.yaml");
    assert_string_equal(bw_cli_value(&A, "--policy"), "C:\\a b\\p.yaml");
    OK("status", "--json");
    assert_int_equal(A.cmd, BW_CMD_STATUS);
    assert_true(bw_cli_flag(&A, "--json"));
    assert_false(bw_cli_flag(&A, "--nope")); /* not an option of status */
    OK("install");
    assert_int_equal(A.cmd, BW_CMD_INSTALL);
    assert_false(bw_cli_flag(&A, "--no-start"));
    OK("install", "--no-start");
    assert_true(bw_cli_flag(&A, "--no-start"));
    OK("restore", "--service", "AVP", "--start", "--force");
    assert_int_equal(A.cmd, BW_CMD_RESTORE);
    assert_string_equal(bw_cli_value(&A, "--service"), "AVP");
    assert_true(bw_cli_flag(&A, "--start"));
    assert_true(bw_cli_flag(&A, "--force"));
    static const char *const plain[] = {"uninstall", "reload", "run", "service", "version"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        OK(plain[i]);
        assert_string_equal(bw_cli_command(A.cmd)->name, plain[i]);
        assert_false(A.help);
    }
    OK("--version");
    assert_int_equal(A.cmd, BW_CMD_VERSION);
    /* no command: the overview, as a usage error */
    assert_int_equal(bw_cli_parse(0, NULL, &A, MSG, sizeof MSG), BW_OK);
    assert_true(A.usage_error);
    assert_int_equal(A.cmd, BW_CMD_HELP);
}

static void test_help_requests(void **state)
{
    (void)state;
    OK("help");
    assert_int_equal(A.cmd, BW_CMD_HELP);
    assert_true(A.help);
    assert_true(A.overview);
    OK("--help");
    assert_int_equal(A.cmd, BW_CMD_HELP);
    assert_true(A.overview);
    OK("-h");
    assert_int_equal(A.cmd, BW_CMD_HELP);
    assert_true(A.overview);
    OK("help", "restore");
    assert_int_equal(A.cmd, BW_CMD_RESTORE);
    assert_true(A.help);
    assert_false(A.overview);
    /* the help of help itself */
    OK("help", "--help");
    assert_int_equal(A.cmd, BW_CMD_HELP);
    assert_false(A.overview);
    OK("help", "help");
    assert_int_equal(A.cmd, BW_CMD_HELP);
    assert_false(A.overview);
    for (int c = 0; c < BW_CMD_COUNT; c++) {
        const char *name = bw_cli_command((bw_cmd)c)->name;
        OK(name, "--help");
        assert_int_equal(A.cmd, c);
        assert_true(A.help);
        OK("help", name);
        assert_int_equal(A.cmd, c);
        assert_true(A.help);
    }
    /* help wins over whatever else is wrong */
    OK("install", "foo", "--help");
    assert_int_equal(A.cmd, BW_CMD_INSTALL);
    assert_true(A.help);
    OK("scan", "--jsn", "-h");
    assert_true(A.help);
    BAD("banwatch help: unknown command 'resotre' (did you mean restore?)\n"
        "see 'banwatch help --help'\n",
        "help", "resotre");
    BAD("banwatch help: unexpected argument 'b'\nsee 'banwatch help --help'\n", "help", "scan",
        "b");
}

static void test_bad_usage(void **state)
{
    (void)state;
    BAD("banwatch install: unexpected argument 'foo'\nsee 'banwatch install --help'\n", "install",
        "foo");
    BAD("banwatch status: unknown option '--jsn' (did you mean --json?)\n"
        "see 'banwatch status --help'\n",
        "status", "--jsn");
    BAD("banwatch scan: --policy needs a file name\nsee 'banwatch scan --help'\n", "scan",
        "--policy");
    BAD("banwatch scan: --policy needs a file name\nsee 'banwatch scan --help'\n", "scan",
        "--policy", "--json");
    BAD("banwatch scan: --policy needs a file name\nsee 'banwatch scan --help'\n", "scan",
        "--policy=");
    BAD("banwatch restore: --service needs a service name\nsee 'banwatch restore --help'\n",
        "restore", "--service", "");
    BAD("banwatch scan: --json is given twice\nsee 'banwatch scan --help'\n", "scan", "--json",
        "--json");
    BAD("banwatch scan: --json takes no value\nsee 'banwatch scan --help'\n", "scan",
        "--json=yes");
    BAD("banwatch uninstall: unknown option '--force' (uninstall takes no options)\n"
        "see 'banwatch uninstall --help'\n",
        "uninstall", "--force");
    BAD("banwatch restore: unknown option '--strat' (did you mean --start?)\n"
        "see 'banwatch restore --help'\n",
        "restore", "--strat");
    BAD("banwatch restore: unknown option '--everything'\nsee 'banwatch restore --help'\n",
        "restore", "--everything");
    BAD("banwatch status: unexpected argument 'json'\nsee 'banwatch status --help'\n", "status",
        "json");
    BAD("banwatch version: unexpected argument 'x'\nsee 'banwatch version --help'\n", "version",
        "x");
    BAD("banwatch: unknown command 'sacn' (did you mean scan?)\nsee 'banwatch help'\n", "sacn");
    BAD("banwatch: unknown command 'frobnicate'\nsee 'banwatch help'\n", "frobnicate");
    /* a small buffer is cut, never overrun */
    char small[16];
    char *argv[] = {(char *)"install", (char *)"foo"};
    assert_int_equal(bw_cli_parse(2, argv, &A, small, sizeof small), BW_EINVAL);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_help_texts(void **state)
{
    (void)state;
    bw_buf b = {0};
    assert_int_equal(bw_cli_help_overview(&b), BW_OK);
    for (int c = 0; c < BW_CMD_COUNT; c++) {
        char line[64];
        snprintf(line, sizeof line, "\n  %-10s ", bw_cli_command((bw_cmd)c)->name);
        if (!strstr(b.data, line))
            fail_msg("the overview lacks %s:\n%s", line, b.data);
    }
    bw_buf_free(&b);
    /* every command: usage, its options, what it does, exit codes, an example */
    for (int c = 0; c < BW_CMD_COUNT; c++) {
        const bw_cli_cmd *cmd = bw_cli_command((bw_cmd)c);
        assert_int_equal(bw_cli_help_command((bw_cmd)c, &b), BW_OK);
        char usage[96];
        snprintf(usage, sizeof usage, "usage: banwatch %s\n", cmd->synopsis);
        assert_true(!strncmp(b.data, usage, strlen(usage)));
        assert_non_null(strstr(b.data, cmd->summary));
        assert_non_null(strstr(b.data, "\nexit codes:\n  0  "));
        assert_non_null(strstr(b.data, "\n  2  "));
        assert_non_null(strstr(b.data, "\nexample:\n  "));
        for (int i = 0; i < BW_CLI_MAX_OPTS && cmd->opts[i].name; i++) {
            assert_non_null(strstr(b.data, cmd->opts[i].name));
            assert_non_null(strstr(cmd->synopsis, cmd->opts[i].name));
            assert_non_null(strstr(b.data, cmd->opts[i].help));
        }
        assert_int_equal(!!strstr(b.data, "\noptions:\n"), cmd->opts[0].name != NULL);
        bw_buf_free(&b);
    }
    assert_int_equal(bw_cli_help_command(BW_CMD_INSTALL, &b), BW_OK);
    assert_non_null(strstr(b.data, "  --no-start       register only"));
    assert_non_null(strstr(b.data, "\n  1  registered, but the service did not start"));
    bw_buf_free(&b);
    assert_int_equal(bw_cli_help_command(BW_CMD_COUNT, &b), BW_EINVAL);
    assert_null(bw_cli_command(BW_CMD_COUNT));
}

static void test_restore_refused(void **state)
{
    (void)state;
    char msg[1024];
    assert_false(bw_cli_restore_refused(BW_MODE_AUDIT, "policy (mode: audit)", false,
                                        "C:\\ProgramData\\banwatch\\policy.yaml", msg,
                                        sizeof msg));
    assert_string_equal(msg, "");
    assert_false(bw_cli_restore_refused(BW_MODE_ENFORCE, "policy (mode: enforce)", true,
                                        "C:\\ProgramData\\banwatch\\policy.yaml", msg,
                                        sizeof msg));
    assert_string_equal(msg, "");
    assert_true(bw_cli_restore_refused(
        BW_MODE_ENFORCE, "Group Policy value HKLM\\SOFTWARE\\Policies\\banwatch\\ContainmentMode",
        false, "C:\\ProgramData\\banwatch\\policy.yaml", msg, sizeof msg));
    assert_non_null(strstr(msg, "banwatch restore: refused: the containment mode in force is "
                                "enforce (Group Policy value"));
    assert_non_null(strstr(msg, "would disable these services again at its next scan"));
    assert_non_null(strstr(msg, "set mode: audit in C:\\ProgramData\\banwatch\\policy.yaml"));
    assert_non_null(strstr(msg, "run banwatch reload, then banwatch restore"));
    assert_non_null(strstr(msg, "banwatch restore --force"));
    /* a small buffer is cut */
    char small[8];
    assert_true(bw_cli_restore_refused(BW_MODE_ENFORCE, NULL, false, NULL, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),        cmocka_unit_test(test_help_requests),
        cmocka_unit_test(test_bad_usage),       cmocka_unit_test(test_help_texts),
        cmocka_unit_test(test_restore_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
