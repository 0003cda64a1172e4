#!/usr/bin/env bash
# How telaudit's time grows with the rows, and whether one huge file uses both cores.
#
#   bench/scaling.sh                     # 20k, 40k, 80k services, 3 runs each, then
#                                        # the one-file client at 1 and 2 threads
#   SIZES="2000 4000" RUNS=5 bench/scaling.sh
#   ONE_FILE=0 bench/scaling.sh          # sizes only
#
# Settings (environment):
#   BENCH_DATA  where the generated clients go (default target/bench-data, ignored by git)
#   SIZES       services per client (default "20000 40000 80000")
#   RUNS        rounds (default 3): each round runs every size (and 1 then 2
#               threads) once; the median wall time of the rounds is reported
#   ONE_FILE    services of the one-file client (default 20000; 0 = skip): every
#               invoice CSV of svc-N concatenated into invoices/all.csv, one header
#   SKIP_BUILD=1 use target/release/telaudit as it is
#
# Each run is `telaudit audit CLIENT --out DIR --quiet` under /usr/bin/time -v:
# wall clock from start to every output written, peak RSS, user and system CPU
# seconds. The doubling ratio is the median wall time of a size over that of
# the size before it. The machine's load average is printed with every run:
# on a shared machine, quote runs made while it was low.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=${BENCH_DATA:-$root/target/bench-data}
sizes=${SIZES:-"20000 40000 80000"}
runs=${RUNS:-3}
one_file=${ONE_FILE:-20000}
bin=$root/target/release/telaudit

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$root" && cargo build --release -p telaudit)
fi
mkdir -p "$data"

# One timed run: prints "<wall ms> <peak RSS KiB> <user s> <sys s>". $threads, when
# set, is the rayon thread count.
threads=
measure() {
    local log out t0 t1
    log=$(mktemp)
    out=$(mktemp -d)
    t0=$(date +%s%N)
    env ${threads:+RAYON_NUM_THREADS=$threads} \
        /usr/bin/time -v -o "$log" "$bin" audit "$1" --out "$out/o" --quiet >/dev/null || {
        echo "telaudit audit $1 failed" >&2; cat "$log" >&2; exit 1; }
    t1=$(date +%s%N)
    awk -F': ' -v ms=$(( (t1 - t0) / 1000000 )) '
        /Maximum resident set size/ {rss=$2} /User time/ {u=$2} /System time/ {s=$2}
        END {print ms, rss, u, s}' "$log"
    rm -rf "$log" "$out"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

rows_in() {
    # Data rows of the client's bill files (every generated file has one header line).
    find "$1/invoices" -name '*.csv' -exec wc -l {} + | awk '$2 != "total" {n += $1 - 1} END {print n}'
}

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
echo "machine: $(nproc) cores, $cpu, $mem; load $(cut -d' ' -f1-3 /proc/loadavg)"

table="| services | rows | wall (median) | rows/s | peak RSS | user CPU | sys CPU | x the half size |
|---:|---:|---:|---:|---:|---:|---:|---:|"
# Rounds: every size once per round, so a change in the machine's load touches
# every size alike instead of the last one.
declare -A ms rss user sys
for n in $sizes; do
    client=$data/svc-$n
    [ -d "$client/invoices" ] || "$bin" generate "$client" --services "$n" >/dev/null
done
for i in $(seq "$runs"); do
    for n in $sizes; do
        read -r m r u s < <(measure "$data/svc-$n")
        ms[$n]+="$m "; rss[$n]+="$r "; user[$n]+="$u "; sys[$n]+="$s "
        echo "  round $i, $n services: ${m} ms, ${r} KiB, user ${u} s, sys ${s} s, load $(cut -d' ' -f1 /proc/loadavg)"
    done
done
prev=""
for n in $sizes; do
    rows=$(rows_in "$data/svc-$n")
    m=$(printf '%s\n' ${ms[$n]} | median)
    peak=$(printf '%s\n' ${rss[$n]} | sort -n | tail -1)
    u=$(printf '%s\n' ${user[$n]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    s=$(printf '%s\n' ${sys[$n]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    ratio="-"
    [ -n "$prev" ] && ratio=$(awk -v a="$m" -v b="$prev" 'BEGIN {printf "%.2fx", a/b}')
    table="$table
$(awk -v n="$n" -v rows="$rows" -v m="$m" -v peak="$peak" -v u="$u" -v s="$s" -v ratio="$ratio" 'BEGIN {
    printf "| %d | %d | %.2f s | %.0f | %.0f MB | %.2f s | %.2f s | %s |", n, rows, m/1000, rows/(m/1000), peak/1024, u, s, ratio }')"
    prev=$m
done
echo
echo "$table"

if [ "$one_file" != "0" ]; then
    src=$data/svc-$one_file
    big=$data/onefile-$one_file
    [ -d "$src/invoices" ] || "$bin" generate "$src" --services "$one_file" >/dev/null
    if [ ! -f "$big/invoices/all.csv" ]; then
        mkdir -p "$big/invoices"
        cp "$src"/client.toml "$src"/contracts.csv "$src"/inventory.csv "$big"/
        mapfile -t files < <(find "$src/invoices" -name '*.csv' | sort)
        { head -1 "${files[0]}"; for f in "${files[@]}"; do tail -n +2 "$f"; done; } > "$big/invoices/all.csv"
    fi
    rows=$(rows_in "$big")
    echo
    echo "one file: $big/invoices/all.csv ($(du -m "$big/invoices/all.csv" | cut -f1) MB, $rows rows)"
    otable="| threads | wall (median) | rows/s | user CPU | sys CPU | CPU use | peak RSS |
|---:|---:|---:|---:|---:|---:|---:|"
    declare -A oms orss ouser osys
    for i in $(seq "$runs"); do
        for t in 1 2; do
            threads=$t
            read -r m r u s < <(measure "$big")
            oms[$t]+="$m "; orss[$t]+="$r "; ouser[$t]+="$u "; osys[$t]+="$s "
            echo "  round $i, one file, $t thread(s): ${m} ms, ${r} KiB, user ${u} s, sys ${s} s, load $(cut -d' ' -f1 /proc/loadavg)"
        done
    done
    threads=""
    for t in 1 2; do
        m=$(printf '%s\n' ${oms[$t]} | median)
        peak=$(printf '%s\n' ${orss[$t]} | sort -n | tail -1)
        u=$(printf '%s\n' ${ouser[$t]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        s=$(printf '%s\n' ${osys[$t]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        otable="$otable
$(awk -v t="$t" -v rows="$rows" -v m="$m" -v peak="$peak" -v u="$u" -v s="$s" 'BEGIN {
    printf "| %d | %.2f s | %.0f | %.2f s | %.2f s | %.0f%% | %.0f MB |", t, m/1000, rows/(m/1000), u, s, 100*(u+s)/(m/1000), peak/1024 }')"
    done
    echo
    echo "$otable"
fi
echo
echo "(wall: median of $runs runs; peak RSS: largest; user/sys: median; load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
