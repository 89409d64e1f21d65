//! # survkit-data
//!
//! Turns file bytes (CSV/TSV/XLSX/XLS/ODS) into a typed [`Table`] and a table plus an
//! endpoint specification into analysis-ready numeric inputs ([`Prepared`]), listing
//! every row that cannot be used with its reason. No file system, threads or clock:
//! the same code runs natively and in a browser's Web Worker.
//!
//! ```
//! use survkit_data::{import, prepare, ImportOptions, PrepareSpec, EndpointSpec};
//! let csv = "patient;dx_date;last_date;vital\n1;12.03.2009;01.06.2010;Dead\n2;05.01.2010;30.11.2012;Alive\n";
//! let table = import(csv.as_bytes(), "clinic.csv", &ImportOptions::default()).unwrap();
//! let spec = PrepareSpec {
//!     endpoint: EndpointSpec {
//!         start_date: Some("dx_date".into()),
//!         end_date: Some("last_date".into()),
//!         event: "vital".into(),
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! };
//! let p = prepare(&table, &spec).unwrap();
//! assert_eq!(p.time, vec![446.0, 1060.0]);
//! assert_eq!(p.event_coding, "event = Dead (1 row); censored = Alive (1 row)");
//! ```
#![deny(missing_docs)]

mod cfb_check;
mod delimited;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod import;
mod options;
mod prepare;
pub mod prepared;
mod roles;
mod sheet;
mod spec;
mod summary;
mod table;
mod typing;
mod values;

pub use error::{ImportError, ImportErrorKind, PrepareError, PrepareErrorKind};
pub use import::{import, import_with_progress};
pub use options::{
    default_missing_tokens, ColumnType, DateOrder, ImportOptions, DEFAULT_MAX_BYTES,
};
pub use prepare::{prepare, unit_from_name, CENSOR_WORDS, EVENT_WORDS};
pub use prepared::{Covariate, CovariateValues, EventCode, Exclusion, Factor, Prepared};
pub use roles::{guess_roles, EndpointGuess, RoleGuess};
pub use spec::{
    EndpointSpec, EventMeaning, FilterOp, PrepareSpec, RowFilter, TimeUnit, VariableSpec,
};
pub use summary::{ColumnSummary, InvalidCell, LevelCount, PreviewRow, TableSummary};
pub use table::{Cell, CellState, Column, Format, SourceInfo, Table};
pub use values::{format_date, format_number};
