//! The certificate's trigonometric polynomial and the thin-bump limit of
//! `eta` (docs/theory.md 9).
//!
//! `p_lambda(x) = <lambda, A_K delta_x>` is the real trigonometric polynomial
//! of degree K that `lambda` encodes; `eta(w) = integral p_lambda
//! sigma(g_w) / psi(w)`. As `g_w` shrinks to a thin bump at `x*`,
//! `sigma(g_w) / integral sigma(g_w)` tends to the Dirac mass at `x*`, and for
//! `psi_mod` with cutoff `K'` the ratio `eta(w)` tends to `p_lambda(x*) /
//! sqrt(M')`, `M' = (2K'+1)^d`. The supremum of `|eta|` over the sphere
//! (its closure) therefore includes `sup_x |p_lambda(x)| / sqrt(M')`.
//!
//! The supremum of `|p|` is bounded rigorously from samples on an `N^d` grid
//! by Bernstein's inequality: every `x` is within `1/(2N)` of a sample in
//! each coordinate and `|d p / d x_i| <= 2 pi K |p|_inf`, so
//! `|p|_inf <= max_samples / (1 - d pi K / N)`.

use crate::fourier::RealMap;
use num_complex::Complex64;
use serde::Serialize;
use std::f64::consts::TAU;

/// `p_lambda` of one `lambda`.
#[derive(Debug, Clone)]
pub struct TrigPoly {
    map: RealMap,
    lambda: Vec<f64>,
}

impl TrigPoly {
    /// The polynomial of `lambda` for the map `A_K` (`lambda.len() == M`).
    pub fn new(map: RealMap, lambda: &[f64]) -> Self {
        TrigPoly {
            map,
            lambda: lambda.to_vec(),
        }
    }

    /// `p_lambda(x)`.
    pub fn value(&self, x: &[f64]) -> f64 {
        super::limit_points::dirac_column(&self.map, x)
            .iter()
            .zip(&self.lambda)
            .map(|(a, b)| a * b)
            .sum()
    }

    /// The degree K.
    pub fn degree(&self) -> usize {
        self.map.cutoff()
    }
}

/// `p_lambda` sampled on a regular grid with a rigorous bound of its sup.
#[derive(Debug, Clone, Serialize)]
pub struct PolySamples {
    /// Points per axis.
    pub n: usize,
    /// `|p(x_i)|` on the `n^d` grid `x = i/n` (row-major, last axis fastest).
    #[serde(skip)]
    pub abs_values: Vec<f64>,
    /// `max_i |p(x_i)|`.
    pub max_sampled: f64,
    /// `max_sampled / (1 - d pi K / n)`: a bound of `sup |p|`.
    pub sup_bound: f64,
    /// Where the largest sample is.
    pub argmax: Vec<f64>,
}

/// `|p|` on the `n^d` grid, separably for d <= 2: with `c_k = sqrt 2
/// (lambda_re,k + i lambda_im,k)`, `p(x) = lambda_0 + Re sum_{k in S_K^+} c_k
/// e^{2 pi i k.x}`; in d = 2 the sum over `k1` is done once per row, so the
/// cost is `n^2 (2K+1)` complex products and no trigonometric call per point.
fn abs_values_on_grid(p: &TrigPoly, n: usize) -> Vec<f64> {
    use rayon::prelude::*;
    let d = p.map.dim();
    let roots: Vec<Complex64> = (0..n)
        .map(|m| Complex64::from_polar(1.0, TAU * m as f64 / n as f64))
        .collect();
    let e = |k: i64, i: usize| roots[((k * i as i64).rem_euclid(n as i64)) as usize];
    let half = p.map.half_set();
    let coef: Vec<(Vec<i64>, Complex64)> = half
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let c =
                Complex64::new(p.lambda[1 + 2 * i], p.lambda[2 + 2 * i]) * std::f64::consts::SQRT_2;
            (k.to_vec(), c)
        })
        .collect();
    let l0 = p.lambda[0];
    match d {
        1 => (0..n)
            .into_par_iter()
            .map(|i| {
                let v: Complex64 = coef.iter().map(|(k, c)| c * e(k[0], i)).sum();
                (l0 + v.re).abs()
            })
            .collect(),
        2 => {
            let kk = p.map.cutoff() as i64;
            let side = (2 * kk + 1) as usize;
            (0..n)
                .into_par_iter()
                .flat_map_iter(|i| {
                    let mut b = vec![Complex64::new(0.0, 0.0); side];
                    for (k, c) in &coef {
                        b[(k[1] + kk) as usize] += c * e(k[0], i);
                    }
                    (0..n).map(move |j| {
                        let v: Complex64 = b
                            .iter()
                            .enumerate()
                            .map(|(q, bq)| bq * e(q as i64 - kk, j))
                            .sum();
                        (l0 + v.re).abs()
                    })
                })
                .collect()
        }
        _ => (0..n.pow(d as u32))
            .into_par_iter()
            .map(|i| p.value(&grid_point(i, n, d)).abs())
            .collect(),
    }
}

/// Samples `|p|` on an `n^d` grid (n > d pi K; rayon over rows).
pub fn sample(p: &TrigPoly, n: usize) -> PolySamples {
    let d = p.map.dim();
    let abs_values = abs_values_on_grid(p, n);
    let (imax, max_sampled) = abs_values
        .iter()
        .enumerate()
        .fold((0, 0.0f64), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
    let ratio = d as f64 * std::f64::consts::PI * p.degree() as f64 / n as f64;
    let sup_bound = if ratio < 1.0 {
        max_sampled / (1.0 - ratio)
    } else {
        f64::INFINITY
    };
    PolySamples {
        n,
        abs_values,
        max_sampled,
        sup_bound,
        argmax: grid_point(imax, n, d),
    }
}

fn grid_point(i: usize, n: usize, d: usize) -> Vec<f64> {
    let mut x = vec![0.0; d];
    let mut r = i;
    for a in (0..d).rev() {
        x[a] = (r % n) as f64 / n as f64;
        r /= n;
    }
    x
}

impl PolySamples {
    /// A bound of `max |p|` over the arc `[c - a, c + a]` of the circle
    /// (d = 1): the largest sample within `a + 1/(2n)` of `c`, plus
    /// `pi K / n` times the bound of `sup |p|` (Bernstein).
    pub fn arc_bound(&self, c: f64, a: f64, degree: usize) -> f64 {
        let n = self.n as f64;
        if 2.0 * a + 1.0 / n >= 1.0 {
            return self.sup_bound;
        }
        let lo = ((c - a) * n - 0.5).floor() as i64;
        let hi = ((c + a) * n + 0.5).ceil() as i64;
        let m = self.n as i64;
        let best = (lo..=hi)
            .map(|i| self.abs_values[i.rem_euclid(m) as usize])
            .fold(0.0f64, f64::max);
        best + std::f64::consts::PI * degree as f64 / n * self.sup_bound
    }
}

/// The thin-bump limit of `|eta|` for `psi_mod` with cutoff `k_prime`:
/// `(estimate, bound)` of `sup_x |p_lambda(x)| / sqrt(M')`.
pub fn thin_bump_limit(samples: &PolySamples, d: usize, k_prime: usize) -> (f64, f64) {
    let mp = ((2 * k_prime + 1) as f64).powi(d as i32).sqrt();
    (samples.max_sampled / mp, samples.sup_bound / mp)
}

/// Points per axis used to sample `p_lambda`: `4096 pi K` clamped to
/// `[4096, 2^16]` in d = 1 (the Bernstein factor `1 / (1 - pi K / n)` is then
/// at most `1 + 2.5e-4`), `128 pi K` clamped to `[256, 1024]` otherwise.
pub fn default_samples(d: usize, k: usize) -> usize {
    let pk = std::f64::consts::PI * (d * k) as f64;
    match d {
        1 => ((4096.0 * pk) as usize).clamp(4096, 1 << 16),
        _ => ((64.0 * pk) as usize).clamp(256, 1024),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poly_matches_the_measurement_of_a_dirac() {
        // p(x) = <lambda, A_K delta_x>; with lambda = A_K delta_y, p(y) = M.
        let map = RealMap::new(1, 3);
        let y = 0.3137;
        let mut half = vec![Complex64::new(1.0, 0.0)];
        for k in map.half_set().iter() {
            let t = TAU * k[0] as f64 * y;
            half.push(Complex64::new(t.cos(), -t.sin()));
        }
        let mut lam = vec![0.0; map.len()];
        map.to_real(&half, &mut lam);
        let p = TrigPoly::new(map, &lam);
        assert!((p.value(&[y]) - 7.0).abs() < 1e-12);
        // Dirichlet kernel: p(y + t) = sin(7 pi t) / sin(pi t).
        let t = 0.05f64;
        let dk = (7.0 * std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t).sin();
        assert!((p.value(&[y + t]) - dk).abs() < 1e-12);
        let s = sample(&p, 4096);
        assert!(s.sup_bound >= 7.0 && s.sup_bound < 7.0 * 1.01);
    }

    #[test]
    fn poly_matches_the_product_dirichlet_kernel_in_2d() {
        // lambda = A_K delta_y from one sine and cosine per frequency; then
        // p(y + t) = D_K(t1) D_K(t2), D_K(s) = sin((2K+1) pi s) / sin(pi s).
        let k = 5usize;
        let map = RealMap::new(2, k);
        let y = [0.3137, 0.8212];
        let mut half = vec![Complex64::new(1.0, 0.0)];
        for kk in map.half_set().iter() {
            let t = TAU * (kk[0] as f64 * y[0] + kk[1] as f64 * y[1]);
            half.push(Complex64::new(t.cos(), -t.sin()));
        }
        let mut lam = vec![0.0; map.len()];
        map.to_real(&half, &mut lam);
        let p = TrigPoly::new(map, &lam);
        let pi = std::f64::consts::PI;
        let dk = |s: f64| ((2 * k + 1) as f64 * pi * s).sin() / (pi * s).sin();
        for t in [[0.05, -0.13], [0.41, 0.007], [-0.29, 0.33]] {
            let want = dk(t[0]) * dk(t[1]);
            let got = p.value(&[y[0] + t[0], y[1] + t[1]]);
            assert!((got - want).abs() < 1e-12, "{t:?}: {got} vs {want}");
        }
        assert!((p.value(&y) - 121.0).abs() < 1e-12);
    }

    #[test]
    fn separable_samples_match_pointwise_values() {
        for (d, k) in [(1usize, 3usize), (2, 2), (2, 3)] {
            let map = RealMap::new(d, k);
            let lam: Vec<f64> = (0..map.len()).map(|i| ((i as f64) * 1.37).sin()).collect();
            let p = TrigPoly::new(map, &lam);
            let n = 32;
            let s = sample(&p, n);
            for i in (0..n.pow(d as u32)).step_by(7) {
                let v = p.value(&grid_point(i, n, d)).abs();
                assert!((s.abs_values[i] - v).abs() < 1e-12, "d={d} i={i}");
            }
        }
    }
}
