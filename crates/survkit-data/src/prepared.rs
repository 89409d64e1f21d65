//! Analysis-ready inputs for one endpoint: what `prepare` hands to the estimators.
//!
//! This is the contract between the importer and the estimators' orchestration in
//! `survkit-report`. Fields may be added; existing ones keep their meaning.

use serde::{Deserialize, Serialize};

/// A categorical variable coded as level indices (0-based into `levels`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Column name as the user sees it.
    pub name: String,
    /// Levels in the user's order; `levels[0]` is the reference unless stated otherwise.
    pub levels: Vec<String>,
    /// Level index of each kept row.
    pub codes: Vec<usize>,
}

/// Values of one candidate covariate for every kept row; missing values are allowed
/// here (complete-case selection happens per model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CovariateValues {
    /// A numeric covariate; `None` is missing.
    Numeric {
        /// One value per kept row.
        values: Vec<Option<f64>>,
    },
    /// A categorical covariate, dummy-coded against `reference` by the models.
    Categorical {
        /// Levels in the user's order.
        levels: Vec<String>,
        /// Index into `levels` of the reference level.
        reference: usize,
        /// Level index per kept row; `None` is missing.
        codes: Vec<Option<usize>>,
        /// Code as one numeric trend term (0, 1, 2, ... in level order) instead of dummies.
        ordinal: bool,
    },
}

/// One candidate covariate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Covariate {
    /// Column name (or the user's label).
    pub name: String,
    /// Its values.
    pub values: CovariateValues,
}

/// A row that was left out, with the reason, as the user can find it in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Row number as the user sees it in the spreadsheet (header is row 1 when present).
    pub row: usize,
    /// The column concerned, when one is.
    pub column: Option<String>,
    /// Why, in words: "missing time", "negative time (-3)", ...
    pub reason: String,
}

/// One value of the event column as prepared: what it means and how many analysed
/// rows hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCode {
    /// The value as written in the file (its first spelling).
    pub value: String,
    /// Other spellings read as the same value ("1.0" for "1", "DEAD" for "dead").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spellings: Vec<String>,
    /// Event or censored.
    pub meaning: crate::EventMeaning,
    /// Analysed rows holding it.
    pub count: usize,
}

/// Everything the estimators need for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Prepared {
    /// Endpoint name ("OS", "PFS", or the time column's name).
    pub endpoint: String,
    /// Unit of `time` in words: "days", "weeks", "months" or "years".
    pub time_unit: String,
    /// Spreadsheet row number of each kept row.
    pub rows: Vec<usize>,
    /// Follow-up time of each kept row, in `time_unit`.
    pub time: Vec<f64>,
    /// `true` = event, `false` = censored.
    pub status: Vec<bool>,
    /// Delayed-entry time (left truncation), when given.
    pub entry: Option<Vec<f64>>,
    /// Grouping variable for curves and tests, when given.
    pub group: Option<Factor>,
    /// Stratification variable for stratified tests and Cox models, when given.
    pub strata: Option<Factor>,
    /// Candidate covariates for Cox models (values may be missing).
    pub covariates: Vec<Covariate>,
    /// Case weights (Kaplan–Meier curves and Cox models), when given.
    pub weights: Option<Vec<f64>>,
    /// Cluster variable for robust (sandwich) standard errors, when given.
    pub cluster: Option<Factor>,
    /// Rows left out of every analysis of this endpoint, with the reason.
    pub excluded: Vec<Exclusion>,
    /// The event coding in words, e.g. "event = Dead (31 rows); censored = Alive (43 rows)".
    pub event_coding: String,
    /// The same as rows, for programs (the page's coding editor): each value of the
    /// event column used, with its meaning and its number of rows.
    #[serde(default)]
    pub event_codes: Vec<EventCode>,
    /// Caveats found while preparing (zero times kept, durations derived from dates, ...).
    pub warnings: Vec<String>,
}
