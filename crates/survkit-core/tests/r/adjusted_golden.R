# Golden numbers for crates/survkit-core/tests/adjusted_against_r.rs (adjusted curves).
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/r/adjusted_golden.R
# For each model: the design matrix (model.matrix, so the Rust test checks the
# standardisation, not the dummy coding), coxph's coefficients, and
#  - per group level: rowMeans(survfit(fit, newdata = cohort with the group set to the
#    level)$surv) at the event times (direct standardisation over the cohort);
#  - for single patients: survfit(fit, newdata = one row) surv, std.err (of the
#    cumulative hazard) and log-CI at the event times.
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
lung <- rd("lung"); lung$sex <- factor(lung$sex)
lung <- lung[complete.cases(lung[, c("time", "status", "sex", "age", "ph.ecog")]), ]
colon <- rd("colon"); colon <- colon[colon$etype == 2, ]; colon$rx <- factor(colon$rx, levels = c("Obs", "Lev", "Lev+5FU"))
colon <- colon[complete.cases(colon[, c("time", "status", "rx", "age", "nodes", "sex")]), ]
pbc <- rd("pbc"); pbc <- pbc[!is.na(pbc$trt), ]; pbc$trt <- factor(pbc$trt); pbc$dead <- pbc$status == 2

models <- list()
add <- function(name, formula, data, group, ties = "efron", single = c(1, 7)) {
  fit <- coxph(formula, data = data, ties = ties, x = TRUE)
  X <- fit$x; y <- fit$y
  ev <- NULL; curves <- list()
  for (lv in levels(data[[group]])) {
    nd <- data; nd[[group]] <- factor(lv, levels = levels(data[[group]]))
    sf <- survfit(fit, newdata = nd)
    keep <- sf$n.event > 0
    ev <- sf$time[keep]
    curves[[length(curves) + 1]] <- rowMeans(sf$surv[keep, , drop = FALSE])
  }
  gcols <- grep(paste0("^", group), colnames(X)) - 1L
  singles <- lapply(single, function(k) {
    sf <- survfit(fit, newdata = data[k, , drop = FALSE])
    keep <- sf$n.event > 0
    list(row = k - 1L, surv = sf$surv[keep], std_err = sf$std.err[keep],
         lower = sf$lower[keep], upper = sf$upper[keep], n_risk = sf$n.risk[keep])
  })
  models[[length(models) + 1]] <<- list(
    name = name, ties = ties, n = nrow(X), p = ncol(X), columns = colnames(X),
    x = as.vector(X), time = unname(y[, 1]), status = unname(y[, 2]) == 1,
    coef = unname(coef(fit)), group_columns = gcols, n_levels = nlevels(data[[group]]),
    event_times = ev, adjusted = curves, singles = singles)
}
add("lung sex + age + ph.ecog (efron)", Surv(time, status) ~ sex + age + ph.ecog, lung, "sex")
add("lung sex + age + ph.ecog (breslow)", Surv(time, status) ~ sex + age + ph.ecog, lung, "sex", ties = "breslow")
add("colon rx + age + nodes + sex (efron)", Surv(time, status) ~ rx + age + nodes + sex, colon, "rx")
add("pbc trt + age + log(bili) + edema (efron)", Surv(time, dead) ~ trt + age + log(bili) + edema, pbc, "trt", single = c(1, 100))
writeLines(toJSON(models, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "crates/survkit-core/tests/fixtures/adjusted_golden.json")
