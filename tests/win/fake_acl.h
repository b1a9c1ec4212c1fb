/*
 * fake_acl.h - a fake file system with owners and access control lists
 * behind an API table, for the tests of the data folder and of trusting
 * files (service/win/bw_datadir.c, bw_winsec.c), run under Wine.
 *
 * Wine keeps no security descriptors for files (every file is owned by the
 * Wine user and SetSecurityInfo changes nothing), so what banwatch does with
 * owners and ACLs on Windows is tested here. A separate table from
 * fake_api.h; it fills only the entries those files use, every other entry
 * is NULL (a call to one crashes the test, which cmocka reports).
 *
 * The model:
 *   - Objects (files and folders) by path, each with a security descriptor
 *     kept as SDDL text with an owner ("O:S-1-5-18D:P(A;;FA;;;SY)"), a
 *     reparse-point flag and a number of hard links.
 *   - CreateFileW opens an existing object (OPEN_EXISTING only; folders need
 *     FILE_FLAG_BACKUP_SEMANTICS); GetFileInformationByHandle tells its
 *     attributes and links; GetSecurityInfo returns its descriptor (built
 *     by the real ConvertStringSecurityDescriptorToSecurityDescriptorW, so
 *     the real ACL functions read it); SetSecurityInfo replaces its DACL
 *     (and owner) and needs WRITE_DAC (WRITE_OWNER) on the handle.
 *   - CreateDirectoryW makes a folder with the DACL of the descriptor it is
 *     given, owned by the token's user; ERROR_ALREADY_EXISTS if it exists.
 *   - MoveFileExW renames an object and everything under it.
 *   - The process token: its user SID (default SYSTEM), and privileges
 *     (LookupPrivilegeValueW, AdjustTokenPrivileges are counted).
 *   - SHGetKnownFolderPath gives "C:\ProgramData"; the clock is fixed at
 *     FAKE_ACL_NOW.
 *   - The pure security functions (SDDL and SID conversion, ACL reading,
 *     LocalFree) are the real ones.
 * Every handle opened must be closed (fake_acl_assert_no_leaks).
 */
#ifndef FAKE_ACL_H
#define FAKE_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "bw_api.h"

#define FAKE_ACL_NOW 1764500000 /* Unix seconds of the fake clock */

/* Clears everything (cmocka setup/teardown: fake_acl_setup). */
void fake_acl_reset(void);
int fake_acl_setup(void **state);
int fake_acl_teardown(void **state);
const bw_api *fake_acl_api(void);

/* HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList's
 * ProgramData value (of the registry type given); NULL: no such key
 * (the default). How often SHGetKnownFolderPath was asked. */
void fake_acl_program_data_value(const char *value, uint32_t type);
unsigned fake_acl_known_folder_calls(void);

/* An object at path (UTF-8) with this descriptor; replaces one there. */
void fake_acl_object(const char *path, bool dir, const char *sddl);
void fake_acl_reparse(const char *path);
void fake_acl_links(const char *path, unsigned n);
/* GetSecurityInfo / SetSecurityInfo of this object fail with err. */
void fake_acl_get_error(const char *path, uint32_t err);
void fake_acl_set_error(const char *path, uint32_t err);
/* MoveFileExW fails with err. */
void fake_acl_move_error(uint32_t err);
/* After every move, an object appears again at the old path with this
 * descriptor (someone racing banwatch); NULL stops it. */
void fake_acl_reappear(const char *sddl);
/* The SID the process runs as. */
void fake_acl_token(const char *sid);

/* The object's descriptor now (SDDL), or NULL when there is none. */
const char *fake_acl_sddl(const char *path);
/* The path of the n-th object (0-based) whose path starts with prefix, or
 * NULL. */
const char *fake_acl_find(const char *prefix, unsigned n);
/* Calls of SetSecurityInfo, and privileges enabled, since the reset. */
unsigned fake_acl_set_calls(void);
unsigned fake_acl_privileges(void);
void fake_acl_assert_no_leaks(void);

#endif
