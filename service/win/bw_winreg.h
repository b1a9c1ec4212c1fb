/*
 * bw_winreg.h - safe registry reading for the collectors (Win32 layer).
 *
 * The registry is data the machine's users and software wrote, so nothing
 * it returns is trusted: value sizes are bounded (BW_WIN_MAX_VALUE_BYTES),
 * sizes reported back by the API are clamped to the buffer handed in,
 * strings are NUL-terminated here (size from the byte count, stop at an
 * embedded NUL, drop an odd trailing byte), a value that grows between the
 * size query and the read is re-read a bounded number of times, and
 * enumerations stop after BW_WIN_MAX_SUBKEYS / BW_WIN_MAX_VALUES items.
 *
 * A reader of many values hands in a bw_win_regbuf it owns: each value is
 * read straight into it with one call, and only a value larger than the
 * buffer (ERROR_MORE_DATA) costs a size query and a larger buffer, within
 * the same bounds. A one-off read (no buffer) asks the size first.
 *
 * Every call goes through the API table. Names and paths are UTF-8; the
 * conversion to and from UTF-16 happens here. HKEYs are handed to callers
 * inside service/win only.
 *
 * Failures come back as a bw_err plus a bw_win_status that keeps the raw
 * Win32 code and a ready-made reason for a gap record ("access denied (5)",
 * "wrong value type REG_BINARY", "invalid UTF-16", ...).
 */
#ifndef BW_WINREG_H
#define BW_WINREG_H

#include <stdbool.h>
#include <stdint.h>

#include "bw_api.h"
#include "bw_winerr.h"
#include "../core/bw_snapshot.h"

/* Limits against hostile or corrupt data. */
#define BW_WIN_MAX_SUBKEYS     100000u       /* subkeys read per key */
#define BW_WIN_MAX_VALUES      100000u       /* value names read per key */
#define BW_WIN_MAX_VALUE_BYTES (64u * 1024u) /* larger values: "value too large" */
#define BW_WIN_MAX_NAME_UNITS  32768u        /* key/value name buffer, in UTF-16 units */
#define BW_WIN_MAX_RETRIES     8             /* re-reads of a value that keeps growing */

/* A buffer that value reads fill, owned by the code that reads many values
 * (a collector, for one scan) and reused from one value to the next. Start
 * it zeroed; the first read gives it BW_WIN_REGBUF_FIRST bytes, a larger
 * value grows it to that value's size (never past BW_WIN_MAX_VALUE_BYTES).
 * Free it with bw_win_regbuf_free. One reader at a time: it is no global
 * and never shared between threads. */
typedef struct bw_win_regbuf {
    uint16_t *units; /* cap / 2 + 2 units: the data, an odd byte, a NUL */
    DWORD cap;       /* bytes a read may fill */
} bw_win_regbuf;

#define BW_WIN_REGBUF_FIRST 1024u

/* Frees the buffer and zeroes it (ready for use again). */
void bw_win_regbuf_free(bw_win_regbuf *buf);

/* "REG_SZ", "REG_BINARY", ...; NULL for a type without a name. */
const char *bw_win_reg_type_name(DWORD type);

/* Opens parent\path (UTF-8; "" reopens parent) for reading, in the view
 * given by `view` (KEY_WOW64_64KEY, KEY_WOW64_32KEY or 0). On success the
 * caller closes *out with bw_win_reg_close. BW_ENOTFOUND when the key does
 * not exist, BW_EACCES when access is denied. */
bw_err bw_win_reg_open(const bw_api *api, HKEY parent, const char *path, REGSAM view, HKEY *out,
                       bw_win_status *st);

/* Closes a key opened by bw_win_reg_open; NULL is ignored. */
void bw_win_reg_close(const bw_api *api, HKEY key);

/* Appends the names of key's subkeys (UTF-8) to *out, growing the name
 * buffer as needed. Names that are not valid UTF-16 (or hold a NUL) cannot
 * be reopened by name: they are skipped and counted in *n_bad (optional).
 * On an error during the enumeration (or BW_ERANGE after
 * BW_WIN_MAX_SUBKEYS names) *out keeps the names read so far. */
bw_err bw_win_reg_subkeys(const bw_api *api, HKEY key, bw_strlist *out, size_t *n_bad,
                          bw_win_status *st);

/* The same, but a name that is not valid UTF-16 (an unpaired surrogate, a
 * NUL) is kept too, written with those units as "\\uXXXX"
 * (bw_utf16_to_utf8_escaped): a key hidden that way is still seen, and
 * bw_win_reg_open_name opens it. */
bw_err bw_win_reg_subkeys_escaped(const bw_api *api, HKEY key, bw_strlist *out,
                                  bw_win_status *st);

/* Opens the subkey `name` of parent, as bw_win_reg_open, where name is one
 * key name (no path) as bw_win_reg_subkeys_escaped gives it. A name with a
 * NUL unit cannot be opened (BW_EENCODING, "a NUL in the key name"). */
bw_err bw_win_reg_open_name(const bw_api *api, HKEY parent, const char *name, REGSAM view,
                            HKEY *out, bw_win_status *st);

/* Same for the names of key's values (at most BW_WIN_MAX_VALUES). */
bw_err bw_win_reg_value_names(const bw_api *api, HKEY key, bw_strlist *out, size_t *n_bad,
                              bw_win_status *st);

/* Reads a REG_SZ or REG_EXPAND_SZ value (not expanded) as a malloc'd UTF-8
 * string (caller frees). name NULL or "" reads the default value.
 * BW_ENOTFOUND: no such value; BW_EINVAL: another type; BW_ERANGE: larger
 * than BW_WIN_MAX_VALUE_BYTES; BW_EENCODING: invalid UTF-16; BW_EBUSY: the
 * value kept changing size; BW_EACCES: access denied. */
bw_err bw_win_reg_string(const bw_api *api, HKEY key, const char *name, char **out,
                         bw_win_status *st);

/* The same, read through buf (see bw_win_regbuf): one call for a value
 * that fits. buf NULL reads as bw_win_reg_string does. */
bw_err bw_win_reg_string_in(const bw_api *api, HKEY key, const char *name, bw_win_regbuf *buf,
                            char **out, bw_win_status *st);

/* Reads a REG_DWORD value. BW_EINVAL for another type or a size other
 * than 4 bytes; otherwise as bw_win_reg_string. */
bw_err bw_win_reg_dword(const bw_api *api, HKEY key, const char *name, uint32_t *out,
                        bw_win_status *st);

/* A value read whatever its type, for data whose type differs between
 * releases (a time stored as REG_DWORD in one, REG_QWORD in another). */
typedef struct bw_win_scalar {
    uint32_t type;   /* REG_DWORD, REG_QWORD, REG_BINARY, REG_SZ or REG_EXPAND_SZ */
    uint64_t number; /* REG_DWORD (4 bytes), REG_QWORD or 8-byte REG_BINARY,
                        little-endian */
    char *text;      /* the strings, malloc'd UTF-8 (caller frees); else NULL */
} bw_win_scalar;

/* Reads such a value in one call when it fits 258 bytes. BW_EINVAL for
 * another type, or a number of the wrong size (a REG_BINARY must be 8
 * bytes: a FILETIME). */
bw_err bw_win_reg_scalar(const bw_api *api, HKEY key, const char *name, bw_win_scalar *out,
                         bw_win_status *st);

/* Reads a REG_MULTI_SZ value, appending each string to *out; the list ends
 * at an empty string or at the end of the data (a missing double NUL is
 * tolerated). With accept_sz, a REG_SZ/REG_EXPAND_SZ value is read as a
 * one-item list (none if empty). On failure *out is unchanged. */
bw_err bw_win_reg_multi_sz(const bw_api *api, HKEY key, const char *name, bool accept_sz,
                           bw_strlist *out, bw_win_status *st);

/* Formats a registry path as UTF-8 for sources and gaps: "HKLM\<path>",
 * "HKU\<path>" (also HKCU, HKCR, HKCC). With KEY_WOW64_32KEY, an HKLM path
 * under SOFTWARE shows the key it is redirected to:
 * "HKLM\SOFTWARE\WOW6432Node\...". path may be NULL or "" for the root.
 * Returns a malloc'd string (caller frees), NULL when out of memory. */
char *bw_win_reg_path(HKEY root, REGSAM view, const char *path);

/* Splits a path written as "HKLM\...", "HKEY_LOCAL_MACHINE\...", "HKU\..."
 * or "HKEY_USERS\..." (any case) into its root key and the rest (which
 * points into text, without the leading backslash). BW_EINVAL for another
 * root or an empty rest. */
bw_err bw_win_reg_parse_root(const char *text, HKEY *root, const char **rest);

/* True unless HKLM\SOFTWARE\WOW6432Node is absent from the 64-bit view,
 * which means there is no WOW64 redirection (a 32-bit system, or a Wine
 * prefix without it) and the 32-bit view shows the same keys again. */
bool bw_win_reg_has_wow64(const bw_api *api);

/* True for the name of a user's classes hive under HKU
 * ("S-1-5-21-..._Classes", any case): it is no profile of its own. */
bool bw_win_reg_classes_hive(const char *name);

/* ---- helpers for the collectors ------------------------------------- */

/* Records a gap at `where` with st's reason. BW_OK or BW_ENOMEM. */
bw_err bw_win_gap(bw_snapshot *snap, const char *where, const bw_win_status *st);

/* Opens parent\path as bw_win_reg_open does, for a collector: *key is set
 * when the key opened; it stays NULL when the key is absent (no gap) or
 * cannot be read (a gap recorded at `where`). Returns BW_OK or BW_ENOMEM. */
bw_err bw_win_reg_open_field(const bw_api *api, HKEY parent, const char *path, REGSAM view,
                             HKEY *key, const char *where, bw_snapshot *snap);

/* Reads string value `name` of key into *field (which must be NULL).
 * Absent: *field stays NULL, no gap. Any other failure: *field stays NULL
 * and a gap is recorded at "<where>\<name>". Returns BW_OK or BW_ENOMEM. */
bw_err bw_win_reg_string_field(const bw_api *api, HKEY key, const char *where, const char *name,
                               char **field, bw_snapshot *snap);

/* The same, read through buf (see bw_win_reg_string_in). */
bw_err bw_win_reg_string_field_in(const bw_api *api, HKEY key, const char *where,
                                  const char *name, bw_win_regbuf *buf, char **field,
                                  bw_snapshot *snap);

/* Appends key's subkey names to *out, as bw_win_reg_subkeys; a failed
 * enumeration and names that are not valid UTF-16 become gaps at `where`
 * (the names read so far are kept). Returns BW_OK or BW_ENOMEM. */
bw_err bw_win_reg_subkeys_field(const bw_api *api, HKEY key, const char *where, bw_strlist *out,
                                bw_snapshot *snap);

/* Same for a DWORD value: *has tells whether *field was set. */
bw_err bw_win_reg_dword_field(const bw_api *api, HKEY key, const char *where, const char *name,
                              uint32_t *field, bool *has, bw_snapshot *snap);

#endif
