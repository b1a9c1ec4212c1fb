/*
 * collect_host.c - the host collector: computer name, time and the
 * Defender policy (Win32 layer).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_collect.h"
#include "../bw_winhost.h"
#include "../bw_winreg.h"

/* Whether Group Policy turns Microsoft Defender Antivirus off. What cannot
 * be read counts as off (containment then does not count on Defender) and
 * is a gap. */
static bw_err defender_policy(const bw_api *api, bw_snapshot *snap)
{
    static const char path[] = "SOFTWARE\\Policies\\Microsoft\\Windows Defender";
    static const char *const names[] = {"DisableAntiSpyware", "DisableAntiVirus"};
    bw_win_status st = {0};
    HKEY key = NULL;
    bw_err e = bw_win_reg_open(api, HKEY_LOCAL_MACHINE, path, KEY_WOW64_64KEY, &key, &st);
    if (e == BW_ENOTFOUND)
        return BW_OK;
    if (e != BW_OK) {
        snap->defender_off = true;
        return e == BW_ENOMEM ? e
                              : bw_snapshot_add_gap(snap,
                                                    "HKLM\\SOFTWARE\\Policies\\Microsoft\\"
                                                    "Windows Defender",
                                                    "%s", st.reason);
    }
    for (size_t i = 0; i < 2 && e == BW_OK; i++) {
        uint32_t v = 0;
        bw_err r = bw_win_reg_dword(api, key, names[i], &v, &st);
        if (r == BW_OK && v == 1)
            snap->defender_off = true;
        else if (r == BW_ENOMEM)
            e = r;
        else if (r != BW_OK && r != BW_ENOTFOUND) {
            snap->defender_off = true;
            e = bw_snapshot_add_gap(snap, "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender",
                                    "%s: %s", names[i], st.reason);
        }
    }
    bw_win_reg_close(api, key);
    return e;
}

bw_err bw_win_collect_host(const bw_api *api, bw_snapshot *snap)
{
    char *name = NULL, why[256];
    bw_err err = bw_win_host_name(api, &name, why, sizeof why);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK) {
        err = bw_snapshot_add_gap(snap, "computer name", "%s", why);
        if (err != BW_OK)
            return err;
    } else {
        free(snap->host);
        snap->host = name;
    }
    snap->taken_at = bw_win_now(api);
    return defender_policy(api, snap);
}
