#!/usr/bin/env bash
# Runs deploy/slurm-array.sh for real on a single-node Slurm cluster and checks
# that the sharded result equals an unsharded batch.
#
#   bash scripts/slurm-test.sh            # as root, on Debian/Ubuntu (apt-get)
#
# 1. installs Debian's slurm-wlm and munge if missing, writes a one-node
#    /etc/slurm/slurm.conf (this machine, all its cores) and starts munged,
#    slurmctld and slurmd (nothing is restarted when a cluster already answers);
# 2. builds target/debug/telaudit (what `cargo test` built) and generates 12 small clients
#    (`telaudit generate --services 40..150`, seeds 1..12);
# 3. submits deploy/slurm-array.sh as an array of 3 shards and the merge
#    (`telaudit merge-summaries`) as a job depending on it, and waits;
# 4. checks the merged summary.json and summary.csv are byte-identical to those of
#    one unsharded `telaudit batch` over the same clients.
#
# Work folder: $SLURM_TEST_DIR (default target/slurm-test, ignored by git). It must
# be on a file system slurmd sees (here: the same machine). Exit 0 when identical.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${SLURM_TEST_DIR:-${CARGO_TARGET_DIR:-$root/target}/slurm-test}
started=$(date +%s)
say() { echo "slurm-test: $*"; }

# --- 1. the cluster -----------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi
if ! scontrol ping 2>/dev/null | grep -q "is UP"; then
    say "configuring a single-node cluster"
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=telaudit-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    [ -s /etc/munge/munge.key ] || mungekey --create --force >/dev/null 2>&1 || mungekey -c
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
    pgrep -x munged >/dev/null || su -s /bin/sh munge -c munged 2>/dev/null || munged --force
    pgrep -x slurmctld >/dev/null || slurmctld
    pgrep -x slurmd >/dev/null || slurmd
    for _ in $(seq 60); do
        scontrol ping 2>/dev/null | grep -q "is UP" && sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|alloc" && break
        sleep 1
    done
    scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
fi
sinfo -h -o %T | grep -qE "idle|mixed|alloc" || { sinfo; tail -20 /var/log/slurm/slurmd.log; say "the node is not up"; exit 1; }
say "cluster up: $(sinfo -h -o '%P %D node(s) %c cpus %T')"

# --- 2. the binary and the clients -------------------------------------------
(cd "$root" && cargo build --quiet -p telaudit)
bin_dir=${CARGO_TARGET_DIR:-$root/target}/debug
rm -rf "$work"
mkdir -p "$work/data/clients" "$work/data/out" "$work/logs"
for i in $(seq 1 12); do
    "$bin_dir/telaudit" generate "$work/data/clients/$(printf 'client-%02d' "$i")" \
        --services $(( 40 + (i * 37) % 111 )) --seed "$i" >/dev/null 2>&1
done
say "12 clients generated in $work/data/clients"
cluster_ready=$(date +%s)

# --- 3. the array and the merge ----------------------------------------------
export PATH="$bin_dir:$PATH" TELAUDIT_DATA="$work/data"
jid=$(sbatch --parsable --chdir="$work/logs" --array=1-3 "$root/deploy/slurm-array.sh")
say "array job $jid submitted (3 shards)"
merge=$(sbatch --parsable --chdir="$work/logs" --dependency="afterany:$jid" --output=merge-%j.log \
    --wait --wrap 'telaudit merge-summaries $TELAUDIT_DATA/out/shard-* --out $TELAUDIT_DATA/out') || {
    say "the merge job failed"; cat "$work"/logs/*.log; exit 1; }
say "merge job $merge done"
sacct_state=$(scontrol show job "$jid" 2>/dev/null | grep -o "JobState=[A-Z]*" | sort -u | tr '\n' ' ' || true)
[ -n "$sacct_state" ] && say "array tasks: $sacct_state"
for k in 1 2 3; do
    [ -f "$work/data/out/shard-$k/summary.json" ] || { say "shard $k wrote no summary"; cat "$work"/logs/*.log; exit 1; }
done

# --- 4. against one unsharded batch ------------------------------------------
telaudit batch "$work/data/clients" --out "$work/unsharded" --quiet || [ $? -eq 1 ]
status=0
for f in summary.json summary.csv; do
    if cmp -s "$work/data/out/$f" "$work/unsharded/$f"; then
        say "$f: the merged shards equal the unsharded batch byte for byte"
    else
        say "$f DIFFERS"; diff "$work/data/out/$f" "$work/unsharded/$f" | head -20; status=1
    fi
done
n=$(grep -c '"client":' "$work/data/out/summary.json")
[ "$n" -eq 12 ] || { say "expected 12 clients in the merged summary, found $n"; status=1; }
now=$(date +%s)
say "$([ $status -eq 0 ] && echo PASS || echo FAIL): $n clients, 3 shards; $((now - cluster_ready)) s from submission to check, $((now - started)) s in all"
say "the Slurm daemons (munged, slurmctld, slurmd) are left running on purpose: the next run skips starting them (seconds instead of about half a minute)"
say "to stop them: scontrol shutdown && kill \"\$(cat /run/munge/munged.pid)\""
exit $status
