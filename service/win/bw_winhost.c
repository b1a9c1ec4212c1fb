/* bw_winhost.c - the machine's clock and name (Win32 layer). */
#include "bw_winhost.h"

#include <stdio.h>
#include <stdlib.h>

#include "bw_winerr.h"
#include "../core/bw_str.h"

#define MAX_NAME_UNITS 4096u

/* FILETIME counts 100 ns ticks since 1601-01-01; Unix time starts
 * 11644473600 s later. */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL
#define FILETIME_PER_SECOND 10000000ULL

int64_t bw_win_now(const bw_api *api)
{
    FILETIME ft = {0};
    api->GetSystemTimeAsFileTime(&ft);
    uint64_t ticks = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
    return ticks >= FILETIME_UNIX_EPOCH
               ? (int64_t)((ticks - FILETIME_UNIX_EPOCH) / FILETIME_PER_SECOND)
               : -(int64_t)((FILETIME_UNIX_EPOCH - ticks + FILETIME_PER_SECOND - 1) /
                            FILETIME_PER_SECOND);
}

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

bw_err bw_win_host_name(const bw_api *api, char **out, char *why, size_t whylen)
{
    bw_win_status st = {0}, st2 = {0};
    *out = NULL;
    if (whylen)
        why[0] = '\0';
    bw_err err = computer_name(api, ComputerNameDnsHostname, out, &st);
    if (err != BW_OK && err != BW_ENOMEM)
        err = computer_name(api, ComputerNameNetBIOS, out, &st2);
    if (err != BW_OK && err != BW_ENOMEM)
        snprintf(why, whylen, "DNS host name: %s; NetBIOS name: %s", st.reason, st2.reason);
    return err;
}
