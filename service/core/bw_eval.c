/*
 * bw_eval.c - snapshot + policy -> findings with confidence tiers
 * (portable core, pure).
 *
 * The rules (docs/detection.md), in three steps:
 *   1. each component on its own: its signals, whether anything about it
 *      contradicts the vendor (then it is no finding at all), and its tier
 *      from its own signals;
 *   2. the machine: the vendor is present when a machine-wide confirmed
 *      finding exists, and the folders of confirmed components' images are
 *      the vendor's own;
 *   3. vouching: presence lifts a name-matched service or driver whose
 *      image agrees to `likely`; so does an image in a folder of a
 *      confirmed one. Vouching never makes a finding `confirmed`, and what
 *      a user could have written never vouches.
 */
#include "bw_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_names.h"

_Static_assert(BW_HIDES_PRODUCT == 1u << BW_KIND_PRODUCT &&
                   BW_HIDES_SERVICE == 1u << BW_KIND_SERVICE &&
                   BW_HIDES_DRIVER == 1u << BW_KIND_DRIVER && BW_HIDES_KSN == 1u << BW_KIND_KSN &&
                   BW_HIDES_FILTER == 1u << BW_KIND_FILTER &&
                   BW_HIDES_REGISTRY == 1u << BW_KIND_REGISTRY &&
                   BW_HIDES_KSN_CONNECTION == 1u << BW_KIND_KSN_CONNECTION,
               "gap bits follow bw_kind");

static const char *const kind_names[] = {"product", "service",  "driver",        "ksn",
                                         "filter",  "registry", "ksn-connection"};

const char *bw_kind_name(bw_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "unknown";
}

const char *bw_finding_shown_name(bw_kind k, const char *key, const char *display_name)
{
    return k == BW_KIND_PRODUCT && display_name && display_name[0] ? display_name : key;
}

bool bw_kind_parse(const char *name, bw_kind *out)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (bw_kind)i;
            return true;
        }
    return false;
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

/* Index of the first entry of l matching a key name, or -1: the name
 * itself, or its base when the rest is one of the policy's per-install
 * suffixes ("KLIF.K4W-21-25" is klif). exact: entries are names, not
 * globs. */
static long name_any(const bw_policy *pol, const bw_strlist *l, const char *name, bool exact)
{
    if (!name)
        return -1;
    long g = exact ? -1 : glob_any(l, name);
    for (size_t i = 0; exact && i < l->n && g < 0; i++)
        if (bw_ieq(l->items[i], name))
            g = (long)i;
    for (const char *dot = strchr(name, '.'); g < 0 && dot; dot = strchr(dot + 1, '.')) {
        if (glob_any(&pol->name_suffixes, dot) < 0)
            continue;
        char *base = bw_strndup(name, (size_t)(dot - name));
        if (base)
            g = name_any(pol, l, base, exact);
        free(base);
    }
    return g;
}

/* The key name without a per-install suffix ("KLIF.K4W-21-25" -> "KLIF"),
 * malloc'd; the name itself when it has none. */
static char *base_name(const bw_policy *pol, const char *name)
{
    for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.'))
        if (glob_any(&pol->name_suffixes, dot) >= 0)
            return bw_strndup(name, (size_t)(dot - name));
    return bw_strdup(name);
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

void bw_finding_desc_clear(bw_finding_desc *d)
{
    free(d->name);
    free(d->display_name);
    free(d->publisher);
    free(d->version);
    free(d->path);
    free(d->source);
    free(d->rule);
    memset(d, 0, sizeof *d);
}

/* Copies s into *dst; false if s was non-NULL and the copy failed. */
static bool dup_into(char **dst, const char *s)
{
    *dst = bw_strdup(s);
    return !s || *dst;
}

bw_err bw_finding_desc_copy(bw_finding_desc *dst, const bw_finding_desc *src)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->tier = src->tier;
    if (dup_into(&dst->name, src->name) && dup_into(&dst->display_name, src->display_name) &&
        dup_into(&dst->publisher, src->publisher) && dup_into(&dst->version, src->version) &&
        dup_into(&dst->path, src->path) && dup_into(&dst->source, src->source) &&
        dup_into(&dst->rule, src->rule))
        return BW_OK;
    bw_finding_desc_clear(dst);
    return BW_ENOMEM;
}

static void finding_clear(bw_finding *f)
{
    bw_finding_desc_clear(&f->desc);
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

bool bw_findings_vendor_present(const bw_findings *f)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (f->items[i].tier == BW_TIER_CONFIRMED && !f->items[i].user_writable)
            return true;
    return false;
}

bw_err bw_findings_select(const bw_findings *f, unsigned tiers, bw_findings *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        if (!(tiers & BW_TIER_BIT(x->tier)))
            continue;
        bw_finding c = *x; /* the numbers; every string is copied below */
        c.signals = (bw_strlist){0};
        c.user_sid = NULL;
        bool ok = bw_finding_desc_copy(&c.desc, &x->desc) == BW_OK &&
                  dup_into(&c.user_sid, x->user_sid);
        for (size_t j = 0; ok && j < x->signals.n; j++)
            ok = bw_strlist_add(&c.signals, x->signals.items[j]) == BW_OK;
        if (!ok || push(out, &c) != BW_OK) {
            if (!ok)
                finding_clear(&c);
            bw_findings_free(out);
            return BW_ENOMEM;
        }
    }
    return BW_OK;
}

/* ---- products ---------------------------------------------------------- */

/* What an Uninstall entry's Publisher says. */
typedef enum { PUB_ABSENT, PUB_VENDOR, PUB_MENTIONS, PUB_OTHER } pub_class;

static pub_class publisher_class(const bw_policy *pol, char *const *pub_keys, const char *pub,
                                 bw_err *e)
{
    *e = BW_OK;
    if (bw_company_blank(pub))
        return PUB_ABSENT;
    char *k = bw_company_key(pub);
    if (!k) {
        *e = BW_ENOMEM;
        return PUB_ABSENT;
    }
    pub_class c = PUB_OTHER;
    for (size_t i = 0; i < pol->publishers.n && c == PUB_OTHER; i++)
        if (pub_keys[i] && strcmp(k, pub_keys[i]) == 0)
            c = PUB_VENDOR;
    free(k);
    /* A publisher that names the vendor in another way is not someone else:
     * only a publisher that is positively another company vetoes. */
    if (c == PUB_OTHER && contains_any(&pol->markers, pub) >= 0)
        c = PUB_MENTIONS;
    return c;
}

/* The path signal of an install location, uninstall command or icon: a
 * vendor folder, or a vendor binary (avp.exe). */
static bw_err product_path_signal(const bw_policy *pol, const bw_product_entry *p, bw_finding *f,
                                  bool *hit)
{
    const char *const paths[] = {p->install_location, p->uninstall_string, p->display_icon};
    *hit = false;
    for (size_t i = 0; i < 3 && !*hit; i++) {
        if (!paths[i])
            continue;
        long g = glob_any(&pol->paths, paths[i]);
        if (g >= 0) {
            *hit = true;
            return add_signal(f, "path", pol->paths.items[g]);
        }
        char *file = bw_image_file(paths[i]);
        long b = equal_any(&pol->binaries, file);
        free(file);
        if (b >= 0) {
            *hit = true;
            return add_signal(f, "binary", pol->binaries.items[b]);
        }
    }
    return BW_OK;
}

static bw_err eval_product(const bw_policy *pol, char *const *pub_keys, const bw_product_entry *p,
                           bw_findings *out)
{
    bw_finding f = {0};
    bw_err e = BW_OK;
    pub_class pc = publisher_class(pol, pub_keys, p->publisher, &e);
    if (e)
        return e;
    if (pc == PUB_OTHER)
        return BW_OK; /* another company's product, whatever its name says */

    long family = glob_any(&pol->products, p->display_name);
    long marker = contains_any(&pol->markers, p->display_name);
    bool path = false;
    if (pc == PUB_VENDOR)
        e = add_signal(&f, "publisher", p->publisher);
    else if (pc == PUB_MENTIONS)
        e = add_signal(&f, "publisher-names-vendor", p->publisher);
    else
        e = add_signal(&f, "no-publisher", NULL);
    if (!e && family >= 0)
        e = add_signal(&f, "display-name", pol->products.items[family]);
    else if (!e && marker >= 0)
        e = add_signal(&f, "display-name-names-vendor", pol->markers.items[marker]);
    if (!e)
        e = product_path_signal(pol, p, &f, &path);
    if (e)
        goto out;

    /* A vendor publisher and a product name or folder agree: confirmed. A
     * publisher that names the vendor counts like a folder. */
    bool named = family >= 0 || marker >= 0;
    bw_tier t = BW_TIER_NONE;
    const char *rule = NULL;
    if (pc == PUB_VENDOR) {
        t = named || path ? BW_TIER_CONFIRMED : BW_TIER_LIKELY;
        rule = "vendor.publishers";
    } else if (family >= 0) {
        t = path || pc == PUB_MENTIONS ? BW_TIER_CONFIRMED : BW_TIER_LIKELY;
        rule = "vendor.products";
    } else if (marker >= 0) {
        t = path || pc == PUB_MENTIONS ? BW_TIER_LIKELY : BW_TIER_POSSIBLE;
        rule = "vendor.markers";
    } else if (path) {
        t = pc == PUB_MENTIONS ? BW_TIER_CONFIRMED : BW_TIER_LIKELY;
        rule = "vendor.paths";
    } else if (pc == PUB_MENTIONS) {
        t = BW_TIER_POSSIBLE;
        rule = "vendor.markers";
    }
    if (t == BW_TIER_NONE)
        goto out;
    f.kind = BW_KIND_PRODUCT;
    f.tier = t;
    f.view = p->view;
    f.user_writable = p->view == BW_VIEW_USER;
    const char *version = bw_product_version(p);
    if (pc != PUB_VENDOR && family >= 0)
        f.rule = bw_strfmt("%s[%s]", rule, pol->products.items[family]);
    else
        f.rule = bw_strdup(rule);
    if (!f.rule || !dup_into(&f.name, p->key_name) ||
        !dup_into(&f.display_name, p->display_name) || !dup_into(&f.publisher, p->publisher) ||
        !dup_into(&f.version, version) || !dup_into(&f.path, p->install_location) ||
        !dup_into(&f.source, p->source) || !dup_into(&f.user_sid, p->user_sid) ||
        (f.user_writable && add_signal(&f, "user-writable", "per-user hive")) ||
        (p->name_escaped && add_signal(&f, "key-name-not-utf16", NULL))) {
        e = BW_ENOMEM;
        goto out;
    }
    return push(out, &f);
out:
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

/* The environment value that names the product, if any names the vendor:
 * a product name with a vendor text, or a folder under a vendor path. */
static const char *env_names_product(const bw_policy *pol, const bw_vendor_key *k,
                                     const char **which)
{
    static const char *const names[] = {"ProductName", "Ins_DisplayName"};
    static const char *const folders[] = {"ProductRoot", "DataRoot", "ProductFolder"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = bw_vendor_key_env(k, names[i]);
        if (contains_any(&pol->markers, v) >= 0) {
            *which = names[i];
            return v;
        }
    }
    for (size_t i = 0; i < 3; i++) {
        const char *v = bw_vendor_key_env(k, folders[i]);
        if (glob_any(&pol->paths, v) >= 0) {
            *which = folders[i];
            return v;
        }
    }
    return NULL;
}

static bw_err registry_finding(const bw_policy *pol, const bw_vendor_key *k, const char *name,
                               const char *rule, bw_findings *out)
{
    bw_finding f = {0};
    f.kind = BW_KIND_REGISTRY;
    f.view = k->view;
    f.user_writable = k->view == BW_VIEW_USER;
    const char *version = bw_vendor_key_version(k);
    const char *display = bw_vendor_key_env(k, "ProductName");
    if (empty(display))
        display = bw_vendor_key_env(k, "Ins_DisplayName");
    const char *which = NULL;
    const char *named = k->key_name ? env_names_product(pol, k, &which) : NULL;
    /* The vendor's own root and a product key name agree; the environment
     * naming the product makes it certain. A bare root or a product key
     * without an environment is a leftover: likely. */
    f.tier = named ? BW_TIER_CONFIRMED : BW_TIER_LIKELY;
    f.rule = bw_strdup(rule);
    if (!f.rule || !dup_into(&f.name, name) || !dup_into(&f.display_name, display) ||
        !dup_into(&f.version, version) ||
        !dup_into(&f.path, bw_vendor_key_env(k, "ProductRoot")) ||
        !dup_into(&f.source, k->source) || add_signal(&f, "registry-key", k->root) ||
        (named && add_signal(&f, "environment", which)) ||
        (f.user_writable && add_signal(&f, "user-writable", "per-user hive"))) {
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
        e = registry_finding(pol, k, k->key_name, rule, out);
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
        e = registry_finding(pol, root, leaf(root->root), rule, out);
        free(rule);
    }
    return e;
}

/* ---- services and drivers ---------------------------------------------- */

/* What step 1 learned about one service or driver key. */
typedef struct svc {
    const bw_service_entry *v;
    bw_finding f; /* signals gathered; moved into the list at the end */
    bw_kind kind;
    const char *rule_list; /* "vendor.services", "vendor.drivers", "ksn.services",
                              "vendor.generic_names" or NULL */
    const char *rule_item;
    bool distinctive; /* the name is vendor-unique */
    bool generic;     /* the name matches a generic pattern only */
    int positives;    /* independent positive signals */
    bool text, path, binary, altitude;
    bool foreign_file; /* an image file the name does not explain */
    bool plain_text;   /* a text that describes something without naming
                          the vendor (a distinctive name stays, weaker) */
    bool contradicted; /* decisive: never a finding */
    bool user_writable;
    char *folder; /* canonical image folder, NULL if none */
    bw_tier tier;
} svc;

/* True if the normalised text says no more than the key's name (or the
 * image file's stem): "klhk", "KLIF", "klhk driver". */
static bool text_is_name(const char *text, const char *name, const char *file)
{
    if (bw_icontains(text, name))
        return true;
    if (file) {
        const char *dot = strrchr(file, '.');
        char *stem = dot ? bw_strndup(file, (size_t)(dot - file)) : bw_strdup(file);
        bool same = stem && *stem && bw_icontains(text, stem);
        free(stem);
        return same;
    }
    return false;
}

/* True for an image under another company's program folder: Program Files
 * or Program Files (x86) followed by a folder that is no vendor path. */
static bool foreign_program_folder(const char *canon_folder)
{
    if (!canon_folder)
        return false;
    const char *p = canon_folder;
    if (p[0] && p[1] == ':')
        p += 2;
    static const char *const roots[] = {"\\program files (x86)\\", "\\program files\\",
                                        "%programfiles%\\", "%programfiles(x86)%\\"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (strncmp(p, roots[i], strlen(roots[i])) == 0)
            return true;
    return false;
}

/* The key's name: one of the vendor's own (or a KSN component's), or only a
 * generic one. */
static bw_err svc_name(const bw_policy *pol, const bw_service_entry *v, bool driver, svc *s)
{
    const bw_strlist *names = driver ? &pol->drivers : &pol->services;
    long g = name_any(pol, &pol->ksn_services, v->name, false);
    if (g >= 0) {
        s->kind = BW_KIND_KSN;
        s->rule_list = "ksn.services";
        s->rule_item = pol->ksn_services.items[g];
    } else {
        g = name_any(pol, names, v->name, false);
        if (g >= 0) {
            s->rule_list = driver ? "vendor.drivers" : "vendor.services";
            s->rule_item = names->items[g];
        }
    }
    if (g >= 0) {
        s->distinctive = true;
        s->positives++;
        return add_signal(&s->f, "name", s->rule_item);
    }
    g = glob_any(&pol->generic_names, v->name);
    if (g < 0)
        return BW_OK;
    s->generic = true;
    s->rule_list = "vendor.generic_names";
    s->rule_item = pol->generic_names.items[g];
    s->positives++; /* weak alone, but it agrees with another signal */
    return add_signal(&s->f, "generic-name", s->rule_item);
}

/* The display name and description: naming the vendor, another company, or
 * describing something without naming anyone. base and file are the key's
 * name and its image's file name, which a text may merely repeat. */
static bw_err svc_texts(const bw_policy *pol, const bw_service_entry *v, const char *base,
                        const char *file, svc *s)
{
    bw_err e = BW_OK;
    long m = contains_any(&pol->markers, v->display_name);
    if (m < 0)
        m = contains_any(&pol->markers, v->description);
    if (m >= 0) {
        s->text = true;
        s->positives++;
        return add_signal(&s->f, "text", pol->markers.items[m]);
    }
    /* A display name or description that names another company keeps the
     * key out. One that merely describes something without naming the
     * vendor does too when the name is only generic: the vendor's own
     * drivers often carry plain descriptions ("Core System Interceptors"),
     * but then their names are the vendor's own. */
    const char *const texts[] = {v->display_name, v->description};
    for (size_t i = 0; i < 2 && !e; i++) {
        if (empty(texts[i]) || text_is_name(texts[i], base, file))
            continue;
        long o = contains_any(&pol->others, texts[i]);
        if (o >= 0 || !s->distinctive) {
            s->contradicted = true;
            e = add_signal(&s->f, o >= 0 ? "names-another-company" : "names-another-product",
                           texts[i]);
        } else if (!s->plain_text) {
            s->plain_text = true;
            e = add_signal(&s->f, "text-without-vendor", texts[i]);
        }
    }
    return e;
}

/* The image: a vendor path or binary, a file the name explains, another
 * company's program folder, a place any user can write. */
static bw_err svc_image(const bw_policy *pol, const bw_service_entry *v, const char *base,
                        const char *file, svc *s)
{
    bw_err e = BW_OK;
    s->folder = bw_image_folder(v->image_path);
    s->user_writable = bw_path_user_writable(v->image_path);
    long p = glob_any(&pol->paths, v->image_path);
    long b = equal_any(&pol->binaries, file);
    bool own = file && (named_after(file, v->name) || named_after(file, base));
    if (p >= 0) {
        s->path = true;
        s->positives++;
        e = add_signal(&s->f, "path", pol->paths.items[p]);
    }
    if (!e && b >= 0 && !own) {
        s->binary = true;
        s->positives++;
        e = add_signal(&s->f, "binary", pol->binaries.items[b]);
    }
    /* An image the name does not explain, unless it sits in a vendor
     * folder (step 3 also accepts a folder of a confirmed image). */
    s->foreign_file = file && !own && b < 0 && p < 0;
    /* Another company's program folder: a file named after the key says
     * nothing there (another vendor's "kldisk" is kldisk.sys too). */
    if (!e && p < 0 && !s->binary && !s->text && foreign_program_folder(s->folder)) {
        s->contradicted = true;
        e = add_signal(&s->f, "image-of-another-company", v->image_path);
    }
    if (!e && s->user_writable)
        e = add_signal(&s->f, "user-writable", v->image_path);
    return e;
}

/* Tier from the key's own signals: two that agree confirm; one that is the
 * vendor's own is likely unless a plain text stands against it; a generic
 * name or a vendor text alone is for review. */
static void svc_tier(svc *s)
{
    if (s->positives >= 2)
        s->tier = BW_TIER_CONFIRMED;
    else if ((s->distinctive || s->path || s->binary || s->altitude) && !s->plain_text)
        s->tier = BW_TIER_LIKELY;
    else if (s->distinctive || s->generic || s->text)
        s->tier = BW_TIER_POSSIBLE;
    if (!s->rule_list && s->tier != BW_TIER_NONE) {
        s->rule_list = s->text && (s->path || s->binary) ? "vendor.markers+vendor.paths"
                       : s->altitude                     ? "vendor.altitudes"
                       : s->path                         ? "vendor.paths"
                       : s->binary                       ? "vendor.binaries"
                                                         : "vendor.markers";
    }
}

/* Step 1 for one key. */
static bw_err svc_assess(const bw_policy *pol, const bw_service_entry *v, svc *s)
{
    memset(s, 0, sizeof *s);
    s->v = v;
    bool driver = v->has_type && (v->type & BW_SVC_DRIVER_MASK);
    s->kind = driver ? BW_KIND_DRIVER : BW_KIND_SERVICE;
    bw_err e = svc_name(pol, v, driver, s);
    char *file = bw_image_file(v->image_path);
    char *base = base_name(pol, v->name);
    if (!e && !base)
        e = BW_ENOMEM;
    if (!e)
        e = svc_texts(pol, v, base, file, s);
    if (!e && v->image_path)
        e = svc_image(pol, v, base, file, s);
    free(file);
    free(base);
    for (size_t i = 0; !e && i < v->altitudes.n; i++) {
        if (equal_any(&pol->altitudes, v->altitudes.items[i]) >= 0) {
            s->altitude = true;
            s->positives++;
            e = add_signal(&s->f, "altitude", v->altitudes.items[i]);
            break;
        }
    }
    if (e)
        return e;
    svc_tier(s);
    return BW_OK;
}

static bool folder_in(const bw_strlist *folders, const char *f)
{
    return f && equal_any(folders, f) >= 0;
}

/* Step 3 for one key, then its finding. */
static bw_err svc_finish(const bw_policy *pol, svc *s, bool present, const bw_strlist *folders,
                         bw_findings *out)
{
    (void)pol;
    bw_err e = BW_OK;
    bool vendor_folder = !s->user_writable && folder_in(folders, s->folder);
    /* A file the name does not explain contradicts it, unless it lives
     * where the vendor's confirmed images live or the key's own text names
     * the vendor (Security Center's SQL Server instance runs Microsoft's
     * sqlservr.exe). */
    if (s->foreign_file && !vendor_folder && !s->path && !s->text)
        s->contradicted = true;
    if (s->contradicted)
        goto drop;
    /* The vendor's presence vouches for its own (distinctive) names; a
     * generic prefix needs a second signal of its own, or a shared folder:
     * other vendors' kl* and kav* drivers sit next to the vendor's too. */
    if (present && s->distinctive && !s->user_writable) {
        e = add_signal(&s->f, "vendor-present", NULL);
        if (s->tier < BW_TIER_LIKELY)
            s->tier = BW_TIER_LIKELY;
    }
    if (!e && vendor_folder && s->tier < BW_TIER_CONFIRMED) {
        e = add_signal(&s->f, "shared-folder", s->folder);
        if (s->tier < BW_TIER_LIKELY)
            s->tier = BW_TIER_LIKELY;
        if (!s->rule_list)
            s->rule_list = "shared-folder";
    }
    if (e || s->tier == BW_TIER_NONE)
        goto drop;

    const bw_service_entry *v = s->v;
    bw_finding *f = &s->f;
    f->kind = s->kind;
    f->tier = s->tier;
    f->user_writable = s->user_writable;
    f->rule =
        s->rule_item ? bw_strfmt("%s[%s]", s->rule_list, s->rule_item) : bw_strdup(s->rule_list);
    f->has_service_info = true;
    f->service_type = v->has_type ? v->type : 0;
    f->start = v->has_start ? v->start : UINT32_MAX;
    f->delayed_auto = v->delayed_auto;
    f->state = v->state;
    if (!f->rule || !dup_into(&f->name, v->name) ||
        !dup_into(&f->display_name, v->display_name) || !dup_into(&f->path, v->image_path) ||
        !dup_into(&f->source, v->source)) {
        e = BW_ENOMEM;
        goto drop;
    }
    return push(out, f);
drop:
    finding_clear(&s->f);
    return e;
}

/* ---- class filters ------------------------------------------------------ */

static const bw_finding *find_finding(const bw_findings *fs, bw_kind kind, const char *name)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->items[i].kind == kind && bw_ieq(fs->items[i].name, name))
            return &fs->items[i];
    return NULL;
}

static bw_err eval_filter(const bw_policy *pol, const bw_filter_entry *fl,
                          const bw_findings *so_far, bw_findings *out)
{
    long i = name_any(pol, &pol->class_filters, fl->filter, true);
    if (i < 0)
        return BW_OK;
    const bw_finding *drv = find_finding(so_far, BW_KIND_DRIVER, fl->filter);
    bw_finding f = {0};
    f.kind = BW_KIND_FILTER;
    /* The names are the vendor's own; a confirmed driver of the same name
     * confirms the entry. A filter whose driver is gone is the classic
     * leftover that leaves a keyboard or mouse dead: likely on its own. */
    f.tier = drv && drv->tier == BW_TIER_CONFIRMED ? BW_TIER_CONFIRMED : BW_TIER_LIKELY;
    f.rule = bw_strfmt("vendor.class_filters[%s]", pol->class_filters.items[i]);
    if (!f.rule || !dup_into(&f.name, fl->filter) || !dup_into(&f.display_name, fl->class_name) ||
        !dup_into(&f.source, fl->source) || add_signal(&f, "name", pol->class_filters.items[i]) ||
        add_signal(&f, "position", fl->position) ||
        (drv && add_signal(&f, "driver", bw_tier_name(drv->tier)))) {
        finding_clear(&f);
        return BW_ENOMEM;
    }
    return push(out, &f);
}

/* ---- live KSN connections ------------------------------------------------ */

/* A connection is a finding when its process image is a vendor binary and
 * it is connecting or connected (SYN_SENT, ESTABLISHED) to a KSN port: two
 * signals that agree, so confirmed. Any other process talking to those
 * ports and a vendor process talking to other ports are not. The identity
 * is the image file and the remote endpoint only: local port and pid
 * change with every connection, and the finding must stay the same one
 * across scans. */
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
    f.tier = BW_TIER_CONFIRMED;
    f.user_writable = bw_path_user_writable(c->image);
    f.name = bw_strfmt("%s->%s", file, endpoint);
    if (!f.name)
        goto out;
    if (find_finding(out, BW_KIND_KSN_CONNECTION, f.name)) {
        e = BW_OK; /* the same process image to the same endpoint again */
        goto out;
    }
    f.display_name = bw_strdup("KSN connection");
    f.source = bw_strfmt("TCP %s", endpoint);
    f.rule = bw_strfmt("ksn.ports[%s]", port);
    if (!f.display_name || !f.source || !f.rule || !dup_into(&f.path, c->image) ||
        add_signal(&f, "binary", pol->binaries.items[b]) || add_signal(&f, "port", port) ||
        add_signal(&f, "state", bw_tcp_state_name(c->state)) ||
        (f.user_writable && add_signal(&f, "user-writable", c->image)))
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

/* Steps 1-3 for the services and drivers. */
static bw_err eval_services(const bw_snapshot *s, const bw_policy *pol, bw_findings *out)
{
    if (!s->n_services)
        return BW_OK;
    svc *all = calloc(s->n_services, sizeof *all);
    bw_strlist folders = {0};
    bw_err e = all ? BW_OK : BW_ENOMEM;
    for (size_t i = 0; i < s->n_services && !e; i++)
        if (s->services[i].name && !bw_ieq(s->services[i].name, BW_SELF_SERVICE))
            e = svc_assess(pol, &s->services[i], &all[i]);
    /* Step 2: presence, and the folders of the confirmed images (never a
     * shared folder such as System32\drivers, never a user-writable one). */
    bool present = !e && bw_findings_vendor_present(out);
    for (size_t i = 0; i < s->n_services && !e; i++) {
        const svc *x = &all[i];
        if (x->tier != BW_TIER_CONFIRMED || x->contradicted || x->user_writable)
            continue;
        present = true;
        if (x->folder && !bw_folder_shared(x->folder) && !folder_in(&folders, x->folder))
            e = bw_strlist_add(&folders, x->folder);
    }
    for (size_t i = 0; i < s->n_services; i++) {
        if (!e && all[i].v)
            e = svc_finish(pol, &all[i], present, &folders, out);
        else if (all)
            finding_clear(&all[i].f);
        if (all)
            free(all[i].folder);
    }
    free(all);
    bw_strlist_free(&folders);
    return e;
}

bw_err bw_evaluate(const bw_snapshot *s, const bw_policy *pol, bw_findings *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = BW_OK;
    char **pub_keys = calloc(pol->publishers.n + 1, sizeof *pub_keys);
    if (!pub_keys)
        return BW_ENOMEM;
    for (size_t i = 0; i < pol->publishers.n; i++) {
        pub_keys[i] = bw_company_key(pol->publishers.items[i]);
        if (!pub_keys[i]) {
            e = BW_ENOMEM;
            goto out;
        }
    }

    for (size_t i = 0; i < s->n_products && !e; i++)
        e = eval_product(pol, pub_keys, &s->products[i], out);
    if (!e)
        e = eval_vendor_keys(s, pol, out);
    for (size_t i = 0; i < s->n_connections && !e; i++)
        e = eval_connection(pol, &s->connections[i], out);
    if (!e)
        e = eval_services(s, pol, out);
    /* Filters look at the drivers found so far; evaluate against a stable
     * view of them. */
    size_t before_filters = out->n;
    for (size_t i = 0; i < s->n_filters && !e; i++) {
        bw_findings so_far = {out->items, before_filters, before_filters};
        e = eval_filter(pol, &s->filters[i], &so_far, out);
    }
    if (!e && out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, cmp_finding);
out:
    for (size_t i = 0; i < pol->publishers.n; i++)
        free(pub_keys[i]);
    free(pub_keys);
    if (e)
        bw_findings_free(out);
    return e;
}
