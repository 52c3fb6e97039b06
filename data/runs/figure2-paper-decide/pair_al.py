"""Pairs the convex verdicts of this sweep with the AL route of the same
teachers (data/runs/figure2-paper-al/, same base seed, so the same teacher
per (W, trial)), trial by trial.

    python3 data/runs/figure2-paper-decide/pair_al.py partial.csv \
        data/runs/figure2-paper-al/figure2-paper-al.csv

partial.csv: `inrsamp sweep merge shard-*-of-5.csv --out partial.csv`.
Prints, per (psi, W, K): convex successes / AL successes / paired trials,
then every trial where AL reached the teacher (the paper's protocol) and
the convex route verified a cheaper measure, with the relative cost gap
(teacher - cheaper) / teacher.
"""
import csv
import sys
from collections import defaultdict


def load(path):
    return {(r["psi"], int(r["width"]), int(r["k"]), int(r["trial"])): r
            for r in csv.DictReader(open(path))}


conv, al = load(sys.argv[1]), load(sys.argv[2])
cells = defaultdict(lambda: [0, 0, 0])
al_only, conv_only = [], 0
for key, c in sorted(conv.items()):
    a = al.get(key)
    if a is None:
        continue
    cs, as_ = c["success"] == "true", a["success"] == "true"
    cell = cells[key[:3]]
    cell[0] += cs
    cell[1] += as_
    cell[2] += 1
    conv_only += cs and not as_
    if as_ and not cs:
        gap = (float(c["teacher_cost"]) - float(c["upper"])) / float(c["teacher_cost"])
        al_only.append((gap, key, c["outcome"], float(a["rel_mse"])))
print("convex / AL successes / paired trials, per (psi, W, K)")
for (psi, w, k), (cs, as_, n) in sorted(cells.items()):
    print(f"  {psi} W={w} K={k}: {cs} / {as_} / {n}")
n = sum(v[2] for v in cells.values())
print(f"paired trials {n}; convex only {conv_only}; AL only {len(al_only)}")
print("AL only (relative cost gap of the cheaper verified measure, convex outcome, AL rel MSE):")
for gap, key, outcome, mse in sorted(al_only):
    print(f"  {key}: gap {gap:.2e}, {outcome}, AL rel MSE {mse:.2e}")
