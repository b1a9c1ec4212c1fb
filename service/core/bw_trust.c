/*
 * bw_trust.c - whether a file or folder banwatch uses as LocalSystem can be
 * trusted (portable core, pure). See bw_trust.h for the rules.
 */
#include "bw_trust.h"

#include <stdio.h>
#include <string.h>

#include "bw_str.h"

#define SID_SYSTEM            "S-1-5-18"
#define SID_ADMINISTRATORS    "S-1-5-32-544"
#define SID_TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define SID_CREATOR_OWNER     "S-1-3-0"
#define SID_OWNER_RIGHTS      "S-1-3-4"

static const struct {
    const char *sid;
    const char *name;
} well_known[] = {
    {SID_SYSTEM, "SYSTEM"},
    {SID_ADMINISTRATORS, "Administrators"},
    {SID_TRUSTED_INSTALLER, "TrustedInstaller"},
    {"S-1-5-32-545", "Users"},
    {"S-1-5-32-546", "Guests"},
    {"S-1-5-32-547", "Power Users"},
    {"S-1-5-11", "Authenticated Users"},
    {"S-1-5-4", "INTERACTIVE"},
    {"S-1-1-0", "Everyone"},
    {"S-1-5-7", "ANONYMOUS LOGON"},
    {"S-1-5-19", "LOCAL SERVICE"},
    {"S-1-5-20", "NETWORK SERVICE"},
    {SID_CREATOR_OWNER, "CREATOR OWNER"},
    {SID_OWNER_RIGHTS, "OWNER RIGHTS"},
};

const char *bw_sid_name(const char *sid)
{
    for (size_t i = 0; i < sizeof well_known / sizeof well_known[0]; i++)
        if (sid && bw_ieq(sid, well_known[i].sid))
            return well_known[i].name;
    return sid ? sid : "(unknown)";
}

bool bw_sid_trusted(const char *sid, const char *self_sid)
{
    if (!sid || !*sid)
        return false;
    if (bw_ieq(sid, SID_SYSTEM) || bw_ieq(sid, SID_ADMINISTRATORS) ||
        bw_ieq(sid, SID_TRUSTED_INSTALLER))
        return true;
    return self_sid && *self_sid && bw_ieq(sid, self_sid);
}

bool bw_owner_trusted(const bw_object_facts *o, const char *self_sid)
{
    return bw_sid_trusted(o->owner, self_sid);
}

/* "Users (S-1-5-32-545)" or the SID alone. */
static void who(const char *sid, char *buf, size_t len)
{
    const char *name = bw_sid_name(sid);
    if (name == sid || strcmp(name, "(unknown)") == 0)
        snprintf(buf, len, "%s", sid);
    else
        snprintf(buf, len, "%s (%s)", name, sid);
}

bool bw_object_trusted(const bw_object_facts *o, const char *self_sid, char *why, size_t whylen)
{
    char name[BW_SID_MAX + 40];
    if (whylen)
        why[0] = '\0';
    if (o->reparse) {
        snprintf(why, whylen, "it is a junction or symbolic link");
        return false;
    }
    if (!o->is_dir && o->links > 1) {
        snprintf(why, whylen, "it has %u names (hard links)", (unsigned)o->links);
        return false;
    }
    if (!bw_owner_trusted(o, self_sid)) {
        who(o->owner[0] ? o->owner : "(unknown)", name, sizeof name);
        snprintf(why, whylen, "it is owned by %s, not by SYSTEM or Administrators", name);
        return false;
    }
    if (!o->has_dacl) {
        snprintf(why, whylen, "it has no access control list: anyone may write it");
        return false;
    }
    if (o->aces_truncated) {
        snprintf(why, whylen, "its access control list has more than %d entries", BW_ACES_MAX);
        return false;
    }
    for (size_t i = 0; i < o->n_aces; i++) {
        const bw_ace *a = &o->aces[i];
        if (!a->allow || a->inherit_only || !(a->mask & BW_ACCESS_CHANGES))
            continue;
        if (bw_ieq(a->sid, SID_CREATOR_OWNER) || bw_ieq(a->sid, SID_OWNER_RIGHTS))
            continue; /* the owner, trusted above */
        if (bw_sid_trusted(a->sid, self_sid))
            continue;
        who(a->sid, name, sizeof name);
        snprintf(why, whylen, "%s may %s it", name,
                 o->is_dir && (a->mask & (BW_ACCESS_WRITE_DATA | BW_ACCESS_APPEND_DATA))
                     ? "add files to"
                     : "change");
        return false;
    }
    return true;
}
