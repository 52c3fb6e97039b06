//! `inrsamp sweep status`: how far a plan has got from its record files.
//! The counts are checked against a real sharded run (the rows `sweep run
//! --shard` wrote), the estimate against arithmetic done here by hand on
//! records with chosen times.

mod common;
use approx::assert_relative_eq;
use common::*;
use inrsamp::experiment::ExperimentConfig;
use inrsamp::experiment::record::Record;
use inrsamp::experiment::status::status;
use std::path::{Path, PathBuf};

/// 3 widths x 2 K x 1 psi x 2 trials = 12 convex jobs, 4 per width; d = 1
/// without refinement, so a real run takes well under a second per job.
const PLAN: &str = r#"
name = "s"
d = [1]
k0 = [1]
width = [1, 2, 3]
k = [1, 2]
psi = ["std"]
trials = 2
routes = ["convex"]
base_seed = 5
[convex]
grid_points = 300
refine = false
"#;

fn plan(dir: &Path) -> (PathBuf, ExperimentConfig) {
    let p = dir.join("plan.toml");
    std::fs::write(&p, PLAN).unwrap();
    let cfg = ExperimentConfig::from_file(&p).unwrap();
    (p, cfg)
}

/// Writes records of the given (width, seconds) to `path`: the first jobs
/// of each width in the plan's order.
fn write_records(cfg: &ExperimentConfig, path: &Path, picks: &[(usize, &[f64])]) {
    let jobs = cfg.jobs();
    let mut w = csv::Writer::from_path(path).unwrap();
    for (width, secs) in picks {
        let mine: Vec<_> = jobs.iter().filter(|j| j.width == *width).collect();
        for (j, s) in mine.iter().zip(secs.iter()) {
            let mut r = Record::for_job(j, &cfg.settings_hash());
            r.seconds = *s;
            r.outcome = "unique".into();
            w.serialize(&r).unwrap();
        }
    }
    w.flush().unwrap();
}

#[test]
fn the_estimate_is_each_groups_mean_times_its_remaining_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cfg) = plan(dir.path());
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    // Width 1: 3 of 4 done in 1, 2 and 12 s (median 2, mean 5); width 2: 1
    // of 4 in 8 s; width 3: none (borrows width 2's mean, 8 s).
    write_records(&cfg, &a, &[(1, &[1.0, 2.0, 12.0])]);
    write_records(&cfg, &b, &[(2, &[8.0])]);
    let s = status(&cfg, &[a.clone(), b.clone()], None, 2).unwrap();
    assert_eq!((s.total, s.done), (12, 4));
    assert_eq!(s.groups.len(), 3);
    let g1 = &s.groups[0];
    assert_eq!((g1.width, g1.total, g1.done), (1, 4, 3));
    assert_relative_eq!(g1.median_seconds.unwrap(), 2.0);
    assert_relative_eq!(g1.mean_seconds.unwrap(), 5.0);
    assert_relative_eq!(g1.remaining_seconds.unwrap(), 5.0);
    assert!(!g1.borrowed);
    assert_relative_eq!(s.groups[1].remaining_seconds.unwrap(), 24.0);
    let g3 = &s.groups[2];
    assert_eq!((g3.width, g3.done), (3, 0));
    assert!(g3.borrowed);
    assert_relative_eq!(g3.remaining_seconds.unwrap(), 32.0);
    // 5 + 24 + 32 job-seconds, two at once.
    assert_relative_eq!(s.remaining_job_seconds.unwrap(), 61.0);
    assert_relative_eq!(s.remaining_wall_seconds.unwrap(), 30.5);
    assert_eq!(s.outcomes.get("unique"), Some(&4));

    // A file being written (its last line cut short) is read up to its
    // last complete line and left as it is.
    let mut bytes = std::fs::read(&b).unwrap();
    bytes.extend_from_slice(b"d1-k01-w2-k2-std-t0-convex,1,1,2,2,std");
    std::fs::write(&b, &bytes).unwrap();
    let s = status(&cfg, &[a.clone(), b.clone()], None, 2).unwrap();
    assert_eq!(s.done, 4);
    assert_eq!(std::fs::read(&b).unwrap(), bytes);

    // Nothing to go by for width 1 (none done): no estimate at all.
    let c = dir.path().join("c.csv");
    write_records(&cfg, &c, &[(2, &[8.0])]);
    let s = status(&cfg, &[c], None, 1).unwrap();
    assert!(s.groups[0].remaining_seconds.is_none());
    assert!(s.remaining_job_seconds.is_none());

    // The same job in two files, and no workers: errors.
    let err = status(&cfg, &[a.clone(), a.clone()], None, 1).unwrap_err();
    assert!(err.to_string().contains("also in"), "{err}");
    let err = status(&cfg, &[a], None, 0).unwrap_err();
    assert!(err.to_string().contains("workers"), "{err}");
}

#[test]
fn sweep_status_counts_what_a_sharded_run_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _) = plan(dir.path());
    let run = inrsamp()
        .current_dir(dir.path())
        .args(["sweep", "run", "--config", "plan.toml", "--shard", "2/3"])
        .args(["--out", "s2.csv", "--quiet", "--threads", "1"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let rows = csv::Reader::from_path(dir.path().join("s2.csv"))
        .unwrap()
        .records()
        .count();
    assert!(rows > 0);
    let out = inrsamp()
        .current_dir(dir.path())
        .args(["sweep", "status", "--config", "plan.toml", "--shards", "3"])
        .args(["s2.csv", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["done"], rows);
    assert_eq!(v["total"], 12);
    let shards = v["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    // Shard 2 is complete, the others untouched; the shards cover the plan.
    assert_eq!(shards[1]["done"], rows);
    assert_eq!(shards[1]["total"], rows);
    assert_eq!(shards[0]["done"], 0);
    assert_eq!(shards[2]["done"], 0);
    let covered: u64 = shards.iter().map(|s| s["total"].as_u64().unwrap()).sum();
    assert_eq!(covered, 12);
    // Three workers by default (one per shard).
    assert_eq!(v["workers"], 3);
    // The complete shard has no job left; shard 1's first job left is the
    // first row that a one-thread run of shard 1 then writes.
    assert!(shards[1]["next"].is_null());
    let next1 = shards[0]["next"].as_str().unwrap().to_string();
    let run1 = inrsamp()
        .current_dir(dir.path())
        .args(["sweep", "run", "--config", "plan.toml", "--shard", "1/3"])
        .args(["--out", "s1.csv", "--quiet", "--threads", "1"])
        .output()
        .unwrap();
    assert!(run1.status.success());
    let first: Record = csv::Reader::from_path(dir.path().join("s1.csv"))
        .unwrap()
        .deserialize()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(first.job, next1);

    // Text output names the groups; a record file of another plan (other
    // base seed: other settings hash) is refused with a non-zero exit.
    let text = inrsamp()
        .current_dir(dir.path())
        .args(["sweep", "status", "--config", "plan.toml", "s2.csv"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(t.contains(&format!("{rows} of 12 jobs recorded")), "{t}");
    let bad = inrsamp()
        .current_dir(dir.path())
        .args([
            "sweep",
            "status",
            "--config",
            "plan.toml",
            "--base-seed",
            "6",
        ])
        .arg("s2.csv")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(e.contains("settings hash"), "{e}");
    let zero = inrsamp()
        .current_dir(dir.path())
        .args(["sweep", "status", "--config", "plan.toml", "--shards", "0"])
        .arg("s2.csv")
        .output()
        .unwrap();
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("shards"));
}
