//! The sliding step (as in sliding Frank-Wolfe; Denoyelle, Duval, Peyre,
//! Soubies 2019): a local non-convex solve of the primal of (11) over the
//! directions and amplitudes of a finite measure (docs/theory.md 4, 9).
//!
//! With the signs `s_j` of the amplitudes fixed, minimize
//! `J = sum_j s_j c_j psi(w_j)` subject to `G = sum_j c_j A_K sigma(g_{w_j})
//! - y = 0`, over `(c, W)` with `w_j` free in R^D (both maps are
//! 1-homogeneous in `w_j`, so every iterate is renormalized to the sphere
//! with `c_j <- c_j |w_j|`). Each step moves along the projection of
//! `-grad J` onto the null space of the constraint Jacobian, then restores
//! feasibility with minimum-norm Gauss-Newton corrections; a step is kept
//! only when the cost decreases and the residual stays below the tolerance.
//! Atoms that slide together (within [`MERGE_ANGLE`]) are merged.

use super::eta::{psi_for, unit_evaluator};
use crate::convex::atoms::Atom;
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::spec::ProblemSpec;
use nalgebra::{DMatrix, DVector};

/// Atoms of the same sign closer than this angle (radians) are merged.
pub const MERGE_ANGLE: f64 = 1e-7;
/// Largest number of sliding steps.
pub const MAX_STEPS: usize = 40;

/// Residual, constraint Jacobian, cost and cost gradient at a state.
type Evaluation = (DVector<f64>, DMatrix<f64>, f64, DVector<f64>);

struct State {
    c: Vec<f64>,
    w: Vec<Vec<f64>>,
}

fn renormalize(st: &mut State) {
    for (c, w) in st.c.iter_mut().zip(st.w.iter_mut()) {
        let n = w.iter().map(|v| v * v).sum::<f64>().sqrt();
        if n > 0.0 {
            w.iter_mut().for_each(|v| *v /= n);
            *c *= n;
        }
    }
}

// The loops index the atoms' parallel arrays (c, w, signs, Jacobian blocks).
#[allow(clippy::needless_range_loop)]
/// Slides `atoms` (a feasible measure to `tol |y|`); returns the slid measure
/// when every step kept it feasible, None when the first restoration failed.
pub fn slide(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    atoms: &[Atom],
    y: &[f64],
    tol: f64,
) -> Result<Option<Vec<Atom>>> {
    let unit = unit_evaluator(spec, plan, spec.k)?;
    let psi = psi_for(spec, plan)?;
    let m = y.len();
    let dim = spec.feature_dim();
    let ynorm = super::verified::data_norm(y);
    let signs: Vec<f64> = atoms.iter().map(|a| a.c.signum()).collect();
    let n_at = atoms.len();
    let nv = n_at * (1 + dim);
    // Residual, constraint Jacobian (M x nv), cost and its gradient.
    let eval = |st: &State| -> Result<Evaluation> {
        let mut r = DVector::from_iterator(m, y.iter().map(|v| -v));
        let mut jg = DMatrix::<f64>::zeros(m, nv);
        let mut cost = 0.0;
        let mut gj = DVector::<f64>::zeros(nv);
        for j in 0..n_at {
            let (phi, jac) = unit.measure_and_jacobian(&st.w[j])?;
            let (p, gp) = psi.value_and_gradient(&st.w[j])?;
            let base = j * (1 + dim);
            for q in 0..m {
                r[q] += st.c[j] * phi[q];
                jg[(q, base)] = phi[q];
                for i in 0..dim {
                    jg[(q, base + 1 + i)] = st.c[j] * jac[i * m + q];
                }
            }
            cost += signs[j] * st.c[j] * p;
            gj[base] = signs[j] * p;
            for i in 0..dim {
                gj[base + 1 + i] = signs[j] * st.c[j] * gp[i];
            }
        }
        Ok((r, jg, cost, gj))
    };
    let apply = |st: &State, dx: &DVector<f64>, t: f64| -> State {
        let mut out = State {
            c: st.c.clone(),
            w: st.w.clone(),
        };
        for j in 0..n_at {
            let base = j * (1 + dim);
            out.c[j] += t * dx[base];
            for i in 0..dim {
                out.w[j][i] += t * dx[base + 1 + i];
            }
        }
        renormalize(&mut out);
        out
    };
    // Gauss-Newton restoration: minimum-norm steps on G = 0.
    let restore = |mut st: State| -> Result<Option<(State, f64)>> {
        for _ in 0..6 {
            let (r, jg, _, _) = eval(&st)?;
            let rn = r.norm();
            if rn <= 0.1 * tol * ynorm {
                return Ok(Some((st, rn)));
            }
            let Some(svd) = super::linalg::bounded_svd(jg, true, true) else {
                return Ok(None);
            };
            let smax = svd.singular_values.max();
            let Ok(dx) = svd.solve(&(-r), 1e-12 * smax.max(f64::MIN_POSITIVE)) else {
                return Ok(None);
            };
            st = apply(&st, &dx, 1.0);
        }
        let (r, _, _, _) = eval(&st)?;
        let rn = r.norm();
        Ok((rn <= tol * ynorm).then_some((st, rn)))
    };
    let start = State {
        c: atoms.iter().map(|a| a.c).collect(),
        w: atoms.iter().map(|a| a.w.clone()).collect(),
    };
    let Some((mut st, _)) = restore(start)? else {
        return Ok(None);
    };
    let (_, _, mut cost, _) = eval(&st)?;
    let mut step = 1.0f64;
    for _ in 0..MAX_STEPS {
        let (_, jg, _, gj) = eval(&st)?;
        // Projection of -grad J onto the null space of jg.
        let Some(svd) = super::linalg::bounded_svd(jg.clone(), true, true) else {
            break;
        };
        let smax = svd.singular_values.max();
        let Ok(z) = svd.solve(&(&jg * &gj), 1e-12 * smax.max(f64::MIN_POSITIVE)) else {
            break;
        };
        let d = -(&gj - z);
        let dn = d.norm();
        if dn <= 1e-14 * (1.0 + gj.norm()) {
            break;
        }
        let mut accepted = false;
        while step > 1e-10 {
            let trial = apply(&st, &d, step / dn.max(1.0));
            // Signs must not flip (the cost is |c| psi).
            let keeps = trial.c.iter().zip(&signs).all(|(c, s)| c * s >= 0.0);
            if keeps && let Some((ns, _)) = restore(trial)? {
                let (_, _, nc, _) = eval(&ns)?;
                if nc < cost - 1e-15 * cost.abs()
                    && ns.c.iter().zip(&signs).all(|(c, s)| c * s >= 0.0)
                {
                    st = ns;
                    cost = nc;
                    accepted = true;
                    step = (step * 2.0).min(1.0);
                    break;
                }
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    // Merge atoms that slid together.
    let mut out: Vec<Atom> = Vec::new();
    for j in 0..n_at {
        let w = st.w[j].clone();
        if let Some(a) = out.iter_mut().find(|a| {
            a.c.signum() == st.c[j].signum() && super::eta::angle(&a.w, &w) <= MERGE_ANGLE
        }) {
            a.c += st.c[j];
            continue;
        }
        out.push(Atom {
            c: st.c[j],
            w,
            psi: psi.value(&st.w[j])?,
            members: atoms[j].members.clone(),
        });
    }
    out.retain(|a| a.c != 0.0);
    Ok(Some(out))
}
