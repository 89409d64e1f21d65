//! # survkit-report
//!
//! Runs a [`Spec`](spec) on an imported table into a versioned Report, and renders it
//! (SVG figures, text). The page (through `survkit-wasm`) and the CLI call the same
//! functions here, so they show the same numbers.
#![deny(missing_docs)]
