#!/usr/bin/env bash
# The crash harness: kills `kitei build` and `kitei seal` at every named point of the output
# phase (each rename, flush and write that moves site/ or the evidence chain on; the list comes
# from `KITEI_CRASH_AT=list`, see src/crash_points.rs) and checks, after each kill:
#   1. site/ exists and is, byte for byte, the old site or the new one;
#   2. the next `kitei build` succeeds (it adopts or quarantines what the killed run left);
#   3. after it, `kitei verify --chain evidence` passes, the ledger holds the new bundle, the
#      site is the new one, and no leftover of the killed run remains.
# The project is signed (an unencrypted throwaway key), so the signature's point is reached too.
# The fallback swap's gap (two renames) is reached with KITEI_SWAP=rename: there site/ is missing
# for a moment by design (README: Crashes and concurrent runs); the next run must put it back.
#
# Usage: tests/crash/harness.sh [PROJECT]   (default: tests/fixtures/base)
#   KITEI=path/to/kitei (default: target/debug/kitei). Exit 0 when every point recovered.
# Prints one line per run and a summary: points tried, recovered, percentage.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
kitei=${KITEI:-$here/target/debug/kitei}
template=${1:-$here/tests/fixtures/base}
work=$(mktemp -d "${TMPDIR:-/tmp}/kitei-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600 NO_COLOR=1
unset KITEI_CRASH_AT KITEI_SWAP KITEI_SIGN_KEY KITEI_SIGN_PASSWORD KITEI_CACHE

# A hash of a whole folder tree (relative names and contents), or "none".
tree_hash() {
    [ -d "$1" ] || { echo none; return; }
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# A signed project with one build (site/ and bundle 1) in $1.
prepare() {
    mkdir -p "$1"
    cp -R "$template/." "$1/"
    "$kitei" -C "$1" keygen --out "$1/keys/kitei-evidence" --unencrypted >/dev/null 2>&1 || return 1
    printf '\n[evidence]\nsign = true\nkey = "keys/kitei-evidence.key"\n' >>"$1/kitei.toml"
    "$kitei" -C "$1" build >/dev/null 2>&1
}

# An edit that changes the site and the next bundle.
edit() {
    local doc
    doc=$(find "$1/policy-src/regulation" -name '*.md' | LC_ALL=C sort | head -n 1)
    printf '\n本規程は、必要に応じて見直す。\n' >>"$doc"
}

leftovers() {
    find "$1" "$1/evidence" -maxdepth 1 \( -name '.kitei-build-*' -o -name '.kitei-old-*' \
        -o -name '.kitei-*.tmp' \) 2>/dev/null | wc -l
}

ledger_len() {
    grep -c '"sequence"' "$1/evidence/LEDGER.json"
}

# The reference: the same edit built without a crash (the "new" site).
prepare "$work/reference" || { echo "harness: cannot prepare a project from $template" >&2; exit 2; }
old_site=$(tree_hash "$work/reference/site")
edit "$work/reference"
"$kitei" -C "$work/reference" build >/dev/null 2>&1 || { echo "harness: the reference build failed" >&2; exit 2; }
new_site=$(tree_hash "$work/reference/site")
[ "$old_site" != "$new_site" ] || { echo "harness: the edit did not change the site" >&2; exit 2; }

points=$(KITEI_CRASH_AT=list "$kitei" | cut -f1)
[ -n "$points" ] || { echo "harness: KITEI_CRASH_AT=list printed no points" >&2; exit 2; }

tried=0
recovered=0
printf '%-24s %-6s %-12s %-9s %-8s %s\n' point run "after kill" "next run" chain result
for point in $points; do
    for command in build seal; do
        case "$point" in site-*) [ "$command" = build ] || continue ;; esac
        tried=$((tried + 1))
        dir="$work/$point-$command"
        prepare "$dir" || { echo "harness: cannot prepare $dir" >&2; exit 2; }
        edit "$dir"
        swap=""
        [ "$point" = site-swap-gap ] && swap=rename
        # (The braces keep the shell's own "Aborted" line out of the report.)
        { KITEI_CRASH_AT=$point KITEI_SWAP=$swap "$kitei" -C "$dir" "$command" >"$dir.crash.log" 2>&1; } 2>/dev/null
        code=$?
        problems=""
        if [ "$code" -ne 134 ]; then
            problems="$problems not-killed(exit=$code)"
        fi
        now=$(tree_hash "$dir/site")
        if [ "$now" = "$old_site" ]; then
            after="old site"
        elif [ "$now" = "$new_site" ]; then
            after="new site"
        elif [ "$now" = none ] && [ "$point" = site-swap-gap ]; then
            after="gap(doc)"
        else
            after="BROKEN"
            problems="$problems site=$now"
        fi
        if "$kitei" -C "$dir" build >"$dir.next.log" 2>&1; then next=ok; else next=FAILED; problems="$problems next-build"; fi
        if "$kitei" -C "$dir" verify --chain "$dir/evidence" --pubkey "$dir/keys/kitei-evidence.pub" >"$dir.verify.log" 2>&1; then
            chain=valid
        else
            chain=INVALID
            problems="$problems chain"
        fi
        [ "$(tree_hash "$dir/site")" = "$new_site" ] || problems="$problems site-not-new"
        [ "$(ledger_len "$dir")" -eq 2 ] || problems="$problems ledger=$(ledger_len "$dir")"
        [ "$(leftovers "$dir")" -eq 0 ] || problems="$problems leftovers=$(leftovers "$dir")"
        if [ -z "$problems" ]; then
            recovered=$((recovered + 1))
            result=recovered
        else
            result="NOT RECOVERED:$problems (logs: $dir.*.log)"
            trap - EXIT
        fi
        printf '%-24s %-6s %-12s %-9s %-8s %s\n' "$point" "$command" "$after" "$next" "$chain" "$result"
    done
done
percent=$((100 * recovered / tried))
echo "crash harness: $tried kill points tried, $recovered recovered ($percent%)"
[ "$recovered" -eq "$tried" ]
