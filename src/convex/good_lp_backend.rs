//! The same LP modelled through good_lp (variables, expressions,
//! constraints), solved by its Clarabel adapter: the independent twin of
//! [`super::clarabel_backend`].
//!
//! good_lp maps Clarabel's `AlmostSolved` and even `DualInfeasible` to
//! "optimal", so we never use its status: we take the solver it builds and
//! read Clarabel's own status and iterates. Only the equality form
//! (`delta = 0`) exists here: good_lp has no second-order cones.

use super::{Backend, LpSolution, Program, SolveSettings, Status};
use crate::error::{Error, Result};
use clarabel::solver::IPSolver;
use good_lp::solvers::clarabel::clarabel;
use good_lp::{Expression, ProblemVariables, SolverModel, Variable, variable};

/// (P_N) in good_lp's terms with `c = c+ - c-`, `c+-` >= 0: the variables
/// (all `c+`, then all `c-`), the objective `sum psi_j (c+_j + c-_j)` and
/// the rows `Phi_i (c+ - c-) = y_i`. Shared by this backend and
/// [`super::simplex_backend`].
pub(crate) struct SplitModel {
    /// The variables.
    pub vars: ProblemVariables,
    /// `c+`.
    pub plus: Vec<Variable>,
    /// `c-`.
    pub minus: Vec<Variable>,
    /// The cost.
    pub objective: Expression,
    /// The data rows, in order.
    pub constraints: Vec<good_lp::Constraint>,
}

impl SplitModel {
    /// The model of `prog` (equality form).
    pub fn new(prog: &Program<'_>) -> Self {
        let (m, n) = (prog.m, prog.n());
        let mut vars = ProblemVariables::new();
        let plus: Vec<Variable> = (0..n).map(|_| vars.add(variable().min(0.0))).collect();
        let minus: Vec<Variable> = (0..n).map(|_| vars.add(variable().min(0.0))).collect();
        let objective: Expression = (0..n)
            .map(|j| prog.psi[j] * plus[j] + prog.psi[j] * minus[j])
            .sum();
        let constraints = (0..m)
            .map(|i| {
                let lhs: Expression = (0..n)
                    .filter(|&j| prog.column(j)[i] != 0.0)
                    .map(|j| prog.column(j)[i] * plus[j] - prog.column(j)[i] * minus[j])
                    .sum();
                lhs.eq(prog.y[i])
            })
            .collect();
        SplitModel {
            vars,
            plus,
            minus,
            objective,
            constraints,
        }
    }
}

/// Solves (P_N) through good_lp.
pub fn solve(prog: &Program<'_>, settings: &SolveSettings) -> Result<LpSolution> {
    if prog.delta > 0.0 {
        return Err(Error::setting(
            "backend",
            "good-lp",
            "the good-lp backend has no noisy variant; use --backend clarabel",
        ));
    }
    let (m, n) = (prog.m, prog.n());
    let split = SplitModel::new(prog);
    let mut model = split.vars.minimise(split.objective).using(clarabel);
    for c in split.constraints {
        model = model.with(c);
    }
    model
        .settings()
        .max_iter(settings.max_iter)
        .time_limit(settings.time_limit)
        .tol_gap_abs(settings.tol_gap_abs)
        .tol_gap_rel(settings.tol_gap_rel)
        .tol_feas(settings.tol_feas)
        .max_threads(settings.max_threads)
        .verbose(false);
    let mut solver = model.try_into_solver().map_err(|e| Error::Numerical {
        what: format!("good_lp could not build the problem: {e}"),
    })?;
    let start = std::time::Instant::now();
    solver.solve();
    let seconds = start.elapsed().as_secs_f64();
    let sol = &solver.solution;
    // good_lp adds variables in order: plus, then minus.
    let c: Vec<f64> = (0..n).map(|j| sol.x[j] - sol.x[n + j]).collect();
    // good_lp's rows: first the 2n variable bounds (c+- >= 0), then our m
    // equalities `Phi_i (c+ - c-) = y_i`, stored as A x + s = b with b = y_i:
    // as in the direct backend, lambda = -z on the equality rows.
    let lambda: Vec<f64> = (0..m).map(|i| -sol.z[2 * n + i]).collect();
    Ok(LpSolution::finish(
        prog,
        Status::from(sol.status),
        c,
        lambda,
        sol.iterations,
        seconds,
        Backend::GoodLp,
    ))
}
