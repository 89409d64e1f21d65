//! Competing risks: the Aalen–Johansen cumulative incidence per cause and group with
//! three variance conventions, Gray's K-sample test, Fine–Gray subdistribution hazard
//! regression and cause-specific Cox models.
//!
//! Inputs are plain numbers ([`CompetingData`]): exit time, optional entry time
//! (`(entry, time]`, left truncation), a cause code per row (`0` = censored, `1..=K` =
//! the cause of the event), optional case weights, an optional group index and
//! optional strata. Results are typed, `serde`-serialisable structs; statistical
//! caveats travel beside them as [`CompetingWarning`]s.
//!
//! - [`aalen_johansen`]: cumulative incidence `F_k(t)` of each cause and the event-free
//!   probability `S(t)` (the Kaplan–Meier estimate of the all-cause endpoint), which sum
//!   to 1; standard errors by the infinitesimal jackknife (R `survfit`, default), the
//!   delta method (SAS `PROC LIFETEST eventcode=`, Stata `stcompet`) or the
//!   counting-process (Aalen-type) variance of R `cmprsk::cuminc`; CIF at chosen
//!   times, the times where a CIF reaches chosen levels, restricted mean time lost.
//! - [`cause_specific_cox`]: the Cox model of one cause's cause-specific hazard (other
//!   causes censored), through the crate's Cox engine.
//!
//! - [`fine_gray`]: Fine–Gray subdistribution hazard regression with `survival`'s
//!   (`finegray` + `coxph`, model-based SE) or `cmprsk::crr`'s conventions (sandwich SE).
//!
//! Not yet here (see `docs/competing.md`): Gray's test (a draft whose variance
//! reproduces `cmprsk::cuminc` without tied times, but not yet with ties).
//!
//! # References
//!
//! - Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous
//!   Markov chains based on censored observations. *Scand J Statist* 5:141–150.
//! - Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence of
//!   a competing risk. *Ann Statist* 16:1141–1154.
//! - Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
//!   competing risk. *JASA* 94:496–509.
//! - Marubini E, Valsecchi MG (1995). *Analysing Survival Data from Clinical Trials and
//!   Observational Studies*, §10 (delta-method variance of the CIF).
//! - Efron B (1982). *The Jackknife, the Bootstrap and Other Resampling Plans*, §6
//!   (infinitesimal jackknife); Therneau TM, Grambsch PM (2000), §2.
//! - Pintilie M (2006). *Competing Risks: A Practical Perspective*, §4.2.

mod aj;
mod cause_specific;
mod finegray;
// Gray's test: its variance reproduces cmprsk exactly on data without tied times but
// not yet with ties (see docs/competing.md); it stays private until it does.
#[allow(dead_code)]
mod gray;

pub use aj::{
    aalen_johansen, CauseCurve, CifAtTime, CifFit, CifOptions, CifQuantile, CifVariance,
    GroupCurves, Rmtl,
};
pub use cause_specific::{cause_specific_cox, CauseSpecificFit};
pub use finegray::{fine_gray, FineGrayConvention, FineGrayFit};

use serde::{Deserialize, Serialize};

use crate::Error;

/// Competing-risks data, borrowed from the caller: one entry per row.
#[derive(Debug, Clone, Copy)]
pub struct CompetingData<'a> {
    /// Exit time of each row (event or censoring), finite and ≥ 0.
    pub time: &'a [f64],
    /// Entry time for `(entry, time]` data (delayed entry); `None` = all enter at 0.
    pub entry: Option<&'a [f64]>,
    /// Cause of the event at `time`: `0` = censored, `1..=n_causes` = that cause.
    pub cause: &'a [u32],
    /// Number of causes K (a cause without events still gets its, flat, curve).
    pub n_causes: usize,
    /// Case weights, finite and ≥ 0; `None` = all 1.
    pub weights: Option<&'a [f64]>,
    /// Group index of each row, each `< n_groups`; `None` = one group.
    pub group: Option<&'a [usize]>,
    /// Number of groups (ignored without `group`).
    pub n_groups: usize,
    /// Stratum index of each row (used by stratified tests only).
    pub strata: Option<&'a [usize]>,
}

impl<'a> CompetingData<'a> {
    /// Right-censored data in one group: time and cause code per row.
    pub fn new(time: &'a [f64], cause: &'a [u32], n_causes: usize) -> Self {
        CompetingData {
            time,
            entry: None,
            cause,
            n_causes,
            weights: None,
            group: None,
            n_groups: 1,
            strata: None,
        }
    }

    /// The same data split by `group` (each index `< n_groups`).
    pub fn with_groups(mut self, group: &'a [usize], n_groups: usize) -> Self {
        self.group = Some(group);
        self.n_groups = n_groups;
        self
    }

    /// Number of groups actually in use (1 without a group column).
    pub fn groups(&self) -> usize {
        if self.group.is_some() {
            self.n_groups
        } else {
            1
        }
    }

    fn group_of(&self, i: usize) -> usize {
        self.group.map_or(0, |g| g[i])
    }

    /// Checks lengths and values.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], [`Error::InvalidValue`] naming the row (1-based in the
    /// message), [`Error::NoData`] without rows, [`Error::InvalidOption`] for
    /// `n_causes = 0` or too many groups.
    pub fn validate(&self) -> Result<(), Error> {
        let n = self.time.len();
        if n == 0 {
            return Err(Error::NoData(
                "no rows to estimate cumulative incidence from".into(),
            ));
        }
        let len = |what: &str, found: usize| -> Result<(), Error> {
            if found != n {
                return Err(Error::LengthMismatch {
                    what: format!("time and {what}"),
                    expected: n,
                    found,
                });
            }
            Ok(())
        };
        len("cause", self.cause.len())?;
        if self.n_causes == 0 {
            return Err(Error::InvalidOption(
                "n_causes must be at least 1 (cause codes are 1..=n_causes, 0 = censored)".into(),
            ));
        }
        if self.n_causes > MAX_CAUSES {
            return Err(Error::InvalidOption(format!(
                "{} causes is more than competing-risks output can sensibly report (at most \
                 {MAX_CAUSES}); is the cause column a continuous value?",
                self.n_causes
            )));
        }
        for (i, &t) in self.time.iter().enumerate() {
            if !(t.is_finite() && t >= 0.0) {
                return Err(Error::InvalidValue {
                    what: "time".into(),
                    index: i,
                    reason: format!("expected a finite number ≥ 0, found {t}"),
                });
            }
        }
        for (i, &c) in self.cause.iter().enumerate() {
            if c as usize > self.n_causes {
                return Err(Error::InvalidValue {
                    what: "cause".into(),
                    index: i,
                    reason: format!(
                        "cause code {c} is above the number of causes ({}); codes are 0 = \
                         censored and 1..={} for the causes",
                        self.n_causes, self.n_causes
                    ),
                });
            }
        }
        if let Some(e) = self.entry {
            len("entry", e.len())?;
            for (i, (&a, &t)) in e.iter().zip(self.time).enumerate() {
                if !a.is_finite() || a >= t {
                    return Err(Error::InvalidValue {
                        what: "entry".into(),
                        index: i,
                        reason: format!(
                            "entry time ({a}) must be a finite number before the exit time ({t})"
                        ),
                    });
                }
            }
        }
        if let Some(w) = self.weights {
            len("weights", w.len())?;
            for (i, &v) in w.iter().enumerate() {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(Error::InvalidValue {
                        what: "weights".into(),
                        index: i,
                        reason: format!("expected a finite weight ≥ 0, found {v}"),
                    });
                }
            }
        }
        if let Some(g) = self.group {
            len("group", g.len())?;
            if self.n_groups > crate::compare::MAX_GROUPS {
                return Err(Error::InvalidOption(format!(
                    "{} groups is more than can sensibly be reported (at most {}); is the \
                     group column a patient identifier or a continuous value?",
                    self.n_groups,
                    crate::compare::MAX_GROUPS
                )));
            }
            if let Some((i, &v)) = g.iter().enumerate().find(|(_, &v)| v >= self.n_groups) {
                return Err(Error::InvalidValue {
                    what: "group".into(),
                    index: i,
                    reason: format!(
                        "group index {v} is not below the number of groups ({})",
                        self.n_groups
                    ),
                });
            }
        }
        if let Some(s) = self.strata {
            len("strata", s.len())?;
        }
        Ok(())
    }
}

/// Largest number of causes accepted.
pub const MAX_CAUSES: usize = 100;

/// Fewer events of a cause than this (in a group, or overall) gives a
/// [`CompetingWarning::FewEvents`].
pub const FEW_EVENTS: usize = 10;

/// A statistical caveat: the result was computed, read it with care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CompetingWarning {
    /// A cause has fewer than [`FEW_EVENTS`] events (in `group`, or overall when `None`):
    /// its curve and tests rest on few events.
    FewEvents {
        /// Cause code (1-based).
        cause: u32,
        /// Group index, or `None` for all rows.
        group: Option<usize>,
        /// Number of rows with that cause (unweighted).
        events: usize,
    },
    /// A group has no event of a cause: that cumulative incidence is 0 throughout.
    NoEvents {
        /// Cause code (1-based).
        cause: u32,
        /// Group index.
        group: usize,
    },
    /// A group has no rows at all: it is left out of curves and tests.
    EmptyGroup {
        /// Group index.
        group: usize,
    },
    /// An iterative fit stopped at its iteration limit before converging.
    NotConverged {
        /// Iterations done.
        iterations: usize,
    },
}

/// Warnings on event counts per cause (overall and per group).
pub(crate) fn event_count_warnings(data: &CompetingData) -> Vec<CompetingWarning> {
    let k = data.n_causes;
    let g = data.groups();
    let mut counts = vec![0usize; g * (k + 1)];
    let mut rows = vec![0usize; g];
    for (i, &c) in data.cause.iter().enumerate() {
        let gi = data.group_of(i);
        rows[gi] += 1;
        counts[gi * (k + 1) + c as usize] += 1;
    }
    let mut out = Vec::new();
    for (gi, &r) in rows.iter().enumerate() {
        if r == 0 {
            out.push(CompetingWarning::EmptyGroup { group: gi });
        }
    }
    for c in 1..=k {
        let total: usize = (0..g).map(|gi| counts[gi * (k + 1) + c]).sum();
        if total < FEW_EVENTS {
            out.push(CompetingWarning::FewEvents {
                cause: c as u32,
                group: None,
                events: total,
            });
        }
        if data.group.is_some() {
            for gi in 0..g {
                if rows[gi] == 0 {
                    continue;
                }
                let e = counts[gi * (k + 1) + c];
                if e == 0 {
                    out.push(CompetingWarning::NoEvents {
                        cause: c as u32,
                        group: gi,
                    });
                } else if e < FEW_EVENTS && total >= FEW_EVENTS {
                    out.push(CompetingWarning::FewEvents {
                        cause: c as u32,
                        group: Some(gi),
                        events: e,
                    });
                }
            }
        } else if total == 0 {
            out.push(CompetingWarning::NoEvents {
                cause: c as u32,
                group: 0,
            });
        }
    }
    out
}
