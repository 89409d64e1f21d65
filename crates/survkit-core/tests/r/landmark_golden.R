# Golden numbers for crates/survkit-core/tests/landmark_against_r.rs.
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/r/landmark_golden.R
# For each dataset and landmark L: the landmark subset (time > L, time reset to time - L)
# fitted by survfit with each CI transform, and the ratio S(t)/S(L) from the whole-cohort
# survfit (summary(fit, times)), which must agree with the subset fit (stopifnot below).
library(survival)
library(jsonlite)
dd <- "tests/data"
rd <- function(name) read.csv(file.path(dd, paste0(name, ".csv")))
lung <- rd("lung"); lung$status <- lung$status == 2
colon <- rd("colon"); colon <- colon[colon$etype == 2, ]; colon$status <- colon$status == 1
pbc <- rd("pbc"); pbc$status <- pbc$status == 2
veteran <- rd("veteran"); veteran$status <- veteran$status == 1
aml <- rd("aml"); aml$status <- aml$status == 1

cases <- list()
add <- function(name, d, L, times) {
  full <- survfit(Surv(time, status) ~ 1, data = d)
  sL <- summary(full, times = L, extend = TRUE)$surv
  sub <- subset(d, time > L)
  out <- list(name = name, landmark = L, time = d$time, status = d$status,
              rows = which(d$time > L) - 1L, surv_at_landmark = sL, times = times)
  for (ct in c("log", "log-log", "plain")) {
    f <- survfit(Surv(time - L, status) ~ 1, data = sub, conf.type = ct)
    ratio <- summary(full, times = f$time + L)$surv / sL
    stopifnot(isTRUE(all.equal(ratio, f$surv, tolerance = 1e-12)))
    s <- summary(f, times = times - L, extend = TRUE)
    out[[ct]] <- list(time = f$time + L, n_risk = f$n.risk, n_event = f$n.event,
                      n_censor = f$n.censor, surv = f$surv,
                      greenwood_se = f$std.err, lower = f$lower, upper = f$upper,
                      ratio = ratio,
                      at_surv = s$surv, at_lower = s$lower, at_upper = s$upper,
                      at_n_risk = s$n.risk)
  }
  cases[[length(cases) + 1]] <<- out
}
add("lung L=180", lung, 180, c(180, 365, 500, 730))
add("lung L=365", lung, 365, c(400, 730, 1000))
add("lung L=0", lung, 0, c(100, 365))
add("lung L=11 (three events at L)", lung, 11, c(20, 100))
add("colon L=365", colon, 365, c(730, 1095, 1825))
add("colon L=730", colon, 730, c(1095, 1825, 2500))
add("pbc L=1000", pbc, 1000, c(1500, 2000, 3000))
add("veteran L=100", veteran, 100, c(150, 200, 365))
add("aml L=12", aml, 12, c(13, 20, 30, 45))
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "crates/survkit-core/tests/fixtures/landmark_golden.json")
