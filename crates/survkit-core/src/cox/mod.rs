//! Cox proportional-hazards regression (Cox 1972), fitted by Newton–Raphson on the log
//! partial likelihood, with Efron's (1977, default as R) or Breslow's (1974) handling of
//! tied event times, strata, counting-process `(start, stop]` data, case weights and
//! robust (sandwich) standard errors (Lin & Wei 1989). Follows Therneau & Grambsch
//! (2000), *Modeling Survival Data*, chapters 3 and 7.
//!
//! # Formula
//!
//! With risk score `rᵢ = exp(xᵢβ)` and, at each distinct event time t with `d` events
//! (case weights `wᵢ`), the risk-set sums `S0 = Σ wᵢ rᵢ`, `S1 = Σ wᵢ rᵢ xᵢ`,
//! `S2 = Σ wᵢ rᵢ xᵢxᵢᵀ` over subjects at risk and `D0, D1, D2` the same sums over the `d`
//! events, Efron's log partial likelihood is
//!
//! `ℓ(β) = Σ_events wᵢ xᵢβ − Σ_t Σ_{k=0}^{d−1} w̄ log(S0 − (k/d) D0)`
//!
//! with `w̄` the mean weight of the tied events; Breslow's uses the single term
//! `Σ w · log S0`. Score and information follow by differentiation: with
//! `x̄ₖ = (S1 − (k/d)D1)/(S0 − (k/d)D0)` and `Vₖ` the matching weighted variance,
//! `U = Σ wᵢ xᵢ − Σ w̄ x̄ₖ` and `I = Σ w̄ Vₖ`.
//!
//! Iteration: `β ← β + I⁻¹U`; a step that lowers ℓ is halved; convergence when
//! `|1 − ℓ_old/ℓ_new| ≤ eps` (1e-9) within `max_iter` (20) iterations, as R's `coxph`.
//!
//! Also here: Harrell's concordance with its infinitesimal-jackknife SE
//! ([`Concordance`]), martingale and deviance residuals ([`Residuals`]), the
//! proportional-hazards test ([`zph`]) and Firth's penalized likelihood ([`firth`]).
//!
//! # Cost
//!
//! One O(n log n) sort (by stratum, stop time descending; rows are then stored in that
//! order), then per Newton step one O(n p²) sweep: each row enters the running risk-set
//! sums once, and Efron's sub-steps cost O(d + p²) per distinct event time (see
//! `sweep.rs`). The sweep at β = 0 done to screen for collinear columns is reused as
//! the first step, and the event-time quantities for residuals are kept from the last
//! step. Harrell's C takes the stop-time order from the sweep, sorts by the linear
//! predictor and costs O(n log n) in Fenwick trees over each stratum's distinct stop
//! times (small enough to stay in cache). Measured with
//! `cargo run --release -p survkit-core --example cox_timing -- 1e6 5` (synthetic
//! cohort, whole-day times, 40% censored; CPU seconds on a shared 2-core machine, whose
//! load moves them by ±15%): n = 1e6, p = 5: 0.45–0.6 s (was 3.0 s, then 1.4–1.6 s
//! with the concordance's trees over the ranks of the linear predictor); p = 20:
//! 1.6–1.7 s (was 8.7 s, then 2.5–2.9 s). At p = 5 the three sweeps are about a
//! third of the fit, the concordance a quarter (a third of it the sort by score), and
//! sorting the rows and moving x into sweep order another quarter.
//!
//! # References
//!
//! - Cox DR (1972). Regression models and life-tables. *JRSS B* 34:187–220.
//! - Breslow NE (1974). Covariance analysis of censored survival data. *Biometrics* 30:89–99.
//! - Efron B (1977). The efficiency of Cox's likelihood function for censored data.
//!   *JASA* 72:557–565.
//! - Harrell FE et al. (1982). Evaluating the yield of medical tests. *JAMA* 247:2543–2546;
//!   Harrell FE, Lee KL, Mark DB (1996). *Stat Med* 15:361–387.
//! - Lin DY, Wei LJ (1989). The robust inference for the Cox proportional hazards model.
//!   *JASA* 84:1074–1078.
//! - Grambsch PM, Therneau TM (1994). Proportional hazards tests and diagnostics based on
//!   weighted residuals. *Biometrika* 81:515–526.
//! - Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the Cox Model*.
//! - Heinze G, Schemper M (2001). A solution to the problem of monotone likelihood in Cox
//!   regression. *Biometrics* 57:114–119; (2002) *Stat Med* 21:2409–2419.
//!
//! # Example
//!
//! ```
//! use survkit_core::cox::{fit, CoxData, CoxOptions};
//! let stop = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let status = [true, true, false, true, true, false];
//! let x = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
//! let data = CoxData::new(&stop, &status, &x, 1);
//! let f = fit(&data, &CoxOptions::default()).unwrap();
//! assert!(f.converged);
//! assert_eq!(f.n, 6);
//! ```

// Risk-set sums are index arithmetic over small p×p blocks; ranges read clearer here.
#![allow(clippy::needless_range_loop)]

mod concordance;
pub mod firth;
mod sweep;
pub mod zph;

pub use concordance::Concordance;

use crate::Error;
use nalgebra::{Cholesky, DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use sweep::{Eval, EventTime, Sorted};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron (1977): the default of R and lifelines.
    #[default]
    Efron,
    /// Breslow (1974): the default of SAS and Stata.
    Breslow,
}

/// Inputs of a Cox model, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Entry (start) times for `(start, stop]` counting-process data; `None` = 0.
    pub start: Option<&'a [f64]>,
    /// Exit (stop) times.
    pub stop: &'a [f64],
    /// `true` = event at `stop`.
    pub status: &'a [bool],
    /// Covariates, column-major n×p (`x[j * n + i]`).
    pub x: &'a [f64],
    /// Number of covariate columns.
    pub p: usize,
    /// Stratum index of each row (separate baseline hazards), when stratified.
    pub strata: Option<&'a [usize]>,
    /// Case weights (non-negative, finite), when weighted.
    pub weights: Option<&'a [f64]>,
    /// Cluster index of each row for robust standard errors, when clustered.
    pub cluster: Option<&'a [usize]>,
}

impl<'a> CoxData<'a> {
    /// Right-censored data without strata, weights or clusters.
    pub fn new(stop: &'a [f64], status: &'a [bool], x: &'a [f64], p: usize) -> Self {
        CoxData {
            start: None,
            stop,
            status,
            x,
            p,
            strata: None,
            weights: None,
            cluster: None,
        }
    }
}

fn default_max_iter() -> usize {
    20
}
fn default_eps() -> f64 {
    1e-9
}

/// Fitting options; defaults are R's `coxph`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxOptions {
    /// Tie handling (default Efron).
    #[serde(default)]
    pub ties: Ties,
    /// Robust (sandwich) standard errors; implied when a cluster is given.
    #[serde(default)]
    pub robust: bool,
    /// Maximum Newton–Raphson iterations (default 20).
    #[serde(default = "default_max_iter")]
    pub max_iter: usize,
    /// Convergence tolerance on the relative change of the log partial likelihood (1e-9).
    #[serde(default = "default_eps")]
    pub eps: f64,
    /// Firth's penalized likelihood (Heinze & Schemper 2002) is fitted by
    /// [`firth::firth`]; [`fit`] returns [`Error::InvalidOption`] when this is set.
    #[serde(default)]
    pub firth: bool,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            ties: Ties::Efron,
            robust: false,
            max_iter: 20,
            eps: 1e-9,
            firth: false,
        }
    }
}

/// A chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareTest {
    /// Test statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// Upper-tail p-value.
    pub p: f64,
}

impl ChiSquareTest {
    /// Test of `chisq` on `df` degrees of freedom (p = 1 when df = 0).
    pub fn new(chisq: f64, df: usize) -> Self {
        let p = if df == 0 || !chisq.is_finite() {
            if df == 0 {
                1.0
            } else {
                f64::NAN
            }
        } else {
            ChiSquared::new(df as f64)
                .map(|d| d.sf(chisq.max(0.0)))
                .unwrap_or(f64::NAN)
        };
        ChiSquareTest { chisq, df, p }
    }
}

/// The three global tests of `β = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoxTests {
    /// Likelihood-ratio test `2(ℓ(β̂) − ℓ(0))`.
    pub likelihood_ratio: ChiSquareTest,
    /// Wald test `β̂ᵀ V⁻¹ β̂` (robust variance when robust SEs were asked for).
    pub wald: ChiSquareTest,
    /// Score (log-rank) test `U(0)ᵀ I(0)⁻¹ U(0)`.
    pub score: ChiSquareTest,
}

/// A numerical caveat about a fit (the fit is returned; read it with care).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Caveat {
    /// The iteration limit was reached before the log-likelihood settled.
    NotConverged {
        /// Iterations done.
        iterations: usize,
    },
    /// This coefficient kept moving, already large on its covariate's scale, when the
    /// log-likelihood settled (or when the iteration limit was reached): monotone
    /// likelihood, the estimate is effectively infinite (Heinze & Schemper 2002).
    InfiniteCoefficient {
        /// Column index (0-based).
        column: usize,
    },
    /// The column takes a single value: it was left out (coefficient NaN).
    ConstantColumn {
        /// Column index.
        column: usize,
    },
    /// The column is a linear combination of earlier columns (or carries no information
    /// among the risk sets): it was left out (coefficient NaN), as R reports `NA`.
    Collinear {
        /// Column index.
        column: usize,
    },
    /// The information matrix at the final estimate could not be inverted.
    SingularInformation,
}

/// Martingale and deviance residuals, one per input row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Residuals {
    /// Martingale residuals `δᵢ − Λ̂ᵢ` (Therneau, Grambsch & Fleming 1990).
    pub martingale: Vec<f64>,
    /// Deviance residuals `sign(M)·√(−2[M + δ log(δ − M)])`.
    pub deviance: Vec<f64>,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    /// Tie handling used.
    pub ties: Ties,
    /// Coefficients (log hazard ratios); NaN for columns left out (see `aliased`).
    pub coef: Vec<f64>,
    /// Model-based standard errors.
    pub se: Vec<f64>,
    /// Robust (sandwich) standard errors, when asked for or clustered.
    pub robust_se: Option<Vec<f64>>,
    /// Variance matrix (model-based), p×p, rows of columns left out are NaN.
    pub var: Vec<Vec<f64>>,
    /// Robust variance matrix, when computed.
    pub robust_var: Option<Vec<Vec<f64>>>,
    /// Columns left out because constant or collinear.
    pub aliased: Vec<bool>,
    /// Log partial likelihood at β = 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Newton–Raphson iterations done.
    pub iterations: usize,
    /// Whether the convergence criterion was met.
    pub converged: bool,
    /// Likelihood-ratio, Wald and score tests.
    pub tests: CoxTests,
    /// Robust score test (Lin & Wei 1989), when robust SEs were computed.
    pub robust_score: Option<ChiSquareTest>,
    /// Harrell's C of the linear predictor, with its standard error.
    pub concordance: Concordance,
    /// Akaike information criterion `−2ℓ(β̂) + 2·df`.
    pub aic: f64,
    /// Number of rows used.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    /// Numerical caveats.
    pub caveats: Vec<Caveat>,
    /// Linear predictor `(xᵢ − x̄)β̂` per row (centred as R's `predict(type = "lp")`).
    #[serde(skip_serializing, default)]
    pub linear_predictors: Vec<f64>,
    /// Martingale and deviance residuals per row.
    #[serde(skip_serializing, default)]
    pub residuals: Option<Residuals>,
}

/// Validates the data; returns the number of rows.
fn validate(d: &CoxData) -> Result<usize, Error> {
    let n = d.stop.len();
    let check_len = |what: &str, len: usize, expected: usize| {
        if len != expected {
            Err(Error::LengthMismatch {
                what: what.to_string(),
                expected,
                found: len,
            })
        } else {
            Ok(())
        }
    };
    check_len("status (against stop)", d.status.len(), n)?;
    check_len("x (n × p)", d.x.len(), n * d.p)?;
    if let Some(s) = d.start {
        check_len("start (against stop)", s.len(), n)?;
    }
    if let Some(s) = d.strata {
        check_len("strata (against stop)", s.len(), n)?;
    }
    if let Some(s) = d.weights {
        check_len("weights (against stop)", s.len(), n)?;
    }
    if let Some(s) = d.cluster {
        check_len("cluster (against stop)", s.len(), n)?;
    }
    for (i, &t) in d.stop.iter().enumerate() {
        if !t.is_finite() {
            return Err(Error::InvalidValue {
                what: "stop time".into(),
                index: i,
                reason: format!("not a finite number ({t})"),
            });
        }
        if let Some(s) = d.start {
            if !s[i].is_finite() || s[i] >= t {
                return Err(Error::InvalidValue {
                    what: "start time".into(),
                    index: i,
                    reason: format!("start ({}) must be finite and before stop ({t})", s[i]),
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
                    reason: format!("weights must be finite and non-negative, found {v}"),
                });
            }
        }
    }
    for (k, &v) in d.x.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                what: format!("covariate column {}", k / n.max(1) + 1),
                index: k % n.max(1),
                reason: format!("not a finite number ({v})"),
            });
        }
    }
    Ok(n)
}

/// Key of `x` whose unsigned order is `f64::total_cmp`'s order: positive values get the
/// sign bit set, negative ones are bit-complemented.
fn total_order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Row indices by stratum ascending, then `time` descending, ties in input order.
///
/// The time order comes from one unstable sort of 128-bit integers (time key, row): the
/// row as low bits reproduces the stable order, and integer comparisons are cheap and
/// branch-free. (With a million rows, comparing indices through the input slices
/// missed the cache and dominated the whole fit; records compared field by field were
/// still twice as slow.) Strata, when they vary, follow in a stable sort by stratum.
pub(crate) fn sweep_order(stratum: &[usize], time: &[f64]) -> Vec<usize> {
    let mut keys: Vec<u128> = time
        .iter()
        .enumerate()
        .map(|(i, &t)| (u128::from(!total_order_key(t)) << 64) | i as u128)
        .collect();
    keys.sort_unstable();
    let order = keys.into_iter().map(|k| k as u64 as usize);
    if stratum.windows(2).all(|w| w[0] == w[1]) {
        return order.collect();
    }
    let mut pairs: Vec<(usize, usize)> = order.map(|i| (stratum[i], i)).collect();
    pairs.sort_by_key(|p| p.0);
    pairs.into_iter().map(|p| p.1).collect()
}

impl Sorted {
    /// Sorts rows once: by stratum, then stop time descending (and start descending).
    fn new(d: &CoxData, n: usize) -> Sorted {
        let stratum: Vec<usize> = d.strata.map_or_else(|| vec![0; n], |s| s.to_vec());
        let orig = sweep_order(&stratum, d.stop);
        // Rows are stored in sweep order, so that the sweep reads memory sequentially
        // (with a million rows, random access would dominate the cost).
        let mut by_start = Vec::new();
        if let Some(s) = d.start {
            let mut pos = vec![0usize; n];
            for (k, &i) in orig.iter().enumerate() {
                pos[i] = k;
            }
            by_start = sweep_order(&stratum, s);
            by_start.iter_mut().for_each(|i| *i = pos[*i]);
        }
        let stratum: Vec<usize> = match d.strata {
            Some(_) => orig.iter().map(|&i| stratum[i]).collect(),
            None => stratum,
        };
        let mut strata_ranges = Vec::new();
        let mut b = 0;
        for k in 1..=n {
            if k == n || stratum[k] != stratum[b] {
                strata_ranges.push((b, k));
                b = k;
            }
        }
        let permute = |v: &[f64]| orig.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        Sorted {
            n,
            p: 0,
            x: Vec::new(),
            start: d.start.map(permute),
            stop: permute(d.stop),
            status: orig.iter().map(|&i| d.status[i]).collect(),
            weight: d.weights.map_or_else(|| vec![1.0; n], permute),
            stratum,
            by_stop: (0..n).collect(),
            by_start,
            strata_ranges,
            orig,
        }
    }

    /// Installs the centred columns `cols` of `d.x` as the design.
    fn set_columns(&mut self, d: &CoxData, cols: &[usize]) {
        let n = self.n;
        let p = cols.len();
        self.p = p;
        let means: Vec<f64> = cols
            .iter()
            .map(|&j| d.x[j * n..(j + 1) * n].iter().sum::<f64>() / n as f64)
            .collect();
        // Transpose a block of input rows (that stays in cache) to row-major, then move
        // each row to its place in sweep order: the columns are read sequentially and
        // each row is written once. (Gathering column by column through `orig` costs a
        // cache miss per value; transposing all of x first, a second pass over it.)
        self.x = vec![0.0; n * p];
        if p == 0 {
            return;
        }
        let mut pos = vec![0usize; n];
        for (k, &i) in self.orig.iter().enumerate() {
            pos[i] = k;
        }
        const BLOCK: usize = 256;
        let mut xt = vec![0.0; BLOCK * p];
        for b in (0..n).step_by(BLOCK) {
            let e = (b + BLOCK).min(n);
            for (jj, &j) in cols.iter().enumerate() {
                let col = &d.x[j * n + b..j * n + e];
                for (r, &v) in col.iter().enumerate() {
                    xt[r * p + jj] = v - means[jj];
                }
            }
            for (row, &k) in xt.chunks_exact(p).zip(&pos[b..e]) {
                self.x[k * p..(k + 1) * p].copy_from_slice(row);
            }
        }
    }
}

fn to_matrix(v: &[f64], p: usize) -> DMatrix<f64> {
    DMatrix::from_row_slice(p, p, v)
}

/// Chooses the columns to fit: drops constant columns, then (in column order) columns
/// whose information is (numerically) explained by the earlier kept ones.
///
/// Also returns the sweep at β = 0 (with its event-time records) when no column was
/// dropped for collinearity, since it is then exactly the fit's first evaluation.
fn select_columns(
    d: &CoxData,
    s: &mut Sorted,
    ties: Ties,
    caveats: &mut Vec<Caveat>,
) -> (Vec<usize>, Option<(Eval, Vec<EventTime>)>) {
    let n = s.n;
    let mut candidates = Vec::new();
    for j in 0..d.p {
        let col = &d.x[j * n..(j + 1) * n];
        let (lo, hi) = col
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if n > 0 && lo == hi {
            caveats.push(Caveat::ConstantColumn { column: j });
        } else {
            candidates.push(j);
        }
    }
    s.set_columns(d, &candidates);
    let mut recs0 = Vec::new();
    let e0 = s.eval(&vec![0.0; candidates.len()], ties, Some(&mut recs0));
    let q = candidates.len();
    let full = to_matrix(&e0.imat, q);
    let max_diag = (0..q).map(|a| full[(a, a)]).fold(0.0f64, f64::max);
    let mut kept: Vec<usize> = Vec::new(); // indices into candidates
    for a in 0..q {
        let ajj = full[(a, a)];
        let resid = if kept.is_empty() {
            ajj
        } else {
            let kk = kept.len();
            let sub = DMatrix::from_fn(kk, kk, |r, c| full[(kept[r], kept[c])]);
            let b = DVector::from_fn(kk, |r, _| full[(kept[r], a)]);
            match Cholesky::new(sub) {
                Some(ch) => ajj - b.dot(&ch.solve(&b)),
                None => 0.0,
            }
        };
        if ajj > 1e-12 * max_diag.max(f64::MIN_POSITIVE) && resid > 1e-9 * ajj {
            kept.push(a);
        } else {
            caveats.push(Caveat::Collinear {
                column: candidates[a],
            });
        }
    }
    if kept.len() == q {
        // Nothing dropped: the sweep at β = 0 is the fit's first one; do not repeat it.
        return (candidates, Some((e0, recs0)));
    }
    let cols: Vec<usize> = kept.iter().map(|&a| candidates[a]).collect();
    s.set_columns(d, &cols);
    (cols, None)
}

/// Fits a Cox proportional-hazards model.
///
/// See the [module documentation](self) for the likelihood and the iteration.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when inputs disagree in length, [`Error::InvalidValue`] for
/// non-finite values, start ≥ stop or negative weights, [`Error::NoData`] without rows
/// or without events, [`Error::InvalidOption`] for a bad tolerance or `firth = true`.
pub fn fit(data: &CoxData, opts: &CoxOptions) -> Result<CoxFit, Error> {
    if opts.firth {
        return Err(Error::InvalidOption(
            "fit() is the ordinary partial likelihood; use cox::firth::firth for Firth's correction"
                .into(),
        ));
    }
    if !(opts.eps > 0.0 && opts.eps < 1.0) {
        return Err(Error::InvalidOption(format!(
            "eps must be between 0 and 1, found {}",
            opts.eps
        )));
    }
    let n = validate(data)?;
    if n == 0 {
        return Err(Error::NoData("the Cox model has no rows".into()));
    }
    let events = data.status.iter().filter(|&&s| s).count();
    if events == 0 {
        return Err(Error::NoData(
            "the Cox model needs at least one event".into(),
        ));
    }
    let ties = opts.ties;
    let mut caveats = Vec::new();
    let mut s = Sorted::new(data, n);
    let (cols, first) = select_columns(data, &mut s, ties, &mut caveats);
    let q = cols.len();

    // Newton–Raphson with step-halving. Each sweep records its event-time quantities
    // (O(distinct times · p²), small beside the O(n p²) sweep), so that the residuals at
    // the final estimate need no extra sweep.
    let mut beta = vec![0.0; q];
    let (e0, recs0) = first.unwrap_or_else(|| {
        let mut r = Vec::new();
        (s.eval(&beta, ties, Some(&mut r)), r)
    });
    let l0 = e0.loglik;
    let i0 = to_matrix(&e0.imat, q);
    let u0 = DVector::from_column_slice(&e0.u);
    let (score_chisq, mut step) = match Cholesky::new(i0) {
        Some(ch) => {
            let st = ch.solve(&u0);
            (u0.dot(&st), st)
        }
        None => (f64::NAN, DVector::zeros(q)),
    };
    let i0_flat = e0.imat.clone();
    let mut cur = e0;
    let mut cur_recs = recs0.clone();
    let mut lold = l0;
    let mut converged = q == 0;
    let mut iterations = 0;
    let mut newbeta: Vec<f64> = beta.iter().zip(step.iter()).map(|(b, s)| b + s).collect();
    let mut halving = false;
    if q > 0 {
        for it in 1..=opts.max_iter {
            iterations = it;
            let mut recs = Vec::new();
            let e = s.eval(&newbeta, ties, Some(&mut recs));
            let lnew = if e.loglik.is_nan() {
                f64::NEG_INFINITY
            } else {
                e.loglik
            };
            let rel = if lnew == lold {
                0.0
            } else {
                (1.0 - lold / lnew).abs()
            };
            if !halving && rel <= opts.eps {
                converged = true;
                beta = newbeta.clone();
                cur = e;
                cur_recs = recs;
                break;
            }
            if it == opts.max_iter {
                if lnew >= lold {
                    beta = newbeta.clone();
                    cur = e;
                    cur_recs = recs;
                }
                break;
            }
            if lnew < lold {
                halving = true;
                for (nb, b) in newbeta.iter_mut().zip(&beta) {
                    *nb = (*nb + b) / 2.0;
                }
            } else {
                halving = false;
                lold = lnew;
                beta = newbeta.clone();
                let im = to_matrix(&e.imat, q);
                let uu = DVector::from_column_slice(&e.u);
                match Cholesky::new(im) {
                    Some(ch) => step = ch.solve(&uu),
                    None => step.iter_mut().for_each(|v| *v /= 2.0),
                }
                newbeta = beta.iter().zip(step.iter()).map(|(b, s)| b + s).collect();
                cur = e;
                cur_recs = recs;
            }
        }
    }
    if !converged {
        caveats.push(Caveat::NotConverged { iterations });
    }
    let l1 = cur.loglik;
    let imat = to_matrix(&cur.imat, q);
    let var_q: Option<DMatrix<f64>> = Cholesky::new(imat).map(|c| c.inverse());
    if var_q.is_none() && q > 0 {
        caveats.push(Caveat::SingularInformation);
    }
    // Monotone likelihood: the log-likelihood has settled but one more Newton step would
    // still move the coefficient appreciably (it is running off to ±∞).
    if let Some(v) = &var_q {
        let uu = DVector::from_column_slice(&cur.u);
        let next = v * uu;
        // Root mean squares of the centred columns, in one sequential pass over the rows.
        let mut msq = vec![0.0; q];
        for row in s.x.chunks_exact(q.max(1)) {
            for (m, &v) in msq.iter_mut().zip(row) {
                *m += v.powi(2);
            }
        }
        for (jj, &j) in cols.iter().enumerate() {
            let sd = (msq[jj] / n as f64).sqrt();
            // A coefficient still moving after the likelihood settled, and already large
            // on the scale of its covariate (hazard ratio per SD beyond e³ ≈ 20), or
            // beyond any plausible size (per SD beyond e¹⁵).
            let effect = (beta[jj] * sd).abs();
            let moving = next[jj].abs() > 1e-4 * beta[jj].abs().max(1.0) && effect > 3.0;
            let huge = effect > 15.0;
            // Also when the iteration limit was hit: a model with several such
            // coefficients often runs out of iterations before ℓ settles, and the
            // coefficient to blame is what the user needs to know (not only that the
            // fit did not converge).
            if moving || huge {
                caveats.push(Caveat::InfiniteCoefficient { column: j });
            }
        }
    }
    let p = data.p;
    let nan_mat = || vec![vec![f64::NAN; p]; p];
    let expand = |m: &DMatrix<f64>| {
        let mut out = nan_mat();
        for (a, &ja) in cols.iter().enumerate() {
            for (b, &jb) in cols.iter().enumerate() {
                out[ja][jb] = m[(a, b)];
            }
        }
        out
    };
    let mut coef = vec![f64::NAN; p];
    for (jj, &j) in cols.iter().enumerate() {
        coef[j] = beta[jj];
    }
    let var = var_q.as_ref().map_or_else(nan_mat, expand);
    let se: Vec<f64> = (0..p).map(|j| var[j][j].sqrt()).collect();
    let bvec = DVector::from_column_slice(&beta);

    // Residuals and robust variance from one extra recorded sweep.
    let recs = cur_recs;
    let robust = opts.robust || data.cluster.is_some();
    // Score residuals (n × q) only feed the robust variance: skip them otherwise.
    let (score_resid, resid) = residuals(&s, &recs, &cur.r, robust);
    let mut robust_var_q = None;
    let mut robust_score = None;
    if robust {
        if let Some(v) = &var_q {
            robust_var_q = Some(sandwich(&s, &score_resid, v, data.cluster));
            // Robust score test at β = 0 (Lin & Wei 1989): U(0)ᵀ (D₀ᵀD₀)⁻¹ U(0), with the
            // score residuals at zero scaled by I(0)⁻¹.
            let r0: Vec<f64> = s
                .shifted_eta(&vec![0.0; q])
                .iter()
                .map(|e| e.exp())
                .collect();
            let (sr0, _) = residuals(&s, &recs0, &r0, true);
            let i0 = to_matrix(&i0_flat, q);
            if let Some(ch0) = Cholesky::new(i0) {
                let v0 = ch0.inverse();
                let rv0 = sandwich(&s, &sr0, &v0, data.cluster);
                let st = &v0 * &u0;
                if let Some(chr) = Cholesky::new(rv0) {
                    let chisq = st.dot(&chr.solve(&st));
                    robust_score = Some(ChiSquareTest::new(chisq, q));
                }
            }
        }
    }
    let robust_var = robust_var_q.as_ref().map(expand);
    let robust_se = robust_var
        .as_ref()
        .map(|rv| (0..p).map(|j| rv[j][j].sqrt()).collect());
    let wald_var = robust_var_q.as_ref().or(var_q.as_ref());
    let wald_chisq = match wald_var.and_then(|v| Cholesky::new(v.clone())) {
        Some(ch) if q > 0 => bvec.dot(&ch.solve(&bvec)),
        _ if q == 0 => 0.0,
        _ => f64::NAN,
    };
    // Linear predictor in sweep order (for the concordance) and in input order.
    let lp_sorted: Vec<f64> = (0..n)
        .map(|k| (0..q).map(|jj| s.x[k * q + jj] * beta[jj]).sum())
        .collect();
    // Back to input order, the three vectors in one pass (one random write each per row).
    let (mut lp, mut mart, mut dev) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for (k, &i) in s.orig.iter().enumerate() {
        lp[i] = lp_sorted[k];
        mart[i] = resid.martingale[k];
        dev[i] = resid.deviance[k];
    }
    let resid = Residuals {
        martingale: mart,
        deviance: dev,
    };
    // Concordance on the rows as already sorted for the sweep (C does not depend on
    // row order; this saves sorting them again).
    let cluster_sorted: Option<Vec<usize>> =
        data.cluster.map(|c| s.orig.iter().map(|&i| c[i]).collect());
    let concordance = concordance::harrell_sorted(
        s.start.as_deref(),
        &s.stop,
        &s.status,
        &lp_sorted,
        data.strata.map(|_| s.stratum.as_slice()),
        data.weights.map(|_| s.weight.as_slice()),
        cluster_sorted.as_deref(),
    );
    Ok(CoxFit {
        ties,
        coef,
        se,
        robust_se,
        var,
        robust_var,
        aliased: (0..p).map(|j| !cols.contains(&j)).collect(),
        loglik: [l0, l1],
        iterations,
        converged,
        tests: CoxTests {
            likelihood_ratio: ChiSquareTest::new(2.0 * (l1 - l0), q),
            wald: ChiSquareTest::new(wald_chisq, q),
            score: ChiSquareTest::new(if q == 0 { 0.0 } else { score_chisq }, q),
        },
        robust_score,
        concordance,
        aic: -2.0 * l1 + 2.0 * q as f64,
        n,
        events,
        caveats,
        linear_predictors: lp,
        residuals: Some(resid),
    })
}

/// Score residuals (row-major n×q) and martingale/deviance residuals.
///
/// For subject i with interval (sᵢ, tᵢ], writing `H` and `XH` for the sums of `dΛₖ` and
/// `x̄ₖ dΛₖ` over event times in the interval (Efron sub-steps included):
/// `Lᵢ = δᵢ (xᵢ − x̄(tᵢ)) − rᵢ (xᵢ H − XH) + δᵢ rᵢ (xᵢ Hc − XHc)` where the last term
/// gives back the part of the tied-event hazard an event does not carry under Efron's
/// approximation; the martingale residual is `Mᵢ = δᵢ − rᵢ H + δᵢ rᵢ Hc`.
/// `risk` holds `rᵢ = exp(ηᵢ)` per stored row, from the sweep at the same β. With
/// `with_score = false` the score residuals are left empty.
fn residuals(
    s: &Sorted,
    recs: &[EventTime],
    risk: &[f64],
    with_score: bool,
) -> (Vec<f64>, Residuals) {
    let n = s.n;
    let q = s.p;
    // Event records come per stratum in descending time; cumulate ascending.
    let mut by_stratum: Vec<(usize, usize)> = Vec::new(); // [begin, end) in recs
    let mut b = 0;
    for k in 1..=recs.len() {
        if k == recs.len() || recs[k].stratum != recs[b].stratum {
            by_stratum.push((b, k));
            b = k;
        }
    }
    let mut cum_h = vec![0.0; recs.len() + 1];
    let mut cum_xh = vec![0.0; (recs.len() + 1) * q];
    let mut score = vec![0.0; if with_score { n * q } else { 0 }];
    let mut mart = vec![0.0; n];
    for &(rb, re) in &by_stratum {
        // Suffix sums in descending-time order: cum[k] = Σ over records k..re of the
        // stratum, i.e. over its event times ≤ time_k (zero past the stratum's end).
        for k in (rb..re).rev() {
            let (nh, nx) = if k + 1 == re {
                (0.0, None)
            } else {
                (cum_h[k + 1], Some(k + 1))
            };
            cum_h[k] = nh + recs[k].haz;
            for jj in 0..q {
                let prev = nx.map_or(0.0, |kk| cum_xh[kk * q + jj]);
                cum_xh[k * q + jj] = prev + recs[k].xhaz[jj];
            }
        }
    }
    // Records come in ascending stratum order: binary search, not a scan, so that many
    // small strata stay O(n log n).
    let stratum_of = |st: usize| {
        by_stratum
            .binary_search_by_key(&st, |r| recs[r.0].stratum)
            .ok()
            .map(|k| by_stratum[k])
    };
    // Index of the first record (descending times) with time ≤ t, within [rb, re).
    let first_le = |rb: usize, re: usize, t: f64| rb + recs[rb..re].partition_point(|r| r.time > t);
    // Rows come in sweep order (stratum ascending, stop descending): within a stratum
    // the first record with time ≤ stopᵢ only moves forward, so it is walked to rather
    // than searched for (a search per row was a tenth of the fit at a million rows).
    let mut cur_stratum = None;
    let mut range = None;
    let mut a = 0;
    for i in 0..n {
        let xi = &s.x[i * q..(i + 1) * q];
        let r = risk[i];
        if cur_stratum != Some(s.stratum[i]) {
            cur_stratum = Some(s.stratum[i]);
            range = stratum_of(s.stratum[i]);
            a = range.map_or(0, |(rb, _)| rb);
        }
        let Some((rb, re)) = range else {
            mart[i] = if s.status[i] { 1.0 } else { 0.0 };
            if s.status[i] {
                // Cannot happen: an event always creates a record in its stratum.
                mart[i] = f64::NAN;
            }
            continue;
        };
        while a < re && recs[a].time > s.stop[i] {
            a += 1;
        }
        debug_assert_eq!(a, first_le(rb, re, s.stop[i]));
        let bnd = match &s.start {
            Some(st) => first_le(rb, re, st[i]),
            None => re,
        };
        let tail_h = |k: usize| if k >= re { 0.0 } else { cum_h[k] };
        let tail_xh = |k: usize, jj: usize| if k >= re { 0.0 } else { cum_xh[k * q + jj] };
        let h = tail_h(a) - tail_h(bnd);
        let mut m = -r * h;
        if s.status[i] {
            m += 1.0 + r * recs[a].haz_corr;
        }
        mart[i] = m;
        if !with_score {
            continue;
        }
        let row = &mut score[i * q..(i + 1) * q];
        for jj in 0..q {
            let xh = tail_xh(a, jj) - tail_xh(bnd, jj);
            row[jj] = -r * (xi[jj] * h - xh);
        }
        if s.status[i] {
            let rec = &recs[a];
            for jj in 0..q {
                row[jj] += xi[jj] - rec.xbar[jj] + r * (xi[jj] * rec.haz_corr - rec.xhaz_corr[jj]);
            }
        }
    }
    let deviance = mart
        .iter()
        .zip(&s.status)
        .map(|(&m, &d)| {
            let dd = if d { 1.0 } else { 0.0 };
            let inner = if d { m + (dd - m).ln() } else { m };
            m.signum() * (-2.0 * inner).max(0.0).sqrt()
        })
        .collect();
    (
        score,
        Residuals {
            martingale: mart,
            deviance,
        },
    )
}

/// Sandwich variance `V (DᵀD) V` with `D` the case-weighted score residuals, summed
/// within clusters when given (Lin & Wei 1989; Therneau & Grambsch 2000, §7.2).
fn sandwich(
    s: &Sorted,
    score: &[f64],
    v: &DMatrix<f64>,
    cluster: Option<&[usize]>,
) -> DMatrix<f64> {
    let q = s.p;
    let n = s.n;
    // Rows of `score` are in sweep order; clusters are given in input order.
    let mut groups: Vec<usize> = match cluster {
        Some(c) => s.orig.iter().map(|&i| c[i]).collect(),
        None => (0..n).collect(),
    };
    // Compact cluster ids to 0..g.
    let mut ids: Vec<usize> = groups.clone();
    ids.sort_unstable();
    ids.dedup();
    for gi in groups.iter_mut() {
        *gi = ids.binary_search(gi).unwrap_or(0);
    }
    let g = ids.len();
    let mut d = DMatrix::<f64>::zeros(g, q);
    for i in 0..n {
        let w = s.weight[i];
        for jj in 0..q {
            d[(groups[i], jj)] += w * score[i * q + jj];
        }
    }
    let dd = d.transpose() * &d;
    v * dd * v
}

/// Wald summary of one coefficient: hazard ratio `exp(β)` with confidence limits
/// `exp(β ∓ z₁₋α/₂·SE)`, `z = β/SE` and two-sided p `2Φ(−|z|)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WaldSummary {
    /// `exp(β)`.
    pub hazard_ratio: f64,
    /// Lower confidence limit of the hazard ratio.
    pub lower: f64,
    /// Upper confidence limit of the hazard ratio.
    pub upper: f64,
    /// `β / SE`.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Wald summary of a coefficient with standard error `se` at confidence `conf_level`.
///
/// # Errors
///
/// [`Error::InvalidOption`] when `conf_level` is not strictly between 0 and 1.
pub fn wald_summary(coef: f64, se: f64, conf_level: f64) -> Result<WaldSummary, Error> {
    use statrs::distribution::Normal;
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(Error::InvalidOption(format!(
            "confidence level must be between 0 and 1, found {conf_level}"
        )));
    }
    let norm = Normal::new(0.0, 1.0).map_err(|e| Error::InvalidOption(e.to_string()))?;
    let zq = norm.inverse_cdf(1.0 - (1.0 - conf_level) / 2.0);
    let z = coef / se;
    Ok(WaldSummary {
        hazard_ratio: coef.exp(),
        lower: (coef - zq * se).exp(),
        upper: (coef + zq * se).exp(),
        z,
        p: 2.0 * norm.sf(z.abs()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_order_key_orders_as_total_cmp() {
        let xs = [
            f64::NEG_INFINITY,
            -3.5,
            -1e-300,
            -0.0,
            0.0,
            5e-324,
            2.0,
            7.25e10,
            f64::INFINITY,
        ];
        for a in xs {
            for b in xs {
                let got = total_order_key(a).cmp(&total_order_key(b));
                assert_eq!(got, a.total_cmp(&b), "{a} {b}");
            }
        }
    }

    #[test]
    fn sweep_order_is_the_stable_sort() {
        let mut s = 3u64;
        let mut next = |m: u64| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 33) % m
        };
        for n in [0, 1, 2, 10, 1000] {
            for (nstrata, ntimes) in [(1, 5), (3, 5), (4, 1_000_000)] {
                let stratum: Vec<usize> = (0..n).map(|_| next(nstrata) as usize * 7).collect();
                let time: Vec<f64> = (0..n)
                    .map(|_| next(ntimes) as f64 * if next(2) == 0 { 0.5 } else { -0.0 })
                    .collect();
                let mut want: Vec<usize> = (0..n).collect();
                want.sort_by(|&a, &b| {
                    stratum[a]
                        .cmp(&stratum[b])
                        .then(time[b].total_cmp(&time[a]))
                });
                assert_eq!(sweep_order(&stratum, &time), want);
            }
        }
    }
}
