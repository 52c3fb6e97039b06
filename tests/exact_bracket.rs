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

mod common;
use approx::assert_relative_eq;
use common::exact_twin_sup;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::eta::{SupSettings, psi_for};
use inrsamp::certify::refine::{LowerSource, SolveOptions};
use inrsamp::certify::solve_report::{grid_dictionary, solve_report};
use inrsamp::certify::verdict::{
    VerdictSettings, certify_teacher, network_of, teacher_measurements, verdict_plan,
};
use inrsamp::certify::verified::Operator;
use inrsamp::convex::atoms::Atom;
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
    let y = teacher_measurements(&sp, &fine, &teacher).unwrap();
    let psi = psi_for(&sp, &fine).unwrap();
    let teacher_cost = teacher.cost(&psi).unwrap();
    // The twin: the best 16 of a fresh 6 000-point design, exact ascents.
    let twin = exact_twin_sup(&sp, &lambda, 6000, 0x7419, 16, None);
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

/// `solve` (no teacher, no certificate) in the same cell on another fresh
/// seed (43101): its measure and bracket re-derived on exact columns
/// (`exact_bracket::apply_to_solve`), against the fine quadrature. The
/// teacher is feasible for the exact data, so the lower end is at most its
/// fine cost; the measure fits the fine data and costs the upper end; the
/// lower end times its sup is the fine dual of the final LP's `lambda`.
#[test]
#[ignore = "slow (about 50 s on 2 cores): .ci/run runs it (cargo test -- --include-ignored)"]
fn solve_bracket_is_exact_in_d2_k0_2() {
    let seed = SEED + 1;
    let sp = SpecInput {
        d: Some(2),
        k0: Some(2),
        k: Some(3),
        psi: Some("std".into()),
        seed: Some(seed),
        ..Default::default()
    }
    .build()
    .unwrap();
    let teacher = ShallowInr::random(2, 2, 1, seed).unwrap();
    let mut opts = SolveOptions::default();
    opts.refine.enabled = false;
    opts.sup = SupSettings {
        starts: LIGHT_STARTS,
        ..SupSettings::default()
    };
    let grid = DiscretizationPlan::for_spec(&sp).unwrap();
    let exact = DiscretizationPlan {
        exact: true,
        ..grid
    };
    let fine = DiscretizationPlan {
        n_quad: FINE_N,
        ..grid
    };
    let y = teacher_measurements(&sp, &grid, &teacher).unwrap();
    let y_exact = teacher_measurements(&sp, &exact, &teacher).unwrap();
    let mut dict = grid_dictionary(&sp, &grid, LIGHT_GRID).unwrap();
    let r = solve_report(
        &sp,
        &grid,
        &mut dict,
        &y,
        Some(&y_exact),
        &opts,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.operator, Operator::Exact);
    let [gl, gu] = r.grid_bracket.expect("the grid bracket is recorded");
    let lower = r.certified_lower.expect("an exact lower end");
    let y_fine = teacher_measurements(&sp, &fine, &teacher).unwrap();
    let psi = psi_for(&sp, &fine).unwrap();
    let teacher_cost = teacher.cost(&psi).unwrap();
    eprintln!(
        "solve: exact bracket [{lower:.12}, {:?}], grid [{gl:?}, {gu:?}], fine teacher cost {teacher_cost:.12}",
        r.certified_upper
    );
    assert!(lower <= teacher_cost * (1.0 + COST_TOL));
    if r.lower_source == LowerSource::FinalLp {
        // The LP's lambda is large (its dual sums terms far above the
        // result): the fine quadrature's error in the dual is estimated
        // from N against 2N (the grid data's dual would miss by ~1e-5).
        let finer = DiscretizationPlan {
            n_quad: 2 * FINE_N,
            ..grid
        };
        let y_finer = teacher_measurements(&sp, &finer, &teacher).unwrap();
        let dot = |y: &[f64]| -> f64 { y.iter().zip(&r.lambda).map(|(a, b)| a * b).sum() };
        let (dual, dual2) = (dot(&y_fine), dot(&y_finer));
        let sup = r.sup_eta.expect("a sup behind the lower end");
        let tol = (dual - dual2).abs() + COST_TOL * dual.abs();
        eprintln!(
            "lower x sup {:.12}, fine duals {dual:.12} (N) and {dual2:.12} (2N)",
            lower * sup.max(1.0)
        );
        assert!(
            (lower * sup.max(1.0) - dual2).abs() <= tol,
            "the lower end's dual {} is not the fine one {dual2} (tolerance {tol:e})",
            lower * sup.max(1.0)
        );
    }
    if let Some(upper) = r.certified_upper {
        let atoms: Vec<Atom> = r
            .atoms
            .iter()
            .map(|a| Atom {
                c: a.c,
                w: a.w.clone(),
                psi: f64::NAN,
                members: vec![],
            })
            .collect();
        // The LP's measure has units the fine quadrature resolves less
        // well than the teacher's: its error is estimated from N against 2N.
        let finer = DiscretizationPlan {
            n_quad: 2 * FINE_N,
            ..grid
        };
        let net = network_of(&sp, &atoms);
        let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        let resid_vec = |plan: &DiscretizationPlan| -> Vec<f64> {
            let ay = teacher_measurements(&sp, plan, &net).unwrap();
            let yy = teacher_measurements(&sp, plan, &teacher).unwrap();
            ay.iter().zip(&yy).map(|(a, b)| a - b).collect()
        };
        let (r1, r2) = (resid_vec(&fine), resid_vec(&finer));
        let change: Vec<f64> = r1.iter().zip(&r2).map(|(a, b)| a - b).collect();
        let residual = norm(&r2) / norm(&y_fine);
        let quad_error = norm(&change) / norm(&y_fine);
        eprintln!(
            "measure: fine residual {:.1e} (N), {residual:.1e} (2N)",
            norm(&r1) / norm(&y_fine)
        );
        let residual_tol = FINE_RESIDUAL_TOL + quad_error;
        let cost: f64 = atoms
            .iter()
            .map(|a| a.c.abs() * psi.value(&a.w).unwrap())
            .sum();
        eprintln!(
            "measure: {} atoms, fine residual {residual:.1e}, fine cost {cost:.12}",
            atoms.len()
        );
        assert!(
            residual <= residual_tol,
            "residual {residual:e} above {residual_tol:e}"
        );
        assert_relative_eq!(upper, cost, max_relative = COST_TOL);
        assert!(lower <= upper * (1.0 + COST_TOL));
    }
}
