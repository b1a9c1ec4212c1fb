/* bw_winfile.c - reading a file, or its end, through the API table (Win32 layer). */
#include "bw_winfile.h"

#include <stdlib.h>
#include <string.h>

#include "bw_winerr.h"
#include "../core/bw_str.h"

#define READ_CHUNK (1u << 20)

/* Reads the file, or with `tail` its last max_bytes (the whole file when
 * it is smaller). */
static bw_err read_file(const bw_api *api, const char *path, size_t max_bytes, bool tail,
                        bw_win_file *out)
{
    memset(out, 0, sizeof *out);
    uint16_t *wpath = NULL;
    bw_err e = bw_utf8_to_utf16(path, &wpath, NULL);
    if (e)
        return e;
    HANDLE h = api->CreateFileW((LPCWSTR)wpath, GENERIC_READ,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                                OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        out->code = GetLastError();
        return bw_win_error(out->code);
    }
    LARGE_INTEGER size;
    char *buf = NULL;
    if (!api->GetFileSizeEx(h, &size)) {
        out->code = GetLastError();
        e = bw_win_error(out->code);
        goto done;
    }
    out->size = size.QuadPart < 0 ? UINT64_MAX : (uint64_t)size.QuadPart;
    if (out->size > max_bytes && !tail) {
        e = BW_ERANGE;
        goto done;
    }
    if (out->size > max_bytes) {
        LARGE_INTEGER at = {.QuadPart = (LONGLONG)(out->size - max_bytes)};
        if (!api->SetFilePointerEx(h, at, NULL, FILE_BEGIN)) {
            out->code = GetLastError();
            e = bw_win_error(out->code);
            goto done;
        }
    }
    size_t n = out->size > max_bytes ? max_bytes : (size_t)out->size, got = 0;
    buf = malloc(n + 1);
    if (!buf) {
        e = BW_ENOMEM;
        goto done;
    }
    while (got < n) { /* a file that shrinks ends early; one that grows is cut */
        DWORD chunk = 0;
        DWORD want = (DWORD)(n - got > READ_CHUNK ? READ_CHUNK : n - got);
        if (!api->ReadFile(h, buf + got, want, &chunk, NULL)) {
            out->code = GetLastError();
            e = bw_win_error(out->code);
            goto done;
        }
        if (chunk == 0)
            break;
        if (chunk > want) /* never trust a returned length */
            chunk = want;
        got += chunk;
    }
    buf[got] = '\0';
    out->data = buf;
    out->len = got;
    buf = NULL;
done:
    free(buf);
    api->CloseHandle(h);
    return e;
}

bw_err bw_win_file_read(const bw_api *api, const char *path, size_t max_bytes, bw_win_file *out)
{
    return read_file(api, path, max_bytes, false, out);
}

bw_err bw_win_file_read_tail(const bw_api *api, const char *path, size_t max_bytes,
                             bw_win_file *out)
{
    return read_file(api, path, max_bytes, true, out);
}
