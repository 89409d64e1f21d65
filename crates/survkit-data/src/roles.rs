//! First guesses of which columns play which role, from names and content, so the
//! page can pre-fill its pickers. Only a starting point: the user confirms.

use serde::Serialize;

use crate::options::ColumnType;
use crate::prepare::unit_from_name;
use crate::spec::TimeUnit;
use crate::table::{Column, Table};

/// A guessed endpoint (time column with its event column).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointGuess {
    /// "OS", "PFS", ... or the time column's name.
    pub name: String,
    /// Duration column.
    pub time: String,
    /// Event column, when one matches.
    pub event: Option<String>,
    /// Unit suggested by the time column's name.
    pub time_unit: Option<TimeUnit>,
}

/// Best first guesses for each role; `None` when nothing fits.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct RoleGuess {
    /// Duration column.
    pub time: Option<String>,
    /// Event indicator column.
    pub event: Option<String>,
    /// Unit suggested by the time column's name.
    pub time_unit: Option<TimeUnit>,
    /// Start-date column (diagnosis, randomisation, ...).
    pub start_date: Option<String>,
    /// End-date column(s) (event or last-contact date), in the order to try them.
    pub end_dates: Vec<String>,
    /// Grouping column (treatment arm, ...).
    pub group: Option<String>,
    /// All endpoints recognised (e.g. OS and PFS side by side).
    pub endpoints: Vec<EndpointGuess>,
}

fn tokens(name: &str) -> Vec<String> {
    // Split on non-alphanumerics and on lower→upper case changes ("osMonths").
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const ENDPOINTS: [&str; 9] = ["os", "pfs", "dfs", "efs", "rfs", "ttp", "css", "dss", "mfs"];

fn score_time(c: &Column) -> i32 {
    if c.kind() != ColumnType::Numeric {
        return 0;
    }
    let nums = c.numbers().unwrap_or(&[]);
    if nums.iter().any(|x| *x < 0.0) {
        return 0;
    }
    let t = tokens(c.name());
    let lname = c.name().to_lowercase();
    let mut s = 0;
    for w in &t {
        s += match w.as_str() {
            "time" | "futime" | "stime" | "survtime" | "fu" | "followup" | "duration" => 5,
            "months" | "month" | "days" | "day" | "weeks" | "years" | "mo" | "mos" => 4,
            "os" | "pfs" | "dfs" | "efs" | "rfs" | "ttp" | "survival" | "follow" => 3,
            _ => 0,
        };
    }
    if lname.contains("time") || lname.contains("month") || lname.contains("surv") {
        s += 2;
    }
    // Durations take many distinct values.
    let mut distinct: Vec<f64> = nums
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .take(500)
        .collect();
    distinct.sort_unstable_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() <= 3 {
        s -= 10;
    }
    s
}

fn event_like(c: &Column) -> bool {
    match c.kind() {
        ColumnType::Boolean => true,
        ColumnType::Categorical => c.levels().is_some_and(|l| (1..=3).contains(&l.len())),
        ColumnType::Numeric => {
            let nums = c.numbers().unwrap_or(&[]);
            nums.iter()
                .all(|x| x.is_nan() || *x == 0.0 || *x == 1.0 || *x == 2.0)
        }
        ColumnType::Date => false,
    }
}

fn score_event(c: &Column) -> i32 {
    if !event_like(c) {
        return 0;
    }
    let mut s = 0;
    for w in tokens(c.name()) {
        s += match w.as_str() {
            "status" | "event" | "fustat" | "censor" | "cens" | "censored" | "vital" | "dead"
            | "death" | "died" | "deceased" | "delta" | "evt" => 5,
            "os" | "pfs" | "dfs" | "efs" | "rfs" | "progression" | "relapse" | "recurrence" => 2,
            _ => 0,
        };
    }
    s
}

fn date_score(c: &Column, words: &[&str]) -> i32 {
    if c.kind() != ColumnType::Date {
        return 0;
    }
    let l = c.name().to_lowercase();
    words.iter().filter(|w| l.contains(*w)).count() as i32 * 3 + 1
}

fn score_group(c: &Column) -> i32 {
    let n_levels = match c.kind() {
        ColumnType::Categorical | ColumnType::Boolean => c.levels().map_or(0, |l| l.len()),
        _ => return 0,
    };
    if !(2..=6).contains(&n_levels) {
        return 0;
    }
    let mut s = 1;
    for w in tokens(c.name()) {
        s += match w.as_str() {
            "arm" | "group" | "grp" | "treatment" | "trt" | "rx" | "treat" | "randomisation"
            | "randomization" | "cohort" => 6,
            "sex" | "gender" | "stage" | "grade" => 2,
            _ => 0,
        };
    }
    s
}

fn best<'t>(table: &'t Table, f: impl Fn(&Column) -> i32, exclude: &[&str]) -> Option<&'t str> {
    table
        .columns()
        .iter()
        .filter(|c| !exclude.contains(&c.name()))
        .map(|c| (f(c), c.name()))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, n)| n)
}

/// Guesses the time, event, date and group columns from their names and content.
///
/// ```
/// use survkit_data::{import, guess_roles, ImportOptions};
/// let t = import(b"id,os_months,os_status,arm\n1,5.2,1,A\n2,8.1,0,B\n3,3.3,1,A\n4,9.9,0,B\n", "x.csv", &ImportOptions::default()).unwrap();
/// let g = guess_roles(&t);
/// assert_eq!(g.time.as_deref(), Some("os_months"));
/// assert_eq!(g.event.as_deref(), Some("os_status"));
/// assert_eq!(g.group.as_deref(), Some("arm"));
/// ```
pub fn guess_roles(table: &Table) -> RoleGuess {
    let mut g = RoleGuess::default();
    // Endpoints named by a prefix (os_months + os_status, PFS + PFS_event).
    for ep in ENDPOINTS {
        let has = |c: &Column| tokens(c.name()).iter().any(|t| t == ep);
        let time = table
            .columns()
            .iter()
            .filter(|c| has(c))
            .map(|c| (score_time(c), c))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, _)| *s);
        if let Some((_, tc)) = time {
            let event = table
                .columns()
                .iter()
                .filter(|c| has(c) && c.name() != tc.name())
                .map(|c| (score_event(c), c))
                .filter(|(s, _)| *s > 0)
                .max_by_key(|(s, _)| *s)
                .map(|(_, c)| c.name().to_string());
            g.endpoints.push(EndpointGuess {
                name: ep.to_uppercase(),
                time: tc.name().to_string(),
                event,
                time_unit: unit_from_name(tc.name()),
            });
        }
    }
    if let Some(first) = g
        .endpoints
        .iter()
        .find(|e| e.event.is_some())
        .or(g.endpoints.first())
    {
        g.time = Some(first.time.clone());
        g.event = first.event.clone();
    }
    if g.time.is_none() {
        g.time = best(table, score_time, &[]).map(str::to_string);
    }
    if g.event.is_none() {
        let ex: Vec<&str> = g.time.iter().map(|s| s.as_str()).collect();
        g.event = best(table, score_event, &ex).map(str::to_string);
    }
    if let Some(t) = &g.time {
        g.time_unit = table.column(t).and_then(|c| unit_from_name(c.name()));
        if g.endpoints.is_empty() {
            g.endpoints.push(EndpointGuess {
                name: t.clone(),
                time: t.clone(),
                event: g.event.clone(),
                time_unit: g.time_unit,
            });
        }
    }
    let start_words = [
        "diag", "dx", "start", "entry", "random", "enrol", "surg", "treat", "baseline", "inclu",
        "birth",
    ];
    g.start_date = best(table, |c| date_score(c, &start_words), &[]).map(str::to_string);
    if g.start_date.is_some() {
        let end_words = [
            "death", "dod", "event", "progress", "relapse", "last", "contact", "censor", "fu",
            "follow", "end", "exit",
        ];
        let mut ends: Vec<(i32, bool, String)> = table
            .columns()
            .iter()
            .filter(|c| Some(c.name()) != g.start_date.as_deref() && c.kind() == ColumnType::Date)
            .map(|c| {
                let l = c.name().to_lowercase();
                let is_event = ["death", "dod", "event", "progress", "relapse"]
                    .iter()
                    .any(|w| l.contains(w));
                (date_score(c, &end_words), is_event, c.name().to_string())
            })
            .filter(|(s, _, _)| *s > 1)
            .collect();
        // Event dates before last-contact dates.
        ends.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        g.end_dates = ends.into_iter().map(|e| e.2).collect();
    }
    let mut taken: Vec<&str> = Vec::new();
    if let Some(e) = &g.event {
        taken.push(e);
    }
    for e in &g.endpoints {
        if let Some(ev) = &e.event {
            taken.push(ev);
        }
    }
    g.group = best(table, score_group, &taken).map(str::to_string);
    g
}
