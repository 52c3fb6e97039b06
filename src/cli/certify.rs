//! `inrsamp certify`: the verdict against a known teacher.

use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::CertifySettings;
use crate::certify::eta::EtaField;
use crate::certify::verdict::{Verdict, VerdictSettings, certify_teacher, verdict_plan};
use crate::error::Result;
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

/// Flags of `inrsamp certify`.
#[derive(Debug, Clone, Args)]
pub struct CertifyArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags.
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Solver flags.
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Cap radius (radians) around each support atom, in (0, 0.25]: inside,
    /// the Hessian and dense samples check |eta| <= 1; outside, the margin
    /// 1 - max |eta| is reported (proved by branch-and-bound for D <= 5 with
    /// exact columns). Shrunk to half the smallest atom separation.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub cap: f64,
    /// Leave the teacher's directions off the grid.
    #[arg(long = "off-grid")]
    pub off_grid: bool,
    /// CSV of eta for the certificate (D = 3: theta/phi grid; else great circles).
    #[arg(long = "eta-csv")]
    pub eta_csv: Option<PathBuf>,
    /// PNG of eta for the certificate: D = 3 a map over the sphere (black
    /// where |eta| > 1, atoms and caps marked), else profiles along great
    /// circles through each atom; the verdict, margin and bracket as caption.
    #[arg(long = "eta-png")]
    pub eta_png: Option<PathBuf>,
    /// Points per theta range (D = 3) or per great circle (at least 2).
    #[arg(long = "eta-resolution", default_value_t = 181,
          value_parser = clap::value_parser!(u64).range(2..))]
    pub eta_resolution: u64,
}

/// Runs the subcommand.
pub fn run(args: &CertifyArgs) -> Result<Outcome> {
    let spec = args.problem.spec()?;
    let teacher = args.teacher.teacher(&spec)?;
    let opts = args.solver.options_with(true)?;
    let cs = CertifySettings {
        cap_radius: args.cap,
        ..Default::default()
    };
    cs.validate()?;
    let vs = VerdictSettings {
        grid_points: args.solver.grid_points()?,
        off_grid: args.off_grid,
        ..Default::default()
    };
    let (r, _dict, sol) = certify_teacher(&spec, &teacher, &vs, &opts, &cs)?;
    if args.eta_csv.is_some() || args.eta_png.is_some() {
        let plan = verdict_plan(&spec)?;
        let lambda = match &r.certificate {
            Some(c) => c.lambda.clone(),
            None => sol.grid.lp.lambda.clone(),
        };
        let field = EtaField::new(&spec, &plan, lambda)?;
        // Unit directions of the teacher's units (a unit with w = 0 has none).
        let dirs: Vec<Vec<f64>> = teacher
            .units
            .iter()
            .filter(|u| crate::numeric::norm2(&u.w) > 0.0)
            .map(|u| {
                let n = crate::numeric::norm2(&u.w);
                u.w.iter().map(|v| v / n).collect()
            })
            .collect();
        let c = r.certificate.as_ref();
        let cap_radius = c.map_or(args.cap, |c| c.cap_radius);
        let out = crate::output::eta::EtaOutputs {
            csv: args.eta_csv.as_deref(),
            png: args.eta_png.as_deref(),
            resolution: args.eta_resolution as usize,
            cap_radius,
            caption: format!(
                "verdict {}; margin {} outside caps of {:.3} rad; bracket [{:.10}, {:.10}]",
                r.verdict.name(),
                c.map_or("none".to_string(), |c| format!(
                    "{:.3e} ({})",
                    c.margin,
                    c.margin_kind.name()
                )),
                cap_radius,
                r.certified_lower,
                r.certified_upper
            ),
        };
        crate::output::eta::write_eta_outputs(&out, &field, spec.feature_dim(), &dirs, spec.seed)?;
    }
    let cert = r.certificate.as_ref();
    let text = if args.problem.json {
        format!(
            "{}\n",
            json!({
                "verdict": r.verdict.name(),
                "reason": r.reason,
                "margin": cert.map(|c| c.margin),
                "margin_kind": cert.map(|c| c.margin_kind),
                "margin_estimate": cert.map(|c| c.margin_estimate),
                "inside_max": cert.map(|c| c.inside_max),
                "local_max": cert.map(|c| c.local_max.clone()),
                "tier": cert.and_then(|c| c.tier),
                "certificate_failure": cert.map(|c| c.failure.clone()),
                "certificate_kind": cert.map(|c| c.kind),
                "support_error": cert.map(|c| c.support_error),
                "eta_at_support": cert.map(|c| c.eta_at_support.clone()).unwrap_or_default(),
                "cap_radius": cert.map_or(args.cap, |c| c.cap_radius),
                "teacher_cost": r.teacher_cost,
                "objective": r.objective,
                "certified_lower": nullable(r.certified_lower),
                "lower_kind": r.lower_kind,
                "certified_upper": nullable(r.certified_upper),
                "operator": r.operator,
                "sup": sol.sup,
                "function_rel_error": r.function_rel_error,
                "residual": r.residual,
                "relative_residual": r.relative_residual,
                "status": r.status.name(),
                "atoms": r.atoms.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi})).collect::<Vec<_>>(),
                "merged_atoms_for_display": r.merged_atoms.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi})).collect::<Vec<_>>(),
                "grid_columns": r.grid_columns,
                "lp_rounds": r.lp_rounds,
                "iterations": r.iterations,
                "refine_rounds": r.refine_rounds,
                "history": r.history,
                "solve_seconds": r.solve_seconds,
                "certify_seconds": r.certify_seconds,
                "quadrature_error_estimate": r.quadrature_error_estimate,
                "spec": spec,
                "options": opts,
                "certify_settings": cs,
                "verdict_settings": vs,
            })
        )
    } else {
        let mut s = String::new();
        s.push_str(&format!("verdict: {}\n  {}\n", r.verdict.name(), r.reason));
        let upper = if r.certified_upper.is_finite() {
            format!("{:.12}", r.certified_upper)
        } else {
            "none (no verified measure)".into()
        };
        s.push_str(&format!(
            "teacher cost {:.12} | LP objective {:.12} | bracket on {}: [{:.12} ({}), {upper}]\n",
            r.teacher_cost,
            r.objective,
            r.operator.describe(),
            r.certified_lower,
            r.lower_kind.name(),
        ));
        if let Some(sb) = &sol.sup {
            s.push_str(&format!(
                "sup |eta| {:.9} ({}; search estimate {:.9}{}){}\n",
                sb.value,
                sb.kind.name(),
                sb.estimate,
                sb.bnb.as_ref().map_or(String::new(), |b| format!(
                    "; branch-and-bound {} patches, {:.2} s",
                    b.patches, b.seconds
                )),
                if sb.note.is_empty() {
                    String::new()
                } else {
                    format!(" -- {}", sb.note)
                }
            ));
        }
        s.push_str(&format!(
            "function relative L2 error {:.3e} | residual {:.3e} |y| | status {} | {} LP solves, {} refinement rounds, {:.3} s solve + {:.3} s certificate\n",
            r.function_rel_error,
            r.relative_residual,
            r.status.name(),
            r.lp_rounds,
            r.refine_rounds,
            r.solve_seconds,
            r.certify_seconds
        ));
        if let Some(c) = cert {
            s.push_str(&format!(
                "certificate ({:?}): eta at support {:?}; margin {:.6e} ({}) outside caps of {:.3} rad; max |eta| inside caps {:.9}; Hessian max eigenvalues {:?}; tier {}\n",
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
            ));
            if !c.failure.is_empty() {
                s.push_str(&format!("  no tier: {}\n", c.failure));
            }
        }
        s.push_str(&format!("measure ({} atoms, not merged):\n", r.atoms.len()));
        for a in &r.atoms {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            s.push_str(&format!(
                "  atom c = {:+.10}  psi = {:.10}  w = [{}]\n",
                a.c,
                a.psi,
                ws.join(", ")
            ));
        }
        s
    };
    Ok(Outcome {
        text,
        exit: if r.verdict == Verdict::Inconclusive {
            3
        } else {
            0
        },
    })
}

fn nullable(v: f64) -> serde_json::Value {
    if v.is_finite() {
        json!(v)
    } else {
        serde_json::Value::Null
    }
}
