//! The Cauchy-Schwarz bound of `sup |eta|` for psi_mod (`certify::cauchy_schwarz`):
//! its hypothesis checked unit by unit on exact d = 2 columns (random
//! directions and thin bumps), the guard `K' >= K` shown necessary by a
//! unit that breaks the bound when `K' < K`, and the end-to-end claim: a
//! width-1 psi_mod teacher's lower end is proved and equals `|y|`, the norm
//! of its data measured by the `measure` subcommand (and, independently of
//! the exact route, by grid quadrature).

mod common;
use common::{exact_spec, norm, run_json, with_height_2d};
use inrsamp::certify::cauchy_schwarz::cauchy_schwarz_bound;
use inrsamp::certify::eta::EtaField;
use inrsamp::dictionary::DiscretizationPlan;
use inrsamp::inr::psi::PsiKind;
use inrsamp::spec::{ProblemSpec, SpecInput};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// d = 2, K0 = 1, cutoff `k`, psi_mod with `K' = k_prime`, exact columns.
fn mod_spec(k: usize, k_prime: usize) -> ProblemSpec {
    SpecInput {
        d: Some(2),
        k0: Some(1),
        k: Some(k as i64),
        psi: Some("mod".into()),
        psi_k: Some(k_prime as i64),
        exact: Some(true),
        seed: Some(1),
        ..Default::default()
    }
    .build()
    .expect("valid spec")
}

fn unit_vector(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    let v: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
    let s = norm(&v);
    v.iter().map(|x| x / s).collect()
}

/// `A_K sigma(g_v)` on exact columns, through the `measure` subcommand
/// (one unit with a = 1).
fn column(k: usize, v: &[f64]) -> Vec<f64> {
    let w: Vec<String> = v.iter().map(|x| format!("{x:e}")).collect();
    let k = k.to_string();
    let out = run_json(&[
        "measure",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        &k,
        "--exact",
        "--json",
        &format!("--w={}", w.join(",")),
    ]);
    out["real_vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn eta_never_exceeds_the_norm_of_lambda_when_k_prime_is_at_least_k() {
    let mut rng = ChaCha8Rng::seed_from_u64(0xC5_0001);
    for (k, k_prime) in [(2, 2), (2, 3), (3, 3)] {
        let spec = mod_spec(k, k_prime);
        let plan = DiscretizationPlan::for_spec(&spec).unwrap();
        let m = spec.measurement_count();
        let dim = spec.feature_dim();
        let lambda = unit_vector(&mut rng, m);
        let lambda: Vec<f64> = lambda.iter().map(|x| 1.7 * x).collect();
        let bound = cauchy_schwarz_bound(&spec, &lambda).expect("psi_mod with K' >= K");
        assert!((bound / 1.7 - 1.0).abs() <= 1e-11, "{bound}");
        let field = EtaField::new(&spec, &plan, lambda.clone()).unwrap();
        let mut largest = 0.0f64;
        let mut evaluated = 0;
        for i in 0..600 {
            let w = unit_vector(&mut rng, dim);
            // Every third one a thin bump: g rises 1e-2, 1e-3 or 1e-4 |w|
            // above 0 (the regime where psi_mod vanishes).
            let w = if i % 3 == 0 {
                let h = [1e-2, 1e-3, 1e-4][(i / 3) % 3];
                with_height_2d(1, w, h, 96)
            } else {
                w
            };
            let Ok(eta) = field.value(&w) else { continue };
            if !eta.is_finite() || eta == 0.0 {
                continue;
            }
            evaluated += 1;
            largest = largest.max(eta.abs());
            assert!(
                eta.abs() <= 1.7 * (1.0 + 1e-12),
                "K = {k}, K' = {k_prime}: |eta| = {eta} above |lambda| = 1.7 at {w:?}"
            );
        }
        assert!(evaluated > 500, "only {evaluated} units evaluated");
        // The bound is attained (so the comparison above is not vacuous):
        // with K' = K, lambda along a unit's own column gives eta = |lambda|
        // there.
        if k == k_prime {
            let v = unit_vector(&mut rng, dim);
            let col = column(k, &v);
            let s = norm(&col);
            let lam: Vec<f64> = col.iter().map(|x| 1.7 * x / s).collect();
            let f = EtaField::new(&spec, &plan, lam).unwrap();
            let eta = f.value(&v).unwrap();
            assert!((eta - 1.7).abs() <= 1e-10, "eta {eta} against 1.7");
        }
        eprintln!("K = {k}, K' = {k_prime}: largest |eta| {largest:.6} of 1.7");
    }
}

#[test]
fn the_bound_fails_when_k_prime_is_below_k_and_is_not_offered_there() {
    // K = 3, K' = 1: lambda along a unit's A_3 column gives eta = |A_3
    // sigma| / |A_1 sigma| at that unit, above |lambda| = 1 whenever the
    // unit has energy at frequencies 2 or 3.
    let spec = mod_spec(3, 1);
    assert!(matches!(spec.psi, PsiKind::Mod { k_prime: 1 }));
    let plan = DiscretizationPlan::for_spec(&spec).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0xC5_0002);
    let v = with_height_2d(1, unit_vector(&mut rng, spec.feature_dim()), 0.05, 96);
    let col = column(3, &v);
    let s = norm(&col);
    let lambda: Vec<f64> = col.iter().map(|x| x / s).collect();
    assert!(cauchy_schwarz_bound(&spec, &lambda).is_none());
    let eta = EtaField::new(&spec, &plan, lambda)
        .unwrap()
        .value(&v)
        .unwrap();
    eprintln!("K = 3, K' = 1: eta = {eta} at the unit, |lambda| = 1");
    assert!(
        eta > 1.01,
        "eta {eta}: the unit should break |eta| <= |lambda| = 1"
    );
    // psi_std and psi_pre have no such bound either.
    for psi in ["std", "pre"] {
        let sp = exact_spec(2, 1, 2, psi, 1);
        assert!(cauchy_schwarz_bound(&sp, &[1.0; 25]).is_none());
    }
}

/// The arguments of `certify` for a psi_mod teacher of width `w` (d = 2,
/// K0 = 1).
fn certify_mod_args(k: usize, w: usize, seed: u64) -> Vec<String> {
    let (k, w, seed) = (k.to_string(), w.to_string(), seed.to_string());
    [
        "certify",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        &k,
        "--psi",
        "mod",
        "--teacher",
        "random",
        "--width",
        &w,
        "--seed",
        &seed,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect()
}

/// `certify --json` of a psi_mod teacher of width `w` (d = 2, K0 = 1), with
/// `extra` flags.
fn certify_mod(k: usize, w: usize, seed: u64, extra: &[&str]) -> serde_json::Value {
    let owned = certify_mod_args(k, w, seed);
    let mut args: Vec<&str> = owned.iter().map(String::as_str).collect();
    args.push("--json");
    args.extend_from_slice(extra);
    run_json(&args)
}

/// `|y|` of the psi_mod teacher of [`certify_mod`] by the `measure`
/// subcommand: exact, or on an `n`-point grid.
fn data_norm_of(k: usize, w: usize, seed: u64, quad: Option<usize>) -> f64 {
    let (k, w, seed) = (k.to_string(), w.to_string(), seed.to_string());
    let mut args = vec![
        "measure",
        "--d",
        "2",
        "--k0",
        "1",
        "--k",
        &k,
        "--teacher",
        "random",
        "--width",
        &w,
        "--seed",
        &seed,
        "--json",
    ];
    let n;
    match quad {
        Some(q) => {
            n = q.to_string();
            args.extend(["--quad", n.as_str()]);
        }
        None => args.push("--exact"),
    }
    let y: Vec<f64> = run_json(&args)["real_vector"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    norm(&y)
}

/// The data norm `|y|` on exact columns, after checking it against the
/// independent grid route (1024 points, to 1e-4); then the proved lower end
/// `lower` is checked to equal it to 1e-9 (the triangle inequality: every
/// measure with `A_K mu = y` costs at least `|y|`). Returns `|y|`.
fn assert_lower_end_is_the_data_norm(k: usize, w: usize, seed: u64, lower: f64) -> f64 {
    let y_exact = data_norm_of(k, w, seed, None);
    let y_grid = data_norm_of(k, w, seed, Some(1024));
    assert!(
        (y_grid / y_exact - 1.0).abs() <= 1e-4,
        "the exact and grid data disagree: {y_exact} against {y_grid}"
    );
    assert!(
        (lower / y_exact - 1.0).abs() <= 1e-9,
        "K = {k}, width {w}, seed {seed}: proved lower end {lower} against |y| = {y_exact}"
    );
    y_exact
}

#[test]
fn a_width_one_psi_mod_teacher_has_a_proved_lower_end_equal_to_its_data_norm() {
    for (k, seed) in [(2usize, 41_001u64), (3, 41_002)] {
        let r = certify_mod(k, 1, seed, &[]);
        let lower = r["certified_lower"].as_f64().unwrap();
        let upper = r["certified_upper"].as_f64().unwrap();
        assert_eq!(
            r["lower_kind"], "proved",
            "K = {k}, seed {seed}: {}",
            r["reason"]
        );
        // The data norm closes the first LP's bracket: no search is made
        // (certify::cauchy_schwarz::closed_by_data_norm).
        assert_eq!(r["lower_source"], "data_norm", "K = {k}, seed {seed}");
        assert_eq!(r["refine_rounds"], 0, "K = {k}, seed {seed}");
        // The teacher (width 1) costs exactly |y|.
        let y_exact = assert_lower_end_is_the_data_norm(k, 1, seed, lower);
        // The upper end is a verified measure's cost, which fits y to its
        // residual only: cost >= |A mu| >= |y| - |A mu - y| (the triangle
        // inequality), so it may sit below |y| by the residual (here 1e-12
        // to 1e-11 relative), never by more.
        let residual = r["relative_residual"].as_f64().unwrap() * y_exact;
        assert!(
            upper >= y_exact - residual * (1.0 + 1e-6) - 1e-15,
            "K = {k}, seed {seed}: upper end {upper} below |y| - residual = {}",
            y_exact - residual
        );
        assert!(
            lower <= upper + residual * (1.0 + 1e-6) + 1e-15,
            "{lower} > {upper}"
        );
        assert!(
            (upper - lower) <= 1e-6 * upper,
            "[{lower}, {upper}] not tight"
        );
        let sup = &r["sup"];
        assert_eq!(sup["kind"], "proved");
        // No point of the sphere was evaluated for this bound.
        assert_eq!(sup["searched"], false, "K = {k}, seed {seed}");
        if k == 2 {
            // The text report says that no search was made (not a search
            // estimate of 0).
            let out = common::inrsamp()
                .args(certify_mod_args(k, 1, seed))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text.lines().find(|l| l.starts_with("sup |eta|")).unwrap();
            assert!(line.contains("(proved; no search)"), "{line}");
        }
        assert!(
            sup["note"].as_str().unwrap().contains("Cauchy-Schwarz"),
            "{}",
            sup["note"]
        );
    }
}

#[test]
fn in_decide_mode_a_width_two_psi_mod_verdict_has_the_data_norm_as_its_proved_lower_end() {
    // d = 2, K0 = 1, K = 2, width 2, fresh seed 41 020: `not_recovered`
    // with --decide (a cheaper measure is verified in a few rounds). The
    // lower end is then |y| (no search): every measure with A_K mu = y
    // costs at least |A_K mu| = |y| (Cauchy-Schwarz unit by unit, then the
    // triangle inequality), measured here independently by `measure`
    // (exact, and on a grid).
    let (k, w, seed) = (2, 2, 41_020);
    let r = certify_mod(k, w, seed, &["--decide"]);
    assert_eq!(r["verdict"], "not_recovered", "{}", r["reason"]);
    assert_eq!(r["lower_source"], "data_norm");
    assert_eq!(r["lower_kind"], "proved");
    assert_eq!(r["sup"]["searched"], false);
    assert!(
        r["sup"]["note"]
            .as_str()
            .unwrap()
            .contains("Cauchy-Schwarz")
    );
    let lower = r["certified_lower"].as_f64().unwrap();
    let upper = r["certified_upper"].as_f64().unwrap();
    let teacher = r["teacher_cost"].as_f64().unwrap();
    let y_exact = assert_lower_end_is_the_data_norm(k, w, seed, lower);
    // A width-2 teacher's cost is above |y| (the inequality is strict unless
    // the units' measurements are parallel), and the verified measure lies
    // between: |y| - residual <= upper < teacher.
    let residual = r["relative_residual"].as_f64().unwrap() * y_exact;
    assert!(
        lower < upper && upper < teacher,
        "{lower} {upper} {teacher}"
    );
    assert!(upper >= y_exact - residual * (1.0 + 1e-6) - 1e-15);
}
