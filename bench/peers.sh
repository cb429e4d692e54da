#!/usr/bin/env bash
# The peers in the same run as vocm, on the same account size: octoDNS
# (validate, and a plan of N records against an empty zone) beside `vocm
# validate` and `vocm plan` of N users against an empty state, both shapes.
# Terraform is measured only where a `terraform` binary is already on PATH
# (it is not in any registry this machine reaches); otherwise the row says
# so.
#
# Usage: bench/peers.sh [SIZE...]   (default sizes: 10000 50000)
#   RUNS (default 3), VOCM_BENCH_SHAPE (default both), SKIP_BUILD,
#   BENCH_WORK (keep the generated accounts and the octoDNS venv)
# octoDNS is installed with pip into a virtual environment under the work
# folder (`pip install octodns`), not into the system.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet --bin vocm --example gen_account
export RUNS=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000)
bench_work
vocm=${VOCM:-$bin_dir/vocm}

venv="$work/octodns-venv"
if [ ! -x "$venv/bin/octodns-sync" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet octodns
fi
# No user configuration (and no warning that there is none).
export TF_CLI_CONFIG_FILE="$work/terraformrc"
touch "$TF_CLI_CONFIG_FILE"
export CHECKPOINT_DISABLE=1
octodns_version=$("$venv/bin/octodns-validate" --version 2>&1 | head -1)

# An octoDNS configuration whose source zone holds N A records (one per
# user: the nearest thing DNS has to a user with a number) and whose
# target, another YAML provider, is empty: its plan is N creates.
octodns_zone() {
  local n=$1 dir=$2
  [ -f "$dir/config.yaml" ] && return
  mkdir -p "$dir/zones" "$dir/out"
  cat >"$dir/config.yaml" <<EOF
providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: $dir/zones
  target:
    class: octodns.provider.yaml.YamlProvider
    directory: $dir/out
zones:
  example.com.:
    sources: [config]
    targets: [target]
EOF
  awk -v n="$n" 'BEGIN {
    print "---"
    for (i = 0; i < n; i++)
      printf "host-%06d:\n  ttl: 300\n  type: A\n  value: 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
  }' >"$dir/zones/example.com.yaml"
}

# A Terraform configuration of N `terraform_data` resources (built into
# Terraform: no provider to download), each holding a user's name, number
# and extension: its plan is N creates, with no API behind it.
terraform_config() {
  local n=$1 dir=$2
  [ -f "$dir/.done" ] && return
  mkdir -p "$dir"
  awk -v n="$n" 'BEGIN {
    for (i = 0; i < n; i++)
      printf "resource \"terraform_data\" \"user_%06d\" {\n  input = {\n    name      = \"user.%06d\"\n    number    = \"+3310%07d\"\n    extension = \"%d\"\n  }\n}\n", i, i, i, 10000 + i
  }' >"$dir/main.tf"
  terraform -chdir="$dir" init -input=false -no-color >/dev/null
  touch "$dir/.done"
}

row() { # tool, what, size, figures
  read -r wall cpu rss <<<"$4"
  printf '| %s | %s | %s | %s s | %s s | %s MB | %s |\n' "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$(load)"
}

echo "<!-- $octodns_version; $(terraform version 2>/dev/null | head -1); $("$vocm" --version) -->"
echo "| tool | what | size | wall (median) | user+sys | peak RSS | load avg after |"
echo "|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  zone="$work/octodns-$n"
  octodns_zone "$n" "$zone"
  row octoDNS "validate ($n records)" "$n" "$(measure "$venv/bin/octodns-validate" --config-file "$zone/config.yaml")"
  row octoDNS "plan ($n creates)" "$n" "$(measure "$venv/bin/octodns-sync" --config-file "$zone/config.yaml")"
  if command -v terraform >/dev/null; then
    tf="$work/terraform-$n"
    terraform_config "$n" "$tf"
    row Terraform "validate ($n resources)" "$n" "$(measure terraform -chdir="$tf" validate -no-color)"
    row Terraform "plan ($n creates)" "$n" "$(measure terraform -chdir="$tf" plan -input=false -lock=false -refresh=false -no-color)"
  else
    echo "| Terraform | not measured: no \`terraform\` binary on this machine | $n | | | | |"
  fi
  for shape in $(shapes both); do
    account="$work/$shape-$n"
    gen "$shape" "$n" "$account"
    row "vocm ($shape)" "validate ($n users)" "$n" "$(measure "$vocm" validate -q "$account")"
    row "vocm ($shape)" "plan ($n users, empty state)" "$n" "$(measure --before "rm -f $work/empty.state.json" \
      "$vocm" --state "$work/empty.state.json" plan "$account")"
  done
done
