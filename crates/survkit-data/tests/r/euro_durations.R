# Expected endpoint data for prepare_against_r: R reads the European export
# (semicolon, decimal comma, Windows-1252, DD.MM.YYYY, Dead/Alive) and computes the
# durations in days and months (30.4375 days) and the status as Surv() would see it.
# Run from crates/survkit-data/tests: Rscript r/euro_durations.R
library(jsonlite)
d <- read.csv2("fixtures/euro_1252.csv", fileEncoding = "windows-1252", stringsAsFactors = FALSE)
dx <- as.Date(d$dx_date, format = "%d.%m.%Y")
last <- as.Date(d$last_date, format = "%d.%m.%Y")
days <- as.numeric(last - dx)
status <- as.integer(tolower(d$vital) == "dead")
library(survival)
fit <- survfit(Surv(days / 30.4375, status) ~ 1)
out <- list(
  days = days,
  months = days / 30.4375,
  status = status,
  age = d$age,
  median_months = unname(summary(fit)$table["median"])
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), "fixtures/euro_durations_r.json")
