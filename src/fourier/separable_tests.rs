//! Tests of [`super`] (the separable partial DFT): the adjoint identities
//! and the mode product against a naive loop.
use super::*;

#[test]
fn adjoints_satisfy_the_inner_product_identity() {
    // <S c, v> = <c, S^T v> and <An f, t> = <f, An^T t>, d = 1, 2, 3.
    for d in 1..=3 {
        let n = if d == 3 { 7 } else { 12 };
        let plan = SeparablePlan::new(d, n, 1, 2);
        let mut sc = SeparableScratch::default();
        let g = n.pow(d as u32);
        let c: Vec<f64> = (0..3usize.pow(d as u32))
            .map(|i| (i as f64 * 0.9).sin())
            .collect();
        let v: Vec<f64> = (0..g).map(|i| (i as f64 * 0.31).cos()).collect();
        let mut sc_out = vec![0.0; g];
        plan.synthesize(&c, &mut sc_out, &mut sc);
        let mut st = vec![0.0; c.len()];
        plan.synthesize_adjoint(&v, &mut st, &mut sc);
        let lhs: f64 = sc_out.iter().zip(&v).map(|(a, b)| a * b).sum();
        let rhs: f64 = c.iter().zip(&st).map(|(a, b)| a * b).sum();
        assert!(
            (lhs - rhs).abs() < 1e-11 * (1.0 + lhs.abs()),
            "synthesis d={d}: {lhs} vs {rhs}"
        );
        let t: Vec<f64> = (0..5usize.pow(d as u32))
            .map(|i| (i as f64 * 0.47).sin())
            .collect();
        let mut an = vec![0.0; t.len()];
        plan.analyze(&v, &mut an, &mut sc);
        let mut at = vec![0.0; g];
        plan.analyze_adjoint(&t, &mut at, &mut sc);
        let lhs: f64 = an.iter().zip(&t).map(|(a, b)| a * b).sum();
        let rhs: f64 = v.iter().zip(&at).map(|(a, b)| a * b).sum();
        assert!(
            (lhs - rhs).abs() < 1e-11 * (1.0 + lhs.abs()),
            "analysis d={d}: {lhs} vs {rhs}"
        );
        // C analyze(f) equals the measurement through the half vector.
        let map = RealMap::new(d, 2);
        let cm = plan.real_map_matrix(&map);
        let mut half = vec![Complex64::new(0.0, 0.0); 1 + map.half_set().len()];
        let mut direct = vec![0.0; map.len()];
        plan.tensor_to_half(&an, &map, &mut half);
        map.to_real(&half, &mut direct);
        for q in 0..map.len() {
            let viac: f64 = (0..an.len()).map(|i| cm[q * an.len() + i] * an[i]).sum();
            assert!(
                (viac - direct[q]).abs() < 1e-13,
                "C row {q}: {viac} vs {}",
                direct[q]
            );
        }
    }
}

#[test]
fn mode_product_matches_naive_loop() {
    let dims = [3, 4, 5];
    let inp: Vec<f64> = (0..60).map(|i| (i as f64 * 0.37).sin()).collect();
    for axis in 0..3 {
        let m = 2;
        let mat: Vec<f64> = (0..m * dims[axis])
            .map(|i| (i as f64 * 1.3).cos())
            .collect();
        let mut out_dims = dims;
        out_dims[axis] = m;
        let mut out = vec![0.0; out_dims.iter().product()];
        mode_product(&inp, &dims, axis, &mat, m, &mut out);
        for p in 0..out_dims[0] {
            for q in 0..out_dims[1] {
                for r in 0..out_dims[2] {
                    let idx_out = [p, q, r];
                    let mut acc = 0.0;
                    for l in 0..dims[axis] {
                        let mut ii = idx_out;
                        ii[axis] = l;
                        acc += mat[idx_out[axis] * dims[axis] + l]
                            * inp[(ii[0] * 4 + ii[1]) * 5 + ii[2]];
                    }
                    let o = out[(p * out_dims[1] + q) * out_dims[2] + r];
                    assert!((o - acc).abs() < 1e-12, "axis {axis}: {o} vs {acc}");
                }
            }
        }
    }
}
