//! Exact Fourier coefficients of phantom regions (docs/theory.md 8, Figure 3;
//! the formulas are those of data/phantoms/README.md, written in our words):
//! `F(k) = integral over the region of exp(-2 pi i k.x) dx`, `w = 2 pi k`.
//!
//! - Ellipse: `F = exp(-i w.c) 2 pi a1 a2 J1(rho)/rho` with
//!   `rho = |diag(a1, a2) Rot(theta)^T w|` (`J1` from `libm`).
//! - Polygon: the divergence theorem reduces `F` to edges,
//!   `F = (i/|w|^2) sum_edges exp(-i w.r) (w.J beta) h0(w.beta)` with
//!   `J(v1, v2) = (v2, -v1)` and `h0(a) = exp(-i a/2) sin(a/2)/(a/2)`: a
//!   closed form with no cancellation (`sin z / z` is evaluated directly).
//! - Bezier: the same contour integral `F = (i/|w|^2) integral (w.J x'(t))
//!   exp(-i w.x(t)) dt` over the quadratic pieces, by Gauss-Legendre. The
//!   integrand is entire in `t`, of modulus at most `|w| |x'|`, and its phase
//!   turns by at most `2 pi K (|x1'| + |x2'|)` over a piece; each piece is cut
//!   into panels on which the phase turns by at most [`PANEL_PHASE`] and each
//!   panel gets [`NODES_PER_PANEL`] nodes. On such a panel the Gauss rule's
//!   error is below `(PANEL_PHASE/2)^(2n) / (2n)!` times the integrand's
//!   size, about 1e-22 here: there is no regime to switch between (curved,
//!   nearly straight, small arguments), unlike the error-function closed
//!   form, whose terms cancel as `beta x gamma -> 0`.
//! - `k = 0`: the signed area, exactly.

use super::region::{Piece, Region, Shape};
use gauss_quad::GaussLegendre;
use num_complex::Complex64;
use rayon::prelude::*;
use std::f64::consts::{PI, TAU};
use std::num::NonZeroUsize;

/// Gauss-Legendre nodes per panel of a Bezier piece.
pub const NODES_PER_PANEL: usize = 20;
/// Largest phase change (radians) of `exp(-2 pi i k.x(t))` over one panel.
pub const PANEL_PHASE: f64 = 6.0;
/// Blocks of contour nodes summed in parallel, then in order (a constant,
/// so that coefficients are bit-identical for any thread count).
pub const BLOCKS: usize = 16;

/// Coefficients on the cube `|k|_inf <= K` in d = 2, `k1` slowest.
#[derive(Debug, Clone, PartialEq)]
pub struct Cube {
    /// The cutoff `K`.
    pub k: usize,
    /// `(2K+1)^2` values, index `(k1 + K)(2K+1) + (k2 + K)`.
    pub values: Vec<Complex64>,
}

impl Cube {
    /// All zeros.
    pub fn zeros(k: usize) -> Self {
        let side = 2 * k + 1;
        Cube {
            k,
            values: vec![Complex64::new(0.0, 0.0); side * side],
        }
    }

    /// The position of `(k1, k2)`.
    pub fn index(&self, k1: i64, k2: i64) -> usize {
        let k = self.k as i64;
        ((k1 + k) * (2 * k + 1) + (k2 + k)) as usize
    }

    /// The coefficient at `(k1, k2)`.
    pub fn get(&self, k1: i64, k2: i64) -> Complex64 {
        self.values[self.index(k1, k2)]
    }

    /// The largest modulus.
    pub fn max_abs(&self) -> f64 {
        self.values.iter().map(|c| c.norm()).fold(0.0, f64::max)
    }
}

/// `exp(-2 pi i t)` with `t` reduced modulo 1 first (accurate for large `k x`).
fn turn(t: f64) -> Complex64 {
    let r = t - t.round();
    Complex64::from_polar(1.0, -TAU * r)
}

/// `sin(z)/z`, 1 at 0.
fn sinc(z: f64) -> f64 {
    if z.abs() < 1e-8 {
        1.0 - z * z / 6.0
    } else {
        z.sin() / z
    }
}

/// `F(k)` of an ellipse (closed form with `J1`).
pub fn ellipse(center: [f64; 2], angle: f64, width: [f64; 2], k: [i64; 2]) -> Complex64 {
    let (a1, a2) = (width[0] / 2.0, width[1] / 2.0);
    let (s, c) = angle.sin_cos();
    let (w1, w2) = (TAU * k[0] as f64, TAU * k[1] as f64);
    let u1 = a1 * (w1 * c + w2 * s);
    let u2 = a2 * (-w1 * s + w2 * c);
    let rho = u1.hypot(u2);
    let jinc = if rho < 1e-6 {
        0.5 - rho * rho / 16.0
    } else {
        libm::j1(rho) / rho
    };
    let shift = turn(k[0] as f64 * center[0] + k[1] as f64 * center[1]);
    shift * (2.0 * PI * a1 * a2 * jinc)
}

/// `F(k)` of a region bounded by straight pieces (closed form), `k != 0`.
pub fn polygon(pieces: &[Piece], k: [i64; 2]) -> Complex64 {
    let (w1, w2) = (TAU * k[0] as f64, TAU * k[1] as f64);
    let mut sum = Complex64::new(0.0, 0.0);
    for p in pieces {
        let a = w1 * p.beta[0] + w2 * p.beta[1];
        let wjb = w1 * p.beta[1] - w2 * p.beta[0];
        // exp(-i w.r) exp(-i a/2) = exp(-i w.(r + beta/2)): the edge midpoint.
        let mid = [p.r[0] + p.beta[0] / 2.0, p.r[1] + p.beta[1] / 2.0];
        let e = turn(k[0] as f64 * mid[0] + k[1] as f64 * mid[1]);
        sum += e * (wjb * sinc(a / 2.0));
    }
    Complex64::new(0.0, 1.0) * sum / (w1 * w1 + w2 * w2)
}

/// A quadrature node of a contour: the point `x(t)` and the weighted
/// outward normal `weight * region weight * J x'(t)`.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// `x(t)`.
    pub x: [f64; 2],
    /// `c J x'(t)`.
    pub n: [f64; 2],
}

/// Nodes on `[-1, 1]`.
fn gauss(n: usize) -> Vec<(f64, f64)> {
    GaussLegendre::new(NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN))
        .as_node_weight_pairs()
        .to_vec()
}

/// Quadrature nodes of the contour pieces, accurate for every `|k|_inf <= K`,
/// each normal scaled by `scale` (the region's weight), with `per_panel`
/// nodes per panel.
pub fn contour_nodes(pieces: &[Piece], k: usize, scale: f64, per_panel: usize) -> Vec<Node> {
    let rule = gauss(per_panel);
    let mut out = Vec::new();
    for p in pieces {
        let speed = |t: f64| {
            let d = p.tangent(t);
            d[0].abs() + d[1].abs()
        };
        let span = TAU * k as f64 * speed(0.0).max(speed(1.0));
        let panels = ((span / PANEL_PHASE).ceil() as usize).max(1);
        let h = 1.0 / panels as f64;
        for j in 0..panels {
            let mid = (j as f64 + 0.5) * h;
            for &(s, wt) in &rule {
                let t = mid + 0.5 * h * s;
                let d = p.tangent(t);
                let c = 0.5 * h * wt * scale;
                out.push(Node {
                    x: p.at(t),
                    n: [c * d[1], -c * d[0]],
                });
            }
        }
    }
    out
}

/// `sum over nodes of F` on the cube `|k|_inf <= K`, `k != 0`, by the contour
/// formula; the value at `k = 0` is left 0 (add the area). Parallel over
/// [`BLOCKS`] blocks of nodes; `F(-k) = conj F(k)` fills the half `k1 < 0`.
pub fn contour_cube(nodes: &[Node], k: usize) -> Cube {
    let side = 2 * k + 1;
    let rows = k + 1;
    let zero = Complex64::new(0.0, 0.0);
    // Accumulates (A1, A2)(k) = sum_j n_j exp(-2 pi i k.x_j), k1 >= 0, over
    // a fixed number of blocks of nodes summed in order, so that the result
    // does not depend on the thread count or on rayon's scheduling.
    let block = nodes.len().div_ceil(BLOCKS).max(1);
    let partial: Vec<Vec<(Complex64, Complex64)>> = nodes
        .par_chunks(block)
        .map(|chunk| {
            let mut acc = vec![(zero, zero); rows * side];
            let mut e2 = vec![zero; side];
            for node in chunk {
                for (i, e) in e2.iter_mut().enumerate() {
                    *e = turn((i as f64 - k as f64) * node.x[1]);
                }
                for k1 in 0..rows {
                    let e1 = turn(k1 as f64 * node.x[0]);
                    let row = &mut acc[k1 * side..(k1 + 1) * side];
                    for (a, e) in row.iter_mut().zip(&e2) {
                        let t = e1 * e;
                        a.0 += t * node.n[0];
                        a.1 += t * node.n[1];
                    }
                }
            }
            acc
        })
        .collect();
    let mut acc = vec![(zero, zero); rows * side];
    for p in partial {
        acc.iter_mut().zip(p).for_each(|(x, y)| {
            x.0 += y.0;
            x.1 += y.1;
        });
    }
    let mut cube = Cube::zeros(k);
    let ki = k as i64;
    for k1 in 0..=ki {
        for k2 in -ki..=ki {
            if k1 == 0 && k2 <= 0 {
                continue;
            }
            let (a1, a2) = acc[k1 as usize * side + (k2 + ki) as usize];
            let q = (k1 * k1 + k2 * k2) as f64;
            let v = Complex64::new(0.0, 1.0) * (a1 * k1 as f64 + a2 * k2 as f64) / (TAU * q);
            let (i, j) = (cube.index(k1, k2), cube.index(-k1, -k2));
            cube.values[i] = v;
            cube.values[j] = v.conj();
        }
    }
    cube
}

/// `sum_j weight_j F_j(k)` over all regions on the cube `|k|_inf <= K`, in
/// the toolbox's coordinates (origin at the centre of the field of view):
/// ellipses and polygons in closed form, Bezier curves by the contour
/// quadrature, `k = 0` the weighted area.
pub fn regions_cube(regions: &[Region], k: usize) -> Cube {
    let nodes: Vec<Node> = regions
        .iter()
        .filter(|r| matches!(r.shape, Shape::Bezier { .. }))
        .flat_map(|r| contour_nodes(&r.pieces(), k, r.weight, NODES_PER_PANEL))
        .collect();
    let mut cube = contour_cube(&nodes, k);
    let closed: Vec<(f64, Shape, Vec<Piece>)> = regions
        .iter()
        .filter(|r| !matches!(r.shape, Shape::Bezier { .. }))
        .map(|r| (r.weight, r.shape.clone(), r.pieces()))
        .collect();
    let ki = k as i64;
    let side = 2 * k + 1;
    let extra: Vec<Complex64> = (0..side * side)
        .into_par_iter()
        .map(|idx| {
            let kk = [idx as i64 / side as i64 - ki, idx as i64 % side as i64 - ki];
            if kk == [0, 0] {
                return Complex64::new(0.0, 0.0);
            }
            closed
                .iter()
                .map(|(wt, shape, pieces)| {
                    let f = match shape {
                        Shape::Ellipse {
                            center,
                            angle,
                            width,
                        } => ellipse(*center, *angle, *width, kk),
                        _ => polygon(pieces, kk),
                    };
                    f * *wt
                })
                .sum()
        })
        .collect();
    cube.values.iter_mut().zip(extra).for_each(|(c, e)| *c += e);
    let area: f64 = regions.iter().map(|r| r.weight * r.signed_area()).sum();
    let i0 = cube.index(0, 0);
    cube.values[i0] = Complex64::new(area, 0.0);
    cube
}
