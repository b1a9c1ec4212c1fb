/*
 * bw_eval.c - snapshot + policy -> findings (portable core, pure).
 *
 * The rules (docs/detection.md): a finding needs more than one signal, so
 * that a look-alike with one matching trait (a "kl*" driver of another
 * vendor, a product that merely has "Kaspersky" in its name but another
 * publisher) is not reported.
 */
#include "bw_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bw_kind_name(bw_kind k)
{
    static const char *const names[] = {"product", "service", "driver",
                                        "ksn", "filter", "registry",
                                        "ksn-connection"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* Index of the first glob in l matching text, or -1. */
static long glob_any(const bw_strlist *l, const char *text)
{
    if (!text)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        if (bw_glob(l->items[i], text))
            return (long)i;
    return -1;
}

static long contains_any(const bw_strlist *l, const char *text)
{
    if (!text)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        if (bw_icontains(text, l->items[i]))
            return (long)i;
    return -1;
}

static long equal_any(const bw_strlist *l, const char *text)
{
    if (!text)
        return -1;
    for (size_t i = 0; i < l->n; i++)
        if (bw_ieq(l->items[i], text))
            return (long)i;
    return -1;
}

static bool empty(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

/* True if p (pointing at a '.') is followed by the 3-letter extension ext
 * in any ASCII case. */
static bool has_ext(const char *p, const char *ext)
{
    for (int i = 0; i < 3; i++) {
        char c = p[1 + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != ext[i])
            return false;
    }
    return true;
}

/* File name of the program or driver in an ImagePath / UninstallString /
 * DisplayIcon: quotes, arguments and ",index" suffixes are dropped. Returns
 * a malloc'd string or NULL. */
static char *image_file_name(const char *path)
{
    if (!path)
        return NULL;
    const char *start = path, *end;
    while (*start == ' ')
        start++;
    if (*start == '"') {
        start++;
        end = strchr(start, '"');
        if (!end)
            end = start + strlen(start);
    } else {
        /* Unquoted: the path ends after the last ".exe"/".sys"/".dll". */
        end = NULL;
        for (const char *p = start; *p; p++) {
            if (p[0] == '.' && (has_ext(p, "exe") || has_ext(p, "sys") || has_ext(p, "dll")) &&
                (p[4] == '\0' || p[4] == ' ' || p[4] == ','))
                end = p + 4;
        }
        if (!end) {
            end = strchr(start, ',');
            if (!end)
                end = start + strlen(start);
        }
    }
    const char *base = start;
    for (const char *p = start; p < end; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    if (base >= end)
        return NULL;
    return bw_strndup(base, (size_t)(end - base));
}

/* Adds a "what:detail" signal. */
static bw_err add_signal(bw_finding *f, const char *what, const char *detail)
{
    return bw_strlist_add_owned(&f->signals,
                                detail ? bw_strfmt("%s:%s", what, detail) : bw_strdup(what));
}

/* True if file is "<name>.<ext>": the image merely repeats the key name. */
static bool named_after(const char *file, const char *name)
{
    const char *dot = strrchr(file, '.');
    if (!name || !dot)
        return false;
    char *stem = bw_strndup(file, (size_t)(dot - file));
    bool same = stem && bw_ieq(stem, name);
    free(stem);
    return same;
}

/* Path signals of an image path or install location. *hit: it matches a
 * vendor path glob, or its file is a vendor binary that says more than the
 * key name itself (avp.exe for AVP21.3, but not klif.sys for a key named
 * klif: another vendor's "klif" would have that too). *consistent
 * (optional): there is no image, or its file is named after the key or is a
 * vendor binary, so nothing about the image contradicts the name. key_name
 * may be NULL (products). */
static bw_err path_signal(const bw_policy *pol, const char *path, const char *key_name,
                          bw_finding *f, bool *hit, bool *consistent)
{
    *hit = false;
    if (consistent)
        *consistent = true;
    if (!path)
        return BW_OK;
    bw_err e = BW_OK;
    long i = glob_any(&pol->paths, path);
    if (i >= 0) {
        *hit = true;
        e = add_signal(f, "path", pol->paths.items[i]);
    }
    char *file = image_file_name(path);
    if (!file)
        return e;
    long b = equal_any(&pol->binaries, file);
    bool own_name = named_after(file, key_name);
    if (consistent)
        *consistent = b >= 0 || own_name || *hit;
    if (!e && !*hit && b >= 0 && !own_name) {
        *hit = true;
        e = add_signal(f, "binary", pol->binaries.items[b]);
    }
    free(file);
    return e;
}

static void finding_clear(bw_finding *f)
{
    free(f->name);
    free(f->display_name);
    free(f->publisher);
    free(f->version);
    free(f->path);
    free(f->source);
    free(f->rule);
    free(f->user_sid);
    bw_strlist_free(&f->signals);
    memset(f, 0, sizeof *f);
}

void bw_findings_free(bw_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        finding_clear(&fs->items[i]);
    free(fs->items);
    memset(fs, 0, sizeof *fs);
}

/* Moves *f into the list (on failure it is cleared). */
static bw_err push(bw_findings *fs, bw_finding *f)
{
    if (bw_grow(&fs->items, &fs->cap, fs->n, sizeof *fs->items) != BW_OK) {
        finding_clear(f);
        return BW_ENOMEM;
    }
    fs->items[fs->n++] = *f;
    memset(f, 0, sizeof *f);
    return BW_OK;
}

/* Copies s into *dst; false if s was non-NULL and the copy failed. */
static bool dup_into(char **dst, const char *s)
{
    *dst = bw_strdup(s);
    return !s || *dst;
}

/* ---- products ---------------------------------------------------------- */

static bw_err eval_product(const bw_policy *pol, char *const *norm_pubs,
                           const bw_product_entry *p, bw_findings *out)
{
    bw_finding f = {0};
    bw_err e = BW_OK;
    bool matched = false;
    char *rule = NULL;

    if (!empty(p->publisher)) {
        char *np = bw_normalize(p->publisher);
        if (!np)
            return BW_ENOMEM;
        for (size_t i = 0; i < pol->publishers.n; i++) {
            if (norm_pubs[i] && strcmp(np, norm_pubs[i]) == 0) {
                matched = true;
                rule = bw_strdup("vendor.publishers");
                e = add_signal(&f, "publisher", p->publisher);
                break;
            }
        }
        free(np);
        if (matched) {
            long g = glob_any(&pol->products, p->display_name);
            if (!e && g >= 0)
                e = add_signal(&f, "display-name", pol->products.items[g]);
        }
        /* A publisher that is not the vendor's contradicts the name. */
    } else {
        long g = glob_any(&pol->products, p->display_name);
        if (g >= 0) {
            matched = true;
            rule = bw_strfmt("vendor.products[%s]", pol->products.items[g]);
            e = add_signal(&f, "display-name", pol->products.items[g]);
            if (!e)
                e = add_signal(&f, "no-publisher", NULL);
        }
    }
    if (!matched)
        goto out;
    if (!rule) {
        e = BW_ENOMEM;
        goto out;
    }
    bool hit = false;
    if (!e)
        e = path_signal(pol, p->install_location, NULL, &f, &hit, NULL);
    if (!e && !hit)
        e = path_signal(pol, p->uninstall_string, NULL, &f, &hit, NULL);
    if (e)
        goto out;

    f.kind = BW_KIND_PRODUCT;
    f.rule = rule;
    rule = NULL;
    f.view = p->view;
    const char *version = !empty(p->product_version) ? p->product_version : p->display_version;
    if (!dup_into(&f.name, p->key_name) || !dup_into(&f.display_name, p->display_name) ||
        !dup_into(&f.publisher, p->publisher) || !dup_into(&f.version, version) ||
        !dup_into(&f.path, p->install_location) || !dup_into(&f.source, p->source) ||
        !dup_into(&f.user_sid, p->user_sid)) {
        e = BW_ENOMEM;
        goto out;
    }
    return push(out, &f);
out:
    free(rule);
    finding_clear(&f);
    return e;
}

/* ---- vendor registry roots --------------------------------------------- */

static const char *leaf(const char *path)
{
    const char *l = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\')
            l = p + 1;
    return l;
}

static bw_err registry_finding(const bw_vendor_key *k, const char *name,
                               const char *rule, const char *signal, bw_findings *out)
{
    bw_finding f = {0};
    f.kind = BW_KIND_REGISTRY;
    f.view = k->view;
    const char *version = bw_vendor_key_env(k, "ProductDisplayVersion");
    if (empty(version))
        version = bw_vendor_key_env(k, "ProductVersion");
    f.rule = bw_strdup(rule);
    if (!f.rule || !dup_into(&f.name, name) ||
        !dup_into(&f.display_name, bw_vendor_key_env(k, "ProductName")) ||
        !dup_into(&f.version, version) ||
        !dup_into(&f.path, bw_vendor_key_env(k, "ProductRoot")) ||
        !dup_into(&f.source, k->source) || add_signal(&f, "registry-key", signal)) {
        finding_clear(&f);
        return BW_ENOMEM;
    }
    return push(out, &f);
}

static bw_err eval_vendor_keys(const bw_snapshot *s, const bw_policy *pol, bw_findings *out)
{
    bw_err e = BW_OK;
    for (size_t i = 0; i < s->n_vendor_keys && !e; i++) {
        const bw_vendor_key *k = &s->vendor_keys[i];
        if (!k->key_name)
            continue;
        long g = glob_any(&pol->registry_products, leaf(k->key_name));
        if (g < 0)
            continue;
        char *rule = bw_strfmt("vendor.registry_products[%s]", pol->registry_products.items[g]);
        if (!rule)
            return BW_ENOMEM;
        e = registry_finding(k, k->key_name, rule, k->root, out);
        free(rule);
    }
    /* A root with no product subkey (e.g. only Components\...) is reported
     * once for itself: it is still the vendor's footprint. */
    for (size_t i = 0; i < s->n_vendor_keys && !e; i++) {
        const bw_vendor_key *root = &s->vendor_keys[i];
        if (root->key_name)
            continue;
        bool has_product = false;
        for (size_t j = 0; j < s->n_vendor_keys && !has_product; j++) {
            const bw_vendor_key *k = &s->vendor_keys[j];
            has_product = k->key_name && k->view == root->view && bw_ieq(k->root, root->root) &&
                          glob_any(&pol->registry_products, leaf(k->key_name)) >= 0;
        }
        if (has_product)
            continue;
        char *rule = bw_strfmt("vendor.registry_roots[%s]", root->root);
        if (!rule)
            return BW_ENOMEM;
        e = registry_finding(root, leaf(root->root), rule, root->root, out);
        free(rule);
    }
    return e;
}

/* ---- services and drivers ---------------------------------------------- */

static bw_err eval_service(const bw_policy *pol, const bw_service_entry *v,
                           bool vendor_present, bw_findings *out)
{
    if (!v->name)
        return BW_OK;
    bool driver = v->has_type && (v->type & BW_SVC_DRIVER_MASK);
    bw_kind kind = driver ? BW_KIND_DRIVER : BW_KIND_SERVICE;
    const bw_strlist *names = driver ? &pol->drivers : &pol->services;
    const char *list = driver ? "vendor.drivers" : "vendor.services";

    long g = glob_any(&pol->ksn_services, v->name);
    if (g >= 0) {
        kind = BW_KIND_KSN;
        names = &pol->ksn_services;
        list = "ksn.services";
    } else {
        g = glob_any(names, v->name);
    }

    bw_finding f = {0};
    bw_err e = BW_OK;
    char *rule = NULL;
    int corroborating = 0;
    bool text = false, path = false, consistent = true;

    if (g >= 0)
        e = add_signal(&f, "name", names->items[g]);
    long m = contains_any(&pol->markers, v->display_name);
    if (m < 0)
        m = contains_any(&pol->markers, v->description);
    if (!e && m >= 0) {
        text = true;
        corroborating++;
        e = add_signal(&f, "text", pol->markers.items[m]);
    }
    if (!e)
        e = path_signal(pol, v->image_path, v->name, &f, &path, &consistent);
    if (path)
        corroborating++;
    for (size_t i = 0; !e && i < v->altitudes.n; i++) {
        if (equal_any(&pol->altitudes, v->altitudes.items[i]) >= 0) {
            corroborating++;
            e = add_signal(&f, "altitude", v->altitudes.items[i]);
            break;
        }
    }
    /* The vendor being on the machine supports a known name, unless the
     * image is someone else's file (another vendor's "kltap" driver). */
    if (!e && g >= 0 && vendor_present && consistent) {
        corroborating++;
        e = add_signal(&f, "vendor-present", NULL);
    }
    if (e)
        goto out;

    if (g >= 0 && corroborating > 0)
        rule = bw_strfmt("%s[%s]", list, names->items[g]);
    else if (g < 0 && text && path)
        rule = bw_strdup("vendor.markers+vendor.paths");
    else
        goto out; /* one signal is not enough */
    if (!rule) {
        e = BW_ENOMEM;
        goto out;
    }

    f.kind = kind;
    f.rule = rule;
    rule = NULL;
    f.has_service_info = true;
    f.service_type = v->has_type ? v->type : 0;
    f.start = v->has_start ? v->start : UINT32_MAX;
    f.state = v->state;
    if (!dup_into(&f.name, v->name) || !dup_into(&f.display_name, v->display_name) ||
        !dup_into(&f.path, v->image_path) || !dup_into(&f.source, v->source)) {
        e = BW_ENOMEM;
        goto out;
    }
    return push(out, &f);
out:
    free(rule);
    finding_clear(&f);
    return e;
}

/* ---- class filters ------------------------------------------------------ */

static bool has_finding(const bw_findings *fs, bw_kind kind, const char *name)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].kind == kind && bw_ieq(fs->items[i].name, name))
            return true;
    return false;
}

static bw_err eval_filter(const bw_policy *pol, const bw_filter_entry *fl,
                          const bw_findings *so_far, bool vendor_present, bw_findings *out)
{
    long i = equal_any(&pol->class_filters, fl->filter);
    if (i < 0)
        return BW_OK;
    bool driver = has_finding(so_far, BW_KIND_DRIVER, fl->filter);
    if (!driver && !vendor_present)
        return BW_OK;
    bw_finding f = {0};
    f.kind = BW_KIND_FILTER;
    f.rule = bw_strfmt("vendor.class_filters[%s]", pol->class_filters.items[i]);
    if (!f.rule || !dup_into(&f.name, fl->filter) ||
        !dup_into(&f.display_name, fl->class_name) || !dup_into(&f.source, fl->source) ||
        add_signal(&f, "name", pol->class_filters.items[i]) ||
        add_signal(&f, "position", fl->position) ||
        add_signal(&f, driver ? "driver-matched" : "vendor-present", NULL)) {
        finding_clear(&f);
        return BW_ENOMEM;
    }
    return push(out, &f);
}

/* ---- live KSN connections ------------------------------------------------ */

/* A connection is a finding when its process image is a vendor binary and
 * it is connecting or connected (SYN_SENT, ESTABLISHED) to a KSN port. Any
 * other process talking to those ports (a look-alike or a proxy) and a
 * vendor process talking to other ports are not. The identity is the image
 * file and the remote endpoint only: local port and pid change with every
 * connection, and the finding must stay the same one across scans. */
static bw_err eval_connection(const bw_policy *pol, const bw_connection_entry *c,
                              bw_findings *out)
{
    if (!c->image || !c->remote_addr ||
        (c->state != BW_TCP_ESTABLISHED && c->state != BW_TCP_SYN_SENT))
        return BW_OK;
    bool ksn_port = false;
    for (size_t i = 0; i < pol->n_ksn_ports && !ksn_port; i++)
        ksn_port = pol->ksn_ports[i] == c->remote_port;
    if (!ksn_port)
        return BW_OK;
    const char *file = leaf(c->image);
    long b = equal_any(&pol->binaries, file);
    if (b < 0 || !*file)
        return BW_OK;

    bw_finding f = {0};
    char *endpoint = c->ipv6 ? bw_strfmt("[%s]:%u", c->remote_addr, (unsigned)c->remote_port)
                             : bw_strfmt("%s:%u", c->remote_addr, (unsigned)c->remote_port);
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)c->remote_port);
    bw_err e = BW_ENOMEM;
    if (!endpoint)
        goto out;
    f.kind = BW_KIND_KSN_CONNECTION;
    f.name = bw_strfmt("%s->%s", file, endpoint);
    if (!f.name)
        goto out;
    if (has_finding(out, BW_KIND_KSN_CONNECTION, f.name)) {
        e = BW_OK; /* the same process image to the same endpoint again */
        goto out;
    }
    f.display_name = bw_strdup("KSN connection");
    f.source = bw_strfmt("TCP %s", endpoint);
    f.rule = bw_strfmt("ksn.ports[%s]", port);
    if (!f.display_name || !f.source || !f.rule || !dup_into(&f.path, c->image) ||
        add_signal(&f, "binary", pol->binaries.items[b]) || add_signal(&f, "port", port) ||
        add_signal(&f, "state", bw_tcp_state_name(c->state)))
        goto out;
    free(endpoint);
    return push(out, &f);
out:
    free(endpoint);
    finding_clear(&f);
    return e;
}

/* ---- ordering and entry point --------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *pa, const void *pb)
{
    const bw_finding *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = cmp_str(a->name, b->name);
    return c ? c : cmp_str(a->source, b->source);
}

bw_err bw_evaluate(const bw_snapshot *s, const bw_policy *pol, bw_findings *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = BW_OK;
    char **norm = calloc(pol->publishers.n + 1, sizeof *norm);
    if (!norm)
        return BW_ENOMEM;
    for (size_t i = 0; i < pol->publishers.n; i++) {
        norm[i] = bw_normalize(pol->publishers.items[i]);
        if (!norm[i]) {
            e = BW_ENOMEM;
            goto out;
        }
    }

    for (size_t i = 0; i < s->n_products && !e; i++)
        e = eval_product(pol, norm, &s->products[i], out);
    if (!e)
        e = eval_vendor_keys(s, pol, out);
    bool vendor_present = out->n > 0;
    for (size_t i = 0; i < s->n_services && !e; i++)
        e = eval_service(pol, &s->services[i], vendor_present, out);
    /* Filters look at the drivers found so far; evaluate against a stable
     * view of them. */
    size_t before_filters = out->n;
    for (size_t i = 0; i < s->n_filters && !e; i++) {
        bw_findings so_far = {out->items, before_filters, before_filters};
        e = eval_filter(pol, &s->filters[i], &so_far, vendor_present, out);
    }
    for (size_t i = 0; i < s->n_connections && !e; i++)
        e = eval_connection(pol, &s->connections[i], out);
    if (!e && out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, cmp_finding);
out:
    for (size_t i = 0; i < pol->publishers.n; i++)
        free(norm[i]);
    free(norm);
    if (e)
        bw_findings_free(out);
    return e;
}
