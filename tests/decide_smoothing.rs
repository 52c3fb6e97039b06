//! Under `certify --decide` the dual smoothing is off unless asked for
//! (`certify::bracket::DECIDE_SMOOTHING`, README "Refinement"): a
//! `not_recovered` verdict rests on a verified measure, not on the lower
//! end that the smoothed point tightens, and each smoothed round costs a
//! second search of `sup |eta|`. The rounds' `smoothed_sup` shows whether a
//! smoothed point was searched.

mod common;
use common::*;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::bracket::{DECIDE_SMOOTHING, PSI_MOD_SMOOTHING};
use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::verdict::{Verdict, VerdictSettings, certify_teacher};
use inrsamp::inr::network::ShallowInr;
use inrsamp::inr::psi::PsiKind;

#[test]
fn the_default_smoothing_depends_on_psi_and_on_deciding() {
    let mut opts = SolveOptions::default();
    let m = PsiKind::Mod { k_prime: 3 };
    assert_eq!(opts.refine.smoothing_for(&m, false), PSI_MOD_SMOOTHING);
    assert_eq!(opts.refine.smoothing_for(&m, true), DECIDE_SMOOTHING);
    assert_eq!(opts.refine.smoothing_for(&PsiKind::Std, false), 0.0);
    assert_eq!(DECIDE_SMOOTHING, 0.0);
    // An explicit setting wins in both modes.
    opts.refine.smoothing = Some(0.3);
    assert_eq!(opts.refine.smoothing_for(&m, true), 0.3);
    assert_eq!(opts.refine.smoothing_for(&PsiKind::Pre, false), 0.3);
}

#[test]
fn decide_searches_no_smoothed_point_unless_asked_and_decides_the_same() {
    // d = 1, K0 = 1, K = 3, psi_mod, width-2 teachers of seeds 1 and 2: not
    // recovered, and without --decide their refinement searches a smoothed
    // point in every round.
    for seed in [1u64, 2] {
        let mut sp = spec(1, 1, 3, "mod");
        sp.seed = seed;
        let t = ShallowInr::random(1, 1, 2, seed).unwrap();
        let run = |decide: bool, smoothing: Option<f64>| {
            let mut opts = SolveOptions::default();
            opts.refine.enabled = true;
            opts.refine.smoothing = smoothing;
            let vs = VerdictSettings {
                decide,
                ..VerdictSettings::default()
            };
            certify_teacher(&sp, &t, &vs, &opts, &CertifySettings::default()).unwrap()
        };
        let smoothed = |h: &[inrsamp::certify::refine::RoundRecord]| {
            h.iter().filter(|r| r.smoothed_sup.is_some()).count()
        };
        let (full, _, _) = run(false, None);
        assert!(
            smoothed(&full.history) > 0,
            "seed {seed}: no smoothed round"
        );
        let (dec, _, _) = run(true, None);
        assert_eq!(smoothed(&dec.history), 0, "seed {seed}");
        let (asked, _, _) = run(true, Some(PSI_MOD_SMOOTHING));
        assert!(
            smoothed(&asked.history) > 0,
            "seed {seed}: --dual-smoothing ignored"
        );
        for r in [&full, &dec, &asked] {
            assert_eq!(
                r.verdict,
                Verdict::NotRecovered,
                "seed {seed}: {}",
                r.reason
            );
        }
        // Both brackets are valid, so they overlap.
        assert!(dec.certified_lower <= full.certified_upper + 1e-9);
        assert!(full.certified_lower <= dec.certified_upper + 1e-9);
    }
}
