/* bw_dirwatch.c - folder change watches (Win32 layer). */
#include "bw_dirwatch.h"
#include "bw_winreg.h"

#include <stdlib.h>
#include <string.h>

#include "../core/bw_str.h"

#define NOTIFY_BYTES 16384u
#define MAX_SUBDIRS  256u

struct bw_dirwatch {
    const bw_api *api;
    HANDLE dir;
    OVERLAPPED ov;
    char *path;
    uint16_t *wpath;
    DWORD buf[NOTIFY_BYTES / sizeof(DWORD)]; /* DWORD-aligned, as required */
};

static const DWORD notify_filter = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |
                                   FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                                   FILE_NOTIFY_CHANGE_CREATION;

/* Opens each direct subfolder once (see the header: Wine's watch needs it). */
static void touch_subfolders(bw_dirwatch *w)
{
    char *pattern = bw_strfmt("%s\\*", w->path);
    uint16_t *wp = NULL;
    if (!pattern || bw_utf8_to_utf16(pattern, &wp, NULL) != BW_OK) {
        free(pattern);
        return;
    }
    free(pattern);
    WIN32_FIND_DATAW fd;
    HANDLE f = w->api->FindFirstFileW((LPCWSTR)wp, &fd);
    free(wp);
    if (f == INVALID_HANDLE_VALUE)
        return;
    unsigned n = 0;
    do {
        if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || !wcscmp(fd.cFileName, L".") ||
            !wcscmp(fd.cFileName, L".."))
            continue;
        char *name = NULL, *sub = NULL;
        uint16_t *wsub = NULL;
        if (bw_utf16_to_utf8((const uint16_t *)fd.cFileName, MAX_PATH, &name) == BW_OK)
            sub = bw_strfmt("%s\\%s", w->path, name);
        if (sub && bw_utf8_to_utf16(sub, &wsub, NULL) == BW_OK) {
            HANDLE h = w->api->CreateFileW((LPCWSTR)wsub, FILE_LIST_DIRECTORY,
                                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
            if (h != INVALID_HANDLE_VALUE)
                w->api->CloseHandle(h);
        }
        free(wsub);
        free(sub);
        free(name);
    } while (++n < MAX_SUBDIRS && w->api->FindNextFileW(f, &fd));
    w->api->FindClose(f);
}

static bw_err arm(bw_dirwatch *w, unsigned long *syserr)
{
    w->api->ResetEvent(w->ov.hEvent);
    if (!w->api->ReadDirectoryChangesW(w->dir, w->buf, sizeof w->buf, TRUE, notify_filter, NULL,
                                       &w->ov, NULL)) {
        *syserr = GetLastError();
        return BW_ESYS;
    }
    touch_subfolders(w);
    return BW_OK;
}

bw_err bw_dirwatch_open(const bw_api *api, const char *path, bw_dirwatch **out,
                        unsigned long *syserr)
{
    *out = NULL;
    *syserr = 0;
    bw_dirwatch *w = calloc(1, sizeof *w);
    if (!w)
        return BW_ENOMEM;
    w->api = api;
    w->dir = INVALID_HANDLE_VALUE;
    bw_err e = (w->path = bw_strdup(path)) ? bw_utf8_to_utf16(path, &w->wpath, NULL) : BW_ENOMEM;
    if (e)
        goto fail;
    w->dir =
        api->CreateFileW((LPCWSTR)w->wpath, FILE_LIST_DIRECTORY,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
    if (w->dir == INVALID_HANDLE_VALUE) {
        *syserr = GetLastError();
        e = bw_win_error(*syserr);
        goto fail;
    }
    w->ov.hEvent = api->CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!w->ov.hEvent) {
        *syserr = GetLastError();
        e = BW_ESYS;
        goto fail;
    }
    e = arm(w, syserr);
    if (e != BW_OK)
        goto fail;
    *out = w;
    return BW_OK;
fail:
    bw_dirwatch_close(w);
    return e;
}

HANDLE bw_dirwatch_event(const bw_dirwatch *w)
{
    return w->ov.hEvent;
}

const char *bw_dirwatch_path(const bw_dirwatch *w)
{
    return w->path;
}

bw_err bw_dirwatch_rearm(bw_dirwatch *w, unsigned long *syserr)
{
    DWORD got = 0;
    /* The content does not matter: any change means "read the evidence
     * again". An overflowed buffer (got == 0) means the same. */
    w->api->GetOverlappedResult(w->dir, &w->ov, &got, FALSE);
    return arm(w, syserr);
}

void bw_dirwatch_close(bw_dirwatch *w)
{
    if (!w)
        return;
    if (w->dir != INVALID_HANDLE_VALUE) {
        DWORD got = 0;
        if (w->ov.hEvent && w->api->CancelIoEx(w->dir, &w->ov))
            w->api->GetOverlappedResult(w->dir, &w->ov, &got, TRUE);
        w->api->CloseHandle(w->dir);
    }
    if (w->ov.hEvent)
        w->api->CloseHandle(w->ov.hEvent);
    free(w->wpath);
    free(w->path);
    free(w);
}
