//! Dense matrices and vectors in `.npy` (f64, C or Fortran order) or plain
//! numeric `.csv` files, for `inrsamp lp` and `--export-lp`.
//!
//! Conventions: `Phi` is `M x N` (row `i`, column `j` = the measurement `i`
//! of grid direction `j`); returned column-major. In CSV a matrix is one
//! line per row; a vector is one number per line or one line of numbers; a
//! first line that does not parse as numbers is taken as a header.

use crate::error::{Error, Result};
use std::path::Path;

fn parse_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Parse {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// A matrix as `(rows, cols, column-major data)`.
pub type Matrix = (usize, usize, Vec<f64>);

/// Reads a matrix from `.npy` or `.csv` (by extension).
pub fn read_matrix(path: &Path) -> Result<Matrix> {
    let (shape, data, fortran) = if is_npy(path) {
        read_npy(path)?
    } else {
        read_csv(path)?
    };
    let (rows, cols) = match shape.as_slice() {
        [r, c] => (*r, *c),
        [n] => (*n, 1),
        other => {
            return Err(parse_err(
                path,
                format!("expected a 2-D array, got shape {other:?}"),
            ));
        }
    };
    let colmajor = if fortran {
        data
    } else {
        let mut out = vec![0.0; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                out[j * rows + i] = data[i * cols + j];
            }
        }
        out
    };
    crate::error::check_finite(&path.display().to_string(), &colmajor)?;
    Ok((rows, cols, colmajor))
}

/// Reads a vector (any shape with one non-trivial axis).
pub fn read_vector(path: &Path) -> Result<Vec<f64>> {
    let (shape, data, _) = if is_npy(path) {
        read_npy(path)?
    } else {
        read_csv(path)?
    };
    let nontrivial = shape.iter().filter(|&&s| s > 1).count();
    if nontrivial > 1 {
        return Err(parse_err(
            path,
            format!("expected a vector, got shape {shape:?}"),
        ));
    }
    crate::error::check_finite(&path.display().to_string(), &data)?;
    Ok(data)
}

fn is_npy(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

fn read_npy(path: &Path) -> Result<(Vec<usize>, Vec<f64>, bool)> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let npy = npyz::NpyFile::new(std::io::BufReader::new(file))
        .map_err(|e| parse_err(path, format!("not a readable .npy file: {e}")))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&s| s as usize).collect();
    let fortran = npy.order() == npyz::Order::Fortran;
    let count = shape
        .iter()
        .fold(1u128, |a, &s| a.saturating_mul(s as u128));
    let bytes = crate::limits::f64_bytes(&[count]);
    if bytes > crate::limits::memory_budget() {
        return Err(parse_err(
            path,
            format!(
                "the shape {shape:?} needs {}, more than the memory limit {}",
                crate::limits::human_bytes(bytes),
                crate::limits::human_bytes(crate::limits::memory_budget())
            ),
        ));
    }
    let data: Vec<f64> = npy
        .into_vec::<f64>()
        .map_err(|e| parse_err(path, format!("expected float64 data: {e}")))?;
    Ok((shape, data, fortran))
}

fn read_csv(path: &Path) -> Result<(Vec<usize>, Vec<f64>, bool)> {
    let max = u64::try_from(crate::limits::memory_budget() / 4).unwrap_or(u64::MAX);
    let text = crate::limits::read_text(path, max)?;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    for (index, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| parse_err(path, e.to_string()))?;
        let line = rec.position().map_or(index + 1, |p| p.line() as usize);
        if rec.iter().all(|t| t.is_empty()) {
            continue;
        }
        let parsed: std::result::Result<Vec<f64>, _> =
            rec.iter().map(|t| t.parse::<f64>()).collect();
        match parsed {
            Ok(v) => rows.push(v),
            Err(_) if rows.is_empty() && index == 0 => continue, // header
            Err(_) => {
                return Err(parse_err(
                    path,
                    format!("line {line}: not a list of numbers"),
                ));
            }
        }
    }
    if rows.is_empty() {
        return Err(parse_err(path, "no numbers found"));
    }
    let cols = rows[0].len();
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(parse_err(
            path,
            format!(
                "row {} has {} entries, the first row has {cols}",
                i + 1,
                r.len()
            ),
        ));
    }
    let shape = if cols == 1 {
        vec![rows.len()]
    } else {
        vec![rows.len(), cols]
    };
    Ok((shape, rows.into_iter().flatten().collect(), false))
}

/// Writes a matrix (`rows x cols`, column-major data) as `.npy` (Fortran
/// order, no copy), atomically.
pub fn write_npy_matrix(path: &Path, rows: usize, cols: usize, colmajor: &[f64]) -> Result<()> {
    use npyz::WriterBuilder;
    super::write_atomic(path, |w| {
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[rows as u64, cols as u64])
            .order(npyz::Order::Fortran)
            .writer(w)
            .begin_nd()?;
        writer.extend(colmajor.iter().copied())?;
        writer.finish()
    })
}

/// Writes a vector as `.npy`, atomically.
pub fn write_npy_vector(path: &Path, v: &[f64]) -> Result<()> {
    use npyz::WriterBuilder;
    super::write_atomic(path, |w| {
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&[v.len() as u64])
            .writer(w)
            .begin_nd()?;
        writer.extend(v.iter().copied())?;
        writer.finish()
    })
}
