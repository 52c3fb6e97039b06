//! Training (THEORY.md 7): every gradient block of the shallow model against
//! central finite differences, the forward model against the dictionary's
//! unit measurements, and the optimizers.

mod common;
use common::*;
use inrsamp::inr::features::Features;
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::unit::UnitEvaluator;
use inrsamp::train::model::ShallowModel;
use inrsamp::train::{initialize, TrainSettings};
use proptest::prelude::*;

fn model_for(d: i64, psi: &str, width: usize, n: usize) -> (inrsamp::ProblemSpec, ShallowModel) {
    let spec = spec(d, 1, 3, psi);
    let model = ShallowModel::new(&spec, width, n).unwrap();
    (spec, model)
}

#[test]
fn forward_equals_the_sum_of_unit_measurements() {
    for d in [1, 2] {
        let (spec, model) = model_for(d, "std", 5, 32);
        let s = TrainSettings { width: 5, seed: 3, ..Default::default() };
        let theta = initialize(&model, &s);
        let mut ws = model.workspace();
        let mut y = vec![0.0; model.m];
        model.forward(&theta, &mut ws, &mut y);
        let unit = UnitEvaluator::grid(Features::new(spec.d, spec.k0), spec.k, spec.k, 32);
        let mut expect = vec![0.0; model.m];
        for j in 0..5 {
            let w = &theta[5 + j * model.dim..5 + (j + 1) * model.dim];
            let yj = unit.measure(w).unwrap();
            expect.iter_mut().zip(&yj).for_each(|(e, v)| *e += theta[j] * v);
        }
        assert!(dist(&y, &expect) < 1e-13 * (1.0 + norm(&expect)), "d={d}: {:e}", dist(&y, &expect));
    }
}

fn objective(model: &ShallowModel, theta: &[f64], v: &[f64], with_reg: bool) -> f64 {
    let mut ws = model.workspace();
    let mut y = vec![0.0; model.m];
    model.forward(theta, &mut ws, &mut y);
    let mut scratch = vec![0.0; theta.len()];
    let reg = if with_reg { model.regularizer(theta, &mut ws, 1.0, &mut scratch) } else { 0.0 };
    v.iter().zip(&y).map(|(a, b)| a * b).sum::<f64>() + reg
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn data_and_regularizer_gradients_match_finite_differences(seed in 0u64..10_000, d in 1i64..=2, psi_idx in 0usize..3) {
        let psi = ["std", "pre", "mod"][psi_idx];
        let (_, model) = model_for(d, psi, 4, if d == 1 { 256 } else { 32 });
        let s = TrainSettings { width: 4, seed, init_outer: 1.0, ..Default::default() };
        let theta = initialize(&model, &s);
        let v: Vec<f64> = (0..model.m).map(|i| ((i as f64 + 1.0) * (seed as f64 + 0.3)).sin()).collect();
        for with_reg in [false, true] {
            let mut ws = model.workspace();
            let mut y = vec![0.0; model.m];
            model.forward(&theta, &mut ws, &mut y);
            let mut grad = vec![0.0; theta.len()];
            if with_reg {
                model.regularizer(&theta, &mut ws, 1.0, &mut grad);
            }
            model.backward_data(&theta, &v, &mut ws, &mut grad);
            let h = 1e-6;
            let mut worst: f64 = 0.0;
            for i in 0..theta.len() {
                let mut tp = theta.clone();
                let mut tm = theta.clone();
                tp[i] += h;
                tm[i] -= h;
                let fd = (objective(&model, &tp, &v, with_reg) - objective(&model, &tm, &v, with_reg)) / (2.0 * h);
                worst = worst.max((fd - grad[i]).abs());
            }
            // A grid point whose pre-activation changes sign within the step
            // perturbs the quotient by O(1/N^d).
            let tol = 1e-6 * (1.0 + norm(&grad)) + 4.0 / model.grid_len() as f64;
            prop_assert!(worst < tol, "d={} {} reg={}: max |grad - FD| = {:e} (tol {:e})", d, psi, with_reg, worst, tol);
        }
    }
}

#[test]
fn regularizer_values_match_the_weightings() {
    for psi in ["std", "pre", "mod"] {
        let (spec, model) = model_for(2, psi, 3, 32);
        let s = TrainSettings { width: 3, seed: 9, init_outer: 1.0, ..Default::default() };
        let theta = initialize(&model, &s);
        let mut ws = model.workspace();
        let mut y = vec![0.0; model.m];
        model.forward(&theta, &mut ws, &mut y);
        let mut g = vec![0.0; theta.len()];
        let r = model.regularizer(&theta, &mut ws, 1.0, &mut g);
        let plan = inrsamp::dictionary::DiscretizationPlan { n_quad: 32, exact: false, error_samples: 0 };
        let p = inrsamp::certify::eta::psi_for(&spec, &plan).unwrap();
        let mut expect = 0.0;
        for j in 0..3 {
            let w = &theta[3 + j * model.dim..3 + (j + 1) * model.dim];
            expect += 0.5 * (theta[j] * theta[j] + p.value(w).unwrap().powi(2));
        }
        assert!((r - expect).abs() < 1e-12 * (1.0 + expect), "{psi}: {r} vs {expect}");
    }
    let _ = ShallowInr::random(1, 1, 1, 0);
}
