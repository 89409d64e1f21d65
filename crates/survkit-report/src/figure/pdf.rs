//! Minimal vector PDF 1.4 backend: one page, one uncompressed content stream, the
//! standard Type 1 fonts Helvetica and Helvetica-Bold with WinAnsiEncoding (not
//! embedded: every conforming reader supplies them), and ExtGState objects for
//! translucent fills. The page uses a y-down user space (`1 0 0 -1 0 H cm`) so the
//! layout's coordinates are written unchanged.

use super::svg::num;
use super::{text_width, win_ansi, Anchor, Element, Figure, MarkerShape, Stroke};
use std::fmt::Write;

/// A PDF literal string in WinAnsiEncoding, with non-ASCII bytes as octal escapes.
fn pdf_string(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        let b = if (c as u32) < 0x20 { b' ' } else { win_ansi(c) };
        match b {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7E => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{:03o}", b);
            }
        }
    }
    out.push(')');
    out
}

/// Text in the document information dictionary: ASCII subset only, to stay simple.
fn info_string(s: &str) -> String {
    let ascii: String = s
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                ' '
            }
        })
        .collect();
    pdf_string(&ascii)
}

fn rgb(c: super::Color) -> String {
    format!(
        "{} {} {}",
        num(f64::from(c.0) / 255.0),
        num(f64::from(c.1) / 255.0),
        num(f64::from(c.2) / 255.0)
    )
}

fn set_stroke(out: &mut String, s: &Stroke) {
    let dash: Vec<String> = s.dash.iter().map(|v| num(*v)).collect();
    let _ = writeln!(
        out,
        "{} RG {} w [{}] 0 d",
        rgb(s.color),
        num(s.width),
        dash.join(" ")
    );
}

fn path(out: &mut String, p: &[(f64, f64)]) {
    for (i, (x, y)) in p.iter().enumerate() {
        let op = if i == 0 { "m" } else { "l" };
        let _ = writeln!(out, "{} {} {op}", num(*x), num(*y));
    }
}

fn opacity_key(o: f64) -> u32 {
    (o.clamp(0.0, 1.0) * 100.0).round() as u32
}

fn content(fig: &Figure, opacities: &[u32]) -> String {
    let mut c = String::new();
    let _ = writeln!(c, "1 0 0 -1 0 {} cm", num(fig.height));
    let _ = writeln!(
        c,
        "1 1 1 rg 0 0 {} {} re f",
        num(fig.width),
        num(fig.height)
    );
    let _ = writeln!(c, "0 J 0 j 10 M");
    for e in &fig.elements {
        match e {
            Element::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => {
                set_stroke(&mut c, stroke);
                let _ = writeln!(
                    c,
                    "{} {} m {} {} l S",
                    num(*x1),
                    num(*y1),
                    num(*x2),
                    num(*y2)
                );
            }
            Element::Polyline { points, stroke } => {
                if points.len() >= 2 {
                    set_stroke(&mut c, stroke);
                    path(&mut c, points);
                    c.push_str("S\n");
                }
            }
            Element::Polygon {
                points,
                fill,
                opacity,
            } => {
                if points.len() >= 3 {
                    let k = opacity_key(*opacity);
                    let gs = opacities.iter().position(|&o| o == k).unwrap_or(0);
                    let _ = writeln!(c, "q /GS{gs} gs {} rg", rgb(*fill));
                    path(&mut c, points);
                    c.push_str("h f Q\n");
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
                let r = format!(
                    "{} {} {} {} re",
                    num(*x),
                    num(*y),
                    num(w.max(0.0)),
                    num(h.max(0.0))
                );
                if let Some(f) = fill {
                    let _ = writeln!(c, "{} rg {r} f", rgb(*f));
                }
                if let Some(s) = stroke {
                    set_stroke(&mut c, s);
                    let _ = writeln!(c, "{r} S");
                }
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
                            c,
                            "{} RG {} w [] 0 d {} {} m {} {} l {} {} m {} {} l S",
                            rgb(*color),
                            num((size * 0.16).max(0.5)),
                            num(x - r),
                            num(*y),
                            num(x + r),
                            num(*y),
                            num(*x),
                            num(y - r),
                            num(*x),
                            num(y + r)
                        );
                    }
                    MarkerShape::Circle => {
                        // Four cubic Béziers, control distance 0.5523 r.
                        let k = 0.552_284_75 * r;
                        let _ = writeln!(
                            c,
                            "{} RG {} w [] 0 d {} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c S",
                            rgb(*color),
                            num((size * 0.15).max(0.4)),
                            num(x + r), num(*y),
                            num(x + r), num(y + k), num(x + k), num(y + r), num(*x), num(y + r),
                            num(x - k), num(y + r), num(x - r), num(y + k), num(x - r), num(*y),
                            num(x - r), num(y - k), num(x - k), num(y - r), num(*x), num(y - r),
                            num(x + k), num(y - r), num(x + r), num(y - k), num(x + r), num(*y)
                        );
                    }
                    MarkerShape::Square => {
                        let _ = writeln!(
                            c,
                            "{} rg {} {} {} {} re f",
                            rgb(*color),
                            num(x - r),
                            num(y - r),
                            num(*size),
                            num(*size)
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
                let w = text_width(text, *size, *bold);
                let shift = match anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => w / 2.0,
                    Anchor::End => w,
                };
                let font = if *bold { "F2" } else { "F1" };
                let tm = if *vertical {
                    format!("0 -1 -1 0 {} {}", num(*x), num(y + shift))
                } else {
                    format!("1 0 0 -1 {} {}", num(x - shift), num(*y))
                };
                let _ = writeln!(
                    c,
                    "BT /{font} {} Tf {} rg {tm} Tm {} Tj ET",
                    num(*size),
                    rgb(*color),
                    pdf_string(text)
                );
            }
        }
    }
    c
}

pub(crate) fn render(fig: &Figure) -> Vec<u8> {
    let mut opacities: Vec<u32> = Vec::new();
    for e in &fig.elements {
        if let Element::Polygon { opacity, .. } = e {
            let k = opacity_key(*opacity);
            if !opacities.contains(&k) {
                opacities.push(k);
            }
        }
    }
    if opacities.is_empty() {
        opacities.push(100);
    }
    let gs: Vec<String> = opacities
        .iter()
        .enumerate()
        .map(|(i, o)| {
            format!(
                "/GS{i} << /Type /ExtGState /ca {} >>",
                num(f64::from(*o) / 100.0)
            )
        })
        .collect();
    let stream = content(fig, &opacities);
    let objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> /ExtGState << {} >> >> /Contents 4 0 R >>",
            num(fig.width),
            num(fig.height),
            gs.join(" ")
        ),
        format!("<< /Length {} >>\nstream\n{}endstream", stream.len(), stream),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_string(),
        format!(
            "<< /Title {} /Producer (survkit) >>",
            info_string(&fig.title)
        ),
    ];
    let mut out: Vec<u8> = Vec::new();
    out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, o).as_bytes());
    }
    let xref = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(x, "{:010} 00000 n ", off);
    }
    let _ = write!(
        x,
        "trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{}\n%%EOF\n",
        objects.len() + 1,
        xref
    );
    out.extend_from_slice(x.as_bytes());
    out
}
