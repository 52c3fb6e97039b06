#!/usr/bin/env python3
"""Re-runs, with the binary given as INRSAMP (default target/release/inrsamp),
the committed d = 2, K0 = 2 `unique` verdicts of Theorem 1
(data/runs/claims-100/theorem1-psi-mod.csv, all on the 64^2 quadrature
operator) with the smallest margins first, so that each certificate is
re-checked on exact columns (certify::exact_recheck). Flags as the claim
runs them: --grid-points 2000 --no-refine. Appends one row per instance to
the CSV given as the first argument and skips seeds already there (resume);
COUNT (default 16) is how many to run, FROM (default 0) how many of the
smallest margins to skip first. A new CSV also records the bracket (exact
since certify::exact_bracket) and the grid bracket; an existing CSV keeps
its own columns."""
import csv, json, os, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SRC = 'data/runs/claims-100/theorem1-psi-mod.csv'
binary = os.environ.get('INRSAMP', os.path.join(ROOT, 'target/release/inrsamp'))
count = int(os.environ.get('COUNT', '16'))
start = int(os.environ.get('FROM', '0'))
out = sys.argv[1]
rows = [x for x in csv.DictReader(open(os.path.join(ROOT, SRC)))
        if x['d'] == '2' and x['k0'] == '2' and x['verdict'].startswith('unique')]
rows.sort(key=lambda x: float(x['margin']))
rows = rows[start:start + count]
done = set()
if os.path.exists(out):
    done = {r['seed'] for r in csv.DictReader(open(out))}
COLUMNS = ['claim', 'd', 'k0', 'k', 'width', 'psi', 'seed', 'old_verdict', 'old_margin',
           'verdict', 'margin', 'margin_kind', 'grid_margin', 'tier', 'teacher_cost',
           'certified_lower', 'certified_upper', 'grid_lower', 'grid_upper', 'seconds', 'reason']
new = not os.path.exists(out)
header = COLUMNS if new else next(csv.reader(open(out)))
with open(out, 'a', newline='') as f:
    w = csv.DictWriter(f, fieldnames=header, extrasaction='ignore')
    if new:
        w.writeheader()
    for i, x in enumerate(rows):
        if x['seed'] in done:
            continue
        cmd = [binary, 'certify', '--d', x['d'], '--k0', x['k0'], '--k', x['k'], '--psi', x['psi'],
               '--teacher', 'random', '--width', x['width'], '--seed', x['seed'],
               '--grid-points', '2000', '--no-refine', '--json']
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.time() - t0
        # certify exits non-zero on some verdicts (inconclusive: 3) but still
        # prints its JSON; only a missing report is an error.
        try:
            j = json.loads(p.stdout)
        except json.JSONDecodeError:
            j = {'verdict': 'error', 'reason': p.stderr.strip()[-500:]}
        grid = j.get('grid_bracket') or [None, None]
        row = {k: x[k] for k in ['claim', 'd', 'k0', 'k', 'width', 'psi', 'seed']}
        row.update(old_verdict=x['verdict'], old_margin=x['margin'], seconds=f'{dt:.1f}',
                   grid_lower=grid[0], grid_upper=grid[1])
        for k in ['verdict', 'margin', 'margin_kind', 'grid_margin', 'tier', 'teacher_cost',
                  'certified_lower', 'certified_upper', 'reason']:
            row[k] = j.get(k)
        w.writerow(row)
        f.flush()
        os.fsync(f.fileno())
        print(f'{i + 1}/{len(rows)} seed {x["seed"]}: {j.get("verdict")} margin {j.get("margin")} '
              f'grid {j.get("grid_margin")} ({dt:.1f} s)', flush=True)
