# Golden numbers for crates/survkit-core/tests/subgroup_against_r.rs (forest plot).
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/r/subgroup_golden.R
# For each case: anova(coxph(Surv ~ expo + factor(sub) + covs),
#                      coxph(Surv ~ expo * factor(sub) + covs))  (LR test of interaction)
# and, per subgroup level, coxph(Surv ~ expo + covs, subset = sub == level).
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
lung <- rd("lung"); lung$status <- lung$status == 2
lung <- lung[complete.cases(lung[, c("time", "status", "sex", "ph.ecog", "age")]), ]
lung$female <- as.numeric(lung$sex == 2); lung$ecog <- pmin(lung$ph.ecog, 2)
colon <- rd("colon"); colon <- colon[colon$etype == 2 & colon$rx != "Lev", ]
colon$lev5fu <- as.numeric(colon$rx == "Lev+5FU"); colon$old <- as.numeric(colon$age >= 60)
colon$status <- colon$status == 1
pbc <- rd("pbc"); pbc <- pbc[!is.na(pbc$trt), ]; pbc$dpen <- as.numeric(pbc$trt == 1)
pbc$dead <- pbc$status == 2; pbc$edema3 <- as.integer(factor(pbc$edema)) - 1L

cases <- list()
add <- function(name, d, time, status, expo, sub, covs = character(0), ties = "efron") {
  d <- d[complete.cases(d[, c(time, status, expo, sub, covs)]), ]
  d$sub_f <- factor(d[[sub]])
  rhs_c <- if (length(covs)) paste("+", paste(covs, collapse = " + ")) else ""
  f_main <- as.formula(paste0("Surv(", time, ", ", status, ") ~ ", expo, " + sub_f", rhs_c))
  f_int <- as.formula(paste0("Surv(", time, ", ", status, ") ~ ", expo, " * sub_f", rhs_c))
  fm <- coxph(f_main, data = d, ties = ties); fi <- coxph(f_int, data = d, ties = ties)
  a <- anova(fm, fi)
  subs <- lapply(levels(d$sub_f), function(lv) {
    ds <- d[d$sub_f == lv, ]
    f <- coxph(as.formula(paste0("Surv(", time, ", ", status, ") ~ ", expo, rhs_c)), data = ds, ties = ties)
    ci <- summary(f)$conf.int
    list(n = nrow(ds), events = sum(ds[[status]]), coef = unname(coef(f)[1]),
         se = unname(sqrt(diag(f$var))[1]), hr = ci[1, 1], lower = ci[1, 3], upper = ci[1, 4],
         p = summary(f)$coefficients[1, 5],
         arm_n = as.integer(table(factor(ds[[expo]], levels = c(0, 1)))),
         arm_events = as.integer(tapply(ds[[status]], factor(ds[[expo]], levels = c(0, 1)), sum)))
  })
  cases[[length(cases) + 1]] <<- list(
    name = name, ties = ties, time = d[[time]], status = d[[status]], exposure = d[[expo]],
    subgroup = as.integer(d$sub_f) - 1L, n_levels = nlevels(d$sub_f),
    covariates = unlist(lapply(covs, function(v) d[[v]])), n_covariates = length(covs),
    loglik_main = fm$loglik[2], loglik_int = fi$loglik[2],
    chisq = a$Chisq[2], df = a$Df[2], p = a[["Pr(>|Chi|)"]][2], subgroups = subs)
}
add("lung female by ecog, age", lung, "time", "status", "female", "ecog", "age")
add("lung female by ecog (breslow)", lung, "time", "status", "female", "ecog", ties = "breslow")
add("colon lev5fu by sex", colon, "time", "status", "lev5fu", "sex")
add("colon lev5fu by node4, age", colon, "time", "status", "lev5fu", "node4", "age")
add("colon lev5fu by old, nodes + sex", colon, "time", "status", "lev5fu", "old", c("nodes", "sex"))
add("pbc dpen by edema, age", pbc, "time", "dead", "dpen", "edema3", "age")
add("pbc dpen by sex", pbc, "time", "dead", "dpen", "sex")
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "crates/survkit-core/tests/fixtures/subgroup_golden.json")
