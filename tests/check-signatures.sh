#!/usr/bin/env bash
# check-signatures.sh - the Authenticode signatures of what the Windows
# build ships: banwatch.exe and the MSI are signed, the signatures verify
# against the given root (osslsigncode verify -CAfile), the MSI carries the
# very same signed banwatch.exe, and a file changed after signing fails.
#
# Usage: tests/check-signatures.sh --ca ROOT.pem banwatch.exe banwatch-X.Y.Z-x64.msi
#   ROOT.pem: the test root the build made (<build>/signing/test-ca.pem), or
#   the root of the real certificate (installer/README.md)
# Prints one line per check, with what osslsigncode reported.
set -uo pipefail

ca="" exe="" msi=""
while [ $# -gt 0 ]; do
    case $1 in
        --ca) ca=$2; shift 2 ;;
        *.exe) exe=$1; shift ;;
        *.msi) msi=$1; shift ;;
        *) echo "usage: $0 --ca ROOT.pem banwatch.exe banwatch.msi" >&2; exit 2 ;;
    esac
done
[ -f "$ca" ] && [ -f "$exe" ] && [ -f "$msi" ] ||
    { echo "usage: $0 --ca ROOT.pem banwatch.exe banwatch.msi (all three must exist)" >&2; exit 2; }
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
ca=$(abs "$ca") exe=$(abs "$exe") msi=$(abs "$msi")

pass=0; fail=0
check() { # name condition-result detail
    if [ "$2" = 0 ]; then echo "PASS $1"; pass=$((pass+1)); else echo "FAIL $1: $3"; fail=$((fail+1)); fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify NAME FILE: osslsigncode verify against the root; shows what it found.
verify() {
    local out rc
    out=$(osslsigncode verify -CAfile "$ca" -in "$2" 2>&1); rc=$?
    grep -q '^Signature verification: ok' <<<"$out" || rc=1
    check "$1: the signature verifies against $(basename "$ca")" $rc "$(tail -n 3 <<<"$out" | tr '\n' ' ')"
    # The figures: the digest as stored and as computed, the signer, when.
    awk -F' *: *' '
        /^Message digest algorithm/ && !alg { alg = $2 }
        /^Current message digest|^Current DigitalSignature/ { cur = $2; sub(/ +$/, "", cur) }
        /^Calculated message digest|^Calculated DigitalSignature/ && !calc { calc = $2; sub(/ +$/, "", calc) }
        /Subject:/ && !subj { subj = $2 }
        /Issuer :/ && !iss { iss = $2 }
        /Signing time:/ { when = $0; sub(/.*Signing time: */, "", when) }
        END {
            printf "    %s digest, signed %s\n    calculated %s\n", alg, cur, calc
            printf "    signer %s, issued by %s, signed at %s\n", subj, iss, when
        }' <<<"$out"
}

verify "$(basename "$exe")" "$exe"
verify "$(basename "$msi")" "$msi"

# The program inside the MSI is the signed one.
(cd "$tmp" && msiextract "$msi" >/dev/null 2>&1)
inner=$(find "$tmp" -name banwatch.exe | head -n 1)
rc=0; [ -n "$inner" ] || rc=1
check "$(basename "$msi") holds banwatch.exe" $rc "msiextract found none"
if [ -n "$inner" ]; then
    rc=0; cmp -s "$inner" "$exe" || rc=1
    check "the banwatch.exe in the MSI is the signed $(basename "$exe")" $rc "it differs"
    verify "banwatch.exe from the MSI" "$inner"
fi

# A byte changed after signing: the signature must no longer verify.
cp "$exe" "$tmp/changed.exe"
printf 'X' | dd of="$tmp/changed.exe" bs=1 seek=$(( $(stat -c %s "$exe") / 2 )) conv=notrunc status=none
rc=0; ! osslsigncode verify -CAfile "$ca" -in "$tmp/changed.exe" >/dev/null 2>&1 || rc=1
check "a copy of banwatch.exe changed after signing fails verification" $rc "it verified"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
