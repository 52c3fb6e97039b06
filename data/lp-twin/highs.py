"""SciPy's HiGHS on an exported (P_N) (inrsamp solve --export-lp PREFIX):
min sum psi_j (c+_j + c-_j) s.t. Phi (c+ - c-) = y, c+- >= 0.
Usage: python3 highs.py PREFIX. Prints objective, status and seconds
(solve only, and with the model build)."""
import sys, time
import numpy as np
from scipy.optimize import linprog

prefix = sys.argv[1]
phi = np.load(prefix + "_phi.npy")
y = np.load(prefix + "_y.npy")
psi = np.load(prefix + "_psi.npy")
t0 = time.perf_counter()
a = np.hstack([phi, -phi])
cost = np.concatenate([psi, psi])
t1 = time.perf_counter()
r = linprog(cost, A_eq=a, b_eq=y, bounds=(0, None), method="highs")
t2 = time.perf_counter()
print(f"highs: status {r.status} ({r.message.strip()}), objective {r.fun:.13f}, "
      f"solve {t2 - t1:.3f} s, with build {t2 - t0:.3f} s, M = {phi.shape[0]}, N = {phi.shape[1]}")
