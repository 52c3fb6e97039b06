//! The verdict against a known teacher (docs/theory.md 6, 9): measure the
//! teacher, put its directions on the grid (unless off-grid), solve (11)
//! with its bracket (refined off the grid when asked), verify the measure,
//! and decide. Every verdict is bound to the bracket:
//!
//! - `unique`: the verified measure is the teacher and a certificate passes
//!   on the whole sphere ([`super::certificate_report`]);
//! - `recovered`: the verified measure is the teacher and the bracket shows
//!   the teacher's cost is optimal to the tolerance
//!   (`certified_lower >= teacher_cost (1 - bracket_tol)`);
//! - `not_recovered`: a verified measure cheaper than the teacher
//!   (`cost < teacher_cost (1 - cost_tol)`);
//! - `inconclusive` otherwise, with the bracket and what to do.
//!
//! In d = 1 and in d = 2 with K0 = 1 the whole verdict runs on exact
//! columns (the plan's quadrature is replaced); in d = 2 with K0 >= 2 on
//! exact columns when the spec asks (`--exact`: they cost about 1200 grid
//! columns each), otherwise on the quadrature operator, and it says so.

use super::eta::psi_for;
use super::precert::vanishing_derivative;
use super::refine::{CertifiedSolve, Guide, SolveOptions, solve_certified_hinted};
use super::teacher_measure::{UpperSource, lower_upper_end, teacher_support, verify_teacher};
use super::tiers::passes;
use super::verified::Operator;
use super::{CertificateReport, CertifySettings, certificate_report};
use crate::convex::atoms::Atom;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::inr::network::ShallowInr;
use crate::spec::ProblemSpec;
use crate::sphere::SphereGrid;

pub use super::teacher::{
    eval_grid, fill_psi, function_rel_error, network_of, teacher_measurements, verdict_plan,
};
pub use super::verdict_report::{Verdict, VerdictReport, VerdictSettings};

/// Runs the verdict. Returns the report, the final dictionary and the solve.
pub fn certify_teacher(
    spec: &ProblemSpec,
    teacher: &ShallowInr,
    vs: &VerdictSettings,
    opts: &SolveOptions,
    cs: &CertifySettings,
) -> Result<(VerdictReport, Dictionary, CertifiedSolve)> {
    certify_teacher_observed(spec, teacher, vs, opts, cs, &mut |_| {})
}

/// [`certify_teacher`] with a call per refinement round
/// ([`super::refine::solve_certified_observed`]).
pub fn certify_teacher_observed(
    spec: &ProblemSpec,
    teacher: &ShallowInr,
    vs: &VerdictSettings,
    opts: &SolveOptions,
    cs: &CertifySettings,
    on_round: &mut dyn FnMut(&super::refine::RoundRecord),
) -> Result<(VerdictReport, Dictionary, CertifiedSolve)> {
    teacher.validate(spec.d, spec.k0)?;
    vs.validate()?;
    cs.validate()?;
    let plan = verdict_plan(spec)?;
    let mut grid = SphereGrid::new(spec.feature_dim(), vs.grid_points, spec.seed)?;
    if !vs.off_grid {
        // A unit with w = 0 vanishes (g = 0): it has no direction to add.
        for u in teacher
            .units
            .iter()
            .filter(|u| crate::numeric::norm2(&u.w) > 0.0)
        {
            grid.push(&u.w)?;
        }
    }
    let mut dict = Dictionary::build(spec, &plan, &grid.points)?;
    let y = teacher_measurements(spec, &plan, teacher)?;
    // The pre-certificate of the teacher's support (the hypothesis under
    // test) is searched beside the LP's lambda in the first round: a valid
    // lower bound whatever it is, and the whole bracket at once when it is
    // a certificate. None when it cannot be built (then the LP's alone).
    let support = teacher_support(teacher);
    let hint = if support.is_empty() || ynorm_of(&y) == 0.0 {
        None
    } else {
        vanishing_derivative(spec, &plan, &support)
            .ok()
            .map(|p| p.lambda)
    };
    let psi = psi_for(spec, &plan)?;
    let mut teacher_cost = teacher.cost(&psi)?;
    let stop_below = vs.decide.then_some(teacher_cost * (1.0 - vs.cost_tol));
    // The teacher's own measure: feasible (y are its measurements), so its
    // verified cost is an upper end from the start (super::teacher_measure).
    let teacher_measure = verify_teacher(spec, &plan, teacher, &y, opts)?;
    // The strict tier of the certificate check, before the final thorough
    // search (super::final_bound::certificate_first): when it passes it is
    // what certify_teacher_support returns for the same lambdas.
    let check = |lp_lambda: &[f64], system: Option<&[f64]>, dict: &Dictionary| {
        super::candidates::strict_certificate(
            spec,
            &plan,
            &support,
            Some(lp_lambda),
            system,
            Some(dict),
            cs,
        )
    };
    let mut solve = solve_certified_hinted(
        spec,
        &plan,
        &mut dict,
        &y,
        opts,
        Guide {
            hint: hint.as_deref(),
            stop_below,
            feasible_cost: teacher_measure.verified.then_some(teacher_measure.cost),
            lambda_only: false,
            certificate: vs
                .certificate_first
                .then_some(super::bracket::CertificateCheck(&check)),
        },
        on_round,
    )?;
    // d = 2, K0 >= 2 (quadrature plan): the measure, the data and the
    // bracket re-checked on exact columns (super::exact_bracket).
    let ex = super::exact_bracket::apply_measure(spec, &plan, teacher, &mut solve, opts)?;
    if let Some(e) = &ex {
        teacher_cost = e.teacher_cost;
    }
    let teacher_measure = match &ex {
        Some(e) => verify_teacher(
            spec,
            &super::exact_bracket::exact_plan(&plan),
            teacher,
            &e.y,
            opts,
        )?,
        None => teacher_measure,
    };
    let upper_source = lower_upper_end(&mut solve, &teacher_measure);
    let lp = solve.grid.lp.clone();
    // The certificate check of the teacher's support: the strict one the
    // solve found before its final search (Guide::certificate), else the
    // full check on the final LP and dictionary.
    let certificate_of =
        |solve: &mut CertifiedSolve, dict: &Dictionary| match solve.certificate.take() {
            Some(c) => Ok(c),
            None => certify_teacher_support(
                spec,
                &plan,
                &support,
                (&lp.lambda, solve.lower_lambda.as_deref()),
                (dict, &y),
                opts,
                cs,
            ),
        };
    let measure = solve.measure.clone();
    let found: Vec<Atom> = measure
        .as_ref()
        .map(|m| m.atoms.clone())
        .unwrap_or_default();
    let mut merged = super::verified::display_atoms(&lp.c, &dict);
    fill_psi(spec, &plan, &mut merged)?;
    let student = network_of(spec, &found);
    let rel_err = function_rel_error(&student, teacher);
    let ynorm = ynorm_of(&y);
    let mut report = VerdictReport {
        verdict: Verdict::Inconclusive,
        reason: String::new(),
        status: lp.status,
        teacher_cost,
        objective: lp.primal_objective,
        certified_lower: solve.certified_lower,
        lower_kind: solve.lower_kind,
        certified_upper: solve.certified_upper,
        upper_source,
        operator: solve.operator,
        function_rel_error: rel_err,
        residual: measure.as_ref().map_or(f64::NAN, |m| m.residual),
        relative_residual: measure.as_ref().map_or(f64::NAN, |m| m.relative_residual),
        atoms: found,
        merged_atoms: merged,
        certificate: None,
        grid_columns: dict.len(),
        lp_rounds: solve.grid.rounds,
        iterations: solve.grid.iterations,
        refine_rounds: solve.refine_rounds,
        history: solve.history.clone(),
        solve_seconds: solve.seconds,
        certify_seconds: 0.0,
        quadrature_error_estimate: dict.quadrature_error_estimate,
        grid_bracket: ex.as_ref().map(|e| e.grid_bracket),
    };
    let on_op = match (solve.operator, &ex) {
        (_, Some(_)) => format!(
            " (the LP on {}; the measure and the bracket re-checked on exact columns)",
            Operator::of(&plan).describe()
        ),
        (Operator::Exact, None) => String::new(),
        (op, None) => format!(" (on {})", op.describe()),
    };
    // The lower end into the report: on exact columns where the bracket is
    // re-derived (super::exact_bracket), the solve's own elsewhere.
    let set_lower = |report: &mut VerdictReport,
                     solve: &mut CertifiedSolve,
                     cert: Option<&CertificateReport>|
     -> Result<f64> {
        let lower =
            super::exact_bracket::apply_lower(spec, &plan, solve, ex.as_ref(), cert, &y, opts)?;
        report.certified_lower = lower;
        report.lower_kind = solve.lower_kind;
        Ok(lower)
    };
    let limit = opts.refine.rounds_for(&spec.psi);
    let advice = if !opts.refine.enabled {
        "add --refine (or raise --grid-points)".to_string()
    } else if solve.refine_rounds >= limit {
        format!(
            "the refinement used all {limit} of its rounds: raise --max-rounds (or --grid-points)"
        )
    } else {
        "raise --grid-points or --max-rounds".to_string()
    };
    if ynorm == 0.0 {
        report.reason = "the teacher's measurements are all zero (each unit vanishes: g <= 0 everywhere); nothing to recover".into();
        return Ok((report, dict, solve));
    }
    if !crate::convex::columns::usable(&solve.grid) {
        report.reason = if solve.grid.round_limit_hit {
            "column generation hit its round limit with violators left".into()
        } else {
            format!(
                "the LP solver stopped with status {}; no bracket (raise --max-iter or change --backend)",
                lp.status.name()
            )
        };
        return Ok((report, dict, solve));
    }
    let Some(m) = measure.as_ref().filter(|m| m.verified) else {
        report.reason = format!(
            "the LP's measure is not verified ({}): no verdict; {advice}",
            measure
                .as_ref()
                .map_or("no measure".into(), |m| m.note.clone())
        );
        set_lower(&mut report, &mut solve, None)?;
        return Ok((report, dict, solve));
    };
    let upper = m.cost;
    if upper < teacher_cost * (1.0 - vs.cost_tol) {
        let lower = set_lower(&mut report, &mut solve, None)?;
        report.verdict = Verdict::NotRecovered;
        let early = if vs.decide && upper - lower > opts.refine.eps_for(&spec.psi) * upper.abs() {
            "; refinement stopped once this was verified (--decide): the bracket is valid, not tightened"
        } else {
            ""
        };
        report.reason = format!(
            "a cheaper verified measure exists{on_op}: cost {upper:.10} < teacher cost {teacher_cost:.10} ({} atoms, residual {:.1e} |y|){early}",
            report.atoms.len(),
            m.relative_residual
        );
        return Ok((report, dict, solve));
    }
    if rel_err > vs.recovery_tol {
        report.reason = if upper <= teacher_cost * (1.0 + vs.cost_tol) {
            set_lower(&mut report, &mut solve, None)?;
            format!(
                "a different verified measure of the same cost to {:.0e} exists{on_op} ({upper:.10} vs teacher {teacher_cost:.10}, function error {rel_err:.3e}): the teacher is not shown to be unique; {advice}",
                vs.cost_tol
            )
        } else {
            // The refinement did not reach the teacher; a certificate for the
            // teacher's support still decides (it proves the teacher the
            // unique minimizer whatever the LP found).
            let t0 = std::time::Instant::now();
            let cert = certificate_of(&mut solve, &dict)?;
            report.certify_seconds = t0.elapsed().as_secs_f64();
            set_lower(&mut report, &mut solve, Some(&cert))?;
            if let Some(t) = cert.tier {
                report.verdict = Verdict::Unique;
                report.reason = format!(
                    "{}; so the teacher is the unique minimizer, although the refined LP stopped at a costlier measure ({upper:.10} > {teacher_cost:.10}: an optimizer gap, not a counterexample)",
                    passes(
                        &cert,
                        t,
                        &format!(" for the teacher's support on the whole sphere{on_op}"),
                        plan.exact,
                    ),
                );
                report.certificate = Some(cert);
                return Ok((report, dict, solve));
            }
            let why = cert.failure.clone();
            report.certificate = Some(cert);
            // The teacher's own measure (verified) is feasible; a lower end
            // at its cost shows it optimal, as `recovered` requires.
            if upper_source == UpperSource::Teacher
                && report.certified_lower >= teacher_cost * (1.0 - vs.bracket_tol)
            {
                report.verdict = Verdict::Recovered;
                report.reason = format!(
                    "the teacher's own measure (verified{on_op}) costs {teacher_cost:.10} and the bracket [{:.10} ({}), {teacher_cost:.10}] shows it optimal to {:.0e}; the refined LP stopped at a costlier measure ({upper:.10}); no certificate of uniqueness: {why}",
                    report.certified_lower,
                    solve.lower_kind.name(),
                    vs.bracket_tol
                );
                return Ok((report, dict, solve));
            }
            format!(
                "the solution costs more than the teacher ({upper:.10} > {teacher_cost:.10}) and differs from it (function error {rel_err:.3e}), and no certificate for the teacher's support passes ({why}): the grid cannot represent the teacher; {advice} or put the teacher on the grid"
            )
        };
        return Ok((report, dict, solve));
    }
    // The measure is the teacher: certify the teacher's support.
    let t0 = std::time::Instant::now();
    let cert = certificate_of(&mut solve, &dict)?;
    report.certify_seconds = t0.elapsed().as_secs_f64();
    let lower = set_lower(&mut report, &mut solve, Some(&cert))?;
    let kind = solve.lower_kind.name();
    let bracket = format!(
        "bracket [{lower:.10} ({kind}), {:.10} ({})]",
        report.certified_upper,
        upper_source.name()
    );
    match cert.tier {
        Some(t) => {
            report.verdict = Verdict::Unique;
            report.reason = format!(
                "the solution is the teacher (function error {rel_err:.3e}){on_op}; {}; {bracket}",
                passes(&cert, t, " on the whole sphere", plan.exact),
            );
        }
        None if lower >= teacher_cost * (1.0 - vs.bracket_tol) => {
            report.verdict = Verdict::Recovered;
            report.reason = format!(
                "the solution is the teacher (function error {rel_err:.3e}){on_op} and its cost is optimal to {:.0e} by the {bracket}; no certificate of uniqueness: {}",
                vs.bracket_tol, cert.failure
            );
        }
        None => {
            report.reason = format!(
                "the solution is the teacher (function error {rel_err:.3e}){on_op}, but no certificate passes ({}) and the {bracket} does not show that the teacher's cost {teacher_cost:.10} is optimal; {advice}",
                cert.failure
            );
        }
    }
    report.certificate = Some(cert);
    Ok((report, dict, solve))
}

/// `|y|_2`.
fn ynorm_of(y: &[f64]) -> f64 {
    y.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// The certificate check of the teacher's support: the pre-certificate, the
/// LP dual, the refinement's lambda behind the lower bound, the max-margin
/// member, and last the LP dual on a denser dictionary (data `y`).
#[allow(clippy::too_many_arguments)]
fn certify_teacher_support(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    support: &[super::precert::SupportAtom],
    (lp_lambda, system_lambda): (&[f64], Option<&[f64]>),
    (dict, y): (&Dictionary, &[f64]),
    opts: &SolveOptions,
    cs: &CertifySettings,
) -> Result<CertificateReport> {
    let cert = certificate_report(
        spec,
        plan,
        support,
        Some(lp_lambda),
        system_lambda,
        Some(dict),
        cs,
    )?;
    let cert = super::dense_dual::or_dense_dual(cert, spec, plan, support, dict, y, opts, cs)?;
    // On a quadrature operator a passing certificate is checked again on
    // exact columns before it can back `unique` (super::exact_recheck).
    if cert.tier.is_some() && super::exact_recheck::applies(spec, plan) {
        return super::exact_recheck::recheck(spec, plan, support, &cert, cs);
    }
    Ok(cert)
}
