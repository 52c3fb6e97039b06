//! The bracket and the measure of a quadrature-operator verdict, checked
//! again on exact columns (docs/theory.md 9, "Upper bounds come from
//! measures" and "Exact coefficients in d = 2"; issue "Exact 2-D
//! measurements": dictionaries may stay on the grid for speed only where
//! the final answer is re-checked on exact columns).
//!
//! In d = 2 with K0 >= 2 the LP, its refinement and the bracket's searches
//! run on the 64^2 quadrature operator ([`super::exact_recheck`] says why).
//! Its columns are off by 3e-5 to 4.5e-4 (relative), so the grid bracket
//! and the grid's verified measure are statements about that operator. A
//! verdict that rests on them (`recovered`, `not_recovered`) and the bracket
//! printed with any verdict are re-derived here on exact columns:
//!
//! - the data: `y = A_K f0` and the teacher's cost, on exact columns;
//! - the upper end: the grid's verified measure (its atoms) is re-solved on
//!   exact columns (the restricted LP on the atoms' exact columns, the
//!   least-squares polish and the sliding step of
//!   [`super::verified::verify_measure`]) and its residual recomputed unit by
//!   unit on exact columns; its cost is an upper bound of value(11) only
//!   when that residual is within the verification tolerance;
//! - the lower end: `dual(lambda) / max(1, sup |eta_lambda|)` with `dual`
//!   and `eta` on exact columns. When the exact certificate of the teacher's
//!   support passed ([`super::exact_recheck`]), its `lambda` and its searched
//!   sup (outside and inside the caps) are used at no further cost;
//!   otherwise the grid bracket's `lambda`, with exact ascents from the grid
//!   bracket's best [`RECHECK_STARTS`](super::exact_recheck::RECHECK_STARTS) maxima (and for psi_mod the
//!   thin-bump limit). Either way the sup is a search estimate: the lower
//!   end is `estimated`.
//!
//! `solve` (no teacher, no verdict) gets the same re-derivation of its
//! measure and lower end ([`apply_to_solve`]), against the data on exact
//! columns (the teacher's exact measurements, or a data file as read).

use super::CertificateReport;
use super::bound::BoundKind;
use super::eta::{EtaField, psi_for};
use super::exact_recheck::{exact_ascents, thin_bump_of};
use super::refine::{CertifiedSolve, LowerSource, SolveOptions};
use super::sup::SupBound;
use super::teacher::teacher_measurements;
use super::verified::{VerifiedMeasure, verify_atoms, verify_measure};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::Result;
use crate::inr::network::ShallowInr;
use crate::spec::ProblemSpec;

/// The data, the teacher's cost and the measure on exact columns.
#[derive(Debug, Clone)]
pub struct ExactMeasure {
    /// `A_K f0` on exact columns.
    pub y: Vec<f64>,
    /// The teacher's cost with the exact `psi`.
    pub teacher_cost: f64,
    /// The grid's measure, re-solved and verified on exact columns.
    pub measure: VerifiedMeasure,
}

/// The plan with exact columns.
pub fn exact_plan(plan: &DiscretizationPlan) -> DiscretizationPlan {
    DiscretizationPlan {
        exact: true,
        ..*plan
    }
}

/// The grid solve's measure, re-solved and verified on exact columns
/// against the teacher's exact data. None when the solve has no measure.
pub fn measure_on_exact(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    teacher: &ShallowInr,
    solve: &CertifiedSolve,
    opts: &SolveOptions,
) -> Result<Option<ExactMeasure>> {
    let Some(grid_measure) = solve.measure.as_ref() else {
        return Ok(None);
    };
    let exact = exact_plan(plan);
    let y = teacher_measurements(spec, &exact, teacher)?;
    let teacher_cost = teacher.cost(&psi_for(spec, &exact)?)?;
    let measure = remeasure(spec, plan, grid_measure, &y, opts)?;
    Ok(Some(ExactMeasure {
        y,
        teacher_cost,
        measure,
    }))
}

/// `grid_measure`'s atoms re-solved (restricted LP, polish, sliding) and
/// verified on exact columns against the data `y`.
pub fn remeasure(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    grid_measure: &VerifiedMeasure,
    y: &[f64],
    opts: &SolveOptions,
) -> Result<VerifiedMeasure> {
    let exact = exact_plan(plan);
    let atoms = grid_measure.atoms.clone();
    let dirs: Vec<f64> = atoms.iter().flat_map(|a| a.w.clone()).collect();
    let dict = Dictionary::build(spec, &exact, &dirs)?;
    if !atoms.is_empty() && dict.len() == atoms.len() {
        let c: Vec<f64> = atoms.iter().map(|a| a.c).collect();
        verify_measure(spec, &exact, &dict, &c, y, opts.delta, &opts.verify)
    } else {
        // Some unit vanishes on exact columns (or there is none): the atoms
        // as they are, residual recomputed (vanished units dropped there).
        verify_atoms(spec, &exact, atoms, y, opts.delta, &opts.verify)
    }
}

/// `solve` (no teacher): where [`super::exact_recheck::applies`], the
/// solve's measure and both ends re-derived on exact columns against the
/// data `y_exact` (the teacher's exact measurements, or the data file as
/// read). Returns the grid bracket `[lower, upper]` (None, and `solve`
/// untouched, elsewhere or without a measure).
pub fn apply_to_solve(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    solve: &mut CertifiedSolve,
    y_exact: &[f64],
    opts: &SolveOptions,
) -> Result<Option<[f64; 2]>> {
    if !super::exact_recheck::applies(spec, plan) {
        return Ok(None);
    }
    let Some(grid_measure) = solve.measure.as_ref() else {
        return Ok(None);
    };
    let measure = remeasure(spec, plan, grid_measure, y_exact, opts)?;
    let grid_bracket = install(solve, measure);
    let ex = ExactSwitch {
        y: y_exact.to_vec(),
        teacher_cost: f64::NAN,
        grid_bracket,
    };
    apply_lower(spec, plan, solve, Some(&ex), None, y_exact, opts)?;
    Ok(Some(grid_bracket))
}

/// Puts the exact `measure` and its upper end into `solve` (operator
/// exact, lower end NaN until [`apply_lower`]); returns the grid bracket.
fn install(solve: &mut CertifiedSolve, measure: VerifiedMeasure) -> [f64; 2] {
    let grid_bracket = [solve.certified_lower, solve.certified_upper];
    solve.certified_upper = if measure.verified {
        measure.cost
    } else {
        f64::NAN
    };
    solve.measure = Some(measure);
    solve.operator = super::verified::Operator::Exact;
    solve.certified_lower = f64::NAN;
    grid_bracket
}

/// The lower end on exact columns.
#[derive(Debug, Clone)]
pub struct ExactLower {
    /// `dual(lambda) / max(1, sup)`.
    pub lower: f64,
    /// The searched sup behind it (estimated).
    pub sup: SupBound,
    /// Where its `lambda` comes from.
    pub source: LowerSource,
    /// The `lambda`.
    pub lambda: Vec<f64>,
}

/// `y . lambda - delta |lambda|`.
fn dual_value(y: &[f64], lambda: &[f64], delta: f64) -> f64 {
    let yl: f64 = y.iter().zip(lambda).map(|(a, b)| a * b).sum();
    yl - delta * crate::numeric::norm2(lambda)
}

/// The lower end of the bracket on exact columns (see the module doc):
/// from `cert` when it passed on exact columns, else from the grid
/// bracket's `lambda` and searches. None when the solve has no sup search.
pub fn lower_on_exact(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    solve: &CertifiedSolve,
    y: &[f64],
    cert: Option<&CertificateReport>,
    opts: &SolveOptions,
) -> Result<Option<ExactLower>> {
    let Some(grid_sup) = solve.sup.as_ref() else {
        return Ok(None);
    };
    let template = SupBound {
        proved_upper: None,
        bnb: None,
        point_limit: None,
        boundary_limits: None,
        kind: BoundKind::Estimated,
        ..grid_sup.clone()
    };
    if let Some(c) = cert.filter(|c| c.exact_columns)
        && let Some(l) = certificate_lower(c, y, opts.delta)
    {
        return Ok(Some(l));
    }
    let lambda = solve
        .lower_lambda
        .clone()
        .unwrap_or_else(|| solve.grid.lp.lambda.clone());
    let exact = exact_plan(plan);
    let field = EtaField::new(spec, &exact, lambda.clone())?;
    let (found, starts) = exact_ascents(
        &field,
        grid_sup.argmax.as_ref(),
        &grid_sup.maxima,
        &opts.sup,
        None,
    )?;
    let mut est = found.value;
    let mut note = format!(
        "on exact columns: exact ascents from the grid bracket's {} best maxima (the grid operator's sup estimate was {:.9})",
        starts, grid_sup.estimate
    );
    let mut thin = None;
    if let Some((v, at)) = thin_bump_of(spec, &field, &lambda) {
        if v > est {
            est = v;
            note.push_str("; the largest value is the thin-bump limit sup |p_lambda| / sqrt(M')");
        }
        thin = Some((v, at));
    }
    let sup = SupBound {
        value: est,
        estimate: est,
        argmax: found.argmax,
        thin_bump_limit: thin,
        maxima: found.maxima,
        searched: true,
        note,
        ..template
    };
    let source = solve.lower_source;
    Ok(Some(ExactLower {
        lower: dual_value(y, &lambda, opts.delta) / est.max(1.0),
        sup,
        source,
        lambda,
    }))
}

/// The lower end from a certificate that passed (a tier) for the
/// teacher's support: `(y . lambda - delta |lambda|) / max(1, s)`, with `s`
/// the largest `|eta|` its checks found (outside the caps: `1 - margin`;
/// inside them; at the support atoms). Valid for any `lambda` (docs/theory.md
/// 5); estimated, since `s` comes from searches. With `eta = sign(c_j)` at
/// the atoms `y . lambda` is the teacher's cost, so a `unique` verdict's
/// bracket closes. None when no tier passed.
pub fn certificate_lower(c: &CertificateReport, y: &[f64], delta: f64) -> Option<ExactLower> {
    c.tier?;
    let outside = 1.0 - c.margin;
    let at_support = c.eta_at_support.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let est = outside.max(c.inside_max).max(at_support);
    if !est.is_finite() {
        return None;
    }
    let sup = SupBound {
        value: est,
        estimate: est,
        argmax: c.argmax_outside.clone(),
        thin_bump_limit: None,
        maxima: Vec::new(),
        searched: true,
        note: format!(
            "the passing certificate's searches (outside and inside the caps, and eta at the support){}",
            if c.exact_columns {
                ", on exact columns"
            } else {
                ""
            }
        ),
        proved_upper: None,
        bnb: None,
        point_limit: None,
        boundary_limits: None,
        kind: BoundKind::Estimated,
    };
    Some(ExactLower {
        lower: dual_value(y, &c.lambda, delta) / est.max(1.0),
        sup,
        source: LowerSource::Certificate,
        lambda: c.lambda.clone(),
    })
}

/// What the verdict needs after [`apply_measure`].
#[derive(Debug, Clone)]
pub struct ExactSwitch {
    /// `A_K f0` on exact columns.
    pub y: Vec<f64>,
    /// The teacher's cost with the exact `psi`.
    pub teacher_cost: f64,
    /// The grid operator's bracket `[lower, upper]` (NaN: no such end).
    pub grid_bracket: [f64; 2],
}

/// Where [`super::exact_recheck::applies`] (d = 2, quadrature plan): the
/// solve's measure, upper end and operator replaced by their exact
/// re-check ([`measure_on_exact`]); its lower end is left NaN until
/// [`apply_lower`]. None (and `solve` untouched) elsewhere or without a
/// measure.
pub fn apply_measure(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    teacher: &ShallowInr,
    solve: &mut CertifiedSolve,
    opts: &SolveOptions,
) -> Result<Option<ExactSwitch>> {
    if !super::exact_recheck::applies(spec, plan) {
        return Ok(None);
    }
    let Some(e) = measure_on_exact(spec, plan, teacher, solve, opts)? else {
        return Ok(None);
    };
    let grid_bracket = install(solve, e.measure);
    Ok(Some(ExactSwitch {
        y: e.y,
        teacher_cost: e.teacher_cost,
        grid_bracket,
    }))
}

/// The lower end to use, written into `solve` (lower end, kind, sup,
/// source, lambda): with `ex`, the exact one ([`lower_on_exact`], from
/// `cert` when that passed on exact columns); without it, the solve's own,
/// raised to [`certificate_lower`] (on the data `y`) when `cert` passed,
/// that is higher, the solve's end is not proved and its bracket is not
/// tight to the refinement tolerance ([`super::bracket::RefineSettings::eps_for`]).
pub fn apply_lower(
    spec: &ProblemSpec,
    plan: &DiscretizationPlan,
    solve: &mut CertifiedSolve,
    ex: Option<&ExactSwitch>,
    cert: Option<&CertificateReport>,
    y: &[f64],
    opts: &SolveOptions,
) -> Result<f64> {
    let l = match ex {
        Some(ex) => lower_on_exact(spec, plan, solve, &ex.y, cert, opts)?,
        // On the solve's own operator: a passing certificate raises an
        // estimated lower end of an open bracket (never a proved one, and
        // not a bracket already tight to `--eps`: there it would only
        // change the last digits and the source).
        None => cert
            .filter(|_| solve.lower_kind != BoundKind::Proved)
            .filter(|_| {
                let (l, u) = (solve.certified_lower, solve.certified_upper);
                let tight = u - l <= opts.refine.eps_for(&spec.psi) * u.abs();
                !tight
            })
            .and_then(|c| certificate_lower(c, y, opts.delta))
            .filter(|l| {
                l.lower.is_finite()
                    && (solve.certified_lower.is_nan() || l.lower > solve.certified_lower)
            }),
    };
    if let Some(mut l) = l {
        // psi_mod with K' >= K: the searches' estimate becomes a proof when
        // |lambda| is within super::cauchy_schwarz::CAUCHY_SCHWARZ_TOL of it
        // (width-1 teachers), the end rescaled to the bound.
        let before = l.sup.value.max(1.0);
        let target = before * (1.0 + 0.1 * opts.refine.eps_for(&spec.psi));
        if super::cauchy_schwarz::promote(spec, &l.lambda, &mut l.sup, Some(target)) {
            l.lower *= before / l.sup.value.max(1.0);
        }
        solve.certified_lower = l.lower;
        solve.lower_kind = l.sup.kind;
        solve.sup = Some(l.sup);
        solve.lower_source = l.source;
        solve.lower_lambda = (l.lambda != solve.grid.lp.lambda).then_some(l.lambda);
    }
    Ok(solve.certified_lower)
}
