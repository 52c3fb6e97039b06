//! Records of a sweep: one CSV row per (cell, trial, route), appended and
//! fsynced as each job finishes, so a killed sweep loses at most the jobs
//! that were running.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// One finished job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Job identifier (see `Job::id`).
    pub job: String,
    /// Torus dimension.
    pub d: usize,
    /// Feature degree.
    pub k0: usize,
    /// Sampling cutoff.
    pub k: usize,
    /// Teacher width.
    pub width: usize,
    /// Weighting.
    pub psi: String,
    /// Trial.
    pub trial: usize,
    /// Teacher seed.
    pub seed: u64,
    /// `convex` or `al`.
    pub route: String,
    /// Hash of the plan's settings.
    pub settings_hash: String,
    /// Git revision of the binary (`INRSAMP_REVISION` at build time, else
    /// the package version).
    pub revision: String,
    /// Convex: the verdict (`unique`, `recovered`, `not_recovered`,
    /// `inconclusive`); AL: `recovered` or `not_recovered`; `error` on failure.
    pub outcome: String,
    /// Whether the route recovered the teacher (convex: unique or
    /// recovered; AL: MSE below tau at some point of training).
    pub success: bool,
    /// Convex: kind of the certificate margin (`proved`, `estimated`) or "".
    pub proof: String,
    /// Convex: certificate margin (NaN when none).
    pub margin: f64,
    /// Convex: lower end of the bracket.
    pub lower: f64,
    /// Convex: upper end of the bracket (the verified measure's cost).
    pub upper: f64,
    /// The teacher's cost (balanced R_psi).
    pub teacher_cost: f64,
    /// AL: the balanced cost at the end of training.
    pub cost: f64,
    /// AL: the smallest relative image-domain MSE against the teacher.
    pub rel_mse: f64,
    /// AL: final residual |A f - y| / |y| (teacher-free).
    pub residual: f64,
    /// AL: outer iterations run.
    pub outer: usize,
    /// Wall time of the job.
    pub seconds: f64,
    /// Solver status or training termination.
    pub status: String,
    /// Error message when the job failed.
    pub error: String,
}

/// The header line of a record file.
pub fn header() -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let r = Record::blank();
    let _ = w.serialize(&r);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

impl Record {
    pub(crate) fn blank() -> Record {
        Record {
            job: String::new(),
            d: 0,
            k0: 0,
            k: 0,
            width: 0,
            psi: String::new(),
            trial: 0,
            seed: 0,
            route: String::new(),
            settings_hash: String::new(),
            revision: String::new(),
            outcome: String::new(),
            success: false,
            proof: String::new(),
            margin: f64::NAN,
            lower: f64::NAN,
            upper: f64::NAN,
            teacher_cost: f64::NAN,
            cost: f64::NAN,
            rel_mse: f64::NAN,
            residual: f64::NAN,
            outer: 0,
            seconds: 0.0,
            status: String::new(),
            error: String::new(),
        }
    }

    /// A record with the job's inputs filled and NaN outputs.
    pub fn for_job(job: &super::config::Job, hash: &str) -> Record {
        Record {
            job: job.id.clone(),
            d: job.d,
            k0: job.k0,
            k: job.k,
            width: job.width,
            psi: job.psi.clone(),
            trial: job.trial,
            seed: job.seed,
            route: job.route.name().to_string(),
            settings_hash: hash.to_string(),
            revision: revision(),
            ..Record::blank()
        }
    }
}

/// The revision recorded with every row.
pub fn revision() -> String {
    option_env!("INRSAMP_REVISION")
        .map(str::to_string)
        .unwrap_or_else(|| format!("v{}", env!("CARGO_PKG_VERSION")))
}

/// Appends one record (one line) to an open record file and fsyncs it.
pub fn append(file: &mut std::fs::File, r: &Record) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.serialize(r).map_err(std::io::Error::other)?;
    let bytes = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    file.write_all(&bytes)?;
    file.sync_data()
}

/// Reads a record file. A last line without its newline (a sweep killed
/// while writing) is cut off from the file when `repair` is set (the job
/// runs again on resume), and ignored otherwise.
pub fn load(path: &Path, repair: bool) -> Result<Vec<Record>> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(repair)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    Read::by_ref(&mut f)
        .take(u64::try_from(crate::limits::memory_budget() / 4).unwrap_or(u64::MAX))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    if complete < bytes.len() {
        bytes.truncate(complete);
        if repair {
            f.set_len(complete as u64).map_err(|e| Error::io(path, e))?;
            f.seek(std::io::SeekFrom::End(0))
                .map_err(|e| Error::io(path, e))?;
        }
    }
    if bytes.is_empty() {
        // Killed before its header was complete: no records.
        return Ok(Vec::new());
    }
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let expect = header();
    let got = rdr
        .headers()
        .map_err(|e| parse(path, e.to_string()))?
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    if got != expect {
        return Err(parse(
            path,
            format!("not a sweep record file (header {got:?})"),
        ));
    }
    rdr.deserialize()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| parse(path, format!("row {}: {e}", i + 2))))
        .collect()
}

fn parse(path: &Path, reason: String) -> Error {
    Error::Parse {
        path: path.display().to_string(),
        reason,
    }
}

/// Merges record files: every job at most once, one settings hash.
pub fn merge(paths: &[std::path::PathBuf]) -> Result<Vec<Record>> {
    let mut all: Vec<Record> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for p in paths {
        for r in load(p, false)? {
            if let Some(first) = all.first()
                && first.settings_hash != r.settings_hash
            {
                return Err(parse(
                    p,
                    format!(
                        "settings hash {} differs from {} of the first file: not the same plan",
                        r.settings_hash, first.settings_hash
                    ),
                ));
            }
            if let Some(other) = seen.insert(r.job.clone(), p.display().to_string()) {
                return Err(parse(p, format!("job {} is also in {other}", r.job)));
            }
            all.push(r);
        }
    }
    all.sort_by(|a, b| a.job.cmp(&b.job));
    Ok(all)
}
