#!/usr/bin/env bash
# Benchmark of `kitei import` (issue 11): a regulation of PAGES A4 pages (default 300), made by
# concatenating seed 001 as chapters 第1章 … (clause numbers restart in each), as plain text and
# as Word with automatic numbering (tests/seeds/make_docx.py --long). Timed side by side in one
# run, medians of RUNS:
#   - kitei import of the .txt and of the .docx into a fresh project (includes the check of the
#     result and writing the report);
#   - pandoc converting the same .docx to Markdown (the usual converter: no structure, no
#     anchors, no data, no check): the baseline for the Word import;
#   - kitei check alone on the imported project (cache off): the share of the check.
# Writes benches/results/import.md and benches/results/import-latest.json.
#
#   benches/import.sh                 # 300 pages, 5 runs
#   PAGES=1000 RUNS=3 benches/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
PAGES=${PAGES:-300}
RUNS=${RUNS:-5}
WORK=${WORK:-$repo/target/bench/import}

log() { printf '== %s\n' "$*" >&2; }
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 2; }
python3 -c "import docx" 2>/dev/null || { echo "error: python-docx is missing: pip install python-docx==1.2.0" >&2; exit 2; }
if ! command -v pandoc >/dev/null; then
  log "installing pandoc (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pandoc >/dev/null
fi

log "building kitei (release)"
cargo build --release --quiet
kitei=$repo/target/release/kitei

rm -rf "$WORK"
mkdir -p "$WORK"
log "generating a ${PAGES}-page regulation"
python3 tests/seeds/make_docx.py --long "$PAGES" "$WORK" >&2

WORK=$WORK KITEI=$kitei RUNS=$RUNS PAGES=$PAGES python3 - <<'EOF'
import json, os, platform, re, shutil, statistics, subprocess, time
from pathlib import Path

work = Path(os.environ["WORK"]); kitei = os.environ["KITEI"]
runs = int(os.environ["RUNS"]); pages = int(os.environ["PAGES"])
env = dict(os.environ, KITEI_CACHE="off")
env.pop("SOURCE_DATE_EPOCH", None)

def timed(cmd, cwd, prepare=None):
    """Median wall time (s) and peak RSS (MiB) of cmd over RUNS runs."""
    times, rss = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed ({p.returncode}):\n{p.stderr[-2000:]}")
        rss.append(int(p.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(times), max(rss)

def fresh(project):
    def prepare():
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
    return prepare

txt, docx = work / "regulation.txt", work / "regulation.docx"
results = {}
for name, src in [("import-txt", txt), ("import-docx", docx)]:
    project = work / name
    results[name] = timed([kitei, "--as-of", "2026-12-01", "import", str(src), "--id", "regulation"],
                          project, fresh(project))
results["pandoc-docx"] = timed(["pandoc", str(docx), "-t", "gfm", "-o", str(work / "pandoc.md")], work)
results["check-imported"] = timed([kitei, "--as-of", "2026-12-01", "check"], work / "import-txt")

chars = len(txt.read_text(encoding="utf-8"))
report = (work / "import-docx" / "import-report.md").read_text(encoding="utf-8")
clauses = re.search(r"recognised: (\d+) clause headings", report).group(1)
def version(cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
machine = f"{os.cpu_count()} CPUs ({cpu}), {version(['pandoc', '--version'])}, {version([kitei, '--version'])}"

ratio_docx = results["import-docx"][0] / results["pandoc-docx"][0]
ratio_check = results["import-txt"][0] / results["check-imported"][0]
rows = [
    ("kitei import .txt (with check and report)", "import-txt"),
    ("kitei import .docx (with check and report)", "import-docx"),
    ("pandoc .docx → gfm (baseline)", "pandoc-docx"),
    ("kitei check of the imported project", "check-imported"),
]
md = [f"# kitei import: a {pages}-page regulation",
      "",
      f"Seed 001 repeated as chapters: {chars:,} characters, {clauses} clause headings; "
      f"medians of {runs} runs on {machine}. Made by `benches/import.sh`.",
      "",
      "| what | median | peak RSS |",
      "|---|---:|---:|"]
for label, key in rows:
    t, m = results[key]
    md.append(f"| {label} | {t*1000:.0f} ms | {m:.0f} MiB |")
md += ["",
       f"- Word import / pandoc on the same file: **{ratio_docx:.3f}×**",
       f"- text import (import + check + report) / check alone: **{ratio_check:.2f}×**",
       ""]
out = Path("benches/results")
out.mkdir(parents=True, exist_ok=True)
(out / "import.md").write_text("\n".join(md), encoding="utf-8")
(out / "import-latest.json").write_text(json.dumps({
    "pages": pages, "characters": chars, "clauses": int(clauses), "runs": runs, "machine": machine,
    "median_seconds": {k: v[0] for k, v in results.items()},
    "peak_rss_mib": {k: v[1] for k, v in results.items()},
    "ratios": {"import_docx_over_pandoc": ratio_docx, "import_txt_over_check": ratio_check},
}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print("\n".join(md))
EOF
