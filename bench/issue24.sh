#!/usr/bin/env bash
# Issue 24's three shapes of client, each measured side by side in one run:
# telaudit, the DuckDB baseline (bench/duckdb_audit.py) and `cat` over the same
# files, with the ratios.
#
#   bench/issue24.sh                          # all three shapes, 3 runs each
#   SHAPES="taxex small" RUNS=5 bench/issue24.sh
#   SHAPES=batch BATCHES="60" bench/issue24.sh
#
# The shapes:
#   taxex  the tax-exempt enterprise: `telaudit generate DIR --services 20000
#          --accounts-per-carrier 1 --tax-every-line` (1.67 M rows in 96 files,
#          32,000 findings, about 318,000 disputed lines)
#   small  10,000 accounts of one carrier, two rows each: `telaudit generate DIR
#          --small-accounts 10000` (20,000 rows in 10,000 files, 30,006 output
#          files); telaudit is timed into a fresh output folder and, separately,
#          into the folder of its previous run (which then replaces 30,000 files)
#   batch  the nightly batch of bench/batch-bench.sh: CLIENTS generated clients of
#          200 to 2,000 services (seed = client number), `telaudit batch --force`
#          into the output of its previous run; DuckDB audits the clients one
#          after another (one process per client, as a script would)
#
# Each run is timed from start to exit (every output written and flushed to
# disk) under /usr/bin/time -v (peak RSS); the tools alternate run by run and
# the medians are compared. `cat` reads every file of the client folder(s) to
# /dev/null, after one read beforehand, so all three read from the page cache.
# The totals of taxex and small are checked against DuckDB's to the cent
# (bench/check_totals.py).
#
# Settings (environment):
#   BENCH_DATA   where clients and outputs go (default target/bench-data; the
#                batch roots are shared with bench/batch-bench.sh:
#                target/bench-batch/root-N)
#   SHAPES       default "taxex small batch"
#   RUNS         runs of each tool per shape (default 3)
#   BATCHES      batch sizes (default "200 60")
#   DUCK_RUNS    DuckDB runs on taxex and small (default RUNS; DuckDB reads the
#                10,000 small files far slower than telaudit, so fewer runs keep the
#                script's time down; telaudit and cat still run RUNS times)
#   DUCK_BATCH_RUNS  DuckDB runs over a whole batch (default 1: one run over 200
#                clients takes several minutes; 0 skips them)
#   DUCK_BATCH_MAX   DuckDB runs over batches of at most this many clients only
#                (default: every batch)
#   TAXEX_SERVICES, SMALL_ACCOUNTS  the shapes' sizes (default 20000, 10000; smaller
#                ones only to try the script)
#   PYTHON, THREADS, SKIP_BUILD as in bench/compare.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
data=${BENCH_DATA:-$target/bench-data}
shapes=${SHAPES:-"taxex small batch"}
runs=${RUNS:-3}
batches=${BATCHES:-"200 60"}
taxex_services=${TAXEX_SERVICES:-20000}
small_accounts=${SMALL_ACCOUNTS:-10000}
duck_batch_runs=${DUCK_BATCH_RUNS:-1}
duck_runs=${DUCK_RUNS:-$runs}
duck_batch_max=${DUCK_BATCH_MAX:-1000000}
python=${PYTHON:-$("$here/find-python.sh")}
duck=$here/duckdb_audit.py
threads=${THREADS:-2}
bin=$target/release/telaudit

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
"$python" -c "import duckdb" 2>/dev/null || { echo "$python cannot import duckdb" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$root" && cargo build --release -p telaudit)
fi
mkdir -p "$data"

# One timed run of a command: prints "<wall ms> <peak RSS KiB>".
measure() {
    local log t0 t1 rss
    log=$(mktemp)
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" || {
        echo "command failed: $*" >&2; cat "$log.err" >&2; exit 1; }
    t1=$(date +%s%N)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    rm -f "$log" "$log.err"
    echo "$(( (t1 - t0) / 1000000 )) $rss"
}

# Reads every file below the given folders (the page cache, after a first read).
cat_all() { find "$@" -type f -print0 | xargs -0 cat >/dev/null; }
# `cat_all` timed: prints "<wall ms> 0".
measure_cat() {
    local t0 t1
    t0=$(date +%s%N); cat_all "$@"; t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000000 )) 0"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
maxof() { sort -n | tail -1; }

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo "machine: $(nproc) cores, $cpu; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
echo

table="| shape | rows | files | telaudit (median) | DuckDB (median) | cat (median) | DuckDB / telaudit | telaudit / cat | telaudit peak RSS | DuckDB peak RSS |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
add_row() { # shape rows files t d c tr dr
    table="$table
$(awk -v s="$1" -v rows="$2" -v files="$3" -v t="$4" -v d="$5" -v c="$6" -v tr="$7" -v dr="$8" 'BEGIN {
    dd = (d > 0) ? sprintf("%.2f s", d/1000) : "-"; ratio = (d > 0) ? sprintf("%.1fx", d/t) : "-";
    drs = (dr > 0) ? sprintf("%.0f MB", dr/1024) : "-";
    printf "| %s | %d | %d | %.2f s | %s | %.2f s | %s | %.1fx | %.0f MB | %s |", s, rows, files, t/1000, dd, c/1000, ratio, t/c, tr/1024, drs }')"
}
status=0

# A single client: telaudit (fresh output folder), DuckDB and cat, alternated.
single() { # label client out
    local label=$1 client=$2 out=$3 t=() tr=() d=() dr=() c=() i ms rss
    cat_all "$client"
    for i in $(seq "$runs"); do
        rm -rf "$out"
        read -r ms rss < <(measure "$bin" audit "$client" --out "$out" --quiet); t+=("$ms"); tr+=("$rss")
        dl="- ms (- KiB)"
        if [ "$i" -le "$duck_runs" ]; then
            read -r ms rss < <(measure "$python" "$duck" "$client" --threads "$threads"); d+=("$ms"); dr+=("$rss")
            dl="$ms ms ($rss KiB)"
        fi
        read -r ms rss < <(measure_cat "$client"); c+=("$ms")
        echo "  $label run $i: telaudit ${t[-1]} ms (${tr[-1]} KiB), duckdb $dl, cat ${c[-1]} ms"
    done
    local rows files
    rows=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['input']['rows'])" "$out/report.json")
    files=$(find "$client" -type f | wc -l)
    add_row "$label" "$rows" "$files" "$(printf '%s\n' "${t[@]}" | median)" "$(printf '%s\n' "${d[@]}" | median)" \
        "$(printf '%s\n' "${c[@]}" | median)" "$(printf '%s\n' "${tr[@]}" | maxof)" "$(printf '%s\n' "${dr[@]}" | maxof)"
    "$python" "$here/check_totals.py" "$duck" "$client" "$out/report.json" --threads "$threads" || status=1
}

for shape in $shapes; do
    case $shape in
    taxex)
        client=$data/taxex-$taxex_services
        [ -d "$client/invoices" ] || "$bin" generate "$client" --services "$taxex_services" --accounts-per-carrier 1 --tax-every-line
        echo "tax-exempt enterprise ($client)"
        single "tax-exempt, $taxex_services services" "$client" "$data/out-taxex"
        ;;
    small)
        client=$data/small-$small_accounts
        [ -d "$client/invoices" ] || "$bin" generate "$client" --small-accounts "$small_accounts"
        echo "$small_accounts small accounts ($client)"
        single "$small_accounts accounts" "$client" "$data/out-small"
        # Into the folder of the run before: 30,000 files replaced.
        re=()
        for i in $(seq "$runs"); do
            read -r ms _ < <(measure "$bin" audit "$client" --out "$data/out-small" --quiet); re+=("$ms")
            echo "  $small_accounts accounts, over the previous output, run $i: telaudit $ms ms"
        done
        echo "  over the previous output (median): $(printf '%s\n' "${re[@]}" | median) ms"
        ;;
    batch)
        for n in $batches; do
            broot=$target/bench-batch/root-$n
            mkdir -p "$broot"
            for i in $(seq 1 "$n"); do
                id=$(printf 'client-%03d' "$i")
                services=$(( 200 + (i * 997) % 1801 ))
                if [ ! -f "$broot/$id/.generated" ]; then
                    rm -rf "${broot:?}/$id"
                    "$bin" generate "$broot/$id" --services "$services" --seed "$i" 2>/dev/null
                    touch "$broot/$id/.generated"
                fi
            done
            out=$target/bench-batch/out-$n
            echo "nightly batch of $n clients ($broot)"
            cat_all "$broot"
            "$bin" batch "$broot" --out "$out" --quiet --force >/dev/null || true
            t=(); tr=(); c=(); d=(); dr=()
            for i in $(seq "$runs"); do
                read -r ms rss < <(measure "$bin" batch "$broot" --out "$out" --quiet --force); t+=("$ms"); tr+=("$rss")
                read -r ms _ < <(measure_cat "$broot"); c+=("$ms")
                echo "  batch $n run $i: telaudit ${t[-1]} ms (${tr[-1]} KiB), cat ${c[-1]} ms"
            done
            nd=$duck_batch_runs
            [ "$n" -le "$duck_batch_max" ] || nd=0
            for i in $(seq "$nd"); do
                t0=$(date +%s%N); peak=0
                for dir in "$broot"/client-*; do
                    read -r _ rss < <(measure "$python" "$duck" "$dir" --threads "$threads")
                    [ "$rss" -gt "$peak" ] && peak=$rss
                done
                t1=$(date +%s%N)
                d+=("$(( (t1 - t0) / 1000000 ))"); dr+=("$peak")
                echo "  batch $n, DuckDB client by client, run $i: ${d[-1]} ms (largest ${dr[-1]} KiB)"
            done
            [ ${#d[@]} -gt 0 ] || { d=(0); dr=(0); }
            rows=$("$python" -c "import json,sys; print(sum((c['rows'] or 0) for c in json.load(open(sys.argv[1]))['clients']))" "$out/summary.json")
            files=$(find "$broot" -type f | wc -l)
            add_row "batch of $n clients" "$rows" "$files" "$(printf '%s\n' "${t[@]}" | median)" \
                "$(printf '%s\n' "${d[@]}" | median)" "$(printf '%s\n' "${c[@]}" | median)" \
                "$(printf '%s\n' "${tr[@]}" | maxof)" "$(printf '%s\n' "${dr[@]}" | maxof)"
        done
        ;;
    *) echo "unknown shape $shape (taxex, small, batch)" >&2; exit 2 ;;
    esac
    echo
done

echo "$table"
echo
echo "(medians of $runs alternated runs, DuckDB's of $duck_runs; DuckDB over a batch: ${duck_batch_runs} run(s) of batches up to $duck_batch_max clients, one process per client;"
echo " peak RSS: the largest of the runs, for DuckDB over a batch the largest client's; load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
exit $status
