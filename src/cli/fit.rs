//! `inrsamp fit`: train the non-convex INR on measurements.

use super::progress::Progress;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::inr::network::ShallowInr;
use crate::measurement::measure_at;
use crate::output::{read_coefficients_csv, write_atomic};
use crate::spec::ProblemSpec;
use crate::train::report::FitReport;
use crate::train::restarts::{Student, fit_restarts};
use crate::train::{Method, TrainSettings};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Training flags (shared with `compare`).
#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// Student width W.
    #[arg(long = "student-width", default_value_t = 40)]
    pub student_width: usize,
    /// Hidden ReLU layers: 1 is the shallow INR of width --student-width under
    /// R_psi; L > 1 is a deep INR of L layers of width --hidden under
    /// standard weight decay (psi does not apply).
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Width of the hidden layers of a deep INR (--depth > 1).
    #[arg(long, default_value_t = 64)]
    pub hidden: usize,
    /// al: augmented Lagrangian for (3); penalized: (2).
    #[arg(long, value_enum, default_value_t = Method::Al)]
    pub method: Method,
    /// Adam steps per outer iteration (al).
    #[arg(long = "inner-steps", default_value_t = 200)]
    pub inner_steps: usize,
    /// Outer iterations at most (al).
    #[arg(long = "outer-max", default_value_t = 60)]
    pub outer_max: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 3e-3, allow_hyphen_values = true)]
    pub lr: f64,
    /// Penalty rho (al).
    #[arg(long, default_value_t = 10.0, allow_hyphen_values = true)]
    pub rho: f64,
    /// Multiply rho by this when the residual did not halve in an
    /// outer iteration (al; 1 = off).
    #[arg(long = "rho-growth", default_value_t = 2.0, allow_hyphen_values = true)]
    pub rho_growth: f64,
    /// lambda of the penalized problem (2).
    #[arg(long, default_value_t = 1e-4, allow_hyphen_values = true)]
    pub lambda: f64,
    /// Steps per phase of (2): this many at lr, then this many at lr/10.
    #[arg(long, default_value_t = 2000)]
    pub steps: usize,
    /// Exact recovery: MSE <= tau * mean(teacher^2) on the grid, recorded at
    /// the first outer iteration where it holds (the teacher only
    /// evaluates). [default: 1e-6 for fit, 1e-9 for compare]
    #[arg(long, allow_hyphen_values = true)]
    pub tau: Option<f64>,
    /// Stop training when the MSE against the teacher drops below tau (the
    /// paper's protocol, used by `sweep`). Without it, (3) stops on its own
    /// criteria: --feasibility-tol and --stationarity-tol (or --outer-max).
    #[arg(long = "stop-on-recovery")]
    pub stop_on_recovery: bool,
    /// (3) has converged when |A f - y| / |y| <= this ...
    #[arg(
        long = "feasibility-tol",
        default_value_t = 1e-6,
        allow_hyphen_values = true
    )]
    pub feasibility_tol: f64,
    /// ... and the regularizer and the multipliers change by at most this
    /// (relative) over an outer iteration.
    #[arg(
        long = "stationarity-tol",
        default_value_t = 1e-4,
        allow_hyphen_values = true
    )]
    pub stationarity_tol: f64,
    /// Grid points per axis of the forward model (the quadrature of A_K).
    #[arg(long, default_value_t = 64)]
    pub grid: usize,
    /// Independent initializations (seeds S, S+1, ...); the run kept is the
    /// feasible one (|A f - y| <= 1e-3 |y|) of lowest balanced cost (deep:
    /// lowest weight decay), else the one of smallest residual. The teacher
    /// is never used to choose.
    #[arg(long, default_value_t = 1)]
    pub restarts: usize,
    /// CSV log, one row per outer iteration (written as it goes to F.partial,
    /// renamed to F at the end).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl TrainArgs {
    /// Validated settings (seed from the problem; `default_tau` when --tau
    /// is not given).
    pub fn settings(&self, seed: u64, default_tau: f64) -> Result<TrainSettings> {
        if self.depth == 0 {
            return Err(Error::setting("depth", 0, "at least one hidden layer"));
        }
        let mut s = TrainSettings {
            width: self.student_width,
            grid: self.grid,
            method: self.method,
            inner_steps: self.inner_steps,
            outer_max: self.outer_max,
            rho: self.rho,
            rho_growth: self.rho_growth,
            lambda: self.lambda,
            steps: self.steps,
            tau: self.tau.unwrap_or(default_tau),
            stop_on_recovery: self.stop_on_recovery,
            feasibility_tol: self.feasibility_tol,
            stationarity_tol: self.stationarity_tol,
            seed,
            ..Default::default()
        };
        s.adam.lr = self.lr;
        s.validate()?;
        if self.restarts == 0 || self.restarts > MAX_RESTARTS {
            return Err(Error::setting(
                "restarts",
                self.restarts,
                format!("must be between 1 and {MAX_RESTARTS}"),
            ));
        }
        Ok(s)
    }
}

pub use crate::train::restarts::{FEASIBLE_REL, Fitted, MAX_RESTARTS};

impl TrainArgs {
    /// The student's architecture beyond its width.
    pub fn student(&self) -> Student {
        Student {
            depth: self.depth,
            hidden: self.hidden,
        }
    }
}

/// Trains on `y` with the progress display of these flags (library:
/// [`fit_restarts`], which keeps a run without looking at the teacher).
pub fn fit_on(
    spec: &ProblemSpec,
    args: &TrainArgs,
    y: &[f64],
    teacher: Option<&ShallowInr>,
    default_tau: f64,
) -> Result<Fitted> {
    let settings = args.settings(spec.seed, default_tau)?;
    let total = match settings.method {
        Method::Al => settings.outer_max,
        Method::Penalized => 2 * settings.steps.div_ceil(100),
    };
    let mut progress = Progress::new(args.quiet, total, args.log.as_deref())?;
    let fitted = fit_restarts(
        spec,
        &args.student(),
        &settings,
        args.restarts,
        y,
        teacher,
        &mut progress,
    )?;
    progress.finish(args.log.as_deref())?;
    Ok(fitted)
}

/// Checks the student's size against memory (library:
/// [`crate::train::restarts::check_student_memory`]).
pub fn check_student_memory(spec: &ProblemSpec, train: &TrainArgs) -> Result<()> {
    crate::train::restarts::check_student_memory(
        spec,
        &train.student(),
        train.student_width,
        train.grid,
    )
}

/// The data: the teacher's measurements on the training grid, or a CSV.
pub fn data(
    spec: &ProblemSpec,
    teacher: &TeacherArgs,
    measurements: Option<&Path>,
    grid: usize,
) -> Result<(Vec<f64>, Option<ShallowInr>)> {
    spec.check_grid("grid", grid)?;
    match measurements {
        Some(p) => Ok((
            read_coefficients_csv(p, &RealMap::new(spec.d, spec.k))?,
            None,
        )),
        None => {
            let t = teacher.teacher(spec)?;
            Ok((measure_at(spec, &t, grid)?, Some(t)))
        }
    }
}

/// Flags of `inrsamp fit`.
#[derive(Debug, Clone, Args)]
pub struct FitArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags (or --measurements).
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// Measurements from a CSV as written by `measure --out`.
    #[arg(long, conflicts_with_all = ["w", "teacher", "teacher_file"])]
    pub measurements: Option<PathBuf>,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
    /// Save the balanced network as a teacher file (JSON).
    #[arg(long)]
    pub save: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &FitArgs) -> Result<Outcome> {
    let spec = args.problem.spec()?;
    spec.check_grid("grid", args.train.grid)?;
    check_student_memory(&spec, &args.train)?;
    let (y, teacher) = data(
        &spec,
        &args.teacher,
        args.measurements.as_deref(),
        args.train.grid,
    )?;
    crate::numeric::check_data_scale("measurements", &y)?;
    let fitted = fit_on(&spec, &args.train, &y, teacher.as_ref(), 1e-6)?;
    let r = &fitted.result;
    let b = fitted.balanced.as_ref();
    if let Some(path) = &args.save {
        let text = match b {
            Some(b) => serde_json::to_string_pretty(&b.network),
            None => serde_json::to_string_pretty(&json!({
                "d": spec.d, "k0": spec.k0, "depth": args.train.depth, "hidden": args.train.hidden,
                "layout": "W_1 (hidden x D), then per layer l >= 2: W_l (hidden x hidden), b_l (hidden); then v (hidden)",
                "params": r.params,
            })),
        }
        .map_err(|e| Error::Numerical { what: e.to_string() })?;
        write_atomic(path, |w| w.write_all(text.as_bytes()))?;
    }
    let report = FitReport::new(&spec, &args.train.student(), &fitted);
    let text = if args.problem.json {
        super::json_line(&report)?
    } else {
        report.to_string()
    };
    Ok(Outcome {
        text,
        exit: if report.diverged() { 3 } else { 0 },
    })
}
