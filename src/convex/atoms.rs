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
    atoms_weighted(c, directions, dim, &vec![1.0; c.len()], s)
}

/// As [`atoms`], with each entry's size measured as `|c_j| weight_j` (for
/// the threshold, the order and the merged mean) instead of `|c_j|`. With the
/// norms of the columns as weights, an entry's size is what it contributes
/// to `A mu`: thin-bump columns (tiny columns, huge `c_j`) then no longer
/// push every ordinary atom under the threshold.
pub fn atoms_weighted(
    c: &[f64],
    directions: &[f64],
    dim: usize,
    weight: &[f64],
    s: &AtomSettings,
) -> Vec<Atom> {
    let size = |j: usize| c[j].abs() * weight.get(j).copied().unwrap_or(1.0);
    let mx = (0..c.len()).fold(0.0f64, |a, j| a.max(size(j)));
    if mx == 0.0 || !mx.is_finite() {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..c.len())
        .filter(|&j| size(j) > s.rel_threshold * mx)
        .collect();
    idx.sort_by(|&a, &b| size(b).total_cmp(&size(a)).then(a.cmp(&b)));
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
        let mut mean: Vec<f64> = wj.iter().map(|v| v * size(j)).collect();
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
                mean.iter_mut().zip(wk).for_each(|(m, v)| *m += v * size(k));
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

    #[test]
    fn a_thin_column_with_a_huge_coefficient_keeps_the_ordinary_atoms() {
        // Entry 0: c = 1e9 on a column of norm 1e-9 (a thin bump) contributes
        // 1 to A mu; entry 1 (c = 0.5, norm 1) contributes 0.5. By |c| alone
        // entry 1 would fall under 1e-6 * 1e9 and vanish.
        let dirs = [1.0, 0.0, 0.0, 1.0];
        let c = [1e9, 0.5];
        assert_eq!(atoms(&c, &dirs, 2, &AtomSettings::default()).len(), 1);
        let a = atoms_weighted(&c, &dirs, 2, &[1e-9, 1.0], &AtomSettings::default());
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].members, vec![0]);
        assert_eq!(a[1].members, vec![1]);
        // Merged means are weighted by contribution too: two same-sign
        // entries 0.01 rad apart, the second contributing 3 times as much.
        let t: f64 = 0.01;
        let dirs = [1.0, 0.0, t.cos(), t.sin()];
        let a = atoms_weighted(
            &[1e6, 3.0],
            &dirs,
            2,
            &[1e-6, 1.0],
            &AtomSettings::default(),
        );
        assert_eq!(a.len(), 1);
        let ang = a[0].w[1].atan2(a[0].w[0]);
        // The weighted mean of unit vectors at angles 0 (weight 1) and t
        // (weight 3) points at atan(3 sin t / (1 + 3 cos t)).
        let want = (3.0 * t.sin()).atan2(1.0 + 3.0 * t.cos());
        assert!((ang - want).abs() < 1e-15, "{ang} vs {want}");
    }
}
