//! One phantom run as the library offers it (docs/theory.md 8, Figure 3):
//! the exact coefficients, the ground-truth picture, the zero-filled
//! inverse FFT and a typed report with the baseline's error.

use super::image::{Picture, raster, zero_filled};
use super::spectrum::Cube;
use super::{Phantom, dots::Dot};
use crate::error::Result;
use serde::Serialize;
use std::time::Instant;

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PhantomRequest {
    /// Cutoff `K`: coefficients on `|k|_inf <= K`.
    pub k: usize,
    /// Picture side `R`.
    pub resolution: usize,
    /// Sub-pixel samples per axis of the ground truth (1: pixel centres).
    pub supersample: usize,
}

/// What was computed, with the figures a user cites.
#[derive(Debug, Clone, Serialize)]
pub struct PhantomReport {
    /// The phantom's name (or file).
    pub name: String,
    /// The cutoff `K`.
    pub k: usize,
    /// Number of real measurements `(2K+1)^2`.
    pub m: usize,
    /// `f^[0]`, the mean intensity over the unit square.
    pub mean: f64,
    /// How the coefficients were computed.
    pub method: &'static str,
    /// Seconds spent on the coefficients.
    pub coefficient_seconds: f64,
    /// Picture side.
    pub resolution: usize,
    /// How the ground truth was sampled.
    pub sampling: String,
    /// Smallest and largest ground-truth pixel (the grey scale of the PNGs).
    pub truth_range: [f64; 2],
    /// Mean squared error of the zero-filled inverse FFT against the ground truth.
    pub zero_filled_mse: f64,
    /// Its PSNR in dB (peak: the largest |ground truth|).
    pub zero_filled_psnr_db: f64,
    /// The dots of the dot phantom.
    pub dots: Option<Vec<Dot>>,
}

/// Everything one run produces.
#[derive(Debug, Clone)]
pub struct PhantomOutput {
    /// The exact coefficients (our convention).
    pub cube: Cube,
    /// The ground truth.
    pub truth: Picture,
    /// The zero-filled inverse FFT.
    pub zero_filled: Picture,
    /// The report.
    pub report: PhantomReport,
}

/// Computes the coefficients and both pictures of `phantom`.
pub fn make(
    phantom: &Phantom,
    name: &str,
    dots: Option<Vec<Dot>>,
    req: PhantomRequest,
) -> Result<PhantomOutput> {
    super::image::check_sizes(req.resolution, req.supersample)?;
    let t = Instant::now();
    let cube = phantom.coefficients(req.k)?;
    let coefficient_seconds = t.elapsed().as_secs_f64();
    let zf = zero_filled(&cube, req.resolution)?;
    let truth = raster(req.resolution, req.supersample, phantom.sampler())?;
    let (lo, hi) = truth.range();
    let method = match phantom {
        Phantom::Regions { .. } => {
            "closed form (ellipses: J1; polygons: edges), contour Gauss-Legendre (Bezier)"
        }
        Phantom::Inr { .. } => "exact 2-D measurements of the dots' units",
    };
    let sampling = if req.supersample == 1 {
        "point samples at pixel centres".to_string()
    } else {
        format!("mean of {0} x {0} sub-pixel point samples", req.supersample)
    };
    let report = PhantomReport {
        name: name.to_string(),
        k: req.k,
        m: (2 * req.k + 1).pow(2),
        mean: cube.get(0, 0).re,
        method,
        coefficient_seconds,
        resolution: req.resolution,
        sampling,
        truth_range: [lo, hi],
        zero_filled_mse: zf.mse(&truth),
        zero_filled_psnr_db: zf.psnr(&truth),
        dots,
    };
    Ok(PhantomOutput {
        cube,
        truth,
        zero_filled: zf,
        report,
    })
}
