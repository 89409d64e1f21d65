# Golden numbers for crates/survkit-core/tests/cox_exact.rs: coxph(ties = "exact")
# (the discrete / conditional-logistic likelihood = SAS TIES=DISCRETE).
# R 4.2.2, survival 3.5-3. Run from the repo root:
#   Rscript crates/survkit-core/tests/r/cox_exact.R
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
options(digits = 15)
models <- list()
add <- function(name, formula, data) {
  fit <- coxph(formula, data = data, ties = "exact", x = TRUE,
               control = coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 50))
  y <- fit$y
  st <- if (!is.null(fit$strata)) as.integer(fit$strata) - 1L else NULL
  X <- fit$x
  df <- sum(!is.na(fit$coefficients))
  # The same model at R's default convergence (iterations and loglik as printed).
  fit0 <- coxph(formula, data = data, ties = "exact")
  models[[length(models) + 1]] <<- list(
    name = name, formula = paste(deparse(formula), collapse = " "),
    n = fit$n, events = fit$nevent, p = ncol(X), x = as.vector(X),
    stop = as.vector(y[, 1]), status = as.vector(y[, 2]), strata = st,
    coef = unname(fit$coefficients), se = unname(sqrt(diag(fit$var))),
    loglik = fit$loglik, score = unname(fit$score), wald = unname(fit$wald.test),
    concordance = unname(fit$concordance[c("concordance", "std")]),
    lp = unname(predict(fit, type = "lp")),
    default_coef = unname(fit0$coefficients), default_iter = fit0$iter)
}
aml <- rd("aml")
aml$maintained <- as.numeric(aml$x == "Maintained")
add("aml", Surv(time, status) ~ maintained, aml)
ov <- rd("ovarian")
# Months instead of days: ties.
ov$months <- ceiling(ov$futime / 30.4375)
add("ovarian_months", Surv(months, fustat) ~ age + rx, ov)
lung <- rd("lung")
lung <- lung[!is.na(lung$ph.ecog), ]
lung$months <- round(lung$time / 30.4375)
lung$months[lung$months == 0] <- 0.5
lung$dead <- as.numeric(lung$status == 2)
sub <- lung[1:80, ]
add("lung80_months", Surv(months, dead) ~ age + sex + ph.ecog, sub)
add("lung_months_strata", Surv(months, dead) ~ age + ph.ecog + strata(sex), lung)
# Heavy ties: time in quarters of a year.
lung$quarters <- ceiling(lung$time / 91.3125)
add("lung_quarters", Surv(quarters, dead) ~ sex + ph.ecog, lung)
# Very heavy ties (a hundred deaths in one year): exercises the rescaling of the
# elementary symmetric sums.
w <- read.csv("crates/survkit-core/tests/data/whas500.csv")
w$years <- ceiling(w$lenfol / 365.25)
w$age10 <- w$age / 10
add("whas500_years", Surv(years, fstat) ~ age10 + afb + gender, w)
tiny <- data.frame(t = c(1, 1, 1, 2, 2, 3, 3, 3, 4, 5),
                   s = c(1, 1, 0, 1, 1, 1, 1, 0, 1, 0),
                   x = c(0.5, 1, 2, 0, 1.5, 3, 1, 2, 0, 1))
add("tiny", Surv(t, s) ~ x, tiny)
writeLines(toJSON(models, digits = NA, auto_unbox = TRUE, null = "null"),
           "crates/survkit-core/tests/fixtures/cox_exact.json")
