//! Restricted mean time lost and cause-specific Cox models against R survival 3.5-3:
//! `summary(survfit(Surv(time, factor(cause)) ~ 1, id = ), rmean = tau)$table[, "rmean"]`
//! (tolerance 1e-8 relative) and `coxph(Surv(time, cause == k) ~ ...)` (coefficients,
//! model-based SEs, log-likelihoods; 1e-6 relative). Expected numbers:
//! `tests/competing/extras_golden.json`, written by `tests/competing/extras_golden.R`.

use serde_json::Value;
use survkit_core::competing::{aalen_johansen, cause_specific_cox, CifOptions, CompetingData};
use survkit_core::cox::{CoxOptions, Ties};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= 1e-12 || (a - b).abs() <= rel * b.abs()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default()
}

/// The inputs of `cohorts.R`, as the R script builds them.
struct Cohort {
    time: Vec<f64>,
    cause: Vec<u32>,
    group: Vec<f64>,
    stratum: Vec<usize>,
    weight: Vec<f64>,
    entry: Vec<f64>,
    x: Vec<f64>,
}

fn synthetic() -> Cohort {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("competing/cif_golden.json")).unwrap();
    // The delayed-entry case carries the synthetic cohort with its entry times.
    let d = &cases
        .iter()
        .find(|c| c["name"] == "synthetic, delayed entry, weighted, groups")
        .unwrap()["data"];
    let time = floats(&d["time"]);
    let n = time.len();
    Cohort {
        cause: floats(&d["cause"]).iter().map(|&c| c as u32).collect(),
        group: floats(&d["group"]),
        stratum: (0..n).map(|i| i % 2).collect(),
        weight: floats(&d["weight"]),
        entry: floats(&d["entry"]),
        x: (1..=n).map(|i| (i % 7) as f64 / 3.0).collect(),
        time,
    }
}

fn mgus2() -> Cohort {
    let text = include_str!("competing/mgus2.csv");
    let mut c = Cohort {
        time: vec![],
        cause: vec![],
        group: vec![],
        stratum: vec![],
        weight: vec![],
        entry: vec![],
        x: vec![],
    };
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        c.time.push(f[0].parse().unwrap());
        c.cause.push(f[1].parse().unwrap());
        c.group.push(f[2].parse().unwrap()); // sex
        c.x.push(f[3].parse().unwrap()); // age
    }
    c
}

#[test]
fn restricted_mean_time_lost_against_r() {
    let all: Value = serde_json::from_str(include_str!("competing/extras_golden.json")).unwrap();
    let cases = all["rmean"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let c = if name.starts_with("mgus2") {
            mgus2()
        } else {
            synthetic()
        };
        let mut data = CompetingData::new(&c.time, &c.cause, 2);
        if case["delayed"].as_bool().unwrap() {
            data.entry = Some(&c.entry);
        }
        if case["weighted"].as_bool().unwrap() {
            data.weights = Some(&c.weight);
        }
        let tau = case["tau"].as_f64().unwrap();
        let opts = CifOptions {
            rmtl_tau: Some(tau),
            ..CifOptions::default()
        };
        let fit = aalen_johansen(&data, &opts).unwrap();
        let g = &fit.groups[0];
        let want = floats(&case["rmean"]);
        let lost: Vec<f64> = g.causes.iter().map(|c| c.rmtl.unwrap().estimate).collect();
        for (k, (&got, &w)) in lost.iter().zip(&want[1..]).enumerate() {
            assert!(
                close(got, w, 1e-8),
                "{name}: RMTL cause {}: {got} vs R {w}",
                k + 1
            );
        }
        // Event-free restricted mean = tau − Σ RMTL (R's state "(s0)").
        let free = tau - lost.iter().sum::<f64>();
        assert!(
            close(free, want[0], 1e-8),
            "{name}: event-free {free} vs R {}",
            want[0]
        );
    }
}

#[test]
fn cause_specific_cox_against_r() {
    let all: Value = serde_json::from_str(include_str!("competing/extras_golden.json")).unwrap();
    let cases = all["cause_specific"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mg = name.starts_with("mgus2");
        let c = if mg { mgus2() } else { synthetic() };
        let n = c.time.len();
        let covs: Vec<&str> = case["covariates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut x = Vec::with_capacity(n * covs.len());
        for cov in &covs {
            match (*cov, mg) {
                ("sex", true) | ("group", false) => x.extend_from_slice(&c.group),
                ("age", true) | ("x", false) => x.extend_from_slice(&c.x),
                other => panic!("unknown covariate {other:?}"),
            }
        }
        let mut data = CompetingData::new(&c.time, &c.cause, 2);
        if case["delayed"].as_bool().unwrap() {
            data.entry = Some(&c.entry);
        }
        if case["weighted"].as_bool().unwrap() {
            data.weights = Some(&c.weight);
        }
        if case["strata"].as_bool().unwrap() {
            data.strata = Some(&c.stratum);
        }
        let ties = if case["ties"] == "breslow" {
            Ties::Breslow
        } else {
            Ties::Efron
        };
        let opts = CoxOptions {
            ties,
            ..CoxOptions::default()
        };
        let cause = case["cause"].as_u64().unwrap() as u32;
        let f = cause_specific_cox(&data, cause, &x, covs.len(), &opts).unwrap();
        assert_eq!(f.cause, cause);
        for (j, (&got, &w)) in f.fit.coef.iter().zip(&floats(&case["coef"])).enumerate() {
            assert!(close(got, w, 1e-6), "{name}: coef[{j}] {got} vs R {w}");
        }
        for (j, (&got, &w)) in f.fit.se.iter().zip(&floats(&case["se"])).enumerate() {
            assert!(close(got, w, 1e-6), "{name}: se[{j}] {got} vs R {w}");
        }
        for (j, (&got, &w)) in f
            .fit
            .loglik
            .iter()
            .zip(&floats(&case["loglik"]))
            .enumerate()
        {
            assert!(close(got, w, 1e-6), "{name}: loglik[{j}] {got} vs R {w}");
        }
    }
}
