//! Exact Fourier coefficients of rectified trigonometric polynomials in
//! d = 2 for any K0 (docs/theory.md 9, "Exact coefficients in d = 2"; issue
//! "Exact 2-D measurements", point 1). K0 = 1 has its closed-form rows in
//! [`super::exact2d`]; this module is the general route with the same
//! quadrature in `x2`.
//!
//! For fixed `x2`, `g(., x2) = sum_{|k1| <= K0} c_k1(x2) e^{2 pi i k1 x1}` is a
//! 1-D trigonometric polynomial of degree K0 in `x1`; its positive set comes
//! from the companion route of [`super::exact1d`], and `h e^{-2 pi i k1 x1}`
//! is integrated over it in closed form ([`super::exact1d::integrate`]). The
//! integrand in `x2` is analytic except where the number of real `x1`-roots
//! changes, i.e. where `g` and `dg/dx1` have a common real root. With `z =
//! e^{2 pi i x1}`, `p(z) = z^K0 g` and `q(z) = z^K0 dg/dx1 / (2 pi i)` (the
//! coefficients `k1 c_k1`) are polynomials of degree `2 K0` whose coefficients
//! are trigonometric polynomials of degree K0 in `x2`, so their resultant
//! `R(x2)` (the determinant of the `4 K0 x 4 K0` Sylvester matrix) is a
//! trigonometric polynomial of degree at most `4 K0^2`; it is real for real
//! `g` (observed, and used: its real part is taken). Its coefficients are
//! computed exactly by a DFT at `8 K0^2 + 1` or more points, its real zeros
//! by the companion route: every breakpoint is among them (extra zeros --
//! common complex roots -- only split a panel), each then polished by
//! Newton's method on `g = dg/dx1 = 0`. (A first version used `|R|^2`,
//! whose double zeros the root finder placed off the circle and missed.) The panels, the substitution `x2 =
//! a + (b - a) sin^2(pi t / 2)` and the embedded error estimate are those of
//! [`super::exact2d::nodes`], with [`MIN_CUTS_PER_K0`] more cuts, and each
//! panel is bisected until its two rules agree to [`PIECE_TOL`] ([`nodes`]).

use super::exact1d::{self, RootSettings};
use super::exact2d::Node;
use super::exact2d_panels::max_diff;
use nalgebra::DMatrix;
use num_complex::Complex64;
use std::f64::consts::TAU;

/// The side `2 K0 + 1` of a square cube of coefficients (None when the
/// length is not an odd square).
pub fn cube_side(len: usize) -> Option<usize> {
    let s = (len as f64).sqrt().round() as usize;
    (s * s == len && s % 2 == 1).then_some(s)
}

/// Coefficients `c_k1(x2)`, `k1 = -K0..K0`, of a trigonometric polynomial
/// given on its `(2K0+1)^2` cube (lexicographic, `k1` slowest), at `e1 =
/// e^{2 pi i x2}`.
pub fn row_at(cube: &[Complex64], e1: Complex64) -> Vec<Complex64> {
    let side = cube_side(cube.len()).unwrap_or(1);
    let k0 = (side / 2) as i32;
    let powers: Vec<Complex64> = (-k0..=k0).map(|j| e1.powi(j)).collect();
    (0..side)
        .map(|i1| (0..side).map(|i2| cube[i1 * side + i2] * powers[i2]).sum())
        .collect()
}

/// The resultant `R(x2)` of `p` and `q` for the row coefficients (see the
/// module docs; real for real `g`, which the breakpoints use).
pub fn resultant(row: &[Complex64]) -> Complex64 {
    let n = row.len() - 1; // 2 K0
    let k0 = (n / 2) as f64;
    let q: Vec<Complex64> = row
        .iter()
        .enumerate()
        .map(|(j, c)| c * (j as f64 - k0))
        .collect();
    // Sylvester matrix of p (degree n) and q (degree n): n rows of p's
    // coefficients (highest first) shifted, then n rows of q's.
    let size = 2 * n;
    let mut s = DMatrix::<Complex64>::zeros(size, size);
    for r in 0..n {
        for j in 0..=n {
            s[(r, r + j)] = row[n - j];
            s[(n + r, r + j)] = q[n - j];
        }
    }
    s.determinant()
}

/// Uniform cuts of `[0, 1)` in `x2` per unit of K0 before the adaptive
/// bisection (so that no panel spans more than half a period of the rows'
/// slowest oscillation in `x2`).
pub const MIN_CUTS_PER_K0: usize = 2;

pub use super::exact2d_panels::{MAX_BISECTIONS, PIECE_TOL};

/// The `x2` in `[0, 1)` where the number of real `x1`-roots may change
/// (zeros of `|R|^2`). `None` when the root finder failed.
pub fn breakpoints(cube: &[Complex64]) -> Option<Vec<f64>> {
    let side = cube_side(cube.len())?;
    let k0 = side / 2;
    let deg = 4 * k0 * k0;
    let n = (2 * deg + 2).next_power_of_two();
    let vals: Vec<f64> = (0..n)
        .map(|j| {
            resultant(&row_at(
                cube,
                Complex64::from_polar(1.0, TAU * j as f64 / n as f64),
            ))
            .re
        })
        .collect();
    let scale = vals.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if !scale.is_finite() || scale == 0.0 {
        return if scale == 0.0 { Some(Vec::new()) } else { None };
    }
    // The DFT with a table of the n-th roots of unity (one sincos each).
    let roots: Vec<Complex64> = (0..n)
        .map(|j| Complex64::from_polar(1.0, -TAU * j as f64 / n as f64))
        .collect();
    let mut hhat = vec![Complex64::new(0.0, 0.0); 2 * deg + 1];
    for (idx, k) in (-(deg as i64)..=deg as i64).enumerate() {
        let mut acc = Complex64::new(0.0, 0.0);
        for (j, v) in vals.iter().enumerate() {
            let r = (k * j as i64).rem_euclid(n as i64) as usize;
            acc += (v / scale) * roots[r];
        }
        hhat[idx] = acc / n as f64;
    }
    let mut z = exact1d::zeros(&hhat, &RootSettings::default())?;
    z.iter_mut().for_each(|x| *x = x.rem_euclid(1.0));
    z.sort_by(|a, b| a.total_cmp(b));
    // Each zero is polished by Newton's method on (g, dg/dx1) = 0 (the
    // Jacobian's integrand behaves like (x2 - b)^(1/2), so a breakpoint off
    // by 1e-8 would cost 1e-4).
    for b in z.iter_mut() {
        if let Some(p) = polish_breakpoint(cube, side, *b) {
            *b = p;
        }
    }
    z.sort_by(|a, b| a.total_cmp(b));
    z.dedup_by(|a, b| (*a - *b).abs() < 1e-14);
    Some(z)
}

/// `(g, g_1, g_2, g_11, g_12)` at `x` (derivatives in `x1`, `x2`).
fn derivatives(cube: &[Complex64], side: usize, x: [f64; 2]) -> [f64; 5] {
    let k0 = (side / 2) as i64;
    // e^{2 pi i k x_a}, k = -K0..K0, by powers of one sincos per axis.
    let powers = |xa: f64| -> Vec<Complex64> {
        let e = Complex64::from_polar(1.0, TAU * xa);
        let mut v = e.conj().powi(k0 as i32);
        (0..side)
            .map(|_| {
                let out = v;
                v *= e;
                out
            })
            .collect()
    };
    let (p1, p2) = (powers(x[0]), powers(x[1]));
    let mut out = [0.0; 5];
    for i1 in 0..side {
        for i2 in 0..side {
            let (k1, k2) = (i1 as i64 - k0, i2 as i64 - k0);
            let c = cube[i1 * side + i2];
            if c == Complex64::new(0.0, 0.0) {
                continue;
            }
            let e = c * p1[i1] * p2[i2];
            let (a1, a2) = (TAU * k1 as f64, TAU * k2 as f64);
            let i = Complex64::new(0.0, 1.0);
            out[0] += e.re;
            out[1] += (e * i * a1).re;
            out[2] += (e * i * a2).re;
            out[3] += (e * (-a1 * a1)).re;
            out[4] += (e * (-a1 * a2)).re;
        }
    }
    out
}

/// Newton's method on `g = dg/dx1 = 0` from the critical point of the row
/// at `b` where `|g|` is smallest; `None` when it does not converge to a
/// point within 1e-5 of `b` (a complex common root: the cut is kept).
pub fn polish_breakpoint(cube: &[Complex64], side: usize, b: f64) -> Option<f64> {
    let row = row_at(cube, Complex64::from_polar(1.0, TAU * b));
    // Critical points: zeros of dg/dx1 (coefficients k1 c_k1, up to 2 pi i).
    let k0 = (side / 2) as f64;
    let d: Vec<Complex64> = row
        .iter()
        .enumerate()
        .map(|(j, c)| c * Complex64::new(0.0, j as f64 - k0))
        .collect();
    let crit = exact1d::zeros(&d, &RootSettings::default())?;
    let mut x1 = *crit.iter().min_by(|a, c| {
        exact1d::eval(&row, **a)
            .abs()
            .total_cmp(&exact1d::eval(&row, **c).abs())
    })?;
    let mut x2 = b;
    for _ in 0..30 {
        let [g, g1, g2, g11, g12] = derivatives(cube, side, [x1, x2]);
        // J = [[g1, g2], [g11, g12]] for F = (g, g1).
        let det = g1 * g12 - g2 * g11;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let dx1 = (g * g12 - g2 * g1) / det;
        let dx2 = (g1 * g1 - g * g11) / det;
        x1 -= dx1;
        x2 -= dx2;
        if dx1.abs().max(dx2.abs()) < 1e-15 {
            break;
        }
    }
    let [g, g1, ..] = derivatives(cube, side, [x1, x2]);
    let scale: f64 = cube.iter().map(|c| c.norm()).sum();
    let ok = g.abs() < 1e-12 * scale && g1.abs() < 1e-10 * scale;
    let x2 = x2.rem_euclid(1.0);
    let near = (x2 - b).abs().min(1.0 - (x2 - b).abs()) < 1e-5;
    (ok && near).then_some(x2)
}

/// The quadrature nodes in `x2` for `g` (any K0), with the positive
/// intervals of each row, for coefficients up to `kmax`: the panels between
/// breakpoints (and [`MIN_CUTS_PER_K0`] uniform cuts) under the substitution
/// `x2 = a + (b - a) sin^2(pi t / 2)`, bisected in `t` until the 21-node
/// Gauss-Kronrod rule and its embedded 10-node Gauss-Legendre rule agree to
/// [`PIECE_TOL`]. `with_low` keeps the 10-node rule as the embedded error
/// estimate.
pub fn nodes(cube: &[Complex64], kmax: usize, with_low: bool) -> Option<Vec<Node>> {
    let side = cube_side(cube.len())?;
    let mut bps = breakpoints(cube)?;
    let cuts = MIN_CUTS_PER_K0 * (side / 2).max(1);
    bps.extend((0..cuts).map(|i| i as f64 / cuts as f64));
    bps.sort_by(|a, b| a.total_cmp(b));
    bps.dedup_by(|a, b| (*a - *b).abs() < 1e-14);
    let settings = RootSettings::default();
    let scale: f64 = cube
        .iter()
        .map(|c| c.norm())
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    let mut ones = vec![Complex64::new(0.0, 0.0); cube.len()];
    ones[cube.len() / 2] = Complex64::new(1.0, 0.0);
    // All complex roots of the last row: the Aberth iteration's warm start
    // for the next (its backward check, or the companion matrix, decides).
    let warm = std::cell::RefCell::new(Vec::new());
    super::exact2d_panels::bisected_nodes(&bps, &|_| 1, 1, with_low, &|piece| {
        let mut warm = warm.borrow_mut();
        for node in piece.iter_mut() {
            node.intervals =
                exact1d::positive_intervals_warm(&row_at(cube, node.e1), &settings, &mut warm)?;
        }
        let (rh, rl) = integrate_relu(piece, cube, kmax);
        let (ih, il) = integrate(piece, &ones, kmax);
        Some((max_diff(&rh, &rl) / scale).max(max_diff(&ih, &il)))
    })
}

/// Intervals shorter than this are integrated by Gauss-Legendre
/// ([`SHORT_NODES`] nodes) rather than in closed form: `g` vanishes at both
/// ends, so the integral is `O(length^3)` and the closed form (differences
/// of exponentials) loses about `eps / length^2` relative.
pub const SHORT_INTERVAL: f64 = 0.05;
/// Gauss-Legendre nodes on a short interval (the integrand is a
/// trigonometric polynomial of degree `K0 + K`: exact to rounding for
/// `K0 + K` up to about 30 on intervals this short).
pub const SHORT_NODES: usize = 24;

/// `\int_{T^2} sigma(g) e^{-2 pi i k.x} dx` (any K0) on the layout of
/// [`super::exact2d::integrate`]: each row is `g` itself integrated over
/// its positive intervals (closed form, or Gauss-Legendre on short ones).
pub fn integrate_relu(
    nodes: &[Node],
    gcube: &[Complex64],
    kmax: usize,
) -> (Vec<Complex64>, Vec<Complex64>) {
    thread_local! {
        static SHORT_RULE: Vec<(f64, f64)> = super::exact2d_panels::gauss_legendre(SHORT_NODES);
    }
    SHORT_RULE.with(|pairs| integrate_relu_with(nodes, gcube, kmax, pairs))
}

fn integrate_relu_with(
    nodes: &[Node],
    gcube: &[Complex64],
    kmax: usize,
    pairs: &[(f64, f64)],
) -> (Vec<Complex64>, Vec<Complex64>) {
    super::exact2d::accumulate(nodes, kmax, |node, f| {
        if node.intervals.is_empty() {
            return false;
        }
        let row = row_at(gcube, node.e1);
        type Intervals = Vec<(f64, f64)>;
        let (long, short): (Intervals, Intervals) = node
            .intervals
            .iter()
            .partition(|(a, b)| b - a >= SHORT_INTERVAL);
        exact1d::integrate(&row, &long, kmax, f);
        for (a, b) in short {
            let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
            for &(u, wu) in pairs.iter() {
                let x = mid + half * u;
                let gx = exact1d::eval(&row, x).max(0.0) * wu * half;
                let step = Complex64::from_polar(1.0, -TAU * x);
                let mut e = Complex64::new(1.0, 0.0);
                for fk in f.iter_mut().take(kmax + 1) {
                    *fk += e * gx;
                    e *= step;
                }
            }
        }
        true
    })
}

/// `\int_{T^2} 1[g > 0] h e^{-2 pi i k.x} dx` (any K0, `h` on its cube).
pub fn integrate(
    nodes: &[Node],
    hcube: &[Complex64],
    kmax: usize,
) -> (Vec<Complex64>, Vec<Complex64>) {
    super::exact2d::accumulate(nodes, kmax, |node, f| {
        if node.intervals.is_empty() {
            return false;
        }
        exact1d::integrate(&row_at(hcube, node.e1), &node.intervals, kmax, f);
        true
    })
}

/// `max_x g` estimated on the nodes' rows and a 64-point grid of `x2` (for
/// the vanishing floor): the largest value at 17 points per positive
/// interval (rows whose root finder fails are skipped).
pub fn peak(cube: &[Complex64], nodes: &[Node]) -> f64 {
    let settings = RootSettings::default();
    let grid = (0..64).map(|j| Complex64::from_polar(1.0, TAU * j as f64 / 64.0));
    let mut warm = Vec::new();
    nodes
        .iter()
        .map(|n| (n.e1, Some(n.intervals.clone())))
        .chain(grid.map(|e| (e, None)))
        .map(|(e1, iv)| {
            let row = row_at(cube, e1);
            let iv = iv.or_else(|| exact1d::positive_intervals_warm(&row, &settings, &mut warm));
            match iv {
                Some(iv) => iv
                    .iter()
                    .flat_map(|&(a, b)| (0..=16).map(move |i| a + (b - a) * i as f64 / 16.0))
                    .map(|x| exact1d::eval(&row, x))
                    .fold(f64::NEG_INFINITY, f64::max),
                None => f64::NAN,
            }
        })
        .fold(f64::NEG_INFINITY, f64::max)
}
