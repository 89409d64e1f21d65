//! Parametric survival regression by maximum likelihood: exponential, Weibull,
//! log-normal and log-logistic (as R's `survreg`), Gompertz, and Prentice's (1974)
//! generalized gamma; covariates, a separate scale per stratum, right censoring, left
//! truncation (delayed entry) and case weights.
//!
//! # Formula
//!
//! *Accelerated failure time (AFT) families* (Kalbfleisch & Prentice 2002, ch. 2–3):
//! `log T = xβ + σW` with `W` standard extreme-value (Weibull; exponential: σ = 1),
//! normal (log-normal), logistic (log-logistic) or log-gamma with shape `Q`
//! (generalized gamma: `W = log(G/a)/Q`, `G ~ Gamma(a = Q⁻², 1)`; `Q = 1` Weibull, `Q = 0`
//! log-normal, `Q = σ` gamma). Row i, with `zᵢ = (log tᵢ − xᵢβ)/σ_{s(i)}`, case weight
//! `wᵢ` and entry time `t₀ᵢ`, contributes
//!
//! `wᵢ [ δᵢ (log f_W(zᵢ) − log σ − log tᵢ) + (1 − δᵢ) log S_W(zᵢ) − log S_W(z₀ᵢ) ]`
//!
//! (the last term only when `t₀ᵢ > 0`). This is the density of T, so the log-likelihood
//! equals `survreg`'s. Coefficients are reported as R prints them (intercept, covariates,
//! `Log(scale)` per stratum); `exp(β_j)` is the *time ratio* (acceleration factor).
//!
//! *Proportional hazards (PH) form.* The Weibull is also a PH model:
//! `h(t | x) = λ γ t^{γ−1} e^{xβ_PH}` with shape `γ = 1/σ`, `β_PH = −β/σ` (intercept
//! included: `log λ = −β₀/σ`), so the hazard ratio of column j is `exp(−β_j/σ)`; the
//! exponential is the case σ = 1. Standard errors by the delta method:
//! `Var(−β_j/σ) = (1/σ²)[Var β_j − 2β_j Cov(β_j, log σ) + β_j² Var log σ]`, and the shape's
//! CI is `exp(−log σ ∓ z·se(log σ))`. With strata (several σ) the PH form is given per
//! stratum.
//!
//! *Gompertz* (PH only): `h(t | x) = exp(xβ + a t)`, `H(t | x) = e^{xβ}(e^{at} − 1)/a`
//! (`= e^{xβ} t` at `a = 0`); `exp(β_j)` is the hazard ratio, `a` the shape (per stratum).
//! `a < 0` gives a defective distribution (a fraction never has the event; reported as
//! a warning). This is flexsurv's `gompertz` parameterisation (rate = e^{xβ}).
//!
//! Fitting: Newton–Raphson on the full log-likelihood with analytic gradient and Hessian
//! (for the generalized gamma, the derivatives in `Q` by central differences of the
//! analytic pieces, since the derivative of the incomplete gamma function in its shape
//! has no closed form), step halving, and a ridge while far from the maximum; columns
//! are centred and scaled inside the fitter and the estimates and variance mapped back.
//! Starting values: the intercept-only model (from the exponential MLE
//! `log(Σ time / Σ events)` or the mean and SD of log time), the generalized gamma from
//! the better of the Weibull and log-normal fits, the Gompertz from the exponential.
//! The variance matrix is `(−H)⁻¹` at the estimate (model-based, as `survreg`).
//!
//! Summaries: `AIC = −2ℓ + 2·df`, `BIC = −2ℓ + log(n)·df` with `n` the number of rows
//! (observations), which is what R's `BIC()` uses for `survreg` (`nobs()` = rows);
//! [`ParametricFit::bic_events`] uses the number of events instead (Volinsky & Raftery
//! 2000). `df` counts every estimated parameter (coefficients, scales, shapes). The
//! likelihood-ratio test compares with the intercept-only model with the same
//! distribution and strata, on `p` (covariate columns) degrees of freedom, as
//! `survreg`'s printed `Chisq`.
//!
//! Predictions for a covariate profile (survival, hazard, cumulative hazard, quantiles,
//! restricted and unrestricted means with delta-method CIs) are in [`predict`].
//!
//! # References
//!
//! - Kalbfleisch JD, Prentice RL (2002). *The Statistical Analysis of Failure Time Data*,
//!   2nd ed. Wiley.
//! - Prentice RL (1974). A log gamma model and its maximum likelihood estimation.
//!   *Biometrika* 61:539–544.
//! - Cox C, Chu H, Schneider MF, Muñoz A (2007). Parametric survival analysis and
//!   taxonomy of hazard functions for the generalized gamma distribution. *Stat Med*
//!   26:4352–4374.
//! - Temme NM (1979). The asymptotic expansion of the incomplete gamma functions. *SIAM J
//!   Math Anal* 10:757–766; DiDonato AR, Morris AH (1986). *ACM TOMS* 12:377–393.
//! - Klein JP, Moeschberger ML (2003). *Survival Analysis*, 2nd ed., ch. 12.
//!
//! # Example
//!
//! ```
//! use survkit_core::parametric::{fit, Distribution, ParametricData, ParametricOptions};
//! let time = [5.0, 8.0, 12.0, 3.0, 9.0, 15.0];
//! let status = [true, true, false, true, true, false];
//! let x = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
//! let columns = ["treated".to_string()];
//! let data = ParametricData::new(&time, &status, &x, &columns);
//! let f = fit(&data, Distribution::Exponential, &ParametricOptions::default()).unwrap();
//! // Without covariates the exponential MLE of the rate is events / total time.
//! let f0 = fit(&ParametricData::new(&time, &status, &[], &[]), Distribution::Exponential,
//!              &ParametricOptions::default()).unwrap();
//! assert!((f0.coefficients[0].estimate - (52.0_f64 / 4.0).ln()).abs() < 1e-9);
//! assert!(f.converged);
//! ```

mod dist;
mod model;
pub mod predict;

use crate::cox::ChiSquareTest;
use crate::Error;
use model::{maximize, Problem};
use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// The error distribution of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Exponential (constant hazard): Weibull with σ = 1. `survreg(dist = "exponential")`.
    Exponential,
    /// Weibull. `survreg(dist = "weibull")`.
    Weibull,
    /// Log-normal. `survreg(dist = "lognormal")`.
    LogNormal,
    /// Log-logistic. `survreg(dist = "loglogistic")`.
    LogLogistic,
    /// Gompertz, `h(t) = exp(xβ + a t)` (PH parameterisation).
    Gompertz,
    /// Generalized gamma, Prentice's (μ = xβ, σ, Q).
    GeneralizedGamma,
}

impl Distribution {
    /// All six, in the order of the docs.
    pub const ALL: [Distribution; 6] = [
        Distribution::Exponential,
        Distribution::Weibull,
        Distribution::LogNormal,
        Distribution::LogLogistic,
        Distribution::Gompertz,
        Distribution::GeneralizedGamma,
    ];

    /// Whether the model is a location-scale model on log time (all but Gompertz), so
    /// that times must be positive.
    pub fn log_time(self) -> bool {
        self != Distribution::Gompertz
    }

    /// The parameterisation the coefficients are reported in.
    pub fn native(self) -> Parameterisation {
        if self == Distribution::Gompertz {
            Parameterisation::Ph
        } else {
            Parameterisation::Aft
        }
    }

    /// Whether the model has a proportional-hazards form (exponential, Weibull, Gompertz).
    pub fn has_ph_form(self) -> bool {
        matches!(
            self,
            Distribution::Exponential | Distribution::Weibull | Distribution::Gompertz
        )
    }
}

/// How coefficients are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameterisation {
    /// Accelerated failure time: coefficients act on log time; `exp(β)` = time ratio.
    Aft,
    /// Proportional hazards: coefficients act on the log hazard; `exp(β)` = hazard ratio.
    Ph,
}

/// Inputs of a parametric model, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct ParametricData<'a> {
    /// Follow-up (exit) times; must be > 0 for the log-time models.
    pub time: &'a [f64],
    /// `true` = event at `time`, `false` = right-censored.
    pub status: &'a [bool],
    /// Entry times for left truncation (delayed entry); `0` = not truncated.
    pub entry: Option<&'a [f64]>,
    /// Covariates, column-major n×p (`x[j * n + i]`), without an intercept (the fitter
    /// adds one, as `survreg`).
    pub x: &'a [f64],
    /// Names of the `p` covariate columns.
    pub columns: &'a [String],
    /// Case weights (finite, ≥ 0).
    pub weights: Option<&'a [f64]>,
    /// Stratum of each row: a separate scale (Gompertz: shape) per stratum, as
    /// `survreg`'s `strata()`; the strata do not shift the location.
    pub strata: Option<&'a [usize]>,
}

impl<'a> ParametricData<'a> {
    /// Right-censored data without entry times, weights or strata.
    pub fn new(time: &'a [f64], status: &'a [bool], x: &'a [f64], columns: &'a [String]) -> Self {
        ParametricData {
            time,
            status,
            entry: None,
            x,
            columns,
            weights: None,
            strata: None,
        }
    }
}

fn default_conf_level() -> f64 {
    0.95
}
fn default_max_iter() -> usize {
    50
}
fn default_eps() -> f64 {
    1e-10
}

/// Fitting options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParametricOptions {
    /// Confidence level of every interval (default 0.95).
    #[serde(default = "default_conf_level")]
    pub conf_level: f64,
    /// Maximum Newton–Raphson iterations (default 50).
    #[serde(default = "default_max_iter")]
    pub max_iter: usize,
    /// Convergence tolerance on the relative change of the log-likelihood (1e-10;
    /// `survreg`'s is 1e-9).
    #[serde(default = "default_eps")]
    pub eps: f64,
}

impl Default for ParametricOptions {
    fn default() -> Self {
        ParametricOptions {
            conf_level: 0.95,
            max_iter: 50,
            eps: 1e-10,
        }
    }
}

/// One estimated parameter with its Wald inference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Name as R prints it: `(Intercept)`, the column name, `Log(scale)`,
    /// `Log(scale):stratum k`, `shape`, `Q`.
    pub name: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_err: f64,
    /// Wald `z = estimate / std_err`.
    pub z: f64,
    /// Two-sided p-value of `z`.
    pub p: f64,
    /// Lower confidence limit `estimate − z_{1−α/2}·std_err`.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
}

/// A ratio `exp(β)` with its CI `exp(lower), exp(upper)` (time ratio or hazard ratio).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// Column name.
    pub name: String,
    /// `exp(estimate)`.
    pub ratio: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// The proportional-hazards form of a fit (per stratum when scales differ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhForm {
    /// Stratum label (the caller's index), `None` without strata.
    pub stratum: Option<usize>,
    /// Coefficients on the log-hazard scale: the intercept (log of the baseline rate λ)
    /// first, then log hazard ratios.
    pub coefficients: Vec<Coefficient>,
    /// Hazard ratios of the covariate columns.
    pub hazard_ratios: Vec<Ratio>,
    /// Shape: Weibull `γ = 1/σ` (CI from log σ; `z`, `p` test γ = 1 on the log scale),
    /// Gompertz `a` (`z`, `p` test a = 0); `None` for the exponential (γ = 1).
    pub shape: Option<Coefficient>,
}

/// Which fit a warning concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The model asked for.
    Full,
    /// The intercept-only model of the likelihood-ratio test.
    Null,
}

/// A statistical or numerical caveat; the fit is returned, read it with care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParametricWarning {
    /// The iteration limit was reached before the log-likelihood settled.
    NotConverged {
        /// Which fit.
        stage: Stage,
        /// Iterations done.
        iterations: usize,
    },
    /// Step halving could not find a step that increases the log-likelihood.
    StepHalvingFailed {
        /// Which fit.
        stage: Stage,
        /// Iteration at which it happened.
        iteration: usize,
    },
    /// The information matrix `−H` at the estimate is not positive definite: standard
    /// errors are NaN (often a covariate that is collinear or separates the events).
    SingularInformation {
        /// Which fit.
        stage: Stage,
    },
    /// A scale went to a boundary (σ < e⁻⁶ or σ > e⁶): the estimate is not interior.
    ScaleAtBoundary {
        /// Stratum label (`None` without strata).
        stratum: Option<usize>,
        /// `log σ`.
        log_scale: f64,
    },
    /// Gompertz shape below zero: the survival curve levels off above zero (a fraction
    /// never has the event), so the mean is infinite.
    DefectiveDistribution {
        /// Stratum label (`None` without strata).
        stratum: Option<usize>,
        /// Shape `a`.
        shape: f64,
    },
    /// The column is a linear combination of the intercept and earlier columns (among
    /// rows with positive weight): it was left out, its coefficient is NaN (R: `NA`).
    Collinear {
        /// Column name.
        column: String,
    },
    /// The coefficient is effectively infinite (monotone likelihood, e.g. a group with
    /// no events): its standard error exceeds 100 per standard deviation of the column.
    InfiniteCoefficient {
        /// Column name.
        column: String,
    },
    /// The generalized gamma's `Q` ran off (|Q| > 10): the likelihood has no finite
    /// maximum in Q (too few events, or a shape outside the family); the fit is not a
    /// valid MLE — prefer the Weibull or log-normal.
    ShapeDiverging {
        /// `Q` where the iteration stopped.
        q: f64,
    },
    /// Few events for the number of parameters (fewer than 10 per parameter).
    FewEvents {
        /// Events.
        events: usize,
        /// Estimated parameters.
        parameters: usize,
    },
}

/// A fitted parametric survival model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParametricFit {
    /// Distribution.
    pub distribution: Distribution,
    /// Parameterisation of `coefficients`: AFT, except Gompertz (PH).
    pub parameterisation: Parameterisation,
    /// Regression coefficients, intercept first, in `parameterisation`.
    pub coefficients: Vec<Coefficient>,
    /// Ancillary parameters: `Log(scale)` per stratum (AFT families except the
    /// exponential; R's order and names), `shape` per stratum (Gompertz), then `Q`
    /// (generalized gamma).
    pub ancillary: Vec<Coefficient>,
    /// σ per stratum (AFT families; 1 for the exponential; empty for Gompertz).
    pub scale: Vec<f64>,
    /// Time ratios `exp(β_j)` of the covariate columns (AFT families).
    pub time_ratios: Option<Vec<Ratio>>,
    /// PH form (exponential, Weibull: converted; Gompertz: native), one per stratum.
    pub ph: Option<Vec<PhForm>>,
    /// All parameters (`coefficients` then `ancillary`) in one vector.
    pub theta: Vec<f64>,
    /// Variance matrix of `theta` (model-based, `(−H)⁻¹`).
    pub var: Vec<Vec<f64>>,
    /// Log-likelihood at the estimate.
    pub loglik: f64,
    /// Log-likelihood of the intercept-only model (same distribution and strata).
    pub loglik_null: f64,
    /// Estimated parameters (coefficients + ancillary).
    pub df: usize,
    /// `−2ℓ + 2·df`.
    pub aic: f64,
    /// `−2ℓ + log(n)·df`, n = rows (as R's `BIC()` on a `survreg` fit).
    pub bic: f64,
    /// `−2ℓ + log(events)·df`.
    pub bic_events: f64,
    /// Likelihood-ratio test against the intercept-only model (df = covariate columns).
    pub lr_test: ChiSquareTest,
    /// Rows used.
    pub n: usize,
    /// Events.
    pub n_event: usize,
    /// Newton–Raphson iterations of the full model.
    pub iterations: usize,
    /// Whether the full model converged.
    pub converged: bool,
    /// Confidence level of the intervals.
    pub conf_level: f64,
    /// Stratum labels (the caller's indices) in the order of the ancillary parameters.
    pub strata: Vec<usize>,
    /// Caveats.
    pub warnings: Vec<ParametricWarning>,
}

fn validate(
    d: &ParametricData,
    dist: Distribution,
    opts: &ParametricOptions,
) -> Result<usize, Error> {
    let n = d.time.len();
    let p = d.columns.len();
    let len = |what: &str, found: usize, expected: usize| {
        if found != expected {
            Err(Error::LengthMismatch {
                what: what.into(),
                expected,
                found,
            })
        } else {
            Ok(())
        }
    };
    len("status (against time)", d.status.len(), n)?;
    len("x (n × number of columns)", d.x.len(), n * p)?;
    if let Some(e) = d.entry {
        len("entry (against time)", e.len(), n)?;
    }
    if let Some(w) = d.weights {
        len("weights (against time)", w.len(), n)?;
    }
    if let Some(s) = d.strata {
        len("strata (against time)", s.len(), n)?;
    }
    if !(opts.conf_level > 0.0 && opts.conf_level < 1.0) {
        return Err(Error::InvalidOption(format!(
            "conf_level must be in (0, 1), found {}",
            opts.conf_level
        )));
    }
    if n == 0 {
        return Err(Error::NoData("no rows".into()));
    }
    if dist == Distribution::Exponential && d.strata.is_some() {
        return Err(Error::InvalidOption(
            "the exponential model has no scale to stratify (strata give each stratum its \
             own scale): fit a Weibull, or enter the stratum as a covariate"
                .into(),
        ));
    }
    for (i, &t) in d.time.iter().enumerate() {
        if !t.is_finite() {
            return Err(Error::InvalidValue {
                what: "time".into(),
                index: i,
                reason: format!("not a finite number ({t})"),
            });
        }
    }
    let bad: Vec<usize> = (0..n)
        .filter(|&i| d.time[i] < 0.0 || (dist.log_time() && d.time[i] <= 0.0))
        .collect();
    if let Some(&first) = bad.first() {
        let shown: Vec<String> = bad.iter().take(10).map(|i| (i + 1).to_string()).collect();
        let more = if bad.len() > 10 {
            format!(" and {} more", bad.len() - 10)
        } else {
            String::new()
        };
        return Err(Error::InvalidValue {
            what: "time".into(),
            index: first,
            reason: format!(
                "{} row(s) with {} time (rows {}{more}, counted from 1); {}: exclude \
                 these rows or correct their times",
                bad.len(),
                if dist.log_time() {
                    "zero or negative"
                } else {
                    "negative"
                },
                shown.join(", "),
                if dist.log_time() {
                    format!("the {dist:?} model works on log time and needs every time > 0")
                } else {
                    "times must be ≥ 0".to_string()
                }
            ),
        });
    }
    if let Some(e) = d.entry {
        for (i, &v) in e.iter().enumerate() {
            if !v.is_finite() || v < 0.0 || v >= d.time[i] {
                return Err(Error::InvalidValue {
                    what: "entry time".into(),
                    index: i,
                    reason: format!(
                        "entry ({v}) must be finite, ≥ 0 and before the exit time ({})",
                        d.time[i]
                    ),
                });
            }
        }
    }
    if let Some(w) = d.weights {
        for (i, &v) in w.iter().enumerate() {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::InvalidValue {
                    what: "weight".into(),
                    index: i,
                    reason: format!("weights must be finite and ≥ 0, found {v}"),
                });
            }
        }
    }
    for (kk, &v) in d.x.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                what: format!("column '{}'", d.columns[kk / n]),
                index: kk % n,
                reason: format!("not a finite number ({v})"),
            });
        }
    }
    Ok(n)
}

/// Fits a parametric survival model by maximum likelihood.
///
/// A column that is a linear combination of the intercept and earlier columns is
/// left out (coefficient NaN, as R's `NA`) with a [`ParametricWarning::Collinear`].
///
/// # Errors
///
/// [`Error::LengthMismatch`] for inputs of different lengths; [`Error::InvalidValue`]
/// for a non-finite value, a zero or negative time in a log-time model (naming the
/// rows), an entry time not before its exit time, a negative weight, or a constant
/// covariate column; [`Error::NoData`] without events; [`Error::InvalidOption`] for a
/// confidence level outside (0, 1) or strata with the exponential (which has no scale).
pub fn fit(
    data: &ParametricData,
    dist: Distribution,
    opts: &ParametricOptions,
) -> Result<ParametricFit, Error> {
    let n = validate(data, dist, opts)?;
    let p = data.columns.len();
    let keep = independent_columns(data, n);
    if keep.len() == p {
        return fit_full_rank(data, dist, opts, n);
    }
    let x: Vec<f64> = keep
        .iter()
        .flat_map(|&j| data.x[j * n..(j + 1) * n].iter().copied())
        .collect();
    let columns: Vec<String> = keep.iter().map(|&j| data.columns[j].clone()).collect();
    let reduced = ParametricData {
        x: &x,
        columns: &columns,
        ..*data
    };
    let f = fit_full_rank(&reduced, dist, opts, n)?;
    Ok(expand_aliased(f, &keep, data.columns))
}

/// Covariate columns (indices) that are not linear combinations of the intercept and
/// the columns before them: the weighted cross-product of the centred columns is
/// reduced column by column (Gram–Schmidt), and a column whose remaining variance is
/// below 1e-10 of its own is aliased.
fn independent_columns(data: &ParametricData, n: usize) -> Vec<usize> {
    let p = data.columns.len();
    let w = |i: usize| data.weights.map_or(1.0, |w| w[i]);
    let sw: f64 = (0..n).map(w).sum();
    let centred: Vec<Vec<f64>> = (0..p)
        .map(|j| {
            let col = &data.x[j * n..(j + 1) * n];
            let m = (0..n).map(|i| w(i) * col[i]).sum::<f64>() / sw;
            col.iter().map(|v| v - m).collect()
        })
        .collect();
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut keep = Vec::new();
    for (j, c) in centred.into_iter().enumerate() {
        let own: f64 = (0..n).map(|i| w(i) * c[i] * c[i]).sum();
        let mut r = c;
        for b in &basis {
            let bb: f64 = (0..n).map(|i| w(i) * b[i] * b[i]).sum();
            let rb: f64 = (0..n).map(|i| w(i) * r[i] * b[i]).sum();
            let f = rb / bb;
            r.iter_mut().zip(b).for_each(|(ri, bi)| *ri -= f * bi);
        }
        let left: f64 = (0..n).map(|i| w(i) * r[i] * r[i]).sum();
        // A constant column (own = 0) is reported by fit_full_rank's check.
        if own == 0.0 || left > 1e-10 * own {
            keep.push(j);
            if own > 0.0 {
                basis.push(r);
            }
        }
    }
    keep
}

/// Puts NaN coefficients back at the aliased columns of a fit made without them.
fn expand_aliased(mut f: ParametricFit, keep: &[usize], columns: &[String]) -> ParametricFit {
    let p = columns.len();
    let nan_coef = |name: &str| Coefficient {
        name: name.to_string(),
        estimate: f64::NAN,
        std_err: f64::NAN,
        z: f64::NAN,
        p: f64::NAN,
        lower: f64::NAN,
        upper: f64::NAN,
    };
    let nan_ratio = |name: &str| Ratio {
        name: name.to_string(),
        ratio: f64::NAN,
        lower: f64::NAN,
        upper: f64::NAN,
    };
    // New position of each old parameter: intercept 0, kept column k → 1 + keep[k],
    // ancillary shifted by the number of aliased columns.
    let aliased = p - keep.len();
    let old_m = f.theta.len();
    let m = old_m + aliased;
    let pos: Vec<usize> = (0..old_m)
        .map(|i| match i {
            0 => 0,
            i if i <= keep.len() => 1 + keep[i - 1],
            i => i + aliased,
        })
        .collect();
    let spread = |old: &[Coefficient]| -> Vec<Coefficient> {
        let mut out: Vec<Coefficient> = std::iter::once(old[0].clone())
            .chain(columns.iter().map(|c| nan_coef(c)))
            .collect();
        for (k, &j) in keep.iter().enumerate() {
            out[1 + j] = old[1 + k].clone();
        }
        out
    };
    let spread_ratio = |old: &[Ratio]| -> Vec<Ratio> {
        let mut out: Vec<Ratio> = columns.iter().map(|c| nan_ratio(c)).collect();
        for (k, &j) in keep.iter().enumerate() {
            out[j] = old[k].clone();
        }
        out
    };
    f.coefficients = spread(&f.coefficients);
    f.time_ratios = f.time_ratios.map(|r| spread_ratio(&r));
    if let Some(ph) = f.ph.as_mut() {
        for form in ph.iter_mut() {
            form.coefficients = spread(&form.coefficients);
            form.hazard_ratios = spread_ratio(&form.hazard_ratios);
        }
    }
    let mut theta = vec![f64::NAN; m];
    let mut var = vec![vec![f64::NAN; m]; m];
    for i in 0..old_m {
        theta[pos[i]] = f.theta[i];
        for j in 0..old_m {
            var[pos[i]][pos[j]] = f.var[i][j];
        }
    }
    f.theta = theta;
    f.var = var;
    let mut warnings: Vec<ParametricWarning> = (0..p)
        .filter(|j| !keep.contains(j))
        .map(|j| ParametricWarning::Collinear {
            column: columns[j].clone(),
        })
        .collect();
    warnings.append(&mut f.warnings);
    f.warnings = warnings;
    f
}

fn fit_full_rank(
    data: &ParametricData,
    dist: Distribution,
    opts: &ParametricOptions,
    n: usize,
) -> Result<ParametricFit, Error> {
    let p = data.columns.len();
    let k = p + 1;
    // Standardise the covariate columns (weighted means and SDs) for conditioning.
    let w: Vec<f64> = data.weights.map_or_else(|| vec![1.0; n], |w| w.to_vec());
    let sw: f64 = w.iter().sum();
    let n_event = (0..n).filter(|&i| data.status[i] && w[i] > 0.0).count();
    if n_event == 0 || sw <= 0.0 {
        return Err(Error::NoData(
            "no events (with positive weight): a survival model needs at least one".into(),
        ));
    }
    let mut centre = vec![0.0; p];
    let mut spread = vec![1.0; p];
    for j in 0..p {
        let col = &data.x[j * n..(j + 1) * n];
        let m = col.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() / sw;
        let v = col
            .iter()
            .zip(&w)
            .map(|(a, b)| b * (a - m).powi(2))
            .sum::<f64>()
            / sw;
        if v <= 1e-300 || !v.is_finite() {
            return Err(Error::InvalidValue {
                what: format!("column '{}'", data.columns[j]),
                index: 0,
                reason: "the column is constant (among rows with positive weight): it has \
                         no effect to estimate beside the intercept; remove it"
                    .into(),
            });
        }
        centre[j] = m;
        spread[j] = v.sqrt();
    }
    let mut x = Vec::with_capacity(n * k);
    for i in 0..n {
        x.push(1.0);
        for j in 0..p {
            x.push((data.x[j * n + i] - centre[j]) / spread[j]);
        }
    }
    // Dense strata.
    let mut labels: Vec<usize> = data.strata.map_or_else(|| vec![0], |s| s.to_vec());
    labels.sort_unstable();
    labels.dedup();
    let stratum: Vec<usize> = match data.strata {
        Some(s) => s
            .iter()
            .map(|v| labels.binary_search(v).expect("label"))
            .collect(),
        None => vec![0; n],
    };
    let tr = |t: f64| if dist.log_time() { t.ln() } else { t };
    let prob = Problem {
        dist,
        n,
        k,
        x,
        y: data.time.iter().map(|&t| tr(t)).collect(),
        ye: (0..n)
            .map(|i| match data.entry {
                Some(e) if e[i] > 0.0 => tr(e[i]),
                _ => f64::NAN,
            })
            .collect(),
        event: data.status.to_vec(),
        w,
        stratum,
        n_strata: labels.len(),
    };
    let mut warnings = Vec::new();
    let null = prob.with_columns(1);
    let null_fit = fit_problem(&null, opts, Stage::Null, &mut warnings)?;
    let full_fit = if p == 0 {
        null_fit.clone()
    } else {
        let mut start = vec![0.0; prob.n_par()];
        start[0] = null_fit.theta[0];
        start[k..].copy_from_slice(&null_fit.theta[1..]);
        fit_from(&prob, opts, Stage::Full, start, &mut warnings)?
    };
    let with_labels = data.strata.is_some();
    Ok(summarise(
        &prob,
        full_fit,
        null_fit.eval.ll,
        &centre,
        &spread,
        data.columns,
        &labels,
        with_labels,
        n_event,
        opts,
        warnings,
    ))
}

/// Maximiser result kept for summarising.
#[derive(Clone)]
struct Fitted {
    theta: Vec<f64>,
    eval: model::Eval,
    iterations: usize,
    converged: bool,
}

/// Fits a problem from the distribution's usual starting values (the null model when
/// k = 1; the generalized gamma and Gompertz through simpler fits).
fn fit_problem(
    prob: &Problem,
    opts: &ParametricOptions,
    stage: Stage,
    warnings: &mut Vec<ParametricWarning>,
) -> Result<Fitted, Error> {
    let m = prob.n_par();
    let sw: f64 = prob.w.iter().sum();
    match prob.dist {
        Distribution::GeneralizedGamma => {
            // From the better of the Weibull (Q = 1) and log-normal (Q = 0) fits.
            let mut best: Option<Vec<f64>> = None;
            let mut best_ll = f64::NEG_INFINITY;
            for (d, q) in [(Distribution::Weibull, 1.0), (Distribution::LogNormal, 0.0)] {
                let mut sub = prob.clone();
                sub.dist = d;
                let mut ignore = Vec::new();
                if let Ok(f) = fit_problem(&sub, opts, stage, &mut ignore) {
                    let mut th = f.theta.clone();
                    th.push(q);
                    if let Some(e) = prob.eval(&th) {
                        if e.ll > best_ll {
                            best_ll = e.ll;
                            best = Some(th);
                        }
                    }
                }
            }
            let start = best.ok_or_else(|| {
                Error::NoData("no starting values for the generalized gamma".into())
            })?;
            fit_from(prob, opts, stage, start, warnings)
        }
        Distribution::Gompertz => {
            // From the exponential (a = 0): log rate = log(events / exposure).
            let mut start = vec![0.0; m];
            start[0] = -initial_exp_location(prob, sw);
            if prob.k > 1 {
                let mut sub = prob.clone();
                sub.dist = Distribution::Exponential;
                sub.y = prob.y.iter().map(|t| t.ln()).collect();
                sub.ye = prob.ye.iter().map(|t| t.ln()).collect();
                if sub.y.iter().all(|v| v.is_finite()) {
                    let mut ignore = Vec::new();
                    if let Ok(f) = fit_problem(&sub, opts, stage, &mut ignore) {
                        for (s, b) in start.iter_mut().zip(&f.theta).take(prob.k) {
                            *s = -b;
                        }
                    }
                }
            }
            fit_from(prob, opts, stage, start, warnings)
        }
        _ => {
            let mut start = vec![0.0; m];
            match prob.dist {
                Distribution::Exponential | Distribution::Weibull => {
                    start[0] = initial_exp_location(prob, sw);
                }
                _ => {
                    // Mean and SD of log time over all rows (censoring ignored).
                    let mean = prob.y.iter().zip(&prob.w).map(|(a, b)| a * b).sum::<f64>() / sw;
                    let var = prob
                        .y
                        .iter()
                        .zip(&prob.w)
                        .map(|(a, b)| b * (a - mean).powi(2))
                        .sum::<f64>()
                        / sw;
                    start[0] = mean;
                    let s0 = var.sqrt().max(1e-3).ln()
                        - if prob.dist == Distribution::LogLogistic {
                            (std::f64::consts::PI / 3f64.sqrt()).ln()
                        } else {
                            0.0
                        };
                    for s in 0..prob.n_anc() {
                        start[prob.k + s] = s0;
                    }
                }
            }
            fit_from(prob, opts, stage, start, warnings)
        }
    }
}

/// `log(Σ w (t − t₀) / Σ w δ)`: the exponential MLE of the location.
fn initial_exp_location(prob: &Problem, _sw: f64) -> f64 {
    let back = |v: f64| if prob.dist.log_time() { v.exp() } else { v };
    let mut exposure = 0.0;
    let mut events = 0.0;
    for i in 0..prob.n {
        let t0 = if prob.ye[i].is_nan() {
            0.0
        } else {
            back(prob.ye[i])
        };
        exposure += prob.w[i] * (back(prob.y[i]) - t0);
        if prob.event[i] {
            events += prob.w[i];
        }
    }
    (exposure / events).ln()
}

fn fit_from(
    prob: &Problem,
    opts: &ParametricOptions,
    stage: Stage,
    start: Vec<f64>,
    warnings: &mut Vec<ParametricWarning>,
) -> Result<Fitted, Error> {
    let r = maximize(prob, start, opts.max_iter, opts.eps).ok_or_else(|| {
        Error::NoData(format!(
            "the {:?} log-likelihood is not finite at the starting values",
            prob.dist
        ))
    })?;
    if r.halving_failed {
        warnings.push(ParametricWarning::StepHalvingFailed {
            stage,
            iteration: r.iterations,
        });
    } else if !r.converged {
        warnings.push(ParametricWarning::NotConverged {
            stage,
            iterations: r.iterations,
        });
    }
    Ok(Fitted {
        theta: r.theta,
        eval: r.eval,
        iterations: r.iterations,
        converged: r.converged,
    })
}

/// Two-sided normal quantile for the confidence level.
pub(crate) fn z_crit(conf_level: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .unwrap()
        .inverse_cdf(0.5 + conf_level / 2.0)
}

pub(crate) fn coefficient(name: String, estimate: f64, std_err: f64, zc: f64) -> Coefficient {
    let z = estimate / std_err;
    let p = 2.0 * Normal::new(0.0, 1.0).unwrap().sf(z.abs());
    Coefficient {
        name,
        estimate,
        std_err,
        z,
        p,
        lower: estimate - zc * std_err,
        upper: estimate + zc * std_err,
    }
}

fn ratio(c: &Coefficient) -> Ratio {
    Ratio {
        name: c.name.clone(),
        ratio: c.estimate.exp(),
        lower: c.lower.exp(),
        upper: c.upper.exp(),
    }
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    prob: &Problem,
    f: Fitted,
    loglik_null: f64,
    centre: &[f64],
    spread: &[f64],
    columns: &[String],
    labels: &[usize],
    with_labels: bool,
    n_event: usize,
    opts: &ParametricOptions,
    mut warnings: Vec<ParametricWarning>,
) -> ParametricFit {
    let dist = prob.dist;
    let k = prob.k;
    let p = k - 1;
    let m = prob.n_par();
    // θ = A θ̃: β_j = β̃_j / sd_j, β₀ = β̃₀ − Σ β̃_j m_j / sd_j; ancillaries unchanged.
    let mut a = DMatrix::<f64>::identity(m, m);
    for j in 0..p {
        a[(j + 1, j + 1)] = 1.0 / spread[j];
        a[(0, j + 1)] = -centre[j] / spread[j];
    }
    let theta_std = nalgebra::DVector::from_vec(f.theta.clone());
    let theta: Vec<f64> = (&a * theta_std).iter().copied().collect();
    let info = -&f.eval.hess;
    let var_std = info.clone().cholesky().map(|c| c.inverse());
    let var = match var_std {
        Some(v) => {
            // Monotone likelihood: a coefficient whose SE per SD of its column exceeds
            // 100 is effectively infinite (the likelihood keeps rising along it).
            for j in 1..k {
                if v[(j, j)].sqrt() > 100.0 {
                    warnings.push(ParametricWarning::InfiniteCoefficient {
                        column: columns[j - 1].clone(),
                    });
                }
            }
            &a * v * a.transpose()
        }
        None => {
            warnings.push(ParametricWarning::SingularInformation { stage: Stage::Full });
            DMatrix::from_element(m, m, f64::NAN)
        }
    };
    let zc = z_crit(opts.conf_level);
    let se = |j: usize| var[(j, j)].sqrt();
    let mut names = vec!["(Intercept)".to_string()];
    names.extend(columns.iter().cloned());
    let coefficients: Vec<Coefficient> = (0..k)
        .map(|j| coefficient(names[j].clone(), theta[j], se(j), zc))
        .collect();
    let label = |s: usize| with_labels.then_some(labels[s]);
    let anc_name = |s: usize, base: &str| {
        if with_labels {
            format!("{base}:stratum {}", labels[s])
        } else {
            base.to_string()
        }
    };
    let mut ancillary = Vec::new();
    for s in 0..prob.n_anc() {
        let base = if dist == Distribution::Gompertz {
            "shape"
        } else {
            "Log(scale)"
        };
        ancillary.push(coefficient(anc_name(s, base), theta[k + s], se(k + s), zc));
    }
    if dist == Distribution::GeneralizedGamma {
        let j = k + prob.n_anc();
        ancillary.push(coefficient("Q".into(), theta[j], se(j), zc));
    }
    let scale: Vec<f64> = match dist {
        Distribution::Gompertz => Vec::new(),
        Distribution::Exponential => vec![1.0; prob.n_strata],
        _ => (0..prob.n_strata).map(|s| theta[k + s].exp()).collect(),
    };
    for s in 0..prob.n_anc() {
        let v = theta[k + s];
        if dist == Distribution::Gompertz {
            if v < 0.0 {
                warnings.push(ParametricWarning::DefectiveDistribution {
                    stratum: label(s),
                    shape: v,
                });
            }
        } else if v.abs() > 6.0 {
            warnings.push(ParametricWarning::ScaleAtBoundary {
                stratum: label(s),
                log_scale: v,
            });
        }
    }
    if dist == Distribution::GeneralizedGamma && theta[m - 1].abs() > 10.0 {
        warnings.push(ParametricWarning::ShapeDiverging { q: theta[m - 1] });
    }
    if n_event < 10 * m {
        warnings.push(ParametricWarning::FewEvents {
            events: n_event,
            parameters: m,
        });
    }
    let time_ratios = (dist.native() == Parameterisation::Aft)
        .then(|| coefficients[1..].iter().map(ratio).collect());
    let ph = dist.has_ph_form().then(|| {
        (0..prob.n_strata)
            .map(|s| ph_form(dist, &theta, &var, k, s, label(s), &names, zc))
            .collect()
    });
    let ll = f.eval.ll;
    let df = m;
    let nf = prob.n as f64;
    ParametricFit {
        distribution: dist,
        parameterisation: dist.native(),
        coefficients,
        ancillary,
        scale,
        time_ratios,
        ph,
        var: (0..m)
            .map(|i| (0..m).map(|j| var[(i, j)]).collect())
            .collect(),
        theta,
        loglik: ll,
        loglik_null,
        df,
        aic: -2.0 * ll + 2.0 * df as f64,
        bic: -2.0 * ll + nf.ln() * df as f64,
        bic_events: -2.0 * ll + (n_event as f64).ln() * df as f64,
        lr_test: ChiSquareTest::new(2.0 * (ll - loglik_null), p),
        n: prob.n,
        n_event,
        iterations: f.iterations,
        converged: f.converged,
        conf_level: opts.conf_level,
        strata: if with_labels {
            labels.to_vec()
        } else {
            Vec::new()
        },
        warnings,
    }
}

/// PH form of stratum `s` (see the module docs for the formulas).
#[allow(clippy::too_many_arguments)]
fn ph_form(
    dist: Distribution,
    theta: &[f64],
    var: &DMatrix<f64>,
    k: usize,
    s: usize,
    stratum: Option<usize>,
    names: &[String],
    zc: f64,
) -> PhForm {
    let (coefficients, shape): (Vec<Coefficient>, Option<Coefficient>) = match dist {
        Distribution::Gompertz => {
            let c = (0..k)
                .map(|j| coefficient(names[j].clone(), theta[j], var[(j, j)].sqrt(), zc))
                .collect();
            let j = k + s;
            (
                c,
                Some(coefficient(
                    "shape".into(),
                    theta[j],
                    var[(j, j)].sqrt(),
                    zc,
                )),
            )
        }
        Distribution::Exponential => {
            let c = (0..k)
                .map(|j| coefficient(names[j].clone(), -theta[j], var[(j, j)].sqrt(), zc))
                .collect();
            (c, None)
        }
        _ => {
            let ls = theta[k + s];
            let inv = (-ls).exp();
            let vss = var[(k + s, k + s)];
            let c = (0..k)
                .map(|j| {
                    let b = theta[j];
                    // g = −b e^{−s}: ∂g/∂b = −1/σ, ∂g/∂s = b/σ.
                    let v = inv * inv * (var[(j, j)] - 2.0 * b * var[(j, k + s)] + b * b * vss);
                    coefficient(names[j].clone(), -b * inv, v.sqrt(), zc)
                })
                .collect();
            let se_ls = vss.sqrt();
            // z and p test shape = 1 (the exponential), on the log scale.
            let z = -ls / se_ls;
            let shape = Coefficient {
                name: "shape".into(),
                estimate: inv,
                std_err: inv * se_ls,
                z,
                p: 2.0 * Normal::new(0.0, 1.0).unwrap().sf(z.abs()),
                lower: (-ls - zc * se_ls).exp(),
                upper: (-ls + zc * se_ls).exp(),
            };
            (c, Some(shape))
        }
    };
    let hazard_ratios = coefficients[1..].iter().map(ratio).collect();
    PhForm {
        stratum,
        coefficients,
        hazard_ratios,
        shape,
    }
}
