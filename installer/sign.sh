#!/usr/bin/env bash
# sign.sh --test-cert DIR IN [OUT] - Authenticode-signs a PE file or an MSI
# with osslsigncode (SHA-256), in place when OUT is left out.
#
# The certificate:
#   BANWATCH_SIGN_PFX        a PKCS#12 file with the real code-signing
#                            certificate, its chain and key; when set, it
#                            is used instead of the test certificate
#   BANWATCH_SIGN_PASSWORD   its password (read from the environment, never
#                            put on a command line)
#   BANWATCH_SIGN_TIMESTAMP  optional: an RFC 3161 time-stamping URL, so the
#                            signature stays valid after the certificate
#                            expires (needs the network)
# otherwise the test certificate in DIR, made by installer/test-cert.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
certdir=""
while [ $# -gt 0 ]; do
    case $1 in
        --test-cert) certdir=$2; shift 2 ;;
        --) shift; break ;;
        -*) echo "sign.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
in=${1:?usage: sign.sh --test-cert DIR IN [OUT]}
out=${2:-$in}

args=(-h sha256 -n banwatch)
if [ -n "${BANWATCH_SIGN_PFX:-}" ]; then
    [ -f "$BANWATCH_SIGN_PFX" ] || { echo "sign.sh: BANWATCH_SIGN_PFX: no file $BANWATCH_SIGN_PFX" >&2; exit 2; }
    args+=(-pkcs12 "$BANWATCH_SIGN_PFX" -readpass /dev/fd/3)
    what="the certificate in BANWATCH_SIGN_PFX"
else
    [ -n "$certdir" ] || { echo "sign.sh: no certificate: set BANWATCH_SIGN_PFX or pass --test-cert DIR" >&2; exit 2; }
    "$here/test-cert.sh" "$certdir" >/dev/null
    args+=(-certs "$certdir/test-codesign.pem" -key "$certdir/test-codesign.key")
    what="the test certificate"
fi
[ -z "${BANWATCH_SIGN_TIMESTAMP:-}" ] || args+=(-ts "$BANWATCH_SIGN_TIMESTAMP")

tmp="$out.signing.$$"
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
if ! osslsigncode sign "${args[@]}" -in "$in" -out "$tmp" >"$tmp.log" 2>&1 \
        3< <(printf '%s' "${BANWATCH_SIGN_PASSWORD:-}"); then
    cat "$tmp.log" >&2
    rm -f "$tmp.log"
    echo "sign.sh: signing $in failed" >&2
    exit 1
fi
rm -f "$tmp.log"
mv -f "$tmp" "$out"
echo "signed $(basename "$out") with $what"
