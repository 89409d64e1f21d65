# Expected group-comparison numbers for tests/compare_against_r.rs.
# Run from the repository root (R 4.2.2, survival 3.5-3, jsonlite):
#   Rscript crates/survkit-core/tests/r/compare_golden.R
# Writes crates/survkit-core/tests/fixtures/compare_golden.json.
#
# Sources of the expected numbers:
# - log-rank and Peto–Peto (rho = 1): survival::survdiff (chisq, obs, exp, var);
# - Gehan–Breslow, Tarone–Ware, Fleming–Harrington G(rho, gamma): survdiff has no such
#   weights, so `weighted_test` below computes them from the textbook formulas
#   (Klein & Moeschberger 2003, eq. 7.3.3–7.3.4) directly in R; the script first checks
#   that this code reproduces survdiff for rho = 0 and rho = 1 on the same data;
# - trend: (s'(O − E))² / (s' V s) with survdiff's O, E and V;
# - pairwise: survdiff on each pair of groups, then stats::p.adjust;
# - hazard ratios: Prism's log-rank and Mantel–Haenszel formulas on survdiff's O, E, V;
# - RMST difference: print(survfit(...), rmean = tau) per group (rmean, se(rmean)).
library(survival)
library(jsonlite)
rs <- function(x) if (is.matrix(x)) rowSums(x) else x  # stratified survdiff: group × stratum
arr <- function(x) if (is.null(x)) NULL else I(as.vector(x))

weighted_test <- function(time, status, group, strata, wfun) {
  G <- nlevels(group); O <- rep(0, G); E <- rep(0, G); V <- matrix(0, G, G)
  for (s in unique(strata)) {
    k <- strata == s; t <- time[k]; d <- status[k]; g <- group[k]
    ut <- sort(unique(t[d == 1]))
    km <- survfit(Surv(t, d) ~ 1)
    for (u in ut) {
      n <- sum(t >= u); dd <- sum(t == u & d == 1)
      sm <- if (u <= min(km$time)) 1 else km$surv[max(which(km$time < u))]
      w <- wfun(n, sm)
      ng <- as.vector(table(factor(g[t >= u], levels = levels(group))))
      dg <- as.vector(table(factor(g[t == u & d == 1], levels = levels(group))))
      O <- O + w * dg; E <- E + w * dd * ng / n
      if (n > 1) V <- V + w^2 * dd * (n - dd) / (n - 1) / n * (diag(ng) - outer(ng, ng) / n)
    }
  }
  keep <- which(diag(V) > 0)
  x <- (O - E)[keep]; VV <- V[keep, keep, drop = FALSE]
  m <- length(keep) - 1
  chisq <- drop(t(x[1:m]) %*% solve(VV[1:m, 1:m, drop = FALSE], x[1:m]))
  list(obs = O, exp = E, var = V, chisq = chisq, df = m)
}

cases <- list()
add <- function(name, time, status, group, strata = NULL, trend = FALSE,
                hr = NULL, rmst = NULL) {
  status <- as.numeric(status); group <- droplevels(as.factor(group))
  st <- if (is.null(strata)) rep(1, length(time)) else as.integer(as.factor(strata))
  tests <- list()
  w <- list(
    "log-rank" = function(n, s) 1, "peto-peto" = function(n, s) s,
    "gehan-breslow" = function(n, s) n, "tarone-ware" = function(n, s) sqrt(n),
    "fh-1-1" = function(n, s) s * (1 - s), "fh-0-1" = function(n, s) 1 - s,
    "fh-0.5-2" = function(n, s) s^0.5 * (1 - s)^2)
  for (nm in names(w)) {
    r <- weighted_test(time, status, group, st, w[[nm]])
    if (nm %in% c("log-rank", "peto-peto")) {
      rho <- if (nm == "log-rank") 0 else 1
      f <- if (is.null(strata)) Surv(time, status) ~ group else
        Surv(time, status) ~ group + strata(st)
      sd <- survdiff(f, rho = rho)
      obs <- rs(sd$obs)
      stopifnot(all.equal(r$chisq, sd$chisq, tolerance = 1e-10),
                all.equal(unname(r$exp), unname(rs(sd$exp)), tolerance = 1e-10),
                all.equal(unname(r$obs), unname(obs), tolerance = 1e-10))
      r <- list(obs = obs, exp = rs(sd$exp), var = sd$var, chisq = sd$chisq,
                df = length(sd$n) - 1)
    }
    tests[[nm]] <- list(method = nm, chisq = r$chisq, df = r$df,
      p = pchisq(r$chisq, r$df, lower.tail = FALSE),
      observed = arr(unname(r$obs)), expected = arr(unname(r$exp)),
      variance = unname(r$var))
  }
  tr <- NULL
  if (trend) {
    sd <- if (is.null(strata)) survdiff(Surv(time, status) ~ group) else
      survdiff(Surv(time, status) ~ group + strata(st))
    obs <- rs(sd$obs)
    s <- seq_along(levels(group)); u <- sum(s * (obs - rs(sd$exp)))
    ch <- u^2 / drop(t(s) %*% sd$var %*% s)
    tr <- list(statistic = u, chisq = ch, p = pchisq(ch, 1, lower.tail = FALSE))
  }
  lev <- levels(group); pw <- list()
  pairs <- combn(length(lev), 2)
  praw <- c()
  for (j in seq_len(ncol(pairs))) {
    a <- pairs[1, j]; b <- pairs[2, j]; k <- group %in% lev[c(a, b)]
    f <- if (is.null(strata)) Surv(time[k], status[k]) ~ droplevels(group[k]) else
      Surv(time[k], status[k]) ~ droplevels(group[k]) + strata(st[k])
    sd <- survdiff(f)
    praw <- c(praw, pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))
    pw[[j]] <- list(group_a = a - 1, group_b = b - 1, chisq = sd$chisq)
  }
  for (m in c("none", "bonferroni", "holm", "BH")) {
    adj <- p.adjust(praw, m)
    for (j in seq_along(pw)) { pw[[j]]$p <- praw[j]; pw[[j]][[tolower(m)]] <- adj[j] }
  }
  hro <- NULL
  if (!is.null(hr)) {  # hr = c(group, reference), 1-based level numbers
    k <- group %in% lev[hr]
    g2 <- factor(group[k], levels = lev[hr])
    f <- if (is.null(strata)) Surv(time[k], status[k]) ~ g2 else
      Surv(time[k], status[k]) ~ g2 + strata(st[k])
    sd <- survdiff(f)
    obs <- rs(sd$obs)
    z <- qnorm(0.975)
    lhr <- log((obs[1] / rs(sd$exp)[1]) / (obs[2] / rs(sd$exp)[2]))
    se <- sqrt(1 / rs(sd$exp)[1] + 1 / rs(sd$exp)[2])
    mh <- (obs[1] - rs(sd$exp)[1]) / sd$var[1, 1]
    hro <- list(group = hr[1] - 1, reference = hr[2] - 1,
      logrank = list(estimate = exp(lhr), lower = exp(lhr - z * se), upper = exp(lhr + z * se)),
      mantel_haenszel = list(estimate = exp(mh), lower = exp(mh - z / sqrt(sd$var[1, 1])),
                             upper = exp(mh + z / sqrt(sd$var[1, 1]))))
  }
  rd <- NULL
  if (!is.null(rmst)) {  # rmst = list(groups = c(a, b), tau = NULL or number)
    a <- rmst$groups[1]; b <- rmst$groups[2]
    ka <- group == lev[a]; kb <- group == lev[b]
    tau <- if (is.null(rmst$tau)) min(max(time[ka]), max(time[kb])) else rmst$tau
    ta <- summary(survfit(Surv(time[ka], status[ka]) ~ 1), rmean = tau)$table
    tb <- summary(survfit(Surv(time[kb], status[kb]) ~ 1), rmean = tau)$table
    dif <- ta["rmean"] - tb["rmean"]; se <- sqrt(ta["se(rmean)"]^2 + tb["se(rmean)"]^2)
    rd <- list(group = a - 1, reference = b - 1, tau_given = rmst$tau, tau = tau,
      rmst_group = unname(ta["rmean"]), se_group = unname(ta["se(rmean)"]),
      rmst_reference = unname(tb["rmean"]), se_reference = unname(tb["se(rmean)"]),
      difference = unname(dif), se = unname(se), lower = unname(dif - qnorm(0.975) * se),
      upper = unname(dif + qnorm(0.975) * se), p = unname(2 * pnorm(-abs(dif / se))))
  }
  cases[[length(cases) + 1]] <<- list(
    name = name, time = arr(time), status = arr(status == 1),
    group = arr(as.integer(group) - 1), n_groups = nlevels(group),
    strata = if (is.null(strata)) NULL else arr(st - 1),
    tests = unname(tests), trend = tr, pairwise = pw, hazard_ratio = hro, rmst_difference = rd)
}

d <- "tests/data"
lung <- read.csv(file.path(d, "lung.csv"))
veteran <- read.csv(file.path(d, "veteran.csv"))
ovarian <- read.csv(file.path(d, "ovarian.csv"))
aml <- read.csv(file.path(d, "aml.csv"))
pbc <- read.csv(file.path(d, "pbc.csv"))
colon <- read.csv(file.path(d, "colon.csv"))
rats <- read.csv(file.path(d, "rats.csv"))
colon_death <- colon[colon$etype == 2, ]
pbc_stage <- pbc[!is.na(pbc$stage), ]

add("lung-sex", lung$time, lung$status == 2, lung$sex, hr = c(2, 1),
    rmst = list(groups = c(2, 1), tau = NULL))
add("lung-sex-rmst365", lung$time, lung$status == 2, lung$sex,
    rmst = list(groups = c(2, 1), tau = 365))
add("veteran-celltype", veteran$time, veteran$status,
    factor(veteran$celltype, levels = c("squamous", "smallcell", "adeno", "large")),
    trend = TRUE)
add("veteran-celltype-by-trt", veteran$time, veteran$status,
    factor(veteran$celltype, levels = c("squamous", "smallcell", "adeno", "large")),
    strata = veteran$trt, trend = TRUE, hr = c(3, 1))
add("ovarian-rx", ovarian$futime, ovarian$fustat, ovarian$rx, hr = c(2, 1),
    rmst = list(groups = c(2, 1), tau = 700))
add("aml-x", aml$time, aml$status, aml$x, hr = c(2, 1), rmst = list(groups = c(2, 1), tau = NULL))
add("pbc-stage", pbc_stage$time, pbc_stage$status == 2, pbc_stage$stage, trend = TRUE)
add("colon-rx-by-sex", colon_death$time, colon_death$status,
    factor(colon_death$rx, levels = c("Obs", "Lev", "Lev+5FU")), strata = colon_death$sex,
    trend = TRUE, hr = c(3, 1))
add("rats-rx-by-sex", rats$time, rats$status, rats$rx, strata = rats$sex, hr = c(2, 1))
add("tiny-no-events-in-one-group", c(1, 2, 3, 4, 5, 6), c(1, 1, 0, 0, 0, 0),
    c("a", "a", "a", "b", "b", "b"))
writeLines(toJSON(cases, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
           "crates/survkit-core/tests/fixtures/compare_golden.json")
