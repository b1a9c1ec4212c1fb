/* collect_all.c - the list of collectors a scan runs (Win32 layer). */
#include "bw_collect.h"

bw_err bw_win_collect_all(const bw_api *api, const bw_strlist *roots,
                          const bw_strlist *bases_paths, bw_snapshot *snap)
{
    bw_err e = bw_win_collect_host(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_uninstall(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_services(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_class_filters(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_vendor_roots(api, roots, snap);
    if (e == BW_OK)
        e = bw_win_collect_evidence(api, bases_paths, snap);
    if (e == BW_OK)
        e = bw_win_collect_connections(api, snap);
    if (e == BW_OK)
        e = bw_win_collect_security_center(api, snap);
    return e;
}
