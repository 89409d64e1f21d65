# Gray's test on small data WITHOUT tied times (cmprsk::cuminc $Tests), for the unit
# tests in src/competing/gray.rs: survkit's variance reproduces cmprsk exactly when no
# two rows share a time; tied times are not yet reproduced (docs/competing.md). Cases where
# cmprsk reports stat = -1 (its flag for a singular variance) are redrawn.
# Run from the repository root:
#   Rscript crates/survkit-core/tests/competing/gray_untied_golden.R
# R 4.2.2, cmprsk 2.2-11, jsonlite. Writes gray_untied_golden.json beside this script.
library(cmprsk)
library(jsonlite)
dir <- "crates/survkit-core/tests/competing"
set.seed(20261203)
cases <- list()
specs <- expand.grid(G = c(2, 3), strat = c(FALSE, TRUE), rho = c(0, 0.5, 1), rep = 1:3)
for (i in seq_len(nrow(specs))) {
  s <- specs[i, ]
  repeat {
    n <- sample(12:30, 1)
    time <- sample(1:(3 * n), n) / 2   # distinct times
    cause <- sample(0:2, n, TRUE, prob = c(0.3, 0.4, 0.3))
    group <- sample(0:(s$G - 1), n, TRUE)
    stratum <- if (s$strat) sample(0:1, n, TRUE) else rep(0L, n)
    ci <- tryCatch(if (s$strat) cuminc(time, cause, group, stratum, rho = s$rho)
                   else cuminc(time, cause, group, rho = s$rho), error = function(e) NULL)
    if (!is.null(ci) && nrow(ci$Tests) == 2 && all(is.finite(ci$Tests[, "stat"])) && all(ci$Tests[, "stat"] >= 0)) break
  }
  tst <- ci$Tests
  cases[[i]] <- list(name = sprintf("untied %d: G=%d strat=%s rho=%g", i, s$G, s$strat, s$rho),
    rho = s$rho, stratified = s$strat, time = I(time), cause = I(cause), group = I(group),
    stratum = I(stratum),
    expected = lapply(1:2, function(k) list(cause = k, stat = tst[k, "stat"], pv = tst[k, "pv"],
                                            df = tst[k, "df"])))
}
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE), file.path(dir, "gray_untied_golden.json"))
