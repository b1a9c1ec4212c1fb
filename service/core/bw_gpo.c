/*
 * bw_gpo.c - Group Policy settings: checked and applied on top of a loaded
 * policy (portable core). See bw_gpo.h; the settings are documented in
 * docs/policy.md ("Group Policy") and policies/banwatch.admx.
 */
#include "bw_gpo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_tier.h"
#include "bw_time.h"

/* The values the service reads: one row per setting, in bw_gp_id order.
 * tests/gp/check-admx.py reads this table (between the markers) and holds
 * policies/banwatch.admx to it: keep one row per line. */
/* gp-settings-begin */
const bw_gp_setting bw_gp_settings[BW_GP_COUNT] = {
    {"ContainmentMode", BW_GP_REG_SZ, "mode", true},
    {"ScanInterval", BW_GP_REG_DWORD, "service.scan_interval", true},
    {"HeartbeatInterval", BW_GP_REG_DWORD, "service.heartbeat_interval", true},
    {"Cutoff", BW_GP_REG_SZ, "cutoff", true},
    {"StaleAfterDays", BW_GP_REG_DWORD, "updates.stale_after_days", true},
    {"CountTiers", BW_GP_REG_SZ, "detection.count_tiers", true},
    {"PolicyFile", BW_GP_REG_SZ, "policy_file", false},
    {"JsonLines", BW_GP_REG_DWORD, "events_jsonl", false},
    {"JsonLinesPath", BW_GP_REG_SZ, "events_jsonl_path", false},
};
/* gp-settings-end */

void bw_gp_values_free(bw_gp_values *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < BW_GP_COUNT; i++) {
        free(v->v[i].text);
        free(v->v[i].why);
    }
    free(v->key_problem);
    memset(v, 0, sizeof *v);
}

char *bw_gp_values_digest(const bw_gp_values *v)
{
    bw_buf b = {0};
    bw_buf_printf(&b, "key:%s\n", v->key_problem ? v->key_problem : "");
    for (size_t i = 0; i < BW_GP_COUNT; i++) {
        const bw_gp_value *x = &v->v[i];
        bw_buf_printf(&b, "%s:%d:%lu:%zu:", bw_gp_settings[i].value, (int)x->kind,
                      (unsigned long)x->number, x->text ? strlen(x->text) : 0);
        bw_buf_puts(&b, x->text ? x->text : "");
        bw_buf_putc(&b, ':');
        bw_buf_puts(&b, x->why ? x->why : "");
        bw_buf_putc(&b, '\n');
    }
    return bw_buf_take(&b);
}

const char *bw_origin_name(bw_origin o)
{
    switch (o) {
    case BW_ORIGIN_FILE: return "policy-file";
    case BW_ORIGIN_GP: return "group-policy";
    case BW_ORIGIN_DEFAULT: break;
    }
    return "built-in";
}

void bw_gp_applied_free(bw_gp_applied *a)
{
    if (!a)
        return;
    free(a->jsonl_path);
    free(a->policy_file);
    bw_strlist_free(&a->errors);
    memset(a, 0, sizeof *a);
}

/* ---- checks ------------------------------------------------------------------ */

static const char *type_name(bw_gp_regtype t)
{
    return t == BW_GP_REG_DWORD ? "REG_DWORD" : "REG_SZ";
}

/* Why value i cannot be taken as what its row says, into why; false when it
 * can. Absent values are not asked about. */
static bool kind_problem(const bw_gp_values *v, bw_gp_id i, char *why, size_t n)
{
    const bw_gp_value *x = &v->v[i];
    bw_gp_regtype want = bw_gp_settings[i].type;
    switch (x->kind) {
    case BW_GP_ABSENT: break;
    case BW_GP_DWORD:
        if (want == BW_GP_REG_DWORD)
            return false;
        snprintf(why, n, "expected a REG_SZ value, got REG_DWORD %lu", (unsigned long)x->number);
        return true;
    case BW_GP_SZ:
        if (want == BW_GP_REG_DWORD) {
            snprintf(why, n, "expected a REG_DWORD value, got REG_SZ");
            return true;
        }
        if (strlen(x->text) > BW_GP_MAX_TEXT) {
            snprintf(why, n, "longer than %u bytes (%zu)", BW_GP_MAX_TEXT, strlen(x->text));
            return true;
        }
        return false;
    case BW_GP_OTHER_TYPE:
        snprintf(why, n, "expected a %s value, got %s", type_name(want),
                 x->why ? x->why : "another type");
        return true;
    case BW_GP_UNREADABLE:
        snprintf(why, n, "cannot be read: %s", x->why ? x->why : "unknown error");
        return true;
    }
    return false;
}

static bw_err add_error(bw_gp_applied *a, bw_gp_id i, const char *why)
{
    char *s = bw_strfmt("%s\\%s: %s", BW_GP_KEY_NAME, bw_gp_settings[i].value, why);
    return s ? bw_strlist_add_owned(&a->errors, s) : BW_ENOMEM;
}

const char *bw_local_path_problem(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return "empty path";
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            return "a control character in the path";
    if (strchr(s, '%'))
        return "environment variables (%...%) are not expanded: give the full path";
    if (strchr(s, '/'))
        return "use backslashes (\\), not /";
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) || s[1] != ':' ||
        s[2] != '\\')
        return "expected an absolute local path (e.g. C:\\...), not a relative, network or "
               "device path";
    if (n < 4 || s[n - 1] == '\\')
        return "expected the path of a file, not a folder";
    if (strpbrk(s + 2, "*?\"<>|:"))
        return "wildcards and the characters \" < > | : are not allowed after the drive";
    for (const char *part = s + 3; part;) {
        const char *end = strchr(part, '\\');
        size_t k = end ? (size_t)(end - part) : strlen(part);
        if (k == 0)
            return "an empty folder name (\\\\)";
        if ((k == 1 && part[0] == '.') || (k == 2 && part[0] == '.' && part[1] == '.'))
            return "\".\" and \"..\" are not allowed";
        if (part[k - 1] == ' ' || part[k - 1] == '.')
            return "a name ending in a space or a dot";
        part = end ? end + 1 : NULL;
    }
    return NULL;
}

bw_err bw_gp_policy_file(const bw_gp_values *v, char **path, char *err, size_t errlen)
{
    char why[512];
    *path = NULL;
    if (errlen)
        err[0] = '\0';
    const bw_gp_value *x = &v->v[BW_GP_POLICY_FILE];
    if (x->kind == BW_GP_ABSENT)
        return BW_ENOTFOUND;
    const char *bad = NULL;
    if (kind_problem(v, BW_GP_POLICY_FILE, why, sizeof why))
        bad = why;
    else
        bad = bw_local_path_problem(x->text);
    if (bad) {
        snprintf(err, errlen, "%s\\%s: %s", BW_GP_KEY_NAME,
                 bw_gp_settings[BW_GP_POLICY_FILE].value, bad);
        return BW_EPARSE;
    }
    *path = bw_strdup(x->text);
    return *path ? BW_OK : BW_ENOMEM;
}

/* ---- applying ---------------------------------------------------------------- */

/* The text of a ContainmentMode value as the loader takes it: any case, as
 * Group Policy has always allowed. */
static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Splits "confirmed, likely" into at most BW_POLICY_SET_MAX_ITEMS items (in
 * buf, items point into it). Returns why it cannot, or NULL. */
static const char *split_tiers(const char *text, char *buf, size_t n, const char **items,
                               size_t *n_items)
{
    snprintf(buf, n, "%s", text);
    *n_items = 0;
    for (char *p = buf;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        size_t k = strlen(p);
        while (k && p[k - 1] == ' ')
            p[--k] = '\0';
        if (!k)
            return "expected tiers separated by commas (e.g. \"confirmed,likely\"), got an "
                   "empty item";
        if (*n_items == BW_POLICY_SET_MAX_ITEMS)
            return "too many tiers";
        items[(*n_items)++] = p;
        if (!comma)
            return NULL;
        p = comma + 1;
    }
}

/* A plain date YYYY-MM-DD stands for 00:00:00 UTC that day. */
static bool is_date(const char *s)
{
    static const char form[] = "dddd-dd-dd";
    if (strlen(s) != sizeof form - 1)
        return false;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != form[i])
            return false;
    return true;
}

/* Applies value i, a key of the policy; false with why when it is invalid. */
static bool apply_key(const bw_gp_value *x, bw_gp_id i, bw_policy *p, char *why, size_t n)
{
    const char *key = bw_gp_settings[i].setting;
    char origin[96], text[BW_GP_MAX_TEXT + 16];
    const char *items[BW_POLICY_SET_MAX_ITEMS];
    bw_policy_value pv = {.kind = BW_PV_TEXT, .text = text};
    snprintf(origin, sizeof origin, "%s\\%s", BW_GP_KEY_NAME, bw_gp_settings[i].value);
    if (x->kind == BW_GP_DWORD) {
        pv = (bw_policy_value){.kind = BW_PV_NUMBER, .number = x->number};
    } else if (i == BW_GP_CUTOFF && is_date(x->text)) {
        snprintf(text, sizeof text, "%sT00:00:00Z", x->text);
    } else if (i == BW_GP_COUNT_TIERS) {
        const char *bad = split_tiers(x->text, text, sizeof text, items, &pv.n_items);
        if (bad) {
            snprintf(why, n, "%s: %s: %s", origin, key, bad);
            return false;
        }
        pv.kind = BW_PV_LIST;
        pv.items = items;
    } else {
        snprintf(text, sizeof text, "%s", x->text);
        if (i == BW_GP_CONTAINMENT_MODE)
            lower(text);
    }
    bw_err e = bw_policy_set(p, key, &pv, origin, why, n);
    if (e == BW_EINVAL)
        snprintf(why, n, "%s: %s: cannot be set", origin, key);
    return e == BW_OK;
}

/* The mode when Group Policy's value or key is broken: audit, said so. */
static void mode_broken(bw_policy *p, bw_gp_applied *a, const char *why)
{
    if (p)
        p->mode = BW_MODE_AUDIT;
    a->origin[BW_GP_CONTAINMENT_MODE] = BW_ORIGIN_GP;
    snprintf(a->mode_source, sizeof a->mode_source,
             "Group Policy value %s\\%s is invalid or cannot be read (%s): audit, nothing is "
             "changed",
             BW_GP_KEY_NAME, bw_gp_settings[BW_GP_CONTAINMENT_MODE].value, why);
}

/* The settings that are keys of the policy. */
static bw_err apply_policy_keys(const bw_gp_values *v, bw_policy *p, bool from_file,
                                bw_gp_applied *a)
{
    char why[BW_GP_MAX_TEXT + 256];
    snprintf(a->mode_source, sizeof a->mode_source, "policy (mode: %s)",
             p->mode == BW_MODE_ENFORCE ? "enforce" : "audit");
    for (size_t k = 0; k < BW_GP_COUNT; k++) {
        bw_gp_id i = (bw_gp_id)k;
        const bw_gp_value *x = &v->v[i];
        if (!bw_gp_settings[i].policy_key)
            continue;
        if (from_file && bw_policy_key_given(p, bw_gp_settings[i].setting))
            a->origin[i] = BW_ORIGIN_FILE;
        if (x->kind == BW_GP_ABSENT)
            continue;
        bool ok = false;
        if (kind_problem(v, i, why, sizeof why)) {
            if (add_error(a, i, why) != BW_OK)
                return BW_ENOMEM;
        } else {
            ok = apply_key(x, i, p, why, sizeof why);
            if (!ok && bw_strlist_add(&a->errors, why) != BW_OK)
                return BW_ENOMEM;
        }
        if (ok)
            a->origin[i] = BW_ORIGIN_GP;
        if (i != BW_GP_CONTAINMENT_MODE)
            continue;
        if (ok) {
            snprintf(a->mode_source, sizeof a->mode_source, "Group Policy value %s\\%s",
                     BW_GP_KEY_NAME, bw_gp_settings[i].value);
        } else if (x->kind == BW_GP_SZ) {
            /* name the value given, shortened, so an administrator finds it */
            char given[96];
            snprintf(given, sizeof given, "\"%.40s\", expected \"audit\" or \"enforce\"",
                     x->text);
            mode_broken(p, a, given);
        } else {
            mode_broken(p, a, why);
        }
    }
    return BW_OK;
}

/* The settings that are no keys of the policy. */
static bw_err apply_outputs(const bw_gp_values *v, bw_gp_applied *a)
{
    char why[BW_GP_MAX_TEXT + 256];
    bw_err e = bw_gp_policy_file(v, &a->policy_file, why, sizeof why);
    if (e == BW_OK)
        a->origin[BW_GP_POLICY_FILE] = BW_ORIGIN_GP;
    else if (e == BW_EPARSE && bw_strlist_add(&a->errors, why) != BW_OK)
        return BW_ENOMEM;
    else if (e == BW_ENOMEM)
        return e;

    const bw_gp_value *x = &v->v[BW_GP_JSONL];
    if (kind_problem(v, BW_GP_JSONL, why, sizeof why)) {
        if (add_error(a, BW_GP_JSONL, why) != BW_OK)
            return BW_ENOMEM;
    } else if (x->kind == BW_GP_DWORD && x->number > 1) {
        snprintf(why, sizeof why, "expected 0 (off) or 1 (on), got %lu",
                 (unsigned long)x->number);
        if (add_error(a, BW_GP_JSONL, why) != BW_OK)
            return BW_ENOMEM;
    } else if (x->kind == BW_GP_DWORD) {
        a->jsonl = x->number == 1;
        a->origin[BW_GP_JSONL] = BW_ORIGIN_GP;
    }

    x = &v->v[BW_GP_JSONL_PATH];
    const char *bad = NULL;
    /* an empty box in the Group Policy editor: the data folder's file */
    if (x->kind == BW_GP_ABSENT || (x->kind == BW_GP_SZ && !x->text[0]))
        return BW_OK;
    if (kind_problem(v, BW_GP_JSONL_PATH, why, sizeof why))
        bad = why;
    else
        bad = bw_local_path_problem(x->text);
    if (bad)
        return add_error(a, BW_GP_JSONL_PATH, bad);
    a->jsonl_path = bw_strdup(x->text);
    if (!a->jsonl_path)
        return BW_ENOMEM;
    a->origin[BW_GP_JSONL_PATH] = BW_ORIGIN_GP;
    return BW_OK;
}

bw_err bw_gp_apply(const bw_gp_values *v, bw_policy *p, bool from_file, bw_gp_applied *out)
{
    memset(out, 0, sizeof *out);
    out->jsonl = true;
    bw_err e = BW_OK;
    if (v->key_problem) {
        /* nothing of the key can be read: the policy's values stay, but
         * never enforcement on a key that may say audit */
        char *s = bw_strfmt("%s: cannot be read (%s): no Group Policy setting is applied; "
                            "containment mode audit",
                            BW_GP_KEY_NAME, v->key_problem);
        e = s ? bw_strlist_add_owned(&out->errors, s) : BW_ENOMEM;
        if (e == BW_OK)
            mode_broken(p, out, v->key_problem);
        if (p && e == BW_OK)
            for (size_t i = 0; i < BW_GP_COUNT; i++)
                if (bw_gp_settings[i].policy_key && i != BW_GP_CONTAINMENT_MODE && from_file &&
                    bw_policy_key_given(p, bw_gp_settings[i].setting))
                    out->origin[i] = BW_ORIGIN_FILE;
        return e;
    }
    if (p)
        e = apply_policy_keys(v, p, from_file, out);
    if (e == BW_OK)
        e = apply_outputs(v, out);
    return e;
}

char *bw_gp_from_list(const bw_gp_applied *a)
{
    bw_buf b = {0};
    for (size_t i = 0; i < BW_GP_COUNT; i++)
        if (a->origin[i] == BW_ORIGIN_GP)
            bw_buf_printf(&b, "%s%s", b.len ? "," : "", bw_gp_settings[i].setting);
    if (!b.len)
        bw_buf_puts(&b, "-");
    return bw_buf_take(&b);
}

static void tiers_text(unsigned set, bw_buf *out)
{
    bool first = true;
    for (int t = BW_TIER_CONFIRMED; t > BW_TIER_NONE; t--)
        if (set & BW_TIER_BIT(t)) {
            bw_buf_printf(out, "%s%s", first ? "" : ",", bw_tier_name((bw_tier)t));
            first = false;
        }
}

bw_err bw_gp_settings_text(const bw_policy *p, const bw_gp_applied *a, bw_buf *out)
{
    char when[21];
    for (size_t k = 0; k < BW_GP_COUNT; k++) {
        bw_gp_id i = (bw_gp_id)k;
        if (bw_gp_settings[i].policy_key && !p)
            continue;
        bw_buf_printf(out, "%s=", bw_gp_settings[i].setting);
        switch (i) {
        case BW_GP_CONTAINMENT_MODE:
            bw_buf_puts(out, p->mode == BW_MODE_ENFORCE ? "enforce" : "audit");
            break;
        case BW_GP_SCAN_INTERVAL:
            bw_buf_printf(out, "%lu", (unsigned long)p->scan_interval);
            break;
        case BW_GP_HEARTBEAT_INTERVAL:
            bw_buf_printf(out, "%lu", (unsigned long)p->heartbeat_interval);
            break;
        case BW_GP_CUTOFF:
            bw_format_utc(p->cutoff, when);
            bw_buf_puts(out, when);
            break;
        case BW_GP_STALE_AFTER_DAYS:
            bw_buf_printf(out, "%lu", (unsigned long)p->stale_after_days);
            break;
        case BW_GP_COUNT_TIERS: tiers_text(bw_tiers_counted(p->count_tiers), out); break;
        case BW_GP_POLICY_FILE: bw_buf_puts(out, a->policy_file ? a->policy_file : "-"); break;
        case BW_GP_JSONL: bw_buf_puts(out, a->jsonl ? "on" : "off"); break;
        case BW_GP_JSONL_PATH: bw_buf_puts(out, a->jsonl_path ? a->jsonl_path : "-"); break;
        case BW_GP_COUNT: break;
        }
        bw_buf_printf(out, " (%s)\n", bw_origin_name(a->origin[i]));
    }
    return out->failed ? BW_ENOMEM : BW_OK;
}
