//! The problem specification: dimension, feature degree, sampling cutoff,
//! weighting and quadrature (docs/theory.md 1-3), validated into typed errors.

use crate::error::{Error, Result};
use crate::inr::psi::PsiKind;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest supported torus dimension.
pub const MAX_D: usize = 3;
/// Largest feature dimension `D = (2K0+1)^d` accepted.
pub const MAX_FEATURE_DIM: usize = 4096;
/// Largest number of real measurements `M = (2K+1)^d` accepted.
pub const MAX_MEASUREMENTS: usize = 1 << 20;
/// Largest number of quadrature grid points `N^d` accepted.
pub const MAX_GRID_POINTS: usize = 1 << 24;

/// How the Fourier coefficients of units are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuadratureSettings {
    /// Grid points per axis; `None`: chosen by doubling from a small grid
    /// until the estimate `|y_N - y_2N| <= tol |y_2N|` (or `n_max`).
    pub n: Option<usize>,
    /// Exact 1-D coefficients (root finding) instead of quadrature.
    pub exact: bool,
    /// Relative tolerance of the automatic choice of `N` (default 1e-6).
    pub tol: f64,
    /// Largest `N` the automatic choice may take (default by d: 2^20, 2048, 128).
    pub n_max: usize,
}

/// Default relative tolerance of the automatic quadrature choice.
pub const DEFAULT_QUAD_TOL: f64 = 1e-6;

/// Default largest automatic grid size per axis, by dimension.
pub fn default_n_max(d: usize) -> usize {
    match d {
        1 => 1 << 20,
        2 => 2048,
        _ => 128,
    }
}

/// Default fixed grid per axis where one `N` must serve many units (the
/// dictionary): 4096 in d = 1, 64 in d = 2, 32 in d = 3.
pub fn default_dictionary_n(d: usize) -> usize {
    match d {
        1 => 4096,
        2 => 64,
        _ => 32,
    }
}

/// A validated problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemSpec {
    /// Torus dimension d (1, 2 or 3).
    pub d: usize,
    /// Feature degree K0 >= 1.
    pub k0: usize,
    /// Sampling cutoff K >= 1: measurements on S_K.
    pub k: usize,
    /// The weighting.
    pub psi: PsiKind,
    /// Quadrature settings.
    pub quadrature: QuadratureSettings,
    /// Base seed of everything random.
    pub seed: u64,
}

impl ProblemSpec {
    /// Feature dimension `D = (2K0+1)^d`.
    pub fn feature_dim(&self) -> usize {
        (2 * self.k0 + 1).pow(self.d as u32)
    }

    /// Number of real measurements `M = (2K+1)^d`.
    pub fn measurement_count(&self) -> usize {
        (2 * self.k + 1).pow(self.d as u32)
    }

    /// The largest cutoff that any transform of this problem must resolve:
    /// `max(K, K')`.
    pub fn max_cutoff(&self) -> usize {
        match self.psi {
            PsiKind::Mod { k_prime } => self.k.max(k_prime),
            _ => self.k,
        }
    }

    /// The smallest admissible grid per axis: `N > 2 max(K, K', K0)`.
    pub fn min_grid(&self) -> usize {
        2 * self.max_cutoff().max(self.k0) + 1
    }

    /// Bytes a grid quadrature on `n` points per axis allocates: the
    /// separable synthesis and analysis matrices (and their transposes),
    /// and per worker thread the grid values and the coefficient tensor.
    pub fn grid_bytes(&self, n: usize) -> u128 {
        let n = n as u128;
        let s0 = 2 * self.k0 as u128 + 1;
        let s = 2 * self.max_cutoff() as u128 + 1;
        let d = self.d as u32;
        let threads = rayon::current_num_threads() as u128;
        let matrices = 2u128.saturating_mul(n.saturating_mul(s0 + s));
        let per_thread = 4u128
            .saturating_mul(n.saturating_pow(d))
            .saturating_add(2u128.saturating_mul(s.saturating_pow(d)));
        crate::limits::f64_bytes(&[matrices.saturating_add(per_thread.saturating_mul(threads))])
    }

    /// Checks a grid size per axis against this problem.
    pub fn check_grid(&self, field: &'static str, n: usize) -> Result<()> {
        if n < self.min_grid() {
            return Err(Error::setting(
                field,
                n,
                format!(
                    "the grid must have more than 2 max(K, K', K0) = {} points per axis to resolve the measured frequencies",
                    self.min_grid() - 1
                ),
            ));
        }
        let total = (n as u128).pow(self.d as u32);
        if total > MAX_GRID_POINTS as u128 {
            return Err(Error::setting(
                field,
                n,
                format!(
                    "{n}^{} = {total} grid points exceeds the limit {MAX_GRID_POINTS}",
                    self.d
                ),
            ));
        }
        crate::limits::check_memory(
            field,
            n,
            self.grid_bytes(n),
            &format!("a quadrature grid of {n} points per axis"),
        )
    }
}

/// The unvalidated settings, as read from flags or a TOML file (same names).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecInput {
    /// Torus dimension.
    pub d: Option<i64>,
    /// Feature degree.
    pub k0: Option<i64>,
    /// Sampling cutoff (default 2*k0).
    pub k: Option<i64>,
    /// `std`, `mod` or `pre` (default `mod`).
    pub psi: Option<String>,
    /// K' of psi_mod (default k).
    pub psi_k: Option<i64>,
    /// Grid points per axis.
    pub quad: Option<i64>,
    /// Relative tolerance of the automatic grid choice.
    pub quad_tol: Option<f64>,
    /// Exact 1-D coefficients.
    pub exact: Option<bool>,
    /// Base seed.
    pub seed: Option<u64>,
}

impl SpecInput {
    /// Reads a TOML file with the same keys as the flags.
    pub fn from_toml_file(path: &Path) -> Result<Self> {
        let text = crate::limits::read_text(path, crate::limits::MAX_SMALL_FILE)?;
        toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.display().to_string(),
            reason: e.to_string().replace('\n', " ").trim().to_string(),
        })
    }

    /// Fills every unset field of `self` from `other` (flags over config).
    pub fn or(self, other: SpecInput) -> SpecInput {
        SpecInput {
            d: self.d.or(other.d),
            k0: self.k0.or(other.k0),
            k: self.k.or(other.k),
            psi: self.psi.or(other.psi),
            psi_k: self.psi_k.or(other.psi_k),
            quad: self.quad.or(other.quad),
            quad_tol: self.quad_tol.or(other.quad_tol),
            exact: self.exact.or(other.exact),
            seed: self.seed.or(other.seed),
        }
    }

    /// Validates into a [`ProblemSpec`], applying the documented defaults:
    /// d = 1, k0 = 1, k = 2*k0, psi = mod, psi_k = k, automatic quadrature,
    /// seed = 0.
    pub fn build(self) -> Result<ProblemSpec> {
        let d = positive(
            "d",
            self.d.unwrap_or(1),
            "the torus dimension must be 1, 2 or 3",
        )?;
        if d > MAX_D {
            return Err(Error::setting(
                "d",
                d,
                "the torus dimension must be 1, 2 or 3",
            ));
        }
        let k0 = positive(
            "k0",
            self.k0.unwrap_or(1),
            "the feature degree must be at least 1",
        )?;
        if (2 * k0 as u128 + 1).pow(d as u32) > MAX_FEATURE_DIM as u128 {
            return Err(Error::setting(
                "k0",
                k0,
                format!("the feature dimension (2 k0 + 1)^d exceeds the limit {MAX_FEATURE_DIM}"),
            ));
        }
        let k = positive(
            "k",
            self.k.unwrap_or(2 * k0 as i64),
            "the sampling cutoff must be at least 1",
        )?;
        if (2 * k as u128 + 1).pow(d as u32) > MAX_MEASUREMENTS as u128 {
            return Err(Error::setting(
                "k",
                k,
                format!("the number of measurements (2k+1)^d exceeds the limit {MAX_MEASUREMENTS}"),
            ));
        }
        let psi_name = self.psi.unwrap_or_else(|| "mod".into());
        let psi = match psi_name.as_str() {
            "std" => {
                reject_psi_k(&self.psi_k, &psi_name)?;
                PsiKind::Std
            }
            "pre" => {
                reject_psi_k(&self.psi_k, &psi_name)?;
                PsiKind::Pre
            }
            "mod" => {
                let kp = positive(
                    "psi-k",
                    self.psi_k.unwrap_or(k as i64),
                    "the cutoff K' of psi_mod must be at least 1",
                )?;
                if (2 * kp as u128 + 1).pow(d as u32) > MAX_MEASUREMENTS as u128 {
                    return Err(Error::setting(
                        "psi-k",
                        kp,
                        "(2 psi-k + 1)^d exceeds the measurement limit",
                    ));
                }
                PsiKind::Mod { k_prime: kp }
            }
            other => {
                return Err(Error::setting(
                    "psi",
                    other,
                    "the weighting must be one of std, mod, pre",
                ));
            }
        };
        let tol = self.quad_tol.unwrap_or(DEFAULT_QUAD_TOL);
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::setting(
                "quad-tol",
                tol,
                "the quadrature tolerance must be a positive number",
            ));
        }
        let exact = self.exact.unwrap_or(false);
        if exact && d > 2 {
            return Err(Error::setting(
                "exact",
                "true",
                format!(
                    "exact coefficients exist for d = 1 and d = 2, any K0 (here d = {d}, K0 = {k0})"
                ),
            ));
        }
        let n = match self.quad {
            None => None,
            Some(q) => Some(positive(
                "quad",
                q,
                "the number of grid points per axis must be positive",
            )?),
        };
        let spec = ProblemSpec {
            d,
            k0,
            k,
            psi,
            quadrature: QuadratureSettings {
                n,
                exact,
                tol,
                n_max: default_n_max(d),
            },
            seed: self.seed.unwrap_or(0),
        };
        match n {
            Some(n) => spec.check_grid("quad", n)?,
            None if !exact => {
                // The automatic choice starts with N and 2N.
                let n0 = 2 * crate::measurement::auto_start(&spec);
                crate::limits::check_memory(
                    "k",
                    k,
                    spec.grid_bytes(n0),
                    &format!(
                        "the automatic quadrature (its first grids of {} and {n0} points per axis)",
                        n0 / 2
                    ),
                )?;
            }
            None => {}
        }
        Ok(spec)
    }
}

fn positive(field: &'static str, v: i64, reason: &str) -> Result<usize> {
    if v < 1 {
        return Err(Error::setting(field, v, reason));
    }
    usize::try_from(v).map_err(|_| Error::setting(field, v, reason))
}

fn reject_psi_k(psi_k: &Option<i64>, psi: &str) -> Result<()> {
    match psi_k {
        Some(v) => Err(Error::setting(
            "psi-k",
            v,
            format!("psi-k applies only to psi = mod (here psi = {psi})"),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let s = SpecInput::default().build().unwrap();
        assert_eq!((s.d, s.k0, s.k), (1, 1, 2));
        assert_eq!(s.psi, PsiKind::Mod { k_prime: 2 });
    }

    #[test]
    fn k0_zero_is_named() {
        let e = SpecInput {
            k0: Some(0),
            ..Default::default()
        }
        .build()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "k0 = 0: the feature degree must be at least 1"
        );
    }

    #[test]
    fn bad_values_are_rejected() {
        let cases = [
            SpecInput {
                d: Some(4),
                ..Default::default()
            },
            SpecInput {
                k: Some(-3),
                ..Default::default()
            },
            SpecInput {
                psi: Some("l1".into()),
                ..Default::default()
            },
            SpecInput {
                psi: Some("std".into()),
                psi_k: Some(3),
                ..Default::default()
            },
            SpecInput {
                quad: Some(3),
                k: Some(5),
                ..Default::default()
            },
            SpecInput {
                d: Some(3),
                k0: Some(2),
                exact: Some(true),
                ..Default::default()
            },
            SpecInput {
                d: Some(3),
                exact: Some(true),
                ..Default::default()
            },
            SpecInput {
                quad_tol: Some(f64::NAN),
                ..Default::default()
            },
            SpecInput {
                d: Some(2),
                k: Some(100_000),
                ..Default::default()
            },
        ];
        for c in cases {
            assert!(c.clone().build().is_err(), "{c:?} was accepted");
        }
        // Exact columns exist in d = 2 for every K0.
        let ok = SpecInput {
            d: Some(2),
            k0: Some(2),
            exact: Some(true),
            ..Default::default()
        };
        assert!(ok.build().is_ok());
    }
}
