/*
 * bench_scan.c - banwatch's product and service collectors, timed in one
 * process (a benchmark tool, linked to the Win32 layer; tests/bench/run.sh
 * sets it against floor.exe, which reads the same values).
 *
 *   bench_scan.exe [--calls]
 *   bench_scan.exe --each
 *   bench_scan.exe --memory
 *   bench_scan.exe --all
 *
 * Runs bw_win_collect_uninstall, then bw_win_collect_services, each on a
 * fresh snapshot, through the real API table. Prints "banwatch
 * uninstall_ms=U services_ms=S total_ms=T entries=N services=M gaps=G";
 * with --calls the registry calls are counted (through a copy of the table
 * whose registry entries count, which costs a little time) and printed per
 * entry as "calls ...". --each times the built-in policy's loading, every
 * collector of a scan in the order a scan runs them, the judgement and the
 * JSON report, one line each. --memory prints the process's working set
 * (and its peak) before a whole collection, after it, and after the
 * snapshot is freed: what a scan holds, and what it gives back. --all
 * times one whole collection as a scan runs it.
 */
#include <stdio.h>
#include <string.h>

#include "bw_api.h"
#include <psapi.h>

#include "bw_policyload.h"
#include "collect/bw_collect.h"
#include "../core/bw_judge.h"
#include "../core/bw_report.h"

static bw_api counting;
static unsigned long n_open, n_close, n_enum, n_query, n_info;

static LSTATUS WINAPI c_open(HKEY k, LPCWSTR p, DWORD o, REGSAM s, PHKEY out)
{
    n_open++;
    return bw_api_system.RegOpenKeyExW(k, p, o, s, out);
}
static LSTATUS WINAPI c_close(HKEY k)
{
    n_close++;
    return bw_api_system.RegCloseKey(k);
}
static LSTATUS WINAPI c_enum(HKEY k, DWORD i, LPWSTR n, LPDWORD l, LPDWORD r, LPWSTR c,
                             LPDWORD cl, PFILETIME t)
{
    n_enum++;
    return bw_api_system.RegEnumKeyExW(k, i, n, l, r, c, cl, t);
}
static LSTATUS WINAPI c_query(HKEY k, LPCWSTR n, LPDWORD r, LPDWORD t, LPBYTE d, LPDWORD cb)
{
    n_query++;
    return bw_api_system.RegQueryValueExW(k, n, r, t, d, cb);
}
static LSTATUS WINAPI c_info(HKEY k, LPWSTR a, LPDWORD b, LPDWORD c, LPDWORD d, LPDWORD e,
                             LPDWORD f, LPDWORD g, LPDWORD h, LPDWORD i, LPDWORD j, PFILETIME l)
{
    n_info++;
    return bw_api_system.RegQueryInfoKeyW(k, a, b, c, d, e, f, g, h, i, j, l);
}

static double ms_since(LARGE_INTEGER t0, LARGE_INTEGER f)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return (double)(t.QuadPart - t0.QuadPart) * 1000.0 / (double)f.QuadPart;
}

static void calls(const char *what, unsigned long n)
{
    double d = n ? (double)n : 1.0;
    printf("calls %s per entry: open %.2f close %.2f enum %.2f query %.2f info %.2f\n", what,
           (double)n_open / d, (double)n_close / d, (double)n_enum / d, (double)n_query / d,
           (double)n_info / d);
    n_open = n_close = n_enum = n_query = n_info = 0;
}

/* Times the policy and each collector of a scan (collect_all.c's order). */
static int each(const bw_api *api, LARGE_INTEGER f)
{
    LARGE_INTEGER t0;
    char msg[512];
    bw_policy *pol = NULL;
    QueryPerformanceCounter(&t0);
    if (bw_win_policy_load(api, NULL, &pol, msg, sizeof msg) != BW_OK)
        return 2;
    printf("each policy_ms=%.2f\n", ms_since(t0, f));
    bw_snapshot *snap = bw_snapshot_new();
    if (!snap)
        return 2;
    bw_err e = BW_OK;
#define TIME(name, call)          \
    QueryPerformanceCounter(&t0); \
    e = e == BW_OK ? (call) : e;  \
    printf("each %s_ms=%.2f\n", name, ms_since(t0, f))
    TIME("host", bw_win_collect_host(api, snap));
    TIME("uninstall", bw_win_collect_uninstall(api, snap));
    TIME("services", bw_win_collect_services(api, snap));
    TIME("filters", bw_win_collect_class_filters(api, snap));
    TIME("vendor_roots", bw_win_collect_vendor_roots(api, &pol->registry_roots, snap));
    TIME("evidence", bw_win_collect_evidence(api, &pol->bases_paths, snap));
    TIME("connections", bw_win_collect_connections(api, snap));
    TIME("security_center", bw_win_collect_security_center(api, snap));
#undef TIME
    bw_judgement j = {0};
    bw_buf report = {0};
    QueryPerformanceCounter(&t0);
    if (e == BW_OK)
        e = bw_judge(snap, pol, snap->taken_at, BW_MODE_AUDIT, &j);
    printf("each judge_ms=%.2f\n", ms_since(t0, f));
    QueryPerformanceCounter(&t0);
    if (e == BW_OK)
        e = bw_report_json(snap, pol, &j, "policy", &report);
    printf("each report_ms=%.2f bytes=%lu\n", ms_since(t0, f), (unsigned long)report.len);
    bw_buf_free(&report);
    bw_judgement_free(&j);
    bw_snapshot_free(snap);
    bw_policy_free(pol);
    return e == BW_OK ? 0 : 2;
}

static void working_set(const char *when)
{
    PROCESS_MEMORY_COUNTERS m = {.cb = sizeof m};
    GetProcessMemoryInfo(GetCurrentProcess(), &m, sizeof m);
    printf("memory %s working_set_kb=%lu peak_kb=%lu\n", when,
           (unsigned long)(m.WorkingSetSize / 1024),
           (unsigned long)(m.PeakWorkingSetSize / 1024));
}

/* One whole collection, as a scan runs it (bw_win_collect_all). */
static int all(const bw_api *api, LARGE_INTEGER f)
{
    char msg[512];
    bw_policy *pol = NULL;
    if (bw_win_policy_load(api, NULL, &pol, msg, sizeof msg) != BW_OK)
        return 2;
    bw_snapshot *snap = bw_snapshot_new();
    LARGE_INTEGER t0;
    QueryPerformanceCounter(&t0);
    if (!snap || bw_win_collect_all(api, &pol->registry_roots, &pol->bases_paths, snap))
        return 2;
    printf("all collect_ms=%.2f\n", ms_since(t0, f));
    bw_snapshot_free(snap);
    bw_policy_free(pol);
    return 0;
}

/* Collects everything once, as a scan does, and frees it. */
static int memory(const bw_api *api)
{
    char msg[512];
    bw_policy *pol = NULL;
    if (bw_win_policy_load(api, NULL, &pol, msg, sizeof msg) != BW_OK)
        return 2;
    for (int round = 0; round < 2; round++) {
        working_set("before");
        bw_snapshot *snap = bw_snapshot_new();
        if (!snap || bw_win_collect_all(api, &pol->registry_roots, &pol->bases_paths, snap))
            return 2;
        working_set("collected");
        bw_judgement j = {0};
        if (bw_judge(snap, pol, snap->taken_at, BW_MODE_AUDIT, &j) != BW_OK)
            return 2;
        working_set("judged");
        bw_judgement_free(&j);
        bw_snapshot_free(snap);
        working_set("freed");
    }
    bw_policy_free(pol);
    return 0;
}

int main(int argc, char **argv)
{
    const bw_api *api = &bw_api_system;
    bool count = argc > 1 && strcmp(argv[1], "--calls") == 0;
    if (count) {
        counting = bw_api_system;
        counting.RegOpenKeyExW = c_open;
        counting.RegCloseKey = c_close;
        counting.RegEnumKeyExW = c_enum;
        counting.RegQueryValueExW = c_query;
        counting.RegQueryInfoKeyW = c_info;
        api = &counting;
    }
    LARGE_INTEGER f, t0;
    QueryPerformanceFrequency(&f);
    if (argc > 1 && strcmp(argv[1], "--each") == 0)
        return each(api, f);
    if (argc > 1 && strcmp(argv[1], "--memory") == 0)
        return memory(api);
    if (argc > 1 && strcmp(argv[1], "--all") == 0)
        return all(api, f);
    bw_snapshot *u = bw_snapshot_new(), *s = bw_snapshot_new();
    if (!u || !s)
        return 2;
    QueryPerformanceCounter(&t0);
    if (bw_win_collect_uninstall(api, u) != BW_OK)
        return 2;
    double tu = ms_since(t0, f);
    if (count)
        calls("uninstall", (unsigned long)u->n_products);
    QueryPerformanceCounter(&t0);
    if (bw_win_collect_services(api, s) != BW_OK)
        return 2;
    double ts = ms_since(t0, f);
    if (count)
        calls("services", (unsigned long)s->n_services);
    printf("banwatch uninstall_ms=%.2f services_ms=%.2f total_ms=%.2f entries=%lu services=%lu "
           "gaps=%lu\n",
           tu, ts, tu + ts, (unsigned long)u->n_products, (unsigned long)s->n_services,
           (unsigned long)(u->n_gaps + s->n_gaps));
    bw_snapshot_free(u);
    bw_snapshot_free(s);
    return 0;
}
