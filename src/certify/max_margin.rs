//! The max-margin certificate candidate (docs/theory.md 5, optimality and
//! uniqueness conditions; 9, checks).
//!
//! When the teacher is a minimizer, its dual certificates form a face of
//! the dual; the LP's `lambda` and the refinement's may sit where that face
//! touches `|eta| = 1` away from the support (margin 0), although other
//! members of the face have a positive margin. This module proposes the
//! member with the largest margin on the dictionary: with `B lambda = r`
//! the pre-certificate's equations (`eta(w_j) = s_j` and zero gradient at
//! every atom), `lambda = lambda_0 + N z` (`lambda_0` the least-norm
//! solution, `N` a basis of the null space of `B`), it solves the LP
//!
//! `max t  s.t.  |u_j . lambda| + t min(1, (theta_j / FAR_ANGLE)^2) <= 1`
//! for columns outside the caps, `|u_j . lambda| <= 1` inside them and on a
//! stencil around each atom ([`STENCIL_STEPS`]), `t <= 1`, `|z|_inf <=
//! Z_MAX`, where `u_j = phi_j / psi_j` and `theta_j` is the angle to the
//! nearest atom (a certificate's `eta` falls like `1 - kappa theta^2 / 2`
//! near an atom, so the margin asked for does too). The largest-margin
//! point overfits the dictionary (it is wild between its columns), so the
//! candidate is the member nearest a reference `lambda` (the best of the
//! other candidates) with the margin `t0 = min(MARGIN_SHARE t*,
//! TARGET_MARGIN)`, improved by exchange: the sup search's local maxima
//! that break the asked margin become constraints, the next solve stays
//! nearest the previous one, and the round whose worst local maximum is
//! best is kept ([`EXCHANGE_ROUNDS`]); then a few rounds with the thorough
//! search of the certificate check ([`THOROUGH_ROUNDS`]).
//!
//! The result is only a candidate: it is checked on the whole sphere like
//! every other `lambda` ([`super::certificate_report`]); nothing the LP sees
//! on the dictionary proves anything by itself.

use super::bound::BnbSettings;
use super::eta::{
    EtaField, SupSettings, auto_dense_points, dense_eta, dictionary_eta, psi_for, sup_eta,
    unit_evaluator,
};
use super::max_margin_program::{solve, solve_active};
use super::precert::SupportAtom;
use super::sup::sup_bound;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::{Error, Result};
use crate::spec::ProblemSpec;
use nalgebra::DMatrix;

/// Singular values below this times the largest count as zero when the
/// null space of the pre-certificate's equations is taken.
pub const NULL_SPACE_REL: f64 = 1e-10;

/// Rounds of the exchange (solve, search, add the violators).
pub const EXCHANGE_ROUNDS: usize = 6;

/// Rounds of the exchange with the thorough search of the certificate
/// check ([`super::sup::THOROUGH_STARTS_FACTOR`] times the ascents, plus
/// [`super::sup::THOROUGH_DENSE_POINTS`] random starts) after the ordinary
/// rounds: about 1.5 to 4 s each in D = 9.
pub const THOROUGH_ROUNDS: usize = 4;

/// Steps (radians) of the stencil around each atom.
pub const STENCIL_STEPS: [f64; 2] = [1e-2, 4e-2];

/// At most this many of a round's local maxima become constraints.
pub const EXCHANGE_ADD: usize = 32;

/// Bound on each null-space coordinate `z_i`, relative to `max(1,
/// |lambda_0|)`: keeps the LP bounded where the dictionary does not
/// constrain a direction.
pub const Z_MAX: f64 = 1e3;

/// The pre-certificate's equations must be consistent to this relative
/// residual for a max-margin candidate to exist.
pub const CONSISTENT_REL: f64 = 1e-8;

/// The member nearest the reference is asked for this share of the
/// largest margin on the dictionary ...
pub const MARGIN_SHARE: f64 = 0.5;

/// ... but not more than this margin: a small move from a reference whose
/// eta touches 1 keeps what it has right (the atoms strict local maxima);
/// a large one does not.
pub const TARGET_MARGIN: f64 = 1e-3;

/// Beyond this angle (radians) from every atom the whole margin `t` is
/// asked for; closer, `t (theta / FAR_ANGLE)^2`, and nothing inside the caps.
pub const FAR_ANGLE: f64 = 0.5;

/// The max-margin `lambda` on the dictionary, or None when the equations are
/// inconsistent, have no freedom left, or the LP is not solved (see
/// [`super::max_margin_program::solve`]).
pub fn max_margin_lambda(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    dict: &Dictionary,
    reference: Option<&[f64]>,
    cs: &super::CertifySettings,
) -> Result<Option<Vec<f64>>> {
    let (sup, bnb) = (&cs.sup, &cs.bnb);
    let cap = super::effective_cap(support, cs.cap_radius);
    let unit = unit_evaluator(spec, plan, spec.k)?;
    let psi = psi_for(spec, plan)?;
    let m = unit.map().len();
    let dim = spec.feature_dim();
    if support.is_empty() || dict.m != m {
        return Ok(None);
    }
    // The pre-certificate's B and r, rows scaled to unit norm, padded with
    // zero rows to at least M (so that the SVD gives all of V).
    let (b0, r0, _) = super::precert::derivative_equations(spec, plan, support)?;
    let rows = b0.nrows();
    let mut b = DMatrix::<f64>::zeros(rows.max(m), m);
    let mut r = nalgebra::DVector::<f64>::zeros(rows.max(m));
    for i in 0..rows {
        let norm = b0.row(i).norm();
        if norm > 0.0 {
            b.row_mut(i).copy_from(&(b0.row(i) / norm));
            r[i] = r0[i] / norm;
        }
    }
    let svd =
        super::linalg::bounded_svd(b.clone(), true, true).ok_or_else(|| Error::Numerical {
            what: "max-margin certificate SVD: non-finite entries or no convergence".into(),
        })?;
    let smax = svd.singular_values.max();
    if smax <= 0.0 {
        return Ok(None);
    }
    let lambda0 = svd
        .solve(&r, NULL_SPACE_REL * smax)
        .map_err(|e| Error::Numerical {
            what: format!("max-margin certificate SVD: {e}"),
        })?;
    if (&b * &lambda0 - &r).norm() > CONSISTENT_REL * r.norm().max(f64::MIN_POSITIVE) {
        return Ok(None);
    }
    let Some(v_t) = svd.v_t.as_ref() else {
        return Ok(None);
    };
    // Null space: right singular vectors of (numerically) zero singular values.
    let null: Vec<Vec<f64>> = (0..m)
        .filter(|&i| svd.singular_values[i] <= NULL_SPACE_REL * smax)
        .map(|i| v_t.row(i).iter().copied().collect())
        .collect();
    let nz = null.len();
    if nz == 0 {
        return Ok(None);
    }
    let lam0: Vec<f64> = lambda0.iter().copied().collect();
    let centres: Vec<Vec<f64>> = support.iter().map(|a| a.w.clone()).collect();
    // One constraint per unit: (u . lambda0, u . N, weight of t), u = phi / psi.
    let constraint = |w: &[f64], col: &[f64], p: f64| {
        let u: Vec<f64> = col.iter().map(|v| v / p).collect();
        let theta = centres
            .iter()
            .map(|c| super::eta::angle(w, c))
            .fold(f64::INFINITY, f64::min);
        // The margin asked for grows like theta^2 up to FAR_ANGLE (eta of
        // a certificate falls like 1 - kappa theta^2 / 2 near an atom).
        let weight = if theta > cap {
            (theta / FAR_ANGLE).powi(2).min(1.0)
        } else {
            0.0
        };
        let a: Vec<f64> = null.iter().map(|n| crate::numeric::dot(&u, n)).collect();
        (crate::numeric::dot(&u, &lam0), a, weight)
    };
    let mut cons: Vec<(f64, Vec<f64>, f64)> = (0..dict.len())
        .filter(|&j| dict.psi[j] > 0.0)
        .map(|j| constraint(dict.direction(j), dict.column(j), dict.psi[j]))
        .collect();
    // Around each atom, |eta| <= 1 at STENCIL_STEPS along every tangent
    // axis and diagonal pair: the atoms stay local maxima to second order.
    for atom in support {
        let basis = super::local_max::tangent_basis(&atom.w);
        let mut dirs: Vec<Vec<f64>> = basis.clone();
        for i in 0..basis.len() {
            for j in i + 1..basis.len() {
                for sg in [1.0, -1.0] {
                    dirs.push(
                        basis[i]
                            .iter()
                            .zip(&basis[j])
                            .map(|(a, b)| (a + sg * b) / 2f64.sqrt())
                            .collect(),
                    );
                }
            }
        }
        for step in STENCIL_STEPS {
            for d in &dirs {
                for sg in [1.0, -1.0] {
                    let v: Vec<f64> = atom
                        .w
                        .iter()
                        .zip(d)
                        .map(|(a, t)| a + sg * step * t)
                        .collect();
                    let v = crate::numeric::normalized(&v);
                    let (col, ps) = (unit.measure(&v)?, psi.value(&v)?);
                    if ps > 0.0 {
                        cons.push(constraint(&v, &col, ps));
                    }
                }
            }
        }
    }
    let zmax = Z_MAX * crate::numeric::norm2(&lam0).max(1.0);
    // First the largest margin t* on the dictionary; then the z nearest the
    // reference with margin at least t0 (the largest-margin point alone
    // overfits the dictionary: it is wild between its columns).
    // The whole program at once: active sets grow here to nearly every row
    // in several passes (t* is unique, so the route does not matter).
    let all: Vec<&(f64, Vec<f64>, f64)> = cons.iter().collect();
    let Some(first) = solve(&all, nz, zmax, None)? else {
        return Ok(None);
    };
    let t_star = first[nz];
    if t_star <= 0.0 {
        return Ok(None);
    }
    let t0 = (MARGIN_SHARE * t_star).min(TARGET_MARGIN);
    // z of the reference's projection on the family (N has orthonormal columns).
    let mut z_ref: Vec<f64> = match reference.filter(|r| r.len() == m) {
        Some(r) => null
            .iter()
            .map(|n| {
                n.iter()
                    .zip(r)
                    .zip(&lam0)
                    .map(|((a, b), c)| a * (b - c))
                    .sum()
            })
            .collect(),
        None => vec![0.0; nz],
    };
    // Exchange: the search's local maxima that break the asked margin become
    // constraints of the next solve; first with a round's ordinary search,
    // then (when that finds no violator, or after EXCHANGE_ROUNDS) with the
    // thorough search of the certificate check, which the ordinary one
    // misses points of (seed 21703: no violator after 6 rounds, then
    // |eta| = 1.0093 found by the check).
    let no_bnb = BnbSettings { max_dim: 0, ..*bnb };
    let dense = auto_dense_points(dim) / super::exchange::ROUND_DENSE_DIVISOR;
    let caps = Some((centres.as_slice(), cap));
    let mut best: [Option<(f64, Vec<f64>)>; 2] = [None, None];
    let mut thorough = false;
    let mut thorough_rounds = 0;
    let mut lambda = None;
    for round in 0..EXCHANGE_ROUNDS + THOROUGH_ROUNDS {
        if lambda.is_none() {
            let Some(x) = solve_active(&cons, nz, zmax, Some((t0, &z_ref)), &z_ref, t0)? else {
                break;
            };
            let l: Vec<f64> = (0..m)
                .map(|q| {
                    lam0[q]
                        + null
                            .iter()
                            .zip(&x[..nz])
                            .map(|(n, zi)| n[q] * zi)
                            .sum::<f64>()
                })
                .collect();
            if !l.iter().all(|v| v.is_finite()) {
                break;
            }
            // Proximal: the next solve stays near this one.
            z_ref = x[..nz].to_vec();
            lambda = Some(l);
        }
        let Some(l) = lambda.take() else { break };
        let field = EtaField::new(spec, plan, l.clone())?;
        let mut cands = dictionary_eta(dict, &l);
        let (estimate, maxima) = if thorough {
            thorough_rounds += 1;
            cands.extend(dense_eta(
                spec,
                plan,
                &l,
                super::sup::THOROUGH_DENSE_POINTS,
                sup.seed ^ (0x5B1 + round as u64),
            )?);
            let settings = SupSettings {
                starts: sup.starts * super::sup::THOROUGH_STARTS_FACTOR,
                merge_radius: super::ascent::MERGE_RADIUS,
                ..*sup
            };
            let r = sup_eta(&field, &cands, &settings, caps)?;
            (r.value, r.maxima)
        } else {
            cands.extend(dense_eta(
                spec,
                plan,
                &l,
                dense,
                sup.seed ^ (0x3A7 + round as u64),
            )?);
            let found = sup_bound(spec, plan, &field, &cands, sup, &no_bnb, None, |_| None)?;
            (found.estimate, found.maxima)
        };
        // The worst of the search's local maxima against the asked margin
        // (`|eta| + t0 weight`, at least the sup where that exceeds 1).
        let mut score = if estimate > 1.0 { estimate } else { 0.0 };
        let mut added = 0;
        for p in maxima.iter().take(EXCHANGE_ADD) {
            let (col, ps) = (unit.measure(&p.w)?, psi.value(&p.w)?);
            if ps <= 0.0 {
                continue;
            }
            let c = constraint(&p.w, &col, ps);
            score = score.max(p.eta.abs() + t0 * c.2);
            if p.eta.abs() + t0 * c.2 > 1.0 {
                cons.push(c);
                added += 1;
            }
        }
        // Keep the round with the best score, per kind of search (a score
        // of the ordinary search is not comparable with a thorough one).
        let slot = &mut best[usize::from(thorough)];
        if slot.as_ref().is_none_or(|(b, _)| score < *b) {
            *slot = Some((score, l.clone()));
        }
        if thorough && (added == 0 || thorough_rounds >= THOROUGH_ROUNDS) {
            break;
        }
        if !thorough && (added == 0 || round + 1 >= EXCHANGE_ROUNDS) {
            thorough = true;
            // No violator: the same lambda searched again, thoroughly.
            if added == 0 {
                lambda = Some(l);
            }
        }
    }
    let [weak, strong] = best;
    Ok(strong.or(weak).map(|(_, l)| l))
}
