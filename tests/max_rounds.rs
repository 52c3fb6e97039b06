//! The refinement's round limit (`--max-rounds`, `RefineSettings::max_rounds`,
//! `convex.max_rounds` of a plan): a limit cuts the same refinement path
//! short, never makes a bracket invalid. Checked on fresh d = 1, K0 = 1,
//! K = 3 instances that need more than one round (psi_std W = 2 seed 52 and
//! W = 3 seed 53, psi_mod W = 2 seed 54; found by a scan of seeds 51-54)
//! against an independent value of (11):
//! an LP on a 20 000-point grid of exact columns, its measure re-measured
//! unit by unit (`common::fine_grid_value`).

mod common;
use common::*;
use inrsamp::certify::refine::{CertifiedSolve, SolveOptions};
use inrsamp::certify::verdict::{teacher_measurements, verdict_plan};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::ProblemSpec;

/// Short and long round limits of the test.
const SHORT: usize = 1;
const LONG: usize = 12;

fn solve_with(spec: &ProblemSpec, y: &[f64], seed: u64, rounds: usize) -> CertifiedSolve {
    let mut opts = SolveOptions::default();
    opts.refine.enabled = true;
    opts.refine.max_rounds = Some(rounds);
    hinted_solve_with(spec, y, seed, None, &opts)
}

#[test]
fn a_round_limit_cuts_the_same_path_short_and_both_brackets_hold() {
    for (psi, width, seed) in [("std", 2usize, 52u64), ("std", 3, 53), ("mod", 2, 54)] {
        let mut spec = spec(1, 1, 3, psi);
        spec.seed = seed;
        let t = ShallowInr::random(1, 1, width, seed).unwrap();
        let plan = verdict_plan(&spec).unwrap();
        let y = teacher_measurements(&spec, &plan, &t).unwrap();
        let (fine, res) = fine_grid_value(&spec, &y);
        assert!(res < 1e-7, "seed {seed}: fine residual {res:e}");
        let short = solve_with(&spec, &y, seed, SHORT);
        let long = solve_with(&spec, &y, seed, LONG);
        // `history[0]` is the grid's LP (round 0).
        assert_eq!(short.history.len(), short.refine_rounds + 1);
        assert!(
            short.refine_rounds <= SHORT,
            "seed {seed}: {} rounds",
            short.refine_rounds
        );
        assert!(
            long.refine_rounds <= LONG,
            "seed {seed}: {} rounds",
            long.refine_rounds
        );
        // The instance must need more than SHORT rounds, else the limit is
        // not exercised.
        assert!(
            long.refine_rounds > SHORT,
            "seed {seed}: closed in {} rounds",
            long.refine_rounds
        );
        // The same path: the short run's rounds are the long run's first.
        for (a, b) in short.history.iter().zip(&long.history) {
            assert_eq!(a.columns, b.columns, "seed {seed} round {}", a.round);
            assert_eq!(a.lp_value, b.lp_value, "seed {seed} round {}", a.round);
            assert_eq!(
                a.lower_estimate, b.lower_estimate,
                "seed {seed} round {}",
                a.round
            );
        }
        // Both brackets hold the independent value (to the fine grid's
        // resolution: its LP is an upper bound of (11) too).
        for (name, s) in [("short", &short), ("long", &long)] {
            assert!(
                s.certified_lower <= fine * (1.0 + 1e-9),
                "seed {seed} {name}: lower {} above the fine-grid value {fine}",
                s.certified_lower
            );
            assert!(
                s.certified_upper >= s.certified_lower,
                "seed {seed} {name}: [{}, {}]",
                s.certified_lower,
                s.certified_upper
            );
        }
        // More rounds never widen the bracket's upper end: the long run's
        // LP values are those of the short run, then lower or equal.
        assert!(
            long.certified_upper <= short.certified_upper * (1.0 + 1e-12),
            "seed {seed}: upper {} (long) above {} (short)",
            long.certified_upper,
            short.certified_upper
        );
    }
}

#[test]
fn the_setting_keeps_earlier_hashes_and_bad_values_name_the_flag() {
    use inrsamp::experiment::ExperimentConfig;
    for bad in ["0", "10001"] {
        fails_with(
            &["solve", "--d", "1", "--k", "2", "--max-rounds", bad],
            "max-rounds",
        );
    }
    fails_with(
        &[
            "certify",
            "--d",
            "1",
            "--k",
            "2",
            "--teacher",
            "random",
            "--width",
            "1",
            "--max-rounds",
            "0",
        ],
        "max-rounds",
    );
    let base = ExperimentConfig::preset("quick").unwrap();
    let json = serde_json::to_string(&base).unwrap();
    assert!(!json.contains("max_rounds"), "{json}");
    let mut set = base.clone();
    set.convex.max_rounds = Some(60);
    set.validate().unwrap();
    assert_ne!(base.settings_hash(), set.settings_hash());
    let cfg = plan_with_convex_line("max_rounds = 60").unwrap();
    assert_eq!(cfg.convex.max_rounds, Some(60));
    let err = plan_with_convex_line("max_rounds = 0").unwrap_err();
    assert!(err.contains("convex.max_rounds"), "{err}");
}

/// An instance left open by its round limit says so and names the flag;
/// following the advice decides it. Fresh instance: d = 1, K0 = 2, K = 4,
/// psi_std, width 1, seed 3, off the grid, 200 directions (found by a scan
/// of seeds 1-3).
#[test]
fn an_open_bracket_at_the_round_limit_names_the_flag_and_more_rounds_decide() {
    let base = [
        "certify",
        "--d",
        "1",
        "--k0",
        "2",
        "--k",
        "4",
        "--psi",
        "std",
        "--teacher",
        "random",
        "--width",
        "1",
        "--seed",
        "3",
        "--off-grid",
        "--grid-points",
        "200",
        "--json",
    ];
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = inrsamp().args(base).args(extra).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let short = run(&["--max-rounds", "1"]);
    assert_eq!(short["verdict"], "inconclusive", "{short}");
    assert_eq!(short["refine_rounds"], 1, "{short}");
    let reason = short["reason"].as_str().unwrap();
    assert!(
        reason.contains("used all 1 of its rounds: raise --max-rounds"),
        "{reason}"
    );
    let full = run(&[]);
    assert_ne!(full["verdict"], "inconclusive", "{full}");
    // Two valid brackets of one value overlap.
    let (l1, u1) = (
        short["certified_lower"].as_f64().unwrap(),
        short["certified_upper"].as_f64().unwrap(),
    );
    let (l2, u2) = (
        full["certified_lower"].as_f64().unwrap(),
        full["certified_upper"].as_f64().unwrap(),
    );
    assert!(
        l1 <= u2 * (1.0 + 1e-9) && l2 <= u1 * (1.0 + 1e-9),
        "[{l1}, {u1}] and [{l2}, {u2}]"
    );
}
