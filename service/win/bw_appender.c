/* bw_appender.c - append-only files with rotation (Win32 layer). */
#include "bw_appender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_winfile.h"
#include "bw_winreg.h"
#include "../core/bw_str.h"

struct bw_appender {
    const bw_api *api;
    HANDLE h;
    uint16_t *path; /* UTF-16 path */
    char *path8;    /* UTF-8 path, for rotated names */
    size_t max_bytes;
    unsigned keep;
    uint64_t size;
    bool torn; /* the file does not end with a newline: start the next line on a new one */
    /* A failure in progress: its Win32 error (0: writing works) and the
     * lines lost since it began; told once each way. */
    unsigned long failing;
    bool capped; /* the failure: the file reached the hard limit and cannot be rotated */
    unsigned long lost;
    bw_appender_trouble_fn trouble;
    void *ctx;
    /* A rotation that failed (another program holds a file without
     * FILE_SHARE_DELETE): its error, and when to try again (GetTickCount64
     * milliseconds) after waiting `backoff`. */
    unsigned long blocked;
    ULONGLONG retry_at;
    ULONGLONG backoff;
};

#define BACKOFF_FIRST_MS 1000u
#define BACKOFF_MAX_MS   60000u

/* Whether the file at path (UTF-8) ends inside a line: a write cut short
 * (the process killed, the disk full). */
static bool ends_torn(const bw_api *api, const char *path)
{
    bw_win_file f;
    bool torn =
        bw_win_file_read_tail(api, path, 1, &f) == BW_OK && f.len == 1 && f.data[0] != '\n';
    free(f.data);
    return torn;
}

static bw_err open_handle(bw_appender *a, unsigned long *syserr)
{
    a->h = a->api->CreateFileW((LPCWSTR)a->path, FILE_APPEND_DATA,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (a->h == INVALID_HANDLE_VALUE) {
        *syserr = GetLastError();
        return bw_win_error(*syserr);
    }
    LARGE_INTEGER sz;
    a->size = a->api->GetFileSizeEx(a->h, &sz) && sz.QuadPart > 0 ? (uint64_t)sz.QuadPart : 0;
    a->torn = a->size > 0 && ends_torn(a->api, a->path8);
    return BW_OK;
}

/* ---- rotation ---------------------------------------------------------------
 * "<path>" -> "<path>.1" -> ... -> "<path>.<keep>", the oldest deleted. Each
 * step is a rename that another program can block (a log shipper holding a
 * file open without FILE_SHARE_DELETE), so a rotation is all or nothing:
 * the live file is first renamed to "<path>.rotating", the older ones shift
 * up (those below the first free number), the oldest to "<path>.drop" when
 * no number is free, the staged one becomes "<path>.1", and only then is
 * "<path>.drop" deleted. A rename that fails undoes the ones
 * before it: no rotation is lost, and nothing is deleted before the shift
 * succeeded. A crash in the middle leaves "<path>.rotating" (and perhaps
 * "<path>.drop"), which the next rotation, or the next open, finishes. */

typedef struct names {
    uint16_t *live, *staged, *drop;
    uint16_t *n[16]; /* n[i]: "<path>.<i>", 1 <= i <= keep (capped at 15) */
    unsigned keep;
} names;

static void names_free(names *nm)
{
    free(nm->live);
    free(nm->staged);
    free(nm->drop);
    for (size_t i = 0; i < sizeof nm->n / sizeof nm->n[0]; i++)
        free(nm->n[i]);
}

static uint16_t *wname(const char *path8, const char *suffix)
{
    char *s = bw_strfmt("%s%s", path8, suffix);
    uint16_t *w = NULL;
    if (s && bw_utf8_to_utf16(s, &w, NULL) != BW_OK)
        w = NULL;
    free(s);
    return w;
}

static bool names_make(const bw_appender *a, names *nm)
{
    memset(nm, 0, sizeof *nm);
    nm->keep = a->keep < 15 ? a->keep : 15;
    nm->live = wname(a->path8, "");
    nm->staged = wname(a->path8, ".rotating");
    nm->drop = wname(a->path8, ".drop");
    bool ok = nm->live && nm->staged && nm->drop;
    for (unsigned i = 1; ok && i <= nm->keep; i++) {
        char sfx[16];
        snprintf(sfx, sizeof sfx, ".%u", i);
        nm->n[i] = wname(a->path8, sfx);
        ok = nm->n[i] != NULL;
    }
    return ok;
}

static bool exists(const bw_api *api, const uint16_t *p)
{
    HANDLE h =
        api->CreateFileW((LPCWSTR)p, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError() != ERROR_FILE_NOT_FOUND && GetLastError() != ERROR_PATH_NOT_FOUND;
    api->CloseHandle(h);
    return true;
}

/* Renames done so far, to undo. */
typedef struct moves {
    const uint16_t *from[18], *to[18];
    size_t n;
} moves;

static bool move(const bw_api *api, moves *m, const uint16_t *from, const uint16_t *to,
                 unsigned long *err)
{
    if (!api->MoveFileExW((LPCWSTR)from, (LPCWSTR)to, 0)) {
        *err = GetLastError();
        return false;
    }
    m->from[m->n] = from;
    m->to[m->n] = to;
    m->n++;
    return true;
}

static void undo(const bw_api *api, moves *m)
{
    while (m->n) {
        m->n--;
        api->MoveFileExW((LPCWSTR)m->to[m->n], (LPCWSTR)m->from[m->n], 0);
    }
}

/* Puts "<path>.rotating", if there is one, at "<path>.1": the copies below
 * the first free number move one up, and only when none is free the oldest
 * goes (a rotation a crash cut short can have left a gap: then nothing
 * more is deleted). All of it, or (false, *err) nothing. */
static bool finish(const bw_api *api, const names *nm, unsigned long *err)
{
    moves m = {0};
    if (!exists(api, nm->staged))
        return true;
    if (!nm->keep) { /* no copies kept: the staged file goes */
        if (api->DeleteFileW((LPCWSTR)nm->staged))
            return true;
        *err = GetLastError();
        return false;
    }
    /* a "<path>.drop" left by a crash was to be deleted anyway */
    if (!api->DeleteFileW((LPCWSTR)nm->drop) && GetLastError() != ERROR_FILE_NOT_FOUND) {
        *err = GetLastError();
        return false;
    }
    unsigned free_at = 0;
    for (unsigned i = 1; i <= nm->keep && !free_at; i++)
        if (!exists(api, nm->n[i]))
            free_at = i;
    if (!free_at) {
        free_at = nm->keep;
        if (!move(api, &m, nm->n[free_at], nm->drop, err))
            goto fail;
    }
    for (unsigned i = free_at; i > 1; i--)
        if (!move(api, &m, nm->n[i - 1], nm->n[i], err))
            goto fail;
    if (!move(api, &m, nm->staged, nm->n[1], err))
        goto fail;
    api->DeleteFileW((LPCWSTR)nm->drop); /* held open: deleted by the next rotation */
    return true;
fail:
    undo(api, &m);
    return false;
}

/* One rotation; false (and *err) when a rename was refused: then the files
 * are as they were and the live one is open again for appending. */
static bool rotate(bw_appender *a, unsigned long *err)
{
    names nm;
    bool ok = false;
    unsigned long ignored = 0;
    *err = 0;
    if (a->h != INVALID_HANDLE_VALUE)
        a->api->CloseHandle(a->h);
    a->h = INVALID_HANDLE_VALUE;
    if (!names_make(a, &nm)) {
        *err = ERROR_NOT_ENOUGH_MEMORY;
        goto out;
    }
    /* a rotation a crash cut short comes first */
    if (!finish(a->api, &nm, err))
        goto out;
    moves m = {0};
    if (!move(a->api, &m, nm.live, nm.staged, err)) {
        if (*err == ERROR_FILE_NOT_FOUND) /* nothing to rotate */
            ok = true;
        goto out;
    }
    ok = finish(a->api, &nm, err);
    if (!ok)
        undo(a->api, &m);
out:
    names_free(&nm);
    open_handle(a, &ignored); /* failing, it is tried again at the next write */
    return ok;
}

bw_err bw_appender_open(const bw_api *api, const char *path, size_t max_bytes, unsigned keep,
                        bw_appender **out, unsigned long *syserr)
{
    *out = NULL;
    *syserr = 0;
    bw_appender *a = calloc(1, sizeof *a);
    if (!a)
        return BW_ENOMEM;
    a->api = api;
    a->h = INVALID_HANDLE_VALUE;
    a->max_bytes = max_bytes;
    a->keep = keep;
    a->path8 = bw_strdup(path);
    bw_err e = a->path8 ? bw_utf8_to_utf16(path, &a->path, NULL) : BW_ENOMEM;
    names nm;
    unsigned long ignored = 0;
    if (!e && names_make(a, &nm))
        finish(api, &nm, &ignored); /* a rotation a crash cut short */
    if (!e)
        names_free(&nm);
    if (!e)
        e = open_handle(a, syserr);
    if (e) {
        bw_appender_close(a);
        return e;
    }
    *out = a;
    return BW_OK;
}

/* Writes all len bytes; on failure *written says how many went and *err
 * the Win32 error. */
static bool write_all(bw_appender *a, const char *p, size_t len, size_t *written,
                      unsigned long *err)
{
    DWORD done = 0;
    *written = 0;
    for (size_t off = 0; off < len; off += done) {
        DWORD want = (DWORD)(len - off > (1u << 20) ? (1u << 20) : len - off);
        done = 0;
        if (!a->api->WriteFile(a->h, p + off, want, &done, NULL) || done == 0) {
            *err = GetLastError();
            if (!*err)
                *err = ERROR_WRITE_FAULT;
            if (done > want)
                done = want;
            *written += done;
            return false;
        }
        if (done > want)
            done = want;
        *written += done;
    }
    return true;
}

/* A write that failed with err (capped: the file is at its hard limit and
 * cannot be rotated): counted, and told when it is the first. */
static bw_err failed(bw_appender *a, unsigned long err, bool capped)
{
    a->lost++;
    if (a->failing)
        return BW_EIO;
    a->failing = err;
    a->capped = capped;
    bw_appender_trouble t = {.path = a->path8, .error = err, .rotation = capped};
    if (a->trouble)
        a->trouble(a->ctx, &t);
    return BW_EIO;
}

/* Rotates when the line would take the file past its limit. A rotation
 * that is refused is tried again at the writes past the limit, first after
 * 1 s, then after twice as long each time, up to a minute; meanwhile the
 * file grows, up to twice its limit. */
static void rotate_if_due(bw_appender *a, size_t len)
{
    if (a->size == 0 || a->size + len <= a->max_bytes)
        return;
    ULONGLONG now = a->api->GetTickCount64();
    if (a->blocked && now < a->retry_at)
        return;
    unsigned long err = 0;
    if (rotate(a, &err)) {
        a->blocked = 0;
        a->backoff = 0;
        return;
    }
    a->blocked = err ? err : ERROR_WRITE_FAULT;
    a->backoff = !a->backoff                        ? BACKOFF_FIRST_MS
                 : a->backoff >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS
                                                    : a->backoff * 2;
    a->retry_at = now + a->backoff;
}

bw_err bw_appender_write(bw_appender *a, const char *line, size_t len)
{
    rotate_if_due(a, len);
    /* Blocked past the hard limit: the line is not written (told once), so
     * that a file nobody may rotate does not fill the disk. */
    if (a->blocked && a->size + len > 2 * (uint64_t)a->max_bytes)
        return failed(a, a->blocked, true);
    unsigned long err = 0;
    if (a->h == INVALID_HANDLE_VALUE && open_handle(a, &err) != BW_OK)
        return failed(a, err ? err : ERROR_INVALID_HANDLE, false);
    size_t n = 0;
    if (a->torn) {
        if (!write_all(a, "\n", 1, &n, &err))
            return failed(a, err, false);
        a->size += n;
        a->torn = false;
    }
    bool ok = write_all(a, line, len, &n, &err);
    a->size += n;
    if (n > 0 && line[n - 1] != '\n')
        a->torn = true;
    if (!ok)
        return failed(a, err, false);
    if (a->failing) {
        bw_appender_trouble t = {.path = a->path8, .lost = a->lost, .rotation = a->capped};
        a->failing = 0;
        a->capped = false;
        a->lost = 0;
        if (a->trouble)
            a->trouble(a->ctx, &t);
    }
    return BW_OK;
}

void bw_appender_on_trouble(bw_appender *a, bw_appender_trouble_fn fn, void *ctx)
{
    a->trouble = fn;
    a->ctx = ctx;
}

bw_err bw_appender_tail(bw_appender *a, size_t max, bw_buf *out)
{
    bw_win_file live, older = {0};
    bw_err e = bw_win_file_read_tail(a->api, a->path8, max, &live);
    if (e == BW_ENOTFOUND) {
        memset(&live, 0, sizeof live);
        e = BW_OK;
    }
    if (e)
        return e;
    if (live.len < max && a->keep) {
        /* the end of the last rotation comes before */
        char *p1 = bw_strfmt("%s.1", a->path8);
        e = p1 ? bw_win_file_read_tail(a->api, p1, max - live.len, &older) : BW_ENOMEM;
        free(p1);
        if (e == BW_ENOTFOUND)
            e = BW_OK;
    }
    if (!e && older.len)
        e = bw_buf_append(out, older.data, older.len);
    if (!e && live.len)
        e = bw_buf_append(out, live.data, live.len);
    free(live.data);
    free(older.data);
    return e;
}

void bw_appender_close(bw_appender *a)
{
    if (!a)
        return;
    if (a->h != INVALID_HANDLE_VALUE)
        a->api->CloseHandle(a->h);
    free(a->path);
    free(a->path8);
    free(a);
}
