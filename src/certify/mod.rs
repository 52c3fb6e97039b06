//! Dual certificates (THEORY.md 5-6): the certificate function `eta`, the
//! vanishing-derivative pre-certificate, the check (interpolation at the
//! support and the margin outside small caps), certified refinement, and the
//! verdict against a known teacher.
//!
//! Optimality of `mu* = sum c_j delta_{w_j}`: some `lambda` has `|eta| <= 1`
//! on the sphere and `eta(w_j) = sign(c_j)`. Uniqueness (sufficient): in
//! addition `|eta| < 1` off the support and linearly independent support
//! columns. We report the margin `1 - max |eta|` outside caps of radius `r`
//! around the support, found by dense sampling plus local ascent.

pub mod eta;
pub mod precert;
pub mod refine;
pub mod verdict;

use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;
use eta::{EtaField, EtaPoint, SupSettings, dense_eta, dictionary_eta};
use precert::{SupportAtom, vanishing_derivative};
use serde::Serialize;

/// One tolerance tier of the check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tier {
    /// `max_j |eta(w_j) - sign(c_j)|` must be at most this.
    pub support_tol: f64,
    /// The margin outside the caps must exceed this.
    pub min_margin: f64,
    /// Smallest/largest singular value of the support columns must exceed this.
    pub min_conditioning: f64,
}

/// All certificate settings in one place.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CertifySettings {
    /// Cap radius around each support atom, radians (default 0.05).
    pub cap_radius: f64,
    /// Strict tier (default: support 1e-6, margin > 1e-6, conditioning > 1e-8).
    pub strict: Tier,
    /// Relaxed tier (default: support 1e-3, margin > 0, conditioning > 1e-10).
    pub relaxed: Tier,
    /// The pre-certificate is used when its interpolation system's relative
    /// residual is at most this (default 1e-6); else the LP dual.
    pub precert_tol: f64,
    /// Supremum search settings.
    pub sup: SupSettings,
}

impl Default for CertifySettings {
    fn default() -> Self {
        CertifySettings {
            cap_radius: 0.05,
            strict: Tier {
                support_tol: 1e-6,
                min_margin: 1e-6,
                min_conditioning: 1e-8,
            },
            relaxed: Tier {
                support_tol: 1e-3,
                min_margin: 0.0,
                min_conditioning: 1e-10,
            },
            precert_tol: 1e-6,
            sup: SupSettings::default(),
        }
    }
}

/// Which `lambda` a certificate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateKind {
    /// The vanishing-derivative pre-certificate.
    PreCertificate,
    /// The LP dual of the grid solve.
    LpDual,
}

/// The result of checking a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateReport {
    /// Which `lambda`.
    pub kind: CertificateKind,
    /// `eta(w_j)` at each support atom.
    pub eta_at_support: Vec<f64>,
    /// `max_j |eta(w_j) - sign(c_j)|`.
    pub support_error: f64,
    /// `1 - max |eta|` outside the caps (found by search).
    pub margin: f64,
    /// Where the largest `|eta|` outside the caps was found.
    pub argmax_outside: Option<EtaPoint>,
    /// The cap radius used.
    pub cap_radius: f64,
    /// `strict`, `relaxed`, or None when neither tier passed.
    pub tier: Option<&'static str>,
    /// Conditioning of the support columns.
    pub support_conditioning: f64,
    /// Relative residual of the pre-certificate system.
    pub precert_residual: f64,
    /// The certificate's `lambda`.
    pub lambda: Vec<f64>,
}

fn tier_of(
    s: &CertifySettings,
    support_error: f64,
    margin: f64,
    cond: f64,
) -> Option<&'static str> {
    let passes = |t: &Tier| {
        support_error <= t.support_tol && margin > t.min_margin && cond > t.min_conditioning
    };
    if passes(&s.strict) {
        Some("strict")
    } else if passes(&s.relaxed) {
        Some("relaxed")
    } else {
        None
    }
}

fn rank(t: Option<&'static str>) -> u8 {
    match t {
        Some("strict") => 2,
        Some(_) => 1,
        None => 0,
    }
}

/// Checks one `lambda` against the support.
fn check_lambda(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    lambda: Vec<f64>,
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<(Vec<f64>, f64, f64, Option<EtaPoint>)> {
    let field = EtaField::new(spec, plan, lambda.clone())?;
    let eta_at: Vec<f64> = support
        .iter()
        .map(|a| field.value(&a.w))
        .collect::<Result<_>>()?;
    let support_error = support
        .iter()
        .zip(&eta_at)
        .map(|(a, e)| (e - a.sign).abs())
        .fold(0.0, f64::max);
    let mut candidates = grid.map(|d| dictionary_eta(d, &lambda)).unwrap_or_default();
    candidates.extend(dense_eta(
        spec,
        plan,
        &lambda,
        s.sup.dense_points,
        s.sup.seed ^ 0xCE27,
    )?);
    let centres: Vec<Vec<f64>> = support.iter().map(|a| a.w.clone()).collect();
    let sup = eta::sup_eta(&field, &candidates, &s.sup, Some((&centres, s.cap_radius)))?;
    Ok((eta_at, support_error, 1.0 - sup.value, sup.argmax))
}

/// Certifies `support` (unit directions with signs): the pre-certificate
/// first, the LP dual `lp_lambda` as the fallback; the better tier wins
/// (the pre-certificate on a tie).
pub fn certificate_report(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
    lp_lambda: Option<&[f64]>,
    grid: Option<&Dictionary>,
    s: &CertifySettings,
) -> Result<CertificateReport> {
    let pre = vanishing_derivative(spec, plan, support)?;
    let cond = pre.support_conditioning;
    // Checks one lambda and builds its report.
    let report = |kind: CertificateKind, lambda: Vec<f64>| -> Result<CertificateReport> {
        let (eta_at, err, margin, arg) =
            check_lambda(spec, plan, support, lambda.clone(), grid, s)?;
        Ok(CertificateReport {
            kind,
            eta_at_support: eta_at,
            support_error: err,
            margin,
            argmax_outside: arg,
            cap_radius: s.cap_radius,
            tier: tier_of(s, err, margin, cond),
            support_conditioning: cond,
            precert_residual: pre.relative_residual,
            lambda,
        })
    };
    let mut best: Option<CertificateReport> = None;
    if pre.relative_residual <= s.precert_tol {
        best = Some(report(CertificateKind::PreCertificate, pre.lambda.clone())?);
    }
    let need_fallback = best.as_ref().is_none_or(|b| b.tier != Some("strict"));
    if let (true, Some(lam)) = (need_fallback, lp_lambda) {
        let dual = report(CertificateKind::LpDual, lam.to_vec())?;
        if best.as_ref().is_none_or(|b| rank(dual.tier) > rank(b.tier)) {
            best = Some(dual);
        }
    }
    match best {
        Some(b) => Ok(b),
        // Inconsistent pre-certificate and no LP dual: report the
        // least-squares lambda honestly (no tier can pass its support check).
        None => report(CertificateKind::PreCertificate, pre.lambda.clone()),
    }
}
