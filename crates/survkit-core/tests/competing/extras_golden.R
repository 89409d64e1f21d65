# Expected restricted mean time lost (survfit multi-state, summary(fit, rmean = tau)) and
# cause-specific Cox models (coxph on the recoded status) for
# tests/competing_extras_against_r.rs. Run from the repository root:
#   Rscript crates/survkit-core/tests/competing/extras_golden.R
# R 4.2.2, survival 3.5-3, jsonlite. Writes extras_golden.json beside this script.
library(survival)
library(jsonlite)
dir <- "crates/survkit-core/tests/competing"
source(file.path(dir, "cohorts.R"))
arr <- function(x) I(as.vector(x))

syn <- synthetic()
dl <- delayed()
m <- mgus2_cr()

rmean_case <- function(name, d, tau, entry = FALSE, weighted = FALSE) {
  st <- factor(d$cause, levels = 0:2)
  y <- if (entry) Surv(d$entry, d$time, st) else Surv(d$time, st)
  f <- survfit(y ~ 1, weights = if (weighted) d$weight else NULL, id = seq_len(nrow(d)))
  tab <- summary(f, rmean = tau)$table
  list(name = name, tau = tau, delayed = entry, weighted = weighted,
       rmean = arr(tab[, "rmean"]))
}

cs_case <- function(name, d, cause, formula_rhs, entry = FALSE, weighted = FALSE,
                    ties = "efron", strata = FALSE) {
  d$status <- as.integer(d$cause == cause)
  lhs <- if (entry) "Surv(entry, time, status)" else "Surv(time, status)"
  rhs <- if (strata) paste(formula_rhs, "+ strata(stratum)") else formula_rhs
  fit <- coxph(as.formula(paste(lhs, "~", rhs)), data = d, ties = ties,
               weights = if (weighted) d$weight else NULL)
  list(name = name, cause = cause, delayed = entry, weighted = weighted, ties = ties,
       strata = strata, covariates = arr(strsplit(formula_rhs, " \\+ ")[[1]]),
       # Model-based SEs (coxph reports robust ones by default with non-integer weights).
       coef = arr(coef(fit)),
       se = arr(sqrt(diag(if (is.null(fit$naive.var)) vcov(fit) else fit$naive.var))),
       loglik = arr(fit$loglik))
}

syn$x <- (seq_len(nrow(syn)) %% 7) / 3
dl$x <- (seq_len(nrow(dl)) %% 7) / 3
out <- list(
  rmean = list(
    rmean_case("synthetic, tau 10", syn, 10),
    rmean_case("synthetic, tau 25 (past the last time)", syn, 25),
    rmean_case("synthetic, weighted, tau 12", syn, 12, weighted = TRUE),
    rmean_case("delayed entry, tau 9.5", dl, 9.5, entry = TRUE),
    rmean_case("mgus2, tau 120", m, 120)),
  cause_specific = list(
    cs_case("mgus2 progression ~ sex + age", m, 1, "sex + age"),
    cs_case("mgus2 death ~ sex + age, Breslow", m, 2, "sex + age", ties = "breslow"),
    cs_case("synthetic cause 2 ~ x + group, delayed, weighted", dl, 2, "x + group",
            entry = TRUE, weighted = TRUE),
    cs_case("synthetic cause 1 ~ x, stratified", syn, 1, "x", strata = TRUE)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(dir, "extras_golden.json"))
