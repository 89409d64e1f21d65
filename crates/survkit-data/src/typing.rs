//! One typing step for delimited text and workbooks.
//!
//! Rows are streamed from a [`Rows`] source (the CSV reader or a workbook's sheet) into
//! one sink per column, chosen from the first [`HEAD_ROWS`] records:
//! - a column whose first values are all numbers (or missing) is parsed straight into
//!   `f64` while reading, with no text kept;
//! - every other column is dictionary-encoded: each distinct text once, a `u32` code
//!   per row.
//!
//! A column's type is then decided from all of its values (never from the sample
//! alone): a number column that meets a cell that is not a number is read again into a
//! dictionary, and dictionary columns are typed from their distinct values weighted by
//! how often each occurs — numeric if at least 90% of present cells are numbers, and so
//! on (see [`type_column`]). Each distinct text is parsed once, so the cost is one pass
//! over the bytes plus O(distinct values) parsing per column, and the memory is the
//! typed columns plus the distinct texts.

use hashbrown::HashTable;

use crate::delimited::{le_word, looks_like_header};
use crate::error::{ImportError, ImportErrorKind};
use crate::options::{ColumnType, DateOrder, ImportOptions};
use crate::table::{
    clean_names, order_words, trim_cell, trim_cell_bytes, CellState, Column, ColumnData, RawColumn,
    SourceInfo, Table, TypeCtx,
};
use crate::values::{parse_bool, parse_date, parse_number, parse_number_bytes, DateCand};

/// Records read first to choose each column's sink, sniff the decimal mark and decide
/// whether the first row holds names.
pub(crate) const HEAD_ROWS: usize = 1000;

/// A restartable source of records with a fixed number of fields.
pub(crate) trait Rows {
    /// Goes back to before the first record.
    fn restart(&mut self);
    /// Advances to the next record and returns its spreadsheet row number (first line
    /// = 1), or `None` at the end.
    fn next_row(&mut self) -> Result<Option<u32>, ImportError>;
    /// Fields per record (fixed by the first record; 0 before it).
    fn width(&self) -> usize;
    /// Field `j` of the current record, UTF-8 with ASCII blanks trimmed (empty where
    /// the record is short).
    fn field(&self, j: usize) -> &[u8];
    /// An upper bound on the number of records (for allocating once).
    fn size_hint(&self) -> usize;
    /// Fraction of the input read so far (0 to 1).
    fn fraction(&self) -> f64;
    /// Notes about what was skipped (title lines, blank rows), after a full pass.
    fn skipped_notes(&self, notes: &mut Vec<String>);
}

/// One pass from the first record: records after the first `skip` go to `sinks` (one
/// per field) and their row numbers to `row_numbers`.
fn fill_sinks(
    rows: &mut dyn Rows,
    skip: usize,
    sinks: &mut [Sink],
    ctx: &TypeCtx,
    row_numbers: &mut Vec<u32>,
    progress: &mut dyn FnMut(f64),
) -> Result<(), ImportError> {
    rows.restart();
    row_numbers.clear();
    let mut k = 0usize;
    while let Some(row) = rows.next_row()? {
        k += 1;
        if k <= skip {
            continue;
        }
        let i = row_numbers.len();
        row_numbers.push(row);
        for (j, sink) in sinks.iter_mut().enumerate() {
            sink.push(i, trim_cell_bytes(rows.field(j)), ctx);
        }
        if k % 65_536 == 0 {
            progress(0.6 * rows.fraction());
        }
    }
    for sink in sinks {
        sink.truncate(row_numbers.len());
    }
    Ok(())
}

/// Reads the first `max` records as text columns.
pub(crate) fn read_head(rows: &mut dyn Rows, max: usize) -> Result<Vec<RawColumn>, ImportError> {
    rows.restart();
    let mut cols: Vec<RawColumn> = Vec::new();
    let mut n = 0usize;
    while n < max {
        if rows.next_row()?.is_none() {
            break;
        }
        if cols.is_empty() {
            cols = (0..rows.width()).map(|_| RawColumn::default()).collect();
        }
        for (j, c) in cols.iter_mut().enumerate() {
            c.push(&String::from_utf8_lossy(rows.field(j)));
        }
        n += 1;
    }
    Ok(cols)
}

/// FxHash-style hash of a cell's bytes (fast, and good enough for cell texts).
fn hash_str(s: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = s.len() as u64;
    let chunks = s.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        h = (h.rotate_left(5) ^ le_word(c)).wrapping_mul(K);
    }
    for &b in rest {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// Dictionary encoding of a text column: each distinct text once, a code per row.
#[derive(Debug, Default)]
pub(crate) struct Dict {
    /// Distinct texts in order of first appearance.
    levels: RawColumn,
    /// Code (index into `levels`) of each row.
    codes: Vec<u32>,
    table: HashTable<u32>,
    /// Code of the previous row (runs of equal values skip the hash lookup).
    last: Option<u32>,
}

impl Dict {
    /// Room for `n` rows, written by index.
    fn with_rows(n: usize) -> Self {
        Dict {
            codes: vec![0; n],
            ..Dict::default()
        }
    }

    /// Sets row `i` (rows come in order; beyond the room given, appended).
    fn set(&mut self, i: usize, s: &[u8]) {
        let code = self.code(s);
        match self.codes.get_mut(i) {
            Some(c) => *c = code,
            None => self.codes.push(code),
        }
    }

    #[cfg(test)]
    fn push(&mut self, s: &[u8]) {
        let code = self.code(s);
        self.codes.push(code);
    }

    /// The code of a text, added as a new level when first seen.
    fn code(&mut self, s: &[u8]) -> u32 {
        if let Some(c) = self.last {
            if self.levels.get_bytes(c as usize) == s {
                return c;
            }
        }
        let h = hash_str(s);
        let levels = &self.levels;
        let code = match self.table.find(h, |&c| levels.get_bytes(c as usize) == s) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.levels.push(&String::from_utf8_lossy(s));
                let levels = &self.levels;
                self.table
                    .insert_unique(h, c, |&k| hash_str(levels.get_bytes(k as usize)));
                c
            }
        };
        self.last = Some(code);
        code
    }

    fn n_levels(&self) -> usize {
        self.levels.len()
    }

    fn level(&self, c: usize) -> &str {
        self.levels.get(c)
    }
}

/// Where one column's cells go while the rows are read.
enum Sink {
    /// Parsed straight into numbers (state per cell; NaN where missing).
    Numbers {
        nums: Vec<f64>,
        state: Vec<CellState>,
        /// Some cell is not blank (a missing-value token counts as not blank).
        nonblank: bool,
    },
    /// Dictionary-encoded text.
    Dict(Dict),
    /// A number column that met a cell that is not a number: to be read again.
    Reread,
}

impl Sink {
    /// Room for `n` rows, written by index.
    fn numbers(n: usize) -> Self {
        Sink::Numbers {
            // Zeroed memory comes free from the allocator; every row is written.
            nums: vec![0.0; n],
            state: vec![CellState::Missing; n],
            nonblank: false,
        }
    }

    /// Sets row `i` from a trimmed cell (rows come in order; beyond the room given,
    /// appended).
    #[inline(always)]
    fn push(&mut self, i: usize, s: &[u8], ctx: &TypeCtx) {
        match self {
            Sink::Numbers {
                nums,
                state,
                nonblank,
            } => {
                *nonblank |= !s.is_empty();
                let (x, st) = if ctx.is_missing_bytes(s) {
                    (f64::NAN, CellState::Missing)
                } else if let Some(x) = parse_number_bytes(s, ctx.decimal) {
                    (x, CellState::Ok)
                } else {
                    *self = Sink::Reread;
                    return;
                };
                match (nums.get_mut(i), state.get_mut(i)) {
                    (Some(v), Some(t)) => {
                        *v = x;
                        *t = st;
                    }
                    _ => {
                        nums.push(x);
                        state.push(st);
                    }
                }
            }
            Sink::Dict(d) => d.set(i, s),
            Sink::Reread => {}
        }
    }

    /// Cuts the room given to the rows read.
    fn truncate(&mut self, n: usize) {
        match self {
            Sink::Numbers { nums, state, .. } => {
                nums.truncate(n);
                state.truncate(n);
            }
            Sink::Dict(d) => d.codes.truncate(n),
            Sink::Reread => {}
        }
    }

    /// Whether every cell is blank.
    fn is_blank(&self) -> bool {
        match self {
            Sink::Numbers { nonblank, .. } => !nonblank,
            Sink::Dict(d) => (0..d.n_levels()).all(|c| d.level(c).is_empty()),
            Sink::Reread => false,
        }
    }
}

/// Whether the head's data cells (after `skip` rows) are all numbers or missing, with
/// at least one number.
fn head_is_numeric(col: &RawColumn, skip: usize, ctx: &TypeCtx) -> bool {
    let mut any = false;
    for i in skip..col.len() {
        let s = trim_cell(col.get(i));
        if ctx.is_missing(s) {
            continue;
        }
        if parse_number(s, ctx.decimal).is_none() {
            return false;
        }
        any = true;
    }
    any
}

fn forced_type(opts: &ImportOptions, name: &str) -> Option<ColumnType> {
    opts.column_types
        .iter()
        .find(|(k, _)| *k == name || k.trim().eq_ignore_ascii_case(name))
        .map(|(_, t)| *t)
}

/// Streams `rows` into typed columns. `head` is [`read_head`] of the same rows.
pub(crate) fn read_table(
    rows: &mut dyn Rows,
    head: Vec<RawColumn>,
    mut source: SourceInfo,
    opts: &ImportOptions,
    default_order: DateOrder,
    progress: &mut dyn FnMut(f64),
) -> Result<Table, ImportError> {
    let head_rows = head.first().map_or(0, RawColumn::len);
    if head.is_empty() || head_rows == 0 {
        return Err(ImportError::new(ImportErrorKind::Empty));
    }
    if head.len() < 2 {
        return Err(ImportError::new(ImportErrorKind::OneColumn {
            first_line: head[0].get(0).chars().take(60).collect(),
        }));
    }
    let decimal = source.decimal as u8;
    let ctx = TypeCtx::new(decimal, &opts.missing, opts.date_order, default_order);
    let header = match opts.header {
        Some(h) => h,
        None => looks_like_header(&head, decimal, &|s| ctx.is_missing(s)),
    };
    source.header = header;
    if !header && opts.header.is_none() {
        source
            .notes
            .push("the first row holds data, not names: columns are called V1, V2, ...".into());
    }
    let skip = usize::from(header);
    if head_rows <= skip {
        return Err(ImportError::new(ImportErrorKind::NoDataRows));
    }
    let width = head.len();
    let raw_names: Vec<String> = if header {
        head.iter().map(|c| c.get(0).to_string()).collect()
    } else {
        (1..=width).map(|j| format!("V{j}")).collect()
    };
    // Sinks from the head; a type set by the user (matched on the name as written)
    // other than numeric needs the text.
    let cap = rows.size_hint();
    let mut sinks: Vec<Sink> = head
        .iter()
        .zip(&raw_names)
        .map(|(col, name)| {
            let forced = forced_type(opts, name.trim());
            if matches!(forced, None | Some(ColumnType::Numeric))
                && head_is_numeric(col, skip, &ctx)
            {
                Sink::numbers(cap)
            } else {
                Sink::Dict(Dict::with_rows(cap))
            }
        })
        .collect();
    drop(head);
    // The main pass.
    let mut row_numbers: Vec<u32> = Vec::with_capacity(cap);
    fill_sinks(rows, skip, &mut sinks, &ctx, &mut row_numbers, progress)?;
    rows.skipped_notes(&mut source.notes);
    // Drop unnamed, entirely empty columns (a trailing delimiter on every line).
    let mut names = Vec::with_capacity(width);
    let mut kept = Vec::with_capacity(width);
    let mut dropped = 0;
    for (j, (name, sink)) in raw_names.into_iter().zip(sinks).enumerate() {
        if header && name.trim().is_empty() && sink.is_blank() {
            dropped += 1;
        } else {
            names.push(name);
            kept.push((j, sink));
        }
    }
    if dropped > 0 {
        source
            .notes
            .push(format!("{dropped} empty column(s) without a name ignored"));
    }
    if kept.len() < 2 {
        return Err(ImportError::new(ImportErrorKind::OneColumn {
            first_line: names.first().cloned().unwrap_or_default(),
        }));
    }
    let names = clean_names(names, &mut source.notes);
    for key in opts.column_types.keys() {
        if !names
            .iter()
            .any(|n| n == key || n.eq_ignore_ascii_case(key.trim()))
        {
            source.notes.push(format!(
                "type set for column '{key}' ignored: there is no such column"
            ));
        }
    }
    let forced: Vec<Option<ColumnType>> = names.iter().map(|n| forced_type(opts, n)).collect();
    // Number columns that met text, or whose final name has a non-numeric type set,
    // are read again as text.
    let mut reread = Vec::new();
    for ((j, sink), f) in kept.iter_mut().zip(&forced) {
        let needs_text = matches!(sink, Sink::Reread)
            || (matches!(sink, Sink::Numbers { .. })
                && !matches!(f, None | Some(ColumnType::Numeric)));
        if needs_text {
            *sink = Sink::Dict(Dict::with_rows(row_numbers.len()));
            reread.push(*j);
        }
    }
    if !reread.is_empty() {
        // Only the columns to read again get a sink; the others are skipped.
        let mut sinks: Vec<Sink> = (0..width).map(|_| Sink::Reread).collect();
        for (j, sink) in kept.iter_mut().filter(|(j, _)| reread.contains(j)) {
            sinks[*j] = std::mem::replace(sink, Sink::Reread);
        }
        let mut again = Vec::with_capacity(row_numbers.len());
        fill_sinks(rows, skip, &mut sinks, &ctx, &mut again, &mut |_| {})?;
        for (j, sink) in kept.iter_mut().filter(|(j, _)| reread.contains(j)) {
            *sink = std::mem::replace(&mut sinks[*j], Sink::Reread);
        }
    }
    let n_columns = names.len();
    let mut typed = Vec::with_capacity(n_columns);
    for ((name, (_, sink)), f) in names.into_iter().zip(kept).zip(forced) {
        let col = match sink {
            Sink::Numbers { nums, state, .. } => numbers_column(name, nums, state),
            Sink::Dict(d) => type_column(name, d, &ctx, f, &mut source.notes),
            Sink::Reread => unreachable_column(name, row_numbers.len()),
        };
        typed.push(col);
        progress(0.6 + 0.4 * typed.len() as f64 / n_columns as f64);
    }
    Ok(Table {
        columns: typed,
        row_numbers,
        source,
    })
}

/// A column none of whose cells could be kept (not reached: every re-read column is a
/// dictionary by then); all missing rather than a panic.
fn unreachable_column(name: String, n: usize) -> Column {
    numbers_column(name, vec![f64::NAN; n], vec![CellState::Missing; n])
}

/// A column read straight into numbers: numeric, or an empty categorical column when
/// every cell is missing (as [`type_column`] decides for a column without values).
fn numbers_column(name: String, nums: Vec<f64>, state: Vec<CellState>) -> Column {
    let data = if state.contains(&CellState::Ok) {
        ColumnData::Numeric(nums)
    } else {
        let n = nums.len();
        drop(nums);
        ColumnData::Categorical {
            levels: Vec::new(),
            codes: vec![u32::MAX; n],
        }
    };
    Column {
        name,
        data,
        state,
        invalid: Vec::new(),
        date_order: None,
        date_ambiguous: false,
    }
}

/// What one distinct text reads as.
#[derive(Clone, Copy)]
enum Reading {
    Missing,
    Number(f64),
    Bool,
    Date(DateCand),
    Other,
}

/// Types a dictionary-encoded column from its distinct values, each weighted by its
/// number of rows. Order of tests per value: missing-value token, number, boolean word,
/// date. The type is the first of numeric, boolean, date that holds for every present
/// cell; else numeric if ≥ 90% of present cells are numbers, date if ≥ 90% are dates;
/// else categorical. Cells that do not fit the chosen type are invalid, with their text.
pub(crate) fn type_column(
    name: String,
    dict: Dict,
    ctx: &TypeCtx,
    forced: Option<ColumnType>,
    notes: &mut Vec<String>,
) -> Column {
    let Dict { levels, codes, .. } = dict;
    let n_levels = levels.len();
    let mut count = vec![0usize; n_levels];
    for &c in &codes {
        count[c as usize] += 1;
    }
    let want_dates = matches!(forced, None | Some(ColumnType::Date));
    let want_other = forced.is_none();
    let readings: Vec<Reading> = (0..n_levels)
        .map(|c| {
            let s = levels.get(c);
            if ctx.is_missing(s) {
                Reading::Missing
            } else if let Some(x) = parse_number(s, ctx.decimal) {
                Reading::Number(x)
            } else if forced == Some(ColumnType::Numeric) {
                Reading::Other
            } else if want_other && parse_bool(s).is_some() {
                Reading::Bool
            } else if want_dates {
                parse_date(s).map_or(Reading::Other, Reading::Date)
            } else {
                Reading::Other
            }
        })
        .collect();
    let (mut n_present, mut n_num, mut n_bool, mut n_df, mut n_mf, mut n_fixed) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let mut only_df: Option<usize> = None;
    let mut only_mf: Option<usize> = None;
    for (c, (r, &w)) in readings.iter().zip(&count).enumerate() {
        match r {
            Reading::Missing => continue,
            Reading::Number(_) => n_num += w,
            Reading::Bool => n_bool += w,
            Reading::Date(d) => {
                let (a, b) = (d.day_first.is_some(), d.month_first.is_some());
                n_df += w * a as usize;
                n_mf += w * b as usize;
                if a && b && d.day_first == d.month_first {
                    n_fixed += w;
                }
                if a && !b && only_df.is_none() {
                    only_df = Some(c);
                }
                if b && !a && only_mf.is_none() {
                    only_mf = Some(c);
                }
            }
            Reading::Other => {}
        }
        n_present += w;
    }
    let kind = forced.unwrap_or_else(|| {
        let best_date = n_df.max(n_mf);
        if n_present == 0 {
            ColumnType::Categorical
        } else if n_num == n_present {
            ColumnType::Numeric
        } else if n_bool == n_present {
            ColumnType::Boolean
        } else if best_date == n_present {
            ColumnType::Date
        } else if n_num * 10 >= n_present * 9 {
            ColumnType::Numeric
        } else if best_date * 10 >= n_present * 9 {
            ColumnType::Date
        } else {
            ColumnType::Categorical
        }
    });
    let mut date_order = None;
    let mut date_ambiguous = false;
    // Each level's value under the chosen type (`None`: invalid; missing levels are
    // never read): a number, a date, 0/1 for a boolean; 0 for a categorical column
    // (where every present cell is valid).
    let value: Vec<Option<f64>> = match kind {
        ColumnType::Numeric => readings
            .iter()
            .map(|r| match r {
                Reading::Number(x) => Some(*x),
                _ => None,
            })
            .collect(),
        ColumnType::Date => {
            let order = match ctx.date_order {
                Some(o) => o,
                None => {
                    let ambiguous_any = n_df.min(n_mf) > n_fixed || n_df != n_mf;
                    if n_df == n_mf && n_df > n_fixed {
                        date_ambiguous = true;
                        notes.push(format!(
                            "dates in column '{name}' fit both day-first and month-first order; read as {} — set the date order if this is wrong",
                            order_words(ctx.default_order)
                        ));
                        ctx.default_order
                    } else if n_df > n_mf {
                        if ambiguous_any {
                            let ex = only_df
                                .map(|c| {
                                    format!(" (e.g. '{}' cannot be month-first)", levels.get(c))
                                })
                                .unwrap_or_default();
                            notes.push(format!("dates in column '{name}' read as day-first{ex}"));
                        }
                        DateOrder::DayFirst
                    } else if n_mf > n_df {
                        let ex = only_mf
                            .map(|c| format!(" (e.g. '{}' cannot be day-first)", levels.get(c)))
                            .unwrap_or_default();
                        notes.push(format!("dates in column '{name}' read as month-first{ex}"));
                        DateOrder::MonthFirst
                    } else {
                        ctx.default_order
                    }
                }
            };
            if n_df != n_fixed || n_mf != n_fixed {
                date_order = Some(order);
            }
            // A date column set by the user also reads cells that looked like numbers.
            (0..n_levels)
                .map(|c| match readings[c] {
                    Reading::Date(d) => d.get(order),
                    _ => parse_date(levels.get(c)).and_then(|d| d.get(order)),
                })
                .collect()
        }
        ColumnType::Boolean => (0..n_levels)
            .map(|c| parse_bool(levels.get(c)).map(f64::from))
            .collect(),
        ColumnType::Categorical => vec![Some(0.0); n_levels],
    };
    let n = codes.len();
    let mut state = vec![CellState::Ok; n];
    let mut invalid = Vec::new();
    // A categorical column keeps its codes: no values to write.
    let mut vals = match kind {
        ColumnType::Categorical => Vec::new(),
        _ => vec![f64::NAN; n],
    };
    for (i, &c) in codes.iter().enumerate() {
        let c = c as usize;
        if matches!(readings[c], Reading::Missing) {
            state[i] = CellState::Missing;
        } else {
            match value[c] {
                Some(v) => {
                    if let Some(x) = vals.get_mut(i) {
                        *x = v;
                    }
                }
                None => {
                    state[i] = CellState::Invalid;
                    invalid.push((i as u32, levels.get(c).to_string()));
                }
            }
        }
    }
    let data = match kind {
        ColumnType::Numeric => ColumnData::Numeric(vals),
        ColumnType::Date => ColumnData::Date(vals),
        ColumnType::Boolean => {
            // Labels: the first text read as false and as true.
            let label = |b: f64, default: &str| {
                (0..n_levels)
                    .find(|&c| !matches!(readings[c], Reading::Missing) && value[c] == Some(b))
                    .map_or_else(|| default.to_string(), |c| levels.get(c).to_string())
            };
            ColumnData::Boolean {
                labels: [label(0.0, "FALSE"), label(1.0, "TRUE")],
                values: vals.iter().map(|v| *v == 1.0).collect(),
            }
        }
        ColumnType::Categorical => {
            // Levels in order of first appearance, without the missing-value tokens.
            let mut remap = vec![u32::MAX; n_levels];
            let mut kept: Vec<String> = Vec::new();
            for (c, r) in remap.iter_mut().enumerate() {
                if !matches!(readings[c], Reading::Missing) {
                    *r = kept.len() as u32;
                    kept.push(levels.get(c).to_string());
                }
            }
            ColumnData::Categorical {
                levels: kept,
                // In place: the codes' memory is reused.
                codes: codes.into_iter().map(|c| remap[c as usize]).collect(),
            }
        }
    };
    Column {
        name,
        data,
        state,
        invalid,
        date_order,
        date_ambiguous,
    }
}

/// Builds a dictionary from text cells (for tests).
#[cfg(test)]
pub(crate) fn dict_of(cells: &[&str]) -> Dict {
    let mut d = Dict::default();
    for s in cells {
        d.push(s.as_bytes());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_keeps_first_appearance_order_and_codes() {
        let d = dict_of(&["b", "a", "b", "b", "", "a", "c"]);
        assert_eq!(d.n_levels(), 4);
        assert_eq!(
            (0..4).map(|c| d.level(c)).collect::<Vec<_>>(),
            ["b", "a", "", "c"]
        );
        assert_eq!(d.codes, [0, 1, 0, 0, 2, 1, 3]);
    }

    #[test]
    fn dict_survives_many_distinct_values() {
        let cells: Vec<String> = (0..10_000).map(|i| format!("id{}", i % 7_000)).collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let d = dict_of(&refs);
        assert_eq!(d.n_levels(), 7_000);
        assert_eq!(d.codes[7_001], 1);
    }

    #[test]
    fn hash_differs_for_close_texts() {
        assert_ne!(hash_str(b"12345678a"), hash_str(b"12345678b"));
        assert_ne!(hash_str(b""), hash_str(b"a"));
    }
}
