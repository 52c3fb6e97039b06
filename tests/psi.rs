//! The weightings psi (docs/theory.md 3): positive homogeneity, positivity,
//! Parseval for psi_pre, gradients against central finite differences.

use inrsamp::fourier::separable::{SeparablePlan, SeparableScratch};
use inrsamp::inr::features::Features;
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::psi::{Psi, psi_pre};
use inrsamp::inr::unit::UnitEvaluator;
use proptest::prelude::*;

/// Every weighting of a problem: std, pre, mod (exact in d = 1, grid in d = 2).
fn all_psis(d: usize, k0: usize, k_prime: usize) -> Vec<Psi> {
    let unit = if d == 1 {
        UnitEvaluator::exact(Features::new(d, k0), k_prime).unwrap()
    } else {
        UnitEvaluator::grid(Features::new(d, k0), k_prime, k_prime, 64)
    };
    vec![Psi::std(), Psi::pre(), Psi::modified(unit)]
}

fn random_w(d: usize, k0: usize, seed: u64, scale: f64) -> Vec<f64> {
    ShallowInr::random(d, k0, 1, seed).unwrap().units[0]
        .w
        .iter()
        .map(|v| v * scale)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    #[test]
    fn psi_is_positively_homogeneous(seed in 0u64..100_000, alpha in 0.01f64..50.0, d in 1usize..=2) {
        let w = random_w(d, 1, seed, 1.7);
        let aw: Vec<f64> = w.iter().map(|v| alpha * v).collect();
        for psi in all_psis(d, 1, 3) {
            let p = psi.value(&w).unwrap();
            let pa = psi.value(&aw).unwrap();
            prop_assert!((pa - alpha * p).abs() <= 1e-12 * (1.0 + alpha * p), "{}: {} vs {}", psi.kind(), pa, alpha * p);
        }
    }

    #[test]
    fn psi_gradients_match_finite_differences(seed in 0u64..100_000, d in 1usize..=2, k0 in 1usize..=2) {
        let w = random_w(d, k0, seed, 1.3);
        for psi in all_psis(d, k0, 2 * k0 + 1) {
            let (v, g) = psi.value_and_gradient(&w).unwrap();
            let h = 1e-6;
            let mut err: f64 = 0.0;
            let mut gnorm: f64 = 0.0;
            for i in 0..w.len() {
                let mut wp = w.clone();
                let mut wm = w.clone();
                wp[i] += h;
                wm[i] -= h;
                let fd = (psi.value(&wp).unwrap() - psi.value(&wm).unwrap()) / (2.0 * h);
                err = err.max((fd - g[i]).abs());
                gnorm = gnorm.max(fd.abs());
            }
            // Grid psi_mod (d = 2): a grid point whose g changes sign within
            // the step perturbs the difference quotient by O(1/N^d).
            let tol = if d == 1 { 1e-7 } else { 1e-6 + 2.0 / 4096.0 };
            prop_assert!(err <= tol * (1.0 + gnorm), "{} at psi = {}: max |grad - FD| = {:e}", psi.kind(), v, err);
        }
    }

    #[test]
    fn psi_is_positive_whenever_the_unit_is_not_zero(seed in 0u64..100_000, shift in -2.0f64..0.5) {
        // Shift the constant so that some units vanish identically.
        let mut w = random_w(1, 2, seed, 1.0);
        w[0] += shift;
        let unit = UnitEvaluator::exact(Features::new(1, 2), 5).unwrap();
        let nonzero = unit.measure(&w).unwrap()[0] > 0.0; // the mean of sigma(g) > 0 iff sigma(g) != 0
        for psi in all_psis(1, 2, 5) {
            let p = psi.value(&w).unwrap();
            if nonzero {
                prop_assert!(p > 0.0, "{} = {} for a nonzero unit", psi.kind(), p);
            }
            // psi_mod vanishes exactly when the unit does (std and pre do not
            // vanish for w != 0, which the definition allows).
            if matches!(psi.kind(), inrsamp::inr::psi::PsiKind::Mod { .. }) {
                prop_assert_eq!(p > 0.0, nonzero);
            }
        }
    }

    #[test]
    fn psi_pre_is_the_grid_l2_norm_of_g(seed in 0u64..100_000, d in 1usize..=3, k0 in 1usize..=2) {
        // Parseval: for N > 2 K0 the grid mean of g^2 is exactly |g|_L2^2.
        let f = Features::new(d, k0);
        let w = random_w(d, k0, seed, 2.0);
        let n = 2 * k0 + 3;
        let plan = SeparablePlan::new(d, n, k0, 1);
        let mut b = vec![0.0; f.dim()];
        f.w_to_tensor(&w, &mut b);
        let mut vals = vec![0.0; plan.grid_len()];
        plan.synthesize(&b, &mut vals, &mut SeparableScratch::default());
        let l2 = (vals.iter().map(|v| v * v).sum::<f64>() / vals.len() as f64).sqrt();
        prop_assert!((l2 - psi_pre(&w)).abs() < 1e-13 * (1.0 + l2), "grid L2 {} vs psi_pre {}", l2, psi_pre(&w));
    }
}

#[test]
fn psi_mod_tends_to_the_l2_norm_of_the_unit() {
    // docs/theory.md 3: psi_mod(K') -> |sigma(g_w)|_L2 as K' grows (Parseval).
    let w = random_w(1, 1, 5, 1.0);
    let f = Features::new(1, 1);
    let n = 1 << 16;
    let plan = SeparablePlan::new(1, n, 1, 1);
    let mut b = vec![0.0; 3];
    f.w_to_tensor(&w, &mut b);
    let mut vals = vec![0.0; n];
    plan.synthesize(&b, &mut vals, &mut SeparableScratch::default());
    let l2 = (vals.iter().map(|v| v.max(0.0).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mut gaps = Vec::new();
    for kp in [2usize, 8, 32, 128] {
        let psi = Psi::modified(UnitEvaluator::exact(f.clone(), kp).unwrap());
        let p = psi.value(&w).unwrap();
        assert!(
            p <= l2 + 1e-9,
            "psi_mod({kp}) = {p} exceeds |sigma(g)| = {l2}"
        );
        gaps.push(l2 - p);
    }
    assert!(
        gaps.windows(2).all(|g| g[1] < g[0]),
        "gaps {gaps:?} do not decrease"
    );
    assert!(gaps[3] < 1e-4, "gap at K' = 128: {}", gaps[3]);
}
