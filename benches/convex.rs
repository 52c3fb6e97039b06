//! (P_N) for d = 2, K0 = 1, K = 3, psi_mod, 20 000 grid directions: the
//! column-generation strategy (Clarabel on the dual, and on the primal) and
//! the full LP, and the same two with the simplex twin (microlp). Figures
//! go into the closing notes; `data/lp-twin/highs.py` times SciPy's HiGHS
//! on the same instance exported by `solve --export-lp`.

use criterion::{Criterion, criterion_group, criterion_main};
use inrsamp::convex::columns::{ColumnSettings, Strategy, solve_grid};
use inrsamp::convex::{Backend, Ldl, Program, SolveSettings};
use inrsamp::dictionary::{Dictionary, DiscretizationPlan};
use inrsamp::inr::network::ShallowInr;
use inrsamp::measurement::measure_at;
use inrsamp::spec::{ProblemSpec, SpecInput};
use inrsamp::sphere::SphereGrid;
use std::hint::black_box;
use std::time::Duration;

/// d = 2, K0 = 1, cutoff `k`, weighting `psi`, on the 64 x 64 grid.
fn d2_spec(k: i64, psi: &str) -> ProblemSpec {
    SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(k),
        psi: Some(psi.into()),
        quad: Some(64),
        ..Default::default()
    }
    .build()
    .unwrap()
}

fn solve_pn(c: &mut Criterion) {
    let spec = d2_spec(3, "mod");
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    let grid = SphereGrid::new(9, 20_000, 1).unwrap();
    let dict = Dictionary::build(&spec, &plan, &grid.points).unwrap();
    let teacher = ShallowInr::random(2, 1, 2, 3).unwrap();
    let y = measure_at(&spec, &teacher, 64).unwrap();
    let prog = Program::new(&dict.columns, dict.m, &y, &dict.psi, 0.0).unwrap();
    let s = SolveSettings::default();
    let cg = ColumnSettings::default();
    let mut group = c.benchmark_group("solve_pn_d2_k0_1_k3_mod_20000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    for (name, strategy, backend) in [
        (
            "columns_clarabel_dual",
            Strategy::Columns,
            Backend::Clarabel,
        ),
        (
            "columns_clarabel_primal",
            Strategy::Columns,
            Backend::ClarabelPrimal,
        ),
        ("full_clarabel_dual", Strategy::Full, Backend::Clarabel),
        ("columns_simplex", Strategy::Columns, Backend::Simplex),
        ("full_simplex", Strategy::Full, Backend::Simplex),
        ("columns_highs", Strategy::Columns, Backend::Highs),
        ("full_highs", Strategy::Full, Backend::Highs),
        ("columns_dense_ipm", Strategy::Columns, Backend::DenseIpm),
        ("full_dense_ipm", Strategy::Full, Backend::DenseIpm),
    ] {
        let r = solve_grid(&prog, strategy, backend, &s, &cg, None).unwrap();
        eprintln!(
            "{name}: status {:?}, objective {:.12}, {} LP solves, answered by {:?}",
            r.lp.status, r.lp.primal_objective, r.rounds, r.lp.backend
        );
        group.bench_function(name, |b| {
            b.iter(|| solve_grid(black_box(&prog), strategy, backend, &s, &cg, None).unwrap())
        });
    }
    group.finish();
}

/// The LPs of the paper sweeps' largest cutoff (d = 2, K0 = 1, K = 8, M =
/// 289, psi_std) with each of Clarabel's factorizations on the dual, and
/// the dense interior point: one full LP on the verdict's 2 000 grid
/// directions.
/// (Column generation on 20 000 directions, the size of the dense-LP
/// certificate candidate, took about 47 s per solve with faer: too long
/// for ten samples here.)
fn solve_k8_ldl(c: &mut Criterion) {
    let spec = d2_spec(8, "std");
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    let teacher = ShallowInr::random(2, 1, 2, 3).unwrap();
    let y = measure_at(&spec, &teacher, 64).unwrap();
    let cg = ColumnSettings::default();
    let mut group = c.benchmark_group("solve_pn_d2_k0_1_k8_std");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for (n, strategy) in [(2_000, Strategy::Full)] {
        let grid = SphereGrid::new(9, n, 1).unwrap();
        let dict = Dictionary::build(&spec, &plan, &grid.points).unwrap();
        let prog = Program::new(&dict.columns, dict.m, &y, &dict.psi, 0.0).unwrap();
        for (name, backend, ldl) in [
            ("auto_faer", Backend::Clarabel, Ldl::Auto),
            ("qdldl", Backend::Clarabel, Ldl::Qdldl),
            ("dense_ipm", Backend::DenseIpm, Ldl::Auto),
        ] {
            let s = SolveSettings {
                ldl,
                ..Default::default()
            };
            let name = format!("{n}_{strategy:?}_{name}");
            let r = solve_grid(&prog, strategy, backend, &s, &cg, None).unwrap();
            eprintln!(
                "{name}: status {:?}, objective {:.12}, {} LP solves, answered by {:?}",
                r.lp.status, r.lp.primal_objective, r.rounds, r.lp.backend
            );
            group.bench_function(name, |b| {
                b.iter(|| solve_grid(black_box(&prog), strategy, backend, &s, &cg, None).unwrap())
            });
        }
    }
    group.finish();
}

/// The max-margin candidate's first LP (`max t`) at the size of a
/// width-4, K = 8 certificate (253 null-space coordinates, 2 800
/// constraint pairs), on random rows shaped like the program's (`c0` in
/// (-0.7, 0.7), so `t* > 0`): the dense interior point of
/// `convex::dense_qp` over paired rows against Clarabel.
fn max_margin_lp(c: &mut Criterion) {
    use inrsamp::certify::max_margin_program::{Row, dense_program, solve_clarabel};
    use rand::{RngExt, SeedableRng};
    let (nz, n, zmax) = (253, 2_800, 1e3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let rows: Vec<Row> = (0..n)
        .map(|k| {
            let c0 = 1.4 * rng.random::<f64>() - 0.7;
            let a = (0..nz).map(|_| 0.1 * rng.random::<f64>() - 0.05).collect();
            let w = if k % 10 == 0 {
                0.0
            } else {
                rng.random::<f64>()
            };
            (c0, a, w)
        })
        .collect();
    let refs: Vec<&Row> = rows.iter().collect();
    let s = SolveSettings::default();
    let dense = inrsamp::convex::dense_qp::solve(&dense_program(&refs, nz, zmax, None), &s)
        .expect("the dense route passes its checks");
    let twin = solve_clarabel(&refs, nz, zmax, None).unwrap().unwrap();
    eprintln!(
        "max-margin LP: t* {:.12} (dense, {} iterations) against {:.12} (Clarabel)",
        dense.x[nz], dense.iterations, twin[nz]
    );
    let mut group = c.benchmark_group("max_margin_lp_nz253_2800");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("dense_qp", |b| {
        b.iter(|| {
            inrsamp::convex::dense_qp::solve(black_box(&dense_program(&refs, nz, zmax, None)), &s)
        })
    });
    group.bench_function("clarabel", |b| {
        b.iter(|| solve_clarabel(black_box(&refs), nz, zmax, None).unwrap())
    });
    group.finish();
}

criterion_group!(benches, solve_pn, solve_k8_ldl, max_margin_lp);
criterion_main!(benches);
