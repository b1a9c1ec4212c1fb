/*
 * bw_tier.h - confidence tiers of findings (portable core). The rules that
 * give them are in bw_eval.h and docs/detection.md; the policy says which
 * tiers count (bw_policy.count_tiers).
 */
#ifndef BW_TIER_H
#define BW_TIER_H

#include <stdbool.h>
#include <string.h>

/* Ordered: a higher value is a stronger finding. */
typedef enum bw_tier {
    BW_TIER_NONE = 0, /* not a finding */
    BW_TIER_POSSIBLE, /* a generic name pattern (or a vendor text) alone */
    BW_TIER_LIKELY,   /* one vendor-unique signal, or vouched for */
    BW_TIER_CONFIRMED /* independent signals agree */
} bw_tier;

#define BW_TIERS 4

/* The bit of a tier in a set of tiers. */
#define BW_TIER_BIT(t) (1u << (unsigned)(t))

/* The tiers that count when a policy does not say: confirmed and likely. */
#define BW_TIERS_DEFAULT (BW_TIER_BIT(BW_TIER_CONFIRMED) | BW_TIER_BIT(BW_TIER_LIKELY))

/* The set a policy counts: its own, or the default when it names none. */
static inline unsigned bw_tiers_counted(unsigned set)
{
    return set ? set : BW_TIERS_DEFAULT;
}

/* "none", "possible", "likely", "confirmed". */
static inline const char *bw_tier_name(bw_tier t)
{
    static const char *const names[BW_TIERS] = {"none", "possible", "likely", "confirmed"};
    return (unsigned)t < BW_TIERS ? names[t] : "none";
}

/* The tier for a name as above; false if unknown. */
static inline bool bw_tier_parse(const char *name, bw_tier *out)
{
    for (unsigned t = 0; name && t < BW_TIERS; t++)
        if (strcmp(name, bw_tier_name((bw_tier)t)) == 0) {
            *out = (bw_tier)t;
            return true;
        }
    return false;
}

#endif
