//! Kaplan–Meier survival with Greenwood variance, Nelson–Aalen cumulative hazard,
//! quantiles with confidence limits, survival at chosen times and the restricted mean.
//!
//! Product-limit estimator of Kaplan & Meier (1958), Greenwood's (1926) variance, and
//! the conventions of Klein & Moeschberger (2003, §4.2–4.5). Defaults reproduce R
//! `survival`'s `survfit`, `summary.survfit`, `quantile.survfit` and
//! `print.survfit(rmean = )`. One sort, one sweep.
//!
//! Case weights ([`kaplan_meier_weighted`], R's `survfit(weights = )`): every count is a
//! sum of weights and the same formulas apply to the weighted counts; the variance is
//! Greenwood's on weighted counts, or, by R's default when a weight is not an integer,
//! the infinitesimal jackknife (robust) variance ([`KmVariance`]). Past the end of
//! follow-up, survival at a time is carried forward (R) or not estimable (SAS)
//! ([`BeyondFollowUp`]), and flagged either way.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::Error;

/// Transformation used for the pointwise confidence interval of S(t).
///
/// With `v(t) = Σ d/(n(n−d))` (Greenwood's sum) and `z` the normal quantile:
/// - `Log` (R's default): `S·exp(±z·√v)`, upper limit capped at 1;
/// - `LogLog` (SAS, Stata, Prism, lifelines):
///   `exp(−exp(log(−log S) ∓ z·√v/|log S|))`, undefined where S = 1 or S = 0;
/// - `Plain`: `S ± z·S·√v`, clipped to [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfType {
    /// Log transform, R's default.
    #[default]
    Log,
    /// Complementary log-log transform (SAS, Stata, Prism, lifelines).
    LogLog,
    /// No transform (linear, "plain").
    Plain,
}

impl ConfType {
    /// The option's name as written in a Spec: "log", "log-log" or "plain".
    pub fn name(self) -> &'static str {
        match self {
            ConfType::Log => "log",
            ConfType::LogLog => "log-log",
            ConfType::Plain => "plain",
        }
    }
}

/// Options of [`kaplan_meier`]. Deserialises with R's defaults for missing fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KmOptions {
    /// Confidence-interval transform (default `log`, as R).
    pub conf_type: ConfType,
    /// Confidence level in (0, 1) (default 0.95).
    pub conf_level: f64,
    /// Probabilities of the quantiles to report, each in (0, 1) (default 0.25, 0.5, 0.75).
    pub quantiles: Vec<f64>,
    /// Times at which to report survival (default none).
    pub times: Vec<f64>,
    /// Upper limit of the restricted mean; `None` = the last observed time (R's default).
    pub rmst_tau: Option<f64>,
    /// Survival at a requested time after the last observed time (default: carry the
    /// last value, as R).
    pub beyond_follow_up: BeyondFollowUp,
    /// Variance of S(t) and H(t) (default: R's rule, see [`KmVariance::Auto`]).
    pub variance: KmVariance,
}

/// Variance of the Kaplan–Meier and Nelson–Aalen estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KmVariance {
    /// R `survfit`'s default (survival 3.5-3): robust when some case weight is not an
    /// integer, Greenwood otherwise.
    #[default]
    Auto,
    /// Greenwood for S(t) and `Σ d/n²` for H(t), on (weighted) counts.
    Greenwood,
    /// Infinitesimal jackknife (R's `robust = TRUE`), each row its own cluster.
    Robust,
}

impl Default for KmOptions {
    fn default() -> Self {
        KmOptions {
            conf_type: ConfType::Log,
            conf_level: 0.95,
            quantiles: vec![0.25, 0.5, 0.75],
            times: Vec::new(),
            rmst_tau: None,
            beyond_follow_up: BeyondFollowUp::Carry,
            variance: KmVariance::Auto,
        }
    }
}

impl KmOptions {
    /// Checks every option's range.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the offending option.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(Error::InvalidOption(format!(
                "conf_level must be between 0 and 1 (exclusive), found {}",
                self.conf_level
            )));
        }
        for &p in &self.quantiles {
            if !(p > 0.0 && p < 1.0) {
                return Err(Error::InvalidOption(format!(
                    "quantile probabilities must be between 0 and 1 (exclusive), found {p}"
                )));
            }
        }
        for &t in &self.times {
            if !t.is_finite() {
                return Err(Error::InvalidOption(format!(
                    "times must be finite numbers, found {t}"
                )));
            }
        }
        if let Some(tau) = self.rmst_tau {
            if !(tau.is_finite() && tau > 0.0) {
                return Err(Error::InvalidOption(format!(
                    "rmst_tau must be a positive number, found {tau}"
                )));
            }
        }
        Ok(())
    }
}

/// Median survival with confidence limits; `None` where not reached / not estimable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Median {
    /// Point estimate.
    pub estimate: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// The time by which a fraction `p` of patients has had the event.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    /// Probability (0.5 = median): the time where S(t) falls to 1 − p.
    pub p: f64,
    /// Point estimate, `None` if not reached.
    pub estimate: Option<f64>,
    /// Lower confidence limit, `None` if not estimable.
    pub lower: Option<f64>,
    /// Upper confidence limit, `None` if not reached.
    pub upper: Option<f64>,
}

/// Survival at one user-chosen time, as R's `summary(fit, times = )`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AtTime {
    /// The requested time.
    pub time: f64,
    /// Number at risk at the first observed time ≥ `time` (0 beyond the last one).
    pub n_risk: f64,
    /// S(time). Beyond the last observed time: 0 if the curve has reached 0; otherwise
    /// the last value ([`BeyondFollowUp::Carry`], R's `summary(fit, times, extend =
    /// TRUE)`) or `None` ([`BeyondFollowUp::NotEstimable`], SAS).
    pub surv: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// `true` when `time` is after the last observed time (follow-up has ended): the
    /// value, if any, is by the [`BeyondFollowUp`] convention, not an observation.
    #[serde(default, skip_serializing_if = "is_false")]
    pub beyond_follow_up: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Survival asked for at a time after the last observed time, while the curve is above
/// 0 (a curve that reached 0 stays 0 under both conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BeyondFollowUp {
    /// Carry the last value forward (R's `summary(fit, times = , extend = TRUE)`), marked
    /// as beyond follow-up. R's default.
    #[default]
    Carry,
    /// Not estimable (SAS `PROC LIFETEST` reports a missing value).
    NotEstimable,
}

impl BeyondFollowUp {
    /// The option's name as written in a Spec: "carry" or "not-estimable".
    pub fn name(self) -> &'static str {
        match self {
            BeyondFollowUp::Carry => "carry",
            BeyondFollowUp::NotEstimable => "not-estimable",
        }
    }
}

/// Restricted mean survival time: the area under S(t) from 0 to `tau`.
///
/// # Formula
/// `RMST = ∫₀^τ S(u) du`, `Var = Σ_{t_j ≤ τ} A_j² d_j / (n_j (n_j − d_j))` with
/// `A_j = ∫_{t_j}^τ S(u) du` (Klein & Moeschberger 2003, §4.5; Royston & Parmar 2013).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rmst {
    /// Upper limit of integration.
    pub tau: f64,
    /// Restricted mean.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
}

/// A fitted Kaplan–Meier curve. Arrays have one entry per distinct observed time
/// (events and censorings, as R's `survfit` lists them; with delayed entry, the
/// distinct exit times).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmFit {
    /// Number of rows (patients, or intervals with delayed entry).
    pub n: usize,
    /// Number of rows with an event (a count of rows, also with case weights; the
    /// weighted number is `Σ n_event`).
    pub events: usize,
    /// Whether case weights were used: then `n_risk`, `n_event`, `n_censor` are sums of
    /// weights and every estimate is weighted (see [`kaplan_meier_weighted`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub weighted: bool,
    /// Whether `std_err`, the confidence limits and `cumhaz_se` are the robust
    /// (infinitesimal jackknife) ones rather than Greenwood / Nelson–Aalen (see
    /// [`KmVariance`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub robust_variance: bool,
    /// Distinct observed times, ascending.
    pub time: Vec<f64>,
    /// Number at risk just before each time.
    pub n_risk: Vec<f64>,
    /// Number of events at each time.
    pub n_event: Vec<f64>,
    /// Number censored at each time.
    pub n_censor: Vec<f64>,
    /// Kaplan–Meier estimate `S(t) = Π_{t_j ≤ t} (1 − d_j/n_j)` (Kaplan & Meier 1958).
    pub surv: Vec<f64>,
    /// Standard error of S(t) by Greenwood's formula (Greenwood 1926),
    /// `S(t)·√(Σ_{t_j ≤ t} d_j/(n_j(n_j − d_j)))` — the `std.err` column printed by
    /// R's `summary(survfit)` (not the log-scale `fit$std.err`). `None` where S = 0.
    pub std_err: Vec<Option<f64>>,
    /// Lower pointwise confidence limit (see [`ConfType`]); `None` where undefined.
    pub lower: Vec<Option<f64>>,
    /// Upper pointwise confidence limit; `None` where undefined.
    pub upper: Vec<Option<f64>>,
    /// Nelson–Aalen cumulative hazard `H(t) = Σ_{t_j ≤ t} d_j/n_j`.
    pub cumhaz: Vec<f64>,
    /// Standard error of H(t): `√(Σ_{t_j ≤ t} d_j/n_j²)` (R's `std.chaz`).
    pub cumhaz_se: Vec<f64>,
    /// Median survival (R's `print(fit)` rule: the first time S ≤ 0.5; the midpoint of
    /// the stretch where S = 0.5 exactly when S later falls below 0.5).
    pub median: Median,
    /// Requested quantiles by `quantile.survfit`'s rule (see [`quantile_of_curve`]).
    pub quantiles: Vec<Quantile>,
    /// Survival at the requested times.
    pub at_times: Vec<AtTime>,
    /// Restricted mean survival time; `None` only if it cannot be computed.
    pub rmst: Option<Rmst>,
}

/// Two-sided normal quantile for a confidence level.
pub(crate) fn z_for_level(level: f64) -> Result<f64, Error> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::InvalidOption(format!(
            "confidence level must be between 0 and 1 (exclusive), found {level}"
        )));
    }
    let normal =
        Normal::new(0.0, 1.0).map_err(|e| Error::InvalidOption(format!("normal law: {e}")))?;
    Ok(normal.inverse_cdf(1.0 - (1.0 - level) / 2.0))
}

/// Pointwise confidence limits for S with Greenwood sum `v`.
pub(crate) fn conf_limits(
    s: f64,
    v: f64,
    z: f64,
    conf_type: ConfType,
) -> (Option<f64>, Option<f64>) {
    if s <= 0.0 || !v.is_finite() {
        return (None, None);
    }
    let se = v.sqrt();
    match conf_type {
        ConfType::Log => (
            Some(s * (-z * se).exp()),
            Some((s * (z * se).exp()).min(1.0)),
        ),
        ConfType::LogLog => {
            if s >= 1.0 {
                return (None, None);
            }
            let ls = s.ln();
            let centre = (-ls).ln();
            let half = z * se / ls.abs();
            (
                Some((-(centre + half).exp()).exp()),
                Some((-(centre - half).exp()).exp()),
            )
        }
        ConfType::Plain => (
            Some((s - z * s * se).max(0.0)),
            Some((s + z * s * se).min(1.0)),
        ),
    }
}

/// Which of R's two rules locates a quantile on a step curve (they differ only on
/// curves that are flat at exactly `1 − p` up to their end, and on confidence bands
/// that are not monotone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileRule {
    /// R's `print.survfit` median: the first time `t_j` the curve is ≤ `1 − p`; if it
    /// equals `1 − p` there, the midpoint between `t_j` and the first later time it is
    /// below `1 − p`, or `t_j` itself if it never is.
    FirstCrossing,
    /// R's `quantile.survfit`: the time of the largest curve value strictly below
    /// `1 − p` (earliest on ties); if the curve equals `1 − p` somewhere, the midpoint
    /// between the first such time and that time (or the curve's last time if the
    /// curve never falls below). On a non-increasing curve this is the first crossing.
    Intersection,
}

/// Tolerance under which a curve value counts as equal to the target `1 − p`
/// (R's `sqrt(.Machine$double.eps)`).
const FLAT_TOL: f64 = 1.490_116_119_384_765_6e-8;

/// The `p`-quantile of a right-continuous step curve `values` at `times`
/// (`None` values never count as reaching the target).
///
/// The horizontal line at `1 − p` meets the curve at the quantile; where the curve is
/// flat at exactly `1 − p` the midpoint of the flat stretch is used, as the usual
/// median of uncensored data (Klein & Moeschberger 2003, §4.5). Applied to the lower
/// and upper pointwise confidence bands it gives the confidence limits (Brookmeyer &
/// Crowley 1982). See [`QuantileRule`] for how R places it in corner cases.
pub fn quantile_of_curve(
    times: &[f64],
    values: &[Option<f64>],
    p: f64,
    rule: QuantileRule,
) -> Option<f64> {
    if times.len() != values.len() {
        return None;
    }
    let target = 1.0 - p;
    let below = |v: Option<f64>| matches!(v, Some(x) if x < target - FLAT_TOL);
    let equal = |v: Option<f64>| matches!(v, Some(x) if (x - target).abs() <= FLAT_TOL);
    match rule {
        QuantileRule::FirstCrossing => {
            let j = values.iter().position(|&v| below(v) || equal(v))?;
            if below(values[j]) {
                return Some(times[j]);
            }
            match values[j + 1..].iter().position(|&v| below(v)) {
                Some(k) => Some((times[j] + times[j + 1 + k]) / 2.0),
                None => Some(times[j]),
            }
        }
        QuantileRule::Intersection => {
            let first_equal = values.iter().position(|&v| equal(v));
            let mut best: Option<(usize, f64)> = None;
            for (i, &v) in values.iter().enumerate() {
                if let (true, Some(x)) = (below(v), v) {
                    if best.is_none_or(|(_, b)| x > b) {
                        best = Some((i, x));
                    }
                }
            }
            match (first_equal, best) {
                (Some(e), Some((b, _))) => Some((times[e] + times[b]) / 2.0),
                (Some(e), None) => times.last().map(|&last| (times[e] + last) / 2.0),
                (None, Some((b, _))) => Some(times[b]),
                (None, None) => None,
            }
        }
    }
}

/// Checks time/status/entry and returns the row order sorted by time.
pub(crate) fn validate_input(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
) -> Result<(), Error> {
    if time.len() != status.len() {
        return Err(Error::LengthMismatch {
            what: "time and status".into(),
            expected: time.len(),
            found: status.len(),
        });
    }
    if time.is_empty() {
        return Err(Error::NoData("no rows to estimate survival from".into()));
    }
    for (i, &t) in time.iter().enumerate() {
        if !t.is_finite() {
            return Err(Error::InvalidValue {
                what: "time".into(),
                index: i,
                reason: format!("expected a finite number, found {t}"),
            });
        }
        if t < 0.0 {
            return Err(Error::InvalidValue {
                what: "time".into(),
                index: i,
                reason: format!("negative time ({t})"),
            });
        }
    }
    if let Some(e) = entry {
        if e.len() != time.len() {
            return Err(Error::LengthMismatch {
                what: "time and entry".into(),
                expected: time.len(),
                found: e.len(),
            });
        }
        for (i, (&a, &t)) in e.iter().zip(time).enumerate() {
            if !a.is_finite() {
                return Err(Error::InvalidValue {
                    what: "entry".into(),
                    index: i,
                    reason: format!("expected a finite number, found {a}"),
                });
            }
            if a >= t {
                return Err(Error::InvalidValue {
                    what: "entry".into(),
                    index: i,
                    reason: format!("entry time ({a}) must be before the exit time ({t})"),
                });
            }
        }
    }
    Ok(())
}

/// Distinct times with counts: the risk table shared by the estimators.
#[derive(Debug, Clone, Default)]
pub(crate) struct RiskTable {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
}

/// Builds the risk table in one sort and one sweep. With delayed entry, the number at
/// risk at `t` is `#{time ≥ t} − #{entry ≥ t}` (left truncation; Klein & Moeschberger
/// 2003, §4.6). With case weights every count becomes a sum of weights,
/// `n_j = Σ_{time_i ≥ t_j} w_i − Σ_{entry_i ≥ t_j} w_i`, `d_j = Σ_{time_i = t_j, event} w_i`,
/// `c_j = Σ_{time_i = t_j, censored} w_i`. Without weights every `w_i = 1` and the sums
/// are the exact integer counts. Sums at risk are accumulated from the end (suffix sums)
/// so that no difference of two large totals loses digits.
pub(crate) fn risk_table_weighted(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> RiskTable {
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    // Sorting (time, status, weight) triples rather than indices keeps the sweep
    // cache-friendly.
    let mut rows: Vec<(f64, bool, f64)> = (0..time.len())
        .map(|i| (time[i], status[i], w(i)))
        .collect();
    rows.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n = rows.len();
    let mut suffix = vec![0.0; n + 1];
    for i in (0..n).rev() {
        suffix[i] = suffix[i + 1] + rows[i].2;
    }
    let mut sorted_entry: Vec<(f64, f64)> = entry
        .map(|e| (0..e.len()).map(|i| (e[i], w(i))).collect())
        .unwrap_or_default();
    sorted_entry.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut entry_suffix = vec![0.0; sorted_entry.len() + 1];
    for i in (0..sorted_entry.len()).rev() {
        entry_suffix[i] = entry_suffix[i + 1] + sorted_entry[i].1;
    }
    let mut table = RiskTable::default();
    let mut i = 0;
    while i < n {
        let t = rows[i].0;
        let (mut d, mut c) = (0.0, 0.0);
        let start = i;
        while i < n && rows[i].0 == t {
            if rows[i].1 {
                d += rows[i].2;
            } else {
                c += rows[i].2;
            }
            i += 1;
        }
        let not_entered = if entry.is_some() {
            entry_suffix[sorted_entry.partition_point(|&(e, _)| e < t)]
        } else {
            0.0
        };
        table.time.push(t);
        table.n_risk.push(suffix[start] - not_entered);
        table.n_event.push(d);
        table.n_censor.push(c);
    }
    table
}

/// Checks case weights: one per row, finite and non-negative.
pub(crate) fn validate_weights(weights: &[f64], n: usize) -> Result<(), Error> {
    if weights.len() != n {
        return Err(Error::LengthMismatch {
            what: "time and weights".into(),
            expected: n,
            found: weights.len(),
        });
    }
    for (i, &w) in weights.iter().enumerate() {
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::InvalidValue {
                what: "weights".into(),
                index: i,
                reason: format!("expected a finite non-negative case weight, found {w}"),
            });
        }
    }
    Ok(())
}

/// Kaplan–Meier estimate with Greenwood standard errors, confidence limits,
/// Nelson–Aalen cumulative hazard, median, quantiles, survival at chosen times and
/// restricted mean.
///
/// # Formula
/// At the distinct times `t_j` with `n_j` at risk and `d_j` events,
/// `S(t) = Π_{t_j ≤ t} (1 − d_j/n_j)` (Kaplan & Meier 1958);
/// `Var S(t) = S(t)² Σ_{t_j ≤ t} d_j/(n_j(n_j − d_j))` (Greenwood 1926);
/// `H(t) = Σ d_j/n_j`, `Var H(t) = Σ d_j/n_j²` (Nelson–Aalen; Klein & Moeschberger 2003,
/// §4.2). Events are counted before censorings at the same time (a patient censored at
/// `t` is at risk at `t`). With `entry`, a row is at risk on `(entry, time]`, as R's
/// `Surv(entry, time, status)`. For case weights see [`kaplan_meier_weighted`].
///
/// # Errors
/// Length mismatch, no rows, non-finite or negative times, entry not before exit, or
/// an option out of range.
///
/// # Examples
/// ```
/// use survkit_core::km::{kaplan_meier, KmOptions};
/// let fit = kaplan_meier(&[3.0, 1.0, 2.0], &[true, true, false], None, &KmOptions::default())
///     .unwrap();
/// assert_eq!(fit.n_risk, vec![3.0, 2.0, 1.0]);
/// assert!((fit.surv[1] - 2.0 / 3.0).abs() < 1e-15);
/// assert_eq!(fit.median.estimate, Some(3.0));
/// ```
pub fn kaplan_meier(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<KmFit, Error> {
    kaplan_meier_weighted(time, status, entry, None, opts)
}

/// Kaplan–Meier with case weights (R's `survfit(..., weights = w)`), for right-censored
/// and `(entry, time]` data; `weights = None` is [`kaplan_meier`].
///
/// # Formula
/// Every count becomes a sum of case weights `w_i ≥ 0`: at the distinct times `t_j`,
/// `n_j = Σ_{i at risk at t_j} w_i` (at risk: `entry_i < t_j ≤ time_i`),
/// `d_j = Σ_{i: time_i = t_j, event} w_i`, `c_j` likewise for censorings. Then, with
/// these weighted counts,
/// - `S(t) = Π_{t_j ≤ t} (1 − d_j/n_j)` (weighted product-limit);
/// - `Var S(t) = S(t)² Σ_{t_j ≤ t} d_j/(n_j(n_j − d_j))` (weighted Greenwood: the weights
///   are treated as frequencies, so all weights equal to `k` divide the variance by `k`);
/// - `H(t) = Σ_{t_j ≤ t} d_j/n_j`, `Var H(t) = Σ_{t_j ≤ t} d_j/n_j²` (weighted
///   Nelson–Aalen);
/// - quantiles, survival at times and the restricted mean (`∫₀^τ S`, with the variance
///   of [`Rmst`] on the weighted counts) follow from the weighted curve and band.
///
/// Integer weights give exactly the estimates of the data with each row repeated `w_i`
/// times. Rows with weight 0 contribute nothing, but their times are still listed (with
/// zero counts). `n` and `events` stay counts of rows; `n_risk`, `n_event`, `n_censor`
/// are weighted. A time where the events take (to 1e-12 relative) everything at risk
/// sets `S = 0` exactly, so rounding in a sum of non-integer weights cannot leave a
/// spurious tiny positive survival. References: Klein & Moeschberger (2003, §4.2)
/// applied to weighted counts; Therneau & Grambsch (2000, §2.1, case weights).
///
/// # Errors
/// As [`kaplan_meier`], and a weight that is negative or not finite, or a weights
/// slice of the wrong length.
pub fn kaplan_meier_weighted(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
    weights: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<KmFit, Error> {
    validate_input(time, status, entry)?;
    if let Some(w) = weights {
        validate_weights(w, time.len())?;
    }
    opts.validate()?;
    let z = z_for_level(opts.conf_level)?;
    let table = risk_table_weighted(time, status, entry, weights);
    let m = table.time.len();

    let robust = match opts.variance {
        // survfit's default (survival 3.5-3, also with (start, stop] data).
        KmVariance::Auto => weights.is_some_and(|w| w.iter().any(|&x| x != x.round())),
        KmVariance::Greenwood => false,
        KmVariance::Robust => true,
    };

    let mut surv = Vec::with_capacity(m);
    let mut greenwood = Vec::with_capacity(m);
    let mut cumhaz = Vec::with_capacity(m);
    let mut cumhaz_se = Vec::with_capacity(m);
    let (mut s, mut v, mut h, mut vh) = (1.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for j in 0..m {
        let (n, d) = (table.n_risk[j], table.n_event[j]);
        if d > 0.0 {
            // All at risk have the event (exactly, or to rounding of weight sums).
            let all = n - d <= 1e-12 * n;
            s = if all { 0.0 } else { s * (1.0 - d / n) };
            v += if all {
                f64::INFINITY
            } else {
                d / (n * (n - d))
            };
            h += d / n;
            vh += d / (n * n);
        }
        surv.push(s);
        greenwood.push(v);
        cumhaz.push(h);
        cumhaz_se.push(vh);
    }
    if robust {
        // `greenwood` and `cumhaz_se` hold the cumulative sums A(t_j) and B(t_j) here.
        let (var_log_s, var_h) =
            robust_variances(time, status, entry, weights, &table, &greenwood, &cumhaz_se);
        greenwood = var_log_s;
        cumhaz_se = var_h;
    }
    for x in cumhaz_se.iter_mut() {
        *x = x.sqrt();
    }
    let std_err: Vec<Option<f64>> = surv
        .iter()
        .zip(&greenwood)
        .map(|(&s, &v)| (s > 0.0 && v.is_finite()).then(|| s * v.sqrt()))
        .collect();
    let (lower, upper): (Vec<Option<f64>>, Vec<Option<f64>>) = surv
        .iter()
        .zip(&greenwood)
        .map(|(&s, &v)| conf_limits(s, v, z, opts.conf_type))
        .unzip();

    let surv_opt: Vec<Option<f64>> = surv.iter().map(|&s| Some(s)).collect();
    let median = Median {
        estimate: quantile_of_curve(&table.time, &surv_opt, 0.5, QuantileRule::FirstCrossing),
        lower: quantile_of_curve(&table.time, &lower, 0.5, QuantileRule::FirstCrossing),
        upper: quantile_of_curve(&table.time, &upper, 0.5, QuantileRule::FirstCrossing),
    };
    let quantiles = opts
        .quantiles
        .iter()
        .map(|&p| Quantile {
            p,
            estimate: quantile_of_curve(&table.time, &surv_opt, p, QuantileRule::Intersection),
            lower: quantile_of_curve(&table.time, &lower, p, QuantileRule::Intersection),
            upper: quantile_of_curve(&table.time, &upper, p, QuantileRule::Intersection),
        })
        .collect();

    let at_times = opts
        .times
        .iter()
        .map(|&t| at_time(&table, &surv, &greenwood, t, z, opts))
        .collect();

    let tau = opts
        .rmst_tau
        .unwrap_or_else(|| table.time.last().copied().unwrap_or(0.0));
    let rmst = restricted_mean(&table, &surv, tau);

    Ok(KmFit {
        n: time.len(),
        events: status.iter().filter(|&&s| s).count(),
        weighted: weights.is_some(),
        robust_variance: robust,
        time: table.time,
        n_risk: table.n_risk,
        n_event: table.n_event,
        n_censor: table.n_censor,
        surv,
        std_err,
        lower,
        upper,
        cumhaz,
        cumhaz_se,
        median,
        quantiles,
        at_times,
        rmst,
    })
}

/// Infinitesimal-jackknife variances of log S(t_j) and H(t_j), each row its own
/// cluster (Efron 1982; for survival curves Therneau & Grambsch 2000, §7.2): with `w_i`
/// the case weights and `∂/∂w_i` the derivative of the estimate with respect to row
/// `i`'s weight, `Var = Σ_i (w_i ∂/∂w_i)²`.
///
/// # Formula
/// With `A(t) = Σ_{t_j ≤ t} d_j/(n_j(n_j − d_j))`, `B(t) = Σ_{t_j ≤ t} d_j/n_j²`, row `i`
/// at risk on `(e_i, t_i]` (`e_i = 0` without entry), `E_i = A(e_i)`, `F_i = B(e_i)`:
/// - `∂ log S(t)/∂w_i = A(min(t, t_i)) − E_i − δ_i 1{t_i ≤ t}/(n − d)|_{t_i}` for
///   `e_i < t` (0 otherwise);
/// - `∂ H(t)/∂w_i = δ_i 1{t_i ≤ t}/n|_{t_i} − (B(min(t, t_i)) − F_i)` for `e_i < t`.
///
/// One sweep: a row that has left the risk set keeps a fixed derivative (its square is
/// added once to a running sum); for rows still at risk `Σ w²(A(t) − E)²` is
/// `A² Σw² − 2A Σw²E + Σw²E²`, kept as three running sums. At a time without events the
/// variances are carried unchanged (they are mathematically; recomputing them in a
/// different order could make a flat stretch of the band not exactly flat, which the
/// quantile rules would see).
fn robust_variances(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
    weights: Option<&[f64]>,
    table: &RiskTable,
    a_cum: &[f64],
    b_cum: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let m = table.time.len();
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    // Cumulative sums at the last observed time ≤ x (0 before the first).
    let at = |cum: &[f64], x: f64| {
        let k = table.time.partition_point(|&t| t <= x);
        if k == 0 {
            0.0
        } else {
            cum[k - 1]
        }
    };
    let mut by_exit: Vec<usize> = (0..time.len()).collect();
    by_exit.sort_unstable_by(|&x, &y| time[x].total_cmp(&time[y]));
    let mut by_entry: Vec<usize> = by_exit.clone();
    if let Some(e) = entry {
        by_entry.sort_unstable_by(|&x, &y| e[x].total_cmp(&e[y]));
    }
    let entry_of = |i: usize| entry.map_or(f64::NEG_INFINITY, |e| e[i]);
    let (mut next_in, mut next_out) = (0, 0);
    // Running sums over the risk set: Σw², Σw²E, Σw²E², Σw²F, Σw²F²; and over rows
    // that left: Σ(w ∂log S)², Σ(w ∂H)².
    let (mut s0, mut s1, mut s2, mut f1, mut f2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut gone_s, mut gone_h) = (0.0_f64, 0.0_f64);
    let (mut v, mut vh) = (0.0_f64, 0.0_f64);
    let mut var_log_s = Vec::with_capacity(m);
    let mut var_h = Vec::with_capacity(m);
    for j in 0..m {
        let t = table.time[j];
        while next_in < by_entry.len() && entry_of(by_entry[next_in]) < t {
            let i = by_entry[next_in];
            let (ww, e) = (w(i) * w(i), entry_of(i));
            let (ea, fb) = if entry.is_some() {
                (at(a_cum, e), at(b_cum, e))
            } else {
                (0.0, 0.0)
            };
            s0 += ww;
            s1 += ww * ea;
            s2 += ww * ea * ea;
            f1 += ww * fb;
            f2 += ww * fb * fb;
            next_in += 1;
        }
        let (a, b) = (a_cum[j], b_cum[j]);
        let (n, d) = (table.n_risk[j], table.n_event[j]);
        while next_out < by_exit.len() && time[by_exit[next_out]] == t {
            let i = by_exit[next_out];
            let (ww, e) = (w(i) * w(i), entry_of(i));
            let (ea, fb) = if entry.is_some() {
                (at(a_cum, e), at(b_cum, e))
            } else {
                (0.0, 0.0)
            };
            s0 -= ww;
            s1 -= ww * ea;
            s2 -= ww * ea * ea;
            f1 -= ww * fb;
            f2 -= ww * fb * fb;
            let event = status[i] && d > 0.0;
            let ds = a - ea - if event { 1.0 / (n - d) } else { 0.0 };
            let dh = if event { 1.0 / n } else { 0.0 } - (b - fb);
            if ds.is_finite() {
                gone_s += ww * ds * ds;
            }
            gone_h += ww * dh * dh;
            next_out += 1;
        }
        if d > 0.0 {
            v = if a.is_finite() {
                gone_s + (a * a * s0 - 2.0 * a * s1 + s2).max(0.0)
            } else {
                f64::INFINITY
            };
            vh = gone_h + (b * b * s0 - 2.0 * b * f1 + f2).max(0.0);
        }
        var_log_s.push(v);
        var_h.push(vh);
    }
    (var_log_s, var_h)
}

fn at_time(
    table: &RiskTable,
    surv: &[f64],
    greenwood: &[f64],
    t: f64,
    z: f64,
    opts: &KmOptions,
) -> AtTime {
    // Index of the last observed time ≤ t, and of the first ≥ t.
    let after = table.time.partition_point(|&x| x <= t);
    let first_ge = table.time.partition_point(|&x| x < t);
    let n_risk = table.n_risk.get(first_ge).copied().unwrap_or(0.0);
    let beyond = table.time.last().is_none_or(|&last| t > last);
    if beyond {
        let last_s = surv.last().copied();
        // The curve reached 0 (the last patients had the event): S stays 0 whatever the
        // convention (R: 0 with n.risk 0); its limits are undefined.
        if last_s == Some(0.0) {
            return AtTime {
                time: t,
                n_risk,
                surv: Some(0.0),
                lower: None,
                upper: None,
                beyond_follow_up: true,
            };
        }
        let (surv, lower, upper) = match (opts.beyond_follow_up, last_s) {
            (BeyondFollowUp::Carry, Some(s)) => {
                let (lo, up) = conf_limits(s, greenwood[greenwood.len() - 1], z, opts.conf_type);
                (Some(s), lo, up)
            }
            _ => (None, None, None),
        };
        return AtTime {
            time: t,
            n_risk,
            surv,
            lower,
            upper,
            beyond_follow_up: true,
        };
    }
    // Before the first observed time R reports S = 1 with limits 1 whatever the transform.
    let (s, (lower, upper)) = if after == 0 {
        (1.0, (Some(1.0), Some(1.0)))
    } else {
        let (s, v) = (surv[after - 1], greenwood[after - 1]);
        (s, conf_limits(s, v, z, opts.conf_type))
    };
    AtTime {
        time: t,
        n_risk,
        surv: Some(s),
        lower,
        upper,
        beyond_follow_up: false,
    }
}

/// Restricted mean and its Greenwood-type standard error (see [`Rmst`]).
fn restricted_mean(table: &RiskTable, surv: &[f64], tau: f64) -> Option<Rmst> {
    if !(tau.is_finite() && tau > 0.0) {
        return None;
    }
    // Step function: S = 1 on [0, t_1), S_j on [t_j, t_{j+1}), the last value after.
    // Walk backwards accumulating the area from t_j to tau.
    let k = table.time.partition_point(|&x| x <= tau); // times t_0..t_{k-1} are ≤ tau
    let mut area_after = 0.0; // ∫_{t_j}^{tau} S
    let mut var = 0.0;
    for j in (0..k).rev() {
        let next = if j + 1 < k { table.time[j + 1] } else { tau };
        area_after += surv[j] * (next - table.time[j]);
        let (n, d) = (table.n_risk[j], table.n_event[j]);
        if d > 0.0 && n > d {
            var += area_after * area_after * d / (n * (n - d));
        }
    }
    // S = 1 from 0 to the first time (or to tau if that comes first).
    let estimate = area_after + if k > 0 { table.time[0] } else { tau };
    Some(Rmst {
        tau,
        estimate,
        se: var.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_with_ties() {
        // Events counted before censorings at t = 2.
        let t = [6.0, 2.0, 1.0, 2.0, 5.0, 3.0, 4.0, 5.0];
        let s = [false, false, true, true, true, true, false, true];
        let fit = kaplan_meier(&t, &s, None, &KmOptions::default()).unwrap();
        assert_eq!(fit.time, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(fit.n_risk, vec![8.0, 7.0, 5.0, 4.0, 3.0, 1.0]);
        let expect = [7.0 / 8.0, 0.75, 0.6, 0.6, 0.2, 0.2];
        for (a, b) in fit.surv.iter().zip(expect) {
            assert!((a - b).abs() < 1e-15);
        }
    }
}
