//! The import entry point: content sniffing, then the delimited-text or workbook path,
//! then one typing step for both.

use crate::delimited::{
    check_text, decode, first_line, layout, normalize, sniff_decimal, DelimitedRows,
};
use crate::error::{ImportError, ImportErrorKind};
use crate::options::{DateOrder, ImportOptions, DEFAULT_MAX_BYTES};
use crate::sheet::{read_workbook, workbook_format, SheetRows};
use crate::table::{Format, SourceInfo, Table};
use crate::typing::{read_head, read_table, HEAD_ROWS};

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 9] = [
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive (unpack it first)"),
        (b"SQLite format 3", "an SQLite database"),
        (b"Rar!", "a RAR archive (unpack it first)"),
        (b"7z\xBC\xAF", "a 7-Zip archive (unpack it first)"),
        (b"$FL2", "an SPSS data file (.sav); export it as CSV"),
    ];
    MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, what)| *what)
}

/// Reads a file's bytes into a typed [`Table`].
///
/// The format is sniffed from the content (ZIP → XLSX/ODS, OLE → XLS, else text) with
/// the extension of `file_name` as a tie-breaker; every guess (delimiter, encoding,
/// decimal mark, header, date order) is reported in [`Table::source`] and can be
/// overridden through `opts`.
///
/// # Errors
/// An [`ImportError`] for an empty file, a file over the size limit, binary junk, a
/// text that is not a table (one column, ragged rows, no data rows), a workbook that
/// cannot be read or a sheet that does not exist.
///
/// # Examples
/// ```
/// use survkit_data::{import, ImportOptions, ColumnType};
/// let csv = "time;status;age\n12,5;Dead;61\n30;Alive;NA\n";
/// let table = import(csv.as_bytes(), "trial.csv", &ImportOptions::default()).unwrap();
/// assert_eq!(table.source().delimiter, Some(';'));
/// assert_eq!(table.source().decimal, ',');
/// assert_eq!(table.column("time").unwrap().kind(), ColumnType::Numeric);
/// assert_eq!(table.column("age").unwrap().n_missing(), 1);
/// ```
pub fn import(bytes: &[u8], file_name: &str, opts: &ImportOptions) -> Result<Table, ImportError> {
    import_with_progress(bytes, file_name, opts, &mut |_| {})
}

/// [`import`], calling `progress` now and then with the fraction done (0 to 1), so a
/// Web Worker can post progress messages while a large file is read.
///
/// # Errors
/// As [`import`].
pub fn import_with_progress(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<Table, ImportError> {
    let limit = opts.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    if bytes.len() > limit {
        return Err(ImportError::new(ImportErrorKind::TooLarge {
            size: bytes.len(),
            limit,
        }));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::new(ImportErrorKind::Empty));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(what) = binary_kind(bytes) {
        return Err(ImportError::new(ImportErrorKind::Binary {
            looks_like: Some(what.into()),
        }));
    }
    let mut notes = Vec::new();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip || is_ole {
        let format = workbook_format(bytes, &ext);
        let data = read_workbook(bytes, format, opts.sheet.as_deref()).map_err(|e| {
            if is_zip && !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") {
                ImportError::new(ImportErrorKind::Binary {
                    looks_like: Some(
                        "a ZIP archive that is not a workbook (unpack it first)".into(),
                    ),
                })
            } else {
                e
            }
        })?;
        notes.extend(data.notes);
        let decimal = if opts.decimal == Some(',') { ',' } else { '.' };
        let source = SourceInfo {
            file_name: file_name.to_string(),
            size_bytes: bytes.len(),
            format,
            delimiter: None,
            encoding: None,
            decimal,
            sheet: Some(data.sheet),
            sheets: data.sheets,
            header: true,
            missing_tokens: opts.missing.clone(),
            notes,
        };
        progress(0.6);
        let mut rows = SheetRows::new(data.columns, data.rows);
        let head = read_head(&mut rows, HEAD_ROWS)?;
        return read_table(
            &mut rows,
            head,
            source,
            opts,
            DateOrder::DayFirst,
            &mut |_| {},
        )
        .inspect(|_| progress(1.0));
    }
    if matches!(ext.as_str(), "xlsx" | "xls" | "ods" | "xlsb") {
        notes.push(format!(
            "the file is named .{ext} but holds text: read as delimited text"
        ));
    }
    let (text, encoding) = decode(bytes, opts, &mut notes)?;
    check_text(&text)?;
    let text = normalize(&text);
    let (delimiter, usual_width) = layout(&text, opts)?;
    let mut rows = DelimitedRows::new(&text, delimiter, usual_width);
    let head = read_head(&mut rows, HEAD_ROWS)?;
    if head.is_empty() {
        return Err(ImportError::new(ImportErrorKind::Empty));
    }
    if head.len() < 2 {
        return Err(ImportError::new(ImportErrorKind::OneColumn {
            first_line: first_line(&text),
        }));
    }
    let decimal = match opts.decimal {
        Some(',') => b',',
        Some('.') => b'.',
        Some(c) => {
            return Err(ImportError::new(ImportErrorKind::BadOption {
                message: format!("decimal mark '{c}' cannot be used: expected '.' or ','"),
            }))
        }
        None => {
            let d = sniff_decimal(&head, delimiter);
            if d == b',' {
                notes.push("numbers use a decimal comma (12,5 = 12.5)".into());
            }
            d
        }
    };
    let delimiter = delimiter as char;
    if opts.delimiter.is_none() {
        let name = match delimiter {
            '\t' => "tab".to_string(),
            ';' => "semicolon".to_string(),
            ',' => "comma".to_string(),
            '|' => "pipe (|)".to_string(),
            c => format!("'{c}'"),
        };
        notes.insert(0, format!("fields separated by {name}"));
    }
    let default_order = if delimiter == ',' && decimal == b'.' {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    };
    let source = SourceInfo {
        file_name: file_name.to_string(),
        size_bytes: bytes.len(),
        format: Format::Delimited,
        delimiter: Some(delimiter),
        encoding: Some(encoding),
        decimal: decimal as char,
        sheet: None,
        sheets: Vec::new(),
        header: true,
        missing_tokens: opts.missing.clone(),
        notes,
    };
    read_table(&mut rows, head, source, opts, default_order, progress)
}
