#!/bin/bash
# One shard of an inrsamp sweep per Slurm array task.
#
#   sbatch --array=1-16 data/slurm/sweep-array.sh paper 16
#   sbatch --dependency=afterok:<array job id> data/slurm/sweep-merge.sh paper 16
#
# Each task writes runs/<plan>-shard-<i>-of-<n>.csv (appended and fsynced per
# job; a requeued task resumes its own file).
#SBATCH --job-name=inrsamp-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=runs/slurm-%A_%a.out
set -euo pipefail
plan="${1:?usage: sweep-array.sh <preset or plan.toml> <shards>}"
n="${2:?usage: sweep-array.sh <preset or plan.toml> <shards>}"
i="${SLURM_ARRAY_TASK_ID:?run this under sbatch --array=1-<shards>}"
bin="${INRSAMP_BIN:-./target/release/inrsamp}"
mkdir -p runs
if [[ "$plan" == *.toml ]]; then src=(--config "$plan"); name="$(basename "$plan" .toml)"; else src=(--preset "$plan"); name="$plan"; fi
out="runs/${name}-shard-${i}-of-${n}.csv"
resume=()
[[ -e "$out" ]] && resume=(--resume)
exec "$bin" --threads "${SLURM_CPUS_PER_TASK:-1}" sweep run "${src[@]}" --shard "${i}/${n}" \
  --out "$out" --report "runs/${name}-shard-${i}-of-${n}" --quiet "${resume[@]}"
