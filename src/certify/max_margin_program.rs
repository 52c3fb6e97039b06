//! The programs of the max-margin certificate candidate (docs/theory.md 5,
//! optimality and uniqueness conditions; 9, checks): over `x = (z, t)`,
//! rows `|c0 + a . z| + t weight <= 1`, `t <= 1`, `|z|_inf <= zmax`, either
//! the LP `max t` or, with a floor `t >= t0`, the QP nearest a reference
//! `z_ref` (see `super::max_margin`).
//!
//! Each program is solved by the dense interior point of
//! [`crate::convex::dense_qp`] (a few hundred variables against thousands
//! of dense rows); where that route does not pass its checks, Clarabel
//! solves the same program ([`solve_clarabel`]). Either answer is only a
//! candidate's ingredient: the candidate is checked on the whole sphere
//! like every other `lambda`.

use crate::convex::dense_qp::{self, DenseQp, Rows};
use crate::convex::{SolveSettings, Status};
use crate::error::{Error, Result};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{DefaultSolver, IPSolver, SupportedConeT};
use nalgebra::DMatrix;

/// A row of the program: `(u . lambda0, u . N, weight of t)`.
pub type Row = (f64, Vec<f64>, f64);

/// Rows within this of their bound at the starting point (and every row
/// near an atom, weight 0) enter the first reduced solve of
/// [`solve_active`].
pub const ACTIVE_SLACK: f64 = 0.25;

/// A row left out of a reduced solve counts as violated above `1 +
/// ACTIVE_TOL`; then it joins the next one.
pub const ACTIVE_TOL: f64 = 1e-9;

/// Reduced solves before [`solve_active`] gives up and solves the whole
/// program.
pub const ACTIVE_PASSES: usize = 8;

/// `|c0 + a . z| + t weight`: a row's left side (at most 1 when it holds).
fn row_value(r: &Row, z: &[f64], t: f64) -> f64 {
    (r.0 + crate::numeric::dot(&r.1, z)).abs() + t * r.2
}

/// [`solve`] by active sets: the rows near their bound at `(z0, t0)`
/// first, then the rows the solution breaks, until it breaks none (it is
/// then the whole program's solution: a relaxation's optimum that is
/// feasible for the whole program is optimal there). Most dictionary
/// columns are far from `|eta| = 1`, so the reduced programs are a few
/// times smaller. After [`ACTIVE_PASSES`] reduced solves, or when one
/// fails, the whole program is solved.
pub fn solve_active(
    cons: &[Row],
    nz: usize,
    zmax: f64,
    t_min: Option<(f64, &[f64])>,
    z0: &[f64],
    t0: f64,
) -> Result<Option<Vec<f64>>> {
    let mut active: Vec<bool> = cons
        .iter()
        .map(|r| r.2 == 0.0 || row_value(r, z0, t0) >= 1.0 - ACTIVE_SLACK)
        .collect();
    for _ in 0..ACTIVE_PASSES {
        let rows: Vec<&Row> = cons
            .iter()
            .zip(&active)
            .filter(|(_, a)| **a)
            .map(|(r, _)| r)
            .collect();
        if rows.len() == cons.len() {
            break;
        }
        let Some(x) = solve(&rows, nz, zmax, t_min)? else {
            break;
        };
        let (z, t) = (&x[..nz], x[nz]);
        let mut broken = 0;
        for (r, a) in cons.iter().zip(active.iter_mut()) {
            if !*a && row_value(r, z, t) > 1.0 + ACTIVE_TOL {
                *a = true;
                broken += 1;
            }
        }
        if broken == 0 {
            return Ok(Some(x));
        }
    }
    let all: Vec<&Row> = cons.iter().collect();
    solve(&all, nz, zmax, t_min)
}

/// One solve over `x = (z, t)`: with `t_min` None, the LP `max t`; with
/// `Some(t0)`, the QP `min |z - z_ref|^2 / 2` subject to `t >= t0` as well.
/// The dense interior point first; Clarabel when its answer does not pass
/// its checks. None when neither solves it (Clarabel's status not `solved`
/// or `almost_solved`).
pub fn solve(
    cons: &[&Row],
    nz: usize,
    zmax: f64,
    t_min: Option<(f64, &[f64])>,
) -> Result<Option<Vec<f64>>> {
    if let Some(sol) = dense_qp::solve(
        &dense_program(cons, nz, zmax, t_min),
        &SolveSettings::default(),
    ) {
        return Ok(Some(sol.x));
    }
    solve_clarabel(cons, nz, zmax, t_min)
}

/// The rows of [`solve`]'s program, kept by their structure: for each
/// constraint `k` the pair `a_k . z + weight_k t <= 1 - c0_k` and
/// `-a_k . z + weight_k t <= 1 + c0_k` (rows `2k`, `2k + 1`), then
/// `t <= 1` and `-t <= -t_min`, then `z_i <= zmax` and `-z_i <= zmax`
/// (rows in pairs). A pair
/// shares `a_k`, so `G' W G` needs one product over the constraints, not
/// two, and the bounds add to its diagonal.
#[derive(Debug, Clone)]
pub struct PairedRows {
    /// `a_k` as rows (constraints x nz).
    pub a: DMatrix<f64>,
    /// `weight_k`.
    pub weight: Vec<f64>,
}

impl PairedRows {
    fn counts(&self) -> (usize, usize) {
        (self.a.nrows(), self.a.ncols())
    }
}

impl Rows for PairedRows {
    fn shape(&self) -> (usize, usize) {
        let (k, nz) = self.counts();
        (2 * k + 2 + 2 * nz, nz + 1)
    }
    fn mul(&self, x: &[f64]) -> Vec<f64> {
        let (k, nz) = self.counts();
        let (z, t) = (&x[..nz], x[nz]);
        let az = &self.a * nalgebra::DVector::from_column_slice(z);
        let mut out = Vec::with_capacity(2 * k + 2 + 2 * nz);
        for (v, w) in az.iter().zip(&self.weight) {
            out.extend([v + w * t, -v + w * t]);
        }
        out.extend([t, -t]);
        for zi in z {
            out.extend([*zi, -zi]);
        }
        out
    }
    fn tr_mul(&self, u: &[f64]) -> Vec<f64> {
        let (k, nz) = self.counts();
        let diff: Vec<f64> = (0..k).map(|i| u[2 * i] - u[2 * i + 1]).collect();
        let az = self.a.tr_mul(&nalgebra::DVector::from_vec(diff));
        let base = 2 * k;
        let mut out: Vec<f64> = (0..nz)
            .map(|i| az[i] + u[base + 2 + 2 * i] - u[base + 3 + 2 * i])
            .collect();
        let t: f64 = (0..k)
            .map(|i| self.weight[i] * (u[2 * i] + u[2 * i + 1]))
            .sum::<f64>()
            + u[base]
            - u[base + 1];
        out.push(t);
        out
    }
    fn normal(&self, w: &[f64]) -> DMatrix<f64> {
        let (k, nz) = self.counts();
        let base = 2 * k;
        let mut b = self.a.clone();
        let mut zt = vec![0.0; nz];
        let mut tt = w[base] + w[base + 1];
        for i in 0..k {
            let (w1, w2) = (w[2 * i], w[2 * i + 1]);
            let r = (w1 + w2).sqrt();
            let cross = (w1 - w2) * self.weight[i];
            for (c, zc) in zt.iter_mut().enumerate() {
                *zc += cross * self.a[(i, c)];
            }
            tt += (w1 + w2) * self.weight[i] * self.weight[i];
            b.row_mut(i).iter_mut().for_each(|v| *v *= r);
        }
        // `b.transpose() * b` runs the blocked gemm kernel; `tr_mul` runs
        // dot products column by column.
        let zz = b.transpose() * &b;
        let mut out = DMatrix::<f64>::zeros(nz + 1, nz + 1);
        out.view_mut((0, 0), (nz, nz)).copy_from(&zz);
        for c in 0..nz {
            out[(c, c)] += w[base + 2 + 2 * c] + w[base + 3 + 2 * c];
            out[(c, nz)] = zt[c];
            out[(nz, c)] = zt[c];
        }
        out[(nz, nz)] = tt;
        out
    }
    fn finite(&self) -> bool {
        self.a.iter().chain(&self.weight).all(|v| v.is_finite())
    }
}

/// The right side `h` of the rows of [`PairedRows`] (the order of
/// [`PairedRows`]' doc): `1 - c0_k`, `1 + c0_k` per constraint, `1` and
/// `-t_min` for `t` (without `t_min` the row only bounds `t` below, at
/// -1, which maximizing `t` never meets), then `zmax` twice per `z_i`.
/// Shared by the dense route and Clarabel's.
fn right_side(cons: &[&Row], nz: usize, zmax: f64, t_min: Option<(f64, &[f64])>) -> Vec<f64> {
    let mut h = Vec::with_capacity(2 * cons.len() + 2 + 2 * nz);
    for (c0, _, _) in cons {
        h.extend([1.0 - c0, 1.0 + c0]);
    }
    h.push(1.0);
    h.push(-t_min.map_or(-1.0, |t| t.0));
    h.extend(std::iter::repeat_n(zmax, 2 * nz));
    h
}

/// The objective `x' diag(p) x / 2 + q' x` over `x = (z, t)`: the LP `max
/// t` (`p = 0`, `q = -e_t`) or, with `t_min`, `|z - z_ref|^2 / 2` (`p = (1,
/// ..., 1, 0)`, `q = (-z_ref, 0)`). Shared by the dense route and
/// Clarabel's.
fn objective(nz: usize, t_min: Option<(f64, &[f64])>) -> (Vec<f64>, Vec<f64>) {
    let nv = nz + 1;
    match t_min {
        None => {
            let mut q = vec![0.0; nv];
            q[nz] = -1.0;
            (vec![0.0; nv], q)
        }
        Some((_, z_ref)) => {
            let mut p = vec![1.0; nv];
            p[nz] = 0.0;
            let mut q: Vec<f64> = z_ref.iter().map(|v| -v).collect();
            q.push(0.0);
            (p, q)
        }
    }
}

/// The program of [`solve`] as a [`DenseQp`] over [`PairedRows`]; the LP's
/// row `-t <= 1` (`t >= -1`) is one maximizing `t` never meets.
pub fn dense_program(
    cons: &[&Row],
    nz: usize,
    zmax: f64,
    t_min: Option<(f64, &[f64])>,
) -> DenseQp<PairedRows> {
    let mut a = DMatrix::<f64>::zeros(cons.len(), nz);
    let mut weight = Vec::with_capacity(cons.len());
    for (k, (_, ak, wk)) in cons.iter().enumerate() {
        for (i, v) in ak.iter().enumerate().take(nz) {
            a[(k, i)] = *v;
        }
        weight.push(*wk);
    }
    let h = right_side(cons, nz, zmax, t_min);
    let (p, q) = objective(nz, t_min);
    DenseQp {
        p,
        q,
        g: PairedRows { a, weight },
        h,
    }
}

/// [`solve`] by Clarabel alone (the fallback, and the twin of the tests).
pub fn solve_clarabel(
    cons: &[&Row],
    nz: usize,
    zmax: f64,
    t_min: Option<(f64, &[f64])>,
) -> Result<Option<Vec<f64>>> {
    let nv = nz + 1; // z, then t
    let base = 2 * cons.len();
    let nrow = base + 2 + 2 * nz;
    // A x + s = b, s >= 0; built column by column (CSC). Rows: two per
    // column, t <= 1, -t <= -t_min, then the box of z.
    let mut colptr = vec![0usize];
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    for i in 0..nv {
        for (k, (_, a, weight)) in cons.iter().enumerate() {
            let v = if i < nz { a[i] } else { *weight };
            if v != 0.0 {
                let neg = if i < nz { -v } else { v };
                rowval.extend([2 * k, 2 * k + 1]);
                nzval.extend([v, neg]);
            }
        }
        if i == nz {
            rowval.extend([base, base + 1]);
            nzval.extend([1.0, -1.0]);
        } else {
            rowval.extend([base + 2 + 2 * i, base + 3 + 2 * i]);
            nzval.extend([1.0, -1.0]);
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(nrow, nv, colptr, rowval, nzval);
    let rhs = right_side(cons, nz, zmax, t_min);
    let (p_diag, q) = objective(nz, t_min);
    // diag(p) as Clarabel's upper triangle (CSC), its nonzero entries only.
    let mut pcol = vec![0usize];
    let (mut prow, mut pval) = (Vec::new(), Vec::new());
    for (i, v) in p_diag.iter().enumerate() {
        if *v != 0.0 {
            prow.push(i);
            pval.push(*v);
        }
        pcol.push(prow.len());
    }
    let p = CscMatrix::new(nv, nv, pcol, prow, pval);
    let cones = [SupportedConeT::NonnegativeConeT(nrow)];
    let settings = crate::convex::clarabel_backend::clarabel_settings(&SolveSettings::default())?;
    let mut solver =
        DefaultSolver::new(&p, &q, &a, &rhs, &cones, settings).map_err(|e| Error::Numerical {
            what: format!("Clarabel rejected the max-margin program: {e}"),
        })?;
    solver.solve();
    let status = Status::from(solver.solution.status);
    Ok(matches!(status, Status::Solved | Status::AlmostSolved).then(|| solver.solution.x.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Rows shaped like the program's: `u . lambda0` inside (-0.7, 0.7)
    /// (so that at the start only the weight-0 rows, near an atom, are
    /// active, and the rows that bind at the optimum must be found), the
    /// others weighted up to 1.
    fn rows(seed: u64, n: usize, nz: usize) -> Vec<Row> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|k| {
                let c0 = 1.4 * rng.random::<f64>() - 0.7;
                let a = (0..nz).map(|_| 0.6 * rng.random::<f64>() - 0.3).collect();
                let w = if k % 10 == 0 {
                    0.0
                } else {
                    rng.random::<f64>()
                };
                (c0, a, w)
            })
            .collect()
    }

    #[test]
    fn active_sets_solve_the_whole_program() {
        // The twin is the whole program solved at once. The LP's margin t*
        // is unique; the QP's z (strictly convex in z) too.
        for seed in [1u64, 2, 3] {
            let (nz, zmax) = (6, 10.0);
            let cons = rows(seed, 600, nz);
            let all: Vec<&Row> = cons.iter().collect();
            let z0 = vec![0.0; nz];
            let full = solve(&all, nz, zmax, None).unwrap().unwrap();
            let act = solve_active(&cons, nz, zmax, None, &z0, 0.0)
                .unwrap()
                .unwrap();
            assert!(full[nz] > 0.0, "seed {seed}: no margin to test");
            assert!(
                (full[nz] - act[nz]).abs() <= 1e-7,
                "seed {seed}: t* {} against {}",
                act[nz],
                full[nz]
            );
            // The QP nearest a reference outside the feasible set, asking
            // for half the margin.
            let z_ref: Vec<f64> = (0..nz).map(|i| 3.0 * (i as f64 - 2.5)).collect();
            let t0 = 0.5 * full[nz];
            let fq = solve(&all, nz, zmax, Some((t0, &z_ref))).unwrap().unwrap();
            let aq = solve_active(&cons, nz, zmax, Some((t0, &z_ref)), &z_ref, t0)
                .unwrap()
                .unwrap();
            let dz = (0..nz).map(|i| (fq[i] - aq[i]).abs()).fold(0.0, f64::max);
            assert!(dz <= 1e-6, "seed {seed}: z differs by {dz}");
            // The reduced start leaves rows out (else the test tests nothing).
            let start = cons
                .iter()
                .filter(|r| r.2 == 0.0 || row_value(r, &z0, 0.0) >= 1.0 - ACTIVE_SLACK)
                .count();
            assert!(
                start < cons.len() / 2,
                "seed {seed}: {start} rows at the start"
            );
        }
    }

    /// `G` of the program written out entry by entry from its definition
    /// (the twin of [`PairedRows`]).
    fn explicit_g(cons: &[&Row], nz: usize) -> DMatrix<f64> {
        let base = 2 * cons.len();
        let mut g = DMatrix::<f64>::zeros(base + 2 + 2 * nz, nz + 1);
        for (k, (_, a, w)) in cons.iter().enumerate() {
            for i in 0..nz {
                g[(2 * k, i)] = a[i];
                g[(2 * k + 1, i)] = -a[i];
            }
            g[(2 * k, nz)] = *w;
            g[(2 * k + 1, nz)] = *w;
        }
        g[(base, nz)] = 1.0;
        g[(base + 1, nz)] = -1.0;
        for i in 0..nz {
            g[(base + 2 + 2 * i, i)] = 1.0;
            g[(base + 3 + 2 * i, i)] = -1.0;
        }
        g
    }

    #[test]
    fn paired_rows_equal_the_written_out_matrix() {
        let nz = 5;
        let cons = rows(11, 40, nz);
        let refs: Vec<&Row> = cons.iter().collect();
        let qp = dense_program(&refs, nz, 7.0, None);
        let g = explicit_g(&refs, nz);
        let (m, n) = g.shape();
        assert_eq!(qp.g.shape(), (m, n));
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
        let u: Vec<f64> = (0..m).map(|_| rng.random::<f64>()).collect();
        let gx = &g * nalgebra::DVector::from_column_slice(&x);
        let gtu = g.tr_mul(&nalgebra::DVector::from_column_slice(&u));
        let mut gw = g.clone();
        for (i, ui) in u.iter().enumerate() {
            gw.row_mut(i).iter_mut().for_each(|v| *v *= ui);
        }
        let normal = g.tr_mul(&gw);
        for (a, b) in qp.g.mul(&x).iter().zip(gx.iter()) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-13);
        }
        for (a, b) in qp.g.tr_mul(&u).iter().zip(gtu.iter()) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-12);
        }
        for (a, b) in qp.g.normal(&u).iter().zip(normal.iter()) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-11);
        }
    }

    #[test]
    fn the_dense_interior_point_agrees_with_clarabel() {
        // Clarabel shares no code with the dense route. The LP's t* is
        // unique, the QP's z too (strictly convex in z); seeds other than
        // those of the active-set test.
        for seed in [21u64, 22, 23, 24] {
            let (nz, zmax) = (8, 10.0);
            let cons = rows(seed, 900, nz);
            let all: Vec<&Row> = cons.iter().collect();
            let settings = SolveSettings::default();
            let lp = dense_qp::solve(&dense_program(&all, nz, zmax, None), &settings)
                .expect("the dense route passes its checks");
            let twin = solve_clarabel(&all, nz, zmax, None).unwrap().unwrap();
            assert!(twin[nz] > 0.0, "seed {seed}: no margin to test");
            approx::assert_abs_diff_eq!(lp.x[nz], twin[nz], epsilon = 1e-7);
            let z_ref: Vec<f64> = (0..nz).map(|i| 2.0 * (i as f64 - 3.5)).collect();
            let t_min = Some((0.5 * twin[nz], z_ref.as_slice()));
            let qp = dense_qp::solve(&dense_program(&all, nz, zmax, t_min), &settings)
                .expect("the dense route passes its checks");
            let twin = solve_clarabel(&all, nz, zmax, t_min).unwrap().unwrap();
            let dz = (0..nz)
                .map(|i| (qp.x[i] - twin[i]).abs())
                .fold(0.0, f64::max);
            assert!(dz <= 1e-6, "seed {seed}: z differs by {dz}");
            // The asked margin is met.
            assert!(qp.x[nz] >= 0.5 * twin[nz] - 1e-9);
        }
    }
}
