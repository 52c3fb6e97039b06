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
    equality_only(prog, "good-lp")?;
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

/// The good_lp backends solve the equality form only: an error naming the
/// backend for `delta > 0`.
pub(crate) fn equality_only(prog: &Program<'_>, backend: &str) -> Result<()> {
    if prog.delta > 0.0 {
        return Err(Error::setting(
            "backend",
            backend,
            format!("the {backend} backend has no noisy variant; use --backend clarabel"),
        ));
    }
    Ok(())
}

/// The outcome of a simplex run through good_lp: `Ok(Some(solution))`, a
/// status without a solution (infeasible, unbounded, or `other_status` for
/// good_lp's `Other` errors when given) as a zero `LpSolution`, or an error.
pub(crate) fn simplex_outcome<S>(
    prog: &Program<'_>,
    outcome: std::result::Result<S, good_lp::ResolutionError>,
    other_status: Option<Status>,
    seconds: f64,
    backend: Backend,
) -> Result<std::result::Result<S, LpSolution>> {
    use good_lp::ResolutionError as E;
    let failed = |status: Status| {
        LpSolution::finish(
            prog,
            status,
            vec![0.0; prog.n()],
            vec![0.0; prog.m],
            0,
            seconds,
            backend,
        )
    };
    match (outcome, other_status) {
        (Ok(s), _) => Ok(Ok(s)),
        (Err(E::Infeasible), _) => Ok(Err(failed(Status::PrimalInfeasible))),
        (Err(E::Unbounded), _) => Ok(Err(failed(Status::DualInfeasible))),
        (Err(E::Other(_)), Some(st)) => Ok(Err(failed(st))),
        (Err(e), _) => Err(Error::Numerical {
            what: format!("the {} backend failed: {e}", backend_name(backend)),
        }),
    }
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Simplex => "simplex",
        Backend::Highs => "highs",
        Backend::GoodLp => "good-lp",
        Backend::Clarabel => "clarabel",
        Backend::ClarabelPrimal => "clarabel-primal",
        Backend::DenseIpm => "dense-ipm",
    }
}

/// A vertex solution with a dual-feasible `lambda`: `solved` when the
/// dual closes the gap to [`super::simplex_backend::DUAL_GAP_REL`] (and the
/// run finished), `almost_solved` when it does not, `max_time` when the
/// run stopped early.
pub(crate) fn vertex_solution(
    prog: &Program<'_>,
    finished: bool,
    c: Vec<f64>,
    lambda: Vec<f64>,
    seconds: f64,
    backend: Backend,
) -> LpSolution {
    let status = if finished {
        Status::Solved
    } else {
        Status::MaxTime
    };
    let mut s = LpSolution::finish(prog, status, c, lambda, 0, seconds, backend);
    let scale = s.primal_objective.abs().max(f64::MIN_POSITIVE);
    if finished
        && (s.primal_objective - s.dual_objective) / scale > super::simplex_backend::DUAL_GAP_REL
    {
        s.status = Status::AlmostSolved;
    }
    s
}
