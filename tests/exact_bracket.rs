//! The bracket of a d = 2, K0 = 2 verdict without a passing certificate,
//! re-derived on exact columns (`src/certify/exact_bracket.rs`: the grid
//! bracket's `lambda`, exact ascents from the grid bracket's maxima). On a
//! fresh seed (43100; nothing was tuned on it) of the cell d = 2, K0 = 2,
//! K = 3, psi_std, width 1 (K < 2 K0: no certificate is expected), checked
//! by means independent of the re-check's code:
//!
//! - the lower end is at most `dual / max(1, twin sup)`, with the dual of
//!   the printed `lambda` on the fine quadrature (N = 2048 per axis) and the
//!   twin sup from exact ascents started at a fresh design of the whole
//!   sphere (not at the grid bracket's maxima, which are the re-check's
//!   starts);
//! - the upper end, when there is one, is the cost of a measure whose
//!   residual on the fine quadrature is within [`FINE_RESIDUAL_TOL`];
//! - the grid bracket is recorded beside it, and the exact bracket holds
//!   the teacher's fine cost or lies below it (the teacher is feasible).

use approx::assert_relative_eq;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::eta::{EtaField, EtaPoint, SupSettings, dense_eta, psi_for, sup_eta};
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::verdict::{
    VerdictSettings, certify_teacher, network_of, teacher_measurements, verdict_plan,
};
use inrsamp::certify::verified::Operator;
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::SpecInput;

/// A fresh seed.
const SEED: u64 = 43_100;
/// Points per axis of the fine quadrature (its error at N = 2048 is below
/// 1e-9 relative: `tests/exact_recheck.rs`).
const FINE_N: usize = 2048;
/// Ascent starts of the grid searches (default 24): the test is about the
/// exact re-derivation, and a light grid search only loosens the bracket.
const LIGHT_STARTS: usize = 4;
/// Directions of the sphere grid (default 2 000).
const LIGHT_GRID: usize = 600;
/// `|A mu - y| / |y|` on the fine quadrature, at most: the verification
/// tolerance (1e-9) plus the fine quadrature's error.
const FINE_RESIDUAL_TOL: f64 = 1e-8;
/// Relative agreement of costs and bounds between exact columns and the
/// fine quadrature.
const COST_TOL: f64 = 1e-8;

#[test]
#[ignore = "slow (about 1 min on 2 cores): .ci/run runs it (cargo test -- --include-ignored)"]
fn bracket_without_certificate_is_exact_in_d2_k0_2() {
    let sp = SpecInput {
        d: Some(2),
        k0: Some(2),
        k: Some(3),
        psi: Some("std".into()),
        seed: Some(SEED),
        ..Default::default()
    }
    .build()
    .unwrap();
    let teacher = ShallowInr::random(2, 2, 1, SEED).unwrap();
    // Light searches and a small grid (what is checked is the exact
    // re-derivation of whatever bracket the grid gave, not its tightness).
    let sup = SupSettings {
        starts: LIGHT_STARTS,
        ..SupSettings::default()
    };
    let mut opts = SolveOptions::default();
    opts.refine.enabled = false;
    opts.sup = sup;
    let cs = CertifySettings {
        sup,
        ..CertifySettings::default()
    };
    let vs = VerdictSettings {
        grid_points: LIGHT_GRID,
        ..VerdictSettings::default()
    };
    let (rep, _, solve) = certify_teacher(&sp, &teacher, &vs, &opts, &cs).unwrap();
    eprintln!("{:?}: {}", rep.verdict, rep.reason);
    assert_eq!(rep.operator, Operator::Exact);
    let [gl, gu] = rep.grid_bracket.expect("the grid bracket is recorded");
    let passed = rep.certificate.as_ref().is_some_and(|c| c.tier.is_some());
    assert!(
        !passed,
        "a certificate passed: this test is about the search path"
    );
    let lambda = solve
        .lower_lambda
        .clone()
        .unwrap_or_else(|| solve.grid.lp.lambda.clone());
    let grid = verdict_plan(&sp).unwrap();
    let fine = DiscretizationPlan {
        n_quad: FINE_N,
        ..grid
    };
    let exact = DiscretizationPlan {
        exact: true,
        ..grid
    };
    let y = teacher_measurements(&sp, &fine, &teacher).unwrap();
    let psi = psi_for(&sp, &fine).unwrap();
    let teacher_cost = teacher.cost(&psi).unwrap();
    // The twin: the best 16 of a fresh 6 000-point design, exact ascents.
    let field = EtaField::new(&sp, &exact, lambda.clone()).unwrap();
    let mut design = dense_eta(&sp, &grid, &lambda, 6000, 0x7419).unwrap();
    design.sort_by(|a, b| b.eta.abs().total_cmp(&a.eta.abs()));
    let pool: Vec<EtaPoint> = design
        .into_iter()
        .take(100)
        .map(|p| EtaPoint {
            eta: field.value(&p.w).unwrap(),
            w: p.w,
        })
        .collect();
    let settings = SupSettings {
        starts: 16,
        ascent_iters: 100,
        ..SupSettings::default()
    };
    let twin = sup_eta(&field, &pool, &settings, None).unwrap().value;
    let dual: f64 = y.iter().zip(&lambda).map(|(a, b)| a * b).sum();
    let lower_twin = dual / twin.max(1.0);
    let lower = rep.certified_lower;
    eprintln!(
        "exact bracket [{lower:.12}, {:.12}], grid [{gl:.12}, {gu:.12}]; fine: teacher cost {teacher_cost:.12}, dual / max(1, twin sup {twin:.9}) = {lower_twin:.12}",
        rep.certified_upper
    );
    assert!(lower.is_finite(), "no exact lower end");
    // The lower end's dual is taken on exact data: times its sup it is the
    // fine dual (the grid data's dual differs by about 1e-5).
    let sup_printed = solve
        .sup
        .as_ref()
        .expect("a sup behind the lower end")
        .value;
    assert_relative_eq!(lower * sup_printed.max(1.0), dual, max_relative = COST_TOL);
    assert!(
        lower <= lower_twin * (1.0 + COST_TOL),
        "lower end {lower} above the fine dual over the twin sup {lower_twin}"
    );
    assert!(lower <= teacher_cost * (1.0 + COST_TOL));
    if rep.certified_upper.is_finite() {
        let upper = rep.certified_upper;
        let ay = teacher_measurements(&sp, &fine, &network_of(&sp, &rep.atoms)).unwrap();
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let diff: Vec<f64> = ay.iter().zip(&y).map(|(a, b)| a - b).collect();
        let residual = norm(&diff) / norm(&y);
        let cost: f64 = rep
            .atoms
            .iter()
            .map(|a| a.c.abs() * psi.value(&a.w).unwrap())
            .sum();
        eprintln!("measure: fine residual {residual:.1e}, fine cost {cost:.12}");
        assert!(residual <= FINE_RESIDUAL_TOL, "residual {residual:e}");
        assert_relative_eq!(upper, cost, max_relative = COST_TOL);
        assert!(lower <= upper * (1.0 + COST_TOL));
        assert!(upper <= teacher_cost * (1.0 + COST_TOL) || rep.function_rel_error > 1e-4);
    }
}
