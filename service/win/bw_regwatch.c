/* bw_regwatch.c - registry change watches (Win32 layer). */
#include "bw_regwatch.h"
#include "bw_winreg.h"

#include <stdlib.h>

struct bw_regwatch {
    const bw_api *api;
    HKEY key;
    HANDLE event;
};

bw_err bw_regwatch_rearm(bw_regwatch *w, unsigned long *syserr)
{
    LSTATUS rc = w->api->RegNotifyChangeKeyValue(
        w->key, TRUE, REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET, w->event, TRUE);
    *syserr = (unsigned long)rc;
    return rc == ERROR_SUCCESS ? BW_OK : BW_ESYS;
}

bw_err bw_regwatch_open(const bw_api *api, const wchar_t *path, REGSAM view, bw_regwatch **out,
                        unsigned long *syserr)
{
    *out = NULL;
    *syserr = 0;
    bw_regwatch *w = calloc(1, sizeof *w);
    if (!w)
        return BW_ENOMEM;
    w->api = api;
    LSTATUS rc = api->RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_NOTIFY | view, &w->key);
    if (rc != ERROR_SUCCESS) {
        *syserr = (unsigned long)rc;
        free(w);
        return bw_win_error((DWORD)rc);
    }
    w->event = api->CreateEventW(NULL, FALSE, FALSE, NULL);
    bw_err e = w->event ? bw_regwatch_rearm(w, syserr) : BW_ESYS;
    if (!w->event)
        *syserr = GetLastError();
    if (e) {
        bw_regwatch_close(w);
        return e;
    }
    *out = w;
    return BW_OK;
}

HANDLE bw_regwatch_event(const bw_regwatch *w)
{
    return w->event;
}

void bw_regwatch_close(bw_regwatch *w)
{
    if (!w)
        return;
    if (w->key)
        w->api->RegCloseKey(w->key);
    if (w->event)
        w->api->CloseHandle(w->event);
    free(w);
}
