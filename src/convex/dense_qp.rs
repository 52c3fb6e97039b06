//! Small dense convex QPs (and LPs) in inequality form by a primal-dual
//! interior point on the normal equations (Mehrotra's predictor-corrector):
//!
//! `min x' diag(p) x / 2 + q' x  s.t.  G x <= h`,  `p >= 0`,
//!
//! for a few hundred variables against thousands of dense rows: the
//! max-margin certificate programs (docs/theory.md 5 and 9; see
//! `certify::max_margin_program`). Each iteration forms `diag(p) + G' W G`
//! (`W = diag(lambda / s)`) by one dense product and takes its Cholesky
//! factor, where Clarabel refactorizes a sparse KKT matrix whose rows are
//! dense (README, "Performance").
//!
//! It is a fast path, not a second opinion: [`solve`] returns a point only
//! when the numbers recomputed from it outside the iteration (the
//! violation of `G x <= h`, the stationarity residual `p x + q + G'
//! lambda`, and the duality gap) meet the settings' tolerances within
//! [`CHECK_FACTOR`]. An iterate that passes them before the iteration's own
//! stopping test is kept, and returned if the iteration then breaks down
//! ([`super::dense_ipm::STALL_ITERATIONS`]). Otherwise it returns None and
//! the caller solves the program another way.

use super::SolveSettings;
use super::dense_ipm::STALL_ITERATIONS;
use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

/// Fraction of the distance to the boundary taken by each step.
pub const STEP_FRACTION: f64 = 0.99;

/// Diagonal shift (relative to the largest diagonal entry) added to the
/// normal matrix when its Cholesky factorization fails.
pub const SHIFT_REL: f64 = 1e-13;

/// The recomputed violation, stationarity residual and gap must be within
/// this factor of the settings' tolerances.
pub const CHECK_FACTOR: f64 = 10.0;

/// The constraint matrix `G` (m x n) through the three products the
/// iteration needs, so that a structured `G` (rows in pairs, bounds) need
/// not be stored densely.
pub trait Rows {
    /// `(m, n)`.
    fn shape(&self) -> (usize, usize);
    /// `G x`.
    fn mul(&self, x: &[f64]) -> Vec<f64>;
    /// `G' u`.
    fn tr_mul(&self, u: &[f64]) -> Vec<f64>;
    /// `G' diag(w) G` (n x n).
    fn normal(&self, w: &[f64]) -> DMatrix<f64>;
    /// Whether every entry is finite.
    fn finite(&self) -> bool;
}

impl Rows for DMatrix<f64> {
    fn shape(&self) -> (usize, usize) {
        DMatrix::shape(self)
    }
    fn mul(&self, x: &[f64]) -> Vec<f64> {
        (self * DVector::from_column_slice(x)).as_slice().to_vec()
    }
    fn tr_mul(&self, u: &[f64]) -> Vec<f64> {
        DMatrix::tr_mul(self, &DVector::from_column_slice(u))
            .as_slice()
            .to_vec()
    }
    fn normal(&self, w: &[f64]) -> DMatrix<f64> {
        let mut b = self.clone();
        for (i, wi) in w.iter().enumerate() {
            let r = wi.sqrt();
            b.row_mut(i).iter_mut().for_each(|v| *v *= r);
        }
        b.transpose() * &b
    }
    fn finite(&self) -> bool {
        self.iter().all(|v| v.is_finite())
    }
}

/// The program `min x' diag(p) x / 2 + q' x` subject to `G x <= h`.
#[derive(Debug, Clone)]
pub struct DenseQp<R: Rows> {
    /// Diagonal of the quadratic term (length n, each >= 0).
    pub p: Vec<f64>,
    /// Linear term (length n).
    pub q: Vec<f64>,
    /// Constraint matrix (m x n).
    pub g: R,
    /// Right-hand side (length m).
    pub h: Vec<f64>,
}

/// A solution that passed the checks of [`solve`].
#[derive(Debug, Clone)]
pub struct QpSolution {
    /// The primal point.
    pub x: Vec<f64>,
    /// The multipliers of the rows (>= 0).
    pub multipliers: Vec<f64>,
    /// Objective value at `x`.
    pub objective: f64,
    /// Interior-point iterations.
    pub iterations: u32,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// The boundary step of `dense_ipm`, at this module's [`STEP_FRACTION`].
fn step(v: &[f64], dv: &[f64]) -> f64 {
    super::dense_ipm::boundary_step(v, dv, STEP_FRACTION)
}

impl<R: Rows> DenseQp<R> {
    fn dims_ok(&self) -> bool {
        let (m, n) = self.g.shape();
        n > 0
            && self.p.len() == n
            && self.q.len() == n
            && self.h.len() == m
            && self.p.iter().all(|v| v.is_finite() && *v >= 0.0)
            && self.q.iter().chain(&self.h).all(|v| v.is_finite())
            && self.g.finite()
    }

    fn g_times(&self, x: &[f64]) -> Vec<f64> {
        self.g.mul(x)
    }

    fn g_t_times(&self, u: &[f64]) -> Vec<f64> {
        self.g.tr_mul(u)
    }

    /// `p x + q + G' lambda`.
    fn stationarity(&self, x: &[f64], lambda: &[f64]) -> Vec<f64> {
        let gl = self.g_t_times(lambda);
        (0..x.len())
            .map(|i| self.p[i] * x[i] + self.q[i] + gl[i])
            .collect()
    }

    fn objective(&self, x: &[f64]) -> f64 {
        (0..x.len())
            .map(|i| 0.5 * self.p[i] * x[i] * x[i] + self.q[i] * x[i])
            .sum()
    }

    /// The Cholesky factor of `diag(p) + G' diag(w) G`, shifted when needed.
    fn normal_factor(&self, w: &[f64]) -> Option<Cholesky<f64, Dyn>> {
        let mut mat = self.g.normal(w);
        for (i, pi) in self.p.iter().enumerate() {
            mat[(i, i)] += pi;
        }
        super::dense_ipm::shifted_cholesky(mat, SHIFT_REL)
    }
}

/// Solves the program; None when the iteration does not reach the
/// settings' tolerances (checked on recomputed numbers, see the module
/// doc), for instance on an infeasible or unbounded program.
pub fn solve<R: Rows>(qp: &DenseQp<R>, settings: &SolveSettings) -> Option<QpSolution> {
    if !qp.dims_ok() {
        return None;
    }
    let (m, n) = qp.g.shape();
    // Start (as in CVXOPT): (diag(p) + G'G) x = -q + G'h, z = G x - h;
    // s = -z and lambda = z, each shifted into the interior.
    let f0 = qp.normal_factor(&vec![1.0; m])?;
    let gth = qp.g_t_times(&qp.h);
    let rhs: Vec<f64> = (0..n).map(|i| gth[i] - qp.q[i]).collect();
    let mut x: Vec<f64> = f0
        .solve(&DVector::from_column_slice(&rhs))
        .as_slice()
        .to_vec();
    let gx = qp.g_times(&x);
    let z: Vec<f64> = gx.iter().zip(&qp.h).map(|(a, b)| a - b).collect();
    let shift = |v: Vec<f64>| -> Vec<f64> {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let add = if lo <= 0.0 { 1.0 - lo } else { 0.0 };
        v.into_iter().map(|a| a + add).collect()
    };
    let mut s = shift(z.iter().map(|v| -v).collect());
    let mut lambda = shift(z);
    let (norm_h, norm_q) = (norm(&qp.h), norm(&qp.q));
    let mut iterations = 0u32;
    // As in `dense_ipm`: the last iterate that passed the checks (returned
    // if the iteration then breaks down); the lowest merit so far, and when.
    let mut kept: Option<QpSolution> = None;
    let (mut best_merit, mut best_at) = (f64::INFINITY, 0u32);
    loop {
        let gx = qp.g_times(&x);
        let r_p: Vec<f64> = (0..m).map(|i| gx[i] + s[i] - qp.h[i]).collect();
        let r_d = qp.stationarity(&x, &lambda);
        let mu = s.iter().zip(&lambda).map(|(a, b)| a * b).sum::<f64>() / m as f64;
        let pobj = qp.objective(&x);
        let gap = mu * m as f64;
        if norm(&r_p) <= settings.tol_feas * (1.0 + norm_h)
            && norm(&r_d) <= settings.tol_feas * (1.0 + norm_q)
            && (gap <= settings.tol_gap_abs || gap <= settings.tol_gap_rel * pobj.abs().max(1.0))
        {
            break;
        }
        let near = CHECK_FACTOR * settings.tol_feas;
        if norm(&r_p) <= near * (1.0 + norm_h)
            && norm(&r_d) <= near * (1.0 + norm_q)
            && let Some(sol) = check(qp, settings, x.clone(), lambda.clone(), iterations)
        {
            kept = Some(sol);
        }
        let merit = (norm(&r_p) / (1.0 + norm_h))
            .max(norm(&r_d) / (1.0 + norm_q))
            .max(gap / pobj.abs().max(1.0));
        if merit < best_merit {
            (best_merit, best_at) = (merit, iterations);
        } else if kept.is_some() && iterations - best_at > STALL_ITERATIONS {
            return kept;
        }
        if iterations >= settings.max_iter {
            return kept;
        }
        iterations += 1;
        let w: Vec<f64> = (0..m).map(|i| lambda[i] / s[i]).collect();
        let Some(fac) = qp.normal_factor(&w) else {
            return kept;
        };
        // Newton step with S lambda's right-hand side r_c:
        // N dx = -r_d - G'(W r_p + S^-1 r_c), dlambda = W (G dx + r_p) + S^-1 r_c,
        // ds = -r_p - G dx.
        let direction = |r_c: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let v: Vec<f64> = (0..m).map(|i| w[i] * r_p[i] + r_c[i] / s[i]).collect();
            let gv = qp.g_t_times(&v);
            let rhs: Vec<f64> = (0..n).map(|i| -r_d[i] - gv[i]).collect();
            let dx: Vec<f64> = fac
                .solve(&DVector::from_column_slice(&rhs))
                .as_slice()
                .to_vec();
            let gdx = qp.g_times(&dx);
            let dl: Vec<f64> = (0..m)
                .map(|i| w[i] * (gdx[i] + r_p[i]) + r_c[i] / s[i])
                .collect();
            let ds: Vec<f64> = (0..m).map(|i| -r_p[i] - gdx[i]).collect();
            (dx, dl, ds)
        };
        // Predictor (affine scaling), then the corrector with centring.
        let r_aff: Vec<f64> = (0..m).map(|i| -s[i] * lambda[i]).collect();
        let (_, dl_a, ds_a) = direction(&r_aff);
        let a_aff = step(&s, &ds_a).min(step(&lambda, &dl_a));
        let mu_aff = (0..m)
            .map(|i| (s[i] + a_aff * ds_a[i]) * (lambda[i] + a_aff * dl_a[i]))
            .sum::<f64>()
            / m as f64;
        let sigma = (mu_aff / mu).clamp(0.0, 1.0).powi(3);
        let r_cor: Vec<f64> = (0..m)
            .map(|i| -s[i] * lambda[i] - ds_a[i] * dl_a[i] + sigma * mu)
            .collect();
        let (dx, dl, ds) = direction(&r_cor);
        let alpha = step(&s, &ds).min(step(&lambda, &dl));
        if !alpha.is_finite() || dx.iter().chain(&dl).chain(&ds).any(|v| !v.is_finite()) {
            return kept;
        }
        for (a, d) in x.iter_mut().zip(&dx) {
            *a += alpha * d;
        }
        for (a, d) in s.iter_mut().zip(&ds) {
            *a += alpha * d;
        }
        for (a, d) in lambda.iter_mut().zip(&dl) {
            *a += alpha * d;
        }
    }
    check(qp, settings, x, lambda, iterations).or(kept)
}

/// The checks of the module doc, on numbers recomputed from `x` and
/// `lambda` alone: the true slack `h - G x` (not the iterate's `s`), the
/// stationarity residual, and the gap between the objective and the dual
/// function `-x' diag(p) x / 2 - h' lambda`.
fn check<R: Rows>(
    qp: &DenseQp<R>,
    settings: &SolveSettings,
    x: Vec<f64>,
    lambda: Vec<f64>,
    iterations: u32,
) -> Option<QpSolution> {
    let f = CHECK_FACTOR;
    let gx = qp.g_times(&x);
    let violation: Vec<f64> = gx
        .iter()
        .zip(&qp.h)
        .map(|(a, b)| (a - b).max(0.0))
        .collect();
    let r_d = qp.stationarity(&x, &lambda);
    let pobj = qp.objective(&x);
    let quad: f64 = (0..x.len()).map(|i| qp.p[i] * x[i] * x[i]).sum();
    let dobj = -0.5 * quad - qp.h.iter().zip(&lambda).map(|(a, b)| a * b).sum::<f64>();
    let ok = norm(&violation) <= f * settings.tol_feas * (1.0 + norm(&qp.h))
        && norm(&r_d) <= f * settings.tol_feas * (1.0 + norm(&qp.q))
        && lambda.iter().all(|v| *v >= 0.0)
        && (pobj - dobj).abs()
            <= f * (settings.tol_gap_rel * pobj.abs().max(1.0)).max(settings.tol_gap_abs);
    ok.then_some(QpSolution {
        x,
        multipliers: lambda,
        objective: pobj,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SolveSettings {
        SolveSettings::default()
    }

    #[test]
    fn projection_onto_a_halfspace_and_a_box() {
        // min |x - a|^2 / 2 s.t. c . x <= d and x <= u: with the box slack
        // at the answer, x = a - max(0, (c . a - d) / |c|^2) c.
        let a = [2.0, -1.0, 0.5];
        let c = [1.0, 2.0, -1.0];
        let d = -1.0;
        let g = DMatrix::from_row_slice(
            4,
            3,
            &[1.0, 2.0, -1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        );
        let qp = DenseQp {
            p: vec![1.0; 3],
            q: a.iter().map(|v| -v).collect(),
            g,
            h: vec![d, 10.0, 10.0, 10.0],
        };
        let sol = solve(&qp, &settings()).expect("solved");
        let ca: f64 = a.iter().zip(&c).map(|(x, y)| x * y).sum();
        let k = (ca - d) / 6.0; // |c|^2 = 6
        for i in 0..3 {
            approx::assert_abs_diff_eq!(sol.x[i], a[i] - k * c[i], epsilon = 1e-8);
        }
        // The multiplier of the halfspace is k; the box rows are slack.
        approx::assert_abs_diff_eq!(sol.multipliers[0], k, epsilon = 1e-8);
        assert!(sol.multipliers[1..].iter().all(|v| v.abs() < 1e-8));
    }

    #[test]
    fn a_small_lp_reaches_its_vertex() {
        // min -x1 - x2 s.t. x1 + 2 x2 <= 4, 3 x1 + x2 <= 6, x >= 0: the two
        // first rows bind, x = (8/5, 6/5), value -14/5.
        let g = DMatrix::from_row_slice(4, 2, &[1.0, 2.0, 3.0, 1.0, -1.0, 0.0, 0.0, -1.0]);
        let qp = DenseQp {
            p: vec![0.0; 2],
            q: vec![-1.0, -1.0],
            g,
            h: vec![4.0, 6.0, 0.0, 0.0],
        };
        let sol = solve(&qp, &settings()).expect("solved");
        approx::assert_abs_diff_eq!(sol.x[0], 1.6, epsilon = 1e-8);
        approx::assert_abs_diff_eq!(sol.x[1], 1.2, epsilon = 1e-8);
        approx::assert_abs_diff_eq!(sol.objective, -2.8, epsilon = 1e-8);
    }

    #[test]
    fn infeasible_unbounded_and_malformed_programs_are_refused() {
        let lp = |q: Vec<f64>, g: DMatrix<f64>, h: Vec<f64>| DenseQp {
            p: vec![0.0; q.len()],
            q,
            g,
            h,
        };
        // x <= -1 and x >= 1.
        let infeasible = lp(
            vec![1.0],
            DMatrix::from_row_slice(2, 1, &[1.0, -1.0]),
            vec![-1.0, -1.0],
        );
        assert!(solve(&infeasible, &settings()).is_none());
        // min -x s.t. x >= 0.
        let unbounded = lp(
            vec![-1.0],
            DMatrix::from_row_slice(1, 1, &[-1.0]),
            vec![0.0],
        );
        assert!(solve(&unbounded, &settings()).is_none());
        let nan = lp(
            vec![f64::NAN],
            DMatrix::from_row_slice(1, 1, &[1.0]),
            vec![1.0],
        );
        assert!(solve(&nan, &settings()).is_none());
        let wrong = lp(
            vec![1.0],
            DMatrix::from_row_slice(1, 1, &[1.0]),
            vec![1.0, 2.0],
        );
        assert!(solve(&wrong, &settings()).is_none());
    }
}
