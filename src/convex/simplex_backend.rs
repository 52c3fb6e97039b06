//! (P_N) through good_lp's microlp adapter: a pure-Rust simplex method,
//! independent of Clarabel (no shared code, a vertex solution instead of an
//! interior point). It is the twin that the interior-point backends are
//! tested against (THEORY.md 5).
//!
//! microlp gives no dual values. The dual vector is recovered from the
//! vertex: on its support S, optimality asks `Phi_S^T lambda = psi_S
//! sign(c_S)`; the minimum-norm solution is then scaled down until
//! `|Phi_j^T lambda| <= psi_j` holds on every column, so `y . lambda` is a
//! valid lower bound of value(P_N) whatever the vertex. When that bound is
//! within [`DUAL_GAP_REL`] of the primal value the status is `solved`;
//! otherwise (a degenerate vertex whose support does not pin lambda down)
//! `almost_solved`, and the gap says by how much. Only the equality form
//! (`delta = 0`) exists here.

use super::good_lp_backend::{SplitModel, equality_only, simplex_outcome, vertex_solution};
use super::{Backend, LpSolution, Program, SolveSettings, Status};
use crate::error::Result;
use good_lp::solvers::microlp::microlp;
use good_lp::{Solution, SolverModel, WithTimeLimit};
use nalgebra::DMatrix;

/// The recovered dual must close the gap to this (relative) for `solved`.
pub const DUAL_GAP_REL: f64 = 1e-9;

/// Entries with `|c_j| <= SUPPORT_REL max |c|` are off the support.
pub const SUPPORT_REL: f64 = 1e-12;

/// Solves (P_N) by the simplex method.
pub fn solve(prog: &Program<'_>, settings: &SolveSettings) -> Result<LpSolution> {
    equality_only(prog, "simplex")?;
    let n = prog.n();
    let SplitModel {
        vars,
        plus,
        minus,
        objective,
        constraints,
    } = SplitModel::new(prog);
    let mut model = vars.minimise(objective).using(microlp);
    if settings.time_limit.is_finite() {
        model = model.with_time_limit(settings.time_limit);
    }
    for c in constraints {
        model = model.with(c);
    }
    let start = std::time::Instant::now();
    let outcome = model.solve();
    let seconds = start.elapsed().as_secs_f64();
    let sol = match simplex_outcome(
        prog,
        outcome,
        Some(Status::MaxTime),
        seconds,
        Backend::Simplex,
    )? {
        Ok(s) => s,
        Err(failed) => return Ok(failed),
    };
    let c: Vec<f64> = (0..n)
        .map(|j| sol.value(plus[j]) - sol.value(minus[j]))
        .collect();
    let lambda = dual_from_vertex(prog, &c);
    Ok(vertex_solution(
        prog,
        true,
        c,
        lambda,
        seconds,
        Backend::Simplex,
    ))
}

/// A dual-feasible `lambda` from a primal vertex (module doc).
pub fn dual_from_vertex(prog: &Program<'_>, c: &[f64]) -> Vec<f64> {
    let m = prog.m;
    let cmax = c.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let support: Vec<usize> = (0..c.len())
        .filter(|&j| c[j].abs() > SUPPORT_REL * cmax)
        .collect();
    if support.is_empty() {
        return vec![0.0; m];
    }
    // Phi_S^T lambda = psi_S sign(c_S), minimum norm (SVD).
    let a = DMatrix::from_fn(support.len(), m, |r, i| prog.column(support[r])[i]);
    let b = nalgebra::DVector::from_iterator(
        support.len(),
        support.iter().map(|&j| prog.psi[j] * c[j].signum()),
    );
    let svd = a.svd(true, true);
    let tol = 1e-12 * svd.singular_values.max();
    let mut lambda: Vec<f64> = match svd.solve(&b, tol) {
        Ok(x) => x.iter().copied().collect(),
        Err(_) => return vec![0.0; m],
    };
    scale_to_feasible(prog, &mut lambda);
    lambda
}

/// Scales `lambda` into the dual feasible set `|Phi_j^T lambda| <= psi_j`
/// (by the largest violation ratio; to zero if a column with `psi_j = 0`
/// is violated), so that `y . lambda` is a valid lower bound of value(P_N).
/// Shared with [`super::highs_backend`].
pub(crate) fn scale_to_feasible(prog: &Program<'_>, lambda: &mut [f64]) {
    let mut worst = 1.0f64;
    for j in 0..prog.n() {
        let dot: f64 = prog
            .column(j)
            .iter()
            .zip(lambda.iter())
            .map(|(a, b)| a * b)
            .sum();
        if prog.psi[j] > 0.0 {
            worst = worst.max(dot.abs() / prog.psi[j]);
        } else if dot != 0.0 {
            worst = f64::INFINITY;
        }
    }
    if worst.is_finite() {
        lambda.iter_mut().for_each(|v| *v /= worst);
    } else {
        lambda.iter_mut().for_each(|v| *v = 0.0);
    }
}
