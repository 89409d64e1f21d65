//! Delimited text: encoding detection, delimiter and decimal-mark sniffing, header
//! detection, and parsing into compact raw columns with the `csv` crate.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use crate::error::{ImportError, ImportErrorKind};
use crate::options::ImportOptions;
use crate::table::RawColumn;
use crate::typing::Rows;
use crate::values::{parse_date, parse_number};

/// Decoded text with the name of the encoding used.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Result<(Cow<'a, str>, String), ImportError> {
    if let Some(label) = &opts.encoding {
        let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            ImportError::new(ImportErrorKind::BadOption {
                message: format!(
                    "unknown encoding '{label}': expected a label such as utf-8, utf-16le, utf-16be, windows-1252 or latin1"
                ),
            })
        })?;
        let (text, used, _) = enc.decode(bytes);
        return Ok((text, used.name().to_string()));
    }
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        let (text, used, _) = enc.decode(bytes);
        let name = format!("{} (with byte-order mark)", used.name());
        return Ok((text, name));
    }
    // UTF-16 without BOM: every other byte is zero.
    if bytes.len() >= 8 {
        let sample = &bytes[..bytes.len().min(4096) & !1];
        let pairs = sample.len() / 2;
        let zero_odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        let zero_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
        if zero_odd * 10 > pairs * 7 && zero_even * 10 < pairs {
            let (text, _) = UTF_16LE.decode_without_bom_handling(bytes);
            notes.push("read as UTF-16LE (no byte-order mark)".into());
            return Ok((text, "UTF-16LE".into()));
        }
        if zero_even * 10 > pairs * 7 && zero_odd * 10 < pairs {
            let (text, _) = UTF_16BE.decode_without_bom_handling(bytes);
            notes.push("read as UTF-16BE (no byte-order mark)".into());
            return Ok((text, "UTF-16BE".into()));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), UTF_8.name().to_string())),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            notes.push(
                "the file is not valid UTF-8: read as Windows-1252 (Western European); set the encoding if accented letters look wrong"
                    .into(),
            );
            Ok((text, WINDOWS_1252.name().to_string()))
        }
    }
}

/// Rejects text that is really binary data.
pub(crate) fn check_text(text: &str) -> Result<(), ImportError> {
    let sample: &str = match text.char_indices().nth(65_536) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    let mut n = 0usize;
    let mut bad = 0usize;
    for c in sample.chars() {
        n += 1;
        if c == '\0'
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
            || c == '\u{fffd}'
        {
            bad += 1;
        }
    }
    if bad > 0 && (sample.contains('\0') || bad * 100 > n) {
        return Err(ImportError::new(ImportErrorKind::Binary {
            looks_like: None,
        }));
    }
    let head = sample
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(ImportError::new(ImportErrorKind::NotATable {
            reason: "the file is a web page (HTML), as some systems save under an .xls name; open it in a spreadsheet program and save it as .xlsx or CSV".into(),
        }));
    }
    if head.starts_with("<?xml") {
        return Err(ImportError::new(ImportErrorKind::NotATable {
            reason: "the file is XML; export the data as CSV or .xlsx".into(),
        }));
    }
    if head.starts_with("{\\rtf") {
        return Err(ImportError::new(ImportErrorKind::NotATable {
            reason: "the file is a rich-text (RTF) document; export the data as CSV or .xlsx"
                .into(),
        }));
    }
    Ok(())
}

const CANDIDATES: [u8; 4] = [b'\t', b';', b',', b'|'];

fn reader(delim: u8, data: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(data)
}

/// Number of fields up to the last non-blank one.
fn width(rec: &csv::ByteRecord) -> usize {
    rec.iter()
        .rposition(|f| !trim_bytes(f).is_empty())
        .map_or(0, |i| i + 1)
}

/// For one delimiter over the first lines: (lines agreeing, most common field count).
fn field_mode(sample: &str, d: u8) -> Option<(usize, usize)> {
    let mut rdr = reader(d, sample.as_bytes());
    let mut counts: Vec<usize> = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while counts.len() < 100 {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                let w = width(&rec);
                if w > 0 {
                    counts.push(w);
                }
            }
            _ => break,
        }
    }
    // The last line of a sample may be cut off.
    if counts.len() > 2 {
        counts.pop();
    }
    let mut tally: Vec<(usize, usize)> = Vec::new(); // (count, lines)
    for c in counts.into_iter().filter(|c| *c >= 2) {
        match tally.iter_mut().find(|(k, _)| *k == c) {
            Some(t) => t.1 += 1,
            None => tally.push((c, 1)),
        }
    }
    tally
        .into_iter()
        .max_by_key(|(c, lines)| (*lines, *c))
        .map(|(c, lines)| (lines, c))
}

/// Picks the delimiter whose field count is most consistent over the first lines;
/// returns it with that field count.
pub(crate) fn sniff_delimiter(sample: &str) -> Option<(u8, usize)> {
    let mut best: Option<(u8, usize, usize)> = None; // (delim, lines agreeing, fields)
    for &d in &CANDIDATES {
        let Some((agree, fields)) = field_mode(sample, d) else {
            continue;
        };
        if best.is_none_or(|(_, a, f)| (agree, fields) > (a, f)) {
            best = Some((d, agree, fields));
        }
    }
    best.map(|b| (b.0, b.2))
}

/// Guesses the decimal mark from number-like fields.
pub(crate) fn sniff_decimal(cols: &[RawColumn], delimiter: u8) -> u8 {
    let mut comma = 0usize;
    let mut dot = 0usize;
    let mut comma3 = 0usize;
    for col in cols {
        for i in 0..col.len().min(1000) {
            let s = col.get(i).trim();
            let b = s.as_bytes();
            let body = b.strip_prefix(b"-").unwrap_or(b);
            let seps: Vec<(usize, u8)> = body
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.is_ascii_digit())
                .map(|(i, c)| (i, *c))
                .collect();
            if let [(pos, sep)] = seps.as_slice() {
                if (*sep == b',' || *sep == b'.') && *pos + 1 < body.len() {
                    let frac = body.len() - pos - 1;
                    match (sep, frac == 3 && *pos > 0) {
                        (b',', false) => comma += 1,
                        (b',', true) => comma3 += 1,
                        (b'.', false) => dot += 1,
                        _ => {}
                    }
                }
            }
        }
    }
    if comma > dot || (comma == 0 && dot == 0 && comma3 > 0 && delimiter != b',') {
        b','
    } else {
        b'.'
    }
}

fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[inline(always)]
fn trim_bytes(mut f: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = f {
        if first.is_ascii_whitespace() {
            f = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = f {
        if last.is_ascii_whitespace() {
            f = rest;
        } else {
            break;
        }
    }
    f
}

/// Text ready for the CSV reader: BOM removed, old Mac line ends (CR only) made LF (the
/// csv reader counts lines by LF). Borrowed unless line ends had to change.
pub(crate) fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\n') && text.contains('\r') {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The first non-blank line, shortened, for "one column" errors.
pub(crate) fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    shorten(line.trim(), 60)
}

/// Delimiter (given or sniffed) and the usual number of fields per line.
pub(crate) fn layout(text: &str, opts: &ImportOptions) -> Result<(u8, usize), ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::new(ImportErrorKind::Empty));
    }
    let sample_end = text
        .char_indices()
        .nth(65_536)
        .map_or(text.len(), |(i, _)| i);
    let sample = &text[..sample_end];
    let delimiter = match opts.delimiter {
        Some(c) if c.is_ascii() && c != '"' && c != '\n' && c != '\r' => c as u8,
        Some(c) => {
            return Err(ImportError::new(ImportErrorKind::BadOption {
                message: format!("delimiter {c:?} cannot be used: expected a single ASCII character other than a quote or line end"),
            }))
        }
        None => match sniff_delimiter(sample) {
            Some((d, _)) => d,
            None => {
                return Err(ImportError::new(ImportErrorKind::OneColumn {
                    first_line: first_line(text),
                }));
            }
        },
    };
    let usual_width = field_mode(sample, delimiter).map_or(0, |m| m.1);
    Ok((delimiter, usual_width))
}

/// Eight bytes as a little-endian word (0 for a shorter slice).
#[inline(always)]
pub(crate) fn le_word(c: &[u8]) -> u64 {
    match *c {
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => 0,
    }
}

/// Number of line feeds in `b`, eight bytes at a time.
#[inline]
fn count_lf(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let chunks = b.chunks_exact(8);
    let rest = chunks.remainder();
    let mut n = 0usize;
    for c in chunks {
        let t = le_word(c) ^ (ONES * u64::from(b'\n'));
        // High bit set exactly in the bytes of `t` that are zero.
        let zero = !(((t & LOW7) + LOW7) | t | LOW7);
        n += zero.count_ones() as usize;
    }
    for &x in rest {
        n += usize::from(x == b'\n');
    }
    n
}

/// The records of delimited text, one at a time, with spreadsheet row numbers. Blank
/// records are skipped but counted in row numbers; title lines above the table (fewer
/// fields than most lines) are skipped; the first record fixes the number of fields.
pub(crate) struct DelimitedRows<'t> {
    text: &'t str,
    delimiter: u8,
    usual_width: usize,
    lines: usize,
    rdr: csv::Reader<&'t [u8]>,
    rec: csv::ByteRecord,
    /// Fields of the current record in use (≤ `expected`).
    n_fields: usize,
    expected: usize,
    min_width: usize,
    started: bool,
    title_lines: usize,
    blank_records: usize,
    next_row: u64,
    prev_end_line: u64,
    scan_pos: usize,
    line_at_scan: u64,
}

impl<'t> DelimitedRows<'t> {
    pub(crate) fn new(text: &'t str, delimiter: u8, usual_width: usize) -> Self {
        Self::at_start(text, delimiter, usual_width, count_lf(text.as_bytes()) + 1)
    }

    fn at_start(text: &'t str, delimiter: u8, usual_width: usize, lines: usize) -> Self {
        DelimitedRows {
            text,
            delimiter,
            usual_width,
            lines,
            rdr: reader(delimiter, text.as_bytes()),
            rec: csv::ByteRecord::new(),
            n_fields: 0,
            expected: 0,
            min_width: 0,
            started: false,
            title_lines: 0,
            blank_records: 0,
            next_row: 1,
            prev_end_line: 0,
            scan_pos: 0,
            line_at_scan: 1,
        }
    }
}

impl Rows for DelimitedRows<'_> {
    fn restart(&mut self) {
        *self = DelimitedRows::at_start(self.text, self.delimiter, self.usual_width, self.lines);
    }

    fn next_row(&mut self) -> Result<Option<u32>, ImportError> {
        let bytes = self.text.as_bytes();
        loop {
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    return Err(ImportError::new(ImportErrorKind::NotATable {
                        reason: format!("the text could not be split into fields ({e})"),
                    }))
                }
            }
            let rec = &self.rec;
            // Line of the record's first byte (the reader's own line count lags by one
            // after CRLF terminators, so count line feeds directly).
            let mut start_byte = rec
                .position()
                .map_or(self.scan_pos, |p| p.byte() as usize)
                .clamp(self.scan_pos, bytes.len());
            while matches!(bytes.get(start_byte), Some(b'\r' | b'\n')) {
                start_byte += 1;
            }
            self.line_at_scan += count_lf(&bytes[self.scan_pos..start_byte]) as u64;
            self.scan_pos = start_byte;
            let line = self.line_at_scan;
            let skipped_lines = line.saturating_sub(self.prev_end_line + 1);
            let row = self.next_row + skipped_lines;
            self.blank_records += skipped_lines as usize;
            let inner_newlines = count_lf(rec.as_slice()) as u64;
            self.prev_end_line = line + inner_newlines;
            self.next_row = row + 1;
            let row_u32 = u32::try_from(row).unwrap_or(u32::MAX);
            if rec.iter().all(|f| trim_bytes(f).is_empty()) {
                self.blank_records += 1;
                continue;
            }
            if !self.started {
                if width(rec) < self.usual_width && self.title_lines < 20 {
                    self.title_lines += 1;
                    continue;
                }
                self.started = true;
                self.expected = rec.len();
                // Rows may leave out fields that are blank in the first row (a trailing
                // delimiter on the header line only).
                self.min_width = width(rec).max(1);
            }
            let expected = self.expected;
            let mut n = rec.len();
            if n > expected {
                if rec.iter().skip(expected).all(|f| trim_bytes(f).is_empty()) {
                    n = expected;
                } else {
                    return Err(ImportError::new(ImportErrorKind::RaggedRow {
                        row: row as usize,
                        found: n,
                        expected,
                    }));
                }
            }
            if n < self.min_width {
                return Err(ImportError::new(ImportErrorKind::RaggedRow {
                    row: row as usize,
                    found: n,
                    expected,
                }));
            }
            self.n_fields = n;
            return Ok(Some(row_u32));
        }
    }

    fn width(&self) -> usize {
        self.expected
    }

    #[inline(always)]
    fn field(&self, j: usize) -> &[u8] {
        if j >= self.n_fields {
            return b"";
        }
        trim_bytes(self.rec.get(j).unwrap_or(b""))
    }

    fn size_hint(&self) -> usize {
        self.lines
    }

    fn fraction(&self) -> f64 {
        self.scan_pos as f64 / self.text.len().max(1) as f64
    }

    fn skipped_notes(&self, notes: &mut Vec<String>) {
        if self.title_lines > 0 {
            notes.push(format!(
                "{} line(s) above the table skipped (fewer fields than the table's rows)",
                self.title_lines
            ));
        }
        if self.blank_records > 0 {
            notes.push(format!("{} empty row(s) skipped", self.blank_records));
        }
    }
}

/// Whether the first row looks like column names rather than data.
pub(crate) fn looks_like_header(
    cols: &[RawColumn],
    decimal: u8,
    is_missing: &dyn Fn(&str) -> bool,
) -> bool {
    let is_value = |s: &str| parse_number(s, decimal).is_some() || parse_date(s).is_some();
    let first: Vec<&str> = cols.iter().map(|c| c.get(0)).collect();
    if first.iter().any(|s| !s.is_empty() && is_value(s)) {
        return false;
    }
    if cols.iter().all(|c| c.len() < 2) {
        return true;
    }
    // Some column below holds values while its first cell is a name.
    let typed_below = cols.iter().any(|c| {
        let n = c.len().min(200);
        let present: Vec<&str> = (1..n)
            .map(|i| c.get(i))
            .filter(|s| !is_missing(s))
            .collect();
        !present.is_empty()
            && present.iter().filter(|s| is_value(s)).count() * 10 >= present.len() * 9
    });
    if typed_below {
        return true;
    }
    // All text: a header if no first cell reappears below it.
    cols.iter().all(|c| {
        let h = c.get(0);
        !h.is_empty() && (1..c.len().min(200)).all(|i| c.get(i) != h)
    })
}
