#!/usr/bin/env python3
"""Theorem 1 off the grid in d = 2 (psi_mod, K = 2, width 1) on the first 10
seeds of ../claims-d2-exact/t1-100-1d49a2c.csv, certified by two binaries:
OLD (before the Cauchy-Schwarz bound) and NEW (with it). One row per
(binary, seed): verdict, margin and its kind, both bracket ends and the
lower end's kind, |y| (exact, `inrsamp measure` of NEW), and the solve's and
the certificate's seconds. Appends and skips rows already in OUT.

Usage: python3 run.py OLD NEW OUT.csv
"""
import csv, json, math, os, subprocess, sys

SEEDS = [10419, 18338, 26257, 34176, 42095, 50014, 57933, 65852, 73771, 81690]
COLS = ["binary", "seed", "verdict", "margin", "margin_kind", "lower", "lower_kind",
        "upper", "ynorm", "solve_seconds", "certify_seconds"]


def run(b, args):
    out = subprocess.run([b] + args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    old, new, path = sys.argv[1:4]
    done = set()
    if os.path.exists(path):
        with open(path) as f:
            done = {(r["binary"], r["seed"]) for r in csv.DictReader(f)}
    new_file = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.writer(f)
        if new_file:
            w.writerow(COLS)
        prob = ["--d", "2", "--k0", "1", "--k", "2", "--teacher", "random", "--width", "1"]
        for seed in SEEDS:
            m = run(new, ["measure"] + prob + ["--seed", str(seed), "--exact", "--json"])
            ynorm = math.sqrt(sum(x * x for x in m["real_vector"]))
            for name, b in [("old", old), ("new", new)]:
                if (name, str(seed)) in done:
                    continue
                r = run(b, ["certify"] + prob + ["--psi", "mod", "--seed", str(seed),
                                                 "--off-grid", "--json"])
                w.writerow([name, seed, r["verdict"], repr(r["margin"]), r["margin_kind"],
                            repr(r["certified_lower"]), r["lower_kind"],
                            repr(r["certified_upper"]), repr(ynorm),
                            r["solve_seconds"], r["certify_seconds"]])
                f.flush()


main()
