/*
 * fake_scm.h - a fake service control manager behind an API table, for the
 * containment effect tests (service/win/contain/bw_contain_exec.c), run under Wine.
 *
 * A separate table from fake_api.h: the collectors only read, the effects
 * change services, and each fake checks the calls its users may make. The
 * table fills only the entries the effects use; every other entry is NULL,
 * so a call to one crashes the test (cmocka reports it as a failure).
 *
 * The model, as Windows behaves:
 *   - Services with a type, start type, state, wait hint, the services
 *     each depends on, and a launch protection level (QueryServiceConfig2W
 *     with SERVICE_CONFIG_LAUNCH_PROTECTED; a service can answer
 *     ERROR_INVALID_LEVEL instead, as on Windows before 8.1 and on Wine).
 *   - Access rights: OpenServiceW grants what it is asked (generic rights
 *     mapped; MAXIMUM_ALLOWED gives all that is not denied), unless the
 *     service denies some of them (self-defense); each call checks the
 *     right it needs on the handle and fails with ERROR_ACCESS_DENIED
 *     without it: QueryServiceConfigW/QueryServiceConfig2W need
 *     SERVICE_QUERY_CONFIG, QueryServiceStatusEx SERVICE_QUERY_STATUS,
 *     ChangeServiceConfigW SERVICE_CHANGE_CONFIG, ControlService(STOP)
 *     SERVICE_STOP, StartServiceW SERVICE_START, EnumDependentServicesW
 *     SERVICE_ENUMERATE_DEPENDENTS.
 *   - ChangeServiceConfigW may change the start type only: the test fails
 *     unless type and error control are SERVICE_NO_CHANGE and every string
 *     and the tag are NULL (a containment effect never changes anything
 *     else). Start types 0 and 1 are refused for a Win32 service
 *     (ERROR_INVALID_PARAMETER).
 *   - ControlService(SERVICE_CONTROL_STOP): ERROR_SERVICE_NOT_ACTIVE when
 *     stopped, ERROR_SERVICE_CANNOT_ACCEPT_CTRL while pending,
 *     ERROR_DEPENDENT_SERVICES_RUNNING while a dependent is active, else
 *     the stop behaviour of the service (fscm_stop). The status is written
 *     on success and for those errors, as Windows does.
 *     SERVICE_CONTROL_INTERROGATE answers the status; any other control
 *     fails the test.
 *   - StartServiceW: ERROR_SERVICE_DISABLED when the start type is 4,
 *     ERROR_SERVICE_ALREADY_RUNNING unless stopped; the services it
 *     depends on are started first (ERROR_SERVICE_DEPENDENCY_FAIL when one
 *     cannot be).
 *   - EnumDependentServicesW lists the dependents, direct and indirect, in
 *     the reverse of their start order (a dependent's own dependents come
 *     before it), filtered by SERVICE_ACTIVE / SERVICE_INACTIVE /
 *     SERVICE_STATE_ALL; the ENUM_SERVICE_STATUSW array at the front of
 *     the buffer and the strings behind it; ERROR_MORE_DATA with the bytes
 *     needed (and nothing returned) when the buffer is too small.
 *   - QueryServiceConfigW / QueryServiceConfig2W: the structure and its
 *     strings in one buffer; ERROR_INSUFFICIENT_BUFFER with the bytes
 *     needed when it is too small. QueryServiceConfig2W of any level but
 *     SERVICE_CONFIG_LAUNCH_PROTECTED fails the test.
 *   - Pending states advance only when polled: each QueryServiceStatusEx
 *     of a service that is stopping (or starting) is one poll.
 *   - A fake clock: GetTickCount64 returns it and Sleep(ms) advances it
 *     (nothing really sleeps). A wait that runs past an hour of fake time,
 *     or 100000 Sleep or QueryServiceStatusEx calls, fails the test: a
 *     loop that would hang on Windows ends here as a failure.
 *   - A registry of one key, HKLM\SOFTWARE\Policies\banwatch, and its
 *     value ContainmentMode (Group Policy's override of the mode), behind
 *     RegOpenKeyExW / RegQueryValueExW / RegCloseKey. Any other key is
 *     ERROR_FILE_NOT_FOUND; opening with write access fails the test.
 *
 * Handles (the SCM's, services', the key's) are accounted: every handle
 * opened must be closed (fscm_assert_no_leaks); using a closed or foreign
 * handle, or closing one twice, fails the test.
 *
 * Names given to the builders are UTF-8 and compared case-insensitively.
 * A builder naming a service that was not added fails the test.
 */
#ifndef FAKE_SCM_H
#define FAKE_SCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_api.h"

/* Clears services, the registry value, injections, counters and the
 * clock; frees any handle still open. */
void fscm_reset(void);

/* The fake table. */
const bw_api *fscm_api(void);

/* cmocka setup/teardown: a fresh fake before and after a test. */
int fscm_setup(void **state);
int fscm_teardown(void **state);

/* ---- services ----------------------------------------------------------- */

/* Adds a service. type: SERVICE_WIN32_OWN_PROCESS, SERVICE_KERNEL_DRIVER,
 * ...; start: 0-4; state: SERVICE_RUNNING or SERVICE_STOPPED; wait_hint_ms
 * is reported while it is stopping or starting. display may be NULL. */
void fscm_service(const char *name, const char *display, uint32_t type, uint32_t start,
                  uint32_t state, uint32_t wait_hint_ms);

/* `dependent` depends on `on` (both added before): it is in the
 * dependencies of `on`'s dependents, needs `on` to run, and keeps `on`
 * from stopping while it is active. */
void fscm_depends(const char *dependent, const char *on);

/* The launch protection level QueryServiceConfig2W reports (0 none,
 * 3 SERVICE_LAUNCH_PROTECTED_ANTIMALWARE_LIGHT). */
void fscm_launch_protected(const char *name, uint32_t level);

/* QueryServiceConfig2W fails with ERROR_INVALID_LEVEL for this service (as
 * on Windows 7 and Wine, which know no launch protection). */
void fscm_config2_unsupported(const char *name);

/* OpenServiceW of this service asking for any right in `access` (after
 * generic rights are mapped) fails with err; other opens succeed. E.g.
 * SERVICE_CHANGE_CONFIG | SERVICE_STOP with ERROR_ACCESS_DENIED: an
 * anti-virus's self-defense that still lets anyone query it. */
void fscm_open_deny(const char *name, uint32_t access, uint32_t err);

/* ChangeServiceConfigW / ControlService(STOP) / StartServiceW of this
 * service fail with err (0: no longer), after the access check. */
void fscm_change_error(const char *name, uint32_t err);
void fscm_control_error(const char *name, uint32_t err);
void fscm_start_error(const char *name, uint32_t err);

/* How the service answers a stop. */
typedef enum fscm_stop {
    FSCM_STOP_AT_ONCE = 0, /* stopped when ControlService returns (the default) */
    FSCM_STOP_AFTER_POLLS, /* STOP_PENDING for `polls` QueryServiceStatusEx calls, the
                              check point rising by one each, then STOPPED */
    FSCM_STOP_NEVER,       /* STOP_PENDING for ever, the check point constant */
    FSCM_STOP_REFUSED      /* does not accept stop: ERROR_INVALID_SERVICE_CONTROL */
} fscm_stop;

void fscm_stop_behaviour(const char *name, fscm_stop how, unsigned polls);

/* After StartServiceW the service is START_PENDING for `polls`
 * QueryServiceStatusEx calls, then RUNNING (default 0: running at once). */
void fscm_start_polls(const char *name, unsigned polls);

/* OpenSCManagerW fails with err (0: succeeds again). */
void fscm_scm_open_error(uint32_t err);

/* ---- the Group Policy value ------------------------------------------------ */

/* HKLM\SOFTWARE\Policies\banwatch exists (without the value unless one is
 * set below). Before any of these calls the key does not exist. */
void fscm_gp_key(void);
/* ContainmentMode as REG_SZ holding s and its NUL terminator. */
void fscm_gp_sz(const char *s);
/* ContainmentMode with any type and raw bytes (e.g. a string without its
 * terminator, or a REG_DWORD). */
void fscm_gp_value(uint32_t type, const void *data, size_t size);
/* Opening the key fails with err (the key exists). */
void fscm_gp_open_error(uint32_t err);
/* Reading the value fails with err (the key exists). */
void fscm_gp_query_error(uint32_t err);

/* ---- the clock ----------------------------------------------------------- */

/* What GetSystemTimeAsFileTime returns (FILETIME ticks). */
void fscm_set_filetime(uint64_t ticks);
/* Milliseconds Sleep has advanced the clock since fscm_reset. */
uint64_t fscm_elapsed_ms(void);

/* ---- inspection, failure injection and accounting -------------------------- */

typedef enum fscm_fn {
    FSCM_OpenSCManagerW,
    FSCM_OpenServiceW,
    FSCM_CloseServiceHandle,
    FSCM_QueryServiceConfigW,
    FSCM_QueryServiceConfig2W,
    FSCM_QueryServiceStatusEx,
    FSCM_ChangeServiceConfigW,
    FSCM_ControlService,
    FSCM_StartServiceW,
    FSCM_EnumDependentServicesW,
    FSCM_RegOpenKeyExW,
    FSCM_RegQueryValueExW,
    FSCM_Sleep,
    FSCM_FN_COUNT
} fscm_fn;

/* The service's current start type and state. */
uint32_t fscm_start_type(const char *name);
uint32_t fscm_state(const char *name);

/* Calls of fn that named this service (OpenServiceW) or used a handle of
 * it, failed ones included, since fscm_reset or fscm_clear_calls. */
unsigned fscm_calls(const char *name, fscm_fn fn);
/* Calls of fn in all, since fscm_reset or fscm_clear_calls. */
unsigned fscm_total_calls(fscm_fn fn);
/* Sets every call counter back to 0 (not the injections' counts). */
void fscm_clear_calls(void);

/* The nth call of fn (1-based, counted since fscm_reset) fails with err.
 * Up to 32 injections at once. */
void fscm_fail(fscm_fn fn, unsigned nth, uint32_t err);

/* Handles currently open. */
size_t fscm_open_handles(void);
/* Fails the test if a handle is still open. */
void fscm_assert_no_leaks(void);

#endif
