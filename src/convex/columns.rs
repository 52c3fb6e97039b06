//! Strategies for (P_N) on a large grid (docs/theory.md 5, "Certified
//! refinement (column generation)", restricted to the grid):
//!
//! - `full`: one LP on every column;
//! - `columns`: column generation. Solve on a small active set (the columns
//!   best correlated with `y`), evaluate `eta_j = phi_j . lambda / psi_j` on
//!   the whole grid (one matrix-vector product), add the worst violators,
//!   repeat until no column has `|eta_j| > 1 + eps`. Then `lambda / (1+eps)`
//!   is feasible for (D_N), so the restricted optimum is within a factor
//!   `1 + eps` of the full one.

use super::{Backend, LpSolution, Program, SolveSettings, Status, solve};
use crate::error::Result;
use rayon::prelude::*;
use serde::Serialize;

/// How (P_N) is solved on a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// One LP on every column.
    Full,
    /// Column generation (default).
    Columns,
}

/// Settings of column generation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ColumnSettings {
    /// Stop when no column has `|eta_j| > 1 + eps` (default 1e-9).
    pub eps: f64,
    /// Size of the first active set; 0 = `max(4 M, 50)` (default 0).
    pub initial: usize,
    /// Violators added per round; 0 = `max(2 M, 50)` (default 0).
    pub per_round: usize,
    /// Round limit (default 200).
    pub max_rounds: usize,
}

impl Default for ColumnSettings {
    fn default() -> Self {
        ColumnSettings {
            eps: 1e-9,
            initial: 0,
            per_round: 0,
            max_rounds: 200,
        }
    }
}

/// The outcome of a strategy on one grid.
#[derive(Debug, Clone, Serialize)]
pub struct GridSolve {
    /// The last LP solve, with `c` scattered over all N columns.
    pub lp: LpSolution,
    /// LP solves made.
    pub rounds: usize,
    /// Total interior-point iterations.
    pub iterations: u64,
    /// Total time in the LP solver (seconds).
    pub lp_seconds: f64,
    /// Columns in the final active set.
    pub active: Vec<usize>,
    /// `max_j |eta_j|` over all columns at the final `lambda`.
    pub max_grid_eta: f64,
    /// True when column generation stopped at the round limit with violators left.
    pub round_limit_hit: bool,
}

/// `eta_j = phi_j . lambda / psi_j` for every column (parallel). A column
/// with `psi_j = 0` gets `+-inf` unless `phi_j . lambda = 0`.
pub fn eta_on_columns(prog: &Program<'_>, lambda: &[f64]) -> Vec<f64> {
    (0..prog.n())
        .into_par_iter()
        .with_min_len(256)
        .map(|j| {
            let v: f64 = prog.column(j).iter().zip(lambda).map(|(a, b)| a * b).sum();
            if prog.psi[j] > 0.0 {
                v / prog.psi[j]
            } else if v == 0.0 {
                0.0
            } else {
                v.signum() * f64::INFINITY
            }
        })
        .collect()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, x| a.max(x.abs()))
}

/// Solves (P_N) restricted to the columns `cols`, each column with a
/// positive cost scaled to unit cost (`phi_j / psi_j`, cost 1), and returns
/// the amplitudes of the unscaled columns (`c_j = c'_j / psi_j`, in the
/// order of `cols`). The problem is the same; the scaling is for the
/// solver: its feasibility tolerance is absolute, so a dual constraint
/// `|phi_j . lambda| <= psi_j` with `psi_j` near 1e-11 (psi_mod's thin
/// bumps) would otherwise be held only to within the tolerance, that is
/// not at all, while in unit cost it reads `|eta_j| <= 1` for every column.
/// `lambda` is the same in both forms.
fn solve_unit_cost(
    prog: &Program<'_>,
    cols: &[usize],
    backend: Backend,
    settings: &SolveSettings,
    buf_phi: &mut Vec<f64>,
    buf_psi: &mut Vec<f64>,
) -> Result<LpSolution> {
    buf_phi.clear();
    buf_psi.clear();
    for &j in cols {
        let p = prog.psi[j];
        let s = if p > 0.0 { 1.0 / p } else { 1.0 };
        buf_phi.extend(prog.column(j).iter().map(|v| v * s));
        buf_psi.push(if p > 0.0 { 1.0 } else { 0.0 });
    }
    let sub = Program {
        phi: buf_phi,
        m: prog.m,
        y: prog.y,
        psi: buf_psi,
        delta: prog.delta,
    };
    let mut lp = solve(&sub, backend, settings)?;
    for (c, &j) in lp.c.iter_mut().zip(cols) {
        if prog.psi[j] > 0.0 {
            *c /= prog.psi[j];
        }
    }
    Ok(lp)
}

/// Solves (P_N) on all its columns in unit cost (see [`solve_unit_cost`]):
/// the LP of a small dictionary (a support), with its derived numbers
/// (objectives, residual) computed on the unscaled program.
pub fn solve_scaled(
    prog: &Program<'_>,
    backend: Backend,
    settings: &SolveSettings,
) -> Result<LpSolution> {
    let all: Vec<usize> = (0..prog.n()).collect();
    let (mut buf_phi, mut buf_psi) = (Vec::new(), Vec::new());
    let s = solve_unit_cost(prog, &all, backend, settings, &mut buf_phi, &mut buf_psi)?;
    Ok(LpSolution::finish(
        prog,
        s.status,
        s.c,
        s.lambda,
        s.iterations,
        s.seconds,
        s.backend,
    ))
}

/// Solves (P_N) with a strategy. `warm` is an optional starting active set
/// (used by refinement).
pub fn solve_grid(
    prog: &Program<'_>,
    strategy: Strategy,
    backend: Backend,
    settings: &SolveSettings,
    cg: &ColumnSettings,
    warm: Option<&[usize]>,
) -> Result<GridSolve> {
    let n = prog.n();
    if strategy == Strategy::Full {
        let lp = solve_scaled(prog, backend, settings)?;
        let eta = eta_on_columns(prog, &lp.lambda);
        return Ok(GridSolve {
            rounds: 1,
            iterations: lp.iterations as u64,
            lp_seconds: lp.seconds,
            active: (0..n).collect(),
            max_grid_eta: max_abs(&eta),
            round_limit_hit: false,
            lp,
        });
    }
    let m = prog.m;
    let initial = if cg.initial == 0 {
        (4 * m).max(50)
    } else {
        cg.initial
    };
    let per_round = if cg.per_round == 0 {
        (2 * m).max(50)
    } else {
        cg.per_round
    };
    // Rank columns by |phi_j . y| / psi_j (the eta of lambda = y).
    let corr = eta_on_columns(prog, prog.y);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| corr[b].abs().total_cmp(&corr[a].abs()).then(a.cmp(&b)));
    let mut in_active = vec![false; n];
    let mut active: Vec<usize> = Vec::new();
    if let Some(w) = warm {
        for &j in w {
            if j < n && !in_active[j] {
                in_active[j] = true;
                active.push(j);
            }
        }
    }
    let mut next_by_corr = 0usize;
    let mut add_by_corr = |active: &mut Vec<usize>, in_active: &mut Vec<bool>, count: usize| {
        let mut added = 0;
        while added < count && next_by_corr < n {
            let j = order[next_by_corr];
            next_by_corr += 1;
            if !in_active[j] {
                in_active[j] = true;
                active.push(j);
                added += 1;
            }
        }
        added
    };
    if active.len() < initial {
        let need = initial - active.len();
        add_by_corr(&mut active, &mut in_active, need);
    }
    let mut rounds = 0usize;
    let mut iterations = 0u64;
    let mut lp_seconds = 0.0;
    let mut buf_phi = Vec::new();
    let mut buf_psi = Vec::new();
    loop {
        rounds += 1;
        let sub_lp = solve_unit_cost(prog, &active, backend, settings, &mut buf_phi, &mut buf_psi)?;
        iterations += sub_lp.iterations as u64;
        lp_seconds += sub_lp.seconds;
        // Scatter c over the full grid and recompute the derived numbers.
        let mut c = vec![0.0; n];
        for (q, &j) in active.iter().enumerate() {
            c[j] = sub_lp.c[q];
        }
        let lp = LpSolution::finish(
            prog,
            sub_lp.status,
            c,
            sub_lp.lambda.clone(),
            sub_lp.iterations,
            sub_lp.seconds,
            sub_lp.backend,
        );
        if sub_lp.status.is_infeasible() && active.len() < n {
            // The active columns may not span y yet: widen and retry.
            let widen = per_round.max(active.len());
            add_by_corr(&mut active, &mut in_active, widen);
            continue;
        }
        if !sub_lp.status.has_solution() {
            let eta = eta_on_columns(prog, &lp.lambda);
            return Ok(GridSolve {
                rounds,
                iterations,
                lp_seconds,
                active,
                max_grid_eta: max_abs(&eta),
                round_limit_hit: false,
                lp,
            });
        }
        let eta = eta_on_columns(prog, &lp.lambda);
        let mut viol: Vec<usize> = (0..n)
            .filter(|&j| !in_active[j] && eta[j].abs() > 1.0 + cg.eps)
            .collect();
        let max_grid_eta = max_abs(&eta);
        if viol.is_empty() || rounds >= cg.max_rounds {
            return Ok(GridSolve {
                rounds,
                iterations,
                lp_seconds,
                active,
                max_grid_eta,
                round_limit_hit: !viol.is_empty(),
                lp,
            });
        }
        viol.sort_by(|&a, &b| eta[b].abs().total_cmp(&eta[a].abs()).then(a.cmp(&b)));
        for &j in viol.iter().take(per_round) {
            in_active[j] = true;
            active.push(j);
        }
    }
}

/// True when a grid solve's answer is usable: a solution status and, for
/// column generation, no violators left.
pub fn usable(g: &GridSolve) -> bool {
    g.lp.status.has_solution() && !g.round_limit_hit && g.lp.status != Status::Unsolved
}

/// What `inrsamp lp --json` prints: the solve of (P_N) with its status.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LpReport {
    /// Solver status.
    pub status: &'static str,
    /// Primal objective `sum psi_j |c_j|`.
    pub objective: f64,
    /// Dual objective.
    pub dual_objective: f64,
    /// `|Phi c - y|`.
    pub residual: f64,
    /// Seconds in the LP solves.
    pub solve_seconds: f64,
    /// Interior-point iterations in all.
    pub iterations: u64,
    /// Full LP or column generation.
    pub strategy: Strategy,
    /// LP solves (rounds of column generation).
    pub lp_solves: usize,
    /// `max_j |phi_j . lambda| / psi_j` over all columns.
    pub max_column_eta: f64,
    /// Entries of `c` above 1e-6 of the largest.
    pub nonzeros: usize,
    /// Rows of Phi.
    pub m: usize,
    /// Columns of Phi.
    pub n: usize,
    /// The backend that answered the last LP (Clarabel where the dense
    /// interior point fell back).
    pub backend: super::Backend,
    /// The amplitudes.
    pub c: Vec<f64>,
    /// The dual vector.
    pub lambda: Vec<f64>,
}

impl LpReport {
    /// The report of a grid solve of an `m x n` program.
    pub fn new(g: &GridSolve, strategy: Strategy, m: usize, n: usize) -> Self {
        let s = &g.lp;
        LpReport {
            status: s.status.name(),
            objective: s.primal_objective,
            dual_objective: s.dual_objective,
            residual: s.residual,
            solve_seconds: g.lp_seconds,
            iterations: g.iterations,
            strategy,
            lp_solves: g.rounds,
            max_column_eta: g.max_grid_eta,
            nonzeros: s.nonzeros(1e-6),
            m,
            n,
            backend: s.backend,
            c: s.c.clone(),
            lambda: s.lambda.clone(),
        }
    }
}
