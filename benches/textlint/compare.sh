#!/bin/sh
# Compares kitei's check with textlint (preset-japanese + prh) on the seed regulations as
# `kitei import` makes them: what each reports, and on how many of the reviewer's defects
# (tests/seeds/<seed>/defects.md). prh reads kitei's own dictionary (it is prh-format), so the
# dictionary is not what differs. Needs npm (installs pinned versions into a temporary folder).
# Usage: benches/textlint/compare.sh   (from the repository root, after cargo build --release)
set -eu
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
  textlint@15.8.0 textlint-rule-preset-japanese@10.0.4 textlint-rule-prh@6.1.0 >/dev/null)
cp src/check/prose/dictionary.yml "$work/kitei-prh.yml"
cat > "$work/.textlintrc.json" <<'JSON'
{ "rules": { "preset-japanese": true, "prh": { "rulePaths": ["./kitei-prh.yml"] } } }
JSON
for seed in tests/seeds/*/defects.md; do
  dir=$(dirname "$seed"); name=$(basename "$dir")
  src=$(ls "$dir"/source.txt "$dir"/source.md 2>/dev/null | head -1)
  mkdir -p "$work/imp/$name"; cp "$src" "$work/imp/$name/"
  (cd "$work/imp/$name" && "$root/target/release/kitei" --as-of 2026-12-01 import "$(basename "$src")" --id imported >/dev/null)
  cp "$work/imp/$name/policy-src/regulation/imported.md" "$work/$name.md"
done
python3 "$root/benches/textlint/compare.py" "$root" "$work"
