#!/usr/bin/env bash
# Measures the finding history's share of a batch with about a million findings
# (docs/history.md). Release build.
#
#   bench/history-bench.sh [CLIENTS] [WORK_DIR]
#
# One client of 20,000 generated services (seed 1) is generated once; CLIENTS
# clients (default 10) are hard-linked copies of it (no extra disk). The rules
# are the defaults plus one analyst rule, ALL001, a `matching_charge` on every
# row grouped by service and description, so each client has ~100,000
# findings. Two batch runs (--force, so both audit every client): the first
# into a fresh history (all findings new), the second updating it (all known).
# Prints each run's wall time and the history line of its final screen (how
# long the one history transaction took).
set -euo pipefail
n=${1:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-${CARGO_TARGET_DIR:-$repo/target}/bench-history}
cargo build --release -p telaudit --manifest-path "$repo/Cargo.toml" >&2
bin=${CARGO_TARGET_DIR:-$repo/target}/release/telaudit
mkdir -p "$work"
if [ ! -f "$work/base/.generated" ]; then
  rm -rf "$work/base"
  "$bin" generate "$work/base" --services 20000 --seed 1 2>/dev/null
  touch "$work/base/.generated"
fi
root=$work/root-$n
rm -rf "$root" "$work/out" "$work/rules"
mkdir -p "$root"
for i in $(seq 1 "$n"); do
  cp -al "$work/base" "$root/$(printf 'client-%02d' "$i")"
  rm -f "$root/$(printf 'client-%02d' "$i")/.generated"
done
cp -r "$repo/rules" "$work/rules"
cat > "$work/rules/ALL001.toml" <<'TOML'
id = "ALL001"
kind = "matching_charge"
title = "Every charge (history bench)"
severity = "low"
finds = "Every charge row, one finding per service and description."
why = "A bench rule: it makes about five findings per service."
group_by = ["service", "description"]
positive_only = false
recoverable = "amount"
TOML
echo "input: $n clients of 20000 services, $(du -shL "$work/base" | cut -f1) each; uptime: $(uptime)"
for label in fresh-history update-history; do
  start=$(date +%s.%N)
  "$bin" batch "$root" --out "$work/out" --rules "$work/rules" --force >"$work/$label.stdout" 2>/dev/null || true
  end=$(date +%s.%N)
  echo "$label: batch wall $(echo "$end - $start" | bc) s"
  grep -E 'batch of|history ' "$work/$label.stdout" || true
done
