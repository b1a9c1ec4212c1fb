/*
 * bw_store_int.h - what the files of the state database share (portable
 * core): the store's struct, the SQLite helpers they all use (defined once,
 * in bw_store.c) and the migrations (bw_store_schema.c). Private to
 * service/core/bw_store*.c and no part of the API, which is bw_store.h; it
 * is the only header that names SQLite. Its functions carry the prefix
 * bws_.
 */
#ifndef BW_STORE_INT_H
#define BW_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "bw_error.h"
#include "bw_store.h"

struct bw_store {
    sqlite3 *db;
    int errcode;
    char errmsg[512];
};

/* ---- errors ------------------------------------------------------------- */

/* Records "state.db: <op>: <sqlite message> (<code>)" and maps the code.
 * Must run before anything else touches the connection (a ROLLBACK would
 * replace the message). */
bw_err bws_fail(bw_store *s, const char *op, int rc);

/* Records "state.db: <op>: <msg>" (no SQLite code) and returns e. */
bw_err bws_fail_msg(bw_store *s, bw_err e, const char *op, const char *msg);

/* Forgets the last failure. */
void bws_clear_err(bw_store *s);

/* ---- statements and transactions ---------------------------------------- */

/* Prepares sql into *st (NULL on failure, recorded under op). */
bw_err bws_prep(bw_store *s, const char *sql, sqlite3_stmt **st, const char *op);

/* Runs sql, which returns no rows; a failure is recorded under op. */
bw_err bws_exec(bw_store *s, const char *sql, const char *op);

/* BEGIN IMMEDIATE, COMMIT, and ROLLBACK if a transaction is open. */
bw_err bws_begin(bw_store *s, const char *op);
bw_err bws_commit(bw_store *s, const char *op);
void bws_rollback(bw_store *s);

/* Steps st, which must finish (SQLITE_DONE), then resets it and clears its
 * bindings for the next use. */
bw_err bws_step_done(bw_store *s, sqlite3_stmt *st, const char *op);

/* Steps st, which must finish (SQLITE_DONE), then finalizes it. */
bw_err bws_step_final(bw_store *s, sqlite3_stmt *st, const char *op);

/* Binds v to parameter i (a copy; NULL binds SQL NULL). */
void bws_bind_text(sqlite3_stmt *st, int i, const char *v);

/* Copies a text column into *dst (NULL for SQL NULL). False when out of
 * memory. */
bool bws_col_dup(sqlite3_stmt *st, int i, char **dst);

/* Reads the current row into a zeroed item: BW_OK, BW_ENOMEM, or BW_EINVAL
 * for data this build does not understand (*why then says what). */
typedef bw_err (*bws_row_reader)(sqlite3_stmt *st, void *item, const char **why);

/* Runs sql (with ?1 bound to *bind1 when given) and appends one item of
 * `size` bytes per row to the typed array at items_ptr (n and cap as for
 * bw_grow), read by row. A failure is recorded under op; the items read so
 * far stay for the caller to free. */
bw_err bws_query_rows(bw_store *s, const char *sql, const char *op, const int64_t *bind1,
                      void *items_ptr, size_t *n, size_t *cap, size_t size, bws_row_reader row);

/* ---- schema (bw_store_schema.c) ---------------------------------------- */

/* Takes the schema from version `from` to BW_STORE_SCHEMA_VERSION, one
 * step at a time, each in its own transaction with the new user_version;
 * stops at the first failure, which leaves the version before it. */
bw_err bws_migrate(bw_store *s, int from);

#endif
