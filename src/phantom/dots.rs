//! The dot phantom (docs/theory.md 8, Figure 3): round dots, each a
//! rectified trigonometric polynomial of degree K0 = 1,
//! `h sigma(b + alpha (cos 2 pi (x1 - c1) + cos 2 pi (x2 - c2))) / (b + 2 alpha)`,
//! so the phantom is exactly a shallow INR of width `count` on the torus and
//! its Fourier coefficients are the exact 2-D measurements of its units.
//!
//! A dot of radius `r` and height `h` centred at `c`: `alpha = 1`,
//! `b = 2 pi^2 r^2 - 2`, outer weight `h / (2 pi^2 r^2)`. Its support
//! `{cos 2 pi (x1-c1) + cos 2 pi (x2-c2) > 2 - 2 pi^2 r^2}` is, to leading
//! order in `r`, the disc of radius `r` around `c` (and `b < 0` needs
//! `r < 1/pi`).

use crate::error::{Error, Result};
use crate::inr::features::Features;
use crate::inr::network::{ShallowInr, Unit};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::f64::consts::{PI, TAU};

/// Largest dot radius (the support must stay a bump: `b < 0`).
pub const MAX_RADIUS: f64 = 0.3;
/// Most dots.
pub const MAX_DOTS: usize = 10_000;

/// Settings of the dot phantom (seeded).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DotSettings {
    /// Number of dots.
    pub count: usize,
    /// Smallest radius.
    pub radius_min: f64,
    /// Largest radius.
    pub radius_max: f64,
    /// Smallest peak height.
    pub height_min: f64,
    /// Largest peak height.
    pub height_max: f64,
    /// Seed of centres, radii and heights.
    pub seed: u64,
}

impl Default for DotSettings {
    fn default() -> Self {
        DotSettings {
            count: 8,
            radius_min: 0.04,
            radius_max: 0.10,
            height_min: 0.5,
            height_max: 1.0,
            seed: 0,
        }
    }
}

/// One dot, as drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dot {
    /// Centre on the torus `[0, 1)^2`.
    pub center: [f64; 2],
    /// Radius.
    pub radius: f64,
    /// Peak height.
    pub height: f64,
}

impl DotSettings {
    /// Checks every setting, naming its flag.
    pub fn validate(&self) -> Result<()> {
        if self.count == 0 || self.count > MAX_DOTS {
            return Err(Error::setting(
                "dots",
                self.count,
                format!("between 1 and {MAX_DOTS}"),
            ));
        }
        let range = |lo_name: &'static str, lo: f64, hi: f64, max: f64| -> Result<()> {
            if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi && hi <= max) {
                return Err(Error::setting(
                    lo_name,
                    format!("{lo}..{hi}"),
                    format!("need 0 < min <= max <= {max}"),
                ));
            }
            Ok(())
        };
        range("dot-radius", self.radius_min, self.radius_max, MAX_RADIUS)?;
        range("dot-height", self.height_min, self.height_max, 1e6)
    }

    /// The dots (deterministic in the seed).
    pub fn dots(&self) -> Result<Vec<Dot>> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut out = Vec::with_capacity(self.count);
        for _ in 0..self.count {
            let center = [rng.random::<f64>(), rng.random::<f64>()];
            let u: f64 = rng.random();
            let v: f64 = rng.random();
            out.push(Dot {
                center,
                radius: self.radius_min + u * (self.radius_max - self.radius_min),
                height: self.height_min + v * (self.height_max - self.height_min),
            });
        }
        Ok(out)
    }
}

/// The dots as a shallow INR (d = 2, K0 = 1).
pub fn dots_inr(dots: &[Dot]) -> ShallowInr {
    let features = Features::new(2, 1);
    let units = dots
        .iter()
        .map(|dot| {
            let s = 2.0 * PI * PI * dot.radius * dot.radius;
            let mut w = vec![0.0; features.dim()];
            w[0] = s - 2.0;
            for (i, k) in features.omega_plus().iter().enumerate() {
                let axis = match k {
                    [1, 0] => 0,
                    [0, 1] => 1,
                    _ => continue,
                };
                // cos 2 pi (x - c) = cos(2 pi c) cos 2 pi x + sin(2 pi c) sin 2 pi x.
                let (sn, cs) = (TAU * dot.center[axis]).sin_cos();
                w[1 + 2 * i] = cs;
                w[2 + 2 * i] = sn;
            }
            Unit {
                a: dot.height / s,
                w,
            }
        })
        .collect();
    ShallowInr { d: 2, k0: 1, units }
}
