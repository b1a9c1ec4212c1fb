/* bw_datadir.c - banwatch's data folder (Win32 layer). */
#include "bw_datadir.h"

#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

#include "bw_winerr.h"
#include "../core/bw_str.h"

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
