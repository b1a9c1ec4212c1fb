/*
 * bw_cstep.h - containment of one service, step by step (portable core):
 * what to do next for a target of the plan (or for a service to put back),
 * given what the steps so far found, and which outcome to report in which
 * words.
 *
 * Pure: no I/O, no clock, no globals. A machine (bw_cstep) is started for
 * one service (bw_cstep_contain, bw_cstep_restore) and hands out one step
 * at a time; the Win32 layer (service/win/contain/bw_contain_exec.c) carries the step out
 * through the API table or the state database, fills a bw_cstep_feed with
 * what it found, and asks for the next step (bw_cstep_next), until
 * BW_CSTEP_DONE. The order of the steps, and so of the store writes and
 * the reports, is decided here; docs/containment.md says why.
 *
 * Containing a target (enforce; audit opens for queries only and ends at
 * step 3 with 400):
 *   1. OPEN for change; refused with access denied: OPEN for queries only,
 *      read what can be read (QUERY, READ_RECORD, PROTECTION), CLOSE, and
 *      report 403 (launch protection named if known, else self-defense).
 *      Uninstalled since the scan: DONE, unchanged, no event.
 *   2. QUERY, PROTECTION, READ_RECORD (the prior start type and state to
 *      report are the recorded ones while banwatch's change stands).
 *   3. Disabled and stopped (a driver: disabled) already: DONE, unchanged.
 *      Audit: 400. Launch-protected: 403. Held (a target that protects the
 *      machine, bw_contain_held): 406. No store: 404.
 *   4. RECORD_PRIOR (failing: 404, nothing changed); SET_START disabled
 *      unless it is (refused: UNMARK when banwatch had not changed it
 *      before, then 403 or 404); 401, after the 406 notice when acting
 *      without another anti-virus.
 *   5. Not a driver and not stopped: DEPENDENTS; running dependents that
 *      are not all targets and stop_dependents false: 404 naming them;
 *      else each one OPEN, QUERY, READ_RECORD, RECORD_PRIOR, STOP, WAIT,
 *      CLOSE, 402 (a failure: its 403/404, then 404 for the target).
 *   6. The 406 notice if not given yet, STOP, WAIT: 402, 403 or 404.
 * Restoring a record: OPEN (gone: 405 "no longer exists"), SET_START to
 * the prior start type (not for a dependent), with start: START and WAIT;
 * 405, then 404 (action "start") when it did not start.
 */
#ifndef BW_CSTEP_H
#define BW_CSTEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_contain.h"
#include "bw_error.h"
#include "bw_store.h"
#include "bw_str.h"

/* The Win32 errors the decisions tell apart (the winerror.h values: core
 * does not include windows.h; bw_contain_exec.c checks that they match). */
#define BW_WERR_ACCESS_DENIED              5u
#define BW_WERR_SERVICE_ALREADY_RUNNING    1056u
#define BW_WERR_SERVICE_DOES_NOT_EXIST     1060u
#define BW_WERR_SERVICE_CANNOT_ACCEPT_CTRL 1061u
#define BW_WERR_SERVICE_NOT_ACTIVE         1062u

/* What the executor does next. */
typedef enum bw_cstep_op {
    BW_CSTEP_OPEN,         /* open `name` with `access` as the subject's handle */
    BW_CSTEP_QUERY,        /* read its type and start type, then its state */
    BW_CSTEP_PROTECTION,   /* read its launch protection (unknown where unsupported) */
    BW_CSTEP_READ_RECORD,  /* read the database's record of `name` (none without a store) */
    BW_CSTEP_RECORD_PRIOR, /* bw_store_contain_prior(name, kind, display_name, start, state) */
    BW_CSTEP_UNMARK,       /* bw_store_contain_unmark(name); its result is not needed */
    BW_CSTEP_SET_START,    /* set its start type to `start`, changing nothing else */
    BW_CSTEP_DEPENDENTS,   /* list its running dependents, in the order to stop them */
    BW_CSTEP_STOP,         /* send it the stop control */
    BW_CSTEP_START,        /* start it */
    BW_CSTEP_WAIT,         /* poll it until state `want` (bw_cstep_poll), at most timeout_ms */
    BW_CSTEP_CLOSE,        /* close the subject's handle */
    BW_CSTEP_REPORT,       /* record `result` in the database (if any) and report it */
    BW_CSTEP_NOTICE,       /* report `result` only: it is not recorded */
    BW_CSTEP_DONE          /* nothing more for this service */
} bw_cstep_op;

/* Whose handle a step uses: the service itself or, while its dependents
 * are stopped, the current dependent. */
typedef enum bw_cstep_subject { BW_CSTEP_SELF = 0, BW_CSTEP_DEPENDENT } bw_cstep_subject;

#define BW_CSTEP_SUBJECTS 2

/* The rights an OPEN asks for. */
typedef enum bw_cstep_access {
    BW_ACCESS_INSPECT, /* query its configuration and status */
    BW_ACCESS_CONTAIN, /* and change its configuration, stop it, list its dependents */
    BW_ACCESS_STOP,    /* query its configuration and status, stop it */
    BW_ACCESS_RESTORE  /* query its configuration and status, change it, start it */
} bw_cstep_access;

/* How a WAIT ended. */
typedef enum bw_wait_end {
    BW_WAIT_REACHED,   /* the state wanted */
    BW_WAIT_TIMEOUT,   /* not within the time (or, waiting for a start, it stopped) */
    BW_WAIT_CANCELLED, /* banwatch itself is stopping (the run's cancel event) */
    BW_WAIT_FAILED     /* its state could not be read (feed error) */
} bw_wait_end;

/* One step. Strings and the result are borrowed from the machine (or its
 * inputs) and stay valid until the next call on the machine. */
typedef struct bw_cstep_step {
    bw_cstep_op op;
    bw_cstep_subject subject;        /* OPEN to CLOSE: whose handle */
    const char *name;                /* OPEN, READ_RECORD, RECORD_PRIOR, UNMARK */
    bw_cstep_access access;          /* OPEN */
    const char *kind, *display_name; /* RECORD_PRIOR (display_name may be NULL) */
    uint32_t start;                  /* RECORD_PRIOR, SET_START: BW_START_* */
    uint32_t state;                  /* RECORD_PRIOR: BW_STATE_* */
    uint32_t want;                   /* WAIT: BW_STATE_STOPPED or BW_STATE_RUNNING */
    unsigned timeout_ms;             /* WAIT */
    const bw_contain_result *result; /* REPORT, NOTICE */
    bool unchanged;                  /* DONE: nothing needed doing (count it unchanged) */
    bw_err err;                      /* DONE: BW_OK, or BW_ENOMEM: the run must end */
} bw_cstep_step;

/* What the executor found doing a step; zeroed before each step, then only
 * what the step yields is filled. */
typedef struct bw_cstep_feed {
    uint32_t error;        /* the Win32 error of the OPEN, QUERY, SET_START, STOP,
                              START or WAIT (FAILED); 0 if none */
    char error_text[96];   /* its text, e.g. "access denied (5)", when error is set */
    bool nomem;            /* QUERY, DEPENDENTS: out of memory */
    uint32_t type;         /* QUERY: BW_SVC_* type bits */
    uint32_t start;        /* QUERY: BW_START_* */
    uint32_t state;        /* QUERY; WAIT: the last state polled */
    bool protection_known; /* PROTECTION: the level could be read */
    uint32_t protection;   /* PROTECTION: 0 none, 1 Windows, 2 Windows light, 3 AM-PPL */
    bool changed;          /* READ_RECORD: banwatch changed it and has not restored it */
    bool has_prior;        /* READ_RECORD: prior_start/prior_state were recorded */
    uint32_t prior_start, prior_state; /* READ_RECORD */
    const char *store_error;           /* RECORD_PRIOR: NULL if recorded, else why not */
    bw_strlist dependents;             /* DEPENDENTS: the names (empty if they cannot be listed);
                                          the machine takes them, leaving the list empty */
    bw_wait_end wait;                  /* WAIT */
} bw_cstep_feed;

/* A target to contain. The plan and target must outlive the machine. */
typedef struct bw_cstep_contain_in {
    const bw_contain_plan *plan;
    const bw_contain_target *target; /* an item of plan with decision BW_CONTAIN_ACT */
    bool enforce;                    /* else audit */
    bool stop_dependents;            /* containment.stop_dependents */
    bool have_store;                 /* a state database is open */
    unsigned stop_timeout_ms;        /* containment.stop_timeout */
} bw_cstep_contain_in;

/* A service to put back. The record must outlive the machine. */
typedef struct bw_cstep_restore_in {
    const bw_contain_record *rec; /* a record banwatch changed */
    bool start;                   /* start again what was running before */
    unsigned start_timeout_ms;
} bw_cstep_restore_in;

/* The machine: its fields are private to bw_cstep.c. */
typedef struct bw_cstep {
    unsigned phase; /* where the next feed is taken up */
    bw_cstep_contain_in c;
    bw_cstep_restore_in r;
    bool driver, protect, was_changed, notice, dependent, start_failed;
    uint32_t start, state, protection, dstart, dstate;
    bool protection_known;
    bw_strlist deps;                /* running dependents, stopped first */
    size_t di;                      /* the current one */
    const bw_contain_target *dself; /* the current dependent as a target, or NULL */
    unsigned dend;                  /* how the current dependent's stop ended */
    uint32_t err;                   /* the error of the stop, or of the start */
    char err_text[96];
    bw_contain_result res;  /* the service's outcome */
    bw_contain_result dres; /* the current dependent's */
    bw_contain_result note; /* the 406 notice */
    char detail[1024], note_detail[512], why[600], cause[512];
} bw_cstep;

/* Starts containing in->target: *m is overwritten, and freed with
 * bw_cstep_free. Returns the first step. */
bw_cstep_step bw_cstep_contain(bw_cstep *m, const bw_cstep_contain_in *in);

/* Starts putting back in->rec: as bw_cstep_contain. */
bw_cstep_step bw_cstep_restore(bw_cstep *m, const bw_cstep_restore_in *in);

/* Takes what the last step found (fb; NULL or the feed of a REPORT,
 * NOTICE, CLOSE or UNMARK says nothing) and returns the next step; after
 * DONE, DONE again (unchanged false, BW_OK). The feed of a DEPENDENTS step
 * gives its names to the machine (fb->dependents is left empty). */
bw_cstep_step bw_cstep_next(bw_cstep *m, bw_cstep_feed *fb);

/* NULL-safe; what the machine holds (the dependents' names). */
void bw_cstep_free(bw_cstep *m);

/* One poll of a WAIT for state `want`: the service is in `state` with
 * this wait hint, at now_ms of a clock on which the wait ends at
 * deadline_ms. Returns how long to pause before the next poll (a tenth of
 * the wait hint, 250 ms to 5 s, no later than the deadline; never 0), or 0
 * when the wait is over, with *end REACHED or TIMEOUT. */
unsigned bw_cstep_poll(uint32_t want, uint32_t state, uint32_t wait_hint_ms, uint64_t now_ms,
                       uint64_t deadline_ms, bw_wait_end *end);

/* In which pass a restore puts rec back: 1 (services and drivers), 2
 * (the dependents stopped for them: they cannot start while what they
 * need is disabled), or 0 (not at all: banwatch has not changed it, or
 * `only` (may be NULL) names another service, case-insensitively). */
unsigned bw_cstep_restore_pass(const bw_contain_record *rec, const char *only);

/* The 404 of target t when the service control manager cannot be opened
 * (err and its text): nothing was changed. The detail is written to
 * detail (len bytes); the result borrows it and t's strings. */
bw_contain_result bw_cstep_contain_scm_failed(const bw_contain_target *t, bool enforce,
                                              uint32_t err, const char *err_text, char *detail,
                                              size_t len);

/* The 404 of rec when the service control manager cannot be opened for a
 * restore; as above. */
bw_contain_result bw_cstep_restore_scm_failed(const bw_contain_record *rec, uint32_t err,
                                              const char *err_text, char *detail, size_t len);

#endif
