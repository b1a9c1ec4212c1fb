/*
 * collect_all.c - the list of collectors a scan runs (Win32 layer).
 *
 * One row per collector, in order, with the finding kinds a gap of its
 * could hide (bw_snapshot.h): the store resolves a finding only when no gap
 * of a source that could have found it remains. Adding a collector is one
 * function in its own file and one row here.
 */
#include "bw_collect.h"

typedef struct run {
    const bw_api *api;
    const bw_strlist *roots;
    const bw_strlist *bases_paths;
    bw_snapshot *snap;
} run;

static bw_err host(const run *r)
{
    return bw_win_collect_host(r->api, r->snap);
}
static bw_err uninstall(const run *r)
{
    return bw_win_collect_uninstall(r->api, r->snap);
}
static bw_err services(const run *r)
{
    return bw_win_collect_services(r->api, r->snap);
}
static bw_err filters(const run *r)
{
    return bw_win_collect_class_filters(r->api, r->snap);
}
static bw_err roots(const run *r)
{
    return bw_win_collect_vendor_roots(r->api, r->roots, r->snap);
}
static bw_err evidence(const run *r)
{
    return bw_win_collect_evidence(r->api, r->bases_paths, r->snap);
}
static bw_err connections(const run *r)
{
    return bw_win_collect_connections(r->api, r->snap);
}
static bw_err security_center(const run *r)
{
    return bw_win_collect_security_center(r->api, r->snap);
}

static const struct {
    bw_err (*collect)(const run *r);
    unsigned hides;
} collectors[] = {
    {host, 0},
    {uninstall, BW_HIDES_PRODUCT},
    /* Services and drivers; a service's image also vouches for others. */
    {services, BW_HIDES_SERVICES},
    {filters, BW_HIDES_FILTER},
    {roots, BW_HIDES_REGISTRY},
    /* Update evidence decides no finding. */
    {evidence, 0},
    {connections, BW_HIDES_KSN_CONNECTION},
    /* Security Center only informs the containment plan. */
    {security_center, 0},
};

bw_err bw_win_collect_all(const bw_api *api, const bw_strlist *roots_,
                          const bw_strlist *bases_paths, bw_snapshot *snap)
{
    run r = {api, roots_, bases_paths, snap};
    bw_err e = BW_OK;
    for (size_t i = 0; e == BW_OK && i < sizeof collectors / sizeof collectors[0]; i++) {
        snap->gap_hides = collectors[i].hides;
        e = collectors[i].collect(&r);
    }
    snap->gap_hides = BW_HIDES_ALL;
    return e;
}
