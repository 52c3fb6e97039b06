//! Certificates and verdicts (docs/theory.md 5-6).

mod common;
use approx::assert_abs_diff_eq;
use common::*;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::eta::{EtaField, dense_eta};
use inrsamp::certify::refine::{SolveOptions, solve_certified};
use inrsamp::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
use inrsamp::dictionary::{Dictionary, DiscretizationPlan};
use inrsamp::inr::network::ShallowInr;
use inrsamp::sphere::SphereGrid;

#[test]
fn y_over_norm_y_is_a_certificate_for_psi_mod_with_k_prime_k() {
    // docs/theory.md 6 remark: with psi_mod and K' = K, lambda = y/|y| gives
    // |eta| <= 1 everywhere (Cauchy-Schwarz), with equality at the teacher.
    for (d, k0, k) in [(1, 1, 3), (2, 1, 3)] {
        let spec = spec(d, k0, k, "mod");
        let plan = DiscretizationPlan::for_spec(&spec).unwrap();
        for seed in 0..3 {
            let t = ShallowInr::random(d as usize, k0 as usize, 1, seed).unwrap();
            let y = inrsamp::certify::verdict::teacher_measurements(&spec, &plan, &t).unwrap();
            let lambda: Vec<f64> = y.iter().map(|v| v / norm(&y)).collect();
            let pts = dense_eta(&spec, &plan, &lambda, 50_000, 9).unwrap();
            let mx = pts.iter().map(|p| p.eta.abs()).fold(0.0, f64::max);
            assert!(mx <= 1.0 + 1e-9, "d={d} seed={seed}: max |eta| = {mx}");
            let field = EtaField::new(&spec, &plan, lambda).unwrap();
            let at = field.value(&t.units[0].w).unwrap() * t.units[0].a.signum();
            assert_abs_diff_eq!(at, 1.0, epsilon = 1e-12);
            assert!(
                mx > 0.9,
                "dense max {mx} should approach 1 near the teacher"
            );
        }
    }
}

fn takes_both_signs(t: &ShallowInr) -> bool {
    let g = ShallowInr {
        units: vec![inrsamp::inr::network::Unit {
            a: 1.0,
            w: t.units[0].w.clone(),
        }],
        ..t.clone()
    };
    let neg = ShallowInr {
        units: vec![inrsamp::inr::network::Unit {
            a: 1.0,
            w: t.units[0].w.iter().map(|v| -v).collect(),
        }],
        ..t.clone()
    };
    g.grid_values(512).iter().any(|&v| v > 0.0) && neg.grid_values(512).iter().any(|&v| v > 0.0)
}

#[test]
fn width_one_psi_mod_d1_is_unique_for_20_seeds() {
    let spec0 = spec(1, 1, 3, "mod");
    let opts = SolveOptions::default();
    let cs = CertifySettings::default();
    let vs = VerdictSettings::default();
    let mut margins = Vec::new();
    // Theorem 1's hypothesis: g takes both signs. The first 20 such seeds.
    let seeds: Vec<u64> = (0..200u64)
        .filter(|&s| takes_both_signs(&ShallowInr::random(1, 1, 1, s).unwrap()))
        .take(20)
        .collect();
    assert_eq!(seeds.len(), 20);
    for seed in seeds {
        let mut spec = spec0.clone();
        spec.seed = seed;
        let t = ShallowInr::random(1, 1, 1, seed).unwrap();
        let (r, _, _) = certify_teacher(&spec, &t, &vs, &opts, &cs).unwrap();
        assert_eq!(r.verdict, Verdict::Unique, "seed {seed}: {}", r.reason);
        assert!(
            r.function_rel_error < 1e-6,
            "seed {seed}: {}",
            r.function_rel_error
        );
        assert!(
            r.certified_lower <= r.teacher_cost * (1.0 + 1e-9)
                && r.teacher_cost <= r.certified_upper * (1.0 + 1e-9)
        );
        margins.push(r.certificate.unwrap().margin);
    }
    assert!(margins.iter().all(|&m| m > 0.0), "{margins:?}");
}

#[test]
fn refined_bracket_contains_the_value_on_a_4x_finer_grid() {
    let spec = spec(1, 1, 3, "std");
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    let t = ShallowInr::random(1, 1, 2, 4).unwrap();
    let y = inrsamp::certify::verdict::teacher_measurements(&spec, &plan, &t).unwrap();
    let mut opts = SolveOptions::default();
    opts.refine.enabled = true;
    let coarse = SphereGrid::new(3, 300, 1).unwrap();
    let mut dict = Dictionary::build(&spec, &plan, &coarse.points).unwrap();
    let r = solve_certified(&spec, &plan, &mut dict, &y, &opts).unwrap();
    let fine = SphereGrid::new(3, 1200, 2).unwrap();
    let mut dict_f = Dictionary::build(&spec, &plan, &fine.points).unwrap();
    let plain = SolveOptions::default();
    let f = solve_certified(&spec, &plan, &mut dict_f, &y, &plain).unwrap();
    // Both brackets contain value(11), so they intersect; the refined upper
    // bound is within its own bracket width of value(11) <= the fine value.
    let gap = (r.certified_upper - r.certified_lower) / r.certified_upper;
    assert!(
        r.certified_lower <= f.certified_upper * (1.0 + 1e-9),
        "refined lower {} > fine value {}",
        r.certified_lower,
        f.certified_upper
    );
    assert!(
        f.certified_lower <= r.certified_upper * (1.0 + 1e-9),
        "fine lower {} > refined upper {}",
        f.certified_lower,
        r.certified_upper
    );
    assert!(
        r.certified_upper <= f.certified_upper * (1.0 + gap + 1e-9),
        "refined upper {} vs fine {}",
        r.certified_upper,
        f.certified_upper
    );
    // The refinement tightened the bracket to 1 + eps.
    assert!(
        gap <= opts.refine.eps_for(&spec.psi) * 1.0001,
        "refined relative bracket width {gap:e} after {} rounds",
        r.refine_rounds
    );
    assert!(
        f.certified_upper > r.certified_upper,
        "the 4x grid ({}) should not beat the refined solution ({})",
        f.certified_upper,
        r.certified_upper
    );
}

#[test]
fn eta_gradient_matches_finite_differences() {
    for (d, psi, quad) in [
        (1, "mod", None),
        (1, "std", None),
        (2, "mod", Some(64)),
        (2, "pre", Some(64)),
        (2, "std", Some(64)),
    ] {
        let spec = inrsamp::spec::SpecInput {
            d: Some(d),
            k0: Some(1),
            k: Some(3),
            psi: Some(psi.into()),
            exact: Some(d == 1),
            quad,
            ..Default::default()
        }
        .build()
        .unwrap();
        let plan = DiscretizationPlan::for_spec(&spec).unwrap();
        let dim = spec.feature_dim();
        let lambda: Vec<f64> = (0..spec.measurement_count())
            .map(|i| ((i as f64) * 0.7).sin())
            .collect();
        let field = EtaField::new(&spec, &plan, lambda).unwrap();
        for seed in 0..5 {
            let w = ShallowInr::random(d as usize, 1, 1, 50 + seed)
                .unwrap()
                .units[0]
                .w
                .clone();
            let (e, g) = field.value_and_gradient(&w).unwrap();
            assert!((e - field.value(&w).unwrap()).abs() < 1e-14);
            let h = 1e-6;
            let mut worst: f64 = 0.0;
            for i in 0..dim {
                let mut wp = w.clone();
                let mut wm = w.clone();
                wp[i] += h;
                wm[i] -= h;
                let fd = (field.value(&wp).unwrap() - field.value(&wm).unwrap()) / (2.0 * h);
                worst = worst.max((fd - g[i]).abs());
            }
            let tol = if d == 1 { 1e-7 } else { 1e-5 };
            assert!(
                worst < tol * (1.0 + norm(&g)),
                "d={d} {psi} seed {seed}: max |grad - FD| = {worst:e}"
            );
            // 0-homogeneous: the gradient is tangent to the sphere at w.
            let radial: f64 = g.iter().zip(&w).map(|(a, b)| a * b).sum();
            assert!(
                radial.abs() < 1e-9 * (1.0 + norm(&g)),
                "radial part {radial:e}"
            );
        }
    }
}

/// The least-squares polish of a verified measure works in unit-norm
/// columns: columns of norm 1e-11 (psi_mod's thin bumps) are corrected
/// like any other. Here `y` needs the tiny columns with amplitudes near
/// 1e11; from `c = 0` the polish must fit `y` to rounding. (An SVD of the
/// unscaled columns cuts their singular values, 1e-11 and 1e-12, at its
/// 1e-8 relative threshold and leaves `|y|`-sized residuals.)
#[test]
fn least_squares_polish_reaches_tiny_columns() {
    use inrsamp::certify::verified::polish_least_squares;
    let m = 3;
    // Columns: e1, 1e-11 (e1 + e2), 1e-12 e3 (column-major).
    let cols = [1.0, 0.0, 0.0, 1e-11, 1e-11, 0.0, 0.0, 0.0, 1e-12];
    let y = [1.0, 2.0, 3.0];
    let mut c = vec![0.0; 3];
    polish_least_squares(&cols, m, &y, &mut c);
    // The unique solution: c2 = 2e11, c1 = 1 - 2 = -1, c3 = 3e12.
    approx::assert_relative_eq!(c[0], -1.0, max_relative = 1e-9);
    approx::assert_relative_eq!(c[1], 2e11, max_relative = 1e-9);
    approx::assert_relative_eq!(c[2], 3e12, max_relative = 1e-9);
}

/// The max-margin candidate (`certify::max_margin`) must be a member of the
/// pre-certificate's family and feasible on the dictionary. Checked by code
/// that did not build it: `eta` and its gradient from `EtaField` at the
/// atoms (value = sign, gradient 0), and `|eta| <= 1` on every dictionary
/// column from the columns themselves. A sign slip in the LP's rows or in
/// the null-space parametrization breaks one of the two.
#[test]
fn max_margin_candidate_interpolates_and_is_feasible_on_the_dictionary() {
    use inrsamp::certify::max_margin::max_margin_lambda;
    use inrsamp::certify::precert::SupportAtom;
    use inrsamp::certify::verdict::verdict_plan;
    let spec = spec(2, 1, 3, "std");
    let plan = verdict_plan(&spec).unwrap();
    let teacher = ShallowInr::random(2, 1, 2, 3).unwrap();
    let support: Vec<SupportAtom> = teacher
        .units
        .iter()
        .map(|u| SupportAtom {
            w: inrsamp::numeric::normalized(&u.w),
            sign: u.a.signum(),
        })
        .collect();
    let mut grid = SphereGrid::new(spec.feature_dim(), 2000, 11).unwrap();
    for a in &support {
        grid.push(&a.w).unwrap();
    }
    let dict = Dictionary::build(&spec, &plan, &grid.points).unwrap();
    let cs = CertifySettings::default();
    let lambda = max_margin_lambda(&spec, &plan, &support, &dict, None, &cs)
        .unwrap()
        .expect("a candidate for a consistent support with freedom left");
    let field = EtaField::new(&spec, &plan, lambda.clone()).unwrap();
    for a in &support {
        let (eta, grad) = field.value_and_gradient(&a.w).unwrap();
        assert_abs_diff_eq!(eta, a.sign, epsilon = 1e-8);
        assert!(
            norm(&grad) < 1e-6 * norm(&lambda),
            "gradient {:e}",
            norm(&grad)
        );
    }
    let worst = (0..dict.len())
        .filter(|&j| dict.psi[j] > 0.0)
        .map(|j| {
            let col = dict.column(j);
            col.iter()
                .zip(&lambda)
                .map(|(c, l)| c * l)
                .sum::<f64>()
                .abs()
                / dict.psi[j]
        })
        .fold(0.0, f64::max);
    assert!(worst <= 1.0 + 1e-6, "max |eta| on the dictionary {worst}");
}
