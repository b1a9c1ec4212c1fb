/*
 * bw_judge.h - the one judgement of a scan (portable core, pure).
 *
 * `scan` and the resident service call the same function: the findings of
 * every tier, the update evidence judged per product, the containment plan
 * and the host's verdict, from the snapshot, the policy, the time and the
 * containment mode in force (which Group Policy may set, so the Win32
 * layer reads it and passes it in). Nothing here reads the machine or the
 * clock.
 */
#ifndef BW_JUDGE_H
#define BW_JUDGE_H

#include <stdint.h>

#include "bw_contain.h"
#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_updates.h"
#include "bw_verdict.h"

typedef struct bw_judgement {
    bw_findings findings; /* every tier */
    bw_findings counted;  /* the tiers the policy counts (copies): what is
                             stored, alerted and contained */
    bw_findings review;   /* the other tiers (copies): reported for review */
    bw_updates updates;
    bw_contain_plan plan; /* made from the counted findings */
    bw_verdict verdict;
    bw_mode mode; /* the containment mode it was judged with */
} bw_judgement;

/* Judges a snapshot. *out must be zeroed or freed before. BW_ENOMEM only
 * (then *out is empty). */
bw_err bw_judge(const bw_snapshot *snap, const bw_policy *pol, int64_t now, bw_mode mode,
                bw_judgement *out);

/* NULL-safe; leaves *j zeroed. */
void bw_judgement_free(bw_judgement *j);

/* What `scan` exits with (docs/scan-json.md). */
typedef enum bw_scan_outcome {
    BW_SCAN_CLEAN = 0,     /* nothing that counts, and nothing hidden */
    BW_SCAN_FINDINGS = 1,  /* findings of a counted tier */
    BW_SCAN_INCOMPLETE = 4 /* nothing that counts, but a gap could hide it */
} bw_scan_outcome;

bw_scan_outcome bw_judgement_outcome(const bw_judgement *j);

#endif
