//! psi_mod, d = 2, K0 = 1: values of `eta` at the boundary of the vanishing
//! set carried by lines and by antipodal pairs (docs/theory.md 9,
//! "Thin-bump limit"; issue "Sound verdicts", point 2). The d = 1 case and
//! the argument that boundary limits are `<lambda, A_K mu> / |A_K' mu|` for
//! measures `mu` on the zero set of a nonpositive `g*` are in
//! [`super::limit_points`].
//!
//! With the features `k in {(1,0), (0,1), (1,1), (1,-1)}`, `g*` restricted
//! to a row is a 1-D polynomial of degree 1, so it vanishes at one point of
//! the row or on all of it (same for columns): zero sets contain no two
//! points of a row unless they contain the row. The sets searched here:
//!
//! - **Axis lines** `x1 = c` (and `x2 = c`): writing `g* = A(x2) + B(x2)
//!   cos 2 pi (x1 - c) + C(x2) sin 2 pi (x1 - c)` (A, B, C of degree 1), a
//!   maximum 0 at `x1 = c` on every row forces `C = 0`, `A = -B`, `B >= 0`:
//!   `g* = (cos 2 pi (x1 - c) - 1) q(x2)`, `q >= 0` of degree 1. With `g =
//!   g* + t r` and `n = x1 - c`, `g = -2 pi^2 q(s) n^2 + t r(c, s) + O(t n +
//!   n^4)`, so the mass per unit length is `(4/3) (t r0(s))_+^{3/2} /
//!   sqrt(2 pi^2 q(s)) (1 + O(t))` with `r0(s) = r(c, s)`, which ranges over
//!   all polynomials of degree 1 in `s`. Limit densities: `rho(s) ~
//!   (r0(s))_+^{3/2} / sqrt(q(s))`, `q = 1 + b cos 2 pi s + c sin 2 pi s`,
//!   `b^2 + c^2 < 1` (searched up to 0.99; where `q` vanishes the zero set
//!   also holds the row `x2 = s0`: a cross, not searched).
//! - **Diagonal lines** `x1 + x2 = c`, `x1 - x2 = c`: the same argument in
//!   the coordinates `(x1 + x2, x2)` leaves only `g* = b (cos 2 pi (x1 + x2
//!   - c) - 1)`, `b > 0` (the coefficient of `e^{2 pi i u}` must be real for
//!   every `s`, which only its constant term can be), so `q` is constant and
//!   `r0(s) = r(c - s, s)` ranges over all polynomials of degree 2 in `s`:
//!   `rho(s) ~ (r0(s))_+^{3/2}`.
//! - **Antipodal pairs** `{x, x + (1/2, 1/2)}`, the zeros of `b1 (cos 2 pi
//!   (x1 + x2 - c1) - 1) + b2 (cos 2 pi (x1 - x2 - c2) - 1)`, with any
//!   weights (the cone value of [`super::limit_points`]).
//!
//! Not searched (the output's note says so): crossing lines, and isolated
//! pairs other than antipodal ones if any exist. The sup over the families
//! is itself a search: offsets on a grid, density parameters by a pattern
//! search from several starts, line integrals by the trapezoid rule on
//! [`LINE_NODES`] nodes (error `O(n^-2.5)` from the `3/2` power at the ends
//! of the support: about 1e-8 relative).

use super::limit_points::{IMPROVE_REL, PointCone, PointLimit, sup_antipodal_pairs};
pub use super::limit_units::line_unit_direction;
use super::quasi_newton::maximize;
use serde::Serialize;
use std::f64::consts::TAU;

/// Gauss-Legendre nodes per positive interval while refining (the final
/// value uses twice as many).
pub const GL_NODES: usize = 64;
/// Trapezoid nodes per line in the first stage (the best candidates are
/// refined with Gauss-Legendre, [`GL_NODES`]).
pub const SEARCH_NODES: usize = 128;
/// Evaluation budget of each pattern search over a density.
pub const PATTERN_EVALS: usize = 3000;
/// Offsets `c` tried per line direction.
pub const LINE_OFFSETS: usize = 24;

/// Sizes of the boundary search (the defaults are the constants above;
/// the validation compares them with a finer twin).
#[derive(Debug, Clone, Copy)]
pub struct BoundarySearch {
    /// Offsets per line direction.
    pub offsets: usize,
    /// Nodes per line in the first stage.
    pub nodes: usize,
    /// First-stage lines refined by BFGS.
    pub refine: usize,
    /// Grid of the antipodal-pair scan (per axis).
    pub pair_grid: usize,
    /// Pairs refined.
    pub pair_refine: usize,
}

impl Default for BoundarySearch {
    fn default() -> Self {
        BoundarySearch {
            offsets: LINE_OFFSETS,
            nodes: SEARCH_NODES,
            refine: 6,
            pair_grid: 64,
            pair_refine: 8,
        }
    }
}

/// The four line directions (parametrized by `s in [0, 1)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// `x = (c, s)`.
    Column,
    /// `x = (s, c)`.
    Row,
    /// `x = (c - s, s)`.
    Diagonal,
    /// `x = (c + s, s)`.
    AntiDiagonal,
}

impl LineKind {
    fn point(self, c: f64, s: f64) -> [f64; 2] {
        match self {
            LineKind::Column => [c, s],
            LineKind::Row => [s, c],
            LineKind::Diagonal => [c - s, s],
            LineKind::AntiDiagonal => [c + s, s],
        }
    }
    /// Degree of `r0` along the line.
    fn degree(self) -> usize {
        match self {
            LineKind::Column | LineKind::Row => 1,
            _ => 2,
        }
    }
    fn axis(self) -> bool {
        self.degree() == 1
    }
}

/// A limit measure on a line: `rho(s) = (r0(s))_+^{3/2} / sqrt(q(s))`.
#[derive(Debug, Clone, Serialize)]
pub struct LineLimit {
    /// Direction.
    pub kind: LineKind,
    /// Offset `c`.
    pub offset: f64,
    /// `r0 = a0 + sum_j (a_j cos 2 pi j s + b_j sin 2 pi j s)`: `[a0, a1, b1,
    /// ...]`.
    pub r0: Vec<f64>,
    /// `q = 1 + qc cos 2 pi s + qs sin 2 pi s` (axis lines; zero otherwise).
    pub q: [f64; 2],
    /// `eta` in the limit (signed).
    pub eta: f64,
}

/// The best boundary limit of the d = 2 families.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryLimits {
    /// The best line measure.
    pub line: Option<LineLimit>,
    /// The best antipodal pair.
    pub pair: Option<PointLimit>,
    /// The largest `|eta|` of both.
    pub value: f64,
}

/// The columns `A_K delta_x` (and `A_K' delta_x`) along one line.
struct LineColumns {
    /// `p(x(s_j))`.
    p: Vec<f64>,
    /// `A_K' delta_{x(s_j)}`, row-major `n x M'`.
    cols: Vec<f64>,
    m: usize,
    s: Vec<f64>,
    /// `[cos 2 pi s, sin 2 pi s, cos 4 pi s, sin 4 pi s]` per node.
    trig: Vec<[f64; 4]>,
}

impl LineColumns {
    fn new(cone: &PointCone, kind: LineKind, c: f64, n: usize) -> Self {
        let s: Vec<f64> = (0..n).map(|j| j as f64 / n as f64).collect();
        let mut p = Vec::with_capacity(n);
        let mut cols = Vec::new();
        let mut m = 0;
        for &sj in &s {
            let (pj, a) = cone.atom(&kind.point(c, sj));
            m = a.len();
            p.push(pj);
            cols.extend(a);
        }
        let trig = s
            .iter()
            .map(|&v| {
                let (s1, c1) = (TAU * v).sin_cos();
                let (s2, c2) = (2.0 * TAU * v).sin_cos();
                [c1, s1, c2, s2]
            })
            .collect();
        LineColumns {
            p,
            cols,
            m,
            s,
            trig,
        }
    }

    /// Signed `eta` of the density (None when it is zero everywhere).
    fn eta(&self, rho: &[f64]) -> Option<f64> {
        let mut v = vec![0.0; self.m];
        let mut num = 0.0;
        for (j, &r) in rho.iter().enumerate() {
            if r > 0.0 {
                num += r * self.p[j];
                for (vi, a) in v.iter_mut().zip(&self.cols[j * self.m..(j + 1) * self.m]) {
                    *vi += r * a;
                }
            }
        }
        let den = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        (den > 0.0).then(|| num / den)
    }
}

fn density(kind: LineKind, r0: &[f64], q: [f64; 2], trig: &[[f64; 4]]) -> Vec<f64> {
    let two = kind.degree() == 2;
    trig.iter()
        .map(|t| {
            let mut r = r0[0] + r0[1] * t[0] + r0[2] * t[1];
            if two {
                r += r0[3] * t[2] + r0[4] * t[3];
            }
            if r <= 0.0 {
                return 0.0;
            }
            let qv = if two {
                1.0
            } else {
                1.0 + q[0] * t[0] + q[1] * t[1]
            };
            r * r.sqrt() / qv.max(1e-12).sqrt()
        })
        .collect()
}

/// `|q|`'s coefficients are kept inside the disc of this radius.
const Q_RADIUS: f64 = 0.99;

/// Pattern search over `(r0, q)` for one line; returns the best `|eta|`
/// with its parameters.
fn best_density(cols: &LineColumns, kind: LineKind, start: Vec<f64>) -> (f64, Vec<f64>, [f64; 2]) {
    let nq = if kind.axis() { 2 } else { 0 };
    let mut x: Vec<f64> = start;
    x.extend(std::iter::repeat_n(0.0, nq));
    let nr = 1 + 2 * kind.degree();
    let value = |x: &[f64]| -> f64 {
        let q = if nq == 2 {
            [x[nr], x[nr + 1]]
        } else {
            [0.0, 0.0]
        };
        if q[0].hypot(q[1]) > Q_RADIUS {
            return f64::NEG_INFINITY;
        }
        let rho = density(kind, &x[..nr], q, &cols.trig);
        cols.eta(&rho).map_or(f64::NEG_INFINITY, f64::abs)
    };
    let mut best = value(&x);
    let mut h = 0.25;
    let mut evals = 0usize;
    while h > 1e-3 && evals < PATTERN_EVALS {
        evals += 2 * x.len();
        let mut improved = false;
        for i in 0..x.len() {
            for sign in [1.0, -1.0] {
                let mut t = x.clone();
                t[i] += sign * h;
                let v = value(&t);
                if v > best + IMPROVE_REL * best.abs() {
                    best = v;
                    x = t;
                    improved = true;
                }
            }
        }
        if !improved {
            h *= 0.5;
        }
    }
    let q = if nq == 2 {
        [x[nr], x[nr + 1]]
    } else {
        [0.0, 0.0]
    };
    x.truncate(nr);
    (best, x, q)
}

/// Starting densities: uniform, and thin arcs around the largest `|p|`
/// along the line (`r0 = cos 2 pi (s - s*) - 0.8`).
fn starts(cols: &LineColumns, kind: LineKind) -> Vec<Vec<f64>> {
    let nr = 1 + 2 * kind.degree();
    let mut out = vec![{
        let mut v = vec![0.0; nr];
        v[0] = 1.0;
        v
    }];
    let (jmax, _) =
        cols.p.iter().enumerate().fold(
            (0, 0.0f64),
            |a, (j, v)| if v.abs() > a.1 { (j, v.abs()) } else { a },
        );
    let sm = cols.s[jmax];
    for width in [0.8, 0.3] {
        let mut v = vec![0.0; nr];
        v[0] = -width;
        v[1] = (TAU * sm).cos();
        v[2] = (TAU * sm).sin();
        out.push(v);
    }
    out
}

/// `(|eta|, direction, offset, r0, q)` of a first-stage line.
type Candidate = (f64, LineKind, f64, Vec<f64>, [f64; 2]);

/// The largest `|eta|` over the d = 2, K0 = 1 boundary families (search).
pub fn sup_boundary_limits(cone: &PointCone, set: &BoundarySearch) -> BoundaryLimits {
    use rayon::prelude::*;
    let kinds = [
        LineKind::Column,
        LineKind::Row,
        LineKind::Diagonal,
        LineKind::AntiDiagonal,
    ];
    let jobs: Vec<(LineKind, f64)> = kinds
        .iter()
        .flat_map(|&k| (0..set.offsets).map(move |i| (k, i as f64 / set.offsets as f64)))
        .collect();
    let mut found: Vec<Candidate> = jobs
        .par_iter()
        .flat_map_iter(|&(kind, c)| {
            let cols = LineColumns::new(cone, kind, c, set.nodes);
            starts(&cols, kind)
                .into_iter()
                .map(move |st| {
                    let (v, r0, q) = best_density(&cols, kind, st);
                    (v, kind, c, r0, q)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    // The best few: offset refined, then re-evaluated on the fine nodes.
    let line = found
        .into_iter()
        .take(set.refine)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(_, kind, c0, r0, q)| refine_line(cone, kind, c0, r0, q))
        .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()));
    let pair = sup_antipodal_pairs(cone, set.pair_grid, set.pair_refine);
    let value = line
        .as_ref()
        .map_or(0.0, |l| l.eta.abs())
        .max(pair.eta.abs());
    BoundaryLimits {
        line,
        pair: Some(pair),
        value,
    }
}

/// `eta` of a line limit measure: Gauss-Legendre with `nodes` nodes on
/// each interval where `r0 > 0` (its zeros from
/// [`crate::fourier::exact1d::positive_intervals`]), after the substitution
/// `s = a + (b - a) sin^2(pi t / 2)`, which makes the `3/2` power at the
/// ends analytic in `t` (so the rule converges geometrically and the value
/// is smooth in the parameters). Falls back to the trapezoid rule on
/// `16 nodes` points if the root finder fails.
pub fn line_eta(cone: &PointCone, limit: &LineLimit, nodes: usize) -> f64 {
    gl_eta(cone, limit.kind, limit.offset, &limit.r0, limit.q, nodes).unwrap_or_else(|| {
        let cols = LineColumns::new(cone, limit.kind, limit.offset, 16 * nodes);
        let rho = density(limit.kind, &limit.r0, limit.q, &cols.trig);
        cols.eta(&rho).unwrap_or(0.0)
    })
}

fn gl_eta(
    cone: &PointCone,
    kind: LineKind,
    c: f64,
    r0: &[f64],
    q: [f64; 2],
    n: usize,
) -> Option<f64> {
    use crate::fourier::exact1d::{RootSettings, positive_intervals};
    use num_complex::Complex64;
    let deg = kind.degree();
    let mut ghat = vec![Complex64::new(0.0, 0.0); 2 * deg + 1];
    ghat[deg] = Complex64::new(r0[0], 0.0);
    for j in 1..=deg {
        let cj = Complex64::new(0.5 * r0[2 * j - 1], -0.5 * r0[2 * j]);
        ghat[deg + j] = cj;
        ghat[deg - j] = cj.conj();
    }
    let intervals = positive_intervals(&ghat, &RootSettings::default())?;
    let rule = gauss_quad::GaussLegendre::new(std::num::NonZeroUsize::new(n.max(2))?);
    let mut num = 0.0;
    let mut v: Vec<f64> = Vec::new();
    for (a, b) in intervals {
        for &(u, wu) in rule.as_node_weight_pairs() {
            let t = 0.5 * (u + 1.0);
            let half = 0.5 * std::f64::consts::PI * t;
            let s = a + (b - a) * half.sin().powi(2);
            let ds = (b - a) * 0.5 * std::f64::consts::PI * (std::f64::consts::PI * t).sin();
            let tr = {
                let (s1, c1) = (TAU * s).sin_cos();
                let (s2, c2) = (2.0 * TAU * s).sin_cos();
                [c1, s1, c2, s2]
            };
            let rho = density(kind, r0, q, &[tr])[0];
            if rho <= 0.0 {
                continue;
            }
            let wt = 0.5 * wu * ds * rho;
            let (pj, col) = cone.atom(&kind.point(c, s));
            num += wt * pj;
            if v.is_empty() {
                v = vec![0.0; col.len()];
            }
            v.iter_mut().zip(&col).for_each(|(vi, a)| *vi += wt * a);
        }
    }
    let den = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    (den > 0.0).then(|| num / den)
}

/// `q` from unconstrained `z`: `q = Q_RADIUS tanh(|z|) z / |z|` (the open
/// disc), so that the refinement needs no constraint.
fn q_of(z: &[f64]) -> [f64; 2] {
    let n = z[0].hypot(z[1]);
    if n < 1e-300 {
        return [0.0, 0.0];
    }
    let f = Q_RADIUS * n.tanh() / n;
    [f * z[0], f * z[1]]
}

fn z_of(q: [f64; 2]) -> [f64; 2] {
    let n = q[0].hypot(q[1]);
    if n < 1e-300 {
        return [0.0, 0.0];
    }
    let f = (n / Q_RADIUS).min(1.0 - 1e-12).atanh() / n;
    [f * q[0], f * q[1]]
}

fn refine_line(cone: &PointCone, kind: LineKind, c0: f64, r0: Vec<f64>, q: [f64; 2]) -> LineLimit {
    // BFGS over (offset, r0, z) with q = q_of(z), two passes (the second
    // restarts the Hessian approximation).
    let nr = r0.len();
    let axis = kind.axis();
    let q_at = |x: &[f64]| {
        if axis {
            q_of(&x[1 + nr..3 + nr])
        } else {
            [0.0, 0.0]
        }
    };
    let value = |x: &[f64]| -> f64 {
        gl_eta(
            cone,
            kind,
            x[0].rem_euclid(1.0),
            &x[1..1 + nr],
            q_at(x),
            GL_NODES,
        )
        .map_or(f64::NEG_INFINITY, f64::abs)
    };
    let mut x = vec![c0];
    x.extend(&r0);
    if axis {
        x.extend(z_of(q));
    }
    for _ in 0..2 {
        x = maximize(&value, x, 1e-6, PATTERN_EVALS).1;
        let n = x[1..1 + nr].iter().map(|a| a * a).sum::<f64>().sqrt();
        x[1..1 + nr].iter_mut().for_each(|a| *a /= n);
    }
    let mut lim = LineLimit {
        kind,
        offset: x[0].rem_euclid(1.0),
        r0: x[1..1 + nr].to_vec(),
        q: q_at(&x),
        eta: 0.0,
    };
    lim.eta = line_eta(cone, &lim, 2 * GL_NODES);
    lim
}
