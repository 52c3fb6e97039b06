//! `sup |eta|` as a bound with its kind (docs/theory.md 9): the search of
//! [`super::eta::sup_eta`] (an estimate), the thin-bump limit of `psi_mod`
//! ([`super::thin_bump`]), and, where the dimension allows and the operator
//! is exact, the branch-and-bound of [`super::bound`] (a proof).

use super::bound::{BnbResult, BnbSettings, BoundKind, Exclusion, PatchBounder, branch_and_bound};
use super::eta::{EtaField, EtaPoint, SupResult, SupSettings, sup_eta};
use super::limit_lines::{BoundaryLimits, BoundarySearch, sup_boundary_limits};
use super::limit_points::{PointCone, PointLimit, PointSearch, sup_point_limits};
use super::thin_bump::{TrigPoly, default_samples, sample, thin_bump_limit};
use crate::dictionary::DiscretizationPlan;
use crate::error::Result;
use crate::inr::psi::PsiKind;
use crate::spec::ProblemSpec;
use serde::Serialize;

/// A bound of `sup |eta|` with its kind.
#[derive(Debug, Clone, Serialize)]
pub struct SupBound {
    /// The number to use: the proved bound when `kind` is `proved`, else the
    /// estimate.
    pub value: f64,
    /// Proved or estimated.
    pub kind: BoundKind,
    /// The largest `|eta|` found (search, branch-and-bound centres, thin-bump
    /// limit): a lower estimate of the sup.
    pub estimate: f64,
    /// Where the search's largest value is (None for an empty search).
    pub argmax: Option<EtaPoint>,
    /// The branch-and-bound's bound, closed or not (None when it did not run).
    pub proved_upper: Option<f64>,
    /// `psi_mod`: `sup |p_lambda| / sqrt(M')` (sampled), the value of `eta` in
    /// the thin-bump limit, and where (x).
    pub thin_bump_limit: Option<(f64, Vec<f64>)>,
    /// `psi_mod`, d = 1, K0 >= 2: the best limit measure on several points
    /// ([`super::limit_points`]), searched.
    pub point_limit: Option<PointLimit>,
    /// `psi_mod`, d = 2, K0 = 1: the best limit on lines and antipodal
    /// pairs ([`super::limit_lines`]), searched.
    pub boundary_limits: Option<BoundaryLimits>,
    /// The branch-and-bound run.
    pub bnb: Option<BnbResult>,
    /// The local maxima of the search (largest first).
    #[serde(skip)]
    pub maxima: Vec<EtaPoint>,
    /// Whether any point of the sphere was evaluated for `estimate`: false
    /// only for the data norm's bound ([`super::cauchy_schwarz`]), which
    /// looks at no point (its `estimate` is then 0 and means nothing).
    pub searched: bool,
    /// Why the bound is only estimated; empty when the branch-and-bound
    /// proved it, and the argument when Cauchy-Schwarz did
    /// ([`super::cauchy_schwarz`]).
    pub note: String,
}

/// Where the branch-and-bound does not run (D above its `max_dim`: d = 2,
/// K0 = 1 has D = 9) the sup is a search estimate, and the searches whose
/// estimate becomes a printed claim make this many times the ascents: the
/// final bracket (`refine`), and the certificate check when the ordinary
/// search says the certificate passes (`check_lambda`), which then also
/// adds [`THOROUGH_DENSE_POINTS`] random directions to the starts' pool.
/// Chosen on the refinement-target sample, trial 0 (seeds 20000 + 100
/// cell): with 2 (48 ascents) the final search of d = 2, K = 2, psi_pre,
/// W = 3, seed 22000 missed |eta| = 1.00006 at 0.14 rad from the nearest
/// atom (found with 100), and printed a lower end 5.5e-7 above a verified
/// measure's cost; on seed 21000 (psi_mod, W = 2) 48, 192 and 768 ascents
/// from the dictionary found 1.020, 1.046 and 1.056. 32 (768 ascents,
/// about 2 to 4 s here) is what this affords, not a proof: such sups stay
/// `estimated`.
pub const THOROUGH_STARTS_FACTOR: usize = 32;

/// Random directions added to the thorough certificate search (see
/// [`THOROUGH_STARTS_FACTOR`]).
pub const THOROUGH_DENSE_POINTS: usize = 20_000;

/// True when the branch-and-bound can run: exact operator, `D <= max_dim`,
/// and (psi_mod) `K' >= K`.
pub fn bnb_applies(spec: &ProblemSpec, plan: &DiscretizationPlan, bnb: &BnbSettings) -> bool {
    let psi_ok = match spec.psi {
        PsiKind::Mod { k_prime } => k_prime >= spec.k,
        _ => true,
    };
    plan.exact && spec.feature_dim() <= bnb.max_dim && psi_ok
}

/// The sup search, the thin-bump limit and (where it applies) the
/// branch-and-bound with the target `target(estimate)` (None: do not run it).
// The settings are separate on purpose: callers mix their own search,
// branch-and-bound and exclusion settings.
#[allow(clippy::too_many_arguments)]
pub fn sup_bound(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    field: &EtaField,
    candidates: &[EtaPoint],
    sup: &SupSettings,
    bnb: &BnbSettings,
    exclude: Exclusion<'_>,
    target: impl Fn(f64) -> Option<f64>,
) -> Result<SupBound> {
    let thin = match field.psi().kind() {
        PsiKind::Mod { k_prime } => {
            let p = TrigPoly::new(field.unit().map().clone(), field.lambda());
            let s = sample(&p, default_samples(spec.d, spec.k));
            let (est, _) = thin_bump_limit(&s, spec.d, k_prime);
            Some((est, s))
        }
        _ => None,
    };
    // psi_mod: bumps of every height at the peaks of |p_lambda| start ascents
    // (a bump of moderate width can beat the Dirac limit: its higher
    // frequencies are damped, which lowers psi_mod more than the numerator).
    let mut extra: Vec<EtaPoint> = Vec::new();
    if let Some((_, s)) = &thin {
        for x in peaks(s, spec.d, THIN_BUMP_PEAKS) {
            for i in 0..THIN_BUMP_HEIGHTS {
                let h = 10f64.powf(-4.0 + 4.0 * i as f64 / (THIN_BUMP_HEIGHTS - 1) as f64);
                let w = thin_bump_direction(spec, &x, h.min(0.9 * spec.d as f64));
                let eta = field.value(&w)?;
                extra.push(EtaPoint {
                    w,
                    eta,
                    screened: false,
                });
            }
        }
    }
    let mut search: SupResult = sup_eta(field, candidates, sup, exclude)?;
    if !extra.is_empty() {
        // Their own ascents (the bumps would crowd out the design's starts).
        let s2 = SupSettings {
            starts: 3 * THIN_BUMP_PEAKS + BOUNDARY_STARTS,
            ..*sup
        };
        extra.extend(boundary_layer(spec, field, sup.seed ^ 0xB0DE)?);
        absorb(&mut search, sup_eta(field, &extra, &s2, exclude)?);
    }
    // psi_mod: ascents from every thin candidate near the top.
    if matches!(field.psi().kind(), PsiKind::Mod { .. }) {
        let starts = thin_starts(
            field,
            candidates,
            search.value,
            sup.starts * THIN_STARTS_FACTOR,
        )?;
        if !starts.is_empty() {
            let s3 = SupSettings {
                starts: starts.len(),
                start_separation: f64::MIN_POSITIVE,
                merge_radius: 0.0,
                ..*sup
            };
            absorb(&mut search, sup_eta(field, &starts, &s3, exclude)?);
        }
    }
    let mut estimate = search.value;
    // The thin-bump limit is counted even when caps are excluded: that can
    // only lower a margin, never raise it.
    let thin = thin.map(|(est, s)| {
        estimate = estimate.max(est);
        (est, s.argmax)
    });
    // psi_mod, d = 1, K0 >= 2: limits carried by up to K0 points.
    let point_limit = match field.psi().kind() {
        PsiKind::Mod { k_prime } if spec.d == 1 && spec.k0 >= 2 => {
            let cone = PointCone::new(spec.d, spec.k, k_prime, field.lambda());
            let l = sup_point_limits(&cone, spec.k0, &PointSearch::default());
            estimate = estimate.max(l.eta.abs());
            Some(l)
        }
        _ => None,
    };
    // psi_mod, d = 2, K0 = 1: limits on lines and antipodal pairs.
    let boundary_limits = match field.psi().kind() {
        PsiKind::Mod { k_prime } if spec.d == 2 && spec.k0 == 1 => {
            let cone = PointCone::new(spec.d, spec.k, k_prime, field.lambda());
            let b = sup_boundary_limits(&cone, &BoundarySearch::default());
            estimate = estimate.max(b.value);
            Some(b)
        }
        _ => None,
    };
    let mut out = SupBound {
        value: estimate,
        kind: BoundKind::Estimated,
        estimate,
        argmax: search.argmax.clone(),
        proved_upper: None,
        thin_bump_limit: thin,
        point_limit,
        boundary_limits,
        bnb: None,
        maxima: search.maxima,
        searched: true,
        note: String::new(),
    };
    // psi_mod with K' >= K: |eta| <= |lambda| is a proof in any dimension
    // (super::cauchy_schwarz); where it meets the target, neither the
    // estimate's note nor the branch-and-bound is needed.
    let cs_target = target(out.estimate);
    if super::cauchy_schwarz::promote(spec, field.lambda(), &mut out, cs_target) {
        return Ok(out);
    }
    if !bnb_applies(spec, plan, bnb) {
        let boundary = match field.psi().kind() {
            PsiKind::Mod { .. } if spec.d >= 2 && spec.k0 == 1 => {
                "; psi_mod boundary limits searched on points, antipodal pairs and lines (a heuristic on lines: about 1e-3 relative), not on crossing lines; thin units searched by ascents from every thin candidate near the top, units below the vanishing floor only through these limits"
            }
            PsiKind::Mod { .. } if spec.d >= 2 => {
                "; psi_mod boundary limits searched on single points only (several points and curves are not searched for K0 >= 2 in d = 2: a heuristic)"
            }
            _ => "",
        };
        out.note = if plan.exact {
            format!(
                "no branch-and-bound in dimension D = {} (it runs for D <= {}): the sup is a search estimate",
                spec.feature_dim(),
                bnb.max_dim
            )
        } else {
            "the operator is a quadrature: the sup is a search estimate on that operator".into()
        };
        out.note.push_str(boundary);
        return Ok(out);
    }
    let Some(t) = target(out.estimate) else {
        out.note = "nothing to prove: the search already exceeds the target".into();
        return Ok(out);
    };
    let bounder = PatchBounder::new(spec, field);
    let r = branch_and_bound(&bounder, spec.feature_dim(), t, exclude, bnb)?;
    out.estimate = out.estimate.max(r.found);
    out.proved_upper = Some(r.upper);
    if r.closed {
        out.kind = BoundKind::Proved;
        out.value = r.upper;
    } else {
        out.value = out.estimate;
        out.note = if r.disproved {
            format!(
                "branch-and-bound found |eta| = {:.9} above its target {t:.9}: the sup is a search estimate",
                r.found
            )
        } else {
            format!(
                "branch-and-bound stopped at its budget of {} patches with bound {:.6e}: the sup is a search estimate",
                bnb.max_patches, r.upper
            )
        };
    }
    out.bnb = Some(r);
    Ok(out)
}

/// Adds the search `r` (own starts, same field) to `search`: the larger
/// value with its argmax, all maxima (largest first), all evaluations.
fn absorb(search: &mut SupResult, r: SupResult) {
    if r.value > search.value {
        search.value = r.value;
        search.argmax = r.argmax;
    }
    search.maxima.extend(r.maxima);
    search
        .maxima
        .sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    search.evaluations += r.evaluations;
}

/// psi_mod: a candidate is thin when its `psi` is below this (ordinary
/// units of the d = 2 refinement sample have `psi` above 1e-2; units at the
/// vanishing floor [`crate::inr::unit::VANISH_REL`] about 1e-10).
pub const THIN_PSI: f64 = 1e-6;
/// psi_mod: thin candidates with `|eta|` at least this fraction of the
/// search's value (or of 1) start ascents of their own.
pub const THIN_START_LEVEL: f64 = 0.9;
/// psi_mod: at most this many times the search's starts are thin starts.
pub const THIN_STARTS_FACTOR: usize = 2;

/// psi_mod: the thin candidates (`psi < THIN_PSI`, not screened) with
/// `|eta| >= THIN_START_LEVEL max(1, best)`, at most `cap` (evenly spaced
/// in the order of `|eta|`): each starts an ascent, however close to the
/// others. Near the vanishing
/// floor `eta` changes on scales far below the searches' start separation,
/// so one start per neighbourhood misses maxima between thin columns
/// (`certify --d 2 --k0 1 --k 2 --psi mod --teacher random --width 3
/// --seed 21900` with a start separation of 0.05: the final search of the
/// last `lambda` found 1.0000678; `eta` at a floor atom of another run's
/// verified measure was -1.0071, and ascents from the run's own 539 thin
/// atoms reached 1.0065: tests/thin_starts.rs).
fn thin_starts(
    field: &EtaField,
    candidates: &[EtaPoint],
    best: f64,
    cap: usize,
) -> Result<Vec<EtaPoint>> {
    let level = THIN_START_LEVEL * best.max(1.0);
    let mut top: Vec<&EtaPoint> = candidates
        .iter()
        .filter(|p| !p.screened && p.eta.abs() >= level)
        .collect();
    top.sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    let mut thin = Vec::new();
    for p in top {
        if field.psi().value(&p.w)? < THIN_PSI {
            thin.push(p);
        }
    }
    // Over the cap: evenly spaced in that order (the violations were found
    // from atoms well below the top).
    let stride = thin.len().div_ceil(cap.max(1)).max(1);
    Ok(thin.into_iter().step_by(stride).cloned().collect())
}

/// Random units per height in the boundary layer (psi_mod).
pub const BOUNDARY_SAMPLES: usize = 1500;
/// Extra ascents from the boundary layer.
pub const BOUNDARY_STARTS: usize = 24;

/// psi_mod: `eta` is discontinuous at the boundary of the vanishing set, and
/// its sup there is not only the Dirac limit: as `g_w` touches 0 from below
/// along a curve (d = 2) or at several points, `sigma(g_w)` concentrates on
/// that set. Uniform designs almost never land in this layer, so random
/// shapes (Gaussian `w`) are shifted to a maximum height `h |w|`
/// (h = 1e-2, 1e-3, 1e-4; the maximum read on a grid) and used as
/// candidates with their own ascents.
fn boundary_layer(spec: &ProblemSpec, field: &EtaField, seed: u64) -> Result<Vec<EtaPoint>> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    use rayon::prelude::*;
    let features = crate::inr::features::Features::new(spec.d, spec.k0);
    let dim = features.dim();
    let n: usize = if spec.d == 1 { 256 } else { 48 };
    // gamma(x) at every grid point once (row-major), so that the maximum of
    // g over the grid is one dot product per point.
    let gammas: Vec<f64> = (0..n.pow(spec.d as u32))
        .flat_map(|i| {
            let x = if spec.d == 1 {
                vec![i as f64 / n as f64]
            } else {
                vec![(i / n) as f64 / n as f64, (i % n) as f64 / n as f64]
            };
            let mut g = vec![0.0; dim];
            features.gamma(&x, &mut g);
            g
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let shapes: Vec<Vec<f64>> = (0..BOUNDARY_SAMPLES)
        .map(|_| (0..dim).map(|_| StandardNormal.sample(&mut rng)).collect())
        .collect();
    let out: Vec<Result<Vec<EtaPoint>>> = shapes
        .par_iter()
        .map(|w| {
            let gmax = gammas
                .chunks(dim)
                .map(|g| g.iter().zip(w).map(|(a, b)| a * b).sum::<f64>())
                .fold(f64::NEG_INFINITY, f64::max);
            let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
            [1e-2, 1e-3, 1e-4]
                .iter()
                .map(|h| {
                    let mut v = w.clone();
                    v[0] -= gmax - h * norm;
                    let nv = v.iter().map(|a| a * a).sum::<f64>().sqrt();
                    v.iter_mut().for_each(|a| *a /= nv);
                    let eta = field.value(&v)?;
                    Ok(EtaPoint {
                        w: v,
                        eta,
                        screened: false,
                    })
                })
                .collect()
        })
        .collect();
    let mut all = Vec::new();
    for r in out {
        all.extend(r?);
    }
    Ok(all)
}

/// Peaks of `|p_lambda|` whose bumps start ascents.
pub const THIN_BUMP_PEAKS: usize = 12;
/// Heights (log-spaced from 1e-4 to 1) of the bumps at each peak.
pub const THIN_BUMP_HEIGHTS: usize = 13;

/// The largest `count` local maxima of the samples (on the periodic grid,
/// against the 3^d - 1 neighbours).
fn peaks(s: &super::thin_bump::PolySamples, d: usize, count: usize) -> Vec<Vec<f64>> {
    let n = s.n;
    let idx = |c: &[usize]| c.iter().fold(0usize, |a, &v| a * n + v);
    let mut found: Vec<(f64, Vec<f64>)> = Vec::new();
    let total = n.pow(d as u32);
    for i in 0..total {
        let mut c = vec![0usize; d];
        let mut r = i;
        for a in (0..d).rev() {
            c[a] = r % n;
            r /= n;
        }
        let v = s.abs_values[i];
        let mut is_max = true;
        for nb in 0..3usize.pow(d as u32) {
            let mut q = c.clone();
            let mut t = nb;
            let mut same = true;
            for qa in q.iter_mut() {
                let off = t % 3;
                t /= 3;
                if off != 1 {
                    same = false;
                }
                *qa = (*qa + n + off - 1) % n;
            }
            if !same && s.abs_values[idx(&q)] > v {
                is_max = false;
                break;
            }
        }
        if is_max {
            found.push((v, c.iter().map(|&k| k as f64 / n as f64).collect()));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().take(count).map(|p| p.1).collect()
}

/// A unit direction whose unit is a thin bump of relative height about `h`
/// at `x`: `g = -(d - h) + sum_i cos(2 pi (x_i - x*_i))` (features k = e_i).
pub fn thin_bump_direction(spec: &ProblemSpec, x: &[f64], h: f64) -> Vec<f64> {
    let features = crate::inr::features::Features::new(spec.d, spec.k0);
    let mut w = vec![0.0; features.dim()];
    w[0] = -(spec.d as f64 - h);
    for (i, k) in features.omega_plus().iter().enumerate() {
        let nz: Vec<usize> = (0..spec.d).filter(|&a| k[a] != 0).collect();
        if nz.len() == 1 && k[nz[0]] == 1 {
            let t = std::f64::consts::TAU * x[nz[0]];
            w[1 + 2 * i] = t.cos();
            w[2 + 2 * i] = t.sin();
        }
    }
    let n = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    w.iter().map(|v| v / n).collect()
}

/// psi_mod: columns near the boundary limits of `sup` whose `|eta|` exceeds
/// `level` (thin bumps at the one-point limit, the unit realizing a
/// multi-point limit in d = 1, a line limit in d = 2, thin bumps at both
/// points of a pair), at heights 1e-2, 1e-3, 1e-4: the flattened
/// directions and how many limits asked for them.
pub fn limit_columns(spec: &ProblemSpec, sup: &SupBound, level: f64) -> (Vec<f64>, usize) {
    use super::limit_lines::line_unit_direction;
    use super::limit_points::limit_unit_direction;
    let mut dirs = Vec::new();
    let mut count = 0;
    let heights = [1e-2, 1e-3, 1e-4];
    if let Some((limit, x)) = &sup.thin_bump_limit
        && *limit > level
    {
        for h in heights {
            dirs.extend(thin_bump_direction(spec, x, h));
        }
        count += 1;
    }
    if let Some(pl) = &sup.point_limit
        && pl.eta.abs() > level
    {
        let xs: Vec<f64> = pl.points.iter().map(|p| p[0]).collect();
        for t in heights {
            dirs.extend(limit_unit_direction(spec.k0, &xs, &pl.weights, t));
        }
        count += 1;
    }
    if let Some(b) = &sup.boundary_limits
        && b.value > level
    {
        if let Some(l) = b.line.as_ref().filter(|l| l.eta.abs() >= b.value) {
            for t in heights {
                if let Some(w) = line_unit_direction(l, t) {
                    dirs.extend(w);
                }
            }
            count += 1;
        } else if let Some(p) = &b.pair {
            for x in &p.points {
                for h in heights {
                    dirs.extend(thin_bump_direction(spec, x, h));
                }
            }
            count += 1;
        }
    }
    (dirs, count)
}
