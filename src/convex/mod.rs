//! The discretized convex problem (P_N) and its dual (D_N) (docs/theory.md 4-5):
//!
//! ```text
//! (P_N)  min sum_j psi_j |c_j|  s.t.  Phi c = y        (noisy: |Phi c - y|_2 <= delta)
//! (D_N)  max y.lambda (- delta |lambda|)  s.t.  |phi_j . lambda| <= psi_j  for all j
//! ```
//!
//! As a conic program in `x = (c+, c-) >= 0`: a zero cone (or a second-order
//! cone for the noisy variant) for the data constraint and a nonnegative cone
//! for `c+-`. Backends: [`clarabel_backend`] (the default: CSC handed to
//! Clarabel directly) and [`good_lp_backend`] (the same LP modelled through
//! good_lp, the independent twin). Solver outcomes are [`Status`]es carried
//! with the solution, never errors; the inner Clarabel status is always the
//! one reported.

pub mod atoms;
pub mod clarabel_backend;
pub mod columns;
pub mod dense_ipm;
pub mod dense_qp;
pub mod good_lp_backend;
pub mod highs_backend;
pub mod simplex_backend;

use crate::error::{Error, Result};
use serde::Serialize;

/// A weighted-l1 program (P_N) over a dense dictionary.
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// `M x N` column-major.
    pub phi: &'a [f64],
    /// Rows M.
    pub m: usize,
    /// The data `y` (length M).
    pub y: &'a [f64],
    /// Costs `psi_j >= 0` (length N).
    pub psi: &'a [f64],
    /// Noise level `delta >= 0` (0: equality constraint).
    pub delta: f64,
}

impl<'a> Program<'a> {
    /// Validates sizes and values: a typed error names the offending input.
    pub fn new(phi: &'a [f64], m: usize, y: &'a [f64], psi: &'a [f64], delta: f64) -> Result<Self> {
        if m == 0 {
            return Err(Error::setting("y", "[]", "the data vector y is empty"));
        }
        if y.len() != m {
            return Err(Error::DimensionMismatch {
                what: "y (the rows of Phi)".into(),
                expected: m,
                got: y.len(),
            });
        }
        if phi.len() != m * psi.len() {
            return Err(Error::DimensionMismatch {
                what: "Phi entries (M x N with N = the length of psi)".into(),
                expected: m * psi.len(),
                got: phi.len(),
            });
        }
        if psi.is_empty() {
            return Err(Error::setting("psi", "[]", "the dictionary has no columns"));
        }
        crate::error::check_finite("Phi", phi)?;
        crate::error::check_finite("y", y)?;
        crate::error::check_finite("psi", psi)?;
        if let Some(j) = psi.iter().position(|&p| p < 0.0) {
            return Err(Error::setting(
                "psi",
                psi[j],
                format!("the cost of column {j} is negative; costs must be >= 0"),
            ));
        }
        if !(delta.is_finite() && delta >= 0.0) {
            return Err(Error::setting(
                "noise-delta",
                delta,
                "the noise level must be a finite number >= 0",
            ));
        }
        if phi.iter().all(|&v| v == 0.0) {
            return Err(Error::setting(
                "Phi",
                "0",
                "the dictionary is all zero: no measure can match the data",
            ));
        }
        Ok(Program {
            phi,
            m,
            y,
            psi,
            delta,
        })
    }

    /// Columns N.
    pub fn n(&self) -> usize {
        self.psi.len()
    }

    /// Column `j`.
    pub fn column(&self, j: usize) -> &'a [f64] {
        &self.phi[j * self.m..(j + 1) * self.m]
    }

    /// `Phi c`.
    pub fn apply(&self, c: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.m];
        for (j, &cj) in c.iter().enumerate() {
            if cj != 0.0 {
                for (o, p) in out.iter_mut().zip(self.column(j)) {
                    *o += cj * p;
                }
            }
        }
        out
    }

    /// `sum_j psi_j |c_j|`.
    pub fn cost(&self, c: &[f64]) -> f64 {
        c.iter().zip(self.psi).map(|(a, p)| a.abs() * p).sum()
    }

    /// The dual objective `y.lambda - delta |lambda|`.
    pub fn dual_value(&self, lambda: &[f64]) -> f64 {
        let yl: f64 = self.y.iter().zip(lambda).map(|(a, b)| a * b).sum();
        yl - self.delta * lambda.iter().map(|v| v * v).sum::<f64>().sqrt()
    }
}

/// Clarabel's termination statuses, kept distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Solved to the requested accuracy.
    Solved,
    /// Solved to reduced accuracy.
    AlmostSolved,
    /// The data constraint cannot be met.
    PrimalInfeasible,
    /// Infeasible, reduced accuracy.
    AlmostPrimalInfeasible,
    /// Unbounded below.
    DualInfeasible,
    /// Unbounded, reduced accuracy.
    AlmostDualInfeasible,
    /// Iteration limit reached.
    MaxIterations,
    /// Time limit reached.
    MaxTime,
    /// Numerical failure inside the solver.
    NumericalError,
    /// No progress.
    InsufficientProgress,
    /// The solver did not run.
    Unsolved,
    /// Stopped by a callback.
    CallbackTerminated,
}

impl Status {
    /// Solved to full accuracy.
    pub fn is_solved(&self) -> bool {
        *self == Status::Solved
    }

    /// A solution that may be used with care (Solved or AlmostSolved).
    pub fn has_solution(&self) -> bool {
        matches!(self, Status::Solved | Status::AlmostSolved)
    }

    /// Primal infeasibility (full or reduced accuracy).
    pub fn is_infeasible(&self) -> bool {
        matches!(
            self,
            Status::PrimalInfeasible | Status::AlmostPrimalInfeasible
        )
    }

    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Solved => "solved",
            Status::AlmostSolved => "almost_solved",
            Status::PrimalInfeasible => "primal_infeasible",
            Status::AlmostPrimalInfeasible => "almost_primal_infeasible",
            Status::DualInfeasible => "dual_infeasible",
            Status::AlmostDualInfeasible => "almost_dual_infeasible",
            Status::MaxIterations => "max_iterations",
            Status::MaxTime => "max_time",
            Status::NumericalError => "numerical_error",
            Status::InsufficientProgress => "insufficient_progress",
            Status::Unsolved => "unsolved",
            Status::CallbackTerminated => "callback_terminated",
        }
    }
}

impl From<clarabel::solver::SolverStatus> for Status {
    fn from(s: clarabel::solver::SolverStatus) -> Self {
        use clarabel::solver::SolverStatus as S;
        match s {
            S::Solved => Status::Solved,
            S::AlmostSolved => Status::AlmostSolved,
            S::PrimalInfeasible => Status::PrimalInfeasible,
            S::AlmostPrimalInfeasible => Status::AlmostPrimalInfeasible,
            S::DualInfeasible => Status::DualInfeasible,
            S::AlmostDualInfeasible => Status::AlmostDualInfeasible,
            S::MaxIterations => Status::MaxIterations,
            S::MaxTime => Status::MaxTime,
            S::NumericalError => Status::NumericalError,
            S::InsufficientProgress => Status::InsufficientProgress,
            S::Unsolved => Status::Unsolved,
            S::CallbackTerminated => Status::CallbackTerminated,
        }
    }
}

/// Which LP backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// Clarabel on the dual (D_N), built directly as CSC (the fallback of `DenseIpm`).
    Clarabel,
    /// Clarabel on the primal conic form of (P_N), built directly as CSC.
    ClarabelPrimal,
    /// The same LP modelled through good_lp (Clarabel underneath); no noisy variant.
    GoodLp,
    /// The same LP through good_lp's microlp: a pure-Rust simplex method,
    /// independent of Clarabel (vertex solutions; dual recovered from the
    /// vertex); no noisy variant.
    Simplex,
    /// The same LP through good_lp's HiGHS adapter: HiGHS's dual simplex
    /// (C++, independent of Clarabel and microlp; vertex solutions, row
    /// duals); no noisy variant.
    Highs,
    /// A dense interior point on the normal equations ([`dense_ipm`];
    /// default of refinement and verdicts); falls back to Clarabel where it
    /// does not apply or does not converge.
    DenseIpm,
}

/// Interior-point settings. Defaults are tighter than Clarabel's own
/// (1e-8) so that two solves can be compared to 1e-7 relative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SolveSettings {
    /// Iteration limit (default 200).
    pub max_iter: u32,
    /// Absolute duality-gap tolerance (default 1e-10).
    pub tol_gap_abs: f64,
    /// Relative duality-gap tolerance (default 1e-10).
    pub tol_gap_rel: f64,
    /// Feasibility tolerance (default 1e-10).
    pub tol_feas: f64,
    /// Time limit in seconds per solve (default: none).
    pub time_limit: f64,
    /// Clarabel's thread limit (default 1: our own loops are parallel).
    pub max_threads: u32,
    /// Clarabel's factorization of the interior-point (KKT) systems
    /// (default [`Ldl::Auto`]).
    pub ldl: Ldl,
}

/// The sparse LDL factorization inside Clarabel's interior-point steps.
///
/// The dual form of (P_N) has `M` dense columns against `2N` slack rows,
/// so the factor is dense in its last `M x M` block: Clarabel's `auto`
/// rule (with its `faer-sparse` feature) then picks faer's supernodal
/// factorization, which runs that block as blocked dense kernels, and
/// QDLDL (scalar, column by column) elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ldl {
    /// Clarabel's rule: faer (supernodal) when the factor is dense, QDLDL
    /// otherwise.
    Auto,
    /// QDLDL always (what every result before 2026-12-04's faer switch used).
    Qdldl,
}

impl Ldl {
    /// Clarabel's name of the method.
    pub fn clarabel_name(&self) -> &'static str {
        match self {
            Ldl::Auto => "auto",
            Ldl::Qdldl => "qdldl",
        }
    }
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            max_iter: 200,
            tol_gap_abs: 1e-10,
            tol_gap_rel: 1e-10,
            tol_feas: 1e-10,
            time_limit: f64::INFINITY,
            max_threads: 1,
            ldl: Ldl::Auto,
        }
    }
}

/// The outcome of one LP solve.
#[derive(Debug, Clone, Serialize)]
pub struct LpSolution {
    /// Inner Clarabel status.
    pub status: Status,
    /// `c` (length N).
    pub c: Vec<f64>,
    /// The dual vector `lambda` (length M) of (D_N).
    pub lambda: Vec<f64>,
    /// `sum psi_j |c_j|` at the returned `c`.
    pub primal_objective: f64,
    /// `y.lambda - delta |lambda|` at the returned `lambda`.
    pub dual_objective: f64,
    /// `|Phi c - y|_2`.
    pub residual: f64,
    /// Interior-point iterations.
    pub iterations: u32,
    /// Wall time of the solve in seconds.
    pub seconds: f64,
    /// The backend.
    pub backend: Backend,
}

impl LpSolution {
    /// The relative duality gap `|p - d| / max(1, |p|)`.
    pub fn gap(&self) -> f64 {
        (self.primal_objective - self.dual_objective).abs() / self.primal_objective.abs().max(1.0)
    }

    /// Number of entries with `|c_j| > rel * max |c|`.
    pub fn nonzeros(&self, rel: f64) -> usize {
        let mx = self.c.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        self.c
            .iter()
            .filter(|v| v.abs() > rel * mx && mx > 0.0)
            .count()
    }

    /// Fills the derived numbers from `c` and `lambda`.
    pub(crate) fn finish(
        prog: &Program<'_>,
        status: Status,
        c: Vec<f64>,
        lambda: Vec<f64>,
        iterations: u32,
        seconds: f64,
        backend: Backend,
    ) -> Self {
        let r = prog.apply(&c);
        let residual = r
            .iter()
            .zip(prog.y)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        LpSolution {
            status,
            primal_objective: prog.cost(&c),
            dual_objective: prog.dual_value(&lambda),
            residual,
            c,
            lambda,
            iterations,
            seconds,
            backend,
        }
    }
}

/// Solves (P_N) with the chosen backend.
pub fn solve(prog: &Program<'_>, backend: Backend, settings: &SolveSettings) -> Result<LpSolution> {
    match backend {
        Backend::Clarabel => clarabel_backend::solve_dual(prog, settings),
        Backend::ClarabelPrimal => clarabel_backend::solve(prog, settings),
        Backend::GoodLp => good_lp_backend::solve(prog, settings),
        Backend::Simplex => simplex_backend::solve(prog, settings),
        Backend::Highs => highs_backend::solve(prog, settings),
        Backend::DenseIpm => dense_ipm::solve(prog, settings),
    }
}
