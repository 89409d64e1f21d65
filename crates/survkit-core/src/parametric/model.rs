//! The log-likelihood with its analytic gradient and Hessian, and the Newton–Raphson
//! maximiser with step halving.
//!
//! Parameters (all in the fitter's standardised units, see `mod.rs`): the regression
//! coefficients on `k` columns (intercept first), one ancillary per stratum (log σ for
//! the location-scale families, the Gompertz shape), and for the generalized gamma the
//! shape `Q` shared by all strata. Each row's contribution depends on the parameters only
//! through three local quantities — its linear predictor `η`, its stratum's ancillary and
//! `Q` — so the sweep computes the 3-vector gradient and 3×3 Hessian of each row in those
//! and the chain rule spreads them over the coefficients: O(n k²) per evaluation.

#![allow(clippy::needless_range_loop)]

use super::dist::{gompertz_g, ExtremeValue, GenGamma, Logistic, Normal, Standard};
use super::Distribution;
use nalgebra::{DMatrix, DVector};

/// Step for the central differences in `Q` of the generalized gamma (only there: the
/// derivative of the incomplete gamma function in its shape has no closed form).
const Q_STEP: f64 = 1e-4;

/// Rows prepared for fitting.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub dist: Distribution,
    pub n: usize,
    /// Regression columns (intercept first), row-major n×k, standardised.
    pub k: usize,
    pub x: Vec<f64>,
    /// log time (location-scale families) or time (Gompertz).
    pub y: Vec<f64>,
    /// Same transform of the entry time; NaN when the row is not left-truncated.
    pub ye: Vec<f64>,
    pub event: Vec<bool>,
    pub w: Vec<f64>,
    pub stratum: Vec<usize>,
    pub n_strata: usize,
}

/// Log-likelihood, gradient and Hessian at one parameter vector.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    pub ll: f64,
    pub grad: DVector<f64>,
    pub hess: DMatrix<f64>,
}

impl Problem {
    pub(crate) fn n_anc(&self) -> usize {
        if self.dist == Distribution::Exponential {
            0
        } else {
            self.n_strata
        }
    }

    pub(crate) fn n_par(&self) -> usize {
        self.k + self.n_anc() + usize::from(self.dist == Distribution::GeneralizedGamma)
    }

    /// The same rows with only the first `k` regression columns (k = 1: the null model).
    pub(crate) fn with_columns(&self, k: usize) -> Problem {
        let mut p = self.clone();
        p.k = k;
        p.x = (0..self.n)
            .flat_map(|i| self.x[i * self.k..i * self.k + k].iter().copied())
            .collect();
        p
    }

    /// Log-likelihood and its derivatives; `None` when not finite.
    pub(crate) fn eval(&self, theta: &[f64]) -> Option<Eval> {
        let k = self.k;
        let m = self.n_par();
        let n_anc = self.n_anc();
        let iq = k + n_anc; // index of Q (generalized gamma)
        let mut ll = 0.0;
        let mut grad = vec![0.0; m];
        // Accumulated blocks: ββ (k×k), β·anc per stratum, β·Q, anc·anc, anc·Q, Q·Q.
        let mut hbb = vec![0.0; k * k];
        let mut hba = vec![0.0; k * self.n_strata];
        let mut hbq = vec![0.0; k];
        let mut haa = vec![0.0; self.n_strata];
        let mut haq = vec![0.0; self.n_strata];
        let mut hqq = 0.0;
        let gg = (self.dist == Distribution::GeneralizedGamma).then(|| {
            let q = theta[iq];
            let c = GenGamma::new(q);
            let t = c.temme;
            [
                c,
                GenGamma::with_method(q + Q_STEP, t),
                GenGamma::with_method(q - Q_STEP, t),
            ]
        });
        for i in 0..self.n {
            let wi = self.w[i];
            if wi == 0.0 {
                continue;
            }
            let xi = &self.x[i * k..(i + 1) * k];
            let eta: f64 = xi.iter().zip(&theta[..k]).map(|(a, b)| a * b).sum();
            let s = self.stratum[i];
            let anc = if n_anc > 0 { theta[k + s] } else { 0.0 };
            let l = match self.dist {
                Distribution::Exponential | Distribution::Weibull => {
                    loc_scale(&ExtremeValue, self, i, eta, anc)
                }
                Distribution::LogNormal => loc_scale(&Normal, self, i, eta, anc),
                Distribution::LogLogistic => loc_scale(&Logistic, self, i, eta, anc),
                Distribution::Gompertz => gompertz(self, i, eta, anc),
                Distribution::GeneralizedGamma => {
                    gen_gamma(gg.as_ref().expect("set"), self, i, eta, anc)
                }
            };
            if !l.ll.is_finite() {
                return None;
            }
            ll += wi * l.ll;
            for a in 0..k {
                grad[a] += wi * l.g[0] * xi[a];
                let h = wi * l.h[0][0] * xi[a];
                for b in 0..=a {
                    hbb[a * k + b] += h * xi[b];
                }
            }
            if n_anc > 0 {
                grad[k + s] += wi * l.g[1];
                haa[s] += wi * l.h[1][1];
                for a in 0..k {
                    hba[s * k + a] += wi * l.h[0][1] * xi[a];
                }
            }
            if gg.is_some() {
                grad[iq] += wi * l.g[2];
                hqq += wi * l.h[2][2];
                haq[s] += wi * l.h[1][2];
                for a in 0..k {
                    hbq[a] += wi * l.h[0][2] * xi[a];
                }
            }
        }
        let mut hess = DMatrix::zeros(m, m);
        for a in 0..k {
            for b in 0..=a {
                hess[(a, b)] = hbb[a * k + b];
                hess[(b, a)] = hbb[a * k + b];
            }
        }
        for s in 0..n_anc {
            hess[(k + s, k + s)] = haa[s];
            for a in 0..k {
                hess[(a, k + s)] = hba[s * k + a];
                hess[(k + s, a)] = hba[s * k + a];
            }
        }
        if gg.is_some() {
            hess[(iq, iq)] = hqq;
            for a in 0..k {
                hess[(a, iq)] = hbq[a];
                hess[(iq, a)] = hbq[a];
            }
            for s in 0..n_anc {
                hess[(k + s, iq)] = haq[s];
                hess[(iq, k + s)] = haq[s];
            }
        }
        if !ll.is_finite() || grad.iter().any(|g| !g.is_finite()) {
            return None;
        }
        Some(Eval {
            ll,
            grad: DVector::from_vec(grad),
            hess,
        })
    }
}

/// One row's contribution and its derivatives in (η, ancillary, Q).
struct Local {
    ll: f64,
    g: [f64; 3],
    h: [[f64; 3]; 3],
}

/// Location-scale contribution in (η, s = log σ), `z = (y − η)/σ`: an event adds
/// `log f(z) − s − y` (the density of T, Jacobian included), a censored row `log S(z)`,
/// a truncated row subtracts `log S(z_entry)`. With `h(z)` either piece,
/// `∂/∂η = −h'/σ`, `∂/∂s = −z h'`, `∂²/∂η² = h''/σ²`, `∂²/∂η∂s = (h' + z h'')/σ`,
/// `∂²/∂s² = z h' + z² h''`.
fn loc_scale<D: Standard>(d: &D, p: &Problem, i: usize, eta: f64, s: f64) -> Local {
    let sigma = s.exp();
    let mut out = Local {
        ll: 0.0,
        g: [0.0; 3],
        h: [[0.0; 3]; 3],
    };
    let mut add = |z: f64, h: super::dist::D2, sign: f64| {
        out.ll += sign * h.v;
        out.g[0] += sign * (-h.d1 / sigma);
        out.g[1] += sign * (-z * h.d1);
        out.h[0][0] += sign * h.d2 / (sigma * sigma);
        out.h[0][1] += sign * (h.d1 + z * h.d2) / sigma;
        out.h[1][1] += sign * (z * h.d1 + z * z * h.d2);
    };
    let z = (p.y[i] - eta) / sigma;
    if p.event[i] {
        add(z, d.log_density(z), 1.0);
    } else {
        add(z, d.log_surv(z), 1.0);
    }
    if !p.ye[i].is_nan() {
        let ze = (p.ye[i] - eta) / sigma;
        add(ze, d.log_surv(ze), -1.0);
    }
    if p.event[i] {
        out.ll -= s + p.y[i];
        out.g[1] -= 1.0;
    }
    if p.dist == Distribution::Exponential {
        out.g[1] = 0.0;
        out.h[0][1] = 0.0;
        out.h[1][1] = 0.0;
    }
    out.h[1][0] = out.h[0][1];
    out
}

/// Generalized gamma: the location-scale terms at `Q`, plus the `Q` derivatives by
/// central differences of the same pieces at `Q ± δ`.
fn gen_gamma(g: &[GenGamma; 3], p: &Problem, i: usize, eta: f64, s: f64) -> Local {
    let mut out = loc_scale(&g[0], p, i, eta, s);
    let sigma = s.exp();
    let piece = |gq: &GenGamma, z: f64, event: bool| {
        if event {
            gq.log_density(z)
        } else {
            gq.log_surv(z)
        }
    };
    let mut add = |z: f64, event: bool, sign: f64| {
        let c = piece(&g[0], z, event);
        let up = piece(&g[1], z, event);
        let dn = piece(&g[2], z, event);
        let hq = (up.v - dn.v) / (2.0 * Q_STEP);
        let hqq = (up.v - 2.0 * c.v + dn.v) / (Q_STEP * Q_STEP);
        let hzq = (up.d1 - dn.d1) / (2.0 * Q_STEP);
        out.g[2] += sign * hq;
        out.h[2][2] += sign * hqq;
        out.h[0][2] += sign * (-hzq / sigma);
        out.h[1][2] += sign * (-z * hzq);
    };
    add((p.y[i] - eta) / sigma, p.event[i], 1.0);
    if !p.ye[i].is_nan() {
        add((p.ye[i] - eta) / sigma, false, -1.0);
    }
    out.h[2][0] = out.h[0][2];
    out.h[2][1] = out.h[1][2];
    out
}

/// Gompertz, hazard `h(t) = e^η e^{a t}`: `ℓ = δ(η + a t) − e^η (g(a, t) − g(a, t₀))` with
/// `g(a, t) = (e^{at} − 1)/a`.
fn gompertz(p: &Problem, i: usize, eta: f64, a: f64) -> Local {
    let t = p.y[i];
    let mut g = gompertz_g(a, t);
    if !p.ye[i].is_nan() {
        let g0 = gompertz_g(a, p.ye[i]);
        g.v -= g0.v;
        g.d1 -= g0.d1;
        g.d2 -= g0.d2;
    }
    let r = eta.exp();
    let d = if p.event[i] { 1.0 } else { 0.0 };
    let mut h = [[0.0; 3]; 3];
    h[0][0] = -r * g.v;
    h[0][1] = -r * g.d1;
    h[1][0] = h[0][1];
    h[1][1] = -r * g.d2;
    Local {
        ll: d * (eta + a * t) - r * g.v,
        g: [d - r * g.v, d * t - r * g.d1, 0.0],
        h,
    }
}

/// Outcome of the maximiser.
pub(crate) struct Maximum {
    pub theta: Vec<f64>,
    pub eval: Eval,
    pub iterations: usize,
    pub converged: bool,
    /// A Newton step could not be made to increase the log-likelihood.
    pub halving_failed: bool,
}

/// Newton–Raphson on `ℓ`: step `δ = (−H)⁻¹ g` (with a ridge `μI` added while `−H` is
/// not positive definite, i.e. far from the maximum), at most 5 standardised units per
/// component, halved until `ℓ` does not decrease; converged when the relative change of
/// `ℓ` is below `eps` and the Newton decrement `gᵀ(−H)⁻¹g` below `eps·max(1, |ℓ|)`.
pub(crate) fn maximize(
    p: &Problem,
    theta0: Vec<f64>,
    max_iter: usize,
    eps: f64,
) -> Option<Maximum> {
    let mut theta = theta0;
    let mut cur = p.eval(&theta)?;
    let m = theta.len();
    let mut converged = false;
    let mut halving_failed = false;
    let mut it = 0;
    while it < max_iter {
        it += 1;
        let neg_h = -&cur.hess;
        let max_diag = (0..m).map(|j| neg_h[(j, j)].abs()).fold(1e-12, f64::max);
        let mut ridge = 0.0;
        let mut step = None;
        for _ in 0..30 {
            let mut a = neg_h.clone();
            for j in 0..m {
                a[(j, j)] += ridge;
            }
            if let Some(ch) = a.cholesky() {
                step = Some(ch.solve(&cur.grad));
                break;
            }
            ridge = if ridge == 0.0 {
                1e-8 * max_diag
            } else {
                ridge * 10.0
            };
        }
        let Some(mut step) = step else {
            break;
        };
        let decrement = step.dot(&cur.grad);
        let big = step.amax();
        if big > 5.0 {
            step *= 5.0 / big;
        }
        let mut accepted = None;
        for _ in 0..40 {
            let trial: Vec<f64> = theta.iter().zip(step.iter()).map(|(a, b)| a + b).collect();
            if let Some(e) = p.eval(&trial) {
                if e.ll >= cur.ll - 1e-13 * cur.ll.abs() {
                    accepted = Some((trial, e));
                    break;
                }
            }
            step *= 0.5;
        }
        let Some((trial, e)) = accepted else {
            // No ascent along the Newton direction: at the maximum to rounding, or stuck.
            converged = ridge == 0.0 && decrement.abs() <= 1e-8 * cur.ll.abs().max(1.0);
            halving_failed = !converged;
            break;
        };
        let change = (e.ll - cur.ll).abs();
        theta = trial;
        cur = e;
        if ridge == 0.0
            && change <= eps * cur.ll.abs().max(1.0)
            && decrement.abs() <= eps * cur.ll.abs().max(1.0)
        {
            converged = true;
            break;
        }
    }
    Some(Maximum {
        theta,
        eval: cur,
        iterations: it,
        converged,
        halving_failed,
    })
}
