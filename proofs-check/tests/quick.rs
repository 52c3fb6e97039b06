//! The quick set of claims runs in CI through `cargo test`; a malformed
//! claim file is reported by name and field while the others still run.

use assert_cmd::Command;

#[test]
#[ignore = "slow (about 7 min): .ci/run runs it (cargo test -- --include-ignored)"]
fn quick_set_meets_every_expectation() {
    let out = Command::cargo_bin("proofs-check")
        .unwrap()
        .args(["--quick"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "proofs-check --quick failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("theorem1-psi-mod"), "{stdout}");
    assert!(stdout.contains(", 0 unexpected, 0 malformed"), "{stdout}");
}

#[test]
fn malformed_claims_are_reported_and_the_rest_run() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"
id = "good"
statement = "s"
reference = "r"
kind = "identity"
identity = "real-map-norm"
expect = "holds"
[family]
d = [1]
k0 = [1]
k = [2]
instances = 3
quick_instances = 2
"#;
    std::fs::write(dir.path().join("good.toml"), good).unwrap();
    std::fs::write(
        dir.path().join("unknown-kind.toml"),
        good.replace("\"identity\"\nidentity", "\"magic\"\nidentity"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad-psi.toml"),
        good.replace("instances = 3", "instances = 3\npsi = [\"l1\"]"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("missing.toml"),
        good.replace("statement = \"s\"\n", ""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad-k.toml"),
        good.replace("k = [2]", "k = [\"k0-1\"]"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad-tol.toml"),
        format!("{good}[tolerances]\ncost_gap = -1\n"),
    )
    .unwrap();
    let out = Command::cargo_bin("proofs-check")
        .unwrap()
        .args([
            "--quick",
            "--claims",
            dir.path().to_str().unwrap(),
            "--csv",
            dir.path().join("out.csv").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("unknown-kind.toml") && stderr.contains("magic"),
        "{stderr}"
    );
    assert!(stderr.contains("bad-psi.toml: family.psi"), "{stderr}");
    assert!(
        stderr.contains("missing.toml") && stderr.contains("statement"),
        "{stderr}"
    );
    assert!(stderr.contains("bad-k.toml: family.k"), "{stderr}");
    assert!(
        stderr.contains("bad-tol.toml: tolerances.cost_gap"),
        "{stderr}"
    );
    assert!(
        stdout.contains("good") && stdout.contains("1 claims, 0 unexpected, 5 malformed"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2);
    assert!(csv.lines().nth(1).unwrap().starts_with("good,1,1,2,1,mod,"));
}

/// Runs `proofs-check --quick` on a folder holding only `claim`; returns the
/// exit code, stdout and stderr.
fn run_quick_on(claim: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), claim).unwrap();
    let out = Command::cargo_bin("proofs-check")
        .unwrap()
        .args(["--quick", "--claims", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_claim_expected_to_hold_that_fails_exits_non_zero() {
    // Balancing with a tolerance no float can meet.
    let claim = r#"
id = "too-strict"
statement = "s"
reference = "r"
kind = "identity"
identity = "balancing"
expect = "holds"
[family]
d = [1]
k0 = [1]
width = [3]
psi = ["std"]
instances = 2
quick_instances = 2
[tolerances]
identity = 1e-300
"#;
    let (code, stdout, _) = run_quick_on(claim);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("UNEXPECTED"), "{stdout}");
}

#[test]
fn a_claim_with_too_many_inconclusive_instances_is_unchecked() {
    // One grid direction (plus the teacher's) for M = 25 measurements with
    // the teacher off the grid: every solve fails, so nothing is checked and
    // the claim must not pass as "holds".
    let claim = r#"
id = "nothing-checked"
statement = "s"
reference = "r"
kind = "certificate"
expect = "holds"
[family]
d = [2]
k0 = [1]
k = ["2*k0"]
instances = 2
quick_instances = 2
grid_points = 1
off_grid = true
"#;
    let (code, stdout, stderr) = run_quick_on(claim);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("UNCHECKED"), "{stdout}\n{stderr}");
}

#[test]
fn a_claim_inrsamp_would_reject_is_malformed() {
    // The feature dimension 17^3 exceeds inrsamp's limit: rejected when the
    // claim is read, naming the file, the cell and inrsamp's reason.
    let claim = r#"
id = "too-big"
statement = "s"
reference = "r"
kind = "certificate"
expect = "holds"
[family]
d = [3]
k0 = [8]
k = ["2*k0"]
instances = 2
quick_instances = 2
"#;
    let (code, stdout, stderr) = run_quick_on(claim);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stderr.contains("inrsamp rejects it"), "{stderr}");
    assert!(stderr.contains("exceeds the limit 4096"), "{stderr}");
}

const GOOD: &str = r#"
id = "good"
statement = "s"
reference = "r"
kind = "identity"
identity = "real-map-norm"
expect = "holds"
[family]
d = [1]
k0 = [1]
k = [2]
instances = 50
quick_instances = 2
"#;

fn proofs_check(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("proofs-check")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_claim_by_id_runs_its_quick_set_despite_an_unrelated_malformed_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("broken.toml"), "id = [").unwrap();
    let folder = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = proofs_check(&["--claims", folder, "good"]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("proofs-check (quick)"), "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("broken.toml"),
        "{stderr}"
    );
    // 2 quick instances, not the 50 of the full run.
    assert!(stderr.contains("good done: 2 instances"), "{stderr}");
    // With --full every instance runs.
    let (code, _, stderr) = proofs_check(&["--claims", folder, "--full", "good"]);
    assert_eq!(code, Some(0));
    assert!(stderr.contains("good done: 50 instances"), "{stderr}");
}

#[test]
fn duplicate_ids_empty_folders_and_bad_csv_paths_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("b.toml"), GOOD).unwrap();
    let folder = dir.path().to_str().unwrap();
    let (code, _, stderr) = proofs_check(&["--quick", "--claims", folder]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("id good is already used"), "{stderr}");
    let empty = tempfile::tempdir().unwrap();
    let (code, _, stderr) = proofs_check(&["--quick", "--claims", empty.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no claim files"), "{stderr}");
    // The CSV path is checked before any claim runs.
    let t0 = std::time::Instant::now();
    let (code, _, stderr) = proofs_check(&["--full", "--csv", "/nonexistent/x.csv"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("csv = /nonexistent/x.csv"), "{stderr}");
    assert!(t0.elapsed().as_secs_f64() < 5.0);
}

#[test]
fn an_overflowing_cutoff_expression_is_malformed() {
    let claim = GOOD.replace("k = [2]", "k = [\"9223372036854775807*k0\"]");
    let (code, _, stderr) = run_quick_on(&claim.replace("k0 = [1]", "k0 = [2]"));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("overflows"), "{stderr}");
    // An absurd instance count is malformed, not an abort.
    let claim = GOOD.replace(
        "instances = 50\nquick_instances = 2",
        "instances = 50\nquick_instances = 1000000000000000",
    );
    let (code, _, stderr) = run_quick_on(&claim);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("family.quick_instances"), "{stderr}");
}

#[test]
fn an_interrupted_csv_resumes_without_rerunning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), GOOD).unwrap();
    let folder = dir.path().to_str().unwrap();
    let csv = dir.path().join("r.csv");
    let csv_s = csv.to_str().unwrap();
    let (code, stdout, _) = proofs_check(&["--claims", folder, "--full", "--csv", csv_s, "good"]);
    assert_eq!(code, Some(0));
    let full = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(full.lines().count(), 1 + 50);
    // Without --resume an existing record file is refused.
    let (code, _, stderr) = proofs_check(&["--claims", folder, "--full", "--csv", csv_s, "good"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--resume"), "{stderr}");
    // Keep 20 complete rows and half of the 21st, as a kill would.
    let lines: Vec<&str> = full.lines().collect();
    let mut cut = lines[..21].join("\n");
    cut.push('\n');
    cut.push_str(&lines[21][..lines[21].len() / 2]);
    std::fs::write(&csv, cut).unwrap();
    let (code, stdout2, stderr) = proofs_check(&[
        "--claims", folder, "--full", "--csv", csv_s, "--resume", "good",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("20 instances read back"), "{stderr}");
    // The same summary and the same set of rows.
    assert_eq!(stdout.lines().last(), stdout2.lines().last());
    let mut a: Vec<&str> = full.lines().collect();
    let resumed = std::fs::read_to_string(&csv).unwrap();
    let mut b: Vec<&str> = resumed.lines().collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}

#[test]
fn shards_merged_equal_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), GOOD).unwrap();
    let folder = dir.path().to_str().unwrap();
    let path = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let (code, stdout, _) = proofs_check(&[
        "--claims",
        folder,
        "--full",
        "--csv",
        &path("all.csv"),
        "good",
    ]);
    assert_eq!(code, Some(0));
    for (shard, file) in [("1/2", "a.csv"), ("2/2", "b.csv")] {
        let (code, out, stderr) = proofs_check(&[
            "--claims",
            folder,
            "--full",
            "--shard",
            shard,
            "--csv",
            &path(file),
            "good",
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(out.contains("partial (shard)"), "{out}");
        let rows = std::fs::read_to_string(path(file)).unwrap().lines().count();
        assert_eq!(rows, 1 + 25, "{file}");
    }
    let (code, merged_out, stderr) = proofs_check(&[
        "--claims",
        folder,
        "--full",
        "--csv",
        &path("m.csv"),
        "--merge-from",
        &path("a.csv"),
        "--merge-from",
        &path("b.csv"),
        "good",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("50 instances read back"), "{stderr}");
    assert_eq!(stdout.lines().last(), merged_out.lines().last());
    let sorted = |f: &str| {
        let text = std::fs::read_to_string(path(f)).unwrap();
        let mut v: Vec<String> = text.lines().map(str::to_string).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(sorted("all.csv"), sorted("m.csv"));
    // Bad shards are usage errors.
    for bad in ["3/2", "0/0", "1/0", "x"] {
        let (code, _, stderr) = proofs_check(&["--claims", folder, "--shard", bad, "good"]);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("shard"), "{stderr}");
    }
}
