/* test_collect_wsc.c - the Security Center collector (service/win/collect/collect_wsc.c)
 * against a fake IWSCProductList served through the API table's COM
 * entries: products and states, Security Center missing (its class not
 * registered: COM not started), failures as gaps, and every reference and
 * string released. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "collect/bw_collect.h"
#include "collect/bw_wsc.h"

/* ---- the fake --------------------------------------------------------------- */

typedef struct fprod {
    bw_wsc_product iface;
    const wchar_t *name;
    int state;
    HRESULT name_hr;
    int refs;
} fprod;

static struct {
    HRESULT init_hr, create_hr, initialize_hr, count_hr;
    LONG count;
    fprod prods[4];
    HRESULT item_hr[4];
    int list_refs, inits, uninits, bstrs_live;
    ULONG provider;
    LSTATUS class_rc; /* opening the class's registry key */
    int keys_open;
} W;

static ULONG STDMETHODCALLTYPE prod_release(bw_wsc_product *p)
{
    return (ULONG)--((fprod *)p)->refs;
}

static HRESULT STDMETHODCALLTYPE prod_name(bw_wsc_product *p, BSTR *out)
{
    fprod *f = (fprod *)p;
    if (FAILED(f->name_hr))
        return f->name_hr;
    size_t n = wcslen(f->name) + 1;
    *out = malloc(n * sizeof(wchar_t));
    assert_non_null(*out);
    memcpy(*out, f->name, n * sizeof(wchar_t));
    W.bstrs_live++;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE prod_state(bw_wsc_product *p, int *out)
{
    *out = ((fprod *)p)->state;
    return S_OK;
}

static const bw_wsc_product_vtbl prod_vtbl = {
    .Release = prod_release, .get_ProductName = prod_name, .get_ProductState = prod_state};

static ULONG STDMETHODCALLTYPE list_release(bw_wsc_product_list *l)
{
    (void)l;
    return (ULONG)--W.list_refs;
}

static HRESULT STDMETHODCALLTYPE list_initialize(bw_wsc_product_list *l, ULONG provider)
{
    (void)l;
    W.provider = provider;
    return W.initialize_hr;
}

static HRESULT STDMETHODCALLTYPE list_count(bw_wsc_product_list *l, LONG *n)
{
    (void)l;
    *n = W.count;
    return W.count_hr;
}

static HRESULT STDMETHODCALLTYPE list_item(bw_wsc_product_list *l, ULONG i, bw_wsc_product **out)
{
    (void)l;
    assert_true(i < 4);
    if (FAILED(W.item_hr[i]))
        return W.item_hr[i];
    W.prods[i].refs++;
    *out = &W.prods[i].iface;
    return S_OK;
}

static const bw_wsc_product_list_vtbl list_vtbl = {.Release = list_release,
                                                   .Initialize = list_initialize,
                                                   .get_Count = list_count,
                                                   .get_Item = list_item};
static bw_wsc_product_list the_list = {&list_vtbl};

static HRESULT WINAPI f_CoInitializeEx(LPVOID r, DWORD model)
{
    assert_null(r);
    assert_int_equal(model, COINIT_MULTITHREADED);
    if (SUCCEEDED(W.init_hr))
        W.inits++;
    return W.init_hr;
}

static VOID WINAPI f_CoUninitialize(void)
{
    W.uninits++;
}

static HRESULT WINAPI f_CoCreateInstance(REFCLSID clsid, LPUNKNOWN outer, DWORD ctx, REFIID iid,
                                         LPVOID *out)
{
    assert_memory_equal(clsid, &bw_clsid_wsc_product_list, sizeof(CLSID));
    assert_memory_equal(iid, &bw_iid_wsc_product_list, sizeof(IID));
    assert_null(outer);
    assert_true(ctx & CLSCTX_INPROC_SERVER);
    if (FAILED(W.create_hr))
        return W.create_hr;
    W.list_refs++;
    *out = &the_list;
    return S_OK;
}

static VOID WINAPI f_SysFreeString(BSTR s)
{
    free(s);
    W.bstrs_live--;
}

static LSTATUS WINAPI f_RegOpenKeyExW(HKEY root, LPCWSTR path, DWORD opt, REGSAM sam, PHKEY out)
{
    (void)opt, (void)sam;
    assert_true(root == HKEY_CLASSES_ROOT);
    assert_int_equal(wcscmp(path, L"CLSID\\{17072F7B-9ABE-4A74-A261-1EB76B55107A}"), 0);
    if (W.class_rc != ERROR_SUCCESS)
        return W.class_rc;
    W.keys_open++;
    *out = (HKEY)(uintptr_t)0x1234;
    return ERROR_SUCCESS;
}

static LSTATUS WINAPI f_RegCloseKey(HKEY key)
{
    assert_true(key == (HKEY)(uintptr_t)0x1234);
    W.keys_open--;
    return ERROR_SUCCESS;
}

static const bw_api table = {.RegOpenKeyExW = f_RegOpenKeyExW,
                             .RegCloseKey = f_RegCloseKey,
                             .CoInitializeEx = f_CoInitializeEx,
                             .CoUninitialize = f_CoUninitialize,
                             .CoCreateInstance = f_CoCreateInstance,
                             .SysFreeString = f_SysFreeString};

static void product(int i, const wchar_t *name, int state)
{
    W.prods[i].iface.lpVtbl = &prod_vtbl;
    W.prods[i].name = name;
    W.prods[i].state = state;
    W.count = i + 1 > W.count ? i + 1 : W.count;
}

static int setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    return 0;
}

/* Runs the collector and checks that everything taken was given back. */
static bw_snapshot *collect(void)
{
    bw_snapshot *s = bw_snapshot_new();
    assert_non_null(s);
    assert_int_equal(bw_win_collect_security_center(&table, s), BW_OK);
    assert_int_equal(W.inits, W.uninits);
    assert_int_equal(W.list_refs, 0);
    assert_int_equal(W.bstrs_live, 0);
    assert_int_equal(W.keys_open, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(W.prods[i].refs, 0);
    return s;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_products(void **state)
{
    (void)state;
    product(0, L"Kaspersky Endpoint Security for Windows", 0);
    product(1, L"Windows Defender", 1);
    product(2, L"ESET Security", 2);
    product(3, L"Продукт", 7);
    bw_snapshot *s = collect();
    assert_int_equal(W.provider, BW_WSC_PROVIDER_ANTIVIRUS);
    assert_true(s->av_center);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(s->n_av, 4);
    assert_string_equal(s->av[0].name, "Kaspersky Endpoint Security for Windows");
    assert_int_equal(s->av[0].state, BW_AV_ON);
    assert_int_equal(s->av[1].state, BW_AV_OFF);
    assert_int_equal(s->av[2].state, BW_AV_SNOOZED);
    assert_string_equal(s->av[3].name, "Продукт");
    assert_int_equal(s->av[3].state, BW_AV_UNKNOWN);
    assert_string_equal(bw_av_state_name(s->av[2].state), "snoozed");
    bw_snapshot_free(s);
}

static void test_not_available(void **state)
{
    (void)state;
    W.create_hr = REGDB_E_CLASSNOTREG; /* Windows Server, Wine */
    bw_snapshot *s = collect();
    assert_false(s->av_center);
    assert_int_equal(s->n_av, 0);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(W.inits, 1);
    bw_snapshot_free(s);
}

static void test_class_not_registered(void **state)
{
    (void)state;
    /* Windows Server, older Windows, Wine: COM is not even started. */
    W.class_rc = ERROR_FILE_NOT_FOUND;
    bw_snapshot *s = collect();
    assert_false(s->av_center);
    assert_int_equal(s->n_gaps, 0);
    assert_int_equal(W.inits, 0);
    bw_snapshot_free(s);
    /* The key cannot be read: COM is asked all the same. */
    setup(NULL);
    W.class_rc = ERROR_ACCESS_DENIED;
    product(0, L"ESET Security", 0);
    s = collect();
    assert_int_equal(W.inits, 1);
    assert_true(s->av_center);
    assert_int_equal(s->n_av, 1);
    bw_snapshot_free(s);
}

static void test_failures_are_gaps(void **state)
{
    (void)state;
    /* creation refused */
    W.create_hr = E_ACCESSDENIED;
    bw_snapshot *s = collect();
    assert_false(s->av_center);
    assert_int_equal(s->n_gaps, 1);
    assert_string_equal(s->gaps[0].where, "Security Center");
    assert_string_equal(s->gaps[0].reason, "error 0x80070005");
    bw_snapshot_free(s);
    /* Initialize fails */
    setup(NULL);
    W.initialize_hr = E_FAIL;
    product(0, L"ESET Security", 0);
    s = collect();
    assert_false(s->av_center);
    assert_int_equal(s->n_av, 0);
    assert_int_equal(s->n_gaps, 1);
    bw_snapshot_free(s);
    /* one item fails, one name fails: the others are read */
    setup(NULL);
    product(0, L"ESET Security", 0);
    product(1, L"Sophos", 0);
    product(2, L"Trend", 0);
    W.item_hr[0] = E_FAIL;
    W.prods[1].name_hr = E_OUTOFMEMORY;
    s = collect();
    assert_true(s->av_center);
    assert_int_equal(s->n_av, 1);
    assert_string_equal(s->av[0].name, "Trend");
    assert_int_equal(s->n_gaps, 2);
    assert_string_equal(s->gaps[0].where, "Security Center anti-virus product 0");
    assert_string_equal(s->gaps[1].where, "Security Center anti-virus product 1");
    assert_string_equal(s->gaps[1].reason, "error 0x8007000E");
    bw_snapshot_free(s);
    /* COM cannot start at all */
    setup(NULL);
    W.init_hr = E_OUTOFMEMORY;
    s = collect();
    assert_int_equal(s->n_gaps, 1);
    assert_int_equal(W.uninits, 0);
    bw_snapshot_free(s);
}

static void test_existing_apartment(void **state)
{
    (void)state;
    /* The thread is already in a single-threaded apartment: use it, and
     * do not uninitialise what this collector did not initialise. */
    W.init_hr = RPC_E_CHANGED_MODE;
    product(0, L"ESET Security", 0);
    bw_snapshot *s = collect();
    assert_int_equal(W.uninits, 0);
    assert_true(s->av_center);
    assert_int_equal(s->n_av, 1);
    bw_snapshot_free(s);
    /* S_FALSE (already initialised in this model) is balanced */
    setup(NULL);
    W.init_hr = S_FALSE;
    s = collect();
    assert_int_equal(W.uninits, 1);
    bw_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_products, setup),
        cmocka_unit_test_setup(test_not_available, setup),
        cmocka_unit_test_setup(test_class_not_registered, setup),
        cmocka_unit_test_setup(test_failures_are_gaps, setup),
        cmocka_unit_test_setup(test_existing_apartment, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
