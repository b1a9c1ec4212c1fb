/* test_eval.c - unit tests for the detection rules (service/core/bw_eval.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bw_eval.h"

/* A small policy built by hand, so these tests do not depend on the YAML
 * loader or on the shipped policy's contents. */
static void add_all(bw_strlist *l, const char *const *items)
{
    for (; *items; items++)
        assert_int_equal(bw_strlist_add(l, *items), BW_OK);
}

static bw_policy *make_policy(void)
{
    bw_policy *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->name = bw_strdup("test");
    p->version = bw_strdup("1");
    p->vendor = bw_strdup("Kaspersky");
    add_all(&p->publishers, (const char *const[]){"AO Kaspersky Lab", "Kaspersky Lab",
                                                  "АО \"Лаборатория Касперского\"", NULL});
    add_all(&p->products,
            (const char *const[]){"*Kaspersky*Anti-Virus*", "*Kaspersky*Endpoint Security*",
                                  "*Kaspersky Security Center*", "Антивирус Касперского*", NULL});
    add_all(&p->markers, (const char *const[]){"Kaspersky", "Касперск", NULL});
    add_all(&p->paths, (const char *const[]){"*\\Kaspersky Lab\\*", "*\\KasperskyLab\\*", NULL});
    add_all(&p->binaries, (const char *const[]){"avp.exe", "klnagent.exe", NULL});
    add_all(&p->services, (const char *const[]){"AVP[0-9]*", "klnagent", NULL});
    add_all(&p->drivers, (const char *const[]){"klif", "klhk", "klkbdflt", NULL});
    add_all(&p->altitudes, (const char *const[]){"320400", "320401", NULL});
    add_all(&p->class_filters, (const char *const[]){"klkbdflt", NULL});
    add_all(&p->registry_roots, (const char *const[]){"HKLM\\SOFTWARE\\KasperskyLab", NULL});
    add_all(&p->registry_products, (const char *const[]){"AVP*", "KES*", NULL});
    add_all(&p->ksn_services, (const char *const[]){"ksnproxy", NULL});
    add_all(&p->generic_names, (const char *const[]){"kl*", "avp*", NULL});
    add_all(&p->name_suffixes, (const char *const[]){".K4W-*", ".KES-*", NULL});
    add_all(&p->others, (const char *const[]){"Kingsoft", NULL});
    add_all(&p->paths, (const char *const[]){"*\\drivers\\K4W-[0-9]*\\*", NULL});
    p->count_tiers = BW_TIERS_DEFAULT;
    return p;
}

static void free_policy(bw_policy *p)
{
    free(p->name);
    free(p->version);
    free(p->vendor);
    bw_strlist *lists[] = {&p->publishers,     &p->products,          &p->markers,
                           &p->paths,          &p->binaries,          &p->services,
                           &p->drivers,        &p->altitudes,         &p->class_filters,
                           &p->registry_roots, &p->registry_products, &p->ksn_services,
                           &p->generic_names,  &p->name_suffixes,     &p->others};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        bw_strlist_free(lists[i]);
    free(p->ksn_ports);
    free(p);
}

static bw_product_entry *product(bw_snapshot *s, const char *key, const char *name,
                                 const char *publisher)
{
    bw_product_entry *p;
    assert_int_equal(bw_snapshot_add_product(s, &p), BW_OK);
    p->key_name = bw_strdup(key);
    p->display_name = name ? bw_strdup(name) : NULL;
    p->publisher = publisher ? bw_strdup(publisher) : NULL;
    p->source =
        bw_strfmt("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\%s", key);
    p->view = BW_VIEW_64;
    return p;
}

static bw_service_entry *service(bw_snapshot *s, const char *name, uint32_t type,
                                 const char *display, const char *image)
{
    bw_service_entry *v;
    assert_int_equal(bw_snapshot_add_service(s, &v), BW_OK);
    v->name = bw_strdup(name);
    v->type = type;
    v->has_type = true;
    v->start = BW_START_AUTO;
    v->has_start = true;
    v->display_name = display ? bw_strdup(display) : NULL;
    v->image_path = image ? bw_strdup(image) : NULL;
    v->source = bw_strfmt("HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", name);
    v->in_registry = true;
    return v;
}

/* Evaluates and renders the findings as "kind:name:tier" lines. */
static char *eval_lines(const bw_snapshot *s, const bw_policy *p)
{
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, p, &f), BW_OK);
    bw_buf b = {0};
    for (size_t i = 0; i < f.n; i++)
        bw_buf_printf(&b, "%s:%s:%s\n", bw_kind_name(f.items[i].kind), f.items[i].name,
                      bw_tier_name(f.items[i].tier));
    bw_findings_free(&f);
    char *out = bw_buf_take(&b);
    return out ? out : bw_strdup("");
}

#define ASSERT_FINDINGS(snap, pol, expected) \
    do {                                     \
        char *got_ = eval_lines(snap, pol);  \
        assert_string_equal(got_, expected); \
        free(got_);                          \
    } while (0)

static void add_filter(bw_snapshot *s, const char *name)
{
    bw_filter_entry *fl;
    assert_int_equal(bw_snapshot_add_filter(s, &fl), BW_OK);
    fl->filter = bw_strdup(name);
    fl->class_guid = bw_strdup("{4D36E96B-E325-11CE-BFC1-08002BE10318}");
    fl->class_name = bw_strdup("Keyboard");
    fl->position = bw_strdup("UpperFilters");
    fl->source = bw_strdup("HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\"
                           "{4D36E96B-E325-11CE-BFC1-08002BE10318}");
}

static bw_vendor_key *vendor_key(bw_snapshot *s, const char *name)
{
    bw_vendor_key *k;
    assert_int_equal(bw_snapshot_add_vendor_key(s, &k), BW_OK);
    k->root = bw_strdup("HKLM\\SOFTWARE\\KasperskyLab");
    k->key_name = name ? bw_strdup(name) : NULL;
    k->source = name ? bw_strfmt("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\%s", name)
                     : bw_strdup("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab");
    k->view = BW_VIEW_32;
    return k;
}

/* ---- products ------------------------------------------------------------ */

static void test_product_publishers(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    /* the vendor's publisher and a product name agree: confirmed */
    product(s, "{KES}", "Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab");
    /* localized, in guillemets, odd spacing */
    product(s, "{RU}", "Kaspersky Endpoint Security для Windows",
            "АО  «Лаборатория Касперского»");
    /* the quotes are part of the value, no legal form (real Russian MSI) */
    product(s, "{RU2}", "Агент администрирования Kaspersky Security Center",
            "\"Лаборатория Касперского\"");
    /* other legal form, trailing punctuation */
    product(s, "{JSC}", "Kaspersky Anti-Virus", "Kaspersky Lab JSC.");
    /* no display name, but the vendor's publisher: a leftover, likely */
    product(s, "{LEFT}", NULL, "kaspersky lab");
    /* a publisher that names the vendor without being a known form does not
     * veto a product name */
    product(s, "{UK}", "Kaspersky Anti-Virus", "Kaspersky Lab UK");
    ASSERT_FINDINGS(s, pol,
                    "product:{JSC}:confirmed\nproduct:{KES}:confirmed\nproduct:{LEFT}:likely\n"
                    "product:{RU2}:confirmed\nproduct:{RU}:confirmed\nproduct:{UK}:confirmed\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_product_names_and_lookalikes(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    product(s, "KasperBackup", "Kasper Backup", "Kasper Software");
    /* a positively other publisher vetoes any name */
    product(s, "Helper", "Kaspersky Anti-Virus Removal Helper", "Foo Utilities Ltd");
    product(s, "NoName", NULL, NULL);
    product(s, "Defender", "Microsoft Defender", "Microsoft Corporation");
    product(s, "Ultra", "UltraAV", "Pango Group");
    /* no publisher (or a placeholder): a family name is likely */
    product(s, "Orphan", "Kaspersky Anti-Virus", NULL);
    product(s, "Orphan2", "Kaspersky Anti-Virus", "   ");
    product(s, "Orphan3", "Kaspersky Anti-Virus", "N/A");
    /* the vendor's name not first (server and management products) */
    product(s, "KSC", "Агент администрирования Kaspersky Security Center 14", NULL);
    /* a family name and the vendor's folder: confirmed */
    bw_product_entry *p = product(s, "KES", "Kaspersky Endpoint Security 12.1 для Windows", NULL);
    p->install_location = bw_strdup("C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0\\");
    /* a tool that merely names the vendor: for review */
    product(s, "Notes", "My Kaspersky Notes", NULL);
    ASSERT_FINDINGS(s, pol,
                    "product:KES:confirmed\nproduct:KSC:likely\nproduct:Notes:possible\n"
                    "product:Orphan:likely\nproduct:Orphan2:likely\nproduct:Orphan3:likely\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_product_fields(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    bw_product_entry *p =
        product(s, "{7EC66A9F}", "Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab");
    p->display_version = bw_strdup("11.6.0");
    p->product_version = bw_strdup("11.6.0.394");
    p->install_location = bw_strdup("C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\");
    bw_product_entry *u = product(s, "PerUser", "Kaspersky Anti-Virus", "AO Kaspersky Lab");
    u->view = BW_VIEW_USER;
    u->user_sid = bw_strdup("S-1-5-21-1-2-3-1001");
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 2);
    const bw_finding *x = &f.items[1], *pu = &f.items[0]; /* ordered by name */
    assert_string_equal(x->version, "11.6.0.394");
    assert_string_equal(x->publisher, "AO Kaspersky Lab");
    assert_string_equal(x->path, "C:\\Program Files (x86)\\Kaspersky Lab\\KES.11.6.0\\");
    assert_string_equal(x->rule, "vendor.publishers");
    assert_int_equal(x->tier, BW_TIER_CONFIRMED);
    assert_false(x->user_writable);
    assert_int_equal(x->signals.n, 3);
    assert_string_equal(x->signals.items[0], "publisher:AO Kaspersky Lab");
    assert_string_equal(x->signals.items[1], "display-name:*Kaspersky*Endpoint Security*");
    assert_string_equal(x->signals.items[2], "path:*\\Kaspersky Lab\\*");
    /* a per-user install is reported as such */
    assert_string_equal(pu->name, "PerUser");
    assert_true(pu->user_writable);
    assert_string_equal(pu->user_sid, "S-1-5-21-1-2-3-1001");
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

/* A product key whose name is not valid UTF-16 is a finding under its
 * escaped name, and says so. */
static void test_product_escaped_name(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    bw_product_entry *p =
        product(s, "{7EC66A9F}\\uD800", "Kaspersky Endpoint Security", "AO Kaspersky Lab");
    p->name_escaped = true;
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.items[0].name, "{7EC66A9F}\\uD800");
    assert_int_equal(f.items[0].tier, BW_TIER_CONFIRMED);
    const bw_strlist *sig = &f.items[0].signals;
    assert_string_equal(sig->items[sig->n - 1], "key-name-not-utf16");
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

/* ---- services and drivers ---------------------------------------------------- */

static void test_service_tiers(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    /* a distinctive name alone (a sparse key): likely */
    service(s, "klnagent", BW_SVC_WIN32_OWN, NULL, NULL);
    /* a distinctive name whose image merely repeats it: likely */
    service(s, "klhk", BW_SVC_KERNEL_DRIVER, "klhk", "system32\\drivers\\klhk.sys");
    /* name and altitude agree: confirmed */
    bw_service_entry *v =
        service(s, "klif", BW_SVC_FS_DRIVER, "klif", "system32\\DRIVERS\\klif.sys");
    assert_int_equal(bw_strlist_add(&v->altitudes, "320400"), BW_OK);
    /* name and a vendor path and text agree: confirmed */
    service(
        s, "AVP21.3", BW_SVC_WIN32_OWN, "Kaspersky Anti-Virus Service 21.3",
        "\"C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Total Security 21.3\\avp.exe\" -r");
    /* no listed name, but vendor text and vendor path */
    service(s, "vssbridge64", BW_SVC_WIN32_OWN, "Kaspersky Volume Shadow Copy Service Bridge",
            "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12\\x64\\vssbridge64.exe");
    /* a generic prefix alone: for review */
    service(s, "klmd", BW_SVC_KERNEL_DRIVER, "klmd", "system32\\drivers\\klmd.sys");
    /* vendor text alone: for review */
    service(s, "Cleaner", BW_SVC_WIN32_OWN, "Removes Kaspersky leftovers",
            "C:\\Tools\\cleaner.exe");
    /* banwatch's own service names the vendor it looks for: never a finding */
    service(s, "banwatch", BW_SVC_WIN32_OWN, "banwatch",
            "\"C:\\Program Files\\banwatch\\banwatch.exe\" service");
    s->services[s->n_services - 1].description =
        bw_strdup("Finds software of vendors banned by policy (Kaspersky by default)");
    /* a generic prefix and a vendor text agree: confirmed */
    service(s, "klfltdev.NEW", BW_SVC_KERNEL_DRIVER, "Kaspersky KLFltDev", NULL);
    ASSERT_FINDINGS(s, pol,
                    "service:AVP21.3:confirmed\nservice:Cleaner:possible\n"
                    "service:klnagent:likely\nservice:vssbridge64:confirmed\n"
                    "driver:klfltdev.NEW:confirmed\ndriver:klhk:likely\ndriver:klif:confirmed\n"
                    "driver:klmd:possible\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_service_contradictions(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    /* a distinctive name whose image is some other file */
    service(s, "klhk", BW_SVC_KERNEL_DRIVER, NULL, "System32\\drivers\\keytel_tap.sys");
    /* ... or sits in another company's program folder */
    service(s, "klif", BW_SVC_KERNEL_DRIVER, NULL,
            "\\??\\C:\\Program Files\\KloudSync\\klif.sys");
    /* a text naming another company */
    service(s, "klnagent", BW_SVC_WIN32_OWN, "Kingsoft Network Agent", NULL);
    /* a generic prefix with a text that describes another product */
    service(s, "klsync", BW_SVC_FS_DRIVER, "KloudSync File Filter",
            "system32\\drivers\\klsync.sys");
    service(s, "AVPlayerService", BW_SVC_WIN32_OWN, "AV Player Media Service",
            "C:\\Program Files\\Aurora\\avplayer.exe");
    ASSERT_FINDINGS(s, pol, "");
    /* the vendor's presence does not pull any of them in */
    bw_vendor_key *k = vendor_key(s, "AVP21.3");
    assert_int_equal(bw_vendor_key_add_env(k, "ProductName", "Kaspersky Total Security"), BW_OK);
    ASSERT_FINDINGS(s, pol, "registry:AVP21.3:confirmed\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

/* Presence vouches for the vendor's own names whose image agrees; a plain
 * text ("Core System Interceptors") leaves a distinctive name for review
 * until then; a generic prefix needs more than presence. */
static void test_vendor_presence(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    bw_service_entry *v = service(s, "klhk", BW_SVC_KERNEL_DRIVER, NULL,
                                  "\\SystemRoot\\System32\\drivers\\klhk.sys");
    v->description = bw_strdup("Core System Interceptors");
    service(s, "kldbgdrv", BW_SVC_KERNEL_DRIVER, "kldbgdrv", "system32\\kldbgdrv.sys");
    add_filter(s, "klkbdflt");
    ASSERT_FINDINGS(s, pol,
                    "driver:kldbgdrv:possible\ndriver:klhk:possible\nfilter:klkbdflt:likely\n");
    /* with a confirmed product key of the vendor */
    bw_vendor_key *k = vendor_key(s, "AVP21.3");
    assert_int_equal(bw_vendor_key_add_env(k, "ProductName", "Kaspersky Total Security"), BW_OK);
    ASSERT_FINDINGS(s, pol,
                    "driver:kldbgdrv:possible\ndriver:klhk:likely\nfilter:klkbdflt:likely\n"
                    "registry:AVP21.3:confirmed\n");
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_true(bw_findings_vendor_present(&f));
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

/* Drivers without a product: the versioned folder of a confirmed driver
 * vouches for its siblings; per-install suffixes are the base names. */
static void test_drivers_without_product(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    pol->paths.n--; /* without the K4W folder glob: the folder itself vouches */
    bw_snapshot *s = bw_snapshot_new();
    bw_service_entry *v = service(s, "KLIF.K4W-21-25", BW_SVC_FS_DRIVER, NULL,
                                  "\\SystemRoot\\system32\\DRIVERS\\K4W-21-25\\klif.sys");
    assert_int_equal(bw_strlist_add(&v->altitudes, "320400"), BW_OK);
    /* a sibling the policy does not name, in the same folder */
    service(s, "klnew.K4W-21-25", BW_SVC_KERNEL_DRIVER, NULL,
            "system32\\DRIVERS\\K4W-21-25\\klnew.sys");
    /* an unknown driver in System32\drivers: the shared folder vouches for nothing */
    service(s, "kltool", BW_SVC_KERNEL_DRIVER, NULL, "system32\\drivers\\kltool.sys");
    /* a sparse key with a suffixed distinctive name */
    service(s, "klhk.K4W-21-25", BW_SVC_KERNEL_DRIVER, NULL, NULL);
    add_filter(s, "klkbdflt.K4W-21-25");
    ASSERT_FINDINGS(s, pol,
                    "driver:KLIF.K4W-21-25:confirmed\ndriver:klhk.K4W-21-25:likely\n"
                    "driver:klnew.K4W-21-25:likely\ndriver:kltool:possible\n"
                    "filter:klkbdflt.K4W-21-25:likely\n");
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    const bw_finding *x = &f.items[2];
    assert_string_equal(x->rule, "vendor.generic_names[kl*]");
    assert_string_equal(x->signals.items[x->signals.n - 1],
                        "shared-folder:%systemroot%\\system32\\drivers\\k4w-21-25");
    bw_findings_free(&f);
    /* with the folder glob the policy ships, the versioned folder is a
     * vendor path of its own */
    pol->paths.n++;
    ASSERT_FINDINGS(s, pol,
                    "driver:KLIF.K4W-21-25:confirmed\ndriver:klhk.K4W-21-25:likely\n"
                    "driver:klnew.K4W-21-25:confirmed\ndriver:kltool:possible\n"
                    "filter:klkbdflt.K4W-21-25:likely\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

/* What any user can write never vouches and never makes the vendor present. */
static void test_user_writable(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    bw_product_entry *p = product(s, "PerUser", "Kaspersky Anti-Virus", "AO Kaspersky Lab");
    p->view = BW_VIEW_USER;
    /* a confirmed-looking driver whose image a user could have planted */
    bw_service_entry *v = service(s, "klif", BW_SVC_FS_DRIVER, "Kaspersky",
                                  "\\??\\C:\\Users\\bob\\AppData\\Local\\Temp\\x\\klif.sys");
    assert_int_equal(bw_strlist_add(&v->altitudes, "320400"), BW_OK);
    service(s, "klother", BW_SVC_KERNEL_DRIVER, NULL,
            "\\??\\C:\\Users\\bob\\AppData\\Local\\Temp\\x\\klother.sys");
    service(s, "klhk", BW_SVC_KERNEL_DRIVER, NULL, NULL);
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_false(bw_findings_vendor_present(&f));
    bw_findings_free(&f);
    /* klother is not vouched for by its planted folder; klhk is likely on
     * its own name, not vouched by presence */
    ASSERT_FINDINGS(s, pol,
                    "product:PerUser:confirmed\ndriver:klhk:likely\ndriver:klif:confirmed\n"
                    "driver:klother:possible\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_filters(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    add_filter(s, "klkbdflt");
    add_filter(s, "kbdclass");
    add_filter(s, "klkbdfltx");
    ASSERT_FINDINGS(s, pol, "filter:klkbdflt:likely\n");
    bw_service_entry *v = service(s, "klkbdflt", BW_SVC_KERNEL_DRIVER, "Kaspersky Lab KLKBDFLT",
                                  "system32\\drivers\\klkbdflt.sys");
    (void)v;
    ASSERT_FINDINGS(s, pol, "driver:klkbdflt:confirmed\nfilter:klkbdflt:confirmed\n");
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_registry_products_and_ksn(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    const char *keys[] = {NULL, "AVP21.3", "protected\\AVP21.3", "Components", "KES"};
    for (size_t i = 0; i < 5; i++) {
        bw_vendor_key *k;
        assert_int_equal(bw_snapshot_add_vendor_key(s, &k), BW_OK);
        k->root = bw_strdup("HKLM\\SOFTWARE\\KasperskyLab");
        k->key_name = keys[i] ? bw_strdup(keys[i]) : NULL;
        k->source = keys[i] ? bw_strfmt("HKLM\\SOFTWARE\\KasperskyLab\\%s", keys[i])
                            : bw_strdup("HKLM\\SOFTWARE\\KasperskyLab");
        k->view = BW_VIEW_64;
        if (i == 1) {
            assert_int_equal(bw_vendor_key_add_env(k, "ProductName", "Kaspersky Total Security"),
                             BW_OK);
            assert_int_equal(bw_vendor_key_add_env(k, "productversion", "21.3.10.391"), BW_OK);
        }
        if (i == 4) /* a folder of the vendor names it too */
            assert_int_equal(
                bw_vendor_key_add_env(k, "DataRoot", "C:\\ProgramData\\Kaspersky Lab\\KES"),
                BW_OK);
    }
    service(s, "ksnproxy", BW_SVC_WIN32_OWN, "Kaspersky Security Network Proxy",
            "C:\\Program Files (x86)\\Kaspersky Lab\\Kaspersky Security Center\\ksnproxy.exe");
    bw_findings f = {0};
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 4);
    assert_int_equal(f.items[0].kind, BW_KIND_KSN);
    assert_string_equal(f.items[0].rule, "ksn.services[ksnproxy]");
    assert_int_equal(f.items[0].tier, BW_TIER_CONFIRMED);
    assert_int_equal(f.items[1].kind, BW_KIND_REGISTRY);
    assert_string_equal(f.items[1].name, "AVP21.3");
    assert_string_equal(f.items[1].display_name, "Kaspersky Total Security");
    assert_string_equal(f.items[1].version, "21.3.10.391");
    assert_int_equal(f.items[1].tier, BW_TIER_CONFIRMED);
    assert_string_equal(f.items[2].name, "KES");
    assert_int_equal(f.items[2].tier, BW_TIER_CONFIRMED);
    /* a product key without an environment: a leftover, likely */
    assert_string_equal(f.items[3].name, "protected\\AVP21.3");
    assert_int_equal(f.items[3].tier, BW_TIER_LIKELY);
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_empty_snapshot(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    bw_snapshot *s = bw_snapshot_new();
    ASSERT_FINDINGS(s, pol, "");
    bw_snapshot_free(s);
    free_policy(pol);
}

/* ---- live KSN connections ---------------------------------------------- */

#define AVP_IMAGE "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.1.0\\avp.exe"

static void set_ksn_ports(bw_policy *p)
{
    static const uint16_t ports[] = {13111, 15111, 17111};
    p->ksn_ports = malloc(sizeof ports);
    assert_non_null(p->ksn_ports);
    memcpy(p->ksn_ports, ports, sizeof ports);
    p->n_ksn_ports = 3;
}

static void connection(bw_snapshot *s, const char *image, uint16_t local_port, const char *remote,
                       uint16_t remote_port, uint32_t state)
{
    bw_connection_entry *c;
    assert_int_equal(bw_snapshot_add_connection(s, &c), BW_OK);
    c->pid = 1200;
    c->image = image ? bw_strdup(image) : NULL;
    c->image_note = image ? NULL : bw_strdup("open: access denied (5)");
    c->local_addr = bw_strdup("10.0.0.5");
    c->local_port = local_port;
    c->remote_addr = bw_strdup(remote);
    c->remote_port = remote_port;
    c->state = state;
}

static void test_ksn_connection(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    set_ksn_ports(pol);
    bw_snapshot *s = bw_snapshot_new();
    connection(s, AVP_IMAGE, 50001, "10.0.0.1", 13111, BW_TCP_ESTABLISHED);
    bw_findings f;
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 1);
    const bw_finding *x = &f.items[0];
    assert_int_equal(x->kind, BW_KIND_KSN_CONNECTION);
    assert_string_equal(bw_kind_name(x->kind), "ksn-connection");
    assert_string_equal(x->name, "avp.exe->10.0.0.1:13111");
    assert_string_equal(x->display_name, "KSN connection");
    assert_string_equal(x->path, AVP_IMAGE);
    assert_string_equal(x->source, "TCP 10.0.0.1:13111");
    assert_string_equal(x->rule, "ksn.ports[13111]");
    assert_int_equal(x->signals.n, 3);
    assert_string_equal(x->signals.items[0], "binary:avp.exe");
    assert_string_equal(x->signals.items[1], "port:13111");
    assert_string_equal(x->signals.items[2], "state:ESTABLISHED");
    assert_false(x->has_service_info);
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_ksn_connection_lookalikes(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    set_ksn_ports(pol);
    bw_snapshot *s = bw_snapshot_new();
    /* another process to the KSN proxy port */
    connection(s, "C:\\Program Files\\Browser\\browser.exe", 50001, "10.0.0.1", 13111,
               BW_TCP_ESTABLISHED);
    /* a vendor process to another port */
    connection(s, AVP_IMAGE, 50002, "203.0.113.7", 443, BW_TCP_ESTABLISHED);
    /* a vendor process whose connection is closing */
    connection(s, AVP_IMAGE, 50003, "10.0.0.1", 13111, BW_TCP_TIME_WAIT);
    /* a process that could not be named */
    connection(s, NULL, 50004, "10.0.0.1", 13111, BW_TCP_ESTABLISHED);
    /* a vendor name only as a folder, not as the image file */
    connection(s, "C:\\avp.exe\\other.exe", 50005, "10.0.0.1", 13111, BW_TCP_ESTABLISHED);
    bw_findings f;
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 0);
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

static void test_ksn_connection_once(void **state)
{
    (void)state;
    bw_policy *pol = make_policy();
    set_ksn_ports(pol);
    bw_snapshot *s = bw_snapshot_new();
    /* the same remote from two local ports (one still connecting): one finding */
    connection(s, AVP_IMAGE, 50001, "10.0.0.1", 13111, BW_TCP_ESTABLISHED);
    connection(s, AVP_IMAGE, 50002, "10.0.0.1", 13111, BW_TCP_SYN_SENT);
    /* another KSN port of the same server: its own finding */
    connection(s, AVP_IMAGE, 50003, "10.0.0.1", 17111, BW_TCP_SYN_SENT);
    bw_connection_entry *c;
    assert_int_equal(bw_snapshot_add_connection(s, &c), BW_OK);
    c->image = bw_strdup("C:\\Program Files\\Kaspersky Lab\\NetworkAgent\\klnagent.exe");
    c->local_addr = bw_strdup("2001:db8::5");
    c->remote_addr = bw_strdup("2001:db8::1");
    c->remote_port = 13111;
    c->state = BW_TCP_ESTABLISHED;
    c->ipv6 = true;
    bw_findings f;
    assert_int_equal(bw_evaluate(s, pol, &f), BW_OK);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.items[0].name, "avp.exe->10.0.0.1:13111");
    assert_string_equal(f.items[1].name, "avp.exe->10.0.0.1:17111");
    assert_string_equal(f.items[1].rule, "ksn.ports[17111]");
    assert_string_equal(f.items[2].name, "klnagent.exe->[2001:db8::1]:13111");
    assert_string_equal(f.items[2].source, "TCP [2001:db8::1]:13111");
    bw_findings_free(&f);
    bw_snapshot_free(s);
    free_policy(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_publishers),
        cmocka_unit_test(test_product_names_and_lookalikes),
        cmocka_unit_test(test_product_fields),
        cmocka_unit_test(test_product_escaped_name),
        cmocka_unit_test(test_service_tiers),
        cmocka_unit_test(test_service_contradictions),
        cmocka_unit_test(test_vendor_presence),
        cmocka_unit_test(test_drivers_without_product),
        cmocka_unit_test(test_user_writable),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_registry_products_and_ksn),
        cmocka_unit_test(test_empty_snapshot),
        cmocka_unit_test(test_ksn_connection),
        cmocka_unit_test(test_ksn_connection_lookalikes),
        cmocka_unit_test(test_ksn_connection_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
