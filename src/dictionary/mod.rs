//! The dictionary of unit measurements over a grid of directions
//! (docs/theory.md 5): `Phi = [A_K sigma(g_{w_1}) ... A_K sigma(g_{w_N})]`,
//! `M x N` column-major, with the costs `psi_j = psi(w_j)`.
//!
//! Directions whose unit vanishes on the quadrature grid (`g_w <= 0`
//! everywhere there) give zero columns and are left out (docs/theory.md 4); the
//! count is reported.
//!
//! The fast build runs the separable transforms in parallel (rayon), one
//! scratch per worker; [`Dictionary::build_naive`] is its slow twin (direct
//! evaluation of `w . gamma(x)` and a full FFT), used only in tests.

pub mod design_cache;

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::fourier::fft::measure_fft;
use crate::inr::features::Features;
use crate::inr::psi::{Psi, PsiKind, psi_pre, psi_std};
use crate::inr::unit::{UnitEvaluator, UnitScratch};
use crate::spec::ProblemSpec;
use rayon::prelude::*;
use serde::Serialize;

/// How the dictionary is discretized (pure data, stored with results).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DiscretizationPlan {
    /// Quadrature grid points per axis (ignored when `exact`).
    pub n_quad: usize,
    /// Exact 1-D coefficients instead of quadrature.
    pub exact: bool,
    /// Number of columns sampled for the aliasing-error estimate (N vs 2N).
    pub error_samples: usize,
}

impl DiscretizationPlan {
    /// The plan a spec asks for: its `N` if given, otherwise
    /// [`crate::spec::default_dictionary_n`]; 8 error samples.
    pub fn for_spec(spec: &ProblemSpec) -> Result<Self> {
        let n_quad = spec.quadrature.n.unwrap_or_else(|| {
            crate::spec::default_dictionary_n(spec.d).max(spec.min_grid().next_power_of_two())
        });
        spec.check_grid("quad", n_quad)?;
        Ok(DiscretizationPlan {
            n_quad,
            exact: spec.quadrature.exact,
            error_samples: 8,
        })
    }
}

/// A built dictionary.
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// Rows `M = (2K+1)^d`.
    pub m: usize,
    /// Feature dimension D.
    pub dim: usize,
    /// Kept directions, row-major (`len x D`), unit norm.
    pub directions: Vec<f64>,
    /// Index of each kept direction in the input grid.
    pub source_index: Vec<usize>,
    /// `M x len` column-major.
    pub columns: Vec<f64>,
    /// `psi(w_j)` per kept column.
    pub psi: Vec<f64>,
    /// Directions left out because their unit vanishes on the grid.
    pub dropped: usize,
    /// Largest relative difference `|col_N - col_2N| / |col_2N|` over the
    /// sampled columns (0 for exact coefficients).
    pub quadrature_error_estimate: f64,
    /// The plan used.
    pub plan: DiscretizationPlan,
}

fn evaluator(spec: &ProblemSpec, plan: &DiscretizationPlan, n: usize) -> Result<UnitEvaluator> {
    let features = Features::new(spec.d, spec.k0);
    if plan.exact {
        UnitEvaluator::exact(features, spec.k)
    } else {
        Ok(UnitEvaluator::grid(features, spec.k, spec.max_cutoff(), n))
    }
}

impl Dictionary {
    /// Number of kept columns.
    pub fn len(&self) -> usize {
        self.psi.len()
    }

    /// True when every direction was dropped.
    pub fn is_empty(&self) -> bool {
        self.psi.is_empty()
    }

    /// Column `j`.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j * self.m..(j + 1) * self.m]
    }

    /// The Euclidean norm of every column (an entry's contribution to
    /// `A mu` per unit of `|c_j|`; see [`crate::convex::atoms::atoms_weighted`]).
    pub fn column_norms(&self) -> Vec<f64> {
        (0..self.len())
            .map(|j| crate::numeric::norm2(self.column(j)))
            .collect()
    }

    /// Direction `j`.
    pub fn direction(&self, j: usize) -> &[f64] {
        &self.directions[j * self.dim..(j + 1) * self.dim]
    }

    /// Builds all columns for the directions (row-major, `D` each) in
    /// parallel.
    pub fn build(
        spec: &ProblemSpec,
        plan: &DiscretizationPlan,
        directions: &[f64],
    ) -> Result<Self> {
        let dim = spec.feature_dim();
        if !directions.len().is_multiple_of(dim) {
            return Err(Error::DimensionMismatch {
                what: "directions (a multiple of D)".into(),
                expected: dim * (directions.len() / dim + 1),
                got: directions.len(),
            });
        }
        crate::error::check_finite("directions", directions)?;
        let n_dirs = directions.len() / dim;
        let unit = evaluator(spec, plan, plan.n_quad)?;
        let map = unit.map().clone();
        let m = map.len();
        crate::limits::check_memory(
            "grid-points",
            n_dirs,
            crate::limits::f64_bytes(&[m as u128, n_dirs as u128, 2]),
            &format!("a dictionary of {n_dirs} columns of length M = {m}"),
        )?;
        let map_kp = match spec.psi {
            PsiKind::Mod { k_prime } => Some(RealMap::new(spec.d, k_prime)),
            _ => None,
        };
        let mut columns = vec![0.0; m * n_dirs];
        let mut psi = vec![0.0; n_dirs];
        let mut keep = vec![false; n_dirs];
        columns
            .par_chunks_mut(m.max(1))
            .zip(psi.par_iter_mut())
            .zip(keep.par_iter_mut())
            .zip(directions.par_chunks(dim))
            .try_for_each_init(
                || {
                    (
                        UnitScratch::default(),
                        vec![0.0; map_kp.as_ref().map_or(0, |mp| mp.len())],
                    )
                },
                |(s, buf), (((col, p), k), w)| -> Result<()> {
                    unit.analyze(w, s)?;
                    if s.vanishes {
                        return Ok(());
                    }
                    unit.read(&map, s, col);
                    *p = match (&map_kp, spec.psi) {
                        (Some(mp), _) => Psi::mod_from_scratch(&unit, mp, s, buf),
                        (None, PsiKind::Pre) => psi_pre(w),
                        (None, _) => psi_std(w),
                    };
                    *k = true;
                    Ok(())
                },
            )?;
        // Compact the kept columns in place (order preserved).
        let mut kept = 0usize;
        let mut source_index = Vec::new();
        let mut dirs_out = Vec::new();
        for j in 0..n_dirs {
            if keep[j] {
                if kept != j {
                    columns.copy_within(j * m..(j + 1) * m, kept * m);
                    psi[kept] = psi[j];
                }
                source_index.push(j);
                dirs_out.extend_from_slice(&directions[j * dim..(j + 1) * dim]);
                kept += 1;
            }
        }
        columns.truncate(kept * m);
        psi.truncate(kept);
        let mut dict = Dictionary {
            m,
            dim,
            directions: dirs_out,
            source_index,
            columns,
            psi,
            dropped: n_dirs - kept,
            quadrature_error_estimate: 0.0,
            plan: *plan,
        };
        if !plan.exact && plan.error_samples > 0 && kept > 0 {
            dict.quadrature_error_estimate = dict.estimate_error(spec)?;
        }
        Ok(dict)
    }

    /// Appends columns for more directions (refinement points, a teacher's
    /// directions); vanishing ones are dropped and counted. Returns the
    /// indices of the new columns.
    pub fn append(&mut self, spec: &ProblemSpec, directions: &[f64]) -> Result<Vec<usize>> {
        let mut plan = self.plan;
        plan.error_samples = 0;
        let extra = Dictionary::build(spec, &plan, directions)?;
        let start = self.len();
        let base = self.source_index.iter().max().map_or(0, |m| m + 1);
        self.columns.extend_from_slice(&extra.columns);
        self.psi.extend_from_slice(&extra.psi);
        self.directions.extend_from_slice(&extra.directions);
        self.source_index
            .extend(extra.source_index.iter().map(|i| base + i));
        self.dropped += extra.dropped;
        Ok((start..self.len()).collect())
    }

    /// Largest relative `|col_N - col_2N| / |col_2N|` over evenly spaced
    /// sampled columns.
    fn estimate_error(&self, spec: &ProblemSpec) -> Result<f64> {
        let fine = evaluator(spec, &self.plan, 2 * self.plan.n_quad)?;
        let step = (self.len() / self.plan.error_samples).max(1);
        let mut worst: f64 = 0.0;
        for j in (0..self.len()).step_by(step).take(self.plan.error_samples) {
            let y2 = fine.measure(self.direction(j))?;
            let n2 = psi_std(&y2);
            let e = self
                .column(j)
                .iter()
                .zip(&y2)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            worst = worst.max(if n2 > 0.0 { e / n2 } else { e });
        }
        Ok(worst)
    }

    /// The slow, obvious twin of [`Dictionary::build`]: for each direction,
    /// evaluate `w . gamma(x)` at every grid point, rectify, full FFT.
    /// Grid quadrature only; no columns dropped (vanishing ones are zero).
    pub fn build_naive(
        spec: &ProblemSpec,
        n: usize,
        directions: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        let features = Features::new(spec.d, spec.k0);
        let dim = features.dim();
        let d = spec.d;
        let map = RealMap::new(d, spec.k);
        let total = n.pow(d as u32);
        let mut columns = Vec::new();
        let mut psis = Vec::new();
        for w in directions.chunks(dim) {
            let mut vals = vec![0.0; total];
            let mut x = vec![0.0; d];
            for (idx, v) in vals.iter_mut().enumerate() {
                let mut rem = idx;
                for a in (0..d).rev() {
                    x[a] = (rem % n) as f64 / n as f64;
                    rem /= n;
                }
                *v = features.g(w, &x).max(0.0);
            }
            columns.extend(measure_fft(&vals, d, n, &map));
            psis.push(match spec.psi {
                PsiKind::Std => psi_std(w),
                PsiKind::Pre => psi_pre(w),
                PsiKind::Mod { k_prime } => {
                    psi_std(&measure_fft(&vals, d, n, &RealMap::new(d, k_prime)))
                }
            });
        }
        Ok((columns, psis))
    }
}
