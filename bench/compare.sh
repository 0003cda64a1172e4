#!/usr/bin/env bash
# telaudit against the DuckDB baseline, side by side, on generated clients.
#
#   bench/compare.sh                 # 5k, 20k, 80k services, 3 runs each
#   SIZES="20000" RUNS=5 bench/compare.sh
#
# Settings (environment):
#   BENCH_DATA  where the generated clients and outputs go (default target/bench-data,
#               ignored by git: 80k services is ~750 MB of CSV)
#   SIZES       services per client (default "5000 20000 80000")
#   RUNS        runs of each tool per size, alternated (default 3)
#   ACCOUNTS    accounts per carrier of the generated clients (default: the
#               generator's, one per 150 services: many small invoice files);
#               ACCOUNTS=1 makes the few-large-files shape (48 files at 20,000)
#   ROGERS=1    generate with --rogers: Rogers lines billed in the Custom report, their
#               use in call detail (GPRS, SMS, Voice, roaming Voice) with header files;
#               the baseline reads those exports too (duckdb_audit.py rogers_rows)
#   PYTHON      a python with duckdb (default: the first python3 on PATH that
#               imports duckdb, else target/bench-venv, created with pip install duckdb)
#   DUCKDB_AUDIT the baseline script (default bench/duckdb_audit.py)
#   THREADS     DuckDB threads (default 2)
#   SKIP_BUILD=1 use target/release/telaudit as it is
#
# Each run is timed on its own (wall clock from start to exit, all outputs
# written) and measured with /usr/bin/time -v (peak RSS). telaudit `audit` has no
# incremental reuse; every run reads and writes everything. The totals of every
# size are checked against DuckDB's to the cent (bench/check_totals.py).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=${BENCH_DATA:-$root/target/bench-data}
sizes=${SIZES:-"5000 20000 80000"}
runs=${RUNS:-3}
accounts=${ACCOUNTS:-}
rogers=${ROGERS:-}
python=${PYTHON:-$("$here/find-python.sh")}
duck=${DUCKDB_AUDIT:-$here/duckdb_audit.py}
threads=${THREADS:-2}
bin=$root/target/release/telaudit

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
[ -f "$duck" ] || { echo "no DuckDB baseline at $duck (set DUCKDB_AUDIT)" >&2; exit 2; }
"$python" -c "import duckdb" 2>/dev/null || {
    echo "$python cannot import duckdb (unset PYTHON to let bench/find-python.sh find or make one)" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$root" && cargo build --release -p telaudit)
fi
mkdir -p "$data"

# One timed run: prints "<wall seconds> <peak RSS KiB>".
measure() {
    local log
    log=$(mktemp)
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" || {
        local rc=$?
        # telaudit exits 1 when input was refused; generated clients refuse nothing.
        echo "command failed ($rc): $*" >&2; cat "$log.err" >&2; exit 1; }
    t1=$(date +%s%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log" "$log.err"
    echo "$(( (t1 - t0) / 1000000 )) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: $(nproc) cores, $cpu, $mem; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

table="| services | files | rows | telaudit wall (median) | DuckDB wall (median) | ratio | telaudit peak RSS | DuckDB peak RSS | telaudit rows/s | DuckDB rows/s |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
status=0
for n in $sizes; do
    client=$data/svc-$n${accounts:+-a$accounts}${rogers:+-rogers}
    out=$data/out-$n${accounts:+-a$accounts}${rogers:+-rogers}
    if [ ! -d "$client/invoices" ]; then
        echo "generating $client ($n services${accounts:+, $accounts account(s) per carrier}${rogers:+, with Rogers exports})"
        "$bin" generate "$client" --services "$n" ${accounts:+--accounts-per-carrier "$accounts"} ${rogers:+--rogers} >/dev/null
    fi
    files=$(find "$client/invoices" -type f | wc -l)
    t_ms=(); t_rss=(); d_ms=(); d_rss=()
    for i in $(seq "$runs"); do
        rm -rf "$out"
        read -r ms rss < <(measure "$bin" audit "$client" --out "$out" --quiet)
        t_ms+=("$ms"); t_rss+=("$rss")
        read -r ms rss < <(measure "$python" "$duck" "$client" --threads "$threads")
        d_ms+=("$ms"); d_rss+=("$rss")
        echo "  $n services, run $i: telaudit ${t_ms[-1]} ms ${t_rss[-1]} KiB; duckdb ${d_ms[-1]} ms ${d_rss[-1]} KiB"
    done
    tm=$(printf '%s\n' "${t_ms[@]}" | median); dm=$(printf '%s\n' "${d_ms[@]}" | median)
    tr=$(printf '%s\n' "${t_rss[@]}" | sort -n | tail -1); dr=$(printf '%s\n' "${d_rss[@]}" | sort -n | tail -1)
    rows=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['input']['rows'])" "$out/report.json")
    line=$(awk -v n="$n" -v files="$files" -v rows="$rows" -v tm="$tm" -v dm="$dm" -v tr="$tr" -v dr="$dr" 'BEGIN {
        printf "| %d | %d | %d | %.2f s | %.2f s | %.1fx | %.0f MB | %.0f MB | %.0f | %.0f |", n, files, rows, tm/1000, dm/1000,
            dm/tm, tr/1024, dr/1024, rows/(tm/1000), rows/(dm/1000) }')
    table="$table
$line"
    echo "  $line"
    if ! "$python" "$here/check_totals.py" "$duck" "$client" "$out/report.json" --threads "$threads"; then
        status=1
    fi
done
echo
echo "$table"
echo
echo "(wall: median of $runs alternated runs; peak RSS: largest of the runs; rows/s: rows / median wall)"
exit $status
