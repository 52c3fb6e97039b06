//! `inrsamp solve`: (11) on a sphere grid with its certified bracket.

use super::progress::RoundProgress;
use super::solver_args::SolverArgs;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::eta::EtaField;
use crate::certify::solve_report::{grid_dictionary, solve_report};
use crate::certify::verdict::{teacher_measurements, verdict_plan};
use crate::dictionary::DiscretizationPlan;
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::inr::network::{ShallowInr, Unit};
use crate::output::{read_coefficients_csv, write_atomic};
use clap::Args;
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
    /// CSV of the verified measure (not merged): atom,c,psi,w0,...,w{D-1}.
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
    // Exact columns by default where they cost no more than the grid's
    // (d = 1, and d = 2 with K0 = 1: the verdict plan); `--exact=false`
    // keeps the quadrature.
    let plan = match args.problem.exact_asked()? {
        None => verdict_plan(&spec)?,
        Some(_) => DiscretizationPlan::for_spec(&spec)?,
    };
    let y = match &args.measurements {
        Some(p) => read_coefficients_csv(p, &RealMap::new(spec.d, spec.k))?,
        None => teacher_measurements(&spec, &plan, &args.teacher.teacher(&spec)?)?,
    };
    let mut dict = grid_dictionary(&spec, &plan, args.solver.grid_points()?)?;
    if let Some(prefix) = &args.export_lp {
        let [phi, yv, psi] = export_lp_paths(prefix);
        crate::output::matrix::write_npy_matrix(&phi, dict.m, dict.len(), &dict.columns)?;
        crate::output::matrix::write_npy_vector(&yv, &y)?;
        crate::output::matrix::write_npy_vector(&psi, &dict.psi)?;
    }
    let mut progress = RoundProgress::new(opts.refine.enabled, opts.refine.rounds_for(&spec.psi));
    // d = 2, K0 >= 2 on a quadrature plan: the data on exact columns, for
    // the exact re-derivation of the measure and the bracket (a data file
    // is the data on either operator). Not for K0 = 1 with `--exact=false`:
    // there the user asked for the quadrature operator (and the exact
    // search from the grid's maxima is not enough, see the README).
    let y_exact = if crate::certify::exact_recheck::applies(&spec, &plan) && spec.k0 >= 2 {
        Some(match &args.measurements {
            Some(_) => y.clone(),
            None => teacher_measurements(
                &spec,
                &crate::certify::exact_bracket::exact_plan(&plan),
                &args.teacher.teacher(&spec)?,
            )?,
        })
    } else {
        None
    };
    let r = solve_report(
        &spec,
        &plan,
        &mut dict,
        &y,
        y_exact.as_deref(),
        &opts,
        &mut |round| progress.observe(round),
    );
    progress.finish();
    let r = r?;
    // The measure written is the verified one (LP support, polished, not
    // merged); merged atoms are for display only.
    if let Some(path) = &args.atoms_csv {
        write_atomic(path, |w| {
            let mut header = vec!["atom".to_string(), "c".into(), "psi".into()];
            header.extend((0..dict.dim).map(|i| format!("w{i}")));
            let mut wr = csv::Writer::from_writer(w);
            wr.write_record(&header)?;
            for (i, a) in r.atoms.iter().enumerate() {
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
        let net = ShallowInr {
            d: spec.d,
            k0: spec.k0,
            units: r
                .atoms
                .iter()
                .map(|a| Unit {
                    a: a.c,
                    w: a.w.clone(),
                })
                .collect(),
        };
        crate::output::write_grid_function_csv(path, spec.d, n, &net.grid_values(n))?;
    }
    if args.eta_csv.is_some() || args.eta_png.is_some() {
        // One eta field for both pictures of the same lambda.
        let field = EtaField::new(&spec, &plan, r.lambda.clone())?;
        let dirs: Vec<Vec<f64>> = r.atoms.iter().map(|a| a.w.clone()).collect();
        let out = crate::output::eta::EtaOutputs {
            csv: args.eta_csv.as_deref(),
            png: args.eta_png.as_deref(),
            resolution: args.eta_resolution as usize,
            cap_radius: crate::certify::CertifySettings::default().cap_radius,
            caption: format!(
                "LP dual of (P_N); bracket [{:.10} ({}), {:.10}]",
                r.certified_lower.unwrap_or(f64::NAN),
                r.lower_kind.name(),
                r.certified_upper.unwrap_or(f64::NAN)
            ),
        };
        crate::output::eta::write_eta_outputs(&out, &field, spec.feature_dim(), &dirs, spec.seed)?;
    }
    let text = if args.problem.json {
        super::json_line(&r)?
    } else {
        r.to_string()
    };
    Ok(Outcome {
        text,
        exit: if r.decided() { 0 } else { 3 },
    })
}
