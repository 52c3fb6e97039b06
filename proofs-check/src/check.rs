//! The procedures that check one instance of a claim.

use crate::claim::{Cell, Claim, Identity, Kind};
use crate::requests::{certify_args, certify_request, compare_args, compare_request};
use inrsamp::agreement::compare;
use inrsamp::certify::report::certify;
use inrsamp::certify::verdict::Verdict;
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::SpecInput;
use inrsamp::train::Silent;
use inrsamp::train::restarts::FEASIBLE_REL;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// The outcome of one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The claim holds on this instance.
    Held,
    /// It fails.
    Failed,
    /// No decision (solver status, numerical trouble).
    Inconclusive,
}

impl Outcome {
    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Held => "held",
            Outcome::Failed => "failed",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

/// One checked instance.
#[derive(Debug, Clone)]
pub struct InstanceResult {
    /// The cell.
    pub cell: Cell,
    /// The seed used.
    pub seed: u64,
    /// The outcome.
    pub outcome: Outcome,
    /// The claim's margin on this instance (positive: held with room).
    pub margin: f64,
    /// A one-line note (verdict reason, error).
    pub note: String,
    /// A command that reproduces the instance (empty for identities).
    pub command: String,
    /// The convex verdict (`unique-proved`, `unique-estimated`, `recovered`,
    /// `not_recovered`, `inconclusive`; empty for other kinds).
    pub verdict: String,
}

/// True when every unit of the teacher takes both signs.
fn takes_both_signs(t: &ShallowInr) -> bool {
    let n = if t.d == 1 { 512 } else { 48 };
    t.units.iter().all(|u| {
        let one = ShallowInr::single(t.d, t.k0, u.w.clone());
        let neg = ShallowInr::single(t.d, t.k0, u.w.iter().map(|v| -v).collect());
        one.grid_values(n).iter().any(|&v| v > 0.0) && neg.grid_values(n).iter().any(|&v| v > 0.0)
    })
}

/// The seed of instance `i` of cell `c` (deterministic, independent of threads),
/// advanced past teachers that violate `require_sign_change`.
pub fn instance_seed(claim: &Claim, cell_index: usize, i: usize, cell: &Cell) -> u64 {
    let mut seed = claim.family.base_seed + 1_000_003 * cell_index as u64 + 7919 * i as u64;
    if claim.family.require_sign_change && claim.kind != Kind::Identity {
        for _ in 0..1000 {
            if let Ok(t) = ShallowInr::random(cell.d, cell.k0, cell.width, seed)
                && takes_both_signs(&t)
            {
                break;
            }
            seed += 1;
        }
    }
    seed
}

/// Runs one instance.
pub fn check(claim: &Claim, cell: &Cell, seed: u64) -> InstanceResult {
    let base = InstanceResult {
        cell: cell.clone(),
        seed,
        outcome: Outcome::Inconclusive,
        margin: f64::NAN,
        note: String::new(),
        command: String::new(),
        verdict: String::new(),
    };
    match claim.kind {
        Kind::Identity => identity(claim, cell, seed, base),
        Kind::Certificate | Kind::ConvexRecovery | Kind::NecessityProbe => {
            verdict(claim, cell, seed, base)
        }
        Kind::Agreement => agreement(claim, cell, seed, base),
    }
}

fn verdict(claim: &Claim, cell: &Cell, seed: u64, mut r: InstanceResult) -> InstanceResult {
    r.command = format!("inrsamp {}", certify_args(claim, cell, seed).join(" "));
    let rep = match certify_request(claim, cell, seed)
        .and_then(|req| certify(&req).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            r.note = format!("error: {e}");
            return r;
        }
    };
    r.note = format!("{}: {}", rep.verdict.name(), rep.reason);
    let relative_gap = rep
        .certified_upper
        .map_or(f64::NAN, |u| (u - rep.teacher_cost) / rep.teacher_cost);
    r.margin = rep.margin.filter(|m| m.is_finite()).unwrap_or(relative_gap);
    r.verdict = rep.verdict_with_kind();
    r.outcome = match (claim.kind, rep.verdict) {
        (Kind::Certificate, Verdict::Unique) => Outcome::Held,
        // Optimal but not certified unique: says nothing about uniqueness.
        (Kind::Certificate, Verdict::Recovered) => Outcome::Inconclusive,
        (Kind::Certificate, Verdict::NotRecovered) => Outcome::Failed,
        (_, Verdict::Unique | Verdict::Recovered) => Outcome::Held,
        (_, Verdict::NotRecovered) => Outcome::Failed,
        (_, Verdict::Inconclusive) => Outcome::Inconclusive,
    };
    r
}

/// Agreement of the trained INR with the convex minimizer (docs/theory.md 6,
/// last claim). The claim is about minimizers of (3), so a trained INR that
/// is not one says nothing about it: an INR that does not fit the data
/// (residual above `FEASIBLE_REL |y|`) or that stopped at a cost above the
/// certified upper bound of value(11) (relative excess above the cost
/// tolerance) is `inconclusive` (an optimizer failure, counted and
/// reported). A fitted INR whose cost lies in the certified bracket of
/// value(11) (up to the cost tolerance) holds when its function is within
/// the distance tolerance of the convex solution's, and fails otherwise; a
/// cost below the bracket fails too. The margin is
/// `min(1 - excess/cost_gap, 1 - distance/distance_tol)`, with `excess` the
/// relative distance of the INR's cost to the bracket (0 inside).
fn agreement(claim: &Claim, cell: &Cell, seed: u64, mut r: InstanceResult) -> InstanceResult {
    r.command = format!("inrsamp {}", compare_args(claim, cell, seed).join(" "));
    let rep = match compare_request(claim, cell, seed)
        .and_then(|req| compare(&req, &mut Silent).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            r.note = format!("error: {e}");
            return r;
        }
    };
    let none = f64::NAN;
    let (gap, dist) = (rep.cost_rel_gap, rep.function_rel_l2);
    let (cost, lower, upper) = (
        rep.inr_cost,
        rep.convex_lower.unwrap_or(none),
        rep.convex_upper.unwrap_or(none),
    );
    let (res, y_norm) = (rep.inr_residual, rep.data_norm);
    let tg = claim.tolerances.cost_gap.unwrap_or(1e-4);
    let td = claim.tolerances.distance.unwrap_or(1e-3);
    let excess = if cost > upper {
        (cost - upper) / upper
    } else if cost < lower {
        (lower - cost) / lower
    } else {
        0.0
    };
    r.margin = (1.0 - excess / tg).min(1.0 - dist / td);
    let numbers = format!(
        "cost gap {gap:.3e}, function distance {dist:.3e}, residual {:.1e} |y|",
        res / y_norm
    );
    let all_finite = [gap, dist, cost, lower, upper, res, y_norm]
        .iter()
        .all(|x| x.is_finite());
    (r.outcome, r.note) = if !all_finite {
        (
            Outcome::Inconclusive,
            format!("no usable numbers: {numbers}"),
        )
    } else if res > FEASIBLE_REL * y_norm {
        (
            Outcome::Inconclusive,
            format!("trainer did not fit the data: {numbers}"),
        )
    } else if cost > upper * (1.0 + tg) {
        (
            Outcome::Inconclusive,
            format!("trainer stopped above value(11): {numbers}"),
        )
    } else if cost < lower * (1.0 - tg) {
        (
            Outcome::Failed,
            format!("INR cost below the certified bracket of value(11): {numbers}"),
        )
    } else if dist <= td {
        (Outcome::Held, numbers)
    } else {
        (
            Outcome::Failed,
            format!("a different function at the minimal cost: {numbers}"),
        )
    };
    r
}

fn identity(claim: &Claim, cell: &Cell, seed: u64, mut r: InstanceResult) -> InstanceResult {
    let tol = claim.tolerances.identity.unwrap_or(1e-10);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let spec = match (SpecInput {
        d: Some(cell.d as i64),
        k0: Some(cell.k0 as i64),
        k: Some(cell.k as i64),
        psi: Some(cell.psi.clone()),
        ..Default::default()
    })
    .build()
    {
        Ok(s) => s,
        Err(e) => {
            r.note = e.to_string();
            return r;
        }
    };
    let dim = spec.feature_dim();
    fn normal(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect()
    }
    let err: Result<f64, String> = (|| {
        let plan = DiscretizationPlan::for_spec(&spec).map_err(|e| e.to_string())?;
        let psi = inrsamp::certify::eta::psi_for(&spec, &plan).map_err(|e| e.to_string())?;
        match claim.identity {
            Some(Identity::RealMapNorm) => {
                let map = inrsamp::fourier::RealMap::new(cell.d, cell.k);
                let y = normal(&mut rng, map.len());
                let full = map.to_complex(&y).map_err(|e| e.to_string())?;
                let cn: f64 = full.iter().map(|(_, c)| c.norm_sqr()).sum::<f64>().sqrt();
                let rn: f64 = y.iter().map(|v| v * v).sum::<f64>().sqrt();
                Ok((cn - rn).abs() / rn)
            }
            Some(Identity::ParsevalPre) => {
                let w = normal(&mut rng, dim);
                let n = 2 * cell.k0 + 3;
                let vals = ShallowInr::single(cell.d, cell.k0, w.clone());
                // g itself (not rectified): synthesize w and -w and combine.
                let neg = ShallowInr::single(cell.d, cell.k0, w.iter().map(|v| -v).collect());
                let (p, q) = (vals.grid_values(n), neg.grid_values(n));
                let l2 = (p
                    .iter()
                    .zip(&q)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    / p.len() as f64)
                    .sqrt();
                let pre = inrsamp::inr::psi::psi_pre(&w);
                Ok((l2 - pre).abs() / pre)
            }
            Some(Identity::Homogeneity) => {
                let w = normal(&mut rng, dim);
                let alpha = 10f64.powf(-2.0 + 4.0 * rng.random::<f64>());
                let aw: Vec<f64> = w.iter().map(|v| alpha * v).collect();
                let p = psi.value(&w).map_err(|e| e.to_string())?;
                let pa = psi.value(&aw).map_err(|e| e.to_string())?;
                Ok(if p > 0.0 {
                    (pa - alpha * p).abs() / (alpha * p)
                } else {
                    pa.abs()
                })
            }
            Some(Identity::Balancing) => {
                // The library's balancing (`train::readout::balance`) against
                // an independent computation: its balanced cost must equal
                // the minimum over s > 0 of 1/2 (a^2/s^2 + s^2 psi(w)^2),
                // found by golden section on log s and summed over the
                // units, its R_psi before balancing must equal 1/2 sum (a^2 +
                // psi(w)^2), and the balanced units (a/s, s w) must give the
                // same function. A wrong rescaling fails the first and third.
                let t = ShallowInr::random(cell.d, cell.k0, cell.width, seed)
                    .map_err(|e| e.to_string())?;
                let dim = t.units[0].w.len();
                let width = t.units.len();
                let mut theta = vec![0.0; width * (1 + dim)];
                let mut numeric = 0.0;
                let mut before = 0.0;
                for (j, u) in t.units.iter().enumerate() {
                    let scale = 0.3 + 3.0 * rng.random::<f64>();
                    theta[j] = u.a / scale;
                    for (i, v) in u.w.iter().enumerate() {
                        theta[width + j * dim + i] = v * scale;
                    }
                    let p = psi
                        .value(&theta[width + j * dim..width + (j + 1) * dim])
                        .map_err(|e| e.to_string())?;
                    let a = theta[j];
                    before += 0.5 * (a * a + p * p);
                    if p == 0.0 {
                        continue;
                    }
                    let f = |ls: f64| 0.5 * (a * a * (-2.0 * ls).exp() + (2.0 * ls).exp() * p * p);
                    let (mut lo, mut hi) = (-30.0f64, 30.0f64);
                    let g = 0.5 * (5f64.sqrt() - 1.0);
                    for _ in 0..200 {
                        let (x1, x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
                        if f(x1) < f(x2) { hi = x2 } else { lo = x1 }
                    }
                    numeric += f(0.5 * (lo + hi));
                }
                let bal = inrsamp::train::readout::balance(cell.d, cell.k0, dim, &theta, &psi)
                    .map_err(|e| e.to_string())?;
                // R_psi of the balanced units, recomputed here.
                let mut after = 0.0;
                // (A vanishing unit, psi = 0, has infimum 0, not attained:
                // the library leaves it as it is; it is left out here.)
                for u in &bal.network.units {
                    let p = psi.value(&u.w).map_err(|e| e.to_string())?;
                    if p > 0.0 {
                        after += 0.5 * (u.a * u.a + p * p);
                    }
                }
                let n = 16;
                let original = ShallowInr {
                    d: cell.d,
                    k0: cell.k0,
                    units: (0..width)
                        .map(|j| inrsamp::inr::network::Unit {
                            a: theta[j],
                            w: theta[width + j * dim..width + (j + 1) * dim].to_vec(),
                        })
                        .collect(),
                };
                let (fa, fb) = (original.grid_values(n), bal.network.grid_values(n));
                let fnorm = fa
                    .iter()
                    .map(|v| v * v)
                    .sum::<f64>()
                    .sqrt()
                    .max(f64::MIN_POSITIVE);
                let fdiff = fa
                    .iter()
                    .zip(&fb)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f64>()
                    .sqrt()
                    / fnorm;
                let scale = numeric.max(f64::MIN_POSITIVE);
                Ok([
                    (bal.cost - numeric).abs() / scale,
                    (after - numeric).abs() / scale,
                    (bal.regularizer_before - before).abs() / before.max(f64::MIN_POSITIVE),
                    fdiff,
                ]
                .into_iter()
                .fold(0.0, f64::max))
            }
            None => Err("kind = identity without an identity".into()),
        }
    })();
    match err {
        Ok(e) => {
            r.margin = 1.0 - e / tol;
            r.note = format!("relative error {e:.3e} (tolerance {tol:.1e})");
            r.outcome = if e <= tol {
                Outcome::Held
            } else {
                Outcome::Failed
            };
        }
        Err(e) => r.note = format!("error: {e}"),
    }
    r
}

/// Per cell: unique (proved / estimated margin) / recovered / not recovered
/// / inconclusive, for claims decided by the convex verdict (no lines for
/// other claims).
pub fn verdict_cell_lines(results: &[InstanceResult]) -> Vec<String> {
    if results.iter().all(|r| r.verdict.is_empty()) {
        return Vec::new();
    }
    let mut cells: Vec<String> = Vec::new();
    for r in results {
        let c = r.cell.to_string();
        if !cells.contains(&c) {
            cells.push(c);
        }
    }
    cells
        .into_iter()
        .map(|c| {
            let of = |v: &str| {
                results
                    .iter()
                    .filter(|r| r.cell.to_string() == c && r.verdict == v)
                    .count()
            };
            let n = results.iter().filter(|r| r.cell.to_string() == c).count();
            let errors = n
                - of("unique-proved")
                - of("unique-estimated")
                - of("recovered")
                - of("not_recovered")
                - of("inconclusive");
            format!(
                "    [{c}] n {n}: unique {} (proved {}, estimated {}), recovered {}, not_recovered {}, inconclusive {}{}",
                of("unique-proved") + of("unique-estimated"),
                of("unique-proved"),
                of("unique-estimated"),
                of("recovered"),
                of("not_recovered"),
                of("inconclusive"),
                if errors > 0 {
                    format!(", errors {errors}")
                } else {
                    String::new()
                }
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(psi: &str, verdict: &str) -> InstanceResult {
        InstanceResult {
            cell: Cell {
                d: 2,
                k0: 1,
                k: 2,
                width: 1,
                psi: psi.into(),
            },
            seed: 0,
            outcome: Outcome::Held,
            margin: 0.0,
            note: String::new(),
            command: String::new(),
            verdict: verdict.into(),
        }
    }

    #[test]
    fn verdict_cells_count_each_verdict_and_the_errors() {
        let rs = vec![
            result("mod", "unique-proved"),
            result("mod", "unique-estimated"),
            result("mod", "unique-estimated"),
            result("std", "not_recovered"),
            result("std", "inconclusive"),
            result("std", "error"),
        ];
        let lines = verdict_cell_lines(&rs);
        assert_eq!(
            lines,
            vec![
                "    [d=2 k0=1 k=2 w=1 psi=mod] n 3: unique 3 (proved 1, estimated 2), recovered 0, not_recovered 0, inconclusive 0",
                "    [d=2 k0=1 k=2 w=1 psi=std] n 3: unique 0 (proved 0, estimated 0), recovered 0, not_recovered 1, inconclusive 1, errors 1",
            ]
        );
        assert!(verdict_cell_lines(&[result("std", "")]).is_empty());
    }
}
