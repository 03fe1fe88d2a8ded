#!/usr/bin/env bash
# Times the acknowledgement ledger: `ismsbook check` and `ismsbook build` on a
# generated ISMS of 50 approved documents, each with an audience, a roster of 5,000
# people in 10 groups and 250,000 acknowledgement records in 12 monthly files; and the
# same repository without [acknowledgements], for the difference.
#
#   benches/ledger.sh [PEOPLE] [RUNS]     (default: 5000 people, 5 runs)
#
# Prints the median of each; the figures in docs/performance.md come from it.
set -euo pipefail
people=${1:-5000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${ISMSBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/ismsbook-ledger}/$people
rm -rf "$work"
mkdir -p "$work"

cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin ismsbook
bin=$root/target/release/ismsbook
repo=$work/repo
"$bin" init "$repo" --organization "Bench Ltd" >/dev/null

python3 - "$repo" "$people" <<'EOF'
import os, random, sys
repo, people = sys.argv[1], int(sys.argv[2])
random.seed(7)
groups = [f"team{g}" for g in range(10)]
with open(f"{repo}/book.toml", "a") as f:
    for g in groups:
        f.write(f'\n[groups.{g}]\nname = "Team {g}"\n')
    f.write('\n[acknowledgements]\nroster = "people.csv"\nrecords = "acknowledgements"\ndue-days = 30\n')
with open(f"{repo}/people.csv", "w") as f:
    f.write("email,name,groups,joined\n")
    for p in range(people):
        g = ";".join(random.sample(groups, 2))
        f.write(f"person{p}@bench.example,Person {p},{g},\n")
docs = []
for d in range(50):
    audience = "[everyone]" if d % 5 == 0 else f"[{groups[d % 10]}, {groups[(d + 3) % 10]}]"
    doc_id = f"POL-B{d:02}"
    docs.append(doc_id)
    with open(f"{repo}/policies/bench-{d:02}.md", "w") as f:
        f.write(f"---\nid: {doc_id}\ntitle: Bench Policy {d}\nversion: \"1.{d % 4}\"\nstatus: approved\nowner: CISO\napprovers: [CEO]\napproved_by: CEO\napproved_on: 2026-01-15\naudience: {audience}\ncontrols: [\"5.1\"]\nchange: Bench\n---\n\n# Bench Policy {d}\n\nText.\n")
os.makedirs(f"{repo}/acknowledgements", exist_ok=True)
rows = 0
for month in range(1, 13):
    with open(f"{repo}/acknowledgements/2026-{month:02}.csv", "w") as f:
        f.write("email,document,version,date\n")
        while rows < month * 250_000 // 12:
            p = random.randrange(people)
            d = random.randrange(50)
            f.write(f"person{p}@bench.example,{docs[d]},1.{random.randrange(4)},2026-{month:02}-{random.randrange(1, 28):02}\n")
            rows += 1
EOF
git -C "$repo" add -A >/dev/null
git -C "$repo" -c user.name=Bench -c user.email=bench@bench.example commit -qm "Bench ISMS"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_it() {
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | median
}
today="--today 2026-11-23"
with_check=$(time_it "$bin" --root "$repo" $today check)
with_build=$(time_it "$bin" --root "$repo" $today build --dest "$work/book")
cp "$repo/book.toml" "$work/book.toml.with"
sed -i '/^\[acknowledgements\]/,$d' "$repo/book.toml"
without_check=$(time_it "$bin" --root "$repo" $today check)
without_build=$(time_it "$bin" --root "$repo" $today build --dest "$work/book")
cp "$work/book.toml.with" "$repo/book.toml"
records=$(cat "$repo"/acknowledgements/*.csv | wc -l)
echo
echo "| $people people, $((records - 12)) records, 50 documents | with the ledger | without | difference |"
echo "|---|---|---|---|"
printf "| check (median of %s) | %.3f s | %.3f s | %.3f s |\n" "$runs" "$with_check" "$without_check" "$(echo "$with_check - $without_check" | bc)"
printf "| build (median of %s) | %.3f s | %.3f s | %.3f s |\n" "$runs" "$with_build" "$without_build" "$(echo "$with_build - $without_build" | bc)"
