//! Aalen–Johansen cumulative incidence against R: `survfit(Surv(time, factor(cause)) ~
//! group)` of survival 3.5-3 (every column: n.risk, pstate, the infinitesimal-jackknife
//! std.err, the log CI; `summary(fit, times = )`) and the `var` of cmprsk 2.2-11's
//! `cuminc` (at every distinct time, through `timepoints`).
//! Expected numbers: `tests/competing/cif_golden.json`, written by
//! `tests/competing/cif_golden.R` (inputs in `cohorts.R`, mgus2 in `mgus2.csv`).
//! Tolerance: relative 1e-8, absolute 1e-12 near zero, for every quantity.

use serde_json::Value;
use survkit_core::competing::{aalen_johansen, CifOptions, CifVariance, CompetingData};
use survkit_core::km::ConfType;

const REL: f64 = 1e-8;
const ABS: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ABS || (a - b).abs() <= REL * b.abs()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
        .unwrap_or_default()
}

fn check(case: &str, what: &str, got: &[f64], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let w = w.as_f64().unwrap();
        assert!(close(*g, w), "{case}: {what}[{i}]: got {g}, R {w}");
    }
}

fn check_opt(case: &str, what: &str, got: &[Option<f64>], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{case}: {what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        match (g, w.as_f64()) {
            (None, None) => {}
            (Some(g), Some(w)) => assert!(close(*g, w), "{case}: {what}[{i}]: got {g}, R {w}"),
            (g, w) => panic!("{case}: {what}[{i}]: got {g:?}, R {w:?}"),
        }
    }
}

/// Columns of `mgus2.csv` (header line, then numbers).
fn mgus2() -> (Vec<f64>, Vec<u32>, Vec<usize>) {
    let text = include_str!("competing/mgus2.csv");
    let mut time = Vec::new();
    let mut cause = Vec::new();
    let mut sex = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        time.push(f[0].parse().unwrap());
        cause.push(f[1].parse().unwrap());
        sex.push(f[2].parse().unwrap());
    }
    (time, cause, sex)
}

struct Input {
    time: Vec<f64>,
    cause: Vec<u32>,
    group: Vec<usize>,
    weight: Option<Vec<f64>>,
    entry: Option<Vec<f64>>,
}

fn input(case: &Value) -> Input {
    let d = &case["data"];
    if d["csv"].is_string() {
        let (time, cause, sex) = mgus2();
        let group = if d["group"].is_string() {
            sex
        } else {
            vec![0; time.len()]
        };
        return Input {
            time,
            cause,
            group,
            weight: None,
            entry: None,
        };
    }
    let time = floats(&d["time"]);
    let cause = floats(&d["cause"]).iter().map(|&c| c as u32).collect();
    let group = floats(&d["group"]).iter().map(|&g| g as usize).collect();
    Input {
        time,
        cause,
        group,
        weight: d["weight"].is_array().then(|| floats(&d["weight"])),
        entry: d["entry"].is_array().then(|| floats(&d["entry"])),
    }
}

#[test]
fn aalen_johansen_against_r() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("competing/cif_golden.json")).unwrap();
    assert!(cases.len() >= 10);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let inp = input(case);
        let k = case["n_causes"].as_u64().unwrap() as usize;
        let n_groups = inp.group.iter().max().unwrap() + 1;
        let data = CompetingData {
            entry: inp.entry.as_deref(),
            weights: inp.weight.as_deref(),
            ..CompetingData::new(&inp.time, &inp.cause, k)
        }
        .with_groups(&inp.group, n_groups);
        let opts = CifOptions {
            conf_level: case["conf_level"].as_f64().unwrap(),
            times: floats(&case["times"]),
            ..CifOptions::default()
        };
        let fit = aalen_johansen(&data, &opts).unwrap();
        let expected = case["expected"].as_array().unwrap();
        assert_eq!(fit.groups.len(), expected.len(), "{name}: groups");
        for (g, e) in fit.groups.iter().zip(expected) {
            let c = format!("{name}, group {}", g.group);
            assert_eq!(g.group as u64, e["group"].as_f64().unwrap() as u64, "{c}");
            check(&c, "time", &g.time, &e["time"]);
            check(&c, "n_risk", &g.n_risk, &e["n_risk"]);
            check(&c, "n_event", &g.n_event, &e["n_event"]);
            check(&c, "n_censor", &g.n_censor, &e["n_censor"]);
            check(&c, "surv", &g.surv, &e["surv"]);
            check(&c, "surv_std_err", &g.surv_std_err, &e["surv_std_err"]);
            check_opt(&c, "surv_lower", &g.surv_lower, &e["surv_lower"]);
            check_opt(&c, "surv_upper", &g.surv_upper, &e["surv_upper"]);
            for (j, cc) in g.causes.iter().enumerate() {
                let cj = format!("{c}, cause {}", cc.cause);
                check(&cj, "cif", &cc.cif, &e["cif"][j]);
                check(&cj, "std_err", &cc.std_err, &e["std_err"][j]);
                check_opt(&cj, "lower", &cc.lower, &e["lower"][j]);
                check_opt(&cj, "upper", &cc.upper, &e["upper"][j]);
                // S + Σ F = 1 at every time.
                if j == 0 {
                    for i in 0..g.time.len() {
                        let total: f64 = g.surv[i] + g.causes.iter().map(|x| x.cif[i]).sum::<f64>();
                        assert!((total - 1.0).abs() < 1e-12, "{c}: S + ΣF = {total}");
                    }
                }
                if let Some(at) = e.get("at_times").filter(|v| v.is_object()) {
                    let n_at = at["time"].as_array().unwrap().len();
                    let got = &cc.at_times[..n_at];
                    let t: Vec<f64> = got.iter().map(|a| a.time).collect();
                    check(&cj, "at.time", &t, &at["time"]);
                    let r: Vec<f64> = got.iter().map(|a| a.n_risk).collect();
                    check(&cj, "at.n_risk", &r, &at["n_risk"]);
                    let v: Vec<Option<f64>> = got.iter().map(|a| a.cif).collect();
                    check_opt(&cj, "at.cif", &v, &at["cif"][j]);
                    let v: Vec<Option<f64>> = got.iter().map(|a| a.std_err).collect();
                    check_opt(&cj, "at.std_err", &v, &at["std_err"][j]);
                    let v: Vec<Option<f64>> = got.iter().map(|a| a.lower).collect();
                    check_opt(&cj, "at.lower", &v, &at["lower"][j]);
                    let v: Vec<Option<f64>> = got.iter().map(|a| a.upper).collect();
                    check_opt(&cj, "at.upper", &v, &at["upper"][j]);
                    // Times beyond the last observed one: no value (R leaves them out).
                    assert!(cc.at_times[n_at..].iter().all(|a| a.cif.is_none()), "{cj}");
                }
            }
        }
        // cmprsk::cuminc's variance, unweighted right-censored cases.
        let aalen = CifOptions {
            variance: CifVariance::Aalen,
            conf_type: ConfType::LogLog,
            ..opts.clone()
        };
        let fit = aalen_johansen(&data, &aalen).unwrap();
        for (g, e) in fit.groups.iter().zip(expected) {
            let Some(vars) = e.get("cuminc_var").and_then(|v| v.as_array()) else {
                continue;
            };
            for (cc, want) in g.causes.iter().zip(vars) {
                let c = format!("{name}, group {}, cause {}: cuminc var", g.group, cc.cause);
                let got: Vec<Option<f64>> = cc.std_err.iter().map(|s| Some(s * s)).collect();
                check_opt(&c, "var", &got, want);
            }
        }
    }
}
