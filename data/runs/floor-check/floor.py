"""eta_lambda along the family that lowers w0 of a unit below the vanishing
floor (README "Refinement", seed 21000), in 40 digits, independently of
inrsamp's columns: closed-form rows in x1 (docs/theory.md 9) and mpmath's
tanh-sinh quadrature in x2 between the refined ends of the positive set.
d = 2, K0 = 1, K = 2, psi_mod (eta = lambda . v / |v|, v the real
measurement vector of sigma(g_w)).
Usage: python3 floor.py LAMBDA_FILE SHIFTS
LAMBDA_FILE: three lines written by the patched binary (dump-patch.diff):
lambda, the final search's argmax w, its sup value. SHIFTS: comma-separated
amounts subtracted from w0 (negative: raised)."""
import mpmath as mp, math, sys, ast
mp.mp.dps = 40
lines = open(sys.argv[1]).read().split('\n')
lam = ast.literal_eval(lines[0]); w = ast.literal_eval(lines[1].replace('Some(','').rstrip(')')); supv = float(lines[2])
K = 2
KF = [(0,1),(1,-1),(1,0),(1,1)]   # feature frequencies, K0 = 1
half = [(k1,k2) for k1 in range(-K,K+1) for k2 in range(-K,K+1) if (k1,k2)>(0,0) and (k1>0 or (k1==0 and k2>0))]
assert len(half) == 12
def row(w, x2):
    # g(x1, x2) = a0 + Re(c1 e^{2 pi i x1}) * 2 ... as a0 + A cos(2 pi x1) + B sin(2 pi x1)
    a0 = w[0] + w[1]*mp.cos(2*mp.pi*x2) + w[2]*mp.sin(2*mp.pi*x2)
    A = mp.mpf(0); B = mp.mpf(0)
    for i,(k1,k2) in enumerate(KF):
        if k1 == 0: continue
        wc, ws = w[1+2*i], w[2+2*i]
        # wc cos(2pi(x1 + k2 x2)) + ws sin(2pi(x1 + k2 x2))
        t = 2*mp.pi*k2*x2
        A += wc*mp.cos(t) + ws*mp.sin(t)
        B += -wc*mp.sin(t) + ws*mp.cos(t)
    return a0, A, B
def S(m, h):
    return 2*h if m == 0 else mp.sin(2*mp.pi*m*h)/(mp.pi*m)
def rowcoef(w, x2, k1):
    a0, A, B = row(w, x2)
    R = mp.sqrt(A*A + B*B)
    if a0 <= -R: return mp.mpc(0)
    c = mp.atan2(B, A)/(2*mp.pi)   # A cos + B sin = R cos(2pi(x1 - c))
    h = mp.mpf(1)/2 if a0 >= R else mp.acos(-a0/R)/(2*mp.pi)
    val = a0*S(k1,h) + R*(S(k1-1,h) + S(k1+1,h))/2
    return mp.e**(-2j*mp.pi*k1*c) * val
def xrange_pos(w):
    n = 20000
    m = []
    for j in range(n):
        x2 = j/n
        a0 = w[0] + w[1]*math.cos(2*math.pi*x2) + w[2]*math.sin(2*math.pi*x2)
        A=B=0.0
        for i,(k1,k2) in enumerate(KF):
            if k1==0: continue
            t=2*math.pi*k2*x2; A += w[1+2*i]*math.cos(t)+w[2+2*i]*math.sin(t); B += -w[1+2*i]*math.sin(t)+w[2+2*i]*math.cos(t)
        m.append(a0 + math.hypot(A,B))
    return m
def coefs(w):
    def mfun(x2):
        a0, A, B = row(w, x2); return a0 + mp.sqrt(A*A+B*B)
    m = xrange_pos(w); n = len(m)
    # intervals where m > 0 (periodic), endpoints refined by bisection
    segs = []
    for j in range(n):
        if m[j] > 0 and m[j-1] <= 0:
            a = j
            k = j
            while m[k % n] > 0: k += 1
            segs.append((a, k))
    if not segs and max(m) > 0:
        segs = [(0, n)]
    if not segs:
        # maybe a bump thinner than the scan: find max of m, refine
        j = max(range(n), key=lambda j: m[j]); segs = [(j, j+1)]
    out = {}
    def refine_end(lo, hi, pos_at_lo):
        lo, hi = mp.mpf(lo)/n, mp.mpf(hi)/n
        for _ in range(120):
            mid = (lo+hi)/2
            if (mfun(mid) > 0) == pos_at_lo: lo = mid
            else: hi = mid
        return (lo+hi)/2
    pieces = []
    for (a, k) in segs:
        if k - a >= n:
            pieces.append((mp.mpf(0), mp.mpf(1))); continue
        left = refine_end(a-1, a, False)
        right = refine_end(k-1, k, True)
        pieces.append((left, right))
    for (k1,k2) in [(0,0)] + half:
        tot = mp.mpc(0)
        for (l, r) in pieces:
            f = lambda x2: rowcoef(w, x2, k1) * mp.e**(-2j*mp.pi*k2*x2)
            tot += mp.quad(f, [l, (l+r)/2, r])
        out[(k1,k2)] = tot
    v = [out[(0,0)].real]
    for k in half:
        v += [mp.sqrt(2)*out[k].real, mp.sqrt(2)*out[k].imag]
    return v, pieces
def eta(w):
    v, pieces = coefs(w)
    nv = mp.sqrt(sum(x*x for x in v))
    return sum(mp.mpf(l)*x for l, x in zip(lam, v))/nv, nv, pieces
e0, n0, p0 = eta(w)
print('reported sup', supv, 'recomputed eta at argmax', mp.nstr(e0, 12), 'psi', mp.nstr(n0, 6), 'pieces', [(mp.nstr(a,6), mp.nstr(b,6)) for a,b in p0])
# height of the max: max over x2 of m(x2)
m = xrange_pos(w); print('max g (scan)', max(m))
for t in [float(x) for x in sys.argv[2].split(",")]:
    ww = list(w); ww[0] = w[0] - t
    e, nv, pcs = eta(ww)
    print('shift', t, 'eta', mp.nstr(e, 12), 'psi', mp.nstr(nv, 6), 'x2 pieces', len(pcs))
