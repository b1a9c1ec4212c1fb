#!/usr/bin/env bash
# The C sources against .clang-format (clang-format 14, Debian 12).
#   tests/style/clang-format.sh --check   list the files that differ; exit 1 if any
#   tests/style/clang-format.sh --fix     rewrite them in place
# Files: every tracked or new *.c and *.h under service/ and tests/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mode=${1:---check}
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ]; then
  echo "clang-format is not installed (toolchain/setup.sh installs it)" >&2
  exit 1
fi
case "$("$cf" --version)" in
  *"version 14."*) ;;
  *) echo "clang-format 14 is required, found: $("$cf" --version)" >&2; exit 1 ;;
esac
mapfile -t files < <(
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files --cached --others --exclude-standard -- 'service/*.[ch]' 'tests/*.[ch]'
  else
    find service tests -name '*.[ch]' | sort
  fi)
case "$mode" in
  --fix)
    "$cf" -i --style=file "${files[@]}"
    echo "clang-format: ${#files[@]} files formatted" ;;
  --check)
    bad=()
    for f in "${files[@]}"; do
      [ -f "$f" ] || continue
      if ! "$cf" --style=file "$f" | cmp -s - "$f"; then bad+=("$f"); fi
    done
    if [ ${#bad[@]} -gt 0 ]; then
      printf '%s: not formatted as .clang-format says\n' "${bad[@]}"
      echo "clang-format: ${#bad[@]} of ${#files[@]} files differ (tests/style/clang-format.sh --fix)"
      exit 1
    fi
    echo "clang-format: ${#files[@]} files formatted as .clang-format says" ;;
  *) echo "usage: $0 [--check|--fix]" >&2; exit 2 ;;
esac
