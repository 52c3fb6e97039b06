//! `certify --decide` verifies the LP's measure before the sliding step and
//! stops on it when it already decides (`certify::refine`, docs/theory.md
//! 9, "Upper bounds come from measures"): the slide only lowers a cost, and
//! on a few hundred psi_mod atoms it took 90 of 312 s. The measure that
//! decides must still be a measure of (11) cheaper than the teacher. Here
//! that is checked by means written in this file: the Fourier coefficients
//! of `sum_j c_j sigma(g_wj)` and of the teacher by a 2^18-point trapezoid
//! rule on the circle (error about 1e-11 for these piecewise-smooth
//! functions), and psi_pre by Parseval (`|g_w|_L2^2 = w0^2 + (w1^2 +
//! w2^2) / 2` for the features 1, cos 2 pi x, sin 2 pi x).

mod common;
use common::*;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
use inrsamp::inr::network::ShallowInr;
use std::f64::consts::TAU;

/// Trapezoid points on the circle.
const N: usize = 1 << 18;

/// `(Re, Im)` of `integral f(x) e^(-2 pi i k x) dx` for `|k| <= kmax`, with
/// `f = sum_j c_j max(0, w0 + w1 cos 2 pi x + w2 sin 2 pi x)`.
fn coefficients(units: &[(f64, [f64; 3])], kmax: i64) -> Vec<(f64, f64)> {
    let f: Vec<f64> = (0..N)
        .map(|i| {
            let x = i as f64 / N as f64;
            units
                .iter()
                .map(|(c, w)| c * (w[0] + w[1] * (TAU * x).cos() + w[2] * (TAU * x).sin()).max(0.0))
                .sum()
        })
        .collect();
    (-kmax..=kmax)
        .map(|k| {
            let (mut re, mut im) = (0.0, 0.0);
            for (i, v) in f.iter().enumerate() {
                let a = TAU * (k * i as i64) as f64 / N as f64;
                re += v * a.cos();
                im -= v * a.sin();
            }
            (re / N as f64, im / N as f64)
        })
        .collect()
}

fn psi_pre(w: &[f64; 3]) -> f64 {
    (w[0] * w[0] + 0.5 * (w[1] * w[1] + w[2] * w[2])).sqrt()
}

#[test]
fn the_measure_that_decides_fits_the_data_and_undercuts_the_teacher() {
    // d = 1, K0 = 1, K = 3, psi_pre, width 1, seed 7: the teacher is not the
    // minimizer (tests/dual_hint.rs); a width-2 teacher of seed 31 as well.
    for (width, seed) in [(1usize, 7u64), (2, 31)] {
        let mut sp = spec(1, 1, 3, "pre");
        sp.seed = seed;
        let t = ShallowInr::random(1, 1, width, seed).unwrap();
        let mut opts = SolveOptions::default();
        opts.refine.enabled = true;
        let vs = VerdictSettings {
            decide: true,
            ..VerdictSettings::default()
        };
        let (r, _, solve) =
            certify_teacher(&sp, &t, &vs, &opts, &CertifySettings::default()).unwrap();
        if r.verdict != Verdict::NotRecovered {
            // Only a `not_recovered` rests on the measure; the other
            // verdicts are tested elsewhere. Seed 7 must be one (dual_hint.rs).
            assert_ne!(seed, 7, "{}", r.reason);
            continue;
        }
        let m = solve.measure.as_ref().expect("a verified measure");
        assert!(m.verified);
        let units: Vec<(f64, [f64; 3])> = r
            .atoms
            .iter()
            .map(|a| (a.c, [a.w[0], a.w[1], a.w[2]]))
            .collect();
        let teacher: Vec<(f64, [f64; 3])> = t
            .units
            .iter()
            .map(|u| (u.a, [u.w[0], u.w[1], u.w[2]]))
            .collect();
        let fm = coefficients(&units, 3);
        let ft = coefficients(&teacher, 3);
        let diff: f64 = fm
            .iter()
            .zip(&ft)
            .map(|(a, b)| (a.0 - b.0).powi(2) + (a.1 - b.1).powi(2))
            .sum::<f64>()
            .sqrt();
        let norm: f64 = ft.iter().map(|b| b.0 * b.0 + b.1 * b.1).sum::<f64>().sqrt();
        assert!(
            diff <= 1e-9 * norm,
            "seed {seed}: |A mu - y| / |y| = {:.2e}",
            diff / norm
        );
        let cost: f64 = units.iter().map(|(c, w)| c.abs() * psi_pre(w)).sum();
        let teacher_cost: f64 = teacher.iter().map(|(a, w)| a.abs() * psi_pre(w)).sum();
        assert!(
            (cost - r.certified_upper).abs() <= 1e-9 * cost,
            "seed {seed}: printed upper {} against {cost}",
            r.certified_upper
        );
        assert!(
            cost < teacher_cost * (1.0 - 1e-9),
            "seed {seed}: {cost} is not below the teacher's {teacher_cost}"
        );
        assert!((teacher_cost - r.teacher_cost).abs() <= 1e-12 * teacher_cost);
        eprintln!(
            "seed {seed}: {} atoms, residual {:.1e}, cost {cost} < teacher {teacher_cost}, slide gain {}",
            units.len(),
            diff / norm,
            m.slide_gain
        );
    }
}
