#!/usr/bin/env bash
# Benchmark of `vocm plan` on the local provider: an account of N users is
# applied with 10 % of its users drifted, then the plain manifests are
# planned against it (1 in 10 users differs). Wall time by hyperfine, peak
# memory by GNU time. Usage: bench/plan.sh [USERS...] (default 10000 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh  # bin_dir; gen_account honours VOCM_BENCH_SHAPE=spread|full
cargo build --release --quiet --bin vocm --example gen_account
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vocm=$bin_dir/vocm
for n in "${sizes[@]}"; do
  "$bin_dir"/examples/gen_account --users "$n" -o "$work/plain-$n"
  "$bin_dir"/examples/gen_account --users "$n" --drift 10 -o "$work/drifted-$n"
  state="$work/state-$n.json"
  /usr/bin/time -f "apply of the whole account: %e s, peak RSS %M KB" \
    "$vocm" --state "$state" apply -q --auto-approve "$work/drifted-$n" >/dev/null
  echo "== plan, $n users, $(( n / 10 )) of them changed"
  "$vocm" --state "$state" plan "$work/plain-$n" | tail -1
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 2 --runs 10 --style basic -N --output=null \
      "$vocm --state $state plan $work/plain-$n"
  fi
  /usr/bin/time -f "peak RSS: %M KB, wall: %e s" "$vocm" --state "$state" plan "$work/plain-$n" >/dev/null
done
