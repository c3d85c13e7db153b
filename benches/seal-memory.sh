#!/usr/bin/env bash
# Peak memory and time of `kitei seal` (and `kitei verify`) with one large evidence file in a
# temporary copy of the example project. Issue 4 asks for a peak RSS under 100 MB with a
# 2 GiB evidence file. Not run by the tests or CI: it writes GiBs and takes a minute or more.
#
#   benches/seal-memory.sh                 # 2 GiB of random bytes (worst case for deflate)
#   benches/seal-memory.sh --sparse        # 2 GiB sparse file (zeros; fast to create)
#   benches/seal-memory.sh --size-mib 512  # another size
#
# Needs GNU time at /usr/bin/time (Debian: apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=2048
mode=random
while [ $# -gt 0 ]; do
    case "$1" in
        --sparse) mode=sparse ;;
        --random) mode=random ;;
        --size-mib) size_mib="$2"; shift ;;
        *) echo "usage: $0 [--sparse|--random] [--size-mib N]" >&2; exit 2 ;;
    esac
    shift
done
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time (GNU time) is missing; apt-get install time" >&2
    exit 2
fi

cargo build --release --locked --quiet
kitei="$PWD/target/release/kitei"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r kitei.toml policy-src "$work/"
big="$work/policy-src/evidence/INC-2025-002/packet-capture.log"
echo "== creating a $size_mib MiB $mode evidence file"
if [ "$mode" = sparse ]; then
    truncate -s "${size_mib}M" "$big"
else
    head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$big"
fi

measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" > "$work/out.txt" 2> "$work/time.txt" || { cat "$work/out.txt" "$work/time.txt"; exit 1; }
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$work/time.txt")
    printf '%-8s peak RSS %6d MiB (%d KiB), wall %s\n' "$label" $((rss / 1024)) "$rss" "$wall"
    tail -n 2 "$work/out.txt" | sed 's/^/         /'
}

export SOURCE_DATE_EPOCH=1767225600
measure seal "$kitei" -C "$work" seal
zip=$(ls "$work"/evidence/*.zip)
printf "         zip: %s bytes\n" "$(stat -c %s "$zip")"
measure verify "$kitei" verify "$zip"
