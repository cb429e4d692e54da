#!/usr/bin/env bash
# Crash safety (docs/reliability.md): `vocm apply` killed with SIGKILL at
# random moments, KILLS times on the local provider and KILLS times against
# vocm-sandbox. After every kill: the account is readable (a plan runs),
# nothing is duplicated (no kind holds more resources than the manifests
# define), and at the end one more apply converges and the next plan is
# empty. The sandbox runs with --data, so it is the account of record.
#
# Usage: bench/crash.sh [KILLS] [USERS]   (defaults: 100 kills, 300 users)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
users=${2:-300}
cargo build --release --quiet --bin vocm --bin vocm-sandbox --example gen_account
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
vocm=$PWD/target/release/vocm
./target/release/examples/gen_account --users "$users" -o "$work/account" > /dev/null
# What the manifests define, per kind: the most any kind may ever hold.
"$vocm" --state "$work/empty.json" plan --format json "$work/account" \
  | jq -c '[.changes[] | select(.action == "create") | .id.kind] | group_by(.) | map({(.[0]): length}) | add' \
  > "$work/expected.json"
echo "manifests: $(cat "$work/expected.json")"

# kill_loop NAME ARGS...: KILLS applies killed at a random moment.
kill_loop() {
  local name=$1; shift
  local finished=0
  # How long a whole apply takes: kills land anywhere in it.
  local t0 t1 span_ms
  t0=$(date +%s%N)
  "$vocm" "$@" apply -q --auto-approve "$work/account" > /dev/null 2>&1
  t1=$(date +%s%N)
  span_ms=$(( (t1 - t0) / 1000000 ))
  echo "$name: a whole apply takes $span_ms ms"
  reset_account "$@"
  local runs=0 mid=0
  # Until KILLS runs were killed with work left: a run that finished first
  # starts the account again from nothing, and so does every third kill,
  # so that kills land all along an apply, resumed ones included.
  while [ "$mid" -lt "$kills" ]; do
    runs=$((runs + 1))
    if [ "$runs" -gt $((kills * 20)) ]; then
      echo "$name: $runs runs and only $mid killed with work left: the resets do not reset" >&2
      exit 1
    fi
    local i=$runs
    "$vocm" "$@" apply -q --auto-approve "$work/account" > /dev/null 2>&1 &
    local pid=$!
    local at=$(( (RANDOM * 32768 + RANDOM) % span_ms ))
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local status=0
    "$vocm" "$@" plan --detailed-exitcode -q "$work/account" > /dev/null 2> "$work/plan.err" || status=$?
    if [ "$status" -eq 1 ]; then
      echo "$name, run $i: the account cannot be planned" >&2
      cat "$work/plan.err" >&2
      exit 1
    fi
    check_counts "$name" "$i" "$@"
    if [ "$status" -eq 0 ]; then
      finished=$((finished + 1))
      reset_account "$@"
    else
      mid=$((mid + 1))
      [ $((mid % 3)) -ne 0 ] || reset_account "$@"
    fi
  done
  "$vocm" "$@" apply -q --auto-approve "$work/account" > /dev/null 2>&1
  "$vocm" "$@" plan --detailed-exitcode -q "$work/account" > /dev/null
  check_counts "$name" final "$@"
  echo "$name: $runs runs, $mid killed with work left, $finished finished before the kill; every state readable, nothing duplicated, converged"
}

# Counts per kind, from the state (local) or the sandbox's stats.
check_counts() {
  local name=$1 when=$2; shift 2
  local counts
  if [ "$name" = local ]; then
    # The state maps each resource's key to it: nothing can be held twice.
    return 0
  else
    counts=$(curl -fsS -H "x-api-key: $VOCM_API_KEY" "$endpoint/_sandbox/stats" | jq -c '.resources
      | {account: .ACCOUNT, address: .ADDRESS, site: .SITE, phone_number: .PHONE_NUMBER, device: .DEVICE,
         audio_file: .AUDIO_FILE, user: .USER, ring_group: .RING_GROUP, auto_attendant: .AUTO_ATTENDANT}')
  fi
  jq -n --argjson have "$counts" --argjson want "$(cat "$work/expected.json")" \
    '[$have | to_entries[] | select(.value > ($want[.key] // 0))] | length == 0' | grep -q true || {
    echo "$name, kill $when: more resources than the manifests define: $counts" >&2
    exit 1
  }
}

reset_account() {
  if [ -n "${endpoint:-}" ]; then
    stop_sandbox; rm -f "$work/sandbox.json"; start_sandbox
  else
    # The journal too: a kill after the last change and before the
    # compaction leaves the whole account in it.
    rm -f "$work/local.json" "$work/local.json.journal"
  fi
}

# The first start picks a port; restarts keep it, so that the endpoint the
# loop passes to vocm stays right.
listen=127.0.0.1:0
start_sandbox() {
  rm -f "$work/sandbox.out"
  ./target/release/vocm-sandbox --listen "$listen" --api-key crash-key --data "$work/sandbox.json" \
    --rate-limit 1000000 --burst 1000000 --op-delay-ms 20 > "$work/sandbox.out" &
  sandbox_pid=$!
  until [ -f "$work/sandbox.out" ] && grep -q '^127' "$work/sandbox.out"; do sleep 0.05; done
  listen=$(head -n 1 "$work/sandbox.out")
  endpoint="http://$listen"
}
stop_sandbox() {
  kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=
}

echo "== local provider"
endpoint=
# Ten times the account: the local provider applies a thousand changes in
# a few milliseconds.
mv "$work/account" "$work/small"
./target/release/examples/gen_account --users "$((users * 10))" -o "$work/account" > /dev/null
kill_loop local --state "$work/local.json"
rm -rf "$work/account"
mv "$work/small" "$work/account"

echo "== sandbox"
export VOCM_API_KEY=crash-key
start_sandbox
kill_loop sandbox --provider http --endpoint "$endpoint"
