//! Error types: one for importing a file, one for preparing an endpoint.
//!
//! Messages say where, what was expected, what was found and what to do, so the page
//! and the CLI can show them as they are.

use std::fmt;

/// Why a file could not be read as a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError(Box<ImportErrorKind>);

/// The kinds of [`ImportError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The file has no bytes, or only blanks.
    Empty,
    /// The file is larger than the importer accepts.
    TooLarge {
        /// Size of the file in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The file holds binary data that is neither text nor a spreadsheet.
    Binary {
        /// What the content looks like, when recognised ("a PDF document").
        looks_like: Option<String>,
    },
    /// The content is text but not a table.
    NotATable {
        /// Why, in words.
        reason: String,
    },
    /// Only one column was found.
    OneColumn {
        /// The first line as read, shortened.
        first_line: String,
    },
    /// A header but no data rows.
    NoDataRows,
    /// A row with a different number of fields than the header.
    RaggedRow {
        /// Row number as a spreadsheet shows it (first line = row 1).
        row: usize,
        /// Fields found in that row.
        found: usize,
        /// Fields expected (from the first row).
        expected: usize,
    },
    /// The requested sheet does not exist.
    BadSheet {
        /// The name asked for.
        requested: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// The workbook could not be read.
    Spreadsheet {
        /// "xlsx", "xls", "ods".
        format: String,
        /// The reader's message.
        message: String,
    },
    /// An option was not understood.
    BadOption {
        /// Which option and why.
        message: String,
    },
}

impl ImportError {
    /// Wraps a kind.
    pub fn new(kind: ImportErrorKind) -> Self {
        ImportError(Box::new(kind))
    }
    /// The kind of error, for matching.
    pub fn kind(&self) -> &ImportErrorKind {
        &self.0
    }
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImportErrorKind::*;
        match &*self.0 {
            Empty => write!(f, "the file is empty: expected a table with a header row and one row per patient; check that the right file was chosen"),
            TooLarge { size, limit } => write!(
                f,
                "the file is {} but at most {} can be read here; remove unused columns or rows, or use the command-line tool",
                mb(*size),
                mb(*limit)
            ),
            Binary { looks_like } => match looks_like {
                Some(what) => write!(f, "not a table: the file looks like {what}; export the data as CSV or Excel (.xlsx) and load that"),
                None => write!(f, "not a table: the file holds binary data rather than text; export the data as CSV or Excel (.xlsx) and load that"),
            },
            NotATable { reason } => write!(f, "not a table: {reason}"),
            OneColumn { first_line } => write!(
                f,
                "only one column found (first line: \"{first_line}\"): expected columns separated by comma, semicolon, tab or |; set the delimiter if the file uses another one"
            ),
            NoDataRows => write!(f, "the file has a header row but no data rows"),
            RaggedRow { row, found, expected } => write!(
                f,
                "row {row} has {found} fields but the first row has {expected}: check for an unquoted delimiter or a missing field in that row"
            ),
            BadSheet { requested, available } => write!(
                f,
                "no sheet called '{requested}': the workbook has {}",
                available.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
            ),
            Spreadsheet { format, message } => write!(
                f,
                "could not read the {format} workbook ({message}); open it in a spreadsheet program and save it again, or export it as CSV"
            ),
            BadOption { message } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Why a table and a spec could not be turned into endpoint data.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareError(Box<PrepareErrorKind>);

/// The kinds of [`PrepareError`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PrepareErrorKind {
    /// A column named in the spec is not in the table.
    NoSuchColumn {
        /// The name asked for.
        column: String,
        /// What the spec wanted it for ("time", "event", "group", ...).
        role: String,
        /// The table's column names.
        available: Vec<String>,
    },
    /// A column has the wrong type for its role.
    WrongType {
        /// The column.
        column: String,
        /// What the role needs ("numbers (durations)", "dates").
        expected: String,
        /// What the column holds.
        found: String,
    },
    /// The event column has values that are neither event nor censored.
    UnmappedEventValues {
        /// The event column.
        column: String,
        /// The values not understood, with their row counts.
        values: Vec<(String, usize)>,
        /// The values that were understood, in words.
        understood: String,
    },
    /// The event coding could not be guessed.
    EventCodingUnclear {
        /// The event column.
        column: String,
        /// The distinct values found.
        values: Vec<String>,
    },
    /// The spec is incomplete or contradictory.
    InvalidSpec {
        /// What is wrong.
        message: String,
    },
    /// No row is left after exclusions.
    NoRowsLeft {
        /// How many rows were excluded.
        n_excluded: usize,
        /// The most common reason.
        main_reason: String,
    },
}

impl PrepareError {
    /// Wraps a kind.
    pub fn new(kind: PrepareErrorKind) -> Self {
        PrepareError(Box::new(kind))
    }
    /// The kind of error, for matching.
    pub fn kind(&self) -> &PrepareErrorKind {
        &self.0
    }
    pub(crate) fn spec(message: impl Into<String>) -> Self {
        Self::new(PrepareErrorKind::InvalidSpec {
            message: message.into(),
        })
    }
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use PrepareErrorKind::*;
        match &*self.0 {
            NoSuchColumn { column, role, available } => {
                let shown: Vec<String> = available.iter().take(30).map(|s| format!("'{s}'")).collect();
                write!(f, "{role} column '{column}' is not in the table; the columns are {}", shown.join(", "))?;
                if available.len() > 30 {
                    write!(f, ", ...")?;
                }
                Ok(())
            }
            WrongType { column, expected, found } => {
                write!(f, "column '{column}': expected {expected}, found {found}")
            }
            UnmappedEventValues { column, values, understood } => {
                let vs: Vec<String> = values.iter().map(|(v, n)| format!("'{v}' ({n} rows)")).collect();
                write!(
                    f,
                    "event column '{column}' has {} {} besides {understood}: map {} to event or censored (competing risks need their own analysis)",
                    if values.len() == 1 { "a value" } else { "values" },
                    vs.join(", "),
                    if values.len() == 1 { "it" } else { "each" }
                )
            }
            EventCodingUnclear { column, values } => {
                let vs: Vec<String> = values.iter().take(10).map(|v| format!("'{v}'")).collect();
                write!(
                    f,
                    "event column '{column}': cannot tell which value means the event among {}; expected 0/1, 1/2, TRUE/FALSE, yes/no or dead/alive; say which values are events",
                    vs.join(", ")
                )
            }
            InvalidSpec { message } => write!(f, "{message}"),
            NoRowsLeft { n_excluded, main_reason } => write!(
                f,
                "no rows left to analyse: all {n_excluded} rows were excluded (most often: {main_reason})"
            ),
        }
    }
}

impl std::error::Error for PrepareError {}
