# Golden numbers for crates/survkit-core/tests/cox_against_r.rs.
# R 4.2.2, survival 3.5-3. Run from the repo root:
#   Rscript crates/survkit-core/tests/r/cox_models.R
# Reads the public datasets exported to tests/data/ (tests/data/export.R) and writes, for
# each model, the design matrix R used (model.matrix, so the Rust test checks the fitter,
# not the dummy coding) and the coxph results.
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))

models <- list()
add <- function(name, formula, data, ties = "efron", cluster = NULL, weights = NULL,
                robust = FALSE) {
  args <- list(formula = formula, data = data, ties = ties, x = TRUE, model = TRUE)
  if (!is.null(weights)) args$weights <- data[[weights]]
  if (robust) args$robust <- TRUE
  if (!is.null(cluster)) args$cluster <- data[[cluster]]
  fit <- do.call(coxph, args)
  mf <- fit$model
  y <- fit$y
  X <- fit$x
  counting <- ncol(y) == 3
  st <- if (!is.null(fit$strata)) as.integer(fit$strata) - 1L else NULL
  df <- sum(!is.na(fit$coefficients))
  tst <- function(x, df) unname(c(x, df, pchisq(x, df, lower.tail = FALSE)))
  naive <- if (!is.null(fit$naive.var)) fit$naive.var else fit$var
  out <- list(
    name = name, formula = paste(deparse(formula), collapse = " "), ties = ties,
    n = fit$n, events = fit$nevent, p = ncol(X), columns = colnames(X),
    x = as.vector(X),
    start = if (counting) as.vector(y[, 1]) else NULL,
    stop = as.vector(y[, if (counting) 2 else 1]),
    status = as.vector(y[, if (counting) 3 else 2]),
    strata = st,
    weights = if (!is.null(weights)) as.vector(mf[["(weights)"]]) else NULL,
    cluster = if (!is.null(cluster)) as.integer(factor(mf[["(cluster)"]])) - 1L else NULL,
    robust = !is.null(fit$naive.var),
    coef = unname(fit$coefficients),
    se = unname(sqrt(diag(naive))),
    robust_se = if (!is.null(fit$naive.var)) unname(sqrt(diag(fit$var))) else NULL,
    loglik = fit$loglik, iter = fit$iter,
    # summary() rounds the Wald and score statistics; take them unrounded from the fit.
    lr = tst(2 * diff(fit$loglik), df), wald = tst(fit$wald.test, df), score = tst(fit$score, df),
    robust_score = if (!is.null(fit$rscore)) tst(fit$rscore, df) else NULL,
    concordance = unname(fit$concordance[c("concordance", "std")]),
    martingale = unname(residuals(fit, type = "martingale")),
    deviance = unname(residuals(fit, type = "deviance")),
    aic = AIC(fit)
  )
  {
    # cox.zph, one test per term (the dummies of a factor together), three transforms
    # (weighted and clustered fits included).
    out$zph_terms <- unname(lapply(fit$assign, function(a) I(a - 1L)))
    for (tr in c("km", "rank", "identity")) {
      z <- cox.zph(fit, transform = tr)
      out[[paste0("zph_", tr)]] <- list(table = unname(as.vector(t(z$table))),
                                        nrow = nrow(z$table))
      if (tr == "km") {
        out$zph_km$time <- unname(z$time); out$zph_km$x <- unname(z$x)
        out$zph_km$y <- unname(as.vector(z$y))
      }
    }
  }
  models[[length(models) + 1]] <<- out
}

lung <- rd("lung"); lung$status <- lung$status == 2
add("lung_efron", Surv(time, status) ~ age + sex + ph.ecog, lung)
add("lung_breslow", Surv(time, status) ~ age + sex + ph.ecog, lung, ties = "breslow")
lung$w <- lung$ph.karno / 100
add("lung_weighted", Surv(time, status) ~ age + sex, lung[!is.na(lung$ph.karno), ], weights = "w")

vet <- rd("veteran")
vet$celltype <- factor(vet$celltype, levels = c("squamous", "smallcell", "adeno", "large"))
add("veteran_efron", Surv(time, status) ~ trt + celltype + karno + age, vet)
add("veteran_breslow", Surv(time, status) ~ trt + celltype + karno + age, vet, ties = "breslow")

ov <- rd("ovarian")
add("ovarian_efron", Surv(futime, fustat) ~ age + factor(resid.ds) + rx + ecog.ps, ov)

aml <- rd("aml")
aml$x <- factor(aml$x, levels = c("Maintained", "Nonmaintained"))
add("aml_efron", Surv(time, status) ~ x, aml)
add("aml_breslow", Surv(time, status) ~ x, aml, ties = "breslow")

pbc <- rd("pbc"); pbc$death <- pbc$status == 2
add("pbc_strata", Surv(time, death) ~ age + log(bili) + albumin + edema + strata(sex), pbc)
add("pbc_strata_breslow", Surv(time, death) ~ age + log(bili) + albumin + factor(edema) + strata(trt),
    pbc[!is.na(pbc$trt), ], ties = "breslow")

colon <- rd("colon"); colon <- colon[colon$etype == 2, ]
colon$rx <- factor(colon$rx, levels = c("Obs", "Lev", "Lev+5FU"))
add("colon_death", Surv(time, status) ~ rx + age + nodes + factor(differ), colon)

heart <- rd("heart")
add("heart_counting", Surv(start, stop, event) ~ age + year + surgery + transplant, heart)
add("heart_counting_cluster", Surv(start, stop, event) ~ age + year + surgery + transplant, heart,
    cluster = "id")
add("heart_counting_breslow", Surv(start, stop, event) ~ age + surgery + transplant, heart,
    ties = "breslow")

rats <- rd("rats")
add("rats_cluster", Surv(time, status) ~ rx + sex, rats, cluster = "litter")
add("rats_robust", Surv(time, status) ~ rx, rats[rats$sex == "f", ], robust = TRUE)

writeLines(toJSON(models, digits = NA, auto_unbox = TRUE, null = "null"),
           "crates/survkit-core/tests/fixtures/cox_models.json")
