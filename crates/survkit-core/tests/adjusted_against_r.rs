//! Adjusted survival curves (direct standardisation over the cohort) against R 4.2.2 /
//! survival 3.5-3: `rowMeans(survfit(coxph, newdata = cohort with group set)$surv)`,
//! and for single patients `survfit(coxph, newdata = row)` with its standard error and
//! log confidence limits. Expected numbers: `tests/fixtures/adjusted_golden.json`, from
//! `tests/r/adjusted_golden.R`. The Cox model is refitted here by `cox::fit` on R's
//! design matrix. Tolerance 1e-10 relative (measured: below 3e-14 for β, curves and
//! standard errors; the brief's regression tolerance is 1e-6). The delta-method β-term of averaged curves is checked
//! against central finite differences of the curve itself.

// Gradients are indexed by time and coefficient together.
#![allow(clippy::needless_range_loop)]

use serde_json::Value;
use survkit_core::adjusted::{
    adjusted_survival, standardized_survival, AdjustedOptions, GroupDesign,
};
use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};

const REL: f64 = 1e-10;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn check(case: &str, what: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    let mut worst: f64 = 0.0;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let rel = (g - w).abs() / w.abs().max(1e-300);
        assert!(
            (g - w).abs() <= 1e-12 || rel <= REL,
            "{case}: {what}[{i}]: got {g}, R {w}"
        );
        worst = worst.max(rel);
    }
    worst
}

#[test]
fn adjusted_curves_against_r() {
    let models: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/adjusted_golden.json")).unwrap();
    assert_eq!(models.len(), 4);
    for m in &models {
        let name = m["name"].as_str().unwrap();
        let n = m["n"].as_u64().unwrap() as usize;
        let p = m["p"].as_u64().unwrap() as usize;
        let x = floats(&m["x"]);
        let time = floats(&m["time"]);
        let status: Vec<bool> = m["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let ties = if m["ties"] == "breslow" {
            Ties::Breslow
        } else {
            Ties::Efron
        };
        let data = CoxData::new(&time, &status, &x, p);
        let f = fit(
            &data,
            &CoxOptions {
                ties,
                ..CoxOptions::default()
            },
        )
        .unwrap();
        let w_coef = check(name, "coef", &f.coef, &floats(&m["coef"]));

        let gcols: Vec<usize> = match &m["group_columns"] {
            Value::Array(a) => a.iter().map(|v| v.as_u64().unwrap() as usize).collect(),
            v => vec![v.as_u64().unwrap() as usize],
        };
        let nl = m["n_levels"].as_u64().unwrap() as usize;
        let levels: Vec<Vec<f64>> = (0..nl)
            .map(|l| {
                (0..gcols.len())
                    .map(|c| if l == c + 1 { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        let design = GroupDesign {
            columns: gcols,
            levels,
        };
        let adj = adjusted_survival(&data, &f, &design, &AdjustedOptions::default()).unwrap();
        assert_eq!(adj.n_cohort, n);
        let mut w_adj: f64 = 0.0;
        for (l, curve) in adj.curves.iter().enumerate() {
            check(name, "event times", &curve.time, &floats(&m["event_times"]));
            w_adj = w_adj.max(check(
                name,
                &format!("adjusted surv level {l}"),
                &curve.surv,
                &floats(&m["adjusted"][l]),
            ));
            assert!(curve.surv.windows(2).all(|s| s[1] <= s[0]));
        }
        let mut w_se: f64 = 0.0;
        for s in m["singles"].as_array().unwrap() {
            let row = s["row"].as_u64().unwrap() as usize;
            let nd: Vec<f64> = (0..p).map(|j| x[j * n + row]).collect();
            let c = standardized_survival(&data, &f, &nd, 1, &AdjustedOptions::default()).unwrap();
            check(name, "single surv", &c.surv, &floats(&s["surv"]));
            let se_h: Vec<f64> = c.std_err.iter().zip(&c.surv).map(|(e, s)| e / s).collect();
            w_se = w_se.max(check(
                name,
                "single std.err (cumhaz)",
                &se_h,
                &floats(&s["std_err"]),
            ));
            let lower: Vec<f64> = c.lower.iter().map(|v| v.unwrap()).collect();
            let upper: Vec<f64> = c.upper.iter().map(|v| v.unwrap()).collect();
            check(name, "single lower", &lower, &floats(&s["lower"]));
            check(name, "single upper", &upper, &floats(&s["upper"]));
            check(name, "single n_risk", &c.n_risk, &floats(&s["n_risk"]));
        }
        eprintln!(
            "{name}: max rel error coef {w_coef:e}, adjusted surv {w_adj:e}, single se {w_se:e}"
        );
    }
}

#[test]
fn delta_method_beta_term_matches_finite_differences() {
    let models: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/adjusted_golden.json")).unwrap();
    let m = &models[2]; // colon, 3 levels
    let n = m["n"].as_u64().unwrap() as usize;
    let p = m["p"].as_u64().unwrap() as usize;
    let x = floats(&m["x"]);
    let time = floats(&m["time"]);
    let status: Vec<bool> = m["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_bool().unwrap())
        .collect();
    let data = CoxData::new(&time, &status, &x, p);
    let f = fit(&data, &CoxOptions::default()).unwrap();
    let opts = AdjustedOptions {
        times: Some(vec![365.0, 1000.0, 2000.0]),
        ..Default::default()
    };
    let total = standardized_survival(&data, &f, &x, n, &opts).unwrap();
    let mut no_beta = f.clone();
    no_beta.var = vec![vec![0.0; p]; p];
    let base = standardized_survival(&data, &no_beta, &x, n, &opts).unwrap();
    // Numerical gradient of the averaged curve in β.
    let mut grads = vec![vec![0.0; p]; 3];
    for j in 0..p {
        let h = 1e-5 * f.se[j];
        let mut up = f.clone();
        up.coef[j] += h;
        let mut dn = f.clone();
        dn.coef[j] -= h;
        let su = standardized_survival(&data, &up, &x, n, &opts)
            .unwrap()
            .surv;
        let sd = standardized_survival(&data, &dn, &x, n, &opts)
            .unwrap()
            .surv;
        for t in 0..3 {
            grads[t][j] = (su[t] - sd[t]) / (2.0 * h);
        }
    }
    for t in 0..3 {
        let gvg: f64 = (0..p)
            .map(|a| {
                (0..p)
                    .map(|b| grads[t][a] * f.var[a][b] * grads[t][b])
                    .sum::<f64>()
            })
            .sum();
        let got = total.std_err[t].powi(2) - base.std_err[t].powi(2);
        assert!(
            (got - gvg).abs() <= 1e-6 * gvg,
            "t {t}: delta {got}, numerical {gvg}"
        );
    }
}

#[test]
fn bad_input_is_an_error() {
    use survkit_core::Error;
    let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let status = [true, true, false, true, true, false];
    let x = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    let data = CoxData::new(&time, &status, &x, 1);
    let f = fit(&data, &CoxOptions::default()).unwrap();
    let o = AdjustedOptions::default();
    assert!(matches!(
        standardized_survival(&data, &f, &[1.0, 2.0], 1, &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        standardized_survival(&data, &f, &[], 0, &o),
        Err(Error::NoData(_))
    ));
    assert!(matches!(
        standardized_survival(&data, &f, &[f64::NAN], 1, &o),
        Err(Error::InvalidValue { .. })
    ));
    let strata = [0, 0, 0, 1, 1, 1];
    let mut sd = data;
    sd.strata = Some(&strata);
    assert!(matches!(
        standardized_survival(&sd, &f, &[1.0], 1, &o),
        Err(Error::InvalidOption(_))
    ));
    let other = CoxData::new(&time[..5], &status[..5], &x[..5], 1);
    assert!(matches!(
        standardized_survival(&other, &f, &[1.0], 1, &o),
        Err(Error::InvalidOption(_))
    ));
    let bad = GroupDesign {
        columns: vec![3],
        levels: vec![vec![0.0]],
    };
    assert!(matches!(
        adjusted_survival(&data, &f, &bad, &o),
        Err(Error::InvalidOption(_))
    ));
    // Before the first event the curve is 1 with zero variance; beyond the last time it stays flat.
    let g = AdjustedOptions {
        times: Some(vec![0.5, 100.0]),
        ..Default::default()
    };
    let c = standardized_survival(&data, &f, &x, 6, &g).unwrap();
    assert_eq!(c.surv[0], 1.0);
    assert_eq!(c.std_err[0], 0.0);
    assert!(c.surv[1] < 1.0);
    // Thinned event times: every k-th and the last.
    let thin = AdjustedOptions {
        max_event_times: 3,
        ..Default::default()
    };
    let c = standardized_survival(&data, &f, &x, 6, &thin).unwrap();
    assert_eq!(c.time, vec![1.0, 4.0, 5.0]);
}
