/*
 * bw_console.h - writing to the standard streams through the API table
 * (Win32 layer).
 */
#ifndef BW_CONSOLE_H
#define BW_CONSOLE_H

#include <stddef.h>

#include "bw_api.h"
#include "../core/bw_error.h"

/* Writes UTF-8 text to standard output (which = STD_OUTPUT_HANDLE) or
 * standard error: as UTF-16 through WriteConsoleW on a console (so any
 * script shows), as the UTF-8 bytes themselves to a file or pipe. */
bw_err bw_win_write_std(const bw_api *api, unsigned long which, const char *text, size_t len);

#endif
