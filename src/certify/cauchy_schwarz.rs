//! A proved bound of `sup |eta|` for `psi_mod` in any dimension: the
//! Cauchy-Schwarz inequality (docs/theory.md 6, the remark on Theorem 1,
//! and 9, "Lipschitz bound": "psi_mod: eta is bounded by |lambda|").
//!
//! With `psi_mod(w) = |A_K' sigma(g_w)|` and `K' >= K`, the vector
//! `A_K sigma(g_w)` keeps a subset of the coordinates of `A_K' sigma(g_w)`
//! with the same weights (`fourier::RealMap`: each frequency's coordinates
//! are `sqrt 2 Re`, `sqrt 2 Im`, whatever the cutoff), so for every unit
//! that does not vanish
//!
//! `|eta(w)| = |<lambda, A_K sigma(g_w)>| / |A_K' sigma(g_w)| <= |lambda|`.
//!
//! This uses no computed column: it holds for the true operator of problem
//! (11), in D = 9 (d = 2, K0 = 1) as in D = 3, where the branch-and-bound
//! of [`super::bound`] does not run. It is useful where `|lambda|` is (to
//! rounding) the largest value of `|eta|`: for a width-1 teacher,
//! `lambda = y / |y|` is the pre-certificate, `|lambda| = 1`, and the lower
//! end `<lambda, y> / max(1, |lambda|) = |y|` is the teacher's cost. Then
//! that end is proved, not estimated (the triangle inequality: every
//! measure with `A_K mu = y` costs at least `|y|`).

use super::bound::{BoundKind, EVAL_SLACK};
use super::eta::EtaPoint;
use super::sup::SupBound;
use crate::inr::psi::PsiKind;
use crate::spec::ProblemSpec;

/// The Cauchy-Schwarz bound replaces a searched `sup |eta|` (as a proof)
/// only when it is at most `max(1, estimate) (1 + CAUCHY_SCHWARZ_TOL)`: a
/// lower end `dual / max(1, sup)` then loses at most this much (relative)
/// against the estimate's. Far above the estimate (`|lambda| > 1` for
/// width >= 2 teachers, typically by percents) the bound is true but useless,
/// and the estimate stays.
pub const CAUCHY_SCHWARZ_TOL: f64 = 1e-9;

/// `|lambda| (1 + EVAL_SLACK)`, a proved bound of `sup |eta|` over the whole
/// sphere, for `psi_mod` with `K' >= K`; None for other psi (or `K' < K`).
pub fn cauchy_schwarz_bound(spec: &ProblemSpec, lambda: &[f64]) -> Option<f64> {
    match spec.psi {
        PsiKind::Mod { k_prime } if k_prime >= spec.k => {
            let n = crate::numeric::norm2(lambda);
            n.is_finite().then_some(n * (1.0 + EVAL_SLACK))
        }
        _ => None,
    }
}

/// Whether the bound `cs` may replace `estimate` as the printed `sup`:
/// at most `target` (the caller's, for a margin below 1 or a lower end),
/// and within [`CAUCHY_SCHWARZ_TOL`] of `max(1, estimate)`.
pub fn usable(cs: f64, estimate: f64, target: Option<f64>) -> bool {
    target.is_some_and(|t| cs <= t) && cs <= estimate.max(1.0) * (1.0 + CAUCHY_SCHWARZ_TOL)
}

/// Makes `sup` a proof by [`cauchy_schwarz_bound`] when [`usable`]
/// (value `max(cs, estimate)`, kind proved, `proved_upper` the bound, the
/// note saying so); returns whether it did.
pub fn promote(
    spec: &ProblemSpec,
    lambda: &[f64],
    sup: &mut SupBound,
    target: Option<f64>,
) -> bool {
    let Some(cs) = cauchy_schwarz_bound(spec, lambda) else {
        return false;
    };
    if !usable(cs, sup.estimate, target) {
        return false;
    }
    sup.value = cs.max(sup.estimate);
    sup.kind = BoundKind::Proved;
    sup.proved_upper = Some(cs);
    sup.note = format!(
        "proved by Cauchy-Schwarz: |eta| <= |lambda| = {cs:.12} on the whole sphere (psi_mod, K' >= K; search estimate {:.12})",
        sup.estimate
    );
    true
}

/// The final bracket's bound without its thorough search, when no search
/// can change it: `cs <= 1 + CAUCHY_SCHWARZ_TOL` is below every target
/// `max(1, e) (1 + eps / 10)` of `refine`'s final bound and within the
/// tolerance of `max(1, e)` for any estimate `e`, so [`promote`] would
/// replace whatever the search found by `cs`. The estimate is the largest
/// `|eta|` over `candidates` (the dictionary's columns, no ascent).
pub fn without_search(
    spec: &ProblemSpec,
    lambda: &[f64],
    candidates: &[EtaPoint],
) -> Option<SupBound> {
    let cs = cauchy_schwarz_bound(spec, lambda)?;
    if cs > 1.0 + CAUCHY_SCHWARZ_TOL {
        return None;
    }
    let best = candidates
        .iter()
        .filter(|p| p.eta.is_finite())
        .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()));
    let estimate = best.map_or(0.0, |p| p.eta.abs());
    Some(proved_sup(
        cs.max(estimate),
        cs,
        estimate,
        best.cloned(),
        true,
        format!(
            "proved by Cauchy-Schwarz: |eta| <= |lambda| = {cs:.12} on the whole sphere (psi_mod, K' >= K); no search can change this bound, so the thorough search was skipped (estimate: the dictionary's columns, {} of them)",
            candidates.len()
        ),
    ))
}

/// A bound of the sup proved by Cauchy-Schwarz (`cs`), without a
/// search beyond `estimate` (at `argmax`; `searched` false when no point
/// was evaluated).
fn proved_sup(
    value: f64,
    cs: f64,
    estimate: f64,
    argmax: Option<EtaPoint>,
    searched: bool,
    note: String,
) -> SupBound {
    SupBound {
        value,
        kind: BoundKind::Proved,
        estimate,
        argmax,
        proved_upper: Some(cs),
        thin_bump_limit: None,
        point_limit: None,
        boundary_limits: None,
        bnb: None,
        maxima: Vec::new(),
        searched,
        note,
    }
}

/// psi_mod with `K' >= K`: a proved lower end of value(11) without any
/// search, `(|y| - delta) / (1 + EVAL_SLACK)`. Every measure with
/// `|A_K mu - y| <= delta` costs
///
/// `sum |c_j| psi_mod(w_j) >= sum |c_j| |A_K sigma(g_{w_j})| >= |A_K mu| >= |y| - delta`
///
/// (the coordinates of `A_K` are among those of `A_K'`, then the triangle
/// inequality twice). It is the lower end of `lambda = y / |y|` with the
/// Cauchy-Schwarz bound of its sup. `refine` uses it in decide mode
/// (`certify --decide`), where a cheaper verified measure has already
/// decided the verdict and the bracket is valid, not tightened: it replaces
/// a thorough search that took 35 of 43 s on a width-2 teacher, and was
/// above the searched lower end on five of six width-2 quick-preset
/// teachers measured. Returns the bound of the sup (proved), the lower end
/// and `lambda`; None for other psi, `K' < K`, or `y = 0`.
pub fn data_norm_lower(
    spec: &ProblemSpec,
    y: &[f64],
    delta: f64,
) -> Option<(SupBound, f64, Vec<f64>)> {
    let n = crate::numeric::norm2(y);
    if !(n.is_finite() && n > 0.0) {
        return None;
    }
    let lambda: Vec<f64> = y.iter().map(|v| v / n).collect();
    let cs = cauchy_schwarz_bound(spec, &lambda)?;
    let dual = lambda.iter().zip(y).map(|(a, b)| a * b).sum::<f64>()
        - delta * crate::numeric::norm2(&lambda);
    let value = cs.max(1.0);
    // No search: the estimate is the largest |eta| over an empty set.
    let sup = proved_sup(
        value,
        cs,
        0.0,
        None,
        false,
        format!(
            "proved by Cauchy-Schwarz for lambda = y / |y|: |eta| <= |lambda| = {cs:.12} on the whole sphere (psi_mod, K' >= K), so every feasible measure costs at least |y| - delta; no search was made"
        ),
    );
    Some((sup, dual / value, lambda))
}

/// The bracket of the first LP closed by [`decide_lower`] alone, without
/// any search: where the verified measure of the LP on the initial
/// dictionary costs at most `eps` (relative, psi_mod's refinement
/// tolerance) above the proved lower end `(|y| - delta) / (1 +
/// EVAL_SLACK)`. This is the case of a width-1 psi_mod teacher (its cost
/// is `|y|`, and the LP finds its atom): there the search of the LP's
/// `lambda` (about 1 s of a 5 s verdict on trial 0 of the refinement
/// target) only confirmed a bracket that the data norm already closes.
/// The measure is verified only when the LP's value is within
/// [`DATA_NORM_PRECHECK`] times `eps` of the lower end (so wider teachers,
/// whose LP costs 6 to 34 % more, skip it). Returns the bound of the sup,
/// the lower end, its `lambda` and the measure; None when the bracket does
/// not close (then `refine` searches as usual).
pub(super) fn closed_by_data_norm(
    spec: &ProblemSpec,
    plan: &crate::dictionary::DiscretizationPlan,
    dict: &crate::dictionary::Dictionary,
    y: &[f64],
    opts: &super::refine::SolveOptions,
    (c, value): (&[f64], f64),
) -> crate::error::Result<Option<DataNormClosing>> {
    let Some((sup, lower, lambda)) = decide_lower(spec, plan, y, opts) else {
        return Ok(None);
    };
    let eps = opts.refine.eps_for(&spec.psi);
    // Only a pre-filter of the shortcut: a skipped check leaves the usual path.
    let near = value - lower <= DATA_NORM_PRECHECK * eps * value.abs();
    if !near {
        return Ok(None);
    }
    let measure =
        super::verified::candidate_measure(spec, plan, dict, c, None, y, opts.delta, &opts.verify)?;
    let closes =
        measure.verified && lower.is_finite() && measure.cost - lower <= eps * measure.cost.abs();
    Ok(closes.then_some(DataNormClosing {
        sup,
        lower,
        lambda,
        measure,
    }))
}

/// [`closed_by_data_norm`] verifies the first LP's measure only when the
/// LP's value is within this many times `eps` of the data-norm lower end.
/// The verified measure polishes the LP's and costs about as much, so a
/// larger gap cannot close; the filter saves that verification on every
/// psi_mod teacher of width 2 or more.
pub const DATA_NORM_PRECHECK: f64 = 10.0;

/// A bracket closed by the data norm ([`closed_by_data_norm`]).
pub(super) struct DataNormClosing {
    /// The Cauchy-Schwarz bound of the sup for `lambda = y / |y|` (proved).
    pub sup: SupBound,
    /// The proved lower end.
    pub lower: f64,
    /// `y / |y|`.
    pub lambda: Vec<f64>,
    /// The verified measure of the first LP (the upper end).
    pub measure: super::verified::VerifiedMeasure,
}

/// [`data_norm_lower`] where `refine` uses it in decide mode: on exact
/// columns where the final bound would be an estimate (not where
/// branch-and-bound proves a better one, d = 1, nor on quadrature plans,
/// whose bracket is re-derived after the solve).
pub(super) fn decide_lower(
    spec: &ProblemSpec,
    plan: &crate::dictionary::DiscretizationPlan,
    y: &[f64],
    opts: &super::refine::SolveOptions,
) -> Option<(SupBound, f64, Vec<f64>)> {
    if !plan.exact
        || super::sup::bnb_applies(spec, plan, &opts.bnb)
        || super::exact_recheck::applies(spec, plan)
    {
        return None;
    }
    data_norm_lower(spec, y, opts.delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_norm_lower_end_is_offered_for_psi_mod_only() {
        use crate::spec::SpecInput;
        let spec = |psi: &str, psi_k: Option<i64>| {
            SpecInput {
                d: Some(2),
                k0: Some(1),
                k: Some(2),
                psi: Some(psi.into()),
                psi_k,
                seed: Some(1),
                ..Default::default()
            }
            .build()
            .expect("valid spec")
        };
        // y = (3, 4, 0, ...): |y| = 5; with delta = 0.5 the end is 4.5
        // (over 1 + EVAL_SLACK).
        let mut y = vec![0.0; 25];
        y[0] = 3.0;
        y[1] = 4.0;
        let (sup, lower, lambda) =
            data_norm_lower(&spec("mod", None), &y, 0.5).expect("psi_mod, K' = K");
        assert_eq!(sup.kind, BoundKind::Proved);
        assert!((lower - 4.5 / (1.0 + EVAL_SLACK)).abs() <= 1e-14);
        assert!((lambda[0] - 0.6).abs() <= 1e-15 && (lambda[1] - 0.8).abs() <= 1e-15);
        assert!(data_norm_lower(&spec("mod", Some(1)), &y, 0.0).is_none());
        assert!(data_norm_lower(&spec("std", None), &y, 0.0).is_none());
        assert!(data_norm_lower(&spec("pre", None), &y, 0.0).is_none());
        assert!(data_norm_lower(&spec("mod", None), &[0.0; 25], 0.0).is_none());
    }

    #[test]
    fn the_bound_is_used_only_near_the_estimate_and_below_the_target() {
        let lower_target = |e: f64| Some(e.max(1.0) * (1.0 + 1e-6));
        // |lambda| = 1 to rounding, estimate 1: proved.
        assert!(usable(1.0 + 1e-12, 1.0, lower_target(1.0)));
        // Above the estimate by more than the tolerance: the estimate stays,
        // although the target would allow it (the lower end would drop).
        assert!(!usable(1.0 + 1e-7, 1.0, lower_target(1.0)));
        // A width-2 teacher's lambda: far above.
        assert!(!usable(1.04, 1.01, lower_target(1.01)));
        // A margin's target (below 1): never met by |lambda| >= 1.
        assert!(!usable(1.0, 0.9, Some(0.95)));
        // No target: the caller does not want a proof.
        assert!(!usable(1.0, 1.0, None));
    }
}
