//! `inrsamp demo`: the README's main job.
//!
//! Draws a random width-1 INR (d = 1, K0 = 2, K = 5), prints its weights,
//! its psi values, its exact measurement vector, and the table of grid
//! quadrature errors against the exact coefficients with the observed rate.

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
    }
    s.push_str(
        "(the error of grid quadrature of a function with kinks decays like N^-2: rate about 2)\n",
    );
    Ok(s)
}

fn round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| (x * 1e6).round() / 1e6).collect()
}
