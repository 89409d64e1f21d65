//! Workbooks (XLSX, XLS, XLSB, ODS) through `calamine`: the chosen sheet becomes raw
//! text columns in the same canonical form the delimited path produces (numbers with
//! '.' decimals, dates as ISO 8601), so one typing step serves both.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Ods, Reader, Xls, Xlsx};

use crate::error::{ImportError, ImportErrorKind};
use crate::table::{Format, RawColumn};
use crate::typing::Rows;
use crate::values::{format_date, format_number};

/// Days between 1899-12-30 (Excel's day 0 in the 1900 system) and 1970-01-01.
const EXCEL_1970: f64 = 25_569.0;
/// Days between the 1900 and 1904 date systems.
const EXCEL_1904: f64 = 1_462.0;

pub(crate) struct SheetData {
    pub columns: Vec<RawColumn>,
    pub rows: Vec<u32>,
    pub sheet: String,
    pub sheets: Vec<String>,
    pub notes: Vec<String>,
}

fn err(format: Format, e: impl std::fmt::Display) -> ImportError {
    let format = match format {
        Format::Xlsx => "xlsx",
        Format::Xls => "xls",
        Format::Xlsb => "xlsb",
        Format::Ods => "ods",
        Format::Delimited => "text",
    };
    ImportError::new(ImportErrorKind::Spreadsheet {
        format: format.into(),
        message: e.to_string(),
    })
}

fn excel_date(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if *dt == ExcelDateTime::new(v, ExcelDateTimeType::TimeDelta, false)
        || *dt == ExcelDateTime::new(v, ExcelDateTimeType::TimeDelta, true)
    {
        // A duration cell: keep it as a number of days.
        return format_number(v);
    }
    let is_1904 = *dt == ExcelDateTime::new(v, ExcelDateTimeType::DateTime, true);
    let serial = if is_1904 { v + EXCEL_1904 } else { v };
    // Excel's phantom 1900-02-29 shifts serials before March 1900 by one day.
    let serial = if !is_1904 && serial < 60.0 {
        serial + 1.0
    } else {
        serial
    };
    format_date(serial - EXCEL_1970)
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_number(*f),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => excel_date(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// Detects the workbook type from its bytes and name.
pub(crate) fn workbook_format(bytes: &[u8], ext: &str) -> Format {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Format::Xls;
    }
    let head = &bytes[..bytes.len().min(200)];
    if head
        .windows(46)
        .any(|w| w == b"application/vnd.oasis.opendocument.spreadsheet")
        || ext == "ods"
    {
        return Format::Ods;
    }
    if ext == "xlsb" {
        return Format::Xlsb;
    }
    Format::Xlsx
}

fn xlsb_unsupported() -> ImportError {
    err(
        Format::Xlsb,
        "Excel binary workbooks (.xlsb) are not supported; in Excel choose File > Save As > Excel Workbook (.xlsx), or CSV",
    )
}

fn load<R: Reader<Cursor<Vec<u8>>>>(
    mut wb: R,
    format: Format,
    sheet: Option<&str>,
) -> Result<SheetData, ImportError>
where
    R::Error: std::fmt::Display,
{
    let sheets = wb.sheet_names();
    if sheets.is_empty() {
        return Err(ImportError::new(ImportErrorKind::NotATable {
            reason: "the workbook has no sheets".into(),
        }));
    }
    let mut notes = Vec::new();
    let name = match sheet {
        Some(s) => sheets
            .iter()
            .find(|n| n.as_str() == s)
            .or_else(|| {
                sheets
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(s.trim()))
            })
            .cloned()
            .ok_or_else(|| {
                ImportError::new(ImportErrorKind::BadSheet {
                    requested: s.to_string(),
                    available: sheets.clone(),
                })
            })?,
        None => sheets[0].clone(),
    };
    let mut range = wb.worksheet_range(&name).map_err(|e| err(format, e))?;
    let mut chosen = name;
    if sheet.is_none() && range.is_empty() {
        // First sheet empty: take the first one with data.
        for s in sheets.iter().skip(1) {
            if let Ok(r) = wb.worksheet_range(s) {
                if !r.is_empty() {
                    notes.push(format!("sheet '{}' is empty: read sheet '{s}'", chosen));
                    range = r;
                    chosen = s.clone();
                    break;
                }
            }
        }
    }
    if sheets.len() > 1 {
        notes.push(format!(
            "the workbook has {} sheets; read '{chosen}'",
            sheets.len()
        ));
    }
    let (row0, _) = range.start().unwrap_or((0, 0));
    let width = range.width();
    let mut columns: Vec<RawColumn> = (0..width).map(|_| RawColumn::default()).collect();
    let blank =
        |c: &Data| matches!(c, Data::Empty) || matches!(c, Data::String(s) if s.trim().is_empty());
    let row_width = |r: &[Data]| r.iter().rposition(|c| !blank(c)).map_or(0, |i| i + 1);
    // Title rows above the table (fewer filled cells than most rows) are skipped.
    let mut tally: Vec<(usize, usize)> = Vec::new();
    for w in range.rows().map(row_width).filter(|w| *w >= 2).take(100) {
        match tally.iter_mut().find(|(k, _)| *k == w) {
            Some(t) => t.1 += 1,
            None => tally.push((w, 1)),
        }
    }
    let usual = tally
        .into_iter()
        .max_by_key(|(w, n)| (*n, *w))
        .map_or(0, |t| t.0);
    let mut title_rows = 0usize;
    let mut started = false;
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let w = row_width(r);
        if w == 0 {
            continue;
        }
        if !started {
            if w < usual && title_rows < 20 {
                title_rows += 1;
                continue;
            }
            started = true;
        }
        for (j, c) in r.iter().enumerate().take(width) {
            if let Some(col) = columns.get_mut(j) {
                col.push(&cell_text(c));
            }
        }
        rows.push(row0.saturating_add(i as u32).saturating_add(1));
    }
    if title_rows > 0 {
        notes.push(format!(
            "{title_rows} row(s) above the table skipped (fewer filled cells than the table's rows)"
        ));
    }
    Ok(SheetData {
        columns,
        rows,
        sheet: chosen,
        sheets,
        notes,
    })
}

/// Reads one sheet of a workbook into raw columns.
///
/// calamine's readers are not hardened against every malformed file (fuzzing found
/// panics in its XLS record parser), so where panics unwind (native builds) a panic
/// becomes an error. In the wasm build (`panic = "abort"`) the worker would trap
/// instead; the known crashing inputs are rejected before calamine sees them.
pub(crate) fn read_workbook(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<SheetData, ImportError> {
    let run = std::panic::AssertUnwindSafe(|| read_workbook_inner(bytes, format, sheet));
    std::panic::catch_unwind(run).unwrap_or_else(|_| {
        Err(err(
            format,
            "the spreadsheet reader failed on this file's internal structure",
        ))
    })
}

fn read_workbook_inner(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<SheetData, ImportError> {
    if format == Format::Xls && !crate::cfb_check::cfb_is_sound(bytes) {
        return Err(err(
            Format::Xls,
            "the file's internal structure is damaged (a sector chain points outside the file or loops)",
        ));
    }
    let cur = Cursor::new(bytes.to_vec());
    match format {
        Format::Xls => load(Xls::new(cur).map_err(|e| err(format, e))?, format, sheet),
        Format::Ods => load(Ods::new(cur).map_err(|e| err(format, e))?, format, sheet),
        // The binary workbook format is rare in clinical exports, and its reader would
        // cost the page ~10 KB of its 600 KB budget.
        Format::Xlsb => Err(xlsb_unsupported()),
        Format::Xlsx | Format::Delimited => match Xlsx::new(cur) {
            Ok(wb) => load(wb, Format::Xlsx, sheet),
            Err(e) => {
                // A ZIP that is not an xlsx: maybe ODS or XLSB under another name.
                let cur = Cursor::new(bytes.to_vec());
                if let Ok(wb) = Ods::new(cur) {
                    return load(wb, Format::Ods, sheet);
                }
                Err(err(Format::Xlsx, e))
            }
        },
    }
}

/// A sheet's rows as a [`Rows`] source for the typing step.
pub(crate) struct SheetRows {
    columns: Vec<RawColumn>,
    rows: Vec<u32>,
    /// Index of the current row plus one (0 = before the first).
    at: usize,
}

impl SheetRows {
    pub(crate) fn new(columns: Vec<RawColumn>, rows: Vec<u32>) -> Self {
        SheetRows {
            columns,
            rows,
            at: 0,
        }
    }
}

impl Rows for SheetRows {
    fn restart(&mut self) {
        self.at = 0;
    }

    fn next_row(&mut self) -> Result<Option<u32>, ImportError> {
        match self.rows.get(self.at) {
            Some(&r) => {
                self.at += 1;
                Ok(Some(r))
            }
            None => Ok(None),
        }
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    fn field(&self, j: usize) -> &[u8] {
        match (self.columns.get(j), self.at.checked_sub(1)) {
            (Some(c), Some(i)) => c.get(i).trim().as_bytes(),
            _ => b"",
        }
    }

    fn size_hint(&self) -> usize {
        self.rows.len()
    }

    fn fraction(&self) -> f64 {
        self.at as f64 / self.rows.len().max(1) as f64
    }

    fn skipped_notes(&self, _notes: &mut Vec<String>) {}
}
