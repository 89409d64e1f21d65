//! Aalen–Johansen cumulative incidence with three variance conventions.
//!
//! At the distinct exit times `t_j` with (weighted) `n_j` at risk, `d_kj` events of
//! cause k and `d_j = Σ_k d_kj`, with hazard increments `λ_kj = d_kj/n_j`:
//!
//! `S(t_j) = S(t_{j−1})(1 − d_j/n_j)`, `F_k(t_j) = F_k(t_{j−1}) + S(t_{j−1}) λ_kj`
//!
//! (Aalen & Johansen 1978 for the competing-risks chain; `S` is the Kaplan–Meier
//! estimate of the all-cause endpoint and `S + Σ_k F_k = 1`). A row is at risk on
//! `(entry, time]`; events are counted before censorings at the same time.
//!
//! # Variances
//!
//! All three start from the derivative of `F_k(t)` with respect to the increments,
//! `∂F_k(t)/∂λ_cj = S(t_{j−1}) [1{c = k} − (F_k(t) − F_k(t_j))/S(t_j)]`.
//!
//! - **Infinitesimal jackknife** (R `survfit`'s `std.err` for multi-state curves):
//!   `Var = Σ_i (w_i U_i(t))²` with `U_i = ∂F_k(t)/∂w_i` the influence of row i
//!   (Efron 1982, §6). Writing `U_i(t) = P_i(t) − F_k(t) Q_i(t)` with `P_i`, `Q_i` sums
//!   over `t_j ≤ t` whose terms do not depend on t, the three sums `Σ w²P²`, `Σ w²PQ`,
//!   `Σ w²Q²` are carried through one sweep: every row still at risk gets the same
//!   increment at `t_j`, only the rows with an event at `t_j` are visited, so the cost
//!   is O(n K) after the sort (nothing quadratic). Event-free probability:
//!   `Var S(t) = S(t)² Σ_i w_i² Q_i(t)²`.
//! - **Delta method** (Marubini & Valsecchi 1995; SAS `PROC LIFETEST eventcode=`,
//!   Stata `stcompet`), multinomial increments at each time:
//!   `Var F_k(t) = Σ_{t_j ≤ t} { [F_k(t) − F_k(t_j)]² d_j/(n_j(n_j − d_j))
//!   + S(t_{j−1})² d_kj(n_j − d_kj)/n_j³ − 2[F_k(t) − F_k(t_j)] S(t_{j−1}) d_kj/n_j² }`;
//!   `Var S` is Greenwood's.
//! - **Aalen-type** variance, as `var` of R `cmprsk::cuminc` (Aalen 1978; Pintilie
//!   2006, §4.2.3): the same gradient with `X_j = S(t_{j−1})(F_k(t) − F_k(t_j))/S(t_j)`,
//!   cause k and the other causes pooled, each with its own binomial variance and no
//!   covariance between them:
//!   `Var F_k(t) = Σ_{t_j ≤ t} { [S(t_{j−1}) − X_j]² b(d_kj) + X_j² b(d'_j) } / n_j²`
//!   with `d'_j = d_j − d_kj` and `b(d) = d(n_j − d)/(n_j − 1)` (`b(d) = d` when
//!   `n_j = 1`, as cmprsk).
//!   (cmprsk gives no variance for `S`; here `S(t)² Σ d_j/((n_j − 1)(n_j − d_j))`.)
//!
//! The delta and counting-process sums are quadratic in `F_k(t)` and are kept as
//! running sums of their coefficients (O(K) per time).
//!
//! # Confidence intervals
//!
//! Pointwise, on the probability `p` (CIF or event-free) with standard error `se`:
//! `log` (R `survfit`'s default for multi-state curves) `p·exp(±z·se/p)`, upper limit
//! capped at 1; `log-log` (SAS, Stata) `p^{exp(∓z·se/(p·|log p|)))}`; `plain`
//! `p ± z·se` clipped to [0, 1]. Undefined (None) where `p = 0` (and `p = 1` for
//! log-log).

// The sweep indexes several per-cause arrays in step; index loops read clearer here.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

use super::{event_count_warnings, CompetingData, CompetingWarning};
use crate::km::{quantile_of_curve, z_for_level, ConfType, QuantileRule};
use crate::Error;

/// How the standard error of a cumulative incidence is computed.
///
/// # Formula
/// With `∂F_k(t)/∂λ_cj = S(t_{j−1})[1{c = k} − (F_k(t) − F_k(t_j))/S(t_j)]`:
/// - infinitesimal jackknife: `Var = Σ_i (w_i ∂F_k(t)/∂w_i)²` (R `survfit`);
/// - delta method: `Σ_{t_j ≤ t} {[F_k(t) − F_k(t_j)]² d_j/(n_j(n_j − d_j))
///   + S(t_{j−1})² d_kj(n_j − d_kj)/n_j³ − 2[F_k(t) − F_k(t_j)] S(t_{j−1}) d_kj/n_j²}`;
/// - Aalen-type (cmprsk): `Σ_{t_j ≤ t} {[S(t_{j−1}) − X_j]² b(d_kj) + X_j² b(d_j − d_kj)}/n_j²`
///   with `X_j = S(t_{j−1})(F_k(t) − F_k(t_j))/S(t_j)`, `b(d) = d(n_j − d)/(n_j − 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CifVariance {
    /// Infinitesimal jackknife: R `survfit(Surv(time, factor(cause)) ~ ...)`'s `std.err`.
    #[default]
    InfinitesimalJackknife,
    /// Delta method with multinomial increments (SAS `PROC LIFETEST eventcode=`, Stata
    /// `stcompet`); pair with the `log-log` interval to follow those programs.
    Delta,
    /// Counting-process (Aalen-type) variance, as `var` of R `cmprsk::cuminc`.
    Aalen,
}

impl CifVariance {
    /// The option's name: "infinitesimal-jackknife", "delta" or "aalen".
    pub fn name(self) -> &'static str {
        match self {
            CifVariance::InfinitesimalJackknife => "infinitesimal-jackknife",
            CifVariance::Delta => "delta",
            CifVariance::Aalen => "aalen",
        }
    }
}

/// Options of [`aalen_johansen`]; defaults reproduce R `survfit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CifOptions {
    /// Variance convention (default: infinitesimal jackknife, as R `survfit`).
    pub variance: CifVariance,
    /// Transform of the pointwise interval (default `log`, as R `survfit`).
    pub conf_type: ConfType,
    /// Confidence level in (0, 1) (default 0.95).
    pub conf_level: f64,
    /// Times at which to report each CIF (default none).
    pub times: Vec<f64>,
    /// Levels in (0, 1) at which to report the time a CIF reaches them (default none).
    pub levels: Vec<f64>,
    /// Upper limit of the restricted mean time lost; `None` = the last observed time.
    pub rmtl_tau: Option<f64>,
}

impl Default for CifOptions {
    fn default() -> Self {
        CifOptions {
            variance: CifVariance::InfinitesimalJackknife,
            conf_type: ConfType::Log,
            conf_level: 0.95,
            times: Vec::new(),
            levels: Vec::new(),
            rmtl_tau: None,
        }
    }
}

impl CifOptions {
    /// Checks every option's range.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the offending option.
    pub fn validate(&self) -> Result<(), Error> {
        z_for_level(self.conf_level)?;
        if let Some(t) = self.times.iter().find(|t| !t.is_finite()) {
            return Err(Error::InvalidOption(format!(
                "times must be finite numbers, found {t}"
            )));
        }
        if let Some(p) = self.levels.iter().find(|&&p| !(p > 0.0 && p < 1.0)) {
            return Err(Error::InvalidOption(format!(
                "levels must be between 0 and 1 (exclusive), found {p}"
            )));
        }
        if let Some(tau) = self.rmtl_tau {
            if !(tau.is_finite() && tau > 0.0) {
                return Err(Error::InvalidOption(format!(
                    "rmtl_tau must be a positive number, found {tau}"
                )));
            }
        }
        Ok(())
    }
}

/// A cumulative incidence at one chosen time (R `summary(fit, times = )`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CifAtTime {
    /// The requested time.
    pub time: f64,
    /// Number at risk at the first observed time ≥ `time` (0 beyond the last one).
    pub n_risk: f64,
    /// `F_k(time)`; `None` beyond the last observed time.
    pub cif: Option<f64>,
    /// Its standard error.
    pub std_err: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// The time at which a cumulative incidence reaches `level`, with limits from the
/// pointwise band (the earliest time the upper band reaches it, the earliest the lower
/// band does); `None` where not reached. On a flat stretch at exactly `level`, the
/// midpoint of the stretch (as R's quantile rule for survival curves).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CifQuantile {
    /// The level in (0, 1).
    pub level: f64,
    /// Point estimate.
    pub estimate: Option<f64>,
    /// Lower confidence limit (where the upper band reaches the level).
    pub lower: Option<f64>,
    /// Upper confidence limit (where the lower band reaches the level).
    pub upper: Option<f64>,
}

/// Restricted mean time lost to a cause: `∫₀^τ F_k(u) du` (Andersen 2013); over the
/// causes these add up with the restricted mean event-free time to τ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rmtl {
    /// Upper limit of integration.
    pub tau: f64,
    /// Restricted mean time lost to this cause.
    pub estimate: f64,
}

/// One cause's curve within a group, on the group's time grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseCurve {
    /// Cause code (1-based).
    pub cause: u32,
    /// Number of rows with an event of this cause (unweighted).
    pub events: usize,
    /// Number of events of this cause at each time (rows, unweighted as R reports them).
    pub n_event: Vec<f64>,
    /// Cumulative incidence `F_k(t)`.
    pub cif: Vec<f64>,
    /// Its standard error (see [`CifVariance`]).
    pub std_err: Vec<f64>,
    /// Lower pointwise confidence limit; `None` where undefined.
    pub lower: Vec<Option<f64>>,
    /// Upper pointwise confidence limit; `None` where undefined.
    pub upper: Vec<Option<f64>>,
    /// The CIF at the requested times.
    pub at_times: Vec<CifAtTime>,
    /// The times the CIF reaches the requested levels.
    pub quantiles: Vec<CifQuantile>,
    /// Restricted mean time lost to this cause.
    pub rmtl: Option<Rmtl>,
}

/// All curves of one group: the event-free probability and one CIF per cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCurves {
    /// Group index (0 without a group column).
    pub group: usize,
    /// Number of rows.
    pub n: usize,
    /// Distinct exit times (events and censorings), ascending.
    pub time: Vec<f64>,
    /// Number at risk just before each time (rows, unweighted as R's multi-state
    /// `survfit` reports them; the estimates use the weights).
    pub n_risk: Vec<f64>,
    /// Number of events of any cause at each time (rows, unweighted).
    pub n_event: Vec<f64>,
    /// Number of censorings at each time (rows, unweighted).
    pub n_censor: Vec<f64>,
    /// Event-free probability `S(t) = 1 − Σ_k F_k(t)` (all-cause Kaplan–Meier).
    pub surv: Vec<f64>,
    /// Standard error of `S(t)`, same convention as the CIFs.
    pub surv_std_err: Vec<f64>,
    /// Lower confidence limit of `S(t)`.
    pub surv_lower: Vec<Option<f64>>,
    /// Upper confidence limit of `S(t)`.
    pub surv_upper: Vec<Option<f64>>,
    /// One curve per cause, cause 1 first.
    pub causes: Vec<CauseCurve>,
}

/// Result of [`aalen_johansen`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CifFit {
    /// Number of causes K.
    pub n_causes: usize,
    /// Variance convention used.
    pub variance: CifVariance,
    /// Interval transform used.
    pub conf_type: ConfType,
    /// Confidence level used.
    pub conf_level: f64,
    /// Curves per group, in group order (groups without rows are left out).
    pub groups: Vec<GroupCurves>,
    /// Few events, a group without events of a cause, empty groups.
    pub warnings: Vec<CompetingWarning>,
}

/// Aalen–Johansen cumulative incidence of every cause in every group, with standard
/// errors, pointwise intervals, values at chosen times, level-crossing times and
/// restricted mean time lost.
///
/// # Formula
/// See the [module documentation](crate::competing) and `docs/competing.md`:
/// `F_k(t_j) = F_k(t_{j−1}) + S(t_{j−1}) d_kj/n_j`, the variances and intervals as
/// named by [`CifVariance`] and [`ConfType`].
///
/// # Errors
/// Invalid data (see [`CompetingData::validate`]) or options.
///
/// # Examples
/// ```
/// use survkit_core::competing::{aalen_johansen, CifOptions, CompetingData};
/// let time = [1.0, 2.0, 3.0, 4.0];
/// let cause = [1, 2, 0, 1];
/// let fit = aalen_johansen(&CompetingData::new(&time, &cause, 2), &CifOptions::default())
///     .unwrap();
/// let g = &fit.groups[0];
/// assert!((g.causes[0].cif[3] - 0.75).abs() < 1e-15);
/// assert!((g.causes[1].cif[3] - 0.25).abs() < 1e-15);
/// assert_eq!(g.surv[3], 0.0);
/// ```
pub fn aalen_johansen(data: &CompetingData, opts: &CifOptions) -> Result<CifFit, Error> {
    data.validate()?;
    opts.validate()?;
    let z = z_for_level(opts.conf_level)?;
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); data.groups()];
    for i in 0..data.time.len() {
        by_group[data.group_of(i)].push(i);
    }
    let mut groups = Vec::new();
    for (g, idx) in by_group.iter().enumerate() {
        if idx.is_empty() {
            continue;
        }
        let raw = sweep_group(data, idx, opts.variance);
        groups.push(finish_group(g, idx, data, raw, opts, z));
    }
    Ok(CifFit {
        n_causes: data.n_causes,
        variance: opts.variance,
        conf_type: opts.conf_type,
        conf_level: opts.conf_level,
        groups,
        warnings: event_count_warnings(data),
    })
}

/// One group's curves before intervals and summaries.
struct Raw {
    time: Vec<f64>,
    n_risk: Vec<f64>,
    n_event: Vec<f64>,
    n_censor: Vec<f64>,
    surv: Vec<f64>,
    surv_var: Vec<f64>,
    /// `[cause][j]`
    n_event_k: Vec<Vec<f64>>,
    cif: Vec<Vec<f64>>,
    var: Vec<Vec<f64>>,
}

/// A row of one group in exit-time order.
#[derive(Clone, Copy)]
struct Row {
    time: f64,
    cause: u32,
    w: f64,
}

/// Backward cumulative sums: `out[i] = Σ_{i' ≥ i} x[i']`, with `out[n] = 0`.
fn suffix_sums(x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len() + 1];
    for i in (0..x.len()).rev() {
        out[i] = out[i + 1] + x[i];
    }
    out
}

/// Sort once, sweep once over one group's rows.
fn sweep_group(data: &CompetingData, idx: &[usize], variance: CifVariance) -> Raw {
    let k = data.n_causes;
    let weight = |i: usize| data.weights.map_or(1.0, |w| w[i]);
    let mut order: Vec<(f64, usize)> = idx.iter().map(|&i| (data.time[i], i)).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let rows: Vec<Row> = order
        .iter()
        .map(|&(t, i)| Row {
            time: t,
            cause: data.cause[i],
            w: weight(i),
        })
        .collect();
    let n = rows.len();
    // Entries (delayed entry), sorted, each pointing at its row's exit-order position.
    let entries: Option<Vec<(f64, usize)>> = data.entry.map(|e| {
        let mut v: Vec<(f64, usize)> = order
            .iter()
            .enumerate()
            .map(|(pos, &(_, i))| (e[i], pos))
            .collect();
        v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        v
    });
    let w_of = |it: &mut dyn Iterator<Item = f64>| it.collect::<Vec<f64>>();
    let n_entered_after = |ptr: usize| entries.as_ref().map_or(0, |en| en.len() - ptr);
    let exit_w = suffix_sums(&w_of(&mut rows.iter().map(|r| r.w)));
    let exit_v = suffix_sums(&w_of(&mut rows.iter().map(|r| r.w * r.w)));
    let (entry_w, entry_v) = match &entries {
        Some(en) => (
            suffix_sums(&w_of(&mut en.iter().map(|&(_, p)| rows[p].w))),
            suffix_sums(&w_of(&mut en.iter().map(|&(_, p)| rows[p].w * rows[p].w))),
        ),
        None => (vec![0.0], vec![0.0]),
    };
    let ij = variance == CifVariance::InfinitesimalJackknife;
    let delayed = entries.is_some();

    let mut raw = Raw {
        time: Vec::new(),
        n_risk: Vec::new(),
        n_event: Vec::new(),
        n_censor: Vec::new(),
        surv: Vec::new(),
        surv_var: Vec::new(),
        n_event_k: vec![Vec::new(); k],
        cif: vec![Vec::new(); k],
        var: vec![Vec::new(); k],
    };

    let mut s = 1.0_f64;
    let mut f = vec![0.0_f64; k];
    let mut d_k = vec![0.0_f64; k];
    let mut count_k = vec![0.0_f64; k];
    // Infinitesimal jackknife state.
    let mut e_cum = vec![0.0_f64; k];
    let mut q_cum = 0.0_f64;
    let mut ser = vec![0.0_f64; k];
    let mut seq = 0.0_f64;
    let mut spp = vec![0.0_f64; k];
    let mut spq = vec![0.0_f64; k];
    let mut sqq = 0.0_f64;
    // Sums of the absolute values of every term added to spp, spq, sqq: the scale of
    // their rounding error.
    let mut mpp = vec![0.0_f64; k];
    let mut mpq = vec![0.0_f64; k];
    let mut mqq = 0.0_f64;
    let mut snap = if ij && delayed {
        vec![0.0_f64; n * k]
    } else {
        Vec::new()
    };
    let mut snapq = if ij && delayed {
        vec![0.0_f64; n]
    } else {
        Vec::new()
    };
    // Delta / counting-process running sums.
    let mut sum_a = vec![0.0_f64; k];
    let mut sum_b = vec![0.0_f64; k];
    let mut sum_fb = vec![0.0_f64; k];
    let mut sum_ffb = vec![0.0_f64; k];
    let mut sum_c = vec![0.0_f64; k];
    let mut sum_fc = vec![0.0_f64; k];
    let mut sum_surv = 0.0_f64;

    let mut ptr = 0usize;
    let mut start = 0usize;
    while start < n {
        let t = rows[start].time;
        let mut end = start;
        while end < n && rows[end].time == t {
            end += 1;
        }
        // Admit the rows entering before t (at risk on (entry, time]).
        if let Some(en) = &entries {
            while ptr < en.len() && en[ptr].0 < t {
                let pos = en[ptr].1;
                if ij {
                    let v = rows[pos].w * rows[pos].w;
                    for c in 0..k {
                        snap[pos * k + c] = e_cum[c];
                        ser[c] += v * e_cum[c];
                    }
                    snapq[pos] = q_cum;
                    seq += v * q_cum;
                }
                ptr += 1;
            }
        }
        let n_risk = exit_w[start] - if delayed { entry_w[ptr] } else { 0.0 };
        let vr = exit_v[start] - if delayed { entry_v[ptr] } else { 0.0 };
        d_k.iter_mut().for_each(|x| *x = 0.0);
        count_k.iter_mut().for_each(|x| *x = 0.0);
        let mut cens = 0.0;
        for r in &rows[start..end] {
            if r.cause == 0 {
                cens += 1.0;
            } else {
                d_k[r.cause as usize - 1] += r.w;
                count_k[r.cause as usize - 1] += 1.0;
            }
        }
        let d: f64 = d_k.iter().sum();
        if d > 0.0 && n_risk > 0.0 {
            let lam = d / n_risk;
            // All at risk fail: S drops to exactly 0 (guards rounding in 1 − d/n).
            let s_new = if d >= n_risk * (1.0 - 1e-12) {
                0.0
            } else {
                s * (1.0 - lam)
            };
            let alive = s_new > 0.0;
            let f_new: Vec<f64> = (0..k).map(|c| f[c] + s * d_k[c] / n_risk).collect();
            if ij {
                let beta = if alive { 1.0 / (1.0 - lam) } else { 0.0 };
                let q = beta * lam / n_risk;
                let sq_r = -vr * q_cum + seq;
                for c in 0..k {
                    let rho = if alive { f_new[c] / s_new } else { 0.0 };
                    let e = s * (d_k[c] / n_risk + rho * lam) / n_risk;
                    let sp_r = -vr * e_cum[c] + ser[c];
                    let mut dpp = -2.0 * e * sp_r + e * e * vr;
                    let mut dpq = -q * sp_r - e * sq_r + e * q * vr;
                    let mut app = (2.0 * e * sp_r).abs() + e * e * vr;
                    let mut apq = (q * sp_r).abs() + (e * sq_r).abs() + e * q * vr;
                    for (off, r) in rows[start..end].iter().enumerate() {
                        if r.cause == 0 {
                            continue;
                        }
                        let pos = start + off;
                        let v = r.w * r.w;
                        let alpha = s * (f64::from(u8::from(r.cause as usize == c + 1)) + rho);
                        let (p_i, q_i) = if delayed {
                            (-(e_cum[c] - snap[pos * k + c]), -(q_cum - snapq[pos]))
                        } else {
                            (-e_cum[c], -q_cum)
                        };
                        let an = alpha / n_risk;
                        let bn = beta / n_risk;
                        dpp += v * (2.0 * p_i * an + an * an - 2.0 * e * an);
                        dpq += v * (p_i * bn + q_i * an + an * bn - an * q - e * bn);
                        app += v * ((2.0 * p_i * an).abs() + an * an + (2.0 * e * an).abs());
                        apq += v
                            * ((p_i * bn).abs()
                                + (q_i * an).abs()
                                + an * bn
                                + (an * q).abs()
                                + (e * bn).abs());
                    }
                    spp[c] += dpp;
                    spq[c] += dpq;
                    mpp[c] += app;
                    mpq[c] += apq;
                    e_cum[c] += e;
                }
                let mut dqq = -2.0 * q * sq_r + q * q * vr;
                let mut aqq = (2.0 * q * sq_r).abs() + q * q * vr;
                for (off, r) in rows[start..end].iter().enumerate() {
                    if r.cause == 0 {
                        continue;
                    }
                    let pos = start + off;
                    let v = r.w * r.w;
                    let q_i = if delayed {
                        -(q_cum - snapq[pos])
                    } else {
                        -q_cum
                    };
                    let bn = beta / n_risk;
                    dqq += v * (2.0 * q_i * bn + bn * bn - 2.0 * q * bn);
                    aqq += v * ((2.0 * q_i * bn).abs() + bn * bn + (2.0 * q * bn).abs());
                }
                sqq += dqq;
                mqq += aqq;
                q_cum += q;
            } else {
                // Coefficients of Var_j = A − 2(F(t) − F_j)·C + (F(t) − F_j)²·B.
                let nn = n_risk;
                let b_surv = match variance {
                    CifVariance::Delta if alive => d / (nn * (nn - d)),
                    CifVariance::Aalen if alive && nn > 1.0 => d / ((nn - 1.0) * (nn - d)),
                    _ => 0.0,
                };
                sum_surv += b_surv;
                for c in 0..k {
                    let dk = d_k[c];
                    let (a, b, cc) = match variance {
                        CifVariance::Delta => (
                            s * s * dk * (nn - dk) / (nn * nn * nn),
                            b_surv,
                            s * dk / (nn * nn),
                        ),
                        _ => {
                            // Binomial variance of a count, d(n − d)/(n − 1); d when
                            // n = 1 (as cmprsk, whose last row otherwise adds nothing).
                            let binom = |x: f64| {
                                if nn > 1.0 {
                                    x * (nn - x) / (nn - 1.0)
                                } else {
                                    x
                                }
                            };
                            let den = nn * nn;
                            let r = if alive { nn / (nn - d) } else { 0.0 };
                            let vk = binom(dk);
                            (
                                s * s * vk / den,
                                r * r * (vk + binom(d - dk)) / den,
                                s * r * vk / den,
                            )
                        }
                    };
                    sum_a[c] += a;
                    sum_fb[c] += f_new[c] * b;
                    sum_ffb[c] += f_new[c] * f_new[c] * b;
                    sum_b[c] += b;
                    sum_c[c] += cc;
                    sum_fc[c] += f_new[c] * cc;
                }
            }
            s = s_new;
            f = f_new;
        }
        // Rows leaving the risk set after t.
        if ij && delayed {
            for pos in start..end {
                let v = rows[pos].w * rows[pos].w;
                for c in 0..k {
                    ser[c] -= v * snap[pos * k + c];
                }
                seq -= v * snapq[pos];
            }
        }
        raw.time.push(t);
        raw.n_risk.push((n - start - n_entered_after(ptr)) as f64);
        raw.n_event.push(count_k.iter().sum());
        raw.n_censor.push(cens);
        raw.surv.push(s);
        for c in 0..k {
            raw.n_event_k[c].push(count_k[c]);
            raw.cif[c].push(f[c]);
            let fc = f[c];
            // A variance below the rounding noise of its (cancelling) terms is 0: e.g.
            // a CIF that reached 1, whose influences all cancel exactly.
            let (v, scale) = if ij {
                (
                    spp[c] - 2.0 * fc * spq[c] + fc * fc * sqq,
                    mpp[c] + 2.0 * fc.abs() * mpq[c] + fc * fc * mqq,
                )
            } else {
                let terms = [
                    sum_a[c],
                    fc * fc * sum_b[c],
                    -2.0 * fc * sum_fb[c],
                    sum_ffb[c],
                    -2.0 * fc * sum_c[c],
                    2.0 * sum_fc[c],
                ];
                (terms.iter().sum(), terms.iter().map(|x| x.abs()).sum())
            };
            raw.var[c].push(if v <= 64.0 * f64::EPSILON * scale {
                0.0
            } else {
                v
            });
        }
        let sv = if ij {
            if sqq <= 64.0 * f64::EPSILON * mqq {
                0.0
            } else {
                s * s * sqq
            }
        } else {
            s * s * sum_surv
        };
        raw.surv_var.push(sv.max(0.0));
        start = end;
    }
    raw
}

/// Pointwise limits for a probability `p` with standard error `se` (see module docs).
pub(crate) fn prob_limits(
    p: f64,
    se: f64,
    z: f64,
    conf_type: ConfType,
) -> (Option<f64>, Option<f64>) {
    if p.is_nan() || p <= 0.0 || !se.is_finite() {
        return (None, None);
    }
    match conf_type {
        ConfType::Log => {
            let h = z * se / p;
            (Some(p * (-h).exp()), Some((p * h.exp()).min(1.0)))
        }
        ConfType::LogLog => {
            if p >= 1.0 {
                return (None, None);
            }
            let h = z * se / (p * p.ln().abs());
            (Some(p.powf(h.exp())), Some(p.powf((-h).exp())))
        }
        ConfType::Plain => (Some((p - z * se).max(0.0)), Some((p + z * se).min(1.0))),
    }
}

fn finish_group(
    g: usize,
    idx: &[usize],
    data: &CompetingData,
    raw: Raw,
    opts: &CifOptions,
    z: f64,
) -> GroupCurves {
    let k = data.n_causes;
    let surv_std_err: Vec<f64> = raw.surv_var.iter().map(|v| v.sqrt()).collect();
    let (surv_lower, surv_upper): (Vec<_>, Vec<_>) = raw
        .surv
        .iter()
        .zip(&surv_std_err)
        .map(|(&p, &se)| prob_limits(p, se, z, opts.conf_type))
        .unzip();
    let mut events = vec![0usize; k];
    for &i in idx {
        let c = data.cause[i] as usize;
        if c > 0 {
            events[c - 1] += 1;
        }
    }
    let tau = opts
        .rmtl_tau
        .unwrap_or_else(|| raw.time.last().copied().unwrap_or(0.0));
    let mut causes = Vec::with_capacity(k);
    for c in 0..k {
        let cif = &raw.cif[c];
        let std_err: Vec<f64> = raw.var[c].iter().map(|v| v.sqrt()).collect();
        let (lower, upper): (Vec<_>, Vec<_>) = cif
            .iter()
            .zip(&std_err)
            .map(|(&p, &se)| prob_limits(p, se, z, opts.conf_type))
            .unzip();
        let at_times = opts
            .times
            .iter()
            .map(|&t| at_time(&raw, cif, &std_err, t, z, opts.conf_type))
            .collect();
        // Reaching level p is the survival-type curve 1 − F falling to 1 − p.
        let as_surv = |v: &[Option<f64>]| -> Vec<Option<f64>> {
            v.iter().map(|x| x.map(|y| 1.0 - y)).collect()
        };
        let est: Vec<Option<f64>> = cif.iter().map(|&x| Some(1.0 - x)).collect();
        let (lo_s, up_s) = (as_surv(&upper), as_surv(&lower));
        let quantiles = opts
            .levels
            .iter()
            .map(|&p| CifQuantile {
                level: p,
                estimate: quantile_of_curve(&raw.time, &est, p, QuantileRule::FirstCrossing),
                lower: quantile_of_curve(&raw.time, &lo_s, p, QuantileRule::FirstCrossing),
                upper: quantile_of_curve(&raw.time, &up_s, p, QuantileRule::FirstCrossing),
            })
            .collect();
        let rmtl = (tau > 0.0).then(|| Rmtl {
            tau,
            estimate: area_to(&raw.time, cif, tau),
        });
        causes.push(CauseCurve {
            cause: (c + 1) as u32,
            events: events[c],
            n_event: raw.n_event_k[c].clone(),
            cif: cif.clone(),
            std_err,
            lower,
            upper,
            at_times,
            quantiles,
            rmtl,
        });
    }
    GroupCurves {
        group: g,
        n: idx.len(),
        time: raw.time,
        n_risk: raw.n_risk,
        n_event: raw.n_event,
        n_censor: raw.n_censor,
        surv: raw.surv,
        surv_std_err,
        surv_lower,
        surv_upper,
        causes,
    }
}

/// `∫₀^τ F(u) du` for a right-continuous step function that is 0 before `times[0]`.
fn area_to(times: &[f64], values: &[f64], tau: f64) -> f64 {
    let mut area = 0.0;
    for j in 0..times.len() {
        if times[j] >= tau {
            break;
        }
        let next = times.get(j + 1).copied().unwrap_or(tau).min(tau);
        area += values[j] * (next - times[j]);
    }
    area
}

fn at_time(raw: &Raw, cif: &[f64], se: &[f64], t: f64, z: f64, conf_type: ConfType) -> CifAtTime {
    let after = raw.time.partition_point(|&x| x <= t);
    let first_ge = raw.time.partition_point(|&x| x < t);
    let n_risk = raw.n_risk.get(first_ge).copied().unwrap_or(0.0);
    if raw.time.last().is_none_or(|&last| t > last) {
        return CifAtTime {
            time: t,
            n_risk,
            cif: None,
            std_err: None,
            lower: None,
            upper: None,
        };
    }
    // Before the first observed time R reports F = 0 with limits 0 whatever the transform.
    let (p, s, (lower, upper)) = if after == 0 {
        (0.0, 0.0, (Some(0.0), Some(0.0)))
    } else {
        let (p, s) = (cif[after - 1], se[after - 1]);
        (p, s, prob_limits(p, s, z, conf_type))
    };
    CifAtTime {
        time: t,
        n_risk,
        cif: Some(p),
        std_err: Some(s),
        lower,
        upper,
    }
}
