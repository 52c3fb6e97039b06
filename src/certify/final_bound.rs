//! The bound of `sup |eta|` behind the final bracket's lower end
//! (docs/theory.md 5 and 9): the thorough search of [`final_bound`], or,
//! in `certify`, the searches of a certificate that passed for the
//! hypothesis's support ([`certificate_first`]).
//!
//! Any `lambda` gives the lower end `dual(lambda) / max(1, sup |eta|)`. A
//! passing certificate's checks search `|eta|` inside the caps around the
//! support, at its atoms, and outside the caps (a thorough search: the
//! dictionary, two dense designs and [`THOROUGH_STARTS_FACTOR`] times the
//! ascents), so the largest value they found bounds the sup as well as the
//! final thorough search of another `lambda` would, and `certify` checks
//! that certificate anyway. When its lower end closes the bracket, the
//! thorough search of [`final_bound`] is not made (it cost 1.0 to 1.9 s of
//! a 2.5 to 6 s d = 2 `certify`).

use super::CertificateReport;
use super::bound::BnbSettings;
use super::bracket::{CertificateCheck, SolveOptions};
use super::eta::{EtaField, SupSettings, dense_eta, dictionary_eta};
use super::refine::FINAL_STARTS_FACTOR;
use super::sup::{SupBound, THOROUGH_STARTS_FACTOR, bnb_applies, sup_bound};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;

/// The lower end `dual / max(1, bound)` of `lambda` (dual value `dual`),
/// with the [`final_bound`] of its fresh field; returns the bound, the
/// lower end and `lambda`.
pub(super) fn lower_end_of(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    opts: &SolveOptions,
    lambda: Vec<f64>,
    dual: f64,
) -> Result<(SupBound, f64, Vec<f64>)> {
    let field = EtaField::new(spec, plan, lambda.clone())?;
    let fin = final_bound(spec, plan, dict, &field, opts)?;
    let lower = dual / fin.value.max(1.0);
    Ok((fin, lower, lambda))
}

/// The bound of `sup |eta|` for the final bracket: a thorough search (the
/// dictionary, the full dense design, [`FINAL_STARTS_FACTOR`] (or
/// [`THOROUGH_STARTS_FACTOR`]) times the ascents) and the branch-and-bound where it applies, with target
/// `max(1, estimate) (1 + eps / 10)`. For psi_mod with `K' >= K` and
/// `|lambda| <= 1 + CAUCHY_SCHWARZ_TOL` no search is made: the
/// Cauchy-Schwarz bound (super::cauchy_schwarz) proves what any search's
/// value would be replaced by.
pub(super) fn final_bound(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    field: &EtaField,
    opts: &SolveOptions,
) -> Result<SupBound> {
    let eps = opts.refine.eps_for(&spec.psi);
    let lambda = field.lambda();
    let mut candidates = dictionary_eta(dict, lambda);
    if let Some(b) = super::cauchy_schwarz::without_search(spec, lambda, &candidates) {
        return Ok(b);
    }
    candidates.extend(dense_eta(
        spec,
        plan,
        lambda,
        opts.sup.dense_points,
        opts.sup.seed,
    )?);
    let factor = if bnb_applies(spec, plan, &opts.bnb) {
        FINAL_STARTS_FACTOR
    } else {
        THOROUGH_STARTS_FACTOR
    };
    // The thorough search merges its ascents (super::ascent::MERGE_RADIUS;
    // psi std and pre); the round searches, which steer the refinement,
    // do not.
    let sup = SupSettings {
        starts: opts.sup.starts * factor,
        merge_radius: super::ascent::MERGE_RADIUS,
        ..opts.sup
    };
    sup_bound(spec, plan, field, &candidates, &sup, &opts.bnb, None, |e| {
        Some(e.max(1.0) * (1.0 + 0.1 * eps))
    })
}

/// Whether the final bound of `lambda` could come from a certificate: the
/// plan's columns are exact and the final bound is an estimate (no
/// branch-and-bound, no Cauchy-Schwarz proof, no re-check on exact columns
/// after the solve). Elsewhere the final bound may be proved, or the
/// bracket is re-derived on other columns, and the thorough search stays.
fn certificate_may_replace(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    lambda: &[f64],
    bnb: &BnbSettings,
) -> bool {
    plan.exact
        && !bnb_applies(spec, plan, bnb)
        && !super::exact_recheck::applies(spec, plan)
        && super::cauchy_schwarz::without_search(spec, lambda, &dictionary_eta(dict, lambda))
            .is_none()
}

/// What [`certificate_first`] found.
pub(super) struct CertificateFirst {
    /// The strict certificate, for the caller's verdict (None: no
    /// candidate passed the strict tier).
    pub(super) report: Option<CertificateReport>,
    /// When it passed and its lower end closes the bracket (to the
    /// refinement tolerance of `best_upper`): the bound of the sup (its
    /// searches' largest `|eta|`, estimated), the lower end and its
    /// `lambda`.
    pub(super) closing: Option<(SupBound, f64, Vec<f64>)>,
}

/// The hypothesis's certificate checked with the final LP's `lambda` and
/// the refinement's (`system_lambda`), on the final dictionary, strict
/// tier only (a weaker pass, or one of the costlier later candidates, is
/// left to the caller's full check after the solve); None where
/// [`certificate_may_replace`] does not hold for `primary_lambda` (then the
/// caller makes the thorough search as before).
#[allow(clippy::too_many_arguments)]
pub(super) fn certificate_first(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    check: CertificateCheck<'_>,
    (lp_lambda, system_lambda): (&[f64], Option<&[f64]>),
    best_upper: f64,
) -> Result<Option<CertificateFirst>> {
    let primary = system_lambda.unwrap_or(lp_lambda);
    if !certificate_may_replace(spec, plan, dict, primary, &opts.bnb) {
        return Ok(None);
    }
    let report = (check.0)(lp_lambda, system_lambda, dict)?;
    let eps = opts.refine.eps_for(&spec.psi);
    let closing = report
        .as_ref()
        .and_then(|r| super::exact_bracket::certificate_lower(r, y, opts.delta))
        .filter(|l| l.lower.is_finite() && best_upper - l.lower <= eps * best_upper.abs())
        .map(|l| (l.sup, l.lower, l.lambda));
    Ok(Some(CertificateFirst { report, closing }))
}
