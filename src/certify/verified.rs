//! Verified measures: upper bounds of value(11) come from measures whose
//! residual is checked (docs/theory.md 9, "Upper bounds come from measures").
//!
//! value(11) <= cost(mu) only if `A_K mu = y`. The LP's support (not merged)
//! is re-solved on the verification operator (a small LP restricted to the
//! support's columns, then a least-squares polish of the amplitudes: the
//! minimum-norm correction `c += Phi_S^+ (y - Phi_S c)`), optionally slid
//! off the grid ([`super::sliding`]), and its residual `|A mu - y| / |y|` is
//! recomputed by summing the measure's units one by one
//! ([`crate::measurement`]), a path independent of the dictionary. The
//! measure gives an upper bound only when that residual is at most
//! [`VerifySettings::residual_tol`] (plus the noise level delta).

use super::eta::psi_for;
use super::verdict::{fill_psi, network_of};
use crate::convex::atoms::Atom;
use crate::convex::columns::solve_scaled;
use crate::convex::{Backend, Program, SolveSettings, Status};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::spec::ProblemSpec;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// Atoms carrying less than this fraction of the cost are dropped before
/// the final polish when the rest still fits the data.
pub const PRUNE_REL: f64 = 1e-8;

/// Settings of the verification.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VerifySettings {
    /// LP entries with `|c_j| <= support_rel max |c|` are left out (default 1e-14:
    /// dropping more can make the restricted LP costlier than the grid LP).
    pub support_rel: f64,
    /// Largest `|A mu - y| / |y|` of a verified measure (default 1e-9).
    pub residual_tol: f64,
    /// Slide the atoms off the grid (default true).
    pub slide: bool,
}

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings {
            support_rel: 1e-14,
            residual_tol: 1e-9,
            slide: true,
        }
    }
}

/// Which operator a residual was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operator {
    /// Exact coefficients (the continuous problem (11)).
    Exact,
    /// Grid quadrature with `n` points per axis: statements hold for this
    /// discretized operator, not for (11).
    Quadrature {
        /// Points per axis.
        n: usize,
    },
}

impl Operator {
    /// The operator of a plan.
    pub fn of(plan: &DiscretizationPlan) -> Self {
        if plan.exact {
            Operator::Exact
        } else {
            Operator::Quadrature { n: plan.n_quad }
        }
    }

    /// Name as printed.
    pub fn describe(&self) -> String {
        match self {
            Operator::Exact => "exact columns".into(),
            Operator::Quadrature { n } => {
                format!("the quadrature operator with {n} points per axis (not exact)")
            }
        }
    }
}

/// A measure with its verified residual and cost.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedMeasure {
    /// The atoms (the LP support, polished; not merged).
    pub atoms: Vec<Atom>,
    /// Atoms dropped because their unit vanishes on the operator (a zero
    /// column: `A mu` does not change and the cost cannot rise). An LP
    /// leaves arbitrary mass on such columns when `psi` is 0 there
    /// (psi_mod of a vanished unit), so they are not part of the answer.
    pub vanished_atoms: usize,
    /// `sum |c_j| psi(w_j)`.
    pub cost: f64,
    /// `|A mu - y|`, recomputed unit by unit.
    pub residual: f64,
    /// The same over `|y|`.
    pub relative_residual: f64,
    /// True when the relative residual is at most the tolerance (plus delta).
    pub verified: bool,
    /// The operator of the residual.
    pub operator: Operator,
    /// Status of the restricted LP.
    pub restricted_status: Status,
    /// Cost of the grid LP's solution before polishing.
    pub lp_cost: f64,
    /// Cost reduction of the sliding step (0 when it did not run or help).
    pub slide_gain: f64,
    /// Why it is not verified (empty when it is).
    pub note: String,
}

/// `|y|`, at least the smallest positive float (a divisor).
pub fn data_norm(y: &[f64]) -> f64 {
    crate::numeric::norm2(y).max(f64::MIN_POSITIVE)
}

/// The atoms of `c` on `dict` whose contribution to the data `|c_j|
/// |phi_j|` exceeds `rel` times the largest, unmerged. (Not `|c_j|`
/// itself: psi_mod's thin bumps have columns of norm 1e-11 and amplitudes
/// to match, so amplitudes are not comparable between columns.)
pub fn support_atoms(c: &[f64], dict: &Dictionary, rel: f64) -> Vec<Atom> {
    let mass: Vec<f64> = (0..c.len())
        .map(|j| c[j].abs() * crate::numeric::norm2(dict.column(j)))
        .collect();
    let mx = mass.iter().fold(0.0f64, |a, v| a.max(*v));
    (0..c.len())
        .filter(|&j| mx > 0.0 && mass[j] > rel * mx)
        .map(|j| Atom {
            c: c[j],
            w: dict.direction(j).to_vec(),
            psi: f64::NAN,
            members: vec![j],
        })
        .collect()
}

/// For display only: the atoms of an LP solution `c` over `dict`, same-sign
/// neighbours within 0.1 rad merged, each entry weighed by its contribution
/// `|c_j| |column_j|` ([`crate::convex::atoms::atoms_weighted`]).
pub fn display_atoms(c: &[f64], dict: &Dictionary) -> Vec<Atom> {
    crate::convex::atoms::atoms_weighted(
        c,
        &dict.directions,
        dict.dim,
        &dict.column_norms(),
        &crate::convex::atoms::AtomSettings::default(),
    )
}

/// `|A mu - y|` with `A mu` summed unit by unit on the plan's operator.
pub fn residual_of(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    atoms: &[Atom],
    y: &[f64],
) -> Result<f64> {
    let net = network_of(spec, atoms);
    let ay = super::verdict::teacher_measurements(spec, plan, &net)?;
    Ok(ay
        .iter()
        .zip(y)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt())
}

/// Polishes and verifies the LP solution `c` on `dict`.
pub fn verify_measure(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    c: &[f64],
    y: &[f64],
    delta: f64,
    s: &VerifySettings,
) -> Result<VerifiedMeasure> {
    let ynorm = data_norm(y);
    let mut atoms = support_atoms(c, dict, s.support_rel);
    if y.iter().all(|v| *v == 0.0) && delta == 0.0 {
        // The zero measure fits y = 0 exactly at cost 0.
        atoms.clear();
    }
    fill_psi(spec, plan, &mut atoms)?;
    let lp_cost: f64 = atoms.iter().map(|a| a.c.abs() * a.psi).sum();
    let m = dict.m;
    let mut restricted_status = Status::Unsolved;
    if !atoms.is_empty() {
        // Columns of the support on the plan's operator, recomputed.
        let sub = Dictionary::build(
            spec,
            plan,
            &atoms.iter().flat_map(|a| a.w.clone()).collect::<Vec<_>>(),
        )?;
        if sub.len() == atoms.len() {
            let prog = Program::new(&sub.columns, m, y, &sub.psi, delta)?;
            let lp = solve_scaled(&prog, Backend::Clarabel, &SolveSettings::default())?;
            restricted_status = lp.status;
            let mut cs = if lp.status.has_solution() {
                lp.c.clone()
            } else {
                atoms.iter().map(|a| a.c).collect()
            };
            let costf =
                |c: &[f64]| -> f64 { c.iter().zip(&sub.psi).map(|(a, p)| a.abs() * p).sum() };
            if delta == 0.0 {
                polish_least_squares(&sub.columns, m, y, &mut cs);
                // Interior-point solutions leave tiny entries: drop those
                // carrying less than PRUNE_REL of the cost, re-solve the LP on
                // the rest and polish; keep the pruned measure only when it
                // fits the data and costs no more.
                let total = costf(&cs);
                let keep: Vec<usize> = (0..cs.len())
                    .filter(|&j| cs[j].abs() * sub.psi[j] > PRUNE_REL * total)
                    .collect();
                if keep.len() < cs.len() && !keep.is_empty() {
                    let cols: Vec<f64> =
                        keep.iter().flat_map(|&j| sub.column(j).to_vec()).collect();
                    let psik: Vec<f64> = keep.iter().map(|&j| sub.psi[j]).collect();
                    let prog = Program::new(&cols, m, y, &psik, 0.0)?;
                    let lpk = solve_scaled(&prog, Backend::Clarabel, &SolveSettings::default())?;
                    if lpk.status.has_solution() {
                        let mut ck = lpk.c.clone();
                        polish_least_squares(&cols, m, y, &mut ck);
                        let resid = (0..m)
                            .map(|q| {
                                let v: f64 = ck
                                    .iter()
                                    .enumerate()
                                    .map(|(j, cj)| cj * cols[j * m + q])
                                    .sum();
                                (v - y[q]).powi(2)
                            })
                            .sum::<f64>()
                            .sqrt();
                        let cost_k: f64 = ck.iter().zip(&psik).map(|(a, p)| a.abs() * p).sum();
                        if resid <= 0.1 * s.residual_tol * ynorm && cost_k <= total * (1.0 + 1e-12)
                        {
                            let mut pruned = vec![0.0; cs.len()];
                            for (&j, v) in keep.iter().zip(ck) {
                                pruned[j] = v;
                            }
                            cs = pruned;
                        }
                    }
                }
            }
            for (a, v) in atoms.iter_mut().zip(cs) {
                a.c = v;
            }
            atoms.retain(|a| a.c != 0.0);
        }
    }
    let mut slide_gain = 0.0;
    if s.slide && delta == 0.0 && !atoms.is_empty() {
        let before: f64 = atoms.iter().map(|a| a.c.abs() * a.psi).sum();
        if let Some(slid) = super::sliding::slide(spec, plan, &atoms, y, s.residual_tol)? {
            let after: f64 = slid.iter().map(|a| a.c.abs() * a.psi).sum();
            if after < before {
                slide_gain = before - after;
                atoms = slid;
            }
        }
    }
    let mut out = verify_atoms(spec, plan, atoms, y, delta, s)?;
    out.restricted_status = restricted_status;
    out.lp_cost = lp_cost;
    out.slide_gain = slide_gain;
    Ok(out)
}

/// A refinement round's measure for the upper end: the LP's `c`, verified, or the
/// optimality system's atoms, verified the same way, when they are cheaper.
#[allow(clippy::too_many_arguments)]
pub fn candidate_measure(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    dict: &Dictionary,
    c: &[f64],
    kkt: Option<&super::kkt::KktSolution>,
    y: &[f64],
    delta: f64,
    settings: &VerifySettings,
) -> Result<VerifiedMeasure> {
    let mut measure = verify_measure(spec, plan, dict, c, y, delta, settings)?;
    if let Some(k) = kkt {
        let alt = verify_atoms(spec, plan, k.atoms.clone(), y, delta, settings)?;
        if alt.verified && (!measure.verified || alt.cost < measure.cost) {
            measure = alt;
        }
    }
    Ok(measure)
}

/// The residual and cost of `atoms`, recomputed unit by unit on the plan's
/// operator (no LP, no polish: `restricted_status` is `unsolved`).
pub fn verify_atoms(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    atoms: Vec<Atom>,
    y: &[f64],
    delta: f64,
    s: &VerifySettings,
) -> Result<VerifiedMeasure> {
    let psi = psi_for(spec, plan)?;
    let ynorm = data_norm(y);
    let before = atoms.len();
    let mut atoms = atoms;
    let mut keep = Vec::with_capacity(atoms.len());
    for a in &atoms {
        let col = super::verdict::teacher_measurements(
            spec,
            plan,
            &network_of(spec, std::slice::from_ref(a)),
        )?;
        keep.push(col.iter().any(|v| *v != 0.0));
    }
    let mut flags = keep.into_iter();
    atoms.retain(|_| flags.next().unwrap_or(true));
    let vanished_atoms = before - atoms.len();
    let residual = residual_of(spec, plan, &atoms, y)?;
    let cost: f64 = atoms
        .iter()
        .map(|a| Ok(a.c.abs() * psi.value(&a.w)?))
        .sum::<Result<f64>>()?;
    let relative_residual = residual / ynorm;
    let verified = residual <= s.residual_tol * ynorm + delta;
    let note = if verified {
        String::new()
    } else {
        format!(
            "the measure misses the data: |A mu - y| / |y| = {relative_residual:.3e} > {:.1e} on {}",
            s.residual_tol,
            Operator::of(plan).describe()
        )
    };
    Ok(VerifiedMeasure {
        atoms,
        vanished_atoms,
        cost,
        residual,
        relative_residual,
        verified,
        operator: Operator::of(plan),
        restricted_status: Status::Unsolved,
        lp_cost: f64::NAN,
        slide_gain: 0.0,
        note,
    })
}

/// Singular values below this fraction of the largest are cut in the
/// least-squares polish (nearly parallel support columns would otherwise
/// turn a 1e-10 residual into large, cost-raising corrections).
pub const POLISH_RCOND: f64 = 1e-8;

/// `c += Phi^+ (y - Phi c)` (truncated minimum-norm correction by SVD),
/// twice; a correction that does not lower the residual is not applied.
pub fn polish_least_squares(cols: &[f64], m: usize, y: &[f64], c: &mut [f64]) {
    let n = c.len();
    if n == 0 {
        return;
    }
    // Columns scaled to unit norm for the SVD (thin bumps' columns have
    // norms near 1e-11: unscaled, the cut would drop them), the correction
    // scaled back.
    let a = DMatrix::from_column_slice(m, n, cols);
    let norms: Vec<f64> = (0..n)
        .map(|j| {
            let v = a.column(j).norm();
            if v > 0.0 { v } else { 1.0 }
        })
        .collect();
    let mut unit = a.clone();
    for (j, s) in norms.iter().enumerate() {
        unit.column_mut(j).scale_mut(1.0 / s);
    }
    let yv = DVector::from_column_slice(y);
    let Some(svd) = super::linalg::bounded_svd(unit, true, true) else {
        return;
    };
    let smax = svd.singular_values.max();
    for _ in 0..2 {
        let cv = DVector::from_column_slice(c);
        let r = &yv - &a * &cv;
        if let Ok(mut dc) = svd.solve(&r, POLISH_RCOND * smax.max(f64::MIN_POSITIVE)) {
            dc.iter_mut().zip(&norms).for_each(|(v, s)| *v /= s);
            let trial = &cv + &dc;
            if (&yv - &a * &trial).norm() < r.norm() {
                c.iter_mut().zip(trial.iter()).for_each(|(ci, t)| *ci = *t);
            }
        }
    }
}
