//! Screened dense designs (`certify::eta::screening_plan`, README
//! "Screened designs"): in d = 2 on exact columns, the sup searches order
//! their ascent starts by `eta` on the 64 x 64 grid instead of exact
//! columns. Two claims are checked here:
//!
//! 1. a screened value is never reported: whatever a screened candidate
//!    says, the search returns values of the exact operator;
//! 2. the screened search finds what the search on exact designs finds: on
//!    fresh seeds (random `lambda`s and LP duals of width-2 teachers, psi_std
//!    and psi_pre, K = 2 and 3; for psi_mod, screened from the session of
//!    2026-12-07, random `lambda`s, LP duals and the pre-certificates of
//!    width-1 teachers, whose `|eta|` has plateaus just below 1, K = 2 to
//!    4), with the thorough search's settings, its sup is not below the
//!    twin's (the same search on the same design, built on exact columns)
//!    beyond 1e-9 relative.

use inrsamp::certify::eta::{
    EtaField, EtaPoint, SupSettings, dense_eta_screened, screening_plan, sup_eta,
};
mod common;
use inrsamp::spec::ProblemSpec;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// d = 2, K0 = 1 (the shared test spec) with the problem seed `seed`.
fn spec(k: usize, psi: &str, seed: u64) -> ProblemSpec {
    let mut s = common::spec(2, 1, k as i64, psi);
    s.seed = seed;
    s
}

fn random_lambda(m: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..m).map(|_| StandardNormal.sample(&mut rng)).collect()
}

#[test]
fn screening_applies_to_exact_d2_plans_only() {
    for (psi, expected) in [("std", true), ("pre", true), ("mod", true)] {
        let sp = spec(3, psi, 1);
        let plan = inrsamp::certify::verdict::verdict_plan(&sp).unwrap();
        assert!(plan.exact, "d = 2 verdicts run on exact columns");
        assert_eq!(screening_plan(&sp, &plan).is_some(), expected, "psi_{psi}");
        let grid = inrsamp::dictionary::DiscretizationPlan {
            exact: false,
            ..plan
        };
        assert!(
            screening_plan(&sp, &grid).is_none(),
            "a grid plan is its own screen"
        );
    }
}

#[test]
fn a_screened_value_is_never_reported() {
    let sp = spec(3, "std", 41200);
    let plan = inrsamp::certify::verdict::verdict_plan(&sp).unwrap();
    let lambda = random_lambda(sp.measurement_count(), 41201);
    let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
    let design = dense_eta_screened(&sp, &plan, &lambda, 2_000, 41202, true).unwrap();
    assert!(design.iter().all(|p| p.screened));
    // The design's best point, with a false screened value far above any
    // |eta| of this lambda (|eta| <= |lambda| |A_K sigma(g)| / |w|, well
    // below 1e3 here), and an exact candidate elsewhere.
    let best = design
        .iter()
        .max_by(|a, b| a.eta.abs().total_cmp(&b.eta.abs()))
        .unwrap();
    let fake = EtaPoint {
        w: best.w.clone(),
        eta: 1e3,
        screened: true,
    };
    let other = design
        .iter()
        .find(|p| inrsamp::certify::eta::angle(&p.w, &best.w) > 1.0)
        .unwrap();
    let exact_other = EtaPoint {
        w: other.w.clone(),
        eta: field.value(&other.w).unwrap(),
        screened: false,
    };
    let cands = vec![fake, exact_other.clone()];
    // No ascent: only the exact candidate's value may be reported.
    let none = SupSettings {
        starts: 0,
        ..SupSettings::default()
    };
    let r = sup_eta(&field, &cands, &none, None).unwrap();
    assert_eq!(r.value, exact_other.eta.abs());
    // With ascents: the value is the exact operator's at the argmax.
    let r = sup_eta(&field, &cands, &SupSettings::default(), None).unwrap();
    let a = r.argmax.unwrap();
    assert!(!a.screened);
    assert!(r.value < 1e3);
    approx::assert_relative_eq!(a.eta, field.value(&a.w).unwrap(), max_relative = 1e-12);
    assert!(r.value >= field.value(&best.w).unwrap().abs());
}

/// Claim 2, the slower twin: the same thorough search on the exact design.
#[test]
#[ignore = "slow: .ci/run runs it (cargo test -- --include-ignored)"]
fn screened_search_finds_the_exact_designs_sup() {
    use inrsamp::certify::refine::{SolveOptions, solve_certified};
    use inrsamp::dictionary::Dictionary;
    use inrsamp::inr::network::ShallowInr;
    use inrsamp::sphere::SphereGrid;
    let mut worst: f64 = 0.0;
    let (mut evals_screened, mut evals_exact) = (0usize, 0usize);
    // Cases 8 and 10 (psi_mod, a random lambda at K = 2 and an LP dual at
    // K = 4: 560 000 and 415 000 evaluations, 10x the others) run only with
    // INRSAMP_SCREEN_ALL set; they passed on 2026-12-07 (README, "Screened
    // designs").
    for i in
        (0..14u64).filter(|i| ![8, 10].contains(i) || std::env::var("INRSAMP_SCREEN_ALL").is_ok())
    {
        // Cases 8 to 13: psi_mod, K = 2, 3, 4, twice.
        let psi = if i < 8 {
            ["std", "pre"][(i % 2) as usize]
        } else {
            "mod"
        };
        let k = if i < 8 {
            2 + ((i / 2) % 2) as usize
        } else {
            2 + ((i - 8) % 3) as usize
        };
        let sp = spec(k, psi, 41300 + i);
        let plan = inrsamp::certify::verdict::verdict_plan(&sp).unwrap();
        let (label, lambda) = if i >= 11 {
            // The teacher's pre-certificate, a certificate by Theorem 1 at
            // K = 2 (psi_mod, width 1): |eta| <= 1 with plateaus below it.
            let t = ShallowInr::random(2, 1, 1, 41500 + i).unwrap();
            let support = inrsamp::certify::teacher_measure::teacher_support(&t);
            let pre =
                inrsamp::certify::precert::vanishing_derivative(&sp, &plan, &support).unwrap();
            ("pre-certificate", pre.lambda)
        } else if i < 4 || i == 8 {
            (
                "random lambda",
                random_lambda(sp.measurement_count(), 41400 + i),
            )
        } else {
            let t = ShallowInr::random(2, 1, 2, 41500 + i).unwrap();
            let y = inrsamp::certify::verdict::teacher_measurements(&sp, &plan, &t).unwrap();
            let grid = SphereGrid::new(9, 2000, 41600 + i).unwrap();
            let mut dict = Dictionary::build(&sp, &plan, &grid.points).unwrap();
            let r = solve_certified(&sp, &plan, &mut dict, &y, &SolveOptions::default()).unwrap();
            ("LP dual", r.grid.lp.lambda)
        };
        let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
        let thorough = SupSettings {
            starts: SupSettings::default().starts * inrsamp::certify::sup::THOROUGH_STARTS_FACTOR,
            merge_radius: inrsamp::certify::ascent::MERGE_RADIUS,
            ..SupSettings::default()
        };
        let search = |screen: bool| {
            let cand = dense_eta_screened(&sp, &plan, &lambda, 20_000, 41700 + i, screen).unwrap();
            assert_eq!(cand.iter().all(|p| p.screened), screen);
            sup_eta(&field, &cand, &thorough, None).unwrap()
        };
        let (s, e) = (search(true), search(false));
        let short = (e.value - s.value) / e.value;
        eprintln!(
            "case {i} (psi_{psi}, K = {k}, {label}): sup {:.12} screened, {:.12} exact design; evaluations {} / {}",
            s.value, e.value, s.evaluations, e.evaluations
        );
        assert!(
            short <= 1e-9,
            "case {i}: the screened search fell short of the exact design's: {} < {}",
            s.value,
            e.value
        );
        // Its value is the exact operator's.
        let a = s.argmax.unwrap();
        approx::assert_relative_eq!(a.eta, field.value(&a.w).unwrap(), max_relative = 1e-12);
        worst = worst.max(short);
        evals_screened += s.evaluations;
        evals_exact += e.evaluations;
    }
    eprintln!(
        "worst shortfall {worst:.2e}; evaluations {evals_screened} screened, {evals_exact} exact"
    );
}
