//! psi_mod limits on several points (`certify::limit_points`), d = 1:
//! the cone value against a brute-force search over the weights with the
//! Dirichlet kernel written out, and the derivation of the module docs
//! against the real `eta` of units that approach the limit (exact columns).

mod common;
use common::exact_spec;
use inrsamp::certify::eta::EtaField;
use inrsamp::certify::limit_points::{
    PointCone, PointSearch, limit_unit_direction, sup_point_limits,
};
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::spec::ProblemSpec;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn spec(k0: usize, k: usize) -> ProblemSpec {
    exact_spec(1, k0, k, "mod", 1)
}

/// Dirichlet kernel `sum_{|k| <= K} e^{2 pi i k t}`.
fn dirichlet(k: usize, t: f64) -> f64 {
    (-(k as i64)..=k as i64)
        .map(|j| (std::f64::consts::TAU * j as f64 * t).cos())
        .sum()
}

#[test]
fn cone_value_matches_a_search_over_the_weights() {
    let k = 3;
    let m = 2 * k + 1;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for case in 0..30 {
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let cone = PointCone::new(1, k, k, &lambda);
        let n = 2 + case % 3;
        let xs: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let pts: Vec<Vec<f64>> = xs.iter().map(|&x| vec![x]).collect();
        let got = cone.best(&pts);
        // p(x) directly: p(x) = lambda . A_K delta_x, A_K delta_x from its
        // definition (cos, -sin pairs times sqrt 2).
        let p = |x: f64| {
            let mut v = lambda[0];
            for j in 1..=k {
                let a = std::f64::consts::TAU * j as f64 * x;
                v += std::f64::consts::SQRT_2
                    * (lambda[2 * j - 1] * a.cos() - lambda[2 * j] * a.sin());
            }
            v
        };
        let ps: Vec<f64> = xs.iter().map(|&x| p(x)).collect();
        let ratio = |c: &[f64]| {
            let num: f64 = c.iter().zip(&ps).map(|(a, b)| a * b).sum();
            let mut den = 0.0;
            for i in 0..n {
                for j in 0..n {
                    den += c[i] * c[j] * dirichlet(k, xs[i] - xs[j]);
                }
            }
            if den > 0.0 {
                (num / den.sqrt()).abs()
            } else {
                0.0
            }
        };
        // Log-uniform weights (some zero), then a random multiplicative
        // hill climb from the best sample.
        let mut best = (f64::NEG_INFINITY, vec![1.0; n]);
        for _ in 0..50_000 {
            let c: Vec<f64> = (0..n)
                .map(|_| {
                    if rng.random::<f64>() < 0.2 {
                        0.0
                    } else {
                        (16.0 * rng.random::<f64>() - 8.0).exp()
                    }
                })
                .collect();
            let v = ratio(&c);
            if v > best.0 {
                best = (v, c);
            }
        }
        let mut step = 0.5;
        for it in 0..60_000 {
            let c: Vec<f64> = best
                .1
                .iter()
                .map(|&v| {
                    let e: f64 = StandardNormal.sample(&mut rng);
                    (v * (step * e).exp()).max(0.0)
                })
                .collect();
            let v = ratio(&c);
            if v > best.0 {
                best = (v, c);
            }
            if it % 10_000 == 9_999 {
                step *= 0.3;
            }
        }
        let best = best.0;
        assert!(
            got.eta.abs() >= best - 1e-9,
            "case {case}: cone value {} below a sampled weight vector's {best}",
            got.eta
        );
        assert!(
            got.eta.abs() <= best * (1.0 + 1e-4),
            "case {case}: cone value {} far above every sampled weight vector ({best})",
            got.eta
        );
    }
}

#[test]
fn units_approaching_a_point_set_reach_its_limit_value() {
    // d = 1, K0 = 2, K = 4: the best pair of a random lambda, and the unit
    // -Q + t r built for its weights; eta of that unit (exact columns) must
    // tend to the cone value as t -> 0 (observed: the gap shrinks like t).
    let sp = spec(2, 4);
    let plan = DiscretizationPlan::for_spec(&sp).unwrap();
    let m = sp.measurement_count();
    let mut checked = 0;
    for seed in 0..40u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let cone = PointCone::new(1, 4, 4, &lambda);
        // Two random points with both weights positive in their projection.
        let pts = vec![vec![rng.random::<f64>()], vec![rng.random::<f64>()]];
        let lim = cone.best(&pts);
        if lim.weights.iter().any(|&w| w < 0.05) {
            continue;
        }
        let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
        let xs: Vec<f64> = pts.iter().map(|p| p[0]).collect();
        // (t below about 1e-6 reaches the vanishing floor, VANISH_REL)
        let etas: Vec<f64> = [1e-3, 1e-4, 1e-5]
            .iter()
            .map(|&t| {
                let w = limit_unit_direction(2, &xs, &lim.weights, t);
                field.value(&w).unwrap()
            })
            .collect();
        let gaps: Vec<f64> = etas
            .iter()
            .map(|e| (e - lim.eta).abs() / lim.eta.abs())
            .collect();
        // Linear in t: the Richardson extrapolation of the last two values
        // must give the limit far more closely than either value.
        let extrapolated = (10.0 * etas[2] - etas[1]) / 9.0;
        let err = (extrapolated - lim.eta).abs() / lim.eta.abs();
        assert!(
            gaps[2] < gaps[0] * 0.05 && err < 1e-5 && err < 0.2 * gaps[2],
            "seed {seed}: eta of the approaching units does not tend to the limit {}: gaps {gaps:?}, extrapolated {extrapolated} (error {err:.2e})",
            lim.eta
        );
        checked += 1;
    }
    assert!(
        checked >= 8,
        "only {checked} cases with two weighted points"
    );
}

#[test]
fn the_pair_search_reaches_a_finer_scan() {
    // The default search against a 4x finer pair grid refined from 4x more
    // starts: the same sup to 1e-9 (relative) on fresh lambdas.
    let k = 4;
    let m = 2 * k + 1;
    for seed in 0..8u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(9000 + seed);
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let cone = PointCone::new(1, k, k, &lambda);
        let def = PointSearch::default();
        let fast = sup_point_limits(&cone, 2, &def);
        let fine = sup_point_limits(
            &cone,
            2,
            &PointSearch {
                grid: 4 * def.grid,
                refine: 4 * def.refine,
                ..def
            },
        );
        assert!(
            fast.eta.abs() >= fine.eta.abs() * (1.0 - 1e-9),
            "seed {seed}: search {} < finer scan {}",
            fast.eta,
            fine.eta
        );
    }
}
