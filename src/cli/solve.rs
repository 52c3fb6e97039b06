//! `inrsamp solve`: (11) on a sphere grid with its certified bracket.

use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::eta::EtaField;
use crate::certify::refine::solve_certified;
use crate::certify::verdict::{fill_psi, teacher_measurements};
use crate::convex::atoms::{AtomSettings, atoms};
use crate::convex::columns::usable;
use crate::dictionary::{Dictionary, DiscretizationPlan};
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::output::{read_coefficients_csv, write_atomic};
use crate::sphere::SphereGrid;
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Flags of `inrsamp solve`.
#[derive(Debug, Clone, Args)]
pub struct SolveArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags (or --measurements).
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Measurements from a CSV as written by `measure --out` (k1[,k2],re,im).
    #[arg(long, conflicts_with_all = ["w", "teacher", "teacher_file"])]
    pub measurements: Option<PathBuf>,
    /// Solver flags.
    #[command(flatten)]
    pub solver: SolverArgs,
    /// CSV of the merged atoms: atom,c,psi,w0,...,w{D-1}.
    #[arg(long = "atoms-csv")]
    pub atoms_csv: Option<PathBuf>,
    /// CSV of eta for the final lambda (D = 3: theta/phi grid; else great circles).
    #[arg(long = "eta-csv")]
    pub eta_csv: Option<PathBuf>,
    /// PNG of eta for the LP's lambda (D = 3: a map over the sphere; else
    /// great-circle profiles through each atom), the bracket as caption.
    #[arg(long = "eta-png")]
    pub eta_png: Option<PathBuf>,
    /// Points per theta range (D = 3) or per great circle (at least 2).
    #[arg(long = "eta-resolution", default_value_t = 181,
          value_parser = clap::value_parser!(u64).range(2..))]
    pub eta_resolution: u64,
    /// CSV of the reconstructed function sum_j c_j sigma(g_{w_j}) on an n^d grid
    /// (columns x1[,x2],f), n = --function-grid.
    #[arg(long = "function-csv")]
    pub function_csv: Option<PathBuf>,
    /// Points per axis of --function-csv.
    #[arg(long = "function-grid", default_value_t = 256)]
    pub function_grid: usize,
    /// Write the program as PREFIX_phi.npy (M x N), PREFIX_y.npy, PREFIX_psi.npy
    /// for cross-checks with other solvers (`inrsamp lp`).
    #[arg(long = "export-lp")]
    pub export_lp: Option<PathBuf>,
}

/// The three files of `--export-lp PREFIX`: `PREFIX_phi.npy`,
/// `PREFIX_y.npy`, `PREFIX_psi.npy`.
pub fn export_lp_paths(prefix: &Path) -> [PathBuf; 3] {
    ["phi", "y", "psi"].map(|s| PathBuf::from(format!("{}_{s}.npy", prefix.display())))
}

/// Runs the subcommand.
pub fn run(args: &SolveArgs) -> Result<Outcome> {
    let spec = args.problem.spec()?;
    let opts = args.solver.options()?;
    let plan = DiscretizationPlan::for_spec(&spec)?;
    let y = match &args.measurements {
        Some(p) => read_coefficients_csv(p, &RealMap::new(spec.d, spec.k))?,
        None => teacher_measurements(&spec, &plan, &args.teacher.teacher(&spec)?)?,
    };
    let grid = SphereGrid::new(spec.feature_dim(), args.solver.grid_points()?, spec.seed)?;
    let mut dict = Dictionary::build(&spec, &plan, &grid.points)?;
    if dict.is_empty() {
        return Err(Error::setting(
            "grid-points",
            grid.len(),
            "every grid direction gives a vanishing unit; use more points",
        ));
    }
    if let Some(prefix) = &args.export_lp {
        let [phi, yv, psi] = export_lp_paths(prefix);
        crate::output::matrix::write_npy_matrix(&phi, dict.m, dict.len(), &dict.columns)?;
        crate::output::matrix::write_npy_vector(&yv, &y)?;
        crate::output::matrix::write_npy_vector(&psi, &dict.psi)?;
    }
    let sol = solve_certified(&spec, &plan, &mut dict, &y, &opts)?;
    let lp = &sol.grid.lp;
    if lp.status.is_infeasible() {
        if dict.len() < dict.m {
            return Err(Error::setting(
                "grid-points",
                args.solver.grid_points,
                format!(
                    "the grid has {} usable directions for M = {} measurements, too few to fit y (Clarabel: {}); raise --grid-points",
                    dict.len(),
                    dict.m,
                    lp.status.name()
                ),
            ));
        }
        return Err(Error::setting(
            "measurements",
            "y",
            format!(
                "the system Phi c = y is infeasible on this grid of {} directions (Clarabel: {}); raise --grid-points, or y may not come from a shallow INR of this K0 (then use --noise-delta)",
                dict.len(),
                lp.status.name()
            ),
        ));
    }
    // The measure reported is the verified one (LP support, polished, not
    // merged); merged atoms are for display only.
    let found: Vec<crate::convex::atoms::Atom> = sol
        .measure
        .as_ref()
        .map(|m| m.atoms.clone())
        .unwrap_or_default();
    let mut merged = atoms(&lp.c, &dict.directions, dict.dim, &AtomSettings::default());
    fill_psi(&spec, &plan, &mut merged)?;
    if let Some(path) = &args.atoms_csv {
        write_atomic(path, |w| {
            let mut header = vec!["atom".to_string(), "c".into(), "psi".into()];
            header.extend((0..dict.dim).map(|i| format!("w{i}")));
            let mut wr = csv::Writer::from_writer(w);
            wr.write_record(&header)?;
            for (i, a) in found.iter().enumerate() {
                let mut row = vec![
                    i.to_string(),
                    format!("{:.15e}", a.c),
                    format!("{:.15e}", a.psi),
                ];
                row.extend(a.w.iter().map(|v| format!("{v:.15e}")));
                wr.write_record(&row)?;
            }
            wr.flush()
        })?;
    }
    if let Some(path) = &args.function_csv {
        let n = args.function_grid;
        let total = (n as u128).pow(spec.d as u32);
        if n < 2 || total > crate::spec::MAX_GRID_POINTS as u128 {
            return Err(Error::setting(
                "function-grid",
                n,
                "between 2 and the grid-point limit per axis",
            ));
        }
        let net = crate::certify::verdict::network_of(&spec, &found);
        crate::output::write_grid_function_csv(path, spec.d, n, &net.grid_values(n))?;
    }
    if args.eta_csv.is_some() || args.eta_png.is_some() {
        // One eta field for both pictures of the same lambda.
        let field = EtaField::new(&spec, &plan, lp.lambda.clone())?;
        let dirs: Vec<Vec<f64>> = found.iter().map(|a| a.w.clone()).collect();
        let out = crate::output::eta::EtaOutputs {
            csv: args.eta_csv.as_deref(),
            png: args.eta_png.as_deref(),
            resolution: args.eta_resolution as usize,
            cap_radius: crate::certify::CertifySettings::default().cap_radius,
            caption: format!(
                "LP dual of (P_N); bracket [{:.10} ({}), {:.10}]",
                sol.certified_lower,
                sol.lower_kind.name(),
                sol.certified_upper
            ),
        };
        crate::output::eta::write_eta_outputs(&out, &field, spec.feature_dim(), &dirs, spec.seed)?;
    }
    // Solved, or AlmostSolved with its bracket (computed from the returned
    // iterates, so still valid): exit 0; anything else: exit 3.
    let ok = usable(&sol.grid) && sol.certified_lower.is_finite();
    let sup = sol.sup.as_ref().map(|s| s.value);
    let verified = sol.measure.as_ref().is_some_and(|m| m.verified);
    let upper_text = if sol.certified_upper.is_finite() {
        format!("{:.12}", sol.certified_upper)
    } else {
        "none".into()
    };
    let text = if args.problem.json {
        let atoms_json: Vec<_> = found
            .iter()
            .map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi}))
            .collect();
        format!(
            "{}\n",
            json!({
                "status": lp.status.name(),
                "objective": lp.primal_objective,
                "dual_objective": lp.dual_objective,
                "certified_lower": finite_or_null(sol.certified_lower),
                "lower_kind": sol.lower_kind,
                "certified_upper": finite_or_null(sol.certified_upper),
                "operator": sol.operator,
                "measure_verified": verified,
                "relative_residual": sol.measure.as_ref().map(|m| m.relative_residual),
                "measure_note": sol.measure.as_ref().map(|m| m.note.clone()),
                "sup_eta": sup,
                "sup": sol.sup,
                "merged_atoms_for_display": merged.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi})).collect::<Vec<_>>(),
                "residual": lp.residual,
                "solve_seconds": sol.seconds,
                "lp_seconds": sol.grid.lp_seconds,
                "lp_rounds": sol.grid.rounds,
                "iterations": sol.grid.iterations,
                "refine_rounds": sol.refine_rounds,
                "history": sol.history,
                "added_directions": sol.added_directions,
                "grid_columns": dict.len(),
                "dropped_directions": dict.dropped,
                "quadrature_error_estimate": dict.quadrature_error_estimate,
                "atoms": atoms_json,
                "lambda": lp.lambda,
                "spec": spec,
                "plan": plan,
                "options": opts,
            })
        )
    } else {
        let mut s = String::new();
        s.push_str(&format!(
            "status {} | LP objective {:.12} | bracket on {}: [{:.12} ({}), {upper_text}] | sup |eta| {:.9} ({})\n",
            lp.status.name(),
            lp.primal_objective,
            sol.operator.describe(),
            sol.certified_lower,
            sol.lower_kind.name(),
            sup.unwrap_or(f64::NAN),
            sol.lower_kind.name()
        ));
        if let Some(m) = &sol.measure {
            s.push_str(&format!(
                "measure: cost {:.12}, |A mu - y| / |y| = {:.3e} ({}){}\n",
                m.cost,
                m.relative_residual,
                if m.verified {
                    "verified"
                } else {
                    "NOT verified: no upper bound"
                },
                if m.slide_gain > 0.0 {
                    format!(", sliding lowered the cost by {:.3e}", m.slide_gain)
                } else {
                    String::new()
                }
            ));
        }
        s.push_str(&format!(
            "residual {:.3e} | {} LP solves, {} iterations, {:.3} s | grid {} columns ({} dropped), {} refinement rounds (+{} directions)\n",
            lp.residual, sol.grid.rounds, sol.grid.iterations, sol.seconds, dict.len(), dict.dropped, sol.refine_rounds, sol.added_directions
        ));
        s.push_str(&format!(
            "{} atoms (the measure, not merged):\n",
            found.len()
        ));
        for a in &found {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            s.push_str(&format!(
                "  c = {:+.10}  psi = {:.10}  w = [{}]\n",
                a.c,
                a.psi,
                ws.join(", ")
            ));
        }
        if !ok {
            s.push_str("WARNING: the solve failed or stopped early; the numbers above are not certified.\n");
        } else if !lp.status.is_solved() {
            s.push_str("WARNING: the last LP reached only reduced accuracy (almost_solved); the bracket above is computed from its iterates and remains valid, the atoms are approximate.\n");
        }
        s
    };
    Ok(Outcome {
        text,
        exit: if ok { 0 } else { 3 },
    })
}

fn finite_or_null(v: f64) -> serde_json::Value {
    if v.is_finite() {
        json!(v)
    } else {
        serde_json::Value::Null
    }
}
