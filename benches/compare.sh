#!/usr/bin/env bash
# Times ismsbook against mdBook, MkDocs (with the git-revision-date-localized plugin)
# and two floors, side by side on one generated corpus of 8-20 KB documents:
#   - the log floor: `git log --raw --no-renames` (every change, no content);
#   - the content floor: that log piped into `git cat-file --batch`, so every changed
#     blob is read once, in log order (git's own single-threaded read of every version).
#
#   benches/compare.sh [small|large|xl] [RUNS]     (default: large, 5 runs)
#
# small = 300 documents / 3,000 commits; large = 2,000 / 20,000; xl = 10,000 / 100,000.
# Installs what it needs: mdBook (cargo install), MkDocs and the plugin (pip), GNU
# time and cmake (apt; cmake builds zlib-ng for the `cold, zlib-ng` row: the same
# build with `--features zlib-ng`). Prints a Markdown table of medians, ratios and
# peak memory; the figures in docs/performance.md come from it.
set -euo pipefail
size=${1:-large}
runs=${2:-5}
case "$size" in
  small) docs=300; commits=3000 ;;
  large) docs=2000; commits=20000 ;;
  xl) docs=10000; commits=100000 ;;
  *) echo "usage: $0 [small|large|xl] [RUNS]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
work=${ISMSBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/ismsbook-compare}/$size
mkdir -p "$work"

command -v mdbook >/dev/null || cargo install mdbook --locked --quiet
command -v mkdocs >/dev/null || python3 -m pip install --quiet mkdocs mkdocs-git-revision-date-localized-plugin
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

# The same build with zlib-ng under libgit2 (`--features zlib-ng`, which needs cmake),
# kept aside, then the default build.
command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin ismsbook --features zlib-ng
cp "$root/target/release/ismsbook" "$work/ismsbook-zlib-ng"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin ismsbook --example corpus
bin=$root/target/release/ismsbook
corpus=$work/corpus
[ -d "$corpus/.git" ] || "$root/target/release/examples/corpus" "$corpus" "$docs" "$commits"

# mdBook: the same Markdown, with a generated SUMMARY.md.
if [ ! -f "$work/mdbook/book.toml" ]; then
  mkdir -p "$work/mdbook/src"
  printf '[book]\ntitle = "Benchmark"\n' > "$work/mdbook/book.toml"
  cp -r "$corpus/policies" "$corpus/procedures" "$work/mdbook/src/"
  {
    echo "# Summary"; echo
    for f in $(cd "$work/mdbook/src" && ls policies/*.md procedures/*.md); do
      echo "- [${f%.md}]($f)"
    done
  } > "$work/mdbook/src/SUMMARY.md"
fi
# MkDocs: the corpus itself (the plugin reads its git history), through symlinks.
if [ ! -f "$work/mkdocs/mkdocs.yml" ]; then
  mkdir -p "$work/mkdocs/docs"
  ln -sfn "$corpus/policies" "$work/mkdocs/docs/policies"
  ln -sfn "$corpus/procedures" "$work/mkdocs/docs/procedures"
  printf '# Benchmark\n' > "$work/mkdocs/docs/index.md"
  printf 'site_name: Benchmark\nplugins:\n  - git-revision-date-localized:\n      fallback_to_build_date: true\n' > "$work/mkdocs/mkdocs.yml"
fi

# measure NAME RUNS COMMAND...: median seconds and peak memory (MiB) of RUNS runs.
declare -A secs mem
measure() {
  local name=$1 n=$2; shift 2
  local times=() peak=0
  for _ in $(seq "$n"); do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    local out report
    report=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$report" "$@" >/dev/null 2>&1 || { echo "$name failed: $*" >&2; exit 1; }
    out=$(tail -1 "$report")
    rm -f "$report"
    times+=("${out% *}")
    local kb=${out#* }
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  secs[$name]=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mem[$name]=$((peak / 1024))
  printf '  %-18s %8ss  %5s MiB\n' "$name" "${secs[$name]}" "${mem[$name]}" >&2
}

echo "corpus: $docs documents, $commits commits ($work); $runs runs each" >&2
measure "git log (floor)" "$runs" git -C "$corpus" log --raw --no-renames --format=%H
content_floor="git -C '$corpus' log --raw --no-renames --no-abbrev --format= | awk '\$4 !~ /^0+\$/ { print \$4 }' | git -C '$corpus' cat-file --batch"
measure "content floor" "$runs" bash -c "$content_floor"
# The previous output is moved aside, not deleted, before each cold run: on ext4
# without a journal (some cloud disks), creating files within minutes of deleting
# thousands scans past every recently freed inode, which doubled the time to write the
# pages; a cold build in CI starts from a fresh checkout with nothing deleted.
aside=$work/aside
rm -rf "$aside"
cold="rm -rf '$corpus/.git/ismsbook'; mkdir -p '$aside'; [ ! -e '$work/out-ismsbook' ] || mv '$work/out-ismsbook' \"\$(mktemp -d -p '$aside')\""
BEFORE="$cold" measure "ismsbook cold" "$runs" "$bin" --root "$corpus" build --dest "$work/out-ismsbook"
BEFORE="$cold" measure "cold, zlib-ng" "$runs" "$work/ismsbook-zlib-ng" --root "$corpus" build --dest "$work/out-ismsbook"
measure "ismsbook warm" "$runs" "$bin" --root "$corpus" build --dest "$work/out-ismsbook"
measure "ismsbook check" "$runs" "$bin" --root "$corpus" check
measure "mdbook build" "$runs" mdbook build "$work/mdbook" -d "$work/out-mdbook"
mkdocs_runs=1   # minutes per run on the large corpus: one run is enough to compare
if [ "${SKIP_MKDOCS:-}" ]; then secs[mkdocs build]=0; mem[mkdocs build]=0; else
  measure "mkdocs build" "$mkdocs_runs" mkdocs build -q -f "$work/mkdocs/mkdocs.yml" -d "$work/out-mkdocs"
fi

out_bytes=$(du -sb "$work/out-ismsbook" | cut -f1)
mdbook_bytes=$(du -sb "$work/out-mdbook" | cut -f1)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
floor=${secs[git log (floor)]}
content=${secs[content floor]}
mdbook=${secs[mdbook build]}
markdown=$(du -sb "$corpus/policies" "$corpus/procedures" | awk '{ s += $1 } END { print s }')
pack=$(du -sb "$corpus/.git" | cut -f1)
echo
echo "corpus: $docs documents, $commits commits, $((markdown / 1048576)) MiB of Markdown, $((pack / 1048576)) MiB .git"
echo
echo "| measure | median | vs log floor | vs content floor | vs mdBook | peak memory |"
echo "|---|---|---|---|---|---|"
for name in "git log (floor)" "content floor" "ismsbook cold" "cold, zlib-ng" "ismsbook warm" "ismsbook check" "mdbook build" "mkdocs build"; do
  echo "| $name | ${secs[$name]} s | $(ratio "${secs[$name]}" "$floor")× | $(ratio "${secs[$name]}" "$content")× | $(ratio "${secs[$name]}" "$mdbook")× | ${mem[$name]} MiB |"
done
echo
echo "output: ismsbook $((out_bytes / 1024)) KiB ($((out_bytes / docs)) bytes per document), mdbook $((mdbook_bytes / 1024)) KiB ($((mdbook_bytes / docs)) bytes per document)"
echo "mkdocs vs ismsbook: $(ratio "${secs[mkdocs build]}" "${secs[ismsbook cold]}")× cold, $(ratio "${secs[mkdocs build]}" "${secs[ismsbook warm]}")× warm"
echo
echo "serve: $(python3 "$root/benches/serve_reload.py" "$corpus" "$bin" 5)"
git -C "$corpus" checkout -q -- .
echo "lsp: $(python3 "$root/benches/lsp_latency.py" "$corpus" "$bin" 6)"
rm -rf "$aside"
