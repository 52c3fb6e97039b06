"""Per-cell verdict counts of a proofs-check record CSV, and (with two files)
the instances whose verdict changed. Usage: python3 table.py conjA.csv
[conjA-a817adf.csv]"""
import csv
import sys
from collections import Counter, defaultdict


def load(path):
    return {(r["claim"], r["k"], r["width"], r["psi"], r["seed"]): r
            for r in csv.DictReader(open(path))}


def table(rows):
    cells = defaultdict(Counter)
    for key, r in rows.items():
        v = r["verdict"].replace("-estimated", "").replace("-proved", "")
        cells[key[:4]][v] += 1
    print("| claim | K | W | psi | n | unique | recovered | not recovered | inconclusive |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for c in sorted(cells):
        n = sum(cells[c].values())
        u, rc, nr = (cells[c][x] for x in ("unique", "recovered", "not_recovered"))
        print(f"| {c[0]} | {c[1]} | {c[2]} | {c[3]} | {n} | {u} | {rc} | {nr} | {n - u - rc - nr} |")


new = load(sys.argv[1])
table(new)
if len(sys.argv) > 2:
    old = load(sys.argv[2])
    changed = Counter()
    for k in new.keys() & old.keys():
        a, b = old[k]["verdict"], new[k]["verdict"]
        if a != b:
            changed[(a, b)] += 1
    print(f"\n{len(new.keys() & old.keys())} instances in both; changed verdicts (old -> new):")
    for (a, b), n in sorted(changed.items()):
        print(f"  {a} -> {b}: {n}")
