//! The command line: clap types turned into validated specs; one file per
//! subcommand. Only this module and `main` know every stage.

pub mod certify;
pub mod compare;
pub mod demo;
mod enums;
pub mod figure3;
pub mod fit;
pub mod lp;
pub mod measure;
pub mod phantom;
mod progress;
pub mod solve;
pub mod solver_args;
pub mod sweep;

use crate::error::{Error, Result};
use crate::inr::network::ShallowInr;
use crate::spec::{ProblemSpec, SpecInput};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// inrsamp: sampling theory of implicit neural representations.
///
/// An image on the torus is known through its low-pass Fourier coefficients
/// (|k|_inf <= K). A shallow ReLU network with integer Fourier features of
/// degree K0 is fit under generalized weight decay psi. This tool computes
/// the measurements of rectified trigonometric polynomials (exactly in d = 1,
/// else with a quadrature error estimate), solves the infinite-width convex
/// problem with a certified bracket, checks dual certificates, and trains the
/// non-convex INR to compare (see README.md and docs/theory.md).
#[derive(Debug, Parser)]
#[command(name = "inrsamp", version, about, long_about)]
pub struct Cli {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fourier measurements A_K f of a teacher INR (CSV or JSON).
    Measure(Box<measure::MeasureArgs>),
    /// Solve the convex problem (11) on a sphere grid: atoms, status and the
    /// certified bracket on its value.
    Solve(Box<solve::SolveArgs>),
    /// Verdict for a known teacher: unique, recovered, not_recovered or
    /// inconclusive, with the dual certificate's margin.
    Certify(Box<certify::CertifyArgs>),
    /// Solve an externally given weighted-l1 program (P_N) from .npy/.csv files.
    Lp(lp::LpArgs),
    /// Train the non-convex INR (augmented Lagrangian for (3), or (2)) with
    /// hand-written gradients; report recovery and the balanced cost.
    Fit(Box<fit::FitArgs>),
    /// Convex minimizer of (11) against the trained INR on the same data.
    Compare(Box<compare::CompareArgs>),
    /// The main job: a random width-1 INR, its psi values, its measurements,
    /// the quadrature-vs-exact error table (d = 1), a certified verdict and a
    /// trained INR compared with it.
    Demo(demo::DemoArgs),
    /// Phase-transition sweeps (the paper's Figure 2) by the convex and AL
    /// routes: run a plan, redraw a report, merge shards.
    Sweep(Box<sweep::SweepArgs>),
    /// Exact Fourier coefficients of an analytical phantom (brain,
    /// Shepp-Logan, rectangle, dots, or a JSON file), its ground truth and
    /// the zero-filled inverse FFT (the paper's Figure 3 data).
    Phantom(Box<phantom::PhantomArgs>),
    /// Super-resolution of phantoms by INR fits (the paper's Figure 3):
    /// zero-filled vs shallow std / mod and deep, lambda chosen by image MSE
    /// (the paper's protocol) and by a held-out ring.
    Figure3(Box<figure3::Figure3Args>),
}

/// What a subcommand prints and its exit code (0 success, 3 a result that
/// is not fully solved or certified).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Text for stdout.
    pub text: String,
    /// Exit code.
    pub exit: i32,
}

impl From<String> for Outcome {
    fn from(text: String) -> Self {
        Outcome { text, exit: 0 }
    }
}

static STDERR_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes a progress line to stderr. A failed write never panics: it is
/// remembered, and the binary exits non-zero at the end ([`stderr_failed`]).
pub fn progress_line(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    if err
        .write_all(text.as_bytes())
        .and_then(|_| err.write_all(b"\n"))
        .is_err()
    {
        STDERR_FAILED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// True when a progress line could not be written to stderr.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Upper limit of `--threads` per available core.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// Every output path of a command line, with its flag (`--export-lp P`
/// stands for its three `.npy` files).
pub fn output_paths(cmd: &Command) -> Vec<(&'static str, PathBuf)> {
    let mut out: Vec<(&'static str, PathBuf)> = Vec::new();
    let mut add = |flag: &'static str, p: &Option<PathBuf>| {
        if let Some(p) = p {
            out.push((flag, p.clone()));
        }
    };
    match cmd {
        Command::Measure(a) => add("out", &a.out),
        Command::Solve(a) => {
            add("atoms-csv", &a.atoms_csv);
            add("eta-csv", &a.eta_csv);
            add("function-csv", &a.function_csv);
            add("eta-png", &a.eta_png);
            for p in a.export_lp.iter().flat_map(|p| solve::export_lp_paths(p)) {
                add("export-lp", &Some(p));
            }
        }
        Command::Certify(a) => {
            add("certificate-csv", &a.certificate_csv);
            add("eta-csv", &a.eta_csv);
            add("eta-png", &a.eta_png);
        }
        Command::Fit(a) => {
            add("log", &a.train.log);
            add("save", &a.save);
        }
        Command::Compare(a) => add("log", &a.train.log),
        Command::Sweep(a) => match &a.action {
            sweep::SweepAction::Merge(m) => add("out", &Some(m.out.clone())),
            sweep::SweepAction::Run(_)
            | sweep::SweepAction::Report(_)
            | sweep::SweepAction::Status(_) => {}
        },
        Command::Phantom(a) => {
            for (flag, p) in a.outputs() {
                add(flag, p);
            }
        }
        Command::Lp(_) | Command::Demo(_) | Command::Figure3(_) => {}
    }
    out
}

/// Checks that need no computation, so that a long run does not end in an
/// error it could have given at once.
fn early_checks(cmd: &Command) -> Result<()> {
    let eta = match cmd {
        Command::Solve(a) => a.eta_csv.as_ref().map(|_| a.eta_resolution),
        Command::Certify(a) => a.eta_csv.as_ref().map(|_| a.eta_resolution),
        _ => None,
    };
    if let Some(r) = eta {
        // The D = 3 sphere grid: 2 r^2 rows of 12 numbers.
        let r = r as u128;
        crate::limits::check_memory(
            "eta-resolution",
            r,
            crate::limits::f64_bytes(&[r.saturating_mul(r).saturating_mul(2), 12]),
            "the eta grid",
        )?;
    }
    Ok(())
}

/// Runs a parsed command line: checks the thread count and every output
/// path before any work, and writes the outputs all-or-nothing (a failed
/// run leaves none of them; see `output::file`).
pub fn run(cli: &Cli) -> Result<Outcome> {
    if let Some(t) = cli.threads {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let max = MAX_THREADS_PER_CORE * cores;
        if t == 0 || t > max {
            return Err(Error::setting(
                "threads",
                t,
                format!(
                    "between 1 and {max} ({MAX_THREADS_PER_CORE} per core on this machine's {cores})"
                ),
            ));
        }
        // Only the first call can set the global pool; later calls keep it.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global();
    }
    let paths = output_paths(&cli.command);
    for (i, (flag, p)) in paths.iter().enumerate() {
        crate::output::check_output(flag, p)?;
        if !crate::output::file::is_stdout(p) && paths[..i].iter().any(|(_, q)| q == p) {
            return Err(Error::setting(
                flag,
                p.display(),
                "the same path is given to two outputs",
            ));
        }
    }
    early_checks(&cli.command)?;
    let tx = crate::output::OutputTransaction::begin()?;
    let out = match &cli.command {
        Command::Measure(a) => measure::run(a).map(Outcome::from),
        Command::Solve(a) => solve::run(a),
        Command::Certify(a) => certify::run(a),
        Command::Lp(a) => lp::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Demo(a) => demo::run(a).map(Outcome::from),
        Command::Sweep(a) => sweep::run(a),
        Command::Phantom(a) => phantom::run(a),
        Command::Figure3(a) => figure3::run(a),
    }?;
    tx.commit()?;
    Ok(out)
}

/// Problem flags shared by every subcommand. A flag overrides the same key
/// of `--config`.
#[derive(Debug, Clone, Args)]
pub struct ProblemArgs {
    /// Torus dimension d: 1, 2 (or 3). [default: 1]
    #[arg(long, allow_hyphen_values = true)]
    pub d: Option<i64>,
    /// Feature degree K0 >= 1: features cos/sin(2 pi k.x) for |k|_inf <= K0. [default: 1]
    #[arg(long, allow_hyphen_values = true)]
    pub k0: Option<i64>,
    /// Sampling cutoff K >= 1: measurements on |k|_inf <= K. [default: 2*k0]
    #[arg(long, allow_hyphen_values = true)]
    pub k: Option<i64>,
    /// Weighting: std = |w|_2, mod = |A_K' sigma(g_w)|_2, pre = |g_w|_L2. [default: mod]
    #[arg(long)]
    pub psi: Option<String>,
    /// Cutoff K' of psi = mod. [default: k]
    #[arg(long = "psi-k", allow_hyphen_values = true)]
    pub psi_k: Option<i64>,
    /// Quadrature grid points per axis. [default: chosen by doubling until
    /// the estimate |y_N - y_2N| <= quad-tol |y|]
    #[arg(long, allow_hyphen_values = true)]
    pub quad: Option<i64>,
    /// Relative tolerance of the automatic quadrature choice. [default: 1e-6]
    #[arg(long = "quad-tol", allow_hyphen_values = true)]
    pub quad_tol: Option<f64>,
    /// Exact coefficients: d = 1 (closed form between the real zeros of g) or
    /// d = 2 (closed form in x1, panelled Gauss-Legendre in x2; K0 >= 2 costs
    /// about 3 ms per unit, so dictionaries take seconds to minutes).
    /// `--exact=false` overrides `exact = true` of a config.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub exact: Option<bool>,
    /// Base seed of everything random. [default: 0]
    #[arg(long)]
    pub seed: Option<u64>,
    /// TOML file with the same keys (d, k0, k, psi, psi_k, quad, quad_tol,
    /// exact, seed).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Machine-readable JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

impl ProblemArgs {
    /// Flags over config over defaults, validated.
    pub fn spec(&self) -> Result<ProblemSpec> {
        let flags = SpecInput {
            d: self.d,
            k0: self.k0,
            k: self.k,
            psi: self.psi.clone(),
            psi_k: self.psi_k,
            quad: self.quad,
            quad_tol: self.quad_tol,
            exact: self.exact,
            seed: self.seed,
        };
        let config = match &self.config {
            Some(p) => SpecInput::from_toml_file(p)?,
            None => SpecInput::default(),
        };
        flags.or(config).build()
    }

    /// `exact` as asked by the flag or, without it, the config: `None` when
    /// neither says (subcommands then choose their default).
    pub fn exact_asked(&self) -> Result<Option<bool>> {
        Ok(match (self.exact, &self.config) {
            (Some(e), _) => Some(e),
            (None, Some(p)) => SpecInput::from_toml_file(p)?.exact,
            (None, None) => None,
        })
    }
}

/// Kinds of generated teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TeacherKind {
    /// w_j standard normal, normalized; a_j random sign times uniform [0.5, 1.5].
    Random,
}

/// Teacher flags: exactly one of --w, --teacher random, --teacher-file.
#[derive(Debug, Clone, Args)]
pub struct TeacherArgs {
    /// One unit with a = 1: the inner weights "w0,w1,..." (D = (2k0+1)^d values,
    /// order: constant, then cos, sin for each k in the half set).
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["teacher", "teacher_file"])]
    pub w: Option<String>,
    /// A generated teacher (with --width).
    #[arg(long, value_enum, conflicts_with = "teacher_file")]
    pub teacher: Option<TeacherKind>,
    /// Width of a random teacher. [default: 1]
    #[arg(long, allow_hyphen_values = true)]
    pub width: Option<i64>,
    /// JSON teacher: {"d":2,"k0":1,"units":[{"a":1.0,"w":[...]}]}.
    #[arg(long = "teacher-file")]
    pub teacher_file: Option<PathBuf>,
}

impl TeacherArgs {
    /// The teacher, validated against the problem.
    pub fn teacher(&self, spec: &ProblemSpec) -> Result<ShallowInr> {
        if self.width.is_some() && self.teacher.is_none() {
            return Err(Error::setting(
                "width",
                self.width.unwrap_or(0),
                "--width goes with --teacher random",
            ));
        }
        let net = if let Some(text) = &self.w {
            ShallowInr::single(spec.d, spec.k0, parse_vector("w", text)?)
        } else if let Some(path) = &self.teacher_file {
            ShallowInr::from_json_file(path)?
        } else if let Some(TeacherKind::Random) = self.teacher {
            let width = self.width.unwrap_or(1);
            if width < 1 {
                return Err(Error::setting(
                    "width",
                    width,
                    "the teacher width must be at least 1",
                ));
            }
            ShallowInr::random(spec.d, spec.k0, width as usize, spec.seed)?
        } else {
            return Err(Error::setting(
                "teacher",
                "none",
                "give one of --w \"w0,w1,...\", --teacher random --width W, or --teacher-file F",
            ));
        };
        net.validate(spec.d, spec.k0)?;
        Ok(net)
    }
}

/// Parses "a,b,c" into finite numbers, naming the field on failure.
pub fn parse_vector(field: &'static str, text: &str) -> Result<Vec<f64>> {
    let v: Vec<f64> = text
        .split(',')
        .map(|t| {
            let t = t.trim();
            t.parse::<f64>()
                .map_err(|_| Error::setting(field, t, "expected a comma-separated list of numbers"))
        })
        .collect::<Result<_>>()?;
    crate::error::check_finite(field, &v)?;
    Ok(v)
}

/// A report as one line of JSON (with the newline).
pub(crate) fn json_line<T: serde::Serialize>(report: &T) -> Result<String> {
    serde_json::to_string(report)
        .map(|v| format!("{v}\n"))
        .map_err(|e| Error::Numerical {
            what: format!("encoding the report: {e}"),
        })
}
