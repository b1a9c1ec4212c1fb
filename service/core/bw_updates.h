/*
 * bw_updates.h - judging update evidence: per product, the newest
 * signature/update date the machine shows, whether it lies after the ban's
 * cutoff, and how stale the signatures are (portable core, pure).
 *
 * Input is the snapshot's raw evidence (service/win/collect/collect_evidence.c
 * reads it); the parsers of bw_evidence.h interpret it. Evidence that
 * cannot be interpreted is listed as unreadable with its source and reason,
 * never turned into a date.
 */
#ifndef BW_UPDATES_H
#define BW_UPDATES_H

#include <stdbool.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"

/* "bases-index", "kdb.stt", "last-successful-update",
 * "protection-bases-date", "file-mtime", "install-date", "update-state",
 * "installed-update-date", "bases-info-date". */
const char *bw_evidence_kind_name(bw_evidence_kind k);

typedef struct bw_update_status {
    char *product;  /* vendor key ("AVP21.3"); NULL: not tied to one */
    bool has_date;  /* some evidence gave a date */
    int64_t newest; /* newest date (Unix seconds, UTC) if has_date */
    bw_evidence_kind newest_kind;
    char *newest_source; /* where the newest date was read */
    bool never;          /* the product says it never updated (and no date) */
    int64_t cutoff;      /* the cutoff that applies to this product */
    bool after_cutoff;   /* newest >= cutoff: update activity after the ban */
    int64_t age_days;    /* whole days from the newest signature date (or,
                            without one, from newest) to now (floor) */
    bool future;         /* that date lies after now: suspicious, not fresh */
    bool stale;          /* newest signature date older than the policy's
                            stale_after_days (install dates never count) */
    bool has_signature;  /* some signature evidence (not an install date) */
    int64_t newest_signature;
    unsigned n_evidence; /* evidence entries read for this product */
} bw_update_status;

typedef struct bw_unreadable_evidence {
    char *product;
    char *source;
    bw_evidence_kind kind;
    char *reason; /* e.g. "parse-error: no valid UpdateDate" */
} bw_unreadable_evidence;

typedef struct bw_updates {
    bw_update_status *items; /* ordered by product (NULL last) */
    size_t n, cap;
    bw_unreadable_evidence *bad;
    size_t n_bad, cap_bad;
} bw_updates;

/* Groups the snapshot's evidence by product and judges it at `now`. With
 * findings (may be NULL), each product finding's Uninstall InstallDate
 * ("YYYYMMDD", a calendar date: taken as its first second, UTC) is
 * evidence too, under the finding's key name: a product installed or
 * reinstalled after the cutoff is update activity. *out must be zeroed or
 * freed before. BW_ENOMEM only. */
bw_err bw_evaluate_updates(const bw_snapshot *snap, const bw_policy *pol,
                           const bw_findings *findings, int64_t now, bw_updates *out);

void bw_updates_free(bw_updates *u);

#endif
