//! From a Report to its figures: maps the Report's numbers onto the plot inputs of
//! [`crate::figure`]. The page and the CLI both call [`render`], so their figures are
//! identical.

use serde::{Deserialize, Serialize};

use crate::figure::{
    cumhaz_plot, forest_plot, km_plot, loglog_plot, schoenfeld_plot, CumhazPlot, Figure,
    FigureSize, ForestPlot, ForestRow, KmCurve, KmPlot, LoglogPlot, SchoenfeldPanel,
    SchoenfeldPlot, StepCurve,
};
use crate::run::{EndpointReport, Report};
use crate::text::{curve_label, fin, fin_opt, p_phrase};

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

/// A plotted number: NaN where the Report has none (non-finite values are `null` in
/// its JSON).
fn pt(x: f64) -> f64 {
    fin(x).unwrap_or(f64::NAN)
}

fn pts(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|&x| pt(x)).collect()
}

fn pts_opt(xs: &[Option<f64>]) -> Vec<f64> {
    xs.iter().map(|&x| fin_opt(x).unwrap_or(f64::NAN)).collect()
}

fn curves(ep: &EndpointReport, group_name: Option<&str>) -> Vec<KmCurve> {
    ep.survival
        .km
        .iter()
        .map(|c| {
            let f = &c.fit;
            let time = pts(&f.time);
            let censor_times = time
                .iter()
                .zip(&f.n_censor)
                .filter(|(_, &nc)| nc > 0.0)
                .map(|(&t, _)| t)
                .collect();
            KmCurve {
                label: curve_label(c, group_name),
                surv: pts(&f.surv),
                lower: pts_opt(&f.lower),
                upper: pts_opt(&f.upper),
                n_risk: pts(&f.n_risk),
                censor_times,
                median: fin_opt(f.median.estimate),
                time,
            }
        })
        .collect()
}

/// Renders the requested figure of a Report.
///
/// # Errors
/// The endpoint does not exist, the figure needs something the Report lacks (a
/// forest plot without a Cox model), or the figure cannot be laid out at that size.
pub fn render(report: &Report, req: &FigureRequest) -> Result<Figure, String> {
    let eps = &report.endpoints;
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
    let unit = ep.time_unit.clone();
    let name = ep.name.clone();
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
                if let Some(t) = ep.survival.tests.first() {
                    lines.push(format!("Log-rank {}", p_phrase(fin(t.p))));
                }
                if !lines.is_empty() {
                    p.annotation = Some(lines.join("\n"));
                }
            }
            km_plot(&p, &size)
        }
        FigureKind::Cumhaz => {
            let cs = ep
                .survival
                .km
                .iter()
                .map(|c| StepCurve {
                    label: curve_label(c, group_name.as_deref()),
                    time: pts(&c.fit.time),
                    value: pts(&c.fit.cumhaz),
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
            let model = ep.cox.cox.as_ref().ok_or_else(|| {
                format!(
                    "{name}: no multivariable Cox model in this Report; choose covariates first"
                )
            })?;
            let zph = model.zph.as_ref().ok_or_else(|| {
                format!("{name}: the proportional-hazards check was not run; turn it on (cox.zph) first")
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
                x_label: format!("Time ({unit})"),
                monochrome: req.monochrome.unwrap_or(false),
            };
            schoenfeld_plot(&p, &size)
        }
        FigureKind::Forest => {
            let model = ep.cox.cox.as_ref().ok_or_else(|| {
                format!(
                    "{name}: no multivariable Cox model in this Report; choose covariates first"
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
                conf_level: 100.0 * report.conventions.conf_level,
                ..Default::default()
            };
            forest_plot(&p, &size)
        }
    };
    fig.map_err(|e| format!("the figure could not be drawn: {e}"))
}
