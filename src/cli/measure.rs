//! `inrsamp measure`: the Fourier measurements of a teacher INR; the
//! library's [`MeasureReport`] printed as JSON (serde) or text.

use super::{ProblemArgs, TeacherArgs};
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::measurement::{MeasureReport, measure_report};
use crate::output::write_coefficients_csv;
use clap::Args;
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
    let report = measure_report(&spec, &net)?;
    if let Some(path) = &args.out {
        write_coefficients_csv(path, &RealMap::new(spec.d, spec.k), &report.real_vector)?;
    }
    if args.problem.json {
        let v = serde_json::to_string(&report).map_err(|e| Error::Numerical {
            what: format!("encoding the report: {e}"),
        })?;
        return Ok(format!("{v}\n"));
    }
    let mut s = text(&report, net.units.len());
    if let Some(p) = &args.out {
        s.push_str(&format!("# wrote {}\n", p.display()));
    }
    Ok(s)
}

/// The text form of a report.
fn text(r: &MeasureReport, width: usize) -> String {
    let spec = &r.spec;
    let mut s = format!(
        "# d = {}, K0 = {}, K = {}, M = {} real measurements, teacher width {width}\n",
        spec.d, spec.k0, spec.k, r.m
    );
    match (r.n, r.quadrature_error_estimate) {
        (Some(n), Some(e)) => s.push_str(&format!(
            "# grid quadrature N = {n} per axis; estimate |y_N - y_2N| = {e:.3e} (relative {:.3e}){}\n",
            r.relative_error_estimate.unwrap_or(f64::NAN),
            if r.tolerance_met { "" } else { "  WARNING: above quad-tol; raise --quad" }
        )),
        _ if spec.d == 1 => s.push_str("# exact coefficients (real zeros of g)\n"),
        (_, Some(e)) => s.push_str(&format!(
            "# exact coefficients (closed form in x1, panelled Gauss-Legendre in x2); \
             x2 rule vs its embedded half-order rule: {e:.3e} (relative {:.3e}; bounds the \
             half-order rule's error, an overestimate){}\n",
            r.relative_error_estimate.unwrap_or(f64::NAN),
            if r.tolerance_met { "" } else { "  WARNING: above quad-tol" }
        )),
        _ => s.push_str(
            "# exact coefficients (closed form in x1, panelled Gauss-Legendre in x2)\n",
        ),
    }
    let kcols: Vec<String> = (1..=spec.d).map(|a| format!("k{a}")).collect();
    s.push_str(&format!(
        "{:>12} {:>24} {:>24}\n",
        kcols.join(","),
        "re",
        "im"
    ));
    for c in &r.coefficients {
        let ks: Vec<String> = c.k.iter().map(|v| v.to_string()).collect();
        s.push_str(&format!(
            "{:>12} {:>24.16e} {:>24.16e}\n",
            ks.join(","),
            c.re,
            c.im
        ));
    }
    s
}
