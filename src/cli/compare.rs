//! `inrsamp compare`: the convex minimizer of (11) against the trained INR
//! on the same measurements (docs/theory.md 6, last claim): cost gap, distance
//! between the functions, and matching of INR units to convex atoms.

use super::fit::{TrainArgs, fit_on};
use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::refine::solve_certified;
use crate::certify::verdict::{function_rel_error, network_of};
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::{Error, Result};
use crate::measurement::measure_at;
use crate::sphere::SphereGrid;
use clap::Args;
use serde_json::json;

/// Flags of `inrsamp compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags.
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
    /// Solver flags.
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Leave the teacher's directions off the convex grid.
    #[arg(long = "off-grid")]
    pub off_grid: bool,
}

use crate::numeric::unit_angle as angle;

/// Runs the subcommand.
pub fn run(args: &CompareArgs) -> Result<Outcome> {
    let mut spec = args.problem.spec()?;
    if spec.quadrature.exact {
        return Err(Error::setting(
            "exact",
            "true",
            "compare uses the training grid's quadrature for both sides; drop --exact",
        ));
    }
    if args.train.depth != 1 {
        return Err(Error::setting(
            "depth",
            args.train.depth,
            "compare needs the shallow INR (--depth 1): a deep INR is not a measure on the sphere",
        ));
    }
    // One quadrature for both sides: the training grid.
    spec.quadrature.n = Some(args.train.grid);
    spec.check_grid("grid", args.train.grid)?;
    super::fit::check_student_memory(&spec, &args.train)?;
    let teacher = args.teacher.teacher(&spec)?;
    let opts = args.solver.options()?;
    let plan = DiscretizationPlan::for_spec(&spec)?;
    let y = measure_at(&spec, &teacher, args.train.grid)?;
    crate::numeric::check_data_scale("measurements", &y)?;
    let mut grid = SphereGrid::new(spec.feature_dim(), args.solver.grid_points()?, spec.seed)?;
    if !args.off_grid {
        for u in &teacher.units {
            if crate::numeric::norm2(&u.w) > 0.0 {
                grid.push(&u.w)?;
            }
        }
    }
    let mut dict = Dictionary::build(&spec, &plan, &grid.points)?;
    let sol = solve_certified(&spec, &plan, &mut dict, &y, &opts)?;
    let lp = &sol.grid.lp;
    if lp.status.is_infeasible() || !sol.measure.as_ref().is_some_and(|m| m.verified) {
        // Nothing to compare with: say so before training.
        return Err(Error::setting(
            "grid-points",
            args.solver.grid_points,
            format!(
                "the convex problem has no verified solution on this grid of {} directions for M = {} measurements (Clarabel: {}); raise --grid-points or add --refine",
                dict.len(),
                dict.m,
                lp.status.name()
            ),
        ));
    }
    // The convex side is the verified measure (not merged atoms).
    let convex_atoms: Vec<crate::convex::atoms::Atom> = sol
        .measure
        .as_ref()
        .map(|m| m.atoms.clone())
        .unwrap_or_default();
    let convex_net = network_of(&spec, &convex_atoms);
    let fitted = fit_on(&spec, &args.train, &y, Some(&teacher), 1e-9)?;
    let Some(b) = fitted.balanced.as_ref() else {
        return Err(Error::setting(
            "depth",
            args.train.depth,
            "compare needs the shallow INR",
        ));
    };
    let inr_net = network_of(&spec, &b.atoms);
    let upper = sol.certified_upper;
    let lower = sol.certified_lower;
    let gap = (b.cost - upper).abs() / upper.abs().max(f64::MIN_POSITIVE);
    let dist = function_rel_error(&inr_net, &convex_net);
    let teacher_dist = function_rel_error(&inr_net, &teacher);
    let matches: Vec<_> = b
        .atoms
        .iter()
        .map(|a| {
            let best = convex_atoms
                .iter()
                .filter(|c| c.c.signum() == a.c.signum())
                .map(|c| (angle(&a.w, &c.w), c.c))
                .min_by(|x, y| x.0.total_cmp(&y.0));
            json!({
                "inr_c": a.c,
                "inr_units": a.members.len(),
                "convex_c": best.map(|x| x.1),
                "angle": best.map(|x| x.0),
            })
        })
        .collect();
    let ok = lp.status.has_solution() && lower.is_finite();
    let text = if args.problem.json {
        format!(
            "{}\n",
            json!({
                "convex_status": lp.status.name(),
                "convex_lower": if lower.is_finite() { json!(lower) } else { json!(null) },
                "convex_upper": if upper.is_finite() { json!(upper) } else { json!(null) },
                "inr_cost": b.cost,
                "cost_rel_gap": gap,
                "inr_cost_in_bracket": lower * (1.0 - 1e-9) <= b.cost,
                "function_rel_l2": dist,
                "inr_teacher_rel_l2": teacher_dist,
                "matched_units": matches,
                "convex_atoms": convex_atoms.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi})).collect::<Vec<_>>(),
                "inr_residual": fitted.residual(),
                "data_norm": y.iter().map(|v| v * v).sum::<f64>().sqrt(),
                "inr_termination": fitted.result.termination,
                "restarts": fitted.restarts,
                "kept_restart": fitted.kept,
                "inr_active_units": b.active_units,
                "adam_steps": fitted.result.adam_steps,
                "train_seconds": fitted.result.seconds,
                "convex_seconds": sol.seconds,
                "spec": spec,
                "train_settings": fitted.settings,
                "solve_options": opts,
            })
        )
    } else {
        let mut s = String::new();
        s.push_str(&format!(
            "convex (11): status {}, bracket [{:.10}, {:.10}], {} atoms, {:.2} s\n",
            lp.status.name(),
            lower,
            upper,
            convex_atoms.len(),
            sol.seconds
        ));
        if let Some(line) = fitted.restart_line() {
            s.push_str(&format!("INR: {line}\n"));
        }
        s.push_str(&format!(
            "INR: {}, balanced cost {:.10}, {} active units, {} Adam steps, {:.2} s\n",
            fitted.result.termination,
            b.cost,
            b.active_units,
            fitted.result.adam_steps,
            fitted.result.seconds
        ));
        s.push_str(&format!(
            "agreement: cost relative gap {:.3e}; function relative L2 distance {:.3e} (INR vs teacher {:.3e})\n",
            gap, dist, teacher_dist
        ));
        for m in &matches {
            s.push_str(&format!(
                "  INR atom c = {} ({} units) -> convex atom c = {}, angle {}\n",
                m["inr_c"], m["inr_units"], m["convex_c"], m["angle"]
            ));
        }
        s
    };
    Ok(Outcome {
        text,
        exit: if ok { 0 } else { 3 },
    })
}
