/*
 * bw_install.h - registering and removing the banwatch service and its
 * Event Log source (Win32 layer). Both operations are safe to re-run.
 */
#ifndef BW_INSTALL_H
#define BW_INSTALL_H

#include "../bw_api.h"
#include "../../core/bw_error.h"
#include "../../core/bw_status.h"

/* Registers the service (LocalSystem, automatic delayed start, restart on
 * failure, description) to run `"<exe_path>" service`, and the Event Log
 * source with exe_path as its message file. If the service exists its
 * configuration is brought up to date. A UTF-8 line for the user is written
 * into msg. */
bw_err bw_win_service_install(const bw_api *api, const wchar_t *exe_path, char *msg,
                              size_t msglen);

/* Stops (waiting up to timeout_ms) and deletes the service, and removes the
 * Event Log source. Not installed is not an error. */
bw_err bw_win_service_uninstall(const bw_api *api, unsigned timeout_ms, char *msg, size_t msglen);

/* Starts the installed service and waits up to timeout_ms until it runs
 * (already running is fine). On failure msg says that it is registered
 * but did not start, the Win32 reason, and how to start it once the cause
 * is fixed. */
bw_err bw_win_service_start(const bw_api *api, unsigned timeout_ms, char *msg, size_t msglen);

/* What the service control manager knows about the banwatch service:
 * installed, its state and start type. *out must be zeroed; when the SCM
 * or the service cannot be asked, out->queried stays false and
 * out->error says why (BW_ENOMEM only when that text cannot be kept). */
bw_err bw_win_service_query(const bw_api *api, bw_status_service *out);

/* Asks the running service to read its policy again
 * (SERVICE_CONTROL_PARAMCHANGE). */
bw_err bw_win_service_reload(const bw_api *api, char *msg, size_t msglen);

#endif
