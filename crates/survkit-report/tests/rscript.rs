//! "Reproduce in R", end to end: the generated R script, run with Debian's R on
//! tests/data/lung.csv, prints the same numbers as survkit's Report (compared through
//! the JSON the script writes with jsonlite). Skips with a message when Rscript is
//! missing; CI installs R.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use survkit_report::{analyze_bytes, r_script, Spec};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rscript_available() -> bool {
    Command::new("Rscript")
        .arg("-e")
        .arg("library(survival); library(jsonlite)")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn close(a: Option<f64>, b: Option<f64>, tol: f64, what: &str) {
    match (a, b) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}: survkit {x} vs R {y}"
        ),
        _ => panic!("{what}: survkit {a:?} vs R {b:?}"),
    }
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Runs `spec` on `file` with survkit and with the generated R script; returns both.
fn both(file: &str, spec_json: &str) -> Option<(Value, Value, String)> {
    if !rscript_available() {
        // Under CI the set-up has installed R (scripts/setup.sh): missing is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "Rscript with survival and jsonlite is required under CI: run bash scripts/setup.sh r"
        );
        eprintln!("SKIPPED: Rscript with the survival and jsonlite packages is not installed");
        return None;
    }
    let path = root().join("tests/data").join(file);
    let bytes = std::fs::read(&path).expect("test data");
    let spec = Spec::from_json(spec_json).expect("spec");
    let typed = analyze_bytes(&bytes, file, &spec).expect("report");
    let script = r_script(&typed, file);
    let report = serde_json::to_value(&typed).unwrap();
    let dir = std::env::temp_dir().join(format!("survkit-rscript-{}-{}", std::process::id(), file));
    std::fs::create_dir_all(&dir).unwrap();
    let script_path = dir.join("reproduce.R");
    let json_path = dir.join("out.json");
    std::fs::write(&script_path, &script).unwrap();
    let out = Command::new("Rscript")
        .arg(&script_path)
        .arg(&path)
        .arg(&json_path)
        .output()
        .expect("run Rscript");
    assert!(
        out.status.success(),
        "the generated script failed:\n{}\n--- script ---\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some((report, r, script))
}

#[test]
fn r_script_reproduces_lung_report_against_r() {
    let spec = r#"{
      "endpoints": [{"name": "OS", "time": "time", "event": "status", "time_unit": "days", "output_unit": "months"}],
      "group": {"column": "sex"},
      "covariates": [{"column": "age"}, {"column": "ph.ecog", "categorical": true}],
      "survival": {"conf_type": "log-log", "times": [6, 12]},
      "cox": {"ties": "breslow"}
    }"#;
    let Some((report, r, script)) = both("lung.csv", spec) else {
        return;
    };
    assert!(script.contains("conf.type = \"log-log\""));
    assert!(script.contains("ties = \"breslow\""));
    let ep = &report["endpoints"][0];
    let rep = &r["endpoints"][0];
    assert_eq!(ep["n"].as_u64(), rep["n"].as_u64(), "n");
    assert_eq!(ep["events"].as_u64(), rep["events"].as_u64(), "events");
    let tol = 1e-6;
    // Medians with CIs, per group.
    let curves = ep["km"].as_array().unwrap();
    let meds = rep["medians"].as_array().unwrap();
    assert_eq!(curves.len(), meds.len());
    for (c, m) in curves.iter().zip(meds) {
        assert_eq!(c["group"].as_str(), m["group"].as_str());
        close(f(&c["median"]["estimate"]), f(&m["median"]), tol, "median");
        close(
            f(&c["median"]["lower"]),
            f(&m["lower"]),
            tol,
            "median lower",
        );
        close(
            f(&c["median"]["upper"]),
            f(&m["upper"]),
            tol,
            "median upper",
        );
        close(
            f(&c["rmst"]["estimate"]),
            f(&m["rmean"]),
            tol,
            "restricted mean",
        );
    }
    // Survival at 6 and 12 months, per group.
    let at = rep["at_times"].as_array().unwrap();
    let ours: Vec<&Value> = curves
        .iter()
        .flat_map(|c| c["at_times"].as_array().unwrap())
        .collect();
    assert_eq!(ours.len(), at.len());
    assert_eq!(at.len(), 4, "two times for each of two groups");
    for (o, a) in ours.iter().zip(at) {
        close(f(&o["time"]), f(&a["time"]), tol, "time");
        close(f(&o["surv"]), f(&a["surv"]), tol, "survival at time");
        close(f(&o["lower"]), f(&a["lower"]), tol, "survival lower");
        close(f(&o["upper"]), f(&a["upper"]), tol, "survival upper");
    }
    // Log-rank.
    close(
        f(&ep["tests"][0]["chisq"]),
        f(&rep["tests"][0]["chisq"]),
        tol,
        "log-rank chisq",
    );
    close(
        f(&ep["tests"][0]["p"]),
        f(&rep["tests"][0]["p"]),
        tol,
        "log-rank p",
    );
    // Median follow-up.
    close(
        f(&ep["followup"]["median"]),
        f(&rep["followup"]["median"]),
        tol,
        "follow-up",
    );
    // Multivariable Cox (Breslow ties): age and ph.ecog 1, 2, 3 vs 0.
    let terms = ep["cox"]["terms"].as_array().unwrap();
    let rterms = rep["multivariable"].as_array().unwrap();
    assert_eq!(terms.len(), rterms.len(), "number of Cox terms");
    assert!(terms.len() >= 3, "age plus ph.ecog levels");
    for (t, rt) in terms.iter().zip(rterms) {
        let what = format!("HR {}", rt["term"]);
        close(f(&t["hazard_ratio"]), f(&rt["hr"]), 1e-5, &what);
        close(f(&t["lower"]), f(&rt["lower"]), 1e-5, &what);
        close(f(&t["upper"]), f(&rt["upper"]), 1e-5, &what);
        close(f(&t["p"]), f(&rt["p"]), 1e-4, &what);
    }
    // Univariable screen.
    for u in ep["univariable"].as_array().unwrap() {
        let name = u["variable"].as_str().unwrap();
        let rt = rep["univariable"][name].as_array().unwrap();
        for (t, rt) in u["terms"].as_array().unwrap().iter().zip(rt) {
            close(f(&t["hazard_ratio"]), f(&rt["hr"]), 1e-5, name);
        }
    }
}

#[test]
fn r_script_recodes_explicit_event_values_against_r() {
    // veteran's status is 0/1; declare the coding explicitly and use a strata column.
    let spec = r#"{
      "endpoints": [{"time": "time", "event": "status", "event_values": ["1"]}],
      "group": {"column": "trt"},
      "strata": {"column": "celltype"},
      "survival": {"conf_type": "plain", "conf_level": 0.9, "rmst_tau": 200}
    }"#;
    let Some((report, r, _)) = both("veteran.csv", spec) else {
        return;
    };
    let ep = &report["endpoints"][0];
    let rep = &r["endpoints"][0];
    assert_eq!(ep["events"].as_u64(), rep["events"].as_u64());
    for (c, m) in ep["km"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rep["medians"].as_array().unwrap())
    {
        close(f(&c["median"]["estimate"]), f(&m["median"]), 1e-6, "median");
        close(
            f(&c["median"]["lower"]),
            f(&m["lower"]),
            1e-6,
            "median lower",
        );
        close(
            f(&c["median"]["upper"]),
            f(&m["upper"]),
            1e-6,
            "median upper",
        );
        close(
            f(&c["rmst"]["estimate"]),
            f(&m["rmean"]),
            1e-6,
            "restricted mean up to 200",
        );
    }
    close(
        f(&ep["tests"][0]["chisq"]),
        f(&rep["tests"][0]["chisq"]),
        1e-6,
        "stratified log-rank",
    );
}

#[test]
fn r_script_quotes_awkward_names() {
    let csv = "t \"days\",dead?,arm`x\n5,yes,A\n8,no,A\n12,yes,B\n3,yes,B\n";
    let spec = Spec::from_json(
        r#"{"endpoints": [{"time": "t \"days\"", "event": "dead?"}], "group": {"column": "arm`x"}}"#,
    )
    .unwrap();
    let report = analyze_bytes(csv.as_bytes(), "a \"b\".csv", &spec).unwrap();
    let script = r_script(&report, "a \"b\".csv");
    assert!(script.contains(r#"d[["t \"days\""]]"#));
    assert!(script.contains(r#"file <- if (length(args) >= 1) args[1] else "a \"b\".csv""#));
}

#[test]
fn r_script_weighted_curves_against_r() {
    // Non-integer case weights (bilirubin, for the test's sake): survfit(weights = ) in the
    // script, the robust variance by R's default; survival past the end carried (extend).
    let spec = r#"{
      "endpoints": [{"time": "time", "event": "status", "event_values": ["2"], "time_unit": "days"}],
      "group": {"column": "trt"},
      "weights": "bili",
      "survival": {"times": [1000, 3000, 5000]}
    }"#;
    let Some((report, r, script)) = both("pbc.csv", spec) else {
        return;
    };
    assert!(script.contains("survfit(Surv(time, status) ~ group, data = e, conf.type = \"log\", conf.int = 0.95, weights = .weights)"), "{script}");
    let ep = &report["endpoints"][0];
    let rep = &r["endpoints"][0];
    let curves = ep["km"].as_array().unwrap();
    assert!(curves
        .iter()
        .all(|c| c["weighted"] == true && c["robust_variance"] == true));
    for (c, m) in curves.iter().zip(rep["medians"].as_array().unwrap()) {
        close(f(&c["median"]["estimate"]), f(&m["median"]), 1e-8, "median");
        close(
            f(&c["median"]["lower"]),
            f(&m["lower"]),
            1e-8,
            "median lower",
        );
        close(
            f(&c["median"]["upper"]),
            f(&m["upper"]),
            1e-8,
            "median upper",
        );
        close(f(&c["rmst"]["estimate"]), f(&m["rmean"]), 1e-8, "rmean");
    }
    let at = rep["at_times"].as_array().unwrap();
    let ours: Vec<&Value> = curves
        .iter()
        .flat_map(|c| c["at_times"].as_array().unwrap())
        .collect();
    assert_eq!(ours.len(), at.len());
    for (o, a) in ours.iter().zip(at) {
        close(f(&o["surv"]), f(&a["surv"]), 1e-8, "survival at time");
        close(f(&o["lower"]), f(&a["lower"]), 1e-8, "survival lower");
        close(f(&o["upper"]), f(&a["upper"]), 1e-8, "survival upper");
    }
    let codes: Vec<&str> = ep["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert!(codes.contains(&"unweighted-with-weights"), "{codes:?}");
    let methods = ep["methods"].as_str().unwrap();
    assert!(
        methods.contains("Case weights ('bili')") && methods.contains("infinitesimal jackknife"),
        "{methods}"
    );
}

#[test]
fn no_unit_is_not_a_warning_and_the_methods_say_the_files_units() {
    let bytes = std::fs::read(root().join("tests/data/veteran.csv")).unwrap();
    let spec = Spec::from_json(
        r#"{"endpoints": [{"time": "time", "event": "status", "event_values": ["1"]}]}"#,
    )
    .unwrap();
    let report = analyze_bytes(&bytes, "veteran.csv", &spec).unwrap();
    let v = serde_json::to_value(&report).unwrap();
    let ep = &v["endpoints"][0];
    let text = serde_json::to_string(&ep["warnings"]).unwrap();
    assert!(!text.contains("not stated"), "{text}");
    assert!(ep["methods"]
        .as_str()
        .unwrap()
        .contains("Times are in the file's units."));
}

#[test]
fn r_script_strata_interaction_against_r() {
    // coxph(Surv(time, status) ~ age + sex + age:strata(ph.ecog) + strata(ph.ecog)).
    let spec = r#"{
      "endpoints": [{"time": "time", "event": "status", "event_values": ["2"], "time_unit": "days"}],
      "strata": {"column": "ph.ecog"},
      "covariates": [{"column": "age"}, {"column": "sex", "categorical": true}],
      "cox": {"covariates": ["age", "sex"], "univariable": ["age"], "strata_interactions": ["age"]}
    }"#;
    let Some((report, r, script)) = both("lung.csv", spec) else {
        return;
    };
    assert!(
        script.contains("`age`:strata(strata_var)") || script.contains("age:strata(strata_var)"),
        "{script}"
    );
    let terms = report["endpoints"][0]["cox"]["terms"].as_array().unwrap();
    let rterms = r["endpoints"][0]["multivariable"].as_array().unwrap();
    assert_eq!(terms.len(), 5, "age, sex, age × ph.ecog 1, 2, 3");
    assert_eq!(terms.len(), rterms.len(), "{rterms:?}");
    for (t, rt) in terms.iter().zip(rterms) {
        let what = format!("HR {}", rt["term"]);
        close(f(&t["hazard_ratio"]), f(&rt["hr"]), 1e-6, &what);
    }
}

#[test]
fn r_script_weighted_greenwood_against_r() {
    // The variance chosen explicitly reaches survfit (robust = FALSE).
    let spec = r#"{
      "endpoints": [{"time": "time", "event": "status", "event_values": ["2"], "time_unit": "days"}],
      "weights": "bili",
      "survival": {"times": [1000, 3000], "variance": "greenwood", "conf_type": "log-log"}
    }"#;
    let Some((report, r, script)) = both("pbc.csv", spec) else {
        return;
    };
    assert!(
        script.contains("weights = .weights, robust = FALSE"),
        "{script}"
    );
    let c = &report["endpoints"][0]["km"][0];
    assert!(c["robust_variance"].is_null(), "Greenwood: flag absent");
    let m = &r["endpoints"][0]["medians"][0];
    close(
        f(&c["median"]["lower"]),
        f(&m["lower"]),
        1e-8,
        "median lower",
    );
    close(
        f(&c["median"]["upper"]),
        f(&m["upper"]),
        1e-8,
        "median upper",
    );
    let at = r["endpoints"][0]["at_times"].as_array().unwrap();
    for (o, a) in c["at_times"].as_array().unwrap().iter().zip(at) {
        close(f(&o["lower"]), f(&a["lower"]), 1e-8, "lower");
        close(f(&o["upper"]), f(&a["upper"]), 1e-8, "upper");
    }
}
