//! From a typed table and a [`PrepareSpec`] to the estimators' inputs ([`Prepared`]):
//! durations (given, or from dates), event coding, grouping factors and covariates,
//! with every unusable row listed with its spreadsheet row number and the reason.

use std::collections::{BTreeMap, HashMap};

use crate::error::{PrepareError, PrepareErrorKind};
use crate::options::ColumnType;
use crate::prepared::{Covariate, CovariateValues, EventCode, Exclusion, Factor, Prepared};
use crate::spec::{EventMeaning, FilterOp, PrepareSpec, RowFilter, TimeUnit, VariableSpec};
use crate::table::{Cell, Column, Table};
use crate::values::{format_date, format_number, parse_date, parse_number};

/// Words read as "event" when guessing the coding (compared in lower case).
pub const EVENT_WORDS: [&str; 17] = [
    "dead",
    "deceased",
    "died",
    "death",
    "event",
    "true",
    "t",
    "yes",
    "y",
    "progressed",
    "progression",
    "relapse",
    "relapsed",
    "recurrence",
    "recurred",
    "failure",
    "failed",
];
/// Words read as "censored" when guessing the coding.
pub const CENSOR_WORDS: [&str; 12] = [
    "alive",
    "censored",
    "censor",
    "living",
    "false",
    "f",
    "no",
    "n",
    "no event",
    "event-free",
    "event free",
    "alive and well",
];

/// The unit a column name suggests ("os_months" → months).
pub fn unit_from_name(name: &str) -> Option<TimeUnit> {
    let l = name.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| l.contains(x));
    if has(&["month", "mths", "mnth", "mos"]) {
        Some(TimeUnit::Months)
    } else if has(&["week", "wks"]) {
        Some(TimeUnit::Weeks)
    } else if has(&["year", "yrs"]) {
        Some(TimeUnit::Years)
    } else if has(&["day"]) {
        Some(TimeUnit::Days)
    } else {
        None
    }
}

struct Rows {
    reason: Vec<Option<(Option<String>, String)>>,
}

impl Rows {
    fn exclude(&mut self, i: usize, column: Option<&str>, why: String) {
        if let Some(slot) = self.reason.get_mut(i) {
            if slot.is_none() {
                *slot = Some((column.map(str::to_string), why));
            }
        }
    }
    fn kept(&self, i: usize) -> bool {
        self.reason.get(i).is_some_and(|r| r.is_none())
    }
}

fn get<'t>(table: &'t Table, name: &str, role: &str) -> Result<&'t Column, PrepareError> {
    table.column(name).ok_or_else(|| {
        PrepareError::new(PrepareErrorKind::NoSuchColumn {
            column: name.to_string(),
            role: role.to_string(),
            available: table
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect(),
        })
    })
}

fn found_words(c: &Column) -> String {
    let example = (0..c.len())
        .map(|i| c.text(i))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    format!("{} values such as '{example}'", c.kind().as_str())
}

fn row_list(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(10).map(|r| r.to_string()).collect();
    let more = if rows.len() > 10 {
        format!(" and {} more", rows.len() - 10)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// Normalised key of an event value: lower-case text, numbers by value.
fn event_key(s: &str) -> String {
    let t = s.trim();
    match parse_number(t, b'.') {
        Some(x) => format_number(x),
        None => t.to_lowercase(),
    }
}

/// The event column's distinct values: a key per row (`u32::MAX` = missing), the
/// normalised keys and how each is spelled. Built from level codes or number bits, so
/// there is no string per row.
struct EventValues {
    row_key: Vec<u32>,
    keys: Vec<String>,
    spellings: Vec<Vec<String>>,
}

impl EventValues {
    fn new(c: &Column) -> Self {
        let n = c.len();
        let mut ev = EventValues {
            row_key: vec![u32::MAX; n],
            keys: Vec::new(),
            spellings: Vec::new(),
        };
        let mut by_key: HashMap<String, u32> = HashMap::new();
        let mut add = |ev: &mut EventValues, text: &str| -> u32 {
            let k = event_key(text);
            let idx = *by_key.entry(k.clone()).or_insert_with(|| {
                ev.keys.push(k);
                ev.spellings.push(Vec::new());
                (ev.keys.len() - 1) as u32
            });
            if let Some(sp) = ev.spellings.get_mut(idx as usize) {
                if sp.len() < 5 && !sp.iter().any(|x| x == text) {
                    sp.push(text.to_string());
                }
            }
            idx
        };
        let level_keys: Vec<u32> = c
            .levels()
            .unwrap_or(&[])
            .to_vec()
            .iter()
            .map(|l| add(&mut ev, l))
            .collect();
        let mut by_bits: HashMap<u64, u32> = HashMap::new();
        for i in 0..n {
            let key = match c.cell(i) {
                Cell::Missing => continue,
                Cell::Number(x) | Cell::Date(x) => match by_bits.get(&x.to_bits()) {
                    Some(k) => *k,
                    None => {
                        let k = add(&mut ev, &format_number(x));
                        by_bits.insert(x.to_bits(), k);
                        k
                    }
                },
                Cell::Invalid(t) => add(&mut ev, t),
                Cell::Text(_) | Cell::Bool(_) => {
                    match c.level_code(i).and_then(|k| level_keys.get(k)) {
                        Some(k) => *k,
                        None => continue,
                    }
                }
            };
            if let Some(slot) = ev.row_key.get_mut(i) {
                *slot = key;
            }
        }
        ev
    }

    fn key_of(&self, i: usize) -> Option<usize> {
        self.row_key
            .get(i)
            .filter(|k| **k != u32::MAX)
            .map(|k| *k as usize)
    }
}

/// Prepares one endpoint's analysis data.
///
/// Steps, in order, each excluding rows it cannot use (a row is listed once, with the
/// first reason): row filter, follow-up time (given, or end date minus start date),
/// event coding, delayed entry, group, strata, cluster, weights. Covariates keep
/// missing values. Event coding, when not given, is guessed: 0/1 (1 = event), 1/2
/// (R's convention, 2 = event), TRUE/FALSE, yes/no, dead/deceased/died vs
/// alive/censored in any case; any other value is an error naming it.
///
/// # Errors
/// A [`PrepareError`] when a column is missing or of the wrong type, the event coding
/// cannot be guessed or has values not mapped, the spec is incomplete, or no row is
/// left.
///
/// # Examples
/// ```
/// use survkit_data::{import, prepare, ImportOptions, PrepareSpec, EndpointSpec};
/// let csv = "months,status\n5,Dead\n8,Alive\n3,dead\n";
/// let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
/// let spec = PrepareSpec {
///     endpoint: EndpointSpec { time: Some("months".into()), event: "status".into(), ..Default::default() },
///     ..Default::default()
/// };
/// let p = prepare(&t, &spec).unwrap();
/// assert_eq!(p.status, vec![true, false, true]);
/// assert_eq!(p.event_coding, "event = Dead, dead (2 rows); censored = Alive (1 row)");
/// assert_eq!(p.time_unit, "months");
/// ```
pub fn prepare(table: &Table, spec: &PrepareSpec) -> Result<Prepared, PrepareError> {
    let n = table.n_rows();
    let mut rows = Rows {
        reason: vec![None; n],
    };
    let mut warnings: Vec<String> = Vec::new();
    let ep = &spec.endpoint;

    for f in &spec.filter {
        apply_filter(table, f, &mut rows)?;
    }

    // Follow-up time.
    let mut time = vec![f64::NAN; n];
    // Conversion as x * unit_in / unit_out (in days), so days → months is x / 30.4375.
    let mut unit_in_days = 1.0;
    let mut unit_out_days = 1.0;
    let time_unit: String;
    if let Some(tname) = ep.time.as_deref().filter(|s| !s.trim().is_empty()) {
        let c = get(table, tname, "time")?;
        if c.kind() != ColumnType::Numeric && c.n_missing() < c.len() {
            let hint = if c.kind() == ColumnType::Date {
                "; for dates, give a start date and an end date instead of a time column"
            } else {
                ""
            };
            return Err(PrepareError::new(PrepareErrorKind::WrongType {
                column: c.name().to_string(),
                expected: format!("numbers (follow-up durations){hint}"),
                found: found_words(c),
            }));
        }
        let unit_in = match ep.time_unit {
            Some(u) => Some(u),
            None => {
                let g = unit_from_name(c.name());
                if let Some(u) = g {
                    warnings.push(format!(
                        "times in '{}' taken to be in {} from the column name; set the time unit if this is wrong",
                        c.name(),
                        u.as_str()
                    ));
                }
                g
            }
        };
        let unit_out = ep.output_unit.or(unit_in);
        match (unit_in, unit_out) {
            (Some(a), Some(b)) => {
                unit_in_days = a.days();
                unit_out_days = b.days();
                time_unit = b.as_str().to_string();
                if a != b {
                    warnings.push(format!("times converted from {} to {}", a.describe(), b.describe()));
                }
            }
            // No unit stated and nothing converted: the times are used as they are and
            // every output says "the file's units". Not a caveat (no number depends on the
            // unit); a warning or an error remains where it matters: converting (below)
            // and durations from dates (always days).
            (None, None) => {
                time_unit = "units".to_string();
            }
            _ => {
                return Err(PrepareError::spec(format!(
                    "an output unit was asked for but the unit of '{}' is not known: set the time unit too",
                    c.name()
                )))
            }
        }
        for (i, t) in time.iter_mut().enumerate() {
            match c.cell(i) {
                Cell::Number(x) if x < 0.0 => rows.exclude(
                    i,
                    Some(c.name()),
                    format!("negative time ({})", format_number(x)),
                ),
                Cell::Number(x) => *t = x * unit_in_days / unit_out_days,
                Cell::Missing => rows.exclude(i, Some(c.name()), "missing time".into()),
                Cell::Invalid(s) => {
                    rows.exclude(i, Some(c.name()), format!("unreadable time '{s}'"))
                }
                _ => rows.exclude(i, Some(c.name()), "missing time".into()),
            }
        }
    } else if let Some(sname) = ep.start_date.as_deref().filter(|s| !s.trim().is_empty()) {
        let start = get(table, sname, "start date")?;
        let end_names: Vec<&str> = ep
            .end_date
            .iter()
            .chain(ep.end_dates.iter())
            .map(|s| s.as_str())
            .filter(|s| !s.trim().is_empty())
            .collect();
        if end_names.is_empty() {
            return Err(PrepareError::spec(
                "a start date was given without an end date: give the column with the event or last-contact date",
            ));
        }
        let mut ends = Vec::new();
        for e in &end_names {
            ends.push(get(table, e, "end date")?);
        }
        for c in std::iter::once(start).chain(ends.iter().copied()) {
            if c.kind() != ColumnType::Date && c.n_missing() < c.len() {
                return Err(PrepareError::new(PrepareErrorKind::WrongType {
                    column: c.name().to_string(),
                    expected: "dates".into(),
                    found: found_words(c),
                }));
            }
        }
        if ep.time_unit.is_some() && ep.time_unit != Some(TimeUnit::Days) {
            warnings.push(
                "the time unit applies to a time column; durations from dates are computed in days"
                    .into(),
            );
        }
        let out = ep.output_unit.unwrap_or(TimeUnit::Days);
        unit_out_days = out.days();
        time_unit = out.as_str().to_string();
        let end_desc = if end_names.len() == 1 {
            format!("'{}'", end_names[0])
        } else {
            end_names
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", else ")
        };
        warnings.push(format!(
            "follow-up times derived from dates: from '{}' to {end_desc}, in {}",
            start.name(),
            out.describe()
        ));
        for (i, t) in time.iter_mut().enumerate() {
            let s = match start.cell(i) {
                Cell::Date(d) => d,
                Cell::Invalid(s) => {
                    rows.exclude(
                        i,
                        Some(start.name()),
                        format!("unreadable start date '{s}'"),
                    );
                    continue;
                }
                _ => {
                    rows.exclude(i, Some(start.name()), "missing start date".into());
                    continue;
                }
            };
            let mut end = None;
            let mut bad = None;
            for c in &ends {
                match c.cell(i) {
                    Cell::Date(d) => {
                        end = Some(d);
                        break;
                    }
                    Cell::Invalid(s) if bad.is_none() => bad = Some((c.name(), s)),
                    _ => {}
                }
            }
            match (end, bad) {
                (Some(e), _) if e < s => rows.exclude(
                    i,
                    None,
                    format!(
                        "end date {} is before start date {}",
                        format_date(e),
                        format_date(s)
                    ),
                ),
                (Some(e), _) => *t = (e - s) / unit_out_days,
                (None, Some((col, text))) => {
                    rows.exclude(i, Some(col), format!("unreadable end date '{text}'"))
                }
                (None, None) => rows.exclude(
                    i,
                    None,
                    format!("missing end date ({})", end_names.join(", ")),
                ),
            }
        }
    } else {
        return Err(PrepareError::spec(
            "the endpoint needs either a time column, or a start-date column and end-date column(s)",
        ));
    }

    // Event.
    let event_col = get(table, &ep.event, "event")?;
    let ev = EventValues::new(event_col);
    let meaning = event_coding(event_col, &ev, ep, &rows, &mut warnings)?;
    let mut status = vec![false; n];
    for (i, st) in status.iter_mut().enumerate() {
        match ev.key_of(i) {
            None => rows.exclude(i, Some(event_col.name()), "missing event status".into()),
            Some(k) => match meaning.get(k).copied().flatten() {
                Some(EventMeaning::Event) => *st = true,
                Some(EventMeaning::Censored) => {}
                Some(EventMeaning::Exclude) => rows.exclude(
                    i,
                    Some(event_col.name()),
                    format!("event value '{}' set to be left out", event_col.text(i)),
                ),
                None => rows.exclude(
                    i,
                    Some(event_col.name()),
                    format!("event value '{}' not mapped", event_col.text(i)),
                ),
            },
        }
    }

    // Delayed entry.
    let mut entry = None;
    if let Some(ename) = ep.entry.as_deref().filter(|s| !s.trim().is_empty()) {
        let c = get(table, ename, "entry")?;
        if c.kind() != ColumnType::Numeric {
            return Err(PrepareError::new(PrepareErrorKind::WrongType {
                column: c.name().to_string(),
                expected: "numbers (entry times, in the time column's unit)".into(),
                found: found_words(c),
            }));
        }
        let mut v = vec![f64::NAN; n];
        for (i, e) in v.iter_mut().enumerate() {
            match c.cell(i) {
                Cell::Number(x) if x < 0.0 => rows.exclude(
                    i,
                    Some(c.name()),
                    format!("negative entry time ({})", format_number(x)),
                ),
                Cell::Number(x) => {
                    *e = x * unit_in_days / unit_out_days;
                    if rows.kept(i) && *e >= time[i] {
                        rows.exclude(
                            i,
                            Some(c.name()),
                            format!(
                                "entry time {} is not before the end of follow-up",
                                format_number(x)
                            ),
                        );
                    }
                }
                Cell::Invalid(s) => {
                    rows.exclude(i, Some(c.name()), format!("unreadable entry time '{s}'"))
                }
                _ => rows.exclude(i, Some(c.name()), "missing entry time".into()),
            }
        }
        entry = Some(v);
    }

    // Group, strata, cluster: missing values exclude the row.
    let mut group = None;
    if let Some(g) = &spec.group {
        group = Some(factor_for(table, g, "group", &mut rows, &mut warnings)?);
    }
    let mut strata = None;
    if let Some(g) = &spec.strata {
        strata = Some(factor_for(table, g, "strata", &mut rows, &mut warnings)?);
    }
    let mut cluster = None;
    if let Some(cname) = spec.cluster.as_deref().filter(|s| !s.trim().is_empty()) {
        let v = VariableSpec {
            column: cname.to_string(),
            categorical: true,
            ..Default::default()
        };
        cluster = Some(factor_for(table, &v, "cluster", &mut rows, &mut warnings)?);
    }
    let mut weights = None;
    if let Some(wname) = spec.weights.as_deref().filter(|s| !s.trim().is_empty()) {
        let c = get(table, wname, "weights")?;
        if c.kind() != ColumnType::Numeric {
            return Err(PrepareError::new(PrepareErrorKind::WrongType {
                column: c.name().to_string(),
                expected: "non-negative numbers (case weights)".into(),
                found: found_words(c),
            }));
        }
        let mut v = vec![f64::NAN; n];
        for (i, w) in v.iter_mut().enumerate() {
            match c.cell(i) {
                Cell::Number(x) if x < 0.0 => rows.exclude(
                    i,
                    Some(c.name()),
                    format!("negative weight ({})", format_number(x)),
                ),
                Cell::Number(x) => *w = x,
                Cell::Invalid(s) => {
                    rows.exclude(i, Some(c.name()), format!("unreadable weight '{s}'"))
                }
                _ => rows.exclude(i, Some(c.name()), "missing weight".into()),
            }
        }
        weights = Some(v);
    }

    // Covariates (missing values kept).
    let mut covs: Vec<(String, CovRaw)> = Vec::new();
    for v in &spec.covariates {
        covs.push(covariate_for(table, v, &rows, &mut warnings)?);
    }

    // Assemble kept rows.
    let kept: Vec<usize> = (0..n).filter(|&i| rows.kept(i)).collect();
    let excluded: Vec<Exclusion> = rows
        .reason
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.as_ref().map(|(c, why)| Exclusion {
                row: table.row_number(i),
                column: c.clone(),
                reason: why.clone(),
            })
        })
        .collect();
    if kept.is_empty() {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for e in &excluded {
            let key = e.reason.split(" (").next().unwrap_or(&e.reason);
            *counts.entry(key).or_default() += 1;
        }
        let main = counts
            .into_iter()
            .max_by_key(|(k, c)| (*c, std::cmp::Reverse(*k)))
            .map(|(k, _)| k.to_string());
        return Err(PrepareError::new(PrepareErrorKind::NoRowsLeft {
            n_excluded: excluded.len(),
            main_reason: main.unwrap_or_else(|| "the table has no rows".into()),
        }));
    }
    let out_time: Vec<f64> = kept.iter().map(|&i| time[i]).collect();
    let out_status: Vec<bool> = kept.iter().map(|&i| status[i]).collect();
    let zeros: Vec<usize> = kept
        .iter()
        .zip(&out_time)
        .filter(|(_, t)| **t == 0.0)
        .map(|(&i, _)| table.row_number(i))
        .collect();
    if !zeros.is_empty() {
        warnings.push(format!(
            "{} row(s) with follow-up time 0 kept, as R does (rows {}); check that they are not data errors",
            zeros.len(),
            row_list(&zeros)
        ));
    }
    let event_coding = coding_sentence(&ev, &meaning, &kept);
    let event_codes = coding_rows(&ev, &meaning, &kept);
    let pick_factor = |f: Option<FactorRaw>| {
        f.map(|f| {
            let (levels, codes) =
                compact_levels(&f.levels, kept.iter().map(|&i| f.codes[i]).collect());
            Factor {
                name: f.name,
                levels,
                codes,
            }
        })
    };
    let covariates = covs
        .into_iter()
        .map(|(name, raw)| Covariate {
            name,
            values: match raw {
                CovRaw::Numeric(v) => CovariateValues::Numeric {
                    values: kept.iter().map(|&i| v[i]).collect(),
                },
                CovRaw::Categorical {
                    levels,
                    reference,
                    codes,
                    ordinal,
                } => CovariateValues::Categorical {
                    levels,
                    reference,
                    codes: kept.iter().map(|&i| codes[i]).collect(),
                    ordinal,
                },
            },
        })
        .collect();
    Ok(Prepared {
        endpoint: if ep.name.trim().is_empty() {
            ep.time.clone().unwrap_or_else(|| ep.event.clone())
        } else {
            ep.name.clone()
        },
        time_unit,
        rows: kept.iter().map(|&i| table.row_number(i)).collect(),
        time: out_time,
        status: out_status,
        entry: entry.map(|v| kept.iter().map(|&i| v[i]).collect()),
        group: pick_factor(group),
        strata: pick_factor(strata),
        covariates,
        weights: weights.map(|v| kept.iter().map(|&i| v[i]).collect()),
        cluster: pick_factor(cluster),
        excluded,
        event_coding,
        event_codes,
        warnings,
    })
}

/// Keeps only levels that occur, in order, and renumbers the codes.
fn compact_levels(levels: &[String], codes: Vec<usize>) -> (Vec<String>, Vec<usize>) {
    let mut used = vec![false; levels.len()];
    for &c in &codes {
        if let Some(u) = used.get_mut(c) {
            *u = true;
        }
    }
    let mut new_index = vec![usize::MAX; levels.len()];
    let mut out = Vec::new();
    for (k, l) in levels.iter().enumerate() {
        if used[k] {
            new_index[k] = out.len();
            out.push(l.clone());
        }
    }
    let codes = codes
        .into_iter()
        .map(|c| new_index.get(c).copied().unwrap_or(0))
        .collect();
    (out, codes)
}

/// Meaning of each distinct event value (indexed like `EventValues::keys`).
type Meaning = Vec<Option<EventMeaning>>;

/// Decides what each value of the event column means.
fn event_coding(
    c: &Column,
    ev: &EventValues,
    ep: &crate::spec::EndpointSpec,
    rows: &Rows,
    warnings: &mut Vec<String>,
) -> Result<Meaning, PrepareError> {
    if c.kind() == ColumnType::Date {
        return Err(PrepareError::new(PrepareErrorKind::WrongType {
            column: c.name().to_string(),
            expected: "an event indicator (0/1, 1/2, TRUE/FALSE, yes/no, dead/alive)".into(),
            found: found_words(c),
        }));
    }
    // Row counts per value over rows still in; values seen only in excluded rows
    // still get a meaning (with count 0).
    let mut count = vec![0usize; ev.keys.len()];
    for i in 0..c.len() {
        if rows.kept(i) {
            if let Some(k) = ev.key_of(i) {
                count[k] += 1;
            }
        }
    }
    let order: Vec<String> = ev.keys.clone();
    let counts: HashMap<String, usize> =
        ev.keys.iter().cloned().zip(count.iter().copied()).collect();
    let spell: HashMap<String, Vec<String>> = ev
        .keys
        .iter()
        .cloned()
        .zip(ev.spellings.iter().cloned())
        .collect();
    let mut meaning: HashMap<String, EventMeaning> = HashMap::new();
    let explicit = ep.event_values.is_some() || !ep.event_map.is_empty();
    if explicit {
        let map: BTreeMap<String, EventMeaning> = ep
            .event_map
            .iter()
            .map(|(k, v)| (event_key(k), *v))
            .collect();
        let values: Vec<String> = ep
            .event_values
            .iter()
            .flatten()
            .map(|v| event_key(v))
            .collect();
        for v in ep.event_values.iter().flatten() {
            if !counts.contains_key(&event_key(v)) {
                warnings.push(format!(
                    "event value '{v}' does not occur in '{}'",
                    c.name()
                ));
            }
        }
        for k in &order {
            if let Some(m) = map.get(k) {
                meaning.insert(k.clone(), *m);
            } else if ep.event_values.is_some() {
                let m = if values.contains(k) {
                    EventMeaning::Event
                } else {
                    EventMeaning::Censored
                };
                meaning.insert(k.clone(), m);
            }
        }
        return Ok(ev.keys.iter().map(|k| meaning.get(k).copied()).collect());
    }
    // Guess. Numbers: 0/1 (1 = event) or R's 1/2 (2 = event).
    let nums: Vec<f64> = order.iter().filter_map(|k| k.parse::<f64>().ok()).collect();
    let zero_one = nums.contains(&0.0) || !nums.contains(&2.0);
    let mut unknown: Vec<String> = Vec::new();
    for k in &order {
        let m = match k.parse::<f64>() {
            Ok(x) if zero_one && x == 0.0 => Some(EventMeaning::Censored),
            Ok(x) if zero_one && x == 1.0 => Some(EventMeaning::Event),
            Ok(x) if !zero_one && x == 1.0 => Some(EventMeaning::Censored),
            Ok(x) if !zero_one && x == 2.0 => Some(EventMeaning::Event),
            Ok(_) => None,
            Err(_) if EVENT_WORDS.contains(&k.as_str()) => Some(EventMeaning::Event),
            Err(_) if CENSOR_WORDS.contains(&k.as_str()) => Some(EventMeaning::Censored),
            Err(_) => None,
        };
        match m {
            Some(m) => {
                meaning.insert(k.clone(), m);
            }
            None => unknown.push(k.clone()),
        }
    }
    if !unknown.is_empty() {
        let shown = |k: &String| {
            spell
                .get(k)
                .and_then(|s| s.first())
                .cloned()
                .unwrap_or_else(|| k.clone())
        };
        if meaning.is_empty() {
            return Err(PrepareError::new(PrepareErrorKind::EventCodingUnclear {
                column: c.name().to_string(),
                values: order.iter().map(shown).collect(),
            }));
        }
        let understood: Vec<String> = order
            .iter()
            .filter(|k| meaning.contains_key(*k))
            .map(|k| {
                let what = if meaning[k] == EventMeaning::Event {
                    "event"
                } else {
                    "censored"
                };
                format!("'{}' ({what})", shown(k))
            })
            .collect();
        return Err(PrepareError::new(PrepareErrorKind::UnmappedEventValues {
            column: c.name().to_string(),
            values: unknown
                .iter()
                .map(|k| (shown(k), counts.get(k).copied().unwrap_or(0)))
                .collect(),
            understood: understood.join(" and "),
        }));
    }
    if !zero_one && nums.len() == order.len() {
        warnings.push(format!(
            "event column '{}' read with R's 1/2 coding: 2 = event, 1 = censored",
            c.name()
        ));
    }
    Ok(ev.keys.iter().map(|k| meaning.get(k).copied()).collect())
}

/// The event coding as rows: each value used by a kept row, in order of first
/// appearance, with its meaning and count.
fn coding_rows(ev: &EventValues, meaning: &Meaning, kept: &[usize]) -> Vec<EventCode> {
    let mut count = vec![0usize; ev.keys.len()];
    for &i in kept {
        if let Some(k) = ev.key_of(i) {
            count[k] += 1;
        }
    }
    let mut out = Vec::new();
    for (k, &n) in count.iter().enumerate() {
        let Some(m) = meaning.get(k).copied().flatten() else {
            continue;
        };
        if n == 0 || m == EventMeaning::Exclude {
            continue;
        }
        let sp = ev.spellings.get(k).cloned().unwrap_or_default();
        let value = sp.first().cloned().unwrap_or_else(|| ev.keys[k].clone());
        out.push(EventCode {
            value,
            spellings: sp.into_iter().skip(1).collect(),
            meaning: m,
            count: n,
        });
    }
    out
}

fn coding_sentence(ev: &EventValues, meaning: &Meaning, kept: &[usize]) -> String {
    let mut count = vec![0usize; ev.keys.len()];
    for &i in kept {
        if let Some(k) = ev.key_of(i) {
            count[k] += 1;
        }
    }
    let mut n_event = 0usize;
    let mut n_cens = 0usize;
    let mut ev_sp: Vec<String> = Vec::new();
    let mut ce_sp: Vec<String> = Vec::new();
    for (k, &n) in count.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let target = match meaning.get(k).copied().flatten() {
            Some(EventMeaning::Event) => {
                n_event += n;
                &mut ev_sp
            }
            Some(EventMeaning::Censored) => {
                n_cens += n;
                &mut ce_sp
            }
            _ => continue,
        };
        for sp in ev.spellings.get(k).into_iter().flatten() {
            if !target.contains(sp) {
                target.push(sp.clone());
            }
        }
    }
    let part = |name: &str, sp: &[String], n: usize| {
        if n == 0 {
            format!("{name} = none")
        } else {
            let shown: Vec<&str> = sp.iter().take(6).map(|s| s.as_str()).collect();
            format!(
                "{name} = {} ({n} {})",
                shown.join(", "),
                if n == 1 { "row" } else { "rows" }
            )
        }
    };
    format!(
        "{}; {}",
        part("event", &ev_sp, n_event),
        part("censored", &ce_sp, n_cens)
    )
}

struct FactorRaw {
    name: String,
    levels: Vec<String>,
    /// Level index per table row (meaningful only for kept rows).
    codes: Vec<usize>,
}

enum CovRaw {
    Numeric(Vec<Option<f64>>),
    Categorical {
        levels: Vec<String>,
        reference: usize,
        codes: Vec<Option<usize>>,
        ordinal: bool,
    },
}

/// Display name, level labels and per-row level codes (None = missing or unreadable).
type NamedLevels = (String, Vec<String>, Vec<Option<usize>>);

/// Level labels and per-row codes of a variable (None = missing or unreadable).
fn levels_of(
    table: &Table,
    v: &VariableSpec,
    role: &str,
    rows: &Rows,
    warnings: &mut Vec<String>,
) -> Result<NamedLevels, PrepareError> {
    let c = get(table, &v.column, role)?;
    let name = v
        .label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| c.name().to_string());
    let n = c.len();
    let mut codes: Vec<Option<usize>> = vec![None; n];
    let cuts_wanted = !v.cut_points.is_empty() || v.cut_at_median;
    let mut levels: Vec<String>;
    match c.kind() {
        ColumnType::Numeric | ColumnType::Date if cuts_wanted => {
            let vals = c.numbers().unwrap_or(&[]);
            let mut cuts: Vec<f64> = v
                .cut_points
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            if v.cut_at_median {
                let mut present: Vec<f64> = (0..n)
                    .filter(|&i| rows.kept(i))
                    .filter_map(|i| vals.get(i).copied())
                    .filter(|x| !x.is_nan())
                    .collect();
                if present.is_empty() {
                    return Err(PrepareError::spec(format!(
                        "cannot cut '{}' at its median: no values",
                        c.name()
                    )));
                }
                present.sort_unstable_by(f64::total_cmp);
                let m = present.len();
                let med = if m % 2 == 1 {
                    present[m / 2]
                } else {
                    (present[m / 2 - 1] + present[m / 2]) / 2.0
                };
                warnings.push(format!(
                    "'{}' cut at its median, {}",
                    c.name(),
                    format_number(med)
                ));
                cuts.push(med);
            }
            cuts.sort_unstable_by(f64::total_cmp);
            cuts.dedup();
            let (Some(&lowest), Some(&highest)) = (cuts.first(), cuts.last()) else {
                return Err(PrepareError::spec(format!(
                    "no usable cut points for '{}'",
                    c.name()
                )));
            };
            let is_date = c.kind() == ColumnType::Date;
            let f = |x: f64| {
                if is_date {
                    format_date(x)
                } else {
                    format_number(x)
                }
            };
            levels = Vec::with_capacity(cuts.len() + 1);
            levels.push(format!("< {}", f(lowest)));
            for w in cuts.windows(2) {
                levels.push(format!("{} to < {}", f(w[0]), f(w[1])));
            }
            levels.push(format!("≥ {}", f(highest)));
            for (i, code) in codes.iter_mut().enumerate() {
                if let Some(&x) = vals.get(i).filter(|x| !x.is_nan()) {
                    *code = Some(cuts.partition_point(|&cp| cp <= x));
                }
            }
            return Ok((name, levels, codes));
        }
        ColumnType::Numeric | ColumnType::Date => {
            let vals = c.numbers().unwrap_or(&[]);
            let mut distinct: Vec<f64> = vals.iter().copied().filter(|x| !x.is_nan()).collect();
            distinct.sort_unstable_by(f64::total_cmp);
            distinct.dedup();
            if distinct.len() > 1000 {
                return Err(PrepareError::spec(format!(
                    "'{}' has {} distinct values: too many for groups; give cut points or cut at the median",
                    c.name(),
                    distinct.len()
                )));
            }
            let is_date = c.kind() == ColumnType::Date;
            levels = distinct
                .iter()
                .map(|&x| {
                    if is_date {
                        format_date(x)
                    } else {
                        format_number(x)
                    }
                })
                .collect();
            for (i, code) in codes.iter_mut().enumerate() {
                if let Some(&x) = vals.get(i).filter(|x| !x.is_nan()) {
                    *code = distinct.binary_search_by(|p| p.total_cmp(&x)).ok();
                }
            }
        }
        ColumnType::Categorical | ColumnType::Boolean => {
            let lv = c.levels().unwrap_or(&[]).to_vec();
            // Sorted order by default (as R's factor()), booleans FALSE before TRUE.
            let mut idx: Vec<usize> = (0..lv.len()).collect();
            if c.kind() == ColumnType::Categorical {
                idx.sort_by(|&a, &b| natural_cmp(&lv[a], &lv[b]));
            }
            let mut pos = vec![0usize; lv.len()];
            for (p, &k) in idx.iter().enumerate() {
                pos[k] = p;
            }
            levels = idx.iter().map(|&k| lv[k].clone()).collect();
            for (i, code) in codes.iter_mut().enumerate() {
                *code = c.level_code(i).and_then(|k| pos.get(k).copied());
            }
        }
    }
    // User's level order.
    if !v.levels.is_empty() {
        let mut new_order: Vec<usize> = Vec::new();
        for want in &v.levels {
            match levels
                .iter()
                .position(|l| l == want || l.eq_ignore_ascii_case(want.trim()))
            {
                Some(k) if !new_order.contains(&k) => new_order.push(k),
                Some(_) => {}
                None => warnings.push(format!("level '{want}' of '{}' does not occur", c.name())),
            }
        }
        for k in 0..levels.len() {
            if !new_order.contains(&k) {
                new_order.push(k);
            }
        }
        let mut pos = vec![0usize; levels.len()];
        for (p, &k) in new_order.iter().enumerate() {
            pos[k] = p;
        }
        levels = new_order.iter().map(|&k| levels[k].clone()).collect();
        for code in codes.iter_mut().flatten() {
            *code = pos[*code];
        }
    }
    Ok((name, levels, codes))
}

/// Compares strings so that "2" < "10" and case does not matter.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a
            .to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b)),
    }
}

fn reference_index(levels: &[String], v: &VariableSpec, warnings: &mut Vec<String>) -> usize {
    match &v.reference {
        Some(r) if !r.trim().is_empty() => match levels
            .iter()
            .position(|l| l == r || l.eq_ignore_ascii_case(r.trim()))
        {
            Some(k) => k,
            None => {
                warnings.push(format!(
                    "reference level '{r}' of '{}' does not occur: '{}' used instead",
                    v.column,
                    levels.first().map_or("", |s| s.as_str())
                ));
                0
            }
        },
        _ => 0,
    }
}

fn factor_for(
    table: &Table,
    v: &VariableSpec,
    role: &str,
    rows: &mut Rows,
    warnings: &mut Vec<String>,
) -> Result<FactorRaw, PrepareError> {
    let (name, mut levels, codes) = levels_of(table, v, role, rows, warnings)?;
    let column = table
        .column(&v.column)
        .map_or(v.column.clone(), |c| c.name().to_string());
    // Reference level first (Factor's contract: levels[0] is the reference).
    let r = reference_index(&levels, v, warnings);
    let remap = |k: usize| {
        if k == r {
            0
        } else if k < r {
            k + 1
        } else {
            k
        }
    };
    if r > 0 {
        let l = levels.remove(r);
        levels.insert(0, l);
    }
    let mut out = vec![0usize; codes.len()];
    for (i, code) in codes.iter().enumerate() {
        match code {
            Some(k) => out[i] = remap(*k),
            None => {
                let cell = table.column(&v.column).map(|c| c.cell(i));
                let why = match cell {
                    Some(Cell::Invalid(s)) => format!("unreadable {role} value '{s}'"),
                    _ => format!("missing {role}"),
                };
                rows.exclude(i, Some(&column), why);
            }
        }
    }
    Ok(FactorRaw {
        name,
        levels,
        codes: out,
    })
}

fn covariate_for(
    table: &Table,
    v: &VariableSpec,
    rows: &Rows,
    warnings: &mut Vec<String>,
) -> Result<(String, CovRaw), PrepareError> {
    let c = get(table, &v.column, "covariate")?;
    let numeric = matches!(c.kind(), ColumnType::Numeric | ColumnType::Date);
    let as_factor = !numeric
        || v.categorical
        || !v.levels.is_empty()
        || !v.cut_points.is_empty()
        || v.cut_at_median;
    if c.n_invalid() > 0 {
        warnings.push(format!(
            "{} unreadable value(s) in covariate '{}' treated as missing",
            c.n_invalid(),
            c.name()
        ));
    }
    if !as_factor {
        let name = v
            .label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| c.name().to_string());
        if c.kind() == ColumnType::Date {
            warnings.push(format!(
                "date covariate '{}' used as days since 1970-01-01",
                c.name()
            ));
        }
        let vals = c.numbers().unwrap_or(&[]);
        let v: Vec<Option<f64>> = (0..c.len())
            .map(|i| vals.get(i).copied().filter(|x| !x.is_nan()))
            .collect();
        return Ok((name, CovRaw::Numeric(v)));
    }
    let mut w = Vec::new();
    let (name, levels, codes) = levels_of(table, v, "covariate", rows, &mut w)?;
    warnings.extend(w);
    let reference = reference_index(&levels, v, warnings);
    Ok((
        name,
        CovRaw::Categorical {
            levels,
            reference,
            codes,
            ordinal: v.ordinal,
        },
    ))
}

fn apply_filter(table: &Table, f: &RowFilter, rows: &mut Rows) -> Result<(), PrepareError> {
    let c = get(table, &f.column, "filter")?;
    let label = format!("{} {} {}", c.name(), f.op.as_str(), f.value);
    let decimal = table.source().decimal as u8;
    let target: Option<f64> = match c.kind() {
        ColumnType::Numeric => Some(
            parse_number(f.value.trim(), decimal)
                .or_else(|| parse_number(f.value.trim(), b'.'))
                .ok_or_else(|| {
                    PrepareError::spec(format!("filter {label}: '{}' is not a number", f.value))
                })?,
        ),
        ColumnType::Date => Some(
            parse_date(&f.value)
                .and_then(|d| d.day_first.or(d.month_first))
                .ok_or_else(|| {
                    PrepareError::spec(format!("filter {label}: '{}' is not a date", f.value))
                })?,
        ),
        _ => {
            if !matches!(f.op, FilterOp::Eq | FilterOp::Ne) {
                return Err(PrepareError::spec(format!(
                    "filter {label}: '{}' holds text, which can only be compared with == or !=",
                    c.name()
                )));
            }
            None
        }
    };
    for i in 0..c.len() {
        let keep = match (c.cell(i), target) {
            (Cell::Number(x) | Cell::Date(x), Some(t)) => match f.op {
                FilterOp::Eq => x == t,
                FilterOp::Ne => x != t,
                FilterOp::Lt => x < t,
                FilterOp::Le => x <= t,
                FilterOp::Gt => x > t,
                FilterOp::Ge => x >= t,
            },
            (Cell::Text(_) | Cell::Bool(_), None) => {
                let eq = c.text(i).trim().eq_ignore_ascii_case(f.value.trim());
                if f.op == FilterOp::Eq {
                    eq
                } else {
                    !eq
                }
            }
            _ => false,
        };
        if !keep {
            rows.exclude(i, Some(c.name()), format!("left out by the filter {label}"));
        }
    }
    Ok(())
}
