//! A proved bound of `sup |eta|` by branch-and-bound over a covering of the
//! sphere S^(D-1) (docs/theory.md 9, "Lipschitz bound").
//!
//! The sphere is covered by the cube-sphere: the `2D` faces `{x : x_a = +-1,
//! |x_b| <= 1}` projected radially. A patch is a square of a face; its
//! image on the sphere is a spherical polygon with geodesic edges, so the
//! largest angle from its centre `c` is reached at a corner: that is the
//! patch radius `r`. On a patch, for unit `w` with `angle(w, c) <= r` (so
//! `|w - c| <= r`):
//!
//! - `F(w) = <lambda, A_K sigma(g_w)> = integral p_lambda sigma(g_w)` obeys
//!   `|F(w) - F(c)| <= |lambda| |g_w - g_c|_L2 <= |lambda| |w - c|` (sigma is
//!   1-Lipschitz, `A_K` contracts in L2 by Bessel, `|g_u|_L2 <= |u|`);
//! - `psi_std = 1` on the sphere: `|eta(w)| <= |eta(c)| + |lambda| r`;
//! - `psi_pre` and `psi_mod` (`P(w) = |g_w|_L2`, resp. `|A_K' sigma(g_w)|`)
//!   are 1-Lipschitz in the same sense, so with `eta = F / P`,
//!   `|eta(w) - eta(c)| <= (|lambda| + |eta(c)|) r / P(w)` and
//!   `P(w) >= P(c) - r` (and `psi_pre >= 1/sqrt 2` on the sphere);
//! - `psi_mod` near thin bumps (d = 1, K0 = 1 only): `|g_w - g_c| <= r
//!   |gamma|_inf = r sqrt 2`, so every unit of the patch is supported in the
//!   arc `{g_c > -r sqrt 2}` of half-width `a` around the peak `x0` of
//!   `g_c`. Then `|F(w)| <= max_arc |p| integral sigma(g_w)` and, testing
//!   `A_K' sigma(g_w)` against the unit vector `A_K' delta_x0 / sqrt M'`,
//!   `psi_mod(w) >= D_K'(a) integral sigma(g_w) / sqrt M'` with the Dirichlet
//!   kernel `D_K'(t) = sin((2K'+1) pi t) / sin(pi t)` (decreasing on
//!   `[0, 1/(2K'+1)]`). Hence `|eta(w)| <= sqrt M' max_arc |p| / D_K'(a)`
//!   when `a < 1/(2K'+1)`; and when the arc is empty every unit of the patch
//!   vanishes (no column, no constraint). This bound contains the thin-bump
//!   limit `sup |p| / sqrt M'`.
//! - Always (`psi_mod` with `K' >= K`): `|eta| <= |lambda|` (Cauchy-Schwarz).
//! - Second order (d = 1, K0 = 1, units above the floor): with `e = w - c`,
//!   `delta = r sqrt((D+1)/2) >= sup_x |e . gamma(x)|` and `mu = |{x :
//!   |g_c(x)| <= delta}|` (closed form for `g_c = w0 + R cos`), the ReLU
//!   remainder obeys `|sigma(a) - sigma(b) - H(b)(a - b)| <= |a - b| 1[|b| <=
//!   |a - b|]`, so `F(w) = F(c) + grad F(c) . e + R_F` with `|R_F| <=
//!   min(sup|p| delta mu, |lambda| delta sqrt(mu))`. With `G = F - eta(c) P`
//!   (`G(c) = 0`, and `grad G(c) . c = 0` by Euler, so only the tangential
//!   part `grad_T G(c) = P(c) grad_T eta(c)` acts, with `|e_T| <= r`):
//!   `|eta(w)| <= |eta(c)| + (r |grad_T G(c)| + |R_F| + |eta(c)| |R_P|) /
//!   P_low`, where `R_P = 0` (std), `0 <= R_P <= r^2 / (2 P_seg)` (pre:
//!   `0 <= Hess P <= Q / P`, `Q = diag(1, 1/2, ...)`, `P_seg = cos(r/2) /
//!   sqrt 2`), and for `psi_mod` (`v = A_K' sigma(g_w)`, `a = v(w) - v(c)`,
//!   `|a| <= r + delta sqrt(mu)`): `|R_P| <= delta sqrt(mu) + |a|^2 / (2
//!   P(c))`. The first-order term vanishes at a maximum, so near the maxima
//!   patches need only shrink like the square root of the target gap.
//!
//! Computed values carry rounding errors; every bound adds
//! [`EVAL_SLACK`] `(|lambda| + |eta(c)|) / P(c)`, and a centre whose unit is
//! below the vanishing floor ([`crate::inr::unit::VANISH_REL`]) adds the
//! floor's effect (`|F| <= |lambda| VANISH_REL`).
//!
//! Patches are split (into `2^(D-1)` children) while their bound exceeds
//! the target; the bound of the covering at any stage is a proof. The
//! search stops at a patch budget: D = 3 closes to tolerance in seconds, D = 5
//! only when the margin is large, D = 9 never (there the bound is reported as
//! `estimated`, from [`super::eta::sup_eta`]).

use super::eta::{EtaField, angle};
use super::thin_bump::{PolySamples, TrigPoly, default_samples, sample};
use crate::error::Result;
use crate::inr::psi::PsiKind;
use crate::inr::unit::VANISH_REL;
use crate::spec::ProblemSpec;
use rayon::prelude::*;
use serde::Serialize;

/// Relative slack added to every evaluated `eta(c)` for rounding (exact
/// 1-D coefficients are accurate to about 1e-14; quadrature ones are not
/// covered: a bound on a quadrature operator proves a statement about that
/// operator only).
pub const EVAL_SLACK: f64 = 1e-12;

/// Whether a bound of `sup |eta|` is a proof or a search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundKind {
    /// Branch-and-bound over a covering of the sphere closed below the target.
    Proved,
    /// Dense sampling plus local ascent: a lower estimate of the sup, validated
    /// against brute force in tests but not a bound.
    Estimated,
}

impl BoundKind {
    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            BoundKind::Proved => "proved",
            BoundKind::Estimated => "estimated",
        }
    }
}

/// Settings of the branch-and-bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BnbSettings {
    /// Largest number of patches evaluated (default 1 000 000: D = 3 closes
    /// in about 1e3 to 1e5, D = 5 seldom closes and stops after about 7 s).
    pub max_patches: usize,
    /// Splits per face edge of the initial covering (default 8).
    pub initial_splits: usize,
    /// Feature dimensions where the branch-and-bound runs (default up to 5).
    pub max_dim: usize,
}

impl Default for BnbSettings {
    fn default() -> Self {
        BnbSettings {
            max_patches: 1_000_000,
            initial_splits: 8,
            max_dim: 5,
        }
    }
}

/// The outcome of a branch-and-bound.
#[derive(Debug, Clone, Serialize)]
pub struct BnbResult {
    /// A proved bound of `sup |eta|` over the patches not excluded (valid
    /// even when the target was not reached).
    pub upper: f64,
    /// The largest `|eta|` at a patch centre (a lower estimate of the sup).
    pub found: f64,
    /// Where.
    pub argmax: Vec<f64>,
    /// True when every remaining patch's bound is at most the target.
    pub closed: bool,
    /// True when a patch centre outside the exclusion exceeds the target.
    pub disproved: bool,
    /// Patches evaluated.
    pub patches: usize,
    /// Smallest patch radius reached (radians).
    pub min_radius: f64,
    /// Seconds.
    pub seconds: f64,
}

#[derive(Debug, Clone)]
struct Patch {
    face: usize,
    lo: Vec<f64>,
    h: f64,
    centre: Vec<f64>,
    radius: f64,
    eta: f64,
    bound: f64,
}

/// The per-patch bound of one certificate function.
pub struct PatchBounder<'a> {
    field: &'a EtaField,
    lambda_norm: f64,
    kind: PsiKind,
    k: usize,
    /// d = 1, K0 = 1: samples of `p_lambda` (thin-bump and second-order bounds).
    thin: Option<PolySamples>,
    /// A bound of `sup |p_lambda|` (infinite when not sampled).
    p_sup: f64,
}

impl<'a> PatchBounder<'a> {
    /// The bounder of `field` for `spec`.
    pub fn new(spec: &ProblemSpec, field: &'a EtaField) -> Self {
        let kind = field.psi().kind();
        let lambda_norm = field.lambda().iter().map(|v| v * v).sum::<f64>().sqrt();
        let thin = (spec.d == 1 && spec.k0 == 1).then(|| {
            let p = TrigPoly::new(field.unit().map().clone(), field.lambda());
            sample(&p, default_samples(1, spec.k))
        });
        let p_sup = thin.as_ref().map_or(f64::INFINITY, |t| t.sup_bound);
        PatchBounder {
            field,
            lambda_norm,
            kind,
            k: spec.k,
            thin,
            p_sup,
        }
    }

    /// `(|eta(c)|, bound of |eta| on the cap of radius r around c)`.
    pub fn bound(&self, c: &[f64], r: f64) -> Result<(f64, f64)> {
        let parts = self.field.parts(c)?;
        let eta = parts.eta.abs();
        let lam = self.lambda_norm;
        let slack = |p: f64| EVAL_SLACK * (lam + eta) / p.max(1e-300);
        let b = match self.kind {
            PsiKind::Std => {
                let floor = if parts.vanished {
                    lam * VANISH_REL
                } else {
                    0.0
                };
                eta + lam * r + floor + slack(1.0)
            }
            PsiKind::Pre => {
                let p_low = (parts.psi - r).max(std::f64::consts::FRAC_1_SQRT_2);
                let floor = if parts.vanished {
                    lam * VANISH_REL * std::f64::consts::SQRT_2
                } else {
                    0.0
                };
                eta + (lam + eta) * r / p_low + floor + slack(parts.psi)
            }
            PsiKind::Mod { k_prime } => {
                let mut b = if k_prime >= self.k {
                    lam
                } else {
                    f64::INFINITY
                };
                if !parts.vanished && parts.psi > 2.0 * r {
                    b = b.min(eta + (lam + eta) * r / (parts.psi - r) + slack(parts.psi));
                }
                if let Some(t) = &self.thin {
                    b = b.min(thin_bump_bound(c, r, t, self.k, k_prime));
                }
                b
            }
        };
        if self.thin.is_some() && !parts.vanished && parts.psi > 2.0 * r {
            let b2 = self.second_order(c, r, parts.psi)?;
            return Ok((eta, b.min(b2)));
        }
        Ok((eta, b))
    }

    /// The second-order bound of the module docs (d = 1, K0 = 1).
    fn second_order(&self, c: &[f64], r: f64, p_c: f64) -> Result<f64> {
        let (eta, grad) = self.field.value_and_gradient(c)?;
        let radial: f64 = grad.iter().zip(c).map(|(g, w)| g * w).sum();
        let gt = grad
            .iter()
            .zip(c)
            .map(|(g, w)| (g - radial * w).powi(2))
            .sum::<f64>()
            .sqrt()
            * p_c;
        let delta = r * std::f64::consts::SQRT_2;
        let mu = near_root_measure(c, delta);
        let lam = self.lambda_norm;
        let r_f = (self.p_sup * delta * mu).min(lam * delta * mu.sqrt());
        let ea = eta.abs();
        let (p_low, r_p) = match self.kind {
            PsiKind::Std => (1.0, 0.0),
            PsiKind::Pre => {
                let p_seg = (r / 2.0).cos() * std::f64::consts::FRAC_1_SQRT_2;
                (
                    (p_c - r).max(std::f64::consts::FRAC_1_SQRT_2),
                    r * r / (2.0 * p_seg),
                )
            }
            PsiKind::Mod { .. } => {
                let a = r + delta * mu.sqrt();
                (p_c - r, delta * mu.sqrt() + a * a / (2.0 * p_c))
            }
        };
        if p_low <= 0.0 {
            return Ok(f64::INFINITY);
        }
        let slack = EVAL_SLACK * (lam + ea) / p_c;
        Ok(ea + (r * gt + r_f + ea * r_p) / p_low + slack)
    }
}

/// `|{x in [0,1) : |w0 + R cos(2 pi (x - x0))| <= delta}|` for `c = (w0, w1, w2)`.
fn near_root_measure(c: &[f64], delta: f64) -> f64 {
    let w0 = c[0];
    let rr = (c[1] * c[1] + c[2] * c[2]).sqrt();
    if rr == 0.0 {
        return if w0.abs() <= delta { 1.0 } else { 0.0 };
    }
    let lo = ((-delta - w0) / rr).clamp(-1.0, 1.0);
    let hi = ((delta - w0) / rr).clamp(-1.0, 1.0);
    // Rounding guard: widen by a relative 1e-12.
    ((lo.acos() - hi.acos()) / std::f64::consts::PI * (1.0 + 1e-12) + 1e-15).min(1.0)
}

/// The thin-bump bound of the module docs (d = 1, K0 = 1): `w = (w0, w1, w2)`,
/// `g = w0 + R cos(2 pi (x - x0))`.
fn thin_bump_bound(c: &[f64], r: f64, t: &PolySamples, k: usize, k_prime: usize) -> f64 {
    let (w0, w1, w2) = (c[0], c[1], c[2]);
    let rr = (w1 * w1 + w2 * w2).sqrt();
    let s = r * std::f64::consts::SQRT_2;
    if w0 + rr + s <= 0.0 {
        return 0.0; // every unit of the patch vanishes
    }
    if rr <= 0.0 {
        return f64::INFINITY;
    }
    let tcos = (-s - w0) / rr;
    if tcos <= -1.0 {
        return f64::INFINITY;
    }
    let a = tcos.min(1.0).acos() / std::f64::consts::TAU;
    let mp = (2 * k_prime + 1) as f64;
    if a >= 1.0 / mp {
        return f64::INFINITY;
    }
    let x0 = w2.atan2(w1) / std::f64::consts::TAU;
    let pi = std::f64::consts::PI;
    let dk = if a > 0.0 {
        (mp * pi * a).sin() / (pi * a).sin()
    } else {
        mp
    };
    if dk <= 0.0 {
        return f64::INFINITY;
    }
    mp.sqrt() * t.arc_bound(x0, a, k) / dk * (1.0 + EVAL_SLACK)
}

use crate::numeric::normalize;

/// The sphere point of face coordinates `u` on face `face` (axis `face / 2`,
/// sign by `face % 2`).
fn face_point(face: usize, u: &[f64], dim: usize) -> Vec<f64> {
    let axis = face / 2;
    let sign = if face.is_multiple_of(2) { 1.0 } else { -1.0 };
    let mut x = Vec::with_capacity(dim);
    let mut j = 0;
    for a in 0..dim {
        if a == axis {
            x.push(sign);
        } else {
            x.push(u[j]);
            j += 1;
        }
    }
    normalize(&mut x);
    x
}

fn make_patch(face: usize, lo: Vec<f64>, h: f64, dim: usize) -> Patch {
    let mid: Vec<f64> = lo.iter().map(|v| v + h / 2.0).collect();
    let centre = face_point(face, &mid, dim);
    let m = dim - 1;
    let mut radius = 0.0f64;
    for corner in 0..(1usize << m) {
        let u: Vec<f64> = (0..m)
            .map(|b| lo[b] + if corner >> b & 1 == 1 { h } else { 0.0 })
            .collect();
        radius = radius.max(angle(&centre, &face_point(face, &u, dim)));
    }
    // Guard against rounding in acos near 0.
    radius = radius * (1.0 + 1e-12) + 1e-15;
    Patch {
        face,
        lo,
        h,
        centre,
        radius,
        eta: 0.0,
        bound: f64::INFINITY,
    }
}

fn children(p: &Patch, dim: usize) -> Vec<Patch> {
    let m = dim - 1;
    let h = p.h / 2.0;
    (0..(1usize << m))
        .map(|corner| {
            let lo: Vec<f64> = (0..m)
                .map(|b| p.lo[b] + if corner >> b & 1 == 1 { h } else { 0.0 })
                .collect();
            make_patch(p.face, lo, h, dim)
        })
        .collect()
}

/// Excluded caps: patches entirely inside one are dropped.
pub type Exclusion<'a> = Option<(&'a [Vec<f64>], f64)>;

fn centre_outside(p: &Patch, ex: Exclusion<'_>) -> bool {
    match ex {
        None => true,
        Some((centres, r)) => centres.iter().all(|c| angle(&p.centre, c) > r),
    }
}

fn inside_cap(p: &Patch, ex: Exclusion<'_>) -> bool {
    match ex {
        None => false,
        Some((centres, r)) => centres.iter().any(|c| angle(&p.centre, c) + p.radius <= r),
    }
}

/// Branch-and-bound: splits patches whose bound exceeds `target` until none
/// does or the budget is spent; returns the proved bound of the covering.
pub fn branch_and_bound(
    bounder: &PatchBounder<'_>,
    dim: usize,
    target: f64,
    exclude: Exclusion<'_>,
    s: &BnbSettings,
) -> Result<BnbResult> {
    let t0 = std::time::Instant::now();
    let m = dim - 1;
    let n0 = s.initial_splits.max(1);
    let h0 = 2.0 / n0 as f64;
    let mut active: Vec<Patch> = Vec::new();
    for face in 0..2 * dim {
        for idx in 0..n0.pow(m as u32) {
            let mut r = idx;
            let lo: Vec<f64> = (0..m)
                .map(|_| {
                    let i = r % n0;
                    r /= n0;
                    -1.0 + i as f64 * h0
                })
                .collect();
            active.push(make_patch(face, lo, h0, dim));
        }
    }
    let mut closed_max = 0.0f64;
    let mut found = 0.0f64;
    let mut argmax: Vec<f64> = Vec::new();
    let mut patches = 0usize;
    let mut min_radius = f64::INFINITY;
    loop {
        active.retain(|p| !inside_cap(p, exclude));
        patches += active.len();
        let evaluated: Vec<Result<(f64, f64)>> = active
            .par_iter()
            .with_min_len(64)
            .map(|p| bounder.bound(&p.centre, p.radius))
            .collect();
        for (p, e) in active.iter_mut().zip(evaluated) {
            let (eta, b) = e?;
            p.eta = eta;
            p.bound = b;
            min_radius = min_radius.min(p.radius);
            if eta > found && centre_outside(p, exclude) {
                found = eta;
                argmax = p.centre.clone();
            }
        }
        // A centre above the target disproves it: stop.
        let disproved = found > target;
        let (over, under): (Vec<Patch>, Vec<Patch>) =
            active.into_iter().partition(|p| p.bound > target);
        closed_max = under.iter().fold(closed_max, |a, p| a.max(p.bound));
        if over.is_empty() {
            return Ok(BnbResult {
                upper: closed_max,
                found,
                argmax,
                closed: true,
                disproved,
                patches,
                min_radius,
                seconds: t0.elapsed().as_secs_f64(),
            });
        }
        let next = over.len() << m;
        if disproved || patches + next > s.max_patches {
            let open_max = over.iter().fold(0.0f64, |a, p| a.max(p.bound));
            return Ok(BnbResult {
                upper: closed_max.max(open_max),
                found,
                argmax,
                closed: false,
                disproved,
                patches,
                min_radius,
                seconds: t0.elapsed().as_secs_f64(),
            });
        }
        active = over.iter().flat_map(|p| children(p, dim)).collect();
    }
}
