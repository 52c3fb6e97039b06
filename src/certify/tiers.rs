//! The tolerance tiers of a certificate check (docs/theory.md 5, 9): which
//! conditions a certificate meets, the best tier it passes, and which of two
//! certificates is better.

use super::bound::BoundKind;
use super::eta::angle;
use super::{CertificateReport, CertifySettings, Tier, TierTolerances};

/// The conditions of a tier, each with why it fails; an estimated margin
/// must also exceed `estimated_floor`.
pub(super) fn tier_failure(
    r: &CertificateReport,
    t: &TierTolerances,
    estimated_floor: f64,
) -> Option<String> {
    if r.support_error > t.support_tol {
        return Some(format!(
            "eta misses the signs at the support by {:.3e}",
            r.support_error
        ));
    }
    if r.inside_max > 1.0 + t.support_tol {
        return Some(format!(
            "|eta| = {:.6} > 1 inside a cap (at {:.3} rad from an atom)",
            r.inside_max,
            r.argmax_inside
                .as_ref()
                .map_or(f64::NAN, |p| r_min_angle(&p.w, &r.centres))
        ));
    }
    if let Some((j, c)) = r.local_max.iter().enumerate().find(|(_, c)| !c.strict) {
        return Some(format!(
            "atom {j} is not a strict local maximum of |eta|: Hessian eigenvalue {:.3e} (error {:.1e})",
            c.max_eigenvalue, c.error
        ));
    }
    if r.margin <= t.min_margin {
        return Some(format!(
            "the {} margin outside the caps is {:.3e}",
            r.margin_kind.name(),
            r.margin
        ));
    }
    if r.margin_kind == BoundKind::Estimated && r.margin <= estimated_floor {
        return Some(format!(
            "the estimated margin outside the caps is {:.3e}, not above the floor {estimated_floor:.0e} on margins a search (no proof) can tell from 0",
            r.margin
        ));
    }
    if r.support_conditioning <= t.min_conditioning {
        return Some(format!(
            "the support columns are nearly dependent (conditioning {:.3e})",
            r.support_conditioning
        ));
    }
    None
}

fn r_min_angle(w: &[f64], centres: &[Vec<f64>]) -> f64 {
    centres
        .iter()
        .map(|c| angle(w, c))
        .fold(f64::INFINITY, f64::min)
}

/// Sets `report.tier` to the best tier it passes, else `report.failure`.
pub(super) fn assign_tier(report: &mut CertificateReport, s: &CertifySettings) {
    let floor = s.estimated_margin_floor;
    match tier_failure(report, &s.strict, floor) {
        None => report.tier = Some(Tier::Strict),
        Some(why_strict) => match tier_failure(report, &s.relaxed, floor) {
            None => report.tier = Some(Tier::Relaxed),
            Some(why) => {
                report.failure = if why == why_strict {
                    why
                } else {
                    format!("{why} (strict tier: {why_strict})")
                }
            }
        },
    }
}

/// Replaces `best` by `cand` when `cand` passes a better tier, or, when
/// neither passes, has the larger margin.
pub(super) fn keep_better(best: &mut Option<CertificateReport>, cand: CertificateReport) {
    let better = |b: &CertificateReport| {
        rank(cand.tier) > rank(b.tier)
            || (rank(cand.tier) == rank(b.tier) && cand.tier.is_none() && cand.margin > b.margin)
    };
    if best.as_ref().is_none_or(better) {
        *best = Some(cand);
    }
}

fn rank(t: Option<Tier>) -> u8 {
    match t {
        Some(Tier::Strict) => 2,
        Some(Tier::Relaxed) => 1,
        None => 0,
    }
}

/// How a certificate's `lambda` is named in reasons.
fn cert_name(kind: super::CertificateKind) -> &'static str {
    match kind {
        super::CertificateKind::PreCertificate => "the pre-certificate",
        super::CertificateKind::LpDual => "the LP dual",
        super::CertificateKind::OptimalitySystem => "the optimality system's lambda",
        super::CertificateKind::MaxMargin => "the max-margin lambda",
        super::CertificateKind::DenseLpDual => "the LP dual on a denser dictionary",
    }
}

/// "<lambda> passes the <tier> tier<scope>: <margin>, <inside>, <Hessian>"
/// (and "on exact columns" when the verdict's operator is a quadrature but
/// the certificate was re-checked on exact columns).
pub(super) fn passes(
    cert: &CertificateReport,
    tier: super::Tier,
    scope: &str,
    op_exact: bool,
) -> String {
    let exact = if cert.exact_columns && !op_exact {
        ", re-checked on exact columns,"
    } else {
        ""
    };
    format!(
        "{}{exact} passes the {} tier{scope}: {} margin {:.3e} outside caps of {:.3} rad, |eta| <= {:.9} inside, each atom a strict local maximum (numerical Hessian)",
        cert_name(cert.kind),
        tier.name(),
        cert.margin_kind.name(),
        cert.margin,
        cert.cap_radius,
        cert.inside_max.max(1.0),
    )
}
