#!/usr/bin/env bash
#
# run.sh - banwatch end-to-end scenarios under Wine.
#
# Each scenario in tests/fixtures/machines/<name>/ is a machine: a fresh Wine
# prefix (copied from one template per work directory) is seeded from its
# footprint.reg, `banwatch.exe scan --json` runs in it, and the exact set of
# findings, the exit code and the "incomplete" flag are checked. See
# tests/e2e/README.md.
#
# usage: tests/e2e/run.sh --exe path/to/banwatch.exe [--work DIR]
#                         [--keep] [--verbose] [scenario ...]
#        tests/e2e/run.sh --exe path/to/banwatch.exe --selftest
#        tests/e2e/run.sh --seed-only [--work DIR] [scenario ...]
#        tests/e2e/run.sh --list
#
# Prints "PASS name" or "FAIL name: reason" per scenario, then
# "N passed, M failed". Exit status 0 only if nothing failed.

set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MACHINES="$REPO/tests/fixtures/machines"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

usage() {
    sed -n '12,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

EXE=""
WORK="$REPO/build/e2e"
MODE=run
SELECTED=()
while [ $# -gt 0 ]; do
    case $1 in
    --exe) [ $# -ge 2 ] || usage; EXE=$2; shift 2 ;;
    --exe=*) EXE=${1#--exe=}; shift ;;
    --work) [ $# -ge 2 ] || usage; WORK=$2; shift 2 ;;
    --work=*) WORK=${1#--work=}; shift ;;
    --keep) export BW_KEEP=1; shift ;;
    --verbose|-v) export BW_VERBOSE=1; shift ;;
    --selftest) MODE=selftest; shift ;;
    --seed-only) MODE=seed; shift ;;
    --list) MODE=list; shift ;;
    -h|--help) usage ;;
    -*) printf 'run.sh: unknown option %s\n' "$1" >&2; usage ;;
    *) SELECTED+=("$1"); shift ;;
    esac
done

ALL=()
for d in "$MACHINES"/*/; do
    [ -f "$d/footprint.reg" ] && ALL+=("$(basename "$d")")
done
if [ $MODE = list ]; then
    printf '%s\n' "${ALL[@]}"
    exit 0
fi
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL[@]}")
for s in "${SELECTED[@]}"; do
    [ -f "$MACHINES/$s/footprint.reg" ] || { printf 'run.sh: no scenario %s in %s\n' "$s" "$MACHINES" >&2; exit 2; }
done

for tool in jq iconv timeout tar diff awk; do
    command -v "$tool" >/dev/null 2>&1 || { printf 'run.sh: %s is required\n' "$tool" >&2; exit 2; }
done
if [ $MODE != seed ]; then
    [ -n "$EXE" ] || { printf 'run.sh: --exe is required\n' >&2; usage; }
    [ -f "$EXE" ] || { printf 'run.sh: %s does not exist\n' "$EXE" >&2; exit 2; }
    EXE=$(cd "$(dirname "$EXE")" && pwd)/$(basename "$EXE")
fi
bw_find_wine || { printf 'run.sh: %s\n' "$BW_REASON" >&2; exit 2; }
bw_wine_env

mkdir -p "$WORK" || exit 2
WORK=$(cd "$WORK" && pwd)
# One run per work directory at a time: runs share the template.
exec 9>"$WORK/.lock"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
    printf 'run.sh: another run is using %s (waiting)\n' "$WORK" >&2
    flock 9
fi

TEMPLATE="$WORK/template"
RUNS="$WORK/run"
mkdir -p "$RUNS"
START=$(date +%s)
PASSED=0
FAILED=0

pass() { printf 'PASS %s\n' "$*"; PASSED=$((PASSED + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; FAILED=$((FAILED + 1)); }

cleanup() {
    # Stop the wineservers of this run's prefixes if we are interrupted.
    local p
    for p in "$RUNS"/*/prefix; do
        [ -d "$p" ] && bw_prefix_stop "$p"
    done
}
trap 'cleanup; exit 130' INT TERM

if ! bw_template_ensure "$TEMPLATE"; then
    fail template "$BW_REASON"
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    exit 1
fi

# ---------------------------------------------------------------- selftest
#
# Proves the harness can fail. One real run of a scenario against an
# expected.tsv with an extra, impossible finding must FAIL with a findings
# difference. Then the checker is replayed on that run's report with an
# expectation built from the report itself (the control, which must PASS,
# so the rest does not depend on banwatch being right) and with one thing
# wrong at a time, each of which must FAIL for the right reason.
selftest() {
    local base="" s dir sd rd exp n got
    for s in consumer-21 "${ALL[@]}"; do
        if [ -s "$MACHINES/$s/expected.tsv" ]; then base=$s; break; fi
    done
    [ -n "$base" ] || { fail selftest "no scenario with findings to build on"; return; }

    sd="$WORK/selftest/scenario"
    rd="$RUNS/selftest"
    rm -rf -- "$WORK/selftest"; mkdir -p "$sd"
    cp -a "$MACHINES/$base/." "$sd/"
    { cat "$MACHINES/$base/expected.tsv"
      printf 'driver\tbanwatch-selftest-absent\tHKLM\\SYSTEM\\CurrentControlSet\\Services\\banwatch-selftest-absent\tlikely\n'
    } | LC_ALL=C sort >"$sd/expected.tsv"
    if bw_scenario selftest "$sd" "$rd" "$TEMPLATE" "$EXE"; then
        fail selftest "a wrong expected.tsv ($base plus one absent driver) passed"; return
    fi
    case $BW_REASON in
    "findings differ"*) ;;
    *) fail selftest "wrong expected.tsv failed for another reason: $BW_REASON"; return ;;
    esac

    # The replays. Control: expectations taken from the report itself.
    dir="$WORK/selftest/replay"
    exp="$WORK/selftest/expected.tsv"
    cp "$rd/actual.tsv" "$exp"
    SELFTEST_SID=$BW_SCENARIO_SID
    sed -i "s/$SELFTEST_SID/<SID>/g" "$exp"
    got=$(jq -r '.incomplete' "$rd/stdout.json")
    replay() { # replay WANT(pass|fail) LABEL REASON_PREFIX [incomplete] [asserts]
        local want=$1 label=$2 prefix=$3 inc=${4:-$got} asserts=${5:-}
        if bw_check_report "$dir" "$exp" "$SELFTEST_SID" "$inc" "$asserts"; then
            [ "$want" = pass ] && return 0
            fail selftest "$label was not detected"; return 1
        fi
        if [ "$want" = pass ]; then fail selftest "control replay failed: $BW_REASON"; return 1; fi
        case $BW_REASON in
        "$prefix"*) return 0 ;;
        *) fail selftest "$label failed for the wrong reason: $BW_REASON"; return 1 ;;
        esac
    }
    reset_dir() { rm -rf -- "$dir"; mkdir -p "$dir"; cp "$rd/stdout.json" "$rd/rc" "$dir/"; }

    reset_dir; replay pass control "" || return
    # a finding the report lacks
    reset_dir
    { cat "$WORK/selftest/expected.tsv"; printf 'service\tbanwatch-selftest-absent\tHKLM\\x\tlikely\n'; } \
        | LC_ALL=C sort >"$exp.add"; mv "$exp.add" "$exp"
    replay fail "a missing finding" "findings differ" || return
    cp "$rd/actual.tsv" "$exp"; sed -i "s/$SELFTEST_SID/<SID>/g" "$exp"
    # a finding the expectation lacks
    n=$(wc -l <"$exp")
    if [ "$n" -gt 0 ]; then
        reset_dir; sed -i '$d' "$exp"
        replay fail "an unexpected finding" "findings differ" || return
        cp "$rd/actual.tsv" "$exp"; sed -i "s/$SELFTEST_SID/<SID>/g" "$exp"
    fi
    # the incomplete flag
    reset_dir
    replay fail "a wrong incomplete flag" '"incomplete" is' "$([ "$got" = true ] && echo false || echo true)" || return
    # exit codes: crash, hang, missing DLL, the wrong one of 0/1
    reset_dir; echo 5 >"$dir/rc"; replay fail "exit 5 (crash)" "scan crashed" || return
    reset_dir; echo 124 >"$dir/rc"; replay fail "exit 124 (timeout)" "scan hung" || return
    reset_dir; echo 53 >"$dir/rc"; replay fail "exit 53" "scan did not start" || return
    reset_dir; if [ "$(cat "$rd/rc")" = 1 ]; then echo 0 >"$dir/rc"; else echo 1 >"$dir/rc"; fi
    replay fail "a wrong exit code" "exit code" || return
    # broken output: truncated, two documents, not UTF-8
    reset_dir; head -c 40 "$rd/stdout.json" >"$dir/stdout.json"
    replay fail "truncated JSON" "stdout is not JSON" || return
    reset_dir; cat "$rd/stdout.json" "$rd/stdout.json" >"$dir/stdout.json"
    replay fail "two JSON documents" "stdout holds 2" || return
    reset_dir; printf '\377' >>"$dir/stdout.json"
    replay fail "invalid UTF-8" "stdout is not valid UTF-8" || return
    reset_dir; jq -c 'del(.policy)' "$rd/stdout.json" >"$dir/stdout.json"
    replay fail "a missing top-level key" "report does not have" || return
    # a wrong verdict
    reset_dir; printf 'present\tno-such-tier\n' >"$WORK/selftest/verdict.tsv"
    if bw_check_report "$dir" "$exp" "$SELFTEST_SID" "$got" "" "$WORK/selftest/verdict.tsv"; then
        fail selftest "a wrong verdict.tsv was not detected"; return
    fi
    case $BW_REASON in "verdict present is"*) ;; *)
        fail selftest "a wrong verdict.tsv failed for the wrong reason: $BW_REASON"; return ;; esac
    # an assert.jq line that is false
    reset_dir; printf '# must fail\n.findings | length == -1\n' >"$WORK/selftest/false.jq"
    replay fail "a false assert.jq line" "assert.jq:2" "$got" "$WORK/selftest/false.jq" || return

    # the recall scorer: a scan that misses one entry of the vendor must fail
    local t sc=""
    for t in "$MACHINES"/*/truth.tsv; do
        s=$(basename "$(dirname "$t")")
        if [ -s "$RUNS/$s/actual.tsv" ] && grep -q $'\tyes\t' "$t"; then sc=$s; break; fi
    done
    if [ -n "$sc" ]; then
        mkdir -p "$WORK/selftest/runs/$sc"
        awk -F'\t' '!gone && ($4 == "confirmed" || $4 == "likely") { gone = 1; next } 1' \
            "$RUNS/$sc/actual.tsv" >"$WORK/selftest/runs/$sc/actual.tsv"
        if "$HERE/recall.sh" "$WORK/selftest/runs" "$sc" >/dev/null 2>&1; then
            fail selftest "recall.sh did not notice a missed entry of $sc"; return
        fi
    fi

    pass "selftest (wrong expectations, verdicts, exit codes, broken reports and missed entries are all detected)"
    [ "${BW_KEEP:-0}" = 1 ] || rm -rf -- "$WORK/selftest"
}

# The selftest run's user SID, for turning actual.tsv back into an
# expected.tsv with <SID>.
SELFTEST_SID=""

# ---------------------------------------------------------------- main

case $MODE in
seed)
    for s in "${SELECTED[@]}"; do
        rd="$RUNS/$s"; pfx="$rd/prefix"
        rm -rf -- "$rd"; mkdir -p "$rd"
        if bw_prefix_clone "$TEMPLATE" "$pfx" && bw_reg_import "$pfx" "$MACHINES/$s/footprint.reg" \
           && bw_reg_verify "$pfx" "$MACHINES/$s/footprint.reg" \
           && { bw_prefix_stop "$pfx"; bw_wine_patch "$pfx" "$MACHINES/$s"; }; then
            pass "$s (seeded and verified; user SID $(bw_user_sid "$pfx"))"
        else
            fail "$s" "$BW_REASON"
        fi
        if [ "${BW_KEEP:-0}" = 1 ]; then bw_prefix_stop "$pfx"; else bw_prefix_remove "$pfx"; fi
    done
    ;;
selftest)
    selftest
    ;;
run)
    for s in "${SELECTED[@]}"; do
        if bw_scenario "$s" "$MACHINES/$s" "$RUNS/$s" "$TEMPLATE" "$EXE"; then
            pass "$s"
        else
            fail "$s" "$BW_REASON"
        fi
    done
    # Recall and precision against each machine's truth.tsv, per class.
    if score=$("$HERE/recall.sh" "$RUNS" "${SELECTED[@]}"); then
        pass "recall and precision against truth.tsv"
    else
        fail recall "the vendor's entries missed or another company's counted"
    fi
    printf '%s\n' "$score" | sed 's/^/    /'
    # Always prove that the harness can fail.
    selftest
    ;;
esac

printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
bw_log "took $(( $(date +%s) - START )) s; runs in $RUNS"
[ "$FAILED" -eq 0 ]
