//! From a Report to its figures: maps the Report's numbers onto the plot inputs of
//! [`crate::figure`]. The page and the CLI both call [`render`], so their figures are
//! identical.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::figure::{
    cumhaz_plot, forest_plot, km_plot, loglog_plot, schoenfeld_plot, CumhazPlot, Figure,
    FigureSize, ForestPlot, ForestRow, KmCurve, KmPlot, LoglogPlot, SchoenfeldPanel,
    SchoenfeldPlot, StepCurve,
};
use crate::text::{curve_label, num, p_phrase};

/// Which figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// Kaplan–Meier curves with number-at-risk table.
    #[default]
    Km,
    /// Forest plot of the multivariable (or univariable) Cox hazard ratios.
    Forest,
    /// Nelson–Aalen cumulative hazard.
    Cumhaz,
    /// log(−log S) against log time, to check proportional hazards.
    Loglog,
    /// Scaled Schoenfeld residuals against time, one panel per covariate (needs the
    /// multivariable model fitted with `cox.zph = true`).
    Schoenfeld,
}

/// A figure request: which figure of which endpoint, its size and style. Fields not
/// given keep the figure's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FigureRequest {
    /// Which figure.
    pub kind: FigureKind,
    /// Index of the endpoint in the Report.
    pub endpoint: usize,
    /// Physical size and font size.
    #[serde(flatten)]
    pub size: FigureSize,
    /// Convenience for the page: width in cm (overrides `size.width` when given).
    pub width_cm: Option<f64>,
    /// Convenience for the page: height in cm.
    pub height_cm: Option<f64>,
    /// Title above the plot.
    pub title: Option<String>,
    /// X-axis label (without unit).
    pub x_label: Option<String>,
    /// Right end of the x axis.
    pub x_max: Option<f64>,
    /// Tick interval of the x axis.
    pub x_tick: Option<f64>,
    /// Confidence bands.
    pub show_ci: Option<bool>,
    /// Censor marks.
    pub show_censor: Option<bool>,
    /// Number-at-risk table.
    pub show_risk_table: Option<bool>,
    /// Median lines.
    pub show_median_lines: Option<bool>,
    /// Plot 1 − S.
    pub cumulative_incidence: Option<bool>,
    /// Black and white.
    pub monochrome: Option<bool>,
    /// Show the log-rank P (and the Cox HR when there is one) on the plot.
    pub show_p: Option<bool>,
}

fn arr(v: &Value, k: &str) -> Vec<f64> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

fn curves(ep: &Value, group_name: Option<&str>) -> Vec<KmCurve> {
    ep["km"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let time = arr(c, "time");
            let n_censor = arr(c, "n_censor");
            let censor_times = time
                .iter()
                .zip(&n_censor)
                .filter(|(_, &nc)| nc > 0.0)
                .map(|(&t, _)| t)
                .collect();
            KmCurve {
                label: curve_label(c, group_name),
                surv: arr(c, "surv"),
                lower: arr(c, "lower"),
                upper: arr(c, "upper"),
                n_risk: arr(c, "n_risk"),
                censor_times,
                median: c["median"].get("estimate").and_then(num),
                time,
            }
        })
        .collect()
}

/// Renders the requested figure of a Report (given as its JSON value).
///
/// # Errors
/// The endpoint does not exist, the figure needs something the Report lacks (a
/// forest plot without a Cox model), or the figure cannot be laid out at that size.
pub fn render(report: &Value, req: &FigureRequest) -> Result<Figure, String> {
    let eps = report["endpoints"].as_array().cloned().unwrap_or_default();
    let ep = eps.get(req.endpoint).ok_or_else(|| {
        format!(
            "the Report has {} endpoint(s); figure asked for endpoint {}",
            eps.len(),
            req.endpoint + 1
        )
    })?;
    let mut size = req.size.clone();
    if let Some(w) = req.width_cm {
        size.width = w;
        size.unit = crate::figure::Unit::Cm;
    }
    if req.height_cm.is_some() {
        size.height = req.height_cm;
    }
    let group_name = crate::text::group_name(report);
    let unit = ep["time_unit"].as_str().unwrap_or("").to_string();
    let name = ep["name"].as_str().unwrap_or("").to_string();
    let fig = match req.kind {
        FigureKind::Km => {
            let mut p = KmPlot {
                curves: curves(ep, group_name.as_deref()),
                time_unit: unit,
                ..Default::default()
            };
            if let Some(t) = &req.title {
                p.title = t.clone();
            }
            if let Some(x) = &req.x_label {
                p.x_label = x.clone();
            }
            p.x_max = req.x_max;
            p.x_tick = req.x_tick;
            macro_rules! opt {
                ($($f:ident),*) => { $( if let Some(v) = req.$f { p.$f = v; } )* };
            }
            opt!(
                show_ci,
                show_censor,
                show_risk_table,
                show_median_lines,
                cumulative_incidence,
                monochrome
            );
            if req.show_p.unwrap_or(true) {
                let mut lines = Vec::new();
                if let Some(t) = ep["tests"].as_array().and_then(|t| t.first()) {
                    lines.push(format!("Log-rank {}", p_phrase(t.get("p").and_then(num))));
                }
                if !lines.is_empty() {
                    p.annotation = Some(lines.join("\n"));
                }
            }
            km_plot(&p, &size)
        }
        FigureKind::Cumhaz => {
            let cs = ep["km"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| StepCurve {
                    label: curve_label(c, group_name.as_deref()),
                    time: arr(c, "time"),
                    value: arr(c, "cumhaz"),
                    lower: Vec::new(),
                    upper: Vec::new(),
                })
                .collect();
            let p = CumhazPlot {
                curves: cs,
                time_unit: unit,
                x_max: req.x_max,
                x_tick: req.x_tick,
                monochrome: req.monochrome.unwrap_or(false),
                ..Default::default()
            };
            cumhaz_plot(&p, &size)
        }
        FigureKind::Loglog => {
            let p = LoglogPlot {
                curves: curves(ep, group_name.as_deref()),
                time_unit: unit,
                monochrome: req.monochrome.unwrap_or(false),
                ..Default::default()
            };
            loglog_plot(&p, &size)
        }
        FigureKind::Schoenfeld => {
            let model = ep.get("cox").filter(|c| c.is_object()).ok_or_else(|| {
                format!(
                    "{name}: no multivariable Cox model in this Report; choose covariates first"
                )
            })?;
            let zph = model.get("zph").filter(|z| z.is_object()).ok_or_else(|| {
                format!("{name}: the proportional-hazards check was not run; turn it on (cox.zph) first")
            })?;
            let time = arr(zph, "time");
            let panels = zph["residuals"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let variable = r["variable"].as_str().unwrap_or("").to_string();
                    // The line at the fitted coefficient, for a term with one coefficient.
                    let coefs: Vec<f64> = model["terms"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|t| t["variable"].as_str() == Some(variable.as_str()))
                        .filter_map(|t| t.get("coef").and_then(num))
                        .collect();
                    SchoenfeldPanel {
                        term: variable,
                        time: time.clone(),
                        residual: arr(r, "values"),
                        coef: (coefs.len() == 1).then(|| coefs[0]),
                        ..Default::default()
                    }
                })
                .collect();
            let p = SchoenfeldPlot {
                panels,
                x_label: format!("Time ({unit})"),
                monochrome: req.monochrome.unwrap_or(false),
            };
            schoenfeld_plot(&p, &size)
        }
        FigureKind::Forest => {
            let model = ep.get("cox").filter(|c| c.is_object()).ok_or_else(|| {
                format!(
                    "{name}: no multivariable Cox model in this Report; choose covariates first"
                )
            })?;
            let rows = model["terms"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| ForestRow {
                    label: t["variable"].as_str().unwrap_or("").to_string(),
                    level: crate::text::term_level(t),
                    reference: false,
                    hazard_ratio: t.get("hazard_ratio").and_then(num),
                    lower: t.get("lower").and_then(num),
                    upper: t.get("upper").and_then(num),
                    p: t.get("p").and_then(num),
                    n: None,
                })
                .collect();
            let p = ForestPlot {
                rows,
                conf_level: 100.0 * report["conventions"]["conf_level"].as_f64().unwrap_or(0.95),
                ..Default::default()
            };
            forest_plot(&p, &size)
        }
    };
    fig.map_err(|e| format!("the figure could not be drawn: {e}"))
}
