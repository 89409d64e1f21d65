//! lifelines conventions (`conventions`) against lifelines 0.30.3 itself: the
//! Kaplan–Meier curve with its default log(−log) CI, the median and quartiles by
//! lifelines' rule (first time S ≤ 1 − p, no midpoint) with limits from the CI bands,
//! the tie-corrected Nelson–Aalen estimate with its variance and CI, and survival past
//! the last observation. Numbers from tests/py/lifelines_golden.py.
//!
//! Tolerances: S 1e-12 relative; CI limits, cumulative hazard, variance and its limits
//! 1e-9 relative (lifelines sums logs; survkit multiplies); quantile times exactly.

use serde_json::Value;
use survkit_core::conventions::{
    nelson_aalen, quantile, surv_at, BeyondLast, NelsonAalenTies, Program, QuantileDefinition,
};
use survkit_core::km::{kaplan_meier, ConfType, KmOptions};

fn nums(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(|x| x.as_f64()).collect()
}

fn close(what: &str, got: Option<f64>, want: Option<f64>, rel: f64) {
    match (got, want) {
        (Some(g), Some(w)) => assert!(
            (g - w).abs() <= rel * w.abs().max(1e-300),
            "{what}: got {g:.15e}, lifelines {w:.15e}"
        ),
        (g, w) => assert_eq!(g, w, "{what}"),
    }
}

#[test]
fn lifelines_defaults_against_lifelines() {
    let fx: Value = serde_json::from_str(include_str!("fixtures/lifelines_golden.json")).unwrap();
    let conv = Program::Lifelines.conventions();
    assert_eq!(conv.conf_type, ConfType::LogLog);
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    let mut exact_hits = 0;
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let t: Vec<f64> = nums(&c["time"]).into_iter().map(Option::unwrap).collect();
        let s: Vec<bool> = nums(&c["status"]).iter().map(|v| *v == Some(1.0)).collect();
        let opts = KmOptions {
            conf_type: conv.conf_type,
            ..Default::default()
        };
        let fit = kaplan_meier(&t, &s, None, &opts).unwrap();
        let km_time = nums(&c["km_time"]);
        assert_eq!(fit.time.len(), km_time.len(), "{name}: times");
        let (ks, kl, ku) = (
            nums(&c["km_surv"]),
            nums(&c["km_lower"]),
            nums(&c["km_upper"]),
        );
        for j in 0..fit.time.len() {
            assert_eq!(Some(fit.time[j]), km_time[j], "{name}");
            close(&format!("{name} surv {j}"), Some(fit.surv[j]), ks[j], 1e-12);
            // lifelines gives S = 0 limits as NaN and S = 1 (before the first event)
            // as 1; survkit gives None for both.
            if fit.surv[j] > 0.0 && fit.surv[j] < 1.0 {
                close(&format!("{name} lower {j}"), fit.lower[j], kl[j], 1e-9);
                close(&format!("{name} upper {j}"), fit.upper[j], ku[j], 1e-9);
            }
        }
        for p in [0.25, 0.5, 0.75] {
            let want = nums(&c["quantiles"][p.to_string()]);
            let q = quantile(&fit, p, conv.quantile).unwrap();
            if c["exact_hit"][p.to_string()].as_bool().unwrap() {
                // S = 1 − p exactly at some time: survkit gives that time (the rule in
                // exact arithmetic); lifelines that time or the next, as its rounding
                // falls. Check survkit's time is where S is exactly 1 − p.
                let j = fit
                    .time
                    .iter()
                    .position(|&x| Some(x) == q.estimate)
                    .unwrap();
                assert!((fit.surv[j] - (1.0 - p)).abs() < 1e-12, "{name} q{p}");
                assert!(want[0] >= q.estimate, "{name} q{p}");
                exact_hits += 1;
            } else {
                assert_eq!(q.estimate, want[0], "{name} q{p}");
            }
            // lifelines' lower limit of the time comes from the lower band of S.
            assert_eq!(q.lower, want[1], "{name} q{p} lower");
            assert_eq!(q.upper, want[2], "{name} q{p} upper");
        }
        if !c["exact_hit"]["0.5"].as_bool().unwrap() {
            let m = quantile(&fit, 0.5, conv.quantile).unwrap().estimate;
            assert_eq!(m, c["median"].as_f64(), "{name} median");
        }
        let na = nelson_aalen(&fit, conv.nelson_aalen, 0.95).unwrap();
        let (h, v) = (nums(&c["na_cumhaz"]), nums(&c["na_var"]));
        let (hl, hu) = (nums(&c["na_lower"]), nums(&c["na_upper"]));
        assert_eq!(na.time.len(), h.len(), "{name}: NA times");
        for j in 0..h.len() {
            close(&format!("{name} H {j}"), Some(na.cumhaz[j]), h[j], 1e-9);
            close(&format!("{name} var H {j}"), Some(na.var[j]), v[j], 1e-9);
            if na.cumhaz[j] > 0.0 {
                close(&format!("{name} H lower {j}"), na.lower[j], hl[j], 1e-9);
                close(&format!("{name} H upper {j}"), na.upper[j], hu[j], 1e-9);
            }
        }
        let beyond = nums(&c["beyond"]);
        let (sb, _, _) = surv_at(&fit, beyond[0].unwrap(), conv.beyond_last);
        close(&format!("{name} beyond"), sb, beyond[1], 1e-12);
        assert_eq!(
            surv_at(&fit, beyond[0].unwrap(), BeyondLast::NotEstimable).0,
            None
        );
    }
    // WHAS500: S(295) = 375/500 = 0.75 exactly; lifelines holds 0.7500000000000001 and
    // reports 297 for the first quartile, survkit 295 (R: the midpoint 296).
    assert!(exact_hits >= 1);
}

#[test]
fn r_and_lifelines_medians_differ_on_a_plateau() {
    // S = 0.5 exactly on [2, 4): R takes the midpoint 3, lifelines' rule the start 2.
    let t = [1.0, 2.0, 4.0, 5.0];
    let s = [true, true, true, true];
    let fit = kaplan_meier(&t, &s, None, &KmOptions::default()).unwrap();
    assert_eq!(fit.median.estimate, Some(3.0));
    let r = quantile(&fit, 0.5, QuantileDefinition::R).unwrap();
    assert_eq!(r.estimate, Some(3.0));
    let l = quantile(&fit, 0.5, QuantileDefinition::FirstAtOrBelow).unwrap();
    assert_eq!(l.estimate, Some(2.0));
    assert!(quantile(&fit, 1.0, QuantileDefinition::R).is_err());
}

#[test]
fn nelson_aalen_by_hand() {
    // n = 7: t=1 two events, t=2 censored, t=3 two events + one censored (n = 4),
    // t=5 one event (n = 1).
    let t = [1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 5.0];
    let s = [true, true, false, true, true, false, true];
    let fit = kaplan_meier(&t, &s, None, &KmOptions::default()).unwrap();
    let r = nelson_aalen(&fit, NelsonAalenTies::R, 0.95).unwrap();
    let c = nelson_aalen(&fit, NelsonAalenTies::TieCorrected, 0.95).unwrap();
    let h_r = 2.0 / 7.0 + 2.0 / 4.0 + 1.0;
    let h_c = 1.0 / 7.0 + 1.0 / 6.0 + 1.0 / 4.0 + 1.0 / 3.0 + 1.0;
    let v_c = 1.0 / 49.0 + 1.0 / 36.0 + 1.0 / 16.0 + 1.0 / 9.0 + 1.0;
    close("R H", r.cumhaz.last().copied(), Some(h_r), 1e-15);
    close(
        "R var",
        r.var.last().copied(),
        Some(2.0 / 49.0 + 2.0 / 16.0 + 1.0),
        1e-15,
    );
    close("corrected H", c.cumhaz.last().copied(), Some(h_c), 1e-15);
    close("corrected var", c.var.last().copied(), Some(v_c), 1e-15);
    // R's cumhaz agrees with the fit's own column.
    for (a, b) in r.cumhaz.iter().zip(&fit.cumhaz) {
        assert!((a - b).abs() < 1e-15);
    }
    assert!(nelson_aalen(&fit, NelsonAalenTies::R, 1.5).is_err());
}

#[test]
fn presets_name_their_rules() {
    use survkit_core::compare::TestMethod;
    use survkit_core::conventions::TieMethod;
    let sas = Program::Sas.conventions();
    assert_eq!(sas.peto, TestMethod::PetoPetoPrentice);
    assert_eq!(sas.cox_ties, TieMethod::Breslow);
    assert_eq!(sas.beyond_last, BeyondLast::NotEstimable);
    let r = Program::R.conventions();
    assert_eq!(r.conf_type, ConfType::Log);
    assert_eq!(r.peto, TestMethod::PetoPeto);
    assert!(TieMethod::Discrete.split().is_err());
    for p in [
        Program::R,
        Program::Sas,
        Program::Stata,
        Program::Prism,
        Program::Lifelines,
    ] {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, format!("\"{}\"", p.name()));
    }
}

#[test]
fn weighted_tests_against_lifelines_on_whas500() {
    // lifelines' `weightings="peto"` is the Peto–Prentice weight S̃(t_j) (SAS TEST=PETO),
    // its Fleming–Harrington(1, 0) the KM S(t−) (R's rho = 1). Tolerance 1e-8 relative.
    use survkit_core::compare::{survdiff, TestMethod};
    let text = include_str!("data/whas500.csv");
    let (mut t, mut s, mut afb, mut agegrp) = (vec![], vec![], vec![], vec![]);
    for line in text.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        t.push(f[0]);
        s.push(f[1] == 1.0);
        afb.push(f[2] as usize);
        agegrp.push(if f[4] <= 60.0 {
            0
        } else if f[4] <= 75.0 {
            1
        } else {
            2
        });
    }
    let fx: Value = serde_json::from_str(include_str!("fixtures/lifelines_golden.json")).unwrap();
    let tests = fx["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 10);
    for c in tests {
        let (group, k) = match c["by"].as_str().unwrap() {
            "afb" => (&afb, 2),
            _ => (&agegrp, 3),
        };
        let method = match c["weightings"].as_str().unwrap() {
            "log-rank" => TestMethod::LogRank,
            "wilcoxon" => TestMethod::GehanBreslow,
            "tarone-ware" => TestMethod::TaroneWare,
            "peto" => TestMethod::PetoPetoPrentice,
            "fleming-harrington" => TestMethod::PetoPeto,
            other => panic!("{other}"),
        };
        let r = survdiff(&t, &s, group, k, None, method).unwrap();
        let what = format!("{} {}", c["by"], c["weightings"]);
        close(&what, Some(r.chisq), c["chisq"].as_f64(), 1e-8);
        close(&format!("{what} p"), Some(r.p), c["p"].as_f64(), 1e-6);
    }
}

#[test]
fn fifty_patient_cohort_r_versus_lifelines() {
    // The first 50 rows of lung, months to a tenth (S = 0.5 exactly from 12.2 to 12.8):
    //   library(survival); l <- read.csv("tests/data/lung.csv")[1:50, ]
    //   f <- survfit(Surv(round(time / 30.4375, 1), status == 2) ~ 1, data = l,
    //                conf.type = "log-log")
    //   quantile(f, 0.5)   # 12.5 (6.9, 17.1)
    // lifelines (tests/py/lifelines_golden.py, "lung50_months"): 12.2 (6.9, 17.1).
    let fx: Value = serde_json::from_str(include_str!("fixtures/lifelines_golden.json")).unwrap();
    let c = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "lung50_months")
        .unwrap();
    let t: Vec<f64> = nums(&c["time"]).into_iter().map(Option::unwrap).collect();
    let s: Vec<bool> = nums(&c["status"]).iter().map(|v| *v == Some(1.0)).collect();
    let opts = KmOptions {
        conf_type: ConfType::LogLog,
        ..Default::default()
    };
    let fit = kaplan_meier(&t, &s, None, &opts).unwrap();
    let r = quantile(&fit, 0.5, QuantileDefinition::R).unwrap();
    let l = quantile(&fit, 0.5, QuantileDefinition::FirstAtOrBelow).unwrap();
    let round1 = |x: Option<f64>| x.map(|v| (v * 10.0).round() / 10.0);
    assert_eq!(round1(r.estimate), Some(12.5));
    assert_eq!((round1(r.lower), round1(r.upper)), (Some(6.9), Some(17.1)));
    assert_eq!(l.estimate, c["median"].as_f64());
    assert_eq!(round1(l.estimate), Some(12.2));
    assert_eq!((l.lower, l.upper), (Some(6.9), Some(17.1)));
}

#[test]
fn r_definition_is_the_fits_own_quantiles() {
    // `QuantileDefinition::R` must give what `kaplan_meier` reports (checked against R in
    // km_against_r.rs), for both CI transforms, on every dataset of the fixture.
    let fx: Value = serde_json::from_str(include_str!("fixtures/lifelines_golden.json")).unwrap();
    for c in fx["cases"].as_array().unwrap() {
        let t: Vec<f64> = nums(&c["time"]).into_iter().map(Option::unwrap).collect();
        let s: Vec<bool> = nums(&c["status"]).iter().map(|v| *v == Some(1.0)).collect();
        for conf_type in [ConfType::Log, ConfType::LogLog] {
            let opts = KmOptions {
                conf_type,
                ..Default::default()
            };
            let fit = kaplan_meier(&t, &s, None, &opts).unwrap();
            for q in &fit.quantiles {
                let mine = quantile(&fit, q.p, QuantileDefinition::R).unwrap();
                assert_eq!(mine, *q, "{} p = {}", c["name"], q.p);
            }
        }
    }
}
