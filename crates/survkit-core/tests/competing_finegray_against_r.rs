//! Fine–Gray regression against R survival 3.5-3: `finegray()` then
//! `coxph(Surv(fgstart, fgstop, fgstatus) ~ ..., weights = fgwt)` (coefficients,
//! model-based SEs, log-likelihoods at 0 and at the estimate), Efron and Breslow ties.
//! Expected numbers: `tests/competing/finegray_golden.json`, written by
//! `tests/competing/finegray_golden.R`. Tolerance: relative 1e-6 (regression).
//! With `FineGrayConvention::Crr`, coefficients and sandwich SEs against
//! `cmprsk::crr` (2.2-11) on the same data, same tolerance.

use serde_json::Value;
use survkit_core::competing::{fine_gray, CompetingData, FineGrayConvention};
use survkit_core::cox::Ties;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1e-8)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Named covariate columns.
type Columns = Vec<(&'static str, Vec<f64>)>;

/// (time, cause, named columns) of the two cohorts.
fn cohort(which: &str) -> (Vec<f64>, Vec<u32>, Columns) {
    if which == "mgus2" {
        let (mut t, mut c, mut sex, mut age) = (vec![], vec![], vec![], vec![]);
        for line in include_str!("competing/mgus2.csv").lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            t.push(f[0].parse().unwrap());
            c.push(f[1].parse().unwrap());
            sex.push(f[2].parse().unwrap());
            age.push(f[3].parse().unwrap());
        }
        return (t, c, vec![("sex", sex), ("age", age)]);
    }
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("competing/cif_golden.json")).unwrap();
    let d = &cases[0]["data"];
    let t = floats(&d["time"]);
    let n = t.len();
    let c = floats(&d["cause"]).iter().map(|&x| x as u32).collect();
    // cohorts.R's group: 20 rows of 0, 20 of 1, 10 of 2; x = (row %% 7) / 3.
    let group = (0..n)
        .map(|i| match i {
            0..=19 => 0.0,
            20..=39 => 1.0,
            _ => 2.0,
        })
        .collect();
    let x = (1..=n).map(|i| (i % 7) as f64 / 3.0).collect();
    (t, c, vec![("x", x), ("group", group)])
}

#[test]
fn fine_gray_against_r_finegray_coxph() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("competing/finegray_golden.json")).unwrap();
    assert_eq!(cases.len(), 5);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let (time, cause, cols) = cohort(case["data"].as_str().unwrap());
        let covs: Vec<&str> = case["covariates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut x = Vec::new();
        for cv in &covs {
            x.extend_from_slice(&cols.iter().find(|(n, _)| n == cv).unwrap().1);
        }
        let ties = if case["ties"] == "breslow" {
            Ties::Breslow
        } else {
            Ties::Efron
        };
        let k = case["cause"].as_u64().unwrap() as u32;
        let data = CompetingData::new(&time, &cause, 2);
        let f = fine_gray(&data, k, &x, covs.len(), ties, FineGrayConvention::Finegray).unwrap();
        assert!(f.converged, "{name}");
        for (what, got, want) in [
            ("coef", f.coef.clone(), floats(&case["coef"])),
            ("se", f.se.clone(), floats(&case["se"])),
            ("loglik", f.loglik.to_vec(), floats(&case["loglik"])),
        ] {
            assert_eq!(got.len(), want.len(), "{name}: {what}");
            for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(close(*g, *w), "{name}: {what}[{j}] {g} vs R {w}");
            }
        }
        // cmprsk::crr: its coefficients and sandwich SEs.
        let f = fine_gray(&data, k, &x, covs.len(), ties, FineGrayConvention::Crr).unwrap();
        let crr = &case["crr"];
        let sand = f.sandwich_se.clone().unwrap();
        for (what, got, want) in [
            ("crr coef", f.coef.clone(), floats(&crr["coef"])),
            ("crr se", sand, floats(&crr["se"])),
        ] {
            for (j, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(close(*g, *w), "{name}: {what}[{j}] {g} vs R {w}");
            }
        }
    }
}
