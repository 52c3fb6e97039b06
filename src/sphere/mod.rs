//! Grids of directions on the unit sphere `S^(D-1)` of inner weights
//! (docs/theory.md 5, "Grid w_1..w_N on S^{D-1}").
//!
//! - D = 3: a Fibonacci (golden-spiral) lattice, rotated by a seeded random
//!   rotation;
//! - any D: a Kronecker (R-sequence) design in `[0,1)^{2 ceil(D/2)}` with a
//!   seeded shift, mapped to Gaussian pairs by Box-Muller and normalized.
//!
//! Both are deterministic functions of `(n, D, seed)`.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, Matrix3, Vector3};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;
use std::f64::consts::TAU;

/// Which design produced a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Golden-spiral lattice (D = 3).
    Fibonacci,
    /// Kronecker sequence mapped to the sphere (any D).
    Kronecker,
}

/// Directions on `S^(D-1)`, row-major (`len x dim`).
#[derive(Debug, Clone, Serialize)]
pub struct SphereGrid {
    /// The ambient dimension D.
    pub dim: usize,
    /// The design used.
    pub design: Design,
    /// The seed used.
    pub seed: u64,
    /// `len * dim` coordinates, one unit vector per row.
    pub points: Vec<f64>,
}

/// Largest number of grid coordinates accepted: points times the feature
/// dimension D (so at most 16 666 666 points for D = 3, 5 555 555 for D = 9).
pub const MAX_POINTS: usize = 50_000_000;

impl SphereGrid {
    /// The default design for `dim`: Fibonacci for D = 3, Kronecker otherwise.
    pub fn new(dim: usize, n: usize, seed: u64) -> Result<Self> {
        if dim == 3 {
            Self::fibonacci(n, seed)
        } else {
            Self::kronecker(dim, n, seed)
        }
    }

    fn check(dim: usize, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::setting(
                "grid-points",
                n,
                "the sphere grid needs at least one point",
            ));
        }
        if n.saturating_mul(dim) > MAX_POINTS {
            return Err(Error::setting(
                "grid-points",
                n,
                format!(
                    "{n} points of dimension D = {dim} are {} coordinates, more than the limit {MAX_POINTS} (at most {} points here)",
                    n.saturating_mul(dim),
                    MAX_POINTS / dim.max(1)
                ),
            ));
        }
        if dim < 2 {
            return Err(Error::setting(
                "D",
                dim,
                "the sphere needs dimension at least 2",
            ));
        }
        Ok(())
    }

    /// The Fibonacci lattice on `S^2`, rotated by a seeded random rotation.
    pub fn fibonacci(n: usize, seed: u64) -> Result<Self> {
        Self::check(3, n)?;
        let rot = random_rotation3(seed);
        let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
        let mut points = Vec::with_capacity(3 * n);
        for i in 0..n {
            let z = 1.0 - (2.0 * i as f64 + 1.0) / n as f64;
            let r = (1.0 - z * z).max(0.0).sqrt();
            let phi = golden * i as f64;
            let p = rot * Vector3::new(r * phi.cos(), r * phi.sin(), z);
            points.extend_from_slice(&[p.x, p.y, p.z]);
        }
        Ok(SphereGrid {
            dim: 3,
            design: Design::Fibonacci,
            seed,
            points,
        })
    }

    /// A Kronecker design on `S^(dim-1)`.
    pub fn kronecker(dim: usize, n: usize, seed: u64) -> Result<Self> {
        Self::check(dim, n)?;
        let pairs = dim.div_ceil(2);
        let u_dim = 2 * pairs;
        // Generalized golden ratio: the root > 1 of x^(u_dim+1) = x + 1.
        let mut phi = 2.0f64;
        for _ in 0..64 {
            phi = (1.0 + phi).powf(1.0 / (u_dim as f64 + 1.0));
        }
        let alpha: Vec<f64> = (1..=u_dim)
            .map(|j| (1.0 / phi.powi(j as i32)).fract())
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let shift: Vec<f64> = (0..u_dim).map(|_| rng.random::<f64>()).collect();
        let mut points = Vec::with_capacity(dim * n);
        let mut g = vec![0.0; u_dim];
        for i in 0..n {
            for p in 0..pairs {
                let u1 = (shift[2 * p] + (i + 1) as f64 * alpha[2 * p])
                    .fract()
                    .max(1e-300);
                let u2 = (shift[2 * p + 1] + (i + 1) as f64 * alpha[2 * p + 1]).fract();
                let r = (-2.0 * u1.ln()).sqrt();
                g[2 * p] = r * (TAU * u2).cos();
                g[2 * p + 1] = r * (TAU * u2).sin();
            }
            let norm = g[..dim].iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                points.extend(g[..dim].iter().map(|v| v / norm));
            } else {
                // Measure-zero event: fall back to a coordinate axis.
                points.extend((0..dim).map(|a| if a == 0 { 1.0 } else { 0.0 }));
            }
        }
        Ok(SphereGrid {
            dim,
            design: Design::Kronecker,
            seed,
            points,
        })
    }

    /// Number of directions.
    pub fn len(&self) -> usize {
        self.points.len() / self.dim
    }

    /// True when there are no directions.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The `i`-th direction.
    pub fn point(&self, i: usize) -> &[f64] {
        &self.points[i * self.dim..(i + 1) * self.dim]
    }

    /// Appends directions (normalized here); used to add a teacher's
    /// directions or refinement points.
    pub fn push(&mut self, w: &[f64]) -> Result<()> {
        if w.len() != self.dim {
            return Err(Error::DimensionMismatch {
                what: "direction".into(),
                expected: self.dim,
                got: w.len(),
            });
        }
        let norm = crate::numeric::norm2(w);
        if !(norm.is_finite() && norm > 0.0) {
            return Err(Error::NotFinite {
                what: "norm of a direction".into(),
                value: norm,
            });
        }
        self.points.extend(w.iter().map(|v| v / norm));
        Ok(())
    }
}

/// A random rotation of R^3 (Haar measure) from a seed: QR of a Gaussian
/// matrix with the sign of R's diagonal fixed.
fn random_rotation3(seed: u64) -> Matrix3<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_F1B0);
    let m = DMatrix::from_fn(3, 3, |_, _| rng.sample::<f64, _>(StandardNormal));
    let qr = m.qr();
    let (q, r) = (qr.q(), qr.r());
    let mut out = Matrix3::zeros();
    for j in 0..3 {
        let s = if r[(j, j)] < 0.0 { -1.0 } else { 1.0 };
        for i in 0..3 {
            out[(i, j)] = q[(i, j)] * s;
        }
    }
    if out.determinant() < 0.0 {
        for i in 0..3 {
            out[(i, 0)] = -out[(i, 0)];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covering_radius(grid: &SphereGrid, probes: &SphereGrid) -> f64 {
        (0..probes.len())
            .map(|i| {
                let p = probes.point(i);
                (0..grid.len())
                    .map(|j| p.iter().zip(grid.point(j)).map(|(a, b)| a * b).sum::<f64>())
                    .fold(-1.0, f64::max)
                    .clamp(-1.0, 1.0)
                    .acos()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn points_are_unit_and_reproducible() {
        for dim in [2, 3, 5, 9] {
            let a = SphereGrid::new(dim, 200, 7).unwrap();
            let b = SphereGrid::new(dim, 200, 7).unwrap();
            let c = SphereGrid::new(dim, 200, 8).unwrap();
            assert_eq!(a.points, b.points);
            assert_ne!(a.points, c.points);
            for i in 0..a.len() {
                let n: f64 = a.point(i).iter().map(|v| v * v).sum();
                assert!((n - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn fibonacci_covers_the_sphere_evenly() {
        // An equal-area cell of n points has radius 2/sqrt(n); a good lattice
        // covers within about 1.2 times that (random points need about
        // sqrt(log n) times more). Quadrupling n must about halve it.
        let probes = SphereGrid::kronecker(3, 3000, 99).unwrap();
        let r1 = covering_radius(&SphereGrid::fibonacci(500, 1).unwrap(), &probes);
        let r2 = covering_radius(&SphereGrid::fibonacci(2000, 1).unwrap(), &probes);
        assert!(r1 < 2.6 / (500f64).sqrt(), "r1 = {r1}");
        assert!(r2 < 0.6 * r1, "r1 = {r1}, r2 = {r2}");
    }

    #[test]
    fn kronecker_mean_is_near_zero() {
        // A uniform design on the sphere has mean close to 0.
        let g = SphereGrid::kronecker(9, 20_000, 3).unwrap();
        for a in 0..9 {
            let m: f64 = (0..g.len()).map(|i| g.point(i)[a]).sum::<f64>() / g.len() as f64;
            assert!(m.abs() < 0.01, "axis {a}: mean {m}");
        }
    }

    #[test]
    fn zero_points_is_an_error() {
        assert!(SphereGrid::new(3, 0, 1).is_err());
    }
}
