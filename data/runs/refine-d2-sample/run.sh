#!/bin/sh
# Sample of d = 2 certified refinement on exact columns (issue #10 item 2):
# one random teacher per cell W in {1,2}, K in {2,3}, psi in {std,mod,pre},
# seeds 100 + cell index (fresh seeds, not used in tuning).
# Usage: sh data/runs/refine-d2-sample/run.sh > data/runs/refine-d2-sample/sample.csv
B=${INRSAMP:-target/release/inrsamp}
echo "w,k,psi,seed,verdict,lower,lower_kind,upper,rel_gap,rounds,seconds"
i=0
for w in 1 2; do for k in 2 3; do for psi in std mod pre; do
  seed=$((100 + i)); i=$((i + 1))
  $B certify --d 2 --k0 1 --k $k --psi $psi --teacher random --width $w --seed $seed --json 2>/dev/null |
  python3 -c "
import json,sys
r=json.load(sys.stdin)
lo=r['certified_lower']; up=r['certified_upper']
gap=(up-lo)/abs(up) if up is not None and lo is not None else float('nan')
print(','.join(str(x) for x in [$w,$k,'$psi',$seed,r['verdict'],lo,r.get('lower_kind'),up,gap,r['refine_rounds'],r['solve_seconds']+r['certify_seconds']]))
" || echo "$w,$k,$psi,$seed,error,,,,,,"
done; done; done
