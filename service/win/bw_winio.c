/* bw_winio.c - files and console output through the API table (Win32 layer). */
#include "bw_winio.h"
#include "bw_winreg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "../core/bw_str.h"

bw_err bw_win_read_file(const bw_api *api, const char *path, size_t max_bytes,
                        char **out, size_t *out_len, unsigned long *syserr)
{
    *out = NULL;
    *out_len = 0;
    *syserr = 0;
    uint16_t *wpath = NULL;
    bw_err e = bw_utf8_to_utf16(path, &wpath, NULL);
    if (e)
        return e;
    HANDLE h = api->CreateFileW((LPCWSTR)wpath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        *syserr = GetLastError();
        return bw_win_error(*syserr);
    }
    LARGE_INTEGER size;
    char *buf = NULL;
    if (!api->GetFileSizeEx(h, &size)) {
        *syserr = GetLastError();
        e = BW_EIO;
        goto out;
    }
    if (size.QuadPart < 0 || (uint64_t)size.QuadPart > max_bytes) {
        e = BW_ERANGE;
        goto out;
    }
    size_t n = (size_t)size.QuadPart, got = 0;
    buf = malloc(n + 1);
    if (!buf) {
        e = BW_ENOMEM;
        goto out;
    }
    while (got < n) {
        DWORD chunk = 0;
        DWORD want = (DWORD)(n - got > 1u << 20 ? 1u << 20 : n - got);
        if (!api->ReadFile(h, buf + got, want, &chunk, NULL)) {
            *syserr = GetLastError();
            e = BW_EIO;
            goto out;
        }
        if (chunk == 0)
            break; /* the file shrank while we read it */
        got += chunk;
    }
    buf[got] = '\0';
    *out = buf;
    *out_len = got;
    buf = NULL;
out:
    free(buf);
    api->CloseHandle(h);
    return e;
}

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

void bw_win_error_text(unsigned long code, char *buf, size_t len)
{
    bw_win_status st;
    bw_win_status_set(&st, (DWORD)code);
    snprintf(buf, len, "%s", st.reason);
}

bw_err bw_win_data_dir(const bw_api *api, char **out, unsigned long *syserr)
{
    *out = NULL;
    *syserr = 0;
    PWSTR base = NULL;
    HRESULT hr = api->SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base);
    if (FAILED(hr)) {
        *syserr = (unsigned long)hr;
        return BW_ENOTFOUND;
    }
    char *b8 = NULL;
    bw_err e = bw_utf16_to_utf8((const uint16_t *)base, wcslen(base), &b8);
    api->CoTaskMemFree(base);
    if (e)
        return e;
    char *dir = bw_strfmt("%s\\banwatch", b8);
    free(b8);
    uint16_t *w = NULL;
    if (!dir || bw_utf8_to_utf16(dir, &w, NULL) != BW_OK) {
        free(dir);
        return BW_ENOMEM;
    }
    if (!api->CreateDirectoryW((LPCWSTR)w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
        *syserr = GetLastError();
        free(w);
        free(dir);
        return bw_win_error(*syserr);
    }
    free(w);
    *out = dir;
    return BW_OK;
}

bw_err bw_win_policy_load(const bw_api *api, const char *path, bw_policy **out, char *msg,
                          size_t msglen)
{
    *out = NULL;
    if (msglen)
        msg[0] = '\0';
    if (!path)
        return bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "built-in", out,
                               msg, msglen);
    char *text = NULL;
    size_t len = 0;
    unsigned long syserr = 0;
    bw_err e = bw_win_read_file(api, path, BW_POLICY_MAX_BYTES, &text, &len, &syserr);
    if (e == BW_ENOTFOUND)
        return e;
    if (e) {
        char why[128];
        if (e == BW_ERANGE)
            snprintf(why, sizeof why, "larger than %u bytes", BW_POLICY_MAX_BYTES);
        else if (syserr)
            bw_win_error_text(syserr, why, sizeof why);
        else
            snprintf(why, sizeof why, "%s", bw_strerror(e));
        snprintf(msg, msglen, "cannot read %s: %s", path, why);
        return e;
    }
    e = bw_policy_parse(text, len, path, out, msg, msglen);
    free(text);
    return e;
}

int64_t bw_win_now(const bw_api *api)
{
    FILETIME ft;
    api->GetSystemTimeAsFileTime(&ft);
    uint64_t t = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    return (int64_t)(t / 10000000u) - INT64_C(11644473600);
}
