//! What the user can override about how a file is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::values::DateOrder;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Numbers (durations, ages, lab values, 0/1 codes).
    Numeric,
    /// Calendar dates, stored as days since 1970-01-01.
    Date,
    /// Text labels.
    Categorical,
    /// TRUE/FALSE or yes/no.
    Boolean,
}

impl ColumnType {
    /// The type in words.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Numeric => "numeric",
            ColumnType::Date => "date",
            ColumnType::Categorical => "categorical",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// The missing-value tokens used when none are given: empty, `NA`, `N/A`, `NaN`, `.`,
/// `-`, `null`, `missing` (compared without regard to case).
pub fn default_missing_tokens() -> Vec<String> {
    ["", "NA", "N/A", "NaN", ".", "-", "null", "missing"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The largest file accepted unless [`ImportOptions::max_bytes`] says otherwise: what a
/// browser tab can hold together with the parsed copy (about 500 MB).
pub const DEFAULT_MAX_BYTES: usize = 500_000_000;

/// How to read a file. Every field is optional; what is left out is detected and the
/// guess is reported in [`crate::SourceInfo`].
///
/// ```
/// let opts: survkit_data::ImportOptions =
///     serde_json::from_str(r#"{"delimiter": ";", "decimal": ",", "date_order": "day_first"}"#).unwrap();
/// assert_eq!(opts.delimiter, Some(';'));
/// assert!(opts.missing.iter().any(|m| m == "NA"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Field delimiter of delimited text (`,` `;` tab `|` or any other character);
    /// detected when absent.
    pub delimiter: Option<char>,
    /// Decimal mark, `.` or `,`; detected when absent.
    pub decimal: Option<char>,
    /// Text encoding label ("utf-8", "utf-16le", "windows-1252", "latin1", ...);
    /// detected when absent (BOM, then UTF-8, else Windows-1252).
    pub encoding: Option<String>,
    /// Sheet of a workbook to read; the first when absent.
    pub sheet: Option<String>,
    /// Whether the first row holds column names; detected when absent.
    pub header: Option<bool>,
    /// Cell texts that mean "missing", compared without regard to case and surrounding
    /// blanks. Defaults to [`default_missing_tokens`].
    pub missing: Vec<String>,
    /// Column types forced by the user, by column name.
    pub column_types: BTreeMap<String, ColumnType>,
    /// Order of day and month in dates such as 03/04/2009; detected per column when absent.
    pub date_order: Option<DateOrder>,
    /// Largest accepted file in bytes; [`DEFAULT_MAX_BYTES`] when absent.
    pub max_bytes: Option<usize>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            delimiter: None,
            decimal: None,
            encoding: None,
            sheet: None,
            header: None,
            missing: default_missing_tokens(),
            column_types: BTreeMap::new(),
            date_order: None,
            max_bytes: None,
        }
    }
}
