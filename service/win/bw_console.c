/* bw_console.c - writing to the standard streams (Win32 layer). */
#include "bw_console.h"

#include <stdint.h>
#include <stdlib.h>

#include "../core/bw_str.h"

bw_err bw_win_write_std(const bw_api *api, unsigned long which, const char *text, size_t len)
{
    HANDLE h = api->GetStdHandle((DWORD)which);
    if (h == NULL || h == INVALID_HANDLE_VALUE)
        return BW_EIO;
    if (api->GetFileType(h) == FILE_TYPE_CHAR) {
        char *copy = bw_strndup(text, len);
        uint16_t *w = NULL;
        size_t wlen = 0;
        bw_err e = copy ? bw_utf8_to_utf16(copy, &w, &wlen) : BW_ENOMEM;
        free(copy);
        if (!e) {
            DWORD done = 0;
            for (size_t off = 0; off < wlen; off += done) {
                DWORD want = (DWORD)(wlen - off > 8192 ? 8192 : wlen - off);
                if (!api->WriteConsoleW(h, w + off, want, &done, NULL) || done == 0) {
                    e = BW_EIO;
                    break;
                }
            }
        }
        free(w);
        if (e != BW_EIO)
            return e;
        /* Not a real console after all (redirected by a host): bytes. */
    }
    DWORD done = 0;
    for (size_t off = 0; off < len; off += done) {
        DWORD want = (DWORD)(len - off > (1u << 20) ? (1u << 20) : len - off);
        if (!api->WriteFile(h, text + off, want, &done, NULL) || done == 0)
            return BW_EIO;
    }
    return BW_OK;
}
