#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, -DBW_FUZZ=ON) in a build
# folder of their own and runs each for a while on a copy of its seed
# corpus (tests/fuzz/corpus/<target>) with its dictionary
# (tests/fuzz/dict/<target>.dict). Prints one line per target and exits
# non-zero when any target found a crash, a leak, a timeout or a failed
# property; the input that did it is kept under <build>/run/<target>/.
#
#   tests/fuzz/run.sh [--seconds N] [--build DIR] [target...]
#
#   --seconds N   how long each target runs (default 15)
#   --build DIR   the build folder (default build/fuzz, or
#                 $BANWATCH_BUILD_DIR/fuzz)
#   target        policy index kdb_stt dates text json report store
#                 store_mutate (default: all of them)
#
# tests/fuzz/README.md says what each target checks and how to reproduce
# a crash.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=15
build=${BANWATCH_BUILD_DIR:-$top/build}/fuzz
wanted=()

usage() {
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
    case $1 in
    --seconds)
        [ $# -ge 2 ] || { echo "run.sh: --seconds needs a value" >&2; exit 2; }
        seconds=$2
        shift 2
        ;;
    --build)
        [ $# -ge 2 ] || { echo "run.sh: --build needs a value" >&2; exit 2; }
        build=$2
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        echo "run.sh: unknown option $1" >&2
        exit 2
        ;;
    *)
        wanted+=("$1")
        shift
        ;;
    esac
done
case $seconds in
'' | *[!0-9]*) echo "run.sh: --seconds takes a whole number" >&2; exit 2 ;;
esac

# name, longest input (bytes), time limit of one input (s), dictionary,
# seed corpora (folders under tests/fuzz/corpus)
targets=(
    "policy       24576 10 policy  policy"
    "index        8192  10 index   index"
    "kdb_stt      4096  10 kdb_stt kdb_stt"
    "dates        256   10 dates   dates"
    "text         1024  10 text    text"
    "json         4096  10 json    json"
    "report       4096  20 report  report"
    "store        65536 20 store   store,store_mutate"
    "store_mutate 65536 20 store   store_mutate"
)

known() {
    local t
    for t in "${targets[@]}"; do
        [ "${t%% *}" = "$1" ] && return 0
    done
    return 1
}
for w in "${wanted[@]}"; do
    known "$w" || { echo "run.sh: no target \"$w\"" >&2; exit 2; }
done

selected=()
for t in "${targets[@]}"; do
    name=${t%% *}
    if [ ${#wanted[@]} -eq 0 ]; then
        selected+=("$t")
        continue
    fi
    for w in "${wanted[@]}"; do
        [ "$w" = "$name" ] && selected+=("$t")
    done
done

jobs=$(nproc 2>/dev/null || echo 2)
CC=clang cmake -S "$top" -B "$build" -DBW_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
build_targets=()
for t in "${selected[@]}"; do
    build_targets+=(--target "fuzz_${t%% *}")
done
cmake --build "$build" -j "$jobs" "${build_targets[@]}" >"$build/build.log" 2>&1 || {
    tail -n 40 "$build/build.log"
    echo "run.sh: the build failed (log: $build/build.log)" >&2
    exit 1
}

# The store targets write their database files here (in memory when
# possible); removed at the end, whatever happened.
scratch_base=/dev/shm
[ -d "$scratch_base" ] && [ -w "$scratch_base" ] || scratch_base=$build
scratch=$(mktemp -d "$scratch_base/bw-fuzz-run.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:${ASAN_OPTIONS:-}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}

failed=0
for t in "${selected[@]}"; do
    read -r name max_len timeout dict seeds <<<"$t"
    work=$build/run/$name
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    IFS=, read -r -a seed_dirs <<<"$seeds"
    for s in "${seed_dirs[@]}"; do
        cp -R "$here/corpus/$s/." "$work/corpus/"
    done
    t0=$SECONDS
    TMPDIR=$scratch "$build/tests/fuzz/fuzz_$name" \
        -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" \
        -dict="$here/dict/$dict.dict" -artifact_prefix="$work/artifacts/" \
        -print_final_stats=1 -detect_leaks=1 "$work/corpus" >"$work/log" 2>&1
    rc=$?
    took=$((SECONDS - t0))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    done_line=$(grep -a -E '[[:space:]]DONE ' "$work/log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$done_line")
    artifact=$(find "$work/artifacts" -type f | head -n 1)
    if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
        printf 'fuzz %-12s ok      %9s execs  cov %5s  ft %6s  %3s s\n' \
            "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$took"
    else
        failed=$((failed + 1))
        what=$(grep -a -m1 -o -E 'property failed.*|runtime error:.*|ERROR: [A-Za-z]+: [a-z -]+' "$work/log" | head -n 1)
        printf 'fuzz %-12s FAILED  %9s execs  %s\n' "$name" "${execs:-?}" "${what:-exit $rc}"
        grep -a -A 30 -m1 -E '==== property failed|==[0-9]+==ERROR|runtime error|ALARM' "$work/log" | head -n 40 | sed 's/^/    /'
        echo "    input: ${artifact:-(none)}"
        echo "    log:   $work/log"
        [ -n "$artifact" ] && echo "    again: $build/tests/fuzz/fuzz_$name $artifact"
    fi
done
[ $failed -eq 0 ]
