//! The certificate's candidates and their checks (docs/theory.md 5, "Dual
//! certificates"): each `lambda` is checked at the atoms and inside the
//! caps ([`check_near`]), then outside them ([`check_outside`]: the search
//! of `sup |eta|`, thorough where no branch-and-bound applies); the
//! candidates are tried in turn until one passes the strict tier
//! ([`certificate_report`]).

use super::bound::BoundKind;
use super::eta::{EtaField, SupSettings, dense_eta, dictionary_eta, sup_eta};
use super::local_max::{NearSupport, near_support};
use super::precert::{SupportAtom, vanishing_derivative};
use super::tiers::{assign_tier, keep_better};
use super::{
    CertificateKind, CertificateReport, CertifySettings, Tier, ascent, effective_cap, precert, sup,
};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;

/// Checks one `lambda` against the support on the whole sphere.
#[allow(clippy::too_many_arguments)]
fn check_lambda(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    kind: CertificateKind,
    lambda: Vec<f64>,
    grid: Option<&Dictionary>,
    pre: &precert::PreCertificate,
    s: &CertifySettings,
) -> Result<CertificateReport> {
    let near = check_near(spec, plan, support, kind, lambda, pre, s)?;
    check_outside(spec, plan, near, grid, s)
}

/// The first half of a check: `eta` at the atoms and inside the caps, and
/// the Hessians (the report's margin not yet searched: `margin` infinite).
fn check_near(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    kind: CertificateKind,
    lambda: Vec<f64>,
    pre: &precert::PreCertificate,
    s: &CertifySettings,
) -> Result<(EtaField, CertificateReport)> {
    let field = EtaField::new(spec, plan, lambda.clone())?;
    let cap = effective_cap(support, s.cap_radius);
    let centres: Vec<Vec<f64>> = support.iter().map(|a| a.w.clone()).collect();
    // At the atoms, inside the caps (samples plus ascent), and the Hessian.
    let NearSupport {
        eta_at,
        support_error,
        inside,
        local_max,
    } = near_support(&field, support, &centres, cap, &s.sup)?;
    let report = CertificateReport {
        kind,
        eta_at_support: eta_at,
        support_error,
        margin: f64::INFINITY,
        margin_kind: BoundKind::Proved,
        margin_estimate: f64::INFINITY,
        margin_note: String::new(),
        argmax_outside: None,
        maxima_outside: Vec::new(),
        cap_radius: cap,
        inside_max: inside.as_ref().map_or(0.0, |p| p.eta.abs()),
        argmax_inside: inside,
        local_max,
        tier: None,
        failure: String::new(),
        support_conditioning: pre.support_conditioning,
        precert_residual: pre.relative_residual,
        lambda,
        centres,
        exact_columns: plan.exact,
        grid: None,
    };
    Ok((field, report))
}

/// Whether a [`check_near`] report can still pass the strict tier: every
/// condition but the margin (still infinite) holds.
fn strict_possible(near: &CertificateReport, s: &CertifySettings) -> bool {
    super::tiers::tier_failure(near, &s.strict, s.estimated_margin_floor).is_none()
}

/// The second half: the search of `sup |eta|` outside the caps (then the
/// branch-and-bound where it applies), the margin, and the tier.
fn check_outside(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    (field, mut report): (EtaField, CertificateReport),
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<CertificateReport> {
    let lambda = report.lambda.clone();
    let mut candidates = grid.map(|d| dictionary_eta(d, &lambda)).unwrap_or_default();
    candidates.extend(dense_eta(
        spec,
        plan,
        &lambda,
        s.sup.dense_points,
        s.sup.seed ^ 0xCE27,
    )?);
    let strict_margin = s.strict.min_margin;
    // Prove at least half the estimated margin; when the estimate is not
    // below 1 there is nothing to prove (the check fails anyway).
    let target = |est: f64| {
        let m = 1.0 - est;
        (m > 2.0 * strict_margin).then_some(1.0 - 0.5 * m)
    };
    let caps = Some((report.centres.as_slice(), report.cap_radius));
    let mut bound = sup::sup_bound(
        spec,
        plan,
        &field,
        &candidates,
        &s.sup,
        &s.bnb,
        caps,
        target,
    )?;
    // No branch-and-bound: a certificate that passes on the ordinary search
    // is searched again, thoroughly, before its margin is printed (the twin
    // of tests/unique_twin.rs, 64x the ascents and a 40 000-point design,
    // found the ordinary estimates' margins 8 to 44 % too large). Only the
    // plain search is repeated: the thin-bump and psi_mod limit searches of
    // `sup_bound` do not depend on the starts and were counted above.
    if !sup::bnb_applies(spec, plan, &s.bnb) && bound.estimate <= 1.0 {
        candidates.extend(dense_eta(
            spec,
            plan,
            &lambda,
            sup::THOROUGH_DENSE_POINTS,
            s.sup.seed ^ 0x7402,
        )?);
        let thorough = SupSettings {
            starts: s.sup.starts * sup::THOROUGH_STARTS_FACTOR,
            merge_radius: ascent::MERGE_RADIUS,
            ..s.sup
        };
        let r = sup_eta(&field, &candidates, &thorough, caps)?;
        if r.value > bound.estimate {
            bound.estimate = r.value;
            bound.value = r.value;
            bound.argmax = r.argmax;
        }
        bound.maxima.extend(r.maxima);
        bound
            .maxima
            .sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    }
    report.margin = 1.0 - bound.value;
    report.margin_kind = bound.kind;
    report.margin_estimate = 1.0 - bound.estimate;
    report.margin_note = bound.note.clone();
    report.argmax_outside = bound.argmax.clone();
    report.maxima_outside = std::mem::take(&mut bound.maxima);
    assign_tier(&mut report, s);
    Ok(report)
}

/// Checks one `lambda` for `support` on the whole sphere, as
/// [`certificate_report`] checks each of its candidates (`grid`: the
/// dictionary whose columns join the sup search's starts).
pub fn check_candidate(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    kind: CertificateKind,
    lambda: Vec<f64>,
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<CertificateReport> {
    s.validate()?;
    let pre = vanishing_derivative(spec, plan, support)?;
    check_lambda(spec, plan, support, kind, lambda, grid, &pre, s)
}

/// The first candidates of [`certificate_report`], in order: the
/// pre-certificate (when consistent), the LP dual, the system's `lambda`.
fn first_candidates<'a>(
    pre: &'a precert::PreCertificate,
    lp_lambda: Option<&'a [f64]>,
    system_lambda: Option<&'a [f64]>,
    s: &CertifySettings,
) -> Vec<(CertificateKind, Option<&'a [f64]>)> {
    let mut firsts = Vec::new();
    if pre.relative_residual <= s.precert_tol {
        firsts.push((CertificateKind::PreCertificate, Some(pre.lambda.as_slice())));
    }
    firsts.push((CertificateKind::LpDual, lp_lambda));
    firsts.push((CertificateKind::OptimalitySystem, system_lambda));
    firsts
}

/// The report of [`certificate_report`] when one of its first candidates
/// passes the strict tier (it is then the first that does, and a strict
/// pass is what [`certificate_report`] returns, whatever the later
/// candidates would give); None when none does, without the later, costlier
/// candidates (the max-margin member, the dense dual). Candidates that
/// cannot pass the strict tier inside the caps are not searched outside.
pub fn strict_certificate(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    lp_lambda: Option<&[f64]>,
    system_lambda: Option<&[f64]>,
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<Option<CertificateReport>> {
    s.validate()?;
    let pre = vanishing_derivative(spec, plan, support)?;
    for (kind, lam) in first_candidates(&pre, lp_lambda, system_lambda, s) {
        let Some(lam) = lam else { continue };
        let near = check_near(spec, plan, support, kind, lam.to_vec(), &pre, s)?;
        if strict_possible(&near.1, s) {
            let r = check_outside(spec, plan, near, grid, s)?;
            if r.tier == Some(Tier::Strict) {
                return Ok(Some(r));
            }
        }
    }
    Ok(None)
}

/// Certifies `support` (unit directions with signs): the pre-certificate
/// first, the LP dual `lp_lambda` as the fallback; the better tier wins
/// (the pre-certificate on a tie).
pub fn certificate_report(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    lp_lambda: Option<&[f64]>,
    system_lambda: Option<&[f64]>,
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<CertificateReport> {
    s.validate()?;
    let pre = vanishing_derivative(spec, plan, support)?;
    let report = |kind: CertificateKind, lambda: Vec<f64>| -> Result<CertificateReport> {
        check_lambda(spec, plan, support, kind, lambda, grid, &pre, s)
    };
    // The candidates in turn, until one passes the strict tier. One that
    // cannot pass it whatever its margin (at the atoms, inside the caps, the
    // Hessians, the conditioning) is searched outside the caps only when no
    // later one passes it: a strict pass wins over any other tier, so the
    // outcome is that of checking each in turn, without their searches
    // (the thorough one: 1.3 to 1.9 s on a d = 2 teacher whose LP dual
    // failed inside the caps before the system's lambda passed).
    let firsts = first_candidates(&pre, lp_lambda, system_lambda, s);
    let mut checked: Vec<(usize, CertificateReport)> = Vec::new();
    let mut waiting = Vec::new();
    let strict =
        |c: &[(usize, CertificateReport)]| c.iter().any(|(_, r)| r.tier == Some(Tier::Strict));
    for (i, (kind, lam)) in firsts.into_iter().enumerate() {
        let Some(lam) = lam.filter(|_| !strict(&checked)) else {
            continue;
        };
        let near = check_near(spec, plan, support, kind, lam.to_vec(), &pre, s)?;
        if strict_possible(&near.1, s) {
            checked.push((i, check_outside(spec, plan, near, grid, s)?));
        } else {
            waiting.push((i, near));
        }
    }
    if !strict(&checked) {
        for (i, near) in waiting {
            checked.push((i, check_outside(spec, plan, near, grid, s)?));
        }
    }
    checked.sort_by_key(|(i, _)| *i);
    let mut best: Option<CertificateReport> = None;
    for (_, r) in checked {
        keep_better(&mut best, r);
    }
    // The others sit where the dual face touches |eta| = 1 (margin 0)
    // more often than not when they fail: propose the face's member with
    // the largest margin on the dictionary, checked like the others.
    if best.as_ref().is_none_or(|b| b.tier != Some(Tier::Strict))
        && pre.relative_residual <= s.precert_tol
        && let Some(dict) = grid
        && let Some(lam) = super::max_margin::max_margin_lambda(
            spec,
            plan,
            support,
            dict,
            best.as_ref().map(|b| b.lambda.as_slice()),
            s,
        )?
    {
        keep_better(&mut best, report(CertificateKind::MaxMargin, lam)?);
    }
    match best {
        Some(b) => Ok(b),
        // Inconsistent pre-certificate and no LP dual: report the
        // least-squares lambda honestly (no tier can pass its support check).
        None => report(CertificateKind::PreCertificate, pre.lambda.clone()),
    }
}
