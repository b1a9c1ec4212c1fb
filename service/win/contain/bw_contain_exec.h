/*
 * bw_contain_exec.h - containment effects (Win32 layer): stopping and disabling
 * the vendor's services as a containment plan says, putting them back, and
 * the one place the containment mode is decided.
 *
 * Everything goes through the API table. What to do next for a service,
 * which outcome to report and in which words are decided in core
 * (service/core/bw_cstep.h, step by step); this layer only carries the
 * steps out (open, query, change, control, wait, the state database,
 * reporting) and feeds what each found back. The order for one target, in
 * enforce mode:
 *   1. open it and read its configuration, state and launch protection
 *      (QueryServiceConfigW, QueryServiceStatusEx, QueryServiceConfig2W
 *      with SERVICE_CONFIG_LAUNCH_PROTECTED);
 *   2. a protected service is not touched: "blocked" (Windows refuses any
 *      change from an unprotected caller, SYSTEM included);
 *   3. record its start type and state in the state database; no record,
 *      no change (a change that cannot be rolled back is not made);
 *   4. set its start type to disabled (ChangeServiceConfigW); for a driver
 *      this is all, and it takes effect at the next boot;
 *   5. stop it if it runs (ControlService), first stopping its running
 *      dependents when the policy allows, else leaving it running and
 *      saying why; wait using the service's wait hint, at most the
 *      policy's stop timeout.
 * ERROR_ACCESS_DENIED at any step is "blocked", with what the
 * administrator can do instead; no step is retried in a loop.
 *
 * Outcomes are reported through a callback (for the Event Log and the
 * console) and recorded per service in the state database. An outcome the
 * database already holds for the service (the same "would disable" or
 * "blocked" on every scan) is recorded but not reported again; actual
 * changes are always reported.
 */
#ifndef BW_CONTAIN_EXEC_H
#define BW_CONTAIN_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "../bw_api.h"
#include "../../core/bw_contain.h"
#include "../../core/bw_error.h"
#include "../../core/bw_policy.h"
#include "../../core/bw_store.h"

/* The containment mode in force and where it comes from: Group Policy's
 * ContainmentMode (REG_SZ "audit" or "enforce", core/bw_gpo.h) when it is
 * set, else the policy's `mode:`. A Group Policy value that cannot be read
 * or is not "audit"/"enforce" gives audit, and source says so (an
 * administrator must see that the override is broken). source receives
 * e.g. "policy (mode: audit)" or "Group Policy value
 * HKLM\SOFTWARE\Policies\banwatch\ContainmentMode". The service applies
 * all of Group Policy at once instead (bw_gp_apply); status and restore
 * ask here. */
bw_mode bw_win_contain_mode(const bw_api *api, const bw_policy *pol, char *source, size_t srclen);

/* Receives each outcome; the result's strings live for the call only. */
typedef void (*bw_contain_report_fn)(void *ctx, const bw_contain_result *r);

typedef struct bw_contain_opts {
    bw_mode mode;
    unsigned stop_timeout_ms; /* containment.stop_timeout, in ms */
    bool stop_dependents;     /* containment.stop_dependents */
    int64_t now;              /* Unix seconds, UTC, for the records */
    HANDLE cancel;            /* optional: an event that, once signalled (the
                                 service stopping), ends a wait for a stop
                                 early and starts no further target */
} bw_contain_opts;

/* What a run did, for the caller's log and exit code. */
typedef struct bw_contain_summary {
    size_t would_disable, disabled, stopped, blocked, failed, held, unchanged;
} bw_contain_summary;

/* Carries out the plan's targets (decision BW_CONTAIN_ACT) in o->mode.
 * store may be NULL only in audit mode (outcomes are then all reported);
 * in enforce mode without a store nothing is changed: a target that would
 * be changed fails with "state database unavailable" (protected and held
 * ones are reported as such). When no other anti-virus remains and the
 * plan does not hold (allow_unprotected), a 406 "acting anyway" notice is
 * reported, not recorded, just before the first change of each target. sum (optional) is zeroed
 * and filled. Returns BW_OK when the run went through (failures of single services are outcomes,
 * not errors), BW_ENOMEM otherwise. */
bw_err bw_win_contain(const bw_api *api, bw_store *store, const bw_contain_plan *plan,
                      const bw_contain_opts *o, bw_contain_report_fn report, void *ctx,
                      bw_contain_summary *sum);

typedef struct bw_restore_opts {
    const char *only;          /* restore just this service (case-insensitive), or NULL */
    bool start;                /* start again what was running before */
    unsigned start_timeout_ms; /* how long to wait for a start */
    int64_t now;
} bw_restore_opts;

/* Puts back the start type recorded before banwatch changed each service
 * (services, drivers, stopped dependents), and with o->start starts what
 * was running. Reports per service 405 (restored) or 404 (failed, action
 * "restore"); a service whose start type was put back but that did not
 * start gets 405 and then 404 (action "start"), and counts in both. A
 * restored service's record is marked restored. *n_restored and *n_failed
 * (optional) count them. BW_ENOTFOUND when
 * o->only names no changed service. */
bw_err bw_win_restore(const bw_api *api, bw_store *store, const bw_restore_opts *o,
                      bw_contain_report_fn report, void *ctx, size_t *n_restored,
                      size_t *n_failed);

#endif
