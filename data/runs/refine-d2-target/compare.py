"""Pairs two runs of the refinement-target sample by seed (e.g. before and
after a change of the refinement) and prints, per instance that both ran,
the verdicts, relative gaps, rounds and seconds, then a summary. Two valid
brackets of the same value(11) must overlap: a pair that does not is
reported as an error (and the script exits non-zero).
Usage: python3 compare.py OLD.csv[,OLD2.csv] NEW.csv[,NEW2.csv]"""
import csv, math, statistics, sys

def load(arg):
    rows = {}
    for f in arg.split(","):
        for r in csv.DictReader(open(f)):
            rows[r["seed"]] = r
    return rows

def num(r, key):
    try:
        return float(r[key])
    except (ValueError, TypeError):
        return float("nan")

old, new = load(sys.argv[1]), load(sys.argv[2])
seeds = sorted(set(old) & set(new), key=int)
TIGHT = 1e-6
print("| w | k | psi | seed | verdict old -> new | gap old | gap new | rounds old -> new | s old -> new |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
bad = []
changed = 0
for s in seeds:
    o, n = old[s], new[s]
    go, gn = num(o, "rel_gap"), num(n, "rel_gap")
    if o["verdict"] != n["verdict"]:
        changed += 1
    lo = max(num(o, "lower"), num(n, "lower"))
    up = min(num(o, "upper"), num(n, "upper"))
    if lo > up * (1 + 1e-9):
        bad.append(s)
    print(f"| {o['w']} | {o['k']} | {o['psi']} | {s} | {o['verdict']} -> {n['verdict']} | "
          f"{go:.1e} | {gn:.1e} | {o['rounds']} -> {n['rounds']} | "
          f"{num(o, 'seconds'):.1f} -> {num(n, 'seconds'):.1f} |")

def tight(rows):
    return sum(1 for s in seeds if num(rows[s], "rel_gap") <= TIGHT)

def med(rows, key):
    return statistics.median(num(rows[s], key) for s in seeds)

print()
print(f"{len(seeds)} instances in both; 1e-6-tight {tight(old)} -> {tight(new)}; "
      f"median rounds {med(old, 'rounds'):g} -> {med(new, 'rounds'):g}; "
      f"median s {med(old, 'seconds'):.1f} -> {med(new, 'seconds'):.1f}; "
      f"verdicts changed {changed}; brackets that do not overlap {len(bad)}")
narrower = sum(1 for s in seeds if num(new[s], "rel_gap") < num(old[s], "rel_gap") * 0.5)
wider = sum(1 for s in seeds if num(new[s], "rel_gap") > num(old[s], "rel_gap") * 2
            and num(new[s], "rel_gap") > TIGHT)
print(f"gap at most half the old one: {narrower}; more than twice (and above 1e-6): {wider}")
if bad:
    print("brackets that do not overlap (an error):", ", ".join(bad))
    sys.exit(1)
