#!/bin/bash
# Merges the shards of an inrsamp sweep (after the array job) and draws the
# report: runs/<plan>.csv and runs/<plan>/.
#SBATCH --job-name=inrsamp-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=00:20:00
#SBATCH --output=runs/slurm-merge-%j.out
set -euo pipefail
plan="${1:?usage: sweep-merge.sh <preset or plan.toml> <shards>}"
n="${2:?usage: sweep-merge.sh <preset or plan.toml> <shards>}"
bin="${INRSAMP_BIN:-./target/release/inrsamp}"
if [[ "$plan" == *.toml ]]; then src=(--config "$plan"); name="$(basename "$plan" .toml)"; else src=(--preset "$plan"); name="$plan"; fi
shards=()
for i in $(seq 1 "$n"); do shards+=("runs/${name}-shard-${i}-of-${n}.csv"); done
"$bin" sweep merge "${shards[@]}" "${src[@]}" --out "runs/${name}.csv"
"$bin" sweep report "runs/${name}.csv" --out "runs/${name}"
