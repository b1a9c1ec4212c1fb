/*
 * sink_log.c - the service log sink (Win32 layer): one line per alert,
 * "<time> EVENT <id> <name> <finding or service name>", in the log the
 * agent also writes its own lines to (it owns the appender).
 */
#include <stdlib.h>

#include "bw_sink.h"
#include "../../core/bw_time.h"

static bw_err emit(void *self, const bw_alert *a, int64_t now)
{
    char when[21];
    bw_format_utc(now, when);
    const char *name = bw_alert_get(a, "name");
    if (!name)
        name = bw_alert_get(a, "service");
    bw_buf b = {0};
    bw_buf_printf(&b, "%s EVENT %d %s %s\n", when, (int)a->event_id, bw_event_name(a->event_id),
                  name ? name : "");
    bw_err e = b.failed ? BW_ENOMEM : bw_appender_write(self, b.data, b.len);
    bw_buf_free(&b);
    return e;
}

static void close_(void *self)
{
    (void)self; /* the appender is the agent's */
}

static const bw_sink_ops ops = {"log", emit, NULL, close_, NULL};

bw_err bw_sink_log_open(const bw_sink_env *env, bw_sink *out, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    out->ops = &ops;
    out->self = env->log;
    return BW_OK;
}
