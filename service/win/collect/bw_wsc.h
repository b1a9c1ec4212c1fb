/*
 * bw_wsc.h - the Windows Security Center product list (iwscapi.h), declared
 * here because MinGW-w64 ships no iwscapi.h (Win32 layer).
 *
 * Only what banwatch calls is declared: IWSCProductList (Initialize,
 * get_Count, get_Item) and IWscProduct (get_ProductName, get_ProductState),
 * both dual interfaces derived from IDispatch, so their own methods start
 * at vtable slot 7. The GUIDs are those of the Windows SDK's iwscapi.h.
 * Tests implement these vtables to fake Security Center.
 */
#ifndef BW_WSC_H
#define BW_WSC_H

#include "../bw_api.h"

/* WSC_SECURITY_PROVIDER_ANTIVIRUS */
#define BW_WSC_PROVIDER_ANTIVIRUS 0x4

/* {17072F7B-9ABE-4A74-A261-1EB76B55107A} */
static const CLSID bw_clsid_wsc_product_list = {
    0x17072f7b, 0x9abe, 0x4a74, {0xa2, 0x61, 0x1e, 0xb7, 0x6b, 0x55, 0x10, 0x7a}};
/* {722A338C-6E8E-4E72-AC27-1417FB0C81C2} */
static const IID bw_iid_wsc_product_list = {
    0x722a338c, 0x6e8e, 0x4e72, {0xac, 0x27, 0x14, 0x17, 0xfb, 0x0c, 0x81, 0xc2}};

typedef struct bw_wsc_product bw_wsc_product;
typedef struct bw_wsc_product_list bw_wsc_product_list;

/* The IDispatch part every vtable starts with (not called by banwatch). */
#define BW_WSC_IDISPATCH(self)                                                                   \
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(self *, REFIID, void **);                         \
    ULONG(STDMETHODCALLTYPE *AddRef)(self *);                                                    \
    ULONG(STDMETHODCALLTYPE *Release)(self *);                                                   \
    HRESULT(STDMETHODCALLTYPE *GetTypeInfoCount)(self *, UINT *);                                \
    HRESULT(STDMETHODCALLTYPE *GetTypeInfo)(self *, UINT, LCID, void **);                        \
    HRESULT(STDMETHODCALLTYPE *GetIDsOfNames)(self *, REFIID, LPOLESTR *, UINT, LCID, DISPID *); \
    HRESULT(STDMETHODCALLTYPE *Invoke)                                                           \
    (self *, DISPID, REFIID, LCID, WORD, void *, void *, void *, UINT *);

typedef struct bw_wsc_product_vtbl {
    BW_WSC_IDISPATCH(bw_wsc_product)
    HRESULT(STDMETHODCALLTYPE *get_ProductName)(bw_wsc_product *, BSTR *);
    HRESULT(STDMETHODCALLTYPE *get_ProductState)(bw_wsc_product *, int *);
} bw_wsc_product_vtbl;

struct bw_wsc_product {
    const bw_wsc_product_vtbl *lpVtbl;
};

typedef struct bw_wsc_product_list_vtbl {
    BW_WSC_IDISPATCH(bw_wsc_product_list)
    HRESULT(STDMETHODCALLTYPE *Initialize)(bw_wsc_product_list *, ULONG);
    HRESULT(STDMETHODCALLTYPE *get_Count)(bw_wsc_product_list *, LONG *);
    HRESULT(STDMETHODCALLTYPE *get_Item)(bw_wsc_product_list *, ULONG, bw_wsc_product **);
} bw_wsc_product_list_vtbl;

struct bw_wsc_product_list {
    const bw_wsc_product_list_vtbl *lpVtbl;
};

#endif
