#!/usr/bin/env bash
#
# recall.sh - scores the scans of run.sh against each machine's truth.tsv:
# recall (the vendor's entries found at a tier the default policy counts,
# confirmed or likely) and precision (nothing of another company at such a
# tier), per class of machine (the "# class:" line of truth.tsv) and in all.
#
# usage: tests/e2e/recall.sh RUNS_DIR [scenario ...]
#   RUNS_DIR is run.sh's <work>/run; each scenario's actual.tsv is read.
# Prints a table and exits non-zero when an entry of the vendor was missed
# or another company's entry counted.

set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MACHINES="$HERE/../fixtures/machines"
RUNS=${1:?usage: recall.sh RUNS_DIR [scenario ...]}
shift
SEL=("$@")
if [ ${#SEL[@]} -eq 0 ]; then
    for t in "$MACHINES"/*/truth.tsv; do SEL+=("$(basename "$(dirname "$t")")"); done
fi

bad=0
for s in "${SEL[@]}"; do
    t="$MACHINES/$s/truth.tsv"
    a="$RUNS/$s/actual.tsv"
    [ -f "$t" ] || continue
    if [ ! -f "$a" ]; then
        printf 'recall.sh: no scan of %s in %s\n' "$s" "$RUNS" >&2
        bad=1
        continue
    fi
    # actual.tsv holds the prefix user's SID where truth.tsv says <SID>.
    awk -F'\t' -v scen="$s" '
        FNR == NR { k = $1 "\t" $2 "\t" $3; gsub(/HKU\\S-1-5-21-[0-9-]+\\/, "HKU\\<SID>\\", k)
                    tier[k] = $4; next }
        /^# class: / { cls = substr($0, 10); next }
        /^#/ || NF < 4 { next }
        { k = $1 "\t" $2 "\t" $3; got = (k in tier) ? tier[k] : "none"
          counted = got == "confirmed" || got == "likely"
          if ($4 == "yes") { if (counted) tp++; else { fn++; printf "MISSED\t%s\t%s %s (%s)\n", scen, $1, $2, got } }
          else { if (counted) { fp++; printf "FALSE\t%s\t%s %s (%s)\n", scen, $1, $2, got } else tn++ } }
        END { printf "SCORE\t%s\t%s\t%d\t%d\t%d\t%d\n", cls, scen, tp + 0, fn + 0, fp + 0, tn + 0 }
    ' "$a" "$t"
done | awk -F'\t' -v bad="$bad" '
    $1 == "MISSED" || $1 == "FALSE" { print "  " $1 " " $2 ": " $3; worse = 1; next }
    $1 == "SCORE" { c = $2; tp[c] += $4; fn[c] += $5; fp[c] += $6; tn[c] += $7
                    if (!(c in seen)) { seen[c] = 1; order[++n] = c } }
    function pct(a, b) { return b ? sprintf("%5.1f%%", 100 * a / b) : "    -" }
    END {
        printf "%-28s %7s %9s %5s %5s %5s %5s\n", "class", "recall", "precision", "tp", "fn", "fp", "tn"
        for (i = 1; i <= n; i++) { c = order[i]
            printf "%-28s %7s %9s %5d %5d %5d %5d\n", c, pct(tp[c], tp[c] + fn[c]),
                   pct(tp[c], tp[c] + fp[c]), tp[c], fn[c], fp[c], tn[c]
            TP += tp[c]; FN += fn[c]; FP += fp[c]; TN += tn[c] }
        printf "%-28s %7s %9s %5d %5d %5d %5d\n", "all", pct(TP, TP + FN), pct(TP, TP + FP), TP, FN, FP, TN
        exit (worse || bad) ? 1 : 0
    }'
