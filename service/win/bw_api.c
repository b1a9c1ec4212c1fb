/*
 * bw_api.c - the real Win32 functions behind the API table (Win32 layer).
 *
 * Most entries are the functions themselves, imported at link time. Those
 * of DLLs that only some paths use (COM in ole32 and oleaut32 for Security
 * Center, shell32 for the data folder, iphlpapi for the TCP table) are
 * loaded on first use instead, so that a command that does not need them
 * (help, status, a scan's start) does not pay for loading them: each such
 * entry is a stub here that loads its DLL from System32 only
 * (LOAD_LIBRARY_SEARCH_SYSTEM32, never the program's folder or the current
 * directory), looks the function up once, and calls it. A DLL or function
 * that cannot be loaded makes the call fail as the function itself fails
 * (an HRESULT or Win32 error; the void ones do nothing). tests/check-pe.sh
 * checks that these DLLs are not imported.
 */
#include "bw_api.h"

#include <string.h>
#include <wchar.h>

#include <initguid.h>
#include <knownfolders.h>

/* The function `name` of System32's `dll`, loaded and looked up once (a
 * race between threads loads it twice, harmlessly: the same address, and
 * the DLL stays loaded). NULL, with the last error set, when either fails. */
static FARPROC lazy_proc(void *volatile *slot, const wchar_t *dll, const char *name)
{
    void *p = InterlockedCompareExchangePointer(slot, NULL, NULL);
    if (p)
        return (FARPROC)p;
    HMODULE m = LoadLibraryExW(dll, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!m && GetLastError() == ERROR_INVALID_PARAMETER) {
        /* Windows 7 without KB2533623 knows no LOAD_LIBRARY_SEARCH_*: the
         * full path of the System32 copy instead. */
        wchar_t path[MAX_PATH];
        UINT n = GetSystemDirectoryW(path, MAX_PATH);
        size_t k = wcslen(dll);
        if (n > 0 && n + 1 + k < MAX_PATH) {
            path[n] = L'\\';
            memcpy(path + n + 1, dll, (k + 1) * sizeof *dll);
            m = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
        }
    }
    if (!m)
        return NULL;
    FARPROC f = GetProcAddress(m, name);
    if (f)
        InterlockedExchangePointer(slot, (void *)f);
    return f;
}

/* LAZY(type, var, dll, name): var, a pointer of function pointer type
 * `type` to the function name of dll, or NULL. */
#define LAZY(type, var, dll, name)    \
    static void *volatile var##_slot; \
    type var = (type)(void (*)(void))lazy_proc(&var##_slot, dll, name)

/* An HRESULT for the last error, E_FAIL when there is none. */
static HRESULT last_hresult(void)
{
    DWORD e = GetLastError();
    return e ? HRESULT_FROM_WIN32(e) : E_FAIL;
}

static HRESULT WINAPI lazy_SHGetKnownFolderPath(REFKNOWNFOLDERID id, DWORD flags, HANDLE token,
                                                PWSTR *path)
{
    typedef HRESULT(WINAPI * fn)(REFKNOWNFOLDERID, DWORD, HANDLE, PWSTR *);
    LAZY(fn, f, L"shell32.dll", "SHGetKnownFolderPath");
    if (f)
        return f(id, flags, token, path);
    *path = NULL;
    return last_hresult();
}

static VOID WINAPI lazy_CoTaskMemFree(LPVOID p)
{
    typedef VOID(WINAPI * fn)(LPVOID);
    LAZY(fn, f, L"ole32.dll", "CoTaskMemFree");
    if (f)
        f(p);
}

static DWORD WINAPI lazy_GetExtendedTcpTable(PVOID table, PDWORD size, BOOL order, ULONG af,
                                             TCP_TABLE_CLASS cls, ULONG reserved)
{
    typedef DWORD(WINAPI * fn)(PVOID, PDWORD, BOOL, ULONG, TCP_TABLE_CLASS, ULONG);
    LAZY(fn, f, L"iphlpapi.dll", "GetExtendedTcpTable");
    if (f)
        return f(table, size, order, af, cls, reserved);
    DWORD e = GetLastError();
    return e ? e : ERROR_PROC_NOT_FOUND;
}

static HRESULT WINAPI lazy_CoInitializeEx(LPVOID reserved, DWORD model)
{
    typedef HRESULT(WINAPI * fn)(LPVOID, DWORD);
    LAZY(fn, f, L"ole32.dll", "CoInitializeEx");
    return f ? f(reserved, model) : last_hresult();
}

static VOID WINAPI lazy_CoUninitialize(void)
{
    typedef VOID(WINAPI * fn)(void);
    LAZY(fn, f, L"ole32.dll", "CoUninitialize");
    if (f)
        f();
}

static HRESULT WINAPI lazy_CoCreateInstance(REFCLSID clsid, LPUNKNOWN outer, DWORD ctx,
                                            REFIID iid, LPVOID *out)
{
    typedef HRESULT(WINAPI * fn)(REFCLSID, LPUNKNOWN, DWORD, REFIID, LPVOID *);
    LAZY(fn, f, L"ole32.dll", "CoCreateInstance");
    if (f)
        return f(clsid, outer, ctx, iid, out);
    *out = NULL;
    return last_hresult();
}

static VOID WINAPI lazy_SysFreeString(BSTR s)
{
    typedef VOID(WINAPI * fn)(BSTR);
    LAZY(fn, f, L"oleaut32.dll", "SysFreeString");
    if (f)
        f(s);
}

const bw_api bw_api_system = {
    .RegOpenKeyExW = RegOpenKeyExW,
    .RegCloseKey = RegCloseKey,
    .RegEnumKeyExW = RegEnumKeyExW,
    .RegQueryValueExW = RegQueryValueExW,
    .RegEnumValueW = RegEnumValueW,
    .RegQueryInfoKeyW = RegQueryInfoKeyW,
    .OpenSCManagerW = OpenSCManagerW,
    .EnumServicesStatusExW = EnumServicesStatusExW,
    .CloseServiceHandle = CloseServiceHandle,
    .GetComputerNameExW = GetComputerNameExW,
    .GetSystemTimeAsFileTime = GetSystemTimeAsFileTime,
    .CreateFileW = CreateFileW,
    .ReadFile = ReadFile,
    .GetFileSizeEx = GetFileSizeEx,
    .CloseHandle = CloseHandle,
    .GetStdHandle = GetStdHandle,
    .GetFileType = GetFileType,
    .WriteConsoleW = WriteConsoleW,
    .WriteFile = WriteFile,
    .RegCreateKeyExW = RegCreateKeyExW,
    .RegSetValueExW = RegSetValueExW,
    .RegDeleteTreeW = RegDeleteTreeW,
    .RegNotifyChangeKeyValue = RegNotifyChangeKeyValue,
    .OpenServiceW = OpenServiceW,
    .CreateServiceW = CreateServiceW,
    .ChangeServiceConfigW = ChangeServiceConfigW,
    .ChangeServiceConfig2W = ChangeServiceConfig2W,
    .DeleteService = DeleteService,
    .ControlService = ControlService,
    .QueryServiceStatusEx = QueryServiceStatusEx,
    .QueryServiceConfigW = QueryServiceConfigW,
    .QueryServiceConfig2W = QueryServiceConfig2W,
    .StartServiceW = StartServiceW,
    .EnumDependentServicesW = EnumDependentServicesW,
    .StartServiceCtrlDispatcherW = StartServiceCtrlDispatcherW,
    .RegisterServiceCtrlHandlerExW = RegisterServiceCtrlHandlerExW,
    .SetServiceStatus = SetServiceStatus,
    .RegisterEventSourceW = RegisterEventSourceW,
    .ReportEventW = ReportEventW,
    .DeregisterEventSource = DeregisterEventSource,
    .CreateEventW = CreateEventW,
    .SetEvent = SetEvent,
    .ResetEvent = ResetEvent,
    .WaitForMultipleObjects = WaitForMultipleObjects,
    .CreateDirectoryW = CreateDirectoryW,
    .MoveFileExW = MoveFileExW,
    .DeleteFileW = DeleteFileW,
    .SetFilePointerEx = SetFilePointerEx,
    .ExpandEnvironmentStringsW = ExpandEnvironmentStringsW,
    .GetModuleFileNameW = GetModuleFileNameW,
    .GetTickCount64 = GetTickCount64,
    .Sleep = Sleep,
    .SetConsoleCtrlHandler = SetConsoleCtrlHandler,
    .SHGetKnownFolderPath = lazy_SHGetKnownFolderPath,
    .CoTaskMemFree = lazy_CoTaskMemFree,
    .FindFirstFileW = FindFirstFileW,
    .FindNextFileW = FindNextFileW,
    .FindClose = FindClose,
    .ReadDirectoryChangesW = ReadDirectoryChangesW,
    .CancelIoEx = CancelIoEx,
    .GetOverlappedResult = GetOverlappedResult,
    .GetExtendedTcpTable = lazy_GetExtendedTcpTable,
    .OpenProcess = OpenProcess,
    .QueryFullProcessImageNameW = QueryFullProcessImageNameW,
    .CoInitializeEx = lazy_CoInitializeEx,
    .CoUninitialize = lazy_CoUninitialize,
    .CoCreateInstance = lazy_CoCreateInstance,
    .SysFreeString = lazy_SysFreeString,
    .GetSecurityInfo = GetSecurityInfo,
    .SetSecurityInfo = SetSecurityInfo,
    .ConvertStringSecurityDescriptorToSecurityDescriptorW =
        ConvertStringSecurityDescriptorToSecurityDescriptorW,
    .ConvertSidToStringSidW = ConvertSidToStringSidW,
    .ConvertStringSidToSidW = ConvertStringSidToSidW,
    .GetSecurityDescriptorControl = GetSecurityDescriptorControl,
    .GetSecurityDescriptorDacl = GetSecurityDescriptorDacl,
    .GetAclInformation = GetAclInformation,
    .GetAce = GetAce,
    .LocalFree = LocalFree,
    .GetCurrentProcess = GetCurrentProcess,
    .OpenProcessToken = OpenProcessToken,
    .GetTokenInformation = GetTokenInformation,
    .LookupPrivilegeValueW = LookupPrivilegeValueW,
    .AdjustTokenPrivileges = AdjustTokenPrivileges,
    .GetFileInformationByHandle = GetFileInformationByHandle,
    .HeapCreate = HeapCreate,
    .HeapAlloc = HeapAlloc,
    .HeapReAlloc = HeapReAlloc,
    .HeapFree = HeapFree,
    .HeapSize = HeapSize,
};
