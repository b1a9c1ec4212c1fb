/* bw_policyload.c - loading the policy (Win32 layer). */
#include "bw_policyload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_datadir.h"
#include "bw_gpread.h"
#include "bw_winerr.h"
#include "bw_winfile.h"
#include "bw_winsec.h"

bw_err bw_win_policy_load(const bw_api *api, const char *path, bw_policy **out, char *msg,
                          size_t msglen)
{
    *out = NULL;
    if (msglen)
        msg[0] = '\0';
    if (!path)
        return bw_policy_parse(bw_default_policy_text, bw_default_policy_len, "built-in", out,
                               msg, msglen);
    bw_win_file f;
    bw_err e = bw_win_file_read(api, path, BW_POLICY_MAX_BYTES, &f);
    if (e == BW_ENOTFOUND)
        return e;
    if (e) {
        char why[128];
        if (e == BW_ERANGE)
            snprintf(why, sizeof why, "larger than %u bytes", BW_POLICY_MAX_BYTES);
        else if (f.code)
            bw_win_error_text(f.code, why, sizeof why);
        else
            snprintf(why, sizeof why, "%s", bw_strerror(e));
        snprintf(msg, msglen, "cannot read %s: %s", path, why);
        return e;
    }
    e = bw_policy_parse(f.data, f.len, path, out, msg, msglen);
    free(f.data);
    return e;
}

/* The file to read: Group Policy's when valid, else the data folder's. */
static bw_err choose_file(const char *data_dir, const bw_gp_values *gp, bw_policy_source *out)
{
    char err[8];
    bw_err e = gp ? bw_gp_policy_file(gp, &out->path, err, sizeof err) : BW_ENOTFOUND;
    if (e == BW_ENOMEM)
        return e;
    /* an invalid value is reported by bw_gp_apply with the others */
    out->from_gp = e == BW_OK;
    if (!out->from_gp && data_dir) {
        out->path = bw_strfmt("%s\\policy.yaml", data_dir);
        if (!out->path)
            return BW_ENOMEM;
    }
    return BW_OK;
}

/* Whether the file at out->path and its folder can be trusted; when not,
 * out->refused names the one that cannot and out->why says why. */
static bw_err file_trusted(const bw_api *api, bw_policy_source *out, const char *self_sid)
{
    const char *slash = strrchr(out->path, '\\');
    char *folder = slash ? bw_strndup(out->path, (size_t)(slash - out->path)) : NULL;
    if (slash && !folder)
        return BW_ENOMEM;
    /* "C:" is the drive's root folder */
    if (folder && strlen(folder) == 2 && folder[1] == ':') {
        char *root = bw_strfmt("%s\\", folder);
        free(folder);
        folder = root;
        if (!folder)
            return BW_ENOMEM;
    }
    const char *paths[2] = {folder, out->path};
    bw_err e = BW_OK;
    for (size_t i = 0; i < 2 && e == BW_OK; i++) {
        if (!paths[i])
            continue;
        e = bw_win_path_trusted(api, paths[i], self_sid, out->why, sizeof out->why);
        if (e != BW_OK && e != BW_ENOTFOUND && e != BW_ENOMEM) {
            out->refused = bw_strdup(paths[i]);
            if (!out->refused)
                e = BW_ENOMEM;
        }
    }
    free(folder);
    return e;
}

bw_err bw_win_policy_source(const bw_api *api, const char *data_dir, const char *self_sid,
                            const bw_gp_values *gp, bw_policy_source *out)
{
    memset(out, 0, sizeof *out);
    out->file_err = BW_ENOTFOUND;
    bw_err e = choose_file(data_dir, gp, out);
    if (e != BW_OK)
        return e;
    if (out->path) {
        e = file_trusted(api, out, self_sid);
        if (e == BW_ENOMEM)
            return e;
        bool refused = e != BW_OK && e != BW_ENOTFOUND;
        if (e == BW_OK)
            e = bw_win_policy_load(api, out->path, &out->pol, out->why, sizeof out->why);
        if (e == BW_ENOMEM)
            return e;
        /* the file Group Policy names must be there */
        if (e == BW_ENOTFOUND && out->from_gp) {
            e = BW_EIO;
            snprintf(out->why, sizeof out->why,
                     "cannot read %s (named by Group Policy value %s\\%s): file not found",
                     out->path, BW_GP_KEY_NAME, bw_gp_settings[BW_GP_POLICY_FILE].value);
        }
        out->file_err = refused ? BW_EACCES : e;
    }
    if (out->pol) {
        out->from_file = true;
        out->origin = bw_strdup(out->path);
        return out->origin ? BW_OK : BW_ENOMEM;
    }
    char msg[1024];
    e = bw_win_policy_load(api, NULL, &out->pol, msg, sizeof msg);
    if (e != BW_OK)
        return e;
    out->origin = bw_strdup("built-in");
    return out->origin ? BW_OK : BW_ENOMEM;
}

void bw_policy_source_free(bw_policy_source *s)
{
    if (!s)
        return;
    bw_policy_free(s->pol);
    free(s->origin);
    free(s->path);
    free(s->refused);
    memset(s, 0, sizeof *s);
}

bw_err bw_win_policy_in_force(const bw_api *api, const char *path, bw_policy_in_force *out,
                              char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    if (msglen)
        msg[0] = '\0';
    bw_err e = bw_win_gp_read(api, &out->gp);
    if (e != BW_OK)
        return e;
    if (path) {
        /* the file given wins over the one Group Policy names */
        bw_gp_value *f = &out->gp.v[BW_GP_POLICY_FILE];
        free(f->text);
        free(f->why);
        memset(f, 0, sizeof *f);
        e = bw_win_policy_load(api, path, &out->src.pol, msg, msglen);
        if (e != BW_OK)
            return e;
        out->src.from_file = true;
        out->src.origin = bw_strdup(path);
        if (!out->src.origin)
            return BW_ENOMEM;
    } else {
        bw_datadir dd;
        e = bw_win_data_dir_find(api, &dd);
        if (e == BW_OK || e == BW_ENOTFOUND)
            e = bw_win_policy_source(api, dd.path, dd.self_sid, &out->gp, &out->src);
        bw_datadir_free(&dd);
        if (e != BW_OK)
            return e;
    }
    e = bw_gp_apply(&out->gp, out->src.pol, out->src.from_file, &out->applied);
    if (e == BW_OK) {
        out->from_gp = bw_gp_from_list(&out->applied);
        e = out->from_gp ? BW_OK : BW_ENOMEM;
    }
    return e;
}

void bw_policy_in_force_free(bw_policy_in_force *p)
{
    if (!p)
        return;
    bw_policy_source_free(&p->src);
    bw_gp_values_free(&p->gp);
    bw_gp_applied_free(&p->applied);
    free(p->from_gp);
    memset(p, 0, sizeof *p);
}
