//! No input panics (the page runs these in wasm, where a panic is a dead page): small
//! random data sets through all six models and every prediction.

use proptest::prelude::*;
use survkit_core::parametric::predict::{Profile, QuantileCi};
use survkit_core::parametric::{fit, Distribution, ParametricData, ParametricOptions};

/// time, status, x, stratum, weight, entry as a fraction of time.
type Row = (f64, bool, f64, usize, f64, f64);

fn cases() -> impl Strategy<Value = (Vec<Row>, bool, bool, bool)> {
    (
        prop::collection::vec(
            (
                prop_oneof![0.0..100.0f64, Just(0.0), Just(1.0)],
                any::<bool>(),
                -3.0..3.0f64,
                0..2usize,
                prop_oneof![Just(1.0), 0.0..3.0f64],
                0.0..1.0f64,
            ),
            1..14,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn never_panics((rows, use_strata, use_weights, use_entry) in cases()) {
        let time: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let status: Vec<bool> = rows.iter().map(|r| r.1).collect();
        let x: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let strata: Vec<usize> = rows.iter().map(|r| r.3).collect();
        let weights: Vec<f64> = rows.iter().map(|r| r.4).collect();
        let entry: Vec<f64> = rows.iter().map(|r| r.0 * r.5 * 0.9).collect();
        let cols = ["x".to_string()];
        let data = ParametricData {
            entry: use_entry.then_some(&entry[..]),
            strata: use_strata.then_some(&strata[..]),
            weights: use_weights.then_some(&weights[..]),
            ..ParametricData::new(&time, &status, &x, &cols)
        };
        for dist in Distribution::ALL {
            if let Ok(f) = fit(&data, dist, &ParametricOptions::default()) {
                let prof = Profile { x: &[0.5], stratum: use_strata.then_some(strata[0]) };
                let _ = f.predict(&prof, &[0.5, 3.0, 50.0]);
                let _ = f.quantiles(&prof, &[0.1, 0.5, 0.9], QuantileCi::LogTime);
                let _ = f.restricted_mean(&prof, 20.0);
                let _ = f.mean(&prof);
                let _ = serde_json::to_string(&f);
            }
        }
    }
}
