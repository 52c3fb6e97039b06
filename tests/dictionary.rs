//! The dictionary (docs/theory.md 5): the parallel separable build against the
//! naive column-by-column twin, dropped vanishing directions, psi weights,
//! and the exact 1-D build against a fine grid.

mod common;
use common::*;
use inrsamp::dictionary::{Dictionary, DiscretizationPlan};
use inrsamp::inr::features::Features;
use inrsamp::inr::psi::Psi;
use inrsamp::inr::unit::UnitEvaluator;
use inrsamp::spec::{ProblemSpec, SpecInput};
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

/// The design cache (`dictionary::design_cache`): a hit is the dictionary a
/// fresh build gives, bit for bit; the byte limit holds, evicting the least
/// recently used design; a design above the limit is built and not kept.
#[test]
fn design_cache_hits_equal_fresh_builds_and_respect_the_limit() {
    use inrsamp::dictionary::design_cache::DesignCache;
    use std::sync::Arc;
    let spec = spec(2, 1, 2, "mod");
    let mut plan = DiscretizationPlan::for_spec(&spec).unwrap();
    plan.error_samples = 0;
    let fresh = |n: usize, seed: u64| {
        let grid = SphereGrid::new(spec.feature_dim(), n, seed).unwrap();
        Dictionary::build(&spec, &plan, &grid.points).unwrap()
    };
    let same = |a: &Dictionary, b: &Dictionary| {
        a.columns == b.columns
            && a.psi == b.psi
            && a.directions == b.directions
            && a.source_index == b.source_index
    };
    let cache = DesignCache::new(usize::MAX);
    let a1 = cache.get(&spec, &plan, 200, 5).unwrap();
    let bytes_a = cache.bytes();
    let a2 = cache.get(&spec, &plan, 200, 5).unwrap();
    assert!(Arc::ptr_eq(&a1, &a2), "the second request is a hit");
    assert_eq!(cache.bytes(), bytes_a);
    assert!(same(&a1, &fresh(200, 5)));
    // Another seed, size or plan is another design.
    let b = cache.get(&spec, &plan, 200, 6).unwrap();
    let bytes_b = cache.bytes() - bytes_a;
    assert!(!same(&a1, &b));
    assert!(same(&b, &fresh(200, 6)));
    assert_eq!(cache.len(), 2);
    let c = cache.get(&spec, &plan, 150, 5).unwrap();
    assert_eq!(c.len() + c.dropped, 150);
    assert_eq!(cache.len(), 3);

    // Room for one design: the older is dropped.
    let one = bytes_a.max(bytes_b);
    assert!(bytes_a + bytes_b > one && bytes_a > 0 && bytes_b > 0);
    let small = DesignCache::new(one);
    let s1 = small.get(&spec, &plan, 200, 5).unwrap();
    assert_eq!(small.len(), 1);
    small.get(&spec, &plan, 200, 6).unwrap();
    assert_eq!(small.len(), 1);
    assert!(small.bytes() <= one);
    let s1_again = small.get(&spec, &plan, 200, 5).unwrap();
    assert!(!Arc::ptr_eq(&s1, &s1_again), "evicted, so built again");
    assert!(same(&s1, &s1_again));

    // The problem's own seed (its teacher's) is not part of a design: the
    // same design is handed out, and a fresh build with that seed is the
    // same dictionary bit for bit. Another psi is another design.
    let other_seed = ProblemSpec {
        seed: spec.seed + 12_345,
        ..spec.clone()
    };
    let a3 = cache.get(&other_seed, &plan, 200, 5).unwrap();
    assert!(Arc::ptr_eq(&a1, &a3));
    let grid = SphereGrid::new(spec.feature_dim(), 200, 5).unwrap();
    assert!(same(
        &a3,
        &Dictionary::build(&other_seed, &plan, &grid.points).unwrap()
    ));
    let std_spec = self::spec(2, 1, 2, "std");
    let d_std = cache.get(&std_spec, &plan, 200, 5).unwrap();
    assert!(!same(&d_std, &a1));
    assert_eq!(cache.len(), 4);

    // No room at all: nothing kept, results unchanged.
    let none = DesignCache::new(0);
    let n1 = none.get(&spec, &plan, 200, 5).unwrap();
    assert!(none.is_empty());
    assert!(same(&n1, &a1));
}
