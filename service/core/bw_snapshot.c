/* bw_snapshot.c - the snapshot container (portable core). */
#include "bw_snapshot.h"

#include <stdlib.h>
#include <string.h>

bw_snapshot *bw_snapshot_new(void)
{
    bw_snapshot *s = calloc(1, sizeof(bw_snapshot));
    if (s)
        s->gap_hides = BW_HIDES_ALL;
    return s;
}

/* Grows an array of `size`-byte items to hold one more, zeroes the new slot
 * and returns it (NULL on allocation failure). */
static void *grow(void **items, size_t *n, size_t *cap, size_t size)
{
    if (bw_grow(items, cap, *n, size) != BW_OK)
        return NULL;
    void *slot = (char *)*items + (*n)++ * size;
    memset(slot, 0, size);
    return slot;
}

#define ADD(s, arr, n, cap, out)                                      \
    do {                                                              \
        void *items_ = (s)->arr;                                      \
        *(out) = grow(&items_, &(s)->n, &(s)->cap, sizeof *(s)->arr); \
        (s)->arr = items_;                                            \
        return *(out) ? BW_OK : BW_ENOMEM;                            \
    } while (0)

bw_err bw_snapshot_add_product(bw_snapshot *s, bw_product_entry **out)
{
    ADD(s, products, n_products, cap_products, out);
}

bw_err bw_snapshot_add_service(bw_snapshot *s, bw_service_entry **out)
{
    ADD(s, services, n_services, cap_services, out);
}

bw_err bw_snapshot_add_filter(bw_snapshot *s, bw_filter_entry **out)
{
    ADD(s, filters, n_filters, cap_filters, out);
}

bw_err bw_snapshot_add_vendor_key(bw_snapshot *s, bw_vendor_key **out)
{
    ADD(s, vendor_keys, n_vendor_keys, cap_vendor_keys, out);
}

bw_err bw_snapshot_add_evidence(bw_snapshot *s, bw_evidence_entry **out)
{
    ADD(s, evidence, n_evidence, cap_evidence, out);
}

bw_err bw_snapshot_add_connection(bw_snapshot *s, bw_connection_entry **out)
{
    ADD(s, connections, n_connections, cap_connections, out);
}

bw_err bw_snapshot_add_av(bw_snapshot *s, bw_av_entry **out)
{
    ADD(s, av, n_av, cap_av, out);
}

const char *bw_av_state_name(bw_av_state st)
{
    static const char *const names[] = {"on", "off", "snoozed", "expired"};
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "unknown";
}

const char *bw_tcp_state_name(uint32_t state)
{
    static const char *const names[] = {
        "UNKNOWN",   "CLOSED",     "LISTEN",  "SYN_SENT", "SYN_RCVD",  "ESTABLISHED", "FIN_WAIT1",
        "FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB"};
    return state < sizeof names / sizeof names[0] ? names[state] : "UNKNOWN";
}

bw_err bw_vendor_key_add_env(bw_vendor_key *k, const char *name, const char *value)
{
    bw_kv *p = realloc(k->env, (k->n_env + 1) * sizeof *p);
    if (!p)
        return BW_ENOMEM;
    k->env = p;
    char *n = bw_strdup(name), *v = bw_strdup(value ? value : "");
    if (!n || !v) {
        free(n);
        free(v);
        return BW_ENOMEM;
    }
    p[k->n_env].name = n;
    p[k->n_env].value = v;
    k->n_env++;
    return BW_OK;
}

const char *bw_vendor_key_env(const bw_vendor_key *k, const char *name)
{
    for (size_t i = 0; i < k->n_env; i++)
        if (bw_ieq(k->env[i].name, name))
            return k->env[i].value;
    return NULL;
}

const char *const bw_vendor_version_values[BW_VENDOR_VERSION_VALUES] = {
    "ProductDisplayVersion", "ProductVersion", "Ins_ProductVersion"};

const char *bw_vendor_key_version(const bw_vendor_key *k)
{
    for (size_t i = 0; i < BW_VENDOR_VERSION_VALUES; i++) {
        const char *v = bw_vendor_key_env(k, bw_vendor_version_values[i]);
        if (v && *v)
            return v;
    }
    return NULL;
}

const char *bw_product_version(const bw_product_entry *p)
{
    return p->product_version && *p->product_version ? p->product_version : p->display_version;
}

bw_err bw_snapshot_add_gap(bw_snapshot *s, const char *where, const char *fmt, ...)
{
    bw_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    bw_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *reason = bw_buf_take(&b);
    char *w = bw_strdup(where ? where : "");
    bw_gap *g = NULL;
    void *items = s->gaps;
    if (reason && w)
        g = grow(&items, &s->n_gaps, &s->cap_gaps, sizeof *s->gaps);
    s->gaps = items;
    if (!g) {
        free(reason);
        free(w);
        return BW_ENOMEM;
    }
    g->where = w;
    g->reason = reason;
    g->hides = s->gap_hides;
    return BW_OK;
}

bw_service_entry *bw_snapshot_find_service(const bw_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->n_services; i++)
        if (bw_ieq(s->services[i].name, name))
            return &s->services[i];
    return NULL;
}

void bw_snapshot_free(bw_snapshot *s)
{
    if (!s)
        return;
    free(s->host);
    for (size_t i = 0; i < s->n_products; i++) {
        bw_product_entry *p = &s->products[i];
        free(p->key_name);
        free(p->display_name);
        free(p->publisher);
        free(p->display_version);
        free(p->product_version);
        free(p->install_location);
        free(p->uninstall_string);
        free(p->display_icon);
        free(p->install_date);
        free(p->source);
        free(p->user_sid);
    }
    free(s->products);
    for (size_t i = 0; i < s->n_services; i++) {
        bw_service_entry *v = &s->services[i];
        free(v->name);
        free(v->display_name);
        free(v->description);
        free(v->image_path);
        free(v->group);
        free(v->source);
        bw_strlist_free(&v->altitudes);
    }
    free(s->services);
    for (size_t i = 0; i < s->n_filters; i++) {
        bw_filter_entry *f = &s->filters[i];
        free(f->class_guid);
        free(f->class_name);
        free(f->position);
        free(f->filter);
        free(f->source);
    }
    free(s->filters);
    for (size_t i = 0; i < s->n_vendor_keys; i++) {
        bw_vendor_key *k = &s->vendor_keys[i];
        free(k->root);
        free(k->key_name);
        free(k->source);
        for (size_t j = 0; j < k->n_env; j++) {
            free(k->env[j].name);
            free(k->env[j].value);
        }
        free(k->env);
    }
    free(s->vendor_keys);
    for (size_t i = 0; i < s->n_evidence; i++) {
        free(s->evidence[i].product);
        free(s->evidence[i].source);
        free(s->evidence[i].raw);
    }
    free(s->evidence);
    for (size_t i = 0; i < s->n_connections; i++) {
        bw_connection_entry *c = &s->connections[i];
        free(c->image);
        free(c->image_note);
        free(c->local_addr);
        free(c->remote_addr);
    }
    free(s->connections);
    for (size_t i = 0; i < s->n_av; i++)
        free(s->av[i].name);
    free(s->av);
    for (size_t i = 0; i < s->n_gaps; i++) {
        free(s->gaps[i].where);
        free(s->gaps[i].reason);
    }
    free(s->gaps);
    free(s);
}
