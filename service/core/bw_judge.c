/* bw_judge.c - the one judgement of a scan (portable core, pure). */
#include "bw_judge.h"

#include <string.h>

void bw_judgement_free(bw_judgement *j)
{
    if (!j)
        return;
    bw_findings_free(&j->findings);
    bw_findings_free(&j->counted);
    bw_findings_free(&j->review);
    bw_updates_free(&j->updates);
    bw_contain_plan_free(&j->plan);
    bw_verdict_free(&j->verdict);
    memset(j, 0, sizeof *j);
}

bw_err bw_judge(const bw_snapshot *snap, const bw_policy *pol, int64_t now, bw_mode mode,
                bw_judgement *out)
{
    memset(out, 0, sizeof *out);
    out->mode = mode;
    unsigned counted = bw_tiers_counted(pol->count_tiers);
    unsigned all = BW_TIER_BIT(BW_TIER_POSSIBLE) | BW_TIER_BIT(BW_TIER_LIKELY) |
                   BW_TIER_BIT(BW_TIER_CONFIRMED);
    bw_err e = bw_evaluate(snap, pol, &out->findings);
    if (e)
        goto fail;
    e = bw_findings_select(&out->findings, counted, &out->counted);
    if (e)
        goto fail;
    e = bw_findings_select(&out->findings, all & ~counted, &out->review);
    if (e)
        goto fail;
    e = bw_evaluate_updates(snap, pol, &out->counted, now, &out->updates);
    if (e)
        goto fail;
    e = bw_contain_plan_make(snap, pol, &out->counted, &out->plan);
    if (e)
        goto fail;
    bool hold = out->plan.hold && out->plan.n_protect;
    bw_verdict_contain c = {.mode = mode,
                            .targets = out->plan.n_act,
                            .hold = hold,
                            .held = hold ? out->plan.n_protect : 0};
    e = bw_verdict_make(snap, pol, &out->findings, &out->updates, &c, &out->verdict);
    if (e)
        goto fail;
    return BW_OK;
fail:
    bw_judgement_free(out);
    return e;
}

bw_scan_outcome bw_judgement_outcome(const bw_judgement *j)
{
    if (j->counted.n)
        return BW_SCAN_FINDINGS;
    return j->verdict.incomplete ? BW_SCAN_INCOMPLETE : BW_SCAN_CLEAN;
}
