//! Unit measurements: the separable partial DFT against the FFT twin, exact
//! 1-D coefficients against a 2^20-point grid, the N^-2 quadrature rate, and
//! Jacobians against central finite differences (docs/theory.md 1, 2, 7).

mod common;
use approx::assert_abs_diff_eq;
use common::*;
use inrsamp::fourier::fft::measure_fft;
use inrsamp::fourier::{FrequencySet, RealMap};
use inrsamp::inr::features::Features;
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::unit::UnitEvaluator;
use inrsamp::measurement::{measure_at, measure_exact};
use proptest::prelude::*;

#[test]
fn separable_matches_fft_twin_in_every_dimension() {
    for (d, k0, k, n) in [(1, 2, 5, 256), (2, 1, 3, 64), (2, 2, 4, 48), (3, 1, 2, 16)] {
        let features = Features::new(d, k0);
        let unit = UnitEvaluator::grid(features.clone(), k, k, n);
        let map = RealMap::new(d, k);
        for seed in 0..5 {
            let net = ShallowInr::random(d, k0, 1, seed).unwrap();
            let w = &net.units[0].w;
            let fast = unit.measure(w).unwrap();
            let total = n.pow(d as u32);
            let mut vals = vec![0.0; total];
            for (idx, v) in vals.iter_mut().enumerate() {
                let mut x = vec![0.0; d];
                let mut rem = idx;
                for a in (0..d).rev() {
                    x[a] = (rem % n) as f64 / n as f64;
                    rem /= n;
                }
                *v = features.g(w, &x).max(0.0);
            }
            let slow = measure_fft(&vals, d, n, &map);
            let err = dist(&fast, &slow);
            assert!(
                err < 1e-13 * (1.0 + norm(&slow)),
                "d={d} seed={seed}: |fast - fft| = {err:e}"
            );
        }
    }
}

#[test]
fn exact_coefficients_agree_with_a_2_pow_20_grid() {
    // K0 = 2, K = 5: the grid error at N = 2^20 is about C N^-2 with C of
    // order 1, i.e. ~1e-12; we assert < 1e-10 and consistency with the N^-2
    // law extrapolated from N = 2^10.
    let spec = spec(1, 2, 5, "mod");
    for seed in 0..4 {
        let net = ShallowInr::random(1, 2, 3, seed).unwrap();
        let exact = measure_exact(&spec, &net).unwrap();
        let e_fine = dist(&measure_at(&spec, &net, 1 << 20).unwrap(), &exact);
        let e_coarse = dist(&measure_at(&spec, &net, 1 << 10).unwrap(), &exact);
        assert!(
            e_fine < 1e-10,
            "seed {seed}: |grid(2^20) - exact| = {e_fine:e}"
        );
        let predicted = e_coarse * (2f64.powi(-10)).powi(2);
        assert!(
            e_fine < 30.0 * predicted + 1e-14,
            "seed {seed}: fine error {e_fine:e} vs N^-2 prediction {predicted:e}"
        );
    }
}

#[test]
fn quadrature_error_decays_like_n_to_the_minus_2() {
    let spec = spec(1, 2, 5, "mod");
    let mut slopes = Vec::new();
    let features = Features::new(1, 2);
    let settings = Default::default();
    // Teachers whose g changes sign (otherwise sigma(g) = g and the grid is exact).
    let teachers = (100..200)
        .map(|seed| ShallowInr::random(1, 2, 1, seed).unwrap())
        .filter(|net| {
            !inrsamp::fourier::exact1d::zeros(&features.w_to_complex(&net.units[0].w), &settings)
                .unwrap()
                .is_empty()
        })
        .take(6);
    for net in teachers {
        let exact = measure_exact(&spec, &net).unwrap();
        let ns: Vec<f64> = (6..=16).map(|p| (1u64 << p) as f64).collect();
        let errs: Vec<f64> = ns
            .iter()
            .map(|&n| dist(&measure_at(&spec, &net, n as usize).unwrap(), &exact))
            .collect();
        slopes.push(loglog_slope(&ns, &errs));
    }
    let mean = slopes.iter().sum::<f64>() / slopes.len() as f64;
    assert!(
        (-2.3..=-1.7).contains(&mean),
        "mean log-log slope {mean} (per seed {slopes:?})"
    );
}

#[test]
fn exact_handles_no_sign_change_and_double_roots() {
    let spec = spec(1, 1, 3, "mod");
    let map = RealMap::new(1, 3);
    // g = 2 + cos: positive everywhere, sigma(g) = g.
    let y = measure_exact(&spec, &ShallowInr::single(1, 1, vec![2.0, 1.0, 0.0])).unwrap();
    let c = map.to_complex(&y).unwrap();
    let at = |k: i64| c.iter().find(|(f, _)| f[0] == k).unwrap().1;
    assert!(
        (at(0).re - 2.0).abs() < 1e-15 && (at(1).re - 0.5).abs() < 1e-15 && at(2).norm() < 1e-15
    );
    // g = 1 - sin: a double root at x = 1/4, sigma(g) = g.
    let y = measure_exact(&spec, &ShallowInr::single(1, 1, vec![1.0, 0.0, -1.0])).unwrap();
    let c = map.to_complex(&y).unwrap();
    let at = |k: i64| c.iter().find(|(f, _)| f[0] == k).unwrap().1;
    assert_abs_diff_eq!(at(0).re, 1.0, epsilon = 1e-12);
    assert!(
        (at(1) - num_complex::Complex64::new(0.0, 0.5)).norm() < 1e-12,
        "{}",
        at(1)
    );
    // g <= 0 everywhere: zero.
    let y = measure_exact(&spec, &ShallowInr::single(1, 1, vec![-1.0, 0.3, 0.2])).unwrap();
    assert_eq!(norm(&y), 0.0);
}

#[test]
fn exact_handles_higher_degree_with_many_zeros() {
    // g = cos(2 pi 3 x) has 6 simple zeros; sigma(g)^[3] = 1/4 (as for k0 = 1).
    let spec = spec(1, 3, 7, "mod");
    let mut w = vec![0.0; 7];
    w[5] = 1.0; // cos(2 pi 3 x): constant, (cos1, sin1), (cos2, sin2), (cos3, sin3)
    let y = measure_exact(&spec, &ShallowInr::single(1, 3, w)).unwrap();
    let c = RealMap::new(1, 7).to_complex(&y).unwrap();
    let at = |k: i64| c.iter().find(|(f, _)| f[0] == k).unwrap().1;
    assert_abs_diff_eq!(at(0).re, 1.0 / std::f64::consts::PI, epsilon = 1e-13);
    assert_abs_diff_eq!(at(3).re, 0.25, epsilon = 1e-13);
    assert!(at(1).norm() < 1e-13 && at(5).norm() < 1e-13);
}

fn fd_jacobian(unit: &UnitEvaluator, w: &[f64], h: f64) -> Vec<f64> {
    let m = unit.map().len();
    let mut out = vec![0.0; m * w.len()];
    for i in 0..w.len() {
        let mut wp = w.to_vec();
        let mut wm = w.to_vec();
        wp[i] += h;
        wm[i] -= h;
        let yp = unit.measure(&wp).unwrap();
        let ym = unit.measure(&wm).unwrap();
        for q in 0..m {
            out[i * m + q] = (yp[q] - ym[q]) / (2.0 * h);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn real_map_norm_identity_and_round_trip(d in 1usize..=3, k in 1usize..=3, seed in 0u64..1000) {
        let map = RealMap::new(d, k);
        let y: Vec<f64> = (0..map.len()).map(|i| ((i as f64 + 1.3) * (seed as f64 + 0.7)).sin()).collect();
        let full = map.to_complex(&y).unwrap();
        prop_assert_eq!(full.len(), FrequencySet::cube(d, k).len());
        let complex_norm: f64 = full.iter().map(|(_, c)| c.norm_sqr()).sum::<f64>().sqrt();
        prop_assert!((complex_norm - norm(&y)).abs() < 1e-12 * (1.0 + norm(&y)));
        // Hermitian symmetry: the entry of -k is the conjugate of that of k.
        let n = full.len();
        for i in 0..n {
            let (k1, c1) = &full[i];
            let (k2, c2) = &full[n - 1 - i];
            prop_assert!(k1.iter().zip(k2).all(|(a, b)| *a == -*b));
            prop_assert!((c1 - c2.conj()).norm() < 1e-15);
        }
        // Round trip through the half vector.
        let mut back = vec![0.0; map.len()];
        map.to_real(&map.to_half(&y), &mut back);
        prop_assert!(dist(&back, &y) < 1e-14);
    }

    #[test]
    fn exact_jacobian_matches_finite_differences(seed in 0u64..10_000, k0 in 1usize..=3) {
        let k = 2 * k0 + 1;
        let unit = UnitEvaluator::exact(Features::new(1, k0), k).unwrap();
        let w = ShallowInr::random(1, k0, 1, seed).unwrap().units[0].w.clone();
        let jac = unit.jacobian(&w).unwrap();
        let fd = fd_jacobian(&unit, &w, 1e-6);
        let err = dist(&jac, &fd);
        prop_assert!(err < 1e-7 * (1.0 + norm(&fd)), "|J - FD| = {:e}, |FD| = {:e}", err, norm(&fd));
    }

    #[test]
    fn grid_jacobian_matches_finite_differences(seed in 0u64..10_000, d in 1usize..=2) {
        let (k0, k, n) = if d == 1 { (2, 5, 512) } else { (1, 3, 64) };
        let unit = UnitEvaluator::grid(Features::new(d, k0), k, k, n);
        let w = ShallowInr::random(d, k0, 1, seed).unwrap().units[0].w.clone();
        // Away from kinks: no grid point may have g within 10 h |gamma| of 0
        // (there the quadrature is linear in w over the FD step, so the
        // central difference is exact up to rounding).
        let h = 1e-7;
        let features = Features::new(d, k0);
        let gamma_max = ((features.dim() + 1) as f64 / 2.0).sqrt();
        let total = n.pow(d as u32);
        let near_kink = (0..total).any(|i| {
            let x: Vec<f64> = if d == 1 {
                vec![i as f64 / n as f64]
            } else {
                vec![(i / n) as f64 / n as f64, (i % n) as f64 / n as f64]
            };
            features.g(&w, &x).abs() < 10.0 * h * gamma_max
        });
        prop_assume!(!near_kink);
        let jac = unit.jacobian(&w).unwrap();
        let fd = fd_jacobian(&unit, &w, h);
        let err = dist(&jac, &fd);
        let tol = 1e-6 * norm(&fd);
        prop_assert!(err <= tol, "|J - FD| = {:e} (tol {:e})", err, tol);
    }
}

/// `measure_and_jacobian` analyses `g_w` once for both; its twin is the
/// pair of separate calls, which analyse twice. They must agree on every
/// route (grid, exact 1-D, exact 2-D with K0 = 1 and 2), for a unit of
/// ordinary size, one far outside the rescaling range, and one that vanishes.
#[test]
fn measure_and_jacobian_agrees_with_the_separate_calls() {
    let cases: Vec<(UnitEvaluator, usize)> = vec![
        (UnitEvaluator::grid(Features::new(2, 1), 3, 3, 64), 9),
        (UnitEvaluator::exact(Features::new(1, 2), 4).unwrap(), 5),
        (UnitEvaluator::exact(Features::new(2, 1), 3).unwrap(), 9),
        (UnitEvaluator::exact(Features::new(2, 2), 4).unwrap(), 25),
    ];
    for (unit, dim) in cases {
        let base: Vec<f64> = (0..dim)
            .map(|i| ((i * 7 + 3) % 11) as f64 / 11.0 - 0.4)
            .collect();
        let huge: Vec<f64> = base.iter().map(|v| v * 1e14).collect();
        let mut vanishing = vec![0.0; dim];
        vanishing[0] = -1.0;
        for w in [base, huge, vanishing] {
            let (y, jac) = unit.measure_and_jacobian(&w).unwrap();
            let y_twin = unit.measure(&w).unwrap();
            let jac_twin = unit.jacobian(&w).unwrap();
            assert_eq!(y.len(), y_twin.len());
            assert_eq!(jac.len(), jac_twin.len());
            let ys = y_twin
                .iter()
                .fold(0.0f64, |a, v| a.max(v.abs()))
                .max(f64::MIN_POSITIVE);
            for (a, b) in y.iter().zip(&y_twin) {
                assert_abs_diff_eq!(a / ys, b / ys, epsilon = 1e-14);
            }
            for (a, b) in jac.iter().zip(&jac_twin) {
                assert_abs_diff_eq!(*a, *b, epsilon = 1e-14);
            }
        }
    }
}
