#!/usr/bin/env bash
# kitei pdf benchmark (issue 16): time and peak memory of typesetting the PDFs, for the example
# policy and for a generated regulation of about 200 A4 pages. Baseline, measured in the same run
# on the same project: `KITEI_PDF=off kitei build --no-seal` (the HTML site without PDFs).
# Measured against it: `kitei pdf` (every PDF of the employees audience) and `kitei build
# --no-seal` with its PDFs (the default), all three cold (KITEI_CACHE=off: every PDF typeset), and
# `kitei build --no-seal` again with the caches on, after one runbook was edited (one PDF is
# typeset, the others come from .kitei-cache/pdf; unchanged pages are reused). The commands alternate, so a change of load hits
# them alike; CPU seconds (user+sys) are the figure to compare on a shared machine, wall time and
# the load average are printed beside them. Not a test. See README "Benchmarks".
#
#   benches/pdf.sh                    # RUNS=3, CLAUSES=1000 (≈ 200 pages)
#   RUNS=5 CLAUSES=2000 benches/pdf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
RUNS=${RUNS:-3}
CLAUSES=${CLAUSES:-1000}
WORK=${WORK:-$repo/target/bench-pdf}
export SOURCE_DATE_EPOCH=1775001600
unset KITEI_PDF

[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 2; }
command -v pdfinfo >/dev/null || { echo "error: pdfinfo is missing: apt-get install poppler-utils" >&2; exit 2; }

cargo build --release --quiet
kitei=$repo/target/release/kitei
rm -rf "$WORK" && mkdir -p "$WORK"

# The example, and a copy with one long guideline: CLAUSES clauses of three paragraphs each.
cp -r kitei.toml policy-src "$WORK/"
mkdir -p "$WORK/long" && cp -r kitei.toml policy-src "$WORK/long/"
python3 - "$WORK/long/policy-src/regulation/long.md" "$CLAUSES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
para = ("当社は、情報資産の機密性、完全性及び可用性を維持するため、本条に定める措置を講じ、"
        "その実施状況を定期的に確認し、必要に応じて見直しを行う（以下「本措置」という。）。")
out = ["---", "id: long-guideline", "kind: guideline", "title: 長大な規程（性能測定用）",
       'version: "1"', "visibility: employees", "owner: role:ciso", "---", ""]
for i in range(1, n + 1):
    out.append(f"## 第{i}条（措置{i}） {{#c{i}}}\n")
    out.append(para * 2 + "\n")
    out.append(f"2　前項の措置は、第{max(1, i - 1)}条に定める手順に従い実施する。" + para + "\n")
    out.append("1. " + para + "\n2. " + para + "\n")
open(path, "w").write("\n".join(out))
PY

# One run of a command: "label wall cpu(user+sys) peak-RSS-KiB" appended to $raw.
raw=$WORK/results.raw
: > "$raw"
measure() {
    local label=$1; shift
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" \
        || { cat "$WORK/err.txt" >&2; exit 1; }
    read -r e u s m < "$WORK/time.txt"
    echo "$label $e $(echo "$u + $s" | bc) $m" >> "$raw"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for name in example long; do
    project=$WORK; [ "$name" = long ] && project=$WORK/long
    for _ in $(seq "$RUNS"); do
        # A fresh output folder each time: an unchanged one would be a no-op build.
        rm -rf "$project/site-bench" "$project/pdf-bench" "$project/site-pdf-bench"
        measure "$name-site" env KITEI_PDF=off KITEI_CACHE=off "$kitei" -C "$project" build --no-seal --out "$project/site-bench"
        measure "$name-pdf" env KITEI_CACHE=off "$kitei" -C "$project" pdf --out "$project/pdf-bench"
        measure "$name-build" env KITEI_CACHE=off "$kitei" -C "$project" build --no-seal --out "$project/site-pdf-bench"
    done
    "$kitei" -C "$project" build --no-seal --out "$project/site-cached-bench" >/dev/null 2>&1
    for i in $(seq "$RUNS"); do
        printf '\n（測定用の追記 %s）\n' "$i" >> "$project/policy-src/runbooks/malware.md"
        measure "$name-cached" "$kitei" -C "$project" build --no-seal --out "$project/site-cached-bench"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
pages_long=$(pdfinfo "$WORK/long/pdf-bench/doc-long-guideline.pdf" | awk '/^Pages:/ {print $2}')
pdfs_example=$(ls "$WORK/pdf-bench" | wc -l)
bytes_example=$(du -cb "$WORK"/pdf-bench/*.pdf | tail -1 | cut -f1)
bytes_long=$(stat -c %s "$WORK/long/pdf-bench/doc-long-guideline.pdf")

python3 - "$raw" "$pages_long" "$pdfs_example" "$bytes_example" "$bytes_long" "$RUNS" "$load_before" "$load_after" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, wall, cpu, rss = line.split()
    runs[label].append((float(wall), float(cpu), int(rss) // 1024))
med = lambda label, i: statistics.median(r[i] for r in runs[label])
peak = lambda label: max(r[2] for r in runs[label])
pages, pdfs, size, size_long, n = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
print(f"kitei pdf benchmark: medians of {n} alternating runs; load average {sys.argv[7]} before, {sys.argv[8]} after")
print("baseline: KITEI_PDF=off kitei build --no-seal (the site without PDFs), same project, same run")
print()
print("| project | command | CPU (user+sys) | wall | peak RSS | CPU / baseline | peak RSS / baseline |")
print("|---|---|---:|---:|---:|---:|---:|")
for name, what in [("example", f"example ({pdfs} PDFs, {size // 1024} KB)"),
                   ("long", f"one regulation of {pages} pages ({size_long // 1024} KB)")]:
    base = f"{name}-site"
    for label, cmd in [(base, "site without PDFs (baseline)"), (f"{name}-pdf", "`kitei pdf`"),
                       (f"{name}-build", "`kitei build --no-seal` (site and PDFs)"),
                       (f"{name}-cached", "the same after one runbook was edited (caches on)")]:
        print(f"| {what} | {cmd} | {med(label, 1):.2f} s | {med(label, 0):.2f} s | {peak(label)} MiB "
              f"| {med(label, 1) / med(base, 1):.2f}× | {peak(label) / peak(base):.2f}× |")
PY
