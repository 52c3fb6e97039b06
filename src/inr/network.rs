//! Shallow INRs `f_theta(x) = sum_j a_j sigma(g_{w_j}(x))` (docs/theory.md 2),
//! used as teachers: random, from flags, or from a JSON file
//! `{"d":2,"k0":1,"units":[{"a":1.0,"w":[...]}]}`.

use crate::error::{Error, Result, check_finite};
use crate::inr::features::Features;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One unit `a sigma(g_w)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Outer weight.
    pub a: f64,
    /// Inner weight (length D).
    pub w: Vec<f64>,
}

/// A shallow INR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShallowInr {
    /// Torus dimension.
    pub d: usize,
    /// Feature degree.
    pub k0: usize,
    /// The units.
    pub units: Vec<Unit>,
}

/// Largest teacher width accepted.
pub const MAX_WIDTH: usize = 100_000;

impl ShallowInr {
    /// A random teacher (docs/theory.md 8): `w_j` standard normal then normalized
    /// to the unit sphere, `a_j` of random sign and magnitude uniform in
    /// `[0.5, 1.5]`. Deterministic in `seed`.
    pub fn random(d: usize, k0: usize, width: usize, seed: u64) -> Result<Self> {
        if width == 0 || width > MAX_WIDTH {
            return Err(Error::setting(
                "width",
                width,
                format!("the teacher width must be between 1 and {MAX_WIDTH}"),
            ));
        }
        let dim = (2 * k0 + 1).pow(d as u32);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut units = Vec::with_capacity(width);
        while units.len() < width {
            let w: Vec<f64> = (0..dim)
                .map(|_| rng.sample::<f64, _>(StandardNormal))
                .collect();
            let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let mag = 0.5 + rng.random::<f64>();
            if norm > 0.0 {
                units.push(Unit {
                    a: sign * mag,
                    w: w.iter().map(|v| v / norm).collect(),
                });
            }
        }
        Ok(ShallowInr { d, k0, units })
    }

    /// One unit with `a = 1`.
    pub fn single(d: usize, k0: usize, w: Vec<f64>) -> Self {
        ShallowInr {
            d,
            k0,
            units: vec![Unit { a: 1.0, w }],
        }
    }

    /// Reads a teacher file.
    pub fn from_json_file(path: &Path) -> Result<Self> {
        let text = crate::limits::read_text(path, crate::limits::MAX_SMALL_FILE)?;
        serde_json::from_str(&text).map_err(|e| Error::Parse {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Checks the teacher against a problem's `d` and `K0`: matching sizes,
    /// finite numbers, at least one unit.
    pub fn validate(&self, d: usize, k0: usize) -> Result<()> {
        if self.d != d {
            return Err(Error::setting(
                "teacher d",
                self.d,
                format!("the problem has d = {d}"),
            ));
        }
        if self.k0 != k0 {
            return Err(Error::setting(
                "teacher k0",
                self.k0,
                format!("the problem has k0 = {k0}"),
            ));
        }
        if self.units.is_empty() {
            return Err(Error::setting(
                "teacher units",
                0,
                "the teacher needs at least one unit",
            ));
        }
        let dim = (2 * k0 + 1).pow(d as u32);
        for (j, u) in self.units.iter().enumerate() {
            if u.w.len() != dim {
                return Err(Error::DimensionMismatch {
                    what: format!("teacher unit {j}: length of w (D = (2 k0 + 1)^d)"),
                    expected: dim,
                    got: u.w.len(),
                });
            }
            check_finite(&format!("teacher unit {j}: w"), &u.w)?;
            check_finite(&format!("teacher unit {j}: a"), &[u.a])?;
        }
        Ok(())
    }

    /// `f_theta` on the `n^d` grid `x = k/n` (last axis fastest), by the
    /// separable synthesis of each pre-activation.
    pub fn grid_values(&self, n: usize) -> Vec<f64> {
        let features = Features::new(self.d, self.k0);
        let plan = crate::fourier::separable::SeparablePlan::new(self.d, n, self.k0, 0);
        let mut out = vec![0.0; plan.grid_len()];
        let mut vals = vec![0.0; plan.grid_len()];
        let mut coef = vec![0.0; features.dim()];
        let mut scratch = crate::fourier::separable::SeparableScratch::default();
        for u in &self.units {
            features.w_to_tensor(&u.w, &mut coef);
            plan.synthesize(&coef, &mut vals, &mut scratch);
            out.iter_mut()
                .zip(&vals)
                .for_each(|(o, v)| *o += u.a * v.max(0.0));
        }
        out
    }

    /// The balanced cost `sum_j |a_j| psi(w_j)` (docs/theory.md 3).
    pub fn cost(&self, psi: &crate::inr::psi::Psi) -> crate::error::Result<f64> {
        let mut total = 0.0;
        for u in &self.units {
            total += u.a.abs() * psi.value(&u.w)?;
        }
        Ok(total)
    }

    /// `f_theta(x)`.
    pub fn eval(&self, features: &Features, x: &[f64]) -> f64 {
        self.units
            .iter()
            .map(|u| u.a * features.g(&u.w, x).max(0.0))
            .sum()
    }
}
