//! Exact Fourier coefficients of rectified trigonometric polynomials in
//! d = 2, K0 = 1 (docs/theory.md 9, "Exact coefficients in d = 2").
//!
//! For fixed `x2`, `g(., x2) = a0(x2) + 2 Re(c1(x2) e^{2 pi i x1})` is a 1-D
//! trigonometric polynomial of degree 1 in `x1`, with `a0(x2) = sum_k2
//! g^[0,k2] e^{2 pi i k2 x2}` and `c1(x2) = sum_k2 g^[1,k2] e^{2 pi i k2 x2}`.
//! Its positive set is one arc (closed form: `g = a0 + R cos(2 pi (x1 -
//! phi))`, `R = 2 |c1|`), over which `h(x) e^{-2 pi i k1 x1}` is integrated in
//! closed form ([`super::exact1d::integrate`]) for any real trigonometric
//! polynomial `h` (`h = g` for the measurement, `h = gamma_i` for the
//! Jacobian). The result `F(k1, x2)` is analytic in `x2` except where the
//! number of `x1`-roots changes: where `g = dg/dx1 = 0`, i.e. `a0^2 = R^2`,
//! the zeros of the degree-2 trigonometric polynomial `a0^2 - 4 |c1|^2`
//! (found by the companion route of `exact1d`). There `F` behaves like
//! `(x2 - b)^(3/2)` (measurement) or `(x2 - b)^(1/2)` (Jacobian). Each panel
//! `[b_i, b_{i+1}]` between consecutive breakpoints is mapped by `x2 = a +
//! (b - a) sin^2(pi t / 2)`, which makes both kinds of end behaviour
//! analytic in `t`, and integrated by the 21-node Gauss-Kronrod rule on
//! `PANEL_SPLITS` or more equal pieces of `t`, each bisected until the
//! Kronrod rule and its embedded 10-node Gauss-Legendre rule agree
//! ([`super::exact2d_panels`]); without breakpoints the periodic integrand
//! is integrated on equal pieces of `[0, 1)`. The error estimate is the
//! difference with the embedded Gauss rule on the same pieces (an
//! overestimate).

use super::exact1d::{self, RootSettings};
pub use super::exact2d_row::{
    CachedRow, RowArc, SMALL_ARC, node_row, row_arc, row_indicator, row_indicator_arc, row_means,
    row_relu, row_relu_arc,
};
use num_complex::Complex64;
use std::f64::consts::{PI, TAU};

/// Nodes per piece: the 21-node Gauss-Kronrod rule, whose nodes include
/// those of the 10-node Gauss-Legendre rule (the error estimate).
pub const NODES: usize = 21;
/// Pieces per panel between breakpoints (at least this many; long panels get
/// proportionally more).
pub const PANEL_SPLITS: usize = 2;
/// Pieces of `[0, 1)` when there is no breakpoint.
pub const PERIODIC_SPLITS: usize = 6;

/// A piece is also bisected until its two rules agree to this on the top
/// row `k1 = kmax` of `1[g > 0]` (every `k2`); the means of `sigma(g)` and
/// `1[g > 0]` keep [`super::exact2d_panels::PIECE_TOL`]. Measured on 300
/// Gaussian units at K = 8 (`tests/exact2d.rs`, the general route as the
/// reference): without the top row the worst relative error was 6.3e-10;
/// with it at 1e-9 7.9e-15, at 1e-7 2.6e-14, at 1e-6 3.7e-13, at 1e-5
/// 2.9e-12. At 1e-7 a K = 3 measurement costs 36.0 us, against 29.3 us
/// with the means alone on the same rule and 34.8 us with the 20- and
/// 10-node pair used before; at K = 8 a measurement with its Jacobian
/// 129.4 us against 101.4 and 112.8 (README "Performance").
pub const TOP_ROW_TOL: f64 = 1e-7;

/// `e^{2 pi i j / 64}`, `j = 0..64` (a grid of `x2` for the vanishing floor).
pub static UNIT_ROOTS_64: std::sync::LazyLock<Vec<Complex64>> = std::sync::LazyLock::new(|| {
    (0..64)
        .map(|j| Complex64::from_polar(1.0, TAU * j as f64 / 64.0))
        .collect()
});

/// One quadrature node in `x2` with its positive arc in `x1`.
#[derive(Debug, Clone)]
pub struct Node {
    /// `x2`.
    pub x2: f64,
    /// Quadrature weight (the substitution's Jacobian included).
    pub weight: f64,
    /// Weight of the same node in the embedded low-order rule (0 if not a
    /// node of it, or when the estimate is not asked for).
    pub weight_low: f64,
    /// The intervals of `[0, 1]` where `g(., x2) > 0`.
    pub intervals: Vec<(f64, f64)>,
    /// `e^{2 pi i x2}`.
    pub e1: Complex64,
    /// The row of `g` at `x2` and its arc, when [`bare_nodes`] found them
    /// (checked against the cube before use: [`node_row`]).
    pub row: Option<CachedRow>,
}

impl Node {
    /// The node at `x2` (in `[0, 1)`) with weights `w` in the high-order
    /// rule and `w_low` in the embedded low-order one; no intervals yet.
    fn at(x2: f64, w: f64, w_low: f64) -> Node {
        Node {
            x2,
            weight: w,
            weight_low: w_low,
            intervals: Vec::new(),
            e1: Complex64::from_polar(1.0, TAU * x2),
            row: None,
        }
    }
}

/// Coefficients `[c_{-1}, c_0, c_1]` in `x1` of a trig polynomial given on
/// the 3x3 cube (lexicographic, `k1` slowest), at `x2`.
pub fn row_coefficients(cube: &[Complex64], x2: f64) -> [Complex64; 3] {
    row_at(cube, Complex64::from_polar(1.0, TAU * x2))
}

/// The same from `e1 = e^{2 pi i x2}`.
pub fn row_at(cube: &[Complex64], e1: Complex64) -> [Complex64; 3] {
    let e = [e1.conj(), Complex64::new(1.0, 0.0), e1];
    let mut out = [Complex64::new(0.0, 0.0); 3];
    for (i1, o) in out.iter_mut().enumerate() {
        for (i2, ei) in e.iter().enumerate() {
            *o += cube[i1 * 3 + i2] * ei;
        }
    }
    out
}

/// The arc of `[0, 1]` where `a0 + 2 Re(c1 e^{2 pi i x})` is positive, as
/// intervals of `[0, 1]` (split at 0).
pub fn positive_arc(row: &[Complex64; 3]) -> Vec<(f64, f64)> {
    let a0 = row[1].re;
    // sqrt of the squared norm, not hypot: the rows of a rescaled unit
    // are of order 1 (no overflow), and this runs once per node.
    let r = 2.0 * row[2].norm_sqr().sqrt();
    if a0 >= r {
        return if a0 > 0.0 {
            vec![(0.0, 1.0)]
        } else {
            Vec::new()
        };
    }
    if a0 <= -r {
        return Vec::new();
    }
    // 2 Re(c1 e^{2 pi i x}) = R cos(2 pi x + arg c1): peak at phi = -arg c1 / 2 pi.
    let phi = (-row[2].arg() / TAU).rem_euclid(1.0);
    let half = (-a0 / r).clamp(-1.0, 1.0).acos() / TAU;
    let (lo, hi) = (phi - half, phi + half);
    let mut out = Vec::with_capacity(2);
    if lo < 0.0 {
        out.push((0.0, hi));
        out.push((lo + 1.0, 1.0));
    } else if hi > 1.0 {
        out.push((0.0, hi - 1.0));
        out.push((lo, 1.0));
    } else {
        out.push((lo, hi));
    }
    out.retain(|(a, b)| b > a);
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The `x2` in `[0, 1)` where the number of `x1`-roots changes: zeros of
/// `a0^2 - 4 |c1|^2` (degree 2 in `x2`), from its 5 coefficients computed
/// exactly by an 8-point DFT. `None` when the root finder failed.
pub fn breakpoints(cube: &[Complex64]) -> Option<Vec<f64>> {
    let n = 8;
    // e^{2 pi i j / 8} is UNIT_ROOTS_64[8 j]; e^{-2 pi i k j / 8} likewise.
    let root = |t: i64| UNIT_ROOTS_64[(8 * t).rem_euclid(64) as usize];
    let vals: Vec<f64> = (0..n)
        .map(|j| {
            let row = row_at(cube, root(j));
            row[1].re * row[1].re - 4.0 * row[2].norm_sqr()
        })
        .collect();
    let mut hhat = vec![Complex64::new(0.0, 0.0); 5];
    for (idx, k) in (-2i64..=2).enumerate() {
        let mut acc = Complex64::new(0.0, 0.0);
        for (j, v) in vals.iter().enumerate() {
            acc += v * root(-k * j as i64);
        }
        hhat[idx] = acc / n as f64;
    }
    let scale = hhat.iter().map(|c| c.norm()).fold(0.0, f64::max);
    if scale == 0.0 {
        return Some(Vec::new());
    }
    let mut z = exact1d::zeros(&hhat, &RootSettings::default())?;
    z.iter_mut().for_each(|x| *x = x.rem_euclid(1.0));
    z.sort_by(|a, b| a.total_cmp(b));
    z.dedup_by(|a, b| (*a - *b).abs() < 1e-14);
    Some(z)
}

/// The quadrature nodes in `x2` for `g` (3x3 cube coefficients, K0 = 1)
/// and coefficients up to `kmax`, with each row's positive arc; with
/// `with_low`, also the weights of the embedded Gauss rule (for the error
/// estimate).
pub fn nodes(cube: &[Complex64], kmax: usize, with_low: bool) -> Option<Vec<Node>> {
    let mut out = bare_nodes(cube, kmax, with_low)?;
    for node in out.iter_mut() {
        node.intervals = positive_arc(&row_at(cube, node.e1));
    }
    Some(out)
}

/// The nodes of [`nodes`] without their intervals (empty): enough for
/// [`integrate_relu`] and [`integrate_indicator`], whose rows find their
/// arcs themselves; [`integrate`] needs [`nodes`]. Each panel starts as
/// [`PANEL_SPLITS`] pieces or more (long panels get proportionally more;
/// [`PERIODIC_SPLITS`] without breakpoints) and is bisected by
/// [`super::exact2d_panels::bisected_nodes`] until the two rules agree on
/// the closed-form rows of `sigma(g)` and `1[g > 0]` up to `kmax`.
pub fn bare_nodes(cube: &[Complex64], kmax: usize, with_low: bool) -> Option<Vec<Node>> {
    use super::exact2d_panels::bisected_nodes;
    let scale: f64 = cube
        .iter()
        .map(|c| c.norm())
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    let initial = |len: f64| PANEL_SPLITS.max((len * 2.0 * PANEL_SPLITS as f64).ceil() as usize);
    let side = 2 * kmax + 1;
    bisected_nodes(
        &breakpoints(cube)?,
        &initial,
        PERIODIC_SPLITS,
        with_low,
        &|piece| {
            // Both rules on two rows of k1 for every k2 up to kmax: the
            // x1-means (k1 = 0) of sigma(g) and 1[g > 0], whose
            // singularities in x2 (the arc's ends) are those of every k1,
            // and the top row k1 = kmax of 1[g > 0], which also oscillates
            // in x2 with the arc's centre, kmax times faster than k1 = 1
            // (with the means alone, the K = 8 coefficients were off by up
            // to 6.3e-10 against the general route; see TOP_ROW_TOL).
            // The rules' difference `sum (w - w_low) F e^{-2 pi i k2 x2}`
            // accumulated directly (only it is tested): one sum instead of
            // one per rule.
            let mut acc = vec![Complex64::new(0.0, 0.0); 3 * side];
            for node in piece.iter_mut() {
                let row = row_at(cube, node.e1);
                let arc = row_arc(&row);
                node.row = Some(CachedRow { row, arc });
                let (relu, ind) = row_means(&arc);
                if relu == 0.0 && ind == 0.0 {
                    continue;
                }
                // Every node is one of the Kronrod rule's; every other one
                // also of the embedded Gauss rule's (w_low = 0 elsewhere).
                let dw = node.weight - node.weight_low;
                let (r, i, t) = (relu * dw, ind * dw, top_indicator(&arc, kmax) * dw);
                let base = node.e1.conj();
                let mut e = node.e1.powi(kmax as i32);
                let (ar, rest) = acc.split_at_mut(side);
                let (ai, at) = rest.split_at_mut(side);
                for ((ar, ai), at) in ar.iter_mut().zip(ai).zip(at) {
                    *ar += e * r;
                    *ai += e * i;
                    *at += e * t;
                    e *= base;
                }
            }
            // The largest |difference| of each row (sqrt of the squared
            // norm: the rows of a rescaled unit are of order 1).
            let part = |q: usize| {
                acc[q * side..(q + 1) * side]
                    .iter()
                    .map(|v| v.norm_sqr())
                    .fold(0.0, f64::max)
                    .sqrt()
            };
            // The top row at its own tolerance (scaled to PIECE_TOL's).
            let top = part(2) * (super::exact2d_panels::PIECE_TOL / TOP_ROW_TOL);
            Some((part(0) / scale).max(part(1)).max(top))
        },
    )
}

/// The top entry (`k1 = kmax`) of [`row_indicator_arc`]:
/// `e^{-2 pi i kmax phi} sin(kmax alpha) / (pi kmax)` (`alpha / pi` for
/// `kmax = 0`), in closed form.
fn top_indicator(arc: &RowArc, kmax: usize) -> Complex64 {
    match *arc {
        RowArc::Empty => Complex64::new(0.0, 0.0),
        RowArc::Full(_) => Complex64::new(if kmax == 0 { 1.0 } else { 0.0 }, 0.0),
        RowArc::Arc { alpha, rot, .. } => {
            if kmax == 0 {
                Complex64::new(alpha / PI, 0.0)
            } else {
                let k = kmax as f64;
                rot.powi(kmax as i32) * ((k * alpha).sin() / (PI * k))
            }
        }
    }
}

/// `x2 = a + len sin^2(pi t / 2)` and its derivative in `t`: the
/// substitution that smooths the square-root behaviour of the row
/// integrals at both ends of a panel `[a, a + len]`.
pub fn sin2_map(a: f64, len: f64, t: f64) -> (f64, f64) {
    let (s, c) = (PI * t / 2.0).sin_cos();
    (a + len * s * s, len * PI * s * c)
}

/// The nodes (without their intervals) of a nested rule on the piece
/// `[t0, t1]` of the variable `t`, mapped to `x2` by `map` (value,
/// derivative): `rule` holds `(node, weight, low-order weight)` on [-1, 1]
/// (the low-order weight 0 where the node is not one of the embedded
/// rule's).
pub fn piece_nodes(
    t0: f64,
    t1: f64,
    rule: &[(f64, f64, f64)],
    map: &dyn Fn(f64) -> (f64, f64),
) -> Vec<Node> {
    let (mid, half) = (0.5 * (t0 + t1), 0.5 * (t1 - t0));
    rule.iter()
        .map(|&(u, wgt, wgt_low)| {
            let (x2, jac) = map(mid + half * u);
            let scale = half * jac;
            Node::at(x2.rem_euclid(1.0), wgt * scale, wgt_low * scale)
        })
        .collect()
}

/// `\int_{T^2} sigma(g) e^{-2 pi i k.x} dx` on the layout of [`integrate`],
/// rows by [`row_relu`].
pub fn integrate_relu(
    nodes: &[Node],
    gcube: &[Complex64],
    kmax: usize,
) -> (Vec<Complex64>, Vec<Complex64>) {
    accumulate(nodes, kmax, |node, f| {
        let (row, arc) = node_row(gcube, node);
        row_relu_arc(&row, &arc, kmax, f)
    })
}

/// `\int_{T^2} 1[g > 0] e^{-2 pi i k.x} dx` on the layout of [`integrate`],
/// rows by [`row_indicator`] (nodes from [`bare_nodes`] or [`nodes`]).
pub fn integrate_indicator(
    nodes: &[Node],
    gcube: &[Complex64],
    kmax: usize,
) -> (Vec<Complex64>, Vec<Complex64>) {
    accumulate(nodes, kmax, |node, f| {
        row_indicator_arc(&node_row(gcube, node).1, kmax, f)
    })
}

/// `\int_{T^2} 1[g > 0] h(x) e^{-2 pi i k.x} dx` for `k1 = 0..=kmax`, `k2 =
/// -kmax..=kmax` (row-major `(kmax+1) x (2 kmax + 1)`), with the high-order
/// and the embedded low-order rule. `h` is given on its 3x3 cube.
pub fn integrate(
    nodes: &[Node],
    hcube: &[Complex64],
    kmax: usize,
) -> (Vec<Complex64>, Vec<Complex64>) {
    accumulate(nodes, kmax, |node, f| {
        if node.intervals.is_empty() {
            return false;
        }
        let row = row_at(hcube, node.e1);
        exact1d::integrate(&row, &node.intervals, kmax, f);
        true
    })
}

/// Sums `w(x2) F(k1, x2) e^{-2 pi i k2 x2}` over the nodes, `F` from `row`
/// (which returns false for a zero row: the node is skipped).
///
/// This sum is most of the cost at large cutoffs (`(kmax + 1) (2 kmax + 1)`
/// products per node), so it runs on split real and imaginary parts, one
/// contiguous `k2` row at a time (`benches/dictionary.rs`, `exact_2d_k8`).
pub fn accumulate(
    nodes: &[Node],
    kmax: usize,
    row: impl Fn(&Node, &mut [Complex64]) -> bool,
) -> (Vec<Complex64>, Vec<Complex64>) {
    let side = 2 * kmax + 1;
    let size = (kmax + 1) * side;
    // [hi re, hi im, lo re, lo im], each row-major (kmax + 1) x side.
    let mut acc = vec![0.0f64; 4 * size];
    let mut f = vec![Complex64::new(0.0, 0.0); kmax + 1];
    let (mut e_re, mut e_im) = (vec![0.0f64; side], vec![0.0f64; side]);
    for node in nodes {
        if !row(node, &mut f) {
            continue;
        }
        // e^{-2 pi i k2 x2} for k2 = -kmax..kmax.
        let base = node.e1.conj();
        let mut e = node.e1.powi(kmax as i32);
        for k2 in 0..side {
            e_re[k2] = e.re;
            e_im[k2] = e.im;
            e *= base;
        }
        for (rule, weight) in [(0, node.weight), (1, node.weight_low)] {
            if weight == 0.0 {
                continue;
            }
            let (re, im) = acc[2 * rule * size..(2 * rule + 2) * size].split_at_mut(size);
            for (k1, fk) in f.iter().enumerate() {
                let (fr, fi) = (fk.re * weight, fk.im * weight);
                let re = &mut re[k1 * side..(k1 + 1) * side];
                let im = &mut im[k1 * side..(k1 + 1) * side];
                for (((r, i), &er), &ei) in re.iter_mut().zip(im).zip(&e_re).zip(&e_im) {
                    *r += fr * er - fi * ei;
                    *i += fr * ei + fi * er;
                }
            }
        }
    }
    let join = |re: &[f64], im: &[f64]| -> Vec<Complex64> {
        re.iter()
            .zip(im)
            .map(|(&r, &i)| Complex64::new(r, i))
            .collect()
    };
    let (hi, lo) = acc.split_at(2 * size);
    (
        join(&hi[..size], &hi[size..]),
        join(&lo[..size], &lo[size..]),
    )
}
