//! Exact phantom coefficients (`inrsamp phantom`): the brain (106 Bezier
//! curves, 3 ellipses) and Shepp-Logan (10 ellipses) on |k|_inf <= 32, and
//! the dot phantom (8 units, exact 2-D measurements). Figures go into the
//! closing notes.

use criterion::{Criterion, criterion_group, criterion_main};
use inrsamp::phantom::dots::DotSettings;
use inrsamp::phantom::{Phantom, PhantomName};
use std::hint::black_box;

fn coefficients(c: &mut Criterion) {
    let mut group = c.benchmark_group("phantom_coefficients_k32");
    group.sample_size(10);
    for name in [
        PhantomName::Brain,
        PhantomName::SheppLogan,
        PhantomName::Dots,
    ] {
        let p = Phantom::builtin(name, &DotSettings::default()).unwrap();
        group.bench_function(format!("{name:?}"), |b| {
            b.iter(|| black_box(p.coefficients(32).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, coefficients);
criterion_main!(benches);
