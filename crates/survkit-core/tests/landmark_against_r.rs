//! Landmark selection and conditional survival against R 4.2.2 / survival 3.5-3:
//! `survfit(Surv(time - L, status) ~ 1, data = subset(d, time > L))` with each CI
//! transform, `summary(..., times)`, and the ratio `S(t)/S(L)` of the whole-cohort fit
//! (the R script checks that the two agree to 1e-12 before writing them).
//! Expected numbers: `tests/fixtures/landmark_golden.json`, from
//! `tests/r/landmark_golden.R`. Tolerance: relative 1e-8, absolute 1e-12.

use serde_json::Value;
use survkit_core::km::{kaplan_meier, ConfType, KmOptions};
use survkit_core::landmark::{
    conditional_survival, landmark_data, ConditionalOptions, LandmarkExclusion,
};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 || (a - b).abs() <= 1e-8 * b.abs()
}

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        _ => vec![],
    }
}

fn check_vec(case: &str, what: &str, got: &[f64], want: &Value) {
    let want = floats(want);
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(close(*g, *w), "{case}: {what}[{i}]: got {g}, R {w}");
    }
}

fn check_opt(case: &str, what: &str, got: &[Option<f64>], want: &Value) {
    let want = floats(want);
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        match g {
            Some(g) => assert!(close(*g, *w), "{case}: {what}[{i}]: got {g}, R {w}"),
            None => assert!(w.is_nan(), "{case}: {what}[{i}]: got None, R {w}"),
        }
    }
}

#[test]
fn conditional_survival_against_r() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/landmark_golden.json")).unwrap();
    assert!(cases.len() >= 8);
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let time = floats(&c["time"]);
        let status: Vec<bool> = c["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let l = c["landmark"].as_f64().unwrap();
        let times = floats(&c["times"]);

        let ld = landmark_data(&time, &status, l).unwrap();
        let rows: Vec<usize> = c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(ld.rows, rows, "{name}: rows kept");
        assert_eq!(ld.rows.len() + ld.excluded.len(), time.len());
        for e in &ld.excluded {
            assert!(time[e.row] <= l);
            assert_eq!(
                e.reason == LandmarkExclusion::EventBeforeLandmark,
                status[e.row]
            );
        }

        for (key, ct) in [
            ("log", ConfType::Log),
            ("log-log", ConfType::LogLog),
            ("plain", ConfType::Plain),
        ] {
            let want = &c[key];
            let opts = ConditionalOptions {
                conf_type: ct,
                conf_level: 0.95,
                times: times.clone(),
            };
            let cs = conditional_survival(&time, &status, l, &opts).unwrap();
            let case = format!("{name} {key}");
            assert!(
                close(cs.surv_at_landmark, c["surv_at_landmark"].as_f64().unwrap()),
                "{case}: S(L)"
            );
            check_vec(&case, "time", &cs.time, &want["time"]);
            check_vec(&case, "n_risk", &cs.n_risk, &want["n_risk"]);
            check_vec(&case, "n_event", &cs.n_event, &want["n_event"]);
            check_vec(&case, "n_censor", &cs.n_censor, &want["n_censor"]);
            check_vec(&case, "surv", &cs.surv, &want["surv"]);
            check_vec(&case, "surv vs S(t)/S(L)", &cs.surv, &want["ratio"]);
            let gse: Vec<Option<f64>> = cs
                .std_err
                .iter()
                .zip(&cs.surv)
                .map(|(se, s)| se.map(|se| se / s))
                .collect();
            check_opt(&case, "Greenwood se of log S", &gse, &want["greenwood_se"]);
            check_opt(&case, "lower", &cs.lower, &want["lower"]);
            check_opt(&case, "upper", &cs.upper, &want["upper"]);
            let at_s: Vec<Option<f64>> = cs.at_times.iter().map(|a| a.surv).collect();
            let at_l: Vec<Option<f64>> = cs.at_times.iter().map(|a| a.lower).collect();
            let at_u: Vec<Option<f64>> = cs.at_times.iter().map(|a| a.upper).collect();
            let at_n: Vec<f64> = cs.at_times.iter().map(|a| a.n_risk).collect();
            check_opt(&case, "at surv", &at_s, &want["at_surv"]);
            check_opt(&case, "at lower", &at_l, &want["at_lower"]);
            check_opt(&case, "at upper", &at_u, &want["at_upper"]);
            check_vec(&case, "at n_risk", &at_n, &want["at_n_risk"]);

            // The same numbers from the Kaplan–Meier of the landmark subset.
            let km = kaplan_meier(
                &ld.time,
                &ld.status,
                None,
                &KmOptions {
                    conf_type: ct,
                    ..KmOptions::default()
                },
            )
            .unwrap();
            check_vec(&case, "subset KM surv", &km.surv, &want["surv"]);
            check_opt(&case, "subset KM lower", &km.lower, &want["lower"]);
        }
    }
}
