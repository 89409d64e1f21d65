//! # survkit-core
//!
//! Survival estimators on plain numeric inputs: Kaplan–Meier with Greenwood variance,
//! Nelson–Aalen, the log-rank family of tests, restricted mean survival, reverse-KM
//! follow-up, Cox proportional-hazards regression (Efron, Breslow and exact ties),
//! competing risks (Aalen–Johansen, Fine–Gray), parametric models (AFT/PH), Table 1
//! summaries and tests, landmark analysis, adjusted curves and subgroup analyses.
//!
//! This crate does no parsing, no I/O and reads no clock: callers hand it slices of
//! numbers and get plain `serde`-serialisable results back. Every convention that
//! changes a number (CI transform, tie handling, ...) is an explicit option whose
//! default is R `survival`'s behaviour.
#![deny(missing_docs)]

pub mod adjusted;
pub mod compare;
pub mod competing;
pub mod conventions;
pub mod cox;
pub mod describe;
pub mod error;
pub mod followup;
pub mod km;
pub mod landmark;
pub mod parametric;
pub mod subgroup;

pub use error::Error;
