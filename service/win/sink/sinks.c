/*
 * sinks.c - the list of sinks and the walk over it (Win32 layer). One row
 * per sink, in the order alerts reach them; adding a sink is a file of its
 * own and one row here.
 */
#include "bw_sink.h"

#include <stdio.h>
#include <string.h>

static const struct {
    bw_sink_open_fn open;
    bool needs_log;
    bool jsonl; /* Group Policy may turn it off */
} table[] = {
    {bw_sink_eventlog_open, false, false}, /* Windows Event Log, source "banwatch" */
    {bw_sink_jsonl_open, false, true},     /* %ProgramData%\banwatch\events.jsonl */
    {bw_sink_log_open, true, false},       /* one line in the service log */
};

_Static_assert(sizeof table / sizeof table[0] <= BW_SINKS_MAX, "room for every sink");

bw_err bw_sinks_open(const bw_sink_env *env, bw_sinks *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    if (msglen)
        msg[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if ((table[i].needs_log && !env->log) || (table[i].jsonl && env->jsonl_off))
            continue;
        char why[512] = "";
        bw_sink s = {0};
        bw_err e = table[i].open(env, &s, why, sizeof why);
        if (e == BW_ENOMEM) {
            bw_sinks_close(out);
            return e;
        }
        if (e == BW_OK) {
            out->items[out->n++] = s;
            continue;
        }
        if (used < msglen) {
            int k = snprintf(msg + used, msglen - used, "%s%s", used ? "; " : "", why);
            used += k > 0 ? (size_t)k : 0;
        }
    }
    return out->n ? BW_OK : BW_EIO;
}

bw_err bw_sinks_emit(bw_sinks *s, const bw_alert *a, int64_t now, const char **failed)
{
    bw_err result = BW_OK;
    if (failed)
        *failed = NULL;
    for (size_t i = 0; s && i < s->n; i++) {
        bw_err e = s->items[i].ops->emit(s->items[i].self, a, now);
        if (e != BW_OK && result == BW_OK)
            result = e;
        if (e != BW_OK && !s->failing[i] && failed && !*failed)
            *failed = s->items[i].ops->name;
        s->failing[i] = e != BW_OK;
    }
    return result;
}

bw_err bw_sinks_tail(bw_sinks *s, size_t max, bw_buf *out)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->items[i].ops->tail)
            return s->items[i].ops->tail(s->items[i].self, max, out);
    return BW_ENOTFOUND;
}

void bw_sinks_close(bw_sinks *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i].ops->flush)
            s->items[i].ops->flush(s->items[i].self);
        s->items[i].ops->close(s->items[i].self);
    }
    memset(s, 0, sizeof *s);
}
