/*
 * bw_report.h - scan reports: the JSON document (schema in docs/scan-json.md)
 * and the human-readable text (portable core).
 */
#ifndef BW_REPORT_H
#define BW_REPORT_H

#include "bw_contain.h"
#include "bw_eval.h"
#include "bw_judge.h"
#include "bw_json.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_str.h"
#include "bw_time.h"
#include "bw_updates.h"

/* Appends the scan as one JSON document (UTF-8, ending in a newline): the
 * verdict first, then the findings of every tier, the update evidence per
 * product and the containment plan (in the judgement's mode, whose origin
 * mode_source names; may be NULL). */
bw_err bw_report_json(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                      const char *mode_source, bw_buf *out);

/* Appends the scan as text for a console: the verdict's two lines first
 * (what is here, what to do next), then the details. */
bw_err bw_report_text(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                      const char *mode_source, bw_buf *out);



#endif
