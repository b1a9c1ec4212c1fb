# shellcheck shell=bash
#
# lib.sh - helpers for the banwatch end-to-end scenarios (sourced by run.sh).
#
# A scenario is a directory tests/fixtures/machines/<name>/ with:
#   footprint.reg       the machine's registry footprint, UTF-8 text in the
#                       repository ("Windows Registry Editor Version 5.00");
#                       converted to UTF-16LE with a BOM at test time, the
#                       only encoding Wine's `reg import` reads correctly
#   expected.tsv        the exact findings of every tier:
#                       "kind<TAB>name<TAB>source<TAB>tier", one a line,
#                       LC_ALL=C sorted; empty = a clean machine. The token
#                       <SID> stands for the prefix user's SID.
#   verdict.tsv         optional: the host verdict, "field<TAB>value" lines:
#                       present, updated_after_cutoff, stale, ksn,
#                       newest_update (a time or none), and one "product" line
#                       per product the verdict names (then the set must be
#                       exact)
#   expect-incomplete   optional: the report must say "incomplete": true
#   wine-system.reg     optional: raw lines appended to the prefix's
#   wine-user.reg       system.reg / user.reg after the import (values that
#                       `reg import` cannot write)
#   assert.jq           optional: jq filters, one a line ('#' comments), each
#                       of which must print exactly `true` for the report
#   drive_c/            optional: files copied onto the prefix's C: drive
#   mtimes.tsv          optional: "<path under drive_c>\t<touch -d date>"
#   notes.md            optional: what the machine is
#
# Every helper returns non-zero on failure and leaves a one-line reason in
# BW_REASON; nothing here exits the calling shell.

BW_REASON=""

bw_fail() { BW_REASON="$*"; return 1; }

bw_log() { [ "${BW_VERBOSE:-0}" = 1 ] && printf '  %s\n' "$*" >&2; return 0; }

# ---------------------------------------------------------------- Wine

# Finds wine64 and wineserver; sets BW_WINE and BW_WINESERVER.
bw_find_wine() {
    local c
    BW_WINE=""; BW_WINESERVER=""
    for c in "${WINE64:-}" /usr/lib/wine/wine64 "$(command -v wine64 2>/dev/null)"; do
        if [ -n "$c" ] && [ -x "$c" ]; then BW_WINE=$c; break; fi
    done
    for c in "${WINESERVER:-}" /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver \
             "$(command -v wineserver 2>/dev/null)"; do
        if [ -n "$c" ] && [ -x "$c" ]; then BW_WINESERVER=$c; break; fi
    done
    [ -n "$BW_WINE" ] || { bw_fail "wine64 not found (install wine64, or set WINE64)"; return 1; }
    [ -n "$BW_WINESERVER" ] || { bw_fail "wineserver not found (or set WINESERVER)"; return 1; }
    return 0
}

# The environment every Wine call gets: no display (console programs need
# none, and a message box would then fail instead of blocking), no Mono or
# Gecko installer prompts, no debugger on a crash (so a crash exits non-zero
# instead of printing a backtrace and exiting 0 or 5 at random), no debug
# noise.
bw_wine_env() {
    unset DISPLAY WAYLAND_DISPLAY
    export WINEDLLOVERRIDES="winedbg.exe=d;mscoree=d;mshtml=d"
    export WINEDEBUG=-all
    export WINEARCH=win64
}

# bw_wine PREFIX ARGS...: runs wine64 in PREFIX.
bw_wine() {
    local pfx=$1; shift
    WINEPREFIX=$pfx "$BW_WINE" "$@"
}

# bw_prefix_stop PREFIX: shuts down the prefix's wineserver and waits for it
# (a no-op when none runs). Never touches other prefixes' servers.
bw_prefix_stop() {
    local pfx=$1
    [ -d "$pfx" ] || return 0
    WINEPREFIX=$pfx "$BW_WINESERVER" -k >/dev/null 2>&1 || true
    WINEPREFIX=$pfx "$BW_WINESERVER" -w >/dev/null 2>&1 || true
}

# bw_prefix_remove PREFIX: stops its wineserver, then deletes it.
bw_prefix_remove() {
    local pfx=$1
    [ -e "$pfx" ] || return 0
    bw_prefix_stop "$pfx"
    rm -rf -- "$pfx"
}

BW_TEMPLATE_MARK=.banwatch-e2e-template

# bw_template_ensure DIR: makes DIR a ready Wine prefix (wineboot -i, then
# wait for the wineserver so the registry is flushed), or reuses it when its
# marker says it was completed by the same Wine version. A half-built or
# stale template is rebuilt from scratch.
bw_template_ensure() {
    local dir=$1 ver mark
    ver=$("$BW_WINE" --version 2>/dev/null) || ver=unknown
    mark="$dir/$BW_TEMPLATE_MARK"
    if [ -f "$mark" ] && [ "$(cat "$mark")" = "$ver" ] && [ -f "$dir/system.reg" ] \
       && [ -f "$dir/user.reg" ] && [ -d "$dir/drive_c/windows/system32" ]; then
        bw_log "reusing template $dir ($ver)"
        return 0
    fi
    bw_log "building template $dir ($ver)"
    bw_prefix_remove "$dir"
    mkdir -p "$(dirname "$dir")"
    if ! WINEPREFIX=$dir "$BW_WINE" wineboot -i >"$dir.log" 2>&1; then
        bw_fail "wineboot -i failed (see $dir.log)"; return 1
    fi
    WINEPREFIX=$dir "$BW_WINESERVER" -w >>"$dir.log" 2>&1 || true
    [ -f "$dir/system.reg" ] || { bw_fail "wineboot left no system.reg (see $dir.log)"; return 1; }
    printf '%s\n' "$ver" >"$mark"
    return 0
}

# bw_prefix_clone TEMPLATE DEST: a fresh prefix from the template. Everything
# is copied except drive_c/windows/system32 (~630 MB of Wine's PE DLLs),
# which is hard-linked: the scenarios only read those files, and this cuts
# the copy from ~2.5 s to well under a second. BW_E2E_FULL_COPY=1 copies all.
bw_prefix_clone() {
    local tpl=$1 dest=$2
    bw_prefix_remove "$dest"
    mkdir -p "$dest" || { bw_fail "cannot create $dest"; return 1; }
    if [ "${BW_E2E_FULL_COPY:-0}" = 1 ]; then
        cp -a "$tpl/." "$dest/" || { bw_fail "copying the template failed"; return 1; }
    else
        (cd "$tpl" && tar -c --exclude=./drive_c/windows/system32 .) | tar -x -C "$dest" \
            || { bw_fail "copying the template failed"; return 1; }
        cp -al "$tpl/drive_c/windows/system32" "$dest/drive_c/windows/" \
            || { bw_fail "linking system32 failed"; return 1; }
    fi
    rm -f "$dest/$BW_TEMPLATE_MARK"
    return 0
}

# bw_session_prefix WORK NAME: for the scenarios that drive the service:
# Wine found and its environment set, the template prefix made if needed,
# and a fresh copy of it at WORK/NAME-prefix; sets pfx and exports
# WINEPREFIX. Fails with BW_REASON.
bw_session_prefix() {
    bw_find_wine || return 1
    bw_wine_env
    bw_template_ensure "$1/template" || return 1
    pfx="$1/$2-prefix"
    bw_prefix_clone "$1/template" "$pfx" || return 1
    export WINEPREFIX=$pfx
}

# Check counting for those scenarios: ok/ko print a PASS/FAIL line and count
# it in passed/failed; check WHAT CMD... runs CMD and says which.
passed=0 failed=0
ok() { echo "PASS $*"; passed=$((passed+1)); }
ko() { echo "FAIL $*"; failed=$((failed+1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else ko "$what"; fi; }

# bw_check_ecs FILE...: the ECS check of tests/ecs (validate.js) on the
# events.jsonl files a scenario produced, counted as one check. Without node
# or the pinned package (toolchain/setup.sh installs both) it says so and
# counts nothing.
bw_check_ecs() {
    local v
    v="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/ecs"
    if ! command -v node >/dev/null 2>&1 || [ ! -f "$v/node_modules/@elastic/ecs/package.json" ]; then
        echo "NOTE events.jsonl not checked against ECS: node or tests/ecs/node_modules missing (toolchain/setup.sh)"
        return 0
    fi
    local summary
    if summary=$(node "$v/validate.js" "$@" 2>&1); then
        ok "events.jsonl is valid ECS: $(printf '%s\n' "$summary" | head -n 1)"
    else
        ko "events.jsonl is valid ECS:"; printf '%s\n' "$summary" | head -n 20
    fi
}

# bw_user_sid PREFIX: prints the SID of the prefix's user, the one HKCU maps
# to under HKU (Wine 8: S-1-5-21-0-0-0-1000).
bw_user_sid() {
    local pfx=$1 sid
    sid=$(bw_wine "$pfx" reg query HKU 2>/dev/null | tr -d '\r' \
          | sed -n 's/^HKEY_USERS\\\(S-1-5-21-[0-9-]*\)$/\1/p' | head -n 1)
    [ -n "$sid" ] || { bw_fail "no S-1-5-21-* hive under HKU"; return 1; }
    printf '%s\n' "$sid"
}

# ---------------------------------------------------------------- .reg files

# bw_reg_lint FILE: checks a UTF-8 .reg file line by line. Wine's
# `reg import` silently skips a malformed value line and still returns 0, so
# a typo would quietly remove evidence from a scenario; this catches it.
# Accepted: the version header, blank lines, ';' comments, [key] / [-key]
# under HKEY_LOCAL_MACHINE / HKEY_CURRENT_USER / HKEY_USERS, and
# "name"= / @= with a string, dword:XXXXXXXX, hex:, hex(N): (with '\'
# continuation lines) or '-'. Duplicate keys or value names are errors.
bw_reg_lint() {
    local f=$1 msg
    if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
        bw_fail "$f: not valid UTF-8"; return 1
    fi
    msg=$(LC_ALL=C awk '
        function err(m) { printf "%s:%d: %s\n", FILENAME, NR, m; bad = 1; exit 1 }
        { sub(/\r$/, "") }
        NR == 1 { sub(/^\xef\xbb\xbf/, "")
                  if ($0 != "Windows Registry Editor Version 5.00") err("first line must be the version header")
                  next }
        cont { if ($0 !~ /^[ \t]*([0-9a-fA-F][0-9a-fA-F],)*([0-9a-fA-F][0-9a-fA-F])?,?\\?$/) err("bad hex continuation")
               cont = ($0 ~ /\\$/); next }
        /^[ \t]*$/ || /^;/ { next }
        /^\[/ { if ($0 !~ /^\[-?(HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS)(\\[^\\\]]+)+\]$/) err("bad key line")
                if (seen[$0]++) err("duplicate key " $0)
                inkey = 1; delete names; next }
        { if (!inkey) err("value outside a key")
          str = "\"([^\"\\\\]|\\\\[\"\\\\])*\""
          if (match($0, "^(@|" str ")=")) {
              name = substr($0, 1, RLENGTH - 1); data = substr($0, RLENGTH + 1)
          } else err("bad value name")
          if (names[name]++) err("duplicate value " name)
          if (data ~ ("^" str "$") || data == "-") next
          if (data ~ /^dword:[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) next
          if (data ~ /^hex(\([0-9a-fA-F]+\))?:([0-9a-fA-F][0-9a-fA-F],)*([0-9a-fA-F][0-9a-fA-F])?,?\\?$/) {
              cont = (data ~ /\\$/); next }
          err("bad value data")
        }
        END { if (!bad && cont) { printf "%s: file ends inside a hex continuation\n", FILENAME; exit 1 } }
    ' "$f" 2>&1) || { bw_fail "${msg:-$f: lint failed}"; return 1; }
    return 0
}

# bw_reg_utf16 IN OUT: UTF-8 .reg text -> UTF-16LE with BOM and CRLF line
# ends (what regedit writes and what Wine's `reg import` reads).
bw_reg_utf16() {
    local in=$1 out=$2
    { printf '\377\376'
      sed -e '1s/^\xef\xbb\xbf//' -e 's/\r$//' -e 's/$/\r/' "$in" | iconv -f UTF-8 -t UTF-16LE
    } >"$out" || { bw_fail "converting $in to UTF-16LE failed"; return 1; }
    return 0
}

# bw_reg_import PREFIX FILE.reg: lints, converts and imports a footprint.
# WOW6432Node paths are written as they are: in a 64-bit prefix that is the
# 32-bit view (`reg query ... /reg:32` reads them back), as on Windows.
bw_reg_import() {
    local pfx=$1 reg=$2 u16 rc
    bw_reg_lint "$reg" || return 1
    u16="$pfx/drive_c/banwatch-footprint.reg"
    bw_reg_utf16 "$reg" "$u16" || return 1
    bw_wine "$pfx" reg import 'C:\banwatch-footprint.reg' >"$pfx/../reg-import.log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { bw_fail "reg import failed with exit code $rc (see reg-import.log)"; return 1; }
    return 0
}

# bw_wine_patch PREFIX SCENARIO_DIR: appends the scenario's optional
# wine-system.reg / wine-user.reg (Wine's own registry file format: key paths
# relative to HKLM / the user's hive, doubled backslashes) to the prefix's
# system.reg / user.reg. For values `reg import` cannot write: it stores
# every string with its terminating NUL, so a REG_SZ without one, or of odd
# length, can only be planted this way. The prefix's wineserver must be
# stopped (registry flushed); Wine merges a repeated key section on load.
bw_wine_patch() {
    local pfx=$1 sdir=$2 f
    for f in system user; do
        [ -f "$sdir/wine-$f.reg" ] || continue
        { printf '\n'; sed 's/\r$//' "$sdir/wine-$f.reg"; } >>"$pfx/$f.reg" \
            || { bw_fail "appending wine-$f.reg failed"; return 1; }
    done
    return 0
}

# bw_reg_verify PREFIX FILE.reg: checks that every key of the file exists in
# the prefix (`reg query`, and `/reg:32` for WOW6432Node keys through the
# 32-bit view). Slow (one wine call per key): for --seed-only.
bw_reg_verify() {
    local pfx=$1 reg=$2 key q missing=0
    while IFS= read -r key; do
        q=${key/#HKEY_LOCAL_MACHINE/HKLM}
        q=${q/#HKEY_CURRENT_USER/HKCU}
        if ! bw_wine "$pfx" reg query "$q" >/dev/null 2>&1; then
            printf '  missing: %s\n' "$q" >&2; missing=$((missing + 1)); continue
        fi
        case $q in
        *\\WOW6432Node\\*)
            if ! bw_wine "$pfx" reg query "${q/\\WOW6432Node\\/\\}" /reg:32 >/dev/null 2>&1; then
                printf '  not in the 32-bit view: %s\n' "$q" >&2; missing=$((missing + 1))
            fi ;;
        esac
    done < <(sed -n 's/\r$//; s/^\[\([^-].*\)\]$/\1/p' "$reg")
    [ $missing -eq 0 ] || { bw_fail "$missing key(s) missing after import"; return 1; }
    return 0
}

# ---------------------------------------------------------------- checks

BW_KINDS="product service driver ksn filter registry ksn-connection"
BW_TIERS="confirmed likely possible"

# bw_expected_lint FILE: expected.tsv must be 4 tab-separated fields per
# line (kind, name, source, tier), a known kind and tier, LC_ALL=C sorted,
# no duplicates, ending in a newline.
bw_expected_lint() {
    local f=$1 msg
    msg=$(awk -F'\t' -v kinds="$BW_KINDS" -v tiers="$BW_TIERS" '
        BEGIN { n = split(kinds, k, " "); for (i = 1; i <= n; i++) ok[k[i]] = 1
                n = split(tiers, t, " "); for (i = 1; i <= n; i++) tok[t[i]] = 1 }
        NF != 4 { printf "%s:%d: want 4 tab-separated fields (kind, name, source, tier)\n", FILENAME, NR; exit 1 }
        !($1 in ok) { printf "%s:%d: unknown kind %s\n", FILENAME, NR, $1; exit 1 }
        !($4 in tok) { printf "%s:%d: unknown tier %s\n", FILENAME, NR, $4; exit 1 }
        $2 == "" || $3 == "" { printf "%s:%d: empty field\n", FILENAME, NR; exit 1 }
    ' "$f" 2>&1) || { bw_fail "$msg"; return 1; }
    if [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ]; then
        bw_fail "$f: no newline at the end"; return 1
    fi
    if ! LC_ALL=C sort -c -u "$f" 2>/dev/null; then
        bw_fail "$f: not LC_ALL=C sorted, or has duplicate lines"; return 1
    fi
    return 0
}

# bw_check_verdict DIR VERDICT_TSV: the report's .verdict against the
# scenario's verdict.tsv (see the top of this file).
bw_check_verdict() {
    local dir=$1 want=$2 field value got products=0
    [ -f "$want" ] || return 0
    while IFS=$'\t' read -r field value _; do
        case $field in
        ''|'#'*) continue ;;
        product) products=1; continue ;;
        present|updated_after_cutoff|stale|ksn) got=$(jq -r ".verdict.$field" "$dir/stdout.json") ;;
        newest_update) got=$(jq -r '.verdict.newest_update // "none"' "$dir/stdout.json") ;;
        *) bw_fail "verdict.tsv: unknown field $field"; return 1 ;;
        esac
        [ "$got" = "$value" ] || { bw_fail "verdict $field is $got, want $value"; return 1; }
    done <"$want"
    if [ $products = 1 ]; then
        local w g
        w=$(awk -F'\t' '$1 == "product" { print $2 }' "$want" | LC_ALL=C sort)
        g=$(jq -r '.verdict.products[].name' "$dir/stdout.json" | LC_ALL=C sort)
        [ "$w" = "$g" ] || { bw_fail "verdict products are [$(echo "$g" | paste -sd '|')], want [$(echo "$w" | paste -sd '|')]"; return 1; }
    fi
    return 0
}

# bw_check_report DIR EXPECTED_TSV SID WANT_INCOMPLETE ASSERT_JQ [VERDICT_TSV]
# Judges a finished scan whose files are in DIR (rc, stdout.json): exit
# code, one UTF-8 JSON document with the documented top-level keys, the
# "incomplete" flag, the exact (kind, name, source) set, and the optional
# jq assertions. Writes DIR/actual.tsv and, on a difference, DIR/findings.diff.
bw_check_report() {
    local dir=$1 exp=$2 sid=$3 want_inc=$4 asserts=$5 verdict=${6:-}
    local rc want_rc n inc line res lineno=0

    rc=$(cat "$dir/rc" 2>/dev/null) || { bw_fail "no exit code recorded"; return 1; }
    # docs/scan-json.md: 0 clean, 1 findings, 2 error, 4 nothing found but
    # incomplete; anything else is a crash.
    case $rc in
    0|1|2|4) ;;
    124|137) bw_fail "scan hung (killed by timeout, exit $rc)"; return 1 ;;
    5) bw_fail "scan crashed: exit 5 (access violation)"; return 1 ;;
    53) bw_fail "scan did not start: exit 53 (missing DLL)"; return 1 ;;
    *) bw_fail "scan crashed or aborted: exit $rc"; return 1 ;;
    esac

    if ! iconv -f UTF-8 -t UTF-8 "$dir/stdout.json" >/dev/null 2>&1; then
        bw_fail "stdout is not valid UTF-8"; return 1
    fi
    n=$(jq -s 'length' "$dir/stdout.json" 2>"$dir/jq.err") \
        || { bw_fail "stdout is not JSON: $(head -c 200 "$dir/jq.err")"; return 1; }
    [ "$n" = 1 ] || { bw_fail "stdout holds $n JSON documents, want 1"; return 1; }

    if ! jq -e '
        type == "object"
        and (.host | type == "string")
        and (.scan_time | type == "string")
        and (.policy | type == "object") and (.policy.name | type == "string")
        and (.policy.version | type == "string")
        and (.incomplete | type == "boolean")
        and (.incomplete_reasons | type == "array")
        and ([.incomplete_reasons[] | (.where | type == "string") and (.reason | type == "string")] | all)
        and (.incomplete == (.incomplete_reasons | length > 0))
        and (.schema == "banwatch.scan/2")
        and (.verdict | type == "object")
        and (.verdict.present | test("^(no|confirmed|likely|possible)$"))
        and (.verdict.updated_after_cutoff | test("^(yes|no|unknown)$"))
        and (.verdict.stale | test("^(yes|no|unknown)$"))
        and (.verdict.ksn | test("^(none|present|active)$"))
        and (.verdict.headline | type == "string") and (.verdict.next_step | type == "string")
        and (.verdict.products | type == "array")
        and (.containment | type == "object") and (.containment.mode == "audit")
        and (.containment.targets | type == "array")
        and ([.containment.targets[] | (.name | type == "string")
              and (.decision | test("^(act|allowlisted|not-in-only|driver-not-included|not-in-scm|user-writable)$"))]
             | all)
        and (.findings | type == "array")
        and ([.findings[] | (.kind | type == "string") and (.name | type == "string")
              and (.key | type == "string")
              and (.name == (if .kind == "product" and ((.display_name // "") != "")
                             then .display_name else .key end))
              and ((.start == null) or (.start | test("^(boot|system|automatic|delayed-automatic|manual|disabled)$")))
              and (.source | type == "string") and (.rule | type == "string") and (.rule != "")
              and (.signals | type == "array") and (.signals | length > 0)
              and (.tier | test("^(confirmed|likely|possible)$"))
              and (.user_writable | type == "boolean")] | all)
        and (.summary.findings + .summary.for_review == (.findings | length))
        and ([.findings[] | select(.kind == "product" or .kind == "registry")
              | .view == (if (.source | startswith("HKU\\")) then "user"
                          elif (.source | test("\\\\WOW6432Node\\\\"; "i")) then "32"
                          else "64" end)] | all)
        and ([.findings[] | select(.kind == "product")
              | .user_sid == (if (.source | startswith("HKU\\")) then (.source | split("\\")[1])
                              else null end)] | all)
        ' "$dir/stdout.json" >/dev/null 2>&1; then
        bw_fail "report does not have the documented shape (docs/scan-json.md: top-level keys, schema, containment plan, summary count, finding fields, view/user_sid, incomplete vs incomplete_reasons)"
        return 1
    fi

    inc=$(jq -r '.incomplete' "$dir/stdout.json")
    if [ "$inc" != "$want_inc" ]; then
        bw_fail "\"incomplete\" is $inc, want $want_inc$( [ "$inc" = true ] && printf ' (%s)' \
            "$(jq -r '[.incomplete_reasons[] | .where + ": " + .reason] | .[:3] | join("; ")' "$dir/stdout.json")")"
        return 1
    fi

    # Exit 1 when a finding of a tier the policy counts (confirmed, likely)
    # is expected; possible findings are for review only.
    if grep -qE $'\t(confirmed|likely)$' "$exp"; then want_rc=1
    elif [ "$want_inc" = true ]; then want_rc=4; else want_rc=0; fi

    # Not @tsv: it would double every backslash of the registry paths. Raw
    # fields joined by tabs; a tab or newline inside a field (never in a
    # registry key name) is shown as \t / \n.
    jq -r '.findings[] | [.kind, .key, .source, .tier]
           | map(tostring | gsub("\t"; "\\t") | gsub("\n"; "\\n") | gsub("\r"; "\\r"))
           | join("\t")' "$dir/stdout.json" | LC_ALL=C sort >"$dir/actual.tsv"
    sed "s/<SID>/$sid/g" "$exp" >"$dir/expected.tsv"
    if ! diff -u --label expected.tsv --label actual.tsv "$dir/expected.tsv" "$dir/actual.tsv" \
            >"$dir/findings.diff"; then
        BW_REASON="findings differ (-expected +actual):"
        while IFS= read -r line; do
            case $line in
            ---*|+++*|@@*|' '*) ;;
            *) BW_REASON+=$'\n'"    $line" ;;
            esac
        done <"$dir/findings.diff"
        return 1
    fi
    rm -f "$dir/findings.diff"

    [ "$rc" = "$want_rc" ] || { bw_fail "exit code $rc, want $want_rc"; return 1; }
    [ -z "$verdict" ] || bw_check_verdict "$dir" "$verdict" || return 1

    if [ -n "$asserts" ] && [ -f "$asserts" ]; then
        while IFS= read -r line; do
            lineno=$((lineno + 1))
            case $line in ''|'#'*) continue ;; esac
            res=$(jq -c "$line" "$dir/stdout.json" 2>&1 | tr '\n' ' ' | sed 's/ $//')
            if [ "$res" != true ]; then
                bw_fail "assert.jq:$lineno gave ${res:-nothing}, want true"; return 1
            fi
        done <"$asserts"
    fi
    return 0
}

# ---------------------------------------------------------------- a scenario

# bw_scenario NAME SCENARIO_DIR RUN_DIR TEMPLATE EXE
# Clones the template, imports the footprint, restarts the prefix's
# wineserver (so the SCM, which reads the Services key once at start, knows
# the seeded services and drivers as on a real machine), runs
# `banwatch.exe scan --json` from C:\banwatch under a 60 s timeout and
# judges the report. Files: RUN_DIR/{stdout.json,stderr.txt,rc,actual.tsv,
# expected.tsv,findings.diff}; BW_SCENARIO_SID is set to the prefix user's
# SID. The prefix is removed afterwards unless BW_KEEP=1.
# bw_seed_files PREFIX SCENARIO_DIR: copies the scenario's optional drive_c/
# tree (e.g. a product's signature bases) into the prefix's C: drive, then
# sets the modification times listed in its optional mtimes.tsv
# ("<path under drive_c>\t<date for touch -d>", '#' comments).
bw_seed_files() {
    local pfx=$1 sdir=$2 path when
    if [ -d "$sdir/drive_c" ]; then
        cp -a "$sdir/drive_c/." "$pfx/drive_c/" || { bw_fail "copying drive_c failed"; return 1; }
    fi
    [ -f "$sdir/mtimes.tsv" ] || return 0
    while IFS=$'\t' read -r path when; do
        case $path in ''|'#'*) continue ;; esac
        [ -e "$pfx/drive_c/$path" ] || { bw_fail "mtimes.tsv: no drive_c/$path"; return 1; }
        touch -m -d "$when" "$pfx/drive_c/$path" ||
            { bw_fail "mtimes.tsv: cannot set $path to '$when'"; return 1; }
    done <"$sdir/mtimes.tsv"
}

bw_scenario() {
    local name=$1 sdir=$2 rdir=$3 tpl=$4 exe=$5
    local pfx="$rdir/prefix" sid rc want_inc=false ok=0

    BW_REASON=""
    [ -f "$sdir/footprint.reg" ] || { bw_fail "no footprint.reg"; return 1; }
    [ -f "$sdir/expected.tsv" ] || { bw_fail "no expected.tsv"; return 1; }
    bw_expected_lint "$sdir/expected.tsv" || return 1
    [ -f "$sdir/expect-incomplete" ] && want_inc=true

    rm -rf -- "$rdir"; mkdir -p "$rdir"
    bw_prefix_clone "$tpl" "$pfx" || return 1

    if bw_reg_import "$pfx" "$sdir/footprint.reg"; then
        sid=$(bw_user_sid "$pfx") || BW_REASON="no S-1-5-21-* user hive under HKU"
        # shellcheck disable=SC2034 # read by run.sh
        BW_SCENARIO_SID=${sid:-}
    fi
    if [ -n "${sid:-}" ]; then
        bw_prefix_stop "$pfx"
        bw_wine_patch "$pfx" "$sdir" || sid=""
    fi
    if [ -n "${sid:-}" ]; then
        bw_seed_files "$pfx" "$sdir" || sid=""
    fi
    if [ -n "${sid:-}" ]; then
        mkdir -p "$pfx/drive_c/banwatch"
        cp "$exe" "$pfx/drive_c/banwatch/banwatch.exe"
        (
            cd "$rdir" || exit 2
            WINEPREFIX=$pfx timeout -k 5 60 "$BW_WINE" 'C:\banwatch\banwatch.exe' scan --json \
                >stdout.json 2>stderr.txt </dev/null
            echo $? >rc
        )
        rc=$(cat "$rdir/rc")
        bw_log "$name: exit $rc, $(wc -c <"$rdir/stdout.json") bytes of stdout"
        bw_check_report "$rdir" "$sdir/expected.tsv" "$sid" "$want_inc" "$sdir/assert.jq" \
            "$sdir/verdict.tsv" && ok=1
    fi

    if [ "${BW_KEEP:-0}" = 1 ]; then bw_prefix_stop "$pfx"; else bw_prefix_remove "$pfx"; fi
    [ $ok = 1 ]
}

# count EVENT_ID [NAME]: the events of that id (and, given NAME, of that
# finding key) in the JSON-lines file $jsonl of the calling scenario.
count() {
    [ -f "$jsonl" ] || { echo 0; return; }
    if [ -n "${2:-}" ]; then
        jq -c --argjson id "$1" --arg n "$2" 'select(.event.code == ($id|tostring) and .banwatch.finding.key == $n)' "$jsonl" | wc -l
    else
        jq -c --argjson id "$1" 'select(.event.code == ($id|tostring))' "$jsonl" | wc -l
    fi
}
# wait_for SECONDS EVENT_ID [NAME] [MIN]: polls count every 20 ms until
# MIN (default 1) such events are there.
wait_for() {
    local deadline=$((SECONDS + $1)) min=${4:-1}
    while [ "$SECONDS" -le "$deadline" ]; do
        [ "$(count "$2" "${3:-}")" -ge "$min" ] && return 0
        sleep 0.02
    done
    return 1
}
