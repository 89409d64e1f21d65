//! Times rendering every figure of a Report the way the page asks for them: one
//! request per figure (SVG, then PDF), after the analysis has run.
//!
//! ```text
//! cargo run --release -p survkit-bench -- gen --n 1000000 --p 5 --out target/bench/data/c1e6.csv
//! cargo run --release -p survkit-report --example render_figures -- target/bench/data/c1e6.csv 5
//! ```
//! The Spec is the benchmark's page Spec (group `arm`, covariates `x1..xp`) with
//! `cox.zph` on, so that the Schoenfeld figure exists too.

use std::time::Instant;

use survkit_data::{EndpointSpec, VariableSpec};
use survkit_report::figures::{render, FigureKind, FigureRequest};
use survkit_report::{analyze_bytes, Spec};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("usage: render_figures FILE P");
    let p: usize = args.get(1).map_or(5, |s| s.parse().expect("P"));
    let bytes = std::fs::read(path).expect("read");
    let mut spec = Spec {
        endpoints: vec![EndpointSpec {
            time: Some("time".into()),
            event: "status".into(),
            ..Default::default()
        }],
        group: Some(VariableSpec {
            column: "arm".into(),
            ..Default::default()
        }),
        covariates: (1..=p)
            .map(|j| VariableSpec {
                column: format!("x{j}"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    spec.cox.zph = true;
    let t0 = Instant::now();
    let report = analyze_bytes(&bytes, "cohort.csv", &spec).expect("analysis");
    let t_analysis = t0.elapsed().as_secs_f64();
    // The Report's JSON (what the page receives), for its size only: the page's
    // Session keeps the typed Report and renders figures from it.
    let json = serde_json::to_string(&report).unwrap();
    let kinds = [
        FigureKind::Km,
        FigureKind::Cumhaz,
        FigureKind::Loglog,
        FigureKind::Forest,
        FigureKind::Schoenfeld,
    ];
    let reps = 3;
    let mut total = 0.0;
    let mut out_bytes = 0;
    let mut per_kind = Vec::new();
    for kind in kinds {
        let req = FigureRequest {
            kind,
            ..Default::default()
        };
        let mut best = f64::INFINITY;
        for _ in 0..reps {
            let t = Instant::now();
            let mut bytes = 0;
            // One request for the SVG, one for the PDF, as the page's figure panel does.
            for pdf in [false, true] {
                let fig = render(&report, &req).expect("figure");
                bytes += if pdf {
                    fig.to_pdf().len()
                } else {
                    fig.to_svg().len()
                };
            }
            best = best.min(t.elapsed().as_secs_f64());
            out_bytes = out_bytes.max(bytes);
        }
        total += best;
        per_kind.push(format!(
            "{kind:?} {best:.3} s ({:.1} MB)",
            out_bytes as f64 / 1e6
        ));
        out_bytes = 0;
    }
    // What each request cost on top before the Session kept the typed Report: parsing
    // the Report's JSON again.
    let mut parse = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        std::hint::black_box(&v);
        parse = parse.min(t.elapsed().as_secs_f64());
    }
    println!(
        "n_rows {} | analysis {t_analysis:.2} s | Report JSON {:.1} MB, parsed once in {parse:.3} s | all {} figures, SVG + PDF ({} requests), best of {reps} each: {total:.3} s | {}",
        report.n_rows,
        json.len() as f64 / 1e6,
        kinds.len(),
        2 * kinds.len(),
        per_kind.join(", ")
    );
}
