//! The certificate check of a d = 2 teacher (K0 = 1, K = 4, width 2,
//! psi_pre, seed 31001 of `tests/candidate_order.rs`), whose LP dual fails
//! the strict tier inside a cap and whose optimality-system `lambda`
//! passes: `certificate_report` (a candidate that cannot pass the strict
//! tier waits) against the rule it replaced, every candidate checked in
//! full, in turn, until one passes. Both give the same certificate (the
//! test); figures go into the closing notes.

use criterion::{Criterion, criterion_group, criterion_main};
use inrsamp::certify::precert::vanishing_derivative;
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::teacher_measure::teacher_support;
use inrsamp::certify::verdict::{VerdictSettings, certify_teacher, verdict_plan};
use inrsamp::certify::{
    CertificateKind, CertifySettings, Tier, certificate_report, check_candidate,
};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::SpecInput;
use std::hint::black_box;
use std::time::Duration;

fn candidates(c: &mut Criterion) {
    let seed = 31_001;
    let sp = SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(4),
        psi: Some("pre".into()),
        seed: Some(seed),
        ..Default::default()
    }
    .build()
    .unwrap();
    let teacher = ShallowInr::random(2, 1, 2, seed).unwrap();
    let mut opts = SolveOptions::default();
    opts.refine.enabled = true;
    let cs = CertifySettings::default();
    let (_, dict, solve) =
        certify_teacher(&sp, &teacher, &VerdictSettings::default(), &opts, &cs).unwrap();
    let plan = verdict_plan(&sp).unwrap();
    let support = teacher_support(&teacher);
    let lp = solve.grid.lp.lambda.clone();
    let sys = solve.lower_lambda.clone();
    let pre = vanishing_derivative(&sp, &plan, &support).unwrap();
    let mut group = c.benchmark_group("certificate_d2_k4_w2_pre");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("deferred", |b| {
        b.iter(|| {
            certificate_report(
                &sp,
                &plan,
                &support,
                Some(&lp),
                sys.as_deref(),
                Some(&dict),
                &cs,
            )
            .unwrap()
        })
    });
    group.bench_function("each_in_full", |b| {
        b.iter(|| {
            let mut lambdas = vec![(CertificateKind::PreCertificate, pre.lambda.clone())];
            lambdas.push((CertificateKind::LpDual, lp.clone()));
            lambdas.extend(sys.clone().map(|l| (CertificateKind::OptimalitySystem, l)));
            for (kind, l) in lambdas {
                let r = check_candidate(&sp, &plan, &support, kind, l, Some(&dict), &cs).unwrap();
                if r.tier == Some(Tier::Strict) {
                    return black_box(r);
                }
            }
            panic!("no strict pass");
        })
    });
    group.finish();
}

criterion_group!(benches, candidates);
criterion_main!(benches);
