//! `inrsamp demo`: the README's main job.
//!
//! Draws a random width-1 INR (d = 1, K0 = 2, K = 5), prints its weights,
//! its psi values, its exact measurement vector, and the table of grid
//! quadrature errors against the exact coefficients with the observed rate;
//! then certifies a random width-1 teacher in the setting of Theorem 1.

use crate::certify::CertifySettings;
use crate::certify::refine::SolveOptions;
use crate::certify::verdict::{VerdictSettings, certify_teacher};
use crate::error::Result;
use crate::fourier::RealMap;
use crate::inr::features::Features;
use crate::inr::network::ShallowInr;
use crate::inr::psi::{psi_pre, psi_std};
use crate::measurement::{measure_at, measure_exact};
use crate::spec::SpecInput;
use clap::Args;

/// Flags of `inrsamp demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the random teacher.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Runs the demo; returns the report.
pub fn run(args: &DemoArgs) -> Result<String> {
    let spec = SpecInput {
        d: Some(1),
        k0: Some(2),
        k: Some(5),
        seed: Some(args.seed),
        ..Default::default()
    }
    .build()?;
    let net = ShallowInr::random(1, 2, 1, spec.seed)?;
    let w = &net.units[0].w;
    let mut s = String::new();
    s.push_str("inrsamp demo: one random rectified trigonometric polynomial\n");
    s.push_str(&format!(
        "problem: d = 1, K0 = {}, K = {} (M = {} real measurements), seed = {}\n",
        spec.k0,
        spec.k,
        spec.measurement_count(),
        spec.seed
    ));
    s.push_str(&format!(
        "teacher: a = {:.6}, w = {:?}\n",
        net.units[0].a,
        round(w)
    ));
    let unit_spec = ShallowInr::single(1, spec.k0, w.clone());
    let y_unit = measure_exact(&spec, &unit_spec)?;
    let features = Features::new(1, spec.k0);
    let zeros = crate::fourier::exact1d::zeros(&features.w_to_complex(w), &Default::default())
        .unwrap_or_default();
    s.push_str(&format!(
        "real zeros of g_w in [0,1): {:?}\n",
        round(&zeros)
    ));
    s.push_str(&format!(
        "psi values of w: std = {:.10}, pre = {:.10}, mod(K' = K) = {:.10}\n",
        psi_std(w),
        psi_pre(w),
        psi_std(&y_unit)
    ));
    let y = measure_exact(&spec, &net)?;
    let map = RealMap::new(1, spec.k);
    s.push_str("exact measurements A_K f (complex, k = 0..K):\n");
    for (k, c) in map.to_complex(&y)?.into_iter().filter(|(k, _)| k[0] >= 0) {
        s.push_str(&format!(
            "  k = {:>2}: {:>+.15e} {:>+.15e} i\n",
            k[0], c.re, c.im
        ));
    }
    s.push_str("grid quadrature vs exact (|y_N - y_exact|_2; rate = log2 of the error ratio):\n");
    s.push_str(&format!("  {:>8} {:>14} {:>8}\n", "N", "error", "rate"));
    let mut prev: Option<f64> = None;
    let (mut ns, mut errs) = (Vec::new(), Vec::new());
    for p in 4..=16 {
        let n = 1usize << p;
        let yn = measure_at(&spec, &net, n)?;
        let err = yn
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        let rate = prev.map(|e| (e / err).log2());
        s.push_str(&format!(
            "  {:>8} {:>14.3e} {:>8}\n",
            n,
            err,
            rate.map_or("-".into(), |r| format!("{r:.2}"))
        ));
        prev = Some(err);
        ns.push(n as f64);
        errs.push(err);
    }
    let slope = loglog_slope(&ns, &errs);
    s.push_str(&format!(
        "least-squares rate over N = 16..65536: {:.2} (grid quadrature of a function with kinks: error ~ N^-2)\n",
        -slope
    ));
    s.push_str(&certify_part(args.seed)?);
    Ok(s)
}

/// Certifies a random width-1 teacher (d = 1, K0 = 1, K = 3, psi_mod): the
/// setting of Theorem 1 (K >= 2 K0).
fn certify_part(seed: u64) -> Result<String> {
    let spec = SpecInput {
        d: Some(1),
        k0: Some(1),
        k: Some(3),
        psi: Some("mod".into()),
        seed: Some(seed),
        ..Default::default()
    }
    .build()?;
    let teacher = ShallowInr::random(1, 1, 1, seed)?;
    let (r, _, _) = certify_teacher(
        &spec,
        &teacher,
        &VerdictSettings::default(),
        &SolveOptions::default(),
        &CertifySettings::default(),
    )?;
    let mut s = String::new();
    s.push_str(
        "\ncertify a random width-1 teacher: d = 1, K0 = 1, K = 3 (>= 2 K0), psi_mod (Theorem 1)\n",
    );
    s.push_str(&format!(
        "teacher: a = {:.6}, w = {:?}\n",
        teacher.units[0].a,
        round(&teacher.units[0].w)
    ));
    s.push_str(&format!("verdict: {} ({})\n", r.verdict.name(), r.reason));
    s.push_str(&format!(
        "certified bracket on value(11): [{:.12} ({}), {:.12}]; teacher cost {:.12}\n",
        r.certified_lower,
        r.lower_kind.name(),
        r.certified_upper,
        r.teacher_cost
    ));
    if let Some(c) = &r.certificate {
        s.push_str(&format!(
            "certificate margin 1 - max|eta| outside caps of {} rad: {:.3e} ({}, tier {})\n",
            c.cap_radius,
            c.margin,
            c.margin_kind.name(),
            c.tier.map_or("none", |t| t.name())
        ));
    }
    s.push_str(&fit_part(
        &spec,
        &teacher,
        r.certified_lower,
        r.certified_upper,
    )?);
    Ok(s)
}

/// Least-squares slope of log(err) against log(n).
fn loglog_slope(ns: &[f64], errs: &[f64]) -> f64 {
    let xs: Vec<f64> = ns.iter().map(|n| n.ln()).collect();
    let ys: Vec<f64> = errs.iter().map(|e| e.max(f64::MIN_POSITIVE).ln()).collect();
    let mx = xs.iter().sum::<f64>() / xs.len() as f64;
    let my = ys.iter().sum::<f64>() / ys.len() as f64;
    let num: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let den: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    num / den
}

/// Trains a width-10 INR on the same teacher's measurements (augmented
/// Lagrangian, grid 256) and compares it with the convex minimizer.
fn fit_part(
    spec: &crate::spec::ProblemSpec,
    teacher: &ShallowInr,
    lower: f64,
    upper: f64,
) -> Result<String> {
    use crate::certify::eta::psi_for;
    use crate::dictionary::DiscretizationPlan;
    use crate::train::model::ShallowModel;
    use crate::train::readout::balance;
    use crate::train::{Silent, TrainSettings, initialize, train};
    let n = 256;
    let settings = TrainSettings {
        width: 10,
        grid: n,
        seed: spec.seed,
        tau: 1e-9,
        ..Default::default()
    };
    let model = ShallowModel::new(spec, settings.width, n)?;
    let y = measure_at(spec, teacher, n)?;
    let tg = teacher.grid_values(n);
    let r = train(
        &model,
        &y,
        Some(&tg),
        initialize(&model, &settings),
        &settings,
        &mut Silent,
    )?;
    let plan = DiscretizationPlan {
        n_quad: n,
        exact: false,
        error_samples: 0,
    };
    let b = balance(
        spec.d,
        spec.k0,
        model.dim,
        &r.params,
        &psi_for(spec, &plan)?,
    )?;
    let inr = crate::certify::verdict::network_of(spec, &b.atoms);
    let dist = crate::certify::verdict::function_rel_error(&inr, teacher);
    let mid = 0.5 * (lower + upper);
    let mut s = String::new();
    s.push_str(&format!(
        "\nfit a width-10 INR to the same data (augmented Lagrangian, Adam, grid {n}): {} after {} Adam steps ({:.2} s)\n",
        r.termination, r.adam_steps, r.seconds
    ));
    s.push_str(&format!(
        "INR balanced cost {:.10} vs convex value {:.10} (relative gap {:.2e}); {} active units; relative L2 distance to the teacher {:.2e}\n",
        b.cost,
        mid,
        (b.cost - mid).abs() / mid,
        b.active_units,
        dist
    ));
    Ok(s)
}

fn round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 1e6).round() / 1e6).collect()
}
