/* test_store_faults.c - the state database on a failing disk (bw_store*.c).
 *
 * A SQLite VFS registered by the test as the default one wraps the real
 * default VFS (unix natively, win32 under Wine) and fails writes on
 * demand: SQLITE_FULL (a full disk) once a byte budget is spent,
 * SQLITE_IOERR_WRITE (a disk that went write-protected, a dying one), or a
 * read-only file system (files open read-only, as the real VFS does when a
 * read-write open is refused). The store is driven through applying scans,
 * recording alerts and the outbox, containment records and verdicts, with
 * the failure at every point of the writes. Each operation must fail with a
 * message naming the operation and the reason, leave nothing of itself
 * behind (transactions), leave everything committed before intact, and the
 * same connection and a reopened one must work again once the failure
 * clears, without the file being taken for damaged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define make_dir(p) _mkdir(p)
#define pid()       _getpid()
#else
#include <unistd.h>
#define make_dir(p) mkdir((p), 0700)
#define pid()       getpid()
#endif

#include <sqlite3.h>

#include "bw_alert.h"
#include "bw_store.h"

#define T0 INT64_C(1727600000)

/* ---- the failing VFS ------------------------------------------------------ */

typedef enum fault_mode {
    FAULT_NONE,
    FAULT_FULL,     /* writes past the budget fail with SQLITE_FULL */
    FAULT_IOERR,    /* writes past the budget fail with SQLITE_IOERR_WRITE */
    FAULT_READONLY, /* files open read-only; opening one that does not exist fails */
} fault_mode;

static struct {
    fault_mode mode;
    long long budget; /* bytes that may still be written */
    unsigned failed;  /* writes refused since the last fault_set */
} fault;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static sqlite3_io_methods shim_io;

typedef struct shim_file {
    sqlite3_file base;
    sqlite3_file *real; /* lives right after this struct */
    double align;       /* keeps the real file aligned after us */
} shim_file;

#define REAL(f) (((shim_file *)(f))->real)

static void fault_set(fault_mode mode, long long budget)
{
    fault.mode = mode;
    fault.budget = budget;
    fault.failed = 0;
}

static int shim_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int shim_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int shim_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    if (fault.mode == FAULT_FULL || fault.mode == FAULT_IOERR) {
        if (fault.budget < n) {
            fault.failed++;
            fault.budget = 0;
            return fault.mode == FAULT_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
        }
        fault.budget -= n;
    }
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int shim_sync(sqlite3_file *f, int flags)
{
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int shim_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int shim_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}
static int shim_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}
static int shim_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int shim_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int shim_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int shim_caps(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int shim_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}
static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void shim_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int shim_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                     int *out_flags)
{
    (void)vfs;
    shim_file *sf = (shim_file *)f;
    sf->real = (sqlite3_file *)(sf + 1);
    sf->base.pMethods = NULL;
    if (fault.mode == FAULT_READONLY && (flags & SQLITE_OPEN_READWRITE))
        flags =
            (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_DELETEONCLOSE)) |
            SQLITE_OPEN_READONLY;
    int rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
    if (rc == SQLITE_OK) {
        shim_io.iVersion = sf->real->pMethods->iVersion < 2 ? sf->real->pMethods->iVersion : 2;
        sf->base.pMethods = &shim_io;
    }
    return rc;
}
static int shim_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    if (fault.mode == FAULT_READONLY)
        return SQLITE_IOERR_DELETE;
    return real_vfs->xDelete(real_vfs, name, sync);
}
static int shim_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    int rc = real_vfs->xAccess(real_vfs, name, flags, out);
    if (rc == SQLITE_OK && fault.mode == FAULT_READONLY && flags == SQLITE_ACCESS_READWRITE)
        *out = 0;
    return rc;
}
static int shim_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}
static void *shim_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs->xDlOpen(real_vfs, name);
}
static void shim_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    real_vfs->xDlError(real_vfs, n, out);
}
static void (*shim_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs->xDlSym(real_vfs, h, sym);
}
static void shim_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs->xDlClose(real_vfs, h);
}
static int shim_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}
static int shim_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}
static int shim_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}
static int shim_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
static int shim_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int register_shim(void **state)
{
    (void)state;
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2)
        return -1;
    shim_io = (sqlite3_io_methods){
        .iVersion = 2,
        .xClose = shim_close,
        .xRead = shim_read,
        .xWrite = shim_write,
        .xTruncate = shim_truncate,
        .xSync = shim_sync,
        .xFileSize = shim_size,
        .xLock = shim_lock,
        .xUnlock = shim_unlock,
        .xCheckReservedLock = shim_check_lock,
        .xFileControl = shim_control,
        .xSectorSize = shim_sector,
        .xDeviceCharacteristics = shim_caps,
        .xShmMap = shim_shm_map,
        .xShmLock = shim_shm_lock,
        .xShmBarrier = shim_shm_barrier,
        .xShmUnmap = shim_shm_unmap,
    };
    shim_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(shim_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = "bw-fault",
        .xOpen = shim_open,
        .xDelete = shim_delete,
        .xAccess = shim_access,
        .xFullPathname = shim_full_path,
        .xDlOpen = shim_dl_open,
        .xDlError = shim_dl_error,
        .xDlSym = shim_dl_sym,
        .xDlClose = shim_dl_close,
        .xRandomness = shim_random,
        .xSleep = shim_sleep,
        .xCurrentTime = shim_time,
        .xGetLastError = shim_last_error,
        .xCurrentTimeInt64 = shim_time64,
    };
    /* the default: bw_store_open uses it without knowing */
    return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ---- files ------------------------------------------------------------------ */

static char dir[512];

static int setup(void **state)
{
#ifdef _WIN32
    const char *base = ".";
#else
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
#endif
    snprintf(dir, sizeof dir, "%s/bw-test-faults-%d", base, (int)pid());
    if (make_dir(dir) != 0)
        return -1;
    return register_shim(state);
}

static void remove_prefixed(const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
}

static int teardown(void **state)
{
    (void)state;
    fault_set(FAULT_NONE, 0);
    sqlite3_vfs_unregister(&shim_vfs);
    remove_prefixed(NULL);
    rmdir(dir);
    return 0;
}

static const char *db_path(const char *name)
{
    static char p[600];
    snprintf(p, sizeof p, "%s/%s.db", dir, name);
    return p;
}

/* ---- the store --------------------------------------------------------------- */

static bw_store *open_ok(const char *path)
{
    bw_store *s = NULL;
    bool recreated = true;
    char err[512];
    bw_err e = bw_store_open(path, &s, &recreated, err, sizeof err);
    if (e != BW_OK)
        print_error("open: %s\n", err);
    assert_int_equal(e, BW_OK);
    assert_false(recreated); /* a failed write never makes the file look damaged */
    return s;
}

/* n products named <prefix>-<i>, version v. */
static void products(bw_findings *f, const char *prefix, size_t n, const char *v)
{
    memset(f, 0, sizeof *f);
    f->items = calloc(n, sizeof *f->items);
    assert_non_null(f->items);
    f->n = f->cap = n;
    for (size_t i = 0; i < n; i++) {
        bw_finding *x = &f->items[i];
        char name[64], src[160];
        snprintf(name, sizeof name, "%s-%03zu", prefix, i);
        snprintf(src, sizeof src,
                 "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\%s", name);
        x->kind = BW_KIND_PRODUCT;
        x->tier = BW_TIER_CONFIRMED;
        x->name = bw_strdup(name);
        x->source = bw_strdup(src);
        x->display_name =
            bw_strdup("Kaspersky Endpoint Security for Windows, a long display name");
        x->publisher = bw_strdup("AO Kaspersky Lab");
        x->version = bw_strdup(v);
        x->rule = bw_strdup("vendor.publishers");
        assert_non_null(x->name);
    }
}

static bw_err apply(bw_store *s, const bw_findings *f, int64_t now, bw_changes *c)
{
    bw_scan_meta m = {.host = "WS-01",
                      .policy_name = "kaspersky",
                      .policy_version = "1",
                      .started_at = now,
                      .finished_at = now,
                      .complete = true};
    return bw_store_apply_scan(s, &m, f, now, c, NULL);
}

static int64_t count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    fault_mode m = fault.mode;
    fault.mode = FAULT_NONE;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    fault.mode = m;
    return n;
}

static void assert_intact(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A database with one applied scan of 40 products, their alerts raised. */
static void seed(const char *path)
{
    remove_prefixed(strrchr(path, '/') + 1);
    bw_store *s = open_ok(path);
    bw_findings f;
    products(&f, "base", 40, "1.0");
    bw_changes c = {0};
    assert_int_equal(apply(s, &f, T0, &c), BW_OK);
    assert_int_equal(c.n, 40);
    for (size_t i = 0; i < c.n; i++) {
        int64_t id = 0;
        assert_int_equal(bw_store_record_alert(s, c.items[i].id, 200, "{}", T0, &id), BW_OK);
    }
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* What the seeded database holds, whatever failed after. */
static void assert_seed_kept(const char *path)
{
    assert_intact(path);
    assert_true(count_rows(path, "SELECT count(*) FROM findings WHERE name LIKE 'base-%'") == 40);
    assert_true(count_rows(path, "SELECT count(*) FROM alerts WHERE change_id IS NOT NULL") >=
                40);
}

/* The store's message names the operation and the reason. */
static void assert_msg(const bw_store *s, const char *op, const char *reason)
{
    const char *m = bw_store_errmsg(s);
    char want[160];
    snprintf(want, sizeof want, "state.db: %s", op);
    if (strncmp(m, want, strlen(want)) != 0 || !strstr(m, reason))
        fail_msg("message \"%s\": want \"%s...%s\"", m, want, reason);
}

#define FULL "database or disk is full (13)"

static int clear_fault(void **state)
{
    (void)state;
    fault_set(FAULT_NONE, 0);
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */

/* A full disk during each operation: a clear error naming it, nothing of it
 * written, the rest intact; the same connection works once there is room. */
static void test_full_disk_each_operation(void **state)
{
    (void)state;
    const char *path = db_path("full");
    seed(path);
    bw_store *s = open_ok(path);
    bw_findings f;
    products(&f, "more", 60, "2.0");
    bw_changes c = {0};

    fault_set(FAULT_FULL, 0);
    assert_int_equal(apply(s, &f, T0 + 60, &c), BW_EIO);
    assert_int_equal(c.n, 0);
    assert_true(fault.failed > 0);
    assert_msg(s, "apply scan", FULL);
    assert_int_equal(bw_store_errcode(s), SQLITE_FULL);
    assert_false(bw_store_corrupt(s)); /* not damaged: the agent keeps the file */

    int64_t id = 1;
    assert_int_equal(bw_store_record_alert(s, 0, 100, "{}", T0 + 60, &id), BW_EIO);
    assert_int_equal(id, 0);
    assert_msg(s, "record alert", FULL);
    assert_int_equal(bw_store_alert_begin(s, 0, 230, "{}", T0 + 60, 7, &id), BW_EIO);
    assert_msg(s, "begin alert", FULL);

    assert_int_equal(bw_store_contain_prior(s, "AVP", "service", "Kaspersky", 2, 4, T0 + 60),
                     BW_EIO);
    assert_msg(s, "record the state before containment", FULL);
    bw_contain_result r = {
        .outcome = BW_OUTCOME_DISABLED, .name = "AVP", .kind = "service", .action = "disable"};
    assert_int_equal(bw_store_contain_outcome(s, &r, T0 + 60, NULL), BW_EIO);
    assert_msg(s, "record a containment outcome", FULL);
    bw_verdict_record v = {.at = T0 + 60, .digest = "present=confirmed"};
    assert_int_equal(bw_store_verdict_add(s, &v), BW_EIO);
    assert_msg(s, "record verdict", FULL);
    assert_int_equal(bw_store_meta_set(s, "last_heartbeat", T0 + 60), BW_EIO);
    assert_msg(s, "write meta", FULL);
    bw_prev_stop prev = BW_PREV_STOP_CLEAN;
    assert_int_equal(bw_store_run_begin(s, T0 + 60, &prev, NULL), BW_EIO);
    assert_int_equal(prev, BW_PREV_STOP_UNKNOWN);
    assert_msg(s, "mark the run", FULL);

    /* reading still works while the disk is full */
    bw_stored_findings cur = {0};
    assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
    assert_int_equal(cur.n, 40);
    bw_stored_findings_free(&cur);
    /* nothing of the failed operations is there */
    assert_seed_kept(path);
    assert_true(count_rows(path, "SELECT count(*) FROM scans") == 1);
    assert_true(count_rows(path, "SELECT count(*) FROM findings WHERE name LIKE 'more-%'") == 0);
    assert_true(count_rows(path, "SELECT count(*) FROM containment") == 0);
    assert_true(count_rows(path, "SELECT count(*) FROM verdicts") == 0);
    assert_true(count_rows(path, "SELECT count(*) FROM alerts WHERE change_id IS NULL") == 0);

    /* room again: the same connection applies the same scan */
    fault_set(FAULT_NONE, 0);
    assert_int_equal(apply(s, &f, T0 + 120, &c), BW_OK);
    assert_int_equal(c.n, 100); /* 60 new, 40 resolved */
    assert_int_equal(bw_store_contain_prior(s, "AVP", "service", "Kaspersky", 2, 4, T0 + 120),
                     BW_OK);
    assert_string_equal(bw_store_errmsg(s), "");
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
    s = open_ok(path);
    assert_true(count_rows(path, "SELECT count(*) FROM scans") == 2);
    assert_true(count_rows(path, "SELECT count(*) FROM changes") == 140);
    bw_store_close(s);
}

/* Each operation in turn against a disk that fills after N more bytes, for
 * N from 0 up past what the whole sequence writes: wherever the write
 * stops, an operation is all there or not at all, what came before stays,
 * and the file reopens undamaged. */
static void fill_at(fault_mode mode, long long budget, bool *all_ok)
{
    const char *path = db_path(mode == FAULT_FULL ? "fill" : "ioerr");
    seed(path);
    bw_store *s = open_ok(path);
    bw_findings f;
    products(&f, "burst", 80, "3.0");
    bw_changes c = {0};
    fault_set(mode, budget);
    bw_err applied = apply(s, &f, T0 + 60, &c);
    size_t n_changes = c.n;
    bw_err alerted = BW_OK;
    size_t n_alerted = 0;
    for (size_t i = 0; applied == BW_OK && i < c.n && alerted == BW_OK; i++) {
        int64_t id = 0;
        alerted = bw_store_alert_begin(s, c.items[i].id, 200, "{}", T0 + 60, 1 + i, &id);
        if (!alerted)
            alerted = bw_store_alert_sent(s, id);
        if (!alerted)
            n_alerted++;
    }
    bw_err prior = bw_store_contain_prior(s, "klnagent", "service", NULL, 2, 4, T0 + 60);
    bw_contain_result r = {
        .outcome = BW_OUTCOME_STOPPED, .name = "klnagent", .kind = "service", .action = "stop"};
    bw_err outcome = bw_store_contain_outcome(s, &r, T0 + 60, NULL);
    bw_verdict_record v = {.at = T0 + 60, .digest = "d"};
    bw_err verdict = bw_store_verdict_add(s, &v);
    bw_err errs[] = {applied, alerted, prior, outcome, verdict};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        if (errs[i] == BW_OK)
            continue;
        *all_ok = false;
        assert_int_equal(errs[i], BW_EIO);
        assert_non_null(strstr(bw_store_errmsg(s), "state.db: "));
    }
    if (applied != BW_OK)
        assert_int_equal(n_changes, 0);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s); /* the checkpoint at close may fail too */

    fault_set(FAULT_NONE, 0);
    assert_seed_kept(path);
    int64_t scans = count_rows(path, "SELECT count(*) FROM scans");
    int64_t burst = count_rows(path, "SELECT count(*) FROM findings WHERE name LIKE 'burst-%'");
    int64_t changes = count_rows(path, "SELECT count(*) FROM changes WHERE scan_id = 2");
    if (applied == BW_OK) {
        assert_true(scans == 2 && burst == 80 && changes == 120);
    } else {
        assert_true(scans == 1 && burst == 0 && changes == 0);
    }
    assert_true(count_rows(path, "SELECT count(*) FROM alerts WHERE event_id = 200 AND "
                                 "change_id IN (SELECT id FROM changes WHERE scan_id = 2)") >=
                (int64_t)n_alerted);
    assert_true(count_rows(path, "SELECT count(*) FROM containment WHERE changed = 1") ==
                (prior == BW_OK ? 1 : 0));
    assert_true(count_rows(path, "SELECT count(*) FROM verdicts") == (verdict == BW_OK ? 1 : 0));
    /* and the store opens as it was and takes the same scan again */
    bw_store *again = open_ok(path);
    bw_alert_records doubt = {0};
    assert_int_equal(bw_store_alerts_in_doubt(again, &doubt), BW_OK);
    for (size_t i = 0; i < doubt.n; i++)
        assert_int_equal(bw_store_alert_settle(again, doubt.items[i].id, false), BW_OK);
    bw_alert_records_free(&doubt);
    products(&f, "burst", 80, "3.0");
    assert_int_equal(apply(again, &f, T0 + 120, &c), BW_OK);
    assert_int_equal(c.n, applied == BW_OK ? 0 : 120);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(again);
}

static void run_fill(fault_mode mode)
{
    long long budget = 0;
    unsigned runs = 0;
    for (;;) {
        bool all_ok = true;
        fill_at(mode, budget, &all_ok);
        runs++;
        if (all_ok)
            break; /* the budget covers the whole sequence */
        budget = budget < 4096 ? budget + 512 : budget + budget / 3;
    }
    assert_true(runs > 5);
}

static void test_fill_at_every_point(void **state)
{
    (void)state;
    run_fill(FAULT_FULL);
}

static void test_write_error_at_every_point(void **state)
{
    (void)state;
    run_fill(FAULT_IOERR);
}

/* A read-only data folder or disk: the store does not open for writing, or
 * the first write says the database is read-only; nothing is lost and all
 * works again once it is writable. */
static void test_read_only(void **state)
{
    (void)state;
    const char *path = db_path("ro");
    seed(path);
    fault_set(FAULT_READONLY, 0);
    bw_store *s = NULL;
    char err[512];
    bool recreated = true;
    bw_err e = bw_store_open(path, &s, &recreated, err, sizeof err);
    assert_false(recreated);
    if (e == BW_OK) {
        bw_findings f;
        products(&f, "ro", 5, "1.0");
        bw_changes c = {0};
        assert_int_not_equal(apply(s, &f, T0 + 60, &c), BW_OK);
        assert_int_equal(c.n, 0);
        assert_non_null(strstr(bw_store_errmsg(s), "state.db: apply scan: "));
        bw_findings_free(&f);
        bw_store_close(s);
    } else {
        assert_null(s);
        assert_non_null(strstr(err, "state.db: "));
    }
    /* a read-only file is not damaged: nothing moved aside */
    fault_set(FAULT_NONE, 0);
    assert_seed_kept(path);
    assert_true(count_rows(path, "SELECT count(*) FROM scans") == 1);
    s = open_ok(path);
    bw_findings f;
    products(&f, "ro", 5, "1.0");
    bw_changes c = {0};
    assert_int_equal(apply(s, &f, T0 + 120, &c), BW_OK);
    assert_int_equal(c.n, 45);
    bw_changes_free(&c);
    bw_findings_free(&f);
    bw_store_close(s);
}

/* The same with the write-ahead log still there (another connection has
 * it open, as after a crash): the store opens and reads, and every write
 * says the database is read-only. */
static void test_read_only_with_log(void **state)
{
    (void)state;
    const char *path = db_path("rolog");
    seed(path);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM findings", NULL, NULL, NULL),
                     SQLITE_OK);
    fault_set(FAULT_READONLY, 0);
    bw_store *s = NULL;
    char err[512];
    bool recreated = true;
    bw_err e = bw_store_open(path, &s, &recreated, err, sizeof err);
    assert_false(recreated);
    if (e == BW_OK) {
        bw_stored_findings cur = {0};
        assert_int_equal(bw_store_current_findings(s, &cur), BW_OK);
        assert_int_equal(cur.n, 40);
        bw_stored_findings_free(&cur);
        bw_findings f;
        products(&f, "ro", 5, "1.0");
        bw_changes c = {0};
        assert_int_equal(apply(s, &f, T0 + 60, &c), BW_EACCES);
        assert_int_equal(c.n, 0);
        assert_msg(s, "apply scan", "readonly database");
        assert_int_equal(bw_store_record_alert(s, 0, 100, "{}", T0 + 60, NULL), BW_EACCES);
        assert_msg(s, "record alert", "readonly database");
        bw_findings_free(&f);
        bw_store_close(s);
    } else {
        assert_non_null(strstr(err, "state.db: "));
    }
    fault_set(FAULT_NONE, 0);
    sqlite3_close(other);
    assert_seed_kept(path);
    s = open_ok(path);
    bw_store_close(s);
}

/* A database created on a disk that is already full: the open fails with
 * the reason, and nothing half-made is left to be taken for damaged. */
static void test_create_on_full_disk(void **state)
{
    (void)state;
    const char *path = db_path("new");
    remove_prefixed("new.db");
    fault_set(FAULT_FULL, 0);
    bw_store *s = NULL;
    char err[512];
    bool recreated = true;
    assert_int_equal(bw_store_open(path, &s, &recreated, err, sizeof err), BW_EIO);
    assert_null(s);
    assert_false(recreated);
    assert_non_null(strstr(err, "database or disk is full (13)"));
    fault_set(FAULT_NONE, 0);
    s = open_ok(path);
    bw_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_full_disk_each_operation, clear_fault),
        cmocka_unit_test_setup(test_fill_at_every_point, clear_fault),
        cmocka_unit_test_setup(test_write_error_at_every_point, clear_fault),
        cmocka_unit_test_setup(test_read_only, clear_fault),
        cmocka_unit_test_setup(test_read_only_with_log, clear_fault),
        cmocka_unit_test_setup(test_create_on_full_disk, clear_fault),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
