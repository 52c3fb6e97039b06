//! `inrsamp certify`: the verdict against a known teacher.

use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::CertifySettings;
use crate::certify::eta::EtaField;
use crate::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
use crate::dictionary::DiscretizationPlan;
use crate::error::{Error, Result};
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
    /// Cap radius (radians) around each support atom excluded from the margin.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub cap: f64,
    /// Leave the teacher's directions off the grid.
    #[arg(long = "off-grid")]
    pub off_grid: bool,
    /// CSV of eta for the certificate (D = 3: theta/phi grid; else great circles).
    #[arg(long = "eta-csv")]
    pub eta_csv: Option<PathBuf>,
    /// Points per theta range (D = 3) or per great circle.
    #[arg(long = "eta-resolution", default_value_t = 181)]
    pub eta_resolution: usize,
}

/// Runs the subcommand.
pub fn run(args: &CertifyArgs) -> Result<Outcome> {
    let spec = args.problem.spec()?;
    let teacher = args.teacher.teacher(&spec)?;
    let opts = args.solver.options()?;
    if !(args.cap.is_finite() && args.cap > 0.0 && args.cap < std::f64::consts::PI) {
        return Err(Error::setting(
            "cap",
            args.cap,
            "the cap radius must be in (0, pi) radians",
        ));
    }
    let cs = CertifySettings {
        cap_radius: args.cap,
        ..Default::default()
    };
    let vs = VerdictSettings {
        grid_points: args.solver.grid_points()?,
        off_grid: args.off_grid,
        ..Default::default()
    };
    let (r, _dict, sol) = certify_teacher(&spec, &teacher, &vs, &opts, &cs)?;
    if let Some(path) = &args.eta_csv {
        let plan = DiscretizationPlan::for_spec(&spec)?;
        let lambda = match &r.certificate {
            Some(c) => c.lambda.clone(),
            None => sol.grid.lp.lambda.clone(),
        };
        let field = EtaField::new(&spec, &plan, lambda)?;
        let dirs: Vec<Vec<f64>> = teacher
            .units
            .iter()
            .map(|u| {
                let n = u.w.iter().map(|v| v * v).sum::<f64>().sqrt();
                u.w.iter().map(|v| v / n).collect()
            })
            .collect();
        crate::output::eta::write_eta_csv(
            path,
            &field,
            spec.feature_dim(),
            &dirs,
            args.eta_resolution,
            spec.seed,
        )?;
    }
    let cert = r.certificate.as_ref();
    let text = if args.problem.json {
        format!(
            "{}\n",
            json!({
                "verdict": r.verdict.name(),
                "reason": r.reason,
                "margin": cert.map(|c| c.margin),
                "tier": cert.and_then(|c| c.tier),
                "certificate_kind": cert.map(|c| c.kind),
                "support_error": cert.map(|c| c.support_error),
                "eta_at_support": cert.map(|c| c.eta_at_support.clone()).unwrap_or_default(),
                "cap_radius": args.cap,
                "teacher_cost": r.teacher_cost,
                "objective": r.objective,
                "certified_lower": nullable(r.certified_lower),
                "certified_upper": nullable(r.certified_upper),
                "function_rel_error": r.function_rel_error,
                "residual": r.residual,
                "status": r.status.name(),
                "atoms": r.atoms.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi})).collect::<Vec<_>>(),
                "grid_columns": r.grid_columns,
                "lp_rounds": r.lp_rounds,
                "iterations": r.iterations,
                "refine_rounds": r.refine_rounds,
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
        s.push_str(&format!(
            "teacher cost {:.12} | objective {:.12} | certified bracket [{:.12}, {:.12}]\n",
            r.teacher_cost, r.objective, r.certified_lower, r.certified_upper
        ));
        s.push_str(&format!(
            "function relative L2 error {:.3e} | status {} | {} LP solves, {:.3} s solve + {:.3} s certificate\n",
            r.function_rel_error,
            r.status.name(),
            r.lp_rounds,
            r.solve_seconds,
            r.certify_seconds
        ));
        if let Some(c) = cert {
            s.push_str(&format!(
                "certificate ({:?}): eta at support {:?}, margin {:.6e} outside caps of {} rad, tier {}\n",
                c.kind,
                c.eta_at_support,
                c.margin,
                c.cap_radius,
                c.tier.unwrap_or("none")
            ));
        }
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
