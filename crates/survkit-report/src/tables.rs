//! The Report as formatted tables: what the page shows (and copies into Word), what
//! the CLI prints, and what CSV/Markdown downloads contain. Built from the Report's
//! JSON so that any reader of a saved Report gets the same tables.

use serde::Serialize;
use serde_json::Value;

use crate::text::{curve_label, format_num, format_p, format_pct, format_ratio, num, with_ci};

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

fn s(x: &str) -> String {
    x.to_string()
}

fn get_f(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(num)
}

/// All tables of a Report (given as its JSON value).
pub fn tables(report: &Value) -> Vec<TableOut> {
    let mut out = Vec::new();
    let eps = report["endpoints"].as_array().cloned().unwrap_or_default();
    let multi = eps.len() > 1;
    let level = report["conventions"]["conf_level"].as_f64().unwrap_or(0.95);
    let ci = format!("{}% CI", format_num(Some(100.0 * level)));
    let group_name = crate::text::group_name(report);
    for (i, ep) in eps.iter().enumerate() {
        let id = |base: &str| {
            if multi {
                format!("{base}:{i}")
            } else {
                base.to_string()
            }
        };
        let name = ep["name"].as_str().unwrap_or("");
        let unit = ep["time_unit"].as_str().unwrap_or("");
        let curves = ep["km"].as_array().cloned().unwrap_or_default();

        // Medians.
        let rows = curves
            .iter()
            .map(|c| {
                let m = &c["median"];
                vec![
                    curve_label(c, group_name.as_deref()),
                    format_num(get_f(c, "n")),
                    format_num(get_f(c, "events")),
                    format_num(get_f(m, "estimate")),
                    format!(
                        "{}–{}",
                        format_num(get_f(m, "lower")),
                        format_num(get_f(m, "upper"))
                    ),
                ]
            })
            .collect();
        out.push(TableOut {
            id: id("medians"),
            title: format!("Median {name} ({unit})"),
            columns: vec![s("Group"), s("N"), s("Events"), s("Median"), ci.clone()],
            rows,
            note: Some(
                "NR: not reached (the curve, or its confidence limit, never falls to 50%).".into(),
            ),
        });

        // Survival at chosen times.
        let mut rows = Vec::new();
        let mut beyond = false;
        for c in &curves {
            for t in c["at_times"].as_array().into_iter().flatten() {
                // After the last observed time: marked, the note says which convention.
                let mark = if t["beyond_follow_up"].as_bool().unwrap_or(false) {
                    beyond = true;
                    " *"
                } else {
                    ""
                };
                rows.push(vec![
                    curve_label(c, group_name.as_deref()),
                    format_num(get_f(t, "time")),
                    format_num(get_f(t, "n_risk")),
                    format!("{}{mark}", format_pct(get_f(t, "surv"))),
                    format!(
                        "{}–{}",
                        format_pct(get_f(t, "lower")),
                        format_pct(get_f(t, "upper"))
                    ),
                ]);
            }
        }
        if !rows.is_empty() {
            out.push(TableOut {
                id: id("at_times"),
                title: format!("{name} survival at chosen times"),
                columns: vec![
                    s("Group"),
                    format!("Time ({unit})"),
                    s("At risk"),
                    s("Survival"),
                    ci.clone(),
                ],
                rows,
                note: beyond.then(|| {
                    "* After the last observed time (follow-up has ended): the last estimate \
                     carried forward (R), or not estimable (SAS convention), as the methods \
                     state; 0% where the curve had already reached 0."
                        .to_string()
                }),
            });
        }

        // Tests.
        let tests = ep["tests"].as_array().cloned().unwrap_or_default();
        if !tests.is_empty() {
            let rows = tests
                .iter()
                .map(|t| {
                    vec![
                        t["method"].as_str().unwrap_or("").to_string(),
                        get_f(t, "chisq").map_or("—".into(), |x| format!("{x:.2}")),
                        format_num(get_f(t, "df")),
                        format_p(get_f(t, "p")),
                    ]
                })
                .collect();
            let mut groups = Vec::new();
            if let Some(g) = tests[0]["groups"].as_array() {
                for r in g {
                    let o = get_f(r, "observed");
                    let e = get_f(r, "expected");
                    groups.push(format!(
                        "{}: observed {}, expected {}",
                        r["group"].as_str().unwrap_or(""),
                        format_num(o),
                        format_num(e)
                    ));
                }
            }
            out.push(TableOut {
                id: id("tests"),
                title: format!("Comparison of {name} between groups"),
                columns: vec![s("Test"), s("Chi-square"), s("df"), s("P")],
                rows,
                note: if groups.is_empty() {
                    None
                } else {
                    Some(groups.join("; "))
                },
            });
        }

        // Follow-up.
        if let Some(fu) = ep.get("followup").filter(|f| f.is_object()) {
            out.push(TableOut {
                id: id("followup"),
                title: format!("Follow-up ({unit})"),
                columns: vec![
                    s("Median follow-up"),
                    ci.clone(),
                    s("Range"),
                    s("Median, patients event-free"),
                ],
                rows: vec![vec![
                    format_num(get_f(fu, "median")),
                    format!(
                        "{}–{}",
                        format_num(get_f(fu, "lower")),
                        format_num(get_f(fu, "upper"))
                    ),
                    format!(
                        "{}–{}",
                        format_num(get_f(fu, "min")),
                        format_num(get_f(fu, "max"))
                    ),
                    format_num(get_f(fu, "median_censored")),
                ]],
                note: Some("Median follow-up by the reverse Kaplan–Meier method.".into()),
            });
        }

        // Cox: univariable screen and multivariable model.
        let term_row = |t: &Value| -> Vec<String> {
            let level = crate::text::term_level(t);
            vec![
                t["variable"].as_str().unwrap_or("").to_string(),
                level,
                with_ci(
                    get_f(t, "hazard_ratio"),
                    get_f(t, "lower"),
                    get_f(t, "upper"),
                    format_ratio,
                ),
                format_p(get_f(t, "p")),
            ]
        };
        let uni = ep["univariable"].as_array().cloned().unwrap_or_default();
        if !uni.is_empty() {
            let mut rows = Vec::new();
            for m in &uni {
                for t in m["terms"].as_array().into_iter().flatten() {
                    let mut r = term_row(t);
                    r.insert(
                        2,
                        format!(
                            "{} / {}",
                            format_num(get_f(m, "n")),
                            format_num(get_f(m, "events"))
                        ),
                    );
                    rows.push(r);
                }
            }
            out.push(TableOut {
                id: id("univariable"),
                title: format!("Univariable Cox models ({name})"),
                columns: vec![
                    s("Variable"),
                    s("Level"),
                    s("N / events"),
                    format!("HR ({ci})"),
                    s("P"),
                ],
                rows,
                note: Some("Each variable in its own model; complete cases per model.".into()),
            });
        }
        if let Some(cox) = ep.get("cox").filter(|c| c.is_object()) {
            let rows = cox["terms"]
                .as_array()
                .into_iter()
                .flatten()
                .map(term_row)
                .collect();
            let lr = &cox["tests"]["likelihood_ratio"];
            let note = format!(
                "n = {}, events = {}; likelihood-ratio test chi-square {} on {} df, {}; concordance {}.",
                format_num(get_f(cox, "n")),
                format_num(get_f(cox, "events")),
                get_f(lr, "chisq").map_or("—".into(), |x| format!("{x:.2}")),
                format_num(get_f(lr, "df")),
                crate::text::p_phrase(get_f(lr, "p")),
                get_f(&cox["concordance"], "estimate").map_or("—".into(), |x| format!("{x:.3}")),
            );
            out.push(TableOut {
                id: id("multivariable"),
                title: format!("Multivariable Cox model ({name})"),
                columns: vec![s("Variable"), s("Level"), format!("HR ({ci})"), s("P")],
                rows,
                note: Some(note),
            });
        }

        // Proportional-hazards check (cox.zph).
        if let Some(zph) = ep["cox"].get("zph").filter(|z| z.is_object()) {
            let test_row = |label: String, t: &Value| {
                vec![
                    label,
                    get_f(t, "chisq").map_or("—".into(), |x| format!("{x:.2}")),
                    format_num(get_f(t, "df")),
                    format_p(get_f(t, "p")),
                ]
            };
            let mut rows: Vec<Vec<String>> = zph["terms"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| test_row(t["variable"].as_str().unwrap_or("").to_string(), t))
                .collect();
            rows.push(test_row("GLOBAL".into(), &zph["global"]));
            out.push(TableOut {
                id: id("zph"),
                title: format!("Proportional-hazards check ({name})"),
                columns: vec![s("Variable"), s("Chi-square"), s("df"), s("P")],
                rows,
                note: Some(format!(
                    "Test of scaled Schoenfeld residuals against {} time (Grambsch & Therneau 1994), as R's cox.zph; a small P suggests the hazard ratio changes over time.",
                    zph["transform"].as_str().unwrap_or("km")
                )),
            });
        }

        // Exclusions.
        let excl = ep["excluded"].as_array().cloned().unwrap_or_default();
        if !excl.is_empty() {
            out.push(TableOut {
                id: id("excluded"),
                title: format!("Rows left out of {name}"),
                columns: vec![s("Row"), s("Column"), s("Reason")],
                rows: excl
                    .iter()
                    .map(|e| {
                        vec![
                            format_num(get_f(e, "row")),
                            e["column"].as_str().unwrap_or("").to_string(),
                            e["reason"].as_str().unwrap_or("").to_string(),
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
