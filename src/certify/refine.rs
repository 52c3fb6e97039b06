//! Certified refinement (THEORY.md 5): solve (P_N) on the grid, search the
//! whole sphere for the largest `|eta|`, add the violators as new columns,
//! re-solve, repeat. With `s = max(1, sup |eta|)`, `lambda / s` is feasible
//! for the continuous dual, hence the bracket printed with every result:
//!
//! `dual(P_N) / s  <=  value(11)  <=  value(P_N)`.
//!
//! The supremum comes from a search (dense candidates plus local ascent), so
//! the lower bound is as good as that search; the quadrature (or exact 1-D
//! coefficients) defines which problem (11) is bracketed.

use super::eta::{EtaField, SupResult, SupSettings, dense_eta, dictionary_eta};
use crate::convex::atoms::{AtomSettings, atoms};
use crate::convex::columns::{ColumnSettings, GridSolve, Strategy, solve_grid, usable};
use crate::convex::{Backend, Program, SolveSettings};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;
use serde::Serialize;

/// New directions with `1 - cos(angle) <= DUPLICATE_COS` to a column already
/// present (about 1e-6 rad) are not added again.
pub const DUPLICATE_COS: f64 = 5e-13;

/// Settings of the refinement off the grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefineSettings {
    /// Refine at all (`--refine`).
    pub enabled: bool,
    /// Stop when `sup |eta| <= 1 + eps` (default 1e-5).
    pub eps: f64,
    /// Round limit (default 30).
    pub max_rounds: usize,
    /// Maximizers added per round (default 16).
    pub add_per_round: usize,
}

impl Default for RefineSettings {
    fn default() -> Self {
        RefineSettings {
            enabled: false,
            eps: 1e-5,
            max_rounds: 30,
            add_per_round: 16,
        }
    }
}

/// Everything a solve needs besides the data.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SolveOptions {
    /// `full` or `columns`.
    pub strategy: Strategy,
    /// LP backend.
    pub backend: Backend,
    /// Interior-point settings.
    pub solver: SolveSettings,
    /// Column generation settings.
    pub columns: ColumnSettings,
    /// Supremum search settings.
    pub sup: SupSettings,
    /// Refinement settings.
    pub refine: RefineSettings,
    /// Noise level delta (0: equality).
    pub delta: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            strategy: Strategy::Columns,
            backend: Backend::Clarabel,
            solver: SolveSettings::default(),
            columns: ColumnSettings::default(),
            sup: SupSettings::default(),
            refine: RefineSettings::default(),
            delta: 0.0,
        }
    }
}

/// A grid solve with its certified bracket.
#[derive(Debug, Clone, Serialize)]
pub struct CertifiedSolve {
    /// The last grid solve (its `c` indexes the final dictionary).
    pub grid: GridSolve,
    /// The supremum search at the final `lambda` (None if the solve failed).
    pub sup: Option<SupResult>,
    /// The best `dual(P_N) / max(1, sup |eta|)` over the rounds (NaN when
    /// the solve failed).
    pub certified_lower: f64,
    /// `value(P_N)` (NaN when the solve failed).
    pub certified_upper: f64,
    /// Refinement rounds made.
    pub refine_rounds: usize,
    /// Directions added by refinement.
    pub added_directions: usize,
    /// Total seconds (LP solves and certificate searches).
    pub seconds: f64,
}

/// Solves (P_N) on `dict`, brackets value(11), and refines when asked.
pub fn solve_certified(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &mut Dictionary,
    y: &[f64],
    opts: &SolveOptions,
) -> Result<CertifiedSolve> {
    let start = std::time::Instant::now();
    let mut warm: Option<Vec<usize>> = None;
    let mut rounds = 0usize;
    let mut added = 0usize;
    // Every round's lambda gives a valid lower bound; keep the best.
    let mut best_lower = f64::NEG_INFINITY;
    loop {
        let prog = Program::new(&dict.columns, dict.m, y, &dict.psi, opts.delta)?;
        let grid = solve_grid(
            &prog,
            opts.strategy,
            opts.backend,
            &opts.solver,
            &opts.columns,
            warm.as_deref(),
        )?;
        if !usable(&grid) {
            return Ok(CertifiedSolve {
                grid,
                sup: None,
                certified_lower: f64::NAN,
                certified_upper: f64::NAN,
                refine_rounds: rounds,
                added_directions: added,
                seconds: start.elapsed().as_secs_f64(),
            });
        }
        let lambda = grid.lp.lambda.clone();
        let field = EtaField::new(spec, plan, lambda.clone())?;
        let mut candidates = dictionary_eta(dict, &lambda);
        candidates.extend(dense_eta(
            spec,
            plan,
            &lambda,
            opts.sup.dense_points,
            opts.sup.seed,
        )?);
        let sup = super::eta::sup_eta(&field, &candidates, &opts.sup, None)?;
        let s = sup.value.max(1.0);
        best_lower = best_lower.max(grid.lp.dual_objective / s);
        let lower = best_lower;
        let upper = grid.lp.primal_objective;
        let tight = upper - lower <= opts.refine.eps * upper.abs();
        let done = !opts.refine.enabled
            || sup.value <= 1.0 + opts.refine.eps
            || tight
            || rounds >= opts.refine.max_rounds;
        if done {
            return Ok(CertifiedSolve {
                grid,
                sup: Some(sup),
                certified_lower: lower,
                certified_upper: upper,
                refine_rounds: rounds,
                added_directions: added,
                seconds: start.elapsed().as_secs_f64(),
            });
        }
        // Add the violators found off the grid.
        let mut new_dirs: Vec<f64> = Vec::new();
        let mut count = 0usize;
        for p in sup
            .maxima
            .iter()
            .filter(|p| p.eta.abs() > 1.0 + opts.refine.eps)
        {
            if count >= opts.refine.add_per_round {
                break;
            }
            new_dirs.extend_from_slice(&p.w);
            count += 1;
        }
        if count == 0 {
            // The violation was a grid candidate that ascent did not improve.
            if let Some(a) = &sup.argmax {
                new_dirs.extend_from_slice(&a.w);
            }
        }
        // Interior-point solutions spread mass over neighbouring columns; the
        // mass-weighted mean of each cluster is a better support point than
        // any of its members, so it is offered to the next LP too.
        for atom in atoms(
            &grid.lp.c,
            &dict.directions,
            dict.dim,
            &AtomSettings::default(),
        ) {
            if atom.members.len() > 1 {
                new_dirs.extend_from_slice(&atom.w);
            }
        }
        // Skip directions the dictionary already holds (duplicate columns
        // make the LP degenerate).
        let dim = dict.dim;
        let mut fresh: Vec<f64> = Vec::new();
        for w in new_dirs.chunks(dim) {
            let near =
                |d: &[f64]| d.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() > 1.0 - DUPLICATE_COS;
            let known =
                (0..dict.len()).any(|j| near(dict.direction(j))) || fresh.chunks(dim).any(near);
            if !known {
                fresh.extend_from_slice(w);
            }
        }
        let new_idx = dict.append(spec, &fresh)?;
        added += new_idx.len();
        rounds += 1;
        let mut w = grid.active.clone();
        w.extend(new_idx);
        warm = Some(w);
    }
}
