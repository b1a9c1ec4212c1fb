/*
 * bw_scm.h - running as a Windows service (Win32 layer): the SCM
 * dispatcher, the control handler (STOP, SHUTDOWN, PARAMCHANGE) and status
 * reporting. The agent's work (bw_agent.h) runs on the service thread and
 * waits on the events this module signals.
 */
#ifndef BW_SCM_H
#define BW_SCM_H

#include "bw_api.h"
#include "../core/bw_error.h"

/* Connects to the SCM and runs the service until it is stopped. Returns
 * BW_ESYS with *syserr = ERROR_FAILED_SERVICE_CONTROLLER_CONNECT when the
 * program was not started by the SCM. */
bw_err bw_win_service_run(const bw_api *api, unsigned long *syserr);

#endif
