//! Continuous variables by group: summaries, the two-sample and k-sample tests of
//! Table 1, the standardised mean difference and a rule for mean (SD) vs median [IQR].
//!
//! # Formula
//!
//! - Quantiles: R's default (Hyndman & Fan 1996, type 7): with sorted `x₁ ≤ … ≤ xₙ` and
//!   `h = (n − 1)p + 1`, `Q(p) = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋)`. SD with divisor n − 1.
//! - Welch (1947) two-sample t (R's `t.test` default, `var.equal = FALSE`):
//!   `t = (x̄₁ − x̄₂)/√(s₁²/n₁ + s₂²/n₂)` on the Welch–Satterthwaite df
//!   `ν = (s₁²/n₁ + s₂²/n₂)² / [(s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)]`.
//! - One-way ANOVA (Fisher; R's `aov`/`anova` and `oneway.test(var.equal = TRUE)`):
//!   `F = [Σ nᵢ(x̄ᵢ − x̄)²/(k−1)] / [Σ (nᵢ−1)sᵢ²/(N−k)]` on (k−1, N−k) df.
//! - Welch's (1951) heteroscedastic one-way test (R's `oneway.test` default): weights
//!   `wᵢ = nᵢ/sᵢ²`, `x̃ = Σwᵢx̄ᵢ/Σwᵢ`, `Λ = Σ(1 − wᵢ/Σw)²/(nᵢ−1)/(k²−1)`,
//!   `F = [Σwᵢ(x̄ᵢ − x̃)²/(k−1)] / [1 + 2(k−2)Λ]` on (k−1, 1/(3Λ)) df.
//! - Wilcoxon (1945) / Mann–Whitney (1947) rank-sum: `W = Σ ranks of group 1 − n₁(n₁+1)/2`
//!   (mid-ranks for ties). As R's `wilcox.test`: when both groups have fewer than 50
//!   values and there are no ties, the exact null distribution of W (all `C(N, n₁)` rank
//!   subsets equally likely) gives `p = min(1, 2·P(W' ≤ W))` for `W ≤ n₁n₂/2`, else
//!   `min(1, 2·P(W' ≥ W))`; otherwise the normal approximation with continuity
//!   correction, `z = (W − n₁n₂/2 − sign·½)/σ`,
//!   `σ² = n₁n₂/12 · [(N + 1) − Σ(t³ − t)/(N(N − 1))]` (t = sizes of tied groups),
//!   `p = 2·min(Φ(z), 1 − Φ(z))`.
//! - Kruskal & Wallis (1952): `H = [12/(N(N+1)) Σ Rᵢ²/nᵢ − 3(N+1)] / [1 − Σ(t³−t)/(N³−N)]`
//!   on k − 1 df.
//! - Standardised mean difference (Austin 2009): `d = (x̄₁ − x̄₂)/√((s₁² + s₂²)/2)`.
//! - Format rule ([`suggest_format`]): median [IQR] when the adjusted sample skewness
//!   `G₁ = g₁√(n(n−1))/(n−2)`, `g₁ = m₃/m₂^{3/2}`, exceeds 1 in absolute value in the
//!   whole sample or in any group with at least 3 values; mean (SD) otherwise. A first
//!   guess for the user to confirm, not a test of normality.
//!
//! # References
//!
//! - Hyndman RJ, Fan Y (1996). Sample quantiles in statistical packages. *Am Stat* 50:361–365.
//! - Welch BL (1947). *Biometrika* 34:28–35; (1951) *Biometrika* 38:330–336.
//! - Wilcoxon F (1945). *Biometrics Bull* 1:80–83. Mann HB, Whitney DR (1947). *Ann Math
//!   Stat* 18:50–60. Hollander M, Wolfe DA (1999). *Nonparametric Statistical Methods*, §4.1.
//! - Kruskal WH, Wallis WA (1952). *JASA* 47:583–621.
//! - Austin PC (2009). Balance diagnostics for comparing the distribution of baseline
//!   covariates between treatment groups in propensity-score matched samples.
//!   *Stat Med* 28:3083–3107.
//! - Joanes DN, Gill CA (1998). Comparing measures of sample skewness and kurtosis.
//!   *JRSS D* 47:183–189.

use super::{check_groups, chisq_sf, f_sf, t_two_sided, DescribeWarning};
use crate::Error;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Summary of one group's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Non-missing values.
    pub n: usize,
    /// Missing values.
    pub missing: usize,
    /// Mean (NaN when n = 0).
    pub mean: f64,
    /// Standard deviation, divisor n − 1 (NaN when n < 2).
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// First quartile (type 7).
    pub q1: f64,
    /// Third quartile (type 7).
    pub q3: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

/// Summaries of a continuous variable by group and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuousSummary {
    /// One summary per group.
    pub groups: Vec<Summary>,
    /// All groups together.
    pub overall: Summary,
}

/// R's type-7 quantile of sorted, non-missing values (NaN when empty).
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let g = h - lo as f64;
    if hi == lo || sorted[hi] == sorted[lo] {
        sorted[lo]
    } else {
        (1.0 - g) * sorted[lo] + g * sorted[hi]
    }
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let m = x.iter().sum::<f64>() / n as f64;
    // Second pass around a first-pass mean (corrected two-pass algorithm).
    let m = m + x.iter().map(|v| v - m).sum::<f64>() / n as f64;
    if n < 2 {
        return (m, f64::NAN);
    }
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (m, ss / (n - 1) as f64)
}

/// Summary of values (`NaN` = missing).
///
/// # Errors
///
/// [`Error::InvalidValue`] for an infinite value.
pub fn summary(values: &[f64]) -> Result<Summary, Error> {
    let mut x = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        if v.is_infinite() {
            return Err(infinite(i, v));
        }
        if !v.is_nan() {
            x.push(v);
        }
    }
    let missing = values.len() - x.len();
    Ok(summary_of(&mut x, missing))
}

fn infinite(i: usize, v: f64) -> Error {
    Error::InvalidValue {
        what: "continuous variable".into(),
        index: i,
        reason: format!("not a finite number ({v}); use NaN for a missing value"),
    }
}

fn summary_of(x: &mut [f64], missing: usize) -> Summary {
    x.sort_unstable_by(f64::total_cmp);
    let (mean, var) = mean_var(x);
    Summary {
        n: x.len(),
        missing,
        mean,
        sd: var.sqrt(),
        median: quantile_type7(x, 0.5),
        q1: quantile_type7(x, 0.25),
        q3: quantile_type7(x, 0.75),
        min: x.first().copied().unwrap_or(f64::NAN),
        max: x.last().copied().unwrap_or(f64::NAN),
    }
}

/// Splits `value` (`NaN` = missing) by `group` into the non-missing values of each
/// group, and counts the missing ones.
///
/// # Errors
///
/// [`Error::LengthMismatch`], [`Error::InvalidValue`] for an infinite value or a group
/// code `≥ n_groups`.
pub fn split_by_group(
    value: &[f64],
    group: &[usize],
    n_groups: usize,
) -> Result<(Vec<Vec<f64>>, Vec<usize>), Error> {
    if value.len() != group.len() {
        return Err(Error::LengthMismatch {
            what: "group (against the variable)".into(),
            expected: value.len(),
            found: group.len(),
        });
    }
    check_groups(group, n_groups)?;
    let mut out = vec![Vec::new(); n_groups];
    let mut missing = vec![0; n_groups];
    for (i, (&v, &g)) in value.iter().zip(group).enumerate() {
        if v.is_infinite() {
            return Err(infinite(i, v));
        }
        if v.is_nan() {
            missing[g] += 1;
        } else {
            out[g].push(v);
        }
    }
    Ok((out, missing))
}

/// Summaries of `value` (`NaN` = missing) by `group` (codes `0..n_groups`) and overall.
///
/// # Errors
///
/// As [`split_by_group`].
pub fn summarize_continuous(
    value: &[f64],
    group: &[usize],
    n_groups: usize,
) -> Result<ContinuousSummary, Error> {
    let (mut groups, missing) = split_by_group(value, group, n_groups)?;
    let mut all: Vec<f64> = groups.iter().flatten().copied().collect();
    let overall = summary_of(&mut all, missing.iter().sum());
    let groups = groups
        .iter_mut()
        .zip(&missing)
        .map(|(g, &m)| summary_of(g, m))
        .collect();
    Ok(ContinuousSummary { groups, overall })
}

fn clean<S: AsRef<[f64]>>(groups: &[S]) -> Vec<Vec<f64>> {
    groups
        .iter()
        .map(|g| {
            g.as_ref()
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect()
        })
        .collect()
}

/// Welch's two-sample t-test (R's `t.test(x, y)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelchTTest {
    /// `x̄₁ − x̄₂`.
    pub estimate: f64,
    /// Standard error of the difference.
    pub std_err: f64,
    /// t statistic.
    pub statistic: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Lower confidence limit of the difference.
    pub lower: f64,
    /// Upper confidence limit of the difference.
    pub upper: f64,
    /// Caveats.
    pub warnings: Vec<DescribeWarning>,
}

/// Welch's two-sample t-test of `a` against `b` (non-finite values ignored), with a
/// `conf_level` confidence interval for the difference of means.
///
/// # Errors
///
/// [`Error::InvalidOption`] for a confidence level outside (0, 1).
pub fn welch_t_test(a: &[f64], b: &[f64], conf_level: f64) -> Result<WelchTTest, Error> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(Error::InvalidOption(format!(
            "conf_level must be between 0 and 1, found {conf_level}"
        )));
    }
    let g = clean(&[a, b]);
    let mut warnings = Vec::new();
    for (i, x) in g.iter().enumerate() {
        if x.len() < 2 {
            warnings.push(DescribeWarning::TooFewValues {
                group: i,
                n: x.len(),
            });
        }
    }
    let (m1, v1) = mean_var(&g[0]);
    let (m2, v2) = mean_var(&g[1]);
    let (n1, n2) = (g[0].len() as f64, g[1].len() as f64);
    let (a1, a2) = (v1 / n1, v2 / n2);
    let se = (a1 + a2).sqrt();
    if se == 0.0 {
        warnings.push(DescribeWarning::ZeroVariance);
    }
    let df = (a1 + a2).powi(2) / (a1 * a1 / (n1 - 1.0) + a2 * a2 / (n2 - 1.0));
    let est = m1 - m2;
    let t = if se > 0.0 { est / se } else { f64::NAN };
    let q = StudentsT::new(0.0, 1.0, df)
        .map(|d| d.inverse_cdf(0.5 + conf_level / 2.0))
        .unwrap_or(f64::NAN);
    Ok(WelchTTest {
        estimate: est,
        std_err: se,
        statistic: t,
        df,
        p: t_two_sided(t, df),
        lower: est - q * se,
        upper: est + q * se,
        warnings,
    })
}

/// An F test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FTest {
    /// F statistic.
    pub statistic: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// Upper-tail p-value.
    pub p: f64,
    /// Caveats.
    pub warnings: Vec<DescribeWarning>,
}

fn too_few(g: &[Vec<f64>], need: usize) -> Vec<DescribeWarning> {
    g.iter()
        .enumerate()
        .filter(|(_, x)| x.len() < need)
        .map(|(i, x)| DescribeWarning::TooFewValues {
            group: i,
            n: x.len(),
        })
        .collect()
}

/// Classic one-way ANOVA F test assuming equal variances (R's `anova(aov(y ~ g))`,
/// `oneway.test(y ~ g, var.equal = TRUE)`). Empty groups are left out.
pub fn anova_oneway<S: AsRef<[f64]>>(groups: &[S]) -> FTest {
    let g: Vec<Vec<f64>> = clean(groups)
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let warnings = too_few(&g, 1);
    let k = g.len() as f64;
    let n: f64 = g.iter().map(|x| x.len() as f64).sum();
    let (grand, _) = mean_var(&g.iter().flatten().copied().collect::<Vec<_>>());
    let mut ssb = 0.0;
    let mut ssw = 0.0;
    for x in &g {
        let (m, _) = mean_var(x);
        ssb += x.len() as f64 * (m - grand) * (m - grand);
        ssw += x.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    }
    let (df1, df2) = (k - 1.0, n - k);
    let f = (ssb / df1) / (ssw / df2);
    let mut warnings = warnings;
    if ssw == 0.0 {
        warnings.push(DescribeWarning::ZeroVariance);
    }
    FTest {
        statistic: f,
        df1,
        df2,
        p: f_sf(f, df1, df2),
        warnings,
    }
}

/// Welch's heteroscedastic one-way test (R's `oneway.test(y ~ g)`, the default
/// `var.equal = FALSE`). Empty groups are left out; every other group needs 2 values
/// and a positive variance.
pub fn welch_anova<S: AsRef<[f64]>>(groups: &[S]) -> FTest {
    let g: Vec<Vec<f64>> = clean(groups)
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let mut warnings = too_few(&g, 2);
    let k = g.len() as f64;
    let stats: Vec<(f64, f64, f64)> = g
        .iter()
        .map(|x| {
            let (m, v) = mean_var(x);
            (x.len() as f64, m, v)
        })
        .collect();
    if stats.iter().any(|s| s.2 == 0.0) {
        warnings.push(DescribeWarning::ZeroVariance);
    }
    let w: Vec<f64> = stats.iter().map(|s| s.0 / s.2).collect();
    let sw: f64 = w.iter().sum();
    let mt: f64 = stats.iter().zip(&w).map(|(s, wi)| wi * s.1).sum::<f64>() / sw;
    let a: f64 = stats
        .iter()
        .zip(&w)
        .map(|(s, wi)| wi * (s.1 - mt) * (s.1 - mt))
        .sum::<f64>()
        / (k - 1.0);
    let lambda: f64 = stats
        .iter()
        .zip(&w)
        .map(|(s, wi)| (1.0 - wi / sw).powi(2) / (s.0 - 1.0))
        .sum::<f64>()
        / (k * k - 1.0);
    let f = a / (1.0 + 2.0 * (k - 2.0) * lambda);
    let (df1, df2) = (k - 1.0, 1.0 / (3.0 * lambda));
    FTest {
        statistic: f,
        df1,
        df2,
        p: f_sf(f, df1, df2),
        warnings,
    }
}

/// Mid-ranks (1-based) of `x` and the sizes of its groups of ties.
fn midranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; n];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            r[k] = rank;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (r, ties)
}

/// How the p-value of the rank-sum test was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankSumMethod {
    /// Exact null distribution of W.
    Exact,
    /// Normal approximation with continuity and tie correction.
    Normal,
}

/// Wilcoxon rank-sum (Mann–Whitney) test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankSumTest {
    /// W: rank sum of the first group minus `n₁(n₁+1)/2` (R's `W`).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Exact or normal approximation.
    pub method: RankSumMethod,
    /// Caveats.
    pub warnings: Vec<DescribeWarning>,
}

/// Exact `P(W' ≤ w)` and `P(W' ≥ w)` for the rank-sum statistic of sizes m, n without
/// ties: counts of rank subsets by W, built one rank at a time (O(N·m·mn)).
fn rank_sum_exact(w: usize, m: usize, n: usize) -> (f64, f64) {
    let maxw = m * n;
    // cnt[j][u]: subsets of j of the ranks seen so far with u (x, y) pairs x > y.
    let mut cnt = vec![vec![0.0f64; maxw + 1]; m + 1];
    cnt[0][0] = 1.0;
    for i in 1..=(m + n) {
        for j in (0..m.min(i)).rev() {
            // Taking rank i as the (j+1)-th x: it is above i − (j + 1) y's.
            let inc = i - (j + 1);
            if inc > n {
                continue;
            }
            let (lo, hi) = cnt.split_at_mut(j + 1);
            let src = &lo[j];
            let dst = &mut hi[0];
            for u in (0..=maxw - inc).rev() {
                if src[u] != 0.0 {
                    dst[u + inc] += src[u];
                }
            }
        }
    }
    let total: f64 = cnt[m].iter().sum();
    let le: f64 = cnt[m][..=w.min(maxw)].iter().sum();
    let ge: f64 = cnt[m][w.min(maxw)..].iter().sum();
    (le / total, ge / total)
}

/// Wilcoxon rank-sum test of `a` against `b` (non-finite values ignored), two-sided,
/// with R's `wilcox.test` choice of exact or normal p-value.
///
/// # Errors
///
/// [`Error::NoData`] when a group has no values.
pub fn wilcoxon_rank_sum(a: &[f64], b: &[f64]) -> Result<RankSumTest, Error> {
    let g = clean(&[a, b]);
    let (m, n) = (g[0].len(), g[1].len());
    if m == 0 || n == 0 {
        return Err(Error::NoData(
            "the rank-sum test needs values in both groups".into(),
        ));
    }
    let all: Vec<f64> = g[0].iter().chain(&g[1]).copied().collect();
    let (r, ties) = midranks(&all);
    let w = r[..m].iter().sum::<f64>() - (m * (m + 1)) as f64 / 2.0;
    let (mf, nf) = (m as f64, n as f64);
    let mut warnings = Vec::new();
    if m < 50 && n < 50 && ties.is_empty() {
        let wi = w.round() as usize;
        let p = if w > mf * nf / 2.0 {
            rank_sum_exact(wi, m, n).1
        } else {
            rank_sum_exact(wi, m, n).0
        };
        return Ok(RankSumTest {
            statistic: w,
            p: (2.0 * p).min(1.0),
            method: RankSumMethod::Exact,
            warnings,
        });
    }
    if m < 50 && n < 50 {
        warnings.push(DescribeWarning::TiesNormalApproximation);
    }
    let nn = mf + nf;
    let tie: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
    let sigma = (mf * nf / 12.0 * ((nn + 1.0) - tie / (nn * (nn - 1.0)))).sqrt();
    let z0 = w - mf * nf / 2.0;
    let z = (z0 - 0.5 * z0.signum()) / sigma;
    let norm = Normal::new(0.0, 1.0).expect("standard normal");
    let p = if z.is_nan() {
        warnings.push(DescribeWarning::ZeroVariance);
        f64::NAN
    } else {
        2.0 * norm.cdf(z).min(norm.sf(z))
    };
    Ok(RankSumTest {
        statistic: w,
        p: p.min(1.0),
        method: RankSumMethod::Normal,
        warnings,
    })
}

/// Kruskal–Wallis rank-sum test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KruskalWallisTest {
    /// Tie-corrected H statistic.
    pub statistic: f64,
    /// Degrees of freedom (non-empty groups − 1).
    pub df: usize,
    /// Upper-tail chi-square p-value.
    pub p: f64,
    /// Caveats.
    pub warnings: Vec<DescribeWarning>,
}

/// Kruskal–Wallis test over the groups (non-finite values ignored, empty groups left
/// out), tie-corrected as R's `kruskal.test`.
pub fn kruskal_wallis<S: AsRef<[f64]>>(groups: &[S]) -> KruskalWallisTest {
    let g: Vec<Vec<f64>> = clean(groups)
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    let all: Vec<f64> = g.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let (r, ties) = midranks(&all);
    let mut s = 0.0;
    let mut off = 0;
    for x in &g {
        let rs: f64 = r[off..off + x.len()].iter().sum();
        s += rs * rs / x.len() as f64;
        off += x.len();
    }
    let tie: f64 = ties.iter().map(|&t| (t * t * t - t) as f64).sum();
    let h = (12.0 * s / (n * (n + 1.0)) - 3.0 * (n + 1.0)) / (1.0 - tie / (n * n * n - n));
    let df = g.len().saturating_sub(1);
    let mut warnings = Vec::new();
    if h.is_nan() {
        warnings.push(DescribeWarning::ZeroVariance);
    }
    KruskalWallisTest {
        statistic: h,
        df,
        p: chisq_sf(h, df as f64),
        warnings,
    }
}

/// Standardised mean difference `(x̄₁ − x̄₂)/√((s₁² + s₂²)/2)` (signed; Table 1 shows
/// its absolute value). NaN when a group has fewer than 2 values or both variances
/// are 0.
pub fn smd_continuous(a: &[f64], b: &[f64]) -> f64 {
    let g = clean(&[a, b]);
    let (m1, v1) = mean_var(&g[0]);
    let (m2, v2) = mean_var(&g[1]);
    (m1 - m2) / ((v1 + v2) / 2.0).sqrt()
}

/// Adjusted Fisher–Pearson sample skewness `G₁` (Joanes & Gill 1998, type 2); NaN when
/// fewer than 3 values or zero variance.
pub fn skewness(x: &[f64]) -> f64 {
    let x: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    let n = x.len() as f64;
    if x.len() < 3 {
        return f64::NAN;
    }
    let (m, _) = mean_var(&x);
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - m).powi(3)).sum::<f64>() / n;
    if m2 == 0.0 {
        return f64::NAN;
    }
    m3 / m2.powf(1.5) * (n * (n - 1.0)).sqrt() / (n - 2.0)
}

/// How to show a continuous variable in Table 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContinuousFormat {
    /// Mean (SD), tested by Welch's t / ANOVA.
    MeanSd,
    /// Median [IQR], tested by Wilcoxon / Kruskal–Wallis.
    MedianIqr,
}

/// The suggested format and the skewness figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatSuggestion {
    /// Suggested format.
    pub format: ContinuousFormat,
    /// Skewness `G₁` of all values.
    pub skewness_overall: f64,
    /// Skewness `G₁` per group (NaN below 3 values).
    pub skewness_groups: Vec<f64>,
}

/// First guess between mean (SD) and median [IQR]: median [IQR] when `|G₁| > 1` overall
/// or in any group with at least 3 values (see the module's *Formula*).
pub fn suggest_format<S: AsRef<[f64]>>(groups: &[S]) -> FormatSuggestion {
    let all: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.as_ref().iter().copied())
        .collect();
    let skewness_overall = skewness(&all);
    let skewness_groups: Vec<f64> = groups.iter().map(|g| skewness(g.as_ref())).collect();
    let skewed = std::iter::once(skewness_overall)
        .chain(skewness_groups.iter().copied())
        .any(|s| s.abs() > 1.0);
    FormatSuggestion {
        format: if skewed {
            ContinuousFormat::MedianIqr
        } else {
            ContinuousFormat::MeanSd
        },
        skewness_overall,
        skewness_groups,
    }
}

/// The test reported beside a continuous variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum ContinuousTest {
    /// Welch's t-test (2 groups, mean (SD)).
    WelchT(WelchTTest),
    /// Classic one-way ANOVA F test (more than 2 groups, mean (SD)).
    Anova(FTest),
    /// Welch's heteroscedastic one-way test (more than 2 groups, mean (SD), on request).
    WelchAnova(FTest),
    /// Wilcoxon rank-sum test (2 groups, median [IQR]).
    Wilcoxon(RankSumTest),
    /// Kruskal–Wallis test (more than 2 groups, median [IQR]).
    KruskalWallis(KruskalWallisTest),
}

/// The Table 1 test for `format`: Welch's t or the classic one-way ANOVA for mean (SD),
/// Wilcoxon or Kruskal–Wallis for median [IQR]; two-group tests when exactly two groups
/// have values.
///
/// # Errors
///
/// [`Error::NoData`] when fewer than two groups have values.
pub fn compare_continuous<S: AsRef<[f64]>>(
    groups: &[S],
    format: ContinuousFormat,
) -> Result<ContinuousTest, Error> {
    let g: Vec<Vec<f64>> = clean(groups)
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect();
    if g.len() < 2 {
        return Err(Error::NoData(
            "a test between groups needs at least two groups with values".into(),
        ));
    }
    Ok(match (format, g.len()) {
        (ContinuousFormat::MeanSd, 2) => ContinuousTest::WelchT(welch_t_test(&g[0], &g[1], 0.95)?),
        (ContinuousFormat::MeanSd, _) => ContinuousTest::Anova(anova_oneway(&g)),
        (ContinuousFormat::MedianIqr, 2) => {
            ContinuousTest::Wilcoxon(wilcoxon_rank_sum(&g[0], &g[1])?)
        }
        (ContinuousFormat::MedianIqr, _) => ContinuousTest::KruskalWallis(kruskal_wallis(&g)),
    })
}
