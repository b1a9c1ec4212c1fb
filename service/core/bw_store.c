/*
 * bw_store.c - the state database in SQLite (portable core). The schema and
 * its migrations are described in docs/state-db.md; the contracts are in
 * bw_store.h. SQLite's win32 VFS takes UTF-8 file names, so the same code
 * opens %ProgramData%\banwatch\state.db on Windows and a temp file in the
 * native tests.
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
static bw_err open_once(bw_store *s, const char *path, bool *corrupt, char *detail,
                        size_t dlen)
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
                 "the database was left unchanged", v, BW_STORE_SCHEMA_VERSION);
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

bw_err bw_store_open(const char *path, bw_store **out, bool *recreated,
                     char *errbuf, size_t errlen)
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
                     "and a new one was created", detail, moved_to);
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

/* ---- containment ------------------------------------------------------------------ */

void bw_contain_record_free(bw_contain_record *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->kind);
    free(r->display_name);
    free(r->action);
    free(r->detail);
    memset(r, 0, sizeof *r);
}

void bw_contain_records_free(bw_contain_records *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        bw_contain_record_free(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof *r);
}

#define CONTAIN_COLUMNS                                                                  \
    "name, kind, display_name, changed, prior_start, prior_state, outcome, action, detail," \
    " error, changed_at, outcome_at, restored_at"

/* Reads one row selected with CONTAIN_COLUMNS (a bws_row_reader). */
static bw_err contain_row(sqlite3_stmt *st, void *item, const char **why)
{
    (void)why;
    bw_contain_record *r = item;
    r->changed = sqlite3_column_int(st, 3) != 0;
    r->has_prior = sqlite3_column_type(st, 4) != SQLITE_NULL;
    r->prior_start = (uint32_t)sqlite3_column_int64(st, 4);
    r->prior_state = (uint32_t)sqlite3_column_int64(st, 5);
    const char *o = (const char *)sqlite3_column_text(st, 6);
    if (!bw_contain_outcome_parse(o, &r->outcome))
        r->outcome = BW_OUTCOME_FAILED; /* a value this build does not know */
    r->error = (uint32_t)sqlite3_column_int64(st, 9);
    r->changed_at = sqlite3_column_int64(st, 10);
    r->outcome_at = sqlite3_column_int64(st, 11);
    r->restored_at = sqlite3_column_int64(st, 12);
    return bws_col_dup(st, 0, &r->name) && bws_col_dup(st, 1, &r->kind) &&
                   bws_col_dup(st, 2, &r->display_name) && bws_col_dup(st, 7, &r->action) &&
                   bws_col_dup(st, 8, &r->detail)
               ? BW_OK
               : BW_ENOMEM;
}

bw_err bw_store_contain_get(bw_store *s, const char *name, bw_contain_record *out)
{
    const char *op = "read containment record";
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    bws_clear_err(s);
    bw_err e = bws_prep(s, "SELECT " CONTAIN_COLUMNS " FROM containment WHERE name = ?", &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (contain_row(st, out, NULL) != BW_OK) {
            bw_contain_record_free(out);
            e = bws_fail_msg(s, BW_ENOMEM, op, "out of memory");
        }
    } else if (rc == SQLITE_DONE) {
        e = bws_fail_msg(s, BW_ENOTFOUND, op, "no such service");
    } else {
        e = bws_fail(s, op, rc);
    }
    sqlite3_finalize(st);
    return e;
}

bw_err bw_store_contain_prior(bw_store *s, const char *name, const char *kind,
                              const char *display_name, uint32_t start, uint32_t state,
                              int64_t now)
{
    /* A row already marked changed keeps its prior values and first change
     * time: the service's present state is banwatch's own doing. */
    static const char sql[] =
        "INSERT INTO containment (name, kind, display_name, changed, prior_start, prior_state,"
        " outcome, changed_at, outcome_at)"
        " VALUES (?1, ?2, ?3, 1, ?4, ?5, 'failed', ?6, ?6)"
        " ON CONFLICT(name) DO UPDATE SET"
        "  kind = excluded.kind,"
        "  display_name = COALESCE(excluded.display_name, display_name),"
        "  prior_start = CASE WHEN changed THEN prior_start ELSE excluded.prior_start END,"
        "  prior_state = CASE WHEN changed THEN prior_state ELSE excluded.prior_state END,"
        "  changed_at = CASE WHEN changed THEN changed_at ELSE excluded.changed_at END,"
        "  changed = 1";
    const char *op = "record the state before containment";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    if (!name || !kind)
        return bws_fail_msg(s, BW_EINVAL, op, "no service name");
    bw_err e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    bws_bind_text(st, 2, kind);
    bws_bind_text(st, 3, display_name);
    sqlite3_bind_int64(st, 4, start);
    sqlite3_bind_int64(st, 5, state);
    sqlite3_bind_int64(st, 6, now);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

bw_err bw_store_contain_unmark(bw_store *s, const char *name)
{
    const char *op = "take back a containment record";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    bw_err e = bws_prep(s, "UPDATE containment SET changed = 0, changed_at = NULL WHERE name = ?",
                        &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

bw_err bw_store_contain_outcome(bw_store *s, const bw_contain_result *r, int64_t now,
                                bool *repeat)
{
    static const char sql_same[] =
        "SELECT 1 FROM containment WHERE name = ? AND outcome = ? AND action IS ?";
    static const char sql[] =
        "INSERT INTO containment (name, kind, display_name, outcome, action, detail, error,"
        " outcome_at, restored_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CASE WHEN ?9 THEN ?8 END)"
        " ON CONFLICT(name) DO UPDATE SET"
        "  kind = CASE WHEN changed THEN kind ELSE excluded.kind END,"
        "  display_name = COALESCE(excluded.display_name, display_name),"
        "  outcome = excluded.outcome, action = excluded.action, detail = excluded.detail,"
        "  error = excluded.error, outcome_at = excluded.outcome_at,"
        "  restored_at = CASE WHEN ?9 THEN ?8 ELSE restored_at END,"
        "  changed = CASE WHEN ?9 THEN 0 ELSE changed END";
    const char *op = "record a containment outcome";
    sqlite3_stmt *st = NULL;
    bws_clear_err(s);
    if (repeat)
        *repeat = false;
    if (!r || !r->name || !r->kind)
        return bws_fail_msg(s, BW_EINVAL, op, "no service name");
    const char *outcome = bw_contain_outcome_name(r->outcome);
    bw_err e = bws_prep(s, sql_same, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, r->name);
    bws_bind_text(st, 2, outcome);
    bws_bind_text(st, 3, r->action);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && repeat)
        *repeat = true;
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    st = NULL;
    if (!e)
        e = bws_prep(s, sql, &st, op);
    if (e)
        return e;
    bws_bind_text(st, 1, r->name);
    bws_bind_text(st, 2, r->kind);
    bws_bind_text(st, 3, r->display_name);
    bws_bind_text(st, 4, outcome);
    bws_bind_text(st, 5, r->action);
    bws_bind_text(st, 6, r->detail);
    sqlite3_bind_int64(st, 7, r->error);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int(st, 9, r->outcome == BW_OUTCOME_RESTORED);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        e = bws_fail(s, op, rc);
    sqlite3_finalize(st);
    return e;
}

bw_err bw_store_contain_list(bw_store *s, bw_contain_records *out)
{
    memset(out, 0, sizeof *out);
    bw_err e = bws_query_rows(s,
                              "SELECT " CONTAIN_COLUMNS " FROM containment"
                              " ORDER BY changed DESC, name",
                              "list containment records", NULL, &out->items, &out->n, &out->cap,
                              sizeof *out->items, contain_row);
    if (e)
        bw_contain_records_free(out);
    return e;
}
