/* bw_status.c - what `banwatch status` shows (portable core). See bw_status.h. */
#include "bw_status.h"

#include <stdlib.h>
#include <string.h>

#include "bw_contain.h"

void bw_status_free(bw_status *s)
{
    if (!s)
        return;
    free(s->service.error);
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

const char *bw_status_service_state(const bw_status_service *sv)
{
    if (!sv->queried)
        return "unknown";
    if (!sv->installed)
        return "not installed";
    return bw_service_state_name(sv->state);
}

const char *bw_status_service_advice(const bw_status_service *sv)
{
    if (!sv->queried)
        return "whether the banwatch service runs is not known: the service control manager "
               "could not be asked (run status from an elevated prompt)";
    if (!sv->installed)
        return "the banwatch service is not installed: nothing watches this machine and no "
               "alert is raised; run banwatch install from an elevated prompt";
    if (sv->has_start && sv->start == BW_START_DISABLED)
        return "the banwatch service is disabled: it does not run and will not start; run "
               "banwatch install from an elevated prompt to register it again and start it";
    switch (sv->state) {
    case BW_STATE_RUNNING: break;
    case BW_STATE_START_PENDING: return "the banwatch service is starting";
    case BW_STATE_STOP_PENDING:
        return "the banwatch service is stopping: nothing watches this machine once it has "
               "stopped";
    case BW_STATE_STOPPED:
        return "the banwatch service is not running: nothing watches this machine and no "
               "alert is raised until it runs; start it with net start banwatch (elevated), "
               "and see the Application event log for why it stopped";
    default:
        return "the banwatch service is neither running nor stopped; restart it with net stop "
               "banwatch and net start banwatch (elevated)";
    }
    if (sv->has_start && sv->start != BW_START_AUTO)
        return "the banwatch service runs, but it does not start by itself at the next boot; "
               "run banwatch install from an elevated prompt to make its start automatic";
    return NULL;
}
