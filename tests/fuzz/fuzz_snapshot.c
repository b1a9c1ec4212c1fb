/* fuzz_snapshot.c - a hostile snapshot from fuzz bytes (test code only).
 * See fuzz_snapshot.h. */
#include "fuzz_snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "bw_evidence.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const v_name[] = {
    "Kaspersky Endpoint Security for Windows",
    "Kaspersky Security Center Network Agent",
    "Kaspersky Total Security",
    "Kaspersky",
    "Kaspersky Anti-Virus",
    "Kaspersky Security 11 for Windows Server",
    "Агент администрирования Kaspersky Security Center",
    "Антивирус Касперского",
    "Kaspersky Lab KLIF Driver",
    "Kaspersky Security Network Proxy",
    "Parallels Internet Security Powered by Kaspersky",
    "UltraAV",
    "Kingsoft Antivirus",
    "Kernel Debugger Driver",
    "Microsoft Defender Antivirus",
    "Microsoft Defender Antivirus Service",
    "Windows Defender",
    "KAV for Windows File Servers",
    "SQL Server (KAV_CS_ADMIN_KIT)",
    "",
    " ",
};

static const char *const v_publisher[] = {
    "AO Kaspersky Lab",
    "Kaspersky Lab",
    "Kaspersky Lab JSC",
    "Kaspersky",
    "АО \"Лаборатория Касперского\"",
    "«Лаборатория Касперского»",
    "Pango",
    "Microsoft Corporation",
    "Kingsoft Corp.",
    "Unknown",
    "-",
    "N/A",
    "",
};

static const char *const v_version[] = {
    "12.3.0.493",
    "21.3.10.391",
    "14.2.0.26967",
    "11.0.1.90",
    "21.19.7.527",
    "1.0",
    "",
    "0",
    "99999999999999999999",
    "12.3.0.493 (patch A)",
};

static const char *const v_key[] = {
    "{9A017278-F7F4-4DF9-A482-0B9B7E7C7E1D}",
    "{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}",
    "InstallWIX_{9A017278-F7F4-4DF9-A482-0B9B7E7C7E1D}",
    "AVP21.3",
    "AVP21.19",
    "KES.12.3.0",
    "protected\\AVP21.3",
    "klif",
    "KLIF.K4W-21-25",
    "kneps",
    "klhk",
    "klflt",
    "AVP",
    "AVP.KES.12.3.0.493",
    "klnagent",
    "kavfsslp",
    "KSNProxy",
    "kldbgdrv",
    "kavnsi",
    "WinDefend",
    "banwatch",
    "avp.exe",
    "Kaspersky Security Center",
};

static const char *const v_path[] = {
    "\"C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\avp.exe\" -r",
    "C:\\Program Files (x86)\\Kaspersky Lab\\NetworkAgent\\klnagent.exe",
    "system32\\DRIVERS\\klif.sys",
    "\\SystemRoot\\System32\\drivers\\kneps.sys",
    "\\??\\C:\\Windows\\system32\\drivers\\klhk.sys",
    "%SystemRoot%\\system32\\drivers\\klflt.sys",
    "C:\\Users\\bob\\AppData\\Local\\Temp\\avp.exe",
    "C:\\ProgramData\\Kaspersky Lab\\AVP21.3\\Bases",
    "C:\\Program Files\\Windows Defender\\MsMpEng.exe",
    "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\MsMpEng.exe\"",
    "C:\\Kaspersky\\avp.exe",
    "MsiExec.exe /X{9A017278-F7F4-4DF9-A482-0B9B7E7C7E1D}",
    "C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\avp.exe,0",
    "%DataRoot%\\Bases",
    "index/u1901g.xml",
    "",
};

static const char *const v_source[] = {
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{9A017278-F7F4-4DF9-A482-"
    "0B9B7E7C7E1D}",
    "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
    "{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}",
    "HKU\\S-1-5-21-1-2-3-1001\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
    "Kaspersky",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\klif",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AVP",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services",
    "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4D36E96B-E325-11CE-BFC1-08002BE10318}",
    "HKLM\\SOFTWARE\\KasperskyLab",
    "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab",
    "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\protected\\AVP21.3",
    "HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\AVP21.3\\Data\\LastSuccessfulUpdate",
    "C:\\ProgramData\\Kaspersky Lab\\AVP21.3\\Bases\\index\\u1901g.xml",
    "C:\\ProgramData\\Kaspersky Lab\\KAVFS\\Bases\\kdb.stt",
    "service control manager",
    "",
};

static const char *const v_env[] = {
    "ProductName",        "ProductVersion", "ProductDisplayVersion",
    "Ins_ProductVersion", "ProductCode",    "Ins_DisplayName",
    "InstallDate",        "DataRoot",       "Bases",
    "UpdateRoot",         "ProductRoot",    "ProductFolder",
    "DataFolder",         "Data",
};

/* <a UpdateDate="30092024 1215"/> in UTF-16LE with a byte order mark: file
 * bytes, only ever evidence (not a string) */
static const char utf16_index[] =
    "\xFF\xFE<\0a\0 \0U\0p\0d\0a\0t\0e\0D\0a\0t\0e\0=\0\"\0\x33\0\x30\0\x30\0\x39\0\x32\0"
    "\x30\0\x32\0\x34\0 \0\x31\0\x32\0\x31\0\x35\0\"\0/\0>\0";

static const char *const v_date[] = {
    "30092024 1215",
    "28092024 0000",
    "01-10-2024 10-00-00",
    "1727600000",
    "20241001",
    "20200101",
    "<UpdateFiles UpdateDate=\"31122020 1103\"/>",
    "<Updates><Update CompID=\"KDBEFI_A\" Date=\"01102024 0100\"/></Updates>",
    "1;202410011200\n2;202409281200\n",
    "31022024 0000",
    "",
};

static const char *const v_misc[] = {
    "WS-01",
    "access denied (5)",
    "320400",
    "385100",
    "320650",
    "UpperFilters",
    "LowerFilters",
    "{4D36E96B-E325-11CE-BFC1-08002BE10318}",
    "Keyboard",
    "10.0.0.1",
    "2001:db8::1",
    "192.0.2.10",
    "open: access denied (5)",
    "FSFilter Anti-Virus",
    "Kaspersky Lab Network Filter Driver",
    "x",
};

static const struct {
    const char *const *items;
    size_t n;
} vocab[FZ_V_COUNT] = {
    [FZ_V_NAME] = {v_name, N(v_name)},
    [FZ_V_PUBLISHER] = {v_publisher, N(v_publisher)},
    [FZ_V_VERSION] = {v_version, N(v_version)},
    [FZ_V_KEY] = {v_key, N(v_key)},
    [FZ_V_PATH] = {v_path, N(v_path)},
    [FZ_V_SOURCE] = {v_source, N(v_source)},
    [FZ_V_ENV] = {v_env, N(v_env)},
    [FZ_V_DATE] = {v_date, N(v_date)},
    [FZ_V_MISC] = {v_misc, N(v_misc)},
};

/* Invalid bytes become '?', so the text is valid UTF-8. */
static void make_valid(char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t k = fz_utf8_seq((const uint8_t *)s + i, n - i);
        if (k) {
            i += k;
        } else {
            s[i] = '?';
            i++;
        }
    }
}

char *fz_vocab_str(fz_in *in, enum fz_vocab v, bool valid_utf8, bool allow_null)
{
    uint8_t b = fz_u8(in);
    if (b == 0xFF && allow_null)
        return NULL;
    if (b < 0xC0) {
        const char *w = vocab[v].items[b % vocab[v].n];
        return fz_need(strdup(w));
    }
    char *s = fz_str(in, 96, NULL);
    if (valid_utf8)
        make_valid(s);
    return s;
}

#define STR(v)     fz_vocab_str(in, (v), valid_utf8, true)
#define STR_SET(v) fz_vocab_str(in, (v), valid_utf8, false)

static void add_product(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_product_entry *p;
    fz_need(bw_snapshot_add_product(s, &p) == BW_OK ? p : NULL);
    p->key_name = STR_SET(FZ_V_KEY);
    p->display_name = STR(FZ_V_NAME);
    p->publisher = STR(FZ_V_PUBLISHER);
    p->display_version = STR(FZ_V_VERSION);
    p->product_version = STR(FZ_V_VERSION);
    p->install_location = STR(FZ_V_PATH);
    p->uninstall_string = STR(FZ_V_PATH);
    p->display_icon = STR(FZ_V_PATH);
    p->install_date = STR(FZ_V_DATE);
    p->source = STR_SET(FZ_V_SOURCE);
    p->view = (bw_view)(fz_u8(in) % 4);
    p->user_sid = p->view == BW_VIEW_USER ? STR(FZ_V_MISC) : NULL;
    p->system_component = fz_bool(in);
}

static void add_service(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_service_entry *v;
    fz_need(bw_snapshot_add_service(s, &v) == BW_OK ? v : NULL);
    v->name = STR_SET(FZ_V_KEY);
    v->display_name = STR(FZ_V_NAME);
    v->description = STR(FZ_V_NAME);
    v->image_path = STR(FZ_V_PATH);
    v->group = STR(FZ_V_MISC);
    v->source = STR_SET(FZ_V_SOURCE);
    size_t n_alt = fz_u8(in) % 3;
    for (size_t i = 0; i < n_alt; i++)
        fz_need(bw_strlist_add_owned(&v->altitudes, STR_SET(FZ_V_MISC)) == BW_OK ? v : NULL);
    uint8_t flags = fz_u8(in);
    /* Type and Start are registry DWORDs: any value */
    v->type = flags & 0x10 ? fz_u32(in) : (uint32_t[]){1, 2, 0x10, 0x20, 0x110}[fz_u8(in) % 5];
    v->start = flags & 0x20 ? fz_u32(in) : fz_u8(in) % 5;
    v->state = fz_u8(in) % 9;
    v->has_type = flags & 1;
    v->has_start = flags & 2;
    v->in_scm = flags & 4;
    v->in_registry = flags & 8;
}

static void add_filter(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_filter_entry *f;
    fz_need(bw_snapshot_add_filter(s, &f) == BW_OK ? f : NULL);
    f->class_guid = STR(FZ_V_MISC);
    f->class_name = STR(FZ_V_MISC);
    f->position = STR(FZ_V_MISC);
    f->filter = STR_SET(FZ_V_KEY);
    f->source = STR_SET(FZ_V_SOURCE);
}

static void add_vendor_key(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_vendor_key *k;
    fz_need(bw_snapshot_add_vendor_key(s, &k) == BW_OK ? k : NULL);
    k->root = STR_SET(FZ_V_SOURCE);
    k->key_name = STR(FZ_V_KEY);
    k->source = STR_SET(FZ_V_SOURCE);
    k->view = (bw_view)(fz_u8(in) % 4);
    size_t n_env = fz_u8(in) % 6;
    for (size_t i = 0; i < n_env; i++) {
        char *name = STR_SET(FZ_V_ENV);
        /* values: any kind of text, names and paths and versions */
        static const enum fz_vocab kinds[] = {FZ_V_NAME, FZ_V_VERSION, FZ_V_KEY, FZ_V_PATH,
                                              FZ_V_DATE};
        char *value = STR(kinds[fz_u8(in) % N(kinds)]);
        fz_need(bw_vendor_key_add_env(k, name, value) == BW_OK ? k : NULL);
        free(name);
        free(value);
    }
}

static void add_evidence(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_evidence_entry *e;
    fz_need(bw_snapshot_add_evidence(s, &e) == BW_OK ? e : NULL);
    e->kind = (bw_evidence_kind)(fz_u8(in) % 9);
    e->product = STR(FZ_V_KEY);
    e->source = STR(FZ_V_SOURCE);
    uint8_t how = fz_u8(in);
    if (how < 0x60) { /* a known date text, or the UTF-16 index (NULs inside) */
        size_t k = how % (N(v_date) + 1);
        const char *d = k < N(v_date) ? v_date[k] : utf16_index;
        size_t len = k < N(v_date) ? strlen(d) : sizeof utf16_index - 1;
        e->raw = fz_need(malloc(len + 1));
        memcpy(e->raw, d, len);
        e->raw[len] = '\0';
        e->raw_len = len;
    } else if (how < 0xF0) { /* file or value bytes, NULs included */
        size_t len = fz_range(in, 0, 512);
        if (len > in->n)
            len = in->n;
        e->raw = fz_need(malloc(len + 1));
        memcpy(e->raw, in->p, len);
        e->raw[len] = '\0';
        e->raw_len = len;
        in->p += len;
        in->n -= len;
    }
    static const uint32_t types[] = {
        0, BW_REG_SZ, BW_REG_EXPAND_SZ, BW_REG_BINARY, BW_REG_DWORD, BW_REG_QWORD, 7, 0xFFFFFFFF};
    e->reg_type = types[fz_u8(in) % N(types)];
    e->number = fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in);
    e->mtime = (int64_t)fz_u64(in);
}

static void add_connection(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_connection_entry *c;
    fz_need(bw_snapshot_add_connection(s, &c) == BW_OK ? c : NULL);
    c->pid = fz_u32(in);
    c->image = STR(FZ_V_PATH);
    c->image_note = c->image ? NULL : STR(FZ_V_MISC);
    c->local_addr = STR(FZ_V_MISC);
    c->remote_addr = STR(FZ_V_MISC);
    static const uint16_t ports[] = {13111, 15111, 17111, 443, 80, 1080, 0, 65535};
    c->local_port = fz_u8(in) & 1 ? fz_u16(in) : ports[fz_u8(in) % N(ports)];
    c->remote_port = fz_u8(in) & 1 ? fz_u16(in) : ports[fz_u8(in) % N(ports)];
    c->state = fz_u8(in) % 14;
    c->ipv6 = fz_bool(in);
}

static void add_av(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    bw_av_entry *a;
    fz_need(bw_snapshot_add_av(s, &a) == BW_OK ? a : NULL);
    a->name = STR(FZ_V_NAME);
    a->state = (bw_av_state)(fz_u8(in) % 5);
}

static void add_gap(fz_in *in, bw_snapshot *s, bool valid_utf8)
{
    char *where = STR(FZ_V_SOURCE);
    char *why = STR_SET(FZ_V_MISC);
    unsigned hides = fz_u8(in);
    s->gap_hides = hides & 0x80 ? 0 : hides & BW_HIDES_ALL;
    fz_need(bw_snapshot_add_gap(s, where, "%s", why) == BW_OK ? s : NULL);
    free(where);
    free(why);
}

bw_snapshot *fz_snapshot_from(fz_in *in, bool valid_utf8)
{
    bw_snapshot *s = fz_need(bw_snapshot_new());
    s->host = STR(FZ_V_MISC);
    s->taken_at = (int64_t)fz_u32(in) + 1600000000;
    s->defender_off = fz_bool(in);
    s->av_center = fz_bool(in);
    static void (*const adders[])(fz_in *, bw_snapshot *, bool) = {
        add_product,  add_service,    add_filter, add_vendor_key,
        add_evidence, add_connection, add_av,     add_gap,
    };
    /* one entry per step until the input ends; at most 64 */
    for (int i = 0; i < 64 && in->n; i++)
        adders[fz_u8(in) % N(adders)](in, s, valid_utf8);
    return s;
}

/* ---- the sample machine ------------------------------------------------------ */

static char *dup(const char *s)
{
    return s ? fz_need(strdup(s)) : NULL;
}

bw_snapshot *fz_snapshot_sample(void)
{
    bw_snapshot *s = fz_need(bw_snapshot_new());
    s->host = dup("WS-01");
    s->taken_at = 1727700000;
    s->av_center = true;

    bw_product_entry *p;
    fz_need(bw_snapshot_add_product(s, &p) == BW_OK ? p : NULL);
    p->key_name = dup("{9A017278-F7F4-4DF9-A482-0B9B7E7C7E1D}");
    p->display_name = dup("Kaspersky Endpoint Security for Windows");
    p->publisher = dup("AO Kaspersky Lab");
    p->display_version = dup("12.3.0.493");
    p->install_location = dup("C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\");
    p->install_date = dup("20241002");
    p->source = dup(v_source[0]);
    p->view = BW_VIEW_64;
    fz_need(bw_snapshot_add_product(s, &p) == BW_OK ? p : NULL);
    p->key_name = dup("{2924BEDA-E0D7-4DAF-A224-50D2E0B12F5B}");
    p->display_name = dup("Kaspersky Security Center Network Agent");
    p->publisher = dup("Kaspersky");
    p->display_version = dup("14.2.0.26967");
    p->source = dup(v_source[1]);
    p->view = BW_VIEW_32;

    static const struct {
        const char *name, *display, *image;
        uint32_t type, start, state;
    } svcs[] = {
        {"AVP.KES.12.3.0.493", "Kaspersky Endpoint Security Service",
         "\"C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\avp.exe\" -r", 0x10, 2, 4},
        {"klnagent", "Kaspersky Security Center Network Agent",
         "\"C:\\Program Files (x86)\\Kaspersky Lab\\NetworkAgent\\klnagent.exe\"", 0x10, 2, 4},
        {"klif", "Kaspersky Lab KLIF Driver", "system32\\DRIVERS\\klif.sys", 2, 0, 4},
        {"kneps", "Kaspersky Lab Network Filter Driver",
         "\\SystemRoot\\System32\\drivers\\kneps.sys", 1, 1, 4},
        {"KSNProxy", "Kaspersky Security Network Proxy", "C:\\Program Files\\KSN\\ksnproxy.exe",
         0x10, 3, 1},
        {"WinDefend", "Microsoft Defender Antivirus Service",
         "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\MsMpEng.exe\"", 0x10, 2, 4},
    };
    for (size_t i = 0; i < N(svcs); i++) {
        bw_service_entry *v;
        fz_need(bw_snapshot_add_service(s, &v) == BW_OK ? v : NULL);
        v->name = dup(svcs[i].name);
        v->display_name = dup(svcs[i].display);
        v->image_path = dup(svcs[i].image);
        v->source =
            fz_need(bw_strfmt("HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", svcs[i].name));
        v->type = svcs[i].type;
        v->start = svcs[i].start;
        v->state = svcs[i].state;
        v->has_type = v->has_start = v->in_scm = v->in_registry = true;
        if (!strcmp(svcs[i].name, "klif"))
            fz_need(bw_strlist_add(&v->altitudes, "320400") == BW_OK ? v : NULL);
    }

    bw_filter_entry *f;
    fz_need(bw_snapshot_add_filter(s, &f) == BW_OK ? f : NULL);
    f->class_guid = dup("{4D36E96B-E325-11CE-BFC1-08002BE10318}");
    f->class_name = dup("Keyboard");
    f->position = dup("UpperFilters");
    f->filter = dup("klkbdflt");
    f->source = dup(v_source[6]);

    bw_vendor_key *k;
    fz_need(bw_snapshot_add_vendor_key(s, &k) == BW_OK ? k : NULL);
    k->root = dup("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab");
    k->key_name = dup("protected\\KES.12.3.0");
    k->source = dup("HKLM\\SOFTWARE\\WOW6432Node\\KasperskyLab\\protected\\KES.12.3.0");
    k->view = BW_VIEW_32;
    fz_need(bw_vendor_key_add_env(k, "ProductName", "Kaspersky Endpoint Security for Windows") ==
                    BW_OK
                ? k
                : NULL);
    fz_need(bw_vendor_key_add_env(k, "ProductVersion", "12.3.0.493") == BW_OK ? k : NULL);
    fz_need(bw_vendor_key_add_env(k, "ProductCode", "{9A017278-F7F4-4DF9-A482-0B9B7E7C7E1D}") ==
                    BW_OK
                ? k
                : NULL);

    static const char index_xml[] = "<UpdateFiles UpdateDate=\"30092024 1215\"/>";
    static const struct {
        bw_evidence_kind kind;
        const char *raw;
        uint32_t reg_type;
        uint64_t number;
    } ev[] = {
        {BW_EVIDENCE_BASES_INDEX, index_xml, 0, 0},
        {BW_EVIDENCE_KDB_STT, "1;202409281200\n", 0, 0},
        {BW_EVIDENCE_LAST_UPDATE, NULL, BW_REG_DWORD, 1727600000},
        {BW_EVIDENCE_BASES_DATE, "01-10-2024 10-00-00", BW_REG_SZ, 0},
        {BW_EVIDENCE_INSTALLED_UPDATE, "30092024 1215", BW_REG_SZ, 0},
    };
    for (size_t i = 0; i < N(ev); i++) {
        bw_evidence_entry *e;
        fz_need(bw_snapshot_add_evidence(s, &e) == BW_OK ? e : NULL);
        e->kind = ev[i].kind;
        e->product = dup("KES.12.3.0");
        e->source = dup("C:\\ProgramData\\Kaspersky Lab\\KES.12.3.0\\Bases");
        e->raw = dup(ev[i].raw);
        e->raw_len = ev[i].raw ? strlen(ev[i].raw) : 0;
        e->reg_type = ev[i].reg_type;
        e->number = ev[i].number;
    }

    bw_connection_entry *c;
    fz_need(bw_snapshot_add_connection(s, &c) == BW_OK ? c : NULL);
    c->pid = 4242;
    c->image = dup("C:\\Program Files (x86)\\Kaspersky Lab\\KES.12.3.0\\avp.exe");
    c->local_addr = dup("192.0.2.10");
    c->remote_addr = dup("10.0.0.1");
    c->local_port = 50000;
    c->remote_port = 13111;
    c->state = BW_TCP_ESTABLISHED;

    bw_av_entry *a;
    fz_need(bw_snapshot_add_av(s, &a) == BW_OK ? a : NULL);
    a->name = dup("Kaspersky Endpoint Security for Windows");
    a->state = BW_AV_ON;
    return s;
}
