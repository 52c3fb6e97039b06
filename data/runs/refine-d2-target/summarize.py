"""Summary of result CSVs (issue #10 item 2): per psi and width and
overall, the share of brackets 1e-6-tight (relative), the rounds and the
seconds. Usage: python3 summarize.py [--last-wins] results.csv [results-b.csv ...]
With --last-wins, a seed that appears in several files counts once, with
its row from the last file that has it (a re-run replacing older rows)."""
import csv, statistics, sys
from collections import defaultdict

args = [a for a in sys.argv[1:] if a != "--last-wins"]
rows = [r for f in args for r in csv.DictReader(open(f))]
if "--last-wins" in sys.argv[1:]:
    by_seed = {}
    for r in rows:
        by_seed.pop(r["seed"], None)
        by_seed[r["seed"]] = r
    rows = list(by_seed.values())
TIGHT = 1e-6

def gap(r):
    try:
        return float(r["rel_gap"])
    except ValueError:
        return float("nan")

def line(label, rs):
    if not rs:
        return
    tight = sum(1 for r in rs if gap(r) <= TIGHT)
    rounds = sorted(int(r["rounds"]) for r in rs if r["rounds"])
    secs = sorted(float(r["seconds"]) for r in rs)
    verdicts = defaultdict(int)
    for r in rs:
        verdicts[r["verdict"]] += 1
    print(f"| {label} | {len(rs)} | {tight} ({100.0 * tight / len(rs):.0f} %) | "
          f"{statistics.median(rounds):g} | {sum(1 for x in rounds if x >= 30)} | "
          f"{statistics.median(secs):.1f} | {secs[-1]:.1f} | "
          + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())) + " |")

print("| cells | instances | 1e-6-tight | median rounds | at 30 rounds | median s | max s | verdicts |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for psi in ["std", "mod", "pre"]:
    for w in ["1", "2", "3"]:
        line(f"psi_{psi}, W = {w}", [r for r in rows if r["psi"] == psi and r["w"] == w])
line("all", rows)
