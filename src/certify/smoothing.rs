//! Dual smoothing of refinement (docs/theory.md 5, certified refinement;
//! `--dual-smoothing`): in-out column generation. The LP's `lambda` (the
//! out-point) jumps between vertices of the dual's optimal face; the point
//! `alpha lambda_in + (1 - alpha) lambda_LP` between it and the best
//! `lambda` so far, scaled to `sup |eta| <= 1` (the in-point), is searched
//! too. `eta` is linear in `lambda`, so a violator of the smoothed point
//! with `|eta_in| <= 1` is a violator of the LP's `lambda` (a column the LP
//! misses), and a smoothed point without violators has a better lower bound
//! than the in-point.

use super::bracket::RoundRecord;
use super::exchange::Searched;

/// Refinement has stalled once the LP's value stayed the same (to
/// [`STALL_TOL`], relative) over `STALL_ROUNDS + 1` consecutive rounds:
/// its `lambda` then moves within one optimal face of the dual while the
/// columns it asks for do not lower the value.
pub const STALL_ROUNDS: usize = 3;
/// Relative change of the LP's value that counts as none: the interior
/// point solves leave about 1e-11 (the first six LP values of the stalled
/// instance of [`super::bracket::STALL_SMOOTHING`] spread over 1.4e-11),
/// and a change below 1e-9 a round cannot close a 1e-6 bracket in the
/// round limit.
pub const STALL_TOL: f64 = 1e-9;

/// Whether the LP's values of `history` followed by this round's `value`
/// hold a run of `STALL_ROUNDS + 1` equal values (once stalled, a
/// refinement stays stalled).
pub(super) fn stalled(history: &[RoundRecord], value: f64) -> bool {
    let values: Vec<f64> = history
        .iter()
        .map(|r| r.lp_value)
        .chain(std::iter::once(value))
        .collect();
    values.windows(STALL_ROUNDS + 1).any(|w| {
        let hi = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = w.iter().copied().fold(f64::INFINITY, f64::min);
        hi - lo <= STALL_TOL * hi.abs()
    })
}

/// The smoothed `lambda` of a round, or None when smoothing is off
/// (`alpha = 0`), no in-point has a positive lower bound, or the in-point
/// points the LP's way (smoothing would only rescale the LP's `lambda`).
/// `best` is the best `lambda` of the earlier rounds with its dual value and
/// `best_lower` its lower bound; `extra` are this round's other searched
/// candidates (the hint).
pub(super) fn smoothed_lambda(
    best: &Option<(Vec<f64>, f64)>,
    best_lower: f64,
    extra: &[Searched],
    lp_lambda: &[f64],
    alpha: f64,
) -> Option<Vec<f64>> {
    if alpha <= 0.0 {
        return None;
    }
    let (lam_in, _) = in_point(best, best_lower, extra)?;
    if parallel(&lam_in, lp_lambda) {
        return None;
    }
    Some(
        lam_in
            .iter()
            .zip(lp_lambda)
            .map(|(a, b)| alpha * a + (1.0 - alpha) * b)
            .collect(),
    )
}

/// True when `a` and `b` point the same way (to 1e-12).
fn parallel(a: &[f64], b: &[f64]) -> bool {
    let ab: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let n = crate::numeric::norm2(a) * crate::numeric::norm2(b);
    n == 0.0 || ab >= n * (1.0 - 1e-12)
}

/// The in-point: the `lambda` with the best lower bound among `best` and
/// `extra`, scaled so that its searched `sup |eta|` is at most 1, with that
/// lower bound.
fn in_point(
    best: &Option<(Vec<f64>, f64)>,
    best_lower: f64,
    extra: &[Searched],
) -> Option<(Vec<f64>, f64)> {
    let mut cand: Option<(&[f64], f64, f64)> = best
        .as_ref()
        .map(|(l, dual)| (l.as_slice(), *dual, best_lower));
    for sr in extra {
        let lower = sr.dual / sr.sup.value.max(1.0);
        if cand.is_none_or(|c| lower > c.2) {
            cand = Some((&sr.lambda, sr.dual, lower));
        }
    }
    let (lam, dual, lower) = cand?;
    if !(dual > 0.0 && lower > 0.0 && lower.is_finite()) {
        return None;
    }
    let scale = lower / dual;
    Some((lam.iter().map(|v| v * scale).collect(), lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smoothed_point_mixes_the_scaled_in_point_and_the_lp_lambda() {
        // best = (2, 0) with dual 4 and lower bound 2 (its sup was 2): the
        // in-point is (1, 0); with alpha = 0.5 and lambda_LP = (0, 2) the
        // smoothed point is (0.5, 1).
        let best = Some((vec![2.0, 0.0], 4.0));
        let s = smoothed_lambda(&best, 2.0, &[], &[0.0, 2.0], 0.5).unwrap();
        assert!(
            (s[0] - 0.5).abs() < 1e-15 && (s[1] - 1.0).abs() < 1e-15,
            "{s:?}"
        );
        // Off, parallel to the LP's lambda, or no positive bound: None.
        assert!(smoothed_lambda(&best, 2.0, &[], &[0.0, 2.0], 0.0).is_none());
        assert!(smoothed_lambda(&best, 2.0, &[], &[3.0, 0.0], 0.5).is_none());
        assert!(smoothed_lambda(&None, f64::NEG_INFINITY, &[], &[0.0, 2.0], 0.5).is_none());
    }

    fn rounds(values: &[f64]) -> Vec<RoundRecord> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| RoundRecord {
                round: i,
                columns: 0,
                lp_value: v,
                lower_estimate: 0.0,
                sup_estimate: 1.0,
                smoothed_sup: None,
                kkt_atoms: None,
                seconds: 0.0,
            })
            .collect()
    }

    #[test]
    fn stalled_needs_four_equal_values_in_a_row_and_stays() {
        // Three equal values and the current one: stalled.
        assert!(stalled(&rounds(&[2.0, 2.0, 2.0]), 2.0));
        // Only three in a row, or a change of 2e-9 (relative): not.
        assert!(!stalled(&rounds(&[2.0, 2.0]), 2.0));
        assert!(!stalled(&rounds(&[2.0, 2.0, 2.0]), 2.0 - 4e-9));
        assert!(!stalled(&rounds(&[3.0, 2.0, 2.0]), 2.0));
        // A run earlier in the history keeps it stalled.
        assert!(stalled(&rounds(&[3.0, 3.0, 3.0, 3.0, 2.5, 2.0]), 1.5));
        // Equal to 1e-10 (relative) counts as equal.
        assert!(stalled(&rounds(&[2.0, 2.0 + 2e-10, 2.0]), 2.0));
    }
}
