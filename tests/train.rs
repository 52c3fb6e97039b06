//! Training (docs/theory.md 7): every gradient block of the shallow model against
//! central finite differences, the forward model against the dictionary's
//! unit measurements, and the optimizers.

mod common;
use common::*;
use inrsamp::inr::features::Features;
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::unit::UnitEvaluator;
use inrsamp::train::model::ShallowModel;
use inrsamp::train::{TrainSettings, initialize};
use proptest::prelude::*;

fn model_for(d: i64, psi: &str, width: usize, n: usize) -> (inrsamp::ProblemSpec, ShallowModel) {
    let spec = spec(d, 1, 3, psi);
    let model = ShallowModel::new(&spec, width, n).unwrap();
    (spec, model)
}

#[test]
fn forward_equals_the_sum_of_unit_measurements() {
    // (d, width, n): the last has more units than parallel groups and a
    // grid (36^2 = 1296 points) that is not a multiple of the model's
    // chunk of grid points.
    for (d, width, n) in [(1, 5, 32), (2, 5, 32), (2, 11, 36)] {
        let (spec, model) = model_for(d, "std", width, n);
        let s = TrainSettings {
            width,
            seed: 3,
            ..Default::default()
        };
        let theta = initialize(&model, &s);
        let mut ws = model.workspace();
        let mut y = vec![0.0; model.m];
        model.forward(&theta, &mut ws, &mut y);
        let unit = UnitEvaluator::grid(Features::new(spec.d, spec.k0), spec.k, spec.k, n);
        let mut expect = vec![0.0; model.m];
        for j in 0..width {
            let w = &theta[width + j * model.dim..width + (j + 1) * model.dim];
            let yj = unit.measure(w).unwrap();
            expect
                .iter_mut()
                .zip(&yj)
                .for_each(|(e, v)| *e += theta[j] * v);
        }
        assert!(
            dist(&y, &expect) < 1e-13 * (1.0 + norm(&expect)),
            "d={d}: {:e}",
            dist(&y, &expect)
        );
    }
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
            let (grad, worst) = gradient_and_fd_error(&model, &theta, &v, with_reg);
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
        let s = TrainSettings {
            width: 3,
            seed: 9,
            init_outer: 1.0,
            ..Default::default()
        };
        let theta = initialize(&model, &s);
        let mut ws = model.workspace();
        let mut y = vec![0.0; model.m];
        model.forward(&theta, &mut ws, &mut y);
        let mut g = vec![0.0; theta.len()];
        let r = model.regularizer(&theta, &mut ws, 1.0, &mut g);
        let plan = inrsamp::dictionary::DiscretizationPlan {
            n_quad: 32,
            exact: false,
            error_samples: 0,
        };
        let p = inrsamp::certify::eta::psi_for(&spec, &plan).unwrap();
        let mut expect = 0.0;
        for j in 0..3 {
            let w = &theta[3 + j * model.dim..3 + (j + 1) * model.dim];
            expect += 0.5 * (theta[j] * theta[j] + p.value(w).unwrap().powi(2));
        }
        assert!(
            (r - expect).abs() < 1e-12 * (1.0 + expect),
            "{psi}: {r} vs {expect}"
        );
    }
    let _ = ShallowInr::random(1, 1, 1, 0);
}

use inrsamp::train::{Method, Silent, Termination, train};

#[test]
fn al_recovers_width_one_teachers_unless_the_convex_problem_does_not() {
    // The paper's protocol (stop when the MSE against the teacher is below
    // tau) on fresh teacher seeds 100..110 (the defaults were tuned on 0..10):
    // d = 2, K0 = 1, K = 3, width 40, default settings. A seed that AL does
    // not recover is explained when the convex verdict finds a verified
    // measure cheaper than the teacher (`not_recovered`: no minimizer of (3)
    // is the teacher), derived here, not listed. At most one unexplained
    // failure per psi is allowed (the optimizer may miss; stated).
    use inrsamp::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
    for psi in ["mod", "std"] {
        let mut failed = Vec::new();
        for seed in 100..110u64 {
            let (spec, _, y, tg) = teacher_data(psi, seed, 64);
            let model = ShallowModel::new(&spec, 40, 64).unwrap();
            let s = TrainSettings {
                seed,
                stop_on_recovery: true,
                ..Default::default()
            };
            let r = train(
                &model,
                &y,
                Some(&tg),
                initialize(&model, &s),
                &s,
                &mut Silent,
            )
            .unwrap();
            if r.recovered_at.is_none() {
                failed.push(seed);
            }
        }
        let mut unexplained = Vec::new();
        for &seed in &failed {
            let (spec, t, _, _) = teacher_data(psi, seed, 64);
            let mut opts = inrsamp::certify::refine::SolveOptions::default();
            opts.refine.enabled = false;
            let (rep, _, _) = certify_teacher(
                &spec,
                &t,
                &VerdictSettings::default(),
                &opts,
                &inrsamp::certify::CertifySettings::default(),
            )
            .unwrap();
            if rep.verdict != Verdict::NotRecovered {
                unexplained.push((seed, rep.verdict.name()));
            }
        }
        assert!(
            unexplained.len() <= 1,
            "psi_{psi}: AL failed on seeds {failed:?}; not explained by a cheaper convex measure: {unexplained:?}"
        );
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (spec, _, y, tg) = teacher_data("mod", 3, 32);
    let model = ShallowModel::new(&spec, 12, 32).unwrap();
    let s = TrainSettings {
        seed: 3,
        width: 12,
        outer_max: 3,
        inner_steps: 50,
        ..Default::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                train(
                    &model,
                    &y,
                    Some(&tg),
                    initialize(&model, &s),
                    &s,
                    &mut Silent,
                )
                .unwrap()
            })
    };
    let a = run(1);
    let b = run(2);
    let c = run(2);
    assert_eq!(a.params, b.params, "1 vs 2 threads");
    assert_eq!(b.params, c.params, "same seed, same threads");
    let other = train(
        &model,
        &y,
        Some(&tg),
        initialize(&model, &TrainSettings { seed: 4, ..s }),
        &s,
        &mut Silent,
    )
    .unwrap();
    assert_ne!(a.params, other.params);
}

#[test]
fn overflow_stops_with_diverged_and_keeps_finite_parameters() {
    let (spec, _, y, tg) = teacher_data("std", 1, 32);
    let model = ShallowModel::new(&spec, 5, 32).unwrap();
    // Data of size 1e200: |r|^2 overflows to infinity at the first step.
    let y: Vec<f64> = y.iter().map(|v| v * 1e200).collect();
    let s = TrainSettings {
        width: 5,
        ..Default::default()
    };
    let theta0 = initialize(&model, &s);
    let r = train(&model, &y, Some(&tg), theta0.clone(), &s, &mut Silent).unwrap();
    assert!(
        matches!(r.termination, Termination::Diverged { step: 1 }),
        "{:?}",
        r.termination
    );
    assert!(r.params.iter().all(|v| v.is_finite()));
    assert_eq!(r.params, theta0);
}

#[test]
fn penalized_fit_reduces_the_residual_and_balancing_keeps_the_function() {
    let (spec, _, y, tg) = teacher_data("mod", 2, 32);
    let model = ShallowModel::new(&spec, 10, 32).unwrap();
    let s = TrainSettings {
        width: 10,
        method: Method::Penalized,
        steps: 600,
        lambda: 1e-5,
        seed: 2,
        ..Default::default()
    };
    let r = train(
        &model,
        &y,
        Some(&tg),
        initialize(&model, &s),
        &s,
        &mut Silent,
    )
    .unwrap();
    let first = r.history.first().unwrap().residual;
    let last = r.history.last().unwrap().residual;
    assert!(last < 0.2 * first, "residual {first} -> {last}");
    let plan = inrsamp::dictionary::DiscretizationPlan {
        n_quad: 32,
        exact: false,
        error_samples: 0,
    };
    let psi = inrsamp::certify::eta::psi_for(&spec, &plan).unwrap();
    let b = inrsamp::train::readout::balance(2, 1, model.dim, &r.params, &psi).unwrap();
    // Balancing leaves f unchanged and R_psi drops to the balanced cost.
    let unbalanced = ShallowInr {
        d: 2,
        k0: 1,
        units: (0..10)
            .map(|j| inrsamp::inr::network::Unit {
                a: r.params[j],
                w: r.params[10 + j * 9..10 + (j + 1) * 9].to_vec(),
            })
            .collect(),
    };
    let f1 = unbalanced.grid_values(32);
    let f2 = b.network.grid_values(32);
    assert!(dist(&f1, &f2) < 1e-12 * (1.0 + norm(&f1)));
    assert!(
        b.cost <= b.regularizer_before + 1e-12,
        "{} > {}",
        b.cost,
        b.regularizer_before
    );
    let rebalanced: f64 = b
        .network
        .units
        .iter()
        .map(|u| 0.5 * (u.a * u.a + psi.value(&u.w).unwrap().powi(2)))
        .sum();
    assert!(
        (rebalanced - b.cost).abs() < 1e-10 * (1.0 + b.cost),
        "{rebalanced} vs {}",
        b.cost
    );
}

#[test]
fn the_teacher_only_evaluates_unless_asked_to_stop() {
    // Without --stop-on-recovery the trajectory must not depend on the
    // teacher: training with and without its grid values gives the same
    // parameters bit for bit, and the teacher only adds `recovered_at`.
    let (spec, _, y, tg) = teacher_data("mod", 3, 64);
    let model = ShallowModel::new(&spec, 20, 64).unwrap();
    let s = TrainSettings {
        seed: 3,
        width: 20,
        outer_max: 12,
        inner_steps: 100,
        ..Default::default()
    };
    let with = train(
        &model,
        &y,
        Some(&tg),
        initialize(&model, &s),
        &s,
        &mut Silent,
    )
    .unwrap();
    let without = train(&model, &y, None, initialize(&model, &s), &s, &mut Silent).unwrap();
    assert_eq!(with.params, without.params);
    assert_eq!(with.termination, without.termination);
    assert!(without.recovered_at.is_none());
    // With stop_on_recovery the run ends at the first recovery, no later.
    let stop = TrainSettings {
        stop_on_recovery: true,
        ..s
    };
    let r = train(
        &model,
        &y,
        Some(&tg),
        initialize(&model, &stop),
        &stop,
        &mut Silent,
    )
    .unwrap();
    if let Some(k) = with.recovered_at {
        assert_eq!(r.termination, Termination::Recovered { outer: k });
        assert!(r.history.len() <= with.history.len());
    }
}

#[test]
fn al_stops_on_its_own_criteria_when_feasible_and_stationary() {
    // Loose tolerances that a converging run meets: the run must stop with
    // `Converged` before the outer limit, and its last record must satisfy
    // the feasibility criterion it claims (checked here from the record).
    let (spec, _, y, _) = teacher_data("mod", 4, 64);
    let model = ShallowModel::new(&spec, 20, 64).unwrap();
    let s = TrainSettings {
        seed: 4,
        width: 20,
        outer_max: 60,
        inner_steps: 100,
        feasibility_tol: 1e-3,
        stationarity_tol: 5e-2,
        ..Default::default()
    };
    let r = train(&model, &y, None, initialize(&model, &s), &s, &mut Silent).unwrap();
    let Termination::Converged { outer } = r.termination else {
        panic!("expected convergence, got {:?}", r.termination)
    };
    assert!(outer < 60);
    let last = r.history.last().unwrap();
    let ynorm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(
        last.residual <= 1e-3 * ynorm,
        "{} vs {}",
        last.residual,
        ynorm
    );
}
