#!/usr/bin/env bash
# msi.sh - the MSI end to end under Wine, run as Group Policy and
# SCCM/Intune run it (silent, no UI):
#   msiexec /i /qn -> the program under Program Files, the service
#   registered (quoted image path, LocalSystem, automatic delayed start) and
#   started (events 100 and 230), its Event Log source, no policy.yaml
#   written -> an administrator's policy and a Kaspersky footprint: findings
#   and alerts in the database -> a major upgrade to a higher version (a
#   second MSI of the same program, built by installer/build-msi.sh) keeps
#   the database and the policy, raises no alert twice, leaves one product
#   registered -> the older MSI is refused -> repair (/fa) puts back a
#   deleted file and the Event Log source -> msiexec /x /qn removes the
#   service, the source and the program and keeps the data folder -> after
#   installing again, msiexec /x REMOVEDATA=1 removes the data folder too ->
#   an install that fails after the service started rolls back to nothing.
# First the package's tables: the custom actions as Windows runs them.
#
# Usage: tests/e2e/msi.sh --msi banwatch-X.Y.Z-x64.msi [--exe banwatch.exe] [--work DIR]
#   --exe   the program for the upgrade MSI (default: the one in --msi)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

msi="" exe="" work="$top/build/e2e"
while [ $# -gt 0 ]; do
    case $1 in
        --msi) msi=$2; shift 2 ;;
        --exe) exe=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: $0 --msi banwatch.msi [--exe banwatch.exe] [--work DIR]" >&2; exit 2 ;;
    esac
done
[ -f "$msi" ] || { echo "msi.sh: no MSI '$msi'" >&2; exit 2; }
for tool in msiinfo msiextract msibuild wixl jq; do
    command -v "$tool" >/dev/null || { echo "msi.sh: $tool not found (toolchain/setup.sh installs it)" >&2; exit 2; }
done
mkdir -p "$work"; work=$(cd "$work" && pwd)

prop() { msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' -v p="$2" '$1 == p { print $2 }'; }
v1=$(prop "$msi" ProductVersion)
code1=$(prop "$msi" ProductCode)
[[ $v1 =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || { echo "msi.sh: ProductVersion '$v1' is not x.y.z" >&2; exit 2; }
v2="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.$((BASH_REMATCH[3] + 1))"

# The MSIs go to C:\msi in the prefix; the upgrade's is built from the same
# program (the one in the first MSI unless --exe says otherwise).
ex="$work/msi-extract"
rm -rf "$ex"; mkdir -p "$ex"
(cd "$ex" && msiextract "$msi" >/dev/null) || { echo "msi.sh: msiextract failed" >&2; exit 2; }
shipped=$(find "$ex" -name banwatch.exe | head -n 1)
[ -n "$shipped" ] || { echo "msi.sh: no banwatch.exe in $msi" >&2; exit 2; }
[ -n "$exe" ] || exe=$shipped

bw_session_prefix "$work" msi || { echo "msi.sh: $BW_REASON" >&2; exit 2; }
mkdir -p "$pfx/drive_c/msi"
m1="banwatch-$v1-x64.msi" m2="banwatch-$v2-x64.msi"
cp "$msi" "$pfx/drive_c/msi/$m1"
if ! bash "$top/installer/build-msi.sh" --version "$v2" --exe "$exe" \
        --policy "$top/policies/kaspersky.yaml" --out "$pfx/drive_c/msi/$m2" >"$work/msi-build.log" 2>&1; then
    cat "$work/msi-build.log" >&2; echo "msi.sh: building the $v2 MSI failed" >&2; exit 2
fi
code2=$(prop "$pfx/drive_c/msi/$m2" ProductCode)
echo "MSIs: $m1 ProductCode $code1; $m2 ProductCode $code2 (upgrade, same program)"

data="$pfx/drive_c/ProgramData/banwatch"
prog="$pfx/drive_c/Program Files/banwatch"
jsonl="$data/events.jsonl"
log="$work/msi-wine.log"
: >"$log"

W() { "$BW_WINE" "$@"; }
BW() { timeout 60 "$BW_WINE" 'C:\Program Files\banwatch\banwatch.exe' "$@"; }
# msiexec ARGS...: runs it silently with a verbose log C:\msi\<n>.log; prints its exit code.
nlog=0
msiexec() {
    nlog=$((nlog + 1))
    timeout 300 "$BW_WINE" msiexec "$@" /qn /l*v "C:\\msi\\$nlog.log" >>"$log" 2>&1
    echo $?
}
alerts() { [ -f "$jsonl" ] && jq -c 'select((.event.code|tonumber) >= 200 and (.event.code|tonumber) < 300)' "$jsonl" | wc -l || echo 0; }
jsonl_has() { jq -c "$1" "$jsonl" 2>/dev/null | grep -qx true; }
status_has() { BW status --json 2>/dev/null | jq -e "$1" >/dev/null; }
reg_has() { W reg query "$@" >/dev/null 2>&1; }
not() { ! "$@"; }
svc_key='HKLM\SYSTEM\CurrentControlSet\Services\banwatch'
src_key='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\banwatch'
arp_key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'
service_key_ok() {
    local q; q=$(W reg query "$svc_key" 2>/dev/null | tr -d '\r')
    grep -q 'ImagePath[[:space:]]*REG_SZ[[:space:]]*"C:\\Program Files\\banwatch\\banwatch.exe" service$' <<<"$q" &&
        grep -q 'Start[[:space:]]*REG_DWORD[[:space:]]*0x2$' <<<"$q" &&
        grep -q 'DelayedAutostart[[:space:]]*REG_DWORD[[:space:]]*0x1$' <<<"$q" &&
        grep -q 'ObjectName[[:space:]]*REG_SZ[[:space:]]*LocalSystem$' <<<"$q"
}
source_ok() {
    W reg query "$src_key" /v EventMessageFile 2>/dev/null | tr -d '\r' |
        grep -q 'C:\\Program Files\\banwatch\\banwatch.exe$'
}
arp_version() { # arp_version PRODUCTCODE: DisplayVersion of its Add or Remove Programs entry
    W reg query "$arp_key\\$1" /v DisplayVersion 2>/dev/null | tr -d '\r' |
        awk '$1 == "DisplayVersion" { print $3 }'
}

# ---- the package's tables (what Wine runs, Windows runs the same way)
ca_type() { msiinfo export "$msi" CustomAction | tr -d '\r' | awk -F'\t' -v a="$1" '$1 == a { print $2 }'; }
# Deferred (0x400), not impersonated (0x800): run as LocalSystem in the
# installer's script; rollback actions (0x100) only when the script is undone.
actions_ok() {
    local a t
    for a in BwRegister BwUnregister BwRemoveData; do
        t=$(ca_type "$a"); [ -n "$t" ] && [ $((t & 0xd00)) = $((0xc00)) ] || return 1
    done
    for a in BwRegisterRollback BwUnregisterRollback; do
        t=$(ca_type "$a"); [ -n "$t" ] && [ $((t & 0xd00)) = $((0xd00)) ] || return 1
    done
    t=$(ca_type BwRemoveData); [ $((t & 0x3f)) = 34 ]
}
check "custom actions: deferred as LocalSystem, rollbacks marked as such" actions_ok
check "REMOVEDATA is a secure property (passed to the installer service)" \
    bash -c "msiinfo export '$msi' Property | grep -q '^SecureCustomProperties.*REMOVEDATA'"
check "64-bit package (Template x64)" bash -c "msiinfo suminfo '$msi' | grep -q '^Template: x64;'"

# One wineserver for the test (as service.sh); the session's system
# processes are started by a first process nobody waits on.
"$BW_WINESERVER" -p 2>>"$log"
W cmd.exe /c exit </dev/null >/dev/null 2>>"$log"

# ---- install
rc=$(msiexec /i "C:\\msi\\$m1")
check "msiexec /i $m1 /qn (exit $rc)" [ "$rc" = 0 ]
check "the program is under Program Files, the same file as in the MSI" cmp -s "$prog/banwatch.exe" "$shipped"
check "the default policy is shipped as a sample beside it" cmp -s "$prog/policy.sample.yaml" "$top/policies/kaspersky.yaml"
check "service registered: quoted image path with 'service', LocalSystem, automatic delayed start" service_key_ok
check "Event Log source registered with the installed program as its message file" source_ok
check "the service was started: agent-started (100)" wait_for 30 100
check "event 100 carries the program's version ($v1)" jsonl_has "select((.event.code|tonumber)==100) | .agent.version == \"$v1\""
check "it scanned: the host verdict (230) says not found" wait_for 10 230
builtin_policy() { [ ! -e "$data/policy.yaml" ] && jsonl_has 'select((.event.code|tonumber)==102) | .banwatch.detail | test("built-in")'; }
check "the MSI wrote no policy.yaml: the built-in policy is in force (102)" builtin_policy
check "the data folder holds the state database" [ -f "$data/state.db" ]
out=$(BW status 2>&1); rc=$?
check "banwatch status works (exit $rc): $(head -n 1 <<<"$out")" [ $rc -eq 0 ]
says_v1() { [ "$(BW --version 2>/dev/null | tr -d '\r')" = "banwatch $v1" ]; }
check "the installed program says version $v1" says_v1
check "Add or Remove Programs lists banwatch $v1" [ "$(arp_version "$code1")" = "$v1" ]

# ---- an administrator's policy, and something to find
sed -e 's/^  heartbeat_interval: .*/  heartbeat_interval: 3600/' \
    -e 's/^  change_debounce_ms: .*/  change_debounce_ms: 200/' \
    "$top/policies/kaspersky.yaml" >"$data/policy.yaml"
printf '# set by the administrator\n' >>"$data/policy.yaml"
policy_sum=$(sha256sum <"$data/policy.yaml")
n102=$(count 102)
BW reload >/dev/null 2>&1
check "the administrator's policy.yaml is loaded (102)" wait_for 10 102 "" $((n102 + 1))
bw_reg_utf16 "$top/tests/fixtures/service/footprint.reg" "$pfx/drive_c/import.reg" &&
    W reg import 'C:\import.reg' >/dev/null 2>&1
check "a Kaspersky product is found (200)" wait_for 15 200 '{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}'
check "its driver is found (202)" wait_for 10 202 klif
sleep 1
check "the findings are in the database" status_has '[.findings[] | select(.key == "klif" or .key == "{0F5E4E4C-7C0B-4B36-9E1F-2B8A44C1D021}")] | length == 2'
findings_before=$(BW status --json 2>/dev/null | jq -c '[.findings[] | [.kind, .key]] | sort')
echo "findings in the database: $findings_before"
alerts_db_before=$(BW status --json 2>/dev/null | jq '.alerts | length')
alerts_before=$(alerts)
n100=$(count 100) n101=$(count 101)

# ---- major upgrade
rc=$(msiexec /i "C:\\msi\\$m2")
check "major upgrade: msiexec /i $m2 /qn (exit $rc)" [ "$rc" = 0 ]
restarted() { wait_for 30 101 "" $((n101 + 1)) && wait_for 30 100 "" $((n100 + 1)); }
check "the old service stopped (101) and the new one started (100)" restarted
arp_upgraded() { [ "$(arp_version "$code2")" = "$v2" ] && [ -z "$(arp_version "$code1")" ]; }
check "Add or Remove Programs: banwatch $v2, and $v1 is gone" arp_upgraded
check "the service is registered as before" service_key_ok
check "the Event Log source is registered" source_ok
policy_kept() { [ "$(sha256sum <"$data/policy.yaml")" = "$policy_sum" ]; }
check "the administrator's policy.yaml is unchanged" policy_kept
last_policy() { jq -c 'select((.event.code|tonumber)==102) | .banwatch.detail' "$jsonl" | tail -n 1 | grep -q policy.yaml; }
check "and in force after the upgrade (102 names policy.yaml)" last_policy
sleep 2 # the scan at start
findings() { BW status --json 2>/dev/null | jq -c '[.findings[] | [.kind, .key]] | sort'; }
same_findings() { [ "$(findings)" = "$findings_before" ]; }
check "the database was kept: the same findings" same_findings
check "the database was kept: the alerts recorded before are there" \
    [ "$(BW status --json 2>/dev/null | jq '.alerts | length')" -ge "$alerts_db_before" ]
check "no alert raised twice after the upgrade ($alerts_before before, $(alerts) after)" [ "$(alerts)" -eq "$alerts_before" ]
db_fine() { [ "$(jq -c 'select((.event.code|tonumber)==900 or (.event.code|tonumber)==903)' "$jsonl" | wc -l)" -eq 0 ] && ! ls "$data" | grep -q corrupt; }
check "no damaged database moved aside, no database error (900, 903)" db_fine

# ---- downgrade refused
n100=$(count 100) n101=$(count 101)
rc=$(msiexec /i "C:\\msi\\$m1")
check "the older MSI is refused (exit $rc)" [ "$rc" != 0 ]
still_v2() { [ "$(arp_version "$code2")" = "$v2" ] && [ "$(count 101)" -eq "$n101" ]; }
check "banwatch $v2 stays installed and running" still_v2

# The events two versions of the service wrote, checked against ECS.
bw_check_ecs "$jsonl"

# ---- repair
# What msiexec /fa does: REINSTALL=ALL with REINSTALLMODE=a (every file
# again). Wine's msiexec cannot run /f itself: it takes the package for a
# product code (1605) and has no product codes for /f (installer/README.md).
rm -f "$prog/policy.sample.yaml"
W reg delete "$src_key" /f >/dev/null 2>&1
n100=$(count 100) n101=$(count 101)
rc=$(msiexec /i "C:\\msi\\$m2" REINSTALL=ALL REINSTALLMODE=a)
check "repair: msiexec /i $m2 REINSTALL=ALL REINSTALLMODE=a /qn, as /fa (exit $rc)" [ "$rc" = 0 ]
check "repair puts the deleted file back" [ -f "$prog/policy.sample.yaml" ]
check "repair registers the Event Log source again" source_ok
check "the service was stopped for the repair and started again (101, 100)" restarted

# ---- uninstall keeps the data
n101=$(count 101)
rc=$(msiexec /x "C:\\msi\\$m2")
check "msiexec /x $m2 /qn (exit $rc)" [ "$rc" = 0 ]
check "the service stopped (101)" wait_for 30 101 "" $((n101 + 1))
check "no service left" not reg_has "$svc_key"
check "no Event Log source left" not reg_has "$src_key"
check "no program files left" [ ! -e "$prog" ]
check "not in Add or Remove Programs" [ -z "$(arp_version "$code2")" ]
data_kept() { [ -f "$data/state.db" ] && [ -f "$jsonl" ] && policy_kept; }
check "the data folder stays: state.db, events.jsonl, policy.yaml" data_kept

# ---- install again, uninstall with REMOVEDATA=1
n100=$(count 100)
rc=$(msiexec /i "C:\\msi\\$m2")
started_again() { [ "$rc" = 0 ] && wait_for 30 100 "" $((n100 + 1)); }
check "install again (exit $rc): the service starts on the kept data" started_again
sleep 1
check "the kept database still holds the findings" same_findings
cp "$jsonl" "$work/msi-events.jsonl" 2>/dev/null # for a look after a failure
rc=$(msiexec /x "C:\\msi\\$m2" REMOVEDATA=1)
check "msiexec /x $m2 REMOVEDATA=1 /qn (exit $rc)" [ "$rc" = 0 ]
check "no service left" not reg_has "$svc_key"
check "no program files left" [ ! -e "$prog" ]
check "REMOVEDATA=1 removed the data folder" [ ! -e "$data" ]

# ---- rollback: an install that fails after the service started leaves nothing
# A copy of the MSI with one more deferred action after StartServices that
# fails; Windows Installer then runs the rollback script: StartServices'
# (stop), BwRegisterRollback (banwatch uninstall), InstallFiles' (delete).
cp "$pfx/drive_c/msi/$m1" "$pfx/drive_c/msi/fail.msi"
msibuild "$pfx/drive_c/msi/fail.msi" -q "INSERT INTO CustomAction (Action, Type, Source, Target) VALUES ('TestFail', $((34 | 0x400 | 0x800)), 'TARGETDIR', '\"[System64Folder]cmd.exe\" /c exit 1')" &&
    msibuild "$pfx/drive_c/msi/fail.msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('TestFail', 'NOT Installed', 5950)"
n100=$(count 100) n101=$(count 101)
rc=$(msiexec /i 'C:\msi\fail.msi')
check "an install failing after StartServices fails (exit $rc)" [ "$rc" != 0 ]
check "the service had started (100) and was stopped by the rollback (101)" restarted
check "rollback: no service left" not reg_has "$svc_key"
check "rollback: no Event Log source left" not reg_has "$src_key"
check "rollback: no program files left" [ ! -e "$prog" ]
check "rollback: not in Add or Remove Programs" [ -z "$(arp_version "$code1")" ]

"$BW_WINESERVER" -k 2>/dev/null || true
"$BW_WINESERVER" -w 2>/dev/null || true
if [ "$failed" -eq 0 ]; then rm -rf "$pfx" "$ex"; else echo "msiexec logs: $pfx/drive_c/msi/*.log, output: $log"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
