/*
 * bw_store.c - the connection to the state database (portable core):
 * opening it (settings, the checks, a damaged file moved aside, the
 * migrations run) and closing it, the errors every store function reports,
 * and the SQLite helpers the other bw_store_*.c files share (declared in
 * bw_store_int.h). The contracts are in bw_store.h, the database is
 * described in docs/state-db.md. SQLite's win32 VFS takes UTF-8 file names,
 * so the same code opens %ProgramData%\banwatch\state.db on Windows and a
 * temp file in the native tests.
 */
#include "bw_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bw_store_int.h"
#include "bw_str.h"
#include "bw_time.h"

#define BUSY_TIMEOUT_MS 5000

/* ---- errors ------------------------------------------------------------------ */

static bw_err map_rc(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK: return BW_OK;
    case SQLITE_NOMEM: return BW_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return BW_EBUSY;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: return BW_EACCES;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return BW_ERANGE;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH: return BW_EINVAL;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL: return BW_EIO;
    default: return BW_ESYS;
    }
}

static bool is_corrupt_rc(int rc)
{
    return (rc & 0xFF) == SQLITE_CORRUPT || (rc & 0xFF) == SQLITE_NOTADB;
}

bw_err bws_fail(bw_store *s, const char *op, int rc)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    int code = s->db ? sqlite3_extended_errcode(s->db) : rc;
    if ((code & 0xFF) != (rc & 0xFF)) /* the connection's last error is another one */
        code = rc;
    if ((rc & 0xFF) == SQLITE_NOMEM || !msg)
        msg = sqlite3_errstr(rc);
    s->errcode = code;
    snprintf(s->errmsg, sizeof s->errmsg, "state.db: %s: %s (%d)", op, msg, code);
    return map_rc(rc);
}

bw_err bws_fail_msg(bw_store *s, bw_err e, const char *op, const char *msg)
{
    s->errcode = 0;
    snprintf(s->errmsg, sizeof s->errmsg, "state.db: %s: %s", op, msg);
    return e;
}

void bws_clear_err(bw_store *s)
{
    s->errcode = 0;
    s->errmsg[0] = '\0';
}

const char *bw_store_errmsg(const bw_store *s)
{
    return s ? s->errmsg : "";
}

int bw_store_errcode(const bw_store *s)
{
    return s ? s->errcode : 0;
}

bool bw_store_corrupt(const bw_store *s)
{
    return s && is_corrupt_rc(s->errcode);
}

/* ---- small SQLite helpers --------------------------------------------------- */

bw_err bws_prep(bw_store *s, const char *sql, sqlite3_stmt **st, const char *op)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return bws_fail(s, op, rc);
    }
    return BW_OK;
}

bw_err bws_exec(bw_store *s, const char *sql, const char *op)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? BW_OK : bws_fail(s, op, rc);
}

bw_err bws_begin(bw_store *s, const char *op)
{
    /* IMMEDIATE takes the write lock now, so the busy timeout applies here
     * and not in the middle of the transaction. */
    return bws_exec(s, "BEGIN IMMEDIATE", op);
}

bw_err bws_commit(bw_store *s, const char *op)
{
    return bws_exec(s, "COMMIT", op);
}

void bws_rollback(bw_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

bw_err bws_step_done(bw_store *s, sqlite3_stmt *st, const char *op)
{
    int rc = sqlite3_step(st);
    bw_err e = rc == SQLITE_DONE ? BW_OK : bws_fail(s, op, rc);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return e;
}

bw_err bws_step_final(bw_store *s, sqlite3_stmt *st, const char *op)
{
    int rc = sqlite3_step(st);
    bw_err e = rc == SQLITE_DONE ? BW_OK : bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

void bws_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    /* Binding errors (range, memory) show up at sqlite3_step. */
    sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

bool bws_col_dup(sqlite3_stmt *st, int i, char **dst)
{
    *dst = NULL;
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return sqlite3_column_type(st, i) == SQLITE_NULL;
    *dst = bw_strdup((const char *)t);
    return *dst != NULL;
}

/* ---- list queries -------------------------------------------------------------- */

bw_err bws_query_rows(bw_store *s, const char *sql, const char *op, const int64_t *bind1,
                      void *items_ptr, size_t *n, size_t *cap, size_t size, bws_row_reader row)
{
    sqlite3_stmt *st = NULL;
    int rc;
    bws_clear_err(s);
    bw_err e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    if (bind1)
        sqlite3_bind_int64(st, 1, *bind1);
    for (rc = sqlite3_step(st); rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        if (bw_grow(items_ptr, cap, *n, size) != BW_OK) {
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
            goto out;
        }
        char *items; /* read through memcpy, as bw_grow does: no aliasing of T ** */
        memcpy(&items, items_ptr, sizeof items);
        void *item = items + *n * size;
        memset(item, 0, size);
        (*n)++;
        const char *why = "out of memory";
        e = row(st, item, &why);
        if (e != BW_OK) {
            e = bws_fail_msg(s, e, op, why);
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
out:
    sqlite3_finalize(st);
    return e;
}

/* ---- opening ------------------------------------------------------------------ */

static void copy_err(char *errbuf, size_t errlen, const char *msg)
{
    if (errbuf && errlen)
        snprintf(errbuf, errlen, "%s", msg);
}

/* "YYYYMMDDTHHMMSSZ": no colons, which Windows file names cannot hold. */
static void file_stamp(int64_t t, char out[17])
{
    char iso[21];
    bw_format_utc(t, iso);
    size_t j = 0;
    for (size_t i = 0; iso[i] && j < 16; i++)
        if (iso[i] != '-' && iso[i] != ':')
            out[j++] = iso[i];
    out[j] = '\0';
}

static bool file_exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return false;
    fclose(f);
    return true;
}

/* Moves path (and its -wal/-shm) aside to "<path>.corrupt-<stamp>[-n]".
 * The connection must be closed. *moved_to receives the new name. */
static bw_err move_aside(bw_store *s, const char *path, char **moved_to)
{
    bw_err e = BW_OK;
    char stamp[17];
    char *base = NULL, *from = NULL, *to = NULL;
    file_stamp((int64_t)time(NULL), stamp);
    for (int n = 0; n < 100; n++) {
        free(base);
        base = n ? bw_strfmt("%s.corrupt-%s-%d", path, stamp, n)
                 : bw_strfmt("%s.corrupt-%s", path, stamp);
        if (!base) {
            e = bws_fail_msg(s, BW_ENOMEM, "move aside", "out of memory");
            goto out;
        }
        if (!file_exists(base))
            break;
    }
    if (rename(path, base) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot rename the damaged file to %s", base);
        e = bws_fail_msg(s, BW_EIO, "move aside", msg);
        goto out;
    }
    /* The journal files belong to the damaged database: keep them beside it
     * for analysis, and out of the way of the new one. A missing file is
     * normal; a rename failure leaves a stale file that SQLite would try to
     * apply to the new database, so it is removed instead. */
    static const char *const sfx[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        from = bw_strfmt("%s%s", path, sfx[i]);
        to = bw_strfmt("%s%s", base, sfx[i]);
        if (!from || !to) {
            e = bws_fail_msg(s, BW_ENOMEM, "move aside", "out of memory");
            goto out;
        }
        if (file_exists(from) && rename(from, to) != 0)
            remove(from);
        free(from);
        free(to);
        from = to = NULL;
    }
    *moved_to = base;
    base = NULL;
out:
    free(base);
    free(from);
    free(to);
    return e;
}

/* Runs PRAGMA quick_check(1). *corrupt is set when the file is not a
 * database or the check reports a problem; other failures are errors. */
static bw_err probe(bw_store *s, bool *corrupt, char *detail, size_t dlen)
{
    sqlite3_stmt *st = NULL;
    *corrupt = false;
    detail[0] = '\0';
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (!r || strcmp(r, "ok") != 0) {
            *corrupt = true;
            snprintf(detail, dlen, "quick_check: %s", r ? r : "(no result)");
        }
        sqlite3_finalize(st);
        return BW_OK;
    }
    if (is_corrupt_rc(rc)) {
        *corrupt = true;
        snprintf(detail, dlen, "%s (%d)", sqlite3_errmsg(s->db), rc);
        sqlite3_finalize(st);
        return BW_OK;
    }
    bw_err e = bws_fail(s, "quick_check", rc);
    sqlite3_finalize(st);
    return e;
}

static bw_err get_user_version(bw_store *s, int *v)
{
    sqlite3_stmt *st = NULL;
    bw_err e = bws_prep(s, "PRAGMA user_version", &st, "read schema version");
    if (e)
        return e;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    else
        e = bws_fail(s, "read schema version", rc);
    sqlite3_finalize(st);
    return e;
}

/* Opens and checks the file. *corrupt set means: close, move aside, retry. */
static bw_err open_once(bw_store *s, const char *path, bool *corrupt, char *detail, size_t dlen)
{
    *corrupt = false;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        if (is_corrupt_rc(rc)) {
            *corrupt = true;
            snprintf(detail, dlen, "open: %s (%d)", sqlite3_errstr(rc), rc);
            return BW_OK;
        }
        return bws_fail(s, "open", rc);
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);

    /* Read-only checks first: a newer database must not be touched. */
    bw_err e = probe(s, corrupt, detail, dlen);
    if (e || *corrupt)
        return e;
    int v = 0;
    e = get_user_version(s, &v);
    if (e)
        return e;
    if (v > BW_STORE_SCHEMA_VERSION) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "schema version %d is newer than this banwatch supports (%d); "
                 "the database was left unchanged",
                 v, BW_STORE_SCHEMA_VERSION);
        return bws_fail_msg(s, BW_EINVAL, "open", msg);
    }
    if (v < 0)
        return bws_fail_msg(s, BW_EINVAL, "open", "negative schema version");

    /* journal_mode answers with the mode in effect; WAL can be refused
     * (e.g. a file system without shared memory), which is not fatal. */
    e = bws_exec(s, "PRAGMA journal_mode=WAL", "set journal mode");
    if (!e)
        e = bws_exec(s, "PRAGMA synchronous=NORMAL", "set synchronous");
    if (!e)
        e = bws_exec(s, "PRAGMA foreign_keys=ON", "enable foreign keys");
    if (e)
        return e;
    return bws_migrate(s, v);
}

bw_err bw_store_open(const char *path, bw_store **out, bool *recreated, char *errbuf,
                     size_t errlen)
{
    bw_err e = BW_OK;
    bool corrupt = false;
    char detail[256];
    char *moved_to = NULL;
    *out = NULL;
    if (recreated)
        *recreated = false;
    copy_err(errbuf, errlen, "");
    if (!path || !*path) {
        copy_err(errbuf, errlen, "state.db: open: no path");
        return BW_EINVAL;
    }
    bw_store *s = calloc(1, sizeof *s);
    if (!s) {
        copy_err(errbuf, errlen, "state.db: open: out of memory");
        return BW_ENOMEM;
    }
    e = open_once(s, path, &corrupt, detail, sizeof detail);
    if (e)
        goto out;
    if (corrupt) {
        sqlite3_close(s->db);
        s->db = NULL;
        e = move_aside(s, path, &moved_to);
        if (e)
            goto out;
        /* keep why the old file was refused: the message reports it */
        char fresh[sizeof detail];
        e = open_once(s, path, &corrupt, fresh, sizeof fresh);
        if (e)
            goto out;
        if (corrupt) { /* a new file cannot be corrupt; do not loop */
            e = bws_fail_msg(s, BW_EIO, "open", "the new database is reported corrupt");
            goto out;
        }
        if (recreated)
            *recreated = true;
        if (errbuf && errlen)
            snprintf(errbuf, errlen,
                     "state.db: the database was damaged (%s); it was moved to %s "
                     "and a new one was created",
                     detail, moved_to);
    }
    bws_clear_err(s);
    *out = s;
    s = NULL;
out:
    if (s) {
        copy_err(errbuf, errlen, s->errmsg);
        bw_store_close(s);
    }
    free(moved_to);
    return e;
}

void bw_store_close(bw_store *s)
{
    if (!s)
        return;
    /* sqlite3_close_v2 also succeeds with statements left open; every
     * statement here is finalized before its function returns. */
    sqlite3_close_v2(s->db);
    free(s);
}
