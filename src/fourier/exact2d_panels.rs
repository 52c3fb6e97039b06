//! The quadrature in `x2` of the exact 2-D coefficients (docs/theory.md 9,
//! "Exact coefficients in d = 2"), shared by the closed-form rows of K0 = 1
//! ([`super::exact2d`]) and the general route ([`super::exact2d_rows`]).
//!
//! Between consecutive breakpoints `[a, b]` (where the number of `x1`-roots
//! changes) the row integrals are analytic in `x2` except for square-root
//! behaviour at both ends, which the substitution `x2 = a + (b - a)
//! sin^2(pi t / 2)` makes analytic in `t`. Analytic is not enough for a
//! fixed rule: a breakpoint just outside the panel (two breakpoints close
//! together) puts a singularity of the integrand in `t` close to the real
//! axis, and a fixed number of pieces then converges slowly. (Measured on a
//! K0 = 1 unit whose breakpoints are 0.074 apart: with 4 fixed pieces per
//! panel the coefficients were off by 3.7e-6 relative, with 32 by 4e-12.)
//! So every piece is bisected in `t` until its 21-node Gauss-Kronrod rule
//! and the 10-node Gauss-Legendre rule embedded in it agree to
//! [`PIECE_TOL`] (at most [`MAX_BISECTIONS`] times); the caller says what
//! "agree" means (`piece_error`). The pair is nested: 21 evaluations of the
//! integrand per piece give both rules (the 20- and 10-node Gauss-Legendre
//! pair used before 2026-12-06 took 30, and its high-order rule was no
//! better where it mattered: a piece is accepted on the low-order rule's
//! accuracy, and the high-order one is then far more accurate than the
//! tolerance either way).

use super::exact2d::{Node, piece_nodes, sin2_map};

/// A piece of a panel is accepted when its 21-node Gauss-Kronrod and
/// 10-node Gauss-Legendre integrals of `sigma(g) e^{-2 pi i k.x}` (over `sum |c|`)
/// and of `1[g > 0] e^{-2 pi i k.x}`, `|k| <= kmax`, differ by at most this
/// (largest entry); otherwise it is bisected. Chosen on random K0 = 2 units
/// of seeds 100-119 (not the tests' seeds): the transposed route then
/// agrees to about 1e-13.
pub const PIECE_TOL: f64 = 1e-9;

/// At most this many bisections of a panel piece (then it is accepted and
/// its difference stays in the embedded estimate when asked for).
pub const MAX_BISECTIONS: usize = 12;

/// Gauss-Legendre nodes and weights on [-1, 1].
type Rule = Vec<(f64, f64)>;

/// The non-negative nodes of the 21-node Gauss-Kronrod rule on [-1, 1]
/// (the tabulated values of QUADPACK's `qk21`, Piessens et al. 1983), in
/// decreasing order; the odd positions are the nodes of the 10-node
/// Gauss-Legendre rule. `tests/exact2d.rs` checks them: the Kronrod rule
/// integrates every polynomial of degree <= 31 exactly, and the odd
/// positions and [`GAUSS10_WEIGHTS`] are the Gauss-Legendre rule of
/// `gauss_quad`.
const KRONROD21_NODES: [f64; 11] = [
    0.995_657_163_025_808_1,
    0.973_906_528_517_171_7,
    0.930_157_491_355_708_2,
    0.865_063_366_688_984_5,
    0.780_817_726_586_416_9,
    0.679_409_568_299_024_4,
    0.562_757_134_668_604_7,
    0.433_395_394_129_247_2,
    0.294_392_862_701_460_2,
    0.148_874_338_981_631_2,
    0.0,
];

/// The Kronrod weights of [`KRONROD21_NODES`].
const KRONROD21_WEIGHTS: [f64; 11] = [
    0.011_694_638_867_371_874,
    0.032_558_162_307_964_73,
    0.054_755_896_574_351_996,
    0.075_039_674_810_919_95,
    0.093_125_454_583_697_6,
    0.109_387_158_802_297_64,
    0.123_491_976_262_065_85,
    0.134_709_217_311_473_33,
    0.142_775_938_577_060_08,
    0.147_739_104_901_338_5,
    0.149_445_554_002_916_9,
];

/// The 10-node Gauss-Legendre weights of the odd positions of
/// [`KRONROD21_NODES`].
const GAUSS10_WEIGHTS: [f64; 5] = [
    0.066_671_344_308_688_14,
    0.149_451_349_150_580_6,
    0.219_086_362_515_982_04,
    0.269_266_719_309_996_36,
    0.295_524_224_714_752_87,
];

/// The 21-node Gauss-Kronrod rule on [-1, 1] as `(node, Kronrod weight,
/// Gauss weight)`, the Gauss weight 0 at the 11 nodes that are not the
/// 10-node Gauss-Legendre rule's; in increasing order of the node.
pub fn kronrod21() -> Vec<(f64, f64, f64)> {
    let gauss = |i: usize| {
        if i % 2 == 1 {
            GAUSS10_WEIGHTS[i / 2]
        } else {
            0.0
        }
    };
    let mut out: Vec<(f64, f64, f64)> = (0..10)
        .map(|i| (-KRONROD21_NODES[i], KRONROD21_WEIGHTS[i], gauss(i)))
        .collect();
    out.push((0.0, KRONROD21_WEIGHTS[10], 0.0));
    out.extend(
        (0..10)
            .rev()
            .map(|i| (KRONROD21_NODES[i], KRONROD21_WEIGHTS[i], gauss(i))),
    );
    out
}

thread_local! {
    static KRONROD: Vec<(f64, f64, f64)> = kronrod21();
}

/// The `n`-node Gauss-Legendre rule on [-1, 1] (at least one node).
pub fn gauss_legendre(n: usize) -> Rule {
    gauss_quad::GaussLegendre::new(
        std::num::NonZeroUsize::new(n).unwrap_or(std::num::NonZeroUsize::MIN),
    )
    .as_node_weight_pairs()
    .to_vec()
}

/// The nodes in `x2` for the breakpoints `bps` (sorted, in `[0, 1)`): each
/// panel `[b_i, b_{i+1}]` (the last one wraps around) starts as
/// `initial(length)` equal pieces of `t` under the `sin^2` substitution;
/// without breakpoints `[0, 1)` starts as `periodic` equal pieces (no
/// substitution: the integrand is periodic and analytic). Each piece's
/// nodes (both rules) go to `piece_error`, which may fill them (intervals)
/// and returns the difference of the two rules (`None`: a root finder
/// failed, and so does this); pieces above [`PIECE_TOL`] are bisected.
/// `with_low` keeps the weights of the 10-node rule (for the embedded
/// estimate); without it they are set to 0.
pub fn bisected_nodes(
    bps: &[f64],
    initial: &dyn Fn(f64) -> usize,
    periodic: usize,
    with_low: bool,
    piece_error: &dyn Fn(&mut [Node]) -> Option<f64>,
) -> Option<Vec<Node>> {
    let rule = KRONROD.with(|r| r.clone());
    // (start, length, substitution, initial pieces)
    let panels: Vec<(f64, f64, bool, usize)> = if bps.is_empty() {
        vec![(0.0, 1.0, false, periodic.max(1))]
    } else {
        (0..bps.len())
            .map(|i| {
                let a = bps[i];
                let b = if i + 1 < bps.len() {
                    bps[i + 1]
                } else {
                    bps[0] + 1.0
                };
                (a, b - a, true, initial(b - a).max(1))
            })
            .collect()
    };
    let mut out = Vec::new();
    for (a, len, sin2, n0) in panels {
        if len <= 0.0 {
            continue;
        }
        let map = |t: f64| {
            if sin2 {
                sin2_map(a, len, t)
            } else {
                (a + len * t, len)
            }
        };
        let mut stack: Vec<(f64, f64, usize)> = (0..n0)
            .rev()
            .map(|p| (p as f64 / n0 as f64, (p + 1) as f64 / n0 as f64, 0))
            .collect();
        while let Some((t0, t1, depth)) = stack.pop() {
            let mut piece = piece_nodes(t0, t1, &rule, &map);
            let err = piece_error(&mut piece)?;
            if err <= PIECE_TOL || depth >= MAX_BISECTIONS {
                if !with_low {
                    piece.iter_mut().for_each(|n| n.weight_low = 0.0);
                }
                out.extend(piece);
            } else {
                let tm = 0.5 * (t0 + t1);
                stack.push((tm, t1, depth + 1));
                stack.push((t0, tm, depth + 1));
            }
        }
    }
    Some(out)
}

/// The largest entry of `|x - y|` (`Complex64::norm`, i.e. `hypot`), bit for
/// bit, with `hypot` evaluated only where the squared norm is within
/// [`MAX_DIFF_SHORTLIST`] (relative) of the largest squared norm: the two
/// agree to a few ulps, so no other entry can hold the largest `hypot`. This
/// runs on every piece of the general route's units
/// ([`super::exact2d_rows`]); in the K0 = 1 route, where `hypot` had been
/// about 4 % of a d = 2 verdict's time (`perf`), the bisection test now
/// sums the rules' difference directly ([`super::exact2d::bare_nodes`]).
pub fn max_diff(x: &[num_complex::Complex64], y: &[num_complex::Complex64]) -> f64 {
    let m2 = x
        .iter()
        .zip(y)
        .map(|(p, q)| (p - q).norm_sqr())
        .fold(0.0, f64::max);
    let floor = m2 * (1.0 - MAX_DIFF_SHORTLIST);
    x.iter()
        .zip(y)
        .filter(|(p, q)| (*p - *q).norm_sqr() >= floor)
        .map(|(p, q)| (p - q).norm())
        .fold(0.0, f64::max)
}

/// The relative band below the largest squared norm in which [`max_diff`]
/// evaluates `hypot`: rounding separates `hypot(a, b)^2` from `a^2 + b^2` by
/// a few ulps (about 1e-15 relative), far inside 1e-12. (Squared norms that
/// overflow or underflow keep every candidate that could be largest: an
/// infinite one is above every finite one, and a zero maximum keeps all.)
pub const MAX_DIFF_SHORTLIST: f64 = 1e-12;

#[cfg(test)]
mod tests {
    use super::*;
    use num_complex::Complex64;

    /// The plain definition: `hypot` on every entry.
    fn plain(x: &[Complex64], y: &[Complex64]) -> f64 {
        x.iter()
            .zip(y)
            .map(|(p, q)| (p - q).norm())
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_shortlist_gives_the_plain_maximum_bit_for_bit() {
        // A deterministic generator (no rng dependency here); entries of
        // very different sizes, exact ties, near ties one ulp apart, huge
        // and tiny values (squared norms that overflow or underflow), NaN.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let mut cases = 0;
        for scale in [1e-170, 1e-160, 1e-9, 1.0, 1e9, 1e155, 1e170] {
            for _ in 0..200 {
                let n = 1 + (next().abs() * 40.0) as usize;
                let x: Vec<Complex64> = (0..n)
                    .map(|_| Complex64::new(next() * scale, next() * scale))
                    .collect();
                let mut y: Vec<Complex64> = (0..n)
                    .map(|_| Complex64::new(next() * scale, next() * scale))
                    .collect();
                if n > 2 {
                    // A near tie: entry 1's difference is entry 0's, one
                    // ulp longer in its real part.
                    let d0 = x[0] - y[0];
                    let re = f64::from_bits(d0.re.to_bits() + 1);
                    y[1] = x[1] - Complex64::new(re, d0.im);
                    // An exact tie, with the parts swapped.
                    y[2] = x[2] - Complex64::new(d0.im, d0.re);
                }
                let (a, b) = (max_diff(&x, &y), plain(&x, &y));
                assert_eq!(a.to_bits(), b.to_bits(), "scale {scale:e}: {a:e} vs {b:e}");
                cases += 1;
            }
        }
        // All-equal inputs (the maximum 0) and a NaN entry (ignored by both).
        let z = vec![Complex64::new(0.5, -0.25); 5];
        assert_eq!(max_diff(&z, &z).to_bits(), 0.0f64.to_bits());
        let mut w = z.clone();
        w[3] = Complex64::new(f64::NAN, 0.0);
        w[1] = Complex64::new(1.5, -0.25);
        assert_eq!(max_diff(&z, &w).to_bits(), plain(&z, &w).to_bits());
        assert_eq!(max_diff(&z, &w), 1.0);
        assert_eq!(cases, 1400);
    }
}
