/*
 * bw_winfile.h - reading a whole file, or its end, through the API table
 * (Win32 layer).
 *
 * The one file reader: the policy, the update evidence and the end of
 * banwatch's own files (bw_appender_tail) all come through here. Files are data other software
 * wrote, so the size is bounded before anything is allocated, the lengths ReadFile returns are
 * clamped to what was asked, and a file that changes while it is read is
 * cut at the size first seen (or ends early when it shrinks). The file is
 * opened for reading with every sharing mode, so a product updating it is
 * never blocked by banwatch.
 */
#ifndef BW_WINFILE_H
#define BW_WINFILE_H

#include <stddef.h>
#include <stdint.h>

#include "bw_api.h"
#include "../core/bw_error.h"

/* What a read gave. */
typedef struct bw_win_file {
    char *data;    /* malloc'd, NUL-terminated; the caller frees it */
    size_t len;    /* bytes in data */
    uint64_t size; /* the size the file reported, also when too large */
    DWORD code;    /* the Win32 error of a failed call, else 0 */
} bw_win_file;

/* Reads the file at path (UTF-8) into *out. BW_ERANGE when the file is
 * larger than max_bytes (out->size tells by how much), BW_EENCODING for a
 * path that is not UTF-8, else the mapping of the Win32 error (BW_ENOTFOUND
 * for a missing file or folder, BW_EACCES, ...) with out->code set. */
bw_err bw_win_file_read(const bw_api *api, const char *path, size_t max_bytes, bw_win_file *out);

/* Reads the last max_bytes of the file at path (all of it when it is
 * smaller) into *out; out->size is the whole file's. Errors as above, never
 * BW_ERANGE. For the end of banwatch's own files (bw_appender.h). */
bw_err bw_win_file_read_tail(const bw_api *api, const char *path, size_t max_bytes,
                             bw_win_file *out);

#endif
