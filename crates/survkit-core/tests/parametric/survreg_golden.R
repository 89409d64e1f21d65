# Golden numbers for crates/survkit-core/tests/parametric_against_r.rs.
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/parametric/survreg_golden.R
# Reads the public datasets exported to tests/data/ by tests/data/export.R and writes, per
# model, the design matrix R used (model.matrix without the intercept, so the Rust test
# checks the fitter, not the dummy coding), the survreg estimates, standard errors,
# log-likelihoods, AIC/BIC and predicted quantiles with their standard errors.
# survreg is run with rel.tolerance = 1e-12 (default 1e-9) so that R's own convergence
# error is far below the 1e-6 tolerance of the test.
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
lung <- rd("lung"); ovarian <- rd("ovarian"); veteran <- rd("veteran")
lung$status01 <- lung$status - 1
lung$w <- 1 + (seq_len(nrow(lung)) %% 3)  # deterministic case weights 1, 2, 3
veteran$celltype <- factor(veteran$celltype, levels = c("squamous", "smallcell", "adeno", "large"))

ctl <- survreg.control(rel.tolerance = 1e-12, maxiter = 200)
models <- list()
add <- function(name, formula, data, dist, strata = NULL, weights = NULL, profiles) {
  args <- list(formula = formula, data = data, dist = dist, x = TRUE, y = TRUE,
               model = TRUE, control = ctl)
  if (!is.null(weights)) args$weights <- data[[weights]]
  fit <- do.call(survreg, args)
  mf <- fit$model
  X <- fit$x[, -1, drop = FALSE]
  y <- fit$y  # Surv(time, status) as given (not log-transformed)
  st <- NULL
  if (!is.null(strata)) st <- as.integer(factor(mf[[paste0("strata(", strata, ")")]])) - 1L
  q <- c(0.1, 0.5, 0.9)
  pr <- lapply(profiles, function(pf) {
    nd <- as.data.frame(pf$newdata)
    pq <- predict(fit, newdata = nd, type = "quantile", p = q, se.fit = TRUE)
    pu <- predict(fit, newdata = nd, type = "uquantile", p = q, se.fit = TRUE)
    list(x = unname(pf$x), stratum = if (is.null(pf$stratum)) 0L else pf$stratum, p = q,
         quantile = unname(as.vector(pq$fit)), quantile_se = unname(as.vector(pq$se.fit)),
         uquantile = unname(as.vector(pu$fit)), uquantile_se = unname(as.vector(pu$se.fit)))
  })
  V <- vcov(fit)
  out <- list(
    name = name, formula = paste(deparse(formula), collapse = " "), dist = dist,
    n = nrow(X), p = ncol(X), columns = colnames(X),
    x = as.vector(X), time = as.vector(y[, 1]), status = as.vector(y[, 2]),
    strata = st,
    weights = if (!is.null(weights)) as.vector(mf[["(weights)"]]) else NULL,
    coef = unname(fit$coefficients),
    log_scale = if (dist == "exponential") NULL else unname(log(fit$scale)),
    se = unname(sqrt(diag(V))), var = unname(as.vector(V)),
    loglik = unname(fit$loglik), df = fit$df, iter = fit$iter,
    aic = AIC(fit), bic = BIC(fit), nobs = nobs(fit),
    chisq = unname(2 * diff(fit$loglik)),
    profiles = pr
  )
  models[[length(models) + 1]] <<- out
}

dists <- c("exponential", "weibull", "lognormal", "loglogistic")
lungcc <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
for (d in dists) {
  add(paste0("lung_", d), Surv(time, status01) ~ age + sex + ph.ecog, lungcc, d,
      profiles = list(list(x = c(60, 1, 1), newdata = list(age = 60, sex = 1, ph.ecog = 1)),
                      list(x = c(70, 2, 0), newdata = list(age = 70, sex = 2, ph.ecog = 0))))
  add(paste0("ovarian_", d), Surv(futime, fustat) ~ age + rx + ecog.ps, ovarian, d,
      profiles = list(list(x = c(55, 1, 1), newdata = list(age = 55, rx = 1, ecog.ps = 1))))
  add(paste0("veteran_", d), Surv(time, status) ~ trt + karno + celltype + age, veteran, d,
      profiles = list(list(x = c(1, 60, 0, 1, 0, 60),
                           newdata = list(trt = 1, karno = 60, age = 60,
                                          celltype = factor("adeno", levels = levels(veteran$celltype))))))
}
# Separate scale per stratum (survreg's strata()), and case weights.
for (d in c("weibull", "lognormal", "loglogistic")) {
  add(paste0("lung_strata_", d), Surv(time, status01) ~ age + ph.ecog + strata(sex), lungcc, d,
      strata = "sex",
      profiles = list(list(x = c(60, 1), stratum = 1L,
                           newdata = list(age = 60, ph.ecog = 1, sex = 2))))
}
for (d in dists) {
  add(paste0("lung_weights_", d), Surv(time, status01) ~ age + sex + ph.ecog, lungcc, d,
      weights = "w",
      profiles = list(list(x = c(60, 1, 1), newdata = list(age = 60, sex = 1, ph.ecog = 1))))
}
# Intercept only.
add("lung_null_weibull", Surv(time, status01) ~ 1, lungcc, "weibull",
    profiles = list(list(x = numeric(0), newdata = list(age = 1))))

writeLines(toJSON(models, digits = NA, auto_unbox = TRUE, null = "null"),
           "crates/survkit-core/tests/parametric/survreg_golden.json")
