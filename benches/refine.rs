//! A whole `certify` run (docs/theory.md 5 to 7: LP, refinement off the
//! grid, bracket, certificate) on two d = 2 teachers of the
//! refinement-target sample (`data/runs/refine-d2-target/run.sh`, trial 1),
//! at the defaults of `inrsamp certify --d 2 --k0 1 --k K --psi P
//! --teacher random --width W --seed S`:
//! - seed 20301 (psi_std, W = 1, K = 3): `unique` from the first LP (no
//!   refinement round), the certificate's thorough search is most of it;
//! - seed 21401 (psi_pre, W = 2, K = 3): `unique` after 8 refinement rounds.
//!
//! The sphere designs of the `sup |eta|` searches are cached per process
//! (`dictionary::design_cache`), so after the first iteration these are the
//! times of a run inside a sweep, where each cell's design is built once.
//! Figures go into the closing notes.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use inrsamp::certify::CertifySettings;
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::verdict::{VerdictSettings, certify_teacher};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::SpecInput;
use std::hint::black_box;
use std::time::Duration;

fn certify_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("certify_d2_k0_1");
    // Seconds per run: ten runs, one at a time.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(40));
    for (psi, width, k, seed) in [("std", 1usize, 3i64, 20_301u64), ("pre", 2, 3, 21_401)] {
        let sp = SpecInput {
            d: Some(2),
            k0: Some(1),
            k: Some(k),
            psi: Some(psi.into()),
            seed: Some(seed),
            ..Default::default()
        }
        .build()
        .unwrap();
        let teacher = ShallowInr::random(2, 1, width, seed).unwrap();
        let mut opts = SolveOptions::default();
        opts.refine.enabled = true;
        let (vs, cs) = (VerdictSettings::default(), CertifySettings::default());
        group.bench_function(format!("{psi}_w{width}_k{k}_seed{seed}"), |b| {
            b.iter(|| {
                let (report, _, _) = certify_teacher(&sp, &teacher, &vs, &opts, &cs).unwrap();
                black_box(report.verdict)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, certify_runs);
criterion_main!(benches);
