#!/usr/bin/env bash
# Call paths grouped by cause (docs/performance.md): a generated account
# where 500, then 5,000 users fall back to one ring group whose timeout
# changes; grouping and rendering the call-path diff must stay linear.
#
# Usage: bench/call-paths.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test plan_render grouping_by_cause_is_linear -- --ignored --nocapture 2>&1 \
  | grep 'users reach'
