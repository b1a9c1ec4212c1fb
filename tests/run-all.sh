#!/usr/bin/env bash
# Runs every banwatch test on Debian 12 (as root on a fresh machine: it
# installs what it needs first). Stages:
#   1. toolchain/setup.sh          packages + MinGW dependencies (cached)
#   2. native build, ASan+UBSan    core unit tests, style checks (CTest)
#   3. fuzz                        libFuzzer targets, 15 s each (tests/fuzz/run.sh)
#   4. Windows build (MinGW)       banwatch.exe + tests, warnings are errors
#   5. PE checks                   64-bit, hardening flags, system DLLs only
#   6. signatures                  Authenticode of banwatch.exe and the MSI, the
#                                  MSI holds the signed exe (tests/check-signatures.sh)
#   7. one version number          CMakeLists.txt = VERSIONINFO = --version = scan
#                                  JSON = MSI ProductVersion (tests/check-version.sh)
#   8. under Wine                  core unit tests + collector tests (CTest)
#   9. end to end under Wine       scans of seeded machines (tests/e2e/run.sh)
#  10. the service under Wine      install, SCM start, events, restart,
#                                  corrupt database, uninstall (tests/e2e/service.sh)
#  11. the command line            help and --help of every command, bad usage,
#                                  status without the service, install starting it,
#                                  restore refused in enforce (tests/e2e/cli.sh)
#  12. containment under Wine      fake Kaspersky services (tests/e2e/fakesvc.exe):
#                                  audit, held, enforce, restore (tests/e2e/contain.sh)
#  13. crashes under Wine          the service killed 30+ times while it scans and
#                                  raises alerts: no damaged database, no alert lost
#                                  or raised twice (tests/e2e/crash.sh)
#  14. the MSI under Wine          msiexec /i /qn, major upgrade, repair, /x, and
#                                  /x REMOVEDATA=1 (tests/e2e/msi.sh)
#  15. Group Policy under Wine     values written under HKLM\SOFTWARE\Policies\banwatch
#                                  while the service runs take effect without a
#                                  restart, with 102 naming them (tests/e2e/gpo.sh)
#  16. benchmarks (figures)        tests/bench/run.sh --quick --check: scan speed
#                                  against a registry floor, start-up, the idle
#                                  service; fails only when a target is clearly
#                                  missed (thresholds in tests/bench/run.sh)
# Ends with "N passed, M failed" (stages) and a non-zero exit on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${BANWATCH_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)

passed=0; failed=0; failures=()
stage() { # name command...
  local name=$1; shift
  echo
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed+1)); echo "=== $name: ok ($((SECONDS-t0)) s)"
  else
    failed=$((failed+1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS-t0)) s)"
  fi
}

wine64=/usr/lib/wine/wine64
export WINEDEBUG=-all
export WINEDLLOVERRIDES="winedbg.exe=d;mscoree=d;mshtml=d"
unset DISPLAY

native() {
  cmake -S "$top" -B "$build/native" -DBW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
  cmake --build "$build/native" -j "$jobs" &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$build/native" --output-on-failure
}

windows_build() {
  cmake -S "$top" -B "$build/win" -DCMAKE_TOOLCHAIN_FILE="$top/toolchain/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build "$build/win" -j "$jobs"
}

wine_prefix() { # a prefix for the unit tests, made once
  export WINEPREFIX="$build/wine-unit"
  if [ ! -f "$WINEPREFIX/.banwatch-ready" ]; then
    rm -rf "$WINEPREFIX"
    "$wine64" wineboot -i >/dev/null 2>&1 || true
    /usr/lib/wine/wineserver64 -w 2>/dev/null || wineserver -w
    [ -f "$WINEPREFIX/system.reg" ] || { echo "wineboot did not create $WINEPREFIX"; return 1; }
    touch "$WINEPREFIX/.banwatch-ready"
  fi
}

under_wine() {
  wine_prefix || return 1
  local rc=0
  # One persistent wineserver for all tests: ~30 ms per start instead of ~3 s.
  /usr/lib/wine/wineserver64 -p
  # The first Wine process starts the session's system processes, which
  # inherit its stdout and stay while the server lives: start them here, so
  # that no test's output pipe is held open after the test exits.
  "$wine64" cmd.exe /c exit </dev/null >/dev/null 2>&1
  # A Wine process that dies before the test starts (seen rarely, no output
  # at all) is retried once; a test that fails twice fails the stage.
  ctest --test-dir "$build/win" --output-on-failure --repeat until-pass:2 || rc=1
  /usr/lib/wine/wineserver64 -k 2>/dev/null || true
  return $rc
}

stage "set-up (toolchain/setup.sh)" "$top/toolchain/setup.sh"
stage "native build and unit tests (ASan+UBSan)" native
stage "fuzz (libFuzzer targets, 15 s each)" bash "$top/tests/fuzz/run.sh" --seconds 15 --build "$build/fuzz"
stage "Windows build (MinGW-w64)" windows_build
stage "PE checks" "$top/tests/check-pe.sh" "$build/win/service/banwatch.exe"
# The MSI the Windows build made: named by the version in CMakeLists.txt.
version=$(sed -n 's/^project(banwatch VERSION \([0-9][0-9.]*\)[ )].*/\1/p' "$top/CMakeLists.txt")
msi="$build/win/installer/banwatch-$version-x64.msi"
stage "signatures (Authenticode)" "$top/tests/check-signatures.sh" --ca "${BANWATCH_SIGN_CA:-$build/win/signing/test-ca.pem}" \
  "$build/win/service/banwatch.exe" "$msi"
stage "one version number" "$top/tests/check-version.sh" --exe "$build/win/service/banwatch.exe" \
  --msi "$msi" --work "$build/e2e"
stage "unit and collector tests under Wine" under_wine
stage "end-to-end scans under Wine" "$top/tests/e2e/run.sh" --exe "$build/win/service/banwatch.exe" --work "$build/e2e"
stage "the service end to end under Wine" "$top/tests/e2e/service.sh" --exe "$build/win/service/banwatch.exe" --work "$build/e2e"
stage "the command line end to end under Wine" "$top/tests/e2e/cli.sh" --exe "$build/win/service/banwatch.exe" --work "$build/e2e"
stage "containment end to end under Wine" "$top/tests/e2e/contain.sh" --exe "$build/win/service/banwatch.exe" --svc "$build/win/tests/e2e/fakesvc.exe" --work "$build/e2e"
stage "crashes end to end under Wine" "$top/tests/e2e/crash.sh" --exe "$build/win/service/banwatch.exe" --work "$build/e2e"
stage "the MSI end to end under Wine" "$top/tests/e2e/msi.sh" --msi "$msi" --work "$build/e2e"
stage "Group Policy end to end under Wine" "$top/tests/e2e/gpo.sh" --exe "$build/win/service/banwatch.exe" --svc "$build/win/tests/e2e/fakesvc.exe" --work "$build/e2e"
stage "benchmarks (figures)" "$top/tests/bench/run.sh" --quick --check --build "$build/win" --work "$build/bench" --template "$build/e2e/template"

echo
for f in "${failures[@]}"; do echo "failed stage: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
