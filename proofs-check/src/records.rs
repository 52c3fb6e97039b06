//! The per-instance CSV as an append-only record (like `inrsamp sweep`):
//! each instance is appended and fsynced as it finishes, so an interrupted
//! `--full` run keeps what it checked, and `--resume` skips it.

use crate::check::{InstanceResult, Outcome};
use crate::claim::Cell;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

/// Columns of the record file.
pub const HEADER: [&str; 11] = [
    "claim", "d", "k0", "k", "width", "psi", "seed", "outcome", "verdict", "margin", "note",
];

/// (claim id, cell, seed) of a recorded instance.
pub type Key = (String, String, u64);

/// The open record file and the instances it already holds.
pub struct Records {
    file: std::fs::File,
    /// Instances read back (with `--resume`).
    pub done: HashMap<Key, InstanceResult>,
}

fn outcome_of(name: &str) -> Option<Outcome> {
    match name {
        "held" => Some(Outcome::Held),
        "failed" => Some(Outcome::Failed),
        "inconclusive" => Some(Outcome::Inconclusive),
        _ => None,
    }
}

impl Records {
    /// Creates `path` with its header, or (with `resume`) reads it back and
    /// appends to it; a last line cut by a kill is removed (its instance
    /// runs again). Without `resume` an existing file is an error.
    pub fn open(path: &Path, resume: bool) -> Result<Records, String> {
        let name = path.display();
        if path.exists() && !resume {
            return Err(format!(
                "csv = {name}: exists; add --resume to continue it, or choose another path"
            ));
        }
        if !path.exists() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| format!("csv = {name}: {e}"))?;
            writeln!(file, "{}", HEADER.join(",")).map_err(|e| format!("csv = {name}: {e}"))?;
            file.sync_data().map_err(|e| format!("csv = {name}: {e}"))?;
            return Ok(Records {
                file,
                done: HashMap::new(),
            });
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("csv = {name}: {e}"))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| format!("csv = {name}: {e}"))?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        if complete < bytes.len() {
            bytes.truncate(complete);
            file.set_len(complete as u64)
                .map_err(|e| format!("csv = {name}: {e}"))?;
        }
        if bytes.is_empty() {
            writeln!(file, "{}", HEADER.join(",")).map_err(|e| format!("csv = {name}: {e}"))?;
            return Ok(Records {
                file,
                done: HashMap::new(),
            });
        }
        let done = parse(&bytes, &name.to_string())?;
        Ok(Records { file, done })
    }

    /// Appends one instance and fsyncs.
    pub fn append(&mut self, claim: &str, r: &InstanceResult) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record([
            claim.to_string(),
            r.cell.d.to_string(),
            r.cell.k0.to_string(),
            r.cell.k.to_string(),
            r.cell.width.to_string(),
            r.cell.psi.clone(),
            r.seed.to_string(),
            r.outcome.name().to_string(),
            r.verdict.clone(),
            format!("{:e}", r.margin),
            r.note.clone(),
        ])?;
        let bytes = w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.file.write_all(&bytes)?;
        self.file.sync_data()
    }
}

/// The instances of a record file's bytes (header checked).
fn parse(bytes: &[u8], name: &str) -> Result<HashMap<Key, InstanceResult>, String> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("csv = {name}: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers != HEADER {
        return Err(format!(
            "csv = {name}: not a proofs-check record file (header {headers:?})"
        ));
    }
    let mut done = HashMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let bad = |what: &str| format!("csv = {name}: row {}: {what}", i + 2);
        let rec = rec.map_err(|e| bad(&e.to_string()))?;
        let num = |j: usize| {
            rec.get(j)
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| bad(HEADER[j]))
        };
        let cell = Cell {
            d: num(1)?,
            k0: num(2)?,
            k: num(3)?,
            width: num(4)?,
            psi: rec.get(5).unwrap_or("").to_string(),
        };
        let seed = rec
            .get(6)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| bad("seed"))?;
        let outcome = rec
            .get(7)
            .and_then(outcome_of)
            .ok_or_else(|| bad("outcome"))?;
        let r = InstanceResult {
            cell,
            seed,
            outcome,
            margin: rec
                .get(9)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN),
            note: rec.get(10).unwrap_or("").to_string(),
            command: String::new(),
            verdict: rec.get(8).unwrap_or("").to_string(),
        };
        done.insert(
            (
                rec.get(0).unwrap_or("").to_string(),
                r.cell.to_string(),
                seed,
            ),
            r,
        );
    }
    Ok(done)
}

/// Reads a complete record file (a shard's `--csv`), for `--merge-from`.
pub fn read(path: &Path) -> Result<HashMap<Key, InstanceResult>, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("merge-from = {name}: {e}"))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    parse(&bytes[..complete], &name)
}

/// The instances of several shards' record files; the same instance in two
/// files must have the same outcome and verdict.
pub fn merge_files(paths: &[std::path::PathBuf]) -> Result<HashMap<Key, InstanceResult>, String> {
    let mut merged: HashMap<Key, InstanceResult> = HashMap::new();
    for path in paths {
        for (key, r) in read(path)? {
            if let Some(old) = merged.get(&key)
                && (old.outcome != r.outcome || old.verdict != r.verdict)
            {
                return Err(format!(
                    "merge-from = {}: {} [{}] seed {} disagrees with another file",
                    path.display(),
                    key.0,
                    key.1,
                    key.2
                ));
            }
            merged.insert(key, r);
        }
    }
    Ok(merged)
}

/// A deterministic part `i` of `n` (1-based) of a claim's instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1..=n.
    pub i: usize,
    /// How many parts.
    pub n: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("shard = {s}: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (i, n) = (
            i.trim().parse::<usize>().map_err(|_| bad())?,
            n.trim().parse::<usize>().map_err(|_| bad())?,
        );
        if i == 0 || n == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { i, n })
    }
}

impl Shard {
    /// Whether the `index`-th instance of a claim (cells in order, then
    /// instances) belongs to this shard.
    pub fn has(&self, index: usize) -> bool {
        index % self.n == self.i - 1
    }
}
