#!/usr/bin/env bash
# test-cert.sh DIR - makes a test code-signing certificate for banwatch's
# own builds, in DIR (a build directory; never commit what it writes):
#   test-ca.pem             the test root CA (trust it to verify: -CAfile)
#   test-codesign.pem       the code-signing certificate, then the CA
#   test-codesign.key       its private key (unencrypted, mode 600)
# The CA's key is thrown away: nothing else can ever be signed by it.
# Does nothing when the files are already there. Uses openssl.
set -euo pipefail

dir=${1:?usage: test-cert.sh DIR}
mkdir -p "$dir"
if [ -s "$dir/test-ca.pem" ] && [ -s "$dir/test-codesign.pem" ] && [ -s "$dir/test-codesign.key" ]; then
    exit 0
fi
tmp=$(mktemp -d "$dir/.test-cert.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077

days=3650
openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$days" \
    -subj "/O=banwatch test/CN=banwatch test code signing CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:3072 -nodes -sha256 \
    -subj "/O=banwatch test/CN=banwatch test code signing" \
    -keyout "$tmp/cs.key" -out "$tmp/cs.csr" 2>/dev/null
cat >"$tmp/cs.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
openssl x509 -req -sha256 -days "$days" -in "$tmp/cs.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$tmp/cs.ext" -out "$tmp/cs.pem" 2>/dev/null

cat "$tmp/cs.pem" "$tmp/ca.pem" >"$tmp/chain.pem"
mv "$tmp/cs.key" "$dir/test-codesign.key"
mv "$tmp/chain.pem" "$dir/test-codesign.pem"
chmod 644 "$dir/test-codesign.pem" "$tmp/ca.pem"
mv "$tmp/ca.pem" "$dir/test-ca.pem"
echo "test code-signing certificate: $dir/test-codesign.pem (root: $dir/test-ca.pem)"
