//! Exact tie likelihoods (`cox::exact`).
//!
//! - Discrete form against R's `coxph(ties = "exact")` (survival 3.5-3) on aml, ovarian
//!   in months, lung subsets in months/quarters (with and without strata), WHAS500 in
//!   years (138 deaths in the first year: the rescaled recursion) and a tiny case; expected numbers from tests/r/cox_exact.R (fitted there to eps = 1e-12).
//!   Tolerance: coefficients, SEs, log-likelihoods, score and Wald tests, concordance
//!   (with its SE) 1e-6 relative; linear predictors 1e-6 up to R's centring.
//! - Marginal (Kalbfleisch–Prentice, SAS TIES=EXACT) form: no R oracle. Checked by hand:
//!   the quadrature against the closed form Σ_{Q⊆D} (−1)^{|Q|}/(1 + Σ_Q a) in exact
//!   rational arithmetic (1e-13 relative), the likelihood on a two-subject tie written out by hand, agreement
//!   with the other likelihoods without ties, and score/information against finite
//!   differences of the log-likelihood.

use serde_json::Value;
use survkit_core::cox::exact::{
    discrete_cost, exact_loglik, fit_exact, marginal_log_integral, ExactTies,
};
use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};

fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().expect("number")).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        Value::Null => vec![],
        other => panic!("not numbers: {other}"),
    }
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1e-8);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.12e}, want {want:.12e} (|diff| {:.3e} > {tol:.3e})",
        (got - want).abs()
    );
}

#[test]
fn discrete_against_r_coxph_exact() {
    let text = include_str!("fixtures/cox_exact.json");
    let ms: Vec<Value> = serde_json::from_str(text).unwrap();
    assert_eq!(ms.len(), 7);
    let mut worst: f64 = 0.0;
    for m in &ms {
        let name = m["name"].as_str().unwrap();
        let p = m["p"].as_u64().unwrap() as usize;
        let x = nums(&m["x"]);
        let stop = nums(&m["stop"]);
        let status: Vec<bool> = nums(&m["status"]).iter().map(|&s| s == 1.0).collect();
        let strata: Vec<usize> = nums(&m["strata"]).iter().map(|&s| s as usize).collect();
        let mut data = CoxData::new(&stop, &status, &x, p);
        if !strata.is_empty() {
            data.strata = Some(&strata);
        }
        let opts = CoxOptions {
            eps: 1e-12,
            max_iter: 50,
            ..Default::default()
        };
        let f = fit_exact(&data, &opts, ExactTies::Discrete).unwrap();
        assert!(f.converged, "{name}");
        assert!(f.caveats.is_empty(), "{name}: {:?}", f.caveats);
        assert_eq!(f.events, m["events"].as_u64().unwrap() as usize);
        let (coef, se) = (nums(&m["coef"]), nums(&m["se"]));
        for j in 0..p {
            close(&format!("{name} coef {j}"), f.coef[j], coef[j], 1e-6);
            close(&format!("{name} se {j}"), f.se[j], se[j], 1e-6);
            worst = worst.max(((f.coef[j] - coef[j]) / coef[j]).abs());
            worst = worst.max(((f.se[j] - se[j]) / se[j]).abs());
        }
        let ll = nums(&m["loglik"]);
        close(&format!("{name} loglik0"), f.loglik[0], ll[0], 1e-9);
        close(&format!("{name} loglik1"), f.loglik[1], ll[1], 1e-9);
        close(
            &format!("{name} score"),
            f.tests.score.chisq,
            m["score"].as_f64().unwrap(),
            1e-6,
        );
        close(
            &format!("{name} wald"),
            f.tests.wald.chisq,
            m["wald"].as_f64().unwrap(),
            1e-6,
        );
        let conc = nums(&m["concordance"]);
        close(&format!("{name} C"), f.concordance.estimate, conc[0], 1e-6);
        close(&format!("{name} C se"), f.concordance.se, conc[1], 1e-6);
        // R's predict(type = "lp") after ties = "exact" is not centred (its `means` are
        // 0), and centred per stratum in stratified fits; survkit's is centred on the
        // whole sample, as for Efron/Breslow: compare unstratified fits up to a constant.
        let lp_r = if strata.is_empty() {
            nums(&m["lp"])
        } else {
            f.linear_predictors.clone()
        };
        let shift = f.linear_predictors[0] - lp_r[0];
        for (i, (&a, &b)) in f.linear_predictors.iter().zip(&lp_r).enumerate() {
            let ok = (a - b - shift).abs() < 1e-6 * b.abs().max(1.0);
            assert!(ok, "{name} lp {i}: {a} vs {b}");
        }
        // R's default convergence (eps = 1e-9) gives the same iteration count.
        let f0 = fit_exact(&data, &CoxOptions::default(), ExactTies::Discrete).unwrap();
        assert_eq!(
            f0.iterations as f64,
            m["default_iter"].as_f64().unwrap(),
            "{name} iterations"
        );
        for (j, &c) in nums(&m["default_coef"]).iter().enumerate() {
            close(&format!("{name} default coef {j}"), f0.coef[j], c, 1e-6);
        }
    }
    eprintln!("largest relative difference from R (coef, se): {worst:.2e}");
}

#[test]
fn marginal_quadrature_matches_closed_form() {
    // ∫ Π(1 − e^{−aⱼt}) e^{−t} dt = Σ_{Q⊆D} (−1)^{|Q|} / (1 + Σ_Q aⱼ), evaluated in exact
    // rational arithmetic (the alternating sum cancels badly in floating point):
    //   from fractions import Fraction as F; from itertools import combinations
    //   cf = lambda a: sum(F((-1)**k) / (1 + sum(c, F(0)))
    //                      for k in range(len(a) + 1) for c in combinations(a, k))
    let cases: Vec<(Vec<f64>, f64)> = vec![
        (vec![1.0], 0.5),
        (vec![0.3, 0.7], 0.1425339366515837),
        (vec![1e-3, 2e-3, 5e-4], 5.9582090849838925e-09),
        (vec![50.0, 0.01], 0.00989714617759503),
        (vec![2.0, 3.0, 0.5, 1.5], 0.23313075813075812),
        (vec![1e4, 1e4], 0.9998500174981252),
        (vec![0.05; 6], 4.343482604352169e-06),
        (vec![1e-6; 2], 1.999994000014e-12),
        (vec![0.1; 10], 5.412544112234515e-06),
    ];
    let mut worst: f64 = 0.0;
    for (a, want) in &cases {
        let got = marginal_log_integral(a).exp();
        let rel = ((got - want) / want).abs();
        worst = worst.max(rel);
        assert!(rel < 1e-13, "{a:?}: quadrature {got:e}, exact {want:e}");
    }
    eprintln!("largest relative quadrature error: {worst:.2e}");
}

#[test]
fn marginal_two_subject_tie_by_hand() {
    // Times 1, 1 (events), 2 (censored); x = 1, 0, 0.5. At t = 1: D = {1, 2}, R* = {3}.
    // L = ∫(1 − e^{−r₁t/r₃})(1 − e^{−r₂t/r₃}) e^{−t} dt
    //   = 1 − 1/(1+a₁) − 1/(1+a₂) + 1/(1+a₁+a₂), aⱼ = rⱼ/r₃.
    let stop = [1.0, 1.0, 2.0];
    let status = [true, true, false];
    let x = [1.0, 0.0, 0.5];
    let data = CoxData::new(&stop, &status, &x, 1);
    for beta in [-1.0, 0.0, 0.4, 2.0] {
        // Covariates are centred (mean 0.5) inside; ℓ does not depend on the centring.
        let (a1, a2) = ((beta * 0.5f64).exp(), (-beta * 0.5f64).exp());
        let want = (1.0 - 1.0 / (1.0 + a1) - 1.0 / (1.0 + a2) + 1.0 / (1.0 + a1 + a2)).ln();
        let (ll, _, _) = exact_loglik(&data, &[beta], ExactTies::Marginal).unwrap();
        close(&format!("marginal ℓ at β = {beta}"), ll, want, 1e-12);
        // Discrete: e^{η₁+η₂} / (e^{η₁+η₂} + e^{η₁+η₃} + e^{η₂+η₃}).
        let (e1, e2, e3) = ((beta * 0.5f64).exp(), (-beta * 0.5f64).exp(), 1.0);
        let want_d = (e1 * e2 / (e1 * e2 + e1 * e3 + e2 * e3)).ln();
        let (ld, _, _) = exact_loglik(&data, &[beta], ExactTies::Discrete).unwrap();
        close(&format!("discrete ℓ at β = {beta}"), ld, want_d, 1e-12);
    }
}

#[test]
fn score_and_information_are_the_derivatives() {
    // Heavy ties, two covariates, two strata.
    let n = 40;
    let stop: Vec<f64> = (0..n).map(|i| ((i * 7) % 5 + 1) as f64).collect();
    let status: Vec<bool> = (0..n).map(|i| i % 4 != 3).collect();
    let mut x = Vec::new();
    x.extend((0..n).map(|i| ((i * 13) % 7) as f64 / 3.0));
    x.extend((0..n).map(|i| (i % 2) as f64));
    let strata: Vec<usize> = (0..n).map(|i| i % 3 / 2).collect();
    let mut data = CoxData::new(&stop, &status, &x, 2);
    data.strata = Some(&strata);
    let beta = [0.3, -0.6];
    for ties in [ExactTies::Discrete, ExactTies::Marginal] {
        let (_, u, imat) = exact_loglik(&data, &beta, ties).unwrap();
        let h = 1e-5;
        for j in 0..2 {
            let mut bp = beta;
            let mut bm = beta;
            bp[j] += h;
            bm[j] -= h;
            let (lp, up, _) = exact_loglik(&data, &bp, ties).unwrap();
            let (lm, um, _) = exact_loglik(&data, &bm, ties).unwrap();
            close(
                &format!("{ties:?} score {j}"),
                u[j],
                (lp - lm) / (2.0 * h),
                1e-7,
            );
            for k in 0..2 {
                let fd = -(up[k] - um[k]) / (2.0 * h);
                close(&format!("{ties:?} info {j}{k}"), imat[k * 2 + j], fd, 1e-6);
            }
        }
    }
}

#[test]
fn without_ties_all_likelihoods_agree() {
    let stop = [5.0, 3.0, 9.0, 1.0, 7.0, 2.0, 8.0, 4.0];
    let status = [true, true, false, true, true, false, true, true];
    let x = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
    let data = CoxData::new(&stop, &status, &x, 1);
    let efron = fit(&data, &CoxOptions::default()).unwrap();
    for ties in [ExactTies::Discrete, ExactTies::Marginal] {
        let f = fit_exact(&data, &CoxOptions::default(), ties).unwrap();
        close(&format!("{ties:?} coef"), f.coef[0], efron.coef[0], 1e-9);
        close(&format!("{ties:?} se"), f.se[0], efron.se[0], 1e-9);
        close(
            &format!("{ties:?} loglik"),
            f.loglik[1],
            efron.loglik[1],
            1e-10,
        );
    }
    let _ = Ties::Breslow;
}

#[test]
fn marginal_lies_between_discrete_and_efron_on_heavy_ties() {
    // On tied data the three agree to first order; check the marginal fit converges and
    // is close to Efron (which approximates it, Efron 1977) on lung in quarters.
    let text = include_str!("fixtures/cox_exact.json");
    let ms: Vec<Value> = serde_json::from_str(text).unwrap();
    let m = ms.iter().find(|m| m["name"] == "lung_quarters").unwrap();
    let x = nums(&m["x"]);
    let stop = nums(&m["stop"]);
    let status: Vec<bool> = nums(&m["status"]).iter().map(|&s| s == 1.0).collect();
    let data = CoxData::new(&stop, &status, &x, 2);
    let mar = fit_exact(&data, &CoxOptions::default(), ExactTies::Marginal).unwrap();
    let efr = fit(&data, &CoxOptions::default()).unwrap();
    let bre = fit(
        &data,
        &CoxOptions {
            ties: Ties::Breslow,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(mar.converged);
    for j in 0..2 {
        // Breslow is attenuated towards 0 relative to the exact marginal fit.
        assert!(bre.coef[j].abs() < mar.coef[j].abs(), "{j}");
        assert!(
            (mar.coef[j] - efr.coef[j]).abs() < 0.02 * mar.coef[j].abs(),
            "{j}"
        );
    }
}

#[test]
fn refuses_what_it_does_not_do() {
    let stop = [1.0, 2.0];
    let start = [0.0, 0.5];
    let status = [true, true];
    let x = [0.0, 1.0];
    let mut d = CoxData::new(&stop, &status, &x, 1);
    d.start = Some(&start);
    assert!(fit_exact(&d, &CoxOptions::default(), ExactTies::Discrete).is_err());
    let w = [1.0, 2.0];
    let mut d = CoxData::new(&stop, &status, &x, 1);
    d.weights = Some(&w);
    assert!(fit_exact(&d, &CoxOptions::default(), ExactTies::Marginal).is_err());
    let none = [false, false];
    let d = CoxData::new(&stop, &none, &x, 1);
    assert!(fit_exact(&d, &CoxOptions::default(), ExactTies::Discrete).is_err());
}

/// Kalbfleisch & Prentice's (1973) definition of the marginal likelihood: the sum over
/// every order in which the tied events could have happened of the product of the
/// ordinary partial-likelihood factors.
fn marginal_by_orders(stop: &[f64], status: &[bool], x: &[f64], p: usize, beta: &[f64]) -> f64 {
    let n = stop.len();
    let eta: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| x[j * n + i] * beta[j]).sum())
        .collect();
    let mut times: Vec<f64> = (0..n).filter(|&i| status[i]).map(|i| stop[i]).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    fn orders(items: &mut Vec<f64>, s_star: f64, acc: f64, out: &mut f64) {
        if items.is_empty() {
            *out += acc;
            return;
        }
        let remaining: f64 = items.iter().sum();
        for k in 0..items.len() {
            let r = items.remove(k);
            orders(items, s_star, acc * r / (s_star + remaining), out);
            items.insert(k, r);
        }
    }
    let mut ll = 0.0;
    for t in times {
        let mut d: Vec<f64> = (0..n)
            .filter(|&i| status[i] && stop[i] == t)
            .map(|i| eta[i].exp())
            .collect();
        let s_star: f64 = (0..n)
            .filter(|&i| stop[i] >= t && !(status[i] && stop[i] == t))
            .map(|i| eta[i].exp())
            .sum();
        let mut l = 0.0;
        orders(&mut d, s_star, 1.0, &mut l);
        ll += l.ln();
    }
    ll
}

#[test]
fn marginal_equals_the_sum_over_orders() {
    // Ties of size 2 to 5 (one with nobody left after it), two covariates.
    let stop = [
        1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 5.0, 5.0, 6.0, 6.0, 6.0,
    ];
    let status = [
        true, true, false, true, true, true, true, true, true, true, false, true, true, true, true,
        true,
    ];
    let n = stop.len();
    let mut x: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 * 0.4).collect();
    x.extend((0..n).map(|i| (i % 3 == 0) as u8 as f64));
    let data = CoxData::new(&stop, &status, &x, 2);
    for beta in [[0.0, 0.0], [0.7, -0.4], [-1.5, 2.0]] {
        let (ll, _, _) = exact_loglik(&data, &beta, ExactTies::Marginal).unwrap();
        let want = marginal_by_orders(&stop, &status, &x, 2, &beta);
        close(&format!("marginal at {beta:?}"), ll, want, 1e-12);
    }
    let f = fit_exact(&data, &CoxOptions::default(), ExactTies::Marginal).unwrap();
    assert!(f.converged);
    // At the estimate the score (by differences of the definition) vanishes.
    for j in 0..2 {
        let h = 1e-6;
        let mut bp = [f.coef[0], f.coef[1]];
        let mut bm = bp;
        bp[j] += h;
        bm[j] -= h;
        let g = (marginal_by_orders(&stop, &status, &x, 2, &bp)
            - marginal_by_orders(&stop, &status, &x, 2, &bm))
            / (2.0 * h);
        assert!(g.abs() < 1e-6, "score {j} = {g}");
    }
}

/// Discrete log-likelihood by the same recursion done in log space (independent of the
/// rescaled form in the library): log e_k(r₁…r_m) via log-sum-exp.
fn discrete_loglik_logspace(stop: &[f64], status: &[bool], eta: &[f64]) -> f64 {
    let n = stop.len();
    let mut times: Vec<f64> = (0..n).filter(|&i| status[i]).map(|i| stop[i]).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let lse = |a: f64, b: f64| {
        if a == f64::NEG_INFINITY {
            b
        } else if b == f64::NEG_INFINITY {
            a
        } else {
            a.max(b) + (-(a - b).abs()).exp().ln_1p()
        }
    };
    let mut ll = 0.0;
    for t in times {
        let d = (0..n).filter(|&i| status[i] && stop[i] == t).count();
        let mut le = vec![f64::NEG_INFINITY; d + 1];
        le[0] = 0.0;
        for i in (0..n).filter(|&i| stop[i] >= t) {
            for k in (1..=d).rev() {
                le[k] = lse(le[k], eta[i] + le[k - 1]);
            }
        }
        let num: f64 = (0..n)
            .filter(|&i| status[i] && stop[i] == t)
            .map(|i| eta[i])
            .sum();
        ll += num - le[d];
    }
    ll
}

#[test]
fn discrete_survives_huge_ties_and_spread() {
    // 300 rows, 120 deaths at t = 1 and 60 at t = 2, linear predictors spread over ±30:
    // products of 120 risk scores reach e^{±3600}, far outside f64 without rescaling.
    let n = 300;
    let stop: Vec<f64> = (0..n)
        .map(|i| {
            if i < 150 {
                1.0
            } else if i < 240 {
                2.0
            } else {
                3.0
            }
        })
        .collect();
    let status: Vec<bool> = (0..n).map(|i| i % 5 != 4).collect();
    let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
    let data = CoxData::new(&stop, &status, &x, 1);
    let mean = x.iter().sum::<f64>() / n as f64;
    for beta in [0.0, 0.5, 6.0, -6.0] {
        let (ll, u, _) = exact_loglik(&data, &[beta], ExactTies::Discrete).unwrap();
        let eta: Vec<f64> = x.iter().map(|v| (v - mean) * beta).collect();
        let want = discrete_loglik_logspace(&stop, &status, &eta);
        assert!(ll.is_finite(), "β = {beta}");
        close(&format!("ℓ at β = {beta}"), ll, want, 1e-10);
        let h = 1e-6;
        let fd = |b: f64| {
            let eta: Vec<f64> = x.iter().map(|v| (v - mean) * b).collect();
            discrete_loglik_logspace(&stop, &status, &eta)
        };
        let g = (fd(beta + h) - fd(beta - h)) / (2.0 * h);
        close(&format!("score at β = {beta}"), u[0], g, 1e-5);
        // The marginal form on the same data: finite, and its score is its derivative.
        let (lm, um, im) = exact_loglik(&data, &[beta], ExactTies::Marginal).unwrap();
        assert!(lm.is_finite() && im[0] > 0.0, "marginal at β = {beta}");
        let (lp, _, _) = exact_loglik(&data, &[beta + h], ExactTies::Marginal).unwrap();
        let (lq, _, _) = exact_loglik(&data, &[beta - h], ExactTies::Marginal).unwrap();
        close(
            &format!("marginal score at β = {beta}"),
            um[0],
            (lp - lq) / (2.0 * h),
            1e-5,
        );
    }
}
#[test]
fn marginal_quadrature_on_many_equal_ties() {
    // d equal rates a: ∫(1 − e^{−at})^d e^{−t} dt = B(1/a, d + 1)/a (substitute u = e^{−at}).
    use statrs::function::gamma::ln_gamma;
    let mut worst: f64 = 0.0;
    for d in [1usize, 5, 30, 120, 400] {
        for a in [1e-4, 0.01, 0.3, 1.0, 7.0, 1e3] {
            let want = -f64::ln(a) + ln_gamma(1.0 / a) + ln_gamma(d as f64 + 1.0)
                - ln_gamma(1.0 / a + d as f64 + 1.0);
            let got = marginal_log_integral(&vec![a; d]);
            let err = (got - want).abs() / want.abs().max(1.0);
            worst = worst.max(err);
            assert!(err < 1e-11, "d = {d}, a = {a}: {got} vs {want}");
        }
    }
    eprintln!("largest error of log L on equal ties: {worst:.2e}");
}

#[test]
fn discrete_cost_counts_the_recursion() {
    // Times 3, 2, 2, 1, 1, 1 (sweep order: descending). Largest tie ahead: row at 3 → 3,
    // rows at 2 → 3, rows at 1 → 3. Risk-set sizes when joining: 1..6. Σ min = 1+2+3+3+3+3.
    let stop = [1.0, 2.0, 1.0, 3.0, 2.0, 1.0];
    let status = [true, true, true, true, true, true];
    let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let data = CoxData::new(&stop, &status, &x, 1);
    assert_eq!(discrete_cost(&data).unwrap(), 15);
    let none = [false; 6];
    assert!(discrete_cost(&CoxData::new(&stop, &none, &x, 1)).is_err());
}

#[test]
fn monotone_likelihood_is_flagged() {
    // Every event in group 1 happens before any in group 0: β runs off to +∞.
    let stop = [1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0];
    let status = [true, true, true, true, true, true, true, false];
    let x = [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0];
    let data = CoxData::new(&stop, &status, &x, 1);
    for ties in [ExactTies::Discrete, ExactTies::Marginal] {
        let f = fit_exact(&data, &CoxOptions::default(), ties).unwrap();
        assert!(
            f.caveats.iter().any(|c| matches!(
                c,
                survkit_core::cox::Caveat::InfiniteCoefficient { column: 0 }
            )),
            "{ties:?}: {:?} coef {:?}",
            f.caveats,
            f.coef
        );
    }
}
