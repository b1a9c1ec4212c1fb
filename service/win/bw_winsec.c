/* bw_winsec.c - owners, access control lists and links of files and folders
 * (Win32 layer). See bw_winsec.h; the decisions are in core/bw_trust.c. */
#include "bw_winsec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/bw_str.h"

/* core/bw_trust.h names the rights by value; they must be Windows' own. */
_Static_assert(BW_ACCESS_WRITE_DATA == FILE_WRITE_DATA, "FILE_WRITE_DATA");
_Static_assert(BW_ACCESS_APPEND_DATA == FILE_APPEND_DATA, "FILE_APPEND_DATA");
_Static_assert(BW_ACCESS_DELETE_CHILD == FILE_DELETE_CHILD, "FILE_DELETE_CHILD");
_Static_assert(BW_ACCESS_DELETE == DELETE, "DELETE");
_Static_assert(BW_ACCESS_WRITE_DAC == WRITE_DAC, "WRITE_DAC");
_Static_assert(BW_ACCESS_WRITE_OWNER == WRITE_OWNER, "WRITE_OWNER");
_Static_assert(BW_ACCESS_GENERIC_ALL == GENERIC_ALL, "GENERIC_ALL");
_Static_assert(BW_ACCESS_GENERIC_WRITE == GENERIC_WRITE, "GENERIC_WRITE");

/* A failure about the data rather than a call. */
static bw_err status_text(bw_win_status *st, bw_err err, const char *reason)
{
    if (st) {
        st->code = 0;
        snprintf(st->reason, sizeof st->reason, "%s", reason);
    }
    return err;
}

/* The string form of a SID into out ("" when it cannot be converted). */
static bw_err sid_string(const bw_api *api, PSID sid, char *out, size_t len)
{
    if (len)
        out[0] = '\0';
    LPWSTR w = NULL;
    if (!sid || !api->ConvertSidToStringSidW(sid, &w))
        return BW_EINVAL;
    char *s = NULL;
    bw_err e = bw_utf16_to_utf8((const uint16_t *)w, wcslen(w), &s);
    api->LocalFree(w);
    if (e)
        return e;
    snprintf(out, len, "%s", s);
    free(s);
    return BW_OK;
}

bw_err bw_win_self_sid(const bw_api *api, char *out, size_t len, bw_win_status *st)
{
    if (len)
        out[0] = '\0';
    HANDLE token = NULL;
    if (!api->OpenProcessToken(api->GetCurrentProcess(), TOKEN_QUERY, &token))
        return bw_win_status_set(st, GetLastError());
    union {
        TOKEN_USER user;
        unsigned char bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } buf;
    DWORD got = 0;
    bw_err e = BW_OK;
    if (!api->GetTokenInformation(token, TokenUser, &buf, sizeof buf, &got))
        e = bw_win_status_set(st, GetLastError());
    else if (sid_string(api, buf.user.User.Sid, out, len) != BW_OK)
        e = status_text(st, BW_EINVAL, "the account's SID cannot be read");
    api->CloseHandle(token);
    return e;
}

bw_err bw_win_open_object(const bw_api *api, const char *path, DWORD access, HANDLE *out,
                          bw_win_status *st)
{
    *out = INVALID_HANDLE_VALUE;
    uint16_t *w = NULL;
    bw_err e = bw_utf8_to_utf16(path, &w, NULL);
    if (e == BW_EENCODING)
        return status_text(st, e, "the path is not valid UTF-8");
    if (e)
        return status_text(st, e, bw_strerror(e));
    HANDLE h = api->CreateFileW(
        (LPCWSTR)w, access | READ_CONTROL, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return bw_win_status_set(st, GetLastError());
    *out = h;
    return BW_OK;
}

/* One ACE into a. An ACE of a kind whose layout is not known is described
 * as an allow ACE for an unknown SID, so that it can only make the object
 * untrusted. */
static void read_ace(const bw_api *api, const ACE_HEADER *h, bw_ace *a)
{
    memset(a, 0, sizeof *a);
    a->inherit_only = (h->AceFlags & INHERIT_ONLY_ACE) != 0;
    switch (h->AceType) {
    case ACCESS_ALLOWED_ACE_TYPE:
    case ACCESS_ALLOWED_CALLBACK_ACE_TYPE: {
        const ACCESS_ALLOWED_ACE *x = (const ACCESS_ALLOWED_ACE *)h;
        a->allow = true;
        a->mask = x->Mask;
        if (sid_string(api, (PSID)&x->SidStart, a->sid, sizeof a->sid) != BW_OK)
            snprintf(a->sid, sizeof a->sid, "(unreadable SID)");
        break;
    }
    case ACCESS_DENIED_ACE_TYPE:
    case ACCESS_DENIED_CALLBACK_ACE_TYPE: {
        const ACCESS_DENIED_ACE *x = (const ACCESS_DENIED_ACE *)h;
        a->mask = x->Mask;
        if (sid_string(api, (PSID)&x->SidStart, a->sid, sizeof a->sid) != BW_OK)
            snprintf(a->sid, sizeof a->sid, "(unreadable SID)");
        break;
    }
    case SYSTEM_AUDIT_ACE_TYPE:
    case SYSTEM_ALARM_ACE_TYPE:
    case SYSTEM_MANDATORY_LABEL_ACE_TYPE: break; /* grant nothing */
    default:                                     /* object ACEs and others: assume the worst */
        a->allow = true;
        a->mask = ((const ACCESS_ALLOWED_ACE *)h)->Mask;
        snprintf(a->sid, sizeof a->sid, "(an ACE of type %u)", (unsigned)h->AceType);
        break;
    }
}

bw_err bw_win_object_facts(const bw_api *api, HANDLE h, bw_object_facts *o, bw_win_status *st)
{
    memset(o, 0, sizeof *o);
    BY_HANDLE_FILE_INFORMATION fi;
    if (!api->GetFileInformationByHandle(h, &fi))
        return bw_win_status_set(st, GetLastError());
    o->is_dir = (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    o->reparse = (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    o->links = fi.nNumberOfLinks;

    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD rc = api->GetSecurityInfo(h, SE_FILE_OBJECT,
                                    OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                    &owner, NULL, &dacl, NULL, &sd);
    if (rc != ERROR_SUCCESS)
        return bw_win_status_set(st, rc);
    bw_err e = BW_OK;
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (api->GetSecurityDescriptorControl(sd, &control, &revision))
        o->dacl_protected = (control & SE_DACL_PROTECTED) != 0;
    if (owner)
        sid_string(api, owner, o->owner, sizeof o->owner);
    o->has_dacl = dacl != NULL;
    if (dacl) {
        ACL_SIZE_INFORMATION info;
        if (!api->GetAclInformation(dacl, &info, sizeof info, AclSizeInformation)) {
            e = bw_win_status_set(st, GetLastError());
            goto out;
        }
        for (DWORD i = 0; i < info.AceCount; i++) {
            if (o->n_aces == BW_ACES_MAX) {
                o->aces_truncated = true;
                break;
            }
            void *ace = NULL;
            if (!api->GetAce(dacl, i, &ace) || !ace) {
                e = bw_win_status_set(st, GetLastError());
                goto out;
            }
            read_ace(api, ace, &o->aces[o->n_aces++]);
        }
    }
out:
    api->LocalFree(sd);
    return e;
}

bw_err bw_win_path_trusted(const bw_api *api, const char *path, const char *self_sid, char *why,
                           size_t whylen)
{
    if (whylen)
        why[0] = '\0';
    bw_win_status st = {0};
    HANDLE h = INVALID_HANDLE_VALUE;
    bw_err e = bw_win_open_object(api, path, 0, &h, &st);
    if (e == BW_ENOTFOUND)
        return e;
    if (e) {
        snprintf(why, whylen, "its permissions cannot be read: %s", st.reason);
        return e;
    }
    bw_object_facts *o = malloc(sizeof *o);
    if (!o) {
        api->CloseHandle(h);
        return BW_ENOMEM;
    }
    e = bw_win_object_facts(api, h, o, &st);
    api->CloseHandle(h);
    if (e)
        snprintf(why, whylen, "its permissions cannot be read: %s", st.reason);
    else if (!bw_object_trusted(o, self_sid, why, whylen))
        e = BW_EACCES;
    free(o);
    return e;
}

bw_err bw_win_program_trusted(const bw_api *api, const char *exe_path, const char *self_sid,
                              char *why, size_t whylen)
{
    char reason[320];
    const char *slash = strrchr(exe_path, '\\');
    char *folder = slash ? bw_strndup(exe_path, (size_t)(slash - exe_path)) : NULL;
    if (slash && !folder)
        return BW_ENOMEM;
    const char *paths[] = {folder, exe_path};
    bw_err e = BW_OK;
    for (size_t i = 0; i < 2 && e == BW_OK; i++) {
        if (!paths[i])
            continue;
        e = bw_win_path_trusted(api, paths[i], self_sid, reason, sizeof reason);
        if (e != BW_OK)
            snprintf(why, whylen, "%s: %s", paths[i], reason);
    }
    free(folder);
    return e;
}
