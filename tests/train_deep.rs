//! The deep INR (docs/theory.md 7): its hand-written gradients against
//! central finite differences, depth 1 against the shallow INR, and an AL
//! fit. Split from `tests/train.rs`.

mod common;
use common::*;
use inrsamp::train::Network;
use inrsamp::train::deep::DeepModel;
use inrsamp::train::model::ShallowModel;
use inrsamp::train::{Silent, TrainSettings, train};

#[test]
fn deep_gradients_match_finite_differences() {
    for (d, depth, n) in [(1, 1, 300), (1, 3, 300), (2, 2, 24)] {
        let spec = spec(d, 1, 3, "std");
        let model = DeepModel::new(&spec, depth, 5, n).unwrap();
        for seed in 0..3 {
            let s = TrainSettings {
                seed,
                ..Default::default()
            };
            let mut theta = model.initialize(&s);
            // Nonzero biases so that their gradients are exercised.
            for (i, t) in theta.iter_mut().enumerate() {
                *t += 0.05 * ((i as f64) * 1.3).sin();
            }
            let v: Vec<f64> = (0..model.m)
                .map(|i| ((i as f64 + 1.0) * 0.77).cos())
                .collect();
            for with_reg in [false, true] {
                let (grad, worst) = gradient_and_fd_error(&model, &theta, &v, with_reg);
                let tol = 1e-6 * (1.0 + norm(&grad)) + 8.0 / (n as f64).powi(d as i32);
                assert!(
                    worst < tol,
                    "d={d} depth={depth} seed={seed} reg={with_reg}: max |grad - FD| = {worst:e} (tol {tol:e})"
                );
            }
        }
    }
}

#[test]
fn deep_with_one_layer_is_the_shallow_inr() {
    // depth 1: f = v . sigma(W_1 gamma) = sum_j v_j sigma(w_j . gamma).
    let spec = spec(2, 1, 3, "std");
    let deep = DeepModel::new(&spec, 1, 6, 32).unwrap();
    let shallow = ShallowModel::new(&spec, 6, 32).unwrap();
    let s = TrainSettings {
        seed: 5,
        width: 6,
        ..Default::default()
    };
    let theta_d = deep.initialize(&s);
    // Deep layout: W_1 (6 x 9) then v (6); shallow: a (6) then w (6 x 9).
    let mut theta_s = theta_d[54..60].to_vec();
    theta_s.extend_from_slice(&theta_d[..54]);
    let (mut wd, mut wsh) = (deep.workspace(), shallow.workspace());
    let (mut yd, mut ys) = (vec![0.0; deep.m], vec![0.0; shallow.m]);
    deep.forward(&theta_d, &mut wd, &mut yd);
    shallow.forward(&theta_s, &mut wsh, &mut ys);
    assert!(
        dist(&yd, &ys) < 1e-12 * (1.0 + norm(&ys)),
        "{:e}",
        dist(&yd, &ys)
    );
}

#[test]
fn deep_al_fit_drives_the_residual_down() {
    let (spec, _, y, tg) = teacher_data("std", 1, 32);
    let model = DeepModel::new(&spec, 2, 16, 32).unwrap();
    let s = TrainSettings {
        seed: 1,
        outer_max: 10,
        inner_steps: 100,
        ..Default::default()
    };
    let r = train(&model, &y, Some(&tg), model.initialize(&s), &s, &mut Silent).unwrap();
    let first = r.history.first().unwrap().residual;
    let last = r.history.last().unwrap().residual;
    assert!(last < 0.1 * first, "residual {first:e} -> {last:e}");
}
