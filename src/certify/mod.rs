//! Dual certificates (docs/theory.md 5, 6, 9): the certificate function `eta`,
//! the vanishing-derivative pre-certificate, the check on the whole sphere,
//! certified refinement, verified measures, and the verdict against a known
//! teacher.
//!
//! Optimality of `mu* = sum c_j delta_{w_j}`: some `lambda` has `|eta| <= 1`
//! on the sphere and `eta(w_j) = sign(c_j)`. Uniqueness (sufficient): in
//! addition `|eta| < 1` off the support and linearly independent support
//! columns. The check covers the whole sphere (docs/theory.md 9): inside caps of
//! radius `r` around the support, each atom must be a strict local maximum
//! of `sign(c_j) eta` (Hessian, [`local_max`]) and `|eta| <= 1` is checked on
//! dense samples plus ascent; outside, the margin `1 - max |eta|` is proved
//! by branch-and-bound where the dimension allows ([`bound`]) and estimated
//! by search otherwise, and the report says which.

pub mod ascent;
pub mod bound;
pub mod bracket;
pub mod candidates;
pub mod cauchy_schwarz;
pub mod dense_dual;
pub mod eta;
pub mod exact_bracket;
pub mod exact_recheck;
pub mod exchange;
pub mod final_bound;
pub mod kkt;
pub mod limit_lines;
pub mod limit_points;
pub mod limit_units;
pub mod linalg;
pub mod local_max;
pub mod max_margin;
pub mod max_margin_program;
pub mod precert;
pub mod quasi_newton;
pub mod refine;
pub mod report;
pub mod sliding;
pub mod smoothing;
pub mod solve_report;
pub mod sup;
pub mod teacher;
pub mod teacher_measure;
pub mod thin_bump;
pub mod tiers;
pub mod twin;
pub mod verdict;
pub mod verdict_report;
pub mod verified;

use crate::error::{Error, Result};
use bound::{BnbSettings, BoundKind};
pub use candidates::{certificate_report, check_candidate};
use eta::{EtaPoint, SupSettings, angle};
use local_max::LocalMaxCheck;
use precert::SupportAtom;
use serde::Serialize;

/// Largest cap radius (radians). The caps only separate the region where
/// the margin is reported from the region governed by the local
/// second-order check at each atom; eta near an atom behaves like
/// `1 - kappa theta^2 / 2` only over a few tenths of a radian, so a larger
/// cap would turn a margin into a statement about a region the quadratic
/// model does not describe (e.g. `--cap 3.1` excluded the whole sphere).
/// Caps are also at most half the smallest angle between two atoms.
pub const MAX_CAP_RADIUS: f64 = 0.25;

/// One tolerance tier of the check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TierTolerances {
    /// `max_j |eta(w_j) - sign(c_j)|` must be at most this, and `|eta|` inside
    /// the caps at most `1 +` this.
    pub support_tol: f64,
    /// The margin outside the caps must exceed this.
    pub min_margin: f64,
    /// Smallest/largest singular value of the support columns must exceed this.
    pub min_conditioning: f64,
}

/// The tier a certificate passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The strict tolerances.
    Strict,
    /// The relaxed tolerances.
    Relaxed,
}

impl Tier {
    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Tier::Strict => "strict",
            Tier::Relaxed => "relaxed",
        }
    }
}

/// All certificate settings in one place.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CertifySettings {
    /// Cap radius around each support atom, radians (default 0.05, at most
    /// [`MAX_CAP_RADIUS`]).
    pub cap_radius: f64,
    /// Strict tier (default: support 1e-6, margin > 1e-6, conditioning > 1e-8).
    pub strict: TierTolerances,
    /// Relaxed tier (default: support 1e-3, margin > 0, conditioning > 1e-10).
    pub relaxed: TierTolerances,
    /// Every tier's margin must exceed this when it is only estimated (a
    /// search, no branch-and-bound proof; default 1e-6): a search cannot tell
    /// a margin of 1e-9 from 0 (the twin of tests/unique_twin.rs moved
    /// estimated margins by up to 11 %, and the ordinary search had missed
    /// 8 to 44 %), so a relaxed-tier `margin > 0` holds only when proved.
    pub estimated_margin_floor: f64,
    /// The pre-certificate is used when its interpolation system's relative
    /// residual is at most this (default 1e-6); else the LP dual.
    pub precert_tol: f64,
    /// Supremum search settings.
    pub sup: SupSettings,
    /// Branch-and-bound settings.
    pub bnb: BnbSettings,
    /// Points of the fresh design added to the dictionary for the last
    /// candidate, the LP dual on a denser dictionary ([`dense_dual`];
    /// default [`dense_dual::DENSE_DUAL_POINTS`]; 0: not tried). Used only
    /// when no other candidate passes the strict tier.
    pub dense_dual_points: usize,
}

impl Default for CertifySettings {
    fn default() -> Self {
        CertifySettings {
            cap_radius: 0.05,
            strict: TierTolerances {
                support_tol: 1e-6,
                min_margin: 1e-6,
                min_conditioning: 1e-8,
            },
            relaxed: TierTolerances {
                support_tol: 1e-3,
                min_margin: 0.0,
                min_conditioning: 1e-10,
            },
            estimated_margin_floor: 1e-6,
            precert_tol: 1e-6,
            sup: SupSettings::default(),
            bnb: BnbSettings::default(),
            dense_dual_points: dense_dual::DENSE_DUAL_POINTS,
        }
    }
}

impl CertifySettings {
    /// Validates the cap radius (in `(0, MAX_CAP_RADIUS]`) and the
    /// estimated-margin floor (positive and finite).
    pub fn validate(&self) -> Result<()> {
        if !(self.estimated_margin_floor.is_finite() && self.estimated_margin_floor > 0.0) {
            return Err(Error::setting(
                "estimated-margin-floor",
                self.estimated_margin_floor,
                "the floor on estimated margins must be positive and finite",
            ));
        }
        if !(self.cap_radius.is_finite()
            && self.cap_radius > 0.0
            && self.cap_radius <= MAX_CAP_RADIUS)
        {
            return Err(Error::setting(
                "cap",
                self.cap_radius,
                format!(
                    "the cap radius must be in (0, {MAX_CAP_RADIUS}] radians: caps only mark where the local (Hessian) check governs and the margin is not reported; they never exempt a point from |eta| <= 1"
                ),
            ));
        }
        if self.dense_dual_points > dense_dual::MAX_DENSE_DUAL_POINTS {
            return Err(Error::setting(
                "dense-dual-points",
                self.dense_dual_points,
                format!(
                    "at most {} points (0: no dense LP dual)",
                    dense_dual::MAX_DENSE_DUAL_POINTS
                ),
            ));
        }
        Ok(())
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
    /// The `lambda` of the refinement's optimality system behind the lower
    /// end of the bracket ([`kkt`]).
    OptimalitySystem,
    /// The member of the pre-certificate's affine family with the largest
    /// margin on the dictionary ([`max_margin`]), tried when the others do
    /// not pass the strict tier.
    MaxMargin,
    /// The LP dual on the dictionary plus a fresh, denser design
    /// ([`dense_dual`]), tried last when no other passes the strict tier.
    DenseLpDual,
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
    /// `1 - max |eta|` outside the caps: proved when `margin_kind` is
    /// `proved`, else the search estimate.
    pub margin: f64,
    /// Proved (branch-and-bound) or estimated (search).
    pub margin_kind: BoundKind,
    /// The search's estimate of the margin (an upper estimate of the true one).
    pub margin_estimate: f64,
    /// Why the margin is only estimated (empty when proved).
    pub margin_note: String,
    /// Where the largest `|eta|` outside the caps was found.
    pub argmax_outside: Option<EtaPoint>,
    /// The local maxima of the outside search, largest first (the starts of
    /// [`exact_recheck`]).
    #[serde(skip)]
    pub maxima_outside: Vec<EtaPoint>,
    /// The cap radius used (at most half the smallest atom separation).
    pub cap_radius: f64,
    /// The largest `|eta|` found inside the caps (dense samples plus ascent).
    pub inside_max: f64,
    /// Where.
    pub argmax_inside: Option<EtaPoint>,
    /// The second-order check at each atom.
    pub local_max: Vec<LocalMaxCheck>,
    /// The tier passed, or None (the failing condition is in `failure`).
    pub tier: Option<Tier>,
    /// Why no tier passes (empty when one does).
    pub failure: String,
    /// Conditioning of the support columns.
    pub support_conditioning: f64,
    /// Relative residual of the pre-certificate system.
    pub precert_residual: f64,
    /// The certificate's `lambda`.
    pub lambda: Vec<f64>,
    /// The support directions (the cap centres).
    pub centres: Vec<Vec<f64>>,
    /// Every number of this report comes from exact columns (false: from
    /// the plan's operator, a quadrature when it says so).
    pub exact_columns: bool,
    /// The certificate on the quadrature operator that this one re-checks
    /// on exact columns ([`exact_recheck`]; None otherwise).
    #[serde(skip)]
    pub grid: Option<Box<CertificateReport>>,
}

/// The cap radius for a support: the setting, at most half the smallest
/// angle between two atoms.
pub fn effective_cap(support: &[SupportAtom], cap: f64) -> f64 {
    let mut r = cap;
    for i in 0..support.len() {
        for j in i + 1..support.len() {
            r = r.min(0.5 * angle(&support[i].w, &support[j].w));
        }
    }
    r
}
