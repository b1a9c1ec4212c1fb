/*
 * bw_contain.h - containment decisions (portable core): which of the
 * vendor's services and drivers banwatch may stop and disable, and whether
 * another anti-virus would remain to protect the endpoint.
 *
 * Pure: no I/O, no clock, no globals. The plan is made from the findings
 * of a scan, the snapshot they came from and the policy's `containment:`
 * section (docs/policy.md); the Win32 layer (service/win/contain/bw_contain_exec.c)
 * carries it out in the effective mode, and the outcomes below are what it
 * reports (Event IDs 400-406, docs/events.md).
 *
 * Which services are targets (the findings given are those whose tier the
 * policy counts, bw_judge.h):
 *   - every finding of kind service or KSN component that the service
 *     control manager knows as a Win32 service, unless its image lies in a
 *     place any user can write;
 *   - a driver finding only when it also matches containment.drivers
 *     (disabling a driver, Start=4, takes effect at the next boot);
 *   - none that matches containment.allowlist; when containment.only is
 *     set, none that does not match it;
 *   - never one of the built-in list of bw_contain_never_touch, whatever
 *     the policy says: banwatch itself, and Windows' own security and core
 *     services and drivers (a policy that matched too widely, or a name
 *     planted to look like the vendor's, must not make banwatch disable
 *     Defender or make the machine unbootable). A running dependent on
 *     that list is never stopped either: its vendor service is then left
 *     running (disabled for the next boot).
 * Skipped findings stay in the plan with the reason, so the report can say
 * why a service of the vendor was left alone.
 *
 * Another anti-virus remains when a service matching
 * containment.antivirus_services is installed, is not itself a finding of
 * the vendor, and is not disabled (Start 4); Microsoft Defender's service
 * (WinDefend) does not count when Group Policy turns Defender off
 * (DisableAntiSpyware or DisableAntiVirus = 1). A stopped Defender with an
 * automatic or on-demand start counts: Windows starts it again when the
 * registered anti-virus goes away. Failing that, a product Windows Security
 * Center lists as on whose name is not the vendor's (no vendor.markers
 * text, no vendor.products match) counts. With none remaining, enforcement
 * holds (changes nothing) unless containment.allow_unprotected is true.
 * The hold covers only the services that protect the machine: a target
 * matching containment.non_protecting (the vendor's management agent, its
 * KSN proxy) protects nothing, so keeping it running keeps no protection,
 * and it is contained whether enforcement holds or not.
 */
#ifndef BW_CONTAIN_H
#define BW_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"

/* What the plan says about one finding. */
typedef enum bw_contain_decision {
    BW_CONTAIN_ACT = 0,            /* a target */
    BW_CONTAIN_SKIP_ALLOWLIST,     /* matches containment.allowlist */
    BW_CONTAIN_SKIP_NOT_ONLY,      /* containment.only is set and does not match */
    BW_CONTAIN_SKIP_DRIVER,        /* a driver containment.drivers does not include */
    BW_CONTAIN_SKIP_NOT_SCM,       /* not known to the service control manager */
    BW_CONTAIN_SKIP_USER_WRITABLE, /* its image is in a place any user can write */
    BW_CONTAIN_SKIP_BUILTIN        /* on the built-in list banwatch never touches */
} bw_contain_decision;

/* "act", "allowlisted", "not-in-only", "driver-not-included",
 * "not-in-scm", "user-writable", "never-touched". */
const char *bw_contain_decision_name(bw_contain_decision d);

/* True for a service or driver name (case-insensitive) banwatch never stops
 * or disables: banwatch, the Windows security services (Defender, its
 * network inspection and drivers, Security Center, the firewall and its
 * filtering engine, Defender for Endpoint), and services and drivers
 * Windows cannot run or boot without. */
bool bw_contain_never_touch(const char *name);

typedef struct bw_contain_target {
    char *name;          /* service key name */
    char *display_name;  /* may be NULL */
    bool driver;         /* kernel or file-system driver */
    bool non_protecting; /* matches containment.non_protecting: never held */
    bw_contain_decision decision;
    /* as the scan saw it (the effect re-reads them before acting) */
    uint32_t start; /* BW_START_*; valid if has_start */
    uint32_t state; /* BW_STATE_* */
    bool has_start;
} bw_contain_target;

typedef struct bw_contain_plan {
    bw_contain_target *items; /* ordered as the findings: services, drivers, KSN */
    size_t n, cap;
    /* Another anti-virus would remain (see above). other_av_text names it
     * ("WinDefend (Microsoft Defender Antivirus), automatic start,
     * running"), or says why none counts ("none: WinDefend is disabled
     * (Start 4)"). */
    bool other_av;
    char *other_av_text;
    /* Enforcement must leave the services that protect the machine alone:
     * no other anti-virus would remain and containment.allow_unprotected is
     * false. Targets that protect nothing are contained anyway
     * (bw_contain_held). */
    bool hold;
    size_t n_act;     /* items with decision BW_CONTAIN_ACT */
    size_t n_protect; /* ... of them those that protect (not non_protecting) */
} bw_contain_plan;

/* Makes the plan. *out must be zeroed or freed before. BW_ENOMEM on
 * allocation failure (then *out is empty). */
bw_err bw_contain_plan_make(const bw_snapshot *snap, const bw_policy *pol, const bw_findings *f,
                            bw_contain_plan *out);

/* NULL-safe; leaves *p empty. */
void bw_contain_plan_free(bw_contain_plan *p);

/* True when enforcement leaves target t of plan p alone for want of
 * another anti-virus: p->hold, and t protects the machine. */
bool bw_contain_held(const bw_contain_plan *p, const bw_contain_target *t);

/* ---- outcomes --------------------------------------------------------------- */

/* What happened to one service; each has its own Event ID (400 + value). */
typedef enum bw_contain_outcome {
    BW_OUTCOME_WOULD_DISABLE = 0, /* 400 audit mode: nothing changed */
    BW_OUTCOME_DISABLED,          /* 401 start type set to disabled */
    BW_OUTCOME_STOPPED,           /* 402 stopped (after 401, or a dependent) */
    BW_OUTCOME_BLOCKED,           /* 403 refused by self-defense or protection */
    BW_OUTCOME_FAILED,            /* 404 another failure (timeout, database, ...) */
    BW_OUTCOME_RESTORED,          /* 405 prior start type put back (and started) */
    BW_OUTCOME_HELD               /* 406 no other anti-virus would remain */
} bw_contain_outcome;

#define BW_CONTAIN_OUTCOMES 7

/* "would-disable", "disabled", "stopped", "blocked", "failed", "restored",
 * "held" ("unknown" for other values). */
const char *bw_contain_outcome_name(bw_contain_outcome o);

/* The outcome for a name as above; false if unknown. */
bool bw_contain_outcome_parse(const char *name, bw_contain_outcome *out);

/* One outcome, as the effect reports it. Strings are borrowed. */
typedef struct bw_contain_result {
    bw_contain_outcome outcome;
    const char *name;
    const char *display_name; /* may be NULL */
    const char *kind;         /* "service", "driver" or "dependent" */
    const char *action;       /* "disable", "stop", "restore", "start", "none",
                                 "inspect" (audit: reading it failed) */
    bool has_prior;           /* prior_start/prior_state are known */
    uint32_t prior_start;     /* BW_START_* before banwatch acted */
    uint32_t prior_state;     /* BW_STATE_* before banwatch acted */
    uint32_t error;           /* the Win32 error, 0 if none */
    const char *detail;       /* what happened, and what to do instead */
} bw_contain_result;

/* The words for start types and service states, one table for the scan
 * report, status, the text report and the events (docs/events.md):
 * "boot", "system", "automatic", "manual", "disabled", "unknown" (any
 * other value). */
const char *bw_start_type_name(uint32_t start);

/* The same, "delayed-automatic" for an automatic start that is delayed. */
const char *bw_start_type_shown(uint32_t start, bool delayed);

/* "stopped", "start-pending", "stop-pending", "running",
 * "continue-pending", "pause-pending", "paused", "unknown" (not known to
 * the SCM, or any other value). */
const char *bw_service_state_name(uint32_t state);

#endif
