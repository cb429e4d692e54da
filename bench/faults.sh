#!/usr/bin/env bash
# Faults (docs/reliability.md): about 1,000 changes applied to a sandbox
# where 20 % of requests fail in every way it knows (5xx, bursts of 429,
# operations that end FAILED, writes that succeed but answer 5xx). It must
# converge within 3 applies, with every failure reported against its
# resource, and end with exactly the account a fault-free sandbox gets:
# the same number of resources of each kind (no duplicate) and the same
# export (no lost field).
#
# Usage: bench/faults.sh [USERS] [FAULT_RATE] [SEED]   (defaults: 307, 0.2, 1)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-307}
rate=${2:-0.2}
seed=${3:-1}
cargo build --release --quiet --bin vocm --bin vocm-sandbox --example gen_account
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
vocm=$PWD/target/release/vocm
export VOCM_API_KEY=faults-key
./target/release/examples/gen_account --users "$users" -o "$work/account" > /dev/null

# start NAME ARGS...: a sandbox; its endpoint in $work/NAME.endpoint.
start() {
  local name=$1; shift
  ./target/release/vocm-sandbox --listen 127.0.0.1:0 --api-key "$VOCM_API_KEY" \
    --rate-limit 1000000 --burst 1000000 --op-delay-ms 20 "$@" > "$work/$name.out" &
  pids+=($!)
  until [ -f "$work/$name.out" ] && grep -q '^127' "$work/$name.out"; do sleep 0.05; done
  echo "http://$(head -n 1 "$work/$name.out")" > "$work/$name.endpoint"
}
start clean
start faulty --fault-rate "$rate" --seed "$seed"
clean=$(cat "$work/clean.endpoint")
faulty=$(cat "$work/faulty.endpoint")

"$vocm" --provider http --endpoint "$clean" apply -q --auto-approve "$work/account" > /dev/null 2>&1
for run in 1 2 3; do
  start_ns=$(date +%s%N)
  status=0
  "$vocm" --provider http --endpoint "$faulty" apply --auto-approve --format json "$work/account" \
    > "$work/summary.json" 2> "$work/stderr" || status=$?
  secs=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  jq -r --arg run "$run" --arg ms "$secs" \
    '"apply \($run): \(.changes | length) changes: \(.applied) applied, \(.failed) failed, \(.skipped) skipped, in \($ms) ms"' \
    "$work/summary.json"
  # Every failure names its resource, in the summary and on stderr.
  jq -r '.changes[] | select(.outcome == "failed") | "\(.id.kind):\(.id.key)\t\(.error)"' "$work/summary.json" \
    | while IFS=$'\t' read -r id error; do
        grep -qF "$id failed" "$work/stderr" || { echo "failure of $id not reported against it" >&2; exit 1; }
        echo "  failed: $id: $error"
      done
  [ "$status" -ne 0 ] || break
done
[ "$status" -eq 0 ] || { echo "did not converge within 3 applies" >&2; exit 1; }
"$vocm" --provider http --endpoint "$faulty" plan --detailed-exitcode -q "$work/account" > /dev/null
echo "converged; the next plan is empty"

stats() { curl -fsS -H "x-api-key: $VOCM_API_KEY" "$1/_sandbox/stats"; }
stats "$faulty" | jq -c '"faults injected: \(.faults)"' -r
if [ "$(stats "$clean" | jq -c .resources)" != "$(stats "$faulty" | jq -c .resources)" ]; then
  echo "resource counts differ: $(stats "$clean" | jq -c .resources) vs $(stats "$faulty" | jq -c .resources)" >&2
  exit 1
fi
echo "no duplicate: $(stats "$faulty" | jq -c .resources)"
for name in clean faulty; do
  "$vocm" --provider http --endpoint "$(cat "$work/$name.endpoint")" export -o "$work/export-$name" > /dev/null 2>&1
  # The header comment names the endpoint.
  find "$work/export-$name" -name '*.yaml' -exec sed -i '/^#/d' {} +
done
diff -r "$work/export-clean" "$work/export-faulty" > /dev/null && echo "no lost field: both accounts export the same manifests"
