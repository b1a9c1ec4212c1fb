#!/usr/bin/env bash
# check-version.sh - one version number: the one set in the top-level
# CMakeLists.txt (project(banwatch VERSION x.y.z)) is the one in each place
# it reaches:
#   banwatch.exe's version resource: FileVersion and ProductVersion, as
#     numbers (x.y.z.0) and as text, and the names in it
#   `banwatch --version` and `scan --json` (banwatch_version), under Wine
#   the MSI's ProductVersion (msiinfo export banwatch.msi Property) and its
#     file name
# (the events carry it too: tests/e2e/msi.sh checks event 100's.)
#
# Usage: tests/check-version.sh --exe banwatch.exe --msi banwatch-X.Y.Z-x64.msi [--work DIR]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=e2e/lib.sh
. "$here/e2e/lib.sh"

exe="" msi="" work="$top/build/e2e"
while [ $# -gt 0 ]; do
    case $1 in
        --exe) exe=$2; shift 2 ;;
        --msi) msi=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: $0 --exe banwatch.exe --msi banwatch.msi [--work DIR]" >&2; exit 2 ;;
    esac
done
[ -f "$exe" ] && [ -f "$msi" ] || { echo "usage: $0 --exe banwatch.exe --msi banwatch.msi [--work DIR]" >&2; exit 2; }
mkdir -p "$work"; work=$(cd "$work" && pwd)

want=$(sed -n 's/^project(banwatch VERSION \([0-9][0-9.]*\)[ )].*/\1/p' "$top/CMakeLists.txt")
[ -n "$want" ] || { echo "check-version.sh: no project(banwatch VERSION x.y.z) in CMakeLists.txt" >&2; exit 2; }
echo "the version, from CMakeLists.txt: $want"

same() { # same WHAT GOT: one line, PASS when GOT is the version
    if [ "$2" = "$3" ]; then ok "$1: $2"; else ko "$1: '$2', want '$3'"; fi
}

res=$(python3 "$here/pe-version.py" "$exe" 2>&1) || { ko "version resource: $res"; res=""; }
field() { awk -F= -v k="$1" '$1 == k { print substr($0, length(k) + 2) }' <<<"$res"; }
same "VERSIONINFO FileVersion (numbers)" "$(field 'FileVersion#')" "$want.0"
same "VERSIONINFO ProductVersion (numbers)" "$(field 'ProductVersion#')" "$want.0"
same "VERSIONINFO FileVersion" "$(field FileVersion)" "$want"
same "VERSIONINFO ProductVersion" "$(field ProductVersion)" "$want"
same "VERSIONINFO CompanyName" "$(field CompanyName)" banwatch
same "VERSIONINFO ProductName" "$(field ProductName)" banwatch
same "VERSIONINFO OriginalFilename" "$(field OriginalFilename)" banwatch.exe
desc=$(field FileDescription)
check "VERSIONINFO FileDescription: $desc" [ -n "$desc" ]

same "MSI ProductVersion" "$(msiinfo export "$msi" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductVersion" { print $2 }')" "$want"
same "MSI file name" "$(basename "$msi")" "banwatch-$want-x64.msi"

bw_session_prefix "$work" version || { echo "check-version.sh: $BW_REASON" >&2; exit 2; }
cp "$exe" "$pfx/drive_c/banwatch.exe"
run() { timeout -k 5 60 "$BW_WINE" 'C:\banwatch.exe' "$@" </dev/null 2>/dev/null | tr -d '\r'; }
got=$(run --version)
# The first Wine process of a prefix may fail to start once: try again.
[ -n "$got" ] || got=$(run --version)
same "banwatch --version" "$got" "banwatch $want"
same "banwatch scan --json: banwatch_version" "$(run scan --json | jq -r .banwatch_version 2>/dev/null)" "$want"
bw_prefix_remove "$pfx"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
