#!/usr/bin/env bash
# Checks a banwatch PE file: 64-bit, hardened (ASLR with high-entropy VA,
# NX, stack protector), importing only Windows system DLLs, and none of the
# DLLs that only some paths use (COM, shell32, iphlpapi): service/win/bw_api.c
# loads those on first use, so that start-up does not pay for them.
# Usage: tests/check-pe.sh FILE.exe ...   Prints one line per check.
set -uo pipefail

objdump=x86_64-w64-mingw32-objdump
nm=x86_64-w64-mingw32-nm
# DLLs that ship with every supported Windows (and Wine).
# DLLs loaded on first use only, never imported.
lazy='^(ole32|oleaut32|shell32|iphlpapi)\.dll$'
allowed='^(kernel32|advapi32|msvcrt|user32|ws2_32|iphlpapi|shell32|ole32|oleaut32|version|wevtapi|bcrypt|crypt32|wintrust|shlwapi|userenv|netapi32|secur32|rpcrt4|ntdll)\.dll$'

pass=0; fail=0
check() { # name condition-result detail
  if [ "$2" = 0 ]; then echo "PASS $1"; pass=$((pass+1)); else echo "FAIL $1: $3"; fail=$((fail+1)); fi
}

for exe in "$@"; do
  name=$(basename "$exe")
  hdr=$($objdump -p "$exe" 2>&1) || { check "$name readable" 1 "$hdr"; continue; }
  grep -q '^Magic[[:space:]]*020b' <<<"$hdr"; check "$name is PE32+ (64-bit)" $? "$(grep '^Magic' <<<"$hdr")"
  dllch=$(grep -A8 '^DllCharacteristics' <<<"$hdr")
  for flag in HIGH_ENTROPY_VA DYNAMIC_BASE NX_COMPAT; do
    grep -q "$flag" <<<"$dllch"; check "$name has $flag" $? "not set"
  done
  bad=$(grep 'DLL Name:' <<<"$hdr" | awk '{print tolower($3)}' | grep -Ev "$allowed" | tr '\n' ' ')
  [ -z "$bad" ]; check "$name imports only system DLLs" $? "imports $bad"
  eager=$(grep 'DLL Name:' <<<"$hdr" | awk '{print tolower($3)}' | grep -E "$lazy" | tr '\n' ' ')
  [ -z "$eager" ]; check "$name imports no DLL it loads on first use (COM, shell32, iphlpapi)" $? "imports $eager"
  syms=$($nm "$exe" 2>/dev/null)   # not piped into grep -q: SIGPIPE under pipefail
  grep -q '__stack_chk_fail' <<<"$syms"; check "$name has the stack protector" $? "no __stack_chk_fail"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
