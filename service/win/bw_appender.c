/* bw_appender.c - append-only files with rotation (Win32 layer). */
#include "bw_appender.h"

#include <stdlib.h>
#include <string.h>

#include "bw_winfile.h"
#include "bw_winreg.h"
#include "../core/bw_str.h"

struct bw_appender {
    const bw_api *api;
    HANDLE h;
    uint16_t *path; /* UTF-16 path */
    char *path8;    /* UTF-8 path, for rotated names */
    size_t max_bytes;
    unsigned keep;
    uint64_t size;
    bool torn; /* the file does not end with a newline: start the next line on a new one */
    /* A failure in progress: its Win32 error (0: writing works) and the
     * lines lost since it began; told once each way. */
    unsigned long failing;
    unsigned long lost;
    bw_appender_trouble_fn trouble;
    void *ctx;
};

/* Whether the file at path (UTF-8) ends inside a line: a write cut short
 * (the process killed, the disk full). */
static bool ends_torn(const bw_api *api, const char *path)
{
    bw_win_file f;
    bool torn =
        bw_win_file_read_tail(api, path, 1, &f) == BW_OK && f.len == 1 && f.data[0] != '\n';
    free(f.data);
    return torn;
}

static bw_err open_handle(bw_appender *a, unsigned long *syserr)
{
    a->h = a->api->CreateFileW((LPCWSTR)a->path, FILE_APPEND_DATA,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (a->h == INVALID_HANDLE_VALUE) {
        *syserr = GetLastError();
        return bw_win_error(*syserr);
    }
    LARGE_INTEGER sz;
    a->size = a->api->GetFileSizeEx(a->h, &sz) && sz.QuadPart > 0 ? (uint64_t)sz.QuadPart : 0;
    a->torn = a->size > 0 && ends_torn(a->api, a->path8);
    return BW_OK;
}

/* Moves "<path>.<from>" to "<path>.<to>" (from 0 = the live file). */
static void shift(bw_appender *a, unsigned from, unsigned to)
{
    char *src = from ? bw_strfmt("%s.%u", a->path8, from) : bw_strdup(a->path8);
    char *dst = bw_strfmt("%s.%u", a->path8, to);
    uint16_t *ws = NULL, *wd = NULL;
    if (src && dst && bw_utf8_to_utf16(src, &ws, NULL) == BW_OK &&
        bw_utf8_to_utf16(dst, &wd, NULL) == BW_OK)
        a->api->MoveFileExW((LPCWSTR)ws, (LPCWSTR)wd, MOVEFILE_REPLACE_EXISTING);
    free(ws);
    free(wd);
    free(src);
    free(dst);
}

static void rotate(bw_appender *a)
{
    unsigned long ignored = 0;
    a->api->CloseHandle(a->h);
    a->h = INVALID_HANDLE_VALUE;
    for (unsigned i = a->keep; i > 1; i--)
        shift(a, i - 1, i);
    if (a->keep)
        shift(a, 0, 1);
    else
        a->api->DeleteFileW((LPCWSTR)a->path);
    open_handle(a, &ignored);
}

bw_err bw_appender_open(const bw_api *api, const char *path, size_t max_bytes, unsigned keep,
                        bw_appender **out, unsigned long *syserr)
{
    *out = NULL;
    *syserr = 0;
    bw_appender *a = calloc(1, sizeof *a);
    if (!a)
        return BW_ENOMEM;
    a->api = api;
    a->h = INVALID_HANDLE_VALUE;
    a->max_bytes = max_bytes;
    a->keep = keep;
    a->path8 = bw_strdup(path);
    bw_err e = a->path8 ? bw_utf8_to_utf16(path, &a->path, NULL) : BW_ENOMEM;
    if (!e)
        e = open_handle(a, syserr);
    if (e) {
        bw_appender_close(a);
        return e;
    }
    *out = a;
    return BW_OK;
}

/* Writes all len bytes; on failure *written says how many went and *err
 * the Win32 error. */
static bool write_all(bw_appender *a, const char *p, size_t len, size_t *written,
                      unsigned long *err)
{
    DWORD done = 0;
    *written = 0;
    for (size_t off = 0; off < len; off += done) {
        DWORD want = (DWORD)(len - off > (1u << 20) ? (1u << 20) : len - off);
        done = 0;
        if (!a->api->WriteFile(a->h, p + off, want, &done, NULL) || done == 0) {
            *err = GetLastError();
            if (!*err)
                *err = ERROR_WRITE_FAULT;
            if (done > want)
                done = want;
            *written += done;
            return false;
        }
        if (done > want)
            done = want;
        *written += done;
    }
    return true;
}

/* A write that failed with err: counted, and told when it is the first. */
static bw_err failed(bw_appender *a, unsigned long err)
{
    a->lost++;
    if (a->failing)
        return BW_EIO;
    a->failing = err;
    bw_appender_trouble t = {.path = a->path8, .error = err};
    if (a->trouble)
        a->trouble(a->ctx, &t);
    return BW_EIO;
}

bw_err bw_appender_write(bw_appender *a, const char *line, size_t len)
{
    if (a->size > 0 && a->size + len > a->max_bytes)
        rotate(a);
    unsigned long err = 0;
    if (a->h == INVALID_HANDLE_VALUE && open_handle(a, &err) != BW_OK)
        return failed(a, err ? err : ERROR_INVALID_HANDLE);
    size_t n = 0;
    if (a->torn) {
        if (!write_all(a, "\n", 1, &n, &err))
            return failed(a, err);
        a->size += n;
        a->torn = false;
    }
    bool ok = write_all(a, line, len, &n, &err);
    a->size += n;
    if (n > 0 && line[n - 1] != '\n')
        a->torn = true;
    if (!ok)
        return failed(a, err);
    if (a->failing) {
        bw_appender_trouble t = {.path = a->path8, .lost = a->lost};
        a->failing = 0;
        a->lost = 0;
        if (a->trouble)
            a->trouble(a->ctx, &t);
    }
    return BW_OK;
}

void bw_appender_on_trouble(bw_appender *a, bw_appender_trouble_fn fn, void *ctx)
{
    a->trouble = fn;
    a->ctx = ctx;
}

bw_err bw_appender_tail(bw_appender *a, size_t max, bw_buf *out)
{
    bw_win_file live, older = {0};
    bw_err e = bw_win_file_read_tail(a->api, a->path8, max, &live);
    if (e == BW_ENOTFOUND) {
        memset(&live, 0, sizeof live);
        e = BW_OK;
    }
    if (e)
        return e;
    if (live.len < max && a->keep) {
        /* the end of the last rotation comes before */
        char *p1 = bw_strfmt("%s.1", a->path8);
        e = p1 ? bw_win_file_read_tail(a->api, p1, max - live.len, &older) : BW_ENOMEM;
        free(p1);
        if (e == BW_ENOTFOUND)
            e = BW_OK;
    }
    if (!e && older.len)
        e = bw_buf_append(out, older.data, older.len);
    if (!e && live.len)
        e = bw_buf_append(out, live.data, live.len);
    free(live.data);
    free(older.data);
    return e;
}

void bw_appender_close(bw_appender *a)
{
    if (!a)
        return;
    if (a->h != INVALID_HANDLE_VALUE)
        a->api->CloseHandle(a->h);
    free(a->path);
    free(a->path8);
    free(a);
}
