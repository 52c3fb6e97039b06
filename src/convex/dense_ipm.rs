//! (P_N) by a primal-dual interior point on the normal equations (Mehrotra's
//! predictor-corrector), dense: backend `dense-ipm` (docs/theory.md 5).
//!
//! Why: Clarabel factorizes a sparse KKT matrix whose `M` columns of `Phi`
//! are dense, at about 1 GFlop/s (README, "Performance"); here each
//! iteration forms `Phi D Phi^T` (`M x M`) by one dense product and takes
//! its Cholesky factor. Standard form: `x = (c+, c-) >= 0`, `A = [Phi,
//! -Phi]`, cost `(psi, psi)`, dual `lambda` with slacks `s = cost - A^T
//! lambda >= 0`, so `|phi_j . lambda| <= psi_j`: the `lambda` of (D_N).
//!
//! It is a fast path, not a second opinion: a solve is `solved` only when
//! the derived numbers of [`LpSolution::finish`] (residual, objectives) and
//! the dual feasibility of `lambda` on every column meet the settings'
//! tolerances, recomputed outside the iteration. An iterate that passes
//! these checks before the iteration's own stopping test is kept, and
//! returned if the iteration then breaks down or stalls
//! ([`STALL_ITERATIONS`]). Anything else (noisy data, a zero-cost column,
//! a rank-deficient `Phi`, an iteration that fails before any iterate
//! passes) is handed to Clarabel ([`super::clarabel_backend::solve_dual`]), whose
//! answer then carries backend `clarabel`.

use super::{Backend, LpSolution, Program, SolveSettings, Status};
use crate::error::Result;
use nalgebra::{Cholesky, DMatrix, DVector};

/// Fraction of the distance to the boundary taken by each step.
pub const STEP_FRACTION: f64 = 0.995;

/// Diagonal shift (relative to the largest diagonal entry) added to the
/// normal matrix when its Cholesky factorization fails.
pub const SHIFT_REL: f64 = 1e-13;

/// The residual `|Phi c - y|`, the largest `|phi_j . lambda| / psi_j - 1`
/// and the gap, recomputed from the returned `c` and `lambda`, must be
/// within this factor of the settings' tolerances (the iteration tests
/// scaled residual norms, these are the numbers a caller reads).
pub const CHECK_FACTOR: f64 = 10.0;

/// Iterations without progress (no new low of the largest of the scaled
/// primal residual, dual residual and gap) after which the iteration stops
/// and returns the last iterate that passed the checks of [`CHECK_FACTOR`],
/// if one did (otherwise it goes on to the iteration limit: on the
/// max-margin QPs of `dense_qp` in d = 1, stopping there too sent 14 of 15
/// programs to Clarabel against 7 of 14, slow progress being progress).
/// Near a sparse optimum (a measure
/// of a few atoms against `M` rows) the normal matrix becomes singular; the
/// shifted factor's directions are then inaccurate, and the primal residual
/// grows again, by orders of magnitude, for the rest of the iteration
/// limit. Measured on a d = 2, K = 6, width-5 job: four LPs of its
/// refinement ran their 200 iterations and went to Clarabel; the first of
/// them had residuals and a gap within the checks' bounds at iteration 11.
pub const STALL_ITERATIONS: u32 = 5;

/// Solves (P_N); falls back to Clarabel where this route does not apply or
/// does not reach the settings' tolerances.
pub fn solve(prog: &Program<'_>, settings: &SolveSettings) -> Result<LpSolution> {
    let applies = prog.delta == 0.0 && prog.psi.iter().all(|&p| p > 0.0) && prog.n() > 0;
    if applies && let Some(sol) = iterate(prog, settings) {
        return Ok(sol);
    }
    super::clarabel_backend::solve_dual(prog, settings)
}

/// `Phi v` (length M) for `v` of length N.
fn phi_times(prog: &Program<'_>, v: &[f64]) -> Vec<f64> {
    let m = prog.m;
    let mut out = vec![0.0; m];
    for (j, &vj) in v.iter().enumerate() {
        if vj != 0.0 {
            for (o, a) in out.iter_mut().zip(prog.column(j)) {
                *o += a * vj;
            }
        }
    }
    out
}

/// `Phi^T u` (length N) for `u` of length M.
fn phi_t_times(prog: &Program<'_>, u: &[f64]) -> Vec<f64> {
    (0..prog.n())
        .map(|j| prog.column(j).iter().zip(u).map(|(a, b)| a * b).sum())
        .collect()
}

/// The Cholesky factor of `Phi diag(d) Phi^T`, shifted when needed.
fn normal_factor(prog: &Program<'_>, d: &[f64]) -> Option<Cholesky<f64, nalgebra::Dyn>> {
    let (m, n) = (prog.m, prog.n());
    let mut b = DMatrix::<f64>::zeros(m, n);
    for (j, dj) in d.iter().enumerate().take(n) {
        let r = dj.sqrt();
        for (dst, a) in b.column_mut(j).iter_mut().zip(prog.column(j)) {
            *dst = a * r;
        }
    }
    shifted_cholesky(&b * b.transpose(), SHIFT_REL)
}

/// The Cholesky factor of a symmetric `mat`; when that fails, of `mat`
/// plus `shift_rel` times its largest diagonal entry on the diagonal (also
/// used by [`super::dense_qp`]).
pub(super) fn shifted_cholesky(
    mut mat: DMatrix<f64>,
    shift_rel: f64,
) -> Option<Cholesky<f64, nalgebra::Dyn>> {
    if let Some(c) = Cholesky::new(mat.clone()) {
        return Some(c);
    }
    let n = mat.nrows();
    let top = (0..n).map(|i| mat[(i, i)]).fold(0.0f64, f64::max);
    for i in 0..n {
        mat[(i, i)] += shift_rel * top.max(f64::MIN_POSITIVE);
    }
    Cholesky::new(mat)
}

/// Largest `alpha <= 1` with `v + alpha dv >= 0`, times `fraction` when
/// the boundary is hit (also used by [`super::dense_qp`]).
pub(super) fn boundary_step(v: &[f64], dv: &[f64], fraction: f64) -> f64 {
    let mut a = f64::INFINITY;
    for (x, dx) in v.iter().zip(dv) {
        if *dx < 0.0 {
            a = a.min(-x / dx);
        }
    }
    if a.is_finite() {
        (fraction * a).min(1.0)
    } else {
        1.0
    }
}

/// [`boundary_step`] at [`STEP_FRACTION`].
fn step(v: &[f64], dv: &[f64]) -> f64 {
    boundary_step(v, dv, STEP_FRACTION)
}

/// The iteration; None when it does not end `solved` (see the module doc).
fn iterate(prog: &Program<'_>, settings: &SolveSettings) -> Option<LpSolution> {
    let start = std::time::Instant::now();
    let n = prog.n();
    let nn = 2 * n;
    // Cost of x = (c+, c-).
    let cost: Vec<f64> = prog.psi.iter().chain(prog.psi).copied().collect();
    let a_times = |x: &[f64]| -> Vec<f64> {
        let diff: Vec<f64> = (0..n).map(|j| x[j] - x[n + j]).collect();
        phi_times(prog, &diff)
    };
    let a_t_times = |u: &[f64]| -> Vec<f64> {
        let p = phi_t_times(prog, u);
        p.iter().copied().chain(p.iter().map(|v| -v)).collect()
    };
    // Starting point (Mehrotra): least-norm x and least-squares lambda,
    // both from A A^T = 2 Phi Phi^T, then shifted into the interior.
    let ones = vec![1.0; n];
    let f0 = normal_factor(prog, &ones)?;
    let u = f0.solve(&DVector::from_column_slice(prog.y));
    let pu = phi_t_times(prog, u.as_slice());
    // x~ = A^T (2 Phi Phi^T)^{-1} y.
    let mut x: Vec<f64> = pu
        .iter()
        .map(|v| 0.5 * v)
        .chain(pu.iter().map(|v| -0.5 * v))
        .collect();
    let ac = a_times(&cost);
    let lam0 = f0.solve(&DVector::from_column_slice(&ac));
    let mut lambda: Vec<f64> = lam0.iter().map(|v| 0.5 * v).collect();
    let atl = a_t_times(&lambda);
    let mut s: Vec<f64> = cost.iter().zip(&atl).map(|(c, a)| c - a).collect();
    let dx = (-1.5 * x.iter().copied().fold(f64::INFINITY, f64::min)).max(0.0);
    let ds = (-1.5 * s.iter().copied().fold(f64::INFINITY, f64::min)).max(0.0);
    x.iter_mut().for_each(|v| *v += dx);
    s.iter_mut().for_each(|v| *v += ds);
    let xs: f64 = x.iter().zip(&s).map(|(a, b)| a * b).sum();
    let sum_x: f64 = x.iter().sum();
    let sum_s: f64 = s.iter().sum();
    let (ex, es) = if xs > 0.0 {
        (
            0.5 * xs / sum_s.max(f64::MIN_POSITIVE),
            0.5 * xs / sum_x.max(f64::MIN_POSITIVE),
        )
    } else {
        (1.0, 1.0)
    };
    x.iter_mut().for_each(|v| *v = (*v + ex).max(1e-12));
    s.iter_mut().for_each(|v| *v = (*v + es).max(1e-12));
    let norm_y = prog.y.iter().map(|v| v * v).sum::<f64>().sqrt();
    let norm_c = cost.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mut iterations = 0u32;
    // The last iterate that passed the checks; the lowest merit so far, and when.
    let mut kept: Option<LpSolution> = None;
    let (mut best_merit, mut best_at) = (f64::INFINITY, 0u32);
    while iterations < settings.max_iter {
        iterations += 1;
        let ax = a_times(&x);
        let r_b: Vec<f64> = prog.y.iter().zip(&ax).map(|(b, a)| b - a).collect();
        let atl = a_t_times(&lambda);
        let r_c: Vec<f64> = (0..nn).map(|i| cost[i] - atl[i] - s[i]).collect();
        let mu = x.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() / nn as f64;
        let pobj: f64 = cost.iter().zip(&x).map(|(c, v)| c * v).sum();
        let dobj: f64 = prog.y.iter().zip(&lambda).map(|(a, b)| a * b).sum();
        let feas_p = r_b.iter().map(|v| v * v).sum::<f64>().sqrt() / (1.0 + norm_y);
        let feas_d = r_c.iter().map(|v| v * v).sum::<f64>().sqrt() / (1.0 + norm_c);
        let gap = (pobj - dobj).abs();
        if feas_p <= settings.tol_feas
            && feas_d <= settings.tol_feas
            && (gap <= settings.tol_gap_abs || gap <= settings.tol_gap_rel * pobj.abs().max(1.0))
        {
            break;
        }
        // Within the checks' reach: check this iterate, and keep it if it
        // passes (returned if the iteration then breaks down).
        let near = CHECK_FACTOR * settings.tol_feas;
        if feas_p <= near && feas_d <= near {
            let lam = lambda.clone();
            if let Some(sol) = checked(prog, settings, &x, lam, iterations, start) {
                kept = Some(sol);
            }
        }
        let merit = feas_p.max(feas_d).max(gap / pobj.abs().max(1.0));
        if merit < best_merit {
            (best_merit, best_at) = (merit, iterations);
        } else if kept.is_some() && iterations - best_at > STALL_ITERATIONS {
            return kept;
        }
        let d: Vec<f64> = x.iter().zip(&s).map(|(a, b)| a / b).collect();
        let dsum: Vec<f64> = (0..n).map(|j| d[j] + d[n + j]).collect();
        let Some(fac) = normal_factor(prog, &dsum) else {
            return kept;
        };
        // Solves for (dx, dlambda, ds) with right-hand side r_xs of
        // S dx + X ds = r_xs.
        let solve_dir = |r_xs: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            // A D A^T dl = r_b - A S^-1 r_xs + A D r_c.
            let v: Vec<f64> = (0..nn).map(|i| d[i] * r_c[i] - r_xs[i] / s[i]).collect();
            let av = a_times(&v);
            let rhs: Vec<f64> = r_b.iter().zip(&av).map(|(a, b)| a + b).collect();
            let dl = fac.solve(&DVector::from_column_slice(&rhs));
            let dl: Vec<f64> = dl.iter().copied().collect();
            let atdl = a_t_times(&dl);
            let ds: Vec<f64> = (0..nn).map(|i| r_c[i] - atdl[i]).collect();
            let dx: Vec<f64> = (0..nn).map(|i| (r_xs[i] - x[i] * ds[i]) / s[i]).collect();
            (dx, dl, ds)
        };
        // Predictor (affine scaling).
        let r_aff: Vec<f64> = (0..nn).map(|i| -x[i] * s[i]).collect();
        let (dx_a, _, ds_a) = solve_dir(&r_aff);
        let (ap, ad) = (step(&x, &dx_a), step(&s, &ds_a));
        let mu_aff = (0..nn)
            .map(|i| (x[i] + ap * dx_a[i]) * (s[i] + ad * ds_a[i]))
            .sum::<f64>()
            / nn as f64;
        let sigma = (mu_aff / mu).clamp(0.0, 1.0).powi(3);
        // Corrector.
        let r_cor: Vec<f64> = (0..nn)
            .map(|i| -x[i] * s[i] - dx_a[i] * ds_a[i] + sigma * mu)
            .collect();
        let (dx, dl, ds) = solve_dir(&r_cor);
        let (ap, ad) = (step(&x, &dx), step(&s, &ds));
        if !(ap.is_finite() && ad.is_finite())
            || dx.iter().chain(&dl).chain(&ds).any(|v| !v.is_finite())
        {
            return kept;
        }
        for (xi, di) in x.iter_mut().zip(&dx) {
            *xi += ap * di;
        }
        for (si, di) in s.iter_mut().zip(&ds) {
            *si += ad * di;
        }
        for (l, v) in lambda.iter_mut().zip(&dl) {
            *l += ad * v;
        }
    }
    checked(prog, settings, &x, lambda, iterations, start).or(kept)
}

/// The solution at `x = (c+, c-)` and `lambda`, when it passes the checks:
/// the residual, the largest `|phi_j . lambda| / psi_j - 1` and the gap,
/// recomputed by [`LpSolution::finish`] and on every column, each within
/// [`CHECK_FACTOR`] times the settings' tolerances.
fn checked(
    prog: &Program<'_>,
    settings: &SolveSettings,
    x: &[f64],
    lambda: Vec<f64>,
    iterations: u32,
    start: std::time::Instant,
) -> Option<LpSolution> {
    let n = prog.n();
    let norm_y = prog.y.iter().map(|v| v * v).sum::<f64>().sqrt();
    let c: Vec<f64> = (0..n).map(|j| x[j] - x[n + j]).collect();
    let seconds = start.elapsed().as_secs_f64();
    let sol = LpSolution::finish(
        prog,
        Status::Solved,
        c,
        lambda,
        iterations,
        seconds,
        Backend::DenseIpm,
    );
    let eta_max = phi_t_times(prog, &sol.lambda)
        .iter()
        .zip(prog.psi)
        .map(|(v, p)| v.abs() / p)
        .fold(0.0f64, f64::max);
    let f = CHECK_FACTOR;
    let ok = sol.residual <= f * settings.tol_feas * (1.0 + norm_y)
        && eta_max <= 1.0 + f * settings.tol_feas
        && (sol.primal_objective - sol.dual_objective).abs()
            <= f * (settings.tol_gap_rel * sol.primal_objective.abs().max(1.0))
                .max(settings.tol_gap_abs);
    ok.then_some(sol)
}
