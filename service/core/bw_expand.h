/*
 * bw_expand.h - expanding a vendor key's own variables (portable core,
 * pure).
 *
 * A product's "environment" key refers to its own values as %Name%: in a
 * real Kaspersky 21.x install only DataRoot is absolute, and
 * Data = "%DataRoot%\Data", Bases = "%DataRoot%\Bases", DataFolder =
 * "%Data%", ProductFolder = "%ProductRoot%". Expanding only Windows'
 * variables would leave every such path unresolved, so the collector first
 * expands the key's own names with this function, then Windows' (%ProgramData%
 * and the like, which the key does not define, are left for that step).
 */
#ifndef BW_EXPAND_H
#define BW_EXPAND_H

#include <stddef.h>

#include "bw_error.h"
#include "bw_snapshot.h"

/* Nesting limit (a value referring to a value ... this deep) and the
 * longest result, in bytes. */
#define BW_EXPAND_MAX_DEPTH 8
#define BW_EXPAND_MAX_LEN   32768

/* Expands every %Name% in `raw` whose Name is one of the n_env values of
 * `env` (names compare case-insensitively) by that value, itself expanded
 * the same way. A %Name% the key does not define, a lone '%' and "%%" are
 * kept as they are. Errors: a cycle (%A% -> %B% -> %A%) is BW_EPARSE with
 * why = "variable cycle: %A% -> %B% -> %A%"; nesting deeper than
 * BW_EXPAND_MAX_DEPTH or a result longer than BW_EXPAND_MAX_LEN is
 * BW_ERANGE; BW_ENOMEM. On success *out is a malloc'd string; otherwise it
 * is NULL and why (whylen bytes, may be 0) says what went wrong. */
bw_err bw_expand_vendor_vars(const bw_kv *env, size_t n_env, const char *raw, char **out,
                             char *why, size_t whylen);

#endif
