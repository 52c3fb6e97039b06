//! The command line end to end: documented JSON, CSV output, configs,
//! teacher files, and bad input (one-line error, non-zero exit, no file).

mod common;
use common::*;
use predicates::prelude::*;
use std::path::Path;

fn coefficient(v: &serde_json::Value, k: &[i64]) -> (f64, f64) {
    let c = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["k"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect::<Vec<_>>()
                == k
        })
        .expect("frequency listed");
    (c["re"].as_f64().unwrap(), c["im"].as_f64().unwrap())
}

#[test]
fn measure_exact_1d_prints_documented_json() {
    // g = cos(2 pi x): sigma(g) has mean 1/pi and first coefficient 1/4.
    let v = run_json(&[
        "measure",
        "--d",
        "1",
        "--k0",
        "2",
        "--k",
        "5",
        "--w",
        "0,1,0,0,0",
        "--exact",
        "--json",
    ]);
    assert_eq!(v["m"], 11);
    assert_eq!(v["method"], "exact");
    assert!(v["quadrature_error_estimate"].is_null());
    assert_eq!(v["coefficients"].as_array().unwrap().len(), 11);
    let (re0, im0) = coefficient(&v, &[0]);
    assert!((re0 - 1.0 / std::f64::consts::PI).abs() < 1e-14 && im0 == 0.0);
    let (re1, _) = coefficient(&v, &[1]);
    let (rem1, _) = coefficient(&v, &[-1]);
    assert!((re1 - 0.25).abs() < 1e-14 && (rem1 - 0.25).abs() < 1e-14);
}

#[test]
fn measure_2d_grid_reports_error_estimate() {
    let v = run_json(&[
        "measure",
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
        "3",
        "--json",
    ]);
    assert_eq!(v["m"], 49);
    assert_eq!(v["method"], "grid");
    let e = v["quadrature_error_estimate"].as_f64().unwrap();
    let rel = v["relative_error_estimate"].as_f64().unwrap();
    assert!(e > 0.0 && rel <= 1e-6, "estimate {e}, relative {rel}");
    assert_eq!(v["tolerance_met"], true);
    // Hermitian symmetry in the output.
    let (a, b) = coefficient(&v, &[1, -2]);
    let (c, d) = coefficient(&v, &[-1, 2]);
    assert!((a - c).abs() < 1e-15 && (b + d).abs() < 1e-15);
    // Same seed, same answer.
    let v2 = run_json(&[
        "measure",
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
        "3",
        "--json",
    ]);
    assert_eq!(v["coefficients"], v2["coefficients"]);
}

#[test]
fn measure_writes_csv_atomically_and_config_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("spec.toml");
    std::fs::write(&cfg, "d = 2\nk0 = 1\nk = 2\npsi = \"std\"\nquad = 64\n").unwrap();
    let out = dir.path().join("y.csv");
    inrsamp()
        .args([
            "measure",
            "--config",
            cfg.to_str().unwrap(),
            "--w",
            "0.1,1,0,0,0,0.5,0,0,0.3",
        ])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("k1,k2,re,im"));
    assert_eq!(lines.count(), 25);
    // Only y.csv and the config remain: no temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn bad_input_gets_a_clear_error() {
    fails_with(
        &["measure", "--k0", "0", "--w", "1"],
        "k0 = 0: the feature degree must be at least 1",
    );
    fails_with(&["measure", "--k", "-2", "--w", "1,1,1"], "k = -2");
    fails_with(
        &["measure", "--d", "3", "--exact", "--w", "1"],
        "exact coefficients exist for d = 1 and d = 2",
    );
    fails_with(&["measure", "--w", "1,2"], "expected 3, got 2");
    fails_with(&["measure", "--w", "1,nan,2"], "not finite");
    fails_with(
        &["measure", "--w", "1,x,2"],
        "expected a comma-separated list",
    );
    fails_with(&["measure", "--psi", "l1", "--w", "1,1,1"], "psi = l1");
    fails_with(&["measure", "--quad", "3", "--w", "1,1,1"], "quad = 3");
    fails_with(
        &["measure", "--teacher", "random", "--width", "0"],
        "width = 0",
    );
    fails_with(&["measure"], "give one of --w");
    fails_with(
        &[
            "measure",
            "--config",
            "/nonexistent/spec.toml",
            "--w",
            "1,1,1",
        ],
        "/nonexistent/spec.toml",
    );
}

#[test]
fn malformed_files_name_the_problem_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("y.csv");
    let bad_cfg = dir.path().join("bad.toml");
    std::fs::write(&bad_cfg, "d = 1\nkk = 3\n").unwrap();
    fails_with(
        &[
            "measure",
            "--config",
            bad_cfg.to_str().unwrap(),
            "--w",
            "1,1,1",
        ],
        "kk",
    );
    let teacher = dir.path().join("t.json");
    for (body, needle) in [
        (
            r#"{"d":2,"k0":1,"units":[{"a":1.0,"w":[1,2,3]}]}"#,
            "expected 9, got 3",
        ),
        (r#"{"d":2,"k0":1,"units":[]}"#, "at least one unit"),
        (
            r#"{"d":1,"k0":1,"units":[{"a":1.0,"w":[1,2,3]}]}"#,
            "teacher d = 1",
        ),
        (r#"{"d":2,"k0":1,"units":[{"a":1.0,"w":[1,2,3]"#, "EOF"),
        ("", "t.json"),
    ] {
        std::fs::write(&teacher, body).unwrap();
        fails_with(
            &[
                "measure",
                "--d",
                "2",
                "--teacher-file",
                teacher.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            needle,
        );
        assert!(!Path::new(&out).exists(), "no output file after an error");
    }
}

#[test]
fn demo_runs_and_reports_the_rate() {
    inrsamp()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("grid quadrature vs exact"))
        .stdout(predicate::str::contains("psi values"));
}

#[test]
fn negative_values_in_any_notation_reach_the_flags_own_check() {
    // "-1e-6" is not a negative number to clap's default test (the second
    // hyphen), which used to report "unexpected argument '-1'" without
    // naming the flag; every numeric flag now takes it as its value.
    let certify = "certify --d 1 --k0 1 --k 3 --psi mod --teacher random --width 1";
    let fit = "fit --d 1 --k0 1 --k 3 --teacher random --width 1";
    let measure = "measure --d 1 --k0 1 --k 3 --w 1,0,0";
    for (command, flag, needle) in [
        (certify, "--eps -1e-6", "eps = -0.000001"),
        (certify, "--noise-delta -1e-3", "noise-delta = -0.001"),
        (certify, "--cap -1e-2", "cap = -0.01"),
        (fit, "--lr -1e-3", "lr = -0.001"),
        (measure, "--quad-tol -1e-9", "quad-tol = -0.000000001"),
    ] {
        let args: Vec<&str> = command
            .split_whitespace()
            .chain(flag.split_whitespace())
            .collect();
        fails_with(&args, needle);
    }
    // A list whose first entry is negative is a value too: sigma(-1) = 0.
    let v = run_json(&[
        "measure", "--d", "1", "--k0", "1", "--k", "3", "--w", "-1,0,0", "--exact", "--json",
    ]);
    let max = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["re"]
                .as_f64()
                .unwrap()
                .abs()
                .max(c["im"].as_f64().unwrap().abs())
        })
        .fold(0.0, f64::max);
    assert_eq!(max, 0.0, "{v}");
}
