//! Grid quadrature by a full FFT (rustfft): the slow, obvious twin of
//! [`super::separable`], used in tests and benchmarks.
//!
//! `f^[k] ~ N^-d sum_n f(n/N) exp(-2 pi i k.n/N)` (docs/theory.md 7), read off
//! the d-dimensional DFT at index `k mod N`.

use super::RealMap;
use num_complex::Complex64;
use rustfft::FftPlanner;

/// The d-dimensional forward DFT of real grid values (`N^d`, last axis
/// fastest), unnormalized.
pub fn fft_nd(values: &[f64], d: usize, n: usize) -> Vec<Complex64> {
    let mut data: Vec<Complex64> = values.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    let mut planner = FftPlanner::new();
    let fft = planner.plan_fft_forward(n);
    let mut line = vec![Complex64::new(0.0, 0.0); n];
    for axis in 0..d {
        let stride = n.pow((d - 1 - axis) as u32);
        let outer = data.len() / (n * stride);
        for o in 0..outer {
            for s in 0..stride {
                let base = o * n * stride + s;
                for (i, l) in line.iter_mut().enumerate() {
                    *l = data[base + i * stride];
                }
                fft.process(&mut line);
                for (i, l) in line.iter().enumerate() {
                    data[base + i * stride] = *l;
                }
            }
        }
    }
    data
}

/// The real measurement vector `A_K` of grid values by a full FFT.
pub fn measure_fft(values: &[f64], d: usize, n: usize, map: &RealMap) -> Vec<f64> {
    let spectrum = fft_nd(values, d, n);
    let scale = 1.0 / (n as f64).powi(d as i32);
    let at = |k: &[i64]| -> Complex64 {
        let mut idx = 0usize;
        for &c in k {
            idx = idx * n + c.rem_euclid(n as i64) as usize;
        }
        spectrum[idx] * scale
    };
    let zero = vec![0i64; d];
    let half: Vec<Complex64> = std::iter::once(at(&zero))
        .chain(map.half_set().iter().map(at))
        .collect();
    let mut out = vec![0.0; map.len()];
    map.to_real(&half, &mut out);
    out
}
