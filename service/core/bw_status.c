/* bw_status.c - what `banwatch status` shows (portable core). See bw_status.h. */
#include "bw_status.h"

#include <stdlib.h>
#include <string.h>

void bw_status_free(bw_status *s)
{
    if (!s)
        return;
    free(s->database);
    free(s->mode_source);
    bw_verdict_record_free(&s->verdict);
    bw_scan_record_free(&s->last_scan);
    bw_stored_findings_free(&s->findings);
    bw_stored_updates_free(&s->updates);
    bw_contain_records_free(&s->containment);
    bw_alert_records_free(&s->alerts);
    memset(s, 0, sizeof *s);
}
