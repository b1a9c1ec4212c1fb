/*
 * bw_winio.h - files and console output through the API table (Win32
 * layer).
 */
#ifndef BW_WINIO_H
#define BW_WINIO_H

#include <stddef.h>
#include <stdint.h>

#include "bw_api.h"
#include "../core/bw_error.h"
#include "../core/bw_policy.h"

/* Reads a whole file (UTF-8 path) into a malloc'd, NUL-terminated buffer.
 * Files larger than max_bytes give BW_ERANGE. *syserr receives the Win32
 * error of a failed call (0 otherwise). */
bw_err bw_win_read_file(const bw_api *api, const char *path, size_t max_bytes,
                        char **out, size_t *out_len, unsigned long *syserr);

/* The current time, Unix seconds UTC (GetSystemTimeAsFileTime). */
int64_t bw_win_now(const bw_api *api);

/* Largest policy file read. */
#define BW_POLICY_MAX_BYTES (4u << 20)

/* Loads a policy: the file at path (UTF-8), or the built-in default policy
 * when path is NULL. BW_ENOTFOUND when the file does not exist (msg is
 * then empty); another failure writes "cannot read <path>: <why>" or the
 * parser's "<path>:<line>:<col>: <reason>" into msg. On success *out owns
 * the policy. */
bw_err bw_win_policy_load(const bw_api *api, const char *path, bw_policy **out, char *msg,
                          size_t msglen);

/* Writes UTF-8 text to standard output (which = STD_OUTPUT_HANDLE) or
 * standard error: as UTF-16 through WriteConsoleW on a console (so any
 * script shows), as the UTF-8 bytes themselves to a file or pipe. */
bw_err bw_win_write_std(const bw_api *api, unsigned long which, const char *text, size_t len);

/* The data directory, "<ProgramData>\banwatch" (UTF-8, malloc'd), created
 * if missing. The known-folder API is asked rather than the environment,
 * which a service may not have. */
bw_err bw_win_data_dir(const bw_api *api, char **out, unsigned long *syserr);

/* Text of a Win32 error code in English-neutral form: "<code>" plus, when
 * known, a short name ("access denied"). Writes into buf. */
void bw_win_error_text(unsigned long code, char *buf, size_t len);

#endif
