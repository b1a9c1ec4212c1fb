/*
 * sink_jsonl.c - the JSON-lines sink (Win32 layer): one JSON object per
 * alert in <data_dir>\events.jsonl for log shippers, rotated at 10 MiB
 * with 5 files kept (docs/events.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_sink.h"
#include "../bw_winerr.h"

#define JSONL_MAX_BYTES (10u << 20)
#define JSONL_KEEP 5

static bw_err emit(void *self, const bw_alert *a, int64_t now)
{
    bw_buf line = {0};
    bw_err e = bw_alert_json(a, now, &line);
    if (e == BW_OK && bw_appender_write(self, line.data, line.len) != BW_OK)
        e = BW_EIO;
    bw_buf_free(&line);
    return e;
}

static void close_(void *self)
{
    bw_appender_close(self);
}

static const bw_sink_ops ops = {"jsonl", emit, NULL, close_};

bw_err bw_sink_jsonl_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen)
{
    char *path = bw_strfmt("%s\\events.jsonl", env->data_dir);
    if (!path)
        return BW_ENOMEM;
    unsigned long syserr = 0;
    bw_appender *app = NULL;
    bw_err e = bw_appender_open(env->api, path, JSONL_MAX_BYTES, JSONL_KEEP, &app, &syserr);
    if (e != BW_OK && e != BW_ENOMEM) {
        char why[96];
        bw_win_error_text(syserr, why, sizeof why);
        snprintf(msg, msglen, "cannot open %s: %s", path, why);
    }
    free(path);
    if (e != BW_OK)
        return e;
    out->ops = &ops;
    out->self = app;
    return BW_OK;
}
