//! Exact 2-D measurements (docs/theory.md 9): the grid route (an independent
//! path: separable partial DFT) converges to them as N grows, the grid route's N^-2
//! convergence towards them, thin bumps, tangencies, rows where g vanishes
//! identically, and the Jacobian against finite differences.

mod common;
use common::*;
use inrsamp::inr::features::Features;
use inrsamp::inr::unit::{UnitEvaluator, UnitScratch};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const K: usize = 3;

fn exact() -> UnitEvaluator {
    UnitEvaluator::exact(Features::new(2, 1), K).unwrap()
}

fn grid(n: usize) -> UnitEvaluator {
    UnitEvaluator::grid(Features::new(2, 1), K, K, n)
}

/// The grid route at N = 2048, 4096, 8192 must converge to the exact
/// value: two doublings divide the distance by at least 10 (the trapezoid
/// rule on functions with kinks converges like N^-2), unless it is already
/// below 1e-12, and the last distance is below `tol`. Returns it.
fn grid_converges_to(w: &[f64], e: &[f64], tol: f64, name: &str) -> f64 {
    let errs: Vec<f64> = [2048usize, 4096, 8192]
        .iter()
        .map(|&n| dist(&grid(n).measure(w).unwrap(), e) / norm(e).max(1e-300))
        .collect();
    // Over two doublings (the trapezoid error on kinked integrands
    // oscillates; thin bumps are pre-asymptotic at N = 2048).
    assert!(
        errs[2] < errs[0] / if name.starts_with("bump") { 5.0 } else { 10.0 } || errs[2] < 1e-12,
        "{name}: grid distances to the exact value {errs:?} do not shrink like N^-2"
    );
    assert!(errs[2] < tol, "{name}: distances {errs:?}");
    errs[2]
}

/// Shifts w0 so that max g = h |w| (max read on a fine grid, then the exact
/// peak of each row a0 + R), normalizes.
fn with_height(mut w: Vec<f64>, h: f64) -> Vec<f64> {
    let f = Features::new(2, 1);
    let n = 400;
    let mut gmax = f64::NEG_INFINITY;
    for i in 0..n {
        for j in 0..n {
            gmax = gmax.max(f.g(&w, &[i as f64 / n as f64, j as f64 / n as f64]));
        }
    }
    let nw = norm(&w);
    w[0] -= gmax - h * nw;
    let nn = norm(&w);
    w.iter().map(|v| v / nn).collect()
}

/// The exact route with the axes swapped (exact in x2, Gauss-Legendre in
/// x1: other breakpoints, other nodes), mapped back to the original order.
fn transposed(w: &[f64]) -> Vec<f64> {
    let f = Features::new(2, 1);
    let cube = f.w_to_complex(w);
    let mut ct = cube.clone();
    for a in 0..3 {
        for b in 0..3 {
            ct[b * 3 + a] = cube[a * 3 + b];
        }
    }
    let wt = f.complex_to_w(&ct);
    let yt = exact().measure(&wt).unwrap();
    let map = inrsamp::fourier::RealMap::new(2, K);
    let full = map.to_complex(&yt).unwrap();
    let mut half = vec![num_complex::Complex64::new(0.0, 0.0); 1 + map.half_set().len()];
    let value = |k: &[i64]| {
        full.iter()
            .find(|(kk, _)| kk[0] == k[1] && kk[1] == k[0])
            .map(|(_, v)| *v)
            .unwrap()
    };
    half[0] = value(&[0, 0]);
    for (i, k) in map.half_set().iter().enumerate() {
        half[1 + i] = value(k);
    }
    let mut out = vec![0.0; map.len()];
    map.to_real(&half, &mut out);
    out
}

#[test]
fn exact_matches_the_grid_limit_and_the_transposed_route() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for case in 0..3 {
        let w: Vec<f64> = (0..9).map(|_| StandardNormal.sample(&mut rng)).collect();
        let e = exact().measure(&w).unwrap();
        grid_converges_to(&w, &e, 5e-9, &format!("case {case}"));
        let t = transposed(&w);
        let rel_t = dist(&t, &e) / norm(&e);
        assert!(rel_t < 1e-11, "case {case}: x1-first vs x2-first {rel_t:e}");
    }
}

#[test]
fn grid_route_converges_at_rate_two() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let w: Vec<f64> = (0..9).map(|_| StandardNormal.sample(&mut rng)).collect();
    let e = exact().measure(&w).unwrap();
    let ns = [64usize, 128, 256, 512, 1024];
    let errs: Vec<f64> = ns
        .iter()
        .map(|&n| dist(&grid(n).measure(&w).unwrap(), &e) / norm(&e))
        .collect();
    let slope = loglog_slope(&ns.map(|n| n as f64), &errs);
    assert!(
        (-2.4..=-1.6).contains(&slope),
        "slope {slope}, errors {errs:?}"
    );
}

#[test]
fn thin_bumps_tangencies_and_vanishing_rows() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut cases: Vec<(String, Vec<f64>)> = Vec::new();
    for h in [1e-2, 1e-3, 1e-4] {
        let w: Vec<f64> = (0..9).map(|_| StandardNormal.sample(&mut rng)).collect();
        cases.push((format!("bump h = {h:e}"), with_height(w, h)));
    }
    // Feature order: 1, then (cos, sin) for (0,1), (1,-1), (1,0), (1,1).
    // g = cos 2 pi x2: the rows x2 = 1/4, 3/4 vanish identically.
    cases.push((
        "g = cos 2 pi x2".into(),
        vec![0., 1., 0., 0., 0., 0., 0., 0., 0.],
    ));
    // g = cos 2 pi x1 cos 2 pi x2 = (cos 2 pi (x1 + x2) + cos 2 pi (x1 - x2)) / 2.
    cases.push((
        "g = cos x1 cos x2".into(),
        vec![0., 0., 0., 0.5, 0., 0., 0., 0.5, 0.],
    ));
    // g = cos 2 pi x1 + cos 2 pi x2 - 1: breakpoints where rows touch zero.
    cases.push((
        "g = cos x1 + cos x2 - 1".into(),
        vec![-1., 1., 0., 0., 0., 1., 0., 0., 0.],
    ));
    for (name, w) in cases {
        let e = exact().measure(&w).unwrap();
        // Thin bumps are resolved by the grid only when they span many
        // points (h = 1e-4: width about 0.01, 80 points at N = 8192).
        // A kink along a whole row (g = cos 2 pi x2) converges like
        // N^-2 from 5e-8 at N = 8192; the transposed route checks 1e-11.
        let tol = if name.starts_with("bump") { 1e-4 } else { 1e-7 };
        grid_converges_to(&w, &e, tol, &name);
        let t = transposed(&w);
        let rel_t = dist(&t, &e) / norm(&e);
        assert!(rel_t < 1e-11, "{name}: x1-first vs x2-first {rel_t:e}");
        let mut s = UnitScratch::default();
        let mut out = vec![0.0; e.len()];
        UnitEvaluator::exact_with_error_estimate(Features::new(2, 1), K)
            .unwrap()
            .measure_into(&w, &mut out, &mut s)
            .unwrap();
        assert!(
            s.exact2d_error < 1e-6,
            "{name}: embedded error estimate {:e}",
            s.exact2d_error
        );
    }
}

#[test]
fn jacobian_matches_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let ev = exact();
    for case in 0..4 {
        let w: Vec<f64> = (0..9).map(|_| StandardNormal.sample(&mut rng)).collect();
        let jac = ev.jacobian(&w).unwrap();
        let m = (2 * K + 1) * (2 * K + 1);
        let h = 1e-6;
        for i in 0..9 {
            let mut wp = w.clone();
            let mut wm = w.clone();
            wp[i] += h;
            wm[i] -= h;
            let fp = ev.measure(&wp).unwrap();
            let fm = ev.measure(&wm).unwrap();
            let fd: Vec<f64> = fp
                .iter()
                .zip(&fm)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            let col = &jac[i * m..(i + 1) * m];
            let rel = dist(&fd, col) / norm(col);
            assert!(rel < 1e-6, "case {case}, w_{i}: |J - FD| / |J| = {rel:e}");
        }
    }
}
