//! Forest plot of Cox hazard ratios: one row per term (categorical variables get a
//! header row and one indented row per level, the reference level marked), a point
//! estimate with its confidence interval on a log axis, a line at HR = 1, and
//! "HR (95% CI)" and P columns.

use super::layout::{fit_text, x_axis, Area, Canvas, Ticks, CAP, MID};
use super::scale::{log_axis, Linear, Scale};
use super::{
    text_width, Anchor, Color, Element, Figure, FigureError, FigureSize, MarkerShape, Stroke,
};
use serde::{Deserialize, Serialize};

/// One term of a Cox model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestRow {
    /// Variable name.
    pub label: String,
    /// Level of a categorical variable (empty for numeric terms).
    pub level: String,
    /// This row is the reference level (no estimate drawn).
    pub reference: bool,
    /// Hazard ratio exp(β).
    pub hazard_ratio: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Wald p-value.
    pub p: Option<f64>,
    /// Number of patients (e.g. in this level).
    pub n: Option<f64>,
}

/// Options of a forest plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestPlot {
    /// Rows, top to bottom.
    pub rows: Vec<ForestRow>,
    /// Title (empty: none).
    pub title: String,
    /// Header of the label column.
    pub label_header: String,
    /// X-axis label.
    pub x_label: String,
    /// Confidence level in percent, for the column header.
    pub conf_level: f64,
}

impl Default for ForestPlot {
    fn default() -> Self {
        ForestPlot {
            rows: Vec::new(),
            title: String::new(),
            label_header: "Variable".into(),
            x_label: "Hazard ratio (log scale)".into(),
            conf_level: 95.0,
        }
    }
}

/// Journal style: "< 0.001", otherwise three decimals.
pub(crate) fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        String::new()
    } else if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{:.3}", p.min(1.0))
    }
}

fn fmt_ratio(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        "NA".into()
    } else if !(0.01..1000.0).contains(&v) {
        format!("{v:.1e}")
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn pos(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0)
}

struct Line {
    text: String,
    indent: bool,
    bold: bool,
    row: Option<ForestRow>,
}

/// Forest plot of hazard ratios on a log axis with HR (CI) and P columns.
///
/// Non-finite or non-positive limits are dropped; an interval running past the axis
/// (the axis stays within 0.01–100) ends in an arrow.
///
/// # Errors
/// [`FigureError`] when the size is invalid or too small for the rows.
pub fn forest_plot(p: &ForestPlot, size: &FigureSize) -> Result<Figure, FigureError> {
    let (width, height, fs) = size.resolve()?;
    let fs_tick = fs - 1.0;
    let outer = 0.6 * fs;
    let gap = fs;

    // Display lines: categorical variables get a header line, then indented levels.
    let mut lines: Vec<Line> = Vec::new();
    let mut prev_label: Option<&str> = None;
    for r in &p.rows {
        if r.level.is_empty() {
            lines.push(Line {
                text: r.label.clone(),
                indent: false,
                bold: false,
                row: Some(r.clone()),
            });
            prev_label = None;
        } else {
            if prev_label != Some(r.label.as_str()) {
                lines.push(Line {
                    text: r.label.clone(),
                    indent: false,
                    bold: false,
                    row: None,
                });
            }
            lines.push(Line {
                text: r.level.clone(),
                indent: true,
                bold: false,
                row: Some(r.clone()),
            });
            prev_label = Some(r.label.as_str());
        }
    }
    let show_n = p.rows.iter().any(|r| r.n.is_some_and(f64::is_finite));
    let conf = if p.conf_level.is_finite() && p.conf_level > 0.0 && p.conf_level < 100.0 {
        p.conf_level
    } else {
        95.0
    };
    let hr_header = format!("HR ({}% CI)", trim_num(conf));
    let hr_text = |r: &ForestRow| -> String {
        if r.reference {
            return "Reference".into();
        }
        match pos(r.hazard_ratio) {
            None => "NA".into(),
            Some(hr) => format!(
                "{} ({}\u{2013}{})",
                fmt_ratio(hr),
                fmt_ratio(r.lower.unwrap_or(f64::NAN)),
                fmt_ratio(r.upper.unwrap_or(f64::NAN))
            ),
        }
    };
    let indent = fs;
    // Labels longer than 40% of the width are shortened with an ellipsis.
    for l in &mut lines {
        let max_w = 0.4 * width - if l.indent { indent } else { 0.0 };
        l.text = fit_text(&l.text, fs, l.bold, max_w);
    }
    let label_w = lines
        .iter()
        .map(|l| text_width(&l.text, fs, l.bold) + if l.indent { indent } else { 0.0 })
        .fold(text_width(&p.label_header, fs, true), f64::max);
    let n_w = lines
        .iter()
        .filter_map(|l| l.row.as_ref().and_then(|r| r.n))
        .map(|n| text_width(&fmt_n(n), fs, false))
        .fold(text_width("N", fs, true), f64::max);
    let hr_w = lines
        .iter()
        .filter_map(|l| l.row.as_ref().map(&hr_text))
        .map(|t| text_width(&t, fs, false))
        .fold(text_width(&hr_header, fs, true), f64::max);
    let p_w = lines
        .iter()
        .filter_map(|l| l.row.as_ref().and_then(|r| r.p))
        .map(|v| text_width(&fmt_p(v), fs, false))
        .fold(text_width("P", fs, true), f64::max);
    let min_plot = 5.0 * fs;
    let fixed = outer + label_w + gap + gap + hr_w + gap + p_w + outer;
    // Drop the N column when the figure is too narrow for it.
    let show_n = show_n && width - fixed - n_w - gap >= min_plot;
    let n_right = outer + label_w + gap + n_w;
    let plot_left = if show_n {
        n_right + gap
    } else {
        outer + label_w + gap
    };
    let plot_w = width - outer - p_w - gap - hr_w - gap - plot_left;
    if plot_w < min_plot {
        return Err(FigureError::TooSmall(
            "the text columns leave too little width for the plot; widen the figure or shorten the labels".into(),
        ));
    }
    let hr_left = plot_left + plot_w + gap;
    let p_right = width - outer;

    // Vertical layout.
    let mut top = outer;
    let title_base = top + CAP * (fs + 1.0);
    if !p.title.is_empty() {
        top += (fs + 1.0) * 1.6;
    }
    let header_base = top + CAP * fs;
    top += fs * 1.7;
    let axis_h = super::layout::TICK_LEN + 2.5 + fs_tick + 0.5 * fs + fs + outer;
    let n_lines = lines.len().max(1) as f64;
    let row_h = match height {
        Some(h) => (h - top - axis_h) / n_lines,
        None => fs * 1.7,
    };
    if row_h < fs * 1.15 {
        return Err(FigureError::TooSmall(format!(
            "{} rows need a taller figure",
            lines.len()
        )));
    }
    let area = Area {
        left: plot_left,
        top,
        width: plot_w,
        height: n_lines * row_h,
    };
    let total_h = height.unwrap_or(area.bottom() + axis_h);

    // Log axis over the finite estimates and limits, always including 1.
    let (mut lo, mut hi) = (1.0f64, 1.0f64);
    for r in p.rows.iter().filter(|r| !r.reference) {
        for v in [r.hazard_ratio, r.lower, r.upper]
            .into_iter()
            .filter_map(pos)
        {
            let v = v.clamp(0.01, 100.0);
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if hi / lo < 1.5 {
        lo = lo.min(1.0 / 1.25);
        hi = hi.max(1.25);
    }
    let (ax_lo, ax_hi, ticks) = log_axis(lo, hi, true);
    let ticks = Ticks::log(ticks);
    let xs = Scale::Log(Linear {
        d0: ax_lo.log10(),
        d1: ax_hi.log10(),
        p0: area.left,
        p1: area.right(),
    });

    let mut c = Canvas::default();
    if !p.title.is_empty() {
        c.text_styled(
            outer,
            title_base,
            &p.title,
            fs + 1.0,
            Anchor::Start,
            true,
            Color::BLACK,
            false,
        );
    }
    // Column headers.
    c.text_styled(
        outer,
        header_base,
        &p.label_header,
        fs,
        Anchor::Start,
        true,
        Color::BLACK,
        false,
    );
    if show_n {
        c.text_styled(
            n_right,
            header_base,
            "N",
            fs,
            Anchor::End,
            true,
            Color::BLACK,
            false,
        );
    }
    c.text_styled(
        hr_left,
        header_base,
        &hr_header,
        fs,
        Anchor::Start,
        true,
        Color::BLACK,
        false,
    );
    c.text_styled(
        p_right,
        header_base,
        "P",
        fs,
        Anchor::End,
        true,
        Color::BLACK,
        false,
    );
    // Rule under the headers.
    c.line(
        outer,
        top - 0.45 * fs,
        p_right,
        top - 0.45 * fs,
        Stroke::solid(Color::BLACK, 0.5),
    );

    // Reference line at HR = 1.
    let x1 = xs.map(1.0);
    c.line(
        x1,
        area.top,
        x1,
        area.bottom(),
        Stroke {
            color: Color::GREY,
            width: 0.6,
            dash: vec![3.0, 2.0],
        },
    );
    x_axis(&mut c, &area, &xs, &ticks, fs_tick);
    let tick_base = area.bottom() + super::layout::TICK_LEN + 2.5 + CAP * fs_tick;
    c.text(
        area.left + area.width / 2.0,
        tick_base + 0.5 * fs + CAP * fs + 0.15 * fs,
        &p.x_label,
        fs,
        Anchor::Middle,
    );

    if lines.is_empty() {
        c.text(
            area.left + area.width / 2.0,
            area.top + row_h / 2.0 + MID * fs,
            "No terms to plot",
            fs,
            Anchor::Middle,
        );
    }
    let ink = Color::BLACK;
    for (i, l) in lines.iter().enumerate() {
        let ymid = area.top + (i as f64 + 0.5) * row_h;
        let base = ymid + MID * fs;
        let lx = outer + if l.indent { indent } else { 0.0 };
        c.text_styled(
            lx,
            base,
            &l.text,
            fs,
            Anchor::Start,
            l.bold,
            Color::BLACK,
            false,
        );
        let Some(r) = &l.row else { continue };
        if show_n {
            if let Some(n) = r.n.filter(|n| n.is_finite()) {
                c.text(n_right, base, &fmt_n(n), fs, Anchor::End);
            }
        }
        c.text(hr_left, base, &hr_text(r), fs, Anchor::Start);
        if let Some(pv) = r.p {
            if !r.reference {
                c.text(p_right, base, &fmt_p(pv), fs, Anchor::End);
            }
        }
        if r.reference {
            continue;
        }
        let Some(hr) = pos(r.hazard_ratio) else {
            continue;
        };
        // Interval, clipped to the axis with arrows where it runs past.
        let lo_v = r
            .lower
            .filter(|v| !v.is_nan())
            .map(|v| if v <= 0.0 { 0.0 } else { v });
        let hi_v = r.upper.filter(|v| !v.is_nan());
        if let (Some(lv), Some(uv)) = (lo_v, hi_v) {
            let left_clip = lv < ax_lo;
            let right_clip = uv > ax_hi;
            let xa = xs.map(lv.max(ax_lo));
            let xb = xs.map(uv.min(ax_hi));
            c.line(xa, ymid, xb, ymid, Stroke::solid(ink, 0.9));
            let ah = 0.3 * fs;
            if left_clip {
                c.el.push(Element::Polygon {
                    points: vec![
                        (xa, ymid),
                        (xa + ah * 1.6, ymid - ah),
                        (xa + ah * 1.6, ymid + ah),
                    ],
                    fill: ink,
                    opacity: 1.0,
                });
            }
            if right_clip {
                c.el.push(Element::Polygon {
                    points: vec![
                        (xb, ymid),
                        (xb - ah * 1.6, ymid - ah),
                        (xb - ah * 1.6, ymid + ah),
                    ],
                    fill: ink,
                    opacity: 1.0,
                });
            }
        }
        if hr >= ax_lo && hr <= ax_hi {
            c.el.push(Element::Marker {
                x: xs.map(hr),
                y: ymid,
                shape: MarkerShape::Square,
                size: 0.6 * fs,
                color: ink,
            });
        }
    }

    Ok(Figure {
        width,
        height: total_h,
        unit: size.unit,
        elements: c.el,
        title: if p.title.is_empty() {
            "Forest plot".into()
        } else {
            p.title.clone()
        },
    })
}

fn fmt_n(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round() as i64)
    } else {
        format!("{n:.1}")
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_journal_style() {
        assert_eq!(fmt_p(0.0004), "< 0.001");
        assert_eq!(fmt_p(0.0291), "0.029");
        assert_eq!(fmt_p(f64::NAN), "");
    }
}
