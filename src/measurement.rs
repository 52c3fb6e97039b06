//! Measurements `y = A_K f` of a shallow INR (docs/theory.md 1 and 7), with the
//! grid chosen from its aliasing-error estimate, or exact in d = 1.
//!
//! Rule: the result is always `y_N` at the reported `N`, and the estimate is
//! `|y_N - y_2N|_2` (for quadrature error decaying like `N^-2` this is about
//! 3/4 of the true error of `y_N`). With no `N` given, `N` doubles from
//! `max(64, next power of two above 4 max(K, K', K0))` until the relative
//! estimate is below `tol` or `2N` would pass `n_max`; `tolerance_met` says which.
//!
//! Exact coefficients: in d = 1 there is no quadrature (no estimate). In
//! d = 2 the x2 integral is Gauss-Legendre on bisected panels
//! ([`crate::fourier::exact2d_panels`]); the estimate is `sum_j |a_j|
//! |A_K sigma(g_j)| e_j`, `e_j` the relative difference of unit j's 20-node
//! rule and its embedded 10-node rule on the same pieces. It bounds the
//! 10-node rule's error, so it overestimates the 20-node result's error by
//! far (docs/theory.md 9, "Exact coefficients in d = 2").

use crate::error::Result;
use crate::inr::features::Features;
use crate::inr::network::ShallowInr;
use crate::inr::unit::{UnitEvaluator, UnitScratch};
use crate::spec::ProblemSpec;
use rayon::prelude::*;
use serde::Serialize;

/// How a measurement was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum MethodUsed {
    /// Exact 1-D coefficients.
    Exact,
    /// Grid quadrature with `n` points per axis.
    Grid {
        /// Points per axis.
        n: usize,
    },
}

/// A measurement vector with its provenance and error estimate.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The real vector `A_K f` (length M).
    pub y: Vec<f64>,
    /// How it was computed.
    pub method: MethodUsed,
    /// `|y_N - y_2N|_2` for quadrature; for exact coefficients in d = 2 the
    /// embedded estimate of the x2 rule (module doc); `None` in d = 1.
    pub error_estimate: Option<f64>,
    /// The same divided by `|y_2N|_2` (exact: by `|y|_2`).
    pub relative_error_estimate: Option<f64>,
    /// Whether the relative estimate met the tolerance `quad_tol` (always
    /// true for exact coefficients in d = 1).
    pub tolerance_met: bool,
}

/// `A_K f` of `net` by quadrature on an `N^d` grid.
pub fn measure_at(spec: &ProblemSpec, net: &ShallowInr, n: usize) -> Result<Vec<f64>> {
    let unit = UnitEvaluator::grid(Features::new(spec.d, spec.k0), spec.k, spec.k, n);
    Ok(sum_units(&unit, net)?.0)
}

/// `A_K f` of `net` by exact coefficients (d = 1 or 2).
pub fn measure_exact(spec: &ProblemSpec, net: &ShallowInr) -> Result<Vec<f64>> {
    let unit = UnitEvaluator::exact(Features::new(spec.d, spec.k0), spec.k)?;
    Ok(sum_units(&unit, net)?.0)
}

/// [`measure_exact`] with, in d = 2, the embedded estimate of the x2
/// quadrature's error (module doc; `None` in d = 1, where nothing is
/// approximated).
pub fn measure_exact_estimated(
    spec: &ProblemSpec,
    net: &ShallowInr,
) -> Result<(Vec<f64>, Option<f64>)> {
    let features = Features::new(spec.d, spec.k0);
    if spec.d == 2 {
        let unit = UnitEvaluator::exact_with_error_estimate(features, spec.k)?;
        let (y, e) = sum_units(&unit, net)?;
        Ok((y, Some(e)))
    } else {
        measure_exact(spec, net).map(|y| (y, None))
    }
}

/// `sum_j a_j A_K sigma(g_j)` and `sum_j |a_j| |A_K sigma(g_j)| e_j`, `e_j`
/// the unit's embedded relative estimate (0 unless the evaluator makes one).
fn sum_units(unit: &UnitEvaluator, net: &ShallowInr) -> Result<(Vec<f64>, f64)> {
    let m = unit.map().len();
    let parts: Vec<(Vec<f64>, f64)> = net
        .units
        .par_iter()
        .map_init(UnitScratch::default, |s, u| {
            let mut y = vec![0.0; m];
            unit.measure_into(&u.w, &mut y, s)?;
            y.iter_mut().for_each(|v| *v *= u.a);
            crate::error::check_finite("a A_K sigma(g_w) of a teacher unit", &y)?;
            let e = s.exact2d_error * norm(&y);
            Ok((y, e))
        })
        .collect::<Result<_>>()?;
    let mut y = vec![0.0; m];
    let mut e = 0.0;
    for (p, pe) in parts {
        y.iter_mut().zip(p).for_each(|(a, b)| *a += b);
        e += pe;
    }
    crate::error::check_finite("A_K f", &y)?;
    Ok((y, e))
}

use crate::numeric::norm2 as norm;

fn diff_norm(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    crate::numeric::norm2(&d)
}

/// The starting grid of the automatic choice.
pub fn auto_start(spec: &ProblemSpec) -> usize {
    (4 * spec.max_cutoff().max(spec.k0) + 1)
        .next_power_of_two()
        .max(64)
}

/// Measures `net` as the spec says (exact, fixed `N`, or automatic `N`).
pub fn measure(spec: &ProblemSpec, net: &ShallowInr) -> Result<Measurement> {
    net.validate(spec.d, spec.k0)?;
    let q = &spec.quadrature;
    if q.exact {
        let (y, e) = measure_exact_estimated(spec, net)?;
        let rel = e.map(|e| {
            let n = norm(&y);
            if n > 0.0 { e / n } else { e }
        });
        return Ok(Measurement {
            y,
            method: MethodUsed::Exact,
            error_estimate: e,
            relative_error_estimate: rel,
            tolerance_met: rel.is_none_or(|r| r <= q.tol),
        });
    }
    let with_estimate = |n: usize| -> Result<(Vec<f64>, f64, f64)> {
        let y = measure_at(spec, net, n)?;
        let y2 = measure_at(spec, net, 2 * n)?;
        let e = diff_norm(&y, &y2);
        let n2 = norm(&y2);
        let rel = if n2 > 0.0 { e / n2 } else { e };
        Ok((y, e, rel))
    };
    let (y, n, e, rel, met) = match q.n {
        Some(n) => {
            let (y, e, rel) = with_estimate(n)?;
            (y, n, e, rel, rel <= q.tol)
        }
        None => {
            let mut n = auto_start(spec);
            loop {
                let (y, e, rel) = with_estimate(n)?;
                let next_fits = spec.grid_bytes(4 * n) <= crate::limits::memory_budget();
                if rel <= q.tol || 4 * n > q.n_max || !next_fits {
                    break (y, n, e, rel, rel <= q.tol);
                }
                n *= 2;
            }
        }
    };
    Ok(Measurement {
        y,
        method: MethodUsed::Grid { n },
        error_estimate: Some(e),
        relative_error_estimate: Some(rel),
        tolerance_met: met,
    })
}

/// One complex coefficient of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Coefficient {
    /// The frequency `k`.
    pub k: Vec<i64>,
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

/// What `inrsamp measure --json` prints: the measurement with its
/// provenance, the problem and the coefficients over all of `S_K`.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureReport {
    /// Number of real measurements `M`.
    pub m: usize,
    /// `exact` or `grid`.
    pub method: &'static str,
    /// Grid points per axis (grid quadrature).
    pub n: Option<usize>,
    /// `|y_N - y_2N|` (grid quadrature); exact in d = 2: the embedded
    /// estimate of the x2 rule (an overestimate; see [`Measurement`]).
    pub quadrature_error_estimate: Option<f64>,
    /// The same relative to `|y_2N|` (exact: to `|y|`).
    pub relative_error_estimate: Option<f64>,
    /// Whether the quadrature tolerance was met.
    pub tolerance_met: bool,
    /// The problem.
    pub spec: ProblemSpec,
    /// The real vector `A_K f`.
    pub real_vector: Vec<f64>,
    /// The complex coefficients on `S_K` (lexicographic).
    pub coefficients: Vec<Coefficient>,
}

/// Measures `net` and reports it (see [`MeasureReport`]).
pub fn measure_report(spec: &ProblemSpec, net: &ShallowInr) -> Result<MeasureReport> {
    let meas = measure(spec, net)?;
    let map = crate::fourier::RealMap::new(spec.d, spec.k);
    let coefficients = map
        .to_complex(&meas.y)?
        .into_iter()
        .map(|(k, c)| Coefficient {
            k,
            re: c.re,
            im: c.im,
        })
        .collect();
    let (method, n) = match meas.method {
        MethodUsed::Exact => ("exact", None),
        MethodUsed::Grid { n } => ("grid", Some(n)),
    };
    Ok(MeasureReport {
        m: map.len(),
        method,
        n,
        quadrature_error_estimate: meas.error_estimate,
        relative_error_estimate: meas.relative_error_estimate,
        tolerance_met: meas.tolerance_met,
        spec: spec.clone(),
        real_vector: meas.y,
        coefficients,
    })
}
