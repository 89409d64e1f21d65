//! Test of proportional hazards (Grambsch & Therneau 1994), as R's `cox.zph`.
//!
//! Under proportional hazards the Schoenfeld residuals `sᵢ = xᵢ − x̄(tᵢ)` of the events
//! show no trend in time. For a time transform `g` (Kaplan–Meier `1 − S(t)`, rank, or
//! identity), centred over the events, `g̃ᵢ = g(tᵢ) − mean(g)`, the test is the score
//! test, at `(β̂, 0)`, for adding the time-varying terms `x·g̃(t)` to the model:
//!
//! `U_γ = Σ_events wᵢ g̃ᵢ sᵢ`,  information blocks `I_ββ = Σ_t V_t`, `I_βγ = Σ_t g̃_t V_t`,
//! `I_γγ = Σ_t g̃_t² V_t` (`V_t` the weighted covariance of x in the risk set at t, Efron
//! averaged over tied events), and `χ² = Uᵀ I⁻¹ U` over `(β, γ_term)` for each term and
//! over `(β, γ)` for the global test (Therneau & Grambsch 2000, §6.2).
//!
//! The scaled Schoenfeld residuals for the plot are `β̂ + D·V(β̂) sᵢ`, with D the number of
//! events, whose smoothed trend against `g(t)` estimates `β(t)` (Grambsch & Therneau 1994).

use super::sweep::{EventTime, Sorted};
use super::{to_matrix, ChiSquareTest, CoxData, CoxFit, CoxOptions};
use crate::Error;
use nalgebra::{Cholesky, DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// The time scale the residuals are tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    /// `1 − S(t−)` with S the Kaplan–Meier estimate of all data (R's default).
    #[default]
    Km,
    /// Rank of the event time among all observed times.
    Rank,
    /// The time itself.
    Identity,
}

/// The test for one term (one or several columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphTerm {
    /// Column indices of the term in the model's design.
    pub columns: Vec<usize>,
    /// Chi-square test (df = number of columns).
    pub test: ChiSquareTest,
    /// Scaled Schoenfeld residuals of the term, one per event (in the order of
    /// [`Zph::time`]); a term of several columns is collapsed to its part of the linear
    /// predictor, so that its series centres on 1 (as R's `cox.zph`).
    pub residuals: Vec<f64>,
}

/// Proportional-hazards test of a Cox fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zph {
    /// Time transform used.
    pub transform: Transform,
    /// One test per term.
    pub terms: Vec<ZphTerm>,
    /// Global test over all terms.
    pub global: ChiSquareTest,
    /// Event times, one per event (sorted by stratum, then time).
    pub time: Vec<f64>,
    /// Transformed times `g(t)` (not centred), one per event.
    pub g: Vec<f64>,
}

/// Proportional-hazards test of `fit`, fitted to `data` with `opts`.
///
/// `terms` groups columns into terms (e.g. the dummies of one categorical covariate);
/// empty means one term per column. Aliased columns are skipped.
///
/// # Errors
///
/// [`Error::InvalidOption`] when `fit` does not match `data` or a term names a column
/// out of range; [`Error::NoData`] when no coefficient was estimated or the extended
/// information matrix is singular.
pub fn zph(
    data: &CoxData,
    opts: &CoxOptions,
    fit: &CoxFit,
    transform: Transform,
    terms: &[Vec<usize>],
) -> Result<Zph, Error> {
    let n = super::validate(data)?;
    if fit.coef.len() != data.p || fit.n != n {
        return Err(Error::InvalidOption(
            "the fit does not belong to these data".into(),
        ));
    }
    let cols: Vec<usize> = (0..data.p).filter(|&j| !fit.aliased[j]).collect();
    let q = cols.len();
    if q == 0 {
        return Err(Error::NoData(
            "the model has no estimated coefficient".into(),
        ));
    }
    let mut s = Sorted::new(data, n);
    s.set_columns(data, &cols);
    let beta: Vec<f64> = cols.iter().map(|&j| fit.coef[j]).collect();
    let mut recs: Vec<EventTime> = Vec::new();
    let e = s.eval(&beta, opts.ties, Some(&mut recs));
    // Events in (stratum, time) order, each with its record.
    let mut deaths: Vec<(usize, usize)> = Vec::new(); // (row, record)
    {
        let mut k = 0;
        for &(b, end) in &s.strata_ranges {
            // by_stop is time-descending within a stratum; records likewise.
            let rb = k;
            while k < recs.len() && recs[k].stratum == s.stratum[s.by_stop[b]] {
                k += 1;
            }
            let mut rows: Vec<(usize, usize)> = Vec::new();
            for &i in s.by_stop[b..end].iter().rev() {
                if s.status[i] {
                    let r = rb + recs[rb..k].partition_point(|r| r.time > s.stop[i]);
                    rows.push((i, r));
                }
            }
            deaths.extend(rows);
        }
    }
    let nd = deaths.len();
    let time: Vec<f64> = deaths.iter().map(|&(i, _)| s.stop[i]).collect();
    let g: Vec<f64> = match transform {
        Transform::Identity => time.clone(),
        Transform::Rank => ranks(&s.stop, &time),
        Transform::Km => km_transform(&s, &time),
    };
    let gbar = g.iter().sum::<f64>() / nd as f64;
    let mut ug = DVector::<f64>::zeros(q);
    let mut schoen = vec![0.0; nd * q];
    for (k, &(i, r)) in deaths.iter().enumerate() {
        let gt = g[k] - gbar;
        for a in 0..q {
            let sres = s.x[i * q + a] - recs[r].xbar[a];
            schoen[k * q + a] = sres;
            ug[a] += s.weight[i] * gt * sres;
        }
    }
    // g̃ per record: all events of a record share one time, hence one g.
    let mut g_rec = vec![0.0; recs.len()];
    for (k, &(_, r)) in deaths.iter().enumerate() {
        g_rec[r] = g[k] - gbar;
    }
    let mut m = DMatrix::<f64>::zeros(2 * q, 2 * q);
    for (r, rec) in recs.iter().enumerate() {
        let gt = g_rec[r];
        for a in 0..q {
            for b in 0..q {
                let v = rec.wd * rec.vbar[a * q + b];
                m[(a, b)] += v;
                m[(a, q + b)] += gt * v;
                m[(q + a, b)] += gt * v;
                m[(q + a, q + b)] += gt * gt * v;
            }
        }
    }
    let mut u = DVector::<f64>::zeros(2 * q);
    for a in 0..q {
        u[a] = e.u[a];
        u[q + a] = ug[a];
    }
    let score = |idx: &[usize]| -> Option<f64> {
        let k = idx.len();
        let sub = DMatrix::from_fn(k, k, |r, c| m[(idx[r], idx[c])]);
        let us = DVector::from_fn(k, |r, _| u[idx[r]]);
        Cholesky::new(sub).map(|ch| us.dot(&ch.solve(&us)))
    };
    let all: Vec<usize> = (0..2 * q).collect();
    let global = score(&all).ok_or_else(|| {
        Error::NoData("the information matrix of the proportional-hazards test is singular".into())
    })?;
    let groups: Vec<Vec<usize>> = if terms.is_empty() {
        (0..data.p).map(|j| vec![j]).collect()
    } else {
        terms.to_vec()
    };
    let mut out_terms = Vec::new();
    for t in &groups {
        let mut idx: Vec<usize> = (0..q).collect();
        let mut used = Vec::new();
        for &j in t {
            if j >= data.p {
                return Err(Error::InvalidOption(format!(
                    "term column {j} out of range"
                )));
            }
            if let Some(a) = cols.iter().position(|&c| c == j) {
                idx.push(q + a);
                used.push(j);
            }
        }
        if used.is_empty() {
            continue;
        }
        let chisq = score(&idx).unwrap_or(f64::NAN);
        out_terms.push(ZphTerm {
            columns: used.clone(),
            test: ChiSquareTest::new(chisq, used.len()),
            residuals: Vec::new(),
        });
    }
    // Scaled Schoenfeld residuals b + D·V* sᵢ*, one series per term: a term of several
    // columns is collapsed to its contribution to the linear predictor (coefficient 1),
    // so that the information and residuals are those of the collapsed design.
    let nt = out_terms.len();
    let mut amap = DMatrix::<f64>::zeros(q, nt);
    let mut bstar = DVector::<f64>::zeros(nt);
    for (t, term) in out_terms.iter().enumerate() {
        for &j in &term.columns {
            if let Some(a) = cols.iter().position(|&c| c == j) {
                amap[(a, t)] = if term.columns.len() == 1 {
                    1.0
                } else {
                    beta[a]
                };
                bstar[t] = if term.columns.len() == 1 {
                    beta[a]
                } else {
                    1.0
                };
            }
        }
    }
    let istar = amap.transpose() * to_matrix(&e.imat, q) * &amap;
    let v = Cholesky::new(istar)
        .map(|c| c.inverse())
        .ok_or_else(|| Error::NoData("the information matrix is singular".into()))?;
    let sch = DMatrix::from_row_slice(nd, q, &schoen) * &amap; // nd × terms
    let scaled = &sch * v * nd as f64;
    for (t, term) in out_terms.iter_mut().enumerate() {
        term.residuals = (0..nd).map(|k| bstar[t] + scaled[(k, t)]).collect();
    }
    Ok(Zph {
        transform,
        terms: out_terms,
        global: ChiSquareTest::new(global, q),
        time,
        g,
    })
}

/// Rank of each event time among all stop times (events and censored alike), ties
/// sharing the mean rank, 1-based (as R's `cox.zph(transform = "rank")`).
fn ranks(all: &[f64], times: &[f64]) -> Vec<f64> {
    let mut sorted = all.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    times
        .iter()
        .map(|&t| {
            let lt = sorted.partition_point(|&x| x < t);
            let le = sorted.partition_point(|&x| x <= t);
            (lt + 1 + le) as f64 / 2.0
        })
        .collect()
}

/// `1 − S(t−)`: one minus the Kaplan–Meier estimate (all strata pooled, unweighted)
/// just before each event time.
fn km_transform(s: &Sorted, times: &[f64]) -> Vec<f64> {
    let mut stops: Vec<f64> = s.stop.clone();
    stops.sort_unstable_by(f64::total_cmp);
    let mut starts: Vec<f64> = s.start.clone().unwrap_or_default();
    starts.sort_unstable_by(f64::total_cmp);
    let mut ev: Vec<f64> = (0..s.n)
        .filter(|&i| s.status[i])
        .map(|i| s.stop[i])
        .collect();
    ev.sort_unstable_by(f64::total_cmp);
    // Survival just before each distinct event time.
    let mut uniq: Vec<(f64, f64)> = Vec::new(); // (time, S(t−))
    let mut surv = 1.0;
    let mut k = 0;
    while k < ev.len() {
        let t = ev[k];
        let mut e = k;
        while e < ev.len() && ev[e] == t {
            e += 1;
        }
        let d = (e - k) as f64;
        let at_risk = (stops.len() - stops.partition_point(|&x| x < t)) as f64
            - (starts.len() - starts.partition_point(|&x| x < t)) as f64;
        uniq.push((t, surv));
        surv *= 1.0 - d / at_risk;
        k = e;
    }
    times
        .iter()
        .map(|&t| {
            let pos = uniq.partition_point(|u| u.0 < t);
            1.0 - uniq.get(pos).map_or(surv, |u| u.1)
        })
        .collect()
}
