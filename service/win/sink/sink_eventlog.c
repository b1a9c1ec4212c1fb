/*
 * sink_eventlog.c - the Windows Event Log sink (Win32 layer): source
 * "banwatch" in the Application log; the fields are the insertion strings
 * of the message table linked into banwatch.exe (service/messages).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_sink.h"
#include "../bw_identity.h"
#include "../bw_winerr.h"

typedef struct eventlog {
    const bw_api *api;
    HANDLE source;
} eventlog;

DWORD bw_sink_eventlog_message_id(const bw_alert *a)
{
    DWORD sev = a->severity == BW_SEVERITY_ERROR     ? 3u
                : a->severity == BW_SEVERITY_WARNING ? 2u
                                                     : 1u;
    return (sev << 30) | (DWORD)a->event_id;
}

static bw_err emit(void *self, const bw_alert *a, int64_t now)
{
    eventlog *s = self;
    (void)now; /* the Event Log stamps its own time */
    const char *strs[BW_ALERT_MAX_FIELDS];
    LPCWSTR wstrs[BW_ALERT_MAX_FIELDS] = {0};
    size_t n = bw_alert_strings(a, strs, BW_ALERT_MAX_FIELDS);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        uint16_t *w = NULL;
        ok = bw_utf8_to_utf16(strs[i], &w, NULL) == BW_OK;
        wstrs[i] = (LPCWSTR)w;
    }
    WORD type = a->severity == BW_SEVERITY_ERROR     ? EVENTLOG_ERROR_TYPE
                : a->severity == BW_SEVERITY_WARNING ? EVENTLOG_WARNING_TYPE
                                                     : EVENTLOG_INFORMATION_TYPE;
    bw_err e = BW_OK;
    if (!ok)
        e = BW_ENOMEM;
    else if (!s->api->ReportEventW(s->source, type, 0, bw_sink_eventlog_message_id(a), NULL,
                                   (WORD)n, 0, wstrs, NULL))
        e = BW_EIO;
    for (size_t i = 0; i < n; i++)
        free((void *)wstrs[i]);
    return e;
}

static void close_(void *self)
{
    eventlog *s = self;
    if (!s)
        return;
    s->api->DeregisterEventSource(s->source);
    free(s);
}

static const bw_sink_ops ops = {"eventlog", emit, NULL, close_, NULL};

bw_err bw_sink_eventlog_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen)
{
    eventlog *s = calloc(1, sizeof *s);
    if (!s)
        return BW_ENOMEM;
    s->api = env->api;
    s->source = env->api->RegisterEventSourceW(NULL, BW_EVENT_SOURCE);
    if (!s->source) {
        char why[96];
        bw_win_error_text(GetLastError(), why, sizeof why);
        snprintf(msg, msglen, "cannot open the event source: %s", why);
        free(s);
        return BW_EIO;
    }
    out->ops = &ops;
    out->self = s;
    return BW_OK;
}
