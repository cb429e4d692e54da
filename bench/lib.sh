# shellcheck shell=bash
# Shared by the bench scripts: where the binaries are, which account shape
# to generate, and a timer. Source it; it does not run anything.
#
# Environment:
#   VOCM_BENCH_SHAPE  spread | full | both (default: each script's own).
#                     gen_account reads it too, so a script that does not
#                     pass --shape (bench/http.sh...) generates that shape.
#   RUNS              runs per measurement (default 5); the median is kept.
#   VOCM              the vocm binary to measure (default: this checkout's
#                     release build); VOCM_BEFORE, a second one measured
#                     back to back with it (bench/table.sh).
#   CARGO_TARGET_DIR  honoured, as cargo does.

bin_dir="${CARGO_TARGET_DIR:-$PWD/target}/release"

# The shapes asked for: `shapes DEFAULT` prints one per line.
shapes() {
  local asked="${VOCM_BENCH_SHAPE:-$1}"
  case "$asked" in
    both) printf '%s\n' spread full ;;
    spread | full) printf '%s\n' "$asked" ;;
    *) echo "VOCM_BENCH_SHAPE must be spread, full or both, not \`$asked\`" >&2; return 1 ;;
  esac
}

# gen SHAPE USERS DIR [gen_account options...]
gen() {
  local shape=$1 users=$2 dir=$3
  shift 3
  [ -d "$dir" ] || "$bin_dir/examples/gen_account" --shape "$shape" --users "$users" -o "$dir" "$@"
}

# measure [--before 'CMD'] CMD...: runs CMD $RUNS times (after running the
# --before command, untimed, each time) under GNU time and prints the
# medians: "WALL_S CPU_S RSS_MB" (CPU = user + sys). A command that fails
# is reported on stderr, unless MAY_FAIL is set.
measure() {
  local before=":"
  if [ "$1" = --before ]; then before=$2; shift 2; fi
  local runs=${RUNS:-5} t
  t=$(mktemp)
  for ((r = 0; r < runs; r++)); do
    eval "$before"
    if ! /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >/dev/null 2>"$t.err" && [ -z "${MAY_FAIL:-}" ]; then
      echo "failed: $* ($(tail -3 "$t.err"))" >&2
    fi
    tail -1 "$t"
  done | awk '{ w[NR] = $1; c[NR] = $2 + $3; m[NR] = $4 / 1024 }
    function median(a, n,   i, j, x) {
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { printf "%.3f %.3f %.0f\n", median(w, NR), median(c, NR), median(m, NR) }'
  rm -f "$t" "$t.err"
}

# What the machine was doing: the load before a measurement.
load() { cut -d' ' -f1-3 /proc/loadavg; }

# Sets `work`: $BENCH_WORK (kept between runs), else a temporary folder
# removed when the script exits.
bench_work() {
  if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
  fi
}
