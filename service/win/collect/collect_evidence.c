/*
 * collect_evidence.c - the update evidence collector (Win32 layer).
 *
 * Reads, never interprets (service/core/bw_evidence.c parses what is kept
 * here). Runs after the vendor roots collector, over the vendor keys in the
 * snapshot:
 *
 *  1. Registry, in the order of the vendor keys. A product key (key_name
 *     set) gives <source>\Data\LastSuccessfulUpdate (REG_DWORD Unix time
 *     in some releases, REG_QWORD FILETIME in 21.x: the type is kept and
 *     the parser takes both), Data\UpdateState\LastUpdate (FILETIME) and
 *     Data\Statistics\InstalledUpdateDate ("DDMMYYYY HHMM"); a root
 *     record gives <source>\Components\34\1103\1.0.0.0\Statistics\AVState
 *     Protection_BasesDate (REG_SZ, the Network Agent's statistics). The
 *     source is opened literally in the 64-bit view: it already names the
 *     key the 32-bit view redirects to ("HKLM\SOFTWARE\WOW6432Node\..."),
 *     and that literal path opens on 64-bit Windows and under Wine alike.
 *
 *  2. Bases folders. Per product key, from its environment values in this
 *     order: Bases, Base, DataFolder + "\Bases", UpdateRoot; then every
 *     entry of the policy's bases_paths (product NULL). A key's values
 *     refer to each other as %Name% (Data = "%DataRoot%\Data"): those are
 *     expanded first from the key itself (bw_expand.h), then Windows'
 *     variables with ExpandEnvironmentStringsW; '/' becomes '\' and
 *     trailing backslashes are dropped; folders are de-duplicated
 *     case-insensitively (the first one seen, and so its product, wins). A
 *     relative Bases or Base value is taken relative to the key's
 *     DataFolder, a relative UpdateRoot relative to the bases folder
 *     (Bases, else Base, else DataFolder\Bases); any other relative path is
 *     a gap. UpdateRoot may name a folder, or a *.xml file: that file is
 *     read as a bases index and its folder becomes a bases folder.
 *
 *  3. For each folder, in order: one BW_EVIDENCE_FILE_MTIME entry with the
 *     newest last-write time of the regular files directly in it (none when
 *     it holds no file), its *.xml files and those of its "index"
 *     subfolder (BW_EVIDENCE_BASES_INDEX, each level sorted by name), then
 *     Stat\kdb.stt (BW_EVIDENCE_KDB_STT). Each file is read at most once.
 *
 * A folder or file that does not exist yields nothing and no gap; anything
 * that exists but cannot be listed or read is a gap naming the path and
 * the Win32 error. Files are opened for reading with full sharing, so the
 * product can go on replacing its bases while they are read.
 */
#include <stdlib.h>
#include <string.h>

#include "bw_collect.h"
#include "../bw_winfile.h"
#include "../bw_winreg.h"
#include "../../core/bw_evidence.h"
#include "../../core/bw_expand.h"

#define MAX_FILE_BYTES   ((size_t)1 << 20)  /* per file read (1 MiB) */
#define MAX_TOTAL_BYTES  ((size_t)32 << 20) /* all files of one run */
#define MAX_KEYS         4096u              /* vendor keys examined */
#define MAX_FOLDERS      64u                /* bases folders */
#define MAX_ENTRIES      10000u             /* directory entries per listing */
#define MAX_INDEX        256u               /* index files per bases folder */
#define MAX_EXPAND_UNITS 32768u             /* ExpandEnvironmentStringsW result */

#define AVSTATE "Components\\34\\1103\\1.0.0.0\\Statistics\\AVState"

#define FILETIME_UNIX_EPOCH BW_FILETIME_UNIX_EPOCH

typedef struct folder {
    char *path;
    const char *product; /* points into the snapshot's vendor key, or NULL */
} folder;

typedef struct index_file {
    char *path;
    const char *product;
} index_file;

typedef struct ctx {
    const bw_api *api;
    bw_snapshot *snap;
    folder *folders;
    size_t n_folders, cap_folders;
    bool folders_full;
    index_file *files; /* index files named by UpdateRoot */
    size_t n_files, cap_files;
    bw_strlist read; /* files already read (or refused), for de-duplication */
    size_t total_bytes;
    bool total_full;
} ctx;

/* A gap with the text of a Win32 error code. */
static bw_err gap_code(bw_snapshot *snap, const char *where, DWORD code)
{
    bw_win_status st;
    bw_win_status_set(&st, code);
    return bw_win_gap(snap, where, &st);
}

/* Appends an evidence entry; product and source are copied, raw is taken
 * over (freed on failure). reg_type and number describe a registry value. */
static bw_err add_evidence(bw_snapshot *snap, bw_evidence_kind kind, const char *product,
                           const char *source, char *raw, size_t raw_len, uint32_t reg_type,
                           uint64_t number, int64_t mtime)
{
    bw_evidence_entry *e;
    if (bw_snapshot_add_evidence(snap, &e) != BW_OK) {
        free(raw);
        return BW_ENOMEM;
    }
    e->kind = kind;
    e->raw = raw;
    e->raw_len = raw_len;
    e->reg_type = reg_type;
    e->number = number;
    e->mtime = mtime;
    e->product = product ? bw_strdup(product) : NULL;
    e->source = bw_strdup(source);
    if ((product && !e->product) || !e->source)
        return BW_ENOMEM;
    return BW_OK;
}

/* ---- registry ---------------------------------------------------------- */

/* Opens source\sub (source as the vendor collector wrote it) for reading.
 * *key stays NULL when the key does not exist; other failures are gaps at
 * `where`. */
static bw_err open_under(const ctx *c, const char *source, const char *sub, const char *where,
                         HKEY *key)
{
    *key = NULL;
    HKEY root;
    const char *rest;
    if (bw_win_reg_parse_root(source, &root, &rest) != BW_OK)
        return bw_snapshot_add_gap(c->snap, source, "unsupported registry root");
    char *path = bw_strfmt("%s\\%s", rest, sub);
    if (!path)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open_field(c->api, root, path, KEY_WOW64_64KEY, key, where, c->snap);
    free(path);
    return err;
}

/* One registry time of a product key: <source>\<sub> value `name`. */
static bw_err registry_time(const ctx *c, const bw_vendor_key *k, const char *sub,
                            const char *name, bw_evidence_kind kind)
{
    HKEY key = NULL;
    bw_win_scalar v = {0};
    char *where = bw_strfmt("%s\\%s", k->source, sub);
    if (!where)
        return BW_ENOMEM;
    bw_err err = open_under(c, k->source, sub, where, &key);
    if (err != BW_OK || !key)
        goto out;
    bw_win_status st;
    char *source = bw_strfmt("%s\\%s", where, name);
    if (!source) {
        err = BW_ENOMEM;
        goto out;
    }
    err = bw_win_reg_scalar(c->api, key, name, &v, &st);
    if (err == BW_OK) {
        size_t len = v.text ? strlen(v.text) : 0;
        err = add_evidence(c->snap, kind, k->key_name, source, v.text, len, v.type, v.number, 0);
        v.text = NULL;
    } else if (err == BW_ENOTFOUND) {
        err = BW_OK;
    } else if (err != BW_ENOMEM) {
        err = bw_win_gap(c->snap, source, &st);
    }
    free(source);
out:
    free(v.text);
    bw_win_reg_close(c->api, key);
    free(where);
    return err;
}

static bw_err last_update(const ctx *c, const bw_vendor_key *k)
{
    bw_err err = registry_time(c, k, "Data", "LastSuccessfulUpdate", BW_EVIDENCE_LAST_UPDATE);
    if (err == BW_OK)
        err = registry_time(c, k, "Data\\UpdateState", "LastUpdate", BW_EVIDENCE_UPDATE_STATE);
    if (err == BW_OK)
        err = registry_time(c, k, "Data\\Statistics", "InstalledUpdateDate",
                            BW_EVIDENCE_INSTALLED_UPDATE);
    /* KES keeps the date of its bases under watchdog (FILETIME). */
    if (err == BW_OK)
        err = registry_time(c, k, "watchdog\\BasesInfo", "Date", BW_EVIDENCE_BASES_INFO);
    return err;
}

static bw_err bases_date(const ctx *c, const bw_vendor_key *k)
{
    HKEY key = NULL;
    char *text = NULL;
    char *where = bw_strfmt("%s\\" AVSTATE, k->source);
    if (!where)
        return BW_ENOMEM;
    bw_err err = open_under(c, k->source, AVSTATE, where, &key);
    if (err != BW_OK || !key)
        goto out;
    err = bw_win_reg_string_field(c->api, key, where, "Protection_BasesDate", &text, c->snap);
    if (err != BW_OK || !text)
        goto out;
    char *source = bw_strfmt("%s\\Protection_BasesDate", where);
    size_t len = strlen(text);
    err = source ? add_evidence(c->snap, BW_EVIDENCE_BASES_DATE, NULL, source, text, len,
                                BW_REG_SZ, 0, 0)
                 : BW_ENOMEM;
    text = NULL;
    free(source);
out:
    free(text);
    bw_win_reg_close(c->api, key);
    free(where);
    return err;
}

/* ---- paths ----------------------------------------------------------------- */

/* Expands %VARS% in raw. *out is NULL (and a gap recorded) when that
 * fails. */
static bw_err expand(const ctx *c, const char *raw, char **out)
{
    *out = NULL;
    uint16_t *w = NULL, *buf = NULL;
    bw_err err = bw_utf8_to_utf16(raw, &w, NULL);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK)
        return bw_snapshot_add_gap(c->snap, raw, "path is not valid UTF-8");
    DWORD cap = MAX_PATH + 1;
    for (int tries = 0;; tries++) {
        uint16_t *nb = realloc(buf, cap * sizeof *buf);
        if (!nb) {
            err = BW_ENOMEM;
            break;
        }
        buf = nb;
        DWORD need = c->api->ExpandEnvironmentStringsW((LPCWSTR)w, (LPWSTR)buf, cap);
        if (need == 0) {
            err = gap_code(c->snap, raw, GetLastError());
            break;
        }
        if (need <= cap) {
            buf[need - 1] = 0; /* never trust a returned length */
            err = bw_utf16_to_utf8(buf, need, out);
            if (err != BW_OK && err != BW_ENOMEM)
                err = bw_snapshot_add_gap(c->snap, raw, "expanded path is not valid UTF-16");
            break;
        }
        if (need > MAX_EXPAND_UNITS || tries >= 3) {
            err = bw_snapshot_add_gap(c->snap, raw, "expanded path too long");
            break;
        }
        cap = need;
    }
    free(w);
    free(buf);
    return err;
}

/* '/' -> '\', runs of backslashes after a leading "\\" collapsed, trailing
 * backslashes dropped. In place. */
static void normalize(char *p)
{
    size_t j = 0;
    for (size_t i = 0; p[i]; i++) {
        char ch = p[i] == '/' ? '\\' : p[i];
        if (ch == '\\' && j > 1 && p[j - 1] == '\\')
            continue;
        p[j++] = ch;
    }
    while (j && p[j - 1] == '\\')
        j--;
    p[j] = '\0';
}

static bool is_absolute(const char *p)
{
    bool drive = ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
    return (drive && (p[2] == '\\' || p[2] == '\0')) || (p[0] == '\\' && p[1] == '\\');
}

/* Wildcards would turn a path into a pattern for FindFirstFileW. */
static bool has_wildcard(const char *p)
{
    if (strncmp(p, "\\\\?\\", 4) == 0)
        p += 4;
    return strpbrk(p, "*?") != NULL;
}

static bool ends_with_xml(const char *name)
{
    size_t n = strlen(name);
    if (n < 4)
        return false;
    const char *e = name + n - 4;
    return e[0] == '.' && (e[1] | 0x20) == 'x' && (e[2] | 0x20) == 'm' && (e[3] | 0x20) == 'l';
}

/* The expanded, normalised form of a raw path value: the vendor key's own
 * variables first (k may be NULL), then Windows'; relative paths are taken
 * under `base` when given. *out NULL: nothing to look at (a gap was
 * recorded where the value is unusable). */
static bw_err resolve(const ctx *c, const bw_vendor_key *k, const char *raw, const char *base,
                      char **out)
{
    *out = NULL;
    char *p = NULL, *own = NULL;
    char why[160];
    bw_err err =
        bw_expand_vendor_vars(k ? k->env : NULL, k ? k->n_env : 0, raw, &own, why, sizeof why);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK)
        return bw_snapshot_add_gap(c->snap, raw, "%s (in %s\\environment)", why,
                                   k && k->source ? k->source : "the policy");
    err = expand(c, own, &p);
    free(own);
    if (err != BW_OK || !p)
        return err;
    normalize(p);
    if (!*p) { /* an empty value names nothing */
        free(p);
        return BW_OK;
    }
    if (!is_absolute(p)) {
        if (!base) {
            free(p);
            return bw_snapshot_add_gap(c->snap, raw, "not an absolute path");
        }
        char *full = bw_strfmt("%s\\%s", base, p);
        free(p);
        if (!full)
            return BW_ENOMEM;
        p = full;
    }
    if (has_wildcard(p)) {
        free(p);
        return bw_snapshot_add_gap(c->snap, raw, "path holds a wildcard");
    }
    *out = p;
    return BW_OK;
}

/* Takes over path. Duplicates (case-insensitive) are dropped. */
static bw_err add_folder(ctx *c, char *path, const char *product)
{
    for (size_t i = 0; i < c->n_folders; i++) {
        if (bw_ieq(c->folders[i].path, path)) {
            free(path);
            return BW_OK;
        }
    }
    if (c->n_folders >= MAX_FOLDERS) {
        bw_err err = BW_OK;
        if (!c->folders_full)
            err = bw_snapshot_add_gap(c->snap, path,
                                      "more than 64 bases folders; this one was not read");
        c->folders_full = true;
        free(path);
        return err;
    }
    if (bw_grow(&c->folders, &c->cap_folders, c->n_folders, sizeof *c->folders) != BW_OK) {
        free(path);
        return BW_ENOMEM;
    }
    c->folders[c->n_folders].path = path;
    c->folders[c->n_folders].product = product;
    c->n_folders++;
    return BW_OK;
}

/* ---- files ----------------------------------------------------------------- */

static bool seen_file(const ctx *c, const char *path)
{
    for (size_t i = 0; i < c->read.n; i++)
        if (bw_ieq(c->read.items[i], path))
            return true;
    return false;
}

/* What FindFirstFileW tells about a path (no wildcards in it). */
typedef enum { P_NONE, P_FILE, P_DIR } path_kind;

/* True for the errors that mean "no such file or folder". A path that
 * goes through a file gives ERROR_PATH_NOT_FOUND or ERROR_DIRECTORY. */
static bool absent_code(DWORD code)
{
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ||
           code == ERROR_DIRECTORY;
}

/* Looks at path itself (FindFirstFileW without a wildcard lists just that
 * entry). *code is the Win32 error when that fails, else 0. */
static bw_err probe_quiet(const ctx *c, const char *path, path_kind *kind, DWORD *code)
{
    *kind = P_NONE;
    *code = 0;
    uint16_t *w = NULL;
    bw_err err = bw_utf8_to_utf16(path, &w, NULL);
    if (err != BW_OK)
        return err;
    WIN32_FIND_DATAW fd;
    HANDLE h = c->api->FindFirstFileW((LPCWSTR)w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        *code = GetLastError();
        return BW_OK;
    }
    c->api->FindClose(h);
    *kind = (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? P_DIR : P_FILE;
    return BW_OK;
}

/* The same, with a gap for any failure other than absence. */
static bw_err probe(const ctx *c, const char *path, path_kind *kind)
{
    DWORD code;
    bw_err err = probe_quiet(c, path, kind, &code);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK)
        return bw_snapshot_add_gap(c->snap, path, "path is not valid UTF-8");
    if (code && !absent_code(code))
        return gap_code(c->snap, path, code);
    return BW_OK;
}

/* Reads one file into an evidence entry. Absent: nothing. */
static bw_err read_file(ctx *c, const char *path, bw_evidence_kind kind, const char *product)
{
    if (seen_file(c, path))
        return BW_OK;
    if (bw_strlist_add(&c->read, path) != BW_OK)
        return BW_ENOMEM;
    if (c->total_full)
        return BW_OK;
    size_t room = MAX_TOTAL_BYTES - c->total_bytes;
    bw_win_file f;
    bw_err err =
        bw_win_file_read(c->api, path, room < MAX_FILE_BYTES ? room : MAX_FILE_BYTES, &f);
    if (err == BW_ERANGE && f.size > MAX_FILE_BYTES)
        return bw_snapshot_add_gap(c->snap, path, "file too large (%llu bytes, limit %zu)",
                                   (unsigned long long)f.size, MAX_FILE_BYTES);
    if (err == BW_ERANGE) {
        c->total_full = true;
        return bw_snapshot_add_gap(
            c->snap, path, "evidence files exceed %zu bytes in all; the rest was not read",
            MAX_TOTAL_BYTES);
    }
    if (err == BW_EENCODING)
        return bw_snapshot_add_gap(c->snap, path, "path is not valid UTF-8");
    if (err != BW_OK && f.code)
        return absent_code(f.code) ? BW_OK : gap_code(c->snap, path, f.code);
    if (err != BW_OK)
        return err;
    c->total_bytes += f.len;
    return add_evidence(c->snap, kind, product, path, f.data, f.len, 0, 0, 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the entries directly in dir: the names of its *.xml files go to
 * *xml (at most `room` of them; *over tells that more were left out), and
 * the newest last-write time of its regular files to *newest (*any tells
 * whether there was a file). *exists is false when dir is not a folder. */
static bw_err list_dir(const ctx *c, const char *dir, bw_strlist *xml, size_t room, bool *over,
                       uint64_t *newest, bool *any, bool *exists)
{
    *exists = false;
    char *pattern = bw_strfmt("%s\\*", dir);
    uint16_t *w = NULL;
    if (!pattern)
        return BW_ENOMEM;
    bw_err err = bw_utf8_to_utf16(pattern, &w, NULL);
    free(pattern);
    if (err == BW_ENOMEM)
        return err;
    if (err != BW_OK)
        return bw_snapshot_add_gap(c->snap, dir, "path is not valid UTF-8");
    WIN32_FIND_DATAW fd;
    HANDLE h = c->api->FindFirstFileW((LPCWSTR)w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD code = GetLastError();
        if (absent_code(code))
            return BW_OK;
        /* Listing "<file>\*" fails with ERROR_INVALID_NAME under Wine: a
         * path that is no folder is no gap. Look at the path itself. */
        path_kind kind;
        DWORD probe_code;
        err = probe_quiet(c, dir, &kind, &probe_code);
        if (err == BW_ENOMEM)
            return err;
        if (err == BW_OK && (kind == P_FILE || (kind == P_NONE && absent_code(probe_code))))
            return BW_OK;
        return gap_code(c->snap, dir, code);
    }
    *exists = true;
    size_t n_entries = 0, n_bad = 0;
    for (;;) {
        if (!(fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
            uint64_t t = ((uint64_t)fd.ftLastWriteTime.dwHighDateTime << 32) |
                         fd.ftLastWriteTime.dwLowDateTime;
            if (!*any || t > *newest)
                *newest = t;
            *any = true;
            fd.cFileName[MAX_PATH - 1] = 0;
            size_t len = 0;
            while (fd.cFileName[len])
                len++;
            char *name = NULL;
            bw_err e = bw_utf16_to_utf8((const uint16_t *)fd.cFileName, len, &name);
            if (e == BW_ENOMEM) {
                err = e;
                break;
            }
            if (e != BW_OK) {
                n_bad++;
            } else if (!ends_with_xml(name)) {
                free(name);
            } else if (xml->n >= room) {
                *over = true;
                free(name);
            } else if (bw_strlist_add_owned(xml, name) != BW_OK) {
                err = BW_ENOMEM;
                break;
            }
        }
        if (!c->api->FindNextFileW(h, &fd)) {
            DWORD code = GetLastError();
            if (code != ERROR_NO_MORE_FILES)
                err = gap_code(c->snap, dir, code);
            break;
        }
        if (++n_entries >= MAX_ENTRIES) {
            err = bw_snapshot_add_gap(c->snap, dir,
                                      "more than 10000 entries; the rest was not read");
            break;
        }
    }
    c->api->FindClose(h);
    if (err == BW_OK && n_bad)
        err = bw_snapshot_add_gap(c->snap, dir, "%zu file names are not valid UTF-16", n_bad);
    return err;
}

/* Reads the *.xml files of dir (sorted by name) as bases indexes. */
static bw_err read_indexes(ctx *c, const char *dir, bw_strlist *names, const char *product)
{
    if (names->n > 1)
        qsort(names->items, names->n, sizeof *names->items, cmp_str);
    for (size_t i = 0; i < names->n; i++) {
        char *path = bw_strfmt("%s\\%s", dir, names->items[i]);
        bw_err err = path ? read_file(c, path, BW_EVIDENCE_BASES_INDEX, product) : BW_ENOMEM;
        free(path);
        if (err != BW_OK)
            return err;
    }
    return BW_OK;
}

static bw_err scan_folder(ctx *c, const folder *f)
{
    bw_strlist top = {0}, idx = {0};
    char *idx_dir = NULL, *stt = NULL;
    bool over = false, any = false, exists = false, idx_any = false, idx_exists = false;
    uint64_t newest = 0, idx_newest = 0;
    bw_err err = list_dir(c, f->path, &top, MAX_INDEX, &over, &newest, &any, &exists);
    if (err != BW_OK || !exists)
        goto out;
    if (any) {
        int64_t secs = newest >= FILETIME_UNIX_EPOCH
                           ? (int64_t)((newest - FILETIME_UNIX_EPOCH) / 10000000u)
                           : -(int64_t)((FILETIME_UNIX_EPOCH - newest + 9999999u) / 10000000u);
        err = add_evidence(c->snap, BW_EVIDENCE_FILE_MTIME, f->product, f->path, NULL, 0, 0, 0,
                           secs);
        if (err != BW_OK)
            goto out;
    }
    idx_dir = bw_strfmt("%s\\index", f->path);
    stt = bw_strfmt("%s\\Stat\\kdb.stt", f->path);
    if (!idx_dir || !stt) {
        err = BW_ENOMEM;
        goto out;
    }
    err = read_indexes(c, f->path, &top, f->product);
    if (err != BW_OK)
        goto out;
    err =
        list_dir(c, idx_dir, &idx, MAX_INDEX - top.n, &over, &idx_newest, &idx_any, &idx_exists);
    if (err == BW_OK)
        err = read_indexes(c, idx_dir, &idx, f->product);
    if (err == BW_OK && over)
        err = bw_snapshot_add_gap(c->snap, f->path,
                                  "more than 256 index files; the rest was not read");
    if (err == BW_OK)
        err = read_file(c, stt, BW_EVIDENCE_KDB_STT, f->product);
out:
    bw_strlist_free(&top);
    bw_strlist_free(&idx);
    free(idx_dir);
    free(stt);
    return err;
}

/* ---- gathering the folders ------------------------------------------------ */

static bw_err add_update_root(ctx *c, const bw_vendor_key *k, const char *base)
{
    const char *raw = bw_vendor_key_env(k, "UpdateRoot");
    if (!raw)
        return BW_OK;
    char *p = NULL;
    bw_err err = resolve(c, k, raw, base, &p);
    if (err != BW_OK || !p)
        return err;
    path_kind kind;
    err = probe(c, p, &kind);
    if (err != BW_OK || kind == P_NONE) {
        free(p);
        return err;
    }
    if (kind == P_DIR)
        return add_folder(c, p, k->key_name);
    char *slash = strrchr(p, '\\');
    if (!ends_with_xml(p) || !slash) { /* some other file: not evidence */
        free(p);
        return BW_OK;
    }
    if (bw_grow(&c->files, &c->cap_files, c->n_files, sizeof *c->files) != BW_OK) {
        free(p);
        return BW_ENOMEM;
    }
    c->files[c->n_files].path = p;
    c->files[c->n_files].product = k->key_name;
    c->n_files++;
    char *dir = bw_strndup(p, (size_t)(slash - p));
    return dir ? add_folder(c, dir, k->key_name) : BW_ENOMEM;
}

static bw_err gather_key(ctx *c, const bw_vendor_key *k)
{
    char *data = NULL, *bases = NULL;
    bw_err err = BW_OK;
    const char *df = bw_vendor_key_env(k, "DataFolder");
    if (df) {
        err = resolve(c, k, df, NULL, &data);
        if (err != BW_OK)
            return err;
    }
    static const char *const names[] = {"Bases", "Base"};
    for (size_t i = 0; i < 2; i++) {
        const char *raw = bw_vendor_key_env(k, names[i]);
        char *p = NULL;
        if (raw) {
            err = resolve(c, k, raw, data, &p);
            if (err != BW_OK)
                goto out;
        }
        if (!p)
            continue;
        if (!bases) {
            bases = bw_strdup(p);
            if (!bases) {
                free(p);
                err = BW_ENOMEM;
                goto out;
            }
        }
        err = add_folder(c, p, k->key_name);
        if (err != BW_OK)
            goto out;
    }
    if (data) {
        char *p = bw_strfmt("%s\\Bases", data);
        if (p && !bases) {
            bases = bw_strdup(p);
            if (!bases) {
                free(p);
                p = NULL;
            }
        }
        err = p ? add_folder(c, p, k->key_name) : BW_ENOMEM;
        if (err != BW_OK)
            goto out;
    }
    /* UpdateRoot ("index/u1901g.xml") is relative to the bases folder. */
    err = add_update_root(c, k, bases);
out:
    free(data);
    free(bases);
    return err;
}

bw_err bw_win_collect_evidence(const bw_api *api, const bw_strlist *bases_paths,
                               bw_snapshot *snap)
{
    ctx c = {.api = api, .snap = snap};
    bw_err err = BW_OK;
    size_t n_keys = snap->n_vendor_keys;
    if (n_keys > MAX_KEYS) {
        err = bw_snapshot_add_gap(snap, "update evidence",
                                  "more than 4096 vendor keys; the rest were not examined");
        n_keys = MAX_KEYS;
    }
    /* Registry. Adding gaps or evidence never moves the vendor keys. */
    for (size_t i = 0; err == BW_OK && i < n_keys; i++) {
        const bw_vendor_key *k = &snap->vendor_keys[i];
        if (!k->source)
            continue;
        err = k->key_name ? last_update(&c, k) : bases_date(&c, k);
    }
    /* Folders. */
    for (size_t i = 0; err == BW_OK && i < n_keys; i++) {
        const bw_vendor_key *k = &snap->vendor_keys[i];
        if (k->key_name)
            err = gather_key(&c, k);
    }
    for (size_t i = 0; err == BW_OK && bases_paths && i < bases_paths->n; i++) {
        char *p = NULL;
        err = resolve(&c, NULL, bases_paths->items[i], NULL, &p);
        if (err == BW_OK && p)
            err = add_folder(&c, p, NULL);
    }
    /* Files: the index files UpdateRoot names, then every folder. */
    for (size_t i = 0; err == BW_OK && i < c.n_files; i++)
        err = read_file(&c, c.files[i].path, BW_EVIDENCE_BASES_INDEX, c.files[i].product);
    for (size_t i = 0; err == BW_OK && i < c.n_folders; i++)
        err = scan_folder(&c, &c.folders[i]);

    for (size_t i = 0; i < c.n_folders; i++)
        free(c.folders[i].path);
    free(c.folders);
    for (size_t i = 0; i < c.n_files; i++)
        free(c.files[i].path);
    free(c.files);
    bw_strlist_free(&c.read);
    return err;
}
