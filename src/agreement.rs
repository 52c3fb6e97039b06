//! The agreement of the trained INR with the convex minimizer of (11)
//! (THEORY.md 6, last claim): both fitted to the same measurements (one
//! quadrature for both, the training grid); the cost gap, the distance
//! between the functions and the matching of INR atoms to convex atoms.
//! `inrsamp compare` prints a [`CompareReport`]; proofs-check's agreement
//! claim reads its fields.

use crate::certify::refine::{SolveOptions, solve_certified};
use crate::certify::report::AtomOut;
use crate::certify::verdict::{function_rel_error, network_of};
use crate::convex::Status;
use crate::convex::atoms::Atom;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::{Error, Result};
use crate::inr::network::ShallowInr;
use crate::measurement::measure_at;
use crate::numeric::unit_angle;
use crate::spec::ProblemSpec;
use crate::sphere::SphereGrid;
use crate::train::restarts::{Student, check_student_memory, fit_restarts};
use crate::train::{Observer, Termination, TrainSettings};
use serde::Serialize;
use std::fmt;

/// Everything a comparison depends on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRequest {
    /// The problem (its quadrature is set to the training grid by
    /// [`compare`]).
    pub spec: ProblemSpec,
    /// The teacher whose measurements both sides fit.
    pub teacher: ShallowInr,
    /// The student's architecture (shallow only).
    pub student: Student,
    /// Training settings (width, grid, method, tolerances, seed).
    pub train: TrainSettings,
    /// Initializations; the run kept is chosen without the teacher.
    pub restarts: usize,
    /// Convex solver settings.
    pub options: SolveOptions,
    /// Directions of the convex sphere grid.
    pub grid_points: usize,
    /// Leave the teacher's directions off the convex grid.
    pub off_grid: bool,
}

/// One INR atom and the nearest convex atom of the same sign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitMatch {
    /// The INR atom's coefficient.
    pub inr_c: f64,
    /// Student units merged into it.
    pub inr_units: usize,
    /// The nearest convex atom's coefficient (None: no atom of that sign).
    pub convex_c: Option<f64>,
    /// The angle to it (radians).
    pub angle: Option<f64>,
}

/// The report of `inrsamp compare` (its `--json` keys are these fields).
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// Status of the convex solve's final LP.
    pub convex_status: Status,
    /// Lower end of the bracket of value(11).
    pub convex_lower: Option<f64>,
    /// Upper end: the verified measure's cost.
    pub convex_upper: Option<f64>,
    /// The INR's balanced cost.
    pub inr_cost: f64,
    /// `|inr_cost - convex_upper| / convex_upper`.
    pub cost_rel_gap: f64,
    /// `inr_cost >= convex_lower (1 - 1e-9)`.
    pub inr_cost_in_bracket: bool,
    /// Relative L2 distance of the INR's function to the convex measure's.
    pub function_rel_l2: f64,
    /// Relative L2 distance of the INR's function to the teacher's.
    pub inr_teacher_rel_l2: f64,
    /// Each INR atom with its nearest convex atom.
    pub matched_units: Vec<UnitMatch>,
    /// The convex side: the verified measure (not merged).
    pub convex_atoms: Vec<AtomOut>,
    /// The INR's final `|A f - y|`.
    pub inr_residual: f64,
    /// `|y|`.
    pub data_norm: f64,
    /// Why the run kept stopped.
    pub inr_termination: Termination,
    /// Restarts run.
    pub restarts: usize,
    /// Index of the run kept (0-based).
    pub kept_restart: usize,
    /// Active units of the balanced INR.
    pub inr_active_units: usize,
    /// Adam steps of the run kept.
    pub adam_steps: u64,
    /// Seconds of the run kept.
    pub train_seconds: f64,
    /// Seconds of the convex solve.
    pub convex_seconds: f64,
    /// The problem (with the training grid's quadrature).
    pub spec: ProblemSpec,
    /// The settings of the run kept.
    pub train_settings: TrainSettings,
    /// The convex solver settings.
    pub solve_options: SolveOptions,
    /// "kept restart k of R" (for the text).
    #[serde(skip)]
    pub restart_line: Option<String>,
}

impl CompareReport {
    /// True when the convex side has a solution and a lower bound (else the
    /// CLI exits with 3).
    pub fn decided(&self) -> bool {
        self.convex_status.has_solution() && self.convex_lower.is_some()
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Solves (11) on the teacher's measurements, trains the INR on the same
/// measurements and compares them. Errors when the convex side has no
/// verified solution (nothing to compare with), before training.
pub fn compare(req: &CompareRequest, observer: &mut dyn Observer) -> Result<CompareReport> {
    let mut spec = req.spec.clone();
    if spec.quadrature.exact {
        return Err(Error::setting(
            "exact",
            "true",
            "compare uses the training grid's quadrature for both sides; drop --exact",
        ));
    }
    if req.student.depth != 1 {
        return Err(Error::setting(
            "depth",
            req.student.depth,
            "compare needs the shallow INR (--depth 1): a deep INR is not a measure on the sphere",
        ));
    }
    let grid_n = req.train.grid;
    // One quadrature for both sides: the training grid.
    spec.quadrature.n = Some(grid_n);
    spec.check_grid("grid", grid_n)?;
    check_student_memory(&spec, &req.student, req.train.width, grid_n)?;
    req.train.validate()?;
    req.teacher.validate(spec.d, spec.k0)?;
    let plan = DiscretizationPlan::for_spec(&spec)?;
    let y = measure_at(&spec, &req.teacher, grid_n)?;
    crate::numeric::check_data_scale("measurements", &y)?;
    let mut grid = SphereGrid::new(spec.feature_dim(), req.grid_points, spec.seed)?;
    if !req.off_grid {
        for u in &req.teacher.units {
            if crate::numeric::norm2(&u.w) > 0.0 {
                grid.push(&u.w)?;
            }
        }
    }
    let mut dict = Dictionary::build(&spec, &plan, &grid.points)?;
    let sol = solve_certified(&spec, &plan, &mut dict, &y, &req.options)?;
    let lp = &sol.grid.lp;
    if lp.status.is_infeasible() || !sol.measure.as_ref().is_some_and(|m| m.verified) {
        // Nothing to compare with: say so before training.
        return Err(Error::setting(
            "grid-points",
            req.grid_points,
            format!(
                "the convex problem has no verified solution on this grid of {} directions for M = {} measurements (Clarabel: {}); raise --grid-points or add --refine",
                dict.len(),
                dict.m,
                lp.status.name()
            ),
        ));
    }
    // The convex side is the verified measure (not merged atoms).
    let convex_atoms: Vec<Atom> = sol
        .measure
        .as_ref()
        .map(|m| m.atoms.clone())
        .unwrap_or_default();
    let convex_net = network_of(&spec, &convex_atoms);
    let fitted = fit_restarts(
        &spec,
        &req.student,
        &req.train,
        req.restarts,
        &y,
        Some(&req.teacher),
        observer,
    )?;
    let Some(b) = fitted.balanced.as_ref() else {
        return Err(Error::setting(
            "depth",
            req.student.depth,
            "compare needs the shallow INR",
        ));
    };
    let inr_net = network_of(&spec, &b.atoms);
    let upper = sol.certified_upper;
    let lower = sol.certified_lower;
    let matched_units = b
        .atoms
        .iter()
        .map(|a| {
            let best = convex_atoms
                .iter()
                .filter(|c| c.c.signum() == a.c.signum())
                .map(|c| (unit_angle(&a.w, &c.w), c.c))
                .min_by(|x, y| x.0.total_cmp(&y.0));
            UnitMatch {
                inr_c: a.c,
                inr_units: a.members.len(),
                convex_c: best.map(|x| x.1),
                angle: best.map(|x| x.0),
            }
        })
        .collect();
    Ok(CompareReport {
        convex_status: lp.status,
        convex_lower: finite(lower),
        convex_upper: finite(upper),
        inr_cost: b.cost,
        cost_rel_gap: (b.cost - upper).abs() / upper.abs().max(f64::MIN_POSITIVE),
        inr_cost_in_bracket: lower * (1.0 - 1e-9) <= b.cost,
        function_rel_l2: function_rel_error(&inr_net, &convex_net),
        inr_teacher_rel_l2: function_rel_error(&inr_net, &req.teacher),
        matched_units,
        convex_atoms: convex_atoms.iter().map(AtomOut::from).collect(),
        inr_residual: fitted.residual(),
        data_norm: y.iter().map(|v| v * v).sum::<f64>().sqrt(),
        inr_termination: fitted.result.termination,
        restarts: fitted.restarts,
        kept_restart: fitted.kept,
        inr_active_units: b.active_units,
        adam_steps: fitted.result.adam_steps,
        train_seconds: fitted.result.seconds,
        convex_seconds: sol.seconds,
        spec,
        train_settings: fitted.settings,
        solve_options: req.options.resolved_for(&req.spec.psi),
        restart_line: fitted.restart_line(),
    })
}

fn opt(v: Option<f64>) -> String {
    v.map_or("null".to_string(), |v| v.to_string())
}

impl fmt::Display for CompareReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "convex (11): status {}, bracket [{:.10}, {:.10}], {} atoms, {:.2} s",
            self.convex_status.name(),
            self.convex_lower.unwrap_or(f64::NAN),
            self.convex_upper.unwrap_or(f64::NAN),
            self.convex_atoms.len(),
            self.convex_seconds
        )?;
        if let Some(line) = &self.restart_line {
            writeln!(f, "INR: {line}")?;
        }
        writeln!(
            f,
            "INR: {}, balanced cost {:.10}, {} active units, {} Adam steps, {:.2} s",
            self.inr_termination,
            self.inr_cost,
            self.inr_active_units,
            self.adam_steps,
            self.train_seconds
        )?;
        writeln!(
            f,
            "agreement: cost relative gap {:.3e}; function relative L2 distance {:.3e} (INR vs teacher {:.3e})",
            self.cost_rel_gap, self.function_rel_l2, self.inr_teacher_rel_l2
        )?;
        for m in &self.matched_units {
            writeln!(
                f,
                "  INR atom c = {} ({} units) -> convex atom c = {}, angle {}",
                m.inr_c,
                m.inr_units,
                opt(m.convex_c),
                opt(m.angle)
            )?;
        }
        Ok(())
    }
}
