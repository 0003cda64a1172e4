#!/usr/bin/env bash
# Measures `telaudit batch` on many generated clients (release build).
#
#   bench/batch-bench.sh [CLIENTS] [WORK_DIR]
#
# Generates CLIENTS clients (default 200) of 200..2000 services each (the size
# cycles deterministically with the client number; seed = client number) into
# WORK_DIR/root-N (default target/bench-batch, ignored by git; kept between
# runs so the generation is paid once), then runs the batch twice with
# /usr/bin/time -v: a fresh run (--force) and a rerun where nothing changed.
# Prints wall time, rows, rows/s and peak memory of each.
set -euo pipefail
n=${1:-200}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-${CARGO_TARGET_DIR:-$repo/target}/bench-batch}
cargo build --release -p telaudit --manifest-path "$repo/Cargo.toml" >&2
bin=${CARGO_TARGET_DIR:-$repo/target}/release/telaudit
root=$work/root-$n
out=$work/out-$n
mkdir -p "$root"
for i in $(seq 1 "$n"); do
  id=$(printf 'client-%03d' "$i")
  services=$(( 200 + (i * 997) % 1801 ))   # 200..2000, spread over the clients
  if [ ! -f "$root/$id/.generated" ]; then
    rm -rf "${root:?}/$id"
    "$bin" generate "$root/$id" --services "$services" --seed "$i" 2>/dev/null
    touch "$root/$id/.generated"
  fi
done
echo "input: $n clients, $(du -sh "$root" | cut -f1), uptime: $(uptime)"
measure() {
  local label=$1; shift
  /usr/bin/time -v "$bin" batch "$root" --out "$out" --quiet "$@" >"$work/$label.stdout" 2>"$work/$label.time" || true
  local wall rss rows
  wall=$(grep 'Elapsed (wall clock)' "$work/$label.time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/$label.time" | awk '{print $NF}')
  rows=$(python3 -c "import json,sys; print(sum((c['rows'] or 0) for c in json.load(open('$out/summary.json'))['clients']))")
  echo "$label: wall $wall, peak RSS $((rss / 1024)) MiB, $rows rows in the summary"
  grep -E 'batch of|rows read' "$work/$label.stdout" || true
}
measure fresh --force
measure rerun
