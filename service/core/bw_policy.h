/*
 * bw_policy.h - the detection policy: YAML text -> plain structs (portable
 * core). The schema is documented in docs/policy.md; the shipped default is
 * policies/kaspersky.yaml.
 *
 * The loader is strict: a syntax error, an unknown key, a wrong type, an
 * empty list or an invalid value fails the whole load with a message of the
 * form "<file>:<line>:<column>: <reason>" (1-based line and column), so an
 * administrator can fix the file. Nothing of a bad policy is used.
 */
#ifndef BW_POLICY_H
#define BW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_error.h"
#include "bw_str.h"
#include "bw_tier.h"

typedef enum bw_mode {
    BW_MODE_AUDIT = 0, /* change nothing, report what would be done */
    BW_MODE_ENFORCE    /* act (containment) */
} bw_mode;

typedef struct bw_policy {
    char *name;        /* policy: (required) */
    char *version;     /* version: (required, string) */
    char *description; /* description: (optional) */
    int64_t cutoff;    /* cutoff: ISO 8601 UTC, Unix seconds;
                          default 2024-09-29T04:00:00Z */
    bw_mode mode;      /* mode: audit | enforce (default audit) */

    /* vendor: (required) */
    char *vendor;                 /* vendor.name (required) */
    char *removal;                /* vendor.removal: how to remove the
                                     vendor's software, for the verdict's
                                     next step (optional) */
    bw_strlist publishers;        /* exact publisher names (normalised compare) */
    bw_strlist products;          /* display-name globs */
    bw_strlist markers;           /* texts naming the vendor (substring) */
    bw_strlist paths;             /* path globs (image paths, install locations) */
    bw_strlist binaries;          /* vendor file names: avp.exe, klif.sys */
    bw_strlist services;          /* distinctive service-name globs: names
                                     only the vendor uses */
    bw_strlist drivers;           /* distinctive driver-name globs */
    bw_strlist generic_names;     /* generic name prefixes (kl*, AVP*):
                                     weak alone, other vendors use them */
    bw_strlist others;            /* texts naming other companies known to
                                     use look-alike names: a display name or
                                     description with one (and no marker)
                                     keeps a key out */
    bw_strlist name_suffixes;     /* per-install tags a key name may carry
                                     after its base name (".K4W-*": the key
                                     "KLIF.K4W-21-25" is the driver klif) */
    bw_strlist altitudes;         /* minifilter altitudes allocated to the vendor */
    bw_strlist class_filters;     /* names in class UpperFilters/LowerFilters */
    bw_strlist registry_roots;    /* e.g. HKLM\SOFTWARE\KasperskyLab */
    bw_strlist registry_products; /* globs for product subkeys under the roots */
    bw_strlist bases_paths;       /* default signature-bases folders (update
                                     evidence); %VARS% are expanded on Windows */

    /* ksn: (optional) */
    bw_strlist ksn_services; /* KSN service names (globs) */
    uint16_t *ksn_ports;     /* TCP/UDP ports of KSN and its proxy */
    size_t n_ksn_ports;
    bw_strlist ksn_hosts; /* host-name globs */

    /* detection: (optional) */
    unsigned count_tiers; /* BW_TIER_BIT set of the tiers that count
                             for the verdict, the exit code, alerts
                             and containment (default confirmed and
                             likely) */

    /* updates: (optional) judging update evidence */
    uint32_t stale_after_days;  /* newest signatures older than this: stale
                                   protection (default 7) */
    bw_strlist cutoff_products; /* globs of product keys with their own cutoff */
    int64_t *cutoff_times;      /* ... and that cutoff, same index */

    /* service: (optional) the resident agent's timing */
    uint32_t scan_interval;      /* full rescan, seconds (default 3600) */
    uint32_t heartbeat_interval; /* heartbeat event, seconds (default 3600) */
    uint32_t change_debounce_ms; /* quiet time after a registry change before
                                    the quick rescan (default 500) */

    /* containment: (optional) what enforcement may touch; see bw_contain.h.
     * The mode itself is `mode:` above (Group Policy may override it:
     * bw_win_contain_mode). */
    bw_strlist contain_allowlist;      /* service names never touched (globs) */
    bw_strlist contain_only;           /* when set, the only services acted on */
    bw_strlist contain_drivers;        /* drivers to disable (globs); none by default */
    bw_strlist contain_av_services;    /* services that count as another anti-virus
                                          (default: WinDefend) */
    bw_strlist contain_non_protecting; /* the vendor's services that protect nothing
                                          (management agents, KSN proxies): contained
                                          even while no other anti-virus would remain */
    bool contain_allow_unprotected;    /* act even when no other anti-virus remains */
    bool contain_stop_dependents;      /* stop running dependents first */
    uint32_t contain_stop_timeout;     /* seconds to wait for a stop (default 30) */

    /* The key paths the text gave a value ("mode", "service.scan_interval"),
     * for telling a setting of the text from a default (bw_policy_key_given). */
    bw_strlist given;
} bw_policy;

/* Parses policy text. `origin` names the text in messages (usually the file
 * path). On success *out owns a new policy (free with bw_policy_free). On
 * failure returns BW_EPARSE (or BW_ENOMEM) and writes a NUL-terminated
 * "<origin>:<line>:<col>: <reason>" into errbuf (errlen bytes, may be 0). */
bw_err bw_policy_parse(const char *text, size_t len, const char *origin, bw_policy **out,
                       char *errbuf, size_t errlen);

/* NULL-safe. */
void bw_policy_free(bw_policy *p);

/* The cutoff that applies to a product key (e.g. "AVP21.3"): the first
 * updates.cutoff_overrides entry whose glob matches it, else the policy's
 * cutoff. product may be NULL (evidence not tied to a product). */
int64_t bw_policy_cutoff_for(const bw_policy *p, const char *product);

/* Whether the policy text gave the key path `key` ("service.scan_interval")
 * a value, rather than leaving it to its default. NULL-safe. */
bool bw_policy_key_given(const bw_policy *p, const char *key);

/* A value for bw_policy_set, as it would stand in the text: a plain
 * integer, a string, or a list of strings. */
typedef enum bw_policy_value_kind { BW_PV_NUMBER, BW_PV_TEXT, BW_PV_LIST } bw_policy_value_kind;

#define BW_POLICY_SET_MAX_ITEMS 8

typedef struct bw_policy_value {
    bw_policy_value_kind kind;
    uint32_t number;          /* BW_PV_NUMBER */
    const char *text;         /* BW_PV_TEXT */
    const char *const *items; /* BW_PV_LIST: at most BW_POLICY_SET_MAX_ITEMS */
    size_t n_items;
} bw_policy_value;

/* Sets the value of one key of a loaded policy, checked exactly as the
 * loader checks it in a file (range, enumeration, timestamp, tiers): for
 * values that come from elsewhere than the text (Group Policy). key is a
 * key path of a scalar setting: "mode", "cutoff", "detection.count_tiers",
 * "updates.stale_after_days", "service.scan_interval", ... (integers,
 * booleans, timestamps, the mode and the tiers). BW_OK: p holds the value.
 * BW_EPARSE: the value is invalid, p is unchanged and errbuf says
 * "<origin>: <key>: <reason>". BW_EINVAL: not such a key, or bad arguments. */
bw_err bw_policy_set(bw_policy *p, const char *key, const bw_policy_value *v, const char *origin,
                     char *errbuf, size_t errlen);

/* The shipped default policy (policies/kaspersky.yaml, built into the
 * program). */
extern const char bw_default_policy_text[];
extern const size_t bw_default_policy_len;

#endif
