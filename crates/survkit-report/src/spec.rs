//! The Spec: everything the user chose, as one versioned JSON document.
//!
//! The page's state *is* a Spec and the CLI builds the same Spec from its flags, so
//! saving a Spec next to the data reproduces an analysis exactly. A Spec never holds
//! data, only column names and options.

use serde::{Deserialize, Serialize};
use survkit_data::{
    guess_roles, EndpointSpec, ImportOptions, PrepareSpec, RowFilter, Table, VariableSpec,
};

use crate::cox::CoxOptions;
use crate::error::{RunError, RunErrorKind};
use crate::survival::SurvivalOptions;

/// Version of the Spec and Report JSON layouts (`schema_version`). Bumped on any
/// change that could make an older reader misread a document.
pub const SCHEMA_VERSION: u32 = 1;

/// What to analyse and how. Every field has a default (R's conventions), so `{}` plus
/// an endpoint is a valid Spec.
///
/// ```
/// let spec: survkit_report::Spec = serde_json::from_str(r#"{
///   "endpoints": [{"name": "OS", "time": "time", "event": "status"}],
///   "group": {"column": "sex"},
///   "survival": {"conf_type": "log-log", "times": [365]}
/// }"#).unwrap();
/// assert_eq!(spec.endpoints[0].event, "status");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Spec {
    /// Layout version; documents from a newer survkit are refused with a clear error.
    pub schema_version: u32,
    /// How to read the file (delimiter, encoding, sheet, missing-value marks, ...).
    pub import: ImportOptions,
    /// One or more endpoints (e.g. OS and PFS), each analysed the same way.
    pub endpoints: Vec<EndpointSpec>,
    /// Grouping variable for curves and tests.
    pub group: Option<VariableSpec>,
    /// Stratification variable for stratified tests and Cox models.
    pub strata: Option<VariableSpec>,
    /// Candidate covariates for Cox models, with their coding.
    pub covariates: Vec<VariableSpec>,
    /// Column of case weights (Kaplan–Meier curves and Cox models; tests without a
    /// weighted form say so in a warning).
    pub weights: Option<String>,
    /// Column identifying clusters for robust standard errors (Cox).
    pub cluster: Option<String>,
    /// Keep only rows meeting all of these conditions.
    pub filter: Vec<RowFilter>,
    /// Kaplan–Meier, follow-up and test options.
    pub survival: SurvivalOptions,
    /// Cox model options.
    pub cox: CoxOptions,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            schema_version: SCHEMA_VERSION,
            import: ImportOptions::default(),
            endpoints: Vec::new(),
            group: None,
            strata: None,
            covariates: Vec::new(),
            weights: None,
            cluster: None,
            filter: Vec::new(),
            survival: SurvivalOptions::default(),
            cox: CoxOptions::default(),
        }
    }
}

impl Spec {
    /// A first Spec for a freshly loaded table, from the importer's guesses of the
    /// roles (time/event columns, dates, group). The user confirms or changes it.
    pub fn guess(table: &Table, import: &ImportOptions) -> Spec {
        let roles = guess_roles(table);
        let mut endpoints: Vec<EndpointSpec> = roles
            .endpoints
            .iter()
            .filter_map(|e| {
                Some(EndpointSpec {
                    name: e.name.clone(),
                    time: Some(e.time.clone()),
                    event: e.event.clone()?,
                    time_unit: e.time_unit,
                    ..Default::default()
                })
            })
            .collect();
        if endpoints.is_empty() {
            if let Some(event) = roles.event.clone() {
                if let Some(time) = roles.time.clone() {
                    endpoints.push(EndpointSpec {
                        time: Some(time),
                        event,
                        time_unit: roles.time_unit,
                        ..Default::default()
                    });
                } else if let (Some(start), Some(end)) =
                    (roles.start_date.clone(), roles.end_dates.first().cloned())
                {
                    endpoints.push(EndpointSpec {
                        start_date: Some(start),
                        end_date: Some(end),
                        end_dates: roles.end_dates[1..].to_vec(),
                        event,
                        ..Default::default()
                    });
                }
            }
        }
        Spec {
            import: import.clone(),
            endpoints,
            group: roles.group.map(|column| VariableSpec {
                column,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// The importer's part of the Spec for endpoint `i`.
    pub fn prepare_spec(&self, i: usize) -> PrepareSpec {
        PrepareSpec {
            endpoint: self.endpoints[i].clone(),
            group: self.group.clone(),
            strata: self.strata.clone(),
            covariates: self.covariates.clone(),
            weights: self.weights.clone(),
            cluster: self.cluster.clone(),
            filter: self.filter.clone(),
        }
    }

    /// Parses a Spec from JSON, with errors that say what is wrong and where.
    ///
    /// # Errors
    /// Invalid JSON, unknown fields (usually a typo), wrong types, or a Spec written by
    /// a newer survkit.
    pub fn from_json(json: &str) -> Result<Spec, RunError> {
        let spec: Spec = serde_json::from_str(json).map_err(|e| {
            RunError::new(RunErrorKind::Spec, format!("the analysis settings (Spec) could not be read: {e}. Check the spelling of the field named there."))
        })?;
        if spec.schema_version > SCHEMA_VERSION {
            return Err(RunError::new(RunErrorKind::Spec, format!(
                "these settings were saved by a newer survkit (schema_version {}; this one reads up to {}). Update survkit.",
                spec.schema_version, SCHEMA_VERSION
            )));
        }
        Ok(spec)
    }
}

/// A named set of conventions: "Match R / SAS / Stata / Prism / lifelines".
#[derive(Debug, Clone, Serialize)]
pub struct Preset {
    /// Short id: `r`, `sas`, `stata`, `prism`, `lifelines`.
    pub id: &'static str,
    /// Name for the picker.
    pub name: &'static str,
    /// The Spec fields the preset sets (merged into the current Spec).
    pub spec: serde_json::Value,
    /// What it sets, in words.
    pub description: &'static str,
}

/// The convention presets. Each sets the KM confidence-interval transform and the Cox
/// tie method; everything else keeps R's behaviour, which the Report states.
pub fn presets() -> Vec<Preset> {
    use serde_json::json;
    // Survival asked for after the last observed time: R carries the last value, SAS
    // calls it not estimable; the others are set as R.
    let p = |id, name, conf: &str, ties: &str, description| Preset {
        id,
        name,
        spec: json!({
            "survival": {
                "conf_type": conf,
                "beyond_follow_up": if id == "sas" { "not-estimable" } else { "carry" }
            },
            "cox": { "ties": ties }
        }),
        description,
    };
    vec![
        p(
            "r",
            "R (survival)",
            "log",
            "efron",
            "log-transformed CIs, Efron ties (R survival defaults)",
        ),
        p(
            "sas",
            "SAS (PROC LIFETEST/PHREG)",
            "log-log",
            "breslow",
            "log-log CIs (CONFTYPE=LOGLOG), Breslow ties (PHREG default), survival after the last observed time not estimable",
        ),
        p(
            "stata",
            "Stata (sts, stcox)",
            "log-log",
            "breslow",
            "log-log CIs, Breslow ties (stcox default)",
        ),
        p(
            "prism",
            "GraphPad Prism",
            "log-log",
            "efron",
            "asymmetric (log-log) CIs; Cox with Efron ties (Prism defaults to the exact partial likelihood, which survkit does not implement; Efron is the closest)",
        ),
        p(
            "lifelines",
            "lifelines (Python)",
            "log-log",
            "efron",
            "log-log CIs (exponential Greenwood), Efron ties",
        ),
    ]
}
