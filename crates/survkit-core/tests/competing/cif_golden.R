# Expected Aalen–Johansen numbers from R survival's survfit (multi-state, infinitesimal
# jackknife std.err, log CI) and cmprsk::cuminc (variance), for
# tests/competing_cif_against_r.rs. Run from the repository root:
#   Rscript crates/survkit-core/tests/competing/cif_golden.R
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11, jsonlite. Writes cif_golden.json and
# mgus2.csv beside this script.
library(survival)
library(cmprsk)
library(jsonlite)
dir <- "crates/survkit-core/tests/competing"
source(file.path(dir, "cohorts.R"))
arr <- function(x) I(as.vector(x))
na_fix <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }

m <- mgus2_cr()
write.csv(m, file.path(dir, "mgus2.csv"), row.names = FALSE)

# One case: survfit by group, every column; summary at `times`; cuminc's variance at
# each group's distinct times (when unweighted and without delayed entry).
cif_case <- function(name, d, K, grouped = TRUE, weighted = FALSE, entry = FALSE,
                     times = numeric(0), conf.int = 0.95, data_ref = NULL) {
  st <- factor(d$cause, levels = 0:K)
  g <- if (grouped) d$group else rep(0, nrow(d))
  y <- if (entry) Surv(d$entry, d$time, st) else Surv(d$time, st)
  w <- if (weighted) d$weight else NULL
  # Each row its own subject (survfit needs an id with (start, stop] data).
  f <- survfit(y ~ g, weights = w, conf.int = conf.int, id = seq_along(g))
  if (is.null(f$strata)) f$strata <- c("g=0" = length(f$time))
  ends <- cumsum(f$strata); begins <- ends - f$strata + 1
  levs <- sort(unique(g))
  groups <- lapply(seq_along(levs), function(s) {
    r <- begins[s]:ends[s]
    gi <- levs[s]
    one <- list(group = gi, time = arr(f$time[r]), n_risk = arr(f$n.risk[r, 1]),
      n_event = arr(rowSums(f$n.event[r, -1, drop = FALSE])), n_censor = arr(f$n.censor[r]),
      surv = arr(f$pstate[r, 1]), surv_std_err = arr(f$std.err[r, 1]),
      surv_lower = arr(na_fix(f$lower[r, 1])), surv_upper = arr(na_fix(f$upper[r, 1])),
      cif = lapply(1:K, function(k) arr(f$pstate[r, k + 1])),
      std_err = lapply(1:K, function(k) arr(f$std.err[r, k + 1])),
      lower = lapply(1:K, function(k) arr(na_fix(f$lower[r, k + 1]))),
      upper = lapply(1:K, function(k) arr(na_fix(f$upper[r, k + 1]))))
    if (length(times) > 0) {
      sub <- d[g == gi, ]
      ys <- if (entry) Surv(sub$entry, sub$time, factor(sub$cause, levels = 0:K))
            else Surv(sub$time, factor(sub$cause, levels = 0:K))
      fs <- survfit(ys ~ 1, weights = if (weighted) sub$weight else NULL, conf.int = conf.int,
                    id = seq_len(nrow(sub)))
      s <- summary(fs, times = times[times <= max(fs$time)])
      one$at_times <- list(time = arr(s$time), n_risk = arr(s$n.risk[, 1]),
        cif = lapply(1:K, function(k) arr(s$pstate[, k + 1])),
        std_err = lapply(1:K, function(k) arr(s$std.err[, k + 1])),
        lower = lapply(1:K, function(k) arr(na_fix(s$lower[, k + 1]))),
        upper = lapply(1:K, function(k) arr(na_fix(s$upper[, k + 1]))))
    }
    if (!weighted && !entry) {
      sub <- d[g == gi, ]
      ci <- cuminc(sub$time, sub$cause, cencode = 0)
      ut <- f$time[r]
      one$cuminc_var <- lapply(1:K, function(k) {
        nm <- paste("1", k)
        if (is.null(ci[[nm]])) return(arr(rep(0, length(ut))))
        tp <- timepoints(ci[nm], ut)
        v <- as.vector(tp$var); v[is.na(v)] <- NA
        arr(v)
      })
    }
    one
  })
  list(name = name, data = if (is.null(data_ref)) list(time = arr(d$time), cause = arr(d$cause),
         group = arr(g), weight = if (weighted) arr(d$weight) else NULL,
         entry = if (entry) arr(d$entry) else NULL) else data_ref,
       n_causes = K, grouped = grouped, weighted = weighted, delayed = entry,
       conf_level = conf.int, times = arr(times), expected = groups)
}

syn <- synthetic()
dl <- delayed()
cases <- list(
  cif_case("synthetic, one group", syn, 2, grouped = FALSE, times = c(0.5, 3, 7.5, 20)),
  cif_case("synthetic, three groups", syn, 2, times = c(2, 5, 10)),
  cif_case("synthetic, weighted", syn, 2, weighted = TRUE, times = c(3, 9)),
  cif_case("synthetic, delayed entry", dl, 2, grouped = FALSE, entry = TRUE, times = c(4, 8)),
  cif_case("synthetic, delayed entry, weighted, groups", dl, 2, weighted = TRUE, entry = TRUE),
  cif_case("synthetic, 90% level", syn, 2, grouped = FALSE, conf.int = 0.9),
  cif_case("mgus2", m, 2, grouped = FALSE, times = c(12, 60, 120, 240),
           data_ref = list(csv = "mgus2.csv")),
  cif_case("mgus2 by sex", transform(m, group = sex), 2, times = c(60, 120),
           data_ref = list(csv = "mgus2.csv", group = "sex")),
  cif_case("single event", data.frame(time = c(2, 3, 1, 4), cause = c(0, 1, 0, 0)), 1,
           grouped = FALSE),
  cif_case("all events at one time", data.frame(time = c(2, 2, 2), cause = c(1, 2, 1)), 2,
           grouped = FALSE),
  cif_case("three causes with ties", data.frame(time = c(1, 1, 1, 2, 2, 3, 3, 3, 4, 5),
           cause = c(1, 2, 3, 0, 3, 1, 1, 0, 2, 0)), 3, grouped = FALSE, times = c(2.5))
)
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(dir, "cif_golden.json"))
