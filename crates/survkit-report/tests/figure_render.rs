//! Rendering tests for the publication figures: well-formed SVG, risk table aligned
//! with the axis ticks, valid PDF structure, golden files (regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p survkit-report --test figure_render`), and sample
//! files written to the system temp directory for visual review.

use survkit_report::figure::{
    cumhaz_plot, forest_plot, km_plot, loglog_plot, schoenfeld_plot, CumhazPlot, Figure,
    FigureSize, ForestPlot, ForestRow, KmCurve, KmPlot, LoglogPlot, SchoenfeldPanel,
    SchoenfeldPlot, StepCurve, Unit,
};

// ---------------------------------------------------------------------------------
// Test data: Kaplan–Meier of R's `lung` data by sex, computed here (product-limit
// estimate, Greenwood variance, log-transformed 95% CI as R's default).
// ---------------------------------------------------------------------------------

fn lung_by_sex() -> Vec<KmCurve> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/lung.csv");
    let text = std::fs::read_to_string(path).expect("tests/data/lung.csv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| h.trim_matches('"').to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (ti, si, xi) = (col("time"), col("status"), col("sex"));
    let mut groups: [Vec<(f64, bool)>; 2] = [vec![], vec![]];
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let t: f64 = f[ti].parse().unwrap();
        let dead = f[si] == "2";
        let sex: usize = f[xi].parse().unwrap();
        groups[sex - 1].push((t, dead));
    }
    let labels = ["Male", "Female"];
    groups
        .iter_mut()
        .zip(labels)
        .map(|(g, label)| km(g, label))
        .collect()
}

fn km(data: &mut [(f64, bool)], label: &str) -> KmCurve {
    data.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut c = KmCurve {
        label: label.into(),
        ..Default::default()
    };
    let n = data.len();
    let (mut s, mut var) = (1.0f64, 0.0f64);
    let mut i = 0;
    while i < n {
        let t = data[i].0;
        let at_risk = (n - i) as f64;
        let (mut d, mut cens) = (0.0, 0usize);
        while i < n && data[i].0 == t {
            if data[i].1 {
                d += 1.0;
            } else {
                cens += 1;
            }
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                var += d / (at_risk * (at_risk - d));
            }
        }
        if cens > 0 {
            c.censor_times.push(t);
        }
        let se = var.sqrt();
        c.time.push(t);
        c.surv.push(s);
        c.n_risk.push(at_risk);
        if s > 0.0 {
            c.lower.push(s * (-1.96 * se).exp());
            c.upper.push((s * (1.96 * se).exp()).min(1.0));
        } else {
            c.lower.push(f64::NAN);
            c.upper.push(f64::NAN);
        }
    }
    c.median = c
        .time
        .iter()
        .zip(&c.surv)
        .find(|(_, s)| **s <= 0.5)
        .map(|(t, _)| *t);
    c
}

fn lung_plot() -> KmPlot {
    KmPlot {
        curves: lung_by_sex(),
        x_label: "Time".into(),
        time_unit: "days".into(),
        annotation: Some("Log-rank P = 0.001".into()),
        show_median_lines: true,
        show_ci: true,
        ..Default::default()
    }
}

fn cox_rows() -> Vec<ForestRow> {
    let row = |label: &str, level: &str, hr: f64, lo: f64, hi: f64, p: f64, n: f64| ForestRow {
        label: label.into(),
        level: level.into(),
        reference: false,
        hazard_ratio: Some(hr),
        lower: Some(lo),
        upper: Some(hi),
        p: Some(p),
        n: Some(n),
    };
    vec![
        row("Age (per year)", "", 1.011, 0.993, 1.030, 0.23, 227.0),
        ForestRow {
            label: "Sex".into(),
            level: "Male".into(),
            reference: true,
            n: Some(137.0),
            ..Default::default()
        },
        row("Sex", "Female", 0.575, 0.415, 0.796, 0.00088, 90.0),
        ForestRow {
            label: "ECOG performance status".into(),
            level: "0".into(),
            reference: true,
            n: Some(63.0),
            ..Default::default()
        },
        row(
            "ECOG performance status",
            "1",
            1.52,
            1.03,
            2.25,
            0.036,
            113.0,
        ),
        row(
            "ECOG performance status",
            "2–3",
            2.59,
            1.54,
            4.36,
            0.00034,
            51.0,
        ),
        row("Extra-hepatic disease", "", 4.04, 1.15, 14.2, 0.029, 50.0),
    ]
}

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG is not well-formed XML: {e}"))
}

fn attr(n: &roxmltree::Node, a: &str) -> f64 {
    n.attribute(a).unwrap_or("0").parse().unwrap()
}

fn texts(doc: &roxmltree::Document) -> Vec<(f64, f64, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            (
                attr(&n, "x"),
                attr(&n, "y"),
                n.text().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// PDF checks: header, every xref offset points at "N 0 obj", startxref points at xref.
fn check_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1.4"), "PDF header");
    // Same byte offsets as the file: non-ASCII bytes (the binary comment) become '?'.
    let text: String = pdf
        .iter()
        .map(|&b| if b.is_ascii() { b as char } else { '?' })
        .collect();
    let sx = text.rfind("startxref").expect("startxref");
    let xref_off: usize = text[sx + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        text[xref_off..].starts_with("xref"),
        "startxref points at xref"
    );
    let mut lines = text[xref_off..].lines().skip(1);
    let count: usize = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let entries: Vec<&str> = lines.take(count).collect();
    assert_eq!(entries[0], "0000000000 65535 f ");
    for (i, e) in entries.iter().enumerate().skip(1) {
        assert_eq!(e.len(), 19, "xref entry is 20 bytes with its newline");
        let off: usize = e[..10].parse().unwrap();
        let head = format!("{i} 0 obj");
        assert!(
            text[off..].starts_with(&head),
            "xref entry {i} points at {head}"
        );
    }
    assert!(text.trim_end().ends_with("%%EOF"));
    // The content stream's /Length is exact.
    let s = text.find("stream\n").unwrap() + 7;
    let e = text.find("endstream").unwrap();
    let len_at = text.find("/Length ").unwrap() + 8;
    let len: usize = text[len_at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(e - s, len, "stream length");
}

fn write_outputs(name: &str, fig: &Figure) {
    let dir = std::env::temp_dir();
    let _ = std::fs::write(dir.join(format!("{name}.svg")), fig.to_svg());
    let _ = std::fs::write(dir.join(format!("{name}.pdf")), fig.to_pdf());
}

fn golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path}; run with UPDATE_GOLDEN=1 and review it"));
    assert!(
        expected == actual,
        "{name} differs from the golden file; review the change and rerun with UPDATE_GOLDEN=1"
    );
}

// ---------------------------------------------------------------------------------
// Kaplan–Meier.
// ---------------------------------------------------------------------------------

#[test]
fn km_svg_is_well_formed_with_labels_and_physical_size() {
    let fig = km_plot(&lung_plot(), &FigureSize::default()).unwrap();
    write_outputs("survkit_km_lung", &fig);
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("16cm"));
    assert!(root.attribute("height").unwrap().ends_with("cm"));
    assert!(root
        .attribute("viewBox")
        .unwrap()
        .starts_with("0 0 453.54 "));
    assert_eq!(
        root.attribute("font-family"),
        Some("Helvetica, Arial, sans-serif")
    );
    let t: Vec<String> = texts(&doc).into_iter().map(|t| t.2).collect();
    for want in [
        "Time (days)",
        "Survival probability",
        "Number at risk",
        "Male",
        "Female",
        "Log-rank P = 0.001",
        "0.0",
        "1.0",
    ] {
        assert!(t.iter().any(|x| x == want), "missing text {want:?}");
    }
    // 300 dpi raster size from the physical size.
    let (w, _) = fig.pixel_size(300.0);
    assert_eq!(w, 1890);
}

#[test]
fn km_risk_table_columns_sit_at_axis_ticks_against_r() {
    let plot = lung_plot();
    let fig = km_plot(&plot, &FigureSize::default()).unwrap();
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let t = texts(&doc);
    // x tick marks: short vertical lines hanging below the x axis.
    let tick_x: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("line"))
        .filter(|n| {
            attr(n, "x1") == attr(n, "x2") && (attr(n, "y2") - attr(n, "y1") - 3.0).abs() < 1e-6
        })
        .map(|n| attr(&n, "x1"))
        .collect();
    // Lung (last time 1022 days): ticks 0, 200, ..., 1200 at the axis end.
    assert_eq!(tick_x.len(), 7, "{tick_x:?}");
    let header_y = t.iter().find(|x| x.2 == "Number at risk").unwrap().1;
    let male_y = t
        .iter()
        .find(|x| x.2 == "Male" && x.1 > header_y)
        .unwrap()
        .1;
    let female_y = t
        .iter()
        .find(|x| x.2 == "Female" && x.1 > header_y)
        .unwrap()
        .1;
    let row = |y: f64| -> Vec<(f64, String)> {
        let mut v: Vec<(f64, String)> = t
            .iter()
            .filter(|x| x.1 == y && x.2.chars().all(|c| c.is_ascii_digit()))
            .map(|x| (x.0, x.2.clone()))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let male = row(male_y);
    let female = row(female_y);
    let xs: Vec<f64> = male.iter().map(|m| m.0).collect();
    assert_eq!(xs, tick_x, "risk-table columns equal tick positions");
    assert_eq!(female.iter().map(|m| m.0).collect::<Vec<_>>(), tick_x);
    // Numbers at risk: n with time >= t, counted directly from the data.
    let curves = &plot.curves;
    for (k, tick) in [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0, 1200.0]
        .iter()
        .enumerate()
    {
        for (g, r) in [&male, &female].iter().enumerate() {
            let c = &curves[g];
            let expect = c
                .time
                .iter()
                .zip(&c.n_risk)
                .find(|(t, _)| **t >= *tick)
                .map_or(0.0, |(_, n)| *n);
            assert_eq!(r[k].1, format!("{expect}"), "group {g} tick {tick}");
        }
    }
    // Against R 4.2.2 / survival 3.5-3 (exact counts):
    //   s <- summary(survfit(Surv(time, status) ~ sex, data = read.csv("tests/data/lung.csv")),
    //                times = seq(0, 1200, 200), extend = TRUE); s$n.risk
    let m: Vec<&str> = male.iter().map(|x| x.1.as_str()).collect();
    let f: Vec<&str> = female.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(m, ["138", "78", "31", "13", "6", "2", "0"]);
    assert_eq!(f, ["90", "66", "26", "11", "2", "0", "0"]);
}

#[test]
fn km_pdf_is_valid_and_contains_text() {
    let mut p = lung_plot();
    p.title = "Overall survival (lung)".into();
    let fig = km_plot(
        &p,
        &FigureSize {
            width: 5.0,
            height: Some(4.0),
            unit: Unit::In,
            font_size: 8.0,
        },
    )
    .unwrap();
    let pdf = fig.to_pdf();
    check_pdf(&pdf);
    for s in [
        "(Time \\(days\\))",
        "(Number at risk)",
        "(Male)",
        "(Log-rank P = 0.001)",
        "/BaseFont /Helvetica",
        "/MediaBox [0 0 360 288]",
    ] {
        assert!(contains(&pdf, s.as_bytes()), "PDF lacks {s}");
    }
    assert_eq!(fig.pixel_size(300.0), (1500, 1200));
    let svg = fig.to_svg();
    assert!(svg.contains(r#"width="5in" height="4in" viewBox="0 0 360 288""#));
}

#[test]
fn km_golden_svg() {
    // A small hand-made two-group curve keeps the golden file short and reviewable.
    let plot = KmPlot {
        curves: vec![
            KmCurve {
                label: "Arm A".into(),
                time: vec![2.0, 4.0, 6.0, 9.0],
                surv: vec![0.8, 0.6, 0.6, 0.3],
                lower: vec![0.55, 0.35, 0.35, 0.1],
                upper: vec![1.0, 0.9, 0.9, 0.7],
                n_risk: vec![5.0, 4.0, 3.0, 2.0],
                censor_times: vec![6.0],
                median: Some(9.0),
            },
            KmCurve {
                label: "Arm B".into(),
                time: vec![1.0, 3.0, 5.0],
                surv: vec![0.75, 0.5, 0.25],
                n_risk: vec![4.0, 3.0, 2.0],
                median: Some(3.0),
                ..Default::default()
            },
        ],
        time_unit: "months".into(),
        annotation: Some("Log-rank P = 0.210".into()),
        show_median_lines: true,
        show_ci: true,
        ..Default::default()
    };
    let fig = km_plot(
        &plot,
        &FigureSize {
            width: 12.0,
            ..Default::default()
        },
    )
    .unwrap();
    write_outputs("survkit_km_small", &fig);
    golden("km_small.svg", &fig.to_svg());
}

#[test]
fn km_options_one_minus_survival_monochrome_xmax() {
    let mut p = lung_plot();
    p.one_minus_survival = true;
    p.monochrome = true;
    p.x_max = Some(730.0);
    p.x_tick = Some(182.5);
    p.show_ci = false;
    p.show_median_lines = false;
    p.y_percent = true;
    let fig = km_plot(
        &p,
        &FigureSize {
            width: 12.0,
            font_size: 8.0,
            ..Default::default()
        },
    )
    .unwrap();
    write_outputs("survkit_km_cuminc_bw", &fig);
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let t: Vec<String> = texts(&doc).into_iter().map(|t| t.2).collect();
    assert!(t.contains(&"Cumulative incidence (%)".to_string()));
    assert!(t.contains(&"100".to_string()) && t.contains(&"20".to_string()));
    assert!(t.contains(&"730.0".to_string()) && t.contains(&"182.5".to_string()));
    assert!(
        !svg.contains("<polygon"),
        "no CI bands when show_ci is false"
    );
    assert!(
        svg.contains("stroke-dasharray"),
        "dashes tell groups apart in black and white"
    );
    assert!(!svg.contains("#0072b2"), "monochrome uses no colour");
    assert!(svg.contains("<path"), "censoring marks");
    let no_marks = KmPlot {
        show_censor: false,
        ..p.clone()
    };
    let svg2 = km_plot(&no_marks, &FigureSize::default()).unwrap().to_svg();
    assert!(
        !svg2.contains("<path"),
        "no censoring marks when show_censor is false"
    );
    // Every curve point lies within the x range of the plot.
    let axis_right = doc
        .descendants()
        .filter(|n| n.has_tag_name("line") && attr(n, "y1") == attr(n, "y2"))
        .map(|n| attr(&n, "x2"))
        .fold(0.0, f64::max);
    for pl in doc.descendants().filter(|n| n.has_tag_name("polyline")) {
        for pt in pl.attribute("points").unwrap().split(' ') {
            let x: f64 = pt.split(',').next().unwrap().parse().unwrap();
            assert!(x <= axis_right + 1e-6);
        }
    }
}

#[test]
fn never_panics_on_degenerate_input() {
    let size = FigureSize::default();
    let bad = KmCurve {
        label: "x".into(),
        time: vec![f64::NAN, 3.0, f64::INFINITY, -1.0, 2.0],
        surv: vec![0.5, f64::NAN, 0.2],
        lower: vec![0.1],
        upper: vec![f64::INFINITY; 5],
        n_risk: vec![1.0; 5],
        censor_times: vec![f64::NAN, 1e300],
        median: Some(f64::NAN),
    };
    let cases = vec![
        KmPlot::default(),
        KmPlot {
            curves: vec![KmCurve::default()],
            ..Default::default()
        },
        KmPlot {
            curves: vec![bad.clone()],
            x_max: Some(f64::NAN),
            x_tick: Some(-1.0),
            ..Default::default()
        },
        KmPlot {
            curves: vec![KmCurve {
                time: vec![5.0],
                surv: vec![0.5],
                n_risk: vec![1.0],
                ..Default::default()
            }],
            x_tick: Some(1e-9),
            annotation: Some("a\nb".into()),
            ..Default::default()
        },
        KmPlot {
            curves: (0..20)
                .map(|g| KmCurve {
                    label: format!("Group {g}"),
                    time: vec![1.0 + g as f64],
                    surv: vec![0.5],
                    n_risk: vec![2.0],
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        },
    ];
    for p in &cases {
        let fig = km_plot(p, &size).unwrap();
        parse(&fig.to_svg());
        check_pdf(&fig.to_pdf());
    }
    // Many groups cycle the palette and add dashes.
    let fig = km_plot(&cases[4], &size).unwrap();
    assert!(fig.to_svg().contains("stroke-dasharray"));
    // Invalid or too small sizes are errors, not panics.
    let tiny = FigureSize {
        width: 2.0,
        height: Some(1.0),
        ..Default::default()
    };
    assert!(km_plot(&lung_plot(), &tiny).is_err());
    let nan = FigureSize {
        width: f64::NAN,
        ..Default::default()
    };
    assert!(km_plot(&lung_plot(), &nan).is_err());
    let short = FigureSize {
        height: Some(3.0),
        ..Default::default()
    };
    assert!(km_plot(&cases[4], &short).is_err());
    // Other figures.
    assert!(forest_plot(&ForestPlot::default(), &size).is_ok());
    assert!(cumhaz_plot(&CumhazPlot::default(), &size).is_ok());
    assert!(loglog_plot(
        &LoglogPlot {
            curves: vec![bad],
            ..Default::default()
        },
        &size
    )
    .is_ok());
    assert!(schoenfeld_plot(&SchoenfeldPlot::default(), &size).is_ok());
    let weird = ForestPlot {
        rows: vec![ForestRow {
            label: "x".into(),
            hazard_ratio: Some(f64::INFINITY),
            lower: Some(f64::NAN),
            upper: Some(0.0),
            p: Some(f64::NAN),
            ..Default::default()
        }],
        ..Default::default()
    };
    parse(&forest_plot(&weird, &size).unwrap().to_svg());
}

#[test]
fn inputs_deserialize_with_defaults() {
    let p: KmPlot = serde_json::from_str(r#"{"curves":[{"label":"A","time":[1,2],"surv":[0.5,0.2],"n_risk":[2,1]}],"monochrome":true}"#).unwrap();
    assert!(p.show_risk_table && !p.show_ci && p.monochrome);
    assert_eq!(p.x_label, "Time");
    let s: FigureSize = serde_json::from_str(r#"{"width":8.5,"height":7,"unit":"cm"}"#).unwrap();
    assert_eq!(s.font_size, 9.0);
    let f: ForestPlot =
        serde_json::from_str(r#"{"rows":[{"label":"age","hazard_ratio":1.1,"lower":null}]}"#)
            .unwrap();
    assert_eq!(f.rows[0].lower, None);
    assert!(km_plot(&p, &s).is_ok());
}

// ---------------------------------------------------------------------------------
// Forest, cumulative hazard, log-log and Schoenfeld figures.
// ---------------------------------------------------------------------------------

#[test]
fn forest_svg_has_columns_and_golden() {
    let p = ForestPlot {
        rows: cox_rows(),
        ..Default::default()
    };
    let fig = forest_plot(&p, &FigureSize::default()).unwrap();
    write_outputs("survkit_forest", &fig);
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let t: Vec<String> = texts(&doc).into_iter().map(|t| t.2).collect();
    for want in [
        "HR (95% CI)",
        "P",
        "N",
        "Sex",
        "Female",
        "Reference",
        "0.57 (0.41\u{2013}0.80)",
        "< 0.001",
        "0.029",
        "4.04 (1.15\u{2013}14.20)",
        "Hazard ratio (log scale)",
        "1",
    ] {
        assert!(t.iter().any(|x| x == want), "missing {want:?} in {t:?}");
    }
    // "Sex" header appears once although two rows carry it.
    assert_eq!(t.iter().filter(|x| *x == "Sex").count(), 1);
    let pdf = fig.to_pdf();
    check_pdf(&pdf);
    assert!(contains(&pdf, b"(HR \\(95% CI\\))"));
    assert!(
        contains(&pdf, b"(4.04 \\(1.15\\22614.20\\))"),
        "en dash as WinAnsi 0x96"
    );
    golden("forest.svg", &svg);
}

#[test]
fn forest_rows_need_height() {
    let rows: Vec<ForestRow> = (0..60)
        .map(|i| ForestRow {
            label: format!("x{i}"),
            hazard_ratio: Some(1.0 + i as f64 / 10.0),
            lower: Some(0.5),
            upper: Some(3.0),
            ..Default::default()
        })
        .collect();
    let p = ForestPlot {
        rows,
        ..Default::default()
    };
    assert!(forest_plot(
        &p,
        &FigureSize {
            height: Some(8.0),
            ..Default::default()
        }
    )
    .is_err());
    assert!(forest_plot(&p, &FigureSize::default()).is_ok());
}

#[test]
fn cumhaz_loglog_schoenfeld_render() {
    let curves = lung_by_sex();
    let cum: Vec<StepCurve> = curves
        .iter()
        .map(|c| StepCurve {
            label: c.label.clone(),
            time: c.time.clone(),
            value: c
                .surv
                .iter()
                .map(|s| if *s > 0.0 { -s.ln() } else { f64::NAN })
                .collect(),
            ..Default::default()
        })
        .collect();
    let fig = cumhaz_plot(
        &CumhazPlot {
            curves: cum,
            time_unit: "days".into(),
            ..Default::default()
        },
        &FigureSize {
            width: 12.0,
            ..Default::default()
        },
    )
    .unwrap();
    write_outputs("survkit_cumhaz", &fig);
    let svg = fig.to_svg();
    assert!(svg.contains(">Cumulative hazard</text>"));
    parse(&svg);
    check_pdf(&fig.to_pdf());

    let fig = loglog_plot(
        &LoglogPlot {
            curves: curves.clone(),
            time_unit: "days".into(),
            ..Default::default()
        },
        &FigureSize {
            width: 12.0,
            ..Default::default()
        },
    )
    .unwrap();
    write_outputs("survkit_loglog", &fig);
    let svg = fig.to_svg();
    parse(&svg);
    assert!(svg.contains(">100</text>"), "log axis labels times");
    check_pdf(&fig.to_pdf());

    let panel = |term: &str, slope: f64| {
        let time: Vec<f64> = (0..80).map(|i| 5.0 + i as f64 * 12.0).collect();
        let residual = time
            .iter()
            .enumerate()
            .map(|(i, t)| -0.5 + slope * t + ((i * 37 % 17) as f64 - 8.0) / 6.0)
            .collect();
        SchoenfeldPanel {
            term: term.into(),
            time,
            residual,
            coef: Some(-0.5),
            ..Default::default()
        }
    };
    let mut banded = panel("karno", 0.0);
    banded.smooth_time = vec![5.0, 300.0, 600.0, 953.0];
    banded.smooth = vec![-0.6, -0.5, -0.4, -0.5];
    banded.smooth_lower = banded.smooth.iter().map(|v| v - 0.6).collect();
    banded.smooth_upper = banded.smooth.iter().map(|v| v + 0.6).collect();
    let p = SchoenfeldPlot {
        panels: vec![
            banded,
            panel("sex", 0.0),
            panel("age", 0.001),
            panel("ph.ecog", -0.0005),
        ],
        x_label: "Time (days)".into(),
        ..Default::default()
    };
    let fig = schoenfeld_plot(
        &p,
        &FigureSize {
            width: 16.0,
            ..Default::default()
        },
    )
    .unwrap();
    write_outputs("survkit_schoenfeld", &fig);
    let svg = fig.to_svg();
    parse(&svg);
    assert!(svg.contains(">Beta(t) for age</text>"));
    check_pdf(&fig.to_pdf());
}

#[test]
fn review_samples_small_and_crowded() {
    // Single-column journal width at 8 pt, and a crowded many-group figure; written for
    // visual review and checked for overlapping text boxes.
    let p = lung_plot();
    let small = FigureSize {
        width: 8.5,
        font_size: 8.0,
        ..Default::default()
    };
    let fig = km_plot(&p, &small).unwrap();
    write_outputs("survkit_km_lung_8cm", &fig);
    assert_no_text_overlap(&fig);
    let crowded = KmPlot {
        curves: (0..12)
            .map(|g| {
                let mut data: Vec<(f64, bool)> = (0..30)
                    .map(|i| {
                        (
                            (1 + (i * 7 + g * 3) % 40) as f64 * (1.0 + g as f64 / 10.0),
                            i % 3 != 0,
                        )
                    })
                    .collect();
                km(&mut data, &format!("Treatment group {}", g + 1))
            })
            .collect(),
        time_unit: "months".into(),
        x_tick: Some(12.0),
        annotation: Some("Log-rank P < 0.001\nHR 1.52 (95% CI 1.10\u{2013}2.10)".into()),
        ..Default::default()
    };
    let fig = km_plot(&crowded, &FigureSize::default()).unwrap();
    write_outputs("survkit_km_crowded", &fig);
    assert_no_text_overlap(&fig);
    // A forest plot with its text columns needs more than a single column at 8 pt: a
    // clear error, and a figure at 12 cm.
    let forest = ForestPlot {
        rows: cox_rows(),
        ..Default::default()
    };
    assert!(matches!(
        forest_plot(&forest, &small),
        Err(survkit_report::figure::FigureError::TooSmall(_))
    ));
    let fig = forest_plot(
        &forest,
        &FigureSize {
            width: 12.0,
            ..small
        },
    )
    .unwrap();
    write_outputs("survkit_forest_12cm", &fig);
    assert_no_text_overlap(&fig);
}

/// No two horizontal text boxes (from the AFM widths) overlap.
fn assert_no_text_overlap(fig: &Figure) {
    use survkit_report::figure::{text_width, Anchor, Element};
    let boxes: Vec<(f64, f64, f64, f64, &str)> = fig
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Text {
                x,
                y,
                text,
                size,
                anchor,
                bold,
                vertical: false,
                ..
            } => {
                let w = text_width(text, *size, *bold);
                let x0 = match anchor {
                    Anchor::Start => *x,
                    Anchor::Middle => x - w / 2.0,
                    Anchor::End => x - w,
                };
                Some((x0, y - 0.72 * size, x0 + w, *y + 0.2 * size, text.as_str()))
            }
            _ => None,
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        assert!(
            a.0 >= -0.01 && a.2 <= fig.width + 0.01,
            "{:?} outside the figure",
            a.4
        );
        assert!(
            a.1 >= -0.01 && a.3 <= fig.height + 0.01,
            "{:?} outside the figure",
            a.4
        );
        for b in &boxes[i + 1..] {
            let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
            assert!(!overlap, "text {:?} overlaps {:?}", a.4, b.4);
        }
    }
}

#[test]
fn curves_from_core_fit_match_the_test_estimate() {
    use survkit_core::km::{kaplan_meier, KmOptions};
    let mine = lung_by_sex();
    // The men of lung fitted by survkit-core, mapped with `KmCurve::from_fit`.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/lung.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let (mut time, mut status) = (vec![], vec![]);
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if f[4] == "1" {
            time.push(f[1].parse::<f64>().unwrap());
            status.push(f[2] == "2");
        }
    }
    let fit = kaplan_meier(&time, &status, None, &KmOptions::default()).unwrap();
    let c = KmCurve::from_fit("Male", &fit);
    assert_eq!(c.time, mine[0].time);
    assert_eq!(c.n_risk, mine[0].n_risk);
    assert_eq!(c.censor_times, mine[0].censor_times);
    for (a, b) in c.surv.iter().zip(&mine[0].surv) {
        assert!((a - b).abs() < 1e-12);
    }
    // Median survival of men in lung: 270 days (R: print(survfit(...))).
    assert_eq!(c.median, Some(270.0));
    let h = StepCurve::cumhaz_from_fit("Male", &fit);
    let fig = cumhaz_plot(
        &CumhazPlot {
            curves: vec![h],
            ..Default::default()
        },
        &FigureSize::default(),
    )
    .unwrap();
    parse(&fig.to_svg());
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn svg_rasterises_at_300_dpi_to_the_stated_size() {
    // Uses librsvg's rsvg-convert when installed (Debian: librsvg2-bin); the SVG's
    // physical width/height must give the same pixel size as Figure::pixel_size.
    let fig = km_plot(
        &lung_plot(),
        &FigureSize {
            width: 8.5,
            font_size: 8.0,
            ..Default::default()
        },
    )
    .unwrap();
    let dir = std::env::temp_dir();
    let svg = dir.join("survkit_km_300dpi.svg");
    let png = dir.join("survkit_km_300dpi.png");
    std::fs::write(&svg, fig.to_svg()).unwrap();
    let out = std::process::Command::new("rsvg-convert")
        .args(["-d", "300", "-p", "300", "-o"])
        .arg(&png)
        .arg(&svg)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let bytes = std::fs::read(&png).unwrap();
            let (w, h) = png_size(&bytes);
            let (ew, eh) = fig.pixel_size(300.0);
            assert!(
                w.abs_diff(ew) <= 1 && h.abs_diff(eh) <= 1,
                "{w}x{h} vs {ew}x{eh}"
            );
            assert_eq!(ew, 1004); // 8.5 cm at 300 dpi
        }
        _ => eprintln!("rsvg-convert not available; raster size not checked"),
    }
}

#[test]
fn long_labels_are_shortened_and_large_data_stays_small() {
    let long = "A treatment arm with an extraordinarily long descriptive name that goes on";
    let n = 100_000;
    let curve = KmCurve {
        label: long.into(),
        time: (1..=n).map(|i| i as f64).collect(),
        surv: (1..=n).map(|i| 1.0 - i as f64 / (n as f64 + 1.0)).collect(),
        n_risk: (0..n).map(|i| (n - i) as f64).collect(),
        censor_times: (1..=n).step_by(3).map(|i| i as f64).collect(),
        ..Default::default()
    };
    let fig = km_plot(
        &KmPlot {
            curves: vec![curve],
            ..Default::default()
        },
        &FigureSize::default(),
    )
    .unwrap();
    assert_no_text_overlap(&fig);
    let svg = fig.to_svg();
    assert!(
        svg.contains("\u{2026}</text>"),
        "label shortened with an ellipsis"
    );
    assert!(
        svg.len() < 2_000_000,
        "SVG of {} bytes for 1e5 times",
        svg.len()
    );
    let forest = ForestPlot {
        rows: vec![ForestRow {
            label: long.into(),
            hazard_ratio: Some(2.0),
            lower: Some(1.0),
            upper: Some(4.0),
            p: Some(0.04),
            ..Default::default()
        }],
        ..Default::default()
    };
    let fig = forest_plot(
        &forest,
        &FigureSize {
            width: 12.0,
            ..Default::default()
        },
    )
    .unwrap();
    assert_no_text_overlap(&fig);
}

#[test]
fn forest_arrows_for_intervals_past_the_axis() {
    // Monotone likelihood: an infinite upper limit ends in an arrow at the axis end;
    // a missing estimate prints NA and draws nothing.
    let mut rows = cox_rows();
    rows.push(ForestRow {
        label: "Separating covariate".into(),
        hazard_ratio: Some(5.0e6),
        lower: Some(3.2),
        upper: Some(f64::INFINITY),
        p: Some(0.9),
        ..Default::default()
    });
    rows.push(ForestRow {
        label: "Rare exposure".into(),
        hazard_ratio: Some(0.3),
        lower: Some(1e-5),
        upper: Some(1.9),
        p: Some(0.2),
        ..Default::default()
    });
    rows.push(ForestRow {
        label: "Not estimable".into(),
        ..Default::default()
    });
    let fig = forest_plot(
        &ForestPlot {
            rows,
            ..Default::default()
        },
        &FigureSize::default(),
    )
    .unwrap();
    write_outputs("survkit_forest_arrows", &fig);
    assert_no_text_overlap(&fig);
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let arrows = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon"))
        .count();
    assert_eq!(arrows, 2, "one arrow per clipped end");
    let t: Vec<String> = texts(&doc).into_iter().map(|t| t.2).collect();
    assert!(t.contains(&"NA".to_string()));
    assert!(t.contains(&"5.0e6 (3.20\u{2013}NA)".to_string()), "{t:?}");
}
