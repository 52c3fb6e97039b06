//! Files: every output is written to a temporary file beside its target and
//! renamed into place, so a crash never leaves a half-written file.

use crate::error::{Error, Result};
use crate::fourier::RealMap;
use std::io::Write;
use std::path::Path;

/// Writes `path` atomically: `write` fills a temporary file in the same
/// folder, which is renamed to `path` only when `write` succeeded.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".inrsamp-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, e))?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf).map_err(|e| Error::io(path, e))?;
        buf.flush().map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

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
