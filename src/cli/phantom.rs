//! `inrsamp phantom`: exact Fourier data of an analytical phantom, its
//! ground truth and the zero-filled inverse FFT (the library is
//! `crate::phantom`).

use super::Outcome;
use crate::error::{Error, Result};
use crate::fourier::RealMap;
use crate::phantom::dots::DotSettings;
use crate::phantom::image::{write_csv, write_png};
use crate::phantom::make::{PhantomRequest, make};
use crate::phantom::{Phantom, PhantomName, real_vector};
use clap::Args;
use std::path::PathBuf;

/// Flags of `inrsamp phantom`.
#[derive(Debug, Clone, Args)]
pub struct PhantomArgs {
    /// A bundled phantom: brain, simple-brain, shepp-logan, rectangle, dots.
    #[arg(long, conflicts_with = "file")]
    pub name: Option<String>,
    /// A phantom JSON file in the format of data/phantoms/ (regions of type
    /// ellipse, polygon or bezier, counter-clockwise, FOV [1, 1]).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Cutoff K: the coefficients on |k|_inf <= K (1..=511).
    #[arg(long, default_value_t = 16)]
    pub k: usize,
    /// Side R of the pictures (R >= 2K + 1 for the zero-filled inverse FFT).
    #[arg(long, default_value_t = 256)]
    pub resolution: usize,
    /// Ground truth as the mean of S x S point samples per pixel (1: the
    /// pixel centre; the edges of regions make it an approximation of the
    /// pixel average either way).
    #[arg(long, default_value_t = 1)]
    pub supersample: usize,
    /// Measurement CSV (k1,k2,re,im over |k|_inf <= K), the format that
    /// `solve --measurements` and `fit --measurements` read.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Ground truth as CSV (R rows of R numbers, row = x1).
    #[arg(long = "truth-csv")]
    pub truth_csv: Option<PathBuf>,
    /// Ground truth as a grey PNG (black = its minimum, white = its maximum).
    #[arg(long = "truth-png")]
    pub truth_png: Option<PathBuf>,
    /// Zero-filled inverse FFT as CSV.
    #[arg(long = "zero-filled-csv")]
    pub zero_filled_csv: Option<PathBuf>,
    /// Zero-filled inverse FFT as PNG, on the ground truth's grey scale.
    #[arg(long = "zero-filled-png")]
    pub zero_filled_png: Option<PathBuf>,
    /// Dots: how many.
    #[arg(long, default_value_t = 8)]
    pub dots: usize,
    /// Dots: radius range "min,max" (the support is about the disc of that radius).
    #[arg(long = "dot-radius", default_value = "0.04,0.1")]
    pub dot_radius: String,
    /// Dots: peak-height range "min,max".
    #[arg(long = "dot-height", default_value = "0.5,1")]
    pub dot_height: String,
    /// Dots: seed of centres, radii and heights.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Dots: save the phantom as a teacher JSON (for certify/fit --teacher-file).
    #[arg(long = "save-inr")]
    pub save_inr: Option<PathBuf>,
    /// Machine-readable JSON report on stdout.
    #[arg(long)]
    pub json: bool,
}

impl PhantomArgs {
    /// Every output path with its flag.
    pub fn outputs(&self) -> Vec<(&'static str, &Option<PathBuf>)> {
        vec![
            ("out", &self.out),
            ("truth-csv", &self.truth_csv),
            ("truth-png", &self.truth_png),
            ("zero-filled-csv", &self.zero_filled_csv),
            ("zero-filled-png", &self.zero_filled_png),
            ("save-inr", &self.save_inr),
        ]
    }
}

fn range(field: &'static str, text: &str) -> Result<(f64, f64)> {
    match super::parse_vector(field, text)?.as_slice() {
        [a, b] => Ok((*a, *b)),
        _ => Err(Error::setting(field, text, "expected \"min,max\"")),
    }
}

/// Runs the subcommand.
pub fn run(args: &PhantomArgs) -> Result<Outcome> {
    let (radius, height) = (
        range("dot-radius", &args.dot_radius)?,
        range("dot-height", &args.dot_height)?,
    );
    let settings = DotSettings {
        count: args.dots,
        radius_min: radius.0,
        radius_max: radius.1,
        height_min: height.0,
        height_max: height.1,
        seed: args.seed,
    };
    let (phantom, label, dots) = match (&args.name, &args.file) {
        (Some(n), None) => {
            let name = PhantomName::parse(n)?;
            let dots = (name == PhantomName::Dots)
                .then(|| settings.dots())
                .transpose()?;
            (Phantom::builtin(name, &settings)?, n.clone(), dots)
        }
        (None, Some(p)) => (Phantom::from_file(p)?, p.display().to_string(), None),
        _ => {
            return Err(Error::setting(
                "name",
                "none",
                "give --name (brain, simple-brain, shepp-logan, rectangle, dots) or --file F",
            ));
        }
    };
    if args.save_inr.is_some() && dots.is_none() {
        return Err(Error::setting(
            "save-inr",
            "given",
            "only the dot phantom is a shallow INR",
        ));
    }
    let req = PhantomRequest {
        k: args.k,
        resolution: args.resolution,
        supersample: args.supersample,
    };
    let out = make(&phantom, &label, dots, req)?;
    if let Some(p) = &args.out {
        let map = RealMap::new(2, args.k);
        crate::output::write_coefficients_csv(p, &map, &real_vector(&out.cube))?;
    }
    let [lo, hi] = out.report.truth_range;
    if let Some(p) = &args.truth_csv {
        write_csv(p, &out.truth)?;
    }
    if let Some(p) = &args.truth_png {
        write_png(p, &out.truth, lo, hi)?;
    }
    if let Some(p) = &args.zero_filled_csv {
        write_csv(p, &out.zero_filled)?;
    }
    if let Some(p) = &args.zero_filled_png {
        write_png(p, &out.zero_filled, lo, hi)?;
    }
    if let (Some(p), Phantom::Inr { net }) = (&args.save_inr, &phantom) {
        let text = serde_json::to_string_pretty(net).map_err(|e| Error::Numerical {
            what: format!("encoding the INR: {e}"),
        })?;
        crate::output::write_atomic(p, |w| w.write_all(text.as_bytes()))?;
    }
    let r = &out.report;
    if args.json {
        let v = serde_json::to_string(r).map_err(|e| Error::Numerical {
            what: format!("encoding the report: {e}"),
        })?;
        return Ok(Outcome::from(format!("{v}\n")));
    }
    let mut s = format!(
        "phantom {}: K = {}, M = {} real measurements, mean f^[0] = {:.12e}\n\
         coefficients: {} ({:.2} s)\n\
         pictures: {} x {}, ground truth by {}, range [{:.4}, {:.4}]\n\
         zero-filled inverse FFT vs ground truth: MSE {:.4e}, PSNR {:.2} dB\n",
        r.name,
        r.k,
        r.m,
        r.mean,
        r.method,
        r.coefficient_seconds,
        r.resolution,
        r.resolution,
        r.sampling,
        lo,
        hi,
        r.zero_filled_mse,
        r.zero_filled_psnr_db
    );
    for (flag, p) in args.outputs() {
        if let Some(p) = p {
            s.push_str(&format!("# wrote {} (--{flag})\n", p.display()));
        }
    }
    Ok(Outcome::from(s))
}
