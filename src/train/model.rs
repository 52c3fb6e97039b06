//! The shallow INR on the `N^d` grid with hand-written gradients
//! (docs/theory.md 2, 3, 7):
//!
//! ```text
//! f_theta(x_n) = sum_j a_j sigma(g_{w_j}(x_n)),   y_hat = A_K f_theta (grid quadrature)
//! d/da_j  = <G, sigma(g_j)>,   d/dw_j = a_j  sum_n G(x_n) H(g_j(x_n)) gamma(x_n),
//! ```
//!
//! where `G = An^T C^T v` is the adjoint of the measurement applied to
//! `v = dL/dy_hat`. Pre-activations are synthesized per axis (separable
//! tables), the measurement is the separable partial DFT; adjoints run the
//! same tables backwards. The regularizer `R_psi = 1/2 sum (a_j^2 + psi(w_j)^2)`
//! has gradients `a_j` and `psi grad psi`: `w_j` (std), `(w_0, w_i/2)` (pre),
//! `J_K'^T A_K' sigma(g_j)` (mod).
//!
//! Parameters live in one flat buffer `theta = [a_1..a_W, w_1 (D), ..., w_W (D)]`.
//! Units are processed in parallel in fixed groups; every sum runs in a
//! fixed order, so results do not depend on the thread count.

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::fourier::separable::{SeparablePlan, SeparableScratch, side};
use crate::inr::features::Features;
use crate::inr::psi::PsiKind;
use crate::spec::ProblemSpec;
use rayon::prelude::*;

/// The model: sizes, tables and the weighting.
#[derive(Debug, Clone)]
pub struct ShallowModel {
    /// Torus dimension.
    pub d: usize,
    /// Student width W.
    pub width: usize,
    /// Feature dimension D.
    pub dim: usize,
    /// Grid points per axis.
    pub n: usize,
    /// Measurements M.
    pub m: usize,
    psi: PsiKind,
    plan: SeparablePlan,
    /// `M x S^d` real-map matrix for K.
    c_k: super::sparse::SparseRows,
    /// The same for K' (psi_mod).
    c_kp: super::sparse::SparseRows,
    m_kp: usize,
    /// `D x D` row-major: tensor coefficients `B = L w`.
    l: Vec<f64>,
}

/// Buffers reused by every step (allocated once).
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Pre-activations, `W x N^d`.
    pub pre: Vec<f64>,
    /// `f_theta` on the grid.
    pub f: Vec<f64>,
    /// The adjoint field `G` on the grid.
    pub field: Vec<f64>,
    tensor: Vec<f64>,
    groups: Vec<GroupScratch>,
    sep: SeparableScratch,
}

#[derive(Debug, Clone, Default)]
struct GroupScratch {
    sep: SeparableScratch,
    grid: Vec<f64>,
    grid2: Vec<f64>,
    coef: Vec<f64>,
    tensor: Vec<f64>,
    y: Vec<f64>,
}

/// Fixed number of unit groups processed in parallel.
const GROUPS: usize = 8;

/// Grid points per parallel chunk of the sum `f = sum_j a_j sigma(g_j)`.
const F_CHUNK: usize = 512;

impl ShallowModel {
    /// A model of width `width` on the `n^d` grid for the problem `spec`.
    pub fn new(spec: &ProblemSpec, width: usize, n: usize) -> Result<Self> {
        if width == 0 {
            return Err(Error::setting(
                "student-width",
                0,
                "the student needs at least one unit",
            ));
        }
        spec.check_grid("grid", n)?;
        let features = Features::new(spec.d, spec.k0);
        let kp = match spec.psi {
            PsiKind::Mod { k_prime } => k_prime,
            _ => spec.k,
        };
        let plan = SeparablePlan::new(spec.d, n, spec.k0, spec.k.max(kp));
        let map_k = RealMap::new(spec.d, spec.k);
        let plan_width = crate::fourier::separable::side(spec.k.max(kp)).pow(spec.d as u32);
        let map_kp = RealMap::new(spec.d, kp);
        Ok(ShallowModel {
            d: spec.d,
            width,
            dim: features.dim(),
            n,
            m: map_k.len(),
            psi: spec.psi,
            c_k: super::sparse::SparseRows::from_dense(&plan.real_map_matrix(&map_k), plan_width),
            c_kp: super::sparse::SparseRows::from_dense(&plan.real_map_matrix(&map_kp), plan_width),
            m_kp: map_kp.len(),
            plan,
            l: features.tensor_matrix().to_vec(),
        })
    }

    /// Length of `theta`.
    pub fn n_params(&self) -> usize {
        self.width * (1 + self.dim)
    }

    /// Grid points `N^d`.
    pub fn grid_len(&self) -> usize {
        self.plan.grid_len()
    }

    /// Fresh buffers.
    pub fn workspace(&self) -> Workspace {
        let g = self.grid_len();
        let t = side(self.plan.analysis_degree()).pow(self.d as u32);
        let big = g.max(t);
        let group = GroupScratch {
            sep: SeparableScratch::default(),
            grid: vec![0.0; big],
            grid2: vec![0.0; big],
            coef: vec![0.0; self.dim],
            tensor: vec![0.0; t],
            y: vec![0.0; self.m_kp.max(self.m)],
        };
        Workspace {
            pre: vec![0.0; self.width * g],
            f: vec![0.0; g],
            field: vec![0.0; g],
            tensor: vec![0.0; t],
            groups: vec![group; GROUPS],
            sep: SeparableScratch::default(),
        }
    }

    fn units_per_group(&self) -> usize {
        self.width.div_ceil(GROUPS)
    }

    /// Forward pass: pre-activations and `f` on the grid, and `y_hat = A_K f`
    /// into `y_hat` (length M).
    pub fn forward(&self, theta: &[f64], ws: &mut Workspace, y_hat: &mut [f64]) {
        let g = self.grid_len();
        let (w_all, dim, upg) = (&theta[self.width..], self.dim, self.units_per_group());
        let plan = &self.plan;
        let l = &self.l;
        ws.pre
            .par_chunks_mut(upg * g)
            .zip(ws.groups.par_iter_mut())
            .enumerate()
            .for_each(|(gi, (pre, sc))| {
                for (u, pre_j) in pre.chunks_mut(g).enumerate() {
                    let j = gi * upg + u;
                    let w = &w_all[j * dim..(j + 1) * dim];
                    for (r, c) in sc.coef.iter_mut().enumerate() {
                        *c = l[r * dim..(r + 1) * dim]
                            .iter()
                            .zip(w)
                            .map(|(a, b)| a * b)
                            .sum();
                    }
                    plan.synthesize(&sc.coef, pre_j, &mut sc.sep);
                }
            });
        let a = &theta[..self.width];
        let pre = &ws.pre;
        // f(x) = sum_j a_j sigma(pre_j(x)), units in order 0..W at every x
        // (the same sums as a loop over units inside a loop over points: an
        // inactive unit adds a zero, which changes no sum), unit rows read
        // contiguously and without branches.
        ws.f.par_chunks_mut(F_CHUNK)
            .enumerate()
            .for_each(|(ci, chunk)| {
                let base = ci * F_CHUNK;
                chunk.iter_mut().for_each(|fx| *fx = 0.0);
                for (j, aj) in a.iter().enumerate() {
                    let row = &pre[j * g + base..j * g + base + chunk.len()];
                    for (fx, &p) in chunk.iter_mut().zip(row) {
                        *fx += if p > 0.0 { aj * p } else { 0.0 };
                    }
                }
            });
        self.plan.analyze(&ws.f, &mut ws.tensor, &mut ws.sep);
        self.c_k.apply(&ws.tensor, y_hat);
    }

    /// Adds to `grad` the gradient of `v . y_hat` (v = dL/dy_hat), using
    /// the pre-activations of the last [`ShallowModel::forward`].
    pub fn backward_data(&self, theta: &[f64], v: &[f64], ws: &mut Workspace, grad: &mut [f64]) {
        self.c_k.apply_transpose(v, &mut ws.tensor);
        self.plan
            .analyze_adjoint(&ws.tensor, &mut ws.field, &mut ws.sep);
        self.units_backward(theta, ws, grad);
    }

    /// Shared per-unit backward: for each unit, `da_j += <field, sigma(g_j)>`
    /// and `dw_j += a_j L^T S^T (field H(g_j))`.
    fn units_backward(&self, theta: &[f64], ws: &mut Workspace, grad: &mut [f64]) {
        let g = self.grid_len();
        let (width, dim, upg) = (self.width, self.dim, self.units_per_group());
        let (ga, gw) = grad.split_at_mut(width);
        let a = &theta[..width];
        let field = &ws.field;
        let pre = &ws.pre;
        let plan = &self.plan;
        let l = &self.l;
        ga.par_chunks_mut(upg)
            .zip(gw.par_chunks_mut(upg * dim))
            .zip(ws.groups.par_iter_mut())
            .enumerate()
            .for_each(|(gi, ((ga_g, gw_g), sc))| {
                for (u, (ga_j, gw_j)) in ga_g.iter_mut().zip(gw_g.chunks_mut(dim)).enumerate() {
                    let j = gi * upg + u;
                    let pre_j = &pre[j * g..(j + 1) * g];
                    let mut da = 0.0;
                    // Branch-free (an inactive point adds a zero to `da`).
                    for ((dg, &p), &fv) in sc.grid[..g].iter_mut().zip(pre_j).zip(field) {
                        let on = p > 0.0;
                        da += if on { fv * p } else { 0.0 };
                        *dg = if on { a[j] * fv } else { 0.0 };
                    }
                    *ga_j += da;
                    plan.synthesize_adjoint(&sc.grid[..g], &mut sc.coef, &mut sc.sep);
                    for (c, gwc) in gw_j.iter_mut().enumerate() {
                        *gwc += (0..dim).map(|r| l[r * dim + c] * sc.coef[r]).sum::<f64>();
                    }
                }
            });
    }

    /// `R_psi(theta) = 1/2 sum_j (a_j^2 + psi(w_j)^2)`, adding `scale` times
    /// its gradient to `grad`. Needs the pre-activations of the last forward.
    pub fn regularizer(
        &self,
        theta: &[f64],
        ws: &mut Workspace,
        scale: f64,
        grad: &mut [f64],
    ) -> f64 {
        let (width, dim) = (self.width, self.dim);
        let mut value = 0.0;
        for j in 0..width {
            let a = theta[j];
            value += 0.5 * a * a;
            grad[j] += scale * a;
        }
        match self.psi {
            PsiKind::Std | PsiKind::Pre => {
                let pre = matches!(self.psi, PsiKind::Pre);
                for j in 0..width {
                    let w = &theta[width + j * dim..width + (j + 1) * dim];
                    let gw = &mut grad[width + j * dim..width + (j + 1) * dim];
                    for (i, (&wi, gi)) in w.iter().zip(gw.iter_mut()).enumerate() {
                        let c = if pre && i > 0 { 0.5 } else { 1.0 };
                        value += 0.5 * c * wi * wi;
                        *gi += scale * c * wi;
                    }
                }
            }
            PsiKind::Mod { .. } => {
                value += self.mod_regularizer(ws, scale, grad);
            }
        }
        value
    }

    /// `1/2 sum_j |A_K' sigma(g_j)|^2` and `scale` times its gradient
    /// `J_K'^T A_K' sigma(g_j)` per unit.
    fn mod_regularizer(&self, ws: &mut Workspace, scale: f64, grad: &mut [f64]) -> f64 {
        let g = self.grid_len();
        let (width, dim, upg) = (self.width, self.dim, self.units_per_group());
        let (_, gw) = grad.split_at_mut(width);
        let pre = &ws.pre;
        let plan = &self.plan;
        let l = &self.l;
        let (c_kp, m_kp) = (&self.c_kp, self.m_kp);
        let values: Vec<f64> = gw
            .par_chunks_mut(upg * dim)
            .zip(ws.groups.par_iter_mut())
            .enumerate()
            .map(|(gi, (gw_g, sc))| {
                let mut total = 0.0;
                for (u, gw_j) in gw_g.chunks_mut(dim).enumerate() {
                    let j = gi * upg + u;
                    let pre_j = &pre[j * g..(j + 1) * g];
                    for (o, &p) in sc.grid[..g].iter_mut().zip(pre_j) {
                        *o = p.max(0.0);
                    }
                    plan.analyze(&sc.grid[..g], &mut sc.tensor, &mut sc.sep);
                    c_kp.apply(&sc.tensor, &mut sc.y[..m_kp]);
                    total += 0.5 * sc.y[..m_kp].iter().map(|v| v * v).sum::<f64>();
                    c_kp.apply_transpose(&sc.y[..m_kp], &mut sc.tensor);
                    plan.analyze_adjoint(&sc.tensor, &mut sc.grid2[..g], &mut sc.sep);
                    for (o, &p) in sc.grid2[..g].iter_mut().zip(pre_j) {
                        *o = if p <= 0.0 { 0.0 } else { *o };
                    }
                    plan.synthesize_adjoint(&sc.grid2[..g], &mut sc.coef, &mut sc.sep);
                    for (c, gwc) in gw_j.iter_mut().enumerate() {
                        *gwc += scale * (0..dim).map(|r| l[r * dim + c] * sc.coef[r]).sum::<f64>();
                    }
                }
                total
            })
            .collect();
        values.iter().sum()
    }
}

impl super::Network for ShallowModel {
    type Work = Workspace;

    fn n_params(&self) -> usize {
        ShallowModel::n_params(self)
    }

    fn measurements(&self) -> usize {
        self.m
    }

    fn workspace(&self) -> Workspace {
        ShallowModel::workspace(self)
    }

    fn initialize(&self, s: &super::TrainSettings) -> Vec<f64> {
        super::initialize(self, s)
    }

    fn forward(&self, theta: &[f64], ws: &mut Workspace, y_hat: &mut [f64]) {
        ShallowModel::forward(self, theta, ws, y_hat)
    }

    fn grid_values<'a>(&self, ws: &'a Workspace) -> &'a [f64] {
        &ws.f
    }

    fn regularizer(&self, theta: &[f64], ws: &mut Workspace, scale: f64, grad: &mut [f64]) -> f64 {
        ShallowModel::regularizer(self, theta, ws, scale, grad)
    }

    fn backward_data(&self, theta: &[f64], v: &[f64], ws: &mut Workspace, grad: &mut [f64]) {
        ShallowModel::backward_data(self, theta, v, ws, grad)
    }
}
