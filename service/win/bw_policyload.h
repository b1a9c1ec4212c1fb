/*
 * bw_policyload.h - loading the policy a command or the service runs with
 * (Win32 layer).
 */
#ifndef BW_POLICYLOAD_H
#define BW_POLICYLOAD_H

#include <stddef.h>

#include "bw_api.h"
#include "../core/bw_error.h"
#include "../core/bw_gpo.h"
#include "../core/bw_policy.h"

/* Largest policy file read. */
#define BW_POLICY_MAX_BYTES (4u << 20)

/* Loads a policy: the file at path (UTF-8), or the built-in default policy
 * when path is NULL. BW_ENOTFOUND when the file does not exist (msg is
 * then empty); another failure writes "cannot read <path>: <why>" or the
 * parser's "<path>:<line>:<col>: <reason>" into msg. On success *out owns
 * the policy. */
bw_err bw_win_policy_load(const bw_api *api, const char *path, bw_policy **out, char *msg,
                          size_t msglen);

/* The policy a command or the service runs with, before Group Policy's
 * overrides (core/bw_gpo.h): the file Group Policy names (PolicyFile) when
 * it is set and valid, else <data_dir>\policy.yaml when it exists, else
 * the built-in policy. A file is read only when it and its folder can be
 * trusted (bw_win_path_trusted: owned by SYSTEM or Administrators,
 * changeable by nobody else, no link, one name); else the built-in policy
 * is used, and file_err says why. */
typedef struct bw_policy_source {
    bw_policy *pol;  /* always set on BW_OK; owned */
    char *origin;    /* the file's path, or "built-in" */
    bool from_file;  /* pol is the file's (not the built-in policy) */
    bool from_gp;    /* path is the file Group Policy names */
    char *path;      /* the file looked for; NULL when none */
    bw_err file_err; /* BW_OK (pol is the file's), BW_ENOTFOUND (no file:
                        nothing to report), BW_EACCES (refused: why says
                        why, an event 905), another (unreadable or invalid:
                        why is the message, an event 901) */
    char *refused;   /* BW_EACCES: the file or folder that cannot be trusted */
    char why[1024];
} bw_policy_source;

/* Finds and loads the policy as above. gp: the Group Policy values read
 * (bw_gpread.h); data_dir may be NULL (no data folder); self_sid is the
 * account banwatch runs as. BW_OK, or BW_ENOMEM (or the built-in policy's
 * error, which a build's tests rule out). */
bw_err bw_win_policy_source(const bw_api *api, const char *data_dir, const char *self_sid,
                            const bw_gp_values *gp, bw_policy_source *out);

void bw_policy_source_free(bw_policy_source *s);

/* The policy in force, Group Policy's overrides applied, as a command
 * (scan) sees it: the file given (--policy), else the service's own
 * (bw_win_policy_source over the data folder, which is only looked at),
 * with Group Policy's values over it. */
typedef struct bw_policy_in_force {
    bw_policy_source src; /* src.pol holds the policy in force */
    bw_gp_values gp;
    bw_gp_applied applied;
    char *from_gp; /* bw_gp_from_list */
} bw_policy_in_force;

/* path: the file given, or NULL. BW_OK: out->src.pol is set; problems that
 * did not stop it (a file refused or invalid, so the built-in policy is
 * used; a Group Policy value not applied) are in out->src.file_err/why and
 * out->applied.errors. Another error: the file given could not be used, msg
 * says why (BW_ENOTFOUND: it does not exist). */
bw_err bw_win_policy_in_force(const bw_api *api, const char *path, bw_policy_in_force *out,
                              char *msg, size_t msglen);

void bw_policy_in_force_free(bw_policy_in_force *p);

#endif
