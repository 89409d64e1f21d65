//! Case weights in Kaplan–Meier / Nelson–Aalen: integer weights give exactly the fit of
//! the data with each row repeated (property test, also with delayed entry); rows with
//! weight 0 change nothing but the list of times; equal weights k leave S unchanged and
//! divide the Greenwood variance by k; invalid weights are errors. The comparison with R
//! (non-integer weights, zeros, ties, (start, stop]) is in `km_against_r.rs` (cases
//! `w-…`).

use proptest::prelude::*;
use survkit_core::km::{kaplan_meier, kaplan_meier_weighted, KmFit, KmOptions, KmVariance};
use survkit_core::Error;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 || (a - b).abs() <= 1e-9 * b.abs().max(a.abs())
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a, b),
        _ => false,
    }
}

fn options(tau: f64) -> KmOptions {
    KmOptions {
        quantiles: vec![0.25, 0.5, 0.75],
        times: vec![0.5, 3.0, 10.0, 17.5, 40.0],
        rmst_tau: Some(tau),
        ..KmOptions::default()
    }
}

/// Every time of `b` must be in `a` with the same numbers (a may list more times: those
/// of zero-weight rows); summaries must agree.
fn same_estimates(a: &KmFit, b: &KmFit) -> Result<(), String> {
    for (k, &t) in b.time.iter().enumerate() {
        let j = a
            .time
            .iter()
            .position(|&x| x == t)
            .ok_or(format!("time {t} missing"))?;
        let pairs = [
            ("n_risk", a.n_risk[j], b.n_risk[k]),
            ("n_event", a.n_event[j], b.n_event[k]),
            ("n_censor", a.n_censor[j], b.n_censor[k]),
            ("surv", a.surv[j], b.surv[k]),
            ("cumhaz", a.cumhaz[j], b.cumhaz[k]),
            ("cumhaz_se", a.cumhaz_se[j], b.cumhaz_se[k]),
        ];
        for (what, x, y) in pairs {
            if !close(x, y) {
                return Err(format!("{what} at {t}: {x} vs {y}"));
            }
        }
        for (what, x, y) in [
            ("std_err", a.std_err[j], b.std_err[k]),
            ("lower", a.lower[j], b.lower[k]),
            ("upper", a.upper[j], b.upper[k]),
        ] {
            if !close_opt(x, y) {
                return Err(format!("{what} at {t}: {x:?} vs {y:?}"));
            }
        }
    }
    let m = (&a.median, &b.median);
    if !(close_opt(m.0.estimate, m.1.estimate)
        && close_opt(m.0.lower, m.1.lower)
        && close_opt(m.0.upper, m.1.upper))
    {
        return Err(format!("median {:?} vs {:?}", m.0, m.1));
    }
    for (x, y) in a.quantiles.iter().zip(&b.quantiles) {
        if !(close_opt(x.estimate, y.estimate)
            && close_opt(x.lower, y.lower)
            && close_opt(x.upper, y.upper))
        {
            return Err(format!("quantile {x:?} vs {y:?}"));
        }
    }
    for (x, y) in a.at_times.iter().zip(&b.at_times) {
        if !(close(x.n_risk, y.n_risk)
            && close_opt(x.surv, y.surv)
            && close_opt(x.lower, y.lower)
            && close_opt(x.upper, y.upper))
        {
            return Err(format!("at time {x:?} vs {y:?}"));
        }
    }
    match (a.rmst, b.rmst) {
        (Some(x), Some(y)) if close(x.estimate, y.estimate) && close(x.se, y.se) => Ok(()),
        (x, y) => Err(format!("rmst {x:?} vs {y:?}")),
    }
}

fn rows() -> impl Strategy<Value = Vec<(f64, bool, u32, f64)>> {
    // Small integer times force ties; weights 1..=4; an entry fraction for delayed entry.
    prop::collection::vec(
        (
            (1u32..30).prop_map(f64::from),
            any::<bool>(),
            1u32..5,
            0.0f64..0.99,
        ),
        1..50,
    )
}

fn duplicated(data: &[(f64, bool, u32, f64)]) -> Vec<(f64, bool, u32, f64)> {
    data.iter()
        .flat_map(|&(t, s, w, e)| std::iter::repeat_n((t, s, 1, e), w as usize))
        .collect()
}

proptest! {
    #[test]
    fn integer_weights_equal_duplicated_rows(data in rows(), delayed in any::<bool>()) {
        let dup = duplicated(&data);
        let cols = |d: &[(f64, bool, u32, f64)]| {
            let t: Vec<f64> = d.iter().map(|r| r.0).collect();
            let s: Vec<bool> = d.iter().map(|r| r.1).collect();
            let w: Vec<f64> = d.iter().map(|r| f64::from(r.2)).collect();
            // Entry strictly before exit, on a coarse grid so that entries tie with times.
            let e: Vec<f64> = d.iter().map(|r| (r.0 * r.3).floor()).collect();
            (t, s, w, e)
        };
        let (t, s, w, e) = cols(&data);
        let (td, sd, _, ed) = cols(&dup);
        let tau = t.iter().copied().fold(0.0, f64::max);
        let entry = delayed.then_some(&e[..]);
        let entry_d = delayed.then_some(&ed[..]);
        let weighted = kaplan_meier_weighted(&t, &s, entry, Some(&w), &options(tau)).unwrap();
        let repeated = kaplan_meier(&td, &sd, entry_d, &options(tau)).unwrap();
        prop_assert!(!weighted.robust_variance);
        prop_assert_eq!(weighted.time.len(), repeated.time.len());
        if let Err(msg) = same_estimates(&weighted, &repeated) {
            prop_assert!(false, "{}", msg);
        }
        // The robust variance is a different estimator; the estimates do not change.
        let robust = KmOptions { variance: KmVariance::Robust, ..options(tau) };
        let r = kaplan_meier_weighted(&t, &s, entry, Some(&w), &robust).unwrap();
        prop_assert!(r.robust_variance);
        prop_assert_eq!(&r.surv, &weighted.surv);
        prop_assert_eq!(&r.cumhaz, &weighted.cumhaz);
    }
}

#[test]
fn zero_weight_rows_only_add_times() {
    // Rows 3 and 6 (weights 0) include a tie at t = 2 and the only row at t = 4.
    let t = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let s = [true, true, false, true, true, false, true];
    let w = [1.0, 0.5, 0.0, 2.0, 0.0, 1.5, 1.0];
    let keep: Vec<usize> = (0..7).filter(|&i| w[i] > 0.0).collect();
    let pick = |x: &[f64]| keep.iter().map(|&i| x[i]).collect::<Vec<f64>>();
    let sk: Vec<bool> = keep.iter().map(|&i| s[i]).collect();
    let o = options(6.0);
    let a = kaplan_meier_weighted(&t, &s, None, Some(&w), &o).unwrap();
    let b = kaplan_meier_weighted(&pick(&t), &sk, None, Some(&pick(&w)), &o).unwrap();
    assert_eq!(a.time, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(b.time, vec![1.0, 2.0, 3.0, 5.0, 6.0]);
    // t = 4: n_risk 2.5, no weighted event: S unchanged.
    assert_eq!((a.n_risk[3], a.n_event[3]), (2.5, 0.0));
    assert_eq!(a.surv[3], a.surv[2]);
    same_estimates(&a, &b).unwrap();
    assert!(a.robust_variance && b.robust_variance);
}

#[test]
fn equal_weights_keep_s_and_shrink_greenwood_se() {
    let t = [6.0, 2.0, 1.0, 2.0, 5.0, 3.0, 4.0, 5.0];
    let s = [false, false, true, true, true, true, false, true];
    let o = KmOptions::default();
    let one = kaplan_meier(&t, &s, None, &o).unwrap();
    let two = kaplan_meier_weighted(&t, &s, None, Some(&[2.0; 8]), &o).unwrap();
    assert!(two.weighted && !two.robust_variance);
    assert_eq!(one.surv, two.surv);
    assert_eq!(one.cumhaz, two.cumhaz);
    for (a, b) in one.std_err.iter().zip(&two.std_err) {
        match (a, b) {
            (Some(a), Some(b)) => assert!(close(*b, a / 2f64.sqrt())),
            (a, b) => assert_eq!(a, b),
        }
    }
    for (a, b) in one.cumhaz_se.iter().zip(&two.cumhaz_se) {
        assert!(close(*b, a / 2f64.sqrt()));
    }
    // Weights 0.5 (not integers): the robust variance, as R's survfit.
    let half = kaplan_meier_weighted(&t, &s, None, Some(&[0.5; 8]), &o).unwrap();
    assert!(half.robust_variance);
    assert_eq!(half.surv, one.surv);
}

#[test]
fn non_integer_weights_summing_to_everyone_at_risk_end_the_curve_at_zero() {
    // 0.1 + 0.2 is not exactly 0.3: the last time's events take all at risk anyway.
    let t = [1.0, 2.0, 2.0];
    let s = [true, true, true];
    let w = [0.3, 0.1, 0.2];
    let f = kaplan_meier_weighted(&t, &s, None, Some(&w), &KmOptions::default()).unwrap();
    assert_eq!(f.surv[1], 0.0);
    assert_eq!(f.std_err[1], None);
}

#[test]
fn invalid_weights_are_errors() {
    let t = [1.0, 2.0];
    let s = [true, false];
    let o = KmOptions::default();
    for bad in [
        vec![1.0, -0.5],
        vec![f64::NAN, 1.0],
        vec![1.0, f64::INFINITY],
    ] {
        assert!(matches!(
            kaplan_meier_weighted(&t, &s, None, Some(&bad), &o),
            Err(Error::InvalidValue { index, .. }) if index == usize::from(bad[0] == 1.0)
        ));
    }
    assert!(matches!(
        kaplan_meier_weighted(&t, &s, None, Some(&[1.0]), &o),
        Err(Error::LengthMismatch { .. })
    ));
}
