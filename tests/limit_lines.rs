//! psi_mod, d = 2, K0 = 1: the boundary limits of `certify::limit_lines`
//! against the real `eta` of units that approach them (exact 2-D columns).
//! The densities `rho ~ (r0)_+^{3/2} / sqrt(q)` of the module docs are a
//! derivation; if a power or the role of `q` were wrong, the extrapolated
//! `eta` of the units would not meet the line integral.

mod common;
use common::exact_spec;
use inrsamp::certify::eta::EtaField;
use inrsamp::certify::limit_lines::{
    BoundarySearch, LineKind, LineLimit, line_eta, line_unit_direction, sup_boundary_limits,
};
use inrsamp::certify::limit_points::PointCone;
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::spec::ProblemSpec;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn spec(k: usize) -> ProblemSpec {
    exact_spec(2, 1, k, "mod", 1)
}

/// A random line measure of `kind`: `r0` Gaussian (with `lift`, its
/// constant raised so that it is positive on part of the line), `q` in the
/// disc of radius `qmax` (axis lines), a uniform offset.
fn random_line(rng: &mut ChaCha8Rng, kind: LineKind, qmax: f64, lift: bool) -> LineLimit {
    let deg = if matches!(kind, LineKind::Column | LineKind::Row) {
        1
    } else {
        2
    };
    let mut r0: Vec<f64> = (0..1 + 2 * deg)
        .map(|_| StandardNormal.sample(rng))
        .collect();
    if lift {
        r0[0] = r0[0].abs() * 0.5 + 0.3;
    }
    let q = if deg == 1 {
        let a: f64 = rng.random::<f64>() * std::f64::consts::TAU;
        let rad = qmax * rng.random::<f64>();
        [rad * a.cos(), rad * a.sin()]
    } else {
        [0.0, 0.0]
    };
    LineLimit {
        kind,
        offset: rng.random::<f64>(),
        r0,
        q,
        eta: 0.0,
    }
}

#[test]
fn units_approaching_a_line_reach_its_limit_value() {
    let k = 2;
    let sp = spec(k);
    let plan = DiscretizationPlan::for_spec(&sp).unwrap();
    let m = sp.measurement_count();
    let kinds = [
        LineKind::Column,
        LineKind::Row,
        LineKind::Diagonal,
        LineKind::AntiDiagonal,
    ];
    for case in 0..8u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(300 + case);
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let cone = PointCone::new(2, k, k, &lambda);
        let kind = kinds[case as usize % 4];
        let lim = random_line(&mut rng, kind, 0.7, true);
        let exact = line_eta(&cone, &lim, 256);
        let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
        let etas: Vec<f64> = [1e-3, 1e-4, 1e-5]
            .iter()
            .map(|&t| field.value(&line_unit_direction(&lim, t).unwrap()).unwrap())
            .collect();
        let gaps: Vec<f64> = etas
            .iter()
            .map(|e| (e - exact).abs() / exact.abs())
            .collect();
        let extrapolated = (10.0 * etas[2] - etas[1]) / 9.0;
        let err = (extrapolated - exact).abs() / exact.abs();
        eprintln!(
            "case {case} ({kind:?}): limit {exact:.10}, gaps {gaps:?}, extrapolation error {err:.2e}"
        );
        assert!(
            gaps[2] < gaps[0] * 0.05 && err < 1e-5 && err < 0.2 * gaps[2].max(1e-9),
            "case {case} ({kind:?}): the units do not tend to the line limit {exact}: gaps {gaps:?}, extrapolated {extrapolated}"
        );
    }
}

#[test]
fn the_boundary_search_beats_random_line_measures() {
    // The search's best value must not be below any of 300 random line
    // measures of the same families (offsets, r0 and q drawn at random).
    let k = 2;
    let m = 25;
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
    let cone = PointCone::new(2, k, k, &lambda);
    let t0 = std::time::Instant::now();
    let found = sup_boundary_limits(&cone, &BoundarySearch::default());
    eprintln!(
        "boundary search: {:.3} in {:.2} s (line {:?})",
        found.value,
        t0.elapsed().as_secs_f64(),
        found.line.as_ref().map(|l| (l.kind, l.eta))
    );
    let kinds = [
        LineKind::Column,
        LineKind::Row,
        LineKind::Diagonal,
        LineKind::AntiDiagonal,
    ];
    let mut best = 0.0f64;
    for i in 0..300 {
        let kind = kinds[i % 4];
        let lim = random_line(&mut rng, kind, 0.95, false);
        best = best.max(line_eta(&cone, &lim, 128).abs());
    }
    assert!(
        found.value >= best,
        "search {} below a random line measure's {best}",
        found.value
    );
}

#[test]
fn the_boundary_search_reaches_a_finer_twin() {
    // Default sizes against 2x the offsets, 2x the nodes, 3x the refined
    // lines and a 2x finer pair scan on fresh lambdas (d = 2, K = 2, 3):
    // the same sup to 5e-3 relative on at least 90 % of the cases (the
    // search is a heuristic: the module docs say how close it gets; 1e-6
    // is reached only where the sup is a pair or a point).
    let cases = 10;
    let mut ok = 0;
    for case in 0..cases {
        let k = 2 + case % 2;
        let m = (2 * k + 1) * (2 * k + 1);
        let mut rng = ChaCha8Rng::seed_from_u64(5000 + case as u64);
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let cone = PointCone::new(2, k, k, &lambda);
        let def = BoundarySearch::default();
        let fast = sup_boundary_limits(&cone, &def);
        let fine = sup_boundary_limits(
            &cone,
            &BoundarySearch {
                offsets: 2 * def.offsets,
                nodes: 2 * def.nodes,
                refine: 3 * def.refine,
                pair_grid: 2 * def.pair_grid,
                pair_refine: 2 * def.pair_refine,
            },
        );
        let short = (fine.value - fast.value) / fine.value;
        eprintln!(
            "case {case} (K = {k}): search {:.9}, twin {:.9}, shortfall {short:.2e}",
            fast.value, fine.value
        );
        if short <= 5e-3 {
            ok += 1;
        }
    }
    assert!(
        ok * 10 >= 9 * cases,
        "the boundary search reached its finer twin in only {ok} of {cases} cases"
    );
}
