//! Sizes checked against memory before anything is allocated, and readers
//! with a bounded size (issue #14).
//!
//! The budget is half of this machine's physical memory (`MemTotal` of
//! `/proc/meminfo`; 8 GiB where that is unreadable), or the number of bytes
//! in the environment variable `INRSAMP_MEMORY_LIMIT`. A size whose estimate
//! is above it is an error that names the flag, the estimate and the limit.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Bytes of one f64.
pub const F64_BYTES: u128 = 8;

/// Budget when `/proc/meminfo` cannot be read.
pub const FALLBACK_BUDGET: u128 = 8 << 30;

/// Bytes per row allowed in a text file of known row count (a measurement
/// CSV row is at most about 80 bytes when written by inrsamp).
pub const TEXT_BYTES_PER_ROW: u64 = 1024;

/// Largest teacher JSON, config TOML or claim TOML read.
pub const MAX_SMALL_FILE: u64 = 64 << 20;

/// The memory budget in bytes (see the module doc).
pub fn memory_budget() -> u128 {
    if let Some(b) = std::env::var("INRSAMP_MEMORY_LIMIT")
        .ok()
        .and_then(|v| v.trim().parse::<u128>().ok())
        .filter(|&b| b > 0)
    {
        return b;
    }
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u128>().ok())
        })
        .map_or(FALLBACK_BUDGET, |kb| kb * 1024 / 2)
}

/// Bytes in a human unit ("16.8 TB").
pub fn human_bytes(bytes: u128) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// Errors when `bytes` (an estimate of what `what` allocates) is above the
/// budget; the message names `field` and `value`.
pub fn check_memory(
    field: &'static str,
    value: impl ToString,
    bytes: u128,
    what: &str,
) -> Result<()> {
    let budget = memory_budget();
    if bytes > budget {
        return Err(Error::setting(
            field,
            value,
            format!(
                "{what} needs about {}, more than the memory limit {} (half of this machine's memory; INRSAMP_MEMORY_LIMIT sets it in bytes)",
                human_bytes(bytes),
                human_bytes(budget)
            ),
        ));
    }
    Ok(())
}

/// `a * b * ...` of f64 entries in bytes, saturating.
pub fn f64_bytes(counts: &[u128]) -> u128 {
    counts
        .iter()
        .fold(F64_BYTES, |acc, &c| acc.saturating_mul(c))
}

/// Reads a text file of at most `max_bytes` bytes (devices and pipes
/// included: the read stops after the limit, so `/dev/zero` is an error,
/// not an abort).
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() as u64 > max_bytes {
        return Err(Error::Parse {
            path: path.display().to_string(),
            reason: format!(
                "larger than {} bytes, the most this file can need",
                max_bytes
            ),
        });
    }
    String::from_utf8(buf).map_err(|e| Error::Parse {
        path: path.display().to_string(),
        reason: format!("not UTF-8 text ({e})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(16_777_232_777_216), "16.8 TB");
    }

    #[test]
    fn saturating_products() {
        assert_eq!(f64_bytes(&[2, 3]), 48);
        assert_eq!(f64_bytes(&[u128::MAX, 2]), u128::MAX);
    }
}
