//! Overflow-safe vector norms by power-of-two scaling (issue #14).
//!
//! Measurements and every psi are positively homogeneous in `w` (docs/theory.md
//! 1-2): `A sigma(g_{t w}) = t A sigma(g_w)` and `psi(t w) = t psi(w)` for
//! `t > 0`. Dividing `w` by a power of two `t` near `max |w_i|` is exact in
//! floating point (barring subnormals), so a computation on `w / t`
//! multiplied by `t` gives the same bits as on `w` when nothing overflows,
//! and the right answer when `|w|^2` would (above about 1e154) or would
//! underflow (below about 1e-154).

/// The power of two nearest above `max |v_i|` (1 for a zero or non-finite
/// vector, which callers check separately).
pub fn power_of_two_scale(v: &[f64]) -> f64 {
    let m = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    if m == 0.0 || !m.is_finite() {
        return 1.0;
    }
    // frexp: m = f 2^e with f in [0.5, 1); 2^e >= m.
    let e = m.log2().floor() as i32 + 1;
    2f64.powi(e.clamp(-1020, 1020))
}

/// `|v|_2` without overflow or underflow of the squares.
pub fn norm2(v: &[f64]) -> f64 {
    let t = power_of_two_scale(v);
    t * v.iter().map(|x| (x / t) * (x / t)).sum::<f64>().sqrt()
}

/// `a . b`.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales `w` to unit norm in place (a zero vector stays zero).
pub fn normalize(w: &mut [f64]) {
    let n = norm2(w);
    if n > 0.0 {
        w.iter_mut().for_each(|v| *v /= n);
    }
}

/// `w / |w|` (a zero vector stays zero).
pub fn normalized(w: &[f64]) -> Vec<f64> {
    let mut v = w.to_vec();
    normalize(&mut v);
    v
}

/// The angle between two unit vectors.
pub fn unit_angle(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b).clamp(-1.0, 1.0).acos()
}

/// The angle between the directions of two nonzero vectors.
pub fn angle(a: &[f64], b: &[f64]) -> f64 {
    (dot(a, b) / (norm2(a) * norm2(b))).clamp(-1.0, 1.0).acos()
}

/// Entries of `w` beyond this size (or below its inverse) are rescaled
/// before any squares are formed.
pub const RESCALE_ABOVE: f64 = 1e100;

/// `Some((w / t, t))` with `t` from [`power_of_two_scale`] when the largest
/// entry of `w` is above [`RESCALE_ABOVE`] or below its inverse (and not
/// zero); `None` when `w` can be used as it is.
pub fn rescaled(w: &[f64]) -> Option<(Vec<f64>, f64)> {
    let m = w.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    if m == 0.0 || !m.is_finite() || (1.0 / RESCALE_ABOVE..=RESCALE_ABOVE).contains(&m) {
        return None;
    }
    let t = power_of_two_scale(w);
    Some((w.iter().map(|x| x / t).collect(), t))
}

/// Data whose norm is outside `[1 / RESCALE_ABOVE, RESCALE_ABOVE]` (and not
/// zero) is refused by the solvers, whose tolerances are absolute in parts:
/// the problem is homogeneous, so the user divides the data by a power of
/// ten and multiplies the cost and amplitudes back.
pub fn check_data_scale(field: &'static str, y: &[f64]) -> crate::error::Result<()> {
    crate::error::check_finite(field, y)?;
    let n = norm2(y);
    if n != 0.0 && !(1.0 / RESCALE_ABOVE..=RESCALE_ABOVE).contains(&n) {
        return Err(crate::error::Error::setting(
            field,
            format!("|y| = {n:.3e}"),
            "the solvers need 1e-100 <= |y| <= 1e100; the problem is homogeneous: divide the data (or the teacher's a) by a power of ten and multiply the cost and amplitudes back",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norms_survive_huge_and_tiny_vectors() {
        // |(3, 4) t| = 5 t exactly for powers of ten far outside the range
        // where the squares are representable.
        for t in [1e200, 1e-200, 1e300, 1.0] {
            let n = norm2(&[3.0 * t, 4.0 * t]);
            assert!((n / (5.0 * t) - 1.0).abs() < 1e-15, "t = {t}: {n}");
        }
        let s = power_of_two_scale(&[0.75, -3.0]);
        assert_eq!(s, 4.0);
        assert_eq!(power_of_two_scale(&[0.0, 0.0]), 1.0);
    }
}
