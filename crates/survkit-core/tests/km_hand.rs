//! Tiny hand-computable cases and inputs that must give errors, not panics.

use survkit_core::compare::{survdiff, TestMethod};
use survkit_core::followup::follow_up;
use survkit_core::km::{kaplan_meier, ConfType, KmOptions};
use survkit_core::Error;

fn km(t: &[f64], s: &[bool]) -> survkit_core::km::KmFit {
    kaplan_meier(t, s, None, &KmOptions::default()).unwrap()
}

#[test]
fn single_row_event() {
    let f = km(&[5.0], &[true]);
    assert_eq!(f.surv, vec![0.0]);
    assert_eq!(f.std_err, vec![None]);
    assert_eq!(f.median.estimate, Some(5.0));
    assert_eq!(f.median.lower, None);
}

#[test]
fn all_censored_median_not_reached() {
    let f = km(&[5.0, 5.0, 7.0], &[false, false, false]);
    assert_eq!(f.surv, vec![1.0, 1.0]);
    assert_eq!(f.n_censor, vec![2.0, 1.0]);
    assert_eq!(f.median.estimate, None);
    assert_eq!(f.events, 0);
    // Restricted mean to the last time is the whole interval.
    assert_eq!(f.rmst.unwrap().estimate, 7.0);
}

#[test]
fn identical_times_events_before_censorings() {
    let f = km(&[4.0; 4], &[true, false, true, true]);
    assert_eq!(f.time, vec![4.0]);
    assert_eq!(f.n_risk, vec![4.0]);
    assert_eq!(f.n_event, vec![3.0]);
    assert_eq!(f.n_censor, vec![1.0]);
    assert_eq!(f.surv, vec![0.25]);
}

#[test]
fn unsorted_equals_sorted() {
    let a = km(&[3.0, 1.0, 2.0, 2.0], &[true, false, true, false]);
    let b = km(&[1.0, 2.0, 2.0, 3.0], &[false, true, false, true]);
    assert_eq!(a, b);
    assert_eq!(a.surv[0], 1.0);
    assert!((a.surv[1] - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(a.surv[2], 0.0);
}

#[test]
fn greenwood_by_hand() {
    // n = 4: event at 1 (S = 3/4), event at 2 (S = 1/2).
    let f = km(&[1.0, 2.0, 3.0, 4.0], &[true, true, false, false]);
    let v: f64 = 1.0 / (4.0 * 3.0) + 1.0 / (3.0 * 2.0);
    assert!((f.std_err[1].unwrap() - 0.5 * v.sqrt()).abs() < 1e-15);
    assert!((f.cumhaz[1] - (0.25 + 1.0 / 3.0)).abs() < 1e-15);
    let z: f64 = 1.959_963_984_540_054;
    assert!((f.lower[1].unwrap() - 0.5 * (-z * v.sqrt()).exp()).abs() < 1e-12);
    let p = kaplan_meier(
        &[1.0, 2.0, 3.0, 4.0],
        &[true, true, false, false],
        None,
        &KmOptions {
            conf_type: ConfType::Plain,
            ..KmOptions::default()
        },
    )
    .unwrap();
    assert!((p.lower[1].unwrap() - (0.5 - z * 0.5 * v.sqrt())).abs() < 1e-12);
}

#[test]
fn delayed_entry_risk_sets() {
    // Rows enter at 0, 0, 1, 2, 0.5; exit at 3, 4, 5, 6, 2.
    let f = kaplan_meier(
        &[3.0, 4.0, 5.0, 6.0, 2.0],
        &[true, false, true, true, true],
        Some(&[0.0, 0.0, 1.0, 2.0, 0.5]),
        &KmOptions::default(),
    )
    .unwrap();
    assert_eq!(f.n_risk, vec![4.0, 4.0, 3.0, 2.0, 1.0]);
    assert_eq!(f.surv[1], 0.5625);
}

#[test]
fn no_events_in_one_group_is_still_a_test() {
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let s = [true, true, false, false, false, false];
    let g = [0, 0, 0, 1, 1, 1];
    let r = survdiff(&t, &s, &g, 2, None, TestMethod::LogRank).unwrap();
    assert_eq!(r.groups[1].observed, 0.0);
    assert!(r.groups[1].expected > 0.0);
    assert!(r.p > 0.0 && r.p < 1.0);
}

#[test]
fn one_group_or_no_events_is_an_error() {
    let t = [1.0, 2.0, 3.0];
    assert!(matches!(
        survdiff(
            &t,
            &[true, true, false],
            &[0, 0, 0],
            2,
            None,
            TestMethod::LogRank
        ),
        Err(Error::NoData(_))
    ));
    assert!(matches!(
        survdiff(&t, &[false; 3], &[0, 1, 0], 2, None, TestMethod::LogRank),
        Err(Error::NoData(_))
    ));
}

#[test]
fn bad_inputs_are_errors() {
    let o = KmOptions::default();
    assert!(matches!(
        kaplan_meier(&[], &[], None, &o),
        Err(Error::NoData(_))
    ));
    assert!(matches!(
        kaplan_meier(&[1.0], &[true, false], None, &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        kaplan_meier(&[1.0, f64::NAN], &[true, false], None, &o),
        Err(Error::InvalidValue { index: 1, .. })
    ));
    assert!(matches!(
        kaplan_meier(&[-1.0], &[true], None, &o),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        kaplan_meier(&[1.0], &[true], Some(&[1.0]), &o),
        Err(Error::InvalidValue { .. })
    ));
    for bad in [
        KmOptions {
            conf_level: 1.0,
            ..KmOptions::default()
        },
        KmOptions {
            quantiles: vec![0.0],
            ..KmOptions::default()
        },
        KmOptions {
            times: vec![f64::INFINITY],
            ..KmOptions::default()
        },
        KmOptions {
            rmst_tau: Some(-1.0),
            ..KmOptions::default()
        },
    ] {
        assert!(matches!(
            kaplan_meier(&[1.0], &[true], None, &bad),
            Err(Error::InvalidOption(_))
        ));
    }
    assert!(matches!(
        survdiff(
            &[1.0, 2.0],
            &[true, true],
            &[0, 5],
            2,
            None,
            TestMethod::LogRank
        ),
        Err(Error::InvalidValue { .. })
    ));
    assert!(follow_up(&[], &[], None, &o).is_err());
}

#[test]
fn options_deserialise_with_r_defaults() {
    let o: KmOptions = serde_json::from_str(r#"{"conf_type": "log-log"}"#).unwrap();
    assert_eq!(o.conf_type, ConfType::LogLog);
    assert_eq!(o.conf_level, 0.95);
    assert_eq!(o.quantiles, vec![0.25, 0.5, 0.75]);
    let m: TestMethod =
        serde_json::from_str(r#"{"fleming-harrington": {"rho": 0, "gamma": 1}}"#).unwrap();
    assert_eq!(
        m,
        TestMethod::FlemingHarrington {
            rho: 0.0,
            gamma: 1.0
        }
    );
}

#[test]
fn fit_serialises_with_documented_names() {
    let f = km(&[1.0, 2.0], &[true, false]);
    let v = serde_json::to_value(&f).unwrap();
    for key in [
        "n",
        "events",
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "surv",
        "std_err",
        "lower",
        "upper",
        "cumhaz",
        "cumhaz_se",
        "median",
        "quantiles",
        "at_times",
        "rmst",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["median"]["upper"].is_null());
}

#[test]
fn absurd_group_counts_are_errors_not_aborts() {
    let t = [1.0, 2.0];
    assert!(matches!(
        survdiff(
            &t,
            &[true, true],
            &[0, 1],
            usize::MAX,
            None,
            TestMethod::LogRank
        ),
        Err(Error::InvalidOption(_))
    ));
}
