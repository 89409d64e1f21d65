//! The typed table: one compact vector per column plus a state byte per cell.
//!
//! Numeric and date cells are stored as `f64`, categorical cells as level codes; the
//! original text is kept only for cells that could not be read (for error messages).
//! Everything else can be re-derived for display with [`Column::text`].

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::options::{ColumnType, DateOrder};
use crate::values::{format_date, format_number};

/// The state of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CellState {
    /// Read as a value of the column's type.
    Ok = 0,
    /// Empty or a missing-value token.
    Missing = 1,
    /// Present but not readable as the column's type.
    Invalid = 2,
}

/// One cell, borrowed from its column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty or a missing-value token.
    Missing,
    /// Unreadable as the column's type; the original text.
    Invalid(&'a str),
    /// A number.
    Number(f64),
    /// A date as days since 1970-01-01 (fraction = time of day).
    Date(f64),
    /// A categorical level.
    Text(&'a str),
    /// A boolean.
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnData {
    Numeric(Vec<f64>),
    Date(Vec<f64>),
    Categorical {
        levels: Vec<String>,
        codes: Vec<u32>,
    },
    Boolean {
        values: Vec<bool>,
        labels: [String; 2],
    },
}

/// A typed column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub(crate) name: String,
    pub(crate) data: ColumnData,
    pub(crate) state: Vec<CellState>,
    /// (row index, original text) of invalid cells, in row order.
    pub(crate) invalid: Vec<(u32, String)>,
    pub(crate) date_order: Option<DateOrder>,
    pub(crate) date_ambiguous: bool,
}

impl Column {
    /// The column's name (unique within the table).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The column's type.
    pub fn kind(&self) -> ColumnType {
        match self.data {
            ColumnData::Numeric(_) => ColumnType::Numeric,
            ColumnData::Date(_) => ColumnType::Date,
            ColumnData::Categorical { .. } => ColumnType::Categorical,
            ColumnData::Boolean { .. } => ColumnType::Boolean,
        }
    }
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.state.len()
    }
    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }
    /// State of cell `i` (`Missing` beyond the end).
    pub fn state(&self, i: usize) -> CellState {
        self.state.get(i).copied().unwrap_or(CellState::Missing)
    }
    /// Number of missing cells.
    pub fn n_missing(&self) -> usize {
        self.state
            .iter()
            .filter(|s| **s == CellState::Missing)
            .count()
    }
    /// Number of cells that could not be read as the column's type.
    pub fn n_invalid(&self) -> usize {
        self.invalid.len()
    }
    /// Invalid cells as (row index, original text).
    pub fn invalid_cells(&self) -> impl Iterator<Item = (usize, &str)> {
        self.invalid.iter().map(|(i, s)| (*i as usize, s.as_str()))
    }
    /// The day order used for this column's dates, when it is a date column with
    /// ambiguous-looking dates.
    pub fn date_order(&self) -> Option<DateOrder> {
        self.date_order
    }
    /// Whether every date fitted both day orders (the order was a guess).
    pub fn date_ambiguous(&self) -> bool {
        self.date_ambiguous
    }
    /// Levels of a categorical column in order of first appearance, or the two labels
    /// (false, true) of a boolean column.
    pub fn levels(&self) -> Option<&[String]> {
        match &self.data {
            ColumnData::Categorical { levels, .. } => Some(levels),
            ColumnData::Boolean { labels, .. } => Some(labels),
            _ => None,
        }
    }
    /// Row counts per level, aligned with [`Column::levels`].
    pub fn level_counts(&self) -> Option<Vec<usize>> {
        match &self.data {
            ColumnData::Categorical { levels, codes } => {
                let mut counts = vec![0usize; levels.len()];
                for (c, s) in codes.iter().zip(&self.state) {
                    if *s == CellState::Ok {
                        if let Some(n) = counts.get_mut(*c as usize) {
                            *n += 1;
                        }
                    }
                }
                Some(counts)
            }
            ColumnData::Boolean { values, .. } => {
                let mut counts = vec![0usize; 2];
                for (b, s) in values.iter().zip(&self.state) {
                    if *s == CellState::Ok {
                        counts[usize::from(*b)] += 1;
                    }
                }
                Some(counts)
            }
            _ => None,
        }
    }
    /// Level index (into [`Column::levels`]) of cell `i` of a categorical or boolean
    /// column; `None` when missing, invalid or not such a column.
    pub fn level_code(&self, i: usize) -> Option<usize> {
        if self.state(i) != CellState::Ok {
            return None;
        }
        match &self.data {
            ColumnData::Categorical { codes, .. } => codes.get(i).map(|c| *c as usize),
            ColumnData::Boolean { values, .. } => values.get(i).map(|b| usize::from(*b)),
            _ => None,
        }
    }
    /// Numeric or date values (`NaN` where missing or invalid).
    pub fn numbers(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Numeric(v) | ColumnData::Date(v) => Some(v),
            _ => None,
        }
    }

    /// Cell `i`.
    pub fn cell(&self, i: usize) -> Cell<'_> {
        match self.state(i) {
            CellState::Missing => return Cell::Missing,
            CellState::Invalid => {
                let text = self
                    .invalid
                    .binary_search_by_key(&(i as u32), |(r, _)| *r)
                    .ok()
                    .and_then(|k| self.invalid.get(k))
                    .map(|(_, s)| s.as_str())
                    .unwrap_or("");
                return Cell::Invalid(text);
            }
            CellState::Ok => {}
        }
        match &self.data {
            ColumnData::Numeric(v) => v.get(i).map_or(Cell::Missing, |x| Cell::Number(*x)),
            ColumnData::Date(v) => v.get(i).map_or(Cell::Missing, |x| Cell::Date(*x)),
            ColumnData::Categorical { levels, codes } => codes
                .get(i)
                .and_then(|c| levels.get(*c as usize))
                .map_or(Cell::Missing, |s| Cell::Text(s)),
            ColumnData::Boolean { values, .. } => {
                values.get(i).map_or(Cell::Missing, |b| Cell::Bool(*b))
            }
        }
    }

    /// Cell `i` as text: numbers and dates re-formatted, missing as "".
    pub fn text(&self, i: usize) -> Cow<'_, str> {
        match self.cell(i) {
            Cell::Missing => Cow::Borrowed(""),
            Cell::Invalid(s) | Cell::Text(s) => Cow::Borrowed(s),
            Cell::Number(x) => Cow::Owned(format_number(x)),
            Cell::Date(d) => Cow::Owned(format_date(d)),
            Cell::Bool(b) => match &self.data {
                ColumnData::Boolean { labels, .. } => Cow::Borrowed(labels[b as usize].as_str()),
                _ => Cow::Borrowed(if b { "TRUE" } else { "FALSE" }),
            },
        }
    }
}

/// The format a table was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text (CSV, TSV, ...).
    Delimited,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 97-2003 workbook.
    Xls,
    /// Excel binary workbook.
    Xlsb,
    /// OpenDocument spreadsheet.
    Ods,
}

/// How the file was read: every guess the importer made, so the page can show it and
/// the user can override it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The file name given.
    pub file_name: String,
    /// Size in bytes.
    pub size_bytes: usize,
    /// The format.
    pub format: Format,
    /// Field delimiter of delimited text ("\t" for tab).
    pub delimiter: Option<char>,
    /// Text encoding of delimited text.
    pub encoding: Option<String>,
    /// Decimal mark used for text cells.
    pub decimal: char,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// All sheets of a workbook, in order.
    pub sheets: Vec<String>,
    /// Whether the first row was read as column names.
    pub header: bool,
    /// The missing-value tokens used.
    pub missing_tokens: Vec<String>,
    /// Guesses and repairs in words ("decimal comma detected", ...).
    pub notes: Vec<String>,
}

/// A typed table read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub(crate) columns: Vec<Column>,
    /// Spreadsheet row number (header = row 1) of each data row.
    pub(crate) row_numbers: Vec<u32>,
    pub(crate) source: SourceInfo,
}

impl Table {
    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
    /// The column called `name` (exact, then ignoring case and surrounding blanks).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name).or_else(|| {
            let n = name.trim();
            self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(n))
        })
    }
    /// Number of data rows.
    pub fn n_rows(&self) -> usize {
        self.row_numbers.len()
    }
    /// Spreadsheet row number (header = row 1) of data row `i`.
    pub fn row_number(&self, i: usize) -> usize {
        self.row_numbers.get(i).map_or(i + 1, |r| *r as usize)
    }
    /// How the file was read.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }
}

/// Column text as read: one string buffer plus end offsets (no String per cell).
#[derive(Debug, Default)]
pub(crate) struct RawColumn {
    pub text: String,
    pub ends: Vec<u32>,
}

impl RawColumn {
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn get(&self, i: usize) -> &str {
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        self.text.get(start..end).unwrap_or("")
    }
    #[inline(always)]
    pub fn get_bytes(&self, i: usize) -> &[u8] {
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(k) => self.ends.get(k).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.text.as_bytes().get(start..end).unwrap_or(b"")
    }
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }
}

/// Settings shared by all columns while typing them.
pub(crate) struct TypeCtx {
    pub decimal: u8,
    /// Missing-value tokens, trimmed.
    pub missing: Vec<String>,
    /// Length in bytes of the longest token of `missing`.
    missing_max_len: usize,
    /// Bit `b` set when some token starts with byte `b` (either case).
    missing_first: [u64; 4],
    /// Whether the empty cell is a token.
    missing_empty: bool,
    pub date_order: Option<DateOrder>,
    /// Day order when every date fits both.
    pub default_order: DateOrder,
}

impl TypeCtx {
    pub fn new(
        decimal: u8,
        missing: &[String],
        date_order: Option<DateOrder>,
        default_order: DateOrder,
    ) -> Self {
        let missing: Vec<String> = missing.iter().map(|m| m.trim().to_string()).collect();
        let mut missing_first = [0u64; 4];
        for m in &missing {
            if let Some(&b) = m.as_bytes().first() {
                for c in [b.to_ascii_lowercase(), b.to_ascii_uppercase()] {
                    missing_first[usize::from(c >> 6)] |= 1 << (c & 63);
                }
            }
        }
        TypeCtx {
            decimal,
            missing_max_len: missing.iter().map(String::len).max().unwrap_or(0),
            missing_empty: missing.iter().any(String::is_empty),
            missing,
            missing_first,
            date_order,
            default_order,
        }
    }

    /// Whether a cell is one of the missing-value tokens (compared without regard to
    /// case and surrounding blanks).
    pub fn is_missing(&self, s: &str) -> bool {
        self.is_missing_bytes(trim_cell(s).as_bytes())
    }

    /// [`TypeCtx::is_missing`] on the bytes of a trimmed cell. Called for every cell,
    /// so it first rejects on length and on the first byte (a number such as "61.5"
    /// starts with no token's first letter).
    #[inline(always)]
    pub fn is_missing_bytes(&self, t: &[u8]) -> bool {
        match t.first() {
            None => self.missing_empty,
            Some(&b) => {
                t.len() <= self.missing_max_len
                    && self.missing_first[usize::from(b >> 6)] & (1 << (b & 63)) != 0
                    && self
                        .missing
                        .iter()
                        .any(|m| m.len() == t.len() && m.as_bytes().eq_ignore_ascii_case(t))
            }
        }
    }
}

/// [`trim_cell`] on bytes of UTF-8 text; quick when the ends are ASCII.
#[inline(always)]
pub(crate) fn trim_cell_bytes(b: &[u8]) -> &[u8] {
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => b,
        (None, _) | (_, None) => b,
        _ => std::str::from_utf8(b).map_or(b, |s| trim_cell(s).as_bytes()),
    }
}

/// Trims blanks (any Unicode white space); quick when there are none.
pub(crate) fn trim_cell(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        (None, _) | (_, None) => s,
        _ => s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
    }
}

pub(crate) fn order_words(o: DateOrder) -> &'static str {
    match o {
        DateOrder::DayFirst => "day-first (DD/MM/YYYY)",
        DateOrder::MonthFirst => "month-first (MM/DD/YYYY)",
    }
}

/// Makes column names unique and non-empty; notes what was changed.
pub(crate) fn clean_names(raw: Vec<String>, notes: &mut Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (j, name) in raw.into_iter().enumerate() {
        let mut name = name.trim().to_string();
        if name.is_empty() {
            name = format!("V{}", j + 1);
            notes.push(format!("column {} has no name: called '{name}'", j + 1));
        }
        let key = name.to_lowercase();
        if seen.contains_key(&key) {
            let mut k = 2;
            let mut candidate = format!("{name}_{k}");
            while seen.contains_key(&candidate.to_lowercase()) {
                k += 1;
                candidate = format!("{name}_{k}");
            }
            notes.push(format!(
                "duplicate column name '{name}': column {} is called '{candidate}'",
                j + 1
            ));
            name = candidate;
        }
        seen.insert(name.to_lowercase(), j);
        out.push(name);
    }
    out
}
