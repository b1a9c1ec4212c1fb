/* bw_scm.c - SCM glue: dispatcher, control handler, status (Win32 layer). */
#include "bw_scm.h"

#include "bw_agent.h"
#include "bw_identity.h"

/* The SCM calls service_main and the handler without a context for the
 * former, so the little state they share lives here. */
static const bw_api *svc_api;
static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event, reload_event;
static DWORD checkpoint;

/* The one function that reports status to the SCM. */
static void report(DWORD state, DWORD exit_code, DWORD wait_hint)
{
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwWin32ExitCode = exit_code;
    status.dwServiceSpecificExitCode = exit_code == ERROR_SERVICE_SPECIFIC_ERROR ? 1 : 0;
    status.dwWaitHint = wait_hint;
    status.dwControlsAccepted =
        state == SERVICE_RUNNING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
            : 0;
    status.dwCheckPoint =
        (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : ++checkpoint;
    svc_api->SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data, LPVOID ctx)
{
    (void)type;
    (void)data;
    (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING, NO_ERROR, 5000);
        svc_api->SetEvent(stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE: svc_api->SetEvent(reload_event); return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE: return NO_ERROR;
    default: return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void on_running(void *ctx)
{
    (void)ctx;
    report(SERVICE_RUNNING, NO_ERROR, 0);
}

static void on_starting(void *ctx, unsigned wait_hint_ms)
{
    (void)ctx;
    report(SERVICE_START_PENDING, NO_ERROR, wait_hint_ms);
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    (void)argc;
    (void)argv;
    status_handle = svc_api->RegisterServiceCtrlHandlerExW(BW_SERVICE_NAME, handler, NULL);
    if (!status_handle)
        return;
    report(SERVICE_START_PENDING, NO_ERROR, 10000);
    stop_event = svc_api->CreateEventW(NULL, TRUE, FALSE, NULL);
    reload_event = svc_api->CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!stop_event || !reload_event) {
        report(SERVICE_STOPPED, GetLastError(), 0);
        return;
    }
    bw_agent_hooks hooks = {.running = on_running, .starting = on_starting};
    bw_err e = bw_agent_run(svc_api, stop_event, reload_event, &hooks);
    svc_api->CloseHandle(stop_event);
    svc_api->CloseHandle(reload_event);
    report(SERVICE_STOPPED, e == BW_OK ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR, 0);
}

bw_err bw_win_service_run(const bw_api *api, unsigned long *syserr)
{
    svc_api = api;
    *syserr = 0;
    SERVICE_TABLE_ENTRYW table[] = {{BW_SERVICE_NAME, service_main}, {NULL, NULL}};
    if (!api->StartServiceCtrlDispatcherW(table)) {
        *syserr = GetLastError();
        return BW_ESYS;
    }
    return BW_OK;
}
