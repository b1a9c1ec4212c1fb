/*
 * bw_eval.h - evaluation: snapshot + policy -> findings (portable core).
 *
 * Pure: no I/O, no clock, no globals. The rules and the signals they need
 * are described in docs/detection.md. Every finding names the policy rule
 * that matched, the signals that supported it and its confidence tier, so
 * an analyst can see why.
 *
 * Tiers, in short: `confirmed` when independent signals agree (a
 * distinctive name and a vendor text, path or altitude; the vendor's
 * publisher and a product name), `likely` when one vendor-unique signal
 * stands with nothing against it or confirmed evidence on the same machine
 * vouches for it, `possible` for a generic name pattern alone. Anything
 * that contradicts (an image of another company, a text naming something
 * else, a publisher that is someone else) keeps a look-alike out entirely.
 */
#ifndef BW_EVAL_H
#define BW_EVAL_H

#include <stdint.h>

#include "bw_error.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_str.h"
#include "bw_tier.h"

typedef enum bw_kind {
    BW_KIND_PRODUCT = 0,   /* an Uninstall entry */
    BW_KIND_SERVICE,       /* a Win32 service */
    BW_KIND_DRIVER,        /* a kernel or file-system driver */
    BW_KIND_KSN,           /* a KSN component (e.g. the KSN Proxy service) */
    BW_KIND_FILTER,        /* a device class filter entry */
    BW_KIND_REGISTRY,      /* a key under the vendor's registry roots */
    BW_KIND_KSN_CONNECTION /* a vendor process connected to a KSN port */
} bw_kind;

/* banwatch's own service: never a finding (its description names the vendor
 * it looks for), never a containment target. The Win32 layer registers the
 * service under this name. */
#define BW_SELF_SERVICE "banwatch"

/* Number of kinds (bw_kind values 0 .. BW_KINDS - 1). */
#define BW_KINDS ((int)BW_KIND_KSN_CONNECTION + 1)

/* "product", "service", ... */
const char *bw_kind_name(bw_kind k);

/* The name a finding is shown and searched by: a product's display name
 * (its Uninstall key name when it has none), the key name of every other
 * kind. */
const char *bw_finding_shown_name(bw_kind k, const char *key, const char *display_name);

/* The kind for a name as above; false if unknown. */
bool bw_kind_parse(const char *name, bw_kind *out);

/* What describes a finding wherever banwatch keeps one: in a scan's
 * findings (bw_finding), in the store's current findings
 * (bw_stored_finding) and in a change (bw_change). Each of those starts
 * with these members, reachable both directly (f->name) and as one
 * bw_finding_desc (&f->desc) for the functions below. */
#define BW_FINDING_DESC_MEMBERS                                                     \
    bw_kind kind;                                                                   \
    char *name;         /* registry key name: Uninstall subkey, service key, ... */ \
    char *display_name; /* may be NULL */                                           \
    char *publisher;    /* may be NULL */                                           \
    char *version;      /* may be NULL */                                           \
    char *path;         /* image path or install location; may be NULL */           \
    char *source;       /* registry path read */                                    \
    char *rule;         /* policy rule, e.g. "vendor.drivers[kl*]" */               \
    bw_tier tier;       /* confidence (never BW_TIER_NONE in a list of findings) */

typedef struct bw_finding_desc {
    BW_FINDING_DESC_MEMBERS
} bw_finding_desc;

/* The first member of a struct that carries a finding's description. */
#define BW_FINDING_DESC_UNION       \
    union {                         \
        bw_finding_desc desc;       \
        struct {                    \
            BW_FINDING_DESC_MEMBERS \
        };                          \
    }

/* Frees the strings of d and zeroes it. */
void bw_finding_desc_clear(bw_finding_desc *d);

/* Copies src into *dst, strings included; BW_ENOMEM leaves *dst zeroed. */
bw_err bw_finding_desc_copy(bw_finding_desc *dst, const bw_finding_desc *src);

typedef struct bw_finding {
    BW_FINDING_DESC_UNION;
    bw_strlist signals; /* what supported the match, e.g. "altitude:320400" */
    /* Read from a place any user can write (a per-user hive, an image in a
     * user-writable folder): evidence of that user's install, never a
     * voucher for machine-wide components, never a containment target. */
    bool user_writable;
    /* services and drivers */
    uint32_t service_type, start, state;
    bool delayed_auto; /* an automatic service started after the others */
    bool has_service_info;
    /* products */
    bw_view view;
    char *user_sid;
} bw_finding;

typedef struct bw_findings {
    bw_finding *items;
    size_t n, cap;
} bw_findings;

/* Evaluates the snapshot against the policy. *out must be zeroed or freed
 * before; it receives the findings of every tier, ordered by kind, then
 * name, then source. Returns BW_ENOMEM on allocation failure (then *out is
 * empty). */
bw_err bw_evaluate(const bw_snapshot *snap, const bw_policy *pol, bw_findings *out);

void bw_findings_free(bw_findings *f);

/* True when the machine-wide findings include a confirmed one: the vendor
 * is present (docs/detection.md, machine-level attribution). */
bool bw_findings_vendor_present(const bw_findings *f);

/* Deep copy of the findings whose tier is in `tiers` (BW_TIER_BIT set),
 * in order, into *out (zeroed or freed before). BW_ENOMEM only. */
bw_err bw_findings_select(const bw_findings *f, unsigned tiers, bw_findings *out);

#endif
