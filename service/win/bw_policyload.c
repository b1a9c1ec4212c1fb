/* bw_policyload.c - loading the policy (Win32 layer). */
#include "bw_policyload.h"

#include <stdio.h>
#include <stdlib.h>

#include "bw_winerr.h"
#include "bw_winfile.h"

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
