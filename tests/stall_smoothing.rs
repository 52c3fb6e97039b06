//! Dual smoothing once refinement stalls (`certify::smoothing::stalled`,
//! `RefineSettings::smoothing_in_round`): psi_std and psi_pre refine
//! without it until the LP's value has stayed the same over four rounds,
//! then with `STALL_SMOOTHING`; an explicit `--dual-smoothing` is kept.
//!
//! The instance is trial 8's 20608 of the refinement-target sample (d = 2,
//! K = 4, psi_std, width 1), whose LP value stays at the teacher's cost for
//! its first rounds. The test reads the stall from the run's own history
//! (the LP values) and checks that smoothing starts exactly there.

mod common;

fn history(extra: &[&str]) -> Vec<(f64, Option<f64>)> {
    let mut args = vec![
        "certify",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        "4",
        "--psi",
        "std",
        "--teacher",
        "random",
        "--width",
        "1",
        "--seed",
        "20608",
        "--max-rounds",
        "5",
        "--json",
    ];
    args.extend_from_slice(extra);
    // Exit code 3: the verdict after 5 rounds is `inconclusive`.
    let out = common::inrsamp().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    r["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["lp_value"].as_f64().unwrap(), h["smoothed_sup"].as_f64()))
        .collect()
}

#[test]
fn smoothing_starts_at_the_fourth_equal_lp_value() {
    let h = history(&[]);
    assert!(h.len() >= 5, "{h:?}");
    // The premise, from the run itself: the LP's value does not move (to
    // 1e-9) in rounds 0 to 3.
    let v0 = h[0].0;
    assert!(
        h[..4].iter().all(|(v, _)| (v - v0).abs() <= 1e-9 * v0),
        "{h:?}"
    );
    // No smoothing before the stall, smoothing from round 3 on.
    assert!(h[..3].iter().all(|(_, s)| s.is_none()), "{h:?}");
    assert!(h[3..].iter().all(|(_, s)| s.is_some()), "{h:?}");
    // An explicit 0 keeps it off.
    let off = history(&["--dual-smoothing", "0"]);
    assert!(off.iter().all(|(_, s)| s.is_none()), "{off:?}");
}
