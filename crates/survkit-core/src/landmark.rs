//! Landmark analysis and conditional survival (Anderson, Cain & Gelber 1983; van
//! Houwelingen 2007): the patients still event-free and under follow-up at a landmark
//! time L, with time restarted at L, and the Kaplan–Meier estimate of survival given
//! survival to L.
//!
//! # Convention at the landmark
//!
//! A row is kept when `time > L` (strictly), as `subset(data, time > L)` in R, then
//! `time − L` is its new time. Rows with `time ≤ L` are excluded: an event at or before
//! L (not event-free beyond L) or censored at or before L (not under follow-up beyond
//! L). A row censored exactly at L is excluded: in R's Kaplan–Meier it is at risk at L
//! but not after, so it cannot contribute to any risk set beyond L.
//!
//! # Formula
//!
//! With the Kaplan–Meier `S` of the whole cohort, the conditional survival is
//! `S(t | T > L) = S(t)/S(L) = Π_{L < tⱼ ≤ t} (1 − dⱼ/nⱼ)` for `t ≥ L`. The risk sets
//! beyond L are the same in the whole cohort and in the landmark subset, so this is
//! exactly R's `survfit(Surv(time − L, status) ~ 1, data = subset(d, time > L))` at
//! `t − L` (checked in `tests/landmark_against_r.rs`). Its Greenwood-type variance is
//! that of the product-limit estimate restarted at L (Greenwood 1926; Zabor et al. 2013):
//!
//! `Var S(t | T > L) = S(t | T > L)² Σ_{L < tⱼ ≤ t} dⱼ/(nⱼ(nⱼ − dⱼ))`,
//!
//! the delta method applied to `log S(t|L) = Σ log(1 − dⱼ/nⱼ)` with the binomial
//! variance of each factor given the risk set, i.e. the Greenwood sum of `S(t)` minus
//! that of `S(L)`. Confidence limits use the same transforms as [`crate::km`]
//! (`log` by default, as R).
//!
//! # References
//!
//! - Anderson JR, Cain KC, Gelber RD (1983). Analysis of survival by tumor response.
//!   *J Clin Oncol* 1:710–719.
//! - van Houwelingen HC (2007). Dynamic prediction by landmarking in event history
//!   analysis. *Scand J Stat* 34:70–85.
//! - Zabor EC, Gonen M, Chapman PB, Panageas KS (2013). Dynamic prognostication using
//!   conditional survival estimates. *Cancer* 119:3589–3592.
//! - Greenwood M (1926). The natural duration of cancer. *Reports on Public Health and
//!   Medical Subjects* 33.

use crate::km::{conf_limits, risk_table_weighted, validate_input, z_for_level, AtTime, ConfType};
use crate::Error;
use serde::{Deserialize, Serialize};

/// Why a row is not in the landmark data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandmarkExclusion {
    /// The event happened at or before the landmark.
    EventBeforeLandmark,
    /// Follow-up ended (censored) at or before the landmark.
    CensoredBeforeLandmark,
}

/// One excluded row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedRow {
    /// Zero-based index into the input.
    pub row: usize,
    /// Why.
    pub reason: LandmarkExclusion,
}

/// The landmark data set: rows event-free and under follow-up beyond L, time reset to
/// `time − L`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandmarkData {
    /// The landmark time L.
    pub landmark: f64,
    /// Zero-based indices of the rows kept, in input order.
    pub rows: Vec<usize>,
    /// `time − L` of each kept row.
    pub time: Vec<f64>,
    /// Status of each kept row.
    pub status: Vec<bool>,
    /// Rows left out, with the reason, in input order.
    pub excluded: Vec<ExcludedRow>,
}

fn check_landmark(landmark: f64) -> Result<(), Error> {
    if !(landmark.is_finite() && landmark >= 0.0) {
        return Err(Error::InvalidOption(format!(
            "the landmark time must be a finite number ≥ 0, found {landmark}"
        )));
    }
    Ok(())
}

/// Selects the rows with `time > landmark` and restarts their time at the landmark.
///
/// # Errors
///
/// As [`crate::km::kaplan_meier`] for time/status; [`Error::InvalidOption`] for a
/// negative or non-finite landmark. An empty selection is not an error (see
/// [`LandmarkData::rows`]); [`conditional_survival`] refuses it.
pub fn landmark_data(time: &[f64], status: &[bool], landmark: f64) -> Result<LandmarkData, Error> {
    validate_input(time, status, None)?;
    check_landmark(landmark)?;
    let mut out = LandmarkData {
        landmark,
        rows: Vec::new(),
        time: Vec::new(),
        status: Vec::new(),
        excluded: Vec::new(),
    };
    for (i, (&t, &s)) in time.iter().zip(status).enumerate() {
        if t > landmark {
            out.rows.push(i);
            out.time.push(t - landmark);
            out.status.push(s);
        } else {
            out.excluded.push(ExcludedRow {
                row: i,
                reason: if s {
                    LandmarkExclusion::EventBeforeLandmark
                } else {
                    LandmarkExclusion::CensoredBeforeLandmark
                },
            });
        }
    }
    Ok(out)
}

/// Options of [`conditional_survival`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConditionalOptions {
    /// Confidence-interval transform (default `log`, as R).
    pub conf_type: ConfType,
    /// Confidence level (default 0.95).
    pub conf_level: f64,
    /// Times (on the original scale, ≥ L) at which to report `S(t | T > L)`.
    pub times: Vec<f64>,
}

impl Default for ConditionalOptions {
    fn default() -> Self {
        ConditionalOptions {
            conf_type: ConfType::Log,
            conf_level: 0.95,
            times: Vec::new(),
        }
    }
}

/// Conditional survival `S(t | T > L)` at the distinct times beyond L.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionalSurvival {
    /// The landmark L.
    pub landmark: f64,
    /// Kaplan–Meier `S(L)` of the whole cohort.
    pub surv_at_landmark: f64,
    /// Rows still at risk just after L (`time > L`).
    pub n_risk_at_landmark: usize,
    /// Distinct times beyond L (original scale).
    pub time: Vec<f64>,
    /// Number at risk at each time.
    pub n_risk: Vec<f64>,
    /// Number of events at each time.
    pub n_event: Vec<f64>,
    /// Number censored at each time.
    pub n_censor: Vec<f64>,
    /// `S(t | T > L)`.
    pub surv: Vec<f64>,
    /// Greenwood standard error of `S(t | T > L)` (`None` where S = 0).
    pub std_err: Vec<Option<f64>>,
    /// Lower confidence limit.
    pub lower: Vec<Option<f64>>,
    /// Upper confidence limit.
    pub upper: Vec<Option<f64>>,
    /// `S(t | T > L)` at the requested times (`time` on the original scale; `n_risk` is
    /// the number at risk at the first observed time ≥ t; `None` beyond the last time).
    pub at_times: Vec<AtTime>,
}

/// Conditional survival given survival to `landmark`, from the Kaplan–Meier estimate of
/// the whole cohort (see the module's *Formula*).
///
/// # Errors
///
/// As [`landmark_data`]; [`Error::NoData`] when no row is followed beyond the landmark;
/// [`Error::InvalidOption`] for a confidence level outside (0, 1), a non-finite time or
/// a time before the landmark.
pub fn conditional_survival(
    time: &[f64],
    status: &[bool],
    landmark: f64,
    opts: &ConditionalOptions,
) -> Result<ConditionalSurvival, Error> {
    validate_input(time, status, None)?;
    check_landmark(landmark)?;
    let z = z_for_level(opts.conf_level)?;
    for &t in &opts.times {
        if !(t.is_finite() && t >= landmark) {
            return Err(Error::InvalidOption(format!(
                "times for conditional survival must be finite and ≥ the landmark {landmark}, found {t}"
            )));
        }
    }
    let table = risk_table_weighted(time, status, None, None);
    let first = table.time.partition_point(|&t| t <= landmark);
    let n_beyond = time.iter().filter(|&&t| t > landmark).count();
    if n_beyond == 0 {
        return Err(Error::NoData(format!(
            "no patient is followed beyond the landmark time {landmark}"
        )));
    }
    let mut s_l = 1.0;
    for j in 0..first {
        s_l *= 1.0 - table.n_event[j] / table.n_risk[j];
    }
    let m = table.time.len() - first;
    let mut out = ConditionalSurvival {
        landmark,
        surv_at_landmark: s_l,
        n_risk_at_landmark: n_beyond,
        time: table.time[first..].to_vec(),
        n_risk: table.n_risk[first..].to_vec(),
        n_event: table.n_event[first..].to_vec(),
        n_censor: table.n_censor[first..].to_vec(),
        surv: Vec::with_capacity(m),
        std_err: Vec::with_capacity(m),
        lower: Vec::with_capacity(m),
        upper: Vec::with_capacity(m),
        at_times: Vec::new(),
    };
    let mut greenwood = Vec::with_capacity(m);
    let (mut s, mut v) = (1.0f64, 0.0f64);
    for j in 0..m {
        let (n, d) = (out.n_risk[j], out.n_event[j]);
        if d > 0.0 {
            s *= 1.0 - d / n;
            v += if n > d {
                d / (n * (n - d))
            } else {
                f64::INFINITY
            };
        }
        out.surv.push(s);
        greenwood.push(v);
        out.std_err
            .push((s > 0.0 && v.is_finite()).then(|| s * v.sqrt()));
        let (lo, up) = conf_limits(s, v, z, opts.conf_type);
        out.lower.push(lo);
        out.upper.push(up);
    }
    out.at_times = opts
        .times
        .iter()
        .map(|&t| {
            let after = out.time.partition_point(|&x| x <= t);
            let first_ge = out.time.partition_point(|&x| x < t);
            let n_risk = out.n_risk.get(first_ge).copied().unwrap_or(0.0);
            if out.time.last().is_none_or(|&last| t > last) {
                // Past the last observed time: not estimated here (flagged); the
                // carry-forward rule of km::BeyondFollowUp is not applied to
                // conditional survival yet.
                return AtTime {
                    time: t,
                    n_risk,
                    surv: None,
                    lower: None,
                    upper: None,
                    beyond_follow_up: true,
                };
            }
            let (surv, (lower, upper)) = if after == 0 {
                (1.0, (Some(1.0), Some(1.0)))
            } else {
                let (s, v) = (out.surv[after - 1], greenwood[after - 1]);
                (s, conf_limits(s, v, z, opts.conf_type))
            };
            AtTime {
                time: t,
                n_risk,
                surv: Some(surv),
                lower,
                upper,
                beyond_follow_up: false,
            }
        })
        .collect();
    Ok(out)
}
