//! The one error type of the estimators.

use std::fmt;

/// Why an estimator could not compute a result.
///
/// Statistical caveats (non-convergence, few events, ...) are *not* errors: they are
/// returned as warnings beside the result. An `Error` means there is no result.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Input slices that must have the same length do not.
    LengthMismatch {
        /// What was being compared, e.g. "time and status".
        what: String,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A value is not usable (NaN, infinite, negative time, ...).
    InvalidValue {
        /// Which input, e.g. "time".
        what: String,
        /// Zero-based index into the input slice.
        index: usize,
        /// Explanation in words.
        reason: String,
    },
    /// There is nothing to estimate from (no rows, no events where events are required, ...).
    NoData(String),
    /// An option is out of range (e.g. a confidence level of 1.5).
    InvalidOption(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected {expected} values, found {found}"),
            Error::InvalidValue {
                what,
                index,
                reason,
            } => write!(f, "{what}, value {}: {reason}", index + 1),
            Error::NoData(msg) => write!(f, "no data: {msg}"),
            Error::InvalidOption(msg) => write!(f, "invalid option: {msg}"),
        }
    }
}

impl std::error::Error for Error {}
