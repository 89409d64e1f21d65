//! WebAssembly binding of survkit, loaded by the page's Web Worker.
//!
//! Thin on purpose: bytes and JSON in, JSON out, every error a `JsError` with a
//! message for the user. The Report JSON is produced by the same `serde_json` call as
//! the CLI's `--json`, so page and CLI show byte-identical Reports for the same Spec.
//!
//! The last Report stays in Rust memory ([`Session`]): tables, figures and the R
//! script are asked of it, never of the Report's JSON again. (Reading a Report back
//! from JSON, `Report::from_json`, is not exported: it would add ~50 KB of
//! deserialisation code to the page's module, and a worker that lost its Report runs
//! the Report's own Spec again instead, which gives the same Report.)
#![deny(missing_docs)]

use survkit_data::{ImportOptions, Table};
use survkit_report::figures::{render, FigureRequest};
use survkit_report::{presets as all_presets, run, tables as all_tables, Report, Spec};
use wasm_bindgen::prelude::*;

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// A run error as a JS `Error` whose `message` is for people and whose `survkit`
/// property is its kind as JSON (`{"kind": "unmapped-event-values", "endpoint": 0,
/// "column": ..., "values": [...], "message": ...}`), so the page can act on it.
fn run_err(e: survkit_report::RunError) -> JsValue {
    let js = js_sys::Error::new(&e.message);
    if let Ok(kind) = serde_json::to_string(&e) {
        let _ = js_sys::Reflect::set(
            &js,
            &JsValue::from_str("survkit"),
            &JsValue::from_str(&kind),
        );
    }
    js.into()
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
    report: Option<Report>,
}

fn last(report: &Option<Report>) -> Result<&Report, JsError> {
    report
        .as_ref()
        .ok_or_else(|| JsError::new("there are no results yet: run the analysis first"))
}

fn tables_json(report: &Report) -> Result<String, JsError> {
    to_json(&all_tables(report))
}

fn figure(report: &Report, request_json: &str) -> Result<survkit_report::figure::Figure, JsError> {
    let req: FigureRequest = parse("figure request", request_json)?;
    render(report, &req).map_err(err)
}

fn table_text_of(report: &Report, id: &str, format: &str) -> Result<String, JsError> {
    let t = all_tables(report)
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
        Ok(Session {
            table,
            import,
            report: None,
        })
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

    /// Runs a Spec (JSON) and returns the Report (JSON). The Report is kept: the
    /// tables, figures and R script below are rendered from it.
    pub fn analyze(&mut self, spec_json: &str) -> Result<String, JsValue> {
        let spec = Spec::from_json(spec_json).map_err(run_err)?;
        let report = run(&self.table, &spec).map_err(run_err)?;
        let json = to_json(&report)?;
        self.report = Some(report);
        Ok(json)
    }

    /// The formatted tables of the last Report (JSON list of tables).
    pub fn tables(&self) -> Result<String, JsError> {
        tables_json(last(&self.report)?)
    }

    /// A figure of the last Report as SVG text (request as JSON).
    pub fn figure_svg(&self, request_json: &str) -> Result<String, JsError> {
        Ok(figure(last(&self.report)?, request_json)?.to_svg())
    }

    /// A figure of the last Report as a vector PDF.
    pub fn figure_pdf(&self, request_json: &str) -> Result<Vec<u8>, JsError> {
        Ok(figure(last(&self.report)?, request_json)?.to_pdf())
    }

    /// "Reproduce in R": an R script (survival package) that recomputes the last
    /// Report's numbers from the user's file `file_name`.
    pub fn r_script(&self, file_name: &str) -> Result<String, JsError> {
        Ok(survkit_report::r_script(last(&self.report)?, file_name))
    }

    /// One formatted table of the last Report as `csv` or `markdown` text (`id` as in
    /// [`Session::tables`]).
    pub fn table_text(&self, id: &str, format: &str) -> Result<String, JsError> {
        table_text_of(last(&self.report)?, id, format)
    }
}

/// One-shot analysis of file bytes with a Spec (JSON), exactly as `survkit analyze --json`.
#[wasm_bindgen]
pub fn analyze(bytes: &[u8], file_name: &str, spec_json: &str) -> Result<String, JsValue> {
    let spec = Spec::from_json(spec_json).map_err(run_err)?;
    let report = survkit_report::analyze_bytes(bytes, file_name, &spec).map_err(run_err)?;
    Ok(to_json(&report)?)
}

/// Convention presets (Match R / SAS / Stata / Prism / lifelines) as JSON.
#[wasm_bindgen]
pub fn presets() -> Result<String, JsError> {
    to_json(&all_presets())
}

// ---- Benchmark exports (`npm run bench`, bench/wasm.mjs): per-task timing of the same
// code the page runs. Only in the benchmark build (`--features bench`), not the page's.
#[cfg(feature = "bench")]
mod bench;
