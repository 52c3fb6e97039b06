//! The LP dual on a denser dictionary: the last certificate candidate for a
//! teacher that is a solution (docs/theory.md 5, optimality and uniqueness
//! conditions; 9, checks).
//!
//! On a coarse dictionary (2 000 points on S^8 in d = 2, K0 = 1: the
//! nearest column is often 0.5 rad away) the refinement can end at a
//! degenerate `lambda` whose `eta` is -1 at a second, zero-mass atom, and
//! the max-margin candidate's proximal exchange then wanders where the
//! dictionary has no columns (conjecture A, d = 2, K = 2, psi_std, seed
//! 64433: every candidate had margin 0 on the 2 000-point grid, while
//! `--grid-points 20000` gave an LP dual with margin 2.0e-3). This module
//! solves (P_N) once more on the dictionary plus a fresh design of
//! [`DENSE_DUAL_POINTS`] directions, refined as the verdict's solve is
//! (same options), and proposes its final LP's dual. Like every
//! candidate it proves nothing by itself: it is checked on the whole
//! sphere ([`super::check_candidate`]).

use crate::convex::columns::usable;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;

use super::bracket::SolveOptions;

/// Default of [`super::CertifySettings::dense_dual_points`]: with the
/// default 2 000-point grid, about 20 000 columns (what `--grid-points
/// 20000` gives, which certified the cases that motivated it).
pub const DENSE_DUAL_POINTS: usize = 18_000;

/// Largest accepted [`super::CertifySettings::dense_dual_points`] (that of
/// `--grid-points`).
pub const MAX_DENSE_DUAL_POINTS: usize = 10_000_000;

/// The seed (xor the spec's) of the fresh design: other directions than the
/// grid's (seeded by the spec's seed alone).
pub const DENSE_DUAL_SEED: u64 = 0xD5_D0A1;

/// The dual of (P_N) on `dict` plus `points` fresh directions (on the
/// dictionary's operator), with the enlarged dictionary; None when the LP's
/// status has no usable solution (the candidate is then not proposed).
pub fn dense_lp_dual(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    points: usize,
) -> Result<Option<(Vec<f64>, Dictionary)>> {
    if points == 0 {
        return Ok(None);
    }
    let grid =
        crate::sphere::SphereGrid::new(spec.feature_dim(), points, DENSE_DUAL_SEED ^ spec.seed)?;
    let mut dense = dict.clone();
    dense.append(spec, &grid.points)?;
    debug_assert_eq!(dense.plan.exact, plan.exact);
    // Refined as the verdict's own solve is (the LP dual of a fixed
    // dictionary, however dense, exceeds 1 between its columns: by 5 to 7 %
    // on the cases above), so that its final LP's dual is the candidate.
    // Only the final LP's lambda is used: the sliding step, which lowers
    // the cost of the final measure (up to minutes on hundreds of atoms),
    // is skipped, and so are the measure and the final thorough search
    // where it cannot reopen the refinement (`Guide::lambda_only`).
    let mut no_slide = *opts;
    no_slide.verify.slide = false;
    let guide = super::refine::Guide {
        lambda_only: true,
        ..Default::default()
    };
    let solve = super::refine::solve_certified_hinted(
        spec,
        plan,
        &mut dense,
        y,
        &no_slide,
        guide,
        &mut |_| {},
    )?;
    if !usable(&solve.grid) {
        return Ok(None);
    }
    Ok(Some((solve.grid.lp.lambda, dense)))
}

/// `cert` (the best of the other candidates for `support`), or the dense LP
/// dual's report when `cert` does not pass the strict tier and the dense
/// one ranks better ([`super::tiers::keep_better`]).
#[allow(clippy::too_many_arguments)]
pub fn or_dense_dual(
    cert: super::CertificateReport,
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[super::precert::SupportAtom],
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    cs: &super::CertifySettings,
) -> Result<super::CertificateReport> {
    if cert.tier == Some(super::Tier::Strict) || support.is_empty() {
        return Ok(cert);
    }
    let Some((lambda, dense)) = dense_lp_dual(spec, plan, dict, y, opts, cs.dense_dual_points)?
    else {
        return Ok(cert);
    };
    let cand = super::check_candidate(
        spec,
        plan,
        support,
        super::CertificateKind::DenseLpDual,
        lambda,
        Some(&dense),
        cs,
    )?;
    let fallback = cert.clone();
    let mut best = Some(cert);
    super::tiers::keep_better(&mut best, cand);
    Ok(best.unwrap_or(fallback))
}
