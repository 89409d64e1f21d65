//! Shared layout helpers: an element list with drawing shorthands, axes, legends.

use super::scale::{fmt_log_tick, fmt_num, Scale};
use super::{text_width, Anchor, Color, Element, Stroke};

/// Axis line width and tick length, in points.
pub(crate) const AXIS_WIDTH: f64 = 0.6;
pub(crate) const TICK_LEN: f64 = 3.0;
/// Fraction of the font size from the baseline to the middle of digits/capitals.
pub(crate) const MID: f64 = 0.36;
/// Cap height of Helvetica (718/1000 em).
pub(crate) const CAP: f64 = 0.718;

/// The rectangle of a plotting area.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Area {
    pub fn right(&self) -> f64 {
        self.left + self.width
    }
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }
}

#[derive(Default)]
pub(crate) struct Canvas {
    pub el: Vec<Element>,
}

impl Canvas {
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: Stroke) {
        self.el.push(Element::Line {
            x1,
            y1,
            x2,
            y2,
            stroke,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text_styled(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        size: f64,
        anchor: Anchor,
        bold: bool,
        color: Color,
        vertical: bool,
    ) {
        if text.is_empty() {
            return;
        }
        self.el.push(Element::Text {
            x,
            y,
            text: text.to_string(),
            size,
            anchor,
            bold,
            color,
            vertical,
        });
    }

    pub fn text(&mut self, x: f64, y: f64, text: &str, size: f64, anchor: Anchor) {
        self.text_styled(x, y, text, size, anchor, false, Color::BLACK, false);
    }
}

/// Tick positions and labels of one axis.
pub(crate) struct Ticks {
    pub values: Vec<f64>,
    pub labels: Vec<String>,
}

impl Ticks {
    pub fn linear(values: Vec<f64>, decimals: usize) -> Ticks {
        let labels = values.iter().map(|v| fmt_num(*v, decimals)).collect();
        Ticks { values, labels }
    }
    pub fn log(values: Vec<f64>) -> Ticks {
        let labels = values.iter().map(|v| fmt_log_tick(*v)).collect();
        Ticks { values, labels }
    }
    pub fn max_width(&self, size: f64) -> f64 {
        self.labels
            .iter()
            .map(|l| text_width(l, size, false))
            .fold(0.0, f64::max)
    }
}

fn axis_stroke() -> Stroke {
    Stroke::solid(Color::BLACK, AXIS_WIDTH)
}

/// Bottom axis line, ticks and tick labels; returns the y of the tick labels' baseline.
pub(crate) fn x_axis(
    c: &mut Canvas,
    area: &Area,
    scale: &Scale,
    ticks: &Ticks,
    fs_tick: f64,
) -> f64 {
    let y = area.bottom();
    c.line(area.left, y, area.right(), y, axis_stroke());
    let base = y + TICK_LEN + 2.5 + CAP * fs_tick;
    for (v, l) in ticks.values.iter().zip(&ticks.labels) {
        let x = scale.map(*v);
        c.line(x, y, x, y + TICK_LEN, axis_stroke());
        c.text(x, base, l, fs_tick, Anchor::Middle);
    }
    base
}

/// Left axis line, ticks and tick labels.
pub(crate) fn y_axis(c: &mut Canvas, area: &Area, scale: &Scale, ticks: &Ticks, fs_tick: f64) {
    let x = area.left;
    c.line(x, area.top, x, area.bottom(), axis_stroke());
    for (v, l) in ticks.values.iter().zip(&ticks.labels) {
        let y = scale.map(*v);
        c.line(x - TICK_LEN, y, x, y, axis_stroke());
        c.text(
            x - TICK_LEN - 2.5,
            y + MID * fs_tick,
            l,
            fs_tick,
            Anchor::End,
        );
    }
}

/// Space taken left of the plot by the y tick labels and a vertical axis label.
pub(crate) fn y_axis_space(ticks: &Ticks, fs_tick: f64, fs: f64, has_label: bool) -> f64 {
    let mut w = TICK_LEN + 2.5 + ticks.max_width(fs_tick);
    if has_label {
        w += 0.5 * fs + fs;
    }
    w
}

/// Vertical y-axis label centred on the area, `space` points left of the axis.
pub(crate) fn y_label(c: &mut Canvas, area: &Area, space: f64, text: &str, fs: f64) {
    let x = area.left - space + 0.78 * fs;
    let y = area.top + area.height / 2.0;
    c.text_styled(x, y, text, fs, Anchor::Middle, false, Color::BLACK, true);
}

/// One legend entry: a line sample (with an optional marker) and a label.
pub(crate) struct LegendItem {
    pub label: String,
    pub color: Color,
    pub dash: Vec<f64>,
    pub line_width: f64,
}

pub(crate) const LEGEND_SAMPLE: f64 = 18.0;

/// Lay out a horizontal legend wrapped to `width`; returns row assignments (x offsets per
/// item, row index) and the number of rows.
pub(crate) fn legend_rows(items: &[LegendItem], width: f64, fs: f64) -> (Vec<(f64, usize)>, usize) {
    let mut out = Vec::with_capacity(items.len());
    let mut x = 0.0;
    let mut row = 0;
    for it in items {
        let w = LEGEND_SAMPLE + 4.0 + text_width(&it.label, fs, false);
        if x > 0.0 && x + w > width {
            row += 1;
            x = 0.0;
        }
        out.push((x, row));
        x += w + 1.2 * fs;
    }
    let rows = if items.is_empty() { 0 } else { row + 1 };
    (out, rows)
}

/// Draw a legend laid out by [`legend_rows`] with its first row's centre at `top + fs/2`.
pub(crate) fn draw_legend(
    c: &mut Canvas,
    items: &[LegendItem],
    pos: &[(f64, usize)],
    left: f64,
    top: f64,
    fs: f64,
    row_h: f64,
) {
    for (it, (dx, row)) in items.iter().zip(pos) {
        let ymid = top + fs / 2.0 + *row as f64 * row_h;
        let x = left + dx;
        c.line(
            x,
            ymid,
            x + LEGEND_SAMPLE,
            ymid,
            Stroke {
                color: it.color,
                width: it.line_width,
                dash: it.dash.clone(),
            },
        );
        c.text(
            x + LEGEND_SAMPLE + 4.0,
            ymid + MID * fs,
            &it.label,
            fs,
            Anchor::Start,
        );
    }
}

/// `text`, shortened with an ellipsis to at most `max_w` points wide.
pub(crate) fn fit_text(text: &str, size: f64, bold: bool, max_w: f64) -> String {
    if text_width(text, size, bold) <= max_w {
        return text.to_string();
    }
    let ell = '\u{2026}';
    let budget = max_w - text_width("\u{2026}", size, bold);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in text.chars() {
        let cw = text_width(ch.encode_utf8(&mut [0u8; 4]), size, bold);
        if w + cw > budget {
            break;
        }
        w += cw;
        out.push(ch);
    }
    let mut out = out.trim_end().to_string();
    out.push(ell);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_text_shortens_with_ellipsis() {
        assert_eq!(fit_text("short", 9.0, false, 100.0), "short");
        let long = "A very long variable name that will not fit";
        let f = fit_text(long, 9.0, false, 60.0);
        assert!(f.ends_with('\u{2026}'));
        assert!(text_width(&f, 9.0, false) <= 60.0);
        assert_eq!(fit_text("abc", 9.0, false, 1.0), "\u{2026}");
    }
}
