# Expected numbers for the browser tests, computed by R's survival package.
# Run from the repo root:  Rscript tests/browser/expected.R
# (R 4.2.2, survival 3.5-3, jsonlite; writes tests/browser/expected.json)
library(survival)
library(jsonlite)
med <- function(fit) {
  q <- quantile(fit, probs = 0.5, conf.int = TRUE)
  lapply(seq_along(q$quantile), function(i)
    list(estimate = unname(q$quantile[i]), lower = unname(q$lower[i]), upper = unname(q$upper[i])))
}
lung <- read.csv("tests/data/lung.csv")
fit <- survfit(Surv(time, status) ~ sex, data = lung)
lr <- survdiff(Surv(time, status) ~ sex, data = lung)
rev <- survfit(Surv(time, 1 - (status - 1)) ~ 1, data = lung)
fu <- quantile(rev, probs = 0.5, conf.int = TRUE)
out <- list(
  lung_by_sex = list(
    groups = c("1", "2"),
    n = unname(fit$n),
    median = med(fit),
    logrank = list(chisq = unname(lr$chisq), p = pchisq(lr$chisq, 1, lower.tail = FALSE)),
    followup = list(estimate = unname(fu$quantile), lower = unname(fu$lower), upper = unname(fu$upper))
  )
)
vet <- read.csv("tests/data/veteran.csv")
fitv <- survfit(Surv(time, status) ~ trt, data = vet)
lrv <- survdiff(Surv(time, status) ~ trt, data = vet)
out$veteran_by_trt <- list(
  groups = c("1", "2"), n = unname(fitv$n), median = med(fitv),
  logrank = list(chisq = unname(lrv$chisq), p = pchisq(lrv$chisq, 1, lower.tail = FALSE))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/browser/expected.json")
