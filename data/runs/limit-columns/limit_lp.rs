//! Diagnostic (issue #10, 2026-12-04): do limit columns lower the LP value
//! of a psi_mod problem in d = 2, K0 = 1? Not part of the test suite (it
//! asserts nothing and takes minutes). To run it, copy it to
//! `tests/zz_limit_lp.rs` and see README.md next to this file.
//!
//! Columns, all normalized to unit norm (for psi_mod with K' = K the cost of
//! a normalized unit, and of a normalized limit `A_K mu / |A_K mu|`, is 1):
//! an 80 000-point sphere grid (seed 99) plus the directions of a verified
//! measure (`solve --atoms-csv`) and 160 random perturbations of each (radii
//! 1e-4, 1e-3, 1e-2, 3e-2); then Diracs `A_K delta_x` on a 64 x 64 grid of
//! x; then antipodal pairs `{x, x + (1/2, 1/2)}` with weights 1/4, 1/2,
//! 3/4 and uniform densities on the axis and diagonal lines (256 offsets
//! each, 256 nodes per line): the limit sets of `certify::limit_lines`.
mod common;
use inrsamp::certify::limit_points::dirac_column;
use inrsamp::convex::{Backend, Program, SolveSettings, solve};
use inrsamp::fourier::RealMap;

fn push_unit(cols: &mut Vec<f64>, v: &[f64]) -> bool {
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if !(n > 0.0 && n.is_finite()) {
        return false;
    }
    cols.extend(v.iter().map(|x| x / n));
    true
}

fn value(cols: &[f64], m: usize, y: &[f64]) -> (String, f64) {
    let psi = vec![1.0; cols.len() / m];
    let prog = Program::new(cols, m, y, &psi, 0.0).unwrap();
    let lp = solve(&prog, Backend::Highs, &SolveSettings::default()).unwrap();
    (format!("{:?}", lp.status), lp.primal_objective)
}

#[test]
#[ignore = "diagnostic"]
fn limit_columns_and_the_lp_value() {
    let env = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("set {k}"));
    let k: usize = env("K").parse().unwrap();
    let spec = common::exact_spec(2, 1, k, "mod", 0);
    let map = RealMap::new(2, k);
    let y = inrsamp::output::read_coefficients_csv(std::path::Path::new(&env("Y_CSV")), &map)
        .unwrap();
    let plan = inrsamp::certify::verdict::verdict_plan(&spec).unwrap();
    let grid = inrsamp::sphere::SphereGrid::new(spec.feature_dim(), 80_000, 99).unwrap();
    let mut pts = grid.points.clone();
    let mut rng: u64 = 12345;
    let mut next = || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((rng >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let text = std::fs::read_to_string(env("ATOMS_CSV")).unwrap();
    for line in text.lines().skip(1) {
        let w: Vec<f64> = line.split(',').skip(3).map(|s| s.parse().unwrap()).collect();
        pts.extend(&w);
        for r in [1e-4, 1e-3, 1e-2, 3e-2] {
            for _ in 0..40 {
                let mut v: Vec<f64> = w.iter().map(|x| x + r * next()).collect();
                let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                v.iter_mut().for_each(|x| *x /= n);
                pts.extend(&v);
            }
        }
    }
    let dict = inrsamp::dictionary::Dictionary::build(&spec, &plan, &pts).unwrap();
    let m = dict.m;
    let mut cols = Vec::new();
    for j in 0..dict.len() {
        push_unit(&mut cols, dict.column(j));
    }
    println!("units ({} columns): {:?}", cols.len() / m, value(&cols, m, &y));
    let n = 64;
    let xs: Vec<[f64; 2]> = (0..n * n)
        .map(|i| [(i / n) as f64 / n as f64, (i % n) as f64 / n as f64])
        .collect();
    for x in &xs {
        push_unit(&mut cols, &dirac_column(&map, x));
    }
    println!("+ Diracs ({} columns): {:?}", cols.len() / m, value(&cols, m, &y));
    for x in &xs {
        let a = dirac_column(&map, x);
        let b = dirac_column(&map, &[x[0] + 0.5, x[1] + 0.5]);
        for t in [0.25, 0.5, 0.75] {
            let v: Vec<f64> = a.iter().zip(&b).map(|(p, q)| t * p + (1.0 - t) * q).collect();
            push_unit(&mut cols, &v);
        }
    }
    for dir in 0..4 {
        for o in 0..256 {
            let c = o as f64 / 256.0;
            let mut v = vec![0.0; m];
            for s in 0..256 {
                let s = (s as f64 + 0.5) / 256.0;
                let x = match dir {
                    0 => [c, s],
                    1 => [s, c],
                    2 => [c - s, s],
                    _ => [c + s, s],
                };
                for (vi, ci) in v.iter_mut().zip(dirac_column(&map, &x)) {
                    *vi += ci;
                }
            }
            push_unit(&mut cols, &v);
        }
    }
    println!("+ pairs and lines ({} columns): {:?}", cols.len() / m, value(&cols, m, &y));
}
