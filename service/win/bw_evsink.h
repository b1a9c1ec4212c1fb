/*
 * bw_evsink.h - where alerts go (Win32 layer): the Windows Event Log
 * (source "banwatch" in the Application log, rendered by the message table
 * linked into banwatch.exe) and a JSON-lines file with the same fields for
 * log shippers.
 */
#ifndef BW_EVSINK_H
#define BW_EVSINK_H

#include <stdint.h>

#include "bw_api.h"
#include "../core/bw_alert.h"

typedef struct bw_evsink bw_evsink;

/* Opens the event source and "<data_dir>\events.jsonl" (rotated at 10 MiB,
 * 5 files kept). A failure of either is described in msg; the sink still
 * works with what it could open (it returns BW_OK with *out set unless
 * nothing could be opened or memory ran out). */
bw_err bw_evsink_open(const bw_api *api, const char *data_dir, bw_evsink **out,
                      char *msg, size_t msglen);

/* The full Event Log ID of an alert: severity bits over the event number,
 * as the message table defines it. */
DWORD bw_evsink_message_id(const bw_alert *a);

/* Reports the alert to the Event Log and appends it to the JSON-lines file.
 * BW_EIO if either sink failed (the other still got it). */
bw_err bw_evsink_emit(bw_evsink *s, const bw_alert *a, int64_t now);

/* NULL-safe. */
void bw_evsink_close(bw_evsink *s);

#endif
