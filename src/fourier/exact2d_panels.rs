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
//! So every piece is bisected in `t` until its 20- and 10-node
//! Gauss-Legendre rules agree to [`PIECE_TOL`] (at most [`MAX_BISECTIONS`]
//! times); the caller says what "agree" means (`piece_error`).

use super::exact2d::{NODES, Node, piece_nodes, sin2_map};

/// A piece of a panel is accepted when its 20-node and 10-node
/// Gauss-Legendre integrals of `sigma(g) e^{-2 pi i k.x}` (over `sum |c|`)
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

thread_local! {
    static RULES: (Rule, Rule) = (gauss_legendre(NODES), gauss_legendre(NODES / 2));
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
/// `with_low` keeps the 10-node rule's nodes (for the embedded estimate).
pub fn bisected_nodes(
    bps: &[f64],
    initial: &dyn Fn(f64) -> usize,
    periodic: usize,
    with_low: bool,
    piece_error: &dyn Fn(&mut [Node]) -> Option<f64>,
) -> Option<Vec<Node>> {
    let (hi, lo) = RULES.with(|r| r.clone());
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
            let mut piece = piece_nodes(t0, t1, &hi, &lo, &map);
            let err = piece_error(&mut piece)?;
            if err <= PIECE_TOL || depth >= MAX_BISECTIONS {
                if !with_low {
                    piece.retain(|n| n.weight != 0.0);
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

/// The largest entry of `|x - y|`.
pub fn max_diff(x: &[num_complex::Complex64], y: &[num_complex::Complex64]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(p, q)| (p - q).norm())
        .fold(0.0, f64::max)
}
