//! Predictions from a fitted model for one covariate profile: survival, hazard and
//! cumulative hazard at any time, quantiles (median), the restricted mean to τ and the
//! unrestricted mean where it is finite, each with a delta-method confidence interval.
//!
//! # Formula
//!
//! With `θ̂` the estimates and `V` their variance matrix, a prediction `g(θ̂)` has
//! `se = √(∇gᵀ V ∇g)`.
//!
//! - Survival and cumulative hazard: on the log cumulative hazard scale,
//!   `l = log H(t)`, `H ∈ exp(l ± z·se_l)`, `S ∈ exp(−exp(l ∓ z·se_l))` (for the
//!   Weibull and exponential `l` is linear in the standardised residual, so this is the
//!   interval on the linear-predictor scale). Hazard: `exp(log h ± z·se)`.
//! - Quantiles (AFT families): `log t_p = xβ + σ w_p`, `w_p = F_W⁻¹(p)`, with
//!   `∂/∂β = x`, `∂/∂ log σ = σ w_p` — R's `predict(type = "uquantile", se.fit = TRUE)`;
//!   the time-scale `std_err = t_p · se(log t_p)` is R's `type = "quantile"` `se.fit`.
//!   The interval is `exp(log t_p ± z·se)` by default ([`QuantileCi::LogTime`]), or
//!   `t_p ± z·std_err` ([`QuantileCi::Time`], the Wald interval on R's output).
//!   Gompertz: `t_p = log(1 + a c e^{−xβ})/a`, `c = −log(1 − p)` (∞ when the defective
//!   curve never reaches `1 − p`).
//! - Restricted mean `∫₀^τ S(t) dt` by adaptive Gauss–Legendre quadrature (substitution
//!   `t = τv²`, which smooths the `t^γ` behaviour at 0), interval `± z·se`. Unrestricted mean:
//!   Weibull `e^{xβ} Γ(1 + σ)`, log-normal `e^{xβ + σ²/2}`, log-logistic
//!   `e^{xβ} πσ/sin(πσ)` (finite for σ < 1), generalized gamma
//!   `e^{μ} a^{−σ/Q} Γ(a + σ/Q)/Γ(a)` (finite when `1 + σQ > 0`), Gompertz by
//!   quadrature when `a > 0`; interval `exp(log m ± z·se)`.
//!
//! Gradients other than the AFT quantiles' are by central differences in `θ` (step
//! `1e-5·max(1, |θ_j|)`), which is accurate to about 1e-9 relative here.

use super::dist::{gompertz_g, ExtremeValue, GenGamma, Logistic, Normal, Standard};
use super::{z_crit, Distribution, ParametricFit};
use crate::Error;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

/// A covariate profile: the values of the `p` covariate columns (original units) and
/// the stratum label (the caller's index; `None` without strata).
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    /// Covariate values, in the order of the fit's columns.
    pub x: &'a [f64],
    /// Stratum label as given to the fit.
    pub stratum: Option<usize>,
}

/// Survival, hazard and cumulative hazard at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedPoint {
    /// Time.
    pub time: f64,
    /// Survival `S(t)`.
    pub surv: f64,
    /// Lower limit of `S(t)`.
    pub surv_lower: f64,
    /// Upper limit of `S(t)`.
    pub surv_upper: f64,
    /// Cumulative hazard `H(t) = −log S(t)`.
    pub cumhaz: f64,
    /// Lower limit of `H(t)`.
    pub cumhaz_lower: f64,
    /// Upper limit of `H(t)`.
    pub cumhaz_upper: f64,
    /// Standard error of `log H(t)`.
    pub std_err_log_cumhaz: f64,
    /// Hazard `h(t)`.
    pub hazard: f64,
    /// Lower limit of `h(t)`.
    pub hazard_lower: f64,
    /// Upper limit of `h(t)`.
    pub hazard_upper: f64,
}

/// How the quantile interval is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileCi {
    /// `exp(log t_p ± z·se(log t_p))` (R's `uquantile` ± z·se, back-transformed).
    #[default]
    LogTime,
    /// `t_p ± z·std_err` (R's `quantile` ± z·se.fit).
    Time,
}

/// A predicted quantile: the time by which a fraction `p` has had the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedQuantile {
    /// Probability (0.5 = median).
    pub p: f64,
    /// Quantile `t_p` (∞ when the survival curve never falls to `1 − p`).
    pub time: f64,
    /// Standard error of `t_p` (R's `se.fit` for `type = "quantile"`).
    pub std_err: f64,
    /// Standard error of `log t_p` (R's `se.fit` for `type = "uquantile"`).
    pub std_err_log: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// A (restricted) mean survival time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedMean {
    /// Horizon τ of the restricted mean; `None` for the unrestricted mean.
    pub tau: Option<f64>,
    /// Estimate.
    pub mean: f64,
    /// Standard error.
    pub std_err: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// The model's parameters for one profile.
#[derive(Debug, Clone, Copy)]
struct Local {
    dist: Distribution,
    eta: f64,
    /// log σ (AFT families; 0 for the exponential) or the Gompertz shape.
    anc: f64,
    q: f64,
}

impl Local {
    /// `(log S(t), log h(t))`.
    fn log_surv_haz(&self, t: f64) -> (f64, f64) {
        match self.dist {
            Distribution::Gompertz => {
                let g = gompertz_g(self.anc, t);
                (-self.eta.exp() * g.v, self.eta + self.anc * t)
            }
            d => {
                let s = self.anc;
                let z = (t.ln() - self.eta) / s.exp();
                let (ls, lf) = match d {
                    Distribution::LogNormal => (Normal.log_surv(z).v, Normal.log_density(z).v),
                    Distribution::LogLogistic => {
                        (Logistic.log_surv(z).v, Logistic.log_density(z).v)
                    }
                    Distribution::GeneralizedGamma => {
                        let g = GenGamma::new(self.q);
                        (g.log_surv(z).v, g.log_density(z).v)
                    }
                    _ => (ExtremeValue.log_surv(z).v, ExtremeValue.log_density(z).v),
                };
                (ls, lf - s - t.ln() - ls)
            }
        }
    }

    /// Quantile of the standard part (AFT families).
    fn w_quantile(&self, p: f64) -> f64 {
        match self.dist {
            Distribution::LogNormal => Normal.quantile(p),
            Distribution::LogLogistic => Logistic.quantile(p),
            Distribution::GeneralizedGamma => gg_quantile(self.q, p),
            _ => ExtremeValue.quantile(p),
        }
    }
}

/// Generalized-gamma quantile of `W` by safeguarded Newton on `log S(z) = log(1 − p)`.
fn gg_quantile(q: f64, p: f64) -> f64 {
    let g = GenGamma::new(q);
    let target = (-p).ln_1p();
    let (mut lo, mut hi) = (-1.0, 1.0);
    while g.log_surv(lo).v < target && lo > -1e4 {
        lo *= 2.0;
    }
    while g.log_surv(hi).v > target && hi < 1e4 {
        hi *= 2.0;
    }
    let mut z = 0.5 * (lo + hi);
    for _ in 0..200 {
        let s = g.log_surv(z);
        let f = s.v - target;
        if f.abs() < 1e-15 {
            return z;
        }
        if f > 0.0 {
            lo = z;
        } else {
            hi = z;
        }
        let newton = z - f / s.d1;
        z = if newton >= lo && newton <= hi && s.d1 < 0.0 {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (hi - lo).abs() < 1e-14 * (1.0 + z.abs()) {
            break;
        }
    }
    z
}

/// Gauss–Legendre nodes and weights on [0, 1], 10 points.
fn gauss_legendre_10() -> ([f64; 10], [f64; 10]) {
    let n = 10;
    let mut x = [0.0; 10];
    let mut w = [0.0; 10];
    for i in 0..n {
        let mut r = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, r);
            for k in 2..=n {
                let kf = k as f64;
                let p2 = ((2.0 * kf - 1.0) * r * p1 - (kf - 1.0) * p0) / kf;
                p0 = p1;
                p1 = p2;
            }
            dp = n as f64 * (r * p1 - p0) / (r * r - 1.0);
            let dr = p1 / dp;
            r -= dr;
            if dr.abs() < 1e-16 {
                break;
            }
        }
        x[i] = 0.5 * (1.0 - r);
        w[i] = 1.0 / ((1.0 - r * r) * dp * dp);
    }
    (x, w)
}

/// `∫₀^τ S(t) dt` with `t = τv²`, by adaptive 10-point Gauss–Legendre on `v ∈ [0, 1]`
/// (a panel is split until its halves agree to 1e-13 relative, at most 40 levels deep
/// and 4000 splits in all).
fn integrate_surv(l: &Local, tau: f64) -> f64 {
    let (x, w) = gauss_legendre_10();
    let panel = |a: f64, b: f64| {
        let h = b - a;
        let mut total = 0.0;
        for i in 0..10 {
            let v = a + h * x[i];
            let t = tau * v * v;
            let s = if t > 0.0 {
                l.log_surv_haz(t).0.exp()
            } else {
                1.0
            };
            total += h * w[i] * s * 2.0 * tau * v;
        }
        total
    };
    let whole = panel(0.0, 1.0);
    if !whole.is_finite() {
        return f64::NAN;
    }
    let mut stack = vec![(0.0, 1.0, whole, 0u32)];
    let mut total = 0.0;
    let mut splits = 0;
    while let Some((a, b, est, depth)) = stack.pop() {
        let m = 0.5 * (a + b);
        let (left, right) = (panel(a, m), panel(m, b));
        splits += 1;
        let diff = (left + right - est).abs();
        // NaN or a budget of 4000 splits ends the refinement (never 2^depth panels).
        if depth >= 40 || splits > 4000 || diff.is_nan() || diff <= 1e-13 * whole.abs().max(1e-300)
        {
            total += left + right;
        } else {
            stack.push((a, m, left, depth + 1));
            stack.push((m, b, right, depth + 1));
        }
    }
    total
}

impl ParametricFit {
    /// The critical value, after checking that the fit is consistent (a fit read back
    /// from JSON could be anything; predictions must not panic on it).
    fn checked_z(&self) -> Result<f64, Error> {
        let k = self.coefficients.len();
        let n_anc = match self.distribution {
            Distribution::Exponential => 0,
            _ => self.strata.len().max(1),
        };
        let m = k + n_anc + usize::from(self.distribution == Distribution::GeneralizedGamma);
        if k == 0
            || self.theta.len() != m
            || self.var.len() != m
            || self.var.iter().any(|r| r.len() != m)
        {
            return Err(Error::InvalidOption(
                "the fit's parameter vector and variance matrix do not match its model".into(),
            ));
        }
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(Error::InvalidOption(format!(
                "conf_level must be in (0, 1), found {}",
                self.conf_level
            )));
        }
        Ok(z_crit(self.conf_level))
    }

    fn local(&self, theta: &[f64], profile: &Profile) -> Result<Local, Error> {
        let k = self.coefficients.len();
        if profile.x.len() != k - 1 {
            return Err(Error::LengthMismatch {
                what: "profile covariates (against the fit's columns)".into(),
                expected: k - 1,
                found: profile.x.len(),
            });
        }
        let s = if self.strata.is_empty() {
            0
        } else {
            let label = profile.stratum.ok_or_else(|| {
                Error::InvalidOption("the fit has strata: give the profile's stratum".into())
            })?;
            self.strata.binary_search(&label).map_err(|_| {
                Error::InvalidOption(format!("stratum {label} is not one of the fit's strata"))
            })?
        };
        // Aliased (collinear) columns have NaN coefficients and do not contribute.
        let eta = theta[0]
            + profile
                .x
                .iter()
                .zip(&theta[1..k])
                .filter(|(_, b)| !b.is_nan())
                .map(|(a, b)| a * b)
                .sum::<f64>();
        let n_anc = if self.distribution == Distribution::Exponential {
            0
        } else {
            self.strata.len().max(1)
        };
        let anc = if n_anc > 0 { theta[k + s] } else { 0.0 };
        let q = if self.distribution == Distribution::GeneralizedGamma {
            theta[k + n_anc]
        } else {
            0.0
        };
        Ok(Local {
            dist: self.distribution,
            eta,
            anc,
            q,
        })
    }

    /// `(g(θ̂), se)` by central differences.
    fn delta<F: Fn(&Local) -> f64>(&self, profile: &Profile, g: F) -> Result<(f64, f64), Error> {
        let m = self.theta.len();
        let v0 = g(&self.local(&self.theta, profile)?);
        let mut grad = vec![0.0; m];
        let mut th = self.theta.clone();
        for j in 0..m {
            if self.theta[j].is_nan() {
                continue;
            }
            let h = 1e-5 * self.theta[j].abs().max(1.0);
            th[j] = self.theta[j] + h;
            let up = g(&self.local(&th, profile)?);
            th[j] = self.theta[j] - h;
            let dn = g(&self.local(&th, profile)?);
            th[j] = self.theta[j];
            grad[j] = (up - dn) / (2.0 * h);
        }
        Ok((v0, quad_form(&self.var, &grad).sqrt()))
    }

    /// Survival, cumulative hazard and hazard at `times` for `profile`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the profile has the wrong number of covariates;
    /// [`Error::InvalidOption`] for a missing or unknown stratum; [`Error::InvalidValue`]
    /// for a negative (log-time models: non-positive) or non-finite time.
    pub fn predict(&self, profile: &Profile, times: &[f64]) -> Result<Vec<PredictedPoint>, Error> {
        let zc = self.checked_z()?;
        let mut out = Vec::with_capacity(times.len());
        for (i, &t) in times.iter().enumerate() {
            if !t.is_finite() || t < 0.0 || (self.distribution.log_time() && t <= 0.0) {
                return Err(Error::InvalidValue {
                    what: "prediction time".into(),
                    index: i,
                    reason: format!("times must be finite and > 0, found {t}"),
                });
            }
            let (l, se_l) = self.delta(profile, |loc| (-loc.log_surv_haz(t).0).ln())?;
            let (lh, se_h) = self.delta(profile, |loc| loc.log_surv_haz(t).1)?;
            let h = l.exp();
            out.push(PredictedPoint {
                time: t,
                surv: (-h).exp(),
                surv_lower: (-(l + zc * se_l).exp()).exp(),
                surv_upper: (-(l - zc * se_l).exp()).exp(),
                cumhaz: h,
                cumhaz_lower: (l - zc * se_l).exp(),
                cumhaz_upper: (l + zc * se_l).exp(),
                std_err_log_cumhaz: se_l,
                hazard: lh.exp(),
                hazard_lower: (lh - zc * se_h).exp(),
                hazard_upper: (lh + zc * se_h).exp(),
            });
        }
        Ok(out)
    }

    /// Quantiles `t_p` (p = 0.5: the median) for `profile`.
    ///
    /// # Errors
    ///
    /// As [`ParametricFit::predict`]; [`Error::InvalidValue`] for `p` outside (0, 1).
    pub fn quantiles(
        &self,
        profile: &Profile,
        probs: &[f64],
        ci: QuantileCi,
    ) -> Result<Vec<PredictedQuantile>, Error> {
        let zc = self.checked_z()?;
        let k = self.coefficients.len();
        let loc = self.local(&self.theta, profile)?;
        let mut out = Vec::with_capacity(probs.len());
        for (i, &p) in probs.iter().enumerate() {
            if !(p > 0.0 && p < 1.0) {
                return Err(Error::InvalidValue {
                    what: "quantile probability".into(),
                    index: i,
                    reason: format!("must be in (0, 1), found {p}"),
                });
            }
            let (u, se_u) = match self.distribution {
                Distribution::Gompertz => {
                    let logq = |l: &Local| {
                        let c = -(-p).ln_1p();
                        let a = l.anc;
                        let r = c * (-l.eta).exp();
                        if a.abs() < 1e-12 {
                            r.ln()
                        } else {
                            let arg = a * r;
                            if arg <= -1.0 {
                                f64::INFINITY
                            } else {
                                (arg.ln_1p() / a).ln()
                            }
                        }
                    };
                    let u = logq(&loc);
                    if u.is_infinite() {
                        (u, f64::NAN)
                    } else {
                        self.delta(profile, logq)?
                    }
                }
                Distribution::GeneralizedGamma => {
                    self.delta(profile, |l| l.eta + l.anc.exp() * l.w_quantile(p))?
                }
                _ => {
                    // Analytic: ∂/∂β = (1, x), ∂/∂log σ = σ w_p.
                    let wp = loc.w_quantile(p);
                    let sigma = loc.anc.exp();
                    let mut grad = vec![0.0; self.theta.len()];
                    grad[0] = 1.0;
                    for ((g, th), xv) in grad[1..k].iter_mut().zip(&self.theta[1..k]).zip(profile.x)
                    {
                        if !th.is_nan() {
                            *g = *xv;
                        }
                    }
                    if self.distribution != Distribution::Exponential {
                        let s = if self.strata.is_empty() {
                            0
                        } else {
                            self.strata
                                .binary_search(&profile.stratum.unwrap_or(usize::MAX))
                                .unwrap_or(0)
                        };
                        grad[k + s] = sigma * wp;
                    }
                    (loc.eta + sigma * wp, quad_form(&self.var, &grad).sqrt())
                }
            };
            let t = u.exp();
            let std_err = t * se_u;
            let (lower, upper) = match ci {
                QuantileCi::LogTime => ((u - zc * se_u).exp(), (u + zc * se_u).exp()),
                QuantileCi::Time => (t - zc * std_err, t + zc * std_err),
            };
            out.push(PredictedQuantile {
                p,
                time: t,
                std_err,
                std_err_log: se_u,
                lower,
                upper,
            });
        }
        Ok(out)
    }

    /// Restricted mean survival time `∫₀^τ S(t | profile) dt`.
    ///
    /// # Errors
    ///
    /// As [`ParametricFit::predict`]; [`Error::InvalidOption`] for τ not finite and > 0.
    pub fn restricted_mean(&self, profile: &Profile, tau: f64) -> Result<PredictedMean, Error> {
        if !(tau.is_finite() && tau > 0.0) {
            return Err(Error::InvalidOption(format!(
                "the restricted-mean horizon τ must be finite and > 0, found {tau}"
            )));
        }
        let zc = self.checked_z()?;
        let (m, se) = self.delta(profile, |l| integrate_surv(l, tau))?;
        Ok(PredictedMean {
            tau: Some(tau),
            mean: m,
            std_err: se,
            lower: m - zc * se,
            upper: m + zc * se,
        })
    }

    /// Unrestricted mean survival time, `None` where it is infinite (log-logistic with
    /// σ ≥ 1, generalized gamma with `1 + σQ ≤ 0`, Gompertz with shape ≤ 0).
    ///
    /// # Errors
    ///
    /// As [`ParametricFit::predict`].
    pub fn mean(&self, profile: &Profile) -> Result<Option<PredictedMean>, Error> {
        let zc = self.checked_z()?;
        let loc = self.local(&self.theta, profile)?;
        if log_mean(&loc).is_infinite() {
            return Ok(None);
        }
        let (lm, se) = self.delta(profile, log_mean)?;
        let m = lm.exp();
        Ok(Some(PredictedMean {
            tau: None,
            mean: m,
            std_err: m * se,
            lower: (lm - zc * se).exp(),
            upper: (lm + zc * se).exp(),
        }))
    }
}

/// `log E[T]` (∞ when infinite).
fn log_mean(l: &Local) -> f64 {
    let sigma = l.anc.exp();
    match l.dist {
        Distribution::Exponential => l.eta,
        Distribution::Weibull => l.eta + ln_gamma(1.0 + sigma),
        Distribution::LogNormal => l.eta + 0.5 * sigma * sigma,
        Distribution::LogLogistic => {
            if sigma >= 1.0 {
                f64::INFINITY
            } else {
                let ps = std::f64::consts::PI * sigma;
                l.eta + (ps / ps.sin()).ln()
            }
        }
        Distribution::GeneralizedGamma => {
            let q = l.q;
            if q.abs() < 1e-6 {
                return l.eta + 0.5 * sigma * sigma;
            }
            if 1.0 + sigma * q <= 0.0 {
                return f64::INFINITY;
            }
            let a = 1.0 / (q * q);
            let k = sigma / q;
            l.eta - k * a.ln() + ln_gamma(a + k) - ln_gamma(a)
        }
        Distribution::Gompertz => {
            if l.anc <= 0.0 {
                return f64::INFINITY;
            }
            // Integrate to where H(t) = 50 (S < 2e-22).
            let a = l.anc;
            let t_max = (50.0 * a * (-l.eta).exp()).ln_1p() / a;
            integrate_surv(l, t_max).ln()
        }
    }
}

/// `gᵀVg` over the entries with `g ≠ 0` (aliased parameters have NaN rows in V).
fn quad_form(v: &[Vec<f64>], g: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..g.len() {
        for j in 0..g.len() {
            if g[i] == 0.0 || g[j] == 0.0 {
                continue;
            }
            s += g[i] * v[i][j] * g[j];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gg_quantile_inverts_survival() {
        for &q in &[0.96, 0.45, -0.04, 0.0, 1.5, -1.0, 3.0] {
            for &p in &[0.01, 0.25, 0.5, 0.9, 0.999] {
                let z = gg_quantile(q, p);
                let s = GenGamma::new(q).log_surv(z).v.exp();
                assert!((s - (1.0 - p)).abs() < 1e-10, "q {q} p {p}: z {z}, S {s}");
            }
        }
    }
}
