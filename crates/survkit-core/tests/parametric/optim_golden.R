# Golden numbers for crates/survkit-core/tests/parametric_optim.rs: models survreg does
# not fit (Gompertz, generalized gamma, left truncation, the Weibull in its PH
# parameterisation), fitted here by maximising the log-likelihood written out below
# with optim (BFGS) and polished by Newton steps on numerical derivatives; standard
# errors from numDeriv::hessian (Richardson extrapolation; r-cran-numderiv). flexsurv is not available (Debian has no r-cran-flexsurv).
# R 4.2.2, survival 3.5-3. Run from the repository root:
#   Rscript crates/survkit-core/tests/parametric/optim_golden.R
library(survival)
library(jsonlite)
lung <- read.csv("tests/data/lung.csv")
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
lung$status <- lung$status - 1
veteran <- read.csv("tests/data/veteran.csv")
veteran$celltype <- factor(veteran$celltype, levels = c("squamous", "smallcell", "adeno", "large"))

numgrad <- function(f, p, ps) sapply(seq_along(p), function(j) {
  h <- 1e-4 * ps[j]; e <- replace(numeric(length(p)), j, h)
  (f(p + e) - f(p - e)) / (2 * h)
})
fitml <- function(nll, start, parscale) {
  o <- list(par = start)
  for (r in 1:3) o <- optim(o$par, nll, method = "BFGS",
                            control = list(reltol = 1e-16, maxit = 50000, parscale = parscale))
  p <- o$par
  for (i in 1:8) {
    H <- optimHess(p, nll, control = list(parscale = parscale))
    step <- solve(H, numgrad(nll, p, parscale))
    if (!is.finite(nll(p - step)) || nll(p - step) > nll(p)) break
    p <- p - step
  }
  H <- numDeriv::hessian(nll, p)  # Richardson extrapolation: accurate SEs
  se <- sqrt(diag(solve(H)))
  # Gradient times SE: how far (in SEs, to first order) the optimum may be off.
  list(par = unname(p), loglik = -nll(p), se = unname(se),
       max_abs_grad = max(abs(numgrad(nll, p, parscale) * se)))
}

# Log-likelihood pieces. y = log t; z = (y - eta)/sigma.
ll_gompertz <- function(t, d, eta, a, t0 = 0) {
  g <- function(tt) {
    aa <- rep_len(a, length(tt))
    ifelse(abs(aa) < 1e-12, tt, expm1(aa * tt) / aa)
  }
  d * (eta + a * t) - exp(eta) * (g(t) - g(t0))
}
logS_gg <- function(z, Q) {
  if (abs(Q) < 1e-8) return(pnorm(z, lower.tail = FALSE, log.p = TRUE))
  a <- 1 / Q^2; u <- a * exp(Q * z)
  pgamma(u, a, lower.tail = Q < 0, log.p = TRUE)
}
logf_gg <- function(z, Q) {
  if (abs(Q) < 1e-8) return(dnorm(z, log = TRUE))
  a <- 1 / Q^2
  log(abs(Q)) + a * log(a) + a * (Q * z - exp(Q * z)) - lgamma(a)
}
ll_gg <- function(t, d, eta, sigma, Q, t0 = 0) {
  z <- (log(t) - eta) / sigma
  out <- ifelse(d == 1, logf_gg(z, Q) - log(sigma) - log(t), logS_gg(z, Q))
  tr <- t0 > 0
  sigma <- rep_len(sigma, length(t))
  if (any(tr)) out[tr] <- out[tr] - logS_gg((log(t0[tr]) - eta[tr]) / sigma[tr], Q)
  out
}
ll_weibull <- function(t, d, eta, sigma, t0 = 0) {
  z <- (log(t) - eta) / sigma
  out <- ifelse(d == 1, z - exp(z) - log(sigma) - log(t), -exp(z))
  tr <- t0 > 0
  if (any(tr)) out[tr] <- out[tr] + exp((log(t0[tr]) - eta[tr]) / sigma)
  out
}
ll_lognormal <- function(t, d, eta, sigma, t0 = 0) {
  z <- (log(t) - eta) / sigma
  out <- ifelse(d == 1, dnorm(z, log = TRUE) - log(sigma) - log(t),
                pnorm(z, lower.tail = FALSE, log.p = TRUE))
  tr <- t0 > 0
  if (any(tr)) out[tr] <- out[tr] - pnorm((log(t0[tr]) - eta[tr]) / sigma, lower.tail = FALSE, log.p = TRUE)
  out
}

models <- list()
add <- function(name, dist, X, t, d, nll, start, parscale, t0 = NULL, extra = list(),
                strata = NULL, weights = NULL) {
  r <- fitml(nll, start, parscale)
  models[[length(models) + 1]] <<- c(list(
    name = name, dist = dist, n = length(t), p = ncol(X), columns = colnames(X),
    x = as.vector(X), time = t, status = d, entry = t0, strata = strata, weights = weights,
    par = r$par, se = r$se, loglik = r$loglik, max_abs_grad = r$max_abs_grad), extra)
}

X <- as.matrix(lung[, c("age", "sex", "ph.ecog")]); t <- lung$time; d <- lung$status
X1 <- cbind(1, X)
sw <- survreg(Surv(time, status) ~ age + sex + ph.ecog, data = lung)
# Gompertz: h(t) = exp(x beta + a t).
add("lung_gompertz", "gompertz", X, t, d,
    function(p) -sum(ll_gompertz(t, d, X1 %*% p[1:4], p[5])),
    c(log(sum(d) / sum(t)), 0, 0, 0, 0), c(1, 0.01, 0.1, 0.1, 0.001))
# Generalized gamma (mu = x beta, log sigma, Q).
add("lung_gengamma", "generalized_gamma", X, t, d,
    function(p) -sum(ll_gg(t, d, X1 %*% p[1:4], exp(p[5]), p[6])),
    c(coef(sw), log(sw$scale), 1), c(1, 0.01, 0.1, 0.1, 0.1, 0.1))
Xv <- model.matrix(~ trt + karno + celltype + age, veteran)[, -1]
Xv1 <- cbind(1, Xv); tv <- veteran$time; dv <- veteran$status
swv <- survreg(Surv(time, status) ~ trt + karno + celltype + age, data = veteran)
add("veteran_gengamma", "generalized_gamma", Xv, tv, dv,
    function(p) -sum(ll_gg(tv, dv, Xv1 %*% p[1:7], exp(p[8]), p[9])),
    c(coef(swv), log(swv$scale), 1), c(1, 0.1, 0.01, 0.1, 0.1, 0.1, 0.01, 0.1, 0.1))
add("veteran_gompertz", "gompertz", Xv, tv, dv,
    function(p) -sum(ll_gompertz(tv, dv, Xv1 %*% p[1:7], p[8])),
    c(log(sum(dv) / sum(tv)), rep(0, 7)), c(1, 0.1, 0.01, 0.1, 0.1, 0.1, 0.01, 0.001))
# Near Q = 0: log times at exact normal scores (no skewness), 40 right-censored.
n0 <- 200
t0q <- exp(3 + 0.7 * qnorm((seq_len(n0) - 0.5) / n0))
d0q <- as.numeric(seq_len(n0) %% 5 != 0)
g0 <- rep(0:1, length.out = n0)
t0q <- t0q * exp(0.3 * g0)
Xq <- cbind(g = g0)
add("normal_scores_gengamma", "generalized_gamma", Xq, t0q, d0q,
    function(p) -sum(ll_gg(t0q, d0q, cbind(1, Xq) %*% p[1:2], exp(p[3]), p[4])),
    c(3, 0.3, log(0.7), 0.5), c(1, 0.1, 0.1, 0.1))
# Left truncation: entry at 0, 20%, 40%, 60% of the exit time in turn.
e <- t * ((seq_along(t) - 1) %% 4) / 5
add("lung_truncated_weibull", "weibull", X, t, d,
    function(p) -sum(ll_weibull(t, d, X1 %*% p[1:4], exp(p[5]), e)),
    c(coef(sw), log(sw$scale)), c(1, 0.01, 0.1, 0.1, 0.1), t0 = e)
add("lung_truncated_lognormal", "lognormal", X, t, d,
    function(p) -sum(ll_lognormal(t, d, X1 %*% p[1:4], exp(p[5]), e)),
    c(coef(sw), log(sw$scale)), c(1, 0.01, 0.1, 0.1, 0.1), t0 = e)
add("lung_truncated_gompertz", "gompertz", X, t, d,
    function(p) -sum(ll_gompertz(t, d, X1 %*% p[1:4], p[5], e)),
    c(log(sum(d) / sum(t)), 0, 0, 0, 0), c(1, 0.01, 0.1, 0.1, 0.001), t0 = e)
add("lung_truncated_gengamma", "generalized_gamma", X, t, d,
    function(p) -sum(ll_gg(t, d, X1 %*% p[1:4], exp(p[5]), p[6], e)),
    c(coef(sw), log(sw$scale), 1), c(1, 0.01, 0.1, 0.1, 0.1, 0.1), t0 = e)
# Strata (a shape / scale per stratum, 0 = male, 1 = female) and case weights 1, 2, 3.
st <- lung$sex - 1
Xs <- as.matrix(lung[, c("age", "ph.ecog")]); Xs1 <- cbind(1, Xs)
wt <- 1 + (seq_along(t) %% 3)
add("lung_strata_gompertz", "gompertz", Xs, t, d,
    function(p) -sum(ll_gompertz(t, d, Xs1 %*% p[1:3], p[4 + st])),
    c(log(sum(d) / sum(t)), 0, 0, 0, 0), c(1, 0.01, 0.1, 0.001, 0.001), strata = st)
add("lung_strata_weights_gengamma", "generalized_gamma", Xs, t, d,
    function(p) -sum(wt * ll_gg(t, d, Xs1 %*% p[1:3], exp(p[4 + st]), p[6])),
    c(coef(sw)[c(1, 2, 4)], log(sw$scale), log(sw$scale), 1), c(1, 0.01, 0.1, 0.1, 0.1, 0.1),
    strata = st, weights = wt)
add("lung_weights_truncated_gompertz", "gompertz", X, t, d,
    function(p) -sum(wt * ll_gompertz(t, d, X1 %*% p[1:4], p[5], e)),
    c(log(sum(d) / sum(t)), 0, 0, 0, 0), c(1, 0.01, 0.1, 0.1, 0.001), t0 = e, weights = wt)
# Weibull in its PH parameterisation h(t) = lambda gamma t^(gamma-1) exp(x beta):
# parameters (log lambda, beta, log gamma), fitted directly, to check the AFT -> PH
# conversion (PH coefficients and their delta-method SEs) on an independent fit.
ll_weibull_ph <- function(p) {
  lp <- X1 %*% p[1:4]; g <- exp(p[5])
  sum(d * (lp + log(g) + (g - 1) * log(t)) - exp(lp) * t^g)
}
r <- fitml(function(p) -ll_weibull_ph(p), c(log(sum(d) / sum(t)), 0, 0, 0, 0),
           c(1, 0.01, 0.1, 0.1, 0.1))
wph <- list(par = r$par, se = r$se, loglik = r$loglik)
# Predictions for the first row's covariates at R's estimates, with delta-method SEs
# from numDeriv gradients and the inverse numerical Hessian: S(t), h(t), SE of log H(t),
# the median (uniroot) and the SE of its log.
surv_fns <- list(
  gompertz = function(p, tt, xx) {
    k <- length(xx); eta <- sum(xx * p[1:k]); a <- p[k + 1]
    list(S = exp(ll_gompertz(tt, 0, eta, a)), h = exp(eta + a * tt))
  },
  generalized_gamma = function(p, tt, xx) {
    k <- length(xx); eta <- sum(xx * p[1:k]); sg <- exp(p[k + 1]); Q <- p[k + 2]
    z <- (log(tt) - eta) / sg
    S <- exp(sapply(z, logS_gg, Q = Q))
    list(S = S, h = exp(sapply(z, logf_gg, Q = Q) - log(sg) - log(tt)) / S)
  })
for (i in seq_along(models)) {
  m <- models[[i]]
  if (!(m$name %in% c("lung_gompertz", "lung_gengamma", "veteran_gengamma",
                      "normal_scores_gengamma", "veteran_gompertz"))) next
  X <- matrix(m$x, m$n); xx <- c(1, X[1, ])
  f <- surv_fns[[m$dist]]
  nll <- function(p) {
    eta <- cbind(1, X) %*% p[1:length(xx)]
    if (m$dist == "gompertz") -sum(ll_gompertz(m$time, m$status, eta, p[length(xx) + 1]))
    else -sum(ll_gg(m$time, m$status, eta, exp(p[length(xx) + 1]), p[length(xx) + 2]))
  }
  V <- solve(numDeriv::hessian(nll, m$par))
  tms <- as.numeric(quantile(m$time, c(0.25, 0.5, 0.75)))
  pr <- f(m$par, tms, xx)
  se_lH <- sapply(tms, function(tt) {
    g <- numDeriv::grad(function(p) log(-log(f(p, tt, xx)$S)), m$par)
    sqrt(drop(t(g) %*% V %*% g))
  })
  med <- function(p) uniroot(function(tt) f(p, tt, xx)$S - 0.5, c(1e-6, 1e6), tol = 1e-13)$root
  g <- numDeriv::grad(function(p) log(med(p)), m$par)
  models[[i]]$prediction <- list(times = tms, surv = pr$S, hazard = pr$h, se_log_cumhaz = se_lH,
                                 median = med(m$par), se_log_median = sqrt(drop(t(g) %*% V %*% g)))
}
writeLines(toJSON(list(models = models, weibull_ph = wph), digits = NA, auto_unbox = TRUE,
                  null = "null"),
           "crates/survkit-core/tests/parametric/optim_golden.json")
for (m in models) cat(m$name, m$loglik, m$max_abs_grad, "\n")
cat("weibull_ph", wph$loglik, "\n")
