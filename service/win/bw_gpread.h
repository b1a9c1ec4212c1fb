/*
 * bw_gpread.h - reading banwatch's Group Policy values (Win32 layer).
 *
 * HKLM\SOFTWARE\Policies\banwatch, in the 64-bit view, through the bounded
 * readers of bw_winreg.h: each value of core's table (bw_gp_settings,
 * core/bw_gpo.h) is read as it is, whatever its type, and handed to core,
 * which decides what is valid. Nothing is written.
 */
#ifndef BW_GPREAD_H
#define BW_GPREAD_H

#include "bw_api.h"
#include "../core/bw_error.h"
#include "../core/bw_gpo.h"

/* Reads the values into *out (free with bw_gp_values_free). A key that
 * does not exist gives no values; one that cannot be opened sets
 * out->key_problem; a value that cannot be read is BW_GP_UNREADABLE with
 * the reason. BW_OK, or BW_ENOMEM. */
bw_err bw_win_gp_read(const bw_api *api, bw_gp_values *out);

#endif
