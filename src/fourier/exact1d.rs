//! Exact Fourier coefficients of rectified trigonometric polynomials in
//! d = 1 (docs/theory.md 7: "find the real zeros of g, integrate
//! g(x) exp(-2 pi i k x) in closed form over the intervals where g > 0").
//!
//! With `z = exp(2 pi i x)`, `g(x) = sum_{|k|<=L} g^[k] z^k`, so
//! `z^L g` is a polynomial of degree `2L` whose roots on the unit circle are
//! the real zeros of `g`. We find them as eigenvalues of the companion matrix
//! (nalgebra's complex Schur form), polish them by Newton's method on `g`,
//! and decide the sign of `g` between consecutive zeros at the midpoints.
//! Spurious candidate zeros (double roots that split off the circle, say)
//! only split an interval in two and cannot change the result.

use nalgebra::DMatrix;
use num_complex::Complex64;
use std::f64::consts::TAU;

/// Settings of the root finder. Defaults are documented per field.
#[derive(Debug, Clone, Copy)]
pub struct RootSettings {
    /// Eigenvalues `z` with `| |z| - 1 | <= circle_tol` are candidate real
    /// zeros (default 1e-4: a triple root splits by about eps^(1/3) ~ 6e-6).
    pub circle_tol: f64,
    /// Coefficients below `trim_tol * max |g^[k]|` at the ends are treated as
    /// zero when forming the polynomial (default 1e-14).
    pub trim_tol: f64,
    /// Newton iterations for polishing a zero (default 8).
    pub newton_iters: usize,
    /// Maximum QR iterations of the Schur decomposition (default 10 000).
    pub max_schur_iters: usize,
}

impl Default for RootSettings {
    fn default() -> Self {
        RootSettings {
            circle_tol: 1e-4,
            trim_tol: 1e-14,
            newton_iters: 8,
            max_schur_iters: 10_000,
        }
    }
}

/// `g(x)` for the coefficients `ghat[k + L]`, `k = -L..L` (Horner's rule
/// in `e^{2 pi i x}`: one `sincos` per call).
pub fn eval(ghat: &[Complex64], x: f64) -> f64 {
    let l = (ghat.len() / 2) as i32;
    let e = Complex64::from_polar(1.0, TAU * x);
    let acc = ghat
        .iter()
        .rev()
        .fold(Complex64::new(0.0, 0.0), |acc, c| acc * e + c);
    (acc * e.conj().powi(l)).re
}

/// `g'(x)` (Horner's rule, as [`eval`]).
fn eval_deriv(ghat: &[Complex64], x: f64) -> f64 {
    let l = (ghat.len() / 2) as i64;
    let e = Complex64::from_polar(1.0, TAU * x);
    let acc = ghat
        .iter()
        .enumerate()
        .rev()
        .fold(Complex64::new(0.0, 0.0), |acc, (i, c)| {
            acc * e + c * (i as i64 - l) as f64
        });
    (acc * e.conj().powi(l as i32) * Complex64::new(0.0, TAU)).re
}

/// The real zeros of `g` in `[0, 1)`, sorted, possibly with a few spurious
/// extra points (see the module docs). `None` when the eigenvalue iteration
/// did not converge.
pub fn zeros(ghat: &[Complex64], settings: &RootSettings) -> Option<Vec<f64>> {
    zeros_warm(ghat, settings, &mut Vec::new())
}

/// [`zeros`], trying first the Aberth iteration ([`super::aberth`]) from
/// `warm` (all complex roots of a nearby `g` of the same degree, e.g. the
/// previous row of a 2-D unit); the companion matrix's Schur form when
/// `warm` does not fit or the iteration's result fails its backward check.
/// On return `warm` holds all complex roots of this `g` (empty when its
/// degree is 0).
pub fn zeros_warm(
    ghat: &[Complex64],
    settings: &RootSettings,
    warm: &mut Vec<Complex64>,
) -> Option<Vec<f64>> {
    let l_full = ghat.len() / 2;
    let scale = ghat.iter().map(|c| c.norm()).fold(0.0, f64::max);
    if scale == 0.0 {
        warm.clear();
        return Some(Vec::new());
    }
    // Effective degree: the largest |k| with a coefficient above the trim level.
    let l = (0..=l_full)
        .rev()
        .find(|&k| ghat[l_full + k].norm() > settings.trim_tol * scale)
        .unwrap_or(0);
    if l == 0 {
        warm.clear();
        return Some(Vec::new());
    }
    // Coefficients of z^l g, degree 2l: p_j = g^[j - l].
    let p: Vec<Complex64> = (0..=2 * l).map(|j| ghat[l_full + j - l]).collect();
    let n = 2 * l;
    let fast = if warm.len() == n {
        super::aberth::roots_from(&p, warm)
    } else {
        None
    };
    let eig = match fast {
        Some(z) => z,
        None => {
            let lead = p[n];
            let mut comp = DMatrix::<Complex64>::zeros(n, n);
            for i in 1..n {
                comp[(i, i - 1)] = Complex64::new(1.0, 0.0);
            }
            for i in 0..n {
                comp[(i, n - 1)] = -p[i] / lead;
            }
            eigenvalues_robust(comp, settings.max_schur_iters)?
        }
    };
    // | |z| - 1 | <= circle_tol, without a square root.
    let (inner, outer) = (
        (1.0 - settings.circle_tol).max(0.0).powi(2),
        (1.0 + settings.circle_tol).powi(2),
    );
    let mut xs: Vec<f64> = eig
        .iter()
        .filter(|z| (inner..=outer).contains(&z.norm_sqr()))
        .map(|z| {
            let x0 = z.arg().rem_euclid(TAU) / TAU;
            polish(ghat, x0, settings.newton_iters)
        })
        .map(|x| x.rem_euclid(1.0))
        .collect();
    *warm = eig;
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 1e-15);
    Some(xs)
}

/// Eigenvalues by the complex Schur form. Shifted QR can stall on highly
/// structured companion matrices (`z^n + 1`: zero diagonal, a cyclic
/// permutation); then the matrix is shifted by a few fixed complex multiples
/// of the identity and the shift is subtracted from the eigenvalues.
fn eigenvalues_robust(comp: DMatrix<Complex64>, max_iters: usize) -> Option<Vec<Complex64>> {
    const SHIFTS: [(f64, f64); 4] = [(0.0, 0.0), (0.1, 0.05), (-0.07, 0.11), (0.0, 0.3)];
    for (re, im) in SHIFTS {
        let sigma = Complex64::new(re, im);
        let mut m = comp.clone();
        for i in 0..m.nrows() {
            m[(i, i)] += sigma;
        }
        if let Some(schur) = nalgebra::linalg::Schur::try_new(m, f64::EPSILON, max_iters)
            && let Some(eig) = schur.eigenvalues()
        {
            return Some(eig.iter().map(|z| z - sigma).collect());
        }
    }
    None
}

/// Newton's method on `g`, keeping the start point when a step would leave
/// its neighbourhood (a double root, a flat spot).
fn polish(ghat: &[Complex64], x0: f64, iters: usize) -> f64 {
    let mut x = x0;
    for _ in 0..iters {
        let gp = eval_deriv(ghat, x);
        if gp == 0.0 {
            break;
        }
        let step = eval(ghat, x) / gp;
        if !step.is_finite() || (x - step - x0).abs() > 1e-3 {
            return x;
        }
        x -= step;
        if step.abs() < 1e-16 {
            break;
        }
    }
    x
}

/// The intervals of `[0, 1]` where `g > 0`, from its zeros. `None` when the
/// root finder failed.
pub fn positive_intervals(ghat: &[Complex64], settings: &RootSettings) -> Option<Vec<(f64, f64)>> {
    positive_intervals_warm(ghat, settings, &mut Vec::new())
}

/// [`positive_intervals`] with the warm start of [`zeros_warm`].
pub fn positive_intervals_warm(
    ghat: &[Complex64],
    settings: &RootSettings,
    warm: &mut Vec<Complex64>,
) -> Option<Vec<(f64, f64)>> {
    let zs = zeros_warm(ghat, settings, warm)?;
    let mut cuts = Vec::with_capacity(zs.len() + 2);
    cuts.push(0.0);
    cuts.extend(zs.iter().copied().filter(|&z| z > 0.0 && z < 1.0));
    cuts.push(1.0);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        if b <= a {
            continue;
        }
        if eval(ghat, 0.5 * (a + b)) > 0.0 {
            match out.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => out.push((a, b)),
            }
        }
    }
    Some(out)
}

/// `\int_a^b h(x) exp(-2 pi i k x) dx` for `k = 0..=kmax`, summed over
/// `intervals`, where `h` has coefficients `hhat[j + L]`, `j = -L..L`.
/// Closed form: `\int_a^b exp(2 pi i m x) dx = (e(mb) - e(ma)) / (2 pi i m)`.
pub fn integrate(hhat: &[Complex64], intervals: &[(f64, f64)], kmax: usize, out: &mut [Complex64]) {
    let l = (hhat.len() / 2) as i64;
    let zero = Complex64::new(0.0, 0.0);
    out.iter_mut().take(kmax + 1).for_each(|o| *o = zero);
    // m = j - k ranges over [-L - kmax, L]: powers of e(x) by repeated
    // multiplication from e(x)^(-L - kmax) (one sincos per endpoint).
    let lo = -l - kmax as i64;
    let span = (l - lo + 1) as usize;
    let mut pa = vec![zero; span];
    let mut pb = vec![zero; span];
    for &(a, b) in intervals {
        for (x, p) in [(a, &mut pa), (b, &mut pb)] {
            let e = Complex64::from_polar(1.0, TAU * x);
            let mut v = Complex64::from_polar(1.0, TAU * lo as f64 * x);
            for pm in p.iter_mut() {
                *pm = v;
                v *= e;
            }
        }
        for (k, o) in out.iter_mut().enumerate().take(kmax + 1) {
            let mut acc = zero;
            for (i, c) in hhat.iter().enumerate() {
                if *c == zero {
                    continue;
                }
                let m = (i as i64 - l) - k as i64;
                let v = if m == 0 {
                    Complex64::new(b - a, 0.0)
                } else {
                    let idx = (m - lo) as usize;
                    (pb[idx] - pa[idx]) / Complex64::new(0.0, TAU * m as f64)
                };
                acc += c * v;
            }
            *o += acc;
        }
    }
}

/// The Fourier coefficients `sigma(g)^[k]`, `k = 0..=kmax`, exactly.
/// `None` when the root finder failed (reported by the caller).
pub fn relu_coefficients(
    ghat: &[Complex64],
    kmax: usize,
    settings: &RootSettings,
) -> Option<Vec<Complex64>> {
    let iv = positive_intervals(ghat, settings)?;
    let mut out = vec![Complex64::new(0.0, 0.0); kmax + 1];
    integrate(ghat, &iv, kmax, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    #[test]
    fn cosine_shifted_up_has_no_zeros_and_is_its_own_relu() {
        // g = 2 + cos(2 pi x): no sign change; sigma(g) = g.
        let g = [c(0.5, 0.0), c(2.0, 0.0), c(0.5, 0.0)];
        let s = RootSettings::default();
        assert!(zeros(&g, &s).unwrap().is_empty());
        let co = relu_coefficients(&g, 3, &s).unwrap();
        assert!((co[0].re - 2.0).abs() < 1e-15);
        assert!((co[1].re - 0.5).abs() < 1e-15);
        assert!(co[2].norm() < 1e-15 && co[3].norm() < 1e-15);
    }

    #[test]
    fn rectified_cosine_matches_closed_form() {
        // sigma(cos 2 pi x): mean 1/pi, first coefficient 1/4,
        // k-th even coefficient (-1)^(k/2+1) / (pi (k^2 - 1)), odd k > 1 zero.
        let g = [c(0.5, 0.0), c(0.0, 0.0), c(0.5, 0.0)];
        let co = relu_coefficients(&g, 6, &RootSettings::default()).unwrap();
        let pi = std::f64::consts::PI;
        assert!((co[0].re - 1.0 / pi).abs() < 1e-14, "{}", co[0]);
        assert!((co[1].re - 0.25).abs() < 1e-14, "{}", co[1]);
        assert!(co[3].norm() < 1e-14);
        for k in [2i32, 4, 6] {
            let expect = (-1f64).powi(k / 2 + 1) / (pi * ((k * k) as f64 - 1.0));
            assert!(
                (co[k as usize].re - expect).abs() < 1e-14,
                "k={k}: {} vs {expect}",
                co[k as usize]
            );
            assert!(co[k as usize].im.abs() < 1e-14);
        }
    }

    #[test]
    fn double_root_without_sign_change() {
        // g = 1 + cos(2 pi x) >= 0 touches zero at x = 1/2: sigma(g) = g.
        let g = [c(0.5, 0.0), c(1.0, 0.0), c(0.5, 0.0)];
        let co = relu_coefficients(&g, 2, &RootSettings::default()).unwrap();
        assert!((co[0].re - 1.0).abs() < 1e-13, "{}", co[0]);
        assert!((co[1].re - 0.5).abs() < 1e-13, "{}", co[1]);
        assert!(co[2].norm() < 1e-13);
    }

    #[test]
    fn negative_polynomial_gives_zero() {
        let g = [c(0.1, 0.2), c(-1.0, 0.0), c(0.1, -0.2)];
        let co = relu_coefficients(&g, 2, &RootSettings::default()).unwrap();
        assert!(co.iter().all(|z| z.norm() == 0.0));
    }
}
