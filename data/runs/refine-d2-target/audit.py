#!/usr/bin/env python3
"""Cross-run audit of brackets: every lower end must lie below every
verified upper end of the same instance, whichever run printed them.

An upper end is the cost of a measure whose residual was verified on the
run's exact columns: a bound of value(11) as long as the columns are right.
A lower end with kind `estimated` rests on a search of sup |eta|; a lower
end above another run's upper end proves that search missed a violation.
Runs on different operators (revisions before a column fix) are not
comparable: pass files from one operator.

Usage: python3 audit.py A.csv B.csv ...   (run.sh's CSV format)
Prints the instances seen in more than one file and every contradiction
larger than TOL (relative); exits 1 if there is one.
"""
import collections
import csv
import sys

TOL = 1e-9


def main(paths):
    lowers = collections.defaultdict(list)
    uppers = collections.defaultdict(list)
    files = collections.defaultdict(set)
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                key = (r["w"], r["k"], r["psi"], r["seed"])
                files[key].add(path)
                for name, store in (("lower", lowers), ("upper", uppers)):
                    try:
                        v = float(r[name])
                    except (TypeError, ValueError):
                        continue
                    if v == v:
                        store[key].append((v, path, r["lower_kind"]))
    several = sum(1 for k in files if len(files[k]) > 1)
    print(f"{len(files)} instances, {several} in more than one file")
    bad = []
    for key, ls in lowers.items():
        if not uppers[key]:
            continue
        up, up_file, _ = min(uppers[key])
        for lo, lo_file, kind in ls:
            if lo > up * (1 + TOL):
                bad.append(((lo - up) / abs(up), key, lo_file, kind, up_file))
    bad.sort(reverse=True)
    print(f"{len(bad)} lower ends above another run's upper end by more than {TOL:g}")
    for excess, (w, k, psi, seed), lo_file, kind, up_file in bad:
        print(f"  {excess:.2e}  W={w} K={k} {psi} seed {seed}: lower ({kind}) in {lo_file}, upper in {up_file}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
