#!/usr/bin/env bash
# Linearity of the planner and of call-path tracing: one ring group reached
# by half of the account's users (5,000 of 10,000, 10,000 of 20,000...).
# The drifted account changes that group (and 1 user in 10), so every one
# of those users' call paths changes; the plain account is planned against
# it. Plan time per 1,000 users must stay flat as the account grows.
#
# Usage: bench/linear.sh [USERS...]   (default 10000 20000 40000)
# RUNS (default 5), SKIP_BUILD, CARGO_TARGET_DIR: as bench/lib.sh says.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet --bin vocm --example gen_account
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 20000 40000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vocm=${VOCM:-$bin_dir/vocm}
echo "| users | users reaching the hub group | changes | wall (median) | user+sys | peak RSS | wall per 1,000 users | load avg after |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  hub=$((n / 2))
  gen full "$n" "$work/plain-$n" --hub "$hub"
  gen full "$n" "$work/drifted-$n" --hub "$hub" --drift 10
  state="$work/state-$n.json"
  "$vocm" --state "$state" apply -q --auto-approve "$work/drifted-$n" >/dev/null
  changes=$("$vocm" --state "$state" plan "$work/plain-$n" | tail -1)
  read -r wall cpu rss <<<"$(measure "$vocm" --state "$state" plan "$work/plain-$n")"
  per=$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.1f ms", w * 1e6 / n }')
  echo "| $n | $hub | ${changes} | $wall s | $cpu s | $rss MB | $per | $(load) |"
done
