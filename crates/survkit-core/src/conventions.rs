//! Conventions that make the same data give different numbers in R, SAS, Stata, Prism
//! and lifelines, each as a named rule, and the set of rules each program follows
//! ([`Program::conventions`]). The table with sources is `docs/conventions.md`.
//!
//! The functions here read a fitted [`KmFit`] and apply one program's rule:
//! [`quantile`] (median and other quantiles, with confidence limits), [`surv_at`]
//! (survival at a time, also past the last observation) and [`nelson_aalen`] (the
//! cumulative hazard with R's or lifelines' treatment of ties). The tests, Cox tie
//! methods and CI transforms live with their estimators ([`crate::compare`],
//! [`crate::cox`], [`crate::km`]); [`Conventions`] names which to use.
//!
//! # Formula
//!
//! *Quantiles.* With `Ŝ` the Kaplan–Meier curve and `1 − p` the target:
//! - [`QuantileDefinition::R`]: R's `quantile.survfit` (see [`QuantileRule`]): the first
//!   time `Ŝ ≤ 1 − p`; where `Ŝ = 1 − p` exactly over a stretch, the midpoint of the
//!   stretch (Klein & Moeschberger 2003, §4.5). SAS documents the same midpoint
//!   (LIFETEST, "Computational Formulas": "if Ŝ(t) is exactly equal to 0.75 from t_j to
//!   t_{j+1}, the first quartile is taken to be (t_j + t_{j+1})/2").
//! - [`QuantileDefinition::FirstAtOrBelow`] (lifelines `median_survival_time_`,
//!   `qth_survival_time`): the first time `Ŝ ≤ 1 − p`, no midpoint. (lifelines compares
//!   its floating-point `Ŝ` with `1 − p` exactly, so on an exact plateau at `1 − p` it
//!   returns the plateau's start or the next time depending on the last bit of its
//!   product; survkit treats values within 1.5e-8 of `1 − p` as equal, i.e. the start.)
//!
//! Confidence limits: the same rule applied to the lower and upper pointwise bands
//! (Brookmeyer & Crowley 1982 as R computes it; lifelines'
//! `median_survival_times(confidence_interval_)`, whose band is [0, 0] where S = 0, so
//! that its upper limit is reached when the curve drops to 0). `None` = not reached.
//!
//! *Nelson–Aalen.* At a time with `n` at risk and `d` events:
//! - [`NelsonAalenTies::R`] (R `survfit`'s `cumhaz`, SAS, Stata `sts list, na`):
//!   `ΔH = d/n`, `Δvar = d/n²`;
//! - [`NelsonAalenTies::TieCorrected`] (lifelines' default `nelson_aalen_smoothing=True`;
//!   Aalen, Borgan & Gjessing 2008, §3.1.3): the `d` events taken one after another,
//!   `ΔH = Σ_{i=0}^{d−1} 1/(n − i)`, `Δvar = Σ_{i=0}^{d−1} 1/(n − i)²`.
//!
//! Confidence limits on the log scale, `H·exp(±z·√var/H)` (lifelines; Aalen et al.
//! 2008, §3.1.6).
//!
//! # References
//!
//! - Brookmeyer R, Crowley J (1982). A confidence interval for the median survival time.
//!   *Biometrics* 38:29–41.
//! - Aalen OO, Borgan Ø, Gjessing HK (2008). *Survival and Event History Analysis*.
//!   Springer.
//! - Klein JP, Moeschberger ML (2003). *Survival Analysis*, 2nd ed. Springer.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::compare::TestMethod;
use crate::cox::exact::ExactTies;
use crate::cox::Ties;
use crate::km::{quantile_of_curve, ConfType, KmFit, Quantile, QuantileRule};
use crate::Error;

/// A program whose default conventions survkit can reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Program {
    /// R `survival` (survkit's default).
    #[default]
    R,
    /// SAS/STAT PROC LIFETEST and PROC PHREG.
    Sas,
    /// Stata `sts` and `stcox`.
    Stata,
    /// GraphPad Prism.
    Prism,
    /// Python lifelines.
    Lifelines,
}

/// How a quantile of the Kaplan–Meier curve is read off (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum QuantileDefinition {
    /// First time `Ŝ ≤ 1 − p`, midpoint of an exact plateau (R, SAS).
    #[default]
    R,
    /// First time `Ŝ ≤ 1 − p`, no midpoint (lifelines).
    FirstAtOrBelow,
}

/// Survival asked for at a time after the last observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum BeyondLast {
    /// The last value of the curve is carried forward (R `summary(fit, times =,
    /// extend = TRUE)`, lifelines `predict`).
    #[default]
    CarryForward,
    /// Not estimable (`None`) past the last observed time (SAS; R's `summary` without
    /// `extend` drops such times).
    NotEstimable,
}

/// Nelson–Aalen increments at tied event times (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NelsonAalenTies {
    /// `d/n`, variance `d/n²` (R).
    #[default]
    R,
    /// `Σ 1/(n − i)`, variance `Σ 1/(n − i)²` (lifelines' default).
    TieCorrected,
}

/// Cox tie handling, the approximations and the two exact likelihoods together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TieMethod {
    /// Efron (R, lifelines).
    #[default]
    Efron,
    /// Breslow (SAS, Stata).
    Breslow,
    /// Exact discrete likelihood (R `ties = "exact"`, SAS `TIES=DISCRETE`).
    Discrete,
    /// Exact marginal likelihood, Kalbfleisch–Prentice (SAS `TIES=EXACT`, Stata
    /// `exactm`; Prism's "exact", see docs/conventions.md).
    Marginal,
}

impl TieMethod {
    /// The approximation for [`crate::cox::fit`], or the exact likelihood for
    /// [`crate::cox::exact::fit_exact`].
    pub fn split(self) -> Result<Ties, ExactTies> {
        match self {
            TieMethod::Efron => Ok(Ties::Efron),
            TieMethod::Breslow => Ok(Ties::Breslow),
            TieMethod::Discrete => Err(ExactTies::Discrete),
            TieMethod::Marginal => Err(ExactTies::Marginal),
        }
    }
}

/// The conventions one program follows by default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Conventions {
    /// Program these are the defaults of.
    pub program: Program,
    /// Kaplan–Meier pointwise CI transform.
    pub conf_type: ConfType,
    /// Median and quantile definition.
    pub quantile: QuantileDefinition,
    /// Survival past the last observation.
    pub beyond_last: BeyondLast,
    /// Nelson–Aalen at ties.
    pub nelson_aalen: NelsonAalenTies,
    /// Cox tie handling.
    pub cox_ties: TieMethod,
    /// The test a user who asks this program for "Peto–Peto" gets.
    pub peto: TestMethod,
}

impl Program {
    /// Default conventions of the program (sources in docs/conventions.md).
    pub fn conventions(self) -> Conventions {
        let (conf_type, quantile, beyond_last, nelson_aalen, cox_ties, peto) = match self {
            Program::R => (
                ConfType::Log,
                QuantileDefinition::R,
                BeyondLast::CarryForward,
                NelsonAalenTies::R,
                TieMethod::Efron,
                TestMethod::PetoPeto,
            ),
            Program::Sas => (
                ConfType::LogLog,
                QuantileDefinition::R,
                BeyondLast::NotEstimable,
                NelsonAalenTies::R,
                TieMethod::Breslow,
                TestMethod::PetoPetoPrentice,
            ),
            Program::Stata => (
                ConfType::LogLog,
                QuantileDefinition::R,
                BeyondLast::CarryForward,
                NelsonAalenTies::R,
                TieMethod::Breslow,
                TestMethod::PetoPetoPrentice,
            ),
            Program::Prism => (
                ConfType::LogLog,
                QuantileDefinition::R,
                BeyondLast::CarryForward,
                NelsonAalenTies::R,
                TieMethod::Marginal,
                TestMethod::PetoPeto,
            ),
            Program::Lifelines => (
                ConfType::LogLog,
                QuantileDefinition::FirstAtOrBelow,
                BeyondLast::CarryForward,
                NelsonAalenTies::TieCorrected,
                TieMethod::Efron,
                TestMethod::PetoPetoPrentice,
            ),
        };
        Conventions {
            program: self,
            conf_type,
            quantile,
            beyond_last,
            nelson_aalen,
            cox_ties,
            peto,
        }
    }

    /// Lower-case name as in `--preset`: "r", "sas", "stata", "prism", "lifelines".
    pub fn name(self) -> &'static str {
        match self {
            Program::R => "r",
            Program::Sas => "sas",
            Program::Stata => "stata",
            Program::Prism => "prism",
            Program::Lifelines => "lifelines",
        }
    }
}

/// First index whose value is at or below `target` (values within 1.5e-8 count as equal).
fn first_at_or_below(values: &[Option<f64>], target: f64) -> Option<usize> {
    const TOL: f64 = 1.490_116_119_384_765_6e-8;
    values
        .iter()
        .position(|v| matches!(v, Some(x) if *x <= target + TOL))
}

/// The `p`-quantile of a Kaplan–Meier fit with confidence limits from its pointwise
/// bands, by the definition `def`.
///
/// # Errors
/// [`Error::InvalidOption`] when `p` is not strictly between 0 and 1.
pub fn quantile(fit: &KmFit, p: f64, def: QuantileDefinition) -> Result<Quantile, Error> {
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::InvalidOption(format!(
            "a quantile's probability must be between 0 and 1, found {p}"
        )));
    }
    let surv: Vec<Option<f64>> = fit.surv.iter().map(|&s| Some(s)).collect();
    // lifelines reports the band as [0, 0] where S = 0 (survkit and R: undefined), so an
    // upper limit is reached when the curve drops to 0.
    let band = |b: &[Option<f64>]| -> Vec<Option<f64>> {
        match def {
            QuantileDefinition::R => b.to_vec(),
            QuantileDefinition::FirstAtOrBelow => b
                .iter()
                .zip(&fit.surv)
                .map(|(&v, &s)| if s == 0.0 { Some(0.0) } else { v })
                .collect(),
        }
    };
    let read = |values: &[Option<f64>]| match def {
        QuantileDefinition::R => {
            quantile_of_curve(&fit.time, values, p, QuantileRule::Intersection)
        }
        QuantileDefinition::FirstAtOrBelow => {
            first_at_or_below(values, 1.0 - p).map(|j| fit.time[j])
        }
    };
    Ok(Quantile {
        p,
        estimate: read(&surv),
        lower: read(&band(&fit.lower)),
        upper: read(&band(&fit.upper)),
    })
}

/// Survival (with pointwise limits) at time `t`: the curve's value at the last
/// distinct time ≤ `t` (1 before the first), and past the last observed time as
/// `rule` says. Returns `(surv, lower, upper)`.
pub fn surv_at(fit: &KmFit, t: f64, rule: BeyondLast) -> (Option<f64>, Option<f64>, Option<f64>) {
    let last = fit.time.last().copied().unwrap_or(f64::NEG_INFINITY);
    if t > last && rule == BeyondLast::NotEstimable {
        return (None, None, None);
    }
    let k = fit.time.partition_point(|&x| x <= t);
    if k == 0 {
        return (Some(1.0), Some(1.0), Some(1.0));
    }
    (Some(fit.surv[k - 1]), fit.lower[k - 1], fit.upper[k - 1])
}

/// Nelson–Aalen cumulative hazard at each distinct time of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NelsonAalen {
    /// Tie treatment used.
    pub ties: NelsonAalenTies,
    /// Distinct times (as the fit).
    pub time: Vec<f64>,
    /// Cumulative hazard `H(t)`.
    pub cumhaz: Vec<f64>,
    /// Variance of `H(t)`.
    pub var: Vec<f64>,
    /// Lower limit `H·exp(−z√var/H)`; `None` while H = 0.
    pub lower: Vec<Option<f64>>,
    /// Upper limit `H·exp(+z√var/H)`; `None` while H = 0.
    pub upper: Vec<Option<f64>>,
}

/// Nelson–Aalen estimate from a fit's risk table (`n_risk`, `n_event`), with the tie
/// treatment `ties` and log-scale confidence limits at `conf_level`.
///
/// # Errors
/// [`Error::InvalidOption`] when `conf_level` is not strictly between 0 and 1.
pub fn nelson_aalen(
    fit: &KmFit,
    ties: NelsonAalenTies,
    conf_level: f64,
) -> Result<NelsonAalen, Error> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(Error::InvalidOption(format!(
            "confidence level must be between 0 and 1 (exclusive), found {conf_level}"
        )));
    }
    let z = Normal::new(0.0, 1.0)
        .map_err(|e| Error::InvalidOption(e.to_string()))?
        .inverse_cdf(1.0 - (1.0 - conf_level) / 2.0);
    let m = fit.time.len();
    let (mut h, mut v) = (0.0f64, 0.0f64);
    let mut out = NelsonAalen {
        ties,
        time: fit.time.clone(),
        cumhaz: Vec::with_capacity(m),
        var: Vec::with_capacity(m),
        lower: Vec::with_capacity(m),
        upper: Vec::with_capacity(m),
    };
    for j in 0..m {
        let (n, d) = (fit.n_risk[j], fit.n_event[j]);
        if d > 0.0 && n > 0.0 {
            match ties {
                NelsonAalenTies::R => {
                    h += d / n;
                    v += d / (n * n);
                }
                NelsonAalenTies::TieCorrected => {
                    // Whole events one after another; a fractional remainder (weighted
                    // data) enters at the risk set left after the whole ones.
                    let whole = d.floor() as usize;
                    for i in 0..whole {
                        let r = n - i as f64;
                        h += 1.0 / r;
                        v += 1.0 / (r * r);
                    }
                    let frac = d - whole as f64;
                    if frac > 0.0 {
                        let r = n - whole as f64;
                        h += frac / r;
                        v += frac / (r * r);
                    }
                }
            }
        }
        out.cumhaz.push(h);
        out.var.push(v);
        if h > 0.0 {
            let f = (z * v.sqrt() / h).exp();
            out.lower.push(Some(h / f));
            out.upper.push(Some(h * f));
        } else {
            out.lower.push(None);
            out.upper.push(None);
        }
    }
    Ok(out)
}
