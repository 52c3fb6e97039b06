//! Issue #14: outputs that never clobber, sizes that never abort, I/O
//! errors that are errors, messages that say what is wrong. Each case runs
//! the built binary in a temporary folder.

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

const W: &str = "0.2,1,0.3";

/// Files in `dir` whose names start with `.inrsamp-` (temporary files).
fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".inrsamp-"))
        .collect()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// No panic (101) and no abort (signal): an exit code that a script can read.
fn assert_clean_failure(out: &std::process::Output, code: i32, needle: &str) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
}

#[test]
fn special_files_and_folders_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for target in [fifo.as_path(), dir.path()] {
        let out = inrsamp()
            .current_dir(dir.path())
            .args(["measure", "--w", W, "--out"])
            .arg(target)
            .output()
            .unwrap();
        assert_clean_failure(&out, 1, "out = ");
        assert!(stderr_of(&out).contains("replaces only regular files"));
    }
    // The FIFO is still a FIFO.
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("target.csv"), "old").unwrap();
    std::os::unix::fs::symlink("target.csv", dir.path().join("link.csv")).unwrap();
    inrsamp()
        .current_dir(dir.path())
        .args(["measure", "--w", W, "--out", "link.csv"])
        .assert()
        .success();
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink());
    let text = std::fs::read_to_string(dir.path().join("target.csv")).unwrap();
    assert!(text.starts_with("k1,re,im"), "{text}");
    // A dangling link is refused.
    std::os::unix::fs::symlink("missing/x.csv", dir.path().join("dangling.csv")).unwrap();
    let out = inrsamp()
        .current_dir(dir.path())
        .args(["measure", "--w", W, "--out", "dangling.csv"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "symlink whose target does not exist");
}

#[test]
fn outputs_follow_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("022", 0o644), ("077", 0o600)] {
        let bin = assert_cmd::cargo::cargo_bin("inrsamp");
        let status = std::process::Command::new("sh")
            .current_dir(dir.path())
            .arg("-c")
            .arg(format!(
                "umask {umask}; exec '{}' measure --w {W} --out y{umask}.csv > /dev/null",
                bin.display()
            ))
            .status()
            .unwrap();
        assert!(status.success());
        let m = std::fs::metadata(dir.path().join(format!("y{umask}.csv"))).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, mode, "umask {umask}");
    }
}

#[test]
fn output_paths_are_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    // fit would train for seconds; the bad --save path stops it at once and
    // the --log file is not created.
    let start = std::time::Instant::now();
    let out = inrsamp()
        .current_dir(dir.path())
        .args([
            "fit",
            "--w",
            W,
            "--log",
            "l.csv",
            "--save",
            "/nonexistent/s.json",
        ])
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "save = /nonexistent/s.json: the folder /nonexistent does not exist",
    );
    assert!(start.elapsed().as_secs_f64() < 5.0);
    assert!(!dir.path().join("l.csv").exists());
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn a_failed_run_leaves_none_of_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    // --function-grid 1 fails after --atoms-csv was written.
    let out = inrsamp()
        .current_dir(dir.path())
        .args([
            "solve",
            "--w",
            W,
            "--atoms-csv",
            "a.csv",
            "--function-csv",
            "f.csv",
            "--function-grid",
            "1",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "function-grid");
    assert!(!dir.path().join("a.csv").exists());
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn too_few_directions_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    // One grid direction for M = 9 measurements of a width-3 teacher: the
    // message names --grid-points, and --export-lp leaves no file.
    let out = inrsamp()
        .current_dir(dir.path())
        .args([
            "solve",
            "--teacher",
            "random",
            "--width",
            "3",
            "--k",
            "4",
            "--grid-points",
            "1",
            "--export-lp",
            "pre",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "raise --grid-points");
    assert!(temps(dir.path()).is_empty());
    assert!(!dir.path().join("pre_phi.npy").exists());
}

#[test]
fn stale_temporary_files_of_dead_processes_are_swept() {
    let dir = tempfile::tempdir().unwrap();
    // pid 4194305 is above Linux's pid_max (2^22): no such process.
    let dead = dir.path().join(".inrsamp-4194305-0.tmp");
    // pid 1 is alive: its file is not ours to remove.
    let alive = dir.path().join(".inrsamp-1-0.tmp");
    let other = dir.path().join(".inrsamp-notes.tmp");
    for p in [&dead, &alive, &other] {
        std::fs::write(p, "x").unwrap();
    }
    inrsamp()
        .current_dir(dir.path())
        .args(["measure", "--w", W, "--out", "y.csv"])
        .assert()
        .success();
    assert!(!dead.exists());
    assert!(alive.exists());
    assert!(other.exists());
}

#[test]
fn a_terminated_run_removes_its_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("inrsamp"))
        .current_dir(dir.path())
        .args([
            "fit",
            "--w",
            W,
            "--outer-max",
            "100000",
            "--tau",
            "1e-300",
            // The teacher-free stop must not end the run before the signal
            // (on a quiet machine it stopped within 0.4 s).
            "--stationarity-tol",
            "1e-300",
            "--feasibility-tol",
            "1e-300",
            "--log",
            "l.csv",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the streamed log's temporary file.
    let t0 = std::time::Instant::now();
    while temps(dir.path()).is_empty() && t0.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!temps(dir.path()).is_empty(), "no temporary file appeared");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(temps(dir.path()).is_empty(), "{:?}", temps(dir.path()));
    assert!(!dir.path().join("l.csv").exists());
}

#[test]
fn huge_and_tiny_weights_measure_by_homogeneity() {
    // A sigma(g_{t w}) = t A sigma(g_w) for t > 0 (docs/theory.md 1): the
    // measurements at t = 1e200 and 1e-200 are t times those at t = 1.
    let base = run_json(&["measure", "--w", W, "--exact", "--json"]);
    let y1: Vec<f64> = base["real_vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for t in [1e200, 1e-200] {
        let w: Vec<String> = [0.2, 1.0, 0.3]
            .iter()
            .map(|v| format!("{:e}", v * t))
            .collect();
        let v = run_json(&["measure", "--w", &w.join(","), "--exact", "--json"]);
        let yt: Vec<f64> = v["real_vector"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let scaled: Vec<f64> = y1.iter().map(|v| v * t).collect();
        assert!(dist(&yt, &scaled) <= 1e-12 * norm(&scaled), "t = {t}");
        // The grid route agrees too (its automatic N is scale-free).
        let g = run_json(&["measure", "--w", &w.join(","), "--json"]);
        assert_eq!(g["tolerance_met"], true, "t = {t}");
        assert_eq!(g["n"], base_grid_n(), "t = {t}");
    }
    // The solvers refuse such data with advice instead of reporting 0.
    let out = inrsamp()
        .args(["solve", "--w", "1e200,1e200,1e200"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "homogeneous");
}

fn base_grid_n() -> serde_json::Value {
    run_json(&["measure", "--w", W, "--json"])["n"].clone()
}

#[test]
fn sizes_beyond_memory_are_errors_not_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["measure", "--w", W, "--k", "500000"], "k = 500000"),
        (
            &["fit", "--w", W, "--student-width", "100000000"],
            "student-width = 100000000",
        ),
        (
            &[
                "solve",
                "--w",
                W,
                "--eta-csv",
                "e.csv",
                "--eta-resolution",
                "100000",
            ],
            "eta-resolution = 100000",
        ),
        (
            &["solve", "--measurements", "/dev/zero"],
            "the most this file can need",
        ),
        (
            &["--threads", "100000", "measure", "--w", W],
            "threads = 100000",
        ),
    ];
    for (args, needle) in cases {
        let out = inrsamp()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_clean_failure(&out, 1, needle);
    }
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn io_errors_on_stdout_and_stderr_are_errors_not_panics() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return; // no /dev/full on this system: nothing to test
    };
    let bin = assert_cmd::cargo::cargo_bin("inrsamp");
    let out = std::process::Command::new(&bin)
        .args(["measure", "--w", W, "--json"])
        .stdout(full.try_clone().unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "writing to stdout");
    let out = std::process::Command::new(&bin)
        .args(["fit", "--w", W, "--outer-max", "2"])
        .stdout(Stdio::piped())
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("error: writing progress to stderr failed")
    );
}

#[test]
fn a_closed_pipe_exits_quietly_with_141() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("inrsamp"))
        .args([
            "measure", "--d", "2", "--k", "120", "--k0", "1", "--quad", "256", "--w",
        ])
        .arg("0.2,1,0.3,0.1,0.1,0.1,0.1,0.1,0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "{}", stderr_of(&out));
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
}

#[test]
fn messages_and_exits_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    // A vanishing teacher: inconclusive, exit 3, no zero-mass atoms.
    let out = inrsamp()
        .args(["certify", "--w", "0,0,0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verdict: inconclusive"), "{text}");
    assert!(!text.contains("atom c ="), "{text}");
    // A teacher file with one vanishing unit is certified on the others.
    std::fs::write(
        dir.path().join("t.json"),
        r#"{"d":1,"k0":1,"units":[{"a":1.0,"w":[0.2,1,0.3]},{"a":1.0,"w":[0,0,0]}]}"#,
    )
    .unwrap();
    // Independent check: the same verdict, cost and bracket as the teacher
    // without that unit (a unit with w = 0 is the zero function).
    let json = |args: &[&str]| -> serde_json::Value {
        let out = inrsamp()
            .current_dir(dir.path())
            .args(args)
            .args(["--no-refine", "--json"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(3)),
            "{}",
            stderr_of(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let with = json(&["certify", "--teacher-file", "t.json"]);
    let without = json(&["certify", "--w", "0.2,1,0.3"]);
    for key in [
        "verdict",
        "teacher_cost",
        "certified_lower",
        "certified_upper",
    ] {
        assert_eq!(with[key], without[key], "{key}");
    }
    // compare without a convex solution stops before training.
    let t0 = std::time::Instant::now();
    let out = inrsamp()
        .args(["compare", "--w", W, "--off-grid", "--grid-points", "3"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no verified solution");
    assert!(t0.elapsed().as_secs_f64() < 5.0);
    // Usage errors (exit 2) for values clap can check.
    for args in [
        &[
            "lp",
            "--phi",
            "a",
            "--y",
            "b",
            "--psi",
            "c",
            "--max-iter",
            "0",
        ][..],
        &["certify", "--w", W, "--eta-resolution", "1"][..],
    ] {
        let out = inrsamp().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // --exact=false overrides exact = true of a config.
    std::fs::write(dir.path().join("c.toml"), "exact = true\n").unwrap();
    let v = inrsamp()
        .current_dir(dir.path())
        .args([
            "measure",
            "--w",
            W,
            "--config",
            "c.toml",
            "--exact=false",
            "--json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(v["method"], "grid");
}
