/*
 * bw_contain.c - containment decisions (portable core): the plan of which
 * services and drivers may be stopped and disabled, and whether another
 * anti-virus would remain. See bw_contain.h.
 */
#include "bw_contain.h"

#include <stdlib.h>
#include <string.h>

#include "bw_str.h"

const char *bw_contain_decision_name(bw_contain_decision d)
{
    switch (d) {
    case BW_CONTAIN_ACT: return "act";
    case BW_CONTAIN_SKIP_ALLOWLIST: return "allowlisted";
    case BW_CONTAIN_SKIP_NOT_ONLY: return "not-in-only";
    case BW_CONTAIN_SKIP_DRIVER: return "driver-not-included";
    case BW_CONTAIN_SKIP_NOT_SCM: return "not-in-scm";
    case BW_CONTAIN_SKIP_USER_WRITABLE: return "user-writable";
    case BW_CONTAIN_SKIP_BUILTIN: return "never-touched";
    }
    return "unknown";
}

static const char *const outcome_names[BW_CONTAIN_OUTCOMES] = {
    "would-disable", "disabled", "stopped", "blocked", "failed", "restored", "held"};

const char *bw_contain_outcome_name(bw_contain_outcome o)
{
    return (unsigned)o < BW_CONTAIN_OUTCOMES ? outcome_names[o] : "unknown";
}

bool bw_contain_outcome_parse(const char *name, bw_contain_outcome *out)
{
    for (int i = 0; name && i < BW_CONTAIN_OUTCOMES; i++)
        if (!strcmp(name, outcome_names[i])) {
            *out = (bw_contain_outcome)i;
            return true;
        }
    return false;
}

const char *bw_start_type_shown(uint32_t start, bool delayed)
{
    static const char *const names[] = {"boot", "system", "automatic", "manual", "disabled"};
    if (delayed && start == BW_START_AUTO)
        return "delayed-automatic";
    return start <= BW_START_DISABLED ? names[start] : "unknown";
}

const char *bw_start_type_name(uint32_t start)
{
    return bw_start_type_shown(start, false);
}

const char *bw_service_state_name(uint32_t state)
{
    static const char *const names[] = {"unknown",       "stopped", "start-pending",
                                        "stop-pending",  "running", "continue-pending",
                                        "pause-pending", "paused"};
    return state <= BW_STATE_PAUSED ? names[state] : "unknown";
}

void bw_contain_plan_free(bw_contain_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        free(p->items[i].display_name);
    }
    free(p->items);
    free(p->other_av_text);
    memset(p, 0, sizeof *p);
}

static bool any_glob(const bw_strlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (bw_glob(l->items[i], name))
            return true;
    return false;
}

static bool is_driver_type(const bw_service_entry *s)
{
    return s && s->has_type && (s->type & BW_SVC_DRIVER_MASK) && !(s->type & ~BW_SVC_DRIVER_MASK);
}

/* The built-in list: banwatch, Windows security, and what Windows needs to
 * run and boot. */
static const char *const never_touch[] = {
    BW_SELF_SERVICE,
    /* Microsoft Defender Antivirus, its network inspection, its drivers */
    "WinDefend", "WdNisSvc", "WdNisDrv", "WdFilter", "WdBoot", "MsMpSvc", "MDCoreSvc",
    /* Defender for Endpoint, Security Center, Windows Security */
    "Sense", "wscsvc", "SecurityHealthService", "SgrmBroker", "webthreatdefsvc",
    /* the firewall and the filtering engine */
    "mpssvc", "mpsdrv", "BFE",
    /* the core of Windows: RPC, COM, logons, the Event Log, devices, WMI,
     * cryptography, policy, updates and installs */
    "RpcSs", "RpcEptMapper", "DcomLaunch", "LSM", "SamSs", "KeyIso", "EventLog", "PlugPlay",
    "Power", "BrokerInfrastructure", "Winmgmt", "CryptSvc", "gpsvc", "ProfSvc", "Schedule",
    "TrustedInstaller", "msiserver", "wuauserv", "Dnscache", "nsi", "Dhcp", "LanmanWorkstation",
    "AppIDSvc", "VaultSvc", "SystemEventsBroker", "CoreMessagingRegistrar", "UserManager",
    /* drivers Windows cannot boot, read its disks or reach the network
     * without, and the filter manager every file-system filter needs */
    "FltMgr", "Ntfs", "ReFS", "volmgr", "volmgrx", "volsnap", "partmgr", "disk", "storport",
    "stornvme", "storahci", "iaStorV", "pci", "acpi", "ACPIEx", "msisadrv", "vdrvroot",
    "mountmgr", "Wof", "FileInfo", "FileCrypt", "CLFS", "CNG", "KSecDD", "KSecPkg", "Tcpip",
    "Tcpip6", "AFD", "NDIS", "NetBT", "CI"};

bool bw_contain_never_touch(const char *name)
{
    for (size_t i = 0; name && i < sizeof never_touch / sizeof never_touch[0]; i++)
        if (bw_ieq(never_touch[i], name))
            return true;
    return false;
}

static bw_contain_decision decide(const bw_policy *pol, const bw_finding *f, bool driver,
                                  const bw_service_entry *svc)
{
    if (!svc || !svc->in_scm)
        return BW_CONTAIN_SKIP_NOT_SCM;
    if (bw_contain_never_touch(f->name))
        return BW_CONTAIN_SKIP_BUILTIN;
    /* What any user could have planted never drives containment. */
    if (f->user_writable)
        return BW_CONTAIN_SKIP_USER_WRITABLE;
    if (any_glob(&pol->contain_allowlist, f->name))
        return BW_CONTAIN_SKIP_ALLOWLIST;
    if (driver && !any_glob(&pol->contain_drivers, f->name))
        return BW_CONTAIN_SKIP_DRIVER;
    if (pol->contain_only.n && !any_glob(&pol->contain_only, f->name))
        return BW_CONTAIN_SKIP_NOT_ONLY;
    return BW_CONTAIN_ACT;
}

/* True if `name` is one of the vendor's own services or drivers. */
static bool vendor_owned(const bw_findings *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        if ((x->kind == BW_KIND_SERVICE || x->kind == BW_KIND_DRIVER || x->kind == BW_KIND_KSN) &&
            bw_ieq(x->name, name))
            return true;
    }
    return false;
}

/* True if a product name is the vendor's: it contains one of the policy's
 * markers or matches one of its product patterns. */
static bool vendor_named(const bw_policy *pol, const char *name)
{
    for (size_t i = 0; i < pol->markers.n; i++)
        if (bw_icontains(name, pol->markers.items[i]))
            return true;
    return any_glob(&pol->products, name);
}

/* Looks for another anti-virus: sets p->other_av and p->other_av_text. */
static bw_err other_antivirus(const bw_snapshot *snap, const bw_policy *pol, const bw_findings *f,
                              bw_contain_plan *p)
{
    bw_buf why = {0}; /* why each candidate does not count */
    for (size_t i = 0; i < snap->n_services; i++) {
        const bw_service_entry *s = &snap->services[i];
        if (!any_glob(&pol->contain_av_services, s->name) || vendor_owned(f, s->name))
            continue;
        const char *no = NULL;
        if (!s->has_start)
            no = "has no start type";
        else if (s->start == BW_START_DISABLED)
            no = "is disabled (Start 4)";
        else if (bw_ieq(s->name, "WinDefend") && snap->defender_off)
            no = "is turned off by Group Policy (or its policy could not be read)";
        if (no) {
            bw_buf_printf(&why, "%s%s %s", why.len ? "; " : "", s->name, no);
            continue;
        }
        p->other_av = true;
        bw_buf out = {0};
        bw_buf_printf(&out, "%s", s->name);
        if (s->display_name)
            bw_buf_printf(&out, " (%s)", s->display_name);
        bw_buf_printf(&out, ", %s start, %s", bw_start_type_name(s->start),
                      bw_service_state_name(s->state));
        bw_buf_free(&why);
        if (out.failed)
            return BW_ENOMEM;
        p->other_av_text = bw_buf_take(&out);
        return BW_OK;
    }
    /* Security Center: a product of another vendor that is on. */
    for (size_t i = 0; i < snap->n_av; i++) {
        const bw_av_entry *av = &snap->av[i];
        if (!av->name || vendor_named(pol, av->name))
            continue;
        if (av->state != BW_AV_ON) {
            bw_buf_printf(&why, "%sSecurity Center: %s is %s", why.len ? "; " : "", av->name,
                          bw_av_state_name(av->state));
            continue;
        }
        bw_buf_free(&why);
        p->other_av = true;
        p->other_av_text = bw_strfmt("Security Center: %s (on)", av->name);
        return p->other_av_text ? BW_OK : BW_ENOMEM;
    }
    bw_buf out = {0};
    bw_buf_printf(&out, "none");
    if (why.len)
        bw_buf_printf(&out, ": %s", why.data);
    else
        bw_buf_puts(&out, ": no service of containment.antivirus_services is installed");
    if (!snap->av_center)
        bw_buf_puts(&out, " (Security Center not available)");
    bool failed = why.failed || out.failed;
    bw_buf_free(&why);
    if (failed) {
        bw_buf_free(&out);
        return BW_ENOMEM;
    }
    p->other_av_text = bw_buf_take(&out);
    return BW_OK;
}

bool bw_contain_held(const bw_contain_plan *p, const bw_contain_target *t)
{
    return p->hold && !t->non_protecting;
}

bw_err bw_contain_plan_make(const bw_snapshot *snap, const bw_policy *pol, const bw_findings *f,
                            bw_contain_plan *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < f->n; i++) {
        const bw_finding *x = &f->items[i];
        if (x->kind != BW_KIND_SERVICE && x->kind != BW_KIND_DRIVER && x->kind != BW_KIND_KSN)
            continue;
        const bw_service_entry *svc = bw_snapshot_find_service(snap, x->name);
        bool driver = x->kind == BW_KIND_DRIVER || is_driver_type(svc);
        bool dup = false;
        for (size_t j = 0; j < out->n && !dup; j++)
            dup = bw_ieq(out->items[j].name, x->name);
        if (dup)
            continue;
        if (bw_grow(&out->items, &out->cap, out->n, sizeof *out->items) != BW_OK)
            goto nomem;
        bw_contain_target *t = &out->items[out->n];
        memset(t, 0, sizeof *t);
        t->name = bw_strdup(x->name);
        t->display_name = x->display_name ? bw_strdup(x->display_name) : NULL;
        out->n++;
        if (!t->name || (x->display_name && !t->display_name))
            goto nomem;
        t->driver = driver;
        t->non_protecting = any_glob(&pol->contain_non_protecting, x->name);
        t->decision = decide(pol, x, driver, svc);
        if (svc) {
            t->has_start = svc->has_start;
            t->start = svc->start;
            t->state = svc->state;
        }
        if (t->decision == BW_CONTAIN_ACT) {
            out->n_act++;
            out->n_protect += !t->non_protecting;
        }
    }
    if (other_antivirus(snap, pol, f, out) != BW_OK)
        goto nomem;
    out->hold = !out->other_av && !pol->contain_allow_unprotected;
    return BW_OK;
nomem:
    bw_contain_plan_free(out);
    return BW_ENOMEM;
}
