//! Pictures of phantoms on an `R x R` pixel grid of the torus (docs/theory.md
//! 8, Figure 3): pixel `(i, j)` is the square `[i/R, (i+1)/R) x [j/R, (j+1)/R)`
//! (row `i` goes with `x1`, drawn top to bottom), sampled at its centre
//! (or averaged over `s x s` sub-pixel centres); the zero-filled inverse FFT
//! `sum_{|k|_inf <= K} f^[k] exp(2 pi i k.x)` at the same centres (rustfft).

use super::spectrum::Cube;
use crate::error::{Error, Result};
use num_complex::Complex64;
use rayon::prelude::*;
use rustfft::FftPlanner;
use std::f64::consts::PI;
use std::path::Path;

/// Largest picture side.
pub const MAX_RESOLUTION: usize = 8192;
/// Largest number of sub-pixel samples per axis.
pub const MAX_SUPERSAMPLE: usize = 16;

/// An `R x R` picture, row-major (row = `x1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Side `R`.
    pub side: usize,
    /// `R^2` values.
    pub values: Vec<f64>,
}

impl Picture {
    /// Smallest and largest value.
    pub fn range(&self) -> (f64, f64) {
        self.values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// Mean squared difference to `other` (same side).
    pub fn mse(&self, other: &Picture) -> f64 {
        let n = self.values.len() as f64;
        self.values
            .iter()
            .zip(&other.values)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / n
    }

    /// PSNR in dB against `truth`, with the peak `max |truth|`.
    pub fn psnr(&self, truth: &Picture) -> f64 {
        let peak = truth.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
        10.0 * (peak * peak / self.mse(truth)).log10()
    }
}

/// Checks `--resolution` and `--supersample`.
pub fn check_sizes(resolution: usize, supersample: usize) -> Result<()> {
    if resolution == 0 || resolution > MAX_RESOLUTION {
        return Err(Error::setting(
            "resolution",
            resolution,
            format!("between 1 and {MAX_RESOLUTION}"),
        ));
    }
    if supersample == 0 || supersample > MAX_SUPERSAMPLE {
        return Err(Error::setting(
            "supersample",
            supersample,
            format!("between 1 and {MAX_SUPERSAMPLE}"),
        ));
    }
    crate::limits::check_memory(
        "resolution",
        resolution as u128,
        crate::limits::f64_bytes(&[(resolution * resolution) as u128, 4]),
        "the pictures",
    )
}

/// Samples `f` (a function of the torus point) on the pixel grid: the mean
/// of `supersample^2` sub-pixel centres (1: the pixel centre).
pub fn raster<F: Fn([f64; 2]) -> f64 + Sync>(
    resolution: usize,
    supersample: usize,
    f: F,
) -> Result<Picture> {
    check_sizes(resolution, supersample)?;
    let (r, s) = (resolution as f64, supersample as f64);
    let values = (0..resolution * resolution)
        .into_par_iter()
        .map(|p| {
            let (i, j) = ((p / resolution) as f64, (p % resolution) as f64);
            let mut sum = 0.0;
            for a in 0..supersample {
                for b in 0..supersample {
                    let x1 = (i + (a as f64 + 0.5) / s) / r;
                    let x2 = (j + (b as f64 + 0.5) / s) / r;
                    sum += f([x1, x2]);
                }
            }
            sum / (s * s)
        })
        .collect();
    Ok(Picture {
        side: resolution,
        values,
    })
}

/// The zero-filled inverse FFT of `cube` (our convention, torus origin) at
/// the pixel centres; needs `R >= 2K + 1` so that no two frequencies alias.
pub fn zero_filled(cube: &Cube, resolution: usize) -> Result<Picture> {
    check_sizes(resolution, 1)?;
    let k = cube.k as i64;
    if resolution < 2 * cube.k + 1 {
        return Err(Error::setting(
            "resolution",
            resolution,
            format!(
                "must be at least 2K + 1 = {} for the zero-filled inverse FFT",
                2 * cube.k + 1
            ),
        ));
    }
    let n = resolution;
    let mut grid = vec![Complex64::new(0.0, 0.0); n * n];
    // Pixel centres x = (m + 1/2)/R: the half-pixel shift is a phase per k.
    for k1 in -k..=k {
        for k2 in -k..=k {
            let phase = Complex64::from_polar(1.0, PI * (k1 + k2) as f64 / n as f64);
            let (i, j) = (
                k1.rem_euclid(n as i64) as usize,
                k2.rem_euclid(n as i64) as usize,
            );
            grid[i * n + j] = cube.get(k1, k2) * phase;
        }
    }
    let fft = FftPlanner::new().plan_fft_inverse(n);
    grid.par_chunks_mut(n).for_each(|row| fft.process(row));
    let mut t = vec![Complex64::new(0.0, 0.0); n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = grid[i * n + j];
        }
    }
    t.par_chunks_mut(n).for_each(|col| fft.process(col));
    let mut values = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            values[i * n + j] = t[j * n + i].re;
        }
    }
    Ok(Picture { side: n, values })
}

/// Writes the picture as CSV (`R` rows of `R` numbers, row = `x1`), atomically.
pub fn write_csv(path: &Path, pic: &Picture) -> Result<()> {
    crate::output::write_atomic(path, |w| {
        let mut wr = csv::WriterBuilder::new().has_headers(false).from_writer(w);
        for row in pic.values.chunks(pic.side) {
            wr.write_record(row.iter().map(|v| format!("{v:e}")))?;
        }
        wr.flush()?;
        Ok(())
    })
}

/// Writes the picture as a grey PNG, `lo` black and `hi` white (clamped),
/// atomically.
pub fn write_png(path: &Path, pic: &Picture, lo: f64, hi: f64) -> Result<()> {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let rgb: Vec<u8> = pic
        .values
        .iter()
        .flat_map(|&v| {
            let g = (((v - lo) / span).clamp(0.0, 1.0) * 255.0).round() as u8;
            [g, g, g]
        })
        .collect();
    crate::output::png::write_rgb_png(path, &rgb, pic.side as u32, pic.side as u32)
}
