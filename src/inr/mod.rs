//! The INR: Fourier features, units and their measurements, weightings,
//! networks (THEORY.md 2, 3, 7).

pub mod features;
pub mod network;
pub mod psi;
pub mod unit;
