//! # survkit-data
//!
//! Turns file bytes (CSV/TSV/XLSX/XLS/ODS) into a typed [`Table`] and a table plus an
//! endpoint specification into analysis-ready numeric inputs, listing every row that
//! cannot be used with its reason.
#![deny(missing_docs)]

pub mod prepared;

pub use prepared::{Covariate, CovariateValues, Exclusion, Factor, Prepared};
