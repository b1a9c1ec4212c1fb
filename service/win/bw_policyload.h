/*
 * bw_policyload.h - loading the policy a command or the service runs with
 * (Win32 layer).
 */
#ifndef BW_POLICYLOAD_H
#define BW_POLICYLOAD_H

#include <stddef.h>

#include "bw_api.h"
#include "../core/bw_error.h"
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

#endif
