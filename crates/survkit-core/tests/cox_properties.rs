//! Property tests: the fit does not depend on row order, rescaling a covariate rescales
//! its coefficient exactly, and recoding a binary covariate flips its sign.

use proptest::prelude::*;
use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};

fn dataset() -> impl Strategy<Value = (Vec<f64>, Vec<bool>, Vec<f64>, Vec<f64>)> {
    (8usize..40).prop_flat_map(|n| {
        (
            prop::collection::vec(1u32..15, n).prop_map(|v| v.into_iter().map(f64::from).collect()),
            prop::collection::vec(prop::bool::weighted(0.7), n),
            prop::collection::vec(-2.0f64..2.0, n),
            prop::collection::vec(0u8..2, n).prop_map(|v| v.into_iter().map(f64::from).collect()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn permutation_rescaling_relabelling((stop, status, a, b) in dataset(), rot in 1usize..7, efron in any::<bool>()) {
        prop_assume!(status.iter().filter(|&&s| s).count() >= 2);
        let n = stop.len();
        let opts = CoxOptions { ties: if efron { Ties::Efron } else { Ties::Breslow }, ..Default::default() };
        let mut x = a.clone();
        x.extend_from_slice(&b);
        let base = fit(&CoxData::new(&stop, &status, &x, 2), &opts).unwrap();
        prop_assume!(base.converged && base.caveats.is_empty());
        // Rotate the rows.
        let perm: Vec<usize> = (0..n).map(|i| (i + rot) % n).collect();
        let stop2: Vec<f64> = perm.iter().map(|&i| stop[i]).collect();
        let status2: Vec<bool> = perm.iter().map(|&i| status[i]).collect();
        let mut x2: Vec<f64> = perm.iter().map(|&i| a[i]).collect();
        x2.extend(perm.iter().map(|&i| b[i]));
        let p = fit(&CoxData::new(&stop2, &status2, &x2, 2), &opts).unwrap();
        for j in 0..2 {
            prop_assert!((p.coef[j] - base.coef[j]).abs() < 1e-8 * (1.0 + base.coef[j].abs()));
            prop_assert!((p.se[j] - base.se[j]).abs() < 1e-8 * (1.0 + base.se[j]));
        }
        prop_assert!((p.loglik[1] - base.loglik[1]).abs() < 1e-9 * base.loglik[1].abs().max(1.0));
        prop_assert!((p.concordance.estimate - base.concordance.estimate).abs() < 1e-12);
        prop_assert!((p.concordance.se - base.concordance.se).abs() < 1e-10);
        // a in other units (× 2.5): coefficient per unit ÷ 2.5, same likelihood.
        let mut x3: Vec<f64> = a.iter().map(|v| v * 2.5).collect();
        x3.extend_from_slice(&b);
        let r = fit(&CoxData::new(&stop, &status, &x3, 2), &opts).unwrap();
        prop_assert!((r.coef[0] * 2.5 - base.coef[0]).abs() < 1e-7 * (1.0 + base.coef[0].abs()));
        prop_assert!((r.coef[1] - base.coef[1]).abs() < 1e-7 * (1.0 + base.coef[1].abs()));
        prop_assert!((r.loglik[1] - base.loglik[1]).abs() < 1e-9 * base.loglik[1].abs().max(1.0));
        // Recode b (0 ↔ 1): its coefficient changes sign, nothing else moves.
        let mut x4 = a.clone();
        x4.extend(b.iter().map(|v| 1.0 - v));
        let s = fit(&CoxData::new(&stop, &status, &x4, 2), &opts).unwrap();
        prop_assert!((s.coef[1] + base.coef[1]).abs() < 1e-7 * (1.0 + base.coef[1].abs()));
        prop_assert!((s.coef[0] - base.coef[0]).abs() < 1e-7 * (1.0 + base.coef[0].abs()));
        prop_assert!((s.concordance.estimate - base.concordance.estimate).abs() < 1e-9);
    }
}
