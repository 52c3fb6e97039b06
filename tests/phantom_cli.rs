//! `inrsamp phantom` end to end: the files it writes are read back by the
//! rest of the tool, and bad input is refused before any file is written.

use assert_cmd::Command;
use std::path::Path;

fn inrsamp() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("inrsamp"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The dot phantom's measurement CSV equals `measure --exact` of the INR it
/// saves, and `solve --measurements` accepts it.
#[test]
fn dot_phantom_files_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |f: &str| dir.path().join(f).display().to_string();
    inrsamp()
        .args([
            "phantom", "--name", "dots", "--dots", "2", "--seed", "3", "--k", "2",
        ])
        .args([
            "--resolution",
            "16",
            "--out",
            &p("y.csv"),
            "--save-inr",
            &p("dots.json"),
        ])
        .args(["--truth-png", &p("t.png"), "--zero-filled-csv", &p("z.csv")])
        .assert()
        .success();
    inrsamp()
        .args(["measure", "--d", "2", "--k0", "1", "--k", "2", "--exact"])
        .args(["--teacher-file", &p("dots.json"), "--out", &p("y2.csv")])
        .assert()
        .success();
    let read = |f: &str| -> Vec<f64> {
        let mut r = csv::Reader::from_path(dir.path().join(f)).expect("csv");
        r.records()
            .flat_map(|rec| {
                let rec = rec.expect("record");
                vec![
                    rec[2].parse::<f64>().expect("re"),
                    rec[3].parse::<f64>().expect("im"),
                ]
            })
            .collect()
    };
    let (a, b) = (read("y.csv"), read("y2.csv"));
    assert_eq!(a.len(), 2 * 25);
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= 1e-14, "{x} vs {y}");
    }
    let z = std::fs::read_to_string(dir.path().join("z.csv")).expect("z.csv");
    assert_eq!(z.lines().count(), 16);
    assert!(z.lines().all(|l| l.split(',').count() == 16));
    let fit = inrsamp()
        .args(["fit", "--d", "2", "--k0", "1", "--k", "2", "--psi", "mod"])
        .args([
            "--measurements",
            &p("y.csv"),
            "--method",
            "penalized",
            "--steps",
            "20",
        ])
        .args(["--student-width", "4", "--grid", "16", "--quiet", "--json"])
        .output()
        .expect("fit");
    assert!(
        fit.status.code() == Some(0) || fit.status.code() == Some(3),
        "fit --measurements failed: {}",
        String::from_utf8_lossy(&fit.stderr)
    );
    let out = inrsamp()
        .args(["solve", "--d", "2", "--k0", "1", "--k", "2", "--psi", "mod"])
        .args([
            "--measurements",
            &p("y.csv"),
            "--grid-points",
            "500",
            "--json",
        ])
        .output()
        .expect("solve");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "solve --measurements failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_phantom_input_is_refused_before_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let y = dir.path().join("y.csv").display().to_string();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, r#"{"regions":[{"type":"circle","weight":1}]}"#).expect("write");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--name", "skull"], "unknown phantom"),
        (vec!["--name", "brain", "--k", "0"], "k = 0"),
        (vec!["--name", "brain", "--k", "5000"], "k = 5000"),
        (
            vec!["--name", "brain", "--resolution", "0"],
            "resolution = 0",
        ),
        (
            vec!["--name", "brain", "--k", "16", "--resolution", "20"],
            "2K + 1 = 33",
        ),
        (vec!["--name", "brain", "--supersample", "0"], "supersample"),
        (
            vec!["--name", "dots", "--dot-radius", "0.1,0.5"],
            "dot-radius",
        ),
        (vec!["--name", "dots", "--dots", "0"], "dots = 0"),
        (
            vec!["--name", "dots", "--dot-height", "nan,1"],
            "dot-height",
        ),
        (vec!["--name", "brain", "--save-inr", "x.json"], "save-inr"),
        (vec![], "give --name"),
    ];
    for (args, want) in cases {
        let out = inrsamp()
            .arg("phantom")
            .args(&args)
            .args(["--out", &y])
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let out = inrsamp()
        .args([
            "phantom",
            "--file",
            &bad_json.display().to_string(),
            "--out",
            &y,
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown region type `circle`"), "{err}");
    assert_eq!(files_in(dir.path()), vec!["bad.json".to_string()]);
}
