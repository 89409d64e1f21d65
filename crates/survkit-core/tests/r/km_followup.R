# Expected median follow-up (reverse Kaplan–Meier) for tests/km_followup_against_r.rs.
# Run from the repository root (R 4.2.2, survival 3.5-3, jsonlite):
#   Rscript crates/survkit-core/tests/r/km_followup.R
library(survival)
library(jsonlite)
arr <- function(x) I(as.vector(x))
na1 <- function(x) { x <- unname(x); if (length(x) == 0 || !is.finite(x)) NA else x }
fu <- function(name, time, status, conf.type = "log") {
  status <- as.numeric(status)
  f <- survfit(Surv(time, 1 - status) ~ 1, conf.type = conf.type)
  tab <- summary(f)$table
  list(name = name, time = arr(time), status = arr(status == 1), conf_type = conf.type,
       expected = list(median = na1(tab["median"]), lower = na1(tab[grep("LCL$", names(tab))]),
                       upper = na1(tab[grep("UCL$", names(tab))]), min = min(time),
                       max = max(time),
                       median_censored = if (any(status == 0)) median(time[status == 0]) else NA))
}
d <- "tests/data"
lung <- read.csv(file.path(d, "lung.csv")); veteran <- read.csv(file.path(d, "veteran.csv"))
ovarian <- read.csv(file.path(d, "ovarian.csv")); aml <- read.csv(file.path(d, "aml.csv"))
pbc <- read.csv(file.path(d, "pbc.csv")); colon <- read.csv(file.path(d, "colon.csv"))
rats <- read.csv(file.path(d, "rats.csv")); colon <- colon[colon$etype == 2, ]
cases <- list(
  fu("lung", lung$time, lung$status == 2),
  fu("lung-log-log", lung$time, lung$status == 2, "log-log"),
  fu("veteran", veteran$time, veteran$status),
  fu("ovarian-plain", ovarian$futime, ovarian$fustat, "plain"),
  fu("aml", aml$time, aml$status),
  fu("pbc", pbc$time, pbc$status == 2),
  fu("colon", colon$time, colon$status),
  fu("rats", rats$time, rats$status),
  fu("tiny-ties", c(1, 2, 2, 3, 4), c(1, 1, 0, 0, 1)))
writeLines(toJSON(cases, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
           "crates/survkit-core/tests/fixtures/km_followup.json")
