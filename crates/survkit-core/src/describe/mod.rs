//! Table 1: descriptive summaries of baseline variables by group, and the tests and
//! standardised differences reported beside them.
//!
//! - [`categorical`]: counts and percentages per level (of the non-missing values and of
//!   all rows), Pearson's chi-square test (Yates' continuity correction for 2×2 tables
//!   only, as R's `chisq.test`), Fisher's exact test for r×c tables ([`fisher`]; two-sided
//!   p as R's `fisher.test`), the "exact test when an expected count is below 5" rule,
//!   and the multivariate standardised difference of Yang & Dalton (2012).
//! - [`continuous`]: n, missing, mean, SD, median, quartiles (R's default quantile,
//!   type 7), minimum and maximum; Welch's two-sample t-test (R's `t.test` default), the
//!   one-way ANOVA F test (`aov`, `oneway.test(var.equal = TRUE)`) and Welch's
//!   heteroscedastic one-way test (`oneway.test` default), the Wilcoxon rank-sum test
//!   (R's `wilcox.test` rules for exact and normal p-values) and the tie-corrected
//!   Kruskal–Wallis test; the standardised mean difference; a first-guess rule for
//!   mean (SD) versus median [IQR].
//!
//! Inputs are plain numbers: a categorical variable is a level code per row
//! (`Option<usize>`, `None` = missing), a continuous variable an `f64` per row (`NaN` =
//! missing), and the group a code `0..n_groups` per row (rows without a group are left
//! out by the caller). Statistical caveats come back as [`DescribeWarning`]s beside the
//! result; an [`Error`](crate::Error) means there is no result.
//!
//! Golden tests against R 4.2.2: `tests/describe_against_r.rs` (R script
//! `tests/r/describe_golden.R`) and hand cases in `tests/describe_hand.rs`.

pub mod categorical;
pub mod continuous;
pub mod fisher;
pub mod row;

use serde::{Deserialize, Serialize};

/// A statistical caveat about a Table 1 number (the number is returned; read it with care).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DescribeWarning {
    /// Some expected count of the chi-square test is below 5 (R: "Chi-squared
    /// approximation may be incorrect"; R warns when any expected count is below 5).
    SmallExpectedCounts {
        /// Smallest expected count.
        min_expected: f64,
        /// Number of cells with an expected count below 5.
        cells_below_5: usize,
    },
    /// Fisher's exact test was asked for (or chosen by the rule) but the table is beyond
    /// the work limit of the exact algorithm; the chi-square test is reported instead.
    ExactTestTooLarge {
        /// The work limit (network steps) that was reached.
        max_work: u64,
    },
    /// Levels or groups with no observations were left out of the test (they have no
    /// expected counts).
    EmptyCategoriesDropped {
        /// Levels (rows of the table) dropped.
        levels: Vec<usize>,
        /// Groups (columns of the table) dropped.
        groups: Vec<usize>,
    },
    /// The Wilcoxon test could not use the exact distribution because of ties (or
    /// zero-width data); the normal approximation with continuity and tie correction
    /// was used (R: "cannot compute exact p-value with ties").
    TiesNormalApproximation,
    /// A group has fewer values than the test needs (e.g. fewer than 2 for a standard
    /// deviation); the statistic is NaN.
    TooFewValues {
        /// Group index.
        group: usize,
        /// Values found.
        n: usize,
    },
    /// The data are constant within every group (zero variance): the test statistic is
    /// undefined and reported as NaN.
    ZeroVariance,
}

/// Checks that `group` has values in `0..n_groups`.
pub(crate) fn check_groups(group: &[usize], n_groups: usize) -> Result<(), crate::Error> {
    if n_groups == 0 {
        return Err(crate::Error::InvalidOption(
            "n_groups must be at least 1".into(),
        ));
    }
    for (i, &g) in group.iter().enumerate() {
        if g >= n_groups {
            return Err(crate::Error::InvalidValue {
                what: "group".into(),
                index: i,
                reason: format!("group code {g} is not below n_groups = {n_groups}"),
            });
        }
    }
    Ok(())
}

/// Upper tail of the chi-square distribution, `P(X > x)` on `df` degrees of freedom.
pub(crate) fn chisq_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    statrs::function::gamma::gamma_ur(df / 2.0, x / 2.0)
}

/// Upper tail of the F distribution `P(F > f)` on `(df1, df2)` degrees of freedom,
/// computed as `I_{df2/(df2 + df1 f)}(df2/2, df1/2)` so that small p-values keep their
/// relative precision.
pub(crate) fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    if f.is_nan() || !(df1 > 0.0 && df2 > 0.0) {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    statrs::function::beta::beta_reg(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * f))
}

/// Two-sided p-value of Student's t on `df` degrees of freedom: `P(|T| > |t|)`.
pub(crate) fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    statrs::function::beta::beta_reg(df / 2.0, 0.5, df / (df + t * t))
}
