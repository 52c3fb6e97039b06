//! # inrsamp: sampling theory of implicit neural representations
//!
//! An image `f` on the torus `T^d = [0,1)^d` is known only through its
//! low-pass Fourier coefficients `y = (f^[k])_{|k|_inf <= K}`. We fit a
//! single-hidden-layer ReLU network with integer Fourier features,
//!
//! ```text
//! f_theta(x) = sum_j a_j sigma(w_j . gamma(x)),   sigma(t) = max(t, 0),
//! gamma(x)   = (1, cos 2 pi k.x, sin 2 pi k.x)_{k in Omega+},  |k|_inf <= K0,
//! ```
//!
//! under generalized weight decay `R_psi = 1/2 sum_j (a_j^2 + psi(w_j)^2)`,
//! and ask when the fit recovers `f` exactly. The mathematical spec is
//! `docs/theory.md` (in the repository); each module cites the section it implements.
//!
//! ## Conventions
//! - Fourier sign: `f^[k] = \int f(x) exp(-2 pi i k.x) dx` (unnormalized on
//!   the unit torus, so `f^[0]` is the mean).
//! - Real coordinates: `A_K f = [f^[0], sqrt2 Re f^[k], sqrt2 Im f^[k]]_{k > 0}`
//!   with `k > 0` meaning "first nonzero coordinate positive"; its length is
//!   `M = (2K+1)^d` and its norm is the complex norm over `S_K`.
//! - Half-set order: lexicographic in `(k1, k2, ...)`; each `k` contributes Re
//!   then Im (measurements), cos then sin (features, weights `w`).
//! - Quadrature grid: `x_n = n/N` per axis, coefficients scaled by `1/N^d`.
//!
//! ## The pipeline
//! ```text
//! ProblemSpec -> measurements (fourier, inr) -> sphere grid -> Dictionary
//! ```
//! [`spec`] validates the problem; [`fourier`] holds frequency sets, the real
//! map, the separable partial DFT, the FFT twin and exact 1-D coefficients;
//! [`inr`] holds features, unit measurements and Jacobians, the weightings
//! `psi` and networks; [`measurement`] measures a network with an error
//! estimate; [`sphere`] grids directions; [`dictionary`] builds the weighted
//! dictionary of the discretized convex problem; [`output`] writes files
//! atomically.
//!
//! ## Library use (the README's snippet; a doctest keeps it compiling)
//! ```
//! # fn main() -> inrsamp::error::Result<()> {
//! use inrsamp::{SpecInput, measurement::measure, inr::network::ShallowInr};
//! let spec = SpecInput { d: Some(2), k0: Some(1), k: Some(3), ..Default::default() }.build()?;
//! let teacher = ShallowInr::random(2, 1, 3, 42)?;
//! let m = measure(&spec, &teacher)?;          // m.y, m.method, m.error_estimate
//! # assert_eq!(m.y.len(), 49);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

pub mod agreement;
pub mod certify;
pub mod cli;
pub mod convex;
pub mod dictionary;
pub mod error;
pub mod experiment;
pub mod fourier;
pub mod inr;
pub mod limits;
pub mod measurement;
pub mod numeric;
pub mod output;
pub mod phantom;
pub mod spec;
pub mod sphere;
pub mod superres;
pub mod train;

pub use error::{Error, Result};
pub use spec::{ProblemSpec, SpecInput};
