//! A singular value decomposition that always returns.
//!
//! nalgebra's `svd` iterates until convergence with no limit and never
//! returns on some matrices (seen: the Newton matrix of the optimality
//! system for a d = 1, psi_mod, width-2 teacher). Every SVD of the certify
//! pipeline goes through [`bounded_svd`], which refuses non-finite input and
//! gives up after [`SVD_MAX_ITERS`] iterations; callers treat `None` as a
//! failed step.

use nalgebra::Dyn;
use nalgebra::{DMatrix, SVD};

/// Iteration limit of [`bounded_svd`].
pub const SVD_MAX_ITERS: usize = 10_000;

/// The SVD of `m` (with `U` and `V^T` as asked), or None when `m` has a
/// non-finite entry or the iteration does not converge.
pub fn bounded_svd(
    m: DMatrix<f64>,
    compute_u: bool,
    compute_v: bool,
) -> Option<SVD<f64, Dyn, Dyn>> {
    if !m.iter().all(|v| v.is_finite()) {
        return None;
    }
    m.try_svd(compute_u, compute_v, f64::EPSILON, SVD_MAX_ITERS)
}
