//! Gray's test against R `cmprsk::cuminc(ftime, fstatus, group, strata, rho)$Tests`
//! (cmprsk 2.2-11): statistic, p-value and degrees of freedom per cause.
//! Expected numbers: `tests/competing/gray_golden.json`, written by
//! `tests/competing/gray_golden.R` (inputs in `cohorts.R`, mgus2 in `mgus2.csv`).
//! Tolerance: relative 1e-8 for the statistic and the p-value.

use serde_json::Value;
use survkit_core::competing::{gray_test, CompetingData, GrayOptions};

const REL: f64 = 1e-8;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-14 || (a - b).abs() <= REL * b.abs()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default()
}

/// mgus2.csv: time, cause, sex, age, hgb.
fn mgus2() -> Vec<Vec<f64>> {
    let text = include_str!("competing/mgus2.csv");
    let mut cols = vec![Vec::new(); 5];
    for line in text.lines().skip(1) {
        for (c, f) in line.split(',').enumerate().take(5) {
            cols[c].push(f.parse::<f64>().unwrap_or(f64::NAN));
        }
    }
    cols
}

#[test]
fn gray_test_against_r() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("competing/gray_golden.json")).unwrap();
    assert!(cases.len() >= 8);
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let d = &case["data"];
        let (time, cause, group, stratum) = if d["csv"].is_string() {
            let m = mgus2();
            let stratum: Vec<usize> = m[3].iter().map(|&a| usize::from(a >= 70.0)).collect();
            (m[0].clone(), m[1].clone(), m[2].clone(), stratum)
        } else {
            let s = floats(&d["stratum"]).iter().map(|&x| x as usize).collect();
            (
                floats(&d["time"]),
                floats(&d["cause"]),
                floats(&d["group"]),
                s,
            )
        };
        let cause: Vec<u32> = cause.iter().map(|&c| c as u32).collect();
        let group: Vec<usize> = group.iter().map(|&g| g as usize).collect();
        let ng = group.iter().max().unwrap() + 1;
        let k = case["n_causes"].as_u64().unwrap() as usize;
        let mut data = CompetingData::new(&time, &cause, k).with_groups(&group, ng);
        if case["stratified"].as_bool().unwrap() {
            data.strata = Some(&stratum);
        }
        let opts = GrayOptions {
            rho: case["rho"].as_f64().unwrap(),
        };
        let t = gray_test(&data, &opts).unwrap();
        for e in case["expected"].as_array().unwrap() {
            let c = e["cause"].as_u64().unwrap() as usize;
            let got = &t.causes[c - 1];
            let (stat, pv) = (e["stat"].as_f64().unwrap(), e["pv"].as_f64().unwrap());
            let line = format!(
                "{name}, cause {c}: chisq {} vs R {stat} (rel {:.1e}), p {} vs R {pv} (rel {:.1e})",
                got.chisq,
                (got.chisq / stat - 1.0).abs(),
                got.p,
                (got.p / pv - 1.0).abs()
            );
            eprintln!("{line}");
            if !close(got.chisq, stat) || !close(got.p, pv) {
                failures.push(line);
            }
            assert_eq!(
                got.df as u64,
                e["df"].as_u64().unwrap(),
                "{name}, cause {c}: df"
            );
        }
    }
    assert!(failures.is_empty(), "beyond 1e-8:\n{}", failures.join("\n"));
}
