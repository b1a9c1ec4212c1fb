/*
 * bw_winsec.h - who owns a file or folder, who may change it and what kind
 * of object it is, read through the API table (Win32 layer) for the
 * decisions of core/bw_trust.h; and the account banwatch runs as.
 *
 * Objects are opened without following a final junction or symbolic link
 * (FILE_FLAG_OPEN_REPARSE_POINT), so a link is judged as the link it is.
 */
#ifndef BW_WINSEC_H
#define BW_WINSEC_H

#include <stddef.h>

#include "bw_api.h"
#include "bw_winerr.h"
#include "../core/bw_error.h"
#include "../core/bw_trust.h"

/* The SID of the account this process runs as ("S-1-5-18" for the
 * service), into out. */
bw_err bw_win_self_sid(const bw_api *api, char *out, size_t len, bw_win_status *st);

/* Opens path (UTF-8) for `access` (READ_CONTROL is added) without
 * following a final link; folders too. The caller closes *out. */
bw_err bw_win_open_object(const bw_api *api, const char *path, DWORD access, HANDLE *out,
                          bw_win_status *st);

/* Reads the facts of an object opened with READ_CONTROL. */
bw_err bw_win_object_facts(const bw_api *api, HANDLE h, bw_object_facts *o, bw_win_status *st);

/* Whether the file or folder at path can be trusted by banwatch running as
 * self_sid. BW_OK: trusted. BW_ENOTFOUND: it does not exist. BW_EACCES: it
 * cannot be trusted, why says why (bw_object_trusted's words). Another
 * error: its facts could not be read, why says so; it is not trusted
 * either. */
bw_err bw_win_path_trusted(const bw_api *api, const char *path, const char *self_sid, char *why,
                           size_t whylen);

/* Whether the program at exe_path (UTF-8) and the folder it is in can be
 * trusted to stay as installed: a service running as SYSTEM runs whatever
 * is at that path, so anyone who may change the file, or add or rename
 * files in its folder, could run code as SYSTEM. BW_OK when both can be
 * trusted; BW_EACCES with why ("<path>: <reason>") when not; another error
 * when their facts cannot be read (why says so). */
bw_err bw_win_program_trusted(const bw_api *api, const char *exe_path, const char *self_sid,
                              char *why, size_t whylen);

#endif
