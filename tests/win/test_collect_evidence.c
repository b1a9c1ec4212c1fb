/*
 * test_collect_evidence.c - the update evidence collector against the fake
 * API (registry, file system, environment).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collect/bw_collect.h"
#include "fake_api.h"

#define ROOT    "HKLM\\SOFTWARE\\KasperskyLab"
#define R64     "HKLM\\SOFTWARE\\KasperskyLab"
#define R32     "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab"
#define AVSTATE "\\Components\\34\\1103\\1.0.0.0\\Statistics\\AVState"
#define PD      "C:\\ProgramData\\Kaspersky Lab"

/* A vendor key as the vendor roots collector records it; env holds
 * name/value pairs, NULL-terminated. */
static bw_vendor_key *vkey(bw_snapshot *s, const char *key_name, const char *source,
                           const char *const *env)
{
    bw_vendor_key *k;
    assert_int_equal(bw_snapshot_add_vendor_key(s, &k), BW_OK);
    k->root = bw_strdup(ROOT);
    k->key_name = key_name ? bw_strdup(key_name) : NULL;
    k->source = bw_strdup(source);
    k->view = strstr(source, "WOW6432Node") ? BW_VIEW_32 : BW_VIEW_64;
    for (size_t i = 0; env && env[i]; i += 2)
        assert_int_equal(bw_vendor_key_add_env(k, env[i], env[i + 1]), BW_OK);
    return k;
}

static bw_snapshot *snap_new(void)
{
    bw_snapshot *s = bw_snapshot_new();
    assert_non_null(s);
    return s;
}

/* Runs the collector with bases_paths (n entries; n == SIZE_MAX: NULL). */
static void run(bw_snapshot *s, const char *const *paths, size_t n)
{
    bw_strlist l = {0};
    for (size_t i = 0; paths && i < n; i++)
        assert_int_equal(bw_strlist_add(&l, paths[i]), BW_OK);
    assert_int_equal(bw_win_collect_evidence(fake_api(), paths ? &l : NULL, s), BW_OK);
    bw_strlist_free(&l);
    fake_assert_no_leaks();
}

static void check(const bw_evidence_entry *e, bw_evidence_kind kind, const char *product,
                  const char *source)
{
    assert_int_equal(e->kind, kind);
    if (product)
        assert_string_equal(e->product, product);
    else
        assert_null(e->product);
    assert_string_equal(e->source, source);
}

static void check_raw(const bw_evidence_entry *e, const char *raw)
{
    assert_non_null(e->raw);
    assert_int_equal(e->raw_len, strlen(raw));
    assert_memory_equal(e->raw, raw, strlen(raw) + 1);
}

static void check_gap(const bw_gap *g, const char *where, const char *reason)
{
    assert_string_equal(g->where, where);
    assert_string_equal(g->reason, reason);
}

static void text_file(const char *path, const char *text, uint64_t mtime)
{
    fake_file(path, text, strlen(text), mtime);
}

/* ---- registry ------------------------------------------------------------- */

static void test_last_update(void **state)
{
    (void)state;
    fake_reg_dword(R32 "\\AVP21.3\\Data", "LastSuccessfulUpdate", 1727900000u);
    fake_reg_dword(R64 "\\protected\\KES\\Data", "LastSuccessfulUpdate", 0xFFFFFFFFu);
    fake_reg_key(R64 "\\KES\\Data");                                        /* value absent */
    fake_reg_sz(R64 "\\KSVLA\\Data", "LastSuccessfulUpdate", "1727900000"); /* text: kept */
    fake_reg_multi_sz(R64 "\\KSVLA2\\Data", "LastSuccessfulUpdate", (const char *const[]){"x"}, 1,
                      true); /* no time type: a gap */
    fake_reg_dword(R64 "\\PURE\\Data", "LastSuccessfulUpdate", 5);
    fake_reg_deny(R64 "\\PURE\\Data", ERROR_ACCESS_DENIED);
    bw_snapshot *s = snap_new();
    vkey(s, "AVP21.3", R32 "\\AVP21.3", NULL);
    vkey(s, "KES", R64 "\\KES", NULL);
    vkey(s, "Components", R64 "\\Components", NULL); /* no Data key: nothing */
    vkey(s, "protected\\KES", R64 "\\protected\\KES", NULL);
    vkey(s, "KSVLA", R64 "\\KSVLA", NULL);
    vkey(s, "KSVLA2", R64 "\\KSVLA2", NULL);
    vkey(s, "PURE", R64 "\\PURE", NULL);
    run(s, NULL, 0);

    assert_int_equal(s->n_evidence, 3);
    check(&s->evidence[0], BW_EVIDENCE_LAST_UPDATE, "AVP21.3",
          R32 "\\AVP21.3\\Data\\LastSuccessfulUpdate");
    assert_int_equal(s->evidence[0].reg_type, REG_DWORD);
    assert_int_equal(s->evidence[0].number, 1727900000u);
    assert_null(s->evidence[0].raw);
    assert_int_equal(s->evidence[0].raw_len, 0);
    check(&s->evidence[1], BW_EVIDENCE_LAST_UPDATE, "protected\\KES",
          R64 "\\protected\\KES\\Data\\LastSuccessfulUpdate");
    assert_int_equal(s->evidence[1].number, 0xFFFFFFFFu);
    check(&s->evidence[2], BW_EVIDENCE_LAST_UPDATE, "KSVLA",
          R64 "\\KSVLA\\Data\\LastSuccessfulUpdate");
    assert_int_equal(s->evidence[2].reg_type, REG_SZ);
    check_raw(&s->evidence[2], "1727900000");
    assert_int_equal(s->n_gaps, 2);
    check_gap(&s->gaps[0], R64 "\\KSVLA2\\Data\\LastSuccessfulUpdate",
              "wrong value type REG_MULTI_SZ");
    check_gap(&s->gaps[1], R64 "\\PURE\\Data", "access denied (5)");
    bw_snapshot_free(s);
}

/* A real 21.x consumer install: LastSuccessfulUpdate and
 * UpdateState\LastUpdate as FILETIMEs (REG_QWORD; an 8-byte REG_BINARY is
 * read the same way), Statistics\InstalledUpdateDate as text. */
static void test_21x_registry_times(void **state)
{
    (void)state;
    const uint64_t ft = UINT64_C(132538865392017081);
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(ft >> (8 * i));
    fake_reg_raw(R32 "\\AVP21.2\\Data", "LastSuccessfulUpdate", REG_QWORD, le, 8);
    fake_reg_raw(R32 "\\AVP21.2\\Data\\UpdateState", "LastUpdate", REG_BINARY, le, 8);
    fake_reg_sz(R32 "\\AVP21.2\\Data\\Statistics", "InstalledUpdateDate", "31122020 1103");
    fake_reg_raw(R64 "\\KES\\Data", "LastSuccessfulUpdate", REG_BINARY, le, 3); /* torn */
    fake_reg_raw(R64 "\\KES\\watchdog\\BasesInfo", "Date", REG_QWORD, le, 8);
    bw_snapshot *s = snap_new();
    vkey(s, "AVP21.2", R32 "\\AVP21.2", NULL);
    vkey(s, "KES", R64 "\\KES", NULL);
    run(s, NULL, 0);

    assert_int_equal(s->n_evidence, 4);
    const bw_evidence_entry *e = s->evidence;
    check(&e[3], BW_EVIDENCE_BASES_INFO, "KES", R64 "\\KES\\watchdog\\BasesInfo\\Date");
    assert_true(e[3].number == ft);
    check(&e[0], BW_EVIDENCE_LAST_UPDATE, "AVP21.2", R32 "\\AVP21.2\\Data\\LastSuccessfulUpdate");
    assert_int_equal(e[0].reg_type, REG_QWORD);
    assert_true(e[0].number == ft);
    check(&e[1], BW_EVIDENCE_UPDATE_STATE, "AVP21.2",
          R32 "\\AVP21.2\\Data\\UpdateState\\LastUpdate");
    assert_int_equal(e[1].reg_type, REG_BINARY);
    assert_true(e[1].number == ft);
    check(&e[2], BW_EVIDENCE_INSTALLED_UPDATE, "AVP21.2",
          R32 "\\AVP21.2\\Data\\Statistics\\InstalledUpdateDate");
    assert_int_equal(e[2].reg_type, REG_SZ);
    check_raw(&e[2], "31122020 1103");
    assert_int_equal(s->n_gaps, 1);
    check_gap(&s->gaps[0], R64 "\\KES\\Data\\LastSuccessfulUpdate",
              "wrong value size 3 for REG_BINARY");
    assert_int_equal(s->gaps[0].hides, BW_HIDES_ALL); /* set by collect_all, not here */
    bw_snapshot_free(s);
}

/* The product's environment refers to its own values as %Name% (only
 * DataRoot is absolute in a real 21.2 dump); UpdateRoot is relative to the
 * bases folder. A cycle among the names is a gap naming them. */
static void test_vendor_variables(void **state)
{
    (void)state;
    fake_env("ProgramData", "C:\\ProgramData");
#define D PD "\\AVP21.2"
    text_file(D "\\Bases\\index\\u1901g.xml", "<Index UpdateDate=\"31122020 1103\"/>",
              FAKE_FT(1609412580));
    text_file(D "\\Bases\\base001.avc", "x", FAKE_FT(1609412000));
    bw_snapshot *s = snap_new();
    const char *env[] = {"DataRoot",   "%ProgramData%\\Kaspersky Lab\\AVP21.2",
                         "Data",       "%DataRoot%\\Data",
                         "Bases",      "%DataRoot%\\Bases",
                         "DataFolder", "%Data%",
                         "BaseFolder", "%Bases%",
                         "UpdateRoot", "index/u1901g.xml",
                         NULL};
    vkey(s, "AVP21.2", R32 "\\AVP21.2", env);
    const char *loop[] = {"A", "%B%\\x", "B", "%a%", "Bases", "%A%", NULL};
    vkey(s, "AVP21.9", R32 "\\AVP21.9", loop);
    run(s, NULL, 0);

    assert_int_equal(s->n_evidence, 3);
    const bw_evidence_entry *e = s->evidence;
    check(&e[0], BW_EVIDENCE_BASES_INDEX, "AVP21.2", D "\\Bases\\index\\u1901g.xml");
    check(&e[1], BW_EVIDENCE_FILE_MTIME, "AVP21.2", D "\\Bases");
    assert_int_equal(e[1].mtime, 1609412000);
    check(&e[2], BW_EVIDENCE_FILE_MTIME, "AVP21.2", D "\\Bases\\index");
    assert_int_equal(s->n_gaps, 1);
    check_gap(&s->gaps[0], "%A%",
              "variable cycle: %A% -> %B% -> %A% (in " R32 "\\AVP21.9\\environment)");
    bw_snapshot_free(s);
#undef D
}

static void test_bases_date(void **state)
{
    (void)state;
    fake_reg_sz(R32 AVSTATE, "Protection_BasesDate", "02-10-2024 07-15-00");
    fake_reg_sz(R32 AVSTATE, "Protection_LastConnected", "02-10-2024 08-00-00");
    fake_reg_dword(R64 AVSTATE, "Protection_BasesDate", 1);  /* wrong type */
    fake_reg_dword(R32 "\\Data", "LastSuccessfulUpdate", 7); /* roots have no Data */
    bw_snapshot *s = snap_new();
    vkey(s, NULL, R64, NULL);
    vkey(s, NULL, R32, NULL);
    vkey(s, NULL, "HKLM\\SOFTWARE\\Absent", NULL);
    run(s, NULL, 0);

    assert_int_equal(s->n_evidence, 1);
    check(&s->evidence[0], BW_EVIDENCE_BASES_DATE, NULL, R32 AVSTATE "\\Protection_BasesDate");
    check_raw(&s->evidence[0], "02-10-2024 07-15-00");
    assert_int_equal(s->n_gaps, 1);
    check_gap(&s->gaps[0], R64 AVSTATE "\\Protection_BasesDate", "wrong value type REG_DWORD");
    bw_snapshot_free(s);
}

static void test_with_vendor_collector(void **state)
{
    (void)state;
    /* End to end: the sources the vendor collector writes open again. */
    fake_reg_dword(R32 "\\AVP21.3\\Data", "LastSuccessfulUpdate", 1727000000u);
    fake_reg_expand_sz(R32 "\\AVP21.3\\environment", "DataFolder",
                       "%ProgramData%\\Kaspersky Lab\\AVP21.3\\");
    fake_reg_sz(R32 AVSTATE, "Protection_BasesDate", "29-09-2024 04-00-00");
    text_file(PD "\\AVP21.3\\Bases\\u0607g.xml", "<x UpdateDate=\"02102024 0715\"/>",
              FAKE_FT(1727853300));
    bw_strlist roots = {0};
    assert_int_equal(bw_strlist_add(&roots, ROOT), BW_OK);
    bw_snapshot *s = snap_new();
    assert_int_equal(bw_win_collect_vendor_roots(fake_api(), &roots, s), BW_OK);
    bw_strlist_free(&roots);
    run(s, NULL, 0);

    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_evidence, 4);
    check(&s->evidence[0], BW_EVIDENCE_BASES_DATE, NULL, R32 AVSTATE "\\Protection_BasesDate");
    check(&s->evidence[1], BW_EVIDENCE_LAST_UPDATE, "AVP21.3",
          R32 "\\AVP21.3\\Data\\LastSuccessfulUpdate");
    assert_int_equal(s->evidence[1].number, 1727000000u);
    check(&s->evidence[2], BW_EVIDENCE_FILE_MTIME, "AVP21.3", PD "\\AVP21.3\\Bases");
    assert_int_equal(s->evidence[2].mtime, 1727853300);
    check(&s->evidence[3], BW_EVIDENCE_BASES_INDEX, "AVP21.3", PD "\\AVP21.3\\Bases\\u0607g.xml");
    check_raw(&s->evidence[3], "<x UpdateDate=\"02102024 0715\"/>");
    bw_snapshot_free(s);
}

/* ---- bases folders ----------------------------------------------------------- */

static void test_bases_folder(void **state)
{
    (void)state;
#define B PD "\\AVP21.3\\Bases"
    /* Listed out of order: the collector sorts each level by name. */
    text_file(B "\\b.xml", "<b/>", FAKE_FT(1727000000));
    text_file(B "\\a.XML", "<a/>", FAKE_FT(1727000100));
    /* The newest file decides; sub-second ticks are cut (floor). */
    fake_file(B "\\klav.kdc", "\x01\x02", 2, FAKE_FT(1727900000) + 9999999u);
    text_file(B "\\notes.xmlx", "not an index", FAKE_FT(1700000000));
    fake_dir(B "\\Cache");
    text_file(B "\\Cache\\new.xml", "<deeper/>", FAKE_FT(1800000000)); /* not read */
    text_file(B "\\index\\u0607g.xml", "<Update Date=\"02102024 0715\"/>",
              FAKE_FT(1800000000)); /* in index\: not part of the folder's mtime */
    text_file(B "\\index\\readme.txt", "x", FAKE_FT(1));
    fake_file(B "\\Stat\\kdb.stt", "1;202410020715\r\n", 16, FAKE_FT(1727853300));
    /* UTF-16LE with BOM is kept as bytes. */
    static const char u16[] = "\xFF\xFE<\0x\0/\0>\0";
    fake_file(B "\\index\\w.xml", u16, sizeof u16 - 1, FAKE_FT(1));

    bw_snapshot *s = snap_new();
    const char *env[] = {"ProductName", "Kaspersky", "Bases",
                         "%ProgramData%\\Kaspersky Lab\\AVP21.3\\Bases\\", NULL};
    vkey(s, "AVP21.3", R32 "\\AVP21.3", env);
    run(s, NULL, 0);

    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_evidence, 6);
    const bw_evidence_entry *e = s->evidence;
    check(&e[0], BW_EVIDENCE_FILE_MTIME, "AVP21.3", B);
    assert_int_equal(e[0].mtime, 1727900000);
    assert_null(e[0].raw);
    check(&e[1], BW_EVIDENCE_BASES_INDEX, "AVP21.3", B "\\a.XML");
    check_raw(&e[1], "<a/>");
    check(&e[2], BW_EVIDENCE_BASES_INDEX, "AVP21.3", B "\\b.xml");
    check_raw(&e[2], "<b/>");
    check(&e[3], BW_EVIDENCE_BASES_INDEX, "AVP21.3", B "\\index\\u0607g.xml");
    check_raw(&e[3], "<Update Date=\"02102024 0715\"/>");
    check(&e[4], BW_EVIDENCE_BASES_INDEX, "AVP21.3", B "\\index\\w.xml");
    assert_int_equal(e[4].raw_len, sizeof u16 - 1);
    assert_memory_equal(e[4].raw, u16, sizeof u16);
    check(&e[5], BW_EVIDENCE_KDB_STT, "AVP21.3", B "\\Stat\\kdb.stt");
    check_raw(&e[5], "1;202410020715\r\n");
    bw_snapshot_free(s);
#undef B
}

static void test_datafolder_and_update_root(void **state)
{
    (void)state;
#define K PD "\\KES"
    /* DataFolder\Bases, and UpdateRoot naming an index file relative to the
     * bases folder: the file is read first, its folder scanned (without
     * reading it again). */
    text_file(K "\\Bases\\kdb.xml", "<k/>", FAKE_FT(1727000000));
    text_file(K "\\Bases\\upd\\u1313g.xml", "<u/>", FAKE_FT(1727000200));
    text_file(K "\\Bases\\upd\\other.xml", "<o/>", FAKE_FT(1727000100));
    /* Base (singular) and UpdateRoot naming a folder. */
    text_file("C:\\Srv\\Bases\\Current\\Stat\\kdb.stt", "3;202409300101", FAKE_FT(5));
    text_file("C:\\Srv\\Upd\\x.xml", "<x/>", FAKE_FT(1727000300));
    /* UpdateRoot naming a file that is no index: nothing. */
    text_file("C:\\Srv\\Other\\update.cfg", "cfg", FAKE_FT(5));

    bw_snapshot *s = snap_new();
    const char *kes[] = {"DataFolder", "%ProgramData%\\Kaspersky Lab\\KES\\", "UpdateRoot",
                         "upd\\u1313g.xml", NULL};
    vkey(s, "KES", R64 "\\KES", kes);
    const char *srv[] = {"Base", "C:\\Srv\\Bases\\Current", "UpdateRoot", "C:\\Srv\\Upd", NULL};
    vkey(s, "WSEE", R64 "\\WSEE", srv);
    const char *other[] = {"UpdateRoot", "C:\\Srv\\Other\\update.cfg", NULL};
    vkey(s, "KSVLA", R64 "\\KSVLA", other);
    run(s, NULL, 0);

    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_evidence, 8);
    const bw_evidence_entry *e = s->evidence;
    check(&e[0], BW_EVIDENCE_BASES_INDEX, "KES", K "\\Bases\\upd\\u1313g.xml");
    check_raw(&e[0], "<u/>");
    check(&e[1], BW_EVIDENCE_FILE_MTIME, "KES", K "\\Bases");
    assert_int_equal(e[1].mtime, 1727000000);
    check(&e[2], BW_EVIDENCE_BASES_INDEX, "KES", K "\\Bases\\kdb.xml");
    check(&e[3], BW_EVIDENCE_FILE_MTIME, "KES", K "\\Bases\\upd");
    assert_int_equal(e[3].mtime, 1727000200);
    check(&e[4], BW_EVIDENCE_BASES_INDEX, "KES", K "\\Bases\\upd\\other.xml");
    check_raw(&e[4], "<o/>");
    /* The Current folder holds no file directly: no mtime entry. */
    check(&e[5], BW_EVIDENCE_KDB_STT, "WSEE", "C:\\Srv\\Bases\\Current\\Stat\\kdb.stt");
    check_raw(&e[5], "3;202409300101");
    check(&e[6], BW_EVIDENCE_FILE_MTIME, "WSEE", "C:\\Srv\\Upd");
    assert_int_equal(e[6].mtime, 1727000300);
    check(&e[7], BW_EVIDENCE_BASES_INDEX, "WSEE", "C:\\Srv\\Upd\\x.xml");
    bw_snapshot_free(s);
#undef K
}

static void test_bases_paths(void **state)
{
    (void)state;
    fake_env("ProgramData", "D:\\Data");
    text_file("D:\\Data\\Kaspersky Lab\\KSC\\Bases\\Stat\\kdb.stt", "1;202501010000",
              FAKE_FT(1735689600));
    text_file("C:\\Other\\Bases\\i.xml", "<i/>", FAKE_FT(1735689600));
    const char *paths[] = {"%programdata%\\Kaspersky Lab\\KSC\\Bases", "C:/Other//Bases/",
                           "relative\\Bases", "C:\\%NOPE%\\Bases", "C:\\Bases\\*"};
    bw_snapshot *s = snap_new();
    run(s, paths, 5);

    assert_int_equal(s->n_evidence, 3);
    check(&s->evidence[0], BW_EVIDENCE_KDB_STT, NULL,
          "D:\\Data\\Kaspersky Lab\\KSC\\Bases\\Stat\\kdb.stt");
    check_raw(&s->evidence[0], "1;202501010000");
    check(&s->evidence[1], BW_EVIDENCE_FILE_MTIME, NULL, "C:\\Other\\Bases");
    assert_int_equal(s->evidence[1].mtime, 1735689600);
    check(&s->evidence[2], BW_EVIDENCE_BASES_INDEX, NULL, "C:\\Other\\Bases\\i.xml");
    /* An unknown variable stays as written and the folder is absent. */
    assert_int_equal(s->n_gaps, 2);
    check_gap(&s->gaps[0], "relative\\Bases", "not an absolute path");
    check_gap(&s->gaps[1], "C:\\Bases\\*", "path holds a wildcard");
    bw_snapshot_free(s);

    /* An empty list and no vendor keys: nothing at all. */
    s = snap_new();
    run(s, paths, 0);
    assert_int_equal(s->n_evidence, 0);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_missing(void **state)
{
    (void)state;
    /* Missing folders, a DataFolder without Bases, a folder path naming a
     * file, an UpdateRoot that does not exist: no evidence and no gap. */
    text_file("C:\\KL\\file", "x", FAKE_FT(1));
    fake_dir(PD "\\AVP21.3");
    bw_snapshot *s = snap_new();
    const char *env[] = {"Bases",      "C:\\Nowhere\\Bases",
                         "Base",       "C:\\KL\\file",
                         "DataFolder", "%ProgramData%\\Kaspersky Lab\\AVP21.3",
                         "UpdateRoot", "%ProgramData%\\Kaspersky Lab\\AVP21.3\\u.xml",
                         NULL};
    vkey(s, "AVP21.3", R32 "\\AVP21.3", env);
    const char *paths[] = {"C:\\Missing", "Z:\\Missing\\Deeper"};
    run(s, paths, 2);
    assert_int_equal(s->n_evidence, 0);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

static void test_access_denied(void **state)
{
    (void)state;
    text_file("C:\\A\\a.xml", "<a/>", FAKE_FT(1));
    fake_fs_deny("C:\\A", ERROR_ACCESS_DENIED);
    text_file("C:\\B\\1.xml", "<1/>", FAKE_FT(10));
    text_file("C:\\B\\2.xml", "<2/>", FAKE_FT(20));
    text_file("C:\\B\\3.xml", "<3/>", FAKE_FT(30));
    fake_fs_deny("C:\\B\\2.xml", ERROR_ACCESS_DENIED);
    fake_file_read_error("C:\\B\\3.xml", ERROR_LOCK_VIOLATION);
    text_file("C:\\B\\index\\i.xml", "<i/>", FAKE_FT(1));
    fake_fs_deny("C:\\B\\index", ERROR_ACCESS_DENIED);
    text_file("C:\\B\\Stat\\kdb.stt", "1;202410020715", FAKE_FT(1));
    text_file("C:\\C\\c.xml", "<c/>", FAKE_FT(40));
    const char *paths[] = {"C:\\A", "C:\\B", "C:\\C"};
    bw_snapshot *s = snap_new();
    run(s, paths, 3);

    assert_int_equal(s->n_gaps, 4);
    check_gap(&s->gaps[0], "C:\\A", "access denied (5)");
    check_gap(&s->gaps[1], "C:\\B\\2.xml", "access denied (5)");
    check_gap(&s->gaps[2], "C:\\B\\3.xml", "resource busy (33)");
    check_gap(&s->gaps[3], "C:\\B\\index", "access denied (5)");
    assert_int_equal(s->n_evidence, 5);
    check(&s->evidence[0], BW_EVIDENCE_FILE_MTIME, NULL, "C:\\B");
    assert_int_equal(s->evidence[0].mtime, 30);
    check(&s->evidence[1], BW_EVIDENCE_BASES_INDEX, NULL, "C:\\B\\1.xml");
    check(&s->evidence[2], BW_EVIDENCE_KDB_STT, NULL, "C:\\B\\Stat\\kdb.stt");
    check(&s->evidence[3], BW_EVIDENCE_FILE_MTIME, NULL, "C:\\C");
    check(&s->evidence[4], BW_EVIDENCE_BASES_INDEX, NULL, "C:\\C\\c.xml");
    bw_snapshot_free(s);
}

static void test_file_too_large(void **state)
{
    (void)state;
    size_t max = (size_t)1 << 20;
    char *big = malloc(max + 1);
    assert_non_null(big);
    memset(big, 'x', max + 1);
    fake_file("C:\\B\\big.xml", big, max + 1, FAKE_FT(1727000000));
    fake_file("C:\\B\\max.xml", big, max, FAKE_FT(1727000000));
    const char *paths[] = {"C:\\B"};
    bw_snapshot *s = snap_new();
    run(s, paths, 1);

    assert_int_equal(s->n_gaps, 1);
    check_gap(&s->gaps[0], "C:\\B\\big.xml", "file too large (1048577 bytes, limit 1048576)");
    assert_int_equal(s->n_evidence, 2);
    check(&s->evidence[1], BW_EVIDENCE_BASES_INDEX, NULL, "C:\\B\\max.xml");
    assert_int_equal(s->evidence[1].raw_len, max);
    assert_memory_equal(s->evidence[1].raw, big, max);
    assert_int_equal(s->evidence[1].raw[max], '\0');
    free(big);
    bw_snapshot_free(s);
}

static void test_duplicates(void **state)
{
    (void)state;
#define B PD "\\AVP21.3\\Bases"
    text_file(B "\\u.xml", "<u/>", FAKE_FT(1727000000));
    text_file(B "\\index\\i.xml", "<i/>", FAKE_FT(1727000100));
    bw_snapshot *s = snap_new();
    /* The same folder in five spellings, from two keys and the policy;
     * the first key's name stays with it. */
    const char *e1[] = {"Bases", "%ProgramData%\\Kaspersky Lab\\AVP21.3\\Bases\\", "DataFolder",
                        "C:\\PROGRAMDATA\\kaspersky lab\\AVP21.3", NULL};
    const char *e2[] = {"Base", "c:/programdata/Kaspersky Lab/avp21.3/bases", "UpdateRoot",
                        B "\\U.XML", NULL};
    vkey(s, "AVP21.3", R32 "\\AVP21.3", e1);
    vkey(s, "protected\\AVP21.3", R32 "\\protected\\AVP21.3", e2);
    /* The index subfolder as a folder of its own: its file is not read twice. */
    const char *paths[] = {B, B "\\index"};
    run(s, paths, 2);

    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_evidence, 4);
    check(&s->evidence[0], BW_EVIDENCE_BASES_INDEX, "protected\\AVP21.3", B "\\U.XML");
    check_raw(&s->evidence[0], "<u/>");
    check(&s->evidence[1], BW_EVIDENCE_FILE_MTIME, "AVP21.3", B);
    check(&s->evidence[2], BW_EVIDENCE_BASES_INDEX, "AVP21.3", B "\\index\\i.xml");
    check(&s->evidence[3], BW_EVIDENCE_FILE_MTIME, NULL, B "\\index");
    assert_int_equal(s->evidence[3].mtime, 1727000100);
    bw_snapshot_free(s);
#undef B
}

static void test_call_failures(void **state)
{
    (void)state;
    text_file("C:\\B\\1.xml", "<1/>", FAKE_FT(10));
    text_file("C:\\B\\2.xml", "<2/>", FAKE_FT(20));
    text_file("C:\\B\\3.xml", "<3/>", FAKE_FT(30));
    /* The listing breaks after "." and ".." and 1.xml; 1.xml's size
     * cannot be read. */
    fake_fail(FAKE_FindNextFileW, 3, ERROR_NETNAME_DELETED);
    fake_fail(FAKE_GetFileSizeEx, 1, ERROR_INVALID_HANDLE);
    fake_fail(FAKE_ExpandEnvironmentStringsW, 2, ERROR_NOT_ENOUGH_QUOTA);
    const char *paths[] = {"C:\\B", "%ProgramData%\\X"};
    bw_snapshot *s = snap_new();
    run(s, paths, 2);

    assert_int_equal(s->n_gaps, 3);
    check_gap(&s->gaps[0], "%ProgramData%\\X", "system error (1816)");
    check_gap(&s->gaps[1], "C:\\B", "system error (64)");
    check_gap(&s->gaps[2], "C:\\B\\1.xml", "invalid argument or data (6)");
    assert_int_equal(s->n_evidence, 1);
    check(&s->evidence[0], BW_EVIDENCE_FILE_MTIME, NULL, "C:\\B");
    assert_int_equal(s->evidence[0].mtime, 10);
    bw_snapshot_free(s);
}

static void test_limits(void **state)
{
    (void)state;
    /* 300 index files: 256 are read, the rest is a gap. */
    char path[64], text[16];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "C:\\B\\%03d.xml", i);
        snprintf(text, sizeof text, "<%d/>", i);
        text_file(path, text, FAKE_FT(i));
    }
    const char *paths[] = {"C:\\B"};
    bw_snapshot *s = snap_new();
    run(s, paths, 1);
    assert_int_equal(s->n_gaps, 1);
    check_gap(&s->gaps[0], "C:\\B", "more than 256 index files; the rest was not read");
    assert_int_equal(s->n_evidence, 257);
    check(&s->evidence[0], BW_EVIDENCE_FILE_MTIME, NULL, "C:\\B");
    assert_int_equal(s->evidence[0].mtime, 299);
    check(&s->evidence[256], BW_EVIDENCE_BASES_INDEX, NULL, "C:\\B\\255.xml");
    check_raw(&s->evidence[256], "<255/>");
    bw_snapshot_free(s);
}

static void test_expand_long(void **state)
{
    (void)state;
    /* A value that expands beyond MAX_PATH: the buffer grows. */
    char longdir[400];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    char *value = bw_strfmt("C:\\%s", longdir);
    assert_non_null(value);
    fake_env("LONG", value);
    char *file = bw_strfmt("%s\\Bases\\k.xml", value);
    text_file(file, "<k/>", FAKE_FT(1727000000));
    const char *paths[] = {"%LONG%\\Bases"};
    bw_snapshot *s = snap_new();
    run(s, paths, 1);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_evidence, 2);
    check(&s->evidence[1], BW_EVIDENCE_BASES_INDEX, NULL, file);
    free(value);
    free(file);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_last_update, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_21x_registry_times, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_vendor_variables, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_bases_date, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_with_vendor_collector, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_bases_folder, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_datafolder_and_update_root, fake_setup,
                                        fake_teardown),
        cmocka_unit_test_setup_teardown(test_bases_paths, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_missing, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_access_denied, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_file_too_large, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_call_failures, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_limits, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_expand_long, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
