//! Running a plan: jobs in parallel (rayon), each record appended and
//! fsynced as it finishes; `resume` skips the jobs already recorded.

use super::config::{ExperimentConfig, Job, Route, Shard};
use super::record::{Record, append, header, load};
use crate::certify::CertifySettings;
use crate::certify::refine::SolveOptions;
use crate::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
use crate::dictionary::DiscretizationPlan;
use crate::error::{Error, Result};
use crate::inr::network::ShallowInr;
use crate::measurement::measure_at;
use crate::spec::{ProblemSpec, SpecInput};
use crate::train::model::ShallowModel;
use crate::train::{Observer, TrainSettings, initialize, train};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// How to run a plan.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Continue an existing record file (same settings hash).
    pub resume: bool,
    /// Only this shard of the jobs.
    pub shard: Option<Shard>,
}

/// What a run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// Jobs of the plan (of this shard).
    pub planned: usize,
    /// Jobs already recorded (skipped by resume).
    pub skipped: usize,
    /// Jobs run now.
    pub ran: usize,
    /// Jobs that ended in an error (recorded with it).
    pub errors: usize,
    /// Wall time.
    pub seconds: f64,
}

fn spec_of(job: &Job) -> Result<ProblemSpec> {
    SpecInput {
        d: Some(job.d as i64),
        k0: Some(job.k0 as i64),
        k: Some(job.k as i64),
        psi: Some(job.psi.clone()),
        seed: Some(job.seed),
        ..Default::default()
    }
    .build()
}

/// Runs one job; failures become a record with `outcome = error`.
pub fn run_job(cfg: &ExperimentConfig, job: &Job, hash: &str) -> Record {
    let start = std::time::Instant::now();
    let mut r = Record::for_job(job, hash);
    let res = match job.route {
        Route::Convex => convex(cfg, job, &mut r),
        Route::Al => al(cfg, job, &mut r),
    };
    if let Err(e) = res {
        r.outcome = "error".into();
        r.success = false;
        r.error = e.to_string();
    }
    r.seconds = start.elapsed().as_secs_f64();
    r
}

fn convex(cfg: &ExperimentConfig, job: &Job, r: &mut Record) -> Result<()> {
    let spec = spec_of(job)?;
    let teacher = ShallowInr::random(job.d, job.k0, job.width, job.seed)?;
    let vs = VerdictSettings {
        grid_points: cfg.convex.grid_points,
        off_grid: cfg.convex.off_grid,
        decide: cfg.convex.decide,
        ..Default::default()
    };
    let mut opts = SolveOptions::default();
    opts.refine.enabled = cfg.convex.refine;
    opts.refine.round_search = cfg.convex.round_search;
    opts.refine.max_rounds = cfg.convex.max_rounds;
    let cs = CertifySettings::default();
    let (mut rep, _, _) = certify_teacher(&spec, &teacher, &vs, &opts, &cs)?;
    if cfg.convex.twin
        && rep.verdict == Verdict::Unique
        && let Some(c) = rep.certificate.as_mut()
    {
        let t = crate::certify::twin::twin_check(&spec, c, &cs)?;
        c.margin = c.margin.min(t.margin);
        if !t.passes {
            rep.verdict = Verdict::Inconclusive;
        }
    }
    r.outcome = rep.verdict.name().to_string();
    r.success = matches!(rep.verdict, Verdict::Unique | Verdict::Recovered);
    r.lower = rep.certified_lower;
    r.upper = rep.certified_upper;
    r.teacher_cost = rep.teacher_cost;
    r.status = rep.status.name().to_string();
    if let Some(c) = &rep.certificate {
        r.margin = c.margin;
        if rep.verdict == Verdict::Unique {
            r.proof = c.margin_kind.name().to_string();
        }
    }
    Ok(())
}

/// Keeps the smallest relative MSE seen (the recovery "at any point").
struct BestMse(f64);

impl Observer for BestMse {
    fn observe(&mut self, rec: &crate::train::Record) {
        if rec.rel_mse < self.0 {
            self.0 = rec.rel_mse;
        }
    }
}

fn al(cfg: &ExperimentConfig, job: &Job, r: &mut Record) -> Result<()> {
    let spec = spec_of(job)?;
    let teacher = ShallowInr::random(job.d, job.k0, job.width, job.seed)?;
    let a = &cfg.al;
    spec.check_grid("al.grid", a.grid)?;
    let y = measure_at(&spec, &teacher, a.grid)?;
    let settings = TrainSettings {
        width: a.student_width,
        grid: a.grid,
        outer_max: a.outer_max,
        inner_steps: a.inner_steps,
        tau: a.tau,
        // The paper's protocol: recovery at any point stops the run.
        stop_on_recovery: true,
        // The initialization seed differs from the teacher's.
        seed: job.seed ^ 0xA1A1_A1A1,
        ..TrainSettings::default()
    };
    let model = ShallowModel::new(&spec, settings.width, settings.grid)?;
    let theta0 = initialize(&model, &settings);
    let tg = teacher.grid_values(a.grid);
    let mut best = BestMse(f64::INFINITY);
    let res = train(&model, &y, Some(&tg), theta0, &settings, &mut best)?;
    let plan = DiscretizationPlan {
        n_quad: a.grid,
        exact: false,
        error_samples: 0,
    };
    let psi = crate::certify::eta::psi_for(&spec, &plan)?;
    let bal = crate::train::readout::balance(spec.d, spec.k0, model.dim, &res.params, &psi)?;
    let recovered = res.recovered_at.is_some();
    r.outcome = if recovered {
        "recovered"
    } else {
        "not_recovered"
    }
    .into();
    r.success = recovered;
    r.teacher_cost = teacher.cost(&psi)?;
    r.cost = bal.cost;
    r.rel_mse = best.0;
    let ynorm = crate::numeric::norm2(&y).max(f64::MIN_POSITIVE);
    r.residual = res.history.last().map_or(f64::NAN, |l| l.residual) / ynorm;
    r.outer = res.history.last().map_or(0, |l| l.outer);
    r.status = res.termination.to_string();
    Ok(())
}

/// Runs the plan into `out` (created with its header, or resumed), calling
/// `progress(done, total)` after each job. Rows are appended in completion
/// order; reports sort by job.
pub fn run_plan(
    cfg: &ExperimentConfig,
    out: &Path,
    opts: &RunOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<RunSummary> {
    let start = std::time::Instant::now();
    let hash = cfg.settings_hash();
    let mut jobs = cfg.jobs();
    if let Some(s) = opts.shard {
        jobs.retain(|j| s.has(j));
    }
    let planned = jobs.len();
    let exists = out.exists();
    let mut file = if exists {
        if !opts.resume {
            return Err(Error::setting(
                "out",
                out.display(),
                "exists; add --resume to continue it, or choose another path",
            ));
        }
        let done = load(out, true)?;
        if let Some(r) = done.iter().find(|r| r.settings_hash != hash) {
            return Err(Error::setting(
                "resume",
                out.display(),
                format!(
                    "its records have settings hash {} but this plan has {hash}: not the same plan",
                    r.settings_hash
                ),
            ));
        }
        let ids: std::collections::HashSet<&str> = done.iter().map(|r| r.job.as_str()).collect();
        jobs.retain(|j| !ids.contains(j.id.as_str()));
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(out)
            .map_err(|e| Error::io(out, e))?;
        if f.metadata().map_err(|e| Error::io(out, e))?.len() == 0 {
            writeln!(f, "{}", header()).map_err(|e| Error::io(out, e))?;
            f.sync_data().map_err(|e| Error::io(out, e))?;
        }
        f
    } else {
        crate::output::check_output("out", out)?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| Error::io(out, e))?;
        writeln!(f, "{}", header()).map_err(|e| Error::io(out, e))?;
        f.sync_data().map_err(|e| Error::io(out, e))?;
        f
    };
    let skipped = planned - jobs.len();
    let total = jobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let errors = std::sync::atomic::AtomicUsize::new(0);
    let sink = Mutex::new((&mut file, None::<std::io::Error>));
    jobs.par_iter().for_each(|job| {
        let rec = run_job(cfg, job, &hash);
        if rec.outcome == "error" {
            errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let mut g = sink.lock().unwrap_or_else(|p| p.into_inner());
        if g.1.is_none()
            && let Err(e) = append(g.0, &rec)
        {
            g.1 = Some(e);
        }
        drop(g);
        let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(k, total);
    });
    if let (_, Some(e)) = sink.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(Error::io(out, e));
    }
    Ok(RunSummary {
        planned,
        skipped,
        ran: total,
        errors: errors.into_inner(),
        seconds: start.elapsed().as_secs_f64(),
    })
}
