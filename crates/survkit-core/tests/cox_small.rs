//! Tiny hand-computable Cox cases, bad inputs and invariances.

use survkit_core::cox::{fit, Caveat, CoxData, CoxOptions, Ties};
use survkit_core::Error;

fn opts(ties: Ties) -> CoxOptions {
    CoxOptions {
        ties,
        ..Default::default()
    }
}

#[test]
fn null_loglik_by_hand() {
    // Four distinct event times: ℓ(0) = −log(4·3·2·1).
    let stop = [4.0, 1.0, 3.0, 2.0];
    let status = [true; 4];
    let x = [0.3, 1.0, -2.0, 0.5];
    let f = fit(&CoxData::new(&stop, &status, &x, 1), &opts(Ties::Efron)).unwrap();
    assert!((f.loglik[0] + 24f64.ln()).abs() < 1e-12);
    // Two events tied at t = 1 among three at risk:
    // Efron ℓ(0) = −log 3 − log(3 − 1) = −log 6; Breslow −2 log 3.
    let stop = [1.0, 1.0, 2.0];
    let status = [true, true, false];
    let x = [1.0, 0.0, 0.5];
    let d = CoxData::new(&stop, &status, &x, 1);
    let e = fit(&d, &opts(Ties::Efron)).unwrap();
    let b = fit(&d, &opts(Ties::Breslow)).unwrap();
    assert!((e.loglik[0] + 6f64.ln()).abs() < 1e-12);
    assert!((b.loglik[0] + 2.0 * 3f64.ln()).abs() < 1e-12);
}

#[test]
fn two_subjects_closed_form() {
    // Subject with x = 1 dies at t = 1 while both are at risk, the other is censored at
    // t = 2: ℓ(β) = β − log(e^β + 1) is increasing, so no finite maximum; one with the
    // x = 0 subject also dying at t = 2 gives the same ℓ (risk set of one adds log 1).
    // With a third subject x = 0 dying at t = 0.5 first:
    // ℓ(β) = −log(e^β + 2) + β − log(e^β + 1); the score U(0) = −1/3 + 1 − 1/2 = 1/6,
    // information I(0) = 2/9 + 1/4 = 17/36, score test = U²/I = (1/36)/(17/36) = 1/17.
    let stop = [1.0, 2.0, 0.5];
    let status = [true, false, true];
    let x = [1.0, 0.0, 0.0];
    let f = fit(&CoxData::new(&stop, &status, &x, 1), &opts(Ties::Efron)).unwrap();
    assert!((f.tests.score.chisq - 1.0 / 17.0).abs() < 1e-12);
    // Maximum: derivative −e^β/(e^β+2) + 1 − e^β/(e^β+1) = 0 ⇒ e^{2β} = 2 ⇒ β = log(2)/2.
    assert!((f.coef[0] - 2f64.ln() / 2.0).abs() < 1e-8, "{}", f.coef[0]);
    assert!(f.converged);
}

#[test]
fn monotone_likelihood_is_flagged() {
    // Every x = 1 subject dies before every x = 0 subject: β̂ = +∞.
    let stop = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let status = [true, true, true, true, false, true];
    let x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
    let f = fit(&CoxData::new(&stop, &status, &x, 1), &CoxOptions::default()).unwrap();
    assert!(
        f.caveats
            .iter()
            .any(|c| matches!(c, Caveat::InfiniteCoefficient { column: 0 })),
        "{:?} coef {:?}",
        f.caveats,
        f.coef
    );
    assert!(f.coef[0].is_finite() && f.coef[0] > 5.0);
    // A well-behaved fit raises no such flag.
    let x2 = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    let g = fit(
        &CoxData::new(&stop, &status, &x2, 1),
        &CoxOptions::default(),
    )
    .unwrap();
    assert!(g.caveats.is_empty(), "{:?}", g.caveats);
}

#[test]
fn constant_and_collinear_columns_are_left_out() {
    let stop = [5.0, 2.0, 3.0, 4.0, 1.0, 6.0, 7.0, 8.0];
    let status = [true, true, false, true, true, false, true, true];
    let a = [1.0, 3.0, 2.0, 5.0, 4.0, 0.0, 2.0, 1.0];
    let c = [7.0; 8];
    let b: Vec<f64> = a.iter().map(|v| 2.0 * v + 1.0).collect();
    let mut x = a.to_vec();
    x.extend_from_slice(&c);
    x.extend_from_slice(&b);
    let f = fit(&CoxData::new(&stop, &status, &x, 3), &CoxOptions::default()).unwrap();
    assert!(f.caveats.contains(&Caveat::ConstantColumn { column: 1 }));
    assert!(f.caveats.contains(&Caveat::Collinear { column: 2 }));
    assert_eq!(f.aliased, vec![false, true, true]);
    assert!(f.coef[0].is_finite() && f.coef[1].is_nan() && f.coef[2].is_nan());
    assert_eq!(f.tests.likelihood_ratio.df, 1);
    let alone = fit(&CoxData::new(&stop, &status, &a, 1), &CoxOptions::default()).unwrap();
    assert!((alone.coef[0] - f.coef[0]).abs() < 1e-12);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let o = CoxOptions::default();
    let e = fit(&CoxData::new(&[1.0, 2.0], &[true], &[0.0, 1.0], 1), &o);
    assert!(matches!(e, Err(Error::LengthMismatch { .. })));
    let e = fit(
        &CoxData::new(&[1.0, f64::NAN], &[true, true], &[0.0, 1.0], 1),
        &o,
    );
    assert!(matches!(e, Err(Error::InvalidValue { .. })));
    let e = fit(
        &CoxData::new(&[1.0, 2.0], &[true, true], &[0.0, f64::INFINITY], 1),
        &o,
    );
    assert!(matches!(e, Err(Error::InvalidValue { .. })));
    let e = fit(
        &CoxData::new(&[1.0, 2.0], &[false, false], &[0.0, 1.0], 1),
        &o,
    );
    assert!(matches!(e, Err(Error::NoData(_))));
    let e = fit(&CoxData::new(&[], &[], &[], 1), &o);
    assert!(matches!(e, Err(Error::NoData(_))));
    let start = [1.0, 3.0];
    let mut d = CoxData::new(&[2.0, 3.0], &[true, true], &[0.0, 1.0], 1);
    d.start = Some(&start);
    assert!(matches!(fit(&d, &o), Err(Error::InvalidValue { .. })));
    let w = [1.0, -1.0];
    let mut d = CoxData::new(&[2.0, 3.0], &[true, true], &[0.0, 1.0], 1);
    d.weights = Some(&w);
    assert!(matches!(fit(&d, &o), Err(Error::InvalidValue { .. })));
    // No covariates at all: the null model, not an error.
    let f = fit(&CoxData::new(&[2.0, 3.0], &[true, true], &[], 0), &o).unwrap();
    assert_eq!(f.tests.likelihood_ratio.df, 0);
    assert_eq!(f.loglik[0], f.loglik[1]);
    // A single row with its event.
    let f = fit(&CoxData::new(&[2.0], &[true], &[1.0], 1), &o).unwrap();
    assert!(f.coef[0].is_nan());
}

fn lungish() -> (Vec<f64>, Vec<bool>, Vec<f64>, usize) {
    // 40 rows generated by a fixed recurrence (no RNG), two covariates, ties in time.
    let n = 40;
    let mut stop = Vec::new();
    let mut status = Vec::new();
    let mut x = vec![0.0; 2 * n];
    let mut s: u64 = 12345;
    for i in 0..n {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (s >> 33) as f64 / (1u64 << 31) as f64;
        stop.push((1.0 + 30.0 * u).floor());
        status.push((s >> 20) % 3 != 0);
        x[i] = ((s >> 10) % 50) as f64 / 10.0;
        x[n + i] = ((s >> 5) % 2) as f64;
    }
    (stop, status, x, n)
}

#[test]
fn row_permutation_and_rescaling() {
    let (stop, status, x, n) = lungish();
    let base = fit(&CoxData::new(&stop, &status, &x, 2), &CoxOptions::default()).unwrap();
    // Reverse the rows.
    let perm: Vec<usize> = (0..n).rev().collect();
    let stop2: Vec<f64> = perm.iter().map(|&i| stop[i]).collect();
    let status2: Vec<bool> = perm.iter().map(|&i| status[i]).collect();
    let mut x2 = vec![0.0; 2 * n];
    for (k, &i) in perm.iter().enumerate() {
        x2[k] = x[i];
        x2[n + k] = x[n + i];
    }
    let p = fit(
        &CoxData::new(&stop2, &status2, &x2, 2),
        &CoxOptions::default(),
    )
    .unwrap();
    for j in 0..2 {
        assert!((base.coef[j] - p.coef[j]).abs() < 1e-10);
        assert!((base.se[j] - p.se[j]).abs() < 1e-10);
    }
    assert!((base.concordance.estimate - p.concordance.estimate).abs() < 1e-12);
    // Measure the first covariate in tenths: the coefficient per unit shrinks tenfold.
    let mut x3 = x.clone();
    x3[..n].iter_mut().for_each(|v| *v *= 10.0);
    let r = fit(
        &CoxData::new(&stop, &status, &x3, 2),
        &CoxOptions::default(),
    )
    .unwrap();
    assert!((r.coef[0] * 10.0 - base.coef[0]).abs() < 1e-9 * base.coef[0].abs().max(1.0));
    assert!((r.se[0] * 10.0 - base.se[0]).abs() < 1e-9);
    assert!((r.coef[1] - base.coef[1]).abs() < 1e-9);
    assert!((r.loglik[1] - base.loglik[1]).abs() < 1e-9);
    // Relabel the binary covariate (swap 0 and 1): the coefficient changes sign.
    let mut x4 = x.clone();
    x4[n..].iter_mut().for_each(|v| *v = 1.0 - *v);
    let s = fit(
        &CoxData::new(&stop, &status, &x4, 2),
        &CoxOptions::default(),
    )
    .unwrap();
    assert!((s.coef[1] + base.coef[1]).abs() < 1e-9);
    assert!((s.se[1] - base.se[1]).abs() < 1e-9);
}

#[test]
fn tiny_units_are_not_mistaken_for_monotone_likelihood() {
    let (stop, status, x, n) = lungish();
    let mut small = x.clone();
    small[..n].iter_mut().for_each(|v| *v *= 1e-4);
    let f = fit(
        &CoxData::new(&stop, &status, &small, 2),
        &CoxOptions::default(),
    )
    .unwrap();
    assert!(f.caveats.is_empty(), "{:?}", f.caveats);
}
