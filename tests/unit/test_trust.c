/* test_trust.c - unit tests for trusting banwatch's own files and folder
 * (bw_trust.c): owners, access control entries, links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bw_trust.h"

#define SELF "S-1-5-21-1-2-3-1000"

static bw_object_facts folder(const char *owner)
{
    bw_object_facts o;
    memset(&o, 0, sizeof o);
    o.is_dir = true;
    snprintf(o.owner, sizeof o.owner, "%s", owner);
    o.has_dacl = true;
    o.dacl_protected = true;
    return o;
}

static void add_ace(bw_object_facts *o, bool allow, bool inherit_only, uint32_t mask,
                    const char *sid)
{
    bw_ace *a = &o->aces[o->n_aces++];
    a->allow = allow;
    a->inherit_only = inherit_only;
    a->mask = mask;
    snprintf(a->sid, sizeof a->sid, "%s", sid);
}

static void trusted(const bw_object_facts *o)
{
    char why[256];
    if (!bw_object_trusted(o, SELF, why, sizeof why))
        fail_msg("not trusted: %s", why);
    assert_string_equal(why, "");
}

static void untrusted(const bw_object_facts *o, const char *want)
{
    char why[256];
    assert_false(bw_object_trusted(o, SELF, why, sizeof why));
    assert_string_equal(why, want);
}

/* The folder banwatch creates: SYSTEM and Administrators full control,
 * Users read and execute. */
static void test_own_folder(void **state)
{
    (void)state;
    bw_object_facts o = folder("S-1-5-18");
    add_ace(&o, true, false, 0x1f01ff, "S-1-5-18");
    add_ace(&o, true, false, 0x1f01ff, "S-1-5-32-544");
    add_ace(&o, true, false, 0x1200a9, "S-1-5-32-545");
    trusted(&o);
    snprintf(o.owner, sizeof o.owner, "S-1-5-32-544");
    trusted(&o);
    snprintf(o.owner, sizeof o.owner, "%s", SELF); /* the account banwatch runs as */
    trusted(&o);
    snprintf(o.owner, sizeof o.owner,
             "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
    trusted(&o);
}

/* A folder an ordinary user created under ProgramData: owned by the user,
 * inheriting "Users may add files". */
static void test_planted_folder(void **state)
{
    (void)state;
    bw_object_facts o = folder("S-1-5-21-9-9-9-1001");
    add_ace(&o, true, false, 0x1f01ff, "S-1-5-18");
    untrusted(&o, "it is owned by S-1-5-21-9-9-9-1001, not by SYSTEM or Administrators");
    /* owned by SYSTEM but with ProgramData's inherited entries */
    o = folder("S-1-5-18");
    o.dacl_protected = false;
    add_ace(&o, true, false, 0x1f01ff, "S-1-5-18");
    add_ace(&o, true, false, 0x1200a9, "S-1-5-32-545");
    add_ace(&o, true, false, 0x000116, "S-1-5-32-545"); /* write data, append, write attrs */
    untrusted(&o, "Users (S-1-5-32-545) may add files to it");
    /* CREATOR OWNER full control applies to what is created inside only */
    o = folder("S-1-5-18");
    add_ace(&o, true, true, 0x10000000, "S-1-3-0");
    add_ace(&o, true, true, 0x1f01ff, "S-1-5-32-545"); /* inherit only: not this object */
    trusted(&o);
}

static void test_files(void **state)
{
    (void)state;
    bw_object_facts o = folder("S-1-5-18");
    o.is_dir = false;
    o.links = 1;
    add_ace(&o, true, false, 0x1f01ff, "S-1-5-18");
    add_ace(&o, true, false, 0x120089, "S-1-1-0");       /* Everyone may read */
    add_ace(&o, false, false, 0x1f01ff, "S-1-5-32-545"); /* a deny takes rights away */
    trusted(&o);
    o.links = 2;
    untrusted(&o, "it has 2 names (hard links)");
    o.links = 1;
    add_ace(&o, true, false, 0x00000004, "S-1-5-11"); /* append only */
    untrusted(&o, "Authenticated Users (S-1-5-11) may change it");
    o.n_aces--;
    add_ace(&o, true, false, 0x40000000, "S-1-5-21-5-5-5-500"); /* generic write */
    untrusted(&o, "S-1-5-21-5-5-5-500 may change it");
    o.n_aces--;
    add_ace(&o, true, false, 0x00040000, "S-1-1-0"); /* WRITE_DAC */
    untrusted(&o, "Everyone (S-1-1-0) may change it");
    o.n_aces--;
    add_ace(&o, true, false, 0x00080000, "S-1-3-4"); /* OWNER RIGHTS stands for the owner */
    trusted(&o);
    o.reparse = true;
    untrusted(&o, "it is a junction or symbolic link");
    o.reparse = false;
    o.has_dacl = false;
    untrusted(&o, "it has no access control list: anyone may write it");
    o.has_dacl = true;
    o.aces_truncated = true;
    untrusted(&o, "its access control list has more than 64 entries");
    o.aces_truncated = false;
    o.owner[0] = '\0';
    untrusted(&o, "it is owned by (unknown), not by SYSTEM or Administrators");
}

static void test_sids(void **state)
{
    (void)state;
    assert_true(bw_sid_trusted("S-1-5-18", NULL));
    assert_true(bw_sid_trusted("s-1-5-32-544", ""));
    assert_false(bw_sid_trusted("S-1-5-32-545", NULL));
    assert_false(bw_sid_trusted("S-1-5-18-1", NULL));
    assert_false(bw_sid_trusted("", ""));
    assert_false(bw_sid_trusted(NULL, SELF));
    assert_true(bw_sid_trusted(SELF, SELF));
    assert_string_equal(bw_sid_name("S-1-5-32-545"), "Users");
    assert_string_equal(bw_sid_name("S-1-5-21-1-1-1-1"), "S-1-5-21-1-1-1-1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_folder),
        cmocka_unit_test(test_planted_folder),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_sids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
