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
    let mut best = f64::INFINITY;
    let mut out_bytes = 0;
    for _ in 0..reps {
        let t = Instant::now();
        out_bytes = 0;
        for kind in kinds {
            let req = FigureRequest {
                kind,
                ..Default::default()
            };
            // One request for the SVG, one for the PDF, as the page's figure panel does.
            for pdf in [false, true] {
                let fig = render(&report, &req).expect("figure");
                out_bytes += if pdf {
                    fig.to_pdf().len()
                } else {
                    fig.to_svg().len()
                };
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "n_rows {} | analysis {t_analysis:.2} s | Report JSON {:.1} MB | all {} figures (SVG + PDF, {} requests): best of {reps} {:.3} s | output {:.1} MB",
        report.n_rows,
        json.len() as f64 / 1e6,
        kinds.len(),
        2 * kinds.len(),
        best,
        out_bytes as f64 / 1e6
    );
}
