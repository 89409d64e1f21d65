//! Median follow-up by reverse Kaplan–Meier against R:
//! `summary(survfit(Surv(time, 1 - status) ~ 1, conf.type = ))$table`, plus range and
//! the median of censored times (`tests/r/km_followup.R`). Tolerance 1e-8 relative.

use serde_json::Value;
use survkit_core::followup::follow_up;
use survkit_core::km::{ConfType, KmOptions};

fn check(case: &str, what: &str, got: Option<f64>, want: &Value) {
    match (got, want.as_f64()) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= 1e-12 || (g - w).abs() <= 1e-8 * w.abs(),
            "{case}: {what}: got {g}, R {w}"
        ),
        (g, _) => panic!("{case}: {what}: got {g:?}, R {want}"),
    }
}

#[test]
fn follow_up_against_r() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/km_followup.json")).unwrap();
    assert!(cases.len() >= 8);
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let time: Vec<f64> = c["time"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let status: Vec<bool> = c["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_bool().unwrap())
            .collect();
        let opts = KmOptions {
            conf_type: serde_json::from_value::<ConfType>(c["conf_type"].clone()).unwrap(),
            ..KmOptions::default()
        };
        let f = follow_up(&time, &status, None, &opts).unwrap();
        let e = &c["expected"];
        check(name, "median", f.median, &e["median"]);
        check(name, "lower", f.lower, &e["lower"]);
        check(name, "upper", f.upper, &e["upper"]);
        check(name, "min", Some(f.min), &e["min"]);
        check(name, "max", Some(f.max), &e["max"]);
        check(
            name,
            "median_censored",
            f.median_censored,
            &e["median_censored"],
        );
    }
}
