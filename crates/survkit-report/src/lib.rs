//! # survkit-report
//!
//! Runs a [`Spec`] on an imported table into a versioned [`Report`], and renders it:
//! formatted [`tables`], SVG/PDF [`figures`], the methods paragraph ([`text`]). The
//! page (through `survkit-wasm`) and the CLI call the same functions here, so they
//! show the same numbers.
//!
//! ```
//! use survkit_report::{analyze_bytes, Spec};
//! let csv = "time,status,arm\n5,1,A\n8,0,A\n12,1,A\n3,1,B\n9,1,B\n14,0,B\n";
//! let spec = Spec::from_json(r#"{"endpoints": [{"time": "time", "event": "status"}],
//!                                "group": {"column": "arm"}}"#).unwrap();
//! let report = analyze_bytes(csv.as_bytes(), "trial.csv", &spec).unwrap();
//! assert_eq!(report.endpoints[0].n, 6);
//! ```
#![deny(missing_docs)]

pub mod analysis;
pub mod error;
pub mod figure;
pub mod figures;
pub mod rscript;
pub mod run;
pub mod spec;
pub mod tables;
pub mod text;
pub mod warning;

pub use analysis::cox::{self, design};
pub use analysis::survival;
pub use error::{RunError, RunErrorKind};
pub use rscript::r_script;
pub use run::{analyze_bytes, load, run, EndpointReport, Report};
pub use spec::{presets, Preset, Spec, SCHEMA_VERSION};
pub use tables::{tables, TableOut};
pub use warning::Warning;
