# Expected numbers for the Cox section of the Report (crates/survkit-report/src/cox.rs,
# unit tests). R 4.2.2, survival 3.5-3. Run from the repo root:
#   Rscript crates/survkit-core/tests/r/cox_report.R
library(survival)
library(jsonlite)
rd <- function(name) read.csv(file.path("tests/data", paste0(name, ".csv")))
terms <- function(fit) {
  s <- summary(fit, conf.int = 0.95)
  co <- s$coefficients; ci <- s$conf.int
  robust <- "robust se" %in% colnames(co)
  list(names = rownames(co), coef = unname(co[, "coef"]), se = unname(co[, "se(coef)"]),
       robust_se = if (robust) unname(co[, "robust se"]) else NULL,
       hr = unname(ci[, "exp(coef)"]), lower = unname(ci[, "lower .95"]),
       upper = unname(ci[, "upper .95"]), z = unname(co[, "z"]), p = unname(co[, "Pr(>|z|)"]))
}
model <- function(fit) {
  df <- sum(!is.na(coef(fit)))
  list(n = fit$n, events = fit$nevent, terms = terms(fit), loglik = fit$loglik,
       lr = 2 * diff(fit$loglik), lr_p = pchisq(2 * diff(fit$loglik), df, lower.tail = FALSE),
       wald = unname(fit$wald.test), score = unname(fit$score),
       concordance = unname(fit$concordance[c("concordance", "std")]), aic = AIC(fit))
}
out <- list()

vet <- rd("veteran")
vet$celltype <- relevel(factor(vet$celltype, levels = c("squamous", "smallcell", "adeno", "large")),
                        ref = "large")
out$veteran <- model(coxph(Surv(time, status) ~ trt + celltype + karno + age, vet))
out$veteran_uni <- lapply(c("trt", "celltype", "karno", "age"), function(v)
  model(coxph(as.formula(paste("Surv(time, status) ~", v)), vet)))
out$veteran_breslow <- model(coxph(Surv(time, status) ~ trt + celltype + karno + age, vet,
                                   ties = "breslow"))

lung <- rd("lung"); lung$status <- lung$status == 2
# sex as categorical (1 = Male, 2 = Female), reference Male; wt.loss has missing values.
lung$sexf <- factor(lung$sex, levels = 1:2, labels = c("Male", "Female"))
out$lung <- model(coxph(Surv(time, status) ~ age + sexf + ph.ecog + wt.loss, lung))
out$lung_missing_rows <- which(!complete.cases(lung[, c("age", "sexf", "ph.ecog", "wt.loss")])) + 1
out$lung_interaction <- model(coxph(Surv(time, status) ~ age + sexf + age:sexf, lung))
out$lung_zph <- {
  z <- cox.zph(coxph(Surv(time, status) ~ age + sexf + ph.ecog + wt.loss, lung))
  list(table = unname(as.vector(t(z$table))))
}
# Stratified by institution-free grouping: ph.ecog strata with age and sex.
out$lung_strata <- model(coxph(Surv(time, status) ~ age + sexf + strata(ph.ecog), lung))
rats <- rd("rats")
rats$sexf <- factor(rats$sex, levels = c("f", "m"))
out$rats_cluster <- model(coxph(Surv(time, status) ~ rx + sexf, rats, cluster = litter))
heart <- rd("heart")
out$heart_entry <- model(coxph(Surv(start, stop, event) ~ age + surgery + transplant, heart))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null"),
           "crates/survkit-core/tests/fixtures/cox_report.json")
