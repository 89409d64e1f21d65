//! Subgroup analysis against R 4.2.2 / survival 3.5-3: the interaction LR test
//! `anova(coxph(~ expo + sub + covs), coxph(~ expo * sub + covs))` and the
//! within-subgroup `coxph(~ expo + covs, subset = sub == level)` hazard ratios.
//! Expected numbers: `tests/fixtures/subgroup_golden.json`, from
//! `tests/r/subgroup_golden.R`. Tolerance: 1e-6 relative (regression), counts exactly.

use serde_json::Value;
use survkit_core::cox::{CoxOptions, Ties};
use survkit_core::subgroup::{subgroup_analysis, SubgroupData, SubgroupWarning};

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap()).collect(),
        Value::Number(x) => vec![x.as_f64().unwrap()],
        _ => vec![],
    }
}

fn close(case: &str, what: &str, got: f64, want: &Value) -> f64 {
    let w = want.as_f64().unwrap();
    let rel = (got - w).abs() / w.abs();
    assert!(
        rel <= 1e-6 || (got - w).abs() <= 1e-10,
        "{case}: {what}: got {got}, R {w}"
    );
    rel
}

#[test]
fn subgroup_analysis_against_r() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("fixtures/subgroup_golden.json")).unwrap();
    assert!(cases.len() >= 7);
    let mut worst: f64 = 0.0;
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let time = floats(&c["time"]);
        let status: Vec<bool> = c["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let exposure = floats(&c["exposure"]);
        let subgroup: Vec<usize> = c["subgroup"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let covariates = floats(&c["covariates"]);
        let d = SubgroupData {
            time: &time,
            status: &status,
            exposure: &exposure,
            n_exposure: 1,
            subgroup: &subgroup,
            n_levels: c["n_levels"].as_u64().unwrap() as usize,
            covariates: &covariates,
            n_covariates: c["n_covariates"].as_u64().unwrap() as usize,
        };
        let ties = if c["ties"] == "breslow" {
            Ties::Breslow
        } else {
            Ties::Efron
        };
        let r = subgroup_analysis(
            &d,
            &CoxOptions {
                ties,
                ..Default::default()
            },
            0.95,
        )
        .unwrap();
        worst = worst.max(close(
            name,
            "loglik main",
            r.interaction.loglik_main,
            &c["loglik_main"],
        ));
        worst = worst.max(close(
            name,
            "loglik int",
            r.interaction.loglik_interaction,
            &c["loglik_int"],
        ));
        worst = worst.max(close(
            name,
            "LR chisq",
            r.interaction.test.chisq,
            &c["chisq"],
        ));
        worst = worst.max(close(name, "LR p", r.interaction.test.p, &c["p"]));
        assert_eq!(
            r.interaction.test.df as u64,
            c["df"].as_u64().unwrap(),
            "{name}: df"
        );
        assert!(r.warnings.is_empty(), "{name}: {:?}", r.warnings);
        for (s, w) in r.subgroups.iter().zip(c["subgroups"].as_array().unwrap()) {
            assert_eq!(s.n as u64, w["n"].as_u64().unwrap(), "{name}: n");
            assert_eq!(
                s.events as u64,
                w["events"].as_u64().unwrap(),
                "{name}: events"
            );
            let arms = s.arms.as_ref().unwrap();
            assert_eq!(
                arms.iter().map(|a| a.n as f64).collect::<Vec<_>>(),
                floats(&w["arm_n"])
            );
            assert_eq!(
                arms.iter().map(|a| a.events as f64).collect::<Vec<_>>(),
                floats(&w["arm_events"])
            );
            worst = worst.max(close(name, "coef", s.coef[0].unwrap(), &w["coef"]));
            worst = worst.max(close(name, "se", s.std_err[0].unwrap(), &w["se"]));
            worst = worst.max(close(name, "hr", s.hazard_ratio[0].unwrap(), &w["hr"]));
            worst = worst.max(close(name, "lower", s.lower[0].unwrap(), &w["lower"]));
            worst = worst.max(close(name, "upper", s.upper[0].unwrap(), &w["upper"]));
            worst = worst.max(close(name, "p", s.p[0].unwrap(), &w["p"]));
        }
    }
    eprintln!("worst relative error: {worst:e}");
}

#[test]
fn subgroup_without_events_or_contrast_gets_a_warning() {
    // Level 1 has no events; in level 2 everyone is exposed (interaction aliased).
    let time = [
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
    ];
    let status = [
        true, false, true, true, false, false, false, false, true, true, false, true,
    ];
    let exposure = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let subgroup = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    let d = SubgroupData {
        time: &time,
        status: &status,
        exposure: &exposure,
        n_exposure: 1,
        subgroup: &subgroup,
        n_levels: 3,
        covariates: &[],
        n_covariates: 0,
    };
    let r = subgroup_analysis(&d, &CoxOptions::default(), 0.95).unwrap();
    assert_eq!(r.subgroups[1].warnings, vec![SubgroupWarning::NoEvents]);
    assert_eq!(r.subgroups[1].hazard_ratio, vec![None]);
    assert_eq!(r.subgroups[2].hazard_ratio, vec![None]);
    assert!(r.subgroups[0].hazard_ratio[0].is_some());
    assert!(r.interaction.test.df < 2);
    let bad = SubgroupData { n_levels: 2, ..d };
    assert!(subgroup_analysis(&bad, &CoxOptions::default(), 0.95).is_err());
}
