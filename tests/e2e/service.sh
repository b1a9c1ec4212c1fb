#!/usr/bin/env bash
# service.sh - the resident service end to end under Wine:
#   install -> start by the SCM -> a Kaspersky footprint appears in the
#   registry -> "new finding" events (Event Log via Wine's ReportEventW
#   trace, and the JSON-lines file), the finding in the database ->
#   a version change -> stop/start raises no duplicates -> the footprint is
#   removed -> "resolved" events -> heartbeat -> a corrupt database is moved
#   aside and reported -> a database that cannot be opened is reported once
#   -> uninstall leaves no service and no source.
# Prints the measured latency from a registry change to its event.
#
# Usage: tests/e2e/service.sh --exe banwatch.exe [--work DIR]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

exe="" work="$top/build/e2e"
while [ $# -gt 0 ]; do
    case $1 in
        --exe) exe=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: $0 --exe banwatch.exe [--work DIR]" >&2; exit 2 ;;
    esac
done
[ -f "$exe" ] || { echo "service.sh: no exe '$exe'" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)

bw_session_prefix "$work" service || { echo "service.sh: $BW_REASON" >&2; exit 2; }
data="$pfx/drive_c/ProgramData/banwatch"
jsonl="$data/events.jsonl"
trace="$work/service-wine-trace.log"
: > "$trace"
mkdir -p "$pfx/drive_c/banwatch" "$data"
cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"
# Short timings for the test: heartbeat every 3 s, rescans on change only.
sed -e 's/^  heartbeat_interval: .*/  heartbeat_interval: 3/' \
    -e 's/^  change_debounce_ms: .*/  change_debounce_ms: 200/' \
    "$top/policies/kaspersky.yaml" > "$data/policy.yaml"


W() { "$BW_WINE" "$@"; }
BW() { timeout 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' "$@"; }
now_ms() { date +%s%3N; }
reg_import() { # reg_import FILE.reg (UTF-8 in the repo)
    bw_reg_utf16 "$1" "$pfx/drive_c/import.reg" && W reg import 'C:\import.reg' >/dev/null 2>&1
}

# The whole session's Wine debug output goes to the stderr of the process
# that starts it: keep one wineserver for the test, started with the
# channels that show ReportEventW (fixme+advapi: the event ID; +eventlog:
# the insertion strings).
export WINEDEBUG=fixme+advapi,+eventlog
"$BW_WINESERVER" -p 2>>"$trace"
# The first Wine process starts the session's system processes (services.exe
# and friends), which inherit its standard handles and live as long as the
# persistent wineserver: start them with nothing a caller waits on.
W cmd.exe /c exit </dev/null >/dev/null 2>>"$trace"
exec 3>&2 2>>"$trace"

# ---- install
out=$(BW install 2>&1); rc=$?
check "install (exit $rc: $out)" [ $rc -eq 0 ]
out=$(BW install 2>&1); rc=$?
check "install again is safe ($out)" [ $rc -eq 0 ]
svc_key='HKLM\SYSTEM\CurrentControlSet\Services\banwatch'
src_key='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\banwatch'
service_key_ok() {
    local q; q=$(W reg query "$svc_key" 2>/dev/null | tr -d '\r')
    grep -q 'banwatch.exe" service' <<<"$q" && grep -q 'Start[[:space:]]*REG_DWORD[[:space:]]*0x2' <<<"$q" &&
        grep -q 'ObjectName[[:space:]]*REG_SZ[[:space:]]*LocalSystem' <<<"$q"
}
source_ok() { W reg query "$src_key" /v EventMessageFile 2>/dev/null | grep -qi 'banwatch.exe'; }
# jsonl_has FILTER: some record of the JSON-lines file makes FILTER true.
jsonl_has() { jq -c "$1" "$jsonl" 2>/dev/null | grep -qx true; }
status_has() { BW status --json 2>/dev/null | jq -e "$1" >/dev/null; }
# wait_has SECONDS FILTER: polls until some record makes FILTER true (jq -e
# would only look at the last record's result).
wait_has() {
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -le "$deadline" ]; do jsonl_has "$2" && return 0; sleep 0.05; done
    return 1
}
check "service key with LocalSystem, auto start, 'service' argument" service_key_ok
check "Event Log source registered with its message file" source_ok

# ---- start
W net start banwatch >/dev/null 2>&1
check "service started by the SCM raises 100 (agent-started)" wait_for 20 100
check "the first start knows no previous run (100, previous_stop unknown)" \
    jsonl_has 'select((.event.code|tonumber)==100) | .banwatch.previous_stop=="unknown" and .banwatch.detail=="started"'
check "policy loaded from the data directory (102)" \
    jsonl_has 'select((.event.code|tonumber)==102) | .banwatch.detail | test("policy.yaml")'
# An idle service waits on events and timers only: measure the CPU time of
# its process over 2 s with nothing happening (Linux clock ticks, 10 ms).
cpu_ticks() { local pid; pid=$(pgrep -f 'banwatch.exe" service|banwatch.exe service' | head -n 1)
    [ -n "$pid" ] && awk '{print $14 + $15}' "/proc/$pid/stat"; }
idle_cpu_ok() {
    local a b; a=$(cpu_ticks) || return 1; sleep 2; b=$(cpu_ticks) || return 1
    echo "idle CPU: $(( (b - a) * 10 )) ms in 2 s"
    [ $((b - a)) -le 2 ]
}
check "idle service uses no CPU between events" idle_cpu_ok
check "clean machine: no finding events" [ "$(jq -c 'select((.event.code|tonumber) >= 200 and (.event.code|tonumber) < 230)' "$jsonl" | wc -l)" -eq 0 ]
check "clean machine: the first verdict says not found (230, information)" \
    jsonl_has 'select((.event.code|tonumber)==230) | .banwatch.verdict.present=="no" and .log.level=="information" and .banwatch.verdict.headline=="Kaspersky: not found"'


# ---- a footprint appears while it runs
t0=$(now_ms)
reg_import "$top/tests/fixtures/service/footprint.reg"
t1=$(now_ms)
if wait_for 10 200 '{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}'; then
    t2=$(now_ms)
    ok "new product raises 200"
    echo "latency: registry change -> event 200 in the JSON-lines file: $((t2 - t1)) ms after reg import returned ($((t2 - t0)) ms after it started)"
else
    ko "new product raises 200"
fi
check "new driver raises 202 (klif)" wait_for 5 202 klif
check "event 202 reached ReportEventW with its full ID (0x800000ca) and fields" \
    bash -c "grep -q 'ReportEventW.*0x800000ca' '$trace' && grep -q 'ReportEventW L\"klif\"' '$trace'"
check "JSON-lines record carries the SIEM fields" \
    jsonl_has 'select((.event.code|tonumber)==200) | .banwatch.kind=="product" and .package.name=="Kaspersky Endpoint Security for Windows" and .banwatch.finding.publisher=="AO Kaspersky Lab" and .package.version=="12.3.0.493" and (.banwatch.finding.source|test("WOW6432Node")) and .rule.name=="vendor.publishers" and .log.level=="warning" and .host.name != null'
check "status --json shows the finding from the database" \
    status_has '[.findings[] | select(.kind=="driver" and .name=="klif")] | length == 1'
check "the host verdict changed: 230 says the vendor is present (confirmed)" \
    wait_has 10 'select((.event.code|tonumber)==230) | .banwatch.verdict.present=="confirmed"'
check "230 names the product and says what to do next" \
    jsonl_has 'select((.event.code|tonumber)==230 and .banwatch.verdict.present=="confirmed") | (.banwatch.verdict.products|test("Kaspersky Endpoint Security for Windows 12.3.0.493")) and (.banwatch.verdict.next_step|test("^Next: "))'
check "status --json carries the verdict" \
    status_has '.verdict.present == "confirmed" and (.verdict.headline | test("PRESENT"))'
check "status text starts with the verdict" \
    bash -c "BW_OUT=\$(timeout 60 '$BW_WINE' 'C:\\banwatch\\banwatch.exe' status 2>/dev/null | head -n 1); [[ \$BW_OUT == Kaspersky:\ PRESENT* ]]"

# ---- a new version
reg_import "$top/tests/fixtures/service/upgrade.reg"
check "version change raises 220 with old and new version" wait_for 10 220 '{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}'
check "220 says 12.3.0.493 -> 12.4.0.421" \
    jsonl_has 'select((.event.code|tonumber)==220) | .banwatch.old.version=="12.3.0.493" and .package.version=="12.4.0.421"'
check "a new version after the cutoff is update activity too (300, version-change)" \
    jsonl_has 'select((.event.code|tonumber)==300) | .banwatch.evidence=="version-change" and .banwatch.finding.key=="{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}"'
check "a product installed while watched is update activity (300, new-component)" \
    jsonl_has 'select((.event.code|tonumber)==300) | .banwatch.evidence=="new-component" and .banwatch.finding.key=="{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}"'
check "the driver added while watched raised one new-component 300" \
    [ "$(jq -c 'select((.event.code|tonumber)==300 and .banwatch.evidence=="new-component" and .banwatch.finding.key=="klif")' "$jsonl" | wc -l)" -eq 1 ]

# ---- policy reload (SERVICE_CONTROL_PARAMCHANGE)
cp "$data/policy.yaml" "$work/policy.good"
printf 'policy: kaspersky\nversion: "x"\nvendr: {}\n' > "$data/policy.yaml"
out=$(BW reload 2>&1); rc=$?
check "reload asks the service ($out)" [ $rc -eq 0 ]
check "an invalid policy on reload raises 901 naming file:line:column" wait_for 10 901
check "901 names the file, line and column" \
    jsonl_has 'select((.event.code|tonumber)==901) | .banwatch.detail | test("policy.yaml:3:1: ")'
cp "$work/policy.good" "$data/policy.yaml"
BW reload >/dev/null 2>&1
check "a valid policy on reload raises 102 (reloaded)" \
    bash -c "for i in \$(seq 100); do jq -c 'select((.event.code|tonumber)==102) | .banwatch.detail' '$jsonl' | grep -q reloaded && exit 0; sleep 0.05; done; exit 1"

# ---- a policy someone else could change is refused (a second name: a hard link)
ln "$data/policy.yaml" "$work/policy.hardlink"
BW reload >/dev/null 2>&1
check "a hard-linked policy.yaml is refused on reload (905)" wait_for 10 905
check "905 names the file, why and what banwatch does instead" \
    jsonl_has 'select((.event.code|tonumber)==905) | (.file.path | test("policy.yaml$")) and .banwatch.reason == "it has 2 names (hard links)" and .banwatch.effect == "the policy in force stays"'
rm -f "$work/policy.hardlink"
n102=$(count 102)
BW reload >/dev/null 2>&1
check "the same policy with one name loads again (102)" wait_for 10 102 "" $((n102 + 1))

# ---- heartbeat
# (every 3 s: the first may come before the product and driver are found)
check "heartbeat (110) with counts" wait_for 10 110
check "heartbeat counts one product and one driver" \
    wait_has 10 'select((.event.code|tonumber)==110) | .banwatch.counts.product==1 and .banwatch.counts.driver==1'
check "heartbeat carries the host verdict" \
    wait_has 10 'select((.event.code|tonumber)==110) | .banwatch.verdict.present=="confirmed" and (.banwatch.verdict.products|test("Kaspersky Endpoint Security"))'

# ---- restart: no duplicates
before=$(jq -c 'select((.event.code|tonumber) >= 200 and (.event.code|tonumber) < 300)' "$jsonl" | wc -l)
W net stop banwatch >/dev/null 2>&1
check "stop raises 101 (agent-stopped)" wait_for 10 101
W net start banwatch >/dev/null 2>&1
wait_for 20 100 "" 2 || true
sleep 1
after=$(jq -c 'select((.event.code|tonumber) >= 200 and (.event.code|tonumber) < 300)' "$jsonl" | wc -l)
check "restart raises no duplicate finding events ($before before, $after after)" [ "$before" -eq "$after" ]
check "after a stop the next start says the previous run stopped cleanly" \
    [ "$(jq -r 'select((.event.code|tonumber)==100) | .banwatch.previous_stop' "$jsonl" | tail -n 1)" = clean ]

# ---- the footprint goes away
W reg delete 'HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}' /f >/dev/null 2>&1
W reg delete 'HKLM\SYSTEM\CurrentControlSet\Services\klif' /f >/dev/null 2>&1
check "removed product raises 210 (resolved)" wait_for 10 210 '{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}'
check "removed driver raises 210 (resolved)" wait_for 10 210 klif
check "status shows no finding left" status_has '.findings | length == 0'

# ---- update evidence: a stale product, then an update after the cutoff
bases="$pfx/drive_c/ProgramData/Kaspersky Lab/AVP21.19/Bases"
mkdir -p "$bases"
cp "$top/tests/fixtures/machines/bases-stale/drive_c/ProgramData/Kaspersky Lab/AVP21.19/Bases/"* "$bases/"
touch -m -d '2024-09-20 06:00 UTC' "$bases"/*
reg_import "$top/tests/fixtures/machines/bases-stale/footprint.reg"
check "installed product with signatures from 2024-09-20 raises 301 (stale protection)" \
    wait_for 10 301
check "301 names the product, its newest date and the threshold" \
    jsonl_has 'select((.event.code|tonumber)==301) | .banwatch.finding.key=="AVP21.19" and .banwatch.evidence_date=="2024-09-20T06:00:00Z" and .banwatch.threshold_days==7 and (.banwatch.age_days|type)=="number"'
# 300s from signature evidence (not from product changes)
sig300() { [ -f "$jsonl" ] && jq -c 'select((.event.code|tonumber) == 300 and .banwatch.evidence != "version-change" and .banwatch.evidence != "new-component")' "$jsonl" | wc -l || echo 0; }
check "signatures from before the cutoff raise no 300" [ "$(sig300)" -eq 0 ]
# A new bases index, dated after the cutoff, written while the service runs:
# the folder watch must see it (Wine: in a subfolder that existed before).
mkdir -p "$bases/index"
sleep 0.5
t1=$(now_ms)
printf '<Index UpdateDate="15102024 0300"><Update CompID="KDBEFI" Date="15102024 0300"/></Index>\n' \
    > "$bases/index/u0607g.xml"
wait_sig300() { local deadline=$((SECONDS + $1)); while [ "$SECONDS" -le "$deadline" ]; do
    [ "$(sig300)" -ge "$2" ] && return 0; sleep 0.02; done; return 1; }
if wait_sig300 5 1; then
    t2=$(now_ms)
    ok "update after the cutoff raises 300"
    echo "latency: new bases index -> event 300 in the JSON-lines file: $((t2 - t1)) ms"
    check "300 within 2 s of the change" [ $((t2 - t1)) -le 2000 ]
else
    ko "update after the cutoff raises 300"
fi
check "300 carries the evidence, its source and the cutoff" \
    jsonl_has 'select((.event.code|tonumber)==300) | .banwatch.finding.key=="AVP21.19" and .banwatch.evidence_date=="2024-10-15T03:00:00Z" and .banwatch.evidence=="bases-index" and (.banwatch.evidence_source|test("u0607g.xml")) and .banwatch.cutoff=="2024-09-29T04:00:00Z"'
# Evidence that appears while the service is stopped is reported once at
# the next start, and only once.
W net stop banwatch >/dev/null 2>&1
wait_for 10 101 "" 3 || true
printf '<Index UpdateDate="01112024 1200"/>\n' > "$bases/index/u0607g.xml"
W net start banwatch >/dev/null 2>&1
check "catch-up at start: the newer date is reported (300)" wait_sig300 20 2
check "catch-up reports 2024-11-01T12:00:00Z" \
    jsonl_has 'select((.event.code|tonumber)==300) | .banwatch.evidence_date=="2024-11-01T12:00:00Z"'
check "status --json shows the update status (AVP21.19 after the cutoff)" \
    status_has '.updates | any(.product == "AVP21.19" and .after_cutoff == true)'
before300=$(sig300) before301=$(count 301)
W net stop banwatch >/dev/null 2>&1
wait_for 10 101 "" 4 || true
W net start banwatch >/dev/null 2>&1
wait_for 20 100 "" 4 || true
sleep 1
check "a restart raises no 300 or 301 again ($before300/$before301 before, $(sig300)/$(count 301) after)" \
    [ "$(sig300)" -eq "$before300" -a "$(count 301)" -eq "$before301" -a "$before300" -eq 2 ]

# ---- a gap holds back only what its own source could have found
reg_import "$top/tests/fixtures/service/unreadable.reg"
check "a product with unreadable update evidence raises 200" \
    wait_for 10 200 '{3A9F0C61-58E2-4D7B-9C14-E2B06F7A5D38}'
check "the unreadable evidence is reported (902 names LastSuccessfulUpdate)" \
    wait_has 10 'select((.event.code|tonumber)==902) | .banwatch.detail | test("AVP21.3.Data.LastSuccessfulUpdate: wrong value type REG_MULTI_SZ")'
W reg delete 'HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{3A9F0C61-58E2-4D7B-9C14-E2B06F7A5D38}' /f >/dev/null 2>&1
check "removed product raises 210 although the scan is still incomplete" \
    wait_for 10 210 '{3A9F0C61-58E2-4D7B-9C14-E2B06F7A5D38}'
check "the last scan was incomplete (the evidence gap remains)" \
    status_has '.last_scan.complete == false'
check "the vendor key of the product is still a finding" \
    status_has '[.findings[] | select(.kind=="registry" and .name=="AVP21.3")] | length == 1'

# ---- a corrupt database is moved aside and reported
W net stop banwatch >/dev/null 2>&1
wait_for 10 101 "" 5 || true
head -c 8192 /dev/urandom > "$data/state.db"
rm -f "$data/state.db-wal" "$data/state.db-shm"
W net start banwatch >/dev/null 2>&1
check "corrupt database: 900 raised and the service keeps running" wait_for 20 900
check "corrupt database moved aside" bash -c "ls '$data' | grep -q '^state.db.corrupt-'"
check "900 says why the old file was refused" \
    jsonl_has 'select((.event.code|tonumber)==900) | .banwatch.detail | test("damaged \\([^)]+\\)")'
check "service running after recreating its database" wait_for 10 100 "" 5

# ---- a database that cannot be opened is reported once, the service runs on
W net stop banwatch >/dev/null 2>&1
wait_for 10 101 "" 6 || true
mv "$data/state.db" "$data/state.db.keep"
rm -f "$data/state.db-wal" "$data/state.db-shm"
mkdir "$data/state.db"   # a directory where the file should be: SQLite cannot open it
W net start banwatch >/dev/null 2>&1
check "unopenable database: 903 raised and the service keeps running" wait_for 20 903
check "service running without its database" wait_for 10 100 "" 6
check "903 names the database and the reason" \
    jsonl_has 'select((.event.code|tonumber)==903) | .banwatch.detail | test("state.db: .+")'
n102=$(count 102)
BW reload >/dev/null 2>&1
wait_for 10 102 "" $((n102 + 1)) || true
sleep 1 # the rescan after the reload
check "903 not raised again for the same reason at the next scan" [ "$(count 903)" -eq 1 ]
W net stop banwatch >/dev/null 2>&1
wait_for 10 101 "" 7 || true
rmdir "$data/state.db" && mv "$data/state.db.keep" "$data/state.db"

# ---- uninstall
out=$(BW uninstall 2>&1); rc=$?
check "uninstall ($out)" [ $rc -eq 0 ]
check "no service key left" bash -c "! WINEPREFIX='$pfx' '$BW_WINE' reg query '$svc_key' >/dev/null 2>&1"
check "no event source left" bash -c "! WINEPREFIX='$pfx' '$BW_WINE' reg query '$src_key' >/dev/null 2>&1"
out=$(BW uninstall 2>&1); rc=$?
check "uninstall again is safe ($out)" [ $rc -eq 0 ]

# Every event this scenario raised, checked against ECS (tests/ecs).
bw_check_ecs "$data"/events.jsonl*

exec 2>&3
"$BW_WINESERVER" -k 2>/dev/null || true
"$BW_WINESERVER" -w 2>/dev/null || true
[ "$failed" -eq 0 ] && rm -rf "$pfx"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
