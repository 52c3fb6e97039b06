//! Separable partial DFT on the tensor grid `x_n = n/N` (docs/theory.md 7,
//! "Forward model on a grid").
//!
//! Grid quadrature of a Fourier coefficient is
//! `f^[k] ~ N^-d sum_n f(n/N) exp(-2 pi i k.n/N)`. Only the few
//! frequencies in `S_K` are needed, so instead of a full FFT we contract each
//! axis with a small real table of cosines and sines ("tensor-real" basis):
//! per axis the index `j` stands for `1` (j = 0), `cos(2 pi j x)`
//! (1 <= j <= L) or `sin(2 pi (j-L) x)` (L < j <= 2L). A d-dimensional array
//! of such coefficients (`(2L+1)^d` entries, last axis fastest) is turned into
//! complex coefficients by expanding `exp(-i t) = cos t - i sin t` per axis.
//!
//! The same tables run backwards synthesize a real trigonometric polynomial
//! on the grid from its tensor-real coefficients: the pre-activation of a
//! unit costs `N^d (2K0+1)` multiply-adds instead of `N^d D`.
//!
//! The slow, obvious twin of this module is [`super::fft`] (rustfft on the
//! full grid); tests compare them.

use super::{FrequencySet, RealMap};
use num_complex::Complex64;
use std::f64::consts::TAU;

/// Number of tensor-real basis functions per axis for degree `l`.
pub fn side(l: usize) -> usize {
    2 * l + 1
}

/// Kind and frequency of the per-axis tensor-real basis function `j`
/// (degree `l`): `(false, m)` is `cos(2 pi m x)`, `(true, m)` is `sin`.
pub fn basis_kind(j: usize, l: usize) -> (bool, usize) {
    if j <= l { (false, j) } else { (true, j - l) }
}

/// Index of the per-axis basis function `cos` (is_sin = false) or `sin`
/// of frequency `m` in degree `l`.
pub fn basis_index(is_sin: bool, m: usize, l: usize) -> usize {
    if is_sin { l + m } else { m }
}

/// Row-major tensor mode product: `out[p, j, q] = sum_l mat[j, l] inp[p, l, q]`
/// where `inp` has shape `dims` and `axis` is contracted with the
/// `m x dims[axis]` row-major matrix `mat`.
pub fn mode_product(
    inp: &[f64],
    dims: &[usize],
    axis: usize,
    mat: &[f64],
    m: usize,
    out: &mut [f64],
) {
    let na = dims[axis];
    let pre: usize = dims[..axis].iter().product();
    let post: usize = dims[axis + 1..].iter().product();
    assert_eq!(inp.len(), pre * na * post, "mode_product: input size");
    assert_eq!(mat.len(), m * na, "mode_product: matrix size");
    assert!(out.len() >= pre * m * post, "mode_product: output size");
    if post == 1 {
        // out (pre x m) = inp (pre x na) * mat^T (na x m)
        gemm(
            pre,
            na,
            m,
            inp,
            na as isize,
            1,
            mat,
            1,
            na as isize,
            out,
            m as isize,
            1,
        );
    } else {
        for p in 0..pre {
            let a = &inp[p * na * post..(p + 1) * na * post];
            let c = &mut out[p * m * post..(p + 1) * m * post];
            gemm(
                m,
                na,
                post,
                mat,
                na as isize,
                1,
                a,
                post as isize,
                1,
                c,
                post as isize,
                1,
            );
        }
    }
}

/// `C (m x n) = A (m x k) B (k x n)` with explicit strides (row stride,
/// column stride per operand), through matrixmultiply. Bounds are checked
/// before the call; `C` is overwritten. Why `unsafe`: `benches/gemm.rs`
/// times the safe route (nalgebra's `gemm`, which hands products to
/// matrixmultiply only when every dimension exceeds 5): equal at inner
/// dimension 9 and 64, 4x slower at inner dimension 3 (K0 = 1, the common
/// case: 4.2 us against 1.06 us for 64 x 3 x 64).
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    rsa: isize,
    csa: isize,
    b: &[f64],
    rsb: isize,
    csb: isize,
    c: &mut [f64],
    rsc: isize,
    csc: isize,
) {
    let last = |rows: usize, cols: usize, rs: isize, cs: isize| -> usize {
        if rows == 0 || cols == 0 {
            0
        } else {
            ((rows - 1) as isize * rs + (cols - 1) as isize * cs) as usize + 1
        }
    };
    assert!(last(m, k, rsa, csa) <= a.len());
    assert!(last(k, n, rsb, csb) <= b.len());
    assert!(last(m, n, rsc, csc) <= c.len());
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c.iter_mut().for_each(|x| *x = 0.0);
        return;
    }
    // SAFETY: every index the kernel touches, (i*rs + j*cs) for i < rows and
    // j < cols, is below the `last` bound asserted above for each operand,
    // all strides are non-negative, and `c` does not alias `a` or `b`
    // (it is a unique borrow).
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            0.0,
            c.as_mut_ptr(),
            rsc,
            csc,
        );
    }
}

/// Pure-data plan of the separable transforms for one grid and two degrees:
/// synthesis of degree `l0` (the features) and analysis of degree `l` (the
/// measured frequencies).
#[derive(Debug, Clone)]
pub struct SeparablePlan {
    d: usize,
    n: usize,
    l0: usize,
    l: usize,
    /// `N x (2 l0 + 1)`, row-major: `synth[n][j]` = basis `j` at `x = n/N`.
    synth: Vec<f64>,
    /// `(2 l + 1) x N`, row-major: basis `j` at `x = n/N`, divided by `N`.
    anal: Vec<f64>,
    /// For each entry of the half vector `[0, S_l^+]`: the tensor-real terms
    /// `(index, factor)` whose sum is the complex coefficient.
    to_half: Vec<Vec<(usize, Complex64)>>,
    /// `(2 l0 + 1) x N`: the transpose of `synth` (for adjoints).
    synth_t: Vec<f64>,
    /// `N x (2 l + 1)`: the transpose of `anal` (for adjoints).
    anal_t: Vec<f64>,
}

/// Reusable buffers for [`SeparablePlan`], so that a hot loop allocates
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct SeparableScratch {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl SeparablePlan {
    /// Plans transforms on the `N^d` grid, synthesis degree `l0`, analysis
    /// degree `l`. Sizes are validated by the caller ([`crate::spec`]).
    pub fn new(d: usize, n: usize, l0: usize, l: usize) -> Self {
        let s0 = side(l0);
        let s = side(l);
        let mut synth = vec![0.0; n * s0];
        for i in 0..n {
            for j in 0..s0 {
                synth[i * s0 + j] = basis_value(j, l0, i, n);
            }
        }
        let mut anal = vec![0.0; s * n];
        for j in 0..s {
            for i in 0..n {
                anal[j * n + i] = basis_value(j, l, i, n) / n as f64;
            }
        }
        let to_half = half_terms(d, l);
        let synth_t = transpose(&synth, n, s0);
        let anal_t = transpose(&anal, s, n);
        SeparablePlan {
            d,
            n,
            l0,
            l,
            synth,
            anal,
            to_half,
            synth_t,
            anal_t,
        }
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.d
    }
    /// Grid points per axis.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Synthesis degree.
    pub fn synthesis_degree(&self) -> usize {
        self.l0
    }
    /// Analysis degree.
    pub fn analysis_degree(&self) -> usize {
        self.l
    }
    /// Number of grid points `N^d`.
    pub fn grid_len(&self) -> usize {
        self.n.pow(self.d as u32)
    }
    /// The per-axis synthesis table (`N x (2 l0 + 1)`, row-major).
    pub fn synthesis_table(&self) -> &[f64] {
        &self.synth
    }

    /// Values on the grid of the trigonometric polynomial with tensor-real
    /// coefficients `coef` (`(2 l0 + 1)^d` entries).
    pub fn synthesize(&self, coef: &[f64], out: &mut [f64], scratch: &mut SeparableScratch) {
        let s0 = side(self.l0);
        self.chain(coef, s0, &self.synth, self.n, out, scratch);
    }

    /// Tensor-real analysis `R` (`(2 l + 1)^d` entries) of grid values
    /// `values` (`N^d` entries): `R[j] = N^-d sum_n values[n] prod_a b_{j_a}(n_a/N)`.
    pub fn analyze(&self, values: &[f64], out: &mut [f64], scratch: &mut SeparableScratch) {
        let s = side(self.l);
        self.chain(values, self.n, &self.anal, s, out, scratch);
    }

    /// The adjoint of [`SeparablePlan::synthesize`]: grid values (`N^d`) to
    /// tensor-real coefficients (`(2 l0 + 1)^d`), `out = S^T v`.
    pub fn synthesize_adjoint(
        &self,
        values: &[f64],
        out: &mut [f64],
        scratch: &mut SeparableScratch,
    ) {
        let s0 = side(self.l0);
        self.chain(values, self.n, &self.synth_t, s0, out, scratch);
    }

    /// The adjoint of [`SeparablePlan::analyze`]: tensor (`(2 l + 1)^d`) to
    /// grid values (`N^d`), `out = An^T t`.
    pub fn analyze_adjoint(&self, tensor: &[f64], out: &mut [f64], scratch: &mut SeparableScratch) {
        let s = side(self.l);
        self.chain(tensor, s, &self.anal_t, self.n, out, scratch);
    }

    /// The real matrix `C` (`M x (2 l + 1)^d`, row-major) with
    /// `A_map f = C analyze(f)` for a cutoff `map.cutoff() <= l`.
    pub fn real_map_matrix(&self, map: &RealMap) -> Vec<f64> {
        let width = side(self.l).pow(self.d as u32);
        let m = map.len();
        let mut c = vec![0.0; m * width];
        let big = RealMap::new(self.d, self.l);
        let sq = std::f64::consts::SQRT_2;
        for &(i, f) in &self.to_half[0] {
            c[i] += f.re;
        }
        for (q, k) in map.half_set().iter().enumerate() {
            let p = 1 + big.half_index(k);
            for &(i, f) in &self.to_half[p] {
                c[(1 + 2 * q) * width + i] += sq * f.re;
                c[(2 + 2 * q) * width + i] += sq * f.im;
            }
        }
        c
    }

    /// Applies the same `to x from` matrix along every axis, last axis first.
    fn chain(
        &self,
        inp: &[f64],
        from: usize,
        mat: &[f64],
        to: usize,
        out: &mut [f64],
        scratch: &mut SeparableScratch,
    ) {
        let d = self.d;
        let total_out = to.pow(d as u32);
        assert_eq!(inp.len(), from.pow(d as u32));
        assert_eq!(out.len(), total_out);
        let mut dims = vec![from; d];
        if d == 1 {
            mode_product(inp, &dims, 0, mat, to, out);
            return;
        }
        let big = from.max(to).pow(d as u32);
        if scratch.a.len() < big {
            scratch.a.resize(big, 0.0);
            scratch.b.resize(big, 0.0);
        }
        // Ping-pong between the scratch buffers; the final step writes `out`.
        let mut src_is_input = true;
        let mut use_a = true;
        for axis in (0..d).rev() {
            let len_out = {
                let mut dd = dims.clone();
                dd[axis] = to;
                dd.iter().product::<usize>()
            };
            let in_len: usize = dims.iter().product();
            if axis == 0 {
                let src: &[f64] = if src_is_input {
                    inp
                } else if use_a {
                    &scratch.b[..in_len]
                } else {
                    &scratch.a[..in_len]
                };
                mode_product(src, &dims, axis, mat, to, out);
            } else {
                let (a, b) = (&mut scratch.a, &mut scratch.b);
                let (src, dst): (&[f64], &mut [f64]) = if src_is_input {
                    (inp, &mut a[..len_out])
                } else if use_a {
                    (&b[..in_len], &mut a[..len_out])
                } else {
                    (&a[..in_len], &mut b[..len_out])
                };
                mode_product(src, &dims, axis, mat, to, dst);
                src_is_input = false;
                use_a = !use_a;
            }
            dims[axis] = to;
        }
    }

    /// The half complex vector `[f^[0], f^[k] for k in S_K^+]` for `K = map.cutoff() <= l`
    /// from a tensor-real analysis `r` of degree `l`.
    pub fn tensor_to_half(&self, r: &[f64], map: &RealMap, out: &mut [Complex64]) {
        debug_assert!(map.cutoff() <= self.l);
        if map.cutoff() == self.l {
            for (o, terms) in out.iter_mut().zip(&self.to_half) {
                *o = terms.iter().map(|&(i, f)| f * r[i]).sum();
            }
        } else {
            // A smaller cutoff: pick the matching entries of the larger half set.
            let big = RealMap::new(self.d, self.l);
            out[0] = self.to_half[0].iter().map(|&(i, f)| f * r[i]).sum();
            for (q, k) in map.half_set().iter().enumerate() {
                let p = 1 + big.half_index(k);
                out[1 + q] = self.to_half[p].iter().map(|&(i, f)| f * r[i]).sum();
            }
        }
    }

    /// Real measurement vector `A_K` of grid values (`K = map.cutoff() <= l`).
    pub fn measure(
        &self,
        values: &[f64],
        map: &RealMap,
        tensor: &mut [f64],
        half: &mut [Complex64],
        out: &mut [f64],
        scratch: &mut SeparableScratch,
    ) {
        self.analyze(values, tensor, scratch);
        self.tensor_to_half(tensor, map, half);
        map.to_real(half, out);
    }
}

/// The transpose of a row-major `rows x cols` matrix.
fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut t = vec![0.0; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = a[i * cols + j];
        }
    }
    t
}

/// Per-axis basis function `j` of degree `l` at grid point `i` of `n`.
fn basis_value(j: usize, l: usize, i: usize, n: usize) -> f64 {
    let (is_sin, m) = basis_kind(j, l);
    // Reduce m*i mod n first so that the angle is computed accurately.
    let t = TAU * ((m * i) % n) as f64 / n as f64;
    if is_sin { t.sin() } else { t.cos() }
}

/// The terms expressing `f^[k]` (k in `{0} u S_l^+`) through the tensor-real
/// analysis: `f^[k] = sum over per-axis choices (cos, or sin when k_a != 0)
/// of R[choice, |k|] prod_{sin axes} (-i sign(k_a))`.
#[allow(clippy::needless_range_loop)] // per-axis index arithmetic over k and the mask
fn half_terms(d: usize, l: usize) -> Vec<Vec<(usize, Complex64)>> {
    let s = side(l);
    let half = FrequencySet::half(d, l);
    let zero = vec![0i64; d];
    std::iter::once(zero.as_slice())
        .chain(half.iter())
        .map(|k| {
            let mut terms = Vec::new();
            let nz: Vec<usize> = (0..d).filter(|&a| k[a] != 0).collect();
            for mask in 0..(1usize << nz.len()) {
                let mut idx = 0usize;
                let mut factor = Complex64::new(1.0, 0.0);
                for a in 0..d {
                    let m = k[a].unsigned_abs() as usize;
                    let is_sin = nz
                        .iter()
                        .position(|&b| b == a)
                        .is_some_and(|p| mask >> p & 1 == 1);
                    if is_sin {
                        factor *= Complex64::new(0.0, -(k[a].signum() as f64));
                    }
                    idx = idx * s + basis_index(is_sin, m, l);
                }
                terms.push((idx, factor));
            }
            terms
        })
        .collect()
}

#[cfg(test)]
#[path = "separable_tests.rs"]
mod tests;
