//! Figure 3 engine: the deep INR's pointwise evaluation against its grid
//! forward pass, the lambda choices against an independent recount, the
//! zero-filled baseline, plan validation, and the command end to end.

use inrsamp::inr::features::Features;
use inrsamp::spec::SpecInput;
use inrsamp::superres::{Figure3Config, Fold, choose, jobs, panel_data, run_all};
use inrsamp::train::deep::DeepModel;
use inrsamp::train::{Network, TrainSettings};

#[test]
fn deep_value_at_matches_the_grid_forward_pass() {
    let spec = SpecInput {
        d: Some(2),
        k0: Some(2),
        k: Some(3),
        psi: Some("std".into()),
        ..Default::default()
    }
    .build()
    .expect("spec");
    let n = 12;
    let model = DeepModel::new(&spec, 3, 7, n).expect("model");
    let theta = model.initialize(&TrainSettings {
        seed: 5,
        ..TrainSettings::default()
    });
    let mut ws = model.workspace();
    let mut y = vec![0.0; model.measurements()];
    model.forward(&theta, &mut ws, &mut y);
    let grid = model.grid_values(&ws);
    let features = Features::new(2, 2);
    let mut g = vec![0.0; features.dim()];
    let mut worst: f64 = 0.0;
    for (idx, v) in grid.iter().enumerate() {
        // Grid point x = (i/n, j/n), last axis fastest.
        let x = [(idx / n) as f64 / n as f64, (idx % n) as f64 / n as f64];
        features.gamma(&x, &mut g);
        worst = worst.max((model.value_at(&theta, &g) - v).abs());
    }
    let scale = grid.iter().map(|v| v.abs()).fold(0.0, f64::max);
    assert!(scale > 0.0);
    assert!(worst <= 1e-12 * scale, "{worst:e} vs scale {scale:e}");
}

#[test]
fn quick_plan_runs_and_chooses_the_least_error() {
    let cfg = Figure3Config::preset("quick").expect("preset");
    let data: Vec<_> = cfg
        .panel
        .iter()
        .map(|p| panel_data(p, &cfg).expect("panel"))
        .collect();
    let results = run_all(&cfg, &data, &[], &|_| {}).expect("run");
    assert_eq!(results.len(), jobs(&cfg).len());
    let methods: usize = cfg.panel.iter().map(|p| p.methods.len()).sum();
    assert_eq!(results.len(), 2 * cfg.lambdas.len() * methods);
    let choices = choose(&cfg, &data, &results);
    assert_eq!(choices.len(), cfg.panel.len() + methods);
    for c in &choices {
        let mine: Vec<_> = results
            .iter()
            .filter(|r| r.panel == c.panel && r.method.name() == c.method)
            .collect();
        if c.method == "zero-filled" {
            // The baseline's MSE, recomputed from the pictures.
            let pi = cfg
                .panel
                .iter()
                .position(|p| p.name == c.panel)
                .expect("panel");
            let (z, t) = (&data[pi].zero_filled.values, &data[pi].truth.values);
            let mse = z.iter().zip(t).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / t.len() as f64;
            assert!((mse - c.mse_by_truth).abs() <= 1e-15 * mse.max(1.0));
            continue;
        }
        // Independent recount: least image MSE over the full fits ...
        let full: Vec<_> = mine.iter().filter(|r| r.fold == Fold::Full).collect();
        let best = full
            .iter()
            .map(|r| r.image_mse.expect("full fits have an MSE"))
            .fold(f64::INFINITY, f64::min);
        assert_eq!(c.mse_by_truth, best, "{}/{}", c.panel, c.method);
        // ... and least ring error over the held-out fits.
        let held = mine
            .iter()
            .filter(|r| r.fold == Fold::HeldOut)
            .min_by(|a, b| {
                a.ring_error_rel
                    .partial_cmp(&b.ring_error_rel)
                    .expect("finite")
            })
            .expect("held-out fits");
        assert_eq!(c.lambda_held_out, Some(held.lambda));
        let at = full
            .iter()
            .find(|r| r.lambda == held.lambda)
            .expect("full fit");
        assert_eq!(c.mse_held_out, at.image_mse);
        for r in &mine {
            assert!(r.residual_rel.is_finite() && r.residual_rel >= 0.0);
            if r.fold == Fold::HeldOut {
                assert!(r.ring_error_rel.is_some_and(|e| e.is_finite() && e >= 0.0));
            }
        }
    }
    // Determinism: the same plan gives the same numbers.
    let again = run_all(&cfg, &data, &[], &|_| {}).expect("rerun");
    for (a, b) in results.iter().zip(&again) {
        assert_eq!(a.image_mse, b.image_mse);
        assert_eq!(a.ring_error_rel, b.ring_error_rel);
    }
}

#[test]
fn bad_plans_are_named() {
    let base = include_str!("../data/experiments/figure3-quick.toml");
    let cases = [
        (
            base.replace("lambdas = [1e-3, 1e-5]", "lambdas = []"),
            "lambdas",
        ),
        (
            base.replace("lambdas = [1e-3, 1e-5]", "lambdas = [-1.0]"),
            "lambdas",
        ),
        (base.replace("steps = 60", "steps = 0"), "steps"),
        (
            base.replace("resolution = 32", "resolution = 5"),
            "resolution",
        ),
        (
            base.replacen("phantom = \"dots\"", "phantom = \"skull\"", 1),
            "unknown phantom",
        ),
        (base.replacen("k = 3", "k = 1", 1), "held out"),
        (
            base.replacen("name = \"dots\"", "name = \"../x\"", 1),
            "panel name",
        ),
        (
            base.replace("held_out = true", "held_out = true\nextra = 1"),
            "unknown field",
        ),
    ];
    for (text, want) in cases {
        let e = Figure3Config::from_toml(&text, "plan.toml")
            .expect_err(want)
            .to_string();
        assert!(e.contains(want), "{want}: {e}");
    }
}

/// `inrsamp figure3 --preset quick --steps <steps> <extra...> --out-dir <out>`.
fn figure3(out: &std::path::Path, steps: &str, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("inrsamp"))
        .args(["figure3", "--preset", "quick", "--steps", steps])
        .args(extra)
        .arg("--out-dir")
        .arg(out)
        .output()
        .expect("run figure3")
}

#[test]
fn figure3_command_writes_its_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("f3");
    let run = figure3(&out, "20", &["--quiet"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "brain.png",
            "dots.png",
            "fits.csv",
            "plan.toml",
            "run.txt",
            "summary.csv"
        ]
    );
    let fits = std::fs::read_to_string(out.join("fits.csv")).expect("fits");
    assert_eq!(fits.lines().count(), 1 + 16);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("zero-filled") && stdout.contains("paper's protocol"),
        "{stdout}"
    );
}

/// An interrupted run resumes: the fits read back are not run again, the
/// chosen ones are refitted for the panels, and the tables equal an
/// uninterrupted run's.
#[test]
fn figure3_resumes_an_interrupted_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let whole = dir.path().join("whole");
    assert!(figure3(&whole, "20", &["--quiet"]).status.success());
    // An interrupted run: its plan and the first 9 fits, the 10th torn.
    let cut = dir.path().join("cut");
    std::fs::create_dir_all(&cut).expect("dir");
    std::fs::copy(whole.join("plan.toml"), cut.join("plan.toml")).expect("plan");
    let fits = std::fs::read_to_string(whole.join("fits.csv")).expect("fits");
    let lines: Vec<&str> = fits.lines().collect();
    let mut partial = lines[..10].join("\n");
    partial.push('\n');
    partial.push_str(&lines[10][..lines[10].len() / 2]);
    std::fs::write(cut.join("fits.partial.csv"), partial).expect("partial");
    // Without --resume the folder is refused.
    let refused = figure3(&cut, "20", &["--quiet"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));
    let resumed = figure3(&cut, "20", &["--resume"]);
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{err}");
    assert!(err.contains("9 fits read back"), "{err}");
    for f in ["summary.csv", "fits.csv"] {
        let a = std::fs::read_to_string(whole.join(f)).expect("a");
        let b = std::fs::read_to_string(cut.join(f)).expect("b");
        // fits.csv: the seconds (last) column differs; summary.csv has none.
        let strip = |t: &str| -> Vec<String> {
            t.lines()
                .map(|l| l.split(',').take(9).collect::<Vec<_>>().join(","))
                .collect()
        };
        assert_eq!(strip(&a), strip(&b), "{f}");
    }
    assert!(!cut.join("fits.partial.csv").exists());
    // A different plan is refused.
    std::fs::write(cut.join("fits.partial.csv"), lines[..3].join("\n")).expect("partial");
    let other = figure3(&cut, "21", &["--resume", "--quiet"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&other.stderr).contains("plan.toml differs"));
}
