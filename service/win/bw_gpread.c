/* bw_gpread.c - reading banwatch's Group Policy values (Win32 layer). */
#include "bw_gpread.h"

#include <stdlib.h>
#include <string.h>

#include "bw_winreg.h"

/* One value, whatever its type, into x. BW_OK or BW_ENOMEM. */
static bw_err read_value(const bw_api *api, HKEY key, const char *name, bw_gp_value *x)
{
    bw_win_status st = {0};
    bw_win_scalar s;
    bw_err e = bw_win_reg_scalar(api, key, name, &s, &st);
    if (e == BW_ENOTFOUND)
        return BW_OK;
    if (e == BW_ENOMEM)
        return e;
    const char *type = bw_win_reg_type_name(s.type);
    if (e == BW_OK && s.type == REG_DWORD) {
        x->kind = BW_GP_DWORD;
        x->number = (uint32_t)s.number;
        return BW_OK;
    }
    if (e == BW_OK && (s.type == REG_SZ || s.type == REG_EXPAND_SZ)) {
        x->kind = BW_GP_SZ;
        x->text = s.text;
        return BW_OK;
    }
    free(s.text);
    if ((e == BW_OK || (e == BW_EINVAL && st.code == 0 && strstr(st.reason, "type"))) && type) {
        /* REG_QWORD, REG_BINARY, REG_MULTI_SZ, ...: another type */
        x->kind = BW_GP_OTHER_TYPE;
        x->why = bw_strdup(type);
    } else {
        x->kind = BW_GP_UNREADABLE;
        x->why = bw_strdup(st.reason[0] ? st.reason : bw_strerror(e));
    }
    return x->why ? BW_OK : BW_ENOMEM;
}

bw_err bw_win_gp_read(const bw_api *api, bw_gp_values *out)
{
    memset(out, 0, sizeof *out);
    bw_win_status st = {0};
    HKEY key = NULL;
    bw_err e =
        bw_win_reg_open(api, HKEY_LOCAL_MACHINE, BW_GP_KEY_PATH, KEY_WOW64_64KEY, &key, &st);
    if (e == BW_ENOTFOUND)
        return BW_OK;
    if (e == BW_ENOMEM)
        return e;
    if (e != BW_OK) {
        out->key_problem = bw_strdup(st.reason[0] ? st.reason : bw_strerror(e));
        return out->key_problem ? BW_OK : BW_ENOMEM;
    }
    for (size_t i = 0; i < BW_GP_COUNT && e == BW_OK; i++)
        e = read_value(api, key, bw_gp_settings[i].value, &out->v[i]);
    bw_win_reg_close(api, key);
    if (e != BW_OK)
        bw_gp_values_free(out);
    return e;
}
