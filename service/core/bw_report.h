/*
 * bw_report.h - reports (portable core): the scan as a JSON document
 * (schema in docs/scan-json.md) and as human-readable text (bw_report.c),
 * and `banwatch status` the same two ways (bw_report_status.c).
 */
#ifndef BW_REPORT_H
#define BW_REPORT_H

#include "bw_contain.h"
#include "bw_eval.h"
#include "bw_judge.h"
#include "bw_json.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_status.h"
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

/* Where the policy of a scan came from (any member may be NULL). */
typedef struct bw_report_source {
    const char *mode_source;       /* as for bw_report_json */
    const char *origin;            /* the policy file's path, or "built-in" */
    const char *from_group_policy; /* the settings Group Policy set
                                      (bw_gp_from_list), "-" for none */
} bw_report_source;

/* The same reports, saying where the policy came from: in JSON the policy
 * object's "origin" and "from_group_policy", in text a line under the
 * first. */
bw_err bw_report_json_src(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                          const bw_report_source *src, bw_buf *out);
bw_err bw_report_text_src(const bw_snapshot *snap, const bw_policy *pol, const bw_judgement *j,
                          const bw_report_source *src, bw_buf *out);

/* Appends the endpoint's state (bw_status.h) as one JSON document ending in
 * a newline: database, verdict (null before the first), last_scan (null
 * before the first), findings, updates, containment_mode, containment and
 * recent_alerts, whose stored fields are read back and written again
 * (docs/state-db.md). */
bw_err bw_report_status_json(const bw_status *s, bw_buf *out);

/* Appends the endpoint's state as text for a console, the verdict's two
 * lines first; values that could drive a terminal are escaped
 * (bw_buf_put_text). */
bw_err bw_report_status_text(const bw_status *s, bw_buf *out);

#endif
