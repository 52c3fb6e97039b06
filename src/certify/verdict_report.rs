//! The verdict's vocabulary (docs/theory.md 6, 9): the four verdicts, the
//! tolerances that separate them ([`VerdictSettings`]) and everything a
//! verdict reports ([`VerdictReport`]). The decision itself is
//! [`super::verdict::certify_teacher`].

use super::CertificateReport;
use super::bound::BoundKind;
use super::teacher_measure::UpperSource;
use super::verified::Operator;
use crate::convex::Status;
use crate::convex::atoms::Atom;
use crate::error::Result;
use serde::Serialize;

/// The four verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The teacher is the solution, certified.
    Unique,
    /// The teacher is the solution and the bracket shows it is optimal.
    Recovered,
    /// A verified measure cheaper than the teacher exists.
    NotRecovered,
    /// The evidence does not decide.
    Inconclusive,
}

impl Verdict {
    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Unique => "unique",
            Verdict::Recovered => "recovered",
            Verdict::NotRecovered => "not_recovered",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Settings of the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VerdictSettings {
    /// Directions of the sphere grid (default 2 000).
    pub grid_points: usize,
    /// Leave the teacher's directions off the grid.
    pub off_grid: bool,
    /// The measure "is the teacher" when the relative L2 distance of the two
    /// functions on the evaluation grid is at most this (default 1e-4).
    pub recovery_tol: f64,
    /// A verified measure is cheaper when `cost < teacher_cost (1 - cost_tol)`
    /// (default 1e-6).
    pub cost_tol: f64,
    /// `recovered` needs `certified_lower >= teacher_cost (1 - bracket_tol)`
    /// (default 1e-4).
    pub bracket_tol: f64,
    /// Stop refinement as soon as a measure cheaper than the teacher
    /// (`cost < teacher_cost (1 - cost_tol)`) is verified (`--decide`): the
    /// verdict is then `not_recovered`, the bracket valid but not tightened
    /// (default false).
    pub decide: bool,
    /// Check the teacher's certificate before the final thorough search of
    /// the refinement, and skip that search when the certificate passes
    /// and its lower end closes the bracket (super::final_bound; default
    /// true; false gives the slower twin of `tests/certificate_first.rs`).
    pub certificate_first: bool,
}

impl Default for VerdictSettings {
    fn default() -> Self {
        VerdictSettings {
            grid_points: 2000,
            off_grid: false,
            recovery_tol: 1e-4,
            cost_tol: 1e-6,
            bracket_tol: 1e-4,
            decide: false,
            certificate_first: true,
        }
    }
}

impl VerdictSettings {
    /// Tolerances must be positive and finite.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("recovery-tol", self.recovery_tol),
            ("cost-tol", self.cost_tol),
            ("bracket-tol", self.bracket_tol),
        ] {
            if !(v.is_finite() && v > 0.0 && v < 1.0) {
                return Err(crate::error::Error::setting(
                    name,
                    v,
                    "a tolerance must be a finite number in (0, 1)",
                ));
            }
        }
        Ok(())
    }
}

/// Everything the verdict found.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence, with what to do when inconclusive.
    pub reason: String,
    /// Solver status of the final LP.
    pub status: Status,
    /// `sum |a_j| psi(w_j)` of the teacher.
    pub teacher_cost: f64,
    /// `value(P_N)` of the final grid (the LP's own number, not a bound).
    pub objective: f64,
    /// Lower end of the bracket of value(11).
    pub certified_lower: f64,
    /// `proved` (branch-and-bound) or `estimated` (search).
    pub lower_kind: BoundKind,
    /// Upper end: the cost of the verified measure, or of the teacher's
    /// when lower (NaN: no upper bound).
    pub certified_upper: f64,
    /// Where the upper end comes from (super::teacher_measure).
    pub upper_source: UpperSource,
    /// The operator the bracket, residuals and costs refer to.
    pub operator: Operator,
    /// Relative L2 distance between the verified measure's function and the teacher's.
    pub function_rel_error: f64,
    /// `|A mu - y|` of the verified measure, recomputed unit by unit.
    pub residual: f64,
    /// The same over `|y|`.
    pub relative_residual: f64,
    /// The measure (LP support, polished, verified; not merged).
    pub atoms: Vec<Atom>,
    /// For display only: atoms within 0.1 rad merged.
    pub merged_atoms: Vec<Atom>,
    /// The certificate check (when the measure is the teacher).
    pub certificate: Option<CertificateReport>,
    /// Columns of the final dictionary.
    pub grid_columns: usize,
    /// LP solves.
    pub lp_rounds: usize,
    /// Total interior-point iterations.
    pub iterations: u64,
    /// Refinement rounds.
    pub refine_rounds: usize,
    /// The refinement rounds, in order.
    pub history: Vec<super::refine::RoundRecord>,
    /// Seconds in the solve and its bracket.
    pub solve_seconds: f64,
    /// Seconds in the certificate check.
    pub certify_seconds: f64,
    /// The dictionary's quadrature error estimate.
    pub quadrature_error_estimate: f64,
    /// d = 2, K0 >= 2: the quadrature operator's bracket `[lower, upper]`
    /// before its exact re-check (super::exact_bracket; NaN: no such end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_bracket: Option<[f64; 2]>,
}
