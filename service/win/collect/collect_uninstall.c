/*
 * collect_uninstall.c - the Uninstall keys collector (Win32 layer).
 *
 * Reads every subkey of ...\CurrentVersion\Uninstall in HKLM (64-bit and
 * 32-bit views) and in each user hive loaded under HKU, into product
 * entries. Every subkey is kept; a value that cannot be read leaves its
 * field NULL and becomes a gap, an absent value is simply NULL. A key
 * whose subkeys change while they are listed is listed again (a deletion
 * can make the listing skip an entry); one that keeps changing is a gap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_collect.h"
#include "../bw_winreg.h"

#define UNINSTALL_HKLM "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define UNINSTALL_USER "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"

static const struct {
    const char *value;
    size_t offset;
} string_fields[] = {
    {"DisplayName", offsetof(bw_product_entry, display_name)},
    {"Publisher", offsetof(bw_product_entry, publisher)},
    {"DisplayVersion", offsetof(bw_product_entry, display_version)},
    {"ProductDisplayVersion", offsetof(bw_product_entry, product_version)},
    {"InstallLocation", offsetof(bw_product_entry, install_location)},
    {"UninstallString", offsetof(bw_product_entry, uninstall_string)},
    {"DisplayIcon", offsetof(bw_product_entry, display_icon)},
    {"InstallDate", offsetof(bw_product_entry, install_date)},
};

/* Where one Uninstall key is read from. */
typedef struct scan {
    HKEY root;        /* HKEY_LOCAL_MACHINE or HKEY_USERS */
    const char *path; /* the Uninstall key under root */
    REGSAM sam_view;  /* KEY_WOW64_64KEY / KEY_WOW64_32KEY */
    bw_view view;
    const char *sid;    /* user hive, or NULL */
    bw_win_regbuf *buf; /* every value is read through it: one call each */
} scan;

static bw_err read_entry(const bw_api *api, bw_snapshot *snap, const scan *sc, HKEY parent,
                         const char *name, const char *base)
{
    bw_win_status st;
    HKEY key = NULL;
    bw_err err = bw_win_reg_open_name(api, parent, name, sc->sam_view, &key, &st);
    if (err == BW_ENOTFOUND) /* deleted since the enumeration */
        return BW_OK;
    if (err == BW_ENOMEM)
        return err;

    bw_product_entry *e;
    char *source = bw_strfmt("%s\\%s", base, name);
    if (!source) {
        err = BW_ENOMEM;
        goto out;
    }
    bw_err aerr = bw_snapshot_add_product(snap, &e);
    if (aerr != BW_OK) {
        free(source);
        err = aerr;
        goto out;
    }
    e->source = source;
    e->view = sc->view;
    e->key_name = bw_strdup(name);
    e->name_escaped = strchr(name, '\\') != NULL; /* not valid UTF-16 */
    e->user_sid = sc->sid ? bw_strdup(sc->sid) : NULL;
    if (!e->key_name || (sc->sid && !e->user_sid)) {
        err = BW_ENOMEM;
        goto out;
    }
    if (err != BW_OK) { /* kept, with what we know, and a gap */
        err = bw_win_gap(snap, e->source, &st);
        goto out;
    }
    for (size_t i = 0; i < sizeof string_fields / sizeof string_fields[0]; i++) {
        char **field = (char **)((char *)e + string_fields[i].offset);
        err = bw_win_reg_string_field_in(api, key, e->source, string_fields[i].value, sc->buf,
                                         field, snap);
        if (err != BW_OK)
            goto out;
    }
    /* Programs and Features hides an entry whose SystemComponent is non-zero. */
    uint32_t sc_value = 0;
    err = bw_win_reg_dword_field(api, key, e->source, "SystemComponent", &sc_value, NULL, snap);
    e->system_component = sc_value != 0;
out:
    bw_win_reg_close(api, key);
    return err;
}

/* What changes when a subkey is added or deleted: the count and the key's
 * last write time. */
typedef struct key_stamp {
    DWORD subkeys;
    FILETIME written;
} key_stamp;

static bool stamp(const bw_api *api, HKEY key, key_stamp *out)
{
    memset(out, 0, sizeof *out);
    return api->RegQueryInfoKeyW(key, NULL, NULL, NULL, &out->subkeys, NULL, NULL, NULL, NULL,
                                 NULL, NULL, &out->written) == ERROR_SUCCESS;
}

#define LIST_TRIES 4

/* Lists key's subkeys (escaped names too: a product hidden that way is
 * still seen). Subkeys are listed by index, so a subkey another program
 * deletes meanwhile (an uninstaller at work) slides the next one to an
 * index already read: it would be missed, and a product still installed
 * resolved. When the key changed during the listing it is listed again,
 * up to LIST_TRIES times; still changing, *stable is false. */
static bw_err list_subkeys(const bw_api *api, HKEY key, bw_strlist *names, bw_win_status *st,
                           bool *stable)
{
    bw_err err = BW_OK;
    *stable = false;
    for (int i = 0; i < LIST_TRIES && !*stable; i++) {
        key_stamp before, after;
        bool known = stamp(api, key, &before);
        bw_strlist_free(names);
        err = bw_win_reg_subkeys_escaped(api, key, names, st);
        if (err != BW_OK)
            return err;
        /* without the stamps there is no telling: taken as it is */
        *stable = !known || !stamp(api, key, &after) ||
                  (before.subkeys == after.subkeys &&
                   before.written.dwLowDateTime == after.written.dwLowDateTime &&
                   before.written.dwHighDateTime == after.written.dwHighDateTime);
    }
    return err;
}

/* Reads every subkey of one Uninstall key. An absent key is not a gap. */
static bw_err scan_key(const bw_api *api, bw_snapshot *snap, const scan *sc)
{
    bw_strlist names = {0};
    HKEY key = NULL;
    char *base = bw_win_reg_path(sc->root, sc->sam_view, sc->path);
    if (!base)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open_field(api, sc->root, sc->path, sc->sam_view, &key, base, snap);
    if (err != BW_OK || !key)
        goto out;
    bw_win_status st = {0};
    bool stable = true;
    err = list_subkeys(api, key, &names, &st, &stable);
    if (err == BW_ENOMEM)
        goto out;
    if (err != BW_OK) {
        err = bw_win_gap(snap, base, &st);
        if (err != BW_OK)
            goto out;
    } else if (!stable) {
        /* an entry may be missing: nothing under this key resolves */
        st.code = 0;
        snprintf(st.reason, sizeof st.reason, "its subkeys kept changing while they were read");
        err = bw_win_gap(snap, base, &st);
        if (err != BW_OK)
            goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        err = read_entry(api, snap, sc, key, names.items[i], base);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_win_reg_close(api, key);
    bw_strlist_free(&names);
    free(base);
    return err;
}

bw_err bw_win_collect_uninstall(const bw_api *api, bw_snapshot *snap)
{
    bw_win_regbuf buf = {0};
    bw_strlist sids = {0};
    scan sc = {HKEY_LOCAL_MACHINE, UNINSTALL_HKLM, KEY_WOW64_64KEY, BW_VIEW_64, NULL, &buf};
    bw_err err = scan_key(api, snap, &sc);
    if (err != BW_OK)
        goto out;
    /* Without WOW64 redirection the 32-bit view is the same key again. */
    if (bw_win_reg_has_wow64(api)) {
        sc.sam_view = KEY_WOW64_32KEY;
        sc.view = BW_VIEW_32;
        err = scan_key(api, snap, &sc);
        if (err != BW_OK)
            goto out;
    }

    /* User hives: enumerate HKU itself (a predefined key, never closed). */
    err = bw_win_reg_subkeys_field(api, HKEY_USERS, "HKU", &sids, snap);
    if (err != BW_OK)
        goto out;
    for (size_t i = 0; i < sids.n; i++) {
        if (bw_win_reg_classes_hive(sids.items[i]))
            continue;
        char *path = bw_strfmt("%s\\" UNINSTALL_USER, sids.items[i]);
        if (!path) {
            err = BW_ENOMEM;
            goto out;
        }
        scan u = {HKEY_USERS, path, KEY_WOW64_64KEY, BW_VIEW_USER, sids.items[i], &buf};
        err = scan_key(api, snap, &u);
        free(path);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_strlist_free(&sids);
    bw_win_regbuf_free(&buf);
    return err;
}
