//! The Cox section's tables: the univariable screen, the multivariable model and the
//! proportional-hazards check.

use super::Term;
use crate::run::EndpointReport;
use crate::tables::{chisq2, count, s, TableContext, TableOut};
use crate::text::{fin, fin_opt, format_p, format_ratio, with_ci};

/// Appends the Cox tables of one endpoint.
pub(crate) fn tables(cx: &TableContext, ep: &EndpointReport, out: &mut Vec<TableOut>) {
    let name = ep.name.as_str();

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
            id: cx.id("univariable"),
            title: format!("Univariable Cox models ({name})"),
            columns: vec![
                s("Variable"),
                s("Level"),
                s("N / events"),
                format!("HR ({})", cx.ci),
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
            id: cx.id("multivariable"),
            title: format!("Multivariable Cox model ({name})"),
            columns: vec![s("Variable"), s("Level"), format!("HR ({})", cx.ci), s("P")],
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
            id: cx.id("zph"),
            title: format!("Proportional-hazards check ({name})"),
            columns: vec![s("Variable"), s("Chi-square"), s("df"), s("P")],
            rows,
            note: Some(format!(
                "Test of scaled Schoenfeld residuals against {} time (Grambsch & Therneau 1994), as R's cox.zph; a small P suggests the hazard ratio changes over time.",
                crate::text::serde_name(&zph.transform)
            )),
        });
    }
}
