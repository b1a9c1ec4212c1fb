#!/usr/bin/env bash
# banwatch toolchain set-up for Debian 12 (bookworm), run as root.
#
# Installs the build and test tools from Debian's archive if they are
# missing, then builds the MinGW static libraries (SQLite, libyaml, cmocka)
# from Debian's source packages (toolchain/deps.sh) and installs the pinned
# npm test tooling of tests/soc and tests/ecs. Safe to re-run: every
# step checks first and does nothing when its result is already there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

packages=(
  build-essential cmake pkg-config dpkg-dev
  gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
  wine wine64 wixl msitools tcl jq
  openssl osslsigncode
  libyaml-dev libsqlite3-dev libcmocka-dev
  python3 python3-yaml clang-format
  clang libclang-rt-14-dev
  ca-certificates
)

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing packages ($*) and not root: run as root" >&2
    exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm run the ECS check (tests/ecs) and the KQL check (tests/soc); a node that
# is already on the PATH (from Debian or not) is used as it is.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

# apt-get source needs a deb-src entry for the same archive as the binaries.
src_list=/etc/apt/sources.list.d/banwatch-deb-src.sources
need_src=0
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  need_src=1
fi

if [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; then
  need_root "${missing[*]:-deb-src entry}"
  if [ $need_src -eq 1 ]; then
    # Mirror every deb822 "Types: deb" stanza (or one-line deb entry) as deb-src.
    {
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$src_list" ] && continue
        awk 'BEGIN{RS="";ORS="\n\n"} /Types:[ \t]*deb([ \t\n]|$)/ && /debian/ {sub(/Types:[ \t]*deb/,"Types: deb-src"); print}' "$f"
      done
      if [ -f /etc/apt/sources.list ]; then
        awk '$1=="deb" && /debian/ {printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $2, $3; for(i=4;i<=NF;i++) printf " %s", $i; printf "\n\n"}' /etc/apt/sources.list
      fi
    } > "$src_list"
    if ! grep -q deb-src "$src_list"; then
      echo "setup.sh: found no Debian 'deb' entry to mirror as deb-src" >&2
      rm -f "$src_list"
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup.sh: installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

"$here/deps.sh"

# Test tooling from the npm registry, pinned by each folder's
# package-lock.json: the Kusto language service that analyzes the KQL of
# docs/soc (tests/soc/kql-check.js) and the ECS field definitions the events
# are checked against (tests/ecs/validate.js). Node.js and npm come from
# Debian (above); npm ci runs again only when a lock file changed since its
# last install. npm keeps its downloads in its cache (~/.npm).
for npm_dir in "$here/../tests/soc" "$here/../tests/ecs"; do
  if ! cmp -s "$npm_dir/package-lock.json" "$npm_dir/node_modules/.banwatch-package-lock.json"; then
    echo "setup.sh: npm ci in ${npm_dir#"$here/../"}"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    cp "$npm_dir/package-lock.json" "$npm_dir/node_modules/.banwatch-package-lock.json"
  fi
done
