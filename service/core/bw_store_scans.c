/*
 * bw_store_scans.c - the scans, findings and changes of the state database
 * (portable core): applying a scan in one transaction (its row, the
 * findings it saw or no longer sees, the changes that makes), and reading
 * them back: the pending changes, the current findings, the last scan.
 */
#include "bw_store_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bw_eval.h"
#include "bw_str.h"
#include "bw_tier.h"

/* ---- kinds, tiers and changes as stored ------------------------------------- */

static const char *kind_text(bw_kind k)
{
    return bw_kind_name(k);
}

static bool kind_from_text(const char *t, bw_kind *out)
{
    for (int k = 0; k < BW_STORE_KINDS; k++)
        if (t && strcmp(t, bw_kind_name((bw_kind)k)) == 0) {
            *out = (bw_kind)k;
            return true;
        }
    return false;
}

/* A stored tier; NULL (rows of schema 4 and older) counted: confirmed. */
static bw_tier tier_from_text(const char *t)
{
    bw_tier x = BW_TIER_CONFIRMED;
    if (t)
        bw_tier_parse(t, &x);
    return x;
}

static bw_tier col_tier(sqlite3_stmt *st, int i)
{
    return tier_from_text((const char *)sqlite3_column_text(st, i));
}

static bool change_from_text(const char *t, bw_change_kind *out)
{
    for (int c = BW_CHANGE_NEW; c <= BW_CHANGE_CHANGED; c++)
        if (t && strcmp(t, bw_change_kind_name((bw_change_kind)c)) == 0) {
            *out = (bw_change_kind)c;
            return true;
        }
    return false;
}

const char *bw_change_kind_name(bw_change_kind c)
{
    switch (c) {
    case BW_CHANGE_NEW: return "new";
    case BW_CHANGE_RESOLVED: return "resolved";
    case BW_CHANGE_CHANGED: return "changed";
    default: return "unknown";
    }
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* ---- applying a scan --------------------------------------------------------- */

void bw_scan_meta_init(bw_scan_meta *m, const bw_snapshot *snap, const bw_policy *pol,
                       int64_t now)
{
    memset(m, 0, sizeof *m);
    m->host = snap ? snap->host : NULL;
    m->policy_name = pol ? pol->name : NULL;
    m->policy_version = pol ? pol->version : NULL;
    m->started_at = snap ? snap->taken_at : now;
    m->finished_at = now;
    m->gaps = snap ? snap->gaps : NULL;
    m->n_gaps = snap ? snap->n_gaps : 0;
    m->complete = m->n_gaps == 0;
}

static void change_clear(bw_change *c)
{
    bw_finding_desc_clear(&c->desc);
    free(c->old_version);
    free(c->old_display_name);
    free(c->old_path);
    memset(c, 0, sizeof *c);
}

void bw_changes_free(bw_changes *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        change_clear(&c->items[i]);
    free(c->items);
    memset(c, 0, sizeof *c);
}

/* Appends a zeroed change and returns it. */
static bw_change *changes_push(bw_changes *c)
{
    if (bw_grow(&c->items, &c->cap, c->n, sizeof *c->items) != BW_OK)
        return NULL;
    bw_change *x = &c->items[c->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* Reads a finding's description from the columns first .. first + 6 (name,
 * display_name, publisher, version, path, source, rule); kind and tier are
 * the caller's. False when out of memory. */
static bool col_desc(sqlite3_stmt *st, int first, bw_finding_desc *d)
{
    return bws_col_dup(st, first, &d->name) && bws_col_dup(st, first + 1, &d->display_name) &&
           bws_col_dup(st, first + 2, &d->publisher) && bws_col_dup(st, first + 3, &d->version) &&
           bws_col_dup(st, first + 4, &d->path) && bws_col_dup(st, first + 5, &d->source) &&
           bws_col_dup(st, first + 6, &d->rule);
}

static char *gap_text(const bw_scan_meta *m)
{
    if (m->complete && m->n_gaps == 0)
        return NULL;
    bw_buf b = {0};
    for (size_t i = 0; i < m->n_gaps; i++)
        bw_buf_printf(&b, "%s%s: %s", i ? "\n" : "", m->gaps[i].where ? m->gaps[i].where : "?",
                      m->gaps[i].reason ? m->gaps[i].reason : "?");
    if (m->n_gaps == 0)
        bw_buf_puts(&b, "incomplete");
    return bw_buf_take(&b);
}

static bw_err insert_scan(bw_store *s, const bw_scan_meta *m, const bw_findings *f,
                          int64_t *scan_id)
{
    static const char sql[] =
        "INSERT INTO scans (started_at, finished_at, host, policy_name, policy_version,"
        " complete, incomplete_reasons, n_findings, n_product, n_service, n_driver,"
        " n_ksn, n_filter, n_registry, n_ksn_connection)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = NULL;
    size_t by_kind[BW_STORE_KINDS] = {0};
    char *reasons = gap_text(m);
    bw_err e;
    if (!m->complete && !reasons) {
        e = bws_fail_msg(s, BW_ENOMEM, "apply scan: record the scan", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < f->n; i++)
        if ((unsigned)f->items[i].kind < BW_STORE_KINDS)
            by_kind[f->items[i].kind]++;
    e = bws_prep(s, sql, &st, "apply scan: record the scan");
    if (e)
        goto out;
    sqlite3_bind_int64(st, 1, m->started_at);
    sqlite3_bind_int64(st, 2, m->finished_at);
    bws_bind_text(st, 3, m->host);
    bws_bind_text(st, 4, m->policy_name);
    bws_bind_text(st, 5, m->policy_version);
    sqlite3_bind_int(st, 6, m->complete ? 1 : 0);
    bws_bind_text(st, 7, m->complete ? NULL : reasons);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)f->n);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        sqlite3_bind_int64(st, 9 + k, (sqlite3_int64)by_kind[k]);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        e = bws_fail(s, "apply scan: record the scan", rc);
        goto out;
    }
    *scan_id = sqlite3_last_insert_rowid(s->db);
out:
    sqlite3_finalize(st);
    free(reasons);
    return e;
}

/* The statements one apply uses, prepared once. */
typedef struct apply_stmts {
    sqlite3_stmt *get, *insert, *update, *absent, *resolve, *record, *counts;
} apply_stmts;

static void apply_stmts_free(apply_stmts *a)
{
    sqlite3_finalize(a->get);
    sqlite3_finalize(a->insert);
    sqlite3_finalize(a->update);
    sqlite3_finalize(a->absent);
    sqlite3_finalize(a->resolve);
    sqlite3_finalize(a->record);
    sqlite3_finalize(a->counts);
}

static bw_err apply_stmts_prep(bw_store *s, apply_stmts *a)
{
    const struct {
        sqlite3_stmt **st;
        const char *sql;
    } list[] = {
        {&a->get, "SELECT display_name, version, path, resolved_at, last_scan_id, tier"
                  " FROM findings WHERE kind = ? AND source = ? AND name = ?"},
        {&a->insert, "INSERT INTO findings (kind, source, name, display_name, publisher,"
                     " version, path, rule, first_seen, last_seen, resolved_at, last_scan_id,"
                     " tier)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, NULL, ?10, ?12)"},
        /* ?11 = 1 starts a new presence (first_seen = now). */
        {&a->update, "UPDATE findings SET display_name = ?4, publisher = ?5, version = ?6,"
                     " path = ?7, rule = ?8, last_seen = ?9, resolved_at = NULL,"
                     " last_scan_id = ?10, tier = ?12,"
                     " first_seen = CASE WHEN ?11 THEN ?9 ELSE first_seen END"
                     " WHERE kind = ?1 AND source = ?2 AND name = ?3"},
        {&a->absent, "SELECT kind, name, display_name, publisher, version, path, source, rule,"
                     " tier"
                     " FROM findings WHERE resolved_at IS NULL AND last_scan_id <> ?"
                     " ORDER BY kind, name, source"},
        {&a->resolve, "UPDATE findings SET resolved_at = ?1"
                      " WHERE kind = ?2 AND source = ?3 AND name = ?4"},
        {&a->record, "INSERT INTO changes (scan_id, at, change, reappeared, kind, source,"
                     " name, display_name, publisher, version, path, rule, old_version,"
                     " old_display_name, old_path, tier, old_tier)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
        {&a->counts, "UPDATE scans SET n_new = ?, n_resolved = ?, n_changed = ? WHERE id = ?"},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        bw_err e = bws_prep(s, list[i].sql, list[i].st, "apply scan: prepare");
        if (e)
            return e;
    }
    return BW_OK;
}

static void bind_finding(sqlite3_stmt *st, const bw_finding *f, int64_t now, int64_t scan_id)
{
    bws_bind_text(st, 1, kind_text(f->kind));
    bws_bind_text(st, 2, f->source);
    bws_bind_text(st, 3, f->name);
    bws_bind_text(st, 4, f->display_name);
    bws_bind_text(st, 5, f->publisher);
    bws_bind_text(st, 6, f->version);
    bws_bind_text(st, 7, f->path);
    bws_bind_text(st, 8, f->rule);
    sqlite3_bind_int64(st, 9, now);
    sqlite3_bind_int64(st, 10, scan_id);
    bws_bind_text(st, 12, bw_tier_name(f->tier));
}

/* Upserts one finding and appends the change it makes, if any. */
static bw_err apply_finding(bw_store *s, apply_stmts *a, const bw_finding *f, int64_t now,
                            int64_t scan_id, bw_changes *out)
{
    const char *op = "apply scan: finding";
    bw_err e = BW_OK;
    char *old_dn = NULL, *old_ver = NULL, *old_path = NULL;
    bool exists = false, resolved = false, seen_now = false;
    bw_tier old_tier = BW_TIER_NONE;

    if (!f->source || !f->name)
        return bws_fail_msg(s, BW_EINVAL, op, "a finding without a name or source");
    bws_bind_text(a->get, 1, kind_text(f->kind));
    bws_bind_text(a->get, 2, f->source);
    bws_bind_text(a->get, 3, f->name);
    int rc = sqlite3_step(a->get);
    if (rc == SQLITE_ROW) {
        exists = true;
        resolved = sqlite3_column_type(a->get, 3) != SQLITE_NULL;
        seen_now = sqlite3_column_int64(a->get, 4) == scan_id;
        old_tier = col_tier(a->get, 5);
        if (!bws_col_dup(a->get, 0, &old_dn) || !bws_col_dup(a->get, 1, &old_ver) ||
            !bws_col_dup(a->get, 2, &old_path))
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
    } else if (rc != SQLITE_DONE) {
        e = bws_fail(s, op, rc);
    }
    sqlite3_reset(a->get);
    sqlite3_clear_bindings(a->get);
    if (e || seen_now) /* seen_now: listed twice in one scan, counted once */
        goto out;

    bw_change_kind what = 0;
    if (!exists) {
        what = BW_CHANGE_NEW;
        bind_finding(a->insert, f, now, scan_id);
        e = bws_step_done(s, a->insert, op);
    } else {
        if (resolved)
            what = BW_CHANGE_NEW;
        else if (!str_eq(old_ver, f->version) || !str_eq(old_dn, f->display_name) ||
                 !str_eq(old_path, f->path) || old_tier != f->tier)
            what = BW_CHANGE_CHANGED;
        bind_finding(a->update, f, now, scan_id);
        sqlite3_bind_int(a->update, 11, resolved ? 1 : 0);
        e = bws_step_done(s, a->update, op);
    }
    if (e || !what)
        goto out;

    bw_change *c = changes_push(out);
    if (!c || bw_finding_desc_copy(&c->desc, &f->desc) != BW_OK) {
        e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
        goto out;
    }
    c->change = what;
    c->reappeared = exists && resolved;
    c->scan_id = scan_id;
    c->at = now;
    if (what == BW_CHANGE_CHANGED) {
        c->old_tier = old_tier;
        c->old_version = old_ver;
        c->old_display_name = old_dn;
        c->old_path = old_path;
        old_ver = old_dn = old_path = NULL;
    }
out:
    free(old_dn);
    free(old_ver);
    free(old_path);
    return e;
}

/* True for a registry path ("HKLM\...", "HKU\...", "HKCU\..."). */
static bool registry_path(const char *p)
{
    return p && (!strncmp(p, "HKLM\\", 5) || !strncmp(p, "HKU\\", 4) ||
                 !strncmp(p, "HKCU\\", 5) || !strcmp(p, "HKU") || !strcmp(p, "HKLM"));
}

/* True if path a is b or lies under it (ASCII case-insensitive). */
static bool path_under(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (strlen(a) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return false;
    }
    return a[n] == '\0' || a[n] == '\\';
}

bool bw_store_held_back(const bw_scan_meta *m, bw_kind kind, const char *source, const char *name)
{
    bool finding_gaps = false;
    for (size_t i = 0; i < m->n_gaps; i++) {
        const bw_gap *g = &m->gaps[i];
        finding_gaps |= g->hides != 0;
        if (!(g->hides & (1u << kind)))
            continue;
        if (!registry_path(g->where) || !source)
            return true; /* a source that could not be read at all */
        if (path_under(source, g->where) || path_under(g->where, source))
            return true;
    }
    /* Still seen, at a tier that does not count, while a gap could hide what
     * vouched for it: absence from the counted findings proves nothing. */
    for (size_t i = 0; finding_gaps && m->uncounted && i < m->uncounted->n; i++) {
        const bw_finding *x = &m->uncounted->items[i];
        if (x->kind == kind && str_eq(x->source, source) && str_eq(x->name, name))
            return true;
    }
    return false;
}

/* Resolves the unresolved findings this scan did not see, except those a
 * gap of a source that could have found them holds back. */
static bw_err apply_absent(bw_store *s, apply_stmts *a, const bw_scan_meta *meta, int64_t now,
                           int64_t scan_id, bw_changes *out)
{
    const char *op = "apply scan: resolve";
    bw_err e = BW_OK;
    int rc;
    size_t first = out->n;
    sqlite3_bind_int64(a->absent, 1, scan_id);
    for (rc = sqlite3_step(a->absent); rc == SQLITE_ROW; rc = sqlite3_step(a->absent)) {
        bw_change *c = changes_push(out);
        const char *kt = (const char *)sqlite3_column_text(a->absent, 0);
        if (!c) {
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
            goto out;
        }
        c->change = BW_CHANGE_RESOLVED;
        c->scan_id = scan_id;
        c->at = now;
        c->tier = col_tier(a->absent, 8);
        if (!kind_from_text(kt, &c->kind)) {
            e = bws_fail_msg(s, BW_EINVAL, op, "unknown finding kind in the database");
            goto out;
        }
        if (!col_desc(a->absent, 1, &c->desc)) {
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
            goto out;
        }
        if (bw_store_held_back(meta, c->kind, c->source, c->name)) {
            change_clear(c);
            out->n--;
        }
    }
    if (rc != SQLITE_DONE) {
        e = bws_fail(s, op, rc);
        goto out;
    }
    for (size_t i = first; i < out->n && !e; i++) {
        sqlite3_bind_int64(a->resolve, 1, now);
        bws_bind_text(a->resolve, 2, kind_text(out->items[i].kind));
        bws_bind_text(a->resolve, 3, out->items[i].source);
        bws_bind_text(a->resolve, 4, out->items[i].name);
        e = bws_step_done(s, a->resolve, op);
    }
out:
    sqlite3_reset(a->absent);
    return e;
}

static bw_err record_change(bw_store *s, apply_stmts *a, bw_change *c)
{
    sqlite3_stmt *st = a->record;
    sqlite3_bind_int64(st, 1, c->scan_id);
    sqlite3_bind_int64(st, 2, c->at);
    bws_bind_text(st, 3, bw_change_kind_name(c->change));
    sqlite3_bind_int(st, 4, c->reappeared ? 1 : 0);
    bws_bind_text(st, 5, kind_text(c->kind));
    bws_bind_text(st, 6, c->source);
    bws_bind_text(st, 7, c->name);
    bws_bind_text(st, 8, c->display_name);
    bws_bind_text(st, 9, c->publisher);
    bws_bind_text(st, 10, c->version);
    bws_bind_text(st, 11, c->path);
    bws_bind_text(st, 12, c->rule);
    bws_bind_text(st, 13, c->old_version);
    bws_bind_text(st, 14, c->old_display_name);
    bws_bind_text(st, 15, c->old_path);
    bws_bind_text(st, 16, bw_tier_name(c->tier));
    bws_bind_text(st, 17, c->change == BW_CHANGE_CHANGED ? bw_tier_name(c->old_tier) : NULL);
    bw_err e = bws_step_done(s, st, "apply scan: record change");
    if (!e)
        c->id = sqlite3_last_insert_rowid(s->db);
    return e;
}

bw_err bw_store_apply_scan(bw_store *s, const bw_scan_meta *meta, const bw_findings *f,
                           int64_t now, bw_changes *out, int64_t *scan_id_out)
{
    apply_stmts a = {0};
    int64_t scan_id = 0;
    size_t counts[4] = {0};
    bw_err e;

    memset(out, 0, sizeof *out);
    if (scan_id_out)
        *scan_id_out = 0;
    bws_clear_err(s);
    e = bws_begin(s, "apply scan");
    if (e)
        return e;
    e = apply_stmts_prep(s, &a);
    if (!e)
        e = insert_scan(s, meta, f, &scan_id);
    for (size_t i = 0; i < f->n && !e; i++)
        e = apply_finding(s, &a, &f->items[i], now, scan_id, out);
    if (!e)
        e = apply_absent(s, &a, meta, now, scan_id, out);
    if (e)
        goto out;
    for (size_t i = 0; i < out->n; i++) {
        e = record_change(s, &a, &out->items[i]);
        if (e)
            goto out;
        counts[out->items[i].change]++;
    }
    sqlite3_bind_int64(a.counts, 1, (sqlite3_int64)counts[BW_CHANGE_NEW]);
    sqlite3_bind_int64(a.counts, 2, (sqlite3_int64)counts[BW_CHANGE_RESOLVED]);
    sqlite3_bind_int64(a.counts, 3, (sqlite3_int64)counts[BW_CHANGE_CHANGED]);
    sqlite3_bind_int64(a.counts, 4, scan_id);
    e = bws_step_done(s, a.counts, "apply scan: counts");
    if (e)
        goto out;
    apply_stmts_free(&a);
    memset(&a, 0, sizeof a);
    e = bws_commit(s, "apply scan: commit");
out:
    apply_stmts_free(&a);
    if (e) {
        bws_rollback(s);
        bw_changes_free(out);
    } else if (scan_id_out) {
        *scan_id_out = scan_id;
    }
    return e;
}

/* ---- pending changes ------------------------------------------------------------ */

static bw_err change_row(sqlite3_stmt *st, void *item, const char **why)
{
    bw_change *c = item;
    c->id = sqlite3_column_int64(st, 0);
    c->scan_id = sqlite3_column_int64(st, 1);
    c->at = sqlite3_column_int64(st, 2);
    c->reappeared = sqlite3_column_int(st, 4) != 0;
    c->tier = col_tier(st, 16);
    c->old_tier = sqlite3_column_type(st, 17) == SQLITE_NULL ? BW_TIER_NONE : col_tier(st, 17);
    if (!change_from_text((const char *)sqlite3_column_text(st, 3), &c->change) ||
        !kind_from_text((const char *)sqlite3_column_text(st, 5), &c->kind)) {
        *why = "unknown change or kind in the database";
        return BW_EINVAL;
    }
    return col_desc(st, 6, &c->desc) && bws_col_dup(st, 13, &c->old_version) &&
                   bws_col_dup(st, 14, &c->old_display_name) && bws_col_dup(st, 15, &c->old_path)
               ? BW_OK
               : BW_ENOMEM;
}

bw_err bw_store_pending_changes(bw_store *s, bw_changes *out)
{
    static const char sql[] =
        "SELECT c.id, c.scan_id, c.at, c.change, c.reappeared, c.kind, c.name,"
        " c.display_name, c.publisher, c.version, c.path, c.source, c.rule,"
        " c.old_version, c.old_display_name, c.old_path, c.tier, c.old_tier"
        " FROM changes c LEFT JOIN alerts a ON a.change_id = c.id"
        " WHERE a.id IS NULL ORDER BY c.id";
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s, sql, "pending changes", NULL, &out->items, &out->n, &out->cap,
                              sizeof *out->items, change_row);
    if (e)
        bw_changes_free(out);
    return e;
}

/* ---- current findings and the last scan ----------------------------------------- */

void bw_stored_findings_free(bw_stored_findings *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        bw_finding_desc_clear(&f->items[i].desc);
    free(f->items);
    memset(f, 0, sizeof *f);
}

static bw_err finding_row(sqlite3_stmt *st, void *item, const char **why)
{
    bw_stored_finding *f = item;
    if (!kind_from_text((const char *)sqlite3_column_text(st, 0), &f->kind)) {
        *why = "unknown finding kind in the database";
        return BW_EINVAL;
    }
    f->first_seen = sqlite3_column_int64(st, 8);
    f->last_seen = sqlite3_column_int64(st, 9);
    f->resolved_at = sqlite3_column_int64(st, 10);
    f->last_scan_id = sqlite3_column_int64(st, 11);
    f->tier = col_tier(st, 12);
    return col_desc(st, 1, &f->desc) ? BW_OK : BW_ENOMEM;
}

bw_err bw_store_current_findings(bw_store *s, bw_stored_findings *out)
{
    static const char sql[] =
        "SELECT kind, name, display_name, publisher, version, path, source, rule,"
        " first_seen, last_seen, resolved_at, last_scan_id, tier"
        " FROM findings WHERE resolved_at IS NULL";
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s, sql, "current findings", NULL, &out->items, &out->n, &out->cap,
                              sizeof *out->items, finding_row);
    if (e) {
        bw_stored_findings_free(out);
        return e;
    }
    /* Kinds are stored as names; order by the enum, as reports do. */
    for (size_t i = 1; i < out->n; i++) {
        bw_stored_finding x = out->items[i];
        size_t j = i;
        while (j > 0) {
            const bw_stored_finding *p = &out->items[j - 1];
            int c = p->kind != x.kind ? (p->kind < x.kind ? -1 : 1) : strcmp(p->name, x.name);
            if (c == 0)
                c = strcmp(p->source, x.source);
            if (c <= 0)
                break;
            out->items[j] = out->items[j - 1];
            j--;
        }
        out->items[j] = x;
    }
    return BW_OK;
}

void bw_scan_record_free(bw_scan_record *r)
{
    if (!r)
        return;
    free(r->host);
    free(r->policy_name);
    free(r->policy_version);
    free(r->incomplete_reasons);
    memset(r, 0, sizeof *r);
}

bw_err bw_store_last_scan(bw_store *s, bw_scan_record *out)
{
    static const char sql[] =
        "SELECT id, started_at, finished_at, host, policy_name, policy_version, complete,"
        " incomplete_reasons, n_findings, n_product, n_service, n_driver, n_ksn,"
        " n_filter, n_registry, n_ksn_connection, n_new, n_resolved, n_changed"
        " FROM scans ORDER BY id DESC LIMIT 1";
    const char *op = "last scan";
    sqlite3_stmt *st = NULL;
    bw_err e;
    memset(out, 0, sizeof *out);
    bws_clear_err(s);
    e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        e = bws_fail_msg(s, BW_ENOTFOUND, op, "no scan recorded yet");
        goto out;
    }
    if (rc != SQLITE_ROW) {
        e = bws_fail(s, op, rc);
        goto out;
    }
    out->id = sqlite3_column_int64(st, 0);
    out->started_at = sqlite3_column_int64(st, 1);
    out->finished_at = sqlite3_column_int64(st, 2);
    out->complete = sqlite3_column_int(st, 6) != 0;
    out->n_findings = (size_t)sqlite3_column_int64(st, 8);
    for (int k = 0; k < BW_STORE_KINDS; k++)
        out->by_kind[k] = (size_t)sqlite3_column_int64(st, 9 + k);
    out->n_new = (size_t)sqlite3_column_int64(st, 9 + BW_STORE_KINDS);
    out->n_resolved = (size_t)sqlite3_column_int64(st, 10 + BW_STORE_KINDS);
    out->n_changed = (size_t)sqlite3_column_int64(st, 11 + BW_STORE_KINDS);
    if (!bws_col_dup(st, 3, &out->host) || !bws_col_dup(st, 4, &out->policy_name) ||
        !bws_col_dup(st, 5, &out->policy_version) ||
        !bws_col_dup(st, 7, &out->incomplete_reasons))
        e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
out:
    sqlite3_finalize(st);
    if (e)
        bw_scan_record_free(out);
    return e;
}
