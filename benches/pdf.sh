#!/usr/bin/env bash
# kitei pdf benchmark (issue 16): time and peak RSS of `kitei pdf` for the example policy and
# for a generated regulation of about 200 A4 pages, each against `kitei build --no-seal` (the
# HTML site of the same project) measured in the same run. Not a test: numbers drift on a
# shared machine, the ratios are what to compare. See README "Benchmarks".
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

[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 2; }
command -v pdfinfo >/dev/null || { echo "error: pdfinfo is missing: apt-get install poppler-utils" >&2; exit 2; }

cargo build --release --quiet
kitei=$repo/target/release/kitei
rm -rf "$WORK" && mkdir -p "$WORK"

# The example, and a copy with one long guideline: CLAUSES clauses of three paragraphs each.
cp -r kitei.toml policy-src "$WORK/" 2>/dev/null || true
mkdir -p "$WORK/long" && cp -r kitei.toml policy-src "$WORK/long/"
python3 - "$WORK/long/policy-src/regulation/long.md" "$CLAUSES" <<'EOF'
import sys
path, n = sys.argv[1], int(sys.argv[2])
para = ("当社は、情報資産の機密性、完全性及び可用性を維持するため、本条に定める措置を講じ、"
        "その実施状況を定期的に確認し、必要に応じて見直しを行う（以下「本措置」という。）。")
out = ["---", "id: long-guideline", "kind: guideline", "title: 長大な規程（性能測定用）",
       'version: "1"', "visibility: employees", "---", ""]
for i in range(1, n + 1):
    out.append(f"## 第{i}条（措置{i}） {{#c{i}}}\n")
    out.append(para * 2 + "\n")
    out.append(f"2　前項の措置は、第{max(1, i - 1)}条に定める手順に従い実施する。" + para + "\n")
    out.append("1. " + para + "\n2. " + para + "\n")
open(path, "w").write("\n".join(out))
EOF

# median and peak RSS (MiB) of RUNS runs of a command
measure() {
    local label=$1; shift
    local times=() rss=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
        read -r t m < "$WORK/time.txt"
        times+=("$t"); (( m > rss )) && rss=$m
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%s %s %s\n' "$label" "$median" "$((rss / 1024))"
}

results=$WORK/results.txt
: > "$results"
for project in "$WORK" "$WORK/long"; do
    name=$([ "$project" = "$WORK" ] && echo example || echo long)
    measure "$name-site" "$kitei" -C "$project" build --no-seal --out "$project/site-bench" >> "$results"
    measure "$name-pdf" "$kitei" -C "$project" pdf --out "$project/pdf-bench" >> "$results"
done
pages_long=$(pdfinfo "$WORK/long/pdf-bench/doc-long-guideline.pdf" | awk '/^Pages:/ {print $2}')
pdfs_example=$(ls "$WORK/pdf-bench" | wc -l)
bytes_example=$(du -cb "$WORK"/pdf-bench/*.pdf | tail -1 | cut -f1)

python3 - "$results" "$pages_long" "$pdfs_example" "$bytes_example" "$RUNS" <<'EOF'
import sys
rows = {l.split()[0]: (float(l.split()[1]), int(l.split()[2])) for l in open(sys.argv[1])}
pages, pdfs, size, runs = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
print(f"kitei pdf benchmark (medians of {runs}; baseline: kitei build --no-seal of the same project, same run)")
print("| project | kitei pdf | peak RSS | site build (baseline) | peak RSS | pdf / site |")
print("|---|---:|---:|---:|---:|---:|")
for name, what in [("example", f"example ({pdfs} PDFs, {size // 1024} KB)"), ("long", f"one regulation, {pages} pages")]:
    p, s = rows[f"{name}-pdf"], rows[f"{name}-site"]
    print(f"| {what} | {p[0]:.2f} s | {p[1]} MiB | {s[0]:.2f} s | {s[1]} MiB | {p[0] / s[0]:.2f}× |")
EOF
