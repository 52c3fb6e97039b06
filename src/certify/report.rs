//! The typed result of `inrsamp certify` (THEORY.md 6, 9): what a verdict
//! depends on ([`CertifyRequest`]) and everything it found
//! ([`CertifyReport`]). The CLI prints the report (JSON through serde, text
//! through `Display`) and proofs-check reads its fields, so a renamed field
//! is a compile error, not a silent `inconclusive`.

use super::bound::BoundKind;
use super::local_max::LocalMaxCheck;
use super::refine::{RoundRecord, SolveOptions};
use super::sup::SupBound;
use super::verdict::{Verdict, VerdictSettings, certify_teacher_observed};
use super::verified::Operator;
use super::{CertificateKind, CertificateReport, CertifySettings, Tier};
use crate::convex::Status;
use crate::convex::atoms::Atom;
use crate::error::Result;
use crate::inr::network::ShallowInr;
use crate::spec::ProblemSpec;
use serde::Serialize;
use std::fmt;

/// Everything a verdict depends on. `inrsamp certify` builds one from its
/// flags; proofs-check builds one directly (and a test checks that the
/// command line it prints builds the same request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertifyRequest {
    /// The problem.
    pub spec: ProblemSpec,
    /// The teacher network.
    pub teacher: ShallowInr,
    /// Solver, refinement, sup-search and verification settings.
    pub options: SolveOptions,
    /// Certificate settings (cap radius, tiers).
    pub certify_settings: CertifySettings,
    /// Verdict settings (grid, off-grid, tolerances).
    pub verdict_settings: VerdictSettings,
}

/// One atom as printed (the grid members are left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtomOut {
    /// Coefficient (signed mass).
    pub c: f64,
    /// Unit direction.
    pub w: Vec<f64>,
    /// `psi(w)`.
    pub psi: f64,
}

impl From<&Atom> for AtomOut {
    fn from(a: &Atom) -> Self {
        AtomOut {
            c: a.c,
            w: a.w.clone(),
            psi: a.psi,
        }
    }
}

/// The report of `inrsamp certify` (its `--json` keys are these fields).
/// Certificate fields are `None` when no certificate was checked (the
/// measure is not the teacher).
#[derive(Debug, Clone, Serialize)]
pub struct CertifyReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, with what to do when inconclusive.
    pub reason: String,
    /// Certificate margin `1 - sup |eta|` outside the caps.
    pub margin: Option<f64>,
    /// Whether the margin is proved (branch-and-bound) or estimated.
    pub margin_kind: Option<BoundKind>,
    /// The search's estimate of the margin.
    pub margin_estimate: Option<f64>,
    /// d = 2, K0 >= 2 without `--exact`: the margin of the certificate on
    /// the quadrature operator, before its re-check on exact columns (whose
    /// margin is `margin`); None when there was no re-check.
    pub grid_margin: Option<f64>,
    /// Largest `|eta|` found inside the caps.
    pub inside_max: Option<f64>,
    /// The strict-local-maximum checks of the support atoms.
    pub local_max: Option<Vec<LocalMaxCheck>>,
    /// The certificate's tier (None: no tier passed).
    pub tier: Option<Tier>,
    /// Why no tier passed (empty when one did).
    pub certificate_failure: Option<String>,
    /// How the certificate was built.
    pub certificate_kind: Option<CertificateKind>,
    /// `max |eta(w_j) - sign(c_j)|` over the support.
    pub support_error: Option<f64>,
    /// `eta` at the support atoms.
    pub eta_at_support: Vec<f64>,
    /// Cap radius used (after shrinking to half the atom separation).
    pub cap_radius: f64,
    /// `sum |a_j| psi(w_j)` of the teacher.
    pub teacher_cost: f64,
    /// The final LP's value (not a bound).
    pub objective: f64,
    /// Lower end of the bracket of value(11) (None: no bound).
    pub certified_lower: Option<f64>,
    /// `proved` or `estimated`.
    pub lower_kind: BoundKind,
    /// Where the `lambda` of the lower end comes from (`final_lp`,
    /// `refinement`, `hint`: the teacher's pre-certificate).
    pub lower_source: super::refine::LowerSource,
    /// Upper end: cost of the verified measure (None: no verified measure).
    pub certified_upper: Option<f64>,
    /// Where the upper end comes from: `refinement` (the refined LP's
    /// verified measure), `teacher` (the teacher's own measure, verified;
    /// cheaper than the LP's), `none`.
    pub upper_source: super::teacher_measure::UpperSource,
    /// The operator the bracket, residuals and costs refer to.
    pub operator: Operator,
    /// d = 2, K0 >= 2: the bracket `[lower, upper]` on the quadrature
    /// operator the LP ran on, before the exact re-check (absent elsewhere;
    /// null: no such end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid_bracket: Option<[Option<f64>; 2]>,
    /// The bound of `sup |eta|` behind the lower end.
    pub sup: Option<SupBound>,
    /// Relative L2 distance of the measure's function to the teacher's.
    pub function_rel_error: f64,
    /// `|A mu - y|` of the verified measure.
    pub residual: f64,
    /// The same over `|y|`.
    pub relative_residual: f64,
    /// Solver status of the final LP.
    pub status: Status,
    /// The measure (LP support, polished, verified; not merged).
    pub atoms: Vec<AtomOut>,
    /// LP atoms dropped from the measure because their unit vanishes (a
    /// zero column; see [`super::verified::VerifiedMeasure`]).
    pub vanished_atoms: usize,
    /// For display only: atoms within 0.1 rad merged.
    pub merged_atoms_for_display: Vec<AtomOut>,
    /// Columns of the final dictionary.
    pub grid_columns: usize,
    /// LP solves.
    pub lp_rounds: usize,
    /// Interior-point iterations.
    pub iterations: u64,
    /// Refinement rounds.
    pub refine_rounds: usize,
    /// The refinement rounds.
    pub history: Vec<RoundRecord>,
    /// Seconds in the solve and its bracket.
    pub solve_seconds: f64,
    /// Seconds in the certificate check.
    pub certify_seconds: f64,
    /// The dictionary's quadrature error estimate.
    pub quadrature_error_estimate: f64,
    /// The problem.
    pub spec: ProblemSpec,
    /// The solver settings used.
    pub options: SolveOptions,
    /// The certificate settings used.
    pub certify_settings: CertifySettings,
    /// The verdict settings used.
    pub verdict_settings: VerdictSettings,
    /// The dual vector whose `eta` the certificate (or, without one, the
    /// bracket) refers to; for pictures, not printed.
    #[serde(skip)]
    pub lambda: Vec<f64>,
    /// The full certificate report (not printed as such; its fields are).
    #[serde(skip)]
    pub certificate: Option<CertificateReport>,
    /// The brute-force twin of the certificate's margin (`--twin`; absent
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twin: Option<super::twin::TwinCheck>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Runs the verdict of `req` and collects its report.
pub fn certify(req: &CertifyRequest) -> Result<CertifyReport> {
    certify_observed(req, &mut |_| {})
}

/// [`certify`] with a call per refinement round (progress displays).
pub fn certify_observed(
    req: &CertifyRequest,
    on_round: &mut dyn FnMut(&RoundRecord),
) -> Result<CertifyReport> {
    let (r, _dict, sol) = certify_teacher_observed(
        &req.spec,
        &req.teacher,
        &req.verdict_settings,
        &req.options,
        &req.certify_settings,
        on_round,
    )?;
    let c = r.certificate.as_ref();
    let lambda = match c {
        Some(c) => c.lambda.clone(),
        None => sol.grid.lp.lambda.clone(),
    };
    Ok(CertifyReport {
        verdict: r.verdict,
        reason: r.reason.clone(),
        margin: c.map(|c| c.margin),
        margin_kind: c.map(|c| c.margin_kind),
        margin_estimate: c.map(|c| c.margin_estimate),
        grid_margin: c.and_then(|c| c.grid.as_ref().map(|g| g.margin)),
        inside_max: c.map(|c| c.inside_max),
        local_max: c.map(|c| c.local_max.clone()),
        tier: c.and_then(|c| c.tier),
        certificate_failure: c.map(|c| c.failure.clone()),
        certificate_kind: c.map(|c| c.kind),
        support_error: c.map(|c| c.support_error),
        eta_at_support: c.map(|c| c.eta_at_support.clone()).unwrap_or_default(),
        cap_radius: c.map_or(req.certify_settings.cap_radius, |c| c.cap_radius),
        teacher_cost: r.teacher_cost,
        objective: r.objective,
        certified_lower: finite(r.certified_lower),
        lower_kind: r.lower_kind,
        lower_source: sol.lower_source,
        certified_upper: finite(r.certified_upper),
        upper_source: r.upper_source,
        operator: r.operator,
        grid_bracket: r.grid_bracket.map(|[l, u]| [finite(l), finite(u)]),
        sup: sol.sup.clone(),
        function_rel_error: r.function_rel_error,
        residual: r.residual,
        relative_residual: r.relative_residual,
        status: r.status,
        atoms: r.atoms.iter().map(AtomOut::from).collect(),
        vanished_atoms: sol.measure.as_ref().map_or(0, |m| m.vanished_atoms),
        merged_atoms_for_display: r.merged_atoms.iter().map(AtomOut::from).collect(),
        grid_columns: r.grid_columns,
        lp_rounds: r.lp_rounds,
        iterations: r.iterations,
        refine_rounds: r.refine_rounds,
        history: r.history.clone(),
        solve_seconds: r.solve_seconds,
        certify_seconds: r.certify_seconds,
        quadrature_error_estimate: r.quadrature_error_estimate,
        spec: req.spec.clone(),
        options: req.options.resolved_for(&req.spec.psi),
        certify_settings: req.certify_settings,
        verdict_settings: req.verdict_settings,
        lambda,
        certificate: r.certificate,
        twin: None,
    })
}

impl CertifyReport {
    /// The verdict with the kind of its margin, as the claim tables count
    /// it: `unique-proved`, `unique-estimated`, or the verdict's name.
    pub fn verdict_with_kind(&self) -> String {
        match (self.verdict, self.margin_kind) {
            (Verdict::Unique, Some(k)) => format!("unique-{}", k.name()),
            (v, _) => v.name().to_string(),
        }
    }

    /// One line on the certificate margin, for captions.
    pub fn margin_caption(&self) -> String {
        let margin = match (self.margin, self.margin_kind) {
            (Some(m), Some(k)) => format!("{m:.3e} ({})", k.name()),
            _ => "none".to_string(),
        };
        format!(
            "verdict {}; margin {margin} outside caps of {:.3} rad; bracket [{}, {}]",
            self.verdict.name(),
            self.cap_radius,
            fmt_opt(self.certified_lower, 10),
            fmt_opt(self.certified_upper, 10),
        )
    }
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("none".to_string(), |v| format!("{v:.digits$}"))
}

impl fmt::Display for CertifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "verdict: {}\n  {}", self.verdict.name(), self.reason)?;
        let upper = self
            .certified_upper
            .map_or("none (no verified measure)".to_string(), |u| {
                match self.upper_source {
                    super::teacher_measure::UpperSource::Teacher => {
                        format!("{u:.12} (the teacher's measure, verified)")
                    }
                    _ => format!("{u:.12}"),
                }
            });
        writeln!(
            f,
            "teacher cost {:.12} | LP objective {:.12} | bracket on {}: [{} ({}, lambda: {}), {upper}]",
            self.teacher_cost,
            self.objective,
            self.operator.describe(),
            fmt_opt(self.certified_lower, 12),
            self.lower_kind.name(),
            match self.lower_source {
                super::refine::LowerSource::Hint => "the teacher's pre-certificate",
                super::refine::LowerSource::FinalLp => "the final LP's dual",
                super::refine::LowerSource::Refinement => "refinement's",
                super::refine::LowerSource::Certificate => "the passing certificate's",
                super::refine::LowerSource::DataNorm => "y / |y|, the data norm",
            },
        )?;
        if let Some([l, u]) = &self.grid_bracket {
            writeln!(
                f,
                "bracket on the quadrature operator the LP ran on (before the exact re-check): [{}, {}]",
                fmt_opt(*l, 12),
                fmt_opt(*u, 12)
            )?;
        }
        if let Some(sb) = &self.sup {
            // A bound made without any search (the data norm's) has no
            // estimate to print.
            let searched = sb.searched;
            writeln!(
                f,
                "sup |eta| {:.9} ({}; {}{}){}",
                sb.value,
                sb.kind.name(),
                if searched {
                    format!("search estimate {:.9}", sb.estimate)
                } else {
                    "no search".to_string()
                },
                sb.bnb.as_ref().map_or(String::new(), |b| format!(
                    "; branch-and-bound {} patches, {:.2} s",
                    b.patches, b.seconds
                )),
                if sb.note.is_empty() {
                    String::new()
                } else {
                    format!(" -- {}", sb.note)
                }
            )?;
        }
        writeln!(
            f,
            "function relative L2 error {:.3e} | residual {:.3e} |y| | status {} | {} LP solves, {} refinement rounds, {:.3} s solve + {:.3} s certificate",
            self.function_rel_error,
            self.relative_residual,
            self.status.name(),
            self.lp_rounds,
            self.refine_rounds,
            self.solve_seconds,
            self.certify_seconds
        )?;
        if let Some(c) = &self.certificate {
            writeln!(
                f,
                "certificate ({:?}): eta at support {:?}; margin {:.6e} ({}) outside caps of {:.3} rad; max |eta| inside caps {:.9}; Hessian max eigenvalues {:?}; tier {}",
                c.kind,
                c.eta_at_support,
                c.margin,
                c.margin_kind.name(),
                c.cap_radius,
                c.inside_max,
                c.local_max
                    .iter()
                    .map(|l| format!("{:.3e}", l.max_eigenvalue))
                    .collect::<Vec<_>>(),
                c.tier.map_or("none", |t| t.name())
            )?;
            if !c.failure.is_empty() {
                writeln!(f, "  no tier: {}", c.failure)?;
            }
            if let Some(g) = &c.grid {
                writeln!(
                    f,
                    "  re-checked on exact columns; on the quadrature operator: margin {:.6e}, tier {}",
                    g.margin,
                    g.tier.map_or("none", |t| t.name())
                )?;
            }
        }
        if let Some(t) = &self.twin {
            writeln!(
                f,
                "twin search ({} evaluations, {:.1} s): sup |eta| outside the caps {:.12}, margin {:.6e} against {:.6e} printed; {}{}",
                t.evaluations,
                t.seconds,
                t.sup_outside,
                t.margin,
                t.printed_margin,
                if t.passes {
                    "the certificate passes".to_string()
                } else {
                    format!("the certificate fails: {}", t.failure)
                },
                if t.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", t.note)
                }
            )?;
        }
        writeln!(
            f,
            "measure ({} atoms, not merged{}):",
            self.atoms.len(),
            super::solve_report::vanished_note(self.vanished_atoms)
        )?;
        for a in &self.atoms {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            writeln!(
                f,
                "  atom c = {:+.10}  psi = {:.10}  w = [{}]",
                a.c,
                a.psi,
                ws.join(", ")
            )?;
        }
        Ok(())
    }
}
