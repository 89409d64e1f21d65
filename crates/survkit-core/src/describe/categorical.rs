//! Categorical variables by group: counts and percentages, Pearson's chi-square test,
//! Fisher's exact test, the "exact when an expected count is below 5" rule and the
//! standardised difference.
//!
//! # Formula
//!
//! - Pearson (1900): `X² = Σᵢⱼ (Oᵢⱼ − Eᵢⱼ)²/Eᵢⱼ`, `Eᵢⱼ = RᵢCⱼ/N`, on `(r−1)(c−1)` df.
//!   For a 2×2 table R's `chisq.test` (default `correct = TRUE`) applies Yates' (1934)
//!   continuity correction `X² = Σ (|O − E| − min(0.5, |O − E|))²/E`; larger tables are
//!   never corrected.
//! - The rule of thumb (Cochran 1954), as commonly applied in Table 1: use Fisher's
//!   exact test when any expected count is below 5 ([`any_expected_below`]).
//! - Standardised difference between two groups for a variable with k levels (Yang &
//!   Dalton 2012): with `p₁, p₂` the vectors of proportions of levels 2..k,
//!   `T = p₁ − p₂` and `S` the k−1 square matrix `Sₗₗ = [p₁ₗ(1−p₁ₗ) + p₂ₗ(1−p₂ₗ)]/2`,
//!   `Sₗₘ = −[p₁ₗp₁ₘ + p₂ₗp₂ₘ]/2`, `SMD = √(Tᵀ S⁻¹ T)`. For two levels this is
//!   `|p₁ − p₂| / √([p₁(1−p₁) + p₂(1−p₂)]/2)`. A singular `S` (a level absent from both
//!   groups) is inverted by the Moore–Penrose pseudo-inverse.
//!
//! # References
//!
//! - Pearson K (1900). *Phil Mag* 50:157–175. Yates F (1934). *JRSS Suppl* 1:217–235.
//! - Cochran WG (1954). Some methods for strengthening the common χ² tests.
//!   *Biometrics* 10:417–451.
//! - Yang D, Dalton JE (2012). A unified approach to measuring the effect size between
//!   two groups using SAS. SAS Global Forum, paper 335-2012.

use super::fisher::{fisher_exact, FisherOptions};
use super::{check_groups, chisq_sf, DescribeWarning};
use crate::Error;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

/// Counts of one level in each group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelSummary {
    /// Level code.
    pub level: usize,
    /// Count per group.
    pub count: Vec<usize>,
    /// Count over all groups.
    pub count_total: usize,
    /// Percentage of the group's non-missing values, per group (NaN for a group with
    /// no non-missing value).
    pub percent: Vec<f64>,
    /// Percentage over all groups of the non-missing values.
    pub percent_total: f64,
    /// Percentage of all the group's rows, missing included, per group.
    pub percent_with_missing: Vec<f64>,
    /// Percentage of all rows, missing included.
    pub percent_with_missing_total: f64,
}

/// Counts and percentages of a categorical variable by group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalSummary {
    /// Rows per group, missing included.
    pub n: Vec<usize>,
    /// Rows over all groups.
    pub n_total: usize,
    /// One entry per level `0..n_levels`, in level order.
    pub levels: Vec<LevelSummary>,
    /// Missing values per group.
    pub missing: Vec<usize>,
    /// Missing values over all groups.
    pub missing_total: usize,
    /// Percentage missing per group.
    pub percent_missing: Vec<f64>,
    /// The contingency table of non-missing values, `table[level][group]`.
    pub table: Vec<Vec<usize>>,
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Counts and percentages of `value` (level code per row, `None` = missing) by `group`.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when `value` and `group` differ in length,
/// [`Error::InvalidValue`] for a level code `≥ n_levels` or a group code `≥ n_groups`.
pub fn summarize_categorical(
    value: &[Option<usize>],
    group: &[usize],
    n_levels: usize,
    n_groups: usize,
) -> Result<CategoricalSummary, Error> {
    if value.len() != group.len() {
        return Err(Error::LengthMismatch {
            what: "group (against the variable)".into(),
            expected: value.len(),
            found: group.len(),
        });
    }
    check_groups(group, n_groups)?;
    let mut table = vec![vec![0usize; n_groups]; n_levels];
    let mut n = vec![0usize; n_groups];
    let mut missing = vec![0usize; n_groups];
    for (i, (&v, &g)) in value.iter().zip(group).enumerate() {
        n[g] += 1;
        match v {
            None => missing[g] += 1,
            Some(l) if l < n_levels => table[l][g] += 1,
            Some(l) => {
                return Err(Error::InvalidValue {
                    what: "categorical variable".into(),
                    index: i,
                    reason: format!("level code {l} is not below n_levels = {n_levels}"),
                })
            }
        }
    }
    let n_total: usize = n.iter().sum();
    let missing_total: usize = missing.iter().sum();
    let present: Vec<usize> = (0..n_groups).map(|g| n[g] - missing[g]).collect();
    let present_total = n_total - missing_total;
    let levels = (0..n_levels)
        .map(|l| {
            let count = table[l].clone();
            let count_total: usize = count.iter().sum();
            LevelSummary {
                level: l,
                percent: (0..n_groups).map(|g| pct(count[g], present[g])).collect(),
                percent_total: pct(count_total, present_total),
                percent_with_missing: (0..n_groups).map(|g| pct(count[g], n[g])).collect(),
                percent_with_missing_total: pct(count_total, n_total),
                count,
                count_total,
            }
        })
        .collect();
    Ok(CategoricalSummary {
        percent_missing: (0..n_groups).map(|g| pct(missing[g], n[g])).collect(),
        n,
        n_total,
        levels,
        missing,
        missing_total,
        table,
    })
}

/// Expected counts `RᵢCⱼ/N` of a table.
pub fn expected_counts(table: &[Vec<usize>]) -> Vec<Vec<f64>> {
    let c = table.first().map_or(0, |r| r.len());
    let rows: Vec<f64> = table
        .iter()
        .map(|r| r.iter().sum::<usize>() as f64)
        .collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|r| r[j]).sum::<usize>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    rows.iter()
        .map(|&ri| cols.iter().map(|&cj| ri * cj / n).collect())
        .collect()
}

/// The rule "use Fisher's exact test when any expected count is below `threshold`"
/// (5 is the usual choice), applied to the table without empty rows and columns.
pub fn any_expected_below(table: &[Vec<usize>], threshold: f64) -> bool {
    let (t, _, _) = drop_empty(table);
    expected_counts(&t).iter().flatten().any(|&e| e < threshold)
}

/// The table without all-zero rows and columns, and the indices dropped.
fn drop_empty(table: &[Vec<usize>]) -> (Vec<Vec<usize>>, Vec<usize>, Vec<usize>) {
    let c = table.first().map_or(0, |r| r.len());
    let drop_r: Vec<usize> = (0..table.len())
        .filter(|&i| table[i].iter().all(|&v| v == 0))
        .collect();
    let drop_c: Vec<usize> = (0..c)
        .filter(|&j| table.iter().all(|r| r[j] == 0))
        .collect();
    let t = table
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop_r.contains(i))
        .map(|(_, r)| {
            r.iter()
                .enumerate()
                .filter(|(j, _)| !drop_c.contains(j))
                .map(|(_, &v)| v)
                .collect()
        })
        .collect();
    (t, drop_r, drop_c)
}

/// Pearson's chi-square test of independence (not `cox::ChiSquareTest`, the plain
/// statistic/df/p triple of the Cox tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PearsonChiSquare {
    /// Test statistic `X²`.
    pub statistic: f64,
    /// Degrees of freedom `(r−1)(c−1)`.
    pub df: usize,
    /// Upper-tail p-value.
    pub p: f64,
    /// Whether Yates' continuity correction was applied (2×2 tables only).
    pub yates: bool,
    /// Expected counts of the table tested (empty rows/columns dropped).
    pub expected: Vec<Vec<f64>>,
    /// Caveats (small expected counts, dropped empty categories).
    pub warnings: Vec<DescribeWarning>,
}

fn validate_table(table: &[Vec<usize>]) -> Result<(), Error> {
    let c = table.first().map_or(0, |r| r.len());
    if table.is_empty() || c == 0 {
        return Err(Error::NoData("the contingency table is empty".into()));
    }
    if let Some(i) = table.iter().position(|r| r.len() != c) {
        return Err(Error::NoData(format!(
            "row {} of the table has {} columns, expected {c}",
            i + 1,
            table[i].len()
        )));
    }
    Ok(())
}

/// Pearson's chi-square test on `table[level][group]`; with `correct` (R's default) a
/// 2×2 table gets Yates' continuity correction.
///
/// Rows and columns with no observations are dropped first (with a warning), since
/// they have no expected counts (R would return NaN).
///
/// # Errors
///
/// [`Error::NoData`] for an empty or ragged table, or fewer than two non-empty rows or
/// columns.
pub fn chisq_test(table: &[Vec<usize>], correct: bool) -> Result<PearsonChiSquare, Error> {
    validate_table(table)?;
    let (t, drop_r, drop_c) = drop_empty(table);
    let r = t.len();
    let c = t.first().map_or(0, |v| v.len());
    if r < 2 || c < 2 {
        return Err(Error::NoData(
            "the chi-square test needs at least two non-empty levels and two non-empty groups"
                .into(),
        ));
    }
    let mut warnings = Vec::new();
    if !drop_r.is_empty() || !drop_c.is_empty() {
        warnings.push(DescribeWarning::EmptyCategoriesDropped {
            levels: drop_r,
            groups: drop_c,
        });
    }
    let e = expected_counts(&t);
    let yates = correct && r == 2 && c == 2;
    let mut stat = 0.0;
    for i in 0..r {
        for j in 0..c {
            let d = (t[i][j] as f64 - e[i][j]).abs();
            let d = if yates { d - d.min(0.5) } else { d };
            stat += d * d / e[i][j];
        }
    }
    let below: Vec<f64> = e.iter().flatten().copied().filter(|&v| v < 5.0).collect();
    if !below.is_empty() {
        warnings.push(DescribeWarning::SmallExpectedCounts {
            min_expected: below.iter().copied().fold(f64::INFINITY, f64::min),
            cells_below_5: below.len(),
        });
    }
    let df = (r - 1) * (c - 1);
    Ok(PearsonChiSquare {
        statistic: stat,
        df,
        p: chisq_sf(stat, df as f64),
        yates,
        expected: e,
        warnings,
    })
}

/// Which test to report for a categorical variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalTestChoice {
    /// Fisher's exact test when any expected count is below 5, else chi-square.
    #[default]
    Auto,
    /// Always Pearson's chi-square (Yates-corrected for 2×2).
    ChiSquare,
    /// Always Fisher's exact test (chi-square if beyond the work limit).
    Fisher,
}

/// The test that was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalTestKind {
    /// Pearson's chi-square (R `chisq.test`).
    ChiSquare,
    /// Pearson's chi-square with Yates' continuity correction (2×2).
    ChiSquareYates,
    /// Fisher's exact test (R `fisher.test`).
    Fisher,
}

/// The test reported beside a categorical variable in Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalTest {
    /// Which test.
    pub test: CategoricalTestKind,
    /// Chi-square statistic (`None` for Fisher's test).
    pub statistic: Option<f64>,
    /// Degrees of freedom (`None` for Fisher's test).
    pub df: Option<usize>,
    /// p-value.
    pub p: f64,
    /// Caveats.
    pub warnings: Vec<DescribeWarning>,
}

/// The Table 1 test of `table[level][group]`: chi-square or Fisher's exact test by
/// `choice`; Fisher's test beyond its work limit falls back to chi-square with a
/// [`DescribeWarning::ExactTestTooLarge`].
///
/// # Errors
///
/// As [`chisq_test`].
pub fn compare_categorical(
    table: &[Vec<usize>],
    choice: CategoricalTestChoice,
    fisher_opts: &FisherOptions,
) -> Result<CategoricalTest, Error> {
    let chi = chisq_test(table, true)?;
    let exact = match choice {
        CategoricalTestChoice::ChiSquare => false,
        CategoricalTestChoice::Fisher => true,
        CategoricalTestChoice::Auto => any_expected_below(table, 5.0),
    };
    let chi_result = |mut warnings: Vec<DescribeWarning>| CategoricalTest {
        test: if chi.yates {
            CategoricalTestKind::ChiSquareYates
        } else {
            CategoricalTestKind::ChiSquare
        },
        statistic: Some(chi.statistic),
        df: Some(chi.df),
        p: chi.p,
        warnings: {
            warnings.extend(chi.warnings.iter().cloned());
            warnings
        },
    };
    if !exact {
        return Ok(chi_result(Vec::new()));
    }
    match fisher_exact(table, fisher_opts) {
        Ok(f) => Ok(CategoricalTest {
            test: CategoricalTestKind::Fisher,
            statistic: None,
            df: None,
            p: f.p,
            warnings: chi
                .warnings
                .iter()
                .filter(|w| matches!(w, DescribeWarning::EmptyCategoriesDropped { .. }))
                .cloned()
                .collect(),
        }),
        Err(Error::InvalidOption(_)) => Ok(chi_result(vec![DescribeWarning::ExactTestTooLarge {
            max_work: fisher_opts.max_work,
        }])),
        Err(e) => Err(e),
    }
}

/// Standardised difference of a categorical variable between two groups (Yang & Dalton
/// 2012; see the module's *Formula*), from the counts per level of each group.
///
/// Returns NaN when a group has no observations.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when the two count vectors differ in length.
pub fn smd_categorical(counts_a: &[usize], counts_b: &[usize]) -> Result<f64, Error> {
    if counts_a.len() != counts_b.len() {
        return Err(Error::LengthMismatch {
            what: "level counts of the second group".into(),
            expected: counts_a.len(),
            found: counts_b.len(),
        });
    }
    let na: usize = counts_a.iter().sum();
    let nb: usize = counts_b.iter().sum();
    if na == 0 || nb == 0 {
        return Ok(f64::NAN);
    }
    let k = counts_a.len();
    if k < 2 {
        return Ok(0.0);
    }
    let pa: Vec<f64> = counts_a[1..]
        .iter()
        .map(|&v| v as f64 / na as f64)
        .collect();
    let pb: Vec<f64> = counts_b[1..]
        .iter()
        .map(|&v| v as f64 / nb as f64)
        .collect();
    let m = k - 1;
    let t = DVector::from_iterator(m, (0..m).map(|l| pa[l] - pb[l]));
    let s = DMatrix::from_fn(m, m, |l, q| {
        if l == q {
            (pa[l] * (1.0 - pa[l]) + pb[l] * (1.0 - pb[l])) / 2.0
        } else {
            -(pa[l] * pa[q] + pb[l] * pb[q]) / 2.0
        }
    });
    let sinv = match s.clone().try_inverse() {
        Some(inv) if inv.iter().all(|v| v.is_finite()) => inv,
        _ => s
            .pseudo_inverse(1e-12)
            .map_err(|e| Error::NoData(format!("standardised difference: {e}")))?,
    };
    let q = (t.transpose() * sinv * &t)[(0, 0)];
    Ok(q.max(0.0).sqrt())
}
