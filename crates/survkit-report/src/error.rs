//! Why no Report could be produced: a kind the page can act on (an unmapped event
//! value opens the coding editor; a missing column points at its selector), and the
//! message for people, which is what the CLI prints.

use serde::Serialize;
use survkit_data::{ImportError, PrepareError, PrepareErrorKind};

/// Why no Report could be produced at all (as opposed to warnings inside a Report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunError {
    /// What went wrong, for programs.
    #[serde(flatten)]
    pub kind: RunErrorKind,
    /// What went wrong and what to do, for people.
    pub message: String,
}

/// One distinct value of a column with its number of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueCount {
    /// The value as written in the file.
    pub value: String,
    /// Rows holding it.
    pub count: usize,
}

/// The kinds of [`RunError`]; serialised with a `kind` tag (`unmapped-event-values`,
/// ...) beside the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RunErrorKind {
    /// The analysis settings (Spec) could not be read.
    Spec,
    /// The Spec names no endpoint.
    NoEndpoint,
    /// The file could not be read as a table.
    Import,
    /// A saved Report could not be read.
    Report,
    /// A column named in the Spec is not in the table.
    NoSuchColumn {
        /// Index of the endpoint.
        endpoint: usize,
        /// The name asked for.
        column: String,
        /// What it was for ("time", "event", "group", ...).
        role: String,
    },
    /// The event column holds values that are neither event nor censored: the page's
    /// coding editor can say what they mean.
    UnmappedEventValues {
        /// Index of the endpoint.
        endpoint: usize,
        /// The event column.
        column: String,
        /// The values not understood, with their row counts.
        values: Vec<ValueCount>,
    },
    /// The event coding could not be guessed: the page's coding editor can set it.
    EventCodingUnclear {
        /// Index of the endpoint.
        endpoint: usize,
        /// The event column.
        column: String,
    },
    /// Any other reason the endpoint's data could not be prepared.
    Prepare {
        /// Index of the endpoint.
        endpoint: usize,
    },
    /// An estimate could not be computed.
    Estimation {
        /// Index of the endpoint.
        endpoint: usize,
        /// Which analysis (`survival`, `cox`).
        analysis: String,
    },
}

impl RunError {
    /// An error of a kind with its message.
    pub fn new(kind: RunErrorKind, message: impl Into<String>) -> Self {
        RunError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn import(e: &ImportError) -> Self {
        Self::new(RunErrorKind::Import, e.to_string())
    }

    /// A preparation error of endpoint `endpoint`, its message as given.
    pub(crate) fn prepare(e: &PrepareError, endpoint: usize, message: String) -> Self {
        let kind = match e.kind() {
            PrepareErrorKind::NoSuchColumn { column, role, .. } => RunErrorKind::NoSuchColumn {
                endpoint,
                column: column.clone(),
                role: role.clone(),
            },
            PrepareErrorKind::UnmappedEventValues { column, values, .. } => {
                RunErrorKind::UnmappedEventValues {
                    endpoint,
                    column: column.clone(),
                    values: values
                        .iter()
                        .map(|(value, count)| ValueCount {
                            value: value.clone(),
                            count: *count,
                        })
                        .collect(),
                }
            }
            PrepareErrorKind::EventCodingUnclear { column, .. } => {
                RunErrorKind::EventCodingUnclear {
                    endpoint,
                    column: column.clone(),
                }
            }
            _ => RunErrorKind::Prepare { endpoint },
        };
        Self::new(kind, message)
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunError {}

impl From<RunError> for String {
    fn from(e: RunError) -> String {
        e.message
    }
}
