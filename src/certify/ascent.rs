//! Local ascent of `|eta|` on the sphere (docs/theory.md 5: the dual
//! certificate's supremum search): the Riemannian BFGS step used by
//! [`super::eta::sup_eta`] from each start.

use super::eta::{Caps, EtaField, EtaPoint, outside};
use crate::error::Result;
use crate::numeric::{dot, normalize};

/// A local ascent stops when the quasi-Newton step's first-order gain
/// `d . grad` is at most this times `max(1, |eta|)` and the gradient is
/// small ([`ASCENT_GRAD_TOL`]): the remaining increase (about half the gain
/// at a quadratic maximum) is then below the accuracy of one evaluation of
/// `eta` (exact columns: about 1e-12 relative). Before this stop every
/// ascent ended in a backtracking down to `t = 1e-10` (about 33
/// evaluations, a third of all of them in the thorough search).
pub const ASCENT_GAIN_TOL: f64 = 1e-14;

/// The gain test of [`ASCENT_GAIN_TOL`] stops an ascent only where the
/// tangent gradient is at most this times `max(1, |eta|)`; with a larger
/// gradient a tiny gain means a poor inverse-Hessian approximation, which
/// is reset to steepest ascent instead. At a maximum of curvature `c` the
/// increase left is then at most `tol^2 / (2 c)`: 5e-13 for `c >= 1`. On a
/// d = 2, K = 8 certificate the gradients where the gain test fired were
/// 1e-8 to 1e-6 (the noise of exact-column gradients); with 1e-7 half of
/// those ascents went on into the backtracking.
pub const ASCENT_GRAD_TOL: f64 = 1e-6;

/// An ascent that comes within this angle (radians) of a maximum that an
/// earlier batch of ascents converged to (same sign), at a value no higher
/// than that maximum's, stops there: it would converge to the same point
/// (the searches count maxima closer than `MAXIMA_SEPARATION` = 0.02 as one).
/// On a d = 2, K = 6 certificate's thorough searches 38 % of the
/// evaluations came after an ascent was within 1e-3 rad of its end point,
/// and most of the 768 ascents ended at one of a few maxima. Not for
/// psi_mod (see [`super::eta::sup_eta`]).
pub const MERGE_RADIUS: f64 = 1e-3;

/// Ascents run in batches of this many (the starts in their order); each
/// batch may stop at the maxima of the earlier ones ([`MERGE_RADIUS`]).
/// Fixed batches keep the result independent of the thread count.
pub const ASCENT_BATCH: usize = 64;

/// Riemannian BFGS ascent of `s eta` on the sphere (s = the sign of eta at
/// the start): the quasi-Newton direction in the tangent space (inverse
/// Hessian approximation in ambient coordinates, transported by projection),
/// the retraction `w <- (w + t d) / |w + t d|`, Armijo backtracking, and a
/// reset to steepest ascent whenever the curvature condition fails (eta is
/// only piecewise smooth). Returns the best point outside the caps met along
/// the path (if any), the evaluation count, and whether the ascent stopped
/// within `merge_radius` of one of `known` (maxima of earlier ascents; the
/// thorough searches use [`MERGE_RADIUS`]) rather than at a maximum of its
/// own.
pub(crate) fn ascend(
    field: &EtaField,
    start: &[f64],
    iters: usize,
    caps: Caps<'_>,
    known: &[EtaPoint],
    merge_radius: f64,
) -> Result<(Option<EtaPoint>, usize, bool)> {
    let cos_merge = merge_radius.cos();
    let dim = start.len();
    let mut w = start.to_vec();
    normalize(&mut w);
    let (e0, g0) = field.value_and_gradient(&w)?;
    let s = if e0 < 0.0 { -1.0 } else { 1.0 };
    let mut f = s * e0;
    let mut evals = 1usize;
    let mut best = outside(&w, caps).then(|| EtaPoint {
        w: w.clone(),
        eta: e0,
        screened: false,
    });
    let tangent = |v: &[f64], at: &[f64]| -> Vec<f64> {
        let r = dot(v, at);
        v.iter().zip(at).map(|(a, b)| s * (a - r * b)).collect()
    };
    let mut g = tangent(&g0, &w);
    // Inverse Hessian approximation of -f (positive definite), row-major.
    let eye = |scale: f64| -> Vec<f64> {
        let mut h = vec![0.0; dim * dim];
        (0..dim).for_each(|i| h[i * dim + i] = scale);
        h
    };
    let mut h = eye(0.05 / (dot(&g, &g).sqrt() + 1e-300));
    for _ in 0..iters {
        let gn = dot(&g, &g).sqrt();
        if gn < 1e-13 {
            break;
        }
        let mut d: Vec<f64> = (0..dim)
            .map(|i| (0..dim).map(|j| h[i * dim + j] * g[j]).sum())
            .collect();
        let r = dot(&d, &w);
        d.iter_mut().zip(&w).for_each(|(a, b)| *a -= r * b);
        let mut slope = dot(&d, &g);
        let scale = f.abs().max(1.0);
        let tiny_gain = |slope: f64| slope <= ASCENT_GAIN_TOL * scale;
        if slope <= 0.0 || (tiny_gain(slope) && gn > ASCENT_GRAD_TOL * scale) {
            h = eye(0.05 / gn);
            d = g.iter().map(|v| v * 0.05 / gn).collect();
            slope = dot(&d, &g);
        }
        // The step's first-order gain is below what an evaluation resolves:
        // the ascent has converged (no line search down to t = 1e-10).
        if tiny_gain(slope) && gn <= ASCENT_GRAD_TOL * scale {
            break;
        }
        let mut t = 1.0f64;
        let mut accepted = None;
        while t > 1e-10 {
            let mut wn: Vec<f64> = w.iter().zip(&d).map(|(a, b)| a + t * b).collect();
            normalize(&mut wn);
            let (en, gn_full) = field.value_and_gradient(&wn)?;
            evals += 1;
            if s * en >= f + 1e-4 * t * slope && s * en > f {
                accepted = Some((wn, en, gn_full));
                break;
            }
            t *= 0.5;
        }
        let Some((wn, en, gfull)) = accepted else {
            break;
        };
        let g_new = tangent(&gfull, &wn);
        // s_k: the step transported to the new point; y_k for -f.
        let step: Vec<f64> = {
            let raw: Vec<f64> = wn.iter().zip(&w).map(|(a, b)| a - b).collect();
            let r = dot(&raw, &wn);
            raw.iter().zip(&wn).map(|(a, b)| a - r * b).collect()
        };
        let g_old_t: Vec<f64> = {
            let r = dot(&g, &wn);
            g.iter().zip(&wn).map(|(a, b)| a - r * b).collect()
        };
        let yv: Vec<f64> = g_old_t.iter().zip(&g_new).map(|(a, b)| a - b).collect();
        let sy = dot(&step, &yv);
        if sy > 1e-14 * dot(&step, &step).sqrt() * dot(&yv, &yv).sqrt() && sy > 0.0 {
            // BFGS update of the inverse Hessian: H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T.
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..dim)
                .map(|i| (0..dim).map(|j| h[i * dim + j] * yv[j]).sum())
                .collect();
            let yhy = dot(&yv, &hy);
            for i in 0..dim {
                for j in 0..dim {
                    h[i * dim + j] += -rho * (step[i] * hy[j] + hy[i] * step[j])
                        + (rho * rho * yhy + rho) * step[i] * step[j];
                }
            }
        } else {
            h = eye(0.05 / (dot(&g_new, &g_new).sqrt() + 1e-300));
        }
        w = wn;
        g = g_new;
        f = s * en;
        if outside(&w, caps) && best.as_ref().is_none_or(|b| s * en > s * b.eta) {
            best = Some(EtaPoint {
                w: w.clone(),
                eta: en,
                screened: false,
            });
        }
        // At an earlier ascent's maximum, below its value: the same end.
        if known
            .iter()
            .any(|m| s * m.eta >= f && dot(&m.w, &w) >= cos_merge)
        {
            return Ok((best, evals, true));
        }
    }
    Ok((best, evals, false))
}
