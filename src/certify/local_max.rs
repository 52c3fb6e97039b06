//! The check inside the caps (docs/theory.md 9: caps never exempt a point from
//! `|eta| <= 1`): each support atom must be a strict local maximum of
//! `s eta` (`s` its sign), and `|eta| <= 1` is checked on dense samples of
//! each cap followed by local ascent.
//!
//! The Riemannian Hessian of the 0-homogeneous `eta` at a unit `w` is the
//! Euclidean Hessian restricted to the tangent space (Euler: `w . grad eta =
//! 0`). It is computed by central differences of the exact gradient along an
//! orthonormal tangent basis, with steps `h`, `h/2`, `h/4` and Richardson
//! extrapolation; the error estimate is the difference of two
//! extrapolations. The atom is a strict local
//! maximum when the largest eigenvalue plus that error is negative. This is
//! a numerical check, not a proof: the report says so.

use super::eta::{EtaField, EtaPoint, SupSettings, angle, sup_eta};
use super::precert::SupportAtom;
use crate::error::Result;
use nalgebra::{DMatrix, SymmetricEigen};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;

/// Finite-difference step (radians) of the Hessian (default); the error is
/// estimated against `h/2`.
pub const HESSIAN_STEP: f64 = 1e-4;

/// The second-order check at one support atom.
#[derive(Debug, Clone, Serialize)]
pub struct LocalMaxCheck {
    /// Largest eigenvalue of the Riemannian Hessian of `s eta` (negative at a
    /// strict local maximum).
    pub max_eigenvalue: f64,
    /// Estimated error of the eigenvalues (step `h` against `h/2`).
    pub error: f64,
    /// `max_eigenvalue + error < 0`.
    pub strict: bool,
}

/// An orthonormal basis of the tangent space at unit `w` (Gram-Schmidt on
/// the coordinate vectors).
pub fn tangent_basis(w: &[f64]) -> Vec<Vec<f64>> {
    let dim = w.len();
    let mut basis: Vec<Vec<f64>> = vec![w.to_vec()];
    for i in 0..dim {
        let mut v = vec![0.0; dim];
        v[i] = 1.0;
        for b in &basis {
            let p: f64 = b.iter().zip(&v).map(|(a, c)| a * c).sum();
            v.iter_mut().zip(b).for_each(|(x, y)| *x -= p * y);
        }
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-8 {
            v.iter_mut().for_each(|x| *x /= n);
            basis.push(v);
        }
        if basis.len() == dim {
            break;
        }
    }
    basis.remove(0);
    basis
}

fn hessian(
    field: &EtaField,
    w: &[f64],
    s: f64,
    h: f64,
    basis: &[Vec<f64>],
) -> Result<DMatrix<f64>> {
    let n = basis.len();
    let mut hm = DMatrix::<f64>::zeros(n, n);
    for (j, tj) in basis.iter().enumerate() {
        let plus: Vec<f64> = w.iter().zip(tj).map(|(a, b)| a + h * b).collect();
        let minus: Vec<f64> = w.iter().zip(tj).map(|(a, b)| a - h * b).collect();
        let (_, gp) = field.value_and_gradient(&plus)?;
        let (_, gm) = field.value_and_gradient(&minus)?;
        for (i, ti) in basis.iter().enumerate() {
            let dp: f64 = ti.iter().zip(&gp).map(|(a, b)| a * b).sum();
            let dm: f64 = ti.iter().zip(&gm).map(|(a, b)| a * b).sum();
            hm[(i, j)] = s * (dp - dm) / (2.0 * h);
        }
    }
    Ok((&hm + hm.transpose()) * 0.5)
}

/// The second-order check of `s eta` at the unit `w`: central differences
/// at `h`, `h/2`, `h/4` (h = [`HESSIAN_STEP`]), Richardson-extrapolated
/// twice (`(4 H(h/2) - H(h)) / 3` removes the `h^2` term); the error is the
/// largest entry of the difference of the two extrapolations (an
/// overestimate of the error of the finer one), and at least the
/// rounding level `1e-9 |H|`.
pub fn local_max_check(field: &EtaField, w: &[f64], s: f64) -> Result<LocalMaxCheck> {
    let basis = tangent_basis(w);
    let h1 = hessian(field, w, s, HESSIAN_STEP, &basis)?;
    let h2 = hessian(field, w, s, HESSIAN_STEP / 2.0, &basis)?;
    let h4 = hessian(field, w, s, HESSIAN_STEP / 4.0, &basis)?;
    let r1 = (&h2 * 4.0 - &h1) / 3.0;
    let r2 = (&h4 * 4.0 - &h2) / 3.0;
    let error = (&r1 - &r2).abs().max().max(1e-9 * r2.abs().max());
    let h2 = r2;
    let max_eigenvalue = SymmetricEigen::new(h2)
        .eigenvalues
        .iter()
        .fold(f64::NEG_INFINITY, |a, &v| a.max(v));
    Ok(LocalMaxCheck {
        max_eigenvalue,
        error,
        strict: max_eigenvalue + error < 0.0,
    })
}

/// Samples per cap of the inside check (default).
pub const CAP_SAMPLES: usize = 1500;

/// `max |eta|` inside the caps: `CAP_SAMPLES` seeded points per cap (angles
/// spread over `(0, r]`), then local ascent from the best of them. Returns
/// the largest `|eta|` found and where.
pub fn inside_caps_max(
    field: &EtaField,
    centres: &[Vec<f64>],
    radius: f64,
    sup: &SupSettings,
) -> Result<Option<EtaPoint>> {
    let mut rng = ChaCha8Rng::seed_from_u64(sup.seed ^ 0xCA95);
    let mut points: Vec<Vec<f64>> = Vec::new();
    for c in centres {
        let basis = tangent_basis(c);
        for i in 0..CAP_SAMPLES {
            // Angles from r 1e-3 to r, denser near the atom.
            let frac = (i as f64 + 0.5) / CAP_SAMPLES as f64;
            let t = radius * 10f64.powf(-3.0 * (1.0 - frac));
            let mut u = vec![0.0; c.len()];
            for b in &basis {
                let z: f64 = rng.sample(StandardNormal);
                u.iter_mut().zip(b).for_each(|(x, y)| *x += z * y);
            }
            let un = u.iter().map(|x| x * x).sum::<f64>().sqrt();
            if un == 0.0 {
                continue;
            }
            let w: Vec<f64> = c
                .iter()
                .zip(&u)
                .map(|(a, b)| a * t.cos() + b / un * t.sin())
                .collect();
            points.push(w);
        }
    }
    // The samples are drawn in order (seeded), then evaluated in parallel:
    // the same values whatever the thread count.
    let candidates: Vec<EtaPoint> = points
        .into_par_iter()
        .map(|w| {
            field.value(&w).map(|eta| EtaPoint {
                w,
                eta,
                screened: false,
            })
        })
        .collect::<Result<_>>()?;
    let s = SupSettings {
        starts: sup.starts.min(8 * centres.len().max(1)),
        ..*sup
    };
    let r = sup_eta(field, &candidates, &s, None)?;
    // Only points inside some cap count here (ascents may leave the caps;
    // what they find outside is the outside search's business).
    let inside = |p: &EtaPoint| centres.iter().any(|c| angle(&p.w, c) <= radius);
    let best = r
        .maxima
        .into_iter()
        .chain(candidates)
        .filter(inside)
        .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()));
    Ok(best)
}

/// What a certificate checks at and near its support: `eta` at each atom,
/// the largest `|eta - sign|` there, `max |eta|` inside the caps and the
/// second-order check at each atom. Shared by the certificate on the
/// solve's operator and its exact re-check (the same checks, other columns).
pub struct NearSupport {
    /// `eta` at each support atom, in the support's order.
    pub eta_at: Vec<f64>,
    /// `max |eta(w_i) - sign_i|` over the atoms.
    pub support_error: f64,
    /// The largest `|eta|` found inside the caps, and where.
    pub inside: Option<EtaPoint>,
    /// The second-order check at each atom.
    pub local_max: Vec<LocalMaxCheck>,
}

/// The checks of [`NearSupport`] for `field`, with caps of `radius` at `centres`.
pub fn near_support(
    field: &EtaField,
    support: &[SupportAtom],
    centres: &[Vec<f64>],
    radius: f64,
    sup: &SupSettings,
) -> Result<NearSupport> {
    let eta_at: Vec<f64> = support
        .par_iter()
        .map(|a| field.value(&a.w))
        .collect::<Result<_>>()?;
    let support_error = support
        .iter()
        .zip(&eta_at)
        .map(|(a, e)| (e - a.sign).abs())
        .fold(0.0, f64::max);
    let inside = inside_caps_max(field, centres, radius, sup)?;
    let local_max = support
        .iter()
        .map(|a| local_max_check(field, &a.w, a.sign))
        .collect::<Result<Vec<_>>>()?;
    Ok(NearSupport {
        eta_at,
        support_error,
        inside,
        local_max,
    })
}
