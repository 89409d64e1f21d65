//! Cell parsers: numbers in either decimal convention, calendar dates in the common
//! clinical export formats, and boolean words.
//!
//! Dates become days since 1970-01-01 (a fraction holds the time of day), computed with
//! the proleptic Gregorian "days from civil" formula (Hinnant, *chrono-Compatible
//! Low-Level Date Algorithms*, 2013), so no calendar crate is needed.

/// Days since 1970-01-01 of a proleptic Gregorian date. Caller checks ranges.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01, if the date exists.
pub(crate) fn ymd(y: i64, m: u32, d: u32) -> Option<f64> {
    if !(1000..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) as f64)
}

/// Formats a day count as ISO 8601 (with the time when it is not midnight).
pub fn format_date(days: f64) -> String {
    if !days.is_finite() || days.abs() > 4.0e6 {
        return format!("{days}");
    }
    let whole = days.floor();
    let (y, m, d) = civil_from_days(whole as i64);
    let secs = ((days - whole) * 86_400.0).round() as i64;
    if secs == 0 || secs >= 86_400 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        let (h, mi, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        if s == 0 {
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}")
        } else {
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }
    }
}

/// Formats a number the shortest way that reads back the same.
pub fn format_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Parses a number written with `decimal` ('.' or ',') as decimal mark, allowing
/// thousands separators in valid groups of three, a leading sign and an exponent.
/// Not "inf" or "nan".
pub(crate) fn parse_number(s: &str, decimal: u8) -> Option<f64> {
    if let Some(x) = parse_plain(s.as_bytes(), decimal) {
        return Some(x);
    }
    parse_number_general(s, decimal)
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common case `[-+]digits[<decimal>digits]` with at most 15 digits, read as an
/// integer mantissa divided by a power of ten. Both are exact in `f64` (mantissa below
/// 2⁵³, power at most 10²²), so the one correctly rounded division gives the correctly
/// rounded value, as `str::parse` would (Clinger 1990, the "fast path"). `None` for
/// anything else.
#[inline(always)]
pub(crate) fn parse_plain(b: &[u8], decimal: u8) -> Option<f64> {
    let (neg, body) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let mut m: u64 = 0;
    let mut digits = 0usize;
    let mut frac: Option<usize> = None;
    for &c in body {
        if c.is_ascii_digit() {
            m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            digits += 1;
            if let Some(f) = frac.as_mut() {
                *f += 1;
            }
        } else if c == decimal && frac.is_none() {
            frac = Some(0);
        } else {
            return None;
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    let x = m as f64 / POW10[frac.unwrap_or(0)];
    Some(if neg { -x } else { x })
}

/// Bytes of a cell as a number: [`parse_plain`], else [`parse_number`] on the text.
#[inline(always)]
pub(crate) fn parse_number_bytes(b: &[u8], decimal: u8) -> Option<f64> {
    match parse_plain(b, decimal) {
        Some(x) => Some(x),
        None => parse_number_general(std::str::from_utf8(b).ok()?, decimal),
    }
}

/// Everything [`parse_plain`] does not take: signs such as U+2212, thousands
/// separators, the other decimal mark, exponents, more than 15 digits. The number is
/// rewritten in Rust's syntax and read by `str::parse`.
fn parse_number_general(s: &str, decimal: u8) -> Option<f64> {
    parse_number_slow(s.trim_matches(is_space), decimal)
}

fn parse_number_slow(s: &str, decimal: u8) -> Option<f64> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    if let Some(r) = rest
        .strip_prefix('\u{2212}')
        .or_else(|| rest.strip_prefix('-'))
    {
        out.push('-');
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    // Split mantissa / exponent.
    let (mant, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let dec = decimal as char;
    let (int_part, frac_part) = match mant.rfind(dec) {
        Some(i) => (&mant[..i], Some(&mant[i + 1..])),
        None => (mant, None),
    };
    let thousands: &[char] = if dec == ',' {
        &['.', ' ', '\u{a0}', '\u{202f}', '\'']
    } else {
        &[',', ' ', '\u{a0}', '\u{202f}', '\'']
    };
    let sign_len = out.len();
    let ok_int = push_grouped(int_part, thousands, &mut out);
    if !ok_int {
        out.truncate(sign_len);
        // Lenient reading of the other decimal mark: "12.5" in a decimal-comma file.
        let other = if dec == ',' { '.' } else { ',' };
        if exp.is_none() && frac_part.is_none() && mant.matches(other).count() == 1 {
            let (i, f) = mant.split_once(other)?;
            if !i.is_empty()
                && i.bytes().all(|c| c.is_ascii_digit())
                && !f.is_empty()
                && f.bytes().all(|c| c.is_ascii_digit())
            {
                out.push_str(i);
                out.push('.');
                out.push_str(f);
                return out.parse::<f64>().ok().filter(|x| x.is_finite());
            }
        }
        return None;
    }
    if let Some(f) = frac_part {
        if !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if f.is_empty() && int_part.is_empty() {
            return None;
        }
        out.push('.');
        out.push_str(f);
    } else if int_part.is_empty() {
        return None;
    }
    if let Some(e) = exp {
        let e2 = e.strip_prefix('+').unwrap_or(e);
        let digits = e2.strip_prefix('-').unwrap_or(e2);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out.push('e');
        out.push_str(e2);
    }
    out.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Appends the digits of `s` to `out`, checking thousands grouping. Empty is fine.
fn push_grouped(s: &str, thousands: &[char], out: &mut String) -> bool {
    if s.bytes().all(|c| c.is_ascii_digit()) {
        out.push_str(s);
        return true;
    }
    let sep = match s.chars().find(|c| !c.is_ascii_digit()) {
        Some(c) if thousands.contains(&c) => c,
        _ => return false,
    };
    let mut groups = s.split(sep);
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    out.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        out.push_str(g);
    }
    true
}

/// A boolean word: TRUE/FALSE, T/F, yes/no, Y/N (any case).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.len() > 5 {
        return None;
    }
    let l = s.to_ascii_lowercase();
    match l.as_str() {
        "true" | "t" | "yes" | "y" => Some(true),
        "false" | "f" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Day order for dates such as 03/04/2009.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// 03/04/2009 is 3 April 2009 (Europe, most of the world).
    #[serde(alias = "dmy")]
    DayFirst,
    /// 03/04/2009 is 4 March 2009 (United States).
    #[serde(alias = "mdy")]
    MonthFirst,
}

/// A parsed date cell: its value under each day order (equal when the format fixes
/// the order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DateCand {
    pub day_first: Option<f64>,
    pub month_first: Option<f64>,
}

impl DateCand {
    pub fn get(&self, order: DateOrder) -> Option<f64> {
        match order {
            DateOrder::DayFirst => self.day_first,
            DateOrder::MonthFirst => self.month_first,
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_name(s: &str) -> Option<u32> {
    if s.len() < 3 || s.len() > 9 || !s.is_ascii() {
        return None;
    }
    let l = s.to_ascii_lowercase();
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, m) in MONTHS.iter().enumerate() {
        if l == *m || l == full[i] || (i == 8 && l == "sept") {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// Parses "HH:MM[:SS[.fff]]" with optional AM/PM and time zone (ignored); returns a
/// fraction of a day.
fn parse_time(s: &str) -> Option<f64> {
    let s = s.trim();
    let mut t = s;
    let mut pm = None;
    let lower = t.to_ascii_lowercase();
    if lower.ends_with("am") || lower.ends_with("pm") {
        pm = Some(lower.ends_with("pm"));
        t = t[..t.len() - 2].trim_end();
    }
    // Drop a time zone: Z, +hh:mm, -hhmm.
    if let Some(r) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        t = r;
    } else if let Some(i) = t.rfind(['+', '-']) {
        if i >= 4 {
            t = &t[..i];
        }
    }
    let mut parts = t.split(':');
    let h: u32 = num(parts.next()?, 1, 2)?;
    let mi: u32 = num(parts.next()?, 2, 2)?;
    let sec: f64 = match parts.next() {
        Some(sv) => {
            let (w, f) = sv.split_once(['.', ',']).unwrap_or((sv, ""));
            let w: u32 = num(w, 2, 2)?;
            if !f.bytes().all(|c| c.is_ascii_digit()) || f.len() > 9 {
                return None;
            }
            let frac = if f.is_empty() {
                0.0
            } else {
                format!("0.{f}").parse::<f64>().ok()?
            };
            w as f64 + frac
        }
        None => 0.0,
    };
    if parts.next().is_some() {
        return None;
    }
    let h = match pm {
        Some(p) => {
            if h == 0 || h > 12 {
                return None;
            }
            (h % 12) + if p { 12 } else { 0 }
        }
        None => h,
    };
    if h > 23 || mi > 59 || sec >= 61.0 {
        return None;
    }
    Some((h as f64 * 3600.0 + mi as f64 * 60.0 + sec) / 86_400.0)
}

fn num(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<i64> {
    match s.len() {
        4 => num(s, 4, 4).map(|y| y as i64),
        // Two-digit years: 00-68 are 20xx, 69-99 are 19xx (the POSIX %y rule).
        2 => num(s, 2, 2).map(|y| {
            if y <= 68 {
                2000 + y as i64
            } else {
                1900 + y as i64
            }
        }),
        _ => None,
    }
}

/// Parses a date (optionally with a time) in ISO, D/M/Y, M/D/Y, D.M.Y, Y/M/D or
/// month-name forms.
pub(crate) fn parse_date(s: &str) -> Option<DateCand> {
    let s = s.trim_matches(is_space);
    if s.len() < 6 || s.len() > 40 {
        return None;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_alphanumeric()) {
        return None;
    }
    // Split off the time part: after 'T' (ISO) or the first space followed by h:mm.
    let (date_part, time_frac) = split_time(s)?;
    let d = parse_date_only(date_part)?;
    Some(DateCand {
        day_first: d.day_first.map(|v| v + time_frac),
        month_first: d.month_first.map(|v| v + time_frac),
    })
}

fn split_time(s: &str) -> Option<(&str, f64)> {
    if !s.contains(':') {
        return Some((s, 0.0));
    }
    let b = s.as_bytes();
    // ISO "2009-03-12T10:30"
    if b.len() > 10
        && (b[10] == b'T' || b[10] == b't')
        && s.is_char_boundary(10)
        && s.is_char_boundary(11)
    {
        return Some((&s[..10], parse_time(&s[11..])?));
    }
    // First whitespace whose remainder starts with a time.
    for (i, c) in s.char_indices() {
        if c == ' ' {
            let rest = s[i + 1..].trim_start();
            if rest.as_bytes().get(1..3).is_some_and(|x| x.contains(&b':')) {
                return Some((s[..i].trim_end_matches(','), parse_time(rest)?));
            }
        }
    }
    None
}

fn parse_date_only(s: &str) -> Option<DateCand> {
    let fixed = |v: Option<f64>| {
        v.map(|v| DateCand {
            day_first: Some(v),
            month_first: Some(v),
        })
    };
    // Tokens split by separators; each gap between tokens is one separator, or ", ".
    let mut toks: [&str; 3] = [""; 3];
    let mut seps: [char; 2] = [' '; 2];
    let mut n = 0usize;
    let mut start: Option<usize> = None;
    let mut gap = String::new();
    for (i, c) in s.char_indices() {
        let is_sep = matches!(c, '-' | '/' | '.' | ' ' | ',');
        if is_sep {
            if let Some(st) = start.take() {
                if n >= 3 {
                    return None;
                }
                toks[n] = &s[st..i];
                n += 1;
                gap.clear();
            }
            gap.push(c);
            if gap.len() > 2 || (gap.len() == 2 && gap != ", ") {
                return None;
            }
        } else if start.is_none() {
            if n >= 3 {
                return None;
            }
            if n >= 1 {
                seps[n - 1] = gap.chars().next().unwrap_or(' ');
            }
            start = Some(i);
        }
    }
    match start {
        Some(st) if n < 3 => {
            toks[n] = &s[st..];
            n += 1;
        }
        _ => return None,
    }
    if n != 3 {
        return None;
    }
    let alpha: Vec<usize> = (0..3)
        .filter(|&i| toks[i].bytes().any(|c| c.is_ascii_alphabetic()))
        .collect();
    match alpha.as_slice() {
        [] => {
            if seps[0] != seps[1] {
                return None;
            }
            let sep = seps[0];
            if sep == ' ' || sep == ',' {
                return None;
            }
            if toks[0].len() == 4 {
                // Y-M-D
                let y = year(toks[0])?;
                let m = num(toks[1], 1, 2)?;
                let d = num(toks[2], 1, 2)?;
                return fixed(ymd(y, m, d));
            }
            let y = if toks[2].len() == 4 || (toks[2].len() == 2 && sep != '-') {
                year(toks[2])?
            } else {
                return None;
            };
            let a = num(toks[0], 1, 2)?;
            let b = num(toks[1], 1, 2)?;
            let df = ymd(y, b, a);
            let mf = if sep == '.' { None } else { ymd(y, a, b) };
            if df.is_none() && mf.is_none() {
                return None;
            }
            Some(DateCand {
                day_first: df,
                month_first: mf,
            })
        }
        [i] => {
            let m = month_name(toks[*i])?;
            let v = match i {
                // Mar 12, 2009
                0 => ymd(year(toks[2])?, m, num(toks[1], 1, 2)?),
                // 12-Mar-2009 or 2009-Mar-12
                1 => {
                    if toks[0].len() == 4 {
                        ymd(year(toks[0])?, m, num(toks[2], 1, 2)?)
                    } else {
                        ymd(year(toks[2])?, m, num(toks[0], 1, 2)?)
                    }
                }
                _ => None,
            };
            fixed(v)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-800_000i64, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12.5", b'.'), Some(12.5));
        assert_eq!(parse_number("-3", b'.'), Some(-3.0));
        assert_eq!(parse_number("1e3", b'.'), Some(1000.0));
        assert_eq!(parse_number("1,234.5", b'.'), Some(1234.5));
        assert_eq!(parse_number("12,5", b','), Some(12.5));
        assert_eq!(parse_number("1.234,5", b','), Some(1234.5));
        assert_eq!(parse_number("1 234,5", b','), Some(1234.5));
        assert_eq!(parse_number("12.5", b','), Some(12.5));
        assert_eq!(parse_number("\u{2212}2", b'.'), Some(-2.0));
        assert_eq!(parse_number("1,23,4", b'.'), None);
        for bad in [
            "inf", "NaN", "", ".", "-", "e5", "1e", "abc", "1.2.3", "--1",
        ] {
            assert_eq!(parse_number(bad, b'.'), None, "{bad}");
            assert_eq!(parse_number(bad, b','), None, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let d = |s: &str| {
            parse_date(s).map(|c| (c.day_first.map(format_date), c.month_first.map(format_date)))
        };
        let both = |v: &str| Some((Some(v.to_string()), Some(v.to_string())));
        assert_eq!(d("2009-03-12"), both("2009-03-12"));
        assert_eq!(d("2009/03/12"), both("2009-03-12"));
        assert_eq!(d("12.03.2009"), Some((Some("2009-03-12".into()), None)));
        assert_eq!(
            d("12/03/2009"),
            Some((Some("2009-03-12".into()), Some("2009-12-03".into())))
        );
        assert_eq!(d("25/03/2009"), Some((Some("2009-03-25".into()), None)));
        assert_eq!(d("03/25/2009"), Some((None, Some("2009-03-25".into()))));
        assert_eq!(d("12-Mar-2009"), both("2009-03-12"));
        assert_eq!(d("12 March 2009"), both("2009-03-12"));
        assert_eq!(d("Mar 12, 2009"), both("2009-03-12"));
        assert_eq!(d("12-mar-09"), both("2009-03-12"));
        assert_eq!(d("2009-03-12T10:30:00"), both("2009-03-12 10:30"));
        assert_eq!(d("2009-03-12 10:30"), both("2009-03-12 10:30"));
        assert_eq!(
            d("12/03/2009 14:05:09"),
            Some((
                Some("2009-03-12 14:05:09".into()),
                Some("2009-12-03 14:05:09".into())
            ))
        );
        for bad in [
            "2009-02-30",
            "32/01/2009",
            "12:30",
            "abc",
            "2009",
            "1.5",
            "12/13/14/15",
            "Foo 12, 2009",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
