/*
 * fake_acl.c - a fake file system with owners and access control lists
 * (see fake_acl.h).
 */
#include "fake_acl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "fake_common.h"
#include "bw_str.h"

enum { H_OBJECT = 1, H_TOKEN };

typedef struct fobj {
    char *path;
    bool dir, reparse;
    unsigned links;
    char *sddl;
    DWORD get_error, set_error;
} fobj;

typedef struct fh {
    fc_handle base; /* first */
    char *path;     /* H_OBJECT: the object's path when opened */
    DWORD access;
} fh;

static struct {
    fobj *objs;
    size_t n;
    fc_handles handles;
    char token[192];
    DWORD move_error;
    char *reappear;
    unsigned set_calls, privileges;
    char *program_data; /* ProfileList's ProgramData value, or NULL: no value */
    DWORD program_data_type;
    unsigned known_folder_calls;
} A;

/* ---- objects ------------------------------------------------------------------ */

static bool path_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20) && *a != *b)
            return false;
    return *a == *b;
}

/* True if path is under prefix (prefix\...). */
static bool path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strlen(path) <= n || path[n] != '\\')
        return false;
    char *head = fc_xcalloc(n + 1, 1);
    memcpy(head, path, n);
    bool eq = path_eq(head, prefix);
    free(head);
    return eq;
}

static fobj *find(const char *path)
{
    for (size_t i = 0; i < A.n; i++)
        if (path_eq(A.objs[i].path, path))
            return &A.objs[i];
    return NULL;
}

static char *xstrdup(const char *s)
{
    char *d = fc_xcalloc(strlen(s) + 1, 1);
    memcpy(d, s, strlen(s));
    return d;
}

void fake_acl_object(const char *path, bool dir, const char *sddl)
{
    fobj *o = find(path);
    if (!o) {
        A.objs = realloc(A.objs, (A.n + 1) * sizeof *A.objs);
        assert_non_null(A.objs);
        o = &A.objs[A.n++];
        memset(o, 0, sizeof *o);
        o->path = xstrdup(path);
    }
    o->dir = dir;
    o->links = 1;
    free(o->sddl);
    o->sddl = xstrdup(sddl);
}

static fobj *existing(const char *path)
{
    fobj *o = find(path);
    if (!o)
        fail_msg("fake_acl: no object %s", path);
    return o;
}

void fake_acl_reparse(const char *path)
{
    existing(path)->reparse = true;
}

void fake_acl_links(const char *path, unsigned n)
{
    existing(path)->links = n;
}

void fake_acl_get_error(const char *path, uint32_t err)
{
    existing(path)->get_error = err;
}

void fake_acl_set_error(const char *path, uint32_t err)
{
    existing(path)->set_error = err;
}

void fake_acl_move_error(uint32_t err)
{
    A.move_error = err;
}

void fake_acl_reappear(const char *sddl)
{
    free(A.reappear);
    A.reappear = sddl ? xstrdup(sddl) : NULL;
}

void fake_acl_token(const char *sid)
{
    snprintf(A.token, sizeof A.token, "%s", sid);
}

const char *fake_acl_sddl(const char *path)
{
    fobj *o = find(path);
    return o ? o->sddl : NULL;
}

const char *fake_acl_find(const char *prefix, unsigned n)
{
    size_t len = strlen(prefix);
    for (size_t i = 0; i < A.n; i++) {
        const char *p = A.objs[i].path;
        bool match = strlen(p) >= len;
        for (size_t k = 0; match && k < len; k++)
            match = (p[k] | 0x20) == (prefix[k] | 0x20);
        if (match && n-- == 0)
            return p;
    }
    return NULL;
}

unsigned fake_acl_set_calls(void)
{
    return A.set_calls;
}

unsigned fake_acl_privileges(void)
{
    return A.privileges;
}

static void release(void *p)
{
    free(((fh *)p)->path);
}

void fake_acl_reset(void)
{
    fc_handles_free(&A.handles, release);
    for (size_t i = 0; i < A.n; i++) {
        free(A.objs[i].path);
        free(A.objs[i].sddl);
    }
    free(A.objs);
    free(A.reappear);
    free(A.program_data);
    memset(&A, 0, sizeof A);
    snprintf(A.token, sizeof A.token, "S-1-5-18");
    fake_acl_object("C:\\ProgramData", true,
                    "O:S-1-5-18D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
                    "(A;CI;0x116;;;BU)");
}

void fake_acl_program_data_value(const char *value, uint32_t type)
{
    free(A.program_data);
    A.program_data = value ? xstrdup(value) : NULL;
    A.program_data_type = type;
}

unsigned fake_acl_known_folder_calls(void)
{
    return A.known_folder_calls;
}

int fake_acl_setup(void **state)
{
    (void)state;
    fake_acl_reset();
    return 0;
}

int fake_acl_teardown(void **state)
{
    (void)state;
    fake_acl_assert_no_leaks();
    fake_acl_reset();
    return 0;
}

void fake_acl_assert_no_leaks(void)
{
    if (A.handles.n)
        fail_msg("fake_acl: %zu handle(s) left open", A.handles.n);
}

/* ---- conversions ---------------------------------------------------------------- */

static char *to_utf8(const wchar_t *w)
{
    char *s = NULL;
    assert_int_equal(bw_utf16_to_utf8((const uint16_t *)w, wcslen(w), &s), BW_OK);
    return s;
}

static wchar_t *to_wide(const char *s)
{
    return (wchar_t *)fc_wdup(s, NULL);
}

/* The SDDL text of an absolute or self-relative descriptor: owner and DACL. */
static char *sd_text(PSECURITY_DESCRIPTOR sd, SECURITY_INFORMATION what)
{
    LPWSTR w = NULL;
    assert_true(ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, what,
                                                                     &w, NULL));
    char *s = to_utf8(w);
    LocalFree(w);
    return s;
}

static PSECURITY_DESCRIPTOR sd_of(const char *sddl)
{
    wchar_t *w = to_wide(sddl);
    PSECURITY_DESCRIPTOR sd = NULL;
    assert_true(
        ConvertStringSecurityDescriptorToSecurityDescriptorW(w, SDDL_REVISION_1, &sd, NULL));
    free(w);
    return sd;
}

/* ---- the table ------------------------------------------------------------------ */

static HRESULT WINAPI f_SHGetKnownFolderPath(REFKNOWNFOLDERID id, DWORD flags, HANDLE token,
                                             PWSTR *out)
{
    (void)flags;
    (void)token;
    assert_true(IsEqualGUID(id, &FOLDERID_ProgramData));
    A.known_folder_calls++;
    static const wchar_t pd[] = L"C:\\ProgramData";
    *out = CoTaskMemAlloc(sizeof pd);
    assert_non_null(*out);
    memcpy(*out, pd, sizeof pd);
    return S_OK;
}

/* The registry holds one key, ProfileList, with one value, ProgramData,
 * when fake_acl_program_data_value set one. */
#define PROFILE_KEY ((HKEY)(uintptr_t)0x5150)

static LSTATUS WINAPI f_RegOpenKeyExW(HKEY parent, LPCWSTR path, DWORD opts, REGSAM sam,
                                      PHKEY out)
{
    (void)opts;
    (void)sam;
    assert_true(parent == HKEY_LOCAL_MACHINE);
    if (!A.program_data ||
        wcscmp(path, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList") != 0)
        return ERROR_FILE_NOT_FOUND;
    *out = PROFILE_KEY;
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegQueryValueExW(HKEY key, LPCWSTR name, LPDWORD reserved, LPDWORD type,
                                         LPBYTE data, LPDWORD size)
{
    (void)reserved;
    assert_true(key == PROFILE_KEY);
    if (!name || wcscmp(name, L"ProgramData") != 0)
        return ERROR_FILE_NOT_FOUND;
    uint16_t *w = NULL;
    size_t n = 0;
    assert_int_equal(bw_utf8_to_utf16(A.program_data, &w, &n), BW_OK);
    DWORD bytes = (DWORD)((n + 1) * sizeof *w);
    if (type)
        *type = A.program_data_type;
    LSTATUS rc = ERROR_SUCCESS;
    if (data && *size < bytes)
        rc = ERROR_MORE_DATA;
    else if (data)
        memcpy(data, w, bytes);
    *size = bytes;
    free(w);
    return rc;
}

static LSTATUS WINAPI f_RegCloseKey(HKEY key)
{
    assert_true(key == PROFILE_KEY);
    return ERROR_SUCCESS;
}

static VOID WINAPI f_CoTaskMemFree(LPVOID p)
{
    CoTaskMemFree(p);
}

static VOID WINAPI f_GetSystemTimeAsFileTime(LPFILETIME ft)
{
    uint64_t t = ((uint64_t)FAKE_ACL_NOW + 11644473600ULL) * 10000000ULL;
    ft->dwLowDateTime = (DWORD)t;
    ft->dwHighDateTime = (DWORD)(t >> 32);
}

static HANDLE WINAPI f_CreateFileW(LPCWSTR path, DWORD access, DWORD share,
                                   LPSECURITY_ATTRIBUTES sa, DWORD disposition, DWORD flags,
                                   HANDLE tmpl)
{
    (void)share;
    assert_null(sa);
    assert_null(tmpl);
    if (disposition != OPEN_EXISTING)
        fail_msg("fake_acl: CreateFileW disposition %lu", (unsigned long)disposition);
    if (access & ~(DWORD)(READ_CONTROL | WRITE_DAC | WRITE_OWNER | GENERIC_READ))
        fail_msg("fake_acl: CreateFileW access 0x%lx", (unsigned long)access);
    char *p = to_utf8(path);
    fobj *o = find(p);
    if (!o) {
        free(p);
        SetLastError(ERROR_FILE_NOT_FOUND);
        return INVALID_HANDLE_VALUE;
    }
    if (o->dir && !(flags & FILE_FLAG_BACKUP_SEMANTICS)) {
        free(p);
        SetLastError(ERROR_ACCESS_DENIED);
        return INVALID_HANDLE_VALUE;
    }
    if (o->reparse && !(flags & FILE_FLAG_OPEN_REPARSE_POINT))
        fail_msg("fake_acl: %s is a link and was opened through it", p);
    fh *h = fc_handle_open(&A.handles, sizeof *h, H_OBJECT);
    h->path = p;
    h->access = access;
    return (HANDLE)h;
}

static fh *handle(HANDLE h)
{
    fh *x = fc_handle_live(&A.handles, h, H_OBJECT);
    if (!x)
        fail_msg("fake_acl: not an open object handle %p", (void *)h);
    return x;
}

static BOOL WINAPI f_CloseHandle(HANDLE h)
{
    fh *x = fc_handle_live(&A.handles, h, H_OBJECT);
    if (!x)
        x = fc_handle_live(&A.handles, h, H_TOKEN);
    if (!x)
        fail_msg("fake_acl: CloseHandle of %p", (void *)h);
    free(x->path);
    x->path = NULL;
    assert_true(fc_handle_close(&A.handles, h, x->base.kind));
    return TRUE;
}

static BOOL WINAPI f_GetFileInformationByHandle(HANDLE h, LPBY_HANDLE_FILE_INFORMATION fi)
{
    fobj *o = existing(handle(h)->path);
    memset(fi, 0, sizeof *fi);
    fi->dwFileAttributes = (o->dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE) |
                           (o->reparse ? FILE_ATTRIBUTE_REPARSE_POINT : 0);
    fi->nNumberOfLinks = o->links;
    return TRUE;
}

static DWORD WINAPI f_GetSecurityInfo(HANDLE h, SE_OBJECT_TYPE type, SECURITY_INFORMATION what,
                                      PSID *owner, PSID *group, PACL *dacl, PACL *sacl,
                                      PSECURITY_DESCRIPTOR *sd)
{
    fh *x = handle(h);
    assert_int_equal(type, SE_FILE_OBJECT);
    assert_null(group);
    assert_null(sacl);
    assert_true(x->access & READ_CONTROL);
    fobj *o = existing(x->path);
    if (o->get_error)
        return o->get_error;
    *sd = sd_of(o->sddl);
    BOOL present = FALSE, defaulted = FALSE;
    if ((what & OWNER_SECURITY_INFORMATION) && owner)
        assert_true(GetSecurityDescriptorOwner(*sd, owner, &defaulted));
    if ((what & DACL_SECURITY_INFORMATION) && dacl) {
        assert_true(GetSecurityDescriptorDacl(*sd, &present, dacl, &defaulted));
        if (!present)
            *dacl = NULL;
    }
    return ERROR_SUCCESS;
}

static DWORD WINAPI f_SetSecurityInfo(HANDLE h, SE_OBJECT_TYPE type, SECURITY_INFORMATION what,
                                      PSID owner, PSID group, PACL dacl, PACL sacl)
{
    fh *x = handle(h);
    assert_int_equal(type, SE_FILE_OBJECT);
    assert_null(group);
    assert_null(sacl);
    A.set_calls++;
    fobj *o = existing(x->path);
    if ((what & DACL_SECURITY_INFORMATION) && !(x->access & WRITE_DAC))
        return ERROR_ACCESS_DENIED;
    if ((what & OWNER_SECURITY_INFORMATION) && !(x->access & WRITE_OWNER))
        return ERROR_ACCESS_DENIED;
    if (o->set_error)
        return o->set_error;
    PSECURITY_DESCRIPTOR old = sd_of(o->sddl);
    PSID old_owner = NULL;
    PACL old_dacl = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    assert_true(GetSecurityDescriptorOwner(old, &old_owner, &defaulted));
    assert_true(GetSecurityDescriptorDacl(old, &present, &old_dacl, &defaulted));
    SECURITY_DESCRIPTOR abs;
    assert_true(InitializeSecurityDescriptor(&abs, SECURITY_DESCRIPTOR_REVISION));
    assert_true(SetSecurityDescriptorOwner(
        &abs, (what & OWNER_SECURITY_INFORMATION) ? owner : old_owner, FALSE));
    assert_true(SetSecurityDescriptorDacl(
        &abs, TRUE, (what & DACL_SECURITY_INFORMATION) ? dacl : old_dacl, FALSE));
    if (what & PROTECTED_DACL_SECURITY_INFORMATION)
        assert_true(SetSecurityDescriptorControl(&abs, SE_DACL_PROTECTED, SE_DACL_PROTECTED));
    free(o->sddl);
    o->sddl = sd_text(&abs, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION);
    LocalFree(old);
    return ERROR_SUCCESS;
}

static BOOL WINAPI f_CreateDirectoryW(LPCWSTR path, LPSECURITY_ATTRIBUTES sa)
{
    char *p = to_utf8(path);
    if (find(p)) {
        free(p);
        SetLastError(ERROR_ALREADY_EXISTS);
        return FALSE;
    }
    assert_non_null(sa);
    assert_non_null(sa->lpSecurityDescriptor);
    char *dacl = sd_text(sa->lpSecurityDescriptor, DACL_SECURITY_INFORMATION);
    char *sddl = fc_xcalloc(strlen(A.token) + strlen(dacl) + 3, 1);
    sprintf(sddl, "O:%s%s", A.token, dacl);
    fake_acl_object(p, true, sddl);
    free(sddl);
    free(dacl);
    free(p);
    return TRUE;
}

static BOOL WINAPI f_MoveFileExW(LPCWSTR from, LPCWSTR to, DWORD flags)
{
    assert_int_equal(flags, 0);
    if (A.move_error) {
        SetLastError(A.move_error);
        return FALSE;
    }
    char *src = to_utf8(from), *dst = to_utf8(to);
    if (find(dst)) {
        free(src);
        free(dst);
        SetLastError(ERROR_ALREADY_EXISTS);
        return FALSE;
    }
    existing(src);
    for (size_t i = 0; i < A.n; i++) {
        fobj *o = &A.objs[i];
        if (path_eq(o->path, src) || path_under(o->path, src)) {
            char *moved = fc_xcalloc(strlen(dst) + strlen(o->path) - strlen(src) + 1, 1);
            sprintf(moved, "%s%s", dst, o->path + strlen(src));
            free(o->path);
            o->path = moved;
        }
    }
    if (A.reappear)
        fake_acl_object(src, true, A.reappear);
    free(src);
    free(dst);
    return TRUE;
}

static HANDLE WINAPI f_GetCurrentProcess(void)
{
    return (HANDLE)(intptr_t)-1;
}

static BOOL WINAPI f_OpenProcessToken(HANDLE proc, DWORD access, PHANDLE out)
{
    (void)access;
    assert_true(proc == (HANDLE)(intptr_t)-1);
    *out = (HANDLE)fc_handle_open(&A.handles, sizeof(fh), H_TOKEN);
    return TRUE;
}

static BOOL WINAPI f_GetTokenInformation(HANDLE token, TOKEN_INFORMATION_CLASS cls, LPVOID buf,
                                         DWORD len, PDWORD got)
{
    assert_non_null(fc_handle_live(&A.handles, token, H_TOKEN));
    assert_int_equal(cls, TokenUser);
    wchar_t *w = to_wide(A.token);
    PSID sid = NULL;
    assert_true(ConvertStringSidToSidW(w, &sid));
    free(w);
    DWORD need = (DWORD)(sizeof(TOKEN_USER) + GetLengthSid(sid));
    *got = need;
    if (len < need) {
        LocalFree(sid);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    TOKEN_USER *tu = buf;
    tu->User.Sid = (PSID)((unsigned char *)buf + sizeof(TOKEN_USER));
    tu->User.Attributes = 0;
    assert_true(CopySid(GetLengthSid(sid), tu->User.Sid, sid));
    LocalFree(sid);
    return TRUE;
}

static BOOL WINAPI f_LookupPrivilegeValueW(LPCWSTR system, LPCWSTR name, PLUID luid)
{
    assert_null(system);
    return LookupPrivilegeValueW(NULL, name, luid);
}

static BOOL WINAPI f_AdjustTokenPrivileges(HANDLE token, BOOL none, PTOKEN_PRIVILEGES tp,
                                           DWORD len, PTOKEN_PRIVILEGES prev, PDWORD got)
{
    (void)len;
    (void)prev;
    (void)got;
    assert_non_null(fc_handle_live(&A.handles, token, H_TOKEN));
    assert_false(none);
    A.privileges += tp->PrivilegeCount;
    return TRUE;
}

static const bw_api table = {
    .SHGetKnownFolderPath = f_SHGetKnownFolderPath,
    .CoTaskMemFree = f_CoTaskMemFree,
    .RegOpenKeyExW = f_RegOpenKeyExW,
    .RegQueryValueExW = f_RegQueryValueExW,
    .RegCloseKey = f_RegCloseKey,
    .GetSystemTimeAsFileTime = f_GetSystemTimeAsFileTime,
    .CreateFileW = f_CreateFileW,
    .CloseHandle = f_CloseHandle,
    .GetFileInformationByHandle = f_GetFileInformationByHandle,
    .GetSecurityInfo = f_GetSecurityInfo,
    .SetSecurityInfo = f_SetSecurityInfo,
    .CreateDirectoryW = f_CreateDirectoryW,
    .MoveFileExW = f_MoveFileExW,
    .GetCurrentProcess = f_GetCurrentProcess,
    .OpenProcessToken = f_OpenProcessToken,
    .GetTokenInformation = f_GetTokenInformation,
    .LookupPrivilegeValueW = f_LookupPrivilegeValueW,
    .AdjustTokenPrivileges = f_AdjustTokenPrivileges,
    /* pure functions: the real ones */
    .ConvertStringSecurityDescriptorToSecurityDescriptorW =
        ConvertStringSecurityDescriptorToSecurityDescriptorW,
    .ConvertSidToStringSidW = ConvertSidToStringSidW,
    .ConvertStringSidToSidW = ConvertStringSidToSidW,
    .GetSecurityDescriptorControl = GetSecurityDescriptorControl,
    .GetSecurityDescriptorDacl = GetSecurityDescriptorDacl,
    .GetAclInformation = GetAclInformation,
    .GetAce = GetAce,
    .LocalFree = LocalFree,
    .ExpandEnvironmentStringsW = ExpandEnvironmentStringsW,
};

const bw_api *fake_acl_api(void)
{
    return &table;
}
