//! `inrsamp lp`: an externally given (P_N) from `.npy` or `.csv` files.

use super::Outcome;
use crate::convex::columns::{ColumnSettings, LpReport, Strategy, solve_grid, usable};
use crate::convex::{Backend, Program, SolveSettings};
use crate::error::{Error, Result};
use crate::output::matrix::{read_matrix, read_vector};
use clap::Args;
use std::path::PathBuf;

/// Flags of `inrsamp lp`.
#[derive(Debug, Clone, Args)]
pub struct LpArgs {
    /// Phi, M x N (.npy float64 or .csv; column j = the measurements of direction j).
    #[arg(long)]
    pub phi: PathBuf,
    /// y, length M.
    #[arg(long)]
    pub y: PathBuf,
    /// psi, length N, entries >= 0.
    #[arg(long)]
    pub psi: PathBuf,
    /// LP backend [default: simplex for exact data (a vertex solution, the
    /// fastest here), clarabel with --noise-delta > 0 (second-order cone)].
    #[arg(long, value_enum)]
    pub backend: Option<Backend>,
    /// columns: column generation (LPs on an active set grown by the
    /// columns whose |phi_j . lambda| / psi_j exceeds 1 + 1e-9, until none
    /// does: then the answer is that of the full LP); full: one LP on
    /// every column.
    #[arg(long, value_enum, default_value_t = Strategy::Columns)]
    pub strategy: Strategy,
    /// Noise level delta (0: Phi c = y).
    #[arg(
        long = "noise-delta",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    pub noise_delta: f64,
    /// Interior-point iteration limit.
    #[arg(long = "max-iter", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_iter: u32,
    /// JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: &LpArgs) -> Result<Outcome> {
    let (m, n, phi) = read_matrix(&args.phi)?;
    let y = read_vector(&args.y)?;
    let psi = read_vector(&args.psi)?;
    if y.len() != m {
        return Err(Error::DimensionMismatch {
            what: format!("{} (length of y = rows of Phi)", args.y.display()),
            expected: m,
            got: y.len(),
        });
    }
    if psi.len() != n {
        return Err(Error::DimensionMismatch {
            what: format!("{} (length of psi = columns of Phi)", args.psi.display()),
            expected: n,
            got: psi.len(),
        });
    }
    let prog = Program::new(&phi, m, &y, &psi, args.noise_delta)?;
    let backend = args.backend.unwrap_or(if args.noise_delta > 0.0 {
        Backend::Clarabel
    } else {
        Backend::Simplex
    });
    let settings = SolveSettings {
        max_iter: args.max_iter,
        ..Default::default()
    };
    let g = solve_grid(
        &prog,
        args.strategy,
        backend,
        &settings,
        &ColumnSettings::default(),
        None,
    )?;
    let ok = usable(&g);
    let s = &g.lp;
    if s.status.is_infeasible() {
        return Err(Error::setting(
            "y",
            args.y.display(),
            format!("Phi c = y is infeasible ({backend:?}: {})", s.status.name()),
        ));
    }
    let nonzeros = s.nonzeros(1e-6);
    let text = if args.json {
        format!(
            "{}\n",
            serde_json::to_string(&LpReport::new(&g, args.strategy, m, n)).map_err(|e| {
                Error::Numerical {
                    what: format!("encoding the report: {e}"),
                }
            })?
        )
    } else {
        format!(
            "status {} | objective {:.12} | dual {:.12} | residual {:.3e} | {} nonzeros of {n} | {} LP solves, {} iterations, {:.3} s | max |phi_j . lambda| / psi_j over all columns {:.9}\n",
            s.status.name(),
            s.primal_objective,
            s.dual_objective,
            s.residual,
            nonzeros,
            g.rounds,
            g.iterations,
            g.lp_seconds,
            g.max_grid_eta
        )
    };
    Ok(Outcome {
        text,
        exit: if ok && s.status.is_solved() { 0 } else { 3 },
    })
}
