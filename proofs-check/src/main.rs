//! proofs-check: the theory's claims as data files (`claims/*.toml`), checked
//! numerically with the inrsamp library, as regression tests.
//!
//! Exit code: 0 when every claim met its expectation; 1 when a claim
//! expected to hold failed, a claim expected to fail held, a claim file was
//! malformed, or a file could not be written.

mod check;
mod claim;

use check::{InstanceResult, Outcome, check, instance_seed};
use claim::{Claim, Expect};
use clap::Parser;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// Checks the theory's claims numerically.
#[derive(Debug, Parser)]
#[command(name = "proofs-check", version, about)]
struct Args {
    /// The CI subset: each claim's quick_instances per cell.
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Every claim's instances per cell (at least 100 in the shipped claims).
    #[arg(long)]
    full: bool,
    /// One JSON object per claim on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Per-instance CSV (claim,cell,seed,outcome,margin,note), written atomically.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// A sample: at most this many instances per cell (the first ones of the
    /// full run, same seeds); the summary says so.
    #[arg(long, conflicts_with = "quick")]
    instances: Option<usize>,
    /// Folder of claim files.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/claims"))]
    claims: PathBuf,
    /// Only these claim ids (default: all).
    ids: Vec<String>,
}

struct ClaimRun {
    claim: Claim,
    results: Vec<InstanceResult>,
    seconds: f64,
}

fn main() {
    let args = Args::parse();
    let mut problems = 0usize;
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&args.claims) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            eprintln!("error: {}: {e}", args.claims.display());
            std::process::exit(1);
        }
    };
    files.sort();
    let mut claims = Vec::new();
    for f in &files {
        match Claim::from_file(f) {
            Ok(c) => claims.push(c),
            Err(e) => {
                eprintln!("error: {e}");
                problems += 1;
            }
        }
    }
    if !args.ids.is_empty() {
        for id in &args.ids {
            if !claims.iter().any(|c| &c.id == id) {
                eprintln!("error: no claim with id {id}");
                problems += 1;
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
        eprintln!("error: --instances 0: at least one instance per cell");
        std::process::exit(2);
    }
    claims.retain(|c| per_cell(c) > 0);
    let mode = match (args.quick, args.instances) {
        (true, _) => "quick".to_string(),
        (false, Some(n)) => format!("sample: at most {n} instances per cell"),
        (false, None) => "full".to_string(),
    };
    eprintln!("proofs-check ({mode}): {} claims", claims.len());
    let runs: Vec<ClaimRun> = claims
        .into_iter()
        .map(|claim| {
            let start = std::time::Instant::now();
            let cells = claim.cells();
            let n = per_cell(&claim);
            let jobs: Vec<(usize, usize)> = (0..cells.len())
                .flat_map(|c| (0..n).map(move |i| (c, i)))
                .collect();
            let done = std::sync::atomic::AtomicUsize::new(0);
            let total = jobs.len();
            let results: Vec<InstanceResult> = jobs
                .par_iter()
                .map(|&(ci, i)| {
                    let seed = instance_seed(&claim, ci, i, &cells[ci]);
                    let r = check(&claim, &cells[ci], seed);
                    // Progress on stderr every 10 % (and at the end).
                    let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if total >= 20 && (k * 10 / total) != ((k - 1) * 10 / total) {
                        eprintln!(
                            "  {}: {k}/{total} instances ({:.0} s)",
                            claim.id,
                            start.elapsed().as_secs_f64()
                        );
                    }
                    r
                })
                .collect();
            let seconds = start.elapsed().as_secs_f64();
            eprintln!(
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
        println!(
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
        let result = match (run.claim.expect, ok, checked) {
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
            println!("{v}");
        } else {
            println!(
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
            print_verdict_cells(run);
        }
        for (shown, r) in run
            .results
            .iter()
            .filter(|r| r.outcome != Outcome::Held)
            .enumerate()
        {
            if shown == 5 {
                eprintln!("    ... ({} more not held)", failed + inconc - 5);
                break;
            }
            eprintln!(
                "    {} [{}] seed {}: {}",
                r.outcome.name(),
                r.cell,
                r.seed,
                r.note
            );
            if !r.command.is_empty() {
                eprintln!("      reproduce: {}", r.command);
            }
        }
    }
    if let Some(path) = &args.csv {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let written = tempfile_write(dir, path, |w| {
            writeln!(w, "claim,d,k0,k,width,psi,seed,outcome,verdict,margin,note")?;
            for run in &runs {
                for r in &run.results {
                    writeln!(
                        w,
                        "{},{},{},{},{},{},{},{},{},{:e},\"{}\"",
                        run.claim.id,
                        r.cell.d,
                        r.cell.k0,
                        r.cell.k,
                        r.cell.width,
                        r.cell.psi,
                        r.seed,
                        r.outcome.name(),
                        r.verdict,
                        r.margin,
                        r.note.replace('"', "'")
                    )?;
                }
            }
            Ok(())
        });
        if let Err(e) = written {
            eprintln!("error: {}: {e}", path.display());
            problems += 1;
        }
    }
    println!(
        "{} claims, {} unexpected, {} malformed or missing",
        runs.len(),
        unexpected,
        problems
    );
    if unexpected > 0 || problems > 0 {
        std::process::exit(1);
    }
}

/// Per cell: unique (proved / estimated margin) / recovered / not recovered
/// / inconclusive, for claims decided by the convex verdict.
fn print_verdict_cells(run: &ClaimRun) {
    if run.results.iter().all(|r| r.verdict.is_empty()) {
        return;
    }
    let mut cells: Vec<String> = Vec::new();
    for r in &run.results {
        let c = r.cell.to_string();
        if !cells.contains(&c) {
            cells.push(c);
        }
    }
    for c in cells {
        let of = |v: &str| {
            run.results
                .iter()
                .filter(|r| r.cell.to_string() == c && r.verdict == v)
                .count()
        };
        let n = run
            .results
            .iter()
            .filter(|r| r.cell.to_string() == c)
            .count();
        let errors = n
            - of("unique-proved")
            - of("unique-estimated")
            - of("recovered")
            - of("not_recovered")
            - of("inconclusive");
        println!(
            "    [{c}] n {n}: unique {} (proved {}, estimated {}), recovered {}, not_recovered {}, inconclusive {}{}",
            of("unique-proved") + of("unique-estimated"),
            of("unique-proved"),
            of("unique-estimated"),
            of("recovered"),
            of("not_recovered"),
            of("inconclusive"),
            if errors > 0 {
                format!(", errors {errors}")
            } else {
                String::new()
            }
        );
    }
}

/// Writes `path` through a temporary file in `dir`, renamed at the end.
fn tempfile_write(
    dir: &std::path::Path,
    path: &std::path::Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = dir.join(format!(".proofs-check-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        f(&mut file)?;
        file.flush()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
