//! Landmark hand cases: censoring and events exactly at L, unsorted rows, all rows
//! before L, bad options.

use survkit_core::landmark::{
    conditional_survival, landmark_data, ConditionalOptions, ExcludedRow, LandmarkExclusion,
};
use survkit_core::Error;

#[test]
fn rows_at_the_landmark_are_excluded() {
    // Unsorted; row 1 censored at L = 2, row 3 event at L.
    let time = [5.0, 2.0, 1.0, 2.0, 3.0, 4.0];
    let status = [true, false, false, true, true, false];
    let d = landmark_data(&time, &status, 2.0).unwrap();
    assert_eq!(d.rows, vec![0, 4, 5]);
    assert_eq!(d.time, vec![3.0, 1.0, 2.0]);
    assert_eq!(d.status, vec![true, true, false]);
    assert_eq!(
        d.excluded,
        vec![
            ExcludedRow {
                row: 1,
                reason: LandmarkExclusion::CensoredBeforeLandmark
            },
            ExcludedRow {
                row: 2,
                reason: LandmarkExclusion::CensoredBeforeLandmark
            },
            ExcludedRow {
                row: 3,
                reason: LandmarkExclusion::EventBeforeLandmark
            },
        ]
    );
    // S(L): 6 at risk at 1 (censored), 5 at risk at 2 with one event: S(2) = 4/5.
    let opts = ConditionalOptions {
        times: vec![2.0, 3.5, 5.0, 6.0],
        ..Default::default()
    };
    let c = conditional_survival(&time, &status, 2.0, &opts).unwrap();
    assert!((c.surv_at_landmark - 0.8).abs() < 1e-15);
    assert_eq!(c.n_risk_at_landmark, 3);
    // Beyond L: at 3, 3 at risk, 1 event -> 2/3; at 4 censored; at 5, 1 at risk, 1 event -> 0.
    assert_eq!(c.time, vec![3.0, 4.0, 5.0]);
    assert!((c.surv[0] - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(c.surv[2], 0.0);
    assert_eq!(c.std_err[2], None);
    assert_eq!(c.at_times[0].surv, Some(1.0));
    assert!((c.at_times[1].surv.unwrap() - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(c.at_times[2].surv, Some(0.0));
    assert_eq!(c.at_times[3].surv, None);
}

#[test]
fn bad_input_is_an_error() {
    let time = [1.0, 2.0];
    let status = [true, false];
    let o = ConditionalOptions::default();
    assert!(matches!(
        conditional_survival(&time, &status, 2.0, &o),
        Err(Error::NoData(_))
    ));
    assert!(matches!(
        landmark_data(&time, &status, -1.0),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        landmark_data(&time, &status, f64::NAN),
        Err(Error::InvalidOption(_))
    ));
    let before = ConditionalOptions {
        times: vec![0.5],
        ..Default::default()
    };
    assert!(matches!(
        conditional_survival(&time, &status, 1.0, &before),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        landmark_data(&time, &[true], 1.0),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(landmark_data(&time, &status, 5.0).unwrap().rows.is_empty());
}
