"""Per seed: findings of textlint and kitei by rule, lines only one of them reports, and how
many of the reviewer's defects each reports something on (any rule, on the defect's line)."""
import collections, json, os, subprocess, sys

root, work = sys.argv[1], sys.argv[2]


def table(text, section):
    start = text.find("## " + section)
    rows, started = [], False
    for line in text[start:].split("\n")[1:] if start >= 0 else []:
        if line.startswith("|"):
            started = True
            rows.append(line)
        elif started:
            break
    return [[c.strip() for c in r.strip().strip("|").split(" | ")] for r in rows[2:]]


totals = collections.Counter()
for name in sorted(os.listdir(os.path.join(work, "imp"))):
    md_path = os.path.join(work, name + ".md")
    md = open(md_path, encoding="utf-8").read().split("\n")
    body = [i for i, l in enumerate(md) if l == "---"][1] + 1
    tl = json.loads(subprocess.run([os.path.join(work, "node_modules/.bin/textlint"), "--format", "json", name + ".md"],
                                   cwd=work, capture_output=True, text=True).stdout)
    t = [(m["line"], m["ruleId"], m["message"].split("\n")[0][:70]) for f in tl for m in f["messages"]]
    kj = json.loads(subprocess.run([os.path.join(root, "target/release/kitei"), "--as-of", "2026-12-01", "check", "--format", "json"],
                                   cwd=os.path.join(work, "imp", name), capture_output=True, text=True).stdout)
    k = [(d["location"]["line"], d["code"], d["message"][:70]) for d in kj["diagnostics"]
         if d.get("location", {}).get("path", "").endswith("imported.md")]
    print(f"=== {name}: textlint {len(t)} messages, kitei {len(k)} findings")
    print("  textlint by rule:", dict(collections.Counter(r for _, r, _ in t)))
    print("  kitei by rule:   ", dict(collections.Counter(c for _, c, _ in k)))
    klines = {l for l, _, _ in k}
    tlines = {l for l, _, _ in t}
    print("  lines only textlint reports:")
    for l, r, m in t:
        if l not in klines:
            print("   ", l, r, m)
    print("  lines only kitei reports:", sorted({(l, c) for l, c, _ in k if l not in tlines}))
    seed_dir = os.path.join(root, "tests/seeds", name)
    src = [os.path.join(seed_dir, f) for f in ("source.txt", "source.md") if os.path.exists(os.path.join(seed_dir, f))][0]
    src_lines = open(src, encoding="utf-8-sig").read().split("\n")
    found = collections.Counter()
    rows = table(open(os.path.join(seed_dir, "defects.md"), encoding="utf-8").read(), "Defects")
    for r in rows:
        if r[1] == "-":
            line = None
        else:
            nth = sum(1 for l in src_lines[: int(r[1]) - 1] if r[2] in l)
            hits = [i + 1 for i, l in enumerate(md) if i >= body and r[2] in l.replace("\\", "")]
            line = hits[nth] if len(hits) > nth else -1
        for tool, lines in (("textlint", tlines), ("kitei", klines)):
            if (line is None and tool == "kitei" and k) or (line is not None and line in lines):
                found[tool] += 1
    print(f"  reviewer's defects with a finding on their line: kitei {found['kitei']}/{len(rows)}, textlint {found['textlint']}/{len(rows)}")
    totals.update(found)
    totals["defects"] += len(rows)
print(f"=== all seeds: kitei {totals['kitei']}/{totals['defects']}, textlint {totals['textlint']}/{totals['defects']}")
