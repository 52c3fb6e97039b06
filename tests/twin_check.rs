//! `certify --twin` (`certify::twin`): the brute-force search of a
//! certificate's `eta` outside its caps, and what it does to a verdict.
//! The expected values come from an exact identity, not from the code:
//! `eta` is linear in `lambda`, so scaling `lambda` by `s` scales the sup
//! outside the caps by `s`, and a certificate scaled past `1 / sup` must
//! fail.

use inrsamp::certify::refine::SolveOptions;
use inrsamp::certify::report::{CertifyRequest, certify};
use inrsamp::certify::twin::{apply_twin, twin_check};
use inrsamp::certify::verdict::{Verdict, VerdictSettings};
use inrsamp::certify::{CertifySettings, Tier};
use inrsamp::inr::network::{ShallowInr, Unit};
use inrsamp::spec::SpecInput;

#[test]
fn the_twin_confirms_a_sound_margin_and_breaks_a_scaled_certificate() {
    let spec = SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(3),
        psi: Some("std".into()),
        ..Default::default()
    }
    .build()
    .unwrap();
    // One unit of a = 1 (the numbers of tests/certificate_export.rs).
    let teacher = ShallowInr {
        d: 2,
        k0: 1,
        units: vec![Unit {
            a: 1.0,
            w: vec![0.31, -0.52, 0.18, 0.44, -0.27, 0.09, 0.36, -0.15, 0.40],
        }],
    };
    let mut options = SolveOptions::default();
    options.refine.enabled = true;
    let cs = CertifySettings::default();
    let req = CertifyRequest {
        spec: spec.clone(),
        teacher,
        options,
        certify_settings: cs,
        verdict_settings: VerdictSettings::default(),
    };
    let r = certify(&req).unwrap();
    assert_eq!(r.verdict, Verdict::Unique, "{}", r.reason);
    let cert = r.certificate.clone().unwrap();

    // The sound certificate: the twin passes, and the printed margin is
    // the smaller of the two.
    let mut sound = r.clone();
    let twin = apply_twin(&mut sound, &spec, &cs).unwrap().unwrap();
    eprintln!(
        "twin margin {:.6e}, printed {:.6e}",
        twin.margin, twin.printed_margin
    );
    assert!(twin.passes, "{}", twin.failure);
    assert_eq!(sound.verdict, Verdict::Unique);
    assert_eq!(sound.tier, Some(Tier::Strict));
    assert!(sound.margin.unwrap() <= twin.margin.min(cert.margin));

    // The same lambda claiming a much larger margin: lowered to the twin's.
    let mut inflated = r.clone();
    inflated.margin = Some(0.5);
    inflated.margin_estimate = Some(0.5);
    apply_twin(&mut inflated, &spec, &cs).unwrap();
    assert!((inflated.margin.unwrap() - twin.margin).abs() < 1e-12);

    // lambda scaled by s: the sup outside the caps scales by s exactly.
    let s = 1.0 + 2.0 * twin.margin.max(1e-3);
    let mut scaled = cert.clone();
    scaled.lambda.iter_mut().for_each(|v| *v *= s);
    let t2 = twin_check(&spec, &scaled, &cs).unwrap();
    eprintln!(
        "scaled by {s}: sup {:.9} against {:.9} expected",
        t2.sup_outside,
        s * twin.sup_outside
    );
    assert!(
        (t2.sup_outside - s * twin.sup_outside).abs() <= 1e-6 * s,
        "sup of the scaled lambda {} is not {s} x {}",
        t2.sup_outside,
        twin.sup_outside
    );
    assert!(t2.sup_outside > 1.0 && !t2.passes);
    // ... and a unique verdict resting on it becomes inconclusive.
    let mut broken = r.clone();
    broken.certificate = Some(scaled);
    apply_twin(&mut broken, &spec, &cs).unwrap();
    assert_eq!(broken.verdict, Verdict::Inconclusive, "{}", broken.reason);
    assert!(broken.reason.contains("not confirmed"), "{}", broken.reason);
}

/// In d = 1 (D = 3) the branch-and-bound proves the margin: the twin's
/// brute-force sup must never exceed the proved bound `1 - margin` (a
/// search that beats a proof shows a bug in one of them). Fresh seeds.
#[test]
fn no_twin_search_beats_a_proved_margin_in_d1() {
    let mut checked = 0;
    for i in 0..12u64 {
        let seed = 7_001 + i;
        let psi = ["std", "pre"][(i % 2) as usize];
        let width = 1 + (i / 2) as usize % 2;
        let spec = SpecInput {
            d: Some(1),
            k0: Some(1),
            k: Some(4),
            psi: Some(psi.into()),
            seed: Some(seed),
            ..Default::default()
        }
        .build()
        .unwrap();
        let mut options = SolveOptions::default();
        options.refine.enabled = true;
        let cs = CertifySettings::default();
        let req = CertifyRequest {
            spec: spec.clone(),
            teacher: ShallowInr::random(1, 1, width, seed).unwrap(),
            options,
            certify_settings: cs,
            verdict_settings: VerdictSettings::default(),
        };
        let r = certify(&req).unwrap();
        let Some(c) = r
            .certificate
            .as_ref()
            .filter(|_| r.verdict == Verdict::Unique)
        else {
            continue;
        };
        if c.margin_kind != inrsamp::certify::bound::BoundKind::Proved {
            continue;
        }
        let t = twin_check(&spec, c, &cs).unwrap();
        eprintln!(
            "seed {seed} ({psi}, W = {width}): proved sup bound {:.12}, twin {:.12}",
            1.0 - c.margin,
            t.sup_outside
        );
        assert!(
            t.sup_outside <= 1.0 - c.margin + 1e-12,
            "seed {seed}: the twin found {} above the proved bound {}",
            t.sup_outside,
            1.0 - c.margin
        );
        assert!(t.passes, "seed {seed}: {}", t.failure);
        checked += 1;
    }
    assert!(
        checked >= 4,
        "only {checked} proved unique verdicts among 12 teachers"
    );
}
