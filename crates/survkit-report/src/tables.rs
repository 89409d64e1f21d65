//! The Report as formatted tables: what the page shows (and copies into Word), what
//! the CLI prints, and what CSV/Markdown downloads contain. Built from the typed
//! Report, so a field that moves breaks the build instead of emptying a table.

use serde::Serialize;

use crate::cox::Term;
use crate::run::Report;
use crate::text::{
    curve_label, fin, fin_opt, format_num, format_p, format_pct, format_ratio, with_ci,
};

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

fn chisq2(x: f64) -> String {
    fin(x).map_or("—".into(), |x| format!("{x:.2}"))
}

fn count(n: usize) -> String {
    format_num(Some(n as f64))
}

/// All tables of a Report.
pub fn tables(report: &Report) -> Vec<TableOut> {
    let mut out = Vec::new();
    let eps = &report.endpoints;
    let multi = eps.len() > 1;
    let level = report.conventions.conf_level;
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
        let name = ep.name.as_str();
        let unit = ep.time_unit.as_str();
        let curves = &ep.survival.km;

        // Medians.
        let rows = curves
            .iter()
            .map(|c| {
                let m = &c.fit.median;
                vec![
                    curve_label(c, group_name.as_deref()),
                    count(c.fit.n),
                    count(c.fit.events),
                    format_num(fin_opt(m.estimate)),
                    format!(
                        "{}–{}",
                        format_num(fin_opt(m.lower)),
                        format_num(fin_opt(m.upper))
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
        for c in curves {
            for t in &c.fit.at_times {
                rows.push(vec![
                    curve_label(c, group_name.as_deref()),
                    format_num(fin(t.time)),
                    format_num(fin(t.n_risk)),
                    format_pct(fin_opt(t.surv)),
                    format!(
                        "{}–{}",
                        format_pct(fin_opt(t.lower)),
                        format_pct(fin_opt(t.upper))
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
                note: None,
            });
        }

        // Tests.
        let tests = &ep.survival.tests;
        if !tests.is_empty() {
            let rows = tests
                .iter()
                .map(|t| {
                    vec![
                        t.method.clone(),
                        chisq2(t.chisq),
                        count(t.df),
                        format_p(fin(t.p)),
                    ]
                })
                .collect();
            let groups: Vec<String> = tests[0]
                .groups
                .iter()
                .map(|r| {
                    format!(
                        "{}: observed {}, expected {}",
                        r.group,
                        format_num(fin(r.observed)),
                        format_num(fin(r.expected))
                    )
                })
                .collect();
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
        let fu = &ep.survival.followup;
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
                format_num(fin_opt(fu.median)),
                format!(
                    "{}–{}",
                    format_num(fin_opt(fu.lower)),
                    format_num(fin_opt(fu.upper))
                ),
                format!("{}–{}", format_num(fin(fu.min)), format_num(fin(fu.max))),
                format_num(fin_opt(fu.median_censored)),
            ]],
            note: Some("Median follow-up by the reverse Kaplan–Meier method.".into()),
        });

        // Cox: univariable screen and multivariable model.
        let term_row = |t: &Term| -> Vec<String> {
            vec![
                t.variable.clone(),
                crate::text::term_level(t),
                with_ci(
                    fin_opt(t.hazard_ratio),
                    fin_opt(t.lower),
                    fin_opt(t.upper),
                    format_ratio,
                ),
                format_p(fin_opt(t.p)),
            ]
        };
        let uni = &ep.cox.univariable;
        if !uni.is_empty() {
            let mut rows = Vec::new();
            for m in uni {
                for t in &m.terms {
                    let mut r = term_row(t);
                    r.insert(2, format!("{} / {}", count(m.n), count(m.events)));
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
        if let Some(cox) = &ep.cox.cox {
            let rows = cox.terms.iter().map(term_row).collect();
            let lr = &cox.tests.likelihood_ratio;
            let note = format!(
                "n = {}, events = {}; likelihood-ratio test chi-square {} on {} df, {}; concordance {}.",
                count(cox.n),
                count(cox.events),
                chisq2(lr.chisq),
                count(lr.df),
                crate::text::p_phrase(fin(lr.p)),
                fin(cox.concordance.estimate).map_or("—".into(), |x| format!("{x:.3}")),
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
        if let Some(zph) = ep.cox.cox.as_ref().and_then(|c| c.zph.as_ref()) {
            let test_row = |label: String, chisq: f64, df: usize, p: f64| {
                vec![label, chisq2(chisq), count(df), format_p(fin(p))]
            };
            let mut rows: Vec<Vec<String>> = zph
                .terms
                .iter()
                .map(|t| test_row(t.variable.clone(), t.chisq, t.df, t.p))
                .collect();
            rows.push(test_row(
                "GLOBAL".into(),
                zph.global.chisq,
                zph.global.df,
                zph.global.p,
            ));
            out.push(TableOut {
                id: id("zph"),
                title: format!("Proportional-hazards check ({name})"),
                columns: vec![s("Variable"), s("Chi-square"), s("df"), s("P")],
                rows,
                note: Some(format!(
                    "Test of scaled Schoenfeld residuals against {} time (Grambsch & Therneau 1994), as R's cox.zph; a small P suggests the hazard ratio changes over time.",
                    crate::text::serde_name(&zph.transform)
                )),
            });
        }

        // Exclusions.
        if !ep.excluded.is_empty() {
            out.push(TableOut {
                id: id("excluded"),
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
