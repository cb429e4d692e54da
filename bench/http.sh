#!/usr/bin/env bash
# Benchmark of the HTTP provider against vocm-sandbox (docs/performance.md).
#
# 1. Throughput: an account of about 1,000 changes applied to an empty
#    sandbox with a raised rate limit and a fixed operation delay. Reports
#    the requests per change (every request the sandbox counted: list
#    pages, writes, operation polls) and the wall time against its bound,
#    the larger of requests ÷ rate limit and changes × delay ÷ 10 operations
#    in flight.
# 2. Politeness: a 50-change apply at the reference's default limits (100
#    requests a minute, 20 per 10 s), which must meet no 429.
#
# Usage: bench/http.sh [USERS] [OP_DELAY_MS] [RATE_PER_MINUTE]
#        (defaults: 307 users ≈ 1,000 changes, 100 ms, 60000/min)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-307}
delay_ms=${2:-100}
rate=${3:-60000}
cargo build --release --quiet --bin vocm --bin vocm-sandbox --example gen_account
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
key=bench-key
vocm=$PWD/target/release/vocm

start_sandbox() {
  rm -f "$work/sandbox.out"
  ./target/release/vocm-sandbox --listen 127.0.0.1:0 --api-key "$key" "$@" > "$work/sandbox.out" &
  sandbox_pid=$!
  until [ -f "$work/sandbox.out" ] && grep -q '^127' "$work/sandbox.out"; do sleep 0.05; done
  endpoint="http://$(head -n 1 "$work/sandbox.out")"
}
stop_sandbox() {
  kill "$sandbox_pid"
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
}
stats() {
  curl -fsS -H "x-api-key: $key" "$endpoint/_sandbox/stats"
}

# throughput ACCOUNT_DIR: applies the account to an empty sandbox with the
# raised limit and the operation delay, and reports requests per change and
# the wall time against its bound; then checks the next plan is empty.
throughput() {
  local account=$1
  start_sandbox --rate-limit "$rate" --burst "$rate" --op-delay-ms "$delay_ms"
  export VOCM_API_KEY=$key
  start=$(date +%s.%N)
  "$vocm" --provider http --endpoint "$endpoint" apply --auto-approve --format json "$account" \
    2> /dev/null > "$work/summary.json"
  end=$(date +%s.%N)
  stats > "$work/stats.json"
  changes=$(jq '.changes | length' "$work/summary.json")
  complete=$(jq '.complete' "$work/summary.json")
  python3 - "$work/stats.json" "$changes" "$start" "$end" "$delay_ms" "$rate" "$complete" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
changes, start, end = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
delay, rate, complete = int(sys.argv[5]) / 1000, int(sys.argv[6]), sys.argv[7]
requests = stats["requests"]
wall = end - start
bound = max(requests / (rate / 60), changes * delay / 10)
print(f"complete: {complete}; {changes} changes, {requests} requests "
      f"({stats['byMethod']}; {stats['operationsPolled']} polls): "
      f"{requests / changes:.2f} requests per change")
print(f"wall {wall:.2f} s; bound {bound:.2f} s; ratio {wall / bound:.2f}; "
      f"429s: {stats['tooManyRequests']}")
PY
  "$vocm" --provider http --endpoint "$endpoint" plan --detailed-exitcode "$account" > /dev/null \
    && echo "next plan: no changes"
  stop_sandbox
}

echo "== throughput: $users users, operations complete after $delay_ms ms, $rate requests/min"
./target/release/examples/gen_account --users "$users" -o "$work/account" > /dev/null
throughput "$work/account"

echo "== cycles: 200 fully configured users overflowing to their group, $delay_ms ms, $rate requests/min"
./target/release/examples/gen_account --shape full --users 200 -o "$work/cycles" > /dev/null
throughput "$work/cycles"

echo "== politeness: about 50 changes at the default limits (100/min, 20 per 10 s)"
./target/release/examples/gen_account --users 12 -o "$work/small" > /dev/null
start_sandbox
start=$(date +%s.%N)
"$vocm" --provider http --endpoint "$endpoint" apply --auto-approve --format json "$work/small" \
  2> /dev/null > "$work/summary.json"
end=$(date +%s.%N)
stats > "$work/stats.json"
jq -r --arg wall "$(echo "$end - $start" | bc)" \
  '"\(.changes | length) changes, complete: \(.complete), wall \($wall) s"' "$work/summary.json"
jq -r '"\(.requests) requests, 429s: \(.tooManyRequests)"' "$work/stats.json"
stop_sandbox
