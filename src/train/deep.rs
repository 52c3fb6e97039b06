//! A deep INR (docs/theory.md 2, "A deep INR replaces the single hidden layer by
//! L ReLU layers after the same features"): on the grid,
//!
//! ```text
//! h_0 = gamma(x)  (D),   h_1 = sigma(W_1 h_0)  (H; gamma holds the constant, so no bias),
//! h_l = sigma(W_l h_{l-1} + b_l)  (H, l = 2..L),   f = v . h_L,
//! ```
//!
//! measured by the same separable partial DFT, regularized by standard
//! weight decay `R = 1/2 (sum |W_l|_F^2 + |v|^2)` (biases not decayed).
//! Backpropagation by hand: `delta_L = (G v^T) o H(z_L)`,
//! `dW_l = delta_l^T h_{l-1}`, `db_l = 1^T delta_l`,
//! `delta_{l-1} = (delta_l W_l) o H(z_{l-1})`, with `G = An^T C^T dL/dy`.
//!
//! Parameters, flat: `W_1 (H x D)`, then for l = 2..L `W_l (H x H)`, `b_l (H)`,
//! then `v (H)`. Grid rows are processed in fixed chunks in parallel; the
//! weight gradients are summed over the chunks in a fixed order, so results
//! do not depend on the thread count.

use super::{Network, TrainSettings};
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::fourier::separable::{SeparablePlan, SeparableScratch, gemm, side};
use crate::inr::features::Features;
use crate::spec::ProblemSpec;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Grid rows per parallel chunk.
const CHUNK: usize = 256;

/// The deep model.
#[derive(Debug, Clone)]
pub struct DeepModel {
    /// Hidden layers L (>= 1).
    pub depth: usize,
    /// Hidden width H.
    pub hidden: usize,
    /// Feature dimension D.
    pub dim: usize,
    /// Measurements M.
    pub m: usize,
    plan: SeparablePlan,
    c_k: super::sparse::SparseRows,
    /// `gamma(x_n)` for every grid point, `G x D` row-major.
    gamma: Vec<f64>,
}

/// Buffers of the deep model.
#[derive(Debug, Clone)]
pub struct DeepWork {
    /// Pre-activations per layer, `G x H` each.
    z: Vec<Vec<f64>>,
    /// Activations per layer, `G x H` each.
    h: Vec<Vec<f64>>,
    /// `f` on the grid.
    pub f: Vec<f64>,
    field: Vec<f64>,
    tensor: Vec<f64>,
    sep: SeparableScratch,
    /// Per-chunk gradient partial sums.
    partial: Vec<Vec<f64>>,
    delta: Vec<f64>,
    delta_prev: Vec<f64>,
}

impl DeepModel {
    /// A model with `depth` hidden layers of width `hidden` on the `n^d` grid.
    pub fn new(spec: &ProblemSpec, depth: usize, hidden: usize, n: usize) -> Result<Self> {
        if depth == 0 {
            return Err(Error::setting("depth", 0, "at least one hidden layer"));
        }
        if hidden == 0 || hidden > 4096 {
            return Err(Error::setting(
                "hidden",
                hidden,
                "the hidden width must be between 1 and 4096",
            ));
        }
        spec.check_grid("grid", n)?;
        let features = Features::new(spec.d, spec.k0);
        let plan = SeparablePlan::new(spec.d, n, spec.k0, spec.k);
        let map = RealMap::new(spec.d, spec.k);
        let g = plan.grid_len();
        let dim = features.dim();
        let mut gamma = vec![0.0; g * dim];
        let mut x = vec![0.0; spec.d];
        for idx in 0..g {
            let mut rem = idx;
            for a in (0..spec.d).rev() {
                x[a] = (rem % n) as f64 / n as f64;
                rem /= n;
            }
            features.gamma(&x, &mut gamma[idx * dim..(idx + 1) * dim]);
        }
        Ok(DeepModel {
            depth,
            hidden,
            dim,
            m: map.len(),
            c_k: super::sparse::SparseRows::from_dense(
                &plan.real_map_matrix(&map),
                side(spec.k).pow(spec.d as u32),
            ),
            plan,
            gamma,
        })
    }

    fn grid_len(&self) -> usize {
        self.plan.grid_len()
    }

    /// `f(x)` at one point from its features `gamma(x)` (length D): the
    /// same layers as the grid forward pass, one point at a time.
    pub fn value_at(&self, theta: &[f64], gamma_x: &[f64]) -> f64 {
        let (layout, end) = self.layout();
        let mut h = gamma_x.to_vec();
        for &(w, rows, cols, b) in &layout {
            h = (0..rows)
                .map(|j| {
                    let z: f64 = theta[w + j * cols..w + (j + 1) * cols]
                        .iter()
                        .zip(&h)
                        .map(|(a, x)| a * x)
                        .sum();
                    let bias = if b == usize::MAX { 0.0 } else { theta[b + j] };
                    (z + bias).max(0.0)
                })
                .collect();
        }
        h.iter()
            .zip(&theta[end..end + self.hidden])
            .map(|(a, v)| a * v)
            .sum()
    }

    /// Offsets of (W_l, b_l) in theta; b_1 does not exist (usize::MAX).
    fn layout(&self) -> (Vec<(usize, usize, usize, usize)>, usize) {
        // (w offset, rows, cols, b offset)
        let mut out = Vec::new();
        let mut off = 0;
        for l in 0..self.depth {
            let cols = if l == 0 { self.dim } else { self.hidden };
            let w = off;
            off += self.hidden * cols;
            let b = if l == 0 {
                usize::MAX
            } else {
                let b = off;
                off += self.hidden;
                b
            };
            out.push((w, self.hidden, cols, b));
        }
        (out, off)
    }
}

impl Network for DeepModel {
    type Work = DeepWork;

    fn n_params(&self) -> usize {
        self.layout().1 + self.hidden
    }

    fn measurements(&self) -> usize {
        self.m
    }

    fn workspace(&self) -> DeepWork {
        let g = self.grid_len();
        let chunks = g.div_ceil(CHUNK);
        DeepWork {
            z: vec![vec![0.0; g * self.hidden]; self.depth],
            h: vec![vec![0.0; g * self.hidden]; self.depth],
            f: vec![0.0; g],
            field: vec![0.0; g],
            tensor: vec![0.0; side(self.plan.analysis_degree()).pow(self.plan.dim() as u32)],
            sep: SeparableScratch::default(),
            partial: vec![vec![0.0; self.n_params()]; chunks],
            delta: vec![0.0; g * self.hidden],
            delta_prev: vec![0.0; g * self.hidden],
        }
    }

    fn initialize(&self, s: &TrainSettings) -> Vec<f64> {
        // He initialization for the hidden layers, N(0, 1/H) for v; zero biases.
        let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0xDEE9);
        let (layout, end) = self.layout();
        let mut theta = vec![0.0; self.n_params()];
        for &(w, rows, cols, _) in &layout {
            let sd = (2.0 / cols as f64).sqrt() * s.init_scale;
            for t in theta[w..w + rows * cols].iter_mut() {
                let z: f64 = StandardNormal.sample(&mut rng);
                *t = sd * z;
            }
        }
        let sd = (1.0 / self.hidden as f64).sqrt();
        for t in theta[end..].iter_mut() {
            let z: f64 = StandardNormal.sample(&mut rng);
            *t = sd * z;
        }
        theta
    }

    fn forward(&self, theta: &[f64], ws: &mut DeepWork, y_hat: &mut [f64]) {
        let g = self.grid_len();
        let hdim = self.hidden;
        let (layout, end) = self.layout();
        let v = &theta[end..end + hdim];
        for (l, &(w, rows, cols, b)) in layout.iter().enumerate() {
            let (before, rest) = ws.h.split_at_mut(l);
            let input: &[f64] = if l == 0 { &self.gamma } else { &before[l - 1] };
            let z = &mut ws.z[l];
            let h = &mut rest[0];
            let wmat = &theta[w..w + rows * cols];
            z.par_chunks_mut(CHUNK * hdim)
                .zip(h.par_chunks_mut(CHUNK * hdim))
                .enumerate()
                .for_each(|(ci, (zc, hc))| {
                    let r0 = ci * CHUNK;
                    let nr = zc.len() / hdim;
                    let inp = &input[r0 * cols..(r0 + nr) * cols];
                    // z (nr x H) = inp (nr x cols) W^T (cols x H)
                    gemm(
                        nr,
                        cols,
                        hdim,
                        inp,
                        cols as isize,
                        1,
                        wmat,
                        1,
                        cols as isize,
                        zc,
                        hdim as isize,
                        1,
                    );
                    for (r, (zr, hr)) in zc.chunks_mut(hdim).zip(hc.chunks_mut(hdim)).enumerate() {
                        let _ = r;
                        if b != usize::MAX {
                            zr.iter_mut()
                                .zip(&theta[b..b + hdim])
                                .for_each(|(zi, bi)| *zi += bi);
                        }
                        for (hi, zi) in hr.iter_mut().zip(zr.iter()) {
                            *hi = zi.max(0.0);
                        }
                    }
                });
        }
        let last = &ws.h[self.depth - 1];
        ws.f.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, fc)| {
            for (i, fx) in fc.iter_mut().enumerate() {
                let row = &last[(ci * CHUNK + i) * hdim..(ci * CHUNK + i + 1) * hdim];
                *fx = row.iter().zip(v).map(|(a, b)| a * b).sum();
            }
        });
        let _ = g;
        self.plan.analyze(&ws.f, &mut ws.tensor, &mut ws.sep);
        self.c_k.apply(&ws.tensor, y_hat);
    }

    fn grid_values<'a>(&self, ws: &'a DeepWork) -> &'a [f64] {
        &ws.f
    }

    fn regularizer(&self, theta: &[f64], _ws: &mut DeepWork, scale: f64, grad: &mut [f64]) -> f64 {
        let (layout, end) = self.layout();
        let mut value = 0.0;
        let mut decay = |range: std::ops::Range<usize>, grad: &mut [f64]| {
            for i in range {
                value += 0.5 * theta[i] * theta[i];
                grad[i] += scale * theta[i];
            }
        };
        for &(w, rows, cols, _) in &layout {
            decay(w..w + rows * cols, grad);
        }
        decay(end..end + self.hidden, grad);
        value
    }

    fn backward_data(&self, theta: &[f64], vgrad: &[f64], ws: &mut DeepWork, grad: &mut [f64]) {
        let hdim = self.hidden;
        let (layout, end) = self.layout();
        self.c_k.apply_transpose(vgrad, &mut ws.tensor);
        self.plan
            .analyze_adjoint(&ws.tensor, &mut ws.field, &mut ws.sep);
        let v = &theta[end..end + hdim];
        // Per chunk: partial gradients, summed in chunk order afterwards.
        let field = &ws.field;
        let z = &ws.z;
        let h = &ws.h;
        let gamma = &self.gamma;
        let depth = self.depth;
        ws.partial
            .par_iter_mut()
            .zip(ws.delta.par_chunks_mut(CHUNK * hdim))
            .zip(ws.delta_prev.par_chunks_mut(CHUNK * hdim))
            .enumerate()
            .for_each(|(ci, ((part, delta), delta_prev))| {
                part.iter_mut().for_each(|p| *p = 0.0);
                let r0 = ci * CHUNK;
                let nr = delta.len() / hdim;
                // dv = h_L^T G;  delta_L = (G v^T) o H(z_L)
                let hl = &h[depth - 1][r0 * hdim..(r0 + nr) * hdim];
                let zl = &z[depth - 1][r0 * hdim..(r0 + nr) * hdim];
                for r in 0..nr {
                    let gr = field[r0 + r];
                    for k in 0..hdim {
                        part[end + k] += hl[r * hdim + k] * gr;
                        delta[r * hdim + k] = if zl[r * hdim + k] > 0.0 {
                            gr * v[k]
                        } else {
                            0.0
                        };
                    }
                }
                let mut cur: &mut [f64] = delta;
                let mut prev: &mut [f64] = delta_prev;
                for l in (0..depth).rev() {
                    let (w, rows, cols, b) = layout[l];
                    let input: &[f64] = if l == 0 {
                        &gamma[r0 * cols..(r0 + nr) * cols]
                    } else {
                        &h[l - 1][r0 * hdim..(r0 + nr) * hdim]
                    };
                    // dW_l (H x cols) += delta^T (H x nr) input (nr x cols)
                    let mut dw = vec![0.0; rows * cols];
                    gemm(
                        rows,
                        nr,
                        cols,
                        cur,
                        1,
                        hdim as isize,
                        input,
                        cols as isize,
                        1,
                        &mut dw,
                        cols as isize,
                        1,
                    );
                    part[w..w + rows * cols]
                        .iter_mut()
                        .zip(&dw)
                        .for_each(|(p, d)| *p += d);
                    if b != usize::MAX {
                        for r in 0..nr {
                            for k in 0..hdim {
                                part[b + k] += cur[r * hdim + k];
                            }
                        }
                    }
                    if l > 0 {
                        // delta_{l-1} (nr x H) = (delta (nr x H) W_l (H x H)) o H(z_{l-1})
                        let wmat = &theta[w..w + rows * cols];
                        gemm(
                            nr,
                            hdim,
                            hdim,
                            cur,
                            hdim as isize,
                            1,
                            wmat,
                            cols as isize,
                            1,
                            prev,
                            hdim as isize,
                            1,
                        );
                        let zp = &z[l - 1][r0 * hdim..(r0 + nr) * hdim];
                        prev.iter_mut().zip(zp).for_each(|(d, &zz)| {
                            if zz <= 0.0 {
                                *d = 0.0;
                            }
                        });
                        std::mem::swap(&mut cur, &mut prev);
                    }
                }
            });
        for part in &ws.partial {
            grad.iter_mut().zip(part).for_each(|(g, p)| *g += p);
        }
    }
}
