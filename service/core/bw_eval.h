/*
 * bw_eval.h - evaluation: snapshot + policy -> findings (portable core).
 *
 * Pure: no I/O, no clock, no globals. The rules and the signals they need
 * are described in docs/detection.md. Every finding names the policy rule
 * that matched and the signals that supported it, so an analyst can see why.
 */
#ifndef BW_EVAL_H
#define BW_EVAL_H

#include <stdint.h>

#include "bw_error.h"
#include "bw_policy.h"
#include "bw_snapshot.h"
#include "bw_str.h"

typedef enum bw_kind {
    BW_KIND_PRODUCT = 0, /* an Uninstall entry */
    BW_KIND_SERVICE,     /* a Win32 service */
    BW_KIND_DRIVER,      /* a kernel or file-system driver */
    BW_KIND_KSN,         /* a KSN component (e.g. the KSN Proxy service) */
    BW_KIND_FILTER,      /* a device class filter entry */
    BW_KIND_REGISTRY,    /* a key under the vendor's registry roots */
    BW_KIND_KSN_CONNECTION /* a vendor process connected to a KSN port */
} bw_kind;

/* Number of kinds (bw_kind values 0 .. BW_KINDS - 1). */
#define BW_KINDS ((int)BW_KIND_KSN_CONNECTION + 1)

/* "product", "service", ... */
const char *bw_kind_name(bw_kind k);

typedef struct bw_finding {
    bw_kind kind;
    char *name;          /* registry key name: Uninstall subkey, service key, ... */
    char *display_name;  /* may be NULL */
    char *publisher;     /* may be NULL */
    char *version;       /* may be NULL */
    char *path;          /* image path or install location; may be NULL */
    char *source;        /* registry path read */
    char *rule;          /* policy rule, e.g. "vendor.drivers[kl*]" */
    bw_strlist signals;  /* what supported the match, e.g. "altitude:320400" */
    /* services and drivers */
    uint32_t service_type, start, state;
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
 * before; it receives the findings, ordered by kind, then name, then
 * source. Returns BW_ENOMEM on allocation failure (then *out is empty). */
bw_err bw_evaluate(const bw_snapshot *snap, const bw_policy *pol, bw_findings *out);

void bw_findings_free(bw_findings *f);

#endif
