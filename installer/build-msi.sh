#!/usr/bin/env bash
# build-msi.sh - builds the banwatch MSI with wixl (msitools), unsigned:
#
#   installer/build-msi.sh --version X.Y.Z --exe banwatch.exe \
#       --policy policies/kaspersky.yaml --out banwatch-X.Y.Z-x64.msi
#
# The build (installer/CMakeLists.txt) runs it with the version of the
# top-level CMakeLists.txt and the signed banwatch.exe, then signs the MSI
# (installer/sign.sh). tests/e2e/msi.sh runs it with a higher version to
# test a major upgrade.
#
# wixl 0.101 cannot write three things this package needs; msibuild sets them
# in the built database afterwards (installer/README.md):
#   - rollback custom actions (msidbCustomActionTypeRollback, 0x100): wixl
#     knows only Execute="deferred";
#   - a command line run in a directory (custom action type 34): wixl has
#     no CustomAction/@Directory;
#   - REMOVEDATA among the SecureCustomProperties: wixl's Property has no
#     Secure attribute.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version="" exe="" policy="" out=""
while [ $# -gt 0 ]; do
    case $1 in
        --version) version=$2; shift 2 ;;
        --exe) exe=$2; shift 2 ;;
        --policy) policy=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) echo "usage: $0 --version X.Y.Z --exe FILE --policy FILE --out FILE.msi" >&2; exit 2 ;;
    esac
done
[ -n "$version" ] && [ -n "$exe" ] && [ -n "$policy" ] && [ -n "$out" ] ||
    { echo "usage: $0 --version X.Y.Z --exe FILE --policy FILE --out FILE.msi" >&2; exit 2; }
# ProductVersion: major.minor.build, at most 255.255.65535.
if ! [[ $version =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" -gt 255 ] ||
   [ "${BASH_REMATCH[2]}" -gt 255 ] || [ "${BASH_REMATCH[3]}" -gt 65535 ]; then
    echo "build-msi.sh: version '$version' is not an MSI ProductVersion (x.y.z, 255.255.65535 at most)" >&2
    exit 2
fi
[ -f "$exe" ] || { echo "build-msi.sh: no exe '$exe'" >&2; exit 2; }
[ -f "$policy" ] || { echo "build-msi.sh: no policy '$policy'" >&2; exit 2; }

# The ProductCode: a name-based GUID (version 5 layout, SHA-1) of the
# version, so that every build of one version has the same ProductCode and
# each version a new one.
h=$(printf 'banwatch MSI ProductCode %s' "$version" | sha1sum | cut -c1-32)
variant=$(printf '%x' $(( (0x${h:16:1} & 0x3) | 0x8 )))
product_code=$(printf '%s-%s-5%s-%s%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$variant" "${h:17:3}" "${h:20:12}" |
               tr 'a-f' 'A-F')

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
stage=$(mktemp -d "$out.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# wixl finds the files named in the .wxs in its working directory.
cp "$exe" "$stage/banwatch.exe"
cp "$policy" "$stage/policy.sample.yaml"
(cd "$stage" && wixl -a x64 -D Version="$version" -D ProductCode="$product_code" \
    -o "$stage/banwatch.msi" "$here/banwatch.wxs")

# The custom action types wixl wrote (deferred 0x400, no impersonation
# 0x800, ignore the exit code 0x40), made what banwatch.wxs means.
sql() { msibuild "$stage/banwatch.msi" -q "$1"; }
type_of() { msiinfo export "$stage/banwatch.msi" CustomAction | awk -F'\t' -v a="$1" '$1 == a { print $2 }'; }
for a in BwRegisterRollback BwUnregisterRollback; do
    t=$(type_of "$a")
    [ "$t" = 3154 ] || { echo "build-msi.sh: wixl wrote $a as type '$t', want 3154" >&2; exit 1; }
    sql "UPDATE CustomAction SET Type = $((t | 0x100)) WHERE Action = '$a'"
done
t=$(type_of BwRemoveData)
[ "$t" = 3186 ] || { echo "build-msi.sh: wixl wrote BwRemoveData as type '$t', want 3186" >&2; exit 1; }
sql "UPDATE CustomAction SET Type = $(( (t & ~0x3f) | 34 )) WHERE Action = 'BwRemoveData'"
secure=$(msiinfo export "$stage/banwatch.msi" Property | awk -F'\t' '$1 == "SecureCustomProperties" { print $2 }')
sql "UPDATE Property SET Value = '${secure:+$secure;}REMOVEDATA' WHERE Property = 'SecureCustomProperties'"

mv -f "$stage/banwatch.msi" "$out"
echo "built $(basename "$out"): banwatch $version, ProductCode {$product_code}"
