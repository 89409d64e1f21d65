//! Kaplan–Meier against R `survival` 3.5-3: every column of `survfit`, the quantiles,
//! `print(fit)`'s median, `summary(fit, times = )` and `print(fit, rmean = )`.
//! Expected numbers: `tests/fixtures/km_golden.json`, written by `tests/r/km_golden.R`.
//! Tolerance: relative 1e-8, absolute 1e-12 near zero, for every quantity.
//! Cases named `w-…` have case weights (`survfit(weights = )`, with R's default
//! variance or `robust = TRUE/FALSE`); `at_times` past the last time are R's
//! `summary(fit, times, extend = TRUE)` values, flagged `beyond`.

use serde_json::Value;
use survkit_core::km::{kaplan_meier_weighted, BeyondFollowUp, ConfType, KmOptions, KmVariance};

const REL: f64 = 1e-8;
const ABS: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ABS || (a - b).abs() <= REL * b.abs()
}

fn check_opt(case: &str, what: &str, got: Option<f64>, want: &Value) {
    match (got, want.as_f64()) {
        (None, None) => {}
        (Some(g), Some(w)) => assert!(close(g, w), "{case}: {what}: got {g}, R {w}"),
        (g, _) => panic!("{case}: {what}: got {g:?}, R {want}"),
    }
}

fn check_vec_opt(case: &str, what: &str, got: &[Option<f64>], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        check_opt(case, &format!("{what}[{i}]"), *g, w);
    }
}

fn check_vec(case: &str, what: &str, got: &[f64], want: &Value) {
    let got: Vec<Option<f64>> = got.iter().map(|&x| Some(x)).collect();
    check_vec_opt(case, what, &got, want);
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default()
}

fn options(case: &Value) -> KmOptions {
    KmOptions {
        conf_type: serde_json::from_value::<ConfType>(case["conf_type"].clone()).unwrap(),
        conf_level: case["conf_level"].as_f64().unwrap(),
        quantiles: floats(&case["quantiles"]),
        times: floats(&case["times"]),
        rmst_tau: case["rmst_tau"].as_f64(),
        variance: serde_json::from_value::<KmVariance>(case["variance"].clone()).unwrap(),
        ..KmOptions::default()
    }
}

#[test]
fn kaplan_meier_against_r() {
    let cases: Vec<Value> = serde_json::from_str(include_str!("fixtures/km_golden.json")).unwrap();
    assert!(cases.len() >= 20);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let time = floats(&case["time"]);
        let status: Vec<bool> = case["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_bool().unwrap())
            .collect();
        let entry = case["entry"].as_array().map(|_| floats(&case["entry"]));
        let weights = case["weights"].as_array().map(|_| floats(&case["weights"]));
        let fit = kaplan_meier_weighted(
            &time,
            &status,
            entry.as_deref(),
            weights.as_deref(),
            &options(case),
        )
        .unwrap();
        assert_eq!(fit.weighted, weights.is_some(), "{name}: weighted");
        let e = &case["expected"];
        assert_eq!(fit.n as u64, e["n"].as_u64().unwrap(), "{name}: n");
        assert_eq!(
            fit.events as u64,
            e["events"].as_u64().unwrap(),
            "{name}: events"
        );
        check_vec(name, "time", &fit.time, &e["time"]);
        check_vec(name, "n_risk", &fit.n_risk, &e["n_risk"]);
        check_vec(name, "n_event", &fit.n_event, &e["n_event"]);
        check_vec(name, "n_censor", &fit.n_censor, &e["n_censor"]);
        check_vec(name, "surv", &fit.surv, &e["surv"]);
        check_vec_opt(name, "std_err", &fit.std_err, &e["std_err"]);
        check_vec_opt(name, "lower", &fit.lower, &e["lower"]);
        check_vec_opt(name, "upper", &fit.upper, &e["upper"]);
        check_vec(name, "cumhaz", &fit.cumhaz, &e["cumhaz"]);
        check_vec(name, "cumhaz_se", &fit.cumhaz_se, &e["cumhaz_se"]);
        let m = &e["median"];
        check_opt(name, "median", fit.median.estimate, &m["estimate"]);
        check_opt(name, "median lower", fit.median.lower, &m["lower"]);
        check_opt(name, "median upper", fit.median.upper, &m["upper"]);
        let qs = e["quantiles"].as_array().unwrap();
        assert_eq!(fit.quantiles.len(), qs.len());
        for (q, w) in fit.quantiles.iter().zip(qs) {
            let what = format!("quantile {}", q.p);
            check_opt(name, &what, q.estimate, &w["estimate"]);
            check_opt(name, &format!("{what} lower"), q.lower, &w["lower"]);
            check_opt(name, &format!("{what} upper"), q.upper, &w["upper"]);
        }
        let at = e["at_times"].as_array().cloned().unwrap_or_default();
        assert_eq!(fit.at_times.len(), at.len(), "{name}: at_times");
        for (a, w) in fit.at_times.iter().zip(&at) {
            let what = format!("at {}", a.time);
            check_opt(name, &what, Some(a.time), &w["time"]);
            check_opt(
                name,
                &format!("{what} n_risk"),
                Some(a.n_risk),
                &w["n_risk"],
            );
            check_opt(name, &format!("{what} surv"), a.surv, &w["surv"]);
            check_opt(name, &format!("{what} lower"), a.lower, &w["lower"]);
            check_opt(name, &format!("{what} upper"), a.upper, &w["upper"]);
            assert_eq!(
                a.beyond_follow_up,
                w["beyond"].as_bool().unwrap(),
                "{name}: {what} beyond"
            );
        }
        // SAS's convention: not estimable past the end unless the curve reached 0.
        let sas = KmOptions {
            beyond_follow_up: BeyondFollowUp::NotEstimable,
            ..options(case)
        };
        let fit_sas =
            kaplan_meier_weighted(&time, &status, entry.as_deref(), weights.as_deref(), &sas)
                .unwrap();
        for (a, b) in fit_sas.at_times.iter().zip(&fit.at_times) {
            if a.beyond_follow_up && b.surv != Some(0.0) {
                assert_eq!((a.surv, a.lower, a.upper), (None, None, None), "{name}");
            } else {
                assert_eq!(a, b, "{name}");
            }
        }
        let r = fit.rmst.expect("rmst");
        check_opt(name, "rmst tau", Some(r.tau), &e["rmst"]["tau"]);
        check_opt(name, "rmst", Some(r.estimate), &e["rmst"]["estimate"]);
        check_opt(name, "rmst se", Some(r.se), &e["rmst"]["se"]);
    }
}
