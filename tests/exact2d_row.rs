//! The closed-form rows of the exact 2-D route (`fourier::exact2d_row`,
//! issue "Exact 2-D measurements", point 1): the thin-arc rule's sine and
//! cosine against libm, and `row_relu` on thin arcs against a brute-force
//! quadrature of the row and against the closed form across the switch
//! at `SMALL_ARC`.

use inrsamp::fourier::exact2d_row::{SMALL_ARC, row_relu, sin_from_cos, small_cos, small_sin};
use num_complex::Complex64;
use std::f64::consts::TAU;

/// Relative tolerance of the polynomial sine and cosine against libm: two
/// units in the last place.
const POLY_TOL: f64 = 2.0 * f64::EPSILON;

#[test]
fn small_sine_and_cosine_agree_with_libm() {
    let n = 20_000;
    let mut worst_sin = 0.0f64;
    let mut worst_cos = 0.0f64;
    for i in 0..=n {
        let x = SMALL_ARC * (2.0 * i as f64 / n as f64 - 1.0);
        if x != 0.0 {
            worst_sin = worst_sin.max((small_sin(x) - x.sin()).abs() / x.sin().abs());
        }
        let y = 2.0 * x;
        worst_cos = worst_cos.max((small_cos(y) - y.cos()).abs() / y.cos());
    }
    assert!(worst_sin <= POLY_TOL, "sin: {worst_sin:e}");
    assert!(worst_cos <= POLY_TOL, "cos: {worst_cos:e}");
    assert_eq!(small_sin(0.0), 0.0);
    assert_eq!(small_cos(0.0), 1.0);
}

/// Relative tolerance of `sin_from_cos` against the libm reference: four
/// units in the last place (about one for each form's rounding, plus the
/// reference's `acos`).
const SIN_FROM_COS_TOL: f64 = 4.0 * f64::EPSILON;

#[test]
fn sine_from_cosine_agrees_with_libm_on_the_well_conditioned_half() {
    // Reference: sin(acos |c|), with acos |c| in [0, pi/2] where sin is well
    // conditioned (sin(acos c) = sin(pi - acos(-c)) = sin(acos(-c))); the
    // direct sin(acos c) loses accuracy as c -> -1.
    let n = 200_000;
    let mut worst = 0.0f64;
    for i in 0..=n {
        let c = 2.0 * i as f64 / n as f64 - 1.0;
        let reference = c.abs().acos().sin();
        if reference > 0.0 {
            worst = worst.max((sin_from_cos(c) - reference).abs() / reference);
        }
    }
    // Near the ends, where 1 - c^2 cancels.
    for e in 1..=50 {
        for c in [1.0 - 2f64.powi(-e), -1.0 + 2f64.powi(-e)] {
            let reference = c.abs().acos().sin();
            worst = worst.max((sin_from_cos(c) - reference).abs() / reference);
        }
    }
    assert!(worst <= SIN_FROM_COS_TOL, "sin from cos: {worst:e}");
    assert_eq!(sin_from_cos(1.0), 0.0);
    assert_eq!(sin_from_cos(-1.0), 0.0);
    assert_eq!(sin_from_cos(0.0), 1.0);
}

/// The row `a0 + R cos(2 pi (x - phi))` with `cos alpha = -a0 / R`.
fn row(r: f64, alpha: f64, phi: f64) -> [Complex64; 3] {
    let c1 = Complex64::from_polar(r / 2.0, -TAU * phi);
    [c1.conj(), Complex64::new(-r * alpha.cos(), 0.0), c1]
}

/// `\int sigma(g) e^{-2 pi i k x} dx` by composite Simpson on the arc only
/// (where the integrand is smooth), `g` evaluated directly.
fn brute(r: f64, alpha: f64, phi: f64, kmax: usize) -> Vec<Complex64> {
    let a0 = -r * alpha.cos();
    let half = alpha / TAU;
    let n = 4000; // even
    let h = 2.0 * half / n as f64;
    let mut out = vec![Complex64::new(0.0, 0.0); kmax + 1];
    for i in 0..=n {
        let x = phi - half + h * i as f64;
        let wgt = match i {
            0 => 1.0,
            i if i == n => 1.0,
            i if i % 2 == 1 => 4.0,
            _ => 2.0,
        } * h
            / 3.0;
        let g = (a0 + r * (TAU * (x - phi)).cos()).max(0.0);
        for (k, o) in out.iter_mut().enumerate() {
            *o += Complex64::from_polar(wgt * g, -TAU * k as f64 * x);
        }
    }
    out
}

#[test]
fn thin_arcs_match_a_brute_force_quadrature() {
    let kmax = 8;
    for &(r, alpha, phi) in &[
        (1.3, 0.05, 0.21),
        (0.7, 0.01, 0.77),
        (2.0, 3e-3, 0.5),
        (1.0, 0.099, 0.03),
    ] {
        let mut got = vec![Complex64::new(0.0, 0.0); kmax + 1];
        assert!(row_relu(&row(r, alpha, phi), kmax, &mut got));
        let want = brute(r, alpha, phi, kmax);
        // g is computed with cancellation of order eps / alpha^2 relative.
        let tol = 1e-9 * want[0].norm();
        for k in 0..=kmax {
            assert!(
                (got[k] - want[k]).norm() <= tol,
                "R {r} alpha {alpha} k {k}: {} vs {}",
                got[k],
                want[k]
            );
        }
    }
}

#[test]
fn the_thin_arc_rule_continues_the_closed_form() {
    // Just below SMALL_ARC the quadrature rule is used, just above it the
    // closed form (a different formula): both must give the same values.
    let kmax = 10;
    for &(r, phi) in &[(1.0, 0.0), (0.4, 0.37)] {
        let mut below = vec![Complex64::new(0.0, 0.0); kmax + 1];
        let mut above = vec![Complex64::new(0.0, 0.0); kmax + 1];
        row_relu(&row(r, SMALL_ARC * (1.0 - 1e-13), phi), kmax, &mut below);
        row_relu(&row(r, SMALL_ARC * (1.0 + 1e-13), phi), kmax, &mut above);
        let scale = below[0].norm();
        for k in 0..=kmax {
            let diff = (below[k] - above[k]).norm() / scale;
            assert!(diff <= 1e-11, "k {k}: {diff:e}");
        }
    }
}
