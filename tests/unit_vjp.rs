//! `UnitEvaluator::measure_and_vjp` (the Jacobian-transpose route,
//! `src/inr/unit/vjp.rs`) against its slower twin: the full Jacobian
//! `A_K [H(g_w) gamma]` of `measure_and_jacobian` (D analyses), multiplied
//! out. The two are the same sums in another order, so they agree to
//! rounding; a wrong factor, a transposed `L` or a missing indicator would
//! show at the 1e-1 level.
use inrsamp::inr::features::Features;
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::unit::UnitEvaluator;

/// Relative agreement of the two routes (sums of at most N^d = 4096 terms
/// per entry, in another order).
const TWIN_TOL: f64 = 1e-12;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// J^T v from the full Jacobian (column-major, column i = d/dw_i).
fn jt(jac: &[f64], m: usize, v: &[f64]) -> Vec<f64> {
    jac.chunks_exact(m)
        .map(|c| c.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn check(unit: &UnitEvaluator, w: &[f64], v: &[f64], what: &str) {
    let (y, jac) = unit.measure_and_jacobian(w).unwrap();
    let m = y.len();
    let r = unit.measure_and_vjp(w, &[v], true).unwrap();
    let scale_v = norm(&jac) * norm(v);
    let want_v = jt(&jac, m, v);
    let err_v = norm(
        &r.jt_v[0]
            .iter()
            .zip(&want_v)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
    );
    assert!(
        err_v <= TWIN_TOL * scale_v,
        "{what}: |J^T v - twin| = {err_v:e} against {scale_v:e}"
    );
    let want_y = jt(&jac, m, &y);
    let got_y = r.jt_y.as_ref().unwrap();
    let err_y = norm(
        &got_y
            .iter()
            .zip(&want_y)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
    );
    assert!(
        err_y <= TWIN_TOL * norm(&jac) * norm(&y),
        "{what}: |J^T y - twin| = {err_y:e}"
    );
    let err_m = norm(&r.y.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<_>>());
    assert!(err_m <= 1e-14 * norm(&y), "{what}: y differs by {err_m:e}");
}

#[test]
fn grid_products_match_the_full_jacobian() {
    for (d, k0, k, n) in [
        (1, 1, 3, 64),
        (1, 2, 5, 64),
        (2, 1, 3, 64),
        (2, 2, 4, 64),
        (3, 1, 2, 16),
    ] {
        let unit = UnitEvaluator::grid(Features::new(d, k0), k, k + 1, n);
        let m = unit.map().len();
        for seed in 0..4u64 {
            let w = ShallowInr::random(d, k0, 1, 9_100 + seed).unwrap().units[0]
                .w
                .clone();
            let v: Vec<f64> = (0..m)
                .map(|i| ((i as f64 + 0.3) * (1.1 + seed as f64)).sin())
                .collect();
            check(
                &unit,
                &w,
                &v,
                &format!("grid d={d} K0={k0} K={k} seed {seed}"),
            );
        }
    }
}

#[test]
fn exact_products_match_the_full_jacobian() {
    for (d, k0, k) in [(1, 2, 5), (2, 1, 3), (2, 2, 4)] {
        let unit = UnitEvaluator::exact(Features::new(d, k0), k).unwrap();
        let m = unit.map().len();
        let w = ShallowInr::random(d, k0, 1, 9_200).unwrap().units[0]
            .w
            .clone();
        let v: Vec<f64> = (0..m).map(|i| (i as f64 * 0.77).cos()).collect();
        check(&unit, &w, &v, &format!("exact d={d} K0={k0}"));
    }
}

#[test]
fn vanishing_and_rescaled_units() {
    let unit = UnitEvaluator::grid(Features::new(2, 1), 3, 3, 64);
    let m = unit.map().len();
    let v: Vec<f64> = (0..m).map(|i| (i as f64 * 0.5).sin()).collect();
    // g = -1 - 0.1 cos(2 pi x1): never positive, so sigma(g) = 0 and J = 0.
    let mut w = vec![0.0; 9];
    w[0] = -1.0;
    w[1] = 0.1;
    let r = unit.measure_and_vjp(&w, &[&v], true).unwrap();
    assert!(
        r.y.iter()
            .chain(&r.jt_v[0])
            .chain(r.jt_y.as_ref().unwrap())
            .all(|x| *x == 0.0)
    );
    // Homogeneity: J is of degree 0 and y of degree 1, also where w is
    // rescaled internally (entries above 1e100).
    let w = ShallowInr::random(2, 1, 1, 9_300).unwrap().units[0]
        .w
        .clone();
    let t = 2f64.powi(400);
    let big: Vec<f64> = w.iter().map(|x| x * t).collect();
    let a = unit.measure_and_vjp(&w, &[&v], true).unwrap();
    let b = unit.measure_and_vjp(&big, &[&v], true).unwrap();
    for (x, y) in a.jt_v[0].iter().zip(&b.jt_v[0]) {
        assert!(
            (x - y).abs() <= 1e-14 * norm(&a.jt_v[0]),
            "J^T v: {x} vs {y}"
        );
    }
    let (ay, by) = (a.jt_y.unwrap(), b.jt_y.unwrap());
    for (x, y) in ay.iter().zip(&by) {
        assert!(
            (x * t - y).abs() <= 1e-14 * norm(&ay) * t,
            "J^T y: {x} * 2^400 vs {y}"
        );
    }
}

#[test]
fn a_vector_of_the_wrong_length_is_an_error() {
    let unit = UnitEvaluator::grid(Features::new(2, 1), 3, 3, 64);
    let w = ShallowInr::random(2, 1, 1, 1).unwrap().units[0].w.clone();
    let e = unit.measure_and_vjp(&w, &[&[1.0, 2.0]], false).unwrap_err();
    assert!(e.to_string().contains("Jacobian-transpose"), "{e}");
}
