//! Comparing survival between groups: the weighted log-rank family (log-rank,
//! Peto–Peto, Fleming–Harrington G(ρ, γ), Gehan–Breslow–Wilcoxon, Tarone–Ware),
//! stratified, with a test for trend, pairwise comparisons with multiplicity
//! adjustment, hazard ratios from the log-rank quantities, and the difference in
//! restricted mean survival time.
//!
//! Harrington & Fleming (1982); Klein & Moeschberger (2003, §7.3–7.5). Numbers agree
//! with R's `survdiff` (whose `rho = 1` is the Peto–Peto test). One sort by
//! (stratum, time) and one sweep; the variance matrix costs O(groups²) per event time.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

pub mod peto;

use crate::km::{kaplan_meier, validate_input, z_for_level, KmOptions};
use crate::Error;

/// Weight function of the weighted log-rank test at event time `t_j`, with `n_j` at
/// risk and `Ŝ(t_j−)` the pooled (within-stratum) Kaplan–Meier estimate just before
/// `t_j`.
///
/// Serialised as `"log-rank"`, `"peto-peto"`, `"gehan-breslow"`, `"tarone-ware"`,
/// `"peto-peto-prentice"`, `"modified-peto-peto"`, or
/// `{"fleming-harrington": {"rho": ρ, "gamma": γ}}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TestMethod {
    /// `w = 1`: the log-rank (Mantel–Cox) test; R `survdiff(rho = 0)`.
    #[default]
    LogRank,
    /// `w = Ŝ(t−)`: Peto–Peto as R's `survdiff(rho = 1)` (= G(1, 0)).
    PetoPeto,
    /// `w = n_j`: Gehan (1965) generalised Wilcoxon, Breslow (1970).
    GehanBreslow,
    /// `w = √n_j`: Tarone & Ware (1977).
    TaroneWare,
    /// `w = S̃(t_j) = Π_{t_i ≤ t_j} (1 − d_i/(n_i + 1))`: Peto & Peto (1972) with the
    /// Prentice (1978) survival estimate, as SAS `TEST=PETO`, Stata `sts test, peto` and
    /// lifelines `weightings="peto"` (see [`peto`]); not R's `rho = 1`.
    PetoPetoPrentice,
    /// `w = S̃(t_j) n_j/(n_j + 1)`: the modified Peto–Peto test of Andersen et al.
    /// (1982), as SAS `TEST=MODPETO` (see [`peto`]).
    ModifiedPetoPeto,
    /// `w = Ŝ(t−)^ρ (1 − Ŝ(t−))^γ`: Fleming–Harrington G(ρ, γ) (Harrington & Fleming 1982).
    FlemingHarrington {
        /// Power of Ŝ(t−) (weights early differences).
        rho: f64,
        /// Power of 1 − Ŝ(t−) (weights late differences).
        gamma: f64,
    },
}

impl TestMethod {
    /// Short label: "log-rank", "peto-peto", "gehan-breslow", "tarone-ware",
    /// "peto-peto-prentice", "modified-peto-peto", "fleming-harrington".
    pub fn name(&self) -> &'static str {
        match self {
            TestMethod::LogRank => "log-rank",
            TestMethod::PetoPeto => "peto-peto",
            TestMethod::GehanBreslow => "gehan-breslow",
            TestMethod::TaroneWare => "tarone-ware",
            TestMethod::PetoPetoPrentice => "peto-peto-prentice",
            TestMethod::ModifiedPetoPeto => "modified-peto-peto",
            TestMethod::FlemingHarrington { .. } => "fleming-harrington",
        }
    }

    /// `s_peto` is the Peto–Prentice estimate S̃(t_j), this time's events included.
    fn weight(&self, n: f64, s_minus: f64, s_peto: f64) -> f64 {
        match *self {
            TestMethod::LogRank => 1.0,
            TestMethod::PetoPetoPrentice => s_peto,
            TestMethod::ModifiedPetoPeto => s_peto * n / (n + 1.0),
            TestMethod::PetoPeto => s_minus,
            TestMethod::GehanBreslow => n,
            TestMethod::TaroneWare => n.sqrt(),
            TestMethod::FlemingHarrington { rho, gamma } => {
                s_minus.powf(rho) * (1.0 - s_minus).powf(gamma)
            }
        }
    }

    fn validate(&self) -> Result<(), Error> {
        if let TestMethod::FlemingHarrington { rho, gamma } = *self {
            if !(rho.is_finite() && gamma.is_finite() && rho >= 0.0 && gamma >= 0.0) {
                return Err(Error::InvalidOption(format!(
                    "Fleming–Harrington rho and gamma must be ≥ 0, found rho = {rho}, gamma = {gamma}"
                )));
            }
        }
        Ok(())
    }
}

/// Observed and expected (weighted) events in one group, as `survdiff` prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Group index (0-based, into the caller's levels).
    pub group: usize,
    /// Number of rows in the group.
    pub n: usize,
    /// Number of events (unweighted).
    pub events: usize,
    /// Observed: `Σ w_j d_gj` (the event count for the log-rank test).
    pub observed: f64,
    /// Expected under the null: `Σ w_j d_j n_gj / n_j`.
    pub expected: f64,
}

/// Result of a k-sample weighted log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// Which weights.
    pub method: TestMethod,
    /// Whether the test was stratified.
    pub stratified: bool,
    /// Chi-square statistic `(O − E)ᵀ V⁻ (O − E)`.
    pub chisq: f64,
    /// Degrees of freedom: rank of V (number of groups with someone at risk at an
    /// event time, minus one).
    pub df: usize,
    /// Upper-tail chi-square probability.
    pub p: f64,
    /// Per group, in group-index order (groups without rows are left out).
    pub groups: Vec<GroupCounts>,
    /// Variance–covariance matrix V of O − E, rows/columns in `groups` order.
    pub variance: Vec<Vec<f64>>,
}

/// Largest number of groups accepted by the comparisons (the variance matrix is
/// groups × groups).
pub const MAX_GROUPS: usize = 1000;

/// Largest number of non-empty groups for pairwise comparisons (all pairs).
pub const MAX_PAIRWISE_GROUPS: usize = 100;

/// Sums of one sweep: O, E, V over all groups (including empty ones).
struct Sums {
    n: Vec<usize>,
    events: Vec<usize>,
    o: Vec<f64>,
    e: Vec<f64>,
    v: Vec<f64>, // row-major g × g
}

fn check_groups(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
) -> Result<(), Error> {
    validate_input(time, status, None)?;
    if n_groups > MAX_GROUPS {
        return Err(Error::InvalidOption(format!(
            "{n_groups} groups is more than a comparison can sensibly report (at most \
             {MAX_GROUPS}); is the group column a patient identifier or a continuous value?"
        )));
    }
    if group.len() != time.len() {
        return Err(Error::LengthMismatch {
            what: "time and group".into(),
            expected: time.len(),
            found: group.len(),
        });
    }
    if let Some((i, &g)) = group.iter().enumerate().find(|(_, &g)| g >= n_groups) {
        return Err(Error::InvalidValue {
            what: "group".into(),
            index: i,
            reason: format!("group code {g} is not below the number of groups ({n_groups})"),
        });
    }
    if let Some(s) = strata {
        if s.len() != time.len() {
            return Err(Error::LengthMismatch {
                what: "time and strata".into(),
                expected: time.len(),
                found: s.len(),
            });
        }
    }
    Ok(())
}

/// One sweep over rows sorted by (stratum, time), restricted to `rows`.
fn sweep(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    rows: &[usize],
    method: TestMethod,
) -> Sums {
    let g = n_groups;
    let stratum = |i: usize| strata.map_or(0, |s| s[i]);
    // (stratum, time, group, status), sorted once; tuples keep the sweep cache-friendly.
    let mut order: Vec<(usize, f64, usize, bool)> = rows
        .iter()
        .map(|&i| (stratum(i), time[i], group[i], status[i]))
        .collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut sums = Sums {
        n: vec![0; g],
        events: vec![0; g],
        o: vec![0.0; g],
        e: vec![0.0; g],
        v: vec![0.0; g * g],
    };
    for &(_, _, k, event) in &order {
        sums.n[k] += 1;
        if event {
            sums.events[k] += 1;
        }
    }
    let mut at_risk = vec![0.0_f64; g];
    let mut d_g = vec![0.0_f64; g];
    let mut leave_g = vec![0.0_f64; g];
    let mut touched: Vec<usize> = Vec::new();
    let mut active: Vec<usize> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        // One stratum: order[start..stop].
        let s0 = order[start].0;
        let mut stop = start;
        while stop < order.len() && order[stop].0 == s0 {
            stop += 1;
        }
        at_risk.iter_mut().for_each(|x| *x = 0.0);
        for &(_, _, k, _) in &order[start..stop] {
            at_risk[k] += 1.0;
        }
        let mut n_total = (stop - start) as f64;
        let mut s_minus = 1.0_f64;
        let mut s_peto = 1.0_f64;
        let mut i = start;
        while i < stop {
            let t = order[i].1;
            let mut d = 0.0;
            touched.clear();
            while i < stop && order[i].1 == t {
                let (_, _, k, event) = order[i];
                if leave_g[k] == 0.0 {
                    touched.push(k);
                }
                leave_g[k] += 1.0;
                if event {
                    d_g[k] += 1.0;
                    d += 1.0;
                }
                i += 1;
            }
            if d > 0.0 {
                let n = n_total;
                s_peto = peto::step(s_peto, n, d);
                let w = method.weight(n, s_minus, s_peto);
                active.clear();
                for (k, &nk) in at_risk.iter().enumerate() {
                    if nk > 0.0 {
                        active.push(k);
                        sums.e[k] += w * d * nk / n;
                    }
                }
                for &k in &touched {
                    sums.o[k] += w * d_g[k];
                }
                if n > 1.0 {
                    let f = w * w * d * (n - d) / (n - 1.0) / n;
                    for &a in &active {
                        for &b in &active {
                            let delta = if a == b { 1.0 } else { 0.0 };
                            sums.v[a * g + b] += f * at_risk[a] * (delta - at_risk[b] / n);
                        }
                    }
                }
                s_minus *= 1.0 - d / n;
            }
            for &k in &touched {
                at_risk[k] -= leave_g[k];
                n_total -= leave_g[k];
                leave_g[k] = 0.0;
                d_g[k] = 0.0;
            }
        }
        start = stop;
    }
    sums
}

/// Quadratic form `xᵀ V⁺ x` with the Moore–Penrose inverse, and the rank of V.
fn quadratic_form(v: &DMatrix<f64>, x: &[f64]) -> (f64, usize) {
    let k = x.len();
    if k == 0 {
        return (0.0, 0);
    }
    let eig = v.clone().symmetric_eigen();
    let max = eig.eigenvalues.iter().fold(0.0_f64, |m, &l| m.max(l.abs()));
    let tol = max * 1e-10 * k as f64;
    let mut q = 0.0;
    let mut rank = 0;
    for (j, &l) in eig.eigenvalues.iter().enumerate() {
        if max > 0.0 && l > tol {
            rank += 1;
            let proj: f64 = (0..k).map(|i| eig.eigenvectors[(i, j)] * x[i]).sum();
            q += proj * proj / l;
        }
    }
    (q, rank)
}

fn chisq_p(chisq: f64, df: usize) -> f64 {
    if df == 0 || !chisq.is_finite() {
        return f64::NAN;
    }
    match ChiSquared::new(df as f64) {
        Ok(d) => d.sf(chisq.max(0.0)),
        Err(_) => f64::NAN,
    }
}

fn test_on_rows(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    rows: &[usize],
    method: TestMethod,
) -> Result<TestResult, Error> {
    let sums = sweep(time, status, group, n_groups, strata, rows, method);
    let present: Vec<usize> = (0..n_groups).filter(|&k| sums.n[k] > 0).collect();
    if present.len() < 2 {
        return Err(Error::NoData(format!(
            "a comparison needs at least two groups with patients, found {}",
            present.len()
        )));
    }
    if sums.events.iter().sum::<usize>() == 0 {
        return Err(Error::NoData(
            "no events in any group: nothing to compare".into(),
        ));
    }
    let m = present.len();
    let v = DMatrix::from_fn(m, m, |a, b| sums.v[present[a] * n_groups + present[b]]);
    let diff: Vec<f64> = present.iter().map(|&k| sums.o[k] - sums.e[k]).collect();
    let (chisq, df) = quadratic_form(&v, &diff);
    if df == 0 {
        return Err(Error::NoData(
            "the test statistic has zero variance (no informative event times)".into(),
        ));
    }
    Ok(TestResult {
        method,
        stratified: strata.is_some(),
        chisq,
        df,
        p: chisq_p(chisq, df),
        groups: present
            .iter()
            .map(|&k| GroupCounts {
                group: k,
                n: sums.n[k],
                events: sums.events[k],
                observed: sums.o[k],
                expected: sums.e[k],
            })
            .collect(),
        variance: (0..m)
            .map(|a| (0..m).map(|b| v[(a, b)]).collect())
            .collect(),
    })
}

/// k-sample weighted log-rank test, optionally stratified (R's `survdiff`).
///
/// # Formula
/// At each event time `t_j` (within each stratum), with `n_j` at risk, `d_j` events,
/// `n_gj`, `d_gj` in group g and weight `w_j` ([`TestMethod`]):
/// `O_g − E_g = Σ_j w_j (d_gj − d_j n_gj/n_j)`,
/// `V_gh = Σ_j w_j² d_j (n_j − d_j)/(n_j − 1) · (n_gj/n_j)(δ_gh − n_hj/n_j)`;
/// for strata the sums run over strata (the weights use the stratum's pooled KM).
/// `χ² = (O − E)ᵀ V⁻ (O − E)` on `rank(V)` degrees of freedom (Klein & Moeschberger
/// 2003, §7.3; Harrington & Fleming 1982).
///
/// `group[i]` is row i's group in `0..n_groups`; `strata[i]` any stratum code.
///
/// # Errors
/// Invalid inputs (see [`kaplan_meier`]), fewer than two non-empty groups, no events,
/// or a statistic with zero variance.
pub fn survdiff(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    method: TestMethod,
) -> Result<TestResult, Error> {
    check_groups(time, status, group, n_groups, strata)?;
    method.validate()?;
    let rows: Vec<usize> = (0..time.len()).collect();
    test_on_rows(time, status, group, n_groups, strata, &rows, method)
}

/// Test for trend across ordered groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendResult {
    /// Which weights.
    pub method: TestMethod,
    /// Score of each group in `groups` order (default 1, 2, 3, ...).
    pub scores: Vec<f64>,
    /// `U = Σ_g s_g (O_g − E_g)`.
    pub statistic: f64,
    /// `U² / (sᵀ V s)`.
    pub chisq: f64,
    /// Always 1.
    pub df: usize,
    /// Upper-tail chi-square probability on 1 df.
    pub p: f64,
    /// Group indices the scores belong to.
    pub groups: Vec<usize>,
}

/// Test for trend across ordered groups: the weighted log-rank statistic projected on
/// group scores (Klein & Moeschberger 2003, §7.4).
///
/// # Formula
/// `χ²_trend = (sᵀ(O − E))² / (sᵀ V s)` on 1 df, with `s` the scores of the non-empty
/// groups in index order (default 1, 2, …, or `scores[g]` for group g).
///
/// # Errors
/// As [`survdiff`]; also fewer than three non-empty groups, or `scores` of the wrong
/// length / not finite.
pub fn trend_test(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    method: TestMethod,
    scores: Option<&[f64]>,
) -> Result<TrendResult, Error> {
    let test = survdiff(time, status, group, n_groups, strata, method)?;
    if test.groups.len() < 3 {
        return Err(Error::NoData(format!(
            "a test for trend needs at least three ordered groups, found {}",
            test.groups.len()
        )));
    }
    if let Some(s) = scores {
        if s.len() != n_groups {
            return Err(Error::LengthMismatch {
                what: "group scores".into(),
                expected: n_groups,
                found: s.len(),
            });
        }
        if s.iter().any(|x| !x.is_finite()) {
            return Err(Error::InvalidOption("group scores must be finite".into()));
        }
    }
    let s: Vec<f64> = match scores {
        Some(sc) => test.groups.iter().map(|gc| sc[gc.group]).collect(),
        None => (1..=test.groups.len()).map(|k| k as f64).collect(),
    };
    let u: f64 = test
        .groups
        .iter()
        .zip(&s)
        .map(|(gc, &sk)| sk * (gc.observed - gc.expected))
        .sum();
    let mut var = 0.0;
    for (a, &sa) in s.iter().enumerate() {
        for (b, &sb) in s.iter().enumerate() {
            var += sa * test.variance[a][b] * sb;
        }
    }
    if var.is_nan() || var <= 0.0 {
        return Err(Error::NoData(
            "the trend statistic has zero variance (equal scores?)".into(),
        ));
    }
    let chisq = u * u / var;
    Ok(TrendResult {
        method,
        scores: s,
        statistic: u,
        chisq,
        df: 1,
        p: chisq_p(chisq, 1),
        groups: test.groups.iter().map(|gc| gc.group).collect(),
    })
}

/// Multiplicity adjustment of p-values (R's `p.adjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PAdjust {
    /// No adjustment.
    None,
    /// Bonferroni: `min(1, m·p)`.
    Bonferroni,
    /// Holm (1979) step-down; R's default for pairwise tests.
    #[default]
    Holm,
    /// Benjamini & Hochberg (1995) false discovery rate.
    #[serde(alias = "fdr")]
    Bh,
}

/// Adjusts p-values for multiplicity (NaN entries are left out of the count and kept).
///
/// # Formula
/// With `m` p-values sorted `p_(1) ≤ … ≤ p_(m)`: Bonferroni `min(1, m p)`; Holm
/// `max_{k ≤ i} min(1, (m − k + 1) p_(k))`; Benjamini–Hochberg
/// `min_{k ≥ i} min(1, m p_(k) / k)`.
pub fn p_adjust(p: &[f64], method: PAdjust) -> Vec<f64> {
    let idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let m = idx.len() as f64;
    let mut out = p.to_vec();
    let mut sorted = idx.clone();
    sorted.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    match method {
        PAdjust::None => {}
        PAdjust::Bonferroni => {
            for &i in &idx {
                out[i] = (m * p[i]).min(1.0);
            }
        }
        PAdjust::Holm => {
            let mut running = 0.0_f64;
            for (k, &i) in sorted.iter().enumerate() {
                running = running.max(((m - k as f64) * p[i]).min(1.0));
                out[i] = running;
            }
        }
        PAdjust::Bh => {
            let mut running = 1.0_f64;
            for (k, &i) in sorted.iter().enumerate().rev() {
                running = running.min((m * p[i] / (k as f64 + 1.0)).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}

/// One pairwise comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseResult {
    /// First group index.
    pub group_a: usize,
    /// Second group index (the reference when one was given).
    pub group_b: usize,
    /// Chi-square of the two-group test.
    pub chisq: f64,
    /// Unadjusted p.
    pub p: f64,
    /// Adjusted p.
    pub p_adjusted: f64,
}

/// Pairwise two-group tests between all pairs of non-empty groups, or each group
/// against `reference`, with p-values adjusted by `adjust`.
///
/// # Errors
/// As [`survdiff`] for the inputs; a reference outside `0..n_groups`. Pairs whose test
/// is undefined (e.g. no events in either group) get NaN p-values.
#[allow(clippy::too_many_arguments)]
pub fn pairwise(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    method: TestMethod,
    reference: Option<usize>,
    adjust: PAdjust,
) -> Result<Vec<PairwiseResult>, Error> {
    check_groups(time, status, group, n_groups, strata)?;
    method.validate()?;
    if let Some(r) = reference {
        if r >= n_groups {
            return Err(Error::InvalidOption(format!(
                "reference group {r} is not below the number of groups ({n_groups})"
            )));
        }
    }
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for (i, &g) in group.iter().enumerate() {
        rows_of[g].push(i);
    }
    let present: Vec<usize> = (0..n_groups).filter(|&k| !rows_of[k].is_empty()).collect();
    if present.len() > MAX_PAIRWISE_GROUPS && reference.is_none() {
        return Err(Error::InvalidOption(format!(
            "{} groups give too many pairs to compare (at most {MAX_PAIRWISE_GROUPS} groups); \
             compare each group with a reference instead",
            present.len()
        )));
    }
    let mut pairs = Vec::new();
    match reference {
        Some(r) => {
            for &a in &present {
                if a != r && !rows_of[r].is_empty() {
                    pairs.push((a, r));
                }
            }
        }
        None => {
            for (x, &a) in present.iter().enumerate() {
                for &b in &present[x + 1..] {
                    pairs.push((a, b));
                }
            }
        }
    }
    let mut out: Vec<PairwiseResult> = pairs
        .iter()
        .map(|&(a, b)| {
            let mut rows = rows_of[a].clone();
            rows.extend_from_slice(&rows_of[b]);
            let (chisq, p) =
                match test_on_rows(time, status, group, n_groups, strata, &rows, method) {
                    Ok(t) => (t.chisq, t.p),
                    Err(_) => (f64::NAN, f64::NAN),
                };
            PairwiseResult {
                group_a: a,
                group_b: b,
                chisq,
                p,
                p_adjusted: f64::NAN,
            }
        })
        .collect();
    let raw: Vec<f64> = out.iter().map(|r| r.p).collect();
    for (r, q) in out.iter_mut().zip(p_adjust(&raw, adjust)) {
        r.p_adjusted = q;
    }
    Ok(out)
}

/// A ratio with confidence limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatioCi {
    /// Point estimate.
    pub estimate: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
}

/// Hazard ratio of `group` versus `reference` from the log-rank quantities, as Prism
/// reports them. **Not a Cox model hazard ratio.**
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardRatio {
    /// Group index (numerator).
    pub group: usize,
    /// Reference group index (denominator).
    pub reference: usize,
    /// Log-rank method: `(O_a/E_a)/(O_b/E_b)`, CI `exp(log HR ± z √(1/E_a + 1/E_b))`.
    pub logrank: RatioCi,
    /// Mantel–Haenszel method: `exp((O_a − E_a)/V)`, CI `exp((O_a − E_a)/V ± z/√V)`.
    pub mantel_haenszel: RatioCi,
    /// Always "not a Cox hazard ratio: computed from log-rank observed/expected counts".
    pub note: String,
}

/// Hazard ratio between two groups by the log-rank (O/E) and Mantel–Haenszel methods
/// (Machin, Cheung & Parmar 2006, ch. 3; GraphPad Prism). Uses the unweighted
/// log-rank quantities of the two groups only, stratified when `strata` is given.
///
/// # Errors
/// As [`survdiff`] on the two groups; zero expected events in a group.
#[allow(clippy::too_many_arguments)]
pub fn hazard_ratio(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    strata: Option<&[usize]>,
    group_a: usize,
    reference: usize,
    conf_level: f64,
) -> Result<HazardRatio, Error> {
    check_groups(time, status, group, n_groups, strata)?;
    if group_a >= n_groups || reference >= n_groups || group_a == reference {
        return Err(Error::InvalidOption(format!(
            "hazard ratio needs two different groups below {n_groups}, found {group_a} and {reference}"
        )));
    }
    let z = z_for_level(conf_level)?;
    let rows: Vec<usize> = (0..time.len())
        .filter(|&i| group[i] == group_a || group[i] == reference)
        .collect();
    let t = test_on_rows(
        time,
        status,
        group,
        n_groups,
        strata,
        &rows,
        TestMethod::LogRank,
    )?;
    let find = |k: usize| t.groups.iter().position(|gc| gc.group == k);
    let (ia, ib) = match (find(group_a), find(reference)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::NoData("both groups need patients".into())),
    };
    let (oa, ea) = (t.groups[ia].observed, t.groups[ia].expected);
    let (ob, eb) = (t.groups[ib].observed, t.groups[ib].expected);
    if !(ea > 0.0 && eb > 0.0) {
        return Err(Error::NoData(
            "a group has no expected events; the hazard ratio is undefined".into(),
        ));
    }
    let log_hr = ((oa / ea) / (ob / eb)).ln();
    let se = (1.0 / ea + 1.0 / eb).sqrt();
    let v = t.variance[ia][ia];
    let mh = (oa - ea) / v;
    let se_mh = 1.0 / v.sqrt();
    Ok(HazardRatio {
        group: group_a,
        reference,
        logrank: RatioCi {
            estimate: log_hr.exp(),
            lower: (log_hr - z * se).exp(),
            upper: (log_hr + z * se).exp(),
        },
        mantel_haenszel: RatioCi {
            estimate: mh.exp(),
            lower: (mh - z * se_mh).exp(),
            upper: (mh + z * se_mh).exp(),
        },
        note: "not a Cox hazard ratio: computed from log-rank observed/expected counts".into(),
    })
}

/// Difference in restricted mean survival time between two groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmstDifference {
    /// Group index.
    pub group: usize,
    /// Reference group index.
    pub reference: usize,
    /// Common upper limit of integration.
    pub tau: f64,
    /// RMST of `group`.
    pub rmst_group: f64,
    /// Its standard error.
    pub se_group: f64,
    /// RMST of `reference`.
    pub rmst_reference: f64,
    /// Its standard error.
    pub se_reference: f64,
    /// `rmst_group − rmst_reference`.
    pub difference: f64,
    /// `√(se_group² + se_reference²)`.
    pub se: f64,
    /// Lower confidence limit of the difference.
    pub lower: f64,
    /// Upper confidence limit of the difference.
    pub upper: f64,
    /// Two-sided p from `difference / se` against the normal law.
    pub p: f64,
}

/// RMST difference `group − reference` up to a common `tau` (default: the smaller of
/// the two groups' largest observed times, so neither curve is extrapolated), with a
/// normal-theory CI and p (Royston & Parmar 2013; Klein & Moeschberger 2003, §4.5).
/// Each group's RMST and SE are as [`kaplan_meier`]'s `rmst` (R's `print(fit, rmean = tau)`).
///
/// # Errors
/// Invalid inputs or groups; a group with no rows; a non-positive tau.
#[allow(clippy::too_many_arguments)]
pub fn rmst_difference(
    time: &[f64],
    status: &[bool],
    group: &[usize],
    n_groups: usize,
    group_a: usize,
    reference: usize,
    tau: Option<f64>,
    conf_level: f64,
) -> Result<RmstDifference, Error> {
    check_groups(time, status, group, n_groups, None)?;
    if group_a >= n_groups || reference >= n_groups || group_a == reference {
        return Err(Error::InvalidOption(format!(
            "RMST difference needs two different groups below {n_groups}, found {group_a} and {reference}"
        )));
    }
    let z = z_for_level(conf_level)?;
    let subset = |k: usize| -> (Vec<f64>, Vec<bool>) {
        (0..time.len())
            .filter(|&i| group[i] == k)
            .map(|i| (time[i], status[i]))
            .unzip()
    };
    let (ta, sa) = subset(group_a);
    let (tb, sb) = subset(reference);
    if ta.is_empty() || tb.is_empty() {
        return Err(Error::NoData("both groups need patients".into()));
    }
    let max_of = |t: &[f64]| t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let tau = tau.unwrap_or_else(|| max_of(&ta).min(max_of(&tb)));
    if !(tau.is_finite() && tau > 0.0) {
        return Err(Error::InvalidOption(format!(
            "RMST tau must be a positive number, found {tau}"
        )));
    }
    let opts = KmOptions {
        quantiles: Vec::new(),
        rmst_tau: Some(tau),
        ..KmOptions::default()
    };
    let ra = kaplan_meier(&ta, &sa, None, &opts)?
        .rmst
        .ok_or_else(|| Error::NoData("RMST undefined".into()))?;
    let rb = kaplan_meier(&tb, &sb, None, &opts)?
        .rmst
        .ok_or_else(|| Error::NoData("RMST undefined".into()))?;
    let difference = ra.estimate - rb.estimate;
    let se = (ra.se * ra.se + rb.se * rb.se).sqrt();
    let p = if se > 0.0 {
        let normal = Normal::new(0.0, 1.0).map_err(|e| Error::InvalidOption(e.to_string()))?;
        2.0 * normal.sf((difference / se).abs())
    } else {
        f64::NAN
    };
    Ok(RmstDifference {
        group: group_a,
        reference,
        tau,
        rmst_group: ra.estimate,
        se_group: ra.se,
        rmst_reference: rb.estimate,
        se_reference: rb.se,
        difference,
        se,
        lower: difference - z * se,
        upper: difference + z * se,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_adjust_matches_definitions() {
        let p = [0.01, 0.04, 0.03, 0.5];
        assert_eq!(
            p_adjust(&p, PAdjust::Bonferroni),
            vec![0.04, 0.16, 0.12, 1.0]
        );
        let holm = p_adjust(&p, PAdjust::Holm);
        // sorted 0.01 (×4), 0.03 (×3), 0.04 (×2), 0.5 (×1)
        let want = [0.04, 0.09, 0.09, 0.5];
        for (a, b) in holm.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
        let bh = p_adjust(&p, PAdjust::Bh);
        let want = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.5];
        for (a, b) in bh.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{a} {b}");
        }
    }

    #[test]
    fn two_groups_by_hand() {
        // Group 0: events at 1, 3; group 1: event at 2, censored at 4.
        let t = [1.0, 3.0, 2.0, 4.0];
        let s = [true, true, true, false];
        let g = [0, 0, 1, 1];
        let r = survdiff(&t, &s, &g, 2, None, TestMethod::LogRank).unwrap();
        // t=1: n=4, n0=2 → E0 = 0.5, V = 1·3/3·(2/4)(2/4) = 0.25
        // t=2: n=3, n0=1 → E0 = 1/3, V = (1/3)(2/3) = 2/9
        // t=3: n=2, n0=1 → E0 = 1/2, V = 1/4
        let e0 = 0.5 + 1.0 / 3.0 + 0.5;
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((r.groups[0].expected - e0).abs() < 1e-14);
        assert!((r.chisq - (2.0 - e0).powi(2) / v).abs() < 1e-12);
        assert_eq!(r.df, 1);
    }
}
