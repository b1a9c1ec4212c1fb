/*
 * bw_report.h - scan reports: the JSON document (schema in docs/scan-json.md)
 * and the human-readable text (portable core).
 */
#ifndef BW_REPORT_H
#define BW_REPORT_H

#include "bw_contain.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_str.h"
#include "bw_updates.h"

/* What containment would do with the findings (a scan changes nothing). */
typedef struct bw_report_contain {
    const bw_contain_plan *plan;
    bw_mode mode;             /* the mode in force */
    const char *mode_source;  /* where it comes from (may be NULL) */
} bw_report_contain;

/* Appends the scan as one JSON document (UTF-8, ending in a newline).
 * updates (may be NULL) adds the update evidence per product, contain (may
 * be NULL) the containment plan. */
bw_err bw_report_json(const bw_snapshot *snap, const bw_policy *pol,
                      const bw_findings *f, const bw_updates *updates,
                      const bw_report_contain *contain, bw_buf *out);

/* Appends the scan as text for a console. */
bw_err bw_report_text(const bw_snapshot *snap, const bw_policy *pol,
                      const bw_findings *f, const bw_updates *updates,
                      const bw_report_contain *contain, bw_buf *out);

/* Appends s as a JSON string literal (quotes included); NULL -> null. */
bw_err bw_json_string(bw_buf *out, const char *s);

/* Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (21 bytes). */
void bw_format_utc(int64_t t, char buf[21]);

#endif
