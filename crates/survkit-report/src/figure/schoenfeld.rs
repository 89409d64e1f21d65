//! Scaled Schoenfeld residual plot for checking proportional hazards (Grambsch &
//! Therneau 1994): one panel per term, residuals β̂ + scaled residual against
//! (transformed) time, with a smooth curve — supplied by the caller, or a running mean
//! over about a fifth of the points — and the estimate β̂ as a dashed reference line.
//! A curve that wanders away from a horizontal line suggests a time-varying effect.

use super::layout::{x_axis, y_axis, y_axis_space, y_label, Area, Canvas, Ticks, CAP};
use super::scale::{linear_axis, Linear, Scale};
use super::{
    Anchor, Color, Element, Figure, FigureError, FigureSize, MarkerShape, Stroke, OKABE_ITO,
};
use serde::{Deserialize, Serialize};

/// One term's residuals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchoenfeldPanel {
    /// Term name (panel title and y label "Beta(t) for ...").
    pub term: String,
    /// (Transformed) event times, one per residual.
    pub time: Vec<f64>,
    /// Scaled Schoenfeld residuals plus the coefficient.
    pub residual: Vec<f64>,
    /// Smooth curve x (empty: running mean of the residuals).
    pub smooth_time: Vec<f64>,
    /// Smooth curve y.
    pub smooth: Vec<f64>,
    /// Lower pointwise band of the smooth (e.g. −2 SE), same length as `smooth_time`;
    /// drawn dashed when given.
    pub smooth_lower: Vec<f64>,
    /// Upper pointwise band of the smooth.
    pub smooth_upper: Vec<f64>,
    /// The coefficient estimate, drawn as a dashed horizontal line.
    pub coef: Option<f64>,
}

/// Options of a Schoenfeld residual figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchoenfeldPlot {
    /// One panel per term.
    pub panels: Vec<SchoenfeldPanel>,
    /// X-axis label (e.g. "Time" or "KM-transformed time").
    pub x_label: String,
    /// Black and white.
    pub monochrome: bool,
}

impl Default for SchoenfeldPlot {
    fn default() -> Self {
        SchoenfeldPlot {
            panels: Vec::new(),
            x_label: "Time".into(),
            monochrome: false,
        }
    }
}

/// Running mean over a window of about a fifth of the points (at least 3), computed
/// with prefix sums on the time-sorted points.
fn running_mean(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let n = pts.len();
    if n < 3 {
        return pts.to_vec();
    }
    let half = (n / 10).max(1);
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for p in pts {
        prefix.push(prefix[prefix.len() - 1] + p.1);
    }
    (0..n)
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half + 1).min(n);
            (pts[i].0, (prefix[b] - prefix[a]) / (b - a) as f64)
        })
        .collect()
}

/// Scaled Schoenfeld residuals, one panel per term in a grid.
///
/// # Errors
/// [`FigureError`] when the size is invalid or too small for the panels.
pub fn schoenfeld_plot(p: &SchoenfeldPlot, size: &FigureSize) -> Result<Figure, FigureError> {
    let (width, height, fs) = size.resolve()?;
    let fs_tick = fs - 1.0;
    let outer = 0.6 * fs;
    let n = p.panels.len().max(1);
    let ncol = (n as f64).sqrt().ceil() as usize;
    let nrow = n.div_ceil(ncol);
    let cell_w = (width - 2.0 * outer) / ncol as f64;
    let cell_h = match height {
        Some(h) => (h - 2.0 * outer) / nrow as f64,
        None => cell_w * 0.75,
    };
    let total_h = height.unwrap_or(cell_h * nrow as f64 + 2.0 * outer);
    let (point_color, line_color) = if p.monochrome {
        (Color::GREY, Color::BLACK)
    } else {
        (Color(0x80, 0x80, 0x80), OKABE_ITO[0])
    };
    let mut c = Canvas::default();
    if p.panels.is_empty() {
        c.text(
            width / 2.0,
            total_h / 2.0,
            "No terms to plot",
            fs,
            Anchor::Middle,
        );
    }
    for (k, panel) in p.panels.iter().enumerate() {
        let (col, row) = (k % ncol, k / ncol);
        let cx = outer + col as f64 * cell_w;
        let cy = outer + row as f64 * cell_h;
        let mut pts: Vec<(f64, f64)> = panel
            .time
            .iter()
            .zip(&panel.residual)
            .map(|(t, r)| (*t, *r))
            .filter(|(t, r)| t.is_finite() && r.is_finite())
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let smooth: Vec<(f64, f64)> =
            if !panel.smooth.is_empty() && panel.smooth.len() == panel.smooth_time.len() {
                let mut s: Vec<(f64, f64)> = panel
                    .smooth_time
                    .iter()
                    .zip(&panel.smooth)
                    .map(|(t, v)| (*t, *v))
                    .filter(|(t, v)| t.is_finite() && v.is_finite())
                    .collect();
                s.sort_by(|a, b| a.0.total_cmp(&b.0));
                s
            } else {
                running_mean(&pts)
            };
        // Optional dashed band around a supplied smooth.
        let band_line = |v: &Vec<f64>| -> Vec<(f64, f64)> {
            if v.len() != panel.smooth_time.len() || panel.smooth.len() != v.len() {
                return Vec::new();
            }
            let mut b: Vec<(f64, f64)> = panel
                .smooth_time
                .iter()
                .zip(v)
                .map(|(t, y)| (*t, *y))
                .filter(|(t, y)| t.is_finite() && y.is_finite())
                .collect();
            b.sort_by(|a, b| a.0.total_cmp(&b.0));
            b
        };
        let bands = [
            band_line(&panel.smooth_lower),
            band_line(&panel.smooth_upper),
        ];
        let (xmin, xmax) = pts
            .iter()
            .chain(&smooth)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.0), b.max(p.0))
            });
        let coef = panel.coef.filter(|v| v.is_finite());
        let (ymin, ymax) = pts
            .iter()
            .chain(&smooth)
            .chain(bands.iter().flatten())
            .map(|p| p.1)
            .chain(coef)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let (x_lo, x_hi, xt, xd) = if xmin.is_finite() {
            linear_axis(xmin.min(0.0f64.max(xmin)), xmax, None, false, 4.0)
        } else {
            linear_axis(0.0, 1.0, None, false, 4.0)
        };
        let (y_lo, y_hi, yt, yd) = if ymin.is_finite() {
            let pad = if ymax > ymin { 0.0 } else { 1.0 };
            linear_axis(ymin - pad, ymax + pad, None, false, 4.0)
        } else {
            linear_axis(-1.0, 1.0, None, false, 4.0)
        };
        let xt = Ticks::linear(xt, xd);
        let yt = Ticks::linear(yt, yd);
        let ylab = format!("Beta(t) for {}", panel.term);
        let y_space = y_axis_space(&yt, fs_tick, fs, true);
        let area = Area {
            left: cx + y_space,
            top: cy + fs * 1.8,
            width: cell_w - y_space - fs,
            height: cell_h
                - fs * 1.8
                - (super::layout::TICK_LEN + 2.5 + fs_tick + 0.5 * fs + fs + fs),
        };
        if area.width < 3.0 * fs || area.height < 3.0 * fs {
            return Err(FigureError::TooSmall(format!(
                "{} panels need a larger figure",
                p.panels.len()
            )));
        }
        let xs = Scale::Lin(Linear {
            d0: x_lo,
            d1: x_hi,
            p0: area.left,
            p1: area.right(),
        });
        let ys = Scale::Lin(Linear {
            d0: y_lo,
            d1: y_hi,
            p0: area.bottom(),
            p1: area.top,
        });
        c.text_styled(
            area.left,
            cy + CAP * fs + 0.3 * fs,
            &panel.term,
            fs,
            Anchor::Start,
            true,
            Color::BLACK,
            false,
        );
        y_axis(&mut c, &area, &ys, &yt, fs_tick);
        let base = x_axis(&mut c, &area, &xs, &xt, fs_tick);
        y_label(&mut c, &area, y_space, &ylab, fs);
        c.text(
            area.left + area.width / 2.0,
            base + 0.5 * fs + CAP * fs + 0.15 * fs,
            &p.x_label,
            fs,
            Anchor::Middle,
        );
        if let Some(b) = coef {
            let y = ys.map(b);
            c.line(
                area.left,
                y,
                area.right(),
                y,
                Stroke {
                    color: Color::DARK_GREY,
                    width: 0.6,
                    dash: vec![3.0, 2.0],
                },
            );
        }
        for &(t, r) in &pts {
            c.el.push(Element::Marker {
                x: xs.map(t),
                y: ys.map(r),
                shape: MarkerShape::Circle,
                size: 0.4 * fs,
                color: point_color,
            });
        }
        for b in bands.iter().filter(|b| b.len() >= 2) {
            c.el.push(Element::Polyline {
                points: b.iter().map(|&(t, v)| (xs.map(t), ys.map(v))).collect(),
                stroke: Stroke {
                    color: line_color,
                    width: 0.8,
                    dash: vec![4.0, 2.0],
                },
            });
        }
        if smooth.len() >= 2 {
            c.el.push(Element::Polyline {
                points: smooth
                    .iter()
                    .map(|&(t, v)| (xs.map(t), ys.map(v)))
                    .collect(),
                stroke: Stroke::solid(line_color, 1.2),
            });
        }
    }
    Ok(Figure {
        width,
        height: total_h,
        unit: size.unit,
        elements: c.el,
        title: "Scaled Schoenfeld residuals".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_mean_is_local_average() {
        let pts: Vec<(f64, f64)> = (0..5).map(|i| (i as f64, i as f64)).collect();
        let m = running_mean(&pts);
        assert_eq!(m[0], (0.0, 0.5));
        assert_eq!(m[2], (2.0, 2.0));
    }
}
