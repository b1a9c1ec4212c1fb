/* bw_datadir.c - banwatch's data folder, locked down (Win32 layer). See
 * bw_datadir.h for what is done to a folder that is not safe. */
#include "bw_datadir.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bw_winerr.h"
#include "bw_winhost.h"
#include "bw_winreg.h"
#include "bw_winsec.h"
#include "../core/bw_gpo.h"
#include "../core/bw_str.h"

/* Attempts to create the folder when it keeps reappearing under us. */
#define CREATE_ATTEMPTS 3

const char *bw_datadir_action_name(bw_datadir_action a)
{
    switch (a) {
    case BW_DATADIR_CREATED: return "created";
    case BW_DATADIR_RESET: return "permissions-reset";
    case BW_DATADIR_MOVED_ASIDE: return "moved-aside";
    default: return "ready";
    }
}

void bw_datadir_free(bw_datadir *d)
{
    if (!d)
        return;
    free(d->path);
    free(d->aside);
    memset(d, 0, sizeof *d);
}

/* Where Windows keeps ProgramData's path (what SHGetKnownFolderPath reads
 * too): HKLM, which only SYSTEM and Administrators may change. */
#define PROFILE_LIST       "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
#define MAX_EXPANDED_UNITS 1024u

/* text with its %variables% expanded into *out (malloc'd UTF-8). */
static bw_err expand(const bw_api *api, const char *text, char **out)
{
    uint16_t *w = NULL;
    uint16_t buf[MAX_EXPANDED_UNITS];
    bw_err e = bw_utf8_to_utf16(text, &w, NULL);
    if (e)
        return e;
    DWORD need = api->ExpandEnvironmentStringsW((LPCWSTR)w, (LPWSTR)buf, MAX_EXPANDED_UNITS);
    free(w);
    if (need == 0 || need > MAX_EXPANDED_UNITS)
        return BW_ERANGE;
    buf[need - 1] = 0; /* never trust a returned length */
    size_t n = 0;
    while (buf[n])
        n++;
    return bw_utf16_to_utf8(buf, n, out);
}

/* ProgramData's path from the registry, expanded: BW_OK only for an
 * absolute local path (bw_local_path_problem), else BW_ENOTFOUND. Read
 * this way, a command that needs the data folder loads no shell32 (and
 * the user32, gdi32 and COM it brings). */
static bw_err program_data_registry(const bw_api *api, char **out)
{
    bw_win_status st = {0};
    HKEY key = NULL;
    char *raw = NULL;
    *out = NULL;
    if (bw_win_reg_open(api, HKEY_LOCAL_MACHINE, PROFILE_LIST, KEY_WOW64_64KEY, &key, &st) !=
        BW_OK)
        return BW_ENOTFOUND;
    bw_err e = bw_win_reg_string(api, key, "ProgramData", &raw, &st);
    bw_win_reg_close(api, key);
    if (e == BW_OK)
        e = expand(api, raw, out);
    free(raw);
    if (e == BW_ENOMEM)
        return e;
    if (e != BW_OK || bw_local_path_problem(*out)) {
        free(*out);
        *out = NULL;
        return BW_ENOTFOUND;
    }
    return BW_OK;
}

static bw_err program_data(const bw_api *api, char **out, unsigned long *syserr)
{
    bw_err r = program_data_registry(api, out);
    if (r != BW_ENOTFOUND)
        return r;
    PWSTR base = NULL;
    HRESULT hr = api->SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &base);
    if (FAILED(hr)) {
        *syserr = (unsigned long)hr;
        return BW_ENOTFOUND;
    }
    bw_err e = bw_utf16_to_utf8((const uint16_t *)base, wcslen(base), out);
    api->CoTaskMemFree(base);
    return e;
}

bw_err bw_win_data_dir_find(const bw_api *api, bw_datadir *out)
{
    memset(out, 0, sizeof *out);
    unsigned long syserr = 0;
    bw_win_status st = {0};
    bw_win_self_sid(api, out->self_sid, sizeof out->self_sid, &st);
    char *base = NULL;
    bw_err e = program_data(api, &base, &syserr);
    if (e)
        return e;
    out->path = bw_strfmt("%s\\banwatch", base);
    free(base);
    return out->path ? BW_OK : BW_ENOMEM;
}

/* Turns a privilege on in this process's token, if the account has it
 * (SYSTEM and elevated administrators do): best effort. */
static void enable_privilege(const bw_api *api, const wchar_t *name)
{
    HANDLE token = NULL;
    if (!api->OpenProcessToken(api->GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY,
                               &token))
        return;
    TOKEN_PRIVILEGES tp = {.PrivilegeCount = 1};
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    if (api->LookupPrivilegeValueW(NULL, name, &tp.Privileges[0].Luid))
        api->AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL);
    api->CloseHandle(token);
}

/* Creates the folder with the protected list. *exists when it was there. */
static bw_err create_locked(const bw_api *api, const uint16_t *w, bool *exists, DWORD *code)
{
    *exists = false;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!api->ConvertStringSecurityDescriptorToSecurityDescriptorW(BW_DATADIR_SDDL,
                                                                   SDDL_REVISION_1, &sd, NULL)) {
        *code = GetLastError();
        return bw_win_error(*code);
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    bw_err e = BW_OK;
    if (!api->CreateDirectoryW((LPCWSTR)w, &sa)) {
        *code = GetLastError();
        if (*code == ERROR_ALREADY_EXISTS)
            *exists = true;
        else
            e = bw_win_error(*code);
    }
    api->LocalFree(sd);
    return e;
}

/* Resets the folder's list to the protected one, keeping its owner. */
static bw_err reset_permissions(const bw_api *api, const char *path, bw_win_status *st)
{
    enable_privilege(api, SE_RESTORE_NAME);
    enable_privilege(api, SE_TAKE_OWNERSHIP_NAME);
    HANDLE h = INVALID_HANDLE_VALUE;
    bw_err e = bw_win_open_object(api, path, WRITE_DAC, &h, st);
    if (e)
        return e;
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    if (!api->ConvertStringSecurityDescriptorToSecurityDescriptorW(BW_DATADIR_SDDL,
                                                                   SDDL_REVISION_1, &sd, NULL) ||
        !api->GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) {
        e = bw_win_status_set(st, GetLastError());
    } else {
        DWORD rc = api->SetSecurityInfo(
            h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            NULL, NULL, dacl, NULL);
        if (rc != ERROR_SUCCESS)
            e = bw_win_status_set(st, rc);
    }
    if (sd)
        api->LocalFree(sd);
    api->CloseHandle(h);
    return e;
}

/* Reads the facts of the folder at path and judges them: BW_OK trusted,
 * BW_EACCES not (why set), another error when they cannot be read. */
static bw_err judge(const bw_api *api, const char *path, const char *self, bw_object_facts *o,
                    char *why, size_t whylen)
{
    bw_win_status st = {0};
    HANDLE h = INVALID_HANDLE_VALUE;
    bw_err e = bw_win_open_object(api, path, 0, &h, &st);
    if (e == BW_OK) {
        e = bw_win_object_facts(api, h, o, &st);
        api->CloseHandle(h);
    }
    if (e) {
        snprintf(why, whylen, "its permissions cannot be read: %s", st.reason);
        return e;
    }
    if (!o->is_dir && !o->reparse) {
        snprintf(why, whylen, "it is a file, not a folder");
        return BW_EACCES;
    }
    return bw_object_trusted(o, self, why, whylen) ? BW_OK : BW_EACCES;
}

/* Moves the untrusted folder (or link, or file) at path aside, to
 * "<path>.untrusted-<time>" or, when that name is taken, "-<time>-<n>". */
static bw_err move_aside(const bw_api *api, bw_datadir *d, const uint16_t *w, DWORD *code)
{
    long long now = (long long)bw_win_now(api);
    bw_err e = BW_EIO;
    for (int n = 1; n <= 9; n++) {
        free(d->aside);
        d->aside = n == 1 ? bw_strfmt("%s.untrusted-%lld", d->path, now)
                          : bw_strfmt("%s.untrusted-%lld-%d", d->path, now, n);
        uint16_t *wa = NULL;
        if (!d->aside || bw_utf8_to_utf16(d->aside, &wa, NULL) != BW_OK)
            return BW_ENOMEM;
        BOOL moved = api->MoveFileExW((LPCWSTR)w, (LPCWSTR)wa, 0);
        *code = moved ? 0 : GetLastError();
        free(wa);
        if (moved)
            return BW_OK;
        e = bw_win_error(*code);
        if (*code != ERROR_ALREADY_EXISTS && *code != ERROR_FILE_EXISTS)
            break;
    }
    return e;
}

/* The folder exists: use it, reset it or move it aside. *again when it was
 * moved aside and must be created anew. */
static bw_err check_existing(const bw_api *api, bw_datadir *d, const uint16_t *w, bool *again,
                             unsigned long *syserr)
{
    *again = false;
    bw_object_facts *o = malloc(sizeof *o);
    if (!o)
        return BW_ENOMEM;
    char why[sizeof d->found];
    bw_err e = judge(api, d->path, d->self_sid, o, why, sizeof why);
    if (e == BW_OK || e == BW_ENOMEM)
        goto out;
    snprintf(d->found, sizeof d->found, "%s", why);
    bw_win_status st = {0};
    if (e == BW_EACCES && !o->reparse && o->is_dir && bw_owner_trusted(o, d->self_sid)) {
        e = reset_permissions(api, d->path, &st);
        if (e == BW_OK)
            e = judge(api, d->path, d->self_sid, o, why, sizeof why);
        if (e == BW_OK) {
            d->action = BW_DATADIR_RESET;
        } else {
            *syserr = st.code;
            snprintf(d->found + strlen(d->found), sizeof d->found - strlen(d->found),
                     "; resetting its permissions failed: %s", st.reason[0] ? st.reason : why);
            e = e == BW_ENOMEM ? e : BW_EACCES;
        }
        goto out;
    }
    /* Another owner, a link, or facts that cannot be read: nothing in it can
     * be trusted. */
    DWORD code = 0;
    e = move_aside(api, d, w, &code);
    if (e == BW_OK) {
        d->action = BW_DATADIR_MOVED_ASIDE;
        *again = true;
    } else if (e != BW_ENOMEM) {
        *syserr = code;
        bw_win_error_text(code, why, sizeof why);
        snprintf(d->found + strlen(d->found), sizeof d->found - strlen(d->found),
                 "; moving it aside failed: %s", why);
        e = BW_EACCES;
    }
out:
    free(o);
    return e;
}

bw_err bw_win_data_dir_open(const bw_api *api, bw_datadir *out, unsigned long *syserr)
{
    memset(out, 0, sizeof *out);
    *syserr = 0;
    bw_win_status st = {0};
    bw_win_self_sid(api, out->self_sid, sizeof out->self_sid, &st);
    char *base = NULL;
    bw_err e = program_data(api, &base, syserr);
    if (e)
        return e;
    out->path = bw_strfmt("%s\\banwatch", base);
    free(base);
    uint16_t *w = NULL;
    if (!out->path || bw_utf8_to_utf16(out->path, &w, NULL) != BW_OK) {
        bw_datadir_free(out);
        return BW_ENOMEM;
    }
    bool again = true;
    for (int attempt = 0; again && attempt < CREATE_ATTEMPTS; attempt++) {
        bool exists = false;
        DWORD code = 0;
        e = create_locked(api, w, &exists, &code);
        if (e) {
            *syserr = code;
            break;
        }
        if (!exists) {
            if (out->action == BW_DATADIR_READY)
                out->action = BW_DATADIR_CREATED;
            again = false;
            break;
        }
        e = check_existing(api, out, w, &again, syserr);
        if (e)
            break;
    }
    if (e == BW_OK && again) { /* moved aside each time, and back again */
        e = BW_EACCES;
        snprintf(out->found, sizeof out->found,
                 "a folder keeps appearing at this path as banwatch creates it");
    }
    free(w);
    return e;
}

bw_err bw_datadir_file_trusted(const bw_api *api, const bw_datadir *d, const char *name,
                               char *why, size_t whylen)
{
    char *path = bw_strfmt("%s\\%s", d->path, name);
    if (!path)
        return BW_ENOMEM;
    bw_err e = bw_win_path_trusted(api, path, d->self_sid, why, whylen);
    free(path);
    return e;
}
