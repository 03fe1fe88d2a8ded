#!/usr/bin/env bash
# Times `ismsbook export pdf` (one PDF per document and handbook.pdf) on the generated
# benchmark corpus, and `export xlsx` and `export audit-pack` beside it.
#
#   benches/export.sh [DOCUMENTS] [RUNS]     (default: 2,000 documents, 3 runs)
#
# Prints the median of each; the figures in docs/performance.md come from it.
set -euo pipefail
docs=${1:-2000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${ISMSBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/ismsbook-export}/$docs
mkdir -p "$work"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin ismsbook --example corpus
bin=$root/target/release/ismsbook
corpus=$work/corpus
[ -d "$corpus/.git" ] || "$root/target/release/examples/corpus" "$corpus" "$docs" "$docs" >/dev/null
# Warm the history cache: the export's own time is what is measured.
"$bin" --root "$corpus" check >/dev/null 2>&1 || true

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() {
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --root "$corpus" "$@" --dest "$work/out" >/dev/null 2>&1
    cat "$work/time"
  done
}
pdf=$(measure export pdf)
pages=$(python3 - "$work/out/handbook.pdf" <<'PY' 2>/dev/null || echo "?"
import re, sys
data = open(sys.argv[1], "rb").read()
print(re.findall(rb"/Type\s*/Pages\s*/Kids\s*\[[^\]]*\]\s*/Count\s+(\d+)", data)[-1].decode())
PY
)
xlsx=$(measure export xlsx)
pack=$(measure export audit-pack)
# The median time and the highest peak of the runs (POSIX awk: no asort).
row() {
  local t m
  t=$(echo "$2" | awk '{ print $1 }' | median)
  m=$(echo "$2" | awk '{ print $2 }' | sort -n | tail -1)
  printf '| %s | %.2f s | %d MiB |\n' "$1" "$t" $((m / 1024))
}
echo
echo "| $docs documents ($pages pages in handbook.pdf), median of $runs | time | peak memory |"
echo "|---|---|---|"
row "export pdf ($docs PDFs and handbook.pdf)" "$pdf"
row "export xlsx" "$xlsx"
row "export audit-pack" "$pack"
