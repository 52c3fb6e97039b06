#!/usr/bin/env python3
"""Re-runs, with the binary given as INRSAMP (default target/release/inrsamp),
every committed `unique` verdict whose margin was estimated and at most 1e-6
(the floor on estimated margins, CertifySettings::estimated_margin_floor),
and writes one row per instance to the CSV given as the first argument.
The certify flags are those of each claim file (grid_points, off_grid, refine)."""
import csv, json, os, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SOURCES = {
    'data/runs/claims-100/theorem1-psi-mod.csv': [],
    'data/runs/claims-100/theorem1-off-grid-k0-2.csv': ['--off-grid', '--refine'],
    'data/runs/claims-100/conjecture-a-std-pre.csv': [],
    'data/runs/claims-d2-exact/conjA-6dd3191.csv': ['--refine'],
}
binary = os.environ.get('INRSAMP', os.path.join(ROOT, 'target/release/inrsamp'))
out = sys.argv[1]
rows = []
for src, extra in SOURCES.items():
    for x in csv.DictReader(open(os.path.join(ROOT, src))):
        try:
            m = float(x['margin'])
        except ValueError:
            continue
        if x['verdict'] == 'unique-estimated' and m <= 1e-6:
            rows.append((src, extra, x, m))
with open(out + '.tmp', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['source', 'claim', 'd', 'k0', 'k', 'width', 'psi', 'seed', 'old_margin',
                'verdict', 'margin', 'margin_kind', 'tier', 'seconds', 'reason'])
    for i, (src, extra, x, m) in enumerate(rows):
        cmd = [binary, 'certify', '--d', x['d'], '--k0', x['k0'], '--k', x['k'], '--psi', x['psi'],
               '--teacher', 'random', '--width', x['width'], '--seed', x['seed'],
               '--grid-points', '2000', '--json'] + extra
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.time() - t0
        # certify exits non-zero on some verdicts (inconclusive: 3) but still
        # prints its JSON; only a missing report is an error.
        try:
            j = json.loads(p.stdout)
        except json.JSONDecodeError:
            j = {'verdict': 'error', 'reason': p.stderr.strip()[-500:]}
        w.writerow([os.path.basename(src), x['claim'], x['d'], x['k0'], x['k'], x['width'], x['psi'],
                    x['seed'], m, j.get('verdict'), j.get('margin'), j.get('margin_kind'), j.get('tier'),
                    f'{dt:.1f}', j.get('reason')])
        f.flush()
        print(f'{i + 1}/{len(rows)} {x["claim"]} seed {x["seed"]}: {j.get("verdict")} margin {j.get("margin")} ({dt:.1f} s)', flush=True)
os.replace(out + '.tmp', out)
