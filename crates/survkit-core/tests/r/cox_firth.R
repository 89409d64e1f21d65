# Oracle for Firth's penalized Cox regression (crates/survkit-core/tests/cox_firth.rs).
# coxphf is not packaged for Debian, so the penalized likelihood
#   l*(b) = l(b) + 1/2 log det I(b)     (Firth 1993; Heinze & Schemper 2001)
# is evaluated here with survival's coxph at fixed b (iter.max = 0 gives l(b) and
# I(b)^-1) and maximized numerically; profile limits by uniroot on the profile.
# R 4.2.2, survival 3.5-3. Run from the repo root:
#   Rscript crates/survkit-core/tests/r/cox_firth.R
library(survival)
library(jsonlite)
pl <- function(b, X, time, status, ties) {
  f <- coxph(Surv(time, status) ~ X, init = b, ties = ties,
             control = coxph.control(iter.max = 0))
  v <- tryCatch(f$loglik[2] + 0.5 * as.numeric(determinant(solve(f$var))$modulus),
                error = function(e) -1e10)
  if (!is.finite(v)) -1e10 else v
}
fitpl <- function(X, time, status, ties) {
  p <- ncol(X)
  fn <- function(b) pl(b, X, time, status, ties)
  if (p == 1) {
    o <- optimize(fn, c(-30, 30), maximum = TRUE, tol = 1e-11)
    b <- o$maximum; lhat <- o$objective
  } else {
    o <- optim(rep(0, p), fn, method = "BFGS", control = list(fnscale = -1, reltol = 1e-14, maxit = 500))
    o <- optim(o$par, fn, method = "Nelder-Mead", control = list(fnscale = -1, reltol = 1e-15, maxit = 5000))
    o <- optim(o$par, fn, method = "BFGS", control = list(fnscale = -1, reltol = 1e-16, maxit = 500, ndeps = rep(1e-5, p)))
    b <- o$par; lhat <- o$value
  }
  prof <- function(j, v) {
    if (p == 1) return(pl(v, X, time, status, ties))
    g <- function(bo) { bb <- numeric(p); bb[j] <- v; bb[-j] <- bo; pl(bb, X, time, status, ties) }
    if (p == 2) return(optimize(g, c(-30, 30), maximum = TRUE, tol = 1e-11)$objective)
    optim(b[-j], g, method = "BFGS", control = list(fnscale = -1, reltol = 1e-15))$value
  }
  crit <- qchisq(0.95, 1)
  lims <- t(sapply(seq_len(p), function(j) {
    h <- function(v) prof(j, v) - (lhat - crit / 2)
    lo <- uniroot(h, c(b[j] - 20, b[j]), tol = 1e-11)$root
    up <- tryCatch(uniroot(h, c(b[j], b[j] + 20), tol = 1e-11)$root, error = function(e) NA)
    c(lo, up)
  }))
  pv <- sapply(seq_len(p), function(j) pchisq(2 * (lhat - prof(j, 0)), 1, lower.tail = FALSE))
  list(coef = b, lower = lims[, 1], upper = lims[, 2], p = pv, loglik = c(pl(rep(0, p), X, time, status, ties), lhat))
}
out <- list()
# A 20-patient series with monotone likelihood: every patient with z = 1 has an event
# before any patient with z = 0 is at risk of one (coxph reports an infinite HR).
time <- c(2, 3, 3, 5, 6, 8, 9, 9, 11, 12, 14, 15, 17, 18, 20, 22, 25, 27, 30, 31)
status <- c(1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0)
z <- c(1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
z[3] <- 1
age <- c(61, 55, 70, 48, 66, 59, 72, 50, 63, 58, 45, 69, 53, 60, 67, 44, 57, 62, 49, 71)
X <- cbind(z, age)
for (ties in c("efron", "breslow")) {
  r <- fitpl(X, time, status, ties)
  out[[paste0("monotone_", ties)]] <- c(list(time = time, status = status, x = as.vector(X), ncol = 2, ties = ties), r)
}
aml <- read.csv("tests/data/aml.csv")
Xa <- cbind(as.numeric(aml$x == "Nonmaintained"))
r <- fitpl(Xa, aml$time, aml$status, "efron")
out$aml <- c(list(time = aml$time, status = aml$status, x = as.vector(Xa), ncol = 1, ties = "efron"), r)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "crates/survkit-core/tests/fixtures/cox_firth.json")
