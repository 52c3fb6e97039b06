//! All roots of a small complex polynomial by the Aberth-Ehrlich iteration
//! from a warm start (docs/theory.md 7 and 9: the real zeros of the rows
//! `g(., x2)`, which move continuously with `x2`).
//!
//! The exact 2-D route of K0 >= 2 finds the roots of one row per quadrature
//! node, and the rows of neighbouring nodes differ little, so the roots of
//! the previous row are a good start: Aberth's iteration
//! `z_i -= N_i / (1 - N_i sum_{j != i} 1 / (z_i - z_j))`, `N_i = p(z_i) /
//! p'(z_i)`, converges cubically from there, for a few hundred flops where
//! the companion matrix's Schur form costs microseconds.
//!
//! A result is only returned when it passes a **backward check independent
//! of the iteration**: the monic polynomial `prod_i (z - z_i)`, multiplied
//! out, must equal `p / p_n` coefficient by coefficient to
//! [`BACKWARD_TOL`] times `max(1, max_k |p_k / p_n|)`. That is the
//! guarantee the Schur route gives (the roots are exact for a polynomial
//! that close to `p`), and it cannot pass with a root missing or found
//! twice. Otherwise `None`, and the caller falls back to the companion
//! matrix ([`super::exact1d`]).

use num_complex::Complex64;

/// Largest coefficient error of the multiplied-out roots, relative to
/// `max(1, max_k |p_k / p_n|)`, for the roots to be accepted (the Schur
/// route's backward error is about `eps` times the same scale; 1e-12
/// leaves room for the rounding of the product itself).
pub const BACKWARD_TOL: f64 = 1e-12;

/// At most this many Aberth sweeps (a warm start needs 2 to 4).
pub const MAX_SWEEPS: usize = 30;

/// The iteration stops when no root moves by more than this, relative to
/// `max(1, |z_i|)` (the backward check decides acceptance).
pub const STEP_TOL: f64 = 1e-14;

/// The roots of `p` (`p[j]` the coefficient of `z^j`, `p.len() - 1 >= 1`
/// the degree, `p[n] != 0`) from the start points `start` (one per root),
/// or `None` when the iteration did not converge or the backward check
/// failed.
pub fn roots_from(p: &[Complex64], start: &[Complex64]) -> Option<Vec<Complex64>> {
    let n = p.len().checked_sub(1)?;
    if n == 0 || start.len() != n || p[n] == Complex64::new(0.0, 0.0) {
        return None;
    }
    let monic: Vec<Complex64> = p.iter().map(|c| c / p[n]).collect();
    let mut z = start.to_vec();
    let mut converged = false;
    for _ in 0..MAX_SWEEPS {
        // The largest squared relative step of the sweep.
        let mut largest = 0.0f64;
        for i in 0..n {
            // p(z_i) and p'(z_i) by Horner.
            let (mut v, mut d) = (monic[n], Complex64::new(0.0, 0.0));
            for c in monic[..n].iter().rev() {
                d = d * z[i] + v;
                v = v * z[i] + c;
            }
            if v == Complex64::new(0.0, 0.0) {
                continue;
            }
            let ratio = v / d;
            let repel: Complex64 = (0..n)
                .filter(|&j| j != i)
                .map(|j| (z[i] - z[j]).inv())
                .sum();
            let step = ratio / (Complex64::new(1.0, 0.0) - ratio * repel);
            if !step.re.is_finite() || !step.im.is_finite() {
                return None;
            }
            z[i] -= step;
            largest = largest.max(step.norm_sqr() / z[i].norm_sqr().max(1.0));
        }
        if largest <= STEP_TOL * STEP_TOL {
            converged = true;
            break;
        }
    }
    (converged && backward_error(&monic, &z) <= BACKWARD_TOL).then_some(z)
}

/// `max_k |prod_i (z - z_i) - monic|_k / max(1, max_k |monic_k|)`.
pub fn backward_error(monic: &[Complex64], z: &[Complex64]) -> f64 {
    let mut q = vec![Complex64::new(0.0, 0.0); z.len() + 1];
    q[0] = Complex64::new(1.0, 0.0);
    for (m, r) in z.iter().enumerate() {
        // q <- q (z - r): degree m -> m + 1.
        for k in (0..=m + 1).rev() {
            let lower = if k > 0 {
                q[k - 1]
            } else {
                Complex64::new(0.0, 0.0)
            };
            q[k] = lower - r * q[k];
        }
    }
    // q is now prod (z - z_i) with q[k] the coefficient of z^k.
    let scale = monic.iter().map(|c| c.norm()).fold(1.0, f64::max);
    q.iter()
        .zip(monic)
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max)
        / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Complex64 {
        Complex64::new(re, im)
    }

    /// Coefficients of `prod (z - r)` (independent of the iteration:
    /// expanded by hand for two roots, then by the same recursion as a
    /// check of the check).
    #[test]
    fn backward_error_is_zero_for_exact_roots_and_large_for_a_missing_one() {
        // (z - 1)(z + 2) = z^2 + z - 2.
        let monic = [c(-2.0, 0.0), c(1.0, 0.0), c(1.0, 0.0)];
        assert!(backward_error(&monic, &[c(1.0, 0.0), c(-2.0, 0.0)]) < 1e-15);
        // The root 1 found twice, -2 missed.
        assert!(backward_error(&monic, &[c(1.0, 0.0), c(1.0, 0.0)]) > 0.5);
    }

    #[test]
    fn converges_from_a_perturbed_start_and_refuses_a_bad_one() {
        // Roots on and off the unit circle, as in a row of g.
        let roots = [c(0.6, 0.8), c(0.6, -0.8), c(2.0, 0.5), c(0.4706, 0.1176)];
        let mut p = vec![c(1.0, 0.0)];
        for r in roots {
            let mut next = vec![c(0.0, 0.0); p.len() + 1];
            for (k, pk) in p.iter().enumerate() {
                next[k + 1] += pk;
                next[k] -= r * pk;
            }
            p = next;
        }
        let p: Vec<Complex64> = p.iter().map(|x| x * c(0.3, -1.1)).collect();
        let start: Vec<Complex64> = roots.iter().map(|r| r * c(1.01, 0.02)).collect();
        let found = roots_from(&p, &start).expect("converges");
        for r in roots {
            let best = found
                .iter()
                .map(|z| (z - r).norm())
                .fold(f64::MAX, f64::min);
            assert!(best < 1e-12, "root {r} missed by {best}");
        }
        // Two equal start points cannot separate (the repulsion term is
        // infinite): refused, never a wrong answer.
        assert!(roots_from(&p, &[start[0], start[0], start[2], start[3]]).is_none());
    }
}
