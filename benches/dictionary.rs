//! Dictionary build throughput (columns per second), exact 1-D
//! coefficients per second, and exact 2-D against the 64 x 64 grid. Figures go into the closing notes.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use inrsamp::dictionary::{Dictionary, DiscretizationPlan};
use inrsamp::inr::features::Features;
use inrsamp::inr::unit::{UnitEvaluator, UnitScratch};
use inrsamp::spec::SpecInput;
use inrsamp::sphere::SphereGrid;
use std::hint::black_box;

fn spec(d: i64, k0: i64, k: i64, quad: i64) -> inrsamp::ProblemSpec {
    SpecInput {
        d: Some(d),
        k0: Some(k0),
        k: Some(k),
        psi: Some("mod".into()),
        quad: Some(quad),
        ..Default::default()
    }
    .build()
    .unwrap()
}

fn dictionary_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("dictionary_build");
    group.sample_size(10);
    for (label, d, k0, k, n, cols) in [
        ("d1_k0_2_k5_n4096", 1, 2, 5, 4096, 2_000usize),
        ("d2_k0_1_k3_n64", 2, 1, 3, 64, 20_000usize),
    ] {
        let s = spec(d, k0, k, n);
        let mut plan = DiscretizationPlan::for_spec(&s).unwrap();
        plan.error_samples = 0;
        let grid = SphereGrid::new(s.feature_dim(), cols, 1).unwrap();
        group.throughput(Throughput::Elements(cols as u64));
        group.bench_with_input(BenchmarkId::new("separable_rayon", label), &grid, |b, g| {
            b.iter(|| Dictionary::build(&s, &plan, black_box(&g.points)).unwrap())
        });
    }
    // The naive twin (direct evaluation + full FFT), on fewer columns.
    let s = spec(2, 1, 3, 64);
    let grid = SphereGrid::new(9, 200, 1).unwrap();
    group.throughput(Throughput::Elements(200));
    group.bench_function("naive_fft_twin/d2_k0_1_k3_n64", |b| {
        b.iter(|| Dictionary::build_naive(&s, 64, black_box(&grid.points)).unwrap())
    });
    group.finish();
}

/// Measures every direction of `grid` one unit at a time.
fn bench_units(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    unit: &UnitEvaluator,
    grid: &SphereGrid,
    out: &mut [f64],
    scratch: &mut UnitScratch,
) {
    group.bench_function(BenchmarkId::new("units", label), |b| {
        b.iter(|| {
            for j in 0..grid.len() {
                unit.measure_into(grid.point(j), out, scratch).unwrap();
            }
            black_box(&*out);
        })
    });
}

fn exact_1d(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_1d_coefficients");
    for k0 in [1usize, 2, 4] {
        let k = 2 * k0 + 1;
        let unit = UnitEvaluator::exact(Features::new(1, k0), k).unwrap();
        let grid = SphereGrid::new(2 * k0 + 1, 1000, 3).unwrap();
        let mut out = vec![0.0; 2 * k + 1];
        let mut scratch = UnitScratch::default();
        group.throughput(Throughput::Elements(1000));
        bench_units(
            &mut group,
            &format!("k0_{k0}_k{k}"),
            &unit,
            &grid,
            &mut out,
            &mut scratch,
        );
    }
    group.finish();
}

/// Exact 2-D coefficients (d = 2, K0 = 1, K = 3) against the 64 x 64
/// partial DFT, one unit at a time on one thread (issue target: at most 10x).
fn exact_2d(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_2d_vs_grid64");
    let grid = SphereGrid::new(9, 1000, 3).unwrap();
    let mut out = vec![0.0; 49];
    let mut scratch = UnitScratch::default();
    group.throughput(Throughput::Elements(1000));
    for (label, unit) in [
        (
            "exact_2d",
            UnitEvaluator::exact(Features::new(2, 1), 3).unwrap(),
        ),
        (
            "grid_64",
            UnitEvaluator::grid(Features::new(2, 1), 3, 3, 64),
        ),
    ] {
        bench_units(&mut group, label, &unit, &grid, &mut out, &mut scratch);
    }
    // The Jacobian A_K[H(g) gamma] (9 columns), exact and on the grid, on
    // 100 directions: the exact route integrates the indicator once
    // (`fourier::exact2d_jacobian`).
    group.throughput(Throughput::Elements(100));
    for (label, unit) in [
        (
            "exact_2d",
            UnitEvaluator::exact(Features::new(2, 1), 3).unwrap(),
        ),
        (
            "grid_64",
            UnitEvaluator::grid(Features::new(2, 1), 3, 3, 64),
        ),
    ] {
        group.bench_function(BenchmarkId::new("jacobian", label), |b| {
            b.iter(|| {
                for j in 0..100 {
                    black_box(unit.jacobian(grid.point(j)).unwrap());
                }
            })
        });
    }
    // What eta's value and gradient need: the measurement and the Jacobian,
    // as two calls (two analyses of g) or one (`measure_and_jacobian`).
    let unit = UnitEvaluator::exact(Features::new(2, 1), 3).unwrap();
    group.bench_function("measure_then_jacobian/exact_2d", |b| {
        b.iter(|| {
            for j in 0..100 {
                black_box(unit.measure(grid.point(j)).unwrap());
                black_box(unit.jacobian(grid.point(j)).unwrap());
            }
        })
    });
    group.bench_function("measure_and_jacobian/exact_2d", |b| {
        b.iter(|| {
            for j in 0..100 {
                black_box(unit.measure_and_jacobian(grid.point(j)).unwrap());
            }
        })
    });
    group.finish();
}

/// Exact 2-D measurement and Jacobian at the largest cutoff of the paper's
/// sweeps (d = 2, K0 = 1, K = 8: M = 289), one unit at a time on one
/// thread: there the sum over the nodes ([`inrsamp::fourier::exact2d::accumulate`])
/// dominates the cost.
fn exact_2d_k8(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_2d_k8");
    let grid = SphereGrid::new(9, 100, 3).unwrap();
    group.throughput(Throughput::Elements(100));
    let unit = UnitEvaluator::exact(Features::new(2, 1), 8).unwrap();
    group.bench_function("measure_and_jacobian", |b| {
        b.iter(|| {
            for j in 0..100 {
                black_box(unit.measure_and_jacobian(grid.point(j)).unwrap());
            }
        })
    });
    group.finish();
}

/// Exact 2-D measurement and Jacobian of thin bumps (d = 2, K0 = 1, K = 5):
/// `g = h - max h + t |w|` with `t` in {1e-2, 1e-4, 1e-6}, the
/// near-vanishing units that `psi_mod`'s searches visit, where most rows
/// are thin arcs (`fourier::exact2d_row::SMALL_ARC`). `max h` from a
/// 128 x 128 grid, so the bump's height is about `t |w|`.
fn exact_2d_thin(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_2d_thin_k5");
    let features = Features::new(2, 1);
    let grid = SphereGrid::new(9, 30, 5).unwrap();
    let mut units = Vec::new();
    for j in 0..30 {
        let mut w = grid.point(j).to_vec();
        w[0] = 0.0;
        let mut top = f64::NEG_INFINITY;
        for i1 in 0..128 {
            for i2 in 0..128 {
                let x = [i1 as f64 / 128.0, i2 as f64 / 128.0];
                top = top.max(features.g(&w, &x));
            }
        }
        let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
        for t in [1e-2, 1e-4, 1e-6] {
            let mut u = w.clone();
            u[0] = -top + t * norm;
            units.push(u);
        }
    }
    group.throughput(Throughput::Elements(units.len() as u64));
    let unit = UnitEvaluator::exact(features, 5).unwrap();
    group.bench_function("measure_and_jacobian", |b| {
        b.iter(|| {
            for u in &units {
                black_box(unit.measure_and_jacobian(u).unwrap());
            }
        })
    });
    group.finish();
}

/// Exact 2-D coefficients for K0 = 2 (companion rows, resultant
/// breakpoints, `fourier::exact2d_rows`) against the 64 x 64 partial DFT,
/// d = 2, K = 4, one unit at a time on one thread.
fn exact_2d_k0_2(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_2d_k0_2_vs_grid64");
    group.sample_size(10);
    let grid = SphereGrid::new(25, 200, 3).unwrap();
    let mut out = vec![0.0; 81];
    let mut scratch = UnitScratch::default();
    group.throughput(Throughput::Elements(200));
    for (label, unit) in [
        (
            "exact_2d_rows",
            UnitEvaluator::exact(Features::new(2, 2), 4).unwrap(),
        ),
        (
            "grid_64",
            UnitEvaluator::grid(Features::new(2, 2), 4, 4, 64),
        ),
    ] {
        bench_units(&mut group, label, &unit, &grid, &mut out, &mut scratch);
    }
    group.finish();
}

/// The gradient of `eta` needs `J^T lambda` (and `J^T y` for psi_mod):
/// the Jacobian-transpose route (`UnitEvaluator::measure_and_vjp`) against
/// forming `J` (`measure_and_jacobian`, D analyses) and multiplying, on the
/// 64 x 64 grid, d = 2, K0 = 2 (D = 25), K = 4, one unit at a time on one
/// thread.
fn grid_vjp_d25(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_vjp_d25");
    let grid = SphereGrid::new(25, 50, 3).unwrap();
    group.throughput(Throughput::Elements(50));
    let unit = UnitEvaluator::grid(Features::new(2, 2), 4, 4, 64);
    let lambda: Vec<f64> = (0..81).map(|i| (i as f64 * 0.7).sin()).collect();
    group.bench_function("jacobian_then_products", |b| {
        b.iter(|| {
            for j in 0..50 {
                let (y, jac) = unit.measure_and_jacobian(grid.point(j)).unwrap();
                let p: Vec<(f64, f64)> = jac
                    .chunks_exact(81)
                    .map(|col| {
                        let a: f64 = col.iter().zip(&lambda).map(|(x, l)| x * l).sum();
                        let b: f64 = col.iter().zip(&y).map(|(x, v)| x * v).sum();
                        (a, b)
                    })
                    .collect();
                black_box(p);
            }
        })
    });
    group.bench_function("measure_and_vjp", |b| {
        b.iter(|| {
            for j in 0..50 {
                black_box(
                    unit.measure_and_vjp(grid.point(j), &[&lambda], true)
                        .unwrap(),
                );
            }
        })
    });
    group.finish();
}

/// `eta` on the dense design of a sup search (`certify::eta::dense_eta`,
/// d = 2, K0 = 1, K = 8, exact columns, 20 000 points, one thread): the
/// first request builds the design's dictionary, later ones (another
/// `lambda`, the same design) read it from the process-wide cache
/// (`dictionary::design_cache`). Then psi_std at K = 3, the first request
/// screened (the default) and on exact columns.
fn dense_design(c: &mut Criterion) {
    use inrsamp::certify::eta::dense_eta;
    let mut group = c.benchmark_group("dense_design_d2_k8");
    group.sample_size(10);
    let spec = spec(2, 1, 8, 64);
    // Exact columns, as the verdicts use in d = 2, K0 = 1.
    let plan = inrsamp::certify::verdict::verdict_plan(&spec).unwrap();
    assert!(plan.exact);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let lambda: Vec<f64> = (0..spec.measurement_count())
        .map(|i| ((i * 37 % 11) as f64 - 5.0) / 7.0)
        .collect();
    let mut seed = 1000u64;
    group.bench_function("first_request_builds", |b| {
        b.iter(|| {
            seed += 1;
            pool.install(|| black_box(dense_eta(&spec, &plan, &lambda, 20_000, seed).unwrap()))
        })
    });
    pool.install(|| dense_eta(&spec, &plan, &lambda, 20_000, 7).unwrap());
    group.bench_function("cached_design", |b| {
        b.iter(|| pool.install(|| black_box(dense_eta(&spec, &plan, &lambda, 20_000, 7).unwrap())))
    });
    group.finish();
    // psi_std, K = 3: the first request screened on the 64 x 64 grid
    // (`certify::eta::screening_plan`, the default) and on exact columns.
    use inrsamp::certify::eta::dense_eta_screened;
    let mut group = c.benchmark_group("dense_design_d2_k3_std");
    group.sample_size(10);
    let spec = SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(3),
        psi: Some("std".into()),
        ..Default::default()
    }
    .build()
    .unwrap();
    let plan = inrsamp::certify::verdict::verdict_plan(&spec).unwrap();
    let lambda: Vec<f64> = (0..spec.measurement_count())
        .map(|i| ((i * 37 % 11) as f64 - 5.0) / 7.0)
        .collect();
    for (label, screen) in [("screened", true), ("exact", false)] {
        group.bench_function(BenchmarkId::new("first_request_builds", label), |b| {
            b.iter(|| {
                seed += 1;
                pool.install(|| {
                    black_box(
                        dense_eta_screened(&spec, &plan, &lambda, 20_000, seed, screen).unwrap(),
                    )
                })
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    exact_2d_thin,
    dense_design,
    grid_vjp_d25,
    dictionary_build,
    exact_1d,
    exact_2d,
    exact_2d_k8,
    exact_2d_k0_2
);
criterion_main!(benches);
