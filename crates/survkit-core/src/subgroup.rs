//! Subgroup analysis for a forest plot: the likelihood-ratio test of the
//! exposure × subgroup interaction in a Cox model, and the hazard ratio of the exposure
//! within each subgroup (a separate Cox model on that subgroup's rows), with its
//! confidence interval and events/n.
//!
//! # Formula
//!
//! Main-effects model: exposure columns `E` (e of them), the subgroup's treatment-coded
//! indicators `G₂..G_L` and the adjustment covariates `Z`. Interaction model: the same
//! plus every product `Eₐ·G_l`. The test is `LR = 2(ℓ_int − ℓ_main)` on
//! `df = (columns estimated in the interaction model) − (in the main model)` (aliased
//! columns do not count, as R's `anova(fit_main, fit_int)`), chi-square p-value
//! (Therneau & Grambsch 2000, §3.4). Within level l, `exp(β̂)` of each exposure column
//! from `coxph(Surv ~ E + Z, subset = subgroup == l)` with Wald limits
//! `exp(β̂ ∓ z·SE)`. Interaction tests have low power and within-subgroup estimates
//! are noisy (Wang et al. 2007): the Report should say so.
//!
//! # References
//!
//! - Therneau TM, Grambsch PM (2000). *Modeling Survival Data*. Springer.
//! - Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM (2007). Statistics in medicine —
//!   reporting of subgroup analyses in clinical trials. *N Engl J Med* 357:2189–2194.

use crate::cox::{fit, wald_summary, Caveat, ChiSquareTest, CoxData, CoxOptions};
use crate::Error;
use serde::{Deserialize, Serialize};

/// Inputs of a subgroup analysis (plain numbers; column-major matrices).
#[derive(Debug, Clone, Copy)]
pub struct SubgroupData<'a> {
    /// Follow-up times.
    pub time: &'a [f64],
    /// `true` = event.
    pub status: &'a [bool],
    /// Exposure columns, n × `n_exposure` column-major (e.g. one 0/1 column).
    pub exposure: &'a [f64],
    /// Number of exposure columns.
    pub n_exposure: usize,
    /// Subgroup level per row, `0..n_levels`.
    pub subgroup: &'a [usize],
    /// Number of subgroup levels.
    pub n_levels: usize,
    /// Adjustment covariates, n × `n_covariates` column-major (may be empty).
    pub covariates: &'a [f64],
    /// Number of adjustment covariates.
    pub n_covariates: usize,
}

/// Events and rows in one arm of a binary exposure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Arm {
    /// The exposure value of the arm.
    pub value: f64,
    /// Events.
    pub events: usize,
    /// Rows.
    pub n: usize,
}

/// The exposure's hazard ratio in one subgroup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubgroupEstimate {
    /// Subgroup level.
    pub level: usize,
    /// Rows in the subgroup.
    pub n: usize,
    /// Events in the subgroup.
    pub events: usize,
    /// Events/n per exposure arm when the exposure is one column with two values.
    pub arms: Option<Vec<Arm>>,
    /// Log hazard ratio per exposure column (`None` when not estimable).
    pub coef: Vec<Option<f64>>,
    /// Standard error per exposure column.
    pub std_err: Vec<Option<f64>>,
    /// Hazard ratio per exposure column.
    pub hazard_ratio: Vec<Option<f64>>,
    /// Lower confidence limit per exposure column.
    pub lower: Vec<Option<f64>>,
    /// Upper confidence limit per exposure column.
    pub upper: Vec<Option<f64>>,
    /// Wald p-value per exposure column.
    pub p: Vec<Option<f64>>,
    /// Caveats of the subgroup's fit (or why it could not be fitted).
    pub warnings: Vec<SubgroupWarning>,
}

/// A caveat about a subgroup estimate or the interaction test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubgroupWarning {
    /// The subgroup has no events (or no rows): no hazard ratio.
    NoEvents,
    /// A numerical caveat of the Cox fit (not converged, infinite coefficient, ...).
    Fit(Caveat),
    /// Some interaction columns could not be estimated (e.g. the exposure is constant
    /// within a subgroup); the test has fewer degrees of freedom.
    AliasedInteraction {
        /// Number of interaction columns left out.
        columns: usize,
    },
}

/// The interaction likelihood-ratio test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionTest {
    /// Log partial likelihood of the main-effects model.
    pub loglik_main: f64,
    /// Log partial likelihood of the interaction model.
    pub loglik_interaction: f64,
    /// `2(ℓ_int − ℓ_main)`, its df and p-value.
    pub test: ChiSquareTest,
}

/// Result of [`subgroup_analysis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubgroupAnalysis {
    /// Interaction test over all rows.
    pub interaction: InteractionTest,
    /// One estimate per subgroup level, in level order.
    pub subgroups: Vec<SubgroupEstimate>,
    /// Caveats of the two whole-cohort models.
    pub warnings: Vec<SubgroupWarning>,
}

fn validate(d: &SubgroupData) -> Result<usize, Error> {
    let n = d.time.len();
    let len = |what: &str, found: usize, expected: usize| {
        if found != expected {
            Err(Error::LengthMismatch {
                what: what.into(),
                expected,
                found,
            })
        } else {
            Ok(())
        }
    };
    len("status (against time)", d.status.len(), n)?;
    len(
        "exposure (n × n_exposure)",
        d.exposure.len(),
        n * d.n_exposure,
    )?;
    len("subgroup (against time)", d.subgroup.len(), n)?;
    len(
        "covariates (n × n_covariates)",
        d.covariates.len(),
        n * d.n_covariates,
    )?;
    if d.n_exposure == 0 {
        return Err(Error::InvalidOption(
            "the exposure needs at least one column".into(),
        ));
    }
    if d.n_levels < 2 {
        return Err(Error::InvalidOption(format!(
            "a subgroup analysis needs at least two subgroup levels, found {}",
            d.n_levels
        )));
    }
    if let Some(i) = d.subgroup.iter().position(|&g| g >= d.n_levels) {
        return Err(Error::InvalidValue {
            what: "subgroup".into(),
            index: i,
            reason: format!(
                "level {} is not below n_levels = {}",
                d.subgroup[i], d.n_levels
            ),
        });
    }
    Ok(n)
}

/// Interaction test and within-subgroup hazard ratios (see the module's *Formula*).
///
/// # Errors
///
/// [`Error::LengthMismatch`] / [`Error::InvalidValue`] / [`Error::InvalidOption`] for
/// malformed input, and the errors of [`crate::cox::fit`] for the whole-cohort models
/// (a subgroup whose model cannot be fitted gets a warning instead).
pub fn subgroup_analysis(
    d: &SubgroupData,
    opts: &CoxOptions,
    conf_level: f64,
) -> Result<SubgroupAnalysis, Error> {
    let n = validate(d)?;
    let e = d.n_exposure;
    let l = d.n_levels;
    let col = |m: &[f64], j: usize| m[j * n..(j + 1) * n].to_vec();
    // Main-effects design: exposure, subgroup indicators, covariates.
    let mut main: Vec<f64> = Vec::with_capacity(n * (e + l - 1 + d.n_covariates));
    main.extend_from_slice(d.exposure);
    for lev in 1..l {
        main.extend(d.subgroup.iter().map(|&g| if g == lev { 1.0 } else { 0.0 }));
    }
    main.extend_from_slice(d.covariates);
    let p_main = e + l - 1 + d.n_covariates;
    let mut inter = main.clone();
    for a in 0..e {
        let ea = col(d.exposure, a);
        for lev in 1..l {
            inter.extend(
                ea.iter()
                    .zip(d.subgroup)
                    .map(|(&v, &g)| if g == lev { v } else { 0.0 }),
            );
        }
    }
    let p_int = p_main + e * (l - 1);
    let fm = fit(&CoxData::new(d.time, d.status, &main, p_main), opts)?;
    let fi = fit(&CoxData::new(d.time, d.status, &inter, p_int), opts)?;
    let est = |a: &[bool]| a.iter().filter(|&&x| !x).count();
    let df = est(&fi.aliased).saturating_sub(est(&fm.aliased));
    let mut warnings: Vec<SubgroupWarning> = fm
        .caveats
        .iter()
        .chain(&fi.caveats)
        .filter(|c| !matches!(c, Caveat::Collinear { .. } | Caveat::ConstantColumn { .. }))
        .cloned()
        .map(SubgroupWarning::Fit)
        .collect();
    let aliased_int = fi.aliased[p_main..].iter().filter(|&&a| a).count();
    if aliased_int > 0 {
        warnings.push(SubgroupWarning::AliasedInteraction {
            columns: aliased_int,
        });
    }
    let interaction = InteractionTest {
        loglik_main: fm.loglik[1],
        loglik_interaction: fi.loglik[1],
        test: ChiSquareTest::new(2.0 * (fi.loglik[1] - fm.loglik[1]), df),
    };

    let mut subgroups = Vec::with_capacity(l);
    for lev in 0..l {
        let rows: Vec<usize> = (0..n).filter(|&i| d.subgroup[i] == lev).collect();
        let m = rows.len();
        let time: Vec<f64> = rows.iter().map(|&i| d.time[i]).collect();
        let status: Vec<bool> = rows.iter().map(|&i| d.status[i]).collect();
        let events = status.iter().filter(|&&s| s).count();
        let mut x = Vec::with_capacity(m * (e + d.n_covariates));
        for a in 0..e {
            x.extend(rows.iter().map(|&i| d.exposure[a * n + i]));
        }
        for c in 0..d.n_covariates {
            x.extend(rows.iter().map(|&i| d.covariates[c * n + i]));
        }
        let arms = (e == 1).then(|| {
            let mut vals: Vec<f64> = x[..m].to_vec();
            vals.sort_unstable_by(f64::total_cmp);
            vals.dedup();
            (vals.len() == 2).then(|| {
                vals.iter()
                    .map(|&v| Arm {
                        value: v,
                        n: (0..m).filter(|&i| x[i] == v).count(),
                        events: (0..m).filter(|&i| x[i] == v && status[i]).count(),
                    })
                    .collect()
            })
        });
        let mut s = SubgroupEstimate {
            level: lev,
            n: m,
            events,
            arms: arms.flatten(),
            coef: vec![None; e],
            std_err: vec![None; e],
            hazard_ratio: vec![None; e],
            lower: vec![None; e],
            upper: vec![None; e],
            p: vec![None; e],
            warnings: Vec::new(),
        };
        if events == 0 {
            s.warnings.push(SubgroupWarning::NoEvents);
            subgroups.push(s);
            continue;
        }
        let f = fit(&CoxData::new(&time, &status, &x, e + d.n_covariates), opts)?;
        s.warnings
            .extend(f.caveats.iter().cloned().map(SubgroupWarning::Fit));
        for a in 0..e {
            if f.coef[a].is_finite() && f.se[a].is_finite() {
                let w = wald_summary(f.coef[a], f.se[a], conf_level)?;
                s.coef[a] = Some(f.coef[a]);
                s.std_err[a] = Some(f.se[a]);
                s.hazard_ratio[a] = Some(w.hazard_ratio);
                s.lower[a] = Some(w.lower);
                s.upper[a] = Some(w.upper);
                s.p[a] = Some(w.p);
            }
        }
        subgroups.push(s);
    }
    Ok(SubgroupAnalysis {
        interaction,
        subgroups,
        warnings,
    })
}
