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
//! information. These are the "finegray + coxph" numbers, not `cmprsk::crr`'s (crr
//! weighs ties in `G` differently and reports a sandwich variance).
//!
//! Scope: coefficients, model-based SEs and log-likelihoods, checked against R
//! (`tests/competing_finegray_against_r.rs`). Not yet: case weights, strata, delayed
//! entry, robust SEs, `cmprsk::crr`'s sandwich variance.

// Risk-set sums are index arithmetic over small p×p blocks; ranges read clearer here.
#![allow(clippy::needless_range_loop)]

use nalgebra::{Cholesky, DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::{CompetingData, CompetingWarning};
use crate::cox::Ties;
use crate::Error;

/// A fitted Fine–Gray model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineGrayFit {
    /// The cause modelled.
    pub cause: u32,
    /// Tie handling.
    pub ties: Ties,
    /// Coefficients: log subdistribution hazard ratios.
    pub coef: Vec<f64>,
    /// Model-based standard errors (R's `coxph` on `finegray()` data, `naive.var`).
    pub se: Vec<f64>,
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

fn prepare(data: &CompetingData, cause: u32, x: &[f64], p: usize) -> Prepared {
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
        for pos in start..end {
            if cz[pos] != 0 && cz[pos] != cause {
                inv_g[pos] = 1.0 / g_minus;
            }
        }
        if cz[start..end].contains(&cause) {
            events.push((start, end, g_minus));
        }
        let at_risk = (n - start) as f64 - d;
        if c > 0.0 && at_risk > 0.0 {
            g *= 1.0 - c / at_risk;
        }
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

/// Fits the Fine–Gray model of `cause` on the design matrix `x` (column-major n×p).
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
    let pr = prepare(data, cause, x, p);
    if pr.events.is_empty() {
        return Err(Error::NoData(format!("no events of cause {cause}")));
    }
    let mut beta = vec![0.0; p];
    let (l0, mut u, mut imat) = eval(&pr, cause, p, &beta, ties);
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
            let (lnew, un, inew) = eval(&pr, cause, p, &trial, ties);
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
        coef: beta,
        se,
        loglik: [l0, lold],
        iterations,
        converged,
        warnings,
    })
}
