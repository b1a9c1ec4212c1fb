/*
 * collect_host.c - the host collector: computer name and time (Win32 layer).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bw_collect.h"
#include "bw_winreg.h"

#define MAX_NAME_UNITS 4096u

/* FILETIME counts 100 ns ticks since 1601-01-01; Unix time starts
 * 11644473600 s later. */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL
#define FILETIME_PER_SECOND 10000000ULL

/* Reads one form of the computer name. BW_OK with a non-empty *out, or a
 * failure with *st set (BW_ENOTFOUND for an empty name). */
static bw_err computer_name(const bw_api *api, COMPUTER_NAME_FORMAT fmt, char **out,
                            bw_win_status *st)
{
    *out = NULL;
    DWORD cap = 256;
    for (int attempt = 0; attempt < 4; attempt++) {
        uint16_t *buf = calloc(cap + 1, sizeof *buf);
        if (!buf)
            return BW_ENOMEM;
        DWORD size = cap;
        if (api->GetComputerNameExW(fmt, (LPWSTR)buf, &size)) {
            if (size > cap) /* never trust a returned length */
                size = cap;
            bw_err err = bw_utf16_to_utf8(buf, size, out);
            free(buf);
            if (err == BW_EENCODING) {
                st->code = 0;
                snprintf(st->reason, sizeof st->reason, "invalid UTF-16");
            } else if (err == BW_OK && !**out) {
                free(*out);
                *out = NULL;
                st->code = 0;
                snprintf(st->reason, sizeof st->reason, "empty name");
                err = BW_ENOTFOUND;
            }
            return err;
        }
        DWORD code = GetLastError();
        free(buf);
        if (code != ERROR_MORE_DATA || size <= cap || size > MAX_NAME_UNITS)
            return bw_win_status_set(st, code);
        cap = size; /* the size asked for, terminator included */
    }
    return bw_win_status_set(st, ERROR_MORE_DATA);
}

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
                              : bw_snapshot_add_gap(snap, "HKLM\\SOFTWARE\\Policies\\Microsoft\\"
                                                          "Windows Defender", "%s", st.reason);
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
    bw_win_status st = {0}, st2 = {0};
    char *name = NULL;
    bw_err err = computer_name(api, ComputerNameDnsHostname, &name, &st);
    if (err != BW_OK && err != BW_ENOMEM)
        err = computer_name(api, ComputerNameNetBIOS, &name, &st2);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK) {
        err = bw_snapshot_add_gap(snap, "computer name", "DNS host name: %s; NetBIOS name: %s",
                                  st.reason, st2.reason);
        if (err != BW_OK)
            return err;
    } else {
        free(snap->host);
        snap->host = name;
    }

    FILETIME ft = {0};
    api->GetSystemTimeAsFileTime(&ft);
    uint64_t ticks = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    snap->taken_at = ticks >= FILETIME_UNIX_EPOCH
                         ? (int64_t)((ticks - FILETIME_UNIX_EPOCH) / FILETIME_PER_SECOND)
                         : -(int64_t)((FILETIME_UNIX_EPOCH - ticks + FILETIME_PER_SECOND - 1) /
                                      FILETIME_PER_SECOND);
    return defender_policy(api, snap);
}
