//! Atoms of a discrete measure `mu = sum_j c_j delta_{w_j}` and the function
//! it represents, `f(x) = sum_j c_j sigma(g_{w_j}(x))` (docs/theory.md 4: a
//! measure is the INR with `a_j = c_j`).
//!
//! For reporting, neighbouring grid atoms of the same sign are merged into
//! one: an interior-point solution often spreads a mass over adjacent grid
//! directions. The merged direction is the mass-weighted mean (normalized)
//! and the merged coefficient the sum.

use serde::Serialize;

/// One atom.
#[derive(Debug, Clone, Serialize)]
pub struct Atom {
    /// Coefficient (signed mass).
    pub c: f64,
    /// Unit direction.
    pub w: Vec<f64>,
    /// `psi(w)` (filled by the caller; NaN until then).
    pub psi: f64,
    /// Indices of the grid columns merged into this atom.
    pub members: Vec<usize>,
}

/// Settings of the read-out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtomSettings {
    /// Entries with `|c_j| <= rel_threshold * max |c|` are zero (default 1e-6).
    pub rel_threshold: f64,
    /// Same-sign atoms within this angle (radians) of a heavier one are
    /// merged into it (default 0.1).
    pub merge_radius: f64,
}

impl Default for AtomSettings {
    fn default() -> Self {
        AtomSettings {
            rel_threshold: 1e-6,
            merge_radius: 0.1,
        }
    }
}

use crate::numeric::angle;

/// The atoms of `c` over unit `directions` (row-major, `dim` each), heaviest
/// first, merged as described in the module docs.
pub fn atoms(c: &[f64], directions: &[f64], dim: usize, s: &AtomSettings) -> Vec<Atom> {
    let mx = c.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if mx == 0.0 {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..c.len())
        .filter(|&j| c[j].abs() > s.rel_threshold * mx)
        .collect();
    idx.sort_by(|&a, &b| c[b].abs().total_cmp(&c[a].abs()).then(a.cmp(&b)));
    let mut taken = vec![false; idx.len()];
    let mut out = Vec::new();
    for p in 0..idx.len() {
        if taken[p] {
            continue;
        }
        let j = idx[p];
        let wj = &directions[j * dim..(j + 1) * dim];
        let mut members = vec![j];
        let mut sum_c = c[j];
        let mut mean: Vec<f64> = wj.iter().map(|v| v * c[j].abs()).collect();
        taken[p] = true;
        for q in p + 1..idx.len() {
            let k = idx[q];
            if taken[q] || c[k].signum() != c[j].signum() {
                continue;
            }
            let wk = &directions[k * dim..(k + 1) * dim];
            if angle(wj, wk) <= s.merge_radius {
                taken[q] = true;
                members.push(k);
                sum_c += c[k];
                mean.iter_mut()
                    .zip(wk)
                    .for_each(|(m, v)| *m += v * c[k].abs());
            }
        }
        let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        out.push(Atom {
            c: sum_c,
            w: mean.iter().map(|v| v / norm).collect(),
            psi: f64::NAN,
            members,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_of_the_same_sign_merge() {
        let dirs = [
            1.0, 0.0, 0.0, 0.999, 0.0447, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0,
        ];
        let c = [2.0, 1.0, -0.5, -1e-9];
        let a = atoms(&c, &dirs, 3, &AtomSettings::default());
        assert_eq!(a.len(), 2);
        assert!((a[0].c - 3.0).abs() < 1e-15);
        assert_eq!(a[0].members, vec![0, 1]);
        assert!((a[1].c + 0.5).abs() < 1e-15);
    }
}
