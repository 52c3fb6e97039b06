#!/bin/bash
# 20 instances per cell of the verdict claims, one CSV per claim (revision
# c506729 for the committed files; each claim ran on 2 cores, niced, with
# other work on the machine). Run from the repository root after moving the
# committed CSVs away (an existing record file needs --resume).
set -u
cargo build --release -p proofs-check
for c in theorem1-psi-mod necessity-k-below-2k0 conjecture-a-std-pre necessity-k-below-w1k0 conjecture-b-width-w; do  # conjecture-b-width-w: revision f1a0c74
  s=$(date +%s)
  nice -n 19 ./target/release/proofs-check --full --instances 20 --csv "data/runs/claims-20/$c.csv" "$c" \
    > "data/runs/claims-20/$c.txt" 2> "data/runs/claims-20/$c.err"
  echo "$c rc=$? $(( $(date +%s) - s )) s" >> data/runs/claims-20/times.txt
done
