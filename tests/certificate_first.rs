//! The certificate-first final bound (src/certify/final_bound.rs,
//! docs/theory.md 5): in `certify`, the teacher's certificate is checked
//! before the final thorough search, and when it passes and its lower end
//! closes the bracket, that search is not made.
//!
//! The slower twin is the same verdict with `certificate_first: false` (the
//! final thorough search of the refinement's `lambda`, as before). On fresh
//! seeds (42 000 + i; the settings were not tuned on them), asserted: the
//! same verdict and upper end, both lower ends below the upper end and
//! within the refinement tolerance of each other, and, where the
//! certificate closed the bracket, an independent whole-sphere search of
//! its `lambda` (a 40 000-point design of another seed, 16x the ascents,
//! 5x their iterations, no caps) finds no `|eta|` above the bound the lower
//! end divides by. The same holds in decide mode (`--decide`, the sweeps'
//! setting), against its own twin.

mod common;
use inrsamp::certify::CertifySettings;
use inrsamp::certify::refine::{LowerSource, SolveOptions};
use inrsamp::certify::verdict::{VerdictSettings, certify_teacher};
use inrsamp::inr::network::ShallowInr;

/// (seed, psi, K, W) of case `i`: psi_std and psi_pre, K = 3 and 4, W = 1
/// (mostly `unique`, the verdicts this path serves, in a few rounds: 2 to
/// 4 s each; K = 2 and W = 2 take up to 30 rounds).
fn case(i: usize) -> (u64, &'static str, i64, usize) {
    (
        42_000 + i as u64,
        ["std", "pre"][i % 2],
        3 + ((i / 2) % 2) as i64,
        1,
    )
}

/// The refinement's settings of `certify` (refinement on).
fn options() -> SolveOptions {
    let mut o = SolveOptions::default();
    o.refine.enabled = true;
    o
}

#[test]
#[ignore = "slow (about 30 s): .ci/run runs it (cargo test -- --include-ignored)"]
fn certificate_first_agrees_with_the_thorough_final_search() {
    use rayon::prelude::*;
    let results: Vec<_> = (0..6usize)
        .into_par_iter()
        .map(|i| {
            let (seed, psi, k, width) = case(i);
            let mut spec = common::spec(2, 1, k, psi);
            spec.seed = seed;
            let teacher = ShallowInr::random(2, 1, width, seed).unwrap();
            let run = |first: bool, decide: bool| {
                let vs = VerdictSettings {
                    certificate_first: first,
                    decide,
                    ..VerdictSettings::default()
                };
                certify_teacher(
                    &spec,
                    &teacher,
                    &vs,
                    &options(),
                    &CertifySettings::default(),
                )
                .unwrap()
            };
            let mut pairs = Vec::new();
            for decide in [false, true] {
                pairs.push((
                    i,
                    decide,
                    spec.clone(),
                    run(true, decide),
                    run(false, decide),
                ));
            }
            pairs
        })
        .flatten()
        .collect();
    let mut closed = [0, 0];
    for (i, decide, spec, (fast, _, solve), (twin, _, _)) in &results {
        let i = format!("{i}{}", if *decide { " (decide)" } else { "" });
        let eps = options().refine.eps_for(&spec.psi);
        eprintln!(
            "case {i}: {:?} [{:.12}, {:.12}] ({:?}) vs twin {:?} [{:.12}, {:.12}]",
            fast.verdict,
            fast.certified_lower,
            fast.certified_upper,
            solve.lower_source,
            twin.verdict,
            twin.certified_lower,
            twin.certified_upper
        );
        assert_eq!(fast.verdict, twin.verdict, "case {i}: verdict");
        let up = fast.certified_upper;
        approx::assert_relative_eq!(up, twin.certified_upper, max_relative = 1e-12);
        for lower in [fast.certified_lower, twin.certified_lower] {
            assert!(
                lower <= up * (1.0 + 1e-12),
                "case {i}: lower {lower} above {up}"
            );
        }
        assert!(
            (fast.certified_lower - twin.certified_lower).abs() <= eps * up.abs(),
            "case {i}: lower ends {} and {} differ by more than eps = {eps:e}",
            fast.certified_lower,
            twin.certified_lower
        );
        if solve.lower_source != LowerSource::Certificate {
            continue;
        }
        closed[usize::from(*decide)] += 1;
        let sup = solve.sup.as_ref().expect("a bracket has its sup");
        let lambda = solve
            .lower_lambda
            .clone()
            .unwrap_or_else(|| solve.grid.lp.lambda.clone());
        let brute = common::twin_sup(spec, &lambda, &[], 0.0, 40_000, 0x5EC0 + spec.seed, 16);
        eprintln!(
            "case {i}: the certificate's bound {:.15}, an independent whole-sphere search {brute:.15}",
            sup.value
        );
        assert!(
            brute <= sup.value.max(1.0) * (1.0 + 1e-9),
            "case {i}: an independent search finds |eta| = {brute} above the certificate's bound {}",
            sup.value
        );
    }
    assert!(
        closed.iter().all(|&c| c >= 1),
        "cases closed by their certificate (without, with --decide): {closed:?}; a path was not exercised"
    );
}

#[test]
fn the_cli_flag_gives_the_thorough_twin() {
    // d = 2, psi_pre, width 1, K = 4, seed 42003 (case 3 above: `unique`,
    // closed by its certificate). `--no-certificate-first` must make the
    // final thorough search instead: the same verdict and upper end, a
    // lower end from another source, both within --eps (1e-6) of the upper
    // end.
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "certify",
            "--d",
            "2",
            "--k0",
            "1",
            "--k",
            "4",
            "--psi",
            "pre",
            "--teacher",
            "random",
            "--width",
            "1",
            "--seed",
            "42003",
            "--json",
        ];
        a.extend_from_slice(extra);
        a
    };
    // The same in decide mode (`--decide`, the sweeps' setting): the
    // certificate first applies there too.
    for decide in [&[][..], &["--decide"][..]] {
        let fast = common::run_json(&args(decide));
        let twin = common::run_json(&args(&[decide, &["--no-certificate-first"]].concat()));
        assert_eq!(fast["verdict"], "unique");
        assert_eq!(twin["verdict"], "unique");
        assert_eq!(fast["lower_source"], "certificate", "{decide:?}");
        assert_ne!(twin["lower_source"], "certificate", "{decide:?}");
        let f = |v: &serde_json::Value, k: &str| v[k].as_f64().expect(k);
        let up = f(&fast, "certified_upper");
        approx::assert_relative_eq!(up, f(&twin, "certified_upper"), max_relative = 1e-12);
        for r in [&fast, &twin] {
            let lo = f(r, "certified_lower");
            assert!(
                lo <= up * (1.0 + 1e-12) && up - lo <= 1e-6 * up,
                "{decide:?}: [{lo}, {up}]"
            );
        }
    }
}
