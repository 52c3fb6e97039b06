//! Shared helpers of the integration tests.
#![allow(dead_code)]

use inrsamp::spec::{ProblemSpec, SpecInput};

/// A validated spec from the main settings.
pub fn spec(d: i64, k0: i64, k: i64, psi: &str) -> ProblemSpec {
    SpecInput {
        d: Some(d),
        k0: Some(k0),
        k: Some(k),
        psi: Some(psi.into()),
        ..Default::default()
    }
    .build()
    .expect("valid test spec")
}

/// Euclidean norm of a difference.
pub fn dist(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Euclidean norm.
pub fn norm(a: &[f64]) -> f64 {
    a.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Least-squares slope of log(err) against log(n).
pub fn loglog_slope(ns: &[f64], errs: &[f64]) -> f64 {
    let xs: Vec<f64> = ns.iter().map(|n| n.ln()).collect();
    let ys: Vec<f64> = errs.iter().map(|e| e.ln()).collect();
    let mx = xs.iter().sum::<f64>() / xs.len() as f64;
    let my = ys.iter().sum::<f64>() / ys.len() as f64;
    let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    num / den
}

/// The built `inrsamp` binary.
pub fn inrsamp() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("inrsamp").expect("binary built")
}

/// Runs `inrsamp args`, asserts success, parses stdout as JSON.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = inrsamp().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Asserts that `inrsamp args` exits with 1, says `needle` on stderr and
/// does not panic.
pub fn fails_with(args: &[&str], needle: &str) {
    use predicates::prelude::*;
    inrsamp()
        .args(args)
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(needle))
        .stderr(predicate::str::contains("panicked").not());
}

/// The LP (P_N) on a 20 000-point sphere grid (seed 99) of the verdict's
/// operator, without refinement, clusters or Newton: an independent upper
/// bound of value(11). Returns the dictionary and the solution.
pub fn fine_grid_lp(
    spec: &ProblemSpec,
    y: &[f64],
) -> (inrsamp::dictionary::Dictionary, inrsamp::convex::LpSolution) {
    use inrsamp::convex::{Backend, Program, SolveSettings, solve};
    let plan = inrsamp::certify::verdict::verdict_plan(spec).unwrap();
    let grid = inrsamp::sphere::SphereGrid::new(spec.feature_dim(), 20_000, 99).unwrap();
    let dict = inrsamp::dictionary::Dictionary::build(spec, &plan, &grid.points).unwrap();
    let prog = Program::new(&dict.columns, dict.m, y, &dict.psi, 0.0).unwrap();
    let lp = solve(&prog, Backend::Clarabel, &SolveSettings::default()).unwrap();
    assert!(lp.status.has_solution(), "{:?}", lp.status);
    (dict, lp)
}
