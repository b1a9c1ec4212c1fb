/*
 * bw_api.h - the API table: the one seam through which service/win reaches
 * the operating system (Win32 layer).
 *
 * Production code calls Win32 only through a `const bw_api *`; tests hand
 * in a fake table (tests/win/fake_api.c) that serves an in-memory registry
 * and service list and can make any call fail. This is SQLite's syscall
 * override idea: no #ifdef TEST, no link-time wrapping (which cannot reach
 * DLL imports), no macro renames. Each entry has the exact Win32 prototype.
 *
 * Handles (HKEY, SC_HANDLE, HANDLE) never leave service/win.
 */
#ifndef BW_API_H
#define BW_API_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>
#include <aclapi.h>
#include <iphlpapi.h>
#include <knownfolders.h>
#include <sddl.h>
#include <shlobj.h>

typedef struct bw_api {
    /* registry */
    LSTATUS(WINAPI *RegOpenKeyExW)(HKEY, LPCWSTR, DWORD, REGSAM, PHKEY);
    LSTATUS(WINAPI *RegCloseKey)(HKEY);
    LSTATUS(WINAPI *RegEnumKeyExW)
    (HKEY, DWORD, LPWSTR, LPDWORD, LPDWORD, LPWSTR, LPDWORD, PFILETIME);
    LSTATUS(WINAPI *RegQueryValueExW)(HKEY, LPCWSTR, LPDWORD, LPDWORD, LPBYTE, LPDWORD);
    LSTATUS(WINAPI *RegEnumValueW)
    (HKEY, DWORD, LPWSTR, LPDWORD, LPDWORD, LPDWORD, LPBYTE, LPDWORD);
    LSTATUS(WINAPI *RegQueryInfoKeyW)
    (HKEY, LPWSTR, LPDWORD, LPDWORD, LPDWORD, LPDWORD, LPDWORD, LPDWORD, LPDWORD, LPDWORD,
     LPDWORD, PFILETIME);

    /* service control manager */
    SC_HANDLE(WINAPI *OpenSCManagerW)(LPCWSTR, LPCWSTR, DWORD);
    BOOL(WINAPI *EnumServicesStatusExW)
    (SC_HANDLE, SC_ENUM_TYPE, DWORD, DWORD, LPBYTE, DWORD, LPDWORD, LPDWORD, LPDWORD, LPCWSTR);
    BOOL(WINAPI *CloseServiceHandle)(SC_HANDLE);

    /* system information */
    BOOL(WINAPI *GetComputerNameExW)(COMPUTER_NAME_FORMAT, LPWSTR, LPDWORD);
    VOID(WINAPI *GetSystemTimeAsFileTime)(LPFILETIME);

    /* files */
    HANDLE(WINAPI *CreateFileW)
    (LPCWSTR, DWORD, DWORD, LPSECURITY_ATTRIBUTES, DWORD, DWORD, HANDLE);
    BOOL(WINAPI *ReadFile)(HANDLE, LPVOID, DWORD, LPDWORD, LPOVERLAPPED);
    BOOL(WINAPI *GetFileSizeEx)(HANDLE, PLARGE_INTEGER);
    BOOL(WINAPI *CloseHandle)(HANDLE);

    /* console output */
    HANDLE(WINAPI *GetStdHandle)(DWORD);
    DWORD(WINAPI *GetFileType)(HANDLE);
    BOOL(WINAPI *WriteConsoleW)(HANDLE, const VOID *, DWORD, LPDWORD, LPVOID);
    BOOL(WINAPI *WriteFile)(HANDLE, LPCVOID, DWORD, LPDWORD, LPOVERLAPPED);

    /* registry writes and change notification */
    LSTATUS(WINAPI *RegCreateKeyExW)
    (HKEY, LPCWSTR, DWORD, LPWSTR, DWORD, REGSAM, const LPSECURITY_ATTRIBUTES, PHKEY, LPDWORD);
    LSTATUS(WINAPI *RegSetValueExW)(HKEY, LPCWSTR, DWORD, DWORD, const BYTE *, DWORD);
    LSTATUS(WINAPI *RegDeleteTreeW)(HKEY, LPCWSTR);
    LSTATUS(WINAPI *RegNotifyChangeKeyValue)(HKEY, BOOL, DWORD, HANDLE, BOOL);

    /* service control and the service's own lifecycle */
    SC_HANDLE(WINAPI *OpenServiceW)(SC_HANDLE, LPCWSTR, DWORD);
    SC_HANDLE(WINAPI *CreateServiceW)
    (SC_HANDLE, LPCWSTR, LPCWSTR, DWORD, DWORD, DWORD, DWORD, LPCWSTR, LPCWSTR, LPDWORD, LPCWSTR,
     LPCWSTR, LPCWSTR);
    BOOL(WINAPI *ChangeServiceConfigW)
    (SC_HANDLE, DWORD, DWORD, DWORD, LPCWSTR, LPCWSTR, LPDWORD, LPCWSTR, LPCWSTR, LPCWSTR,
     LPCWSTR);
    BOOL(WINAPI *ChangeServiceConfig2W)(SC_HANDLE, DWORD, LPVOID);
    BOOL(WINAPI *DeleteService)(SC_HANDLE);
    BOOL(WINAPI *ControlService)(SC_HANDLE, DWORD, LPSERVICE_STATUS);
    BOOL(WINAPI *QueryServiceStatusEx)(SC_HANDLE, SC_STATUS_TYPE, LPBYTE, DWORD, LPDWORD);
    BOOL(WINAPI *QueryServiceConfigW)(SC_HANDLE, LPQUERY_SERVICE_CONFIGW, DWORD, LPDWORD);
    BOOL(WINAPI *QueryServiceConfig2W)(SC_HANDLE, DWORD, LPBYTE, DWORD, LPDWORD);
    BOOL(WINAPI *StartServiceW)(SC_HANDLE, DWORD, LPCWSTR *);
    BOOL(WINAPI *EnumDependentServicesW)
    (SC_HANDLE, DWORD, LPENUM_SERVICE_STATUSW, DWORD, LPDWORD, LPDWORD);
    BOOL(WINAPI *StartServiceCtrlDispatcherW)(const SERVICE_TABLE_ENTRYW *);
    SERVICE_STATUS_HANDLE(WINAPI *RegisterServiceCtrlHandlerExW)
    (LPCWSTR, LPHANDLER_FUNCTION_EX, LPVOID);
    BOOL(WINAPI *SetServiceStatus)(SERVICE_STATUS_HANDLE, LPSERVICE_STATUS);

    /* Event Log */
    HANDLE(WINAPI *RegisterEventSourceW)(LPCWSTR, LPCWSTR);
    BOOL(WINAPI *ReportEventW)(HANDLE, WORD, WORD, DWORD, PSID, WORD, DWORD, LPCWSTR *, LPVOID);
    BOOL(WINAPI *DeregisterEventSource)(HANDLE);

    /* synchronisation */
    HANDLE(WINAPI *CreateEventW)(LPSECURITY_ATTRIBUTES, BOOL, BOOL, LPCWSTR);
    BOOL(WINAPI *SetEvent)(HANDLE);
    BOOL(WINAPI *ResetEvent)(HANDLE);
    DWORD(WINAPI *WaitForMultipleObjects)(DWORD, const HANDLE *, BOOL, DWORD);

    /* files and the environment */
    BOOL(WINAPI *CreateDirectoryW)(LPCWSTR, LPSECURITY_ATTRIBUTES);
    BOOL(WINAPI *MoveFileExW)(LPCWSTR, LPCWSTR, DWORD);
    BOOL(WINAPI *DeleteFileW)(LPCWSTR);
    BOOL(WINAPI *SetFilePointerEx)(HANDLE, LARGE_INTEGER, PLARGE_INTEGER, DWORD);
    DWORD(WINAPI *ExpandEnvironmentStringsW)(LPCWSTR, LPWSTR, DWORD);
    DWORD(WINAPI *GetModuleFileNameW)(HMODULE, LPWSTR, DWORD);
    ULONGLONG(WINAPI *GetTickCount64)(void);
    VOID(WINAPI *Sleep)(DWORD);
    BOOL(WINAPI *SetConsoleCtrlHandler)(PHANDLER_ROUTINE, BOOL);
    HRESULT(WINAPI *SHGetKnownFolderPath)(REFKNOWNFOLDERID, DWORD, HANDLE, PWSTR *);
    VOID(WINAPI *CoTaskMemFree)(LPVOID);

    /* directory listing and file times (update evidence) */
    HANDLE(WINAPI *FindFirstFileW)(LPCWSTR, LPWIN32_FIND_DATAW);
    BOOL(WINAPI *FindNextFileW)(HANDLE, LPWIN32_FIND_DATAW);
    BOOL(WINAPI *FindClose)(HANDLE);

    /* directory change notification (signature bases folders) */
    BOOL(WINAPI *ReadDirectoryChangesW)
    (HANDLE, LPVOID, DWORD, BOOL, DWORD, LPDWORD, LPOVERLAPPED, LPOVERLAPPED_COMPLETION_ROUTINE);
    BOOL(WINAPI *CancelIoEx)(HANDLE, LPOVERLAPPED);
    BOOL(WINAPI *GetOverlappedResult)(HANDLE, LPOVERLAPPED, LPDWORD, BOOL);

    /* TCP connections and their processes (live KSN connections); process
     * handles are closed with CloseHandle */
    DWORD(WINAPI *GetExtendedTcpTable)(PVOID, PDWORD, BOOL, ULONG, TCP_TABLE_CLASS, ULONG);
    HANDLE(WINAPI *OpenProcess)(DWORD, BOOL, DWORD);
    BOOL(WINAPI *QueryFullProcessImageNameW)(HANDLE, DWORD, LPWSTR, PDWORD);

    /* COM (Windows Security Center's product list); interfaces are called
     * through their own vtables (bw_wsc.h), BSTRs freed with SysFreeString */
    HRESULT(WINAPI *CoInitializeEx)(LPVOID, DWORD);
    VOID(WINAPI *CoUninitialize)(void);
    HRESULT(WINAPI *CoCreateInstance)(REFCLSID, LPUNKNOWN, DWORD, REFIID, LPVOID *);
    VOID(WINAPI *SysFreeString)(BSTR);

    /* security: who owns banwatch's files and folder and who may change
     * them; the account it runs as. Descriptors and strings returned are
     * freed with LocalFree. */
    DWORD(WINAPI *GetSecurityInfo)
    (HANDLE, SE_OBJECT_TYPE, SECURITY_INFORMATION, PSID *, PSID *, PACL *, PACL *,
     PSECURITY_DESCRIPTOR *);
    DWORD(WINAPI *SetSecurityInfo)
    (HANDLE, SE_OBJECT_TYPE, SECURITY_INFORMATION, PSID, PSID, PACL, PACL);
    BOOL(WINAPI *ConvertStringSecurityDescriptorToSecurityDescriptorW)
    (LPCWSTR, DWORD, PSECURITY_DESCRIPTOR *, PULONG);
    BOOL(WINAPI *ConvertSidToStringSidW)(PSID, LPWSTR *);
    BOOL(WINAPI *ConvertStringSidToSidW)(LPCWSTR, PSID *);
    BOOL(WINAPI *GetSecurityDescriptorControl)
    (PSECURITY_DESCRIPTOR, PSECURITY_DESCRIPTOR_CONTROL, LPDWORD);
    BOOL(WINAPI *GetSecurityDescriptorDacl)(PSECURITY_DESCRIPTOR, LPBOOL, PACL *, LPBOOL);
    BOOL(WINAPI *GetAclInformation)(PACL, LPVOID, DWORD, ACL_INFORMATION_CLASS);
    BOOL(WINAPI *GetAce)(PACL, DWORD, LPVOID *);
    HLOCAL(WINAPI *LocalFree)(HLOCAL);
    HANDLE(WINAPI *GetCurrentProcess)(void);
    BOOL(WINAPI *OpenProcessToken)(HANDLE, DWORD, PHANDLE);
    BOOL(WINAPI *GetTokenInformation)(HANDLE, TOKEN_INFORMATION_CLASS, LPVOID, DWORD, PDWORD);
    BOOL(WINAPI *LookupPrivilegeValueW)(LPCWSTR, LPCWSTR, PLUID);
    BOOL(WINAPI *AdjustTokenPrivileges)
    (HANDLE, BOOL, PTOKEN_PRIVILEGES, DWORD, PTOKEN_PRIVILEGES, PDWORD);
    BOOL(WINAPI *GetFileInformationByHandle)(HANDLE, LPBY_HANDLE_FILE_INFORMATION);

    /* a private heap (SQLite's memory, bw_sqlheap.h) */
    HANDLE(WINAPI *HeapCreate)(DWORD, SIZE_T, SIZE_T);
    LPVOID(WINAPI *HeapAlloc)(HANDLE, DWORD, SIZE_T);
    LPVOID(WINAPI *HeapReAlloc)(HANDLE, DWORD, LPVOID, SIZE_T);
    BOOL(WINAPI *HeapFree)(HANDLE, DWORD, LPVOID);
    SIZE_T(WINAPI *HeapSize)(HANDLE, DWORD, LPCVOID);
} bw_api;

/* The table of the real Win32 functions. */
extern const bw_api bw_api_system;

#endif
