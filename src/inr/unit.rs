//! Measurements of one unit: `A_K sigma(g_w)` and its Jacobian
//! `A_K [H(g_w) gamma]` (docs/theory.md 2, 5 and 7).
//!
//! Two methods:
//! - grid quadrature on `x_n = n/N` (any d) by the separable partial DFT of
//!   [`crate::fourier::separable`], scaled `1/N^d`;
//! - exact coefficients in d = 1 ([`crate::fourier::exact1d`]) and in
//!   d = 2 ([`crate::fourier::exact2d`] for K0 = 1,
//!   [`crate::fourier::exact2d_rows`] for K0 >= 2: exact in x1, panelled
//!   Gauss-Legendre in x2 between the breakpoints).

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::fourier::exact1d::{self, RootSettings};
use crate::fourier::separable::{SeparablePlan, SeparableScratch, side};
use crate::inr::features::Features;
use num_complex::Complex64;

/// A unit whose pre-activation never exceeds `VANISH_REL |w|_2` is treated
/// as vanishing (its column is zero and it is left out of dictionaries).
///
/// Why: such a unit is a bump of height `h <= 1e-6 |w|` and width about
/// `sqrt(h)`; its coefficients (of size about `h^(3/2)`) carry absolute
/// rounding errors of about `1e-16 |w|`, so ratios like `eta = phi.lambda /
/// psi` become noise as `h -> 0`. At `h = 1e-6 |w|` they are still accurate
/// to about 1e-7, and the column of a point bump is already
/// indistinguishable from its limit (the measurement of a Dirac mass) at the
/// precision of any solve. Not so for a strip along a nearly flat ridge of
/// `g`: on the psi_mod teacher of README "Refinement" (seed 21000, 150
/// rounds) `|eta|` at the floor was 1.000128, above every limit found
/// (0.964 on a line, 0.785 at a point), and 1.000154 just under the floor
/// (`data/runs/floor-check/`, 40 digits). Units below the floor, which the
/// sup search sees only through their limits, are a limit of that search.
pub const VANISH_REL: f64 = 1e-6;

/// How unit coefficients are computed.
#[derive(Debug, Clone)]
pub enum Method {
    /// Grid quadrature with `N` points per axis.
    Grid(SeparablePlan),
    /// Exact coefficients (d = 1).
    Exact(RootSettings),
    /// Exact in x1, Gauss-Legendre in x2 (d = 2: closed-form rows for K0 = 1,
    /// the companion route for K0 >= 2); with the embedded error estimate
    /// when true.
    Exact2d(bool),
}

/// Computes `A_K sigma(g_w)` (and `A_K'` for a second cutoff) for one feature
/// map and one method.
#[derive(Debug, Clone)]
pub struct UnitEvaluator {
    features: Features,
    map: RealMap,
    method: Method,
    real_map_cache: vjp::RealMapCache,
}

mod vjp;
pub use vjp::{MeasureVjp, VJP_DENSE_LIMIT};

/// Reusable buffers of [`UnitEvaluator`] for allocation-free hot loops.
#[derive(Debug, Clone, Default)]
pub struct UnitScratch {
    coef: Vec<f64>,
    vals: Vec<f64>,
    tensor: Vec<f64>,
    half: Vec<Complex64>,
    sep: SeparableScratch,
    exact: Vec<Complex64>,
    intervals: Vec<(f64, f64)>,
    nodes2d: Vec<crate::fourier::exact2d::Node>,
    /// d = 2 exact: the relative difference between the Gauss-Legendre rule
    /// and its embedded half-order rule for the last measurement (an
    /// overestimate of the quadrature error in x2).
    pub exact2d_error: f64,
    /// True after [`UnitEvaluator::analyze`] when `sigma(g_w)` vanishes on the grid.
    pub vanishes: bool,
}

impl UnitEvaluator {
    /// Grid quadrature with `n` points per axis, analysis up to degree
    /// `kmax >= k` (so that a second cutoff K' <= kmax can be read too).
    pub fn grid(features: Features, k: usize, kmax: usize, n: usize) -> Self {
        let plan = SeparablePlan::new(features.dim_x(), n, features.degree(), kmax.max(k));
        UnitEvaluator {
            map: RealMap::new(features.dim_x(), k),
            features,
            method: Method::Grid(plan),
            real_map_cache: Default::default(),
        }
    }

    /// Exact coefficients: d = 1 or d = 2 (any K0; d = 2 with K0 >= 2 by
    /// [`crate::fourier::exact2d_rows`]).
    pub fn exact(features: Features, k: usize) -> Result<Self> {
        let d = features.dim_x();
        let method = match (d, features.degree()) {
            (1, _) => Method::Exact(RootSettings::default()),
            (2, _) => Method::Exact2d(false),
            (d, k0) => {
                return Err(Error::setting(
                    "exact",
                    "true",
                    format!(
                        "exact coefficients exist for d = 1 and d = 2 (here d = {d}, K0 = {k0})"
                    ),
                ));
            }
        };
        Ok(UnitEvaluator {
            map: RealMap::new(d, k),
            features,
            method,
            real_map_cache: Default::default(),
        })
    }

    /// Exact 2-D coefficients that also estimate their quadrature error in
    /// x2 against the embedded half-order rule (`UnitScratch::exact2d_error`;
    /// about 1.5x the work).
    pub fn exact_with_error_estimate(features: Features, k: usize) -> Result<Self> {
        let mut u = Self::exact(features, k)?;
        if let Method::Exact2d(e) = &mut u.method {
            *e = true;
        }
        Ok(u)
    }

    /// The feature map.
    pub fn features(&self) -> &Features {
        &self.features
    }
    /// The measurement map `A_K`.
    pub fn map(&self) -> &RealMap {
        &self.map
    }
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The number of grid points per axis (None for the exact method).
    pub fn grid_n(&self) -> Option<usize> {
        match &self.method {
            Method::Grid(p) => Some(p.n()),
            Method::Exact(_) | Method::Exact2d(_) => None,
        }
    }

    /// Highest cutoff that can be read after [`UnitEvaluator::analyze`].
    pub fn max_cutoff(&self) -> usize {
        match &self.method {
            Method::Grid(p) => p.analysis_degree(),
            Method::Exact(_) | Method::Exact2d(_) => usize::MAX,
        }
    }

    /// Step 1: transforms `sigma(g_w)` into the scratch buffers.
    pub fn analyze(&self, w: &[f64], s: &mut UnitScratch) -> Result<()> {
        let dim = self.features.dim();
        if w.len() != dim {
            return Err(Error::DimensionMismatch {
                what: "inner weight w".into(),
                expected: dim,
                got: w.len(),
            });
        }
        match &self.method {
            Method::Grid(plan) => {
                s.coef.resize(dim, 0.0);
                self.features.w_to_tensor(w, &mut s.coef);
                s.vals.resize(plan.grid_len(), 0.0);
                plan.synthesize(&s.coef, &mut s.vals, &mut s.sep);
                let floor = VANISH_REL * w.iter().map(|v| v * v).sum::<f64>().sqrt();
                let gmax = s.vals.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
                let any = gmax > floor;
                if any {
                    s.vals.iter_mut().for_each(|v| *v = v.max(0.0));
                }
                s.vanishes = !any;
                s.tensor
                    .resize(side(plan.analysis_degree()).pow(plan.dim() as u32), 0.0);
                if any {
                    plan.analyze(&s.vals, &mut s.tensor, &mut s.sep);
                } else {
                    s.tensor.iter_mut().for_each(|t| *t = 0.0);
                }
            }
            Method::Exact(settings) => {
                let ghat = self.features.w_to_complex(w);
                let iv = exact1d::positive_intervals(&ghat, settings).ok_or_else(|| Error::Numerical {
                    what: "exact 1-D coefficients: the companion-matrix eigenvalues did not converge".into(),
                })?;
                let floor = VANISH_REL * w.iter().map(|v| v * v).sum::<f64>().sqrt();
                // The largest value of g on its positive set: each interval's
                // midpoint and a few interior points (exact enough for the floor).
                let gmax = iv
                    .iter()
                    .flat_map(|&(a, b)| (1..8).map(move |i| a + (b - a) * i as f64 / 8.0))
                    .map(|x| exact1d::eval(&ghat, x))
                    .fold(f64::NEG_INFINITY, f64::max);
                s.vanishes = gmax.is_nan() || gmax <= floor;
                s.intervals = if s.vanishes { Vec::new() } else { iv };
                s.exact = ghat;
            }
            Method::Exact2d(with_low) if self.features.degree() >= 2 => {
                use crate::fourier::exact2d_rows;
                let cube = self.features.w_to_complex(w);
                let nodes = exact2d_rows::nodes(&cube, self.map.cutoff(), *with_low).ok_or_else(|| Error::Numerical {
                    what: "exact 2-D coefficients: a root finder (breakpoints or a row) did not converge"
                        .into(),
                })?;
                let floor = VANISH_REL * w.iter().map(|v| v * v).sum::<f64>().sqrt();
                let gmax = exact2d_rows::peak(&cube, &nodes);
                s.vanishes = gmax.is_nan() || gmax <= floor;
                s.nodes2d = if s.vanishes { Vec::new() } else { nodes };
                s.exact = cube;
            }
            Method::Exact2d(with_low) => {
                use crate::fourier::exact2d;
                let cube = self.features.w_to_complex(w);
                let nodes =
                    exact2d::bare_nodes(&cube, self.map.cutoff(), *with_low).ok_or_else(|| {
                        Error::Numerical {
                        what: "exact 2-D coefficients: the breakpoint eigenvalues did not converge"
                            .into(),
                    }
                    })?;
                let floor = VANISH_REL * w.iter().map(|v| v * v).sum::<f64>().sqrt();
                // max over x2 of max over x1 of g: a0 + 2 |c1| on the nodes
                // and a regular grid of x2.
                // (A node's row as `bare_nodes` found it: the same values.)
                let peak = |row: &[Complex64; 3]| row[1].re + 2.0 * row[2].norm_sqr().sqrt();
                let gmax = nodes
                    .iter()
                    .map(|n| match &n.row {
                        Some(c) => peak(&c.row),
                        None => peak(&exact2d::row_at(&cube, n.e1)),
                    })
                    .chain(
                        exact2d::UNIT_ROOTS_64
                            .iter()
                            .map(|&e1| peak(&exact2d::row_at(&cube, e1))),
                    )
                    .fold(f64::NEG_INFINITY, f64::max);
                s.vanishes = gmax.is_nan() || gmax <= floor;
                s.nodes2d = if s.vanishes { Vec::new() } else { nodes };
                s.exact = cube;
            }
        }
        Ok(())
    }

    /// Step 2: the real vector `A_map sigma(g_w)` (map cutoff `<= max_cutoff`).
    pub fn read(&self, map: &RealMap, s: &mut UnitScratch, out: &mut [f64]) {
        s.half
            .resize(1 + map.half_set().len(), Complex64::new(0.0, 0.0));
        match &self.method {
            Method::Grid(plan) => plan.tensor_to_half(&s.tensor, map, &mut s.half),
            Method::Exact(_) => {
                let k = map.cutoff();
                exact1d::integrate(&s.exact, &s.intervals, k, &mut s.half);
            }
            Method::Exact2d(with_low) => {
                let (hi, lo) = if self.features.degree() >= 2 {
                    crate::fourier::exact2d_rows::integrate_relu(&s.nodes2d, &s.exact, map.cutoff())
                } else {
                    crate::fourier::exact2d::integrate_relu(&s.nodes2d, &s.exact, map.cutoff())
                };
                s.exact2d_error =
                    half_from_grid(map, &hi, &mut s.half, with_low.then_some(lo.as_slice()));
            }
        }
        map.to_real(&s.half, out);
    }

    /// `A_K sigma(g_w)` into `out` (length M).
    /// Homogeneity keeps huge and tiny `w` finite: such a `w` is measured
    /// as `t A sigma(g_{w/t})` (see [`crate::numeric`]); a result that is
    /// still not finite is an error.
    pub fn measure_into(&self, w: &[f64], out: &mut [f64], s: &mut UnitScratch) -> Result<()> {
        crate::error::check_finite("inner weight w", w)?;
        match crate::numeric::rescaled(w) {
            None => {
                self.analyze(w, s)?;
                self.read(&self.map, s, out);
            }
            Some((ws, t)) => {
                self.analyze(&ws, s)?;
                self.read(&self.map, s, out);
                out.iter_mut().for_each(|v| *v *= t);
            }
        }
        crate::error::check_finite("A_K sigma(g_w)", out)
    }

    /// `A_K sigma(g_w)`.
    pub fn measure(&self, w: &[f64]) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.map.len()];
        self.measure_into(w, &mut out, &mut UnitScratch::default())?;
        Ok(out)
    }

    /// The Jacobian `A_map [H(g_w) gamma]`, `M x D` column-major
    /// (column `i` is the derivative with respect to `w_i`).
    pub fn jacobian_for(&self, w: &[f64], map: &RealMap) -> Result<Vec<f64>> {
        crate::error::check_finite("inner weight w", w)?;
        // The Jacobian is homogeneous of degree 0.
        let owned = crate::numeric::rescaled(w).map(|(ws, _)| ws);
        let w = owned.as_deref().unwrap_or(w);
        let mut s = UnitScratch::default();
        self.analyze(w, &mut s)?;
        Ok(self.jacobian_from(&s, map))
    }

    /// `A_K sigma(g_w)` and the Jacobian `A_K [H(g_w) gamma]` from one
    /// analysis of `g_w` (its positive set is found once): the pair of
    /// [`Self::measure`] and [`Self::jacobian`], at about the cost of one.
    pub fn measure_and_jacobian(&self, w: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        crate::error::check_finite("inner weight w", w)?;
        let (ws, t) = crate::numeric::rescaled(w).unwrap_or_else(|| (w.to_vec(), 1.0));
        let mut s = UnitScratch::default();
        self.analyze(&ws, &mut s)?;
        let mut y = vec![0.0; self.map.len()];
        self.read(&self.map, &mut s, &mut y);
        y.iter_mut().for_each(|v| *v *= t);
        crate::error::check_finite("A_K sigma(g_w)", &y)?;
        Ok((y, self.jacobian_from(&s, &self.map)))
    }

    /// The Jacobian for `map` from an analysis ([`Self::analyze`]) of `w`.
    fn jacobian_from(&self, s: &UnitScratch, map: &RealMap) -> Vec<f64> {
        let dim = self.features.dim();
        let m = map.len();
        let mut jac = vec![0.0; m * dim];
        if s.vanishes {
            return jac;
        }
        match &self.method {
            Method::Grid(plan) => {
                // H(g) on the grid, then the analysis of H times each
                // tensor-real basis function; then J_gamma = J_tensor L.
                let d = plan.dim();
                let n = plan.n();
                let s0 = side(plan.synthesis_degree());
                let synth = plan.synthesis_table();
                let mut vals = vec![0.0; plan.grid_len()];
                let mut tensor = vec![0.0; side(plan.analysis_degree()).pow(d as u32)];
                let mut half = vec![Complex64::new(0.0, 0.0); 1 + map.half_set().len()];
                let mut col = vec![0.0; m];
                let mut sep = SeparableScratch::default();
                let l = self.features.tensor_matrix();
                let mut prev = Vec::with_capacity(vals.len());
                for j in 0..dim {
                    let mut js = vec![0usize; d];
                    let mut rem = j;
                    for a in (0..d).rev() {
                        js[a] = rem % s0;
                        rem /= s0;
                    }
                    // The basis function on the grid as a tensor product,
                    // last axis (fastest) first: each value is
                    // ((1 b_{d-1}) b_{d-2}) ... b_0, in the order of the
                    // per-point product it replaces (the same bits).
                    vals.clear();
                    vals.push(1.0);
                    for a in (0..d).rev() {
                        std::mem::swap(&mut prev, &mut vals);
                        vals.clear();
                        for r in 0..n {
                            let f = synth[r * s0 + js[a]];
                            vals.extend(prev.iter().map(|p| p * f));
                        }
                    }
                    for (v, g) in vals.iter_mut().zip(&s.vals) {
                        if *g <= 0.0 {
                            *v = 0.0;
                        }
                    }
                    plan.analyze(&vals, &mut tensor, &mut sep);
                    plan.tensor_to_half(&tensor, map, &mut half);
                    map.to_real(&half, &mut col);
                    for i in 0..dim {
                        let lji = l[j * dim + i];
                        if lji != 0.0 {
                            for (q, c) in col.iter().enumerate() {
                                jac[i * m + q] += lji * c;
                            }
                        }
                    }
                }
            }
            Method::Exact2d(_) => {
                // H(g) gamma_i has the coefficients sum_j h_i[j] I(k - j),
                // I the coefficients of the indicator 1[g > 0] (one
                // integration instead of D; the same quadrature, regrouped).
                let ind = crate::fourier::exact2d_jacobian::Indicator::new(
                    &s.nodes2d,
                    &s.exact,
                    self.features.degree(),
                    map.cutoff(),
                );
                let mut e = vec![0.0; dim];
                let mut half = vec![Complex64::new(0.0, 0.0); 1 + map.half_set().len()];
                let mut grid = Vec::new();
                for i in 0..dim {
                    e.iter_mut().for_each(|v| *v = 0.0);
                    e[i] = 1.0;
                    ind.product_grid(&self.features.w_to_complex(&e), &mut grid);
                    half_from_grid(map, &grid, &mut half, None);
                    map.to_real(&half, &mut jac[i * m..(i + 1) * m]);
                }
            }
            Method::Exact(_) => {
                let mut e = vec![0.0; dim];
                let mut half = vec![Complex64::new(0.0, 0.0); map.cutoff() + 1];
                for i in 0..dim {
                    e.iter_mut().for_each(|v| *v = 0.0);
                    e[i] = 1.0;
                    let hhat = self.features.w_to_complex(&e);
                    exact1d::integrate(&hhat, &s.intervals, map.cutoff(), &mut half);
                    map.to_real(&half, &mut jac[i * m..(i + 1) * m]);
                }
            }
        }
        jac
    }

    /// The Jacobian for the evaluator's own map `A_K`.
    pub fn jacobian(&self, w: &[f64]) -> Result<Vec<f64>> {
        self.jacobian_for(w, &self.map)
    }
}

/// Fills the half vector of `map` (d = 2) from the `(K+1) x (2K+1)` grid of
/// coefficients `k1 = 0..K`, `k2 = -K..K` of [`crate::fourier::exact2d::integrate`];
/// returns `|hi - lo| / |hi|` over the half set when `lo` is given (else 0).
fn half_from_grid(
    map: &RealMap,
    hi: &[Complex64],
    half: &mut Vec<Complex64>,
    lo: Option<&[Complex64]>,
) -> f64 {
    let k = map.cutoff() as i64;
    let side = (2 * k + 1) as usize;
    let at = |k1: i64, k2: i64| k1 as usize * side + (k2 + k) as usize;
    half.resize(1 + map.half_set().len(), Complex64::new(0.0, 0.0));
    half[0] = hi[at(0, 0)];
    let (mut num, mut den) = (0.0, hi[at(0, 0)].norm_sqr());
    if let Some(l) = lo {
        num += (hi[at(0, 0)] - l[at(0, 0)]).norm_sqr();
    }
    for (i, f) in map.half_set().iter().enumerate() {
        let j = at(f[0], f[1]);
        half[1 + i] = hi[j];
        den += hi[j].norm_sqr();
        if let Some(l) = lo {
            num += (hi[j] - l[j]).norm_sqr();
        }
    }
    if den > 0.0 { (num / den).sqrt() } else { 0.0 }
}
