//! The brute-force twin of a certificate's margin (docs/theory.md 5, 9;
//! `certify --twin`).
//!
//! Where no branch-and-bound proves `sup |eta|` outside the caps (D = 9 for
//! d = 2, K0 = 1) a printed margin is a search estimate. The twin searches
//! the same `lambda` again, from scratch: a random design of
//! [`TWIN_DESIGN_POINTS`] directions with its own seed, [`TWIN_STARTS_FACTOR`]
//! times the ordinary search's ascents (twice the thorough search's), each
//! run to its end ([`TWIN_ITERS_FACTOR`] times the iterations, no merging
//! with earlier maxima). It shares the operator (the columns behind `eta`)
//! with the check, not the search: it is the slower twin of the search,
//! not of the columns. For psi_mod it repeats the plain search only (the
//! limits of vanishing units are not searched again).
//!
//! The certificate is then re-tiered with the smaller of the two margins:
//! a `unique` verdict it no longer supports becomes `inconclusive`
//! ([`apply_twin`]); a proved margin the twin contradicts is reported the
//! same way (a proof that a search beats is a bug).

use super::bound::BoundKind;
use super::eta::{Caps, EtaField, EtaPoint, SupResult, SupSettings, dense_eta, sup_eta};
use super::report::CertifyReport;
use super::verdict::{Verdict, verdict_plan};
use super::{CertificateReport, CertifySettings, Tier};
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::inr::psi::PsiKind;
use crate::spec::ProblemSpec;
use serde::Serialize;

/// Random directions of the twin's design (the ordinary search uses
/// [`super::eta::auto_dense_points`], the thorough one 20 000 more).
pub const TWIN_DESIGN_POINTS: usize = 40_000;
/// Ascents, as a multiple of the ordinary search's starts.
pub const TWIN_STARTS_FACTOR: usize = 64;
/// Iterations per ascent, as a multiple of the ordinary search's.
pub const TWIN_ITERS_FACTOR: usize = 5;
/// Mixed into the search seed for the twin's design (no other search uses
/// it).
const TWIN_SEED_SALT: u64 = 0x7A1_7A1;

/// What the twin found.
#[derive(Debug, Clone, Serialize)]
pub struct TwinCheck {
    /// The largest `|eta|` the twin found outside the caps.
    pub sup_outside: f64,
    /// `1 - sup_outside`.
    pub margin: f64,
    /// Where.
    pub argmax: Option<EtaPoint>,
    /// The margin the certificate printed before the twin.
    pub printed_margin: f64,
    /// The certificate still passes a tier with the smaller margin.
    pub passes: bool,
    /// That tier (None: none).
    pub tier: Option<Tier>,
    /// Why it does not (empty when it does).
    pub failure: String,
    /// Evaluations of `eta` the twin made.
    pub evaluations: usize,
    /// Wall time (s).
    pub seconds: f64,
    /// What the twin does not cover (psi_mod limits), or empty.
    pub note: String,
}

/// The size of a brute-force search ([`twin_search`]).
#[derive(Debug, Clone, Copy)]
pub struct TwinSearch {
    /// Random directions of the design.
    pub design_points: usize,
    /// Seed of the design.
    pub seed: u64,
    /// Ascents, as a multiple of the ordinary search's starts.
    pub starts_factor: usize,
}

/// The brute-force search of `sup |eta_lambda|` outside `caps` (all of the
/// sphere when None) on `plan`'s operator: a random design of
/// `search.design_points` directions, `search.starts_factor` times `sup`'s
/// ascents, each run to its end ([`TWIN_ITERS_FACTOR`] times the
/// iterations, no merging with earlier maxima). [`twin_check`] and the
/// tests' twins share it.
pub fn twin_search(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    lambda: &[f64],
    caps: Caps<'_>,
    search: &TwinSearch,
    sup: &SupSettings,
) -> Result<SupResult> {
    let field = EtaField::new(spec, plan, lambda.to_vec())?;
    let design = dense_eta(spec, plan, lambda, search.design_points, search.seed)?;
    let settings = SupSettings {
        starts: search.starts_factor * sup.starts,
        ascent_iters: TWIN_ITERS_FACTOR * sup.ascent_iters,
        merge_radius: 0.0,
        ..*sup
    };
    sup_eta(&field, &design, &settings, caps)
}

/// Searches `cert`'s `eta` outside its caps by brute force (module doc).
pub fn twin_check(
    spec: &ProblemSpec,
    cert: &CertificateReport,
    cs: &CertifySettings,
) -> Result<TwinCheck> {
    let t0 = std::time::Instant::now();
    let mut plan = verdict_plan(spec)?;
    if cert.exact_columns && !plan.exact {
        plan = super::exact_bracket::exact_plan(&plan);
    }
    let search = TwinSearch {
        design_points: TWIN_DESIGN_POINTS,
        seed: cs.sup.seed ^ TWIN_SEED_SALT,
        starts_factor: TWIN_STARTS_FACTOR,
    };
    let caps = Some((cert.centres.as_slice(), cert.cap_radius));
    let r = twin_search(spec, &plan, &cert.lambda, caps, &search, &cs.sup)?;
    let twin_margin = 1.0 - r.value;
    // Re-tier with the smaller margin (a proved one the twin beats is
    // contradicted: it fails whatever its tier says).
    let mut again = cert.clone();
    again.margin = cert.margin.min(twin_margin);
    again.margin_estimate = cert.margin_estimate.min(twin_margin);
    again.tier = None;
    again.failure.clear();
    super::tiers::assign_tier(&mut again, cs);
    let contradicted = cert.margin_kind == BoundKind::Proved && twin_margin < cert.margin;
    let passes = again.tier.is_some() && !contradicted;
    let failure = if contradicted {
        format!(
            "the twin found |eta| = {:.12} outside the caps, above the proved bound {:.12}",
            r.value,
            1.0 - cert.margin
        )
    } else {
        again.failure
    };
    Ok(TwinCheck {
        sup_outside: r.value,
        margin: twin_margin,
        argmax: r.argmax,
        printed_margin: cert.margin,
        passes,
        tier: again.tier.filter(|_| !contradicted),
        failure,
        evaluations: r.evaluations,
        seconds: t0.elapsed().as_secs_f64(),
        note: match spec.psi {
            PsiKind::Mod { .. } => {
                "psi_mod: the plain search only (the limits of vanishing units are not searched again)"
                    .to_string()
            }
            _ => String::new(),
        },
    })
}

/// Runs the twin on a `unique` report's certificate and applies it: the
/// printed margin becomes the smaller of the two, and a certificate the
/// twin breaks turns the verdict `inconclusive` (no uniqueness is claimed;
/// the bracket may rest on the same `lambda`). Other verdicts are left as
/// they are (None: no twin ran).
pub fn apply_twin(
    report: &mut CertifyReport,
    spec: &ProblemSpec,
    cs: &CertifySettings,
) -> Result<Option<TwinCheck>> {
    if report.verdict != Verdict::Unique {
        return Ok(None);
    }
    let Some(cert) = report.certificate.as_ref() else {
        return Ok(None);
    };
    let twin = twin_check(spec, cert, cs)?;
    if let (Some(m), Some(e)) = (report.margin, report.margin_estimate) {
        report.margin = Some(m.min(twin.margin));
        report.margin_estimate = Some(e.min(twin.margin));
    }
    report.tier = twin.tier;
    if !twin.passes {
        report.verdict = Verdict::Inconclusive;
        report.reason = format!(
            "the certificate's margin {:.3e} is not confirmed by the brute-force twin search: {}; no uniqueness is claimed. Before the twin: {}. The bracket may rest on the same lambda: rerun with --no-certificate-first for one from the refinement's own search",
            twin.printed_margin, twin.failure, report.reason
        );
    }
    report.twin = Some(twin.clone());
    Ok(Some(twin))
}
