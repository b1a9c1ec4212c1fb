/*
 * bw_agent.h - the resident agent (Win32 layer): loads the policy, opens the
 * state database and the sinks, scans at start, on a policy-set interval and
 * shortly after the Uninstall or Services keys change, raises alerts on
 * change, and a periodic heartbeat. Used by the service and by
 * `banwatch run` (the same loop in a console).
 */
#ifndef BW_AGENT_H
#define BW_AGENT_H

#include "bw_api.h"
#include "../core/bw_error.h"

typedef struct bw_agent_hooks {
    /* Called once the agent is initialised and its first scan is done
     * (the service reports SERVICE_RUNNING here). */
    void (*running)(void *ctx);
    /* Called during a long start with a progress checkpoint. */
    void (*starting)(void *ctx, unsigned wait_hint_ms);
    void *ctx;
} bw_agent_hooks;

/* Runs the agent until stop_event (a manual-reset event) is signalled; reload_event asks for the
 * policy to be read again. Returns when stopped; an error only when the
 * agent could not start at all (its data directory cannot be created). */
bw_err bw_agent_run(const bw_api *api, HANDLE stop_event, HANDLE reload_event,
                    const bw_agent_hooks *hooks);

#endif
