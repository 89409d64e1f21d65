//! SVG backend: a standalone document whose `width`/`height` carry the physical size and
//! whose `viewBox` is in points, so a browser can rasterise it at any resolution.

use super::{Anchor, Element, Figure, MarkerShape, Stroke};
use std::fmt::Write;

/// Shortest decimal for a coordinate (two decimals are 1/36 mm at 1 pt units).
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn stroke_attrs(s: &Stroke) -> String {
    let mut a = format!(
        r#" fill="none" stroke="{}" stroke-width="{}""#,
        s.color.hex(),
        num(s.width)
    );
    if !s.dash.is_empty() {
        let d: Vec<String> = s.dash.iter().map(|v| num(*v)).collect();
        let _ = write!(a, r#" stroke-dasharray="{}""#, d.join(" "));
    }
    a
}

fn points(p: &[(f64, f64)]) -> String {
    let v: Vec<String> = p
        .iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect();
    v.join(" ")
}

pub(crate) fn render(fig: &Figure) -> String {
    let u = fig.unit.suffix();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{}{u}" height="{}{u}" viewBox="0 0 {} {}" font-family="Helvetica, Arial, sans-serif">"#,
        num3(fig.width_in_unit()),
        num3(fig.height_in_unit()),
        num(fig.width),
        num(fig.height)
    );
    let _ = writeln!(s, "<title>{}</title>", escape(&fig.title));
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(fig.width),
        num(fig.height)
    );
    for e in &fig.elements {
        match e {
            Element::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => {
                let _ = writeln!(
                    s,
                    r#"<line x1="{}" y1="{}" x2="{}" y2="{}"{}/>"#,
                    num(*x1),
                    num(*y1),
                    num(*x2),
                    num(*y2),
                    stroke_attrs(stroke)
                );
            }
            Element::Polyline { points: p, stroke } => {
                if p.len() >= 2 {
                    let _ = writeln!(
                        s,
                        r#"<polyline points="{}"{} stroke-linejoin="miter"/>"#,
                        points(p),
                        stroke_attrs(stroke)
                    );
                }
            }
            Element::Polygon {
                points: p,
                fill,
                opacity,
            } => {
                if p.len() >= 3 {
                    let _ = writeln!(
                        s,
                        r#"<polygon points="{}" fill="{}" fill-opacity="{}" stroke="none"/>"#,
                        points(p),
                        fill.hex(),
                        num(*opacity)
                    );
                }
            }
            Element::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let f = match fill {
                    Some(c) => format!(r#" fill="{}""#, c.hex()),
                    None => r#" fill="none""#.to_string(),
                };
                let st = match stroke {
                    Some(st) => stroke_attrs(st).replacen(r#" fill="none""#, "", 1),
                    None => String::new(),
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{}" y="{}" width="{}" height="{}"{f}{st}/>"#,
                    num(*x),
                    num(*y),
                    num(w.max(0.0)),
                    num(h.max(0.0))
                );
            }
            Element::Marker {
                x,
                y,
                shape,
                size,
                color,
            } => {
                let r = size / 2.0;
                match shape {
                    MarkerShape::Plus => {
                        let _ = writeln!(
                            s,
                            r#"<path d="M{} {}H{}M{} {}V{}" fill="none" stroke="{}" stroke-width="{}"/>"#,
                            num(x - r),
                            num(*y),
                            num(x + r),
                            num(*x),
                            num(y - r),
                            num(y + r),
                            color.hex(),
                            num((size * 0.16).max(0.5))
                        );
                    }
                    MarkerShape::Circle => {
                        let _ = writeln!(
                            s,
                            r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" stroke-width="{}"/>"#,
                            num(*x),
                            num(*y),
                            num(r),
                            color.hex(),
                            num((size * 0.15).max(0.4))
                        );
                    }
                    MarkerShape::Square => {
                        let _ = writeln!(
                            s,
                            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                            num(x - r),
                            num(y - r),
                            num(*size),
                            num(*size),
                            color.hex()
                        );
                    }
                }
            }
            Element::Text {
                x,
                y,
                text,
                size,
                anchor,
                bold,
                color,
                vertical,
            } => {
                let a = match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                };
                let mut attrs = format!(
                    r#"x="{}" y="{}" font-size="{}" text-anchor="{a}""#,
                    num(*x),
                    num(*y),
                    num(*size)
                );
                if *bold {
                    attrs.push_str(r#" font-weight="bold""#);
                }
                if *color != super::Color::BLACK {
                    let _ = write!(attrs, r#" fill="{}""#, color.hex());
                }
                if *vertical {
                    let _ = write!(attrs, r#" transform="rotate(-90 {} {})""#, num(*x), num(*y));
                }
                let _ = writeln!(s, "<text {attrs}>{}</text>", escape(text));
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Physical sizes with three decimals (0.001 cm).
fn num3(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
