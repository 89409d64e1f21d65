//! The Cox section's figures: the forest plot of the multivariable model and the
//! scaled Schoenfeld residuals of its proportional-hazards check.

use crate::figure::{
    forest_plot, schoenfeld_plot, Figure, ForestPlot, ForestRow, SchoenfeldPanel, SchoenfeldPlot,
};
use crate::figures::{drawn, pts, FigureContext, FigureKind};
use crate::run::EndpointReport;
use crate::text::fin_opt;

/// The Cox figure asked for, or `None` when it is another analysis' figure.
pub(crate) fn figure(cx: &FigureContext, ep: &EndpointReport) -> Option<Result<Figure, String>> {
    match cx.req.kind {
        FigureKind::Forest | FigureKind::Schoenfeld => Some(draw(cx, ep)),
        _ => None,
    }
}

fn draw(cx: &FigureContext, ep: &EndpointReport) -> Result<Figure, String> {
    let fig = match cx.req.kind {
        FigureKind::Schoenfeld => {
            let model = ep.cox.cox.as_ref().ok_or_else(|| {
                format!(
                    "{}: no multivariable Cox model in this Report; choose covariates first",
                    ep.name
                )
            })?;
            let zph = model.zph.as_ref().ok_or_else(|| {
                format!(
                    "{}: the proportional-hazards check was not run; turn it on (cox.zph) first",
                    ep.name
                )
            })?;
            let time = pts(&zph.time);
            let panels = zph
                .residuals
                .iter()
                .map(|r| {
                    // The line at the fitted coefficient, for a term with one coefficient.
                    let coefs: Vec<f64> = model
                        .terms
                        .iter()
                        .filter(|t| t.variable == r.variable)
                        .filter_map(|t| fin_opt(t.coef))
                        .collect();
                    SchoenfeldPanel {
                        term: r.variable.clone(),
                        time: time.clone(),
                        residual: pts(&r.values),
                        coef: (coefs.len() == 1).then(|| coefs[0]),
                        ..Default::default()
                    }
                })
                .collect();
            let p = SchoenfeldPlot {
                panels,
                x_label: format!("Time ({})", ep.time_unit),
                monochrome: cx.req.monochrome.unwrap_or(false),
            };
            schoenfeld_plot(&p, cx.size)
        }
        FigureKind::Forest => {
            let model = ep.cox.cox.as_ref().ok_or_else(|| {
                format!(
                    "{}: no multivariable Cox model in this Report; choose covariates first",
                    ep.name
                )
            })?;
            let rows = model
                .terms
                .iter()
                .map(|t| ForestRow {
                    label: t.variable.clone(),
                    level: crate::text::term_level(t),
                    reference: false,
                    hazard_ratio: fin_opt(t.hazard_ratio),
                    lower: fin_opt(t.lower),
                    upper: fin_opt(t.upper),
                    p: fin_opt(t.p),
                    n: None,
                })
                .collect();
            let p = ForestPlot {
                rows,
                conf_level: 100.0 * cx.report.conventions.conf_level,
                ..Default::default()
            };
            forest_plot(&p, cx.size)
        }
        _ => return Err("not a figure of the Cox section".into()),
    };
    fig.map_err(drawn)
}
