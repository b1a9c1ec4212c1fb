/*
 * bw_status.h - what `banwatch status` shows (portable core): the endpoint's
 * state as the state database keeps it, plus the containment mode in force.
 *
 * Plain data, no handles and nothing of Windows: the Win32 layer (main.c)
 * gathers it (the store's reads, the policy and Group Policy for the mode)
 * and the report module renders it (bw_report_status_text and
 * bw_report_status_json, bw_report_status.c). Every string may come from a
 * database someone else could have written: the renderers escape them and
 * never copy stored text into the JSON.
 */
#ifndef BW_STATUS_H
#define BW_STATUS_H

#include <stdbool.h>

#include "bw_policy.h"
#include "bw_store.h"

/* How many of the most recent alerts status lists. */
#define BW_STATUS_RECENT_ALERTS 20

/* The banwatch service as the service control manager knows it. */
typedef struct bw_status_service {
    bool queried;   /* the service control manager answered; else error says why not */
    bool installed; /* the service is registered */
    uint32_t state; /* BW_STATE_* (bw_snapshot.h) */
    uint32_t start; /* BW_START_* */
    bool has_start; /* start could be read */
    char *error;    /* why it could not be asked ("access denied (5)"), or NULL */
} bw_status_service;

typedef struct bw_status {
    bw_status_service service; /* the service: installed, running? */
    char *database;            /* the state database's path (UTF-8) */
    /* The containment mode in force for the service (its policy file, else
     * the built-in policy, overridden by Group Policy) and where it comes
     * from. */
    bw_mode mode;
    char *mode_source;
    bool has_verdict;               /* a host verdict was recorded: */
    bw_verdict_record verdict;      /*   the newest one */
    bool has_last_scan;             /* a scan was recorded: */
    bw_scan_record last_scan;       /*   the most recent one */
    bw_stored_findings findings;    /* the unresolved findings */
    bw_stored_updates updates;      /* the update status per product */
    bw_contain_records containment; /* what containment did, per service */
    bw_alert_records alerts;        /* the most recent alerts, newest first */
} bw_status;

/* Frees every member; leaves *s zeroed. NULL-safe. */
void bw_status_free(bw_status *s);

/* What the service's state means for the administrator and what to do, as
 * one sentence (no final period): not installed, disabled, stopped,
 * starting or stopping, running with a manual start, or not known. NULL
 * when it runs with an automatic start (all is well). */
const char *bw_status_service_advice(const bw_status_service *sv);

/* The service's state in a word or two: "running", "stopped", "not
 * installed", "unknown". */
const char *bw_status_service_state(const bw_status_service *sv);

#endif
