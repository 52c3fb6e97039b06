//! Why `fourier::separable::gemm` calls matrixmultiply through `unsafe`:
//! the safe route (nalgebra's `gemm` on strided views) against it, on the
//! shapes of the separable transforms (d = 2, K0 = 1, N = 64: inner
//! dimension 3; K = 4: 9). nalgebra hands a product to matrixmultiply only
//! when every dimension exceeds 5 and otherwise runs its own loops.

use criterion::{Criterion, criterion_group, criterion_main};
use inrsamp::fourier::separable::gemm;
use nalgebra::{DMatrixView, DMatrixViewMut};
use std::hint::black_box;

fn shapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm_row_major");
    for (m, k, n) in [(64usize, 3usize, 64usize), (64, 64, 9), (64, 9, 64)] {
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.11).cos()).collect();
        let mut c1 = vec![0.0; m * n];
        group.bench_function(format!("unsafe_matrixmultiply_{m}x{k}x{n}"), |bch| {
            bch.iter(|| {
                gemm(
                    m, k, n, &a, k as isize, 1, &b, n as isize, 1, &mut c1, n as isize, 1,
                );
                black_box(&c1);
            })
        });
        let mut c2 = vec![0.0; m * n];
        group.bench_function(format!("safe_nalgebra_{m}x{k}x{n}"), |bch| {
            bch.iter(|| {
                // Row-major A (m x k) is column-major A^T (k x m): C^T = B^T A^T.
                let at = DMatrixView::from_slice(&a, k, m);
                let bt = DMatrixView::from_slice(&b, n, k);
                let mut ct = DMatrixViewMut::from_slice(&mut c2, n, m);
                ct.gemm(1.0, &bt, &at, 0.0);
                black_box(&c2);
            })
        });
        // The two agree (checked here, once, outside the timing).
        let at = DMatrixView::from_slice(&a, k, m);
        let bt = DMatrixView::from_slice(&b, n, k);
        let mut ct = DMatrixViewMut::from_slice(&mut c2, n, m);
        ct.gemm(1.0, &bt, &at, 0.0);
        gemm(
            m, k, n, &a, k as isize, 1, &b, n as isize, 1, &mut c1, n as isize, 1,
        );
        let diff = c1
            .iter()
            .zip(&c2)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-12, "{diff}");
    }
    group.finish();
}

criterion_group!(benches, shapes);
criterion_main!(benches);
