//! One Table 1 row per variable: the summary by group, the test between groups and the
//! standardised differences, with every caveat — what the report layer renders.

use super::categorical::{
    compare_categorical, smd_categorical, summarize_categorical, CategoricalSummary,
    CategoricalTest, CategoricalTestChoice,
};
use super::continuous::{
    compare_continuous, smd_continuous, split_by_group, suggest_format, summarize_continuous,
    welch_anova, ContinuousFormat, ContinuousSummary, ContinuousTest, FormatSuggestion,
};
use super::fisher::FisherOptions;
use super::DescribeWarning;
use crate::Error;
use serde::{Deserialize, Serialize};

/// Standardised difference between two groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairSmd {
    /// First group.
    pub group_a: usize,
    /// Second group.
    pub group_b: usize,
    /// Standardised difference (continuous: signed `(x̄_a − x̄_b)/s_pooled`;
    /// categorical: Yang & Dalton, ≥ 0).
    pub smd: f64,
}

/// Options of a categorical row.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CategoricalRowOptions {
    /// Which test (default: Fisher when an expected count is below 5, else chi-square).
    pub test: CategoricalTestChoice,
    /// Limits of Fisher's exact test.
    pub fisher: FisherOptions,
}

/// A categorical variable's Table 1 row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalRow {
    /// Counts and percentages.
    pub summary: CategoricalSummary,
    /// The test between groups (`None` with fewer than two non-empty groups or levels).
    pub test: Option<CategoricalTest>,
    /// SMD of every pair of groups with values.
    pub smd: Vec<PairSmd>,
}

fn pairs(n_groups: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n_groups).flat_map(move |a| (a + 1..n_groups).map(move |b| (a, b)))
}

/// Summary, test and SMDs of a categorical variable (level codes, `None` = missing)
/// by group.
///
/// # Errors
///
/// As [`summarize_categorical`].
pub fn describe_categorical(
    value: &[Option<usize>],
    group: &[usize],
    n_levels: usize,
    n_groups: usize,
    opts: &CategoricalRowOptions,
) -> Result<CategoricalRow, Error> {
    let summary = summarize_categorical(value, group, n_levels, n_groups)?;
    let test = if n_levels > 0 {
        match compare_categorical(&summary.table, opts.test, &opts.fisher) {
            Ok(t) => Some(t),
            Err(Error::NoData(_)) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let col = |g: usize| -> Vec<usize> { summary.table.iter().map(|r| r[g]).collect() };
    let smd = pairs(n_groups)
        .filter(|&(a, b)| summary.n[a] > summary.missing[a] && summary.n[b] > summary.missing[b])
        .map(|(a, b)| {
            Ok(PairSmd {
                group_a: a,
                group_b: b,
                smd: smd_categorical(&col(a), &col(b))?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(CategoricalRow { summary, test, smd })
}

/// Options of a continuous row.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContinuousRowOptions {
    /// Format (and so the test); `None` = [`suggest_format`]'s choice.
    pub format: Option<ContinuousFormat>,
    /// For mean (SD) with more than two groups, Welch's heteroscedastic ANOVA
    /// (`oneway.test` default) instead of the classic F test.
    pub welch_anova: bool,
}

/// A continuous variable's Table 1 row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinuousRow {
    /// Summaries by group and overall.
    pub summary: ContinuousSummary,
    /// The format used.
    pub format: ContinuousFormat,
    /// What the skewness rule suggested (and its figures).
    pub suggestion: FormatSuggestion,
    /// The test between groups (`None` with fewer than two groups with values).
    pub test: Option<ContinuousTest>,
    /// SMD of every pair of groups with at least two values.
    pub smd: Vec<PairSmd>,
    /// Caveats of the test.
    pub warnings: Vec<DescribeWarning>,
}

/// Summary, test and SMDs of a continuous variable (`NaN` = missing) by group.
///
/// # Errors
///
/// As [`split_by_group`].
pub fn describe_continuous(
    value: &[f64],
    group: &[usize],
    n_groups: usize,
    opts: &ContinuousRowOptions,
) -> Result<ContinuousRow, Error> {
    let summary = summarize_continuous(value, group, n_groups)?;
    let (groups, _) = split_by_group(value, group, n_groups)?;
    let suggestion = suggest_format(&groups);
    let format = opts.format.unwrap_or(suggestion.format);
    let with_values = groups.iter().filter(|g| !g.is_empty()).count();
    let test = if with_values < 2 {
        None
    } else if format == ContinuousFormat::MeanSd && with_values > 2 && opts.welch_anova {
        Some(ContinuousTest::WelchAnova(welch_anova(&groups)))
    } else {
        Some(compare_continuous(&groups, format)?)
    };
    let warnings = match &test {
        Some(ContinuousTest::WelchT(t)) => t.warnings.clone(),
        Some(ContinuousTest::Anova(t)) | Some(ContinuousTest::WelchAnova(t)) => t.warnings.clone(),
        Some(ContinuousTest::Wilcoxon(t)) => t.warnings.clone(),
        Some(ContinuousTest::KruskalWallis(t)) => t.warnings.clone(),
        None => Vec::new(),
    };
    let smd = pairs(n_groups)
        .filter(|&(a, b)| groups[a].len() >= 2 && groups[b].len() >= 2)
        .map(|(a, b)| PairSmd {
            group_a: a,
            group_b: b,
            smd: smd_continuous(&groups[a], &groups[b]),
        })
        .collect();
    Ok(ContinuousRow {
        summary,
        format,
        suggestion,
        test,
        smd,
        warnings,
    })
}
