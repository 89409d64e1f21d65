//! Byte-for-byte snapshots of everything a Report renders to, on the test datasets:
//! the Report JSON, every table (JSON as the page receives it, aligned text as the CLI
//! prints it, CSV and Markdown as downloaded), every figure as SVG and PDF, and the R
//! script. A restructuring of the report layer must leave all of them unchanged.
//!
//! Regenerate (and review the diff) with
//! `SURVKIT_UPDATE_SNAPSHOTS=1 cargo test -p survkit-report --test snapshots`.

use std::fmt::Write as _;
use std::path::PathBuf;

use survkit_report::figures::{FigureKind, FigureRequest};
use survkit_report::{analyze_bytes, Report, Spec};

mod render;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (case name, data file, Spec JSON). Together they reach every table, figure and R
/// block: groups and strata, several tests, trend, pairwise, hazard ratios, RMST
/// differences, categorical covariates, interactions, selection, backward
/// elimination, Firth, cox.zph, counting process with clusters, weights, filters,
/// several endpoints, output units, exclusions.
const CASES: &[(&str, &str, &str)] = &[
    (
        "lung_cox",
        "lung.csv",
        r#"{
      "endpoints": [{"name": "OS", "time": "time", "event": "status", "time_unit": "days", "output_unit": "months"}],
      "group": {"column": "sex"},
      "covariates": [{"column": "age"}, {"column": "ph.ecog", "categorical": true}, {"column": "wt.loss"}],
      "survival": {"conf_type": "log-log", "times": [6, 12], "tests": ["log-rank", "peto-peto"]},
      "cox": {"ties": "breslow", "zph": true}
    }"#,
    ),
    (
        "lung_two_endpoints",
        "lung.csv",
        r#"{
      "endpoints": [
        {"name": "OS", "time": "time", "event": "status"},
        {"name": "OS (years)", "time": "time", "event": "status", "event_values": ["2"], "time_unit": "days", "output_unit": "years"}
      ],
      "group": {"column": "ph.ecog", "label": "ECOG"},
      "survival": {"times": [1], "trend": true, "quantiles": [0.25, 0.5, 0.75]}
    }"#,
    ),
    (
        "veteran_strata",
        "veteran.csv",
        r#"{
      "endpoints": [{"time": "time", "event": "status", "event_values": ["1"]}],
      "group": {"column": "celltype"},
      "strata": {"column": "trt"},
      "survival": {"conf_type": "plain", "conf_level": 0.9, "rmst_tau": 200, "pairwise_adjust": "bonferroni"},
      "covariates": [{"column": "karno"}, {"column": "celltype", "categorical": true}],
      "cox": {"robust": true}
    }"#,
    ),
    (
        "heart_counting",
        "heart.csv",
        r#"{
      "endpoints": [{"time": "stop", "entry": "start", "event": "event"}],
      "group": {"column": "transplant"},
      "covariates": [{"column": "age"}, {"column": "surgery"}, {"column": "transplant"}],
      "cluster": "id",
      "cox": {"zph": true}
    }"#,
    ),
    (
        "ovarian_backward",
        "ovarian.csv",
        r#"{
      "endpoints": [{"time": "futime", "event": "fustat"}],
      "group": {"column": "rx", "reference": "2"},
      "covariates": [{"column": "age"}, {"column": "resid.ds"}, {"column": "ecog.ps"}, {"column": "rx"}],
      "survival": {"reference_group": "2"},
      "cox": {"firth": true, "backward": {"criterion": "p", "threshold": 0.1}}
    }"#,
    ),
    (
        "aml_simple",
        "aml.csv",
        r#"{
      "endpoints": [{"time": "time", "event": "status"}],
      "group": {"column": "x"},
      "survival": {"times": [12, 24], "rmst_tau": 40}
    }"#,
    ),
    (
        "pbc_select",
        "pbc.csv",
        r#"{
      "endpoints": [{"name": "Death", "time": "time", "event": "status", "event_values": ["2"], "time_unit": "days", "output_unit": "years"}],
      "group": {"column": "stage", "label": "Stage"},
      "covariates": [{"column": "bili"}, {"column": "albumin"}, {"column": "edema"}, {"column": "age"}, {"column": "trt"}],
      "filter": [{"column": "trt", "op": "<=", "value": "2"}],
      "survival": {"pairwise_vs_reference": true, "tests": ["log-rank", {"fleming-harrington": {"rho": 1, "gamma": 1}}]},
      "cox": {"covariates": ["bili", "albumin", "age"], "univariable": ["bili", "albumin", "edema", "age", "trt"], "select_p": 0.01, "interactions": [["bili", "age"]], "conf_level": 0.9}
    }"#,
    ),
    (
        "colon_death",
        "colon.csv",
        r#"{
      "endpoints": [{"name": "Death", "time": "time", "event": "status"}],
      "filter": [{"column": "etype", "op": "==", "value": "2"}],
      "group": {"column": "rx"},
      "covariates": [{"column": "nodes"}, {"column": "sex"}, {"column": "age", "cut_points": [50, 65]}],
      "cox": {"backward": {"criterion": "aic"}}
    }"#,
    ),
    (
        "rats_weights",
        "rats.csv",
        r#"{
      "endpoints": [{"time": "time", "event": "status"}],
      "group": {"column": "sex"},
      "covariates": [{"column": "rx"}, {"column": "sex", "categorical": true}],
      "weights": "litter",
      "cox": {"ties": "breslow"}
    }"#,
    ),
    (
        "veteran_overall",
        "veteran.csv",
        r#"{
      "endpoints": [{"time": "time", "event": "status"}],
      "covariates": [{"column": "age"}, {"column": "prior"}],
      "survival": {"conf_type": "log-log", "times": [30, 90, 180]}
    }"#,
    ),
];

fn figure_requests() -> Vec<(String, FigureRequest)> {
    let mut out = Vec::new();
    for (name, kind) in [
        ("km", FigureKind::Km),
        ("cumhaz", FigureKind::Cumhaz),
        ("loglog", FigureKind::Loglog),
        ("forest", FigureKind::Forest),
        ("schoenfeld", FigureKind::Schoenfeld),
    ] {
        out.push((
            name.to_string(),
            FigureRequest {
                kind,
                ..Default::default()
            },
        ));
    }
    out.push((
        "km_styled".into(),
        FigureRequest {
            kind: FigureKind::Km,
            width_cm: Some(12.0),
            height_cm: Some(10.0),
            title: Some("Overall survival".into()),
            x_label: Some("Time since diagnosis".into()),
            x_tick: Some(5.0),
            show_ci: Some(true),
            show_censor: Some(false),
            show_risk_table: Some(false),
            show_median_lines: Some(true),
            one_minus_survival: Some(true),
            monochrome: Some(true),
            show_p: Some(false),
            ..Default::default()
        },
    ));
    out
}

fn analysed(file: &str, spec_json: &str) -> Report {
    let bytes = std::fs::read(root().join("tests/data").join(file)).expect("test data");
    let spec = Spec::from_json(spec_json).expect("spec");
    analyze_bytes(&bytes, file, &spec).expect("report")
}

/// Every rendered artefact of one case, as (file name, bytes).
fn artefacts(file: &str, spec_json: &str) -> Vec<(String, Vec<u8>)> {
    rendered(file, &analysed(file, spec_json))
}

fn rendered(file: &str, report: &Report) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let json = serde_json::to_string_pretty(&report).unwrap();
    out.push(("report.json".to_string(), (json + "\n").into_bytes()));

    let r = render::Rendered::new(report);
    let tables = r.tables();
    out.push((
        "tables.json".into(),
        (serde_json::to_string_pretty(&tables).unwrap() + "\n").into_bytes(),
    ));
    let (mut text, mut csv, mut md) = (String::new(), String::new(), String::new());
    for t in &tables {
        writeln!(text, "{}", render::table_text(t)).unwrap();
        writeln!(csv, "## {}\n{}", t.id, t.to_csv()).unwrap();
        writeln!(md, "{}", t.to_markdown()).unwrap();
    }
    out.push(("tables.txt".into(), text.into_bytes()));
    out.push(("tables.csv".into(), csv.into_bytes()));
    out.push(("tables.md".into(), md.into_bytes()));

    let mut errors = String::new();
    for e in 0..report.endpoints.len() {
        for (name, mut req) in figure_requests() {
            req.endpoint = e;
            match r.figure(&req) {
                Ok(fig) => {
                    out.push((format!("fig_{e}_{name}.svg"), fig.to_svg().into_bytes()));
                    out.push((format!("fig_{e}_{name}.pdf"), fig.to_pdf()));
                }
                Err(msg) => writeln!(errors, "{e} {name}: {msg}").unwrap(),
            }
        }
    }
    out.push(("figure_errors.txt".into(), errors.into_bytes()));
    out.push(("reproduce.R".into(), r.r_script(file).into_bytes()));
    out
}

#[test]
fn renderings_match_snapshots() {
    let update = std::env::var_os("SURVKIT_UPDATE_SNAPSHOTS").is_some();
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut failures = Vec::new();
    for (case, file, spec) in CASES {
        let dir = base.join(case);
        let got = artefacts(file, spec);
        if update {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in &got {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
            continue;
        }
        let mut expected: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| {
                panic!(
                    "missing {}; run with SURVKIT_UPDATE_SNAPSHOTS=1",
                    dir.display()
                )
            })
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        expected.sort();
        let mut names: Vec<String> = got.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        if names != expected {
            failures.push(format!("{case}: files {names:?} vs snapshot {expected:?}"));
        }
        for (name, bytes) in &got {
            match std::fs::read(dir.join(name)) {
                Ok(want) if &want == bytes => {}
                Ok(_) => failures.push(format!("{case}/{name} differs")),
                Err(_) => failures.push(format!("{case}/{name} missing")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "renderings differ from tests/snapshots (review, then SURVKIT_UPDATE_SNAPSHOTS=1):\n{}",
        failures.join("\n")
    );
}

/// A Report read back from its JSON (a saved Report, or the page's) renders to the
/// same bytes as the Report in memory, and writes the same JSON again.
#[test]
fn a_report_read_back_renders_the_same() {
    for (case, file, spec) in CASES {
        let live = analysed(file, spec);
        let json = serde_json::to_string(&live).unwrap();
        let back = Report::from_json(&json).unwrap_or_else(|e| panic!("{case}: {e}"));
        let again = serde_json::to_string(&back).unwrap();
        if again != json {
            let at = again
                .bytes()
                .zip(json.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let lo = at.saturating_sub(120);
            panic!(
                "{case}: the JSON differs after reading it back, at byte {at}:\n{}\n{}",
                &json[lo..(at + 80).min(json.len())],
                &again[lo..(at + 80).min(again.len())]
            );
        }
        let a = rendered(file, &live);
        let b = rendered(file, &back);
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                x == y,
                "{case}/{name} differs after reading the Report back"
            );
        }
    }
}

/// The request field for 1 − S was renamed (a real cumulative incidence arrives with
/// competing risks); the old name is still read.
#[test]
fn the_old_name_of_one_minus_survival_is_read() {
    let req: FigureRequest = serde_json::from_str(r#"{"cumulative_incidence": true}"#).unwrap();
    assert_eq!(req.one_minus_survival, Some(true));
}
