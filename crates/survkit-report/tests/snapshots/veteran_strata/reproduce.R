# Reproduces survkit 0.1.0's analysis of "veteran.csv" with R's survival package.
# Run it in the folder of the data file:   Rscript this-script.R [data file] [output.json]
# It prints R's results; with the jsonlite package installed it also writes them as JSON.
# Conventions: Kaplan–Meier with Greenwood variance; 90% confidence intervals by no transformation (plain); medians by R's rule; median follow-up by reverse Kaplan–Meier; Cox ties: Efron; 1 month = 30.4375 days, 1 year = 365.25 days.

library(survival)
args <- commandArgs(trailingOnly = TRUE)
file <- if (length(args) >= 1) args[1] else "veteran.csv"
out_json <- if (length(args) >= 2) args[2] else "survkit-r.json"

# 1. Read the file as survkit read it.
d <- read.csv(file, sep = ",", dec = ".", header = TRUE, fileEncoding = "UTF-8-BOM", na.strings = c("", "NA", "na", "N/A", "n/a", "NaN", "NAN", "nan", ".", "-", "null", "NULL", "missing", "MISSING"),
              strip.white = TRUE, check.names = FALSE, stringsAsFactors = FALSE)
# Text of a cell as survkit compares it: trimmed; numbers by value.
survkit_text <- function(x) { x <- trimws(as.character(x)); x[!is.na(x) & x == ""] <- NA; x }
survkit_key <- function(x) {
  t <- survkit_text(x)
  n <- suppressWarnings(as.numeric(t))
  ifelse(is.na(n), tolower(t), as.character(n))
}
# The event coding: an explicit map (1 = event, 0 = censored, NA = leave out), the list of
# event values, or survkit's guess (0/1 with 1 = event; R's 1/2 with 2 = event; words).
survkit_event <- function(x, values = NULL, map = NULL) {
  k <- survkit_key(x)
  ev <- rep(NA_integer_, length(k))
  if (!is.null(values) || length(map) > 0) {
    if (!is.null(values)) ev[!is.na(k)] <- as.integer(k[!is.na(k)] %in% survkit_key(values))
    for (v in names(map)) ev[!is.na(k) & k == survkit_key(v)] <- map[[v]]
    return(ev)
  }
  n <- suppressWarnings(as.numeric(unique(k[!is.na(k)])))
  n <- n[!is.na(n)]
  zero_one <- (0 %in% n) || !(2 %in% n)
  x <- suppressWarnings(as.numeric(k))
  if (zero_one) { ev[!is.na(x) & x == 0] <- 0L; ev[!is.na(x) & x == 1] <- 1L }
  else { ev[!is.na(x) & x == 1] <- 0L; ev[!is.na(x) & x == 2] <- 1L }
  ev[is.na(x) & k %in% c("dead", "deceased", "died", "death", "event", "true", "t", "yes", "y", "progressed", "progression", "relapse", "relapsed", "recurrence", "recurred", "failure", "failed")] <- 1L
  ev[is.na(x) & k %in% c("alive", "censored", "censor", "living", "false", "f", "no", "n", "no event", "event-free", "event free", "alive and well")] <- 0L
  ev
}
survkit_date <- function(x) as.Date(survkit_text(x), tryFormats = c("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d"), optional = TRUE)

keep <- rep(TRUE, nrow(d))

results <- list()

# ==== Endpoint 1: time
# 2. Follow-up time and event, as survkit prepared them.
time <- suppressWarnings(as.numeric(d[["time"]]))
status <- survkit_event(d[["status"]], values = c("1"), map = NULL)
ok <- keep & !is.na(time) & !is.na(status) & time >= 0
group <- factor(survkit_text(d[["celltype"]]), levels = c("adeno", "large", "smallcell", "squamous"))
ok <- ok & !is.na(group)
strata_var <- factor(survkit_text(d[["trt"]]))
ok <- ok & !is.na(strata_var)
e <- data.frame(time = time, status = status)
e$group <- group
e$strata_var <- strata_var
e[["karno"]] <- suppressWarnings(as.numeric(d[["karno"]]))
e[["celltype"]] <- relevel(factor(survkit_text(d[["celltype"]]), levels = c("adeno", "large", "smallcell", "squamous")), ref = "adeno")
e <- e[ok, , drop = FALSE]
cat("\n==== time: n =", nrow(e), ", events =", sum(e$status), "\n")

# 3. Kaplan-Meier: medians, quantiles.
fit <- survfit(Surv(time, status) ~ group, data = e, conf.type = "plain", conf.int = 0.9)
print(fit)
qs <- quantile(fit, probs = c(0.25, 0.5, 0.75))
print(qs)
print(fit, rmean = 200)  # restricted mean survival time
tab <- summary(fit, rmean = 200)$table
if (is.null(dim(tab))) tab <- t(as.matrix(tab))
lev <- if (is.null(fit$strata)) "all" else sub("^group=", "", names(fit$strata))
medians <- data.frame(group = lev, n = unname(tab[, "records"]), events = unname(tab[, "events"]),
                      median = unname(tab[, "median"]), lower = unname(tab[, grep("LCL$", colnames(tab))]),
                      upper = unname(tab[, grep("UCL$", colnames(tab))]), rmean = unname(tab[, "rmean"]))
at_times <- NULL

# 4. Median follow-up by reverse Kaplan-Meier (censoring as the event).
fu_fit <- survfit(Surv(time, 1 - status) ~ 1, data = e, conf.type = "plain", conf.int = 0.9)
fu <- quantile(fu_fit, probs = 0.5)
followup <- list(median = unname(fu$quantile), lower = unname(fu$lower), upper = unname(fu$upper))
cat("Median follow-up:", followup$median, "(", followup$lower, "-", followup$upper, ")\n")

# 5. Tests comparing the groups.
tests <- list()
sd <- survdiff(Surv(time, status) ~ group + strata(strata_var), data = e, rho = 0)
print(sd)
tests[[length(tests) + 1]] <- list(method = "log-rank", chisq = sd$chisq, df = length(sd$n) - 1, p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))

# 6. Cox proportional-hazards models.
cox_terms <- function(m, level) {
  sm <- summary(m, conf.int = level)
  ci <- sm$conf.int
  data.frame(term = rownames(sm$coefficients), hr = unname(ci[, 1]),
             lower = unname(ci[, 3]), upper = unname(ci[, 4]), p = unname(sm$coefficients[, ncol(sm$coefficients)]))
}
univariable <- list()
multivariable <- NULL
m <- coxph(Surv(time, status) ~ `karno` + strata(strata_var), data = e, ties = "efron")
print(m)
univariable[["karno"]] <- cox_terms(m, 0.95)
m <- coxph(Surv(time, status) ~ `celltype` + strata(strata_var), data = e, ties = "efron")
print(m)
univariable[["celltype"]] <- cox_terms(m, 0.95)
m <- coxph(Surv(time, status) ~ `karno` + `celltype` + strata(strata_var), data = e, ties = "efron")
print(summary(m, conf.int = 0.95))
multivariable <- cox_terms(m, 0.95)
results[[1]] <- list(name = "time", n = nrow(e), events = sum(e$status), medians = medians, at_times = at_times,
                     followup = followup, tests = tests, univariable = univariable, multivariable = multivariable)

if (requireNamespace("jsonlite", quietly = TRUE)) {
  writeLines(jsonlite::toJSON(list(endpoints = results), digits = NA, auto_unbox = TRUE, na = "null", dataframe = "rows"), out_json)
  cat("\nNumbers written to", out_json, "\n")
}
