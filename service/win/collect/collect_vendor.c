/*
 * collect_vendor.c - the vendor registry roots collector (Win32 layer).
 *
 * For each root the policy names (e.g. "HKLM\SOFTWARE\KasperskyLab"):
 * a record for the root, one per subkey directly under it, and one per
 * subkey of "<root>\protected" (key_name "protected\<name>"), each with the
 * string values of its "environment" key. HKLM roots are read in the
 * 64-bit and the 32-bit view; each view is first gathered into a local
 * listing so that a 32-bit view that only repeats the 64-bit one (no WOW64
 * redirection) can be dropped, together with its gaps. An absent root
 * yields nothing and no gap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_collect.h"
#include "../bw_winreg.h"

#define MAX_ENV_VALUES 256u
#define MAX_ENV_TEXT   "256"

typedef struct vrec {
    char *key_name; /* NULL for the root */
    char *source;
    bw_kv *env;
    size_t n_env;
} vrec;

/* What one view of one root showed. */
typedef struct vlist {
    vrec *recs;
    size_t n, cap;
    bw_gap *gaps;
    size_t n_gaps, cap_gaps;
    bool present;
} vlist;

static void vlist_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->recs[i].key_name);
        free(l->recs[i].source);
        for (size_t k = 0; k < l->recs[i].n_env; k++) {
            free(l->recs[i].env[k].name);
            free(l->recs[i].env[k].value);
        }
        free(l->recs[i].env);
    }
    free(l->recs);
    for (size_t i = 0; i < l->n_gaps; i++) {
        free(l->gaps[i].where);
        free(l->gaps[i].reason);
    }
    free(l->gaps);
    memset(l, 0, sizeof *l);
}

static bw_err vlist_gap(vlist *l, const char *where, const char *reason)
{
    if (bw_grow(&l->gaps, &l->cap_gaps, l->n_gaps, sizeof *l->gaps) != BW_OK)
        return BW_ENOMEM;
    bw_gap *g = &l->gaps[l->n_gaps];
    g->where = bw_strdup(where);
    g->reason = bw_strdup(reason);
    if (!g->where || !g->reason) {
        free(g->where);
        free(g->reason);
        return BW_ENOMEM;
    }
    l->n_gaps++;
    return BW_OK;
}

/* A gap whose reason starts with a count: "3 subkey names are ...". */
static bw_err vlist_gap_count(vlist *l, const char *where, size_t n, const char *what)
{
    char text[96];
    snprintf(text, sizeof text, "%lu %s", (unsigned long)n, what);
    return vlist_gap(l, where, text);
}

/* Compares two version-like names ("9.0" < "11.0" < "11.0.1"): numeric
 * runs as numbers, the rest as bytes. */
static int version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
            if (x != y)
                return x < y ? -1 : 1;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* The subkey of parent\path with the greatest version-like name (starting
 * with a digit) that has an "environment" key of its own; *out NULL when
 * none. A key that cannot be listed is no error here: the record stays
 * without environment values. */
static bw_err newest_version(const bw_api *api, HKEY parent, const char *path, REGSAM view,
                             char **out)
{
    bw_win_status st;
    HKEY key = NULL;
    bw_strlist names = {0};
    *out = NULL;
    size_t n_bad = 0;
    bw_err err = bw_win_reg_open(api, parent, path, view, &key, &st);
    if (err == BW_OK)
        err = bw_win_reg_subkeys(api, key, &names, &n_bad, &st);
    if (err != BW_ENOMEM)
        err = BW_OK;
    for (size_t i = 0; err == BW_OK && i < names.n; i++) {
        const char *n = names.items[i];
        if (n[0] < '0' || n[0] > '9' || (*out && version_cmp(n, *out) <= 0))
            continue;
        char *env = bw_strfmt("%s\\environment", n);
        HKEY h = NULL;
        if (!env) {
            err = BW_ENOMEM;
            break;
        }
        if (bw_win_reg_open(api, key, env, view, &h, &st) == BW_OK) {
            bw_win_reg_close(api, h);
            free(*out);
            *out = bw_strdup(n);
            if (!*out)
                err = BW_ENOMEM;
        }
        free(env);
    }
    bw_strlist_free(&names);
    bw_win_reg_close(api, key);
    return err;
}

/* Adds a record for parent\path (path "" for the root itself) and the
 * string values of its environment key (or of its newest version
 * subkey's, see newest_version). */
static bw_err add_record(const bw_api *api, vlist *l, HKEY parent, REGSAM view,
                         const char *key_name, const char *path, const char *source)
{
    bw_win_status st;
    HKEY env = NULL;
    bw_strlist names = {0};
    char *env_path = NULL, *env_where = NULL;
    if (bw_grow(&l->recs, &l->cap, l->n, sizeof *l->recs) != BW_OK)
        return BW_ENOMEM;
    vrec *r = &l->recs[l->n];
    memset(r, 0, sizeof *r);
    r->key_name = key_name ? bw_strdup(key_name) : NULL;
    r->source = bw_strdup(source);
    l->n++; /* owned by the list from here on */
    if ((key_name && !r->key_name) || !r->source)
        return BW_ENOMEM;

    /* Registry key names are case-insensitive: "environment" also opens
     * "Environment". */
    env_path = *path ? bw_strfmt("%s\\environment", path) : bw_strdup("environment");
    env_where = bw_strfmt("%s\\environment", source);
    if (!env_path || !env_where) {
        free(env_path);
        free(env_where);
        return BW_ENOMEM;
    }
    bw_err err = bw_win_reg_open(api, parent, env_path, view, &env, &st);
    if (err == BW_ENOTFOUND && key_name && *path) {
        /* The server products keep it one level down, per version
         * (WSEE\11.0\Environment): the newest version's is the product's. */
        char *child = NULL;
        err = newest_version(api, parent, path, view, &child);
        if (err != BW_OK)
            goto out;
        err = BW_ENOTFOUND;
        if (child) {
            free(env_path);
            free(env_where);
            env_path = bw_strfmt("%s\\%s\\environment", path, child);
            env_where = bw_strfmt("%s\\%s\\environment", source, child);
            free(child);
            if (!env_path || !env_where) {
                err = BW_ENOMEM;
                goto out;
            }
            err = bw_win_reg_open(api, parent, env_path, view, &env, &st);
        }
    }
    if (err != BW_OK) {
        if (err == BW_ENOTFOUND)
            err = BW_OK;
        else if (err != BW_ENOMEM)
            err = vlist_gap(l, env_where, st.reason);
        goto out;
    }
    size_t n_bad = 0;
    err = bw_win_reg_value_names(api, env, &names, &n_bad, &st);
    if (err == BW_ENOMEM)
        goto out;
    if (err != BW_OK) {
        err = vlist_gap(l, env_where, st.reason);
        if (err != BW_OK)
            goto out;
    }
    if (n_bad) {
        err = vlist_gap_count(l, env_where, n_bad, "value names are not valid UTF-16");
        if (err != BW_OK)
            goto out;
    }
    size_t cap_env = 0;
    for (size_t i = 0; i < names.n; i++) {
        if (!names.items[i][0]) /* the default value has no name to report */
            continue;
        if (r->n_env >= MAX_ENV_VALUES) {
            err = vlist_gap(l, env_where, "more than " MAX_ENV_TEXT " values");
            goto out;
        }
        char *value = NULL;
        err = bw_win_reg_string(api, env, names.items[i], &value, &st);
        if (err == BW_ENOMEM)
            goto out;
        if (err == BW_ENOTFOUND || err == BW_EINVAL) { /* gone, or not a string */
            err = BW_OK;
            continue;
        }
        if (err != BW_OK) {
            char *w = bw_strfmt("%s\\%s", env_where, names.items[i]);
            err = w ? vlist_gap(l, w, st.reason) : BW_ENOMEM;
            free(w);
            if (err != BW_OK)
                goto out;
            continue;
        }
        if (bw_grow(&r->env, &cap_env, r->n_env, sizeof *r->env) != BW_OK) {
            free(value);
            err = BW_ENOMEM;
            goto out;
        }
        r->env[r->n_env].name = names.items[i];
        r->env[r->n_env].value = value;
        names.items[i] = NULL;
        r->n_env++;
    }
out:
    bw_strlist_free(&names);
    bw_win_reg_close(api, env);
    free(env_path);
    free(env_where);
    return err;
}

/* Adds a record per subkey of parent\path; prefix goes before key names. */
static bw_err add_children(const bw_api *api, vlist *l, HKEY root_key, REGSAM view,
                           const char *path, const char *prefix, const char *base)
{
    bw_win_status st;
    HKEY key = NULL;
    bw_strlist names = {0};
    char *where = *path ? bw_strfmt("%s\\%s", base, path) : bw_strdup(base);
    if (!where)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open(api, root_key, path, view, &key, &st);
    if (err != BW_OK) {
        if (err == BW_ENOTFOUND)
            err = BW_OK;
        else if (err != BW_ENOMEM)
            err = vlist_gap(l, where, st.reason);
        goto out;
    }
    size_t n_bad = 0;
    err = bw_win_reg_subkeys(api, key, &names, &n_bad, &st);
    if (err == BW_ENOMEM)
        goto out;
    if (err != BW_OK) {
        err = vlist_gap(l, where, st.reason);
        if (err != BW_OK)
            goto out;
    }
    if (n_bad) {
        err = vlist_gap_count(l, where, n_bad, "subkey names are not valid UTF-16");
        if (err != BW_OK)
            goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.items[i];
        char *key_name = bw_strfmt("%s%s", prefix, n);
        char *sub = *path ? bw_strfmt("%s\\%s", path, n) : bw_strdup(n);
        char *source = bw_strfmt("%s\\%s", where, n);
        err = key_name && sub && source
                  ? add_record(api, l, root_key, view, key_name, sub, source)
                  : BW_ENOMEM;
        free(key_name);
        free(sub);
        free(source);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_strlist_free(&names);
    bw_win_reg_close(api, key);
    free(where);
    return err;
}

static bw_err read_view(const bw_api *api, HKEY root, const char *path, REGSAM view, vlist *l)
{
    bw_win_status st;
    HKEY key = NULL;
    char *base = bw_win_reg_path(root, view, path);
    if (!base)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open(api, root, path, view, &key, &st);
    if (err != BW_OK) {
        if (err == BW_ENOTFOUND)
            err = BW_OK;
        else if (err != BW_ENOMEM)
            err = vlist_gap(l, base, st.reason);
        goto out;
    }
    l->present = true;
    err = add_record(api, l, key, view, NULL, "", base);
    if (err != BW_OK)
        goto out;
    err = add_children(api, l, key, view, "", "", base);
    if (err != BW_OK)
        goto out;
    err = add_children(api, l, key, view, "protected", "protected\\", base);
out:
    bw_win_reg_close(api, key);
    free(base);
    return err;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* Same records, names and environment values (sources differ by design). */
static bool same_listing(const vlist *a, const vlist *b)
{
    if (a->present != b->present || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const vrec *x = &a->recs[i], *y = &b->recs[i];
        if (!str_eq(x->key_name, y->key_name) || x->n_env != y->n_env)
            return false;
        for (size_t k = 0; k < x->n_env; k++)
            if (!str_eq(x->env[k].name, y->env[k].name) ||
                !str_eq(x->env[k].value, y->env[k].value))
                return false;
    }
    return true;
}

static bw_err emit(bw_snapshot *snap, const char *root_text, bw_view view, vlist *l)
{
    bw_err err = BW_OK;
    for (size_t i = 0; i < l->n; i++) {
        vrec *r = &l->recs[i];
        bw_vendor_key *k;
        err = bw_snapshot_add_vendor_key(snap, &k);
        if (err != BW_OK)
            return err;
        k->view = view;
        k->root = bw_strdup(root_text);
        k->key_name = r->key_name;
        k->source = r->source;
        r->key_name = r->source = NULL;
        if (!k->root)
            return BW_ENOMEM;
        for (size_t e = 0; e < r->n_env; e++) {
            err = bw_vendor_key_add_env(k, r->env[e].name, r->env[e].value);
            if (err != BW_OK)
                return err;
        }
    }
    for (size_t i = 0; i < l->n_gaps; i++) {
        err = bw_snapshot_add_gap(snap, l->gaps[i].where, "%s", l->gaps[i].reason);
        if (err != BW_OK)
            return err;
    }
    return BW_OK;
}

/* "HKU\*\<rest>": the same key in every user hive loaded under HKU (the
 * classes hives skipped). What a user's hive holds is that user's: the
 * records are BW_VIEW_USER. */
static bw_err each_user(const bw_api *api, const char *text, const char *rest, bw_snapshot *snap)
{
    bw_strlist sids = {0};
    bw_err err = bw_win_reg_subkeys_field(api, HKEY_USERS, "HKU", &sids, snap);
    for (size_t i = 0; err == BW_OK && i < sids.n; i++) {
        if (bw_win_reg_classes_hive(sids.items[i]))
            continue;
        char *path = bw_strfmt("%s\\%s", sids.items[i], rest);
        vlist l = {0};
        err = path ? read_view(api, HKEY_USERS, path, KEY_WOW64_64KEY, &l) : BW_ENOMEM;
        if (err == BW_OK)
            err = emit(snap, text, BW_VIEW_USER, &l);
        vlist_free(&l);
        free(path);
    }
    bw_strlist_free(&sids);
    return err;
}

static bw_err collect_root(const bw_api *api, const char *text, bw_snapshot *snap)
{
    HKEY root;
    const char *path;
    if (bw_win_reg_parse_root(text, &root, &path) != BW_OK)
        return bw_snapshot_add_gap(snap, text, "unsupported registry root");
    /* Trailing backslashes would make every derived path wrong. */
    char *p = bw_strdup(path);
    if (!p)
        return BW_ENOMEM;
    for (size_t n = strlen(p); n && p[n - 1] == '\\'; n--)
        p[n - 1] = '\0';

    vlist v64 = {0}, v32 = {0};
    bw_err err;
    if (root == HKEY_USERS && strncmp(p, "*\\", 2) == 0) {
        err = each_user(api, text, p + 2, snap);
        goto out;
    }
    if (root == HKEY_USERS) { /* user hives are not redirected */
        err = read_view(api, root, p, KEY_WOW64_64KEY, &v64);
        if (err == BW_OK)
            err = emit(snap, text, BW_VIEW_USER, &v64);
        goto out;
    }
    err = read_view(api, root, p, KEY_WOW64_64KEY, &v64);
    if (err == BW_OK)
        err = read_view(api, root, p, KEY_WOW64_32KEY, &v32);
    /* Compare before emitting: emit() moves the strings out. */
    bool repeat = v64.present && same_listing(&v64, &v32);
    if (err == BW_OK)
        err = emit(snap, text, BW_VIEW_64, &v64);
    if (err == BW_OK && !repeat)
        err = emit(snap, text, BW_VIEW_32, &v32);
out:
    vlist_free(&v64);
    vlist_free(&v32);
    free(p);
    return err;
}

bw_err bw_win_collect_vendor_roots(const bw_api *api, const bw_strlist *roots, bw_snapshot *snap)
{
    for (size_t i = 0; roots && i < roots->n; i++) {
        bw_err err = collect_root(api, roots->items[i], snap);
        if (err != BW_OK)
            return err;
    }
    return BW_OK;
}
