//! Certified refinement (docs/theory.md 5): solve (P_N) on the grid, search the
//! whole sphere for the largest `|eta|`, add the violators as new columns,
//! re-solve, repeat. With `s = max(1, sup |eta|)`, `lambda / s` is feasible
//! for the continuous dual, hence the bracket printed with every result:
//!
//! `dual(P_N) / s  <=  value(11)  <=  value(P_N)`.
//!
//! Rounds use the search's estimate of the sup (plus the thin-bump limit of
//! `psi_mod`, whose near-Dirac directions are offered to the next LP). The
//! final bracket (docs/theory.md 9) is stricter: its lower end divides by a
//! bound of the sup that is `proved` by branch-and-bound where the dimension
//! allows ([`super::sup`]) and `estimated` otherwise; its upper end is the
//! cost of the LP's measure only after that measure is polished and its
//! residual verified ([`super::verified`]); without that there is no upper
//! bound. The plan's operator (exact coefficients or a quadrature) defines
//! which problem is bracketed.

use super::bound::BoundKind;
pub use super::bracket::{
    CertifiedSolve, DUPLICATE_COS, FINAL_STARTS_FACTOR, Guide, LowerSource, RefineSettings,
    RoundRecord, SLIDE_MERGE_RADIUS, SolveOptions,
};
pub use super::exchange::{
    INSERT_AMPLITUDE, KKT_CLUSTER_SHARES, KKT_GATE, KKT_INSERTIONS, ROUND_DENSE_DIVISOR,
    STENCIL_STEP,
};
use super::exchange::{
    insert_violators, kkt_from_clusters, lp_clusters, next_columns, record_solution, search_lambda,
};
use super::final_bound::{final_bound, lower_end_of};
use super::kkt::KktSolution;
use super::smoothing::smoothed_lambda;
use super::sup::SupBound;
use super::verified::{Operator, VerifySettings, candidate_measure};
use crate::convex::Program;
use crate::convex::columns::{GridSolve, solve_grid, usable};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;

/// Solves (P_N) on `dict`, brackets value(11), and refines when asked.
pub fn solve_certified(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &mut Dictionary,
    y: &[f64],
    opts: &SolveOptions,
) -> Result<CertifiedSolve> {
    solve_certified_observed(spec, plan, dict, y, opts, &mut |_| {})
}

/// [`solve_certified`], calling `on_round` with each round's record as it
/// is made (progress displays; the record is also in the result's
/// `history`).
pub fn solve_certified_observed(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &mut Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    on_round: &mut dyn FnMut(&RoundRecord),
) -> Result<CertifiedSolve> {
    solve_certified_hinted(spec, plan, dict, y, opts, Guide::default(), on_round)
}

/// [`solve_certified_observed`] with a dual candidate `guide.hint` searched in
/// the first round beside the LP's `lambda` (`certify` passes the
/// pre-certificate of the teacher's support, the hypothesis under test).
/// Any `lambda` gives a valid lower bound `dual(lambda) / max(1, sup
/// |eta|)`, so the hint can only tighten the bracket, never make it wrong;
/// when it is a certificate the bracket closes in the first round.
///
/// With `guide.stop_below` (`certify --decide`: the teacher's cost less its
/// tolerance), refinement also stops as soon as a measure cheaper than it
/// is verified: the question "is the teacher the minimizer" is then
/// answered (no), and the bracket returned is valid but need not be tight.
/// With `guide.feasible_cost` (the cost of a measure already verified, the
/// teacher's in `certify`), the bracket counts as tight once the lower end
/// reaches it.
pub fn solve_certified_hinted(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &mut Dictionary,
    y: &[f64],
    opts: &SolveOptions,
    guide: Guide<'_>,
    on_round: &mut dyn FnMut(&RoundRecord),
) -> Result<CertifiedSolve> {
    let Guide {
        hint,
        stop_below,
        feasible_cost,
        lambda_only,
        certificate,
    } = guide;
    let known_upper = feasible_cost.unwrap_or(f64::INFINITY);
    crate::numeric::check_data_scale("measurements", y)?;
    let start = std::time::Instant::now();
    let mut warm: Option<Vec<usize>> = None;
    let mut rounds = 0usize;
    let mut added = 0usize;
    // Every round's lambda gives a valid lower bound; keep the best.
    let mut best_lower = f64::NEG_INFINITY;
    // The lambda behind the best lower bound of the rounds (with its dual value).
    let mut best_lambda: Option<(Vec<f64>, f64)> = None;
    let mut history: Vec<RoundRecord> = Vec::new();
    let mut best_kkt: Option<KktSolution> = None;
    // The round Guide::certificate was checked in, with the strict
    // certificate it found.
    let mut checked: Option<(usize, Option<super::CertificateReport>)> = None;
    loop {
        let prog = Program::new(&dict.columns, dict.m, y, &dict.psi, opts.delta)?;
        let grid = solve_grid(
            &prog,
            opts.strategy,
            opts.backend,
            &opts.solver,
            &opts.columns,
            warm.as_deref(),
        )?;
        // A solve without a bracket: an unusable LP, or lambda-only.
        let bare = |grid: GridSolve, rounds: usize, history: Vec<RoundRecord>| {
            CertifiedSolve::bare(grid, Operator::of(plan), (rounds, added), history, start)
        };
        if !usable(&grid) {
            return Ok(bare(grid, rounds, history));
        }
        // psi_mod: the data norm closes the first LP's bracket without a
        // search (super::cauchy_schwarz::closed_by_data_norm).
        if let Some(dn) = (rounds == 0 && !lambda_only)
            .then(|| {
                super::cauchy_schwarz::closed_by_data_norm(
                    spec,
                    plan,
                    dict,
                    y,
                    opts,
                    (&grid.lp.c, grid.lp.primal_objective),
                )
            })
            .transpose()?
            .flatten()
        {
            return Ok(CertifiedSolve {
                lower_kind: dn.sup.kind,
                sup: Some(dn.sup),
                certified_lower: dn.lower,
                certified_upper: dn.measure.cost,
                lower_lambda: Some(dn.lambda),
                lower_source: LowerSource::DataNorm,
                measure: Some(dn.measure),
                ..bare(grid, rounds, history)
            });
        }
        // The optimality system solved from the LP's clusters (refinement
        // of equality data only): its lambda, when it converges, is the one
        // searched this round, and its measure an upper candidate.
        let clusters = lp_clusters(spec, &grid.lp.c, dict);
        // The hint (first round only) is searched first: when it closes the
        // bracket on its own, the LP's lambda need not be searched.
        let hinted = match hint {
            Some(h) if rounds == 0 && h.len() == dict.m && h.iter().all(|v| v.is_finite()) => Some(
                search_lambda(spec, plan, dict, h.to_vec(), prog.dual_value(h), opts)?,
            ),
            _ => None,
        };
        let value = grid.lp.primal_objective;
        let hint_closes = hinted.as_ref().is_some_and(|h| {
            h.sup.value <= 1.0 + opts.refine.eps_for(&spec.psi)
                && h.dual / h.sup.value.max(1.0)
                    >= value - opts.refine.eps_for(&spec.psi) * value.abs()
        });
        // Otherwise the LP's lambda is searched (its violators are what the
        // LP misses); the optimality system's too when it converged.
        let mut searched = Vec::new();
        if !hint_closes {
            searched.push(search_lambda(
                spec,
                plan,
                dict,
                grid.lp.lambda.clone(),
                grid.lp.dual_objective,
                opts,
            )?);
        }
        // Where the hint sits in `searched` (its feasibility proves its own
        // lower bound only, so it never stops the refinement by itself).
        let hint_index = hinted.as_ref().map(|_| searched.len());
        searched.extend(hinted);
        // Dual smoothing (in-out column generation, `--dual-smoothing`; by
        // default on for psi_mod only): when the LP's lambda is
        // infeasible, the point between it and the best scaled lambda so far
        // (feasible by its search) is searched too. Its violators are
        // violated by the LP's lambda as well, and its lower bound improves
        // on the best one whenever it is feasible, so the bracket closes from
        // below even when the LP's duals jump between vertices.
        // (The in-point comes from earlier rounds or the hint: this round's
        // own lambda would only rescale itself.)
        let smooth_index = match smoothed_lambda(
            &best_lambda,
            best_lower,
            &searched[hint_index.unwrap_or(searched.len())..],
            &grid.lp.lambda,
            opts.refine.smoothing_in_round(
                &spec.psi,
                stop_below.is_some(),
                super::smoothing::stalled(&history, value),
            ),
        ) {
            Some(lam_s)
                if !hint_closes
                    && searched[0].sup.value > 1.0 + opts.refine.eps_for(&spec.psi)
                    && opts.refine.enabled =>
            {
                let dual_s = prog.dual_value(&lam_s);
                searched.push(search_lambda(spec, plan, dict, lam_s, dual_s, opts)?);
                Some(searched.len() - 1)
            }
            _ => None,
        };
        // Only near convergence: far from it the clusters are not the
        // support and the system fails after costly iterations.
        let kkt = if opts.refine.enabled
            && opts.delta == 0.0
            && !hint_closes
            && searched[0].sup.value <= 1.0 + KKT_GATE
        {
            kkt_from_clusters(spec, plan, &clusters, &grid.lp.lambda, y)?
        } else {
            None
        };
        let mut kkt_atoms: Vec<Vec<f64>> = Vec::new();
        if let Some(k) = &kkt {
            record_solution(spec, plan, dict, y, opts, k, &mut searched, &mut kkt_atoms)?;
            if let Some(ins) =
                insert_violators(spec, plan, dict, y, opts, k, &mut searched, &mut kkt_atoms)?
                && best_kkt
                    .as_ref()
                    .is_none_or(|b: &KktSolution| ins.cost < b.cost)
            {
                best_kkt = Some(ins);
            }
        }
        for sr in &searched {
            let lower = sr.dual / sr.sup.value.max(1.0);
            if lower > best_lower {
                best_lower = lower;
                best_lambda = Some((sr.lambda.clone(), sr.dual));
            }
        }
        // This round's lambda for the final bracket: the one with the best lower estimate.
        let primary = searched
            .iter()
            .max_by(|a, b| {
                (a.dual / a.sup.value.max(1.0)).total_cmp(&(b.dual / b.sup.value.max(1.0)))
            })
            .expect("the LP's lambda or the hint is always searched");
        let sup_min = searched
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != smooth_index)
            .map(|(_, sr)| sr.sup.value)
            .fold(f64::INFINITY, f64::min);
        if let Some(k) = &kkt
            && best_kkt
                .as_ref()
                .is_none_or(|b: &KktSolution| k.cost < b.cost)
        {
            best_kkt = Some(k.clone());
        }
        let upper = best_kkt.as_ref().map_or(grid.lp.primal_objective, |k| {
            k.cost.min(grid.lp.primal_objective)
        });
        history.push(RoundRecord {
            round: rounds,
            columns: dict.len(),
            lp_value: upper,
            lower_estimate: best_lower,
            sup_estimate: sup_min,
            smoothed_sup: smooth_index.map(|i| searched[i].sup.value),
            kkt_atoms: best_kkt.as_ref().map(|k| k.atoms.len()),
            seconds: start.elapsed().as_secs_f64(),
        });
        if let Some(r) = history.last() {
            on_round(r);
        }
        let best_upper = upper.min(known_upper);
        let tight = best_upper - best_lower <= opts.refine.eps_for(&spec.psi) * best_upper.abs();
        let finished = !opts.refine.enabled
            // The LP's (or the optimality system's) lambda feasible on the
            // sphere. Not the hint's: its feasibility proves its own lower
            // bound only, which `tight` already tests.
            || searched
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != hint_index && Some(*i) != smooth_index)
                .any(|(_, sr)| sr.sup.value <= 1.0 + opts.refine.eps_for(&spec.psi))
            || tight
            || rounds >= opts.refine.rounds_for(&spec.psi);
        // Decide mode: a candidate cheaper than the threshold; it stops the
        // refinement only if its measure verifies (below).
        let decide_now = stop_below.is_some_and(|sb| upper < sb);
        // Decide mode, not finished otherwise: the measure is verified
        // first, and the thorough search (which sets only the lower end)
        // runs when the measure decides, on one lambda (the round's best
        // estimate); when it does not decide, refinement goes on.
        let decide_only = decide_now && !finished;
        let decides = |m: &super::verified::VerifiedMeasure| {
            m.verified && stop_below.is_some_and(|sb| m.cost < sb)
        };
        // The sliding step only lowers the cost of a measure (it can take
        // minutes on a few hundred atoms): in decide mode it runs only when
        // the measure without it does not decide.
        let measure_with = |s: &VerifySettings| {
            candidate_measure(
                spec,
                plan,
                &*dict,
                &grid.lp.c,
                best_kkt.as_ref(),
                y,
                opts.delta,
                s,
            )
        };
        let early_measure = if decide_only {
            let unslid = VerifySettings {
                slide: false,
                ..opts.verify
            };
            let m = measure_with(&unslid)?;
            Some(if decides(&m) || !opts.verify.slide {
                m
            } else {
                measure_with(&opts.verify)?
            })
        } else {
            None
        };
        let done = finished || early_measure.as_ref().is_some_and(decides);
        let mut reopened: Vec<f64> = Vec::new();
        let mut final_lower = f64::NAN;
        let mut final_lambda: Vec<f64> = Vec::new();
        let mut final_fin: Option<(SupBound, Option<LowerSource>)> = None;
        // Lambda-only: the thorough search below matters only when it can
        // reopen the refinement.
        let can_reopen =
            opts.refine.enabled && rounds < opts.refine.rounds_for(&spec.psi) && !decide_now;
        if done && lambda_only && !can_reopen {
            return Ok(bare(grid, rounds, history));
        }
        if done {
            // The final bracket: a bound of the sup with its kind, and a
            // verified measure.
            let primary_estimate = primary.dual / primary.sup.value.max(1.0);
            let decide_lambda = best_lambda.clone().filter(|(l, _)| {
                decide_only && *l != primary.lambda && best_lower > primary_estimate
            });
            // The hypothesis's certificate first, once, when no cheaper
            // measure is in sight (super::final_bound::certificate_first).
            let first = match certificate.filter(|_| {
                !decide_only
                    && checked.is_none()
                    && upper >= known_upper * (1.0 - opts.refine.eps_for(&spec.psi))
            }) {
                Some(check) => {
                    let system = (primary.lambda != grid.lp.lambda).then_some(&primary.lambda[..]);
                    super::final_bound::certificate_first(
                        spec,
                        plan,
                        dict,
                        y,
                        opts,
                        check,
                        (&grid.lp.lambda, system),
                        best_upper,
                    )?
                }
                None => None,
            };
            let closing = first.as_ref().and_then(|f| f.closing.clone());
            // Decide mode, psi_mod: the proved lower end |y| - delta, no
            // search (super::cauchy_schwarz::decide_lower).
            let data_norm = (decide_only && closing.is_none())
                .then(|| super::cauchy_schwarz::decide_lower(spec, plan, y, opts))
                .flatten();
            let forced_source = if closing.is_some() {
                Some(LowerSource::Certificate)
            } else {
                data_norm.as_ref().map(|_| LowerSource::DataNorm)
            };
            let by_certificate = forced_source.is_some();
            if let Some(f) = first {
                checked = Some((rounds, f.report));
            }
            let (mut fin, mut certified_lower, mut lower_lambda) =
                match (closing.or(data_norm), decide_lambda) {
                    (Some(c), _) => c,
                    (None, Some((lam_b, dual_b))) => {
                        lower_end_of(spec, plan, dict, opts, lam_b, dual_b)?
                    }
                    (None, None) => {
                        let fin = final_bound(spec, plan, dict, &primary.field, opts)?;
                        let lower = primary.dual / fin.value.max(1.0);
                        (fin, lower, primary.lambda.clone())
                    }
                };
            // An earlier round's lambda may give the better bound (not in
            // decide mode: there one thorough search is enough).
            if let Some((lam_b, dual_b)) = best_lambda
                .clone()
                .filter(|(l, _)| !decide_only && !by_certificate && *l != primary.lambda)
            {
                let (fin_b, lower_b, lam_b) = lower_end_of(spec, plan, dict, opts, lam_b, dual_b)?;
                if lower_b > certified_lower
                    && (fin_b.kind == BoundKind::Proved || fin.kind == BoundKind::Estimated)
                {
                    certified_lower = lower_b;
                    fin = fin_b;
                    lower_lambda = lam_b;
                }
            }
            // The rounds' best lower estimate gives way to the thorough one.
            best_lower = certified_lower;
            best_lambda = Some((lower_lambda.clone(), certified_lower * fin.value.max(1.0)));
            final_lower = certified_lower;
            final_lambda = lower_lambda;
            // The thorough search may show the rounds' estimate optimistic:
            // then refinement goes on from its violators (while rounds are left).
            let open_gap =
                best_upper - certified_lower > opts.refine.eps_for(&spec.psi) * best_upper.abs();
            if open_gap && can_reopen {
                reopened = fin
                    .maxima
                    .iter()
                    .filter(|p| p.eta.abs() > 1.0 + opts.refine.eps_for(&spec.psi))
                    .take(opts.refine.added_per_round(&spec.psi))
                    .flat_map(|p| p.w.clone())
                    .collect();
            }
            final_fin = Some((fin, forced_source));
        }
        if done && reopened.is_empty() && lambda_only {
            return Ok(bare(grid, rounds, history));
        }
        if done && reopened.is_empty() {
            let certified_lower = final_lower;
            let lower_lambda = final_lambda;
            let (fin, forced_source) = final_fin.expect("computed when done");
            let lower_source = LowerSource::of(forced_source, &lower_lambda, &grid.lp.lambda, hint);
            let lower_is_system = (lower_lambda != grid.lp.lambda).then_some(lower_lambda);
            let measure = match early_measure {
                Some(m) => m,
                None => measure_with(&opts.verify)?,
            };
            let certified_upper = if measure.verified {
                measure.cost
            } else {
                f64::NAN
            };
            let decided = stop_below.is_some_and(|sb| certified_upper < sb);
            if finished || decided {
                return Ok(CertifiedSolve {
                    grid,
                    lower_kind: fin.kind,
                    lower_lambda: lower_is_system,
                    lower_source,
                    sup: Some(fin),
                    certified_lower,
                    certified_upper,
                    measure: Some(measure),
                    operator: Operator::of(plan),
                    refine_rounds: rounds,
                    added_directions: added,
                    history,
                    seconds: start.elapsed().as_secs_f64(),
                    certificate: checked.filter(|(r, _)| *r == rounds).and_then(|(_, c)| c),
                });
            }
            // Decide mode stopped on a candidate whose measure does not
            // decide: refinement goes on.
        }
        // The next LP's new columns (violators, limits, cluster means, the
        // optimality system's atoms or the slid clusters), deduplicated.
        let fresh = next_columns(
            spec,
            plan,
            dict,
            y,
            opts,
            reopened,
            &searched,
            hint_index,
            &clusters,
            kkt.is_some(),
            &kkt_atoms,
        )?;
        let new_idx = dict.append(spec, &fresh)?;
        added += new_idx.len();
        rounds += 1;
        let mut w = grid.active.clone();
        w.extend(new_idx);
        warm = Some(w);
    }
}
