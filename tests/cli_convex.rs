//! `solve` and `certify` end to end: documented JSON keys, files, bad
//! input (`lp` and the export/import round trip: `cli_lp.rs`).

mod common;
use approx::assert_abs_diff_eq;
use common::*;
use predicates::prelude::*;

#[test]
fn solve_json_has_documented_keys_and_bracket() {
    let dir = tempfile::tempdir().unwrap();
    let atoms = dir.path().join("atoms.csv");
    let eta = dir.path().join("eta.csv");
    let v = run_json(&[
        "solve",
        "--d",
        "1",
        "--k0",
        "1",
        "--k",
        "3",
        "--w",
        "0.2,1,0.3",
        "--grid-points",
        "500",
        "--exact",
        "--refine",
        "--json",
        "--atoms-csv",
        atoms.to_str().unwrap(),
        "--eta-csv",
        eta.to_str().unwrap(),
        "--eta-resolution",
        "21",
    ]);
    for key in [
        "status",
        "objective",
        "certified_lower",
        "certified_upper",
        "residual",
        "solve_seconds",
        "atoms",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    // Refinement adds nearly parallel columns, so the last LP may end at
    // reduced accuracy; its bracket is computed from its iterates.
    assert!(
        v["status"] == "solved" || v["status"] == "almost_solved",
        "{}",
        v["status"]
    );
    let (lo, up, obj) = (
        v["certified_lower"].as_f64().unwrap(),
        v["certified_upper"].as_f64().unwrap(),
        v["objective"].as_f64().unwrap(),
    );
    // --refine: the bracket is tight to the refinement tolerance (1e-5); the
    // upper end is the verified measure's cost, which sliding can only lower
    // from the LP's objective.
    assert!(
        lo <= up && up <= obj * (1.0 + 1e-6) && up - lo <= 1e-5 * up,
        "bracket [{lo}, {up}], objective {obj}"
    );
    assert_eq!(v["lower_kind"], "proved", "D = 3, exact columns");
    assert!(v["relative_residual"].as_f64().unwrap() <= 1e-9);
    // The teacher 0.2 + cos + 0.3 sin is one unit: value(11) is its cost, the
    // norm of its exact measurements (psi_mod, K' = K).
    let a = &v["atoms"][0];
    assert_eq!(a["w"].as_array().unwrap().len(), 3);
    assert!(a["psi"].as_f64().unwrap() > 0.0);
    let atoms_text = std::fs::read_to_string(&atoms).unwrap();
    assert!(atoms_text.starts_with("atom,c,psi,w0,w1,w2\n"));
    let eta_text = std::fs::read_to_string(&eta).unwrap();
    assert!(eta_text.starts_with("theta,phi,w0,w1,w2,eta\n"));
    assert_eq!(eta_text.lines().count(), 1 + 21 * 42);
}

#[test]
fn certify_json_unique_for_a_width_one_teacher() {
    let v = run_json(&[
        "certify",
        "--d",
        "1",
        "--k0",
        "1",
        "--k",
        "3",
        "--teacher",
        "random",
        "--seed",
        "2",
        "--json",
    ]);
    for key in [
        "verdict",
        "margin",
        "teacher_cost",
        "objective",
        "certified_lower",
        "certified_upper",
        "function_rel_error",
        "eta_at_support",
        "status",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["verdict"], "unique", "{}", v["reason"]);
    assert!(v["margin"].as_f64().unwrap() > 0.0);
    let e = v["eta_at_support"][0].as_f64().unwrap().abs();
    assert_abs_diff_eq!(e, 1.0, epsilon = 1e-6);
    let (lo, up, tc) = (
        v["certified_lower"].as_f64().unwrap(),
        v["certified_upper"].as_f64().unwrap(),
        v["teacher_cost"].as_f64().unwrap(),
    );
    assert!(lo <= tc * (1.0 + 1e-9) && tc <= up * (1.0 + 1e-9));
}

#[test]
fn certify_writes_great_circles_for_d_2() {
    let dir = tempfile::tempdir().unwrap();
    let eta = dir.path().join("eta.csv");
    inrsamp()
        .args([
            "certify",
            "--d",
            "2",
            "--k0",
            "1",
            "--k",
            "3",
            "--teacher",
            "random",
            "--seed",
            "1",
            "--grid-points",
            "500",
            "--no-refine",
        ])
        .args(["--eta-csv", eta.to_str().unwrap(), "--eta-resolution", "50"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&eta).unwrap();
    assert!(text.starts_with("atom,circle,t,eta\n"));
    assert_eq!(text.lines().count(), 1 + 4 * 50);
    // eta = +-1 at t = 0 (the support atom itself).
    let first: f64 = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert_abs_diff_eq!(first.abs(), 1.0, epsilon = 1e-6);
}

#[test]
fn max_iter_one_exits_3_and_says_so() {
    let out = inrsamp()
        .args([
            "solve",
            "--d",
            "1",
            "--k",
            "3",
            "--w",
            "0.2,1,0.3",
            "--grid-points",
            "200",
            "--max-iter",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "max_iterations");
    assert!(v["certified_lower"].is_null());
}

#[test]
fn solve_reads_measurements_csv() {
    // `measure --exact` writes the teacher's exact coefficients, which is
    // what `solve` measures by default in d = 1: both must give one program.
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("y.csv");
    inrsamp()
        .args([
            "measure",
            "--d",
            "1",
            "--k",
            "3",
            "--w",
            "0.2,1,0.3",
            "--exact",
            "--out",
            y.to_str().unwrap(),
        ])
        .assert()
        .success();
    let a = run_json(&[
        "solve",
        "--d",
        "1",
        "--k",
        "3",
        "--measurements",
        y.to_str().unwrap(),
        "--grid-points",
        "400",
        "--json",
    ]);
    let b = run_json(&[
        "solve",
        "--d",
        "1",
        "--k",
        "3",
        "--w",
        "0.2,1,0.3",
        "--grid-points",
        "400",
        "--json",
    ]);
    let (x, z) = (
        a["objective"].as_f64().unwrap(),
        b["objective"].as_f64().unwrap(),
    );
    assert!((x - z).abs() < 1e-9 * z, "{x} vs {z}");
    // A broken file (a missing frequency) is rejected by name.
    let text = std::fs::read_to_string(&y).unwrap();
    let cut: String = text.lines().take(5).collect::<Vec<_>>().join("\n") + "\n";
    std::fs::write(&y, cut).unwrap();
    inrsamp()
        .args([
            "solve",
            "--d",
            "1",
            "--k",
            "3",
            "--measurements",
            y.to_str().unwrap(),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("missing"));
}

#[test]
fn eta_pictures_are_written_for_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    // D = 3 (d = 1, K0 = 1): the sphere map; D = 5 (K0 = 2): the profiles.
    for (k0, k, file, size) in [
        ("1", "3", "e3.png", (2 * 362 + 80, 2 * 181 + 110)),
        ("2", "4", "e5.png", (900, 520)),
    ] {
        inrsamp()
            .current_dir(dir.path())
            .args([
                "certify",
                "--d",
                "1",
                "--k0",
                k0,
                "--k",
                k,
                "--psi",
                "std",
                "--teacher",
                "random",
            ])
            .args(["--seed", "5", "--no-refine", "--eta-png", file])
            .assert()
            .code(predicates::prelude::predicate::in_iter([0, 3]));
        let img = image::open(dir.path().join(file)).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), size, "{file}");
        // Both signs of eta are drawn (red and blue pixels).
        let red = img.pixels().filter(|p| p[0] == 255 && p[1] < 128).count();
        let blue = img.pixels().filter(|p| p[2] == 255 && p[0] < 128).count();
        if file == "e3.png" {
            assert!(red > 100 && blue > 100, "red {red} blue {blue}");
        }
    }
}

/// Refinement reports each round on stderr (plain lines: stderr is a pipe
/// here), with the bracket it has; without refinement nothing is printed.
#[test]
fn refinement_rounds_are_reported_on_stderr() {
    let args = [
        "certify",
        "--d",
        "1",
        "--k0",
        "1",
        "--k",
        "3",
        "--psi",
        "pre",
        "--teacher",
        "random",
        "--width",
        "1",
        "--seed",
        "7",
    ];
    let out = assert_cmd::Command::cargo_bin("inrsamp")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // psi_pre's default round limit is 100 (psi_mod's 30, README "The round
    // limit"); `--max-rounds` sets it.
    assert!(err.contains("refinement round 1/100: value "), "{err}");
    assert!(err.contains("lower estimate"), "{err}");
    // (psi, width, seed, --max-rounds, the limit shown); the psi_mod
    // instance needs rounds (seed 7's width-1 teacher closes on the grid).
    for (psi, width, seed, extra, limit) in [
        ("mod", "2", "54", None, "30"),
        ("pre", "1", "7", Some("7"), "7"),
    ] {
        let mut a: Vec<&str> = args.to_vec();
        a[8] = psi;
        a[12] = width;
        a[14] = seed;
        if let Some(n) = extra {
            a.extend(["--max-rounds", n]);
        }
        let out = assert_cmd::Command::cargo_bin("inrsamp")
            .unwrap()
            .args(&a)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("refinement round 1/{limit}: value ")),
            "{psi}: {err}"
        );
    }
    let quiet = assert_cmd::Command::cargo_bin("inrsamp")
        .unwrap()
        .args(args)
        .arg("--no-refine")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&quiet.stderr);
    assert!(!err.contains("refinement round"), "{err}");
}

/// `solve` in d = 2 with K0 = 1 runs on exact columns unless `--exact=false`
/// asks for the quadrature: its verified measure fits the teacher's data on
/// a fine quadrature (N = 2048 per axis, independent of the exact route) to
/// the verification tolerance plus that quadrature's error, and its upper end
/// is the measure's cost. Fresh seed 43102.
#[test]
fn solve_defaults_to_exact_columns_in_d2_k0_1() {
    let base = [
        "solve",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        "3",
        "--psi",
        "std",
        "--teacher",
        "random",
        "--width",
        "2",
        "--seed",
        "43102",
        "--grid-points",
        "2000",
        "--json",
    ];
    let v = run_json(&base);
    assert_eq!(v["operator"]["kind"], "exact", "{}", v["operator"]);
    assert_eq!(v["measure_verified"], true);
    let sp = spec(2, 1, 3, "std");
    let net = inrsamp::inr::network::ShallowInr {
        d: 2,
        k0: 1,
        units: v["atoms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| inrsamp::inr::network::Unit {
                a: a["c"].as_f64().unwrap(),
                w: a["w"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect(),
            })
            .collect(),
    };
    let fine = 2048;
    let ay = inrsamp::measurement::measure_at(&sp, &net, fine).unwrap();
    let m = run_json(&[
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
        "43102",
        "--quad",
        "2048",
        "--json",
    ]);
    let y: Vec<f64> = m["real_vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let residual = dist(&ay, &y) / norm(&y);
    // The fine quadrature's own error, from N against 2N.
    let ay2 = inrsamp::measurement::measure_at(&sp, &net, 2 * fine).unwrap();
    let quad_err = dist(&ay, &ay2) / norm(&ay2);
    eprintln!("fine residual {residual:.2e}, fine quadrature error {quad_err:.2e}");
    assert!(
        residual <= 1e-9 + 4.0 * quad_err,
        "residual {residual:.3e} (quadrature error {quad_err:.1e})"
    );
    let cost: f64 = v["atoms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["c"].as_f64().unwrap().abs() * a["psi"].as_f64().unwrap())
        .sum();
    assert_abs_diff_eq!(
        cost,
        v["certified_upper"].as_f64().unwrap(),
        epsilon = 1e-9 * cost
    );
    // `--exact=false`: the quadrature operator, as asked.
    let mut q = base.to_vec();
    q.push("--exact=false");
    let w = run_json(&q);
    assert_eq!(w["operator"]["kind"], "quadrature", "{}", w["operator"]);
}
