//! Certified refinement (THEORY.md 5): solve (P_N) on the grid, search the
//! whole sphere for the largest `|eta|`, add the violators as new columns,
//! re-solve, repeat. With `s = max(1, sup |eta|)`, `lambda / s` is feasible
//! for the continuous dual, hence the bracket printed with every result:
//!
//! `dual(P_N) / s  <=  value(11)  <=  value(P_N)`.
//!
//! Rounds use the search's estimate of the sup (plus the thin-bump limit of
//! `psi_mod`, whose near-Dirac directions are offered to the next LP). The
//! final bracket (THEORY.md 9) is stricter: its lower end divides by a
//! bound of the sup that is `proved` by branch-and-bound where the dimension
//! allows ([`super::sup`]) and `estimated` otherwise; its upper end is the
//! cost of the LP's measure only after that measure is polished and its
//! residual verified ([`super::verified`]); without that there is no upper
//! bound. The plan's operator (exact coefficients or a quadrature) defines
//! which problem is bracketed.

use super::bound::{BnbSettings, BoundKind};
use super::eta::{EtaField, SupSettings, dense_eta, dictionary_eta};
use super::sup::{SupBound, sup_bound, thin_bump_direction};
use super::verified::{Operator, VerifiedMeasure, VerifySettings, verify_measure};
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
    /// Branch-and-bound of the final sup.
    pub bnb: BnbSettings,
    /// Verification of the final measure.
    pub verify: VerifySettings,
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
            bnb: BnbSettings::default(),
            verify: VerifySettings::default(),
        }
    }
}

/// A grid solve with its certified bracket.
#[derive(Debug, Clone, Serialize)]
pub struct CertifiedSolve {
    /// The last grid solve (its `c` indexes the final dictionary).
    pub grid: GridSolve,
    /// The bound of the sup at the final `lambda` (None if the solve failed).
    pub sup: Option<SupBound>,
    /// `dual(lambda) / max(1, sup |eta|)` at the final `lambda` (NaN when the
    /// solve failed); its kind is `lower_kind`.
    pub certified_lower: f64,
    /// Whether the sup behind the lower bound is proved or estimated.
    pub lower_kind: BoundKind,
    /// The cost of the verified measure (NaN when the solve failed or the
    /// measure's residual is above tolerance: then there is no upper bound).
    pub certified_upper: f64,
    /// The polished measure with its verified residual (None if the solve failed).
    pub measure: Option<VerifiedMeasure>,
    /// The operator the bracket refers to.
    pub operator: Operator,
    /// Refinement rounds made.
    pub refine_rounds: usize,
    /// Directions added by refinement.
    pub added_directions: usize,
    /// Total seconds (LP solves and certificate searches).
    pub seconds: f64,
}

/// The bound of `sup |eta|` for the final bracket: the branch-and-bound
/// where it applies, with target `max(1, estimate) (1 + eps / 10)`.
fn final_bound(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    field: &EtaField,
    candidates: &[super::eta::EtaPoint],
    opts: &SolveOptions,
) -> Result<SupBound> {
    let eps = opts.refine.eps;
    sup_bound(
        spec,
        plan,
        field,
        candidates,
        &opts.sup,
        &opts.bnb,
        None,
        |e| Some(e.max(1.0) * (1.0 + 0.1 * eps)),
    )
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
    // The lambda behind the best lower bound of the rounds (with its dual value).
    let mut best_lambda: Option<(Vec<f64>, f64)> = None;
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
                lower_kind: BoundKind::Estimated,
                certified_upper: f64::NAN,
                measure: None,
                operator: Operator::of(plan),
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
        // Rounds: the search estimate (no branch-and-bound).
        let no_bnb = BnbSettings {
            max_dim: 0,
            ..opts.bnb
        };
        let sup = sup_bound(
            spec,
            plan,
            &field,
            &candidates,
            &opts.sup,
            &no_bnb,
            None,
            |_| None,
        )?;
        let s = sup.value.max(1.0);
        if grid.lp.dual_objective / s > best_lower {
            best_lower = grid.lp.dual_objective / s;
            best_lambda = Some((lambda.clone(), grid.lp.dual_objective));
        }
        let upper = grid.lp.primal_objective;
        let tight = upper - best_lower <= opts.refine.eps * upper.abs();
        let done = !opts.refine.enabled
            || sup.value <= 1.0 + opts.refine.eps
            || tight
            || rounds >= opts.refine.max_rounds;
        if done {
            // The final bracket: a bound of the sup with its kind, and a
            // verified measure.
            let dual = grid.lp.dual_objective;
            let mut fin = final_bound(spec, plan, &field, &candidates, opts)?;
            let mut certified_lower = dual / fin.value.max(1.0);
            // An earlier round's lambda may give the better bound.
            if let Some((lam_b, dual_b)) = best_lambda.filter(|(l, _)| *l != lambda) {
                let field_b = EtaField::new(spec, plan, lam_b.clone())?;
                let mut cand_b = dictionary_eta(dict, &lam_b);
                cand_b.extend(dense_eta(
                    spec,
                    plan,
                    &lam_b,
                    opts.sup.dense_points,
                    opts.sup.seed,
                )?);
                let fin_b = final_bound(spec, plan, &field_b, &cand_b, opts)?;
                let lower_b = dual_b / fin_b.value.max(1.0);
                if lower_b > certified_lower
                    && (fin_b.kind == BoundKind::Proved || fin.kind == BoundKind::Estimated)
                {
                    certified_lower = lower_b;
                    fin = fin_b;
                }
            }
            let measure =
                verify_measure(spec, plan, dict, &grid.lp.c, y, opts.delta, &opts.verify)?;
            let certified_upper = if measure.verified {
                measure.cost
            } else {
                f64::NAN
            };
            return Ok(CertifiedSolve {
                grid,
                lower_kind: fin.kind,
                sup: Some(fin),
                certified_lower,
                certified_upper,
                measure: Some(measure),
                operator: Operator::of(plan),
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
        // psi_mod: the thin-bump limit above 1 asks for near-Dirac columns.
        if let Some((limit, x)) = &sup.thin_bump_limit
            && *limit > 1.0 + opts.refine.eps
        {
            for h in [1e-2, 1e-3, 1e-4] {
                new_dirs.extend(thin_bump_direction(spec, x, h));
            }
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
