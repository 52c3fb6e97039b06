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
    Some(SupBound {
        value: cs.max(estimate),
        kind: BoundKind::Proved,
        estimate,
        argmax: best.cloned(),
        proved_upper: Some(cs),
        thin_bump_limit: None,
        point_limit: None,
        boundary_limits: None,
        bnb: None,
        maxima: Vec::new(),
        note: format!(
            "proved by Cauchy-Schwarz: |eta| <= |lambda| = {cs:.12} on the whole sphere (psi_mod, K' >= K); no search can change this bound, so the thorough search was skipped (estimate: the dictionary's columns, {} of them)",
            candidates.len()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
