#!/usr/bin/env bash
# run.sh - the ECS check of the events (CTest test ecs_events; see
# tests/ecs/README.md): writes a record of every event with dump_events and
# validates it, with any events.jsonl files given after it, against the
# pinned ECS definitions.
#
#   tests/ecs/run.sh DUMP_EVENTS OUT_DIR [EVENTS_JSONL...]
#
# Exits 77 (CTest: skipped) with a message when node is not installed;
# toolchain/setup.sh installs it and the package (npm ci in tests/ecs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dump=$1 outdir=$2
shift 2
if ! command -v node >/dev/null 2>&1; then
    echo "SKIPPED: node is not installed (toolchain/setup.sh installs nodejs and npm)"
    exit 77
fi
if [ ! -f "$here/node_modules/@elastic/ecs/package.json" ]; then
    echo "tests/ecs: @elastic/ecs is not installed: run toolchain/setup.sh (npm ci in tests/ecs)" >&2
    exit 1
fi
mkdir -p "$outdir"
"$dump" "$outdir/every-event.jsonl"
node "$here/validate.js" --all-events "$outdir/every-event.jsonl"
if [ $# -gt 0 ]; then
    node "$here/validate.js" "$@"
fi
