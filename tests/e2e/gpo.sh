#!/usr/bin/env bash
# gpo.sh - Group Policy end to end under Wine: the service installed in a
# fresh prefix seeded with a Kaspersky footprint (tests/fixtures/service/
# contain.reg) and fake vendor services (tests/e2e/fakesvc.exe as AVP and
# ksnproxy, a dummy WinDefend as another anti-virus), started by the SCM in
# audit mode; then values are written under HKLM\SOFTWARE\Policies\banwatch
# with `reg add` while it runs, and each takes effect without a restart:
#
#   start          102 says nothing came from Group Policy; audit (400)
#   heartbeat      HeartbeatInterval=2: 102 "reloaded after a Group Policy
#                  change" names service.heartbeat_interval; heartbeats
#                  (110) follow every 2 s instead of every hour
#   enforce        ContainmentMode=enforce: 102 with mode enforce, naming
#                  mode, raised before AVP and ksnproxy are disabled (401)
#                  and stopped (402)
#   invalid        ScanInterval=0 and StaleAfterDays as REG_SZ: 901 naming
#                  the registry value and the reason; the rest stays
#   scan           `banwatch scan` (text and JSON) uses the service's policy
#                  file and names the settings that came from Group Policy
#   policy file    PolicyFile in the data folder: its policy in force (102);
#                  in a folder others may change: refused (905), the policy
#                  in force stays; removed: policy.yaml again
#   JSON lines     JsonLines=0: events.jsonl is no longer written (the
#                  Event Log and the service log still are); JsonLinesPath
#                  in the data folder: events go there; in a folder others
#                  may change: refused (905)
#   removed        the key deleted: 102 with nothing from Group Policy, audit
# and the service was never restarted (one 100).
#
# Usage: tests/e2e/gpo.sh --exe banwatch.exe --svc fakesvc.exe [--work DIR]
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on any
# failure (2: could not set up). Everything stays in DIR: gpo-prefix/ (kept
# after a failure, or with BW_KEEP=1), gpo-out/ (scan output),
# gpo-wine-trace.log (the session's Wine stderr).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: $0 --exe banwatch.exe --svc fakesvc.exe [--work DIR]" >&2; exit 2; }
exe="" svc="" work="$top/build/e2e"
while [ $# -gt 0 ]; do
    case $1 in
        --exe) [ $# -ge 2 ] || usage; exe=$2; shift 2 ;;
        --svc) [ $# -ge 2 ] || usage; svc=$2; shift 2 ;;
        --work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
        *) usage ;;
    esac
done
[ -f "$exe" ] || { echo "gpo.sh: no exe '$exe'" >&2; exit 2; }
[ -f "$svc" ] || { echo "gpo.sh: no fake service exe '$svc' (build target fakesvc)" >&2; exit 2; }
command -v jq >/dev/null || { echo "gpo.sh: jq not found" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)
t_start=$SECONDS
# fd 3: the terminal's stderr, for the checks' explanations (fd 2 goes to
# the Wine trace once the session runs).
exec 3>&2

bw_session_prefix "$work" gpo || { echo "gpo.sh: $BW_REASON" >&2; exit 2; }
data="$pfx/drive_c/ProgramData/banwatch"
jsonl="$data/events.jsonl"
gp_jsonl="$data/gp-events.jsonl"
svclog="$pfx/drive_c/fakesvc.log"
log="$data/banwatch.log"
trace="$work/gpo-wine-trace.log"
out_dir="$work/gpo-out"
rm -rf "$out_dir"; mkdir -p "$out_dir" "$data" "$pfx/drive_c/banwatch" "$pfx/drive_c/tools"
: > "$trace"

cleanup() { bw_prefix_stop "$pfx"; }
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM

W() { timeout -k 5 30 "$BW_WINE" "$@"; }
BW() { timeout -k 5 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' "$@"; }
GP='HKLM\SOFTWARE\Policies\banwatch'
gp_set() { # gp_set NAME TYPE DATA: one value, written as Group Policy writes it
    W reg add "$GP" /v "$1" /t "$2" /d "$3" /f >/dev/null 2>&1 || echo "  reg add $1 failed" >&3
}

# ---- events
count() { # count EVENT_ID [SERVICE] [FILE]
    local f=${3:-$jsonl}
    [ -f "$f" ] || { echo 0; return; }
    jq -c --arg id "$1" --arg s "${2:-}" \
        'select(.event.code == $id and ($s == "" or .service.name == $s))' "$f" 2>/dev/null | wc -l
}
wait_for() { # wait_for SECONDS EVENT_ID [SERVICE] [MIN] [FILE]
    local deadline=$((SECONDS + $1)) min=${4:-1}
    while [ "$SECONDS" -le "$deadline" ]; do
        [ "$(count "$2" "${3:-}" "${5:-}")" -ge "$min" ] && return 0
        sleep 0.05
    done
    return 1
}
lines() { [ -f "$jsonl" ] && wc -l <"$jsonl" || echo 0; }
# since N FILTER: some record after line N makes FILTER true
since() { tail -n +"$(($1 + 1))" "$jsonl" 2>/dev/null | jq -c "$2" 2>/dev/null | grep -qx true; }
wait_since() { # wait_since SECONDS N FILTER
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -le "$deadline" ]; do since "$2" "$3" && return 0; sleep 0.05; done
    echo "  no record after line $2 with $3; last 102: $(jq -c 'select(.event.code == "102")' "$jsonl" 2>/dev/null | tail -n 1)" >&3
    return 1
}
log_has() { [ -f "$log" ] && tr -d '\r' <"$log" | grep -q -- "$1"; }
wait_log() { # wait_log SECONDS TEXT: the service log gets a line with TEXT
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -le "$deadline" ]; do log_has "$2" && return 0; sleep 0.05; done
    echo "  the service log has no line with: $2" >&3
    return 1
}

# ---- services
state_of() {
    local s
    s=$(W sc query "$1" 2>/dev/null | tr -d '\r' | awk '$1 == "STATE" { print $4; exit }')
    echo "${s:-none}"
}
wait_state() { # wait_state SECONDS NAME STATE
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -le "$deadline" ]; do
        [ "$(state_of "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    echo "  $2 is $(state_of "$2"), want $3" >&3
    return 1
}

# ---------------------------------------------------------------- set-up
bw_reg_lint "$top/tests/fixtures/service/contain.reg" || { echo "gpo.sh: $BW_REASON" >&2; exit 2; }
bw_reg_utf16 "$top/tests/fixtures/service/contain.reg" "$pfx/drive_c/contain.reg" \
    || { echo "gpo.sh: $BW_REASON" >&2; exit 2; }
if ! W reg import 'C:\contain.reg' >"$work/gpo-reg-import.log" 2>&1; then
    echo "gpo.sh: reg import of contain.reg failed (see $work/gpo-reg-import.log)" >&2; exit 2
fi
bw_prefix_stop "$pfx"

kes='C:\Program Files (x86)\Kaspersky Lab\Kaspersky Endpoint Security for Windows'
ksc='C:\Program Files (x86)\Kaspersky Lab\Kaspersky Security Center'
mkdir -p "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Endpoint Security for Windows" \
         "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Security Center" \
         "$pfx/drive_c/gpout" "$pfx/drive_c/gpopen"
cp "$svc" "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Endpoint Security for Windows/avp.exe"
cp "$svc" "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Security Center/ksnproxy.exe"
cp "$svc" "$pfx/drive_c/tools/fakesvc.exe"
cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"
# Folders anyone may write to (Wine gives it an access control list from
# the Unix mode: Everyone gets write access).
chmod 0777 "$pfx/drive_c/gpout" "$pfx/drive_c/gpopen"

# The administrator's policy file: audit, hourly scans and heartbeats, a
# quick debounce, WinDefend as the other anti-virus.
{ sed -e 's/^mode: .*/mode: audit/' \
      -e 's/^  scan_interval: .*/  scan_interval: 3600/' \
      -e 's/^  heartbeat_interval: .*/  heartbeat_interval: 3600/' \
      -e 's/^  change_debounce_ms: .*/  change_debounce_ms: 200/' \
      "$top/policies/kaspersky.yaml" \
    | awk '/^containment:/ { skip = 1; next } skip && /^[^ \t#]/ { skip = 0 } !skip'
  printf '\ncontainment:\n  antivirus_services: [WinDefend]\n  stop_timeout: 30\n'
} >"$data/policy.yaml"
grep -q '^  heartbeat_interval: 3600$' "$data/policy.yaml" || { echo "gpo.sh: cannot write policy.yaml" >&2; exit 2; }

exec 2>>"$trace"
"$BW_WINESERVER" -p
WINEDEBUG=fixme+advapi,+eventlog W cmd.exe /c exit </dev/null >/dev/null

W sc create AVP binpath= "\"$kes\\avp.exe\" --stop-delay 500 --log C:\\fakesvc.log" start= auto \
    displayname= "Kaspersky Endpoint Security Service" >/dev/null
W sc create ksnproxy binpath= "\"$ksc\\ksnproxy.exe\" --log C:\\fakesvc.log" start= demand \
    displayname= "Kaspersky Security Center KSN Proxy" >/dev/null
W sc create WinDefend binpath= 'C:\tools\fakesvc.exe --log C:\fakesvc.log' start= auto \
    displayname= "Microsoft Defender Antivirus Service" >/dev/null
for s in AVP ksnproxy WinDefend; do
    W net start "$s" >/dev/null 2>&1
    check "fake service $s runs under the SCM" wait_state 10 "$s" RUNNING
done

# ---------------------------------------------------------------- start
out=$(BW install 2>&1); rc=$?
check "banwatch install (exit $rc: $out)" [ $rc -eq 0 ]
W net start banwatch >/dev/null 2>&1
check "the banwatch service starts (100)" wait_for 20 100
check "102 at start: policy.yaml, audit, nothing from Group Policy" \
    wait_since 10 0 'select(.event.code == "102") | .banwatch.policy.mode == "audit" and .banwatch.policy.from_group_policy == null
        and (.banwatch.detail | test("^loaded from .*policy.yaml"))'
check "audit: would-disable (400) for AVP" wait_for 20 400 AVP
check "audit: nothing disabled (no 401)" [ "$(count 401)" -eq 0 ]

# ---------------------------------------------------------------- heartbeat
n0=$(lines)
gp_set HeartbeatInterval REG_DWORD 2
check "HeartbeatInterval=2: 102 reloaded after a Group Policy change, naming the setting" \
    wait_since 10 "$n0" 'select(.event.code == "102") | (.banwatch.detail | test("^reloaded after a Group Policy change"))
        and (.banwatch.policy.from_group_policy | split(",") | index("service.heartbeat_interval") != null)'
hb0=$(count 110)
check "heartbeats (110) every 2 s now: 2 more within 7 s" wait_for 7 110 "" $((hb0 + 2))

# ---------------------------------------------------------------- enforce
n0=$(lines)
t1=$(date +%s%3N)
gp_set ContainmentMode REG_SZ enforce
if wait_for 20 402 AVP; then
    ok "ContainmentMode=enforce without a restart: AVP stopped (402)"
    echo "latency: reg add -> event 402 for AVP: $(( $(date +%s%3N) - t1 )) ms (AVP takes 0.5 s to stop)"
else
    ko "ContainmentMode=enforce without a restart: AVP stopped (402)"
fi
check "enforce: AVP disabled (401)" wait_for 5 401 AVP
check "enforce: ksnproxy disabled (401) and stopped (402)" \
    bash -c 'for i in $(seq 100); do [ "$(jq -c "select((.event.code == \"401\" or .event.code == \"402\") and .service.name == \"ksnproxy\")" "$0" | wc -l)" -ge 2 ] && exit 0; sleep 0.1; done; exit 1' "$jsonl"
order_ok() { # the first 102 after n0 says enforce from Group Policy and comes before any 401
    tail -n +"$((n0 + 1))" "$jsonl" | jq -se '
        [.[] | .event.code | tonumber] as $ids | ($ids | index(102)) as $p | ($ids | index(401)) as $d
        | $p != null and $d != null and $p < $d
          and (.[$p] | .banwatch.policy.mode == "enforce" and (.banwatch.policy.from_group_policy | split(",") | index("mode") != null)
               and (.banwatch.policy.from_group_policy | split(",") | index("service.heartbeat_interval") != null)
               and (.banwatch.detail | test("reloaded after a Group Policy change.*containment mode from Group Policy value HKLM")))' \
        >/dev/null 2>&1 && return 0
    echo "  after line $n0: $(tail -n +"$((n0 + 1))" "$jsonl" | jq -c 'select(.event.code == "102" or .event.code == "401") | [.event.code, .banwatch.policy.mode, .banwatch.policy.from_group_policy, .service.name]' | head -n 4 | tr '\n' ' ')" >&3
    return 1
}
check "102 (mode enforce, from Group Policy: mode and the heartbeat) is raised before containment acts (401)" order_ok
check "enforce: AVP stopped and Start=4" wait_state 10 AVP STOPPED
check "enforce: WinDefend (the other anti-virus) still running" wait_state 1 WinDefend RUNNING

# ---------------------------------------------------------------- invalid values
n0=$(lines)
gp_set ScanInterval REG_DWORD 0
check "ScanInterval=0: 901 names HKLM\\SOFTWARE\\Policies\\banwatch\\ScanInterval and the range" \
    wait_since 10 "$n0" 'select(.event.code == "901") | .banwatch.detail == "HKLM\\SOFTWARE\\Policies\\banwatch\\ScanInterval: service.scan_interval: value 0 is out of range 1..604800"'
n0=$(lines)
gp_set StaleAfterDays REG_SZ 14
check "StaleAfterDays as REG_SZ: 901 says a REG_DWORD is expected" \
    wait_since 10 "$n0" 'select(.event.code == "901") | .banwatch.detail == "HKLM\\SOFTWARE\\Policies\\banwatch\\StaleAfterDays: expected a REG_DWORD value, got REG_SZ"'
check "the invalid values are not applied: still enforce, heartbeat from Group Policy" \
    bash -c "sleep 1; jq -c 'select(.event.code == \"102\")' '$jsonl' | tail -n 1 | jq -e '.banwatch.policy.mode == \"enforce\" and .banwatch.policy.from_group_policy == \"mode,service.heartbeat_interval\"' >/dev/null"
check "the ScanInterval error was raised once, not again on the next change" \
    [ "$(jq -c 'select(.event.code == "901" and (.banwatch.detail | test("ScanInterval")))' "$jsonl" | wc -l)" -eq 1 ]

# ---------------------------------------------------------------- scan
BW scan --json >"$out_dir/scan.json" 2>"$out_dir/scan.err"; rc=$?
scan_has() { [ "$(jq -r "$1" "$out_dir/scan.json" 2>/dev/null)" = true ] && return 0
    echo "  scan.json policy: $(jq -c '.policy' "$out_dir/scan.json" 2>/dev/null)" >&3; return 1; }
check "scan --json finds the vendor (exit $rc, want 1)" [ $rc -eq 1 ]
check "scan --json: the service's policy file, and the settings Group Policy set" \
    scan_has '(.policy.origin | test("ProgramData\\\\banwatch\\\\policy.yaml$")) and .policy.from_group_policy == "mode,service.heartbeat_interval"'
check "scan --json: containment in enforce mode, from Group Policy" \
    scan_has '.containment.mode == "enforce" and (.containment.mode_source | test("Group Policy value"))'
check "scan warns about the values not applied (stderr)" \
    bash -c "tr -d '\r' <'$out_dir/scan.err' | grep -q 'ScanInterval: service.scan_interval: value 0 is out of range'"
BW scan >"$out_dir/scan.txt" 2>/dev/null
check "scan text: which policy and which settings came from Group Policy" \
    bash -c "tr -d '\r' <'$out_dir/scan.txt' | grep -q '^Policy from C:.*policy.yaml; settings from Group Policy: mode,service.heartbeat_interval$'"

# ---------------------------------------------------------------- policy file
sed -e 's/^version: .*/version: "gpo-fleet"/' "$data/policy.yaml" >"$data/fleet.yaml"
n0=$(lines)
gp_set PolicyFile REG_SZ 'C:\ProgramData\banwatch\fleet.yaml'
check "PolicyFile in the data folder: 102 with that file's policy version, naming policy_file" \
    wait_since 10 "$n0" 'select(.event.code == "102") | .banwatch.policy.version == "gpo-fleet" and .banwatch.policy.mode == "enforce"
        and (.banwatch.detail | test("policy from C:.*fleet.yaml"))
        and (.banwatch.policy.from_group_policy | split(",") | index("policy_file") != null)'
cp "$data/fleet.yaml" "$pfx/drive_c/gpout/fleet.yaml"
n0=$(lines)
gp_set PolicyFile REG_SZ 'C:\gpout\fleet.yaml'
check "PolicyFile in a folder anyone may write to: refused (905), the policy in force stays" \
    wait_since 10 "$n0" 'select(.event.code == "905") | .file.path == "C:\\gpout" and .banwatch.effect == "the policy in force stays"'
check "after the refusal the file in force is still the data folder's fleet.yaml" \
    bash -c "sleep 0.5; jq -c 'select(.event.code == \"102\")' '$jsonl' | tail -n 1 | jq -e '.banwatch.policy.version == \"gpo-fleet\" and (.banwatch.detail | test(\"ProgramData.*fleet.yaml\"))' >/dev/null"
n0=$(lines)
W reg delete "$GP" /v PolicyFile /f >/dev/null 2>&1
check "PolicyFile removed: 102 back to policy.yaml" \
    wait_since 10 "$n0" 'select(.event.code == "102") | .banwatch.policy.version != "gpo-fleet" and (.banwatch.detail | test("policy.yaml"))
        and .banwatch.policy.from_group_policy == "mode,service.heartbeat_interval"'

# ---------------------------------------------------------------- JSON lines
gp_set JsonLines REG_DWORD 0
check "JsonLines=0: the service log says events are no longer written as JSON lines" \
    wait_log 10 'events are not written as JSON lines (Group Policy)'
n_lines=$(lines)
check "JsonLines=0: its 102 reached the Event Log (ReportEventW) naming events_jsonl" \
    bash -c "for i in \$(seq 100); do grep -q 'ReportEventW.*mode,service.heartbeat_interval,events_jsonl' '$trace' && exit 0; sleep 0.1; done; exit 1"
sleep 4.5 # two heartbeats
check "JsonLines=0: no event is written to events.jsonl (was $n_lines lines, now $(lines))" \
    [ "$(lines)" -eq "$n_lines" ]
check "JsonLines=0: the heartbeats still reach the service log" wait_log 1 'EVENT 110 heartbeat'
gp_set JsonLines REG_DWORD 1
gp_set JsonLinesPath REG_SZ 'C:\ProgramData\banwatch\gp-events.jsonl'
check "JsonLinesPath in the data folder: 102 there names events_jsonl and events_jsonl_path" \
    bash -c "for i in \$(seq 150); do jq -e 'select(.event.code == \"102\") | .banwatch.policy.from_group_policy | test(\"events_jsonl,events_jsonl_path\")' '$gp_jsonl' >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1"
check "JsonLinesPath: heartbeats go to the new file" wait_for 7 110 "" 2 "$gp_jsonl"
check "JsonLinesPath: events.jsonl stays as it was ($(lines) lines)" [ "$(lines)" -eq "$n_lines" ]
gp_set JsonLinesPath REG_SZ 'C:\gpopen\events.jsonl'
check "JsonLinesPath in a folder others may change: refused (905 in the service log)" \
    wait_log 10 'refusing C:\\gpopen'
check "905 reached the Event Log naming the folder" \
    bash -c "for i in \$(seq 100); do grep -q 'ReportEventW.* L\"C:\\\\\\\\gpopen\"' '$trace' && exit 0; sleep 0.1; done; exit 1"
check "nothing written to C:\\gpopen" [ ! -e "$pfx/drive_c/gpopen/events.jsonl" ]

# ---------------------------------------------------------------- removed
n0=$(lines)
W reg delete "$GP" /f >/dev/null 2>&1
check "the key deleted: 102 audit, nothing from Group Policy, in events.jsonl again" \
    wait_since 10 "$n0" 'select(.event.code == "102") | .banwatch.policy.mode == "audit" and .banwatch.policy.from_group_policy == null
        and (.banwatch.detail | test("^reloaded after a Group Policy change"))'
check "audit again: AVP disabled and stopped once only (401: $(count 401 AVP), 402: $(count 402 AVP))" \
    [ "$(count 401 AVP)" -eq 1 -a "$(count 402 AVP)" -eq 1 ]
n0=$(lines)
gp_set HeartbeatInterval REG_DWORD 1
check "the key created again: its parent's watch sees it (102 names the heartbeat)" \
    wait_since 10 "$n0" 'select(.event.code == "102") | .banwatch.policy.from_group_policy == "service.heartbeat_interval"'
all_100=$(( $(count 100) + $(count 100 "" "$gp_jsonl") ))
check "never restarted: one 100 (agent-started) in all ($all_100)" [ "$all_100" -eq 1 ]
check "102 names its mode and version in every record" \
    [ "$(jq -c 'select(.event.code == "102" and (.banwatch.policy.mode == null or .banwatch.policy.version == null))' "$jsonl" "$gp_jsonl" | wc -l)" -eq 0 ]
bw_check_ecs "$jsonl" "$gp_jsonl"

W net stop banwatch >/dev/null 2>&1
exec 2>&3
trap - EXIT
cleanup
[ "$failed" -eq 0 ] && [ "${BW_KEEP:-0}" != 1 ] && rm -rf "$pfx"
echo "gpo.sh: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
