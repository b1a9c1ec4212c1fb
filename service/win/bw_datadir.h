/*
 * bw_datadir.h - the folder banwatch keeps its state, log and event files
 * in, locked down (Win32 layer).
 *
 * "<ProgramData>\banwatch". Any user may create folders under ProgramData,
 * so the folder is created with a protected access control list (SYSTEM
 * and Administrators full control, Users read; nothing inherited), and one
 * that already exists is checked (core/bw_trust.h):
 *   - owned by SYSTEM or Administrators but changeable by others (as a
 *     folder made with ProgramData's inherited permissions is): its
 *     permissions are reset in place, keeping what is in it;
 *   - owned by anyone else, or a junction or link: nothing in it can be
 *     trusted, so it is moved aside ("banwatch.untrusted-<time>") and a new
 *     folder is created;
 *   - when neither works, the folder is refused and nothing is kept in it.
 * What was done is reported for an event. Files in the folder are checked
 * one by one before use (bw_datadir_file_trusted).
 */
#ifndef BW_DATADIR_H
#define BW_DATADIR_H

#include <stddef.h>

#include "bw_api.h"
#include "../core/bw_error.h"
#include "../core/bw_trust.h"

/* The protected access control list of the folder (SDDL). */
#define BW_DATADIR_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"

typedef enum bw_datadir_action {
    BW_DATADIR_READY = 0,   /* it was there, and safe */
    BW_DATADIR_CREATED,     /* it was created, locked down */
    BW_DATADIR_RESET,       /* others could change it: its permissions were reset */
    BW_DATADIR_MOVED_ASIDE, /* another owner, or a link: moved aside, a new one made */
} bw_datadir_action;

typedef struct bw_datadir {
    char *path; /* UTF-8, malloc'd */
    char self_sid[BW_SID_MAX];
    bw_datadir_action action;
    char found[320]; /* RESET, MOVED_ASIDE or refused: what was wrong */
    char *aside;     /* MOVED_ASIDE: where the old folder is now */
} bw_datadir;

/* "reset", "moved-aside", ... for events. */
const char *bw_datadir_action_name(bw_datadir_action a);

/* Finds, creates or repairs the data folder into *out. BW_OK: out->path
 * may be used. BW_EACCES: it exists, cannot be trusted and could not be
 * repaired (out->path is set, out->found says why); keep nothing there.
 * Another error: the folder could not be made (*syserr the Win32 code). */
bw_err bw_win_data_dir_open(const bw_api *api, bw_datadir *out, unsigned long *syserr);

/* Only finds the folder's path and the account banwatch runs as, creating
 * and changing nothing (for `scan`, which writes nothing): out->path is
 * "<ProgramData>\banwatch", which may not exist. Free with
 * bw_datadir_free. */
bw_err bw_win_data_dir_find(const bw_api *api, bw_datadir *out);

/* Whether the file `name` in the folder may be used (bw_win_path_trusted):
 * BW_OK trusted, BW_ENOTFOUND absent (banwatch creates it), else not to be
 * used, why says why. */
bw_err bw_datadir_file_trusted(const bw_api *api, const bw_datadir *d, const char *name,
                               char *why, size_t whylen);

void bw_datadir_free(bw_datadir *d);

#endif
