//! The sup search against brute force on random lambdas (issue "Sound
//! verdicts", point 2): the default search (`SupSettings::default()`, the
//! same candidates `sup_bound` uses) must reach the brute-force maximum
//! (a 10x denser design plus ascents from 8x more starts, 5x longer) to
//! 1e-8 relative on at least 99 % of the cases, in D = 3 (psi std, pre,
//! mod), 5 (psi std, pre, mod: the brute force of psi_mod includes a 4x
//! finer scan of the limits on point pairs, `certify::limit_points`) and 9
//! (psi std, pre), and the
//! branch-and-bound bound (D = 3) must never be below the brute-force value.
//!
//! Cases per dimension: `INRSAMP_SUP_CASES` (default 10; the closing note
//! of the issue reports a run with 200).

use inrsamp::certify::bound::BnbSettings;
use inrsamp::certify::eta::{EtaField, SupSettings, dense_eta, sup_eta};
use inrsamp::certify::limit_points::{PointCone, PointSearch, sup_point_limits};
use inrsamp::certify::sup::sup_bound;
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::spec::{ProblemSpec, SpecInput};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn spec(d: usize, k0: usize, k: usize, psi: &str, seed: u64) -> ProblemSpec {
    SpecInput {
        d: Some(d as i64),
        k0: Some(k0 as i64),
        k: Some(k as i64),
        psi: Some(psi.into()),
        exact: Some(d == 1),
        seed: Some(seed),
        ..Default::default()
    }
    .build()
    .unwrap()
}

fn cases() -> usize {
    std::env::var("INRSAMP_SUP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// (agreements, cases, worst relative shortfall)
fn run(d: usize, k0: usize, k: usize) -> (usize, usize, f64) {
    let n = cases();
    // psi_mod in d = 1 only: in d = 2 its sup can sit on limits of units
    // concentrating on curves, which the search does not cover (the
    // README and the certify output say so).
    let psis: &[&str] = if d == 1 {
        &["std", "pre", "mod"]
    } else {
        &["std", "pre"]
    };
    use rayon::prelude::*;
    let results: Vec<(bool, f64)> = (0..n).into_par_iter().map(|i| {
        let psi = psis[i % psis.len()];
        let sp = spec(d, k0, k, psi, 1000 + i as u64);
        let plan = DiscretizationPlan::for_spec(&sp).unwrap();
        let m = sp.measurement_count();
        let mut rng = ChaCha8Rng::seed_from_u64(77 + i as u64);
        let lambda: Vec<f64> = (0..m).map(|_| StandardNormal.sample(&mut rng)).collect();
        let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
        let def = SupSettings::default();
        let cand = dense_eta(&sp, &plan, &lambda, 0, def.seed).unwrap();
        // The default search alone (target None: no branch-and-bound), or
        // with the branch-and-bound asked to prove `estimate (1 + 1e-6)`.
        let bound = |prove: bool| {
            sup_bound(
                &sp,
                &plan,
                &field,
                &cand,
                &def,
                &BnbSettings::default(),
                None,
                |e| prove.then_some(e * (1.0 + 1e-6)),
            )
            .unwrap()
        };
        let fast = bound(false);
        // Brute force: 10x the design (another seed), 8x the starts, 5x the
        // iterations, no merging of ascents.
        let dim = sp.feature_dim();
        let nbf = 10 * (400 * dim * dim).clamp(2_000, 20_000);
        let bf_cand = dense_eta(&sp, &plan, &lambda, nbf, 0xB00F + i as u64).unwrap();
        let bf_set = SupSettings {
            starts: 8 * def.starts,
            ascent_iters: 5 * def.ascent_iters,
            // Every ascent to its own end (no early stop at earlier maxima).
            merge_radius: 0.0,
            ..def
        };
        let bf = sup_eta(&field, &bf_cand, &bf_set, None).unwrap();
        let mut brute = bf.value;
        if let Some((limit, _)) = &fast.thin_bump_limit {
            brute = brute.max(*limit);
        }
        if fast.point_limit.is_some() {
            let def = PointSearch::default();
            let fine = PointSearch {
                grid: 4 * def.grid,
                refine: 4 * def.refine,
                ..def
            };
            let cone = PointCone::new(d, k, k, &lambda);
            brute = brute.max(sup_point_limits(&cone, k0, &fine).eta.abs());
        }
        let short = (brute - fast.estimate) / brute;
        if let Some(l) = &fast.point_limit
            && l.points.len() >= 2
            && l.weights.iter().all(|&w| w > 0.0)
            && l.eta.abs() >= fast.estimate * (1.0 - 1e-12)
        {
            eprintln!("D = {}, case {i} ({psi}): the sup is a limit on {} points", sp.feature_dim(), l.points.len());
        }
        if short > 1e-8 {
            eprintln!(
                "D = {dim}, case {i} ({psi}): search {:.12} < brute force {brute:.12}",
                fast.estimate
            );
        }
        if d == 1 && k0 == 1 {
            let b = bound(true);
            let ub = b.proved_upper.unwrap();
            assert!(
                ub >= brute * (1.0 - 1e-12),
                "case {i} ({psi}): branch-and-bound bound {ub} below a value found by brute force {brute}"
            );
        }
        (short <= 1e-8, short)
    }).collect();
    let ok = results.iter().filter(|r| r.0).count();
    let worst = results.iter().map(|r| r.1).fold(0.0f64, f64::max);
    (ok, n, worst)
}

fn check(d: usize, k0: usize, k: usize) {
    let (ok, n, worst) = run(d, k0, k);
    eprintln!("d = {d}, K0 = {k0}: {ok}/{n} agree to 1e-8 (worst shortfall {worst:.2e})");
    assert!(
        ok as f64 >= 0.99 * n as f64,
        "the search reached the brute-force maximum in only {ok} of {n} cases"
    );
}

#[test]
fn search_matches_brute_force_d3() {
    check(1, 1, 3);
}

#[test]
#[ignore = "slow: .ci/run runs it (cargo test -- --include-ignored)"]
fn search_matches_brute_force_d5() {
    check(1, 2, 4);
}

#[test]
#[ignore = "slow: .ci/run runs it (cargo test -- --include-ignored)"]
fn search_matches_brute_force_d9() {
    check(2, 1, 3);
}

/// The early stop of ascents at earlier batches' maxima
/// (`certify::ascent::MERGE_RADIUS`) against the same search without it,
/// in D = 9 with the thorough search's 768 starts (12 batches), on fresh
/// seeds: random `lambda`s, and the duals of dictionary LPs (2 000 random
/// columns, width-2 teachers; `|eta| <= 1` on the columns, plateaus near 1
/// around the support, as on the certificates the verdicts search). The
/// sup may not drop (beyond 1e-9 relative), and the evaluations must fall;
/// psi_mod searches do not merge, so theirs must not change.
#[test]
fn merged_ascents_keep_the_sup_in_d9() {
    use inrsamp::certify::refine::{SolveOptions, solve_certified};
    use inrsamp::dictionary::Dictionary;
    use inrsamp::inr::network::ShallowInr;
    use inrsamp::sphere::SphereGrid;
    use rayon::prelude::*;
    let results: Vec<(String, f64, f64, usize, usize)> = (0..9)
        .into_par_iter()
        .map(|i| {
            let psi = ["std", "pre", "mod"][i % 3];
            let sp = spec(2, 1, 3, psi, 5000 + i as u64);
            let plan = inrsamp::certify::verdict::verdict_plan(&sp).unwrap();
            let (label, lambda) = if i < 3 {
                let mut rng = ChaCha8Rng::seed_from_u64(9100 + i as u64);
                let l: Vec<f64> = (0..sp.measurement_count())
                    .map(|_| StandardNormal.sample(&mut rng))
                    .collect();
                (format!("random lambda, psi_{psi}"), l)
            } else {
                let t = ShallowInr::random(2, 1, 2, 9200 + i as u64).unwrap();
                let y = inrsamp::certify::verdict::teacher_measurements(&sp, &plan, &t).unwrap();
                let grid = SphereGrid::new(9, 2000, 9300 + i as u64).unwrap();
                let mut dict = Dictionary::build(&sp, &plan, &grid.points).unwrap();
                let r =
                    solve_certified(&sp, &plan, &mut dict, &y, &SolveOptions::default()).unwrap();
                (format!("LP dual, psi_{psi}"), r.grid.lp.lambda)
            };
            let field = EtaField::new(&sp, &plan, lambda.clone()).unwrap();
            let def = SupSettings::default();
            let cand = dense_eta(&sp, &plan, &lambda, 20_000, 0x3E7 + i as u64).unwrap();
            // psi_mod (which must not merge): three batches suffice.
            let batches = if psi == "mod" { 3 } else { 12 };
            let thorough = SupSettings {
                starts: batches * 64,
                merge_radius: inrsamp::certify::ascent::MERGE_RADIUS,
                ..def
            };
            let merged = sup_eta(&field, &cand, &thorough, None).unwrap();
            let full = sup_eta(
                &field,
                &cand,
                &SupSettings {
                    merge_radius: 0.0,
                    ..thorough
                },
                None,
            )
            .unwrap();
            (
                label,
                merged.value,
                full.value,
                merged.evaluations,
                full.evaluations,
            )
        })
        .collect();
    for (i, (label, m, f, a, b)) in results.iter().enumerate() {
        eprintln!("case {i} ({label}): sup {m:.12} merged, {f:.12} full; evaluations {a} / {b}");
    }
    let (mut em, mut ef) = (0, 0);
    for (i, (label, m, f, a, b)) in results.iter().enumerate() {
        assert!(
            *m >= f - 1e-9 * f.abs().max(1.0),
            "case {i} ({label}): merged ascents lost the sup: {m} < {f}"
        );
        if label.ends_with("psi_mod") {
            // psi_mod never merges (its |eta| has maxima closer than the
            // radius near vanishing units; merged, case 2 lost 1.1e-6).
            assert_eq!(a, b, "case {i} ({label}): psi_mod searches merged");
        }
        em += a;
        ef += b;
    }
    assert!(em < ef, "no evaluation saved: {em} >= {ef}");
}
