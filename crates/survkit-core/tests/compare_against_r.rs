//! Group comparisons against R `survival` 3.5-3 (`survdiff`, `p.adjust`, `print(rmean=)`)
//! and, for weights `survdiff` lacks, against the textbook formula evaluated in R (see
//! `tests/r/compare_golden.R`, which first checks that code against `survdiff`).
//! Tolerance: relative 1e-8, absolute 1e-12 near zero, for every quantity.

use serde_json::Value;
use survkit_core::compare::{
    hazard_ratio, pairwise, rmst_difference, survdiff, trend_test, PAdjust, TestMethod,
};

const REL: f64 = 1e-8;
const ABS: f64 = 1e-12;

fn check(case: &str, what: &str, got: f64, want: &Value) {
    let w = want
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: {what}: R gave {want}"));
    let ok = (got - w).abs() <= ABS || (got - w).abs() <= REL * w.abs();
    assert!(ok, "{case}: {what}: got {got}, R {w}");
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn codes(v: &Value) -> Option<Vec<usize>> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_u64().unwrap() as usize).collect())
}

fn method(name: &str) -> TestMethod {
    match name {
        "log-rank" => TestMethod::LogRank,
        "peto-peto" => TestMethod::PetoPeto,
        "gehan-breslow" => TestMethod::GehanBreslow,
        "tarone-ware" => TestMethod::TaroneWare,
        "fh-1-1" => TestMethod::FlemingHarrington {
            rho: 1.0,
            gamma: 1.0,
        },
        "fh-0-1" => TestMethod::FlemingHarrington {
            rho: 0.0,
            gamma: 1.0,
        },
        "fh-0.5-2" => TestMethod::FlemingHarrington {
            rho: 0.5,
            gamma: 2.0,
        },
        other => panic!("unknown method {other}"),
    }
}

struct Case {
    name: String,
    time: Vec<f64>,
    status: Vec<bool>,
    group: Vec<usize>,
    n_groups: usize,
    strata: Option<Vec<usize>>,
}

fn load() -> Vec<(Case, Value)> {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/compare_golden.json")).unwrap();
    cases
        .into_iter()
        .map(|c| {
            let case = Case {
                name: c["name"].as_str().unwrap().to_string(),
                time: floats(&c["time"]),
                status: c["status"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_bool().unwrap())
                    .collect(),
                group: codes(&c["group"]).unwrap(),
                n_groups: c["n_groups"].as_u64().unwrap() as usize,
                strata: codes(&c["strata"]),
            };
            (case, c)
        })
        .collect()
}

#[test]
fn weighted_logrank_family_against_r() {
    for (c, v) in load() {
        for t in v["tests"].as_array().unwrap() {
            let name = format!("{} {}", c.name, t["method"].as_str().unwrap());
            let r = survdiff(
                &c.time,
                &c.status,
                &c.group,
                c.n_groups,
                c.strata.as_deref(),
                method(t["method"].as_str().unwrap()),
            )
            .unwrap();
            check(&name, "chisq", r.chisq, &t["chisq"]);
            assert_eq!(r.df as u64, t["df"].as_u64().unwrap(), "{name}: df");
            check(&name, "p", r.p, &t["p"]);
            let (o, e) = (floats(&t["observed"]), floats(&t["expected"]));
            assert_eq!(r.groups.len(), o.len());
            for (k, gc) in r.groups.iter().enumerate() {
                check(&name, "observed", gc.observed, &Value::from(o[k]));
                check(&name, "expected", gc.expected, &Value::from(e[k]));
                for (l, x) in r.variance[k].iter().enumerate() {
                    check(&name, "variance", *x, &t["variance"][k][l]);
                }
            }
        }
    }
}

#[test]
fn trend_pairwise_hr_rmst_against_r() {
    let mut seen = (0, 0, 0);
    for (c, v) in load() {
        let name = c.name.as_str();
        let strata = c.strata.as_deref();
        if !v["trend"].is_null() {
            let r = trend_test(
                &c.time,
                &c.status,
                &c.group,
                c.n_groups,
                strata,
                TestMethod::LogRank,
                None,
            )
            .unwrap();
            check(name, "trend U", r.statistic, &v["trend"]["statistic"]);
            check(name, "trend chisq", r.chisq, &v["trend"]["chisq"]);
            check(name, "trend p", r.p, &v["trend"]["p"]);
            seen.0 += 1;
        }
        for (adjust, key) in [
            (PAdjust::None, "none"),
            (PAdjust::Bonferroni, "bonferroni"),
            (PAdjust::Holm, "holm"),
            (PAdjust::Bh, "bh"),
        ] {
            let r = pairwise(
                &c.time,
                &c.status,
                &c.group,
                c.n_groups,
                strata,
                TestMethod::LogRank,
                None,
                adjust,
            )
            .unwrap();
            let want = v["pairwise"].as_array().unwrap();
            assert_eq!(r.len(), want.len(), "{name}: pairs");
            for (p, w) in r.iter().zip(want) {
                assert_eq!(p.group_a as u64, w["group_a"].as_u64().unwrap());
                assert_eq!(p.group_b as u64, w["group_b"].as_u64().unwrap());
                check(name, "pairwise chisq", p.chisq, &w["chisq"]);
                check(name, "pairwise p", p.p, &w["p"]);
                check(name, key, p.p_adjusted, &w[key]);
            }
        }
        let h = &v["hazard_ratio"];
        if !h.is_null() {
            let (a, b) = (
                h["group"].as_u64().unwrap(),
                h["reference"].as_u64().unwrap(),
            );
            let r = hazard_ratio(
                &c.time, &c.status, &c.group, c.n_groups, strata, a as usize, b as usize, 0.95,
            )
            .unwrap();
            for (got, key) in [
                (r.logrank, "logrank"),
                (r.mantel_haenszel, "mantel_haenszel"),
            ] {
                check(name, key, got.estimate, &h[key]["estimate"]);
                check(name, key, got.lower, &h[key]["lower"]);
                check(name, key, got.upper, &h[key]["upper"]);
            }
            seen.1 += 1;
        }
        let d = &v["rmst_difference"];
        if !d.is_null() {
            let r = rmst_difference(
                &c.time,
                &c.status,
                &c.group,
                c.n_groups,
                d["group"].as_u64().unwrap() as usize,
                d["reference"].as_u64().unwrap() as usize,
                d["tau_given"].as_f64(),
                0.95,
            )
            .unwrap();
            for (got, key) in [
                (r.tau, "tau"),
                (r.rmst_group, "rmst_group"),
                (r.se_group, "se_group"),
                (r.rmst_reference, "rmst_reference"),
                (r.se_reference, "se_reference"),
                (r.difference, "difference"),
                (r.se, "se"),
                (r.lower, "lower"),
                (r.upper, "upper"),
                (r.p, "p"),
            ] {
                check(name, key, got, &d[key]);
            }
            seen.2 += 1;
        }
    }
    assert!(seen.0 >= 4 && seen.1 >= 5 && seen.2 >= 3, "{seen:?}");
}
