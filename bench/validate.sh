#!/usr/bin/env bash
# Benchmark of `vocm validate` on generated accounts: wall time (hyperfine)
# and peak memory (GNU time). Usage: bench/validate.sh [USERS...]
# Default: 10000 and 100000 users. Results go to stdout; docs/performance.md
# records them.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh  # bin_dir; gen_account honours VOCM_BENCH_SHAPE=spread|full
cargo build --release --quiet --bin vocm --example gen_account
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in "${sizes[@]}"; do
  dir="$work/acct-$n"
  "$bin_dir"/examples/gen_account --users "$n" -o "$dir"
  echo "== $n users: $(du -sh "$dir" | cut -f1) of YAML in $(find "$dir" -name '*.yaml' | wc -l) files"
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs 10 --style basic -N "$bin_dir/vocm validate -q $dir"
  fi
  /usr/bin/time -f "peak RSS: %M KB, wall: %e s" "$bin_dir"/vocm validate -q "$dir"
done
