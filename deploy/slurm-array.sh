#!/usr/bin/env bash
# telaudit nightly batch as a Slurm job array: task k (1..N) audits shard k of N.
# Submit with the merge as a dependent job:
#
#   jid=$(sbatch --parsable --array=1-8 deploy/slurm-array.sh)
#   sbatch --dependency=afterany:$jid --wrap \
#     'telaudit merge-summaries $TELAUDIT_DATA/out/shard-* --out $TELAUDIT_DATA/out'
#
# TELAUDIT_DATA is a shared file system (NFS, Lustre, ...) seen by every node:
#   $TELAUDIT_DATA/clients/<client>/   input
#   $TELAUDIT_DATA/out/shard-<k>/      each task's output (its own --out: a batch
#                                      locks its --out folder)
#SBATCH --job-name=telaudit-nightly
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=telaudit-%A_%a.log
set -u
: "${TELAUDIT_DATA:?set TELAUDIT_DATA to the shared data folder}"
n=${SLURM_ARRAY_TASK_COUNT:?submit as a job array, e.g. --array=1-8}
# --shard is 1-based; this also works for an array submitted as --array=0-7.
k=$(( SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-1} + 1 ))
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-2}
telaudit batch "$TELAUDIT_DATA/clients" --out "$TELAUDIT_DATA/out/shard-$k" --shard "$k/$n"
rc=$?
# 1: finished, some clients failed or had input refused (see the summary).
[ "$rc" -eq 1 ] && exit 0
exit $rc
