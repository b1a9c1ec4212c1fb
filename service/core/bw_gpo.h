/*
 * bw_gpo.h - Group Policy settings of banwatch (portable core, pure).
 *
 * An administrator sets banwatch centrally with the values under
 * HKLM\SOFTWARE\Policies\banwatch (policies/banwatch.admx). The Win32 layer
 * reads them as they are (bw_gpread.h) into a bw_gp_values; here they are
 * checked and applied on top of a loaded policy. Precedence: Group Policy
 * over the policy file over the built-in policy and the loader's defaults.
 *
 * Every value is checked as the policy loader checks the same key in a
 * file (bw_policy_set), so a value is valid in the registry exactly when
 * it would be valid in policy.yaml. An invalid value is not applied (the
 * file's or the built-in value stays) and gives an error naming
 * "HKLM\SOFTWARE\Policies\banwatch\<Value>" and the reason; the other values
 * still apply. One exception keeps a broken override from ever turning
 * enforcement on or leaving it on: a ContainmentMode that is invalid, or a
 * key that cannot be read, gives the mode audit.
 *
 * The table bw_gp_settings (bw_gpo.c) is the one list of the values the
 * service reads; tests/gp/check-admx.py holds the ADMX to it.
 */
#ifndef BW_GPO_H
#define BW_GPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_policy.h"
#include "bw_str.h"

/* The key, under HKLM, in the 64-bit view. */
#define BW_GP_KEY_PATH "SOFTWARE\\Policies\\banwatch"
#define BW_GP_KEY_NAME "HKLM\\" BW_GP_KEY_PATH

/* The registry type a setting is written as. */
typedef enum bw_gp_regtype { BW_GP_REG_DWORD, BW_GP_REG_SZ } bw_gp_regtype;

/* The settings, in the order of bw_gp_settings. */
typedef enum bw_gp_id {
    BW_GP_CONTAINMENT_MODE = 0,
    BW_GP_SCAN_INTERVAL,
    BW_GP_HEARTBEAT_INTERVAL,
    BW_GP_CUTOFF,
    BW_GP_STALE_AFTER_DAYS,
    BW_GP_COUNT_TIERS,
    BW_GP_POLICY_FILE,
    BW_GP_JSONL,
    BW_GP_JSONL_PATH,
    BW_GP_COUNT
} bw_gp_id;

typedef struct bw_gp_setting {
    const char *value;   /* the registry value's name ("ScanInterval") */
    bw_gp_regtype type;  /* what it must be written as */
    const char *setting; /* the setting it overrides: a policy key path
                            ("service.scan_interval"), or, for what is no
                            policy key, "policy_file", "events_jsonl",
                            "events_jsonl_path" */
    bool policy_key;     /* setting is a key of the policy file */
} bw_gp_setting;

extern const bw_gp_setting bw_gp_settings[BW_GP_COUNT];

/* Longest text value taken (a path, a timestamp, a list of tiers). */
#define BW_GP_MAX_TEXT 1024u

/* One value as read from the registry. */
typedef enum bw_gp_kind {
    BW_GP_ABSENT = 0, /* no such value: not set */
    BW_GP_DWORD,      /* REG_DWORD: number */
    BW_GP_SZ,         /* REG_SZ or REG_EXPAND_SZ (not expanded): text */
    BW_GP_OTHER_TYPE, /* another registry type: why names it ("REG_BINARY") */
    BW_GP_UNREADABLE  /* could not be read: why says why */
} bw_gp_kind;

typedef struct bw_gp_value {
    bw_gp_kind kind;
    uint32_t number;
    char *text; /* BW_GP_SZ: UTF-8, malloc'd */
    char *why;  /* BW_GP_OTHER_TYPE, BW_GP_UNREADABLE: malloc'd */
} bw_gp_value;

/* All values of the key, by bw_gp_id. */
typedef struct bw_gp_values {
    bw_gp_value v[BW_GP_COUNT];
    char *key_problem; /* the key exists but could not be opened: why
                          (malloc'd); NULL when it was read or is absent */
} bw_gp_values;

void bw_gp_values_free(bw_gp_values *v);

/* A text that changes whenever a value read changes (kinds, numbers and
 * texts), to tell whether Group Policy changed. malloc'd; NULL when out of
 * memory. */
char *bw_gp_values_digest(const bw_gp_values *v);

/* Where a setting in force comes from. */
typedef enum bw_origin {
    BW_ORIGIN_DEFAULT = 0, /* the built-in policy or the loader's default */
    BW_ORIGIN_FILE,        /* the administrator's policy file */
    BW_ORIGIN_GP           /* Group Policy */
} bw_origin;

/* "built-in", "policy-file", "group-policy". */
const char *bw_origin_name(bw_origin o);

/* What applying Group Policy gave. */
typedef struct bw_gp_applied {
    bw_origin origin[BW_GP_COUNT];
    bool jsonl;            /* events are written as JSON lines (default true) */
    char *jsonl_path;      /* their file from Group Policy; NULL: the data folder's */
    char *policy_file;     /* the policy file from Group Policy; NULL: none */
    char mode_source[320]; /* where the containment mode comes from, for
                              reports: "policy (mode: audit)", "Group Policy
                              value HKLM\...\ContainmentMode", or why a broken
                              value gives audit */
    bw_strlist errors;     /* one per value not applied:
                              "HKLM\SOFTWARE\Policies\banwatch\<Value>: <reason>" */
} bw_gp_applied;

void bw_gp_applied_free(bw_gp_applied *a);

/* Why s is no absolute local path banwatch may use ("C:\\...": a drive,
 * no relative, network or device path, no wildcards or %variables%, no
 * "." or ".." parts, not ending in "\\"), or NULL when it is one. */
const char *bw_local_path_problem(const char *s);

/* The policy file Group Policy names (PolicyFile), checked: an absolute
 * local path ("C:\..."), no wildcards, no "." or ".." parts, no
 * environment variables. BW_OK: *path is malloc'd. BW_ENOTFOUND: not set.
 * BW_EPARSE: invalid, err says "HKLM\...\PolicyFile: <reason>". */
bw_err bw_gp_policy_file(const bw_gp_values *v, char **path, char *err, size_t errlen);

/* Applies the values on top of p (which may be NULL: then only the
 * settings that are no policy key are decided: the policy file and the
 * JSON-lines output). from_file: p was loaded from the administrator's
 * policy file (not the built-in policy), so a key the text gave is
 * BW_ORIGIN_FILE. An empty JsonLinesPath means the data folder's file.
 * *out is filled (free with bw_gp_applied_free); each
 * value not applied adds an error. BW_OK or BW_ENOMEM. */
bw_err bw_gp_apply(const bw_gp_values *v, bw_policy *p, bool from_file, bw_gp_applied *out);

/* The settings that came from Group Policy, comma-separated in table order
 * ("mode,service.scan_interval"), or "-" when none. malloc'd. */
char *bw_gp_from_list(const bw_gp_applied *a);

/* One line per setting Group Policy can set: "<setting>=<value> (<origin>)",
 * the value as in force in p and a. Used to tell whether the settings in
 * force changed, and shown by scan. Appends to out. */
bw_err bw_gp_settings_text(const bw_policy *p, const bw_gp_applied *a, bw_buf *out);

#endif
