/*
 * collect_filters.c - the device class filters collector (Win32 layer).
 *
 * For each key under HKLM\SYSTEM\CurrentControlSet\Control\Class, one
 * filter entry per driver name listed in its UpperFilters and LowerFilters
 * (REG_MULTI_SZ; a REG_SZ holding one name is accepted too).
 */
#include <stdlib.h>

#include "bw_collect.h"
#include "../bw_winreg.h"

#define CLASS_PATH "SYSTEM\\CurrentControlSet\\Control\\Class"

static bw_err add_filters(const bw_api *api, bw_snapshot *snap, HKEY key, const char *guid,
                          const char *class_name, const char *source, const char *position)
{
    bw_win_status st;
    bw_strlist names = {0};
    bw_err err = bw_win_reg_multi_sz(api, key, position, true, &names, &st);
    if (err == BW_ENOTFOUND)
        return BW_OK;
    if (err != BW_OK) {
        if (err == BW_ENOMEM)
            return err;
        char *where = bw_strfmt("%s\\%s", source, position);
        if (!where)
            return BW_ENOMEM;
        err = bw_win_gap(snap, where, &st);
        free(where);
        return err;
    }
    for (size_t i = 0; i < names.n; i++) {
        bw_filter_entry *f;
        err = bw_snapshot_add_filter(snap, &f);
        if (err != BW_OK)
            break;
        f->class_guid = bw_strdup(guid);
        f->class_name = class_name ? bw_strdup(class_name) : NULL;
        f->position = bw_strdup(position);
        f->filter = names.items[i];
        names.items[i] = NULL;
        f->source = bw_strdup(source);
        if (!f->class_guid || (class_name && !f->class_name) || !f->position || !f->source) {
            err = BW_ENOMEM;
            break;
        }
    }
    bw_strlist_free(&names);
    return err;
}

static bw_err read_class(const bw_api *api, bw_snapshot *snap, HKEY classes, const char *guid)
{
    HKEY key = NULL;
    char *class_name = NULL;
    char *source = bw_strfmt("HKLM\\" CLASS_PATH "\\%s", guid);
    if (!source)
        return BW_ENOMEM;
    bw_err err = bw_win_reg_open_field(api, classes, guid, KEY_WOW64_64KEY, &key, source, snap);
    if (err != BW_OK || !key)
        goto out;
    err = bw_win_reg_string_field(api, key, source, "Class", &class_name, snap);
    if (err != BW_OK)
        goto out;
    err = add_filters(api, snap, key, guid, class_name, source, "UpperFilters");
    if (err != BW_OK)
        goto out;
    err = add_filters(api, snap, key, guid, class_name, source, "LowerFilters");
out:
    bw_win_reg_close(api, key);
    free(class_name);
    free(source);
    return err;
}

bw_err bw_win_collect_class_filters(const bw_api *api, bw_snapshot *snap)
{
    HKEY classes = NULL;
    bw_strlist guids = {0};
    const char *where = "HKLM\\" CLASS_PATH;
    bw_err err = bw_win_reg_open_field(api, HKEY_LOCAL_MACHINE, CLASS_PATH, KEY_WOW64_64KEY,
                                       &classes, where, snap);
    if (err != BW_OK || !classes)
        goto out;
    err = bw_win_reg_subkeys_field(api, classes, where, &guids, snap);
    if (err != BW_OK)
        goto out;
    for (size_t i = 0; i < guids.n; i++) {
        err = read_class(api, snap, classes, guids.items[i]);
        if (err != BW_OK)
            goto out;
    }
out:
    bw_strlist_free(&guids);
    bw_win_reg_close(api, classes);
    return err;
}
