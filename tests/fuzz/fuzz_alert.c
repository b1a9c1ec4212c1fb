/* fuzz_alert.c - checking an alert as every sink would render it (test
 * code only). See fuzz_alert.h. */
#include "fuzz_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

/* The member at a dotted path of the record, or NULL. */
static const fz_jval *at_path(const fz_jval *rec, const char *path)
{
    const fz_jval *v = rec;
    char key[64];
    while (v && *path) {
        size_t k = strcspn(path, ".");
        FZ_CHECK(k < sizeof key, "path %s", path);
        memcpy(key, path, k);
        key[k] = '\0';
        v = v->type == FZ_JOBJ ? fz_json_get(v, key) : NULL;
        path += k + (path[k] == '.');
    }
    return v;
}

/* A field is at its path with its type and value, or absent when missing. */
static void check_field(const fz_jval *rec, const bw_alert_field *f)
{
    const fz_jval *v = at_path(rec, f->path);
    if (!f->value) {
        FZ_CHECK(v == NULL, "field %s (%s) is missing but in the record", f->name, f->path);
        return;
    }
    FZ_CHECK(v != NULL, "field %s (%s) missing from the record", f->name, f->path);
    if (f->type == BW_FIELD_INT) {
        FZ_CHECK(v->type == FZ_JNUM && !strcmp(v->text, f->value), "field %s is not %s", f->name,
                 f->value);
        return;
    }
    if (f->type == BW_FIELD_BOOL) {
        FZ_CHECK(v->type == FZ_JBOOL && v->b == !strcmp(f->value, "true"), "field %s", f->name);
        return;
    }
    size_t n;
    char *exp = fz_utf8_replace(f->value, strlen(f->value), &n);
    FZ_CHECK(v->type == FZ_JSTR && v->len == n && !memcmp(v->text, exp, n),
             "field %s does not decode to its value", f->name);
    free(exp);
}

void fz_check_alert(const bw_alert *a, int64_t now)
{
    FZ_CHECK(bw_event_known((int)a->event_id), "unknown event %d", (int)a->event_id);
    FZ_CHECK(a->n_fields <= BW_ALERT_MAX_FIELDS, "%zu fields", a->n_fields);

    bw_buf b = {0};
    FZ_CHECK(bw_alert_json(a, now, &b) == BW_OK, "bw_alert_json failed");
    FZ_CHECK(b.len > 0 && b.data[b.len - 1] == '\n', "the record does not end its line");
    FZ_CHECK(memchr(b.data, '\n', b.len - 1) == NULL, "the record spans lines");
    fz_jval rec;
    fz_json_must_parse("an alert record", b.data, b.len - 1, 0, &rec);
    FZ_CHECK(rec.type == FZ_JOBJ, "the record is not an object");
    const fz_jval *code = at_path(&rec, "event.code");
    char want[16];
    snprintf(want, sizeof want, "%d", (int)a->event_id);
    FZ_CHECK(code && code->type == FZ_JSTR && !strcmp(code->text, want), "event.code");
    const fz_jval *name = at_path(&rec, "event.action");
    FZ_CHECK(name && name->type == FZ_JSTR && !strcmp(name->text, bw_event_name(a->event_id)),
             "event.action");
    for (size_t i = 0; i < rec.n; i++)
        FZ_CHECK(strchr("@mehlarpsfb", rec.keys[i][0]) != NULL, "top-level key %s", rec.keys[i]);
    for (size_t i = 0; i < a->n_fields; i++)
        check_field(&rec, &a->fields[i]);
    fz_json_free(&rec);
    /* the outbox finds the record again by its hash, in a tail cut anywhere
     * before it, and not when its newline is missing */
    uint64_t h = bw_alert_line_hash(b.data, b.len);
    FZ_CHECK(h != 0, "a record hashed to 0");
    FZ_CHECK(bw_alert_line_in(b.data, b.len, h), "the record is not found in itself");
    FZ_CHECK(!bw_alert_line_in(b.data, b.len - 1, h) || b.len == 1,
             "the record is found without its newline");
    bw_buf_free(&b);

    FZ_CHECK(bw_alert_fields_json(a, &b) == BW_OK, "bw_alert_fields_json failed");
    fz_jval fields;
    fz_json_must_parse("alert fields", b.data, b.len, 0, &fields);
    FZ_CHECK(fields.type == FZ_JOBJ && fields.n == a->n_fields, "fields: %zu members, %zu fields",
             fields.n, a->n_fields);
    for (size_t i = 0; i < a->n_fields; i++)
        FZ_CHECK(!strcmp(fields.keys[i], a->fields[i].name), "field %zu is %s, want %s", i,
                 fields.keys[i], a->fields[i].name);
    fz_json_free(&fields);
    bw_buf_free(&b);

    const char *strs[BW_ALERT_MAX_FIELDS];
    size_t n = bw_alert_strings(a, strs, BW_ALERT_MAX_FIELDS);
    FZ_CHECK(n == a->n_fields, "insertion strings");
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(strs[i] != NULL, "insertion string %zu is NULL", i);
}

void fz_check_alerts(bw_alerts *al, int64_t now)
{
    for (size_t i = 0; i < al->n; i++)
        fz_check_alert(&al->items[i], now);
    bw_alerts_free(al);
}
