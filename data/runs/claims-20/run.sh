#!/bin/bash
# 20 instances per cell of the verdict claims, at the revision in REV, niced
cd /work/main
for c in theorem1-psi-mod necessity-k-below-2k0 conjecture-a-std-pre necessity-k-below-w1k0 conjecture-b-width-w; do
  s=$(date +%s)
  nice -n 19 /tmp/bg/proofs-check --full --instances 20 --csv /tmp/bg/out/$c.csv $c > /tmp/bg/out/$c.txt 2>/tmp/bg/out/$c.err
  echo "$c rc=$? $(( $(date +%s) - s )) s" >> /tmp/bg/out/times.txt
done
