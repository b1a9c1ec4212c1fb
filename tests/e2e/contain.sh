#!/usr/bin/env bash
# contain.sh - containment end to end under Wine, with fake Kaspersky
# services: tests/e2e/fakesvc.exe copied into the vendor's folders and
# registered with the SCM as AVP, klnagent and ksnproxy (a KSN component,
# manual start; plus a control service that matches nothing, and later a
# dummy WinDefend as "another anti-virus").
#
#   detection   `banwatch scan --json` reports AVP and klnagent as running
#               service findings, ksnproxy as a KSN component, the control
#               service not at all
#   audit       would-disable (400) once per service, also after a reload;
#               everything keeps running, start types unchanged
#   held        enforce with no other anti-virus: containment-held (406),
#               nothing changed
#   enforce     policy file audit + Group Policy ContainmentMode=enforce,
#               klnagent allowlisted, WinDefend present: AVP and ksnproxy
#               disabled (401) and stopped (402), Start=4, a later start
#               fails; klnagent, the control service, WinDefend and the klif
#               driver untouched
#   audit again Group Policy value removed: nothing is undone or redone
#   restore     `banwatch restore --service nope` exits 2 and changes
#               nothing; `banwatch restore --start` raises 405, Start back
#               to 2 (ksnproxy 3), both running again; status shows them
#               restored
#   held, management contained
#               enforce by the policy file with no other anti-virus and
#               containment.non_protecting [klnagent, ksnproxy]: AVP held
#               (406) and left running, the Network Agent and the KSN proxy
#               disabled (401) and stopped (402) all the same; `restore`
#               refuses while enforce is in force (exit 2, nothing put
#               back), `restore --force --start` puts them back and warns
#
# Usage: tests/e2e/contain.sh --exe banwatch.exe --svc fakesvc.exe [--work DIR]
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on any
# failure (2: could not set up). Everything stays in DIR: contain-prefix/
# (kept after a failure, or with BW_KEEP=1), contain-out/ (scan and status
# output), contain-wine-trace.log (the session's Wine stderr).
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
[ -f "$exe" ] || { echo "contain.sh: no exe '$exe'" >&2; exit 2; }
[ -f "$svc" ] || { echo "contain.sh: no fake service exe '$svc' (build target fakesvc)" >&2; exit 2; }
command -v jq >/dev/null || { echo "contain.sh: jq not found" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)
t_start=$SECONDS
# fd 3: the terminal's stderr, for the checks' explanations (fd 2 goes to
# the Wine trace once the session runs).
exec 3>&2

bw_session_prefix "$work" contain || { echo "contain.sh: $BW_REASON" >&2; exit 2; }
data="$pfx/drive_c/ProgramData/banwatch"
jsonl="$data/events.jsonl"
svclog="$pfx/drive_c/fakesvc.log"     # fakesvc.exe --log C:\fakesvc.log
trace="$work/contain-wine-trace.log"
out_dir="$work/contain-out"           # scan and status outputs, for reading after a failure
rm -rf "$out_dir"; mkdir -p "$out_dir" "$data" "$pfx/drive_c/banwatch" "$pfx/drive_c/tools"
: > "$trace"

# Whatever happens, this prefix's wineserver (and with it every service of
# the session) goes away; no other prefix is touched.
cleanup() { bw_prefix_stop "$pfx"; }
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM


# Every Wine call has a time limit.
W() { timeout -k 5 30 "$BW_WINE" "$@"; }
BW() { timeout -k 5 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' "$@"; }

# ---- events (C:\ProgramData\banwatch\events.jsonl)
count() { # count EVENT_ID [SERVICE]: containment events of that id (for that service)
    [ -f "$jsonl" ] || { echo 0; return; }
    jq -c --argjson id "$1" --arg s "${2:-}" \
        'select(.event.code == ($id|tostring) and ($s == "" or .service.name == $s))' "$jsonl" 2>/dev/null | wc -l
}
count_for() { # count_for SERVICE: all containment events (400-499) naming it
    [ -f "$jsonl" ] || { echo 0; return; }
    jq -c --arg s "$1" 'select((.event.code|tonumber) >= 400 and (.event.code|tonumber) < 500 and .service.name == $s)' \
        "$jsonl" 2>/dev/null | wc -l
}
count_other() { # containment events naming none of the vendor services AVP, klnagent, ksnproxy
    [ -f "$jsonl" ] || { echo 0; return; }
    jq -c 'select((.event.code|tonumber) >= 400 and (.event.code|tonumber) < 500 and .service.name != "AVP" and .service.name != "klnagent"
                  and .service.name != "ksnproxy")' \
        "$jsonl" 2>/dev/null | wc -l
}
wait_for() { # wait_for SECONDS EVENT_ID [SERVICE] [MIN]: polls every 50 ms
    local deadline=$((SECONDS + $1)) min=${4:-1}
    while [ "$SECONDS" -le "$deadline" ]; do
        [ "$(count "$2" "${3:-}")" -ge "$min" ] && return 0
        sleep 0.05
    done
    return 1
}
# ev_is ID SERVICE FILTER: the (first) event ID for SERVICE exists and FILTER
# is true for it; prints the record on failure.
ev_is() {
    local rec
    rec=$(jq -c --argjson id "$1" --arg s "$2" 'select(.event.code == ($id|tostring) and .service.name == $s)' \
          "$jsonl" 2>/dev/null | head -n 1)
    [ -n "$rec" ] || { echo "  no event $1 for $2" >&3; return 1; }
    if [ "$(jq -r "$3" <<<"$rec" 2>/dev/null)" = true ]; then return 0; fi
    echo "  event: $rec" >&3
    return 1
}
lines() { [ -f "$jsonl" ] && wc -l <"$jsonl" || echo 0; }

# ---- the service's reloads
# reload: asks the service to re-read policy.yaml; prints the JSON-lines
# length before, for settle.
reload() { local n; n=$(lines); BW reload >/dev/null 2>&1 || echo "  banwatch reload failed" >&3; echo "$n"; }
# settle N0: waits until the reload sent after line N0 has been carried out.
# The agent's loop is single-threaded: on a reload it loads the policy
# (102 "reloaded"), scans and contains, and only then comes back to its
# timers; the next heartbeat (110, every second with this test's policy)
# therefore follows a finished containment run.
settle() {
    local n0=$1 deadline=$((SECONDS + 20)) bad
    while [ "$SECONDS" -le "$deadline" ]; do
        bad=$(tail -n +"$((n0 + 1))" "$jsonl" 2>/dev/null | jq -r 'select((.event.code|tonumber) == 901) | .banwatch.detail' 2>/dev/null)
        if [ -n "$bad" ]; then echo "  policy refused (901): $bad" >&3; return 1; fi
        if tail -n +"$((n0 + 1))" "$jsonl" 2>/dev/null | jq -se '
            [.[] | (.event.code|tonumber)] as $ids | ($ids | index(102)) as $r
            | $r != null and (($ids[$r + 1:] | index(110)) != null)' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# ---- services
state_of() { # state_of NAME: RUNNING, STOPPED, STOP_PENDING, ... or "none"
    local s
    s=$(W sc query "$1" 2>/dev/null | tr -d '\r' | awk '$1 == "STATE" { print $4; exit }')
    echo "${s:-none}"
}
is_state() { [ "$(state_of "$1")" = "$2" ] || { echo "  $1 is $(state_of "$1"), want $2" >&3; return 1; }; }
wait_state() { # wait_state SECONDS NAME STATE
    local deadline=$((SECONDS + $1))
    while [ "$SECONDS" -le "$deadline" ]; do
        [ "$(state_of "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    echo "  $2 is $(state_of "$2"), want $3" >&3
    return 1
}
start_of() { # start_of NAME: the Start value of its Services key (0x2, 0x4, ...)
    W reg query "HKLM\\SYSTEM\\CurrentControlSet\\Services\\$1" /v Start 2>/dev/null | tr -d '\r' \
        | awk '$1 == "Start" { print $3; exit }'
}
is_start() { local v; v=$(start_of "$1"); [ "$v" = "$2" ] || { echo "  $1 Start=$v, want $2" >&3; return 1; }; }
# stops_of NAME: how many stop controls fakesvc.exe logged under that name.
stops_of() { [ -f "$svclog" ] && tr -d '\r' <"$svclog" | awk -v n="$1" '$1 == n && $3 == "stop"' | wc -l || echo 0; }
svc_is() { # svc_is NAME STATE START: its SCM state and Start value
    local st sv
    st=$(state_of "$1"); sv=$(start_of "$1")
    [ "$st" = "$2" ] && [ "$sv" = "$3" ] && return 0
    echo "  $1 is $st with Start=$sv, want $2 with Start=$3" >&3
    return 1
}
untouched() { # untouched NAME: running, Start=2 (automatic), never sent a stop
    svc_is "$1" RUNNING 0x2 || return 1
    [ "$(stops_of "$1")" -eq 0 ] || { echo "  $1 got $(stops_of "$1") stop control(s)" >&3; return 1; }
}
runs_of() { [ -f "$svclog" ] && tr -d '\r' <"$svclog" | awk -v n="$1" '$1 == n && $3 == "running"' | wc -l || echo 0; }

# ---- status --json (the checks need its "containment" array)
status_json() { BW status --json >"$out_dir/status.json" 2>"$out_dir/status.err"; }
status_has() { # status_has FILTER: refreshes status.json; FILTER must print true
    status_json
    if [ "$(jq -r "(.containment | type == \"array\") and ($1)" "$out_dir/status.json" 2>/dev/null)" = true ]; then
        return 0
    fi
    echo "  status containment: $(jq -c '.containment' "$out_dir/status.json" 2>/dev/null | head -c 1500)" >&3
    return 1
}
contained() { # contained NAME FILTER: the status --json containment entry NAME makes FILTER true
    status_has "[.containment[]? | select(.name == \"$1\")] | length == 1 and (.[0] | $2)"
}

# ---- policy
# write_policy MODE: the shipped default policy with this mode, short
# timings (a heartbeat every second, 200 ms debounce) and its containment
# section replaced by the one read from standard input.
write_policy() {
    { sed -e "s/^mode: .*/mode: $1/" \
          -e 's/^  heartbeat_interval: .*/  heartbeat_interval: 1/' \
          -e 's/^  change_debounce_ms: .*/  change_debounce_ms: 200/' \
          "$top/policies/kaspersky.yaml" \
        | awk '/^containment:/ { skip = 1; next } skip && /^[^ \t#]/ { skip = 0 } !skip'
      echo
      cat
    } >"$data/policy.yaml"
    if [ "$(grep -c "^mode: $1\$" "$data/policy.yaml")" != 1 ] \
       || [ "$(grep -c '^containment:' "$data/policy.yaml")" != 1 ]; then
        echo "contain.sh: cannot set mode: $1 and the containment section" >&2; return 1
    fi
}

# ---------------------------------------------------------------- set-up
# The vendor's presence and the klif driver, imported before the session's
# SCM starts, so that it knows the driver (as on a real machine).
bw_reg_lint "$top/tests/fixtures/service/contain.reg" || { echo "contain.sh: $BW_REASON" >&2; exit 2; }
bw_reg_utf16 "$top/tests/fixtures/service/contain.reg" "$pfx/drive_c/contain.reg" \
    || { echo "contain.sh: $BW_REASON" >&2; exit 2; }
if ! W reg import 'C:\contain.reg' >"$work/contain-reg-import.log" 2>&1; then
    echo "contain.sh: reg import of contain.reg failed (see $work/contain-reg-import.log)" >&2; exit 2
fi
bw_prefix_stop "$pfx"

kes='C:\Program Files (x86)\Kaspersky Lab\Kaspersky Endpoint Security for Windows'
nag='C:\Program Files (x86)\Kaspersky Lab\NetworkAgent'
ksc='C:\Program Files (x86)\Kaspersky Lab\Kaspersky Security Center'
mkdir -p "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Endpoint Security for Windows" \
         "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/NetworkAgent" \
         "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Security Center"
cp "$svc" "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Endpoint Security for Windows/avp.exe"
cp "$svc" "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/NetworkAgent/klnagent.exe"
cp "$svc" "$pfx/drive_c/Program Files (x86)/Kaspersky Lab/Kaspersky Security Center/ksnproxy.exe"
cp "$svc" "$pfx/drive_c/tools/fakesvc.exe"
cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"

write_policy audit <<'EOF' || exit 2
containment:
  antivirus_services: [WinDefend]
  stop_timeout: 30
EOF

# One wineserver for the whole test: services die about a second after the
# last ordinary Wine process exits. The first Wine process starts the
# session's system processes, which inherit its standard handles: give them
# nothing a caller waits on.
# The session's first process sets the debug channels of its services:
# each ReportEventW (fixme+advapi: the full event ID; +eventlog: the
# insertion strings) goes to the trace; other Wine calls stay quiet.
exec 2>>"$trace"
"$BW_WINESERVER" -p
WINEDEBUG=fixme+advapi,+eventlog W cmd.exe /c exit </dev/null >/dev/null

# ---- the fake services
W sc create AVP binpath= "\"$kes\\avp.exe\" --stop-delay 1000 --log C:\\fakesvc.log" start= auto \
    displayname= "Kaspersky Endpoint Security Service" >/dev/null
W sc create klnagent binpath= "\"$nag\\klnagent.exe\" --log C:\\fakesvc.log" start= auto \
    displayname= "Kaspersky Security Center Network Agent" >/dev/null
W sc create ksnproxy binpath= "\"$ksc\\ksnproxy.exe\" --log C:\\fakesvc.log" start= demand \
    displayname= "Kaspersky Security Center KSN Proxy" >/dev/null
W sc create bwcontrol binpath= 'C:\tools\fakesvc.exe --log C:\fakesvc.log' start= auto \
    displayname= "banwatch test control service" >/dev/null
for s in AVP klnagent ksnproxy bwcontrol; do
    W net start "$s" >/dev/null 2>&1
    check "fake service $s runs under the SCM" wait_state 10 "$s" RUNNING
done

# ---- detection: the scenario means nothing unless banwatch sees them
BW scan --json >"$out_dir/scan.json" 2>"$out_dir/scan.err"; rc=$?
check "scan --json finds the vendor (exit $rc, want 1)" [ $rc -eq 1 ]
scan_has() { [ "$(jq -r "$1" "$out_dir/scan.json" 2>/dev/null)" = true ]; }
detected=1
for s in AVP klnagent; do
    if scan_has "[.findings[] | select(.kind == \"service\" and .name == \"$s\" and .state == \"running\" and .start == \"automatic\")] | length == 1"; then
        ok "detection: $s is a running, automatic service finding"
    else
        ko "detection: $s is a running, automatic service finding (see $out_dir/scan.json)"; detected=0
    fi
done
check "detection: ksnproxy is a running KSN component finding (manual start)" \
    scan_has '[.findings[] | select(.kind == "ksn" and .name == "ksnproxy" and .state == "running" and .start == "manual")] | length == 1'
check "detection: the control service is no finding" \
    scan_has '[.findings[] | select(.name == "bwcontrol")] | length == 0'

if [ $detected = 0 ]; then
    ko "containment not tested: the fake services are not detected (a detection regression)"
else

# ---------------------------------------------------------------- audit
out=$(BW install 2>&1); rc=$?
check "banwatch install (exit $rc: $out)" [ $rc -eq 0 ]
W net start banwatch >/dev/null 2>&1
check "the banwatch service starts (100)" wait_for 20 100
policy_ok() { # the 102 at start names policy.yaml, and no 901 refused it
    [ "$(jq -r 'select((.event.code|tonumber) == 102) | .banwatch.detail' "$jsonl" 2>/dev/null | grep -c 'policy.yaml')" -ge 1 ] \
        && [ "$(count 901)" -eq 0 ] && return 0
    echo "  $(jq -c 'select((.event.code|tonumber) == 901 or (.event.code|tonumber) == 102) | .banwatch.detail' "$jsonl" 2>/dev/null | head -n 3 | tr '\n' ' ')" >&3
    return 1
}
check "policy.yaml with a containment section loaded (102, no 901)" policy_ok
check "audit: would-disable (400) for AVP" wait_for 20 400 AVP
check "audit: would-disable (400) for klnagent" wait_for 20 400 klnagent
check "audit: would-disable (400) for ksnproxy" wait_for 20 400 ksnproxy
check "400 for AVP: would-disable, service, automatic, running, its display name" \
    ev_is 400 AVP '.event.action == "would-disable" and .banwatch.containment.result == "would-disable" and .banwatch.kind == "service"
        and .banwatch.containment.prior_start_type == "automatic" and .banwatch.containment.prior_state == "running"
        and .banwatch.containment.display_name == "Kaspersky Endpoint Security Service" and (.host.name | type == "string")'
check "400 says that enforcement would hold (no other anti-virus yet)" \
    ev_is 400 AVP '.banwatch.detail | test("would hold")'
n0=$(reload)
check "audit: a reload is carried out (102, then a heartbeat)" settle "$n0"
check "audit: 400 once per service, also after a reload (AVP $(count 400 AVP), klnagent $(count 400 klnagent), ksnproxy $(count 400 ksnproxy))" \
    [ "$(count 400 AVP)" -eq 1 -a "$(count 400 klnagent)" -eq 1 -a "$(count 400 ksnproxy)" -eq 1 ]
check "audit: no containment event for anything else (control service, klif driver)" [ "$(count_other)" -eq 0 ]
check "audit: nothing disabled or stopped (no 401/402)" [ "$(count 401)" -eq 0 -a "$(count 402)" -eq 0 ]
for s in AVP klnagent bwcontrol; do
    check "audit: $s still running" is_state "$s" RUNNING
    check "audit: $s start type unchanged (Start=2)" is_start "$s" 0x2
done
check "audit: ksnproxy still running, Start=3" svc_is ksnproxy RUNNING 0x3
check "audit: status --json containment shows AVP would-disable, unchanged" \
    contained AVP '.outcome == "would-disable" and .changed == false and .kind == "service"'

# ---------------------------------------------------------------- held
write_policy enforce <<'EOF'
containment:
  antivirus_services: [WinDefend]
  stop_timeout: 30
EOF
n0=$(reload)
check "enforce without another anti-virus: containment-held (406) for AVP" wait_for 20 406 AVP
check "enforce without another anti-virus: containment-held (406) for klnagent" wait_for 20 406 klnagent
check "enforce without another anti-virus: containment-held (406) for ksnproxy" wait_for 20 406 ksnproxy
check "held: the reload is carried out" settle "$n0"
check "406 for AVP: containment-held, result held, action none, prior automatic/running" \
    ev_is 406 AVP '.event.action == "containment-held" and .banwatch.containment.result == "held" and .banwatch.containment.action == "none"
        and .banwatch.containment.prior_start_type == "automatic" and .banwatch.containment.prior_state == "running" and (.banwatch.detail | length > 0)'
check "held: nothing disabled or stopped (no 401/402/403/404)" \
    [ "$(count 401)" -eq 0 -a "$(count 402)" -eq 0 -a "$(count 403)" -eq 0 -a "$(count 404)" -eq 0 ]
for s in AVP klnagent; do
    check "held: $s still running, Start=2, no stop control received" untouched "$s"
done
check "held: ksnproxy still running, Start=3, no stop control received" \
    bash -c '[ "$0" = 0 ]' "$(stops_of ksnproxy)"
check "held: ksnproxy Start=3" svc_is ksnproxy RUNNING 0x3

# ---------------------------------------------------------------- enforce
# The policy file says audit and allowlists klnagent; Group Policy says
# enforce; a dummy WinDefend is another anti-virus. The policy is reloaded
# first, so that the registry changes below are scanned under it.
write_policy audit <<'EOF'
containment:
  allowlist: [klnagent]
  antivirus_services: [WinDefend]
  stop_timeout: 30
EOF
n0=$(reload)
check "allowlist: the reload is carried out" settle "$n0"
k0=$(count_for klnagent)
W sc create WinDefend binpath= 'C:\tools\fakesvc.exe --log C:\fakesvc.log' start= auto \
    displayname= "Microsoft Defender Antivirus Service" >/dev/null
W net start WinDefend >/dev/null 2>&1
check "dummy WinDefend runs" wait_state 10 WinDefend RUNNING
W reg add 'HKLM\SOFTWARE\Policies\banwatch' /v ContainmentMode /t REG_SZ /d enforce /f >/dev/null 2>&1
t1=$(date +%s%3N)
n0=$(reload)
if wait_for 30 402 AVP; then
    ok "Group Policy enforce over a policy file in audit: AVP stopped (402)"
    echo "latency: reload -> event 402 for AVP: $(( $(date +%s%3N) - t1 )) ms (AVP takes 1 s to stop)"
else
    ko "Group Policy enforce over a policy file in audit: AVP stopped (402)"
fi
check "enforce: AVP disabled (401)" wait_for 5 401 AVP
check "enforce: the reload is carried out" settle "$n0"
gp_ok() { # the reload's 102 says: enforce, from Group Policy
    [ "$(tail -n +"$((n0 + 1))" "$jsonl" | jq -r 'select((.event.code|tonumber) == 102)
        | .banwatch.policy.mode == "enforce" and (.banwatch.detail | test("Group Policy"))' 2>/dev/null | head -n 1)" = true ] && return 0
    echo "  $(tail -n +"$((n0 + 1))" "$jsonl" | jq -c 'select((.event.code|tonumber) == 102)' 2>/dev/null | head -n 1)" >&3
    return 1
}
check "enforce: policy-loaded (102) names the mode in force and Group Policy as its source" gp_ok
check "401 for AVP: service-disabled, action disable, prior automatic/running" \
    ev_is 401 AVP '.event.action == "service-disabled" and .banwatch.containment.result == "disabled" and .banwatch.kind == "service"
        and .banwatch.containment.action == "disable" and .banwatch.containment.prior_start_type == "automatic" and .banwatch.containment.prior_state == "running"'
check "401 and 402 reached the Event Log (ReportEventW) with their full IDs and the service" \
    bash -c "grep -q 'ReportEventW.*0x80000191' '$trace' && grep -q 'ReportEventW.*0x80000192' '$trace' \
             && grep -q 'ReportEventW L\"AVP\"' '$trace'"
check "402 for AVP: service-stopped, action stop, prior running" \
    ev_is 402 AVP '.event.action == "service-stopped" and .banwatch.containment.result == "stopped" and .banwatch.kind == "service"
        and .banwatch.containment.action == "stop" and .banwatch.containment.prior_state == "running"'
check "enforce: AVP Start=4 in the registry" is_start AVP 0x4
check "enforce: AVP stopped" wait_state 10 AVP STOPPED
stopped_of() { [ -f "$svclog" ] && tr -d '\r' <"$svclog" | awk -v n="$1" '$1 == n && $3 == "stopped"' | wc -l || echo 0; }
check "enforce: ksnproxy (KSN component) disabled (401) and stopped (402)" \
    bash -c '[ "$0" -eq 1 -a "$1" -eq 1 ]' "$(count 401 ksnproxy)" "$(count 402 ksnproxy)"
check "401 for ksnproxy: prior manual/running" \
    ev_is 401 ksnproxy '.banwatch.containment.prior_start_type == "manual" and .banwatch.containment.prior_state == "running"'
check "enforce: ksnproxy Start=4 and stopped" wait_state 10 ksnproxy STOPPED
check "enforce: ksnproxy Start=4" is_start ksnproxy 0x4
check "enforce: AVP got one stop control and finished stopping ($(stops_of AVP) stop, $(stopped_of AVP) stopped)" \
    [ "$(stops_of AVP)" -eq 1 -a "$(stopped_of AVP)" -eq 1 ]
W net start AVP >/dev/null 2>&1; rc=$?
sleep 0.5
start_refused() { [ "$rc" -ne 0 ] && svc_is AVP STOPPED 0x4; }
check "enforce: a later 'net start AVP' fails (exit $rc) and AVP stays stopped" start_refused
check "enforce: klnagent (allowlisted) running, Start=2, never stopped" untouched klnagent
check "enforce: no containment event for klnagent since it was allowlisted ($k0 before, $(count_for klnagent) after)" \
    [ "$(count_for klnagent)" -eq "$k0" ]
for s in bwcontrol WinDefend; do
    check "enforce: $s running, Start=2, never stopped" untouched "$s"
done
check "enforce: the klif driver is not disabled (containment.drivers empty; Start=1)" is_start klif 0x1
check "enforce: no containment event for the control service, WinDefend or klif" [ "$(count_other)" -eq 0 ]
check "enforce: status --json shows AVP changed, prior automatic/running, changed_at set" \
    contained AVP '.changed == true and .prior_start_type == "automatic" and .prior_state == "running"
        and (.changed_at | type == "string") and (.outcome == "stopped" or .outcome == "disabled")'
check "enforce: status --json shows klnagent unchanged" \
    status_has '[.containment[]? | select(.name == "klnagent" and .changed == true)] | length == 0'

# ---------------------------------------------------------------- audit again
W reg delete 'HKLM\SOFTWARE\Policies\banwatch' /v ContainmentMode /f >/dev/null 2>&1
n0=$(reload)
check "back to audit (Group Policy value removed): the reload is carried out" settle "$n0"
check "back to audit: AVP stays disabled and stopped (audit undoes nothing)" svc_is AVP STOPPED 0x4
check "back to audit: AVP disabled and stopped once only (401: $(count 401 AVP), 402: $(count 402 AVP))" \
    [ "$(count 401 AVP)" -eq 1 -a "$(count 402 AVP)" -eq 1 ]

# ---------------------------------------------------------------- restore
out=$(BW restore --service nope 2>&1); rc=$?
check "restore --service nope exits 2 (exit $rc: $(head -c 200 <<<"$out"))" [ $rc -eq 2 ]
no_restore() { svc_is AVP STOPPED 0x4 && [ "$(count 405)" -eq 0 ]; }
check "restore --service nope changes nothing (AVP stopped, Start=4, $(count 405) x 405)" no_restore
out=$(BW restore --start 2>&1); rc=$?
check "restore --start exits 0 (exit $rc: $(head -c 200 <<<"$out"))" [ $rc -eq 0 ]
check "restore: service-restored (405) for AVP" wait_for 10 405 AVP
check "405 for AVP: service-restored, result restored, prior automatic/running" \
    ev_is 405 AVP '.event.action == "service-restored" and .banwatch.containment.result == "restored"
        and .banwatch.containment.prior_start_type == "automatic" and .banwatch.containment.prior_state == "running"'
check "restore: AVP Start=2 again" is_start AVP 0x2
check "restore: AVP running again" wait_state 15 AVP RUNNING
check "restore: fakesvc.exe logged AVP's second start" [ "$(runs_of AVP)" -eq 2 ]
check "restore: status --json shows AVP unchanged, restored_at set" \
    contained AVP '.changed == false and (.restored_at | type == "string")'
check "restore: ksnproxy restored (405), Start=3 again, running again" \
    bash -c '[ "$0" -eq 1 ]' "$(count 405 ksnproxy)"
check "restore: ksnproxy Start=3 again" is_start ksnproxy 0x3
check "restore: ksnproxy running again" wait_state 15 ksnproxy RUNNING
check "restore: nothing else restored (405 only for AVP and ksnproxy)" [ "$(count 405)" -eq 2 ]
out=$(BW restore --start 2>&1); rc=$?
check "restore --start again: exit 0, no new 405 (exit $rc, $(count 405) x 405)" \
    [ $rc -eq 0 -a "$(count 405)" -eq 2 ]
for s in klnagent bwcontrol WinDefend; do
    check "restore: $s still untouched" untouched "$s"
done

# ---------------------------------------------------------------- all events
fields_ok() {
    [ "$(jq -s '[.[] | select((.event.code|tonumber) >= 400 and (.event.code|tonumber) < 500)
        | (.host.name | type == "string") and (.service.name | type == "string")
          and (.banwatch.kind | type == "string") and (.banwatch.detail | type == "string")
          and (.banwatch.containment | (.action | type == "string") and (.result | type == "string")
               and (.error_code | type == "number"))] | all' "$jsonl" 2>/dev/null)" = true ]
}
check "every containment event carries the documented fields" fields_ok
check "no containment-blocked (403) or containment-failed (404)" [ "$(count 403)" -eq 0 -a "$(count 404)" -eq 0 ]
check "held once per service, not on every scan (AVP $(count 406 AVP), klnagent $(count 406 klnagent), ksnproxy $(count 406 ksnproxy))" \
    [ "$(count 406 AVP)" -eq 1 -a "$(count 406 klnagent)" -eq 1 -a "$(count 406 ksnproxy)" -eq 1 ]
check "no containment event for anything but AVP, klnagent and ksnproxy" [ "$(count_other)" -eq 0 ]

# ---------------------------------------------------------------- held, management contained
# No service counts as another anti-virus (WinDefend is not listed), the
# policy file says enforce, and the Network Agent and the KSN proxy are
# listed as protecting nothing: AVP is held, they are contained.
write_policy enforce <<'EOF'
containment:
  antivirus_services: [NoOtherAntivirus]
  non_protecting: [klnagent, ksnproxy]
  stop_timeout: 30
EOF
n0=$(reload)
check "non_protecting: the reload is carried out" settle "$n0"
check "non_protecting: AVP held again (a second 406)" wait_for 20 406 AVP 2
check "non_protecting: klnagent disabled (401) and stopped (402)" wait_for 20 402 klnagent
check "non_protecting: klnagent stopped, Start=4" svc_is klnagent STOPPED 0x4
check "non_protecting: 401 for klnagent, action disable, prior automatic/running" \
    ev_is 401 klnagent '.banwatch.containment.action == "disable" and .banwatch.containment.prior_start_type == "automatic" and .banwatch.containment.prior_state == "running"'
check "non_protecting: ksnproxy disabled and stopped a second time" wait_for 20 402 ksnproxy 2
check "non_protecting: ksnproxy stopped, Start=4" svc_is ksnproxy STOPPED 0x4
check "non_protecting: no new 406 for klnagent or ksnproxy ($(count 406 klnagent), $(count 406 ksnproxy))" \
    [ "$(count 406 klnagent)" -eq 1 -a "$(count 406 ksnproxy)" -eq 1 ]
check "non_protecting: AVP (held) running, Start=2" svc_is AVP RUNNING 0x2
check "non_protecting: AVP got no stop control since the enforce stage ($(stops_of AVP))" \
    [ "$(stops_of AVP)" -eq 1 ]
for s in bwcontrol WinDefend; do
    check "non_protecting: $s running, Start=2, never stopped" untouched "$s"
done
check "non_protecting: no 403 or 404" [ "$(count 403)" -eq 0 -a "$(count 404)" -eq 0 ]

# restore while enforce is in force: refused without --force
r0=$(count 405)
out=$(BW restore 2>&1); rc=$?
printf '%s\n' "$out" >"$out_dir/restore-refused.txt"
check "restore in enforce mode is refused: exit 2 (exit $rc)" [ $rc -eq 2 ]
refusal_ok() {
    grep -q "enforce" <<<"$out" && grep -q "next scan" <<<"$out" && grep -q "mode: audit" <<<"$out" \
        && grep -q -- "--force" <<<"$out" && return 0
    echo "  restore said: $(head -c 600 <<<"$out")" >&3
    return 1
}
check "the refusal says why and what to do (audit first, or --force)" refusal_ok
check "the refused restore put nothing back ($(count 405) x 405, $r0 before)" [ "$(count 405)" -eq "$r0" ]
check "the refused restore left klnagent stopped, Start=4" svc_is klnagent STOPPED 0x4
out=$(BW restore --force --start 2>&1); rc=$?
printf '%s\n' "$out" >"$out_dir/restore-forced.txt"
check "restore --force --start in enforce mode: exit 0 (exit $rc)" [ $rc -eq 0 ]
forced_warns() {
    grep -q "^banwatch: warning:" <<<"$out" && grep -q "next scan" <<<"$out" && return 0
    echo "  restore said: $(head -c 600 <<<"$out")" >&3
    return 1
}
check "restore --force warns that the service disables them again" forced_warns
check "restore --force: klnagent and ksnproxy restored (405; 2 restored, 0 failed)" \
    bash -c '[ "$0" -ge 1 ] && grep -qx "restore: 2 restored, 0 failed" <<<"$1"' "$(count 405 klnagent)" "$out"
# As warned: the service, still in enforce mode, disables them again (the
# restore's change of the Services key makes it scan at once).
check "as warned, the service disables klnagent again at its next scan (a second 402)" \
    wait_for 20 402 klnagent 2
fi

# Every event this scenario raised, checked against ECS (tests/ecs).
bw_check_ecs "$data"/events.jsonl*

exec 2>&3
trap - EXIT
cleanup
# The prefix stays for reading after a failure (or with BW_KEEP=1).
[ "$failed" -eq 0 ] && [ "${BW_KEEP:-0}" != 1 ] && rm -rf "$pfx"
echo "contain.sh: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
