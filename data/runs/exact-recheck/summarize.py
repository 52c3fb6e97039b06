#!/usr/bin/env python3
"""Summary of exact re-check runs (rerun.py output): verdicts against the
committed ones, and the exact margin against the quadrature operator's.
Usage: python3 summarize.py A.csv [B.csv ...]"""
import csv, sys
from collections import Counter

for path in sys.argv[1:]:
    rows = list(csv.DictReader(open(path)))
    print(f'{path}: {len(rows)} instances')
    print('  verdicts (committed -> now):',
          dict(Counter(f"{r['old_verdict']} -> {r['verdict']}" for r in rows)))
    both = [r for r in rows if r['grid_margin'] not in ('', 'None')]
    if both:
        rel = [(float(r['margin']) - float(r['grid_margin'])) / float(r['grid_margin']) for r in both]
        print(f'  re-checked: {len(both)}; (exact - grid) / grid from {min(rel):+.1%} to {max(rel):+.1%}; '
              f'exact below grid in {sum(x < 0 for x in rel)}')
        low = min(both, key=lambda r: float(r['margin']))
        print(f"  smallest exact margin {float(low['margin']):.3e} (seed {low['seed']}, grid {float(low['grid_margin']):.3e})")
    secs = sorted(float(r['seconds']) for r in rows)
    print(f'  seconds: median {secs[len(secs) // 2]:.0f}, max {secs[-1]:.0f}')
