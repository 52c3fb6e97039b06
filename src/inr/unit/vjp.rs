//! Vector-Jacobian products of one unit: `J^T v` for the Jacobian
//! `J = A_K [H(g_w) gamma]` (docs/theory.md 5 and 7, "Forward model on a
//! grid"), for the gradients of `eta` and of `psi_mod`, which need only
//! `J^T lambda` and `J^T y`, not `J`.
//!
//! On the grid, `J = C An diag(H(g_w)) S L`: `L` takes `w` to the
//! tensor-real coefficients of `g_w`, `S` synthesizes them on the grid,
//! `An` is the tensor-real analysis and `C` its real map
//! ([`SeparablePlan::real_map_matrix`]). So `J^T v = L^T S^T diag(H) An^T
//! C^T v`: one adjoint analysis and one adjoint synthesis per vector,
//! instead of the `D` analyses that form `J` (for `D = 25` about 10x less
//! work). The same sums in another order: the slower twin is
//! [`UnitEvaluator::measure_and_jacobian`] (`tests/unit_vjp.rs` compares
//! them). The exact methods form `J` and multiply.

use super::{Method, UnitEvaluator, UnitScratch};
use crate::error::Result;
use crate::fourier::separable::{SeparablePlan, SeparableScratch, side};

/// The dense real map `C` of the grid route is cached only up to this many
/// entries (32 MB); above it (very large cutoffs) the products are formed
/// from the full Jacobian instead.
pub const VJP_DENSE_LIMIT: usize = 1 << 22;

/// `A_K sigma(g_w)` with Jacobian-transpose products.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureVjp {
    /// `y = A_K sigma(g_w)` (length `M`).
    pub y: Vec<f64>,
    /// `J^T v` for each requested `v` (length `D` each).
    pub jt_v: Vec<Vec<f64>>,
    /// `J^T y` when requested.
    pub jt_y: Option<Vec<f64>>,
}

/// The cached dense `C` of a grid evaluator (its `Debug` prints the size only).
#[derive(Clone, Default)]
pub struct RealMapCache(std::sync::OnceLock<Option<Vec<f64>>>);

impl std::fmt::Debug for RealMapCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.get() {
            Some(Some(c)) => write!(f, "RealMapCache({} entries)", c.len()),
            _ => write!(f, "RealMapCache(empty)"),
        }
    }
}

impl UnitEvaluator {
    /// `y = A_K sigma(g_w)`, `J^T v` for each `v` in `vs` (length `M`
    /// each) and, when `with_y`, `J^T y`, from one analysis of `g_w`.
    /// Equal to `measure_and_jacobian` followed by the products, to
    /// rounding.
    pub fn measure_and_vjp(&self, w: &[f64], vs: &[&[f64]], with_y: bool) -> Result<MeasureVjp> {
        crate::error::check_finite("inner weight w", w)?;
        let m = self.map.len();
        for v in vs {
            if v.len() != m {
                return Err(crate::error::Error::DimensionMismatch {
                    what: "vector of a Jacobian-transpose product".into(),
                    expected: m,
                    got: v.len(),
                });
            }
        }
        let grid = match &self.method {
            Method::Grid(plan) => self.cached_real_map(plan).map(|c| (plan, c)),
            _ => None,
        };
        let Some((plan, c)) = grid else {
            return self.vjp_from_jacobian(w, vs, with_y);
        };
        let (ws, t) = crate::numeric::rescaled(w).unwrap_or_else(|| (w.to_vec(), 1.0));
        let mut s = UnitScratch::default();
        self.analyze(&ws, &mut s)?;
        let mut y = vec![0.0; m];
        self.read(&self.map, &mut s, &mut y);
        // J is homogeneous of degree 0; y (and so J^T y) of degree 1.
        let jt_y = with_y.then(|| self.grid_vjp(plan, c, &s, &y));
        let jt_v = vs.iter().map(|v| self.grid_vjp(plan, c, &s, v)).collect();
        y.iter_mut().for_each(|v| *v *= t);
        crate::error::check_finite("A_K sigma(g_w)", &y)?;
        let jt_y = jt_y.map(|mut g| {
            g.iter_mut().for_each(|v| *v *= t);
            g
        });
        Ok(MeasureVjp { y, jt_v, jt_y })
    }

    /// The grid's `C` for the evaluator's map, built once (None above
    /// [`VJP_DENSE_LIMIT`] entries).
    fn cached_real_map<'a>(&'a self, plan: &SeparablePlan) -> Option<&'a [f64]> {
        self.real_map_cache
            .0
            .get_or_init(|| {
                let width = side(plan.analysis_degree()).pow(plan.dim() as u32);
                (width.saturating_mul(self.map.len()) <= VJP_DENSE_LIMIT)
                    .then(|| plan.real_map_matrix(&self.map))
            })
            .as_deref()
    }

    /// `L^T S^T diag(H) An^T C^T v` from the analysis in `s`.
    fn grid_vjp(&self, plan: &SeparablePlan, c: &[f64], s: &UnitScratch, v: &[f64]) -> Vec<f64> {
        let dim = self.features.dim();
        if s.vanishes {
            return vec![0.0; dim];
        }
        let width = side(plan.analysis_degree()).pow(plan.dim() as u32);
        let mut ut = vec![0.0; width];
        for (q, &vq) in v.iter().enumerate() {
            if vq != 0.0 {
                for (u, r) in ut.iter_mut().zip(&c[q * width..(q + 1) * width]) {
                    *u += vq * r;
                }
            }
        }
        let mut sep = SeparableScratch::default();
        let mut field = vec![0.0; plan.grid_len()];
        plan.analyze_adjoint(&ut, &mut field, &mut sep);
        // H(g_w): `s.vals` holds max(g_w, 0) on the grid after `analyze`.
        for (f, g) in field.iter_mut().zip(&s.vals) {
            if *g <= 0.0 {
                *f = 0.0;
            }
        }
        let mut coef = vec![0.0; dim];
        plan.synthesize_adjoint(&field, &mut coef, &mut sep);
        let l = self.features.tensor_matrix();
        (0..dim)
            .map(|i| (0..dim).map(|j| l[j * dim + i] * coef[j]).sum())
            .collect()
    }

    /// The products from the full Jacobian (exact methods, huge cutoffs).
    fn vjp_from_jacobian(&self, w: &[f64], vs: &[&[f64]], with_y: bool) -> Result<MeasureVjp> {
        let (y, jac) = self.measure_and_jacobian(w)?;
        let m = y.len();
        let apply = |v: &[f64]| -> Vec<f64> {
            jac.chunks_exact(m.max(1))
                .map(|col| col.iter().zip(v).map(|(a, b)| a * b).sum())
                .collect()
        };
        let jt_v = vs.iter().map(|v| apply(v)).collect();
        let jt_y = with_y.then(|| apply(&y));
        Ok(MeasureVjp { y, jt_v, jt_y })
    }
}
