//! (P_N) through good_lp's HiGHS adapter: HiGHS's dual simplex method, a
//! solver independent of Clarabel and of microlp (C++, its own presolve,
//! its own basis factorization), returning a vertex (basic) solution.
//! It is the twin that the interior-point backends are tested against to
//! 1e-8 relative (THEORY.md 5), and its vertex is sparse on degenerate LPs
//! where an interior point spreads mass over a face.
//!
//! The dual vector is HiGHS's row duals: for `min psi.(c+ + c-)` subject to
//! `Phi (c+ - c-) = y`, the reduced costs `psi -+ Phi^T lambda >= 0` say
//! exactly `|Phi_j^T lambda| <= psi_j`, so the row duals are the `lambda`
//! of (D_N). They are scaled into the dual feasible set (HiGHS meets its
//! own tolerance, [`FEASIBILITY_TOL`], not ours), so `y . lambda` is a
//! valid lower bound; the status is `solved` only when that bound is
//! within [`super::simplex_backend::DUAL_GAP_REL`] of the primal value.
//! Only the equality form (`delta = 0`) exists here.

use super::good_lp_backend::{SplitModel, equality_only, simplex_outcome, vertex_solution};
use super::simplex_backend::scale_to_feasible;
use super::{Backend, LpSolution, Program, SolveSettings};
use crate::error::Result;
use good_lp::solvers::highs::{HighsParallelType, HighsPresolveType, HighsSolverType, highs};
use good_lp::solvers::{DualValues, SolutionStatus, SolutionWithDual};
use good_lp::{Solution, SolverModel};

/// HiGHS's primal and dual feasibility tolerances (its defaults are 1e-7).
pub const FEASIBILITY_TOL: f64 = 1e-10;

/// Solves (P_N) with HiGHS.
pub fn solve(prog: &Program<'_>, settings: &SolveSettings) -> Result<LpSolution> {
    equality_only(prog, "highs")?;
    let n = prog.n();
    let SplitModel {
        vars,
        plus,
        minus,
        objective,
        constraints,
    } = SplitModel::new(prog);
    let mut model = vars
        .minimise(objective)
        .using(highs)
        .set_solver(HighsSolverType::Simplex)
        .set_presolve(HighsPresolveType::On)
        .set_parallel(HighsParallelType::Off)
        .set_threads(settings.max_threads.max(1));
    model.set_verbose(false);
    model = model
        .set_option("primal_feasibility_tolerance", FEASIBILITY_TOL)
        .set_option("dual_feasibility_tolerance", FEASIBILITY_TOL);
    if settings.time_limit.is_finite() {
        model = model.set_time_limit(settings.time_limit);
    }
    let rows: Vec<_> = constraints
        .into_iter()
        .map(|c| model.add_constraint(c))
        .collect();
    let start = std::time::Instant::now();
    let outcome = model.solve();
    let seconds = start.elapsed().as_secs_f64();
    let mut sol = match simplex_outcome(prog, outcome, None, seconds, Backend::Highs)? {
        Ok(s) => s,
        Err(failed) => return Ok(failed),
    };
    let finished = matches!(sol.status(), SolutionStatus::Optimal);
    let c: Vec<f64> = (0..n)
        .map(|j| sol.value(plus[j]) - sol.value(minus[j]))
        .collect();
    let mut lambda: Vec<f64> = {
        let duals = sol.compute_dual();
        rows.iter().map(|r| duals.dual(r.clone())).collect()
    };
    scale_to_feasible(prog, &mut lambda);
    Ok(vertex_solution(
        prog,
        finished,
        c,
        lambda,
        seconds,
        Backend::Highs,
    ))
}
