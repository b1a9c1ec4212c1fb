/*
 * bw_regwatch.h - registry change watches (Win32 layer): an event that is
 * signalled when a key or any key below it changes (RegNotifyChangeKeyValue,
 * asynchronous). The agent waits on the events with its stop event, so an
 * idle agent uses no CPU.
 */
#ifndef BW_REGWATCH_H
#define BW_REGWATCH_H

#include "bw_api.h"
#include "../core/bw_error.h"

typedef struct bw_regwatch bw_regwatch;

/* Watches HKLM\<path> in the given view (0, KEY_WOW64_64KEY or
 * KEY_WOW64_32KEY) for subkey and value changes. BW_ENOTFOUND if the key
 * does not exist. The watch is armed on return. Notifications are bound to
 * the calling thread: arm and wait on the same thread. */
bw_err bw_regwatch_open(const bw_api *api, const wchar_t *path, REGSAM view, bw_regwatch **out,
                        unsigned long *syserr);

/* The auto-reset event signalled on a change. */
HANDLE bw_regwatch_event(const bw_regwatch *w);

/* Arms the watch again after its event fired. */
bw_err bw_regwatch_rearm(bw_regwatch *w, unsigned long *syserr);

/* NULL-safe. */
void bw_regwatch_close(bw_regwatch *w);

#endif
