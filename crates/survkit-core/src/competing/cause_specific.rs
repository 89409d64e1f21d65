//! Cause-specific Cox models: the hazard of one cause with the other causes treated as
//! censored at their event times (Prentice et al. 1978; Putter, Fiocco & Geskus 2007,
//! §4.1). A thin layer over [`crate::cox::fit`], which does the fitting.

use serde::{Deserialize, Serialize};

use super::{CompetingData, CompetingWarning, FEW_EVENTS};
use crate::cox::{fit, CoxData, CoxFit, CoxOptions};
use crate::Error;

/// A cause-specific Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseSpecificFit {
    /// The cause modelled (1-based).
    pub cause: u32,
    /// Number of events of that cause (unweighted).
    pub events: usize,
    /// The Cox fit of its cause-specific hazard (hazard ratios `exp(coef)`).
    pub fit: CoxFit,
    /// Few events, non-convergence.
    pub warnings: Vec<CompetingWarning>,
}

/// Fits the Cox model of the cause-specific hazard of `cause`: rows with that cause
/// are events, every other row (censored or another cause) is censored at its time.
/// Entry times, weights and strata of `data` are passed on; the group is not used
/// (put it in the design matrix).
///
/// `x` is the design matrix, column-major n×p (`x[j * n + i]`), as [`CoxData`].
///
/// # Errors
/// Invalid data, `cause` outside `1..=n_causes`, and every error of
/// [`crate::cox::fit`] (e.g. no event of that cause).
pub fn cause_specific_cox(
    data: &CompetingData,
    cause: u32,
    x: &[f64],
    p: usize,
    opts: &CoxOptions,
) -> Result<CauseSpecificFit, Error> {
    data.validate()?;
    if cause == 0 || cause as usize > data.n_causes {
        return Err(Error::InvalidOption(format!(
            "cause must be between 1 and {} (0 is censoring), found {cause}",
            data.n_causes
        )));
    }
    let status: Vec<bool> = data.cause.iter().map(|&c| c == cause).collect();
    let events = status.iter().filter(|&&s| s).count();
    let cox = CoxData {
        start: data.entry,
        stop: data.time,
        status: &status,
        x,
        p,
        strata: data.strata,
        weights: data.weights,
        cluster: None,
    };
    let fit = fit(&cox, opts)?;
    let mut warnings = Vec::new();
    if events < FEW_EVENTS {
        warnings.push(CompetingWarning::FewEvents {
            cause,
            group: None,
            events,
        });
    }
    if !fit.converged {
        warnings.push(CompetingWarning::NotConverged {
            iterations: fit.iterations,
        });
    }
    Ok(CauseSpecificFit {
        cause,
        events,
        fit,
        warnings,
    })
}
