//! `inrsamp sweep`: run a phase-transition plan, redraw its report, merge
//! shards (the engine is `crate::experiment`).

use super::Outcome;
use crate::error::{Error, Result};
use crate::experiment::record::{load, merge};
use crate::experiment::report::write_report;
use crate::experiment::{ExperimentConfig, Route, RunOptions, Shard, run_plan};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Flags of `inrsamp sweep`.
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: SweepAction,
}

/// Sweep subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum SweepAction {
    /// Run a plan (a TOML file or a preset), appending one CSV row per job;
    /// then write the tables and heat maps.
    Run(RunArgs),
    /// Redraw the tables and heat maps from a record CSV.
    Report(ReportArgs),
    /// Merge record CSVs of shards: no job twice, one settings hash, and
    /// (with --config or --preset) no job missing.
    Merge(MergeArgs),
    /// How far a plan has got from its record CSVs (one per shard, or one):
    /// jobs done per width, psi and route and per shard, their median and
    /// mean times, and an estimate of the time left.
    Status(StatusArgs),
}

/// The plan: a file or a preset, with overrides.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Experiment file (keys: name, d, k0, width, k, psi, trials, routes,
    /// base_seed, [convex], [al]; see data/experiments/).
    #[arg(long, conflicts_with = "preset")]
    pub config: Option<PathBuf>,
    /// A preset: quick, paper, atlas.
    #[arg(long)]
    pub preset: Option<String>,
    /// Trials per cell (overrides the plan).
    #[arg(long)]
    pub trials: Option<usize>,
    /// Routes, comma-separated: convex, al (overrides the plan).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub routes: Option<Vec<RouteArg>>,
    /// Base seed (overrides the plan).
    #[arg(long = "base-seed")]
    pub base_seed: Option<u64>,
}

/// A route on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RouteArg {
    /// The convex verdict.
    Convex,
    /// The augmented-Lagrangian fit.
    Al,
}

impl PlanArgs {
    /// The validated plan, flags over file or preset.
    pub fn plan(&self) -> Result<ExperimentConfig> {
        let mut c = match (&self.config, &self.preset) {
            (Some(p), _) => ExperimentConfig::from_file(p)?,
            (None, Some(name)) => ExperimentConfig::preset(name)?,
            (None, None) => {
                return Err(Error::setting(
                    "config",
                    "none",
                    "give --config FILE or --preset quick|paper|atlas",
                ));
            }
        };
        if let Some(t) = self.trials {
            c.trials = t;
        }
        if let Some(r) = &self.routes {
            c.routes = r
                .iter()
                .map(|r| match r {
                    RouteArg::Convex => Route::Convex,
                    RouteArg::Al => Route::Al,
                })
                .collect();
        }
        if let Some(s) = self.base_seed {
            c.base_seed = s;
        }
        c.validate()?;
        Ok(c)
    }
}

/// Flags of `sweep run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The plan.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Record CSV. [default: runs/<name>.csv]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue an existing record CSV of the same plan (a truncated last
    /// line is cut off and its job runs again).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (jobs with index % n == i - 1), e.g. 2/8.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Folder of the tables and heat maps. [default: the CSV's path without
    /// .csv]
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// Flags of `sweep report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Record CSV.
    pub csv: PathBuf,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

/// Flags of `sweep merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Record CSVs (one per shard).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Merged CSV.
    #[arg(long)]
    pub out: PathBuf,
    /// The plan, to check that no job is missing.
    #[command(flatten)]
    pub plan: PlanArgs,
}

/// Flags of `sweep status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Record CSVs of the plan (one per shard, or one).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The plan (--config or --preset, with the run's overrides).
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The n of the runs' --shard i/n: also count the jobs of each shard.
    #[arg(long)]
    pub shards: Option<usize>,
    /// Jobs running at once, for the wall-time estimate. [default: the
    /// shard count, else 1]
    #[arg(long)]
    pub workers: Option<usize>,
    /// Machine-readable JSON on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: &SweepArgs) -> Result<Outcome> {
    match &args.action {
        SweepAction::Run(a) => run_sweep(a),
        SweepAction::Report(a) => {
            let records = load(&a.csv, false)?;
            let (text, files) = write_report(&records, &a.out)?;
            Ok(Outcome::from(format!(
                "{text}# wrote {}\n",
                files.join(", ")
            )))
        }
        SweepAction::Status(a) => {
            let plan = a.plan.plan()?;
            let workers = a.workers.or(a.shards).unwrap_or(1);
            let s = crate::experiment::status::status(&plan, &a.inputs, a.shards, workers)?;
            Ok(Outcome::from(if a.json {
                super::json_line(&s)?
            } else {
                crate::experiment::status::text(&s)
            }))
        }
        SweepAction::Merge(a) => {
            let records = merge(&a.inputs)?;
            if a.plan.config.is_some() || a.plan.preset.is_some() {
                let plan = a.plan.plan()?;
                if let Some(r) = records.first()
                    && r.settings_hash != plan.settings_hash()
                {
                    return Err(Error::setting(
                        "config",
                        "plan",
                        "the records come from other settings (hash mismatch)",
                    ));
                }
                let have: std::collections::HashSet<&str> =
                    records.iter().map(|r| r.job.as_str()).collect();
                let missing: Vec<String> = plan
                    .jobs()
                    .into_iter()
                    .filter(|j| !have.contains(j.id.as_str()))
                    .map(|j| j.id)
                    .collect();
                if !missing.is_empty() {
                    return Err(Error::setting(
                        "inputs",
                        format!("{} files", a.inputs.len()),
                        format!(
                            "{} jobs of the plan are missing, e.g. {}",
                            missing.len(),
                            missing[0]
                        ),
                    ));
                }
            }
            crate::output::write_output("out", &a.out, |w| {
                let mut wr = csv::Writer::from_writer(w);
                for r in &records {
                    wr.serialize(r)?;
                }
                wr.flush()
            })?;
            Ok(Outcome::from(format!(
                "merged {} records from {} files into {}\n",
                records.len(),
                a.inputs.len(),
                a.out.display()
            )))
        }
    }
}

fn run_sweep(a: &RunArgs) -> Result<Outcome> {
    let plan = a.plan.plan()?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("runs/{}.csv", plan.name)));
    if let Some(dir) = out.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let report_dir = a.report.clone().unwrap_or_else(|| out.with_extension(""));
    let opts = RunOptions {
        resume: a.resume,
        shard: a.shard,
    };
    let bar = super::progress::terminal_bar(
        a.quiet,
        0,
        "{bar:40} {pos}/{len} jobs, {elapsed} elapsed, ETA {eta}",
    );
    let quiet = a.quiet;
    let progress = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
        } else if !quiet
            && (done * 20 / total.max(1) != (done - 1) * 20 / total.max(1) || done == total)
        {
            super::progress_line(&format!("sweep: {done}/{total} jobs"));
        }
    };
    let summary = run_plan(&plan, &out, &opts, &progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let records = load(&out, false)?;
    let (text, files) = write_report(&records, &report_dir)?;
    Ok(Outcome::from(format!(
        "{text}sweep {}: {} jobs planned{}, {} already recorded, {} run ({} errors) in {:.1} s\n# records {}\n# wrote {}\n",
        plan.name,
        summary.planned,
        a.shard
            .map_or(String::new(), |s| format!(" (shard {}/{})", s.i, s.n)),
        summary.skipped,
        summary.ran,
        summary.errors,
        summary.seconds,
        out.display(),
        files.join(", ")
    )))
}
