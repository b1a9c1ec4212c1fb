/*
 * collect_wsc.c - the Security Center collector: the anti-virus products
 * Windows Security Center knows and their states (Win32 layer, COM through
 * the API table). Used by containment to tell whether another anti-virus
 * would remain (bw_contain.h).
 *
 * The product list's class is looked up in the registry first: where it
 * is not registered (Windows Server, older Windows, Wine) COM is not
 * started at all, which spares loading its DLLs into every scan there;
 * CoCreateInstance would only have said REGDB_E_CLASSNOTREG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "bw_collect.h"
#include "bw_wsc.h"
#include "../bw_winreg.h"

#define MAX_PRODUCTS   64u
#define MAX_NAME_UNITS 1024u
/* Where CoCreateInstance finds bw_clsid_wsc_product_list (HKCR). */
#define WSC_CLASS_KEY "CLSID\\{17072F7B-9ABE-4A74-A261-1EB76B55107A}"

static bw_err gap_hr(bw_snapshot *snap, const char *where, HRESULT hr)
{
    return bw_snapshot_add_gap(snap, where, "error 0x%08lX", (unsigned long)hr);
}

/* Reads one product into the snapshot; failures are gaps. */
static bw_err read_product(const bw_api *api, bw_wsc_product_list *list, ULONG i,
                           bw_snapshot *snap)
{
    char where[64];
    snprintf(where, sizeof where, "Security Center anti-virus product %lu", (unsigned long)i);
    bw_wsc_product *p = NULL;
    HRESULT hr = list->lpVtbl->get_Item(list, i, &p);
    if (FAILED(hr) || !p)
        return gap_hr(snap, where, FAILED(hr) ? hr : E_POINTER);
    BSTR name = NULL;
    int state = -1;
    bw_err e = BW_OK;
    hr = p->lpVtbl->get_ProductName(p, &name);
    if (SUCCEEDED(hr))
        hr = p->lpVtbl->get_ProductState(p, &state);
    if (FAILED(hr)) {
        e = gap_hr(snap, where, hr);
    } else {
        char *utf8 = NULL;
        bw_err c =
            name ? bw_utf16_to_utf8((const uint16_t *)name, wcsnlen(name, MAX_NAME_UNITS), &utf8)
                 : BW_EINVAL;
        bw_av_entry *av = NULL;
        if (c == BW_OK)
            e = bw_snapshot_add_av(snap, &av);
        if (c == BW_ENOMEM || e != BW_OK) {
            free(utf8);
            e = BW_ENOMEM;
        } else if (c != BW_OK) {
            e = bw_snapshot_add_gap(snap, where, "%s",
                                    name ? "name is not valid UTF-16" : "no name");
        } else {
            av->name = utf8;
            av->state =
                state >= BW_AV_ON && state <= BW_AV_EXPIRED ? (bw_av_state)state : BW_AV_UNKNOWN;
        }
    }
    if (name)
        api->SysFreeString(name);
    p->lpVtbl->Release(p);
    return e;
}

bw_err bw_win_collect_security_center(const bw_api *api, bw_snapshot *snap)
{
    static const char where[] = "Security Center";
    HKEY cls = NULL;
    bw_err r =
        bw_win_reg_open(api, HKEY_CLASSES_ROOT, WSC_CLASS_KEY, KEY_WOW64_64KEY, &cls, NULL);
    bw_win_reg_close(api, cls);
    if (r == BW_ENOTFOUND) /* no Security Center; anything else: ask COM */
        return BW_OK;
    HRESULT hr = api->CoInitializeEx(NULL, COINIT_MULTITHREADED);
    bool uninit = SUCCEEDED(hr);                /* S_OK or S_FALSE: balanced by CoUninitialize */
    if (FAILED(hr) && hr != RPC_E_CHANGED_MODE) /* another model already: usable */
        return gap_hr(snap, where, hr);
    bw_wsc_product_list *list = NULL;
    bw_err e = BW_OK;
    hr = api->CoCreateInstance(&bw_clsid_wsc_product_list, NULL, CLSCTX_INPROC_SERVER,
                               &bw_iid_wsc_product_list, (void **)&list);
    if (hr == REGDB_E_CLASSNOTREG || hr == CLASS_E_CLASSNOTAVAILABLE) {
        /* No Security Center: Windows Server, older Windows, Wine. */
    } else if (FAILED(hr) || !list) {
        e = gap_hr(snap, where, FAILED(hr) ? hr : E_POINTER);
    } else {
        LONG n = 0;
        hr = list->lpVtbl->Initialize(list, BW_WSC_PROVIDER_ANTIVIRUS);
        if (SUCCEEDED(hr))
            hr = list->lpVtbl->get_Count(list, &n);
        if (FAILED(hr)) {
            e = gap_hr(snap, where, hr);
        } else {
            snap->av_center = true;
            if (n < 0)
                n = 0;
            for (ULONG i = 0; i < (ULONG)n && i < MAX_PRODUCTS && e == BW_OK; i++)
                e = read_product(api, list, i, snap);
        }
        list->lpVtbl->Release(list);
    }
    if (uninit)
        api->CoUninitialize();
    return e;
}
