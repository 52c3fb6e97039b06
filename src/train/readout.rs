//! Read-out of a trained shallow INR (docs/theory.md 3, "Balancing"): rescale each
//! unit to the balanced form (`w <- s w`, `a <- a/s` with `s^2 = |a|/psi(w)`,
//! which leaves `f` unchanged and minimizes `1/2 (a^2 + psi(w)^2)` to
//! `|a| psi(w)`), report the balanced cost `sum |a_j| psi(w_j)`, the active
//! units, and the units as atoms of a measure on the sphere
//! (`c_j = a_j |w_j|` at `w_j / |w_j|`), for comparison with (11).

use crate::convex::atoms::{Atom, AtomSettings, atoms};
use crate::error::Result;
use crate::inr::network::{ShallowInr, Unit};
use crate::inr::psi::Psi;
use serde::Serialize;

/// A unit is active when `|a_j| psi(w_j) > ACTIVE_REL * (balanced cost)`.
pub const ACTIVE_REL: f64 = 1e-4;

/// The balanced network and its numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Balanced {
    /// The balanced network (all units).
    pub network: ShallowInr,
    /// `sum_j |a_j| psi(w_j)`.
    pub cost: f64,
    /// `R_psi` before balancing.
    pub regularizer_before: f64,
    /// Number of active units.
    pub active_units: usize,
    /// The active units as merged atoms (mass-weighted directions).
    pub atoms: Vec<Atom>,
}

/// Balances `theta = [a (W), w (W x D)]`.
pub fn balance(d: usize, k0: usize, dim: usize, theta: &[f64], psi: &Psi) -> Result<Balanced> {
    let width = theta.len() / (1 + dim);
    let mut units = Vec::with_capacity(width);
    let mut cost = 0.0;
    let mut reg = 0.0;
    let mut contrib = Vec::with_capacity(width);
    for j in 0..width {
        let a = theta[j];
        let w = &theta[width + j * dim..width + (j + 1) * dim];
        let p = psi.value(w)?;
        reg += 0.5 * (a * a + p * p);
        let (a_b, w_b) = if p > 0.0 && a != 0.0 {
            let s = (a.abs() / p).sqrt();
            (a / s, w.iter().map(|v| v * s).collect())
        } else {
            (a, w.to_vec())
        };
        cost += a.abs() * p;
        contrib.push(a.abs() * p);
        units.push(Unit { a: a_b, w: w_b });
    }
    let active: Vec<usize> = (0..width)
        .filter(|&j| contrib[j] > ACTIVE_REL * cost && cost > 0.0)
        .collect();
    // Atoms: c = a |w| at w/|w| for the active units, merged.
    let mut c = Vec::with_capacity(active.len());
    let mut dirs = Vec::with_capacity(active.len() * dim);
    for &j in &active {
        let u = &units[j];
        let n = u.w.iter().map(|v| v * v).sum::<f64>().sqrt();
        c.push(u.a * n);
        dirs.extend(u.w.iter().map(|v| v / n));
    }
    let mut at = atoms(
        &c,
        &dirs,
        dim,
        &AtomSettings {
            rel_threshold: 0.0,
            ..Default::default()
        },
    );
    for a in at.iter_mut() {
        a.psi = psi.value(&a.w)?;
        a.members = a.members.iter().map(|&i| active[i]).collect();
    }
    Ok(Balanced {
        network: ShallowInr { d, k0, units },
        cost,
        regularizer_before: reg,
        active_units: active.len(),
        atoms: at,
    })
}
