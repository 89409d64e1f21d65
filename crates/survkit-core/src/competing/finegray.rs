//! Fine–Gray proportional subdistribution hazards regression (Fine & Gray 1999), fitted
//! as R `survival` does it: the weighted partial likelihood in which a row with a
//! competing event at `T_i` stays in the risk set after `T_i` with weight
//! `G(t−)/G(T_i−)` (`G` the Kaplan–Meier estimate of the censoring distribution, events
//! counted before censorings at tied times), i.e. `coxph(Surv(fgstart, fgstop,
//! fgstatus) ~ x, weights = fgwt, data = finegray(...))` (Geskus 2011; Therneau,
//! *The survival package*, vignette "compete").
//!
//! # Formula
//!
//! At each distinct time τ with events of cause k, the risk set is every row with
//! `T_i ≥ τ` (weight 1) plus every row with a competing event before τ (weight
//! `G(τ−)/G(T_i−)`). All the latter share the factor `G(τ−)`, so the risk-set sums are
//! `S_m(τ) = A_m(τ) + G(τ−)·B_m(τ)` with `A` the usual sums over `T_i ≥ τ` and `B` the
//! sums of `r_i x_i^{⊗m}/G(T_i−)` over competing events before τ: one sort, one sweep
//! per Newton step, nothing quadratic (R's `finegray` instead expands the data).
//! Breslow or Efron ties as in [`crate::cox`]; model-based variance = inverse
//! information ("finegray + coxph", [`FineGrayConvention::Finegray`]).
//!
//! [`FineGrayConvention::Crr`] gives `cmprsk::crr`'s numbers: its censoring KM counts
//! rows with an event at a tied time as still at risk of censoring, ties are Breslow's,
//! and the variance is Fine & Gray's (1999, §3) sandwich with the term for the
//! estimated G ([`FineGrayFit::sandwich_se`]); the model-based SE is reported too.
//!
//! Checked against R (`tests/competing_finegray_against_r.rs`, 1e-6): coefficients,
//! model-based SEs and log-likelihoods of finegray + coxph; coefficients and sandwich
//! SEs of crr (run with `gtol = 1e-12`: crr's default stopping rule leaves ~1e-5).
//! Not yet: case weights, strata, delayed entry, coxph's robust (cluster) SE.

// Risk-set sums are index arithmetic over small p×p blocks; ranges read clearer here.
#![allow(clippy::needless_range_loop)]

use nalgebra::{Cholesky, DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::{CompetingData, CompetingWarning};
use crate::cox::Ties;
use crate::Error;

/// Whose conventions the Fine–Gray fit follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FineGrayConvention {
    /// R `survival`: `finegray()` + weighted `coxph` (censoring KM with events leaving
    /// first at tied times; Efron or Breslow ties); model-based SEs.
    #[default]
    Finegray,
    /// R `cmprsk::crr` (Fine & Gray 1999): censoring KM with censorings at risk with the
    /// events at tied times, Breslow ties; sandwich SEs including the estimation of G.
    Crr,
}

/// A fitted Fine–Gray model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineGrayFit {
    /// The cause modelled.
    pub cause: u32,
    /// Tie handling.
    pub ties: Ties,
    /// Coefficients: log subdistribution hazard ratios.
    pub coef: Vec<f64>,
    /// Conventions used.
    pub convention: FineGrayConvention,
    /// Model-based standard errors (inverse information; R's `coxph` on `finegray()`
    /// data, `naive.var`).
    pub se: Vec<f64>,
    /// Sandwich standard errors of Fine & Gray (1999, §3), with the term for the
    /// estimated censoring distribution: `cmprsk::crr`'s `var` (with
    /// [`FineGrayConvention::Crr`] only).
    pub sandwich_se: Option<Vec<f64>>,
    /// Weighted log partial likelihood at 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Newton–Raphson iterations.
    pub iterations: usize,
    /// Whether the iteration converged.
    pub converged: bool,
    /// Caveats (non-convergence).
    pub warnings: Vec<CompetingWarning>,
}

/// Rows in time order with what the sweep needs.
struct Prepared {
    time: Vec<f64>,
    cause: Vec<u32>,
    /// `1/G(T_i−)` for rows with a competing event, 0 otherwise.
    inv_g: Vec<f64>,
    /// Row-major n×p covariates in time order.
    x: Vec<f64>,
    /// Distinct event times of the cause: (first row, one past last row at that time,
    /// G(τ−)).
    events: Vec<(usize, usize, f64)>,
}

/// Rows in time order with their censoring weights. The censoring KM counts, at a tied
/// time, the rows with an event as at risk of censoring (`crr`, standard reverse KM)
/// when `censor_with_events`, else lets them leave first (`finegray`). Weights are
/// `G(τ−)/G(T_i−)` in both.
fn prepare_with(
    data: &CompetingData,
    cause: u32,
    x: &[f64],
    p: usize,
    censor_with_events: bool,
) -> Prepared {
    let n = data.time.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| data.time[a].total_cmp(&data.time[b]));
    let time: Vec<f64> = order.iter().map(|&i| data.time[i]).collect();
    let cz: Vec<u32> = order.iter().map(|&i| data.cause[i]).collect();
    let mut xs = vec![0.0; n * p];
    for (pos, &i) in order.iter().enumerate() {
        for j in 0..p {
            xs[pos * p + j] = x[j * n + i];
        }
    }
    // Censoring KM, events before censorings at ties; G(t−) per distinct time.
    let mut inv_g = vec![0.0; n];
    let mut events = Vec::new();
    let mut g = 1.0_f64;
    let mut start = 0;
    while start < n {
        let t = time[start];
        let mut end = start;
        let (mut d, mut c) = (0.0, 0.0);
        while end < n && time[end] == t {
            if cz[end] == 0 {
                c += 1.0;
            } else {
                d += 1.0;
            }
            end += 1;
        }
        let g_minus = g;
        let at_risk = (n - start) as f64 - if censor_with_events { 0.0 } else { d };
        let g_after = if c > 0.0 && at_risk > 0.0 {
            g * (1.0 - c / at_risk)
        } else {
            g
        };
        for pos in start..end {
            if cz[pos] != 0 && cz[pos] != cause {
                inv_g[pos] = 1.0 / g_minus;
            }
        }
        if cz[start..end].contains(&cause) {
            events.push((start, end, g_minus));
        }
        g = g_after;
        start = end;
    }
    Prepared {
        time,
        cause: cz,
        inv_g,
        x: xs,
        events,
    }
}

fn prepare(data: &CompetingData, cause: u32, x: &[f64], p: usize) -> Prepared {
    prepare_with(data, cause, x, p, false)
}

/// Log-likelihood, score and information at β.
fn eval(
    pr: &Prepared,
    cause: u32,
    p: usize,
    beta: &[f64],
    ties: Ties,
) -> (f64, Vec<f64>, Vec<f64>) {
    let n = pr.time.len();
    let eta: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| pr.x[i * p + j] * beta[j]).sum())
        .collect();
    let r: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    // A: sums over rows with T ≥ τ (start from everything, remove rows as τ passes);
    // B: sums over competing events before τ, scaled by 1/G(T−).
    let mut a0 = r.iter().sum::<f64>();
    let mut a1 = vec![0.0; p];
    let mut a2 = vec![0.0; p * p];
    for i in 0..n {
        for j in 0..p {
            a1[j] += r[i] * pr.x[i * p + j];
            for l in 0..p {
                a2[j * p + l] += r[i] * pr.x[i * p + j] * pr.x[i * p + l];
            }
        }
    }
    let (mut b0, mut b1, mut b2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let mut removed = 0usize; // rows with T < current τ already moved out of A
    let mut ll = 0.0;
    let mut u = vec![0.0; p];
    let mut imat = vec![0.0; p * p];
    for &(start, end, g_minus) in &pr.events {
        while removed < start {
            let i = removed;
            a0 -= r[i];
            for j in 0..p {
                a1[j] -= r[i] * pr.x[i * p + j];
                for l in 0..p {
                    a2[j * p + l] -= r[i] * pr.x[i * p + j] * pr.x[i * p + l];
                }
            }
            if pr.inv_g[i] > 0.0 {
                let w = r[i] * pr.inv_g[i];
                b0 += w;
                for j in 0..p {
                    b1[j] += w * pr.x[i * p + j];
                    for l in 0..p {
                        b2[j * p + l] += w * pr.x[i * p + j] * pr.x[i * p + l];
                    }
                }
            }
            removed += 1;
        }
        let s0 = a0 + g_minus * b0;
        let s1: Vec<f64> = (0..p).map(|j| a1[j] + g_minus * b1[j]).collect();
        let s2: Vec<f64> = (0..p * p).map(|j| a2[j] + g_minus * b2[j]).collect();
        // The tied events of the cause at τ.
        let (mut d, mut d0, mut d1, mut d2) = (0.0, 0.0, vec![0.0; p], vec![0.0; p * p]);
        for i in start..end {
            if pr.cause[i] != cause {
                continue;
            }
            d += 1.0;
            ll += eta[i];
            d0 += r[i];
            for j in 0..p {
                u[j] += pr.x[i * p + j];
                d1[j] += r[i] * pr.x[i * p + j];
                for l in 0..p {
                    d2[j * p + l] += r[i] * pr.x[i * p + j] * pr.x[i * p + l];
                }
            }
        }
        let steps = match ties {
            Ties::Breslow => 1,
            Ties::Efron => d as usize,
        };
        let share = match ties {
            Ties::Breslow => d,
            Ties::Efron => 1.0,
        };
        for k in 0..steps {
            let f = match ties {
                Ties::Breslow => 0.0,
                Ties::Efron => k as f64 / d,
            };
            let z0 = s0 - f * d0;
            ll -= share * z0.ln();
            for j in 0..p {
                let mj = (s1[j] - f * d1[j]) / z0;
                u[j] -= share * mj;
                for l in 0..p {
                    let ml = (s1[l] - f * d1[l]) / z0;
                    imat[j * p + l] += share * ((s2[j * p + l] - f * d2[j * p + l]) / z0 - mj * ml);
                }
            }
        }
    }
    (ll, u, imat)
}

/// Fits the Fine–Gray model of `cause` on the design matrix `x` (column-major n×p),
/// with `survival`'s (`finegray` + `coxph`) or `cmprsk::crr`'s conventions (`ties` is
/// ignored for crr, which uses Breslow's).
///
/// # Errors
/// Invalid data; [`Error::InvalidOption`] for weights, strata or entry times (not yet
/// supported) or a cause outside `1..=n_causes`; [`Error::NoData`] without events of
/// the cause.
pub fn fine_gray(
    data: &CompetingData,
    cause: u32,
    x: &[f64],
    p: usize,
    ties: Ties,
    convention: FineGrayConvention,
) -> Result<FineGrayFit, Error> {
    data.validate()?;
    if data.weights.is_some() || data.strata.is_some() || data.entry.is_some() {
        return Err(Error::InvalidOption(
            "the Fine–Gray fit does not take weights, strata or entry times yet".into(),
        ));
    }
    if cause == 0 || cause as usize > data.n_causes {
        return Err(Error::InvalidOption(format!(
            "cause must be between 1 and {}, found {cause}",
            data.n_causes
        )));
    }
    let n = data.time.len();
    if x.len() != n * p {
        return Err(Error::LengthMismatch {
            what: "x (n × p)".into(),
            expected: n * p,
            found: x.len(),
        });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidValue {
            what: format!("x, column {}", i / n + 1),
            index: i % n,
            reason: "expected a finite number".into(),
        });
    }
    match convention {
        FineGrayConvention::Finegray => {
            let pr = prepare(data, cause, x, p);
            fit_prepared(&pr, cause, p, ties)
        }
        FineGrayConvention::Crr => {
            let pr = prepare_with(data, cause, x, p, true);
            let mut f = fit_prepared(&pr, cause, p, Ties::Breslow)?;
            f.convention = FineGrayConvention::Crr;
            f.sandwich_se = Some(sandwich_se(&pr, cause, p, &f.coef));
            Ok(f)
        }
    }
}

fn fit_prepared(pr: &Prepared, cause: u32, p: usize, ties: Ties) -> Result<FineGrayFit, Error> {
    if pr.events.is_empty() {
        return Err(Error::NoData(format!("no events of cause {cause}")));
    }
    let mut beta = vec![0.0; p];
    let (l0, mut u, mut imat) = eval(pr, cause, p, &beta, ties);
    // Newton–Raphson with step halving; convergence on the relative change of the
    // log-likelihood (1e-9, 20 iterations), as coxph.
    let mut lold = l0;
    let mut converged = p == 0;
    let mut iterations = 0;
    let max_iter = 20;
    while !converged && iterations < max_iter {
        iterations += 1;
        let im = DMatrix::from_row_slice(p, p, &imat);
        let Some(ch) = Cholesky::new(im) else { break };
        let step = ch.solve(&DVector::from_column_slice(&u));
        let mut factor = 1.0;
        loop {
            let trial: Vec<f64> = (0..p).map(|j| beta[j] + factor * step[j]).collect();
            let (lnew, un, inew) = eval(pr, cause, p, &trial, ties);
            if lnew.is_finite() && (lnew >= lold || factor < 1e-4) {
                converged = (1.0 - lold / lnew).abs() <= 1e-9;
                beta = trial;
                lold = lnew;
                u = un;
                imat = inew;
                break;
            }
            factor /= 2.0;
        }
    }
    let im = DMatrix::from_row_slice(p, p, &imat);
    let var = im
        .try_inverse()
        .unwrap_or_else(|| DMatrix::from_element(p, p, f64::NAN));
    let se = (0..p).map(|j| var[(j, j)].sqrt()).collect();
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(CompetingWarning::NotConverged { iterations });
    }
    Ok(FineGrayFit {
        cause,
        ties,
        convention: FineGrayConvention::Finegray,
        coef: beta,
        se,
        sandwich_se: None,
        loglik: [l0, lold],
        iterations,
        converged,
        warnings,
    })
}

/// Fine & Gray's (1999, §3) sandwich `Ω⁻¹ Σ_i (η_i + ψ_i)^{⊗2} Ω⁻¹` (Breslow):
/// `η_i = ∫ (x_i − x̄) w_i dM_i` is the weighted score residual and
/// `ψ_i = ∫ q(u)/π(u) dM_i^c(u)` the effect of estimating G, with
/// `q(u) = Σ_{j: competing, T_j < u} Σ_{τ ≥ u} (x_j − x̄(τ)) w_j(τ) r_j dΛ̂(τ)`,
/// `π(u)` the number at risk and `M^c` the censoring martingales. Suffix sums over the
/// event times and prefix sums over the competing events make it O(n p²).
fn sandwich_se(pr: &Prepared, cause: u32, p: usize, beta: &[f64]) -> Vec<f64> {
    let n = pr.time.len();
    let r: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| pr.x[i * p + j] * beta[j]).sum::<f64>().exp())
        .collect();
    // Breslow quantities per event time: dΛ = d/S0, x̄ = S1/S0, and the information.
    let m = pr.events.len();
    let mut dl = vec![0.0; m];
    let mut xbar = vec![0.0; m * p];
    let mut imat = vec![0.0; p * p];
    {
        let mut a0: f64 = r.iter().sum();
        let mut a1 = vec![0.0; p];
        let mut a2 = vec![0.0; p * p];
        for i in 0..n {
            for j in 0..p {
                a1[j] += r[i] * pr.x[i * p + j];
                for l in 0..p {
                    a2[j * p + l] += r[i] * pr.x[i * p + j] * pr.x[i * p + l];
                }
            }
        }
        let (mut b0, mut b1, mut b2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        let mut removed = 0;
        for (e, &(start, end, g)) in pr.events.iter().enumerate() {
            while removed < start {
                let i = removed;
                a0 -= r[i];
                let w = r[i] * pr.inv_g[i];
                b0 += w;
                for j in 0..p {
                    a1[j] -= r[i] * pr.x[i * p + j];
                    b1[j] += w * pr.x[i * p + j];
                    for l in 0..p {
                        let xx = pr.x[i * p + j] * pr.x[i * p + l];
                        a2[j * p + l] -= r[i] * xx;
                        b2[j * p + l] += w * xx;
                    }
                }
                removed += 1;
            }
            let d = (start..end).filter(|&i| pr.cause[i] == cause).count() as f64;
            let s0 = a0 + g * b0;
            dl[e] = d / s0;
            for j in 0..p {
                xbar[e * p + j] = (a1[j] + g * b1[j]) / s0;
            }
            for j in 0..p {
                for l in 0..p {
                    imat[j * p + l] += d
                        * ((a2[j * p + l] + g * b2[j * p + l]) / s0
                            - xbar[e * p + j] * xbar[e * p + l]);
                }
            }
        }
    }
    // Suffix sums over event times: H0(e) = Σ_{e' ≥ e} G(τ−) dΛ, H1 = Σ G x̄ dΛ;
    // plain L0 = Σ_{e' ≤ e} dΛ, L1 = Σ x̄ dΛ (prefix) for the unweighted part.
    let mut h0 = vec![0.0; m + 1];
    let mut h1 = vec![0.0; (m + 1) * p];
    for e in (0..m).rev() {
        let g = pr.events[e].2;
        h0[e] = h0[e + 1] + g * dl[e];
        for j in 0..p {
            h1[e * p + j] = h1[(e + 1) * p + j] + g * xbar[e * p + j] * dl[e];
        }
    }
    let mut l0 = vec![0.0; m + 1];
    let mut l1 = vec![0.0; (m + 1) * p];
    for e in 0..m {
        l0[e + 1] = l0[e] + dl[e];
        for j in 0..p {
            l1[(e + 1) * p + j] = l1[e * p + j] + xbar[e * p + j] * dl[e];
        }
    }
    // Index of the first event time ≥ t (events sorted by time).
    let first_ge = |t: f64| pr.events.partition_point(|&(s, _, _)| pr.time[s] < t);
    let first_gt = |t: f64| pr.events.partition_point(|&(s, _, _)| pr.time[s] <= t);
    // η_i.
    let mut score = vec![0.0; n * p];
    for i in 0..n {
        let t = pr.time[i];
        let upto = first_gt(t); // event times ≤ T_i: 0..upto
        for j in 0..p {
            let xj = pr.x[i * p + j];
            let mut v = -r[i] * (xj * l0[upto] - l1[upto * p + j]);
            if pr.cause[i] == cause {
                let e = first_ge(t);
                v += xj - xbar[e * p + j];
            }
            if pr.inv_g[i] > 0.0 {
                // Competing event: still at risk after T_i with weight G(τ−)/G(T_i−).
                v -= r[i] * pr.inv_g[i] * (xj * h0[upto] - h1[upto * p + j]);
            }
            score[i * p + j] = v;
        }
    }
    // ψ_i: sweep the distinct times; q(u) needs B over competing events with T_j < u.
    let (mut b0, mut b1) = (0.0, vec![0.0; p]);
    let mut k_cum = vec![0.0; p]; // Σ_{u ≤ t} q(u) c(u)/π(u)²
    let mut start = 0;
    while start < n {
        let t = pr.time[start];
        let mut end = start;
        while end < n && pr.time[end] == t {
            end += 1;
        }
        let c = (start..end).filter(|&i| pr.cause[i] == 0).count() as f64;
        let pi = (n - start) as f64;
        if c > 0.0 {
            let e = first_ge(t);
            let q: Vec<f64> = (0..p).map(|j| b1[j] * h0[e] - b0 * h1[e * p + j]).collect();
            for j in 0..p {
                k_cum[j] += q[j] * c / (pi * pi);
            }
            for i in start..end {
                if pr.cause[i] == 0 {
                    for j in 0..p {
                        score[i * p + j] += q[j] / pi;
                    }
                }
            }
        }
        for i in start..end {
            for j in 0..p {
                score[i * p + j] -= k_cum[j];
            }
        }
        // Rows still at risk at later censoring times get −Σ q c/π² up to their T_i;
        // add it for every row when it leaves (above), so B is updated after.
        for i in start..end {
            if pr.inv_g[i] > 0.0 {
                let w = r[i] * pr.inv_g[i];
                b0 += w;
                for j in 0..p {
                    b1[j] += w * pr.x[i * p + j];
                }
            }
        }
        start = end;
    }
    let mut sig = vec![0.0; p * p];
    for i in 0..n {
        for j in 0..p {
            for l in 0..p {
                sig[j * p + l] += score[i * p + j] * score[i * p + l];
            }
        }
    }
    let im = DMatrix::from_row_slice(p, p, &imat);
    let Some(inv) = im.try_inverse() else {
        return vec![f64::NAN; p];
    };
    let v = &inv * DMatrix::from_row_slice(p, p, &sig) * &inv;
    (0..p).map(|j| v[(j, j)].sqrt()).collect()
}
