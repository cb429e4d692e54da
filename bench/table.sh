#!/usr/bin/env bash
# Issue 13's table, every row, on one or both account shapes:
#   validate 10k | plan 10k (1 user in 10 differs) | plan 50k |
#   local state read (10k) | validate 100k | plan 100k | apply 100k from an
#   empty local state, quiet and with its plan shown.
# Each figure is the median of $RUNS runs (default 5) under GNU time: wall
# seconds, CPU seconds (user + sys) and peak RSS.
#
# Usage: bench/table.sh [SIZE...]   (default sizes: 10000 50000 100000)
#   VOCM_BENCH_SHAPE=spread|full|both  (default both)
#   VOCM_BEFORE=/path/to/old/vocm      also measure that binary, each row
#                                      back to back with this checkout's
#   SKIP_BUILD=1                        use the binaries already built
# Accounts are generated once into $BENCH_WORK (default a temporary folder,
# removed at the end; set it to keep them between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet --bin vocm --example gen_account
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 100000)
bench_work
after=${VOCM:-$bin_dir/vocm}
bins=(after)
[ -z "${VOCM_BEFORE:-}" ] || bins=(before after)
binary() { if [ "$1" = before ]; then echo "$VOCM_BEFORE"; else echo "$after"; fi; }

row() { # shape, what, size, binary label, figures
  read -r wall cpu rss <<<"$5"
  printf '| %s | %s | %s | %s | %s s | %s s | %s MB | %s |\n' "$1" "$2" "$3" "$4" "$wall" "$cpu" "$rss" "$(load)"
}

echo "| shape | what | users | build | wall (median) | user+sys | peak RSS | load avg after |"
echo "|---|---|---|---|---|---|---|---|"
for shape in $(shapes both); do
  for n in "${sizes[@]}"; do
    plain="$work/$shape-$n"
    drifted="$work/$shape-$n-drift"
    gen "$shape" "$n" "$plain"
    gen "$shape" "$n" "$drifted" --drift 10
    echo "<!-- $shape $n: $(du -sh "$plain" | cut -f1) of YAML in $(find "$plain" -name '*.yaml' | wc -l) files -->"
    for b in "${bins[@]}"; do
      vocm=$(binary "$b")
      state="$work/$shape-$n-$b.state.json"
      # The state plans are made against: the drifted account, applied to
      # an empty state. At 100,000 users that apply is a row of its own.
      if [ "$n" -ge 100000 ]; then
        # As CI runs it (`-q`: nothing shown), then as a person at a
        # terminal does: the plan printed before it is applied.
        row "$shape" "apply from an empty state" "$n" "$b" "$(measure --before "rm -f $state $state.journal $state.lock" \
          "$vocm" --state "$state" apply -q --auto-approve "$drifted")"
        row "$shape" "apply from an empty state, plan shown" "$n" "$b" "$(measure --before "rm -f $state $state.journal $state.lock" \
          "$vocm" --state "$state" apply --auto-approve "$drifted")"
      elif [ ! -s "$state" ]; then
        "$vocm" --state "$state" apply -q --auto-approve "$drifted" >/dev/null
      fi
    done
    for b in "${bins[@]}"; do
      vocm=$(binary "$b")
      state="$work/$shape-$n-$b.state.json"
      if [ "$n" -ne 50000 ]; then
        row "$shape" validate "$n" "$b" "$(measure "$vocm" validate -q "$plain")"
      fi
      row "$shape" "plan, 1 user in 10 differs" "$n" "$b" "$(measure "$vocm" --state "$state" plan "$plain")"
      if [ "$n" -eq 10000 ]; then
        # The state alone: a manifest with one error, so that plan reads the
        # state (beside validation) and stops there.
        bad="$work/bad"
        mkdir -p "$bad"
        echo "version: 2" >"$bad/bad.yaml"
        row "$shape" "state read ($(du -h "$state" | cut -f1) state; \`plan\` of an invalid manifest)" "$n" "$b" \
          "$(MAY_FAIL=1 measure "$vocm" --state "$state" plan "$bad")"
      fi
    done
  done
done
