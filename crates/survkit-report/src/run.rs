//! Runs a Spec on a Table into a Report: the one path used by the page and the CLI.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use survkit_data::{import, prepare, EventCode, Exclusion, ImportOptions, SourceInfo, Table};

use crate::cox::{cox_section, CoxSection};
use crate::spec::{Spec, SCHEMA_VERSION};
use crate::survival::{survival_section, SurvivalSection};
use crate::text;
use crate::Warning;

pub use crate::error::{RunError, RunErrorKind};

/// The conventions that produced the numbers, so that readers can match other tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conventions {
    /// Kaplan–Meier confidence-interval transform: `log`, `log-log` or `plain`.
    pub km_conf_type: String,
    /// Confidence level of every interval.
    pub conf_level: f64,
    /// Variance of the KM estimate.
    pub km_variance: String,
    /// How medians and quantiles are read off the curve.
    pub median_rule: String,
    /// Median follow-up method.
    pub followup: String,
    /// Tie handling in Cox models: `efron` or `breslow`.
    pub cox_ties: String,
    /// Length of a month and a year in days.
    pub month_days: f64,
    /// Length of a year in days.
    pub year_days: f64,
}

/// One endpoint's results. Serialised flat: `name`, `time_unit`, `n`, `events`,
/// `event_coding`, `excluded`, then the survival section (`km`, `followup`, `tests`,
/// ...), then the Cox section (`cox`, `univariable`, ...), with `warnings` from all
/// parts in one list (read back, that list is `warnings` and the sections' own lists
/// are empty: use [`EndpointReport::all_warnings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointReport {
    /// Endpoint name.
    pub name: String,
    /// Unit of every time in this endpoint.
    pub time_unit: String,
    /// Rows analysed.
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// The event coding in words.
    pub event_coding: String,
    /// The event coding as rows (value, meaning, count), for the page's coding editor.
    pub event_codes: Vec<EventCode>,
    /// Rows left out of this endpoint, with reasons.
    pub excluded: Vec<Exclusion>,
    /// Kaplan–Meier, follow-up and tests.
    pub survival: SurvivalSection,
    /// Cox models (empty when no covariate was chosen).
    pub cox: CoxSection,
    /// Caveats from preparing the data.
    pub warnings: Vec<Warning>,
    /// Methods paragraph and results sentence generated from the numbers.
    pub methods: String,
}

impl Serialize for EndpointReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let to = |v: &dyn erased::Ser| v.value().map_err(S::Error::custom);
        let mut warnings = to(&self.warnings)?;
        let mut parts = Vec::new();
        for part in [to(&self.survival)?, to(&self.cox)?] {
            if let Value::Object(obj) = part {
                for (k, v) in obj {
                    if k == "warnings" {
                        if let (Value::Array(all), Value::Array(more)) = (&mut warnings, v) {
                            all.extend(more);
                        }
                    } else {
                        parts.push((k, v));
                    }
                }
            }
        }
        // Keys in a fixed, readable order: identity and counts first, then the
        // sections, then all warnings together and the methods text.
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry("time_unit", &self.time_unit)?;
        m.serialize_entry("n", &self.n)?;
        m.serialize_entry("events", &self.events)?;
        m.serialize_entry("event_coding", &self.event_coding)?;
        m.serialize_entry("event_codes", &self.event_codes)?;
        m.serialize_entry("excluded", &self.excluded)?;
        for (k, v) in &parts {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("warnings", &warnings)?;
        m.serialize_entry("methods", &self.methods)?;
        m.end()
    }
}

impl EndpointReport {
    /// Every warning of the endpoint, in the order of the Report JSON: data, survival,
    /// Cox.
    pub fn all_warnings(&self) -> impl Iterator<Item = &Warning> {
        self.warnings
            .iter()
            .chain(&self.survival.warnings)
            .chain(&self.cox.warnings)
    }
}

impl<'de> Deserialize<'de> for EndpointReport {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut m = serde_json::Map::<String, Value>::deserialize(d)?;
        fn field<T: serde::de::DeserializeOwned, E: Error>(
            m: &mut serde_json::Map<String, Value>,
            k: &str,
        ) -> Result<T, E> {
            let v = m
                .remove(k)
                .ok_or_else(|| E::custom(format!("endpoint: missing field `{k}`")))?;
            serde_json::from_value(v).map_err(|e| E::custom(format!("endpoint `{k}`: {e}")))
        }
        let name = field(&mut m, "name")?;
        let time_unit = field(&mut m, "time_unit")?;
        let n = field(&mut m, "n")?;
        let events = field(&mut m, "events")?;
        let event_coding = field(&mut m, "event_coding")?;
        // Absent from Reports written before it existed.
        let event_codes = match m.contains_key("event_codes") {
            true => field(&mut m, "event_codes")?,
            false => Vec::new(),
        };
        let excluded = field(&mut m, "excluded")?;
        let warnings = field(&mut m, "warnings")?;
        let methods = field(&mut m, "methods")?;
        // The sections' fields are flattened in; their warnings are in `warnings`.
        m.insert("warnings".into(), Value::Array(Vec::new()));
        let obj = Value::Object(m);
        let survival = SurvivalSection::deserialize(&obj)
            .map_err(|e| D::Error::custom(format!("endpoint survival section: {e}")))?;
        let cox = CoxSection::deserialize(&obj)
            .map_err(|e| D::Error::custom(format!("endpoint Cox section: {e}")))?;
        Ok(EndpointReport {
            name,
            time_unit,
            n,
            events,
            event_coding,
            event_codes,
            excluded,
            survival,
            cox,
            warnings,
            methods,
        })
    }
}

mod erased {
    //! Serialise any `Serialize` to a `serde_json::Value` behind a trait object.
    pub trait Ser {
        fn value(&self) -> Result<serde_json::Value, serde_json::Error>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
            serde_json::to_value(self)
        }
    }
}

/// Everything computed for one Spec on one file. JSON layout documented in
/// `docs/report.md`; `schema_version` changes when it does. Read a saved Report back
/// with [`Report::from_json`] (once), then render it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Layout version.
    pub schema_version: u32,
    /// The survkit version that computed it.
    pub survkit_version: String,
    /// How the file was read.
    pub input: SourceInfo,
    /// Data rows in the file.
    pub n_rows: usize,
    /// The conventions behind the numbers.
    pub conventions: Conventions,
    /// The same, in one sentence.
    pub conventions_text: String,
    /// One entry per endpoint of the Spec.
    pub endpoints: Vec<EndpointReport>,
    /// Caveats that concern the whole analysis.
    pub warnings: Vec<Warning>,
    /// The Spec that produced this Report (never any data).
    pub spec: Spec,
}

impl Report {
    /// Parses a Report's JSON (as written by `survkit analyze --json` or the page). With
    /// the `exact-floats` feature (the CLI's) every number is the very double written;
    /// without it serde_json's fast parser may differ in the last bit.
    ///
    /// # Errors
    /// Not a Report of this survkit's layout.
    pub fn from_json(json: &str) -> Result<Report, RunError> {
        serde_json::from_str(json).map_err(|e| {
            RunError::new(
                RunErrorKind::Report,
                format!("this file could not be read as a survkit Report: {e}"),
            )
        })
    }
}

/// Reads `bytes` with the Spec's import options and runs it: what the CLI and the
/// page's one-shot `analyze` do.
///
/// # Errors
/// The file cannot be read as a table, or the Spec cannot be applied to it.
pub fn analyze_bytes(bytes: &[u8], file_name: &str, spec: &Spec) -> Result<Report, RunError> {
    let table = import(bytes, file_name, &spec.import).map_err(|e| RunError::import(&e))?;
    run(&table, spec)
}

/// Imports a file with default or given options (for callers that keep the Table).
///
/// # Errors
/// The file cannot be read as a table.
pub fn load(bytes: &[u8], file_name: &str, opts: &ImportOptions) -> Result<Table, RunError> {
    import(bytes, file_name, opts).map_err(|e| RunError::import(&e))
}

/// Runs the Spec on an imported table.
///
/// # Errors
/// No endpoint is given, a named column does not exist, the event coding cannot be
/// read, or no row is usable. Statistical caveats are warnings in the Report instead.
pub fn run(table: &Table, spec: &Spec) -> Result<Report, RunError> {
    if spec.endpoints.is_empty() {
        return Err(RunError::new(
            RunErrorKind::NoEndpoint,
            "no endpoint chosen: pick the time column and the event column (or a start date, an end date and the event column).",
        ));
    }
    let mut cox_opts = spec.cox.clone();
    if cox_opts.covariates.is_empty() && cox_opts.univariable.is_empty() {
        // Covariates chosen but no model said: screen each, then fit them together.
        let names: Vec<String> = spec
            .covariates
            .iter()
            .map(|v| v.label.clone().unwrap_or_else(|| v.column.clone()))
            .collect();
        cox_opts.univariable = names.clone();
        cox_opts.covariates = names;
    }
    let mut endpoints = Vec::with_capacity(spec.endpoints.len());
    for i in 0..spec.endpoints.len() {
        let p = prepare(table, &spec.prepare_spec(i)).map_err(|e| {
            let name = &spec.endpoints[i].name;
            let message = if spec.endpoints.len() > 1 && !name.is_empty() {
                format!("endpoint {name}: {e}")
            } else {
                e.to_string()
            };
            RunError::prepare(&e, i, message)
        })?;
        let survival = survival_section(&p, &spec.survival).map_err(|e| {
            RunError::new(
                RunErrorKind::Estimation {
                    endpoint: i,
                    analysis: "survival".into(),
                },
                format!(
                    "{}: the survival estimates could not be computed: {e}",
                    p.endpoint
                ),
            )
        })?;
        let cox = if cox_opts.covariates.is_empty() && cox_opts.univariable.is_empty() {
            CoxSection::default()
        } else {
            cox_section(&p, &cox_opts).map_err(|e| {
                RunError::new(
                    RunErrorKind::Estimation {
                        endpoint: i,
                        analysis: "cox".into(),
                    },
                    format!("{}: the Cox model could not be computed: {e}", p.endpoint),
                )
            })?
        };
        let events = p.status.iter().filter(|&&s| s).count();
        let mut ep = EndpointReport {
            name: p.endpoint.clone(),
            time_unit: p.time_unit.clone(),
            n: p.time.len(),
            events,
            event_coding: p.event_coding.clone(),
            event_codes: p.event_codes.clone(),
            excluded: p.excluded.clone(),
            survival,
            cox,
            warnings: p
                .warnings
                .iter()
                .map(|w| Warning::new("data", w.clone(), Some("data".into())))
                .collect(),
            methods: String::new(),
        };
        ep.methods = text::methods(&ep, spec);
        endpoints.push(ep);
    }
    let conventions = Conventions {
        km_conf_type: serde_json::to_value(spec.survival.km.conf_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        conf_level: spec.survival.km.conf_level,
        // With case weights, survfit's default (kept here) is the robust variance when
        // a weight is not an integer.
        km_variance: if endpoints
            .iter()
            .any(|e| e.survival.km.iter().any(|k| k.fit.robust_variance))
        {
            "Greenwood; robust (infinitesimal jackknife) for the curves with non-integer case weights".into()
        } else {
            "Greenwood".into()
        },
        median_rule: "R survival: the first time S(t) <= p; the midpoint where S(t) equals p over an interval; CI limits where the confidence band crosses p, missing where it never does".into(),
        followup: "reverse Kaplan–Meier (Schemper & Smith 1996)".into(),
        cox_ties: serde_json::to_value(cox_opts.ties)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        month_days: 30.4375,
        year_days: 365.25,
    };
    let conventions_text = text::conventions(&conventions);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        survkit_version: env!("CARGO_PKG_VERSION").to_string(),
        input: table.source().clone(),
        n_rows: table.n_rows(),
        conventions,
        conventions_text,
        endpoints,
        warnings: Vec::new(),
        spec: spec.clone(),
    })
}
