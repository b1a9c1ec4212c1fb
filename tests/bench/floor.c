/*
 * floor.c - the least registry work that reads what banwatch's product and
 * service collectors read (a benchmark tool, not part of banwatch: plain
 * Win32). tests/bench/run.sh measures banwatch against it.
 *
 * The same keys and values, in the same views, with the same access, one
 * call each, into one buffer large enough for any of them (no size query,
 * no UTF-8, nothing kept):
 *   Uninstall (64-bit view, 32-bit view, each user hive under HKU): the
 *     subkeys; per entry one open, DisplayName, Publisher, DisplayVersion,
 *     ProductDisplayVersion, InstallLocation, UninstallString, DisplayIcon,
 *     InstallDate, SystemComponent, one close;
 *   services: the service control manager's list (its size, then one
 *     enumeration into a buffer that large), then
 *     the Services key's subkeys; per key one open, Type, Start,
 *     DelayedAutostart, ImagePath, Description, Group, the Instances subkey (and each instance's
 *     Altitude), one close. DisplayName comes from the service manager.
 *
 * Prints "floor uninstall_ms=U services_ms=S total_ms=T entries=N
 * services=M bytes=B" (times from QueryPerformanceCounter).
 */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define UNINSTALL_HKLM L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define UNINSTALL_USER L"Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define SERVICES       L"SYSTEM\\CurrentControlSet\\Services"
#define ACCESS         (KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS)

static BYTE data[64 * 1024 + 16];
static wchar_t name[32768];
static unsigned long long bytes;
static unsigned long entries, n_services;

static void value(HKEY k, const wchar_t *v)
{
    DWORD type, cb = sizeof data;
    if (RegQueryValueExW(k, v, NULL, &type, data, &cb) == ERROR_SUCCESS)
        bytes += cb;
}

static void uninstall_key(HKEY root, const wchar_t *path, REGSAM view)
{
    static const wchar_t *const values[] = {
        L"DisplayName",           L"Publisher",       L"DisplayVersion",
        L"ProductDisplayVersion", L"InstallLocation", L"UninstallString",
        L"DisplayIcon",           L"InstallDate",     L"SystemComponent",
    };
    HKEY parent;
    if (RegOpenKeyExW(root, path, 0, ACCESS | view, &parent) != ERROR_SUCCESS)
        return;
    for (DWORD i = 0;; i++) {
        DWORD len = sizeof name / sizeof name[0];
        if (RegEnumKeyExW(parent, i, name, &len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        HKEY k;
        if (RegOpenKeyExW(parent, name, 0, ACCESS | view, &k) != ERROR_SUCCESS)
            continue;
        entries++;
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
            value(k, values[v]);
        RegCloseKey(k);
    }
    RegCloseKey(parent);
}

static void uninstall(void)
{
    uninstall_key(HKEY_LOCAL_MACHINE, UNINSTALL_HKLM, KEY_WOW64_64KEY);
    HKEY w;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\WOW6432Node", 0, ACCESS | KEY_WOW64_64KEY,
                      &w) == ERROR_SUCCESS) {
        RegCloseKey(w);
        uninstall_key(HKEY_LOCAL_MACHINE, UNINSTALL_HKLM, KEY_WOW64_32KEY);
    }
    wchar_t sid[256], path[512];
    for (DWORD i = 0;; i++) {
        DWORD len = sizeof sid / sizeof sid[0];
        if (RegEnumKeyExW(HKEY_USERS, i, sid, &len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        if (len > 8 && _wcsicmp(sid + len - 8, L"_Classes") == 0)
            continue;
        swprintf(path, 512, L"%ls\\" UNINSTALL_USER, sid);
        uninstall_key(HKEY_USERS, path, KEY_WOW64_64KEY);
    }
}

/* The service manager's list in as few calls as it allows: one to learn
 * the size, one with a buffer that size (and a little more, for services
 * added meanwhile). */
static void scm(void)
{
    SC_HANDLE h = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    if (!h)
        return;
    BYTE probe[64];
    DWORD needed = 0, returned = 0, resume = 0;
    if (!EnumServicesStatusExW(h, SC_ENUM_PROCESS_INFO, SERVICE_WIN32 | SERVICE_DRIVER,
                               SERVICE_STATE_ALL, probe, sizeof probe, &needed, &returned,
                               &resume, NULL) &&
        GetLastError() == ERROR_MORE_DATA) {
        DWORD cb = needed + needed / 8 + 4096;
        BYTE *buf = malloc(cb);
        resume = 0;
        if (buf)
            EnumServicesStatusExW(h, SC_ENUM_PROCESS_INFO, SERVICE_WIN32 | SERVICE_DRIVER,
                                  SERVICE_STATE_ALL, buf, cb, &needed, &returned, &resume, NULL);
        free(buf);
    }
    CloseServiceHandle(h);
}

static void services(void)
{
    scm();
    HKEY parent;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, SERVICES, 0, ACCESS | KEY_WOW64_64KEY, &parent) !=
        ERROR_SUCCESS)
        return;
    wchar_t inst_name[512];
    for (DWORD i = 0;; i++) {
        DWORD len = sizeof name / sizeof name[0];
        if (RegEnumKeyExW(parent, i, name, &len, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        HKEY k, inst;
        if (RegOpenKeyExW(parent, name, 0, ACCESS | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS)
            continue;
        n_services++;
        value(k, L"Type");
        value(k, L"Start");
        value(k, L"DelayedAutostart");
        value(k, L"ImagePath");
        value(k, L"Description");
        value(k, L"Group");
        if (RegOpenKeyExW(k, L"Instances", 0, ACCESS | KEY_WOW64_64KEY, &inst) == ERROR_SUCCESS) {
            for (DWORD j = 0;; j++) {
                DWORD ilen = sizeof inst_name / sizeof inst_name[0];
                if (RegEnumKeyExW(inst, j, inst_name, &ilen, NULL, NULL, NULL, NULL) !=
                    ERROR_SUCCESS)
                    break;
                HKEY one;
                if (RegOpenKeyExW(inst, inst_name, 0, ACCESS | KEY_WOW64_64KEY, &one) ==
                    ERROR_SUCCESS) {
                    value(one, L"Altitude");
                    RegCloseKey(one);
                }
            }
            RegCloseKey(inst);
        }
        RegCloseKey(k);
    }
    RegCloseKey(parent);
}

static double ms_since(LARGE_INTEGER t0, LARGE_INTEGER f)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return (double)(t.QuadPart - t0.QuadPart) * 1000.0 / (double)f.QuadPart;
}

int main(void)
{
    LARGE_INTEGER f, t0, t1;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t0);
    uninstall();
    double u = ms_since(t0, f);
    QueryPerformanceCounter(&t1);
    services();
    double s = ms_since(t1, f);
    printf("floor uninstall_ms=%.2f services_ms=%.2f total_ms=%.2f entries=%lu services=%lu "
           "bytes=%llu\n",
           u, s, u + s, entries, n_services, bytes);
    return 0;
}
