//! The verdict against a known teacher (THEORY.md 6): measure the teacher,
//! put its directions on the grid (unless off-grid), solve (11) on the grid
//! with its certified bracket, and decide:
//!
//! - `unique`: the solution is the teacher and a certificate passes a tier
//!   (interpolation at the support and a positive margin outside the caps);
//! - `recovered`: the solution is the teacher but no certificate passes;
//! - `not_recovered`: a measure of lower (or equal) cost that is not the
//!   teacher exists; its cost and atoms are reported;
//! - `inconclusive`: the solver status or accuracy does not allow a verdict,
//!   or the grid cannot represent the teacher; the reason says which.

use super::eta::{EtaField, dense_eta, dictionary_eta, psi_for, sup_eta};
use super::precert::SupportAtom;
use super::refine::{CertifiedSolve, SolveOptions, solve_certified};
use super::{CertificateReport, CertifySettings, certificate_report};
use crate::convex::Status;
use crate::convex::atoms::{Atom, AtomSettings, atoms};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::inr::network::{ShallowInr, Unit};
use crate::measurement::{measure_at, measure_exact};
use crate::spec::ProblemSpec;
use crate::sphere::SphereGrid;
use serde::Serialize;

/// The four verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The teacher is the solution, certified.
    Unique,
    /// The teacher is the solution, not certified.
    Recovered,
    /// Something cheaper (or as cheap) that is not the teacher.
    NotRecovered,
    /// No verdict possible.
    Inconclusive,
}

impl Verdict {
    /// Name as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Unique => "unique",
            Verdict::Recovered => "recovered",
            Verdict::NotRecovered => "not_recovered",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Settings of the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VerdictSettings {
    /// Directions of the sphere grid (default 2 000).
    pub grid_points: usize,
    /// Leave the teacher's directions off the grid.
    pub off_grid: bool,
    /// The solution "is the teacher" when the relative L2 distance of the two
    /// functions on the evaluation grid is at most this (default 1e-4).
    pub recovery_tol: f64,
    /// Relative cost tolerance: cheaper means `upper < cost (1 - cost_tol)`
    /// (default 1e-6).
    pub cost_tol: f64,
    /// Largest accepted `|Phi c - y| / |y|` (default 1e-6).
    pub max_residual: f64,
}

impl Default for VerdictSettings {
    fn default() -> Self {
        VerdictSettings {
            grid_points: 2000,
            off_grid: false,
            recovery_tol: 1e-4,
            cost_tol: 1e-6,
            max_residual: 1e-6,
        }
    }
}

/// Everything the verdict found.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
    /// Solver status of the final LP.
    pub status: Status,
    /// `sum |a_j| psi(w_j)` of the teacher.
    pub teacher_cost: f64,
    /// `value(P_N)` of the final grid.
    pub objective: f64,
    /// Certified lower bound on value(11).
    pub certified_lower: f64,
    /// Certified upper bound on value(11).
    pub certified_upper: f64,
    /// Relative L2 distance between the solution's function and the teacher's.
    pub function_rel_error: f64,
    /// `|Phi c - y|`.
    pub residual: f64,
    /// Merged atoms of the solution.
    pub atoms: Vec<Atom>,
    /// The certificate check (when the solution is the teacher).
    pub certificate: Option<CertificateReport>,
    /// Columns of the final dictionary.
    pub grid_columns: usize,
    /// LP solves, interior-point iterations, refinement rounds.
    pub lp_rounds: usize,
    /// Total interior-point iterations.
    pub iterations: u64,
    /// Refinement rounds.
    pub refine_rounds: usize,
    /// Seconds in the solve and its bracket.
    pub solve_seconds: f64,
    /// Seconds in the certificate check.
    pub certify_seconds: f64,
    /// The dictionary's quadrature error estimate.
    pub quadrature_error_estimate: f64,
}

/// Points per axis of the grid on which functions are compared.
pub fn eval_grid(d: usize) -> usize {
    match d {
        1 => 4096,
        2 => 128,
        _ => 32,
    }
}

/// Relative L2 distance of two networks on the evaluation grid.
pub fn function_rel_error(a: &ShallowInr, b: &ShallowInr) -> f64 {
    let n = eval_grid(a.d);
    let fa = a.grid_values(n);
    let fb = b.grid_values(n);
    let num: f64 = fa
        .iter()
        .zip(&fb)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt();
    let den: f64 = fb.iter().map(|y| y * y).sum::<f64>().sqrt();
    if den > 0.0 { num / den } else { num }
}

/// Fills `psi` of each atom.
pub fn fill_psi(spec: &ProblemSpec, plan: &DiscretizationPlan, atoms: &mut [Atom]) -> Result<()> {
    let psi = psi_for(spec, plan)?;
    for a in atoms.iter_mut() {
        a.psi = psi.value(&a.w)?;
    }
    Ok(())
}

/// A network from atoms (`a = c`).
pub fn network_of(spec: &ProblemSpec, atoms: &[Atom]) -> ShallowInr {
    ShallowInr {
        d: spec.d,
        k0: spec.k0,
        units: atoms
            .iter()
            .map(|a| Unit {
                a: a.c,
                w: a.w.clone(),
            })
            .collect(),
    }
}

/// The teacher's measurements with the plan's method (so that a teacher
/// direction on the grid has exactly the teacher's column).
pub fn teacher_measurements(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    teacher: &ShallowInr,
) -> Result<Vec<f64>> {
    if plan.exact {
        measure_exact(spec, teacher)
    } else {
        measure_at(spec, teacher, plan.n_quad)
    }
}

/// Runs the verdict. Returns the report, the final dictionary and the solve.
pub fn certify_teacher(
    spec: &ProblemSpec,
    teacher: &ShallowInr,
    vs: &VerdictSettings,
    opts: &SolveOptions,
    cs: &CertifySettings,
) -> Result<(VerdictReport, Dictionary, CertifiedSolve)> {
    teacher.validate(spec.d, spec.k0)?;
    let plan = DiscretizationPlan::for_spec(spec)?;
    let mut grid = SphereGrid::new(spec.feature_dim(), vs.grid_points, spec.seed)?;
    if !vs.off_grid {
        for u in &teacher.units {
            grid.push(&u.w)?;
        }
    }
    let mut dict = Dictionary::build(spec, &plan, &grid.points)?;
    let y = teacher_measurements(spec, &plan, teacher)?;
    let solve = solve_certified(spec, &plan, &mut dict, &y, opts)?;
    let psi = psi_for(spec, &plan)?;
    let teacher_cost = teacher.cost(&psi)?;
    let lp = &solve.grid.lp;
    let mut found = atoms(&lp.c, &dict.directions, dict.dim, &AtomSettings::default());
    fill_psi(spec, &plan, &mut found)?;
    let student = network_of(spec, &found);
    let rel_err = function_rel_error(&student, teacher);
    let ynorm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mut report = VerdictReport {
        verdict: Verdict::Inconclusive,
        reason: String::new(),
        status: lp.status,
        teacher_cost,
        objective: lp.primal_objective,
        certified_lower: solve.certified_lower,
        certified_upper: solve.certified_upper,
        function_rel_error: rel_err,
        residual: lp.residual,
        atoms: found,
        certificate: None,
        grid_columns: dict.len(),
        lp_rounds: solve.grid.rounds,
        iterations: solve.grid.iterations,
        refine_rounds: solve.refine_rounds,
        solve_seconds: solve.seconds,
        certify_seconds: 0.0,
        quadrature_error_estimate: dict.quadrature_error_estimate,
    };
    if ynorm == 0.0 {
        report.reason = "the teacher's measurements are all zero (each unit vanishes: g <= 0 everywhere); nothing to recover".into();
        return Ok((report, dict, solve));
    }
    if !crate::convex::columns::usable(&solve.grid) {
        report.reason = if solve.grid.round_limit_hit {
            "column generation hit its round limit with violators left".into()
        } else {
            format!("the LP solver stopped with status {}", lp.status.name())
        };
        return Ok((report, dict, solve));
    }
    if lp.residual > vs.max_residual * ynorm.max(1e-300) {
        report.reason = format!(
            "the solution misses the data: |Phi c - y| = {:.3e} (|y| = {ynorm:.3e})",
            lp.residual
        );
        return Ok((report, dict, solve));
    }
    let upper = solve.certified_upper;
    if upper < teacher_cost * (1.0 - vs.cost_tol) {
        report.verdict = Verdict::NotRecovered;
        report.reason = format!(
            "a cheaper measure exists: cost {upper:.10} < teacher cost {teacher_cost:.10} ({} atoms)",
            report.atoms.len()
        );
        return Ok((report, dict, solve));
    }
    if rel_err > vs.recovery_tol {
        if lp.primal_objective <= teacher_cost * (1.0 + vs.cost_tol) {
            report.verdict = Verdict::NotRecovered;
            report.reason = format!(
                "a different measure of equal cost exists: cost {:.10} vs teacher {teacher_cost:.10}, function error {rel_err:.3e}",
                lp.primal_objective
            );
        } else {
            report.reason = format!(
                "the grid solution costs more than the teacher ({:.10} > {teacher_cost:.10}) and differs from it (function error {rel_err:.3e}): the grid cannot represent the teacher; refine (--refine) or put it on the grid",
                lp.primal_objective
            );
        }
        return Ok((report, dict, solve));
    }
    // The solution is the teacher: certify the teacher's support.
    let t0 = std::time::Instant::now();
    let support: Vec<SupportAtom> = teacher
        .units
        .iter()
        .map(|u| {
            let n = u.w.iter().map(|v| v * v).sum::<f64>().sqrt();
            SupportAtom {
                w: u.w.iter().map(|v| v / n).collect(),
                sign: u.a.signum(),
            }
        })
        .collect();
    let cert = certificate_report(spec, &plan, &support, Some(&lp.lambda), Some(&dict), cs)?;
    // The certificate's lambda also bounds value(11) from below:
    // dual(lambda) / max(1, sup |eta|) over the whole sphere (caps included).
    let field = EtaField::new(spec, &plan, cert.lambda.clone())?;
    let mut candidates = dictionary_eta(&dict, &cert.lambda);
    candidates.extend(dense_eta(
        spec,
        &plan,
        &cert.lambda,
        opts.sup.dense_points,
        opts.sup.seed ^ 0xB0,
    )?);
    let sup_all = sup_eta(&field, &candidates, &opts.sup, None)?;
    let lam_norm = cert.lambda.iter().map(|v| v * v).sum::<f64>().sqrt();
    let dual_cert =
        y.iter().zip(&cert.lambda).map(|(a, b)| a * b).sum::<f64>() - opts.delta * lam_norm;
    let lower_cert = dual_cert / sup_all.value.max(1.0);
    if lower_cert > report.certified_lower {
        report.certified_lower = lower_cert;
    }
    report.certify_seconds = t0.elapsed().as_secs_f64();
    match cert.tier {
        Some(t) => {
            report.verdict = Verdict::Unique;
            report.reason = format!(
                "the solution is the teacher (function error {rel_err:.3e}); {} passes the {t} tier with margin {:.3e} outside caps of {} rad",
                match cert.kind {
                    super::CertificateKind::PreCertificate => "the pre-certificate",
                    super::CertificateKind::LpDual => "the LP dual",
                },
                cert.margin,
                cert.cap_radius
            );
        }
        None => {
            report.verdict = Verdict::Recovered;
            report.reason = format!(
                "the solution is the teacher (function error {rel_err:.3e}) but no certificate passes: support error {:.3e}, margin {:.3e}",
                cert.support_error, cert.margin
            );
        }
    }
    report.certificate = Some(cert);
    Ok((report, dict, solve))
}
