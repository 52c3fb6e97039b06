//! `inrsamp fit`: train the non-convex INR on measurements.

use super::progress::Progress;
use super::{Outcome, ProblemArgs, TeacherArgs};
use crate::certify::eta::psi_for;
use crate::dictionary::DiscretizationPlan;
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::inr::network::ShallowInr;
use crate::measurement::measure_at;
use crate::output::{read_coefficients_csv, write_atomic};
use crate::spec::ProblemSpec;
use crate::train::deep::DeepModel;
use crate::train::model::ShallowModel;
use crate::train::readout::{Balanced, balance};
use crate::train::{Method, Network, Termination, TrainResult, TrainSettings, initialize, train};
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
    #[arg(long, default_value_t = 3e-3, allow_negative_numbers = true)]
    pub lr: f64,
    /// Penalty rho (al).
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub rho: f64,
    /// Multiply rho by this when the residual did not halve in an
    /// outer iteration (al; 1 = off).
    #[arg(
        long = "rho-growth",
        default_value_t = 2.0,
        allow_negative_numbers = true
    )]
    pub rho_growth: f64,
    /// lambda of the penalized problem (2).
    #[arg(long, default_value_t = 1e-4, allow_negative_numbers = true)]
    pub lambda: f64,
    /// Steps per phase of (2): this many at lr, then this many at lr/10.
    #[arg(long, default_value_t = 2000)]
    pub steps: usize,
    /// Exact recovery: MSE <= tau * mean(teacher^2) on the grid, recorded at
    /// the first outer iteration where it holds (the teacher only
    /// evaluates). [default: 1e-6 for fit, 1e-9 for compare]
    #[arg(long, allow_negative_numbers = true)]
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
        allow_negative_numbers = true
    )]
    pub feasibility_tol: f64,
    /// ... and the regularizer and the multipliers change by at most this
    /// (relative) over an outer iteration.
    #[arg(
        long = "stationarity-tol",
        default_value_t = 1e-4,
        allow_negative_numbers = true
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

/// Upper limit of `--restarts`.
pub const MAX_RESTARTS: usize = 1000;

/// A run is feasible for the choice among restarts when its residual is at
/// most `FEASIBLE_REL * |y|`.
pub const FEASIBLE_REL: f64 = 1e-3;

/// A trained and balanced INR with what produced it.
pub struct Fitted {
    /// The training run kept (see `--restarts`).
    pub result: TrainResult,
    /// The balanced read-out (shallow INR only).
    pub balanced: Option<Balanced>,
    /// The settings of the run kept (its seed is the initialization's).
    pub settings: TrainSettings,
    /// The model's M.
    pub m: usize,
    /// Restarts run.
    pub restarts: usize,
    /// Index of the run kept (0-based).
    pub kept: usize,
}

impl Fitted {
    /// The cost the choice among restarts minimizes: the balanced cost, or
    /// the deep INR's weight decay.
    pub fn cost(&self) -> f64 {
        match &self.balanced {
            Some(b) => b.cost,
            None => self
                .result
                .history
                .last()
                .map_or(f64::INFINITY, |l| l.regularizer),
        }
    }

    /// "kept restart k of R (initialization seed S)" when R > 1.
    pub fn restart_line(&self) -> Option<String> {
        (self.restarts > 1).then(|| {
            format!(
                "kept restart {} of {} (initialization seed {})",
                self.kept + 1,
                self.restarts,
                self.settings.seed
            )
        })
    }

    /// The final residual `|A f - y|`.
    pub fn residual(&self) -> f64 {
        self.result
            .history
            .last()
            .map_or(f64::INFINITY, |l| l.residual)
    }
}

/// One training run from the initialization of `settings.seed`.
fn fit_once(
    spec: &ProblemSpec,
    args: &TrainArgs,
    settings: TrainSettings,
    y: &[f64],
    tg: Option<&[f64]>,
    progress: &mut Progress,
) -> Result<Fitted> {
    let (result, balanced, m) = if args.depth == 1 {
        let model = ShallowModel::new(spec, settings.width, settings.grid)?;
        let theta0 = initialize(&model, &settings);
        let result = train(&model, y, tg, theta0, &settings, progress)?;
        let plan = DiscretizationPlan {
            n_quad: settings.grid,
            exact: false,
            error_samples: 0,
        };
        let psi = psi_for(spec, &plan)?;
        let balanced = balance(spec.d, spec.k0, model.dim, &result.params, &psi)?;
        (result, Some(balanced), model.m)
    } else {
        let model = DeepModel::new(spec, args.depth, args.hidden, settings.grid)?;
        let theta0 = model.initialize(&settings);
        let result = train(&model, y, tg, theta0, &settings, progress)?;
        (result, None, model.m)
    };
    Ok(Fitted {
        result,
        balanced,
        settings,
        m,
        restarts: 1,
        kept: 0,
    })
}

/// Trains on `y` (with the teacher's grid values when known), from
/// `--restarts` initializations; keeps the feasible run (residual at most
/// [`FEASIBLE_REL`] `|y|`) of lowest cost, else the run of smallest
/// residual. The teacher only serves the recovery check that stops a run.
pub fn fit_on(
    spec: &ProblemSpec,
    args: &TrainArgs,
    y: &[f64],
    teacher: Option<&ShallowInr>,
    default_tau: f64,
) -> Result<Fitted> {
    let settings = args.settings(spec.seed, default_tau)?;
    let tg = teacher.map(|t| t.grid_values(settings.grid));
    let total = match settings.method {
        Method::Al => settings.outer_max,
        Method::Penalized => 2 * settings.steps.div_ceil(100),
    };
    let y_norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    let feasible = |f: &Fitted| f.residual() <= FEASIBLE_REL * y_norm;
    let mut progress = Progress::new(args.quiet, total, args.log.as_deref())?;
    let mut best: Option<Fitted> = None;
    for r in 0..args.restarts {
        let mut s = settings;
        s.seed = settings.seed.wrapping_add(r as u64);
        progress.restart = r;
        if args.restarts > 1 && !args.quiet {
            super::progress_line(&format!(
                "restart {}/{} (initialization seed {})",
                r + 1,
                args.restarts,
                s.seed
            ));
        }
        let mut f = fit_once(spec, args, s, y, tg.as_deref(), &mut progress)?;
        f.kept = r;
        let better = match &best {
            None => true,
            Some(b) => match (feasible(&f), feasible(b)) {
                (true, false) => true,
                (false, true) => false,
                (true, true) => f.cost() < b.cost(),
                (false, false) => f.residual() < b.residual(),
            },
        };
        if better {
            best = Some(f);
        }
    }
    progress.finish(args.log.as_deref())?;
    let mut best = best.ok_or_else(|| Error::setting("restarts", 0, "at least one run"))?;
    best.restarts = args.restarts;
    Ok(best)
}

/// Checks the student's size against memory: activations (and their
/// gradients) of every unit or hidden layer on the `grid^d` training grid.
pub fn check_student_memory(spec: &ProblemSpec, train: &TrainArgs) -> Result<()> {
    let points = (train.grid as u128).saturating_pow(spec.d as u32);
    let (field, value, units) = if train.depth == 1 {
        (
            "student-width",
            train.student_width,
            train.student_width as u128,
        )
    } else {
        (
            "hidden",
            train.hidden,
            (train.hidden as u128).saturating_mul(train.depth as u128),
        )
    };
    let params = (units).saturating_mul(spec.feature_dim() as u128 + units + 2);
    crate::limits::check_memory(
        field,
        value,
        crate::limits::f64_bytes(&[units
            .saturating_mul(points)
            .saturating_mul(4)
            .saturating_add(params.saturating_mul(8))]),
        "the student's activations on the training grid",
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
    let last = r.history.last();
    let recovered = r.recovered_at.is_some();
    let outer = last.map_or(0, |l| l.outer);
    let per_step = if r.adam_steps > 0 {
        r.seconds / r.adam_steps as f64
    } else {
        f64::NAN
    };
    let text = if args.problem.json {
        format!(
            "{}\n",
            json!({
                "recovered": recovered,
                "recovered_at": r.recovered_at,
                "rel_mse": last.map(|l| l.rel_mse).filter(|v| v.is_finite()),
                "mse": last.map(|l| l.mse).filter(|v| v.is_finite()),
                "outer_iterations": outer,
                "adam_steps": r.adam_steps,
                "seconds": r.seconds,
                "seconds_per_step": per_step,
                "balanced_cost": b.map(|b| b.cost),
                "regularizer": b.map_or(last.map(|l| l.regularizer), |b| Some(b.regularizer_before)),
                "residual": last.map(|l| l.residual),
                "active_units": b.map(|b| b.active_units),
                "termination": r.termination,
                "restarts": fitted.restarts,
                "kept_restart": fitted.kept,
                "depth": args.train.depth,
                "atoms": b.map(|b| b.atoms.iter().map(|a| json!({"c": a.c, "w": a.w, "psi": a.psi, "units": a.members})).collect::<Vec<_>>()),
                "spec": spec,
                "settings": fitted.settings,
            })
        )
    } else {
        let mut s = String::new();
        if let Some(line) = fitted.restart_line() {
            s.push_str(&format!("{line}\n"));
        }
        s.push_str(&format!(
            "termination: {}\n{} outer iterations, {} Adam steps, {:.2} s ({:.3} ms/step)\n",
            r.termination,
            outer,
            r.adam_steps,
            r.seconds,
            1e3 * per_step
        ));
        if let Some(l) = last {
            s.push_str(&format!(
                "residual |A f - y| = {:.3e}; MSE vs teacher {:.3e} (relative {:.3e})\n",
                l.residual, l.mse, l.rel_mse
            ));
        }
        let Some(b) = b else {
            s.push_str(&format!(
                "deep INR: {} layers of width {}, weight decay {:.10}\n",
                args.train.depth,
                args.train.hidden,
                last.map_or(f64::NAN, |l| l.regularizer)
            ));
            return Ok(Outcome {
                text: s,
                exit: if matches!(r.termination, Termination::Diverged { .. }) {
                    3
                } else {
                    0
                },
            });
        };
        s.push_str(&format!(
            "balanced cost sum |a_j| psi(w_j) = {:.10}; {} active units of {}\n",
            b.cost, b.active_units, fitted.settings.width
        ));
        for a in &b.atoms {
            let ws: Vec<String> = a.w.iter().map(|v| format!("{v:+.6}")).collect();
            s.push_str(&format!(
                "  atom c = {:+.10} psi = {:.10} w = [{}] ({} units)\n",
                a.c,
                a.psi,
                ws.join(", "),
                a.members.len()
            ));
        }
        s
    };
    Ok(Outcome {
        text,
        exit: if matches!(r.termination, Termination::Diverged { .. }) {
            3
        } else {
            0
        },
    })
}
