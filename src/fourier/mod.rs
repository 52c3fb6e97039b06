//! Frequencies and the real measurement map A_K (docs/theory.md section 1).
//!
//! Conventions:
//! - Fourier coefficients `f^[k] = \int_{T^d} f(x) exp(-2 pi i k.x) dx`.
//! - `S_K = { k in Z^d : |k|_inf <= K }`, listed in lexicographic order of
//!   `(k1, k2, ...)`.
//! - `k > 0` means "the first nonzero coordinate of k is positive"; the half
//!   set `S_K^+` lists those `k` in lexicographic order.
//! - The real vector (docs/theory.md 1, "Real coordinates") is
//!   `[ f^[0], sqrt2 Re f^[k], sqrt2 Im f^[k] for k in S_K^+ ]`,
//!   of length `M = (2K+1)^d`; its Euclidean norm equals the complex norm of
//!   `(f^[k])_{k in S_K}`.

pub mod aberth;
pub mod exact1d;
pub mod exact2d;
pub mod exact2d_jacobian;
pub mod exact2d_panels;
pub mod exact2d_row;
pub mod exact2d_rows;
pub mod fft;
pub mod separable;

use crate::error::{Error, Result};
use num_complex::Complex64;

/// A list of integer frequencies in `Z^d`, stored flat (`d` integers each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrequencySet {
    d: usize,
    flat: Vec<i64>,
}

impl FrequencySet {
    /// The full cube `S_K = {-K..K}^d` in lexicographic order.
    pub fn cube(d: usize, k: usize) -> Self {
        let side = 2 * k + 1;
        let count = side.pow(d as u32);
        let mut flat = Vec::with_capacity(count * d);
        for idx in 0..count {
            // Lexicographic order: the last coordinate varies fastest.
            let mut rem = idx;
            let start = flat.len();
            flat.resize(start + d, 0);
            for a in (0..d).rev() {
                flat[start + a] = (rem % side) as i64 - k as i64;
                rem /= side;
            }
        }
        FrequencySet { d, flat }
    }

    /// The half set `{k in S_K : k > 0}` in lexicographic order. For
    /// `K = K0` this is `Omega+` of docs/theory.md 2.
    pub fn half(d: usize, k: usize) -> Self {
        let cube = Self::cube(d, k);
        let flat = cube
            .iter()
            .filter(|f| is_positive(f))
            .flat_map(|f| f.iter().copied())
            .collect();
        FrequencySet { d, flat }
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Number of frequencies.
    pub fn len(&self) -> usize {
        self.flat.len().checked_div(self.d).unwrap_or(0)
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.flat.is_empty()
    }

    /// The `i`-th frequency.
    pub fn get(&self, i: usize) -> &[i64] {
        &self.flat[i * self.d..(i + 1) * self.d]
    }

    /// Iterates over the frequencies in order.
    pub fn iter(&self) -> impl Iterator<Item = &[i64]> {
        self.flat.chunks_exact(self.d.max(1))
    }
}

/// "k > 0": the first nonzero coordinate of `k` is positive.
pub fn is_positive(k: &[i64]) -> bool {
    k.iter().find(|&&c| c != 0).is_some_and(|&c| c > 0)
}

/// The number of real measurements `M = (2K+1)^d`.
pub fn measurement_count(d: usize, k: usize) -> usize {
    (2 * k + 1).pow(d as u32)
}

/// The real map `A_K` between complex Fourier coefficients on `S_K` and the
/// real vector of docs/theory.md 1.
#[derive(Debug, Clone)]
pub struct RealMap {
    d: usize,
    k: usize,
    half: FrequencySet,
}

impl RealMap {
    /// The map for dimension `d` and cutoff `K`.
    pub fn new(d: usize, k: usize) -> Self {
        RealMap {
            d,
            k,
            half: FrequencySet::half(d, k),
        }
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// The cutoff `K`.
    pub fn cutoff(&self) -> usize {
        self.k
    }

    /// `M = (2K+1)^d`, the length of the real vector.
    pub fn len(&self) -> usize {
        1 + 2 * self.half.len()
    }

    /// Never true: the real vector holds at least `f^[0]`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The half set `S_K^+` in canonical order.
    pub fn half_set(&self) -> &FrequencySet {
        &self.half
    }

    /// The real vector from the "half" complex vector
    /// `[f^[0], f^[k] for k in S_K^+]` (length `1 + |S_K^+|`).
    /// Only the real part of `f^[0]` is kept (f is real).
    pub fn to_real(&self, half: &[Complex64], out: &mut [f64]) {
        debug_assert_eq!(half.len(), 1 + self.half.len());
        debug_assert_eq!(out.len(), self.len());
        let s = std::f64::consts::SQRT_2;
        out[0] = half[0].re;
        for (i, c) in half[1..].iter().enumerate() {
            out[1 + 2 * i] = s * c.re;
            out[2 + 2 * i] = s * c.im;
        }
    }

    /// The inverse of [`RealMap::to_real`]: the half complex vector.
    pub fn to_half(&self, real: &[f64]) -> Vec<Complex64> {
        let r = std::f64::consts::FRAC_1_SQRT_2;
        let mut out = Vec::with_capacity(1 + self.half.len());
        out.push(Complex64::new(real[0], 0.0));
        for i in 0..self.half.len() {
            out.push(Complex64::new(r * real[1 + 2 * i], r * real[2 + 2 * i]));
        }
        out
    }

    /// The complex coefficients on all of `S_K` (lexicographic order) from
    /// the real vector, using Hermitian symmetry `f^[-k] = conj f^[k]`.
    pub fn to_complex(&self, real: &[f64]) -> Result<Vec<(Vec<i64>, Complex64)>> {
        if real.len() != self.len() {
            return Err(Error::DimensionMismatch {
                what: "real measurement vector".into(),
                expected: self.len(),
                got: real.len(),
            });
        }
        let half = self.to_half(real);
        let cube = FrequencySet::cube(self.d, self.k);
        let mut out = Vec::with_capacity(cube.len());
        for f in cube.iter() {
            let c = if f.iter().all(|&x| x == 0) {
                half[0]
            } else if is_positive(f) {
                half[1 + self.half_index(f)]
            } else {
                let neg: Vec<i64> = f.iter().map(|x| -x).collect();
                half[1 + self.half_index(&neg)].conj()
            };
            out.push((f.to_vec(), c));
        }
        Ok(out)
    }

    /// The position of a positive frequency in the half set.
    ///
    /// # Panics
    /// If `k` is not in `S_K^+` (an internal error, never user data).
    pub fn half_index(&self, k: &[i64]) -> usize {
        // Position in the cube minus the number of non-positive entries
        // before it: the cube index of k is c, and exactly (|cube|-1)/2 + 1
        // entries (the negative ones and zero) precede the first positive.
        let side = 2 * self.k as i64 + 1;
        let mut c: i64 = 0;
        for &x in k {
            assert!(x.abs() <= self.k as i64, "frequency out of range");
            c = c * side + (x + self.k as i64);
        }
        let n = side.pow(self.d as u32);
        let first_positive = (n - 1) / 2 + 1;
        assert!(c >= first_positive, "frequency is not positive");
        (c - first_positive) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_set_order_matches_theory_example() {
        // docs/theory.md 1: for d = 2, K = 1 the half set is (0,1),(1,-1),(1,0),(1,1).
        let h = FrequencySet::half(2, 1);
        let got: Vec<Vec<i64>> = h.iter().map(|k| k.to_vec()).collect();
        assert_eq!(got, vec![vec![0, 1], vec![1, -1], vec![1, 0], vec![1, 1]]);
    }

    #[test]
    fn half_set_is_the_positive_half_of_the_cube() {
        for d in 1..=3 {
            for k in 1..=3 {
                let cube = FrequencySet::cube(d, k);
                let half = FrequencySet::half(d, k);
                assert_eq!(cube.len(), measurement_count(d, k));
                assert_eq!(2 * half.len() + 1, cube.len());
                let map = RealMap::new(d, k);
                for (i, f) in half.iter().enumerate() {
                    assert_eq!(map.half_index(f), i);
                }
            }
        }
    }
}
