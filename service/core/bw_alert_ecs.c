/*
 * bw_alert_ecs.c - an alert as an ECS document, the JSON-lines record of
 * events.jsonl (portable core, pure), and its one-line message text.
 *
 * The record is built from values through the JSON writer: the ECS fields
 * every event has (@timestamp, message, event.*, log.level, host.name,
 * agent.*), then the alert's fields, each at its path (bw_alert_field.path)
 * with its type. Paths are dotted; members that share a prefix become one
 * nested object, in the order their first member appears. docs/events.md,
 * "ECS fields", lists them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_alert.h"
#include "bw_json.h"
#include "bw_time.h"
#include "bw_version.h"

bw_err bw_alert_message(const bw_alert *a, bw_buf *out)
{
    const char *t = bw_event_text(a->event_id);
    if (!t)
        return BW_EINVAL;
    const char *strs[BW_ALERT_MAX_FIELDS];
    size_t n = bw_alert_strings(a, strs, BW_ALERT_MAX_FIELDS);
    while (*t) {
        if (t[0] == '%' && t[1] >= '1' && t[1] <= '9') {
            size_t k = (size_t)(t[1] - '0');
            t += 2;
            if (*t >= '0' && *t <= '9')
                k = k * 10 + (size_t)(*t++ - '0');
            bw_buf_puts(out, k <= n && k <= BW_ALERT_MAX_FIELDS ? strs[k - 1] : "-");
        } else {
            bw_buf_putc(out, *t++);
        }
    }
    return out->failed ? BW_ENOMEM : BW_OK;
}

/* One member of the record: a dotted path, a type and its text. */
typedef struct member {
    const char *path;
    bw_field_type type;
    const char *value; /* NULL: left out */
    bool list;         /* a one-item array (event.category, event.type) */
} member;

#define MAX_MEMBERS (BW_ALERT_MAX_FIELDS + 20)

typedef struct record {
    member m[MAX_MEMBERS];
    size_t n;
    size_t written; /* leaves written: every member, or the shape is wrong */
    bool full;      /* a member did not fit */
} record;

static void put(record *r, const char *path, bw_field_type type, const char *value, bool list)
{
    /* A field at a path the record has already (host.name, agent.version)
     * gives it its value. */
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->m[i].path, path) == 0) {
            r->m[i].value = value;
            r->m[i].type = type;
            return;
        }
    if (r->n < MAX_MEMBERS)
        r->m[r->n++] = (member){path, type, value, list};
    else
        r->full = true;
}

/* True when path lies under the object at prefix (plen characters; 0: the
 * top level). */
static bool under(const char *path, const char *prefix, size_t plen)
{
    return plen == 0 || (strncmp(path, prefix, plen) == 0 && path[plen] == '.');
}

static void write_leaf(bw_json *j, const char *key, const member *m)
{
    if (m->list) {
        bw_json_array(j, key, BW_JSON_COMPACT);
        bw_json_str(j, NULL, m->value);
        bw_json_end(j);
    } else if (m->type == BW_FIELD_INT) {
        bw_json_int(j, key, strtoll(m->value, NULL, 10));
    } else if (m->type == BW_FIELD_BOOL) {
        bw_json_bool(j, key, strcmp(m->value, "true") == 0);
    } else {
        bw_json_str(j, key, m->value);
    }
}

/* Writes the members of the object at prefix: each key once, where its
 * first member is, a leaf or an object of the members under it. */
static void write_object(bw_json *j, record *r, const char *prefix, size_t plen)
{
    for (size_t i = 0; i < r->n; i++) {
        const char *p = r->m[i].path;
        if (!under(p, prefix, plen))
            continue;
        const char *rest = plen ? p + plen + 1 : p;
        const char *dot = strchr(rest, '.');
        size_t klen = dot ? (size_t)(dot - rest) : strlen(rest);
        size_t off = (size_t)(rest - p);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = under(r->m[k].path, prefix, plen) &&
                   strncmp(r->m[k].path + off, rest, klen) == 0 &&
                   (r->m[k].path[off + klen] == '.' || r->m[k].path[off + klen] == '\0');
        char key[64];
        if (seen || klen >= sizeof key)
            continue;
        memcpy(key, rest, klen);
        key[klen] = '\0';
        if (!dot) {
            write_leaf(j, key, &r->m[i]);
            r->written++;
            continue;
        }
        bw_json_object(j, key, BW_JSON_COMPACT);
        write_object(j, r, p, off + klen);
        bw_json_end(j);
    }
}

bw_err bw_alert_json(const bw_alert *a, int64_t time, bw_buf *out)
{
    const char *action = bw_event_name(a->event_id);
    bw_event_ecs ecs = bw_event_ecs_of(a->event_id);
    if (!ecs.kind)
        return BW_EINVAL;
    char when[21], code[12], sev[12];
    bw_format_utc(time, when);
    snprintf(code, sizeof code, "%d", (int)a->event_id);
    snprintf(sev, sizeof sev, "%d", (int)a->severity + 1);
    bw_buf msg = {0};
    bw_err e = bw_alert_message(a, &msg);
    if (e)
        return e;
    record *r = calloc(1, sizeof *r);
    if (!r) {
        bw_buf_free(&msg);
        return BW_ENOMEM;
    }
    put(r, "@timestamp", BW_FIELD_DATE, when, false);
    put(r, "message", BW_FIELD_TEXT, msg.data, false);
    put(r, "event.code", BW_FIELD_TEXT, code, false);
    put(r, "event.action", BW_FIELD_TEXT, action, false);
    put(r, "event.kind", BW_FIELD_TEXT, ecs.kind, false);
    put(r, "event.category", BW_FIELD_TEXT, ecs.category, true);
    put(r, "event.type", BW_FIELD_TEXT, ecs.type, true);
    put(r, "event.outcome", BW_FIELD_TEXT, ecs.outcome, false);
    put(r, "event.severity", BW_FIELD_INT, sev, false);
    put(r, "event.provider", BW_FIELD_TEXT, "banwatch", false);
    put(r, "event.dataset", BW_FIELD_TEXT, "banwatch.events", false);
    put(r, "event.module", BW_FIELD_TEXT, "banwatch", false);
    put(r, "log.level", BW_FIELD_TEXT, bw_severity_name(a->severity), false);
    put(r, "host.name", BW_FIELD_TEXT, NULL, false);
    put(r, "agent.type", BW_FIELD_TEXT, "banwatch", false);
    put(r, "agent.version", BW_FIELD_TEXT, BW_VERSION, false);
    for (size_t i = 0; i < a->n_fields; i++)
        put(r, a->fields[i].path, a->fields[i].type, a->fields[i].value, false);
    /* Missing values are left out; banwatch's own fields come last. */
    member *kept = calloc(MAX_MEMBERS, sizeof *kept);
    size_t n = 0;
    for (int own = 0; own < 2 && kept; own++)
        for (size_t i = 0; i < r->n; i++)
            if (r->m[i].value && (strncmp(r->m[i].path, "banwatch.", 9) == 0) == own)
                kept[n++] = r->m[i];
    if (!kept) {
        free(r);
        bw_buf_free(&msg);
        return BW_ENOMEM;
    }
    memcpy(r->m, kept, n * sizeof *kept);
    r->n = n;
    free(kept);
    bw_json j;
    bw_json_init(&j, out);
    bw_json_object(&j, NULL, BW_JSON_COMPACT);
    write_object(&j, r, "", 0);
    bw_json_end(&j);
    e = bw_json_done(&j, true);
    if (e == BW_OK && (r->full || r->written != r->n))
        e = BW_EINVAL; /* a member left out, or a path both a value and an object */
    free(r);
    bw_buf_free(&msg);
    return e;
}
