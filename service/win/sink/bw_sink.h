/*
 * bw_sink.h - where alerts go (Win32 layer): one small interface, one file
 * per sink, one table listing them (sinks.c).
 *
 * A sink takes every alert the agent raises (and those `restore` raises):
 * the Windows Event Log, the JSON-lines file, the service log. raise_alert
 * walks the list; the state database's record that an alert was raised is
 * not a sink (it is what makes alerts happen once, bw_store.h).
 *
 * Adding a sink: a file sink_<name>.c with an open function filling a
 * bw_sink, and one line in the table of sinks.c (docs/architecture.md).
 */
#ifndef BW_SINK_H
#define BW_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bw_api.h"
#include "../bw_appender.h"
#include "../../core/bw_alert.h"

typedef struct bw_sink_ops {
    const char *name; /* "eventlog", "jsonl", "log": in messages */
    /* Takes one alert raised at `now` (Unix seconds, UTC). BW_EIO (or
     * BW_ENOMEM) when it could not; the other sinks still get it. */
    bw_err (*emit)(void *self, const bw_alert *a, int64_t now);
    /* Pushes what it buffers to its target (may be NULL: nothing buffered). */
    bw_err (*flush)(void *self);
    /* Releases it (NULL-safe in self). */
    void (*close)(void *self);
    /* Appends the last max bytes it wrote to its file (may be NULL: it keeps
     * no file of JSON-lines records). After a crash the agent looks there
     * for the records of the alerts it was raising (bw_alert_line_in). */
    bw_err (*tail)(void *self, size_t max, bw_buf *out);
} bw_sink_ops;

typedef struct bw_sink {
    const bw_sink_ops *ops;
    void *self;
} bw_sink;

/* What a sink is opened with. The log appender belongs to the caller (the
 * agent writes its own lines to it too); it may be NULL. */
typedef struct bw_sink_env {
    const bw_api *api;
    const char *data_dir; /* where file sinks keep their files; NULL: none */
    /* The account banwatch runs as: a file sink opens an existing file only
     * when it can be trusted (core/bw_trust.h). */
    const char *self_sid;
    /* The JSON-lines output as Group Policy sets it (core/bw_gpo.h): off, or
     * its file instead of <data_dir>\events.jsonl (NULL: that one). A file
     * elsewhere is used only in a folder that only SYSTEM and
     * Administrators may change. */
    bool jsonl_off;
    const char *jsonl_path;
    bw_appender *log;
    /* Told when a file sink refuses its file (may be NULL). */
    void (*refused)(void *ctx, const char *path, const char *why);
    /* Told when writing a file sink's file starts failing and when it works
     * again (bw_appender_on_trouble; may be NULL). */
    bw_appender_trouble_fn trouble;
    void *ctx;
} bw_sink_env;

/* Opens one sink into *out. A sink that cannot work returns an error and
 * says why in msg (the others open anyway). */
typedef bw_err (*bw_sink_open_fn)(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen);

/* The sinks of sink_*.c. */
bw_err bw_sink_eventlog_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen);
bw_err bw_sink_jsonl_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen);
bw_err bw_sink_log_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen);

/* The full Event Log ID of an alert: severity bits over the event number,
 * as the message table defines it. */
DWORD bw_sink_eventlog_message_id(const bw_alert *a);

#define BW_SINKS_MAX 8

/* The sinks in use, in the order of the table. */
typedef struct bw_sinks {
    bw_sink items[BW_SINKS_MAX];
    bool failing[BW_SINKS_MAX]; /* its last emit failed */
    size_t n;
} bw_sinks;

/* Opens every sink of the table that env allows (the log sink only with a
 * log). A sink that fails to open is left out and described in msg
 * ("jsonl: cannot open ...; eventlog: ..."), the others are used; BW_EIO
 * when none opened, BW_ENOMEM when memory ran out. */
bw_err bw_sinks_open(const bw_sink_env *env, bw_sinks *out, char *msg, size_t msglen);

/* Gives the alert to every sink. BW_OK when all took it; else the error of
 * the first that failed. *failed (optional) names the first sink that failed
 * after taking the alert before (or at its first): a sink that keeps
 * failing is named once, until it takes one again; NULL otherwise. */
bw_err bw_sinks_emit(bw_sinks *s, const bw_alert *a, int64_t now, const char **failed);

/* The tail of the first sink that keeps one (bw_sink_ops.tail) appended to
 * *out; BW_ENOTFOUND when none does (the JSON-lines file is not in use). */
bw_err bw_sinks_tail(bw_sinks *s, size_t max, bw_buf *out);

/* Flushes and closes every sink; leaves *s empty. NULL-safe. */
void bw_sinks_close(bw_sinks *s);

#endif
