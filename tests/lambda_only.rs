//! `Guide::lambda_only`, the mode of the dense LP dual's solve
//! (`src/certify/dense_dual.rs`): it skips the verified measure and the
//! final thorough search where that search cannot reopen the refinement.
//! The rounds and the final LP's `lambda` (the only output the candidate
//! uses) must be exactly those of a full solve, on the two paths where the
//! mode returns early: a bracket that closed, was reopened by the thorough
//! search and closed again; and the round limit.

mod common;
use common::*;
use inrsamp::certify::refine::{CertifiedSolve, Guide, SolveOptions, solve_certified_hinted};
use inrsamp::certify::verdict::{teacher_measurements, verdict_plan};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::ProblemSpec;

/// d = 2, K0 = 1, cutoff `k`, a random width-`width` teacher of seed `seed`.
fn instance(psi: &str, k: i64, width: usize, seed: u64) -> (ProblemSpec, Vec<f64>) {
    let mut s = spec(2, 1, k, psi);
    s.seed = seed;
    let t = ShallowInr::random(2, 1, width, seed).unwrap();
    let plan = verdict_plan(&s).unwrap();
    let y = teacher_measurements(&s, &plan, &t).unwrap();
    (s, y)
}

/// A refined solve from a 300-direction grid.
fn solve(spec: &ProblemSpec, y: &[f64], max_rounds: usize, lambda_only: bool) -> CertifiedSolve {
    let mut opts = SolveOptions::default();
    opts.refine.enabled = true;
    opts.refine.max_rounds = Some(max_rounds);
    let plan = verdict_plan(spec).unwrap();
    let grid = inrsamp::sphere::SphereGrid::new(spec.feature_dim(), 300, spec.seed).unwrap();
    let mut dict = inrsamp::dictionary::Dictionary::build(spec, &plan, &grid.points).unwrap();
    let guide = Guide {
        lambda_only,
        ..Default::default()
    };
    solve_certified_hinted(spec, &plan, &mut dict, y, &opts, guide, &mut |_| {}).unwrap()
}

fn assert_same_path(full: &CertifiedSolve, bare: &CertifiedSolve, what: &str) {
    assert_eq!(full.refine_rounds, bare.refine_rounds, "{what}: rounds");
    assert_eq!(full.history.len(), bare.history.len(), "{what}: history");
    assert_eq!(
        full.grid.lp.lambda, bare.grid.lp.lambda,
        "{what}: final lambda"
    );
    assert!(
        full.measure.is_some() && full.sup.is_some(),
        "{what}: full solve"
    );
    assert!(
        bare.measure.is_none() && bare.sup.is_none(),
        "{what}: lambda-only"
    );
    assert!(bare.certified_lower.is_nan() && bare.certified_upper.is_nan());
}

#[test]
#[ignore = "slow (about 15 s on 2 cores): .ci/run runs it (cargo test -- --include-ignored)"]
fn a_reopened_bracket_ends_at_the_same_lambda() {
    // psi_std, K = 2, width 3, seed 5026: the rounds' estimate closes the
    // bracket, the thorough search reopens it, and it closes again (10
    // rounds). (Until 2026-12-06 the instance was K = 3, width 2, seed
    // 5003, which reopened at round 22; with the x2 rule of that day it runs
    // its 30 rounds. A reopened bracket is rare: 1 of about 115 instances
    // of seeds 5003 to 5049 in four cells had one.)
    let (s, y) = instance("std", 2, 3, 5026);
    let full = solve(&s, &y, 30, false);
    let last = full.history.len() - 1;
    let reopened = full.history[..last]
        .iter()
        .any(|h| h.lower_estimate >= h.lp_value * (1.0 - 1e-9));
    assert!(
        reopened,
        "no reopened round: the case does not test that path"
    );
    assert!(full.refine_rounds < 30);
    let bare = solve(&s, &y, 30, true);
    assert_same_path(&full, &bare, "std");
}

#[test]
fn the_round_limit_ends_at_the_same_lambda() {
    // psi_mod, width 2, seed 5004: far from closing after 2 rounds.
    let (s, y) = instance("mod", 3, 2, 5004);
    let full = solve(&s, &y, 2, false);
    assert_eq!(full.refine_rounds, 2);
    let gap = full.certified_upper - full.certified_lower;
    assert!(gap > 1e-3 * full.certified_upper, "closed: gap {gap:e}");
    let bare = solve(&s, &y, 2, true);
    assert_same_path(&full, &bare, "mod");
}
