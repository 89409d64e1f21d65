# Expected Fine–Gray numbers from survival's finegray() + weighted coxph (coefficients,
# model-based SEs = naive.var, log-likelihoods), Breslow and Efron ties, for
# tests/competing_finegray_against_r.rs; cmprsk::crr's numbers are written beside them
# for reference (a different G tie convention and a sandwich variance: not matched).
# Run from the repository root:
#   Rscript crates/survkit-core/tests/competing/finegray_golden.R
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11, jsonlite. Writes finegray_golden.json.
library(survival)
library(cmprsk)
library(jsonlite)
dir <- "crates/survkit-core/tests/competing"
source(file.path(dir, "cohorts.R"))
arr <- function(x) I(as.vector(x))

fg_case <- function(name, d, cause, covs, ties, data_ref) {
  d$ev <- factor(d$cause, 0:2)
  fg <- finegray(as.formula(paste("Surv(time, ev) ~", paste(covs, collapse = " + "))),
                 data = d, etype = as.character(cause))
  fit <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~",
                                paste(covs, collapse = " + "))),
               weights = fgwt, data = fg, ties = ties)
  # crr's default stopping rule (gtol = 1e-6) leaves ~1e-5 in the coefficients on small
  # data; converge fully so that both sides are the same maximiser.
  cr <- crr(d$time, d$cause, as.matrix(d[, covs, drop = FALSE]), failcode = cause,
            gtol = 1e-12, maxiter = 100)
  list(name = name, data = data_ref, cause = cause, covariates = arr(covs), ties = ties,
       coef = arr(coef(fit)),
       se = arr(sqrt(diag(if (is.null(fit$naive.var)) fit$var else fit$naive.var))),
       loglik = arr(fit$loglik),
       crr = list(coef = arr(cr$coef), se = arr(sqrt(diag(cr$var)))))
}

m <- mgus2_cr()
syn <- synthetic()
syn$x <- (seq_len(nrow(syn)) %% 7) / 3
cases <- list(
  fg_case("mgus2 progression ~ sex + age, Efron", m, 1, c("sex", "age"), "efron", "mgus2"),
  fg_case("mgus2 progression ~ sex + age, Breslow", m, 1, c("sex", "age"), "breslow", "mgus2"),
  fg_case("mgus2 death ~ sex + age, Efron", m, 2, c("sex", "age"), "efron", "mgus2"),
  fg_case("synthetic cause 1 ~ x + group, Efron", syn, 1, c("x", "group"), "efron", "synthetic"),
  fg_case("synthetic cause 2 ~ x, Breslow", syn, 2, c("x"), "breslow", "synthetic"))
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(dir, "finegray_golden.json"))
