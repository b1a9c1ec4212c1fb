/*
 * seed.c - fills a Wine prefix's registry with a synthetic machine for the
 * benchmarks (a test tool, not part of banwatch: plain Win32).
 *
 *   seed.exe --uninstall N [--services M] [--kaspersky]
 *
 * Uninstall: N entries with the values a real machine has (DisplayName,
 * Publisher, DisplayVersion, InstallLocation, UninstallString, DisplayIcon,
 * InstallDate; some with SystemComponent, some MSI GUID names, some named
 * after the product), two in five under WOW6432Node and one in a hundred
 * in the user's hive (HKCU). Services: M services and drivers (Type,
 * Start, ImagePath, DisplayName, Group; a Description on some; every
 * twentieth driver a minifilter with Instances\...\Altitude). Start is 3
 * (demand) or 4 (disabled) only: an automatic or boot start would make
 * Wine's service manager try to start a program that does not exist.
 * --kaspersky adds a few of the vendor's products, services and drivers.
 * The same N and M always give the same machine. Prints what it wrote.
 */
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define UNINSTALL   L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define UNINSTALL32 L"SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define SERVICES    L"SYSTEM\\CurrentControlSet\\Services"

static const wchar_t *const vendors[] = {
    L"Contoso Ltd.",         L"Fabrikam, Inc.",
    L"Northwind Traders",    L"Adventure Works",
    L"Litware Inc.",         L"Tailspin Toys",
    L"Wide World Importers", L"Proseware, Inc.",
    L"Woodgrove Bank",       L"Fourth Coffee",
    L"Alpine Ski House",     L"Coho Winery",
    L"Humongous Insurance",  L"Lucerne Publishing",
    L"Margie's Travel",      L"Trey Research",
    L"VanArsdel, Ltd.",      L"Wingtip Toys",
    L"Blue Yonder Airlines", L"Graphic Design Institute",
};
static const wchar_t *const words[] = {
    L"Studio",  L"Runtime", L"Viewer",          L"Agent",     L"Toolkit",       L"Player",
    L"Manager", L"Suite",   L"Redistributable", L"Connector", L"Update Helper", L"Designer",
    L"Driver",  L"Client",  L"Server",          L"SDK",       L"Language Pack",
};

static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static unsigned long n_keys, n_values;

static void die(const wchar_t *what, LSTATUS rc)
{
    fwprintf(stderr, L"seed: %ls: error %ld\n", what, (long)rc);
    exit(1);
}

static HKEY create(HKEY root, const wchar_t *path)
{
    HKEY k;
    LSTATUS rc =
        RegCreateKeyExW(root, path, 0, NULL, 0, KEY_ALL_ACCESS | KEY_WOW64_64KEY, NULL, &k, NULL);
    if (rc != ERROR_SUCCESS)
        die(path, rc);
    n_keys++;
    return k;
}

static void sz(HKEY k, const wchar_t *name, DWORD type, const wchar_t *v)
{
    LSTATUS rc =
        RegSetValueExW(k, name, 0, type, (const BYTE *)v, (DWORD)(wcslen(v) + 1) * sizeof *v);
    if (rc != ERROR_SUCCESS)
        die(name, rc);
    n_values++;
}

static void dword(HKEY k, const wchar_t *name, DWORD v)
{
    LSTATUS rc = RegSetValueExW(k, name, 0, REG_DWORD, (const BYTE *)&v, sizeof v);
    if (rc != ERROR_SUCCESS)
        die(name, rc);
    n_values++;
}

static void product(HKEY root, const wchar_t *parent, unsigned i, const wchar_t *name,
                    const wchar_t *publisher, const wchar_t *version, bool x86)
{
    wchar_t path[512], guid[64], dir[300], v[600];
    swprintf(guid, 64, L"{%08X-%04X-%04X-%04X-%04X%08X}", 0x1A2B0000u + i, rnd(65536), rnd(65536),
             rnd(65536), rnd(65536), 0x5EED0000u + i);
    bool msi = rnd(3) != 0;
    if (msi)
        swprintf(path, 512, L"%ls\\%ls", parent, guid);
    else
        swprintf(path, 512, L"%ls\\%ls %u", parent, name, i);
    HKEY k = create(root, path);
    sz(k, L"DisplayName", REG_SZ, name);
    sz(k, L"Publisher", REG_SZ, publisher);
    sz(k, L"DisplayVersion", REG_SZ, version);
    swprintf(dir, 300, L"C:\\Program Files%ls\\%ls\\%ls\\", x86 ? L" (x86)" : L"", publisher,
             name);
    sz(k, L"InstallLocation", REG_SZ, dir);
    if (msi)
        swprintf(v, 600, L"MsiExec.exe /X%ls", guid);
    else
        swprintf(v, 600, L"\"%lsuninstall.exe\" /uninstall /product=%u", dir, i);
    sz(k, L"UninstallString", REG_EXPAND_SZ, v);
    swprintf(v, 600, L"%lsapp%u.exe,0", dir, i % 7);
    sz(k, L"DisplayIcon", REG_SZ, v);
    swprintf(v, 600, L"20%02u%02u%02u", 15 + rnd(10), 1 + rnd(12), 1 + rnd(28));
    sz(k, L"InstallDate", REG_SZ, v);
    if (rnd(10) == 0)
        dword(k, L"SystemComponent", 1);
    dword(k, L"EstimatedSize", 1000 + rnd(500000));
    dword(k, L"NoModify", 1);
    RegCloseKey(k);
}

static void uninstall(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        wchar_t name[200], version[64];
        const wchar_t *pub = vendors[rnd(sizeof vendors / sizeof vendors[0])];
        swprintf(name, 200, L"%ls %ls %ls %u", pub, words[rnd(sizeof words / sizeof words[0])],
                 words[rnd(sizeof words / sizeof words[0])], 2010 + rnd(15));
        swprintf(version, 64, L"%u.%u.%u.%u", rnd(30), rnd(10), rnd(10000), rnd(100));
        unsigned where = rnd(100);
        if (where == 0)
            product(HKEY_CURRENT_USER, UNINSTALL, i, name, pub, version, false);
        else if (where < 40)
            product(HKEY_LOCAL_MACHINE, UNINSTALL32, i, name, pub, version, true);
        else
            product(HKEY_LOCAL_MACHINE, UNINSTALL, i, name, pub, version, false);
    }
}

static void service(const wchar_t *name, const wchar_t *display, DWORD type, DWORD start,
                    const wchar_t *image, const wchar_t *group, const wchar_t *altitude)
{
    wchar_t path[300];
    swprintf(path, 300, SERVICES L"\\%ls", name);
    HKEY k = create(HKEY_LOCAL_MACHINE, path);
    dword(k, L"Type", type);
    dword(k, L"Start", start);
    dword(k, L"ErrorControl", 1);
    sz(k, L"ImagePath", REG_EXPAND_SZ, image);
    sz(k, L"DisplayName", REG_SZ, display);
    if (group)
        sz(k, L"Group", REG_SZ, group);
    if (type == SERVICE_WIN32_OWN_PROCESS) {
        sz(k, L"ObjectName", REG_SZ, L"LocalSystem");
        if (rnd(2))
            sz(k, L"Description", REG_SZ, L"Keeps the product up to date and reports its state.");
    }
    RegCloseKey(k);
    if (altitude) {
        swprintf(path, 300, SERVICES L"\\%ls\\Instances", name);
        k = create(HKEY_LOCAL_MACHINE, path);
        swprintf(path, 300, L"%ls Instance", name);
        sz(k, L"DefaultInstance", REG_SZ, path);
        RegCloseKey(k);
        swprintf(path, 300, SERVICES L"\\%ls\\Instances\\%ls Instance", name, name);
        k = create(HKEY_LOCAL_MACHINE, path);
        sz(k, L"Altitude", REG_SZ, altitude);
        dword(k, L"Flags", 0);
        RegCloseKey(k);
    }
}

static void services(unsigned n)
{
    static const wchar_t *const groups[] = {L"Base", L"Network", L"FSFilter Activity Monitor",
                                            L"PNP_TDI", L"Extended Base"};
    for (unsigned i = 0; i < n; i++) {
        wchar_t name[64], display[200], image[300], alt[32];
        const wchar_t *pub = vendors[i % (sizeof vendors / sizeof vendors[0])];
        DWORD start = rnd(4) ? 3 : 4;
        if (i % 3 == 0) { /* a driver */
            swprintf(name, 64, L"bwdrv%05u", i);
            swprintf(display, 200, L"%ls %ls Driver %u", pub, words[rnd(17)], i);
            swprintf(image, 300, L"\\SystemRoot\\System32\\drivers\\bwdrv%05u.sys", i);
            bool mini = i % 60 == 0;
            swprintf(alt, 32, L"%u", 320000 + i);
            service(name, display, SERVICE_KERNEL_DRIVER, start, image,
                    mini ? L"FSFilter Activity Monitor" : groups[rnd(5)], mini ? alt : NULL);
        } else {
            swprintf(name, 64, L"bwsvc%05u", i);
            swprintf(display, 200, L"%ls %ls Service %u", pub, words[rnd(17)], i);
            swprintf(image, 300, L"\"C:\\Program Files\\%ls\\svc%05u.exe\" -service", pub, i);
            service(name, display, SERVICE_WIN32_OWN_PROCESS, start, image,
                    rnd(4) ? NULL : L"Extended Base", NULL);
        }
    }
}

static void kaspersky(void)
{
    product(HKEY_LOCAL_MACHINE, UNINSTALL32, 900001, L"Kaspersky Endpoint Security for Windows",
            L"AO Kaspersky Lab", L"12.3.0.493", true);
    product(HKEY_LOCAL_MACHINE, UNINSTALL32, 900002, L"Kaspersky Security Center Network Agent",
            L"AO Kaspersky Lab", L"14.2.0.26967", true);
    product(HKEY_LOCAL_MACHINE, UNINSTALL, 900003, L"Kaspersky Anti-Ransomware Tool",
            L"Kaspersky", L"5.0.0.67", false);
    service(L"AVP", L"Kaspersky Endpoint Security Service", SERVICE_WIN32_OWN_PROCESS, 3,
            L"\"C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\avp.exe\" -r", NULL, NULL);
    service(L"klnagent", L"Kaspersky Security Center Network Agent", SERVICE_WIN32_OWN_PROCESS, 3,
            L"\"C:\\Program Files (x86)\\Kaspersky Lab\\NetworkAgent\\klnagent.exe\"", NULL,
            NULL);
    service(L"klif", L"Kaspersky Lab Driver", SERVICE_KERNEL_DRIVER, 3,
            L"system32\\DRIVERS\\klif.sys", L"FSFilter Anti-Virus", L"323610");
    service(L"kneps", L"kneps", SERVICE_KERNEL_DRIVER, 3, L"system32\\DRIVERS\\kneps.sys",
            L"PNP_TDI", NULL);
    service(L"klflt", L"Kaspersky Lab klflt", SERVICE_KERNEL_DRIVER, 3,
            L"system32\\DRIVERS\\klflt.sys", L"FSFilter Anti-Virus", L"323620");
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    unsigned n_uninstall = 0, n_services = 0;
    bool kl = false;
    for (int i = 1; i < argc; i++) {
        if (wcscmp(argv[i], L"--uninstall") == 0 && i + 1 < argc)
            n_uninstall = (unsigned)wcstoul(argv[++i], NULL, 10);
        else if (wcscmp(argv[i], L"--services") == 0 && i + 1 < argc)
            n_services = (unsigned)wcstoul(argv[++i], NULL, 10);
        else if (wcscmp(argv[i], L"--kaspersky") == 0)
            kl = true;
        else {
            fwprintf(stderr, L"usage: seed.exe --uninstall N [--services M] [--kaspersky]\n");
            return 2;
        }
    }
    uninstall(n_uninstall);
    services(n_services);
    if (kl)
        kaspersky();
    printf("seeded %u uninstall entries, %u services and drivers%s: %lu keys, %lu values\n",
           n_uninstall, n_services, kl ? ", Kaspersky" : "", n_keys, n_values);
    return 0;
}
