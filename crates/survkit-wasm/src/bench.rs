//! Benchmark-only exports (`--features bench`): import and the estimators timed alone,
//! on the same code the page runs.

use wasm_bindgen::prelude::*;

use crate::err;

/// Benchmark only: imports file bytes into a typed table; returns the row count.
#[wasm_bindgen]
pub fn bench_import(bytes: &[u8], file_name: &str) -> Result<usize, JsError> {
    survkit_bench::import_rows(bytes, file_name).map_err(err)
}

/// Benchmark only: a synthetic cohort (`time, status, arm, x1..xp`) prepared once, so
/// the estimators can be timed alone.
#[wasm_bindgen]
pub struct BenchCohort(survkit_bench::Cohort);

#[wasm_bindgen]
impl BenchCohort {
    /// Imports and prepares a cohort file with `p` covariates.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], file_name: &str, p: usize) -> Result<BenchCohort, JsError> {
        survkit_bench::Cohort::load(bytes, file_name, p)
            .map(BenchCohort)
            .map_err(err)
    }

    /// Benchmark only: KM per group and the log-rank test; returns χ².
    pub fn bench_km_logrank(&self) -> Result<f64, JsError> {
        self.0.km_logrank().map_err(err)
    }

    /// Benchmark only: Cox (Efron) with all covariates; returns the log partial likelihood.
    pub fn bench_cox(&self) -> Result<f64, JsError> {
        self.0.cox().map(|(ll, _)| ll).map_err(err)
    }
}
