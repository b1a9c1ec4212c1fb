/* bw_evsink.c - Event Log and JSON-lines sinks (Win32 layer). */
#include "bw_evsink.h"

#include <stdio.h>
#include <stdlib.h>

#include "bw_appender.h"
#include "bw_svcctl.h"
#include "bw_winio.h"

#define JSONL_MAX_BYTES (10u << 20)
#define JSONL_KEEP 5

struct bw_evsink {
    const bw_api *api;
    HANDLE source;
    bw_appender *jsonl;
};

bw_err bw_evsink_open(const bw_api *api, const char *data_dir, bw_evsink **out, char *msg,
                      size_t msglen)
{
    *out = NULL;
    if (msglen)
        msg[0] = '\0';
    bw_evsink *s = calloc(1, sizeof *s);
    if (!s)
        return BW_ENOMEM;
    s->api = api;
    s->source = api->RegisterEventSourceW(NULL, BW_EVENT_SOURCE);
    DWORD src_err = s->source ? 0 : GetLastError();

    char *path = bw_strfmt("%s\\events.jsonl", data_dir);
    if (!path) {
        bw_evsink_close(s);
        return BW_ENOMEM;
    }
    unsigned long jerr = 0;
    bw_err e = bw_appender_open(api, path, JSONL_MAX_BYTES, JSONL_KEEP, &s->jsonl, &jerr);
    char why[96];
    bw_buf m = {0};
    if (!s->source) {
        bw_win_error_text(src_err, why, sizeof why);
        bw_buf_printf(&m, "cannot open the event source: %s", why);
    }
    if (e) {
        bw_win_error_text(jerr, why, sizeof why);
        bw_buf_printf(&m, "%scannot open %s: %s", m.len ? "; " : "", path, why);
    }
    if (m.len)
        snprintf(msg, msglen, "%s", m.data);
    bw_buf_free(&m);
    free(path);
    if (!s->source && !s->jsonl) {
        bw_evsink_close(s);
        return BW_EIO;
    }
    *out = s;
    return BW_OK;
}

DWORD bw_evsink_message_id(const bw_alert *a)
{
    DWORD sev = a->severity == BW_SEVERITY_ERROR     ? 3u
                : a->severity == BW_SEVERITY_WARNING ? 2u
                                                     : 1u;
    return (sev << 30) | (DWORD)a->event_id;
}

bw_err bw_evsink_emit(bw_evsink *s, const bw_alert *a, int64_t now)
{
    bw_err result = BW_OK;
    if (s->source) {
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
        if (!ok || !s->api->ReportEventW(s->source, type, 0, bw_evsink_message_id(a), NULL,
                                         (WORD)n, 0, wstrs, NULL))
            result = BW_EIO;
        for (size_t i = 0; i < n; i++)
            free((void *)wstrs[i]);
    } else {
        result = BW_EIO;
    }
    bw_buf line = {0};
    if (bw_alert_json(a, now, &line) != BW_OK)
        result = BW_ENOMEM;
    else if (!s->jsonl || bw_appender_write(s->jsonl, line.data, line.len) != BW_OK)
        result = result ? result : BW_EIO;
    bw_buf_free(&line);
    return result;
}

void bw_evsink_close(bw_evsink *s)
{
    if (!s)
        return;
    if (s->source)
        s->api->DeregisterEventSource(s->source);
    bw_appender_close(s->jsonl);
    free(s);
}
