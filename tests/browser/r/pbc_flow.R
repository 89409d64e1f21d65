# Expected numbers for tests/browser/flow.test.mjs (the full flow on pbc.csv), from R's
# survival package. Run from the repository root:
#   Rscript tests/browser/r/pbc_flow.R   -> tests/browser/r/pbc_flow.json
# The flow: status 0 = censored, 1 = transplant (censored), 2 = death (event); groups by
# treatment arm (rows without an arm left out); SAS conventions (log-log CIs, Breslow
# ties); survival at 1000 and 2000 days; Cox model with age and sex.
library(survival)
library(jsonlite)
d <- read.csv("tests/data/pbc.csv")
d$ev <- as.integer(d$status == 2)
e <- d[!is.na(d$trt), ]
fit <- survfit(Surv(time, ev) ~ trt, data = e, conf.type = "log-log")
tab <- summary(fit)$table
st <- summary(fit, times = c(1000, 2000))
sd <- survdiff(Surv(time, ev) ~ trt, data = e)
cox <- coxph(Surv(time, ev) ~ age + sex, data = e, ties = "breslow")
cs <- summary(cox)
fit_r <- survfit(Surv(time, ev) ~ trt, data = e)  # R's default (log) before the preset
out <- list(
  n = unname(tab[, "records"]), events = unname(tab[, "events"]),
  median = unname(tab[, "median"]), lower = unname(tab[, "0.95LCL"]), upper = unname(tab[, "0.95UCL"]),
  median_log = list(lower = unname(summary(fit_r)$table[, "0.95LCL"]), upper = unname(summary(fit_r)$table[, "0.95UCL"])),
  at_times = list(time = st$time, surv = st$surv, lower = st$lower, upper = st$upper),
  logrank = list(chisq = sd$chisq, p = pchisq(sd$chisq, 1, lower.tail = FALSE)),
  cox = list(term = rownames(cs$conf.int), hr = unname(cs$conf.int[, 1]), lower = unname(cs$conf.int[, 3]),
             upper = unname(cs$conf.int[, 4]), p = unname(cs$coefficients[, 5]))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/browser/r/pbc_flow.json")
