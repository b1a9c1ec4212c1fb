/*
 * fakesvc.c - a tiny Windows service for the end-to-end tests (a test tool,
 * not part of banwatch: plain Win32).
 *
 * Registered with the SCM under any name (e.g. Kaspersky's AVP or klnagent,
 * for tests/e2e/contain.sh):
 *
 *   sc create AVP binpath= "\"C:\...\avp.exe\" --log C:\fakesvc.log" start= auto
 *
 * It runs as a SERVICE_WIN32_OWN_PROCESS (a dispatcher table entry with an
 * empty name, so one exe serves every name), reports SERVICE_RUNNING and
 * waits; SERVICE_CONTROL_STOP and SERVICE_CONTROL_SHUTDOWN make it report
 * SERVICE_STOP_PENDING, wait --stop-delay milliseconds (0 by default), then
 * report SERVICE_STOPPED.
 *
 * Options (from the image path's command line):
 *   --stop-delay MS   time spent in STOP_PENDING before STOPPED
 *   --log FILE        append one line per step ("<service> <pid> <step>")
 *
 * A service's stdout goes nowhere, so it prints nothing there; run from a
 * console (not by the SCM) it says so on stderr and exits 1. Exit 2: bad
 * arguments.
 */
#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_log;  /* --log FILE, or NULL */
static DWORD g_stop_delay; /* --stop-delay MS */
static char g_name[256];   /* the service name the SCM gave us */
static SERVICE_STATUS_HANDLE g_status_handle;
static SERVICE_STATUS g_status;
static HANDLE g_stop_event;

static void trace(const char *fmt, ...)
{
    char line[512];
    int n;
    va_list ap;
    HANDLE f;
    DWORD written;

    if (g_log == NULL)
        return;
    n = snprintf(line, sizeof line, "%s %lu ", g_name[0] ? g_name : "-",
                 (unsigned long)GetCurrentProcessId());
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 2, fmt, ap);
    va_end(ap);
    n = (int)strlen(line);
    line[n++] = '\r';
    line[n++] = '\n';
    f = CreateFileA(g_log, FILE_APPEND_DATA,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return;
    WriteFile(f, line, (DWORD)n, &written, NULL);
    CloseHandle(f);
}

static void report(DWORD state, DWORD wait_hint)
{
    g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    g_status.dwCurrentState = state;
    g_status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    g_status.dwWin32ExitCode = NO_ERROR;
    g_status.dwServiceSpecificExitCode = 0;
    if (state == SERVICE_RUNNING || state == SERVICE_STOPPED)
        g_status.dwCheckPoint = 0;
    else
        g_status.dwCheckPoint++;
    g_status.dwWaitHint = wait_hint;
    if (!SetServiceStatus(g_status_handle, &g_status))
        trace("SetServiceStatus(%lu) failed: %lu", (unsigned long)state,
              (unsigned long)GetLastError());
}

static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data, LPVOID context)
{
    (void)type;
    (void)data;
    (void)context;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        trace("%s", control == SERVICE_CONTROL_STOP ? "stop" : "shutdown");
        if (g_status.dwCurrentState == SERVICE_RUNNING) {
            report(SERVICE_STOP_PENDING, g_stop_delay + 2000);
            SetEvent(g_stop_event);
        }
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE: return NO_ERROR;
    default: return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI service_main(DWORD argc, LPSTR *argv)
{
    DWORD waited = 0;

    if (argc > 0 && argv[0] != NULL)
        snprintf(g_name, sizeof g_name, "%s", argv[0]);
    g_status_handle = RegisterServiceCtrlHandlerExA(g_name, handler, NULL);
    if (g_status_handle == NULL) {
        trace("RegisterServiceCtrlHandlerEx failed: %lu", (unsigned long)GetLastError());
        return;
    }
    g_stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (g_stop_event == NULL) {
        g_status.dwWin32ExitCode = GetLastError();
        g_status.dwCurrentState = SERVICE_STOPPED;
        SetServiceStatus(g_status_handle, &g_status);
        return;
    }
    report(SERVICE_RUNNING, 0);
    trace("running");
    WaitForSingleObject(g_stop_event, INFINITE);
    /* Stay in STOP_PENDING for the delay, with progress every 100 ms. */
    while (waited < g_stop_delay) {
        DWORD step = g_stop_delay - waited < 100 ? g_stop_delay - waited : 100;
        Sleep(step);
        waited += step;
        report(SERVICE_STOP_PENDING, g_stop_delay - waited + 2000);
    }
    trace("stopped");
    CloseHandle(g_stop_event);
    report(SERVICE_STOPPED, 0);
}

int main(int argc, char **argv)
{
    static SERVICE_TABLE_ENTRYA table[] = {
        {(LPSTR) "", service_main},
        {NULL, NULL},
    };
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stop-delay") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*argv[i] == '\0' || *end != '\0' || v > 600000UL) {
                fprintf(stderr, "fakesvc: bad --stop-delay '%s' (0..600000 ms)\n", argv[i]);
                return 2;
            }
            g_stop_delay = (DWORD)v;
        } else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
            g_log = argv[++i];
        } else {
            fprintf(stderr, "usage: fakesvc.exe [--stop-delay MS] [--log FILE]\n");
            return 2;
        }
    }
    if (!StartServiceCtrlDispatcherA(table)) {
        DWORD err = GetLastError();
        trace("StartServiceCtrlDispatcher failed: %lu", (unsigned long)err);
        if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            fprintf(stderr, "fakesvc: a test service: run it with the service control manager\n");
        else
            fprintf(stderr, "fakesvc: StartServiceCtrlDispatcher failed: %lu\n",
                    (unsigned long)err);
        return 1;
    }
    return 0;
}
