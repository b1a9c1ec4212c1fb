/* test_datadir.c - the data folder made safe, and files trusted or refused
 * (bw_datadir.c, bw_winsec.c), against the fake file system with owners
 * and access control lists (fake_acl.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bw_datadir.h"
#include "bw_winsec.h"
#include "fake_acl.h"

#define DIR    "C:\\ProgramData\\banwatch"
#define LOCKED "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
/* A folder as Windows makes it under ProgramData without a descriptor:
 * inherited, Users may add files. */
#define INHERITED \
    "D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;0x116;;;BU)"
#define USER "S-1-5-21-1-2-3-1001"

/* The descriptor fake_acl keeps, in the words of the SDDL it was given. */
static void dacl_is_locked(const char *path)
{
    const char *sddl = fake_acl_sddl(path);
    assert_non_null(sddl);
    bw_object_facts o;
    const bw_api *api = fake_acl_api();
    HANDLE h;
    bw_win_status st = {0};
    assert_int_equal(bw_win_open_object(api, path, 0, &h, &st), BW_OK);
    assert_int_equal(bw_win_object_facts(api, h, &o, &st), BW_OK);
    api->CloseHandle(h);
    if (!o.dacl_protected || o.n_aces != 3)
        fail_msg("%s is not locked down: %s", path, sddl);
    assert_string_equal(o.aces[0].sid, "S-1-5-18");
    assert_int_equal(o.aces[0].mask, FILE_ALL_ACCESS);
    assert_string_equal(o.aces[1].sid, "S-1-5-32-544");
    assert_int_equal(o.aces[1].mask, FILE_ALL_ACCESS);
    assert_string_equal(o.aces[2].sid, "S-1-5-32-545");
    assert_int_equal(o.aces[2].mask, 0x1200a9);
}

static void test_created_locked(void **state)
{
    (void)state;
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_string_equal(d.path, DIR);
    assert_string_equal(d.self_sid, "S-1-5-18");
    assert_int_equal(d.action, BW_DATADIR_CREATED);
    dacl_is_locked(DIR);
    assert_int_equal(fake_acl_set_calls(), 0);
    bw_datadir_free(&d);
    /* a second run finds it ready */
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_READY);
    assert_string_equal(d.found, "");
    bw_datadir_free(&d);
}

/* Where the folder is: ProgramData's path from HKLM's ProfileList,
 * expanded, without shell32; SHGetKnownFolderPath only when that value is
 * missing, of another type, or not an absolute local path. */
static void where_is(const char *value, uint32_t type, const char *want, unsigned known_calls)
{
    fake_acl_reset();
    fake_acl_program_data_value(value, type);
    bw_datadir d;
    assert_int_equal(bw_win_data_dir_find(fake_acl_api(), &d), BW_OK);
    assert_string_equal(d.path, want);
    assert_int_equal(fake_acl_known_folder_calls(), known_calls);
    bw_datadir_free(&d);
}

static void test_where(void **state)
{
    (void)state;
    where_is("%SystemDrive%\\ProgramData", REG_EXPAND_SZ, DIR, 0);
    where_is("D:\\Data", REG_SZ, "D:\\Data\\banwatch", 0);
    where_is(NULL, REG_SZ, DIR, 1);
    where_is("ProgramData", REG_EXPAND_SZ, DIR, 1);
    where_is("\\\\server\\share\\pd", REG_SZ, DIR, 1);
    where_is("%BW_NO_SUCH_VARIABLE%\\pd", REG_EXPAND_SZ, DIR, 1);
    where_is("C:\\Program Data\\..\\x", REG_SZ, DIR, 1);
    where_is("D:\\Data", REG_DWORD, DIR, 1);
}

/* banwatch made the folder before it was locked down: SYSTEM owns it, but
 * Users may add files. Its permissions are reset, its contents kept. */
static void test_reset_in_place(void **state)
{
    (void)state;
    fake_acl_object(DIR, true, "O:SY" INHERITED);
    fake_acl_object(DIR "\\state.db", false, "O:SYD:(A;;FA;;;SY)(A;;FA;;;BA)");
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_RESET);
    assert_string_equal(bw_datadir_action_name(d.action), "permissions-reset");
    assert_string_equal(d.found, "Users (S-1-5-32-545) may add files to it");
    dacl_is_locked(DIR);
    assert_non_null(strstr(fake_acl_sddl(DIR), "O:SY"));
    assert_non_null(fake_acl_sddl(DIR "\\state.db"));
    assert_true(fake_acl_privileges() >= 1);
    bw_datadir_free(&d);
}

/* An ordinary user created the folder first (and planted a policy in it):
 * nothing in it is used; it is moved aside and a new folder made. */
static void test_planted_folder_moved_aside(void **state)
{
    (void)state;
    fake_acl_object(DIR, true, "O:" USER INHERITED);
    fake_acl_object(DIR "\\policy.yaml", false, "O:" USER "D:(A;;FA;;;" USER ")");
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_MOVED_ASIDE);
    assert_string_equal(d.found, "it is owned by " USER ", not by SYSTEM or Administrators");
    char aside[64];
    snprintf(aside, sizeof aside, DIR ".untrusted-%d", FAKE_ACL_NOW);
    assert_string_equal(d.aside, aside);
    assert_non_null(fake_acl_sddl(aside));
    char planted[96];
    snprintf(planted, sizeof planted, "%s\\policy.yaml", aside);
    assert_non_null(fake_acl_sddl(planted));
    assert_null(fake_acl_sddl(DIR "\\policy.yaml"));
    dacl_is_locked(DIR);
    assert_int_equal(fake_acl_set_calls(), 0); /* never changed through the user's folder */
    bw_datadir_free(&d);
}

/* A junction to somewhere else, even one SYSTEM owns: moved aside, never
 * followed, never re-permissioned. */
static void test_link_moved_aside(void **state)
{
    (void)state;
    fake_acl_object(DIR, true, "O:SY" LOCKED);
    fake_acl_reparse(DIR);
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_MOVED_ASIDE);
    assert_string_equal(d.found, "it is a junction or symbolic link");
    dacl_is_locked(DIR);
    assert_int_equal(fake_acl_set_calls(), 0);
    bw_datadir_free(&d);
}

static void test_refused(void **state)
{
    (void)state;
    bw_datadir d;
    unsigned long syserr = 0;
    /* resetting fails */
    fake_acl_object(DIR, true, "O:SY" INHERITED);
    fake_acl_set_error(DIR, ERROR_ACCESS_DENIED);
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_EACCES);
    assert_string_equal(d.found, "Users (S-1-5-32-545) may add files to it; resetting its "
                                 "permissions failed: access denied (5)");
    bw_datadir_free(&d);
    /* moving aside fails */
    fake_acl_reset();
    fake_acl_object(DIR, true, "O:" USER INHERITED);
    fake_acl_move_error(ERROR_SHARING_VIOLATION);
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_EACCES);
    assert_string_equal(d.found, "it is owned by " USER ", not by SYSTEM or Administrators; "
                                 "moving it aside failed: resource busy (32)");
    assert_int_equal(syserr, ERROR_SHARING_VIOLATION);
    bw_datadir_free(&d);
    /* it keeps coming back */
    fake_acl_reset();
    fake_acl_object(DIR, true, "O:" USER INHERITED);
    fake_acl_reappear("O:" USER INHERITED);
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_EACCES);
    assert_string_equal(d.found, "a folder keeps appearing at this path as banwatch creates it");
    char second[64];
    snprintf(second, sizeof second, DIR ".untrusted-%d-2", FAKE_ACL_NOW);
    assert_non_null(fake_acl_sddl(second)); /* a second move in the same second */
    bw_datadir_free(&d);
    /* its permissions cannot be read: treated as untrusted, moved aside */
    fake_acl_reset();
    fake_acl_object(DIR, true, "O:SY" LOCKED);
    fake_acl_get_error(DIR, ERROR_ACCESS_DENIED);
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_MOVED_ASIDE);
    assert_string_equal(d.found, "its permissions cannot be read: access denied (5)");
    bw_datadir_free(&d);
}

static void test_files(void **state)
{
    (void)state;
    const bw_api *api = fake_acl_api();
    fake_acl_object(DIR, true, "O:SY" LOCKED);
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(api, &d, &syserr), BW_OK);
    char why[320];
    assert_int_equal(bw_datadir_file_trusted(api, &d, "policy.yaml", why, sizeof why),
                     BW_ENOTFOUND);
    fake_acl_object(DIR "\\policy.yaml", false, "O:BAD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)");
    assert_int_equal(bw_datadir_file_trusted(api, &d, "policy.yaml", why, sizeof why), BW_OK);
    fake_acl_links(DIR "\\policy.yaml", 2);
    assert_int_equal(bw_datadir_file_trusted(api, &d, "policy.yaml", why, sizeof why), BW_EACCES);
    assert_string_equal(why, "it has 2 names (hard links)");
    fake_acl_object(DIR "\\state.db", false, "O:" USER "D:(A;;FA;;;SY)");
    assert_int_equal(bw_datadir_file_trusted(api, &d, "state.db", why, sizeof why), BW_EACCES);
    assert_string_equal(why, "it is owned by " USER ", not by SYSTEM or Administrators");
    fake_acl_object(DIR "\\events.jsonl", false, "O:SYD:(A;;FA;;;SY)(A;;0x120116;;;AU)");
    assert_int_equal(bw_datadir_file_trusted(api, &d, "events.jsonl", why, sizeof why),
                     BW_EACCES);
    assert_string_equal(why, "Authenticated Users (S-1-5-11) may change it");
    fake_acl_object(DIR "\\banwatch.log", false, "O:SYD:(A;;FA;;;SY)");
    fake_acl_get_error(DIR "\\banwatch.log", ERROR_ACCESS_DENIED);
    assert_int_equal(bw_datadir_file_trusted(api, &d, "banwatch.log", why, sizeof why),
                     BW_EACCES);
    assert_string_equal(why, "its permissions cannot be read: access denied (5)");
    bw_datadir_free(&d);
}

/* The account banwatch runs as counts as trusted (an administrator running
 * a command, or Wine's user). */
static void test_self(void **state)
{
    (void)state;
    fake_acl_token(USER);
    char sid[BW_SID_MAX];
    bw_win_status st = {0};
    assert_int_equal(bw_win_self_sid(fake_acl_api(), sid, sizeof sid, &st), BW_OK);
    assert_string_equal(sid, USER);
    fake_acl_object(DIR, true, "O:" USER "D:(A;OICI;FA;;;" USER ")(A;OICI;0x1200a9;;;WD)");
    bw_datadir d;
    unsigned long syserr = 0;
    assert_int_equal(bw_win_data_dir_open(fake_acl_api(), &d, &syserr), BW_OK);
    assert_int_equal(d.action, BW_DATADIR_READY);
    bw_datadir_free(&d);
}

/* install warns when others could change the program the service runs. */
static void test_program_location(void **state)
{
    (void)state;
    const bw_api *api = fake_acl_api();
    char why[512];
    fake_acl_object("C:\\Program Files\\banwatch", true,
                    "O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
                    "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)");
    fake_acl_object("C:\\Program Files\\banwatch\\banwatch.exe", false,
                    "O:BAD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)");
    assert_int_equal(bw_win_program_trusted(api, "C:\\Program Files\\banwatch\\banwatch.exe",
                                            "S-1-5-18", why, sizeof why),
                     BW_OK);
    /* a folder made under C:\ inherits "Authenticated Users may modify" */
    fake_acl_object("C:\\tools", true, "O:BAD:AI(A;OICIID;FA;;;SY)(A;OICIID;0x1301bf;;;AU)");
    fake_acl_object("C:\\tools\\banwatch.exe", false, "O:BAD:(A;;FA;;;SY)(A;;FA;;;BA)");
    assert_int_equal(
        bw_win_program_trusted(api, "C:\\tools\\banwatch.exe", "S-1-5-18", why, sizeof why),
        BW_EACCES);
    assert_string_equal(why, "C:\\tools: Authenticated Users (S-1-5-11) may add files to it");
    /* the program itself writable by Users */
    fake_acl_object("C:\\Program Files\\banwatch\\banwatch.exe", false,
                    "O:BAD:(A;;FA;;;SY)(A;;0x1301bf;;;BU)");
    assert_int_equal(bw_win_program_trusted(api, "C:\\Program Files\\banwatch\\banwatch.exe",
                                            "S-1-5-18", why, sizeof why),
                     BW_EACCES);
    assert_string_equal(why,
                        "C:\\Program Files\\banwatch\\banwatch.exe: Users (S-1-5-32-545) may "
                        "change it");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_where, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_created_locked, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_reset_in_place, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_planted_folder_moved_aside, fake_acl_setup,
                                        fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_link_moved_aside, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_refused, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_files, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_self, fake_acl_setup, fake_acl_teardown),
        cmocka_unit_test_setup_teardown(test_program_location, fake_acl_setup, fake_acl_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
