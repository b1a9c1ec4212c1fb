#!/usr/bin/env bash
# crash.sh - the service killed hard, again and again, under Wine:
#   install -> start -> a machine with many Uninstall entries (long scans)
#   -> a loop that changes the registry and kills the service process with
#   SIGKILL (no stop, no clean-up: what a crash, TerminateProcess or a power
#   cut leaves, minus the disk cache) while it works, then starts it again:
#     scan   a burst of new vendor products, the kill at a random moment
#            while the rescan it starts reads the machine or stores its
#            result
#     write  a larger burst (new products, then a version change of the same
#            products, then their removal), the kill while the agent records
#            the changes and raises and records their alerts
#   After every restart: the database opened without being recreated (no
#   900, no state.db.corrupt-*), the service said it recovered (100 with
#   previous_stop "unclean"). At the end: every change was raised exactly
#   once (events.jsonl and the alerts table: no finding event 200-220 twice
#   for one change, no 230 twice in a row for one verdict, none missing), no
#   change is left pending, the findings are the registry's, the database
#   passes its integrity check, every line of events.jsonl is whole, and a
#   clean stop is reported as one.
# Wine's service control manager does not carry out the failure actions
# (restart after a minute, banwatch install sets them): the script starts
# the service again with `net start`, as the SCM would.
# Then, when a tmpfs can be mounted for the data folder: its disk fills up
# while the service runs (903 once, nothing stored, nothing damaged), then
# gets room again (every change made meanwhile raised once).
# Prints the loop's figures (iterations, kills by phase, restarts,
# duplicates, missing).
#
# Usage: tests/e2e/crash.sh --exe banwatch.exe [--work DIR] [--iterations N]
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on any
# failure (2: could not set up). The loop stops early, with a note, when it
# has run for 200 s (two slow cores), so the script stays under 5 minutes.
# Everything stays in DIR: crash-prefix/ (kept after a failure, or with
# BW_KEEP=1), crash-out/ (the per-iteration record), crash-wine-trace.log.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: $0 --exe banwatch.exe [--work DIR] [--iterations N]" >&2; exit 2; }
exe="" work="$top/build/e2e" iterations=36
while [ $# -gt 0 ]; do
    case $1 in
        --exe) [ $# -ge 2 ] || usage; exe=$2; shift 2 ;;
        --work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
        --iterations) [ $# -ge 2 ] || usage; iterations=$2; shift 2 ;;
        *) usage ;;
    esac
done
[ -f "$exe" ] || { echo "crash.sh: no exe '$exe'" >&2; exit 2; }
command -v jq >/dev/null || { echo "crash.sh: jq not found" >&2; exit 2; }
command -v python3 >/dev/null || { echo "crash.sh: python3 not found" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)
loop_budget=180   # seconds of killing and restarting at most
n_noise=2500      # Uninstall entries of other vendors: what makes a scan long
b_scan=25         # products per burst of a "scan" iteration
b_write=120       # products per burst of a "write" iteration

bw_session_prefix "$work" crash || { echo "crash.sh: $BW_REASON" >&2; exit 2; }
data="$pfx/drive_c/ProgramData/banwatch"
jsonl="$data/events.jsonl"
out="$work/crash-out"
trace="$work/crash-wine-trace.log"
rm -rf "$out"; mkdir -p "$out"
: > "$trace"
mkdir -p "$pfx/drive_c/banwatch" "$data"
# The data folder on a tmpfs of its own, when one can be mounted (root with
# CAP_SYS_ADMIN): the last part fills it up.
tmpfs=0
if [ "${BW_NO_TMPFS:-0}" != 1 ] && mount -t tmpfs -o size=64m,mode=0755 tmpfs "$data" 2>/dev/null; then
    tmpfs=1
    trap 'umount -l "$data" 2>/dev/null' EXIT
fi
cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"
# Rescans 100 ms after a change; no heartbeat or interval scan in the way.
sed -e 's/^  change_debounce_ms: .*/  change_debounce_ms: 100/' \
    "$top/policies/kaspersky.yaml" > "$data/policy.yaml"

W() { "$BW_WINE" "$@"; }
BW() { timeout 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' "$@"; }
lines() { [ -f "$jsonl" ] && wc -l < "$jsonl" || echo 0; }
count() { [ -f "$jsonl" ] && jq -c --argjson id "$1" 'select(.event.code == ($id|tostring))' "$jsonl" | wc -l || echo 0; }
# The service's log, rotations included (oldest first).
svclog() { local f; for f in "$data"/banwatch.log.3 "$data"/banwatch.log.2 "$data"/banwatch.log.1 "$data"/banwatch.log; do
    [ -f "$f" ] && cat "$f"; done; return 0; }
starts_done() { svclog | grep -c ' scan (start): '; }
# The service process of this session's prefix only: other Wine sessions
# on the machine may run a banwatch service too, and are never touched.
svc_pid() {
    local p
    for p in $(pgrep -f 'banwatch.exe" service|banwatch.exe service'); do
        tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "WINEPREFIX=$pfx" && { echo "$p"; return 0; }
    done
    return 0
}
no_service() { [ -z "$(svc_pid)" ]; }
wait_until() { # wait_until SECONDS CMD...: polls CMD every 20 ms
    local deadline=$((SECONDS + $1)); shift
    while [ "$SECONDS" -le "$deadline" ]; do "$@" && return 0; sleep 0.02; done
    return 1
}
reg_import() { # reg_import NAME: imports $out/NAME.reg (UTF-8)
    bw_reg_utf16 "$out/$1.reg" "$pfx/drive_c/$1.reg" && W reg import "C:\\$1.reg" >/dev/null 2>&1
}
uninstall_key='HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
# gen_reg NAME KIND BATCH N: a .reg of N products of a batch; KIND new
# (version 1.0.BATCH), bump (2.0.BATCH) or delete.
gen_reg() {
    local name=$1 kind=$2 b=$3 n=$4 j key
    { printf 'Windows Registry Editor Version 5.00\n\n'
      for ((j = 0; j < n; j++)); do
          key=$(printf 'KC%03d-%03d' "$b" "$j")
          case $kind in
          delete) printf '[-%s\\%s]\n\n' "$uninstall_key" "$key" ;;
          *) printf '[%s\\%s]\n"DisplayName"="Kaspersky Crash Component %s"\n"Publisher"="AO Kaspersky Lab"\n"DisplayVersion"="%s.0.%d"\n\n' \
                 "$uninstall_key" "$key" "$key" "$([ "$kind" = bump ] && echo 2 || echo 1)" "$b" ;;
          esac
          # what must be raised once: event and product
          case $kind in new) echo "200 $key" ;; bump) echo "220 $key" ;; delete) echo "210 $key" ;; esac >> "$out/expected-events"
      done
    } > "$out/$name.reg"
}
present_add() { local j; for ((j = 0; j < $2; j++)); do printf 'KC%03d-%03d\n' "$1" "$j"; done >> "$out/present"; }
present_del() { local p; p=$(printf 'KC%03d-' "$1"); grep -v "^$p" "$out/present" > "$out/present.new"; mv "$out/present.new" "$out/present"; }
: > "$out/expected-events"; : > "$out/present"

export WINEDEBUG=-all
"$BW_WINESERVER" -p 2>>"$trace"
W cmd.exe /c exit </dev/null >/dev/null 2>>"$trace"
exec 3>&2 2>>"$trace"

# ---- a machine with many other programs, then the service
{ printf 'Windows Registry Editor Version 5.00\n\n'
  for ((j = 0; j < n_noise; j++)); do
      printf '[%s\\Noise-%05d]\n"DisplayName"="Noise Application %05d"\n"Publisher"="Example Software Ltd"\n"DisplayVersion"="2.%d"\n"InstallLocation"="C:\\\\Program Files\\\\Noise %05d\\\\"\n\n' \
          "$uninstall_key" "$j" "$j" "$j" "$j"
  done; } > "$out/noise.reg"
check "$n_noise other programs in the registry" reg_import noise
out_install=$(BW install 2>&1); rc=$?
check "install (exit $rc: $out_install)" [ $rc -eq 0 ]
W net start banwatch >/dev/null 2>&1
check "service started (100)" wait_until 60 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==100)' '$jsonl' 2>/dev/null | wc -l) -ge 1 ]"
check "start-up scan done" wait_until 60 bash -c "grep -q ' scan (start): ' '$data/banwatch.log'"
scan_ms=$(svclog | sed -n 's/.* scan (start): .*, \([0-9]*\) ms$/\1/p' | tail -n 1)
echo "a scan of this machine takes ${scan_ms:-?} ms"

# ---- the loop
kills=0 kill_scan=0 kill_write=0 restarts=0 restart_failures=0 done_iter=0
at_before=0 at_during=0 at_after=0
batch=0 write_batch=0 write_step=0
t_loop=$SECONDS
printf 'iteration\tphase\tburst\tlines_before\tlines_at_kill\tlines_expected\twhen\n' > "$out/iterations.tsv"
for ((i = 1; i <= iterations; i++)); do
    if [ $((SECONDS - t_loop)) -ge $loop_budget ]; then
        echo "note: the loop stopped after $((i - 1)) iterations ($loop_budget s budget)"
        break
    fi
    base=$(lines)
    pid=$(svc_pid) # before the burst: the kill must not wait for pgrep
    if [ -z "$pid" ]; then
        ko "iteration $i: no service process to kill"
        break
    fi
    if [ $((i % 2)) -eq 1 ]; then
        # scan: new products; the kill lands while the rescan reads the
        # machine or stores what it found
        phase=scan batch=$((batch + 1))
        gen_reg "it$i" new "$batch" "$b_scan"; present_add "$batch" "$b_scan"
        want=$((b_scan * 2 + 1)) # 200 and 300 (installed after the cutoff) each, and 230
        reg_import "it$i"
        d=$((RANDOM % (${scan_ms:-500} + 150)))
        sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
    else
        # write: a larger burst; the kill lands while its changes are
        # stored and their alerts raised and recorded
        phase=write
        case $((write_step % 3)) in
        0) batch=$((batch + 1)); write_batch=$batch
           gen_reg "it$i" new "$write_batch" "$b_write"; present_add "$write_batch" "$b_write"
           burst="new"; want=$((b_write * 2 + 1)) ;;
        1) gen_reg "it$i" bump "$write_batch" "$b_write"; burst="version change"; want=$((b_write * 2 + 1)) ;;
        2) gen_reg "it$i" delete "$write_batch" "$b_write"; present_del "$write_batch"
           burst="removal"; want=$((b_write + 1)) ;;
        esac
        write_step=$((write_step + 1))
        reg_import "it$i"
        # kill once a random part of the first half of the burst's events is
        # out (the second half comes faster than a poll)
        target=$((base + 1 + RANDOM % (want / 2)))
        last=-1 since=${EPOCHREALTIME/./}
        while :; do
            n=$(lines)
            [ "$n" -ge "$target" ] && break
            if [ "$n" -ne "$last" ]; then last=$n since=${EPOCHREALTIME/./}; fi
            [ $((${EPOCHREALTIME/./} - since)) -ge 5000000 ] && break # nothing new for 5 s
        done
    fi
    at=$(lines)
    kill -9 "$pid"
    kills=$((kills + 1))
    if [ "$phase" = scan ]; then kill_scan=$((kill_scan + 1)); else kill_write=$((kill_write + 1)); fi
    if [ "$at" -le "$base" ]; then when=before; at_before=$((at_before + 1))
    elif [ "$at" -lt $((base + want)) ]; then when=during; at_during=$((at_during + 1))
    else when=after; at_after=$((at_after + 1)); fi
    printf '%d\t%s\t%s\t%d\t%d\t%d\t%s\n' "$i" "$phase" "${burst:-new}" "$base" "$at" $((base + want)) "$when" >> "$out/iterations.tsv"
    burst=""
    wait_until 20 bash -c "! kill -0 $pid 2>/dev/null" || { ko "iteration $i: the killed process is still there"; break; }
    # start it again, as the SCM's failure actions would (Wine does not)
    n100=$(count 100) nstart=$(starts_done) started=0
    for try in 1 2 3; do
        { echo "iteration $i, start $try:"; W net start banwatch; W sc query banwatch; } >> "$out/restarts.log" 2>&1
        if wait_until 60 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==100)' '$jsonl' | wc -l) -gt $n100 ]"; then
            started=1; break
        fi
    done
    if [ $started = 0 ]; then
        restart_failures=$((restart_failures + 1)); ko "iteration $i: the service did not start again"; break
    fi
    restarts=$((restarts + 1))
    # settled: the start-up scan is done (it sees everything the burst wrote)
    if ! wait_until 60 bash -c "[ \$(cat '$data'/banwatch.log* 2>/dev/null | grep -c ' scan (start): ') -gt $nstart ]"; then
        ko "iteration $i: the start-up scan did not finish"; break
    fi
    done_iter=$i
done
loop_s=$((SECONDS - t_loop))

# ---- after the loop
check "every restart opened the database as it was (no 900)" [ "$(count 900)" -eq 0 ]
check "no database was moved aside as damaged" bash -c "! ls '$data' | grep -q '^state.db.corrupt-'"
unclean=$(jq -c 'select((.event.code|tonumber)==100 and .banwatch.previous_stop=="unclean" and .banwatch.detail=="recovered after an unclean stop" and .banwatch.previous_start != null)' "$jsonl" | wc -l)
check "every start after a kill said it recovered after an unclean stop ($unclean of $kills)" [ "$unclean" -eq "$kills" ]

# A clean stop and start: reported as clean, and the last check of the state.
n101=$(count 101) n100=$(count 100) nstart=$(starts_done)
W net stop banwatch >/dev/null 2>&1
check "a clean stop raises 101" wait_until 30 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==101)' '$jsonl' | wc -l) -gt $n101 ]"
wait_until 20 no_service || true
W net start banwatch >/dev/null 2>&1
check "started again" wait_until 60 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==100)' '$jsonl' | wc -l) -gt $n100 ]"
wait_until 60 bash -c "[ \$(cat '$data'/banwatch.log* 2>/dev/null | grep -c ' scan (start): ') -gt $nstart ]" || true
check "after a clean stop the start says so (previous_stop clean)" \
    [ "$(jq -r 'select((.event.code|tonumber)==100) | .banwatch.previous_stop' "$jsonl" | tail -n 1)" = clean ]
BW status --json > "$out/status.json" 2>/dev/null
n101=$(count 101)
W net stop banwatch >/dev/null 2>&1
wait_until 30 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==101)' '$jsonl' | wc -l) -gt $n101 ]" || true
wait_until 20 no_service || true

check "every line of events.jsonl is a whole JSON record" jq -c . "$jsonl" >/dev/null
# Duplicates: one finding event per change (event, finding, versions), and
# no verdict raised twice in a row.
jq -r 'select((.event.code|tonumber) >= 200 and (.event.code|tonumber) < 230) | [.event.code, .banwatch.kind, .banwatch.finding.source, .banwatch.finding.key, (.package.version // .banwatch.finding.version), .banwatch.old.version] | @json' \
    "$jsonl" | LC_ALL=C sort | uniq -d > "$out/duplicates"
jq -c 'select((.event.code|tonumber) == 230) | del(."@timestamp")' "$jsonl" | uniq -d >> "$out/duplicates"
dups=$(wc -l < "$out/duplicates")
check "no finding event raised twice for the same change ($dups duplicate(s), see crash-out/duplicates)" [ "$dups" -eq 0 ]
jq -r 'select((.event.code|tonumber) == 200 or (.event.code|tonumber) == 210 or (.event.code|tonumber) == 220) | .banwatch.finding.key as $k | select($k | startswith("KC")) | "\(.event.code) \($k)"' \
    "$jsonl" | LC_ALL=C sort -u > "$out/raised-events"
LC_ALL=C sort -u "$out/expected-events" > "$out/expected-sorted"
missing=$(LC_ALL=C comm -23 "$out/expected-sorted" "$out/raised-events" | tee "$out/missing" | wc -l)
extra=$(LC_ALL=C comm -13 "$out/expected-sorted" "$out/raised-events" | wc -l)
check "every change raised: $(wc -l < "$out/expected-sorted") expected, $missing missing, $extra unexpected" \
    [ "$missing" -eq 0 -a "$extra" -eq 0 ]
jq -r '.findings[] | select(.key | startswith("KC")) | .key' "$out/status.json" | LC_ALL=C sort > "$out/findings"
LC_ALL=C sort "$out/present" > "$out/present-sorted"
check "the findings are what the registry holds ($(wc -l < "$out/findings") of $(wc -l < "$out/present-sorted"))" \
    cmp -s "$out/findings" "$out/present-sorted"
# The database, read directly (the service is stopped).
python3 - "$data/state.db" "$jsonl" > "$out/db-check" 2>&1 <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = lambda sql: db.execute(sql).fetchone()[0]
print("integrity", q("PRAGMA integrity_check"))
print("pending", q("SELECT count(*) FROM changes WHERE id NOT IN"
                   " (SELECT change_id FROM alerts WHERE change_id IS NOT NULL)"))
print("alerts_per_change_max", q("SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM alerts"
                                 " WHERE change_id IS NOT NULL GROUP BY change_id)"))
print("change_alerts", q("SELECT count(*) FROM alerts WHERE change_id IS NOT NULL"))
n = 0
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        if 200 <= int(json.loads(line)["event"]["code"]) < 230:
            n += 1
print("change_events", n)
EOF
dbv() { sed -n "s/^$1 //p" "$out/db-check"; }
check "the database passes its integrity check ($(dbv integrity))" [ "$(dbv integrity)" = ok ]
check "no change left pending in the database ($(dbv pending))" [ "$(dbv pending)" = 0 ]
agree() { [ -n "$(dbv change_alerts)" ] && [ "$(dbv change_alerts)" = "$(dbv change_events)" ] &&
    [ "$(dbv alerts_per_change_max)" = 1 ]; }
check "the alerts table and events.jsonl agree: $(dbv change_alerts) change alerts recorded, $(dbv change_events) finding events written" agree

pending_raised=$(svclog | sed -n 's/.*raising \([0-9]*\) change(s) .*/\1/p' | awk '{s += $1} END {print s + 0}')
doubt_sent=$(svclog | grep -c 'begun by a run that ended without stopping: its record is in events.jsonl')
doubt_again=$(svclog | grep -c 'begun by a run that ended without stopping: its record is not in events.jsonl')
echo
echo "crash loop: $done_iter iterations in $loop_s s; $kills kills ($kill_scan during a scan, $kill_write during a database write);"
echo "  at the kill: $at_before before the burst's first event, $at_during while its events were raised, $at_after after the last one;"
echo "  $restarts restarts ($restart_failures failed); changes a killed run had stored and a restart raised: $pending_raised;"
echo "  alerts in doubt after a kill: $doubt_sent had reached events.jsonl (kept), $doubt_again had not (raised again);"
echo "  database recreated: $(count 900); duplicates found: $dups; missing: $missing"
check "the loop ran at least 30 iterations (or its time budget)" \
    [ "$done_iter" -ge 30 -o "$loop_s" -ge "$loop_budget" ]

# Every event of the crash loop, checked against ECS (tests/ecs).
bw_check_ecs "$data"/events.jsonl*

# ---- a full disk: the data folder's file system fills up while the
# service runs, then gets room again
exec 2>&3
"$BW_WINESERVER" -k 2>/dev/null || true
"$BW_WINESERVER" -w 2>/dev/null || true
if [ $tmpfs = 1 ]; then
    # A session of its own, whose trace shows what reaches ReportEventW (the
    # files are on the full disk).
    trace2="$work/crash-full-wine-trace.log"
    : > "$trace2"
    export WINEDEBUG=fixme+advapi,+eventlog
    "$BW_WINESERVER" -p 2>>"$trace2"
    W cmd.exe /c exit </dev/null >/dev/null 2>>"$trace2"
    exec 2>>"$trace2"
    n100=$(count 100) nstart=$(starts_done)
    W net start banwatch >/dev/null 2>&1
    wait_until 60 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==100)' '$jsonl' | wc -l) -gt $n100 ]" &&
        wait_until 60 bash -c "[ \$(cat '$data'/banwatch.log* 2>/dev/null | grep -c ' scan (start): ') -gt $nstart ]"
    check "disk full: the service runs on the tmpfs" [ $? -eq 0 ]
    : > "$out/expected-full"
    gen_full() { # gen_full NAME BATCH N: N new products KF<batch>-<i>
        local j key
        { printf 'Windows Registry Editor Version 5.00\n\n'
          for ((j = 0; j < $3; j++)); do
              key=$(printf 'KF%03d-%03d' "$2" "$j")
              printf '[%s\\%s]\n"DisplayName"="Kaspersky Full Disk %s"\n"Publisher"="AO Kaspersky Lab"\n"DisplayVersion"="1.0"\n\n' \
                  "$uninstall_key" "$key" "$key"
              echo "$key" >> "$out/expected-full"
          done; } > "$out/$1.reg"
        bw_reg_utf16 "$out/$1.reg" "$pfx/drive_c/$1.reg"
    }
    gen_full fullA 1 300; gen_full fullB 2 20; gen_full fullC 3 5
    lines_before=$(lines)
    dd if=/dev/zero of="$data/filler" bs=1M 2>/dev/null
    dd if=/dev/zero of="$data/filler2" bs=4k 2>/dev/null
    W reg import 'C:\fullA.reg' >/dev/null 2>&1
    db_full() { grep -a 'ReportEventW L"state.db: apply scan.*database or disk is full (13)"' "$trace2" | wc -l; }
    db_full_seen() { [ "$(db_full)" -ge 1 ]; }
    check "disk full: a scan that cannot be stored raises 903 with the reason" wait_until 60 db_full_seen
    # more changes while it is full: the next scan fails the same way (its
    # end shows as the service going idle: no CPU for a second)
    cpu() { awk '{print $14 + $15}' "/proc/$(svc_pid)/stat" 2>/dev/null || echo 0; }
    c0=$(cpu)
    busy() { [ "$(cpu)" -gt "$c0" ]; }
    W reg import 'C:\fullB.reg' >/dev/null 2>&1
    wait_until 20 busy || true
    c1=-1
    for ((k = 0; k < 30; k++)); do c2=$(cpu); [ "$c2" = "$c1" ] && break; c1=$c2; sleep 1; done
    rm -f "$data/filler" "$data/filler2"
    W reg import 'C:\fullC.reg' >/dev/null 2>&1
    all_full() { [ "$(jq -r 'select((.event.code|tonumber)==200) | .banwatch.finding.key' "$jsonl" | grep -c '^KF')" -ge 325 ]; }
    check "room again: the next scan stores and raises every change made meanwhile" wait_until 60 all_full
    check "903 was raised once for the full disk, not at every failing scan ($(db_full))" [ "$(db_full)" -eq 1 ]
    check "the log says the database works again" \
        bash -c "grep -q 'the state database works again (was: state.db: apply scan.*database or disk is full (13))' '$data/banwatch.log'"
    jq -r 'select((.event.code|tonumber)==200) | .banwatch.finding.key | select(startswith("KF"))' "$jsonl" | LC_ALL=C sort > "$out/raised-full"
    check "each product added while the disk was full is raised once ($(wc -l < "$out/raised-full") of 325)" \
        bash -c "LC_ALL=C sort '$out/expected-full' | cmp -s - '$out/raised-full'"
    check "no 900: a full disk does not make the database look damaged" [ "$(count 900)" -eq 0 ]
    check "every line of events.jsonl is whole after the full disk" jq -c . "$jsonl" >/dev/null
    jsonl_906=$(grep -a 'ReportEventW L".*events.jsonl"' "$trace2" | wc -l)
    lost=$(sed -n 's/.*events.jsonl is written again; \([0-9]*\) line(s) could not be written/\1/p' "$data/banwatch.log" | tail -n 1)
    echo "disk full: 903 raised $(db_full) time(s); events.jsonl refused ${lost:-no} line(s) (906 about it: $jsonl_906)"
    n101=$(count 101)
    W net stop banwatch >/dev/null 2>&1
    wait_until 30 bash -c "[ \$(jq -c 'select((.event.code|tonumber)==101)' '$jsonl' | wc -l) -gt $n101 ]" || true
    exec 2>&3
    "$BW_WINESERVER" -k 2>/dev/null || true
    "$BW_WINESERVER" -w 2>/dev/null || true
    python3 -c "import sqlite3,sys; print(sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True).execute('PRAGMA integrity_check').fetchone()[0])" \
        "$data/state.db" > "$out/db-full-check" 2>&1
    check "the database passes its integrity check after the full disk ($(cat "$out/db-full-check"))" \
        [ "$(cat "$out/db-full-check")" = ok ]
    [ "$failed" -eq 0 ] || cp -a "$data" "$out/data" 2>/dev/null
    umount "$data" 2>/dev/null || umount -l "$data" 2>/dev/null
    trap - EXIT
else
    echo "note: the full-disk part needs a tmpfs (root with CAP_SYS_ADMIN); skipped"
fi

if [ "$failed" -eq 0 ] && [ "${BW_KEEP:-0}" != 1 ]; then rm -rf "$pfx"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
