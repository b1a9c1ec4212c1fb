/*
 * bw_install.h - registering and removing the banwatch service and its
 * Event Log source (Win32 layer). Both operations are safe to re-run.
 */
#ifndef BW_INSTALL_H
#define BW_INSTALL_H

#include "../bw_api.h"
#include "../../core/bw_error.h"

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

/* Asks the running service to read its policy again
 * (SERVICE_CONTROL_PARAMCHANGE). */
bw_err bw_win_service_reload(const bw_api *api, char *msg, size_t msglen);

#endif
