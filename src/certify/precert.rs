//! The vanishing-derivative pre-certificate (docs/theory.md 5, optimality and
//! uniqueness conditions): the least-norm `lambda` with
//! `eta(w_j) = s_j` and zero tangential gradient at every support atom.
//!
//! Because `eta` is 0-homogeneous and `J_j w_j = A sigma(g_{w_j})` (Euler),
//! both conditions at atom `j` are the `D` linear equations
//! `J_j^T lambda = s_j grad psi(w_j)`, `J_j = A_K[H(g_{w_j}) gamma]`. Stacked
//! over the atoms they form a `W D x M` system solved in the least-norm sense
//! by SVD; the relative residual says whether it was consistent.

use super::eta::{psi_for, unit_evaluator};
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::spec::ProblemSpec;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// A support atom: unit direction and sign of its coefficient.
#[derive(Debug, Clone, Serialize)]
pub struct SupportAtom {
    /// Unit direction.
    pub w: Vec<f64>,
    /// Sign of the coefficient (+1 or -1).
    pub sign: f64,
}

/// The pre-certificate and what was learned building it.
#[derive(Debug, Clone, Serialize)]
pub struct PreCertificate {
    /// The least-norm `lambda` (length M).
    pub lambda: Vec<f64>,
    /// `|B lambda - rhs| / |rhs|`: near 0 when the interpolation system is consistent.
    pub relative_residual: f64,
    /// Smallest singular value of the support columns divided by the largest
    /// (0 when they are linearly dependent).
    pub support_conditioning: f64,
}

/// The pre-certificate's equations `B lambda = rhs` (`W D x M`: row
/// `j D + i` is `(J_j^T)_i`, right-hand side `s_j d psi / d w_i` at atom
/// `j`) and the support columns `A sigma(g_{w_j})` (`M x W`).
pub fn derivative_equations(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
) -> Result<(DMatrix<f64>, DVector<f64>, DMatrix<f64>)> {
    let unit = unit_evaluator(spec, plan, spec.k)?;
    let psi = psi_for(spec, plan)?;
    let m = unit.map().len();
    let dim = spec.feature_dim();
    let rows = support.len() * dim;
    let mut b = DMatrix::<f64>::zeros(rows, m);
    let mut rhs = DVector::<f64>::zeros(rows);
    let mut cols = DMatrix::<f64>::zeros(m, support.len());
    for (j, atom) in support.iter().enumerate() {
        let (y, jac) = unit.measure_and_jacobian(&atom.w)?;
        let (_, gpsi) = psi.value_and_gradient(&atom.w)?;
        for i in 0..dim {
            for q in 0..m {
                b[(j * dim + i, q)] = jac[i * m + q];
            }
            rhs[j * dim + i] = atom.sign * gpsi[i];
        }
        for q in 0..m {
            cols[(q, j)] = y[q];
        }
    }
    Ok((b, rhs, cols))
}

/// Builds the pre-certificate for `support`.
pub fn vanishing_derivative(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[SupportAtom],
) -> Result<PreCertificate> {
    let (b, rhs, cols) = derivative_equations(spec, plan, support)?;
    let svd = super::linalg::bounded_svd(b.clone(), true, true).ok_or_else(|| {
        crate::error::Error::Numerical {
            what: "pre-certificate SVD: non-finite entries or no convergence".into(),
        }
    })?;
    let smax = svd.singular_values.max();
    let lambda = svd
        .solve(&rhs, 1e-12 * smax.max(f64::MIN_POSITIVE))
        .map_err(|e| crate::error::Error::Numerical {
            what: format!("pre-certificate SVD: {e}"),
        })?;
    let res = (&b * &lambda - &rhs).norm() / rhs.norm().max(f64::MIN_POSITIVE);
    let sv = super::linalg::bounded_svd(cols, false, false)
        .ok_or_else(|| crate::error::Error::Numerical {
            what: "support conditioning SVD: non-finite entries or no convergence".into(),
        })?
        .singular_values;
    let cond = if sv.max() > 0.0 {
        sv.min() / sv.max()
    } else {
        0.0
    };
    Ok(PreCertificate {
        lambda: lambda.iter().copied().collect(),
        relative_residual: res,
        support_conditioning: cond,
    })
}
