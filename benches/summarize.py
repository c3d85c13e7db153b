#!/usr/bin/env python3
"""Turns the raw timings of benches/run.sh (a TSV) into benches/results/run-<date>.json,
benches/results/latest.json and benches/results/RESULTS.md (medians, ratios, the machine).

usage: summarize.py RESULTS.tsv WORKDIR HUGO MDBOOK RUNS
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

tsv, work, hugo, mdbook, runs = sys.argv[1:6]
rows = []
with open(tsv, encoding="utf-8") as f:
    for line in f:
        tool, n, phase, run, wall, rss, status = line.rstrip("\n").split("\t")
        rows.append(dict(tool=tool, n=int(n), phase=phase, run=int(run), wall_s=float(wall),
                         rss_kib=int(rss or 0), status=status))


def cmd(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def machine():
    cpu = ""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and not cpu:
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1])
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "sha_ni": "sha_ni" in flags,
        "avx2": "avx2" in flags,
        "ram_gib": round(mem / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_avg_at_end": [round(x, 2) for x in load],
        "hugo": cmd([hugo, "version"]).split(" ")[0:2] if hugo else None,
        "mdbook": cmd([mdbook, "--version"]) if mdbook else None,
        "sha256sum": cmd(["sha256sum", "--version"]).splitlines()[0] if cmd(["sha256sum", "--version"]) else None,
        "rustc": cmd(["rustc", "--version"]),
        "kitei_commit": cmd(["git", "rev-parse", "--short=12", "HEAD"]),
        "kitei_dirty": bool(cmd(["git", "status", "--porcelain", "--untracked-files=no"])),
    }


groups = defaultdict(list)
for r in rows:
    groups[(r["tool"], r["n"], r["phase"])].append(r)

summary = {}
for (tool, n, phase), rs in sorted(groups.items()):
    ok = [r for r in rs if r["status"] == "ok"]
    timed_out = [r for r in rs if r["status"] == "timeout"]
    entry = {
        "runs": len(rs),
        "ok": len(ok),
        "median_s": round(statistics.median([r["wall_s"] for r in ok]), 4) if ok else None,
        "min_s": round(min(r["wall_s"] for r in ok), 4) if ok else None,
        "max_s": round(max(r["wall_s"] for r in ok), 4) if ok else None,
        "peak_rss_mib": round(max(r["rss_kib"] for r in rs) / 1024, 1),
        "timed_out_after_s": round(max(r["wall_s"] for r in timed_out), 1) if timed_out else None,
        "failed": [r["status"] for r in rs if r["status"] not in ("ok", "timeout")],
    }
    summary.setdefault(tool, {}).setdefault(str(n), {})[phase] = entry


def med(tool, n, phase):
    e = summary.get(tool, {}).get(str(n), {}).get(phase)
    if not e:
        return None, None
    return e["median_s"], e["timed_out_after_s"]


ratios = {}
sizes = sorted({r["n"] for r in rows if r["phase"] in ("cold", "noop", "change")})
for n in sizes:
    for other in ("hugo", "mdbook", "baseline"):
        for phase in ("cold", "noop", "change"):
            k, _ = med("kitei", n, phase)
            o, o_to = med(other, n, phase)
            if k is None:
                continue
            if o is not None:
                ratios[f"kitei/{other} {phase} N={n}"] = {"ratio": round(k / o, 4)}
            elif o_to is not None:
                ratios[f"kitei/{other} {phase} N={n}"] = {"ratio_below": round(k / o_to, 4),
                                                         "note": f"{other} timed out after {o_to} s"}
seal = {}
mib = None
try:
    with open(os.path.join(work, "seal.mib")) as f:
        mib = int(f.read().strip())
except OSError:
    pass
if mib:
    mb = mib * 1024 * 1024 / 1e6
    for tool, phase in (("sha256sum", "hash"), ("kitei", "seal"), ("kitei", "check-1gib"),
                        ("baseline", "seal"), ("baseline", "check-1gib")):
        t, _ = med(tool, mib, phase)
        if t:
            seal[f"{tool} {phase}"] = {"median_s": t, "mb_per_s": round(mb / t, 1)}
    s, _ = med("sha256sum", mib, "hash")
    for key in ("kitei seal", "kitei check-1gib", "baseline seal", "baseline check-1gib"):
        if s and key in seal:
            seal[key]["throughput_vs_sha256sum"] = round(s / seal[key]["median_s"], 3)

now = datetime.datetime.now(datetime.timezone.utc)
doc = {
    "schema": "kitei-bench/1",
    "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "runs_per_measurement": int(runs),
    "machine": machine(),
    "results": summary,
    "ratios": ratios,
    "seal": seal,
    "raw": rows,
}
os.makedirs("benches/results", exist_ok=True)
name = f"benches/results/run-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
for path in (name, "benches/results/latest.json"):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def fmt(tool, n, phase):
    e = summary.get(tool, {}).get(str(n), {}).get(phase)
    if not e:
        return "–"
    if e["median_s"] is None and e["timed_out_after_s"]:
        return f"> {e['timed_out_after_s']:.0f} s (timeout)"
    if e["median_s"] is None:
        return "failed"
    s = f"{e['median_s']:.3f} s" if e["median_s"] < 10 else f"{e['median_s']:.1f} s"
    if e["ok"] > 1:
        s += f" ({e['ok']} runs)"
    return s


def rss(tool, n, phases):
    vals = [summary.get(tool, {}).get(str(n), {}).get(p, {}).get("peak_rss_mib") for p in phases]
    vals = [v for v in vals if v]
    return f"{max(vals):.0f} MiB" if vals else "–"


m = doc["machine"]
lines = [
    "# kitei benchmark results",
    "",
    f"Run {doc['date']} by `benches/run.sh` (medians of up to {runs} runs; raw data in "
    f"`{os.path.basename(name)}` / `latest.json`).",
    "",
    f"Machine: {m['nproc']} CPUs ({m['cpu']}; SHA-NI: {'yes' if m['sha_ni'] else 'no'}), "
    f"{m['ram_gib']} GiB RAM, Linux {m['kernel']}; load average at the end {m['load_avg_at_end']}. "
    f"Hugo {' '.join(m['hugo'] or []) or '–'}, {m['mdbook'] or 'mdBook –'}, {m['sha256sum'] or ''}; "
    f"kitei {m['kitei_commit']}{' + uncommitted changes' if m['kitei_dirty'] else ''}.",
    "",
    "## Site: kitei vs Hugo vs mdBook (same Markdown)",
    "",
    "| N | tool | cold build | no-op rebuild | one file changed | `check` | peak RSS |",
    "|---:|---|---:|---:|---:|---:|---:|",
]
tools = [t for t in ("kitei", "baseline", "hugo", "mdbook") if t in summary]
for n in sizes:
    for t in tools:
        if str(n) not in summary.get(t, {}):
            continue
        lines.append(f"| {n} | {t} | {fmt(t, n, 'cold')} | {fmt(t, n, 'noop')} | {fmt(t, n, 'change')} | "
                     f"{fmt(t, n, 'check') if t in ('kitei', 'baseline') else '–'} | "
                     f"{rss(t, n, ['cold', 'noop', 'change', 'check'])} |")
if ratios:
    lines += ["", "| ratio (median time) | value |", "|---|---:|"]
    for k, v in ratios.items():
        val = f"{v['ratio']:.3f}" if "ratio" in v else f"< {v['ratio_below']:.3f} ({v['note']})"
        lines.append(f"| {k} | {val} |")
chk = [(t, n) for t in ("kitei", "baseline") for n, ph in summary.get(t, {}).items() if "check-incidents" in ph]
if chk:
    lines += ["", "## `check` of many incident records", "",
              "Warm: with the parse cache of the previous run (`.kitei-cache/`); cold: without it.", "",
              "| tool | incidents | warm (cache) | cold (no cache) | peak RSS warm / cold |", "|---|---:|---:|---:|---:|"]
    for t, n in chk:
        lines.append(f"| {t} | {n} | {fmt(t, n, 'check-incidents')} | {fmt(t, n, 'check-incidents-cold')} | "
                     f"{rss(t, n, ['check-incidents'])} / {rss(t, n, ['check-incidents-cold'])} |")
if seal:
    lines += ["", f"## Sealing {mib} MiB of evidence", "",
              "| what | median | MB/s | throughput ÷ sha256sum's | peak RSS |", "|---|---:|---:|---:|---:|"]
    for k, v in seal.items():
        tool, phase = k.split(" ")
        lines.append(f"| {k} | {v['median_s']:.3f} s | {v['mb_per_s']} | "
                     f"{v.get('throughput_vs_sha256sum', '–')} | {rss(tool, mib, [phase])} |")
mem = summary.get("kitei", {}).get("2048", {}).get("seal-2gib")
if mem:
    lines += ["", f"Sealing with one 2 GiB evidence file (`benches/seal-memory.sh`): peak RSS "
              f"{mem['peak_rss_mib']:.0f} MiB, {mem['median_s']:.1f} s."]


def target_rows():
    """The issue's targets against this run: (target, measured, met?)."""
    out = []
    big = max(sizes) if sizes else None
    if big:
        for other, limit in (("hugo", 0.5), ("mdbook", 0.2)):
            r = ratios.get(f"kitei/{other} cold N={big}")
            if r:
                v = r.get("ratio", r.get("ratio_below"))
                out.append((f"cold build N={big}: kitei/{other} ≤ {limit}", f"{v:.3f}", v <= limit))
        for phase, limit in (("noop", 0.05), ("change", 0.15)):
            t, _ = med("kitei", big, phase)
            if t is not None:
                out.append((f"{phase} rebuild N={big} ≤ {limit * 1000:.0f} ms", f"{t * 1000:.0f} ms", t <= limit))
        peak = summary.get("kitei", {}).get(str(big), {})
        vals = [peak.get(p, {}).get("peak_rss_mib") for p in ("cold", "noop", "change", "check")]
        vals = [v for v in vals if v]
        if vals:
            out.append((f"peak RSS N={big} ≤ 300 MiB", f"{max(vals):.0f} MiB", max(vals) <= 300))
    for t, n in chk:
        if t != "kitei":
            continue
        for phase, label in (("check-incidents", "warm"), ("check-incidents-cold", "cold")):
            v, _ = med(t, n, phase)
            if v is not None:
                out.append((f"check of {n} incidents ({label}) ≤ 2 s", f"{v:.2f} s", v <= 2))
    sv = seal.get("kitei seal", {}).get("throughput_vs_sha256sum")
    if sv:
        out.append(("sealing throughput ≥ 1.5× sha256sum", f"{sv:.2f}×", sv >= 1.5))
    if mem:
        one = summary.get("kitei", {}).get(str(mib), {}).get("seal", {}).get("peak_rss_mib") if seal else None
        out.append(("sealing RSS does not grow with file size",
                    f"{mem['peak_rss_mib']:.0f} MiB with a 2 GiB file" + (f" vs {one:.0f} MiB for 64 × 16 MiB" if one else ""),
                    one is None or mem["peak_rss_mib"] <= one * 1.5))
    return out


rows_t = target_rows()
if rows_t:
    lines += ["", "## Targets (issue 6)", "", "| target | this run | met |", "|---|---:|:---:|"]
    for name_t, val, ok in rows_t:
        lines.append(f"| {name_t} | {val} | {'yes' if ok else 'no'} |")
lines.append("")
with open("benches/results/RESULTS.md", "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
print("\n".join(lines))
print(f"\nwrote {name}, benches/results/latest.json, benches/results/RESULTS.md", file=sys.stderr)
