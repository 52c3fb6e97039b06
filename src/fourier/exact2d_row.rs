//! The closed-form rows of the exact 2-D route for K0 = 1 (docs/theory.md 9,
//! "Exact coefficients in d = 2"): on the row `x2 = const`, `g = a0 + R
//! cos(2 pi (x1 - phi))`; its positive arc ([`row_arc`]) and the
//! `x1`-coefficients of `sigma(g)` ([`row_relu`]) and `1[g > 0]`
//! ([`row_indicator`]) on it. Each node of [`super::exact2d::bare_nodes`]
//! keeps its row and arc ([`CachedRow`]), so that the integrals that follow
//! ([`super::exact2d::integrate_relu`], [`super::exact2d::integrate_indicator`])
//! do not find the arc again (one `acos` per node instead of three; the
//! arc's sine is [`sin_from_cos`], no libm call); the values are the same
//! to the bit.

use super::exact2d::Node;
use num_complex::Complex64;
use std::f64::consts::{PI, TAU};

/// A node's row and its arc, as found when the node was made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CachedRow {
    /// `[c_{-1}, c_0, c_1]` in `x1` at the node's `x2`.
    pub row: [Complex64; 3],
    /// [`row_arc`] of `row`.
    pub arc: RowArc,
}

/// The row of `gcube` at `node` ([`super::exact2d::row_at`]) and its arc:
/// the node's cached arc when it was found for the same row (bit for bit),
/// else computed.
pub fn node_row(gcube: &[Complex64], node: &Node) -> ([Complex64; 3], RowArc) {
    let row = super::exact2d::row_at(gcube, node.e1);
    match &node.row {
        Some(c) if c.row == row => (row, c.arc),
        _ => (row, row_arc(&row)),
    }
}

/// The means over `x1` of `sigma(g)` and `1[g > 0]` for the row `g = a0 +
/// R cos(2 pi (x1 - phi))`: `R (sin alpha - alpha cos alpha) / pi` and
/// `alpha / pi` on an arc of half-angle `alpha`.
pub fn row_means(arc: &RowArc) -> (f64, f64) {
    match *arc {
        RowArc::Empty => (0.0, 0.0),
        RowArc::Full(a0) => (a0, 1.0),
        RowArc::Arc {
            r,
            ca,
            alpha,
            sin_alpha,
            ..
        } => (
            r * (sin_alpha - alpha * ca) / std::f64::consts::PI,
            alpha / std::f64::consts::PI,
        ),
    }
}

/// The positive set of a row `g = a0 + R cos(2 pi (x - phi))` (`R = 2 |c1|`),
/// shared by [`row_relu`] and [`row_indicator`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RowArc {
    /// `g <= 0` everywhere.
    Empty,
    /// `g > 0` almost everywhere: `a0` (the row's mean).
    Full(f64),
    /// One arc of half-angle `alpha` (`cos alpha = ca = -a0 / R`,
    /// `sin_alpha = sin(alpha)`); `rot = e^{-2 pi i phi} = c1 / |c1|`.
    Arc {
        /// `R = 2 |c1|`.
        r: f64,
        /// `cos alpha`.
        ca: f64,
        /// The half-angle.
        alpha: f64,
        /// `sin alpha`.
        sin_alpha: f64,
        /// `c1 / |c1|`.
        rot: Complex64,
    },
}

/// The arc of a row `[c_{-1}, c_0, c_1]`.
pub fn row_arc(row: &[Complex64; 3]) -> RowArc {
    let a0 = row[1].re;
    // sqrt of the squared norm, not hypot: the rows of a rescaled unit
    // are of order 1 (no overflow), and this runs once per node.
    let n1 = row[2].norm_sqr().sqrt();
    let r = 2.0 * n1;
    if a0 >= r {
        return if a0 > 0.0 {
            RowArc::Full(a0)
        } else {
            RowArc::Empty
        };
    }
    if a0 <= -r {
        return RowArc::Empty;
    }
    let ca = (-a0 / r).clamp(-1.0, 1.0);
    RowArc::Arc {
        r,
        ca,
        alpha: ca.acos(),
        sin_alpha: sin_from_cos(ca),
        rot: row[2] / n1,
    }
}

/// `sin alpha = sqrt((1 - cos alpha) (1 + cos alpha))` for `alpha` in `[0,
/// pi]`, from `ca = cos alpha` in `[-1, 1]`: each factor is exact where it
/// is small (Sterbenz), so the result is within a few units in the last
/// place of `sin(acos ca)`, without libm's `sin` (one call per node of the
/// exact 2-D route before; `tests/exact2d_row.rs` checks both forms agree).
#[inline]
pub fn sin_from_cos(ca: f64) -> f64 {
    ((1.0 - ca) * (1.0 + ca)).max(0.0).sqrt()
}

/// Below this half-angle the rectified row is integrated by Gauss-Legendre
/// on the arc (no cancellation), above it in closed form.
pub const SMALL_ARC: f64 = 0.1;

/// `\int_0^1 sigma(g(x)) e^{-2 pi i k x} dx`, `k = 0..=kmax`, for the row
/// `g = a0 + 2 Re(c1 e^{2 pi i x}) = a0 + R cos(2 pi (x - phi))`, stably:
/// on the arc `|2 pi (x - phi)| < alpha` (`cos alpha = -a0 / R`),
/// `F(k) = e^{-2 pi i k phi} R / (2 pi) \int_{-alpha}^{alpha} (cos u - cos alpha)
/// cos(k u) du`. The closed form of the last integral cancels to
/// `O(alpha^3)` for thin arcs, so below [`SMALL_ARC`] it is computed by
/// Gauss-Legendre with `cos u - cos alpha = 2 sin((alpha+u)/2)
/// sin((alpha-u)/2)` (an entire, non-negative integrand).
pub fn row_relu(row: &[Complex64; 3], kmax: usize, out: &mut [Complex64]) -> bool {
    row_relu_arc(row, &row_arc(row), kmax, out)
}

/// [`row_relu`] with the row's arc given (`arc = row_arc(row)`).
pub fn row_relu_arc(
    row: &[Complex64; 3],
    arc: &RowArc,
    kmax: usize,
    out: &mut [Complex64],
) -> bool {
    out.iter_mut().for_each(|o| *o = Complex64::new(0.0, 0.0));
    let (r, ca, alpha, rot) = match *arc {
        RowArc::Empty => return false,
        RowArc::Full(a0) => {
            out[0] = Complex64::new(a0, 0.0);
            if kmax >= 1 {
                out[1] = row[2];
            }
            return true;
        }
        RowArc::Arc {
            r, ca, alpha, rot, ..
        } => (r, ca, alpha, rot),
    };
    // sin(alpha) (used where alpha >= SMALL_ARC only).
    let sa = sin_from_cos(ca);
    let mut phase = Complex64::new(1.0, 0.0);
    if alpha < SMALL_ARC {
        SMALL_ARC_RULE.with(|rule| {
            // base(u) = 2 sin((alpha+u)/2) sin((alpha-u)/2) weighted, and
            // cos(k u) by the Chebyshev recurrence, per node.
            let n = rule.len();
            let mut base = [0.0f64; 32];
            let mut c_prev = [0.0f64; 32];
            let mut c_k = [0.0f64; 32];
            let mut c1 = [0.0f64; 32];
            for (j, &(t, wgt)) in rule.iter().enumerate() {
                let u = alpha * t;
                base[j] =
                    wgt * alpha * 2.0 * small_sin((alpha + u) / 2.0) * small_sin((alpha - u) / 2.0);
                c1[j] = small_cos(u);
                c_prev[j] = c1[j]; // cos(-u)
                c_k[j] = 1.0;
            }
            for o in out.iter_mut().take(kmax + 1) {
                let integral: f64 = (0..n).map(|j| base[j] * c_k[j]).sum();
                *o = phase * (r / TAU * integral);
                phase *= rot;
                for j in 0..n {
                    let next = 2.0 * c1[j] * c_k[j] - c_prev[j];
                    c_prev[j] = c_k[j];
                    c_k[j] = next;
                }
            }
        });
        return true;
    }
    // sin(k alpha) by the Chebyshev recurrence s_{k+1} = 2 cos(alpha) s_k - s_{k-1}.
    let mut s_prev = -sa; // sin(-alpha)
    let mut s_k = 0.0; // sin(0)
    for (k, o) in out.iter_mut().enumerate().take(kmax + 1) {
        let kf = k as f64;
        let s_next = 2.0 * ca * s_k - s_prev;
        let integral = match k {
            0 => 2.0 * sa - 2.0 * alpha * ca,
            1 => alpha - sa * ca,
            _ => s_prev / (kf - 1.0) + s_next / (kf + 1.0) - 2.0 * ca * s_k / kf,
        };
        *o = phase * (r / TAU * integral);
        phase *= rot;
        s_prev = s_k;
        s_k = s_next;
    }
    true
}

/// `\int_0^1 1[g(x) > 0] e^{-2 pi i k x} dx`, `k = 0..=kmax`, for the row
/// `g = a0 + R cos(2 pi (x - phi))`: `alpha / pi` for `k = 0` and
/// `e^{-2 pi i k phi} sin(k alpha) / (pi k)` otherwise (`cos alpha = -a0 /
/// R`, `sin(k alpha)` by the Chebyshev recurrence). No cancellation: every
/// term is a product. Returns false when the row is nowhere positive.
pub fn row_indicator(row: &[Complex64; 3], kmax: usize, out: &mut [Complex64]) -> bool {
    row_indicator_arc(&row_arc(row), kmax, out)
}

/// [`row_indicator`] from the row's arc.
pub fn row_indicator_arc(arc: &RowArc, kmax: usize, out: &mut [Complex64]) -> bool {
    out.iter_mut().for_each(|o| *o = Complex64::new(0.0, 0.0));
    let (ca, alpha, sin_alpha, rot) = match *arc {
        RowArc::Empty => return false,
        RowArc::Full(_) => {
            out[0] = Complex64::new(1.0, 0.0);
            return true;
        }
        RowArc::Arc {
            ca,
            alpha,
            sin_alpha,
            rot,
            ..
        } => (ca, alpha, sin_alpha, rot),
    };
    out[0] = Complex64::new(alpha / PI, 0.0);
    let (mut s_prev, mut s_k) = (0.0, sin_alpha);
    let mut phase = rot;
    for (k, o) in out.iter_mut().enumerate().take(kmax + 1).skip(1) {
        *o = phase * (s_k / (PI * k as f64));
        let next = 2.0 * ca * s_k - s_prev;
        s_prev = s_k;
        s_k = next;
        phase *= rot;
    }
    true
}

/// `sin x` for `|x| <= SMALL_ARC` by its Taylor polynomial of degree 11
/// (Horner in `x^2`): the first omitted term is `x^13 / 13!`, below `2e-22
/// |x|` there, so the result is `sin x` to rounding without libm's call
/// (which saves and restores the rounding mode): the exact 2-D measurement
/// and Jacobian of thin bumps cost 48 us per unit with libm, 37 without
/// (criterion, `exact_2d_thin_k5`).
#[inline]
pub fn small_sin(x: f64) -> f64 {
    const STEPS: [f64; 5] = [1.0 / 6.0, 1.0 / 20.0, 1.0 / 42.0, 1.0 / 72.0, 1.0 / 110.0];
    x * nested_taylor(x * x, &STEPS)
}

/// `cos x` for `|x| <= 2 SMALL_ARC` by its Taylor polynomial of degree 12:
/// the first omitted term is `x^14 / 14!`, below `2e-21` there.
#[inline]
pub fn small_cos(x: f64) -> f64 {
    const STEPS: [f64; 6] = [
        1.0 / 2.0,
        1.0 / 12.0,
        1.0 / 30.0,
        1.0 / 56.0,
        1.0 / 90.0,
        1.0 / 132.0,
    ];
    nested_taylor(x * x, &STEPS)
}

/// `1 - x2 r_0 (1 - x2 r_1 (1 - ... (1 - x2 r_n)))`: the nested (Horner)
/// form of an alternating Taylor series in `x2 = x^2` whose consecutive
/// coefficients have ratios `r_i` ([`small_sin`], [`small_cos`]).
#[inline]
fn nested_taylor(x2: f64, steps: &[f64]) -> f64 {
    steps.iter().rev().fold(1.0, |p, &r| 1.0 - x2 * r * p)
}

thread_local! {
    static SMALL_ARC_RULE: Vec<(f64, f64)> = super::exact2d_panels::gauss_legendre(16);
}
