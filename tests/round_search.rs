//! The effort of each refinement round's sup search (`--round-search E`,
//! `RefineSettings::round_search`): more search may change the path of the
//! refinement, never the validity of the bracket. Checked on fresh d = 1
//! instances (seeds 46-48; the README's figures come from d = 2 seeds
//! 11-16) against an independent upper bound of value(11): an LP on a
//! 20 000-point grid of exact columns, its measure re-measured unit by unit
//! (`common::fine_grid_value`).

mod common;
use common::*;
use inrsamp::certify::refine::{CertifiedSolve, SolveOptions};
use inrsamp::certify::verdict::{teacher_measurements, verdict_plan};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::ProblemSpec;

/// A refined solve on a 300-direction grid (seed `seed`) with round effort `e`.
fn solve_with(spec: &ProblemSpec, y: &[f64], seed: u64, e: Option<usize>) -> CertifiedSolve {
    let mut opts = SolveOptions::default();
    opts.refine.enabled = true;
    opts.refine.round_search = e;
    hinted_solve_with(spec, y, seed, None, &opts)
}

#[test]
fn a_stronger_round_search_keeps_every_lower_estimate_below_an_independent_optimum() {
    for (psi, seed) in [("std", 46u64), ("mod", 47), ("pre", 48)] {
        let mut spec = spec(1, 1, 3, psi);
        spec.seed = seed;
        let t = ShallowInr::random(1, 1, 2, seed).unwrap();
        let plan = verdict_plan(&spec).unwrap();
        let y = teacher_measurements(&spec, &plan, &t).unwrap();
        let (fine, res) = fine_grid_value(&spec, &y);
        assert!(res < 1e-7, "{psi}: fine residual {res:e}");
        let strong = solve_with(&spec, &y, seed, Some(4));
        let plain = solve_with(&spec, &y, seed, None);
        for r in &strong.history {
            assert!(
                r.lower_estimate <= fine * (1.0 + 1e-9),
                "{psi} seed {seed} round {}: lower estimate {} above the fine-grid value {fine}",
                r.round,
                r.lower_estimate
            );
        }
        for s in [&strong, &plain] {
            assert!(
                s.certified_lower <= fine * (1.0 + 1e-9),
                "{psi} seed {seed}: lower {} above the fine-grid value {fine}",
                s.certified_lower
            );
            assert!(
                s.certified_upper.is_finite(),
                "{psi} seed {seed}: no upper end"
            );
        }
        // Two refinement paths bound the same value(11): the brackets overlap.
        let tol = 1e-9;
        assert!(
            strong.certified_lower <= plain.certified_upper * (1.0 + tol)
                && plain.certified_lower <= strong.certified_upper * (1.0 + tol),
            "{psi} seed {seed}: brackets [{}, {}] (E = 4) and [{}, {}] (E = 1) do not overlap",
            strong.certified_lower,
            strong.certified_upper,
            plain.certified_lower,
            plain.certified_upper
        );
    }
}

#[test]
fn the_setting_is_serialized_only_when_given() {
    // Settings hashes of runs that do not set it must not change.
    let mut o = SolveOptions::default();
    let plain = serde_json::to_string(&o).unwrap();
    assert!(!plain.contains("round_search"), "{plain}");
    o.refine.round_search = Some(4);
    let set = serde_json::to_string(&o).unwrap();
    assert!(set.contains("\"round_search\":4"), "{set}");
}

#[test]
fn bad_round_search_values_name_the_flag() {
    for bad in ["0", "65"] {
        fails_with(
            &["solve", "--d", "1", "--k", "2", "--round-search", bad],
            "round-search",
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
            "--round-search",
            "100",
        ],
        "round-search",
    );
}

#[test]
fn sweep_plans_take_the_setting_without_changing_earlier_hashes() {
    use inrsamp::experiment::ExperimentConfig;
    let base = ExperimentConfig::preset("quick").unwrap();
    let mut set = base.clone();
    set.convex.round_search = Some(4);
    set.validate().unwrap();
    // Records of another round search do not mix with the default's.
    assert_ne!(base.settings_hash(), set.settings_hash());
    // Given as a TOML key, validated with the key's name.
    let cfg = plan_with_convex_line("round_search = 4").unwrap();
    assert_eq!(cfg.convex.round_search, Some(4));
    let err = plan_with_convex_line("round_search = 0").unwrap_err();
    assert!(err.contains("convex.round_search"), "{err}");
}
