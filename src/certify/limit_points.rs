//! psi_mod: the values of `eta` at the boundary of the vanishing set that are
//! carried by several points (docs/theory.md 9, "Thin-bump limit"; issue
//! "Sound verdicts", point 2).
//!
//! With `psi_mod`, `eta(w) = <lambda, A_K sigma(g_w)> / |A_K' sigma(g_w)|` is
//! 0-homogeneous in `sigma(g_w)`. As `w` tends to a direction `w*` whose
//! `g* = g_{w*}` is `<= 0` and touches 0 on a set `Z`, the normalized
//! positive part `sigma(g_w) / integral sigma(g_w)` tends (along
//! subsequences) to a probability measure `mu` on `Z`, and because `A`
//! is weakly continuous on measures and `|A mu| >= mu(T) > 0` (the `k = 0`
//! entry), `eta(w) -> <lambda, A_K mu> / |A_K' mu|`.
//!
//! **d = 1.** A nonzero real trigonometric polynomial of degree `K0` that is
//! `<= 0` has at most `K0` zeros (each is a double root; there are at most
//! `2 K0` roots), so `mu = sum_i c_i delta_{x_i}` with at most `K0` points.
//! Every such set and every weight vector `c >= 0` is reached:
//! `Q(x) = prod_i sin^2(pi (x - x_i))` has degree `m <= K0`, and with
//! `g_t = -Q + t r`, `r(x_i) = r_i > 0` (an interpolating polynomial of
//! degree `<= K0`), the bump at `x_i` has mass `(4/3) (t r_i)^{3/2} /
//! sqrt(Q''(x_i) / 2) (1 + O(sqrt t))`, so the ratios of the masses take any
//! positive values as `r` varies (zero weights: `r_i < 0`). Writing `p_i =
//! <lambda, A_K delta_{x_i}> = p_lambda(x_i)` and `G_ij = <A_K' delta_{x_i},
//! A_K' delta_{x_j}> = D_K'(x_i - x_j)` (the Dirichlet kernel), the limit
//! values for the set are `(c . p) / sqrt(c' G c)`, `c >= 0`; their sup is the
//! norm (in `G`'s metric) of the projection of `p` onto the cone, `max_S
//! sqrt(p_S' G_S^{-1} p_S)` over the subsets `S` whose solution `G_S^{-1} p_S`
//! is `>= 0` (the projection lies on one face, and each such face gives a
//! reachable value). With `-lambda` for `-eta`. One point gives the
//! thin-bump limit `|p(x)| / sqrt(M')` of [`super::thin_bump`].
//!
//! The sup over sets is a search (an estimate): all pairs on an `n`-point
//! grid, the best pairs refined by a pattern search to `1e-11`, and for
//! `K0 >= 3` greedy growth (best added grid point, then refinement). The
//! d = 2 sets (lines, pairs) are in [`super::limit_lines`].

use crate::fourier::RealMap;
use num_complex::Complex64;
use serde::Serialize;
use std::f64::consts::TAU;

/// `A_K delta_x` as a real vector (docs/theory.md 1: `delta_x^[k] =
/// e^{-2 pi i k.x}`), as the product over axes of `e^{-2 pi i k_j x_j}`:
/// `(K + 1) d` sines and cosines instead of one pair per frequency (the
/// product adds a rounding or two per axis).
pub fn dirac_column(map: &RealMap, x: &[f64]) -> Vec<f64> {
    let kmax = map.cutoff();
    let axes: Vec<Vec<Complex64>> = x
        .iter()
        .map(|&xj| {
            (0..=kmax)
                .map(|m| {
                    let (s, c) = (TAU * m as f64 * xj).sin_cos();
                    Complex64::new(c, -s)
                })
                .collect()
        })
        .collect();
    let mut half = Vec::with_capacity(1 + map.half_set().len());
    half.push(Complex64::new(1.0, 0.0));
    for k in map.half_set().iter() {
        let mut z = Complex64::new(1.0, 0.0);
        for (axis, &kj) in axes.iter().zip(k) {
            let e = axis[kj.unsigned_abs() as usize];
            z *= if kj < 0 { e.conj() } else { e };
        }
        half.push(z);
    }
    let mut real = vec![0.0; map.len()];
    map.to_real(&half, &mut real);
    real
}

/// A limit measure `sum_i c_i delta_{x_i}` and its value of `eta`.
#[derive(Debug, Clone, Serialize)]
pub struct PointLimit {
    /// The points (each of length d).
    pub points: Vec<Vec<f64>>,
    /// Their weights (sum 1; zero for points the projection does not use).
    pub weights: Vec<f64>,
    /// `eta` in the limit (signed: negative when it is `-lambda`'s).
    pub eta: f64,
}

/// The measurements of `lambda`'s polynomial (cutoff K) and of the norm
/// (cutoff K') at points.
#[derive(Debug, Clone)]
pub struct PointCone {
    map_k: RealMap,
    map_kp: RealMap,
    lambda: Vec<f64>,
}

/// A pattern-search step is taken only when it raises the value by more
/// than this, relative (values equal up to rounding, for instance along
/// the scale of a density, would otherwise be walked forever).
pub const IMPROVE_REL: f64 = 1e-13;

/// Smallest pivot (relative to the diagonal) accepted in the small Cholesky
/// factorizations: nearer points are the same point for this purpose
/// (their one-point subsets cover them).
pub const GRAM_PIVOT_REL: f64 = 1e-10;

impl PointCone {
    /// `lambda` measured with cutoff `K` (the polynomial), norms with `K'`.
    pub fn new(d: usize, k: usize, k_prime: usize, lambda: &[f64]) -> Self {
        PointCone {
            map_k: RealMap::new(d, k),
            map_kp: RealMap::new(d, k_prime),
            lambda: lambda.to_vec(),
        }
    }

    /// `(p(x), A_K' delta_x)` at one point.
    pub fn atom(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let a = dirac_column(&self.map_k, x);
        let p = a.iter().zip(&self.lambda).map(|(u, v)| u * v).sum();
        let b = if self.map_kp.cutoff() == self.map_k.cutoff() {
            a
        } else {
            dirac_column(&self.map_kp, x)
        };
        (p, b)
    }

    /// The largest `|eta|` of measures on the points (both signs), with the
    /// weights.
    pub fn best(&self, points: &[Vec<f64>]) -> PointLimit {
        let atoms: Vec<(f64, Vec<f64>)> = points.iter().map(|x| self.atom(x)).collect();
        let p: Vec<f64> = atoms.iter().map(|a| a.0).collect();
        let m = points.len();
        let mut gram = vec![0.0; m * m];
        for i in 0..m {
            for j in 0..=i {
                let v: f64 = atoms[i].1.iter().zip(&atoms[j].1).map(|(a, b)| a * b).sum();
                gram[i * m + j] = v;
                gram[j * m + i] = v;
            }
        }
        let (vp, cp) = cone_value(&p, &gram, m);
        let q: Vec<f64> = p.iter().map(|v| -v).collect();
        let (vn, cn) = cone_value(&q, &gram, m);
        let (eta, c) = if vp >= vn { (vp, cp) } else { (-vn, cn) };
        let s: f64 = c.iter().sum();
        PointLimit {
            points: points.to_vec(),
            weights: c.iter().map(|v| v / s.max(f64::MIN_POSITIVE)).collect(),
            eta,
        }
    }
}

/// `max_{c >= 0} (c.p) / sqrt(c' G c)` over the subsets of at most `m`
/// points (m <= 6): `(value, c)`; the value is the best one-point ratio when
/// no subset has a nonnegative solution with positive value.
fn cone_value(p: &[f64], gram: &[f64], m: usize) -> (f64, Vec<f64>) {
    let mut best = (f64::NEG_INFINITY, vec![0.0; m]);
    for i in 0..m {
        let v = p[i] / gram[i * m + i].sqrt();
        if v > best.0 {
            let mut c = vec![0.0; m];
            c[i] = 1.0;
            best = (v, c);
        }
    }
    for mask in 1usize..(1 << m) {
        let idx: Vec<usize> = (0..m).filter(|&i| mask >> i & 1 == 1).collect();
        if idx.len() < 2 {
            continue;
        }
        let s = idx.len();
        let g: Vec<f64> = idx
            .iter()
            .flat_map(|&i| idx.iter().map(move |&j| gram[i * m + j]))
            .collect();
        let ps: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
        let Some(c) = cholesky_solve(&g, &ps, s) else {
            continue;
        };
        if c.iter().any(|&v| v < 0.0) {
            continue;
        }
        let val: f64 = ps.iter().zip(&c).map(|(a, b)| a * b).sum();
        if val > 0.0 && val.sqrt() > best.0 {
            let mut full = vec![0.0; m];
            for (k, &i) in idx.iter().enumerate() {
                full[i] = c[k];
            }
            best = (val.sqrt(), full);
        }
    }
    best
}

/// Solves `G c = b` for a small symmetric positive definite `G` (None when a
/// pivot falls below [`GRAM_PIVOT_REL`] of its diagonal entry).
fn cholesky_solve(g: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = g[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= GRAM_PIVOT_REL * g[i * n + i] {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
        y[i] = (b[i] - s) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i * n + i];
    }
    Some(x)
}

/// Settings of the search over point sets (d = 1).
#[derive(Debug, Clone, Copy)]
pub struct PointSearch {
    /// Grid points per period for the exhaustive pair scan (`>= 8 K'` is
    /// used whatever this says).
    pub grid: usize,
    /// Pairs refined by the pattern search.
    pub refine: usize,
    /// Smallest step of the pattern search.
    pub min_step: f64,
}

impl Default for PointSearch {
    fn default() -> Self {
        PointSearch {
            grid: 256,
            refine: 12,
            min_step: 1e-11,
        }
    }
}

/// The largest `|eta|` of limit measures on at most `max_points` points of
/// the circle (d = 1; `max_points = K0`). Search, not proof.
pub fn sup_point_limits(cone: &PointCone, max_points: usize, s: &PointSearch) -> PointLimit {
    use rayon::prelude::*;
    let kp = cone.map_kp.cutoff().max(cone.map_k.cutoff());
    let n = s.grid.max(8 * kp).max(16);
    let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let atoms: Vec<(f64, Vec<f64>)> = xs.iter().map(|&x| cone.atom(&[x])).collect();
    // Single points.
    let best = atoms
        .iter()
        .enumerate()
        .map(|(i, a)| (a.0.abs() / dot(&a.1, &a.1).sqrt(), i))
        .fold((f64::NEG_INFINITY, 0), |a, b| if b.0 > a.0 { b } else { a });
    let mut result = refine(cone, vec![vec![xs[best.1]]], s);
    if max_points < 2 {
        return result;
    }
    // Every pair of the grid (closed-form 2 x 2 cone values).
    let mut pairs: Vec<(f64, usize, usize)> = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            let atoms = &atoms;
            (i + 1..n).map(move |j| {
                let (pi, ai) = &atoms[i];
                let (pj, aj) = &atoms[j];
                let g = [dot(ai, ai), dot(ai, aj), dot(aj, ai), dot(aj, aj)];
                let vp = cone_value(&[*pi, *pj], &g, 2).0;
                let vn = cone_value(&[-pi, -pj], &g, 2).0;
                (vp.max(vn), i, j)
            })
        })
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let starts: Vec<Vec<Vec<f64>>> = pairs
        .iter()
        .take(s.refine)
        .map(|&(_, i, j)| vec![vec![xs[i]], vec![xs[j]]])
        .collect();
    let refined: Vec<PointLimit> = starts.into_par_iter().map(|p| refine(cone, p, s)).collect();
    for r in refined {
        if r.eta.abs() > result.eta.abs() {
            result = r;
        }
    }
    // Greedy growth beyond pairs (K0 >= 3).
    for _ in 2..max_points {
        let base = result.points.clone();
        let grown = xs
            .par_iter()
            .map(|&x| {
                let mut pts = base.clone();
                pts.push(vec![x]);
                cone.best(&pts)
            })
            .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()));
        let Some(g) = grown else { break };
        let g = refine(cone, g.points, s);
        if g.eta.abs() > result.eta.abs() {
            result = g;
        }
    }
    result
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Pattern search on the point coordinates (steps halved from `1 / 64`
/// down to `min_step`).
fn refine(cone: &PointCone, mut pts: Vec<Vec<f64>>, s: &PointSearch) -> PointLimit {
    let mut cur = cone.best(&pts);
    let mut h = 1.0 / 64.0;
    while h >= s.min_step {
        let mut improved = false;
        for i in 0..pts.len() {
            for a in 0..pts[i].len() {
                for sign in [1.0, -1.0] {
                    let mut t = pts.clone();
                    t[i][a] = (t[i][a] + sign * h).rem_euclid(1.0);
                    let v = cone.best(&t);
                    if v.eta.abs() > cur.eta.abs() * (1.0 + IMPROVE_REL) {
                        cur = v;
                        pts = t;
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            h *= 0.5;
        }
    }
    cur
}

/// d = 1: a unit direction whose positive part is bumps of relative height
/// about `t` at the points, with masses in the ratios of `weights` (the
/// construction of the module docs: `-Q + t r`). For refinement columns and
/// the tests. `k0` is the features' degree (`points.len() <= k0`).
pub fn limit_unit_direction(k0: usize, points: &[f64], weights: &[f64], t: f64) -> Vec<f64> {
    let dim = 1 + 2 * k0;
    let gamma = |x: f64| {
        let mut g = vec![1.0; dim];
        for k in 1..=k0 {
            let a = TAU * k as f64 * x;
            g[2 * k - 1] = a.cos();
            g[2 * k] = a.sin();
        }
        g
    };
    // Q = prod sin^2(pi (x - x_i)) in the features, by least squares on
    // 4 K0 + 4 samples (exact: Q has degree m <= K0).
    let q = |x: f64| {
        points
            .iter()
            .map(|&c| (std::f64::consts::PI * (x - c)).sin().powi(2))
            .product::<f64>()
    };
    let ns = 4 * k0 + 4;
    let a = nalgebra::DMatrix::from_fn(ns, dim, |i, j| gamma(i as f64 / ns as f64)[j]);
    let b = nalgebra::DVector::from_fn(ns, |i, _| q(i as f64 / ns as f64));
    let qc = a
        .clone()
        .svd(true, true)
        .solve(&b, 1e-14)
        .unwrap_or(b.clone());
    // r(x_i) = r_i with masses ~ r_i^{3/2} / sqrt(Q''(x_i)):
    // r_i = (c_i sqrt(Q''(x_i)))^{2/3}; Q''(x_i) = 2 pi^2 prod_{j != i} sin^2.
    let r: Vec<f64> = points
        .iter()
        .enumerate()
        .map(|(i, &xi)| {
            let others: f64 = points
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &xj)| (std::f64::consts::PI * (xi - xj)).sin().powi(2))
                .product();
            let q2 = 2.0 * std::f64::consts::PI.powi(2) * others;
            if weights[i] > 0.0 {
                (weights[i] * q2.sqrt()).powf(2.0 / 3.0)
            } else {
                -1.0
            }
        })
        .collect();
    let rmax = r.iter().cloned().fold(f64::MIN_POSITIVE, f64::max);
    // Least-norm interpolant u: gamma(x_i) . u = r_i / rmax.
    let m = points.len();
    let gm = nalgebra::DMatrix::from_fn(m, dim, |i, j| gamma(points[i])[j]);
    let rv = nalgebra::DVector::from_fn(m, |i, _| r[i] / rmax);
    let u = gm
        .clone()
        .svd(true, true)
        .solve(&rv, 1e-14)
        .unwrap_or(nalgebra::DVector::zeros(dim));
    let qmax = (0..ns)
        .map(|i| q(i as f64 / ns as f64))
        .fold(0.0f64, f64::max);
    let mut w: Vec<f64> = (0..dim).map(|j| -qc[j] / qmax + t * u[j]).collect();
    let n = dot(&w, &w).sqrt();
    w.iter_mut().for_each(|v| *v /= n);
    w
}

/// Antipodal pairs `{x, x + (1/2, 1/2)}`: an `n x n` scan of `x` (a quarter
/// of the torus suffices up to symmetry, the whole is cheap), then a
/// pattern search.
pub(super) fn sup_antipodal_pairs(cone: &PointCone, n: usize, refine: usize) -> PointLimit {
    use rayon::prelude::*;
    let pair = |x: [f64; 2]| {
        cone.best(&[
            vec![x[0], x[1]],
            vec![(x[0] + 0.5).rem_euclid(1.0), (x[1] + 0.5).rem_euclid(1.0)],
        ])
    };
    let mut cands: Vec<(f64, [f64; 2])> = (0..n * n)
        .into_par_iter()
        .map(|i| {
            let x = [(i / n) as f64 / n as f64, (i % n) as f64 / n as f64];
            (pair(x).eta.abs(), x)
        })
        .collect();
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    cands
        .into_iter()
        .take(refine)
        .map(|(_, mut x)| {
            let mut cur = pair(x);
            let mut h = 1.0 / n as f64;
            while h > 1e-10 {
                let mut improved = false;
                for a in 0..2 {
                    for sign in [1.0, -1.0] {
                        let mut t = x;
                        t[a] = (t[a] + sign * h).rem_euclid(1.0);
                        let v = pair(t);
                        if v.eta.abs() > cur.eta.abs() * (1.0 + IMPROVE_REL) {
                            cur = v;
                            x = t;
                            improved = true;
                        }
                    }
                }
                if !improved {
                    h *= 0.5;
                }
            }
            cur
        })
        .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()))
        .unwrap_or_else(|| pair([0.0, 0.0]))
}
