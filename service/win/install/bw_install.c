/* bw_install.c - service and Event Log source registration (Win32 layer). */
#include "bw_install.h"
#include "../bw_identity.h"
#include "../bw_winsec.h"
#include "../bw_winreg.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "../bw_winerr.h"

/* Writes "<what>: <Win32 error text>" to msg and maps the error. */
static bw_err fail(char *msg, size_t len, const char *what, DWORD code)
{
    char why[96];
    bw_win_error_text(code, why, sizeof why);
    if (code == ERROR_ACCESS_DENIED)
        snprintf(msg, len, "%s: %s: run banwatch from an elevated (administrator) prompt", what,
                 why);
    else
        snprintf(msg, len, "%s: %s", what, why);
    return bw_win_error(code);
}

static bw_err register_source(const bw_api *api, const wchar_t *exe_path, char *msg, size_t len)
{
    HKEY key;
    LSTATUS rc = api->RegCreateKeyExW(HKEY_LOCAL_MACHINE, BW_EVENTLOG_KEY, 0, NULL, 0,
                                      KEY_SET_VALUE, NULL, &key, NULL);
    if (rc != ERROR_SUCCESS)
        return fail(msg, len, "cannot register the Event Log source", (DWORD)rc);
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    rc = api->RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe_path,
                             (DWORD)((wcslen(exe_path) + 1) * sizeof(wchar_t)));
    if (rc == ERROR_SUCCESS)
        rc = api->RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                                 sizeof types);
    api->RegCloseKey(key);
    if (rc != ERROR_SUCCESS)
        return fail(msg, len, "cannot write the Event Log source values", (DWORD)rc);
    return BW_OK;
}

static bw_err configure(const bw_api *api, SC_HANDLE svc, char *msg, size_t len)
{
    SERVICE_DESCRIPTIONW desc = {
        .lpDescription = L"Finds software of vendors banned by policy (Kaspersky by default), "
                         L"watches it for update activity and reports to the Windows Event Log."};
    if (!api->ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc))
        return fail(msg, len, "cannot set the service description", GetLastError());
    SERVICE_DELAYED_AUTO_START_INFO delayed = {.fDelayedAutostart = TRUE};
    if (!api->ChangeServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed)) {
        DWORD code = GetLastError();
        if (code != ERROR_INVALID_LEVEL)
            return fail(msg, len, "cannot set delayed automatic start", code);
        /* An SCM without this level (Windows before Vista, Wine): write the
         * value the SCM reads at boot itself. */
        HKEY key;
        LSTATUS rc = api->RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                                        L"SYSTEM\\CurrentControlSet\\Services\\" BW_SERVICE_NAME,
                                        0, KEY_SET_VALUE, &key);
        if (rc == ERROR_SUCCESS) {
            DWORD one = 1;
            rc = api->RegSetValueExW(key, L"DelayedAutostart", 0, REG_DWORD, (const BYTE *)&one,
                                     sizeof one);
            api->RegCloseKey(key);
        }
        if (rc != ERROR_SUCCESS)
            return fail(msg, len, "cannot set delayed automatic start", (DWORD)rc);
    }
    /* Restart after 1 minute, twice; the count resets after a day. */
    SC_ACTION actions[3] = {
        {SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 60000}, {SC_ACTION_NONE, 0}};
    SERVICE_FAILURE_ACTIONSW fa = {.dwResetPeriod = 86400, .cActions = 3, .lpsaActions = actions};
    if (!api->ChangeServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa))
        return fail(msg, len, "cannot set the failure actions", GetLastError());
    return BW_OK;
}

/* The service runs the program as SYSTEM: warn when others could change it
 * or its folder (install it under Program Files, as the MSI does). */
static void warn_location(const bw_api *api, const wchar_t *exe_path, char *msg, size_t len)
{
    char *exe = NULL, self[BW_SID_MAX], why[512];
    bw_win_status st = {0};
    if (bw_utf16_to_utf8((const uint16_t *)exe_path, wcslen(exe_path), &exe) != BW_OK)
        return;
    bw_win_self_sid(api, self, sizeof self, &st);
    bw_err e = bw_win_program_trusted(api, exe, self, why, sizeof why);
    if (e != BW_OK && e != BW_ENOMEM) {
        size_t used = strlen(msg);
        snprintf(msg + used, len - used,
                 "\nwarning: %s. banwatch runs as SYSTEM: whoever may change its program or "
                 "its folder may run code as SYSTEM. Install it under Program Files (the MSI "
                 "does).",
                 why);
    }
    free(exe);
}

/* A service deleted while its process still runs, or while someone holds a
 * handle to it, is only marked for deletion, and a new one of the same
 * name cannot be created until it is gone: as when an upgrade removes the
 * older banwatch and installs the new one at once. Waits up to this long
 * for it to go. */
#define MARKED_FOR_DELETE_WAIT_MS 30000

static SC_HANDLE create_service(const bw_api *api, SC_HANDLE scm, const wchar_t *cmd)
{
    ULONGLONG until = api->GetTickCount64() + MARKED_FOR_DELETE_WAIT_MS;
    for (;;) {
        SC_HANDLE svc = api->CreateServiceW(scm, BW_SERVICE_NAME, BW_SERVICE_DISPLAY,
                                            SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                                            SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, cmd, NULL,
                                            NULL, NULL, NULL /* LocalSystem */, NULL);
        if (svc || GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE ||
            api->GetTickCount64() >= until)
            return svc;
        api->Sleep(250);
    }
}

bw_err bw_win_service_install(const bw_api *api, const wchar_t *exe_path, char *msg, size_t len)
{
    wchar_t cmd[MAX_PATH + 32];
    if (swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" service", exe_path) < 0) {
        snprintf(msg, len, "install: the program path is too long");
        return BW_ERANGE;
    }
    SC_HANDLE scm =
        api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!scm)
        return fail(msg, len, "cannot open the service control manager", GetLastError());
    bw_err e = BW_OK;
    bool existed = false;
    SC_HANDLE svc = create_service(api, scm, cmd);
    if (!svc && GetLastError() == ERROR_SERVICE_EXISTS) {
        existed = true;
        svc = api->OpenServiceW(scm, BW_SERVICE_NAME, SERVICE_ALL_ACCESS);
        if (svc && !api->ChangeServiceConfigW(svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                              SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL,
                                              L"LocalSystem", NULL, BW_SERVICE_DISPLAY)) {
            e = fail(msg, len, "cannot update the existing service", GetLastError());
            goto out;
        }
    }
    if (!svc) {
        e = fail(msg, len, "cannot create the service", GetLastError());
        goto out;
    }
    e = configure(api, svc, msg, len);
    if (e != BW_OK)
        goto out;
    e = register_source(api, exe_path, msg, len);
    if (e != BW_OK)
        goto out;
    snprintf(msg, len,
             existed ? "service banwatch was already installed: configuration updated"
                     : "service banwatch installed (automatic, delayed start)");
    warn_location(api, exe_path, msg, len);
out:
    if (svc)
        api->CloseServiceHandle(svc);
    api->CloseServiceHandle(scm);
    return e;
}

bw_err bw_win_service_uninstall(const bw_api *api, unsigned timeout_ms, char *msg, size_t len)
{
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return fail(msg, len, "cannot open the service control manager", GetLastError());
    bw_err e = BW_OK;
    bool existed = true;
    SC_HANDLE svc =
        api->OpenServiceW(scm, BW_SERVICE_NAME, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        DWORD code = GetLastError();
        if (code != ERROR_SERVICE_DOES_NOT_EXIST) {
            e = fail(msg, len, "cannot open the service", code);
            goto out;
        }
        existed = false;
    } else {
        /* Stop it and wait until it has stopped, also when a stop was
         * already under way (someone else asked, as Windows Installer's
         * StopServices does without waiting under Wine) and this request
         * is refused for that. */
        SERVICE_STATUS st;
        if (api->ControlService(svc, SERVICE_CONTROL_STOP, &st) ||
            GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
            ULONGLONG until = api->GetTickCount64() + timeout_ms;
            SERVICE_STATUS_PROCESS sp;
            DWORD need;
            while (api->QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp,
                                             &need) &&
                   sp.dwCurrentState != SERVICE_STOPPED && api->GetTickCount64() < until)
                api->Sleep(100);
        }
        if (!api->DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
            e = fail(msg, len, "cannot delete the service", GetLastError());
            goto out;
        }
    }
    LSTATUS rc = api->RegDeleteTreeW(HKEY_LOCAL_MACHINE, BW_EVENTLOG_KEY);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) {
        e = fail(msg, len, "cannot remove the Event Log source", (DWORD)rc);
        goto out;
    }
    snprintf(msg, len,
             existed ? "service banwatch removed" : "service banwatch was not installed");
out:
    if (svc)
        api->CloseServiceHandle(svc);
    api->CloseServiceHandle(scm);
    return e;
}

/* Polls the service until it leaves START_PENDING or the time is up; true
 * if it runs. *state is the last state read (0 if none could be). */
static bool wait_running(const bw_api *api, SC_HANDLE svc, unsigned timeout_ms, DWORD *state,
                         DWORD *exit_code)
{
    ULONGLONG until = api->GetTickCount64() + timeout_ms;
    SERVICE_STATUS_PROCESS sp;
    DWORD need;
    *state = 0;
    *exit_code = 0;
    while (
        api->QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp, &need)) {
        *state = sp.dwCurrentState;
        *exit_code = sp.dwWin32ExitCode;
        if (sp.dwCurrentState != SERVICE_START_PENDING || api->GetTickCount64() >= until)
            break;
        api->Sleep(100);
    }
    return *state == SERVICE_RUNNING;
}

#define START_ADVICE                                                                 \
    "; fix the cause (see the Application event log and %%ProgramData%%\\banwatch\\" \
    "banwatch.log), then start it with 'net start banwatch' from an elevated prompt"

/* Starts svc (already running is fine); 0, or the Win32 error. */
static DWORD start_service(const bw_api *api, SC_HANDLE svc, bool *already)
{
    *already = false;
    if (api->StartServiceW(svc, 0, NULL))
        return 0;
    DWORD code = GetLastError();
    *already = code == ERROR_SERVICE_ALREADY_RUNNING;
    return *already ? 0 : code;
}

bw_err bw_win_service_start(const bw_api *api, unsigned timeout_ms, char *msg, size_t len)
{
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return fail(msg, len,
                    "service banwatch is registered, but the service control manager cannot be "
                    "opened to start it",
                    GetLastError());
    bw_err e = BW_OK;
    SC_HANDLE svc = api->OpenServiceW(scm, BW_SERVICE_NAME, SERVICE_START | SERVICE_QUERY_STATUS);
    DWORD code = svc ? 0 : GetLastError(), state = 0, exit_code = 0;
    bool already = false;
    if (svc)
        code = start_service(api, svc, &already);
    if (code) {
        char why[96];
        bw_win_error_text(code, why, sizeof why);
        snprintf(msg, len,
                 "service banwatch is registered, but it did not start: %s" START_ADVICE, why);
        e = bw_win_error(code);
    } else if (!wait_running(api, svc, timeout_ms, &state, &exit_code)) {
        char why[96] = "";
        if (exit_code && exit_code != ERROR_SERVICE_SPECIFIC_ERROR)
            bw_win_error_text(exit_code, why, sizeof why);
        snprintf(msg, len,
                 "service banwatch is registered, but it did not start (%s%s%s)" START_ADVICE,
                 state == SERVICE_START_PENDING ? "still starting after the wait" : "it stopped",
                 *why ? ": " : "", why);
        e = BW_ESYS;
    } else {
        snprintf(msg, len, already ? "service banwatch is running" : "service banwatch started");
    }
    if (svc)
        api->CloseServiceHandle(svc);
    api->CloseServiceHandle(scm);
    return e;
}

/* The service's start type, into out (has_start false if unreadable). */
static bw_err query_start(const bw_api *api, SC_HANDLE svc, bw_status_service *out)
{
    DWORD need = 0;
    if (api->QueryServiceConfigW(svc, NULL, 0, &need) ||
        GetLastError() != ERROR_INSUFFICIENT_BUFFER || need == 0 || need > 64 * 1024)
        return BW_OK;
    QUERY_SERVICE_CONFIGW *cfg = malloc(need);
    if (!cfg)
        return BW_ENOMEM;
    if (api->QueryServiceConfigW(svc, cfg, need, &need)) {
        out->has_start = true;
        out->start = cfg->dwStartType;
    }
    free(cfg);
    return BW_OK;
}

/* out->error: what could not be done, and why. */
static bw_err query_failed(bw_status_service *out, const char *what, DWORD code)
{
    char why[96];
    bw_win_error_text(code, why, sizeof why);
    out->error = bw_strfmt("%s: %s", what, why);
    return out->error ? BW_OK : BW_ENOMEM;
}

bw_err bw_win_service_query(const bw_api *api, bw_status_service *out)
{
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return query_failed(out, "cannot open the service control manager", GetLastError());
    bw_err e = BW_OK;
    SC_HANDLE svc =
        api->OpenServiceW(scm, BW_SERVICE_NAME, SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS);
    SERVICE_STATUS_PROCESS sp;
    DWORD need;
    if (!svc) {
        DWORD code = GetLastError();
        out->queried = code == ERROR_SERVICE_DOES_NOT_EXIST;
        if (!out->queried)
            e = query_failed(out, "cannot open the service", code);
    } else if (!api->QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)&sp, sizeof sp,
                                          &need)) {
        e = query_failed(out, "cannot read the service's state", GetLastError());
    } else {
        out->queried = out->installed = true;
        out->state = sp.dwCurrentState <= SERVICE_PAUSED ? sp.dwCurrentState : BW_STATE_UNKNOWN;
        e = query_start(api, svc, out);
    }
    if (svc)
        api->CloseServiceHandle(svc);
    api->CloseServiceHandle(scm);
    return e;
}

bw_err bw_win_service_reload(const bw_api *api, char *msg, size_t len)
{
    SC_HANDLE scm = api->OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return fail(msg, len, "cannot open the service control manager", GetLastError());
    bw_err e = BW_OK;
    SC_HANDLE svc = api->OpenServiceW(scm, BW_SERVICE_NAME, SERVICE_PAUSE_CONTINUE);
    SERVICE_STATUS st;
    if (!svc) {
        DWORD code = GetLastError();
        e = code == ERROR_SERVICE_DOES_NOT_EXIST
                ? (snprintf(msg, len, "service banwatch is not installed"), BW_ENOTFOUND)
                : fail(msg, len, "cannot open the service", code);
    } else if (!api->ControlService(svc, SERVICE_CONTROL_PARAMCHANGE, &st)) {
        DWORD code = GetLastError();
        e = code == ERROR_SERVICE_NOT_ACTIVE
                ? (snprintf(msg, len, "service banwatch is not running"), BW_ENOTFOUND)
                : fail(msg, len, "cannot ask the service to reload", code);
    } else {
        snprintf(msg, len, "service banwatch asked to reload its policy");
    }
    if (svc)
        api->CloseServiceHandle(svc);
    api->CloseServiceHandle(scm);
    return e;
}
