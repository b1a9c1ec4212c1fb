/*
 * procinfo.c - what Windows says about a running process (a benchmark
 * tool, not part of banwatch: plain Win32): tests/bench/run.sh asks it
 * about the resident service.
 *
 *   procinfo.exe IMAGE.exe
 *
 * Finds the first process whose image is IMAGE.exe (any case) and prints
 * "pid=P private=B working_set=B peak_working_set=B handles=N
 * system_handles=S threads=T cpu_ms=C" from GetProcessMemoryInfo
 * (PrivateUsage: the process's committed private memory),
 * GetProcessHandleCount, the system's handle list
 * (NtQuerySystemInformation, SystemExtendedHandleInformation: the handles
 * whose owner is that process; Wine answers this one where it answers
 * GetProcessHandleCount with 0) and GetProcessTimes. Exit 1 when no such
 * process runs.
 */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

/* SystemExtendedHandleInformation (winternl.h does not describe it). */
typedef struct handle_entry {
    PVOID object;
    ULONG_PTR pid;
    ULONG_PTR handle;
    ULONG access;
    USHORT creator_back_trace;
    USHORT type;
    ULONG attributes;
    ULONG reserved;
} handle_entry;
typedef struct handle_info {
    ULONG_PTR count;
    ULONG_PTR reserved;
    handle_entry handles[1];
} handle_info;
typedef LONG(NTAPI *query_fn)(ULONG, PVOID, ULONG, PULONG);

/* The handles the system lists for pid, or -1 when it lists none. */
static long system_handles(DWORD pid)
{
    query_fn q = (query_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
                                                          "NtQuerySystemInformation");
    if (!q)
        return -1;
    for (ULONG size = 1u << 20; size <= 256u << 20; size *= 2) {
        handle_info *h = malloc(size);
        if (!h)
            return -1;
        ULONG got = 0;
        LONG st = q(64 /* SystemExtendedHandleInformation */, h, size, &got);
        if (st == 0) {
            long n = 0;
            for (ULONG_PTR i = 0; i < h->count; i++)
                n += h->handles[i].pid == pid;
            free(h);
            return n;
        }
        free(h);
        if (st != (LONG)0xC0000004) /* STATUS_INFO_LENGTH_MISMATCH */
            return -1;
    }
    return -1;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fwprintf(stderr, L"usage: procinfo.exe IMAGE.exe\n");
        return 2;
    }
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return 2;
    PROCESSENTRY32W pe = {.dwSize = sizeof pe};
    DWORD pid = 0, threads = 0;
    for (BOOL ok = Process32FirstW(snap, &pe); ok; ok = Process32NextW(snap, &pe))
        if (_wcsicmp(pe.szExeFile, argv[1]) == 0) {
            pid = pe.th32ProcessID;
            threads = pe.cntThreads;
            break;
        }
    CloseHandle(snap);
    if (!pid) {
        fwprintf(stderr, L"procinfo: no process %ls\n", argv[1]);
        return 1;
    }
    HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
    if (!h) {
        fwprintf(stderr, L"procinfo: cannot open process %lu (error %lu)\n", (unsigned long)pid,
                 (unsigned long)GetLastError());
        return 2;
    }
    PROCESS_MEMORY_COUNTERS_EX m = {.cb = sizeof m};
    DWORD handles = 0;
    FILETIME c, e, k, u;
    GetProcessMemoryInfo(h, (PROCESS_MEMORY_COUNTERS *)&m, sizeof m);
    GetProcessHandleCount(h, &handles);
    GetProcessTimes(h, &c, &e, &k, &u);
    ULONGLONG t = ((ULONGLONG)k.dwHighDateTime << 32 | k.dwLowDateTime) +
                  ((ULONGLONG)u.dwHighDateTime << 32 | u.dwLowDateTime);
    printf("pid=%lu private=%llu working_set=%llu peak_working_set=%llu handles=%lu "
           "system_handles=%ld threads=%lu cpu_ms=%.1f\n",
           (unsigned long)pid, (unsigned long long)m.PrivateUsage,
           (unsigned long long)m.WorkingSetSize, (unsigned long long)m.PeakWorkingSetSize,
           (unsigned long)handles, system_handles(pid), (unsigned long)threads, (double)t / 1e4);
    CloseHandle(h);
    return 0;
}
