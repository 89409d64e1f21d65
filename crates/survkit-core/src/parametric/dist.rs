//! Per-observation log-likelihood pieces of the standard error distributions.
//!
//! For the log-location-scale families `log T = η + σW`, everything is a function of the
//! standardised residual `z = (log t − η)/σ` through the standard density `f` and survival
//! `S` of `W`: the log-density with its first two `z`-derivatives (`φ1`, `φ2`) and the
//! log-survival with its derivatives (`ψ1 = −λ`, `ψ2 = −λ(φ1 + λ)`, where `λ = f/S` is the
//! hazard of `W`).
//!
//! | model | W | log f(z) | log S(z) |
//! | --- | --- | --- | --- |
//! | Weibull, exponential | extreme value (minimum) | `z − eᶻ` | `−eᶻ` |
//! | log-normal | standard normal | `−z²/2 − ½log 2π` | `log Φ(−z)` |
//! | log-logistic | logistic | `z − 2 log(1 + eᶻ)` | `−log(1 + eᶻ)` |
//! | generalized gamma (Prentice 1974) | `W = log(G/a)/Q`, `G ~ Gamma(a = Q⁻²)` | `−½log 2π − ω(a) − a·(e^{Qz} − 1 − Qz)` | `Q(a, a e^{Qz})` for Q > 0, `P(a, a e^{Qz})` for Q < 0 |
//!
//! `ω(a) = log Γ(a) − (a − ½)log a + a − ½ log 2π` is Stirling's remainder; the form above
//! of the generalized-gamma log-density is exact for every `Q ≠ 0` and tends to the normal
//! one as `Q → 0` without cancellation. Its survival uses statrs' regularised incomplete
//! gamma for `a ≤ 500`, and for larger `a` (|Q| < 0.045, where the series and continued
//! fraction become slow and lose digits) Temme's (1979) uniform asymptotic expansion
//! `Q(a, x) = ½ erfc(η √(a/2)) + e^{−aη²/2}/√(2πa) (c₀(η) + c₁(η)/a)`,
//! `η²/2 = λ − 1 − log λ`, `λ = x/a` (DiDonato & Morris 1986, eq. 2.7), whose error is
//! below 1e-10 there; at `Q = 0` it is the normal survival exactly.

use statrs::function::erf::erfc;
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
const SQRT_2PI: f64 = 2.506_628_274_631_000_5;

/// Value and first two derivatives of a function of one variable.
#[derive(Debug, Clone, Copy)]
pub(crate) struct D2 {
    pub v: f64,
    pub d1: f64,
    pub d2: f64,
}

/// `log f(z)` and `log S(z)` of a standard error distribution, with z-derivatives.
pub(crate) trait Standard {
    /// Log-density and its derivatives.
    fn log_density(&self, z: f64) -> D2;
    /// Log-survival and its derivatives.
    fn log_surv(&self, z: f64) -> D2;
    /// Quantile: the `z` with `F(z) = p`.
    fn quantile(&self, p: f64) -> f64;
}

/// Extreme value (minimum) distribution: `S(z) = exp(−eᶻ)`.
pub(crate) struct ExtremeValue;
/// Standard normal.
pub(crate) struct Normal;
/// Standard logistic.
pub(crate) struct Logistic;

impl Standard for ExtremeValue {
    fn log_density(&self, z: f64) -> D2 {
        let e = z.exp();
        D2 {
            v: z - e,
            d1: 1.0 - e,
            d2: -e,
        }
    }
    fn log_surv(&self, z: f64) -> D2 {
        let e = z.exp();
        D2 {
            v: -e,
            d1: -e,
            d2: -e,
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        (-(-p).ln_1p()).ln()
    }
}

/// `Φ(−z)` on the log scale and the normal hazard `φ(z)/Φ(−z)`, accurate far into the
/// upper tail (asymptotic series beyond z = 25, where erfc underflows).
pub(crate) fn normal_log_sf_and_hazard(z: f64) -> (f64, f64) {
    if z > 25.0 {
        let r = 1.0 / (z * z);
        // Φ(−z) = φ(z)/z · (1 − r + 3r² − 15r³ + 105r⁴ − 945r⁵ + 10395r⁶ …)
        let s = 1.0 - r * (1.0 - r * (3.0 - r * (15.0 - r * (105.0 - r * (945.0 - r * 10395.0)))));
        let log_phi = -0.5 * z * z - LN_SQRT_2PI;
        (log_phi - z.ln() + s.ln(), z / s)
    } else {
        let sf = 0.5 * erfc(z / std::f64::consts::SQRT_2);
        let phi = (-0.5 * z * z - LN_SQRT_2PI).exp();
        (sf.ln(), phi / sf)
    }
}

impl Standard for Normal {
    fn log_density(&self, z: f64) -> D2 {
        D2 {
            v: -0.5 * z * z - LN_SQRT_2PI,
            d1: -z,
            d2: -1.0,
        }
    }
    fn log_surv(&self, z: f64) -> D2 {
        let (v, lam) = normal_log_sf_and_hazard(z);
        D2 {
            v,
            d1: -lam,
            d2: -lam * (lam - z),
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal as N};
        N::new(0.0, 1.0).unwrap().inverse_cdf(p)
    }
}

/// `log(1 + eᶻ)` without overflow.
fn log1pexp(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Logistic CDF `1/(1 + e^{−z})`.
fn expit(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Standard for Logistic {
    fn log_density(&self, z: f64) -> D2 {
        let f = expit(z);
        D2 {
            v: z - 2.0 * log1pexp(z),
            d1: 1.0 - 2.0 * f,
            d2: -2.0 * f * (1.0 - f),
        }
    }
    fn log_surv(&self, z: f64) -> D2 {
        let f = expit(z);
        D2 {
            v: -log1pexp(z),
            d1: -f,
            d2: -f * (1.0 - f),
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }
}

/// `(eˣ − 1 − x)/x²`, stable near 0 (→ ½).
fn r2(x: f64) -> f64 {
    if x.abs() < 1e-3 {
        0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x / 720.0)))
    } else {
        (x.exp_m1() - x) / (x * x)
    }
}

/// `(eˣ − 1)/x`, stable near 0 (→ 1).
fn r1(x: f64) -> f64 {
    if x.abs() < 1e-5 {
        1.0 + x * (0.5 + x / 6.0)
    } else {
        x.exp_m1() / x
    }
}

/// Stirling's remainder `ω(a) = log Γ(a) − (a − ½)log a + a − ½log 2π`.
fn stirling_remainder(a: f64) -> f64 {
    if a >= 10.0 {
        let r = 1.0 / (a * a);
        (1.0 / 12.0
            - r * (1.0 / 360.0 - r * (1.0 / 1260.0 - r * (1.0 / 1680.0 - r * (1.0 / 1188.0)))))
            / a
    } else {
        ln_gamma(a) - (a - 0.5) * a.ln() + a - LN_SQRT_2PI
    }
}

/// Above this `a = Q⁻²`, the generalized gamma survival uses Temme's expansion.
pub(crate) const TEMME_MIN_A: f64 = 500.0;

/// The generalized gamma's standard part for shape `Q` (Prentice 1974).
pub(crate) struct GenGamma {
    pub q: f64,
    /// Use Temme's expansion for the survival (chosen once per stencil, see `model.rs`).
    pub temme: bool,
    /// `ω(1/Q²)`, computed once (0 at Q = 0).
    omega: f64,
}

impl GenGamma {
    pub(crate) fn new(q: f64) -> GenGamma {
        GenGamma::with_method(q, q == 0.0 || 1.0 / (q * q) > TEMME_MIN_A)
    }

    /// Shape `q`, with the survival method fixed by the caller.
    pub(crate) fn with_method(q: f64, temme: bool) -> GenGamma {
        let omega = if q == 0.0 {
            0.0
        } else {
            stirling_remainder(1.0 / (q * q))
        };
        GenGamma { q, temme, omega }
    }

    /// `Q(a, a e^{x})` for `Q > 0` (or `P(a, a e^{x})` for `Q < 0`) by Temme's expansion,
    /// with `x = Qz`, `a = 1/Q²`; at `Q = 0`, `Φ(−z)`.
    fn temme_surv(&self, z: f64) -> f64 {
        let q = self.q;
        if q == 0.0 {
            return 0.5 * erfc(z / std::f64::consts::SQRT_2);
        }
        let x = q * z;
        // η = sign(λ − 1) √(2(λ − 1 − log λ)) with λ = eˣ: λ − 1 − log λ = x² r2(x).
        let eta = x * (2.0 * r2(x)).sqrt();
        let mu = x.exp_m1();
        let (c0, c1) = if eta.abs() < 0.02 {
            (
                -1.0 / 3.0 + eta * (1.0 / 12.0 + eta * (-2.0 / 135.0 + eta * (1.0 / 864.0))),
                -1.0 / 540.0 + eta * (-1.0 / 288.0 + eta * (1.0 / 378.0)),
            )
        } else {
            (
                1.0 / mu - 1.0 / eta,
                1.0 / eta.powi(3) - 1.0 / mu.powi(3) - 1.0 / (mu * mu) - 1.0 / (12.0 * mu),
            )
        };
        let aq = q.abs();
        // η √(a/2) = η /(|Q|√2); e^{−aη²/2} = e^{−z² r2(x)}.
        let arg = eta / (aq * std::f64::consts::SQRT_2);
        let r = (-z * z * r2(x)).exp() * aq / SQRT_2PI * (c0 + c1 * q * q);
        if q > 0.0 {
            0.5 * erfc(arg) + r
        } else {
            0.5 * erfc(-arg) - r
        }
    }

    /// Log-survival only.
    pub(crate) fn log_surv_value(&self, z: f64) -> f64 {
        let q = self.q;
        if self.temme {
            return self.temme_surv(z).ln();
        }
        let a = 1.0 / (q * q);
        let u = a * (q * z).exp();
        if !(u > 0.0 && u.is_finite()) {
            // u = 0 (Q < 0: S = P(a, 0) = 0 ... or Q > 0: S = 1) / u = ∞.
            return if (u == 0.0) == (q > 0.0) {
                0.0
            } else {
                f64::NEG_INFINITY
            };
        }
        if u < 1e-8 * a.min(1.0) {
            // P(a, u) = uᵃ e⁻ᵘ / Γ(a + 1) · (1 + u/(a + 1) + …) (Abramowitz & Stegun
            // 6.5.29); statrs returns P = 0 for such u.
            let log_p = a * u.ln() - u - ln_gamma(a + 1.0) + (u / (a + 1.0)).ln_1p();
            return if q > 0.0 {
                (-log_p.exp()).ln_1p()
            } else {
                log_p
            };
        }
        let v = if q > 0.0 {
            gamma_ur(a, u)
        } else {
            gamma_lr(a, u)
        };
        if v == 0.0 && q > 0.0 && u > a {
            // Q(a, u) underflowed: Q ~ u^{a−1} e⁻ᵘ / Γ(a) · (1 + (a − 1)/u + (a − 1)(a − 2)/u²)
            // for u ≫ a (A&S 6.5.32), on the log scale.
            let c = 1.0 + (a - 1.0) / u * (1.0 + (a - 2.0) / u);
            return (a - 1.0) * u.ln() - u - ln_gamma(a) + c.ln();
        }
        v.ln()
    }
}

impl Standard for GenGamma {
    fn log_density(&self, z: f64) -> D2 {
        let x = self.q * z;
        D2 {
            v: -LN_SQRT_2PI - self.omega - z * z * r2(x),
            d1: -z * r1(x),
            d2: -x.exp(),
        }
    }
    fn log_surv(&self, z: f64) -> D2 {
        let v = self.log_surv_value(z);
        let f = self.log_density(z);
        let lam = (f.v - v).exp();
        D2 {
            v,
            d1: -lam,
            d2: -lam * (f.d1 + lam),
        }
    }
    fn quantile(&self, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Gamma};
        let q = self.q;
        if q.abs() < 1e-8 {
            return Normal.quantile(p);
        }
        let a = 1.0 / (q * q);
        let g = match Gamma::new(a, 1.0) {
            Ok(g) => g,
            Err(_) => return f64::NAN,
        };
        // F_W(z) = P(a, a e^{Qz}) for Q > 0 and 1 − P(·) for Q < 0.
        let u = if q > 0.0 {
            g.inverse_cdf(p)
        } else {
            g.inverse_cdf(1.0 - p)
        };
        (u / a).ln() / q
    }
}

/// `(e^{at} − 1)/a` and its first two derivatives in `a` (the Gompertz cumulative hazard
/// per unit rate), stable near `a = 0` (power series where |at| < 0.5).
pub(crate) fn gompertz_g(a: f64, t: f64) -> D2 {
    let u = a * t;
    if u.abs() < 0.5 {
        // g = t Σ u^k/(k+1)!, g' = t² Σ k u^{k−1}/(k+1)!, g'' = t³ Σ k(k−1) u^{k−2}/(k+1)!
        let (mut v, mut d1, mut d2) = (0.0, 0.0, 0.0);
        let (mut fact, mut pk, mut pk1, mut pk2) = (1.0, 1.0, 0.0, 0.0);
        for k in 0..25 {
            let kf = k as f64;
            fact *= kf + 1.0;
            v += pk / fact;
            d1 += kf * pk1 / fact;
            d2 += kf * (kf - 1.0) * pk2 / fact;
            pk2 = pk1;
            pk1 = pk;
            pk *= u;
        }
        D2 {
            v: v * t,
            d1: d1 * t * t,
            d2: d2 * t * t * t,
        }
    } else {
        let e = u.exp();
        D2 {
            v: (e - 1.0) / a,
            d1: (u * e - e + 1.0) / (a * a),
            d2: (e * (u * u - 2.0 * u + 2.0) - 2.0) / (a * a * a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temme_matches_incomplete_gamma() {
        // At a = 100..500 statrs' series/continued fraction is accurate; the expansion's
        // error there is O(a^{-5/2}) relative.
        let mut worst: f64 = 0.0;
        for &(q, tol) in &[
            (0.0447_f64, 1e-8),
            (-0.0447, 1e-8),
            (0.07, 1e-7),
            (-0.1, 1e-6),
        ] {
            let a = 1.0 / (q * q);
            for &z in &[-3.0, -1.0, -0.2, 0.0, 0.01, 0.5, 2.0, 3.5] {
                let g = GenGamma::with_method(q, true);
                let t = g.temme_surv(z);
                let u = a * (q * z).exp();
                let exact = if q > 0.0 {
                    gamma_ur(a, u)
                } else {
                    gamma_lr(a, u)
                };
                let rel = (t - exact).abs() / exact;
                if q.abs() < 0.05 {
                    worst = worst.max(rel);
                }
                assert!(rel < tol, "q {q} z {z}: {t} vs {exact}");
            }
        }
        eprintln!("Temme at a = 500: worst relative error {worst:.1e}");
    }

    #[test]
    fn gengamma_density_integrates_to_survival() {
        for &q in &[1.5, 0.6, 0.02, 0.0, -0.3, -1.2] {
            let g = GenGamma::new(q);
            // ∫_z^∞ f by the trapezoid rule on a fine grid.
            let z0 = 0.3;
            let h = 1e-3;
            let mut s = 0.0;
            let mut z = z0;
            while z < 40.0 {
                let a = g.log_density(z).v.exp();
                let b = g.log_density(z + h).v.exp();
                s += 0.5 * h * (a + b);
                z += h;
            }
            let sv = g.log_surv(z0).v.exp();
            assert!((s - sv).abs() < 1e-6, "q {q}: {s} vs {sv}");
        }
    }

    #[test]
    fn gompertz_series_matches_closed_form() {
        for &(a, t) in &[(0.3, 1.6), (-0.2, 2.4), (1e-4, 3.0), (0.49, 1.0)] {
            let s = gompertz_g(a, t);
            let u: f64 = a * t;
            let e = u.exp();
            let v = (e - 1.0) / a;
            let d1 = (u * e - e + 1.0) / (a * a);
            let d2 = (e * (u * u - 2.0 * u + 2.0) - 2.0) / (a * a * a);
            assert!((s.v - v).abs() < 1e-12 * v.abs());
            assert!(
                (s.d1 - d1).abs() < 1e-7 * d1.abs().max(1.0),
                "{} {}",
                s.d1,
                d1
            );
            assert!(
                (s.d2 - d2).abs() < 1e-4 * d2.abs().max(1.0),
                "{} {}",
                s.d2,
                d2
            );
        }
    }
}
