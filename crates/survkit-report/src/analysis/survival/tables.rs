//! The survival section's tables: medians, survival at chosen times, the tests, and
//! follow-up.

use crate::run::EndpointReport;
use crate::tables::{chisq2, count, s, TableContext, TableOut};
use crate::text::{curve_label, fin, fin_opt, format_num, format_p, format_pct};

/// Appends the survival tables of one endpoint.
pub(crate) fn tables(cx: &TableContext, ep: &EndpointReport, out: &mut Vec<TableOut>) {
    let name = ep.name.as_str();
    let unit = ep.time_unit.as_str();
    let curves = &ep.survival.km;

    // Medians.
    let rows = curves
        .iter()
        .map(|c| {
            let m = &c.fit.median;
            vec![
                curve_label(c, cx.group_name.as_deref()),
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
        id: cx.id("medians"),
        title: format!("Median {name} ({unit})"),
        columns: vec![s("Group"), s("N"), s("Events"), s("Median"), cx.ci.clone()],
        rows,
        note: Some(
            "NR: not reached (the curve, or its confidence limit, never falls to 50%).".into(),
        ),
    });

    // Survival at chosen times.
    let mut rows = Vec::new();
    let mut beyond = false;
    for c in curves {
        for t in &c.fit.at_times {
            // After the last observed time: marked, the note says which convention.
            let mark = if t.beyond_follow_up {
                beyond = true;
                " *"
            } else {
                ""
            };
            rows.push(vec![
                curve_label(c, cx.group_name.as_deref()),
                format_num(fin(t.time)),
                format_num(fin(t.n_risk)),
                format!("{}{mark}", format_pct(fin_opt(t.surv))),
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
            id: cx.id("at_times"),
            title: format!("{name} survival at chosen times"),
            columns: vec![
                s("Group"),
                format!("Time ({unit})"),
                s("At risk"),
                s("Survival"),
                cx.ci.clone(),
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
            id: cx.id("tests"),
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
        id: cx.id("followup"),
        title: format!("Follow-up ({unit})"),
        columns: vec![
            s("Median follow-up"),
            cx.ci.clone(),
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
}
