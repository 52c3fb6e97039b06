//! The library's typed errors. Only the binary turns them into messages.

use thiserror::Error;

/// Everything that can go wrong in the library because of its input.
///
/// Numerical outcomes (a solver stopping early, a quadrature estimate that
/// misses its tolerance) are *not* errors: they are statuses carried with the
/// result.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting of the problem is out of its allowed range.
    #[error("{field} = {value}: {reason}")]
    InvalidSetting {
        /// The name of the setting (as spelled on the command line).
        field: &'static str,
        /// The offending value, as text.
        value: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// Two sizes that must agree do not.
    #[error("{what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// What was measured.
        what: String,
        /// The size the problem asks for.
        expected: usize,
        /// The size that was given.
        got: usize,
    },
    /// A number that must be finite is NaN or infinite.
    #[error("{what} is not finite ({value})")]
    NotFinite {
        /// Which number.
        what: String,
        /// Its value.
        value: f64,
    },
    /// A file could not be parsed.
    #[error("{path}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// What the parser said, naming the field where possible.
        reason: String,
    },
    /// A numerical routine failed on this input (reported, never hidden).
    #[error("numerical failure: {what}")]
    Numerical {
        /// What failed.
        what: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidSetting`].
    pub fn setting(field: &'static str, value: impl ToString, reason: impl Into<String>) -> Self {
        Error::InvalidSetting {
            field,
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Checks that every entry of `values` is finite; names the first that is not.
pub fn check_finite(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::NotFinite {
            what: format!("{what}[{i}]"),
            value: values[i],
        }),
    }
}
