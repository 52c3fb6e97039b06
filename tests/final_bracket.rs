//! The final bracket's lower end against a measure found by another
//! revision (docs/theory.md 5, 9). In D = 9 the sup of |eta| behind the
//! lower end is a search estimate; weak duality says that the lower end of
//! a sound bracket is at most the cost of every feasible measure. The
//! measure in `tests/data/measure-pre-w3-k2-seed22000.json` (11 atoms) was
//! printed by `certify` at revision a817adf for d = 2, K0 = 1, K = 2,
//! psi_pre, a random width-3 teacher of seed 22000; at 5dc9c86 the same
//! command printed a lower end 5.5e-7 (relative) above its cost: the final
//! search (48 ascents) had missed |eta| = 1.00006 near one of its atoms.
//! The test recomputes the measure's residual and cost here, from the exact
//! measurement operator and the formula of psi_pre, not from `certify`.

mod common;
use common::*;
use inrsamp::inr::network::ShallowInr;
use inrsamp::measurement::measure_exact;
use std::path::Path;

/// psi_pre(w) = sqrt(w_0^2 + 1/2 sum_{i >= 1} w_i^2) (docs/theory.md 3).
fn psi_pre(w: &[f64]) -> f64 {
    (w[0] * w[0] + 0.5 * w[1..].iter().map(|v| v * v).sum::<f64>()).sqrt()
}

#[test]
#[ignore = "slow (about 40 s): .ci/run runs it (cargo test -- --include-ignored)"]
fn final_lower_end_stays_below_a_measure_found_by_another_revision() {
    let mut sp = spec(2, 1, 2, "pre");
    sp.seed = 22000;
    let teacher = ShallowInr::random(2, 1, 3, 22000).unwrap();
    let y = measure_exact(&sp, &teacher).unwrap();
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/measure-pre-w3-k2-seed22000.json");
    let other = ShallowInr::from_json_file(&path).unwrap();
    let ym = measure_exact(&sp, &other).unwrap();
    let residual = dist(&ym, &y);
    // Feasible up to rounding: the slack |lambda| |r| of weak duality is
    // below 1e-12 of the cost for any lambda of norm below 1e3.
    assert!(
        residual <= 1e-14 * norm(&y),
        "the stored measure is not feasible: residual {residual:e}"
    );
    let cost: f64 = other.units.iter().map(|u| u.a.abs() * psi_pre(&u.w)).sum();
    let r = run_json(&[
        "certify",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        "2",
        "--psi",
        "pre",
        "--teacher",
        "random",
        "--width",
        "3",
        "--seed",
        "22000",
        "--json",
    ]);
    let lower = r["certified_lower"].as_f64().unwrap();
    let upper = r["certified_upper"].as_f64().unwrap();
    assert!(
        lower <= cost * (1.0 + 1e-12),
        "lower end {lower:.15} above the cost {cost:.15} of a feasible measure (relative excess {:.2e})",
        (lower - cost) / cost
    );
    assert!(lower <= upper, "bracket [{lower}, {upper}] is empty");
}
