//! The typed result of `inrsamp solve` (THEORY.md 5, 6): problem (11) on a
//! sphere grid, refined when asked, with its bracket, the verified measure
//! and the dual vector. The CLI writes the files and prints the report
//! (JSON through serde, text through `Display`).

use super::bound::BoundKind;
use super::refine::{RoundRecord, SolveOptions, solve_certified_observed};
use super::report::AtomOut;
use super::sup::SupBound;
use super::verdict::fill_psi;
use super::verified::Operator;
use crate::convex::Status;
use crate::convex::columns::usable;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::{Error, Result};
use crate::spec::ProblemSpec;
use crate::sphere::SphereGrid;
use serde::Serialize;
use std::fmt;

/// The report of `inrsamp solve` (its `--json` keys are these fields).
#[derive(Debug, Clone, Serialize)]
pub struct SolveReport {
    /// Status of the final LP.
    pub status: Status,
    /// The final LP's primal value (not a bound).
    pub objective: f64,
    /// The final LP's dual value.
    pub dual_objective: f64,
    /// Lower end of the bracket of value(11) (None: no bound).
    pub certified_lower: Option<f64>,
    /// `proved` or `estimated`.
    pub lower_kind: BoundKind,
    /// Where the `lambda` of the lower end comes from (`final_lp` or
    /// `refinement`).
    pub lower_source: super::refine::LowerSource,
    /// Upper end: the verified measure's cost (None: no verified measure).
    pub certified_upper: Option<f64>,
    /// The operator the bracket and residuals refer to.
    pub operator: Operator,
    /// d = 2, K0 >= 2: the bracket `[lower, upper]` on the quadrature
    /// operator the LP ran on, before its exact re-derivation
    /// ([`super::exact_bracket::apply_to_solve`]; absent elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_bracket: Option<[Option<f64>; 2]>,
    /// Whether the measure's residual passed the verification.
    pub measure_verified: bool,
    /// The measure's `|A mu - y| / |y|`, recomputed unit by unit.
    pub relative_residual: Option<f64>,
    /// The verification's note.
    pub measure_note: Option<String>,
    /// `sup |eta|` (the bound's value).
    pub sup_eta: Option<f64>,
    /// The bound of `sup |eta|` with its kind.
    pub sup: Option<SupBound>,
    /// For display only: the LP's atoms within 0.1 rad merged.
    pub merged_atoms_for_display: Vec<AtomOut>,
    /// The LP's residual.
    pub residual: f64,
    /// Seconds of the whole solve.
    pub solve_seconds: f64,
    /// Seconds inside the LP solver.
    pub lp_seconds: f64,
    /// LP solves.
    pub lp_rounds: usize,
    /// Interior-point iterations.
    pub iterations: u64,
    /// Refinement rounds.
    pub refine_rounds: usize,
    /// The refinement rounds.
    pub history: Vec<RoundRecord>,
    /// Directions added off the grid.
    pub added_directions: usize,
    /// Columns of the final dictionary.
    pub grid_columns: usize,
    /// Grid directions dropped (vanishing units).
    pub dropped_directions: usize,
    /// The dictionary's quadrature error estimate.
    pub quadrature_error_estimate: f64,
    /// The measure (LP support, polished, verified; not merged).
    pub atoms: Vec<AtomOut>,
    /// LP atoms dropped from the measure because their unit vanishes (a
    /// zero column; see [`super::verified::VerifiedMeasure`]).
    pub vanished_atoms: usize,
    /// The final LP's dual vector.
    pub lambda: Vec<f64>,
    /// The problem.
    pub spec: ProblemSpec,
    /// The discretization.
    pub plan: DiscretizationPlan,
    /// The solver settings.
    pub options: SolveOptions,
    /// The verified measure's cost (for the text).
    #[serde(skip)]
    pub measure_cost: Option<f64>,
    /// What sliding gained (for the text).
    #[serde(skip)]
    pub slide_gain: f64,
    /// The grid solve is usable (has a solution, no round limit hit).
    #[serde(skip)]
    pub usable: bool,
}

impl SolveReport {
    /// Solved (or almost solved with its bracket, computed from the returned
    /// iterates and still valid), with a lower bound: the CLI's exit 0.
    pub fn decided(&self) -> bool {
        self.usable && self.certified_lower.is_some()
    }
}

/// The sphere grid's dictionary for `spec` (error when every direction
/// gives a vanishing unit).
pub fn grid_dictionary(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    grid_points: usize,
) -> Result<Dictionary> {
    let grid = SphereGrid::new(spec.feature_dim(), grid_points, spec.seed)?;
    let dict = Dictionary::build(spec, plan, &grid.points)?;
    if dict.is_empty() {
        return Err(Error::setting(
            "grid-points",
            grid.len(),
            "every grid direction gives a vanishing unit; use more points",
        ));
    }
    Ok(dict)
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Solves (11) for the measurements `y` on `dict` (refined as `opts` asks;
/// `on_round` hears each round) and collects the report. With `y_exact`
/// (the data on exact columns) on a quadrature plan in d = 2, the measure
/// and the bracket are re-derived on exact columns
/// ([`super::exact_bracket::apply_to_solve`]). An infeasible LP is an error naming what to
/// change (`grid-points` when the grid is too small, else `measurements`).
pub fn solve_report(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &mut Dictionary,
    y: &[f64],
    y_exact: Option<&[f64]>,
    opts: &SolveOptions,
    on_round: &mut dyn FnMut(&RoundRecord),
) -> Result<SolveReport> {
    let mut sol = solve_certified_observed(spec, plan, dict, y, opts, on_round)?;
    let grid_bracket = match y_exact {
        Some(ye) if !sol.grid.lp.status.is_infeasible() => {
            super::exact_bracket::apply_to_solve(spec, plan, &mut sol, ye, opts)?
        }
        _ => None,
    };
    let lp = &sol.grid.lp;
    if lp.status.is_infeasible() {
        if dict.len() < dict.m {
            return Err(Error::setting(
                "grid-points",
                dict.len(),
                format!(
                    "the grid has {} usable directions for M = {} measurements, too few to fit y (Clarabel: {}); raise --grid-points",
                    dict.len(),
                    dict.m,
                    lp.status.name()
                ),
            ));
        }
        return Err(Error::setting(
            "measurements",
            "y",
            format!(
                "the system Phi c = y is infeasible on this grid of {} directions (Clarabel: {}); raise --grid-points, or y may not come from a shallow INR of this K0 (then use --noise-delta)",
                dict.len(),
                lp.status.name()
            ),
        ));
    }
    let mut merged = super::verified::display_atoms(&lp.c, dict);
    fill_psi(spec, plan, &mut merged)?;
    let m = sol.measure.as_ref();
    Ok(SolveReport {
        status: lp.status,
        objective: lp.primal_objective,
        dual_objective: lp.dual_objective,
        certified_lower: finite(sol.certified_lower),
        lower_kind: sol.lower_kind,
        lower_source: sol.lower_source,
        certified_upper: finite(sol.certified_upper),
        operator: sol.operator,
        grid_bracket: grid_bracket.map(|[l, u]| [finite(l), finite(u)]),
        measure_verified: m.is_some_and(|m| m.verified),
        relative_residual: m.map(|m| m.relative_residual),
        measure_note: m.map(|m| m.note.clone()),
        sup_eta: sol.sup.as_ref().map(|s| s.value),
        sup: sol.sup.clone(),
        merged_atoms_for_display: merged.iter().map(AtomOut::from).collect(),
        residual: lp.residual,
        solve_seconds: sol.seconds,
        lp_seconds: sol.grid.lp_seconds,
        lp_rounds: sol.grid.rounds,
        iterations: sol.grid.iterations,
        refine_rounds: sol.refine_rounds,
        history: sol.history.clone(),
        added_directions: sol.added_directions,
        grid_columns: dict.len(),
        dropped_directions: dict.dropped,
        quadrature_error_estimate: dict.quadrature_error_estimate,
        atoms: m
            .map(|m| m.atoms.iter().map(AtomOut::from).collect())
            .unwrap_or_default(),
        vanished_atoms: m.map_or(0, |m| m.vanished_atoms),
        lambda: lp.lambda.clone(),
        spec: spec.clone(),
        plan: *plan,
        options: opts.resolved_for(&spec.psi),
        measure_cost: m.map(|m| m.cost),
        slide_gain: m.map_or(0.0, |m| m.slide_gain),
        usable: usable(&sol.grid),
    })
}

impl fmt::Display for SolveReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let upper = self
            .certified_upper
            .map_or("none".to_string(), |u| format!("{u:.12}"));
        writeln!(
            f,
            "status {} | LP objective {:.12} | bracket on {}: [{:.12} ({}), {upper}] | sup |eta| {:.9} ({})",
            self.status.name(),
            self.objective,
            self.operator.describe(),
            self.certified_lower.unwrap_or(f64::NAN),
            self.lower_kind.name(),
            self.sup_eta.unwrap_or(f64::NAN),
            self.lower_kind.name()
        )?;
        if let Some([l, u]) = &self.grid_bracket {
            let show = |v: &Option<f64>| v.map_or("none".to_string(), |v| format!("{v:.12}"));
            writeln!(
                f,
                "bracket on the quadrature operator the LP ran on (before the exact re-derivation): [{}, {}]",
                show(l),
                show(u)
            )?;
        }
        if let (Some(cost), Some(rel)) = (self.measure_cost, self.relative_residual) {
            writeln!(
                f,
                "measure: cost {:.12}, |A mu - y| / |y| = {:.3e} ({}){}",
                cost,
                rel,
                if self.measure_verified {
                    "verified"
                } else {
                    "NOT verified: no upper bound"
                },
                if self.slide_gain > 0.0 {
                    format!(", sliding lowered the cost by {:.3e}", self.slide_gain)
                } else {
                    String::new()
                }
            )?;
        }
        writeln!(
            f,
            "residual {:.3e} | {} LP solves, {} iterations, {:.3} s | grid {} columns ({} dropped), {} refinement rounds (+{} directions)",
            self.residual,
            self.lp_rounds,
            self.iterations,
            self.solve_seconds,
            self.grid_columns,
            self.dropped_directions,
            self.refine_rounds,
            self.added_directions
        )?;
        writeln!(
            f,
            "{} atoms (the measure, not merged{}):",
            self.atoms.len(),
            vanished_note(self.vanished_atoms)
        )?;
        for a in &self.atoms {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            writeln!(
                f,
                "  c = {:+.10}  psi = {:.10}  w = [{}]",
                a.c,
                a.psi,
                ws.join(", ")
            )?;
        }
        if !self.decided() {
            writeln!(
                f,
                "WARNING: the solve failed or stopped early; the numbers above are not certified."
            )?;
        } else if !self.status.is_solved() {
            writeln!(
                f,
                "WARNING: the last LP reached only reduced accuracy (almost_solved); the bracket above is computed from its iterates and remains valid, the atoms are approximate."
            )?;
        }
        Ok(())
    }
}

/// "; K atoms whose unit vanishes dropped" when K > 0.
pub(crate) fn vanished_note(k: usize) -> String {
    if k > 0 {
        format!("; {k} atoms whose unit vanishes (zero column) dropped")
    } else {
        String::new()
    }
}
