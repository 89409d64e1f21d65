//! A serialisable overview of a table for the page's preview and column pickers.

use serde::Serialize;

use crate::options::{ColumnType, DateOrder};
use crate::table::{SourceInfo, Table};
use crate::values::{format_date, format_number};

/// Most levels listed per column in a summary.
const MAX_LEVELS: usize = 50;

/// A level of a categorical or boolean column with its row count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCount {
    /// The level as written in the file.
    pub level: String,
    /// Rows with this level.
    pub count: usize,
}

/// A cell that could not be read, for showing to the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvalidCell {
    /// Spreadsheet row number.
    pub row: usize,
    /// The text found.
    pub text: String,
}

/// Overview of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Inferred (or user-set) type.
    pub kind: ColumnType,
    /// Missing cells.
    pub n_missing: usize,
    /// Cells that could not be read as `kind`.
    pub n_invalid: usize,
    /// The first few unreadable cells.
    pub invalid_examples: Vec<InvalidCell>,
    /// Levels with counts (categorical and boolean columns), most frequent first, at
    /// most 50.
    pub levels: Option<Vec<LevelCount>>,
    /// Number of distinct levels (categorical and boolean columns).
    pub n_levels: Option<usize>,
    /// Smallest value (numeric and date columns), as text.
    pub min: Option<String>,
    /// Largest value (numeric and date columns), as text.
    pub max: Option<String>,
    /// Day order used for ambiguous-looking dates.
    pub date_order: Option<DateOrder>,
    /// Whether every date fitted both day orders, so the order is a guess to confirm.
    pub date_ambiguous: bool,
}

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    /// Spreadsheet row number.
    pub row: usize,
    /// Cell texts, one per column ("" = missing).
    pub cells: Vec<String>,
}

/// Overview of a table: how it was read, its columns and its first rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableSummary {
    /// How the file was read.
    pub source: SourceInfo,
    /// Number of data rows.
    pub n_rows: usize,
    /// The columns.
    pub columns: Vec<ColumnSummary>,
    /// The first rows.
    pub preview: Vec<PreviewRow>,
}

impl Table {
    /// A serialisable overview with the first `preview_rows` rows as text.
    pub fn summary(&self, preview_rows: usize) -> TableSummary {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let (levels, n_levels) = match (c.levels(), c.level_counts()) {
                    (Some(lv), Some(counts)) => {
                        let mut lc: Vec<LevelCount> = lv
                            .iter()
                            .zip(counts)
                            .filter(|(_, n)| *n > 0)
                            .map(|(l, n)| LevelCount {
                                level: l.clone(),
                                count: n,
                            })
                            .collect();
                        lc.sort_by_key(|l| std::cmp::Reverse(l.count));
                        let n = lc.len();
                        lc.truncate(MAX_LEVELS);
                        (Some(lc), Some(n))
                    }
                    _ => (None, None),
                };
                let (min, max) = match (c.kind(), c.numbers()) {
                    (kind @ (ColumnType::Numeric | ColumnType::Date), Some(v)) => {
                        let mut lo = f64::INFINITY;
                        let mut hi = f64::NEG_INFINITY;
                        for x in v.iter().filter(|x| !x.is_nan()) {
                            lo = lo.min(*x);
                            hi = hi.max(*x);
                        }
                        if lo.is_finite() {
                            let f = |x: f64| {
                                if kind == ColumnType::Date {
                                    format_date(x)
                                } else {
                                    format_number(x)
                                }
                            };
                            (Some(f(lo)), Some(f(hi)))
                        } else {
                            (None, None)
                        }
                    }
                    _ => (None, None),
                };
                ColumnSummary {
                    name: c.name().to_string(),
                    kind: c.kind(),
                    n_missing: c.n_missing(),
                    n_invalid: c.n_invalid(),
                    invalid_examples: c
                        .invalid_cells()
                        .take(5)
                        .map(|(i, t)| InvalidCell {
                            row: self.row_number(i),
                            text: t.to_string(),
                        })
                        .collect(),
                    levels,
                    n_levels,
                    min,
                    max,
                    date_order: c.date_order(),
                    date_ambiguous: c.date_ambiguous(),
                }
            })
            .collect();
        let preview = (0..self.n_rows().min(preview_rows))
            .map(|i| PreviewRow {
                row: self.row_number(i),
                cells: self
                    .columns
                    .iter()
                    .map(|c| c.text(i).into_owned())
                    .collect(),
            })
            .collect();
        TableSummary {
            source: self.source.clone(),
            n_rows: self.n_rows(),
            columns,
            preview,
        }
    }
}
