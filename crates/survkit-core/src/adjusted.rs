//! Covariate-adjusted survival curves from a Cox model by direct standardisation
//! (Makuch 1982; Chang, Gelman & Pagano 1982; Zhang et al. 2007): for each level of the
//! group, the group is set to that level for every patient of the cohort and the
//! predicted curves are averaged, `S̄_g(t) = (1/m) Σᵢ S(t | xᵢ, group = g)`.
//!
//! # Formula
//!
//! With covariates centred at their means `x̄` (as R's `coxph`), `zᵢ = xᵢ − x̄`,
//! `rᵢ = exp(zᵢᵀβ)`, and at each distinct event time `tⱼ` with `dⱼ` events, risk-set
//! sums `S0, S1` and event sums `D0, D1`, the baseline cumulative hazard is
//! `H0(t) = Σ_{tⱼ ≤ t} Σ_k a_{jk}` with
//!
//! - Breslow (1972) ties: one term `a = dⱼ/S0` (weight `dⱼ`);
//! - Efron ties: `a_{jk} = 1/(S0 − (k/d)D0)`, `k = 0..d−1` (the Efron-adjusted
//!   baseline R's `survfit.coxph` uses for an Efron fit, `ctype = 2`).
//!
//! Each curve is `S(t | x) = exp(−H0(t) exp((x − x̄)ᵀβ))` (R's default `stype = 2`).
//!
//! Delta-method variance of the average `S̄(t) = (1/m) Σ Sᵢ(t)`, treating the
//! hazard increments as independent given β (variance `Σ_k a²_{jk}`, the Aalen/Breslow
//! estimator's) and β̂ as independent of them with variance `V`:
//!
//! `Var S̄(t) = A(t)² V0(t) + g(t)ᵀ V g(t)`, where
//! `A = (1/m) Σ Sᵢ rᵢ`, `V0(t) = Σ_{tⱼ ≤ t} Σ_k a²_{jk}`,
//! `g = ∂S̄/∂β = −(1/m) Σᵢ Sᵢ rᵢ [H0(t) zᵢ − Q(t)]`, `Q(t) = Σ_{tⱼ ≤ t} Σ_k x̄_{jk} a_{jk}`,
//! `x̄_{jk} = (S1 − (k/d)D1)/(S0 − (k/d)D0)` (Breslow: `x̄ = S1/S0`, weight `dⱼ`).
//!
//! For a single patient (m = 1) this is R's `survfit(fit, newdata)` variance of the
//! cumulative hazard `r²[V0 + qᵀVq]`, `q = Σ (z − x̄ⱼ) dH0ⱼ`, times `S²` (tested in
//! `tests/adjusted_against_r.rs`). Confidence limits use the transforms of
//! [`crate::km`] on `Var(log S̄) ≈ Var S̄ / S̄²` (R's default for `survfit.coxph`: `log`).
//! The variance ignores the sampling variability of the cohort's covariate
//! distribution (the cohort is taken as the fixed standard population), as Zhang et
//! al. (2007) do.
//!
//! # Cost
//!
//! One sort and one sweep for the baseline (O(n log n + n p)), then O(m · T · p) per
//! level for m cohort rows and T output times. By default T is the number of distinct
//! event times, capped at [`AdjustedOptions::max_event_times`] (1000; every k-th event
//! time beyond that), so the cost stays linear in the cohort; or pass a grid in
//! [`AdjustedOptions::times`] (a figure needs a few hundred points).
//!
//! # References
//!
//! - Makuch RW (1982). Adjusted survival curve estimation using covariates.
//!   *J Chronic Dis* 35:437–443.
//! - Chang IM, Gelman R, Pagano M (1982). Corrected group prognostic curves and summary
//!   statistics. *J Chronic Dis* 35:669–674.
//! - Zhang X, Loberiza FR, Klein JP, Zhang MJ (2007). A SAS macro for estimation of
//!   direct adjusted survival curves based on a stratified Cox regression model.
//!   *Comput Methods Programs Biomed* 88:95–101.
//! - Therneau TM, Grambsch PM (2000). *Modeling Survival Data*, §10.2 (variance of a
//!   predicted curve).

// Risk-set sums are index arithmetic over p-vectors; ranges read clearer here.
#![allow(clippy::needless_range_loop)]

use crate::cox::{CoxData, CoxFit, Ties};
use crate::km::{conf_limits, z_for_level, ConfType};
use crate::Error;
use serde::{Deserialize, Serialize};

/// Options of the adjusted curves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdjustedOptions {
    /// Confidence-interval transform (default `log`, as R's `survfit.coxph`).
    pub conf_type: ConfType,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
    /// Times at which to evaluate the curves; `None` = the distinct event times, thinned
    /// to at most `max_event_times` of them.
    pub times: Option<Vec<f64>>,
    /// With `times = None`: when there are more distinct event times than this, every
    /// k-th one (and the last) is used, so that the cost stays linear in the cohort
    /// (default 1000).
    pub max_event_times: usize,
}

impl Default for AdjustedOptions {
    fn default() -> Self {
        AdjustedOptions {
            conf_type: ConfType::Log,
            conf_level: 0.95,
            times: None,
            max_event_times: 1000,
        }
    }
}

/// A predicted survival curve averaged over a set of covariate rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardizedCurve {
    /// Evaluation times.
    pub time: Vec<f64>,
    /// Number at risk in the model data at each time (at the first observed time ≥ t).
    pub n_risk: Vec<f64>,
    /// Number of events in the model data at each time (0 between event times).
    pub n_event: Vec<f64>,
    /// Averaged survival.
    pub surv: Vec<f64>,
    /// Delta-method standard error of `surv`.
    pub std_err: Vec<f64>,
    /// Lower confidence limit.
    pub lower: Vec<Option<f64>>,
    /// Upper confidence limit.
    pub upper: Vec<Option<f64>>,
}

/// How the group enters the design matrix: the columns that code it, and per level
/// the values those columns take (e.g. treatment coding of 3 levels in columns 0, 1:
/// `levels = [[0, 0], [1, 0], [0, 1]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDesign {
    /// Column indices (0-based) of the group's coding.
    pub columns: Vec<usize>,
    /// Values of those columns for each level.
    pub levels: Vec<Vec<f64>>,
}

/// Adjusted curves, one per level of the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdjustedSurvival {
    /// Tie handling of the baseline hazard (that of the fit).
    pub ties: Ties,
    /// Number of cohort rows averaged over.
    pub n_cohort: usize,
    /// One curve per level, in level order.
    pub curves: Vec<StandardizedCurve>,
}

/// Baseline quantities at the distinct times of the model data (ascending).
struct Baseline {
    time: Vec<f64>,
    n_risk: Vec<f64>,
    n_event: Vec<f64>,
    /// Cumulative H0, V0 and Q (p per time, row-major) at each distinct time.
    h0: Vec<f64>,
    v0: Vec<f64>,
    q: Vec<f64>,
}

fn baseline(data: &CoxData, beta: &[f64], means: &[f64], ties: Ties) -> Baseline {
    let n = data.stop.len();
    let p = data.p;
    let z = |i: usize, j: usize| data.x[j * n + i] - means[j];
    let r: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| z(i, j) * beta[j]).sum::<f64>().exp())
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| data.stop[b].total_cmp(&data.stop[a]));
    let mut s0 = 0.0;
    let mut s1 = vec![0.0; p];
    let mut at_risk = 0.0;
    // Collected descending, reversed at the end.
    let (mut time, mut n_risk, mut n_event) = (Vec::new(), Vec::new(), Vec::new());
    let (mut dh, mut dv, mut dq) = (Vec::new(), Vec::new(), Vec::new());
    let mut i = 0;
    while i < n {
        let t = data.stop[order[i]];
        let mut d0 = 0.0;
        let mut d1 = vec![0.0; p];
        let mut d = 0usize;
        while i < n && data.stop[order[i]] == t {
            let k = order[i];
            s0 += r[k];
            at_risk += 1.0;
            for j in 0..p {
                s1[j] += r[k] * z(k, j);
            }
            if data.status[k] {
                d += 1;
                d0 += r[k];
                for j in 0..p {
                    d1[j] += r[k] * z(k, j);
                }
            }
            i += 1;
        }
        let (mut h, mut v, mut qv) = (0.0, 0.0, vec![0.0; p]);
        if d > 0 {
            match ties {
                Ties::Breslow => {
                    let df = d as f64;
                    h = df / s0;
                    v = df / (s0 * s0);
                    for j in 0..p {
                        qv[j] = df * s1[j] / (s0 * s0);
                    }
                }
                Ties::Efron => {
                    for k in 0..d {
                        let f = k as f64 / d as f64;
                        let a = 1.0 / (s0 - f * d0);
                        h += a;
                        v += a * a;
                        for j in 0..p {
                            qv[j] += (s1[j] - f * d1[j]) * a * a;
                        }
                    }
                }
            }
        }
        time.push(t);
        n_risk.push(at_risk);
        n_event.push(d as f64);
        dh.push(h);
        dv.push(v);
        dq.push(qv);
    }
    time.reverse();
    n_risk.reverse();
    n_event.reverse();
    dh.reverse();
    dv.reverse();
    dq.reverse();
    let m = time.len();
    let (mut h0, mut v0, mut q) = (
        Vec::with_capacity(m),
        Vec::with_capacity(m),
        Vec::with_capacity(m * p),
    );
    let (mut ch, mut cv, mut cq) = (0.0, 0.0, vec![0.0; p]);
    for j in 0..m {
        ch += dh[j];
        cv += dv[j];
        for l in 0..p {
            cq[l] += dq[j][l];
        }
        h0.push(ch);
        v0.push(cv);
        q.extend_from_slice(&cq);
    }
    Baseline {
        time,
        n_risk,
        n_event,
        h0,
        v0,
        q,
    }
}

fn check_data(data: &CoxData, fit: &CoxFit) -> Result<(), Error> {
    if data.start.is_some() || data.strata.is_some() || data.weights.is_some() {
        return Err(Error::InvalidOption(
            "adjusted curves are implemented for right-censored data without strata or weights"
                .into(),
        ));
    }
    let n = data.stop.len();
    if data.status.len() != n || data.x.len() != n * data.p {
        return Err(Error::LengthMismatch {
            what: "status and x (against stop)".into(),
            expected: n,
            found: data.status.len(),
        });
    }
    if fit.coef.len() != data.p || fit.n != n {
        return Err(Error::InvalidOption(format!(
            "the fit ({} rows, {} coefficients) is not a fit of these data ({n} rows, {} columns)",
            fit.n,
            fit.coef.len(),
            data.p
        )));
    }
    Ok(())
}

/// Survival predicted by the Cox `fit` of `data`, averaged over the `m` rows of
/// `newdata` (column-major m×p, the same columns as `data.x`); m = 1 gives R's
/// `survfit(fit, newdata)` for that row. See the module's *Formula*.
///
/// # Errors
///
/// [`Error::InvalidOption`] for counting-process, stratified or weighted data, a fit
/// of other data, a bad confidence level or non-finite times; [`Error::LengthMismatch`]
/// when `newdata` is not m×p; [`Error::NoData`] when `m = 0`.
pub fn standardized_survival(
    data: &CoxData,
    fit: &CoxFit,
    newdata: &[f64],
    m: usize,
    opts: &AdjustedOptions,
) -> Result<StandardizedCurve, Error> {
    check_data(data, fit)?;
    let p = data.p;
    let n = data.stop.len();
    if newdata.len() != m * p {
        return Err(Error::LengthMismatch {
            what: "newdata (m × p)".into(),
            expected: m * p,
            found: newdata.len(),
        });
    }
    if m == 0 {
        return Err(Error::NoData(
            "no rows to average the predicted curves over".into(),
        ));
    }
    if let Some(k) = newdata.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidValue {
            what: format!("newdata column {}", k / m + 1),
            index: k % m,
            reason: "not a finite number".into(),
        });
    }
    let z = z_for_level(opts.conf_level)?;
    // Aliased (NaN) coefficients are left out, as R drops them.
    let beta: Vec<f64> = fit
        .coef
        .iter()
        .map(|&b| if b.is_finite() { b } else { 0.0 })
        .collect();
    let means: Vec<f64> = (0..p)
        .map(|j| data.x[j * n..(j + 1) * n].iter().sum::<f64>() / n as f64)
        .collect();
    let base = baseline(data, &beta, &means, fit.ties);
    let times: Vec<f64> = match &opts.times {
        Some(t) => {
            if let Some(bad) = t.iter().find(|v| !v.is_finite()) {
                return Err(Error::InvalidOption(format!(
                    "times must be finite, found {bad}"
                )));
            }
            t.clone()
        }
        None => {
            let all: Vec<f64> = base
                .time
                .iter()
                .zip(&base.n_event)
                .filter(|(_, &d)| d > 0.0)
                .map(|(&t, _)| t)
                .collect();
            let cap = opts.max_event_times.max(2);
            if all.len() <= cap {
                all
            } else {
                let step = all.len().div_ceil(cap - 1);
                let mut thin: Vec<f64> = all.iter().step_by(step).copied().collect();
                if thin.last() != all.last() {
                    thin.extend(all.last());
                }
                thin
            }
        }
    };
    let zrow: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..p).map(|j| newdata[j * m + i] - means[j]).collect())
        .collect();
    let w: Vec<f64> = zrow
        .iter()
        .map(|zi| zi.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>().exp())
        .collect();
    let var = &fit.var;
    let usable: Vec<usize> = (0..p).filter(|&j| fit.coef[j].is_finite()).collect();
    let mut out = StandardizedCurve {
        time: times.clone(),
        n_risk: Vec::with_capacity(times.len()),
        n_event: Vec::with_capacity(times.len()),
        surv: Vec::with_capacity(times.len()),
        std_err: Vec::with_capacity(times.len()),
        lower: Vec::with_capacity(times.len()),
        upper: Vec::with_capacity(times.len()),
    };
    let mf = m as f64;
    for &t in &times {
        let after = base.time.partition_point(|&x| x <= t);
        let first_ge = base.time.partition_point(|&x| x < t);
        out.n_risk
            .push(base.n_risk.get(first_ge).copied().unwrap_or(0.0));
        out.n_event.push(match base.time.get(first_ge) {
            Some(&x) if x == t => base.n_event[first_ge],
            _ => 0.0,
        });
        let (h0, v0, q) = if after == 0 {
            (0.0, 0.0, vec![0.0; p])
        } else {
            let j = after - 1;
            (base.h0[j], base.v0[j], base.q[j * p..(j + 1) * p].to_vec())
        };
        let mut sbar = 0.0;
        let mut a = 0.0;
        let mut b = vec![0.0; p];
        for (zi, &wi) in zrow.iter().zip(&w) {
            let si = (-h0 * wi).exp();
            sbar += si;
            a += si * wi;
            for j in 0..p {
                b[j] += si * wi * zi[j];
            }
        }
        sbar /= mf;
        a /= mf;
        let g: Vec<f64> = (0..p).map(|j| -(b[j] / mf * h0 - a * q[j])).collect();
        let mut gvg = 0.0;
        for &j in &usable {
            for &l in &usable {
                gvg += g[j] * var[j][l] * g[l];
            }
        }
        let v = a * a * v0 + gvg;
        out.surv.push(sbar);
        out.std_err.push(v.max(0.0).sqrt());
        let (lo, up) = if sbar > 0.0 {
            conf_limits(sbar, v / (sbar * sbar), z, opts.conf_type)
        } else {
            (None, None)
        };
        out.lower.push(lo);
        out.upper.push(up);
    }
    Ok(out)
}

/// Adjusted survival curves by direct standardisation over the model's own rows: for
/// each level of `group`, its columns are set to the level's values for every row and
/// the predicted curves averaged ([`standardized_survival`]).
///
/// The model must not contain interactions of the group with other columns (their
/// values would not be reset); build `newdata` yourself and call
/// [`standardized_survival`] for such models.
///
/// # Errors
///
/// As [`standardized_survival`]; [`Error::InvalidOption`] when a group column is out of
/// range or a level has the wrong number of values.
pub fn adjusted_survival(
    data: &CoxData,
    fit: &CoxFit,
    group: &GroupDesign,
    opts: &AdjustedOptions,
) -> Result<AdjustedSurvival, Error> {
    check_data(data, fit)?;
    let n = data.stop.len();
    for &c in &group.columns {
        if c >= data.p {
            return Err(Error::InvalidOption(format!(
                "group column {c} is not below the number of columns {}",
                data.p
            )));
        }
    }
    let mut curves = Vec::with_capacity(group.levels.len());
    for (l, values) in group.levels.iter().enumerate() {
        if values.len() != group.columns.len() {
            return Err(Error::InvalidOption(format!(
                "level {l} has {} values for {} group columns",
                values.len(),
                group.columns.len()
            )));
        }
        let mut x = data.x.to_vec();
        for (&c, &v) in group.columns.iter().zip(values) {
            x[c * n..(c + 1) * n].iter_mut().for_each(|e| *e = v);
        }
        curves.push(standardized_survival(data, fit, &x, n, opts)?);
    }
    Ok(AdjustedSurvival {
        ties: fit.ties,
        n_cohort: n,
        curves,
    })
}
