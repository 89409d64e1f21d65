//! Hand-computable competing-risks cases and properties: unsorted rows, ties between
//! causes and censorings, a single event, all censored, a group without events of a
//! cause, the event-free curve equal to Kaplan–Meier of the all-cause endpoint, level
//! crossing times, and errors.

use survkit_core::competing::{
    aalen_johansen, CifOptions, CifVariance, CompetingData, CompetingWarning,
};
use survkit_core::km::{kaplan_meier, ConfType, KmOptions};
use survkit_core::Error;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-13
}

#[test]
fn ties_and_censoring_at_an_event_time() {
    // t = 2: one cause-1, one cause-2 event and a censoring (counted after the events).
    let time = [2.0, 1.0, 2.0, 2.0, 3.0, 4.0];
    let cause = [1, 1, 2, 0, 2, 0];
    let fit = aalen_johansen(
        &CompetingData::new(&time, &cause, 2),
        &CifOptions::default(),
    )
    .unwrap();
    let g = &fit.groups[0];
    assert_eq!(g.time, vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(g.n_risk, vec![6.0, 5.0, 2.0, 1.0]);
    assert_eq!(g.n_event, vec![1.0, 2.0, 1.0, 0.0]);
    assert_eq!(g.n_censor, vec![0.0, 1.0, 0.0, 1.0]);
    // S: 5/6, 5/6·3/5 = 1/2, 1/2·1/2 = 1/4; F1: 1/6, 1/6 + 5/6·1/5 = 1/3; F2: 0, 1/6, 1/6 + 1/4.
    let s = [5.0 / 6.0, 0.5, 0.25, 0.25];
    let f1 = [1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];
    let f2 = [0.0, 1.0 / 6.0, 5.0 / 12.0, 5.0 / 12.0];
    for j in 0..4 {
        assert!(close(g.surv[j], s[j]), "S[{j}]");
        assert!(close(g.causes[0].cif[j], f1[j]), "F1[{j}]");
        assert!(close(g.causes[1].cif[j], f2[j]), "F2[{j}]");
    }
    assert_eq!(g.causes[0].n_event, vec![1.0, 1.0, 0.0, 0.0]);
    // Before any event of cause 2 its CIF is 0 with no interval (as R).
    assert_eq!(g.causes[1].lower[0], None);
}

#[test]
fn row_order_does_not_matter() {
    let time = [5.0, 1.0, 3.0, 3.0, 2.0, 8.0, 6.0, 3.0, 7.0, 4.0];
    let cause = [1, 2, 0, 1, 1, 0, 2, 2, 1, 0];
    let perm = [3, 9, 0, 7, 1, 5, 2, 8, 4, 6];
    let t2: Vec<f64> = perm.iter().map(|&i| time[i]).collect();
    let c2: Vec<u32> = perm.iter().map(|&i| cause[i]).collect();
    for variance in [
        CifVariance::InfinitesimalJackknife,
        CifVariance::Delta,
        CifVariance::Aalen,
    ] {
        let opts = CifOptions {
            variance,
            ..CifOptions::default()
        };
        let a = aalen_johansen(&CompetingData::new(&time, &cause, 2), &opts).unwrap();
        let b = aalen_johansen(&CompetingData::new(&t2, &c2, 2), &opts).unwrap();
        for (ca, cb) in a.groups[0].causes.iter().zip(&b.groups[0].causes) {
            for (x, y) in ca.std_err.iter().zip(&cb.std_err) {
                assert!((x - y).abs() < 1e-14);
            }
            assert_eq!(ca.cif, cb.cif);
        }
    }
}

#[test]
fn event_free_curve_is_all_cause_kaplan_meier() {
    let time = [5.0, 1.0, 3.0, 3.0, 2.0, 8.0, 6.0, 3.0, 7.0, 4.0, 4.0, 9.0];
    let cause = [1, 2, 0, 1, 3, 0, 2, 2, 1, 0, 3, 1];
    let entry = [0.0, 0.0, 1.0, 0.0, 0.5, 2.0, 0.0, 0.0, 3.0, 0.0, 1.0, 0.0];
    for delayed in [false, true] {
        let mut data = CompetingData::new(&time, &cause, 3);
        if delayed {
            data.entry = Some(&entry);
        }
        let opts = CifOptions {
            variance: CifVariance::Delta,
            conf_type: ConfType::LogLog,
            ..CifOptions::default()
        };
        let fit = aalen_johansen(&data, &opts).unwrap();
        let status: Vec<bool> = cause.iter().map(|&c| c > 0).collect();
        let km_opts = KmOptions {
            conf_type: ConfType::LogLog,
            ..KmOptions::default()
        };
        let km = kaplan_meier(&time, &status, data.entry, &km_opts).unwrap();
        let g = &fit.groups[0];
        assert_eq!(g.time, km.time);
        for j in 0..g.time.len() {
            assert!(close(g.surv[j], km.surv[j]));
            // The delta-method variance of S is Greenwood's.
            if let Some(se) = km.std_err[j] {
                assert!((g.surv_std_err[j] - se).abs() < 1e-13);
            }
            let total: f64 = g.surv[j] + g.causes.iter().map(|c| c.cif[j]).sum::<f64>();
            assert!((total - 1.0).abs() < 1e-13);
        }
    }
}

#[test]
fn single_event_and_all_censored() {
    let time = [3.0, 1.0, 2.0];
    let fit = aalen_johansen(
        &CompetingData::new(&time, &[0, 0, 0], 2),
        &CifOptions::default(),
    )
    .unwrap();
    let g = &fit.groups[0];
    assert!(g.surv.iter().all(|&s| s == 1.0));
    assert!(g.causes.iter().all(|c| c.cif.iter().all(|&f| f == 0.0)));
    assert!(g.causes.iter().all(|c| c.std_err.iter().all(|&s| s == 0.0)));
    assert!(fit
        .warnings
        .contains(&CompetingWarning::NoEvents { cause: 1, group: 0 }));

    // One event of cause 2 among 3 at t = 2: F2 = 1/2 after t = 1's censoring.
    let fit = aalen_johansen(
        &CompetingData::new(&time, &[0, 0, 2], 2),
        &CifOptions::default(),
    )
    .unwrap();
    let c2 = &fit.groups[0].causes[1];
    assert_eq!(c2.cif, vec![0.0, 0.5, 0.5]);
    // IJ: influence ±1/4 for the two rows at risk at t = 2 → SE √(1/16 + 1/16).
    assert!(close(c2.std_err[1], (0.125f64).sqrt()));
}

#[test]
fn group_without_events_of_a_cause_is_flagged() {
    let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let cause = [1, 2, 1, 1, 0, 1];
    let group = [0, 0, 0, 1, 1, 1];
    let data = CompetingData::new(&time, &cause, 2).with_groups(&group, 3);
    let fit = aalen_johansen(&data, &CifOptions::default()).unwrap();
    assert_eq!(fit.groups.len(), 2);
    assert!(fit
        .warnings
        .contains(&CompetingWarning::NoEvents { cause: 2, group: 1 }));
    assert!(fit
        .warnings
        .contains(&CompetingWarning::EmptyGroup { group: 2 }));
    assert!(fit.warnings.contains(&CompetingWarning::FewEvents {
        cause: 1,
        group: None,
        events: 4
    }));
    assert!(fit.groups[1].causes[1].cif.iter().all(|&f| f == 0.0));
}

#[test]
fn level_crossing_times() {
    // Synthetic cohort of cohorts.R (one group), cause 1: F = .02 .06 .121 .143 .187
    // .211 at t = 1..6; R's log band: upper .139 .180 .257 ..., lower ... .182 (t = 8)
    // .205 (t = 9). Level 0.2: first F ≥ .2 at t = 6; upper band first ≥ .2 at t = 3;
    // lower band at t = 9.
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("competing/cif_golden.json")).unwrap();
    let d = &cases[0]["data"];
    let num = |k: &str| -> Vec<f64> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let time = num("time");
    let cause: Vec<u32> = num("cause").iter().map(|&c| c as u32).collect();
    let opts = CifOptions {
        levels: vec![0.2, 0.9],
        ..CifOptions::default()
    };
    let fit = aalen_johansen(&CompetingData::new(&time, &cause, 2), &opts).unwrap();
    let q = &fit.groups[0].causes[0].quantiles;
    assert_eq!(q[0].estimate, Some(6.0));
    assert_eq!(q[0].lower, Some(3.0));
    assert_eq!(q[0].upper, Some(9.0));
    assert_eq!(q[1].estimate, None);
    assert_eq!(q[1].lower, None);
}

#[test]
fn bad_input_is_an_error_naming_the_row() {
    let e = aalen_johansen(
        &CompetingData::new(&[1.0, 2.0], &[1, 3], 2),
        &CifOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidValue { index: 1, .. }), "{e}");
    assert!(e.to_string().contains("value 2"), "{e}");
    let e = aalen_johansen(
        &CompetingData::new(&[1.0, f64::NAN], &[1, 0], 2),
        &CifOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidValue { index: 1, .. }));
    let e = aalen_johansen(
        &CompetingData::new(&[1.0], &[1, 0], 2),
        &CifOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { .. }));
    let e = aalen_johansen(&CompetingData::new(&[], &[], 2), &CifOptions::default()).unwrap_err();
    assert!(matches!(e, Error::NoData(_)));
    let entry = [2.0];
    let data = CompetingData {
        entry: Some(&entry),
        ..CompetingData::new(&[1.0], &[1], 1)
    };
    assert!(aalen_johansen(&data, &CifOptions::default()).is_err());
    let bad = CifOptions {
        conf_level: 1.5,
        ..CifOptions::default()
    };
    assert!(aalen_johansen(&CompetingData::new(&[1.0], &[1], 1), &bad).is_err());
}

#[test]
fn fine_gray_without_competing_events_is_the_cox_model() {
    use survkit_core::competing::{fine_gray, FineGrayConvention};
    use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};
    // Unsorted, tied times, censorings at event times; causes 0/1 only.
    let time = [5.0, 2.0, 3.0, 3.0, 1.0, 8.0, 6.0, 3.0, 7.0, 4.0, 2.0, 9.0];
    let cause = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1];
    let x = [
        0.5, 1.0, -0.3, 0.2, 1.5, -1.0, 0.0, 0.7, 0.3, -0.5, 1.1, 0.4, // x1
        1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, // x2
    ];
    let status: Vec<bool> = cause.iter().map(|&c| c == 1).collect();
    let data = CompetingData::new(&time, &cause, 1);
    for ties in [Ties::Efron, Ties::Breslow] {
        let cox = fit(
            &CoxData::new(&time, &status, &x, 2),
            &CoxOptions {
                ties,
                ..CoxOptions::default()
            },
        )
        .unwrap();
        let fg = fine_gray(&data, 1, &x, 2, ties, FineGrayConvention::Finegray).unwrap();
        for j in 0..2 {
            assert!((fg.coef[j] - cox.coef[j]).abs() < 1e-9, "{ties:?} coef {j}");
            assert!((fg.se[j] - cox.se[j]).abs() < 1e-9, "{ties:?} se {j}");
        }
        assert!((fg.loglik[1] - cox.loglik[1]).abs() < 1e-9);
    }
    // crr: the same Breslow estimate; its sandwich has no G term without competing
    // events, so it is the Lin–Wei robust SE of the Cox model.
    let cox = fit(
        &CoxData::new(&time, &status, &x, 2),
        &CoxOptions {
            ties: Ties::Breslow,
            robust: true,
            ..CoxOptions::default()
        },
    )
    .unwrap();
    let crr = fine_gray(&data, 1, &x, 2, Ties::Breslow, FineGrayConvention::Crr).unwrap();
    let robust = cox.robust_se.unwrap();
    let sandwich = crr.sandwich_se.as_ref().unwrap();
    for (j, r) in robust.iter().enumerate() {
        assert!((crr.coef[j] - cox.coef[j]).abs() < 1e-9);
        let s = sandwich[j];
        assert!((s - r).abs() < 1e-8, "sandwich {s} vs robust {r}");
    }
}

#[test]
fn fine_gray_separation_warns_and_bad_input_errors() {
    use survkit_core::competing::{fine_gray, FineGrayConvention};
    use survkit_core::cox::Ties;
    // x = 0 for every cause-1 event, 1 for everything else: the estimate runs off to
    // −∞ (R's coxph on finegray() data: "Ran out of iterations and did not converge").
    let time = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let cause = [1, 2, 0, 2, 0, 1, 0, 1];
    let x = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
    let data = CompetingData::new(&time, &cause, 2);
    let f = fine_gray(&data, 1, &x, 1, Ties::Efron, FineGrayConvention::Finegray).unwrap();
    // R: d <- data.frame(time = c(1,2,2,3,4,5,6,7), cause = c(1,2,0,2,0,1,0,1),
    //   x = c(0,1,0,1,1,0,1,0)); fg <- finegray(Surv(time, factor(cause, 0:2)) ~ .,
    //   data = d, etype = "1"); coef(coxph(Surv(fgstart, fgstop, fgstatus) ~ x,
    //   weights = fgwt, data = fg)) # -21.1705903 after its 20 iterations, with a warning
    assert!(
        (f.coef[0] / -21.170_590_3 - 1.0).abs() < 1e-6,
        "{}",
        f.coef[0]
    );
    assert!(!f.converged);
    assert_eq!(
        f.warnings,
        vec![CompetingWarning::NotConverged { iterations: 20 }]
    );
    // Errors: wrong design size, non-finite covariate, no event of the cause, cause 0.
    assert!(matches!(
        fine_gray(
            &data,
            1,
            &x[..7],
            1,
            Ties::Efron,
            FineGrayConvention::Finegray
        ),
        Err(Error::LengthMismatch { .. })
    ));
    let mut bad = x;
    bad[3] = f64::NAN;
    assert!(matches!(
        fine_gray(&data, 1, &bad, 1, Ties::Efron, FineGrayConvention::Crr),
        Err(Error::InvalidValue { index: 3, .. })
    ));
    let none = CompetingData::new(&time, &[0, 2, 0, 2, 0, 0, 0, 2], 2);
    assert!(matches!(
        fine_gray(&none, 1, &x, 1, Ties::Efron, FineGrayConvention::Finegray),
        Err(Error::NoData(_))
    ));
    assert!(fine_gray(&data, 0, &x, 1, Ties::Efron, FineGrayConvention::Finegray).is_err());
}
