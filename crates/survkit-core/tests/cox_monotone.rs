//! Monotone likelihood in a multivariable model: both coefficients run off to +∞, R's
//! `coxph` runs out of its 20 iterations, and converges (with "coefficient may be
//! infinite") when given 25. The iteration limit and tolerance are options, so the same
//! fits are reproduced; the coefficients to blame are named in both cases.
//!
//! R 4.2.2, survival 3.5-3 (tolerance 1e-6 relative, as the other Cox golden tests):
//! ```r
//! d <- data.frame(t = c(4,9,36,3,8,8,1,3,5,2,10,11,4,5,6,6,16,8,24,14,8,35,3,2,30,6,6,11,6,9),
//!                 s = c(rep(0,15), rep(c(1,0), 7), 1), x = rep(0:1, each = 15), y = rep(0:1, 15))
//! m20 <- coxph(Surv(t, s) ~ x + y, d)                 # "Ran out of iterations"
//! m25 <- coxph(Surv(t, s) ~ x + y, d, iter.max = 25)  # "Loglik converged before variable 1,2"
//! m6  <- coxph(Surv(t, s) ~ x + y, d, eps = 1e-6)     # converges after 14 iterations
//! sapply(list(m20, m25, m6), function(m) c(m$iter, coef(m), m$loglik))
//! ```

use survkit_core::cox::{fit, Caveat, CoxData, CoxOptions};

const T: [f64; 30] = [
    4.0, 9.0, 36.0, 3.0, 8.0, 8.0, 1.0, 3.0, 5.0, 2.0, 10.0, 11.0, 4.0, 5.0, 6.0, 6.0, 16.0, 8.0,
    24.0, 14.0, 8.0, 35.0, 3.0, 2.0, 30.0, 6.0, 6.0, 11.0, 6.0, 9.0,
];

fn data() -> (Vec<bool>, Vec<f64>) {
    let status: Vec<bool> = (0..30).map(|i| i >= 15 && i % 2 == 1).collect();
    let mut x: Vec<f64> = (0..30).map(|i| f64::from(u8::from(i >= 15))).collect();
    x.extend((0..30).map(|i| f64::from(u8::from(i % 2 == 1))));
    (status, x)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs()
}

fn infinite(caveats: &[Caveat]) -> Vec<usize> {
    caveats
        .iter()
        .filter_map(|c| match c {
            Caveat::InfiniteCoefficient { column } => Some(*column),
            _ => None,
        })
        .collect()
}

#[test]
fn multivariable_monotone_likelihood_names_the_coefficients() {
    let (status, x) = data();
    let d = CoxData::new(&T, &status, &x, 2);
    // R's defaults: out of iterations (R counts 21), and both coefficients diverging.
    let f = fit(&d, &CoxOptions::default()).unwrap();
    assert!(!f.converged);
    assert_eq!(f.iterations, 20);
    assert!(f.caveats.contains(&Caveat::NotConverged { iterations: 20 }));
    assert_eq!(infinite(&f.caveats), vec![0, 1]);
    assert!(close(f.coef[0], 20.3253905349169) && close(f.coef[1], 20.9459353598826));
    assert!(close(f.loglik[1], -10.6046029129922));
    // iter.max = 25: converged after 21 iterations, both coefficients still infinite.
    let f = fit(
        &d,
        &CoxOptions {
            max_iter: 25,
            ..CoxOptions::default()
        },
    )
    .unwrap();
    assert!(f.converged, "{:?}", f.caveats);
    assert_eq!(f.iterations, 21);
    assert_eq!(infinite(&f.caveats), vec![0, 1]);
    assert!(close(f.coef[0], 21.3253904967480) && close(f.coef[1], 21.9459352393561));
    assert!(close(f.loglik[1], -10.6046029065149));
    // eps = 1e-6: converged after 14.
    let f = fit(
        &d,
        &CoxOptions {
            eps: 1e-6,
            ..CoxOptions::default()
        },
    )
    .unwrap();
    assert!(f.converged);
    assert_eq!(f.iterations, 14);
    assert!(close(f.coef[0], 14.3253903331266) && close(f.coef[1], 14.9459351848037));
    assert_eq!(infinite(&f.caveats), vec![0, 1]);
}
