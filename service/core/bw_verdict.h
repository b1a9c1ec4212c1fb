/*
 * bw_verdict.h - one verdict per host (portable core, pure): is the vendor
 * here, at which tier, which products by name, did it update after the
 * cutoff, is its protection stale, is KSN present or active, what does
 * containment do, and what should the administrator do next.
 *
 * The verdict is what `scan` prints in its first two lines and first in
 * its JSON, what `status` and the heartbeat carry, and what event 230
 * reports when it changes (docs/detection.md, docs/events.md).
 *
 * Products: an Uninstall entry and the vendor registry key of the same
 * product are one product. They are tied by the key's environment
 * ProductCode (the Uninstall subkey name of MSI installs, also inside
 * "InstallWIX_{...}" names), else by the same display name (ProductName or
 * Ins_DisplayName against DisplayName, compared normalised), else by the
 * same version. The key's "protected\" twin is the same product too.
 */
#ifndef BW_VERDICT_H
#define BW_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bw_contain.h"
#include "bw_error.h"
#include "bw_eval.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_updates.h"

typedef enum bw_tri { BW_TRI_UNKNOWN = 0, BW_TRI_NO, BW_TRI_YES } bw_tri;

/* "unknown", "no", "yes". */
const char *bw_tri_name(bw_tri t);

typedef enum bw_ksn_state {
    BW_KSN_NONE = 0, /* no KSN component */
    BW_KSN_PRESENT,  /* a KSN component (the KSN proxy service) is installed */
    BW_KSN_ACTIVE    /* a vendor process is talking to a KSN port now */
} bw_ksn_state;

/* "none", "present", "active". */
const char *bw_ksn_state_name(bw_ksn_state k);

typedef struct bw_verdict_product {
    char *name; /* DisplayName, else the key's ProductName, else its name */
    char *version;
    char *install_date;     /* "YYYY-MM-DD", or NULL */
    char *uninstall_key;    /* the Uninstall subkey (finding name), or NULL */
    char *uninstall_source; /* its registry path, or NULL */
    char *vendor_key;       /* the vendor registry key (e.g. "AVP21.3"), or NULL */
    bw_tier tier;           /* the best tier of its findings */
    bool per_user;          /* only in a user's hive */
    bw_tri updated_after_cutoff;
    bool has_update;             /* newest_update etc. are set */
    int64_t newest_update;       /* Unix seconds, UTC */
    const char *update_evidence; /* bw_evidence_kind_name of it (static) */
    char *update_source;
    bw_tri stale; /* newest signatures older than the threshold */
} bw_verdict_product;

/* What containment does about the vendor's services. */
typedef struct bw_verdict_contain {
    bw_mode mode;
    size_t targets; /* services the plan acts on */
    bool hold;      /* enforcement holds the services that protect the machine:
                       no other anti-virus would remain */
    size_t held;    /* ... that many of the targets (the others protect nothing
                       and are contained anyway) */
    /* after the effects ran (the service); zero for a scan */
    bool acted;
    size_t disabled, blocked, failed, would_disable;
} bw_verdict_contain;

typedef struct bw_verdict {
    bw_tier present;   /* best tier among the counted findings (NONE:
                          the vendor is not here) */
    bool counts;       /* that tier is one the policy counts */
    bool machine_wide; /* a counted finding outside per-user places */
    size_t n_counted;  /* findings of counted tiers */
    size_t n_review;   /* findings of tiers that do not count */
    bw_verdict_product *products;
    size_t n_products, cap_products;
    bw_tri updated_after_cutoff; /* host: yes if any product did */
    bool has_update;
    int64_t newest_update;
    const char *update_evidence; /* static */
    char *update_source;
    char *update_product; /* the product name the newest date belongs to */
    bw_tri stale;
    bw_ksn_state ksn;
    bw_verdict_contain contain;
    char *containment; /* e.g. "audit: enforce would disable 3 services" */
    bool incomplete;   /* a gap could hide findings */
    char *vendor;      /* the policy's vendor name */
    char *removal;     /* the policy's vendor.removal, or NULL */
    char *headline;    /* the first line of the text report */
    char *next_step;   /* the second: what to do next */
} bw_verdict;

/* Makes the verdict from the findings of every tier, the update statuses,
 * the snapshot they came from and the containment state. *out must be
 * zeroed or freed before. BW_ENOMEM only (then *out is empty). */
bw_err bw_verdict_make(const bw_snapshot *snap, const bw_policy *pol, const bw_findings *f,
                       const bw_updates *u, const bw_verdict_contain *contain, bw_verdict *out);

/* Re-states containment (after the effects ran) and the lines that depend
 * on it. BW_ENOMEM only. */
bw_err bw_verdict_set_contain(bw_verdict *v, const bw_verdict_contain *contain);

/* A one-line digest of everything the verdict says (not the wording): two
 * verdicts with the same digest say the same. malloc'd, NULL on allocation
 * failure. */
char *bw_verdict_digest(const bw_verdict *v);

/* NULL-safe; leaves *v zeroed. */
void bw_verdict_free(bw_verdict *v);

/* A copy of src in one block of memory from alloc(ctx, size), for memory
 * kept apart from the C heap: *out's strings and products point into it,
 * *block is what alloc returned. The caller frees *block its own way and
 * never calls bw_verdict_free on *out. BW_ENOMEM when alloc returns NULL
 * (then *out is zeroed and *block NULL). */
bw_err bw_verdict_copy_flat(const bw_verdict *src, void *(*alloc)(void *ctx, size_t size),
                            void *ctx, bw_verdict *out, void **block);

/* False only when every vendor service or KSN component among the findings
 * is known to be stopped: then stale signatures protect no one and mislead
 * no one. With none found, or a state the SCM does not know, the product
 * may run. */
bool bw_vendor_may_run(const bw_findings *f);

#endif
