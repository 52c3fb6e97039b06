//! The INR: Fourier features, units and their measurements, weightings,
//! networks (docs/theory.md 2, 3, 7).

pub mod features;
pub mod network;
pub mod psi;
pub mod unit;
