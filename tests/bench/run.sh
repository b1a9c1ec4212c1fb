#!/usr/bin/env bash
#
# run.sh - banwatch's performance under Wine, printed as figures against
# floors measured in the same run: scan speed on synthetic machines (against
# floor.exe, the least registry work that reads the same values, and `reg
# query /s`), start-up (against a program that does nothing), and the
# resident service (memory, idle CPU, latency). The README's Performance
# section holds the figures of a full run.
#
# usage: tests/bench/run.sh [--build DIR] [--work DIR] [--sizes 1000,10000,50000]
#                           [--services N] [--reps N] [--quick] [--check] [--keep]
#                           [--only startup,scan,service] [--template DIR]
#
#   --build DIR   the Windows build (default build/win): service/banwatch.exe,
#                 tests/bench/{seed,floor,bench_scan,nothing,procinfo}.exe
#   --work DIR    prefixes and logs (default build/bench); a Wine template
#                 prefix is made there once (as tests/e2e does), or
#   --template D  the template prefix to copy (e.g. tests/e2e's: DIR/template)
#   --sizes LIST  Uninstall entries of each synthetic machine
#   --services N  services and drivers on each (default 2000)
#   --reps N      runs of each measurement; medians are printed (default 7)
#   --service-size N  Uninstall entries on the resident service's machine
#                 (default 10000)
#   --quick       sizes 1000,10000, 3 runs, the service on 1000 entries and
#                 a shorter idle window: the check
#                 tests/run-all.sh runs (about two minutes on 2 cores)
#   --check       exit 1 when a target is clearly missed (thresholds below)
#
# Every figure is a median of --reps runs, taken in turns (floor, banwatch,
# reg query, floor, ...) so that other work on the machine weighs on each
# alike. Times are wall clock; "cpu" adds the program's own CPU time (user +
# system) and the wineserver's (which does the registry work) over the run.
#
# Targets (--check fails only when one is clearly missed, with the margin
# for a busy 2-core machine in brackets):
#   scan speed   banwatch's collectors within 1.15x of the floor at 10k
#                entries [fails when above 1.35x both in process time and in
#                CPU time, each a median of per-run ratios]; per entry linear
#                [fails when the per-entry CPU time at the largest size is
#                above 2x the smallest's]
#   start-up     `banwatch scan` on an empty machine within 15 ms of a
#                program that does nothing [fails when both the median and
#                the best run are more than 40 ms over it]
#   service      idle private memory under 8 MB [fails above 8 MB]; no CPU
#                while idle [fails above 50 ms in the window]

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$top/tests/e2e/lib.sh"

build="$top/build/win" work="$top/build/bench"
sizes=1000,10000,50000 n_services=2000 reps=7 quick=0 check=0 keep=0
only=startup,scan,service idle_s=10 template="" svc_size=10000
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --services) n_services=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --quick) quick=1; sizes=1000,10000; reps=3; idle_s=4; svc_size=1000; shift ;;
    --service-size) svc_size=$2; shift 2 ;;
    --check) check=1; shift ;;
    --keep) keep=1; shift ;;
    --only) only=$2; shift 2 ;;
    --template) template=$2; shift 2 ;;
    *) sed -n '10,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
exe="$build/service/banwatch.exe"
bench="$build/tests/bench"
for f in "$exe" "$bench/seed.exe" "$bench/floor.exe" "$bench/bench_scan.exe" \
         "$bench/nothing.exe" "$bench/procinfo.exe"; do
    [ -f "$f" ] || { echo "run.sh: no $f (build the Windows tree first)" >&2; exit 2; }
done
bw_find_wine || { echo "run.sh: $BW_REASON" >&2; exit 2; }
bw_wine_env
mkdir -p "$work" && work=$(cd "$work" && pwd)
template=${template:-$work/template}
bw_template_ensure "$template" || { echo "run.sh: $BW_REASON" >&2; exit 2; }

missed=()
pfx=""
# Whatever happens, no wineserver of ours is left running.
trap '[ -z "$pfx" ] || bw_prefix_stop "$pfx"' EXIT
miss() { missed+=("$*"); echo "MISSED: $*"; }

# ---------------------------------------------------------------- helpers

# Arithmetic on decimals.
calc() { awk "BEGIN { printf \"%.${2:-1}f\", ($1) }"; }
# minimum VALUES...
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
# median VALUES...
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# A fresh prefix WORK/bench-NAME with the programs in C:\bench; sets pfx.
prefix_new() {
    pfx="$work/bench-$1"
    bw_prefix_clone "$template" "$pfx" || { echo "run.sh: $BW_REASON" >&2; exit 2; }
    mkdir -p "$pfx/drive_c/bench"
    cp "$exe" "$bench"/*.exe "$pfx/drive_c/bench/"
    export WINEPREFIX=$pfx
}
prefix_done() {
    if [ $keep = 1 ]; then bw_prefix_stop "$pfx"; else bw_prefix_remove "$pfx"; fi
}

# Starts the prefix's wineserver (persistent) and its system processes;
# sets server_pid (found by the server's directory, which is per prefix).
server_start() {
    "$BW_WINESERVER" -p
    "$BW_WINE" cmd.exe /c exit </dev/null >/dev/null 2>&1
    local dir p
    dir=$(printf 'server-%x-%x' "$(stat -c %d "$pfx")" "$(stat -c %i "$pfx")")
    server_pid=""
    for p in $(pgrep -x wineserver64; pgrep -x wineserver); do
        [ "$(basename "$(readlink "/proc/$p/cwd" 2>/dev/null)")" = "$dir" ] && { server_pid=$p; break; }
    done
    [ -n "$server_pid" ] || { echo "run.sh: cannot find the wineserver of $pfx" >&2; exit 2; }
}
server_stop() { bw_prefix_stop "$pfx"; }

# CPU time of a process in ms (all its threads), from schedstat.
proc_cpu_ms() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.3f", s / 1e6 }'
}

# run CMD...: runs a Wine program (stdout to $out, stderr appended to
# $work/stderr); sets wall (ms), cpu (ms: the program's user and system time
# and the wineserver's) and rc.
run() {
    local s0 e0 e1 TIMEFORMAT='%3U %3S'
    s0=$(proc_cpu_ms "$server_pid")
    e0=$EPOCHREALTIME
    { time "$BW_WINE" "$@" >"$out" 2>>"$work/stderr" </dev/null; } 2>"$work/time"
    rc=$?
    e1=$EPOCHREALTIME
    wall=$(calc "($e1 - $e0) * 1000" 2)
    cpu=$(calc "$(awk '{ print ($1 + $2) * 1000 }' "$work/time") + $(proc_cpu_ms "$server_pid") - $s0" 2)
}
out=/dev/null

echo "banwatch benchmarks: Wine $("$BW_WINE" --version 2>/dev/null), $(nproc) cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg), $reps runs per figure (medians)"

# ---------------------------------------------------------------- start-up

startup() {
    echo
    echo "== start-up (an empty machine: a fresh prefix, nothing seeded)"
    prefix_new empty
    server_start
    local n=$((reps * 3)) i w_nothing=() w_help=() w_scan=() c_nothing=() c_help=() c_scan=()
    # one untimed run of each first: files in the page cache
    "$BW_WINE" 'C:\bench\banwatch.exe' scan >/dev/null 2>&1 </dev/null
    for ((i = 0; i < n; i++)); do
        run 'C:\bench\nothing.exe'; w_nothing+=("$wall"); c_nothing+=("$cpu")
        run 'C:\bench\banwatch.exe' help; w_help+=("$wall"); c_help+=("$cpu")
        run 'C:\bench\banwatch.exe' scan; w_scan+=("$wall"); c_scan+=("$cpu")
        [ "$rc" = 0 ] || echo "  (scan exit $rc on the empty machine)"
    done
    local mn mh ms cn ch cs nn nh ns
    mn=$(median "${w_nothing[@]}"); mh=$(median "${w_help[@]}"); ms=$(median "${w_scan[@]}")
    cn=$(median "${c_nothing[@]}"); ch=$(median "${c_help[@]}"); cs=$(median "${c_scan[@]}")
    nn=$(minimum "${w_nothing[@]}"); nh=$(minimum "${w_help[@]}"); ns=$(minimum "${w_scan[@]}")
    printf '  %-26s %9s %9s %9s %15s %13s\n' "$n runs" "wall ms" "(min)" "cpu ms" "median - nothing" "min - nothing"
    printf '  %-26s %9.1f %9.1f %9.1f %15s %13s\n' "do-nothing exe" "$mn" "$nn" "$cn" "-" "-"
    printf '  %-26s %9.1f %9.1f %9.1f %+15.1f %+13.1f\n' "banwatch help" "$mh" "$nh" "$ch" "$(calc "$mh - $mn")" "$(calc "$nh - $nn")"
    printf '  %-26s %9.1f %9.1f %9.1f %+15.1f %+13.1f\n' "banwatch scan (empty)" "$ms" "$ns" "$cs" "$(calc "$ms - $mn")" "$(calc "$ns - $nn")"
    echo "  imports: $(x86_64-w64-mingw32-objdump -p "$exe" 2>/dev/null | awk '/DLL Name:/ { printf "%s ", tolower($3) }')"
    out="$work/each.out"; "$BW_WINE" 'C:\bench\bench_scan.exe' --each >"$out" 2>/dev/null </dev/null
    echo "  where a scan's time goes (one run, ms): $(sed -n 's/^each \([a-z_]*\)_ms=\([0-9.]*\).*/\1 \2/p' "$out" | tr -d '\r' | paste -sd, - | sed 's/,/, /g')"
    if [ "$(calc "$ms - $mn > 40 && $ns - $nn > 40" 0)" = 1 ]; then
        miss "start-up: scan on an empty machine $(calc "$ms - $mn") ms (median; $(calc "$ns - $nn") ms at best) over the do-nothing exe (target 15, fails when both are above 40)"
    fi
    server_stop
    prefix_done
}

# ---------------------------------------------------------------- scan speed

# field NAME FILE: the value of NAME=... in a program's output line.
field() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n 1; }

declare -A per_entry
scan_size() {
    local n=$1 i
    echo
    echo "== scan speed: $n Uninstall entries, $n_services services and drivers"
    prefix_new "$n"
    local t0=$SECONDS
    "$BW_WINE" 'C:\bench\seed.exe' --uninstall "$n" --services "$n_services" --kaspersky \
        </dev/null 2>&1 | sed 's/^/  /'
    # Restarted, so that the service manager reads the seeded services as
    # it would at boot.
    server_stop
    server_start
    echo "  seeded and restarted in $((SECONDS - t0)) s"
    local fl_w=() fl_c=() fl_in=() bs_w=() bs_c=() bs_in=() sc_w=() sc_c=() rq_w=() rq_c=()
    local r_in=() r_cpu=() r_scan=() r_scanw=() r_rq=()
    out="$work/floor.out"; "$BW_WINE" 'C:\bench\floor.exe' >"$out" 2>/dev/null </dev/null
    out="$work/calls.out"; "$BW_WINE" 'C:\bench\bench_scan.exe' --calls >"$out" 2>/dev/null </dev/null
    sed -n 's/^calls /  banwatch registry calls, /p' "$work/calls.out"
    echo "  floor registry calls: uninstall 1 open, 9 reads, 1 close (and 1 enum) per entry; services 2 opens, 6 reads, 1 close (and 1 enum)"
    for ((i = 0; i < reps; i++)); do
        out="$work/floor.out"; run 'C:\bench\floor.exe'
        fl_w+=("$wall"); fl_c+=("$cpu"); fl_in+=("$(field total_ms "$out")")
        out="$work/bench.out"; run 'C:\bench\bench_scan.exe'
        bs_w+=("$wall"); bs_c+=("$cpu"); bs_in+=("$(field total_ms "$out")")
        [ "$(field entries "$out")" = "$(field entries "$work/floor.out")" ] ||
            echo "  (banwatch read $(field entries "$out") entries, the floor $(field entries "$work/floor.out"))"
        r_in+=("$(calc "$(field total_ms "$out") / $(field total_ms "$work/floor.out")" 3)")
        r_cpu+=("$(calc "$cpu / ${fl_c[$i]}" 3)")
        out=/dev/null; run 'C:\bench\banwatch.exe' scan --json
        sc_w+=("$wall"); sc_c+=("$cpu")
        [ "$rc" = 1 ] || echo "  (scan exit $rc, want 1: Kaspersky is seeded)"
        r_scan+=("$(calc "$cpu / ${fl_c[$i]}" 3)"); r_scanw+=("$(calc "$wall / ${fl_w[$i]}" 3)")
        # reg query /s of the same keys, one process each
        local w=0 c=0 k
        for k in 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' \
                 'HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall' \
                 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall' \
                 'HKLM\SYSTEM\CurrentControlSet\Services'; do
            run reg query "$k" /s
            w=$(calc "$w + $wall" 2); c=$(calc "$c + $cpu" 2)
        done
        rq_w+=("$w"); rq_c+=("$c"); r_rq+=("$(calc "$c / ${fl_c[$i]}" 3)")
    done
    # per entry: every Uninstall entry and every service key read
    local entries=$(($(field entries "$work/floor.out") + $(field services "$work/floor.out")))
    local fc bc scp
    fc=$(median "${fl_c[@]}"); bc=$(median "${bs_c[@]}"); scp=$(median "${sc_c[@]}")
    printf '  %-32s %9s %9s %10s %9s %9s %9s\n' "median of $reps runs" "wall ms" "cpu ms" "in-proc ms" \
        "cpu us/e" "x floor" "(min)"
    row() { # label walls cpus inprocs ratios
        local -n W=$2 C=$3 I=$4 R=$5
        local inproc=- ratio=1.00 mn
        [ ${#I[@]} -gt 0 ] && inproc=$(calc "$(median "${I[@]}")" 1)
        [ ${#R[@]} -gt 0 ] && ratio=$(calc "$(median "${R[@]}")" 2)
        mn=$(printf '%s\n' "${C[@]}" | sort -g | head -n 1)
        printf '  %-32s %9.1f %9.1f %10s %9.1f %9s %9.1f\n' "$1" "$(median "${W[@]}")" "$(median "${C[@]}")" \
            "$inproc" "$(calc "$(median "${C[@]}") * 1000 / $entries")" "$ratio" "$mn"
    }
    local none=()
    row "floor (floor.exe)" fl_w fl_c fl_in none
    row "banwatch collectors (bench_scan)" bs_w bs_c bs_in r_cpu
    row "banwatch scan --json (whole)" sc_w sc_c none r_scan
    row "reg query /s (4 keys)" rq_w rq_c none r_rq
    printf '  ratios to the floor, medians of the %d runs: collectors %.2f in process, %.2f cpu; whole scan %.2f cpu, %.2f wall\n' \
        "$reps" "$(median "${r_in[@]}")" "$(median "${r_cpu[@]}")" "$(median "${r_scan[@]}")" "$(median "${r_scanw[@]}")"
    per_entry[$n]=$(calc "$bc * 1000 / $entries" 3)
    per_entry_scan[$n]=$(calc "$scp * 1000 / $entries" 3)
    per_entry_floor[$n]=$(calc "$fc * 1000 / $entries" 3)
    ratio[$n]=$(median "${r_cpu[@]}")
    ratio_in[$n]=$(median "${r_in[@]}")
    server_stop
    prefix_done
}
declare -A per_entry_scan per_entry_floor ratio ratio_in

linearity() {
    local list first last n
    IFS=, read -r -a list <<<"$sizes"
    [ ${#list[@]} -ge 2 ] || return 0
    first=${list[0]}; last=${list[${#list[@]} - 1]}
    echo
    echo "== linearity (cpu per entry: floor / banwatch collectors / whole scan)"
    for n in "${list[@]}"; do
        printf '  %6s entries: %7.1f / %7.1f / %7.1f us per entry (collectors %.2fx the floor)\n' \
            "$n" "${per_entry_floor[$n]}" "${per_entry[$n]}" "${per_entry_scan[$n]}" "${ratio[$n]}"
    done
    printf '  per entry, %s / %s: floor %.2f, collectors %.2f, whole scan %.2f (1.00: linear)\n' "$last" "$first" \
        "$(calc "${per_entry_floor[$last]} / ${per_entry_floor[$first]}" 3)" \
        "$(calc "${per_entry[$last]} / ${per_entry[$first]}" 3)" \
        "$(calc "${per_entry_scan[$last]} / ${per_entry_scan[$first]}" 3)"
    if [ "$(calc "${per_entry[$last]} / ${per_entry[$first]} > 2" 0)" = 1 ]; then
        miss "scan speed: per-entry time at $last is $(calc "${per_entry[$last]} / ${per_entry[$first]}" 2)x that at $first (fails above 2x)"
    fi
    for n in "${list[@]}"; do
        if [ "$n" -ge 10000 ] && [ "$(calc "${ratio[$n]} > 1.35 && ${ratio_in[$n]} > 1.35" 0)" = 1 ]; then
            miss "scan speed: collectors $(calc "${ratio[$n]}" 2)x the floor at $n entries (target 1.15, fails above 1.35)"
        fi
    done
}

# ---------------------------------------------------------------- the service

# The Linux pid of a Wine process of this prefix whose command line matches.
wine_pid() {
    local p
    for p in $(pgrep -f "$1"); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "WINEPREFIX=$pfx" && { echo "$p"; return 0; }
    done
    return 1
}
# smaps KEY PID: a field of /proc/PID/smaps_rollup, in kB.
smaps() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/smaps_rollup" 2>/dev/null; }
ctx_switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '/_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
# kv KEY TEXT: the value of KEY=... in TEXT.
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n 1; }
# memory LABEL PID IMAGE: one line of memory figures, Linux's and Windows';
# sets mem_own_kb (private dirty less the exe's image: heaps, stacks, DLLs).
memory() {
    local info sm
    info=$("$BW_WINE" 'C:\bench\procinfo.exe' "$3" 2>/dev/null </dev/null | tr -d '\r')
    sm=$(awk -f "$here/smaps.awk" "/proc/$2/smaps" 2>/dev/null)
    mem_own_kb=$(( $(kv heaps_kb "$sm") + $(kv dlls_kb "$sm") + $(kv unix_kb "$sm") ))
    printf '  %-26s private dirty %5.1f MB (heaps+stacks %5.1f, exe image %4.1f, DLLs %4.1f, unix %3.1f); rss %5.1f MB | Windows: working set %5.1f MB (peak %5.1f), handles %s, threads %s\n' \
        "$1" "$(calc "$(smaps Private_Dirty "$2") / 1024" 2)" "$(calc "$(kv heaps_kb "$sm") / 1024" 2)" \
        "$(calc "$(kv image_kb "$sm") / 1024" 2)" "$(calc "$(kv dlls_kb "$sm") / 1024" 2)" \
        "$(calc "$(kv unix_kb "$sm") / 1024" 2)" "$(calc "$(smaps Rss "$2") / 1024" 2)" \
        "$(calc "$(kv working_set "$info") / 1048576" 2)" "$(calc "$(kv peak_working_set "$info") / 1048576" 2)" \
        "$(kv system_handles "$info")" "$(kv threads "$info")"
}

service() {
    local n=$1 data log jsonl i t0 t1
    echo
    echo "== the resident service ($n Uninstall entries, $n_services services and drivers, shipped policy)"
    prefix_new service
    "$BW_WINE" 'C:\bench\seed.exe' --uninstall "$n" --services "$n_services" </dev/null >/dev/null 2>&1
    server_stop
    server_start
    data="$pfx/drive_c/ProgramData/banwatch" log="$pfx/drive_c/ProgramData/banwatch/banwatch.log"
    jsonl="$data/events.jsonl"
    "$BW_WINE" 'C:\bench\banwatch.exe' install --no-start </dev/null >/dev/null 2>&1 || { miss "service: install failed"; prefix_done; return; }
    t0=$EPOCHREALTIME
    "$BW_WINE" net start banwatch </dev/null >/dev/null 2>&1
    for ((i = 0; i < 6000; i++)); do
        grep -q 'scan (start)' "$log" 2>/dev/null && break
        sleep 0.01
    done
    t1=$EPOCHREALTIME
    local spid; spid=$(wine_pid 'banwatch.exe" service|banwatch.exe service') ||
        { miss "service: not running"; server_stop; prefix_done; return; }
    echo "  start to first completed scan: $(calc "($t1 - $t0) * 1000" 0) ms from 'net start' (the scan itself: $(sed -n 's/.*scan (start).*, \([0-9]*\) ms$/\1/p' "$log" | head -n 1) ms, by the service's log)"

    # Idle: nothing changes for idle_s seconds.
    sleep 2
    local c0 x0 s0 c1 x1 s1
    c0=$(proc_cpu_ms "$spid"); x0=$(ctx_switches "$spid"); s0=$(proc_cpu_ms "$server_pid")
    sleep "$idle_s"
    c1=$(proc_cpu_ms "$spid"); x1=$(ctx_switches "$spid"); s1=$(proc_cpu_ms "$server_pid")
    echo "  idle for $idle_s s: cpu $(calc "$c1 - $c0" 2) ms, context switches $((x1 - x0)) (all threads), wineserver cpu $(calc "$s1 - $s0" 2) ms"
    if [ "$(calc "$c1 - $c0 > 50" 0)" = 1 ]; then
        miss "service: $(calc "$c1 - $c0" 1) ms of CPU while idle for $idle_s s (fails above 50)"
    fi

    # Memory, against a process that does nothing under the same Wine.
    "$BW_WINE" 'C:\bench\nothing.exe' 60000 </dev/null >/dev/null 2>&1 &
    local npid_job=$! npid=""
    for ((i = 0; i < 200; i++)); do npid=$(wine_pid 'nothing.exe 60000') && break; sleep 0.05; done
    sleep 0.5
    echo "  memory: Linux's /proc/PID/smaps of the Wine process (private dirty pages, by where they lie);"
    echo "  Windows' figures from procinfo.exe (GetProcessMemoryInfo; handles from the system's handle"
    echo "  list: Wine answers PrivateUsage and GetProcessHandleCount of another process with 0)"
    [ -n "$npid" ] && memory "do-nothing exe (sleeping)" "$npid" nothing.exe
    local base=${mem_own_kb:-0}
    memory "banwatch service, idle" "$spid" banwatch.exe
    local own; own=$(calc "($mem_own_kb - $base) / 1024" 2)
    echo "  banwatch's private memory: $own MB (private dirty pages less the exe's image, which Wine reads into"
    echo "  private memory where Windows maps it shared from the file, less what the do-nothing exe has)"
    kill "$npid_job" 2>/dev/null; wait "$npid_job" 2>/dev/null

    # A registry change to its event: a Kaspersky product appears.
    local lat=() reg="$work/latency.reg" guid found
    for ((i = 1; i <= 3; i++)); do
        guid="{B0B0B0B0-0000-4000-8000-00000000000$i}"
        printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\%s]\r\n"DisplayName"="Kaspersky Endpoint Security for Windows %d"\r\n"Publisher"="AO Kaspersky Lab"\r\n"DisplayVersion"="12.%d.0.1"\r\n' \
            "$guid" "$i" "$i" >"$reg.txt"
        bw_reg_utf16 "$reg.txt" "$pfx/drive_c/bench/latency.reg" || return
        "$BW_WINE" reg import 'C:\bench\latency.reg' </dev/null >/dev/null 2>&1
        t0=$EPOCHREALTIME found=0
        for ((k = 0; k < 1000; k++)); do
            grep -qF "$guid" "$jsonl" 2>/dev/null && { found=1; break; }
            sleep 0.01
        done
        t1=$EPOCHREALTIME
        if [ $found = 1 ]; then lat+=("$(calc "($t1 - $t0) * 1000" 0)"); else miss "service: no event for a new product in 10 s"; fi
        sleep 1
    done
    [ ${#lat[@]} -gt 0 ] && echo "  registry change to its event in events.jsonl: median $(median "${lat[@]}") ms of ${#lat[@]} (${lat[*]}; the policy's change_debounce_ms is 500)"
    # Idle again: no scan logged for 3 s (a change seen during a scan is
    # scanned once more after it).
    local scans last=-1 still=0
    for ((i = 0; i < 600 && still < 30; i++)); do
        scans=$(grep -c 'scan (' "$log" 2>/dev/null)
        if [ "$scans" = "$last" ]; then still=$((still + 1)); else still=0; last=$scans; fi
        sleep 0.1
    done
    memory "banwatch service, idle again" "$spid" banwatch.exe
    own=$(calc "($mem_own_kb - $base) / 1024" 2)
    echo "  banwatch's private memory after those scans: $own MB"
    if [ "$(calc "$own > 8" 0)" = 1 ]; then
        miss "service: $own MB of private memory while idle (target: under 8)"
    fi
    "$BW_WINE" net stop banwatch </dev/null >/dev/null 2>&1
    "$BW_WINE" 'C:\bench\banwatch.exe' uninstall </dev/null >/dev/null 2>&1
    server_stop
    prefix_done
}

# ---------------------------------------------------------------- main

: >"$work/stderr"
case ",$only," in *,startup,*) startup ;; esac
if [[ ",$only," == *,scan,* ]]; then
    IFS=, read -r -a size_list <<<"$sizes"
    for n in "${size_list[@]}"; do scan_size "$n"; done
    linearity
fi
case ",$only," in *,service,*) service "$svc_size" ;; esac

echo
if [ ${#missed[@]} -gt 0 ]; then
    echo "targets clearly missed: ${#missed[@]}"
    printf '  %s\n' "${missed[@]}"
    [ $check = 1 ] && exit 1
else
    echo "no target clearly missed"
fi
exit 0
