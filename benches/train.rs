//! One Adam step of the augmented Lagrangian (forward, regularizer,
//! backward, Adam) for d = 2, K0 = 1, K = 4, width 40, psi_std, N = 64 and
//! N = 32; and psi_mod at N = 64. Figures go into the closing notes.

use criterion::{Criterion, criterion_group, criterion_main};
use inrsamp::inr::network::ShallowInr;
use inrsamp::measurement::measure_at;
use inrsamp::spec::SpecInput;
use inrsamp::train::Network;
use inrsamp::train::adam::Adam;
use inrsamp::train::model::ShallowModel;
use inrsamp::train::{TrainSettings, initialize};
use std::hint::black_box;

fn al_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("al_adam_step_d2_k0_1_k4_w40");
    for (psi, n) in [("std", 64usize), ("std", 32), ("mod", 64)] {
        let spec = SpecInput {
            d: Some(2),
            k0: Some(1),
            k: Some(4),
            psi: Some(psi.into()),
            ..Default::default()
        }
        .build()
        .unwrap();
        let model = ShallowModel::new(&spec, 40, n).unwrap();
        let teacher = ShallowInr::random(2, 1, 2, 1).unwrap();
        let y = measure_at(&spec, &teacher, n).unwrap();
        let s = TrainSettings::default();
        let mut theta = initialize(&model, &s);
        let mut ws = model.workspace();
        let mut adam = Adam::new(theta.len());
        let mut grad = vec![0.0; theta.len()];
        let mut y_hat = vec![0.0; model.m];
        let nu = vec![0.0; model.m];
        let mut v = vec![0.0; model.m];
        let rho = 10.0;
        group.bench_function(format!("{psi}_n{n}"), |b| {
            b.iter(|| {
                model.forward(&theta, &mut ws, &mut y_hat);
                for i in 0..model.m {
                    v[i] = nu[i] + rho * (y_hat[i] - y[i]);
                }
                grad.iter_mut().for_each(|g| *g = 0.0);
                model.regularizer(&theta, &mut ws, 1.0, &mut grad);
                model.backward_data(&theta, &v, &mut ws, &mut grad);
                adam.step(&mut theta, &grad, &s.adam, 1e-4);
                black_box(&theta);
            })
        });
    }
    // The deep INR: 2 hidden layers of width 64, psi_std (weight decay), N = 64.
    let spec = SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(4),
        psi: Some("std".into()),
        ..Default::default()
    }
    .build()
    .unwrap();
    let model = inrsamp::train::deep::DeepModel::new(&spec, 2, 64, 64).unwrap();
    let teacher = ShallowInr::random(2, 1, 2, 1).unwrap();
    let y = measure_at(&spec, &teacher, 64).unwrap();
    let s = TrainSettings::default();
    let mut theta = model.initialize(&s);
    let mut ws = model.workspace();
    let mut adam = Adam::new(theta.len());
    let mut grad = vec![0.0; theta.len()];
    let mut y_hat = vec![0.0; model.m];
    let mut v = vec![0.0; model.m];
    group.bench_function("deep_depth2_hidden64_n64", |b| {
        b.iter(|| {
            model.forward(&theta, &mut ws, &mut y_hat);
            for i in 0..model.m {
                v[i] = 10.0 * (y_hat[i] - y[i]);
            }
            grad.iter_mut().for_each(|g| *g = 0.0);
            model.regularizer(&theta, &mut ws, 1.0, &mut grad);
            model.backward_data(&theta, &v, &mut ws, &mut grad);
            adam.step(&mut theta, &grad, &s.adam, 1e-4);
            black_box(&theta);
        })
    });
    group.finish();
}

criterion_group!(benches, al_step);
criterion_main!(benches);
