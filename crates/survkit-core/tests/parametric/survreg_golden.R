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
  V <- vcov(fit)
  pr <- lapply(profiles, function(pf) {
    nd <- as.data.frame(pf$newdata)
    pq <- predict(fit, newdata = nd, type = "quantile", p = q, se.fit = TRUE)
    pu <- predict(fit, newdata = nd, type = "uquantile", p = q, se.fit = TRUE)
    # Survival, hazard and the delta-method SE of log H(t) at fixed times (numDeriv
    # gradient of the written-out function of (coefficients, log scales) times vcov),
    # restricted mean to tau = 365 and the mean by integrate().
    s <- if (is.null(pf$stratum)) 1L else pf$stratum + 1L
    k <- length(fit$coefficients)
    xx <- c(1, pf$x)
    th <- c(fit$coefficients, if (dist == "exponential") NULL else log(fit$scale))
    sc <- function(theta) if (dist == "exponential") 1 else exp(theta[k + s])
    surv <- function(tt, theta) 1 - psurvreg(tt, sum(xx * theta[1:k]), sc(theta), dist)
    tms <- c(100, 365, 730)
    lH <- function(theta, tt) log(-log(surv(tt, theta)))
    se_lH <- sapply(tms, function(tt) {
      g <- numDeriv::grad(function(th) lH(th, tt), th); sqrt(drop(t(g) %*% V %*% g))
    })
    lp <- sum(xx * fit$coefficients)
    haz <- dsurvreg(tms, lp, sc(th), dist) / surv(tms, th)
    rmst <- integrate(function(u) surv(u, th), 0, 365, rel.tol = 1e-12)$value
    rmst_se <- {
      g <- numDeriv::grad(function(th) integrate(function(u) surv(u, th), 0, 365,
                                                 rel.tol = 1e-12)$value, th)
      sqrt(drop(t(g) %*% V %*% g))
    }
    mean_t <- if (dist == "loglogistic" && sc(th) >= 1) NULL else
      tryCatch(integrate(function(v) surv(exp(v), th) * exp(v), -30, 60,
                         rel.tol = 1e-11, subdivisions = 1000L)$value,
               error = function(e) NULL)
    list(x = unname(pf$x), stratum = if (is.null(pf$stratum)) 0L else pf$stratum, p = q,
         times = tms, surv = unname(surv(tms, th)), hazard = unname(haz),
         se_log_cumhaz = unname(se_lH), rmst = rmst, rmst_se = rmst_se, mean = mean_t,
         quantile = unname(as.vector(pq$fit)), quantile_se = unname(as.vector(pq$se.fit)),
         uquantile = unname(as.vector(pu$fit)), uquantile_se = unname(as.vector(pu$se.fit)))
  })
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
