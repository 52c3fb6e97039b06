//! `inrsamp lp` end to end: the export/import round trip with `solve`,
//! CSV input and bad input, column generation against the full LP.

mod common;
use common::*;

#[test]
fn export_lp_and_solve_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("prob");
    let v = run_json(&[
        "solve",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        "3",
        "--teacher",
        "random",
        "--width",
        "2",
        "--seed",
        "5",
        "--grid-points",
        "800",
        "--strategy",
        "full",
        "--json",
        "--export-lp",
        prefix.to_str().unwrap(),
    ]);
    let p = |s: &str| format!("{}_{s}.npy", prefix.display());
    for backend in ["clarabel", "clarabel-primal", "good-lp", "simplex"] {
        let w = run_json(&[
            "lp",
            "--phi",
            &p("phi"),
            "--y",
            &p("y"),
            "--psi",
            &p("psi"),
            "--backend",
            backend,
            "--json",
        ]);
        for key in ["status", "objective", "solve_seconds", "nonzeros"] {
            assert!(w.get(key).is_some(), "missing {key}");
        }
        let (a, b) = (
            v["objective"].as_f64().unwrap(),
            w["objective"].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1e-7 * a, "{backend}: solve {a} vs lp {b}");
    }
}

#[test]
fn lp_reads_csv_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let phi = w("phi.csv", "1,1,0\n0,1,1\n");
    let y = w("y.csv", "1\n1\n");
    let psi = w("psi.csv", "1\n1.5\n1\n");
    let v = run_json(&["lp", "--phi", &phi, "--y", &y, "--psi", &psi, "--json"]);
    assert!((v["objective"].as_f64().unwrap() - 1.5).abs() < 1e-8);
    assert_eq!(v["nonzeros"], 1);
    // Exact data: the simplex by default; noisy data: Clarabel (the simplex
    // has no second-order cone). |c - y| <= 0.1 with the same columns: the
    // cheapest is 1.5 (1 - 0.1/sqrt(2)) on the middle column.
    assert_eq!(v["backend"], "simplex");
    let noisy = run_json(&[
        "lp",
        "--phi",
        &phi,
        "--y",
        &y,
        "--psi",
        &psi,
        "--noise-delta",
        "0.1",
        "--json",
    ]);
    assert_eq!(noisy["backend"], "clarabel");
    let expected = 1.5 * (1.0 - 0.1 / 2f64.sqrt());
    assert!(
        (noisy["objective"].as_f64().unwrap() - expected).abs() < 1e-7,
        "{}",
        noisy["objective"]
    );
    let y3 = w("y3.csv", "1\n1\n1\n");
    fails_with(
        &["lp", "--phi", &phi, "--y", &y3, "--psi", &psi],
        "expected 2, got 3",
    );
    let psi_neg = w("psin.csv", "1\n-1\n1\n");
    fails_with(
        &["lp", "--phi", &phi, "--y", &y, "--psi", &psi_neg],
        "negative",
    );
    let psi_nan = w("psinan.csv", "1\nnan\n1\n");
    fails_with(
        &["lp", "--phi", &phi, "--y", &y, "--psi", &psi_nan],
        "not finite",
    );
    let zero = w("zero.csv", "0,0,0\n0,0,0\n");
    fails_with(
        &["lp", "--phi", &zero, "--y", &y, "--psi", &psi],
        "all zero",
    );
    let ragged = w("ragged.csv", "1,1\n0,1,1\n");
    fails_with(
        &["lp", "--phi", &ragged, "--y", &y, "--psi", &psi],
        "row 2 has 3 entries",
    );
    let infeasible_phi = w("inf.csv", "1,1,1\n0,0,0\n");
    fails_with(
        &["lp", "--phi", &infeasible_phi, "--y", &y, "--psi", &psi],
        "infeasible",
    );
    fails_with(
        &[
            "lp",
            "--phi",
            &phi,
            "--y",
            &y,
            "--psi",
            &psi,
            "--noise-delta",
            "-1",
        ],
        "noise-delta",
    );
    fails_with(
        &["lp", "--phi", "/nonexistent.npy", "--y", &y, "--psi", &psi],
        "/nonexistent.npy",
    );
}

#[test]
fn lp_column_generation_matches_the_full_lp() {
    // The default `lp` strategy (column generation) against its twin, one
    // LP on every column, on an exported d = 2 dictionary.
    let dir = tempfile::tempdir().unwrap();
    inrsamp()
        .current_dir(dir.path())
        .args(["solve", "--d", "2", "--k0", "1", "--k", "3", "--psi", "mod"])
        .args([
            "--teacher",
            "random",
            "--width",
            "2",
            "--seed",
            "1",
            "--grid-points",
            "3000",
        ])
        .args(["--export-lp", "p"])
        .assert()
        .success();
    let run = |strategy: &str| -> serde_json::Value {
        let out = inrsamp()
            .current_dir(dir.path())
            .args([
                "lp",
                "--phi",
                "p_phi.npy",
                "--y",
                "p_y.npy",
                "--psi",
                "p_psi.npy",
            ])
            .args(["--strategy", strategy, "--json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (cg, full) = (run("columns"), run("full"));
    let (a, b) = (
        cg["objective"].as_f64().unwrap(),
        full["objective"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-8 * b.abs(), "columns {a} vs full {b}");
    assert!(cg["max_column_eta"].as_f64().unwrap() <= 1.0 + 1e-6);
    assert!(cg["lp_solves"].as_u64().unwrap() >= 1);
}
