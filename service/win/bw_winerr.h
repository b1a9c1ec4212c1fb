/*
 * bw_winerr.h - Win32 error codes in banwatch's terms (Win32 layer): the
 * one mapping from a Win32 code to bw_err, and the one way a code is
 * written into a message.
 */
#ifndef BW_WINERR_H
#define BW_WINERR_H

#include <stddef.h>

#include <windows.h>

#include "../core/bw_error.h"

/* Details of a failure. code is the Win32 error behind it (0 when the
 * failure is about the data, e.g. a wrong type); reason is the text for a
 * gap record, empty on success. */
typedef struct bw_win_status {
    DWORD code;
    char reason[96];
} bw_win_status;

/* Maps a Win32 error code to bw_err (as libuv's uv_translate_sys_error
 * does). ERROR_SUCCESS -> BW_OK; unknown -> BW_ESYS. */
bw_err bw_win_error(DWORD code);

/* Records `code` in *st (may be NULL) with the reason "<text> (<code>)",
 * e.g. "access denied (5)", and returns bw_win_error(code). */
bw_err bw_win_status_set(bw_win_status *st, DWORD code);

/* The same reason text, "<text> (<code>)", written into buf. */
void bw_win_error_text(unsigned long code, char *buf, size_t len);

#endif
