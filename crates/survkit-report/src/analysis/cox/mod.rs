//! Cox section of the Report: the univariable screen (each candidate covariate in its own
//! model) and the multivariable model, with hazard ratios, confidence intervals, global
//! tests, concordance and the caveats a statistician would raise (few events per
//! variable, constant or collinear covariates, non-convergence, monotone likelihood).
//!
//! Each model uses its own complete cases, so each states its own n and events and lists
//! the rows it leaves out.

mod figures;
mod rcode;
mod tables;
mod text;
use serde::{Deserialize, Serialize};
use survkit_core::cox::{self, Caveat, ChiSquareTest, CoxData, CoxFit, Ties};
use survkit_core::Error;
use survkit_data::{CovariateValues, Exclusion, Prepared};

pub mod design;

use self::design::{Column, Design};
use crate::Warning;

/// Backward elimination settings (exploratory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "criterion", rename_all = "lowercase")]
pub enum Backward {
    /// Remove, one at a time, the variable with the largest likelihood-ratio p above
    /// `threshold` (default 0.05).
    P {
        /// Stay threshold.
        #[serde(default = "default_stay")]
        threshold: f64,
    },
    /// Remove, one at a time, the variable whose removal lowers the AIC most.
    Aic,
}

fn default_stay() -> f64 {
    0.05
}
fn default_conf() -> f64 {
    0.95
}

/// What the user asked of the Cox section. Defaults are R's `coxph`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoxOptions {
    /// Covariates of the multivariable model, in table order.
    pub covariates: Vec<String>,
    /// Candidates for the univariable screen; empty = the same as `covariates`.
    pub univariable: Vec<String>,
    /// Tie handling (Efron as R, or Breslow as SAS/Stata).
    pub ties: Ties,
    /// Robust (sandwich) standard errors; always on when a cluster column is given.
    pub robust: bool,
    /// Test proportional hazards (`cox.zph`, km transform).
    pub zph: bool,
    /// Also fit every model by Firth's penalized likelihood (Heinze & Schemper 2002),
    /// with profile penalized likelihood confidence intervals: the remedy for monotone
    /// likelihood in small series.
    pub firth: bool,
    /// Add to the multivariable model every candidate whose univariable
    /// likelihood-ratio p is below this threshold.
    pub select_p: Option<f64>,
    /// Backward elimination from the multivariable model (labelled exploratory).
    pub backward: Option<Backward>,
    /// Interactions between two covariates (their main effects are included).
    pub interactions: Vec<[String; 2]>,
    /// Covariates of the multivariable model that interact with the strata, as R's
    /// `coxph(Surv(t, s) ~ x + x:strata(g) + strata(g))`: the effect of each may differ
    /// between strata (one extra coefficient per stratum after the first). Needs a
    /// strata column.
    pub strata_interactions: Vec<String>,
    /// Confidence level of the hazard-ratio intervals.
    #[serde(default = "default_conf")]
    pub conf_level: f64,
    /// Newton–Raphson iteration limit (R's `iter.max`, default 20).
    #[serde(default = "default_iter_max")]
    pub iter_max: usize,
    /// Convergence tolerance on the relative change of the log partial likelihood
    /// (R's `eps`, default 1e-9).
    #[serde(default = "default_eps")]
    pub eps: f64,
}

fn default_iter_max() -> usize {
    20
}
fn default_eps() -> f64 {
    1e-9
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions {
            covariates: Vec::new(),
            univariable: Vec::new(),
            ties: Ties::Efron,
            robust: false,
            zph: false,
            firth: false,
            select_p: None,
            backward: None,
            interactions: Vec::new(),
            strata_interactions: Vec::new(),
            conf_level: 0.95,
            iter_max: default_iter_max(),
            eps: default_eps(),
        }
    }
}

/// One row of a Cox table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The covariate.
    pub variable: String,
    /// For a categorical covariate, the level compared with the reference.
    pub level: Option<String>,
    /// For a categorical covariate, the reference level.
    pub reference: Option<String>,
    /// Log hazard ratio; `None` when the term could not be estimated (see warnings).
    pub coef: Option<f64>,
    /// Model-based standard error.
    pub se: Option<f64>,
    /// Robust standard error, when computed (then used for CI, z and p).
    pub robust_se: Option<f64>,
    /// Hazard ratio `exp(coef)`.
    pub hazard_ratio: Option<f64>,
    /// Lower confidence limit of the hazard ratio.
    pub lower: Option<f64>,
    /// Upper confidence limit of the hazard ratio.
    pub upper: Option<f64>,
    /// Wald z.
    pub z: Option<f64>,
    /// Two-sided Wald p.
    pub p: Option<f64>,
}

/// The three global tests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tests {
    /// Likelihood-ratio test.
    pub likelihood_ratio: ChiSquareTest,
    /// Wald test (robust when robust SEs are used).
    pub wald: ChiSquareTest,
    /// Score (log-rank) test.
    pub score: ChiSquareTest,
    /// Robust score test, when robust SEs are used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust_score: Option<ChiSquareTest>,
}

/// Harrell's C with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConcordanceReport {
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
}

/// One fitted Cox model, as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxModelReport {
    /// Tie handling.
    pub ties: Ties,
    /// The model's covariates.
    pub variables: Vec<String>,
    /// Rows used.
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// Rows this model leaves out (missing covariates), with reasons.
    pub excluded: Vec<Exclusion>,
    /// One row per coefficient.
    pub terms: Vec<Term>,
    /// Log partial likelihood at β = 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Global tests.
    pub tests: Tests,
    /// Harrell's C.
    pub concordance: ConcordanceReport,
    /// Akaike information criterion.
    pub aic: f64,
    /// Newton–Raphson iterations.
    pub iterations: usize,
    /// Whether the iteration converged.
    pub converged: bool,
    /// Whether robust standard errors were used.
    pub robust: bool,
    /// Proportional-hazards test, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zph: Option<ZphReport>,
    /// A label such as "exploratory (backward elimination)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The same model by Firth's penalized likelihood, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firth: Option<FirthReport>,
    /// Caveats about this model.
    pub warnings: Vec<Warning>,
}

/// A model fitted by Firth's penalized likelihood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirthReport {
    /// In words, for tables and methods text.
    pub method: String,
    /// Terms: penalized coefficient, Wald SE, hazard ratio with profile penalized
    /// likelihood limits, penalized likelihood-ratio p (`z` is not given).
    pub terms: Vec<Term>,
    /// Penalized log-likelihood at β = 0 and at the estimate.
    pub loglik: [f64; 2],
    /// Penalized likelihood-ratio test.
    pub likelihood_ratio: ChiSquareTest,
    /// Newton–Raphson iterations.
    pub iterations: usize,
    /// Whether the iteration converged.
    pub converged: bool,
}

/// Proportional-hazards test of one term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphTermReport {
    /// The covariate.
    pub variable: String,
    /// Chi-square.
    pub chisq: f64,
    /// Degrees of freedom (number of columns of the term).
    pub df: usize,
    /// p-value.
    pub p: f64,
}

/// Scaled Schoenfeld residuals of one covariate, for the plot against `g` (a
/// categorical covariate is collapsed to its part of the linear predictor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphResiduals {
    /// The covariate.
    pub variable: String,
    /// One value per event, in the order of `time`.
    pub values: Vec<f64>,
}

/// Proportional-hazards test (R's `cox.zph`), per term and global.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphReport {
    /// Time transform (`km` by default).
    pub transform: cox::zph::Transform,
    /// One test per covariate.
    pub terms: Vec<ZphTermReport>,
    /// Global test.
    pub global: ChiSquareTest,
    /// Event times.
    pub time: Vec<f64>,
    /// Transformed event times (the plot's x axis).
    pub g: Vec<f64>,
    /// Scaled Schoenfeld residuals per covariate.
    pub residuals: Vec<ZphResiduals>,
}

/// One row of the univariable screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnivariableModel {
    /// The covariate.
    pub variable: String,
    /// Rows used.
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// Its terms (one per dummy for a categorical covariate).
    pub terms: Vec<Term>,
    /// Likelihood-ratio p of the covariate as a whole.
    pub p: f64,
    /// The same model by Firth's penalized likelihood, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firth: Option<FirthReport>,
    /// Caveats about this model.
    pub warnings: Vec<Warning>,
}

/// One step of backward elimination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackwardStep {
    /// The variable removed.
    pub removed: String,
    /// Likelihood-ratio p of that variable in the model it was removed from.
    pub p: f64,
    /// AIC of the model after removal.
    pub aic: f64,
}

/// Result of backward elimination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackwardReport {
    /// Always "exploratory": selected models overstate effects and understate p-values.
    pub label: String,
    /// Removals in order.
    pub steps: Vec<BackwardStep>,
    /// The final model.
    pub model: Option<CoxModelReport>,
}

/// The Cox section of the Report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CoxSection {
    /// The multivariable model (absent when no covariate was chosen).
    pub cox: Option<CoxModelReport>,
    /// The univariable screen.
    pub univariable: Vec<UnivariableModel>,
    /// Backward elimination, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backward: Option<BackwardReport>,
    /// All caveats of the section.
    pub warnings: Vec<Warning>,
}

/// Owned inputs of one model on its complete cases.
struct ModelData {
    design: Design,
    start: Option<Vec<f64>>,
    stop: Vec<f64>,
    status: Vec<bool>,
    strata: Option<Vec<usize>>,
    weights: Option<Vec<f64>>,
    cluster: Option<Vec<usize>>,
}

impl ModelData {
    fn new(p: &Prepared, vars: &[String], inter: &[[String; 2]]) -> Result<Self, Error> {
        let design = design::build(p, vars, inter)?;
        let pick_f = |v: &[f64]| design.rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let pick_u = |v: &[usize]| design.rows.iter().map(|&i| v[i]).collect::<Vec<usize>>();
        let n_all = p.time.len();
        let check = |what: &str, len: usize| {
            if len != n_all {
                Err(Error::LengthMismatch {
                    what: format!("{what} against time"),
                    expected: n_all,
                    found: len,
                })
            } else {
                Ok(())
            }
        };
        check("status", p.status.len())?;
        if let Some(e) = &p.entry {
            check("entry", e.len())?;
        }
        if let Some(s) = &p.strata {
            check("strata", s.codes.len())?;
        }
        if let Some(w) = &p.weights {
            check("weights", w.len())?;
        }
        if let Some(c) = &p.cluster {
            check("cluster", c.codes.len())?;
        }
        Ok(ModelData {
            start: p.entry.as_deref().map(pick_f),
            stop: pick_f(&p.time),
            status: design.rows.iter().map(|&i| p.status[i]).collect(),
            strata: p.strata.as_ref().map(|s| pick_u(&s.codes)),
            weights: p.weights.as_deref().map(pick_f),
            cluster: p.cluster.as_ref().map(|c| pick_u(&c.codes)),
            design,
        })
    }

    fn data(&self) -> CoxData<'_> {
        CoxData {
            start: self.start.as_deref(),
            stop: &self.stop,
            status: &self.status,
            x: &self.design.x,
            p: self.design.columns.len(),
            strata: self.strata.as_deref(),
            weights: self.weights.as_deref(),
            cluster: self.cluster.as_deref(),
        }
    }
}

fn column_label(c: &Column) -> String {
    match (&c.level, &c.reference) {
        (Some(l), Some(r)) => format!("{} = {l} (vs {r})", c.variable),
        (Some(l), None) => format!("{} ({l})", c.variable),
        _ => c.variable.clone(),
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Words for a coefficient running off to infinity (monotone likelihood).
fn monotone_message(md: &ModelData, j: usize, coef: f64) -> String {
    let c = &md.design.columns[j];
    let n = md.design.n();
    let col = &md.design.x[j * n..(j + 1) * n];
    let dir = if coef > 0.0 { "infinite" } else { "zero" };
    let fact = match (&c.level, &c.reference) {
        (Some(l), Some(r)) => {
            let in_level: Vec<usize> = (0..n).filter(|&i| col[i] != 0.0).collect();
            let ev = in_level.iter().filter(|&&i| md.status[i]).count();
            if ev == 0 {
                format!(
                    "none of the {} patients with {} = {l} had an event",
                    in_level.len(),
                    c.variable
                )
            } else if ev == in_level.len() && coef > 0.0 {
                format!(
                    "every patient with {} = {l} ({} patients) had an event, each before the patients with {} = {r} still at risk",
                    c.variable,
                    in_level.len(),
                    c.variable
                )
            } else {
                format!(
                    "{} = {l} (vs {r}) separates who has events first ({ev} events among {} patients)",
                    c.variable,
                    in_level.len()
                )
            }
        }
        _ => format!(
            "the events are (almost) perfectly ordered by {}: patients with {} values had their events before the others still at risk",
            c.variable,
            if coef > 0.0 { "higher" } else { "lower" }
        ),
    };
    format!(
        "The hazard ratio for {} is {dir}: {fact}. The estimate and its confidence interval are not usable; consider Firth's correction (Heinze & Schemper 2002) or merging sparse categories.",
        column_label(c)
    )
}

fn model_warnings(md: &ModelData, f: &CoxFit, context: &str) -> Vec<Warning> {
    let mut w = Vec::new();
    let ctx = || Some(context.to_string());
    let df = f.aliased.iter().filter(|a| !**a).count();
    if df > 0 && (f.events as f64) < 10.0 * df as f64 {
        w.push(Warning::new(
            "few-events-per-variable",
            format!(
                "{} events for {df} model term{} ({:.1} per term): with fewer than 10 events per term the hazard ratios may be biased and the confidence intervals too narrow (Peduzzi et al. 1995).",
                f.events,
                if df == 1 { "" } else { "s" },
                f.events as f64 / df as f64
            ),
            ctx(),
        ));
    }
    for c in &f.caveats {
        match c {
            Caveat::NotConverged { iterations } => {
                let infinite: Vec<String> = f
                    .caveats
                    .iter()
                    .filter_map(|c| match c {
                        Caveat::InfiniteCoefficient { column } => {
                            Some(column_label(&md.design.columns[*column]))
                        }
                        _ => None,
                    })
                    .collect();
                let (them, grow) = if infinite.len() == 1 {
                    ("coefficient", "keeps")
                } else {
                    ("coefficients", "keep")
                };
                let why = if infinite.is_empty() {
                    "raise the iteration limit (cox iter_max, R's iter.max; CLI --iter-max) or \
                     check the covariates for extreme values"
                        .to_string()
                } else {
                    format!(
                        "the {them} of {} {grow} growing (monotone likelihood: R says \
                         \"coefficient may be infinite\" once the likelihood settles); more \
                         iterations only make it larger. Use Firth's correction (Heinze & \
                         Schemper 2002) or merge sparse categories",
                        infinite.join(" and ")
                    )
                };
                w.push(Warning::new(
                    "not-converged",
                    format!(
                        "The model did not converge in {iterations} iterations; its estimates \
                         are not reliable: {why}."
                    ),
                    ctx(),
                ))
            }
            Caveat::InfiniteCoefficient { column } => w.push(Warning::new(
                "monotone-likelihood",
                monotone_message(md, *column, f.coef[*column]),
                Some(format!(
                    "{context}.term:{}",
                    md.design.columns[*column].variable
                )),
            )),
            Caveat::ConstantColumn { column } => {
                let c = &md.design.columns[*column];
                w.push(Warning::new(
                    "constant-covariate",
                    match &c.level {
                        Some(_) => format!(
                            "{} takes a single value among the patients of this model (no patient with {}); the term was left out.",
                            c.variable,
                            column_label(c)
                        ),
                        None => format!(
                            "{} takes a single value among the patients of this model; the term was left out.",
                            c.variable
                        ),
                    },
                    Some(format!("{context}.term:{}", c.variable)),
                ))
            }
            Caveat::Collinear { column } => {
                let c = &md.design.columns[*column];
                w.push(Warning::new(
                    "collinear-covariate",
                    format!(
                        "{} is fully determined by the other covariates of this model (collinear) and was left out; its hazard ratio cannot be estimated.",
                        column_label(c)
                    ),
                    Some(format!("{context}.term:{}", c.variable)),
                ))
            }
            Caveat::SingularInformation => w.push(Warning::new(
                "singular-information",
                "The information matrix could not be inverted: standard errors are not available.",
                ctx(),
            )),
            _ => {}
        }
    }
    w
}

fn fit_model(
    p: &Prepared,
    vars: &[String],
    opts: &CoxOptions,
    context: &str,
) -> Result<(ModelData, CoxFit, CoxModelReport), Error> {
    let mut md = ModelData::new(p, vars, &opts.interactions_for(vars))?;
    let with_strata: Vec<String> = opts
        .strata_interactions
        .iter()
        .filter(|v| vars.contains(v))
        .cloned()
        .collect();
    if !with_strata.is_empty() {
        let strata = p.strata.as_ref().ok_or_else(|| {
            Error::InvalidOption(format!(
                "an interaction of {} with the strata needs a strata column: choose one, or \
                 remove the interaction",
                with_strata.join(", ")
            ))
        })?;
        design::add_strata_interactions(&mut md.design, strata, &with_strata)?;
    }
    let robust = opts.robust || md.cluster.is_some();
    let copts = cox::CoxOptions {
        ties: opts.ties,
        robust,
        max_iter: opts.iter_max,
        eps: opts.eps,
        ..Default::default()
    };
    let f = cox::fit(&md.data(), &copts)?;
    let mut terms = Vec::new();
    for (j, c) in md.design.columns.iter().enumerate() {
        let coef = f.coef[j];
        let se = f.se[j];
        let rse = f.robust_se.as_ref().map(|r| r[j]);
        let se_used = rse.unwrap_or(se);
        let ok = coef.is_finite() && se_used.is_finite() && se_used > 0.0;
        let ws = if ok {
            Some(cox::wald_summary(coef, se_used, opts.conf_level)?)
        } else {
            None
        };
        terms.push(Term {
            variable: c.variable.clone(),
            level: c.level.clone(),
            reference: c.reference.clone(),
            coef: finite(coef),
            se: finite(se),
            robust_se: rse.and_then(finite),
            hazard_ratio: ws.and_then(|w| finite(w.hazard_ratio)),
            lower: ws.and_then(|w| finite(w.lower)),
            upper: ws.and_then(|w| finite(w.upper)),
            z: ws.and_then(|w| finite(w.z)),
            p: ws.and_then(|w| finite(w.p)),
        });
    }
    let mut warnings = model_warnings(&md, &f, context);
    let zph = if opts.zph {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (j, c) in md.design.columns.iter().enumerate() {
            match groups.iter_mut().find(|g| g.0 == c.variable) {
                Some(g) => g.1.push(j),
                None => groups.push((c.variable.clone(), vec![j])),
            }
        }
        let cols: Vec<Vec<usize>> = groups.iter().map(|g| g.1.clone()).collect();
        match cox::zph::zph(&md.data(), &copts, &f, cox::zph::Transform::Km, &cols) {
            Ok(z) => Some(ZphReport {
                transform: z.transform,
                terms: z
                    .terms
                    .iter()
                    .map(|t| ZphTermReport {
                        variable: groups
                            .iter()
                            .find(|g| g.1.contains(&t.columns[0]))
                            .map_or_else(String::new, |g| g.0.clone()),
                        chisq: t.test.chisq,
                        df: t.test.df,
                        p: t.test.p,
                    })
                    .collect(),
                global: z.global,
                time: z.time.clone(),
                g: z.g.clone(),
                residuals: z
                    .terms
                    .iter()
                    .map(|t| ZphResiduals {
                        variable: groups
                            .iter()
                            .find(|g| g.1.contains(&t.columns[0]))
                            .map_or_else(String::new, |g| g.0.clone()),
                        values: t.residuals.clone(),
                    })
                    .collect(),
            }),
            Err(e) => {
                warnings.push(Warning::new(
                    "zph-failed",
                    format!("The proportional-hazards test could not be computed: {e}"),
                    Some(context.to_string()),
                ));
                None
            }
        }
    } else {
        None
    };
    if let Some(z) = &zph {
        if z.global.p < 0.05 {
            warnings.push(Warning::new(
                "proportional-hazards",
                format!(
                    "The proportional-hazards assumption is questionable (global test p = {:.3}); look at the scaled Schoenfeld residual plots and consider strata or time-varying effects.",
                    z.global.p
                ),
                Some(context.to_string()),
            ));
        }
    }
    let firth = if opts.firth {
        match cox::firth::firth(&md.data(), &copts, opts.conf_level) {
            Ok(ff) => {
                if !ff.converged {
                    warnings.push(Warning::new(
                        "not-converged",
                        "The Firth-penalized model did not converge; its estimates are not reliable.",
                        Some(format!("{context}.firth")),
                    ));
                }
                Some(FirthReport {
                    method: format!(
                        "Firth's penalized partial likelihood (Heinze & Schemper 2002); {:.0}% profile penalized likelihood confidence intervals and likelihood-ratio p-values",
                        opts.conf_level * 100.0
                    ),
                    terms: md
                        .design
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(j, c)| Term {
                            variable: c.variable.clone(),
                            level: c.level.clone(),
                            reference: c.reference.clone(),
                            coef: finite(ff.coef[j]),
                            se: finite(ff.se[j]),
                            robust_se: None,
                            hazard_ratio: finite(ff.coef[j].exp()),
                            lower: ff.lower[j].map(f64::exp).and_then(finite),
                            upper: ff.upper[j].map(f64::exp).and_then(finite),
                            z: None,
                            p: finite(ff.p[j]),
                        })
                        .collect(),
                    loglik: ff.loglik,
                    likelihood_ratio: ff.likelihood_ratio,
                    iterations: ff.iterations,
                    converged: ff.converged,
                })
            }
            Err(e) => {
                warnings.push(Warning::new(
                    "firth-failed",
                    format!("Firth's penalized model could not be fitted: {e}"),
                    Some(context.to_string()),
                ));
                None
            }
        }
    } else {
        None
    };
    let report = CoxModelReport {
        ties: opts.ties,
        variables: md.design.variables.clone(),
        n: f.n,
        events: f.events,
        excluded: md.design.excluded.clone(),
        terms,
        loglik: f.loglik,
        tests: Tests {
            likelihood_ratio: f.tests.likelihood_ratio,
            wald: f.tests.wald,
            score: f.tests.score,
            robust_score: f.robust_score,
        },
        concordance: ConcordanceReport {
            estimate: f.concordance.estimate,
            se: f.concordance.se,
        },
        aic: f.aic,
        iterations: f.iterations,
        converged: f.converged,
        robust,
        zph,
        label: None,
        firth,
        warnings,
    };
    Ok((md, f, report))
}

impl CoxOptions {
    /// The interactions whose both members are among `vars`.
    fn interactions_for(&self, vars: &[String]) -> Vec<[String; 2]> {
        self.interactions
            .iter()
            .filter(|[a, b]| vars.contains(a) && vars.contains(b))
            .cloned()
            .collect()
    }
}

/// Runs the univariable screen and the multivariable model.
///
/// # Errors
///
/// An unknown covariate name or inconsistent input lengths. A model without rows or
/// events does not fail the section: it is reported as a warning.
pub fn cox_section(p: &Prepared, opts: &CoxOptions) -> Result<CoxSection, Error> {
    let mut section = CoxSection::default();
    let candidates: Vec<String> = if opts.univariable.is_empty() {
        opts.covariates.clone()
    } else {
        opts.univariable.clone()
    };
    for v in &candidates {
        let ctx = format!("cox.univariable:{v}");
        let one = CoxOptions {
            zph: false,
            interactions: Vec::new(),
            strata_interactions: Vec::new(),
            ..opts.clone()
        };
        match fit_model(p, std::slice::from_ref(v), &one, &ctx) {
            Ok((_, _, r)) => {
                section.warnings.extend(r.warnings.iter().cloned());
                section.univariable.push(UnivariableModel {
                    variable: v.clone(),
                    n: r.n,
                    events: r.events,
                    terms: r.terms,
                    p: r.tests.likelihood_ratio.p,
                    firth: r.firth,
                    warnings: r.warnings,
                });
            }
            Err(Error::NoData(msg)) => section.warnings.push(Warning::new(
                "model-not-fitted",
                format!("The univariable model for {v} could not be fitted: {msg}."),
                Some(ctx),
            )),
            Err(e) => return Err(e),
        }
    }
    let mut vars = opts.covariates.clone();
    if let Some(th) = opts.select_p {
        for u in &section.univariable {
            if u.p < th && !vars.contains(&u.variable) {
                vars.push(u.variable.clone());
            }
        }
    }
    if vars.is_empty() {
        return Ok(section);
    }
    match fit_model(p, &vars, opts, "cox") {
        Ok((_, f, mut r)) => {
            section.warnings.extend(r.warnings.iter().cloned());
            if !f.converged {
                r.label = Some("did not converge".into());
            }
            if let Some(b) = &opts.backward {
                section.backward = Some(backward(p, &vars, opts, b, &mut section.warnings)?);
            }
            section.cox = Some(r);
        }
        Err(Error::NoData(msg)) => section.warnings.push(Warning::new(
            "model-not-fitted",
            format!("The multivariable model could not be fitted: {msg}."),
            Some("cox".into()),
        )),
        Err(e) => return Err(e),
    }
    Ok(section)
}

/// Backward elimination on the complete cases of the full model, so that every
/// comparison is between nested models on the same patients.
fn backward(
    p: &Prepared,
    vars: &[String],
    opts: &CoxOptions,
    how: &Backward,
    warnings: &mut Vec<Warning>,
) -> Result<BackwardReport, Error> {
    // Restrict to the full model's complete cases.
    let full = ModelData::new(p, vars, &opts.interactions_for(vars))?;
    let sub = subset(p, &full.design.rows);
    let mut current: Vec<String> = vars.to_vec();
    let mut steps = Vec::new();
    let plain = CoxOptions {
        zph: false,
        firth: false,
        ..opts.clone()
    };
    let (_, mut cur_fit, _) = fit_model(&sub, &current, &plain, "cox.backward")?;
    while !current.is_empty() {
        let mut best: Option<(usize, f64, f64)> = None; // (index, p, aic)
        for k in 0..current.len() {
            // An interaction's members stay while the interaction does.
            let v = &current[k];
            if opts
                .interactions_for(&current)
                .iter()
                .any(|[a, b]| a == v || b == v)
                || opts.strata_interactions.contains(v)
            {
                continue;
            }
            let reduced: Vec<String> = current
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != k)
                .map(|(_, s)| s.clone())
                .collect();
            let (lr_ll, aic, df_red) = if reduced.is_empty() {
                (cur_fit.loglik[0], -2.0 * cur_fit.loglik[0], 0)
            } else {
                let (_, f, _) = fit_model(&sub, &reduced, &plain, "cox.backward")?;
                (f.loglik[1], f.aic, f.tests.likelihood_ratio.df)
            };
            let df = cur_fit.tests.likelihood_ratio.df.saturating_sub(df_red);
            let t = ChiSquareTest::new(2.0 * (cur_fit.loglik[1] - lr_ll), df.max(1));
            let better = match (how, best) {
                (_, None) => true,
                (Backward::P { .. }, Some((_, bp, _))) => t.p > bp,
                (Backward::Aic, Some((_, _, ba))) => aic < ba,
            };
            if better {
                best = Some((k, t.p, aic));
            }
        }
        let Some((k, pv, aic)) = best else { break };
        let remove = match how {
            Backward::P { threshold } => pv > *threshold,
            Backward::Aic => aic < cur_fit.aic,
        };
        if !remove {
            break;
        }
        steps.push(BackwardStep {
            removed: current[k].clone(),
            p: pv,
            aic,
        });
        current.remove(k);
        if current.is_empty() {
            break;
        }
        cur_fit = fit_model(&sub, &current, &plain, "cox.backward")?.1;
    }
    let model = if current.is_empty() {
        None
    } else {
        let (_, _, mut r) = fit_model(&sub, &current, opts, "cox.backward")?;
        r.label = Some("exploratory (backward elimination)".into());
        Some(r)
    };
    warnings.push(Warning::new(
        "exploratory-selection",
        "Backward elimination is exploratory: the selected model's hazard ratios are biased away from 1 and its p-values too small. Report the pre-specified model as the main result.",
        Some("cox.backward".into()),
    ));
    Ok(BackwardReport {
        label: "exploratory".into(),
        steps,
        model,
    })
}

/// The Prepared restricted to `rows` (indices into its rows).
fn subset(p: &Prepared, rows: &[usize]) -> Prepared {
    let pick_f = |v: &Vec<f64>| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let factor = |f: &survkit_data::Factor| survkit_data::Factor {
        name: f.name.clone(),
        levels: f.levels.clone(),
        codes: rows.iter().map(|&i| f.codes[i]).collect(),
    };
    Prepared {
        endpoint: p.endpoint.clone(),
        time_unit: p.time_unit.clone(),
        rows: rows
            .iter()
            .map(|&i| p.rows.get(i).copied().unwrap_or(i + 1))
            .collect(),
        time: pick_f(&p.time),
        status: rows.iter().map(|&i| p.status[i]).collect(),
        entry: p.entry.as_ref().map(pick_f),
        group: None,
        strata: p.strata.as_ref().map(factor),
        covariates: p
            .covariates
            .iter()
            .map(|c| survkit_data::Covariate {
                name: c.name.clone(),
                values: match &c.values {
                    CovariateValues::Numeric { values } => CovariateValues::Numeric {
                        values: rows
                            .iter()
                            .map(|&i| values.get(i).copied().flatten())
                            .collect(),
                    },
                    CovariateValues::Categorical {
                        levels,
                        reference,
                        codes,
                        ordinal,
                    } => CovariateValues::Categorical {
                        levels: levels.clone(),
                        reference: *reference,
                        codes: rows
                            .iter()
                            .map(|&i| codes.get(i).copied().flatten())
                            .collect(),
                        ordinal: *ordinal,
                    },
                },
            })
            .collect(),
        weights: p.weights.as_ref().map(pick_f),
        cluster: p.cluster.as_ref().map(factor),
        excluded: Vec::new(),
        event_coding: p.event_coding.clone(),
        event_codes: p.event_codes.clone(),
        warnings: Vec::new(),
    }
}

/// Cox regression: univariable screen, multivariable model, checks.
pub(crate) struct Cox;

impl crate::analysis::Analysis for Cox {
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
}

#[cfg(test)]
mod tests {
    //! The section against R (numbers from crates/survkit-core/tests/r/cox_report.R):
    //! coefficients, SEs, hazard ratios and limits to 1e-6 relative, tests and
    //! concordance to 1e-6 relative.
    use super::*;
    use serde_json::Value;
    use survkit_data::{Covariate, Factor};

    fn expected() -> Value {
        serde_json::from_str(include_str!(
            "../../../../survkit-core/tests/fixtures/cox_report.json"
        ))
        .unwrap()
    }

    /// Minimal CSV reader for the exported datasets (no embedded commas).
    fn read(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let path = format!("{}/../../tests/data/{name}.csv", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let mut lines = text.lines();
        let un = |s: &str| s.trim_matches('"').to_string();
        let header: Vec<String> = lines.next().unwrap().split(',').map(un).collect();
        let rows = lines
            .map(|l| l.split(',').map(un).collect::<Vec<_>>())
            .collect();
        (header, rows)
    }

    fn col(h: &[String], rows: &[Vec<String>], name: &str) -> Vec<Option<f64>> {
        let k = h.iter().position(|c| c == name).unwrap();
        rows.iter().map(|r| r[k].parse::<f64>().ok()).collect()
    }

    fn numeric(name: &str, values: Vec<Option<f64>>) -> Covariate {
        Covariate {
            name: name.into(),
            values: CovariateValues::Numeric { values },
        }
    }

    fn categorical(
        name: &str,
        levels: &[&str],
        reference: usize,
        codes: Vec<Option<usize>>,
    ) -> Covariate {
        Covariate {
            name: name.into(),
            values: CovariateValues::Categorical {
                levels: levels.iter().map(|s| s.to_string()).collect(),
                reference,
                codes,
                ordinal: false,
            },
        }
    }

    fn veteran() -> Prepared {
        let (h, rows) = read("veteran");
        let k = h.iter().position(|c| c == "celltype").unwrap();
        let levels = ["squamous", "smallcell", "adeno", "large"];
        let cell = rows
            .iter()
            .map(|r| levels.iter().position(|l| *l == r[k]))
            .collect();
        Prepared {
            rows: (2..rows.len() + 2).collect(),
            time: col(&h, &rows, "time")
                .into_iter()
                .map(Option::unwrap)
                .collect(),
            status: col(&h, &rows, "status")
                .iter()
                .map(|s| *s == Some(1.0))
                .collect(),
            covariates: vec![
                numeric("trt", col(&h, &rows, "trt")),
                categorical("celltype", &levels, 3, cell),
                numeric("karno", col(&h, &rows, "karno")),
                numeric("age", col(&h, &rows, "age")),
            ],
            ..Default::default()
        }
    }

    fn lung() -> Prepared {
        let (h, rows) = read("lung");
        let sex = col(&h, &rows, "sex")
            .iter()
            .map(|s| s.map(|v| v as usize - 1))
            .collect();
        Prepared {
            rows: (2..rows.len() + 2).collect(),
            time: col(&h, &rows, "time")
                .into_iter()
                .map(Option::unwrap)
                .collect(),
            status: col(&h, &rows, "status")
                .iter()
                .map(|s| *s == Some(2.0))
                .collect(),
            covariates: vec![
                numeric("age", col(&h, &rows, "age")),
                categorical("sex", &["Male", "Female"], 0, sex),
                numeric("ph.ecog", col(&h, &rows, "ph.ecog")),
                numeric("wt.loss", col(&h, &rows, "wt.loss")),
            ],
            ..Default::default()
        }
    }

    fn nums(v: &Value) -> Vec<f64> {
        match v {
            Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap()).collect(),
            Value::Number(n) => vec![n.as_f64().unwrap()],
            _ => vec![],
        }
    }

    fn close(what: &str, got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-6 * want.abs().max(1e-8),
            "{what}: got {got:.10e}, R {want:.10e}"
        );
    }

    fn check_model(tag: &str, m: &CoxModelReport, e: &Value) {
        assert_eq!(m.n as f64, e["n"].as_f64().unwrap(), "{tag} n");
        assert_eq!(
            m.events as f64,
            e["events"].as_f64().unwrap(),
            "{tag} events"
        );
        let t = &e["terms"];
        for (key, get) in [
            ("coef", (|t: &Term| t.coef) as fn(&Term) -> Option<f64>),
            ("se", |t| t.se),
            ("hr", |t| t.hazard_ratio),
            ("lower", |t| t.lower),
            ("upper", |t| t.upper),
            ("z", |t| t.z),
            ("p", |t| t.p),
        ] {
            let want = nums(&t[key]);
            assert_eq!(want.len(), m.terms.len(), "{tag}");
            for (k, term) in m.terms.iter().enumerate() {
                close(&format!("{tag} {key} {k}"), get(term).unwrap(), want[k]);
            }
        }
        close(
            &format!("{tag} lr"),
            m.tests.likelihood_ratio.chisq,
            e["lr"].as_f64().unwrap(),
        );
        close(
            &format!("{tag} lr p"),
            m.tests.likelihood_ratio.p,
            e["lr_p"].as_f64().unwrap(),
        );
        close(
            &format!("{tag} wald"),
            m.tests.wald.chisq,
            e["wald"].as_f64().unwrap(),
        );
        close(
            &format!("{tag} score"),
            m.tests.score.chisq,
            e["score"].as_f64().unwrap(),
        );
        let c = nums(&e["concordance"]);
        close(&format!("{tag} C"), m.concordance.estimate, c[0]);
        close(&format!("{tag} C se"), m.concordance.se, c[1]);
        close(&format!("{tag} aic"), m.aic, e["aic"].as_f64().unwrap());
    }

    #[test]
    fn veteran_section_against_r() {
        let e = expected();
        let p = veteran();
        let vars: Vec<String> = ["trt", "celltype", "karno", "age"]
            .map(String::from)
            .to_vec();
        let opts = CoxOptions {
            covariates: vars.clone(),
            ..Default::default()
        };
        let s = cox_section(&p, &opts).unwrap();
        let m = s.cox.as_ref().unwrap();
        check_model("veteran", m, &e["veteran"]);
        // The dummies name their level and the chosen reference.
        assert_eq!(m.terms[1].level.as_deref(), Some("squamous"));
        assert_eq!(m.terms[1].reference.as_deref(), Some("large"));
        assert_eq!(s.univariable.len(), 4);
        for (k, u) in s.univariable.iter().enumerate() {
            let eu = &e["veteran_uni"][k];
            let fake = CoxModelReport {
                terms: u.terms.clone(),
                ..fit_model(&p, &[vars[k].clone()], &opts, "t").unwrap().2
            };
            check_model(&format!("uni {}", u.variable), &fake, eu);
            close("uni lr p", u.p, eu["lr_p"].as_f64().unwrap());
        }
        let b = cox_section(
            &p,
            &CoxOptions {
                ties: Ties::Breslow,
                univariable: vec!["trt".into()],
                ..opts.clone()
            },
        )
        .unwrap();
        check_model(
            "veteran breslow",
            b.cox.as_ref().unwrap(),
            &e["veteran_breslow"],
        );
        assert_eq!(b.univariable.len(), 1);
        let json = serde_json::to_value(&s).unwrap();
        for key in [
            "ties",
            "n",
            "events",
            "excluded",
            "terms",
            "loglik",
            "tests",
            "concordance",
            "aic",
            "iterations",
            "converged",
            "warnings",
        ] {
            assert!(json["cox"].get(key).is_some(), "{key}");
        }
        assert_eq!(json["cox"]["ties"], "efron");
        assert!(json["cox"]["tests"]["likelihood_ratio"]["df"].is_u64());
        let m = s.cox.as_ref().unwrap();
        assert!(m.tests.likelihood_ratio.p < 0.001);
        assert!(m.terms.iter().any(|t| t.variable == "celltype"
            && t.level.as_deref() == Some("squamous")
            && t.reference.as_deref() == Some("large")));
    }

    #[test]
    fn lung_complete_cases_interaction_and_zph_against_r() {
        let e = expected();
        let p = lung();
        let opts = CoxOptions {
            covariates: ["age", "sex", "ph.ecog", "wt.loss"]
                .map(String::from)
                .to_vec(),
            zph: true,
            ..Default::default()
        };
        let s = cox_section(&p, &opts).unwrap();
        let m = s.cox.as_ref().unwrap();
        check_model("lung", m, &e["lung"]);
        let mut rows: Vec<usize> = m.excluded.iter().map(|x| x.row).collect();
        rows.sort_unstable();
        let want: Vec<usize> = nums(&e["lung_missing_rows"])
            .iter()
            .map(|&r| r as usize)
            .collect();
        assert_eq!(rows, want);
        // Univariable models use their own complete cases.
        assert_eq!(s.univariable[0].n, 228);
        assert_eq!(s.univariable[3].n, 214);
        let z = m.zph.as_ref().unwrap();
        let table = nums(&e["lung_zph"]["table"]);
        for (k, t) in z.terms.iter().enumerate() {
            close("zph term", t.chisq, table[3 * k]);
        }
        close("zph global", z.global.chisq, table[3 * z.terms.len()]);
        // Interaction age × sex.
        let i = cox_section(
            &p,
            &CoxOptions {
                covariates: vec!["age".into(), "sex".into()],
                univariable: vec!["age".into()],
                interactions: vec![["age".into(), "sex".into()]],
                ..Default::default()
            },
        )
        .unwrap();
        let im = i.cox.as_ref().unwrap();
        check_model("lung interaction", im, &e["lung_interaction"]);
        assert_eq!(im.terms[2].variable, "age:sex");
        assert_eq!(im.terms[2].level.as_deref(), Some("age:Female"));
    }

    /// Term × stratum interactions, R 4.2.2 / survival 3.5-3 (rows with ph.ecog):
    /// ```r
    /// m <- coxph(Surv(time, status) ~ age + sex + age:strata(ph.ecog) + sex:strata(ph.ecog)
    ///            + strata(ph.ecog), lung)
    /// cbind(coef(m), sqrt(diag(vcov(m)))); m$loglik
    /// ```
    /// ph.ecog = 3 has a single patient: its two products are NA in R, left out here.
    #[test]
    fn strata_interactions_against_r() {
        let mut p = lung();
        let ecog = match &p.covariates[2].values {
            CovariateValues::Numeric { values } => values.clone(),
            _ => unreachable!(),
        };
        let keep: Vec<usize> = (0..p.time.len()).filter(|&i| ecog[i].is_some()).collect();
        p = subset(&p, &keep);
        p.strata = Some(Factor {
            name: "ph.ecog".into(),
            levels: vec!["0".into(), "1".into(), "2".into(), "3".into()],
            codes: keep.iter().map(|&i| ecog[i].unwrap() as usize).collect(),
        });
        let opts = CoxOptions {
            covariates: vec!["age".into(), "sex".into()],
            univariable: vec!["age".into()],
            strata_interactions: vec!["age".into(), "sex".into()],
            ..Default::default()
        };
        let s = cox_section(&p, &opts).unwrap();
        let m = s.cox.as_ref().unwrap();
        let want = [
            ("age", "", Some((0.0510346224829042, 0.0233222774404743))),
            (
                "sex",
                "Female",
                Some((-0.3901700773283119, 0.3999349974531212)),
            ),
            (
                "age:strata(ph.ecog)",
                "ph.ecog=1",
                Some((-0.05064779722996188, 0.0262270735471078)),
            ),
            (
                "age:strata(ph.ecog)",
                "ph.ecog=2",
                Some((-0.04867216594370451, 0.0313930420604209)),
            ),
            ("age:strata(ph.ecog)", "ph.ecog=3", None),
            (
                "sex:strata(ph.ecog)",
                "Female:ph.ecog=1",
                Some((-0.24226582415004902, 0.4656409085512018)),
            ),
            (
                "sex:strata(ph.ecog)",
                "Female:ph.ecog=2",
                Some((0.00945312219243409, 0.5331251933175899)),
            ),
            ("sex:strata(ph.ecog)", "Female:ph.ecog=3", None),
        ];
        assert_eq!(m.terms.len(), want.len());
        for (t, (var, level, num)) in m.terms.iter().zip(want) {
            assert_eq!(t.variable, var);
            if !level.is_empty() {
                assert_eq!(t.level.as_deref(), Some(level));
            }
            match num {
                Some((coef, se)) => {
                    close(&format!("{var} {level} coef"), t.coef.unwrap(), coef);
                    close(&format!("{var} {level} se"), t.se.unwrap(), se);
                }
                None => assert!(t.coef.is_none(), "{var} {level}: {:?}", t.coef),
            }
        }
        close("loglik", m.loglik[1], -558.571927242744);
        // The univariable screen has no strata interaction.
        assert_eq!(s.univariable[0].terms.len(), 1);
        // Without strata: a clear error.
        p.strata = None;
        let e = cox_section(&p, &opts).unwrap_err().to_string();
        assert!(e.contains("needs a strata column"), "{e}");
    }

    #[test]
    fn stratified_section_against_r() {
        let e = expected();
        let mut p = lung();
        // Strata cannot be missing: drop the row without ph.ecog, as preparation would.
        let ecog = match &p.covariates[2].values {
            CovariateValues::Numeric { values } => values.clone(),
            _ => unreachable!(),
        };
        let keep: Vec<usize> = (0..p.time.len()).filter(|&i| ecog[i].is_some()).collect();
        p = subset(&p, &keep);
        p.strata = Some(Factor {
            name: "ph.ecog".into(),
            levels: vec!["0".into(), "1".into(), "2".into(), "3".into()],
            codes: keep.iter().map(|&i| ecog[i].unwrap() as usize).collect(),
        });
        let s = cox_section(
            &p,
            &CoxOptions {
                covariates: vec!["age".into(), "sex".into()],
                ..Default::default()
            },
        )
        .unwrap();
        check_model("lung strata", s.cox.as_ref().unwrap(), &e["lung_strata"]);
    }

    /// Two coefficients running off to +∞ together: R's `coxph(Surv(t, s) ~ x + y)` runs
    /// out of its 20 iterations, with `iter.max = 25` it converges and says "Loglik
    /// converged before variable 1,2; coefficient may be infinite" (data and R code in
    /// survkit-core's `tests/cox_monotone.rs`).
    #[test]
    fn multivariable_monotone_likelihood_is_named() {
        let t = [
            4.0, 9.0, 36.0, 3.0, 8.0, 8.0, 1.0, 3.0, 5.0, 2.0, 10.0, 11.0, 4.0, 5.0, 6.0, 6.0,
            16.0, 8.0, 24.0, 14.0, 8.0, 35.0, 3.0, 2.0, 30.0, 6.0, 6.0, 11.0, 6.0, 9.0,
        ];
        let p = Prepared {
            rows: (2..32).collect(),
            time: t.to_vec(),
            status: (0..30).map(|i| i >= 15 && i % 2 == 1).collect(),
            covariates: vec![
                numeric(
                    "x",
                    (0..30)
                        .map(|i| Some(f64::from(u8::from(i >= 15))))
                        .collect(),
                ),
                numeric(
                    "y",
                    (0..30)
                        .map(|i| Some(f64::from(u8::from(i % 2 == 1))))
                        .collect(),
                ),
            ],
            ..Default::default()
        };
        let opts = CoxOptions {
            covariates: vec!["x".into(), "y".into()],
            univariable: vec!["x".into()],
            ..Default::default()
        };
        let s = cox_section(&p, &opts).unwrap();
        let nc = s
            .warnings
            .iter()
            .find(|w| w.code == "not-converged")
            .expect("not converged in 20");
        assert!(
            nc.message.contains("coefficients of x and y keep growing")
                && nc.message.contains("Firth"),
            "{}",
            nc.message
        );
        for term in ["cox.term:x", "cox.term:y"] {
            assert!(
                s.warnings
                    .iter()
                    .any(|w| w.code == "monotone-likelihood" && w.context.as_deref() == Some(term)),
                "{term}: {:?}",
                s.warnings
            );
        }
        // iter.max = 25, as R: converged, both still named as infinite.
        let s = cox_section(
            &p,
            &CoxOptions {
                iter_max: 25,
                ..opts.clone()
            },
        )
        .unwrap();
        assert!(!s.warnings.iter().any(|w| w.code == "not-converged"));
        let m = s.cox.as_ref().unwrap();
        assert!((m.terms[0].coef.unwrap() - 21.3253904967480).abs() < 1e-5);
        assert!(
            s.warnings
                .iter()
                .filter(|w| w.code == "monotone-likelihood"
                    && w.context.as_deref() != Some("univariable:x"))
                .count()
                >= 2
        );
        let s = cox_section(&p, &CoxOptions { eps: 1e-6, ..opts }).unwrap();
        assert!((s.cox.as_ref().unwrap().terms[0].coef.unwrap() - 14.3253903331266).abs() < 1e-5);
    }

    #[test]
    fn warnings_in_words() {
        // Monotone likelihood: every patient in group B has an event before any in A.
        let n = 12;
        let time: Vec<f64> = (1..=n).map(|t| t as f64).collect();
        let status = vec![true; n];
        let grp: Vec<Option<usize>> = (0..n).map(|i| Some(usize::from(i < 4))).collect();
        let x: Vec<Option<f64>> = (0..n).map(|i| Some((i % 3) as f64)).collect();
        let x2: Vec<Option<f64>> = x.iter().map(|v| v.map(|a| 2.0 * a + 1.0)).collect();
        let p = Prepared {
            rows: (2..n + 2).collect(),
            time,
            status,
            covariates: vec![
                categorical("group", &["A", "B"], 0, grp),
                numeric("x", x),
                numeric("x2", x2),
            ],
            ..Default::default()
        };
        let s = cox_section(
            &p,
            &CoxOptions {
                covariates: vec!["group".into(), "x".into(), "x2".into()],
                firth: true,
                ..Default::default()
            },
        )
        .unwrap();
        // Firth's model gives a finite hazard ratio with profile limits.
        let fr = s.cox.as_ref().unwrap().firth.as_ref().unwrap();
        assert!(fr.terms[0].hazard_ratio.unwrap() > 1.0);
        assert!(fr.terms[0].lower.is_some());
        assert!(s.univariable[0].firth.is_some());
        let codes: Vec<&str> = s.warnings.iter().map(|w| w.code.as_str()).collect();
        assert!(codes.contains(&"monotone-likelihood"), "{codes:?}");
        assert!(codes.contains(&"collinear-covariate"), "{codes:?}");
        assert!(codes.contains(&"few-events-per-variable"), "{codes:?}");
        let mono = s
            .warnings
            .iter()
            .find(|w| w.code == "monotone-likelihood")
            .unwrap();
        assert!(
            mono.message.contains("group = B") && mono.message.contains("Firth"),
            "{}",
            mono.message
        );
        let coll = s
            .warnings
            .iter()
            .find(|w| w.code == "collinear-covariate")
            .unwrap();
        assert!(coll.message.contains("x2"), "{}", coll.message);
        // The left-out term is reported without numbers, never NaN.
        let m = s.cox.as_ref().unwrap();
        assert!(m.terms[2].coef.is_none() && m.terms[2].hazard_ratio.is_none());
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("NaN"));
        // A covariate observed only in patients without events: that model is not
        // fitted, with a warning, and the rest of the section stands.
        let mut q = p.clone();
        q.status = (0..n).map(|i| i < 6).collect();
        q.covariates.push(numeric(
            "late",
            (0..n).map(|i| (i >= 6).then_some(i as f64)).collect(),
        ));
        let s2 = cox_section(
            &q,
            &CoxOptions {
                covariates: vec!["x".into()],
                univariable: vec!["x".into(), "late".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(s2.univariable.len(), 1);
        assert!(s2.cox.is_some());
        assert!(s2.warnings.iter().any(|w| w.code == "model-not-fitted"));
        // Unknown covariate: an error, not a panic.
        let err = cox_section(
            &p,
            &CoxOptions {
                covariates: vec!["nope".into()],
                ..Default::default()
            },
        );
        assert!(err.is_err());
    }

    #[test]
    fn selection_and_backward_are_labelled() {
        let p = lung();
        let s = cox_section(
            &p,
            &CoxOptions {
                covariates: vec![],
                univariable: ["age", "sex", "ph.ecog", "wt.loss"]
                    .map(String::from)
                    .to_vec(),
                select_p: Some(0.2),
                backward: Some(Backward::P { threshold: 0.05 }),
                ..Default::default()
            },
        )
        .unwrap();
        let m = s.cox.as_ref().unwrap();
        // wt.loss (univariable p ≈ 0.83) is not pre-selected.
        assert_eq!(m.variables, vec!["age", "sex", "ph.ecog"]);
        let b = s.backward.as_ref().unwrap();
        assert_eq!(b.label, "exploratory");
        assert_eq!(b.steps.len(), 1);
        assert_eq!(b.steps[0].removed, "age");
        assert!(b
            .model
            .as_ref()
            .unwrap()
            .label
            .as_deref()
            .unwrap()
            .contains("exploratory"));
        assert!(s.warnings.iter().any(|w| w.code == "exploratory-selection"));
        let opts: CoxOptions = serde_json::from_str(
            r#"{"covariates":["age"],"ties":"breslow","backward":{"criterion":"aic"}}"#,
        )
        .unwrap();
        assert_eq!(opts.ties, Ties::Breslow);
        assert_eq!(opts.conf_level, 0.95);
        assert!(cox_section(&p, &opts).unwrap().backward.is_some());
    }

    #[test]
    fn reference_level_and_ordinal_coding_are_consistent() {
        let mut p = veteran();
        let opts = CoxOptions {
            covariates: vec!["celltype".into(), "karno".into()],
            ..Default::default()
        };
        let by_large = cox_section(&p, &opts).unwrap().cox.unwrap();
        if let CovariateValues::Categorical { reference, .. } = &mut p.covariates[1].values {
            *reference = 0;
        }
        let by_squamous = cox_section(&p, &opts).unwrap().cox.unwrap();
        let hr = |m: &CoxModelReport, l: &str| {
            m.terms
                .iter()
                .find(|t| t.level.as_deref() == Some(l))
                .and_then(|t| t.hazard_ratio)
                .unwrap()
        };
        // adeno vs squamous = (adeno vs large) / (squamous vs large).
        let want = hr(&by_large, "adeno") / hr(&by_large, "squamous");
        assert!((hr(&by_squamous, "adeno") - want).abs() < 1e-8 * want);
        assert!((hr(&by_squamous, "large") - 1.0 / hr(&by_large, "squamous")).abs() < 1e-8);
        assert!((by_large.loglik[1] - by_squamous.loglik[1]).abs() < 1e-9);
        assert_eq!(by_squamous.terms[0].reference.as_deref(), Some("squamous"));
        // Ordinal coding of ECOG 0-3 is the numeric trend term.
        let mut l = lung();
        let ecog: Vec<Option<usize>> = match &l.covariates[2].values {
            CovariateValues::Numeric { values } => {
                values.iter().map(|v| v.map(|x| x as usize)).collect()
            }
            _ => unreachable!(),
        };
        l.covariates.push(Covariate {
            name: "ecog_ord".into(),
            values: CovariateValues::Categorical {
                levels: ["0", "1", "2", "3"].map(String::from).to_vec(),
                reference: 0,
                codes: ecog,
                ordinal: true,
            },
        });
        let num = cox_section(
            &l,
            &CoxOptions {
                covariates: vec!["ph.ecog".into()],
                ..Default::default()
            },
        )
        .unwrap()
        .cox
        .unwrap();
        let ord = cox_section(
            &l,
            &CoxOptions {
                covariates: vec!["ecog_ord".into()],
                ..Default::default()
            },
        )
        .unwrap()
        .cox
        .unwrap();
        assert_eq!(ord.terms.len(), 1);
        assert!((num.terms[0].coef.unwrap() - ord.terms[0].coef.unwrap()).abs() < 1e-12);
    }

    #[test]
    fn cluster_and_counting_process_against_r() {
        let e = expected();
        let (h, rows) = read("rats");
        let k = h.iter().position(|c| c == "sex").unwrap();
        let sex = rows
            .iter()
            .map(|r| Some(usize::from(r[k] == "m")))
            .collect();
        let litter: Vec<usize> = col(&h, &rows, "litter")
            .iter()
            .map(|v| v.unwrap() as usize)
            .collect();
        let p = Prepared {
            rows: (2..rows.len() + 2).collect(),
            time: col(&h, &rows, "time")
                .into_iter()
                .map(Option::unwrap)
                .collect(),
            status: col(&h, &rows, "status")
                .iter()
                .map(|s| *s == Some(1.0))
                .collect(),
            covariates: vec![
                numeric("rx", col(&h, &rows, "rx")),
                categorical("sex", &["f", "m"], 0, sex),
            ],
            cluster: Some(Factor {
                name: "litter".into(),
                levels: (1..=100).map(|i| i.to_string()).collect(),
                codes: litter.iter().map(|l| l - 1).collect(),
            }),
            ..Default::default()
        };
        let s = cox_section(
            &p,
            &CoxOptions {
                covariates: vec!["rx".into(), "sex".into()],
                ..Default::default()
            },
        )
        .unwrap();
        let m = s.cox.as_ref().unwrap();
        assert!(m.robust);
        check_model("rats cluster", m, &e["rats_cluster"]);
        let rse = nums(&e["rats_cluster"]["terms"]["robust_se"]);
        for (t, want) in m.terms.iter().zip(&rse) {
            close("robust se", t.robust_se.unwrap(), *want);
        }
        // Counting-process (start, stop] data through `entry`.
        let (h, rows) = read("heart");
        let p = Prepared {
            rows: (2..rows.len() + 2).collect(),
            time: col(&h, &rows, "stop")
                .into_iter()
                .map(Option::unwrap)
                .collect(),
            entry: Some(
                col(&h, &rows, "start")
                    .into_iter()
                    .map(Option::unwrap)
                    .collect(),
            ),
            status: col(&h, &rows, "event")
                .iter()
                .map(|s| *s == Some(1.0))
                .collect(),
            covariates: vec![
                numeric("age", col(&h, &rows, "age")),
                numeric("surgery", col(&h, &rows, "surgery")),
                numeric("transplant", col(&h, &rows, "transplant")),
            ],
            ..Default::default()
        };
        let s = cox_section(
            &p,
            &CoxOptions {
                covariates: ["age", "surgery", "transplant"].map(String::from).to_vec(),
                ..Default::default()
            },
        )
        .unwrap();
        check_model("heart entry", s.cox.as_ref().unwrap(), &e["heart_entry"]);
    }
}
