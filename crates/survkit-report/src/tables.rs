//! The Report as formatted tables: what the page shows (and copies into Word), what
//! the CLI prints, and what CSV/Markdown downloads contain. Built from the typed
//! Report, so a field that moves breaks the build instead of emptying a table.

use serde::Serialize;

use crate::analysis::ANALYSES;
use crate::run::Report;
use crate::text::{fin, format_num};

/// A formatted table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableOut {
    /// Stable id: `medians`, `at_times`, `tests`, `followup`, `univariable`,
    /// `multivariable`, `excluded`; with `:<endpoint index>` when there are several.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Cells, already formatted.
    pub rows: Vec<Vec<String>>,
    /// A footnote (n, events, conventions), when useful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub(crate) fn s(x: &str) -> String {
    x.to_string()
}

/// A chi-square statistic with two decimals, "—" when missing.
pub(crate) fn chisq2(x: f64) -> String {
    fin(x).map_or("—".into(), |x| format!("{x:.2}"))
}

/// A count as the tables write it.
pub(crate) fn count(n: usize) -> String {
    format_num(Some(n as f64))
}

/// What every analysis' tables share for one endpoint: ids, the CI header, the
/// group's name.
pub(crate) struct TableContext {
    /// Index of the endpoint.
    pub index: usize,
    /// Several endpoints: ids get `:<index>`.
    pub multi: bool,
    /// "95% CI".
    pub ci: String,
    /// The group variable's name, for curve labels.
    pub group_name: Option<String>,
}

impl TableContext {
    /// A table id, with the endpoint index when there are several endpoints.
    pub fn id(&self, base: &str) -> String {
        if self.multi {
            format!("{base}:{}", self.index)
        } else {
            base.to_string()
        }
    }
}

/// All tables of a Report: per endpoint, each analysis' tables in the order of
/// [`crate::analysis::ANALYSES`], then the rows left out.
pub fn tables(report: &Report) -> Vec<TableOut> {
    let mut out = Vec::new();
    let level = report.conventions.conf_level;
    for (i, ep) in report.endpoints.iter().enumerate() {
        let cx = TableContext {
            index: i,
            multi: report.endpoints.len() > 1,
            ci: format!("{}% CI", format_num(Some(100.0 * level))),
            group_name: crate::text::group_name(report),
        };
        for a in ANALYSES {
            a.tables(&cx, ep, &mut out);
        }
        let name = ep.name.as_str();
        // Exclusions (every analysis' rows come from the same preparation).
        if !ep.excluded.is_empty() {
            out.push(TableOut {
                id: cx.id("excluded"),
                title: format!("Rows left out of {name}"),
                columns: vec![s("Row"), s("Column"), s("Reason")],
                rows: ep
                    .excluded
                    .iter()
                    .map(|e| {
                        vec![
                            count(e.row),
                            e.column.clone().unwrap_or_default(),
                            e.reason.clone(),
                        ]
                    })
                    .collect(),
                note: Some("Row numbers as in the spreadsheet (the header is row 1).".into()),
            });
        }
    }
    out
}

impl TableOut {
    /// Plain text with aligned columns, for the terminal.
    pub fn to_text(&self) -> String {
        let n = self.columns.len();
        let mut w: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
        for r in &self.rows {
            for (j, c) in r.iter().enumerate().take(n) {
                w[j] = w[j].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut l = String::new();
            for (j, c) in cells.iter().enumerate().take(n) {
                if j > 0 {
                    l.push_str("  ");
                }
                l.push_str(c);
                if j + 1 < n {
                    l.push_str(&" ".repeat(w[j] - c.chars().count()));
                }
            }
            l.trim_end().to_string()
        };
        let mut out = format!("{}\n{}\n", self.title, line(&self.columns));
        out.push_str(&"-".repeat(w.iter().sum::<usize>() + 2 * n.saturating_sub(1)));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        if let Some(note) = &self.note {
            out.push_str(note);
            out.push('\n');
        }
        out
    }

    /// CSV (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let q = |c: &str| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        };
        let mut out = String::new();
        for r in std::iter::once(&self.columns).chain(&self.rows) {
            out.push_str(&r.iter().map(|c| q(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// A Markdown (GitHub) table with its title and note.
    pub fn to_markdown(&self) -> String {
        let esc = |c: &str| c.replace('|', "\\|");
        let mut out = format!(
            "**{}**\n\n| {} |\n|",
            esc(&self.title),
            self.columns
                .iter()
                .map(|c| esc(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        out.push_str(&" --- |".repeat(self.columns.len()));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&format!(
                "| {} |\n",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        if let Some(note) = &self.note {
            out.push_str(&format!("\n{}\n", esc(note)));
        }
        out
    }
}
