//! # survkit-report
//!
//! Runs a Spec on an imported table into a versioned Report, and renders it (SVG
//! figures, text). The page (through `survkit-wasm`) and the CLI call the same
//! functions here, so they show the same numbers.
#![deny(missing_docs)]

pub mod cox;
pub mod figure;
pub mod survival;
pub mod warning;

pub use warning::Warning;
