//! Newton's method on the optimality system of (11) for a measure with a
//! fixed number of atoms (docs/theory.md 4-6): the step that makes refinement
//! converge fast on S^(D-1).
//!
//! For `mu = sum_j c_j delta_{w_j}` with signs `s_j = sign(c_j)` and a dual
//! vector `lambda`, a minimizer of (11) with a nondegenerate certificate
//! satisfies (docs/theory.md 6, the first-order conditions):
//!
//! - `F1 = sum_j c_j A_K sigma(g_{w_j}) - y = 0` (feasibility, M equations);
//! - `F2_j = (lambda . A_K sigma(g_{w_j}) - s_j psi(w_j)) / psi(w_j) = 0`, i.e.
//!   `eta_lambda(w_j) = s_j` (one per atom);
//! - `F3_j = B_j^T (J_j^T lambda - s_j grad psi(w_j)) / psi(w_j) = 0`: `w_j` is a
//!   critical point of `eta_lambda` on the sphere (`B_j` an orthonormal basis
//!   of the tangent space at `w_j`, `J_j` the Jacobian of the measurement).
//!
//! Unknowns: `c` (s), a tangent step `t_j` per atom (s (D - 1)) with
//! `w_j <- (w_j + B_j t_j) / |w_j + B_j t_j|`, and `lambda` (M): a square
//! system of size `M + s D`. Its Jacobian is exact except for the tangent
//! Hessian block, which is a central difference of the exact gradient (step
//! [`HESSIAN_STEP`]). Steps are damped (halved until `|F|` decreases).
//!
//! At a solution, `lambda . y = sum_j c_j s_j psi(w_j)`: the dual value equals
//! the cost, so `lambda` gives a lower bound `lambda . y / max(1, sup|eta|)`
//! as tight as `sup |eta_lambda|` is close to 1. Nothing here is trusted
//! on its own: the caller searches the sup of `eta_lambda` over the whole
//! sphere and verifies the measure's residual unit by unit.

use super::eta::{psi_for, unit_evaluator};
use crate::convex::atoms::Atom;
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::inr::psi::Psi;
use crate::inr::unit::UnitEvaluator;
use crate::spec::ProblemSpec;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Central-difference step of the tangent Hessian block (radians).
pub const HESSIAN_STEP: f64 = 1e-5;
/// Singular values of the Newton matrix below this fraction of the largest
/// are cut (minimum-norm steps).
pub const STEP_RCOND: f64 = 1e-11;
/// Largest number of Newton iterations.
pub const MAX_ITERS: usize = 25;
/// Converged when `|F1| <= FEAS_TOL |y|` and `max |F2|, |F3| <= STAT_TOL`.
pub const FEAS_TOL: f64 = 1e-13;
/// See [`FEAS_TOL`].
pub const STAT_TOL: f64 = 1e-11;
/// Times atoms may be dropped (see [`solve_kkt`]).
pub const MAX_DROPS: usize = 8;
/// Atoms closer than this angle (radians) at the solution make it degenerate:
/// the solution is rejected.
pub const MIN_SEPARATION: f64 = 1e-6;

/// A solution of the optimality system.
#[derive(Debug, Clone)]
pub struct KktSolution {
    /// The atoms (`psi` filled).
    pub atoms: Vec<Atom>,
    /// The dual vector.
    pub lambda: Vec<f64>,
    /// `sum |c_j| psi(w_j)`.
    pub cost: f64,
    /// Newton iterations made.
    pub iterations: usize,
}

/// Measurement, Jacobian (`jac[i * m + q]`), `psi` and `grad psi` at a unit `w`.
struct Local {
    phi: Vec<f64>,
    jac: Vec<f64>,
    psi: f64,
    gpsi: Vec<f64>,
}

fn local(unit: &UnitEvaluator, psi: &Psi, w: &[f64]) -> Result<Local> {
    let (phi, jac) = unit.measure_and_jacobian(w)?;
    let (p, gp) = psi.value_and_gradient(w)?;
    Ok(Local {
        phi,
        jac,
        psi: p,
        gpsi: gp,
    })
}

use crate::numeric::normalized;

/// Orthonormal basis of the tangent space at the unit `w` (D x (D - 1),
/// columns), from the Householder reflection that maps `w` to a multiple of
/// the first basis vector.
fn tangent_basis(w: &[f64]) -> DMatrix<f64> {
    let d = w.len();
    let sign = if w[0] >= 0.0 { 1.0 } else { -1.0 };
    let mut v = DVector::from_column_slice(w);
    v[0] += sign;
    let vv = v.dot(&v);
    let h = DMatrix::<f64>::identity(d, d) - (&v * v.transpose()) * (2.0 / vv);
    h.columns(1, d - 1).into_owned()
}

/// `J^T lambda - s grad psi` at `w`, divided by `psi(w)`, in the basis `b`.
fn tangent_gradient(
    unit: &UnitEvaluator,
    psi: &Psi,
    w: &[f64],
    s: f64,
    lambda: &[f64],
    b: &DMatrix<f64>,
) -> Result<DVector<f64>> {
    let l = local(unit, psi, w)?;
    Ok(b.transpose() * full_gradient(&l, s, lambda, w.len()) / l.psi)
}

fn full_gradient(l: &Local, s: f64, lambda: &[f64], d: usize) -> DVector<f64> {
    let m = l.phi.len();
    DVector::from_iterator(
        d,
        (0..d).map(|i| {
            l.jac[i * m..(i + 1) * m]
                .iter()
                .zip(lambda)
                .map(|(a, b)| a * b)
                .sum::<f64>()
                - s * l.gpsi[i]
        }),
    )
}

/// One atom's blocks of the system at the current iterate.
struct Blocks {
    l: Local,
    b: DMatrix<f64>,
    /// `F2_j`.
    f2: f64,
    /// `F3_j` (D - 1).
    f3: DVector<f64>,
    /// Tangent Hessian of `F3_j` (D - 1 square), by central differences.
    hess: DMatrix<f64>,
}

fn blocks(
    unit: &UnitEvaluator,
    psi: &Psi,
    w: &[f64],
    s: f64,
    lambda: &[f64],
    with_hessian: bool,
) -> Result<Blocks> {
    let d = w.len();
    let l = local(unit, psi, w)?;
    let b = tangent_basis(w);
    let lp: f64 = l.phi.iter().zip(lambda).map(|(a, b)| a * b).sum();
    let f2 = (lp - s * l.psi) / l.psi;
    let f3 = b.transpose() * full_gradient(&l, s, lambda, d) / l.psi;
    let mut hess = DMatrix::<f64>::zeros(d - 1, d - 1);
    if with_hessian {
        for k in 0..d - 1 {
            let step = |h: f64| -> Vec<f64> {
                normalized(
                    &w.iter()
                        .enumerate()
                        .map(|(i, wi)| wi + h * b[(i, k)])
                        .collect::<Vec<_>>(),
                )
            };
            let gp = tangent_gradient(unit, psi, &step(HESSIAN_STEP), s, lambda, &b)?;
            let gm = tangent_gradient(unit, psi, &step(-HESSIAN_STEP), s, lambda, &b)?;
            hess.set_column(k, &((gp - gm) / (2.0 * HESSIAN_STEP)));
        }
    }
    Ok(Blocks { l, b, f2, f3, hess })
}

/// `F`, its Jacobian when asked, and the per-atom blocks.
type SystemAt = (DVector<f64>, Option<DMatrix<f64>>, Vec<Blocks>);

struct Iterate {
    c: Vec<f64>,
    w: Vec<Vec<f64>>,
    lambda: Vec<f64>,
}

/// The scaled residual `F` (F1 / |y|, F2, F3) and, when asked, its Jacobian.
fn system(
    unit: &UnitEvaluator,
    psi: &Psi,
    it: &Iterate,
    signs: &[f64],
    y: &[f64],
    ynorm: f64,
    with_jacobian: bool,
) -> Result<SystemAt> {
    let m = y.len();
    let s = it.c.len();
    let d = it.w[0].len();
    let n = m + s * d;
    let bl: Vec<Blocks> = (0..s)
        .into_par_iter()
        .map(|j| blocks(unit, psi, &it.w[j], signs[j], &it.lambda, with_jacobian))
        .collect::<Result<Vec<_>>>()?;
    let mut f = DVector::<f64>::zeros(n);
    for q in 0..m {
        f[q] = -y[q] / ynorm;
    }
    for (j, bj) in bl.iter().enumerate() {
        for q in 0..m {
            f[q] += it.c[j] * bj.l.phi[q] / ynorm;
        }
        let r = m + j * d;
        f[r] = bj.f2;
        for k in 0..d - 1 {
            f[r + 1 + k] = bj.f3[k];
        }
    }
    if !with_jacobian {
        return Ok((f, None, bl));
    }
    // Columns: c_j at j, t_j at s + j (d - 1) .., lambda at s d ...
    let mut jf = DMatrix::<f64>::zeros(n, n);
    let col_t = |j: usize| s + j * (d - 1);
    let col_l = s * d;
    for (j, bj) in bl.iter().enumerate() {
        // J_j B_j (M x (d - 1)).
        let jm = DMatrix::from_fn(m, d, |q, i| bj.l.jac[i * m + q]);
        let jb = &jm * &bj.b;
        for q in 0..m {
            jf[(q, j)] = bj.l.phi[q] / ynorm;
            for k in 0..d - 1 {
                jf[(q, col_t(j) + k)] = it.c[j] * jb[(q, k)] / ynorm;
            }
        }
        let r = m + j * d;
        // F2_j = (lambda . phi - s psi) / psi: d/dt = F3_j - F2_j B^T grad psi / psi,
        // d/dlambda = phi / psi.
        let bgp = bj.b.transpose() * DVector::from_column_slice(&bj.l.gpsi);
        for k in 0..d - 1 {
            jf[(r, col_t(j) + k)] = bj.f3[k] - bj.f2 * bgp[k] / bj.l.psi;
        }
        for q in 0..m {
            jf[(r, col_l + q)] = bj.l.phi[q] / bj.l.psi;
        }
        // F3_j: d/dt = the tangent Hessian, d/dlambda = B^T J^T / psi.
        for k in 0..d - 1 {
            for kk in 0..d - 1 {
                jf[(r + 1 + k, col_t(j) + kk)] = bj.hess[(k, kk)];
            }
            for q in 0..m {
                jf[(r + 1 + k, col_l + q)] = jb[(q, k)] / bj.l.psi;
            }
        }
    }
    Ok((f, Some(jf), bl))
}

/// The iterate moved by `t dz` (amplitudes, tangent steps retracted to the
/// sphere, lambda).
fn apply(it: &Iterate, bl: &[Blocks], dz: &DVector<f64>, t: f64) -> Iterate {
    let s = it.c.len();
    let d = it.w[0].len();
    let m = it.lambda.len();
    Iterate {
        c: (0..s).map(|j| it.c[j] + t * dz[j]).collect(),
        w: (0..s)
            .map(|j| {
                let step = &bl[j].b * dz.rows(s + j * (d - 1), d - 1) * t;
                normalized(
                    &it.w[j]
                        .iter()
                        .zip(step.iter())
                        .map(|(a, b)| a + b)
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
        lambda: (0..m).map(|q| it.lambda[q] + t * dz[s * d + q]).collect(),
    }
}

/// The scaled residual `F` of the system (row order F1 / |y|, then per atom
/// F2, F3) and its Jacobian (row-major, columns `c`, tangent steps, `lambda`)
/// at `atoms` and `lambda`, moved first by `perturb` in those coordinates
/// when given (the Jacobian is then still the one at the unmoved point).
/// For tests: a finite-difference check of the Newton matrix.
pub fn residual_and_jacobian(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    atoms: &[Atom],
    lambda: &[f64],
    y: &[f64],
    perturb: Option<&[f64]>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let unit = unit_evaluator(spec, plan, spec.k)?;
    let psi = psi_for(spec, plan)?;
    let ynorm = super::verified::data_norm(y);
    let signs: Vec<f64> = atoms.iter().map(|a| a.c.signum()).collect();
    let base = Iterate {
        c: atoms.iter().map(|a| a.c).collect(),
        w: atoms.iter().map(|a| normalized(&a.w)).collect(),
        lambda: lambda.to_vec(),
    };
    let (f, jf, bl) = system(&unit, &psi, &base, &signs, y, ynorm, true)?;
    let jf = jf.expect("asked for the Jacobian");
    let f = match perturb {
        None => f,
        Some(p) => {
            // F3 at the moved point in the unmoved tangent bases (the
            // coordinates the Jacobian refers to).
            let moved = apply(&base, &bl, &DVector::from_column_slice(p), 1.0);
            let (mut fm, _, _) = system(&unit, &psi, &moved, &signs, y, ynorm, false)?;
            let m = y.len();
            let d = spec.feature_dim();
            for (j, bj) in bl.iter().enumerate() {
                let g = tangent_gradient(&unit, &psi, &moved.w[j], signs[j], &moved.lambda, &bj.b)?;
                for k in 0..d - 1 {
                    fm[m + j * d + 1 + k] = g[k];
                }
            }
            fm
        }
    };
    let n = f.len();
    let rows: Vec<f64> = (0..n)
        .flat_map(|r| (0..n).map(move |c| (r, c)))
        .map(|(r, c)| jf[(r, c)])
        .collect();
    Ok((f.iter().copied().collect(), rows))
}

fn converged(f: &DVector<f64>, m: usize) -> bool {
    let f1 = f.rows(0, m).norm();
    let f23 = f.rows(m, f.len() - m).amax();
    f1 <= FEAS_TOL && f23 <= STAT_TOL
}

/// Newton's method from `start` (atoms with nonzero `c`) and `lambda0`.
/// When no damped step decreases `|F|`, the atoms whose amplitude the full
/// step would flip are dropped (at most [`MAX_DROPS`] times). Returns None
/// when it does not converge, when `psi` vanishes at an atom, or when two
/// atoms meet.
pub fn solve_kkt(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    start: &[Atom],
    lambda0: &[f64],
    y: &[f64],
) -> Result<Option<KktSolution>> {
    let start: Vec<&Atom> = start.iter().filter(|a| a.c != 0.0).collect();
    if start.is_empty() || lambda0.len() != y.len() {
        return Ok(None);
    }
    let unit = unit_evaluator(spec, plan, spec.k)?;
    let psi = psi_for(spec, plan)?;
    let m = y.len();
    let ynorm = super::verified::data_norm(y);
    let mut signs: Vec<f64> = start.iter().map(|a| a.c.signum()).collect();
    let mut it = Iterate {
        c: start.iter().map(|a| a.c).collect(),
        w: start.iter().map(|a| normalized(&a.w)).collect(),
        lambda: lambda0.to_vec(),
    };
    let mut drops = 0usize;
    for iter in 0..MAX_ITERS + MAX_DROPS {
        let s = it.c.len();
        let (f, jf, bl) = system(&unit, &psi, &it, &signs, y, ynorm, true)?;
        if bl.iter().any(|b| b.l.psi.is_nan() || b.l.psi <= 0.0) {
            return Ok(None);
        }
        if converged(&f, m) {
            return finish(&psi, it, iter);
        }
        let Some(jf) = jf else { return Ok(None) };
        // Minimum-norm step (truncated SVD): when s D < M the system does
        // not determine lambda (nor, when s D > M, the measure) uniquely,
        // and the matrix is singular; the step then moves to the nearest
        // solution.
        let Some(svd) = super::linalg::bounded_svd(jf, true, true) else {
            return Ok(None);
        };
        let smax = svd.singular_values.max();
        let Ok(dz) = svd.solve(&(-&f), STEP_RCOND * smax.max(f64::MIN_POSITIVE)) else {
            return Ok(None);
        };
        if !dz.iter().all(|v| v.is_finite()) {
            return Ok(None);
        }
        let fnorm = f.norm();
        let mut t = 1.0;
        let mut accepted = false;
        while t >= 1.0 / 1024.0 {
            let trial = apply(&it, &bl, &dz, t);
            let signs_kept = trial.c.iter().zip(&signs).all(|(c, sg)| c * sg > 0.0);
            if signs_kept {
                let (ft, _, blt) = system(&unit, &psi, &trial, &signs, y, ynorm, false)?;
                if blt.iter().all(|b| b.l.psi > 0.0) && ft.norm() < fnorm {
                    it = trial;
                    accepted = true;
                    break;
                }
            }
            t *= 0.5;
        }
        if !accepted {
            // Atoms whose amplitude the full step would flip are not in the
            // support: drop them and go on from the current iterate.
            let keep: Vec<usize> = (0..s)
                .filter(|&j| (it.c[j] + dz[j]) * signs[j] > 0.0)
                .collect();
            if keep.len() == s || keep.is_empty() || drops >= MAX_DROPS {
                return Ok(None);
            }
            drops += 1;
            it = Iterate {
                c: keep.iter().map(|&j| it.c[j]).collect(),
                w: keep.iter().map(|&j| it.w[j].clone()).collect(),
                lambda: it.lambda,
            };
            signs = keep.iter().map(|&j| signs[j]).collect();
        }
    }
    let (f, _, _) = system(&unit, &psi, &it, &signs, y, ynorm, false)?;
    if converged(&f, m) {
        finish(&psi, it, MAX_ITERS)
    } else {
        Ok(None)
    }
}

fn finish(psi: &Psi, it: Iterate, iterations: usize) -> Result<Option<KktSolution>> {
    let s = it.c.len();
    for a in 0..s {
        for b in a + 1..s {
            if super::eta::angle(&it.w[a], &it.w[b]) < MIN_SEPARATION {
                return Ok(None);
            }
        }
    }
    let mut atoms = Vec::with_capacity(s);
    let mut cost = 0.0;
    for (c, w) in it.c.into_iter().zip(it.w) {
        let p = psi.value(&w)?;
        cost += c.abs() * p;
        atoms.push(Atom {
            c,
            w,
            psi: p,
            members: Vec::new(),
        });
    }
    Ok(Some(KktSolution {
        atoms,
        lambda: it.lambda,
        cost,
        iterations,
    }))
}
