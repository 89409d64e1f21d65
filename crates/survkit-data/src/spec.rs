//! The Spec pieces the user chooses: which columns make an endpoint, how the event is
//! coded, which variables group, stratify or adjust. Serialised as JSON by the page
//! and the CLI; every field not given has a documented default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A unit of follow-up time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks (7 days).
    Weeks,
    /// Months of 30.4375 days (365.25 / 12).
    Months,
    /// Years of 365.25 days.
    Years,
}

impl TimeUnit {
    /// Length of the unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
            TimeUnit::Months => 30.4375,
            TimeUnit::Years => 365.25,
        }
    }
    /// The unit in words, plural.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
            TimeUnit::Months => "months",
            TimeUnit::Years => "years",
        }
    }
    /// The unit with its length, for methods text: "months (30.4375 days)".
    pub fn describe(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks (7 days)",
            TimeUnit::Months => "months (30.4375 days)",
            TimeUnit::Years => "years (365.25 days)",
        }
    }
}

/// What a value of the event column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventMeaning {
    /// The event happened (death, progression, ...).
    Event,
    /// Censored: event-free at the last contact.
    Censored,
    /// Leave the row out (listed in the exclusions).
    Exclude,
}

/// One survival endpoint: either a duration column (`time`) plus an event column, or
/// a start-date column plus end-date column(s) plus an event column.
///
/// ```
/// let spec: survkit_data::EndpointSpec = serde_json::from_str(
///     r#"{"name": "OS", "time": "os_months", "event": "status", "time_unit": "months"}"#,
/// ).unwrap();
/// assert_eq!(spec.event, "status");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EndpointSpec {
    /// Name shown in the output ("OS", "PFS"); the time column's name when empty.
    pub name: String,
    /// Column holding the follow-up duration. Leave out to use dates.
    pub time: Option<String>,
    /// Column holding the event indicator.
    pub event: String,
    /// Values of the event column that mean "event"; all other non-missing values mean
    /// censored (the CLI's `--event-value`). Compared without regard to case; numbers
    /// compare by value ("1" matches 1.0).
    pub event_values: Option<Vec<String>>,
    /// Explicit meaning of each value of the event column. Values not listed make the
    /// row excluded ("event value not mapped"), unless `event_values` is also given.
    pub event_map: BTreeMap<String, EventMeaning>,
    /// Column with the start date (diagnosis, randomisation) when durations come from
    /// dates.
    pub start_date: Option<String>,
    /// Column with the end date (event or last contact).
    pub end_date: Option<String>,
    /// More end-date columns, tried in order after `end_date` when it is missing: list
    /// the event date first and the last-contact date after it.
    pub end_dates: Vec<String>,
    /// Unit of the `time` column; when absent it is guessed from the column's name
    /// (e.g. "os_months") or left as given.
    pub time_unit: Option<TimeUnit>,
    /// Unit of the output times; defaults to `time_unit` (days for date differences).
    pub output_unit: Option<TimeUnit>,
    /// Column with the delayed-entry (left-truncation) time, in the same unit as `time`.
    pub entry: Option<String>,
}

/// A grouping variable, stratification variable or covariate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VariableSpec {
    /// The column.
    pub column: String,
    /// Name shown in the output; the column name when absent.
    pub label: Option<String>,
    /// Levels in the order wanted (levels not listed follow in sorted order).
    pub levels: Vec<String>,
    /// The reference level; the first level when absent.
    pub reference: Option<String>,
    /// Cut a numeric column into intervals [c_i, c_{i+1}) at these points.
    pub cut_points: Vec<f64>,
    /// Cut a numeric column at its median (below / at or above).
    pub cut_at_median: bool,
    /// Use the level order as one numeric trend term (covariates only).
    pub ordinal: bool,
    /// Treat a numeric column as categorical (e.g. grade 1/2/3).
    pub categorical: bool,
}

/// Comparison of a [`RowFilter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FilterOp {
    /// Equal.
    #[serde(rename = "==")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=")]
    Ne,
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal.
    #[serde(rename = "<=")]
    Le,
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal.
    #[serde(rename = ">=")]
    Ge,
}

impl FilterOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Eq => "==",
            FilterOp::Ne => "!=",
            FilterOp::Lt => "<",
            FilterOp::Le => "<=",
            FilterOp::Gt => ">",
            FilterOp::Ge => ">=",
        }
    }
}

/// Keep only rows where `column op value` holds (e.g. `grade != 3`). Rows with a
/// missing value in `column` are left out. Numbers and dates compare by value, text
/// without regard to case (only `==` and `!=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowFilter {
    /// The column.
    pub column: String,
    /// The comparison.
    pub op: FilterOp,
    /// The value compared with, as text.
    pub value: String,
}

/// Everything needed to prepare one endpoint's analysis data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrepareSpec {
    /// The endpoint.
    pub endpoint: EndpointSpec,
    /// Grouping variable for curves and tests; rows with a missing group are excluded.
    pub group: Option<VariableSpec>,
    /// Stratification variable; rows with a missing stratum are excluded.
    pub strata: Option<VariableSpec>,
    /// Candidate covariates; missing values are kept (complete cases are chosen per model).
    pub covariates: Vec<VariableSpec>,
    /// Column of case weights (non-negative numbers).
    pub weights: Option<String>,
    /// Column identifying clusters for robust standard errors.
    pub cluster: Option<String>,
    /// Keep only rows meeting these conditions (all of them).
    pub filter: Vec<RowFilter>,
}
