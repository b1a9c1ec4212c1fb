/*
 * fake_api.h - a fake API table for the Win32 collector tests.
 *
 * Serves an in-memory registry (HKLM and HKU, with the 32-bit view modelled
 * as on 64-bit Windows: keys stored under HKLM\SOFTWARE\WOW6432Node and
 * SOFTWARE paths redirected there when KEY_WOW64_32KEY is given), a list
 * of services for EnumServicesStatusExW (buffer sizes and resume handles
 * honoured), a computer name and a clock. Handles are pointers to fake
 * objects; every handle opened must be closed (fake_assert_no_leaks), and
 * a bad or twice-closed handle fails the test, as does a call to an entry
 * the collectors have no business using or a registry open that asks for
 * write access.
 *
 * Failure injection: the Nth call of a function, a key that denies opens,
 * a value that fails or grows between the size query and the read.
 *
 * Registry paths given to the builders are UTF-8 and start with "HKLM\" or
 * "HKU\"; missing keys on the way are created.
 *
 * It also serves an in-memory file system (files with their bytes and
 * last-write time, directories) behind CreateFileW, ReadFile,
 * GetFileSizeEx, CloseHandle, FindFirstFileW, FindNextFileW and FindClose,
 * and ExpandEnvironmentStringsW over a small variable table. File and find
 * handles are accounted like the other handles; closing one with the
 * wrong function, or opening a file for writing, fails the test.
 *
 * And a TCP connection table (IPv4 and IPv6 rows with owning pids) behind
 * GetExtendedTcpTable, which can grow between calls, and processes behind
 * OpenProcess (PROCESS_QUERY_LIMITED_INFORMATION only) and
 * QueryFullProcessImageNameW; process handles are closed with CloseHandle
 * and accounted like the others. An unknown pid fails to open with
 * ERROR_INVALID_PARAMETER, as for a process that has exited.
 */
#ifndef FAKE_API_H
#define FAKE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_api.h"

/* Clears the registry, services, injections and counters; frees any
 * handle still open. Call at the start (and end) of every test. */
void fake_reset(void);

/* The fake table. */
const bw_api *fake_api(void);

/* ---- registry ------------------------------------------------------------ */

/* Creates a key (and its parents). */
void fake_reg_key(const char *path);
/* Creates a subkey of `parent` whose name is given as raw UTF-16 units
 * (e.g. with a lone surrogate). */
void fake_reg_key_units(const char *parent, const uint16_t *name, size_t n_units);
/* A REG_SZ / REG_EXPAND_SZ value holding s with its NUL terminator. */
void fake_reg_sz(const char *path, const char *name, const char *s);
void fake_reg_expand_sz(const char *path, const char *name, const char *s);
/* A REG_DWORD value. */
void fake_reg_dword(const char *path, const char *name, uint32_t v);
/* A REG_MULTI_SZ value: the n strings, each NUL-terminated, and the final
 * NUL (omitted when double_nul is false). */
void fake_reg_multi_sz(const char *path, const char *name, const char *const *items, size_t n,
                       bool double_nul);
/* A value of any type with raw bytes (size may be odd). */
void fake_reg_raw(const char *path, const char *name, uint32_t type, const void *data,
                  size_t size);

/* Opening this key fails with `err` (e.g. ERROR_ACCESS_DENIED). */
void fake_reg_deny(const char *path, uint32_t err);
/* Reading this value (RegQueryValueExW) fails with `err`. */
void fake_reg_value_error(const char *path, const char *name, uint32_t err);
/* After each of the next `times` size queries (no data buffer) of this
 * value, the value grows by the UTF-16 text "XY" (inserted before the
 * terminator of a string): the read that follows gets ERROR_MORE_DATA. */
void fake_reg_value_grows(const char *path, const char *name, unsigned times);
/* Another program deleting subkeys while this key's are listed: each of
 * the next `times` times RegEnumKeyExW of this key is asked for index
 * `at`, its first subkey is deleted first (so the one after it slides to
 * an index already listed, as on Windows). RegQueryInfoKeyW reports the
 * change (subkey count, last write time). */
void fake_reg_churn(const char *path, unsigned at, unsigned times);
/* When false, KEY_WOW64_32KEY is ignored (a 32-bit system or a prefix
 * without WOW64): both views show the same keys. Default true. */
void fake_set_wow64(bool on);

/* ---- services ------------------------------------------------------------ */

/* Adds a service the SCM lists (display may be NULL). */
void fake_svc(const char *name, const char *display, uint32_t type, uint32_t state);
/* OpenSCManagerW fails with err (0: succeeds again). */
void fake_scm_open_error(uint32_t err);
/* EnumServicesStatusExW returns at most n entries per call (0: no limit). */
void fake_scm_page(size_t n);

/* ---- host ------------------------------------------------------------------ */

/* The names GetComputerNameExW returns; NULL makes that form fail with
 * ERROR_FILE_NOT_FOUND. Defaults: "host.example.test" and "HOST". */
void fake_set_computer_name(const char *dns_hostname, const char *netbios);
void fake_set_filetime(uint64_t ticks);

/* ---- files and the environment ------------------------------------------- */

/* Paths are UTF-8 Windows paths ("C:\ProgramData\x.xml"), compared
 * case-insensitively; missing parent directories are created. A trailing
 * backslash is ignored. Times are FILETIME ticks (100 ns since 1601). */

/* FILETIME ticks of a Unix time (seconds, UTC). */
#define FAKE_FT(unix_seconds) (((uint64_t)(unix_seconds) + 11644473600ULL) * 10000000ULL)

/* Creates a directory (and its parents). */
void fake_dir(const char *path);
/* Creates or replaces a file holding size bytes of data, last written at
 * `mtime` (FILETIME ticks). */
void fake_file(const char *path, const void *data, size_t size, uint64_t mtime);
/* Opening this existing file (CreateFileW) or listing this existing
 * directory (FindFirstFileW) fails with `err`. */
void fake_fs_deny(const char *path, uint32_t err);
/* ReadFile on this existing file fails with `err`. */
void fake_file_read_error(const char *path, uint32_t err);
/* Sets an environment variable for ExpandEnvironmentStringsW (value NULL
 * removes it). Defaults: ProgramData and ALLUSERSPROFILE = C:\ProgramData,
 * SystemDrive = C:. */
void fake_env(const char *name, const char *value);

/* ---- TCP connections and processes ------------------------------------------ */

/* An IPv4 address in host order from its four bytes (FAKE_IP4(192,0,2,1)). */
#define FAKE_IP4(a, b, c, d) \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Adds an IPv4 connection row (addresses in host order, ports as numbers;
 * the fake stores them in network byte order as Windows does). */
void fake_tcp4(uint32_t local, uint16_t local_port, uint32_t remote, uint16_t remote_port,
               uint32_t state, uint32_t pid);
/* Adds an IPv6 connection row (addresses as 16 bytes, network order). */
void fake_tcp6(const uint8_t local[16], uint16_t local_port, const uint8_t remote[16],
               uint16_t remote_port, uint32_t state, uint32_t pid);
/* After each of the next `times` IPv4 calls that answer
 * ERROR_INSUFFICIENT_BUFFER, `rows` more rows (copies of the last row with
 * new local ports) are added: the table grows between calls. */
void fake_tcp_grow(unsigned times, size_t rows);
/* GetExtendedTcpTable for AF_INET6 fails with ERROR_NOT_SUPPORTED (no
 * IPv6 stack). */
void fake_tcp6_unsupported(void);
/* A running process and its image path (UTF-8). */
void fake_process(uint32_t pid, const char *image);
/* OpenProcess of pid fails with err (e.g. ERROR_ACCESS_DENIED). */
void fake_process_deny(uint32_t pid, uint32_t err);
/* QueryFullProcessImageNameW of pid fails with err. */
void fake_process_image_error(uint32_t pid, uint32_t err);

/* ---- failure injection and accounting --------------------------------------- */

typedef enum fake_fn {
    FAKE_RegOpenKeyExW,
    FAKE_RegCloseKey,
    FAKE_RegEnumKeyExW,
    FAKE_RegQueryValueExW,
    FAKE_RegEnumValueW,
    FAKE_OpenSCManagerW,
    FAKE_EnumServicesStatusExW,
    FAKE_CloseServiceHandle,
    FAKE_GetComputerNameExW,
    FAKE_CreateFileW,
    FAKE_ReadFile,
    FAKE_GetFileSizeEx,
    FAKE_FindFirstFileW,
    FAKE_FindNextFileW,
    FAKE_ExpandEnvironmentStringsW,
    FAKE_GetExtendedTcpTable,
    FAKE_OpenProcess,
    FAKE_QueryFullProcessImageNameW,
    FAKE_RegQueryInfoKeyW,
    FAKE_FN_COUNT
} fake_fn;

/* The nth call (1-based, counted since fake_reset) of fn fails with err.
 * Up to 32 injections at once. */
void fake_fail(fake_fn fn, unsigned nth, uint32_t err);
/* Milliseconds the code under test asked Sleep for since fake_setup. */
unsigned long fake_slept_ms(void);
/* Calls of fn since fake_reset. */
unsigned fake_calls(fake_fn fn);
/* Handles (keys, SCM, file and find handles) currently open. */
size_t fake_open_handles(void);
/* Fails the test if a handle is still open. */
void fake_assert_no_leaks(void);

/* cmocka setup/teardown: a fresh fake before and after each test. */
int fake_setup(void **state);
int fake_teardown(void **state);

#endif
