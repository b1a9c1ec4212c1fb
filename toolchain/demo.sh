#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine (as root): set up
# the toolchain, build banwatch.exe, make a demo Windows machine under Wine
# (a Wine prefix seeded with a Kaspersky Endpoint Security 12 + Network
# Agent footprint and a few look-alikes that must not be reported), and scan
# it: the text report on the console, the JSON report in build/demo/.
#
# Usage: toolchain/demo.sh [scenario ...]   (default: decoys kes12-nagent;
# scenarios are the directories of tests/fixtures/machines)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BANWATCH_BUILD_DIR:-$top/build}
demo=$build/demo
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(decoys kes12-nagent)

"$top/toolchain/setup.sh"
cmake -S "$top" -B "$build/win" -DCMAKE_TOOLCHAIN_FILE="$top/toolchain/mingw-w64-x86_64.cmake" >/dev/null
cmake --build "$build/win" -j "$(nproc)" --target banwatch >/dev/null
exe=$build/win/service/banwatch.exe

wine64=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver64
export WINEDEBUG=-all WINEDLLOVERRIDES="winedbg.exe=d;mscoree=d;mshtml=d"
unset DISPLAY

# A clean template prefix, made once and copied for every demo run.
template=$demo/template
if [ ! -f "$template/.banwatch-ready" ]; then
  echo "demo: creating the Wine template prefix (once, ~10 s)"
  rm -rf "$template"; mkdir -p "$demo"
  WINEPREFIX=$template "$wine64" wineboot -i >/dev/null 2>&1 || true
  WINEPREFIX=$template "$wineserver" -w
  touch "$template/.banwatch-ready"
fi
export WINEPREFIX=$demo/machine
"$wineserver" -k 2>/dev/null || true
rm -rf "$WINEPREFIX"; cp -a "$template" "$WINEPREFIX"

for s in "${scenarios[@]}"; do
  reg=$top/tests/fixtures/machines/$s/footprint.reg
  [ -f "$reg" ] || { echo "demo: no scenario '$s' (tests/fixtures/machines/$s/footprint.reg)" >&2; exit 2; }
  # reg import takes UTF-16LE with a BOM only.
  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$reg"; } > "$demo/$s.reg"
  "$wine64" reg import "$("$wine64" winepath -w "$demo/$s.reg" 2>/dev/null)" >/dev/null 2>&1 ||
    { echo "demo: importing $s failed" >&2; exit 2; }
  echo "demo: seeded the machine with '$s'"
done
# As after a reboot: the service control manager reads the Services key when
# it starts, so restart the session to have it know the seeded services.
"$wineserver" -k 2>/dev/null || true
"$wineserver" -w 2>/dev/null || true

echo "demo: banwatch.exe scan"
echo
set +e
"$wine64" "$exe" scan
rc=$?
"$wine64" "$exe" scan --json > "$demo/scan.json"
set -e
"$wineserver" -k 2>/dev/null || true
echo
echo "demo: scan exit code $rc (0 clean, 1 findings, 2 error, 4 incomplete); JSON report: build/demo/scan.json"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 4 ]
