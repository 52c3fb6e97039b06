//! Files: every output is written to a temporary file beside its target and
//! renamed into place, so a crash never leaves a half-written file; the
//! rules (what may be replaced, transactions, signals) are in [`file`].

pub mod eta;
pub mod eta_png;
pub mod file;
pub mod matrix;
pub mod png;

pub use file::{
    OutputTarget, OutputTransaction, PendingFile, check_output, write_atomic, write_output,
};

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use num_complex::Complex64;
use std::path::Path;

/// Writes complex coefficients over all of `S_K` as CSV with columns
/// `k1[,k2[,k3]],re,im` (lexicographic order), from the real vector `y`.
pub fn write_coefficients_csv(path: &Path, map: &RealMap, y: &[f64]) -> Result<()> {
    let rows = map.to_complex(y)?;
    let d = map.dim();
    write_atomic(path, |w| {
        let mut wr = csv::Writer::from_writer(w);
        let mut header: Vec<String> = (1..=d).map(|a| format!("k{a}")).collect();
        header.push("re".into());
        header.push("im".into());
        wr.write_record(&header)?;
        for (k, c) in rows {
            let mut rec: Vec<String> = k.iter().map(|v| v.to_string()).collect();
            rec.push(format!("{:e}", c.re));
            rec.push(format!("{:e}", c.im));
            wr.write_record(&rec)?;
        }
        wr.flush()?;
        Ok(())
    })
}

/// Reads the CSV written by [`write_coefficients_csv`] (columns
/// `k1[,k2[,k3]],re,im`) back into the real vector of `map`. Every `k` of
/// `S_K` must appear once and the entries of `k` and `-k` must be complex
/// conjugates (relative tolerance 1e-9), since the image is real.
pub fn read_coefficients_csv(path: &Path, map: &RealMap) -> Result<Vec<f64>> {
    let err = |reason: String| Error::Parse {
        path: path.display().to_string(),
        reason,
    };
    let d = map.dim();
    let k = map.cutoff() as i64;
    let max_bytes = 4096 + crate::limits::TEXT_BYTES_PER_ROW * map.len() as u64;
    let text = crate::limits::read_text(path, max_bytes)?;
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| err(e.to_string()))?.clone();
    let mut expect: Vec<String> = (1..=d).map(|a| format!("k{a}")).collect();
    expect.push("re".into());
    expect.push("im".into());
    if headers.iter().map(|h| h.trim()).collect::<Vec<_>>() != expect {
        return Err(err(format!(
            "expected the header {} for d = {d}",
            expect.join(",")
        )));
    }
    let side = (2 * k + 1) as usize;
    let total = side.pow(d as u32);
    let mut values: Vec<Option<Complex64>> = vec![None; total];
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let line = row + 2;
        let num = |i: usize, what: &str| -> Result<f64> {
            rec.get(i)
                .and_then(|t| t.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(format!("line {line}: {what} is not a finite number")))
        };
        let mut idx = 0usize;
        for a in 0..d {
            let ka = num(a, &format!("k{}", a + 1))?;
            if ka.fract() != 0.0 || ka.abs() > k as f64 {
                return Err(err(format!(
                    "line {line}: k{} = {ka} is not an integer in [-{k}, {k}]",
                    a + 1
                )));
            }
            idx = idx * side + (ka as i64 + k) as usize;
        }
        let c = Complex64::new(num(d, "re")?, num(d + 1, "im")?);
        if values[idx].replace(c).is_some() {
            return Err(err(format!("line {line}: frequency listed twice")));
        }
    }
    if let Some(missing) = values.iter().position(|v| v.is_none()) {
        let mut kk = vec![0i64; d];
        let mut rem = missing;
        for a in (0..d).rev() {
            kk[a] = (rem % side) as i64 - k;
            rem /= side;
        }
        return Err(err(format!("frequency {kk:?} of S_K (K = {k}) is missing")));
    }
    let vals: Vec<Complex64> = values.into_iter().flatten().collect();
    let scale = vals
        .iter()
        .map(|c| c.norm())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    for i in 0..total {
        let j = total - 1 - i;
        if (vals[i] - vals[j].conj()).norm() > 1e-9 * scale {
            return Err(err(format!(
                "entries {i} and {j} (k and -k) are not complex conjugates: the data is not of a real image"
            )));
        }
    }
    let center = (total - 1) / 2;
    let half: Vec<Complex64> = std::iter::once(vals[center])
        .chain(vals[center + 1..].iter().copied())
        .collect();
    let mut out = vec![0.0; map.len()];
    map.to_real(&half, &mut out);
    Ok(out)
}

/// Writes a function sampled on the `n^d` grid `x = k/n` (last axis
/// fastest) as CSV with columns `x1[,x2[,x3]],f`.
pub fn write_grid_function_csv(path: &Path, d: usize, n: usize, values: &[f64]) -> Result<()> {
    write_atomic(path, |w| {
        let mut header: Vec<String> = (1..=d).map(|a| format!("x{a}")).collect();
        header.push("f".into());
        let mut wr = csv::Writer::from_writer(w);
        wr.write_record(&header)?;
        for (idx, v) in values.iter().enumerate() {
            let mut xs = vec![0.0; d];
            let mut rem = idx;
            for a in (0..d).rev() {
                xs[a] = (rem % n) as f64 / n as f64;
                rem /= n;
            }
            let mut cols: Vec<String> = xs.iter().map(|x| format!("{x:.8}")).collect();
            cols.push(format!("{v:.15e}"));
            wr.write_record(&cols)?;
        }
        wr.flush()
    })
}
