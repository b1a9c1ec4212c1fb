/*
 * sink_jsonl.c - the JSON-lines sink (Win32 layer): one JSON object per
 * alert in <data_dir>\events.jsonl for log shippers, rotated at 10 MiB
 * with 5 files kept (docs/events.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_sink.h"
#include "../bw_winerr.h"
#include "../bw_winsec.h"

#define JSONL_MAX_BYTES (10u << 20)
#define JSONL_KEEP      5

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

static bw_err tail(void *self, size_t max, bw_buf *out)
{
    return bw_appender_tail(self, max, out);
}

static const bw_sink_ops ops = {"jsonl", emit, NULL, close_, tail};

/* Whether the file at path (from Group Policy) is in a folder only SYSTEM
 * and Administrators may change; else *bad is the folder and why says why. */
static bw_err folder_trusted(const bw_sink_env *env, const char *path, char **bad, char *why,
                             size_t whylen)
{
    const char *slash = strrchr(path, '\\');
    if (!slash) {
        snprintf(why, whylen, "not the path of a file in a folder");
        return BW_EACCES;
    }
    /* "C:\x" lives in the drive's root folder, "C:\" */
    size_t n = (size_t)(slash - path) + (slash - path == 2 ? 1 : 0);
    *bad = bw_strndup(path, n);
    if (!*bad)
        return BW_ENOMEM;
    bw_err t = bw_win_path_trusted(env->api, *bad, env->self_sid, why, whylen);
    if (t == BW_ENOTFOUND)
        snprintf(why, whylen, "the folder does not exist");
    if (t == BW_OK) {
        free(*bad);
        *bad = NULL;
    }
    return t == BW_ENOTFOUND ? BW_EACCES : t;
}

bw_err bw_sink_jsonl_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen)
{
    if (!env->data_dir && !env->jsonl_path) {
        snprintf(msg, msglen, "no data folder for events.jsonl");
        return BW_ENOTFOUND;
    }
    char *path = env->jsonl_path ? bw_strdup(env->jsonl_path)
                                 : bw_strfmt("%s\\events.jsonl", env->data_dir);
    if (!path)
        return BW_ENOMEM;
    char why[320], *bad = NULL;
    bw_err t = env->jsonl_path ? folder_trusted(env, path, &bad, why, sizeof why) : BW_OK;
    if (t == BW_OK)
        t = bw_win_path_trusted(env->api, path, env->self_sid, why, sizeof why);
    if (t != BW_OK && t != BW_ENOTFOUND) {
        snprintf(msg, msglen, "refusing %s: %s", bad ? bad : path, why);
        if (env->refused && t != BW_ENOMEM)
            env->refused(env->ctx, bad ? bad : path, why);
        free(bad);
        free(path);
        return t == BW_ENOMEM ? t : BW_EACCES;
    }
    unsigned long syserr = 0;
    bw_appender *app = NULL;
    bw_err e = bw_appender_open(env->api, path, JSONL_MAX_BYTES, JSONL_KEEP, &app, &syserr);
    if (e != BW_OK && e != BW_ENOMEM) {
        bw_win_error_text(syserr, why, sizeof why);
        snprintf(msg, msglen, "cannot open %s: %s", path, why);
    }
    free(path);
    if (e != BW_OK)
        return e;
    bw_appender_on_trouble(app, env->trouble, env->ctx);
    out->ops = &ops;
    out->self = app;
    return BW_OK;
}
