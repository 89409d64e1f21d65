//! Survival section of the Report: Kaplan–Meier curves (overall and per group) with
//! medians, quantiles, survival at chosen times and restricted means; median follow-up
//! by reverse Kaplan–Meier; the log-rank family of tests (stratified when a strata
//! column is given), test for trend, pairwise comparisons, log-rank hazard ratios and
//! RMST differences — with the caveats a statistician would raise beside them.
//!
//! Every number comes from `survkit_core` (Kaplan & Meier 1958; Greenwood 1926;
//! Harrington & Fleming 1982; Schemper & Smith 1996; Royston & Parmar 2013); this module
//! only decides what to compute for the user's options and labels the results.

mod figures;
mod rcode;
mod tables;
mod text;
use serde::{Deserialize, Serialize};
use survkit_core::compare::{self, PAdjust, RatioCi, TestMethod, TestResult};
use survkit_core::followup::{follow_up, FollowUp};
use survkit_core::km::{kaplan_meier_weighted, BeyondFollowUp, ConfType, KmFit, KmOptions};
use survkit_core::Error;
use survkit_data::Prepared;

use crate::Warning;

/// What the user asked of the survival section. Missing fields take R's conventions:
/// `log` CI at 95%, quartiles, RMST up to the largest observed time (R's
/// `print(fit, rmean = "common")`), the log-rank test, Holm-adjusted pairwise tests,
/// the first group level as reference, no trend test.
///
/// The Kaplan–Meier options (`conf_type`, `conf_level`, `quantiles`, `times`,
/// `rmst_tau`) are flattened in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurvivalOptions {
    /// Kaplan–Meier options.
    #[serde(flatten)]
    pub km: KmOptions,
    /// Tests to run when there are groups (default `["log-rank"]`).
    pub tests: Vec<TestMethod>,
    /// Adjustment of pairwise p-values (default `holm`); pairwise tests are run when
    /// there are three or more groups.
    pub pairwise_adjust: PAdjust,
    /// Pairwise tests of each group against the reference only (default: all pairs).
    pub pairwise_vs_reference: bool,
    /// Reference group label for hazard ratios, RMST differences and (optionally)
    /// pairwise tests; default the first level.
    pub reference_group: Option<String>,
    /// Run the test for trend across ordered groups (level order, scores 1, 2, 3, …).
    pub trend: bool,
}

impl Default for SurvivalOptions {
    fn default() -> Self {
        SurvivalOptions {
            km: KmOptions::default(),
            tests: vec![TestMethod::LogRank],
            pairwise_adjust: PAdjust::Holm,
            pairwise_vs_reference: false,
            reference_group: None,
            trend: false,
        }
    }
}

/// One Kaplan–Meier curve: the group label (null for the overall curve) and the fit's
/// fields flattened in (`n`, `events`, `time`, `n_risk`, …, `median`, `rmst`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// Group label, or `None` for all patients together.
    pub group: Option<String>,
    /// The estimate.
    #[serde(flatten)]
    pub fit: KmFit,
}

/// Observed and expected events of one group in a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestGroup {
    /// Group label.
    pub group: String,
    /// Number of patients.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    /// Observed (weighted for weighted tests, as R's `survdiff`).
    pub observed: f64,
    /// Expected under the null hypothesis.
    pub expected: f64,
}

/// One comparison test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSummary {
    /// `log-rank`, `peto-peto`, `gehan-breslow`, `tarone-ware`, `fleming-harrington`.
    pub method: String,
    /// ρ of a Fleming–Harrington test.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rho: Option<f64>,
    /// γ of a Fleming–Harrington test.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gamma: Option<f64>,
    /// Stratified by the strata column.
    pub stratified: bool,
    /// Chi-square statistic.
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// P value.
    pub p: f64,
    /// Per group.
    pub groups: Vec<TestGroup>,
}

/// Test for trend across ordered groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendSummary {
    /// Test whose weights were used (the first requested test).
    pub method: String,
    /// Groups in order, with their scores.
    pub groups: Vec<String>,
    /// Scores (1, 2, 3, …).
    pub scores: Vec<f64>,
    /// Chi-square on 1 df.
    pub chisq: f64,
    /// Always 1.
    pub df: usize,
    /// P value.
    pub p: f64,
}

/// One pairwise comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseSummary {
    /// Test used (the first requested test).
    pub method: String,
    /// First group.
    pub group_a: String,
    /// Second group.
    pub group_b: String,
    /// Chi-square (1 df).
    pub chisq: Option<f64>,
    /// Unadjusted P.
    pub p: Option<f64>,
    /// Adjusted P.
    pub p_adjusted: Option<f64>,
    /// Adjustment method.
    pub adjust: PAdjust,
}

/// Hazard ratio of a group against the reference from log-rank quantities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardRatioSummary {
    /// Group.
    pub group: String,
    /// Reference group.
    pub reference: String,
    /// `(O_a/E_a)/(O_b/E_b)` with CI.
    pub logrank: RatioCi,
    /// `exp((O_a − E_a)/V)` with CI.
    pub mantel_haenszel: RatioCi,
    /// "not a Cox hazard ratio …".
    pub note: String,
}

/// RMST of a group minus the reference's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RmstDifferenceSummary {
    /// Group.
    pub group: String,
    /// Reference group.
    pub reference: String,
    /// Upper limit of integration.
    pub tau: f64,
    /// Difference (group − reference).
    pub difference: f64,
    /// Standard error.
    pub se: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// Two-sided P.
    pub p: f64,
}

/// The conventions that produced the numbers, stated in the Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalConventions {
    /// Confidence-interval transform of S(t).
    pub conf_type: ConfType,
    /// Confidence level.
    pub conf_level: f64,
    /// In words: estimators, variance, median rule, tests.
    pub description: Vec<String>,
    /// Upper limit of the per-curve restricted means.
    pub rmst_tau: f64,
    /// Strata column of stratified tests.
    pub strata: Option<String>,
    /// Reference group.
    pub reference_group: Option<String>,
    /// Survival asked for after the last observed time: carried forward (R) or not
    /// estimable (SAS).
    #[serde(default)]
    pub beyond_follow_up: BeyondFollowUp,
}

/// The survival section of the Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalSection {
    /// One curve per group when a group is given (levels without patients are left
    /// out), else the single overall curve.
    pub km: Vec<Curve>,
    /// The curve of all patients together (always).
    pub km_overall: Curve,
    /// Median follow-up (reverse Kaplan–Meier), range, median among event-free.
    pub followup: FollowUp,
    /// Requested tests (empty without groups).
    pub tests: Vec<TestSummary>,
    /// Test for trend, when requested and defined.
    pub trend: Option<TrendSummary>,
    /// Pairwise comparisons (three or more groups).
    pub pairwise: Vec<PairwiseSummary>,
    /// Each group against the reference (not Cox hazard ratios).
    pub hazard_ratios: Vec<HazardRatioSummary>,
    /// Each group's RMST minus the reference's.
    pub rmst_difference: Vec<RmstDifferenceSummary>,
    /// Conventions used.
    pub conventions: SurvivalConventions,
    /// Caveats.
    pub warnings: Vec<Warning>,
}

fn ctx_group(label: &str) -> Option<String> {
    Some(format!("km:group={label}"))
}

fn test_summary(r: &TestResult, levels: &[String]) -> TestSummary {
    let (rho, gamma) = match r.method {
        TestMethod::FlemingHarrington { rho, gamma } => (Some(rho), Some(gamma)),
        _ => (None, None),
    };
    TestSummary {
        method: r.method.name().to_string(),
        rho,
        gamma,
        stratified: r.stratified,
        chisq: r.chisq,
        df: r.df,
        p: r.p,
        groups: r
            .groups
            .iter()
            .map(|g| TestGroup {
                group: levels[g.group].clone(),
                n: g.n,
                events: g.events,
                observed: g.observed,
                expected: g.expected,
            })
            .collect(),
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Computes the survival section for one endpoint.
///
/// # Errors
/// Only when no curve can be estimated at all (no rows, invalid times, options out of
/// range). Problems with the comparisons (one group, no events, …) become warnings.
pub fn survival_section(p: &Prepared, opts: &SurvivalOptions) -> Result<SurvivalSection, Error> {
    let mut warnings = Vec::new();
    let time = &p.time;
    let status = &p.status;
    let entry = p.entry.as_deref();
    // Case weights weight the curves (and their medians, quantiles, survival at times,
    // RMST); everything that has no weighted form in R says so in a warning below.
    let weights = p.weights.as_deref();
    let common_tau = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let km_opts = KmOptions {
        rmst_tau: opts.km.rmst_tau.or(Some(common_tau).filter(|t| *t > 0.0)),
        ..opts.km.clone()
    };
    opts.km.validate()?;
    let overall = Curve {
        group: None,
        fit: kaplan_meier_weighted(time, status, entry, weights, &km_opts)?,
    };
    let followup = follow_up(time, status, entry, &opts.km)?;
    if weights.is_some() {
        warnings.push(Warning::new(
            "followup-unweighted",
            "Median follow-up and its range describe the rows as observed: the case weights \
             are not used for them (the survival curves are weighted).",
            Some("followup".into()),
        ));
    }
    if overall.fit.events == 0 {
        warnings.push(Warning::new(
            "no-events",
            "No patient had the event: survival stays at 100% and medians are not reached.",
            Some("km".into()),
        ));
    }

    let mut km = Vec::new();
    let mut tests = Vec::new();
    let mut trend = None;
    let mut pairwise = Vec::new();
    let mut hazard_ratios = Vec::new();
    let mut rmst_difference = Vec::new();
    let mut reference_label = None;

    match &p.group {
        None => km.push(overall.clone()),
        Some(group) => {
            let levels = &group.levels;
            let codes = &group.codes;
            let n_groups = levels.len();
            if codes.len() != time.len() {
                return Err(Error::LengthMismatch {
                    what: "time and group".into(),
                    expected: time.len(),
                    found: codes.len(),
                });
            }
            if let Some((i, &c)) = codes.iter().enumerate().find(|(_, &c)| c >= n_groups) {
                return Err(Error::InvalidValue {
                    what: "group".into(),
                    index: i,
                    reason: format!("level index {c} but only {n_groups} levels"),
                });
            }
            let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
            for (i, &c) in codes.iter().enumerate() {
                rows_of[c].push(i);
            }
            for (k, label) in levels.iter().enumerate() {
                let rows = &rows_of[k];
                if rows.is_empty() {
                    warnings.push(Warning::new(
                        "empty-group",
                        format!("Group '{label}' has no patients; it is left out."),
                        ctx_group(label),
                    ));
                    continue;
                }
                let t: Vec<f64> = rows.iter().map(|&i| time[i]).collect();
                let s: Vec<bool> = rows.iter().map(|&i| status[i]).collect();
                let e: Option<Vec<f64>> = entry.map(|e| rows.iter().map(|&i| e[i]).collect());
                let w: Option<Vec<f64>> = weights.map(|w| rows.iter().map(|&i| w[i]).collect());
                let fit = kaplan_meier_weighted(&t, &s, e.as_deref(), w.as_deref(), &km_opts)?;
                if fit.events == 0 {
                    warnings.push(Warning::new(
                        "no-events-in-group",
                        format!(
                            "Group '{label}' has no events: its survival stays at 100% and its \
                             median is not reached. Tests are still defined (it contributes \
                             expected events)."
                        ),
                        ctx_group(label),
                    ));
                }
                km.push(Curve {
                    group: Some(label.clone()),
                    fit,
                });
            }
            let present: Vec<usize> = (0..n_groups).filter(|&k| !rows_of[k].is_empty()).collect();
            let reference = match &opts.reference_group {
                Some(name) => match levels.iter().position(|l| l == name) {
                    Some(r) if !rows_of[r].is_empty() => Some(r),
                    _ => {
                        warnings.push(Warning::new(
                            "unknown-reference-group",
                            format!(
                                "Reference group '{name}' is not a group with patients; the \
                                 first group is used instead."
                            ),
                            Some("tests".into()),
                        ));
                        present.first().copied()
                    }
                },
                None => present.first().copied(),
            };
            reference_label = reference.map(|r| levels[r].clone());
            if present.len() < 2 {
                warnings.push(Warning::new(
                    "single-group",
                    "Only one group has patients, so there is nothing to compare: no test is reported.",
                    Some("tests".into()),
                ));
            } else {
                let strata = match &p.strata {
                    Some(s) if s.codes.len() == time.len() => Some(s.codes.as_slice()),
                    Some(_) => {
                        return Err(Error::LengthMismatch {
                            what: "time and strata".into(),
                            expected: time.len(),
                            found: p.strata.as_ref().map_or(0, |s| s.codes.len()),
                        })
                    }
                    None => None,
                };
                if entry.is_some() {
                    warnings.push(Warning::new(
                        "tests-ignore-entry",
                        "The tests, hazard ratios and RMST differences compare follow-up from \
                         time 0 and do not account for delayed entry; the curves do.",
                        Some("tests".into()),
                    ));
                }
                if weights.is_some() {
                    // R's survdiff has no weights argument; neither have the tests built
                    // on it here (trend, pairwise, O/E and Mantel–Haenszel ratios), nor
                    // the RMST difference. Say so beside each of them.
                    for (context, what) in [
                        ("tests", "The log-rank family of tests"),
                        ("trend", "The test for trend"),
                        ("pairwise", "The pairwise comparisons"),
                        (
                            "hazard_ratios",
                            "The log-rank and Mantel–Haenszel hazard ratios",
                        ),
                        ("rmst_difference", "The RMST differences"),
                    ] {
                        if context == "trend" && !opts.trend {
                            continue;
                        }
                        if context == "pairwise" && present.len() < 3 {
                            continue;
                        }
                        warnings.push(Warning::new(
                            "unweighted-with-weights",
                            format!(
                                "{what} ignore the case weights (R's survdiff takes no \
                                 weights): each row counts once. The survival curves, medians \
                                 and RMSTs are weighted; a weighted comparison needs a Cox \
                                 model (robust score test)."
                            ),
                            Some(context.into()),
                        ));
                    }
                }
                let first_method = opts.tests.first().copied().unwrap_or_default();
                for &method in &opts.tests {
                    match compare::survdiff(time, status, codes, n_groups, strata, method) {
                        Ok(r) => tests.push(test_summary(&r, levels)),
                        Err(e) => warnings.push(Warning::new(
                            "test-not-computed",
                            format!("{} test not computed: {e}", method.name()),
                            Some("tests".into()),
                        )),
                    }
                }
                if opts.trend {
                    if present.len() < 3 {
                        warnings.push(Warning::new(
                            "trend-needs-three-groups",
                            "The test for trend needs at least three ordered groups.",
                            Some("trend".into()),
                        ));
                    } else {
                        match compare::trend_test(
                            time,
                            status,
                            codes,
                            n_groups,
                            strata,
                            first_method,
                            None,
                        ) {
                            Ok(r) => {
                                trend = Some(TrendSummary {
                                    method: first_method.name().to_string(),
                                    groups: r.groups.iter().map(|&g| levels[g].clone()).collect(),
                                    scores: r.scores,
                                    chisq: r.chisq,
                                    df: r.df,
                                    p: r.p,
                                })
                            }
                            Err(e) => warnings.push(Warning::new(
                                "trend-not-computed",
                                format!("Test for trend not computed: {e}"),
                                Some("trend".into()),
                            )),
                        }
                    }
                }
                if present.len() >= 3 {
                    let vs = if opts.pairwise_vs_reference {
                        reference
                    } else {
                        None
                    };
                    match compare::pairwise(
                        time,
                        status,
                        codes,
                        n_groups,
                        strata,
                        first_method,
                        vs,
                        opts.pairwise_adjust,
                    ) {
                        Ok(rs) => {
                            pairwise = rs
                                .iter()
                                .map(|r| PairwiseSummary {
                                    method: first_method.name().to_string(),
                                    group_a: levels[r.group_a].clone(),
                                    group_b: levels[r.group_b].clone(),
                                    chisq: finite(r.chisq),
                                    p: finite(r.p),
                                    p_adjusted: finite(r.p_adjusted),
                                    adjust: opts.pairwise_adjust,
                                })
                                .collect()
                        }
                        Err(e) => warnings.push(Warning::new(
                            "pairwise-not-computed",
                            format!("Pairwise comparisons not computed: {e}"),
                            Some("pairwise".into()),
                        )),
                    }
                }
                if let Some(r) = reference {
                    for &k in present.iter().filter(|&&k| k != r) {
                        match compare::hazard_ratio(
                            time,
                            status,
                            codes,
                            n_groups,
                            strata,
                            k,
                            r,
                            opts.km.conf_level,
                        ) {
                            Ok(h) => hazard_ratios.push(HazardRatioSummary {
                                group: levels[k].clone(),
                                reference: levels[r].clone(),
                                logrank: h.logrank,
                                mantel_haenszel: h.mantel_haenszel,
                                note: h.note,
                            }),
                            Err(e) => warnings.push(Warning::new(
                                "hazard-ratio-not-computed",
                                format!(
                                    "Hazard ratio of '{}' vs '{}' not computed: {e}",
                                    levels[k], levels[r]
                                ),
                                Some("hazard_ratios".into()),
                            )),
                        }
                        match compare::rmst_difference(
                            time,
                            status,
                            codes,
                            n_groups,
                            k,
                            r,
                            opts.km.rmst_tau,
                            opts.km.conf_level,
                        ) {
                            Ok(d) => rmst_difference.push(RmstDifferenceSummary {
                                group: levels[k].clone(),
                                reference: levels[r].clone(),
                                tau: d.tau,
                                difference: d.difference,
                                se: d.se,
                                lower: d.lower,
                                upper: d.upper,
                                p: d.p,
                            }),
                            Err(e) => warnings.push(Warning::new(
                                "rmst-difference-not-computed",
                                format!(
                                    "RMST difference of '{}' vs '{}' not computed: {e}",
                                    levels[k], levels[r]
                                ),
                                Some("rmst_difference".into()),
                            )),
                        }
                    }
                }
            }
        }
    }

    let robust = km.iter().any(|k| k.fit.robust_variance) || overall.fit.robust_variance;
    let mut description: Vec<String> = vec![
        "Kaplan–Meier estimate with Greenwood standard errors (as R survfit)".into(),
        format!(
            "pointwise {}% confidence intervals on the {} scale",
            crate::text::format_num(Some(opts.km.conf_level * 100.0)),
            opts.km.conf_type.name()
        ),
        "median: first time S(t) ≤ 0.5, midpoint of a stretch at exactly 0.5 (R print.survfit); \
             quantiles by R quantile.survfit; limits where the confidence band crosses"
            .into(),
        "cumulative hazard: Nelson–Aalen".into(),
        "median follow-up: reverse Kaplan–Meier (Schemper & Smith 1996)".into(),
        "tests as R survdiff; Peto–Peto is rho = 1; hazard ratios from log-rank O/E and \
             Mantel–Haenszel, not Cox"
            .into(),
        "RMST differences up to the smaller of the two groups' largest observed times \
             unless tau is given"
            .into(),
        match opts.km.beyond_follow_up {
            BeyondFollowUp::Carry => {
                "survival at a time after the last observed time: the last value carried \
                     forward (R summary(extend = TRUE)), marked as after follow-up"
            }
            BeyondFollowUp::NotEstimable => {
                "survival at a time after the last observed time: not estimable (SAS), \
                     unless the curve has reached 0"
            }
        }
        .into(),
    ];
    if weights.is_some() {
        description.push(format!(
            "case weights: weighted Kaplan–Meier, Nelson–Aalen, medians, quantiles, survival at \
             times and RMST (R survfit(weights = )); standard errors {}; tests, hazard ratios \
             without a Cox model, RMST differences and follow-up unweighted",
            if robust {
                "robust (infinitesimal jackknife, R's default for non-integer weights)"
            } else {
                "Greenwood on weighted counts"
            }
        ));
    }
    let conventions = SurvivalConventions {
        conf_type: opts.km.conf_type,
        conf_level: opts.km.conf_level,
        description,
        rmst_tau: km_opts.rmst_tau.unwrap_or(common_tau),
        strata: p.strata.as_ref().map(|s| s.name.clone()),
        reference_group: reference_label,
        beyond_follow_up: opts.km.beyond_follow_up,
    };

    Ok(SurvivalSection {
        km,
        km_overall: overall,
        followup,
        tests,
        trend,
        pairwise,
        hazard_ratios,
        rmst_difference,
        conventions,
        warnings,
    })
}

/// Kaplan–Meier, follow-up and the tests between groups.
pub(crate) struct Survival;

impl crate::analysis::Analysis for Survival {
    fn tables(
        &self,
        cx: &crate::tables::TableContext,
        ep: &crate::run::EndpointReport,
        out: &mut Vec<crate::tables::TableOut>,
    ) {
        tables::tables(cx, ep, out);
    }

    fn figure(
        &self,
        cx: &crate::figures::FigureContext,
        ep: &crate::run::EndpointReport,
    ) -> Option<Result<crate::figure::Figure, String>> {
        figures::figure(cx, ep)
    }

    fn r_code(&self, cx: &crate::rscript::RContext, s: &mut String) {
        rcode::r_code(cx, s);
    }

    fn methods(&self, ep: &crate::run::EndpointReport, spec: &crate::spec::Spec, s: &mut String) {
        text::methods(ep, spec, s);
    }

    fn results(&self, ep: &crate::run::EndpointReport, spec: &crate::spec::Spec, s: &mut String) {
        text::results(ep, spec, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use survkit_data::Factor;

    fn prepared() -> Prepared {
        Prepared {
            endpoint: "OS".into(),
            time_unit: "months".into(),
            time: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            status: vec![true, true, false, true, true, false, true, false, false],
            group: Some(Factor {
                name: "arm".into(),
                levels: vec!["A".into(), "B".into(), "C".into(), "D".into()],
                codes: vec![0, 1, 2, 0, 1, 2, 0, 1, 2],
            }),
            ..Prepared::default()
        }
    }

    #[test]
    fn options_default_to_r_conventions() {
        let o: SurvivalOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o, SurvivalOptions::default());
        assert_eq!(o.tests, vec![TestMethod::LogRank]);
        let o: SurvivalOptions = serde_json::from_str(
            r#"{"conf_type": "log-log", "times": [12], "tests": ["peto-peto"]}"#,
        )
        .unwrap();
        assert_eq!(o.km.conf_type, ConfType::LogLog);
        assert_eq!(o.km.times, vec![12.0]);
    }

    #[test]
    fn section_with_groups() {
        let opts = SurvivalOptions {
            trend: true,
            ..SurvivalOptions::default()
        };
        let s = survival_section(&prepared(), &opts).unwrap();
        assert_eq!(s.km.len(), 3);
        assert_eq!(s.km_overall.group, None);
        assert_eq!(s.tests.len(), 1);
        assert_eq!(s.tests[0].df, 2);
        assert!(s.trend.is_some());
        assert_eq!(s.pairwise.len(), 3);
        assert_eq!(s.hazard_ratios.len(), 2);
        assert!(s.warnings.iter().any(|w| w.code == "empty-group"));
        // Groups C has no events.
        assert!(s.warnings.iter().any(|w| w.code == "no-events-in-group"));
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["km"][0]["group"], "A");
        assert!(v["km"][0]["surv"].is_array());
        assert!(v["km_overall"]["group"].is_null());
        assert!(v["tests"][0]["groups"][0]["expected"].is_number());
        assert_eq!(s.tests[0].method, "log-rank");
        assert!(s.followup.median.is_some());
    }

    #[test]
    fn single_curve_and_single_group() {
        let mut p = prepared();
        p.group = None;
        let s = survival_section(&p, &SurvivalOptions::default()).unwrap();
        assert_eq!(s.km.len(), 1);
        assert!(s.tests.is_empty());
        let mut p = prepared();
        p.group.as_mut().unwrap().codes = vec![0; 9];
        let s = survival_section(&p, &SurvivalOptions::default()).unwrap();
        assert!(s.warnings.iter().any(|w| w.code == "single-group"));
    }

    /// Case weights on (start, stop] data with two groups; numbers from R 4.2.2 /
    /// survival 3.5-3:
    /// ```r
    /// d <- data.frame(entry = c(0,1,1,2,0,0,1,3), time = c(2,3,4,5,1,2,4,6),
    ///                 status = c(1,0,1,0,1,1,0,1), w = c(1,3,0.5,2,0.25,1.5,2,1),
    ///                 g = rep(c("A","B"), each = 4))
    /// f <- survfit(Surv(entry, time, status) ~ g, d, weights = w)
    /// f$surv; summary(f, censored = TRUE)$std.err   # robust (non-integer weights)
    /// summary(f, times = c(3, 10), extend = TRUE)$surv
    /// summary(f, rmean = "common")$table[, c("rmean", "se(rmean)")]
    /// ```
    #[test]
    fn weighted_curves_against_r_and_unweighted_tests_say_so() {
        let p = Prepared {
            time: vec![2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 4.0, 6.0],
            status: vec![true, false, true, false, true, true, false, true],
            entry: Some(vec![0.0, 1.0, 1.0, 2.0, 0.0, 0.0, 1.0, 3.0]),
            weights: Some(vec![1.0, 3.0, 0.5, 2.0, 0.25, 1.5, 2.0, 1.0]),
            group: Some(Factor {
                name: "g".into(),
                levels: vec!["A".into(), "B".into()],
                codes: vec![0, 0, 0, 0, 1, 1, 1, 1],
            }),
            ..Prepared::default()
        };
        let opts = SurvivalOptions {
            km: KmOptions {
                times: vec![3.0, 10.0],
                ..KmOptions::default()
            },
            ..SurvivalOptions::default()
        };
        let s = survival_section(&p, &opts).unwrap();
        let (a, b) = (&s.km[0].fit, &s.km[1].fit);
        assert!(a.weighted && a.robust_variance);
        let want_a = [
            0.777777777777778,
            0.777777777777778,
            0.622222222222222,
            0.622222222222222,
        ];
        let want_b = [0.857142857142857, 0.489795918367347, 0.489795918367347, 0.0];
        for (g, w) in a
            .surv
            .iter()
            .chain(&b.surv)
            .zip(want_a.iter().chain(&want_b))
        {
            assert!(close(*g, *w), "{g} vs {w}");
        }
        let se = [
            0.228978234456684,
            0.244156458366701,
            0.173169007637522,
            0.261806930852987,
        ];
        let got = [a.std_err[0], a.std_err[2], b.std_err[0], b.std_err[1]];
        for (g, w) in got.iter().zip(se) {
            assert!(close(g.unwrap(), w), "{g:?} vs {w}");
        }
        assert_eq!(a.at_times[1].surv, Some(a.surv[3]));
        assert!(a.at_times[1].beyond_follow_up && !a.at_times[0].beyond_follow_up);
        assert_eq!((b.at_times[1].surv, b.at_times[1].n_risk), (Some(0.0), 0.0));
        let (ra, rb) = (a.rmst.unwrap(), b.rmst.unwrap());
        assert!(close(ra.estimate, 4.8) && close(ra.se, 0.807862596800125));
        assert!(close(rb.estimate, 3.81632653061224) && close(rb.se, 1.256150454531457));
        for context in ["tests", "hazard_ratios", "rmst_difference"] {
            assert!(
                s.warnings
                    .iter()
                    .any(|w| w.code == "unweighted-with-weights"
                        && w.context.as_deref() == Some(context)),
                "{context}: {:?}",
                s.warnings
            );
        }
        assert!(s.warnings.iter().any(|w| w.code == "followup-unweighted"));
        assert!(s
            .conventions
            .description
            .iter()
            .any(|d| d.starts_with("case weights") && d.contains("infinitesimal jackknife")));
        // Without weights, none of this.
        let s = survival_section(&Prepared { weights: None, ..p }, &opts).unwrap();
        assert!(!s.km[0].fit.weighted);
        assert!(!s.warnings.iter().any(|w| w.code.contains("weight")));
    }

    #[test]
    fn empty_data_is_an_error_not_a_panic() {
        assert!(survival_section(&Prepared::default(), &SurvivalOptions::default()).is_err());
    }

    /// Lung (NCCTG) by sex, numbers from R 4.2.2 / survival 3.5-3:
    /// `f <- survfit(Surv(time, status == 2) ~ sex, lung, conf.type = "log-log")`;
    /// `summary(f)$table`, `summary(f, times = 365)`, `survdiff(... ~ sex)`,
    /// `survdiff(... ~ sex + strata(ph.ecog))` on rows with ph.ecog.
    fn lung(strata: bool) -> Prepared {
        let csv = include_str!("../../../../../tests/data/lung.csv");
        let mut p = Prepared {
            time_unit: "days".into(),
            ..Prepared::default()
        };
        let (mut sex, mut ecog) = (Vec::new(), Vec::new());
        for line in csv.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if strata && f[5].is_empty() {
                continue;
            }
            p.time.push(f[1].parse().unwrap());
            p.status.push(f[2] == "2");
            sex.push(if f[4] == "1" { 0 } else { 1 });
            ecog.push(f[5].parse::<usize>().unwrap_or(0));
        }
        p.group = Some(Factor {
            name: "sex".into(),
            levels: vec!["Male".into(), "Female".into()],
            codes: sex,
        });
        if strata {
            p.strata = Some(Factor {
                name: "ph.ecog".into(),
                levels: (0..4).map(|k| k.to_string()).collect(),
                codes: ecog,
            });
        }
        p
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-8 * b.abs()
    }

    #[test]
    fn lung_by_sex_against_r() {
        let opts: SurvivalOptions =
            serde_json::from_str(r#"{"conf_type": "log-log", "times": [365]}"#).unwrap();
        let s = survival_section(&lung(false), &opts).unwrap();
        let m: Vec<_> = s.km.iter().map(|k| k.fit.median).collect();
        assert_eq!(
            (m[0].estimate, m[0].lower, m[0].upper),
            (Some(270.0), Some(210.0), Some(306.0))
        );
        assert_eq!(
            (m[1].estimate, m[1].lower, m[1].upper),
            (Some(426.0), Some(345.0), Some(524.0))
        );
        let r0 = s.km[0].fit.rmst.unwrap();
        assert!(close(r0.estimate, 326.084109668875) && close(r0.se, 22.9115634684895));
        assert!(close(s.km[1].fit.rmst.unwrap().estimate, 460.647310791935));
        let a = s.km[1].fit.at_times[0];
        assert!(close(a.surv.unwrap(), 0.526463030185906));
        assert!(close(a.lower.unwrap(), 0.403579823266731));
        assert!(close(a.upper.unwrap(), 0.635316232824086));
        assert!(close(s.tests[0].chisq, 10.3267419548856));
        assert!(close(s.tests[0].groups[0].expected, 91.5817390295728));
        assert!(close(
            s.hazard_ratios[0].logrank.estimate,
            0.590286212810296
        ));
        assert_eq!(s.hazard_ratios[0].group, "Female");
        assert_eq!(s.followup.median, Some(588.0));

        let s = survival_section(&lung(true), &SurvivalOptions::default()).unwrap();
        assert!(s.tests[0].stratified);
        assert!(close(s.tests[0].chisq, 10.7950596334964));
        assert!(close(s.tests[0].p, 0.00101771334472415));
        assert_eq!(crate::text::p_phrase(Some(s.tests[0].p)), "P = 0.001");
    }
}
