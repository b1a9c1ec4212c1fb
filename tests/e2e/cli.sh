#!/usr/bin/env bash
# cli.sh - the command line as an administrator meets it, under Wine:
#   help        `banwatch help`, `banwatch COMMAND --help` and `banwatch help
#               COMMAND` for every command: exit 0, usage, options, exit
#               codes, an example; the same text both ways
#   bad usage   an extra argument, an unknown option (with "did you mean"),
#               an option without its value, an unknown command: exit 2, the
#               real problem named, a pointer to the command's --help
#   policy      a policy indented with a tab: exit 2 and the hint, with the
#               file, line and column
#   status      without the service: "not installed" and what it means (text
#               and JSON); `install` registers and starts it: running;
#               stopped: "not running" and what to do; `uninstall`: not
#               installed again
#   restore     refused while enforce is in force (the policy file's mode,
#               and Group Policy's over a policy file in audit): exit 2, why
#               and how to switch to audit; --force goes ahead (exit 0)
#
# Usage: tests/e2e/cli.sh --exe banwatch.exe [--work DIR]
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on any
# failure (2: could not set up). Outputs stay in DIR/cli-out/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: $0 --exe banwatch.exe [--work DIR]" >&2; exit 2; }
exe="" work="$top/build/e2e"
while [ $# -gt 0 ]; do
    case $1 in
        --exe) [ $# -ge 2 ] || usage; exe=$2; shift 2 ;;
        --work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
        *) usage ;;
    esac
done
[ -f "$exe" ] || { echo "cli.sh: no exe '$exe'" >&2; exit 2; }
command -v jq >/dev/null || { echo "cli.sh: jq not found" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)
t_start=$SECONDS
exec 3>&2

bw_session_prefix "$work" cli || { echo "cli.sh: $BW_REASON" >&2; exit 2; }
data="$pfx/drive_c/ProgramData/banwatch"
out_dir="$work/cli-out"
trace="$work/cli-wine-trace.log"
rm -rf "$out_dir"; mkdir -p "$out_dir" "$pfx/drive_c/banwatch"
: > "$trace"
cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"

cleanup() { bw_prefix_stop "$pfx"; }
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM

W() { timeout -k 5 30 "$BW_WINE" "$@"; }
# run NAME ARGS...: runs banwatch; its stdout, stderr and exit code in
# $out_dir/NAME.{out,err,rc} (CR removed) and in $OUT, $ERR, $RC.
run() {
    local name=$1; shift
    timeout -k 5 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' "$@" >"$out_dir/$name.out" 2>"$out_dir/$name.err"
    RC=$?
    sed -i 's/\r$//' "$out_dir/$name.out" "$out_dir/$name.err"
    echo "$RC" >"$out_dir/$name.rc"
    OUT=$(cat "$out_dir/$name.out"); ERR=$(cat "$out_dir/$name.err")
}
# says TEXT: the last run's stdout or stderr contains TEXT (fixed string).
says() {
    grep -qF -- "$1" <<<"$OUT$ERR" && return 0
    echo "  wanted: $1" >&3; echo "  got: $(head -c 600 <<<"$OUT$ERR")" >&3
    return 1
}
exit_is() { [ "$RC" -eq "$1" ] || { echo "  exit $RC, want $1: $(head -c 300 <<<"$ERR")" >&3; return 1; }; }

# One wineserver for the whole test (services die about a second after the
# last ordinary Wine process exits); its first process starts the session's
# system processes with nothing a caller waits on.
exec 2>>"$trace"
"$BW_WINESERVER" -p
W cmd.exe /c exit </dev/null >/dev/null

commands="scan status install uninstall reload restore run service version help"

# ---------------------------------------------------------------- help
run help help
check "help: exit 0" exit_is 0
for c in $commands; do
    check "help lists $c" bash -c 'grep -qE "^  $0 +[a-z]" <<<"$1"' "$c" "$OUT"
done
run help-flag --help
check "--help: exit 0, the same overview" bash -c '[ "$0" -eq 0 ] && cmp -s "$1/help.out" "$1/help-flag.out"' "$RC" "$out_dir"
for c in $commands; do
    run "$c-flag-help" "$c" --help
    check "$c --help: exit 0" exit_is 0
    help_ok() {
        head -n 1 <<<"$OUT" | grep -q "^usage: banwatch $1" && grep -q '^exit codes:$' <<<"$OUT" \
            && grep -q '^  0  ' <<<"$OUT" && grep -q '^example:$' <<<"$OUT" && [ -z "$ERR" ] && return 0
        echo "  got: $(head -c 600 <<<"$OUT$ERR")" >&3
        return 1
    }
    check "$c --help: usage, exit codes, an example" help_ok "$c"
    run "help-$c" help "$c"
    check "help $c: exit 0, the same text as $c --help" \
        bash -c '[ "$0" -eq 0 ] && cmp -s "$1/$2-flag-help.out" "$1/help-$2.out"' "$RC" "$out_dir" "$c"
done
run scan-help-opts scan --help
check "scan --help lists --json and --policy FILE" bash -c 'grep -q "^  --json " <<<"$0" && grep -q "^  --policy FILE " <<<"$0"' "$OUT"
run install-help-opts install --help
check "install --help lists --no-start" says "--no-start"
run restore-help-opts restore -h
check "restore -h lists --force" says "--force"
run version version
check "version: exit 0, banwatch x.y.z" bash -c '[ "$0" -eq 0 ] && grep -qE "^banwatch [0-9]+\.[0-9]+\.[0-9]+$" <<<"$1"' "$RC" "$OUT"

# ---------------------------------------------------------------- bad usage
run none
check "no command: the overview, exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "^usage: banwatch <command>" <<<"$1"' "$RC" "$OUT"
run install-extra install foo
check "install foo: exit 2" exit_is 2
check "install foo: unexpected argument 'foo'" says "banwatch install: unexpected argument 'foo'"
check "install foo: see banwatch install --help" says "see 'banwatch install --help'"
not_registered() { ! W reg query 'HKLM\SYSTEM\CurrentControlSet\Services\banwatch' >/dev/null 2>&1; }
check "install foo: nothing registered" not_registered
run status-typo status --jsn
check "status --jsn: exit 2" exit_is 2
check "status --jsn: did you mean --json?" says "banwatch status: unknown option '--jsn' (did you mean --json?)"
check "status --jsn: see banwatch status --help" says "see 'banwatch status --help'"
run scan-nopolicy scan --policy
check "scan --policy: exit 2, --policy needs a file name" \
    bash -c '[ "$0" -eq 2 ] && grep -qx "banwatch scan: --policy needs a file name" <<<"$1"' "$RC" "$ERR"
run restore-extra restore AVP
check "restore AVP: exit 2, unexpected argument" \
    bash -c '[ "$0" -eq 2 ] && grep -qx "banwatch restore: unexpected argument '"'"'AVP'"'"'" <<<"$1"' "$RC" "$ERR"
run uninstall-opt uninstall --force
check "uninstall --force: exit 2, takes no options" \
    bash -c '[ "$0" -eq 2 ] && grep -q "unknown option '"'"'--force'"'"' (uninstall takes no options)" <<<"$1"' "$RC" "$ERR"
run unknown sacn
check "sacn: exit 2, unknown command (did you mean scan?)" \
    bash -c '[ "$0" -eq 2 ] && grep -q "unknown command '"'"'sacn'"'"' (did you mean scan?)" <<<"$1"' "$RC" "$ERR"
run help-unknown help frob
check "help frob: exit 2" exit_is 2

# ---------------------------------------------------------------- policy with a tab
mkdir -p "$pfx/drive_c/policies"
printf 'policy: t\nversion: "1"\nvendor:\n  name: V\n\tservices: [x]\n' >"$pfx/drive_c/policies/tab.yaml"
run scan-tab scan --policy 'C:\policies\tab.yaml'
check "a policy indented with a tab: exit 2" exit_is 2
check "the tab hint names the file, line and column" \
    says 'C:\policies\tab.yaml:5:1: tabs are not allowed in YAML indentation; use spaces'

# ---------------------------------------------------------------- status and the service
run status-none status
check "status without the service: exit 0" exit_is 0
check "status without the service: the warning comes first" \
    bash -c 'head -n 1 <<<"$0" | grep -q "^WARNING: the banwatch service is not installed: nothing watches this machine"' "$OUT"
check "status without the service: says what to do" says "run banwatch install from an elevated prompt"
check "status without the service: service: not installed" bash -c 'grep -qx "service: not installed" <<<"$0"' "$OUT"
run status-none-json status --json
check "status --json without the service: service.installed false, advice set" \
    bash -c 'jq -e ".service.installed == false and .service.state == null and (.service.advice | test(\"not installed\"))" <<<"$0" >/dev/null' "$OUT"

run install install
check "install: exit 0" exit_is 0
check "install: registered and started" bash -c 'grep -q "service banwatch installed" <<<"$0" && grep -qx "service banwatch started" <<<"$0"' "$OUT"
svc_json_is() { # svc_json_is FILTER: status --json's service object makes FILTER true (polls 10 s)
    local deadline=$((SECONDS + 10))
    while [ "$SECONDS" -le "$deadline" ]; do
        run status-svc status --json
        jq -e ".service | $1" <<<"$OUT" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "  service: $(jq -c .service <<<"$OUT" 2>/dev/null)" >&3
    return 1
}
check "status --json after install: running, automatic, no advice" \
    svc_json_is '.installed == true and .state == "running" and .start_type == "automatic" and .advice == null'
run status-running status
check "status after install: no warning, service: running (automatic start)" \
    bash -c '! grep -q "^WARNING" <<<"$0" && grep -qx "service: running (automatic start)" <<<"$0"' "$OUT"
run install-again install
check "install again: exit 0, already running" \
    bash -c '[ "$0" -eq 0 ] && grep -qx "service banwatch is running" <<<"$1"' "$RC" "$OUT"
W net stop banwatch >/dev/null 2>&1
check "status --json after net stop: stopped, advice says to start it" \
    svc_json_is '.state == "stopped" and (.advice | test("net start banwatch"))'
run status-stopped status
check "status after net stop: WARNING not running, first" \
    bash -c 'head -n 1 <<<"$0" | grep -q "^WARNING: the banwatch service is not running"' "$OUT"
run install-nostart install --no-start
check "install --no-start: exit 0, not started" \
    bash -c '[ "$0" -eq 0 ] && grep -q "not started (--no-start)" <<<"$1"' "$RC" "$OUT"
check "install --no-start: the service stays stopped" svc_json_is '.state == "stopped"'
run uninstall uninstall
check "uninstall: exit 0" exit_is 0
check "status --json after uninstall: not installed" svc_json_is '.installed == false'

# ---------------------------------------------------------------- restore in enforce
# The service's policy file says enforce: restore refuses, whatever there is
# to restore, and says how to switch to audit.
sed -e 's/^mode: .*/mode: enforce/' "$top/policies/kaspersky.yaml" >"$data/policy.yaml"
run restore-enforce restore
check "restore with mode: enforce in policy.yaml: exit 2" exit_is 2
check "the refusal says the service would disable them again at its next scan" \
    says "the containment mode in force is enforce"
check "the refusal names the policy file and how to switch to audit" \
    says 'set mode: audit in C:\ProgramData\banwatch\policy.yaml'
check "the refusal says --force restores anyway" says "banwatch restore --force"
run restore-force restore --force
check "restore --force in enforce: exit 0 (nothing recorded: 0 restored)" \
    bash -c '[ "$0" -eq 0 ] && grep -qx "restore: 0 restored, 0 failed" <<<"$1"' "$RC" "$OUT"
# Group Policy's enforce over a policy file in audit
sed -e 's/^mode: .*/mode: audit/' "$top/policies/kaspersky.yaml" >"$data/policy.yaml"
run restore-audit restore
check "restore with mode: audit: exit 0" exit_is 0
W reg add 'HKLM\SOFTWARE\Policies\banwatch' /v ContainmentMode /t REG_SZ /d enforce /f >/dev/null 2>&1
run restore-gp restore --start
check "restore with Group Policy ContainmentMode=enforce: exit 2" exit_is 2
check "the refusal names Group Policy as the source of enforce" says "Group Policy"

# What a scan loads: the system DLLs it imports and what its collectors
# need, never shell32, user32, gdi32 or COM (the data folder's path comes
# from the registry; Security Center's COM only where its class exists).
WINEDEBUG=+loaddll timeout -k 5 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' scan \
    >/dev/null 2>"$out_dir/scan-loaddll.err"
loaded=$(grep -oE 'system32\\+[A-Za-z0-9_]+\.dll' "$out_dir/scan-loaddll.err" | sed 's/.*\\//' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
check "scan loads neither shell32, user32, gdi32 nor COM ($loaded)" \
    bash -c '[ -n "$0" ] && ! grep -qwE "shell32\.dll|user32\.dll|gdi32\.dll|ole32\.dll|combase\.dll" <<<"$0"' "$loaded"

exec 2>&3
trap - EXIT
cleanup
[ "$failed" -eq 0 ] && [ "${BW_KEEP:-0}" != 1 ] && rm -rf "$pfx"
echo "cli.sh: $((SECONDS - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
