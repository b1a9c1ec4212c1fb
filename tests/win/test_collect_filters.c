/*
 * test_collect_filters.c - the class filters collector against the fake API.
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

#define CLS "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class"
#define KBD "{4D36E96B-E325-11CE-BFC1-08002BE10318}"
#define MOU "{4D36E96F-E325-11CE-BFC1-08002BE10318}"
#define DSK "{4D36E967-E325-11CE-BFC1-08002BE10318}"

static bw_snapshot *collect(void)
{
    bw_snapshot *snap = bw_snapshot_new();
    assert_non_null(snap);
    assert_int_equal(bw_win_collect_class_filters(fake_api(), snap), BW_OK);
    fake_assert_no_leaks();
    return snap;
}

static void check(const bw_filter_entry *f, const char *guid, const char *cls,
                  const char *position, const char *filter)
{
    assert_string_equal(f->class_guid, guid);
    if (cls)
        assert_string_equal(f->class_name, cls);
    else
        assert_null(f->class_name);
    assert_string_equal(f->position, position);
    assert_string_equal(f->filter, filter);
    char src[200];
    snprintf(src, sizeof src, CLS "\\%s", guid);
    assert_string_equal(f->source, src);
}

static void test_filters(void **state)
{
    (void)state;
    const char *kbd_upper[] = {"klkbdflt", "kbdclass"};
    const char *mou_upper[] = {"klmouflt", "mouclass"};
    const char *dsk_lower[] = {"klbackupdisk"};
    fake_reg_sz(CLS "\\" KBD, "Class", "Keyboard");
    fake_reg_multi_sz(CLS "\\" KBD, "UpperFilters", kbd_upper, 2, true);
    fake_reg_sz(CLS "\\" MOU, "Class", "Mouse");
    fake_reg_multi_sz(CLS "\\" MOU, "UpperFilters", mou_upper, 2, false); /* no double NUL */
    fake_reg_sz(CLS "\\" MOU, "LowerFilters", "klfltdev"); /* REG_SZ holding one name */
    fake_reg_sz(CLS "\\" DSK, "Class", "DiskDrive");
    fake_reg_multi_sz(CLS "\\" DSK, "LowerFilters", dsk_lower, 1, true);
    fake_reg_multi_sz(CLS "\\" DSK, "UpperFilters", NULL, 0, true); /* empty list */
    fake_reg_sz(CLS "\\{NOFILTERS}", "Class", "Клавиатура");

    bw_snapshot *s = collect();
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_filters, 6);
    check(&s->filters[0], KBD, "Keyboard", "UpperFilters", "klkbdflt");
    check(&s->filters[1], KBD, "Keyboard", "UpperFilters", "kbdclass");
    check(&s->filters[2], MOU, "Mouse", "UpperFilters", "klmouflt");
    check(&s->filters[3], MOU, "Mouse", "UpperFilters", "mouclass");
    check(&s->filters[4], MOU, "Mouse", "LowerFilters", "klfltdev");
    check(&s->filters[5], DSK, "DiskDrive", "LowerFilters", "klbackupdisk");
    bw_snapshot_free(s);
}

static void test_failures(void **state)
{
    (void)state;
    const char *upper[] = {"klkbdflt"};
    const uint16_t lone[] = {'k', 'l', 0xDFFF, 0, 0};
    fake_reg_raw(CLS "\\" KBD, "Class", REG_BINARY, "K", 1);
    fake_reg_multi_sz(CLS "\\" KBD, "UpperFilters", upper, 1, true);
    fake_reg_dword(CLS "\\" KBD, "LowerFilters", 1);
    fake_reg_sz(CLS "\\" MOU, "Class", "Mouse");
    fake_reg_deny(CLS "\\" MOU, ERROR_ACCESS_DENIED);
    fake_reg_sz(CLS "\\" DSK, "Class", "DiskDrive");
    fake_reg_raw(CLS "\\" DSK, "UpperFilters", REG_MULTI_SZ, lone, sizeof lone);
    fake_reg_multi_sz(CLS "\\" DSK, "LowerFilters", upper, 1, true);
    fake_reg_value_error(CLS "\\" DSK, "LowerFilters", ERROR_ACCESS_DENIED);

    bw_snapshot *s = collect();
    assert_int_equal(s->n_filters, 1);
    check(&s->filters[0], KBD, NULL, "UpperFilters", "klkbdflt");
    assert_int_equal(s->n_gaps, 5);
    assert_string_equal(s->gaps[0].where, CLS "\\" KBD "\\Class");
    assert_string_equal(s->gaps[0].reason, "wrong value type REG_BINARY");
    assert_string_equal(s->gaps[1].where, CLS "\\" KBD "\\LowerFilters");
    assert_string_equal(s->gaps[1].reason, "wrong value type REG_DWORD");
    assert_string_equal(s->gaps[2].where, CLS "\\" MOU);
    assert_string_equal(s->gaps[2].reason, "access denied (5)");
    assert_string_equal(s->gaps[3].where, CLS "\\" DSK "\\UpperFilters");
    assert_string_equal(s->gaps[3].reason, "invalid UTF-16");
    assert_string_equal(s->gaps[4].where, CLS "\\" DSK "\\LowerFilters");
    assert_string_equal(s->gaps[4].reason, "access denied (5)");
    bw_snapshot_free(s);
}

static void test_class_key_denied(void **state)
{
    (void)state;
    fake_reg_sz(CLS "\\" KBD, "UpperFilters", "x");
    fake_reg_deny(CLS, ERROR_ACCESS_DENIED);
    bw_snapshot *s = collect();
    assert_int_equal(s->n_filters, 0);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, CLS);
    assert_string_equal(s->gaps[0].reason, "access denied (5)");
    bw_snapshot_free(s);

    fake_reset(); /* absent altogether: nothing, no gap */
    s = collect();
    assert_int_equal(s->n_filters, 0);
    assert_int_equal(s->n_gaps, 0);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_filters, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_failures, fake_setup, fake_teardown),
        cmocka_unit_test_setup_teardown(test_class_key_denied, fake_setup, fake_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
