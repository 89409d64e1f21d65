//! Publication figures: Kaplan–Meier curves with a number-at-risk table, forest plots of
//! hazard ratios, cumulative hazard, log(−log S) and scaled Schoenfeld residual plots.
//!
//! Each figure is laid out once into a short list of backend-independent drawing
//! primitives ([`Element`]) in points (1/72 inch, origin top-left, y downwards), then
//! serialised by two backends: SVG ([`Figure::to_svg`]) and vector PDF 1.4
//! ([`Figure::to_pdf`]). Text is measured with the published AFM advance widths of the
//! standard Helvetica fonts, which PDF viewers provide without embedding and which
//! Arial/Liberation Sans match metrically, so layout is the same in both backends and
//! no font is loaded at run time.
//!
//! ```
//! use survkit_report::figure::{km_plot, FigureSize, KmCurve, KmPlot};
//! let plot = KmPlot {
//!     curves: vec![KmCurve {
//!         label: "All patients".into(),
//!         time: vec![1.0, 2.0, 3.0],
//!         surv: vec![0.9, 0.7, 0.7],
//!         n_risk: vec![10.0, 9.0, 7.0],
//!         ..Default::default()
//!     }],
//!     ..Default::default()
//! };
//! let fig = km_plot(&plot, &FigureSize::default()).unwrap();
//! assert!(fig.to_svg().starts_with("<svg"));
//! assert!(fig.to_pdf().starts_with(b"%PDF-1.4"));
//! ```

mod afm;
mod forest;
mod km;
mod layout;
mod pdf;
mod scale;
mod schoenfeld;
mod svg;

pub use forest::{forest_plot, ForestPlot, ForestRow};
pub use km::{
    cumhaz_plot, km_plot, loglog_plot, CumhazPlot, KmCurve, KmPlot, LoglogPlot, StepCurve,
};
pub use schoenfeld::{schoenfeld_plot, SchoenfeldPanel, SchoenfeldPlot};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a figure could not be drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureError {
    /// The requested physical size is not a finite positive number.
    InvalidSize(String),
    /// The figure is too small for its content (e.g. too many forest-plot rows).
    TooSmall(String),
}

impl fmt::Display for FigureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FigureError::InvalidSize(m) => write!(f, "invalid figure size: {m}"),
            FigureError::TooSmall(m) => write!(f, "figure too small: {m}"),
        }
    }
}

impl std::error::Error for FigureError {}

/// Physical length unit of a [`FigureSize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Centimetres.
    #[default]
    Cm,
    /// Millimetres.
    Mm,
    /// Inches.
    In,
    /// PostScript points (1/72 inch).
    Pt,
}

impl Unit {
    /// Points per one unit.
    pub fn points(self) -> f64 {
        match self {
            Unit::Cm => 72.0 / 2.54,
            Unit::Mm => 72.0 / 25.4,
            Unit::In => 72.0,
            Unit::Pt => 1.0,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Unit::Cm => "cm",
            Unit::Mm => "mm",
            Unit::In => "in",
            Unit::Pt => "pt",
        }
    }
}

/// Physical size of a figure and its base font size.
///
/// `height: None` lets the figure choose a height that fits its content (e.g. the
/// number of forest-plot rows or risk-table rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FigureSize {
    /// Width in `unit`.
    pub width: f64,
    /// Height in `unit`; `None` for automatic.
    pub height: Option<f64>,
    /// Unit of `width` and `height`.
    pub unit: Unit,
    /// Base font size in points (axis labels; tick labels are one point smaller).
    pub font_size: f64,
}

impl Default for FigureSize {
    fn default() -> Self {
        FigureSize {
            width: 16.0,
            height: None,
            unit: Unit::Cm,
            font_size: 9.0,
        }
    }
}

impl FigureSize {
    /// Width and optional height in points, and the font size, validated.
    fn resolve(&self) -> Result<(f64, Option<f64>, f64), FigureError> {
        let k = self.unit.points();
        let w = self.width * k;
        if !w.is_finite() || w <= 0.0 {
            return Err(FigureError::InvalidSize(format!(
                "width must be a positive number, found {}",
                self.width
            )));
        }
        let h = match self.height {
            Some(h) => {
                let h = h * k;
                if !h.is_finite() || h <= 0.0 {
                    return Err(FigureError::InvalidSize(format!(
                        "height must be a positive number, found {}",
                        h / k
                    )));
                }
                Some(h)
            }
            None => None,
        };
        let fs = self.font_size;
        if !fs.is_finite() || !(4.0..=36.0).contains(&fs) {
            return Err(FigureError::InvalidSize(format!(
                "font size must be between 4 and 36 points, found {fs}"
            )));
        }
        if w < 20.0 * fs {
            return Err(FigureError::TooSmall(format!(
                "a width of {:.1} {} leaves no room for the plot at a {fs} pt font; use at least {:.1} {}",
                self.width,
                self.unit.suffix(),
                20.0 * fs / k,
                self.unit.suffix()
            )));
        }
        Ok((w, h, fs))
    }
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// Black.
    pub const BLACK: Color = Color(0, 0, 0);
    /// White.
    pub const WHITE: Color = Color(255, 255, 255);
    /// Mid grey for reference lines.
    pub const GREY: Color = Color(128, 128, 128);
    /// Dark grey for axes' secondary text.
    pub const DARK_GREY: Color = Color(64, 64, 64);

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), ordered so that the first
/// colours contrast best on white; yellow comes last.
pub const OKABE_ITO: [Color; 8] = [
    Color(0x00, 0x72, 0xB2), // blue
    Color(0xD5, 0x5E, 0x00), // vermillion
    Color(0x00, 0x9E, 0x73), // bluish green
    Color(0xCC, 0x79, 0xA7), // reddish purple
    Color(0xE6, 0x9F, 0x00), // orange
    Color(0x56, 0xB4, 0xE9), // sky blue
    Color(0x00, 0x00, 0x00), // black
    Color(0xF0, 0xE4, 0x42), // yellow
];

/// Dash patterns (on, off lengths in points) used to tell groups apart in black and white.
const DASHES: [&[f64]; 6] = [
    &[],
    &[5.0, 2.5],
    &[1.2, 1.8],
    &[6.0, 2.0, 1.2, 2.0],
    &[9.0, 3.0],
    &[3.0, 1.5, 1.2, 1.5, 1.2, 1.5],
];

/// Colour and dash pattern of group `i`: colours cycle through the palette, and once
/// the palette is exhausted (or always, in monochrome) the dash pattern changes too.
pub(crate) fn group_style(i: usize, monochrome: bool) -> (Color, Vec<f64>) {
    if monochrome {
        (Color::BLACK, DASHES[i % DASHES.len()].to_vec())
    } else {
        let c = OKABE_ITO[i % OKABE_ITO.len()];
        let d = DASHES[(i / OKABE_ITO.len()) % DASHES.len()].to_vec();
        (c, d)
    }
}

/// Line style.
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Color,
    /// Width in points.
    pub width: f64,
    /// Dash pattern (on, off, ...) in points; empty for solid.
    pub dash: Vec<f64>,
}

impl Stroke {
    /// Solid line.
    pub fn solid(color: Color, width: f64) -> Stroke {
        Stroke {
            color,
            width,
            dash: Vec::new(),
        }
    }
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is the left end of the text.
    Start,
    /// `x` is the centre of the text.
    Middle,
    /// `x` is the right end of the text.
    End,
}

/// Marker shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerShape {
    /// A "+" (censoring mark).
    Plus,
    /// An open circle.
    Circle,
    /// A filled square (forest-plot estimate).
    Square,
}

/// One drawing primitive. Coordinates in points, origin top-left, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    /// A straight line.
    Line {
        /// Start x.
        x1: f64,
        /// Start y.
        y1: f64,
        /// End x.
        x2: f64,
        /// End y.
        y2: f64,
        /// Style.
        stroke: Stroke,
    },
    /// An open path through the points (e.g. a step curve).
    Polyline {
        /// Vertices.
        points: Vec<(f64, f64)>,
        /// Style.
        stroke: Stroke,
    },
    /// A filled polygon without outline (e.g. a confidence band).
    Polygon {
        /// Vertices.
        points: Vec<(f64, f64)>,
        /// Fill colour.
        fill: Color,
        /// Fill opacity in [0, 1].
        opacity: f64,
    },
    /// A rectangle.
    Rect {
        /// Left.
        x: f64,
        /// Top.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
        /// Fill colour, if filled.
        fill: Option<Color>,
        /// Outline, if any.
        stroke: Option<Stroke>,
    },
    /// A point marker centred at (x, y).
    Marker {
        /// Centre x.
        x: f64,
        /// Centre y.
        y: f64,
        /// Shape.
        shape: MarkerShape,
        /// Full width of the marker in points.
        size: f64,
        /// Colour.
        color: Color,
    },
    /// A line of text; `y` is the baseline.
    Text {
        /// Anchor x.
        x: f64,
        /// Baseline y.
        y: f64,
        /// The text (rendered in Helvetica).
        text: String,
        /// Font size in points.
        size: f64,
        /// Horizontal anchor.
        anchor: Anchor,
        /// Bold weight.
        bold: bool,
        /// Colour.
        color: Color,
        /// Rotated 90° counter-clockwise about (x, y) (for a y-axis label).
        vertical: bool,
    },
}

/// A laid-out figure: its physical size and its drawing primitives.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Unit in which the SVG states its physical size.
    pub unit: Unit,
    /// Drawing primitives in painting order.
    pub elements: Vec<Element>,
    /// Title metadata (SVG `<title>`, PDF `/Title`).
    pub title: String,
}

impl Figure {
    /// Width in the figure's unit.
    pub fn width_in_unit(&self) -> f64 {
        self.width / self.unit.points()
    }

    /// Height in the figure's unit.
    pub fn height_in_unit(&self) -> f64 {
        self.height / self.unit.points()
    }

    /// Pixel dimensions when rasterised at `dpi` dots per inch (e.g. 300 for print).
    pub fn pixel_size(&self, dpi: f64) -> (u32, u32) {
        let px = |pt: f64| (pt / 72.0 * dpi).round().clamp(1.0, 100_000.0) as u32;
        (px(self.width), px(self.height))
    }

    /// Serialise as a standalone SVG document with physical `width`/`height` and a
    /// `viewBox` in points.
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// Serialise as a single-page vector PDF 1.4 document using the standard
    /// Helvetica fonts (not embedded).
    pub fn to_pdf(&self) -> Vec<u8> {
        pdf::render(self)
    }
}

/// Width in points of `text` set in Helvetica (or Helvetica-Bold) at `size` points,
/// from the fonts' published AFM advance widths.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let table = if bold {
        &afm::HELVETICA_BOLD
    } else {
        &afm::HELVETICA
    };
    let units: u32 = text
        .chars()
        .map(|c| {
            let code = win_ansi(c);
            u32::from(table[usize::from(code.max(32)) - 32])
        })
        .sum();
    f64::from(units) * size / 1000.0
}

/// WinAnsiEncoding code for a character; characters outside the encoding become `?`,
/// and the minus sign (U+2212) is set as an en dash, which has the digits' width.
pub(crate) fn win_ansi(c: char) -> u8 {
    let u = c as u32;
    match u {
        0x20..=0x7E | 0xA0..=0xFF => u as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' | '−' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => b'?',
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helvetica_widths_match_afm() {
        // "Hello": H 722 e 556 l 222 l 222 o 556 = 2278 units.
        assert!((text_width("Hello", 10.0, false) - 22.78).abs() < 1e-9);
        // Digits are 556 in both weights.
        assert!((text_width("0", 1000.0, true) - 556.0).abs() < 1e-9);
        assert!((text_width("−", 1000.0, false) - 556.0).abs() < 1e-9);
    }

    #[test]
    fn size_validation() {
        let mut s = FigureSize::default();
        assert!(s.resolve().is_ok());
        s.width = f64::NAN;
        assert!(s.resolve().is_err());
        s.width = 1.0;
        assert!(matches!(s.resolve(), Err(FigureError::TooSmall(_))));
        s.width = 10.0;
        s.height = Some(-1.0);
        assert!(s.resolve().is_err());
    }
}
