//! From a Report to its figures: maps the Report's numbers onto the plot inputs of
//! [`crate::figure`]. The page and the CLI both call [`render`], so their figures are
//! identical.

use serde::{Deserialize, Serialize};

use crate::analysis::ANALYSES;
use crate::figure::{Figure, FigureSize};
use crate::run::Report;
use crate::text::{fin, fin_opt};

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
    /// Plot 1 − S (`cumulative_incidence` is read as this too, from older pages and
    /// saved requests).
    #[serde(alias = "cumulative_incidence")]
    pub one_minus_survival: Option<bool>,
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

pub(crate) fn pts(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|&x| pt(x)).collect()
}

pub(crate) fn pts_opt(xs: &[Option<f64>]) -> Vec<f64> {
    xs.iter().map(|&x| fin_opt(x).unwrap_or(f64::NAN)).collect()
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
    let cx = FigureContext {
        report,
        req,
        size: &size,
        group_name: crate::text::group_name(report),
    };
    for a in ANALYSES {
        if let Some(fig) = a.figure(&cx, ep) {
            return fig;
        }
    }
    Err(format!("no analysis draws the figure {:?}", req.kind))
}

/// What an analysis needs to draw one figure.
pub(crate) struct FigureContext<'a> {
    /// The whole Report (conventions, Spec).
    pub report: &'a Report,
    /// The request.
    pub req: &'a FigureRequest,
    /// The physical size, with the page's cm shortcuts applied.
    pub size: &'a FigureSize,
    /// The group variable's name, for curve labels.
    pub group_name: Option<String>,
}

/// A layout error in words.
pub(crate) fn drawn(e: crate::figure::FigureError) -> String {
    format!("the figure could not be drawn: {e}")
}
