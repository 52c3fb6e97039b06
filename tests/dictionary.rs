//! The dictionary (docs/theory.md 5): the parallel separable build against the
//! naive column-by-column twin, dropped vanishing directions, psi weights,
//! and the exact 1-D build against a fine grid.

mod common;
use common::*;
use inrsamp::dictionary::{Dictionary, DiscretizationPlan};
use inrsamp::inr::features::Features;
use inrsamp::inr::psi::Psi;
use inrsamp::inr::unit::UnitEvaluator;
use inrsamp::spec::SpecInput;
use inrsamp::sphere::SphereGrid;

#[test]
fn fast_build_matches_naive_twin() {
    for (d, k0, k, psi) in [
        (1, 2, 5, "mod"),
        (2, 1, 3, "std"),
        (2, 1, 3, "pre"),
        (2, 1, 3, "mod"),
    ] {
        let spec = spec(d, k0, k, psi);
        let plan = DiscretizationPlan::for_spec(&spec).unwrap();
        let grid = SphereGrid::new(spec.feature_dim(), 300, 11).unwrap();
        let dict = Dictionary::build(&spec, &plan, &grid.points).unwrap();
        let (naive_cols, naive_psi) =
            Dictionary::build_naive(&spec, plan.n_quad, &grid.points).unwrap();
        assert_eq!(dict.len() + dict.dropped, grid.len());
        assert!(
            dict.dropped > 0,
            "some of 300 random directions have g <= 0 everywhere"
        );
        for (j, &src) in dict.source_index.iter().enumerate() {
            let naive = &naive_cols[src * dict.m..(src + 1) * dict.m];
            let e = dist(dict.column(j), naive);
            assert!(
                e < 1e-13 * (1.0 + norm(naive)),
                "{psi} d={d}: column {src} differs by {e:e}"
            );
            assert!(
                (dict.psi[j] - naive_psi[src]).abs() < 1e-13,
                "{psi}: psi of column {src}"
            );
            assert_eq!(dict.direction(j), grid.point(src));
        }
        // Every zero column of the twin is dropped; the other dropped ones are
        // below the vanishing floor (max g <= 1e-6 |w|): tiny columns.
        let mut kept = vec![false; grid.len()];
        dict.source_index.iter().for_each(|&j| kept[j] = true);
        for j in (0..grid.len()).filter(|&j| !kept[j]) {
            let col = &naive_cols[j * dict.m..(j + 1) * dict.m];
            assert!(
                norm(col) < 1e-8,
                "dropped column {j} has norm {:e}",
                norm(col)
            );
        }
        let zero_cols = (0..grid.len())
            .filter(|&j| {
                naive_cols[j * dict.m..(j + 1) * dict.m]
                    .iter()
                    .all(|&v| v == 0.0)
            })
            .count();
        assert!(zero_cols <= dict.dropped);
        assert!(dict.quadrature_error_estimate > 0.0 && dict.quadrature_error_estimate < 1e-2);
    }
}

#[test]
fn psi_mod_column_weight_is_the_column_norm_when_k_prime_is_k() {
    let spec = spec(2, 1, 3, "mod");
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    let grid = SphereGrid::new(9, 200, 4).unwrap();
    let dict = Dictionary::build(&spec, &plan, &grid.points).unwrap();
    for j in 0..dict.len() {
        assert!((dict.psi[j] - norm(dict.column(j))).abs() < 1e-14);
    }
    // With K' != K, the weight is the norm over S_K' (computed separately).
    let spec2 = SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(3),
        psi_k: Some(5),
        ..Default::default()
    }
    .build()
    .unwrap();
    let plan2 = DiscretizationPlan::for_spec(&spec2).unwrap();
    let dict2 = Dictionary::build(&spec2, &plan2, &grid.points).unwrap();
    let psi5 = Psi::modified(UnitEvaluator::grid(Features::new(2, 1), 5, 5, plan2.n_quad));
    for j in (0..dict2.len()).step_by(17) {
        let expect = psi5.value(dict2.direction(j)).unwrap();
        assert!(
            (dict2.psi[j] - expect).abs() < 1e-13,
            "{} vs {}",
            dict2.psi[j],
            expect
        );
        assert!(dict2.psi[j] > norm(dict2.column(j)));
    }
}

#[test]
fn exact_1d_dictionary_agrees_with_a_fine_grid() {
    let exact_spec = SpecInput {
        d: Some(1),
        k0: Some(2),
        k: Some(5),
        exact: Some(true),
        ..Default::default()
    }
    .build()
    .unwrap();
    let grid_spec = SpecInput {
        d: Some(1),
        k0: Some(2),
        k: Some(5),
        quad: Some(1 << 16),
        ..Default::default()
    }
    .build()
    .unwrap();
    let dirs = SphereGrid::new(5, 100, 2).unwrap();
    let de = Dictionary::build(
        &exact_spec,
        &DiscretizationPlan::for_spec(&exact_spec).unwrap(),
        &dirs.points,
    )
    .unwrap();
    let dg = Dictionary::build(
        &grid_spec,
        &DiscretizationPlan::for_spec(&grid_spec).unwrap(),
        &dirs.points,
    )
    .unwrap();
    assert_eq!(de.source_index, dg.source_index);
    for j in 0..de.len() {
        let e = dist(de.column(j), dg.column(j));
        assert!(e < 1e-8, "column {j}: exact vs 2^16 grid differ by {e:e}");
    }
}

#[test]
fn bad_directions_are_errors() {
    let spec = spec(2, 1, 3, "std");
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    assert!(Dictionary::build(&spec, &plan, &[1.0; 10]).is_err());
    let mut nan = vec![0.5; 9];
    nan[3] = f64::NAN;
    assert!(Dictionary::build(&spec, &plan, &nan).is_err());
}
