/* test_names.c - unit tests for company keys, image paths and user-writable
 * places (bw_names.c), and for the vendor's own variables (bw_expand.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_expand.h"
#include "bw_names.h"
#include "bw_str.h"

static void key_is(const char *name, const char *want)
{
    char *k = bw_company_key(name);
    assert_non_null(k);
    if (strcmp(k, want) != 0)
        fail_msg("company key of \"%s\" is \"%s\", want \"%s\"", name, k, want);
    free(k);
}

static void test_company_key(void **state)
{
    (void)state;
    /* quotes of every kind, ASCII ones inside the value included */
    key_is("АО \"Лаборатория Касперского\"", "лаборатория касперского");
    key_is("\"Лаборатория Касперского\"", "лаборатория касперского");
    key_is("АО «Лаборатория Касперского»", "лаборатория касперского");
    key_is("ЗАО „Лаборатория Касперского“", "лаборатория касперского");
    key_is("'Kaspersky Lab'", "kaspersky lab");
    key_is("「Kaspersky」", "kaspersky");
    /* legal forms wherever they stand, dotted or not; punctuation, spaces */
    key_is("AO Kaspersky Lab", "kaspersky lab");
    key_is("Kaspersky Lab ZAO", "kaspersky lab");
    key_is("Kaspersky Lab JSC.", "kaspersky lab");
    key_is("Kaspersky Lab, Inc.", "kaspersky lab");
    key_is("Kaspersky Labs GmbH", "kaspersky labs");
    key_is("  kaspersky\tLAB  ", "kaspersky lab");
    key_is("S.A. Example Co.", "example");
    key_is("OOO Example", "example");
    key_is("ООО «Пример»", "пример");
    /* a subsidiary keeps its extra word: not the vendor's name as such */
    key_is("Kaspersky Lab UK Ltd.", "kaspersky lab uk");
    /* nothing but a legal form or quotes */
    key_is("\"Ltd.\"", "");
    key_is("", "");
    assert_null(bw_company_key(NULL));
    /* invalid UTF-8 is kept byte for byte, never dropped */
    key_is("Bad\xff Name", "bad\xff name");
    /* a quote or dot dropped between two invalid bytes never joins them
     * into a character (here U+04DE, which would fold on a second pass):
     * they stay apart, and the key of the key is the key */
    key_is("\xd3\"\x9e", "\xd3 \x9e");
    key_is("\xd3.\x9e", "\xd3 \x9e");
    key_is("\xc3'.\x89x", "\xc3 \x89x");
    key_is("\xd3 \x9e", "\xd3 \x9e");
    key_is("a\xc3.b", "a\xc3\x62"); /* "a", 0xC3, "b" */
    static const char *const keyed[] = {"\xd3\"\x9e", "\xc3'\x89", "x\xe2.\x80\x94", "S.A. \xc3"};
    for (size_t i = 0; i < sizeof keyed / sizeof keyed[0]; i++) {
        char *once = bw_company_key(keyed[i]);
        assert_non_null(once);
        key_is(once, once);
        free(once);
    }
}

static void test_company_blank(void **state)
{
    (void)state;
    assert_true(bw_company_blank(NULL));
    assert_true(bw_company_blank(""));
    assert_true(bw_company_blank("   "));
    assert_true(bw_company_blank("N/A"));
    assert_true(bw_company_blank("<unknown>"));
    assert_true(bw_company_blank("-"));
    assert_true(bw_company_blank("\"\""));
    assert_false(bw_company_blank("Kaspersky"));
    assert_false(bw_company_blank("Unknown Software Ltd"));
}

static void folder_is(const char *path, const char *want)
{
    char *f = bw_image_folder(path);
    if (!want) {
        if (f)
            fail_msg("folder of \"%s\" is \"%s\", want none", path, f);
        return;
    }
    assert_non_null(f);
    if (strcmp(f, want) != 0)
        fail_msg("folder of \"%s\" is \"%s\", want \"%s\"", path, f, want);
    free(f);
}

static void test_image_paths(void **state)
{
    (void)state;
    char *file =
        bw_image_file("\"C:\\Program Files (x86)\\Kaspersky Lab\\KTS 21.3\\avp.exe\" -r");
    assert_string_equal(file, "avp.exe");
    free(file);
    file = bw_image_file("C:\\Program Files\\X\\svc.exe /k netsvcs");
    assert_string_equal(file, "svc.exe");
    free(file);
    file = bw_image_file("C:\\Windows\\system32\\shell32.dll,-21");
    assert_string_equal(file, "shell32.dll");
    free(file);
    assert_null(bw_image_file(""));
    assert_null(bw_image_file(NULL));

    /* every way of writing the Windows folder is one */
    const char *klif = "%systemroot%\\system32\\drivers\\k4w-21-25";
    folder_is("\\SystemRoot\\system32\\DRIVERS\\K4W-21-25\\klif.sys", klif);
    folder_is("system32\\DRIVERS\\K4W-21-25\\klif.sys", klif);
    folder_is("\\??\\C:\\Windows\\System32\\drivers\\K4W-21-25\\klif.sys", klif);
    folder_is("%SystemRoot%\\System32\\Drivers\\K4W-21-25\\klif.sys", klif);
    folder_is("%windir%/system32/drivers/K4W-21-25/klif.sys", klif);
    folder_is("\"C:\\Program Files\\KeyLocker\\kl.exe\" -x", "c:\\program files\\keylocker");
    folder_is("klif.sys", NULL);
    folder_is("\\klif.sys", NULL);

    assert_true(bw_folder_shared("%systemroot%\\system32\\drivers"));
    assert_true(bw_folder_shared("%systemroot%\\system32"));
    assert_true(bw_folder_shared("%systemroot%"));
    assert_true(bw_folder_shared("c:"));
    assert_true(bw_folder_shared("c:\\program files"));
    assert_true(bw_folder_shared("d:\\program files (x86)"));
    assert_true(bw_folder_shared("c:\\programdata"));
    assert_true(bw_folder_shared(NULL));
    assert_false(bw_folder_shared(klif));
    assert_false(bw_folder_shared("c:\\program files\\kaspersky lab\\kes.12.3.0"));
}

static void test_user_writable(void **state)
{
    (void)state;
    assert_true(bw_path_user_writable("\\??\\C:\\Users\\bob\\AppData\\Local\\Temp\\x.sys"));
    assert_true(bw_path_user_writable("C:\\Users\\Public\\klif.sys"));
    assert_true(bw_path_user_writable("%TEMP%\\klif.sys"));
    assert_true(bw_path_user_writable("%LocalAppData%\\Vendor\\svc.exe"));
    assert_true(bw_path_user_writable("C:\\Windows\\Temp\\x.sys"));
    assert_true(bw_path_user_writable("D:\\Tools\\svc.exe"));
    assert_true(bw_path_user_writable("\"C:\\KL\\avp.exe\" -r"));
    assert_false(bw_path_user_writable("\\SystemRoot\\system32\\DRIVERS\\klif.sys"));
    assert_false(bw_path_user_writable("system32\\drivers\\klif.sys"));
    assert_false(bw_path_user_writable("\"C:\\Program Files (x86)\\Kaspersky Lab\\avp.exe\" -r"));
    assert_false(
        bw_path_user_writable("C:\\ProgramData\\Kaspersky Lab\\AVP21.25\\Bases\\klids.sys"));
    assert_false(bw_path_user_writable("C:\\avp.exe"));
    assert_false(bw_path_user_writable(NULL));
}

/* ---- the vendor's own variables ------------------------------------------ */

static char *expand(const bw_kv *env, size_t n, const char *raw, bw_err want, char *why,
                    size_t whylen)
{
    char *out = (char *)"unset";
    bw_err e = bw_expand_vendor_vars(env, n, raw, &out, why, whylen);
    assert_int_equal(e, want);
    if (e != BW_OK)
        assert_null(out);
    return out;
}

static void test_expand(void **state)
{
    (void)state;
    /* a real 21.2 environment: only DataRoot is absolute */
    bw_kv env[] = {
        {"DataRoot", "%ProgramData%\\Kaspersky Lab\\AVP21.2"},
        {"Data", "%DataRoot%\\Data"},
        {"Bases", "%DataRoot%\\Bases"},
        {"DataFolder", "%Data%"},
        {"BaseFolder", "%bases%"},
        {"ProductFolder", "%ProductRoot%"},
    };
    char why[128];
    char *o = expand(env, 6, "%DataFolder%\\x", BW_OK, why, sizeof why);
    assert_string_equal(o, "%ProgramData%\\Kaspersky Lab\\AVP21.2\\Data\\x");
    assert_string_equal(why, "");
    free(o);
    /* names compare case-insensitively; a name the key lacks is kept */
    o = expand(env, 6, "%BASEFOLDER%|%ProductFolder%|%Nope%", BW_OK, why, sizeof why);
    assert_string_equal(o, "%ProgramData%\\Kaspersky Lab\\AVP21.2\\Bases|%ProductRoot%|%Nope%");
    free(o);
    /* lone and doubled percent signs stay */
    o = expand(env, 6, "50% of %% and %Data", BW_OK, why, sizeof why);
    assert_string_equal(o, "50% of %% and %Data");
    free(o);
    o = expand(NULL, 0, "", BW_OK, why, sizeof why);
    assert_string_equal(o, "");
    free(o);

    /* cycles, named */
    bw_kv loop[] = {{"A", "%B%\\x"}, {"B", "%a%"}};
    expand(loop, 2, "%A%", BW_EPARSE, why, sizeof why);
    assert_string_equal(why, "variable cycle: %A% -> %B% -> %A%");
    bw_kv self[] = {{"A", "x%A%"}};
    expand(self, 1, "%A%", BW_EPARSE, why, sizeof why);
    assert_string_equal(why, "variable cycle: %A% -> %A%");
    /* depth: a chain of 8 expands, 9 is too deep */
    bw_kv chain[10] = {{"V0", "end"},  {"V1", "%V0%"}, {"V2", "%V1%"}, {"V3", "%V2%"},
                       {"V4", "%V3%"}, {"V5", "%V4%"}, {"V6", "%V5%"}, {"V7", "%V6%"},
                       {"V8", "%V7%"}, {"V9", "%V8%"}};
    o = expand(chain, 10, "%V7%", BW_OK, why, sizeof why);
    assert_string_equal(o, "end");
    free(o);
    expand(chain, 10, "%V8%", BW_ERANGE, why, sizeof why);
    assert_string_equal(why, "variables nested deeper than 8 levels");
    /* a result that grows past the bound */
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, 'x', 4999);
    big[4999] = '\0';
    bw_kv grow[] = {{"B", big}, {"C", "%B%%B%%B%%B%"}, {"D", "%C%%C%"}};
    expand(grow, 3, "%D%", BW_ERANGE, why, sizeof why);
    assert_string_equal(why, "expanded value too long");
    free(big);
    /* no reason buffer is fine */
    expand(loop, 2, "%B%", BW_EPARSE, NULL, 0);
    expand(NULL, 0, NULL, BW_EINVAL, why, sizeof why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_company_key), cmocka_unit_test(test_company_blank),
        cmocka_unit_test(test_image_paths), cmocka_unit_test(test_user_writable),
        cmocka_unit_test(test_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
