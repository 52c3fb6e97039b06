//! Unit directions that approach the boundary limits of psi_mod in d = 2,
//! K0 = 1 (docs/theory.md 9, "Thin-bump limit"; the limits are in
//! [`super::limit_lines`]): `g* + t r` with `g*` vanishing on the line and
//! `r` restricting to the limit's `r0` there. The tests use them to check
//! the derived limit values against actual units, and refinement adds them
//! as columns.

use super::limit_lines::{LineKind, LineLimit};
use crate::fourier::RealMap;
use std::f64::consts::TAU;

/// d = 2, K0 = 1: a unit direction approaching a line limit (`g* + t r`,
/// `g* = (cos 2 pi (x1 - c) - 1) q(x2)` or `cos 2 pi (x1 + x2 - c) - 1`,
/// with `r` the unit whose restriction to the line is `r0`), in the
/// features' order `(1, then cos/sin of k in the half set of K0 = 1)`.
/// For the tests and refinement columns.
pub fn line_unit_direction(limit: &LineLimit, t: f64) -> Option<Vec<f64>> {
    let map = RealMap::new(2, 1);
    let half: Vec<[i64; 2]> = map.half_set().iter().map(|k| [k[0], k[1]]).collect();
    let dim = 1 + 2 * half.len();
    // Evaluate a candidate g on sample points and fit the features by least
    // squares (exact: every target below lies in their span).
    let gamma = |x: [f64; 2]| {
        let mut g = vec![1.0; dim];
        for (i, k) in half.iter().enumerate() {
            let a = TAU * (k[0] as f64 * x[0] + k[1] as f64 * x[1]);
            g[1 + 2 * i] = a.cos();
            g[2 + 2 * i] = a.sin();
        }
        g
    };
    let c = limit.offset;
    let q = limit.q;
    let r0 = limit.r0.clone();
    let kind = limit.kind;
    // In line coordinates: (n, s) with the line at n = 0; g* and r written
    // with features only (see the module docs).
    let gstar = move |x: [f64; 2]| -> f64 {
        match kind {
            LineKind::Column => {
                ((TAU * (x[0] - c)).cos() - 1.0)
                    * (1.0 + q[0] * (TAU * x[1]).cos() + q[1] * (TAU * x[1]).sin())
            }
            LineKind::Row => {
                ((TAU * (x[1] - c)).cos() - 1.0)
                    * (1.0 + q[0] * (TAU * x[0]).cos() + q[1] * (TAU * x[0]).sin())
            }
            LineKind::Diagonal => (TAU * (x[0] + x[1] - c)).cos() - 1.0,
            LineKind::AntiDiagonal => (TAU * (x[0] - x[1] - c)).cos() - 1.0,
        }
    };
    let r = move |x: [f64; 2]| -> f64 {
        // s: the line parameter; v = 2 s on the line, through the other
        // diagonal's feature.
        let (s, v) = match kind {
            LineKind::Column => (x[1], 0.0),
            LineKind::Row => (x[0], 0.0),
            LineKind::Diagonal => (x[1], c - (x[0] - x[1])),
            LineKind::AntiDiagonal => (x[1], x[0] + x[1] - c),
        };
        let mut val = r0[0] + r0[1] * (TAU * s).cos() + r0[2] * (TAU * s).sin();
        if r0.len() == 5 {
            val += r0[3] * (TAU * v).cos() + r0[4] * (TAU * v).sin();
        }
        val
    };
    let pts: Vec<[f64; 2]> = (0..144)
        .map(|i| [(i / 12) as f64 / 12.0, (i % 12) as f64 / 12.0])
        .collect();
    let a = nalgebra::DMatrix::from_fn(pts.len(), dim, |i, j| gamma(pts[i])[j]);
    let fit = |f: &dyn Fn([f64; 2]) -> f64| {
        let b = nalgebra::DVector::from_fn(pts.len(), |i, _| f(pts[i]));
        a.clone().svd(true, true).solve(&b, 1e-14).ok()
    };
    let gs = fit(&gstar)?;
    let rs = fit(&r)?;
    let rmax = limit.r0.iter().map(|v| v.abs()).sum::<f64>().max(1e-300);
    let mut w: Vec<f64> = (0..dim).map(|j| gs[j] + t * rs[j] / rmax).collect();
    let n = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    w.iter_mut().for_each(|v| *v /= n);
    Some(w)
}
