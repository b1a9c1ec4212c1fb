/*
 * bw_dirwatch.h - folder change watches (Win32 layer): an event signalled
 * when anything in a folder or below it is created, written, renamed or
 * deleted (ReadDirectoryChangesW, overlapped). Used for the vendor's
 * signature bases folders, so that update activity is seen within moments.
 *
 * Wine 8 does not watch subfolders that existed before the watch started
 * until each is opened once after the first call; the watch opens them
 * (harmless on Windows), so subfolders such as "index" and "Stat" are seen
 * under Wine too.
 */
#ifndef BW_DIRWATCH_H
#define BW_DIRWATCH_H

#include "bw_api.h"
#include "../core/bw_error.h"

typedef struct bw_dirwatch bw_dirwatch;

/* Watches the UTF-8 folder path (and its subtree). BW_ENOTFOUND if it does
 * not exist. Armed on return. */
bw_err bw_dirwatch_open(const bw_api *api, const char *path, bw_dirwatch **out,
                        unsigned long *syserr);

/* The event signalled on a change (manual reset; bw_dirwatch_rearm resets it). */
HANDLE bw_dirwatch_event(const bw_dirwatch *w);

/* The watched folder (UTF-8). */
const char *bw_dirwatch_path(const bw_dirwatch *w);

/* Collects the completed notification and arms the watch again. */
bw_err bw_dirwatch_rearm(bw_dirwatch *w, unsigned long *syserr);

/* Cancels and closes; NULL-safe. */
void bw_dirwatch_close(bw_dirwatch *w);

#endif
