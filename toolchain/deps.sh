#!/usr/bin/env bash
# Build SQLite, libyaml and cmocka as static x86_64-w64-mingw32 libraries
# from Debian's source packages (fetched with `apt-get source`, which checks
# them against the signed .dsc). Nothing third-party is kept in the repo:
# sources and results live in the cache directory, by default .deps/ at the
# top of the repo (ignored by git), or $BANWATCH_DEPS_DIR.
#
# A library whose stamp matches its source version and this recipe's
# version is skipped, so a second run costs well under a second.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
deps=${BANWATCH_DEPS_DIR:-$top/.deps}
prefix=$deps/x86_64-w64-mingw32
recipe=1   # bump when the build steps below change
jobs=$(nproc 2>/dev/null || echo 2)
host=x86_64-w64-mingw32

mkdir -p "$deps/src" "$prefix/lib" "$prefix/include"

log() { echo "deps: $*"; }

# fetch PKG -> prints the unpacked source dir
fetch() {
  local pkg=$1 dir
  dir=$(find "$deps/src" -maxdepth 1 -mindepth 1 -type d -name "$pkg-*" | sort | tail -n 1)
  if [ -z "$dir" ]; then
    (cd "$deps/src" && apt-get source -qq "$pkg" >/dev/null 2>"$deps/src/$pkg.log") || {
      echo "deps: apt-get source $pkg failed:" >&2; cat "$deps/src/$pkg.log" >&2; return 1; }
    dir=$(find "$deps/src" -maxdepth 1 -mindepth 1 -type d -name "$pkg-*" | sort | tail -n 1)
  fi
  [ -n "$dir" ] || { echo "deps: no source tree for $pkg" >&2; return 1; }
  echo "$dir"
}

stamp_ok() { [ -f "$prefix/.$1.stamp" ] && [ "$(cat "$prefix/.$1.stamp")" = "$2" ]; }
stamp_set() { echo "$2" > "$prefix/.$1.stamp"; }

tc="$here/mingw-w64-x86_64.cmake"

build_yaml() {
  local src ver; src=$(fetch libyaml); ver="$(basename "$src")/r$recipe"
  if stamp_ok libyaml "$ver"; then log "libyaml up to date ($ver)"; return; fi
  log "building libyaml ($ver)"
  rm -rf "$deps/build-libyaml"
  cmake -S "$src" -B "$deps/build-libyaml" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
    -DINSTALL_CMAKE_DIR=lib/cmake/yaml \
    -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
  cmake --build "$deps/build-libyaml" -j "$jobs" >/dev/null
  cmake --install "$deps/build-libyaml" >/dev/null
  stamp_set libyaml "$ver"
}

build_cmocka() {
  local src ver; src=$(fetch cmocka); ver="$(basename "$src")/r$recipe"
  if stamp_ok cmocka "$ver"; then log "cmocka up to date ($ver)"; return; fi
  log "building cmocka ($ver)"
  rm -rf "$deps/build-cmocka"
  cmake -S "$src" -B "$deps/build-cmocka" -DCMAKE_TOOLCHAIN_FILE="$tc" \
    -DCMAKE_BUILD_TYPE=Release -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF \
    -DUNIT_TESTING=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
  cmake --build "$deps/build-cmocka" -j "$jobs" >/dev/null
  cmake --install "$deps/build-cmocka" >/dev/null
  stamp_set cmocka "$ver"
}

build_sqlite() {
  local src ver b; src=$(fetch sqlite3); ver="$(basename "$src")/r$recipe"
  if stamp_ok sqlite3 "$ver"; then log "sqlite3 up to date ($ver)"; return; fi
  log "building sqlite3 ($ver)"
  b="$deps/build-sqlite3"
  rm -rf "$b"; mkdir -p "$b"
  # The Debian tarball is the full tree: make the amalgamation natively
  # (needs tclsh), then compile it once with MinGW.
  (cd "$b" && "$src/configure" --disable-tcl >/dev/null && make -j "$jobs" sqlite3.c >/dev/null)
  $host-gcc -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_WAL_SYNCHRONOUS=1 \
    -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DQS=0 -c "$b/sqlite3.c" -o "$b/sqlite3.o"
  $host-ar rcs "$prefix/lib/libsqlite3.a" "$b/sqlite3.o"
  cp "$b/sqlite3.h" "$b/sqlite3ext.h" "$prefix/include/"
  stamp_set sqlite3 "$ver"
}

build_yaml
build_cmocka
build_sqlite
log "ready in $prefix"
