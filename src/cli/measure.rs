//! `inrsamp measure`: the Fourier measurements of a teacher INR.

use super::{ProblemArgs, TeacherArgs};
use crate::error::Result;
use crate::fourier::RealMap;
use crate::measurement::{MethodUsed, measure};
use crate::output::write_coefficients_csv;
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

/// Flags of `inrsamp measure`.
#[derive(Debug, Clone, Args)]
pub struct MeasureArgs {
    /// Problem flags.
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// Teacher flags.
    #[command(flatten)]
    pub teacher: TeacherArgs,
    /// CSV of the complex coefficients over S_K (columns k1[,k2],re,im),
    /// written atomically.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs the subcommand; returns what to print on stdout.
pub fn run(args: &MeasureArgs) -> Result<String> {
    let spec = args.problem.spec()?;
    let net = args.teacher.teacher(&spec)?;
    let meas = measure(&spec, &net)?;
    let map = RealMap::new(spec.d, spec.k);
    if let Some(path) = &args.out {
        write_coefficients_csv(path, &map, &meas.y)?;
    }
    let coeffs = map.to_complex(&meas.y)?;
    let (method, n) = match meas.method {
        MethodUsed::Exact => ("exact", None),
        MethodUsed::Grid { n } => ("grid", Some(n)),
    };
    if args.problem.json {
        let list: Vec<_> = coeffs
            .iter()
            .map(|(k, c)| json!({"k": k, "re": c.re, "im": c.im}))
            .collect();
        let v = json!({
            "m": map.len(),
            "method": method,
            "n": n,
            "quadrature_error_estimate": meas.error_estimate,
            "relative_error_estimate": meas.relative_error_estimate,
            "tolerance_met": meas.tolerance_met,
            "spec": spec,
            "real_vector": meas.y,
            "coefficients": list,
        });
        return Ok(format!("{v}\n"));
    }
    let mut s = String::new();
    s.push_str(&format!(
        "# d = {}, K0 = {}, K = {}, M = {} real measurements, teacher width {}\n",
        spec.d,
        spec.k0,
        spec.k,
        map.len(),
        net.units.len()
    ));
    match (n, meas.error_estimate) {
        (Some(n), Some(e)) => s.push_str(&format!(
            "# grid quadrature N = {n} per axis; estimate |y_N - y_2N| = {e:.3e} (relative {:.3e}){}\n",
            meas.relative_error_estimate.unwrap_or(f64::NAN),
            if meas.tolerance_met { "" } else { "  WARNING: above quad-tol; raise --quad" }
        )),
        _ => s.push_str("# exact coefficients (d = 1, real zeros of g)\n"),
    }
    let kcols: Vec<String> = (1..=spec.d).map(|a| format!("k{a}")).collect();
    s.push_str(&format!(
        "{:>12} {:>24} {:>24}\n",
        kcols.join(","),
        "re",
        "im"
    ));
    for (k, c) in coeffs {
        let ks: Vec<String> = k.iter().map(|v| v.to_string()).collect();
        s.push_str(&format!(
            "{:>12} {:>24.16e} {:>24.16e}\n",
            ks.join(","),
            c.re,
            c.im
        ));
    }
    if let Some(p) = &args.out {
        s.push_str(&format!("# wrote {}\n", p.display()));
    }
    Ok(s)
}
