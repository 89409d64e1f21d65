//! One folder per analysis. Each owns its options (its part of the Spec), its Report
//! section types, the step that runs it on `Prepared`, its tables, its figures, its
//! methods/results sentences and its R code; [`ANALYSES`] lists them in Report order,
//! and the renderers (tables, figures, text, R script) walk that list.
//!
//! Adding an analysis: a new folder here implementing [`Analysis`], one line in
//! [`ANALYSES`], its section in `EndpointReport` and its run step in `run.rs`.
//! See docs/architecture.md.

pub mod cox;
pub mod survival;
