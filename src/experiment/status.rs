//! Progress of a plan from its record files (`inrsamp sweep status`): which
//! jobs are done, per group and per shard, and how long the rest may take.
//!
//! The estimate of the remaining time is a model, not a measurement: each
//! group of jobs (one width, psi and route) is assumed to cost, per
//! remaining job, the **mean** wall time of its finished jobs (the sum of
//! many heavy-tailed job times is estimated by the mean, not the median;
//! the median is printed beside it). A group with no finished job borrows
//! the mean of the widest finished width of the same psi and route, and is
//! flagged `borrowed` (a stand-in, not a measurement of that width); with nothing to borrow the estimate is
//! `None`. Job times are the wall times recorded by the runs, under
//! whatever load they had, and the K within a group is ignored.

use super::config::{ExperimentConfig, Shard};
use super::record::{Record, merge};
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// One group of jobs: a width, a psi and a route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStatus {
    /// Teacher width.
    pub width: usize,
    /// Weighting.
    pub psi: String,
    /// `convex` or `al`.
    pub route: String,
    /// Jobs of the plan in this group.
    pub total: usize,
    /// Jobs recorded.
    pub done: usize,
    /// Median wall time of the recorded jobs (None: none recorded).
    pub median_seconds: Option<f64>,
    /// Mean wall time of the recorded jobs (None: none recorded).
    pub mean_seconds: Option<f64>,
    /// Sum of the recorded wall times.
    pub seconds: f64,
    /// Estimated job-seconds left: remaining jobs times the mean (None:
    /// nothing to estimate from).
    pub remaining_seconds: Option<f64>,
    /// True when the mean was borrowed from a narrower width.
    pub borrowed: bool,
}

/// One shard's progress (`--shard i/n` of `sweep run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShardStatus {
    /// 1-based shard number.
    pub i: usize,
    /// Number of shards.
    pub n: usize,
    /// Jobs of the shard.
    pub total: usize,
    /// Jobs of the shard recorded.
    pub done: usize,
    /// The shard's first job in plan order with no record (None when the
    /// shard is complete): the one a one-thread `sweep run --shard`
    /// works on, so a job that holds a shard for hours can be named.
    pub next: Option<String>,
}

/// Progress of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepStatus {
    /// The plan's name.
    pub plan: String,
    /// The plan's settings hash (every record carries it).
    pub settings_hash: String,
    /// Jobs of the plan.
    pub total: usize,
    /// Jobs recorded.
    pub done: usize,
    /// Recorded jobs per outcome (`unique`, ..., `error`).
    pub outcomes: BTreeMap<String, usize>,
    /// Recorded jobs per git revision of the binary that ran them.
    pub revisions: BTreeMap<String, usize>,
    /// Per group, in the plan's order of widths, then psi, then route.
    pub groups: Vec<GroupStatus>,
    /// Per shard (empty unless a shard count was given).
    pub shards: Vec<ShardStatus>,
    /// Jobs assumed to run at the same time.
    pub workers: usize,
    /// Estimated job-seconds left over all groups (None: some group has
    /// nothing to estimate from).
    pub remaining_job_seconds: Option<f64>,
    /// `remaining_job_seconds / workers`: wall seconds left if the workers
    /// stay busy and as fast as the recorded runs.
    pub remaining_wall_seconds: Option<f64>,
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// The progress of `plan` from the record files `paths` (merged: a job in
/// two files, or two settings hashes, is an error, as in `sweep merge`).
/// Every record must be a job of the plan with its settings hash. `shards`:
/// the `n` of the runs' `--shard i/n`, for per-shard counts; `workers`:
/// jobs running at once, for the wall-time estimate (at least 1).
pub fn status(
    plan: &ExperimentConfig,
    paths: &[PathBuf],
    shards: Option<usize>,
    workers: usize,
) -> Result<SweepStatus> {
    if shards == Some(0) {
        return Err(Error::setting("shards", "0", "at least 1"));
    }
    if workers == 0 {
        return Err(Error::setting("workers", "0", "at least 1"));
    }
    let records = merge(paths)?;
    let hash = plan.settings_hash();
    let jobs = plan.jobs();
    let index: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect();
    let mut done_of: Vec<Option<&Record>> = vec![None; jobs.len()];
    for r in &records {
        if r.settings_hash != hash {
            return Err(Error::setting(
                "config",
                &plan.name,
                format!(
                    "the records have settings hash {}, the plan {hash}: other settings",
                    r.settings_hash
                ),
            ));
        }
        let Some(&i) = index.get(r.job.as_str()) else {
            return Err(Error::setting(
                "inputs",
                &r.job,
                "a recorded job that is not in the plan",
            ));
        };
        done_of[i] = Some(r);
    }
    // Groups in the plan's order.
    let mut keys: Vec<(usize, String, String)> = Vec::new();
    for j in &jobs {
        let key = (j.width, j.psi.clone(), j.route.name().to_string());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.sort_by_key(|k| k.0);
    let mut groups: Vec<GroupStatus> = Vec::new();
    for (width, psi, route) in keys {
        let members: Vec<usize> = (0..jobs.len())
            .filter(|&i| {
                jobs[i].width == width && jobs[i].psi == psi && jobs[i].route.name() == route
            })
            .collect();
        let mut secs: Vec<f64> = members
            .iter()
            .filter_map(|&i| done_of[i].map(|r| r.seconds))
            .filter(|s| s.is_finite())
            .collect();
        let done = members.iter().filter(|&&i| done_of[i].is_some()).count();
        let total_secs: f64 = secs.iter().sum();
        let mean = (!secs.is_empty()).then(|| total_secs / secs.len() as f64);
        groups.push(GroupStatus {
            width,
            psi,
            route,
            total: members.len(),
            done,
            median_seconds: median(&mut secs),
            mean_seconds: mean,
            seconds: total_secs,
            remaining_seconds: None,
            borrowed: false,
        });
    }
    // Remaining job-seconds: the group's own mean, else the widest narrower
    // width's of the same psi and route.
    for g in 0..groups.len() {
        let left = (groups[g].total - groups[g].done) as f64;
        let (mean, borrowed) = match groups[g].mean_seconds {
            Some(m) => (Some(m), false),
            None => {
                let lent = groups
                    .iter()
                    .filter(|o| {
                        o.psi == groups[g].psi
                            && o.route == groups[g].route
                            && o.width < groups[g].width
                            && o.mean_seconds.is_some()
                    })
                    .max_by_key(|o| o.width)
                    .and_then(|o| o.mean_seconds);
                (lent, lent.is_some())
            }
        };
        groups[g].remaining_seconds = if left == 0.0 {
            Some(0.0)
        } else {
            mean.map(|m| m * left)
        };
        groups[g].borrowed = borrowed && left > 0.0;
    }
    let remaining_job_seconds = groups
        .iter()
        .map(|g| g.remaining_seconds)
        .sum::<Option<f64>>();
    let shards = match shards {
        None => Vec::new(),
        Some(n) => (1..=n)
            .map(|i| {
                let s = Shard { i, n };
                let mine: Vec<usize> = (0..jobs.len()).filter(|&k| s.has(&jobs[k])).collect();
                ShardStatus {
                    i,
                    n,
                    total: mine.len(),
                    done: mine.iter().filter(|&&k| done_of[k].is_some()).count(),
                    next: mine
                        .iter()
                        .find(|&&k| done_of[k].is_none())
                        .map(|&k| jobs[k].id.clone()),
                }
            })
            .collect(),
    };
    let mut outcomes = BTreeMap::new();
    let mut revisions = BTreeMap::new();
    for r in &records {
        *outcomes.entry(r.outcome.clone()).or_insert(0) += 1;
        *revisions.entry(r.revision.clone()).or_insert(0) += 1;
    }
    Ok(SweepStatus {
        plan: plan.name.clone(),
        settings_hash: hash,
        total: jobs.len(),
        done: records.len(),
        outcomes,
        revisions,
        groups,
        shards,
        workers,
        remaining_job_seconds,
        remaining_wall_seconds: remaining_job_seconds.map(|s| s / workers as f64),
    })
}

fn hours(s: f64) -> String {
    if s < 3600.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The status as text: one line per group and per shard, then the estimate.
pub fn text(s: &SweepStatus) -> String {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.1}"));
    let mut out = format!(
        "sweep {} (settings {}): {} of {} jobs recorded\n",
        s.plan, s.settings_hash, s.done, s.total
    );
    let list = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out += &format!("outcomes: {}\n", list(&s.outcomes));
    out += &format!("revisions: {}\n", list(&s.revisions));
    out += "width  psi  route   done/total  median s  mean s  left (job time)\n";
    for g in &s.groups {
        let left = match g.remaining_seconds {
            Some(r) if g.borrowed => format!("{} (mean of a narrower width)", hours(r)),
            Some(r) => hours(r),
            None => "unknown (no finished job to go by)".to_string(),
        };
        out += &format!(
            "{:>5}  {:<4} {:<7} {:>5}/{:<5}  {:>8}  {:>6}  {}\n",
            g.width,
            g.psi,
            g.route,
            g.done,
            g.total,
            opt(g.median_seconds),
            opt(g.mean_seconds),
            left
        );
    }
    for sh in &s.shards {
        out += &format!(
            "shard {}/{}: {} of {} jobs{}\n",
            sh.i,
            sh.n,
            sh.done,
            sh.total,
            sh.next.as_ref().map_or(String::new(), |j| format!(
                "; first left in plan order: {j}"
            ))
        );
    }
    match (s.remaining_job_seconds, s.remaining_wall_seconds) {
        (Some(j), Some(w)) => {
            out += &format!(
                "estimate: {} of job time left, about {} of wall time with {} jobs at once \
                 (each group's mean recorded job time times its remaining jobs; a model, see \
                 README \"sweep status\")\n",
                hours(j),
                hours(w),
                s.workers
            )
        }
        _ => {
            out +=
                "estimate: unknown (a group has no finished job and no narrower width to go by)\n"
        }
    }
    out
}
