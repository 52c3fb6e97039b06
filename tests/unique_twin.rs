//! A slower twin of the `unique` verdict in D = 9 (d = 2, K0 = 1), where
//! no branch-and-bound proves the sup and the margin of the certificate is
//! a search estimate (docs/theory.md 5, 7). For random teachers on fresh
//! seeds, every `unique` verdict's certificate `lambda` is searched again
//! outside the same caps by brute force: a 40 000-point random design of
//! another seed, 64x the ascents of the ordinary search (2x those of the
//! thorough search that confirms a passing certificate), 5x the iterations.
//! Asserted: the verdict survives the twin (its sup outside the caps stays
//! below `1 - min_margin` of the strict tier), and the printed margin is at
//! most twice the twin's (the order of magnitude a user cites). On
//! certificate `lambda`s `|eta|` has wide plateaus just below 1 and even the
//! thorough search can stop short of the twin: the closing note of the
//! change and the README give the measured overstatement of margins (before
//! the thorough search: 8 to 44 % on 7 verdicts). psi_std and psi_pre only:
//! psi_mod's sup also has limits the plain search does not cover
//! (`tests/sup_search.rs` says why).
//!
//! Cases: `INRSAMP_TWIN_CASES` (default 3); the closing note of the
//! change reports a larger run.

mod common;
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::report::{CertifyRequest, certify};
use inrsamp::certify::verdict::{Verdict, VerdictSettings};
use inrsamp::certify::{CertifySettings, Tier};
use inrsamp::inr::network::ShallowInr;
use inrsamp::spec::{ProblemSpec, SpecInput};

fn cases() -> usize {
    std::env::var("INRSAMP_TWIN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

fn spec(k: usize, psi: &str, seed: u64) -> ProblemSpec {
    SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(k as i64),
        psi: Some(psi.into()),
        seed: Some(seed),
        ..Default::default()
    }
    .build()
    .unwrap()
}

/// (seed, estimate of the sup outside the caps, brute-force value), for a
/// `unique` verdict of the strict tier; None otherwise.
fn twin(i: usize) -> Option<(u64, f64, f64)> {
    // Seeds 31000 + i: not among those the search settings were tuned on.
    let seed = 31_000 + i as u64;
    let psi = ["std", "pre"][i % 2];
    let k = 2 + (i / 2) % 2;
    let width = 1 + (i / 4) % 2;
    let sp = spec(k, psi, seed);
    let mut options = SolveOptions::default();
    options.refine.enabled = true;
    let req = CertifyRequest {
        spec: sp.clone(),
        teacher: ShallowInr::random(2, 1, width, seed).unwrap(),
        options,
        certify_settings: CertifySettings::default(),
        verdict_settings: VerdictSettings::default(),
    };
    let r = certify(&req).unwrap();
    let c = r.certificate.as_ref()?;
    if r.verdict != Verdict::Unique || c.tier != Some(Tier::Strict) {
        return None;
    }
    let brute = common::twin_sup(
        &sp,
        &c.lambda,
        &c.centres,
        c.cap_radius,
        40_000,
        0x7A1 + seed,
        64,
    );
    let estimate = 1.0 - c.margin_estimate;
    eprintln!(
        "seed {seed} (K = {k}, W = {width}, psi_{psi}): estimate {estimate:.12}, brute force {brute:.12}"
    );
    Some((seed, estimate, brute))
}

#[test]
#[ignore = "slow (about 20 s per case): .ci/run runs it (cargo test -- --include-ignored)"]
fn unique_verdicts_survive_a_brute_force_search_in_d9() {
    use rayon::prelude::*;
    let found: Vec<(u64, f64, f64)> = (0..cases()).into_par_iter().filter_map(twin).collect();
    assert!(
        !found.is_empty(),
        "no unique verdict among the cases: nothing was checked"
    );
    let strict = CertifySettings::default().strict.min_margin;
    for (seed, estimate, brute) in &found {
        let (printed, twin) = (1.0 - estimate, 1.0 - brute);
        eprintln!(
            "seed {seed}: margin printed {printed:.3e}, twin {twin:.3e} (overstated by {:.1} %)",
            100.0 * (printed - twin) / twin
        );
        assert!(
            twin > strict,
            "seed {seed}: the twin's sup {brute} leaves margin {twin:e}, not above the strict tier's {strict:e}: the unique verdict does not survive"
        );
        assert!(
            printed <= 2.0 * twin,
            "seed {seed}: printed margin {printed:e} more than twice the twin's {twin:e}"
        );
    }
}

/// The case behind the thorough exchange rounds of the max-margin candidate
/// (README, "max-margin"): psi_pre, W = 2, K = 4, seed 21703. The
/// refinement ends on an optimality-system `lambda` whose `eta` touches 1
/// away from the atoms (margin 7.8e-16), and the six ordinary exchange
/// rounds ended on a member the check's thorough search broke (1.0093).
/// That `unique` is the right answer is known independently: the `lambda`
/// of another refinement path (fbc582d, 2 atoms) survives this twin with a
/// margin of 1.89e-3. Asserted: the verdict is `unique` and its certificate
/// survives the twin as above.
#[test]
#[ignore = "slow (about 25 s): .ci/run runs it (cargo test -- --include-ignored)"]
fn the_max_margin_member_of_seed_21703_survives_the_twin() {
    let seed = 21_703;
    let sp = spec(4, "pre", seed);
    let mut options = SolveOptions::default();
    options.refine.enabled = true;
    let req = CertifyRequest {
        spec: sp.clone(),
        teacher: ShallowInr::random(2, 1, 2, seed).unwrap(),
        options,
        certify_settings: CertifySettings::default(),
        verdict_settings: VerdictSettings::default(),
    };
    let r = certify(&req).unwrap();
    assert_eq!(r.verdict, Verdict::Unique, "{}", r.reason);
    let c = r.certificate.as_ref().unwrap();
    let brute = common::twin_sup(
        &sp,
        &c.lambda,
        &c.centres,
        c.cap_radius,
        40_000,
        0x7A1 + seed,
        64,
    );
    let (printed, twin) = (c.margin_estimate, 1.0 - brute);
    eprintln!("seed {seed}: margin printed {printed:.3e}, twin {twin:.3e}");
    let strict = CertifySettings::default().strict.min_margin;
    assert!(twin > strict, "twin margin {twin:e} not above {strict:e}");
    assert!(
        printed <= 2.0 * twin,
        "printed {printed:e} > 2 x twin {twin:e}"
    );
}
