/*
 * bw_appender.h - append-only text files with size-based rotation: the
 * service log and the JSON-lines event file (Win32 layer). The handle stays
 * inside; callers hold an opaque bw_appender.
 */
#ifndef BW_APPENDER_H
#define BW_APPENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "bw_api.h"
#include "../core/bw_error.h"
#include "../core/bw_str.h"

typedef struct bw_appender bw_appender;

/* Opens (creating) the UTF-8 path for appending. When a write would make the
 * file larger than max_bytes, it is renamed to "<path>.1" (older copies
 * shift up to "<path>.<keep>", keep at most 15, the oldest is deleted) and
 * a new file is started. Other processes may read the file while it is
 * open.
 *
 * Another program that holds one of the files open without
 * FILE_SHARE_DELETE (a log shipper) blocks the renames. A rotation is then
 * all or nothing: the files stay as they were (none lost, none deleted), the
 * live file keeps growing, and the rotation is tried again at the writes
 * past the limit, after 1 s, 2 s, 4 s ... up to every minute. At twice
 * max_bytes lines are no longer written (told once, bw_appender_on_trouble)
 * until a rotation succeeds. A rotation cut short by a crash is finished
 * at the next open or rotation.
 *
 * A failure to open is mapped by bw_win_error (BW_ENOTFOUND for a missing
 * folder, BW_EACCES, ...) with the Win32 code in *syserr. */
bw_err bw_appender_open(const bw_api *api, const char *path, size_t max_bytes, unsigned keep,
                        bw_appender **out, unsigned long *syserr);

/* Appends len bytes (one whole line, newline included) and flushes them to
 * the file. A file that ends inside a line (a write cut short by a crash
 * or a full disk) gets a newline first, so the line written stays whole.
 * BW_EIO when the line could not be written (a full or write-protected
 * disk, access denied, the file could not be opened again after a
 * rotation): it is lost, and each later write tries again, so writing
 * resumes by itself when the cause goes away. */
bw_err bw_appender_write(bw_appender *a, const char *line, size_t len);

/* What an appender tells (bw_appender_on_trouble). */
typedef struct bw_appender_trouble {
    const char *path;    /* the file (UTF-8) */
    unsigned long error; /* the Win32 error of the failure; 0: it works again */
    /* The failure is a rotation's: the file reached twice its limit and
     * still cannot be renamed (error is the rename's), so lines are not
     * written until it can be. */
    bool rotation;
    unsigned long lost; /* when it works again: the lines not written meanwhile */
} bw_appender_trouble;

/* Told when writing starts failing and when it works again: once each way,
 * not at every failed write. Called at the end of the bw_appender_write
 * that saw it; writing to the same appender from it is allowed. */
typedef void (*bw_appender_trouble_fn)(void *ctx, const bw_appender_trouble *t);

/* Sets (fn NULL: clears) who is told. */
void bw_appender_on_trouble(bw_appender *a, bw_appender_trouble_fn fn, void *ctx);

/* Appends to *out the last max bytes written: the end of the file and,
 * when it holds fewer, the end of "<path>.1" before them (a rotation just
 * happened). For the agent after a crash: did this record reach the file?
 * A missing file is no error. */
bw_err bw_appender_tail(bw_appender *a, size_t max, bw_buf *out);

/* NULL-safe. */
void bw_appender_close(bw_appender *a);

#endif
