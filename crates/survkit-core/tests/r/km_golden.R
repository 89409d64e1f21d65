# Expected Kaplan–Meier numbers from R's survival package, for tests/km_against_r.rs.
# Run from the repository root (R 4.2.2, survival 3.5-3, jsonlite):
#   Rscript crates/survkit-core/tests/r/km_golden.R
# Writes crates/survkit-core/tests/fixtures/km_golden.json: each case holds the input
# data, the options, and what survfit / summary / quantile / print(rmean=) report.
library(survival)
library(jsonlite)

na_fix <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }
# Arrays stay arrays in JSON even with one element.
arr <- function(x) if (is.null(x)) NULL else I(as.vector(x))

# `weights`: case weights (survfit(weights = )); `robust`: NULL = survfit's default
# (robust IJ variance for right-censored data with non-integer weights), or TRUE/FALSE.
km_case <- function(name, time, status, entry = NULL, conf.type = "log", conf.level = 0.95,
                    probs = c(0.25, 0.5, 0.75), times = numeric(0), tau = NULL,
                    weights = NULL, robust = NULL) {
  y <- if (is.null(entry)) Surv(time, status) else Surv(entry, time, status)
  f <- if (is.null(robust)) {
    survfit(y ~ 1, conf.type = conf.type, conf.int = conf.level, weights = weights)
  } else {
    survfit(y ~ 1, conf.type = conf.type, conf.int = conf.level, weights = weights,
            robust = robust)
  }
  # summary()'s std.err is the SE of S(t) under both variances (with the robust variance,
  # f$std.err already holds the SE of S, not of log S, in survival 3.5-3).
  sc <- summary(f, censored = TRUE)
  stopifnot(length(sc$time) == length(f$time))
  q <- quantile(f, probs = probs)
  tab <- summary(f, rmean = if (is.null(tau)) "common" else tau)$table
  nm <- names(tab)
  lcl <- grep("LCL$", nm); ucl <- grep("UCL$", nm)
  at <- NULL
  if (length(times) > 0) {
    # extend = TRUE: past the last time R carries the last value (0 if the curve ended
    # at 0); `beyond` marks those rows (survkit's "beyond follow-up" flag).
    s <- summary(f, times = times, extend = TRUE)
    beyond <- s$time > max(f$time)
    at <- lapply(seq_along(s$time), function(i) list(
      time = s$time[i], n_risk = s$n.risk[i], beyond = beyond[i],
      surv = na_fix(s$surv[i]), lower = na_fix(s$lower[i]), upper = na_fix(s$upper[i])))
  }
  list(
    name = name, time = arr(time), status = arr(as.logical(status)),
    entry = arr(entry), weights = arr(weights),
    variance = if (is.null(robust)) "auto" else if (robust) "robust" else "greenwood",
    conf_type = conf.type, conf_level = conf.level,
    quantiles = arr(probs), times = arr(times), rmst_tau = tau,
    expected = list(
      n = length(time), events = sum(status),
      time = arr(f$time), n_risk = arr(f$n.risk), n_event = arr(f$n.event),
      n_censor = arr(f$n.censor), surv = arr(f$surv),
      std_err = arr(na_fix(ifelse(f$surv > 0, sc$std.err, NA))),
      lower = arr(na_fix(f$lower)), upper = arr(na_fix(f$upper)),
      cumhaz = arr(f$cumhaz), cumhaz_se = arr(f$std.chaz),
      median = list(estimate = na_fix(tab["median"]), lower = na_fix(tab[lcl]), upper = na_fix(tab[ucl])),
      quantiles = lapply(seq_along(probs), function(i) list(
        p = probs[i], estimate = na_fix(q$quantile[i]), lower = na_fix(q$lower[i]),
        upper = na_fix(q$upper[i]))),
      at_times = at,
      rmst = list(tau = if (is.null(tau)) max(f$time) else tau,
                  estimate = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
    )
  )
}

d <- "tests/data"
lung <- read.csv(file.path(d, "lung.csv"))
veteran <- read.csv(file.path(d, "veteran.csv"))
ovarian <- read.csv(file.path(d, "ovarian.csv"))
aml <- read.csv(file.path(d, "aml.csv"))
pbc <- read.csv(file.path(d, "pbc.csv"))
colon <- read.csv(file.path(d, "colon.csv"))
heart <- read.csv(file.path(d, "heart.csv"))
rats <- read.csv(file.path(d, "rats.csv"))
colon_death <- colon[colon$etype == 2, ]

cases <- list(
  km_case("lung", lung$time, lung$status == 2, times = c(0, 180, 365, 730, 2000)),
  km_case("lung-log-log-90", lung$time, lung$status == 2, conf.type = "log-log",
          conf.level = 0.90, probs = c(0.1, 0.5, 0.9), times = c(365), tau = 365),
  km_case("veteran-log-log", veteran$time, veteran$status, conf.type = "log-log",
          times = c(30, 90, 180)),
  km_case("ovarian-plain", ovarian$futime, ovarian$fustat, conf.type = "plain",
          times = c(365, 730)),
  km_case("aml", aml$time, aml$status, times = c(12, 36, 60, 200)),
  km_case("aml-tau", aml$time, aml$status, tau = 100),
  km_case("pbc-death", pbc$time, pbc$status == 2, times = c(365.25, 1826.25, 3652.5)),
  km_case("colon-death-log-log", colon_death$time, colon_death$status,
          conf.type = "log-log", times = c(365, 1826)),
  km_case("rats", rats$time, rats$status, tau = 80),
  km_case("heart-delayed-entry", heart$stop, heart$event, entry = heart$start,
          times = c(10, 100, 1000)),
  # Hand-sized cases: flat at exactly 0.5, ties, all events, one row, all censored.
  km_case("flat-half-then-drop", c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 0, 1, 1)),
  km_case("flat-half-to-end", c(1, 2, 3, 4), c(1, 1, 0, 0)),
  km_case("flat-half-to-end-8", c(1, 2, 3, 4, 5, 6, 7, 8), c(1, 1, 1, 1, 0, 0, 0, 0)),
  km_case("all-events", c(3, 1, 2), c(1, 1, 1), times = c(0.5, 2, 3)),
  km_case("all-events-log-log", c(3, 1, 2), c(1, 1, 1), conf.type = "log-log"),
  km_case("all-events-plain", c(3, 1, 2), c(1, 1, 1), conf.type = "plain"),
  km_case("unsorted-ties", c(6, 2, 1, 2, 5, 3, 4, 5), c(0, 0, 1, 1, 1, 1, 0, 1), times = c(0, 1.5, 2, 6, 7)),
  km_case("censored-first-log-log", c(1, 2, 2, 3, 4, 5, 5, 6), c(0, 1, 0, 1, 0, 1, 1, 0),
          conf.type = "log-log", times = c(0.5, 1)),
  km_case("single-event", c(5), c(1)),
  km_case("all-censored", c(5, 5, 5), c(0, 0, 0)),
  km_case("identical-times", c(4, 4, 4, 4), c(1, 0, 1, 1)),
  km_case("beyond-end-at-zero", c(1, 2, 3), c(1, 0, 1), times = c(2.5, 3, 4, 10)),
  km_case("beyond-end-above-zero", c(1, 2, 3, 4), c(1, 0, 1, 0), times = c(3, 4, 5),
          conf.type = "log-log")
)

# Case weights. Non-integer weights on right-censored data: survfit's default variance is
# the robust (infinitesimal jackknife) one; integer weights or (start, stop] data: the
# Greenwood / Nelson-Aalen formulas on weighted counts.
w_lung <- 0.25 + (lung$age %% 7) / 3          # non-integer, 0.25 .. 2.25
w_lung_int <- lung$age %% 3                    # integers with zeros
w_heart <- 0.5 + (seq_len(nrow(heart)) %% 5) / 4
hand_t <- c(6, 2, 1, 2, 5, 3, 4, 5, 2, 7)
hand_s <- c(0, 1, 1, 1, 1, 1, 0, 1, 0, 1)
hand_w <- c(1.5, 0.3, 2, 0, 1.25, 0.7, 0, 2.5, 1.1, 0.4)
weighted <- list(
  km_case("w-lung-nonint", lung$time, lung$status == 2, weights = w_lung,
          times = c(0, 180, 365, 730, 2000)),
  km_case("w-lung-nonint-log-log", lung$time, lung$status == 2, weights = w_lung,
          conf.type = "log-log", times = c(365), tau = 365),
  km_case("w-lung-nonint-greenwood", lung$time, lung$status == 2, weights = w_lung,
          robust = FALSE, conf.type = "plain", times = c(365)),
  km_case("w-lung-int-zeros", lung$time, lung$status == 2, weights = w_lung_int,
          times = c(365, 730)),
  km_case("w-lung-int-robust", lung$time, lung$status == 2, weights = w_lung_int,
          robust = TRUE),
  km_case("w-all-two", hand_t, hand_s, weights = rep(2, 10), times = c(2, 8)),
  km_case("w-hand-ties-zeros", hand_t, hand_s, weights = hand_w, times = c(2, 5, 8)),
  km_case("w-hand-ties-zeros-greenwood", hand_t, hand_s, weights = hand_w, robust = FALSE,
          conf.type = "log-log"),
  km_case("w-heart-delayed-entry", heart$stop, heart$event, entry = heart$start,
          weights = w_heart, times = c(10, 100, 1000)),
  km_case("w-start-stop-hand", c(2, 3, 4, 5), c(1, 0, 1, 0), entry = c(0, 1, 1, 2),
          weights = c(1, 3, 0.5, 2), times = c(2, 4, 6))
)
cases <- c(cases, weighted)
dir.create("crates/survkit-core/tests/fixtures", showWarnings = FALSE)
writeLines(toJSON(cases, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
           "crates/survkit-core/tests/fixtures/km_golden.json")
