# Golden numbers for crates/survkit-core/tests/compare_peto.rs: the SAS/Stata Peto-Peto
# weights, which R's survdiff does not offer. R 4.2.2. Run from the repo root:
#   Rscript crates/survkit-core/tests/r/compare_peto.R
# The weighted log-rank statistic is written out from its published formula (Klein &
# Moeschberger 2003, section 7.3): at each event time t_j (within stratum)
#   U_g += w_j (d_gj - d_j n_gj / n_j)
#   V_gh += w_j^2 d_j (n_j - d_j)/(n_j - 1) (n_gj/n_j)(delta_gh - n_hj/n_j)
# chisq = U' V^- U over the first k-1 groups, summed over strata, with
#   peto:    w_j = prod_{t_i <= t_j} (1 - d_i/(n_i + 1))     (SAS TEST=PETO, Stata peto)
#   modpeto: w_j = that * n_j/(n_j + 1)                      (SAS TEST=MODPETO)
#   km:      w_j = KM S(t_j-)                                (R survdiff(rho = 1), a check)
library(survival)
library(jsonlite)
wlr <- function(time, status, group, strata, weight) {
  lev <- sort(unique(group)); k <- length(lev)
  U <- rep(0, k); V <- matrix(0, k, k)
  for (s in unique(strata)) {
    i <- strata == s
    tt <- time[i]; dd <- status[i]; gg <- match(group[i], lev)
    S <- 1; Skm <- 1
    for (t in sort(unique(tt[dd == 1]))) {
      n <- sum(tt >= t); d <- sum(tt == t & dd == 1)
      ng <- tabulate(gg[tt >= t], k); dg <- tabulate(gg[tt == t & dd == 1], k)
      S <- S * (1 - d / (n + 1))
      w <- switch(weight, peto = S, modpeto = S * n / (n + 1), km = Skm)
      U <- U + w * (dg - d * ng / n)
      if (n > 1) V <- V + w^2 * d * (n - d) / (n - 1) * (diag(ng / n) - outer(ng, ng) / n^2)
      Skm <- Skm * (1 - d / n)
    }
  }
  j <- 1:(k - 1)
  drop(t(U[j]) %*% solve(V[j, j, drop = FALSE]) %*% U[j])
}
w <- read.csv("crates/survkit-core/tests/data/whas500.csv")
w$agegrp <- cut(w$age, c(0, 60, 75, 200), labels = FALSE)
one <- rep(1, nrow(w))
cases <- list()
add <- function(name, group, strata) {
  r <- list(name = name)
  for (wt in c("peto", "modpeto", "km")) r[[wt]] <- wlr(w$lenfol, w$fstat, group, strata, wt)
  # The KM-weighted form must reproduce survdiff(rho = 1).
  f <- if (all(strata == 1)) survdiff(Surv(w$lenfol, w$fstat) ~ group, rho = 1) else
    survdiff(Surv(w$lenfol, w$fstat) ~ group + strata(strata), rho = 1)
  stopifnot(abs(r$km - f$chisq) < 1e-8 * f$chisq)
  cases[[length(cases) + 1]] <<- r
}
add("whas500_afb", w$afb, one)
add("whas500_afb_by_gender", w$afb, w$gender)
add("whas500_agegrp", w$agegrp, one)
writeLines(toJSON(cases, digits = NA, auto_unbox = TRUE),
           "crates/survkit-core/tests/fixtures/compare_peto.json")
