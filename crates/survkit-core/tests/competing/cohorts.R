# Shared inputs of the competing-risks golden scripts (sourced by them; not run alone).
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11. Writes mgus2.csv beside this file when asked.
library(survival)

# A small synthetic cohort with three codes (0 = censored, 1, 2), whole-number times
# with ties between causes and censorings at event times, and three groups; group 2 has
# no event of cause 2. Fixed by construction (no random numbers).
synthetic <- function() {
  time  <- c(1, 2, 2, 3, 3, 3, 4, 5, 5, 5, 6, 7, 8, 8, 9, 10, 11, 12, 12, 14,
             1, 2, 3, 3, 4, 4, 6, 6, 7, 8, 9, 9, 10, 12, 13, 15, 15, 16, 18, 20,
             2, 3, 4, 5, 5, 7, 8, 10, 11, 11)
  cause <- c(1, 2, 0, 1, 2, 0, 1, 1, 2, 0, 2, 0, 1, 0, 2, 1, 0, 1, 2, 0,
             2, 1, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2, 1, 1, 0, 2, 0, 0,
             1, 1, 0, 1, 0, 1, 0, 1, 1, 0)
  group <- c(rep(0, 20), rep(1, 20), rep(2, 10))
  stratum <- rep(c(0, 1), 25)
  weight <- rep(c(1, 2, 0.5, 1.5, 1), 10)
  data.frame(time, cause, group, stratum, weight)
}

# mgus2 as in the survival package's competing-risks vignette: progression (1) before
# death (2); time in months.
mgus2_cr <- function() {
  etime <- with(mgus2, ifelse(pstat == 0, futime, ptime))
  event <- with(mgus2, ifelse(pstat == 0, 2 * death, 1))
  data.frame(time = etime, cause = event, sex = as.integer(mgus2$sex == "M"),
             age = mgus2$age, hgb = mgus2$hgb)
}

# Delayed entry: the synthetic cohort with entry times before each exit.
delayed <- function() {
  d <- synthetic()
  d$entry <- pmax(0, d$time - c(3, 1.5, 0.5, 2, 7, 0.25, 1, 4, 2.5, 6))
  d$entry[seq(1, nrow(d), by = 4)] <- 0
  d
}
