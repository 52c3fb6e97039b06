//! `decide = true` in a claim's family (`inrsamp certify --decide`) stops a
//! refinement once a measure cheaper than the teacher is verified. The
//! twin without it refines to the end: both must give the same verdict on
//! every instance, and the optimum found by the full refinement can only be
//! cheaper than the first verified measure (so a `not_recovered` margin
//! under `decide` is never below the full run's).

use assert_cmd::Command;
use std::collections::HashMap;

/// The d = 1 width probe below (W + 1) K0 with psi_mod: cheap instances
/// (a few seconds each), most of them `not_recovered`.
const CLAIM: &str = r#"
id = "probe"
statement = "s"
reference = "r"
kind = "necessity-probe"
expect = "record"
[family]
d = [1]
k0 = [1]
k = ["(w+1)*k0-1"]
width = [2]
psi = ["mod"]
instances = 4
base_seed = 4100
require_sign_change = true
"#;

/// Runs the claim (with `extra` appended to its family) and returns, per
/// seed, the verdict, the margin and the note.
fn run(extra: &str) -> HashMap<u64, (String, f64, String)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), format!("{CLAIM}{extra}")).unwrap();
    let csv = dir.path().join("r.csv");
    let out = Command::cargo_bin("proofs-check")
        .unwrap()
        .args([
            "--claims",
            dir.path().to_str().unwrap(),
            "--full",
            "--csv",
            csv.to_str().unwrap(),
            "probe",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows = HashMap::new();
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (seed, verdict, margin, note) = (col("seed"), col("verdict"), col("margin"), col("note"));
    for r in reader.records() {
        let r = r.unwrap();
        rows.insert(
            r[seed].parse().unwrap(),
            (
                r[verdict].to_string(),
                r[margin].parse().unwrap_or(f64::NAN),
                r[note].to_string(),
            ),
        );
    }
    rows
}

#[test]
fn decide_gives_the_full_refinements_verdicts() {
    let full = run("");
    let decided = run("decide = true\n");
    assert_eq!(full.len(), 4);
    let seeds: Vec<u64> = full.keys().copied().collect();
    assert_eq!(
        decided
            .keys()
            .copied()
            .collect::<std::collections::HashSet<_>>(),
        seeds.iter().copied().collect()
    );
    let mut stopped_early = 0;
    for s in seeds {
        let (v_full, m_full, _) = &full[&s];
        let (v_dec, m_dec, note) = &decided[&s];
        assert_eq!(v_full, v_dec, "seed {s}: {note}");
        if v_full == "not_recovered" {
            // Relative gaps of verified measures below the teacher's cost.
            assert!(*m_full < 0.0 && *m_dec < 0.0, "seed {s}: {m_full} {m_dec}");
            assert!(*m_dec >= m_full - 1e-9, "seed {s}: {m_dec} < {m_full}");
        }
        if note.contains("(--decide)") {
            stopped_early += 1;
            assert!(*m_dec > *m_full, "seed {s}: stopped early at the optimum?");
        }
    }
    // The family was chosen so that decide matters (psi_mod, W = 2, d = 1:
    // refinements that go on after the first verified cheaper measure).
    assert!(stopped_early >= 1, "{decided:?}");
}
