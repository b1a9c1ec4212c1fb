/*
 * bw_cli.h - the command line of banwatch.exe (portable core): the one
 * table of commands with their options and help texts, the parsing of the
 * arguments against it, and the help that is printed from it.
 *
 * Pure: no I/O. win/main.c hands in argv (UTF-8, without the program
 * name), prints what comes back and runs the command. Bad usage gets a
 * message that names the real problem and points at the command's help:
 *
 *   banwatch install: unexpected argument 'foo'
 *   banwatch status: unknown option '--jsn' (did you mean --json?)
 *   banwatch scan: --policy needs a file name
 *   banwatch: unknown command 'sacn' (did you mean scan?)
 *
 * and the exit code BW_EXIT_USAGE (2), as for any other error.
 */
#ifndef BW_CLI_H
#define BW_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "bw_error.h"
#include "bw_policy.h"
#include "bw_str.h"

/* Exit codes shared by the commands (each command's help says which it
 * uses). 3 is avoided on purpose: the C runtime's abort() exits with 3. */
enum {
    BW_EXIT_OK = 0,
    BW_EXIT_FINDINGS = 1,  /* scan: findings; install: registered, not started */
    BW_EXIT_ERROR = 2,     /* an error, or bad usage */
    BW_EXIT_INCOMPLETE = 4 /* scan: nothing found, but parts could not be read */
};

typedef enum bw_cmd {
    BW_CMD_SCAN = 0,
    BW_CMD_STATUS,
    BW_CMD_INSTALL,
    BW_CMD_UNINSTALL,
    BW_CMD_RELOAD,
    BW_CMD_RESTORE,
    BW_CMD_RUN,
    BW_CMD_SERVICE,
    BW_CMD_VERSION,
    BW_CMD_HELP,
    BW_CMD_COUNT
} bw_cmd;

/* The most options one command has. */
#define BW_CLI_MAX_OPTS 4

/* One option: a flag (arg NULL) or an option with a value, given as
 * "--name VALUE" or "--name=VALUE". */
typedef struct bw_cli_opt {
    const char *name; /* "--json" */
    const char *arg;  /* the value's placeholder ("FILE"), or NULL for a flag */
    const char *what; /* the value, for "--policy needs a file name" */
    const char *help; /* one line */
} bw_cli_opt;

/* One command of the table. */
typedef struct bw_cli_cmd {
    const char *name;
    const char *synopsis; /* "scan [--json] [--policy FILE]" */
    const char *summary;  /* one line for the overview */
    const char *text;     /* what it does, a paragraph */
    bw_cli_opt opts[BW_CLI_MAX_OPTS];
    const char *operand; /* the one argument it takes ("COMMAND"), or NULL */
    const char *exits;   /* its exit codes, one a line */
    const char *example; /* one example command line (with a comment) */
} bw_cli_cmd;

/* The table entry of a command. */
const bw_cli_cmd *bw_cli_command(bw_cmd c);

/* What the arguments say. Strings point into argv. */
typedef struct bw_cli_args {
    bw_cmd cmd;                          /* BW_CMD_HELP when none was given */
    bool help;                           /* show cmd's help (--help, -h, help CMD) */
    bool overview;                       /* ... the overview instead (banwatch help, --help) */
    bool usage_error;                    /* no command at all: the overview, exit 2 */
    bool given[BW_CLI_MAX_OPTS];         /* by the index of the option in the table */
    const char *values[BW_CLI_MAX_OPTS]; /* the values of options with one */
    const char *operand;                 /* the command's operand, if given */
} bw_cli_args;

/* Parses argv[0..argc) (the arguments after the program name). On success
 * *out says what to run. BW_EINVAL for bad usage, with the message (its
 * lines, each ending with '\n', the last the pointer to the help) in msg
 * (len bytes). --help or -h anywhere among a command's arguments asks for
 * its help, whatever else is wrong with them. */
bw_err bw_cli_parse(int argc, char *const *argv, bw_cli_args *out, char *msg, size_t len);

/* True if the option (by its name, "--json") was given. */
bool bw_cli_flag(const bw_cli_args *a, const char *name);

/* The value given to the option (by its name), or NULL. */
const char *bw_cli_value(const bw_cli_args *a, const char *name);

/* The overview: every command with its summary (`banwatch help`). */
bw_err bw_cli_help_overview(bw_buf *out);

/* One command's help: usage, options, what it does, exit codes, an
 * example (`banwatch help CMD`, `banwatch CMD --help`). */
bw_err bw_cli_help_command(bw_cmd c, bw_buf *out);

/* Whether `restore` must refuse: the containment mode in force is enforce
 * (mode_source says where it comes from) and --force was not given; then
 * msg (len bytes) says why (the service would disable everything again at
 * its next scan), how to switch to audit first (policy_path: the service's
 * policy file), and that --force restores anyway. */
bool bw_cli_restore_refused(bw_mode mode, const char *mode_source, bool force,
                            const char *policy_path, char *msg, size_t len);

#endif
