//! `inrsamp sweep` end to end (issue #11): kill-and-resume loses and
//! duplicates nothing, shards merged equal the unsharded run, results do
//! not depend on the thread count, bad plans and shards are clear errors,
//! and the tables agree with a direct recount of the records.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

/// A small convex-only plan in d = 1 without refinement (tens of
/// milliseconds per job).
const PLAN: &str = r#"
name = "t"
d = [1]
k0 = [1]
width = [1, 2]
k = [1, 2, 3]
psi = ["std", "pre"]
trials = 2
routes = ["convex"]
base_seed = 11
[convex]
grid_points = 400
refine = false
"#;

/// Records keyed by job, without the timing column.
fn rows(path: &Path) -> BTreeMap<String, Vec<String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let secs = headers.iter().position(|h| h == "seconds").unwrap();
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut v: Vec<String> = rec.iter().map(str::to_string).collect();
        v.remove(secs);
        assert!(out.insert(v[0].clone(), v).is_none(), "duplicate job");
    }
    out
}

/// Writes PLAN to `dir/plan.toml` and runs it uninterrupted into
/// `dir/ref.csv` (the reference the other runs are compared with).
fn reference_run(dir: &Path) {
    std::fs::write(dir.join("plan.toml"), PLAN).unwrap();
    let out = sweep(
        dir,
        &[
            "run",
            "--config",
            "plan.toml",
            "--out",
            "ref.csv",
            "--quiet",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sweep(dir: &Path, args: &[&str]) -> std::process::Output {
    inrsamp()
        .current_dir(dir)
        .arg("sweep")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn kill_resume_shards_and_threads_give_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    // The reference: one uninterrupted run.
    reference_run(dir.path());
    let reference = rows(&dir.path().join("ref.csv"));
    assert_eq!(reference.len(), 2 * 3 * 2 * 2);
    // Killed with SIGKILL at several moments, then resumed until done.
    let bin = assert_cmd::cargo::cargo_bin("inrsamp");
    for (round, wait_ms) in [40u64, 120, 250, 450].iter().enumerate() {
        let mut args = vec![
            "sweep",
            "run",
            "--config",
            "plan.toml",
            "--out",
            "k.csv",
            "--quiet",
        ];
        if round > 0 {
            args.push("--resume");
        }
        let mut child = std::process::Command::new(&bin)
            .current_dir(dir.path())
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(*wait_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let out = sweep(
        dir.path(),
        &[
            "run",
            "--config",
            "plan.toml",
            "--out",
            "k.csv",
            "--resume",
            "--quiet",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows(&dir.path().join("k.csv")), reference);
    // Two shards, merged, equal the reference; one thread equals two.
    for (shard, threads) in [("1/2", "1"), ("2/2", "2")] {
        let name = format!("s{}.csv", &shard[..1]);
        let out = inrsamp()
            .current_dir(dir.path())
            .args([
                "--threads",
                threads,
                "sweep",
                "run",
                "--config",
                "plan.toml",
            ])
            .args(["--out", &name, "--shard", shard, "--quiet"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = sweep(
        dir.path(),
        &[
            "merge",
            "s1.csv",
            "s2.csv",
            "--out",
            "m.csv",
            "--config",
            "plan.toml",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows(&dir.path().join("m.csv")), reference);
    // One shard alone is incomplete; a shard twice overlaps.
    let out = sweep(
        dir.path(),
        &["merge", "s1.csv", "--out", "x.csv", "--config", "plan.toml"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
    let out = sweep(dir.path(), &["merge", "s1.csv", "s1.csv", "--out", "x.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is also in"));
    assert!(!dir.path().join("x.csv").exists());
}

#[test]
fn a_truncated_last_line_is_cut_off_and_rerun() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.toml"),
        PLAN.replace("width = [1, 2]", "width = [1]")
            .replace("k = [1, 2, 3]", "k = [2]"),
    )
    .unwrap();
    let out = sweep(
        dir.path(),
        &["run", "--config", "plan.toml", "--out", "r.csv", "--quiet"],
    );
    assert!(out.status.success());
    let full = rows(&dir.path().join("r.csv"));
    let text = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    // Cut the file in the middle of its last line.
    let cut = text.trim_end().len() - 10;
    std::fs::write(dir.path().join("r.csv"), &text[..cut]).unwrap();
    let out = sweep(
        dir.path(),
        &[
            "run",
            "--config",
            "plan.toml",
            "--out",
            "r.csv",
            "--resume",
            "--quiet",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 run"));
    assert_eq!(rows(&dir.path().join("r.csv")), full);
}

#[test]
fn tables_count_the_records() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.toml"), PLAN).unwrap();
    let out = sweep(
        dir.path(),
        &["run", "--config", "plan.toml", "--out", "r.csv", "--quiet"],
    );
    assert!(out.status.success());
    let out = sweep(dir.path(), &["report", "r.csv", "--out", "rep"]);
    assert!(out.status.success());
    // Recount from the records with the csv crate, independently of the
    // report code: successes per (psi, W, K).
    let mut count: BTreeMap<(String, String, String), (usize, usize)> = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(dir.path().join("r.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (psi, w, k, outcome) = (col("psi"), col("width"), col("k"), col("outcome"));
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let e = count
            .entry((rec[psi].to_string(), rec[w].to_string(), rec[k].to_string()))
            .or_default();
        e.0 += 1;
        e.1 += (&rec[outcome] == "unique" || &rec[outcome] == "recovered") as usize;
    }
    let mut rdr = csv::Reader::from_path(dir.path().join("rep/tables.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut seen = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let key = (
            rec[col("psi")].to_string(),
            rec[col("width")].to_string(),
            rec[col("k")].to_string(),
        );
        let (n, s) = count[&key];
        assert_eq!(rec[col("n")].parse::<usize>().unwrap(), n);
        assert_eq!(rec[col("successes")].parse::<usize>().unwrap(), s);
        seen += 1;
    }
    assert_eq!(seen, count.len());
    for f in [
        "tables.txt",
        "convex-std-d1-k01.png",
        "convex-pre-d1-k01.png",
    ] {
        assert!(dir.path().join("rep").join(f).exists(), "{f}");
    }
}

#[test]
fn bad_plans_and_shards_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 6] = [
        (
            "d = [1]\nk0 = [1]\nwidth = [1]\nk = [2]\npsi = [\"mod\"]\ntrials = 1\nroutes = [\"convex\"]\ncolour = 3\n",
            "unknown field",
        ),
        (
            "d = [1]\nk0 = [1]\nwidth = []\nk = [2]\npsi = [\"mod\"]\ntrials = 1\nroutes = [\"convex\"]\n",
            "width = []",
        ),
        (
            "d = [1]\nk0 = [1]\nwidth = [1]\nk = [0]\npsi = [\"mod\"]\ntrials = 1\nroutes = [\"convex\"]\n",
            "k = 0",
        ),
        (
            "d = [1]\nk0 = [1]\nwidth = [0]\nk = [2]\npsi = [\"mod\"]\ntrials = 1\nroutes = [\"convex\"]\n",
            "width = 0",
        ),
        (
            "d = [1]\nk0 = [1]\nwidth = [1]\nk = [2]\npsi = [\"l1\"]\ntrials = 1\nroutes = [\"convex\"]\n",
            "psi = l1",
        ),
        (
            "d = [1]\nk0 = [1]\nwidth = [1]\nk = [2]\npsi = [\"mod\"]\ntrials = 0\nroutes = [\"convex\"]\n",
            "trials = 0",
        ),
    ];
    for (plan, needle) in cases {
        std::fs::write(dir.path().join("p.toml"), plan).unwrap();
        let out = sweep(dir.path(), &["run", "--config", "p.toml", "--out", "r.csv"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{needle}: {err}");
        assert!(err.contains(needle), "{needle}: {err}");
        assert!(!dir.path().join("r.csv").exists());
    }
    std::fs::write(dir.path().join("p.toml"), PLAN).unwrap();
    for shard in ["3/2", "0/0", "1/0", "x"] {
        let out = sweep(dir.path(), &["run", "--config", "p.toml", "--shard", shard]);
        assert_eq!(out.status.code(), Some(2), "{shard}");
    }
    // A resume file from other settings.
    let out = sweep(
        dir.path(),
        &[
            "run", "--config", "p.toml", "--out", "r.csv", "--quiet", "--trials", "1",
        ],
    );
    assert!(out.status.success());
    let out = sweep(
        dir.path(),
        &["run", "--config", "p.toml", "--out", "r.csv", "--resume"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the same plan"));
    // An existing file without --resume.
    let out = sweep(
        dir.path(),
        &[
            "run", "--config", "p.toml", "--out", "r.csv", "--trials", "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
}

#[test]
fn preset_files_are_the_presets() {
    use inrsamp::experiment::ExperimentConfig;
    for name in ["quick", "paper"] {
        let file = ExperimentConfig::from_file(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("data/experiments/{name}.toml")),
        )
        .unwrap();
        let preset = ExperimentConfig::preset(name).unwrap();
        assert_eq!(file.settings_hash(), preset.settings_hash(), "{name}");
        assert_eq!(file.jobs().len(), preset.jobs().len());
    }
}

/// The Slurm scripts without Slurm: each array task is run by hand with
/// its SLURM_ARRAY_TASK_ID, then the merge script; the merged records equal
/// an unsharded run.
#[test]
fn the_slurm_scripts_shard_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    reference_run(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("inrsamp");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/slurm");
    for i in ["1", "2", "3"] {
        let st = std::process::Command::new("bash")
            .current_dir(dir.path())
            .arg(scripts.join("sweep-array.sh"))
            .args(["plan.toml", "3"])
            .env("SLURM_ARRAY_TASK_ID", i)
            .env("INRSAMP_BIN", &bin)
            .status()
            .unwrap();
        assert!(st.success(), "task {i}");
    }
    let st = std::process::Command::new("bash")
        .current_dir(dir.path())
        .arg(scripts.join("sweep-merge.sh"))
        .args(["plan.toml", "3"])
        .env("INRSAMP_BIN", &bin)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    assert_eq!(
        rows(&dir.path().join("runs/plan.csv")),
        rows(&dir.path().join("ref.csv"))
    );
    assert!(dir.path().join("runs/plan/tables.txt").exists());
}

/// The scripts under a real single-node Slurm (`data/slurm/single-node.sh
/// start`, which `.ci/run` calls and which sets nothing else): an array of
/// 3 shards, then the merge job with `--dependency=afterok`. Runs when
/// `INRSAMP_SLURM=1` (set by `.ci/run` once Slurm is up); otherwise it says
/// so and returns.
#[test]
fn the_slurm_scripts_run_under_slurm() {
    if std::env::var("INRSAMP_SLURM").as_deref() != Ok("1") {
        eprintln!("no Slurm here (INRSAMP_SLURM != 1): see data/slurm/single-node.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("runs")).unwrap();
    reference_run(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("inrsamp");
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/slurm");
    let sbatch = |args: &[&str]| -> String {
        let out = std::process::Command::new("sbatch")
            .current_dir(dir.path())
            .args(["--parsable", "--export=ALL"])
            .args(args)
            .env("INRSAMP_BIN", &bin)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let array = sbatch(&[
        "--array=1-3",
        "--cpus-per-task=1",
        scripts.join("sweep-array.sh").to_str().unwrap(),
        "plan.toml",
        "3",
    ]);
    let merge = sbatch(&[
        &format!("--dependency=afterok:{array}"),
        scripts.join("sweep-merge.sh").to_str().unwrap(),
        "plan.toml",
        "3",
    ]);
    let t0 = std::time::Instant::now();
    loop {
        let q = std::process::Command::new("squeue")
            .args(["-h", "-j", &format!("{array},{merge}")])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&q.stdout).trim().is_empty() {
            break;
        }
        assert!(
            t0.elapsed().as_secs() < 300,
            "Slurm jobs did not finish in 5 minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_eq!(
        rows(&dir.path().join("runs/plan.csv")),
        rows(&dir.path().join("ref.csv"))
    );
}

/// The committed runs stay resumable: the settings hash of each preset and
/// route equals the one recorded in `data/runs/` (a new setting that is off
/// by default, such as `[convex] decide`, must not change it), and turning
/// `decide` on does change it (its records do not mix with the others).
#[test]
fn committed_runs_keep_their_settings_hash() {
    use inrsamp::experiment::ExperimentConfig;
    use inrsamp::experiment::config::Route;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (preset, route, csv) in [
        (
            "quick",
            Route::Convex,
            "data/runs/figure2-quick-convex/figure2-quick-convex.csv",
        ),
        (
            "quick",
            Route::Al,
            "data/runs/figure2-quick-al/figure2-quick-al.csv",
        ),
        (
            "paper",
            Route::Al,
            "data/runs/figure2-paper-al/figure2-paper-al.csv",
        ),
    ] {
        let mut cfg = ExperimentConfig::preset(preset).unwrap();
        cfg.routes = vec![route];
        let mut rdr = csv::Reader::from_path(root.join(csv)).unwrap();
        let col = rdr
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "settings_hash")
            .unwrap();
        let recorded = rdr.records().next().unwrap().unwrap()[col].to_string();
        assert_eq!(cfg.settings_hash(), recorded, "{csv}");
        cfg.convex.decide = true;
        assert_ne!(
            cfg.settings_hash(),
            recorded,
            "{csv}: decide must change the hash"
        );
    }
}
