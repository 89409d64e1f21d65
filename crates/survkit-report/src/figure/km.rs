//! Step-function plots: Kaplan–Meier survival (or cumulative incidence 1 − S) with a
//! number-at-risk table, Nelson–Aalen cumulative hazard, and log(−log S) against log time
//! for checking proportional hazards (parallel curves under PH; Klein & Moeschberger
//! 2003, §11.4).
//!
//! The risk table's columns are placed at the x-axis tick positions computed once for
//! both, so they line up by construction.

use super::layout::{
    draw_legend, fit_text, legend_rows, x_axis, y_axis, y_axis_space, y_label, Area, Canvas,
    LegendItem, Ticks, CAP, MID,
};
use super::scale::{linear_axis, log_axis, Linear, Scale};
use super::{
    group_style, text_width, Anchor, Color, Element, Figure, FigureError, FigureSize, MarkerShape,
    Stroke,
};
use serde::{Deserialize, Serialize};

/// One Kaplan–Meier curve, as estimated (one entry per distinct time, as R's `survfit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KmCurve {
    /// Group label (legend and risk-table row).
    pub label: String,
    /// Distinct follow-up times, ascending (event and censoring times).
    pub time: Vec<f64>,
    /// Survival S(t) just after each time.
    pub surv: Vec<f64>,
    /// Lower confidence limit at each time (empty: no band).
    pub lower: Vec<f64>,
    /// Upper confidence limit at each time (empty: no band).
    pub upper: Vec<f64>,
    /// Number at risk at each time (subjects with time ≥ t).
    pub n_risk: Vec<f64>,
    /// Times at which subjects were censored (marked "+" on the curve).
    pub censor_times: Vec<f64>,
    /// Median survival time, if reached (drawn when `show_median_lines`).
    pub median: Option<f64>,
}

impl KmCurve {
    /// The curve of a fitted Kaplan–Meier estimate: its times, survival, confidence
    /// limits (undefined limits are dropped from the band), numbers at risk, the
    /// times with censoring, and the median if reached.
    ///
    /// With delayed entry the risk table shows, at each tick, the number at risk at
    /// the next observed time.
    pub fn from_fit(label: &str, fit: &survkit_core::km::KmFit) -> KmCurve {
        let limit = |v: &Vec<Option<f64>>| -> Vec<f64> {
            v.iter().map(|x| x.unwrap_or(f64::NAN)).collect()
        };
        KmCurve {
            label: label.to_string(),
            time: fit.time.clone(),
            surv: fit.surv.clone(),
            lower: limit(&fit.lower),
            upper: limit(&fit.upper),
            n_risk: fit.n_risk.clone(),
            censor_times: fit
                .time
                .iter()
                .zip(&fit.n_censor)
                .filter(|(_, c)| **c > 0.0)
                .map(|(t, _)| *t)
                .collect(),
            median: fit.median.estimate,
        }
    }
}

impl StepCurve {
    /// The Nelson–Aalen cumulative hazard of a fitted Kaplan–Meier estimate (no band).
    pub fn cumhaz_from_fit(label: &str, fit: &survkit_core::km::KmFit) -> StepCurve {
        StepCurve {
            label: label.to_string(),
            time: fit.time.clone(),
            value: fit.cumhaz.clone(),
            lower: Vec::new(),
            upper: Vec::new(),
        }
    }
}

/// Options of a Kaplan–Meier figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KmPlot {
    /// The curves, one per group.
    pub curves: Vec<KmCurve>,
    /// Title above the plot (empty: none; journals usually set it in the caption).
    pub title: String,
    /// X-axis label, without unit.
    pub x_label: String,
    /// Y-axis label (empty: "Survival probability" or "Cumulative incidence", with
    /// "(%)" when `y_percent`).
    pub y_label: String,
    /// Time unit, appended to the x label in parentheses (e.g. "months").
    pub time_unit: String,
    /// Right end of the x axis (default: the next tick after the last time).
    pub x_max: Option<f64>,
    /// Tick interval on the x axis (default: a 1-2-5 step giving about six ticks).
    pub x_tick: Option<f64>,
    /// Draw confidence bands (default off, as R's `plot.survfit` for several curves).
    pub show_ci: bool,
    /// Mark censoring times with "+".
    pub show_censor: bool,
    /// Number-at-risk table under the plot.
    pub show_risk_table: bool,
    /// Dashed lines from S = 0.5 down to each median.
    pub show_median_lines: bool,
    /// Plot 1 − S instead of S (the "cumulative incidence" of one event type with no
    /// competing events; a real cumulative incidence with competing risks is not this).
    pub one_minus_survival: bool,
    /// Label the y axis in percent (0–100) instead of probability (0–1).
    pub y_percent: bool,
    /// Black lines told apart by dash patterns.
    pub monochrome: bool,
    /// Legend above the plot.
    pub show_legend: bool,
    /// Text placed in an empty corner of the plot, e.g. "Log-rank P = 0.001"; lines
    /// separated by `\n`.
    pub annotation: Option<String>,
}

impl Default for KmPlot {
    fn default() -> Self {
        KmPlot {
            curves: Vec::new(),
            title: String::new(),
            x_label: "Time".into(),
            y_label: String::new(),
            time_unit: String::new(),
            x_max: None,
            x_tick: None,
            show_ci: false,
            show_censor: true,
            show_risk_table: true,
            show_median_lines: false,
            one_minus_survival: false,
            y_percent: false,
            monochrome: false,
            show_legend: true,
            annotation: None,
        }
    }
}

/// A generic step curve (e.g. the Nelson–Aalen cumulative hazard of one group).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepCurve {
    /// Group label.
    pub label: String,
    /// Times, ascending.
    pub time: Vec<f64>,
    /// Value just after each time.
    pub value: Vec<f64>,
    /// Lower confidence limit (empty: none).
    pub lower: Vec<f64>,
    /// Upper confidence limit (empty: none).
    pub upper: Vec<f64>,
}

/// Options of a cumulative hazard figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CumhazPlot {
    /// Nelson–Aalen cumulative hazard per group (starting from 0 at time 0).
    pub curves: Vec<StepCurve>,
    /// Title (empty: none).
    pub title: String,
    /// X-axis label without unit.
    pub x_label: String,
    /// Y-axis label.
    pub y_label: String,
    /// Time unit.
    pub time_unit: String,
    /// Right end of the x axis.
    pub x_max: Option<f64>,
    /// Tick interval on the x axis.
    pub x_tick: Option<f64>,
    /// Draw confidence bands.
    pub show_ci: bool,
    /// Black and white.
    pub monochrome: bool,
}

impl Default for CumhazPlot {
    fn default() -> Self {
        CumhazPlot {
            curves: Vec::new(),
            title: String::new(),
            x_label: "Time".into(),
            y_label: "Cumulative hazard".into(),
            time_unit: String::new(),
            x_max: None,
            x_tick: None,
            show_ci: false,
            monochrome: false,
        }
    }
}

/// Options of a log(−log S(t)) against log t figure (uses each curve's `time` and `surv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoglogPlot {
    /// Kaplan–Meier curves per group.
    pub curves: Vec<KmCurve>,
    /// Title (empty: none).
    pub title: String,
    /// X-axis label without unit.
    pub x_label: String,
    /// Y-axis label.
    pub y_label: String,
    /// Time unit.
    pub time_unit: String,
    /// Black and white.
    pub monochrome: bool,
}

impl Default for LoglogPlot {
    fn default() -> Self {
        LoglogPlot {
            curves: Vec::new(),
            title: String::new(),
            x_label: "Time".into(),
            y_label: "log(\u{2212}log S(t))".into(),
            time_unit: String::new(),
            monochrome: false,
        }
    }
}

/// One series prepared for drawing: finite, sorted, right-continuous steps.
struct Series {
    label: String,
    color: Color,
    dash: Vec<f64>,
    /// (t, value) — value holds on [t, next t).
    steps: Vec<(f64, f64)>,
    /// (t, lo, hi), same convention.
    band: Vec<(f64, f64, f64)>,
    /// Censoring marks (t, value).
    censor: Vec<(f64, f64)>,
    median: Option<f64>,
    /// (time, n at risk) sorted by time, for the risk table.
    risk: Option<Vec<(f64, f64)>>,
}

enum XKind {
    Linear { max: Option<f64>, tick: Option<f64> },
    Log,
}

struct StepSpec {
    series: Vec<Series>,
    title: String,
    x_label: String,
    y_label: String,
    x: XKind,
    /// Fixed y range with its tick step, or automatic from the data.
    y_fixed: Option<(f64, f64, f64)>,
    y_from_zero: bool,
    risk_table: bool,
    median_lines: bool,
    legend: bool,
    annotation: Option<String>,
    /// Preferred annotation corners: true = prefer the bottom-left (curves falling).
    falling: bool,
    /// Height of the median line (0.5 on the plotted scale).
    median_y: f64,
    /// Document title when `title` is empty.
    meta_title: &'static str,
}

fn with_unit(label: &str, unit: &str) -> String {
    let l = label.trim();
    let u = unit.trim();
    match (l.is_empty(), u.is_empty()) {
        (_, true) => l.to_string(),
        (true, false) => format!("Time ({u})"),
        (false, false) => format!("{l} ({u})"),
    }
}

/// "Time (days, log scale)".
fn log_label(label: &str, unit: &str) -> String {
    let l = if label.trim().is_empty() {
        "Time"
    } else {
        label.trim()
    };
    if unit.trim().is_empty() {
        format!("{l} (log scale)")
    } else {
        format!("{l} ({}, log scale)", unit.trim())
    }
}

/// Sort by time and keep the points whose time and value pass `keep`.
fn sorted_indices(time: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..time.len()).filter(|&i| time[i].is_finite()).collect();
    idx.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    idx
}

/// Value of a right-continuous step function at `t` (`start` before the first step).
fn step_value(steps: &[(f64, f64)], t: f64, start: f64) -> f64 {
    let k = steps.partition_point(|(s, _)| *s <= t);
    if k == 0 {
        start
    } else {
        steps[k - 1].1
    }
}

fn km_series(curves: &[KmCurve], monochrome: bool, ci: bool, show_ci: bool, k: f64) -> Vec<Series> {
    curves
        .iter()
        .enumerate()
        .map(|(g, c)| {
            let (color, dash) = group_style(g, monochrome);
            let f = |s: f64| k * if ci { 1.0 - s } else { s };
            let idx = sorted_indices(&c.time);
            let mut steps = vec![(0.0, f(1.0))];
            let mut band = vec![(0.0, f(1.0), f(1.0))];
            let has_band =
                show_ci && c.lower.len() == c.time.len() && c.upper.len() == c.time.len();
            for &i in &idx {
                let t = c.time[i];
                let s = c.surv.get(i).copied().unwrap_or(f64::NAN);
                if t < 0.0 || !s.is_finite() {
                    continue;
                }
                steps.push((t, f(s.clamp(0.0, 1.0))));
                if has_band {
                    let (lo, hi) = (c.lower[i], c.upper[i]);
                    let (a, b) = (f(lo.clamp(0.0, 1.0)), f(hi.clamp(0.0, 1.0)));
                    if lo.is_finite() && hi.is_finite() {
                        band.push((t, a.min(b), a.max(b)));
                    } else {
                        band.push((t, f64::NAN, f64::NAN));
                    }
                }
            }
            if !has_band {
                band.clear();
            }
            let mut censor: Vec<(f64, f64)> = c
                .censor_times
                .iter()
                .copied()
                .filter(|t| t.is_finite() && *t >= 0.0)
                .map(|t| (t, step_value(&steps, t, f(1.0))))
                .collect();
            censor.sort_by(|a, b| a.0.total_cmp(&b.0));
            let risk = if c.n_risk.len() == c.time.len() && !c.time.is_empty() {
                Some(idx.iter().map(|&i| (c.time[i], c.n_risk[i])).collect())
            } else {
                None
            };
            Series {
                label: c.label.clone(),
                color,
                dash,
                steps,
                band,
                censor,
                median: c.median.filter(|m| m.is_finite() && *m >= 0.0),
                risk,
            }
        })
        .collect()
}

/// Kaplan–Meier figure: step curves starting at (0, 1), optional confidence bands,
/// censoring marks, median lines, an annotation, a legend and a number-at-risk table
/// whose columns sit at the x-axis ticks.
///
/// The number at risk at tick t is the number with follow-up time ≥ t: the `n_risk`
/// of the first listed time ≥ t, or 0 after the last time.
///
/// # Errors
/// [`FigureError`] when the size is invalid or too small for the content.
pub fn km_plot(p: &KmPlot, size: &FigureSize) -> Result<Figure, FigureError> {
    let ci = p.one_minus_survival;
    let k = if p.y_percent { 100.0 } else { 1.0 };
    let y_label = match (p.y_label.trim().is_empty(), ci, p.y_percent) {
        (false, _, _) => p.y_label.clone(),
        (true, true, false) => "Cumulative incidence".to_string(),
        (true, false, false) => "Survival probability".to_string(),
        (true, true, true) => "Cumulative incidence (%)".to_string(),
        (true, false, true) => "Survival (%)".to_string(),
    };
    let mut spec = StepSpec {
        series: km_series(&p.curves, p.monochrome, ci, p.show_ci, k),
        title: p.title.clone(),
        x_label: with_unit(&p.x_label, &p.time_unit),
        y_label,
        x: XKind::Linear {
            max: p.x_max,
            tick: p.x_tick,
        },
        y_fixed: Some((0.0, k, 0.2 * k)),
        y_from_zero: true,
        risk_table: p.show_risk_table,
        median_lines: p.show_median_lines,
        legend: p.show_legend,
        annotation: p.annotation.clone().filter(|a| !a.trim().is_empty()),
        falling: !ci,
        median_y: 0.5 * k,
        meta_title: if ci {
            "Cumulative incidence plot"
        } else {
            "Kaplan-Meier plot"
        },
    };
    if !p.show_censor {
        for s in &mut spec.series {
            s.censor.clear();
        }
    }
    step_figure(spec, size)
}

/// Cumulative hazard figure: Nelson–Aalen steps per group from 0 at time 0.
///
/// # Errors
/// [`FigureError`] when the size is invalid or too small.
pub fn cumhaz_plot(p: &CumhazPlot, size: &FigureSize) -> Result<Figure, FigureError> {
    let series = p
        .curves
        .iter()
        .enumerate()
        .map(|(g, c)| {
            let (color, dash) = group_style(g, p.monochrome);
            let idx = sorted_indices(&c.time);
            let mut steps = vec![(0.0, 0.0)];
            let mut band = vec![(0.0, 0.0, 0.0)];
            let has_band =
                p.show_ci && c.lower.len() == c.time.len() && c.upper.len() == c.time.len();
            for &i in &idx {
                let t = c.time[i];
                let v = c.value.get(i).copied().unwrap_or(f64::NAN);
                if t < 0.0 || !v.is_finite() {
                    continue;
                }
                steps.push((t, v));
                if has_band {
                    let (lo, hi) = (c.lower[i], c.upper[i]);
                    if lo.is_finite() && hi.is_finite() {
                        band.push((t, lo.min(hi), lo.max(hi)));
                    } else {
                        band.push((t, f64::NAN, f64::NAN));
                    }
                }
            }
            if !has_band {
                band.clear();
            }
            Series {
                label: c.label.clone(),
                color,
                dash,
                steps,
                band,
                censor: vec![],
                median: None,
                risk: None,
            }
        })
        .collect();
    step_figure(
        StepSpec {
            series,
            title: p.title.clone(),
            x_label: with_unit(&p.x_label, &p.time_unit),
            y_label: p.y_label.clone(),
            x: XKind::Linear {
                max: p.x_max,
                tick: p.x_tick,
            },
            y_fixed: None,
            y_from_zero: true,
            risk_table: false,
            median_lines: false,
            legend: true,
            annotation: None,
            falling: false,
            median_y: 0.5,
            meta_title: "Cumulative hazard plot",
        },
        size,
    )
}

/// log(−log S(t)) against log t, one step curve per group, at times where 0 < S < 1.
/// Roughly parallel curves support proportional hazards.
///
/// # Errors
/// [`FigureError`] when the size is invalid or too small.
pub fn loglog_plot(p: &LoglogPlot, size: &FigureSize) -> Result<Figure, FigureError> {
    let series = p
        .curves
        .iter()
        .enumerate()
        .map(|(g, c)| {
            let (color, dash) = group_style(g, p.monochrome);
            let idx = sorted_indices(&c.time);
            let mut steps = Vec::new();
            for &i in &idx {
                let t = c.time[i];
                let s = c.surv.get(i).copied().unwrap_or(f64::NAN);
                if t > 0.0 && s > 0.0 && s < 1.0 {
                    let v = (-s.ln()).ln();
                    // Keep only changes of value: the step function is the same.
                    if steps.last().is_none_or(|&(_, last): &(f64, f64)| last != v) {
                        steps.push((t, v));
                    }
                }
            }
            // Hold the last value to the last follow-up time.
            if let (Some(&(_, v)), Some(&i)) = (steps.last(), idx.last()) {
                let t = c.time[i];
                if t > steps[steps.len() - 1].0 {
                    steps.push((t, v));
                }
            }
            Series {
                label: c.label.clone(),
                color,
                dash,
                steps,
                band: vec![],
                censor: vec![],
                median: None,
                risk: None,
            }
        })
        .collect();
    step_figure(
        StepSpec {
            series,
            title: p.title.clone(),
            x_label: log_label(&p.x_label, &p.time_unit),
            y_label: p.y_label.clone(),
            x: XKind::Log,
            y_fixed: None,
            y_from_zero: false,
            risk_table: false,
            median_lines: false,
            legend: true,
            annotation: None,
            falling: false,
            median_y: 0.5,
            meta_title: "Log-minus-log survival plot",
        },
        size,
    )
}

/// Step path of `steps` up to `x_hi`, in data coordinates.
fn step_path(steps: &[(f64, f64)], x_lo: f64, x_hi: f64) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = Vec::with_capacity(steps.len() * 2);
    for (k, &(t, v)) in steps.iter().enumerate() {
        if t > x_hi {
            break;
        }
        let t = t.max(x_lo);
        if k > 0 {
            let prev = steps[k - 1].1;
            pts.push((t, prev));
        }
        pts.push((t, v));
        if let Some(&(next, _)) = steps.get(k + 1) {
            if next > x_hi {
                pts.push((x_hi, v));
            }
        }
    }
    // Drop repeated points (e.g. zero-length steps) to keep files small.
    pts.dedup();
    pts
}

/// Round a page path to 0.01 pt and drop points that repeat or lie inside a horizontal
/// or vertical run, so huge data sets give files proportional to the plot's
/// resolution rather than to the number of patients.
fn simplify(path: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let r = |v: f64| (v * 100.0).round() / 100.0;
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(path.len());
    for (x, y) in path {
        let p = (r(x), r(y));
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            if (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1) {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Confidence band polygons (one per run of finite limits), in data coordinates.
fn band_polygons(band: &[(f64, f64, f64)], end: f64, x_lo: f64, x_hi: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut upper: Vec<(f64, f64)> = Vec::new();
    let mut lower: Vec<(f64, f64)> = Vec::new();
    let flush = |upper: &mut Vec<(f64, f64)>,
                 lower: &mut Vec<(f64, f64)>,
                 out: &mut Vec<Vec<(f64, f64)>>| {
        if upper.len() >= 2 {
            let mut poly = std::mem::take(upper);
            poly.extend(lower.drain(..).rev());
            out.push(poly);
        }
        upper.clear();
        lower.clear();
    };
    for (k, &(t, lo, hi)) in band.iter().enumerate() {
        if t >= x_hi {
            break;
        }
        let t0 = t.max(x_lo);
        let t1 = band.get(k + 1).map_or(end, |b| b.0).min(x_hi);
        if !(lo.is_finite() && hi.is_finite()) {
            flush(&mut upper, &mut lower, &mut out);
            continue;
        }
        upper.push((t0, hi));
        upper.push((t1, hi));
        lower.push((t0, lo));
        lower.push((t1, lo));
    }
    flush(&mut upper, &mut lower, &mut out);
    out
}

/// Text colour for a line colour: very light colours (the palette's yellow) are
/// darkened so that text in them stays readable on white.
fn legible(c: Color) -> Color {
    let y = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    if y > 0.7 * 255.0 {
        let d = |v: u8| (f64::from(v) * 0.6).round() as u8;
        Color(d(c.0), d(c.1), d(c.2))
    } else {
        c
    }
}

/// Number at risk at `t`: n_risk of the first listed time ≥ t, or 0 after the last.
fn n_at_risk(risk: &[(f64, f64)], t: f64) -> f64 {
    let k = risk.partition_point(|(s, _)| *s < t);
    risk.get(k).map_or(0.0, |r| r.1)
}

fn fmt_count(n: f64) -> String {
    if !n.is_finite() {
        "\u{2013}".to_string()
    } else if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round() as i64)
    } else {
        format!("{n:.1}")
    }
}

fn step_figure(mut spec: StepSpec, size: &FigureSize) -> Result<Figure, FigureError> {
    let (width, height, fs) = size.resolve()?;
    let fs_tick = fs - 1.0;
    // Group labels longer than a third of the width are shortened with an ellipsis.
    for s in &mut spec.series {
        s.label = fit_text(&s.label, fs_tick, false, width / 3.0);
    }
    let outer = 0.6 * fs;
    let has_data = spec.series.iter().any(|s| !s.steps.is_empty());

    // ---- Data ranges and ticks (computed once; the risk table reuses them). ----
    let t_max = spec
        .series
        .iter()
        .flat_map(|s| s.steps.iter().map(|p| p.0))
        .fold(f64::NAN, f64::max);
    let (x_lo, x_hi, xt) = match spec.x {
        XKind::Linear { max, tick } => {
            let fixed = max.filter(|m| m.is_finite() && *m > 0.0);
            let hi = fixed.unwrap_or(if t_max.is_finite() && t_max > 0.0 {
                t_max
            } else {
                1.0
            });
            let (lo, hi, ticks, d) = linear_axis(0.0, hi, tick, fixed.is_some(), 5.0);
            (lo, hi, Ticks::linear(ticks, d))
        }
        XKind::Log => {
            let t_min = spec
                .series
                .iter()
                .flat_map(|s| s.steps.iter().map(|p| p.0))
                .filter(|t| *t > 0.0)
                .fold(f64::NAN, f64::min);
            let (lo, hi, ticks) = log_axis(t_min, t_max, false);
            (lo, hi, Ticks::log(ticks))
        }
    };
    let (y_lo, y_hi, yt) = match spec.y_fixed {
        Some((lo, hi, step)) => {
            let (lo, hi, ticks, d) = linear_axis(lo, hi, Some(step), true, 5.0);
            (lo, hi, Ticks::linear(ticks, d))
        }
        None => {
            let in_x = |t: f64| t <= x_hi;
            let vals = spec.series.iter().flat_map(|s| {
                s.steps
                    .iter()
                    .filter(move |p| in_x(p.0))
                    .map(|p| p.1)
                    .chain(
                        s.band
                            .iter()
                            .filter(move |b| in_x(b.0))
                            .flat_map(|b| [b.1, b.2]),
                    )
            });
            let (mut lo, mut hi) = vals
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            if spec.y_from_zero {
                lo = 0.0;
            }
            if !lo.is_finite() || !hi.is_finite() {
                lo = 0.0;
                hi = 1.0;
            }
            if hi <= lo {
                hi = lo + 1.0;
            }
            let (lo, hi, ticks, d) = linear_axis(lo, hi, None, false, 5.0);
            (lo, hi, Ticks::linear(ticks, d))
        }
    };

    // ---- Horizontal layout. ----
    let risk_rows: Vec<&Series> = if spec.risk_table && matches!(spec.x, XKind::Linear { .. }) {
        spec.series.iter().collect()
    } else {
        vec![]
    };
    // The risk table's cells, one column per x tick.
    let cells: Vec<Vec<String>> = risk_rows
        .iter()
        .map(|s| {
            xt.values
                .iter()
                .map(|&t| match &s.risk {
                    Some(risk) => fmt_count(n_at_risk(risk, t)),
                    None => "\u{2013}".to_string(),
                })
                .collect()
        })
        .collect();
    let col_half = |k: usize| {
        cells
            .iter()
            .filter_map(|r| r.get(k))
            .map(|s| text_width(s, fs_tick, false) / 2.0)
            .fold(0.0, f64::max)
    };
    let first_half = col_half(0);
    let last_half = col_half(xt.values.len().saturating_sub(1));
    let label_gap = 0.6 * fs;
    let y_space = y_axis_space(&yt, fs_tick, fs, !spec.y_label.is_empty());
    let risk_label_w = risk_rows
        .iter()
        .map(|s| text_width(&s.label, fs_tick, false))
        .fold(0.0, f64::max);
    let left = outer
        + if risk_rows.is_empty() {
            y_space
        } else {
            y_space.max(risk_label_w + first_half + label_gap)
        };
    let last_tick_w = xt
        .labels
        .last()
        .map_or(0.0, |l| text_width(l, fs_tick, false));
    let right_pad = (last_tick_w / 2.0).max(last_half);
    let plot_w = width - left - right_pad - outer;
    if plot_w < 6.0 * fs {
        return Err(FigureError::TooSmall(
            "the labels leave too little width for the plot; widen the figure or shorten the group labels".into(),
        ));
    }

    // ---- Vertical layout. ----
    let mut top = outer;
    let title_y = top + CAP * (fs + 1.0);
    if !spec.title.is_empty() {
        top += (fs + 1.0) * 1.6;
    }
    let items: Vec<LegendItem> = if spec.legend && spec.series.iter().any(|s| !s.label.is_empty()) {
        spec.series
            .iter()
            .map(|s| LegendItem {
                label: s.label.clone(),
                color: s.color,
                dash: s.dash.clone(),
                line_width: 1.2,
            })
            .collect()
    } else {
        vec![]
    };
    let (legend_pos, legend_nrows) = legend_rows(&items, plot_w, fs_tick);
    let legend_row_h = fs_tick * 1.5;
    let legend_top = top;
    if legend_nrows > 0 {
        top += legend_nrows as f64 * legend_row_h + 0.4 * fs;
    }
    // Half a tick label above the top tick.
    top += 0.5 * fs_tick;
    let x_ticks_h = super::layout::TICK_LEN + 2.5 + fs_tick * 1.0;
    let x_label_h = if spec.x_label.is_empty() {
        0.0
    } else {
        0.5 * fs + fs * 1.0
    };
    let row_h = fs_tick * 1.45;
    let risk_h = if risk_rows.is_empty() {
        0.0
    } else {
        1.6 * fs + fs_tick * 1.2 + risk_rows.len() as f64 * row_h
    };
    let below = x_ticks_h + x_label_h + risk_h + outer;
    let plot_h = match height {
        Some(h) => h - top - below,
        None => (plot_w * 0.6).clamp(8.0 * fs, 60.0 * fs),
    };
    if plot_h < 6.0 * fs {
        return Err(FigureError::TooSmall(format!(
            "{} groups leave too little height for the plot; make the figure taller or hide the risk table",
            spec.series.len()
        )));
    }
    let total_h = height.unwrap_or(top + plot_h + below);
    let area = Area {
        left,
        top,
        width: plot_w,
        height: plot_h,
    };
    let xs = match spec.x {
        XKind::Linear { .. } => Scale::Lin(Linear {
            d0: x_lo,
            d1: x_hi,
            p0: area.left,
            p1: area.right(),
        }),
        XKind::Log => Scale::Log(Linear {
            d0: x_lo.log10(),
            d1: x_hi.log10(),
            p0: area.left,
            p1: area.right(),
        }),
    };
    let ys = Scale::Lin(Linear {
        d0: y_lo,
        d1: y_hi,
        p0: area.bottom(),
        p1: area.top,
    });
    let px = |(t, v): (f64, f64)| (xs.map(t), ys.map(v.clamp(y_lo, y_hi)));

    let mut c = Canvas::default();
    // Bands under everything.
    for s in &spec.series {
        let end = s.steps.last().map_or(0.0, |p| p.0);
        for poly in band_polygons(&s.band, end, x_lo, x_hi) {
            c.el.push(Element::Polygon {
                points: poly.into_iter().map(px).collect(),
                fill: if s.color == Color::BLACK {
                    Color::GREY
                } else {
                    s.color
                },
                opacity: if s.color == Color::BLACK { 0.18 } else { 0.15 },
            });
        }
    }
    // Axes.
    y_axis(&mut c, &area, &ys, &yt, fs_tick);
    let tick_base = x_axis(&mut c, &area, &xs, &xt, fs_tick);
    if !spec.y_label.is_empty() {
        y_label(&mut c, &area, y_space, &spec.y_label, fs);
    }
    let x_label_base = tick_base + 0.5 * fs + CAP * fs + 0.15 * fs;
    c.text(
        area.left + area.width / 2.0,
        x_label_base,
        &spec.x_label,
        fs,
        Anchor::Middle,
    );

    // Boxes (x0, y0, x1, y1) that the annotation must avoid.
    let mut obstacles: Vec<(f64, f64, f64, f64)> = Vec::new();
    // Median lines: S = 0.5 across to the largest median, then down to the axis.
    if spec.median_lines {
        let meds: Vec<f64> = spec
            .series
            .iter()
            .filter_map(|s| s.median)
            .filter(|m| *m >= x_lo && *m <= x_hi)
            .collect();
        if let Some(mmax) = meds.iter().copied().reduce(f64::max) {
            let st = Stroke {
                color: Color::GREY,
                width: 0.6,
                dash: vec![3.0, 2.0],
            };
            let (x0, y0) = px((x_lo, spec.median_y));
            let (x1, _) = px((mmax, spec.median_y));
            c.line(x0, y0, x1, y0, st.clone());
            obstacles.push((x0, y0, x1, y0));
            for m in meds {
                let (x, _) = px((m, spec.median_y));
                c.line(x, y0, x, area.bottom(), st.clone());
                obstacles.push((x, y0, x, area.bottom()));
            }
        }
    }

    // Curves and censoring marks.
    for s in &spec.series {
        let path = simplify(
            step_path(&s.steps, x_lo, x_hi)
                .into_iter()
                .map(px)
                .collect(),
        );
        for w in path.windows(2) {
            obstacles.push((
                w[0].0.min(w[1].0),
                w[0].1.min(w[1].1),
                w[0].0.max(w[1].0),
                w[0].1.max(w[1].1),
            ));
        }
        if path.len() == 1 {
            obstacles.push((path[0].0, path[0].1, path[0].0, path[0].1));
        }
        c.el.push(Element::Polyline {
            points: path,
            stroke: Stroke {
                color: s.color,
                width: 1.2,
                dash: s.dash.clone(),
            },
        });
    }
    let mark = (0.5 * fs).max(3.0);
    for s in &spec.series {
        let mut last: Option<(f64, f64)> = None;
        for &(t, v) in &s.censor {
            if t > x_hi {
                break;
            }
            let (x, y) = px((t, v));
            // Marks closer than a tenth of their size print as one; keep one.
            if last
                .is_some_and(|(lx, ly)| (x - lx).abs() < 0.1 * mark && (y - ly).abs() < 0.1 * mark)
            {
                continue;
            }
            last = Some((x, y));
            c.el.push(Element::Marker {
                x,
                y,
                shape: MarkerShape::Plus,
                size: mark,
                color: s.color,
            });
        }
    }
    if !has_data {
        c.text(
            area.left + area.width / 2.0,
            area.top + area.height / 2.0,
            "No data to plot",
            fs,
            Anchor::Middle,
        );
    }

    // Annotation in the first corner that no curve crosses.
    if let Some(a) = &spec.annotation {
        let lines: Vec<&str> = a.lines().collect();
        let w = lines
            .iter()
            .map(|l| text_width(l, fs, false))
            .fold(0.0, f64::max);
        let lh = fs * 1.3;
        let h = lines.len() as f64 * lh;
        let pad = 0.8 * fs;
        let x_l = area.left + pad;
        let x_r = area.right() - pad - w;
        let y_t = area.top + pad;
        let y_b = area.bottom() - pad - h;
        let corners = if spec.falling {
            [(x_l, y_b), (x_r, y_t), (x_r, y_b), (x_l, y_t)]
        } else {
            [(x_l, y_t), (x_r, y_b), (x_r, y_t), (x_l, y_b)]
        };
        let m = 2.0;
        let free = |(x, y): (f64, f64)| {
            !obstacles.iter().any(|&(a0, b0, a1, b1)| {
                a1 >= x - m && a0 <= x + w + m && b1 >= y - m && b0 <= y + h + m
            })
        };
        let (ax, ay) = corners
            .iter()
            .copied()
            .find(|c| free(*c))
            .unwrap_or(corners[0]);
        for (i, l) in lines.iter().enumerate() {
            c.text(
                ax,
                ay + i as f64 * lh + CAP * fs + 0.1 * fs,
                l,
                fs,
                Anchor::Start,
            );
        }
    }

    // Legend above the plot.
    if !items.is_empty() {
        draw_legend(
            &mut c,
            &items,
            &legend_pos,
            area.left,
            legend_top,
            fs_tick,
            legend_row_h,
        );
    }
    if !spec.title.is_empty() {
        c.text_styled(
            outer,
            title_y,
            &spec.title,
            fs + 1.0,
            Anchor::Start,
            true,
            Color::BLACK,
            false,
        );
    }

    // Number-at-risk table: one column per x tick (the same positions as the axis).
    if !risk_rows.is_empty() {
        let head_base = x_label_base + 1.6 * fs + CAP * fs_tick;
        c.text_styled(
            outer,
            head_base,
            "Number at risk",
            fs_tick,
            Anchor::Start,
            true,
            Color::BLACK,
            false,
        );
        for (r, s) in risk_rows.iter().enumerate() {
            let base = head_base + fs_tick * 1.2 + r as f64 * row_h + MID * fs_tick + 0.3 * fs_tick;
            c.text_styled(
                area.left - first_half - label_gap,
                base,
                &s.label,
                fs_tick,
                Anchor::End,
                false,
                legible(s.color),
                false,
            );
            for (t, n) in xt.values.iter().zip(&cells[r]) {
                c.text(xs.map(*t), base, n, fs_tick, Anchor::Middle);
            }
        }
    }

    let title = if spec.title.is_empty() {
        spec.meta_title.to_string()
    } else {
        spec.title.clone()
    };
    Ok(Figure {
        width,
        height: total_h,
        unit: size.unit,
        elements: c.el,
        title,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_lookup_is_first_time_at_or_after_tick() {
        let risk = vec![(1.0, 10.0), (3.0, 8.0), (5.0, 4.0)];
        assert_eq!(n_at_risk(&risk, 0.0), 10.0);
        assert_eq!(n_at_risk(&risk, 1.0), 10.0);
        assert_eq!(n_at_risk(&risk, 2.0), 8.0);
        assert_eq!(n_at_risk(&risk, 5.0), 4.0);
        assert_eq!(n_at_risk(&risk, 5.5), 0.0);
    }

    #[test]
    fn steps_are_right_continuous_and_truncated() {
        let steps = vec![(0.0, 1.0), (2.0, 0.5), (4.0, 0.25)];
        let p = step_path(&steps, 0.0, 3.0);
        assert_eq!(p, vec![(0.0, 1.0), (2.0, 1.0), (2.0, 0.5), (3.0, 0.5)]);
        assert_eq!(step_value(&steps, 2.0, 1.0), 0.5);
        assert_eq!(step_value(&steps, 1.9, 1.0), 1.0);
    }

    #[test]
    fn simplify_merges_runs() {
        let p = vec![
            (0.0, 1.0),
            (1.0, 1.0),
            (2.0, 1.0),
            (2.0, 0.5),
            (2.0, 0.2),
            (2.001, 0.2),
            (3.0, 0.2),
        ];
        assert_eq!(
            simplify(p),
            vec![(0.0, 1.0), (2.0, 1.0), (2.0, 0.2), (3.0, 0.2)]
        );
    }

    #[test]
    fn band_splits_at_missing_limits() {
        let band = vec![
            (0.0, 1.0, 1.0),
            (1.0, 0.5, 0.9),
            (2.0, f64::NAN, f64::NAN),
            (3.0, 0.1, 0.3),
        ];
        let polys = band_polygons(&band, 4.0, 0.0, 10.0);
        assert_eq!(polys.len(), 2);
        assert_eq!(polys[0].len(), 8);
    }
}
