//! WebAssembly binding of survkit, loaded by the page's Web Worker.
//!
//! Thin on purpose: bytes and JSON in, JSON out, every error a `JsError` with a
//! message for the user. The Report JSON is produced by the same `serde_json` call as
//! the CLI's `--json`, so page and CLI show byte-identical Reports for the same Spec.
#![deny(missing_docs)]

use survkit_data::{ImportOptions, Table};
use survkit_report::figures::{render, FigureRequest};
use survkit_report::{presets as all_presets, run, tables as all_tables, Spec};
use wasm_bindgen::prelude::*;

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, JsError> {
    serde_json::to_string(v).map_err(err)
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, JsError> {
    serde_json::from_str(json).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// survkit's version, for the page's footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A loaded file: the table stays in the worker, so changing an option re-runs the
/// analysis without reading the file again.
#[wasm_bindgen]
pub struct Session {
    table: Table,
    import: ImportOptions,
}

#[wasm_bindgen]
impl Session {
    /// Reads a file (CSV/TSV/XLSX/XLS/ODS bytes) with import options given as JSON.
    #[wasm_bindgen(constructor)]
    pub fn new(
        bytes: &[u8],
        file_name: &str,
        import_options_json: &str,
    ) -> Result<Session, JsError> {
        let import: ImportOptions = parse("import options", import_options_json)?;
        let table = survkit_report::load(bytes, file_name, &import).map_err(err)?;
        Ok(Session { table, import })
    }

    /// How the file was read and what each column holds, with the first rows (JSON).
    pub fn summary(&self, preview_rows: usize) -> Result<String, JsError> {
        to_json(&self.table.summary(preview_rows))
    }

    /// A first Spec guessed from the column names and contents (JSON).
    pub fn default_spec(&self) -> Result<String, JsError> {
        to_json(&Spec::guess(&self.table, &self.import))
    }

    /// Distinct non-missing values of a column with their counts (JSON list of
    /// `{"value", "count"}`, at most `max` values, most frequent first), for the page's
    /// event-coding editor.
    pub fn values(&self, column: &str, max: usize) -> Result<String, JsError> {
        let c = self
            .table
            .column(column)
            .ok_or_else(|| JsError::new(&format!("no column named '{column}'")))?;
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for i in 0..c.len() {
            if c.state(i) == survkit_data::CellState::Missing {
                continue;
            }
            let t = c.text(i).trim().to_string();
            if let Some(&k) = index.get(&t) {
                counts[k].1 += 1;
            } else if counts.len() < max.max(1) {
                index.insert(t.clone(), counts.len());
                counts.push((t, 1));
            }
        }
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let list: Vec<serde_json::Value> = counts
            .into_iter()
            .map(|(value, count)| serde_json::json!({ "value": value, "count": count }))
            .collect();
        to_json(&list)
    }

    /// Runs a Spec (JSON) and returns the Report (JSON).
    pub fn analyze(&self, spec_json: &str) -> Result<String, JsError> {
        let spec = Spec::from_json(spec_json).map_err(err)?;
        let report = run(&self.table, &spec).map_err(err)?;
        to_json(&report)
    }
}

/// One-shot analysis of file bytes with a Spec (JSON), exactly as `survkit analyze --json`.
#[wasm_bindgen]
pub fn analyze(bytes: &[u8], file_name: &str, spec_json: &str) -> Result<String, JsError> {
    let spec = Spec::from_json(spec_json).map_err(err)?;
    let report = survkit_report::analyze_bytes(bytes, file_name, &spec).map_err(err)?;
    to_json(&report)
}

/// The formatted tables of a Report (JSON in, JSON list of tables out).
#[wasm_bindgen]
pub fn tables(report_json: &str) -> Result<String, JsError> {
    let report: serde_json::Value = parse("report", report_json)?;
    to_json(&all_tables(&report))
}

/// A figure of a Report as SVG text.
#[wasm_bindgen]
pub fn figure_svg(report_json: &str, request_json: &str) -> Result<String, JsError> {
    let report: serde_json::Value = parse("report", report_json)?;
    let req: FigureRequest = parse("figure request", request_json)?;
    Ok(render(&report, &req).map_err(err)?.to_svg())
}

/// A figure of a Report as a vector PDF.
#[wasm_bindgen]
pub fn figure_pdf(report_json: &str, request_json: &str) -> Result<Vec<u8>, JsError> {
    let report: serde_json::Value = parse("report", report_json)?;
    let req: FigureRequest = parse("figure request", request_json)?;
    Ok(render(&report, &req).map_err(err)?.to_pdf())
}

/// Convention presets (Match R / SAS / Stata / Prism / lifelines) as JSON.
#[wasm_bindgen]
pub fn presets() -> Result<String, JsError> {
    to_json(&all_presets())
}

/// "Reproduce in R": an R script (survival package) that recomputes the Report's
/// numbers from the user's file `file_name`.
#[wasm_bindgen]
pub fn r_script(report_json: &str, file_name: &str) -> Result<String, JsError> {
    let report: serde_json::Value = parse("report", report_json)?;
    Ok(survkit_report::r_script(&report, file_name))
}

/// One formatted table of a Report as `csv` or `markdown` text (`id` as in [`tables`]).
#[wasm_bindgen]
pub fn table_text(report_json: &str, id: &str, format: &str) -> Result<String, JsError> {
    let report: serde_json::Value = parse("report", report_json)?;
    let t = all_tables(&report)
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| JsError::new(&format!("no table '{id}' in this Report")))?;
    match format {
        "csv" => Ok(t.to_csv()),
        "markdown" | "md" => Ok(t.to_markdown()),
        other => Err(JsError::new(&format!(
            "unknown table format '{other}': use csv or markdown"
        ))),
    }
}

// ---- Benchmark exports (`npm run bench`, bench/wasm.mjs): per-task timing of the same
// code the page runs. Not used by the page.

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
