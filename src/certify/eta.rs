//! The certificate function and the search for its supremum on the sphere
//! (docs/theory.md 5):
//!
//! `eta_lambda(w) = (A_K sigma(g_w)) . lambda / psi(w)`,
//! `grad eta = (A_K[H(g_w) gamma]^T lambda - eta grad psi) / psi`.
//!
//! `eta` is 0-homogeneous, so its gradient is tangent to the sphere. The
//! supremum of `|eta|` is searched by dense candidates (the solve's own grid
//! plus a fresh seeded design) followed by projected gradient ascent on the
//! sphere from the best candidates (in parallel). This is a search, not a
//! proof: every bound that rests on it says so.

use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::inr::features::Features;
use crate::inr::psi::Psi;
use crate::inr::unit::UnitEvaluator;
use crate::spec::ProblemSpec;
use rayon::prelude::*;
use serde::Serialize;

/// `eta_lambda` for one problem, discretization and `lambda`.
#[derive(Debug, Clone)]
pub struct EtaField {
    unit: UnitEvaluator,
    psi: Psi,
    lambda: Vec<f64>,
}

/// The unit evaluator of a problem and plan (same method as the dictionary).
pub fn unit_evaluator(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    k: usize,
) -> Result<UnitEvaluator> {
    let features = Features::new(spec.d, spec.k0);
    if plan.exact {
        UnitEvaluator::exact(features, k)
    } else {
        Ok(UnitEvaluator::grid(features, k, k, plan.n_quad))
    }
}

/// The weighting of a problem with the plan's method.
pub fn psi_for(spec: &ProblemSpec, plan: &DiscretizationPlan) -> Result<Psi> {
    Ok(match spec.psi {
        crate::inr::psi::PsiKind::Std => Psi::std(),
        crate::inr::psi::PsiKind::Pre => Psi::pre(),
        crate::inr::psi::PsiKind::Mod { k_prime } => {
            Psi::modified(unit_evaluator(spec, plan, k_prime)?)
        }
    })
}

impl EtaField {
    /// The field of `lambda` (length M).
    pub fn new(spec: &ProblemSpec, plan: &DiscretizationPlan, lambda: Vec<f64>) -> Result<Self> {
        Ok(EtaField {
            unit: unit_evaluator(spec, plan, spec.k)?,
            psi: psi_for(spec, plan)?,
            lambda,
        })
    }

    /// The dual vector.
    pub fn lambda(&self) -> &[f64] {
        &self.lambda
    }

    /// The weighting.
    pub fn psi(&self) -> &Psi {
        &self.psi
    }

    /// The unit evaluator.
    pub fn unit(&self) -> &UnitEvaluator {
        &self.unit
    }

    /// True when `psi = psi_mod` with `K' = K`: then `psi(w) = |A_K sigma(g_w)|`
    /// comes from the same transform as the measurement.
    fn psi_is_column_norm(&self) -> bool {
        matches!(self.psi.kind(), crate::inr::psi::PsiKind::Mod { k_prime } if k_prime == self.unit.map().cutoff())
    }

    /// `eta(w)`; 0 where `psi(w) = 0` (a vanishing unit).
    pub fn value(&self, w: &[f64]) -> Result<f64> {
        let y = self.unit.measure(w)?;
        let p = if self.psi_is_column_norm() {
            dot(&y, &y).sqrt()
        } else {
            self.psi.value(w)?
        };
        Ok(if p > 0.0 {
            dot(&y, &self.lambda) / p
        } else {
            0.0
        })
    }

    /// `eta(w)`, `psi(w)` and whether the unit is below the vanishing floor
    /// (then `eta` is set to 0; see [`crate::inr::unit::VANISH_REL`]).
    pub fn parts(&self, w: &[f64]) -> Result<EtaParts> {
        let mut s = crate::inr::unit::UnitScratch::default();
        let mut y = vec![0.0; self.unit.map().len()];
        self.unit.measure_into(w, &mut y, &mut s)?;
        let p = if self.psi_is_column_norm() {
            dot(&y, &y).sqrt()
        } else {
            self.psi.value(w)?
        };
        Ok(EtaParts {
            eta: if p > 0.0 && !s.vanishes {
                dot(&y, &self.lambda) / p
            } else {
                0.0
            },
            psi: p,
            vanished: s.vanishes,
        })
    }

    /// `eta(w)` and its gradient.
    pub fn value_and_gradient(&self, w: &[f64]) -> Result<(f64, Vec<f64>)> {
        // One analysis of g_w for both (its positive set is found once);
        // the products J^T lambda and J^T y without forming J.
        let col_norm = self.psi_is_column_norm();
        let r = self.unit.measure_and_vjp(w, &[&self.lambda], col_norm)?;
        let y = &r.y;
        let jt_lambda = &r.jt_v[0];
        let (p, gp) = match &r.jt_y {
            // grad |y| = J^T y / |y|.
            Some(jt_y) => {
                let p = dot(y, y).sqrt();
                let gp = jt_y
                    .iter()
                    .map(|v| if p > 0.0 { v / p } else { 0.0 })
                    .collect();
                (p, gp)
            }
            None => self.psi.value_and_gradient(w)?,
        };
        if p <= 0.0 {
            return Ok((0.0, vec![0.0; w.len()]));
        }
        let eta = dot(y, &self.lambda) / p;
        let g = (0..w.len())
            .map(|i| (jt_lambda[i] - eta * gp[i]) / p)
            .collect();
        Ok((eta, g))
    }
}

/// `eta(w)` with the pieces the bounds need.
#[derive(Debug, Clone, Copy)]
pub struct EtaParts {
    /// `eta(w)` (0 below the vanishing floor).
    pub eta: f64,
    /// `psi(w)`.
    pub psi: f64,
    /// True when the unit is below the vanishing floor.
    pub vanished: bool,
}

use crate::numeric::dot;

/// Angle between unit vectors (one copy: [`crate::numeric::unit_angle`]).
pub use crate::numeric::unit_angle as angle;

/// Local maxima closer than this angle (radians) are reported once.
pub const MAXIMA_SEPARATION: f64 = 0.02;

/// Settings of the supremum search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SupSettings {
    /// Points of the fresh dense design; 0 = `clamp(400 D^2, 2 000, 20 000)`
    /// (default 0).
    pub dense_points: usize,
    /// Local ascents from the best candidates (default 24).
    pub starts: usize,
    /// Iterations per ascent (default 200).
    pub ascent_iters: usize,
    /// Seed of the dense design.
    pub seed: u64,
    /// Smallest angle (radians) between two ascent starts; 0 = automatic:
    /// [`START_SEPARATION_LOW_D`] for D <= 5, [`START_SEPARATION_HIGH_D`]
    /// above (default 0).
    pub start_separation: f64,
    /// An ascent stops within this angle (radians) of a maximum of an
    /// earlier batch of ascents; 0 = never (the default, and the
    /// brute-force twins of the tests). The thorough searches of the final
    /// bracket and of a passing certificate use
    /// [`super::ascent::MERGE_RADIUS`]; the round searches, which steer
    /// the refinement, do not (merged, one d = 2 psi_pre teacher of the
    /// refinement sample took another path and did not close in 30
    /// rounds). psi_mod never merges.
    pub merge_radius: f64,
}

/// Ascent starts at least this far apart (radians) for D <= 5.
pub const START_SEPARATION_LOW_D: f64 = 0.05;
/// Ascent starts at least this far apart (radians) for D > 5: on S^8 the
/// neighbourhood of every support atom holds many candidates with `|eta|`
/// close to 1, and with the low-dimensional separation all starts went to
/// those neighbourhoods and missed a violation elsewhere (d = 2, seed 9000:
/// a lower bound 1e-5 above a verified measure's cost).
pub const START_SEPARATION_HIGH_D: f64 = 0.15;

/// D > 5: the second batch of ascent starts (half as many) keeps this angle
/// (radians) from the first batch's starts and maxima and between its own
/// starts ([`sup_eta`]).
pub const EXPLORE_RADIUS: f64 = 0.4;

impl SupSettings {
    /// The start separation for dimension `dim`.
    pub fn separation(&self, dim: usize) -> f64 {
        if self.start_separation > 0.0 {
            self.start_separation
        } else if dim <= 5 {
            START_SEPARATION_LOW_D
        } else {
            START_SEPARATION_HIGH_D
        }
    }
}

impl Default for SupSettings {
    fn default() -> Self {
        SupSettings {
            dense_points: 0,
            starts: 24,
            ascent_iters: 200,
            seed: 0x5u64,
            start_separation: 0.0,
            merge_radius: 0.0,
        }
    }
}

/// A point of the sphere with its `eta`.
#[derive(Debug, Clone, Serialize)]
pub struct EtaPoint {
    /// Unit direction.
    pub w: Vec<f64>,
    /// `eta(w)`.
    pub eta: f64,
    /// True when `eta` comes from a screening quadrature
    /// ([`screening_plan`]) rather than the search's own operator: such a
    /// value only orders the ascent starts of [`sup_eta`] and is never
    /// reported (every start is evaluated again by its ascent).
    #[serde(skip)]
    pub screened: bool,
}

/// Grid points per axis of the screening quadrature of the dense designs
/// ([`screening_plan`]).
pub const SCREEN_GRID: usize = 64;

/// The quadrature that screens a dense design in place of exact columns,
/// when there is one: for exact plans in d = 2, the `SCREEN_GRID x
/// SCREEN_GRID` trapezoid rule (or the problem's smallest grid, if
/// larger). A design's `eta` only chooses where the ascents start, and
/// each ascent evaluates its start again on the exact operator, so the
/// screening changes which points start, never a value a search returns
/// ([`sup_eta`]). A 20 000-point design at K = 3 costs 1.28 s on exact
/// columns and 0.26 s screened, on one thread (`cargo bench --bench
/// dictionary -- dense_design_d2_k3_std`; README, "Screened designs").
/// psi_mod too (from the session of 2026-12-07): on 20 000-point designs
/// at K = 2, 3 and 4 with a random unit `lambda`, the screened `eta` is
/// within 1.6e-3 of the exact one at every point, the largest errors at
/// the most nearly vanishing units (`psi` down to 4e-5), and the 200 best
/// points are the same 200; its thin-bump and boundary limits do not
/// depend on the design. None: the design is built on the plan itself.
pub fn screening_plan(spec: &ProblemSpec, plan: &DiscretizationPlan) -> Option<DiscretizationPlan> {
    let applies = plan.exact && spec.d == 2;
    applies.then(|| DiscretizationPlan {
        n_quad: SCREEN_GRID.max(spec.min_grid().next_power_of_two()),
        exact: false,
        error_samples: 0,
    })
}

/// The outcome of a supremum search.
#[derive(Debug, Clone, Serialize)]
pub struct SupResult {
    /// The largest `|eta|` found (outside the excluded caps, if any).
    pub value: f64,
    /// Where (None if every candidate was excluded).
    pub argmax: Option<EtaPoint>,
    /// The local maxima found by the ascents, largest `|eta|` first.
    pub maxima: Vec<EtaPoint>,
    /// Evaluations of `eta` made.
    pub evaluations: usize,
}

/// Caps to exclude: `(centres, radius in radians)`.
pub type Caps<'a> = Option<(&'a [Vec<f64>], f64)>;

pub(crate) fn outside(w: &[f64], caps: Caps<'_>) -> bool {
    match caps {
        None => true,
        Some((centres, r)) => centres.iter().all(|c| angle(w, c) > r),
    }
}

/// The automatic size of the dense design: `clamp(400 D^2, 2 000, 20 000)`.
pub fn auto_dense_points(dim: usize) -> usize {
    (400 * dim * dim).clamp(2_000, 20_000)
}

/// `eta` on a seeded design of `n` points (0: the automatic size of
/// [`SupSettings::dense_points`]), through the dictionary build (cached per
/// process: [`crate::dictionary::design_cache`]); vanishing
/// units are left out.
pub fn dense_eta(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    lambda: &[f64],
    n: usize,
    seed: u64,
) -> Result<Vec<EtaPoint>> {
    dense_eta_screened(spec, plan, lambda, n, seed, true)
}

/// [`dense_eta`], with the screening of [`screening_plan`] where it applies
/// and `screen` is true (false: always on the plan itself, the slower twin
/// of the tests).
pub fn dense_eta_screened(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    lambda: &[f64],
    n: usize,
    seed: u64,
    screen: bool,
) -> Result<Vec<EtaPoint>> {
    let dim = spec.feature_dim();
    let n = if n == 0 { auto_dense_points(dim) } else { n };
    let screening = screening_plan(spec, plan).filter(|_| screen);
    let p = screening.unwrap_or(DiscretizationPlan {
        error_samples: 0,
        ..*plan
    });
    // The design's columns do not depend on lambda: built once per process.
    let dict = crate::dictionary::design_cache::design_dictionary(spec, &p, n, seed)?;
    let mut points = dictionary_eta(&dict, lambda);
    if screening.is_some() {
        points.iter_mut().for_each(|p| p.screened = true);
    }
    Ok(points)
}

/// `eta` on every column of a dictionary.
pub fn dictionary_eta(dict: &Dictionary, lambda: &[f64]) -> Vec<EtaPoint> {
    (0..dict.len())
        .into_par_iter()
        .map(|j| EtaPoint {
            w: dict.direction(j).to_vec(),
            eta: if dict.psi[j] > 0.0 {
                dot(dict.column(j), lambda) / dict.psi[j]
            } else {
                0.0
            },
            screened: false,
        })
        .collect()
}

/// Searches `sup |eta|` over the sphere (outside `caps`): the candidates'
/// best `starts` points (outside the caps) are refined by local ascent.
pub fn sup_eta(
    field: &EtaField,
    candidates: &[EtaPoint],
    settings: &SupSettings,
    caps: Caps<'_>,
) -> Result<SupResult> {
    let mut pool: Vec<&EtaPoint> = candidates.iter().filter(|p| outside(&p.w, caps)).collect();
    pool.sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    // Starts: the best candidates, at most one per neighbourhood so that
    // the ascents explore different maxima.
    let sep = settings.separation(pool.first().map_or(0, |p| p.w.len()));
    let mut starts: Vec<&EtaPoint> = Vec::new();
    for p in &pool {
        if starts.len() >= settings.starts {
            break;
        }
        if starts.iter().all(|q| angle(&q.w, &p.w) > sep) {
            starts.push(p);
        }
    }
    // With merge_radius > 0, in fixed batches: an ascent stops at a maximum
    // of an earlier batch, whatever the thread count. Not for
    // psi_mod: near vanishing units its |eta| has maxima closer than the
    // radius (on a random lambda in D = 9 the merged search fell 1.1e-6
    // short, tests/sup_search.rs).
    let merge_radius = match field.psi().kind() {
        crate::inr::psi::PsiKind::Mod { .. } => 0.0,
        _ => settings.merge_radius,
    };
    let ascend_all =
        |starts: &[&EtaPoint], known: &mut Vec<EtaPoint>| -> Result<(Vec<EtaPoint>, usize)> {
            let mut found = Vec::new();
            let mut evals = 0usize;
            let size = if merge_radius > 0.0 {
                super::ascent::ASCENT_BATCH
            } else {
                starts.len().max(1)
            };
            for batch in starts.chunks(size) {
                let results: Vec<Result<(Option<EtaPoint>, usize, bool)>> = batch
                    .par_iter()
                    .map(|p| {
                        let known = if merge_radius > 0.0 { &known[..] } else { &[] };
                        super::ascent::ascend(
                            field,
                            &p.w,
                            settings.ascent_iters,
                            caps,
                            known,
                            merge_radius,
                        )
                    })
                    .collect();
                for r in results {
                    let (best, ev, merged) = r?;
                    evals += ev;
                    if let Some(b) = best {
                        // Only ascents that ended at a maximum of their own
                        // stop later ones (no chains of early stops).
                        if !merged {
                            known.push(b.clone());
                        }
                        found.push(b);
                    }
                }
            }
            Ok((found, evals))
        };
    let mut known: Vec<EtaPoint> = Vec::new();
    let (mut maxima, mut evaluations) = ascend_all(&starts, &mut known)?;
    // D > 5: a second batch of starts away from everything the first batch
    // explored. On S^8 the best candidates all lie around the support atoms
    // (|eta| near 1 on wide neighbourhoods), and a violation on a hill of
    // its own, whose candidates only reach 0.9, got no start (d = 2, K = 2,
    // psi_std, W = 3, seed 21800: |eta| = 1.004 at 0.6 rad from every atom,
    // missed, and a lower end 7e-6 above a verified measure's cost).
    let dim = pool.first().map_or(0, |p| p.w.len());
    if dim > 5 && settings.starts > 0 {
        let explored: Vec<&[f64]> = starts
            .iter()
            .map(|p| p.w.as_slice())
            .chain(maxima.iter().map(|m| m.w.as_slice()))
            .collect();
        let mut second: Vec<&EtaPoint> = Vec::new();
        for p in &pool {
            if second.len() >= settings.starts.div_ceil(2) {
                break;
            }
            let far = |w: &[f64]| angle(w, &p.w) > EXPLORE_RADIUS;
            if explored.iter().all(|w| far(w)) && second.iter().all(|q| far(&q.w)) {
                second.push(p);
            }
        }
        let (more, ev) = ascend_all(&second, &mut known)?;
        maxima.extend(more);
        evaluations += ev;
    }
    maxima.sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    // Ascents that met at the same maximum count once.
    let mut distinct: Vec<EtaPoint> = Vec::new();
    for p in maxima {
        if distinct
            .iter()
            .all(|q| angle(&q.w, &p.w) > MAXIMA_SEPARATION)
        {
            distinct.push(p);
        }
    }
    let maxima = distinct;
    // The best candidate whose value is the operator's own (a screened
    // value is never reported; its point started an ascent, which counts).
    let best_candidate = pool.iter().find(|p| !p.screened).map(|p| (*p).clone());
    let argmax = match (maxima.first(), best_candidate) {
        (Some(m), Some(c)) => Some(if m.eta.abs() >= c.eta.abs() {
            m.clone()
        } else {
            c
        }),
        (Some(m), None) => Some(m.clone()),
        (None, c) => c,
    };
    Ok(SupResult {
        value: argmax.as_ref().map_or(0.0, |a| a.eta.abs()),
        argmax,
        maxima,
        evaluations: evaluations + candidates.len(),
    })
}
