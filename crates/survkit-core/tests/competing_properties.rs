//! Properties of the Aalen–Johansen fit on random small data (proptest): the
//! infinitesimal-jackknife SE equals `√Σ (w_i ∂F/∂w_i)²` computed by central finite
//! differences over the weights (with ties, delayed entry and weights), S + ΣF = 1,
//! CIFs non-decreasing, and duplicating every row leaves the curves unchanged.

use proptest::prelude::*;
use survkit_core::competing::{aalen_johansen, CifOptions, CompetingData};

#[derive(Debug, Clone)]
struct Rows {
    time: Vec<f64>,
    entry: Vec<f64>,
    cause: Vec<u32>,
    weight: Vec<f64>,
}

fn rows() -> impl Strategy<Value = Rows> {
    prop::collection::vec((1u32..9, 0u32..3, 0u32..4, 1u32..5), 3..14).prop_map(|v| Rows {
        time: v.iter().map(|r| f64::from(r.0)).collect(),
        cause: v.iter().map(|r| r.1).collect(),
        entry: v
            .iter()
            .map(|r| (f64::from(r.0) - 0.5 - f64::from(r.2)).max(0.0) * 0.9)
            .collect(),
        weight: v.iter().map(|r| f64::from(r.3) * 0.5).collect(),
    })
}

fn cifs(r: &Rows, w: &[f64], delayed: bool) -> (Vec<f64>, Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let data = CompetingData {
        entry: delayed.then_some(r.entry.as_slice()),
        weights: Some(w),
        ..CompetingData::new(&r.time, &r.cause, 2)
    };
    let fit = aalen_johansen(&data, &CifOptions::default()).unwrap();
    let g = &fit.groups[0];
    (
        g.time.clone(),
        g.causes.iter().map(|c| c.cif.clone()).collect(),
        g.causes.iter().map(|c| c.std_err.clone()).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn jackknife_se_is_the_weight_derivative(r in rows(), delayed in any::<bool>()) {
        let (time, cif, se) = cifs(&r, &r.weight, delayed);
        let h = 1e-5;
        let n = r.time.len();
        let mut var = vec![vec![0.0; time.len()]; 2];
        for i in 0..n {
            let mut up = r.weight.clone();
            let mut down = r.weight.clone();
            up[i] += h;
            down[i] -= h;
            let (_, fu, _) = cifs(&r, &up, delayed);
            let (_, fd, _) = cifs(&r, &down, delayed);
            for k in 0..2 {
                for j in 0..time.len() {
                    let u = (fu[k][j] - fd[k][j]) / (2.0 * h) * r.weight[i];
                    var[k][j] += u * u;
                }
            }
        }
        for k in 0..2 {
            for j in 0..time.len() {
                let want = var[k][j].sqrt();
                prop_assert!((se[k][j] - want).abs() <= 1e-6 * want.max(1e-3),
                    "cause {} at {}: sweep {} vs finite differences {}", k + 1, time[j], se[k][j], want);
                if j > 0 {
                    prop_assert!(cif[k][j] >= cif[k][j - 1] - 1e-15);
                }
            }
        }
    }

    #[test]
    fn duplicating_rows_leaves_curves_unchanged(r in rows()) {
        let (t1, f1, _) = cifs(&r, &r.weight, false);
        let twice = Rows {
            time: [r.time.clone(), r.time.clone()].concat(),
            entry: [r.entry.clone(), r.entry.clone()].concat(),
            cause: [r.cause.clone(), r.cause.clone()].concat(),
            weight: [r.weight.clone(), r.weight.clone()].concat(),
        };
        let (t2, f2, _) = cifs(&twice, &twice.weight, false);
        prop_assert_eq!(t1, t2);
        for k in 0..2 {
            for (a, b) in f1[k].iter().zip(&f2[k]) {
                prop_assert!((a - b).abs() < 1e-13);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Odd inputs (zero weights, a cause without events, empty groups, entry at 0,
    /// every row failing at once) give a result or an error, never a panic, and the
    /// state probabilities stay in [0, 1] and sum to 1.
    #[test]
    fn odd_inputs_do_not_panic(
        v in prop::collection::vec((0u32..4, 0u32..4, 0u32..3, 0u32..3, 0u32..4), 1..12),
        delayed in any::<bool>(),
        variance in 0usize..3,
    ) {
        let time: Vec<f64> = v.iter().map(|r| f64::from(r.0)).collect();
        let cause: Vec<u32> = v.iter().map(|r| r.1.min(3)).collect();
        let weight: Vec<f64> = v.iter().map(|r| f64::from(r.2)).collect();
        let group: Vec<usize> = v.iter().map(|r| r.3 as usize).collect();
        let entry: Vec<f64> = v.iter().map(|r| f64::from(r.0) - 1.0 - f64::from(r.4)).collect();
        let data = CompetingData {
            entry: delayed.then_some(entry.as_slice()),
            weights: Some(&weight),
            ..CompetingData::new(&time, &cause, 3)
        }
        .with_groups(&group, 4);
        let opts = CifOptions {
            variance: [
                survkit_core::competing::CifVariance::InfinitesimalJackknife,
                survkit_core::competing::CifVariance::Delta,
                survkit_core::competing::CifVariance::Aalen,
            ][variance],
            times: vec![0.0, 1.5, 10.0],
            levels: vec![0.5],
            ..CifOptions::default()
        };
        if let Ok(fit) = aalen_johansen(&data, &opts) {
            for g in &fit.groups {
                for j in 0..g.time.len() {
                    let total: f64 = g.surv[j] + g.causes.iter().map(|c| c.cif[j]).sum::<f64>();
                    prop_assert!((total - 1.0).abs() < 1e-12);
                    prop_assert!((0.0..=1.0).contains(&g.surv[j]));
                    for c in &g.causes {
                        prop_assert!(c.std_err[j].is_finite() && c.std_err[j] >= 0.0);
                    }
                }
            }
        }
    }
}
