//! proofs-check: the theory's claims as data files (`claims/*.toml`), checked
//! numerically with the inrsamp library, as regression tests.
//!
//! Exit code: 0 when every claim met its expectation; 1 when a claim
//! expected to hold failed, a claim expected to fail held, a claim file was
//! malformed (among those asked for), no claim was found, or a file could not
//! be written; 141 when stdout is a closed pipe. Writes never panic.

mod check;
mod claim;
mod records;
mod requests;

use check::{InstanceResult, Outcome, check, instance_seed};
use claim::{Claim, Expect};
use clap::Parser;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);
static STDOUT_PIPE: AtomicBool = AtomicBool::new(false);

/// A line on stdout; a failed write is remembered (exit non-zero), never a panic.
macro_rules! say {
    ($($t:tt)*) => {{
        if let Err(e) = writeln!(std::io::stdout().lock(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                STDOUT_PIPE.store(true, Ordering::Relaxed);
            }
            STDOUT_FAILED.store(true, Ordering::Relaxed);
        }
    }};
}

/// A line on stderr; a failure is ignored (stderr is where failures go).
macro_rules! note {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

/// Exit code when stdout is a closed pipe (as a shell reports SIGPIPE).
const EXIT_BROKEN_PIPE: i32 = 141;

/// Where claims are looked for when `--claims` is not given.
fn default_claims() -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(p) = std::env::var_os("PROOFS_CHECK_CLAIMS") {
        v.push(PathBuf::from(p));
    }
    v.push(PathBuf::from("proofs-check/claims"));
    v.push(PathBuf::from("claims"));
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        v.push(dir.join("claims"));
    }
    v
}

/// Checks the theory's claims numerically.
#[derive(Debug, Parser)]
#[command(name = "proofs-check", version, about)]
struct Args {
    /// The CI subset: each claim's quick_instances per cell (the default
    /// when claim ids are given without --full or --instances).
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Every claim's instances per cell (at least 100 in the shipped claims).
    #[arg(long)]
    full: bool,
    /// One JSON object per claim on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Per-instance CSV (claim,d,k0,k,width,psi,seed,outcome,verdict,margin,
    /// note): each instance is appended and fsynced as it finishes.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Continue the --csv file of an interrupted run: its instances are
    /// read back, not run again (a last line cut by a kill runs again).
    #[arg(long, requires = "csv")]
    resume: bool,
    /// A sample: at most this many instances per cell (the first ones of the
    /// full run, same seeds); the summary says so.
    #[arg(long, conflicts_with = "quick")]
    instances: Option<usize>,
    /// Folder of claim files [default: $PROOFS_CHECK_CLAIMS, else
    /// ./proofs-check/claims, else ./claims, else claims/ beside the binary].
    #[arg(long)]
    claims: Option<PathBuf>,
    /// Run a deterministic part I of N of every claim's instances (I/N,
    /// 1-based); its summary is partial. Merge the shards' --csv files with
    /// --merge-from.
    #[arg(long)]
    shard: Option<records::Shard>,
    /// Record files of shards to read in (repeatable): their instances are
    /// copied to --csv and not run again; the summary covers them all.
    #[arg(long = "merge-from", requires = "csv")]
    merge_from: Vec<PathBuf>,
    /// Only these claim ids (default: all).
    ids: Vec<String>,
}

struct ClaimRun {
    claim: Claim,
    results: Vec<InstanceResult>,
    seconds: f64,
}

fn main() {
    inrsamp::output::file::install_signal_cleanup();
    let code = run(Args::parse());
    std::process::exit(code);
}

fn run(mut args: Args) -> i32 {
    let mut problems = 0usize;
    if let Some(path) = &args.csv
        && let Err(e) = inrsamp::output::check_output("csv", path)
    {
        note!("error: {e}");
        return 1;
    }
    if !args.ids.is_empty() && !args.full && args.instances.is_none() {
        args.quick = true;
    }
    let folder = match &args.claims {
        Some(p) => p.clone(),
        None => match default_claims().into_iter().find(|p| p.is_dir()) {
            Some(p) => p,
            None => {
                let tried: Vec<String> = default_claims()
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                note!(
                    "error: no claims folder found (tried {}); give --claims",
                    tried.join(", ")
                );
                return 1;
            }
        },
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&folder) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            note!("error: claims = {}: {e}", folder.display());
            return 1;
        }
    };
    if files.is_empty() {
        note!(
            "error: claims = {}: no claim files (*.toml)",
            folder.display()
        );
        return 1;
    }
    files.sort();
    let mut claims: Vec<Claim> = Vec::new();
    let mut malformed = Vec::new();
    for f in &files {
        match Claim::from_file(f) {
            Ok(c) => {
                if let Some(other) = claims.iter().find(|o| o.id == c.id) {
                    note!(
                        "error: {}: id {} is already used by another claim file ({})",
                        f.display(),
                        c.id,
                        other.statement.chars().take(60).collect::<String>()
                    );
                    problems += 1;
                } else {
                    claims.push(c);
                }
            }
            Err(e) => malformed.push(e),
        }
    }
    if args.ids.is_empty() {
        for e in &malformed {
            note!("error: {e}");
        }
        problems += malformed.len();
    } else {
        // Claims asked for by id do not fail because an unrelated file is
        // malformed; a missing id does, and then the malformed files are named.
        let mut missing = false;
        for id in &args.ids {
            if !claims.iter().any(|c| &c.id == id) {
                note!("error: no claim with id {id}");
                problems += 1;
                missing = true;
            }
        }
        for e in &malformed {
            if missing {
                note!("error: {e}");
            } else {
                note!("warning (not among the claims asked for): {e}");
            }
        }
        claims.retain(|c| args.ids.contains(&c.id));
    }
    let per_cell = |c: &Claim| {
        if args.quick {
            c.family.quick_instances
        } else {
            c.family.instances.min(args.instances.unwrap_or(usize::MAX))
        }
    };
    if args.instances == Some(0) {
        note!("error: instances = 0: at least one instance per cell");
        return 2;
    }
    claims.retain(|c| per_cell(c) > 0);
    let mode = match (args.quick, args.instances) {
        (true, _) => "quick".to_string(),
        (false, Some(n)) => format!("sample: at most {n} instances per cell"),
        (false, None) => "full".to_string(),
    };
    note!("proofs-check ({mode}): {} claims", claims.len());
    let recorder = match &args.csv {
        Some(path) => match records::Records::open(path, args.resume) {
            Ok(r) => Some(std::sync::Mutex::new(r)),
            Err(e) => {
                note!("error: {e}");
                return 1;
            }
        },
        None => None,
    };
    let merged = match records::merge_files(&args.merge_from) {
        Ok(m) => m,
        Err(e) => {
            note!("error: {e}");
            return 1;
        }
    };
    let reused = std::sync::atomic::AtomicUsize::new(0);
    let write_error = std::sync::Mutex::new(None::<std::io::Error>);
    let runs: Vec<ClaimRun> = claims
        .into_iter()
        .map(|claim| {
            let start = std::time::Instant::now();
            let cells = claim.cells();
            let n = per_cell(&claim);
            let jobs: Vec<(usize, usize)> = (0..cells.len())
                .flat_map(|c| (0..n).map(move |i| (c, i)))
                .enumerate()
                .filter(|(index, _)| args.shard.is_none_or(|s| s.has(*index)))
                .map(|(_, job)| job)
                .collect();
            let done = std::sync::atomic::AtomicUsize::new(0);
            let total = jobs.len();
            // A bar with ETA on a terminal, plain lines every 10 % otherwise.
            let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
                let b = indicatif::ProgressBar::new(total as u64);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "  {msg} {bar:30} {pos}/{len} instances, {elapsed}, ETA {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b.set_message(claim.id.clone());
                b
            });
            let results: Vec<InstanceResult> = jobs
                .par_iter()
                .map(|&(ci, i)| {
                    let seed = instance_seed(&claim, ci, i, &cells[ci]);
                    let known = recorder.as_ref().and_then(|m| {
                        let g = m.lock().unwrap_or_else(|p| p.into_inner());
                        g.done
                            .get(&(claim.id.clone(), cells[ci].to_string(), seed))
                            .cloned()
                    });
                    let key = (claim.id.clone(), cells[ci].to_string(), seed);
                    let from_shard = known.is_none().then(|| merged.get(&key).cloned()).flatten();
                    let r = match (known, from_shard) {
                        (Some(r), _) => {
                            reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            r
                        }
                        (None, from_shard) => {
                            let was_merged = from_shard.is_some();
                            if was_merged {
                                reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            let r = from_shard.unwrap_or_else(|| check(&claim, &cells[ci], seed));
                            if let Some(m) = &recorder {
                                let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
                                if let Err(e) = g.append(&claim.id, &r) {
                                    write_error
                                        .lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .get_or_insert(e);
                                }
                            }
                            r
                        }
                    };
                    // Progress on stderr every 10 % (and at the end).
                    let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if let Some(b) = &bar {
                        b.inc(1);
                    } else if total >= 20 && (k * 10 / total) != ((k - 1) * 10 / total) {
                        note!(
                            "  {}: {k}/{total} instances ({:.0} s)",
                            claim.id,
                            start.elapsed().as_secs_f64()
                        );
                    }
                    r
                })
                .collect();
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let seconds = start.elapsed().as_secs_f64();
            note!(
                "  {} done: {} instances in {seconds:.1} s",
                claim.id,
                results.len()
            );
            ClaimRun {
                claim,
                results,
                seconds,
            }
        })
        .collect();
    let mut unexpected = 0usize;
    if !args.json {
        say!(
            "{:<34} {:<16} {:<7} {:>6} {:>6} {:>6} {:>6} {:>12} {:>12} {:>8}  result",
            "claim",
            "kind",
            "expect",
            "inst",
            "held",
            "failed",
            "inconc",
            "weakest",
            "at seed",
            "time s"
        );
    }
    for run in &runs {
        let count = |o: Outcome| run.results.iter().filter(|r| r.outcome == o).count();
        let (held, failed, inconc) = (
            count(Outcome::Held),
            count(Outcome::Failed),
            count(Outcome::Inconclusive),
        );
        let weakest = run
            .results
            .iter()
            .filter(|r| r.margin.is_finite())
            .min_by(|a, b| a.margin.total_cmp(&b.margin));
        let ok = match run.claim.expect {
            Expect::Holds => failed == 0,
            Expect::Fails => failed > 0,
            Expect::Record => true,
        };
        let max_inconc = run
            .claim
            .tolerances
            .inconclusive
            .unwrap_or(claim::MAX_INCONCLUSIVE);
        let checked = run.claim.expect == Expect::Record
            || inconc as f64 <= max_inconc * run.results.len() as f64;
        if !ok || !checked {
            unexpected += 1;
        }
        if args.shard.is_some() {
            // A shard's counts are partial: no expectation is judged.
            unexpected -= usize::from(!ok || !checked);
        }
        let result = match (run.claim.expect, ok, checked) {
            _ if args.shard.is_some() => "partial (shard)",
            (Expect::Record, _, _) => "recorded",
            (_, false, _) => "UNEXPECTED",
            (_, true, false) => "UNCHECKED",
            (_, true, true) => "as expected",
        };
        if args.json {
            let v = serde_json::json!({
                "id": run.claim.id, "statement": run.claim.statement, "reference": run.claim.reference, "kind": format!("{:?}", run.claim.kind), "expect": format!("{:?}", run.claim.expect),
                "instances": run.results.len(), "held": held, "failed": failed, "inconclusive": inconc,
                "weakest_margin": weakest.map(|w| w.margin), "weakest_seed": weakest.map(|w| w.seed),
                "weakest_cell": weakest.map(|w| w.cell.to_string()), "seconds": run.seconds, "result": result,
            });
            say!("{v}");
        } else {
            say!(
                "{:<34} {:<16} {:<7} {:>6} {:>6} {:>6} {:>6} {:>12} {:>12} {:>8.1}  {result}",
                run.claim.id,
                format!("{:?}", run.claim.kind),
                format!("{:?}", run.claim.expect).to_lowercase(),
                run.results.len(),
                held,
                failed,
                inconc,
                weakest.map_or("-".into(), |w| format!("{:.3e}", w.margin)),
                weakest.map_or("-".into(), |w| w.seed.to_string()),
                run.seconds
            );
        }
        if !args.json {
            for line in check::verdict_cell_lines(&run.results) {
                say!("{line}");
            }
        }
        for (shown, r) in run
            .results
            .iter()
            .filter(|r| r.outcome != Outcome::Held)
            .enumerate()
        {
            if shown == 5 {
                note!("    ... ({} more not held)", failed + inconc - 5);
                break;
            }
            note!(
                "    {} [{}] seed {}: {}",
                r.outcome.name(),
                r.cell,
                r.seed,
                r.note
            );
            if !r.command.is_empty() {
                note!("      reproduce: {}", r.command);
            }
        }
    }
    if let Some(e) = write_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        note!("error: csv: {e}");
        problems += 1;
    }
    let reused = reused.into_inner();
    if reused > 0 {
        note!(
            "{reused} instances read back from the --csv file (--resume) or --merge-from, not run again"
        );
    }
    say!(
        "{} claims, {} unexpected, {} malformed or missing",
        runs.len(),
        unexpected,
        problems
    );
    if STDOUT_PIPE.load(Ordering::Relaxed) {
        return EXIT_BROKEN_PIPE;
    }
    if STDOUT_FAILED.load(Ordering::Relaxed) {
        note!("error: writing to stdout failed");
        return 1;
    }
    if unexpected > 0 || problems > 0 {
        return 1;
    }
    0
}
