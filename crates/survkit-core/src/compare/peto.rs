//! The Peto–Peto weights as SAS and Stata compute them, beside R's.
//!
//! Three programs print a "Peto–Peto" test and they differ in the survival estimate
//! used as the weight at event time `t_j` (`n_j` at risk, `d_j` events, pooled within
//! stratum):
//!
//! | program | weight | survkit |
//! | --- | --- | --- |
//! | R `survdiff(rho = 1)` | Kaplan–Meier `Ŝ(t_j−)` | [`TestMethod::PetoPeto`] |
//! | SAS `TEST=PETO`, Stata `sts test, peto`, lifelines `weightings="peto"` | `S̃(t_j) = Π_{t_i ≤ t_j} (1 − d_i/(n_i + 1))` | [`TestMethod::PetoPetoPrentice`] |
//! | SAS `TEST=MODPETO` | `S̃(t_j) · n_j/(n_j + 1)` | [`TestMethod::ModifiedPetoPeto`] |
//!
//! `S̃` is the survival estimate of Peto & Peto (1972) and Prentice (1978): the
//! Kaplan–Meier product with `n + 1` in the denominator, and *including* the current
//! time (Klein & Moeschberger 2003, §7.3; SAS/STAT LIFETEST, "Comparison
//! of Two or More Groups of Survival Data", table of weight functions; Stata `[ST] sts
//! test`, Methods and formulas). The statistic, its variance and the stratified form are
//! those of [`survdiff`](super::survdiff) with this weight.
//!
//! Checked on WHAS500 by atrial fibrillation (`tests/compare_peto.rs`): the inclusive
//! `S̃(t_j)` gives χ² = 9.8238, SAS's published 9.824 and lifelines' 9.823786476729
//! (`tests/conventions_lifelines.rs`); `S̃(t_{j−1})` would give 9.9066 and R's KM weight
//! 9.9000.
//!
//! # References
//!
//! - Peto R, Peto J (1972). Asymptotically efficient rank invariant test procedures.
//!   *JRSS A* 135:185–207.
//! - Prentice RL (1978). Linear rank tests with right censored data. *Biometrika*
//!   65:167–179.
//! - Andersen PK, Borgan Ø, Gill RD, Keiding N (1982). Linear nonparametric tests for
//!   comparison of counting processes. *International Statistical Review* 50:219–258.
//! - Klein JP, Moeschberger ML (2003). *Survival Analysis*, 2nd ed., §7.3.
//!
//! [`TestMethod::PetoPeto`]: super::TestMethod::PetoPeto
//! [`TestMethod::PetoPetoPrentice`]: super::TestMethod::PetoPetoPrentice
//! [`TestMethod::ModifiedPetoPeto`]: super::TestMethod::ModifiedPetoPeto

/// One step of the Peto–Prentice survival estimate: `S̃(t_j) = S̃(t_{j−1}) (1 − d/(n + 1))`.
pub(crate) fn step(s_prev: f64, n: f64, d: f64) -> f64 {
    s_prev * (1.0 - d / (n + 1.0))
}
