/* bw_verdict.c - one verdict per host (portable core, pure). See
 * bw_verdict.h. */
#include "bw_verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_evidence.h"
#include "bw_time.h"

const char *bw_tri_name(bw_tri t)
{
    return t == BW_TRI_YES ? "yes" : t == BW_TRI_NO ? "no" : "unknown";
}

const char *bw_ksn_state_name(bw_ksn_state k)
{
    return k == BW_KSN_ACTIVE ? "active" : k == BW_KSN_PRESENT ? "present" : "none";
}

bool bw_vendor_may_run(const bw_findings *f)
{
    bool any = false;
    for (size_t i = 0; f && i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        if (x->kind != BW_KIND_SERVICE && x->kind != BW_KIND_KSN)
            continue;
        any = true;
        if (x->state != BW_STATE_STOPPED)
            return true;
    }
    return !any;
}

static void product_clear(bw_verdict_product *p)
{
    free(p->name);
    free(p->version);
    free(p->install_date);
    free(p->uninstall_key);
    free(p->uninstall_source);
    free(p->vendor_key);
    free(p->update_source);
    memset(p, 0, sizeof *p);
}

void bw_verdict_free(bw_verdict *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_products; i++)
        product_clear(&v->products[i]);
    free(v->products);
    free(v->update_source);
    free(v->update_product);
    free(v->containment);
    free(v->vendor);
    free(v->removal);
    free(v->headline);
    free(v->next_step);
    memset(v, 0, sizeof *v);
}

static bool dup_into(char **dst, const char *s)
{
    free(*dst);
    *dst = bw_strdup(s);
    return !s || *dst;
}

/* Every string of a verdict and of its products, in one list, so that the
 * flat copy sizes and copies the same ones. */
#define VERDICT_STRINGS(v)                                                                     \
    &(v)->update_source, &(v)->update_product, &(v)->containment, &(v)->vendor, &(v)->removal, \
        &(v)->headline, &(v)->next_step
#define PRODUCT_STRINGS(p)                                                                      \
    &(p)->name, &(p)->version, &(p)->install_date, &(p)->uninstall_key, &(p)->uninstall_source, \
        &(p)->vendor_key, &(p)->update_source

/* Sizes (*at NULL) or copies (to *at, advancing it) the strings *fields. */
static size_t flat_strings(char *const *const *fields, size_t n, char **at, char **const *dst)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = *fields[i];
        size_t len = s ? strlen(s) + 1 : 0;
        need += len;
        if (at && dst) {
            *dst[i] = s ? memcpy(*at, s, len) : NULL;
            *at += len;
        }
    }
    return need;
}

bw_err bw_verdict_copy_flat(const bw_verdict *src, void *(*alloc)(void *ctx, size_t size),
                            void *ctx, bw_verdict *out, void **block)
{
    char *const *vsrc[] = {VERDICT_STRINGS(src)};
    const size_t nv = sizeof vsrc / sizeof vsrc[0];
    size_t need = src->n_products * sizeof *src->products + flat_strings(vsrc, nv, NULL, NULL);
    for (size_t i = 0; i < src->n_products; i++) {
        char *const *psrc[] = {PRODUCT_STRINGS(&src->products[i])};
        need += flat_strings(psrc, sizeof psrc / sizeof psrc[0], NULL, NULL);
    }
    memset(out, 0, sizeof *out);
    char *b = alloc(ctx, need ? need : 1);
    *block = b;
    if (!b)
        return BW_ENOMEM;
    *out = *src;
    out->products = src->n_products ? (bw_verdict_product *)b : NULL;
    out->cap_products = src->n_products;
    char *at = b + src->n_products * sizeof *src->products;
    char **vdst[] = {VERDICT_STRINGS(out)};
    flat_strings(vsrc, nv, &at, vdst);
    for (size_t i = 0; i < src->n_products; i++) {
        out->products[i] = src->products[i];
        char *const *psrc[] = {PRODUCT_STRINGS(&src->products[i])};
        char **pdst[] = {PRODUCT_STRINGS(&out->products[i])};
        flat_strings(psrc, sizeof psrc / sizeof psrc[0], &at, pdst);
    }
    return BW_OK;
}

/* ---- products ---------------------------------------------------------------- */

static const char *leaf_of(const char *key_name)
{
    const char *l = key_name;
    for (const char *p = key_name; p && *p; p++)
        if (*p == '\\')
            l = p + 1;
    return l;
}

/* The vendor key a registry finding was made from. */
static const bw_vendor_key *key_of(const bw_snapshot *s, const bw_finding *f)
{
    for (size_t i = 0; s && i < s->n_vendor_keys; i++)
        if (s->vendor_keys[i].source && f->source &&
            strcmp(s->vendor_keys[i].source, f->source) == 0)
            return &s->vendor_keys[i];
    return NULL;
}

/* The Uninstall entry a product finding was made from. */
static const bw_product_entry *entry_of(const bw_snapshot *s, const bw_finding *f)
{
    for (size_t i = 0; s && i < s->n_products; i++)
        if (s->products[i].source && f->source && strcmp(s->products[i].source, f->source) == 0)
            return &s->products[i];
    return NULL;
}

/* Strips braces and compares GUIDs: "{7EC6...}" in "InstallWIX_{7EC6...}". */
static bool code_matches(const char *code, const char *key)
{
    if (!code || !key || !*code)
        return false;
    const char *c = code;
    size_t n = strlen(c);
    if (n >= 2 && c[0] == '{' && c[n - 1] == '}') {
        c++;
        n -= 2;
    }
    if (n < 8)
        return false;
    for (const char *k = key; *k; k++) {
        size_t j = 0;
        while (j < n && k[j] && (k[j] | 0x20) == (c[j] | 0x20))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static bool same_name(const char *a, const char *b)
{
    if (!a || !b || !*a || !*b)
        return false;
    char *x = bw_normalize(a), *y = bw_normalize(b);
    bool same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* True for two folder paths that name the same folder (case, trailing
 * backslashes and white space aside). */
static bool same_folder(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    char *x = bw_normalize(a), *y = bw_normalize(b);
    bool same = false;
    if (x && y) {
        size_t nx = strlen(x), ny = strlen(y);
        while (nx && (x[nx - 1] == '\\' || x[nx - 1] == '/'))
            x[--nx] = '\0';
        while (ny && (y[ny - 1] == '\\' || y[ny - 1] == '/'))
            y[--ny] = '\0';
        same = nx && strcmp(x, y) == 0;
    }
    free(x);
    free(y);
    return same;
}

/* True if the vendor key k is the product of the Uninstall finding u. */
static bool key_is_product(const bw_vendor_key *k, const bw_finding *u)
{
    if (!k)
        return false;
    if (code_matches(bw_vendor_key_env(k, "ProductCode"), u->name))
        return true;
    if (same_name(bw_vendor_key_env(k, "ProductName"), u->display_name) ||
        same_name(bw_vendor_key_env(k, "Ins_DisplayName"), u->display_name))
        return true;
    for (size_t i = 0; i < BW_VENDOR_VERSION_VALUES; i++) {
        const char *kv = bw_vendor_key_env(k, bw_vendor_version_values[i]);
        if (kv && u->version && *kv && strcmp(kv, u->version) == 0)
            return true;
    }
    /* The same program folder. */
    return same_folder(bw_vendor_key_env(k, "ProductRoot"), u->path);
}

static bw_verdict_product *add_product(bw_verdict *v)
{
    if (bw_grow(&v->products, &v->cap_products, v->n_products, sizeof *v->products) != BW_OK)
        return NULL;
    bw_verdict_product *p = &v->products[v->n_products++];
    memset(p, 0, sizeof *p);
    return p;
}

/* "YYYY-MM-DD" from an Uninstall InstallDate (YYYYMMDD) or a key's
 * InstallDate (Unix seconds as text); NULL when neither form. */
static char *install_day(const char *uninstall, const char *unix_text)
{
    if (uninstall && strlen(uninstall) == 8) {
        bool digits = true;
        for (int i = 0; i < 8 && digits; i++)
            digits = uninstall[i] >= '0' && uninstall[i] <= '9';
        if (digits)
            return bw_strfmt("%.4s-%.2s-%.2s", uninstall, uninstall + 4, uninstall + 6);
    }
    if (unix_text && *unix_text && strlen(unix_text) <= 12) {
        int64_t t = 0;
        for (const char *p = unix_text; *p; p++) {
            if (*p < '0' || *p > '9')
                return NULL;
            t = t * 10 + (*p - '0');
        }
        if (t > 0 && t <= BW_EVIDENCE_MAX_TIME) {
            char day[11];
            bw_format_date(t, day);
            return bw_strdup(day);
        }
    }
    return NULL;
}

/* Folds one update status into a product's. */
static bw_err take_update(bw_verdict_product *p, const bw_update_status *st)
{
    /* An install date after the cutoff is activity; one before it says
     * nothing about later updates: only update evidence answers "no". */
    if (st->after_cutoff)
        p->updated_after_cutoff = BW_TRI_YES;
    else if (st->has_signature && p->updated_after_cutoff == BW_TRI_UNKNOWN)
        p->updated_after_cutoff = BW_TRI_NO;
    if (st->stale)
        p->stale = BW_TRI_YES;
    else if (st->has_signature && p->stale == BW_TRI_UNKNOWN)
        p->stale = BW_TRI_NO;
    if (st->has_date && (!p->has_update || st->newest > p->newest_update)) {
        p->has_update = true;
        p->newest_update = st->newest;
        p->update_evidence = bw_evidence_kind_name(st->newest_kind);
        if (!dup_into(&p->update_source, st->newest_source))
            return BW_ENOMEM;
    }
    return BW_OK;
}

/* Every update status whose product is one of the product's keys. */
static bw_err product_updates(bw_verdict_product *p, const bw_updates *u, const bw_strlist *keys)
{
    for (size_t i = 0; u && i < u->n; i++) {
        const bw_update_status *st = &u->items[i];
        bool mine = false;
        for (size_t j = 0; st->product && j < keys->n && !mine; j++)
            mine = bw_ieq(st->product, keys->items[j]) ||
                   bw_ieq(leaf_of(st->product), leaf_of(keys->items[j]));
        if (mine && take_update(p, st) != BW_OK)
            return BW_ENOMEM;
    }
    return BW_OK;
}

static bw_tier max_tier(bw_tier a, bw_tier b)
{
    return a > b ? a : b;
}

/* The products: each counted Uninstall finding, merged with the vendor
 * keys of the same product; then each vendor product key left over. */
static bw_err make_products(const bw_snapshot *s, const bw_policy *pol, const bw_findings *f,
                            const bw_updates *u, bw_verdict *v)
{
    size_t n = f->n;
    bool *used = calloc(n + 1, sizeof *used);
    if (!used)
        return BW_ENOMEM;
    bw_err e = BW_OK;
    for (size_t i = 0; i < n && !e; i++) {
        const bw_finding *x = &f->items[i];
        if (x->kind != BW_KIND_PRODUCT ||
            !(bw_tiers_counted(pol->count_tiers) & BW_TIER_BIT(x->tier)))
            continue;
        bw_verdict_product *p = add_product(v);
        bw_strlist keys = {0};
        if (!p || bw_strlist_add(&keys, x->name) != BW_OK) {
            e = BW_ENOMEM;
            break;
        }
        const bw_product_entry *pe = entry_of(s, x);
        p->tier = x->tier;
        p->per_user = x->user_writable;
        if (!dup_into(&p->name, x->display_name ? x->display_name : x->name) ||
            !dup_into(&p->version, x->version) || !dup_into(&p->uninstall_key, x->name) ||
            !dup_into(&p->uninstall_source, x->source))
            e = BW_ENOMEM;
        p->install_date = install_day(pe ? pe->install_date : NULL, NULL);
        for (size_t j = 0; j < n && !e; j++) {
            const bw_finding *r = &f->items[j];
            if (r->kind != BW_KIND_REGISTRY || used[j] || r->user_writable != x->user_writable ||
                !(bw_tiers_counted(pol->count_tiers) & BW_TIER_BIT(r->tier)) ||
                !key_is_product(key_of(s, r), x))
                continue;
            used[j] = true;
            p->tier = max_tier(p->tier, r->tier);
            if (!p->vendor_key && !dup_into(&p->vendor_key, leaf_of(r->name)))
                e = BW_ENOMEM;
            if (!e && bw_strlist_add(&keys, r->name) != BW_OK)
                e = BW_ENOMEM;
            const bw_vendor_key *k = key_of(s, r);
            if (!e && !p->install_date)
                p->install_date = install_day(NULL, bw_vendor_key_env(k, "InstallDate"));
        }
        if (!e)
            e = product_updates(p, u, &keys);
        bw_strlist_free(&keys);
    }
    /* Vendor product keys without an Uninstall entry: a product of its own
     * (a leftover, or an install that does not register one). Twins under
     * "protected\" and the other registry view are one product. */
    for (size_t j = 0; j < n && !e; j++) {
        const bw_finding *r = &f->items[j];
        if (r->kind != BW_KIND_REGISTRY || used[j] ||
            !(bw_tiers_counted(pol->count_tiers) & BW_TIER_BIT(r->tier)))
            continue;
        const bw_vendor_key *k = key_of(s, r);
        if (!k || !k->key_name)
            continue; /* a bare root is no product */
        bw_verdict_product *p = NULL;
        for (size_t i = 0; i < v->n_products && !p; i++)
            if (v->products[i].vendor_key && bw_ieq(v->products[i].vendor_key, leaf_of(r->name)))
                p = &v->products[i];
        bool fresh = !p;
        if (fresh) {
            p = add_product(v);
            if (!p) {
                e = BW_ENOMEM;
                break;
            }
        }
        used[j] = true;
        p->tier = max_tier(p->tier, r->tier);
        if (fresh)
            p->per_user = r->user_writable;
        if (fresh &&
            (!dup_into(&p->name, r->display_name ? r->display_name : leaf_of(r->name)) ||
             !dup_into(&p->version, r->version) || !dup_into(&p->vendor_key, leaf_of(r->name)))) {
            e = BW_ENOMEM;
            break;
        }
        if (!p->install_date)
            p->install_date = install_day(NULL, bw_vendor_key_env(k, "InstallDate"));
        bw_strlist keys = {0};
        e = bw_strlist_add(&keys, r->name);
        if (!e)
            e = product_updates(p, u, &keys);
        bw_strlist_free(&keys);
    }
    free(used);
    return e;
}

/* ---- the host ------------------------------------------------------------------ */

static bw_err host_updates(bw_verdict *v, const bw_updates *u)
{
    bool any_signature = false;
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        if (p->updated_after_cutoff == BW_TRI_YES)
            v->updated_after_cutoff = BW_TRI_YES;
        if (p->stale == BW_TRI_YES)
            v->stale = BW_TRI_YES;
        any_signature |= p->stale != BW_TRI_UNKNOWN;
        if (p->has_update && (!v->has_update || p->newest_update > v->newest_update)) {
            v->has_update = true;
            v->newest_update = p->newest_update;
            v->update_evidence = p->update_evidence;
            if (!dup_into(&v->update_source, p->update_source) ||
                !dup_into(&v->update_product, p->name))
                return BW_ENOMEM;
        }
    }
    /* Evidence tied to no product (the policy's default bases folders, the
     * Network Agent's bases date) still tells about the host. */
    for (size_t i = 0; u && i < u->n; i++) {
        const bw_update_status *st = &u->items[i];
        if (st->product)
            continue;
        if (st->after_cutoff)
            v->updated_after_cutoff = BW_TRI_YES;
        if (st->stale)
            v->stale = BW_TRI_YES;
        any_signature |= st->has_signature;
        if (st->has_date && (!v->has_update || st->newest > v->newest_update)) {
            v->has_update = true;
            v->newest_update = st->newest;
            v->update_evidence = bw_evidence_kind_name(st->newest_kind);
            if (!dup_into(&v->update_source, st->newest_source) ||
                !dup_into(&v->update_product, NULL))
                return BW_ENOMEM;
        }
    }
    if (v->updated_after_cutoff == BW_TRI_UNKNOWN && any_signature)
        v->updated_after_cutoff = BW_TRI_NO;
    if (v->stale == BW_TRI_UNKNOWN && any_signature)
        v->stale = BW_TRI_NO;
    if (!v->counts) { /* nothing of the vendor counts: nothing to judge */
        if (v->updated_after_cutoff == BW_TRI_UNKNOWN)
            v->updated_after_cutoff = BW_TRI_NO;
        if (v->stale == BW_TRI_UNKNOWN)
            v->stale = BW_TRI_NO;
    }
    return BW_OK;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The containment text and the two lines. */
static bw_err lines(bw_verdict *v)
{
    const bw_verdict_contain *c = &v->contain;
    free(v->containment);
    if (!c->targets)
        v->containment = bw_strdup("none: no vendor service to contain");
    else if (c->acted && c->mode == BW_MODE_ENFORCE)
        v->containment = bw_strfmt("enforce: %zu disabled, %zu blocked by self-defense, "
                                   "%zu failed, of %zu %s",
                                   c->disabled, c->blocked, c->failed, c->targets,
                                   plural(c->targets, "service", "services"));
    else if (c->mode == BW_MODE_ENFORCE && c->hold && c->held < c->targets)
        v->containment =
            bw_strfmt("held: enforce changes none of %zu protecting %s while no "
                      "other anti-virus would remain, and disables the %zu that "
                      "protect nothing",
                      c->held, plural(c->held, "service", "services"), c->targets - c->held);
    else if (c->mode == BW_MODE_ENFORCE && c->hold)
        v->containment = bw_strfmt("held: enforce changes none of %zu %s while no other "
                                   "anti-virus would remain",
                                   c->targets, plural(c->targets, "service", "services"));
    else if (c->mode == BW_MODE_ENFORCE)
        v->containment = bw_strfmt("enforce: %zu %s to stop and disable", c->targets,
                                   plural(c->targets, "service", "services"));
    else
        v->containment = bw_strfmt("audit: enforce would disable %zu %s%s", c->targets,
                                   plural(c->targets, "service", "services"),
                                   c->hold ? " (held: no other anti-virus would remain)" : "");
    if (!v->containment)
        return BW_ENOMEM;

    bw_buf h = {0};
    if (v->counts) {
        bw_buf_printf(&h, "%s: PRESENT (%s)", v->vendor, bw_tier_name(v->present));
        if (v->n_products) {
            bw_buf_puts(&h, ": ");
            for (size_t i = 0; i < v->n_products && i < 3; i++)
                bw_buf_printf(&h, "%s%s%s%s%s", i ? ", " : "", v->products[i].name,
                              v->products[i].version ? " " : "",
                              v->products[i].version ? v->products[i].version : "",
                              v->products[i].per_user ? " (per-user)" : "");
            if (v->n_products > 3)
                bw_buf_printf(&h, " and %zu more", v->n_products - 3);
        } else {
            bw_buf_printf(&h, ": %zu %s, no installed product", v->n_counted,
                          plural(v->n_counted, "component", "components"));
        }
        bw_buf_printf(
            &h, "; updated after the cutoff: %s",
            v->updated_after_cutoff == BW_TRI_YES ? "YES" : bw_tri_name(v->updated_after_cutoff));
        if (v->has_update) {
            char day[11];
            bw_format_date(v->newest_update, day);
            bw_buf_printf(&h, " (newest %s, %s)", day, v->update_evidence);
        }
        bw_buf_printf(&h, "; stale protection: %s; KSN: %s",
                      v->stale == BW_TRI_YES ? "YES" : bw_tri_name(v->stale),
                      bw_ksn_state_name(v->ksn));
    } else {
        bw_buf_printf(&h, "%s: not found", v->vendor);
        if (v->n_review)
            bw_buf_printf(&h, " (%zu possible %s for review)", v->n_review,
                          plural(v->n_review, "component", "components"));
        if (v->incomplete)
            bw_buf_puts(&h, "; the scan was INCOMPLETE");
    }
    const char *next;
    char *owned = NULL;
    const char *with = v->removal ? v->removal : "the vendor's removal tool";
    if (v->counts && v->updated_after_cutoff == BW_TRI_YES)
        next = owned = bw_strfmt("it received updates after the ban's cutoff: remove it (%s) "
                                 "and install a supported anti-virus",
                                 with);
    else if (v->counts && v->stale == BW_TRI_YES)
        next = "its signatures are stale, so this endpoint is unprotected: install a supported "
               "anti-virus, then remove it";
    else if (v->counts && v->n_products)
        next = owned = bw_strfmt("remove it (%s) and make sure a supported anti-virus "
                                 "protects this endpoint",
                                 with);
    else if (v->counts)
        next = owned = bw_strfmt("leftovers without an installed product: remove them (%s); "
                                 "a leftover keyboard or mouse filter can disable the device "
                                 "at the next boot",
                                 with);
    else if (v->incomplete)
        next = "parts of the machine could not be read (see 'Incomplete scan'): fix access "
               "and scan again";
    else if (v->n_review)
        next = "review the possible findings below; nothing counts yet";
    else
        next = "nothing to do";
    free(v->headline);
    free(v->next_step);
    v->next_step = next ? bw_strfmt("Next: %s.", next) : NULL;
    free(owned);
    v->headline = bw_buf_take(&h);
    return v->headline && v->next_step ? BW_OK : BW_ENOMEM;
}

bw_err bw_verdict_set_contain(bw_verdict *v, const bw_verdict_contain *contain)
{
    if (contain)
        v->contain = *contain;
    return lines(v);
}

bw_err bw_verdict_make(const bw_snapshot *snap, const bw_policy *pol, const bw_findings *f,
                       const bw_updates *u, const bw_verdict_contain *contain, bw_verdict *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = BW_OK;
    out->vendor = bw_strdup(pol->vendor ? pol->vendor : "vendor");
    if (!out->vendor || !dup_into(&out->removal, pol->removal)) {
        bw_verdict_free(out);
        return BW_ENOMEM;
    }
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        bool counts = bw_tiers_counted(pol->count_tiers) & BW_TIER_BIT(x->tier);
        if (!counts) {
            out->n_review++;
            continue;
        }
        out->present = max_tier(out->present, x->tier);
        out->n_counted++;
        out->machine_wide |= !x->user_writable;
        if (x->kind == BW_KIND_KSN_CONNECTION)
            out->ksn = BW_KSN_ACTIVE;
        else if (x->kind == BW_KIND_KSN && out->ksn == BW_KSN_NONE)
            out->ksn = BW_KSN_PRESENT;
    }
    out->counts = out->n_counted > 0;
    for (size_t i = 0; snap && i < snap->n_gaps; i++)
        out->incomplete |= snap->gaps[i].hides != 0;
    if (contain)
        out->contain = *contain;
    e = make_products(snap, pol, f, u, out);
    if (!e)
        e = host_updates(out, u);
    if (!e)
        e = lines(out);
    if (e)
        bw_verdict_free(out);
    return e;
}

char *bw_verdict_digest(const bw_verdict *v)
{
    bw_buf b = {0};
    bw_buf_printf(&b, "present=%s;counts=%d;after=%s;stale=%s;ksn=%s;contain=%s;products=",
                  bw_tier_name(v->present), v->counts ? 1 : 0,
                  bw_tri_name(v->updated_after_cutoff), bw_tri_name(v->stale),
                  bw_ksn_state_name(v->ksn), v->containment ? v->containment : "");
    for (size_t i = 0; i < v->n_products; i++) {
        const bw_verdict_product *p = &v->products[i];
        bw_buf_printf(&b, "%s%s/%s/%s/%s/%s", i ? "|" : "", p->name ? p->name : "",
                      p->version ? p->version : "", bw_tier_name(p->tier),
                      bw_tri_name(p->updated_after_cutoff), bw_tri_name(p->stale));
    }
    return bw_buf_take(&b);
}
