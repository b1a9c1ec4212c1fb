/*
 * bw_datadir.h - the folder banwatch keeps its state, log and event files
 * in (Win32 layer).
 */
#ifndef BW_DATADIR_H
#define BW_DATADIR_H

#include "bw_api.h"
#include "../core/bw_error.h"

/* The data directory, "<ProgramData>\banwatch" (UTF-8, malloc'd), created
 * if missing. The known-folder API is asked rather than the environment,
 * which a service may not have. */
bw_err bw_win_data_dir(const bw_api *api, char **out, unsigned long *syserr);

#endif
