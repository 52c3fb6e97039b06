//! Integer Fourier features and pre-activations (docs/theory.md 2).
//!
//! `gamma(x) = (1, cos 2 pi k.x, sin 2 pi k.x for k in Omega+)`, a vector of
//! length `D = (2K0+1)^d`, `Omega+` in the canonical half-set order, each `k`
//! giving its cos, then its sin entry. The pre-activation of inner weight `w`
//! is `g_w(x) = w . gamma(x)`, a real trigonometric polynomial of degree
//! `<= K0` per coordinate; its complex coefficients are
//! `g^[0] = w_0`, `g^[k] = (w_cos,k - i w_sin,k)/2`, `g^[-k] = conj g^[k]`.

use crate::fourier::FrequencySet;
use crate::fourier::separable::{basis_kind, side};
use num_complex::Complex64;
use std::f64::consts::TAU;

/// The feature map for dimension `d` and degree `K0`.
#[derive(Debug, Clone)]
pub struct Features {
    d: usize,
    k0: usize,
    omega: FrequencySet,
    /// `D x D` row-major: tensor-real coefficients `B = L w` (see
    /// [`crate::fourier::separable`]).
    to_tensor: Vec<f64>,
}

impl Features {
    /// Features of degree `k0` in dimension `d`.
    pub fn new(d: usize, k0: usize) -> Self {
        let omega = FrequencySet::half(d, k0);
        let dim = 1 + 2 * omega.len();
        let mut f = Features {
            d,
            k0,
            omega,
            to_tensor: Vec::new(),
        };
        let mut l = vec![0.0; dim * dim];
        let mut e = vec![0.0; dim];
        for i in 0..dim {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[i] = 1.0;
            let col = f.complex_to_tensor(&f.w_to_complex(&e));
            for (j, v) in col.iter().enumerate() {
                l[j * dim + i] = *v;
            }
        }
        f.to_tensor = l;
        f
    }

    /// The dimension `d` of the torus.
    pub fn dim_x(&self) -> usize {
        self.d
    }

    /// The feature degree `K0`.
    pub fn degree(&self) -> usize {
        self.k0
    }

    /// `D = (2K0+1)^d`, the length of `gamma(x)` and of `w`.
    pub fn dim(&self) -> usize {
        1 + 2 * self.omega.len()
    }

    /// `Omega+`.
    pub fn omega_plus(&self) -> &FrequencySet {
        &self.omega
    }

    /// `gamma(x)` into `out` (length `D`).
    pub fn gamma(&self, x: &[f64], out: &mut [f64]) {
        out[0] = 1.0;
        for (i, k) in self.omega.iter().enumerate() {
            let t = TAU * k.iter().zip(x).map(|(&a, &b)| a as f64 * b).sum::<f64>();
            out[1 + 2 * i] = t.cos();
            out[2 + 2 * i] = t.sin();
        }
    }

    /// `g_w(x) = w . gamma(x)`, evaluated directly (the slow twin of the
    /// separable synthesis).
    pub fn g(&self, w: &[f64], x: &[f64]) -> f64 {
        let mut gam = vec![0.0; self.dim()];
        self.gamma(x, &mut gam);
        w.iter().zip(&gam).map(|(a, b)| a * b).sum()
    }

    /// Complex coefficients of `g_w` on the full cube `S_K0` in
    /// lexicographic order (dense, `(2K0+1)^d` entries).
    pub fn w_to_complex(&self, w: &[f64]) -> Vec<Complex64> {
        let n = side(self.k0).pow(self.d as u32);
        let mut out = vec![Complex64::new(0.0, 0.0); n];
        let center = (n - 1) / 2;
        out[center] = Complex64::new(w[0], 0.0);
        for (i, k) in self.omega.iter().enumerate() {
            let c = Complex64::new(w[1 + 2 * i], -w[2 + 2 * i]) * 0.5;
            let p = self.cube_index(k);
            out[p] = c;
            out[n - 1 - p] = c.conj();
        }
        out
    }

    /// The inverse of [`Features::w_to_complex`]: `w_0 = Re g^[0]`,
    /// `w_cos = 2 Re g^[k]`, `w_sin = -2 Im g^[k]` (Hermitian input assumed).
    pub fn complex_to_w(&self, c: &[Complex64]) -> Vec<f64> {
        let n = c.len();
        let mut w = vec![0.0; self.dim()];
        w[0] = c[(n - 1) / 2].re;
        for (i, k) in self.omega.iter().enumerate() {
            let z = c[self.cube_index(k)];
            w[1 + 2 * i] = 2.0 * z.re;
            w[2 + 2 * i] = -2.0 * z.im;
        }
        w
    }

    /// Tensor-real coefficients `B = L w` of `g_w`.
    pub fn w_to_tensor(&self, w: &[f64], out: &mut [f64]) {
        let dim = self.dim();
        for (j, o) in out.iter_mut().enumerate().take(dim) {
            *o = self.to_tensor[j * dim..(j + 1) * dim]
                .iter()
                .zip(w)
                .map(|(a, b)| a * b)
                .sum();
        }
    }

    /// The matrix `L` (`D x D`, row-major) of [`Features::w_to_tensor`].
    pub fn tensor_matrix(&self) -> &[f64] {
        &self.to_tensor
    }

    /// Position of `k` in the cube `S_K0` (lexicographic).
    fn cube_index(&self, k: &[i64]) -> usize {
        let s = side(self.k0) as i64;
        k.iter().fold(0i64, |acc, &c| acc * s + c + self.k0 as i64) as usize
    }

    /// Tensor-real coefficients from complex ones on the cube:
    /// `B[choice, m] = Re sum_{|k| = m} g^[k] prod_{sin axes} (i sign k_a)`.
    fn complex_to_tensor(&self, c: &[Complex64]) -> Vec<f64> {
        let s = side(self.k0);
        let d = self.d;
        let n = s.pow(d as u32);
        let mut out = vec![0.0; n];
        for (t, o) in out.iter_mut().enumerate() {
            // Decode the per-axis basis indices of tensor entry t.
            let mut js = vec![0usize; d];
            let mut rem = t;
            for a in (0..d).rev() {
                js[a] = rem % s;
                rem /= s;
            }
            let kinds: Vec<(bool, usize)> = js.iter().map(|&j| basis_kind(j, self.k0)).collect();
            if kinds.iter().any(|&(is_sin, m)| is_sin && m == 0) {
                continue;
            }
            let nz: Vec<usize> = (0..d).filter(|&a| kinds[a].1 != 0).collect();
            let mut acc = Complex64::new(0.0, 0.0);
            for mask in 0..(1usize << nz.len()) {
                let mut k = vec![0i64; d];
                let mut factor = Complex64::new(1.0, 0.0);
                for a in 0..d {
                    let (is_sin, m) = kinds[a];
                    let sign = match nz.iter().position(|&b| b == a) {
                        Some(p) if mask >> p & 1 == 1 => -1i64,
                        _ => 1,
                    };
                    k[a] = sign * m as i64;
                    if is_sin {
                        factor *= Complex64::new(0.0, sign as f64);
                    }
                }
                acc += c[self.cube_index(&k)] * factor;
            }
            *o = acc.re;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fourier::separable::{SeparablePlan, SeparableScratch};

    fn pseudo_random(n: usize, seed: u64) -> Vec<f64> {
        (0..n)
            .map(|i| ((i as f64 + 1.0) * (seed as f64 + 0.618)).sin() * 1.7)
            .collect()
    }

    #[test]
    fn dimension_is_2k0_plus_1_to_the_d() {
        for d in 1..=3 {
            for k0 in 1..=3 {
                assert_eq!(Features::new(d, k0).dim(), (2 * k0 + 1).pow(d as u32));
            }
        }
    }

    #[test]
    fn w_complex_round_trip_and_values_agree() {
        for d in 1..=3 {
            for k0 in 1..=2 {
                let f = Features::new(d, k0);
                let w = pseudo_random(f.dim(), (d * 10 + k0) as u64);
                let c = f.w_to_complex(&w);
                let back = f.complex_to_w(&c);
                for (a, b) in w.iter().zip(&back) {
                    assert!((a - b).abs() < 1e-14);
                }
                // g from the complex coefficients equals w . gamma.
                let x: Vec<f64> = (0..d).map(|a| 0.123 + 0.31 * a as f64).collect();
                let cube = FrequencySet::cube(d, k0);
                let from_c: Complex64 = cube
                    .iter()
                    .zip(&c)
                    .map(|(k, z)| {
                        let t = TAU * k.iter().zip(&x).map(|(&a, &b)| a as f64 * b).sum::<f64>();
                        z * Complex64::from_polar(1.0, t)
                    })
                    .sum();
                assert!(from_c.im.abs() < 1e-13);
                assert!((from_c.re - f.g(&w, &x)).abs() < 1e-13);
            }
        }
    }

    #[test]
    fn separable_synthesis_matches_direct_evaluation() {
        for d in 1..=3 {
            let k0 = 2;
            let n = if d == 3 { 6 } else { 9 };
            let f = Features::new(d, k0);
            let w = pseudo_random(f.dim(), d as u64);
            let plan = SeparablePlan::new(d, n, k0, 3);
            let mut b = vec![0.0; f.dim()];
            f.w_to_tensor(&w, &mut b);
            let mut vals = vec![0.0; plan.grid_len()];
            plan.synthesize(&b, &mut vals, &mut SeparableScratch::default());
            for (idx, v) in vals.iter().enumerate() {
                let mut x = vec![0.0; d];
                let mut rem = idx;
                for a in (0..d).rev() {
                    x[a] = (rem % n) as f64 / n as f64;
                    rem /= n;
                }
                assert!((v - f.g(&w, &x)).abs() < 1e-12, "d={d} idx={idx}");
            }
        }
    }
}
